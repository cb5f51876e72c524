//! `ratio`: a part, its whole and a stated rate must recompute (`43149 / 43896 = 98.30%`), and a
//! rate with d decimals over a whole n must be reachable by some integer k/n (GRIM), even when the
//! part is not written (`182件 … 纠错率12.93%`: 23/182 = 12.64%, 24/182 = 13.19%).

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::number::{Dec, Quantity, Rounding, Unit};
use crate::rules::Issues;
use crate::source::{Document, Scope};
use super::Kind;
use super::operands::{exact_quantity, lenient_interval, percent, Operands};

/// Placeholders a `ratio` rule provides besides its captures.
pub const VARS: &[&str] = &["match", "actual", "nearest"];

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

/// A compiled `[rule.ratio]`.
#[derive(Debug)]
pub struct Ratio {
    operands: Operands,
}

/// The rate as a percentage interval; `None` for units that are not rates.
fn rate_percent(rate: &Quantity) -> Option<(Dec, Dec, u32)> {
    let shift = match rate.unit {
        Unit::Percent => 0,
        Unit::Permille => -1,
        Unit::Cheng => 1,
        _ => return None,
    };
    let interval = lenient_interval(rate)?;
    let decimals = (i64::from(rate.decimals) - i64::from(shift)).max(0) as u32;
    Some((
        interval.lo.mul_pow10(shift)?,
        interval.hi.mul_pow10(shift)?,
        decimals,
    ))
}

/// Counts must be in the same unit to be a part and its whole (`件` and `件`).
fn same_kind(a: &Quantity, b: &Quantity) -> bool {
    match (&a.unit, &b.unit) {
        (Unit::None, _) | (_, Unit::None) => true,
        (x, y) => x == y,
    }
}

impl Ratio {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawRatio, issues: &mut Issues<'_>) -> Option<Ratio> {
        let operands = Operands::compile(
            &raw.regex,
            &raw.also,
            &raw.unless,
            raw.report.as_ref(),
            &["whole"],
            "rate",
            issues,
        )?
        .with_same(&raw.same, issues)?;
        Some(Ratio { operands })
    }

    /// Checks one unit.
    pub fn check(&self, text: &str, unit: Range<usize>, out: &mut Vec<Hit>) {
        for caps in self.operands.matches(text, unit.clone()) {
            if caps.name("mean").is_some() {
                if let Some(hit) = self.mean_hit(text, &unit, &caps) {
                    out.push(hit);
                }
                continue;
            }
            let (Some(whole), Some(rate)) = (
                exact_quantity(&caps, "whole"),
                exact_quantity(&caps, "rate"),
            ) else {
                continue;
            };
            let Some((lo, hi, decimals)) = rate_percent(&rate) else {
                continue;
            };
            if whole.value <= Dec::ZERO || hi > Dec::from_int(100) {
                continue;
            }
            let found = if caps.name("part").is_some() {
                let Some(part) = exact_quantity(&caps, "part") else {
                    continue;
                };
                if !same_kind(&part, &whole) {
                    continue;
                }
                recompute(&part, &whole, lo, hi, decimals)
            } else {
                granularity(&whole, lo, hi, decimals)
            };
            let Some((actual, nearest)) = found else {
                continue;
            };
            let Some(hit) = self.operands.hit(text, unit.start, &caps) else {
                continue;
            };
            out.push(hit.var("actual", actual).var("nearest", nearest));
        }
    }
}

impl Ratio {
    /// GRIM for means of integer data: a mean with d decimals over n items must be s/n for some
    /// integer s (`5人…平均年龄37.37岁` is impossible).
    fn mean_hit(&self, text: &str, unit: &Range<usize>, caps: &regex::Captures<'_>) -> Option<Hit> {
        let whole = exact_quantity(caps, "whole")?;
        let mean = exact_quantity(caps, "mean")?;
        if !whole.interval().is_point() || !whole.value.is_integer() || whole.value <= Dec::ZERO {
            return None;
        }
        let n = whole.value;
        // Below 10^d not every mean is reachable; above it the test can never fail.
        if n >= Dec::ONE.mul_pow10(i32::try_from(mean.decimals).ok()?)? {
            return None;
        }
        let m = mean.rounding_interval();
        let s_min = n.checked_mul(m.lo)?.round(0, Rounding::Ceiling)?;
        let s_max = n.checked_mul(m.hi)?.round(0, Rounding::Floor)?;
        if s_min <= s_max {
            return None;
        }
        let show = |s: Dec| {
            s.div(n, mean.decimals, Rounding::HalfAwayFromZero)
                .map(|r| format!("{s}/{n} = {r}"))
        };
        let nearest = [s_max, s_min]
            .into_iter()
            .filter_map(show)
            .collect::<Vec<_>>()
            .join("，");
        let hit = self.operands.hit(text, unit.start, caps)?;
        Some(hit.var("actual", "").var("nearest", nearest))
    }
}

/// `Some((actual, ""))` when part/whole cannot round to the stated rate.
fn recompute(
    part: &Quantity,
    whole: &Quantity,
    lo: Dec,
    hi: Dec,
    decimals: u32,
) -> Option<(String, String)> {
    let p = part.interval();
    let w = whole.interval();
    if w.lo <= Dec::ZERO {
        return None;
    }
    // part/whole·100 ⊂ [p.lo·100/w.hi, p.hi·100/w.lo]; disjoint from [lo, hi] means an error.
    let min = p.lo.mul_pow10(2)?.div(w.hi, 12, Rounding::Floor)?;
    let max = p.hi.mul_pow10(2)?.div(w.lo, 12, Rounding::Ceiling)?;
    if max < lo || min > hi {
        let actual = percent(part.value, whole.value, decimals + 2)?;
        return Some((format!("{actual}%"), String::new()));
    }
    None
}

/// `Some((actual, nearest))` when no integer k in 0..=n gives k/n within the rate's interval.
fn granularity(whole: &Quantity, lo: Dec, hi: Dec, decimals: u32) -> Option<(String, String)> {
    // Only a whole written as an exact integer count is a denominator of integer numerators.
    if !whole.interval().is_point()
        || !whole.value.is_integer()
        || !matches!(whole.unit, Unit::Count(_))
    {
        return None;
    }
    let n = whole.value;
    // Below 10^(d+2) not every rate is reachable; above it the test can never fail.
    let limit = Dec::from_int(10).mul_pow10(i32::try_from(decimals).ok()? + 1)?;
    if n >= limit {
        return None;
    }
    let k_min = n
        .checked_mul(lo)?
        .mul_pow10(-2)?
        .round(0, Rounding::Ceiling)?;
    let k_max = n
        .checked_mul(hi)?
        .mul_pow10(-2)?
        .round(0, Rounding::Floor)?;
    if k_min <= k_max {
        return None;
    }
    let below = k_max;
    let above = k_min;
    let show = |k: Dec| percent(k, n, decimals).map(|r| format!("{k}/{n} = {r}%"));
    let nearest = [below, above]
        .into_iter()
        .filter(|k| *k >= Dec::ZERO && *k <= n)
        .filter_map(show)
        .collect::<Vec<_>>()
        .join("，");
    Some((String::new(), nearest))
}

impl Kind for Ratio {
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
