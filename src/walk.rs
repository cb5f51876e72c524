//! Input discovery: explicit files, folders walked recursively (honouring `.gitignore`, skipping
//! hidden files), and `-` for standard input. The result is sorted so output never depends on
//! the file system's order or on threads.

use std::path::{Path, PathBuf};

use ignore::overrides::OverrideBuilder;
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
}

/// Expands `paths` into sorted, de-duplicated inputs.
pub fn discover(paths: &[PathBuf], globs: &[String], stdin_name: &str) -> Discovered {
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
            walk_dir(path, globs, &mut found);
        } else if path.exists() {
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

fn walk_dir(root: &Path, globs: &[String], found: &mut Discovered) {
    let mut overrides = OverrideBuilder::new(root);
    for glob in DEFAULT_GLOBS
        .iter()
        .copied()
        .chain(globs.iter().map(String::as_str))
    {
        if let Err(err) = overrides.add(glob) {
            found
                .errors
                .push((glob.to_owned(), format!("invalid glob: {err}")));
        }
    }
    let overrides = match overrides.build() {
        Ok(o) => o,
        Err(err) => {
            found
                .errors
                .push((root.display().to_string(), format!("invalid globs: {err}")));
            return;
        }
    };
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .overrides(overrides)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    found.inputs.push(Input::File(entry.into_path()));
                }
            }
            Err(err) => found
                .errors
                .push((root.display().to_string(), err.to_string())),
        }
    }
}
