//! What the fuzz targets share: loading bytes as a document of a given kind, checking the
//! invariants every document and finding must keep, and running the whole pipeline (check,
//! suppressions, fixes, every reporter) on one document. A broken invariant panics, which
//! libFuzzer reports as a crash with the input that caused it.

use std::ops::Range;
use std::sync::OnceLock;

use tally::engine::{load_rules, Finding, RuleSet};
use tally::fix::FixMode;
use tally::report::concise::ConciseReporter;
use tally::report::github::GithubReporter;
use tally::report::human::HumanReporter;
use tally::report::jsonl::JsonLinesReporter;
use tally::report::sarif::SarifReporter;
use tally::report::{JsonReporter, Reporter, Summary};
use tally::source::{load_bytes, Document, Loaded};

/// The built-in rules, compiled once per process.
pub fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| load_rules(false, &[]).expect("built-in rules compile"))
}

/// Loads `data` as a file named `name` (the extension picks the loader); checks the document's
/// invariants when it loads. Errors and binary data are fine: only panics are bugs.
pub fn load(name: &str, data: &[u8]) -> Option<Document> {
    match load_bytes(name, data) {
        Ok(Loaded::Text(doc)) => {
            check_document(&doc);
            Some(doc)
        }
        Ok(Loaded::Binary) | Err(_) => None,
    }
}

/// `span` lies inside `text` and both ends are on char boundaries.
pub fn assert_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside the text (length {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on char boundaries"
    );
}

/// `span` lies inside `text` (its ends may fall inside a character).
pub fn assert_inside(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside the text (length {})",
        text.len()
    );
}

/// The text maps into the source, and positions can be computed for both ends. (An offset of
/// the text may map inside a character of the source: Markdown code is blanked out with one
/// space per byte, and positions count such an offset as that character.)
pub fn check_document(doc: &Document) {
    let whole = 0..doc.text.len();
    let source = doc.source_span(whole.clone());
    assert_inside(doc.source_text(), &source, "the text's source span");
    for offset in [0, doc.text.len() / 2, doc.text.len()] {
        if doc.text.is_char_boundary(offset) {
            let at = doc.source_span(offset..offset);
            assert_inside(doc.source_text(), &at, "a text offset's source");
            let pos = doc.position(offset);
            assert!(pos.line >= 1 && pos.column >= 1, "position {pos:?}");
        }
    }
}

/// Every span of a finding (its own, its fix's, its operands') lies inside the text on char
/// boundaries, and maps into the source the same way.
pub fn check_finding(doc: &Document, f: &Finding) {
    let id = &rules()[f.rule].id;
    assert_span(&doc.text, &f.span, id);
    assert_inside(doc.source_text(), &doc.source_span(f.span.clone()), id);
    if let Some(fix) = &f.fix {
        assert_span(&doc.text, &fix.span, &format!("{id} fix"));
    }
    for operand in &f.operands {
        assert_span(&doc.text, &operand.span, &format!("{id} operand"));
    }
}

/// The whole pipeline on one document: the engine, the suppression pass, fixes in both modes,
/// and every output format (JSON ones must parse).
pub fn check_and_render(doc: &Document) {
    let rules = rules();
    let findings = tally::engine::check(doc, rules);
    for f in &findings {
        check_finding(doc, f);
    }
    let findings = tally::suppress::apply(doc, findings, rules, true, |_| true);
    for f in &findings {
        check_finding(doc, f);
    }
    // Fixes as `--fix` applies them: spans moved to the source where the text is verbatim.
    let in_source: Vec<Finding> = findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.fix = f.fix.filter(|x| doc.fixable(x.span.clone())).map(|mut x| {
                x.span = doc.source_span(x.span);
                x
            });
            f
        })
        .collect();
    // A fix that is written must replace whole characters of the file.
    for f in &in_source {
        if let Some(fix) = &f.fix {
            assert_span(doc.source_text(), &fix.span, "fix in the source");
        }
    }
    for mode in [FixMode::Safe, FixMode::Unsafe] {
        let _ = tally::fix::apply(doc.source_text(), &in_source, mode);
    }
    let mut summary = Summary {
        files: 1,
        ..Summary::default()
    };
    summary.add(&findings, rules);
    let mut out = Vec::new();
    render(
        &mut HumanReporter::new(&mut out, rules, false),
        doc,
        &findings,
        &summary,
    );
    render(
        &mut HumanReporter::new(&mut out, rules, true),
        doc,
        &findings,
        &summary,
    );
    render(
        &mut ConciseReporter::new(&mut out, rules),
        doc,
        &findings,
        &summary,
    );
    render(
        &mut GithubReporter::new(&mut out, rules),
        doc,
        &findings,
        &summary,
    );
    for json in [true, false] {
        let mut out = Vec::new();
        if json {
            let mut r = JsonReporter::new(&mut out, rules).expect("in memory");
            render(&mut r, doc, &findings, &summary);
        } else {
            let mut r = SarifReporter::new(&mut out, rules).expect("in memory");
            render(&mut r, doc, &findings, &summary);
        }
        serde_json::from_slice::<serde_json::Value>(&out).expect("JSON output parses");
    }
    let mut out = Vec::new();
    render(
        &mut JsonLinesReporter::new(&mut out, rules),
        doc,
        &findings,
        &summary,
    );
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        serde_json::from_slice::<serde_json::Value>(line).expect("each JSONL line parses");
    }
}

fn render(reporter: &mut dyn Reporter, doc: &Document, findings: &[Finding], summary: &Summary) {
    reporter.document(doc, findings).expect("in memory");
    reporter.finish(summary).expect("in memory");
}
