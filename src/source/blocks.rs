//! Scope units: lines, paragraphs (runs of non-blank lines) and sentences.

use std::ops::Range;

/// The unit a rule looks at; operands and matches never cross its boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Line,
    Sentence,
    /// A sentence that may wrap across line breaks inside a paragraph (PDF-extracted budget
    /// notes); it ends at sentence-final punctuation or at a blank line.
    Statement,
    Paragraph,
    Document,
}

impl Scope {
    /// Parses the TOML spelling.
    pub fn parse(name: &str) -> Option<Scope> {
        match name {
            "line" => Some(Scope::Line),
            "sentence" => Some(Scope::Sentence),
            "statement" => Some(Scope::Statement),
            "paragraph" => Some(Scope::Paragraph),
            "document" => Some(Scope::Document),
            _ => None,
        }
    }

    /// The TOML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Line => "line",
            Scope::Sentence => "sentence",
            Scope::Statement => "statement",
            Scope::Paragraph => "paragraph",
            Scope::Document => "document",
        }
    }
}

/// Byte ranges of every scope unit of one document, computed once.
#[derive(Debug, Clone, Default)]
pub struct Blocks {
    pub lines: Vec<Range<usize>>,
    pub paragraphs: Vec<Range<usize>>,
    /// Sentences and statements are split on first use: most rules never ask for them.
    sentences: std::sync::OnceLock<Vec<Range<usize>>>,
    statements: std::sync::OnceLock<Vec<Range<usize>>>,
    /// The text the blocks were made from (a copy of its length only, to check `units` calls).
    len: usize,
    pub document: Vec<Range<usize>>,
}

fn is_blank(line: &str) -> bool {
    line.chars().all(char::is_whitespace)
}

/// Sentence terminators (GB/T 15834 句末点号 plus the ASCII ones).
fn is_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?')
}

/// Closing marks that stay with the sentence they close (`……。”`).
fn is_trailing_close(c: char) -> bool {
    matches!(c, '”' | '’' | '）' | ')' | '」' | '』' | '》' | '】')
}

impl Blocks {
    /// Splits a text into its scope units.
    pub fn new(text: &str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                lines.push(start..end);
                start = i + 1;
            }
        }
        if start < text.len() {
            lines.push(start..text.len());
        }

        let mut paragraphs = Vec::new();
        let mut current: Option<Range<usize>> = None;
        for line in &lines {
            if is_blank(&text[line.clone()]) {
                if let Some(p) = current.take() {
                    paragraphs.push(p);
                }
            } else {
                current = Some(match current {
                    Some(p) => p.start..line.end,
                    None => line.clone(),
                });
            }
        }
        paragraphs.extend(current);

        // The document scope is a list with one unit, the whole text.
        #[allow(clippy::single_range_in_vec_init)]
        let document = vec![0..text.len()];
        Blocks {
            lines,
            paragraphs,
            sentences: std::sync::OnceLock::new(),
            statements: std::sync::OnceLock::new(),
            len: text.len(),
            document,
        }
    }

    /// The units of one scope of `text`, the text these blocks were made from.
    pub fn units(&self, scope: Scope, text: &str) -> &[Range<usize>] {
        debug_assert_eq!(text.len(), self.len);
        match scope {
            Scope::Line => &self.lines,
            Scope::Sentence => self.sentences.get_or_init(|| {
                let mut out = Vec::new();
                for line in &self.lines {
                    split_sentences(text, line.clone(), &mut out);
                }
                out
            }),
            Scope::Statement => self.statements.get_or_init(|| {
                let mut out = Vec::new();
                for paragraph in &self.paragraphs {
                    split_sentences(text, paragraph.clone(), &mut out);
                }
                out
            }),
            Scope::Paragraph => &self.paragraphs,
            Scope::Document => &self.document,
        }
    }
}

fn split_sentences(text: &str, line: Range<usize>, out: &mut Vec<Range<usize>>) {
    let body = &text[line.clone()];
    let mut start = 0;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let english_period = c == '.'
            && chars.peek().is_none_or(|&(_, next)| {
                next == ' ' || next == '\t' || next == '\n' || next == '\r'
            });
        if is_terminator(c) || english_period {
            let mut end = i + c.len_utf8();
            while let Some(&(j, next)) = chars.peek() {
                if is_terminator(next) || is_trailing_close(next) {
                    end = j + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            push_trimmed(body, line.start, start..end, out);
            start = end;
        }
    }
    push_trimmed(body, line.start, start..body.len(), out);
}

fn push_trimmed(body: &str, base: usize, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let piece = &body[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push(base + range.start + lead..base + range.end - trail);
    }
}

/// Splits a range of `text` into clauses at `，,；;：:` (the marks are not part of a clause).
pub fn clauses(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let body = &text[range.clone()];
    let mut start = 0;
    for (i, c) in body.char_indices() {
        if matches!(c, '，' | ',' | '；' | ';' | '：' | ':') {
            push_trimmed(body, range.start, start..i, &mut out);
            start = i + c.len_utf8();
        }
    }
    push_trimmed(body, range.start, start..body.len(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, ranges: &[Range<usize>]) -> Vec<&'a str> {
        ranges.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn paragraphs_are_runs_of_non_blank_lines() {
        let text = "一行\n二行\n\n三行\r\n";
        let blocks = Blocks::new(text);
        assert_eq!(texts(text, &blocks.paragraphs), ["一行\n二行", "三行"]);
        assert_eq!(texts(text, &blocks.lines), ["一行", "二行", "", "三行"]);
    }

    #[test]
    fn sentences_split_at_terminators_and_keep_closing_quotes() {
        let text = "他说：“好。”然后走了！对吗？\n下一行没有句号";
        let blocks = Blocks::new(text);
        assert_eq!(
            texts(text, blocks.units(Scope::Sentence, text)),
            ["他说：“好。”", "然后走了！", "对吗？", "下一行没有句号"]
        );
    }

    #[test]
    fn english_sentences_split_at_period_space_not_decimal_point() {
        let text = "Up 1.5 points. Down again.";
        let blocks = Blocks::new(text);
        assert_eq!(
            texts(text, blocks.units(Scope::Sentence, text)),
            ["Up 1.5 points.", "Down again."]
        );
    }

    #[test]
    fn statements_wrap_across_line_breaks_but_not_blank_lines() {
        let text = "2025年执行数为\n77.99万元，增加17.93%。下一句。\n\n新段落";
        let blocks = Blocks::new(text);
        assert_eq!(
            texts(text, blocks.units(Scope::Statement, text)),
            [
                "2025年执行数为\n77.99万元，增加17.93%。",
                "下一句。",
                "新段落"
            ]
        );
    }

    #[test]
    fn clauses_split_at_commas_and_semicolons() {
        let text = "受理43896件,调处成功43149件，成功率98.3%";
        assert_eq!(
            texts(text, &clauses(text, 0..text.len())),
            ["受理43896件", "调处成功43149件", "成功率98.3%"]
        );
    }
}
