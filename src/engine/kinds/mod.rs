//! Rule kinds: each owns its compiled parameters (built from the raw TOML sub-table) and its check.

pub mod count;
pub mod date;
pub mod field;
pub mod growth;
mod operands;

pub use operands::required_literals;
pub mod pairs;
pub mod pattern;
pub mod ratio;
pub mod relation;
pub mod repeat;
pub mod sequence;
pub mod sum;
pub mod table;

use std::ops::Range;

use super::finding::Hit;
use crate::source::Document;

/// The compiled parameters of a rule, one variant per kind.
#[derive(Debug)]
pub enum Kind {
    Pattern(pattern::Pattern),
    Pairs(pairs::Pairs),
    Repeat(repeat::Repeat),
    Field(field::Field),
    Ratio(ratio::Ratio),
    Sum(sum::Sum),
    Growth(growth::Growth),
    Count(count::Count),
    Date(date::Date),
    Sequence(sequence::Sequence),
    Table(table::TableKind),
    Relation(relation::Relation),
}

/// Every kind name a rule file may use, in the order `tally rules` documents them.
pub const KIND_NAMES: &[&str] = &[
    "pattern", "pairs", "repeat", "field", "ratio", "sum", "growth", "count", "date", "sequence",
    "table", "relation",
];

impl Kind {
    /// The TOML name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Pattern(_) => "pattern",
            Kind::Pairs(_) => "pairs",
            Kind::Repeat(_) => "repeat",
            Kind::Field(_) => "field",
            Kind::Ratio(_) => "ratio",
            Kind::Sum(_) => "sum",
            Kind::Growth(_) => "growth",
            Kind::Count(_) => "count",
            Kind::Date(_) => "date",
            Kind::Sequence(_) => "sequence",
            Kind::Table(_) => "table",
            Kind::Relation(_) => "relation",
        }
    }

    /// Checks one scope unit (`field` looks at the document head and ignores the unit).
    pub fn check_unit(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>) {
        match self {
            Kind::Pattern(k) => k.check(&doc.text, unit, out),
            Kind::Pairs(k) if k.continue_unterminated => {
                k.check_paragraphs(&doc.text, &doc.blocks.paragraphs, out)
            }
            Kind::Pairs(k) => k.check(&doc.text, unit, out),
            Kind::Repeat(k) => k.check(&doc.text, unit, out),
            Kind::Field(k) => k.check(doc, out),
            Kind::Ratio(k) => k.check(&doc.text, unit, out),
            Kind::Sum(k) => k.check(&doc.text, unit, out),
            Kind::Growth(k) => k.check(&doc.text, unit, out),
            Kind::Count(k) => k.check(&doc.text, unit, out),
            Kind::Date(k) => k.check(doc, unit, out),
            Kind::Sequence(k) => k.check(doc, out),
            Kind::Table(k) => k.check(doc, out),
            Kind::Relation(k) => k.check(doc, unit, out),
        }
    }

    /// The operand patterns of the arithmetic kinds (and the regex checks of `date`).
    pub fn operands(&self) -> Option<&operands::Operands> {
        match self {
            Kind::Ratio(k) => Some(k.operands()),
            Kind::Sum(k) => Some(k.operands()),
            Kind::Growth(k) => Some(k.operands()),
            Kind::Count(k) => Some(k.operands()),
            Kind::Date(k) => k.operands(),
            _ => None,
        }
    }

    /// Regexes of which at least one must match somewhere in a document for the rule to fire
    /// there; `None` when the rule must always run.
    pub fn prefilter(&self) -> Option<Vec<&regex::Regex>> {
        self.regexes()
            .filter(|regexes| !regexes.iter().any(|re| unit_sensitive(re)))
    }

    /// Regexes a kind searches with, or `None` for kinds that scan characters.
    fn regexes(&self) -> Option<Vec<&regex::Regex>> {
        match self {
            Kind::Pattern(k) => Some(vec![&k.regex]),
            Kind::Relation(_) => None,
            _ => Some(self.operands()?.regexes().iter().collect()),
        }
    }

    /// True when one regex search over the whole document, keeping the matches that lie inside
    /// one scope unit, finds what a search of each unit would (pattern rules without anchors or
    /// word boundaries). Searching once per document instead of once per unit saves the
    /// per-search start-up cost thousands of times. The arithmetic kinds search unit by unit
    /// instead, skipping units that lack their required literals (`其中`, `决定`).
    pub fn searches_document(&self) -> bool {
        matches!(self, Kind::Pattern(_)) && self.prefilter().is_some()
    }

    /// True when the kind ignores scopes and runs once per document.
    pub fn per_document(&self) -> bool {
        match self {
            Kind::Field(_) | Kind::Sequence(_) | Kind::Table(_) => true,
            Kind::Date(k) => k.per_document(),
            Kind::Pairs(k) => k.continue_unterminated,
            _ => false,
        }
    }

    /// The placeholder names the kind provides to templates.
    pub fn vars(&self) -> Vec<String> {
        match self {
            Kind::Pattern(k) => k.vars(),
            Kind::Pairs(_) => pairs::VARS.iter().map(|s| (*s).to_owned()).collect(),
            Kind::Repeat(_) => repeat::VARS.iter().map(|s| (*s).to_owned()).collect(),
            Kind::Field(_) => field::VARS.iter().map(|s| (*s).to_owned()).collect(),
            Kind::Ratio(k) => k.vars(),
            Kind::Sum(k) => k.vars(),
            Kind::Growth(k) => k.vars(),
            Kind::Count(k) => k.vars(),
            Kind::Date(k) => k.vars(),
            Kind::Sequence(_) => sequence::VARS.iter().map(|s| (*s).to_owned()).collect(),
            Kind::Table(_) => table::VARS.iter().map(|s| (*s).to_owned()).collect(),
            Kind::Relation(k) => k.vars(),
        }
    }
}

