//! Documents: bytes → checked UTF-8 text, a line index and scope blocks.
//!
//! This module owns decoding and text geometry. It never imports `rules`, `engine` or `report`.

mod blocks;
mod decode;
mod docx;
mod docx_numbering;
#[cfg(test)]
mod docx_writer;
pub mod extract;
mod html;
mod line_index;
mod markdown;
mod pdf;
pub mod tables;
mod zip;
pub mod zones;

pub use blocks::{clauses, Blocks, Scope};
pub use decode::{decode_strict, Decoding};
pub use extract::{Cell, OffsetMap, Table};
pub use line_index::{LineIndex, Position};
pub use pdf::split_pages;
pub use zones::{Zone, ZoneKind};

use std::fmt;
use std::ops::Range;
use std::path::Path;

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
    /// What kind of file the text came from.
    pub format: Format,
    /// The file as written, when the checked text differs from it (HTML, Markdown).
    pub origin: Option<Box<Origin>>,
    /// Tables the format laid out (HTML, .docx); text tables are found by the `table` kind.
    pub tables: Vec<Table>,
    /// Offsets of the text where each page starts (PDF only).
    pub pages: Vec<usize>,
    /// Which part of the file each byte of the text comes from (.docx only; empty = all body).
    pub zones: Vec<Zone>,
    /// Tables found in plain text, on first use (most rules never ask).
    text_tables: std::sync::OnceLock<Vec<Table>>,
    /// The statements read into tokens, on first use (by `crate::statement::of_document`).
    pub(crate) statements: std::sync::OnceLock<Vec<crate::statement::Statement>>,
}

/// The kind of file a document was read from, judged by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    Docx,
    Pdf,
}

impl Format {
    /// The format of a path, by its extension (text when unknown).
    pub fn of_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "shtml" | "xhtml" => Format::Html,
            "docx" => Format::Docx,
            "pdf" => Format::Pdf,
            _ => Format::Text,
        }
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "Markdown",
            Format::Html => "HTML",
            Format::Docx => "Word .docx",
            Format::Pdf => "PDF",
        }
    }
}

/// Where an offset of a paged document (a PDF) is on its page: all 1-based; `line` 1 is the
/// page's first line, `column` counts Unicode scalar values from the line start (pages start at
/// line starts, so it is the column in the whole text too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagePosition {
    pub page: usize,
    pub line: usize,
    pub column: usize,
}

