//! Issue 16, "never corrupt a file, never stall on one": fixes keep every byte they do not touch
//! in every encoding, `--fix` keeps a file's identity (links, permissions, owner) and leaves no
//! temporary file behind, and fixing twice changes nothing more than fixing once.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};
use proptest::prelude::*;
use tally::engine::{load_rules, RuleSet};
use tally::engine::{Applicability, Finding, Fix};
use tally::fix::{apply, apply_to_bytes, FixMode};
use tally::source::{load_bytes, load_bytes_as, Decoding, Document, Loaded};

fn rules() -> &'static RuleSet {
    use std::sync::OnceLock;
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| load_rules(false, &[]).expect("built-in rules compile"))
}

fn tally(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tally").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn document(bytes: &[u8], forced: Option<&'static Encoding>) -> Document {
    match load_bytes_as("t.txt", bytes, forced) {
        Ok(Loaded::Text(doc)) => doc,
        _ => panic!("not a text document"),
    }
}

fn no_temp_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("dir") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        assert!(!name.contains("tally-"), "temporary file left: {name}");
    }
}

/// A line with a date that lost its 年/月/日 (a safe fix), between lines of bytes that do not
/// survive decoding and encoding again.
/// (Every character is in GBK and Big5.)
const MIDDLE: &str = "政府于2020429日公布。\n";
const FIXED_MIDDLE: &str = "政府于2020年4月29日公布。\n";

struct Case {
    name: &'static str,
    forced: Option<&'static Encoding>,
    encoding: &'static Encoding,
    bom: &'static [u8],
    /// Bytes before and after the fixed line.
    around: (&'static [u8], &'static [u8]),
}

fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    match encoding.name() {
        "UTF-16LE" => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        "UTF-16BE" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        _ => encoding.encode(text).0.into_owned(),
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "UTF-8",
            forced: None,
            encoding: UTF_8,
            bom: b"",
            around: ("第一行，é😀\n".as_bytes(), "末行\r\n".as_bytes()),
        },
        Case {
            name: "UTF-8 with BOM",
            forced: None,
            encoding: UTF_8,
            bom: b"\xEF\xBB\xBF",
            around: ("第一行\n".as_bytes(), "末行".as_bytes()),
        },
        // GBK 80 decodes to €, which GB18030 writes as A2E3; A3A0 decodes to U+3000 (A1A1).
        Case {
            name: "GB18030 (GBK bytes)",
            forced: Some(GB18030),
            encoding: GB18030,
            bom: b"",
            around: (b"\x80\xA3\xA0\xD6\xD0\n", b"\xA3\xA0\x80\r\n"),
        },
        Case {
            name: "GBK",
            forced: Some(GBK),
            encoding: GBK,
            bom: b"",
            around: (b"\xA3\xA0\xD6\xD0\n", b"\xA3\xA0\n"),
        },
        // Big5 A2A4 decodes to U+2550, written back as F9F9; Big5-HKSCS 8862 decodes to Ê̄, which
        // Big5 cannot encode as such (it became the text `&#202;&#772;`).
        Case {
            name: "Big5",
            forced: Some(BIG5),
            encoding: BIG5,
            bom: b"",
            around: (b"\xA2\xA4\x88\x62\xA4\xA4\n", b"\x88\x62\xA2\xA4\n"),
        },
        Case {
            name: "UTF-16LE with BOM",
            forced: None,
            encoding: UTF_16LE,
            bom: b"\xFF\xFE",
            around: (b"\x2C\x7B\x00\x4E\x0A\x00", b"\x2B\x67\x0A\x00"),
        },
        Case {
            name: "UTF-16BE with BOM",
            forced: None,
            encoding: UTF_16BE,
            bom: b"\xFE\xFF",
            around: (b"\x7B\x2C\x4E\x00\x00\x0A", b"\x67\x2B\x00\x0A"),
        },
    ]
}

