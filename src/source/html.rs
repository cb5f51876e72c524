//! Visible text of an HTML page, with a map back to the source and the data tables found.
//!
//! The work is done in four linear passes over the source:
//!
//! 1. a tolerant tokenizer turns the bytes into text runs and tags, skipping comments, doctypes,
//!    processing instructions, CDATA and the content of raw-text elements (`script`, `style`,
//!    `title`, `textarea`, ...) without tokenizing it;
//! 2. the tokens of elements that are never shown (`head`, `svg`, `select`, ...) are dropped;
//! 3. tables are classified: a table is a *data table* when no table is nested in it, otherwise a
//!    *layout table*;
//! 4. the remaining tokens are rendered into text with [`TextBuilder`], following a simplified
//!    version of CSS white-space processing, with paragraph breaks for block elements and one line
//!    per row for data tables.

use super::extract::{Cell, Extracted, Table, TextBuilder};
use std::cell::Cell as Budget;
use std::ops::Range;

/// Extracts the visible text of the HTML page `source`, with an offset map from the text back to
/// the source and the data tables found.
///
/// Never panics, whatever the input, and runs in time linear in its length.
pub fn extract(source: &str) -> Extracted {
    let mut tokens = tokenize(source);
    drop_hidden(&mut tokens);
    let data = classify_tables(&tokens);
    let mut renderer = Renderer::new(source, data);
    for token in &tokens {
        renderer.token(token);
    }
    renderer.finish()
}

// ---------------------------------------------------------------------------------------------
// Tags

/// What the renderer needs to know about an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// Inline or unknown: adds nothing.
    Other,
    /// Starts and ends a paragraph.
    Block,
    /// `body`: a block, and also the end of an unclosed `head`.
    Body,
    Br,
    /// `pre` and `listing`: white space kept as is.
    Pre,
    Table,
    Caption,
    Tr,
    Td,
    Th,
    /// `thead`, `tbody`, `tfoot`.
    Section,
    /// `col`, `colgroup`.
    Col,
    /// An element whose content is raw text and never shown (index into [`RAW_NAMES`]).
    Raw(usize),
    /// An element that is never shown, whose content is tokenized.
    Hidden(Hidden),
}

/// Hidden elements whose content is markup (skipped in [`drop_hidden`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hidden {
    Head,
    Template,
    Select,
    Option,
    Object,
    Svg,
    Math,
    Canvas,
    Audio,
    Video,
    Datalist,
}

const HIDDEN_KINDS: usize = 11;

/// Raw-text elements, all hidden: their content runs to the matching end tag, whatever it holds.
const RAW_NAMES: [&[u8]; 8] = [
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"iframe",
    b"noscript",
    b"noembed",
    b"noframes",
];

/// The tag of an element from its name, in any case.
fn classify(name: &[u8]) -> Tag {
    let mut buf = [0u8; 12];
    if name.len() > buf.len() {
        return Tag::Other;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    let lower = &buf[..name.len()];
    if let Some(i) = RAW_NAMES.iter().position(|n| *n == lower) {
        return Tag::Raw(i);
    }
    match lower {
        b"address" | b"article" | b"aside" | b"blockquote" | b"center" | b"dd" | b"details"
        | b"dialog" | b"dir" | b"div" | b"dl" | b"dt" | b"fieldset" | b"figcaption" | b"figure"
        | b"footer" | b"form" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" | b"header"
        | b"hgroup" | b"hr" | b"html" | b"legend" | b"li" | b"main" | b"menu" | b"nav" | b"ol"
        | b"p" | b"section" | b"summary" | b"ul" => Tag::Block,
        b"body" => Tag::Body,
        b"br" => Tag::Br,
        b"pre" | b"listing" => Tag::Pre,
        b"table" => Tag::Table,
        b"caption" => Tag::Caption,
        b"tr" => Tag::Tr,
        b"td" => Tag::Td,
        b"th" => Tag::Th,
        b"thead" | b"tbody" | b"tfoot" => Tag::Section,
        b"col" | b"colgroup" => Tag::Col,
        b"head" => Tag::Hidden(Hidden::Head),
        b"template" => Tag::Hidden(Hidden::Template),
        b"select" => Tag::Hidden(Hidden::Select),
        b"option" => Tag::Hidden(Hidden::Option),
        b"object" => Tag::Hidden(Hidden::Object),
        b"svg" => Tag::Hidden(Hidden::Svg),
        b"math" => Tag::Hidden(Hidden::Math),
        b"canvas" => Tag::Hidden(Hidden::Canvas),
        b"audio" => Tag::Hidden(Hidden::Audio),
        b"video" => Tag::Hidden(Hidden::Video),
        b"datalist" => Tag::Hidden(Hidden::Datalist),
        _ => Tag::Other,
    }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Start,
    /// A start tag written `<x/>`.
    SelfClosing,
    End,
}

/// A run of text or a tag, as a byte range of the source.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    kind: Kind,
    tag: Tag,
}

/// HTML white space (U+00A0 and U+3000 are not).
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Position of the first `needle` in `hay[from..]`, as an index of `hay`.
fn find_byte(hay: &[u8], from: usize, needle: u8) -> Option<usize> {
    hay.get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|p| p + from)
}

/// Position of the first `needle` in `hay[from..]`, as an index of `hay`.
fn find_seq(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    loop {
        let p = find_byte(hay, at, first)?;
        if hay.get(p..p + needle.len()) == Some(needle) {
            return Some(p);
        }
        at = p + 1;
    }
}

/// One step of [`AttrScanner`].
enum Step {
    /// An attribute: its name and, if it has one, its value (without quotes).
    Attr(Range<usize>, Option<Range<usize>>),
    /// The `>` ending the tag: the end of the tag, and whether it was written `/>`.
    End(usize, bool),
    /// The input ended inside the tag.
    Eof,
}

/// Walks the attributes of a tag, from just after its name to its closing `>`.
struct AttrScanner<'b> {
    b: &'b [u8],
    pos: usize,
}

impl AttrScanner<'_> {
    fn skip_ws(&self, mut p: usize) -> usize {
        while p < self.b.len() && is_ws(self.b[p]) {
            p += 1;
        }
        p
    }

    fn step(&mut self) -> Step {
        let b = self.b;
        loop {
            self.pos = self.skip_ws(self.pos);
            match b.get(self.pos) {
                None => return Step::Eof,
                Some(b'>') => return Step::End(self.pos + 1, false),
                Some(b'/') => {
                    if b.get(self.pos + 1) == Some(&b'>') {
                        return Step::End(self.pos + 2, true);
                    }
                    self.pos += 1;
                }
                Some(_) => break,
            }
        }
        // The first character of a name may be anything (even `=`); the rest stop at `=`.
        let name_start = self.pos;
        let mut p = self.pos + 1;
        while p < b.len() && !is_ws(b[p]) && !matches!(b[p], b'/' | b'>' | b'=') {
            p += 1;
        }
        let name = name_start..p;
        let q = self.skip_ws(p);
        if b.get(q) != Some(&b'=') {
            self.pos = p;
            return Step::Attr(name, None);
        }
        let q = self.skip_ws(q + 1);
        match b.get(q) {
            None => Step::Eof,
            Some(&quote @ (b'"' | b'\'')) => match find_byte(b, q + 1, quote) {
                Some(close) => {
                    self.pos = close + 1;
                    Step::Attr(name, Some(q + 1..close))
                }
                None => {
                    self.pos = b.len();
                    Step::Eof
                }
            },
            Some(_) => {
                let mut e = q;
                while e < b.len() && !is_ws(b[e]) && b[e] != b'>' {
                    e += 1;
                }
                self.pos = e;
                Step::Attr(name, Some(q..e))
            }
        }
    }
}

/// What starts at a `<`.
enum Markup {
    /// Not markup: the `<` is text.
    Literal,
    /// A comment, doctype, processing instruction, CDATA section or bogus comment, ending at the
    /// given offset.
    Skip(usize),
    /// Unterminated markup: the rest of the input is skipped.
    Eof,
    /// A start or end tag.
    Tag {
        name: Range<usize>,
        end: usize,
        close: bool,
        self_closing: bool,
    },
}

/// Skips to just past `close`, or to the end of the input.
fn skip_past(b: &[u8], from: usize, close: &[u8]) -> Markup {
    match find_seq(b, from, close) {
        Some(p) => Markup::Skip(p + close.len()),
        None => Markup::Eof,
    }
}

/// Reads a tag whose name starts at `name_start`.
fn scan_tag(b: &[u8], name_start: usize, close: bool) -> Markup {
    let mut p = name_start;
    while p < b.len() && !is_ws(b[p]) && b[p] != b'/' && b[p] != b'>' {
        p += 1;
    }
    let mut attrs = AttrScanner { b, pos: p };
    loop {
        match attrs.step() {
            Step::Attr(..) => {}
            Step::End(end, self_closing) => {
                return Markup::Tag {
                    name: name_start..p,
                    end,
                    close,
                    self_closing,
                }
            }
            Step::Eof => return Markup::Eof,
        }
    }
}

/// Reads the markup starting at the `<` at `lt`.
fn markup(b: &[u8], lt: usize) -> Markup {
    let rest = b.get(lt + 1..).unwrap_or_default();
    match rest.first() {
        Some(b'!') if rest.starts_with(b"!--") => {
            // Searching from the first `-` also ends the odd comments `<!-->` and `<!--->`.
            skip_past(b, lt + 2, b"-->")
        }
        Some(b'!') if rest.starts_with(b"![CDATA[") => skip_past(b, lt + 9, b"]]>"),
        Some(b'!' | b'?') => skip_past(b, lt + 2, b">"),
        Some(b'/') => match rest.get(1) {
            Some(c) if c.is_ascii_alphabetic() => scan_tag(b, lt + 2, true),
            Some(b'>') => Markup::Skip(lt + 3),
            Some(_) => skip_past(b, lt + 2, b">"),
            None => Markup::Literal,
        },
        Some(c) if c.is_ascii_alphabetic() => scan_tag(b, lt + 1, false),
        _ => Markup::Literal,
    }
}

