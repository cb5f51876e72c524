//! Byte offset → 1-based line and column, with columns counted in Unicode scalar values.

/// Start offsets of every line in a text, built once per document.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    ascii: bool,
}

/// A 1-based line and column (column in Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    /// Indexes `text`. A final line without `\n` is still a line.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            starts,
            ascii: text.is_ascii(),
        }
    }

    /// Number of lines (a trailing `\n` does not open a new line).
    pub fn line_count(&self, text: &str) -> usize {
        if text.ends_with('\n') {
            self.starts.len() - 1
        } else {
            self.starts.len()
        }
    }

    /// 0-based line number that contains `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(usize::MAX)
    }

    /// Byte range of 0-based `line` without its line terminator.
    pub fn line_range(&self, line: usize, text: &str) -> std::ops::Range<usize> {
        let start = self.line_start(line).min(text.len());
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |&next| next - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    /// 1-based position of a byte offset; offsets inside a character count as that character.
    pub fn position(&self, offset: usize, text: &str) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = if self.ascii {
            offset - start
        } else {
            let mut end = offset;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[start..end].chars().count()
        };
        Position {
            line: line + 1,
            column: column + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_chinese_characters_as_one_column() {
        let text = "第一行\n于2023年增长5%\n";
        let index = LineIndex::new(text);
        let offset = text.find("5%").unwrap();
        assert_eq!(
            index.position(offset, text),
            Position { line: 2, column: 9 }
        );
        assert_eq!(index.position(0, text), Position { line: 1, column: 1 });
    }

    #[test]
    fn final_line_without_newline_is_counted() {
        let text = "a\nb";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(text), 2);
        assert_eq!(index.position(2, text).line, 2);
        assert_eq!(LineIndex::new("a\n").line_count("a\n"), 1);
    }

    #[test]
    fn line_range_strips_crlf() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(&text[index.line_range(0, text)], "ab");
        assert_eq!(&text[index.line_range(1, text)], "cd");
    }
}
