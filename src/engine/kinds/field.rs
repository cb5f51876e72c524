//! `field`: `label: value` metadata in a document's head (the portal header block:
//! 索引号, 文件编号, 发布机构, 生成日期, 公开日期, 时效 …). Labels that must not be empty, and value formats.

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::rules::compile_regex;
use crate::rules::{parse_enum_or, Issues};
use crate::source::Scope;
use crate::source::{Document, Format};
use super::Kind;

/// Placeholders a `field` rule provides.
pub const VARS: &[&str] = &["match", "label", "value"];

/// Lines inspected when the rule does not say.
const DEFAULT_LINES: usize = 20;

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

/// A compiled `[rule.field]`.
#[derive(Debug)]
pub struct Field {
    /// Labels this rule checks.
    labels: Vec<String>,
    /// Finds any known label followed by `:`/`：` (capture `label`).
    finder: Regex,
    value: Option<Regex>,
    report_empty: bool,
    lines: usize,
}

/// A regex finding any of `labels` followed by a colon; sorts and de-duplicates `labels`.
fn label_finder(labels: &mut Vec<String>) -> Result<Regex, regex::Error> {
    // Longest first so that `发布日期` wins over a shorter label that is its suffix.
    labels.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    labels.dedup();
    let alternation: Vec<String> = labels.iter().map(|l| regex::escape(l)).collect();
    Regex::new(&format!(
        r"(?:^|[\s\u{{a0}}\u{{3000}}])(?<label>{})[ \t\u{{a0}}\u{{3000}}]*[:：]",
        alternation.join("|")
    ))
}

/// Whitespace that may pad a value, including NBSP and the ideographic space.
fn is_pad(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}'
}

impl Field {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawField, issues: &mut Issues<'_>) -> Option<Field> {
        let mut all: Vec<String> = Vec::new();
        for label in raw.labels.iter().chain(&raw.known) {
            let l = label.get_ref().trim();
            if l.is_empty() || l.contains([':', '：']) {
                issues.push(
                    label.span(),
                    "a label is the text before the colon, without the colon",
                    None,
                );
                return None;
            }
            all.push(l.to_owned());
        }
        if raw.labels.is_empty() {
            issues.push(
                0..0,
                "a field rule needs at least one label in `labels`",
                None,
            );
            return None;
        }
        let finder = match label_finder(&mut all) {
            Ok(re) => re,
            Err(err) => {
                issues.push(0..0, format!("cannot build the label finder: {err}"), None);
                return None;
            }
        };
        let value = match &raw.value {
            Some(v) => {
                let anchored = toml::Spanned::new(v.span(), format!("^(?:{})$", v.get_ref()));
                Some(compile_regex(&anchored, issues)?)
            }
            None => None,
        };
        let report_empty = parse_enum_or(
            raw.empty.as_ref(),
            "value for `empty`",
            &[("report", true), ("ignore", false)],
            true,
            issues,
        )?;
        Some(Field {
            labels: raw
                .labels
                .iter()
                .map(|l| l.get_ref().trim().to_owned())
                .collect(),
            finder,
            value,
            report_empty,
            lines: raw.lines.as_ref().map_or(DEFAULT_LINES, |l| *l.get_ref()),
        })
    }

    /// Checks the first `lines` lines of the document; the whole of an HTML page, whose header
    /// block sits below navigation of any length.
    pub fn check(&self, doc: &Document, out: &mut Vec<Hit>) {
        let text = &doc.text;
        let lines = match doc.format {
            Format::Html => usize::MAX,
            _ => self.lines,
        };
        for line in doc.blocks.lines.iter().take(lines) {
            let body = &text[line.clone()];
            let found: Vec<(std::ops::Range<usize>, usize, &str)> = self
                .finder
                .captures_iter(body)
                .filter_map(|caps| {
                    let label = caps.name("label")?;
                    let whole = caps.get(0)?;
                    Some((label.start()..whole.end(), whole.end(), label.as_str()))
                })
                .collect();
            for (i, (span, value_start, label)) in found.iter().enumerate() {
                if !self.labels.iter().any(|l| l == label) {
                    continue;
                }
                let value_end = found.get(i + 1).map_or(body.len(), |next| next.0.start);
                let raw_value = &body[*value_start..value_end];
                let value = raw_value.trim_matches(is_pad);
                let label_span = line.start + span.start..line.start + span.end;
                if value.is_empty() {
                    if self.report_empty {
                        out.push(
                            Hit::at(text, label_span)
                                .var("label", *label)
                                .var("value", ""),
                        );
                    }
                    continue;
                }
                if let Some(re) = &self.value {
                    if !re.is_match(value) {
                        let lead = raw_value.len() - raw_value.trim_start_matches(is_pad).len();
                        let start = line.start + value_start + lead;
                        out.push(
                            Hit::at(text, start..start + value.len())
                                .var("label", *label)
                                .var("value", value),
                        );
                    }
                }
            }
        }
    }
}

impl Kind for Field {
    /// Looks at the document head and ignores the unit.
    fn check_unit(&self, doc: &Document, _unit: std::ops::Range<usize>, out: &mut Vec<Hit>) {
        self.check(doc, out);
    }

    fn vars(&self) -> Vec<String> {
        VARS.iter().map(|s| (*s).to_owned()).collect()
    }

    fn default_scope(&self) -> Scope {
        Scope::Document
    }

    fn per_document(&self) -> bool {
        true
    }
}
