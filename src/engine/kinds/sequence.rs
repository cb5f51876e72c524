//! `sequence`: numbering runs — headings (`一、` `（一）` `1.` `(1)`) with levels that restart under a
//! new higher-level heading, or inline enumerations (`一是…二是`, `第一，第二`, `①②`) whose runs restart
//! at 1. A single skipped number or a repeated one is reported at the mark that breaks the run;
//! bigger jumps and steps back usually start another list and stay silent.

use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::number::parse_number;
use crate::rules::compile_regex;
use crate::rules::{parse_enum_or, Issues};
use crate::source::Scope;
use crate::source::{zones, Document};
use super::Kind;

/// Placeholders a `sequence` rule provides.
pub const VARS: &[&str] = &["match", "problem", "expected", "previous"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Marks at line starts with nested levels: a mark resets every deeper level.
    Headings,
    /// Independent runs, one per marker; a run restarts at 1 or at a `reset` line.
    Inline,
}

/// Per marker (inline) or level (headings): the previous number, and the line it was on.
type RunState = (Vec<Option<i64>>, Vec<usize>);

/// A mark found on a line: its marker, reported span, the text around its number, and value.
type Mark = (usize, Range<usize>, (String, String), i64);

#[derive(Debug)]
struct Marker {
    regex: Regex,
    level: u32,
}

/// `[rule.sequence]`: numbering runs of headings or enumerations.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawSequence {
    pub mode: Option<Spanned<String>>,
    pub markers: Vec<RawMarker>,
    #[serde(default)]
    pub reset: Vec<Spanned<String>>,
    #[serde(default)]
    pub skip: Vec<Spanned<String>>,
}

/// One numbering style of a `sequence` rule.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawMarker {
    pub regex: Spanned<String>,
    pub level: Option<Spanned<u32>>,
}

/// A compiled `[rule.sequence]`.
#[derive(Debug)]
pub struct Sequence {
    mode: Mode,
    markers: Vec<Marker>,
    reset: Vec<Regex>,
    /// All patterns joined, in multi-line mode, to find candidate lines.
    any_line: Option<Regex>,
    /// Lines that are not text (table rows, tables of contents) and are skipped.
    skip: Vec<Regex>,
}

/// The value of a numbering mark: Arabic, Chinese, circled (①), or a Latin letter (a = 1).
fn mark_value(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        match c {
            '①'..='⑳' => return Some(c as i64 - '①' as i64 + 1),
            'a'..='z' => return Some(c as i64 - 'a' as i64 + 1),
            'A'..='Z' => return Some(c as i64 - 'A' as i64 + 1),
            _ => {}
        }
    }
    let (value, _) = parse_number(text)?;
    value.to_i128().and_then(|v| i64::try_from(v).ok())
}

impl Sequence {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawSequence, issues: &mut Issues<'_>) -> Option<Sequence> {
        let mode = parse_enum_or(
            raw.mode.as_ref(),
            "mode",
            &[("headings", Mode::Headings), ("inline", Mode::Inline)],
            Mode::Headings,
            issues,
        )?;
        let mut markers = Vec::new();
        let mut ok = true;
        for (i, m) in raw.markers.iter().enumerate() {
            let Some(regex) = compile_regex(&m.regex, issues) else {
                ok = false;
                continue;
            };
            if !regex.capture_names().flatten().any(|n| n == "num") {
                issues.push(
                    m.regex.span(),
                    "a marker regex must capture the number as `(?<num>...)`",
                    None,
                );
                ok = false;
            }
            let level = m.level.as_ref().map_or(i as u32 + 1, |l| *l.get_ref());
            markers.push(Marker { regex, level });
        }
        let reset: Vec<Option<Regex>> =
            raw.reset.iter().map(|r| compile_regex(r, issues)).collect();
        let reset = reset.into_iter().collect::<Option<Vec<_>>>()?;
        let skip: Vec<Option<Regex>> = raw.skip.iter().map(|r| compile_regex(r, issues)).collect();
        let skip = skip.into_iter().collect::<Option<Vec<_>>>()?;
        // Every marker and reset pattern in one multi-line regex (names removed, since they
        // repeat): one pass over a document finds the lines worth looking at.
        let unnamed = Regex::new(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>").ok()?;
        let joined: Vec<String> = markers
            .iter()
            .map(|m| m.regex.as_str())
            .chain(reset.iter().map(Regex::as_str))
            .map(|p| format!("(?:{})", unnamed.replace_all(p, "(?:")))
            .collect();
        let any_line = Regex::new(&format!("(?m){}", joined.join("|"))).ok();
        (ok && !markers.is_empty()).then_some(Sequence {
            mode,
            markers,
            any_line,
            reset,
            skip,
        })
    }

