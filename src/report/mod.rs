//! Renderers: findings are streamed document by document to one writer, in input order.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod sarif;
pub mod schema;
pub mod source_code;

use std::io::{self, Write};
use std::time::Duration;

use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::rules::Severity;
use crate::source::Document;

/// Where a finding of a PDF is on its page, as the text formats show it: `page 2, line 3` (line 1
/// is the page's first line). Every format keeps `line`/`column` as the position in the extracted
/// text (what `tally extract` and `pdftotext -layout` print), which editors and `path:line:col`
/// parsers can open, and adds this beside it; `None` for documents without pages.
pub fn page_note(doc: &Document, offset: usize) -> Option<String> {
    doc.page_position(offset)
        .map(|p| format!("page {}, line {}", p.page, p.line))
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files: usize,
    /// Errors of every kind: inputs that could not be read, fixes that could not be written.
    pub errors: usize,
    /// Of `errors`, the files whose fixes could not be written (a full disk, a read-only file).
    pub unwritten: usize,
    /// Findings fixed (or, with `--diff`, that would be).
    pub fixed: usize,
    /// Files changed by fixes.
    pub fixed_files: usize,
    pub by_severity: [usize; 3],
    pub elapsed: Duration,
}

impl Summary {
    /// Total findings.
    pub fn diagnostics(&self) -> usize {
        self.by_severity.iter().sum()
    }

    /// Findings of one severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.by_severity[severity as usize]
    }

    /// Adds a document's findings.
    pub fn add(&mut self, findings: &[Finding], rules: &RuleSet) {
        for f in findings {
            self.by_severity[rules[f.rule].severity as usize] += 1;
        }
    }
}

/// The output formats of `tally check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette reports for people, then a summary line.
    Human,
    /// One JSON document (see the README for the contract).
    Json,
    /// JSON Lines, streamed: a header, one record per finding or error, a summary.
    Jsonl,
    /// `path:line:col: severity rule message` (a PDF's adds `(page P, line L)`).
    Concise,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// A streaming renderer.
pub trait Reporter {
    /// Called once per checked document, in input order.
    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()>;
    /// Called for a document that could not be read or decoded.
    fn error(&mut self, path: &str, message: &str) -> io::Result<()>;
    /// Called once at the end.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
    /// Called with the unified diff of a document's fixes (`--diff`).
    fn diff(&mut self, diff: &str) -> io::Result<()>;
    /// Called with the fixed text of standard input (`--fix` on `-`).
    fn fixed_stdin(&mut self, text: &str) -> io::Result<()>;
}

/// Streams the JSON contract.
pub struct JsonReporter<'a, W: Write> {
    out: W,
    rules: &'a RuleSet,
    first: bool,
    errors: Vec<(String, String)>,
}

impl<'a, W: Write> JsonReporter<'a, W> {
    /// Starts the document.
    pub fn new(mut out: W, rules: &'a RuleSet) -> io::Result<Self> {
        write!(
            out,
            "{{\"version\":{},\"tool\":{},\"rule_set\":{},\"diagnostics\":[",
            json::JSON_VERSION,
            serde_json::to_string(&json::TOOL)?,
            serde_json::to_string(&json::JsonRuleSet::from(rules))?,
        )?;
        Ok(JsonReporter {
            out,
            rules,
            first: true,
            errors: Vec::new(),
        })
    }
}

impl<W: Write> Reporter for JsonReporter<'_, W> {
    fn diff(&mut self, _diff: &str) -> io::Result<()> {
        // A diff is text for people: JSON consumers read the `fix` objects instead.
        Ok(())
    }

    fn fixed_stdin(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }

    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()> {
        let prints = crate::baseline::output_fingerprints(doc, findings, self.rules);
        for (finding, print) in findings.iter().zip(prints) {
            if !self.first {
                self.out.write_all(b",")?;
            }
            self.first = false;
            let diagnostic = json::diagnostic(doc, finding, self.rules, print);
            serde_json::to_writer(&mut self.out, &diagnostic)?;
        }
        Ok(())
    }

    fn error(&mut self, path: &str, message: &str) -> io::Result<()> {
        self.errors.push((path.to_owned(), message.to_owned()));
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.out.write_all(b"],\"errors\":")?;
        let errors: Vec<json::JsonError> = self
            .errors
            .iter()
            .map(|(path, message)| json::JsonError { path, message })
            .collect();
        serde_json::to_writer(&mut self.out, &errors)?;
        self.out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut self.out, &json::JsonSummary::from(summary))?;
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}
