//! The statement gate (`tally::statement::Gate`) skips reading statements whose cue words,
//! separators and unit words rule out every relation shape. It must never change a finding:
//! over the labelled corpus and every rule example, a run with the gate and a run with every
//! statement read give the same findings.

use tally::engine::{check, load_rules, Finding};
use tally::source::Document;
use tally::statement::{read_document, Gate};

fn key(doc: &Document, findings: Vec<Finding>) -> Vec<(usize, std::ops::Range<usize>, String)> {
    findings
        .into_iter()
        .map(|f| (f.rule.index(), f.span.clone(), doc.text[f.span].to_owned()))
        .collect()
}

fn texts() -> Vec<(String, String)> {
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    let mut out = Vec::new();
    for id in rules.ids() {
        let examples = &rules[id].examples;
        for text in examples
            .valid
            .iter()
            .chain(&examples.invalid)
            .chain(examples.cases.iter().map(|c| &c.text))
        {
            out.push((format!("example of {}", rules[id].id), text.clone()));
        }
    }
    let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("corpus folder").flatten() {
                stack.push(entry.path());
            }
        } else if path.extension().is_some_and(|e| e == "txt" || e == "md") {
            let text = std::fs::read_to_string(&path).expect("corpus file is UTF-8");
            out.push((path.display().to_string(), text));
        }
    }
    out
}

#[test]
fn the_gate_never_changes_a_finding() {
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    assert!(
        !rules.statement_gate().is_all(),
        "the built-in rules read every statement: the gate is not exercised"
    );
    let texts = texts();
    assert!(texts.len() > 400, "only {} texts", texts.len());
    let mut relation_findings = 0;
    for (name, text) in &texts {
        let gated = Document::new("<gated>", text.clone());
        let ungated = Document::new("<ungated>", text.clone());
        read_document(&ungated, &Gate::all());
        let a = key(&gated, check(&gated, &rules));
        let b = key(&ungated, check(&ungated, &rules));
        relation_findings += a
            .iter()
            .filter(|(rule, ..)| {
                rules
                    .ids()
                    .nth(*rule)
                    .is_some_and(|id| rules[id].kind_name == "relation")
            })
            .count();
        assert_eq!(a, b, "the gate changed the findings of {name}");
    }
    assert!(
        relation_findings > 100,
        "only {relation_findings} relation findings compared"
    );
}

#[test]
fn the_gate_skips_statements_no_shape_can_match() {
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    // Two figures, no cue word, separator or unit word any shape needs.
    let doc = Document::new("<t>", "项目投入300万元建设200套住房".to_owned());
    let statements = read_document(&doc, rules.statement_gate());
    assert!(
        statements.iter().all(|s| s.tokens.is_empty()),
        "{statements:?}"
    );
    let doc = Document::new("<t>", "受理200件，办结190件，办结率95%".to_owned());
    let statements = read_document(&doc, rules.statement_gate());
    assert!(statements.iter().any(|s| !s.tokens.is_empty()));
}
