//! `date`: dates in their written forms. Checks (`check`):
//! - `impossible`: month 0 or over 12, a day past the month's end (leap years right);
//! - `lost-separators`: digit runs that read as a date only when split (`20179月`, `2020429日`, a
//!   signature line `202117`); every valid reading is reported, a single one becomes a safe fix;
//! - `lost-range`: two years glued together (`20212025年`);
//! - `order`: a date that must not be later than another (生成日期 ≤ 公开日期, signature ≤ 公开日期).

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::number::parse_number;
use crate::rules::{parse_enum, Issues};
use crate::source::Document;
use super::Kind;
use super::operands::Operands;

/// Placeholders a `date` rule provides besides its captures.
pub const VARS: &[&str] = &[
    "match",
    "readings",
    "problem",
    "earlier",
    "later",
    "earlier-label",
    "later-label",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Impossible,
    LostSeparators,
    LostRange,
    Order,
    /// A report about year Y (its title) is signed in Y or Y+1.
    ReportYear,
}

/// `[rule.date]`: dates in their written forms, checked for what `check` names.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawDate {
    pub check: Spanned<String>,
    pub regex: Option<Spanned<String>>,
    #[serde(default)]
    pub also: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub report: Option<Spanned<String>>,
    pub earlier: Option<Spanned<String>>,
    pub later: Option<Spanned<String>>,
    pub min_year: Option<Spanned<i64>>,
}

/// A compiled `[rule.date]`.
#[derive(Debug)]
pub struct Date {
    check: Check,
    operands: Option<Operands>,
    earlier: String,
    later: String,
    min_year: i64,
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: Option<i64>, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => match year {
            Some(y) if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            Some(_) => 28,
            // Without a year, 29 February may be right.
            None => 29,
        },
        _ => 0,
    }
}

/// True when the date exists (a missing day or year is not checked).
pub fn is_valid(year: Option<i64>, month: u32, day: Option<u32>) -> bool {
    (1..=12).contains(&month) && day.is_none_or(|d| d >= 1 && d <= days_in_month(year, month))
}

/// A number written with Arabic (half- or full-width) digits or Chinese numerals; a year written
/// digit by digit (`二〇二一`) is read digit by digit.
fn parse_part(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '〇' | '○' | '零' => '0',
            _ => c,
        })
        .collect();
    if let Ok(n) = digits.parse::<i64>() {
        return Some(n);
    }
    // 二〇二一: four numerals without place words.
    if text.chars().count() == 4 && !text.contains(['十', '百', '千']) {
        let mut n = 0;
        for c in text.chars() {
            let d = "〇一二三四五六七八九"
                .chars()
                .position(|x| x == c)
                .or_else(|| (c == '零' || c == '○').then_some(0))?;
            n = n * 10 + d as i64;
        }
        return Some(n);
    }
    let (value, _) = parse_number(text)?;
    value.to_i128().and_then(|v| i64::try_from(v).ok())
}

/// Parses a date as written in a field or a signature: `2021-01-18`, `2021/1/18`, `2021.1.18`,
/// `2021年1月7日`, `二〇二一年一月七日`.
pub fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    static FORMS: OnceLock<Option<Regex>> = OnceLock::new();
    let re = FORMS
        .get_or_init(|| {
            Regex::new(r"^\s*(?<y>[0-9０-９]{4}|[〇○零一二三四五六七八九]{4})\s*(?:[-/.．]|年)\s*(?<m>[0-9０-９]{1,2}|[一二三四五六七八九十]{1,2})\s*(?:[-/.．]|月)\s*(?<d>[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*日?\s*$").ok()
        })
        .as_ref()?;
    let caps = re.captures(text)?;
    let y = parse_part(caps.name("y")?.as_str())?;
    let m = u32::try_from(parse_part(caps.name("m")?.as_str())?).ok()?;
    let d = u32::try_from(parse_part(caps.name("d")?.as_str())?).ok()?;
    is_valid(Some(y), m, Some(d)).then_some((y, m, d))
}

/// The latest year the document writes as a year (`2021年`, `2021-01-18`), to judge readings.
fn document_year(text: &str) -> Option<i64> {
    static YEARS: OnceLock<Option<Regex>> = OnceLock::new();
    let re = YEARS
        .get_or_init(|| Regex::new(r"(?:19|20)[0-9]{2}(?:年|-[01]?[0-9]-)").ok())
        .as_ref()?;
    re.find_iter(text)
        .filter_map(|m| m.as_str().get(..4)?.parse::<i64>().ok())
        .max()
}

