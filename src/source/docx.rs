//! Text and tables of a Word .docx file: the body (`word/document.xml`), then its text boxes,
//! headers, footers, footnotes, endnotes and comments, each a [`Zone`] of the text.
//!
//! The body comes first, one line per paragraph and one line per table row, so the 1-based line
//! number of a finding in the body is the paragraph (or row) number in document order:
//!
//! - a paragraph (`w:p`) is one line, ended by `"\n"` even when empty; inside it, `w:t` text
//!   (entities decoded, line breaks in the XML made spaces), `w:tab`/`w:ptab` → `"\t"`,
//!   text-wrapping `w:br` and `w:cr` → `" "`, page and column breaks → nothing,
//!   `w:noBreakHyphen` → `"-"`, `w:softHyphen` and `w:sym` → nothing;
//! - a numbered paragraph (`w:numPr`, its own or its style's) starts with the label Word shows
//!   for it (`一、`, `（二）`, `1.2`) and a space (see [`super::docx_numbering`]); the label is
//!   generated text, not in the file; bullets add nothing;
//! - deleted and moved-away text (`w:del`, `w:moveFrom`, `w:delText`), field codes
//!   (`w:instrText`, `w:fldData`) and ruby guide text (`w:rt`) are skipped; inserted text
//!   (`w:ins`) and field results are kept;
//! - of an `mc:AlternateContent` only the first `mc:Choice` is read, or the `mc:Fallback` when
//!   there is no choice, never both (text boxes are written twice there);
//! - a table row (`w:tr`) is one line of its cells (`w:tc`) separated by `"\t"`; a cell's
//!   paragraphs are joined with `" "`; a table nested in a cell is flattened into the cell text.
//!   Top-level tables are recorded in [`Extracted::tables`]; a vertically merged continuation
//!   cell leaves an empty field in the line and no [`Cell`].
//!
//! After the body, each of the following is appended after a blank line, so that no line,
//! sentence or paragraph runs from one into the next, and is a zone of its own:
//!
//! - the text boxes of the body (`w:txbxContent`), in document order, one line per paragraph
//!   (`text box 1` …); a text box inside a text box is joined into its line;
//! - the headers and footers (`header 1`, `footer 1` …): the parts the sections reference
//!   (`w:headerReference`, through `word/_rels/document.xml.rels`), in the order the body
//!   references them, then the other header and footer parts the relationships list; without a
//!   relationships part, `word/header*.xml` and `word/footer*.xml` by name. A part whose text is
//!   blank, or the same as a header (footer) already read, is left out: sections repeat them;
//! - footnotes and endnotes (`footnote 1` …, numbered in the order the body references them,
//!   then any others in file order), without Word's separator notes; text boxes in these parts
//!   stay in their paragraph's line, after a space;
//! - comments (`comment 1 by 作者` …), in the order the body anchors them.
//!
//! Elements are matched by local name within the WordprocessingML namespace (transitional or
//! strict, any prefix); elements whose prefix is not declared are matched by local name alone.
//! There is no source text to map back to, so the offset map is the identity: the extracted
//! text itself is what users are shown.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::docx_numbering::{Counters, Numbering, ParagraphNumbering};
use super::extract::{Cell, Extracted, Table, TextBuilder};
use super::zip::{self, Limits, ZipError};
use super::{Zone, ZoneKind};

/// Deepest element nesting accepted in a part.
pub const MAX_DEPTH: usize = 10_000;

/// Deepest nesting accepted of paragraphs, tables, rows, cells and text boxes inside one
/// another (each level of tables nested in table cells counts 3: table, row, cell). Nested content is copied once per level
/// on its way out, so this bounds the work to a small multiple of the text size; real
/// documents stay far below it.
pub const MAX_NESTING: usize = 64;

/// The conventional name of the main document part.
pub const DOCUMENT_PART: &str = "word/document.xml";

/// Why a .docx could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocxError {
    /// The ZIP container could not be read.
    Zip(ZipError),
    /// A part is not well-formed XML (or nests too deeply, or is not the part it should be);
    /// `offset` is a byte offset in that part.
    Xml {
        part: String,
        offset: u64,
        message: String,
    },
    /// The file is not a Word document; the reason says what was found instead.
    NotDocx(String),
}

impl fmt::Display for DocxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocxError::Zip(e) => e.fmt(f),
            DocxError::Xml {
                part,
                offset,
                message,
            } => {
                write!(f, "malformed {part} at byte {offset}: {message}")
            }
            DocxError::NotDocx(reason) => write!(f, "not a Word .docx: {reason}"),
        }
    }
}

impl std::error::Error for DocxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DocxError::Zip(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ZipError> for DocxError {
    fn from(e: ZipError) -> Self {
        DocxError::Zip(e)
    }
}

/// Extracts the text, tables and zones of the .docx file `bytes`, following the rules in the
/// module documentation.
pub fn extract(bytes: &[u8]) -> Result<Extracted, DocxError> {
    const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(&OLE2_MAGIC) {
        return Err(DocxError::NotDocx(
            "this is an OLE2 compound file (a legacy .doc, or a password-protected .docx); \
             save it as an unprotected .docx"
                .into(),
        ));
    }
    let limits = Limits::default();
    let (main, xml) = match zip::read_entry(bytes, DOCUMENT_PART, &limits) {
        Ok(xml) => (DOCUMENT_PART.to_owned(), xml),
        Err(ZipError::MissingEntry { .. }) => {
            // Some generators name the main part differently; the package relationships say.
            match main_part_from_rels(bytes, &limits) {
                Some(part) => {
                    let xml = zip::read_entry(bytes, &part, &limits)?;
                    (part, xml)
                }
                None => {
                    return Err(DocxError::NotDocx(format!(
                        "the archive has no {DOCUMENT_PART}"
                    )))
                }
            }
        }
        Err(e) => return Err(e.into()),
    };
    let package = Package::open(bytes, &main, &limits)?;
    let numbering = package.numbering()?;
    let mut body = parse_part(&xml, &main, Part::Document, &numbering)?;
    let mut out = Assembler::default();
    out.push_body(&mut body);

    for (part, kind, references) in [
        (Part::Header, ZoneKind::Header, &body.references.headers),
        (Part::Footer, ZoneKind::Footer, &body.references.footers),
    ] {
        let mut seen = HashSet::new();
        for name in package.parts(part, references)? {
            let Some(xml) = package.read(&name)? else {
                continue;
            };
            let read = parse_part(&xml, &name, part, &numbering)?;
            if read.text.trim().is_empty() || !seen.insert(read.text.clone()) {
                continue;
            }
            let name = format!("{} {}", kind.as_str(), seen.len());
            let tables = tables_in(&read.tables, 0..read.text.len(), out.next_start());
            out.push(kind, name, &read.text, tables);
        }
    }
    for (part, kind, references) in [
        (
            Part::Footnotes,
            ZoneKind::Footnote,
            &body.references.footnotes,
        ),
        (Part::Endnotes, ZoneKind::Endnote, &body.references.endnotes),
        (Part::Comments, ZoneKind::Comment, &body.references.comments),
    ] {
        for name in package.parts(part, &[])? {
            let Some(xml) = package.read(&name)? else {
                continue;
            };
            let read = parse_part(&xml, &name, part, &numbering)?;
            for (i, note) in in_reference_order(&read.notes, references)
                .iter()
                .enumerate()
            {
                let mut name = format!("{} {}", kind.as_str(), i + 1);
                if let Some(author) = note.author.as_deref().map(str::trim) {
                    if !author.is_empty() {
                        name.push_str(&format!(" by {}", shortened(author)));
                    }
                }
                let base = out.next_start();
                let tables = tables_in(&read.tables, note.range.clone(), base);
                out.push(kind, name, &read.text[note.range.clone()], tables);
            }
        }
    }
    Ok(out.finish())
}

/// Extracts the text and tables of a WordprocessingML main document part (the content of
/// `word/document.xml`) and of its text boxes, following the rules in the module documentation
/// (without numbering definitions, numbered paragraphs have no label).
#[cfg(test)]
pub fn extract_document_xml(xml: &[u8]) -> Result<Extracted, DocxError> {
    let mut body = parse_part(xml, DOCUMENT_PART, Part::Document, &Numbering::default())?;
    let mut out = Assembler::default();
    out.push_body(&mut body);
    Ok(out.finish())
}

/// The text of a part's bytes: UTF-8, without a byte-order mark (whose length is returned).
fn part_text<'x>(xml: &'x [u8], part: &str) -> Result<(&'x str, u64), DocxError> {
    if xml.starts_with(&[0xFF, 0xFE]) || xml.starts_with(&[0xFE, 0xFF]) {
        return Err(DocxError::Xml {
            part: part.to_owned(),
            offset: 0,
            message: "the part is UTF-16; only UTF-8 is supported".into(),
        });
    }
    let text = std::str::from_utf8(xml).map_err(|e| DocxError::Xml {
        part: part.to_owned(),
        offset: e.valid_up_to() as u64,
        message: "invalid UTF-8".into(),
    })?;
    // quick-xml does not skip a byte-order mark in a &str; offsets stay those of the part.
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    })
}

/// Reads one part of kind `part` named `name`.
fn parse_part(
    xml: &[u8],
    name: &str,
    part: Part,
    numbering: &Numbering,
) -> Result<PartText, DocxError> {
    let (text, bom) = part_text(xml, name)?;
    Parser::new(part, name, numbering)
        .run(text)
        .map_err(|e| match e {
            DocxError::Xml {
                part,
                offset,
                message,
            } => DocxError::Xml {
                part,
                offset: offset + bom,
                message,
            },
            e => e,
        })
}

/// The kinds of part read, by their root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Document,
    Header,
    Footer,
    Footnotes,
    Endnotes,
    Comments,
}

impl Part {
    /// The local name of the root element.
    fn root(self) -> &'static str {
        match self {
            Part::Document => "document",
            Part::Header => "hdr",
            Part::Footer => "ftr",
            Part::Footnotes => "footnotes",
            Part::Endnotes => "endnotes",
            Part::Comments => "comments",
        }
    }

    /// The last segment of the relationship type that names such a part (and of its
    /// conventional file name).
    fn relationship(self) -> &'static str {
        match self {
            Part::Document => "officeDocument",
            Part::Header => "header",
            Part::Footer => "footer",
            Part::Footnotes => "footnotes",
            Part::Endnotes => "endnotes",
            Part::Comments => "comments",
        }
    }
}

