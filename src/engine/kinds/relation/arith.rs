//! The arithmetic of relation checks, on exact decimal intervals (never floats).
//!
//! Every stated figure stands for the interval its written precision allows: `98.3%` for
//! [98.25, 98.35] (half-up), or [98.25, 98.4) when truncation is allowed too; integer counts are
//! exact. A check reports only when no values inside all the intervals satisfy the relation.

use crate::number::{Dec, Interval, Quantity, Rounding, Unit};

/// Decimals used for interval division: far below any written precision.
pub const PRECISION: u32 = 12;

/// The interval a figure stands for: [`Quantity::interval`], except that a written zero is exact
/// and a Chinese numeral with
/// 万 or 亿 (`三万千瓦`, `二十八万人`) is taken as rounded at its last non-zero digit, as such
/// figures are in prose.
pub fn interval(q: &Quantity) -> Interval {
    // A written zero means none (`因公出国（境）费0万元`), whatever its scale word.
    if q.value.is_zero() && q.range_end.is_none() {
        return Interval::point(Dec::ZERO);
    }
    let base = q.interval();
    if !(q.chinese && base.is_point() && (q.text.contains('万') || q.text.contains('亿'))) {
        return base;
    }
    let Some(mut v) = q.value.to_i128() else {
        return base;
    };
    let mut zeros = 0;
    while v != 0 && v % 10 == 0 {
        v /= 10;
        zeros += 1;
    }
    let half = Dec::from_int(5).mul_pow10(zeros - 1);
    match half.and_then(|h| {
        Some(Interval::new(
            q.value.checked_sub(h)?,
            q.value.checked_add(h)?,
        ))
    }) {
        Some(i) if zeros > 0 => i,
        _ => base,
    }
}

/// How a stated rate was rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundingPolicy {
    /// Half up at the written precision.
    HalfUp,
    /// Half up, or truncated (reports do both for rates).
    HalfUpOrTruncated,
}

/// The interval a stated figure stands for under a rounding policy.
pub fn stated(q: &Quantity, policy: RoundingPolicy) -> Option<Interval> {
    let rounded = interval(q);
    if rounded.is_point() || policy == RoundingPolicy::HalfUp {
        return Some(rounded);
    }
    let half = rounded.hi.checked_sub(q.value)?;
    Some(Interval::new(
        rounded.lo,
        q.value.checked_add(half)?.checked_add(half)?,
    ))
}

/// A rate as a percentage interval and the decimals it is written with, in percent.
pub fn rate_percent(rate: &Quantity, policy: RoundingPolicy) -> Option<(Interval, u32)> {
    let shift = match rate.unit {
        Unit::Percent => 0,
        Unit::Permille => -1,
        Unit::Cheng => 1,
        _ => return None,
    };
    let i = stated(rate, policy)?;
    let decimals = (i64::from(rate.decimals) - i64::from(shift)).max(0) as u32;
    Some((
        Interval::new(i.lo.mul_pow10(shift)?, i.hi.mul_pow10(shift)?),
        decimals,
    ))
}

/// Two amounts can be a part and its whole, or two values of one thing: the same unit, or one
/// of them bare (`68214` next to `66530件`).
pub fn comparable(a: &Quantity, b: &Quantity) -> bool {
    match (&a.unit, &b.unit) {
        (Unit::None, Unit::None) => true,
        (Unit::None, u) | (u, Unit::None) => {
            matches!(u, Unit::Count(_) | Unit::Money(_) | Unit::Measure(_))
        }
        (x, y) => x == y,
    }
}

/// `a / b · 100` at `decimals` places, half away from zero.
pub fn percent(a: Dec, b: Dec, decimals: u32) -> Option<Dec> {
    a.mul_pow10(2)?.div(b, decimals, Rounding::HalfAwayFromZero)
}

/// part / whole against a stated rate: `Some(actual)` when they cannot agree.
pub fn ratio(
    part: &Quantity,
    whole: &Quantity,
    rate: &Quantity,
    policy: RoundingPolicy,
) -> Option<String> {
    let (r, decimals) = rate_percent(rate, policy)?;
    let (p, w) = (interval(part), interval(whole));
    if w.lo <= Dec::ZERO || p.lo < Dec::ZERO {
        return None;
    }
    // A part larger than its whole under a rate of at most 100% is a misreading, not an error.
    if p.lo > w.hi && r.hi <= Dec::from_int(100) {
        return None;
    }
    let min = p.lo.mul_pow10(2)?.div(w.hi, PRECISION, Rounding::Floor)?;
    let max = p.hi.mul_pow10(2)?.div(w.lo, PRECISION, Rounding::Ceiling)?;
    if max < r.lo || min > r.hi {
        let actual = percent(part.value, whole.value, decimals + 2)?;
        return Some(format!("{actual}%"));
    }
    None
}

