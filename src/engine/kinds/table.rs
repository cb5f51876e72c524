//! `table`: figures in tables that must add up. `check = "total"`: a 合计/总计 row (or column)
//! equals the sum of the rows (columns) it totals. `check = "identity"`: declared identities
//! between named rows or columns (`一 + 二 = 总计 + 四` of the 政府信息公开 annual-report
//! template). Tables come from HTML and .docx structure, Markdown pipe tables and layout text.
//!
//! Precision first: a column is skipped when any of its cells is not a figure, a total over
//! rows of mixed numbering levels (headings with their sub-items) is skipped, and rows named
//! 其中/含 (breakdowns of the row above) are never added. Decimals are widened by half their
//! last written digit; integers are exact counts unless the table names a unit of 万 or 亿 (or
//! the rule says `integers = "rounded"`).

use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::number::Dec;
use crate::rules::compile_regex;
use crate::rules::{parse_enum, parse_enum_or, Issues};
use crate::source::Scope;
use crate::source::tables::{is_dash, is_figure, Grid, Slot};
use crate::source::{Document, Table as SourceTable};
use super::Kind;

/// Placeholders a `table` rule provides.
pub const VARS: &[&str] = &[
    "match",
    "stated",
    "sum",
    "parts",
    "label",
    "axis",
    "difference",
];

/// Labels are compared without white space, so `合　计` is `合计`.
const DEFAULT_TOTAL: &str = r"^(?:合计|总计)[:：]?$";
const DEFAULT_EXCLUDE: &str = r"率|比重|占比|比例|%|％|平均|均价|单价|人均|生均|每千|每万|每百|均值|增幅|增长|增速|速度|同比|环比|上年(?:同期|预算|决算|数|实际|执行)|去年|同期|进度|指数|系数|密度";
/// Headers of columns that name or number rows rather than hold amounts.
const DEFAULT_LABEL_COLUMNS: &str =
    r"序号|编号|代码|编码|^[类款项]$|行次|栏次|年份|^年度$|日期|时间|排名|名次";

#[derive(Debug)]
enum Check {
    Total,
    Identity { left: Vec<Regex>, right: Vec<Regex> },
}

/// `[rule.table]`: figures in tables that must add up.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawTable {
    pub check: Spanned<String>,
    pub total: Option<Spanned<String>>,
    pub exclude: Option<Spanned<String>>,
    pub label_columns: Option<Spanned<String>>,
    pub breakdown: Option<Spanned<String>>,
    pub subtotal: Option<Spanned<String>>,
    pub scale: Option<Spanned<String>>,
    pub within: Option<Spanned<String>>,
    #[serde(default)]
    pub left: Vec<Spanned<String>>,
    #[serde(default)]
    pub right: Vec<Spanned<String>>,
    pub integers: Option<Spanned<String>>,
    pub layout: Option<Spanned<bool>>,
}

/// A compiled `[rule.table]`.
#[derive(Debug)]
pub struct TableKind {
    check: Check,
    total: Regex,
    exclude: Regex,
    label_columns: Regex,
    breakdown: Regex,
    subtotal: Regex,
    scale: Regex,
    within: Option<Regex>,
    /// `Some(true)`: whole numbers are rounded amounts; `Some(false)`: exact counts; `None`:
    /// rounded when the table names a unit of 万 or 亿.
    rounded_integers: Option<bool>,
    /// Also check tables found by lining up columns of plain text.
    layout: bool,
}

/// A figure read from a cell.
#[derive(Debug, Clone, Copy)]
struct Figure {
    value: Dec,
    /// Half a unit of the last written digit, as a decimal (zero for exact integers).
    slack: Dec,
}

/// What a cell holds, for adding.
enum CellValue {
    Figure(Figure),
    /// Empty or a dash: nothing to add.
    Blank,
    /// A percentage, words, or anything else: the column or row is not additive.
    Other,
}

