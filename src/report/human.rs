//! Human output: one miette report per finding, then a summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::source_code::TextSource;
use super::{Reporter, Summary};
use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::rules::{RuleIssue, Severity};
use crate::source::{Document, LineIndex};

/// A finding or a rule-file issue, shaped for miette.
struct Report<'a> {
    message: &'a str,
    code: Option<&'a str>,
    severity: miette::Severity,
    help: Option<&'a str>,
    span: std::ops::Range<usize>,
    /// Secondary labels: the operands of an arithmetic finding, by role.
    operands: Vec<(String, std::ops::Range<usize>)>,
    source: TextSource<'a>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code.map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = if self.operands.is_empty() {
            LabeledSpan::new_with_span(None, self.span.clone())
        } else {
            LabeledSpan::new_primary_with_span(None, self.span.clone())
        };
        let operands = self
            .operands
            .iter()
            .map(|(label, span)| LabeledSpan::new_with_span(Some(label.clone()), span.clone()));
        Some(Box::new(std::iter::once(span).chain(operands)))
    }
}

/// Builds the miette handler: colour only when asked, wide enough for long Chinese messages.
pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(120)
        .with_context_lines(0)
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// How an operand's role is shown to an editor (the slot names of the built-in rules).
fn role_label(role: &str) -> String {
    match role {
        "part" => "分子",
        "whole" => "分母",
        "rate" => "比率",
        "total" => "总数",
        "parts" => "分项",
        "from" => "基数",
        "to" => "现值",
        "value" => "现值",
        "change" => "变化",
        "delta" => "增减额",
        "count" => "个数",
        "mean" => "平均值",
        other => other,
    }
    .to_owned()
}

/// Renders one finding to a string.
pub fn render_finding(
    handler: &GraphicalReportHandler,
    doc: &Document,
    finding: &Finding,
    rules: &RuleSet,
) -> String {
    let rule = &rules[finding.rule];
    // A PDF's findings name their page and the line on it beside the position in the extracted
    // text (`r.pdf (page 2, line 3):15:16`), as the concise format does; findings outside a
    // .docx's body the part they are in (a header, a footnote …).
    let mut notes = Vec::new();
    if let Some(note) = super::page_note(doc, finding.span.start) {
        notes.push(note);
    }
    if let Some(zone) = doc.zone_outside_body(finding.span.start) {
        notes.push(format!("in {}", zone.name));
    }
    let name = if notes.is_empty() {
        doc.path.clone()
    } else {
        format!("{} ({})", doc.path, notes.join(", "))
    };
    let report = Report {
        message: &finding.message,
        code: Some(&rule.id),
        severity: miette_severity(rule.severity),
        help: finding.help.as_deref(),
        span: doc.source_span(finding.span.clone()),
        operands: {
            // The reported figure carries the message; the others are labelled by role.
            let main = doc.source_span(finding.span.clone());
            finding
                .operands
                .iter()
                .map(|o| (role_label(&o.role), doc.source_span(o.span.clone())))
                .filter(|(_, span)| span.start >= main.end || span.end <= main.start)
                .collect()
        },
        source: TextSource {
            name: &name,
            text: doc.source_text(),
            index: doc.source_index(),
        },
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        let pos = doc.position(finding.span.start);
        out = format!(
            "{}:{}:{}: {} {}\n",
            name, pos.line, pos.column, rule.id, finding.message
        );
    }
    out
}

/// Renders every rule-file issue (all of them, each pointing into its TOML).
pub fn render_rule_issues(issues: &[RuleIssue], color: bool) -> String {
    render_issues(issues, color, "rule files")
}

/// Renders every issue of TOML files of one kind (`rule files`, `the configuration`), each
/// pointing into its file, then the count.
pub fn render_issues(issues: &[RuleIssue], color: bool, files: &str) -> String {
    let handler = handler(color);
    let mut out = String::new();
    for issue in issues {
        let index = LineIndex::new(&issue.source);
        let message = format!("{}: {}", issue.location(), issue.message);
        let report = Report {
            message: &message,
            code: None,
            severity: miette::Severity::Error,
            help: issue.help.as_deref(),
            span: issue.span.clone(),
            operands: Vec::new(),
            source: TextSource {
                name: &issue.path,
                text: &issue.source,
                index: &index,
            },
        };
        if issue.source.is_empty() || handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("error: {message}\n"));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{} error{} in {files}\n",
        issues.len(),
        if issues.len() == 1 { "" } else { "s" }
    ));
    out
}

/// What went wrong besides findings, for the summary line: files not read, fixes not written.
fn error_note(summary: &Summary) -> String {
    let unread = summary.errors.saturating_sub(summary.unwritten);
    let mut note = String::new();
    if unread > 0 {
        note.push_str(&format!("; {} could not be read", plural(unread, "file")));
    }
    if summary.unwritten > 0 {
        note.push_str(&format!(
            "; fixes to {} could not be written",
            plural(summary.unwritten, "file")
        ));
    }
    note
}

/// Streams miette reports.
pub struct HumanReporter<'a, W: Write> {
    out: W,
    rules: &'a RuleSet,
    handler: GraphicalReportHandler,
    /// Diffs were printed: no summary line after them.
    diff_mode: bool,
    /// Fixed text went to stdout: nothing else may.
    quiet: bool,
}

impl<'a, W: Write> HumanReporter<'a, W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, rules: &'a RuleSet, color: bool) -> Self {
        HumanReporter {
            out,
            rules,
            handler: handler(color),
            diff_mode: false,
            quiet: false,
        }
    }

    /// Prints diffs only (`--diff`): no summary line.
    pub fn diff_only(mut self, on: bool) -> Self {
        self.diff_mode = on;
        self
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl<W: Write> Reporter for HumanReporter<'_, W> {
    fn diff(&mut self, diff: &str) -> io::Result<()> {
        self.out.write_all(diff.as_bytes())?;
        self.diff_mode = true;
        Ok(())
    }

    fn fixed_stdin(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.quiet = true;
        Ok(())
    }

    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        for finding in findings {
            let text = render_finding(&self.handler, doc, finding, self.rules);
            self.out.write_all(text.as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        self.out.flush()
    }

    fn error(&mut self, path: &str, message: &str) -> io::Result<()> {
        writeln!(self.out, "error: {path}: {message}\n")
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.quiet || self.diff_mode {
            return self.out.flush();
        }
        writeln!(
            self.out,
            "Checked {}: {}, {}, {} info{} in {} ms",
            plural(summary.files, "file"),
            plural(summary.count(Severity::Error), "error"),
            plural(summary.count(Severity::Warning), "warning"),
            summary.count(Severity::Info),
            error_note(summary),
            summary.elapsed.as_millis()
        )?;
        self.out.flush()
    }
}
