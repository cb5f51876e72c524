//! The labelled corpus: every `corpus/**/NAME.expect.toml` lists findings that must appear
//! (`[[expect]]`), traps that must stay silent (`[[ok]]`) and known misses (`[[todo]]`).
//! Any finding not listed is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tally::engine::load_rules;
use tally::harness::{compare, ExpectFile};
use tally::source::{load_bytes, Loaded};

fn sidecars(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("corpus folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sidecars(&path, out);
        } else if path.to_string_lossy().ends_with(".expect.toml") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_expectations_hold() {
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files = Vec::new();
    sidecars(&root, &mut files);
    files.sort();
    assert!(
        files.len() >= 5,
        "corpus has {} labelled documents",
        files.len()
    );
    let mut failures = Vec::new();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut expected = 0;
    for sidecar in files {
        let stem = sidecar.to_string_lossy().replace(".expect.toml", "");
        let doc_path = ["txt", "md", "html"]
            .iter()
            .map(|ext| PathBuf::from(format!("{stem}.{ext}")))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("{}: no document beside it", sidecar.display()));
        let text = std::fs::read_to_string(&sidecar).expect("sidecar");
        let expect: ExpectFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
        let bytes =
            std::fs::read(&doc_path).unwrap_or_else(|e| panic!("{}: {e}", doc_path.display()));
        let name = doc_path
            .strip_prefix(&root)
            .unwrap_or(&doc_path)
            .display()
            .to_string();
        let Ok(Loaded::Text(doc)) = load_bytes(&name, &bytes) else {
            panic!("{name} is not a text document");
        };
        let findings = tally::engine::check(&doc, &rules);
        let outcome = compare(&doc, &findings, &rules, &expect);
        expected += expect.expect.len();
        for e in &outcome.found {
            *per_rule.entry(e.rule.clone()).or_default() += 1;
        }
        failures.extend(outcome.failures);
    }
    for (rule, n) in &per_rule {
        println!("recall  {rule:28} {n}");
    }
    assert!(expected > 0);
    assert!(
        failures.is_empty(),
        "{} corpus failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
