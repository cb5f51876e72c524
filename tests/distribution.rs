//! How tally is installed and run by others: the package name, the composite action's scripts
//! (run here with bash, as the runner would), and the release profile. `.ci/run` validates
//! `action.yml` against the GitHub Actions schema; these tests check what a schema cannot.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).expect("readable")
}

/// The `run: |` script of the step named `name` in action.yml (its lines, dedented).
fn action_script(name: &str) -> String {
    let text = read("action.yml");
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("action.yml has no step `{name}`"));
    let run = start
        + lines[start..]
            .iter()
            .position(|l| l.trim() == "run: |")
            .expect("the step has a `run: |` block");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let body_indent = indent(lines[run]) + 2;
    lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) >= body_indent)
        .map(|l| l.get(body_indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn tally_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_tally"))
        .parent()
        .expect("the binary's folder")
        .to_path_buf()
}

#[test]
fn package_is_tally_lint_with_a_tally_binary_and_library() {
    let manifest: toml::Value = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml");
    // `tally` on crates.io belongs to another program.
    assert_eq!(manifest["package"]["name"].as_str(), Some("tally-lint"));
    assert_eq!(manifest["lib"]["name"].as_str(), Some("tally"));
    let bins = manifest["bin"].as_array().expect("[[bin]]");
    assert_eq!(bins.len(), 1);
    assert_eq!(bins[0]["name"].as_str(), Some("tally"));
    let dist = &manifest["profile"]["dist"];
    assert_eq!(dist["inherits"].as_str(), Some("release"));
    assert_eq!(dist["debug"].as_integer(), Some(0));
    assert_eq!(dist["strip"].as_bool(), Some(true));
    assert_eq!(dist["lto"].as_str(), Some("thin"));
}

#[test]
fn action_passes_inputs_through_env_only() {
    let text = read("action.yml");
    for (n, line) in text.lines().enumerate() {
        if !line.contains("${{") || line.trim_start().starts_with('#') {
            continue;
        }
        // Allowed: `KEY: ${{ … }}` under env:/with:, and `if: ${{ … }}`.
        let (key, value) = line.trim().split_once(": ").unwrap_or(("", ""));
        let key_ok = key == "if"
            || key == "sarif_file"
            || (!key.is_empty() && key.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        let value_ok = value.starts_with("${{");
        assert!(
            key_ok && value_ok,
            "action.yml:{}: an expression outside env:/with:/if: {line}",
            n + 1
        );
    }
    let install = action_script("Install tally");
    assert!(
        install.contains("cargo install tally-lint --locked --version \"$TALLY_VERSION\""),
        "{install}"
    );
    assert!(install.contains("cargo install --locked --path \"$TALLY_ACTION_PATH\""));
    assert!(text.contains("uses: github/codeql-action/upload-sarif@v3"));
}

#[test]
fn action_scripts_split_inputs_and_keep_exit_codes() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("a b.txt"), "对对。\n").expect("write");
    std::fs::write(dir.path().join("c.txt"), "正文。\n").expect("write");
    std::fs::write(dir.path().join("*.txt"), "正文。\n").expect("write");
    let path = format!(
        "{}:{}",
        tally_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |step: &str, paths: &str, args: &str| {
        std::process::Command::new("bash")
            .args(["-e", "-c", &action_script(step)])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("TALLY_PATHS", paths)
            .env("TALLY_ARGS", args)
            .env("RUNNER_TEMP", dir.path())
            .output()
            .expect("bash runs")
    };
    // Two paths and two arguments; `*.txt` names the file called `*.txt`, not every file.
    let out = run(
        "Run tally",
        "c.txt *.txt",
        "--fail-on error --select repeat/",
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = run("Run tally", ".", "--select repeat/");
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings fail the step: {out:?}"
    );
    let annotations = String::from_utf8_lossy(&out.stdout);
    assert!(
        annotations.contains("::error file=./a b.txt,line=1"),
        "{annotations}"
    );
    // The SARIF step accepts findings (exit 1), writes the log, and stops on errors (exit 2).
    let out = run("Write SARIF", ".", "--select repeat/");
    assert!(out.status.success(), "{out:?}");
    let log: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("tally.sarif")).expect("the SARIF log"),
    )
    .expect("JSON");
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(1));
    let out = run("Write SARIF", "missing.txt", "");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
