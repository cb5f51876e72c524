//! The generated files (`docs/rules/**/*.md`, `schemas/*.json`) are checked in; this fails when
//! they differ from what the built-in rules and the raw types generate now.

use std::path::Path;

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
