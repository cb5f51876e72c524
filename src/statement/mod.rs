//! The statement model: each statement of a document read once into typed tokens.
//!
//! A statement (a sentence within a paragraph) becomes a sequence of
//! - **quantities**, from [`crate::number`], the one number and unit grammar of every rule
//!   (Chinese numerals, full-width digits, 万/亿, units, approximations, ranges, %, ‰, 倍);
//! - **periods** (`2023年`, `2023年度`, `2024年1-6月`, `上年`, `去年同期`, `年初`): years are never
//!   quantities;
//! - **cues**, the words of the [`Lexicon`] by class (`total`, `part`, `share`, `up` …);
//! - **separators** (`，` `、` `；` `：`, brackets, quotes);
//! - **labels**, the text between, which names the subject of the figures.
//!
//! Spaces that PDF extraction puts between CJK characters and digits (`68214 件`, `本 年 收 入`)
//! and line breaks inside a statement carry no meaning here: the statement is read from a
//! *squeezed* copy of its text, and every token maps back to its bytes in the document.
//!
//! Each token is also written as one character of a private-use code string, so that relation
//! shapes compile to ordinary (linear-time) regexes over it: see `engine::kinds::relation`.
//!
//! Depends on `number` and `source` only; knows nothing of rules.

pub mod lexicon;

use std::ops::Range;

use regex::Regex;

pub use self::lexicon::Lexicon;
use crate::number::{extract, Quantity, Unit};

/// What a quantity measures, for the typed slots of relation shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QClass {
    Count,
    Money,
    Measure,
    /// Time spans and ages (`3年`, `6个月`, `15天`, `60岁`): never parts of a sum.
    Duration,
    Percent,
    Permille,
    Points,
    Times,
    Cheng,
    Doubling,
    Bare,
}

impl QClass {
    /// Every class, in code order.
    pub const ALL: [QClass; 11] = [
        QClass::Count,
        QClass::Money,
        QClass::Measure,
        QClass::Duration,
        QClass::Percent,
        QClass::Permille,
        QClass::Points,
        QClass::Times,
        QClass::Cheng,
        QClass::Doubling,
        QClass::Bare,
    ];

    /// The class of a quantity's unit.
    pub fn of(unit: &Unit) -> QClass {
        match unit {
            Unit::None => QClass::Bare,
            Unit::Percent => QClass::Percent,
            Unit::Permille => QClass::Permille,
            Unit::PercentagePoint => QClass::Points,
            Unit::Cheng => QClass::Cheng,
            Unit::Times => QClass::Times,
            Unit::Doubling => QClass::Doubling,
            Unit::Count(_) => QClass::Count,
            Unit::Money(_) => QClass::Money,
            Unit::Measure(m) if DURATIONS.contains(&m.as_str()) => QClass::Duration,
            Unit::Measure(_) => QClass::Measure,
        }
    }

    fn index(self) -> u32 {
        QClass::ALL.iter().position(|c| *c == self).unwrap_or(0) as u32
    }
}

/// Measure words of time spans and ages.
const DURATIONS: &[&str] = &[
    "年",
    "个月",
    "月",
    "周",
    "星期",
    "天",
    "日",
    "小时",
    "分钟",
    "秒",
    "岁",
    "周岁",
    "年度",
    "个工作日",
    "工作日",
    "季度",
];

/// Quantity classes whose units the number grammar (`crate::number::unit`) spells with only
/// these words: a statement without one of them holds no quantity of that class, which the
/// statement gate tells before reading its numbers. A test keeps this in step with the grammar.
pub const UNIT_HINTS: &[(QClass, &[&str])] = &[
    (
        QClass::Percent,
        &["%", "％", "百分之", "percent", "per cent"],
    ),
    (QClass::Permille, &["‰"]),
    (QClass::Points, &["百分点", "percentage point"]),
    (QClass::Times, &["倍", "times"]),
    (QClass::Cheng, &["成"]),
    (QClass::Doubling, &["番"]),
];

/// The separators in `text`, by a byte scan that decodes only the characters whose lead byte a
/// separator can have (ASCII, U+2000–U+2FFF, U+3000–U+3FFF, U+F000–U+FFFF).
fn separators(text: &str) -> impl Iterator<Item = Sep> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            let at = i;
            i += match b {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xF0..=0xFF => 4,
                _ => 3,
            };
            let c = match b {
                0x00..=0x7F => b as char,
                0xE2 | 0xE3 | 0xEF => match text.get(at..).and_then(|t| t.chars().next()) {
                    Some(c) => c,
                    None => continue,
                },
                _ => continue,
            };
            if let Some(sep) = Sep::of(c) {
                return Some(sep);
            }
        }
        None
    })
}

/// The first characters of the [`UNIT_HINTS`] (a test keeps them in step).
const HINT_STARTS: [char; 9] = ['%', '％', '‰', '倍', '成', '番', '百', 'p', 't'];

/// The classes of [`UNIT_HINTS`] whose words `text` holds, in one pass over its characters
/// (each hint is recognised by its first character, then compared whole).
fn unit_hints(text: &str) -> Vec<QClass> {
    let mut out: Vec<QClass> = Vec::new();
    for (i, c) in text.char_indices() {
        if !HINT_STARTS.contains(&c) {
            continue;
        }
        let rest = &text[i..];
        for (class, hints) in UNIT_HINTS {
            if !out.contains(class) && hints.iter().any(|h| rest.starts_with(h)) {
                out.push(*class);
            }
        }
    }
    out
}