impl TableKind {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawTable, issues: &mut Issues<'_>) -> Option<TableKind> {
        let regex_or =
            |value: &Option<toml::Spanned<String>>, default: &str, issues: &mut Issues<'_>| {
                match value {
                    Some(v) => compile_regex(v, issues),
                    None => Regex::new(default).ok(),
                }
            };
        let total = regex_or(&raw.total, DEFAULT_TOTAL, issues)?;
        let exclude = regex_or(&raw.exclude, DEFAULT_EXCLUDE, issues)?;
        let label_columns = regex_or(&raw.label_columns, DEFAULT_LABEL_COLUMNS, issues)?;
        let breakdown = regex_or(&raw.breakdown, DEFAULT_BREAKDOWN, issues)?;
        let subtotal = regex_or(&raw.subtotal, DEFAULT_SUBTOTAL, issues)?;
        let scale = regex_or(&raw.scale, DEFAULT_SCALE, issues)?;
        let within = match &raw.within {
            Some(w) => Some(compile_regex(w, issues)?),
            None => None,
        };
        let identity = parse_enum(
            &raw.check,
            "check",
            &[("total", false), ("identity", true)],
            issues,
        )?;
        let check = if !identity {
            Check::Total
        } else {
                if raw.left.is_empty() || raw.right.is_empty() {
                    issues.push(
                        raw.check.span(),
                        "an identity needs row or column names in both `left` and `right`",
                        Some("e.g. left = [\"^一、\", \"^二、\"], right = [\"总计\", \"^四、\"]"),
                    );
                    return None;
                }
                let mut compile_all = |names: &[toml::Spanned<String>]| {
                    names
                        .iter()
                        .map(|n| compile_regex(n, issues))
                        .collect::<Option<Vec<Regex>>>()
                };
                let left = compile_all(&raw.left)?;
                let right = compile_all(&raw.right)?;
            Check::Identity { left, right }
        };
        let rounded_integers = parse_enum_or(
            raw.integers.as_ref(),
            "value for `integers`",
            &[("auto", None), ("exact", Some(false)), ("rounded", Some(true))],
            None,
            issues,
        )?;
        Some(TableKind {
            check,
            total,
            exclude,
            label_columns,
            breakdown,
            subtotal,
            scale,
            within,
            rounded_integers,
            layout: raw.layout.as_ref().is_some_and(|l| *l.get_ref()),
        })
    }

    /// Checks every table of the document.
    pub fn check(&self, doc: &Document, out: &mut Vec<Hit>) {
        for table in doc.all_tables().iter().filter(|t| self.layout || !t.layout) {
            let view = View::new(&doc.text, table, self);
            if let Some(within) = &self.within {
                if !view.texts().any(|t| within.is_match(t)) {
                    continue;
                }
            }
            match &self.check {
                Check::Total => self.check_totals(&view, out),
                Check::Identity { left, right } => self.check_identity(&view, left, right, out),
            }
        }
    }

    fn figure(&self, view: &View<'_>, column: usize, text: &str) -> CellValue {
        let t = text.trim();
        if t.is_empty() || is_dash(t) {
            return CellValue::Blank;
        }
        if !is_figure(t) || t.ends_with(['%', '％']) {
            return CellValue::Other;
        }
        let plain: String = t
            .chars()
            .filter(|&c| c != ',')
            .map(|c| if c == '−' || c == '－' { '-' } else { c })
            .collect();
        // Thousands separators must group by three.
        if t.contains(',') && !grouped(t) {
            return CellValue::Other;
        }
        let Some(value) = Dec::parse(&plain) else {
            return CellValue::Other;
        };
        let decimals = value.scale();
        let slack = if decimals == 0 && !view.rounded_in(column) {
            Dec::from_int(0)
        } else {
            Dec::new(5, decimals + 1).unwrap_or(Dec::from_int(0))
        };
        CellValue::Figure(Figure { value, slack })
    }

    /// Compares `parts` with `totals` and reports at the first total cell when they differ.
    fn compare(
        &self,
        view: &View<'_>,
        parts: &[(Figure, &str)],
        totals: &[(Figure, Range<usize>)],
        label: &str,
        axis: &str,
        out: &mut Vec<Hit>,
    ) {
        let (Some(sum), Some(stated)) = (
            add_up(parts.iter().map(|(f, _)| *f)),
            add_up(totals.iter().map(|(f, _)| *f)),
        ) else {
            return;
        };
        let Some(slack) = sum.slack.checked_add(stated.slack) else {
            return;
        };
        let scale = sum.value.scale().max(stated.value.scale());
        let (sum, stated) = (sum.value, stated.value);
        let Some(difference) = sum.checked_sub(stated).and_then(Dec::checked_abs) else {
            return;
        };
        if difference <= slack {
            return;
        }
        let Some((_, at)) = totals.first() else {
            return;
        };
        let show = |d: Dec| {
            d.with_scale(scale)
                .map_or_else(|| d.to_string(), |d| d.to_string())
        };
        let parts_text: Vec<&str> = parts.iter().map(|(_, t)| *t).collect();
        out.push(
            Hit::at(view.text, at.clone())
                .var("stated", show(stated))
                .var("sum", show(sum))
                .var("parts", parts_text.join(" + "))
                .var("label", label)
                .var("axis", if axis == "row" { "行" } else { "列" })
                .var("difference", show(difference)),
        );
    }

    fn check_totals(&self, view: &View<'_>, out: &mut Vec<Hit>) {
        // Total rows. A total label whose first row opens the table or follows another total
        // leads its section (合计 above its items); otherwise totals trail their items.
        let data = &view.data_rows;
        let labels: Vec<String> = data.iter().map(|&r| view.row_label(r)).collect();
        let is_total = |i: usize| self.total.is_match(&labels[i]);
        let is_subtotal = |i: usize| is_total(i) || self.subtotal.is_match(&labels[i]);
        for (i, &r) in data.iter().enumerate() {
            let label = &labels[i];
            if !is_total(i) {
                continue;
            }
            let first = labels.iter().position(|l| l == label).unwrap_or(i);
            let leading = first == 0 || is_total(first - 1);
            let candidates: Vec<usize> = if leading {
                (i + 1..data.len())
                    .take_while(|&j| labels[j] != *label)
                    .collect()
            } else {
                let from = (0..i).rev().find(|&j| is_total(j)).map_or(0, |j| j + 1);
                (from..i).collect()
            };
            // Subtotals inside the range stand for the items above them.
            let mut parts: Vec<usize> = Vec::new();
            let mut group: Vec<usize> = Vec::new();
            let mut ambiguous = false;
            for j in candidates {
                if is_subtotal(j) {
                    if group.is_empty() {
                        ambiguous = true;
                    }
                    group.clear();
                    parts.push(data[j]);
                } else {
                    group.push(data[j]);
                }
            }
            if ambiguous {
                continue;
            }
            parts.extend(group);
            parts.sort_unstable();
            // Rows of words alone between the parts (按城乡分 … 按产业分) head sections that
            // may each add up to the total on their own: not judged.
            if let (Some(&a), Some(&b)) = (parts.first(), parts.last()) {
                if view.has_section_rows(a, b) {
                    continue;
                }
            }
            let parts = self.addend_rows(view, parts);
            if parts.len() < 2 {
                continue;
            }
            for &c in &view.figure_columns {
                let Some(total) = view.origin_span(r, c) else {
                    continue;
                };
                let CellValue::Figure(t) = self.figure(view, c, &view.text[total.clone()]) else {
                    continue;
                };
                let Some(cells) = self.collect(view, parts.iter().map(|&p| (p, c))) else {
                    continue;
                };
                // Two breakdowns of one total (城镇 + 乡村, then 男 + 女) each add up to it.
                if splits_into_totals(&cells, t) {
                    continue;
                }
                self.compare(view, &cells, &[(t, total)], label, "row", out);
            }
        }
        // Total columns (only when the table has a header naming them).
        if view.header_rows == 0 {
            return;
        }
        let columns = &view.figure_columns;
        for (i, &c) in columns.iter().enumerate() {
            if !self.total.is_match(&view.column_leaf(c)) {
                continue;
            }
            let is_total = |x: &usize| self.total.is_match(&view.column_leaf(*x));
            // The header cell above the total's own name (收入, 支出, 行政复议) bounds what it
            // totals; without one, the whole header does.
            let group = view.column_group(c);
            let same_group = |x: &usize| {
                group
                    .as_ref()
                    .is_none_or(|g| view.column_headers(*x).contains(g))
            };
            // A total first in its group (合计 | 基本支出 | 项目支出) totals the columns after
            // it; a total last in its group the columns before it, back to the previous total.
            // Under a flat header, a total between other columns is not judged.
            let leading = i == 0 || !same_group(&columns[i - 1]);
            let trailing = i + 1 == columns.len() || !same_group(&columns[i + 1]);
            if group.is_none() && !leading && !trailing {
                continue;
            }
            let parts: Vec<usize> = if leading {
                columns[i + 1..]
                    .iter()
                    .take_while(|x| same_group(x) && !is_total(x))
                    .copied()
                    .collect()
            } else {
                let before = &columns[..i];
                let from = before.iter().rposition(is_total).map_or(0, |p| p + 1);
                before[from..].iter().copied().filter(same_group).collect()
            };
            // Subtotal and breakdown columns (小计, 其中：购置费) are not parts.
            let parts: Vec<usize> = parts
                .into_iter()
                .filter(|&x| {
                    let leaf = view.column_leaf(x);
                    !self.subtotal.is_match(&leaf) && !self.breakdown.is_match(&leaf)
                })
                .collect();
            if parts.len() < 2 {
                continue;
            }
            for &r in &view.data_rows {
                if self.exclude.is_match(&view.row_label(r)) {
                    continue;
                }
                let Some(total) = view.origin_span(r, c) else {
                    continue;
                };
                let CellValue::Figure(t) = self.figure(view, c, &view.text[total.clone()]) else {
                    continue;
                };
                let Some(cells) = self.collect(view, parts.iter().map(|&p| (r, p))) else {
                    continue;
                };
                let row_label = view.row_label(r);
                let label = if row_label.is_empty() {
                    view.column_leaf(c)
                } else {
                    format!("{row_label}的{}", view.column_leaf(c))
                };
                self.compare(view, &cells, &[(t, total)], &label, "column", out);
            }
        }
    }

    /// The rows a total adds: breakdown rows (其中) and excluded rows dropped; when the labels
    /// carry numbering of several levels, only the top level (all rows must be numbered).
    fn addend_rows(&self, view: &View<'_>, rows: Vec<usize>) -> Vec<usize> {
        // A breakdown (其中, 含：, #) under a row says the rows around it nest in ways the
        // labels do not show: the total is not checked.
        if rows.iter().any(|&r| view.in_breakdown(r)) {
            return Vec::new();
        }
        let rows: Vec<usize> = rows
            .into_iter()
            .filter(|&r| !self.exclude.is_match(&view.row_label(r)))
            .collect();
        let levels: Vec<Option<u32>> = rows.iter().map(|&r| view.level(r)).collect();
        let distinct: std::collections::BTreeSet<Option<u32>> = levels.iter().copied().collect();
        if distinct.len() <= 1 {
            return rows;
        }
        if distinct.contains(&None) {
            return Vec::new();
        }
        let top = distinct.iter().flatten().min().copied();
        rows.into_iter()
            .zip(levels)
            .filter(|(_, l)| *l == top)
            .map(|(r, _)| r)
            .collect()
    }

    /// Figures of `cells`, blanks skipped; `None` when a cell holds something that does not add.
    fn collect<'t>(
        &self,
        view: &View<'t>,
        cells: impl Iterator<Item = (usize, usize)>,
    ) -> Option<Vec<(Figure, &'t str)>> {
        let mut out = Vec::new();
        for (r, c) in cells {
            let Some(span) = view.origin_span(r, c) else {
                // A slot covered by a spanning cell: the table is not a plain grid here.
                return None;
            };
            let text = view.text[span].trim();
            match self.figure(view, c, text) {
                CellValue::Figure(f) => out.push((f, text)),
                CellValue::Blank => {}
                CellValue::Other => return None,
            }
        }
        (!out.is_empty()).then_some(out)
    }

    fn check_identity(&self, view: &View<'_>, left: &[Regex], right: &[Regex], out: &mut Vec<Hit>) {
        let rows_named = |re: &Regex| -> Vec<usize> {
            view.data_rows
                .iter()
                .copied()
                .filter(|&r| re.is_match(&view.row_label(r)))
                .collect()
        };
        let by_rows: Vec<Vec<usize>> = left.iter().chain(right).map(rows_named).collect();
        if by_rows.iter().all(|m| m.len() == 1) {
            let (l, r): (Vec<usize>, Vec<usize>) = (
                by_rows[..left.len()].iter().map(|m| m[0]).collect(),
                by_rows[left.len()..].iter().map(|m| m[0]).collect(),
            );
            let label = view.row_label(r[0]);
            for &c in &view.figure_columns {
                self.identity_at(
                    view,
                    l.iter().map(|&x| (x, c)),
                    r.iter().map(|&x| (x, c)),
                    &label,
                    "row",
                    out,
                );
            }
            return;
        }
        if view.header_rows == 0 {
            return;
        }
        let columns = &view.figure_columns;
        let by_columns: Vec<Vec<usize>> = left
            .iter()
            .chain(right)
            .map(|re| {
                columns
                    .iter()
                    .copied()
                    .filter(|&c| re.is_match(&view.column_label(c)))
                    .collect()
            })
            .collect();
        let k = by_columns.first().map_or(0, Vec::len);
        if k == 0 || by_columns.iter().any(|m| m.len() != k) {
            return;
        }
        for g in 0..k {
            let l: Vec<usize> = by_columns[..left.len()].iter().map(|m| m[g]).collect();
            let r: Vec<usize> = by_columns[left.len()..].iter().map(|m| m[g]).collect();
            for &row in &view.data_rows {
                let label = view.column_label(r[0]);
                self.identity_at(
                    view,
                    l.iter().map(|&x| (row, x)),
                    r.iter().map(|&x| (row, x)),
                    &label,
                    "column",
                    out,
                );
            }
        }
    }

    fn identity_at(
        &self,
        view: &View<'_>,
        left: impl Iterator<Item = (usize, usize)>,
        right: impl Iterator<Item = (usize, usize)>,
        label: &str,
        axis: &str,
        out: &mut Vec<Hit>,
    ) {
        let Some(parts) = self.collect(view, left) else {
            return;
        };
        let mut totals = Vec::new();
        for (r, c) in right {
            let Some(span) = view.origin_span(r, c) else {
                return;
            };
            match self.figure(view, c, &view.text[span.clone()]) {
                CellValue::Figure(f) => {
                    let trimmed = trim_span(view.text, span);
                    totals.push((f, trimmed));
                }
                CellValue::Blank => {}
                CellValue::Other => return,
            }
        }
        if totals.is_empty() {
            return;
        }
        self.compare(view, &parts, &totals, label, axis, out);
    }
}

