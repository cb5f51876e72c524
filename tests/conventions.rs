//! Command-line conventions of linters: `--show-files`, `tally completions SHELL`, `tally man`.

use std::path::Path;

use assert_cmd::Command;

fn tally(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tally").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

#[test]
fn show_files_lists_what_would_be_checked_and_checks_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), ".gitignore", "skip.txt\n");
    write(dir.path(), "b.txt", "开展对对评查。\n");
    write(dir.path(), "a/c.md", "开展对对评查。\n");
    write(dir.path(), "skip.txt", "开展对对评查。\n");
    write(dir.path(), "d.rst", "开展对对评查。\n");
    write(dir.path(), "tally.toml", "globs = [\"*.rst\"]\n");
    let out = tally(dir.path())
        .args(["check", ".", "--show-files"])
        .output()
        .expect("run");
    // Exit 0 although the files have findings: nothing is checked.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), "./a/c.md\n./b.txt\n./d.rst\n");
    // The walk's flags, globs and shards apply as in a run; standard input is named, not read.
    let out = tally(dir.path())
        .args([
            "check",
            ".",
            "-",
            "--stdin-filename",
            "in.txt",
            "--no-ignore",
            "--glob",
            "!a/**",
            "--show-files",
        ])
        .output()
        .expect("run");
    assert_eq!(stdout(&out), "./b.txt\n./d.rst\n./skip.txt\nin.txt\n");
    let mut union = Vec::new();
    for i in 1..=2 {
        let shard = format!("{i}/2");
        let out = tally(dir.path())
            .args(["check", ".", "--show-files", "--shard", &shard])
            .output()
            .expect("run");
        union.extend(stdout(&out).lines().map(str::to_owned));
    }
    union.sort();
    assert_eq!(union, ["./a/c.md", "./b.txt", "./d.rst"]);
    // A missing path is an error, after the files that exist.
    let out = tally(dir.path())
        .args(["check", "b.txt", "nope.txt", "--show-files"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "b.txt\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: nope.txt: no such file"));
}

#[test]
fn completions_are_generated_for_each_shell() {
    let dir = tempfile::tempdir().expect("tmp");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = tally(dir.path())
            .args(["completions", shell])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        for flag in ["show-files", "no-ignore", "fail-on"] {
            assert!(script.contains(flag), "{shell}: no {flag}");
        }
    }
    let bash = tally(dir.path())
        .args(["completions", "bash"])
        .output()
        .expect("run");
    let file = dir.path().join("tally.bash");
    std::fs::write(&file, &bash.stdout).expect("write");
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .status()
        .expect("bash");
    assert!(syntax.success(), "the bash script parses");
    tally(dir.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn man_pages_for_tally_and_its_subcommands() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = |args: &[&str]| {
        let out = tally(dir.path()).args(args).output().expect("run");
        (out.status.code(), stdout(&out))
    };
    let (code, main) = page(&["man"]);
    assert_eq!(code, Some(0));
    assert!(main.contains(".TH tally 1"), "{main}");
    assert!(
        main.contains("tally\\-check(1)"),
        "the subcommands are listed"
    );
    let (code, check) = page(&["man", "check"]);
    assert_eq!(code, Some(0));
    assert!(
        check.contains(".TH tally\\-check 1") || check.contains(".TH tally-check 1"),
        "{check}"
    );
    assert!(check.contains(env!("CARGO_PKG_VERSION")));
    for flag in ["\\-\\-no\\-ignore", "\\-\\-show\\-files", "\\-\\-format"] {
        assert!(check.contains(flag), "{flag}");
    }
    let (code, _) = page(&["man", "nope"]);
    assert_eq!(code, Some(2));
}
