//! Units, scale words and approximation markers that surround a number.
//!
//! Everything here is a bounded look-up at a byte position (longest match
//! over small static tables), so callers stay linear in the input size.

use std::fmt;

/// What a quantity counts or measures.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A bare number.
    None,
    /// `%`, `％`, `百分之…`; the value is in percent (`12.5%` → 12.5).
    Percent,
    /// `‰`; the value is in per mille.
    Permille,
    /// `个百分点` / `百分点`.
    PercentagePoint,
    /// `成`: tenths (`三成` → 3).
    Cheng,
    /// `倍`.
    Times,
    /// `翻番` / `翻一番` / `翻两番`: the value is the number of doublings.
    Doubling,
    /// A counted thing; the string is the measure word without scale words
    /// (`10.3万户` → `Count("户")` with value 103000).  `N大` gives
    /// `Count("大")`.
    Count(String),
    /// Money; the string is the currency (`元`, `美元` …), value in that
    /// currency (`12亿元` → 1.2e9).  Rates keep their denominator in the
    /// string (`3000元/吨` → `Money("元/吨")`), as do counts and measures
    /// (`28微克/立方米`).  `￥500` / `$30` give `元` / `美元`.
    Money(String),
    /// A physical or time measure (`平方米`, `公里`, `吨`, `年`, `个月` …).
    Measure(String),
}

impl Unit {
    /// True for the percent-like units whose value is a share of a whole.
    pub fn is_ratio(&self) -> bool {
        matches!(self, Unit::Percent | Unit::Permille | Unit::Cheng)
    }

