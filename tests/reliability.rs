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
