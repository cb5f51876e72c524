//! JSON Lines: one JSON object per finding per line, with the fields of the JSON diagnostics,
//! flushed after every document so that archive scans stream. Unreadable documents are reported
//! on stderr (so that every line of stdout has one shape) and make the exit code 2.

use std::io::{self, Write};

use super::{json, Reporter, Summary};
use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::source::Document;

/// Streams one JSON object per finding.
pub struct JsonLinesReporter<'a, W: Write> {
    out: W,
    rules: &'a RuleSet,
}

impl<'a, W: Write> JsonLinesReporter<'a, W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, rules: &'a RuleSet) -> Self {
        JsonLinesReporter { out, rules }
    }
}

impl<W: Write> Reporter for JsonLinesReporter<'_, W> {
    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()> {
        for f in findings {
            serde_json::to_writer(&mut self.out, &json::diagnostic(doc, f, self.rules))?;
            self.out.write_all(b"\n")?;
        }
        self.out.flush()
    }

    fn error(&mut self, path: &str, message: &str) -> io::Result<()> {
        eprintln!("error: {path}: {message}");
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }

    fn diff(&mut self, _diff: &str) -> io::Result<()> {
        Ok(())
    }

    fn fixed_stdin(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
}