/// A separator token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sep {
    /// `，` `,`
    Comma,
    /// `、`
    Enum,
    /// `；` `;`
    Semi,
    /// `：` `:`
    Colon,
    /// `（` `(` `【` `[`
    Open,
    /// `）` `)` `】` `]`
    Close,
    /// `“` `‘` `「` `『` `《`
    QuoteOpen,
    /// `”` `’` `」` `』` `》`
    QuoteClose,
    /// The boundary between two statements of one paragraph.
    Stop,
}

impl Sep {
    /// Every separator, in code order.
    pub const ALL: [Sep; 9] = [
        Sep::Comma,
        Sep::Enum,
        Sep::Semi,
        Sep::Colon,
        Sep::Open,
        Sep::Close,
        Sep::QuoteOpen,
        Sep::QuoteClose,
        Sep::Stop,
    ];

    fn of(c: char) -> Option<Sep> {
        Some(match c {
            '，' | ',' => Sep::Comma,
            '、' => Sep::Enum,
            '；' | ';' => Sep::Semi,
            '：' | ':' => Sep::Colon,
            '（' | '(' | '【' | '[' => Sep::Open,
            '）' | ')' | '】' | ']' => Sep::Close,
            '“' | '‘' | '「' | '『' | '《' => Sep::QuoteOpen,
            '”' | '’' | '」' | '』' | '》' => Sep::QuoteClose,
            _ => return None,
        })
    }

    fn index(self) -> u32 {
        Sep::ALL.iter().position(|s| *s == self).unwrap_or(0) as u32
    }
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A quantity: the index into [`Statement::quantities`].
    Quantity(usize),
    /// A period; `year` for written years (`2023年`), `None` for relative ones (`上年`).
    Period {
        year: Option<i32>,
    },
    /// A cue word of the lexicon.
    Cue {
        word: usize,
        class: usize,
    },
    Sep(Sep),
    /// An enumeration marker at the start of an item (`一是`, `（二）`), with its number.
    Marker(u32),
    /// Text between the other tokens.
    Label,
}

/// A token: its kind and its byte range in the statement's squeezed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
}

/// Labels longer than this many characters (ASCII words count as one) are *long*: relation gaps
/// never cross them.
pub const SHORT_LABEL: usize = 16;

/// The code characters: one per token, all in the Private Use Area and 3 bytes long in UTF-8,
/// so that token `i` sits at byte `3 * i` of the code string.
pub mod code {
    use super::{QClass, Sep};

    /// First quantity code: `QUANTITY + 2 * class + approximate`.
    pub const QUANTITY: u32 = 0xE000;
    /// A written year.
    pub const YEAR: u32 = 0xE020;
    /// A relative period (`上年`).
    pub const PERIOD: u32 = 0xE021;
    /// First separator code: `SEP + index`.
    pub const SEP: u32 = 0xE030;
    /// A label of at most [`super::SHORT_LABEL`] characters.
    pub const LABEL: u32 = 0xE040;
    /// A longer label.
    pub const LONG_LABEL: u32 = 0xE041;
    /// An enumeration marker.
    pub const MARKER: u32 = 0xE042;
    /// First cue code: `CUE + word`.
    pub const CUE: u32 = 0xE100;
    /// The last code point of the Private Use Area.
    pub const LAST: u32 = 0xF8FF;

    /// The code of a quantity.
    pub fn quantity(class: QClass, exact: bool) -> char {
        char_of(QUANTITY + 2 * class.index() + u32::from(!exact))
    }

    /// The code of a separator.
    pub fn sep(sep: Sep) -> char {
        char_of(SEP + sep.index())
    }

    /// The code of a cue word.
    pub fn cue(word: usize) -> char {
        char_of(CUE + word as u32)
    }

    /// A code point as a char; every code used is a valid scalar value below U+F8FF.
    pub fn char_of(code: u32) -> char {
        char::from_u32(code.min(LAST)).unwrap_or('\u{F8FF}')
    }
}

/// Which kinds of token a statement holds, as a bit set: each quantity code, years, periods,
/// each separator, labels, and each cue class. Shapes use it to skip statements that lack one
/// of their required tokens without running a regex.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features(Vec<u64>);

impl Features {
    /// The feature of a quantity code, a year, a period, a separator or a label (their code
    /// point's offset from the first quantity code).
    pub fn of_code(c: char) -> Option<usize> {
        let c = c as u32;
        (code::QUANTITY..code::CUE)
            .contains(&c)
            .then(|| (c - code::QUANTITY) as usize)
    }

    /// The feature of a cue class.
    pub fn of_class(class: usize) -> usize {
        (code::CUE - code::QUANTITY) as usize + class
    }

    /// True for the features a statement's text shows before its numbers are read: cue
    /// classes, separators, and quantities of the classes whose units are spelt with a few
    /// fixed words ([`UNIT_HINTS`]).
    pub fn known_early(feature: usize) -> bool {
        let offset = |c: u32| (c - code::QUANTITY) as usize;
        feature >= Features::of_class(0)
            || (offset(code::SEP)..offset(code::SEP) + Sep::ALL.len()).contains(&feature)
            || UNIT_HINTS.iter().any(|(class, _)| {
                [true, false]
                    .iter()
                    .any(|&exact| Features::of_code(code::quantity(*class, exact)) == Some(feature))
            })
    }

