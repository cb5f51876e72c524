//! Reading rule files: the built-in packs and `.toml` files given on the command line or in the
//! configuration (folders are searched recursively, in sorted order). The text is compiled by
//! the engine; this is the only place rule files are read from disk. Imports nothing of the
//! engine.

use std::borrow::Cow;
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
        collect_toml(path, &mut files);
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

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_toml(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
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