    /// The unit as text (`""` for [`Unit::None`]).
    pub fn as_str(&self) -> &str {
        match self {
            Unit::None => "",
            Unit::Percent => "%",
            Unit::Permille => "‰",
            Unit::PercentagePoint => "个百分点",
            Unit::Cheng => "成",
            Unit::Times => "倍",
            Unit::Doubling => "番",
            Unit::Count(s) | Unit::Money(s) | Unit::Measure(s) => s,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How exactly a number is meant.
///
/// Rule for consumers: only [`Approx::Exact`] values may be compared for
/// equality; approximate values are never reported as mismatching another
/// value (they may still be compared by direction, e.g. `AtLeast 50` vs 40).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Approx {
    /// As written.
    Exact,
    /// `约` `大约` `左右` `上下` `近似`: somewhere around the value.
    About,
    /// `余` `多` `超` `超过` `逾` `以上` `不少于` `至少`: the value or more.
    AtLeast,
    /// `近` `将近` `接近` `不到` `不足` `未满` `以下` `以内` `不超过` `最多`:
    /// the value or (slightly) less.  `近` means "nearly", i.e. a bit below.
    ///
    /// English markers (`about`, `around`, `nearly`, `over`, `more than`,
    /// `at least`, `less than`, `under`, `up to`) map the same way.
    AtMost,
}

impl Approx {
    /// True for [`Approx::Exact`].
    pub fn is_exact(&self) -> bool {
        matches!(self, Approx::Exact)
    }
}

/// Kinds used in the unit table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Percent,
    Permille,
    Point,
    Cheng,
    Times,
    Count,
    Money,
    Measure,
    /// Calendar words (`年` after a year, `月`, `日`, `号`, `时` …): the number
    /// is a date or time, not a quantity.
    Date,
}

/// Unit table: text and kind.  Matched longest first.
const UNITS: &[(&str, Kind)] = &[
    ("%", Kind::Percent),
    ("％", Kind::Percent),
    ("‰", Kind::Permille),
    ("个百分点", Kind::Point),
    ("百分点", Kind::Point),
    ("成", Kind::Cheng),
    ("倍", Kind::Times),
    // money
    ("元", Kind::Money),
    ("美元", Kind::Money),
    ("欧元", Kind::Money),
    ("港元", Kind::Money),
    ("日元", Kind::Money),
    ("英镑", Kind::Money),
    ("块钱", Kind::Money),
    // counts
    ("件", Kind::Count),
    ("项", Kind::Count),
    ("项次", Kind::Count),
    ("家", Kind::Count),
    ("家次", Kind::Count),
    ("个", Kind::Count),
    ("个次", Kind::Count),
    ("人", Kind::Count),
    ("人次", Kind::Count),
    ("户", Kind::Count),
    ("户次", Kind::Count),
    ("条", Kind::Count),
    ("本", Kind::Count),
    ("起", Kind::Count),
    ("次", Kind::Count),
    ("所", Kind::Count),
    ("名", Kind::Count),
    ("位", Kind::Count),
    ("座", Kind::Count),
    ("台", Kind::Count),
    ("辆", Kind::Count),
    ("套", Kind::Count),
    ("处", Kind::Count),
    ("份", Kind::Count),
    ("批", Kind::Count),
    ("批次", Kind::Count),
    ("场", Kind::Count),
    ("场次", Kind::Count),
    ("宗", Kind::Count),
    ("例", Kind::Count),
    ("间", Kind::Count),
    ("张", Kind::Count),
    ("只", Kind::Count),
    ("头", Kind::Count),
    ("株", Kind::Count),
    ("棵", Kind::Count),
    ("篇", Kind::Count),
    ("部", Kind::Count),
    ("支", Kind::Count),
    ("类", Kind::Count),
    ("方面", Kind::Count),
    ("种", Kind::Count),
    ("笔", Kind::Count),
    ("轮", Kind::Count),
    ("栋", Kind::Count),
    ("幢", Kind::Count),
    ("艘", Kind::Count),
    ("架", Kind::Count),
    ("架次", Kind::Count),
    ("枚", Kind::Count),
    ("门", Kind::Count),
    ("册", Kind::Count),
    ("期", Kind::Count),
    ("对", Kind::Count),
    ("双", Kind::Count),
    ("组", Kind::Count),
    ("队", Kind::Count),
    ("村", Kind::Count),
    ("校", Kind::Count),
    ("件次", Kind::Count),
    ("剂", Kind::Count),
    ("剂次", Kind::Count),
    ("人日", Kind::Count),
    ("床", Kind::Count),
    ("张床", Kind::Count),
    ("个点", Kind::Count),
    ("大", Kind::Count),
    // measures
    ("平方公里", Kind::Measure),
    ("平方千米", Kind::Measure),
    ("平方米", Kind::Measure),
    ("立方米", Kind::Measure),
    ("公里", Kind::Measure),
    ("千米", Kind::Measure),
    ("米", Kind::Measure),
    ("厘米", Kind::Measure),
    ("毫米", Kind::Measure),
    ("公顷", Kind::Measure),
    ("亩", Kind::Measure),
    ("吨", Kind::Measure),
    ("千克", Kind::Measure),
    ("公斤", Kind::Measure),
    ("克", Kind::Measure),
    ("斤", Kind::Measure),
    ("微克", Kind::Measure),
    ("毫克", Kind::Measure),
    ("立方", Kind::Measure),
    ("千瓦时", Kind::Measure),
    ("千瓦", Kind::Measure),
    ("兆瓦", Kind::Measure),
    ("瓦", Kind::Measure),
    ("度", Kind::Measure),
    ("升", Kind::Measure),
    ("毫升", Kind::Measure),
    ("标准煤", Kind::Measure),
    ("年", Kind::Measure),
    ("个月", Kind::Measure),
    ("个工作日", Kind::Measure),
    ("工作日", Kind::Measure),
    ("天", Kind::Measure),
    ("个小时", Kind::Measure),
    ("小时", Kind::Measure),
    ("分钟", Kind::Measure),
    ("秒", Kind::Measure),
    ("周", Kind::Measure),
    ("岁", Kind::Measure),
    ("㎡", Kind::Measure),
    ("㎞", Kind::Measure),
    ("km", Kind::Measure),
    ("kg", Kind::Measure),
    ("kWh", Kind::Measure),
    ("kW", Kind::Measure),
    ("MW", Kind::Measure),
    ("GW", Kind::Measure),
    ("m²", Kind::Measure),
    ("m³", Kind::Measure),
    ("m2", Kind::Measure),
    ("m3", Kind::Measure),
    ("mm", Kind::Measure),
    ("cm", Kind::Measure),
    ("m", Kind::Measure),
    ("t", Kind::Measure),
    // English (leading space is part of the match, not of the unit name)
    (" percent", Kind::Percent),
    (" per cent", Kind::Percent),
    (" percentage points", Kind::Point),
    (" percentage point", Kind::Point),
    (" times", Kind::Times),
    (" yuan", Kind::Money),
    (" km", Kind::Measure),
    (" tons", Kind::Measure),
    (" tonnes", Kind::Measure),
    (" hectares", Kind::Measure),
    (" years", Kind::Measure),
    (" months", Kind::Measure),
    (" days", Kind::Measure),
    // calendar / clock: not quantities
    ("月", Kind::Date),
    ("日", Kind::Date),
    ("号", Kind::Date),
    ("时", Kind::Date),
    ("点", Kind::Date),
    ("年度", Kind::Date),
    ("年底", Kind::Date),
    ("年初", Kind::Date),
    ("年末", Kind::Date),
    ("年中", Kind::Date),
    ("年级", Kind::Date),
    ("月份", Kind::Date),
    ("周年", Kind::Date),
];

/// Characters after `成` that make it part of a word (`成为`, `成功` …)
/// instead of the tenths unit.
const CHENG_BLOCK: &str = "为功员果绩本效立交熟都型品就长年像";

/// Characters after `大` that make `N大` not a count marker.
const DA_BLOCK: &str = "于会约概多幅量部";

/// A unit matched at some position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct UnitMatch {
    pub kind: Kind,
    pub text: &'static str,
    /// Denominator of a rate (`元/吨` → `吨`), if any.
    pub per: Option<&'static str>,
    /// Byte length including the rate part.
    pub len: usize,
}

