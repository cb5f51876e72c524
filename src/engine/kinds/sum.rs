//! `sum`: parts against their total (`46件，决定保留25件，废止17件，修改4件`), and shares of one whole
//! against 100% (`4.2%、38.6%、31.5%、25.7%`). Every figure is widened by half its last written digit;
//! a finding fires only when no values inside the intervals add up.

use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::number::{extract, parse_quantity, Dec, Interval, Quantity, Unit};
use crate::rules::compile_regex;
use crate::rules::{parse_enum_or, Issues};
use crate::source::{Document, Scope};
use super::Kind;
use super::operands::{exact_quantity, Operands};

/// Placeholders a `sum` rule provides besides its captures.
pub const VARS: &[&str] = &["match", "sum", "parts", "count", "stated"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Parts adding up to more than the total (never right).
    Exceed,
    /// Parts adding up to less than the total (only for exhaustive lists).
    Short,
    /// Either.
    Equal,
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

/// A compiled `[rule.sum]`.
#[derive(Debug)]
pub struct Sum {
    operands: Operands,
    part: Option<Regex>,
    check: Check,
    /// A fixed total (`100%` for shares), boxed to keep rule kinds small.
    total: Option<Box<Quantity>>,
    min_parts: usize,
}

impl Sum {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawSum, issues: &mut Issues<'_>) -> Option<Sum> {
        let fixed_total = match &raw.total {
            Some(t) => match parse_quantity(t.get_ref()) {
                Some(q) => Some(q),
                None => {
                    issues.push(
                        t.span(),
                        format!("`{}` is not a figure", t.get_ref()),
                        Some("write e.g. \"100%\""),
                    );
                    return None;
                }
            },
            None => None,
        };
        let required: &[&str] = if fixed_total.is_some() {
            &["parts"]
        } else {
            &["parts", "total"]
        };
        let default_report = if fixed_total.is_some() {
            "parts"
        } else {
            "total"
        };
        let operands = Operands::compile(
            &raw.regex,
            &raw.also,
            &raw.unless,
            raw.report.as_ref(),
            required,
            default_report,
            issues,
        );
        let part = match &raw.part {
            Some(p) => Some(compile_regex(p, issues)?),
            None => None,
        };
        let check = parse_enum_or(
            raw.check.as_ref(),
            "check",
            &[("exceed", Check::Exceed), ("short", Check::Short), ("equal", Check::Equal)],
            Check::Exceed,
            issues,
        )?;
        Some(Sum {
            operands: operands?,
            part,
            check,
            total: fixed_total.map(Box::new),
            min_parts: raw.min_parts.as_ref().map_or(2, |m| *m.get_ref()),
        })
    }

    /// The parts inside the `parts` capture: quantities in the total's unit.
    fn parts(&self, region: &str, total: &Quantity) -> Option<Vec<Quantity>> {
        let found: Vec<Quantity> = match &self.part {
            Some(re) => re
                .find_iter(region)
                .filter_map(|m| parse_quantity(m.as_str()))
                .collect(),
            None => extract(region),
        };
        let mut parts = Vec::new();
        for q in found {
            if q.unit != total.unit
                && !(total.unit == Unit::None && matches!(q.unit, Unit::Count(_)))
            {
                continue;
            }
            // An approximate part makes the sum unknowable.
            if !q.is_exact() {
                return None;
            }
            parts.push(q);
        }
        Some(parts)
    }

    /// Checks one unit.
    pub fn check(&self, text: &str, unit: Range<usize>, out: &mut Vec<Hit>) {
        for caps in self.operands.matches(text, unit.clone()) {
            let total = match &self.total {
                Some(t) => (**t).clone(),
                None => match exact_quantity(&caps, "total") {
                    Some(t) => t,
                    None => continue,
                },
            };
            let Some(region) = caps.name("parts") else {
                continue;
            };
            let Some(parts) = self.parts(region.as_str(), &total) else {
                continue;
            };
            if parts.len() < self.min_parts {
                continue;
            }
            let Some(sum) = parts.iter().try_fold(Interval::point(Dec::ZERO), |acc, p| {
                acc.checked_add(&p.interval())
            }) else {
                continue;
            };
            let Some(stated_sum) = parts
                .iter()
                .try_fold(Dec::ZERO, |acc, p| acc.checked_add(p.value))
            else {
                continue;
            };
            let t = total.interval();
            let exceeds = sum.lo > t.hi;
            let short = sum.hi < t.lo;
            let fire = match self.check {
                Check::Exceed => exceeds,
                Check::Short => short,
                Check::Equal => exceeds || short,
            };
            if !fire {
                continue;
            }
            let Some(hit) = self.operands.hit(text, unit.start, &caps) else {
                continue;
            };
            let written: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
            let hit = hit
                .var("sum", display_sum(stated_sum, &total))
                .var("parts", written.join(" + "))
                .var("count", parts.len().to_string())
                .var("stated", total.text.clone());
            out.push(hit);
        }
    }
}

/// The sum in the total's unit as written (`46件`, `102.0%`, `19.2亿元`).
fn display_sum(sum: Dec, total: &Quantity) -> String {
    let scaled = i32::try_from(total.multiplier)
        .ok()
        .and_then(|m| sum.mul_pow10(-m));
    let value = scaled.unwrap_or(sum);
    let unit = total.text.trim_start_matches(|c: char| {
        c.is_ascii_digit() || matches!(c, '.' | ',' | '，' | '．') || ('０'..='９').contains(&c)
    });
    format!("{}{}", value.normalized(), unit)
}

impl Kind for Sum {
    fn check_unit(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>) {
        self.check(&doc.text, unit, out);
    }

    /// Placeholders: the captures plus computed values.
    fn vars(&self) -> Vec<String> {
        let mut v: Vec<String> = VARS.iter().map(|s| (*s).to_owned()).collect();
        v.extend(self.operands.names().iter().cloned());
        v
    }

    fn default_scope(&self) -> Scope {
        Scope::Statement
    }

    fn operands(&self) -> Option<&Operands> {
        Some(&self.operands)
    }
}
