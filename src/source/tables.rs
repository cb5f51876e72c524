//! Tables as grids, and tables found in plain text: Markdown pipe tables and layout tables (the
//! columns `pdftotext -layout` and text exports line up with runs of spaces).

use std::ops::Range;

use super::extract::{Cell, Table};

/// Most columns or rows a grid is laid out with; larger spans are clamped.
const MAX_GRID: usize = 1000;

/// One slot of a grid: the cell covering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The covering cell's text range.
    pub span: Range<usize>,
    pub header: bool,
    /// True in the cell's own top-left slot (false where a row or column span repeats it).
    pub origin: bool,
    /// Row of the table the cell was written in.
    pub row: usize,
}

/// A table laid out on rows × columns, with row and column spans resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grid {
    pub rows: Vec<Vec<Option<Slot>>>,
    pub columns: usize,
}

impl Grid {
    /// Lays out `table`: each cell takes the next free slot of its row, spans fill the slots
    /// they cover (HTML table semantics).
    pub fn new(table: &Table) -> Grid {
        let mut rows: Vec<Vec<Option<Slot>>> = Vec::with_capacity(table.rows.len());
        for (r, cells) in table.rows.iter().enumerate() {
            if rows.len() <= r {
                rows.resize_with(r + 1, Vec::new);
            }
            let mut col = 0;
            for cell in cells {
                while rows[r].get(col).is_some_and(Option::is_some) {
                    col += 1;
                }
                let colspan = cell.colspan.clamp(1, MAX_GRID);
                let rowspan = cell.rowspan.clamp(1, MAX_GRID);
                if col + colspan > MAX_GRID {
                    break;
                }
                for dr in 0..rowspan.min(table.rows.len() - r) {
                    let row = r + dr;
                    if rows.len() <= row {
                        rows.resize_with(row + 1, Vec::new);
                    }
                    let slots = &mut rows[row];
                    if slots.len() < col + colspan {
                        slots.resize(col + colspan, None);
                    }
                    for dc in 0..colspan {
                        if slots[col + dc].is_none() {
                            slots[col + dc] = Some(Slot {
                                span: cell.span.clone(),
                                header: cell.header,
                                origin: dr == 0 && dc == 0,
                                row: r,
                            });
                        }
                    }
                }
                col += colspan;
            }
        }
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        for row in &mut rows {
            row.resize(columns, None);
        }
        Grid { rows, columns }
    }
}

/// Splits a line into fields separated by a tab or by runs of two or more spaces (ASCII or
/// ideographic); each field is a trimmed byte range of `text`.
fn fields(text: &str, line: Range<usize>) -> Vec<Range<usize>> {
    let s = &text[line.clone()];
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut gap_start = 0;
    let mut gap = 0usize;
    for (i, c) in s.char_indices() {
        let space = c == ' ' || c == '\u{3000}' || c == '\u{a0}';
        if c == '\t' || space {
            if gap == 0 {
                gap_start = i;
            }
            gap += if c == '\t' || c == '\u{3000}' { 2 } else { 1 };
            continue;
        }
        if gap >= 2 {
            if let Some(st) = start.take() {
                out.push(line.start + st..line.start + gap_start);
            }
        }
        gap = 0;
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        let end = if gap > 0 { gap_start } else { s.len() };
        out.push(line.start + st..line.start + end);
    }
    out
}

/// True for a dash that stands for nothing in a table cell (`—`, `-`, `/`).
pub fn is_dash(field: &str) -> bool {
    matches!(field.trim(), "-" | "—" | "——" | "－" | "/")
}

/// True for a field that is a figure a table column can hold (`1,234.5`, `-3`, `12%`, `—`).
pub fn is_figure(field: &str) -> bool {
    let f = field.trim();
    if is_dash(f) {
        return true;
    }
    let f = f.strip_suffix(['%', '％']).unwrap_or(f);
    let f = f.strip_prefix(['-', '−', '－']).unwrap_or(f);
    !f.is_empty()
        && f.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && f.bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
}

/// A line of a Markdown pipe table: its cells, or `None`.
fn pipe_row(text: &str, line: Range<usize>) -> Option<Vec<Range<usize>>> {
    let s = &text[line.clone()];
    let trimmed = s.trim();
    if !trimmed.starts_with('|') || trimmed.len() < 3 || !trimmed[1..].contains('|') {
        return None;
    }
    let base = line.start + (s.len() - s.trim_start().len());
    let inner_end = if trimmed.ends_with('|') {
        trimmed.len() - 1
    } else {
        trimmed.len()
    };
    let mut cells = Vec::new();
    let mut at = 1;
    for part in trimmed[1..inner_end].split('|') {
        // Emphasis (`**合计**`) is not part of the cell's text.
        let inner = part.trim().trim_matches(['*', '_']);
        let lead = part.find(inner).unwrap_or(0);
        let start = base + at + lead;
        cells.push(start..start + inner.len());
        at += part.len() + 1;
    }
    Some(cells)
}