/// One relationship of a relationships part.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Relationship {
    id: String,
    /// The last segment of its type (`header`, `footnotes`, `numbering` …).
    kind: String,
    target: String,
    external: bool,
}

/// The relationships of a relationships part, in file order (an unreadable one gives none).
fn parse_relationships(xml: &[u8]) -> Vec<Relationship> {
    let Ok(text) = std::str::from_utf8(xml) else {
        return Vec::new();
    };
    let mut reader = NsReader::from_str(text.trim_start_matches('\u{feff}'));
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let value = |name: &str| attr(&e, name).unwrap_or_default();
                let kind = value("Type");
                out.push(Relationship {
                    id: value("Id"),
                    kind: kind.rsplit('/').next().unwrap_or_default().to_owned(),
                    target: value("Target"),
                    external: value("TargetMode").eq_ignore_ascii_case("external"),
                });
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

/// The main document part named by `_rels/.rels`, when it is not the conventional one.
fn main_part_from_rels(bytes: &[u8], limits: &Limits) -> Option<String> {
    let rels = zip::read_entry(bytes, "_rels/.rels", limits).ok()?;
    let main = parse_relationships(&rels)
        .into_iter()
        .find(|r| r.kind == "officeDocument" && !r.external)?;
    let part = resolve_target("", &main.target);
    (part != DOCUMENT_PART).then_some(part)
}

/// The part name a relationship target stands for, from the folder of the part that holds the
/// relationship (`word/`): `header1.xml` → `word/header1.xml`, `/word/x.xml` → `word/x.xml`,
/// `../customXml/item1.xml` → `customXml/item1.xml`.
fn resolve_target(folder: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{folder}{target}"),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    segments.join("/")
}

/// The archive and what its main part's relationships say.
struct Package<'a> {
    bytes: &'a [u8],
    limits: &'a Limits,
    /// The folder of the main part, with its slash (`word/`).
    folder: String,
    /// The main part's relationships; `None` when it has no relationships part.
    relationships: Option<Vec<Relationship>>,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], main: &str, limits: &'a Limits) -> Result<Self, DocxError> {
        let (folder, file) = match main.rfind('/') {
            Some(i) => (&main[..=i], &main[i + 1..]),
            None => ("", main),
        };
        let relationships =
            match zip::read_entry(bytes, &format!("{folder}_rels/{file}.rels"), limits) {
                Ok(xml) => Some(parse_relationships(&xml)),
                Err(ZipError::MissingEntry { .. }) => None,
                Err(e) => return Err(e.into()),
            };
        Ok(Package {
            bytes,
            limits,
            folder: folder.to_owned(),
            relationships,
        })
    }

    /// The names of the parts of kind `part`: those the body references by relationship id
    /// (`referenced`, in order), then the others the relationships list; without relationships,
    /// the conventionally named ones in name order (`header2.xml` before `header10.xml`).
    fn parts(&self, part: Part, referenced: &[String]) -> Result<Vec<String>, DocxError> {
        let kind = part.relationship();
        let mut out: Vec<String> = Vec::new();
        let mut add = |name: String| {
            if !out.contains(&name) {
                out.push(name);
            }
        };
        match &self.relationships {
            Some(relationships) => {
                let internal = |r: &&Relationship| r.kind == kind && !r.external;
                for id in referenced {
                    if let Some(r) = relationships.iter().filter(internal).find(|r| &r.id == id) {
                        add(resolve_target(&self.folder, &r.target));
                    }
                }
                for r in relationships.iter().filter(internal) {
                    add(resolve_target(&self.folder, &r.target));
                }
            }
            None => {
                let prefix = format!("{}{kind}", self.folder);
                let mut names: Vec<String> = zip::entry_names(self.bytes, self.limits)?
                    .into_iter()
                    .filter(|n| {
                        n.strip_prefix(&prefix)
                            .and_then(|rest| rest.strip_suffix(".xml"))
                            .is_some_and(|middle| middle.bytes().all(|b| b.is_ascii_digit()))
                    })
                    .collect();
                names.sort_by_key(|n| {
                    let digits = &n[prefix.len()..n.len() - 4];
                    (digits.len(), digits.to_owned())
                });
                names.into_iter().for_each(&mut add);
            }
        }
        Ok(out)
    }

    /// The content of a part, or `None` when the archive does not have it.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, DocxError> {
        match zip::read_entry(self.bytes, name, self.limits) {
            Ok(xml) => Ok(Some(xml)),
            Err(ZipError::MissingEntry { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The numbering definitions (`word/numbering.xml`), with the numbering of the paragraph
    /// styles (`word/styles.xml`) when there are any.
    fn numbering(&self) -> Result<Numbering, DocxError> {
        let mut numbering = Numbering::default();
        let named = |kind: &str| -> Option<String> {
            match &self.relationships {
                Some(relationships) => relationships
                    .iter()
                    .find(|r| r.kind == kind && !r.external)
                    .map(|r| resolve_target(&self.folder, &r.target)),
                None => Some(format!("{}{kind}.xml", self.folder)),
            }
        };
        let error = |part: &str, (offset, message): (u64, String), bom: u64| DocxError::Xml {
            part: part.to_owned(),
            offset: offset + bom,
            message,
        };
        let Some(part) = named("numbering") else {
            return Ok(numbering);
        };
        let Some(xml) = self.read(&part)? else {
            return Ok(numbering);
        };
        let (text, bom) = part_text(&xml, &part)?;
        numbering
            .parse_numbering(text)
            .map_err(|e| error(&part, e, bom))?;
        if numbering.is_empty() {
            return Ok(numbering);
        }
        if let Some(part) = named("styles") {
            if let Some(xml) = self.read(&part)? {
                let (text, bom) = part_text(&xml, &part)?;
                numbering
                    .parse_styles(text)
                    .map_err(|e| error(&part, e, bom))?;
            }
        }
        Ok(numbering)
    }
}

/// The notes of a part in the order the body references them, then the others in file order.
fn in_reference_order<'n>(notes: &'n [Note], references: &[String]) -> Vec<&'n Note> {
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, note) in notes.iter().enumerate() {
        by_id.entry(note.id.as_str()).or_insert(i);
    }
    let mut taken = vec![false; notes.len()];
    let mut out = Vec::with_capacity(notes.len());
    for id in references {
        if let Some(&i) = by_id.get(id.as_str()) {
            if !std::mem::replace(&mut taken[i], true) {
                out.push(&notes[i]);
            }
        }
    }
    out.extend(
        notes
            .iter()
            .zip(&taken)
            .filter(|(_, t)| !**t)
            .map(|(n, _)| n),
    );
    out
}

/// At most 20 characters of a name, with an ellipsis when cut.
fn shortened(name: &str) -> String {
    match name.char_indices().nth(20) {
        Some((at, _)) => format!("{}…", &name[..at]),
        None => name.to_owned(),
    }
}

/// The tables of a part that lie in `range` of its text, moved to start at `base` instead.
fn tables_in(tables: &[Table], range: Range<usize>, base: usize) -> Vec<Table> {
    tables
        .iter()
        .filter(|t| {
            let mut cells = t.rows.iter().flatten().peekable();
            cells.peek().is_some()
                && cells.all(|c| range.start <= c.span.start && c.span.end <= range.end)
        })
        .map(|t| {
            let mut t = t.clone();
            for cell in t.rows.iter_mut().flatten() {
                cell.span =
                    cell.span.start - range.start + base..cell.span.end - range.start + base;
            }
            t
        })
        .collect()
}

/// Joins the parts of the document into one text, each a zone after a blank line.
#[derive(Debug, Default)]
struct Assembler {
    text: String,
    tables: Vec<Table>,
    zones: Vec<Zone>,
}

impl Assembler {
    /// The body as it is, even when blank, and then its text boxes.
    fn push_body(&mut self, body: &mut PartText) {
        self.text.push_str(&body.text);
        self.tables.append(&mut body.tables);
        self.zones.push(Zone {
            kind: ZoneKind::Body,
            range: 0..self.text.len(),
            name: "body".to_owned(),
        });
        for (i, text) in body.boxes.iter().enumerate() {
            self.push(
                ZoneKind::TextBox,
                format!("text box {}", i + 1),
                text,
                Vec::new(),
            );
        }
    }

    /// Where the next zone's text will start.
    fn next_start(&self) -> usize {
        match self.text.len() {
            0 => 0,
            n if self.text.ends_with("\n\n") => n,
            n if self.text.ends_with('\n') => n + 1,
            n => n + 2,
        }
    }

    /// Appends one zone's text (left out when blank) and its tables (spans already moved to
    /// [`Assembler::next_start`]). The blank line before it ends the previous zone.
    fn push(&mut self, kind: ZoneKind, name: String, text: &str, tables: Vec<Table>) {
        if text.trim().is_empty() {
            return;
        }
        let start = self.next_start();
        while self.text.len() < start {
            self.text.push('\n');
        }
        if let Some(last) = self.zones.last_mut() {
            last.range.end = start;
        }
        self.text.push_str(text);
        if !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        self.tables.extend(tables);
        self.zones.push(Zone {
            kind,
            range: start..self.text.len(),
            name,
        });
    }

    fn finish(self) -> Extracted {
        let mut out = TextBuilder::new();
        out.push_verbatim(&self.text, 0);
        let (text, map) = out.finish();
        Extracted {
            text,
            map,
            tables: self.tables,
            zones: self.zones,
        }
    }
}

/// What the body references in other parts, in document order, each once.
#[derive(Debug, Default)]
struct References {
    /// Relationship ids of the sections' headers and footers.
    headers: Vec<String>,
    footers: Vec<String>,
    /// Note and comment ids.
    footnotes: Vec<String>,
    endnotes: Vec<String>,
    comments: Vec<String>,
    /// Every (list, id) above, to keep each once.
    seen: HashSet<(Part, String)>,
}

impl References {
    fn add(&mut self, part: Part, id: String) {
        if !self.seen.insert((part, id.clone())) {
            return;
        }
        match part {
            Part::Header => self.headers.push(id),
            Part::Footer => self.footers.push(id),
            Part::Footnotes => self.footnotes.push(id),
            Part::Endnotes => self.endnotes.push(id),
            Part::Comments | Part::Document => self.comments.push(id),
        }
    }
}

