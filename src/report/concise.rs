//! Concise output: `path:line:col: severity rule message`, one finding per line (grep-friendly).
//! A PDF's findings end with `(page P, line L)`: the line on the page, while `line:col` stay the
//! position in the extracted text so that `path:line:col:` parsers (editors, problem matchers)
//! read every line the same way.

use std::io::{self, Write};

use super::{Reporter, Summary};
use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::source::Document;

/// Streams one line per finding.
pub struct ConciseReporter<'a, W: Write> {
    out: W,
    rules: &'a RuleSet,
}

impl<'a, W: Write> ConciseReporter<'a, W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, rules: &'a RuleSet) -> Self {
        ConciseReporter { out, rules }
    }
}

impl<W: Write> Reporter for ConciseReporter<'_, W> {
    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()> {
        for f in findings {
            let rule = &self.rules[f.rule];
            let pos = doc.position(f.span.start);
            // One finding, one line: line breaks inside a message would split it.
            let message = f.message.replace(['\n', '\r'], " ");
            let page = super::page_note(doc, f.span.start)
                .map(|note| format!(" ({note})"))
                .unwrap_or_default();
            writeln!(
                self.out,
                "{}:{}:{}: {} {} {message}{page}",
                doc.path,
                pos.line,
                pos.column,
                rule.severity.as_str(),
                rule.id,
            )?;
        }
        self.out.flush()
    }

    fn error(&mut self, path: &str, message: &str) -> io::Result<()> {
        writeln!(self.out, "{path}: error {message}")
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let _ = summary;
        self.out.flush()
    }

    fn diff(&mut self, diff: &str) -> io::Result<()> {
        self.out.write_all(diff.as_bytes())
    }

    fn fixed_stdin(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())
    }
}
