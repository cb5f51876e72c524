//! Reading rule files: the built-in packs and `.toml` files given on the command line or in the
//! configuration (folders are searched recursively, in sorted order). The text is compiled by
//! the engine; this is the only place rule files are read from disk. Imports nothing of the
//! engine.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{RuleIssue, BUILTIN_PACKS};

/// The text of one rule file and the name it is shown under (`builtin:rules/repeat.toml`).
#[derive(Debug, Clone)]
pub struct Pack {
    pub origin: String,
    pub text: Cow<'static, str>,
}

/// Reads the built-in packs (unless `no_default`) and every `.toml` file in `paths`, in order.
/// A file that cannot be read (or a folder without rule files) is an issue in its place.
pub fn read_packs(no_default: bool, paths: &[PathBuf]) -> Vec<Result<Pack, RuleIssue>> {
    let mut packs = Vec::new();
    if !no_default {
        for (name, text) in BUILTIN_PACKS {
            packs.push(Ok(Pack {
                origin: format!("builtin:{name}"),
                text: Cow::Borrowed(text),
            }));
        }
    }
    for path in paths {
        read_path(path, &mut packs);
    }
    packs
}

fn read_path(path: &Path, packs: &mut Vec<Result<Pack, RuleIssue>>) {
    let display = path.display().to_string();
    if path.is_dir() {
        let mut files = Vec::new();
        collect_toml(path, &mut BTreeSet::new(), &mut files);
        files.sort();
        if files.is_empty() {
            packs.push(Err(RuleIssue::whole_file(
                &display,
                "folder holds no .toml rule file",
            )));
        }
        for file in files {
            read_path(&file, packs);
        }
        return;
    }
    // A FIFO or a device would block the run or never end.
    if let Some(why) = crate::walk::not_regular(path) {
        packs.push(Err(RuleIssue::whole_file(
            &display,
            &format!("cannot read rule file: {why}"),
        )));
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => packs.push(Ok(Pack {
                origin: display,
                text: Cow::Owned(text),
            })),
            Err(err) => packs.push(Err(RuleIssue::whole_file(
                &display,
                &format!(
                    "rule file is not UTF-8 (byte offset {})",
                    err.utf8_error().valid_up_to()
                ),
            ))),
        },
        Err(err) => packs.push(Err(RuleIssue::whole_file(
            &display,
            &format!("cannot read rule file: {err}"),
        ))),
    }
}

/// The `.toml` files under `dir`, following symlinks but never into a folder or file already
/// seen (by its canonical path): a symlink loop, or two links to one folder, is read once.
/// Entries are visited in sorted order so the name a file is shown under never depends on the
/// file system's order.
fn collect_toml(dir: &Path, seen: &mut BTreeSet<PathBuf>, out: &mut Vec<PathBuf>) {
    let Ok(canonical) = std::fs::canonicalize(dir) else {
        return;
    };
    if !seen.insert(canonical) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_toml(&path, seen, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if seen.insert(key) {
                out.push(path);
            }
        }
    }
}

/// The text of the rule file a rule was loaded from, by the name it is shown under (a rule's
/// `origin`): a built-in pack, or the file read again; `None` when it cannot be read.
pub fn read_pack_text(origin: &str) -> Option<Cow<'static, str>> {
    if let Some(name) = origin.strip_prefix("builtin:") {
        return BUILTIN_PACKS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| Cow::Borrowed(*text));
    }
    std::fs::read_to_string(origin).ok().map(Cow::Owned)
}