/// Start of the end tag `</name` (any case) closing a raw-text element whose content starts at
/// `from`.
fn find_raw_close(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    loop {
        let p = find_byte(b, at, b'<')?;
        at = p + 1;
        if b.get(p + 1) != Some(&b'/') {
            continue;
        }
        let matches = b
            .get(p + 2..p + 2 + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name));
        if matches
            && b.get(p + 2 + name.len())
                .is_none_or(|&c| is_ws(c) || c == b'/' || c == b'>')
        {
            return Some(p);
        }
    }
}

/// Splits the source into text runs and tags. Raw-text elements are dropped whole, with their
/// content; comments and the like are dropped; unterminated markup at the end of the input is
/// dropped.
fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    // Once a raw-text element is found unclosed, later ones of that name are too.
    let mut raw_unclosed = [false; RAW_NAMES.len()];
    let push_text = |tokens: &mut Vec<Token>, start: usize, end: usize| {
        if start < end {
            tokens.push(Token {
                start,
                end,
                kind: Kind::Text,
                tag: Tag::Other,
            });
        }
    };
    while let Some(lt) = find_byte(b, i, b'<') {
        match markup(b, lt) {
            Markup::Literal => i = lt + 1,
            Markup::Eof => {
                push_text(&mut tokens, text_start, lt);
                text_start = b.len();
                break;
            }
            Markup::Skip(end) => {
                push_text(&mut tokens, text_start, lt);
                i = end;
                text_start = end;
            }
            Markup::Tag {
                name,
                end,
                close,
                self_closing,
            } => {
                push_text(&mut tokens, text_start, lt);
                i = end;
                text_start = end;
                let tag = classify(b.get(name).unwrap_or_default());
                let kind = match (close, self_closing) {
                    (true, _) => Kind::End,
                    (false, true) => Kind::SelfClosing,
                    (false, false) => Kind::Start,
                };
                match (tag, kind) {
                    (Tag::Raw(_), Kind::End) => {}
                    (Tag::Raw(k), _) => {
                        // As in browsers, `<script/>` still opens a script. Unlike browsers, an
                        // element never closed is taken as empty rather than hiding the rest of
                        // the page.
                        let close = match raw_unclosed.get(k) {
                            Some(false) => find_raw_close(b, end, RAW_NAMES[k]),
                            _ => None,
                        };
                        match close {
                            Some(p) => {
                                i = p;
                                text_start = p;
                            }
                            None => raw_unclosed[k] = true,
                        }
                    }
                    _ => tokens.push(Token {
                        start: lt,
                        end,
                        kind,
                        tag,
                    }),
                }
            }
        }
    }
    push_text(&mut tokens, text_start, b.len());
    tokens
}

// ---------------------------------------------------------------------------------------------
// Hidden elements and table classification

/// The hidden element a token ends, if any: its end tag, or `<body>` for `head`.
fn terminator(t: &Token) -> Option<Hidden> {
    match (t.kind, t.tag) {
        (Kind::End, Tag::Hidden(h)) => Some(h),
        (Kind::Start | Kind::SelfClosing, Tag::Body) => Some(Hidden::Head),
        _ => None,
    }
}

/// Removes hidden elements with their content. An element with no end tag after it is taken as
/// empty; nested elements of the same name are only counted while enough end tags remain, so a
/// hidden element always ends at a real end tag.
fn drop_hidden(tokens: &mut Vec<Token>) {
    let mut remaining = [0usize; HIDDEN_KINDS];
    for t in tokens.iter() {
        if let Some(h) = terminator(t) {
            remaining[h as usize] += 1;
        }
    }
    let mut skip: Option<(Hidden, usize)> = None;
    let mut kept = 0;
    for r in 0..tokens.len() {
        let t = tokens[r];
        let term = terminator(&t);
        if let Some(h) = term {
            remaining[h as usize] = remaining[h as usize].saturating_sub(1);
        }
        if let Some((h, depth)) = skip {
            if term == Some(h) {
                skip = depth.checked_sub(1).filter(|&d| d > 0).map(|d| (h, d));
                // The `<body>` that ends a `head` is itself visible.
                if skip.is_none() && t.kind != Kind::End {
                    tokens[kept] = t;
                    kept += 1;
                }
            } else if t.kind == Kind::Start
                && t.tag == Tag::Hidden(h)
                && depth < remaining[h as usize]
            {
                skip = Some((h, depth + 1));
            }
            continue;
        }
        match (t.kind, t.tag) {
            (Kind::Start, Tag::Hidden(h)) => {
                if remaining[h as usize] > 0 {
                    skip = Some((h, 1));
                }
            }
            (_, Tag::Hidden(_)) => {}
            _ => {
                tokens[kept] = t;
                kept += 1;
            }
        }
    }
    tokens.truncate(kept);
}

/// For each `<table>` start tag in order, whether it is a data table: no table nested in it, and
/// no cell holding running text (several paragraphs of some length, as portals that lay a whole
/// article out in one cell do). A layout table's cells are read as paragraphs.
fn classify_tables(tokens: &[Token]) -> Vec<bool> {
    /// Blocks or line breaks in one cell that make it running text whatever its length.
    const MANY_BLOCKS: usize = 3;
    /// Bytes of text in a cell of two or more blocks that make it running text.
    const LONG_TEXT: usize = 100;
    struct Open {
        table: usize,
        blocks: usize,
        bytes: usize,
    }
    let mut data = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for t in tokens {
        match (t.kind, t.tag) {
            (Kind::Start | Kind::SelfClosing, Tag::Table) => {
                if let Some(outer) = open.last() {
                    data[outer.table] = false;
                }
                open.push(Open {
                    table: data.len(),
                    blocks: 0,
                    bytes: 0,
                });
                data.push(true);
            }
            (Kind::End, Tag::Table) => {
                open.pop();
            }
            (Kind::Start | Kind::SelfClosing, Tag::Td | Tag::Th) => {
                if let Some(cell) = open.last_mut() {
                    cell.blocks = 0;
                    cell.bytes = 0;
                }
            }
            (Kind::Start | Kind::SelfClosing, Tag::Block | Tag::Br | Tag::Pre) => {
                if let Some(cell) = open.last_mut() {
                    cell.blocks += 1;
                }
            }
            (Kind::Text, _) => {
                if let Some(cell) = open.last_mut() {
                    cell.bytes += t.end - t.start;
                }
            }
            _ => {}
        }
        if let Some(cell) = open.last() {
            if cell.blocks >= MANY_BLOCKS || (cell.blocks >= 2 && cell.bytes > LONG_TEXT) {
                data[cell.table] = false;
            }
        }
    }
    data
}

// ---------------------------------------------------------------------------------------------
// Character references

/// A decoded character reference.
enum Decoded {
    Str(&'static str),
    Char(char),
}

/// Named references without the `;` that are still recognised, as in browsers.
const LEGACY: [&str; 7] = ["amp", "lt", "gt", "quot", "nbsp", "copy", "reg"];

/// The text of a named character reference.
fn named(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "ensp" => "\u{2002}",
        "emsp" => "\u{2003}",
        "thinsp" => "\u{2009}",
        "zwnj" => "\u{200c}",
        "zwj" => "\u{200d}",
        "lrm" => "\u{200e}",
        "rlm" => "\u{200f}",
        "ndash" => "\u{2013}",
        "mdash" => "\u{2014}",
        "lsquo" => "\u{2018}",
        "rsquo" => "\u{2019}",
        "sbquo" => "\u{201a}",
        "ldquo" => "\u{201c}",
        "rdquo" => "\u{201d}",
        "bdquo" => "\u{201e}",
        "hellip" => "\u{2026}",
        "middot" => "\u{b7}",
        "bull" => "\u{2022}",
        "prime" => "\u{2032}",
        "Prime" => "\u{2033}",
        "times" => "\u{d7}",
        "divide" => "\u{f7}",
        "plusmn" => "\u{b1}",
        "deg" => "\u{b0}",
        "permil" => "\u{2030}",
        "copy" => "\u{a9}",
        "reg" => "\u{ae}",
        "trade" => "\u{2122}",
        "yen" => "\u{a5}",
        "cent" => "\u{a2}",
        "pound" => "\u{a3}",
        "euro" => "\u{20ac}",
        "sect" => "\u{a7}",
        "para" => "\u{b6}",
        "laquo" => "\u{ab}",
        "raquo" => "\u{bb}",
        "lsaquo" => "\u{2039}",
        "rsaquo" => "\u{203a}",
        "iexcl" => "\u{a1}",
        "iquest" => "\u{bf}",
        "frac12" => "\u{bd}",
        "frac14" => "\u{bc}",
        "frac34" => "\u{be}",
        "sup1" => "\u{b9}",
        "sup2" => "\u{b2}",
        "sup3" => "\u{b3}",
        "micro" => "\u{b5}",
        "larr" => "\u{2190}",
        "rarr" => "\u{2192}",
        "uarr" => "\u{2191}",
        "darr" => "\u{2193}",
        "harr" => "\u{2194}",
        "le" => "\u{2264}",
        "ge" => "\u{2265}",
        "ne" => "\u{2260}",
        "asymp" => "\u{2248}",
        "infin" => "\u{221e}",
        "minus" => "\u{2212}",
        "shy" => "\u{ad}",
        "not" => "\u{ac}",
        "ordf" => "\u{aa}",
        "ordm" => "\u{ba}",
        "curren" => "\u{a4}",
        "brvbar" => "\u{a6}",
        "dagger" => "\u{2020}",
        "Dagger" => "\u{2021}",
        "sdot" => "\u{22c5}",
        "radic" => "\u{221a}",
        "sum" => "\u{2211}",
        "lowast" => "\u{2217}",
        "circ" => "\u{2c6}",
        "tilde" => "\u{2dc}",
        _ => return None,
    })
}

