//! The command line as users and CI see it: exit codes, formats, stdin, errors.

use std::path::Path;

use assert_cmd::Command;

fn tally() -> Command {
    let mut cmd = Command::cargo_bin("tally").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write");
}

fn json(output: &[u8]) -> serde_json::Value {
    serde_json::from_slice(output).expect("stdout is one JSON document")
}

const DEFECTIVE: &str = "索引号: X-1 发布机构:\n\n5年来对对全区开展评查，申报示范点”2个。\n";

#[test]
fn clean_text_exits_zero() {
    tally()
        .args(["check", "-", "--format", "json"])
        .write_stdin("我们的工作取得了成效。\n")
        .assert()
        .code(0);
}

#[test]
fn findings_exit_one_and_fail_on_error_ignores_warnings() {
    tally()
        .args(["check", "-"])
        .write_stdin(DEFECTIVE)
        .assert()
        .code(1);
    // A warning alone passes `--fail-on error`.
    tally()
        .args(["check", "-", "--fail-on", "error"])
        .write_stdin("截止目前已办结。\n")
        .assert()
        .code(0);
    tally()
        .args(["check", "-", "--fail-on", "warning"])
        .write_stdin("截止目前已办结。\n")
        .assert()
        .code(1);
}

#[test]
fn json_follows_the_contract() {
    let out = tally()
        .args([
            "check",
            "-",
            "--format",
            "json",
            "--stdin-filename",
            "report.txt",
        ])
        .write_stdin(DEFECTIVE)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["version"], 2);
    assert_eq!(v["tool"]["name"], "tally");
    assert!(v["rule_set"]["hash"].is_string());
    let diags = v["diagnostics"].as_array().expect("array");
    let rules: Vec<&str> = diags
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        rules,
        [
            "field/empty-required",
            "repeat/doubled-char",
            "punct/unbalanced-pair"
        ]
    );
    let d = &diags[1];
    assert_eq!(d["path"], "report.txt");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(3), Some(6))
    );
    let start = d["byte_start"].as_u64().expect("byte_start") as usize;
    let end = d["byte_end"].as_u64().expect("byte_end") as usize;
    assert_eq!(&DEFECTIVE[start..end], "对对");
    assert_eq!(d["fix"]["replacement"], "对");
    assert!(d["help"].is_string());
    assert!(diags[0]["fix"].is_null());
    let keys: Vec<&String> = d.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 13, "{keys:?}");
    assert_ne!(d["fingerprint"], diags[0]["fingerprint"]);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["summary"]["diagnostics"], 3);
    assert_eq!(v["summary"]["errors"], 0);
    // Version 2: no wall time in the JSON (it is on stderr with --summary).
    assert!(v["summary"].get("elapsed_ms").is_none());
}

#[test]
fn human_output_shows_location_in_characters_and_summary() {
    let out = tally()
        .args(["check", "-", "--stdin-filename", "r.txt"])
        .write_stdin(DEFECTIVE)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("r.txt:3:4"), "{text}");
    assert!(text.contains("repeat/doubled-char"));
    assert!(text.contains("“对对”重复"));
    assert!(!text.contains('\u{1b}'), "no colour when NO_COLOR is set");
    assert!(
        text.contains("Checked 1 file: 3 errors, 0 warnings, 0 info"),
        "{text}"
    );
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().expect("tmp");
    for i in 0..40 {
        let body = format!("第{i}份。{DEFECTIVE}的的确确。围绕法与国家”“法与我们。\n");
        write(
            dir.path(),
            &format!("d{:02}/r{i}.txt", i % 7),
            body.as_bytes(),
        );
    }
    let run = |threads: &str| {
        let out = tally()
            .current_dir(dir.path())
            .args(["check", ".", "--format", "json", "-j", threads])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("utf-8")
    };
    let raw_one = run("1");
    // No field may differ, not even a timing (JSON version 2 has none).
    assert_eq!(raw_one, run("2"), "the bytes differ");
    let v = json(raw_one.as_bytes());
    let paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "diagnostics are ordered by path");
    assert_eq!(v["summary"]["files"], 40);
}

#[test]
fn unreadable_and_binary_files_do_not_stop_the_run() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "good.txt", DEFECTIVE.as_bytes());
    write(dir.path(), "latin1.txt", b"caf\xe9 au lait\n");
    write(
        dir.path(),
        "image.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    let out = tally()
        .current_dir(dir.path())
        .args(["check", ".", "--format", "json"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["summary"]["files"], 1, "only good.txt is checked");
    assert_eq!(v["summary"]["diagnostics"], 3);
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "./latin1.txt");
    let message = errors[0]["message"].as_str().expect("message");
    assert!(
        message.contains("invalid UTF-8 at byte offset 3"),
        "{message}"
    );
}

#[test]
fn missing_path_is_an_error_but_others_are_checked() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "good.txt", DEFECTIVE.as_bytes());
    let out = tally()
        .current_dir(dir.path())
        .args(["check", "good.txt", "nope.txt", "--format", "json"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["errors"][0]["path"], "nope.txt");
}