/// The matches of a rule's `unless` patterns in one unit, searched on first use.
pub(crate) struct Exceptions<'a> {
    patterns: &'a [regex::Regex],
    body: &'a str,
    ranges: Option<Vec<Range<usize>>>,
}

impl<'a> Exceptions<'a> {
    /// Exceptions of `patterns` in `body` (a unit's text; ranges are relative to it).
    pub(crate) fn new(patterns: &'a [regex::Regex], body: &'a str) -> Self {
        Exceptions {
            patterns,
            body,
            ranges: None,
        }
    }

    /// True when an exception overlaps `range`.
    pub(crate) fn overlap(&mut self, range: Range<usize>) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let (patterns, body) = (self.patterns, self.body);
        let ranges = self.ranges.get_or_insert_with(|| {
            patterns
                .iter()
                .flat_map(|re| re.find_iter(body).map(|m| m.range()))
                .collect()
        });
        ranges
            .iter()
            .any(|r| r.start < range.end && range.start < r.end)
    }
}

/// Anchors and word boundaries depend on where a search starts and ends, so a regex using them
/// must be run on each scope unit and cannot be judged by a document-wide search.
fn unit_sensitive(re: &regex::Regex) -> bool {
    match regex_syntax::Parser::new().parse(re.as_str()) {
        Ok(hir) => !hir.properties().look_set().is_empty(),
        Err(_) => true,
    }
}

/// Number fragments rule authors may write inside regexes, so that operand patterns stay readable.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    // An Arabic number: half- or full-width digits, thousands groups of exactly three, decimals.
    (
        "{n}",
        r"[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．][0-9０-９]+)?",
    ),
    // A percentage.
    ("{pct}", r"[0-9０-９]+(?:[.．][0-9０-９]+)?\s?[%％]"),
    // A Chinese numeral.
    ("{cn}", r"[〇零一二两三四五六七八九十百千万亿]+"),
    // An optional scale word.
    ("{scale}", r"(?:万亿|亿|万|千)?"),
    // A unit of counts, money or measures (not rates).
    (
        "{qty}",
        r"(?:万元|亿元|千元|元|万人次|人次|万人|人|件|个|项|家|户|起|次|所|名|辆|套|台|吨|宗|条|本|场|批|处|座|公里|平方米|亩|公顷)",
    ),
    // A unit of counts, money, measures or rates.
    (
        "{unit}",
        r"(?:万元|亿元|千元|元|万人次|人次|万人|人|件|个|项|家|户|起|次|所|名|辆|套|台|吨|宗|条|本|场|批|处|座|公里|平方米|亩|公顷|[%％])",
    ),
];

/// Replaces `{n}`, `{pct}`, `{cn}` and `{scale}` with their regex fragments.
pub fn expand_placeholders(pattern: &str) -> String {
    if !pattern.contains('{') {
        return pattern.to_owned();
    }
    let mut out = pattern.to_owned();
    for (name, fragment) in PLACEHOLDERS {
        out = out.replace(name, fragment);
    }
    out
}

/// Compiles a user regex, reporting a syntax error at the regex value.
pub(crate) fn compile_regex(
    pattern: &toml::Spanned<String>,
    issues: &mut crate::rules::Issues<'_>,
) -> Option<regex::Regex> {
    match regex::RegexBuilder::new(&expand_placeholders(pattern.get_ref()))
        .size_limit(1 << 23)
        .dfa_size_limit(1 << 26)
        .build()
    {
        Ok(re) => Some(re),
        Err(err) => {
            let detail = err.to_string();
            let last = detail.lines().last().unwrap_or("invalid regex").trim();
            let last = last.strip_prefix("error: ").unwrap_or(last);
            issues.push(
                pattern.span(),
                format!("invalid regular expression: {last}"),
                Some("tally uses Rust regex syntax (no look-around, no backreferences): https://docs.rs/regex/#syntax"),
            );
            None
        }
    }
}
