//! Chinese numerals: `五` `十九` `三十五` `两千` `一百零八` `一万二千`
//! `三万零五百` `十二亿三千万` `一万亿`, colloquial abbreviations
//! (`两千三` = 2300, `一万五` = 15000), decimals with `点` (`三点五`), and
//! digit-by-digit numerals (`二〇二一`, reported separately so callers can
//! treat them as years or codes).
//!
//! The scanner takes the longest valid numeral prefix of a run of numeral
//! characters and also reports where the whole run ends, so that callers can
//! skip runs such as `十四五` as a whole.  Fixed political expressions that
//! contain numerals (`四个意识`, `十九届`, `一带一路` …) are listed in
//! [`idiom_at`].

use super::decimal::Dec;

/// Longest run of numeral characters that is parsed; longer runs are
/// skipped as a whole.
const RUN_CAP: usize = 40;

/// Value of a Chinese digit character (`两` included, `〇`/`零` = 0).
pub(super) fn cn_digit(c: char) -> Option<u8> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// True for characters that can be part of a Chinese numeral.
pub(super) fn is_cn_numeral(c: char) -> bool {
    cn_digit(c).is_some() || matches!(c, '十' | '百' | '千' | '万' | '亿')
}

/// Digit characters usable digit-by-digit and after `点` (not `两`).
fn plain_digit(c: char) -> Option<u8> {
    if c == '两' {
        None
    } else {
        cn_digit(c)
    }
}

/// A Chinese numeral found at some position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ChineseNum {
    /// Value of the longest valid prefix, if any.
    pub value: Option<Dec>,
    /// Byte offset just past the longest valid prefix.
    pub end: usize,
    /// Byte offset just past the whole run of numeral characters.
    pub run_end: usize,
    /// Written digit by digit (`二〇二一`, `一二`).
    pub digit_by_digit: bool,
    /// The valid prefix is a single character (`一`, `两`, `五` …).
    pub lone: Option<char>,
}

/// Parser state for the standard (multiplier-based) form.
struct State {
    total: i128,
    wan: i128,
    small: i128,
    digit: Option<i128>,
    /// Multiplier token immediately before the pending digit, for `两千三`.
    digit_after: Option<i128>,
    last_mult: i128,
    after_zero: bool,
    prev_mult: Option<i128>,
}

impl State {
    fn value(&self) -> Option<i128> {
        let d = match (self.digit, self.digit_after) {
            (Some(d), Some(m)) if m >= 100 && !self.after_zero => d.checked_mul(m / 10)?,
            (Some(d), _) => d,
            (None, _) => 0,
        };
        self.total
            .checked_add(self.wan)?
            .checked_add(self.small)?
            .checked_add(d)
    }

    /// Feeds one character; `false` when it cannot continue the numeral.
    fn push(&mut self, c: char) -> Option<()> {
        if let Some(d) = cn_digit(c) {
            if self.digit.is_some() {
                return None;
            }
            if d == 0 {
                self.after_zero = true;
                self.prev_mult = None;
            } else {
                self.digit = Some(i128::from(d));
                self.digit_after = if self.after_zero {
                    None
                } else {
                    self.prev_mult
                };
                self.prev_mult = None;
            }
            return Some(());
        }
        let m: i128 = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => 10_000,
            '亿' => 100_000_000,
            _ => return None,
        };
        if m < 10_000 {
            let d = match self.digit.take() {
                Some(d) => d,
                None if m == 10 && (self.small == 0 || self.after_zero) => 1,
                None => return None,
            };
            if m >= self.last_mult {
                return None;
            }
            self.small = self.small.checked_add(d.checked_mul(m)?)?;
            self.last_mult = m;
        } else if m == 10_000 {
            let s = self.small.checked_add(self.digit.take().unwrap_or(0))?;
            if s == 0 || self.wan != 0 {
                return None;
            }
            self.wan = s.checked_mul(10_000)?;
            self.small = 0;
            self.last_mult = 10_000;
        } else {
            let s = self
                .wan
                .checked_add(self.small)?
                .checked_add(self.digit.take().unwrap_or(0))?;
            if s == 0 {
                return None;
            }
            self.total = self.total.checked_add(s)?.checked_mul(m)?;
            self.wan = 0;
            self.small = 0;
            self.last_mult = 10_000;
        }
        self.digit_after = None;
        self.after_zero = false;
        self.prev_mult = Some(m);
        Some(())
    }
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|r| r.chars().next())
}

