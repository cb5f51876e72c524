//! The machine outputs as contracts: JSON and JSON Lines validate against the checked-in schemas
//! (`schemas/output-json.json`, `schemas/output-jsonl.json`; `tests/generated.rs` fails when those
//! are stale), two runs write the same bytes, fingerprints are stable and the same in every
//! format, the rule-set hash follows the rules, and SARIF locations are URI references.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

#[path = "support/schema.rs"]
mod schema;
use schema::{have_jsonschema, validate_in_repo as validate};

fn tally(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tally").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    tally(dir).args(args).output().expect("run")
}

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A folder with a GBK file (so `encoding` appears), a UTF-8 file and, named on the command line
/// but missing, an error.
fn mixed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let (gbk, _, _) =
        encoding_rs::GBK.encode("办理复议案件182件，其中直接纠错率12.93%。开展对对评查。\n");
    write(dir.path(), "gbk.txt", &gbk);
    write(
        dir.path(),
        "a.txt",
        "开展对对评查。完善了了制度。\n".as_bytes(),
    );
    dir
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON value"))
        .collect()
}

#[test]
fn json_output_validates_against_its_schema() {
    if !have_jsonschema() {
        return;
    }
    let dir = mixed();
    let corpus_run = run(&corpus(), &["check", ".", "--format", "json"]);
    let mixed_run = run(
        dir.path(),
        &["check", ".", "missing.txt", "--format", "json"],
    );
    assert_eq!(mixed_run.status.code(), Some(2));
    let documents: Vec<Value> = [&corpus_run, &mixed_run]
        .iter()
        .map(|o| serde_json::from_slice(&o.stdout).expect("one JSON document"))
        .collect();
    // Every optional part is exercised: operands, fixes, an encoding, an error.
    let diagnostics = |d: &Value| d["diagnostics"].as_array().cloned().unwrap_or_default();
    assert!(diagnostics(&documents[0])
        .iter()
        .any(|d| d.get("operands").is_some()));
    assert!(diagnostics(&documents[0])
        .iter()
        .any(|d| d["fix"].is_object()));
    assert!(diagnostics(&documents[1])
        .iter()
        .any(|d| d["encoding"].is_string()));
    assert_eq!(documents[1]["errors"][0]["path"], "missing.txt");
    // A document that breaks the contract fails, so the validation is not vacuous.
    let mut broken = documents[1].clone();
    broken["diagnostics"][0]["elapsed_ms"] = 3.into();
    let mut old = documents[1].clone();
    old["version"] = 1.into();
    let mut unprinted = documents[1].clone();
    if let Some(d) = unprinted["diagnostics"][0].as_object_mut() {
        d.remove("fingerprint");
    }
    let errors = validate(
        "schemas/output-json.json",
        &[
            documents[0].clone(),
            documents[1].clone(),
            broken,
            old,
            unprinted,
        ],
    );
    assert!(errors[0].is_empty(), "corpus: {:?}", errors[0]);
    assert!(errors[1].is_empty(), "mixed: {:?}", errors[1]);
    assert!(errors[2..].iter().all(|e| !e.is_empty()), "{errors:?}");
}