    fn insert(&mut self, feature: usize) {
        let (word, bit) = (feature / 64, feature % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    /// True when the set holds `feature`.
    pub fn contains(&self, feature: usize) -> bool {
        self.0
            .get(feature / 64)
            .is_some_and(|w| w & (1 << (feature % 64)) != 0)
    }
}

/// One statement, read into tokens.
#[derive(Debug, Clone, Default)]
pub struct Statement {
    /// Where the statement lies in the document text.
    pub range: Range<usize>,
    /// The statement's text with meaningless spaces and line breaks removed.
    pub text: String,
    /// Where the squeezed text jumps in the document: `(offset in text, document offset)` at the
    /// start of each run of bytes copied verbatim (one run when nothing was squeezed).
    runs: Vec<(usize, usize)>,
    /// The quantities, with spans into `text`.
    pub quantities: Vec<Quantity>,
    pub tokens: Vec<Token>,
    /// One code character per token.
    pub code: String,
    /// The kinds of token present.
    pub features: Features,
    /// In statements joined across a paragraph: the first token of the last statement (a
    /// reading must reach it; the earlier statements were read in joins of their own). Zero
    /// elsewhere.
    pub tail: usize,
}

impl Statement {
    /// The document offset of byte `pos` of the squeezed text.
    fn offset(&self, pos: usize) -> usize {
        if pos >= self.text.len() {
            return self.range.end;
        }
        let run = self.runs.partition_point(|r| r.0 <= pos).saturating_sub(1);
        match self.runs.get(run) {
            Some(&(at, source)) => source + (pos - at),
            None => self.range.start + pos,
        }
    }

    /// The document range of a range of the squeezed text. Each byte of the squeezed text maps
    /// to the same byte in the document, so a span ends one past the byte its last byte maps to.
    pub fn source(&self, span: Range<usize>) -> Range<usize> {
        let start = self.offset(span.start);
        if span.end <= span.start {
            return start..start;
        }
        let end = (self.offset(span.end - 1) + 1).min(self.range.end);
        start..end.max(start)
    }

    /// The squeezed text of a token.
    pub fn token_text(&self, token: &Token) -> &str {
        &self.text[token.span.clone()]
    }

    /// The quantity of a token, if it is one.
    pub fn quantity(&self, token: &Token) -> Option<&Quantity> {
        match token.kind {
            TokenKind::Quantity(i) => self.quantities.get(i),
            _ => None,
        }
    }
}

/// Every statement of a document (its `statement` scope units), read once and cached.
pub fn of_document(doc: &crate::source::Document) -> &[Statement] {
    read_document(doc, &Gate::all())
}

/// The document's statements, read on first use; a statement the `gate` turns away is left
/// unread (no tokens; [`pairs`] reads it on demand). Later calls return the cache, whatever
/// their gate: a run reads with the gate of its whole rule set.
pub fn read_document<'d>(doc: &'d crate::source::Document, gate: &Gate) -> &'d [Statement] {
    doc.statements.get_or_init(|| {
        let lexicon = Lexicon::builtin();
        doc.blocks
            .units(crate::source::Scope::Statement, &doc.text)
            .iter()
            .map(|unit| read_gated(&doc.text, unit.clone(), lexicon, 2, gate))
            .collect()
    })
}

/// Which statements are worth reading into tokens, from the tokens the rules' shapes cannot
/// match without. Cue words and separators are known before a statement's numbers are read (the
/// costly part), so a statement whose words and punctuation rule out every shape is never
/// searched for numbers. A statement is read when, for some alternative, it holds one feature
/// of each of the alternative's sets; an alternative that needs nothing known early reads every
/// statement.
#[derive(Debug, Clone)]
pub struct Gate {
    /// Each alternative: for each required element, the [`Features`] one of which it needs
    /// (only features known before numbers are read).
    alternatives: Vec<Vec<Vec<usize>>>,
    /// Some reader needs every statement.
    all: bool,
}

impl Gate {
    /// A gate that reads every statement.
    pub fn all() -> Gate {
        Gate {
            alternatives: Vec::new(),
            all: true,
        }
    }

    /// A gate that reads no statement until alternatives are added.
    pub fn none() -> Gate {
        Gate {
            alternatives: Vec::new(),
            all: false,
        }
    }

    /// Adds an alternative from the elements a shape requires, each a set of [`Features`] one
    /// of which it needs; elements that need a feature known only after reading (a quantity, a
    /// label) are left out.
    pub fn add(&mut self, required: &[Vec<usize>]) {
        let needs: Vec<Vec<usize>> = required
            .iter()
            .filter(|any| !any.is_empty() && any.iter().all(|&f| Features::known_early(f)))
            .cloned()
            .collect();
        if needs.is_empty() {
            self.all = true;
            self.alternatives.clear();
        } else if !self.all {
            self.alternatives.push(needs);
        }
    }

    /// True when the gate reads every statement.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// True when a statement with these early features may be read.
    fn admits(&self, features: &Features) -> bool {
        self.all
            || self.alternatives.iter().any(|needs| {
                needs
                    .iter()
                    .all(|any| any.iter().any(|&f| features.contains(f)))
            })
    }
}

/// Reads one statement of `text` (the document text) at `range`.
pub fn read(text: &str, range: Range<usize>, lexicon: &Lexicon) -> Statement {
    read_with(text, range, lexicon, 2)
}

/// How many statements before one that `opens` are joined to it.
const MAX_EARLIER: usize = 4;