    /// Checks the whole document, line by line.
    pub fn check(&self, doc: &Document, out: &mut Vec<Hit>) {
        let text = &doc.text;
        // For each marker (inline) or level (headings): the previous number and its text.
        let mut last: Vec<Option<i64>> = vec![None; self.markers.len()];
        // Line of the previous mark of each marker, to look for a skipped number written in
        // another form (`3．10种…` reads as a decimal, not as a mark).
        let mut last_line: Vec<usize> = vec![0; self.markers.len()];
        // One pass over the document finds the lines worth looking at; a match may begin with
        // the line break before its line, so both of its ends count.
        let mut candidates: Vec<usize> = Vec::new();
        match &self.any_line {
            Some(re) => {
                for m in re.find_iter(text) {
                    candidates.push(doc.index.line_of(m.start()));
                    candidates.push(doc.index.line_of(m.end().saturating_sub(1).max(m.start())));
                }
            }
            None => candidates.extend(0..doc.blocks.lines.len()),
        }
        candidates.sort_unstable();
        candidates.dedup();
        // Each zone outside the body numbers on its own: a footnote's `1.` neither continues nor
        // breaks the body's headings. The state of the zones left is kept by stream.
        let mut stream = None;
        let mut saved: Vec<(Option<usize>, RunState)> = Vec::new();
        for line_no in candidates {
            let Some(line) = doc.blocks.lines.get(line_no) else {
                continue;
            };
            let here = zones::stream_of(&doc.zones, line.start);
            if here != stream {
                let restored = match saved.iter().position(|s| s.0 == here) {
                    Some(i) => saved.swap_remove(i).1,
                    None => (vec![None; self.markers.len()], vec![0; self.markers.len()]),
                };
                let left = (
                    std::mem::replace(&mut last, restored.0),
                    std::mem::replace(&mut last_line, restored.1),
                );
                saved.push((stream, left));
                stream = here;
            }
            let body = &text[line.clone()];
            if self.skip.iter().any(|r| r.is_match(body)) {
                continue;
            }
            if self.reset.iter().any(|r| r.is_match(body)) {
                last.iter_mut().for_each(|l| *l = None);
            }
            let mut found: Vec<Mark> = Vec::new();
            for (mi, marker) in self.markers.iter().enumerate() {
                for caps in marker.regex.captures_iter(body) {
                    let (Some(whole), Some(num)) = (caps.get(0), caps.name("num")) else {
                        continue;
                    };
                    let Some(value) = mark_value(num.as_str()) else {
                        continue;
                    };
                    // Report the mark itself (`mark` capture), else the match without the
                    // separator in front of it.
                    let span = match caps.name("mark") {
                        Some(mark) => mark.range(),
                        None => {
                            let matched = &body[whole.range()];
                            let lead = matched.len()
                                - matched
                                    .trim_start_matches(|c: char| {
                                        c.is_whitespace() || "。；;，,：:".contains(c)
                                    })
                                    .len();
                            whole.start() + lead..whole.end()
                        }
                    };
                    let shape = (
                        body[span.start..num.start().max(span.start)].to_owned(),
                        body[num.end().min(span.end)..span.end].to_owned(),
                    );
                    found.push((
                        mi,
                        line.start + span.start..line.start + span.end,
                        shape,
                        value,
                    ));
                }
            }
            found.sort_by_key(|f| f.1.start);
            for (mi, span, shape, value) in found {
                let level = self.markers[mi].level;
                if self.mode == Mode::Headings {
                    // A heading resets every deeper level.
                    for (other, marker) in self.markers.iter().enumerate() {
                        if marker.level > level {
                            last[other] = None;
                        }
                    }
                }
                let previous = last[mi];
                let previous_line = last_line[mi];
                last[mi] = Some(value);
                last_line[mi] = line_no;
                let Some(previous) = previous else { continue };
                // A run that starts again at 1 is a new list (`一是…，一是…` in older texts too).
                if value == 1 {
                    continue;
                }
                if value == previous + 2
                    && written_between(doc, previous_line, line_no, previous + 1, &shape)
                {
                    continue;
                }
                // Only the two slips that are certain: one number skipped, or one repeated. A
                // bigger jump or a step back is usually another list (a table of contents, an
                // annex, a list under a heading the text does not number).
                let problem = if value == previous + 2 {
                    "跳号"
                } else if value == previous {
                    "重复"
                } else {
                    continue;
                };
                out.push(
                    Hit::at(text, span)
                        .var("problem", problem)
                        .var("expected", (previous + 1).to_string())
                        .var("previous", previous.to_string()),
                );
            }
        }
    }
}