/// The source a document's text was extracted from, for positions and display.
#[derive(Debug)]
pub struct Origin {
    pub source: String,
    pub index: LineIndex,
    /// Text offset → source offset; `None` when they are the same (Markdown with code blanked).
    pub map: Option<OffsetMap>,
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
    /// The container or markup could not be read (a corrupt .docx, a PDF without `pdftotext`).
    Format(String),
    /// A PDF gave no text, or only white space: it has no text layer (a scanned PDF). `pages`
    /// is its number of pages, when `pdftotext` told.
    NoTextLayer { pages: Option<usize> },
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
            SourceError::Format(message) => f.write_str(message),
            SourceError::NoTextLayer { pages } => {
                let pages = match pages {
                    Some(1) => "its one page".to_owned(),
                    Some(n) => format!("any of its {n} pages"),
                    None => "any page".to_owned(),
                };
                write!(
                    f,
                    "PDF has no text layer: pdftotext found no text on {pages}, so nothing could be checked; it is probably scanned (its pages are images) and needs OCR first (for example `ocrmypdf in.pdf out.pdf`), then check the OCR'd file"
                )
            }
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

/// Like [`load_bytes`], with an encoding forced by `--encoding`. The format is judged by the
/// path's extension; a PDF needs the file on disk ([`load_file`]).
pub fn load_bytes_as(
    path: &str,
    bytes: &[u8],
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Loaded, SourceError> {
    let format = Format::of_path(path);
    match format {
        Format::Docx => {
            let extracted = docx::extract(bytes)
                .map_err(|e| SourceError::Format(format!("cannot read .docx: {e}")))?;
            let mut doc = Document::new(path, extracted.text);
            doc.format = format;
            doc.tables = extracted.tables;
            doc.zones = extracted.zones;
            return Ok(Loaded::Text(doc));
        }
        Format::Pdf => {
            return Err(SourceError::Format(
                "a PDF on standard input cannot be read; pass the file's path".to_owned(),
            ))
        }
        Format::Text | Format::Markdown | Format::Html => {}
    }
    // A page's `<meta charset>` is used only when nothing surer decides: a byte order mark or
    // valid UTF-8 win over a stale label (pages re-saved as UTF-8 often keep `gb2312`).
    let forced = match (forced, format) {
        (None, Format::Html)
            if encoding_rs::Encoding::for_bom(bytes).is_none()
                && std::str::from_utf8(bytes).is_err() =>
        {
            html_charset(bytes)
        }
        _ => forced,
    };
    let (text, decoding) = match decode::decode_bytes(bytes, forced)? {
        decode::Decoded::Binary if format == Format::Text => return Ok(Loaded::Binary),
        decode::Decoded::Binary => {
            return Err(SourceError::Format(format!(
                "not a {} file: the bytes look binary (NUL bytes)",
                format.name()
            )))
        }
        decode::Decoded::Text(text, decoding) => (text, decoding),
    };
    let mut doc = match format {
        Format::Html => {
            let extracted = html::extract(&text);
            let mut doc = Document::new(path, extracted.text);
            doc.tables = extracted.tables;
            doc.origin = Some(Box::new(Origin {
                index: LineIndex::new(&text),
                source: text,
                map: Some(extracted.map),
            }));
            doc
        }
        Format::Markdown => match markdown::mask_code(&text) {
            Some(masked) => {
                let mut doc = Document::new(path, masked);
                doc.origin = Some(Box::new(Origin {
                    index: LineIndex::new(&text),
                    source: text,
                    map: None,
                }));
                doc
            }
            None => Document::new(path, text),
        },
        _ => Document::new(path, text),
    };
    doc.format = format;
    doc.decoding = decoding;
    Ok(Loaded::Text(doc))
}

/// Loads a file from disk: PDFs through `pdftotext`, everything else from its bytes (returned
/// too, for writing fixes back).
pub fn load_file(
    path: &Path,
    shown: &str,
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<(Loaded, Vec<u8>), SourceError> {
    if Format::of_path(shown) == Format::Pdf {
        let (text, pages) = pdf::extract(path)?;
        let mut doc = Document::new(shown, text);
        doc.format = Format::Pdf;
        doc.pages = pages;
        return Ok((Loaded::Text(doc), Vec::new()));
    }
    let bytes = std::fs::read(path).map_err(|e| SourceError::Io(e.to_string()))?;
    let loaded = load_bytes_as(shown, &bytes, forced)?;
    Ok((loaded, bytes))
}

/// The encoding an HTML page declares in its first kilobytes (`<meta charset=gbk>`, or the
/// `http-equiv` form), when it is not UTF-8 (UTF-8 is found without being told).
fn html_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let at = memchr::memmem::find(&lower, b"charset=")? + b"charset=".len();
    let rest = &lower[at..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
        .unwrap_or(rest.len());
    let encoding = encoding_rs::Encoding::for_label(&rest[..end])?;
    // GB2312 and GBK pages are decoded as GB18030, their superset.
    let encoding = if encoding == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        encoding
    };
    // A page labelled UTF-16 is read as UTF-8, as browsers do (the label cannot be read in
    // UTF-16 bytes); UTF-16 pages are recognised by their byte order mark or NUL bytes.
    let unicode = [
        encoding_rs::UTF_8,
        encoding_rs::UTF_16LE,
        encoding_rs::UTF_16BE,
    ];
    (!unicode.contains(&encoding)).then_some(encoding)
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
            format: Format::Text,
            origin: None,
            tables: Vec::new(),
            pages: Vec::new(),
            zones: Vec::new(),
            text_tables: std::sync::OnceLock::new(),
            statements: std::sync::OnceLock::new(),
        }
    }