/// Units whose amounts are rounded to whole numbers of 万 or 亿.
const DEFAULT_SCALE: &str = "万元|亿元|千元|万人|万吨|亿|万美元|万平方米|万千瓦";
/// Labels of rows (or columns) that break down the one above: never parts.
const DEFAULT_BREAKDOWN: &str = r"^(?:其中|[#＃]|含[:：]|包括[:：])";
/// Labels of subtotals, which stand for the items above them.
const DEFAULT_SUBTOTAL: &str = "小计|合计|总计";

/// True when the line or two before a table, or a unit note inside it (单位：万元), names
/// amounts in 万 or 亿: whole numbers there are rounded.
fn names_scale(text: &str, table: &SourceTable, scale: &Regex) -> bool {
    let Some(first) = table.rows.iter().flatten().map(|c| c.span.start).min() else {
        return false;
    };
    let mut from = first.saturating_sub(200);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..first.min(text.len()).max(from)];
    let note = table
        .rows
        .iter()
        .flatten()
        .map(|c| text[c.span.clone()].trim())
        .filter(|t| t.starts_with("单位"));
    std::iter::once(before)
        .chain(note)
        .any(|t| scale.is_match(t))
}

/// The sum of figures with the sum of their slacks, at the largest scale written (`None` on
/// overflow).
fn add_up(mut figures: impl Iterator<Item = Figure>) -> Option<Figure> {
    figures.try_fold(
        Figure {
            value: Dec::from_int(0),
            slack: Dec::from_int(0),
        },
        |acc, f| {
            Some(Figure {
                value: acc.value.checked_add(f.value)?,
                slack: acc.slack.checked_add(f.slack)?,
            })
        },
    )
}

