//! `pattern`: a regular expression with named captures, exceptions (`unless`) and a fix template.

use std::ops::Range;

use regex::Regex;

use super::compile_regex;
use crate::engine::finding::Hit;
use crate::rules::raw::RawPattern;
use crate::rules::{Issues, Template};

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
            let template = crate::rules::parse_template(f, issues)?;
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
        let safe = match raw.applicability.as_ref().map(|a| a.get_ref().as_str()) {
            None | Some("unsafe") => false,
            Some("safe") => true,
            Some(other) => {
                let span = raw.applicability.as_ref().map_or(0..0, |a| a.span());
                issues.push(
                    span,
                    format!("unknown applicability `{other}`, expected `safe` or `unsafe`"),
                    None,
                );
                return None;
            }
        };
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

    /// `match` plus every named capture.
    pub fn vars(&self) -> Vec<String> {
        let mut vars = vec!["match".to_owned()];
        vars.extend(self.regex.capture_names().flatten().map(str::to_owned));
        vars
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
