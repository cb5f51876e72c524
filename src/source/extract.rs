//! Text extracted from a structured format (HTML, .docx, PDF), with a map from every byte of
//! the extracted text back to the source, and the tables found on the way.
//!
//! Rules only ever see the extracted text; reports translate its offsets with [`OffsetMap`].

use std::ops::Range;

/// One run of extracted text and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// Start of the run in the extracted text.
    text: usize,
    /// Start of what it stands for in the source.
    source: usize,
    /// End of what it stands for in the source.
    source_end: usize,
    /// True when the run is a byte-for-byte copy of the source (offsets map one to one).
    verbatim: bool,
}

/// Maps byte offsets of extracted text to byte offsets of the source it was extracted from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Vec<Segment>,
    text_len: usize,
}

impl OffsetMap {
    /// The segment holding text offset `offset` (the last one starting at or before it).
    fn segment(&self, offset: usize) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.text <= offset);
        i.checked_sub(1).map(|i| &self.segments[i])
    }

    /// Source offset of the extracted byte at `offset`. Bytes of a verbatim run map one to one;
    /// bytes of a synthetic run (an entity, a break made from a tag) map to the start of what they
    /// stand for.
    pub fn source_offset(&self, offset: usize) -> usize {
        match self.segment(offset) {
            None => 0,
            Some(s) if s.verbatim => (s.source + (offset - s.text)).min(s.source_end),
            Some(s) => s.source,
        }
    }

    /// Source range covered by the extracted range `span`: from where its first byte came from to
    /// the end of where its last byte came from. An empty span maps to an empty range.
    pub fn source_range(&self, span: Range<usize>) -> Range<usize> {
        let start = self.source_offset(span.start);
        if span.end <= span.start {
            return start..start;
        }
        let last = span.end - 1;
        let end = match self.segment(last) {
            None => start,
            Some(s) if s.verbatim => (s.source + (span.end - s.text)).min(s.source_end),
            Some(s) => s.source_end,
        };
        start..end.max(start)
    }

    /// True when the extracted range is one verbatim copy of the source (so a fix of it can be
    /// written to the source as it is).
    pub fn is_verbatim(&self, span: Range<usize>) -> bool {
        let Some(s) = self.segment(span.start) else {
            return false;
        };
        let i = self.segments.partition_point(|x| x.text <= span.start);
        let next = self.segments.get(i).map_or(self.text_len, |n| n.text);
        s.verbatim && span.end <= next
    }
}

/// Builds extracted text and its [`OffsetMap`] together.
#[derive(Debug, Default)]
pub struct TextBuilder {
    text: String,
    map: OffsetMap,
}

impl TextBuilder {
    pub fn new() -> Self {
        TextBuilder::default()
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Appends `s`, which is the source text starting at byte `source` (copied as is).
    pub fn push_verbatim(&mut self, s: &str, source: usize) {
        if s.is_empty() {
            return;
        }
        let end = source + s.len();
        match self.map.segments.last_mut() {
            Some(last)
                if last.verbatim
                    && last.source_end == source
                    && last.text + (last.source_end - last.source) == self.text.len() =>
            {
                last.source_end = end;
            }
            _ => self.map.segments.push(Segment {
                text: self.text.len(),
                source,
                source_end: end,
                verbatim: true,
            }),
        }
        self.text.push_str(s);
        self.map.text_len = self.text.len();
    }

    /// Appends `s`, which stands for the source range `source` (an entity, a tag made into a
    /// break, collapsed white space).
    pub fn push_synthetic(&mut self, s: &str, source: Range<usize>) {
        if s.is_empty() {
            return;
        }
        self.map.segments.push(Segment {
            text: self.text.len(),
            source: source.start,
            source_end: source.end.max(source.start),
            verbatim: false,
        });
        self.text.push_str(s);
        self.map.text_len = self.text.len();
    }

    /// Removes trailing bytes of the text that satisfy `drop` (white space before a break), and
    /// the map entries that covered only them.
    pub fn trim_end_matches(&mut self, drop: impl Fn(char) -> bool) {
        let keep = self.text.trim_end_matches(drop).len();
        self.text.truncate(keep);
        while let Some(last) = self.map.segments.last() {
            if last.text >= keep && !(last.text == 0 && keep == 0 && self.text.is_empty()) {
                self.map.segments.pop();
            } else {
                break;
            }
        }
        if let Some(last) = self.map.segments.last_mut() {
            if last.verbatim {
                let len = keep - last.text;
                last.source_end = last.source_end.min(last.source + len);
            }
        }
        self.map.text_len = self.text.len();
    }

    /// The finished text and map.
    pub fn finish(self) -> (String, OffsetMap) {
        (self.text, self.map)
    }
}

/// One table cell: its trimmed text as a range of the extracted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub span: Range<usize>,
    /// A header cell (`<th>`, or a row the source marks as a header).
    pub header: bool,
    pub colspan: usize,
    pub rowspan: usize,
}

/// A table as rows of cells, in source order (spans not yet laid out on a grid).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<Vec<Cell>>,
    /// Found in plain text by lining up columns (no markup says where cells are).
    pub layout: bool,
}

/// What an extractor produces.
#[derive(Debug, Default)]
pub struct Extracted {
    pub text: String,
    pub map: OffsetMap,
    pub tables: Vec<Table>,
    /// The parts of the file the text comes from, when the format has several (.docx).
    pub zones: Vec<super::Zone>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_runs_map_one_to_one_and_merge() {
        let source = "<p>ab&amp;cd</p>";
        let mut b = TextBuilder::new();
        b.push_verbatim("ab", 3);
        b.push_synthetic("&", 5..10);
        b.push_verbatim("cd", 10);
        let (text, map) = b.finish();
        assert_eq!(text, "ab&cd");
        assert_eq!(map.source_offset(0), 3);
        assert_eq!(map.source_offset(1), 4);
        assert_eq!(map.source_offset(2), 5);
        assert_eq!(map.source_offset(3), 10);
        assert_eq!(&source[map.source_range(1..4)], "b&amp;c");
        assert_eq!(&source[map.source_range(2..3)], "&amp;");
        assert!(map.is_verbatim(0..2));
        assert!(!map.is_verbatim(1..3));
        assert!(map.is_verbatim(3..5));
    }

    #[test]
    fn adjacent_verbatim_pushes_merge() {
        let mut b = TextBuilder::new();
        b.push_verbatim("ab", 0);
        b.push_verbatim("cd", 2);
        let (_, map) = b.finish();
        assert_eq!(map.segments.len(), 1);
        assert!(map.is_verbatim(0..4));
    }

    #[test]
    fn trimming_drops_map_entries() {
        let mut b = TextBuilder::new();
        b.push_verbatim("ab", 0);
        b.push_synthetic(" ", 2..5);
        b.trim_end_matches(char::is_whitespace);
        b.push_synthetic("\n", 5..9);
        let (text, map) = b.finish();
        assert_eq!(text, "ab\n");
        assert_eq!(map.source_offset(2), 5);
    }

    #[test]
    fn empty_span_maps_to_a_point() {
        let mut b = TextBuilder::new();
        b.push_verbatim("abc", 10);
        let (_, map) = b.finish();
        assert_eq!(map.source_range(3..3), 13..13);
    }
}
