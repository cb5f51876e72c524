//! JSON Lines: one JSON object per line, each with a `type`, flushed after every document so that
//! archive scans stream:
//!
//! 1. `{"type":"header","version":2,"tool":{…},"rule_set":{…}}`, first and once;
//! 2. `{"type":"diagnostic", …}` per finding, with the fields of a JSON diagnostic;
//! 3. `{"type":"error","path":…,"message":…}` per document that could not be checked (also
//!    printed on stderr, and the exit code is 2);
//! 4. `{"type":"summary","files":…,"diagnostics":…,"errors":…}`, last and once: a file without
//!    it was cut short.
//!
//! `schemas/output-jsonl.json` describes one record.

use std::io::{self, Write};

use serde::Serialize;

use super::{json, Reporter, Summary};
use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::source::Document;

/// The first record.
#[derive(Debug, Serialize)]
struct Header<'a> {
    r#type: &'static str,
    version: u32,
    tool: &'a json::JsonTool,
    rule_set: json::JsonRuleSet,
}

/// A record with its `type` first, then the fields of `body`.
#[derive(Debug, Serialize)]
struct Record<T: Serialize> {
    r#type: &'static str,
    #[serde(flatten)]
    body: T,
}

/// Streams JSON Lines records.
pub struct JsonLinesReporter<'a, W: Write> {
    out: W,
    rules: &'a RuleSet,
    /// The header is written before the first other record.
    started: bool,
}

impl<'a, W: Write> JsonLinesReporter<'a, W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, rules: &'a RuleSet) -> Self {
        JsonLinesReporter {
            out,
            rules,
            started: false,
        }
    }

    fn line<T: Serialize>(&mut self, record: &T) -> io::Result<()> {
        if !self.started {
            self.started = true;
            let header = Header {
                r#type: "header",
                version: json::JSON_VERSION,
                tool: &json::TOOL,
                rule_set: json::JsonRuleSet::from(self.rules),
            };
            serde_json::to_writer(&mut self.out, &header)?;
            self.out.write_all(b"\n")?;
        }
        serde_json::to_writer(&mut self.out, record)?;
        self.out.write_all(b"\n")
    }
}

impl<W: Write> Reporter for JsonLinesReporter<'_, W> {
    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()> {
        let prints = crate::baseline::output_fingerprints(doc, findings, self.rules);
        for (f, print) in findings.iter().zip(prints) {
            let body = json::diagnostic(doc, f, self.rules, print);
            self.line(&Record {
                r#type: "diagnostic",
                body,
            })?;
        }
        self.out.flush()
    }

    fn error(&mut self, path: &str, message: &str) -> io::Result<()> {
        // Also on stderr, where a shell redirect (`2> errors.txt`) collects them.
        eprintln!("error: {path}: {message}");
        self.line(&Record {
            r#type: "error",
            body: json::JsonError { path, message },
        })?;
        self.out.flush()
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.line(&Record {
            r#type: "summary",
            body: json::JsonSummary::from(summary),
        })?;
        self.out.flush()
    }

    fn diff(&mut self, _diff: &str) -> io::Result<()> {
        Ok(())
    }

    fn fixed_stdin(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
}
