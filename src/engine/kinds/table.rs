//! `table`: figures in tables that must add up. `check = "total"`: a 合计/总计 row (or column)
//! equals the sum of the rows (columns) it totals. `check = "identity"`: declared identities
//! between named rows or columns (`一 + 二 = 总计 + 四` of the 政府信息公开 annual-report
//! template). Tables come from HTML and .docx structure, Markdown pipe tables and layout text.
//!
//! Precision first: a column is skipped when any of its cells is not a figure, a total over
//! rows of mixed numbering levels (headings with their sub-items) is skipped, and rows named
//! 其中/含 (breakdowns of the row above) are never added. Decimals are widened by half their
//! last written digit; integers are exact counts unless the rule says `integers = "rounded"`.

use std::ops::Range;

use regex::Regex;

use super::compile_regex;
use crate::engine::finding::Hit;
use crate::number::Dec;
use crate::rules::raw::RawTable;
use crate::rules::Issues;
use crate::source::tables::{is_figure, Grid, Slot};
use crate::source::{Document, Table as SourceTable};

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

const DEFAULT_TOTAL: &str = r"^(?:合计|总计|总\s*计|合\s*计)[:：]?$";
const DEFAULT_EXCLUDE: &str =
    r"率|比重|占比|比例|%|％|平均|均价|单价|人均|均值|增幅|增长|同比|环比|进度|指数|系数|价格|密度";
/// Headers of columns that name or number rows rather than hold amounts.
const DEFAULT_LABEL_COLUMNS: &str = r"序号|编号|代码|编码|年份|^年度$|日期|时间|排名|名次";

#[derive(Debug)]
enum Check {
    Total,
    Identity { left: Vec<Regex>, right: Vec<Regex> },
}

/// A compiled `[rule.table]`.
#[derive(Debug)]
pub struct TableKind {
    check: Check,
    total: Regex,
    exclude: Regex,
    label_columns: Regex,
    within: Option<Regex>,
    rounded_integers: bool,
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
        let within = match &raw.within {
            Some(w) => Some(compile_regex(w, issues)?),
            None => None,
        };
        let check = match raw.check.get_ref().as_str() {
            "total" => Check::Total,
            "identity" => {
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
            }
            other => {
                issues.push(
                    raw.check.span(),
                    format!("unknown check `{other}`, expected `total` or `identity`"),
                    None,
                );
                return None;
            }
        };
        let rounded_integers = match raw.integers.as_ref().map(|v| v.get_ref().as_str()) {
            None | Some("exact") => false,
            Some("rounded") => true,
            Some(other) => {
                let span = raw.integers.as_ref().map_or(0..0, toml::Spanned::span);
                issues.push(
                    span,
                    format!(
                        "unknown value `{other}` for `integers`, expected `exact` or `rounded`"
                    ),
                    None,
                );
                return None;
            }
        };
        Some(TableKind {
            check,
            total,
            exclude,
            label_columns,
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

    fn figure(&self, text: &str) -> CellValue {
        let t = text.trim();
        if t.is_empty() || matches!(t, "-" | "—" | "——" | "－" | "/") {
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
        let slack = if decimals == 0 && !self.rounded_integers {
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
        let mut sum = Dec::from_int(0);
        let mut slack = Dec::from_int(0);
        let mut scale = 0;
        for (f, _) in parts {
            let (Some(s), Some(sl)) = (sum.checked_add(f.value), slack.checked_add(f.slack)) else {
                return;
            };
            sum = s;
            slack = sl;
            scale = scale.max(f.value.scale());
        }
        let mut stated = Dec::from_int(0);
        for (f, _) in totals {
            let (Some(s), Some(sl)) = (stated.checked_add(f.value), slack.checked_add(f.slack))
            else {
                return;
            };
            stated = s;
            slack = sl;
            scale = scale.max(f.value.scale());
        }
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
        // Total rows.
        let data = &view.data_rows;
        for (i, &r) in data.iter().enumerate() {
            let label = view.row_label(r);
            if !self.total.is_match(&label) {
                continue;
            }
            let is_total = |&&x: &&usize| self.total.is_match(&view.row_label(x));
            let parts: Vec<usize> = if i == 0 {
                data[1..]
                    .iter()
                    .take_while(|x| !is_total(x))
                    .copied()
                    .collect()
            } else {
                let before = &data[..i];
                let from = before
                    .iter()
                    .rposition(|x| is_total(&x))
                    .map_or(0, |p| p + 1);
                before[from..].to_vec()
            };
            let parts = self.addend_rows(view, parts);
            if parts.len() < 2 {
                continue;
            }
            for &c in &view.figure_columns {
                let Some(total) = view.origin_span(r, c) else {
                    continue;
                };
                let CellValue::Figure(t) = self.figure(&view.text[total.clone()]) else {
                    continue;
                };
                let Some(cells) = self.collect(view, parts.iter().map(|&p| (p, c))) else {
                    continue;
                };
                self.compare(view, &cells, &[(t, total)], &label, "row", out);
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
            // it; otherwise the columns before it, back to the previous total.
            let leading = i == 0 || !same_group(&columns[i - 1]);
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
            let parts: Vec<usize> = parts
                .into_iter()
                .filter(|&x| !view.column_leaf(x).contains("小计"))
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
                let CellValue::Figure(t) = self.figure(&view.text[total.clone()]) else {
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
        let rows: Vec<usize> = rows
            .into_iter()
            .filter(|&r| {
                let label = view.row_label(r);
                // Subtotals are left out: their items are added one by one.
                !(label.starts_with("其中")
                    || label.starts_with('含')
                    || label.starts_with("包括")
                    || label.contains("小计")
                    || self.exclude.is_match(&label)
                    || self.total.is_match(&label))
            })
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
            match self.figure(text) {
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
            match self.figure(&view.text[span.clone()]) {
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
}

/// True for a cell that holds a figure to add or compare (not a dash for nothing).
fn is_value(t: &str) -> bool {
    is_figure(t) && !matches!(t, "-" | "—" | "——" | "－" | "/")
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
        let is_header = |row: &Vec<Option<Slot>>| {
            let cells = texts(row);
            let values: Vec<&str> = cells
                .iter()
                .map(|(_, t)| *t)
                .filter(|t| is_value(t))
                .collect();
            cells.iter().all(|(h, _)| *h) || values.iter().all(|t| is_year(t))
        };
        let header_rows = grid.rows.iter().take_while(|r| is_header(r)).count();
        let data_rows: Vec<usize> = (header_rows..grid.rows.len())
            .filter(|&r| texts(&grid.rows[r]).iter().any(|(_, t)| is_value(t)))
            .collect();
        let mut view = View {
            text,
            grid,
            header_rows,
            data_rows,
            figure_columns: Vec::new(),
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

    /// The numbering level of a row: from a classification code in a label column (201 <
    /// 20101), else from its label's numbering.
    fn level(&self, r: usize) -> Option<u32> {
        let row = &self.grid.rows[r];
        let code = (0..self.grid.columns)
            .filter(|c| !self.figure_columns.contains(c))
            .filter_map(|c| row[c].as_ref().filter(|s| s.origin))
            .map(|s| squeeze(&self.text[s.span.clone()]))
            .find(|t| t.len() >= 3 && t.bytes().all(|b| b.is_ascii_digit()));
        match code {
            Some(code) => Some(10 + code.len() as u32),
            None => level(&self.row_label(r)),
        }
    }

    /// The distinct header cells above a column, top to bottom.
    fn column_headers(&self, c: usize) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for row in &self.grid.rows[..self.header_rows] {
            if let Some(Some(slot)) = row.get(c) {
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

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
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