#[test]
fn issue_16_fixes_keep_every_byte_outside_their_spans() {
    for case in cases() {
        let (before, after) = case.around;
        let original = [case.bom, before, &encode(case.encoding, MIDDLE), after].concat();
        let doc = document(&original, case.forced);
        assert_eq!(doc.decoding.encoding, case.encoding, "{}", case.name);
        let findings = tally::engine::check(&doc, rules());
        let spliced = apply_to_bytes(
            &original,
            &doc.decoding,
            doc.source_text(),
            &findings,
            FixMode::Safe,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(spliced.fixed.len(), 1, "{}", case.name);
        assert!(spliced.skipped.is_empty(), "{}", case.name);
        let expected = [
            case.bom,
            before,
            &encode(case.encoding, FIXED_MIDDLE),
            after,
        ]
        .concat();
        assert_eq!(spliced.bytes, expected, "{}", case.name);
        assert_eq!(
            spliced.text,
            doc.source_text().replace(MIDDLE, FIXED_MIDDLE),
            "{}",
            case.name
        );
    }
}

#[test]
fn issue_16_legacy_bytes_do_not_survive_encoding_the_text_again() {
    // Why fixes are spliced: the whole text encoded again changes bytes outside the fixes.
    for case in cases().into_iter().filter(|c| c.forced.is_some()) {
        let original = [case.around.0, case.around.1].concat();
        let doc = document(&original, case.forced);
        assert_ne!(doc.decoding.encode(&doc.text), original, "{}", case.name);
    }
}

#[test]
fn issue_16_a_replacement_the_encoding_cannot_hold_is_skipped() {
    let original = b"\xA4\xA4\xA4\xE5\xA4\xA4\n".to_vec(); // 中文中 in Big5
    let doc = document(&original, Some(BIG5));
    let fix = |span: std::ops::Range<usize>, replacement: &str| Finding {
        rule: rules().ids().next().expect("a rule"),
        operands: Vec::new(),
        span: span.clone(),
        message: String::new(),
        help: None,
        fix: Some(Fix {
            span,
            replacement: replacement.to_owned(),
            applicability: Applicability::Safe,
        }),
    };
    let findings = vec![fix(0..3, "😀"), fix(6..9, "文")];
    let spliced = apply_to_bytes(
        &original,
        &doc.decoding,
        &doc.text,
        &findings,
        FixMode::Safe,
    )
    .expect("ok");
    assert_eq!(spliced.fixed.as_slice(), [1]);
    assert_eq!(spliced.skipped.len(), 1);
    assert_eq!(spliced.skipped[0].finding, 0);
    assert!(
        spliced.skipped[0].reason.contains("U+1F600"),
        "{:?}",
        spliced.skipped
    );
    assert_eq!(spliced.bytes, b"\xA4\xA4\xA4\xE5\xA4\xE5\n");
    assert_eq!(spliced.text, "中文文\n");
}

#[test]
fn issue_16_a_fix_inside_a_two_character_big5_pair_is_skipped() {
    // 8862 decodes to Ê and a combining macron: no byte boundary lies between them.
    let original = b"\x88\x62\n".to_vec();
    let doc = document(&original, Some(BIG5));
    assert_eq!(doc.text.chars().count(), 3);
    let at = doc.text.char_indices().nth(1).expect("macron").0;
    let findings = vec![Finding {
        rule: rules().ids().next().expect("a rule"),
        operands: Vec::new(),
        span: at..at + 2,
        message: String::new(),
        help: None,
        fix: Some(Fix {
            span: at..at + 2,
            replacement: String::new(),
            applicability: Applicability::Safe,
        }),
    }];
    let spliced = apply_to_bytes(
        &original,
        &doc.decoding,
        &doc.text,
        &findings,
        FixMode::Safe,
    )
    .expect("ok");
    assert!(spliced.fixed.is_empty());
    assert_eq!(spliced.skipped.len(), 1);
    assert_eq!(spliced.bytes, original);
}

#[test]
fn issue_16_fix_keeps_every_byte_outside_the_fix() {
    // A GBK `80` used to become `A2E3`, and Big5-HKSCS `8862` a character reference: the fix is
    // now encoded on its own and spliced into the bytes as read.
    let dir = tempfile::tempdir().expect("tmp");
    for (name, head, encoding) in [
        ("gbk.txt", b"\x80\xA3\xA0\n".as_slice(), GB18030),
        ("big5.txt", b"\x88\x62\n".as_slice(), BIG5),
    ] {
        let bytes = [head, &encoding.encode(MIDDLE).0].concat();
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).expect("write");
        let out = tally(dir.path())
            .args(["check", name, "--fix"])
            .output()
            .expect("run");
        let shown = String::from_utf8_lossy(&out.stdout);
        let written = std::fs::read(&path).expect("read");
        let expected = [head, &encoding.encode(FIXED_MIDDLE).0].concat();
        assert_eq!(written, expected, "{name}: {shown}");
    }
    no_temp_files(dir.path());
}

