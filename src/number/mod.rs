//! Quantity extraction from Chinese (and English) report text.
//!
//! [`extract`] scans a document once, left to right, and returns every
//! number that reads as a quantity: a value with its unit (`43896件`,
//! `98.3%`, `77.99万元`, `两千三百人`, `百分之十二点五`, `0.5个百分点`,
//! `翻一番` …), an approximation marker (`约` `近` `余` `以上` …) and an
//! optional range end (`10%～20%`, `3至5年`).  Dates, ordinals, document
//! numbers, hotlines, list markers, quoted codes, slogans and similar
//! non-quantities are skipped.
//!
//! Values are exact decimals ([`Dec`]); [`Quantity::rounding_interval`]
//! gives the interval implied by the written precision, so that consumers
//! can compare reported figures without floating point.
//!
//! Conventions:
//! * `value` is normalised by scale words only: `3.6万` → 36000,
//!   `12亿元` → 1.2e9 yuan, but `12.5%` stays 12.5 (use
//!   [`Quantity::as_fraction`] for 0.125).
//! * A Chinese numeral counts only when followed by a unit or measure word
//!   (`五个`, `三项`, `两千人`, `三大`) or introduced by `百分之`; a lone `一`
//!   or `二` never counts (`一些`, `统一`, `二次开发`), nor does a numeral
//!   inside quotes or `《》`, after `第`, or in a fixed expression
//!   (`十四五`, `四个意识`, `十九届`).
//! * English text is handled for digits, `%`, scale words (`1.2 million`),
//!   a few units (`percent`, `percentage points`, `times`, `yuan` …),
//!   approximation words (`about`, `over` …) and years after `in`/`since`.
//! * Approximate values ([`Approx`] other than `Exact`) must never be
//!   compared for equality.  `近` means "nearly" and gives `AtMost`, except
//!   before a duration (`近3年` = the last three years, exact).

pub mod decimal;
pub mod unit;

mod arabic;
mod chinese;

use std::ops::Range;

use self::arabic::{is_digit, scan_arabic, scan_sep_date};
use self::chinese::{cn_digit, idiom_at, is_cn_numeral, scan_chinese};
use self::decimal::digit_value;
pub use self::decimal::{Dec, Interval, ParseDecError, Rounding};
use self::unit::{
    match_mid_approx, match_prefix_approx, match_scale, match_suffix_approx, match_unit, Kind,
    UnitMatch, HOTLINES, HOTLINE_WORDS,
};
pub use self::unit::{Approx, Unit};

/// A quantity found in text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    /// Byte range in the input, covering approximation markers, the
    /// number(s), scale words and unit (`约3.6万元左右` as a whole).
    pub span: Range<usize>,
    /// The input text of `span`, as written.
    pub text: String,
    /// The value normalised by scale words (`3.6万` → 36000), with sign.
    pub value: Dec,
    /// The number as written, before scale words (`3.6万` → 3.6).
    pub written: Dec,
    /// Decimal places as written (`98.30%` → 2).
    pub decimals: u32,
    /// Power of ten applied by scale words (`万` → 4, `万亿` → 12).
    pub multiplier: u32,
    /// Unit of the value.
    pub unit: Unit,
    /// Approximation marker.
    pub approx: Approx,
    /// Upper end of a range (`10%～20%` → 20), normalised like `value`.
    pub range_end: Option<Dec>,
    /// Upper end of a range as written.
    pub range_end_written: Option<Dec>,
    /// Power of ten applied to the range end.
    pub range_end_multiplier: u32,
    /// Written with Chinese numerals.
    pub chinese: bool,
}

impl Quantity {
    /// True when the quantity is a single exactly written value, i.e. it may
    /// be compared for equality with another value.
    pub fn is_exact(&self) -> bool {
        self.approx.is_exact() && self.range_end.is_none()
    }

    /// `[value, value]` (or `[value, range_end]`): the number taken as exact.
    pub fn exact_interval(&self) -> Interval {
        Interval::new(self.value, self.range_end.unwrap_or(self.value))
    }

    /// Interval implied by the written precision, scaled by the scale words:
    /// `98.3%` → [98.25, 98.35], `3.6万` → [35500, 36500].
    pub fn rounding_interval(&self) -> Interval {
        let lo = scaled_rounding(self.written, self.multiplier).map(|i| i.lo);
        let hi = match self.range_end_written {
            Some(w) => scaled_rounding(w, self.range_end_multiplier).map(|i| i.hi),
            None => scaled_rounding(self.written, self.multiplier).map(|i| i.hi),
        };
        match (lo, hi) {
            (Some(lo), Some(hi)) => Interval::new(lo, hi),
            _ => self.exact_interval(),
        }
    }

    /// The interval to use by default: exact for integers written without
    /// scale words outside ratio units (counts such as `43896件`, `500元`),
    /// the rounding interval otherwise (`98.3%`, `50%`, `3万人`).
    pub fn interval(&self) -> Interval {
        let integer_written = self.written.scale() == 0
            && self.multiplier == 0
            && self.range_end_written.is_none_or(|w| w.scale() == 0)
            && self.range_end_multiplier == 0;
        let ratio =
            self.unit.is_ratio() || matches!(self.unit, Unit::PercentagePoint | Unit::Times);
        if integer_written && !ratio {
            self.exact_interval()
        } else {
            self.rounding_interval()
        }
    }

    /// The value as a fraction of one for percent-like units
    /// (`12.5%` → 0.125, `3‰` → 0.003, `三成` → 0.3).
    pub fn as_fraction(&self) -> Option<Dec> {
        match self.unit {
            Unit::Percent => self.value.mul_pow10(-2),
            Unit::Permille => self.value.mul_pow10(-3),
            Unit::Cheng => self.value.mul_pow10(-1),
            _ => None,
        }
    }
}

fn scaled_rounding(written: Dec, multiplier: u32) -> Option<Interval> {
    let exp = i32::try_from(multiplier).ok()?;
    written.rounding_interval().mul_pow10(exp)
}

/// Parses a single token such as `3.6万`, `两千三百`, `98.3%`, `12亿元`,
/// `百分之十二点五` or `１，２４８`: the normalised value and unit.  The
/// whole string must be one number (leading/trailing whitespace allowed);
/// context rules of [`extract`] (dates, lone `一` …) do not apply.
pub fn parse_number(s: &str) -> Option<(Dec, Unit)> {
    parse_quantity(s).map(|q| (q.value, q.unit))
}

/// Like [`parse_number`] but returns the full [`Quantity`]; approximation
/// markers (`约30%`) and ranges (`3至5年`) are accepted too.
pub fn parse_quantity(s: &str) -> Option<Quantity> {
    let trimmed = s.trim();
    let offset = s.len() - s.trim_start().len();
    let ctx = Ctx {
        strict: false,
        ..Ctx::default()
    };
    let mut pos = 0;
    while let Some(c) = char_at(trimmed, pos) {
        if is_candidate(trimmed, pos, c) {
            if let Scan::Found(mut q) = scan_at(trimmed, pos, &ctx) {
                if q.span == (0..trimmed.len()) {
                    q.span = offset..offset + trimmed.len();
                    return Some(*q);
                }
            }
            return None;
        }
        pos += c.len_utf8();
        if pos > 9 {
            return None;
        }
    }
    None
}

