//! One report, many containers: the same text saved as GB18030, as UTF-16 (with and without a
//! byte order mark) and wrapped in an HTML page gives the same findings at the same places —
//! the line and column of each finding in each file as written.
//!
//! Runs over the project's own corpus, and (ignored by default, run by `.ci/run`) over the seed
//! report in `../shared`.

use std::path::Path;

use tally::engine::{load_rules, RuleSet};
use tally::source::{load_bytes, Loaded};

/// (rule, line, column, end line, end column) of every finding, sorted.
type Places = Vec<(String, usize, usize, usize, usize)>;

fn places(name: &str, bytes: &[u8], rules: &RuleSet) -> Places {
    let doc = match load_bytes(name, bytes) {
        Ok(Loaded::Text(doc)) => doc,
        Ok(Loaded::Binary) => panic!("{name}: read as binary"),
        Err(err) => panic!("{name}: {err}"),
    };
    let mut out: Places = tally::engine::check(&doc, rules)
        .iter()
        .map(|f| {
            let (start, end) = doc.span_positions(f.span.clone());
            (
                rules[f.rule].id.clone(),
                start.line,
                start.column,
                end.line,
                end.column,
            )
        })
        .collect();
    out.sort();
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Lines of the page before the text's first line.
const HEAD: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>报告</title>\n<style>p { margin: 0 }</style></head>\n<body><!-- 正文 -->\n";

/// The text as an HTML page: each paragraph (a run of non-blank lines) a `<p>`, its lines
/// separated by `<br>`, one source line per text line. Returns the page and, for each text line,
/// how many characters of markup precede it on its HTML line.
fn to_html(text: &str) -> (String, Vec<usize>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut html = String::from(HEAD);
    let mut prefix = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            html.push('\n');
            prefix.push(0);
            continue;
        }
        let first = i == 0 || lines[i - 1].trim().is_empty();
        let last = i + 1 == lines.len() || lines[i + 1].trim().is_empty();
        if first {
            html.push_str("<p>");
        }
        prefix.push(if first { 3 } else { 0 });
        html.push_str(&escape(line));
        html.push_str(if last { "</p>\n" } else { "<br>\n" });
    }
    html.push_str("</body></html>\n");
    (html, prefix)
}

/// Where a position of the text is in the page made by [`to_html`].
fn html_place(text: &str, prefix: &[usize], line: usize, column: usize) -> (usize, usize) {
    let head_lines = HEAD.lines().count();
    let Some(body) = text.lines().nth(line - 1) else {
        return (line + head_lines, column);
    };
    let before: String = body.chars().take(column - 1).collect();
    let extra = escape(&before).chars().count() - before.chars().count();
    (
        line + head_lines,
        column + prefix.get(line - 1).copied().unwrap_or(0) + extra,
    )
}

fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = text.encode_utf16();
    let mut push = |u: u16| {
        out.extend_from_slice(&if little {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        })
    };
    if bom {
        push(0xFEFF);
    }
    for u in units {
        push(u);
    }
    out
}

/// Checks one text in every container against its UTF-8 original.
fn same_everywhere(name: &str, text: &str, rules: &RuleSet) -> usize {
    let original = places(&format!("{name}.txt"), text.as_bytes(), rules);
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    assert_eq!(
        places(&format!("{name}.txt"), &gb, rules),
        original,
        "{name} as GB18030"
    );
    for (little, bom) in [(true, true), (false, true), (true, false)] {
        assert_eq!(
            places(&format!("{name}.txt"), &utf16(text, little, bom), rules),
            original,
            "{name} as UTF-16 (little endian: {little}, BOM: {bom})"
        );
    }
    let (html, prefix) = to_html(text);
    let expected: Places = {
        let mut e: Places = original
            .iter()
            .map(|(rule, l, c, el, ec)| {
                let (l, c) = html_place(text, &prefix, *l, *c);
                let (el, ec) = html_place(text, &prefix, *el, *ec);
                (rule.clone(), l, c, el, ec)
            })
            .collect();
        e.sort();
        e
    };
    assert_eq!(
        places(&format!("{name}.html"), html.as_bytes(), rules),
        expected,
        "{name} wrapped in HTML"
    );
    let labelled = html.replace("charset=\"utf-8\"", "charset=\"gb2312\"");
    let (gb_html, _, _) = encoding_rs::GB18030.encode(&labelled);
    assert_eq!(
        places(&format!("{name}.html"), &gb_html, rules),
        expected,
        "{name} wrapped in a GB2312-labelled HTML page"
    );
    original.len()
}

#[test]
fn corpus_documents_give_the_same_findings_in_every_container() {
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/zh");
    let mut names: Vec<_> = std::fs::read_dir(&root)
        .expect("corpus/zh")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 5);
    let mut findings = 0;
    for path in names {
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("doc");
        findings += same_everywhere(name, &text, &rules);
    }
    // The corpus is written with defects; a comparison of empty lists would prove nothing.
    assert!(findings >= 20, "only {findings} findings in the corpus");
}

#[test]
#[ignore = "needs ../shared (run from .ci/run with --include-ignored)"]
fn seed_gives_the_same_findings_in_every_container() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/seed-jiangdu-2020-fazhi.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("seed report {}: {err}", path.display()));
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    let findings = same_everywhere("seed", &text, &rules);
    assert!(findings >= 20, "only {findings} findings in the seed");
}
