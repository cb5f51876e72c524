//! The JSON contract (`version` 1): one document with diagnostics, errors and a summary.

use serde::Serialize;

use super::Summary;
use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::source::Document;

/// The `version` field; bump it on any incompatible change of the shape below.
pub const JSON_VERSION: u32 = 1;

/// One finding as JSON consumers see it.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub path: &'a str,
    pub rule: &'a str,
    pub severity: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Byte offsets into the file as written, decoded to UTF-8 (the extracted text for .docx
    /// and PDF).
    pub byte_start: usize,
    pub byte_end: usize,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub fix: Option<JsonFix<'a>>,
    /// The file's encoding when it is not UTF-8 (byte offsets are into the decoded UTF-8 text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    /// The 1-based page, for PDFs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    /// The figures an arithmetic finding was computed from (additive: absent for other kinds).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operands: Vec<JsonOperand<'a>>,
}

/// One figure of an arithmetic finding and the role it played (`part`, `whole`, `total` …).
#[derive(Debug, Serialize)]
pub struct JsonOperand<'a> {
    pub role: &'a str,
    pub text: &'a str,
    /// The exact value after scale words, as a decimal string (`1850.32万元` → `"18503200"`).
    pub value: Option<&'a str>,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// A proposed replacement.
#[derive(Debug, Serialize)]
pub struct JsonFix<'a> {
    pub replacement: &'a str,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// A document that could not be checked.
#[derive(Debug, Serialize)]
pub struct JsonError<'a> {
    pub path: &'a str,
    pub message: &'a str,
}

/// Converts a finding to its JSON shape.
pub fn diagnostic<'a>(
    doc: &'a Document,
    finding: &'a Finding,
    rules: &'a RuleSet,
) -> JsonDiagnostic<'a> {
    let rule = &rules[finding.rule];
    let (start, end) = doc.span_positions(finding.span.clone());
    let bytes = doc.source_span(finding.span.clone());
    JsonDiagnostic {
        path: &doc.path,
        rule: &rule.id,
        severity: rule.severity.as_str(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        byte_start: bytes.start,
        byte_end: bytes.end,
        message: &finding.message,
        help: finding.help.as_deref(),
        encoding: doc.decoding.reported_name(),
        page: doc.page(finding.span.start),
        operands: finding
            .operands
            .iter()
            .map(|o| {
                let at = doc.source_span(o.span.clone());
                JsonOperand {
                    role: &o.role,
                    text: &o.text,
                    value: o.value.as_deref(),
                    byte_start: at.start,
                    byte_end: at.end,
                }
            })
            .collect(),
        fix: finding.fix.as_ref().map(|f| {
            let at = doc.source_span(f.span.clone());
            JsonFix {
                replacement: &f.replacement,
                byte_start: at.start,
                byte_end: at.end,
            }
        }),
    }
}

/// The closing part of the document: errors and summary.
#[derive(Debug, Serialize)]
pub struct JsonSummary {
    pub files: usize,
    pub diagnostics: usize,
    pub errors: usize,
    pub elapsed_ms: u128,
}

impl From<&Summary> for JsonSummary {
    fn from(s: &Summary) -> Self {
        JsonSummary {
            files: s.files,
            diagnostics: s.diagnostics(),
            errors: s.errors,
            elapsed_ms: s.elapsed.as_millis(),
        }
    }
}
