//! Problems found while loading rule files: plain data with spans; `report` renders them.
//! Imports nothing of the engine.

use std::ops::Range;
use std::sync::Arc;

use crate::source::LineIndex;

/// One problem in a rule file, pointing at a byte range of that file.
#[derive(Debug, Clone)]
pub struct RuleIssue {
    /// The rule file as named to the user (`rules/dates.toml`, `builtin:rules/repeat.toml`).
    pub path: String,
    /// The whole rule file text.
    pub source: Arc<str>,
    /// Byte range of the offending key or value.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when known.
    pub help: Option<String>,
}

impl RuleIssue {
    /// An issue about a whole file (unreadable, empty folder, duplicate id), without a span.
    pub fn whole_file(path: &str, message: &str) -> RuleIssue {
        RuleIssue {
            path: path.to_owned(),
            source: "".into(),
            span: 0..0,
            message: message.to_owned(),
            help: None,
        }
    }

    /// `path:line:column` of the start of the span (columns in Unicode scalar values).
    pub fn location(&self) -> String {
        let index = LineIndex::new(&self.source);
        let pos = index.position(self.span.start, &self.source);
        format!("{}:{}:{}", self.path, pos.line, pos.column)
    }
}

impl std::fmt::Display for RuleIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

/// Collects every issue of one file so that all of them are reported together.
pub struct Issues<'a> {
    pub(crate) path: &'a str,
    pub(crate) source: Arc<str>,
    pub(crate) list: &'a mut Vec<RuleIssue>,
}

impl<'a> Issues<'a> {
    /// Collects the issues of the file `path` with text `source` into `list`.
    pub fn new(path: &'a str, source: Arc<str>, list: &'a mut Vec<RuleIssue>) -> Issues<'a> {
        Issues { path, source, list }
    }

    /// Records an issue at `span`.
    pub fn push(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<&str>) {
        let end = span.end.min(self.source.len());
        let start = span.start.min(end);
        self.list.push(RuleIssue {
            path: self.path.to_owned(),
            source: Arc::clone(&self.source),
            span: start..end,
            message: message.into(),
            help: help.map(str::to_owned),
        });
    }

    /// Number of issues recorded so far (for all files).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when no issue has been recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