/// Statements of one paragraph joined into one token sequence, a [`Sep::Stop`] token between
/// each two, for relations that span statements (`……A、B、C。以上共计N件`, a share of a total
/// named two statements before): each statement whose text `opens` accepts, after the up to
/// [`MAX_EARLIER`] statements before it, when one of those holds figures. Statements the document
/// cache left unread (a single figure, or none) are read here. A reading must reach the last
/// statement ([`Statement::tail`]): one inside the earlier ones belongs to another join.
pub fn pairs(
    doc: &crate::source::Document,
    paragraph: Range<usize>,
    opens: &dyn Fn(&str) -> bool,
) -> Vec<Statement> {
    let statements = of_document(doc);
    let first = statements.partition_point(|s| s.range.end <= paragraph.start);
    let inside: Vec<&Statement> = statements[first..]
        .iter()
        .take_while(|s| s.range.start < paragraph.end)
        .collect();
    let mut out = Vec::new();
    // Statements the cache left unread (a single figure, or turned away by the gate) are read
    // here when a join needs them, each at most once.
    fn full<'s>(
        doc: &crate::source::Document,
        s: &'s Statement,
    ) -> std::borrow::Cow<'s, Statement> {
        if s.tokens.is_empty() {
            let lexicon = Lexicon::builtin();
            std::borrow::Cow::Owned(read_with(&doc.text, s.range.clone(), lexicon, 1))
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    }
    let mut read: Vec<Option<std::borrow::Cow<'_, Statement>>> = vec![None; inside.len()];
    for (j, b) in inside.iter().enumerate().skip(1) {
        if !opens(&doc.text[b.range.clone()]) {
            continue;
        }
        let window = j.saturating_sub(MAX_EARLIER)..=j;
        for k in window.clone() {
            if read[k].is_none() {
                read[k] = Some(full(doc, inside[k]));
            }
        }
        let parts: Vec<&Statement> = read[window].iter().flatten().map(|s| &**s).collect();
        if parts[..parts.len() - 1]
            .iter()
            .all(|a| a.quantities.is_empty())
        {
            continue;
        }
        out.push(join(&parts));
    }
    out
}

/// Joins statements into one, a stop token between each two.
fn join(parts: &[&Statement]) -> Statement {
    let mut out = Statement {
        range: parts.first().map_or(0, |s| s.range.start)..parts.last().map_or(0, |s| s.range.end),
        ..Statement::default()
    };
    for (n, s) in parts.iter().enumerate() {
        let base = out.text.len();
        let q_base = out.quantities.len();
        if n > 0 {
            out.tokens.push(Token {
                kind: TokenKind::Sep(Sep::Stop),
                span: base..base,
            });
            out.code.push(code::sep(Sep::Stop));
            if let Some(f) = Features::of_code(code::sep(Sep::Stop)) {
                out.features.insert(f);
            }
            out.tail = out.tokens.len();
        }
        out.text.push_str(&s.text);
        out.runs
            .extend(s.runs.iter().map(|&(at, source)| (at + base, source)));
        out.quantities.extend(s.quantities.iter().map(|q| {
            let mut q = q.clone();
            q.span = q.span.start + base..q.span.end + base;
            q
        }));
        out.tokens.extend(s.tokens.iter().map(|t| Token {
            kind: match t.kind {
                TokenKind::Quantity(i) => TokenKind::Quantity(i + q_base),
                ref other => other.clone(),
            },
            span: t.span.start + base..t.span.end + base,
        }));
        out.code.push_str(&s.code);
        for (i, w) in s.features.0.iter().enumerate() {
            if out.features.0.len() <= i {
                out.features.0.resize(i + 1, 0);
            }
            out.features.0[i] |= w;
        }
    }
    out
}

/// Reads a statement with at least `min_runs` runs of number characters (else no tokens).
fn read_with(text: &str, range: Range<usize>, lexicon: &Lexicon, min_runs: usize) -> Statement {
    read_gated(text, range, lexicon, min_runs, &Gate::all())
}