const REPORT: &str = "区政府于2020429日印发清单。\n";
const FIXED: &str = "区政府于2020年4月29日印发清单。\n";

#[cfg(unix)]
mod identity {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    #[test]
    fn issue_16_a_symlink_stays_a_symlink_and_its_target_is_fixed() {
        let dir = tempfile::tempdir().expect("tmp");
        let real = dir.path().join("real");
        std::fs::create_dir(&real).expect("mkdir");
        std::fs::write(real.join("report.txt"), REPORT).expect("write");
        std::os::unix::fs::symlink("real/report.txt", dir.path().join("link.txt")).expect("ln");
        tally(dir.path())
            .args(["check", "link.txt", "--fix"])
            .output()
            .expect("run");
        let link = dir.path().join("link.txt");
        assert!(std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read_link(&link).expect("link"),
            PathBuf::from("real/report.txt")
        );
        assert_eq!(
            std::fs::read_to_string(real.join("report.txt")).expect("read"),
            FIXED
        );
        no_temp_files(dir.path());
        no_temp_files(&real);
    }

    #[test]
    fn issue_16_a_read_only_file_is_refused_even_for_root() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("locked.txt");
        std::fs::write(&path, REPORT).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
        let out = tally(dir.path())
            .args(["check", "locked.txt", "--fix"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains("locked.txt: the file is read-only (mode 0444)"),
            "{shown}"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), REPORT);
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o444);
        no_temp_files(dir.path());
    }

    #[test]
    fn issue_16_hard_links_keep_sharing_the_fixed_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        std::fs::write(&a, REPORT).expect("write");
        std::fs::hard_link(&a, &b).expect("ln");
        let inode = std::fs::metadata(&a).expect("meta").ino();
        tally(dir.path())
            .args(["check", "a.txt", "--fix"])
            .output()
            .expect("run");
        assert_eq!(std::fs::read_to_string(&a).expect("read"), FIXED);
        assert_eq!(std::fs::read_to_string(&b).expect("read"), FIXED);
        let meta = std::fs::metadata(&a).expect("meta");
        assert_eq!((meta.ino(), meta.nlink()), (inode, 2));
        no_temp_files(dir.path());
    }

    #[test]
    fn issue_16_owner_group_and_mode_are_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("owned.txt");
        std::fs::write(&path, REPORT).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let me = std::fs::metadata(&path).expect("meta");
        // Giving the file away needs root; otherwise the owner is ours and must stay ours.
        let owner = if std::os::unix::fs::chown(&path, Some(4321), Some(4322)).is_ok() {
            (4321, 4322)
        } else {
            (me.uid(), me.gid())
        };
        let inode = std::fs::metadata(&path).expect("meta").ino();
        tally(dir.path())
            .args(["check", "owned.txt", "--fix"])
            .output()
            .expect("run");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), FIXED);
        let meta = std::fs::metadata(&path).expect("meta");
        assert_eq!((meta.uid(), meta.gid()), owner);
        assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
        // A single link is replaced by a rename: a new inode, atomically.
        assert_ne!(meta.ino(), inode);
        no_temp_files(dir.path());
    }

    const CHILD: &str = "TALLY_TEST_SIGNAL_CHILD";

    #[test]
    fn issue_16_a_signal_during_the_write_waits_until_the_temporary_file_is_gone() {
        use std::os::unix::process::ExitStatusExt;
        if let Some(path) = std::env::var_os(CHILD) {
            signal_during_write(Path::new(&path));
        }
        for (name, signal) in [("INT", libc::SIGINT), ("TERM", libc::SIGTERM)] {
            let dir = tempfile::tempdir().expect("tmp");
            let path = dir.path().join("big.txt");
            std::fs::write(&path, vec![b'a'; 64 << 20]).expect("write");
            // This test again, in a child process that writes the file and signals itself.
            let status = std::process::Command::new(std::env::current_exe().expect("exe"))
                .args([
                    "--exact",
                    "identity::issue_16_a_signal_during_the_write_waits_until_the_temporary_file_is_gone",
                    "--nocapture",
                ])
                .env(CHILD, &path)
                .env("TALLY_TEST_SIGNAL", name)
                .stdout(std::process::Stdio::null())
                .status()
                .expect("child");
            assert_eq!(status.signal(), Some(signal), "SIG{name}: {status:?}");
            no_temp_files(dir.path());
            // The signal waited for the new content to be in place.
            let written = std::fs::read(&path).expect("read");
            assert!(
                written.len() == 64 << 20 && written.iter().all(|&b| b == b'b'),
                "SIG{name}"
            );
        }
    }

    /// In the child: sends the signal as soon as the temporary file exists, and writes.
    fn signal_during_write(path: &Path) -> ! {
        let signal = match std::env::var("TALLY_TEST_SIGNAL").as_deref() {
            Ok("TERM") => libc::SIGTERM,
            _ => libc::SIGINT,
        };
        let original = std::fs::read(path).expect("read");
        let dir = path.parent().expect("dir").to_owned();
        std::thread::spawn(move || loop {
            let temp = std::fs::read_dir(&dir).expect("dir").any(|e| {
                e.expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .contains("tally-")
            });
            if temp {
                // SAFETY: kill(2) with this process's id and a valid signal.
                unsafe { libc::kill(std::process::id() as libc::pid_t, signal) };
                return;
            }
        });
        let result = tally::fix::write_fixed(path, &original, &vec![b'b'; original.len()]);
        // A held signal is delivered as `write_fixed` returns; one sent just after the
        // temporary file was renamed arrives within moments.
        std::thread::sleep(std::time::Duration::from_secs(10));
        panic!("no signal ended the process ({result:?})");
    }
}