impl UnitMatch {
    /// Converts to a public [`Unit`]; `None` for calendar words.
    pub fn to_unit(&self) -> Option<Unit> {
        let name = || match self.per {
            Some(per) => format!("{}/{}", self.text, per),
            None => self.text.to_string(),
        };
        Some(match self.kind {
            Kind::Percent => Unit::Percent,
            Kind::Permille => Unit::Permille,
            Kind::Point => Unit::PercentagePoint,
            Kind::Cheng => Unit::Cheng,
            Kind::Times => Unit::Times,
            Kind::Count => Unit::Count(name().trim_start().to_string()),
            Kind::Money => Unit::Money(name().trim_start().to_string()),
            Kind::Measure => Unit::Measure(name().trim_start().to_string()),
            Kind::Date => return None,
        })
    }
}

/// Longest unit at byte `pos` of `text`.
pub(super) fn match_unit(text: &str, pos: usize) -> Option<UnitMatch> {
    let rest = text.get(pos..)?;
    let first = rest.chars().next()?;
    // The units by first character, so that only those are compared (this runs after every
    // number of a document).
    static BY_FIRST: std::sync::OnceLock<std::collections::HashMap<char, Vec<usize>>> =
        std::sync::OnceLock::new();
    let by_first = BY_FIRST.get_or_init(|| {
        let mut map: std::collections::HashMap<char, Vec<usize>> = std::collections::HashMap::new();
        for (i, (u, _)) in UNITS.iter().enumerate() {
            if let Some(c) = u.chars().next() {
                map.entry(c).or_default().push(i);
            }
        }
        map
    });
    let mut best: Option<UnitMatch> = None;
    for &i in by_first.get(&first).map_or(&[][..], Vec::as_slice) {
        let (u, kind) = UNITS[i];
        if rest.starts_with(u) && best.as_ref().is_none_or(|b| u.len() > b.len) {
            best = Some(UnitMatch {
                kind,
                text: u,
                per: None,
                len: u.len(),
            });
        }
    }
    let m = best?;
    let after = &rest[m.len..];
    let next = after.chars().next();
    // ASCII units must not run into further letters (`5GB`, `3mg` …).
    if m.text
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && next.is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    if m.kind == Kind::Cheng && next.is_some_and(|c| CHENG_BLOCK.contains(c)) {
        return None;
    }
    if m.text == "大" && next.is_some_and(|c| DA_BLOCK.contains(c)) {
        return None;
    }
    Some(with_rate(text, pos, m))
}