/// GRIM: a rate over a whole of n items must be k/n for an integer k. `Some(nearest)` when no
/// k in 0..=n gives it.
pub fn grim(whole: &Quantity, rate: &Quantity, policy: RoundingPolicy) -> Option<String> {
    if !interval(whole).is_point()
        || !whole.value.is_integer()
        // A bare number counts too where a shape binds one (`Of the 23 prosecutions`).
        || !matches!(whole.unit, Unit::Count(_) | Unit::None)
        || whole.value <= Dec::ZERO
    {
        return None;
    }
    let (r, decimals) = rate_percent(rate, policy)?;
    let n = whole.value;
    // Below 10^(d+2) not every rate is reachable; above it the test can never fail.
    let limit = Dec::from_int(10).mul_pow10(i32::try_from(decimals).ok()? + 1)?;
    if n >= limit || r.hi > Dec::from_int(100) {
        return None;
    }
    let k_min = n
        .checked_mul(r.lo)?
        .mul_pow10(-2)?
        .round(0, Rounding::Ceiling)?;
    let k_max = n
        .checked_mul(r.hi)?
        .mul_pow10(-2)?
        .round(0, Rounding::Floor)?;
    if k_min <= k_max {
        return None;
    }
    let show = |k: Dec| percent(k, n, decimals).map(|p| format!("{k}/{n} = {p}%"));
    Some(
        [k_max, k_min]
            .into_iter()
            .filter(|k| *k >= Dec::ZERO && *k <= n)
            .filter_map(show)
            .collect::<Vec<_>>()
            .join("，"),
    )
}

/// GRIM for means of integer data over n items. `Some(nearest)` when no integer sum gives it.
pub fn grim_mean(count: &Quantity, mean: &Quantity) -> Option<String> {
    if !count.interval().is_point() || !count.value.is_integer() || count.value <= Dec::ZERO {
        return None;
    }
    let n = count.value;
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
    Some(
        [s_max, s_min]
            .into_iter()
            .filter_map(show)
            .collect::<Vec<_>>()
            .join("，"),
    )
}

/// Which way a sum may miss its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SumMode {
    /// Parts may fall short (open lists) but never exceed.
    Exceed,
    /// Parts must not fall short (closed lists; exceeding is the other rule's finding).
    Short,
    /// Parts must equal the total.
    Equal,
}

/// The sum of parts against a total: `Some(sum)` when the intervals cannot agree in `mode`.
pub fn sum(parts: &[&Quantity], total: &Interval, mode: SumMode) -> Option<Dec> {
    let mut lo = Dec::ZERO;
    let mut hi = Dec::ZERO;
    let mut value = Dec::ZERO;
    for part in parts {
        let i = interval(part);
        lo = lo.checked_add(i.lo)?;
        hi = hi.checked_add(i.hi)?;
        value = value.checked_add(part.value)?;
    }
    let exceeds = lo > total.hi;
    let short = hi < total.lo;
    let wrong = match mode {
        SumMode::Exceed => exceeds,
        SumMode::Short => short,
        SumMode::Equal => exceeds || short,
    };
    wrong.then_some(value)
}

/// A sum in the unit of `like` as written (`46件`, `102.0%`, `19.2亿元`); Chinese numerals show
/// the unit alone (`120件` for `一百二十件`).
pub fn display_like(value: Dec, like: &Quantity) -> String {
    let scaled = i32::try_from(like.multiplier)
        .ok()
        .and_then(|m| value.mul_pow10(-m));
    let shown = scaled.unwrap_or(value).normalized();
    if like.chinese {
        return format!("{shown}{}", like.unit);
    }
    let tail = like.text.trim_start_matches(|c: char| {
        c.is_ascii_digit() || matches!(c, '.' | ',' | '，' | '．') || ('０'..='９').contains(&c)
    });
    let tail: String = tail.chars().filter(|c| !c.is_whitespace()).collect();
    format!("{shown}{tail}")
}

/// The sign of a change word: +1 up, −1 down.
pub type Sign = i64;

/// The stated change as a signed interval.
pub fn signed(change: &Quantity, sign: Sign) -> Option<Interval> {
    let i = change.rounding_interval();
    if sign > 0 {
        Some(i)
    } else {
        Some(Interval::new(i.hi.checked_neg()?, i.lo.checked_neg()?))
    }
}