/// Extracts all quantities from `text` in one left-to-right pass (linear
/// time).  See the module documentation for what counts as a quantity.
pub fn extract(text: &str) -> Vec<Quantity> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut ctx = Ctx {
        strict: true,
        line_start: true,
        ..Ctx::default()
    };
    let mut quote_depth = 0u32;
    let mut title_depth = 0u32;
    let mut ascii_quote = false;
    while let Some(c) = char_at(text, pos) {
        if is_candidate(text, pos, c) {
            ctx.in_quote = quote_depth > 0 || ascii_quote;
            ctx.in_title = title_depth > 0;
            let end = match scan_at(text, pos, &ctx) {
                Scan::Found(q) => {
                    let end = q.span.end;
                    out.push(*q);
                    end
                }
                Scan::Skip(end) => end,
                Scan::Ordinal(end) => {
                    ctx.ordinal_end = Some(end);
                    end
                }
                Scan::Nothing => pos,
            };
            if end > pos {
                pos = end;
                ctx.last_end = end;
                ctx.line_start = false;
                continue;
            }
        }
        match c {
            '“' | '「' | '『' | '‘' => quote_depth = quote_depth.saturating_add(1),
            '”' | '」' | '』' | '’' => quote_depth = quote_depth.saturating_sub(1),
            '"' => ascii_quote = !ascii_quote,
            '《' => title_depth = title_depth.saturating_add(1),
            '》' => title_depth = title_depth.saturating_sub(1),
            '\n' => {
                quote_depth = 0;
                title_depth = 0;
                ascii_quote = false;
                ctx.line_start = true;
            }
            _ if !c.is_whitespace() => ctx.line_start = false,
            _ => {}
        }
        pos += c.len_utf8();
    }
    out
}

/// Scanning context.
#[derive(Clone, Copy, Debug, Default)]
struct Ctx {
    /// Apply the document rules (dates, ordinals, list markers …).
    strict: bool,
    in_quote: bool,
    in_title: bool,
    /// Only whitespace since the start of the line.
    line_start: bool,
    /// End of the previous consumed token; prefixes may not reach before.
    last_end: usize,
    /// End of the last ordinal (`第1`), so that `第1、2批` skips `2批` too.
    ordinal_end: Option<usize>,
}

enum Scan {
    Found(Box<Quantity>),
    Skip(usize),
    /// Skipped as an ordinal (`第3次`).
    Ordinal(usize),
    Nothing,
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|r| r.chars().next())
}

fn char_before(text: &str, pos: usize) -> Option<char> {
    text.get(..pos).and_then(|r| r.chars().next_back())
}

fn is_sign(c: char) -> bool {
    matches!(c, '-' | '－' | '−' | '+' | '＋' | '负')
}

/// Characters at which a quantity may start.
fn is_candidate(text: &str, pos: usize, c: char) -> bool {
    if is_digit(c) || is_cn_numeral(c) || c == '翻' {
        return true;
    }
    if is_sign(c) {
        let next = char_at(text, pos + c.len_utf8());
        return next.is_some_and(|n| is_digit(n) || (c == '负' && is_cn_numeral(n)));
    }
    false
}

/// A sign is a sign only after a non-number character.
fn sign_allowed(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(p) => {
            !(p.is_ascii_alphanumeric()
                || is_digit(p)
                || matches!(p, '%' | '％' | ')' | '）' | ']' | '.' | '．' | '_'))
        }
    }
}

/// The numeral part of a quantity.
#[derive(Clone, Debug)]
struct Num {
    /// Start including sign or `百分之`.
    start: usize,
    end: usize,
    /// End of the whole numeral run (for skipping invalid Chinese tails).
    run_end: usize,
    written: Dec,
    chinese: bool,
    pct_prefix: bool,
    lone: Option<char>,
    digit_by_digit: bool,
    int_digits: usize,
    grouped: bool,
    leading_zero: bool,
}

enum NumScan {
    Num(Num),
    Skip(usize),
    Nothing,
}

fn scan_num(text: &str, pos: usize, ctx: &Ctx, allow_sign: bool, allow_pct: bool) -> NumScan {
    let Some(c) = char_at(text, pos) else {
        return NumScan::Nothing;
    };
    let rest = &text[pos..];
    if allow_pct && rest.starts_with("百分之") {
        let p = pos + "百分之".len();
        if text[p..].starts_with('百') && !char_at(text, p + 3).is_some_and(is_cn_numeral) {
            return NumScan::Num(Num {
                start: pos,
                end: p + 3,
                run_end: p + 3,
                written: Dec::from_int(100),
                chinese: true,
                pct_prefix: true,
                lone: None,
                digit_by_digit: false,
                int_digits: 3,
                grouped: false,
                leading_zero: false,
            });
        }
        return match scan_num(text, p, ctx, false, false) {
            NumScan::Num(mut n) => {
                n.start = pos;
                n.pct_prefix = true;
                n.lone = None;
                NumScan::Num(n)
            }
            other => other,
        };
    }
    let (negative, dstart) = if allow_sign && is_sign(c) {
        (matches!(c, '-' | '－' | '−' | '负'), pos + c.len_utf8())
    } else {
        (false, pos)
    };
    let Some(d) = char_at(text, dstart) else {
        return NumScan::Nothing;
    };
    if is_digit(d) {
        let Some(a) = scan_arabic(text, dstart) else {
            return NumScan::Nothing;
        };
        let written = match a.value {
            Some(v) if !a.multi_dot => v,
            _ => return NumScan::Skip(a.end),
        };
        let written = if negative {
            match written.checked_neg() {
                Some(w) => w,
                None => return NumScan::Skip(a.end),
            }
        } else {
            written
        };
        return NumScan::Num(Num {
            start: pos,
            end: a.end,
            run_end: a.end,
            written,
            chinese: false,
            pct_prefix: false,
            lone: None,
            digit_by_digit: false,
            int_digits: a.int_digits,
            grouped: a.grouped,
            leading_zero: a.leading_zero,
        });
    }
    if !is_cn_numeral(d) || (negative && c != '负') {
        return NumScan::Nothing;
    }
    if ctx.strict {
        if let Some(len) = idiom_at(text, dstart) {
            return NumScan::Skip(dstart + len);
        }
    }
    let Some(n) = scan_chinese(text, dstart) else {
        return NumScan::Nothing;
    };
    let Some(v) = n.value else {
        return if n.run_end > pos {
            NumScan::Skip(n.run_end)
        } else {
            NumScan::Nothing
        };
    };
    if ctx.strict
        && n.end < n.run_end
        && match_unit(text, n.end).is_none()
        && match_scale(text, n.end).1 == 0
    {
        return NumScan::Skip(n.run_end);
    }
    let written = if negative {
        match v.checked_neg() {
            Some(w) => w,
            None => return NumScan::Skip(n.run_end),
        }
    } else {
        v
    };
    NumScan::Num(Num {
        start: pos,
        end: n.end,
        run_end: n.run_end,
        written,
        chinese: true,
        pct_prefix: false,
        lone: n.lone,
        digit_by_digit: n.digit_by_digit,
        int_digits: 0,
        grouped: false,
        leading_zero: false,
    })
}

/// A numeral with its scale words, `余`/`多` and unit.
#[derive(Clone, Debug)]
struct Endpoint {
    num: Num,
    mid: bool,
    multiplier: u32,
    unit: Option<UnitMatch>,
    end: usize,
}

impl Endpoint {
    fn value(&self) -> Option<Dec> {
        self.num
            .written
            .mul_pow10(i32::try_from(self.multiplier).ok()?)
    }

    fn is_date(&self) -> bool {
        self.unit.as_ref().is_some_and(|u| u.kind == Kind::Date) || self.is_year()
    }

    /// `2020年`: a 4-digit integer (or ≥ 1000) followed by `年`.
    fn is_year(&self) -> bool {
        self.unit.as_ref().is_some_and(|u| u.text == "年")
            && !self.num.chinese
            && self.multiplier == 0
            && !self.mid
            && self.num.written.scale() == 0
            && (self.num.int_digits == 4 || self.num.written >= Dec::from_int(1000))
    }
}

fn tail(text: &str, num: Num) -> Endpoint {
    let mut p = num.end;
    let mut mid = false;
    let mut multiplier = 0;
    let mut unit = None;
    if !num.pct_prefix {
        let l = match_mid_approx(text, p);
        if l > 0 {
            mid = true;
            p += l;
        }
        let (e, l) = match_scale(text, p);
        if l > 0 {
            multiplier = e;
            p += l;
            if !mid {
                let l = match_mid_approx(text, p);
                if l > 0 {
                    mid = true;
                    p += l;
                }
            }
        }
        unit = match_unit(text, p);
        if let Some(u) = &unit {
            p += u.len;
        }
    }
    Endpoint {
        num,
        mid,
        multiplier,
        unit,
        end: p,
    }
}