/// Extends `元` to the rate `元/吨` (also `／` and `每`) when a plain unit
/// follows the slash.
fn with_rate(text: &str, pos: usize, mut m: UnitMatch) -> UnitMatch {
    if !matches!(m.kind, Kind::Count | Kind::Money | Kind::Measure) {
        return m;
    }
    let slash = pos + m.len;
    let Some(c @ ('/' | '／' | '每')) = text.get(slash..).and_then(|r| r.chars().next()) else {
        return m;
    };
    let after = slash + c.len_utf8();
    let Some(rest) = text.get(after..) else {
        return m;
    };
    let per = UNITS
        .iter()
        .filter(|(u, k)| {
            rest.starts_with(u) && matches!(k, Kind::Count | Kind::Measure | Kind::Date)
        })
        .max_by_key(|(u, _)| u.len());
    if let Some(&(u, _)) = per {
        m.per = Some(u);
        m.len = after - pos + u.len();
    }
    m
}

/// Scale characters after a number: `百` `千` `万` `亿` (combinations such as
/// `百万`, `千万`, `万亿` multiply).  Returns the power of ten and the byte
/// length consumed.  Stops before a unit that starts with a scale character
/// (`千瓦`, `千米`, `千克`, `百分点`).
pub(super) fn match_scale(text: &str, pos: usize) -> (u32, usize) {
    let mut exp = 0u32;
    let mut p = pos;
    let mut count = 0;
    while count < 3 {
        let Some(c) = text.get(p..).and_then(|r| r.chars().next()) else {
            break;
        };
        let e = match c {
            '百' => 2,
            '千' => 3,
            '万' => 4,
            '亿' => 8,
            _ => break,
        };
        if matches!(c, '百' | '千') && match_unit(text, p).is_some_and(|u| u.text.starts_with(c))
        {
            break;
        }
        exp += e;
        p += c.len_utf8();
        count += 1;
    }
    if count == 0 {
        let rest = text.get(pos..).unwrap_or("");
        for (word, e) in ENGLISH_SCALES {
            if rest.starts_with(word)
                && !rest[word.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                return (*e, word.len());
            }
        }
    }
    (exp, p - pos)
}

/// English scale words (with their leading space).
const ENGLISH_SCALES: &[(&str, u32)] = &[
    (" thousand", 3),
    (" million", 6),
    (" billion", 9),
    (" trillion", 12),
];

/// `余` / `多` right after a number (`50余次`, `3000多万元`).
pub(super) fn match_mid_approx(text: &str, pos: usize) -> usize {
    match text.get(pos..).and_then(|r| r.chars().next()) {
        Some(c @ ('余' | '多')) => c.len_utf8(),
        _ => 0,
    }
}