    /// Drops the statements read for the rules (the report needs only the text and positions),
    /// so that documents kept for in-order output hold no token data.
    pub fn release_statements(&mut self) {
        self.statements.take();
    }

    /// The document's tables: those its format laid out (HTML, .docx), else those found in the
    /// text (Markdown pipe tables, columns lined up with spaces), computed once.
    pub fn all_tables(&self) -> &[Table] {
        if !self.tables.is_empty() {
            return &self.tables;
        }
        self.text_tables
            .get_or_init(|| tables::text_tables(&self.text, &self.blocks.lines))
    }

    /// 1-based position of a byte offset of the text, in the file as written.
    pub fn position(&self, offset: usize) -> Position {
        let at = self.source_span(offset..offset).start;
        self.source_index().position(at, self.source_text())
    }

    /// Start and end positions of a span of the text, in the file as written.
    pub fn span_positions(&self, span: Range<usize>) -> (Position, Position) {
        let at = self.source_span(span);
        let (index, text) = (self.source_index(), self.source_text());
        (index.position(at.start, text), index.position(at.end, text))
    }

    /// The file as written (the text itself for plain text, .docx and PDF).
    pub fn source_text(&self) -> &str {
        self.origin.as_ref().map_or(&self.text, |o| &o.source)
    }

    /// The line index of [`Document::source_text`].
    pub fn source_index(&self) -> &LineIndex {
        self.origin.as_ref().map_or(&self.index, |o| &o.index)
    }

    /// A range of the text as a range of [`Document::source_text`].
    pub fn source_span(&self, span: Range<usize>) -> Range<usize> {
        match self.origin.as_ref().and_then(|o| o.map.as_ref()) {
            Some(map) => map.source_range(span),
            None => span,
        }
    }

    /// True when a fix of `span` can be written to the source as it is (the text there was copied
    /// verbatim). Never for .docx and PDF, whose source tally does not write: this is also what
    /// keeps fixes off text a .docx generates (automatic numbering labels), which has no source.
    pub fn fixable(&self, span: Range<usize>) -> bool {
        match self.format {
            Format::Docx | Format::Pdf => false,
            _ => match self.origin.as_ref().and_then(|o| o.map.as_ref()) {
                Some(map) => map.is_verbatim(span),
                None => true,
            },
        }
    }

    /// A document of pages from text whose pages end with form feeds (as `pdftotext` writes
    /// them, and rule examples that stand for a PDF's text): the form feeds are removed and the
    /// page starts kept ([`split_pages`]).
    pub fn paged(path: impl Into<String>, raw: &str) -> Self {
        let (text, pages) = split_pages(raw);
        let mut doc = Document::new(path, text);
        doc.pages = pages;
        doc
    }

    /// 1-based page of a text offset (PDF only). An offset where a blank page and the next one
    /// both start is on the next one: a blank page holds no text.
    pub fn page(&self, offset: usize) -> Option<usize> {
        if self.pages.is_empty() {
            return None;
        }
        Some(self.pages.partition_point(|&start| start <= offset).max(1))
    }

    /// The page of a text offset and the line and column on that page (PDF only).
    pub fn page_position(&self, offset: usize) -> Option<PagePosition> {
        let page = self.page(offset)?;
        let offset = offset.min(self.text.len());
        let start = self.pages[page - 1].min(offset);
        let at = self.index.position(offset, &self.text);
        let first = self.index.line_of(start);
        let column = if self.index.line_of(offset) == first {
            // On the page's first line, which starts there unless the text was built otherwise.
            self.text[start..offset].chars().count() + 1
        } else {
            at.column
        };
        Some(PagePosition {
            page,
            line: at.line - first,
            column,
        })
    }

    /// The zone holding a text offset (`None` when the document has no zones: all body).
    pub fn zone_at(&self, offset: usize) -> Option<&Zone> {
        zones::zone_at(&self.zones, offset)
    }