#[test]
fn walking_honours_gitignore_hidden_files_and_globs() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), ".gitignore", b"ignored/\n");
    write(dir.path(), "a.txt", DEFECTIVE.as_bytes());
    write(dir.path(), "b.md", DEFECTIVE.as_bytes());
    write(dir.path(), "c.rst", DEFECTIVE.as_bytes());
    write(dir.path(), "ignored/d.txt", DEFECTIVE.as_bytes());
    write(dir.path(), ".hidden/e.txt", DEFECTIVE.as_bytes());
    let files = |extra: &[&str]| {
        let mut args = vec!["check", ".", "--format", "json"];
        args.extend_from_slice(extra);
        let out = tally()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .expect("run");
        let v = json(&out.stdout);
        let mut paths: Vec<String> = v["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|d| d["path"].as_str().map(str::to_owned))
            .collect();
        paths.dedup();
        paths
    };
    assert_eq!(files(&[]), ["./a.txt", "./b.md"]);
    assert_eq!(
        files(&["--glob", "*.rst"]),
        ["./a.txt", "./b.md", "./c.rst"]
    );
    assert_eq!(files(&["--glob", "!b.md"]), ["./a.txt"]);
}

#[test]
fn select_and_ignore_filter_by_prefix() {
    let rules_of = |args: &[&str]| {
        let mut all = vec!["check", "-", "--format", "json"];
        all.extend_from_slice(args);
        let out = tally()
            .args(&all)
            .write_stdin(DEFECTIVE)
            .output()
            .expect("run");
        let v = json(&out.stdout);
        v["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|d| d["rule"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    assert_eq!(rules_of(&["--select", "repeat/"]), ["repeat/doubled-char"]);
    assert_eq!(
        rules_of(&["--ignore", "repeat/", "--ignore", "field/"]),
        ["punct/unbalanced-pair"]
    );
}

const BROKEN_RULES: &str = r#"[[rule]]
id = "style/one"
kind = "pattern"
severity = "fatal"
message = "x"
description = "A rule with three mistakes."
colour = "red"

[rule.pattern]
regex = "(unclosed"
"#;

#[test]
fn broken_rule_file_reports_every_error_with_its_position() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "bad.toml", BROKEN_RULES.as_bytes());
    let out = tally()
        .current_dir(dir.path())
        .args(["check", "-", "--rules", "bad.toml"])
        .write_stdin("text\n")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(
        stderr.contains("bad.toml:7:1: unknown field `colour`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.toml:4:12: unknown severity `fatal`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.toml:10:9: invalid regular expression"),
        "{stderr}"
    );
    assert!(stderr.contains("3 errors in rule files"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn rule_errors_across_rules_are_all_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = r#"
[[rule]]
id = "bogus/one"
kind = "summ"
severity = "info"
message = "{nope}"
description = "Unknown category and kind."

[[rule]]
id = "style/two"
kind = "pattern"
severity = "info"
message = "{missing}"
description = "Undefined placeholder."
[rule.pattern]
regex = "a(?<found>b)"
"#;
    write(dir.path(), "two.toml", text.as_bytes());
    let out = tally()
        .current_dir(dir.path())
        .args(["rules", "--rules", "two.toml"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(
        stderr.contains("two.toml:3:6: unknown category `bogus`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("two.toml:4:8: unknown kind `summ`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("two.toml:13:11: message uses `{missing}`"),
        "{stderr}"
    );
}

#[test]
fn invalid_toml_points_at_the_syntax_error() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "syntax.toml",
        b"[[rule]]\nid = \"style/x\nkind = 1\n",
    );
    let out = tally()
        .current_dir(dir.path())
        .args(["test", "syntax.toml"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(stderr.contains("syntax.toml:2:"), "{stderr}");
    assert!(stderr.contains("invalid TOML"), "{stderr}");
}

#[test]
fn user_rules_extend_the_builtin_packs() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = r#"
[[rule]]
id = "style/placeholder-xx"
kind = "pattern"
severity = "warning"
message = "占位符“{match}”未替换"
description = "A placeholder left in the text, such as XX单位."
[rule.pattern]
regex = "XX[\\p{Han}]{1,4}"
unless = ["XXZX"]
[rule.tests]
valid = ["索引号: XXZX_JD-2021-008"]
invalid = ["由XX单位负责。"]
"#;
    write(dir.path(), "mine/p.toml", text.as_bytes());
    let out = tally()
        .current_dir(dir.path())
        .args(["check", "-", "--rules", "mine", "--format", "json"])
        .write_stdin("由XX单位负责，对对。\n")
        .output()
        .expect("run");
    let v = json(&out.stdout);
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert_eq!(rules, ["style/placeholder-xx", "repeat/doubled-char"]);
    let only = tally()
        .current_dir(dir.path())
        .args([
            "check",
            "-",
            "--rules",
            "mine",
            "--no-default-rules",
            "--format",
            "json",
        ])
        .write_stdin("由XX单位负责，对对。\n")
        .output()
        .expect("run");
    assert_eq!(json(&only.stdout)["summary"]["diagnostics"], 1);
    tally()
        .current_dir(dir.path())
        .args(["test", "mine"])
        .assert()
        .code(0);
}

#[test]
fn rules_explain_and_test_commands() {
    let out = tally()
        .arg("rules")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.lines().any(|l| l.starts_with("repeat/doubled-char")
        && l.contains("repeat")
        && l.contains("error")));
    let out = tally()
        .args(["explain", "repeat/doubled-char"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains("5年来对对全区") && text.contains("学习习近平"),
        "{text}"
    );
    assert!(
        text.contains("parameters:\n  [rule.repeat]\n  chars = "),
        "{text}"
    );
    tally().args(["explain", "repeat/nope"]).assert().code(2);
    let out = tally()
        .arg("test")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

#[test]
fn usage_error_exits_two() {
    tally().args(["check", "--format", "xml"]).assert().code(2);
    tally()
        .args(["check", "--fail-on", "fatal"])
        .assert()
        .code(2);
}

#[test]
fn a_lexicon_file_adds_cue_words_every_relation_rule_sees() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "mine.toml",
        "[cues]\npart = [\"内有\"]\n".as_bytes(),
    );
    write(
        dir.path(),
        "bad.toml",
        "[cues]\nup = [\"下降\"]\n".as_bytes(),
    );
    let text = "收到申请120件，内有当面申请45件、网络申请61件、信函申请19件。\n";
    // Without the word the list is not a part list: silent.
    tally()
        .current_dir(dir.path())
        .args(["check", "-", "--format", "concise"])
        .write_stdin(text)
        .assert()
        .code(0);
    let out = tally()
        .current_dir(dir.path())
        .args([
            "check",
            "-",
            "--format",
            "concise",
            "--lexicon",
            "mine.toml",
        ])
        .write_stdin(text)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("sum/parts-exceed-total"));
    let out = tally()
        .current_dir(dir.path())
        .args(["check", "-", "--lexicon", "bad.toml"])
        .write_stdin(text)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("`下降`"), "{err}");
}

#[test]
fn timings_go_to_stderr_and_leave_the_output_alone() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/zh/juesuan-shuoming-2025.txt");
    let plain = tally()
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .expect("runs");
    let timed = tally()
        .args(["check", "--format", "json", "--timings"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(plain.status.code(), timed.status.code());
    let strip = |out: &[u8]| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_slice(out).expect("JSON on stdout");
        if let Some(summary) = v.get_mut("summary").and_then(|s| s.as_object_mut()) {
            summary.remove("elapsed_ms");
        }
        v
    };
    assert_eq!(strip(&plain.stdout), strip(&timed.stdout));
    let stderr = String::from_utf8(timed.stderr).expect("UTF-8");
    for part in [
        "By stage",
        "statement model",
        "By rule kind:",
        "relation",
        "Slowest rules:",
    ] {
        assert!(stderr.contains(part), "no {part:?} in {stderr}");
    }
    assert!(String::from_utf8_lossy(&plain.stderr).is_empty());
}

#[test]
fn exit_zero_keeps_findings_but_exits_0_and_errors_still_give_2() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("a.txt"), "我们对对这件事进行了研究。\n").expect("write");
    let out = tally()
        .current_dir(dir.path())
        .args(["check", "a.txt", "--format", "concise", "--exit-zero"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("repeat/doubled-char"));
    let plain = tally()
        .current_dir(dir.path())
        .args(["check", "a.txt", "--format", "concise"])
        .output()
        .expect("runs");
    assert_eq!(plain.status.code(), Some(1));
    let missing = tally()
        .current_dir(dir.path())
        .args(["check", "missing.txt", "--exit-zero"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn output_file_holds_the_report_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("a.txt"), "我们对对这件事进行了研究。\n").expect("write");
    let to_stdout = tally()
        .current_dir(dir.path())
        .args(["check", "a.txt", "--format", "json"])
        .output()
        .expect("runs");
    let to_file = tally()
        .current_dir(dir.path())
        .args([
            "check",
            "a.txt",
            "--format",
            "json",
            "--output-file",
            "report.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(to_file.status.code(), Some(1));
    assert!(to_file.stdout.is_empty());
    let written = std::fs::read(dir.path().join("report.json")).expect("report written");
    assert_eq!(written, to_stdout.stdout);
    let human = tally()
        .current_dir(dir.path())
        .args(["check", "a.txt", "--color", "auto", "-o", "report.txt"])
        .output()
        .expect("runs");
    assert_eq!(human.status.code(), Some(1));
    let text = std::fs::read_to_string(dir.path().join("report.txt")).expect("report");
    assert!(
        text.contains("repeat/doubled-char") && !text.contains('\u{1b}'),
        "{text}"
    );
    let unwritable = tally()
        .current_dir(dir.path())
        .args(["check", "a.txt", "-o", "no/such/folder/r.txt"])
        .output()
        .expect("runs");
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains("no/such/folder/r.txt"));
}