/// The text after one `--fix --unsafe-fixes` pass with every built-in rule.
fn fix_once(path: &str, text: &str) -> String {
    let Ok(Loaded::Text(doc)) = load_bytes(path, text.as_bytes()) else {
        return text.to_owned();
    };
    let findings: Vec<Finding> = tally::engine::check(&doc, rules())
        .into_iter()
        .map(|mut f| {
            f.fix = f.fix.filter(|x| doc.fixable(x.span.clone())).map(|mut x| {
                x.span = doc.source_span(x.span);
                x
            });
            f
        })
        .collect();
    apply(doc.source_text(), &findings, FixMode::Unsafe).0
}

fn assert_idempotent(path: &str, text: &str) {
    let once = fix_once(path, text);
    let twice = fix_once(path, &once);
    assert_eq!(twice, once, "{path}: a second --fix changes the text again");
}

#[test]
fn issue_16_tripled_text_is_fixed_in_one_pass() {
    for text in [
        "对对对\n",
        "5年来对对对对全区\n",
        "The the the report.\n",
        "of of of of them\n",
    ] {
        let once = fix_once("t.txt", text);
        assert!(
            !once.contains("对对") && !once.contains("the the"),
            "{once}"
        );
        assert_idempotent("t.txt", text);
    }
}

