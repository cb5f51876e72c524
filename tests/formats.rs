//! Real inputs: Markdown, HTML pages, Word .docx and PDF (through a stand-in `pdftotext`), with
//! findings placed in the file as written, tables checked at the cell, and per-file errors for
//! what cannot be read while the other files are still checked.

mod support;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn tally() -> Command {
    let mut cmd = Command::cargo_bin("tally").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write");
}

/// Runs `tally check --format json` in `dir` and returns (exit code, JSON).
fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = tally()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (out.status.code().unwrap_or(-1), v)
}

/// (rule, line, column) of every diagnostic of `path`.
fn found(v: &Value, path: &str) -> Vec<(String, u64, u64)> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["path"] == path)
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn error_of(v: &Value, path: &str) -> String {
    v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["path"] == path)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error for {path} in {v}"))
        .to_owned()
}

const DEFECTIVE_TXT: &[u8] = "工作对对推进。\n".as_bytes();

#[test]
fn markdown_code_is_not_checked_and_front_matter_fields_are() {
    let dir = tempfile::tempdir().expect("tmp");
    let md = "---\n标题: 年度报告\n生成日期:\n---\n\n正文对对推进。\n\n```text\n示例对对，增长6.1%%\n```\n\n命令 `对对` 与 ``增长6.1%%`` 不检查。\n";
    write(dir.path(), "r.md", md.as_bytes());
    let (code, v) = check_json(dir.path(), &["r.md"]);
    assert_eq!(code, 1);
    let got = found(&v, "r.md");
    assert!(
        got.contains(&("repeat/doubled-char".to_owned(), 6, 3)),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|(r, l, c)| r.starts_with("field/empty") && *l == 3 && *c == 1),
        "{got:?}"
    );
    assert!(got.iter().all(|(_, l, _)| *l != 9 && *l != 12), "{got:?}");
}

/// A stand-in for poppler's `pdftotext` that checks its arguments and prints two pages.
fn fake_pdftotext(dir: &Path) {
    let script = "#!/bin/sh\n[ \"$1\" = \"-layout\" ] || { echo \"expected -layout\" >&2; exit 3; }\ncase \"$4\" in *broken.pdf) echo 'Syntax Error: Couldn'\"'\"'t find trailer dictionary' >&2; exit 1;; esac\nprintf '第一页正文。\\n\\f第二页工作对对推进。\\n\\f'\n";
    let path = dir.join("pdftotext");
    std::fs::write(&path, script).expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

#[cfg(unix)]
#[test]
fn pdf_text_comes_from_pdftotext_with_pages() {
    let dir = tempfile::tempdir().expect("tmp");
    let bin = tempfile::tempdir().expect("tmp");
    fake_pdftotext(bin.path());
    write(dir.path(), "r.pdf", b"%PDF-1.4 stand-in");
    write(dir.path(), "broken.pdf", b"%PDF-1.4 broken");
    let out = tally()
        .current_dir(dir.path())
        .env("PATH", bin.path())
        .args(["check", "--format", "json", "r.pdf", "broken.pdf"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let d = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["rule"] == "repeat/doubled-char")
        .expect("the doubled character on page two");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(6))
    );
    assert_eq!(d["page"].as_u64(), Some(2));
    assert_eq!(d["page_line"].as_u64(), Some(1));
    let message = error_of(&v, "broken.pdf");
    assert!(message.contains("pdftotext failed"), "{message}");
    assert!(message.contains("trailer"), "{message}");
    // People see the page and the line on it too.
    let out = tally()
        .current_dir(dir.path())
        .env("PATH", bin.path())
        .args(["check", "r.pdf"])
        .output()
        .expect("run");
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("r.pdf (page 2, line 1):2:6"), "{human}");
}

#[test]
fn pdf_without_pdftotext_names_the_package_and_other_files_are_checked() {
    let dir = tempfile::tempdir().expect("tmp");
    let empty = tempfile::tempdir().expect("tmp");
    write(dir.path(), "r.pdf", b"%PDF-1.4");
    write(dir.path(), "a.txt", DEFECTIVE_TXT);
    let out = tally()
        .current_dir(dir.path())
        .env("PATH", empty.path())
        .args(["check", "--format", "json", "."])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let message = error_of(&v, "./r.pdf");
    assert!(message.contains("poppler-utils"), "{message}");
    assert!(!found(&v, "./a.txt").is_empty());
}

const PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>对对 不检查</title>
<script>var s = "增长6.1%%";</script><style>td { color: red }</style></head>
<body><!-- 导航 对对 -->
<div class="nav"><a href="/">首页</a> &gt; <a href="/x">政府信息公开</a></div>
<table class="header">
<tr><td>索引号：</td><td>014-2024-001</td><td>发布机构：</td><td></td></tr>
<tr><td>生成日期：</td><td>2024-03-01</td><td>公开日期：</td><td>2024-03-01</td></tr>
</table>
<p>全年办理&ldquo;放管服&rdquo;事项工作对对推进。</p>
<table>
<tr><th>项目</th><th>件数</th><th>金额（万元）</th></tr>
<tr><td>甲类</td><td>12</td><td>1,234.56</td></tr>
<tr><td>乙类</td><td>30</td><td>819.44</td></tr>
<tr><td>合计</td><td>43</td><td>2,054.00</td></tr>
</table>
</body></html>
"#;

#[test]
fn html_findings_are_placed_in_the_page_source() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "p.html", PAGE.as_bytes());
    let (code, v) = check_json(dir.path(), &["p.html"]);
    assert_eq!(code, 1);
    let got = found(&v, "p.html");
    let line_of = |needle: &str| {
        PAGE.lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u64 + 1)
            .expect("needle")
    };
    let col_of = |needle: &str, inner: &str| {
        let line = PAGE.lines().find(|l| l.contains(needle)).expect("needle");
        line[..line.find(inner).expect("inner")].chars().count() as u64 + 1
    };
    // The empty 发布机构 cell of the header block.
    assert!(
        got.contains(&(
            "field/empty-required".to_owned(),
            line_of("发布机构"),
            col_of("发布机构", "发布机构")
        )),
        "{got:?}"
    );
    // The doubled character, after entities that were decoded.
    assert!(
        got.contains(&(
            "repeat/doubled-char".to_owned(),
            line_of("放管服"),
            col_of("放管服", "对对")
        )),
        "{got:?}"
    );
    // The wrong total, at its cell; the correct decimal column stays silent.
    let totals: Vec<_> = got
        .iter()
        .filter(|(r, _, _)| r == "table/total-mismatch")
        .collect();
    assert_eq!(
        totals,
        [&(
            "table/total-mismatch".to_owned(),
            line_of("<td>合计</td>"),
            col_of("<td>合计</td>", "43")
        )]
    );
    // Nothing from the title, script, style or comment.
    assert!(got.iter().all(|(_, l, _)| *l > 4), "{got:?}");
}

#[test]
fn a_correct_html_table_is_silent() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = "<table><tr><th>地区</th><th>一季度</th><th>二季度</th><th>合计</th></tr>\
        <tr><td>甲区</td><td>3</td><td>4</td><td>7</td></tr>\
        <tr><td>乙区</td><td>5</td><td>—</td><td>5</td></tr>\
        <tr><td>合计</td><td>8</td><td>4</td><td>12</td></tr></table>";
    write(dir.path(), "t.html", page.as_bytes());
    let (code, v) = check_json(dir.path(), &["t.html"]);
    assert_eq!((code, found(&v, "t.html")), (0, vec![]));
}

#[test]
fn random_bytes_named_html_are_an_error_and_other_files_are_checked() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut state: u32 = 12345;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as u8
        })
        .collect();
    write(dir.path(), "junk.html", &bytes);
    write(dir.path(), "a.txt", DEFECTIVE_TXT);
    let (code, v) = check_json(dir.path(), &["junk.html", "a.txt"]);
    assert_eq!(code, 2);
    let message = error_of(&v, "junk.html");
    assert!(
        message.contains("binary") || message.contains("invalid"),
        "{message}"
    );
    assert!(!found(&v, "a.txt").is_empty());
}

#[test]
fn html_fixes_are_written_into_the_page_only_where_the_text_is_verbatim() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = "<html><body>\n<p>该区于2020429日挂牌。</p>\n<p>又于2020&#52;29日印发。</p>\n</body></html>\n";
    write(dir.path(), "f.html", page.as_bytes());
    tally()
        .current_dir(dir.path())
        .args(["check", "--fix", "f.html"])
        .assert()
        .code(1);
    let fixed = std::fs::read_to_string(dir.path().join("f.html")).expect("read");
    assert!(
        fixed.contains("<p>该区于2020年4月29日挂牌。</p>"),
        "{fixed}"
    );
    // The second date runs through an entity (`&#52;` is 4): its fix is not written.
    assert!(fixed.contains("<p>又于2020&#52;29日印发。</p>"), "{fixed}");
    assert!(fixed.starts_with("<html><body>\n"));
}

