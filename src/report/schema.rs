//! JSON Schemas of the machine outputs: `schemas/output-json.json` (one `--format json`
//! document) and `schemas/output-jsonl.json` (one `--format jsonl` record). Written by hand from
//! the serialized types of [`super::json`]; [`crate::docs`] writes them to `schemas/`, a unit test
//! below compares their keys with what serde writes, and `tests/contracts.rs` validates real
//! output against the checked-in files.

use serde_json::{json, Value};

use super::json::JSON_VERSION;
use crate::rules::Severity;
use crate::source::ZoneKind;

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

fn count(description: &str) -> Value {
    json!({"type": "integer", "minimum": 0, "description": description})
}

fn position(description: &str) -> Value {
    json!({"type": "integer", "minimum": 1, "description": description})
}

fn text(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn hash(description: &str) -> Value {
    json!({"type": "string", "pattern": "^[0-9a-f]{16}$", "description": description})
}

/// An object schema: every key in `required` must be present, no other key than `properties`.
fn object(description: &str, properties: Value, optional: &[&str]) -> Value {
    let required: Vec<&String> = properties
        .as_object()
        .map(|p| {
            p.keys()
                .filter(|k| !optional.contains(&k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The definitions both schemas share.
fn defs() -> Value {
    let severities: Vec<&str> = Severity::NAMES.iter().map(|(n, _)| *n).collect();
    json!({
        "tool": object("The program that wrote the output.", json!({
            "name": {"const": "tally"},
            "version": text("tally's version (semver)."),
        }), &[]),
        "rule_set": object("The rules of the run.", json!({
            "rules": count("How many rules ran."),
            "hash": hash("A hash of every rule's id, severity, scope, rule file and configured parameters, and of the lexicon: the same hash and the same inputs give the same findings."),
        }), &[]),
        "operand": object("A figure an arithmetic finding was computed from.", json!({
            "role": text("The slot of the rule's shape: part, whole, rate, total, parts, from, to, change, delta …"),
            "text": text("The figure as written."),
            "value": {"type": ["string", "null"], "description": "The exact value after scale words, as a decimal string."},
            "byte_start": count("Byte offset of the figure."),
            "byte_end": count("Byte offset just past the figure."),
        }), &[]),
        "zone": object("The part of the file outside its body that a finding is in (.docx only).", json!({
            "kind": {"enum": ZoneKind::ALL.iter().filter(|k| **k != ZoneKind::Body).map(|k| k.as_str()).collect::<Vec<_>>(),
                     "description": "What the part is."},
            "name": text("A short name: `header 1`, `footnote 3`, `comment 2 by 王明`, `text box 1`."),
        }), &[]),
        "fix": object("A proposed replacement of a byte range.", json!({
            "replacement": text("The new text."),
            "byte_start": count("Byte offset of the replaced text."),
            "byte_end": count("Byte offset just past the replaced text."),
        }), &[]),
        "diagnostic": object("One finding.", json!({
            "path": text("The path as given on the command line (relative stays relative)."),
            "rule": text("The rule id, `category/slug`."),
            "severity": {"enum": severities, "description": "The rule's severity in this run."},
            "line": position("1-based line of the start."),
            "column": position("1-based column of the start, in Unicode scalar values."),
            "end_line": position("1-based line of the end."),
            "end_column": position("1-based column just past the end (exclusive)."),
            "byte_start": count("Byte offset into the file as written, decoded to UTF-8 (the extracted text for .docx and PDF)."),
            "byte_end": count("Byte offset just past the finding."),
            "message": text("What is wrong."),
            "help": {"type": ["string", "null"], "description": "How to fix it, when the rule says."},
            "fix": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/fix"}], "description": "A proposed fix, or null."},
            "fingerprint": hash("Stable identity: rule, path without `./`, normalised matched text and its occurrence index; never the line."),
            "encoding": text("The file's encoding, present only when it is not UTF-8."),
            "page": position("The 1-based page of the start, present only for PDFs."),
            "page_line": position("The 1-based line of the start on that page (1 is the page's first line), present only for PDFs; `line` is the line of the extracted text, and `column` is the same on both."),
            "zone": {"$ref": "#/$defs/zone", "description": "Present only for a finding outside the body of a .docx (a header, footer, footnote, endnote, comment or text box)."},
            "operands": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/operand"},
                         "description": "The figures of an arithmetic finding; absent for other findings."},
        }), &["encoding", "page", "page_line", "zone", "operands"]),
        "error": object("A document or path that could not be checked.", json!({
            "path": text("The path."),
            "message": text("What went wrong."),
        }), &[]),
        "summary": object("Counts of the run (no wall time: two runs give the same bytes).", json!({
            "files": count("Documents checked."),
            "diagnostics": count("Findings reported."),
            "errors": count("Documents or paths that could not be checked."),
        }), &[]),
    })
}

fn description() -> String {
    format!("Generated by `{}`.", crate::docs::REGENERATE)
}

/// The schema of one `--format json` document.
pub fn json_output_schema() -> Value {
    let mut schema = object(
        &description(),
        json!({
            "version": {"const": JSON_VERSION, "description": "The contract's version; changes only when a field changes or goes."},
            "tool": {"$ref": "#/$defs/tool"},
            "rule_set": {"$ref": "#/$defs/rule_set"},
            "diagnostics": {"type": "array", "items": {"$ref": "#/$defs/diagnostic"},
                            "description": "Ordered by path, then position, then rule id."},
            "errors": {"type": "array", "items": {"$ref": "#/$defs/error"}},
            "summary": {"$ref": "#/$defs/summary"},
        }),
        &[],
    );
    schema["$schema"] = DRAFT.into();
    schema["title"] = "tally check --format json".into();
    schema["$defs"] = defs();
    schema
}

/// `definition` with a `type` key that must be `name`, first.
fn record(name: &str, definition: &Value) -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert("type".to_owned(), json!({"const": name}));
    if let Some(own) = definition["properties"].as_object() {
        properties.extend(own.clone());
    }
    let mut required = vec![Value::from("type")];
    required.extend(
        definition["required"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    );
    json!({
        "type": "object",
        "description": definition["description"],
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The schema of one `--format jsonl` record (one line).
pub fn jsonl_output_schema() -> Value {
    let defs = defs();
    let header = object(
        "The first record, once.",
        json!({
            "version": {"const": JSON_VERSION, "description": "The contract's version (shared with --format json)."},
            "tool": {"$ref": "#/$defs/tool"},
            "rule_set": {"$ref": "#/$defs/rule_set"},
        }),
        &[],
    );
    let mut summary = defs["summary"].clone();
    summary["description"] = "The last record, once: a file without it was cut short.".into();
    json!({
        "$schema": DRAFT,
        "title": "tally check --format jsonl (one line)",
        "description": description(),
        "oneOf": [
            {"$ref": "#/$defs/header_record"},
            {"$ref": "#/$defs/diagnostic_record"},
            {"$ref": "#/$defs/error_record"},
            {"$ref": "#/$defs/summary_record"},
        ],
        "$defs": {
            "header_record": record("header", &header),
            "diagnostic_record": record("diagnostic", &defs["diagnostic"]),
            "error_record": record("error", &defs["error"]),
            "summary_record": record("summary", &summary),
            "tool": defs["tool"],
            "rule_set": defs["rule_set"],
            "operand": defs["operand"],
            "zone": defs["zone"],
            "fix": defs["fix"],
        },
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::report::json::{
        JsonDiagnostic, JsonError, JsonFix, JsonOperand, JsonRuleSet, JsonSummary, JsonZone, TOOL,
    };

    fn keys(value: &Value) -> BTreeSet<String> {
        value.as_object().expect("object").keys().cloned().collect()
    }

    fn schema_keys(schema: &Value) -> BTreeSet<String> {
        keys(&schema["properties"])
    }

    fn serialized<T: serde::Serialize>(value: &T) -> Value {
        serde_json::to_value(value).expect("serializable")
    }

    #[test]
    fn schemas_list_exactly_the_serialized_keys() {
        let defs = defs();
        let diagnostic = JsonDiagnostic {
            path: "a.txt",
            rule: "repeat/doubled-char",
            severity: "error",
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            byte_start: 0,
            byte_end: 3,
            message: "m",
            help: None,
            fix: Some(JsonFix {
                replacement: "x",
                byte_start: 0,
                byte_end: 3,
            }),
            fingerprint: "0123456789abcdef".to_owned(),
            // Every optional field present, so that every key is serialized.
            encoding: Some("GBK"),
            page: Some(1),
            page_line: Some(1),
            zone: Some(JsonZone {
                kind: "footnote",
                name: "footnote 1",
            }),
            operands: vec![JsonOperand {
                role: "part",
                text: "1",
                value: Some("1"),
                byte_start: 0,
                byte_end: 1,
            }],
        };
        let d = serialized(&diagnostic);
        assert_eq!(keys(&d), schema_keys(&defs["diagnostic"]));
        assert_eq!(keys(&d["fix"]), schema_keys(&defs["fix"]));
        assert_eq!(keys(&d["zone"]), schema_keys(&defs["zone"]));
        assert_eq!(keys(&d["operands"][0]), schema_keys(&defs["operand"]));
        let error = JsonError {
            path: "a",
            message: "m",
        };
        assert_eq!(keys(&serialized(&error)), schema_keys(&defs["error"]));
        let summary = JsonSummary::from(&crate::report::Summary::default());
        assert_eq!(keys(&serialized(&summary)), schema_keys(&defs["summary"]));
        assert_eq!(keys(&serialized(&TOOL)), schema_keys(&defs["tool"]));
        let rule_set = JsonRuleSet {
            rules: 0,
            hash: String::new(),
        };
        assert_eq!(keys(&serialized(&rule_set)), schema_keys(&defs["rule_set"]));
    }

    #[test]
    fn optional_diagnostic_fields_are_the_skipped_ones() {
        let required: BTreeSet<String> = defs()["diagnostic"]["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let all = schema_keys(&defs()["diagnostic"]);
        let optional: Vec<&String> = all.difference(&required).collect();
        assert_eq!(
            optional,
            ["encoding", "operands", "page", "page_line", "zone"]
        );
    }

    #[test]
    fn jsonl_records_are_typed() {
        let schema = jsonl_output_schema();
        for name in ["header", "diagnostic", "error", "summary"] {
            let record = &schema["$defs"][format!("{name}_record")];
            assert_eq!(record["properties"]["type"]["const"], name);
            assert_eq!(record["required"][0], "type");
        }
        assert_eq!(
            schema_keys(&schema["$defs"]["diagnostic_record"]).len(),
            schema_keys(&defs()["diagnostic"]).len() + 1
        );
    }
}