#[test]
fn jsonl_output_has_a_header_typed_records_and_a_summary() {
    let dir = mixed();
    let out = run(
        dir.path(),
        &["check", ".", "missing.txt", "--format", "jsonl"],
    );
    assert_eq!(out.status.code(), Some(2));
    let records = json_lines(&out.stdout);
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["type"].as_str().expect("every record has a type"))
        .collect();
    assert_eq!(types.first(), Some(&"header"));
    assert_eq!(types.last(), Some(&"summary"));
    assert_eq!(types.iter().filter(|t| **t == "header").count(), 1);
    assert_eq!(types.iter().filter(|t| **t == "summary").count(), 1);
    assert_eq!(types.iter().filter(|t| **t == "error").count(), 1);
    assert_eq!(records[0]["version"], 2);
    assert_eq!(records[0]["tool"]["name"], "tally");
    assert_eq!(records[0]["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let summary = records.last().expect("summary");
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["errors"], 1);
    assert_eq!(
        summary["diagnostics"],
        types.iter().filter(|t| **t == "diagnostic").count()
    );
    // Errors are records on stdout and, for people, also lines on stderr.
    let error = records
        .iter()
        .find(|r| r["type"] == "error")
        .expect("error");
    assert_eq!(error["path"], "missing.txt");
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: missing.txt: "));
    // The JSON Lines diagnostics are the JSON diagnostics, field for field.
    let json: Value = serde_json::from_slice(
        &run(
            dir.path(),
            &["check", ".", "missing.txt", "--format", "json"],
        )
        .stdout,
    )
    .expect("json");
    let from_lines: Vec<Value> = records
        .iter()
        .filter(|r| r["type"] == "diagnostic")
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().expect("object").remove("type");
            r
        })
        .collect();
    assert_eq!(Value::from(from_lines), json["diagnostics"]);
    assert_eq!(records[0]["rule_set"], json["rule_set"]);
    if !have_jsonschema() {
        return;
    }
    let mut all = records.clone();
    all.extend(json_lines(
        &run(&corpus(), &["check", ".", "--format", "jsonl"]).stdout,
    ));
    let mut untyped = records[1].clone();
    untyped.as_object_mut().expect("object").remove("type");
    let mut mistyped = records[0].clone();
    mistyped["type"] = "summary".into();
    all.push(untyped);
    all.push(mistyped);
    let errors = validate("schemas/output-jsonl.json", &all);
    let n = errors.len();
    for (record, e) in all.iter().zip(&errors).take(n - 2) {
        assert!(e.is_empty(), "{record}: {e:?}");
    }
    assert!(errors[n - 2..].iter().all(|e| !e.is_empty()), "{errors:?}");
}

