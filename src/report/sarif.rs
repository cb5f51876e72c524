//! SARIF 2.1.0: one log with one run; the tool's rules (id, name, short and full description,
//! help, `helpUri`, default level), results with level, message, region (columns in Unicode code
//! points, `columnKind` set), fingerprints (the JSON `fingerprint`) and partial fingerprints
//! (without the path), the page of a PDF finding and its line on that page (`page`, `pageLine`
//! in the result's `properties`: a region has no page), the zone of a finding outside a .docx's
//! body (`properties.zone` and the location's message), and unreadable documents as tool
//! notifications. Relative paths are percent-encoded URI references against `%SRCROOT%`, which
//! `originalUriBaseIds` maps to the folder tally ran in; absolute paths are `file:` URIs.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Reporter, Summary};
use crate::baseline::{fingerprints, output_fingerprints};
use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::rules::Severity;
use crate::source::Document;

/// Where the rule pages are: the generated `docs/rules/<category>/<slug>.md` of this version, as
/// shipped in the crates.io package (docs.rs serves the package's files).
const DOCS_BASE: &str = concat!(
    "https://docs.rs/crate/",
    env!("CARGO_PKG_NAME"),
    "/",
    env!("CARGO_PKG_VERSION"),
    "/source/docs/rules/"
);

/// The base of relative artifact URIs.
pub const SRCROOT: &str = "%SRCROOT%";

/// Percent-encodes a path for a URI: every byte but the unreserved characters and `/`
/// (RFC 3986; non-ASCII characters as their UTF-8 bytes).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `artifactLocation` of a path as the user gave it: `./a b.txt` → `{"uri": "a%20b.txt",
/// "uriBaseId": "%SRCROOT%"}`; an absolute path → `{"uri": "file:///…"}`.
pub fn artifact_location(path: &str) -> Value {
    let slashed = path.replace('\\', "/");
    if std::path::Path::new(path).is_absolute() || slashed.starts_with('/') {
        let rooted = if slashed.starts_with('/') {
            slashed
        } else {
            format!("/{slashed}")
        };
        return json!({"uri": format!("file://{}", encode_path(&rooted))});
    }
    let relative = slashed.strip_prefix("./").unwrap_or(&slashed);
    json!({"uri": encode_path(relative), "uriBaseId": SRCROOT})
}

/// The `originalUriBaseIds` entry for `root`: a `file:` URI ending in `/`.
fn srcroot(root: &std::path::Path) -> Value {
    let mut text = root.display().to_string().replace('\\', "/");
    if !text.starts_with('/') {
        text.insert(0, '/');
    }
    if !text.ends_with('/') {
        text.push('/');
    }
    json!({SRCROOT: {"uri": format!("file://{}", encode_path(&text))}})
}

/// The page about `rule`: its own `url`, else for a built-in rule its generated page.
fn help_uri(rule: &crate::engine::Rule) -> Option<String> {
    rule.url.clone().or_else(|| {
        rule.origin
            .starts_with("builtin:")
            .then(|| format!("{DOCS_BASE}{}.md", rule.id))
    })
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
    /// Starts the log; relative paths are relative to the current folder.
    pub fn new(out: W, rules: &'a RuleSet) -> io::Result<Self> {
        let root = std::env::current_dir().ok();
        Self::with_root(out, rules, root.as_deref())
    }

    /// Starts the log, with `%SRCROOT%` standing for `root` (left undefined without one).
    pub fn with_root(
        mut out: W,
        rules: &'a RuleSet,
        root: Option<&std::path::Path>,
    ) -> io::Result<Self> {
        let descriptors: Vec<Value> = rules
            .rules
            .iter()
            .map(|r| {
                let mut descriptor = json!({
                    "id": r.id,
                    "name": r.name.clone().unwrap_or_else(|| r.id.replace('/', "-")),
                    "shortDescription": {"text": r.summary()},
                    "fullDescription": {"text": r.description.trim()},
                    "help": {"text": format!("{}\n\n{}", r.description.trim(), r.message)},
                    "defaultConfiguration": {"level": level(r.severity)},
                    "properties": {"kind": r.kind_name, "scope": r.scope.as_str()},
                });
                if let Some(uri) = help_uri(r) {
                    descriptor["helpUri"] = uri.into();
                }
                descriptor
            })
            .collect();
        let driver = json!({
            "name": "tally",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": descriptors,
        });
        let bases = match root {
            Some(root) => format!(",\"originalUriBaseIds\":{}", srcroot(root)),
            None => String::new(),
        };
        write!(
            out,
            "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{}}}{bases},\"columnKind\":\"unicodeCodePoints\",\"results\":[",
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
        let full = output_fingerprints(doc, findings, self.rules);
        let location = artifact_location(&doc.path);
        for ((f, print), full) in findings.iter().zip(prints).zip(full) {
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
                        "artifactLocation": location,
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
                "fingerprints": {"tally/v1": full},
                "partialFingerprints": {"tally/v1": print},
            });
            let mut properties = serde_json::Map::new();
            if let Some(help) = &f.help {
                properties.insert("help".to_owned(), help.as_str().into());
            }
            if let Some(at) = doc.page_position(f.span.start) {
                properties.insert("page".to_owned(), at.page.into());
                properties.insert("pageLine".to_owned(), at.line.into());
            }
            if let Some(zone) = doc.zone_outside_body(f.span.start) {
                let zone = crate::report::json::JsonZone::from(zone);
                result["locations"][0]["message"] = json!({"text": format!("in {}", zone.name)});
                properties.insert("zone".to_owned(), json!(zone));
            }
            if !properties.is_empty() {
                result["properties"] = properties.into();
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
                    "locations": [{"physicalLocation": {"artifactLocation": artifact_location(path)}}],
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_percent_encoded_uri_references() {
        assert_eq!(
            artifact_location("./docs/a b#1.txt"),
            json!({"uri": "docs/a%20b%231.txt", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("报告/100%.md"),
            json!({"uri": "%E6%8A%A5%E5%91%8A/100%25.md", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("/tmp/x?.txt"),
            json!({"uri": "file:///tmp/x%3F.txt"})
        );
        assert_eq!(
            srcroot(std::path::Path::new("/home/me/my docs")),
            json!({"%SRCROOT%": {"uri": "file:///home/me/my%20docs/"}})
        );
    }

    #[test]
    fn builtin_rules_link_their_generated_page() {
        let rules = crate::engine::load_rules(false, &[]).expect("built-in rules");
        let rule = rules.get("repeat/doubled-char").expect("rule");
        assert_eq!(
            help_uri(rule).as_deref(),
            Some(concat!(
                "https://docs.rs/crate/tally-lint/",
                env!("CARGO_PKG_VERSION"),
                "/source/docs/rules/repeat/doubled-char.md"
            ))
        );
        // Every built-in rule's page is one of the generated files.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for rule in &rules.rules {
            let uri = help_uri(rule).expect("a page");
            let path = uri.strip_prefix(DOCS_BASE).expect("under the docs");
            assert!(root.join("docs/rules").join(path).is_file(), "{uri}");
        }
    }
}