/// `10%～20%`, `10～20%`, `3至5年`, `百分之十至百分之二十`: the end point.
fn try_range(text: &str, a: &Endpoint, ctx: &Ctx) -> Option<Endpoint> {
    let p = a.end;
    let c = char_at(text, p)?;
    if !matches!(c, '～' | '~' | '〜' | '-' | '－' | '—' | '–' | '至' | '到') {
        return None;
    }
    // `从10%到20%`, `由3万人至5万人`: a change, not a range.
    if matches!(c, '至' | '到') && matches!(char_before(text, a.num.start), Some('从' | '由')) {
        return None;
    }
    let mut q = p + c.len_utf8();
    if c == '—' && char_at(text, q) == Some('—') {
        q += '—'.len_utf8();
    }
    match scan_num(text, q, ctx, false, true) {
        NumScan::Num(n) => Some(tail(text, n)),
        _ => None,
    }
}

/// Whether `b` can close a range opened by `a`.
fn compatible(a: &Endpoint, b: &Endpoint) -> bool {
    if b.num.pct_prefix && !a.num.pct_prefix {
        return false;
    }
    let units_ok = match (&a.unit, &b.unit) {
        (None, _) => true,
        (Some(x), Some(y)) => x.text == y.text && x.per == y.per && x.kind != Kind::Date,
        (Some(_), None) => false,
    };
    if !units_ok || (a.num.pct_prefix && b.unit.is_some()) {
        return false;
    }
    if a.num.chinese != b.num.chinese && !a.num.pct_prefix {
        return false;
    }
    let a_mult = inherited_multiplier(a, b);
    let av = a.num.written.mul_pow10(i32::try_from(a_mult).unwrap_or(0));
    match (av, b.value()) {
        (Some(av), Some(bv)) => av < bv,
        _ => false,
    }
}

/// `3-5万元`: the start inherits the scale words of the end when it has
/// neither scale nor unit.
fn inherited_multiplier(a: &Endpoint, b: &Endpoint) -> u32 {
    if a.unit.is_none() && a.multiplier == 0 && !a.num.pct_prefix {
        b.multiplier
    } else {
        a.multiplier
    }
}

const OPEN_BRACKETS: &str = "〔[【(（［";
const CLOSE_BRACKETS: &str = "〕]】)）］";
const SENTENCE_END: &str = "。；;！？!?：:";
const DURATIONS: &[&str] = &[
    "年",
    "个月",
    "天",
    "周",
    "小时",
    "个小时",
    "分钟",
    "工作日",
    "个工作日",
];

/// `翻番`, `翻一番`, `翻两番`, `翻了一番`: number of doublings and end.
fn scan_doubling(text: &str, pos: usize) -> Option<(Dec, usize)> {
    let mut p = pos
        + text
            .get(pos..)?
            .strip_prefix('翻')
            .map(|_| '翻'.len_utf8())?;
    if text[p..].starts_with('了') {
        p += '了'.len_utf8();
    }
    if text[p..].starts_with('番') {
        return Some((Dec::ONE, p + '番'.len_utf8()));
    }
    let c = char_at(text, p)?;
    let n = cn_digit(c).or_else(|| digit_value(c))?;
    if n == 0 {
        return None;
    }
    p += c.len_utf8();
    if text[p..].starts_with('番') {
        return Some((Dec::from_int(i64::from(n)), p + '番'.len_utf8()));
    }
    None
}

/// A bare 4-digit integer between 1900 and 2100 (`2022-2023学年`).
fn looks_like_year(e: &Endpoint) -> bool {
    !e.num.chinese
        && e.num.int_digits == 4
        && e.multiplier == 0
        && !e.num.grouped
        && e.num.written.scale() == 0
        && e.num.written >= Dec::from_int(1900)
        && e.num.written <= Dec::from_int(2100)
}

/// Structural filters on the first numeral that do not depend on the unit.
fn structural_skip(text: &str, a: &Endpoint, prev: Option<char>) -> Option<usize> {
    let n = &a.num;
    if n.chinese {
        return None;
    }
    let after = char_at(text, n.end);
    if prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '_') {
        return Some(skip_alnum(text, n.end));
    }
    // `COVID-19`, `0512-65221234`: a dash glued to a preceding code.
    if matches!(prev, Some('-' | '－' | '_'))
        && char_before(text, n.start - prev.map_or(0, char::len_utf8))
            .is_some_and(|p| p.is_ascii_alphanumeric() || is_digit(p))
    {
        return Some(skip_alnum(text, n.end));
    }
    // `8时30分`, `10点15分`: clock minutes.
    if matches!(prev, Some('时' | '点')) && after == Some('分') {
        return Some(n.end + '分'.len_utf8());
    }
    if (n.leading_zero && n.written.scale() == 0) || n.int_digits > 15 {
        return Some(skip_alnum(text, n.end));
    }
    let next_is_digit = |p: usize| char_at(text, p).is_some_and(is_digit);
    match after {
        Some(c @ (':' | '：' | '/' | '／')) if next_is_digit(n.end + c.len_utf8()) => {
            // Clock times `10:30`, fractions and dates `1/18`.
            let mut p = n.end;
            while let Some(c) = char_at(text, p) {
                if is_digit(c) || matches!(c, ':' | '：' | '/' | '／') {
                    p += c.len_utf8();
                } else {
                    break;
                }
            }
            return Some(p);
        }
        _ => {}
    }
    if a.unit.is_none()
        && a.multiplier == 0
        && !a.mid
        && after.is_some_and(|c| c.is_ascii_alphabetic())
    {
        return Some(skip_alnum(text, n.end));
    }
    None
}

/// Words after which a bare number is a code, not a quantity.
const CODE_WORDS: &[&str] = &[
    "邮编",
    "邮政编码",
    "编号",
    "代码",
    "编码",
    "号码",
    "电话",
    "手机",
    "传真",
    "账号",
    "卡号",
    "工号",
    "证号",
    "批号",
    "序号",
    "热线",
    "QQ",
    "微信",
    "No.",
    "NO.",
    "No",
    "Tel",
    "tel",
];

/// English words after which a bare year-like integer is a year.
const YEAR_WORDS: &[&str] = &[
    "in ",
    "In ",
    "since ",
    "Since ",
    "until ",
    "Until ",
    "during ",
    "During ",
    "year ",
    "Year ",
    "FY",
    "January ",
    "February ",
    "March ",
    "April ",
    "May ",
    "June ",
    "July ",
    "August ",
    "September ",
    "October ",
    "November ",
    "December ",
    "Jan ",
    "Feb ",
    "Mar ",
    "Apr ",
    "Jun ",
    "Jul ",
    "Aug ",
    "Sep ",
    "Sept ",
    "Oct ",
    "Nov ",
    "Dec ",
];

/// True when a code word (`邮编`, `电话` …) ends at `start`, optionally
/// followed by up to two characters among `：:为是 `.
fn after_code_word(text: &str, start: usize) -> bool {
    let mut end = start;
    for _ in 0..2 {
        match char_before(text, end) {
            Some(c @ (':' | '：' | '为' | '是' | ' ')) => end -= c.len_utf8(),
            _ => break,
        }
    }
    let before = &text[..end];
    CODE_WORDS.iter().any(|w| before.ends_with(w))
}

/// End of the ASCII alphanumeric run starting at `pos`.
fn skip_alnum(text: &str, mut pos: usize) -> usize {
    while let Some(c) = char_at(text, pos) {
        if c.is_ascii_alphanumeric() || c == '_' || is_digit(c) {
            pos += c.len_utf8();
        } else {
            break;
        }
    }
    pos
}