#[test]
fn empty_runs_still_write_header_and_summary() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "clean.txt",
        "我们的工作取得了成效。\n".as_bytes(),
    );
    let out = run(dir.path(), &["check", ".", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0));
    let types: Vec<String> = json_lines(&out.stdout)
        .iter()
        .map(|r| r["type"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(types, ["header", "summary"]);
}

#[test]
fn json_is_the_same_bytes_in_every_run_and_for_any_thread_count() {
    let one = run(&corpus(), &["check", ".", "--format", "json", "-j", "1"]);
    let two = run(&corpus(), &["check", ".", "--format", "json", "-j", "2"]);
    let again = run(&corpus(), &["check", ".", "--format", "json", "-j", "2"]);
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(two.stdout, again.stdout);
    let v: Value = serde_json::from_slice(&one.stdout).expect("json");
    assert!(v["summary"].get("elapsed_ms").is_none());
    let jsonl = |j: &str| run(&corpus(), &["check", ".", "--format", "jsonl", "-j", j]).stdout;
    assert_eq!(jsonl("1"), jsonl("2"));
    // The time goes to stderr with --summary.
    let timed = run(&corpus(), &["check", ".", "--format", "json", "--summary"]);
    assert_eq!(timed.stdout, one.stdout);
    let stderr = String::from_utf8_lossy(&timed.stderr);
    let re = regex::Regex::new(r"\d+ files, \d+ findings, 0 unreadable in \d+ ms").expect("re");
    assert!(re.is_match(&stderr), "{stderr}");
}

/// The fingerprints of a run, by format: JSON, JSON Lines, SARIF `fingerprints`.
fn prints(dir: &Path, target: &str) -> [Vec<String>; 3] {
    let strings = |values: Vec<&Value>| -> Vec<String> {
        values
            .into_iter()
            .map(|v| v.as_str().expect("a string").to_owned())
            .collect()
    };
    let json: Value =
        serde_json::from_slice(&run(dir, &["check", target, "--format", "json"]).stdout)
            .expect("json");
    let lines = json_lines(&run(dir, &["check", target, "--format", "jsonl"]).stdout);
    let sarif: Value =
        serde_json::from_slice(&run(dir, &["check", target, "--format", "sarif"]).stdout)
            .expect("sarif");
    [
        strings(
            json["diagnostics"]
                .as_array()
                .expect("array")
                .iter()
                .map(|d| &d["fingerprint"])
                .collect(),
        ),
        strings(
            lines
                .iter()
                .filter(|r| r["type"] == "diagnostic")
                .map(|r| &r["fingerprint"])
                .collect(),
        ),
        strings(
            sarif["runs"][0]["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(|r| &r["fingerprints"]["tally/v1"])
                .collect(),
        ),
    ]
}

#[test]
fn fingerprints_are_stable_across_edits_and_formats_and_name_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = "开展对对评查。\n再次对对。\n";
    write(dir.path(), "r.txt", body.as_bytes());
    let [json, jsonl, sarif] = prints(dir.path(), "r.txt");
    assert_eq!(json.len(), 2);
    assert_ne!(json[0], json[1], "occurrences of the same text differ");
    assert_eq!(json, jsonl);
    assert_eq!(json, sarif);
    // Lines added above and `./` in the path change nothing.
    write(
        dir.path(),
        "r.txt",
        format!("新增一段。\n\n{body}").as_bytes(),
    );
    assert_eq!(prints(dir.path(), "./r.txt")[0], json);
    // The same text in another file is another finding.
    write(dir.path(), "s.txt", body.as_bytes());
    let other = &prints(dir.path(), "s.txt")[0];
    assert!(other.iter().all(|p| !json.contains(p)), "{other:?}");
}

fn rule_set_hash(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["check", "r.txt", "--format", "json"];
    all.extend_from_slice(args);
    let v: Value = serde_json::from_slice(&run(dir, &all).stdout).expect("json");
    v["rule_set"]["hash"].as_str().expect("a hash").to_owned()
}

#[test]
fn rule_set_hash_follows_rules_severities_parameters_and_selection() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "r.txt", "开展对对评查。\n".as_bytes());
    let rule = |message: &str| {
        format!("[[rule]]\nid = \"style/team-word\"\nkind = \"pattern\"\nseverity = \"info\"\nmessage = \"{message}\"\ndescription = \"d\"\n[rule.pattern]\nregex = '截止目前'\n")
    };
    write(dir.path(), "team.toml", rule("m").as_bytes());
    let base = rule_set_hash(dir.path(), &["--isolated"]);
    assert_eq!(base.len(), 16);
    assert_eq!(rule_set_hash(dir.path(), &["--isolated"]), base, "stable");
    let mut seen = vec![base.clone()];
    let mut differs = |hash: String, what: &str| {
        assert!(!seen.contains(&hash), "{what}: {hash} seen before");
        seen.push(hash);
    };
    differs(
        rule_set_hash(dir.path(), &["--isolated", "--ignore", "repeat/"]),
        "selection",
    );
    differs(
        rule_set_hash(dir.path(), &["--isolated", "--rules", "team.toml"]),
        "a rule file",
    );
    write(dir.path(), "team.toml", rule("other").as_bytes());
    differs(
        rule_set_hash(dir.path(), &["--isolated", "--rules", "team.toml"]),
        "an edited rule file",
    );
    write(
        dir.path(),
        "tally.toml",
        "[severity]\n\"repeat/doubled-char\" = \"info\"\n",
    );
    differs(rule_set_hash(dir.path(), &[]), "a severity");
    write(
        dir.path(),
        "tally.toml",
        "[fields]\nrequired = [\"发布机构\"]\n",
    );
    differs(rule_set_hash(dir.path(), &[]), "a configured parameter");
    write(dir.path(), "lexicon.toml", "[cues]\npart = [\"内有\"]\n");
    differs(
        rule_set_hash(dir.path(), &["--isolated", "--lexicon", "lexicon.toml"]),
        "a lexicon",
    );
}

#[test]
fn sarif_locations_are_encoded_uri_references_with_a_source_root() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "docs/a b#1.txt", "开展对对评查。\n".as_bytes());
    let out = run(dir.path(), &["check", ".", "--format", "sarif"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let location = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"],
        serde_json::json!({"uri": "docs/a%20b%231.txt", "uriBaseId": "%SRCROOT%"})
    );
    let root = v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("a source root");
    let canonical = dir.path().canonicalize().expect("canonical");
    let expected = format!("file://{}/", canonical.display()).replace(' ', "%20");
    assert!(
        root == expected || root == format!("file://{}/", dir.path().display()),
        "{root} vs {expected}"
    );
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for rule in rules {
        let uri = rule["helpUri"]
            .as_str()
            .expect("every built-in rule links its page");
        assert!(
            uri.ends_with(&format!(
                "/docs/rules/{}.md",
                rule["id"].as_str().unwrap_or("")
            )),
            "{uri}"
        );
    }
    // An absolute path is a file: URI without a base.
    let absolute = dir.path().join("docs/a b#1.txt");
    let out = run(
        dir.path(),
        &["check", &absolute.to_string_lossy(), "--format", "sarif"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let location = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/docs/a%20b%231.txt"),
        "{uri}"
    );
    assert!(location["artifactLocation"].get("uriBaseId").is_none());
}
