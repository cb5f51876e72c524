//! JSON Schema validation for tests, through python3's `jsonschema` (.ci/run installs it).

#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

/// True when `python3` can import `jsonschema`; in CI its absence fails.
pub fn have_jsonschema() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "CI is set but python3 cannot import jsonschema: .ci/run installs it"
    );
    if !ok {
        eprintln!("python3 with jsonschema not found: schema validation skipped");
    }
    ok
}

/// The error messages of `schema` (a file; itself checked first) for each document.
pub fn validate(schema: &Path, documents: &[Value]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("documents.json");
    std::fs::write(&input, serde_json::to_string(documents).expect("json")).expect("write");
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\n\
        cls=jsonschema.validators.validator_for(schema)\ncls.check_schema(schema)\n\
        print(json.dumps([[e.message for e in cls(schema).iter_errors(d)] for d in json.load(open(sys.argv[2]))]))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(schema)
        .arg(&input)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("messages")
}

/// [`validate`] with a schema path relative to the repository.
pub fn validate_in_repo(schema: &str, documents: &[Value]) -> Vec<Vec<String>> {
    validate(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(schema),
        documents,
    )
}