/// Reads one statement when it has `min_runs` runs of number characters (or one that may be a
/// stated count) and the `gate` admits its cue words; otherwise returns it unread.
fn read_gated(
    text: &str,
    range: Range<usize>,
    lexicon: &Lexicon,
    min_runs: usize,
    gate: &Gate,
) -> Statement {
    let body = &text[range.clone()];
    // A stated count binds one figure: `五大工程：一是…`, `A、B等4个领域`, `“A”“B”两大主题`:
    // a number right after `等` or `”`, or a number before a colon.
    let count_like = |b: &str| {
        let followed = |mark: char| {
            b.match_indices(mark).any(|(i, m)| {
                b[i + m.len()..]
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(may_start_number)
            })
        };
        let colon = b
            .find(['：', ':'])
            .is_some_and(|i| b[..i].chars().any(may_start_number));
        colon || followed('等') || followed('”')
    };
    let runs = number_runs(body);
    if runs < min_runs && !(runs == 1 && count_like(body)) {
        return Statement {
            range,
            ..Statement::default()
        };
    }
    let (squeezed, runs) = squeeze(body, range.start);
    // Cue words and years are found once per statement; each gap between quantities takes the
    // ones that lie inside it.
    let words: Vec<(usize, Range<usize>)> = lexicon
        .find_iter(&squeezed)
        .filter(|(_, r)| whole_ascii_word(&squeezed, r.clone()))
        .collect();
    if !gate.is_all() {
        // Every cue and separator token comes from a word or character found here, so these
        // features hold all that the statement's tokens will.
        let mut early = Features::default();
        for &(word, _) in &words {
            early.insert(Features::of_class(lexicon.class_of(word)));
        }
        for sep in separators(&squeezed) {
            if let Some(f) = Features::of_code(code::sep(sep)) {
                early.insert(f);
            }
        }
        for class in unit_hints(&squeezed) {
            for exact in [true, false] {
                if let Some(f) = Features::of_code(code::quantity(class, exact)) {
                    early.insert(f);
                }
            }
        }
        if !gate.admits(&early) {
            return Statement {
                range,
                ..Statement::default()
            };
        }
    }
    let quantities =
        with_quoted_counts(&squeezed, with_point_counts(&squeezed, extract(&squeezed)));
    let years: Vec<Range<usize>> = if squeezed.contains('年') {
        year_regex()
            .find_iter(&squeezed)
            .map(|m| m.range())
            .collect()
    } else {
        Vec::new()
    };
    let found = Found {
        words: &words,
        years: &years,
    };
    let mut tokens: Vec<Token> = Vec::with_capacity(quantities.len() * 4 + 4);
    let mut pos = 0;
    for (i, q) in quantities.iter().enumerate() {
        if q.span.start < pos {
            continue;
        }
        read_gap(&squeezed, pos..q.span.start, lexicon, &found, &mut tokens);
        tokens.push(Token {
            kind: TokenKind::Quantity(i),
            span: q.span.clone(),
        });
        pos = q.span.end;
    }
    read_gap(&squeezed, pos..squeezed.len(), lexicon, &found, &mut tokens);
    let code = encode(&squeezed, &quantities, &tokens);
    let mut features = Features::default();
    for (token, c) in tokens.iter().zip(code.chars()) {
        match token.kind {
            TokenKind::Cue { class, .. } => features.insert(Features::of_class(class)),
            _ => {
                if let Some(f) = Features::of_code(c) {
                    features.insert(f);
                }
            }
        }
    }
    // A document holds every statement until its rules ran: no spare capacity (a quarter of
    // the model's memory on large documents).
    let (mut squeezed, mut runs, mut quantities, mut tokens, mut code) =
        (squeezed, runs, quantities, tokens, code);
    squeezed.shrink_to_fit();
    runs.shrink_to_fit();
    quantities.shrink_to_fit();
    tokens.shrink_to_fit();
    code.shrink_to_fit();
    Statement {
        features,
        range,
        text: squeezed,
        runs,
        quantities,
        tokens,
        code,
        tail: 0,
    }
}

/// The number of runs of number characters, counting at most to 2: every relation binds two
/// figures or more, so a statement with fewer runs is not read further (a year counts as a run,
/// which only makes the filter let more through).
fn number_runs(body: &str) -> usize {
    let bytes = body.as_bytes();
    let mut runs = 0;
    let mut inside = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // ASCII is tested byte by byte; other characters are decoded only when their lead
        // byte may start a numeral (U+3007 〇, U+4E00–U+9FFF, full-width digits).
        let (c, len) = if b < 0x80 {
            (b as char, 1)
        } else if matches!(b, 0xE3..=0xE9 | 0xEF) {
            match body[i..].chars().next() {
                Some(c) => (c, c.len_utf8()),
                None => break,
            }
        } else {
            let len = match b {
                0xC0..=0xDF => 2,
                0xF0..=0xF7 => 4,
                _ => 3,
            };
            ('\u{FFFD}', len)
        };
        let number =
            may_start_number(c) || (inside && matches!(c, '.' | '．' | ',' | '，' | '万' | '亿'));
        if number && !inside {
            runs += 1;
            if runs >= 2 {
                return runs;
            }
        }
        inside = number;
        i += len;
    }
    runs
}

/// Characters without which a statement holds no quantity.
fn may_start_number(c: char) -> bool {
    c.is_ascii_digit()
        || ('０'..='９').contains(&c)
        || matches!(
            c,
            '一' | '二'
                | '两'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
                | '百'
                | '千'
                | '零'
                | '〇'
                | '翻'
        )
}

/// Removes white space that carries no meaning: every run next to a non-ASCII character (CJK
/// text, full-width punctuation), before `%`, or at either end. Runs between two ASCII
/// characters (English words, two numbers) become one space. Returns the text and the document offset of each byte and its end.
fn squeeze(body: &str, base: usize) -> (String, Vec<(usize, usize)>) {
    // Most statements hold no white space at all: one verbatim run. White space is ASCII or
    // has a lead byte C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000–U+205F) or E3 (U+3000).
    let maybe_space = body
        .bytes()
        .any(|b| b <= b' ' || matches!(b, 0xC2 | 0xE1 | 0xE2) || b == 0xE3);
    if body.is_empty() || !maybe_space || !body.chars().any(char::is_whitespace) {
        return (
            body.to_owned(),
            if body.is_empty() {
                Vec::new()
            } else {
                vec![(0, base)]
            },
        );
    }
    let mut out = String::with_capacity(body.len());
    let mut runs: Vec<(usize, usize)> = Vec::new();
    // The body offset the next byte would have if it continued the current run.
    let mut contiguous: Option<usize> = None;
    let mut chars = body.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            while chars.peek().is_some_and(|&(_, n)| n.is_whitespace()) {
                chars.next();
            }
            let next = chars.peek().map(|&(_, n)| n);
            if prev.is_some_and(|p| p.is_ascii_digit())
                && thin_space_group(body, i, chars.peek().map_or(body.len(), |&(j, _)| j))
            {
                continue;
            }
            if let (Some(p), Some(n)) = (prev, next) {
                // `12 %` is one figure; `rose by 12 percent` and `12 15` keep their space.
                if p.is_ascii() && n.is_ascii() && n != '%' {
                    if contiguous != Some(i) {
                        runs.push((out.len(), base + i));
                    }
                    out.push(' ');
                    contiguous = Some(i + 1);
                }
            }
            continue;
        }
        if contiguous != Some(i) {
            runs.push((out.len(), base + i));
        }
        out.push(c);
        contiguous = Some(i + c.len_utf8());
        prev = Some(c);
    }
    (out, runs)
}

