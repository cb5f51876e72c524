//! Input discovery: explicit files, folders walked recursively (honouring `.gitignore`, `.ignore`
//! and `.git/info/exclude`, skipping hidden files and folders, unless `--no-ignore` / `--hidden`),
//! and `-` for standard input. The result is sorted so output never depends on
//! the file system's order or on threads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ignore::overrides::{Override, OverrideBuilder};
use ignore::WalkBuilder;

/// File globs checked by default when walking folders.
pub const DEFAULT_GLOBS: &[&str] = &[
    "*.txt",
    "*.md",
    "*.markdown",
    "*.html",
    "*.htm",
    "*.shtml",
    "*.docx",
    "*.pdf",
];

/// One input to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// A file on disk, with the path as it should be shown.
    File(PathBuf),
    /// Standard input, with its display name.
    Stdin(String),
}

impl Input {
    /// The path shown in reports.
    pub fn display(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin(name) => name.clone(),
        }
    }
}

/// What discovery found: inputs, and paths that could not be walked (with the reason).
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub errors: Vec<(String, String)>,
    /// The inputs named as files (not found in a folder): one that is not text is an error.
    pub named: BTreeSet<PathBuf>,
}

/// Why `path`, named as an input, a rule file or a configuration file, is not read: it is not
/// a regular file (after symlinks). Reading a FIFO or a device would block or never end.
pub fn not_regular(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() || meta.is_dir() {
        return None;
    }
    let kind = file_kind(&meta);
    Some(format!(
        "not a regular file ({kind}); tally reads only regular files and folders"
    ))
}

#[cfg(unix)]
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn file_kind(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// How folders are walked: ripgrep's `--hidden` and `--no-ignore`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkOptions {
    /// Also walk hidden files and folders (names starting with `.`).
    pub hidden: bool,
    /// Do not read `.gitignore`, `.ignore`, `.git/info/exclude` or the global git excludes.
    pub no_ignore: bool,
}

/// Expands `paths` into sorted, de-duplicated inputs, walking folders with the default options.
pub fn discover(paths: &[PathBuf], globs: &[String], stdin_name: &str) -> Discovered {
    discover_with(paths, globs, stdin_name, WalkOptions::default())
}

/// Expands `paths` into sorted, de-duplicated inputs. A file named in `paths` is always an
/// input; in a folder, a file is one when a selecting glob (the defaults and `globs` without
/// `!`) matches it, no `!` glob matches it or a folder above it, and (unless `options` say
/// otherwise) it is neither hidden nor ignored by an ignore file.
pub fn discover_with(
    paths: &[PathBuf],
    globs: &[String],
    stdin_name: &str,
    options: WalkOptions,
) -> Discovered {
    let mut found = Discovered::default();
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    for path in paths {
        if path.as_os_str() == "-" {
            found.inputs.push(Input::Stdin(stdin_name.to_owned()));
        } else if path.is_dir() {
            walk_dir(path, globs, options, &mut found);
        } else if let Some(why) = not_regular(path) {
            found.errors.push((path.display().to_string(), why));
        } else if path.exists() {
            found.named.insert(path.clone());
            found.inputs.push(Input::File(path.clone()));
        } else {
            found.errors.push((
                path.display().to_string(),
                "no such file or folder".to_owned(),
            ));
        }
    }
    found.inputs.sort_by_key(|input| input.display());
    found.inputs.dedup();
    found.errors.sort();
    found
}

/// Builds an override matcher from `globs` (relative to `root`); bad globs become errors.
fn matcher<'a>(
    root: &Path,
    globs: impl Iterator<Item = &'a str>,
    found: &mut Discovered,
) -> Option<Override> {
    let mut builder = OverrideBuilder::new(root);
    for glob in globs {
        if let Err(err) = builder.add(glob) {
            found
                .errors
                .push((glob.to_owned(), format!("invalid glob: {err}")));
        }
    }
    match builder.build() {
        Ok(o) => Some(o),
        Err(err) => {
            found
                .errors
                .push((root.display().to_string(), format!("invalid globs: {err}")));
            None
        }
    }
}

