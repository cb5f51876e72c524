//! Every built-in rule's embedded examples behave as labelled, and every rule has them.

use tally::engine::load_rules;
use tally::harness::test_rule;

#[test]
fn builtin_rule_examples_pass() {
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    assert!(!rules.rules.is_empty());
    let mut failures = Vec::new();
    let mut checked = 0;
    for id in rules.ids() {
        let (count, fails) = test_rule(&rules, id);
        checked += count;
        failures.extend(fails.into_iter().map(|f| f.to_string()));
    }
    assert!(
        failures.is_empty(),
        "{} failing examples:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 2 * rules.rules.len());
}

#[test]
fn builtin_rules_have_descriptions_and_known_categories() {
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    for rule in &rules.rules {
        assert!(
            rule.description.trim().len() > 40,
            "{}: description too short",
            rule.id
        );
        assert!(
            tally::rules::CATEGORIES.contains(&rule.category()),
            "{}",
            rule.id
        );
        assert!(
            !rule.examples.valid.is_empty(),
            "{} has no valid example",
            rule.id
        );
        assert!(
            !rule.examples.invalid.is_empty()
                || rule.examples.cases.iter().any(|c| !c.expect.is_empty()),
            "{} has no invalid example",
            rule.id
        );
    }
}

#[test]
fn a_rule_whose_example_is_wrong_is_reported_as_noisy_and_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        r#"
[[rule]]
id = "style/test-me"
kind = "pattern"
severity = "info"
message = "found {match}"
description = "A test rule whose examples are deliberately mislabelled."
[rule.pattern]
regex = "abc"
[rule.tests]
valid = ["xx abc xx"]
invalid = ["nothing here"]
"#,
    )
    .expect("write");
    let rules = load_rules(true, &[path]).expect("compiles");
    let id = rules.find("style/test-me").expect("the rule");
    let (_, failures) = test_rule(&rules, id);
    let text: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert_eq!(failures.len(), 2, "{text:?}");
    assert!(text[0].starts_with("Noisy"));
    assert!(text[1].starts_with("Missing"));
}
