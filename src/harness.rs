//! Rule examples and corpus expectations, shared by `tally test` and `cargo test`.

use std::fmt;

use serde::Deserialize;

use crate::engine::{self, Finding};
use crate::engine::{RuleId, RuleSet};
use crate::rules::id_matches;
use crate::source::Document;

/// An example that did not behave as labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleFailure {
    /// An invalid example the rule did not flag.
    Missing { rule: String, text: String },
    /// A valid example the rule flagged.
    Noisy {
        rule: String,
        text: String,
        found: Vec<String>,
    },
    /// A case whose flagged texts differ from the expected ones.
    Mismatch {
        rule: String,
        text: String,
        expected: Vec<String>,
        found: Vec<String>,
    },
    /// A case whose fixed text differs from the expected one.
    BadFix {
        rule: String,
        text: String,
        expected: String,
        found: String,
    },
    /// A rule without valid and invalid examples.
    Untested { rule: String },
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExampleFailure::Missing { rule, text } => {
                write!(f, "Missing  {rule}: invalid example not flagged: {text}")
            }
            ExampleFailure::Noisy { rule, text, found } => {
                write!(
                    f,
                    "Noisy    {rule}: valid example flagged at {found:?}: {text}"
                )
            }
            ExampleFailure::Mismatch {
                rule,
                text,
                expected,
                found,
            } => write!(
                f,
                "Mismatch {rule}: expected {expected:?}, found {found:?}: {text}"
            ),
            ExampleFailure::BadFix {
                rule,
                text,
                expected,
                found,
            } => write!(
                f,
                "BadFix   {rule}: expected {expected:?}, fixed to {found:?}: {text}"
            ),
            ExampleFailure::Untested { rule } => {
                write!(
                    f,
                    "Untested {rule}: needs at least one valid and one invalid example"
                )
            }
        }
    }
}

fn flagged(findings: &[Finding], text: &str) -> Vec<String> {
    findings
        .iter()
        .map(|f| text[f.span.clone()].to_owned())
        .collect()
}

