//! The module boundaries of issue 15, checked on the source text: `rules` (the rule file format)
//! is a leaf that imports nothing of the engine, the reporters or the command; the engine never
//! imports the reporters or miette.

use std::path::{Path, PathBuf};

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("readable folder").flatten() {
                stack.push(entry.path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("UTF-8 source");
            out.push((path, text));
        }
    }
    assert!(!out.is_empty(), "no sources under {dir}");
    out
}

fn assert_never_names(dir: &str, forbidden: &[&str]) {
    for (path, text) in sources(dir) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                assert!(
                    !code.contains(word),
                    "{}:{}: `{word}` is outside what this module may import: {line}",
                    path.display(),
                    n + 1
                );
            }
        }
    }
}

#[test]
fn rules_is_a_leaf_that_imports_no_engine() {
    assert_never_names(
        "src/rules",
        &["crate::engine", "crate::report", "crate::check", "miette"],
    );
}

#[test]
fn engine_never_imports_the_reporters_or_miette() {
    assert_never_names("src/engine", &["crate::report", "crate::check", "miette"]);
}

#[test]
fn check_never_imports_the_commands() {
    // `commands` calls `check`; the shared start-up steps live in `startup`, so there is no cycle.
    assert_never_names("src/check", &["crate::commands"]);
}

#[test]
fn the_statement_model_knows_nothing_of_rules() {
    assert_never_names(
        "src/statement",
        &[
            "crate::engine",
            "crate::rules",
            "crate::report",
            "crate::check",
            "miette",
        ],
    );
}
