//! Rule kinds: each owns its compiled parameters (built from the raw TOML sub-table) and its check.

pub mod field;
pub mod pairs;
pub mod pattern;
pub mod repeat;

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
}

/// Every kind name a rule file may use, in the order `tally rules` documents them.
pub const KIND_NAMES: &[&str] = &["pattern", "pairs", "repeat", "field"];

impl Kind {
    /// The TOML name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Pattern(_) => "pattern",
            Kind::Pairs(_) => "pairs",
            Kind::Repeat(_) => "repeat",
            Kind::Field(_) => "field",
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
        }
    }

    /// True when the kind ignores scopes and runs once per document.
    pub fn per_document(&self) -> bool {
        match self {
            Kind::Field(_) => true,
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
        }
    }
}

/// Compiles a user regex, reporting a syntax error at the regex value.
pub(crate) fn compile_regex(
    pattern: &toml::Spanned<String>,
    issues: &mut crate::rules::Issues<'_>,
) -> Option<regex::Regex> {
    match regex::RegexBuilder::new(pattern.get_ref())
        .size_limit(1 << 23)
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