/// One footnote, endnote or comment of a notes part.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Note {
    id: String,
    author: Option<String>,
    /// Its text in the part's text.
    range: Range<usize>,
}

/// What one part gives.
#[derive(Debug, Default)]
struct PartText {
    text: String,
    tables: Vec<Table>,
    /// The body's text boxes, one line per paragraph each.
    boxes: Vec<String>,
    /// The notes of a notes part.
    notes: Vec<Note>,
    references: References,
}

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT_NS: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
const M_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/math";
const M_STRICT_NS: &str = "http://purl.oclc.org/ooxml/officeDocument/math";

/// The elements the extractor acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// The root element of a part.
    Root(Part),
    Body,
    /// A footnote, endnote or comment of a notes part.
    Note,
    /// Paragraph properties, and the numbering in them.
    PPr,
    PStyle,
    Ilvl,
    NumId,
    /// A reference to a footnote, endnote or comment (`w:footnoteReference`,
    /// `w:commentRangeStart` …).
    NoteRef(Part),
    /// A section's header or footer (`w:headerReference`, `w:footerReference`).
    SectionRef(Part),
    P,
    /// A run (`w:r`, or `m:r` of an equation).
    R,
    /// Run text (`w:t`, or `m:t` of an equation).
    T,
    Tab,
    Br,
    Cr,
    NoBreakHyphen,
    /// An element whose whole content is left out.
    Skip,
    Tbl,
    Tr,
    Tc,
    TxbxContent,
    GridSpan,
    GridBefore,
    VMerge,
    TblHeader,
    AlternateContent,
    Choice,
    Fallback,
    Other,
}

fn word_tag(local: &str) -> Tag {
    match local {
        "document" => Tag::Root(Part::Document),
        "hdr" => Tag::Root(Part::Header),
        "ftr" => Tag::Root(Part::Footer),
        "footnotes" => Tag::Root(Part::Footnotes),
        "endnotes" => Tag::Root(Part::Endnotes),
        "comments" => Tag::Root(Part::Comments),
        "footnote" | "endnote" | "comment" => Tag::Note,
        "pPr" => Tag::PPr,
        "pStyle" => Tag::PStyle,
        "ilvl" => Tag::Ilvl,
        "numId" => Tag::NumId,
        "footnoteReference" => Tag::NoteRef(Part::Footnotes),
        "endnoteReference" => Tag::NoteRef(Part::Endnotes),
        "commentRangeStart" | "commentReference" => Tag::NoteRef(Part::Comments),
        "headerReference" => Tag::SectionRef(Part::Header),
        "footerReference" => Tag::SectionRef(Part::Footer),
        "body" => Tag::Body,
        "p" => Tag::P,
        "r" => Tag::R,
        "t" => Tag::T,
        "tab" | "ptab" => Tag::Tab,
        "br" => Tag::Br,
        "cr" => Tag::Cr,
        "noBreakHyphen" => Tag::NoBreakHyphen,
        "del" | "moveFrom" | "delText" | "delInstrText" | "instrText" | "fldData" | "rt" => {
            Tag::Skip
        }
        // Tracked property changes hold the *old* properties (old spans, old merges).
        "tcPrChange" | "trPrChange" | "tblPrChange" | "tblPrExChange" | "tblGridChange"
        | "pPrChange" | "rPrChange" | "sectPrChange" => Tag::Skip,
        "tbl" => Tag::Tbl,
        "tr" => Tag::Tr,
        "tc" => Tag::Tc,
        "txbxContent" => Tag::TxbxContent,
        "gridSpan" => Tag::GridSpan,
        "gridBefore" => Tag::GridBefore,
        "vMerge" => Tag::VMerge,
        "tblHeader" => Tag::TblHeader,
        _ => Tag::Other,
    }
}

fn mc_tag(local: &str) -> Tag {
    match local {
        "AlternateContent" => Tag::AlternateContent,
        "Choice" => Tag::Choice,
        "Fallback" => Tag::Fallback,
        _ => Tag::Other,
    }
}

fn math_tag(local: &str) -> Tag {
    match local {
        "r" => Tag::R,
        "t" => Tag::T,
        _ => Tag::Other,
    }
}

fn classify(ns: &ResolveResult<'_>, local: &str) -> Tag {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => match *uri {
            W_NS | W_STRICT_NS => word_tag(local),
            MC_NS => mc_tag(local),
            M_NS | M_STRICT_NS => math_tag(local),
            _ => Tag::Other,
        },
        // An undeclared prefix (or none): go by the local name.
        ResolveResult::Unbound | ResolveResult::Unknown(_) => match word_tag(local) {
            Tag::Other => mc_tag(local),
            tag => tag,
        },
    }
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct Para {
    /// Depth of its `w:p` element.
    depth: usize,
    /// Inside its `w:pPr`.
    in_properties: bool,
    /// Its numbering, and the label that gives (computed once, when its properties end).
    numbering: ParagraphNumbering,
    numbered: bool,
    label: Option<String>,
    text: String,
    /// Text of the text boxes anchored in it, appended when it ends.
    boxes: Vec<String>,
    /// Open runs (text elements outside a run, e.g. tab stops in `w:pPr`, are not content).
    runs: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VMerge {
    None,
    Restart,
    Continue,
}

/// A table cell being read, or read.
#[derive(Debug)]
struct CellFrame {
    /// Its paragraphs (and flattened nested tables, text boxes).
    parts: Vec<String>,
    colspan: usize,
    vmerge: VMerge,
}

#[derive(Debug)]
struct CellOut {
    text: String,
    colspan: usize,
    vmerge: VMerge,
}

#[derive(Debug, Default)]
struct Row {
    cells: Vec<CellOut>,
    header: bool,
    grid_before: usize,
}

/// What is open, innermost last. Only these elements make frames; everything else is
/// transparent.
#[derive(Debug)]
enum Frame {
    Para(Para),
    Cell(CellFrame),
    Row(Row),
    Table(Vec<Row>),
    TextBox(Vec<String>),
}

/// Largest `w:gridSpan`/`w:gridBefore` believed (Word allows 63 columns).
const MAX_SPAN: usize = 1000;

struct Parser<'a> {
    part: Part,
    /// The part's name, for errors.
    name: &'a str,
    numbering: &'a Numbering,
    counters: Counters,
    out: TextBuilder,
    tables: Vec<Table>,
    frames: Vec<Frame>,
    /// Depth of an `mc:AlternateContent`, and whether one of its branches was taken.
    alternates: Vec<(usize, bool)>,
    /// Depth of the element whose content is read: the body, a header's root, one note.
    content: Option<usize>,
    /// Inside run text whose content is kept.
    in_text: bool,
    /// The note being read: its id, author and where its text starts.
    note: Option<(String, Option<String>, usize)>,
    boxes: Vec<String>,
    notes: Vec<Note>,
    references: References,
}

/// Appends run text, making line breaks spaces so a paragraph stays one line.
fn push_run_text(dst: &mut String, s: &str) {
    if s.contains(['\n', '\r']) {
        dst.extend(
            s.chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
        );
    } else {
        dst.push_str(s);
    }
}

/// The `parts` of a text box as lines, without blank lines at either end.
fn lines(parts: &[String]) -> String {
    let first = parts.iter().position(|p| !p.trim().is_empty());
    let last = parts.iter().rposition(|p| !p.trim().is_empty());
    match (first, last) {
        (Some(first), Some(last)) => parts[first..=last].join("\n"),
        _ => String::new(),
    }
}

/// Joins the non-blank `parts`, trimmed, with single spaces.
fn join_parts(parts: &[String]) -> String {
    let mut s = String::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(part);
    }
    s
}

/// The value of the attribute with local name `name`, entities decoded.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let a = e
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)?;
    Some(
        match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(_) => a.value.into_owned(),
        },
    )
}

/// An on/off property: present without a value, or with a true value.
fn on_off(e: &BytesStart<'_>) -> bool {
    !matches!(attr(e, "val").as_deref(), Some("false" | "0" | "off"))
}

fn number(e: &BytesStart<'_>) -> Option<usize> {
    attr(e, "val")?.trim().parse::<usize>().ok()
}

impl<'a> Parser<'a> {
    fn new(part: Part, name: &'a str, numbering: &'a Numbering) -> Self {
        Parser {
            part,
            name,
            numbering,
            counters: Counters::default(),
            out: TextBuilder::default(),
            tables: Vec::new(),
            frames: Vec::new(),
            alternates: Vec::new(),
            content: None,
            in_text: false,
            note: None,
            boxes: Vec::new(),
            notes: Vec::new(),
            references: References::default(),
        }
    }

    fn xml_error(&self, offset: u64, message: impl Into<String>) -> DocxError {
        DocxError::Xml {
            part: self.name.to_owned(),
            offset,
            message: message.into(),
        }
    }

    /// Checks that the root element is the one of the part's kind.
    fn check_root(
        &self,
        tag: Tag,
        ns: &ResolveResult<'_>,
        e: &BytesStart<'_>,
    ) -> Result<(), DocxError> {
        if tag == Tag::Root(self.part) {
            return Ok(());
        }
        let name = e.name();
        let name = name.as_ref();
        let part = self.name;
        if self.part != Part::Document {
            return Err(self.xml_error(
                0,
                format!("its root element is <{name}>, not <w:{}>", self.part.root()),
            ));
        }
        Err(DocxError::NotDocx(match ns {
            ResolveResult::Bound(Namespace(uri)) if e.local_name().as_ref() == "document" => {
                format!(
                    "{part} is not a WordprocessingML document (its root element <{name}> is in \
                     the namespace `{uri}`)"
                )
            }
            _ => {
                format!("{part} is not a WordprocessingML document (its root element is <{name}>)")
            }
        }))
    }