impl Date {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawDate, issues: &mut Issues<'_>) -> Option<Date> {
        type Choice = (Check, &'static [&'static str], &'static str);
        let choices: &[(&str, Choice)] = &[
            ("impossible", (Check::Impossible, &["m"], "date")),
            ("lost-separators", (Check::LostSeparators, &["run"], "date")),
            ("lost-range", (Check::LostRange, &["from", "to"], "date")),
            ("order", (Check::Order, &[], "")),
            ("report-year", (Check::ReportYear, &[], "")),
        ];
        let (check, required, report) = parse_enum(&raw.check, "check", choices, issues)?;
        let operands = match (&raw.regex, check) {
            (_, Check::Order | Check::ReportYear) => None,
            (Some(regex), _) => Some(Operands::compile(
                regex,
                &raw.also,
                &raw.unless,
                raw.report.as_ref(),
                required,
                report,
                issues,
            )?),
            (None, _) => {
                issues.push(raw.check.span(), "this check needs a `regex`", None);
                return None;
            }
        };
        let (earlier, later) = match check {
            Check::Order => match (&raw.earlier, &raw.later) {
                (Some(e), Some(l)) => (e.get_ref().clone(), l.get_ref().clone()),
                _ => {
                    issues.push(raw.check.span(), "an `order` check needs `earlier` and `later` (a field label or \"signature\")", None);
                    return None;
                }
            },
            _ => (String::new(), String::new()),
        };
        Some(Date {
            check,
            operands,
            earlier,
            later,
            min_year: raw.min_year.as_ref().map_or(1949, |y| *y.get_ref()),
        })
    }

    /// Checks one unit (or the document, for `order`).
    pub fn check(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>) {
        if self.check == Check::Order {
            self.check_order(doc, out);
            return;
        }
        if self.check == Check::ReportYear {
            self.check_report_year(doc, out);
            return;
        }
        let Some(ops) = &self.operands else { return };
        let text = &doc.text;
        let year_window = || {
            let latest = document_year(text);
            let lo = latest.map_or(self.min_year, |y| (y - 30).max(self.min_year));
            let hi = latest.map_or(2100, |y| y + 1);
            lo..=hi
        };
        for caps in ops.matches(text, unit.clone()) {
            let Some(mut hit) = ops.hit(text, unit.start, &caps) else {
                continue;
            };
            // A fix replaces the date itself, not the context the regex needed around it.
            hit.extent = None;
            let num = |name: &str| caps.name(name).and_then(|m| parse_part(m.as_str()));
            match self.check {
                Check::Impossible => {
                    let (Some(m), year, day) = (num("m"), num("y"), num("d")) else {
                        continue;
                    };
                    let (Ok(m), day) = (u32::try_from(m), day.and_then(|d| u32::try_from(d).ok()))
                    else {
                        continue;
                    };
                    if caps.name("d").is_some() && day.is_none() {
                        continue;
                    }
                    if is_valid(year, m, day) {
                        continue;
                    }
                    let problem = if !(1..=12).contains(&m) {
                        format!("没有{m}月")
                    } else {
                        format!("{m}月只有{}天", days_in_month(year, m))
                    };
                    out.push(hit.var("problem", problem));
                }
                Check::LostSeparators => {
                    let Some(run) = caps.name("run").map(|m| m.as_str()) else {
                        continue;
                    };
                    let suffix = caps.name("suffix").map_or("", |m| m.as_str());
                    let readings = readings(run, suffix, &year_window());
                    if readings.is_empty() {
                        continue;
                    }
                    let shown = readings.join("、");
                    if readings.len() == 1 {
                        hit.fix = readings.first().cloned();
                        hit.safe_fix = true;
                    }
                    out.push(hit.var("readings", shown));
                }
                Check::LostRange => {
                    let (Some(from), Some(to)) = (num("from"), num("to")) else {
                        continue;
                    };
                    if to <= from || to - from > 50 || !year_window().contains(&from) {
                        continue;
                    }
                    hit.fix = Some(format!("{from}—{to}年"));
                    out.push(hit.var("readings", format!("{from}—{to}年")));
                }
                Check::Order | Check::ReportYear => {}
            }
        }
    }

    fn check_order(&self, doc: &Document, out: &mut Vec<Hit>) {
        let (Some(earlier), Some(later)) =
            (find_date(doc, &self.earlier), find_date(doc, &self.later))
        else {
            return;
        };
        if earlier.1 <= later.1 {
            return;
        }
        let text = &doc.text;
        let show = |d: (i64, u32, u32)| format!("{}年{}月{}日", d.0, d.1, d.2);
        let hit = Hit::at(text, earlier.0.clone())
            .var("earlier", show(earlier.1))
            .var("later", show(later.1))
            .var("earlier-label", label_name(&self.earlier))
            .var("later-label", label_name(&self.later));
        out.push(hit);
    }
}

