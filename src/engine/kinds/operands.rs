//! Operands of the arithmetic kinds (ratio, sum, growth, count): a regex whose named captures
//! delimit the figures, exceptions, and parsing of a captured figure into an exact quantity.

use std::ops::Range;

use regex::{Captures, Regex};
use toml::Spanned;

use super::compile_regex;
use crate::number::{parse_quantity, Dec, Interval, Quantity, Rounding};
use crate::rules::Issues;

/// A compiled operand pattern.
#[derive(Debug)]
pub struct Operands {
    /// The main pattern and its alternatives (`also`), all capturing the same names.
    regexes: Vec<Regex>,
    unless: Vec<Regex>,
    report: String,
    /// Pairs of captures that must hold the same text (a part named twice, since the regex
    /// engine has no backreferences).
    same: Vec<(String, String)>,
}

impl Operands {
    /// Compiles the regex and checks that it captures every name in `required`
    /// (and `report`, which defaults to `default_report`).
    pub fn compile(
        regex: &Spanned<String>,
        also: &[Spanned<String>],
        unless: &[Spanned<String>],
        report: Option<&Spanned<String>>,
        required: &[&str],
        default_report: &str,
        issues: &mut Issues<'_>,
    ) -> Option<Operands> {
        let report_name = report
            .map_or(default_report, |r| r.get_ref().as_str())
            .to_owned();
        let mut ok = true;
        let mut regexes = Vec::new();
        for source in std::iter::once(regex).chain(also) {
            let Some(compiled) = compile_regex(source, issues) else {
                ok = false;
                continue;
            };
            let names: Vec<&str> = compiled.capture_names().flatten().collect();
            for name in required
                .iter()
                .copied()
                .chain(std::iter::once(report_name.as_str()))
            {
                if !names.contains(&name) {
                    issues.push(
                        source.span(),
                        format!("the regex must capture `(?<{name}>...)`"),
                        Some("name the operands with named groups; `{n}`, `{pct}`, `{cn}`, `{scale}` and `{unit}` expand to number patterns"),
                    );
                    ok = false;
                }
            }
            regexes.push(compiled);
        }
        let unless: Vec<Option<Regex>> = unless.iter().map(|u| compile_regex(u, issues)).collect();
        let unless = unless.into_iter().collect::<Option<Vec<_>>>()?;
        ok.then_some(Operands {
            regexes,
            unless,
            report: report_name,
            same: Vec::new(),
        })
    }

    /// Requires each pair of captures to hold the same text; names the regexes do not capture
    /// are reported.
    pub fn with_same(
        mut self,
        same: &[Vec<Spanned<String>>],
        issues: &mut Issues<'_>,
    ) -> Option<Self> {
        let names = self.names();
        for pair in same {
            let [a, b] = pair.as_slice() else {
                let span = pair.first().map_or(0..0, Spanned::span);
                issues.push(
                    span,
                    "`same` takes pairs of capture names: [[\"a\", \"b\"]]",
                    None,
                );
                return None;
            };
            for n in [a, b] {
                if !names.iter().any(|x| x == n.get_ref()) {
                    issues.push(
                        n.span(),
                        format!("`{}` is not a capture of the regex", n.get_ref()),
                        None,
                    );
                    return None;
                }
            }
            self.same.push((a.get_ref().clone(), b.get_ref().clone()));
        }
        Some(self)
    }

    /// Capture names of all patterns, for templates.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for re in &self.regexes {
            for name in re.capture_names().flatten() {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
        names
    }

    /// The patterns, for the document prefilter.
    pub fn regexes(&self) -> &[Regex] {
        &self.regexes
    }

    /// Every match in `unit` that no `unless` pattern overlaps. Capture offsets are relative to
    /// the unit; add `unit.start` for document offsets.
    pub fn matches<'t>(&self, text: &'t str, unit: Range<usize>) -> Vec<Captures<'t>> {
        let body = &text[unit];
        let mut exceptions: Option<Vec<Range<usize>>> = None;
        let mut out = Vec::new();
        for caps in self.regexes.iter().flat_map(|re| re.captures_iter(body)) {
            let Some(whole) = caps.get(0) else { continue };
            let differ = self.same.iter().any(|(a, b)| {
                matches!((caps.name(a), caps.name(b)), (Some(x), Some(y)) if x.as_str().trim() != y.as_str().trim())
            });
            if differ {
                continue;
            }
            if !self.unless.is_empty() {
                let ranges = exceptions.get_or_insert_with(|| {
                    self.unless
                        .iter()
                        .flat_map(|re| re.find_iter(body).map(|m| m.range()))
                        .collect()
                });
                let range = whole.range();
                if ranges
                    .iter()
                    .any(|r| r.start < range.end && range.start < r.end)
                {
                    continue;
                }
            }
            out.push(caps);
        }
        out
    }

    /// The span to report for a match.
    pub fn report_span(&self, caps: &Captures<'_>) -> Option<Range<usize>> {
        caps.name(&self.report)
            .or_else(|| caps.get(0))
            .map(|m| m.range())
    }
}

/// Parses a captured figure; `None` when absent, not a number, or approximate (`近3000万元`,
/// `99.8%以上`): approximate values are never compared.
pub fn exact_quantity(caps: &Captures<'_>, name: &str) -> Option<Quantity> {
    let text = caps.name(name)?.as_str();
    let q = parse_quantity(text)?;
    q.is_exact().then_some(q)
}

/// Hits carry the operands as written plus computed values.
pub fn captured_vars(caps: &Captures<'_>, names: &[String]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| {
            (
                n.clone(),
                caps.name(n).map_or("", |m| m.as_str()).to_owned(),
            )
        })
        .collect()
}

/// The interval a stated figure stands for: rounded half-up at its written precision, or
/// truncated (`[x − ½ unit, x + 1 unit]`), since reports do both.
pub fn lenient_interval(q: &Quantity) -> Option<Interval> {
    let rounded = q.interval();
    if rounded.is_point() {
        return Some(rounded);
    }
    let half = rounded.hi.checked_sub(q.value)?;
    Some(Interval::new(
        rounded.lo,
        q.value.checked_add(half)?.checked_add(half)?,
    ))
}

/// `a / b` at `decimals` decimal places, half away from zero.
pub fn quotient(a: Dec, b: Dec, decimals: u32) -> Option<Dec> {
    a.div(b, decimals, Rounding::HalfAwayFromZero)
}

/// Hundredfold of `a / b` (a percentage) at `decimals` places.
pub fn percent(a: Dec, b: Dec, decimals: u32) -> Option<Dec> {
    quotient(a.mul_pow10(2)?, b, decimals)
}
