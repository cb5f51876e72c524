//! A `miette::SourceCode` over a document that reports columns in Unicode scalar values and shows
//! a window of a long line instead of the whole line (report paragraphs are often one long line).

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::source::LineIndex;

/// Characters shown on each side of a label within one line.
const WINDOW: usize = 32;

/// A named text with its line index.
pub struct TextSource<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub index: &'a LineIndex,
}

impl TextSource<'_> {
    fn back(&self, from: usize, floor: usize, chars: usize) -> usize {
        let mut at = from;
        for (i, _) in self.text[floor..from].char_indices().rev().take(chars) {
            at = floor + i;
        }
        at
    }

    fn forward(&self, from: usize, ceil: usize, chars: usize) -> usize {
        match self.text[from..ceil].char_indices().nth(chars) {
            Some((i, _)) => from + i,
            None => ceil,
        }
    }
}

impl SourceCode for TextSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len()
            || !self.text.is_char_boundary(start)
            || !self.text.is_char_boundary(end)
        {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.index.line_of(start);
        let last = self.index.line_of(end.saturating_sub(1).max(start));
        let first_range = self.index.line_range(first, self.text);
        let last_range = self.index.line_range(last, self.text);
        let window_start = self.back(start, first_range.start, WINDOW);
        let window_end = self.forward(end, last_range.end.max(end), WINDOW);
        let column = self.text[first_range.start..start].chars().count();
        let data = &self.text.as_bytes()[window_start..window_end];
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            data,
            SourceSpan::new(window_start.into(), window_end - window_start),
            first,
            column,
            last - first + 1,
        )))
    }
}