/// Filters that depend on the unit of the whole (possibly ranged) quantity.
fn context_skip(
    text: &str,
    a: &Endpoint,
    unit: Option<&UnitMatch>,
    end: usize,
    prev: Option<char>,
    ctx: &Ctx,
) -> Option<usize> {
    let n = &a.num;
    let next = char_at(text, end);
    let bare = unit.is_none() && !n.pct_prefix;
    if HOTLINE_WORDS
        .iter()
        .any(|w| text[n.end..].starts_with(w) || text[end..].starts_with(w))
    {
        return Some(end);
    }
    if ctx.in_title {
        return Some(end.max(n.run_end));
    }
    if n.chinese {
        if n.digit_by_digit
            || bare
            || (matches!(n.lone, Some('一' | '二')) && !n.pct_prefix)
            || ctx.in_quote
        {
            return Some(end.max(n.run_end));
        }
        return None;
    }
    if !bare {
        return None;
    }
    let integer = n.written.scale() == 0 && a.multiplier == 0 && !a.mid;
    if integer && !n.grouped && n.int_digits >= 7 {
        return Some(end);
    }
    if integer && n.written.to_i128().is_some_and(|v| HOTLINES.contains(&v)) {
        return Some(end);
    }
    if ctx.in_quote || after_code_word(text, n.start) {
        return Some(end);
    }
    if looks_like_year(a) && YEAR_WORDS.iter().any(|w| text[..n.start].ends_with(w)) {
        return Some(end);
    }
    let marker = next.filter(|c| matches!(c, '.' | '．' | '、' | ')' | '）'));
    let with_marker = end + marker.map_or(0, char::len_utf8);
    // `（1）` is a list marker; `North (214)`, a word and a figure in brackets, is a count.
    let after_word = prev.is_some_and(|p| p == '(')
        && text[..n.start.saturating_sub(1)]
            .strip_suffix(' ')
            .and_then(|t| t.chars().next_back())
            .is_some_and(|c| c.is_ascii_alphabetic());
    if prev.is_some_and(|p| OPEN_BRACKETS.contains(p))
        && next.is_some_and(|c| CLOSE_BRACKETS.contains(c))
        && !after_word
    {
        return Some(with_marker.max(end + next.map_or(0, char::len_utf8)));
    }
    // List markers and headings at a line start: `1.` `1、` `1)` `1 总体`.
    if ctx.line_start
        && a.multiplier == 0
        && (marker.is_some() || next.is_some_and(char::is_whitespace))
    {
        return Some(with_marker);
    }
    if next == Some('、') {
        return Some(with_marker);
    }
    if prev.is_some_and(|p| SENTENCE_END.contains(p)) && matches!(next, Some('.' | '．')) {
        return Some(with_marker);
    }
    None
}

