//! Automatic fixes: choosing the fixes a run may apply, applying them, writing files atomically,
//! and showing them as a unified diff.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use crate::engine::{Applicability, Finding};

/// Which fixes a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Only certain fixes.
    Safe,
    /// Certain and plausible fixes.
    Unsafe,
}

/// Applies every eligible fix of `findings` (sorted by position) that does not overlap an earlier
/// one. Returns the new text and the indices of the findings that were fixed.
pub fn apply(text: &str, findings: &[Finding], mode: FixMode) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut fixed = Vec::new();
    let mut at = 0;
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| findings[i].fix.as_ref().map(|f| (f.span.start, f.span.end)));
    for i in order {
        let Some(fix) = &findings[i].fix else {
            continue;
        };
        let eligible = fix.applicability == Applicability::Safe || mode == FixMode::Unsafe;
        if !eligible || fix.span.start < at || fix.span.end > text.len() {
            continue;
        }
        out.push_str(&text[at..fix.span.start]);
        out.push_str(&fix.replacement);
        at = fix.span.end;
        fixed.push(i);
    }
    out.push_str(&text[at..]);
    (out, fixed)
}

/// Why a fixed file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The file changed on disk while tally was checking it.
    Changed,
    /// Reading, writing or renaming failed.
    Io(io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Changed => write!(
                f,
                "the file changed on disk during the run; fixes not written"
            ),
            WriteError::Io(err) => write!(f, "cannot write fixes: {err}"),
        }
    }
}

/// Writes `bytes` over `path` atomically: the new content goes to a temporary file in the same
/// folder (same permissions), which then replaces the original by a rename. `original` is what
/// was read; if the file no longer holds it, nothing is written.
pub fn write_atomically(path: &Path, original: &[u8], bytes: &[u8]) -> Result<(), WriteError> {
    let current = fs::read(path).map_err(WriteError::Io)?;
    if current != original {
        return Err(WriteError::Changed);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tally-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        let permissions = fs::metadata(path)?.permissions();
        fs::set_permissions(&temp, permissions)?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(WriteError::Io)
}

/// A unified diff of two texts, with three lines of context, labelled with `path`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    if a == b {
        return String::new();
    }
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    if a.len() == b.len() {
        // Fixes that keep the line count: one hunk per group of changed lines.
        let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for &i in &changed {
            match groups.last_mut() {
                Some((_, last)) if i - *last <= 2 * CONTEXT => *last = i,
                _ => groups.push((i, i)),
            }
        }
        for (first, last) in groups {
            let start = first.saturating_sub(CONTEXT);
            let end = (last + CONTEXT + 1).min(a.len());
            out.push_str(&format!(
                "@@ -{},{} +{},{} @@\n",
                start + 1,
                end - start,
                start + 1,
                end - start
            ));
            for i in start..end {
                if a[i] == b[i] {
                    push_line(' ', a[i], &mut out);
                } else {
                    push_line('-', a[i], &mut out);
                    push_line('+', b[i], &mut out);
                }
            }
        }
        return out;
    }
    // Otherwise one hunk around the changed region, found from both ends.
    let mut prefix = 0;
    while prefix < a.len() && prefix < b.len() && a[prefix] == b[prefix] {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < a.len() - prefix
        && suffix < b.len() - prefix
        && a[a.len() - 1 - suffix] == b[b.len() - 1 - suffix]
    {
        suffix += 1;
    }
    let start = prefix.saturating_sub(CONTEXT);
    let (end_a, end_b) = (
        (a.len() - suffix + CONTEXT).min(a.len()),
        (b.len() - suffix + CONTEXT).min(b.len()),
    );
    let after = (end_a - (a.len() - suffix)).min(end_b - (b.len() - suffix));
    out.push_str(&format!(
        "@@ -{},{} +{},{} @@\n",
        start + 1,
        a.len() - suffix + after - start,
        start + 1,
        b.len() - suffix + after - start
    ));
    for l in &a[start..prefix] {
        push_line(' ', l, &mut out);
    }
    for l in &a[prefix..a.len() - suffix] {
        push_line('-', l, &mut out);
    }
    for l in &b[prefix..b.len() - suffix] {
        push_line('+', l, &mut out);
    }
    for l in &a[a.len() - suffix..a.len() - suffix + after] {
        push_line(' ', l, &mut out);
    }
    out
}

/// Lines of context around each change.
const CONTEXT: usize = 3;

fn push_line(mark: char, line: &str, out: &mut String) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_changed_line_with_context() {
        let old = "a\nb\nc\n2020429日\nd\n";
        let new = "a\nb\nc\n2020年4月29日\nd\n";
        let diff = unified_diff("x.txt", old, new);
        assert_eq!(diff, "--- a/x.txt\n+++ b/x.txt\n@@ -1,5 +1,5 @@\n a\n b\n c\n-2020429日\n+2020年4月29日\n d\n");
        assert_eq!(unified_diff("x.txt", old, old), "");
    }

    #[test]
    fn diff_splits_distant_changes_into_hunks() {
        let old: String = (0..20).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l2\n", "L2\n").replace("l15\n", "L15\n");
        let diff = unified_diff("x", &old, &new);
        assert_eq!(diff.matches("@@ ").count(), 2, "{diff}");
        assert!(
            diff.contains("@@ -1,6 +1,6 @@\n l0\n l1\n-l2\n+L2\n"),
            "{diff}"
        );
        assert!(diff.contains("@@ -13,7 +13,7 @@\n"), "{diff}");
    }

    #[test]
    fn diff_handles_changed_line_counts() {
        let diff = unified_diff("x", "a\nb\nc\n", "a\nb1\nb2\nc\n");
        assert_eq!(
            diff,
            "--- a/x\n+++ b/x\n@@ -1,3 +1,4 @@\n a\n-b\n+b1\n+b2\n c\n"
        );
    }

    #[test]
    fn diff_marks_missing_final_newline() {
        let diff = unified_diff("x", "202117", "2021年1月7日");
        assert!(
            diff.contains("-202117\n\\ No newline at end of file\n+2021年1月7日\n"),
            "{diff}"
        );
    }
}