/// Scans a Chinese numeral starting at byte `pos` (which must hold a
/// numeral character).
pub(super) fn scan_chinese(text: &str, pos: usize) -> Option<ChineseNum> {
    if !char_at(text, pos).is_some_and(is_cn_numeral) {
        return None;
    }
    // Collect the run; `点` belongs to it only between numeral characters.
    let mut chars: Vec<(char, usize)> = Vec::new();
    let mut p = pos;
    let mut count = 0usize;
    while let Some(c) = char_at(text, p) {
        let next = p + c.len_utf8();
        let take = is_cn_numeral(c)
            || (c == '点' && count > 0 && char_at(text, next).and_then(plain_digit).is_some());
        if !take {
            break;
        }
        if count < RUN_CAP {
            chars.push((c, p));
        }
        count += 1;
        p = next;
    }
    let run_end = p;
    if count > RUN_CAP {
        return Some(ChineseNum {
            value: None,
            end: pos,
            run_end,
            digit_by_digit: false,
            lone: None,
        });
    }
    // Digit by digit: two or more plain digits, nothing else before `点`.
    let int_len = chars.iter().take_while(|(c, _)| *c != '点').count();
    if int_len >= 2
        && chars[..int_len]
            .iter()
            .all(|(c, _)| plain_digit(*c).is_some())
    {
        let digits: Vec<u8> = chars[..int_len]
            .iter()
            .filter_map(|(c, _)| plain_digit(*c))
            .collect();
        let end = chars.get(int_len).map_or(run_end, |&(_, off)| off);
        return Some(ChineseNum {
            value: Dec::from_digits(false, &digits, &[]),
            end,
            run_end,
            digit_by_digit: true,
            lone: None,
        });
    }
    let mut st = State {
        total: 0,
        wan: 0,
        small: 0,
        digit: None,
        digit_after: None,
        last_mult: 10_000,
        after_zero: false,
        prev_mult: None,
    };
    let mut best: Option<(Dec, usize, usize)> = None; // value, end, chars used
    let mut i = 0;
    while i < chars.len() {
        let (c, off) = chars[i];
        let next = off + c.len_utf8();
        if c == '点' {
            // Decimal part: only after a complete integer.
            if best.is_none_or(|(_, e, _)| e != off) {
                break;
            }
            let int = if i == 1 && cn_digit(chars[0].0) == Some(0) {
                0
            } else if st.after_zero {
                break;
            } else {
                match st.value() {
                    Some(v) => v,
                    None => break,
                }
            };
            let frac: Vec<u8> = chars[i + 1..]
                .iter()
                .map_while(|(c, _)| plain_digit(*c))
                .collect();
            let frac_end = chars.get(i + 1 + frac.len()).map_or(run_end, |&(_, o)| o);
            let int_digits: Vec<u8> = int
                .to_string()
                .bytes()
                .map(|b| b.wrapping_sub(b'0'))
                .collect();
            if let Some(v) = Dec::from_digits(false, &int_digits, &frac) {
                best = Some((v, frac_end, i + 1 + frac.len()));
            }
            break;
        }
        if i == 0 && cn_digit(c) == Some(0) {
            // Only `零点五`-style decimals may start with a zero.
            if chars.get(1).is_some_and(|&(c, _)| c == '点') {
                best = Some((Dec::ZERO, next, 1));
                i += 1;
                continue;
            }
            break;
        }
        if st.push(c).is_none() {
            break;
        }
        if !st.after_zero || st.digit.is_some() {
            if let Some(v) = st.value() {
                best = Some((Dec::new(v, 0)?, next, i + 1));
            }
        }
        i += 1;
    }
    let (value, end, used) = match best {
        Some((v, e, u)) => (Some(v), e, u),
        None => (None, pos, 0),
    };
    Some(ChineseNum {
        value,
        end,
        run_end,
        digit_by_digit: false,
        lone: if used == 1 {
            chars.first().map(|&(c, _)| c)
        } else {
            None
        },
    })
}

/// Fixed expressions containing numerals that are never quantities.
const IDIOMS: &[&str] = &[
    "四个意识",
    "四个自信",
    "四个全面",
    "四个一批",
    "两个维护",
    "两个确立",
    "两个务必",
    "两个一百年",
    "两个毫不动摇",
    "三个代表",
    "三个一批",
    "五位一体",
    "八项规定",
    "三严三实",
    "两学一做",
    "三会一课",
    "三重一大",
    "一带一路",
    "一网通办",
    "一网统管",
    "一单两库",
    "三集中三到位",
    "三到位",
    "两不愁三保障",
    "三保障",
    "两新一重",
    "十二五",
    "十三五",
    "十四五",
    "十五五",
    "十六大",
    "十七大",
    "十八大",
    "十九大",
    "二十大",
    "十八届",
    "十九届",
    "二十届",
    "三中全会",
    "四中全会",
    "五中全会",
    "六中全会",
    "七中全会",
    "十一期间",
    "五一期间",
    "十一黄金周",
    "五一劳动节",
    "七一讲话",
    "四下基层",
    "六稳",
    "六保",
    "三农",
    "三次产业",
    "三产融合",
    "四风",
];

