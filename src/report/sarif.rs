//! SARIF 2.1.0: one log with one run; the tool's rules (id, name, short and full description,
//! help, default level), results with level, message, region (columns in Unicode code points,
//! `columnKind` set) and partial fingerprints, and unreadable documents as tool notifications.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Reporter, Summary};
use crate::baseline::fingerprints;
use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::rules::Severity;
use crate::source::Document;

/// A relative URI reference for a path as the user gave it (`./a/b.txt` → `a/b.txt`).
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    path.strip_prefix("./").unwrap_or(&path).to_owned()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Streams a SARIF log: the header with the rules first, results as they come, the rest last.
pub struct SarifReporter<'a, W: Write> {
    out: W,
    rules: &'a RuleSet,
    first: bool,
    errors: Vec<(String, String)>,
}

impl<'a, W: Write> SarifReporter<'a, W> {
    /// Starts the log.
    pub fn new(mut out: W, rules: &'a RuleSet) -> io::Result<Self> {
        let descriptors: Vec<Value> = rules
            .rules
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "name": r.name.clone().unwrap_or_else(|| r.id.replace('/', "-")),
                    "shortDescription": {"text": r.summary()},
                    "fullDescription": {"text": r.description.trim()},
                    "help": {"text": format!("{}\n\n{}", r.description.trim(), r.message)},
                    "defaultConfiguration": {"level": level(r.severity)},
                    "properties": {"kind": r.kind_name, "scope": r.scope.as_str()},
                })
            })
            .collect();
        let driver = json!({
            "name": "tally",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": descriptors,
        });
        write!(
            out,
            "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{}}},\"columnKind\":\"unicodeCodePoints\",\"results\":[",
            serde_json::to_string(&driver)?
        )?;
        Ok(SarifReporter {
            out,
            rules,
            first: true,
            errors: Vec::new(),
        })
    }
}

impl<W: Write> Reporter for SarifReporter<'_, W> {
    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()> {
        let prints = fingerprints(doc, findings, self.rules);
        for (f, print) in findings.iter().zip(prints) {
            let rule = &self.rules[f.rule];
            let (start, end) = doc.span_positions(f.span.clone());
            let at = doc.source_span(f.span.clone());
            let source = doc.source_text();
            let mut result = json!({
                "ruleId": rule.id,
                "ruleIndex": f.rule.index(),
                "level": level(rule.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&doc.path)},
                        "region": {
                            "startLine": start.line,
                            "startColumn": start.column,
                            "endLine": end.line,
                            "endColumn": end.column,
                            "charOffset": source[..at.start].chars().count(),
                            "charLength": source[at].chars().count(),
                        }
                    }
                }],
                "partialFingerprints": {"tally/v1": print},
            });
            if let Some(help) = &f.help {
                result["properties"] = json!({"help": help});
            }
            if !self.first {
                self.out.write_all(b",")?;
            }
            self.first = false;
            serde_json::to_writer(&mut self.out, &result)?;
        }
        Ok(())
    }

    fn error(&mut self, path: &str, message: &str) -> io::Result<()> {
        self.errors.push((path.to_owned(), message.to_owned()));
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        let notifications: Vec<Value> = self
            .errors
            .iter()
            .map(|(path, message)| {
                json!({
                    "level": "error",
                    "message": {"text": format!("{path}: {message}")},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(path)}}}],
                })
            })
            .collect();
        let invocation = json!({
            "executionSuccessful": self.errors.is_empty(),
            "toolExecutionNotifications": notifications,
        });
        write!(
            self.out,
            "],\"invocations\":[{}]}}]}}",
            serde_json::to_string(&invocation)?
        )?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    fn diff(&mut self, _diff: &str) -> io::Result<()> {
        Ok(())
    }

    fn fixed_stdin(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
}