#[test]
fn extract_prints_what_the_rules_see() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "p.html", PAGE.as_bytes());
    let out = tally()
        .current_dir(dir.path())
        .args(["extract", "p.html"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        text.contains("全年办理“放管服”事项工作对对推进。"),
        "{text}"
    );
    assert!(!text.contains("var s"), "{text}");
    let out = tally()
        .current_dir(dir.path())
        .args(["extract", "--tables", "p.html"])
        .output()
        .expect("run");
    let tables = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(tables.contains("| 合计 | 43 | 2,054.00 |"), "{tables}");
}

#[test]
fn docx_findings_name_the_paragraph_and_tables_are_checked_at_the_cell() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = r#"<w:p><w:r><w:t>关于工作情况的报告</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">全年工作对</w:t></w:r><w:r><w:t>对推进。</w:t></w:r></w:p>
<w:tbl>
<w:tr><w:tc><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>件数</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>甲类</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>12</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>乙类</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>30</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>合计</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>41</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:r><w:t>以上。</w:t></w:r></w:p>"#;
    let docx = support::docx(body);
    write(dir.path(), "r.docx", &docx);
    let (code, v) = check_json(dir.path(), &["r.docx", "--fix"]);
    assert_eq!(code, 1);
    let got = found(&v, "r.docx");
    assert!(
        got.contains(&("repeat/doubled-char".to_owned(), 2, 5)),
        "{got:?}"
    );
    // Rows are paragraphs 3–6: the total row is the sixth, its figure the second cell.
    assert!(
        got.contains(&("table/total-mismatch".to_owned(), 6, 4)),
        "{got:?}"
    );
    // Nothing is ever written into a .docx.
    assert_eq!(
        std::fs::read(dir.path().join("r.docx")).expect("read"),
        docx
    );
    // A correct table is silent.
    let good = support::docx(&body.replace("<w:t>41</w:t>", "<w:t>42</w:t>"));
    write(dir.path(), "good.docx", &good);
    let (_, v) = check_json(dir.path(), &["good.docx"]);
    assert!(
        found(&v, "good.docx")
            .iter()
            .all(|(r, _, _)| r != "table/total-mismatch"),
        "{v}"
    );
}

#[test]
fn bad_archives_are_per_file_errors_and_other_files_are_checked() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = support::docx("<w:p><w:r><w:t>正文。</w:t></w:r></w:p>");
    write(dir.path(), "truncated.docx", &good[..good.len() / 2]);
    write(dir.path(), "bomb.docx", &support::zip_bomb());
    write(dir.path(), "notzip.docx", b"plain text named .docx");
    write(dir.path(), "a.txt", DEFECTIVE_TXT);
    let (code, v) = check_json(dir.path(), &["."]);
    assert_eq!(code, 2);
    for (name, words) in [
        ("./truncated.docx", "ZIP"),
        ("./bomb.docx", "bomb"),
        ("./notzip.docx", "ZIP"),
    ] {
        let message = error_of(&v, name);
        assert!(
            message.to_lowercase().contains(&words.to_lowercase()),
            "{name}: {message}"
        );
    }
    assert!(!found(&v, "./a.txt").is_empty());
}

#[test]
fn a_declared_identity_over_columns_is_checked_group_by_group() {
    let dir = tempfile::tempdir().expect("tmp");
    let rules = r#"
[[rule]]
id = "table/appeals"
kind = "table"
severity = "error"
message = "{label}: {parts} = {sum}, not {stated}"
description = "Maintained + corrected + pending = total, in each group of columns."
[rule.table]
check = "identity"
left = ['维持', '纠正', '未结']
right = ['合共']
[rule.tests]
valid = ["| 维持 | 纠正 | 未结 | 合共 |\n|---|---|---|---|\n| 1 | 2 | 3 | 6 |\n"]
invalid = ["| 维持 | 纠正 | 未结 | 合共 |\n|---|---|---|---|\n| 1 | 2 | 3 | 7 |\n"]
"#;
    write(dir.path(), "appeals.toml", rules.as_bytes());
    let page = "<table>\
        <tr><th colspan=4>复议</th><th colspan=4>诉讼</th></tr>\
        <tr><th>维持</th><th>纠正</th><th>未结</th><th>合共</th><th>维持</th><th>纠正</th><th>未结</th><th>合共</th></tr>\
        <tr><td>1</td><td>2</td><td>3</td><td>6</td><td>4</td><td>0</td><td>1</td><td>6</td></tr>\
        <tr><td>2</td><td>2</td><td>2</td><td>6</td><td>1</td><td>1</td><td>1</td><td>3</td></tr>\
        </table>";
    write(dir.path(), "t.html", page.as_bytes());
    let (code, v) = check_json(
        dir.path(),
        &["--no-default-rules", "--rules", "appeals.toml", "t.html"],
    );
    assert_eq!(code, 1);
    let messages: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(messages, ["诉讼合共: 4 + 0 + 1 = 5, not 6"]);
}

