//! What CI gates and archive scans rely on: every output format (snapshots), SARIF validity,
//! GitHub annotation escaping and capping, configuration discovery and errors, baselines,
//! suppressions, file lists, shards and the summary.

use std::path::Path;

use assert_cmd::Command;

fn tally(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tally").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().expect("run").stdout).expect("utf-8")
}

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Runs a format over two corpus documents; the human summary's timing is replaced so snapshots
/// are stable (no machine format has one), and so is the rule set (it changes with every rule
/// edited; tests/contracts.rs checks it).
fn format_output(format: &str) -> String {
    let out = stdout(tally(&corpus()).args([
        "check",
        "zh/fazhi-2024-baogao.txt",
        "en/annual-report-2025.md",
        "--format",
        format,
    ]));
    let re = regex::Regex::new(r"in \d+ ms").expect("regex");
    let out = re.replace_all(&out, "in 0 ms");
    let re =
        regex::Regex::new(r#""rule_set":\{"rules":\d+,"hash":"[0-9a-f]{16}"\}"#).expect("regex");
    re.replace_all(&out, r#""rule_set":"[RULE_SET]""#)
        .into_owned()
}

#[test]
fn snapshot_concise() {
    insta::assert_snapshot!(format_output("concise"));
}

#[test]
fn snapshot_github() {
    insta::assert_snapshot!(format_output("github"));
}

#[test]
fn snapshot_jsonl() {
    insta::assert_snapshot!(format_output("jsonl"));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(format_output("json"));
}

#[test]
fn snapshot_human() {
    insta::assert_snapshot!(format_output("human"));
}

#[test]
fn snapshot_sarif() {
    let out = format_output("sarif");
    let mut v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    // The rule descriptors change with every rule added; the snapshot keeps their number and the
    // shape of one, and every result.
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(rules.len() > 40);
    assert!(rules
        .iter()
        .all(|r| r["id"].is_string() && r["shortDescription"]["text"].is_string()));
    let first = rules
        .iter()
        .find(|r| r["id"] == "repeat/doubled-char")
        .cloned()
        .unwrap_or_default();
    for result in v["runs"][0]["results"].as_array_mut().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points at the rule"
        );
        result["ruleIndex"] = "[INDEX]".into();
    }
    v["runs"][0]["tool"]["driver"]["rules"] =
        serde_json::json!({"count": "[RULES]", "example": first});
    // The source root is the folder of the run: this checkout's corpus/.
    let root = &mut v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert!(
        root.as_str()
            .is_some_and(|r| r.starts_with("file:///") && r.ends_with("/corpus/")),
        "{root}"
    );
    *root = "file:///[ROOT]/corpus/".into();
    insta::assert_snapshot!(serde_json::to_string_pretty(&v).expect("json"));
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let run = tally(&corpus())
        .args(["check", ".", "--format", "sarif"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
    assert!(v["runs"][0]["results"].as_array().expect("results").len() > 50);
    // The schema is not part of the repository: .ci/run fetches it from the npm registry (the
    // package @microsoft/jest-sarif ships the official sarif-2.1.0 schema) and points here.
    // Outside CI a developer without the schema is told so; in CI (`CI` set) a missing schema
    // fails the test, so the validation can never be skipped silently there.
    let schema = match std::env::var("TALLY_SARIF_SCHEMA") {
        Ok(schema) if std::path::Path::new(&schema).is_file() => schema,
        found => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but the SARIF schema is missing (TALLY_SARIF_SCHEMA={found:?}): \
                 .ci/run fetches it; schema validation must not be skipped in CI"
            );
            eprintln!("TALLY_SARIF_SCHEMA not set: schema validation skipped (.ci/run sets it)");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("out.sarif");
    std::fs::write(&log, &run.stdout).expect("write");
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\nlog=json.load(open(sys.argv[2]))\ncls=jsonschema.validators.validator_for(schema)\nerrors=list(cls(schema).iter_errors(log))\nfor e in errors[:5]: print(e.message, list(e.path))\nsys.exit(1 if errors else 0)\n";
    let status = std::process::Command::new("python3")
        .args(["-c", script, &schema, &log.to_string_lossy()])
        .status()
        .expect("python3 runs");
    assert!(
        status.success(),
        "SARIF log does not validate against {schema}"
    );
}

#[test]
fn github_annotations_are_escaped_and_capped() {
    let dir = tempfile::tempdir().expect("tmp");
    // A path with `,` and `:`; eleven errors of one level.
    let body: String = (0..11).map(|i| format!("第{i}段对对。\n")).collect();
    write(dir.path(), "a,b:c.txt", &body);
    let out = stdout(tally(dir.path()).args(["check", "a,b:c.txt", "--format", "github"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert!(
        lines[0].starts_with(
            "::error file=a%2Cb%3Ac.txt,line=1,col=4,endColumn=6,title=repeat/doubled-char::"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("::notice title=tally::1 more findings")),
        "{out}"
    );
}

#[test]
fn config_is_found_from_a_nested_folder_and_applied() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "tally.toml",
        "ignore = [\"punct/\"]\nfail-on = \"error\"\n\n[severity]\n\"repeat/doubled-char\" = \"warning\"\n\n[per-path-ignores]\n\"drafts/**\" = [\"ALL\"]\n",
    );
    write(dir.path(), "docs/deep/r.txt", "对对。“未闭合\n");
    write(dir.path(), "drafts/d.txt", "对对。\n");
    let nested = dir.path().join("docs/deep");
    let out = tally(&nested)
        .args(["check", ".", "--format", "concise"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("utf-8");
    assert_eq!(
        out,
        "./r.txt:1:1: warning repeat/doubled-char “对对”重复：疑为多打了一个“对”\n"
    );
    let all = stdout(tally(dir.path()).args(["check", ".", "--format", "concise"]));
    assert!(!all.contains("drafts/"), "per-path ignore: {all}");
    let isolated = stdout(tally(&nested).args(["check", ".", "--format", "concise", "--isolated"]));
    assert!(
        isolated.contains("error repeat/doubled-char")
            && isolated.contains("punct/unbalanced-pair"),
        "{isolated}"
    );
    let shown = stdout(tally(&nested).args(["config"]));
    assert!(
        shown.contains("tally.toml") && shown.contains("\"repeat/doubled-char\" = \"warning\""),
        "{shown}"
    );
}

#[test]
fn config_errors_point_at_their_position() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "tally.toml",
        "select = [\"repeat/\"]\nfail-on = \"sometimes\"\n",
    );
    let out = tally(dir.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).expect("utf-8");
    assert!(
        err.contains("tally.toml:2:11: unknown severity `sometimes`"),
        "{err}"
    );
    write(dir.path(), "tally.toml", "selekt = [\"repeat/\"]\n");
    let out = tally(dir.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).expect("utf-8");
    assert!(
        err.contains("tally.toml:1:1: invalid configuration: unknown field `selekt`"),
        "{err}"
    );
    write(
        dir.path(),
        "tally.toml",
        "[severity]\n\"repeat/doubled-chars\" = \"off\"\n",
    );
    let out = tally(dir.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("`repeat/doubled-chars`, which is not a rule"));
}

#[test]
fn baseline_survives_edits_above_and_reports_new_findings() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "r.txt",
        "开展对对评查。\n办理复议案件182件，其中纠错率12.93%。\n",
    );
    tally(dir.path())
        .args(["check", ".", "--write-baseline", "base.json"])
        .assert()
        .code(1);
    tally(dir.path())
        .args(["check", ".", "--baseline", "base.json"])
        .assert()
        .code(0);
    // Lines added above move every finding; a new finding appears at the end.
    write(dir.path(), "r.txt", "新增第一段。\n\n新增第二段。\n开展对对评查。\n办理复议案件182件，其中纠错率12.93%。\n完善了了制度。\n");
    let out = stdout(tally(dir.path()).args([
        "check",
        ".",
        "--baseline",
        "base.json",
        "--format",
        "concise",
    ]));
    assert_eq!(
        out,
        "./r.txt:6:3: error repeat/doubled-char “了了”重复：疑为多打了一个“了”\n"
    );
    // Baselines are keyed without `./`, so another way of naming the folder agrees.
    tally(dir.path())
        .args([
            "check",
            "r.txt",
            "--baseline",
            "base.json",
            "--fail-on",
            "error",
        ])
        .assert()
        .code(1);
}

#[test]
fn inline_suppressions_in_markdown() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = "<!-- tally-ignore: repeat/ -->\n开展对对评查。\n\n<!-- tally-disable -->\n完善了了制度。\n<!-- tally-enable -->\n推进的的工作。\n<!-- tally-ignore: ratio/ -->\n正文。\n";
    write(dir.path(), "r.md", text);
    let out = stdout(tally(dir.path()).args(["check", "r.md", "--format", "concise"]));
    assert_eq!(
        out,
        "r.md:7:3: error repeat/doubled-char “的的”重复：疑为多打了一个“的”\n"
    );
    let unused = stdout(tally(dir.path()).args([
        "check",
        "r.md",
        "--format",
        "concise",
        "--report-unused-ignores",
    ]));
    assert!(
        unused.contains("r.md:8:1: info style/unused-suppression"),
        "{unused}"
    );
    assert_eq!(unused.lines().count(), 2, "{unused}");
    // Plain text does not read comments.
    write(dir.path(), "r.txt", text);
    assert_eq!(
        stdout(tally(dir.path()).args(["check", "r.txt", "--format", "concise"]))
            .lines()
            .count(),
        3
    );
}

