//! `--fix`, `--unsafe-fixes` and `--diff`: only certain fixes by default, atomic writes that keep
//! line endings, BOM and permissions, idempotence, and files that are never written.

use std::path::Path;

use assert_cmd::Command;

fn tally(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tally").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// A report written for this test with the three ways a date loses its 年/月/日, plus an unsafe
/// fix (a doubled character) and findings without fixes.
const REPORT: &str = "公开日期: 2021-01-18\n\n开发区行政审批局于20179月底挂牌。区政府于2020429日印发清单。\n\n5年来对对全区35家单位开展评查，办理复议案件182件，其中纠错率12.93%。\n\n某区人民政府\n\n202117";

const FIXED: &str = "公开日期: 2021-01-18\n\n开发区行政审批局于2017年9月底挂牌。区政府于2020年4月29日印发清单。\n\n5年来对对全区35家单位开展评查，办理复议案件182件，其中纠错率12.93%。\n\n某区人民政府\n\n2021年1月7日";

fn no_temp_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            !name.contains("tally-"),
            "temporary file left behind: {name}"
        );
    }
}

#[test]
fn fix_applies_only_safe_fixes_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("report.txt");
    std::fs::write(&path, REPORT).expect("write");
    let out = tally(dir.path())
        .args(["check", "report.txt", "--fix", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), FIXED);
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(stderr.contains("Fixed 3 findings in 1 file."), "{stderr}");
    // The remaining findings are reported; the fixed ones are not.
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert!(
        rules.contains(&"repeat/doubled-char") && !rules.contains(&"date/lost-separators"),
        "{rules:?}"
    );
    no_temp_files(dir.path());

    let again = tally(dir.path())
        .args(["check", "report.txt", "--fix"])
        .output()
        .expect("run");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        FIXED,
        "a second --fix changes nothing"
    );
    assert!(!String::from_utf8_lossy(&again.stderr).contains("Fixed"));
}

#[test]
fn unsafe_fixes_are_applied_only_on_request() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("report.txt");
    std::fs::write(&path, REPORT).expect("write");
    tally(dir.path())
        .args(["check", "report.txt", "--fix", "--unsafe-fixes"])
        .output()
        .expect("run");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.contains("5年来对全区") && text.contains("2020年4月29日"),
        "{text}"
    );
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("report.txt");
    std::fs::write(&path, REPORT).expect("write");
    let out = tally(dir.path())
        .args(["check", "report.txt", "--diff"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let diff = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        diff.starts_with("--- a/report.txt\n+++ b/report.txt\n"),
        "{diff}"
    );
    assert!(diff.contains("-开发区行政审批局于20179月底挂牌。区政府于2020429日印发清单。\n+开发区行政审批局于2017年9月底挂牌。区政府于2020年4月29日印发清单。\n"), "{diff}");
    assert!(
        diff.contains("-202117\n\\ No newline at end of file\n+2021年1月7日\n"),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), REPORT);
    let clean = dir.path().join("clean.txt");
    std::fs::write(&clean, "2021年1月7日印发。\n").expect("write");
    tally(dir.path())
        .args(["check", "clean.txt", "--diff"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn fix_keeps_crlf_bom_and_permissions() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("crlf.txt");
    let crlf = format!("\u{feff}{}", REPORT.replace('\n', "\r\n"));
    std::fs::write(&path, &crlf).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    tally(dir.path())
        .args(["check", "crlf.txt", "--fix"])
        .output()
        .expect("run");
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(text, format!("\u{feff}{}", FIXED.replace('\n', "\r\n")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    no_temp_files(dir.path());
}

#[test]
fn gb18030_files_are_written_back_as_gb18030() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("gbk.txt");
    let crlf = REPORT.replace('\n', "\r\n");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&crlf);
    std::fs::write(&path, &bytes).expect("write");
    tally(dir.path())
        .args(["check", "gbk.txt", "--fix"])
        .output()
        .expect("run");
    let written = std::fs::read(&path).expect("read");
    let fixed_crlf = FIXED.replace('\n', "\r\n");
    let (expected, _, _) = encoding_rs::GB18030.encode(&fixed_crlf);
    assert_eq!(
        written,
        expected.into_owned(),
        "fixed text, in GB18030, with CRLF"
    );
}

#[test]
fn undecodable_files_are_never_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bad.txt");
    // Valid in neither UTF-8 nor GB18030 (0xFF starts nothing), with a date that lost its 年月日.
    let bytes: Vec<u8> = b"\xff\xfe\xfd 2020429\xff\n".to_vec();
    std::fs::write(&path, &bytes).expect("write");
    tally(dir.path())
        .args(["check", "bad.txt", "--fix"])
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
}

#[test]
fn a_file_changed_during_the_run_is_not_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("moving.txt");
    std::fs::write(&path, "new content\n").expect("write");
    let result = tally::fix::write_atomically(&path, b"old content\n", b"fixed\n");
    assert!(matches!(result, Err(tally::fix::WriteError::Changed)));
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "new content\n"
    );
    no_temp_files(dir.path());
}

#[test]
fn stdin_is_echoed_fixed() {
    let dir = tempfile::tempdir().expect("tmp");
    tally(dir.path())
        .args(["check", "-", "--fix"])
        .write_stdin("于2020429日印发。\n")
        .assert()
        .stdout("于2020年4月29日印发。\n");
}