/// True when `parts` fall into two or more consecutive runs of at least two parts that each add
/// up to `total` (a breakdown has two categories or more).
fn splits_into_totals(parts: &[(Figure, &str)], total: Figure) -> bool {
    let zero = Dec::from_int(0);
    let (mut sum, mut slack, mut len, mut runs) = (zero, total.slack, 0, 0);
    for (f, _) in parts {
        let (Some(s), Some(sl)) = (sum.checked_add(f.value), slack.checked_add(f.slack)) else {
            return false;
        };
        sum = s;
        slack = sl;
        len += 1;
        let matches = sum
            .checked_sub(total.value)
            .and_then(Dec::checked_abs)
            .is_some_and(|d| d <= slack);
        if matches && len >= 2 {
            runs += 1;
            sum = zero;
            slack = total.slack;
            len = 0;
        }
    }
    runs >= 2 && len == 0
}

/// The level of a bare numbering mark in a 序号 cell: 一 1, （一） 2, 1 3, （1） 4.
fn bare_marker_level(t: &str) -> Option<u32> {
    let cn = |c: char| "一二三四五六七八九十".contains(c);
    let inner = t
        .strip_prefix(['（', '('])
        .and_then(|x| x.strip_suffix(['）', ')']));
    match inner {
        Some(x) if !x.is_empty() && x.chars().all(cn) => Some(2),
        Some(x) if !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()) => Some(4),
        Some(_) => None,
        None if !t.is_empty() && t.chars().all(cn) => Some(1),
        None if !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()) => Some(3),
        None => None,
    }
}

