//! The generated files (`docs/rules/**/*.md`, `schemas/*.json`) are checked in; this fails when
//! they differ from what the built-in rules and the raw types generate now.

use std::path::Path;

#[path = "support/schema.rs"]
mod schema;
use schema::have_jsonschema;

#[test]
fn generated_docs_and_schemas_are_current() {
    let files = tally::docs::generate().expect("the built-in rules compile");
    let stale = tally::docs::stale(Path::new(env!("CARGO_MANIFEST_DIR")), &files);
    assert!(
        stale.is_empty(),
        "docs are stale: run `{}` and commit the result\n  {}",
        tally::docs::REGENERATE,
        stale.join("\n  ")
    );
}

#[test]
fn generated_schemas_are_json_and_name_every_kind() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("schemas/rule-file.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for name in tally::engine::kinds::kind_names() {
        assert!(
            schema["$defs"]["rule"]["properties"][name].is_object(),
            "{name}"
        );
    }
}

/// The messages of the errors `schema` finds in each TOML text (one list per text).
fn validate(schema: &str, texts: &[&str]) -> Vec<Vec<String>> {
    let documents: Vec<serde_json::Value> = texts
        .iter()
        .map(|t| {
            let value: toml::Value = toml::from_str(t).expect("TOML");
            serde_json::to_value(value).expect("JSON")
        })
        .collect();
    schema::validate_in_repo(schema, &documents)
}

#[test]
fn builtin_packs_validate_against_the_rule_file_schema() {
    if !have_jsonschema() {
        return;
    }
    let packs: Vec<&str> = tally::rules::BUILTIN_PACKS
        .iter()
        .map(|(_, t)| *t)
        .collect();
    for ((name, _), errors) in tally::rules::BUILTIN_PACKS
        .iter()
        .zip(validate("schemas/rule-file.json", &packs))
    {
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    let head = "[[rule]]\nid = \"style/x\"\nkind = \"pattern\"\nseverity = \"info\"\nmessage = \"m\"\ndescription = \"d\"\n";
    let misspelt = format!("{head}[rule.pattern]\nregx = \"a\"\n");
    let missing = head.to_owned();
    let errors = validate("schemas/rule-file.json", &[&misspelt, &missing]);
    assert!(errors[0].iter().any(|e| e.contains("regx")), "{errors:?}");
    assert!(
        errors[1].iter().any(|e| e.contains("'pattern'")),
        "{errors:?}"
    );
}

#[test]
fn readme_configuration_validates_against_the_config_schema() {
    if !have_jsonschema() {
        return;
    }
    let readme = include_str!("../README.md");
    let start = readme
        .find("```toml\nrules = [")
        .expect("the README's tally.toml example")
        + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").expect("fence end")];
    let errors = validate(
        "schemas/tally-toml.json",
        &[
            example,
            "fail_on = \"error\"\n[severity]\n\"a/b\" = \"loud\"\n",
        ],
    );
    assert!(errors[0].is_empty(), "{errors:?}");
    assert_eq!(errors[1].len(), 2, "{errors:?}");
}
