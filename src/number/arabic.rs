//! Scanning of numbers written with Arabic digits.
//!
//! Accepts half-width and full-width digits, `.`/`．` as the decimal point
//! and `,`/`，` as thousands separators when they sit between groups of
//! exactly three digits (`1,248`; `受理43896件,调处成功43149件` keeps the
//! comma as punctuation).  Signs are handled by the caller.  Scanning is a
//! single forward pass over the digit run.

use super::decimal::{digit_value, Dec};

/// Digit runs longer than this are recorded only as too long.
const DIGIT_CAP: usize = 64;

/// An Arabic number found at some position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ArabicNum {
    /// The number as written, or `None` when it has too many digits.
    pub value: Option<Dec>,
    /// Byte offset just past the number.
    pub end: usize,
    /// Digits before the decimal point (separators excluded).
    pub int_digits: usize,
    /// Digits after the decimal point.
    pub frac_digits: usize,
    /// Thousands separators were used.
    pub grouped: bool,
    /// The integer part has two or more digits and starts with `0`.
    pub leading_zero: bool,
    /// More than one decimal point: a version, section or date such as
    /// `1.2.3` or `2021.1.18`; `end` covers the whole dotted run.
    pub multi_dot: bool,
}

/// True for `0-9` and `０-９`.
pub(super) fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|r| r.chars().next())
}

/// True when exactly three digits follow `pos` and no fourth one.
fn three_digits_follow(text: &str, pos: usize) -> bool {
    let Some(rest) = text.get(pos..) else {
        return false;
    };
    let mut it = rest.chars();
    for _ in 0..3 {
        if !it.next().is_some_and(is_digit) {
            return false;
        }
    }
    !it.next().is_some_and(is_digit)
}

/// Scans the number starting at byte `pos` (which must hold a digit).
pub(super) fn scan_arabic(text: &str, pos: usize) -> Option<ArabicNum> {
    if !char_at(text, pos).is_some_and(is_digit) {
        return None;
    }
    let mut p = pos;
    let mut int: Vec<u8> = Vec::new();
    let mut int_count = 0usize;
    let mut grouped = false;
    let mut group_len = 0usize;
    // Integer part with optional thousands separators.
    while let Some(c) = char_at(text, p) {
        if let Some(d) = digit_value(c) {
            if int_count < DIGIT_CAP {
                int.push(d);
            }
            int_count += 1;
            group_len += 1;
            p += c.len_utf8();
        } else if (c == ',' || c == '，')
            && (if grouped {
                group_len == 3
            } else {
                group_len <= 3
            })
            && three_digits_follow(text, p + c.len_utf8())
        {
            grouped = true;
            group_len = 0;
            p += c.len_utf8();
        } else {
            break;
        }
    }
    let mut frac: Vec<u8> = Vec::new();
    let mut frac_count = 0usize;
    let mut multi_dot = false;
    if let Some(c @ ('.' | '．')) = char_at(text, p) {
        let after = p + c.len_utf8();
        if char_at(text, after).is_some_and(is_digit) {
            p = after;
            while let Some(c) = char_at(text, p) {
                let Some(d) = digit_value(c) else { break };
                if frac_count < DIGIT_CAP {
                    frac.push(d);
                }
                frac_count += 1;
                p += c.len_utf8();
            }
            // A second point followed by a digit: a dotted code, not a number.
            while let Some(c @ ('.' | '．')) = char_at(text, p) {
                let after = p + c.len_utf8();
                if !char_at(text, after).is_some_and(is_digit) {
                    break;
                }
                multi_dot = true;
                p = after;
                while let Some(c) = char_at(text, p) {
                    if !is_digit(c) {
                        break;
                    }
                    p += c.len_utf8();
                }
            }
        }
    }
    let value = if int_count > DIGIT_CAP || frac_count > DIGIT_CAP {
        None
    } else {
        Dec::from_digits(false, &int, &frac)
    };
    Some(ArabicNum {
        value,
        end: p,
        int_digits: int_count,
        frac_digits: frac_count,
        grouped,
        leading_zero: int_count >= 2 && int.first() == Some(&0),
        multi_dot,
    })
}

/// If a `-` or `/` separated date such as `2021-01-18` or `2021/1/18`
/// starts at `pos`, returns its end.  Requires a 4-digit first part and two
/// separators of the same kind with 1–2 digit parts.
pub(super) fn scan_sep_date(text: &str, pos: usize) -> Option<usize> {
    // Most numbers are not dates: four ASCII digits and a separator (or a full-width character)
    // must follow before the number is read.
    let bytes = text.as_bytes().get(pos..)?;
    if bytes.first().is_some_and(u8::is_ascii_digit) {
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits != 4 || !matches!(bytes.get(4), Some(b'-' | b'/' | 0xEF)) {
            return None;
        }
    }
    let first = scan_arabic(text, pos)?;
    if first.int_digits != 4 || first.frac_digits != 0 || first.grouped {
        return None;
    }
    let sep = char_at(text, first.end)?;
    if !matches!(sep, '-' | '/' | '－' | '／') {
        return None;
    }
    let mut p = first.end;
    for _ in 0..2 {
        if char_at(text, p) != Some(sep) {
            return None;
        }
        p += sep.len_utf8();
        let part = scan_arabic(text, p)?;
        if part.int_digits > 2 || part.frac_digits != 0 {
            return None;
        }
        p = part.end;
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> ArabicNum {
        scan_arabic(s, 0).unwrap()
    }

    #[test]
    fn scan_integer_plain_value() {
        let n = scan("43896件");
        assert_eq!(n.value, Dec::parse("43896"));
        assert_eq!(n.end, 5);
        assert!(!n.grouped);
    }

    #[test]
    fn scan_grouped_thousands_joined() {
        let n = scan("1,248人");
        assert_eq!(n.value, Dec::parse("1248"));
        assert!(n.grouped);
        let n = scan("12，345，678元");
        assert_eq!(n.value, Dec::parse("12345678"));
    }

    #[test]
    fn scan_comma_before_four_digits_stops() {
        let n = scan("1,2345");
        assert_eq!(n.value, Dec::parse("1"));
        let n = scan("43896,123");
        assert_eq!(n.value, Dec::parse("43896"));
    }

    #[test]
    fn scan_fullwidth_decimal_value() {
        let n = scan("９８．３％");
        assert_eq!(n.value, Dec::parse("98.3"));
        assert_eq!(n.frac_digits, 1);
        assert_eq!(n.end, "９８．３".len());
    }

    #[test]
    fn scan_trailing_dot_not_decimal() {
        let n = scan("1248.");
        assert_eq!(n.value, Dec::parse("1248"));
        assert_eq!(n.end, 4);
    }

    #[test]
    fn scan_dotted_code_multi_dot() {
        let n = scan("2021.1.18日");
        assert!(n.multi_dot);
        assert_eq!(n.end, "2021.1.18".len());
    }

    #[test]
    fn scan_huge_run_value_none() {
        let s = "7".repeat(10_000);
        let n = scan(&s);
        assert!(n.value.is_none());
        assert_eq!(n.end, s.len());
    }

    #[test]
    fn scan_leading_zero_flagged() {
        assert!(scan("0512").leading_zero);
        assert!(!scan("0.5").leading_zero);
    }

    #[test]
    fn scan_sep_date_forms() {
        assert_eq!(scan_sep_date("2021-01-18起", 0), Some(10));
        assert_eq!(scan_sep_date("2021/1/8", 0), Some(8));
        assert_eq!(scan_sep_date("2021-2025年", 0), None);
        assert_eq!(scan_sep_date("10-20", 0), None);
    }
}