/// True when every comma of a figure separates groups of three digits.
fn grouped(t: &str) -> bool {
    let int = t.split('.').next().unwrap_or(t);
    let int = int.trim_start_matches(['-', '−', '－']);
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

fn trim_span(text: &str, span: Range<usize>) -> Range<usize> {
    let s = &text[span.clone()];
    let lead = s.len() - s.trim_start().len();
    span.start + lead..span.start + lead + s.trim().len()
}

/// The numbering level of a row label: 一、 1; （一） 2; 1. or 1、 3; （1） 4; budget codes by
/// their length (201 < 20101 < 2010101); `None` when unnumbered.
fn level(label: &str) -> Option<u32> {
    let mut chars = label.chars();
    let first = chars.next()?;
    let cn = |c: char| "一二三四五六七八九十".contains(c);
    if cn(first) {
        let rest: String = label.chars().skip_while(|&c| cn(c)).take(1).collect();
        return (rest == "、" || rest == "是").then_some(1);
    }
    if first == '（' || first == '(' {
        let second = chars.next()?;
        if cn(second) {
            return Some(2);
        }
        if second.is_ascii_digit() {
            return Some(4);
        }
        return None;
    }
    if first.is_ascii_digit() {
        let digits = label.chars().take_while(char::is_ascii_digit).count();
        let next = label.chars().nth(digits);
        return match next {
            Some('.' | '、' | '．') => Some(3),
            // Classification codes: longer codes are deeper.
            _ if digits >= 3 => Some(10 + digits as u32),
            _ => None,
        };
    }
    None
}

/// A table as the check sees it: a grid, its header and data rows, the columns that hold
/// figures, and labels.
struct View<'t> {
    text: &'t str,
    grid: Grid,
    /// Leading rows of header cells, or without figures (years alone do not make data).
    header_rows: usize,
    data_rows: Vec<usize>,
    /// Columns holding a figure in some data row, minus those whose header the rule excludes
    /// (years, codes, rates): those are label columns.
    figure_columns: Vec<usize>,
    /// Whole numbers are rounded amounts in every column (the rule says so, or a unit note of 万
    /// or 亿 sits just before the table), not exact counts.
    rounded: bool,
    /// The rule forces whole numbers to be exact.
    exact: bool,
    /// The rule's breakdown labels and units of 万/亿 (shared regexes).
    breakdown: Regex,
    scale: Regex,
}

