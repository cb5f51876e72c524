//! `count`: a stated count (`五大工程`, `等4个重点领域`, `three priorities`) against the items of the list
//! it introduces. Abstains when no list is found, and when fewer items than stated are listed
//! before `等` (the list may be abridged).

use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::number::{parse_number, Dec};
use crate::rules::compile_regex;
use crate::rules::{parse_enum_or, Issues};
use crate::source::{Document, Scope};
use super::Kind;
use super::operands::Operands;

/// Placeholders a `count` rule provides besides its captures.
pub const VARS: &[&str] = &["match", "listed", "stated"];

/// Default item separators when no `item` regex is given.
const SEPARATORS: &str = r"[、，,；;]|以及";

/// Enumeration markers at the start of a clause: 一是/一要, （一）, 1.
const MARKERS: &str = r"(?:^|[。；;，,：:\s])(?:[一二三四五六七八九十]+(?:是|要)|[（(][一二三四五六七八九十]+[）)]|[1-9][0-9]?[.、．])";

/// How the items of a list are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counting {
    /// Enumeration markers (≥ 2), else juxtaposed quoted items (≥ 2), else separators when the
    /// list is closed by `等` (an `etc` capture), else abstain.
    Auto,
    /// Always by separators (English lists: `A, B and C`).
    Separators,
}

/// `[rule.count]`: a stated count against the items listed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawCount {
    pub regex: Spanned<String>,
    #[serde(default)]
    pub also: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub report: Option<Spanned<String>>,
    pub item: Option<Spanned<String>>,
    pub counting: Option<Spanned<String>>,
}

/// A compiled `[rule.count]`.
#[derive(Debug)]
pub struct Count {
    operands: Operands,
    item: Option<Regex>,
    counting: Counting,
    separators: Regex,
    markers: Regex,
    quoted: Regex,
    /// Joins subjects before `分别`.
    subjects: Regex,
    /// One figure (digits with decimals or groups).
    figures: Regex,
}

/// English number words, so the English pack can state counts in words.
fn english_number(word: &str) -> Option<i64> {
    let n = match word.to_ascii_lowercase().as_str() {
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        _ => return None,
    };
    Some(n)
}