#[test]
fn issue_16_fixing_the_corpus_twice_changes_nothing_more() {
    let mut files = Vec::new();
    for dir in ["corpus/zh", "corpus/en"] {
        for entry in
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).expect("corpus")
        {
            let path = entry.expect("entry").path();
            if !path.to_string_lossy().ends_with(".expect.toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10);
    for path in files {
        let text = std::fs::read_to_string(&path).expect("utf-8 corpus");
        assert_idempotent(&path.to_string_lossy(), &text);
    }
}

/// Text made of what the rules with fixes look at: doubled characters and words, dates that
/// lost their separators, punctuation.
fn fixable_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "对",
        "的",
        "了",
        "在",
        "方",
        "对方",
        "实在",
        "学习",
        "习近平",
        "the",
        "The",
        " ",
        "\t",
        "of",
        "had",
        "2020",
        "4",
        "29",
        "1",
        "年",
        "月",
        "日",
        "于",
        "印发",
        "，",
        "。",
        ",",
        ".",
        "“",
        "”",
        "（",
        "）",
        "(",
        ")",
        "%",
        "％",
        "\n",
        "\r\n",
        "\n\n",
        "a",
        "é",
        "😀",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fixing_twice_changes_nothing_more(text in fixable_text()) {
        let once = fix_once("p.txt", &text);
        prop_assert_eq!(fix_once("p.txt", &once), once);
    }
}

#[test]
fn decoding_offsets_of_utf16_count_surrogate_pairs() {
    let d = Decoding {
        encoding: UTF_16LE,
        bom: true,
    };
    let text = "a😀b";
    let bytes = [b"\xFF\xFE".as_slice(), &encode(UTF_16LE, text)].concat();
    assert_eq!(
        d.byte_offsets(&bytes, text, &[0, 1, 5, 6]),
        vec![Some(2), Some(4), Some(8), Some(10)]
    );
}

// ---------------------------------------------------------------------------------------------
// Streamed output and inputs (issue 16, items 5 and 6).

/// Copies the labelled corpus (text, Markdown, HTML) into `dir` until there are `count` files,
/// in sub-folders so that input order is not creation order.
fn many_files(dir: &Path, count: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut sources = Vec::new();
    let mut stack = vec![root];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("corpus").flatten() {
                stack.push(entry.path());
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "txt" || e == "md" || e == "html")
        {
            sources.push(path);
        }
    }
    sources.sort();
    assert!(sources.len() > 5, "corpus/ holds documents");
    for i in 0..count {
        let source = &sources[i % sources.len()];
        let name = source.file_name().expect("name").to_string_lossy();
        let sub = dir.join(format!("{}", (count - i) % 7));
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::copy(source, sub.join(format!("{i}-{name}"))).expect("copy");
    }
}

#[test]
fn issue_16_output_bytes_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().expect("tmp");
    // Enough files that workers finish out of order (and, with two threads, often do).
    many_files(dir.path(), 100);
    for format in ["json", "jsonl", "human", "sarif"] {
        let run = |threads: &str| {
            let out = tally(dir.path())
                .args(["check", ".", "--format", format, "-j", threads])
                .output()
                .expect("run");
            assert_eq!(out.status.code(), Some(1), "{format} -j {threads}");
            // The human summary ends with the elapsed time, the only part that may differ (the
            // machine formats carry no time).
            let text = String::from_utf8(out.stdout).expect("UTF-8");
            let end = match format {
                "human" => text.rfind(" in "),
                _ => None,
            };
            text[..end.unwrap_or(text.len())].to_owned()
        };
        let one = run("1");
        assert!(one.len() > 10_000, "{format}: findings were written");
        let other = run("2");
        let differ = one.bytes().zip(other.bytes()).position(|(a, b)| a != b);
        assert!(
            one == other,
            "{format}: -j1 and -j2 differ at byte {differ:?} (lengths {} and {})",
            one.len(),
            other.len()
        );
    }
}