/// Byte length of a fixed expression starting at `pos`, if any.
pub(super) fn idiom_at(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?;
    let first = rest.chars().next()?;
    static BY_FIRST: std::sync::OnceLock<std::collections::HashMap<char, Vec<&'static str>>> =
        std::sync::OnceLock::new();
    let by_first = BY_FIRST.get_or_init(|| {
        let mut map: std::collections::HashMap<char, Vec<&'static str>> =
            std::collections::HashMap::new();
        for idiom in IDIOMS {
            if let Some(c) = idiom.chars().next() {
                map.entry(c).or_default().push(idiom);
            }
        }
        map
    });
    by_first
        .get(&first)?
        .iter()
        .filter(|i| rest.starts_with(**i))
        .map(|i| i.len())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(s: &str) -> Option<String> {
        let n = scan_chinese(s, 0)?;
        n.value.map(|v| v.to_string())
    }

    #[test]
    fn chinese_basic_numerals_values() {
        let cases = [
            ("五", "5"),
            ("十", "10"),
            ("十九", "19"),
            ("三十五", "35"),
            ("两千", "2000"),
            ("一百零八", "108"),
            ("一万二千", "12000"),
            ("三万零五百", "30500"),
            ("十二亿三千万", "1230000000"),
            ("一万亿", "1000000000000"),
            ("一千零一十", "1010"),
            ("一百一十", "110"),
            ("两千三百", "2300"),
            ("一亿零五", "100000005"),
        ];
        for (s, v) in cases {
            assert_eq!(val(s).as_deref(), Some(v), "{s}");
        }
    }

    #[test]
    fn chinese_abbreviated_forms_values() {
        assert_eq!(val("两千三").as_deref(), Some("2300"));
        assert_eq!(val("一万五").as_deref(), Some("15000"));
        assert_eq!(val("一百一").as_deref(), Some("110"));
        assert_eq!(val("一百零一").as_deref(), Some("101"));
    }

    #[test]
    fn chinese_decimal_point_values() {
        assert_eq!(val("三点五").as_deref(), Some("3.5"));
        assert_eq!(val("十二点零五").as_deref(), Some("12.05"));
        assert_eq!(val("零点五").as_deref(), Some("0.5"));
        assert_eq!(val("零").as_deref(), None);
    }

    #[test]
    fn chinese_digit_by_digit_flagged() {
        let n = scan_chinese("二〇二一年", 0).unwrap();
        assert!(n.digit_by_digit);
        assert_eq!(n.value.unwrap().to_string(), "2021");
        assert_eq!(n.end, "二〇二一".len());
    }

    #[test]
    fn chinese_invalid_prefix_longest_valid() {
        let n = scan_chinese("十四五规划", 0).unwrap();
        assert_eq!(n.value.unwrap().to_string(), "14");
        assert_eq!(n.run_end, "十四五".len());
        let n = scan_chinese("千万不要", 0).unwrap();
        assert!(n.value.is_none());
        let n = scan_chinese("万一", 0).unwrap();
        assert!(n.value.is_none());
    }

    #[test]
    fn chinese_lone_char_reported() {
        assert_eq!(scan_chinese("一些", 0).unwrap().lone, Some('一'));
        assert_eq!(scan_chinese("五个", 0).unwrap().lone, Some('五'));
        assert_eq!(scan_chinese("十五", 0).unwrap().lone, None);
    }

    #[test]
    fn chinese_huge_run_never_panics() {
        let s = "九".repeat(5000);
        let n = scan_chinese(&s, 0).unwrap();
        assert!(n.value.is_none());
        assert_eq!(n.run_end, s.len());
        let s = "九千九百九十九亿".repeat(6);
        let n = scan_chinese(&s, 0).unwrap();
        assert!(n.end <= s.len());
    }

    #[test]
    fn chinese_idiom_matches_longest() {
        assert_eq!(idiom_at("十九届五中全会", 0), Some("十九届".len()));
        assert_eq!(idiom_at("两个一百年目标", 0), Some("两个一百年".len()));
        assert_eq!(idiom_at("五个方面", 0), None);
    }
}
