//! Exact decimal numbers and closed intervals of them.
//!
//! [`Dec`] stores `mantissa / 10^scale` in an `i128`; every arithmetic
//! operation is checked and returns `None` on overflow instead of panicking.
//! [`Interval`] is a closed interval `[lo, hi]` of decimals, used to express
//! the precision implied by how a number was written (`98.3` means anything
//! in `[98.25, 98.35]`).  Nothing here ever uses floating point.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// Largest supported scale (number of decimal places).  `10^38` still fits
/// in an `i128`.
pub const MAX_SCALE: u32 = 38;

/// Maximum number of significant digits accepted when parsing.
pub const MAX_DIGITS: usize = 36;

/// `10^n` as an `i128`, or `None` when it does not fit.
pub fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// Rounding mode for [`Dec::div`] and [`Dec::round`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Round to nearest; ties away from zero (`2.5 → 3`, `-2.5 → -3`).
    HalfAwayFromZero,
    /// Round towards negative infinity.
    Floor,
    /// Round towards positive infinity.
    Ceiling,
}

/// Exact decimal: `mantissa / 10^scale`.
///
/// Equality, ordering and hashing are by numeric value, so `1.50 == 1.5`.
/// The scale is kept as written, which matters for [`Dec::rounding_interval`]
/// and for `Display` (`98.30` prints as `98.30`).
#[derive(Clone, Copy, Debug)]
pub struct Dec {
    mantissa: i128,
    scale: u32,
}

impl Dec {
    /// Zero.
    pub const ZERO: Dec = Dec {
        mantissa: 0,
        scale: 0,
    };
    /// One.
    pub const ONE: Dec = Dec {
        mantissa: 1,
        scale: 0,
    };

    /// `mantissa / 10^scale`; `None` when `scale > MAX_SCALE`.
    pub fn new(mantissa: i128, scale: u32) -> Option<Dec> {
        (scale <= MAX_SCALE).then_some(Dec { mantissa, scale })
    }

    /// An integer.
    pub fn from_int(value: i64) -> Dec {
        Dec {
            mantissa: i128::from(value),
            scale: 0,
        }
    }

    /// The raw mantissa.
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// The number of decimal places as stored (as written when parsed).
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// Builds a decimal from ASCII digit values (`0..=9`) of the integer and
    /// fractional parts.  `None` when there are no digits, more than
    /// [`MAX_DIGITS`] significant digits, or a value is not a digit.
    pub fn from_digits(negative: bool, int_digits: &[u8], frac_digits: &[u8]) -> Option<Dec> {
        if int_digits.is_empty() && frac_digits.is_empty() {
            return None;
        }
        let significant = int_digits
            .iter()
            .chain(frac_digits.iter())
            .skip_while(|d| **d == 0)
            .count();
        if significant > MAX_DIGITS || frac_digits.len() > MAX_SCALE as usize {
            return None;
        }
        let mut m: i128 = 0;
        for &d in int_digits.iter().chain(frac_digits.iter()) {
            if d > 9 {
                return None;
            }
            m = m.checked_mul(10)?.checked_add(i128::from(d))?;
        }
        let scale = u32::try_from(frac_digits.len()).ok()?;
        Dec::new(if negative { -m } else { m }, scale)
    }

    /// Parses `[+-]digits[.digits]`.  Half-width and full-width digits
    /// (`０-９`), `.` and `．`, `-`, `－` and `+` are accepted; nothing else.
    pub fn parse(s: &str) -> Option<Dec> {
        let mut chars = s.chars().peekable();
        let mut negative = false;
        match chars.peek() {
            Some('-') | Some('－') | Some('−') => {
                negative = true;
                chars.next();
            }
            Some('+') | Some('＋') => {
                chars.next();
            }
            _ => {}
        }
        let mut int_digits = Vec::new();
        let mut frac_digits = Vec::new();
        let mut in_frac = false;
        for c in chars {
            if let Some(d) = digit_value(c) {
                if in_frac {
                    frac_digits.push(d);
                } else {
                    int_digits.push(d);
                }
            } else if (c == '.' || c == '．') && !in_frac {
                in_frac = true;
            } else {
                return None;
            }
            if int_digits.len() + frac_digits.len() > MAX_DIGITS + 64 {
                return None;
            }
        }
        if int_digits.is_empty() || (in_frac && frac_digits.is_empty()) {
            return None;
        }
        Dec::from_digits(negative, &int_digits, &frac_digits)
    }