/// True when the white space at `ws..next` groups thousands (`3 842.16`, `6 842 件`): one to
/// three digits before it (and no digit or point before those), exactly three after it.
fn thin_space_group(body: &str, ws: usize, next: usize) -> bool {
    let before = &body[..ws];
    let lead = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let head_ok = (1..=3).contains(&lead)
        && !before[..before.len() - lead]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit() || c == '.' || c.is_ascii_alphabetic());
    let after = &body[next..];
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    head_ok && digits == 3 && !after[3..].starts_with(|c: char| c.is_ascii_alphabetic())
}

/// The number grammar leaves `三点意见` alone (`三点` is also a time of day); a statement that
/// announces points (`提出三点意见：一是…`) counts them, so a Chinese numeral with `点` before a
/// noun is a count here.
fn with_point_counts(text: &str, mut quantities: Vec<Quantity>) -> Vec<Quantity> {
    static POINTS: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = POINTS.get_or_init(|| {
        Regex::new(
            "[一二两三四五六七八九十]{1,3}点[^钟半多整前后左以0-9０-９一二两三四五六七八九十]",
        )
        .expect("invariant: the point-count pattern is valid")
    });
    if !text.contains('点') {
        return quantities;
    }
    for m in re.find_iter(text) {
        let numeral_end = m.start() + m.as_str().find('点').unwrap_or(0);
        let end = numeral_end + '点'.len_utf8();
        let before = text[..m.start()].chars().next_back();
        if before.is_some_and(|c| c == '第' || "一二两三四五六七八九十".contains(c)) {
            continue;
        }
        if quantities
            .iter()
            .any(|q| q.span.start < end && m.start() < q.span.end)
        {
            continue;
        }
        let Some((value, _)) = crate::number::parse_number(&text[m.start()..numeral_end]) else {
            continue;
        };
        quantities.push(chinese_count(text, m.start()..end, value, "点"));
    }
    quantities.sort_by_key(|q| q.span.start);
    quantities
}

/// An exact count written in Chinese numerals at `span` of `text`, counting `measure`.
fn chinese_count(
    text: &str,
    span: Range<usize>,
    value: crate::number::decimal::Dec,
    measure: &str,
) -> Quantity {
    Quantity {
        text: text[span.clone()].to_owned(),
        span,
        value,
        written: value,
        decimals: 0,
        multiplier: 0,
        unit: Unit::Count(measure.to_owned()),
        approx: crate::number::Approx::Exact,
        range_end: None,
        range_end_written: None,
        range_end_multiplier: 0,
        chinese: true,
    }
}

/// The number grammar reads no figure inside quotes (`“十四五”` is a name); a quoted count that
/// announces a list (`“三大工程”：一是…`, `“四个专栏”建设：“A”“B”…`) is a count here: a Chinese
/// numeral and a measure word opening the quote, and a colon within a few characters after it.
fn with_quoted_counts(text: &str, mut quantities: Vec<Quantity>) -> Vec<Quantity> {
    static QUOTED: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    if !text.contains('“') {
        return quantities;
    }
    let re = QUOTED.get_or_init(|| {
        Regex::new("“([一二两三四五六七八九十]{1,3})(大|个|项|类|条|种|张|件|批)[^”“，。；：]{1,8}”[^，。；：“”]{0,4}：")
            .expect("invariant: the quoted-count pattern is valid")
    });
    for caps in re.captures_iter(text) {
        let (Some(numeral), Some(measure)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let Some((value, _)) = crate::number::parse_number(numeral.as_str()) else {
            continue;
        };
        let span = numeral.start()..measure.end();
        if quantities
            .iter()
            .any(|q| q.span.start < span.end && span.start < q.span.end)
        {
            continue;
        }
        quantities.push(chinese_count(text, span, value, measure.as_str()));
    }
    quantities.sort_by_key(|q| q.span.start);
    quantities
}

/// Years: `2023年`, `2023年度`, `2023年末`, `2024年1-6月`, `2021—2025年`.
fn year_regex() -> &'static Regex {
    static YEAR: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    YEAR.get_or_init(|| {
        // ASCII and full-width digits; a range of years is one period.
        Regex::new(concat!(
            r"(?:19|20|１９|２０)[0-9０-９]{2}",
            r"(?:[-—－~～至到](?:19|20|１９|２０)[0-9０-９]{2})?",
            r"(?:年度|年末|年底|年初|年)",
            r"(?:[0-9０-９]{1,2}(?:[-—－~～至][0-9０-９]{1,2})?月(?:份|末|底)?)?",
        ))
        .expect("invariant: the year pattern is valid")
    })
}

/// Tokens of a stretch of text between two quantities.
/// The cue words and years of a statement (byte ranges of its squeezed text, in order).
struct Found<'a> {
    words: &'a [(usize, Range<usize>)],
    years: &'a [Range<usize>],
}

/// The items of `list` (sorted by start) that lie inside `gap`.
fn inside<'a, T>(
    list: &'a [T],
    gap: &Range<usize>,
    range: impl Fn(&T) -> &Range<usize>,
) -> &'a [T] {
    let first = list.partition_point(|x| range(x).start < gap.start);
    let last = first + list[first..].partition_point(|x| range(x).start < gap.end);
    &list[first..last]
}