#[test]
fn issue_16_results_are_written_as_soon_as_each_document_is_done() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("a.txt"), "5年来对对全区开展评查。\n").expect("write");
    // A document that takes a while to check, after the first one.
    let line = "全区开展评查工作，申报示范点2个，占比为百分之三十。\n";
    std::fs::write(dir.path().join("b.txt"), line.repeat(30_000)).expect("write");
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tally"))
        .current_dir(dir.path())
        .args(["check", "a.txt", "b.txt", "--format", "jsonl", "-j", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    // The header record comes first; then the first document's findings.
    let mut first = String::new();
    while !first.contains("\"diagnostic\"") {
        first.clear();
        assert!(
            stdout.read_line(&mut first).expect("a line") > 0,
            "no diagnostic record"
        );
    }
    let first_at = started.elapsed();
    assert!(first.contains("\"a.txt\""), "{first}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("rest");
    child.wait().expect("wait");
    let total = started.elapsed();
    assert!(
        first_at * 2 < total,
        "the first result came after {first_at:?} of {total:?}: output is not streamed"
    );
}

#[test]
fn issue_16_the_exit_status_counts_findings_when_the_output_pipe_closes() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tmp");
    // Far more output than a pipe holds, so writing after the reader has gone fails.
    std::fs::write(dir.path().join("many.txt"), "对对\n".repeat(20_000)).expect("write");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tally"))
        .current_dir(dir.path())
        .args(["check", "many.txt", "--format", "concise"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    assert!(first.starts_with("many.txt:1:1:"), "{first}");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings exit 1, as `| head -1`"
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// Runs with a time limit: a FIFO must be refused, not opened (opening one blocks).
#[cfg(unix)]
fn tally_in_time(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = tally(dir);
    cmd.args(args).timeout(std::time::Duration::from_secs(60));
    cmd.output().expect("run")
}

#[cfg(unix)]
#[test]
fn issue_16_a_fifo_or_device_named_as_input_is_an_error_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().expect("tmp");
    mkfifo(&dir.path().join("pipe.txt"));
    std::fs::write(dir.path().join("a.txt"), "5年来对对全区开展评查。\n").expect("write");
    std::fs::write(dir.path().join("list"), "pipe.txt\n/dev/zero\n").expect("write");
    for args in [
        &[
            "check",
            "pipe.txt",
            "/dev/zero",
            "a.txt",
            "--format",
            "json",
        ][..],
        &["check", "--files-from", "list", "a.txt", "--format", "json"][..],
    ] {
        let out = tally_in_time(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let errors = v["errors"].as_array().expect("errors");
        let says = |path: &str, what: &str| {
            errors.iter().any(|e| {
                e["path"] == path
                    && e["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("not a regular file") && m.contains(what))
            })
        };
        assert!(says("pipe.txt", "FIFO"), "{args:?}: {errors:?}");
        assert!(
            says("/dev/zero", "character device"),
            "{args:?}: {errors:?}"
        );
        assert_eq!(v["summary"]["files"], 1, "a.txt is still checked");
        assert!(v["summary"]["diagnostics"].as_u64() > Some(0));
    }
}

#[cfg(unix)]
#[test]
fn issue_16_a_fifo_as_rule_file_or_configuration_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    mkfifo(&dir.path().join("rules.toml"));
    std::fs::write(dir.path().join("a.txt"), "好。\n").expect("write");
    let out = tally_in_time(dir.path(), &["check", "--rules", "rules.toml", "a.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rules.toml") && stderr.contains("not a regular file (a FIFO)"),
        "{stderr}"
    );
    let out = tally_in_time(dir.path(), &["check", "--config", "rules.toml", "a.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a regular file (a FIFO)"), "{stderr}");
}

#[test]
fn issue_16_threads_are_capped_at_a_multiple_of_the_cores_with_a_note() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("a.txt"), "5年来对对全区开展评查。\n").expect("write");
    let started = std::time::Instant::now();
    let out = tally(dir.path())
        .args(["check", "a.txt", "-j", "100000", "--format", "concise"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(
        stderr.contains("-j 100000 is more than 4 threads per core")
            && stderr.contains(&format!("using {}", cores * 4)),
        "{stderr}"
    );
    // 100 000 threads took minutes to start; the capped pool takes no time.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[cfg(unix)]
#[test]
fn issue_16_a_symlink_loop_in_a_rules_folder_is_read_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("sub")).expect("mkdir");
    std::fs::write(rules.join("mine.toml"), MY_RULE).expect("write");
    std::os::unix::fs::symlink("..", rules.join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink("../sub", rules.join("sub/again")).expect("symlink");
    std::fs::write(dir.path().join("a.txt"), "the the report\n").expect("write");
    let out = tally_in_time(
        dir.path(),
        &[
            "check",
            "--rules",
            "rules",
            "--select",
            "repeat/mine",
            "a.txt",
            "--format",
            "concise",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("already defined"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("repeat/mine"));
}

/// A rule file with one rule, `repeat/mine` (doubled words), its `id =` on line 2.
const MY_RULE: &str = "[[rule]]\nid = \"repeat/mine\"\nname = \"mine\"\nkind = \"repeat\"\nseverity = \"warning\"\nmessage = \"doubled\"\ndescription = \"Doubled words.\"\n[rule.repeat]\nwords = true\n";

#[test]
fn issue_16_a_duplicate_rule_id_is_reported_at_its_id_line() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("a.toml"), MY_RULE).expect("write");
    std::fs::write(dir.path().join("b.toml"), format!("# copy\n\n{MY_RULE}")).expect("write");
    std::fs::write(dir.path().join("t.txt"), "好。\n").expect("write");
    let out = tally(dir.path())
        .args(["check", "--rules", "a.toml", "--rules", "b.toml", "t.txt"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("b.toml:4:6: rule id `repeat/mine` is already defined at a.toml:2"),
        "{stderr}"
    );
    assert!(stderr.contains("4 │ id = \"repeat/mine\""), "{stderr}");
}

#[test]
fn issue_16_a_named_binary_or_undecodable_file_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("image.txt"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    )
    .expect("write");
    // UTF-16LE without a byte order mark, with one lone surrogate.
    let mut utf16: Vec<u8> = "全区开展评查工作。\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    utf16.extend_from_slice(&0xD800u16.to_le_bytes());
    std::fs::write(dir.path().join("utf16.txt"), &utf16).expect("write");
    std::fs::write(dir.path().join("a.txt"), "5年来对对全区开展评查。\n").expect("write");
    let out = tally(dir.path())
        .args([
            "check",
            "image.txt",
            "utf16.txt",
            "a.txt",
            "--format",
            "json",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let errors: Vec<&str> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("not text"))
        })
        .map(|e| e["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(errors, ["image.txt", "utf16.txt"]);
    assert_eq!(v["summary"]["files"], 1);
    // Found in a folder, a binary file is skipped as before.
    let out = tally(dir.path())
        .args(["check", ".", "--glob", "!a.txt", "--glob", "!utf16.txt"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn issue_16_a_selection_that_matches_no_rule_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("a.txt"), "5年来对对全区开展评查。\n").expect("write");
    let out = tally(dir.path())
        .args([
            "check", "a.txt", "--select", "nothing/", "--select", "repeat/",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--select `nothing/` matches no rule"),
        "{stderr}"
    );
    std::fs::write(dir.path().join("tally.toml"), "select = [\"nope/\"]\n").expect("write");
    let out = tally(dir.path())
        .args(["check", "a.txt"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tally.toml: select `nope/` matches no rule"),
        "{stderr}"
    );
}

#[test]
fn issue_16_configuration_errors_are_counted_as_configuration_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("tally.toml"), "bogus = 1\n").expect("write");
    std::fs::write(dir.path().join("a.txt"), "好。\n").expect("write");
    let out = tally(dir.path())
        .args(["check", "a.txt"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 error in the configuration"), "{stderr}");
    assert!(!stderr.contains("rule files"), "{stderr}");
}

/// A write error while fixing (here `File too large` from a file-size limit, as a full disk
/// gives `No space left on device`) is said to be one, not that the file could not be read.
#[cfg(target_os = "linux")]
#[test]
fn issue_16_a_write_error_during_fix_is_not_called_unreadable() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = "政府于2020429日公布。\n".repeat(2_000);
    std::fs::write(dir.path().join("big.txt"), &text).expect("write");
    // Ignored signals stay ignored across exec: the write fails instead of killing tally.
    let out = std::process::Command::new("sh")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 16; exec \"$0\" check --fix big.txt",
        ])
        .arg(assert_cmd::cargo::cargo_bin("tally"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error: big.txt: cannot write fixes"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fixes to 1 file could not be written"),
        "{stdout}"
    );
    assert!(!stdout.contains("could not be read"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("big.txt")).expect("read"),
        text
    );
    no_temp_files(dir.path());
}
