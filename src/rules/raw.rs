//! Serde mirror of a rule file. Every user-facing value keeps its span so that `compile` can
//! point at it. Plain structs with one sub-table per kind (no tagged enums: they lose spans).

use serde::Deserialize;
use toml::Spanned;

/// One `[[rule]]` table.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub kind: Spanned<String>,
    pub severity: Spanned<String>,
    pub scope: Option<Spanned<String>>,
    pub message: Spanned<String>,
    pub help: Option<Spanned<String>>,
    pub description: Spanned<String>,
    pub url: Option<Spanned<String>>,
    pub pattern: Option<Spanned<RawPattern>>,
    pub pairs: Option<Spanned<RawPairs>>,
    pub repeat: Option<Spanned<RawRepeat>>,
    pub field: Option<Spanned<RawField>>,
    pub ratio: Option<Spanned<RawRatio>>,
    pub sum: Option<Spanned<RawSum>>,
    pub growth: Option<Spanned<RawGrowth>>,
    pub count: Option<Spanned<RawCount>>,
    pub date: Option<Spanned<RawDate>>,
    pub sequence: Option<Spanned<RawSequence>>,
    pub table: Option<Spanned<RawTable>>,
    pub relation: Option<Spanned<crate::engine::kinds::relation::RawRelation>>,
    pub tests: Option<Spanned<RawTests>>,
}

/// `[rule.pattern]`: a regex with named captures.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawPattern {
    pub regex: Spanned<String>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub report: Option<Spanned<String>>,
    pub fix: Option<Spanned<String>>,
    pub applicability: Option<Spanned<String>>,
    pub max: Option<Spanned<usize>>,
}

/// `[rule.pairs]`: paired marks that must balance within the scope.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawPairs {
    pub marks: Vec<Spanned<String>>,
    #[serde(default)]
    pub flat: Vec<Spanned<String>>,
    #[serde(default)]
    pub groups: Vec<Vec<Spanned<String>>>,
    pub check: Option<Spanned<String>>,
    #[serde(default)]
    pub apostrophes: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub continue_unterminated: bool,
}

/// `[rule.repeat]`: accidental doubling of a character or a word.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawRepeat {
    pub chars: Option<Spanned<String>>,
    #[serde(default)]
    pub words: bool,
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
}

/// `[rule.field]`: `label: value` metadata fields.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawField {
    pub labels: Vec<Spanned<String>>,
    #[serde(default)]
    pub known: Vec<Spanned<String>>,
    pub value: Option<Spanned<String>>,
    pub empty: Option<Spanned<String>>,
    pub lines: Option<Spanned<usize>>,
}

/// `[rule.tests]`: examples that `tally test` and `cargo test` run.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawTests {
    #[serde(default)]
    pub valid: Vec<String>,
    #[serde(default)]
    pub invalid: Vec<String>,
    #[serde(default)]
    pub case: Vec<RawCase>,
}

/// `[[rule.tests.case]]`: a text and the exact matched texts it must produce, in order.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawCase {
    pub text: String,
    #[serde(default)]
    pub expect: Vec<String>,
    pub fix: Option<String>,
}

/// `[rule.ratio]`: part / whole = rate, or (without `part`) a rate impossible for its whole.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawRatio {
    pub regex: Spanned<String>,
    #[serde(default)]
    pub also: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub report: Option<Spanned<String>>,
    #[serde(default)]
    pub same: Vec<Vec<Spanned<String>>>,
}

/// `[rule.sum]`: parts against their total.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawSum {
    pub regex: Spanned<String>,
    #[serde(default)]
    pub also: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub report: Option<Spanned<String>>,
    pub part: Option<Spanned<String>>,
    pub check: Option<Spanned<String>>,
    pub total: Option<Spanned<String>>,
    pub min_parts: Option<Spanned<usize>>,
}

/// `[rule.growth]`: a change from one value to another against the stated rate.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawGrowth {
    pub regex: Spanned<String>,
    #[serde(default)]
    pub also: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub report: Option<Spanned<String>>,
    pub increase: Vec<Spanned<String>>,
    pub decrease: Vec<Spanned<String>>,
    pub check: Option<Spanned<String>>,
}

/// `[rule.count]`: a stated count against the items listed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawCount {
    pub regex: Spanned<String>,
    #[serde(default)]
    pub also: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub report: Option<Spanned<String>>,
    pub item: Option<Spanned<String>>,
    pub counting: Option<Spanned<String>>,
}

/// `[rule.date]`: dates in their written forms, checked for what `check` names.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawDate {
    pub check: Spanned<String>,
    pub regex: Option<Spanned<String>>,
    #[serde(default)]
    pub also: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub report: Option<Spanned<String>>,
    pub earlier: Option<Spanned<String>>,
    pub later: Option<Spanned<String>>,
    pub min_year: Option<Spanned<i64>>,
}

/// `[rule.sequence]`: numbering runs of headings or enumerations.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawSequence {
    pub mode: Option<Spanned<String>>,
    pub markers: Vec<RawMarker>,
    #[serde(default)]
    pub reset: Vec<Spanned<String>>,
    #[serde(default)]
    pub skip: Vec<Spanned<String>>,
}

/// `[rule.table]`: figures in tables that must add up.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawTable {
    pub check: Spanned<String>,
    pub total: Option<Spanned<String>>,
    pub exclude: Option<Spanned<String>>,
    pub label_columns: Option<Spanned<String>>,
    pub breakdown: Option<Spanned<String>>,
    pub subtotal: Option<Spanned<String>>,
    pub scale: Option<Spanned<String>>,
    pub within: Option<Spanned<String>>,
    #[serde(default)]
    pub left: Vec<Spanned<String>>,
    #[serde(default)]
    pub right: Vec<Spanned<String>>,
    pub integers: Option<Spanned<String>>,
    pub layout: Option<Spanned<bool>>,
}

/// One numbering style of a `sequence` rule.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawMarker {
    pub regex: Spanned<String>,
    pub level: Option<Spanned<u32>>,
}