/// Prefix markers, longest first within overlapping groups.
const PREFIXES: &[(&str, Option<Approx>)] = &[
    ("不超过", Some(Approx::AtMost)),
    ("不高于", Some(Approx::AtMost)),
    ("不少于", Some(Approx::AtLeast)),
    ("不低于", Some(Approx::AtLeast)),
    ("最近", None),
    ("附近", None),
    ("大约", Some(Approx::About)),
    ("约为", Some(Approx::About)),
    ("将近", Some(Approx::AtMost)),
    ("接近", Some(Approx::AtMost)),
    ("超过", Some(Approx::AtLeast)),
    ("不到", Some(Approx::AtMost)),
    ("不足", Some(Approx::AtMost)),
    ("未满", Some(Approx::AtMost)),
    ("至少", Some(Approx::AtLeast)),
    ("最多", Some(Approx::AtMost)),
    ("多达", Some(Approx::AtLeast)),
    ("约", Some(Approx::About)),
    ("近", Some(Approx::AtMost)),
    ("超", Some(Approx::AtLeast)),
    ("逾", Some(Approx::AtLeast)),
    ("about ", Some(Approx::About)),
    ("About ", Some(Approx::About)),
    ("around ", Some(Approx::About)),
    ("approximately ", Some(Approx::About)),
    ("nearly ", Some(Approx::AtMost)),
    ("almost ", Some(Approx::AtMost)),
    ("over ", Some(Approx::AtLeast)),
    ("more than ", Some(Approx::AtLeast)),
    ("at least ", Some(Approx::AtLeast)),
    ("less than ", Some(Approx::AtMost)),
    ("under ", Some(Approx::AtMost)),
    ("up to ", Some(Approx::AtMost)),
];

/// Approximation marker ending exactly at byte `end` of `text`, not
/// reaching before `min_start`.  Returns the marker and its start.
/// Markers such as `最近` match but carry no approximation.
pub(super) fn match_prefix_approx(
    text: &str,
    end: usize,
    min_start: usize,
) -> Option<(Option<Approx>, usize)> {
    let before = text.get(..end)?;
    let last = *before.as_bytes().last()?;
    for &(m, a) in PREFIXES {
        // The last byte rules out most markers without a comparison of the whole marker.
        if m.as_bytes().last() == Some(&last) && before.ends_with(m) {
            let start = end - m.len();
            if start >= min_start {
                return Some((a, start));
            }
        }
    }
    None
}

/// Suffix markers after the unit.
const SUFFIXES: &[(&str, Approx)] = &[
    ("以上", Approx::AtLeast),
    ("之多", Approx::AtLeast),
    ("有余", Approx::AtLeast),
    ("以下", Approx::AtMost),
    ("以内", Approx::AtMost),
    ("之内", Approx::AtMost),
    ("左右", Approx::About),
    ("上下", Approx::About),
];

/// Approximation suffix at byte `pos`: marker and byte length.
pub(super) fn match_suffix_approx(text: &str, pos: usize) -> Option<(Approx, usize)> {
    let rest = text.get(pos..)?;
    SUFFIXES
        .iter()
        .find(|(m, _)| rest.starts_with(m))
        .map(|&(m, a)| (a, m.len()))
}

/// Words right after a number that make it a hotline or phone number.
pub(super) const HOTLINE_WORDS: &[&str] = &["热线", "电话", "专线", "服务热线", "便民热线"];

