//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
//!
//! `line`/`col` are the position in the text checked; a PDF's title adds where the finding is on
//! its page (`repeat/doubled-word (page 2, line 3)`), which is what a reader of the PDF needs.
//!
//! GitHub shows at most ten annotations of each level per step; beyond that tally prints one
//! notice with the number left out (the SARIF upload shows every finding).

use std::io::{self, Write};

use super::{Reporter, Summary};
use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::rules::Severity;
use crate::source::Document;

/// Annotations GitHub displays per level and step.
pub const PER_LEVEL: usize = 10;

/// Escapes the message part of a workflow command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=…`, `title=…`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Streams workflow commands.
pub struct GithubReporter<'a, W: Write> {
    out: W,
    rules: &'a RuleSet,
    shown: [usize; 3],
    hidden: usize,
}

impl<'a, W: Write> GithubReporter<'a, W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, rules: &'a RuleSet) -> Self {
        GithubReporter {
            out,
            rules,
            shown: [0; 3],
            hidden: 0,
        }
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

impl<W: Write> Reporter for GithubReporter<'_, W> {
    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()> {
        for f in findings {
            let rule = &self.rules[f.rule];
            let slot = &mut self.shown[rule.severity as usize];
            if *slot >= PER_LEVEL {
                self.hidden += 1;
                continue;
            }
            *slot += 1;
            let (start, end) = doc.span_positions(f.span.clone());
            let mut props = format!("file={},line={}", escape_property(&doc.path), start.line);
            // Columns only for single-line findings: GitHub ignores them otherwise.
            if start.line == end.line {
                props.push_str(&format!(",col={},endColumn={}", start.column, end.column));
            } else {
                props.push_str(&format!(",endLine={}", end.line));
            }
            let title = match super::page_note(doc, f.span.start) {
                Some(note) => format!("{} ({note})", rule.id),
                None => rule.id.clone(),
            };
            props.push_str(&format!(",title={}", escape_property(&title)));
            writeln!(
                self.out,
                "::{} {props}::{}",
                level(rule.severity),
                escape_data(&f.message)
            )?;
        }
        self.out.flush()
    }

    fn error(&mut self, path: &str, message: &str) -> io::Result<()> {
        writeln!(
            self.out,
            "::error file={}::{}",
            escape_property(path),
            escape_data(message)
        )
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.hidden > 0 {
            writeln!(
                self.out,
                "::notice title=tally::{} more findings are not shown as annotations (GitHub shows {PER_LEVEL} per level); {} findings in {} files in all",
                self.hidden,
                summary.diagnostics(),
                summary.files
            )?;
        }
        self.out.flush()
    }

    fn diff(&mut self, _diff: &str) -> io::Result<()> {
        Ok(())
    }

    fn fixed_stdin(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("50%\nnext\r"), "50%25%0Anext%0D");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
