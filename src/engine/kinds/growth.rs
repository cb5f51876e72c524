//! `growth`: from A to B with a stated change — `增长/下降 X%` (relative), `X个百分点` (difference of two
//! rates), `X倍` (B/A − 1). Magnitude within rounding and direction must agree; a zero base gives no
//! finding; approximate figures abstain.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::number::{Dec, Interval, Quantity, Rounding, Unit};
use crate::rules::{parse_enum_or, Issues};
use crate::source::{Document, Scope};
use super::Kind;
use super::operands::{exact_quantity, Operands};

/// Placeholders a `growth` rule provides besides its captures.
pub const VARS: &[&str] = &["match", "actual", "direction"];

/// What a growth rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// The stated change against the two values (and, with `start`/`end` years, the average
    /// annual rate: ((B/A)^(1/n) − 1)·100).
    Change,
    /// A change between two rates stated in `%` that equals their difference: it should be
    /// `个百分点` (`由95%提高到98%，提高3%`).
    PointsAsPercent,
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

/// A compiled `[rule.growth]`.
#[derive(Debug)]
pub struct Growth {
    operands: Operands,
    check: Check,
    increase: Vec<String>,
    decrease: Vec<String>,
}

/// Rules without a stated change report the verb.
fn default_report(regex: &toml::Spanned<String>) -> &'static str {
    if regex.get_ref().contains("(?<change>") {
        "change"
    } else {
        "verb"
    }
}

/// Decimals used for interval division: far below any written precision.
const PRECISION: u32 = 12;

impl Growth {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawGrowth, issues: &mut Issues<'_>) -> Option<Growth> {
        let operands = Operands::compile(
            &raw.regex,
            &raw.also,
            &raw.unless,
            raw.report.as_ref(),
            &["from", "to", "verb"],
            default_report(&raw.regex),
            issues,
        )?;
        let words = |list: &[toml::Spanned<String>]| {
            list.iter()
                .map(|w| w.get_ref().clone())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
        };
        let check = parse_enum_or(
            raw.check.as_ref(),
            "check",
            &[("change", Check::Change), ("points-as-percent", Check::PointsAsPercent)],
            Check::Change,
            issues,
        )?;
        Some(Growth {
            operands,
            check,
            increase: words(&raw.increase),
            decrease: words(&raw.decrease),
        })
    }

    /// +1 for a verb of increase, −1 for a verb of decrease.
    fn sign(&self, verb: &str) -> Option<i64> {
        let up = self.increase.iter().any(|w| verb.contains(w.as_str()));
        let down = self.decrease.iter().any(|w| verb.contains(w.as_str()));
        match (up, down) {
            (true, false) => Some(1),
            (false, true) => Some(-1),
            _ => None,
        }
    }

    /// Checks one unit.
    pub fn check(&self, text: &str, unit: Range<usize>, out: &mut Vec<Hit>) {
        for caps in self.operands.matches(text, unit.clone()) {
            let Some((actual, direction)) = self.mismatch(&caps) else {
                continue;
            };
            if let Some(hit) = self.operands.hit(text, unit.start, &caps) {
                out.push(hit.var("actual", actual).var("direction", direction));
            }
        }
    }

    /// The first word of the verbs going up (`sign > 0`) or down.
    fn verb(&self, sign: i64) -> String {
        let words = if sign > 0 {
            &self.increase
        } else {
            &self.decrease
        };
        words.first().cloned().unwrap_or_default()
    }

    /// What is wrong with one match, as the values for `{actual}` and `{direction}`.
    fn mismatch(&self, caps: &regex::Captures<'_>) -> Option<(String, String)> {
        let (from, to) = (exact_quantity(caps, "from")?, exact_quantity(caps, "to")?);
        let sign = self.sign(caps.name("verb")?.as_str())?;
        if caps.name("change").is_none() {
            // Direction only: `由120件下降到150件`.
            let (a, b) = (from.interval(), to.interval());
            let wrong = from.unit == to.unit && if sign > 0 { b.hi < a.lo } else { b.lo > a.hi };
            return wrong.then(|| (String::new(), self.verb(-sign)));
        }
        let change = exact_quantity(caps, "change")?;
        if self.check == Check::PointsAsPercent {
            return points_as_percent(&from, &to, &change)
                .map(|p| (format!("{p}个百分点"), String::new()));
        }
        let years = match (caps.name("start"), caps.name("end")) {
            (Some(s), Some(e)) => match (s.as_str().parse::<i64>(), e.as_str().parse::<i64>()) {
                (Ok(s), Ok(e)) if e > s && e - s <= 50 => Some((e - s) as u32),
                _ => return None,
            },
            _ => None,
        };
        let (actual, shown) = match years {
            Some(n) => average_change(&from, &to, &change, n)?,
            None => actual_change(&from, &to, &change)?,
        };
        if actual.overlaps(&stated_interval(&change, sign)?) {
            return None;
        }
        let suffix = match change.unit {
            Unit::PercentagePoint => "个百分点",
            Unit::Times => "倍",
            _ => "%",
        };
        let magnitude = shown.checked_abs().unwrap_or(shown);
        let direction = self.verb(if shown.is_negative() { -1 } else { 1 });
        Some((format!("{magnitude}{suffix}"), direction))
    }
}

