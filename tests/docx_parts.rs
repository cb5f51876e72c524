//! Word files beyond the body, through the real binary: errors planted in footnotes and comments
//! are found and name their zone in every output format, and Word's automatic numbering is read
//! as Word shows it, so heading-numbering rules see it; fixes never touch generated labels.

mod support;

use std::path::Path;

use assert_cmd::Command;
use serde_json::{json, Value};

fn tally(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tally").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    tally(dir).args(args).output().expect("run")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

fn p(text: &str) -> String {
    format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
}

/// A report with a doubled character in the body, in a footnote and in a comment.
fn planted() -> Vec<u8> {
    let body = concat!(
        r#"<w:p><w:r><w:t>全年工作对对推进。</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>"#,
        r#"<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>办理复议案件182件。</w:t></w:r>"#,
        r#"<w:r><w:commentReference w:id="0"/></w:r></w:p>"#,
        r#"<w:sectPr><w:headerReference w:type="default" r:id="header1"/></w:sectPr>"#
    );
    support::docx_with_parts(
        body,
        &[
            (
                "word/header1.xml",
                &support::header_xml(&p("某某市人民政府")),
            ),
            (
                "word/footnotes.xml",
                &support::notes_xml("footnotes", &[(1, &p(" 本项工作对对推进。"))]),
            ),
            (
                "word/comments.xml",
                &support::comments_xml(&[(0, "张三", &p("请完善了了制度。"))]),
            ),
        ],
    )
}

/// (line, zone) of each `repeat/doubled-char` diagnostic of a JSON document or JSONL records.
fn doubled(diagnostics: &[Value]) -> Vec<(u64, Value)> {
    diagnostics
        .iter()
        .filter(|d| d["rule"] == "repeat/doubled-char")
        .map(|d| (d["line"].as_u64().unwrap_or(0), d["zone"].clone()))
        .collect()
}

fn footnote_and_comment() -> Vec<(u64, Value)> {
    vec![
        (1, Value::Null),
        (6, json!({"kind": "footnote", "name": "footnote 1"})),
        (8, json!({"kind": "comment", "name": "comment 1 by 张三"})),
    ]
}

/// The error messages of `schema` (a path in the repository) for `document`, or `None` without
/// python3's jsonschema (tests/contracts.rs makes that fail in CI).
fn schema_errors(schema: &str, document: &Value) -> Option<Vec<String>> {
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("document.json");
    std::fs::write(&input, document.to_string()).expect("write");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join(schema);
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\n\
        cls=jsonschema.validators.validator_for(schema)\n\
        print(json.dumps([e.message for e in cls(schema).iter_errors(json.load(open(sys.argv[2])))]))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(&input)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    serde_json::from_slice(&out.stdout).ok()
}

#[test]
fn errors_in_a_footnote_and_a_comment_are_found_and_name_their_zone() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("r.docx"), planted()).expect("write");

    let text = stdout(&run(dir.path(), &["extract", "r.docx"]));
    assert_eq!(
        text,
        "全年工作对对推进。\n办理复议案件182件。\n\n某某市人民政府\n\n 本项工作对对推进。\n\n请完善了了制度。\n"
    );

    let out = run(dir.path(), &["check", "r.docx", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let diagnostics = v["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(doubled(diagnostics), footnote_and_comment());
    // A finding in the body has no `zone` key at all.
    assert!(diagnostics
        .iter()
        .filter(|d| d["line"] == 1)
        .all(|d| d.get("zone").is_none()));
    if let Some(errors) = schema_errors("schemas/output-json.json", &v) {
        assert!(errors.is_empty(), "{errors:?}");
        // A zone of an unknown kind breaks the contract: the check is not vacuous.
        let mut broken = v.clone();
        broken["diagnostics"][1]["zone"]["kind"] = "sidebar".into();
        assert!(!schema_errors("schemas/output-json.json", &broken)
            .unwrap_or_default()
            .is_empty());
    }

    let out = run(dir.path(), &["check", "r.docx", "--format", "jsonl"]);
    let records: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON value per line"))
        .collect();
    assert_eq!(doubled(&records), footnote_and_comment());
    for record in &records {
        if let Some(errors) = schema_errors("schemas/output-jsonl.json", record) {
            assert!(errors.is_empty(), "{record}: {errors:?}");
        }
    }

    let human = stdout(&run(dir.path(), &["check", "r.docx"]));
    assert!(human.contains("r.docx (in footnote 1):6:"), "{human}");
    assert!(
        human.contains("r.docx (in comment 1 by 张三):8:"),
        "{human}"
    );
    assert!(human.contains("r.docx:1:"), "{human}");
    assert!(!human.contains("in body"), "{human}");

    let out = run(dir.path(), &["check", "r.docx", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let zones: Vec<(u64, Value, Value)> = results
        .iter()
        .filter(|r| r["ruleId"] == "repeat/doubled-char")
        .map(|r| {
            let location = &r["locations"][0];
            (
                location["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap_or(0),
                r["properties"]["zone"].clone(),
                location["message"]["text"].clone(),
            )
        })
        .collect();
    assert_eq!(
        zones,
        [
            (1, Value::Null, Value::Null),
            (
                6,
                json!({"kind": "footnote", "name": "footnote 1"}),
                json!("in footnote 1")
            ),
            (
                8,
                json!({"kind": "comment", "name": "comment 1 by 张三"}),
                json!("in comment 1 by 张三")
            ),
        ]
    );
    // The official schema, when .ci/run has fetched it (tests/ci.rs requires it in CI).
    if let Ok(schema) = std::env::var("TALLY_SARIF_SCHEMA") {
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(schema).expect("schema")).expect("json");
        let dir = tempfile::tempdir().expect("tmp");
        let (s, l) = (dir.path().join("s.json"), dir.path().join("l.json"));
        std::fs::write(&s, schema.to_string()).expect("write");
        std::fs::write(&l, &out.stdout).expect("write");
        let status = std::process::Command::new("python3")
            .args([
                "-c",
                "import json,sys,jsonschema\ns=json.load(open(sys.argv[1]))\nl=json.load(open(sys.argv[2]))\njsonschema.validators.validator_for(s)(s).validate(l)\n",
            ])
            .arg(&s)
            .arg(&l)
            .status()
            .expect("python3");
        assert!(status.success(), "the SARIF log does not validate");
    }
}

/// A paragraph numbered by instance `num` at level `ilvl`.
fn numbered(num: u32, ilvl: u32, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
    )
}

/// Heading numbering as a Chinese report template defines it: 一、 / （一） / 1. on three levels
/// (Word's default tab after each label), instance 1; a bullet list, instance 2; instance 3
/// continues instance 1 with its first level set to 4 (Word's "Set Numbering Value"); instance
/// 4 restarts the second level at 1.
const NUMBERING: &str = concat!(
    r#"<w:abstractNum w:abstractNumId="0">"#,
    r#"<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>"#,
    r#"<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>"#,
    r#"<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>"#,
    r#"</w:abstractNum>"#,
    r#"<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="●"/></w:lvl></w:abstractNum>"#,
    r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#,
    r#"<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>"#,
    r#"<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="4"/></w:lvlOverride></w:num>"#,
    r#"<w:num w:numId="4"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="1"><w:startOverride w:val="1"/></w:lvlOverride></w:num>"#
);

fn numbered_docx(dir: &Path, name: &str, body: &str) {
    let z = support::docx_with_parts(
        body,
        &[("word/numbering.xml", &support::numbering_xml(NUMBERING))],
    );
    std::fs::write(dir.join(name), z).expect("write");
}

/// (rule, line, column, matched label) of each sequence finding.
fn sequence_findings(dir: &Path, name: &str) -> Vec<(String, u64, u64)> {
    let out = run(dir, &["check", name, "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| {
            d["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("sequence/"))
        })
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn automatic_numbering_that_skips_a_heading_is_reported_at_the_label() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = [
        numbered(1, 0, "总体情况"),
        p("全年受理案件182件。"),
        numbered(1, 0, "主要工作"),
        // "Set Numbering Value" to 4: Word shows 四、, skipping 三、.
        numbered(3, 0, "下一步打算"),
    ]
    .concat();
    numbered_docx(dir.path(), "skip.docx", &body);
    let text = stdout(&run(dir.path(), &["extract", "skip.docx"]));
    assert_eq!(
        text,
        "一、 总体情况\n全年受理案件182件。\n二、 主要工作\n四、 下一步打算\n"
    );
    assert_eq!(
        sequence_findings(dir.path(), "skip.docx"),
        [("sequence/heading-numbering".to_owned(), 4, 1)]
    );
    let human = stdout(&run(dir.path(), &["check", "skip.docx"]));
    assert!(
        human.contains("“四、”之前是第 2 项，应为第 3 项"),
        "{human}"
    );
}

#[test]
fn correct_automatic_numbering_with_nested_levels_and_bullets_is_silent() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = [
        numbered(1, 0, "总体情况"),
        numbered(1, 1, "组织领导"),
        numbered(1, 2, "成立领导小组"),
        numbered(1, 2, "制定方案"),
        numbered(1, 1, "制度建设"),
        numbered(2, 0, "要点甲"),
        numbered(2, 0, "要点乙"),
        numbered(1, 0, "主要工作"),
        // The second level restarts under a new first-level heading, the third under the second.
        numbered(1, 1, "立法"),
        numbered(1, 2, "审议条例"),
        // Instance 4 shares the list and restarts its second level at 1 (a new run, silent).
        numbered(4, 1, "执法"),
        numbered(1, 0, "存在问题"),
    ]
    .concat();
    numbered_docx(dir.path(), "ok.docx", &body);
    let text = stdout(&run(dir.path(), &["extract", "ok.docx"]));
    assert_eq!(
        text,
        concat!(
            "一、 总体情况\n（一） 组织领导\n1. 成立领导小组\n2. 制定方案\n（二） 制度建设\n",
            // A bullet is not a number: no label at all.
            "要点甲\n要点乙\n",
            "二、 主要工作\n（一） 立法\n1. 审议条例\n（一） 执法\n三、 存在问题\n"
        )
    );
    assert_eq!(sequence_findings(dir.path(), "ok.docx"), []);
}

#[test]
fn fix_never_writes_into_a_docx_even_for_a_fix_on_a_generated_label() {
    let dir = tempfile::tempdir().expect("tmp");
    // A user rule with a safe fix whose match is exactly a numbering label.
    std::fs::write(
        dir.path().join("label.toml"),
        r#"[[rule]]
id = "style/heading-comma"
kind = "pattern"
severity = "error"
message = "标题序号“{match}”"
description = "A first-level heading label; the fix rewrites it."

[rule.pattern]
regex = '^(?<mark>[一二三四五六七八九十]+、)'
report = "mark"
fix = "第{mark}"
applicability = "safe"

[rule.tests]
valid = ["总体情况"]
invalid = ["一、总体情况"]
"#,
    )
    .expect("write");
    numbered_docx(dir.path(), "r.docx", &numbered(1, 0, "总体情况"));
    let before = std::fs::read(dir.path().join("r.docx")).expect("read");
    let out = run(
        dir.path(),
        &[
            "check",
            "r.docx",
            "--rules",
            "label.toml",
            "--select",
            "style/heading-comma",
            "--fix",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let found: Vec<(u64, u64)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "style/heading-comma")
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // Found at the label, the start of the paragraph; still reported, since it was not fixed.
    assert_eq!(found, [(1, 1)], "{v}");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read(dir.path().join("r.docx")).expect("read"),
        before
    );
}
