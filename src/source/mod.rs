//! Documents: bytes → checked UTF-8 text, a line index and scope blocks.
//!
//! This module owns decoding and text geometry. It never imports `rules`, `engine` or `report`.

mod blocks;
mod line_index;

pub use blocks::{clauses, Blocks, Scope};
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
}

/// Why a document could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The bytes are not valid UTF-8.
    InvalidUtf8 { offset: usize, line: usize },
    /// The bytes start with a UTF-16 byte order mark, which is not decoded yet.
    Utf16,
    /// The file could not be read.
    Io(String),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::InvalidUtf8 { offset, line } => write!(
                f,
                "invalid UTF-8 at byte offset {offset} (line {line}); convert the file to UTF-8"
            ),
            SourceError::Utf16 => write!(
                f,
                "UTF-16 text is not supported yet; convert the file to UTF-8"
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

/// Decodes bytes into text: strips a UTF-8 BOM, rejects invalid UTF-8 with its byte offset.
pub fn decode(bytes: &[u8]) -> Result<&str, SourceError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(SourceError::Utf16);
    }
    let (body, shift) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, 3),
        None => (bytes, 0),
    };
    std::str::from_utf8(body).map_err(|err| {
        let good = err.valid_up_to();
        let line = body[..good].iter().filter(|&&b| b == b'\n').count() + 1;
        SourceError::InvalidUtf8 {
            offset: good + shift,
            line,
        }
    })
}

/// Builds a document from bytes; binary content is reported as [`Loaded::Binary`].
pub fn load_bytes(path: &str, bytes: &[u8]) -> Result<Loaded, SourceError> {
    if is_binary(bytes) {
        return Ok(Loaded::Binary);
    }
    let text = decode(bytes)?;
    Ok(Loaded::Text(Document::new(path, text.to_owned())))
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

    #[test]
    fn decode_strips_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc").unwrap(), "abc");
    }

    #[test]
    fn decode_invalid_utf8_names_offset_and_line() {
        let err = decode(b"ok\nbad \xFF here").unwrap_err();
        assert_eq!(err, SourceError::InvalidUtf8 { offset: 7, line: 2 });
        assert!(err.to_string().contains("byte offset 7"));
    }

    #[test]
    fn decode_invalid_utf8_after_bom_counts_bom_bytes() {
        let err = decode(b"\xEF\xBB\xBFa\xC3").unwrap_err();
        assert_eq!(err, SourceError::InvalidUtf8 { offset: 4, line: 1 });
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(is_binary(b"PK\x03\x04\x00\x00"));
        assert!(!is_binary("正文".as_bytes()));
        assert!(matches!(load_bytes("x", b"\x00\x01"), Ok(Loaded::Binary)));
    }

    #[test]
    fn utf16_is_a_clear_error_not_binary() {
        assert_eq!(decode(b"\xFF\xFEa\x00").unwrap_err(), SourceError::Utf16);
        assert!(!is_binary(b"\xFF\xFEa\x00"));
    }
}