fn scan_at(text: &str, pos: usize, ctx: &Ctx) -> Scan {
    let Some(c) = char_at(text, pos) else {
        return Scan::Nothing;
    };
    if c == '翻' {
        return match scan_doubling(text, pos) {
            Some((n, end)) => Scan::Found(Box::new(Quantity {
                span: pos..end,
                text: text[pos..end].to_string(),
                value: n,
                written: n,
                decimals: 0,
                multiplier: 0,
                unit: Unit::Doubling,
                approx: Approx::Exact,
                range_end: None,
                range_end_written: None,
                range_end_multiplier: 0,
                chinese: true,
            })),
            None => Scan::Nothing,
        };
    }
    let prev = char_before(text, pos);
    let allow_sign = !ctx.strict || sign_allowed(prev);
    if ctx.strict && is_digit(c) {
        if let Some(end) = scan_sep_date(text, pos) {
            return Scan::Skip(end);
        }
    }
    let num = match scan_num(text, pos, ctx, allow_sign, true) {
        NumScan::Num(n) => n,
        NumScan::Skip(e) => return Scan::Skip(e),
        NumScan::Nothing => return Scan::Nothing,
    };
    let a = tail(text, num);
    if ctx.strict {
        let chained = matches!(
            prev,
            Some('、' | '，' | ',' | '和' | '及' | '至' | '到' | '-')
        ) && ctx.ordinal_end == Some(pos - prev.map_or(0, char::len_utf8));
        if prev == Some('第') || chained {
            return Scan::Ordinal(a.end.max(a.num.run_end));
        }
        if let Some(e) = structural_skip(text, &a, prev) {
            return Scan::Skip(e);
        }
    }
    // Range.
    let mut b = None;
    if let Some(cand) = try_range(text, &a, ctx) {
        if compatible(&a, &cand) {
            b = Some(cand);
        } else if ctx.strict && a.unit.is_none() && cand.is_date() {
            return Scan::Skip(cand.end);
        }
    }
    let unit_match = a
        .unit
        .as_ref()
        .or_else(|| b.as_ref().and_then(|b| b.unit.as_ref()));
    let mut end = b.as_ref().map_or(a.end, |b| b.end);
    if ctx.strict {
        if let Some(b) = &b {
            if unit_match.is_none() && looks_like_year(&a) && looks_like_year(b) {
                return Scan::Skip(end);
            }
        }
        if a.is_date() || b.as_ref().is_some_and(Endpoint::is_date) {
            return Scan::Skip(end);
        }
        if let Some(e) = context_skip(text, &a, unit_match, end, prev, ctx) {
            return Scan::Skip(e);
        }
    } else if unit_match.is_some_and(|u| u.kind == Kind::Date) {
        return Scan::Nothing;
    }
    let mut start = a.num.start;
    let unit = if a.num.pct_prefix {
        Unit::Percent
    } else if let Some(u) = unit_match.and_then(UnitMatch::to_unit) {
        u
    } else if let Some(c @ ('¥' | '￥' | '$' | '＄')) = char_before(text, start) {
        start -= c.len_utf8();
        Unit::Money(
            if matches!(c, '$' | '＄') {
                "美元"
            } else {
                "元"
            }
            .to_string(),
        )
    } else {
        Unit::None
    };
    // Values.
    let a_mult = b
        .as_ref()
        .map_or(a.multiplier, |b| inherited_multiplier(&a, b));
    let Some(value) = a
        .num
        .written
        .mul_pow10(i32::try_from(a_mult).unwrap_or(i32::MAX))
    else {
        return Scan::Skip(end);
    };
    let (range_end, range_end_written, range_end_multiplier) = match &b {
        Some(b) => match b.value() {
            Some(v) => (Some(v), Some(b.num.written), b.multiplier),
            None => return Scan::Skip(end),
        },
        None => (None, None, 0),
    };
    // Approximation.
    let mut approx = Approx::Exact;
    if let Some((marker, mstart)) = match_prefix_approx(text, start, ctx.last_end) {
        let is_duration = unit_match.is_some_and(|u| DURATIONS.contains(&u.text));
        let plain_jin = &text[mstart..start] == "近";
        if let Some(m) = marker {
            if !(plain_jin && is_duration) {
                approx = m;
                start = mstart;
            }
        }
    }
    if approx == Approx::Exact && (a.mid || b.as_ref().is_some_and(|b| b.mid)) {
        approx = Approx::AtLeast;
    }
    if let Some((m, len)) = match_suffix_approx(text, end) {
        if approx == Approx::Exact {
            approx = m;
        }
        end += len;
    }
    let q = Quantity {
        span: start..end,
        text: text[start..end].to_string(),
        value,
        written: a.num.written,
        decimals: a.num.written.scale(),
        multiplier: a_mult,
        unit,
        approx,
        range_end,
        range_end_written,
        range_end_multiplier,
        chinese: a.num.chinese,
    };
    let bounds_ok = scaled_rounding(q.written, q.multiplier).is_some()
        && q.range_end_written
            .is_none_or(|w| scaled_rounding(w, q.range_end_multiplier).is_some());
    if !bounds_ok {
        return Scan::Skip(end);
    }
    Scan::Found(Box::new(q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    /// Compact unit key used by the tables.
    fn unit_key(u: &Unit) -> String {
        match u {
            Unit::None => String::new(),
            Unit::Percent => "%".into(),
            Unit::Permille => "‰".into(),
            Unit::PercentagePoint => "pp".into(),
            Unit::Cheng => "成".into(),
            Unit::Times => "倍".into(),
            Unit::Doubling => "番".into(),
            Unit::Count(s) => format!("c:{s}"),
            Unit::Money(s) => format!("m:{s}"),
            Unit::Measure(s) => format!("u:{s}"),
        }
    }

    fn approx_code(a: Approx) -> char {
        match a {
            Approx::Exact => '=',
            Approx::About => '~',
            Approx::AtLeast => '>',
            Approx::AtMost => '<',
        }
    }

    /// Input → exactly one quantity: (value, unit key, approx, decimals).
    const POSITIVE: &[(&str, &str, &str, char, u32)] = &[
        // the brief's required cases
        ("43896件", "43896", "c:件", '=', 0),
        ("43149件", "43149", "c:件", '=', 0),
        ("98.3%", "98.3", "%", '=', 1),
        ("182件", "182", "c:件", '=', 0),
        ("12.93%", "12.93", "%", '=', 2),
        ("77.99万元", "779900", "m:元", '=', 2),
        ("91.97万元", "919700", "m:元", '=', 2),
        ("17.66%", "17.66", "%", '=', 2),
        ("21.1%", "21.1", "%", '=', 1),
        ("19起", "19", "c:起", '=', 0),
        ("10.3万户", "103000", "c:户", '=', 1),
        ("近3000万元", "30000000", "m:元", '<', 0),
        ("超5.9亿元", "590000000", "m:元", '>', 1),
        ("50余次", "50", "c:次", '>', 0),
        ("99.8%以上", "99.8", "%", '>', 1),
        ("5个领域", "5", "c:个", '=', 0),
        ("42项", "42", "c:项", '=', 0),
        ("1,248", "1248", "", '=', 0),
        ("88.5%", "88.5", "%", '=', 1),
        ("12.8%", "12.8", "%", '=', 1),
        ("两千三百人", "2300", "c:人", '=', 0),
        ("百分之十二点五", "12.5", "%", '=', 1),
        ("0.5个百分点", "0.5", "pp", '=', 1),
        ("1.27倍", "1.27", "倍", '=', 2),
        ("翻一番", "1", "番", '=', 0),
        // arabic numbers, separators, signs
        ("受理43896件", "43896", "c:件", '=', 0),
        ("共计1,248人", "1248", "c:人", '=', 0),
        ("12,345,678元", "12345678", "m:元", '=', 0),
        ("投入12，345元", "12345", "m:元", '=', 0),
        ("比值为3.14", "3.14", "", '=', 2),
        ("增长-5%", "-5", "%", '=', 0),
        ("下降－2.5个百分点", "-2.5", "pp", '=', 1),
        ("增幅为+3.2%", "3.2", "%", '=', 1),
        ("增速为负5%", "-5", "%", '=', 0),
        ("利润率为负2.1%", "-2.1", "%", '=', 1),
        ("共有1248家", "1248", "c:家", '=', 0),
        ("合计0.75吨", "0.75", "u:吨", '=', 2),
        ("比例为3.60%", "3.6", "%", '=', 2),
        ("达到100%", "100", "%", '=', 0),
        ("发生率3‰", "3", "‰", '=', 0),
        ("死亡率3.5‰", "3.5", "‰", '=', 1),
        // full-width digits
        ("０.５%", "0.5", "%", '=', 1),
        ("９８．３％", "98.3", "%", '=', 1),
        ("１２３４５６件", "123456", "c:件", '=', 0),
        ("１，２４８人", "1248", "c:人", '=', 0),
        ("共７７．９９万元", "779900", "m:元", '=', 2),
        ("增长１２．８％", "12.8", "%", '=', 1),
        ("受理４３８９６件", "43896", "c:件", '=', 0),
        ("提高０.５个百分点", "0.5", "pp", '=', 1),
        // ratio units
        ("5个百分点", "5", "pp", '=', 0),
        ("2百分点", "2", "pp", '=', 0),
        ("7成", "7", "成", '=', 0),
        ("3倍", "3", "倍", '=', 0),
        ("增长1.5倍", "1.5", "倍", '=', 1),
        ("翻番", "1", "番", '=', 0),
        ("翻两番", "2", "番", '=', 0),
        ("翻了一番", "1", "番", '=', 0),
        ("实现翻三番", "3", "番", '=', 0),
        // scale words
        ("约为3.6万", "36000", "", '~', 1),
        ("规模1.2万亿", "1200000000000", "", '=', 1),
        ("12亿元", "1200000000", "m:元", '=', 0),
        ("5千人", "5000", "c:人", '=', 0),
        ("3百万元", "3000000", "m:元", '=', 0),
        ("2千万元", "20000000", "m:元", '=', 0),
        ("规模1.5亿", "150000000", "", '=', 1),
        ("8千亿元", "800000000000", "m:元", '=', 0),
        ("10万人次", "100000", "c:人次", '=', 0),
        ("3万平方米", "30000", "u:平方米", '=', 0),
        ("5千米", "5", "u:千米", '=', 0),
        ("2千瓦", "2", "u:千瓦", '=', 0),
        ("3万千瓦", "30000", "u:千瓦", '=', 0),
        ("120万吨", "1200000", "u:吨", '=', 0),
        ("2.3万亩", "23000", "u:亩", '=', 1),
        ("1.2万亿元", "1200000000000", "m:元", '=', 1),
        ("4.5千克", "4.5", "u:千克", '=', 1),
        ("3.6万", "36000", "", '=', 1),
        // money
        ("500元", "500", "m:元", '=', 0),
        ("3.5万元", "35000", "m:元", '=', 1),
        ("100美元", "100", "m:美元", '=', 0),
        ("2亿美元", "200000000", "m:美元", '=', 0),
        ("1000欧元", "1000", "m:欧元", '=', 0),
        ("30港元", "30", "m:港元", '=', 0),
        // counts
        ("3家", "3", "c:家", '=', 0),
        ("5所学校", "5", "c:所", '=', 0),
        ("12名", "12", "c:名", '=', 0),
        ("8位专家", "8", "c:位", '=', 0),
        ("20座", "20", "c:座", '=', 0),
        ("6台", "6", "c:台", '=', 0),
        ("15辆", "15", "c:辆", '=', 0),
        ("4套", "4", "c:套", '=', 0),
        ("9处", "9", "c:处", '=', 0),
        ("30份", "30", "c:份", '=', 0),
        ("2批", "2", "c:批", '=', 0),
        ("10场", "10", "c:场", '=', 0),
        ("3宗", "3", "c:宗", '=', 0),
        ("5例", "5", "c:例", '=', 0),
        ("40间", "40", "c:间", '=', 0),
        ("3条", "3", "c:条", '=', 0),
        ("7本", "7", "c:本", '=', 0),
        ("11户", "11", "c:户", '=', 0),
        ("200人次", "200", "c:人次", '=', 0),
        ("50家次", "50", "c:家次", '=', 0),
        ("3大", "3", "c:大", '=', 0),
        ("12个", "12", "c:个", '=', 0),
        ("23所", "23", "c:所", '=', 0),
        ("6种", "6", "c:种", '=', 0),
        // measures and durations
        ("20公里", "20", "u:公里", '=', 0),
        ("500公顷", "500", "u:公顷", '=', 0),
        ("3.5平方公里", "3.5", "u:平方公里", '=', 1),
        ("1000立方米", "1000", "u:立方米", '=', 0),
        ("12km", "12", "u:km", '=', 0),
        ("50kg", "50", "u:kg", '=', 0),
        ("30m²", "30", "u:m²", '=', 0),
        ("3年", "3", "u:年", '=', 0),
        ("18个月", "18", "u:个月", '=', 0),
        ("30天", "30", "u:天", '=', 0),
        ("5个工作日", "5", "u:个工作日", '=', 0),
        ("2小时", "2", "u:小时", '=', 0),
        ("15分钟", "15", "u:分钟", '=', 0),
        ("60岁", "60", "u:岁", '=', 0),
        ("3周", "3", "u:周", '=', 0),
        ("80兆瓦", "80", "u:兆瓦", '=', 0),
        // chinese numerals
        ("五个", "5", "c:个", '=', 0),
        ("十九家", "19", "c:家", '=', 0),
        ("三十五项", "35", "c:项", '=', 0),
        ("两千人", "2000", "c:人", '=', 0),
        ("一百零八人", "108", "c:人", '=', 0),
        ("一万二千元", "12000", "m:元", '=', 0),
        ("三万零五百人", "30500", "c:人", '=', 0),
        ("三项", "3", "c:项", '=', 0),
        ("两家", "2", "c:家", '=', 0),
        ("十二亿元", "1200000000", "m:元", '=', 0),
        ("三千万元", "30000000", "m:元", '=', 0),
        ("五百万人次", "5000000", "c:人次", '=', 0),
        ("九成", "9", "成", '=', 0),
        ("三倍", "3", "倍", '=', 0),
        ("两成", "2", "成", '=', 0),
        ("四个方面", "4", "c:个", '=', 0),
        ("一万人", "10000", "c:人", '=', 0),
        ("十人", "10", "c:人", '=', 0),
        ("二十人", "20", "c:人", '=', 0),
        ("三大", "3", "c:大", '=', 0),
        ("十大工程", "10", "c:大", '=', 0),
        ("二十三项", "23", "c:项", '=', 0),
        ("一千二百三十四件", "1234", "c:件", '=', 0),
        ("九十九人", "99", "c:人", '=', 0),
        ("十万千瓦", "100000", "u:千瓦", '=', 0),
        ("两千三百万元", "23000000", "m:元", '=', 0),
        ("十二亿三千万元", "1230000000", "m:元", '=', 0),
        ("一万亿元", "1000000000000", "m:元", '=', 0),
        ("两千三人", "2300", "c:人", '=', 0),
        ("三年", "3", "u:年", '=', 0),
        ("六个月", "6", "u:个月", '=', 0),
        ("三点五万人", "35000", "c:人", '=', 1),
        ("五点二倍", "5.2", "倍", '=', 1),
        ("零点五个百分点", "0.5", "pp", '=', 1),
        ("百分之十五", "15", "%", '=', 0),
        ("百分之三点五", "3.5", "%", '=', 1),
        ("百分之百", "100", "%", '=', 0),
        ("百分之12", "12", "%", '=', 0),
        ("百分之一", "1", "%", '=', 0),
        ("百分之九十五以上", "95", "%", '>', 0),
        // approximations
        ("约30%", "30", "%", '~', 0),
        ("大约500人", "500", "c:人", '~', 0),
        ("300人左右", "300", "c:人", '~', 0),
        ("100人上下", "100", "c:人", '~', 0),
        ("将近200家", "200", "c:家", '<', 0),
        ("接近90%", "90", "%", '<', 0),
        ("不到10%", "10", "%", '<', 0),
        ("不足5万人", "50000", "c:人", '<', 0),
        ("未满18岁", "18", "u:岁", '<', 0),
        ("超过80%", "80", "%", '>', 0),
        ("逾3000人", "3000", "c:人", '>', 0),
        ("3000多万元", "30000000", "m:元", '>', 0),
        ("10万余元", "100000", "m:元", '>', 0),
        ("60岁以上", "60", "u:岁", '>', 0),
        ("5%以下", "5", "%", '<', 0),
        ("3天以内", "3", "u:天", '<', 0),
        ("不超过5%", "5", "%", '<', 0),
        ("不少于20人", "20", "c:人", '>', 0),
        ("至少3次", "3", "c:次", '>', 0),
        ("最多5人", "5", "c:人", '<', 0),
        ("多达200人", "200", "c:人", '>', 0),
        ("约1.2万亿元", "1200000000000", "m:元", '~', 1),
        ("30多家", "30", "c:家", '>', 0),
        ("一百多人", "100", "c:人", '>', 0),
        ("两千余名", "2000", "c:名", '>', 0),
        ("十余家", "10", "c:家", '>', 0),
        ("三千多万元", "30000000", "m:元", '>', 0),
        ("一百多万元", "1000000", "m:元", '>', 0),
        ("约三成", "3", "成", '~', 0),
        ("近3年", "3", "u:年", '=', 0),
        ("近五年来", "5", "u:年", '=', 0),
        ("最近3年", "3", "u:年", '=', 0),
        ("近90%", "90", "%", '<', 0),
        // english
        ("about 1.2 million people", "1200000", "", '~', 1),
        ("rose 12 percent", "12", "%", '=', 0),
        ("up 0.5 percentage points", "0.5", "pp", '=', 1),
        ("grew 3 times", "3", "倍", '=', 0),
        (
            "a budget of 3.5 billion yuan",
            "3500000000",
            "m:yuan",
            '=',
            1,
        ),
        ("over 300 hectares", "300", "u:hectares", '>', 0),
        // rates and currency symbols
        ("3000元/吨", "3000", "m:元/吨", '=', 0),
        ("28微克/立方米", "28", "u:微克/立方米", '=', 0),
        ("￥500", "500", "m:元", '=', 0),
        ("3,456件次", "3456", "c:件次", '=', 0),
        // context that must not hide a quantity
        ("2021年全市受理182件", "182", "c:件", '=', 0),
        ("12345热线受理43896件", "43896", "c:件", '=', 0),
        ("第3次会议审议5项议案", "5", "c:项", '=', 0),
        ("“三集中三到位”涉及19起", "19", "c:起", '=', 0),
        ("（占比12.5%）", "12.5", "%", '=', 1),
        ("1月至6月共42项", "42", "c:项", '=', 0),
        (
            "苏政发〔2021〕12号明确投入5亿元",
            "500000000",
            "m:元",
            '=',
            0,
        ),
    ];

    /// Inputs that contain no quantity.
    const NEGATIVE: &[&str] = &[
        "2020年",
        "2021年1月7日",
        "2021-01-18",
        "2021.1.18",
        "2021/1/18",
        "1月",
        "29日",
        "3月份",
        "2021年度",
        "2020年底",
        "第七批",
        "第3次",
        "第十九届",
        "第一",
        "〔2023〕5号",
        "[2023]5号",
        "苏政发〔2021〕12号",
        "5号楼",
        "12345",
        "拨打12315",
        "12369热线",
        "110",
        "120",
        "119",
        "122",
        "拨打96110反诈专线",
        "12345政务服务便民热线",
        "服务电话88886666",
        "“3550”",
        "1.加强领导",
        "1、工作目标",
        "(1)",
        "（一）",
        "一、",
        "2. 主要做法",
        "“四个意识”",
        "四个意识",
        "十九届五中全会",
        "十四五",
        "“十四五”时期",
        "“三集中三到位”",
        "一单两库",
        "一是",
        "二是加强",
        "一些",
        "一样",
        "一起",
        "统一部署",
        "唯一",
        "一直",
        "一定",
        "进一步",
        "万一",
        "千万不要",
        "一次性",
        "二次开发",
        "三次产业",
        "13812345678",
        "0512-65221234",
        "身份证号320501199001011234",
        "二〇二一年",
        "二〇二一",
        "5G",
        "COVID-19",
        "PM2.5",
        "3D打印",
        "10:30",
        "8时30分",
        "1/3",
        "3.2.1",
        "v1.2",
        "十九大",
        "党的二十大",
        "三农",
        "五一期间",
        "十一期间",
        "一把手",
        "两岸",
        "三四个",
        "十几个",
        "《2021年政府工作报告》",
        "《关于印发十四五规划的通知》",
        "一带一路",
        "五位一体",
        "两个维护",
        "八项规定",
        "星期三",
        "初五",
        "10点",
        "三点建议",
        "1-11月",
        "2020-2025年",
        "2020至2025年",
        "1至3月",
        "三是",
        "成为",
        "一方面",
        "共同富裕",
        "第1、2、3批",
        "第一、二、三批",
        "2022-2023学年",
        "邮编：215000",
        "编号为123456",
        "in 2021",
        "Since 2019, the city",
        "No. 5",
        "the 1st and 2nd",
        "",
        "没有数字的句子。",
    ];

    /// Ranges: (input, start value, end value, unit key, approx).
    const RANGES: &[(&str, &str, &str, &str, char)] = &[
        ("10%～20%", "10", "20", "%", '='),
        ("10%-20%", "10", "20", "%", '='),
        ("10%至20%", "10", "20", "%", '='),
        ("10～20%", "10", "20", "%", '='),
        ("3至5年", "3", "5", "u:年", '='),
        ("3-5万元", "30000", "50000", "m:元", '='),
        ("3万-5万元", "30000", "50000", "m:元", '='),
        ("百分之十至百分之二十", "10", "20", "%", '='),
        ("百分之十至二十", "10", "20", "%", '='),
        ("三至五年", "3", "5", "u:年", '='),
        ("5～10个工作日", "5", "10", "u:个工作日", '='),
        ("1000-2000元", "1000", "2000", "m:元", '='),
        ("20到30人", "20", "30", "c:人", '='),
        ("约10%～20%", "10", "20", "%", '~'),
        ("10%-20%左右", "10", "20", "%", '~'),
        ("2.5-3.5倍", "2.5", "3.5", "倍", '='),
        ("5000元-1万元", "5000", "10000", "m:元", '='),
        ("１０％～２０％", "10", "20", "%", '='),
        ("3—5年", "3", "5", "u:年", '='),
    ];

    /// Whole sentences: the values extracted, in order.
    const MULTI: &[(&str, &[&str])] = &[
        ("受理43896件,调处成功43149件", &["43896", "43149"]),
        (
            "2021年1月7日，全市共受理12345热线工单43896件，办结率98.3%。",
            &["43896", "98.3"],
        ),
        ("共有5个领域42项任务", &["5", "42"]),
        ("一是加强领导，二是完善机制，共开展三项活动", &["3"]),
        ("同比增长12.8%，高于全省0.5个百分点", &["12.8", "0.5"]),
        ("（一）总体情况\n1.受理182件", &["182"]),
        ("根据苏政发〔2021〕12号文件，投入77.99万元", &["779900"]),
        ("“3550”工程投入91.97万元", &["919700"]),
        ("十九届五中全会以来，新增就业两千三百人", &["2300"]),
        ("办结率由88.5%提高到98.3%", &["88.5", "98.3"]),
        ("1,248,其中10.3万户", &["1248", "103000"]),
        ("分别为3、5、7人", &["7"]),
        ("“3个100%”", &["3", "100"]),
        (
            "In 2021 the hotline handled 43,896 cases, 98.3% of them resolved, up 0.5 percentage points; spending rose 12 percent to 1.2 billion yuan.",
            &["43896", "98.3", "0.5", "12", "1200000000"],
        ),
        ("办结率从88.5%到98.3%", &["88.5", "98.3"]),
        ("第1、2批共15家", &["15"]),
        ("均价1.2万元/平方米，约￥500", &["12000", "500"]),
        ("约3.6万人至4万人", &["36000"]),
        (
            "截至2023年底，累计投入2.5亿元，惠及1.2万户",
            &["250000000", "12000"],
        ),
    ];

    fn single(input: &str) -> Quantity {
        let qs = extract(input);
        assert_eq!(qs.len(), 1, "{input}: {qs:#?}");
        qs.into_iter().next().unwrap()
    }

    #[test]
    fn table_positive_cases_match() {
        let mut failures = Vec::new();
        for &(input, value, unit, approx, decimals) in POSITIVE {
            let qs = extract(input);
            let ok = qs.len() == 1
                && qs[0].value == d(value)
                && unit_key(&qs[0].unit) == unit
                && approx_code(qs[0].approx) == approx
                && qs[0].decimals == decimals;
            if !ok {
                let got: Vec<_> = qs
                    .iter()
                    .map(|q| {
                        format!(
                            "{} {} {} {} [{}]",
                            q.value,
                            unit_key(&q.unit),
                            approx_code(q.approx),
                            q.decimals,
                            q.text
                        )
                    })
                    .collect();
                failures.push(format!(
                    "{input}: want {value} {unit} {approx} {decimals}, got {got:?}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn table_negative_cases_empty() {
        let failures: Vec<_> = NEGATIVE
            .iter()
            .filter_map(|input| {
                let qs = extract(input);
                (!qs.is_empty()).then(|| {
                    format!(
                        "{input}: {:?}",
                        qs.iter().map(|q| &q.text).collect::<Vec<_>>()
                    )
                })
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn table_range_cases_match() {
        let mut failures = Vec::new();
        for &(input, lo, hi, unit, approx) in RANGES {
            let qs = extract(input);
            let ok = qs.len() == 1
                && qs[0].value == d(lo)
                && qs[0].range_end == Some(d(hi))
                && unit_key(&qs[0].unit) == unit
                && approx_code(qs[0].approx) == approx;
            if !ok {
                failures.push(format!("{input}: {qs:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn table_multi_sentences_values_in_order() {
        let mut failures = Vec::new();
        for &(input, want) in MULTI {
            let got: Vec<Dec> = extract(input).iter().map(|q| q.value).collect();
            let want: Vec<Dec> = want.iter().map(|w| d(w)).collect();
            if got != want {
                failures.push(format!("{input}: want {want:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn table_size_at_least_200_cases() {
        let n = POSITIVE.len() + NEGATIVE.len() + RANGES.len() + MULTI.len();
        println!(
            "table cases: {} positive, {} negative, {} ranges, {} sentences = {n}",
            POSITIVE.len(),
            NEGATIVE.len(),
            RANGES.len(),
            MULTI.len()
        );
        assert!(n >= 200, "only {n} cases");
    }

    #[test]
    fn extract_span_text_matches_input() {
        let input = "今年共受理约3.6万件，同比增长12.8%左右。";
        for q in extract(input) {
            assert_eq!(&input[q.span.clone()], q.text);
        }
        let q = single("共受理约3.6万件");
        assert_eq!(q.text, "约3.6万件");
        assert_eq!(q.written, d("3.6"));
        assert_eq!(q.multiplier, 4);
    }

    #[test]
    fn quantity_rounding_interval_scaled() {
        let q = single("共3.6万人");
        let i = q.rounding_interval();
        assert_eq!((i.lo, i.hi), (d("35500"), d("36500")));
        assert_eq!(q.interval(), i);
        let q = single("办结率98.3%");
        let i = q.interval();
        assert_eq!((i.lo, i.hi), (d("98.25"), d("98.35")));
    }

    #[test]
    fn quantity_integer_count_exact_interval() {
        let q = single("受理43896件");
        assert!(q.interval().is_point());
        let i = q.rounding_interval();
        assert_eq!((i.lo, i.hi), (d("43895.5"), d("43896.5")));
    }

    #[test]
    fn quantity_range_interval_spans_both_ends() {
        let q = single("3-5万元");
        let i = q.rounding_interval();
        assert_eq!((i.lo, i.hi), (d("25000"), d("55000")));
        assert_eq!(q.exact_interval().hi, d("50000"));
        assert!(!q.is_exact());
    }

    #[test]
    fn quantity_percent_as_fraction() {
        assert_eq!(single("12.5%").as_fraction(), Some(d("0.125")));
        assert_eq!(single("3‰").as_fraction(), Some(d("0.003")));
        assert_eq!(single("三成").as_fraction(), Some(d("0.3")));
        assert_eq!(single("3件").as_fraction(), None);
    }

    #[test]
    fn quantity_approx_not_exact() {
        assert!(!single("约30%").is_exact());
        assert!(single("30%").is_exact());
    }

    #[test]
    fn consistency_ratio_check_example() {
        // 43149 / 43896 must be consistent with 98.3% (rounded).
        let qs = extract("受理43896件,调处成功43149件，调处成功率98.3%");
        let ratio = qs[1]
            .exact_interval()
            .checked_div(&qs[0].exact_interval(), 8)
            .unwrap()
            .mul_pow10(2)
            .unwrap();
        assert!(ratio.overlaps(&qs[2].interval()));
    }

    #[test]
    fn parse_number_single_tokens() {
        let cases = [
            ("3.6万", "36000", ""),
            ("两千三百", "2300", ""),
            ("98.3%", "98.3", "%"),
            ("12亿元", "1200000000", "m:元"),
            ("百分之十二点五", "12.5", "%"),
            ("１，２４８", "1248", ""),
            ("二〇二一", "2021", ""),
            ("一", "1", ""),
            ("-3.5", "-3.5", ""),
            (" 42项 ", "42", "c:项"),
            ("1.2万亿", "1200000000000", ""),
        ];
        for (s, v, u) in cases {
            let (value, unit) = parse_number(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(value, d(v), "{s}");
            assert_eq!(unit_key(&unit), u, "{s}");
        }
    }

    #[test]
    fn parse_number_rejects_non_tokens() {
        for s in ["", "abc", "3件和5件", "十四五", "1.2.3", "约", "3月"] {
            assert!(parse_number(s).is_none(), "{s}");
        }
    }

    #[test]
    fn parse_quantity_with_markers() {
        let q = parse_quantity("约30%").unwrap();
        assert_eq!(q.approx, Approx::About);
        let q = parse_quantity("3至5年").unwrap();
        assert_eq!(q.range_end, Some(d("5")));
    }

    #[test]
    fn extract_never_panics_on_odd_input() {
        let long_digits = "9".repeat(100_000);
        let long_cn = "九".repeat(10_000);
        let mixed = "１,２,３.４.５万亿亿亿%%‰翻翻番百分之百分之".repeat(100);
        let odd = "\u{0}\u{FEFF}𝟘𝟙 ٣ ३ -- －－ 负负 〔〕【】“”《《》》\n\r\t".repeat(50);
        for s in [
            long_digits.as_str(),
            &long_cn,
            &mixed,
            &odd,
            "-",
            "负",
            "百分之",
            "翻了",
        ] {
            let qs = extract(s);
            for q in qs {
                assert!(q.span.end <= s.len());
            }
        }
    }

    #[test]
    fn extract_linear_time_large_input() {
        let unit = "受理43896件,调处成功43149件，占98.3%，涉及十九家、两千三百人、3-5万元。\n";
        let text = unit.repeat(20_000);
        let start = std::time::Instant::now();
        let qs = extract(&text);
        assert_eq!(qs.len(), 20_000 * 6);
        assert!(start.elapsed().as_secs() < 20);
    }

    /// Formats `n` (< 10^12) with Chinese numerals.
    fn to_chinese(n: u64) -> String {
        const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        fn section(x: u64, leading: bool) -> String {
            let digits = [x / 1000, x / 100 % 10, x / 10 % 10, x % 10];
            let mults = ["千", "百", "十", ""];
            let mut out = String::new();
            let mut started = false;
            let mut zero = false;
            for (dg, m) in digits.iter().zip(mults) {
                if *dg == 0 {
                    zero |= started;
                    continue;
                }
                if zero {
                    out.push('零');
                    zero = false;
                }
                if !(m == "十" && *dg == 1 && !started && leading) {
                    out.push_str(D[*dg as usize]);
                }
                out.push_str(m);
                started = true;
            }
            out
        }
        if n == 0 {
            return "零".into();
        }
        let parts = [
            (n / 100_000_000, "亿"),
            (n / 10_000 % 10_000, "万"),
            (n % 10_000, ""),
        ];
        let mut s = String::new();
        let mut need_zero = false;
        for (sec, suffix) in parts {
            if sec == 0 {
                need_zero |= !s.is_empty();
                continue;
            }
            if !s.is_empty() && (need_zero || sec < 1000) {
                s.push('零');
            }
            s.push_str(&section(sec, s.is_empty()));
            s.push_str(suffix);
            need_zero = false;
        }
        s
    }

    fn fullwidth(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
                '.' => '．',
                other => other,
            })
            .collect()
    }

    fn grouped(s: &str, sep: &str) -> String {
        let bytes: Vec<char> = s.chars().collect();
        let mut out = String::new();
        for (i, c) in bytes.iter().enumerate() {
            if i > 0 && (bytes.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(*c);
        }
        out
    }

    const UNITS: &[(&str, &str)] = &[
        ("件", "c:件"),
        ("%", "%"),
        ("元", "m:元"),
        ("人", "c:人"),
        ("户", "c:户"),
        ("项", "c:项"),
        ("平方米", "u:平方米"),
        ("吨", "u:吨"),
        ("个", "c:个"),
        ("倍", "倍"),
        ("公里", "u:公里"),
        ("人次", "c:人次"),
        ("个百分点", "pp"),
    ];
    const SCALES: &[(&str, i32)] = &[
        ("", 0),
        ("万", 4),
        ("亿", 8),
        ("千", 3),
        ("百万", 6),
        ("万亿", 12),
    ];

    #[test]
    fn chinese_formatter_known_values() {
        assert_eq!(to_chinese(30500), "三万零五百");
        assert_eq!(to_chinese(100_000_005), "一亿零五");
        assert_eq!(to_chinese(110), "一百一十");
        assert_eq!(to_chinese(15), "十五");
        assert_eq!(to_chinese(100_010_000), "一亿零一万");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn roundtrip_arabic_decimal_recovers_value(
            int in 0u64..10_000_000_000,
            frac in 0u32..1000,
            frac_len in 0usize..4,
            scale in 0usize..SCALES.len(),
            unit in 0usize..UNITS.len(),
            full in any::<bool>(),
            group in 0usize..3,
        ) {
            let (scale_word, exp) = SCALES[scale];
            let (unit_text, key) = UNITS[unit];
            let int_text = int.to_string();
            let frac_text = if frac_len == 0 {
                String::new()
            } else {
                format!("{:0width$}", frac % 10u32.pow(frac_len as u32), width = frac_len)
            };
            let int_part = match group {
                1 => grouped(&int_text, ","),
                2 => grouped(&int_text, "，"),
                _ => int_text.clone(),
            };
            let mut num = if frac_text.is_empty() { int_part } else { format!("{int_part}.{frac_text}") };
            if full {
                num = fullwidth(&num);
            }
            let text = format!("共{num}{scale_word}{unit_text}，");
            let written = if frac_text.is_empty() { d(&int_text) } else { d(&format!("{int_text}.{frac_text}")) };
            let expected = written.mul_pow10(exp).unwrap();
            let qs = extract(&text);
            prop_assert_eq!(qs.len(), 1, "{} {:?}", text, qs);
            prop_assert_eq!(qs[0].value, expected, "{}", text);
            prop_assert_eq!(qs[0].written, written);
            prop_assert_eq!(qs[0].decimals as usize, frac_len);
            prop_assert_eq!(unit_key(&qs[0].unit), key);
        }

        #[test]
        fn roundtrip_chinese_integer_recovers_value(
            n in 3u64..1_000_000_000_000,
            unit in 0usize..UNITS.len(),
            liang in any::<bool>(),
        ) {
            let (unit_text, key) = UNITS[unit];
            let mut cn = to_chinese(n);
            if liang && cn.starts_with("二") && cn.chars().nth(1).is_some_and(|c| "千万亿".contains(c)) {
                cn = cn.replacen('二', "两", 1);
            }
            let text = format!("共{cn}{unit_text}，");
            let qs = extract(&text);
            prop_assert_eq!(qs.len(), 1, "{} {:?}", text, qs);
            prop_assert_eq!(qs[0].value, Dec::new(i128::from(n), 0).unwrap(), "{}", text);
            prop_assert_eq!(unit_key(&qs[0].unit), key);
            prop_assert!(qs[0].chinese);
        }

        #[test]
        fn roundtrip_parse_number_small_chinese(n in 1u64..100_000_000) {
            let cn = to_chinese(n);
            let (v, _) = parse_number(&cn).unwrap();
            prop_assert_eq!(v, Dec::new(i128::from(n), 0).unwrap());
        }

        #[test]
        fn extract_arbitrary_text_never_panics(s in "\\PC{0,200}") {
            for q in extract(&s) {
                prop_assert!(q.span.end <= s.len());
                prop_assert!(s.is_char_boundary(q.span.start));
            }
            let _ = parse_number(&s);
        }

        #[test]
        fn extract_numeric_soup_never_panics(
            s in "[0-9０-９.．,，%％万亿千百十一二两三四五六七八九零〇点余多约近超翻番第年月日件元个人\\-～至“”（）\n]{0,120}"
        ) {
            for q in extract(&s) {
                prop_assert!(q.span.start < q.span.end && q.span.end <= s.len());
            }
        }
    }
}