/// True for the `|---|:--:|` line under a pipe table's header.
fn is_delimiter_row(text: &str, cells: &[Range<usize>]) -> bool {
    cells.iter().all(|c| {
        let t = &text[c.clone()];
        !t.is_empty() && t.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
    })
}

/// A layout row: a label (or nothing) followed by at least two figures.
fn layout_row(text: &str, line: Range<usize>) -> Option<Vec<Range<usize>>> {
    let fields = fields(text, line);
    let figures = fields
        .iter()
        .rev()
        .take_while(|f| is_figure(&text[(*f).clone()]))
        .count();
    if figures < 2 {
        return None;
    }
    // Label text split by wide gaps (a label wrapped beside a spanning group name) is one cell.
    let labels = fields.len() - figures;
    if labels > 1 {
        let mut merged = Vec::with_capacity(figures + 1);
        merged.push(fields[0].start..fields[labels - 1].end);
        merged.extend(fields[labels..].iter().cloned());
        return Some(merged);
    }
    Some(fields)
}

fn cell(span: Range<usize>, header: bool) -> Cell {
    Cell {
        span,
        header,
        colspan: 1,
        rowspan: 1,
    }
}

/// For each line, whether it holds a tab, an ideographic space or two spaces in a row: one pass
/// over the whole text instead of a search per line.
fn lines_with_gaps(text: &str, lines: &[Range<usize>]) -> Vec<bool> {
    let mut wide = vec![false; lines.len()];
    let mut mark = |at: usize| {
        let i = lines.partition_point(|l| l.end < at);
        if let Some(w) = wide.get_mut(i) {
            *w = true;
        }
    };
    let bytes = text.as_bytes();
    for at in memchr::memmem::find_iter(bytes, b"  ") {
        mark(at);
    }
    for at in memchr::memchr_iter(b'\t', bytes) {
        mark(at);
    }
    for at in memchr::memmem::find_iter(bytes, "\u{3000}".as_bytes()) {
        mark(at);
    }
    wide
}