    fn run(mut self, xml: &str) -> Result<PartText, DocxError> {
        let mut reader = NsReader::from_str(xml);
        let mut depth = 0usize;
        // Depth of the element whose content is being skipped.
        let mut skip: Option<usize> = None;
        let mut seen_root = false;
        loop {
            let (ns, event) = match reader.read_resolved_event() {
                Ok(x) => x,
                Err(e) => return Err(self.xml_error(reader.error_position(), e.to_string())),
            };
            match event {
                Event::Start(e) => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(self.xml_error(
                            reader.buffer_position(),
                            format!("elements nest more than {MAX_DEPTH} deep"),
                        ));
                    }
                    if skip.is_some() {
                        continue;
                    }
                    let tag = classify(&ns, e.local_name().as_ref());
                    if !seen_root {
                        seen_root = true;
                        self.check_root(tag, &ns, &e)?;
                    }
                    match self.start(tag, &e, depth) {
                        Ok(true) => skip = Some(depth),
                        Ok(false) => {}
                        Err(message) => {
                            return Err(self.xml_error(reader.buffer_position(), message))
                        }
                    }
                }
                Event::Empty(e) => {
                    if skip.is_some() {
                        continue;
                    }
                    let tag = classify(&ns, e.local_name().as_ref());
                    if !seen_root {
                        seen_root = true;
                        self.check_root(tag, &ns, &e)?;
                    }
                    match self.start(tag, &e, depth + 1) {
                        Ok(true) => {}
                        Ok(false) => self.end(tag, depth + 1),
                        Err(message) => {
                            return Err(self.xml_error(reader.buffer_position(), message))
                        }
                    }
                }
                Event::End(e) => {
                    match skip {
                        Some(d) if d == depth => skip = None,
                        Some(_) => {}
                        None => {
                            let tag = classify(&ns, e.local_name().as_ref());
                            self.end(tag, depth);
                        }
                    }
                    depth = depth.saturating_sub(1);
                }
                Event::Text(t) if self.in_text && skip.is_none() => {
                    let s = t.xml10_content();
                    self.push_text(&s);
                }
                Event::CData(t) if self.in_text && skip.is_none() => {
                    let s = t.xml10_content();
                    self.push_text(&s);
                }
                Event::GeneralRef(r) if self.in_text && skip.is_none() => {
                    let resolved = if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) => c.encode_utf8(&mut [0; 4]).to_owned(),
                            Ok(None) | Err(_) => {
                                return Err(self.xml_error(
                                    reader.buffer_position(),
                                    format!("invalid character reference `&{};`", &*r),
                                ))
                            }
                        }
                    } else {
                        match quick_xml::escape::resolve_predefined_entity(&r) {
                            Some(s) => s.to_owned(),
                            None => {
                                return Err(self.xml_error(
                                    reader.buffer_position(),
                                    format!("unknown entity `&{};`", &*r),
                                ))
                            }
                        }
                    };
                    self.push_text(&resolved);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !seen_root {
            return Err(match self.part {
                Part::Document => DocxError::NotDocx(format!("{} has no root element", self.name)),
                _ => self.xml_error(0, "the part has no root element"),
            });
        }
        if depth != 0 {
            return Err(self.xml_error(
                reader.buffer_position(),
                "the XML ends before all its elements are closed",
            ));
        }
        let (text, _) = self.out.finish();
        Ok(PartText {
            text,
            tables: self.tables,
            boxes: self.boxes,
            notes: self.notes,
            references: self.references,
        })
    }

    /// Acts on an opening tag at `depth`; returns true when its content is to be skipped.
    fn start(&mut self, tag: Tag, e: &BytesStart<'_>, depth: usize) -> Result<bool, String> {
        match tag {
            Tag::AlternateContent => self.alternates.push((depth, false)),
            Tag::Choice | Tag::Fallback => {
                if let Some((d, taken)) = self.alternates.last_mut() {
                    if *d + 1 == depth {
                        if *taken {
                            return Ok(true);
                        }
                        *taken = true;
                    }
                }
            }
            _ => {}
        }
        if self.content.is_none() {
            match (self.part, tag) {
                (Part::Document, Tag::Body) => self.content = Some(depth),
                (Part::Header | Part::Footer, Tag::Root(_)) if depth == 1 => {
                    self.content = Some(depth)
                }
                (Part::Footnotes | Part::Endnotes | Part::Comments, Tag::Note) if depth == 2 => {
                    // Word's separator lines between the text and its notes are not notes.
                    if matches!(
                        attr(e, "type").as_deref(),
                        Some("separator" | "continuationSeparator" | "continuationNotice")
                    ) {
                        return Ok(true);
                    }
                    let author = attr(e, "author").filter(|_| self.part == Part::Comments);
                    let id = attr(e, "id").unwrap_or_default();
                    self.note = Some((id, author, self.out.text().len()));
                    self.content = Some(depth);
                }
                _ => {}
            }
            return Ok(false);
        }
        if matches!(
            tag,
            Tag::P | Tag::Tbl | Tag::Tr | Tag::Tc | Tag::TxbxContent
        ) && self.frames.len() >= MAX_NESTING
        {
            return Err(format!(
                "paragraphs, tables and text boxes nest more than {MAX_NESTING} deep"
            ));
        }
        match tag {
            Tag::Skip => return Ok(true),
            Tag::P => self.frames.push(Frame::Para(Para {
                depth,
                ..Para::default()
            })),
            Tag::PPr => {
                if let Some(p) = self.para().filter(|p| p.depth + 1 == depth) {
                    p.in_properties = true;
                }
            }
            Tag::PStyle | Tag::Ilvl | Tag::NumId => {
                if let Some(p) = self.para().filter(|p| p.in_properties) {
                    let value = attr(e, "val");
                    let number = value.as_deref().and_then(|v| v.trim().parse::<u32>().ok());
                    match tag {
                        Tag::PStyle => p.numbering.style = value,
                        Tag::Ilvl => p.numbering.level = number.map(|n| n as usize),
                        _ => p.numbering.num_id = number,
                    }
                }
            }
            Tag::NoteRef(part) | Tag::SectionRef(part) => {
                if let Some(id) = attr(e, "id") {
                    self.references.add(part, id);
                }
            }
            Tag::R => {
                if let Some(p) = self.para() {
                    p.runs += 1;
                }
            }
            Tag::T => self.in_text = self.para().is_some_and(|p| p.runs > 0),
            Tag::Tab => self.push_in_run("\t"),
            Tag::Br => match attr(e, "type").as_deref() {
                Some("page" | "column") => {}
                _ => self.push_in_run(" "),
            },
            Tag::Cr => self.push_in_run(" "),
            Tag::NoBreakHyphen => self.push_in_run("-"),
            Tag::Tbl => self.frames.push(Frame::Table(Vec::new())),
            Tag::Tr => self.frames.push(Frame::Row(Row::default())),
            Tag::Tc => self.frames.push(Frame::Cell(CellFrame {
                parts: Vec::new(),
                colspan: 1,
                vmerge: VMerge::None,
            })),
            Tag::TxbxContent => self.frames.push(Frame::TextBox(Vec::new())),
            Tag::GridSpan => {
                let span = number(e).unwrap_or(1).clamp(1, MAX_SPAN);
                if let Some(Frame::Cell(c)) = self.frames.last_mut() {
                    c.colspan = span;
                }
            }
            Tag::VMerge => {
                let restart = attr(e, "val").as_deref() == Some("restart");
                if let Some(Frame::Cell(c)) = self.frames.last_mut() {
                    c.vmerge = if restart {
                        VMerge::Restart
                    } else {
                        VMerge::Continue
                    };
                }
            }
            Tag::TblHeader => {
                let on = on_off(e);
                if let Some(Frame::Row(r)) = self.frames.last_mut() {
                    r.header = on;
                }
            }
            Tag::GridBefore => {
                let n = number(e).unwrap_or(0).min(MAX_SPAN);
                if let Some(Frame::Row(r)) = self.frames.last_mut() {
                    r.grid_before = n;
                }
            }
            _ => {}
        }
        Ok(false)
    }

    /// Acts on a closing tag at `depth` (of an element whose content was not skipped).
    fn end(&mut self, tag: Tag, depth: usize) {
        if tag == Tag::AlternateContent && self.alternates.last().is_some_and(|&(d, _)| d == depth)
        {
            self.alternates.pop();
        }
        if self.content.is_none() {
            return;
        }
        if self.content == Some(depth) {
            self.content = None;
            if let Some((id, author, start)) = self.note.take() {
                let range = start..self.out.text().len();
                self.notes.push(Note { id, author, range });
            }
            return;
        }
        // Frames open and close with their elements (the XML is checked to be well-formed),
        // so the innermost frame is the one a closing tag ends.
        match tag {
            Tag::PPr
                if self
                    .para()
                    .is_some_and(|p| p.in_properties && p.depth + 1 == depth) =>
            {
                self.number_paragraph();
            }
            Tag::R => {
                if let Some(p) = self.para() {
                    p.runs = p.runs.saturating_sub(1);
                }
            }
            Tag::T => self.in_text = false,
            Tag::P => {
                self.number_paragraph();
                if let Some(Frame::Para(p)) = self.pop_if(|f| matches!(f, Frame::Para(_))) {
                    let mut s = match p.label {
                        // An empty numbered paragraph shows its label alone.
                        Some(label) if p.text.is_empty() => label.trim_end().to_owned(),
                        Some(label) => label + &p.text,
                        None => p.text,
                    };
                    for b in p.boxes.iter().map(|b| b.trim()).filter(|b| !b.is_empty()) {
                        if !s.is_empty() && !s.ends_with(char::is_whitespace) {
                            s.push(' ');
                        }
                        s.push_str(b);
                    }
                    self.deliver(s, true);
                }
            }
            Tag::TxbxContent => {
                if let Some(Frame::TextBox(parts)) = self.pop_if(|f| matches!(f, Frame::TextBox(_)))
                {
                    let in_box = self.frames.iter().any(|f| matches!(f, Frame::TextBox(_)));
                    if self.part == Part::Document && !in_box {
                        // A text box of the body is a zone of its own, after the body.
                        self.boxes.push(lines(&parts));
                    } else {
                        self.deliver(join_parts(&parts), false);
                    }
                }
            }
            Tag::Tc => {
                if let Some(Frame::Cell(c)) = self.pop_if(|f| matches!(f, Frame::Cell(_))) {
                    let cell = CellOut {
                        text: join_parts(&c.parts),
                        colspan: c.colspan,
                        vmerge: c.vmerge,
                    };
                    match self.frames.last_mut() {
                        Some(Frame::Row(r)) => r.cells.push(cell),
                        _ => self.deliver(cell.text, false),
                    }
                }
            }
            Tag::Tr => {
                if let Some(Frame::Row(row)) = self.pop_if(|f| matches!(f, Frame::Row(_))) {
                    match self.frames.last_mut() {
                        Some(Frame::Table(rows)) => rows.push(row),
                        _ => self.deliver(flatten(std::slice::from_ref(&row)), false),
                    }
                }
            }
            Tag::Tbl => {
                if let Some(Frame::Table(rows)) = self.pop_if(|f| matches!(f, Frame::Table(_))) {
                    if self.container().is_some() {
                        self.deliver(flatten(&rows), false);
                    } else {
                        self.emit_table(rows);
                    }
                }
            }
            _ => {}
        }
    }

    /// Gives the innermost paragraph its numbering label, once, in document order (when its
    /// properties end, or when it ends without any).
    fn number_paragraph(&mut self) {
        let numbering = self.numbering;
        if let Some(Frame::Para(p)) = self.frames.last_mut() {
            p.in_properties = false;
            if !p.numbered {
                p.numbered = true;
                p.label = numbering.label(&mut self.counters, &p.numbering);
            }
        }
    }

    fn pop_if(&mut self, is: impl Fn(&Frame) -> bool) -> Option<Frame> {
        if self.frames.last().is_some_and(is) {
            self.frames.pop()
        } else {
            None
        }
    }

    /// The paragraph being read, when it is the innermost frame.
    fn para(&mut self) -> Option<&mut Para> {
        match self.frames.last_mut() {
            Some(Frame::Para(p)) => Some(p),
            _ => None,
        }
    }

    /// Index of the innermost frame that collects text (paragraph, cell, text box).
    fn container(&self) -> Option<usize> {
        self.frames
            .iter()
            .rposition(|f| matches!(f, Frame::Para(_) | Frame::Cell(_) | Frame::TextBox(_)))
    }

    /// Hands finished text to whatever encloses it: a paragraph gets it appended (a text box),
    /// a cell or text box gets it as one more part, and the body gets it as a line (always for
    /// a paragraph, only when not blank otherwise).
    fn deliver(&mut self, s: String, paragraph: bool) {
        match self.container().and_then(|i| self.frames.get_mut(i)) {
            Some(Frame::Para(p)) => p.boxes.push(s),
            Some(Frame::Cell(c)) => c.parts.push(s),
            Some(Frame::TextBox(parts)) => parts.push(s),
            _ if paragraph || !s.trim().is_empty() => {
                self.emit(&s);
                self.emit("\n");
            }
            _ => {}
        }
    }

    fn push_text(&mut self, s: &str) {
        if let Some(p) = self.para() {
            push_run_text(&mut p.text, s);
        }
    }

    fn push_in_run(&mut self, s: &str) {
        if let Some(p) = self.para() {
            if p.runs > 0 {
                p.text.push_str(s);
            }
        }
    }

    /// Appends to the extracted text; the map is the identity.
    fn emit(&mut self, s: &str) {
        let at = self.out.text().len();
        self.out.push_verbatim(s, at);
    }

    /// Writes a top-level table, one line per row, and records it.
    fn emit_table(&mut self, rows: Vec<Row>) {
        let rowspans = rowspans(&rows);
        // Fields other than `rows` (e.g. `layout`) keep their defaults.
        let mut table = Table::default();
        for (row, spans) in rows.iter().zip(rowspans) {
            let mut cells = Vec::new();
            for (i, (cell, rowspan)) in row.cells.iter().zip(spans).enumerate() {
                if i > 0 {
                    self.emit("\t");
                }
                // A continuation of a vertical merge: an empty field, no cell.
                let Some(rowspan) = rowspan else { continue };
                let start = self.out.text().len();
                self.emit(&cell.text);
                let lead = cell.text.len() - cell.text.trim_start().len();
                let trimmed = cell.text.trim().len();
                let span = if trimmed == 0 {
                    start..start
                } else {
                    start + lead..start + lead + trimmed
                };
                cells.push(Cell {
                    span,
                    header: row.header,
                    colspan: cell.colspan,
                    rowspan,
                });
            }
            self.emit("\n");
            table.rows.push(cells);
        }
        self.tables.push(table);
    }
}