impl Count {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawCount, issues: &mut Issues<'_>) -> Option<Count> {
        let operands = Operands::compile(
            &raw.regex,
            &raw.also,
            &raw.unless,
            raw.report.as_ref(),
            &["items"],
            "count",
            issues,
        );
        let item = match &raw.item {
            Some(i) => Some(compile_regex(i, issues)?),
            None => None,
        };
        let counting = parse_enum_or(
            raw.counting.as_ref(),
            "counting",
            &[("auto", Counting::Auto), ("separators", Counting::Separators)],
            Counting::Auto,
            issues,
        )?;
        let separators = Regex::new(SEPARATORS).ok()?;
        let markers = Regex::new(MARKERS).ok()?;
        let quoted = Regex::new(r"“[^“”]{1,20}”").ok()?;
        // Only 、 and 以及 separate subjects: 和/与/及 also join words inside one subject
        // (`租赁和商务服务业`).
        let subjects = Regex::new(r"[、，,]|以及").ok()?;
        let figures = Regex::new(r"[0-9０-９]+(?:[.．,，][0-9０-９]+)*").ok()?;
        Some(Count {
            figures,
            subjects,
            operands: operands?,
            item,
            counting,
            separators,
            markers,
            quoted,
        })
    }

    fn listed(&self, items: &str, abridged: bool) -> usize {
        if self.item.is_some() || self.counting == Counting::Separators {
            return self.separated(items);
        }
        let marked = self.marked(items);
        if marked > 0 {
            return marked;
        }
        let quoted = self.quoted.find_iter(items).count();
        // Only a list made of quoted items, nothing else: `“法与国家”“法与龙川”“法与我们”`.
        if quoted >= 2
            && self
                .quoted
                .replace_all(items, "")
                .trim_matches(|c: char| c == '、' || c.is_whitespace())
                .is_empty()
        {
            return quoted;
        }
        if abridged {
            return self.separated(items);
        }
        0
    }

    /// Items of a list closed by `等`: the pieces between separators.
    fn separated(&self, items: &str) -> usize {
        match &self.item {
            Some(re) => re.find_iter(items).count(),
            None => {
                let pieces: Vec<&str> = self
                    .separators
                    .split(items)
                    .map(str::trim)
                    .filter(|piece| !piece.is_empty())
                    .collect();
                // English: `A, B and C` ends with two items joined by `and`; `A, B, and C` (serial
                // comma) does not. `and` inside an earlier item (`sub-districts and towns`) is
                // part of that item.
                let joined = pieces.last().is_some_and(|last| {
                    !last.starts_with("and ")
                        && !last.starts_with("or ")
                        && (last.contains(" and ") || last.contains(" or "))
                });
                pieces.len() + usize::from(joined)
            }
        }
    }

    /// Items of a list introduced by a colon: the first run of enumeration markers numbered
    /// 1, 2, 3 … (a later run that restarts at 一 belongs to another list). Without at least two
    /// markers the list cannot be delimited, and 0 is returned (abstain).
    fn marked(&self, items: &str) -> usize {
        let re = self.item.as_ref().unwrap_or(&self.markers);
        let mut run = 0;
        let mut last_end = 0;
        for m in re.find_iter(items) {
            let digits: String = m
                .as_str()
                .chars()
                .filter(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
                .collect();
            let Some((value, _)) = parse_number(&digits) else {
                break;
            };
            if value != Dec::from_int(run + 1) {
                break;
            }
            run += 1;
            last_end = m.end();
        }
        // The last item must close the list: if more sentences follow it, the list may go on in
        // another form (`一类是…另一类是…`), so the count is unknown.
        let tail = items[last_end..]
            .trim_end()
            .trim_end_matches(['。', '；', ';', '.']);
        if run >= 2 && !tail.contains(['。', '！', '？']) {
            run as usize
        } else {
            0
        }
    }

    /// Checks one unit.
    pub fn check(&self, text: &str, unit: Range<usize>, out: &mut Vec<Hit>) {
        for caps in self.operands.matches(text, unit.clone()) {
            let Some(items) = caps.name("items") else {
                continue;
            };
            if let Some(subjects) = caps.name("subjects") {
                // `A和B分别增长X%、Y%`: as many values as subjects.
                let stated = self
                    .subjects
                    .split(subjects.as_str())
                    .filter(|s| !s.trim().is_empty())
                    .count();
                let listed = self.figures.find_iter(items.as_str()).count();
                // One value after 分别 applies to each subject (`化学需氧量、氨氮排放量分别下降2%`).
                // Counting subjects at 、 only gives a lower bound (和 may join two more), so only
                // fewer values than that bound is certain.
                if stated < 2 || listed < 2 || listed >= stated {
                    continue;
                }
                let Some(hit) = self.operands.hit(text, unit.start, &caps) else {
                    continue;
                };
                out.push(
                    hit.var("listed", listed.to_string())
                        .var("stated", stated.to_string()),
                );
                continue;
            }
            let Some(count) = caps.name("count") else {
                continue;
            };
            let stated = match parse_number(count.as_str()) {
                Some((value, _)) => value,
                None => match english_number(count.as_str()) {
                    Some(n) => Dec::from_int(n),
                    None => continue,
                },
            };
            let Some(stated) = stated.to_i128() else {
                continue;
            };
            let abridged = caps.name("etc").is_some_and(|m| !m.as_str().is_empty());
            let listed = self.listed(items.as_str(), abridged);
            // A count of one (`一大批`, `一项任务`) introduces no list.
            if listed == 0 || stated < 2 || listed as i128 == stated {
                continue;
            }
            if abridged && (listed as i128) < stated {
                continue;
            }
            let Some(hit) = self.operands.hit(text, unit.start, &caps) else {
                continue;
            };
            out.push(hit.var("listed", listed.to_string()));
        }
    }
}

impl Kind for Count {
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