impl Date {
    fn check_report_year(&self, doc: &Document, out: &mut Vec<Hit>) {
        let Some(year) = title_year(doc) else { return };
        let Some((span, date)) = find_date(doc, "signature") else {
            return;
        };
        if date.0 == year || date.0 == year + 1 {
            return;
        }
        let hit = Hit::at(&doc.text, span)
            .var("earlier", format!("{}年{}月{}日", date.0, date.1, date.2))
            .var("later", format!("{year}年"))
            .var("earlier-label", "落款日期")
            .var("later-label", "报告年度");
        out.push(hit);
    }
}

/// The year a report is about: the first year in a title line among the first lines (a line
/// naming a report, 报告/年报/公报/总结, that is not a header field).
fn title_year(doc: &Document) -> Option<i64> {
    static YEAR: OnceLock<Option<Regex>> = OnceLock::new();
    let re = YEAR
        .get_or_init(|| Regex::new(r"((?:19|20)[0-9]{2})年").ok())
        .as_ref()?;
    doc.blocks.lines.iter().take(15).find_map(|l| {
        let line = &doc.text[l.clone()];
        let is_title = ["报告", "年报", "公报", "总结"]
            .iter()
            .any(|w| line.contains(w))
            && !line.contains([':', '：'])
            && line.chars().count() <= 60;
        if !is_title {
            return None;
        }
        re.captures(line)?.get(1)?.as_str().parse().ok()
    })
}

fn label_name(spec: &str) -> String {
    if spec == "signature" {
        "落款日期".to_owned()
    } else {
        spec.to_owned()
    }
}

/// Every valid date a digit run can be split into, formatted with its separators.
fn readings(run: &str, suffix: &str, years: &std::ops::RangeInclusive<i64>) -> Vec<String> {
    let digits: Vec<u32> = run.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != run.chars().count() || digits.len() < 5 {
        return Vec::new();
    }
    let number = |ds: &[u32]| ds.iter().fold(0i64, |acc, d| acc * 10 + i64::from(*d));
    let year = number(&digits[..4]);
    if !years.contains(&year) {
        return Vec::new();
    }
    let rest = &digits[4..];
    let mut out = Vec::new();
    if suffix == "月" {
        // Month only: the rest is the month, written without a leading zero.
        if rest.len() <= 2 && rest[0] != 0 {
            let m = number(rest) as u32;
            if is_valid(Some(year), m, None) {
                out.push(format!("{year}年{m}月"));
            }
        }
        return out;
    }
    for split in 1..rest.len() {
        let (m, d) = rest.split_at(split);
        if m.len() > 2 || d.len() > 2 || m[0] == 0 || d[0] == 0 {
            continue;
        }
        let (m, d) = (number(m) as u32, number(d) as u32);
        if is_valid(Some(year), m, Some(d)) {
            out.push(format!("{year}年{m}月{d}日"));
        }
    }
    out
}

