//! Byte offset → 1-based line and column, with columns counted in Unicode scalar values.

/// Start offsets of every line in a text, built once per document.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    ascii: bool,
    /// For non-ASCII text: `chars[k]` is the number of characters before byte `k * BLOCK`, so a
    /// column costs at most two blocks of counting, not a scan from the line start (which made
    /// every position on a long line cost the length of the line: quadratic time, issue 16).
    chars: Vec<usize>,
}

/// Bytes between two entries of [`LineIndex::chars`].
const BLOCK: usize = 256;

/// Characters starting in `bytes`: every byte that is not a UTF-8 continuation byte.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
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
        let ascii = text.is_ascii();
        let mut chars = Vec::new();
        if !ascii {
            chars.reserve(text.len() / BLOCK + 1);
            let mut total = 0;
            for block in text.as_bytes().chunks(BLOCK) {
                chars.push(total);
                total += count_chars(block);
            }
            chars.push(total);
        }
        LineIndex {
            starts,
            ascii,
            chars,
        }
    }

    /// Characters before byte `offset` (which need not be a character boundary; a character is
    /// counted once its first byte is before `offset`).
    fn chars_before(&self, offset: usize, text: &str) -> usize {
        let block = (offset / BLOCK).min(self.chars.len().saturating_sub(1));
        let base = self.chars.get(block).copied().unwrap_or(0);
        base + count_chars(&text.as_bytes()[block * BLOCK..offset])
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
            self.chars_before(end, text) - self.chars_before(start, text)
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

    /// The column of every byte offset, counted the slow way: characters from the line start.
    fn naive(text: &str, offset: usize) -> Position {
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        Position {
            line: text[..line_start].matches('\n').count() + 1,
            column: text[line_start..end].chars().count() + 1,
        }
    }

    #[test]
    fn issue_16_columns_on_a_long_line_match_counting_from_the_line_start() {
        let text: String = "对a，".repeat(700) + "\n" + &"é字".repeat(300);
        let index = LineIndex::new(&text);
        for offset in (0..=text.len()).step_by(7).chain([text.len()]) {
            assert_eq!(
                index.position(offset, &text),
                naive(&text, offset),
                "{offset}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn positions_match_counting_from_the_line_start(
            text in "[a\n对é😀，\r]{0,700}",
            pick in 0usize..10_000,
        ) {
            let index = LineIndex::new(&text);
            let offset = pick % (text.len() + 1);
            proptest::prop_assert_eq!(index.position(offset, &text), naive(&text, offset));
        }
    }

    #[test]
    fn line_range_strips_crlf() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(&text[index.line_range(0, text)], "ab");
        assert_eq!(&text[index.line_range(1, text)], "cd");
    }
}