    /// Same value with trailing fractional zeros removed.
    pub fn normalized(self) -> Dec {
        let mut d = self;
        while d.scale > 0 && d.mantissa % 10 == 0 {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }

    /// Same value with at least `scale` decimal places (never reduces the
    /// scale); `None` on overflow.
    pub fn with_scale(self, scale: u32) -> Option<Dec> {
        if scale <= self.scale {
            return Some(self);
        }
        let f = pow10(scale - self.scale)?;
        Dec::new(self.mantissa.checked_mul(f)?, scale)
    }

    /// True when the value has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.normalized().scale == 0
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// True for values below zero.
    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// Negation; `None` only for the unrepresentable `-i128::MIN`.
    pub fn checked_neg(self) -> Option<Dec> {
        Some(Dec {
            mantissa: self.mantissa.checked_neg()?,
            scale: self.scale,
        })
    }

    /// Absolute value; `None` on overflow.
    pub fn checked_abs(self) -> Option<Dec> {
        Some(Dec {
            mantissa: self.mantissa.checked_abs()?,
            scale: self.scale,
        })
    }

    /// The value as an integer, when it is one.
    pub fn to_i128(&self) -> Option<i128> {
        let n = self.normalized();
        (n.scale == 0).then_some(n.mantissa)
    }

    fn aligned(self, other: Dec) -> Option<(i128, i128, u32)> {
        let scale = self.scale.max(other.scale);
        let a = self.with_scale(scale)?;
        let b = other.with_scale(scale)?;
        Some((a.mantissa, b.mantissa, scale))
    }

    /// Exact sum; `None` on overflow.
    pub fn checked_add(self, other: Dec) -> Option<Dec> {
        let (a, b, scale) = self.aligned(other)?;
        Dec::new(a.checked_add(b)?, scale)
    }

    /// Exact difference; `None` on overflow.
    pub fn checked_sub(self, other: Dec) -> Option<Dec> {
        let (a, b, scale) = self.aligned(other)?;
        Dec::new(a.checked_sub(b)?, scale)
    }

    /// Exact product; `None` on overflow.
    pub fn checked_mul(self, other: Dec) -> Option<Dec> {
        let a = self.normalized();
        let b = other.normalized();
        Dec::new(
            a.mantissa.checked_mul(b.mantissa)?,
            a.scale.checked_add(b.scale)?,
        )
    }

    /// Multiplies by `10^exp` exactly (`exp` may be negative); `None` on
    /// overflow.
    pub fn mul_pow10(self, exp: i32) -> Option<Dec> {
        if exp >= 0 {
            let e = exp.unsigned_abs();
            if self.scale >= e {
                return Dec::new(self.mantissa, self.scale - e);
            }
            let f = pow10(e - self.scale)?;
            Dec::new(self.mantissa.checked_mul(f)?, 0)
        } else {
            Dec::new(self.mantissa, self.scale.checked_add(exp.unsigned_abs())?)
        }
    }

    /// `self / other` with exactly `precision` decimal places, rounded with
    /// `mode`.  `None` on division by zero or overflow.
    pub fn div(self, other: Dec, precision: u32, mode: Rounding) -> Option<Dec> {
        if other.is_zero() || precision > MAX_SCALE {
            return None;
        }
        let a = self.normalized();
        let b = other.normalized();
        // a/b = (ma * 10^(sb + p)) / (mb * 10^sa) at scale p.
        let num = a
            .mantissa
            .checked_mul(pow10(b.scale.checked_add(precision)?)?)?;
        let den = b.mantissa.checked_mul(pow10(a.scale)?)?;
        Dec::new(div_round(num, den, mode)?, precision)
    }

    /// `self / other` with `precision` decimal places, rounded half away
    /// from zero.
    pub fn checked_div(self, other: Dec, precision: u32) -> Option<Dec> {
        self.div(other, precision, Rounding::HalfAwayFromZero)
    }

    /// Rounds to `decimals` places (never adds places).
    pub fn round(self, decimals: u32, mode: Rounding) -> Option<Dec> {
        if decimals >= self.scale {
            return Some(self);
        }
        let f = pow10(self.scale - decimals)?;
        Dec::new(div_round(self.mantissa, f, mode)?, decimals)
    }

    /// The point interval `[self, self]`: the number is taken as exact
    /// (e.g. a count such as `43896件`).
    pub fn exact(&self) -> Interval {
        Interval {
            lo: *self,
            hi: *self,
        }
    }

    /// The interval implied by the written precision: half a unit in the
    /// last written place on either side.  `98.3` → `[98.25, 98.35]`,
    /// `43896` → `[43895.5, 43896.5]`.
    ///
    /// If the exact bounds would overflow (mantissas beyond ~10^37, which
    /// parsing never produces) a wider interval of one unit in the last place
    /// is returned, which still contains the exact one.
    pub fn rounding_interval(&self) -> Interval {
        let exact = self.mantissa.checked_mul(10).and_then(|m10| {
            let s = self.scale.checked_add(1)?;
            Some(Interval {
                lo: Dec::new(m10.checked_sub(5)?, s)?,
                hi: Dec::new(m10.checked_add(5)?, s)?,
            })
        });
        if let Some(i) = exact {
            return i;
        }
        match (self.mantissa.checked_sub(1), self.mantissa.checked_add(1)) {
            (Some(lo), Some(hi)) => Interval {
                lo: Dec {
                    mantissa: lo,
                    scale: self.scale,
                },
                hi: Dec {
                    mantissa: hi,
                    scale: self.scale,
                },
            },
            _ => self.exact(),
        }
    }
}

/// Integer division rounded with `mode`; `None` on division by zero or
/// overflow.
fn div_round(num: i128, den: i128, mode: Rounding) -> Option<i128> {
    let q = num.checked_div(den)?;
    let r = num.checked_rem(den)?;
    if r == 0 {
        return Some(q);
    }
    let positive = (num < 0) == (den < 0);
    let away = if positive { 1 } else { -1 };
    let bump = match mode {
        Rounding::Floor => !positive,
        Rounding::Ceiling => positive,
        Rounding::HalfAwayFromZero => {
            let r = r.unsigned_abs();
            let d = den.unsigned_abs();
            r >= d - r
        }
    };
    if bump {
        q.checked_add(away)
    } else {
        Some(q)
    }
}

/// Decimal value of a half-width or full-width digit.
pub fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => u8::try_from(c as u32 - '０' as u32).ok(),
        _ => None,
    }
}