/// `由95%提高到98%，提高3%`: the stated % equals the difference of the two rates as written (the
/// writer subtracted the figures); returns that difference in points.
fn points_as_percent(from: &Quantity, to: &Quantity, change: &Quantity) -> Option<Dec> {
    if from.unit != Unit::Percent || to.unit != Unit::Percent || change.unit != Unit::Percent {
        return None;
    }
    let points = to.value.checked_sub(from.value)?.checked_abs()?;
    change
        .rounding_interval()
        .contains(&points)
        .then_some(points)
}

/// Average annual change over `n` years: the stated rate g must satisfy (1 + g)^n = B/A within
/// the rounding of every figure. Powers are computed with outward rounding, never floats.
fn average_change(
    from: &Quantity,
    to: &Quantity,
    change: &Quantity,
    n: u32,
) -> Option<(Interval, Dec)> {
    if change.unit != Unit::Percent || from.unit != to.unit {
        return None;
    }
    let (a, b) = (from.interval(), to.interval());
    if a.lo <= Dec::ZERO || b.lo <= Dec::ZERO {
        return None;
    }
    let g = change.rounding_interval();
    let base = |x: Dec, mode: Rounding| {
        x.mul_pow10(-2)?
            .checked_add(Dec::ONE)?
            .round(PRECISION, mode)
    };
    let power = |x: Dec, mode: Rounding| -> Option<Dec> {
        let mut acc = Dec::ONE;
        for _ in 0..n {
            acc = acc.checked_mul(x)?.round(PRECISION, mode)?;
        }
        Some(acc)
    };
    // The growth factors the stated rate allows, and those the values allow.
    let stated_lo = power(base(g.lo, Rounding::Floor)?, Rounding::Floor)?;
    let stated_hi = power(base(g.hi, Rounding::Ceiling)?, Rounding::Ceiling)?;
    let actual_lo = b.lo.div(a.hi, PRECISION, Rounding::Floor)?;
    let actual_hi = b.hi.div(a.lo, PRECISION, Rounding::Ceiling)?;
    if actual_hi < stated_lo || actual_lo > stated_hi {
        // Report the rate the values give, found by bisection on exact decimals.
        let target = to
            .value
            .div(from.value, PRECISION, Rounding::HalfAwayFromZero)?;
        let (mut lo, mut hi) = (Dec::from_int(-100), Dec::from_int(1000));
        for _ in 0..60 {
            let mid = lo
                .checked_add(hi)?
                .div(Dec::from_int(2), PRECISION, Rounding::Floor)?;
            if power(base(mid, Rounding::Floor)?, Rounding::Floor)? < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let shown = lo.round(change.decimals + 2, Rounding::HalfAwayFromZero)?;
        // An empty interval far from the stated one: the caller reports the mismatch.
        let far = Dec::from_int(1_000_000);
        return Some((Interval::new(far, far), shown));
    }
    None
}

/// The signed stated change as an interval: its rounding interval (growth rates are rounded,
/// not truncated, in statistical reporting).
fn stated_interval(change: &Quantity, sign: i64) -> Option<Interval> {
    let i = change.rounding_interval();
    if sign > 0 {
        Some(i)
    } else {
        Some(Interval::new(i.hi.checked_neg()?, i.lo.checked_neg()?))
    }
}

/// The change implied by the two values, as an interval over their rounding, and a value to show.
fn actual_change(from: &Quantity, to: &Quantity, change: &Quantity) -> Option<(Interval, Dec)> {
    let a = from.interval();
    let b = to.interval();
    let shown_decimals = change.decimals + 2;
    match change.unit {
        Unit::PercentagePoint => {
            if from.unit != Unit::Percent || to.unit != Unit::Percent {
                return None;
            }
            let diff = b.checked_sub(&a)?;
            Some((diff, to.value.checked_sub(from.value)?))
        }
        Unit::Percent | Unit::Times => {
            if from.unit != to.unit || a.lo <= Dec::ZERO || b.lo < Dec::ZERO {
                return None;
            }
            let scale = if change.unit == Unit::Percent { 2 } else { 0 };
            let lo =
                b.lo.div(a.hi, PRECISION, Rounding::Floor)?
                    .checked_sub(Dec::ONE)?
                    .mul_pow10(scale)?;
            let hi =
                b.hi.div(a.lo, PRECISION, Rounding::Ceiling)?
                    .checked_sub(Dec::ONE)?
                    .mul_pow10(scale)?;
            let shown = to
                .value
                .div(from.value, shown_decimals + 2, Rounding::HalfAwayFromZero)?
                .checked_sub(Dec::ONE)?
                .mul_pow10(scale)?
                .round(shown_decimals, Rounding::HalfAwayFromZero)?;
            Some((Interval::new(lo, hi), shown))
        }
        _ => None,
    }
}

impl Kind for Growth {
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