/// The change from `from` to `to` in the unit of `change` (% relative, 个百分点, 倍), as an
/// interval over the rounding of both values, and a value to show.
pub fn actual_change(from: &Quantity, to: &Quantity, change: &Quantity) -> Option<(Interval, Dec)> {
    let a = interval(from);
    let b = interval(to);
    let shown_decimals = change.decimals + 2;
    match change.unit {
        Unit::PercentagePoint => {
            if !from.unit.is_ratio() || from.unit != to.unit {
                return None;
            }
            Some((b.checked_sub(&a)?, to.value.checked_sub(from.value)?))
        }
        Unit::Percent | Unit::Times => {
            if !comparable(from, to) || a.lo <= Dec::ZERO || b.lo < Dec::ZERO {
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
        // A change by an amount (`比上年的205.10万元增加8.66万元`): the difference of the two
        // values, shown in the scale the change is written in.
        Unit::Count(_) | Unit::Money(_) | Unit::Measure(_) => {
            if !comparable(from, to) || !comparable(to, change) {
                return None;
            }
            let shown = to
                .value
                .checked_sub(from.value)?
                .mul_pow10(-(change.multiplier as i32))?
                .round(change.decimals, Rounding::HalfAwayFromZero)?;
            Some((b.checked_sub(&a)?, shown))
        }
        _ => None,
    }
}

/// A change between two values against the stated change and its direction word:
/// `Some((actual magnitude with unit, direction sign))` when they disagree.
pub fn change(
    from: &Quantity,
    to: &Quantity,
    change: &Quantity,
    sign: Sign,
) -> Option<(String, Sign)> {
    let (actual, shown) = actual_change(from, to, change)?;
    if actual.overlaps(&signed(change, sign)?) {
        return None;
    }
    Some((magnitude(shown, change), direction(shown)))
}

fn direction(shown: Dec) -> Sign {
    if shown.is_negative() {
        -1
    } else {
        1
    }
}

/// The size of a change in the form `change` is written in (`3.2个百分点`, `1.5倍`, `12.3%`,
/// `8.66万元`).
fn magnitude(shown: Dec, change: &Quantity) -> String {
    let m = shown.checked_abs().unwrap_or(shown);
    match &change.unit {
        Unit::PercentagePoint => format!("{m}个百分点"),
        Unit::Times => format!("{m}倍"),
        Unit::Count(unit) | Unit::Money(unit) | Unit::Measure(unit) if change.chinese => {
            let scale = match change.multiplier {
                4 => "万",
                8 => "亿",
                12 => "万亿",
                _ => "",
            };
            format!("{m}{scale}{unit}")
        }
        Unit::Count(_) | Unit::Money(_) | Unit::Measure(_) => {
            // The scale word and unit as written after the number (`万元` of `8.66万元`).
            let text = change.text.trim();
            let unit_start = text
                .char_indices()
                .find(|&(_, c)| !(c.is_ascii_digit() || ".,．，０１２３４５６７８９".contains(c)))
                .map_or(text.len(), |(i, _)| i);
            format!("{m}{}", &text[unit_start..])
        }
        _ => format!("{m}%"),
    }
}

/// `B是A的N倍`: B / A must be N within the rounding of all three; `Some(actual)` when not.
pub fn multiple(from: &Quantity, to: &Quantity, times: &Quantity) -> Option<String> {
    if times.unit != Unit::Times || !comparable(from, to) {
        return None;
    }
    let (a, b) = (interval(from), interval(to));
    if a.lo <= Dec::ZERO || b.lo < Dec::ZERO {
        return None;
    }
    let lo = b.lo.div(a.hi, PRECISION, Rounding::Floor)?;
    let hi = b.hi.div(a.lo, PRECISION, Rounding::Ceiling)?;
    let n = times.rounding_interval();
    if hi < n.lo || lo > n.hi {
        let shown = to
            .value
            .div(from.value, times.decimals + 2, Rounding::HalfAwayFromZero)?;
        return Some(format!("{shown}倍"));
    }
    None
}

/// The direction word against the two values alone: `true` when the values move the other way
/// beyond their rounding (`由120件下降到150件`).
pub fn wrong_direction(from: &Quantity, to: &Quantity, sign: Sign) -> bool {
    if !comparable(from, to) {
        return false;
    }
    let (a, b) = (interval(from), interval(to));
    if sign > 0 {
        b.hi < a.lo
    } else {
        b.lo > a.hi
    }
}

/// `X，比上年减少D，下降P%`: the base is X + D (X − D for an increase); `Some(actual)` when
/// D / base does not round to P.
pub fn delta(value: &Quantity, delta: &Quantity, change: &Quantity, sign: Sign) -> Option<String> {
    if !comparable(value, delta) || change.unit != Unit::Percent {
        return None;
    }
    let (v, d) = (interval(value), interval(delta));
    // base = v − sign·d, over the intervals.
    let base = if sign > 0 {
        v.checked_sub(&d)?
    } else {
        v.checked_add(&d)?
    };
    if base.lo <= Dec::ZERO || d.lo < Dec::ZERO {
        return None;
    }
    let min =
        d.lo.mul_pow10(2)?
            .div(base.hi, PRECISION, Rounding::Floor)?;
    let max =
        d.hi.mul_pow10(2)?
            .div(base.lo, PRECISION, Rounding::Ceiling)?;
    let p = change.rounding_interval();
    if max < p.lo || min > p.hi {
        let base_value = if sign > 0 {
            value.value.checked_sub(delta.value)?
        } else {
            value.value.checked_add(delta.value)?
        };
        let actual = percent(delta.value, base_value, change.decimals + 2)?;
        return Some(format!("{actual}%"));
    }
    None
}

/// `由95%提高到98%，提高3%`: the stated % equals the difference of two rates in points.
pub fn points_as_percent(from: &Quantity, to: &Quantity, change: &Quantity) -> Option<String> {
    if from.unit != Unit::Percent || to.unit != Unit::Percent || change.unit != Unit::Percent {
        return None;
    }
    let points = to.value.checked_sub(from.value)?.checked_abs()?;
    if points.is_zero() {
        return None;
    }
    change
        .rounding_interval()
        .contains(&points)
        .then(|| format!("{points}个百分点"))
}

/// Average annual change over `years`: (1 + g)^n = B/A within the rounding of every figure.
/// `Some(actual rate)` when they disagree.
pub fn average_change(
    from: &Quantity,
    to: &Quantity,
    change: &Quantity,
    years: u32,
) -> Option<String> {
    if change.unit != Unit::Percent || !comparable(from, to) || years == 0 || years > 50 {
        return None;
    }
    let (a, b) = (interval(from), interval(to));
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
        for _ in 0..years {
            acc = acc.checked_mul(x)?.round(PRECISION, mode)?;
        }
        Some(acc)
    };
    let stated_lo = power(base(g.lo, Rounding::Floor)?, Rounding::Floor)?;
    let stated_hi = power(base(g.hi, Rounding::Ceiling)?, Rounding::Ceiling)?;
    let actual_lo = b.lo.div(a.hi, PRECISION, Rounding::Floor)?;
    let actual_hi = b.hi.div(a.lo, PRECISION, Rounding::Ceiling)?;
    if actual_hi >= stated_lo && actual_lo <= stated_hi {
        return None;
    }
    // The rate the values give, by bisection on exact decimals.
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
    Some(format!("{shown}%"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::parse_quantity;

    fn q(s: &str) -> Quantity {
        parse_quantity(s).unwrap()
    }

    #[test]
    fn ratio_within_rounding_is_silent() {
        let p = RoundingPolicy::HalfUpOrTruncated;
        assert_eq!(ratio(&q("43149件"), &q("43896件"), &q("98.3%"), p), None);
        assert_eq!(
            ratio(&q("66530件"), &q("68214件"), &q("98.5%"), p).as_deref(),
            Some("97.531%")
        );
    }

    #[test]
    fn grim_finds_impossible_rates() {
        let p = RoundingPolicy::HalfUpOrTruncated;
        assert!(grim(&q("182件"), &q("12.93%"), p).is_some());
        assert_eq!(grim(&q("182件"), &q("12.64%"), p), None);
    }

    #[test]
    fn sums_use_the_rounding_of_every_part() {
        let total = q("18.3亿元").interval();
        let parts = [q("12亿元"), q("6.2亿元"), q("789万元")];
        let refs: Vec<&Quantity> = parts.iter().collect();
        assert_eq!(sum(&refs, &total, SumMode::Equal), None);
        let total = q("19.2亿元").interval();
        assert!(sum(&refs, &total, SumMode::Short).is_some());
        assert_eq!(sum(&refs, &total, SumMode::Exceed), None);
    }

    #[test]
    fn change_checks_size_and_direction() {
        assert_eq!(change(&q("15家"), &q("34家"), &q("126.7%"), 1), None);
        assert!(change(&q("19起"), &q("23起"), &q("21.1%"), -1).is_some());
        assert_eq!(change(&q("95.1%"), &q("98.3%"), &q("3.2个百分点"), 1), None);
        assert!(wrong_direction(&q("120件"), &q("150件"), -1));
    }

    #[test]
    fn delta_finds_the_base() {
        // 91.97 = 77.99 + 13.98: 13.98 / 77.99 = 17.93%.
        assert_eq!(
            delta(&q("91.97万元"), &q("13.98万元"), &q("17.93%"), 1),
            None
        );
        assert!(delta(&q("91.97万元"), &q("13.98万元"), &q("17.66%"), 1).is_some());
    }
}