fn walk_dir(root: &Path, globs: &[String], options: WalkOptions, found: &mut Discovered) {
    let all: Vec<&str> = DEFAULT_GLOBS
        .iter()
        .copied()
        .chain(globs.iter().map(String::as_str))
        .collect();
    // Selecting globs are matched on each file the walk yields. Given to the walker as
    // overrides they would whitelist files, and a whitelist beats `.gitignore` and the hidden
    // rule: every ignored or hidden `*.txt` would be checked.
    let Some(select) = matcher(
        root,
        all.iter().copied().filter(|g| !g.starts_with('!')),
        found,
    ) else {
        return;
    };
    // `!` globs alone whitelist nothing, so the ignore files still apply; they also prune
    // whole folders (`!drafts/**`).
    let Some(exclude) = matcher(
        root,
        all.iter().copied().filter(|g| g.starts_with('!')),
        found,
    ) else {
        return;
    };
    let walker = WalkBuilder::new(root)
        .standard_filters(!options.no_ignore)
        .hidden(!options.hidden)
        .require_git(false)
        .overrides(exclude)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file())
                    && select.matched(entry.path(), false).is_whitelist()
                {
                    found.inputs.push(Input::File(entry.into_path()));
                }
            }
            Err(err) => found
                .errors
                .push((root.display().to_string(), err.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tmp");
        let files = [
            (".gitignore", "secret.txt\n*.draft.md\nbuild/\n"),
            (".ignore", "local.txt\n"),
            (".git/info/exclude", "excluded.txt\n"),
            ("a.txt", ""),
            ("secret.txt", ""),
            ("notes.draft.md", ""),
            ("local.txt", ""),
            ("excluded.txt", ""),
            (".hidden.txt", ""),
            (".dot/in-hidden-folder.txt", ""),
            ("build/out.txt", ""),
            ("sub/.gitignore", "b.txt\n"),
            ("sub/b.txt", ""),
            ("sub/c.md", ""),
            ("sub/d.rst", ""),
        ];
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        dir
    }

    fn walked(dir: &Path, globs: &[&str], options: WalkOptions) -> Vec<String> {
        let globs: Vec<String> = globs.iter().map(|g| (*g).to_owned()).collect();
        let found = discover_with(&[dir.to_path_buf()], &globs, "-", options);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        found
            .inputs
            .iter()
            .map(|i| match i {
                Input::File(p) => p
                    .strip_prefix(dir)
                    .expect("under the root")
                    .to_string_lossy()
                    .replace('\\', "/"),
                Input::Stdin(_) => panic!("no stdin"),
            })
            .collect()
    }

    #[test]
    fn walk_skips_ignored_and_hidden_files_not_only_folders() {
        let dir = tree();
        assert_eq!(
            walked(dir.path(), &[], WalkOptions::default()),
            ["a.txt", "sub/c.md"]
        );
    }

    #[test]
    fn walk_with_hidden_adds_hidden_files_and_folders_only() {
        let dir = tree();
        let options = WalkOptions {
            hidden: true,
            no_ignore: false,
        };
        assert_eq!(
            walked(dir.path(), &[], options),
            [
                ".dot/in-hidden-folder.txt",
                ".hidden.txt",
                "a.txt",
                "sub/c.md"
            ]
        );
    }

    #[test]
    fn walk_with_no_ignore_adds_ignored_files_but_not_hidden_ones() {
        let dir = tree();
        let options = WalkOptions {
            hidden: false,
            no_ignore: true,
        };
        assert_eq!(
            walked(dir.path(), &[], options),
            [
                "a.txt",
                "build/out.txt",
                "excluded.txt",
                "local.txt",
                "notes.draft.md",
                "secret.txt",
                "sub/b.txt",
                "sub/c.md"
            ]
        );
        let both = WalkOptions {
            hidden: true,
            no_ignore: true,
        };
        let all = walked(dir.path(), &[], both);
        assert!(all.contains(&".hidden.txt".to_owned()) && all.contains(&"secret.txt".to_owned()));
        // `.git` is hidden, and holds no report.
        assert_eq!(all.len(), 10, "{all:?}");
    }

    #[test]
    fn walk_globs_select_types_without_beating_ignore_files() {
        let dir = tree();
        // `--glob '*.draft.md'` does not bring back a gitignored file; `*.rst` adds a type.
        assert_eq!(
            walked(dir.path(), &["*.rst", "*.draft.md"], WalkOptions::default()),
            ["a.txt", "sub/c.md", "sub/d.rst"]
        );
        // `!` globs exclude files and prune folders.
        assert_eq!(
            walked(dir.path(), &["!sub/**"], WalkOptions::default()),
            ["a.txt"]
        );
        assert_eq!(
            walked(dir.path(), &["!*.md"], WalkOptions::default()),
            ["a.txt"]
        );
    }

    #[test]
    fn walk_reports_a_bad_glob() {
        let dir = tree();
        let found = discover(&[dir.path().to_path_buf()], &["a[".to_owned()], "-");
        assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
        assert!(found.errors[0].1.starts_with("invalid glob"));
    }

    #[test]
    fn a_named_file_is_checked_even_when_ignored_or_hidden() {
        let dir = tree();
        let named = [
            dir.path().join("secret.txt"),
            dir.path().join(".hidden.txt"),
        ];
        let found = discover(&named, &[], "-");
        assert_eq!(found.inputs.len(), 2);
    }
}