/// Well-known service numbers that are never quantities when written bare.
pub(super) const HOTLINES: &[i128] = &[
    110, 119, 120, 122, 12306, 12315, 12319, 12333, 12345, 12348, 12351, 12355, 12358, 12365,
    12369, 12380, 12388, 12390, 96110,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The statement gate (`crate::statement::UNIT_HINTS`) skips a statement for a quantity
    /// class when none of the class's hint words occurs: every spelling of those units here must
    /// contain one, or the gate would turn away statements that hold such a quantity.
    #[test]
    fn every_hinted_unit_spelling_contains_a_hint() {
        use crate::statement::{QClass, UNIT_HINTS};
        let class_of = |kind: Kind| match kind {
            Kind::Percent => Some(QClass::Percent),
            Kind::Permille => Some(QClass::Permille),
            Kind::Point => Some(QClass::Points),
            Kind::Times => Some(QClass::Times),
            Kind::Cheng => Some(QClass::Cheng),
            _ => None,
        };
        let mut checked = 0;
        for &(text, kind) in UNITS {
            let Some(class) = class_of(kind) else {
                continue;
            };
            let hints = UNIT_HINTS
                .iter()
                .find(|(c, _)| *c == class)
                .map(|(_, h)| *h)
                .unwrap_or_default();
            assert!(
                hints.iter().any(|h| text.contains(h)),
                "unit spelling {text:?} ({kind:?}) holds none of the gate's hints {hints:?}"
            );
            checked += 1;
        }
        assert!(checked >= 8, "only {checked} hinted unit spellings found");
    }

    #[test]
    fn match_unit_longest_wins() {
        assert_eq!(match_unit("个百分点", 0).unwrap().kind, Kind::Point);
        assert_eq!(match_unit("人次", 0).unwrap().text, "人次");
        assert_eq!(match_unit("个月", 0).unwrap().text, "个月");
        assert_eq!(match_unit("平方公里", 0).unwrap().text, "平方公里");
    }

    #[test]
    fn match_unit_cheng_word_none() {
        assert!(match_unit("成为", 0).is_none());
        assert_eq!(match_unit("成，", 0).unwrap().kind, Kind::Cheng);
    }

    #[test]
    fn match_unit_ascii_followed_by_letter_none() {
        assert!(match_unit("mg", 0).is_none());
        assert!(match_unit("kmh", 0).is_none());
        assert_eq!(match_unit("km,", 0).unwrap().text, "km");
    }

    #[test]
    fn match_unit_rate_per_unit() {
        let m = match_unit("元/吨，", 0).unwrap();
        assert_eq!(m.per, Some("吨"));
        assert_eq!(m.to_unit(), Some(Unit::Money("元/吨".into())));
        let m = match_unit("微克/立方米", 0).unwrap();
        assert_eq!(m.len, "微克/立方米".len());
        let m = match_unit("元/", 0).unwrap();
        assert_eq!((m.per, m.len), (None, 3));
    }

    #[test]
    fn match_unit_date_words_kind_date() {
        assert_eq!(match_unit("月", 0).unwrap().kind, Kind::Date);
        assert_eq!(match_unit("年度", 0).unwrap().kind, Kind::Date);
        assert!(match_unit("月", 0).unwrap().to_unit().is_none());
    }

    #[test]
    fn match_scale_combinations_sum() {
        assert_eq!(match_scale("万亿元", 0), (12, 6));
        assert_eq!(match_scale("千万", 0), (7, 6));
        assert_eq!(match_scale("万千瓦", 0), (4, 3));
        assert_eq!(match_scale("千米", 0), (0, 0));
        assert_eq!(match_scale("元", 0), (0, 0));
        assert_eq!(match_scale(" million people", 0), (6, 8));
        assert_eq!(match_scale(" millions", 0), (0, 0));
    }

    #[test]
    fn match_prefix_longest_marker() {
        let t = "不超过5";
        assert_eq!(
            match_prefix_approx(t, t.len() - 1, 0),
            Some((Some(Approx::AtMost), 0))
        );
        let t = "最近3";
        assert_eq!(match_prefix_approx(t, t.len() - 1, 0), Some((None, 0)));
        let t = "接近3";
        assert!(match_prefix_approx(t, t.len() - 1, 4).is_none());
    }

    #[test]
    fn match_suffix_markers_kinds() {
        assert_eq!(match_suffix_approx("以上。", 0), Some((Approx::AtLeast, 6)));
        assert_eq!(match_suffix_approx("左右", 0), Some((Approx::About, 6)));
        assert!(match_suffix_approx("以来", 0).is_none());
    }

    #[test]
    fn unit_display_strings() {
        assert_eq!(Unit::Percent.to_string(), "%");
        assert_eq!(Unit::Count("件".into()).to_string(), "件");
        assert!(Unit::Cheng.is_ratio());
        assert!(!Unit::Times.is_ratio());
    }
}