/// The date of a field (`生成日期`) in the document head, or of the signature (`signature`: the
/// last line of the document that is only a date), with its byte range.
fn find_date(doc: &Document, spec: &str) -> Option<(Range<usize>, (i64, u32, u32))> {
    let text = &doc.text;
    if spec == "signature" {
        // The signature ends the body, not the headers and notes a .docx adds after it.
        let body = doc.body();
        let lines = &doc.blocks.lines;
        return lines
            .iter()
            .filter(|l| l.end <= body.end)
            .rev()
            .filter(|l| !text[(*l).clone()].trim().is_empty())
            .take(4)
            .find_map(|l| {
                let body = &text[l.clone()];
                let date = parse_date(body)?;
                let lead = body.len() - body.trim_start().len();
                Some((l.start + lead..l.start + body.trim_end().len(), date))
            });
    }
    for line in doc.blocks.lines.iter().take(20) {
        let body = &text[line.clone()];
        let Some(at) = body.find(spec) else { continue };
        let after = &body[at + spec.len()..];
        let value = after.trim_start_matches([' ', '\u{a0}', '\u{3000}', '\t']);
        let Some(value) = value.strip_prefix([':', '：']) else {
            continue;
        };
        let value_start = body.len() - value.len();
        let trimmed = value.trim_start_matches([' ', '\u{a0}', '\u{3000}', '\t']);
        let start = line.start + value_start + (value.len() - trimmed.len());
        let end_rel = trimmed
            .find(|c: char| c.is_whitespace() || c == '\u{a0}')
            .unwrap_or(trimmed.len());
        let candidate = &trimmed[..end_rel];
        if let Some(date) = parse_date(candidate) {
            return Some((start..start + candidate.len(), date));
        }
    }
    None
}


impl Kind for Date {
    fn check_unit(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>) {
        self.check(doc, unit, out);
    }

    /// Placeholders: the captures plus computed values.
    fn vars(&self) -> Vec<String> {
        let mut v: Vec<String> = VARS.iter().map(|s| (*s).to_owned()).collect();
        if let Some(ops) = &self.operands {
            v.extend(ops.names().iter().cloned());
        }
        v
    }

    fn operands(&self) -> Option<&Operands> {
        self.operands.as_ref()
    }

    /// True when the check looks at the whole document.
    fn per_document(&self) -> bool {
        matches!(self.check, Check::Order | Check::ReportYear)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_ends_the_body_not_the_notes_after_it() {
        use crate::source::zones::test_document;
        use crate::source::ZoneKind::{Body, Footnote};
        let rules = crate::engine::load_rules(false, &[]).expect("built-in rules");
        let id = rules.find("date/signature-year").expect("rule");
        let body = "某区2020年法治政府建设工作报告\n正文。\n某区人民政府\n2012年1月7日";
        let notes = "注一。\n注二。\n注三。\n注四。";
        let doc = test_document(&[(Body, body), (Footnote, notes)]);
        let found = crate::engine::check_rule(&doc, &rules, id);
        assert_eq!(found.len(), 1);
        assert_eq!(&doc.text[found[0].span.clone()], "2012年1月7日");
    }

    #[test]
    fn month_lengths_cover_every_month_and_leap_years() {
        let expected = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        for (i, days) in expected.iter().enumerate() {
            let m = i as u32 + 1;
            assert_eq!(days_in_month(Some(2021), m), *days, "month {m}");
            assert!(is_valid(Some(2021), m, Some(*days)));
            assert!(
                !is_valid(Some(2021), m, Some(days + 1)),
                "month {m} day {}",
                days + 1
            );
        }
        assert_eq!(days_in_month(Some(2020), 2), 29);
        assert_eq!(days_in_month(Some(2000), 2), 29);
        assert_eq!(days_in_month(Some(1900), 2), 28);
        assert_eq!(days_in_month(Some(2022), 2), 28);
        assert!(!is_valid(Some(2022), 13, None));
        assert!(!is_valid(Some(2022), 0, None));
        assert!(!is_valid(Some(2022), 4, Some(0)));
    }

    #[test]
    fn readings_of_lost_separators() {
        let years = 1990..=2022;
        assert_eq!(readings("20179", "月", &years), ["2017年9月"]);
        assert_eq!(readings("2020429", "日", &years), ["2020年4月29日"]);
        assert_eq!(readings("202117", "", &years), ["2021年1月7日"]);
        assert_eq!(
            readings("2021111", "日", &years),
            ["2021年1月11日", "2021年11月1日"]
        );
        assert!(readings("12345", "日", &years).is_empty());
        assert!(readings("2030101", "日", &years).is_empty());
    }

    #[test]
    fn dates_parse_in_every_written_form() {
        for text in [
            "2021-01-18",
            "2021/1/18",
            "2021.1.18",
            "2021年1月18日",
            "二〇二一年一月十八日",
            "２０２１年１月１８日",
        ] {
            assert_eq!(parse_date(text), Some((2021, 1, 18)), "{text}");
        }
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_date("待定"), None);
    }
}