/// Tables in plain text. Pipe tables keep their header row. A layout table is a run of rows of
/// one label and at least two figures each, with the same number of figures; blank lines and
/// short fragments (a label wrapped over lines) may sit between its rows. Layout rows get a
/// label cell (empty when the row has none) so that figure columns line up.
pub fn text_tables(text: &str, lines: &[Range<usize>]) -> Vec<Table> {
    let mut tables = Vec::new();
    let mut pipe: Option<Table> = None;
    let mut layout: Option<(Table, usize, usize)> = None; // (table, figures per row, lines since)
    let flush_layout = |layout: &mut Option<(Table, usize, usize)>, tables: &mut Vec<Table>| {
        if let Some((t, _, _)) = layout.take() {
            if t.rows.len() >= 2 {
                tables.push(t);
            }
        }
    };
    let wide = lines_with_gaps(text, lines);
    for (i, line) in lines.iter().enumerate() {
        // Most lines are prose: without a wide gap or a leading `|` they are no row.
        let candidate = wide[i] || text[line.clone()].trim_start().starts_with('|');
        if !candidate {
            if let Some(t) = pipe.take() {
                tables.push(t);
            }
            if layout.is_none() {
                continue;
            }
        } else if let Some(cells) = pipe_row(text, line.clone()) {
            flush_layout(&mut layout, &mut tables);
            if is_delimiter_row(text, &cells) {
                if let Some(t) = pipe.as_mut() {
                    for c in t.rows.iter_mut().flatten() {
                        c.header = true;
                    }
                }
                continue;
            }
            pipe.get_or_insert_with(Table::default)
                .rows
                .push(cells.into_iter().map(|c| cell(c, false)).collect());
            continue;
        }
        if let Some(t) = pipe.take() {
            tables.push(t);
        }
        if let Some(fields) = candidate.then(|| layout_row(text, line.clone())).flatten() {
            let figures = fields
                .iter()
                .filter(|f| is_figure(&text[(*f).clone()]))
                .count();
            let mut row: Vec<Cell> = Vec::with_capacity(fields.len() + 1);
            if fields.len() == figures {
                row.push(cell(line.start..line.start, false));
            }
            row.extend(fields.into_iter().map(|f| cell(f, false)));
            match layout.as_mut() {
                Some((t, n, since)) if *n == figures => {
                    t.rows.push(row);
                    *since = 0;
                }
                _ => {
                    flush_layout(&mut layout, &mut tables);
                    layout = Some((
                        Table {
                            rows: vec![row],
                            layout: true,
                        },
                        figures,
                        0,
                    ));
                }
            }
            continue;
        }
        if let Some((_, _, since)) = layout.as_mut() {
            let s = text[line.clone()].trim();
            // Blank lines, page numbers and wrapped label fragments do not end a table.
            if s.chars().count() <= 24 && *since < 6 && !s.ends_with(['。', '；']) {
                *since += 1;
                continue;
            }
            flush_layout(&mut layout, &mut tables);
        }
    }
    if let Some(t) = pipe.take() {
        tables.push(t);
    }
    flush_layout(&mut layout, &mut tables);
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for l in text.split_inclusive('\n') {
            out.push(start..start + l.trim_end_matches('\n').len());
            start += l.len();
        }
        out
    }

    fn texts(text: &str, t: &Table) -> Vec<Vec<String>> {
        t.rows
            .iter()
            .map(|r| r.iter().map(|c| text[c.span.clone()].to_owned()).collect())
            .collect()
    }

    #[test]
    fn layout_rows_split_on_runs_of_spaces() {
        let text = "一、本年新收申请      301   5  306\n\n二、上年结转   3   0   3\n（七）总计  290   5  295\n正文继续，这里是一个很长的句子不是表格。\n";
        let tables = text_tables(text, &lines(text));
        assert_eq!(tables.len(), 1);
        assert_eq!(
            texts(text, &tables[0])[0],
            vec!["一、本年新收申请", "301", "5", "306"]
        );
        assert_eq!(tables[0].rows.len(), 3);
    }

    #[test]
    fn rows_with_another_figure_count_start_a_new_table() {
        let text = "甲  1  2\n乙  3  4\n丙  1  2  3\n丁  4  5  6\n";
        let tables = text_tables(text, &lines(text));
        assert_eq!(tables.len(), 2);
    }

    #[test]
    fn prose_with_numbers_is_not_a_table() {
        let text = "全年受理 3001 件，办结 2932 件。\n其中 12 件  仍在办理。\n";
        assert!(text_tables(text, &lines(text)).is_empty());
    }

    #[test]
    fn a_pipe_table_ends_at_the_first_other_line() {
        let text = "| a | 1 |\n| b | 2 |\n正文一行\n| c | 3 |\n| d | 4 |\n";
        let tables = text_tables(text, &lines(text));
        assert_eq!(tables.len(), 2);
        assert_eq!(tables[0].rows.len(), 2);
    }

    #[test]
    fn pipe_tables_mark_their_header() {
        let text = "| 项目 | 数量 |\n|---|---:|\n| 甲 | 1 |\n| 合计 | 1 |\n";
        let tables = text_tables(text, &lines(text));
        assert_eq!(tables.len(), 1);
        assert_eq!(
            texts(text, &tables[0]),
            vec![vec!["项目", "数量"], vec!["甲", "1"], vec!["合计", "1"]]
        );
        assert!(tables[0].rows[0][0].header);
        assert!(!tables[0].rows[1][0].header);
    }

    #[test]
    fn grid_resolves_row_and_column_spans() {
        let c = |s: usize, colspan, rowspan| Cell {
            span: s..s + 1,
            header: false,
            colspan,
            rowspan,
        };
        let table = Table {
            rows: vec![vec![c(0, 1, 2), c(1, 2, 1)], vec![c(2, 1, 1), c(3, 1, 1)]],
            layout: false,
        };
        let grid = Grid::new(&table);
        assert_eq!(grid.columns, 3);
        let spans: Vec<Vec<usize>> = grid
            .rows
            .iter()
            .map(|r| r.iter().map(|s| s.as_ref().unwrap().span.start).collect())
            .collect();
        assert_eq!(spans, vec![vec![0, 1, 1], vec![0, 2, 3]]);
        assert!(!grid.rows[1][0].as_ref().unwrap().origin);
    }

    #[test]
    fn figures() {
        for f in ["1", "1,234.50", "-3", "12%", "—", "0.5"] {
            assert!(is_figure(f), "{f}");
        }
        for f in ["", "合计", "2020年", "1.2万", "a1"] {
            assert!(!is_figure(f), "{f}");
        }
    }
}
