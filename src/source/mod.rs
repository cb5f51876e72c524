//! Documents: bytes → checked UTF-8 text, a line index and scope blocks.
//!
//! This module owns decoding and text geometry. It never imports `rules`, `engine` or `report`.

mod blocks;
mod decode;
mod line_index;

pub use blocks::{clauses, Blocks, Scope};
pub use decode::{decode_strict, Decoding};
pub use line_index::{LineIndex, Position};

use std::fmt;

/// How many leading bytes are inspected for NUL bytes when deciding a file is binary.
const BINARY_PROBE: usize = 8192;

/// A decoded document, ready for checking. Immutable once built.
#[derive(Debug)]
pub struct Document {
    /// The path as the user gave it (or the stdin name).
    pub path: String,
    /// The decoded text (BOM removed).
    pub text: String,
    /// Line starts for positions.
    pub index: LineIndex,
    /// Lines, paragraphs and sentences.
    pub blocks: Blocks,
    /// How the file was decoded (UTF-8 unless it said or showed otherwise).
    pub decoding: Decoding,
}

/// Why a document could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The bytes are not valid UTF-8, nor UTF-16 or GB18030.
    InvalidUtf8 { offset: usize, line: usize },
    /// The bytes are not valid in the encoding a BOM or `--encoding` named.
    Undecodable {
        encoding: &'static str,
        offset: usize,
        line: usize,
    },
    /// The file could not be read.
    Io(String),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::InvalidUtf8 { offset, line } => write!(
                f,
                "invalid UTF-8 at byte offset {offset} (line {line}), and not UTF-16 or GB18030 either; convert the file to UTF-8 or name its encoding with --encoding"
            ),
            SourceError::Undecodable { encoding, offset, line } => write!(
                f,
                "invalid {encoding} at byte offset {offset} (line {line}); check the file's encoding (--encoding)"
            ),
            SourceError::Io(message) => write!(f, "cannot read: {message}"),
        }
    }
}

impl std::error::Error for SourceError {}

/// The outcome of loading bytes. One is made per file and unpacked at once, so the size of the
/// text variant costs nothing worth a box.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    /// A text document to check.
    Text(Document),
    /// The bytes look binary (NUL bytes); the file is skipped.
    Binary,
}

/// True when the first bytes contain a NUL byte (and no UTF-16 byte order mark).
pub fn is_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    bytes[..bytes.len().min(BINARY_PROBE)].contains(&0)
}

/// Builds a document from bytes; binary content is reported as [`Loaded::Binary`].
pub fn load_bytes(path: &str, bytes: &[u8]) -> Result<Loaded, SourceError> {
    load_bytes_as(path, bytes, None)
}

/// Like [`load_bytes`], with an encoding forced by `--encoding`.
pub fn load_bytes_as(
    path: &str,
    bytes: &[u8],
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Loaded, SourceError> {
    match decode::decode_bytes(bytes, forced)? {
        decode::Decoded::Binary => Ok(Loaded::Binary),
        decode::Decoded::Text(text, decoding) => {
            let mut doc = Document::new(path, text);
            doc.decoding = decoding;
            Ok(Loaded::Text(doc))
        }
    }
}

impl Document {
    /// Indexes a text already in memory.
    pub fn new(path: impl Into<String>, text: String) -> Self {
        let index = LineIndex::new(&text);
        let blocks = Blocks::new(&text);
        Document {
            path: path.into(),
            text,
            index,
            blocks,
            decoding: Decoding::default(),
        }
    }

    /// 1-based position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        self.index.position(offset, &self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_error(bytes: &[u8]) -> SourceError {
        match load_bytes("x", bytes) {
            Err(e) => e,
            Ok(_) => panic!("{bytes:?} should not decode"),
        }
    }

    #[test]
    fn decode_strips_bom() {
        assert!(
            matches!(load_bytes("x", b"\xEF\xBB\xBFabc"), Ok(Loaded::Text(d)) if d.text == "abc" && d.decoding.bom)
        );
    }

    #[test]
    fn decode_invalid_utf8_names_offset_and_line() {
        let err = load_error(b"ok\nbad \xFF here");
        assert_eq!(err, SourceError::InvalidUtf8 { offset: 7, line: 2 });
        assert!(err.to_string().contains("byte offset 7"));
    }

    #[test]
    fn decode_invalid_utf8_after_bom_counts_bom_bytes() {
        let err = load_error(b"\xEF\xBB\xBFa\xC3");
        assert_eq!(
            err,
            SourceError::Undecodable {
                encoding: "UTF-8",
                offset: 4,
                line: 1
            }
        );
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(is_binary(b"PK\x03\x04\x00\x00"));
        assert!(!is_binary("正文".as_bytes()));
        assert!(matches!(load_bytes("x", b"\x00\x01"), Ok(Loaded::Binary)));
    }

    #[test]
    fn utf16_with_a_bom_is_text_not_binary() {
        assert!(!is_binary(b"\xFF\xFEa\x00"));
        assert!(matches!(load_bytes("x", b"\xFF\xFEa\x00"), Ok(Loaded::Text(d)) if d.text == "a"));
    }
}
