//! Tables as government portals and offices publish them (HTML with spanning headers and
//! Word-exported cells, Markdown, .docx, layout text), made for this test by script with correct
//! figures: the correct ones must stay silent, and each table with one planted wrong figure must
//! be reported — at the wrong cell, or for the 表三 identity at its （七）总计 cell.

use std::path::Path;

use tally::engine::{load_rules, RuleSet};
use tally::source::{load_bytes, Loaded};

/// (rule, matched text) of every table finding in a file.
fn table_findings(path: &Path, rules: &RuleSet) -> Vec<(String, String)> {
    let bytes = std::fs::read(path).expect("read");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("x");
    let doc = match load_bytes(name, &bytes) {
        Ok(Loaded::Text(doc)) => doc,
        other => panic!("{name}: {other:?}"),
    };
    tally::engine::check(&doc, rules)
        .into_iter()
        .filter(|f| rules[f.rule].id.starts_with("table/"))
        .map(|f| {
            (
                rules[f.rule].id.clone(),
                doc.text[f.span.clone()].to_owned(),
            )
        })
        .collect()
}

fn data(dir: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
}

#[test]
fn correct_tables_stay_silent() {
    let rules = load_rules(false, &[]).expect("rules");
    let mut files: Vec<_> = std::fs::read_dir(data("tables-correct"))
        .expect("folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 20);
    for path in files {
        assert_eq!(table_findings(&path, &rules), vec![], "{}", path.display());
    }
}

#[test]
fn a_wrong_figure_is_reported_at_its_cell() {
    let rules = load_rules(false, &[]).expect("rules");
    let dir = data("tables-wrong");
    let expect = std::fs::read_to_string(dir.join("expect.tsv")).expect("expect.tsv");
    let mut checked = 0;
    for line in expect.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [file, cell, note] = fields[..] else {
            panic!("bad line {line:?}");
        };
        let found = table_findings(&dir.join(file), &rules);
        // An identity names no single wrong cell: it is reported at the （七）总计 cell.
        if note.contains("identity") || note.contains("layout") {
            assert!(
                found.iter().any(|(r, _)| r == "table/gov-info-requests"),
                "{file}: {found:?}"
            );
        } else {
            assert!(
                found.iter().any(|(_, t)| t.trim().replace(',', "") == cell),
                "{file}: expected a finding at {cell}: {found:?}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 20);
}