/// Text of table rows as one run of text: non-blank cells joined with spaces.
fn flatten(rows: &[Row]) -> String {
    let mut s = String::new();
    for text in rows.iter().flat_map(|r| &r.cells).map(|c| c.text.trim()) {
        if text.is_empty() {
            continue;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(text);
    }
    s
}

/// For every cell of `rows`: `Some(rowspan)`, or `None` for a continuation of a vertical merge
/// (which adds a row to the cell that started it, found by grid column).
fn rowspans(rows: &[Row]) -> Vec<Vec<Option<usize>>> {
    let mut spans: Vec<Vec<Option<usize>>> =
        rows.iter().map(|r| vec![Some(1); r.cells.len()]).collect();
    // Grid column → (row, cell) of the merge that is open there.
    let mut open: HashMap<usize, (usize, usize)> = HashMap::new();
    for (r, row) in rows.iter().enumerate() {
        let mut next = HashMap::new();
        let mut col = row.grid_before;
        for (i, cell) in row.cells.iter().enumerate() {
            match cell.vmerge {
                VMerge::Continue => match open.get(&col) {
                    Some(&(sr, si)) => {
                        if let Some(Some(n)) = spans.get_mut(sr).and_then(|s| s.get_mut(si)) {
                            *n += 1;
                        }
                        if let Some(s) = spans.get_mut(r).and_then(|s| s.get_mut(i)) {
                            *s = None;
                        }
                        next.insert(col, (sr, si));
                    }
                    // Nothing above to continue: it starts a merge of its own.
                    None => {
                        next.insert(col, (r, i));
                    }
                },
                VMerge::Restart => {
                    next.insert(col, (r, i));
                }
                VMerge::None => {}
            }
            col = col.saturating_add(cell.colspan);
        }
        open = next;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::super::docx_writer;
    use super::*;

    /// A paragraph of one run.
    fn p(text: &str) -> String {
        format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    fn text_of(body: &str) -> String {
        let x = extract(&docx_writer::docx(body)).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert_identity_map(&x);
        x.text
    }

    fn assert_identity_map(x: &Extracted) {
        for i in 0..=x.text.len() {
            assert_eq!(x.map.source_offset(i), i);
        }
        assert!(x.text.is_empty() || x.map.is_verbatim(0..x.text.len()));
    }

    /// (kind, name, text) of every zone.
    fn zones_of(x: &Extracted) -> Vec<(ZoneKind, &str, &str)> {
        x.zones
            .iter()
            .map(|z| (z.kind, z.name.as_str(), &x.text[z.range.clone()]))
            .collect()
    }

    fn cell(text: &str) -> String {
        format!("<w:tc>{}</w:tc>", p(text))
    }

    #[test]
    fn each_paragraph_is_one_line() {
        let body = format!(
            "{}<w:p/>{}<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr></w:p>{}<w:sectPr><w:pgSz w:w=\"11906\"/></w:sectPr>",
            p("First line."),
            p("Third line."),
            p("Fifth line.")
        );
        let text = text_of(&body);
        assert_eq!(text, "First line.\n\nThird line.\n\nFifth line.\n");
        // The 1-based line of a finding is the paragraph number.
        let at = text.find("Fifth").unwrap();
        assert_eq!(text[..at].matches('\n').count() + 1, 5);
        assert_eq!(text_of(""), "");
    }

    #[test]
    fn runs_split_mid_word_join() {
        let body = r#"<w:p><w:r><w:t>Hel</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>lo</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t xml:space="preserve"> wor</w:t></w:r><w:hyperlink r:id="rId9"><w:r><w:t>ld</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r></w:p>"#;
        assert_eq!(text_of(body), "Hello world.\n");
    }

    #[test]
    fn tabs_breaks_and_special_characters() {
        let body = concat!(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>"#,
            r#"<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t>"#,
            r#"<w:br w:type="textWrapping"/><w:t>d</w:t><w:cr/><w:t>e</w:t>"#,
            r#"<w:br w:type="page"/><w:lastRenderedPageBreak/><w:t>f</w:t><w:br w:type="column"/>"#,
            r#"<w:t>g</w:t><w:noBreakHyphen/><w:t>h</w:t><w:softHyphen/><w:t>i</w:t>"#,
            r#"<w:sym w:font="Wingdings" w:char="F0E0"/><w:t>j</w:t><w:ptab w:relativeTo="margin" w:alignment="right" w:leader="none"/><w:t>k</w:t></w:r></w:p>"#
        );
        assert_eq!(text_of(body), "a\tb c d efg-hij\tk\n");
    }

    #[test]
    fn line_breaks_inside_run_text_become_spaces() {
        let body = "<w:p><w:r><w:t>one\ntwo\r\nthree&#10;four</w:t></w:r></w:p>";
        assert_eq!(text_of(body), "one two three four\n");
    }

    #[test]
    fn deleted_text_field_codes_and_ruby_are_skipped() {
        let body = concat!(
            r#"<w:p><w:r><w:t xml:space="preserve">Keep </w:t></w:r>"#,
            r#"<w:del w:id="1" w:author="A"><w:r><w:delText>deleted </w:delText></w:r></w:del>"#,
            r#"<w:ins w:id="2" w:author="A"><w:r><w:t xml:space="preserve">inserted </w:t></w:r></w:ins>"#,
            r#"<w:moveFrom w:id="3" w:author="A"><w:r><w:t>moved away </w:t></w:r></w:moveFrom>"#,
            r#"<w:moveTo w:id="4" w:author="A"><w:r><w:t xml:space="preserve">moved here </w:t></w:r></w:moveTo>"#,
            r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r>"#,
            r#"<w:r><w:instrText xml:space="preserve"> PAGE \* MERGEFORMAT </w:instrText></w:r>"#,
            r#"<w:r><w:fldChar w:fldCharType="separate"><w:fldData>AAAA</w:fldData></w:fldChar></w:r>"#,
            r#"<w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#,
            r#"<w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>zhōng</w:t></w:r></w:rt>"#,
            r#"<w:rubyBase><w:r><w:t>中</w:t></w:r></w:rubyBase></w:ruby></w:r></w:p>"#
        );
        assert_eq!(text_of(body), "Keep inserted moved here 7中\n");
    }

    const CHOICE_AND_FALLBACK: &str = concat!(
        r#"<w:p><w:r><w:t xml:space="preserve">Anchor text.</w:t></w:r><w:r>"#,
        r#"<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic>"#,
        r#"<a:graphicData><wps:wsp><wps:txbx><w:txbxContent>"#,
        r#"<w:p><w:r><w:t>Box line one.</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>Box line two.</w:t></w:r></w:p>"#,
        r#"</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"#,
        r#"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"#,
        r#"<w:p><w:r><w:t>Box line one.</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>Box line two.</w:t></w:r></w:p>"#,
        r#"</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent>"#,
        r#"</w:r><w:r><w:t xml:space="preserve"> After.</w:t></w:r></w:p>"#
    );

    #[test]
    fn alternate_content_is_read_once_and_text_boxes_are_zones_after_the_body() {
        let x = extract(&docx_writer::docx(CHOICE_AND_FALLBACK)).unwrap();
        assert_identity_map(&x);
        // The box's empty paragraph is a blank line, as in the body.
        assert_eq!(
            x.text,
            "Anchor text. After.\n\nBox line one.\n\nBox line two.\n"
        );
        assert_eq!(
            zones_of(&x),
            [
                (ZoneKind::Body, "body", "Anchor text. After.\n\n"),
                (
                    ZoneKind::TextBox,
                    "text box 1",
                    "Box line one.\n\nBox line two.\n"
                ),
            ]
        );
        // Only a fallback: it is used.
        let fallback_only = concat!(
            r#"<w:p><w:r><mc:AlternateContent><mc:Fallback><w:pict><v:textbox><w:txbxContent>"#,
            r#"<w:p><w:r><w:t>Only the fallback.</w:t></w:r></w:p>"#,
            r#"</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#
        );
        // The anchoring paragraph stays, empty.
        assert_eq!(text_of(fallback_only), "\n\nOnly the fallback.\n");
        // Two choices: the first only.
        let two = concat!(
            r#"<w:p><w:r><mc:AlternateContent>"#,
            r#"<mc:Choice Requires="w14"><w:t>first</w:t></mc:Choice>"#,
            r#"<mc:Choice Requires="w15"><w:t>second</w:t></mc:Choice>"#,
            r#"<mc:Fallback><w:t>fallback</w:t></mc:Fallback>"#,
            r#"</mc:AlternateContent></w:r></w:p>"#
        );
        assert_eq!(text_of(two), "first\n");
    }

    #[test]
    fn text_boxes_keep_document_order_and_a_box_in_a_box_joins_its_line() {
        let inner = format!(
            "<w:p><w:r><w:t>Outer.</w:t></w:r><w:r><w:pict><v:textbox><w:txbxContent>{}{}</w:txbxContent></v:textbox></w:pict></w:r></w:p>",
            p("Inner one."),
            p("Inner two.")
        );
        let body = format!(
            "{}<w:p><w:r><w:pict><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></w:pict></w:r></w:p>{}{CHOICE_AND_FALLBACK}",
            p("Start."),
            p("Middle.")
        );
        let x = extract(&docx_writer::docx(&body)).unwrap();
        let zones: Vec<(&str, &str)> = zones_of(&x).iter().map(|z| (z.1, z.2)).collect();
        assert_eq!(
            zones,
            [
                ("body", "Start.\n\nMiddle.\nAnchor text. After.\n\n"),
                ("text box 1", "Outer. Inner one. Inner two.\n\n"),
                ("text box 2", "Box line one.\n\nBox line two.\n"),
            ]
        );
    }

    #[test]
    fn equations_keep_their_text() {
        let body = concat!(
            r#"<w:p><w:r><w:t xml:space="preserve">where </w:t></w:r><m:oMath><m:r><m:t>α</m:t></m:r></m:oMath>"#,
            r#"<w:r><w:t xml:space="preserve"> is small</w:t></w:r></w:p>"#
        );
        assert_eq!(text_of(body), "where α is small\n");
    }

    #[test]
    fn entities_are_decoded() {
        let body =
            p("R&amp;D &lt;b&gt; &quot;q&quot; &apos;a&apos; &#x4e2d;&#25991; <![CDATA[x<y]]>");
        assert_eq!(text_of(&body), "R&D <b> \"q\" 'a' 中文 x<y\n");
    }

    #[test]
    fn chinese_paragraphs() {
        let body = format!(
            "{}{}",
            r#"<w:p><w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t>本报告的结论是：</w:t></w:r><w:r><w:t>GDP</w:t></w:r><w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t>增长了5%。</w:t></w:r></w:p>"#,
            p("第二段。")
        );
        let text = text_of(&body);
        assert_eq!(text, "本报告的结论是：GDP增长了5%。\n第二段。\n");
        let at = text.find("第二段").unwrap();
        assert_eq!(text[..at].lines().count() + 1, 2);
    }

    #[test]
    fn a_table_with_spans_and_merges() {
        let body = format!(
            concat!(
                "{intro}",
                r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>"#,
                r#"<w:tblGrid><w:gridCol w:w="1"/><w:gridCol w:w="1"/><w:gridCol w:w="1"/></w:tblGrid>"#,
                // Header row: "Name" | "Values" spanning two columns.
                r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>{name}"#,
                r#"<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>{values}</w:tc></w:tr>"#,
                // "Group" starts a vertical merge over two rows; a cell of two paragraphs.
                r#"<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>{group}</w:tc>"#,
                r#"<w:tc>{one}{one_b}</w:tc>{two}</w:tr>"#,
                r#"<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>{three}{four}</w:tr>"#,
                // An empty cell, and a cell padded with spaces.
                r#"<w:tr>{total}<w:tc><w:p/></w:tc>{padded}</w:tr>"#,
                r#"</w:tbl>"#,
                "{outro}"
            ),
            intro = p("Intro."),
            name = cell("Name"),
            values = p("Values"),
            group = p("Group"),
            one = p("1"),
            one_b = p("(one)"),
            two = cell("2"),
            three = cell("3"),
            four = cell("4"),
            total = cell("Total"),
            padded = cell("  10  "),
            outro = p("Outro."),
        );
        let x = extract(&docx_writer::docx(&body)).unwrap();
        assert_identity_map(&x);
        assert_eq!(
            x.text,
            "Intro.\nName\tValues\nGroup\t1 (one)\t2\n\t3\t4\nTotal\t\t10\nOutro.\n"
        );
        assert_eq!(x.tables.len(), 1);
        let rows = &x.tables[0].rows;
        let texts: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(|c| &x.text[c.span.clone()]).collect())
            .collect();
        assert_eq!(
            texts,
            vec![
                vec!["Name", "Values"],
                vec!["Group", "1 (one)", "2"],
                vec!["3", "4"],
                vec!["Total", "", "10"],
            ]
        );
        let c = |span: std::ops::Range<usize>, header, colspan, rowspan| Cell {
            span,
            header,
            colspan,
            rowspan,
        };
        assert_eq!(
            rows,
            &vec![
                vec![c(7..11, true, 1, 1), c(12..18, true, 2, 1)],
                vec![
                    c(19..24, false, 1, 2),
                    c(25..32, false, 1, 1),
                    c(33..34, false, 1, 1)
                ],
                vec![c(36..37, false, 1, 1), c(38..39, false, 1, 1)],
                vec![
                    c(40..45, false, 1, 1),
                    c(46..46, false, 1, 1),
                    c(47..49, false, 1, 1)
                ],
            ]
        );
    }

    #[test]
    fn merges_follow_grid_columns() {
        // Column 2 (after a two-column span) merges down three rows; column 0 restarts twice.
        let vm = |val: &str, text: &str| {
            let v = if val.is_empty() {
                "<w:vMerge/>".to_owned()
            } else {
                format!(r#"<w:vMerge w:val="{val}"/>"#)
            };
            format!("<w:tc><w:tcPr>{v}</w:tcPr>{}</w:tc>", p(text))
        };
        let wide = |text: &str| {
            format!(
                r#"<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>{}</w:tc>"#,
                p(text)
            )
        };
        let body = format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl>",
            wide("a"),
            vm("restart", "M"),
            wide("b"),
            vm("continue", ""),
            wide("c"),
            vm("", ""),
            vm("restart", "x"),
            cell("y"),
            cell("z"),
        );
        let x = extract(&docx_writer::docx(&body)).unwrap();
        assert_eq!(x.text, "a\tM\nb\t\nc\t\nx\ty\tz\n");
        let spans: Vec<Vec<(usize, usize)>> = x.tables[0]
            .rows
            .iter()
            .map(|r| r.iter().map(|c| (c.colspan, c.rowspan)).collect())
            .collect();
        assert_eq!(
            spans,
            vec![
                vec![(2, 1), (1, 3)],
                vec![(2, 1)],
                vec![(2, 1)],
                vec![(1, 1), (1, 1), (1, 1)]
            ]
        );
    }

    #[test]
    fn nested_tables_are_flattened_into_their_cell() {
        let inner = format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}<w:tc><w:p/></w:tc></w:tr></w:tbl>",
            cell("n1"),
            cell("n2"),
            cell("n3")
        );
        let body = format!(
            "<w:tbl><w:tr><w:tc>{}{inner}<w:p/></w:tc>{}</w:tr></w:tbl>{}",
            p("outer"),
            cell("right"),
            p("after")
        );
        let x = extract(&docx_writer::docx(&body)).unwrap();
        assert_eq!(x.text, "outer n1 n2 n3\tright\nafter\n");
        assert_eq!(x.tables.len(), 1);
        assert_eq!(x.tables[0].rows[0][0].span, 0..14);
        assert_eq!(x.tables[0].rows[0][1].span, 15..20);
    }

    #[test]
    fn a_text_box_in_a_table_cell_is_a_zone_after_the_body() {
        let body = format!(
            "<w:tbl><w:tr><w:tc>{CHOICE_AND_FALLBACK}</w:tc>{}</w:tr></w:tbl>",
            cell("b")
        );
        let x = extract(&docx_writer::docx(&body)).unwrap();
        assert_eq!(
            x.text,
            "Anchor text. After.\tb\n\nBox line one.\n\nBox line two.\n"
        );
        assert_eq!(x.tables[0].rows[0].len(), 2);
        assert_eq!(&x.text[x.tables[0].rows[0][1].span.clone()], "b");
    }

    #[test]
    fn tracked_property_changes_do_not_override_current_ones() {
        let body = format!(
            concat!(
                r#"<w:tbl><w:tr><w:trPr><w:trPrChange w:id="1"><w:trPr><w:tblHeader/></w:trPr></w:trPrChange></w:trPr>"#,
                r#"<w:tc><w:tcPr><w:gridSpan w:val="2"/><w:tcPrChange w:id="2"><w:tcPr><w:gridSpan w:val="3"/></w:tcPr></w:tcPrChange></w:tcPr>{}</w:tc></w:tr>"#,
                r#"<w:tr><w:trPr><w:tblHeader w:val="false"/></w:trPr>{}</w:tr></w:tbl>"#
            ),
            p("a"),
            cell("b")
        );
        let x = extract(&docx_writer::docx(&body)).unwrap();
        let rows = &x.tables[0].rows;
        assert_eq!((rows[0][0].colspan, rows[0][0].header), (2, false));
        assert!(!rows[1][0].header);
    }

    #[test]
    fn content_controls_and_other_wrappers_are_transparent() {
        let body = format!(
            "<w:sdt><w:sdtPr><w:alias w:val=\"Title\"/></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>\
             <w:customXml w:element=\"x\">{}</w:customXml>",
            p("In a control."),
            p("In custom XML.")
        );
        assert_eq!(text_of(&body), "In a control.\nIn custom XML.\n");
    }

    #[test]
    fn other_prefixes_and_foreign_namespaces() {
        let doc = concat!(
            r#"<?xml version="1.0"?><doc:document xmlns:doc="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
            r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">"#,
            r#"<doc:body><doc:p><doc:r><doc:t>Hi</doc:t></doc:r><doc:r><a:p><a:r><a:t>not text</a:t></a:r></a:p></doc:r></doc:p>"#,
            r#"<p xmlns="http://purl.oclc.org/ooxml/wordprocessingml/main"><r><t>strict</t></r></p>"#,
            r#"</doc:body></doc:document>"#
        );
        let x = extract(&docx_writer::docx_from_document(doc)).unwrap();
        assert_eq!(x.text, "Hi\nstrict\n");
        // Undeclared prefixes are matched by local name.
        let x = extract_document_xml(
            b"<w:document><w:body><w:p><w:r><w:t>loose</w:t></w:r></w:p></w:body></w:document>",
        )
        .unwrap();
        assert_eq!(x.text, "loose\n");
    }

    #[test]
    fn only_the_body_is_read() {
        let doc = concat!(
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
            r#"<w:background><w:p><w:r><w:t>not body</w:t></w:r></w:p></w:background>"#,
            r#"<w:body><w:p><w:r><w:t>body</w:t></w:r></w:p></w:body></w:document>"#
        );
        assert_eq!(
            extract(&docx_writer::docx_from_document(doc)).unwrap().text,
            "body\n"
        );
        let empty = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>"#;
        let x = extract(&docx_writer::docx_from_document(empty)).unwrap();
        assert_eq!((x.text.as_str(), x.tables.len()), ("", 0));
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let mut xml = "\u{feff}".as_bytes().to_vec();
        xml.extend_from_slice(docx_writer::document_xml(&p("BOM")).as_bytes());
        assert_eq!(extract_document_xml(&xml).unwrap().text, "BOM\n");
    }

    #[test]
    fn the_main_part_may_be_named_by_the_relationships() {
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/></Relationships>"#;
        let doc = docx_writer::document_xml(&p("renamed"));
        let z = docx_writer::zip(&[
            ("_rels/.rels", rels.as_bytes(), true),
            ("word/document2.xml", doc.as_bytes(), true),
        ]);
        assert_eq!(extract(&z).unwrap().text, "renamed\n");
    }

    #[test]
    fn not_a_docx() {
        let z = docx_writer::zip(&[("mimetype", b"application/epub+zip", false)]);
        let err = extract(&z).unwrap_err();
        assert_eq!(
            err,
            DocxError::NotDocx("the archive has no word/document.xml".into())
        );
        assert_eq!(
            err.to_string(),
            "not a Word .docx: the archive has no word/document.xml"
        );

        let z = docx_writer::docx_from_document("<html><body>hi</body></html>");
        assert_eq!(
            extract(&z).unwrap_err().to_string(),
            "not a Word .docx: word/document.xml is not a WordprocessingML document (its root element is <html>)"
        );
        let z = docx_writer::docx_from_document(r#"<w:document xmlns:w="urn:x"/>"#);
        assert_eq!(
            extract(&z).unwrap_err().to_string(),
            "not a Word .docx: word/document.xml is not a WordprocessingML document (its root \
             element <w:document> is in the namespace `urn:x`)"
        );
        let z = docx_writer::docx_from_document("");
        assert!(matches!(extract(&z), Err(DocxError::NotDocx(_))));

        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.resize(4096, 0);
        assert!(extract(&ole)
            .unwrap_err()
            .to_string()
            .contains("legacy .doc"));

        assert_eq!(
            extract(b"plain text, not a zip").unwrap_err(),
            DocxError::Zip(ZipError::NotZip)
        );
    }

    #[test]
    fn malformed_xml_is_an_error() {
        for doc in [
            "<w:document><w:body><w:p></w:body></w:document>",
            "<w:document><w:body><w:p><w:r><w:t>unclosed",
            "<w:document><w:body><w:p><w:r><w:t>&nbsp;</w:t></w:r></w:p></w:body></w:document>",
            "<w:document><w:body><w:p><w:r><w:t>&#0;</w:t></w:r></w:p></w:body></w:document>",
            "<w:document><w:body><w:p><w:r><w:t>&#xD800;</w:t></w:r></w:p></w:body></w:document>",
            "<w:document><w:body><w:p w:a=\"1\" w:a=\"2\"><</w:p></w:body></w:document>",
        ] {
            let z = docx_writer::docx_from_document(doc);
            match extract(&z) {
                Err(DocxError::Xml { .. }) => {}
                other => panic!("{doc}: {other:?}"),
            }
        }
        let err = extract_document_xml(b"<w:document>\xff\xfe</w:document>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed word/document.xml at byte 12: invalid UTF-8"
        );
        let err = extract_document_xml(b"\xff\xfe<\0w\0").unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let depth = 50_000;
        let mut doc = String::from("<w:document><w:body>");
        doc.push_str(&"<w:sdt>".repeat(depth));
        doc.push_str(&"</w:sdt>".repeat(depth));
        doc.push_str("</w:body></w:document>");
        let err = extract(&docx_writer::docx_from_document(&doc)).unwrap_err();
        assert!(
            err.to_string().contains("nest more than 10000 deep"),
            "{err}"
        );

        // Tables nested 15 deep are flattened; 30 deep is too much.
        let nested = |levels: usize| {
            let mut body = String::new();
            for _ in 0..levels {
                body.push_str("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p>");
            }
            for _ in 0..levels {
                body.push_str("</w:tc></w:tr></w:tbl>");
            }
            extract(&docx_writer::docx(&body))
        };
        let x = nested(15).unwrap();
        assert_eq!(x.text, format!("{}\n", vec!["x"; 15].join(" ")));
        assert_eq!(x.tables.len(), 1);
        let err = nested(30).unwrap_err();
        assert!(err.to_string().contains("nest more than 64 deep"), "{err}");
    }

    /// A body with two sections (three header references, one repeated), notes referenced out
    /// of file order and two comments.
    fn docx_with_every_part() -> Vec<u8> {
        let body = concat!(
            r#"<w:p><w:r><w:t>正文第一段。</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r></w:p>"#,
            r#"<w:p><w:commentRangeStart w:id="7"/><w:r><w:t>第二段</w:t></w:r><w:commentRangeEnd w:id="7"/>"#,
            r#"<w:r><w:commentReference w:id="7"/></w:r><w:r><w:footnoteReference w:id="1"/></w:r>"#,
            r#"<w:r><w:endnoteReference w:id="1"/></w:r><w:r><w:commentReference w:id="3"/></w:r></w:p>"#,
            r#"<w:p><w:pPr><w:sectPr><w:headerReference w:type="default" r:id="header2"/>"#,
            r#"<w:footerReference w:type="default" r:id="footer1"/></w:sectPr></w:pPr></w:p>"#,
            r#"<w:p><w:r><w:t>第二节。</w:t></w:r></w:p>"#,
            r#"<w:sectPr><w:headerReference w:type="first" r:id="header1"/>"#,
            r#"<w:headerReference w:type="default" r:id="header2"/><w:headerReference w:type="even" r:id="header3"/>"#,
            r#"<w:footerReference w:type="default" r:id="footer1"/></w:sectPr>"#
        );
        let p = |t: &str| format!(r#"<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>"#);
        let footnotes = docx_writer::notes_xml(
            "footnotes",
            &[
                (1, &p(" 脚注甲。")),
                (2, &p(" 脚注乙。")),
                (3, &p(" 未引用的脚注。")),
            ],
        );
        let endnotes = docx_writer::notes_xml("endnotes", &[(1, &p(" 尾注。"))]);
        let comments =
            docx_writer::comments_xml(&[(3, "李四", &p("批注三。")), (7, "张三", &p("批注七。"))]);
        docx_writer::docx_with_parts(
            body,
            &[
                ("word/header1.xml", &docx_writer::header_xml(&p("首页页眉"))),
                (
                    "word/header2.xml",
                    &docx_writer::header_xml(&p("某某市人民政府")),
                ),
                // The same text as header2: a repeat of it, read once.
                (
                    "word/header3.xml",
                    &docx_writer::header_xml(&p("某某市人民政府")),
                ),
                ("word/footer1.xml", &docx_writer::footer_xml(&p("第 1 页"))),
                // Listed but blank: no zone.
                ("word/footer2.xml", &docx_writer::footer_xml("<w:p/>")),
                ("word/footnotes.xml", &footnotes),
                ("word/endnotes.xml", &endnotes),
                ("word/comments.xml", &comments),
            ],
        )
    }

    #[test]
    fn other_parts_are_zones_after_the_body_each_read_once() {
        let x = extract(&docx_with_every_part()).unwrap();
        assert_identity_map(&x);
        assert_eq!(
            zones_of(&x),
            [
                (
                    ZoneKind::Body,
                    "body",
                    "正文第一段。\n第二段\n\n第二节。\n\n"
                ),
                (ZoneKind::Header, "header 1", "某某市人民政府\n\n"),
                (ZoneKind::Header, "header 2", "首页页眉\n\n"),
                (ZoneKind::Footer, "footer 1", "第 1 页\n\n"),
                (ZoneKind::Footnote, "footnote 1", " 脚注乙。\n\n"),
                (ZoneKind::Footnote, "footnote 2", " 脚注甲。\n\n"),
                (ZoneKind::Footnote, "footnote 3", " 未引用的脚注。\n\n"),
                (ZoneKind::Endnote, "endnote 1", " 尾注。\n\n"),
                (ZoneKind::Comment, "comment 1 by 张三", "批注七。\n\n"),
                (ZoneKind::Comment, "comment 2 by 李四", "批注三。\n"),
            ]
        );
        // The zones cover the text, in order, without overlapping.
        let mut at = 0;
        for z in &x.zones {
            assert_eq!(z.range.start, at);
            at = z.range.end;
        }
        assert_eq!(at, x.text.len());
        assert_eq!(x.text.matches("某某市人民政府").count(), 1);
        // Every zone after the body is its own paragraph of the text.
        let blocks = super::super::Blocks::new(&x.text);
        for z in &x.zones[1..] {
            assert!(
                blocks
                    .paragraphs
                    .iter()
                    .any(|p| p.start >= z.range.start && p.end <= z.range.end),
                "{}",
                z.name
            );
            assert!(
                !blocks
                    .paragraphs
                    .iter()
                    .any(|p| p.start < z.range.start && p.end > z.range.start),
                "a paragraph runs into {}",
                z.name
            );
        }
    }

    #[test]
    fn without_relationships_parts_are_found_by_name() {
        let p = |t: &str| format!("<w:p><w:r><w:t>{t}</w:t></w:r></w:p>");
        let z = docx_writer::package(
            &docx_writer::document_xml(&p("正文。")),
            &[
                ("word/header10.xml", &docx_writer::header_xml(&p("十"))),
                ("word/header2.xml", &docx_writer::header_xml(&p("二"))),
                (
                    "word/headers.xml",
                    &docx_writer::header_xml(&p("not a header part")),
                ),
                (
                    "word/footnotes.xml",
                    &docx_writer::notes_xml("footnotes", &[(1, &p("注。"))]),
                ),
            ],
            false,
        );
        let x = extract(&z).unwrap();
        let names: Vec<(&str, &str)> = zones_of(&x).iter().map(|z| (z.1, z.2.trim_end())).collect();
        assert_eq!(
            names,
            [
                ("body", "正文。"),
                ("header 1", "二"),
                ("header 2", "十"),
                ("footnote 1", "注。")
            ]
        );
    }

    #[test]
    fn only_related_parts_are_read_when_there_are_relationships() {
        // A related part missing from the archive is skipped; a part nothing relates to is not
        // shown by Word and is not read.
        let p = |t: &str| format!("<w:p><w:r><w:t>{t}</w:t></w:r></w:p>");
        let mut z = docx_writer::docx_with_parts(
            &p("正文。"),
            &[
                ("word/header1.xml", &docx_writer::header_xml(&p("页眉"))),
                ("word/header2.xml", &docx_writer::header_xml(&p("缺失"))),
            ],
        );
        let x = extract(&z).unwrap();
        assert_eq!(x.text, "正文。\n\n页眉\n\n缺失\n");
        // Rename header2.xml in the archive (same length): it is now missing, and the orphan
        // header9.xml is not read.
        let at = memchr::memmem::find_iter(&z, b"word/header2.xml").collect::<Vec<_>>();
        assert_eq!(at.len(), 2, "local and central names");
        for i in at {
            z[i + 11] = b'9';
        }
        let x = extract(&z).unwrap();
        assert_eq!(x.text, "正文。\n\n页眉\n");
    }

    #[test]
    fn a_malformed_part_is_an_error_naming_it() {
        let bad = docx_writer::docx_with_parts(
            "<w:p/>",
            &[(
                "word/footnotes.xml",
                "<w:footnotes><w:footnote></w:footnotes>",
            )],
        );
        let err = extract(&bad).unwrap_err().to_string();
        assert!(
            err.starts_with("malformed word/footnotes.xml at byte "),
            "{err}"
        );
        let wrong_root = docx_writer::docx_with_parts(
            "<w:p/>",
            &[("word/header1.xml", &docx_writer::footer_xml("<w:p/>"))],
        );
        let err = extract(&wrong_root).unwrap_err().to_string();
        assert!(
            err.contains("word/header1.xml") && err.contains("not <w:hdr>"),
            "{err}"
        );
        let bad_numbering = docx_writer::docx_with_parts(
            "<w:p/>",
            &[("word/numbering.xml", "<w:numbering><w:num w:numId=\"1\">")],
        );
        let err = extract(&bad_numbering).unwrap_err().to_string();
        assert!(err.starts_with("malformed word/numbering.xml"), "{err}");
    }

    #[test]
    fn tables_in_headers_and_notes_keep_their_cells() {
        let note = format!(
            "{}<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
            p("表注："),
            cell("甲"),
            cell("12")
        );
        let z = docx_writer::docx_with_parts(
            &format!(
                "{}{}",
                p("正文。"),
                "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
            ),
            &[
                (
                    "word/header1.xml",
                    &docx_writer::header_xml(&format!(
                        "{}<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
                        p("页眉"),
                        cell("丙"),
                        cell("丁")
                    )),
                ),
                (
                    "word/footnotes.xml",
                    &docx_writer::notes_xml("footnotes", &[(1, &note)]),
                ),
            ],
        );
        let x = extract(&z).unwrap();
        assert_eq!(x.tables.len(), 3);
        let cells: Vec<&str> = x
            .tables
            .iter()
            .flat_map(|t| t.rows.iter().flatten())
            .map(|c| &x.text[c.span.clone()])
            .collect();
        assert_eq!(cells, ["乙", "丙", "丁", "甲", "12"]);
    }

    /// A paragraph numbered by instance `num` at level `ilvl`.
    fn numbered(num: u32, ilvl: u32, text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    }

    const HEADING_NUMBERING: &str = concat!(
        r#"<w:abstractNum w:abstractNumId="0">"#,
        r#"<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl>"#,
        r#"<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>"#,
        r#"</w:abstractNum>"#,
        r#"<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl></w:abstractNum>"#,
        r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#,
        r#"<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>"#
    );

    #[test]
    fn numbered_paragraphs_start_with_their_label() {
        let body = format!(
            "{}{}<w:p><w:pPr><w:numPr><w:ilvl w:val=\"1\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr></w:p>{}<w:tbl><w:tr><w:tc>{}</w:tc></w:tr></w:tbl>{}{}",
            numbered(1, 0, "总体情况"),
            numbered(1, 1, "组织"),
            numbered(2, 0, "要点"),
            numbered(1, 1, "表内"),
            r#"<w:p><w:pPr><w:pStyle w:val="H1"/></w:pPr><w:r><w:t>主要工作</w:t></w:r></w:p>"#,
            numbered(1, 1, "立法"),
        );
        let styles = r#"<w:style w:type="paragraph" w:styleId="H1"><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>"#;
        let header = docx_writer::header_xml(&numbered(1, 0, "页眉自有编号"));
        let z = docx_writer::docx_with_parts(
            &body,
            &[
                (
                    "word/numbering.xml",
                    &docx_writer::numbering_xml(HEADING_NUMBERING),
                ),
                ("word/styles.xml", &docx_writer::styles_xml(styles)),
                ("word/header1.xml", &header),
            ],
        );
        let x = extract(&z).unwrap();
        assert_eq!(
            x.text,
            // The empty paragraph shows its label alone; the bullet adds nothing; the label in a
            // cell stays in the cell; a style's numbering counts; a header counts on its own.
            "一、总体情况\n（一） 组织\n（二）\n要点\n（三） 表内\n二、主要工作\n（一） 立法\n\n一、页眉自有编号\n"
        );
        assert_eq!(&x.text[x.tables[0].rows[0][0].span.clone()], "（三） 表内");
        // Without numbering definitions the same body has no labels.
        let plain = extract(&docx_writer::docx(&body)).unwrap();
        assert!(
            plain.text.starts_with("总体情况\n组织\n\n要点\n"),
            "{}",
            plain.text
        );
    }

    fn sample_docx() -> Vec<u8> {
        let body = format!(
            "{}{}<w:tbl><w:tr>{}{}</w:tr></w:tbl>{CHOICE_AND_FALLBACK}",
            p("Short report."),
            p("第二段 &amp; more."),
            cell("a"),
            cell("b")
        );
        docx_writer::docx(&body)
    }

    #[test]
    fn every_truncation_is_an_error() {
        for z in [sample_docx(), docx_with_every_part()] {
            assert!(extract(&z).is_ok());
            for n in 0..z.len() {
                assert!(extract(&z[..n]).is_err(), "prefix of {n} bytes");
            }
        }
    }

    #[test]
    fn corrupted_files_never_panic() {
        let numbered = docx_writer::docx_with_parts(
            &numbered(1, 1, "x"),
            &[(
                "word/numbering.xml",
                &docx_writer::numbering_xml(HEADING_NUMBERING),
            )],
        );
        for z in [sample_docx(), docx_with_every_part(), numbered] {
            for i in 0..z.len() {
                let mut bad = z.clone();
                bad[i] ^= 0x55;
                let _ = extract(&bad);
            }
        }
        // Mutated XML inside a valid archive.
        let xml = docx_writer::document_xml(&format!(
            "{}<w:tbl><w:tr>{}</w:tr></w:tbl>{CHOICE_AND_FALLBACK}",
            p("x &amp; y"),
            cell("c")
        ));
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut bad = xml.clone().into_bytes();
            for _ in 0..1 + next() % 6 {
                let i = (next() % bad.len() as u64) as usize;
                bad[i] = b"<>/&;\"=w:pt \xe4\x00"[(next() % 14) as usize];
            }
            let _ = extract_document_xml(&bad);
            let cut = (next() % bad.len() as u64) as usize;
            let _ = extract_document_xml(&bad[..cut]);
        }
    }

    #[test]
    fn python_zipfile_reads_the_writer_output() {
        let python = std::process::Command::new("python3")
            .arg("--version")
            .output();
        if !python.is_ok_and(|o| o.status.success()) {
            eprintln!("python3 not found; skipping");
            return;
        }
        let path = std::env::temp_dir().join(format!("h_docx_test_{}.docx", std::process::id()));
        std::fs::write(&path, sample_docx()).unwrap();
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(concat!(
                "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); ",
                "print(z.testzip(), z.namelist()); ",
                "assert b'Short report.' in z.read('word/document.xml')"
            ))
            .arg(&path)
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            stdout.trim(),
            "None ['[Content_Types].xml', '_rels/.rels', 'word/document.xml']"
        );
    }
}