impl PartialEq for Dec {
    fn eq(&self, other: &Dec) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Dec {}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Dec) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Dec) -> Ordering {
        match self.scale.cmp(&other.scale) {
            Ordering::Equal => self.mantissa.cmp(&other.mantissa),
            Ordering::Less => cmp_scaled(self.mantissa, other.scale - self.scale, other.mantissa),
            Ordering::Greater => {
                cmp_scaled(other.mantissa, self.scale - other.scale, self.mantissa).reverse()
            }
        }
    }
}

/// Compares `a * 10^shift` with `b` without overflow.
fn cmp_scaled(a: i128, shift: u32, b: i128) -> Ordering {
    if a == 0 {
        return 0.cmp(&b);
    }
    match pow10(shift).and_then(|f| a.checked_mul(f)) {
        Some(m) => m.cmp(&b),
        // |a * 10^shift| exceeds every i128, so the sign of `a` decides.
        None => {
            if a > 0 {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

impl Hash for Dec {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let n = self.normalized();
        n.mantissa.hash(state);
        n.scale.hash(state);
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

/// Error returned by `Dec::from_str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseDecError;

impl fmt::Display for ParseDecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid decimal number")
    }
}

impl std::error::Error for ParseDecError {}

impl FromStr for Dec {
    type Err = ParseDecError;
    fn from_str(s: &str) -> Result<Dec, ParseDecError> {
        Dec::parse(s).ok_or(ParseDecError)
    }
}

/// Closed interval `[lo, hi]` of exact decimals (`lo <= hi`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Interval {
    /// Lower bound (inclusive).
    pub lo: Dec,
    /// Upper bound (inclusive).
    pub hi: Dec,
}

impl Interval {
    /// The interval between `a` and `b`, in either order.
    pub fn new(a: Dec, b: Dec) -> Interval {
        if a <= b {
            Interval { lo: a, hi: b }
        } else {
            Interval { lo: b, hi: a }
        }
    }

    /// `[d, d]`.
    pub fn point(d: Dec) -> Interval {
        d.exact()
    }

    /// True when `lo == hi`.
    pub fn is_point(&self) -> bool {
        self.lo == self.hi
    }

    /// True when `d` lies in the interval (bounds included).
    pub fn contains(&self, d: &Dec) -> bool {
        self.lo <= *d && *d <= self.hi
    }

    /// True when the two intervals share at least one point.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.lo <= other.hi && other.lo <= self.hi
    }

    /// The common part, if any.
    pub fn intersect(&self, other: &Interval) -> Option<Interval> {
        let lo = self.lo.max(other.lo);
        let hi = self.hi.min(other.hi);
        (lo <= hi).then_some(Interval { lo, hi })
    }

    /// Both bounds multiplied by `10^exp`.
    pub fn mul_pow10(&self, exp: i32) -> Option<Interval> {
        Some(Interval {
            lo: self.lo.mul_pow10(exp)?,
            hi: self.hi.mul_pow10(exp)?,
        })
    }

    /// Interval sum.
    pub fn checked_add(&self, other: &Interval) -> Option<Interval> {
        Some(Interval {
            lo: self.lo.checked_add(other.lo)?,
            hi: self.hi.checked_add(other.hi)?,
        })
    }

    /// Interval difference.
    pub fn checked_sub(&self, other: &Interval) -> Option<Interval> {
        Some(Interval {
            lo: self.lo.checked_sub(other.hi)?,
            hi: self.hi.checked_sub(other.lo)?,
        })
    }

    /// Interval product.
    pub fn checked_mul(&self, other: &Interval) -> Option<Interval> {
        let p = [
            self.lo.checked_mul(other.lo)?,
            self.lo.checked_mul(other.hi)?,
            self.hi.checked_mul(other.lo)?,
            self.hi.checked_mul(other.hi)?,
        ];
        let lo = p.iter().copied().min()?;
        let hi = p.iter().copied().max()?;
        Some(Interval { lo, hi })
    }

    /// Interval quotient with bounds rounded outwards to `precision` places,
    /// so the result always contains the exact quotient set.  `None` when
    /// the divisor contains zero or on overflow.
    pub fn checked_div(&self, other: &Interval, precision: u32) -> Option<Interval> {
        if other.contains(&Dec::ZERO) {
            return None;
        }
        let mut lo: Option<Dec> = None;
        let mut hi: Option<Dec> = None;
        for a in [self.lo, self.hi] {
            for b in [other.lo, other.hi] {
                let l = a.div(b, precision, Rounding::Floor)?;
                let h = a.div(b, precision, Rounding::Ceiling)?;
                lo = Some(lo.map_or(l, |x| x.min(l)));
                hi = Some(hi.map_or(h, |x| x.max(h)));
            }
        }
        Some(Interval { lo: lo?, hi: hi? })
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.lo, self.hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    #[test]
    fn parse_simple_decimal_keeps_scale() {
        let x = d("98.30");
        assert_eq!(x.mantissa(), 9830);
        assert_eq!(x.scale(), 2);
        assert_eq!(x.to_string(), "98.30");
    }

    #[test]
    fn parse_fullwidth_digits_same_value() {
        assert_eq!(d("９８．３"), d("98.3"));
        assert_eq!(d("－５"), Dec::from_int(-5));
    }

    #[test]
    fn parse_garbage_none() {
        for s in ["", ".", "1.", ".5", "1.2.3", "abc", "1e5", "--1", "1,000"] {
            assert!(Dec::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn parse_huge_digit_run_none() {
        let s = "9".repeat(1000);
        assert!(Dec::parse(&s).is_none());
        let s = format!("0.{}", "1".repeat(60));
        assert!(Dec::parse(&s).is_none());
    }

    #[test]
    fn compare_different_scales_equal() {
        assert_eq!(d("1.50"), d("1.5"));
        assert!(d("1.05") < d("1.5"));
        assert!(d("-2") < d("-1.99"));
    }

    #[test]
    fn compare_extreme_scales_no_overflow() {
        let big = Dec::new(i128::MAX / 2, 0).unwrap();
        let tiny = Dec::new(1, 38).unwrap();
        assert!(big > tiny);
        assert!(big.checked_neg().unwrap() < tiny);
    }

    #[test]
    fn hash_equal_values_equal_hashes() {
        use std::collections::HashSet;
        let mut set = HashSet::new();
        set.insert(d("2.50"));
        assert!(set.contains(&d("2.5")));
    }

    #[test]
    fn arithmetic_add_sub_mul_exact() {
        assert_eq!(d("0.1").checked_add(d("0.2")).unwrap(), d("0.3"));
        assert_eq!(d("1").checked_sub(d("0.75")).unwrap(), d("0.25"));
        assert_eq!(d("1.5").checked_mul(d("1.5")).unwrap(), d("2.25"));
    }

    #[test]
    fn arithmetic_overflow_none() {
        let big = Dec::new(i128::MAX, 0).unwrap();
        assert!(big.checked_add(Dec::ONE).is_none());
        assert!(big.checked_mul(d("2")).is_none());
        assert!(big.mul_pow10(3).is_none());
    }

    #[test]
    fn divide_ratio_rounds_half_away() {
        // 43149 / 43896 = 0.98298...
        let r = d("43149").checked_div(d("43896"), 3).unwrap();
        assert_eq!(r, d("0.983"));
        assert_eq!(d("1").checked_div(d("8"), 2).unwrap(), d("0.13"));
        assert_eq!(d("-1").checked_div(d("8"), 2).unwrap(), d("-0.13"));
        assert!(d("1").checked_div(Dec::ZERO, 2).is_none());
    }

    #[test]
    fn divide_floor_ceiling_bracket() {
        let lo = d("2").div(d("3"), 4, Rounding::Floor).unwrap();
        let hi = d("2").div(d("3"), 4, Rounding::Ceiling).unwrap();
        assert_eq!(lo, d("0.6666"));
        assert_eq!(hi, d("0.6667"));
        let lo = d("-2").div(d("3"), 1, Rounding::Floor).unwrap();
        assert_eq!(lo, d("-0.7"));
    }

    #[test]
    fn mul_pow10_scale_words_exact() {
        assert_eq!(d("3.6").mul_pow10(4).unwrap(), d("36000"));
        assert_eq!(d("1.2").mul_pow10(12).unwrap(), d("1200000000000"));
        assert_eq!(d("5").mul_pow10(-2).unwrap(), d("0.05"));
    }

    #[test]
    fn rounding_interval_decimal_half_ulp() {
        let i = d("98.3").rounding_interval();
        assert_eq!(i.lo, d("98.25"));
        assert_eq!(i.hi, d("98.35"));
    }

    #[test]
    fn rounding_interval_integer_half_unit() {
        let i = d("43896").rounding_interval();
        assert_eq!(i.lo, d("43895.5"));
        assert_eq!(i.hi, d("43896.5"));
        assert!(d("43896").exact().is_point());
    }

    #[test]
    fn rounding_interval_scaled_wan() {
        let i = d("3.6").rounding_interval().mul_pow10(4).unwrap();
        assert_eq!(i.lo, d("35500"));
        assert_eq!(i.hi, d("36500"));
    }

    #[test]
    fn rounding_interval_extreme_never_panics() {
        let i = Dec::new(i128::MAX, 0).unwrap().rounding_interval();
        assert!(i.lo <= i.hi);
        let i = Dec::new(i128::MIN, 3).unwrap().rounding_interval();
        assert!(i.lo <= i.hi);
    }

    #[test]
    fn interval_ratio_contains_reported_percent() {
        let num = d("43149").exact();
        let den = d("43896").exact();
        let ratio = num.checked_div(&den, 6).unwrap().mul_pow10(2).unwrap();
        assert!(ratio.overlaps(&d("98.3").rounding_interval()));
        assert!(!ratio.overlaps(&d("98.4").rounding_interval()));
    }

    #[test]
    fn interval_ops_basic_bounds() {
        let a = Interval::new(d("2"), d("1"));
        assert_eq!(a.lo, d("1"));
        let b = Interval::new(d("-1"), d("3"));
        let p = a.checked_mul(&b).unwrap();
        assert_eq!((p.lo, p.hi), (d("-2"), d("6")));
        let s = a.checked_sub(&b).unwrap();
        assert_eq!((s.lo, s.hi), (d("-2"), d("3")));
        assert!(a.checked_div(&b, 2).is_none());
        assert_eq!(a.intersect(&b), Some(a));
        assert!(a.intersect(&Interval::point(d("5"))).is_none());
    }

    #[test]
    fn display_small_negative_padded() {
        assert_eq!(Dec::new(-5, 2).unwrap().to_string(), "-0.05");
        assert_eq!(Dec::new(12345, 2).unwrap().to_string(), "123.45");
        assert_eq!(Dec::new(7, 0).unwrap().to_string(), "7");
        assert_eq!(d("0.5").rounding_interval().to_string(), "[0.45, 0.55]");
    }

    #[test]
    fn round_half_away_from_zero() {
        assert_eq!(
            d("2.345").round(2, Rounding::HalfAwayFromZero).unwrap(),
            d("2.35")
        );
        assert_eq!(
            d("-2.345").round(2, Rounding::HalfAwayFromZero).unwrap(),
            d("-2.35")
        );
        assert_eq!(d("2.3").round(5, Rounding::Floor).unwrap().scale(), 1);
    }
}
