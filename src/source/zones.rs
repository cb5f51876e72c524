//! Zones: which part of a document each byte of its text comes from — the body, a header, a
//! footnote, a comment … — so that findings outside the body can say where they are.
//!
//! A document's zones are sorted, do not overlap and, when there are any, cover its whole text
//! (the blank line that separates two zones belongs to the first). Only .docx fills them for now;
//! a document without zones is all body.

use std::ops::Range;

/// What a zone of a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZoneKind {
    /// The main text.
    Body,
    /// A page header.
    Header,
    /// A page footer.
    Footer,
    /// One footnote.
    Footnote,
    /// One endnote.
    Endnote,
    /// One reviewer's comment.
    Comment,
    /// A text box (a shape holding text) of the body.
    TextBox,
}

impl ZoneKind {
    /// Every kind, in the order of [`ZoneKind::as_str`]'s names in the JSON schema.
    pub const ALL: [ZoneKind; 7] = [
        ZoneKind::Body,
        ZoneKind::Header,
        ZoneKind::Footer,
        ZoneKind::Footnote,
        ZoneKind::Endnote,
        ZoneKind::Comment,
        ZoneKind::TextBox,
    ];

    /// The name used in JSON and SARIF (`text-box`, kebab-case like every other key).
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneKind::Body => "body",
            ZoneKind::Header => "header",
            ZoneKind::Footer => "footer",
            ZoneKind::Footnote => "footnote",
            ZoneKind::Endnote => "endnote",
            ZoneKind::Comment => "comment",
            ZoneKind::TextBox => "text-box",
        }
    }
}

/// One zone: a range of the document's text and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub kind: ZoneKind,
    /// Byte range of [`crate::source::Document::text`].
    pub range: Range<usize>,
    /// A short name for people: `body`, `header 1`, `footnote 3`, `comment 2 by 王明`.
    pub name: String,
}

/// The zone holding byte `offset` of the text, by binary search over sorted `zones`. `None` when
/// there are no zones (all body) or the offset is past them.
pub fn zone_at(zones: &[Zone], offset: usize) -> Option<&Zone> {
    let i = zones.partition_point(|z| z.range.start <= offset);
    let zone = zones.get(i.checked_sub(1)?)?;
    // The end of the text counts as inside the last zone (an empty span there).
    let inside = offset < zone.range.end || (i == zones.len() && offset == zone.range.end);
    inside.then_some(zone)
}

/// The zone of `offset` when it is not the body: the one a finding there should name.
pub fn outside_body(zones: &[Zone], offset: usize) -> Option<&Zone> {
    zone_at(zones, offset).filter(|z| z.kind != ZoneKind::Body)
}

/// The range of the text that is the document's body: all of it without zones, else the body
/// zone it starts with (empty when it starts with another zone).
pub fn body(zones: &[Zone], len: usize) -> Range<usize> {
    match zones.first() {
        None => 0..len,
        Some(z) if z.kind == ZoneKind::Body => z.range.clone(),
        Some(_) => 0..0,
    }
}

/// A key that is the same for every offset of the body and different for every other zone:
/// checks that follow the text (numbering runs, a paragraph continued on the next) keep one state
/// per key, so that a footnote neither continues nor breaks the body's headings.
pub fn stream_of(zones: &[Zone], offset: usize) -> Option<usize> {
    let i = zones
        .partition_point(|z| z.range.start <= offset)
        .checked_sub(1)?;
    (zones[i].kind != ZoneKind::Body).then_some(i)
}

/// A document made of `parts` (kind, text) joined by blank lines, with their zones, as a .docx
/// gives them (for tests of checks that follow zones).
#[cfg(test)]
pub fn test_document(parts: &[(ZoneKind, &str)]) -> super::Document {
    let mut text = String::new();
    let mut zones: Vec<Zone> = Vec::new();
    for (i, (kind, part)) in parts.iter().enumerate() {
        if i > 0 {
            text.push('\n');
            if let Some(last) = zones.last_mut() {
                last.range.end = text.len();
            }
        }
        let start = text.len();
        text.push_str(part);
        text.push('\n');
        zones.push(Zone {
            kind: *kind,
            range: start..text.len(),
            name: format!("{} {}", kind.as_str(), i),
        });
    }
    let mut doc = super::Document::new("test.docx", text);
    doc.zones = zones;
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(kind: ZoneKind, range: Range<usize>, name: &str) -> Zone {
        Zone {
            kind,
            range,
            name: name.to_owned(),
        }
    }

    fn sample() -> Vec<Zone> {
        vec![
            zone(ZoneKind::Body, 0..10, "body"),
            zone(ZoneKind::Header, 10..15, "header 1"),
            zone(ZoneKind::Footnote, 15..20, "footnote 1"),
        ]
    }

    #[test]
    fn zone_at_finds_the_zone_of_every_offset() {
        let zones = sample();
        let names: Vec<Option<&str>> = (0..=21)
            .map(|i| zone_at(&zones, i).map(|z| z.name.as_str()))
            .collect();
        let mut expected = vec![Some("body"); 10];
        expected.extend([Some("header 1"); 5]);
        expected.extend([Some("footnote 1"); 6]);
        expected.push(None);
        assert_eq!(names, expected);
        assert_eq!(zone_at(&[], 0), None);
    }

    #[test]
    fn only_zones_outside_the_body_are_named() {
        let zones = sample();
        assert_eq!(outside_body(&zones, 3), None);
        assert_eq!(
            outside_body(&zones, 12).map(|z| z.name.as_str()),
            Some("header 1")
        );
        assert_eq!(outside_body(&[], 3), None);
    }

    #[test]
    fn the_body_is_the_leading_body_zone_or_everything() {
        assert_eq!(body(&sample(), 20), 0..10);
        assert_eq!(body(&[], 7), 0..7);
        assert_eq!(body(&sample()[1..], 20), 0..0);
    }

    #[test]
    fn streams_join_body_zones_and_split_the_others() {
        let mut zones = sample();
        zones.push(zone(ZoneKind::Body, 20..25, "body"));
        let streams: Vec<Option<usize>> = [0, 9, 10, 14, 15, 22]
            .iter()
            .map(|&i| stream_of(&zones, i))
            .collect();
        assert_eq!(streams, [None, None, Some(1), Some(1), Some(2), None]);
        assert_eq!(stream_of(&[], 5), None);
    }
}