fn read_gap(
    text: &str,
    gap: Range<usize>,
    lexicon: &Lexicon,
    found: &Found<'_>,
    out: &mut Vec<Token>,
) {
    if gap.is_empty() {
        return;
    }
    let mut pos = gap.start;
    for m in inside(found.years, &gap, |r| r) {
        if m.end > gap.end || m.start < pos {
            continue;
        }
        read_words(text, pos..m.start, lexicon, found.words, out);
        let year = text[m.start..]
            .chars()
            .take(4)
            .filter_map(crate::number::decimal::digit_value)
            .fold(0i32, |acc, d| acc * 10 + i32::from(d));
        out.push(Token {
            kind: TokenKind::Period { year: Some(year) },
            span: m.clone(),
        });
        pos = m.end;
    }
    read_words(text, pos..gap.end, lexicon, found.words, out);
}

/// Cues, separators and labels of a stretch without quantities or years.
fn read_words(
    text: &str,
    gap: Range<usize>,
    lexicon: &Lexicon,
    all_words: &[(usize, Range<usize>)],
    out: &mut Vec<Token>,
) {
    if gap.is_empty() {
        return;
    }
    let body = &text[gap.clone()];
    let period = Some(lexicon.period_class());
    let mut label_start: Option<usize> = None;
    let push_label = |out: &mut Vec<Token>, start: &mut Option<usize>, end: usize| {
        if let Some(s) = start.take() {
            if !text[s..end].trim().is_empty() {
                out.push(Token {
                    kind: TokenKind::Label,
                    span: s..end,
                });
            }
        }
    };
    // The words wholly inside the gap, with ranges relative to it.
    let mut words = inside(all_words, &gap, |(_, r)| r)
        .iter()
        .filter(|(_, r)| r.end <= gap.end)
        .map(|(w, r)| (*w, r.start - gap.start..r.end - gap.start))
        .peekable();
    let mut chars = body.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        while words.peek().is_some_and(|(_, r)| r.start < i) {
            words.next();
        }
        // An enumeration marker opens an item: at the start of the stretch or after a separator.
        let item_start = label_start.is_none()
            && (i == 0 || body[..i].chars().next_back().and_then(Sep::of).is_some());
        if item_start {
            if let Some((n, len)) = marker_at(&body[i..]) {
                out.push(Token {
                    kind: TokenKind::Marker(n),
                    span: gap.start + i..gap.start + i + len,
                });
                while chars.peek().is_some_and(|&(j, _)| j < i + len) {
                    chars.next();
                }
                continue;
            }
        }
        if let Some((word, r)) = words.peek().cloned().filter(|(_, r)| r.start == i) {
            push_label(out, &mut label_start, gap.start + i);
            let class = lexicon.class_of(word);
            let kind = if Some(class) == period {
                TokenKind::Period { year: None }
            } else {
                TokenKind::Cue { word, class }
            };
            out.push(Token {
                kind,
                span: gap.start + r.start..gap.start + r.end,
            });
            while chars.peek().is_some_and(|&(j, _)| j < r.end) {
                chars.next();
            }
            words.next();
            continue;
        }
        chars.next();
        // A short aside in brackets glued to a word (`因公出国（境）费`, `服务中心（站）`) is part of
        // that label, not a separator.
        if Sep::of(c) == Some(Sep::Open) && label_start.is_some() {
            let rest = &body[i + c.len_utf8()..];
            let close = rest
                .char_indices()
                .take(5)
                .find(|&(_, x)| Sep::of(x).is_some())
                .filter(|&(j, x)| j > 0 && Sep::of(x) == Some(Sep::Close));
            let next_word = words.peek().map_or(usize::MAX, |(_, r)| r.start);
            if let Some((j, x)) = close {
                let end = i + c.len_utf8() + j + x.len_utf8();
                if next_word >= end {
                    while chars.peek().is_some_and(|&(k, _)| k < end) {
                        chars.next();
                    }
                    continue;
                }
            }
        }
        if let Some(sep) = Sep::of(c) {
            push_label(out, &mut label_start, gap.start + i);
            out.push(Token {
                kind: TokenKind::Sep(sep),
                span: gap.start + i..gap.start + i + c.len_utf8(),
            });
            continue;
        }
        if label_start.is_none() {
            label_start = Some(gap.start + i);
        }
    }
    push_label(out, &mut label_start, gap.end);
}

/// An enumeration marker at the start of `text`: `一是`…`十是`, `（一）`, `(三)`; its number and
/// byte length.
fn marker_at(text: &str) -> Option<(u32, usize)> {
    let numeral = |s: &str| -> Option<(u32, usize)> {
        let len: usize = s
            .chars()
            .take_while(|c| {
                matches!(
                    c,
                    '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
                )
            })
            .take(3)
            .map(char::len_utf8)
            .sum();
        if len == 0 {
            return None;
        }
        let (value, _) = crate::number::parse_number(&s[..len])?;
        let n = u32::try_from(value.to_i128()?).ok()?;
        Some((n, len))
    };
    let first = text.chars().next()?;
    if matches!(first, '（' | '(') {
        let rest = &text[first.len_utf8()..];
        let (n, len) = numeral(rest)?;
        let close = rest[len..].chars().next()?;
        return matches!(close, '）' | ')').then(|| (n, first.len_utf8() + len + close.len_utf8()));
    }
    let (n, len) = numeral(text)?;
    text[len..]
        .starts_with('是')
        .then(|| (n, len + '是'.len_utf8()))
}