    /// The zone of a text offset when it is not the body (a header, a footnote …): the zone a
    /// finding there names.
    pub fn zone_outside_body(&self, offset: usize) -> Option<&Zone> {
        zones::outside_body(&self.zones, offset)
    }

    /// The range of the text that is the body (all of it when the document has no zones).
    pub fn body(&self) -> Range<usize> {
        zones::body(&self.zones, self.text.len())
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

    fn at(doc: &Document, offset: usize) -> (usize, usize, usize) {
        let p = doc.page_position(offset).expect("a paged document");
        (p.page, p.line, p.column)
    }

    #[test]
    fn page_lines_count_from_the_first_line_of_the_page() {
        let doc = Document::paged("x.pdf", "甲一\n甲二\n\u{c}乙一\n乙二对对\n乙三\n\u{c}");
        // The first character of the document and of page 2.
        assert_eq!(at(&doc, 0), (1, 1, 1));
        let page2 = doc.text.find("乙一").expect("page 2");
        assert_eq!(at(&doc, page2), (2, 1, 1));
        // The whole text's line 4 is page 2's line 2; the column is the same in both.
        let found = doc.text.find("对对").expect("finding");
        assert_eq!(doc.position(found).line, 4);
        assert_eq!(at(&doc, found), (2, 2, 3));
        // The last line break of the previous page is still that page.
        assert_eq!(at(&doc, page2 - 1), (1, 2, 3));
    }

    #[test]
    fn page_position_at_the_end_of_the_last_page() {
        let doc = Document::paged("x.pdf", "a\n\u{c}b\nlast\u{c}");
        let end = doc.text.len();
        assert_eq!(doc.text, "a\nb\nlast");
        assert_eq!(at(&doc, end), (2, 2, 5));
        // Past the end is the end.
        assert_eq!(at(&doc, end + 10), (2, 2, 5));
    }

    #[test]
    fn blank_pages_hold_no_text_and_keep_later_page_numbers() {
        let doc = Document::paged("x.pdf", "\u{c}a\n\u{c}\u{c}b\nc\n\u{c}\u{c}");
        assert_eq!(doc.pages, vec![0, 0, 2, 2, 6]);
        assert_eq!(at(&doc, 0), (2, 1, 1));
        assert_eq!(at(&doc, doc.text.find('b').expect("b")), (4, 1, 1));
        assert_eq!(at(&doc, doc.text.find('c').expect("c")), (4, 2, 1));
        // The end of the text is where the blank last page starts.
        assert_eq!(at(&doc, doc.text.len()), (5, 1, 1));
    }

    #[test]
    fn page_position_of_a_page_that_starts_inside_a_line() {
        // Not what `paged` builds, but the arithmetic counts from the page start.
        let mut doc = Document::new("x.pdf", "ab\ncd".to_owned());
        doc.pages = vec![0, 4];
        assert_eq!(at(&doc, 5), (2, 1, 2));
        assert_eq!(at(&doc, 3), (1, 2, 1));
    }

    #[test]
    fn unpaged_documents_have_no_page_position() {
        assert_eq!(
            Document::new("x.txt", "a".to_owned()).page_position(0),
            None
        );
    }

    #[test]
    fn no_text_layer_says_scanned_ocr_and_the_page_count() {
        let message = SourceError::NoTextLayer { pages: Some(3) }.to_string();
        for part in ["no text layer", "any of its 3 pages", "scanned", "OCR"] {
            assert!(message.contains(part), "{part}: {message}");
        }
        let one = SourceError::NoTextLayer { pages: Some(1) }.to_string();
        assert!(one.contains("its one page"), "{one}");
        let unknown = SourceError::NoTextLayer { pages: None }.to_string();
        assert!(unknown.contains("on any page"), "{unknown}");
    }

    #[test]
    fn utf16_with_a_bom_is_text_not_binary() {
        assert!(!is_binary(b"\xFF\xFEa\x00"));
        assert!(matches!(load_bytes("x", b"\xFF\xFEa\x00"), Ok(Loaded::Text(d)) if d.text == "a"));
    }
}
