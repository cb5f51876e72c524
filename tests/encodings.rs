//! The same report in UTF-8, GB18030 and UTF-16 (with and without a byte order mark) gives the
//! same findings at the same lines and columns; the JSON names the encoding when it is not UTF-8.

use assert_cmd::Command;

const REPORT: &str = "公开日期: 2021-01-18\n\n开发区于20179月底挂牌。办理复议案件182件，其中纠错率12.93%。\n\n围绕法与国家”“法与我们三大主题。5年来对对全区开展评查。\n";

fn findings(dir: &std::path::Path, name: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", name, "--format", "json"];
    args.extend_from_slice(extra);
    let out = Command::cargo_bin("tally")
        .expect("binary")
        .current_dir(dir)
        .args(&args)
        .output()
        .expect("run");
    serde_json::from_slice(&out.stdout).expect("json")
}

fn positions(v: &serde_json::Value) -> Vec<(String, u64, u64)> {
    v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
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
fn every_encoding_gives_the_same_findings() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("utf8.txt"), REPORT).expect("write");
    let (gb, _, _) = encoding_rs::GB18030.encode(REPORT);
    std::fs::write(dir.path().join("gb.txt"), &gb).expect("write");
    let mut le = vec![0xFF, 0xFE];
    le.extend(REPORT.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.path().join("le.txt"), &le).expect("write");
    let be: Vec<u8> = REPORT.encode_utf16().flat_map(u16::to_be_bytes).collect();
    std::fs::write(dir.path().join("be.txt"), &be).expect("write");

    let reference = findings(dir.path(), "utf8.txt", &[]);
    let expected = positions(&reference);
    assert!(expected.len() >= 5, "{expected:?}");
    assert!(
        reference["diagnostics"][0].get("encoding").is_none(),
        "UTF-8 needs no encoding field"
    );
    for (name, encoding) in [
        ("gb.txt", "gb18030"),
        ("le.txt", "UTF-16LE"),
        ("be.txt", "UTF-16BE"),
    ] {
        let v = findings(dir.path(), name, &[]);
        assert_eq!(positions(&v), expected, "{name}");
        assert_eq!(v["diagnostics"][0]["encoding"], encoding, "{name}");
        assert_eq!(v["errors"], serde_json::json!([]), "{name}");
    }
    // A forced encoding that does not fit is a per-file error, not garbage.
    let forced = findings(dir.path(), "gb.txt", &["--encoding", "utf-8"]);
    let message = forced["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("invalid UTF-8 at byte offset"),
        "{message}"
    );
    let gbk = findings(dir.path(), "gb.txt", &["--encoding", "gbk"]);
    assert_eq!(positions(&gbk), expected);
}