/// Applies every fix of `findings` that does not overlap an earlier one.
pub fn apply_fixes(text: &str, findings: &[Finding]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for fix in findings.iter().filter_map(|f| f.fix.as_ref()) {
        if fix.span.start < at {
            continue;
        }
        out.push_str(&text[at..fix.span.start]);
        out.push_str(&fix.replacement);
        at = fix.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Runs the examples of rule `rule_id`; returns the number of examples checked and the failures.
pub fn test_rule(rules: &RuleSet, rule_id: RuleId) -> (usize, Vec<ExampleFailure>) {
    let rule = &rules[rule_id];
    let ex = &rule.examples;
    let mut failures = Vec::new();
    let id = || rule.id.clone();
    if ex.valid.is_empty()
        || (ex.invalid.is_empty() && !ex.cases.iter().any(|c| !c.expect.is_empty()))
    {
        failures.push(ExampleFailure::Untested { rule: id() });
    }
    let mut count = 0;
    for text in &ex.valid {
        count += 1;
        let found = engine::check_text_with(rule_id, rules, text);
        if !found.is_empty() {
            failures.push(ExampleFailure::Noisy {
                rule: id(),
                text: text.clone(),
                found: flagged(&found, text),
            });
        }
    }
    for text in &ex.invalid {
        count += 1;
        if engine::check_text_with(rule_id, rules, text).is_empty() {
            failures.push(ExampleFailure::Missing {
                rule: id(),
                text: text.clone(),
            });
        }
    }
    for case in &ex.cases {
        count += 1;
        let found = engine::check_text_with(rule_id, rules, &case.text);
        let texts = flagged(&found, &case.text);
        if texts != case.expect {
            failures.push(ExampleFailure::Mismatch {
                rule: id(),
                text: case.text.clone(),
                expected: case.expect.clone(),
                found: texts,
            });
        }
        if let Some(expected) = &case.fix {
            let fixed = apply_fixes(&case.text, &found);
            if &fixed != expected {
                failures.push(ExampleFailure::BadFix {
                    rule: id(),
                    text: case.text.clone(),
                    expected: expected.clone(),
                    found: fixed,
                });
            }
        }
    }
    (count, failures)
}

/// A corpus sidecar (`NAME.expect.toml`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectFile {
    #[serde(default)]
    pub expect: Vec<Expectation>,
    #[serde(default)]
    pub ok: Vec<Expectation>,
    #[serde(default)]
    pub todo: Vec<Expectation>,
}

/// One labelled position: a rule (id, or prefix for `ok`), a 1-based line and the matched text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub rule: String,
    pub line: usize,
    pub text: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Outcome of comparing a document's findings with its sidecar.
#[derive(Debug, Default)]
pub struct CorpusOutcome {
    /// Expected findings that were found.
    pub found: Vec<Expectation>,
    /// Failures, as readable lines.
    pub failures: Vec<String>,
    /// `todo` entries still missed (known gaps; not failures).
    pub todo_missed: usize,
}

fn finding_matches(
    doc: &Document,
    f: &Finding,
    rules: &RuleSet,
    e: &Expectation,
    prefix: bool,
) -> bool {
    let id = &rules[f.rule].id;
    let rule_ok = if prefix {
        id_matches(id, &e.rule)
    } else {
        *id == e.rule
    };
    rule_ok && doc.position(f.span.start).line == e.line && doc.text[f.span.clone()] == e.text
}

/// Compares findings with expectations: every `expect` must be found, no finding may overlap an
/// `ok` text, every other finding is unexpected, and a `todo` that starts passing is a failure.
pub fn compare(
    doc: &Document,
    findings: &[Finding],
    rules: &RuleSet,
    expect: &ExpectFile,
) -> CorpusOutcome {
    let mut out = CorpusOutcome::default();
    let mut used = vec![false; findings.len()];
    for e in &expect.expect {
        match findings
            .iter()
            .enumerate()
            .position(|(i, f)| !used[i] && finding_matches(doc, f, rules, e, false))
        {
            Some(i) => {
                used[i] = true;
                out.found.push(e.clone());
            }
            None => out.failures.push(format!(
                "{}: missing {} at line {} on {:?}",
                doc.path, e.rule, e.line, e.text
            )),
        }
    }
    for e in &expect.todo {
        match findings
            .iter()
            .enumerate()
            .position(|(i, f)| !used[i] && finding_matches(doc, f, rules, e, false))
        {
            Some(i) => {
                used[i] = true;
                out.failures.push(format!(
                    "{}: todo {} at line {} on {:?} now passes: move it to [[expect]]",
                    doc.path, e.rule, e.line, e.text
                ));
            }
            None => out.todo_missed += 1,
        }
    }
    // Traps name a line of the file as written (an HTML page's source line).
    let (source, index) = (doc.source_text(), doc.source_index());
    for e in &expect.ok {
        if e.line == 0 || e.line > index.line_count(source) {
            out.failures.push(format!(
                "{}: ok entry line {} is outside the document",
                doc.path, e.line
            ));
            continue;
        }
        let range = index.line_range(e.line - 1, source);
        let Some(col) = source[range.clone()].find(&e.text) else {
            out.failures.push(format!(
                "{}: ok text {:?} is not on line {}",
                doc.path, e.text, e.line
            ));
            continue;
        };
        let trap = range.start + col..range.start + col + e.text.len();
        for (i, f) in findings.iter().enumerate() {
            let id = &rules[f.rule].id;
            let at = doc.source_span(f.span.clone());
            if id_matches(id, &e.rule) && at.start < trap.end && trap.start < at.end {
                used[i] = true;
                out.failures.push(format!(
                    "{}: false alarm {} at line {} on trap {:?}: {}",
                    doc.path, id, e.line, e.text, f.message
                ));
            }
        }
    }
    for (i, f) in findings.iter().enumerate() {
        if !used[i] {
            let pos = doc.position(f.span.start);
            out.failures.push(format!(
                "{}:{}:{}: unexpected {} on {:?}: {}",
                doc.path,
                pos.line,
                pos.column,
                rules[f.rule].id,
                &doc.text[f.span.clone()],
                f.message
            ));
        }
    }
    out
}