/// The characters windows-1252 has at 0x80–0x9F, which browsers substitute for numeric
/// references to those C1 controls.
const WINDOWS_1252: [u32; 32] = [
    0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039,
    0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc,
    0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/// Decodes the character reference at the start of `s` (which starts with `&`): what it stands
/// for and its length in bytes. `None` when it is not one this module decodes, in which case the
/// text is kept as written.
fn entity(s: &[u8]) -> Option<(Decoded, usize)> {
    match s.get(1)? {
        b'#' => {
            let hex = matches!(s.get(2), Some(b'x' | b'X'));
            let radix = if hex { 16 } else { 10 };
            let digits = if hex { 3 } else { 2 };
            let mut p = digits;
            let mut value: u32 = 0;
            while let Some(d) = s.get(p).and_then(|&c| char::from(c).to_digit(radix)) {
                value = value.saturating_mul(radix).saturating_add(d).min(0x11_0000);
                p += 1;
            }
            if p == digits {
                return None;
            }
            if s.get(p) == Some(&b';') {
                p += 1;
            }
            let value = match value {
                0x80..=0x9f => WINDOWS_1252[(value - 0x80) as usize],
                v => v,
            };
            // `from_u32` refuses surrogates and values past U+10FFFF.
            let c = char::from_u32(value).filter(|&c| c != '\0')?;
            Some((Decoded::Char(c), p))
        }
        c if c.is_ascii_alphanumeric() => {
            let mut p = 1;
            while p < s.len() && p <= 32 && s[p].is_ascii_alphanumeric() {
                p += 1;
            }
            let name = std::str::from_utf8(s.get(1..p)?).ok()?;
            if s.get(p) == Some(&b';') {
                if let Some(text) = named(name) {
                    return Some((Decoded::Str(text), p + 1));
                }
            }
            let legacy = LEGACY.iter().find(|l| name.starts_with(**l))?;
            Some((Decoded::Str(named(legacy)?), 1 + legacy.len()))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// CJK

/// Han, kana, hangul, CJK punctuation (U+3000–U+303F) and full-width forms: characters between
/// which a line feed in the source is dropped rather than made a space.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11ff
        | 0x2e80..=0x2fdf
        | 0x3000..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa960..=0xa97f
        | 0xac00..=0xd7ff
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xffef
        | 0x2_0000..=0x3_ffff)
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// Strength of a pending break; a stronger one replaces a weaker one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum Level {
    #[default]
    None,
    Space,
    Line,
    Paragraph,
}

/// A break or space waiting for the next visible character, so that breaks can merge and white
/// space before a break or at the start of a line is never written.
#[derive(Debug, Clone, Copy, Default)]
struct Pending {
    level: Level,
    /// Source range it stands for (the first tag or white-space run that asked for it).
    start: usize,
    end: usize,
    /// A space from white space holding a line feed (dropped between CJK characters).
    lf: bool,
    /// A space from a single U+0020 in the source (written verbatim).
    single: bool,
}

/// A cell of a data table being read.
#[derive(Debug)]
struct OpenCell {
    start: usize,
    header: bool,
    colspan: usize,
    rowspan: usize,
}

/// An open table.
#[derive(Debug)]
struct TableCtx {
    data: bool,
    rows: Vec<Vec<Cell>>,
    row_open: bool,
    cell: Option<OpenCell>,
}

struct Renderer<'s> {
    src: &'s str,
    out: TextBuilder,
    /// Text offset after the last break or cell separator written: white space is never trimmed
    /// below it, and a space right at it is not written.
    floor: usize,
    pending: Pending,
    pre_depth: usize,
    /// The token before was a `<pre>` start tag (a line feed right after it is dropped).
    after_pre: bool,
    /// Whether each table, in order of their start tags, is a data table.
    data: Vec<bool>,
    next_table: usize,
    tables: Vec<TableCtx>,
    found: Vec<Table>,
}

/// The part of the source at `r`, or nothing if `r` is not a valid range of it (which would be a
/// bug: ranges are only ever cut at ASCII bytes).
fn slice(src: &str, r: Range<usize>) -> &str {
    debug_assert!(src.get(r.clone()).is_some(), "bad range {r:?}");
    src.get(r).unwrap_or_default()
}

/// Colspan or rowspan from an attribute value: its leading digits, clamped to 1..=1000.
fn parse_span(value: &[u8]) -> usize {
    let digits = value
        .iter()
        .skip_while(|&&c| is_ws(c))
        .skip_while(|&&c| c == b'+');
    let n = digits
        .take_while(|c| c.is_ascii_digit())
        .fold(0usize, |n, &c| {
            n.saturating_mul(10).saturating_add(usize::from(c - b'0'))
        });
    n.clamp(1, 1000)
}

/// The colspan and rowspan of the cell whose start tag is at `tag`.
fn cell_spans(src: &str, tag: Range<usize>) -> (usize, usize) {
    let b = src.as_bytes();
    let mut p = tag.start + 1;
    while p < b.len() && !is_ws(b[p]) && b[p] != b'/' && b[p] != b'>' {
        p += 1;
    }
    let mut attrs = AttrScanner { b, pos: p };
    let (mut colspan, mut rowspan) = (None, None);
    while let Step::Attr(name, value) = attrs.step() {
        let name = b.get(name).unwrap_or_default();
        let value = value.and_then(|v| b.get(v)).unwrap_or_default();
        // As in browsers, the first of repeated attributes wins.
        if name.eq_ignore_ascii_case(b"colspan") && colspan.is_none() {
            colspan = Some(parse_span(value));
        } else if name.eq_ignore_ascii_case(b"rowspan") && rowspan.is_none() {
            rowspan = Some(parse_span(value));
        }
    }
    (colspan.unwrap_or(1), rowspan.unwrap_or(1))
}

impl<'s> Renderer<'s> {
    fn new(src: &'s str, data: Vec<bool>) -> Self {
        Renderer {
            src,
            out: TextBuilder::new(),
            floor: 0,
            pending: Pending::default(),
            pre_depth: 0,
            after_pre: false,
            data,
            next_table: 0,
            tables: Vec::new(),
            found: Vec::new(),
        }
    }

    fn in_data_table(&self) -> bool {
        self.tables.last().is_some_and(|t| t.data)
    }

    fn token(&mut self, t: &Token) {
        let after_pre = std::mem::take(&mut self.after_pre);
        let range = t.start..t.end;
        match t.kind {
            Kind::Text => {
                if self.pre_depth > 0 && !self.in_data_table() {
                    self.pre_text(range, after_pre);
                } else {
                    self.flow_text(range);
                }
            }
            Kind::Start | Kind::SelfClosing => self.start_tag(t, range),
            Kind::End => self.end_tag(t.tag, range),
        }
    }

    fn start_tag(&mut self, t: &Token, range: Range<usize>) {
        match t.tag {
            Tag::Br => self.line(range),
            Tag::Block | Tag::Body => self.paragraph(range),
            Tag::Pre => {
                self.paragraph(range);
                // Unlike browsers, `<pre/>` is taken as empty.
                if t.kind == Kind::Start {
                    self.pre_depth += 1;
                    self.after_pre = true;
                }
            }
            Tag::Table => {
                self.paragraph(range);
                let data = self.data.get(self.next_table).copied().unwrap_or(false);
                self.next_table += 1;
                self.tables.push(TableCtx {
                    data,
                    rows: Vec::new(),
                    row_open: false,
                    cell: None,
                });
            }
            Tag::Tr | Tag::Td | Tag::Th | Tag::Section | Tag::Caption | Tag::Col => {
                self.table_part(t.tag, true, range)
            }
            Tag::Other | Tag::Raw(_) | Tag::Hidden(_) => {}
        }
    }

    fn end_tag(&mut self, tag: Tag, range: Range<usize>) {
        match tag {
            // Browsers take `</br>` for `<br>`.
            Tag::Br => self.line(range),
            Tag::Block | Tag::Body => self.paragraph(range),
            Tag::Pre => {
                self.paragraph(range);
                self.pre_depth = self.pre_depth.saturating_sub(1);
            }
            Tag::Table => {
                self.close_table();
                self.paragraph(range);
            }
            Tag::Tr | Tag::Td | Tag::Th | Tag::Section | Tag::Caption | Tag::Col => {
                self.table_part(tag, false, range)
            }
            Tag::Other | Tag::Raw(_) | Tag::Hidden(_) => {}
        }
    }

    /// A table-structure tag: paragraph breaks outside data tables, rows and cells inside them.
    fn table_part(&mut self, tag: Tag, start: bool, range: Range<usize>) {
        if !self.in_data_table() {
            if tag != Tag::Col {
                self.paragraph(range);
            }
            return;
        }
        match (tag, start) {
            (Tag::Tr, true) => self.start_row(range),
            (Tag::Td | Tag::Th, true) => self.start_cell(range, tag == Tag::Th),
            (Tag::Td | Tag::Th, false) => self.close_cell(),
            (Tag::Tr | Tag::Section, _) => self.end_row(),
            (Tag::Caption, _) => {
                self.end_row();
                self.raise(Level::Paragraph, range);
            }
            _ => {}
        }
    }

    fn start_row(&mut self, range: Range<usize>) {
        self.end_row();
        // Written now rather than left pending, so that cell spans start after it.
        self.drop_space();
        self.raise(Level::Line, range);
        self.flush(None);
        if let Some(t) = self.tables.last_mut() {
            t.rows.push(Vec::new());
            t.row_open = true;
        }
    }

    fn end_row(&mut self) {
        self.close_cell();
        if let Some(t) = self.tables.last_mut() {
            t.row_open = false;
        }
    }

    fn start_cell(&mut self, range: Range<usize>, header: bool) {
        self.close_cell();
        let row_has_cells = match self.tables.last() {
            Some(t) if t.row_open => t.rows.last().is_some_and(|r| !r.is_empty()),
            _ => {
                self.start_row(range.clone());
                false
            }
        };
        self.drop_space();
        self.flush(None);
        if row_has_cells {
            self.out.push_synthetic("\t", range.clone());
        }
        self.floor = self.out.text().len();
        let (colspan, rowspan) = cell_spans(self.src, range);
        let start = self.floor;
        if let Some(t) = self.tables.last_mut() {
            t.cell = Some(OpenCell {
                start,
                header,
                colspan,
                rowspan,
            });
        }
    }

    fn close_cell(&mut self) {
        let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.take()) else {
            return;
        };
        self.drop_space();
        self.trim_ws();
        let end = self.out.text().len().max(cell.start);
        let done = Cell {
            span: cell.start..end,
            header: cell.header,
            colspan: cell.colspan,
            rowspan: cell.rowspan,
        };
        if let Some(t) = self.tables.last_mut() {
            match t.rows.last_mut() {
                Some(row) => row.push(done),
                None => t.rows.push(vec![done]),
            }
        }
    }

    /// Closes the innermost open table, recording it if it is a data table with cells.
    fn close_table(&mut self) {
        if self.tables.is_empty() {
            return;
        }
        self.end_row();
        if let Some(t) = self.tables.pop() {
            if t.data && t.rows.iter().any(|r| !r.is_empty()) {
                // Markup says where the cells are: not a `layout` table in the sense of
                // `Table::layout` (columns lined up in plain text).
                self.found.push(Table {
                    rows: t.rows,
                    ..Table::default()
                });
            }
        }
    }

    // -- Breaks and white space --

    fn raise(&mut self, level: Level, range: Range<usize>) {
        if level > self.pending.level {
            self.pending = Pending {
                level,
                start: range.start,
                end: range.end,
                lf: false,
                single: false,
            };
        }
    }

    fn drop_space(&mut self) {
        if self.pending.level == Level::Space {
            self.pending = Pending::default();
        }
    }

    /// A paragraph break, or a space inside a data table.
    fn paragraph(&mut self, range: Range<usize>) {
        if self.in_data_table() {
            self.space(range, false, false);
        } else {
            self.raise(Level::Paragraph, range);
        }
    }

    /// A line break, or a space inside a data table. Two line breaks make a paragraph break.
    fn line(&mut self, range: Range<usize>) {
        if self.in_data_table() {
            self.space(range, false, false);
        } else if self.pending.level == Level::Line {
            self.pending.level = Level::Paragraph;
        } else {
            self.raise(Level::Line, range);
        }
    }

    fn space(&mut self, range: Range<usize>, lf: bool, single: bool) {
        match self.pending.level {
            Level::None => {
                self.pending = Pending {
                    level: Level::Space,
                    start: range.start,
                    end: range.end,
                    lf,
                    single,
                }
            }
            Level::Space => {
                self.pending.lf |= lf;
                self.pending.single = false;
            }
            Level::Line | Level::Paragraph => {}
        }
    }

    /// Writes what is pending, before the character `next`.
    fn flush(&mut self, next: Option<char>) {
        let p = std::mem::take(&mut self.pending);
        match p.level {
            Level::None => {}
            Level::Space => {
                let text = self.out.text();
                if text.len() <= self.floor {
                    return;
                }
                let prev = text.chars().next_back();
                if p.lf && next.is_some_and(is_cjk) && prev.is_some_and(is_cjk) {
                    return;
                }
                if p.single {
                    self.out.push_verbatim(" ", p.start);
                } else {
                    self.out.push_synthetic(" ", p.start..p.end);
                }
            }
            level => self.write_break(level, p.start..p.end),
        }
    }

    fn write_break(&mut self, level: Level, range: Range<usize>) {
        self.trim_ws();
        let text = self.out.text();
        if text.is_empty() {
            return;
        }
        let have = text
            .bytes()
            .rev()
            .take(2)
            .take_while(|&c| c == b'\n')
            .count();
        let add = match level {
            Level::Paragraph => &"\n\n"[have..],
            _ if have >= 2 => "",
            _ => "\n",
        };
        self.out.push_synthetic(add, range);
        self.floor = self.out.text().len();
    }

    /// Removes white space at the end of the text, down to the floor.
    fn trim_ws(&mut self) {
        let text = self.out.text().as_bytes();
        let above = text.get(self.floor..).unwrap_or_default();
        self.trim_last(above.iter().rev().take_while(|&&c| is_ws(c)).count());
    }

    /// Removes the last `n` bytes of the text, which are ASCII white space.
    fn trim_last(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let left = Budget::new(n);
        self.out.trim_end_matches(|c: char| {
            let l = left.get();
            let drop = l > 0 && u8::try_from(c).is_ok_and(is_ws);
            if drop {
                left.set(l - 1);
            }
            drop
        });
    }

    // -- Text --

    fn verbatim(&mut self, r: Range<usize>) {
        let s = slice(self.src, r.clone());
        if let Some(first) = s.chars().next() {
            self.flush(Some(first));
            self.out.push_verbatim(s, r.start);
        }
    }

    fn synthetic(&mut self, s: &str, r: Range<usize>) {
        self.flush(s.chars().next());
        self.out.push_synthetic(s, r);
    }

    /// The character reference at `at` (an `&`) if there is one: writes it and returns its
    /// length.
    ///
    /// A reference to white space (`&#10;`, `&#32;`) is white space, as in browsers: outside
    /// `pre` it collapses with the white space around it; inside, a line feed made by one is
    /// dropped where a blank line would be.
    fn reference(&mut self, at: usize, end: usize, pre: bool) -> Option<usize> {
        let bytes = self.src.as_bytes().get(at..end)?;
        let (decoded, len) = entity(bytes)?;
        let range = at..at + len;
        let mut buf = [0u8; 4];
        let s = match decoded {
            Decoded::Str(s) => s,
            Decoded::Char(c) if u8::try_from(c).is_ok_and(is_ws) => {
                let lf = matches!(c, '\n' | '\r');
                if !pre {
                    self.space(range, lf, false);
                } else if !(lf && self.at_line_start()) {
                    self.synthetic(c.encode_utf8(&mut buf), range);
                }
                return Some(len);
            }
            Decoded::Char(c) => c.encode_utf8(&mut buf),
        };
        self.synthetic(s, range);
        Some(len)
    }

    /// Text outside `pre`: white space collapses.
    fn flow_text(&mut self, r: Range<usize>) {
        let b = self.src.as_bytes();
        let end = r.end.min(b.len());
        let mut i = r.start;
        while i < end {
            let c = b[i];
            if is_ws(c) {
                let s = i;
                let mut lf = false;
                while i < end && is_ws(b[i]) {
                    lf |= matches!(b[i], b'\n' | b'\r');
                    i += 1;
                }
                self.space(s..i, lf, i - s == 1 && c == b' ');
            } else if c == b'&' {
                match self.reference(i, end, false) {
                    Some(len) => i += len,
                    None => {
                        self.verbatim(i..i + 1);
                        i += 1;
                    }
                }
            } else {
                let s = i;
                while i < end && !is_ws(b[i]) && b[i] != b'&' {
                    i += 1;
                }
                self.verbatim(s..i);
            }
        }
    }

    /// Whether the next character written would start a line.
    fn at_line_start(&self) -> bool {
        self.pending.level >= Level::Line || self.out.text().len() <= self.floor
    }

    /// Text inside `pre`: kept as is, except that a carriage return is made a line feed (or
    /// dropped before one), a line feed right after the start tag is dropped, and so are blank
    /// lines right after a break.
    fn pre_text(&mut self, r: Range<usize>, after_pre: bool) {
        let b = self.src.as_bytes();
        let end = r.end.min(b.len());
        let mut i = r.start;
        if after_pre {
            if b.get(i..end).is_some_and(|s| s.starts_with(b"\r\n")) {
                i += 2;
            } else if matches!(b.get(i), Some(b'\n' | b'\r')) {
                i += 1;
            }
        }
        while i < end {
            // Blank lines right after a break (or at the start of the text) would add to it.
            if self.at_line_start() {
                let run = b[i..end].iter().take_while(|&&c| is_ws(c)).count();
                if let Some(last) = b[i..i + run]
                    .iter()
                    .rposition(|&c| matches!(c, b'\n' | b'\r'))
                {
                    i += last + 1;
                    continue;
                }
            }
            match b[i] {
                b'&' => match self.reference(i, end, true) {
                    Some(len) => i += len,
                    None => {
                        self.verbatim(i..i + 1);
                        i += 1;
                    }
                },
                b'\r' => {
                    if b.get(i + 1) != Some(&b'\n') || i + 1 >= end {
                        self.synthetic("\n", i..i + 1);
                    }
                    i += 1;
                }
                _ => {
                    let s = i;
                    while i < end && b[i] != b'&' && b[i] != b'\r' {
                        i += 1;
                    }
                    self.verbatim(s..i);
                }
            }
        }
    }

    fn finish(mut self) -> Extracted {
        while !self.tables.is_empty() {
            self.close_table();
        }
        self.pending = Pending::default();
        self.trim_ws();
        // Empty rows at the very end may leave several line feeds; keep one.
        let newlines = self
            .out
            .text()
            .bytes()
            .rev()
            .take_while(|&c| c == b'\n')
            .count();
        self.trim_last(newlines.saturating_sub(1));
        // Empty cells at the very end may sit after the trimmed line feeds.
        let len = self.out.text().len();
        for cell in self
            .found
            .iter_mut()
            .flat_map(|t| t.rows.iter_mut())
            .flatten()
        {
            cell.span = cell.span.start.min(len)..cell.span.end.min(len);
        }
        let (text, map) = self.out.finish();
        Extracted {
            text,
            map,
            tables: self.found,
            zones: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(src: &str) -> String {
        extract(src).text
    }

    #[test]
    fn a_table_cell_of_running_text_is_a_layout_table() {
        let page =
            "<table><tr><td><p>一、开展主题活动，覆盖全区。</p><p>二、印发《实施方案》。</p>\
                    <p>三、组织宣传周活动。</p></td></tr></table>";
        let ex = extract(page);
        assert!(ex.tables.is_empty());
        assert_eq!(
            ex.text,
            "一、开展主题活动，覆盖全区。\n\n二、印发《实施方案》。\n\n三、组织宣传周活动。"
        );
        // One paragraph per cell, as Word exports data tables, stays a data table.
        let data = "<table><tr><td><p>合计</p></td><td><p>42</p></td></tr></table>";
        assert_eq!(extract(data).tables.len(), 1);
    }

    /// Checks the offset map over every character of the text: verbatim characters map to
    /// themselves, others to a tag, a reference or a white-space run; sources never go backwards.
    /// Also checks the spans of table cells.
    fn check_map(src: &str, ex: &Extracted) {
        let mut prev = 0;
        for (i, ch) in ex.text.char_indices() {
            let span = i..i + ch.len_utf8();
            let r = ex.map.source_range(span.clone());
            assert!(
                r.start <= r.end && r.end <= src.len(),
                "range {r:?} for {ch:?} at {i}"
            );
            let s = src
                .get(r.clone())
                .unwrap_or_else(|| panic!("not on char boundaries: {r:?} for {ch:?} at {i}"));
            if ex.map.is_verbatim(span) {
                assert_eq!(s, ch.to_string(), "verbatim {ch:?} at {i}");
            } else {
                let tag = s.starts_with('<') && s.ends_with('>');
                let reference = s.starts_with('&') && s.len() > 1;
                let white = !s.is_empty() && s.bytes().all(is_ws);
                assert!(
                    tag || reference || white,
                    "synthetic {ch:?} at {i} maps to {s:?}"
                );
            }
            assert!(
                r.start >= prev,
                "map goes backwards at {i}: {} < {prev}",
                r.start
            );
            prev = r.start;
        }
        for table in &ex.tables {
            for cell in table.rows.iter().flatten() {
                let t = ex
                    .text
                    .get(cell.span.clone())
                    .expect("cell span on char boundaries");
                assert_eq!(t, t.trim_matches(' '), "cell text is trimmed");
                assert!(
                    !t.contains(['\n', '\t']),
                    "cell text stays on its line: {t:?}"
                );
                assert!((1..=1000).contains(&cell.colspan) && (1..=1000).contains(&cell.rowspan));
            }
        }
    }

    fn checked(src: &str) -> Extracted {
        let ex = extract(src);
        check_map(src, &ex);
        ex
    }

    fn cell_texts(ex: &Extracted, table: usize) -> Vec<Vec<&str>> {
        ex.tables[table]
            .rows
            .iter()
            .map(|row| row.iter().map(|c| &ex.text[c.span.clone()]).collect())
            .collect()
    }

    // -- Tokenizer --

    #[test]
    fn quoted_attribute_values_may_hold_gt() {
        assert_eq!(
            text(r#"<a title="a > b" href='x>y'>link</a> after"#),
            "link after"
        );
        assert_eq!(text(r#"<p data-x="<p>">one</p>"#), "one");
    }

    #[test]
    fn unterminated_tag_at_eof_is_skipped() {
        assert_eq!(text("text<a href=\"x"), "text");
        assert_eq!(text("text<div class=x"), "text");
        assert_eq!(text("text</p"), "text");
    }

    #[test]
    fn unterminated_comment_and_doctype_at_eof_are_skipped() {
        assert_eq!(text("a<!-- never closed <p>b</p>"), "a");
        assert_eq!(text("a<!DOCTYPE html"), "a");
        assert_eq!(text("a<![CDATA[ x"), "a");
    }

    #[test]
    fn comments_doctype_pi_and_cdata_are_skipped() {
        let src =
            "<!DOCTYPE html><?xml version=\"1.0\"?>a<!-- x > y -->b<![CDATA[c]]>d<!-->e<!--->f";
        assert_eq!(text(src), "abdef");
    }

    #[test]
    fn uppercase_tags_are_recognised() {
        assert_eq!(
            text("<P>a</P><DIV>b</DIV><SCRIPT>x</SCRIPT>c<Br>d"),
            "a\n\nb\n\nc\nd"
        );
    }

    #[test]
    fn self_closing_syntax() {
        assert_eq!(text("a<br/>b<br />c"), "a\nb\nc");
        assert_eq!(text("a<span/>b"), "ab");
        assert_eq!(text("a<svg/>b"), "ab");
        assert_eq!(text("a<div/>b"), "a\n\nb");
    }

    #[test]
    fn lone_lt_is_text() {
        assert_eq!(text("a < b and 1<2 <中文> <"), "a < b and 1<2 <中文> <");
        assert_eq!(text("a </ b> c"), "a c");
        assert_eq!(text("a</>b"), "ab");
    }

    #[test]
    fn end_tag_attributes_and_junk_are_tolerated() {
        assert_eq!(text("<p>a</p class=\"x>\">b"), "a\n\nb");
        assert_eq!(text("<p =x \"y\" / >a"), "a");
    }

    // -- Hidden elements --

    #[test]
    fn head_and_title_are_hidden() {
        let src =
            "<html><head><title>Title</title><meta charset=utf-8></head><body>Body</body></html>";
        assert_eq!(text(src), "Body");
    }

    #[test]
    fn head_without_end_tag_ends_at_body() {
        assert_eq!(
            text("<head><title>T</title><link rel=x><body><p>B</p>"),
            "B"
        );
        // No end tag and no body: the head is taken as empty rather than hiding the page.
        assert_eq!(text("<head><title>T</title><p>visible</p>"), "visible");
    }

    #[test]
    fn hidden_elements_are_skipped_with_their_content() {
        for name in [
            "script", "style", "noscript", "template", "textarea", "select", "option", "iframe",
            "object", "svg", "math", "canvas", "title",
        ] {
            let src = format!("a<{name} x=1>hidden <p>text</p></{name}>b");
            assert_eq!(text(&src), "ab", "{name}");
        }
        assert_eq!(text("a<select><option>1<option>2</select>b"), "ab");
        assert_eq!(
            text("a<svg><g><text>x</text></g><svg>y</svg>z</svg>b"),
            "ab"
        );
    }

    #[test]
    fn raw_text_is_not_tokenized() {
        let src = "<script>if (a<b && c>d) { s = '<p>x</p><!--'; }</script>a<style>p>b{}</style>b";
        assert_eq!(text(src), "ab");
        assert_eq!(text("<script>document.write('</div>')</script>a"), "a");
        assert_eq!(text("<textarea><b>x</b></textarea>a"), "a");
    }

    #[test]
    fn raw_text_end_tag_is_found_in_any_case() {
        assert_eq!(text("<SCRIPT>x</script >a"), "a");
        assert_eq!(text("<script>x</ScRiPt\n>a"), "a");
        assert_eq!(text("<script>x</scripts></script>a"), "a");
        assert_eq!(text("<style>x</STYLE>a"), "a");
    }

    #[test]
    fn unclosed_raw_text_element_is_taken_as_empty() {
        assert_eq!(text("<iframe src=x />a<p>b</p>"), "a\n\nb");
        assert_eq!(text("<script>x<script>y</script>a"), "a");
    }

    #[test]
    fn unclosed_hidden_element_is_taken_as_empty() {
        assert_eq!(text("a<option>b"), "ab");
        assert_eq!(text("<svg><svg></svg>a"), "a");
    }

    // -- Blocks and breaks --

    #[test]
    fn blocks_make_paragraphs() {
        assert_eq!(text("<p>a</p><p>b</p>"), "a\n\nb");
        assert_eq!(text("<div><div><p>a</p></div></div><h1>b</h1>"), "a\n\nb");
        assert_eq!(text("a<div>b</div>c"), "a\n\nb\n\nc");
        assert_eq!(text("<ul><li>x</li><li>y</li></ul>"), "x\n\ny");
        assert_eq!(text("a<hr>b"), "a\n\nb");
    }

    #[test]
    fn no_break_at_start_and_at_most_one_newline_at_end() {
        assert_eq!(text("<html><body><p>a</p></body></html>"), "a");
        assert_eq!(text("\n\n  <p>  a  </p>  \n"), "a");
        assert_eq!(text("<pre>a\n\n\n</pre>"), "a");
        let t = text("<p>a</p><br><br><br>");
        assert!(!t.ends_with("\n\n"), "{t:?}");
    }

    #[test]
    fn white_space_before_a_break_is_trimmed() {
        assert_eq!(text("<p>a   </p>  <p>  b</p>"), "a\n\nb");
        assert_eq!(text("a \t<br> b"), "a\nb");
    }

    #[test]
    fn paragraph_break_maps_to_its_tag() {
        let src = "<p>a</p><p>b</p>";
        let ex = checked(src);
        assert_eq!(ex.text, "a\n\nb");
        assert_eq!(&src[ex.map.source_range(1..3)], "</p>");
    }

    #[test]
    fn br_is_a_line_break() {
        let src = "a<br>  b<BR/>\n c";
        let ex = checked(src);
        assert_eq!(ex.text, "a\nb\nc");
        assert_eq!(&src[ex.map.source_range(1..2)], "<br>");
        assert_eq!(text("a</br>b"), "a\nb");
    }

    #[test]
    fn two_brs_make_a_paragraph_break() {
        assert_eq!(text("a<br><br>b"), "a\n\nb");
        assert_eq!(text("a<br>\n<br>\n<br>b"), "a\n\nb");
        assert_eq!(text("<p>a<br></p><p>b</p>"), "a\n\nb");
    }

    // -- White space --

    #[test]
    fn white_space_runs_collapse() {
        let src = "a \t\r\n\x0c b";
        let ex = checked(src);
        assert_eq!(ex.text, "a b");
        assert_eq!(&src[ex.map.source_range(1..2)], " \t\r\n\x0c ");
        assert!(!ex.map.is_verbatim(1..2));
    }

    #[test]
    fn a_single_space_is_verbatim() {
        let src = "<p>one two</p>";
        let ex = checked(src);
        assert_eq!(ex.text, "one two");
        assert!(ex.map.is_verbatim(0..7));
    }

    #[test]
    fn white_space_across_inline_tags_collapses() {
        assert_eq!(text("a <b> b </b> c"), "a b c");
        assert_eq!(text("a<span> </span><span> </span>b"), "a b");
    }

    #[test]
    fn line_feed_between_cjk_is_dropped() {
        assert_eq!(
            text("<p>现将办法印发给你们，\n请认真贯彻执行。</p>"),
            "现将办法印发给你们，请认真贯彻执行。"
        );
        assert_eq!(text("中文\r\n  中文"), "中文中文");
        assert_eq!(text("かな\nカナ\n한국"), "かなカナ한국");
        assert_eq!(text("（注）\n「引」"), "（注）「引」");
    }

    #[test]
    fn line_feed_next_to_latin_or_without_lf_stays_a_space() {
        assert_eq!(text("中文\nEnglish"), "中文 English");
        assert_eq!(text("English\n中文"), "English 中文");
        assert_eq!(text("中文 中文"), "中文 中文");
        assert_eq!(text("1\n2"), "1 2");
    }

    #[test]
    fn nbsp_and_ideographic_space_are_kept() {
        let src = "<p>\u{3000}\u{3000}正文\u{a0}x</p>";
        let ex = checked(src);
        assert_eq!(ex.text, "\u{3000}\u{3000}正文\u{a0}x");
        assert!(ex.map.is_verbatim(0..ex.text.len()));
        assert_eq!(text("<p>&nbsp;&nbsp;a</p>"), "\u{a0}\u{a0}a");
    }

    #[test]
    fn spaces_at_line_start_are_dropped() {
        assert_eq!(text("<p>\n    indented</p>"), "indented");
        assert_eq!(text("a<br>\n    b"), "a\nb");
    }

    #[test]
    fn pre_keeps_white_space() {
        let src = "<p>x</p><pre>\n  a  b\n\tc\n</pre><p>y</p>";
        let ex = checked(src);
        assert_eq!(ex.text, "x\n\n  a  b\n\tc\n\ny");
        let lf = ex.text.find("b\n").map(|i| i + 1).unwrap_or_default();
        assert!(ex.map.is_verbatim(lf..lf + 1));
    }

    #[test]
    fn pre_normalises_carriage_returns() {
        let src = "<pre>a\r\nb\rc</pre>";
        let ex = checked(src);
        assert_eq!(ex.text, "a\nb\nc");
    }

    #[test]
    fn blank_lines_after_a_break_in_pre_are_dropped() {
        assert_eq!(
            text("<p>a</p><pre>\n\n\n  b\n\n\nc</pre>"),
            "a\n\n  b\n\n\nc"
        );
        assert_eq!(text("<pre><b></b>\n \n  b</pre>"), "  b");
        assert_eq!(text("<pre>a<br>\n\nb</pre>"), "a\nb");
    }

    #[test]
    fn pre_with_inline_markup_and_entities() {
        assert_eq!(text("<pre><b>x</b>  &lt;y&gt;\n z</pre>"), "x  <y>\n z");
    }

    // -- Character references --

    #[test]
    fn named_references() {
        let cases = [
            ("amp", "&"),
            ("lt", "<"),
            ("gt", ">"),
            ("quot", "\""),
            ("apos", "'"),
            ("nbsp", "\u{a0}"),
            ("ensp", "\u{2002}"),
            ("emsp", "\u{2003}"),
            ("thinsp", "\u{2009}"),
            ("zwnj", "\u{200c}"),
            ("zwj", "\u{200d}"),
            ("lrm", "\u{200e}"),
            ("rlm", "\u{200f}"),
            ("ndash", "–"),
            ("mdash", "—"),
            ("lsquo", "‘"),
            ("rsquo", "’"),
            ("sbquo", "‚"),
            ("ldquo", "“"),
            ("rdquo", "”"),
            ("bdquo", "„"),
            ("hellip", "…"),
            ("middot", "·"),
            ("bull", "•"),
            ("prime", "′"),
            ("Prime", "″"),
            ("times", "×"),
            ("divide", "÷"),
            ("plusmn", "±"),
            ("deg", "°"),
            ("permil", "‰"),
            ("copy", "©"),
            ("reg", "®"),
            ("trade", "™"),
            ("yen", "¥"),
            ("cent", "¢"),
            ("pound", "£"),
            ("euro", "€"),
            ("sect", "§"),
            ("para", "¶"),
            ("laquo", "«"),
            ("raquo", "»"),
            ("lsaquo", "‹"),
            ("rsaquo", "›"),
            ("iexcl", "¡"),
            ("iquest", "¿"),
            ("frac12", "½"),
            ("frac14", "¼"),
            ("frac34", "¾"),
            ("sup1", "¹"),
            ("sup2", "²"),
            ("sup3", "³"),
            ("micro", "µ"),
            ("larr", "←"),
            ("rarr", "→"),
            ("uarr", "↑"),
            ("darr", "↓"),
            ("le", "≤"),
            ("ge", "≥"),
            ("ne", "≠"),
            ("asymp", "≈"),
            ("infin", "∞"),
            ("minus", "−"),
            ("shy", "\u{ad}"),
        ];
        for (name, want) in cases {
            let src = format!("x&{name};y");
            let ex = checked(&src);
            assert_eq!(ex.text, format!("x{want}y"), "&{name};");
            let r = ex.map.source_range(1..1 + want.len());
            assert_eq!(&src[r], format!("&{name};"));
            assert!(!ex.map.is_verbatim(1..1 + want.len()));
        }
    }

    #[test]
    fn numeric_references() {
        let src = "&#20013;&#x6587;&#X56FD;";
        let ex = checked(src);
        assert_eq!(ex.text, "中文国");
        assert_eq!(&src[ex.map.source_range(0..3)], "&#20013;");
        assert_eq!(&src[ex.map.source_range(3..6)], "&#x6587;");
        assert_eq!(text("&#8220;引号&#8221;"), "“引号”");
        // Without the `;`, as browsers do.
        assert_eq!(text("&#20013abc"), "中abc");
        // Windows-1252 for C1 controls, as browsers do.
        assert_eq!(text("&#150;&#147;"), "–“");
    }

    #[test]
    fn legacy_references_without_semicolon() {
        assert_eq!(
            text("a &amp b &lt c &gt d &quot e &nbsp f &copy 2021 &reg"),
            "a & b < c > d \" e \u{a0} f © 2021 ®"
        );
        assert_eq!(text("&copy2021"), "©2021");
        assert_eq!(text("&ndash x"), "&ndash x");
    }

    #[test]
    fn unknown_and_invalid_references_are_kept_as_written() {
        for src in [
            "&unknown;",
            "&#0;",
            "&#xD800;",
            "&#x110000;",
            "&#99999999999999999999;",
            "&#;",
            "&#x;",
            "& x",
            "&",
            "&;",
            "a&b",
            "&#",
        ] {
            let ex = checked(src);
            assert_eq!(ex.text, src.trim_end(), "{src}");
            assert!(!ex.text.contains('\u{fffd}'));
        }
    }

    #[test]
    fn references_to_white_space_are_white_space() {
        assert_eq!(text("&#10;a&#32;&#9; b&#x0A;"), "a b");
        assert_eq!(text("中&#10;文"), "中文");
        assert_eq!(text("<pre>&#10;a&#32;&#32;b&#10;c</pre>"), "a  b\nc");
    }

    #[test]
    fn references_do_not_cross_tags() {
        assert_eq!(text("&am<b>p;</b>"), "&amp;");
    }

    // -- Inline elements --

    #[test]
    fn inline_elements_add_nothing() {
        assert_eq!(
            text("<p><span>生成日期：</span><span>2021-01-18</span></p>"),
            "生成日期：2021-01-18"
        );
        assert_eq!(
            text("<a href=x>a</a><b>b</b><i>c</i><strong>d</strong><em>e</em><font color=red>f</font><u>g</u>h<sub>i</sub><sup>j</sup><small>k</small><label>l</label><abbr>m</abbr>"),
            "abcdefghijklm"
        );
        assert_eq!(
            text("a<custom-element>b</custom-element><o:p>c</o:p>"),
            "abc"
        );
        assert_eq!(text("a<img src=x alt=\"图片\">b"), "ab");
    }

    // -- Tables --

    #[test]
    fn data_table_example() {
        let src = "<table><tr><td>索引号：</td><td>014-01</td></tr><tr><td>发布机构：</td><td></td></tr></table>";
        let ex = checked(src);
        assert_eq!(ex.text, "索引号：\t014-01\n发布机构：\t");
        assert_eq!(ex.tables.len(), 1);
        assert_eq!(
            cell_texts(&ex, 0),
            vec![vec!["索引号：", "014-01"], vec!["发布机构：", ""]]
        );
        let empty = &ex.tables[0].rows[1][1];
        assert_eq!(empty.span, ex.text.len()..ex.text.len());
        assert!(ex.tables[0]
            .rows
            .iter()
            .flatten()
            .all(|c| !c.header && c.colspan == 1 && c.rowspan == 1));
    }

    #[test]
    fn data_table_is_its_own_paragraph() {
        let src = "<p>before</p>text<table><tr><td>a</td><td>b</td></tr></table>after";
        let ex = checked(src);
        assert_eq!(ex.text, "before\n\ntext\n\na\tb\n\nafter");
        assert_eq!(cell_texts(&ex, 0), vec![vec!["a", "b"]]);
    }

    #[test]
    fn cell_separators_map_to_cell_tags() {
        let src = "<table><tr><td>a</td> <td class=x>b</td></tr>\n<tr><td>c</td></tr></table>";
        let ex = checked(src);
        assert_eq!(ex.text, "a\tb\nc");
        assert_eq!(&src[ex.map.source_range(1..2)], "<td class=x>");
        assert_eq!(&src[ex.map.source_range(3..4)], "<tr>");
    }

    #[test]
    fn header_cells_and_spans() {
        let src =
            "<table><thead><tr><th colspan=\"2\">项目</th><th rowspan=3>金额</th></tr></thead>\
                   <tbody><tr><td colspan=\"2px\">x</td><td colspan=junk rowspan=0>y</td>\
                   <td colspan=99999 ROWSPAN=' 7 '>z</td></tr></tbody></table>";
        let ex = checked(src);
        let rows = &ex.tables[0].rows;
        assert_eq!(rows.len(), 2, "thead rows count");
        assert!(rows[0].iter().all(|c| c.header));
        assert!(rows[1].iter().all(|c| !c.header));
        let spans: Vec<(usize, usize)> = rows
            .iter()
            .flatten()
            .map(|c| (c.colspan, c.rowspan))
            .collect();
        assert_eq!(spans, vec![(2, 1), (1, 3), (2, 1), (1, 1), (1000, 7)]);
    }

    #[test]
    fn cell_text_is_trimmed_and_blocks_in_cells_are_spaces() {
        let src = "<table><tr><td>\n  <p>第一段</p><p>第二段</p>  </td><td>a<br>b<div>c</div></td></tr></table>";
        let ex = checked(src);
        assert_eq!(ex.text, "第一段 第二段\ta b c");
        assert_eq!(cell_texts(&ex, 0), vec![vec!["第一段 第二段", "a b c"]]);
    }

    #[test]
    fn pre_in_a_cell_is_collapsed() {
        let ex = checked("<table><tr><td><pre>a\n  b</pre></td><td>c</td></tr></table>");
        assert_eq!(ex.text, "a b\tc");
    }

    #[test]
    fn totals_row_and_empty_cells() {
        let src = "<table><tr><th>项目</th><th>金额</th></tr><tr><td>收入</td><td>100</td></tr>\
                   <tr><td><b>合计</b></td><td>&nbsp;</td></tr><tr><td> </td><td></td></tr></table><p>x</p>";
        let ex = checked(src);
        assert_eq!(ex.text, "项目\t金额\n收入\t100\n合计\t\u{a0}\n\t\n\nx");
        assert_eq!(
            cell_texts(&ex, 0),
            vec![
                vec!["项目", "金额"],
                vec!["收入", "100"],
                vec!["合计", "\u{a0}"],
                vec!["", ""]
            ]
        );
    }

    #[test]
    fn rows_without_tr_and_cells_without_end_tags() {
        let ex = checked("<table><td>a<td>b<tr><td>c<td>d</table>");
        assert_eq!(ex.text, "a\tb\nc\td");
        assert_eq!(cell_texts(&ex, 0), vec![vec!["a", "b"], vec!["c", "d"]]);
    }

    #[test]
    fn unclosed_table_at_eof_is_recorded() {
        let ex = checked("<p>x</p><table><tr><td>a</td><td>b");
        assert_eq!(ex.text, "x\n\na\tb");
        assert_eq!(cell_texts(&ex, 0), vec![vec!["a", "b"]]);
    }

    #[test]
    fn caption_is_a_paragraph() {
        let ex = checked("<table><caption>表1 收支</caption><tr><td>a</td><td>b</td></tr></table>");
        assert_eq!(ex.text, "表1 收支\n\na\tb");
        assert_eq!(cell_texts(&ex, 0), vec![vec!["a", "b"]]);
    }

    #[test]
    fn layout_tables_are_paragraphs_and_nested_tables_are_judged_alone() {
        let src = "<table><tr><td>菜单</td><td>\
                   <table><tr><td>名称</td><td>数量</td></tr><tr><td>甲</td><td>1</td></tr></table>\
                   </td></tr><tr><td>页脚</td></tr></table>";
        let ex = checked(src);
        assert_eq!(ex.text, "菜单\n\n名称\t数量\n甲\t1\n\n页脚");
        assert_eq!(ex.tables.len(), 1);
        assert_eq!(
            cell_texts(&ex, 0),
            vec![vec!["名称", "数量"], vec!["甲", "1"]]
        );
    }

    #[test]
    fn layout_tables_nest_recursively() {
        let src = "<table><tr><td><table><tr><td>\
                   <table><tr><td>a</td><td>b</td></tr></table>\
                   </td><td>side</td></tr></table></td></tr></table>\
                   <table><tr><td>c</td></tr></table>";
        let ex = checked(src);
        assert_eq!(ex.text, "a\tb\n\nside\n\nc");
        assert_eq!(ex.tables.len(), 2);
        assert_eq!(cell_texts(&ex, 0), vec![vec!["a", "b"]]);
        assert_eq!(cell_texts(&ex, 1), vec![vec!["c"]]);
    }

    #[test]
    fn tables_inside_hidden_elements_do_not_count() {
        let ex = checked("<table><tr><td>a<template><table><tr><td>x</td></tr></table></template></td><td>b</td></tr></table>");
        assert_eq!(ex.text, "a\tb");
        assert_eq!(ex.tables.len(), 1);
    }

    #[test]
    fn stray_table_parts_outside_tables_are_breaks() {
        assert_eq!(text("a<td>b</td><tr>c"), "a\n\nb\n\nc");
        assert_eq!(text("a</table>b"), "a\n\nb");
        assert!(extract("<table></table><table>text only</table>")
            .tables
            .is_empty());
    }

    // -- Realistic pages --

    const PORTAL: &str = r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>关于印发《某某市政府信息公开办法》的通知_某某市人民政府门户网站</title>
<link rel="stylesheet" href="/css/main.css" />
<style type="text/css">
body { font: 14px/1.5 "宋体"; } .nav > li { float: left; }
</style>
<script type="text/javascript">
var _hmt = _hmt || []; if (a < b && b > c) { document.write("<p>不显示</p>"); }
</script>
</head>
<body>
<!-- 头部 开始 -->
<div class="header"><img src="/images/logo.png" alt="某某市人民政府" /></div>
<div class="nav">
  <ul>
    <li><a href="/">首页</a></li>
    <li><a href="/zwgk/">政务公开</a></li>
    <li class="on"><a href="/zwfw/">政务服务</a></li>
  </ul>
</div>
<!-- 头部 结束 -->
<div class="xxgk_table">
<table width="100%" border="0" cellspacing="0" cellpadding="0">
  <tr>
    <td class="t1">索引号：</td><td>014-01/2021-00012</td>
    <td class="t1">主题分类：</td><td>综合政务</td>
  </tr>
  <tr>
    <td class="t1">发布机构：</td><td></td>
    <td class="t1">生成日期：</td><td>2021-01-18</td>
  </tr>
  <tr>
    <td class="t1">名&nbsp;&nbsp;&nbsp;&nbsp;称：</td><td colspan="3">关于印发《某某市政府信息公开办法》的通知</td>
  </tr>
</table>
</div>
<div class="article">
<h1>关于印发《某某市政府信息公开办法》的通知</h1>
<p>各区人民政府，市政府各委、办、局，各市属机构：</p>
<p>　　现将《某某市政府信息公开办法》印发给你们，
请认真贯彻执行。</p>
<p style="text-align:center">表1&emsp;2020年收支情况</p>
<table border="1" class="data">
<thead><tr><th>项目</th><th>金额（万元）</th><th>同比</th></tr></thead>
<tbody>
<tr><td>一般公共预算收入</td><td>1,234.5</td><td>5.6%</td></tr>
<tr><td>政府性基金收入</td><td>678.9</td><td>&minus;2.1%</td></tr>
<tr><td><strong>合计</strong></td><td><strong>1,913.4</strong></td><td>&nbsp;</td></tr>
</tbody>
</table>
<p>联系电话：010&ndash;12345678&#65292;传真：010-87654321 &copy 2021 某某市人民政府 &amp; &#x4e2d;&#25991; &unknown; &#0;</p>
<pre>
  附件：
	1. 实施细则
	2. 申请表
</pre>
<p align="right">某某市人民政府<br />
2021年1月18日</p>
</div>
<div class="footer">
<p>主办：某某市人民政府办公厅 &nbsp;|&nbsp; 网站标识码：1100000001<br/>京ICP备05000000号</p>
</div>
<script>
  document.write('</div><table><tr><td>x</td></tr></table>');
</script>
<noscript><p>请启用脚本</p></noscript>
</body>
</html>
"#;

    #[test]
    fn government_portal_page() {
        let ex = checked(PORTAL);
        let t = &ex.text;
        assert!(t.starts_with("首页\n\n政务公开\n\n政务服务\n\n索引号：\t014-01/2021-00012\t主题分类：\t综合政务\n"), "{t}");
        assert!(
            t.contains("\n发布机构：\t\t生成日期：\t2021-01-18\n"),
            "{t}"
        );
        assert!(
            t.contains("名\u{a0}\u{a0}\u{a0}\u{a0}称：\t关于印发"),
            "{t}"
        );
        assert!(
            t.contains("\n\n　　现将《某某市政府信息公开办法》印发给你们，请认真贯彻执行。\n\n"),
            "{t}"
        );
        assert!(t.contains("表1\u{2003}2020年收支情况\n\n项目\t金额（万元）\t同比\n一般公共预算收入\t1,234.5\t5.6%\n"), "{t}");
        assert!(
            t.contains("\n合计\t1,913.4\t\u{a0}\n\n联系电话：010–12345678，传真"),
            "{t}"
        );
        assert!(
            t.contains("© 2021 某某市人民政府 & 中文 &unknown; &#0;\n\n"),
            "{t}"
        );
        assert!(
            t.contains(
                "\n\n  附件：\n\t1. 实施细则\n\t2. 申请表\n\n某某市人民政府\n2021年1月18日\n\n"
            ),
            "{t}"
        );
        assert!(
            t.ends_with("网站标识码：1100000001\n京ICP备05000000号"),
            "{t}"
        );
        for hidden in [
            "不显示",
            "_hmt",
            "font:",
            "门户网站",
            "请启用脚本",
            "头部",
            "\tx",
        ] {
            assert!(!t.contains(hidden), "{hidden} in {t}");
        }
        assert_eq!(ex.tables.len(), 2);
        assert_eq!(ex.tables[0].rows.len(), 3);
        assert_eq!(ex.tables[0].rows[2][1].colspan, 3);
        assert_eq!(
            cell_texts(&ex, 0)[1],
            vec!["发布机构：", "", "生成日期：", "2021-01-18"]
        );
        assert_eq!(cell_texts(&ex, 1)[3], vec!["合计", "1,913.4", "\u{a0}"]);
        assert!(ex.tables[1].rows[0].iter().all(|c| c.header));
        assert!(ex.tables.iter().all(|t| !t.layout));
    }

    const LAYOUT_PAGE: &str = "<HTML><BODY BGCOLOR=#FFFFFF>
<TABLE WIDTH=980 ALIGN=CENTER><TR><TD COLSPAN=2><IMG SRC=top.gif></TD></TR>
<TR><TD WIDTH=200 VALIGN=TOP>
  <TABLE><TR><TD><A HREF=a.htm>机构设置</A></TD></TR><TR><TD><A HREF=b.htm>政策法规</A></TD></TR></TABLE>
</TD><TD VALIGN=TOP>
  <P CLASS=title>2020年度部门决算公开</P>
  <TABLE BORDER=1><TR><TH>科目</TH><TH>决算数</TH></TR>
  <TR><TD>基本支出</TD><TD>12.00</TD></TR><TR><TD>项目支出</TD><TD>3.50</TD></TR>
  <TR><TD>合计</TD><TD>15.50</TD></TR></TABLE>
  <P>说明：以上数据单位为万元。<BR>
  如有疑问请来电咨询。</P>
</TD></TR></TABLE>
</BODY></HTML>";

    #[test]
    fn layout_page_with_nested_data_tables() {
        let ex = checked(LAYOUT_PAGE);
        assert_eq!(
            ex.text,
            "机构设置\n政策法规\n\n2020年度部门决算公开\n\n科目\t决算数\n基本支出\t12.00\n项目支出\t3.50\n合计\t15.50\n\n\
             说明：以上数据单位为万元。\n如有疑问请来电咨询。"
        );
        assert_eq!(ex.tables.len(), 2);
        assert_eq!(cell_texts(&ex, 0), vec![vec!["机构设置"], vec!["政策法规"]]);
        assert_eq!(cell_texts(&ex, 1)[3], vec!["合计", "15.50"]);
    }

    #[test]
    fn wrapped_paragraphs_page() {
        let paragraphs = [
            ("第一段第一行。", "第一段第二行。"),
            ("Second paragraph, line one.", "Line two &amp; more."),
            ("第三段", "结尾"),
        ];
        let src: String = paragraphs
            .iter()
            .map(|(a, b)| format!("<p>{a}<br>\n{b}</p>\n\n"))
            .collect();
        let ex = checked(&src);
        assert_eq!(
            ex.text,
            "第一段第一行。\n第一段第二行。\n\nSecond paragraph, line one.\nLine two & more.\n\n第三段\n结尾"
        );
    }

    #[test]
    fn realistic_pages_map_every_character() {
        for page in [PORTAL, LAYOUT_PAGE] {
            let ex = checked(page);
            // Every verbatim run maps to a slice of the source that is equal to it.
            let mut i = 0;
            while i < ex.text.len() {
                let ch = ex.text[i..].chars().next().unwrap_or_default();
                let len = ch.len_utf8();
                let r = ex.map.source_range(i..i + len);
                if ex.map.is_verbatim(i..i + len) {
                    assert_eq!(&page[r], &ex.text[i..i + len]);
                }
                i += len;
            }
        }
    }

    // -- Robustness --

    /// A small deterministic PRNG (xorshift64*).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const PIECES: &[&str] = &[
        "<",
        ">",
        "</",
        "/>",
        "<p>",
        "</p>",
        "<br>",
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th colspan=",
        "\"",
        "'",
        "=",
        "<!--",
        "-->",
        "<!",
        "<?",
        "]]>",
        "<![CDATA[",
        "<script>",
        "</script",
        "<pre>",
        "</pre>",
        "<head>",
        "<body>",
        "<svg>",
        "</svg>",
        "<select>",
        "&",
        "&amp;",
        "&#",
        "&#x",
        ";",
        "nbsp",
        "x",
        "1",
        "中",
        "文",
        "，",
        "　",
        "\u{a0}",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "\r",
        "é",
        "😀",
        "div",
        "TD",
        "<TABLE ",
        "<caption>",
        "<tbody>",
        "rowspan=2",
        "<title>",
        "</TITLE>",
        "<textarea>",
        "<template>",
        "</template>",
        "<li>",
        "a",
        "b",
    ];

    fn check_robust(src: &str) {
        let ex = extract(src);
        check_map(src, &ex);
        assert!(!ex.text.ends_with("\n\n"), "{src:?} -> {:?}", ex.text);
        assert!(!ex.text.starts_with('\n'), "{src:?} -> {:?}", ex.text);
    }

    #[test]
    fn random_markup_never_panics_and_keeps_the_map_monotonic() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..4000 {
            let n = rng.below(120);
            let src: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            if std::env::var("SHOW").is_ok() {
                eprintln!("{src:?}");
            }
            check_robust(&src);
        }
    }

    #[test]
    fn random_text_never_panics() {
        let mut rng = Rng(12345);
        for _ in 0..2000 {
            let n = rng.below(200);
            let src: String = (0..n)
                .map(|_| match rng.below(4) {
                    // Mostly ASCII, where the markup is.
                    0 | 1 => char::from(rng.below(128) as u8),
                    2 => char::from_u32(0x4e00 + rng.below(0x5000) as u32).unwrap_or('中'),
                    _ => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
                })
                .collect();
            check_robust(&src);
        }
    }

    #[test]
    fn malformed_inputs() {
        for src in [
            "",
            "<",
            ">",
            "<<<<",
            "<>",
            "</>",
            "<!",
            "<!-",
            "<!--",
            "<!---",
            "<?",
            "<a",
            "<a ",
            "<a b",
            "<a b=",
            "<a b='",
            "<a b=\"c",
            "<a/",
            "</a",
            "</a ",
            "&",
            "&#x",
            "&#12",
            "&amp",
            "<table>",
            "<table><tr>",
            "<td>",
            "</td></tr></table>",
            "<pre>",
            "<pre>\n",
            "<pre>\r",
            "</pre></pre>",
            "<head>",
            "<script>",
            "<script></script",
            "<svg>",
            "</svg>",
            "<table><table><table>",
            "</table></table>",
            "<br><br><br>",
            "<p>\n</p>",
            "<table><tr><td><table></table></td></tr></table>",
            "<table><caption><table><tr><td>x</td></tr></table></caption></table>",
            "<td colspan=\"",
            "<td colspan=99999999999999999999999>x",
            "\u{feff}<p>BOM</p>",
        ] {
            check_robust(src);
        }
    }

    #[test]
    fn deeply_nested_tables_do_not_recurse() {
        let src = "<table><tr><td>".repeat(50_000) + "x";
        let ex = checked(&src);
        assert_eq!(ex.text, "x");
        assert_eq!(ex.tables.len(), 1);
    }

    #[test]
    fn many_unclosed_raw_elements_stay_linear() {
        let src = "<iframe>a".repeat(20_000);
        let ex = extract(&src);
        assert_eq!(ex.text.len(), 20_000);
    }
}