/// True when a line between two marks starts with the mark for `n` in the same shape (`四、`,
/// `（四）`, `4.`), with the number in Arabic or Chinese numerals and punctuation of either width:
/// such a mark was not recognised as one (`3．10种…` reads like a decimal) but is there.
fn written_between(
    doc: &Document,
    from: usize,
    to: usize,
    n: i64,
    shape: &(String, String),
) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '．' => '.',
                '（' => '(',
                '）' => ')',
                c => c,
            })
            .collect()
    };
    let (before, after) = (fold(&shape.0), fold(&shape.1));
    let forms: Vec<String> = [n.to_string(), chinese_numeral(n)]
        .iter()
        .filter(|f| !f.is_empty())
        .map(|f| format!("{before}{f}{after}"))
        .collect();
    let between = doc
        .blocks
        .lines
        .get(from.saturating_add(1)..to)
        .unwrap_or_default();
    between.iter().any(|l| {
        let body =
            fold(doc.text[l.clone()].trim_start_matches(|c: char| c.is_whitespace() || c == '#'));
        forms.iter().any(|f| body.starts_with(f.as_str()))
    })
}

/// 1–99 in Chinese numerals (十二, 二十, 二十一).
fn chinese_numeral(n: i64) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n as usize].to_owned(),
        10..=19 => format!("十{}", DIGITS[(n % 10) as usize]),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            DIGITS[(n % 10) as usize]
        ),
        _ => String::new(),
    }
}


impl Kind for Sequence {
    fn check_unit(&self, doc: &Document, _unit: Range<usize>, out: &mut Vec<Hit>) {
        self.check(doc, out);
    }

    fn vars(&self) -> Vec<String> {
        VARS.iter().map(|s| (*s).to_owned()).collect()
    }

    fn default_scope(&self) -> Scope {
        Scope::Document
    }

    fn per_document(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_values_in_every_style() {
        assert_eq!(mark_value("三"), Some(3));
        assert_eq!(mark_value("十二"), Some(12));
        assert_eq!(mark_value("4"), Some(4));
        assert_eq!(mark_value("④"), Some(4));
        assert_eq!(mark_value("c"), Some(3));
        assert_eq!(mark_value("C"), Some(3));
    }

    /// (matched text, line) of each finding of `rule`.
    fn found(rule: &str, doc: &crate::source::Document) -> Vec<(String, usize)> {
        let rules = crate::engine::load_rules(false, &[]).expect("built-in rules");
        let id = rules.find(rule).expect("rule");
        crate::engine::check_rule(doc, &rules, id)
            .iter()
            .map(|f| {
                let line = doc.position(f.span.start).line;
                (doc.text[f.span.clone()].to_owned(), line)
            })
            .collect()
    }

    #[test]
    fn each_zone_outside_the_body_numbers_on_its_own() {
        use crate::source::zones::test_document;
        use crate::source::ZoneKind::{Body, Footnote, TextBox};
        let at = |text: &str, line: usize| (text.to_owned(), line);
        // A footnote's `3.` after the body's `3.` is not a repeat; the next footnote's own
        // `1. 3.` skips 2.
        let doc = test_document(&[
            (Body, "1. 背景\n2. 目标\n3. 措施"),
            (Footnote, "3. 参见附件"),
            (Footnote, "1. 甲\n3. 乙"),
        ]);
        assert_eq!(found("sequence/heading-numbering", &doc), [at("3.", 8)]);
        // The same text without zones reads as one list.
        let flat = crate::source::Document::new("t.txt", doc.text.clone());
        assert_eq!(
            found("sequence/heading-numbering", &flat),
            [at("3.", 5), at("3.", 8)]
        );
        // The body's run continues after a zone between two body zones.
        let doc = test_document(&[(Body, "一、甲"), (TextBox, "五、框"), (Body, "三、乙")]);
        assert_eq!(found("sequence/heading-numbering", &doc), [at("三、", 5)]);
    }

    #[test]
    fn chinese_numerals_for_expected_marks() {
        assert_eq!(chinese_numeral(3), "三");
        assert_eq!(chinese_numeral(12), "十二");
        assert_eq!(chinese_numeral(20), "二十");
        assert_eq!(chinese_numeral(21), "二十一");
    }
}