/// An ASCII word of the lexicon (`up`, `of which`) counts only as a whole word (a hyphen joins
/// words: `follow-up` holds no `up`).
fn whole_ascii_word(body: &str, range: Range<usize>) -> bool {
    let word = &body[range.clone()];
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
    let first = word.chars().next();
    let last = word.chars().next_back();
    let before = body[..range.start].chars().next_back();
    let after = body[range.end..].chars().next();
    !(alnum(first) && alnum(before) || alnum(last) && alnum(after))
}

/// The length of a label: its non-ASCII characters plus its ASCII words.
fn label_weight(label: &str) -> usize {
    let wide = label.chars().filter(|c| !c.is_ascii()).count();
    let words = label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && w.is_ascii())
        .count();
    wide + words
}

fn encode(text: &str, quantities: &[Quantity], tokens: &[Token]) -> String {
    let mut code = String::with_capacity(tokens.len() * 3);
    for token in tokens {
        let c = match &token.kind {
            TokenKind::Quantity(i) => {
                let q = &quantities[*i];
                code::quantity(
                    QClass::of(&q.unit),
                    q.approx.is_exact() && q.range_end.is_none(),
                )
            }
            TokenKind::Period { year: Some(_) } => code::char_of(code::YEAR),
            TokenKind::Period { year: None } => code::char_of(code::PERIOD),
            TokenKind::Cue { word, .. } => code::cue(*word),
            TokenKind::Sep(sep) => code::sep(*sep),
            TokenKind::Marker(_) => code::char_of(code::MARKER),
            TokenKind::Label => {
                if label_weight(&text[token.span.clone()]) > SHORT_LABEL {
                    code::char_of(code::LONG_LABEL)
                } else {
                    code::char_of(code::LABEL)
                }
            }
        };
        code.push(c);
    }
    code
}

#[cfg(test)]
mod tests {
    #[test]
    fn unit_hints_start_with_a_listed_character() {
        for (class, hints) in super::UNIT_HINTS {
            for hint in *hints {
                let first = hint.chars().next().unwrap_or(' ');
                assert!(super::HINT_STARTS.contains(&first), "{class:?}: {hint}");
                assert!(
                    super::unit_hints(&format!("共计12{hint}")).contains(class),
                    "{hint}"
                );
            }
        }
        assert!(super::unit_hints("共计12件，完成").contains(&super::QClass::Cheng));
        assert!(super::unit_hints("共计12件").is_empty());
    }

    use super::*;

    fn kinds(s: &Statement) -> Vec<String> {
        let lexicon = Lexicon::builtin();
        s.tokens
            .iter()
            .map(|t| {
                let text = s.token_text(t);
                match &t.kind {
                    TokenKind::Quantity(_) => format!("Q:{text}"),
                    TokenKind::Period { .. } => format!("P:{text}"),
                    TokenKind::Cue { class, .. } => {
                        format!("{}:{text}", lexicon.classes()[*class])
                    }
                    TokenKind::Sep(_) => text.to_owned(),
                    TokenKind::Marker(n) => format!("M{n}"),
                    TokenKind::Label => format!("L:{text}"),
                }
            })
            .collect()
    }

    fn read_all(text: &str) -> Statement {
        read(text, 0..text.len(), Lexicon::builtin())
    }

    #[test]
    fn a_statement_reads_into_typed_tokens() {
        let s = read_all("全年受理信访事项68214件，其中按期办结66530件，办结率98.5%。");
        assert_eq!(
            kinds(&s),
            [
                "P:全年",
                "L:受理信访事项",
                "Q:68214件",
                "，",
                "part:其中",
                "L:按期办结",
                "Q:66530件",
                "，",
                "L:办结",
                "rate:率",
                "Q:98.5%",
                "L:。"
            ]
        );
        assert_eq!(s.code.chars().count(), s.tokens.len());
    }

    #[test]
    fn pdf_spaces_and_line_breaks_do_not_change_the_tokens() {
        let plain = read_all("本年收入合计1850.32万元，比上年增长12.5%");
        let spaced = read_all("本 年 收 入 合 计 1850.32 万 元 ，比 上 年\n增 长 12.5 %");
        assert_eq!(kinds(&plain), kinds(&spaced));
        // Positions map back to the spaced source.
        let q = &spaced.tokens[spaced
            .tokens
            .iter()
            .position(|t| matches!(t.kind, TokenKind::Quantity(_)))
            .unwrap()];
        let text = "本 年 收 入 合 计 1850.32 万 元 ，比 上 年\n增 长 12.5 %";
        assert_eq!(&text[spaced.source(q.span.clone())], "1850.32 万 元");
    }

    #[test]
    fn years_are_periods_never_quantities() {
        let s = read_all("2025年执行数77.99万元，2026年1-6月安排91.97万元");
        let k = kinds(&s);
        assert!(k.contains(&"P:2025年".to_owned()), "{k:?}");
        assert!(k.contains(&"P:2026年1-6月".to_owned()), "{k:?}");
        assert_eq!(s.quantities.len(), 2);
    }

    #[test]
    fn english_cues_are_whole_words() {
        let s = read_all("support rose by 12 percent, of which 3 cases");
        let k = kinds(&s);
        assert!(k.iter().any(|t| t == "rose:rose"), "{k:?}");
        assert!(k.iter().any(|t| t == "of-which:of which"), "{k:?}");
        assert!(!k.iter().any(|t| t == "rose:up"), "{k:?}");
    }

    #[test]
    fn statements_without_numbers_are_not_read() {
        let s = read_all("依法行政，建设法治政府。");
        assert!(s.tokens.is_empty());
    }
}
