//! Folder walks through the command line: ignore files and hidden files apply to files as well
//! as folders, and `--hidden` / `--no-ignore` lift them as ripgrep's flags do.

use std::path::Path;

use assert_cmd::Command;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The paths with findings when checking `.` in `dir` with `extra` flags.
fn checked(dir: &Path, extra: &[&str]) -> Vec<String> {
    let out = Command::cargo_bin("tally")
        .expect("binary")
        .current_dir(dir)
        .args(["check", ".", "--format", "concise"])
        .args(extra)
        .output()
        .expect("run");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut paths: Vec<String> = text
        .lines()
        .filter_map(|l| l.split(':').next().map(str::to_owned))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), ".gitignore", "secret.txt\n");
    write(dir.path(), ".ignore", "local.md\n");
    for name in [
        "a.txt",
        "secret.txt",
        "local.md",
        ".hidden.txt",
        ".dot/b.txt",
    ] {
        write(dir.path(), name, "开展对对评查。\n");
    }
    dir
}

#[test]
fn gitignored_ignored_and_hidden_files_are_skipped() {
    let dir = tree();
    assert_eq!(checked(dir.path(), &[]), ["./a.txt"]);
}

#[test]
fn hidden_flag_walks_hidden_files_and_folders() {
    let dir = tree();
    assert_eq!(
        checked(dir.path(), &["--hidden"]),
        ["./.dot/b.txt", "./.hidden.txt", "./a.txt"]
    );
}

#[test]
fn no_ignore_flag_walks_ignored_files() {
    let dir = tree();
    assert_eq!(
        checked(dir.path(), &["--no-ignore"]),
        ["./a.txt", "./local.md", "./secret.txt"]
    );
    assert_eq!(checked(dir.path(), &["--no-ignore", "--hidden"]).len(), 5);
}