#[test]
fn shards_partition_the_inputs() {
    let dir = tempfile::tempdir().expect("tmp");
    for i in 0..30 {
        write(
            dir.path(),
            &format!("d/{i}.txt"),
            &format!("第{i}份对对。\n"),
        );
    }
    let lines = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "d", "--format", "concise"];
        all.extend_from_slice(args);
        let mut v: Vec<String> = stdout(tally(dir.path()).args(&all))
            .lines()
            .map(str::to_owned)
            .collect();
        v.sort();
        v
    };
    let full = lines(&[]);
    assert_eq!(full.len(), 30);
    let mut union = Vec::new();
    for i in 1..=3 {
        let part = lines(&["--shard", &format!("{i}/3")]);
        assert!(part.len() < 30, "shard {i} holds {} of 30", part.len());
        union.extend(part);
    }
    union.sort();
    assert_eq!(
        union, full,
        "the shards together check everything exactly once"
    );
    tally(dir.path())
        .args(["check", "d", "--shard", "4/3"])
        .assert()
        .code(2);
}

#[test]
fn files_from_a_list_and_a_summary() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "a.txt", "对对。的的。\n");
    write(dir.path(), "b.txt", "了了。\n");
    write(dir.path(), "c.txt", "对对。\n");
    write(dir.path(), "list.txt", "# files to check\na.txt\n\nb.txt\n");
    let out = stdout(tally(dir.path()).args([
        "check",
        "--files-from",
        "list.txt",
        "--format",
        "concise",
    ]));
    assert!(
        out.contains("a.txt") && out.contains("b.txt") && !out.contains("c.txt"),
        "{out}"
    );
    let run = tally(dir.path())
        .args([
            "check",
            "--files-from",
            "-",
            "--format",
            "json",
            "--summary",
        ])
        .write_stdin("a.txt\nc.txt\n")
        .output()
        .expect("run");
    let v: serde_json::Value =
        serde_json::from_slice(&run.stdout).expect("stdout stays one JSON document");
    assert_eq!(v["summary"]["files"], 2);
    let summary = String::from_utf8(run.stderr).expect("utf-8");
    assert!(
        summary.contains("repeat")
            && summary.contains("repeat/doubled-char")
            && summary.contains("a.txt"),
        "{summary}"
    );
}
