//! `pattern`: a regular expression with named captures, exceptions (`unless`) and a fix template.

use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::rules::compile_regex;
use crate::rules::{parse_enum_or, parse_template, Issues, Template};
use crate::source::Document;
use super::Kind;

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

/// A compiled `[rule.pattern]`.
#[derive(Debug)]
pub struct Pattern {
    pub regex: Regex,
    unless: Vec<Regex>,
    report: Option<String>,
    fix: Option<Template>,
    /// True when the fix is certain (`applicability = "safe"`).
    safe: bool,
    /// Report at most this many matches per unit (`max = 1` with scope `document`: once per
    /// document).
    max: usize,
}

impl Pattern {
    /// Compiles the sub-table; every problem goes to `issues`.
    pub fn compile(raw: &RawPattern, issues: &mut Issues<'_>) -> Option<Pattern> {
        let regex = compile_regex(&raw.regex, issues);
        let unless: Vec<Option<Regex>> = raw
            .unless
            .iter()
            .map(|u| compile_regex(u, issues))
            .collect();
        let regex = regex?;
        let names: Vec<&str> = regex.capture_names().flatten().collect();
        if let Some(report) = &raw.report {
            if !names.contains(&report.get_ref().as_str()) {
                issues.push(
                    report.span(),
                    format!(
                        "`report` names `{}`, which the regex does not capture",
                        report.get_ref()
                    ),
                    Some("name a capture group of `regex`, written `(?<name>...)`"),
                );
            }
        }
        let fix = raw.fix.as_ref().and_then(|f| {
            let template = parse_template(f, issues)?;
            for var in template.vars() {
                if var != "match" && !names.contains(&var) {
                    issues.push(
                        f.span(),
                        format!("fix uses `{{{var}}}`, which the regex does not capture"),
                        Some("use `{match}` or the name of a capture group"),
                    );
                }
            }
            Some(template)
        });
        let safe = parse_enum_or(
            raw.applicability.as_ref(),
            "applicability",
            &[("safe", true), ("unsafe", false)],
            false,
            issues,
        )?;
        let unless = unless.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Pattern {
            max: raw.max.as_ref().map_or(usize::MAX, |m| *m.get_ref()),
            safe,
            regex,
            unless,
            report: raw.report.as_ref().map(|r| r.get_ref().clone()),
            fix,
        })
    }

    /// Finds every match in one unit.
    pub fn check(&self, text: &str, unit: Range<usize>, out: &mut Vec<Hit>) {
        let body = &text[unit.clone()];
        let mut exceptions = super::Exceptions::new(&self.unless, body);
        for caps in self.regex.captures_iter(body).take(self.max) {
            let Some(whole) = caps.get(0) else { continue };
            if whole.is_empty() {
                continue;
            }
            let reported = self
                .report
                .as_deref()
                .and_then(|name| caps.name(name))
                .unwrap_or(whole);
            let span = unit.start + reported.start()..unit.start + reported.end();
            if exceptions.overlap(reported.range()) {
                continue;
            }
            let mut hit = Hit::at(text, span);
            hit.extent = Some(unit.start + whole.start()..unit.start + whole.end());
            for name in self.regex.capture_names().flatten() {
                let value = caps.name(name).map_or("", |m| m.as_str());
                hit = hit.var(name, value);
            }
            if let Some(fix) = &self.fix {
                let whole_text = whole.as_str();
                let replacement = fix.render(|name| {
                    if name == "match" {
                        Some(whole_text)
                    } else {
                        caps.name(name).map(|m| m.as_str())
                    }
                });
                hit.fix = Some(replacement);
                hit.safe_fix = self.safe;
            }
            out.push(hit);
        }
    }
}

impl Kind for Pattern {
    fn check_unit(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>) {
        self.check(&doc.text, unit, out);
    }

    /// `match` plus every named capture.
    fn vars(&self) -> Vec<String> {
        let mut vars = vec!["match".to_owned()];
        vars.extend(self.regex.capture_names().flatten().map(str::to_owned));
        vars
    }

    fn regexes(&self) -> Option<Vec<&Regex>> {
        Some(vec![&self.regex])
    }

    fn joins_document_prefilter(&self) -> bool {
        true
    }

    /// Pattern rules without anchors or word boundaries search the whole document once, keeping
    /// the matches that lie inside one scope unit: searching once per document instead of once
    /// per unit saves the per-search start-up cost thousands of times. (The arithmetic kinds
    /// search unit by unit instead, skipping units that lack their required literals.)
    fn searches_document(&self) -> bool {
        self.prefilter().is_some()
    }
}