/// True for a cell that holds a figure to add or compare (not a dash for nothing).
fn is_value(t: &str) -> bool {
    is_figure(t) && !is_dash(t)
}

/// True for a year standing alone (`2023`, `2023年`): a header over a column, not data.
fn is_year(t: &str) -> bool {
    let t = t.trim().trim_end_matches('年');
    t.len() == 4 && t.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y))
}

impl<'t> View<'t> {
    fn new(text: &'t str, table: &SourceTable, kind: &TableKind) -> View<'t> {
        let grid = Grid::new(table);
        let texts = |row: &Vec<Option<Slot>>| -> Vec<(bool, &'t str)> {
            row.iter()
                .flatten()
                .filter(|s| s.origin)
                .map(|s| (s.header, text[s.span.clone()].trim()))
                .filter(|(_, t)| !t.is_empty())
                .collect()
        };
        // Rows of bare years head columns (also when repeated after a page break), unit rows
        // (单位：万元) and column-number rows (栏次 1 2 3) are neither header nor data.
        let is_years = |row: &Vec<Option<Slot>>| {
            let values: Vec<&str> = texts(row)
                .iter()
                .map(|(_, t)| *t)
                .filter(|t| is_value(t))
                .collect();
            values.len() >= 2 && values.iter().all(|t| is_year(t))
        };
        let is_aside = |row: &Vec<Option<Slot>>| {
            let cells = texts(row);
            let words: Vec<&str> = cells
                .iter()
                .map(|(_, t)| *t)
                .filter(|t| !is_value(t))
                .collect();
            words.len() == 1
                && (words[0].starts_with("单位")
                    || matches!(squeeze(words[0]).as_str(), "栏次" | "行次"))
        };
        let is_header = |row: &Vec<Option<Slot>>| {
            let cells = texts(row);
            cells.iter().all(|(h, _)| *h)
                || !cells.iter().any(|(_, t)| is_value(t))
                || is_years(row)
                || is_aside(row)
        };
        let header_rows = grid.rows.iter().take_while(|r| is_header(r)).count();
        let data_rows: Vec<usize> = (header_rows..grid.rows.len())
            .filter(|&r| {
                let row = &grid.rows[r];
                texts(row).iter().any(|(_, t)| is_value(t)) && !is_years(row) && !is_aside(row)
            })
            .collect();
        let rounded = kind
            .rounded_integers
            .unwrap_or_else(|| names_scale(text, table, &kind.scale));
        let exact = kind.rounded_integers == Some(false);
        let mut view = View {
            text,
            grid,
            header_rows,
            data_rows,
            figure_columns: Vec::new(),
            rounded,
            exact,
            breakdown: kind.breakdown.clone(),
            scale: kind.scale.clone(),
        };
        view.figure_columns = (0..view.grid.columns)
            .filter(|&c| {
                view.data_rows.iter().any(|&r| {
                    view.grid.rows[r][c]
                        .as_ref()
                        .is_some_and(|s| s.origin && is_value(text[s.span.clone()].trim()))
                })
            })
            .filter(|&c| {
                let header = view.column_label(c);
                let leaf = view.column_leaf(c);
                view.header_rows == 0
                    || !(kind.exclude.is_match(&header) || kind.label_columns.is_match(&leaf))
            })
            .collect();
        view
    }

    fn texts(&self) -> impl Iterator<Item = &'t str> + '_ {
        self.grid
            .rows
            .iter()
            .flatten()
            .flatten()
            .map(|s| &self.text[s.span.clone()])
    }

    /// The label of a row, without white space: the nearest text left of its first figure
    /// column, preferring a cell written in this row over one spanning from a row above (so a row
    /// under a spanning group heading is named by its own label).
    fn row_label(&self, r: usize) -> String {
        let row = &self.grid.rows[r];
        let first = self
            .figure_columns
            .iter()
            .copied()
            .find(|&c| {
                row[c]
                    .as_ref()
                    .is_some_and(|s| is_value(self.text[s.span.clone()].trim()))
            })
            .unwrap_or(row.len());
        let labels = || {
            row[..first]
                .iter()
                .rev()
                .flatten()
                .map(|s| (s.origin, self.text[s.span.clone()].trim()))
                .filter(|(_, t)| !t.is_empty() && !is_figure(t))
        };
        labels()
            .find(|(origin, _)| *origin)
            .or_else(|| labels().next())
            .map(|(_, t)| squeeze(t))
            .unwrap_or_default()
    }

    /// Texts of a row's label columns, left to right: (written in this row, raw text).
    fn label_cells(&self, r: usize) -> Vec<(bool, &'t str)> {
        let row = &self.grid.rows[r];
        let mut out: Vec<(bool, &'t str)> = Vec::new();
        let mut last: Option<&Range<usize>> = None;
        for (c, slot) in row.iter().enumerate() {
            if self.figure_columns.contains(&c) {
                continue;
            }
            if let Some(slot) = slot {
                if last != Some(&slot.span) {
                    out.push((slot.origin, &self.text[slot.span.clone()]));
                    last = Some(&slot.span);
                }
            }
        }
        out
    }

    /// True when a row strictly between grid rows `a` and `b` holds words but no figure.
    fn has_section_rows(&self, a: usize, b: usize) -> bool {
        (a + 1..b).any(|r| {
            !self.data_rows.contains(&r)
                && self.grid.rows[r]
                    .iter()
                    .flatten()
                    .any(|s| s.origin && !self.text[s.span.clone()].trim().is_empty())
        })
    }

    /// True when the row is part of a breakdown (其中 in its label or in a cell spanning it).
    fn in_breakdown(&self, r: usize) -> bool {
        self.breakdown.is_match(&self.row_label(r))
            || self
                .label_cells(r)
                .iter()
                .any(|(_, t)| self.breakdown.is_match(&squeeze(t)))
    }

    /// The numbering level of a row: from classification codes in label columns (201 < 20101,
    /// also split over 类 | 款 | 项 columns), from a bare number in a 序号 column (一 < 1), from
    /// its label's numbering, or from the label's indentation.
    fn level(&self, r: usize) -> Option<u32> {
        let cells = self.label_cells(r);
        let code: String = cells
            .iter()
            .filter(|(origin, _)| *origin)
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        if code.len() >= 3 {
            return Some(10 + code.len() as u32);
        }
        let marker = cells
            .iter()
            .filter(|(origin, _)| *origin)
            .map(|(_, t)| t.trim())
            .find_map(bare_marker_level);
        if marker.is_some() {
            return marker;
        }
        if let Some(level) = level(&self.row_label(r)) {
            return Some(level);
        }
        // Indentation: leading spaces of the label (full-width or no-break spaces included).
        let raw = cells
            .iter()
            .rev()
            .map(|(_, t)| *t)
            .find(|t| !t.trim().is_empty())?;
        let indent = raw
            .chars()
            .take_while(|c| c.is_whitespace() || *c == '\u{3000}' || *c == '\u{a0}')
            .count();
        Some(100 + indent as u32)
    }

    /// True when whole numbers in column `c` are rounded amounts: for the whole table, or by
    /// the column's header (金额（万元）).
    fn rounded_in(&self, c: usize) -> bool {
        !self.exact && (self.rounded || self.scale.is_match(&self.column_label(c)))
    }

    /// The distinct header cells above a column, top to bottom.
    fn column_headers(&self, c: usize) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for row in &self.grid.rows[..self.header_rows] {
            if let Some(Some(slot)) = row.get(c) {
                // Blank cells and unit notes (单位：万元) name no column.
                let t = self.text[slot.span.clone()].trim();
                if t.is_empty() || t.starts_with("单位") {
                    continue;
                }
                if out.last() != Some(&slot.span) {
                    out.push(slot.span.clone());
                }
            }
        }
        out
    }

    /// The header texts above a column, joined, without white space.
    fn column_label(&self, c: usize) -> String {
        self.column_headers(c)
            .into_iter()
            .map(|span| squeeze(&self.text[span]))
            .collect()
    }

    /// The lowest header text above a column (the column's own name under any group heading).
    fn column_leaf(&self, c: usize) -> String {
        self.column_headers(c)
            .pop()
            .map(|span| squeeze(&self.text[span]))
            .unwrap_or_default()
    }

    /// The header cell grouping a column (the one above its own name), if any.
    fn column_group(&self, c: usize) -> Option<Range<usize>> {
        let mut headers = self.column_headers(c);
        headers.pop();
        headers.pop()
    }

    /// The span of the cell written at row `r`, column `c` (`None` when the slot is covered by
    /// a cell spanning from elsewhere, or empty).
    fn origin_span(&self, r: usize, c: usize) -> Option<Range<usize>> {
        let slot = self.grid.rows.get(r)?.get(c)?.as_ref()?;
        slot.origin.then(|| slot.span.clone())
    }
}

/// A label without white space or Markdown emphasis (`**合计**`).
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '*')
        .collect()
}


impl Kind for TableKind {
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
    fn levels_of_row_labels() {
        assert_eq!(level("一、本年新收"), Some(1));
        assert_eq!(level("（三）不予公开"), Some(2));
        assert_eq!(level("1.属于国家秘密"), Some(3));
        assert_eq!(level("（1）其他"), Some(4));
        assert_eq!(level("20101人大事务"), Some(15));
        assert_eq!(level("201一般公共服务"), Some(13));
        assert_eq!(level("自然人"), None);
        assert_eq!(level("十分"), None);
    }

    #[test]
    fn thousands_grouping() {
        assert!(grouped("2,995.39"));
        assert!(grouped("1,234,567"));
        assert!(!grouped("12,34"));
        assert!(!grouped("1234,567"));
    }
}