#[test]
fn markdown_fixes_are_written_around_code_left_as_it_was() {
    let dir = tempfile::tempdir().expect("tmp");
    let md = "# 报告\n\n该区于2020429日挂牌。\n\n```\n示例 2020429日 不改\n```\n";
    write(dir.path(), "f.md", md.as_bytes());
    tally()
        .current_dir(dir.path())
        .args(["check", "--fix", "f.md"])
        .assert()
        .code(0);
    let fixed = std::fs::read_to_string(dir.path().join("f.md")).expect("read");
    assert_eq!(
        fixed,
        "# 报告\n\n该区于2020年4月29日挂牌。\n\n```\n示例 2020429日 不改\n```\n"
    );
}

#[test]
fn html_comments_suppress_the_next_source_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = "<body>\n<!-- tally-ignore: repeat/ -->\n<p>工作对对推进。</p>\n<p>再次对对。</p>\n</body>\n";
    write(dir.path(), "s.html", page.as_bytes());
    let (code, v) = check_json(dir.path(), &["s.html"]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&v, "s.html"),
        [("repeat/doubled-char".to_owned(), 4, 6)]
    );
}

#[test]
fn a_suppression_shown_in_markdown_code_does_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let md = "用法：\n\n```\n<!-- tally-disable -->\n```\n\n工作对对推进。\n";
    write(dir.path(), "c.md", md.as_bytes());
    let (_, v) = check_json(dir.path(), &["c.md"]);
    assert_eq!(
        found(&v, "c.md"),
        [("repeat/doubled-char".to_owned(), 7, 3)]
    );
}

#[test]
fn an_html_charset_label_yields_to_a_bom_and_to_valid_utf8() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = "<meta charset=\"gb2312\"><p>工作对对推进。</p>\n";
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(page.as_bytes());
    write(dir.path(), "bom.html", &bom);
    write(dir.path(), "utf8.html", page.as_bytes());
    let (gb, _, _) = encoding_rs::GB18030.encode(page);
    write(dir.path(), "gb.html", &gb);
    let (code, v) = check_json(dir.path(), &["bom.html", "utf8.html", "gb.html"]);
    assert_eq!(code, 1, "{v}");
    for name in ["bom.html", "utf8.html", "gb.html"] {
        assert_eq!(
            found(&v, name),
            [("repeat/doubled-char".to_owned(), 1, 29)],
            "{name}"
        );
    }
}

#[test]
fn a_table_header_is_not_a_header_block() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = "<table><tr><th>序号</th><th>文件名称</th><th>公开日期</th><th>文号</th></tr>\
        <tr><td>1</td><td>关于印发方案的通知</td><td>2024-03-01</td><td>青政发〔2024〕3号</td></tr></table>";
    write(dir.path(), "list.html", page.as_bytes());
    let (code, v) = check_json(dir.path(), &["list.html"]);
    assert_eq!((code, found(&v, "list.html")), (0, vec![]));
}

#[test]
fn a_total_leading_its_column_group_totals_the_columns_after_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = |spent: &str| {
        format!(
            "<table>\
            <tr><th rowspan=\"2\">单位</th><th colspan=\"3\">收入</th><th colspan=\"3\">支出</th></tr>\
            <tr><th>合计</th><th>财政拨款</th><th>其他收入</th><th>合计</th><th>基本支出</th><th>项目支出</th></tr>\
            <tr><td>甲单位</td><td>100</td><td>80</td><td>20</td><td>{spent}</td><td>60</td><td>30</td></tr>\
            <tr><td>乙单位</td><td>50</td><td>40</td><td>10</td><td>50</td><td>30</td><td>20</td></tr>\
            </table>"
        )
    };
    write(dir.path(), "ok.html", page("90").as_bytes());
    write(dir.path(), "bad.html", page("95").as_bytes());
    let (_, v) = check_json(dir.path(), &["ok.html", "bad.html"]);
    assert!(found(&v, "ok.html").is_empty(), "{v}");
    let messages: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["path"] == "bad.html")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        ["甲单位的合计 95 不等于各列之和 90（60 + 30），相差 5"]
    );
}
