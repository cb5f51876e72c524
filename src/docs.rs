//! Generated documentation: `docs/rules/<category>/<slug>.md` for every built-in rule, the index
//! `docs/rules/README.md`, and the JSON schemas `schemas/rule-file.json`,
//! `schemas/tally-toml.json` and (from [`crate::report::schema`]) `schemas/output-json.json` and
//! `schemas/output-jsonl.json`. All of it is checked in; `tests/generated.rs` fails when the files
//! differ from what [`generate`] makes (ruff's `generate_docs.rs` / `generate_json_schema.rs`).
//!
//! Regenerate with `cargo run --example generate_docs`.
//!
//! The schemas are written here by hand from the raw serde types (`RawRule`, `RawTests`,
//! `RawCase`, `RawConfig`, `RawFields`); unit tests compare their keys with the field lists serde
//! reports, and the keys of each kind's sub-table are asked from the kind itself, so a key added
//! to a raw type without a schema entry fails a test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Map, Value};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::engine::kinds::{KindEntry, KINDS};
use crate::engine::{self, Rule};
use crate::rules::{read_pack_text, written_params, Issues, RuleIssue, Severity, CATEGORIES};

/// The command that rewrites every generated file.
pub const REGENERATE: &str = "cargo run --example generate_docs";

/// The folders that hold only generated files (relative to the repository root).
const GENERATED_DIRS: &[(&str, &str)] = &[("docs/rules", "md"), ("schemas", "json")];

/// The scopes a rule may name (`Scope::parse` accepts exactly these; a test checks it).
const SCOPES: &[&str] = &["line", "sentence", "statement", "paragraph", "document"];

/// One generated file: its path relative to the repository root (with `/`) and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// Every generated file, from the built-in rules and the raw types, in a fixed order.
pub fn generate() -> Result<Vec<GeneratedFile>, Vec<RuleIssue>> {
    let rules = engine::load_rules(false, &[])?;
    let mut files: Vec<GeneratedFile> = rules
        .rules
        .iter()
        .map(|rule| GeneratedFile {
            path: format!("docs/rules/{}.md", rule.id),
            contents: render_rule_doc(rule),
        })
        .collect();
    files.push(GeneratedFile {
        path: "docs/rules/README.md".to_owned(),
        contents: render_index(&rules.rules),
    });
    files.push(GeneratedFile {
        path: "schemas/rule-file.json".to_owned(),
        contents: render_json(&rule_file_schema()),
    });
    files.push(GeneratedFile {
        path: "schemas/tally-toml.json".to_owned(),
        contents: render_json(&config_schema()),
    });
    files.push(GeneratedFile {
        path: "schemas/output-json.json".to_owned(),
        contents: render_json(&crate::report::schema::json_output_schema()),
    });
    files.push(GeneratedFile {
        path: "schemas/output-jsonl.json".to_owned(),
        contents: render_json(&crate::report::schema::jsonl_output_schema()),
    });
    Ok(files)
}

/// What differs between `files` and the generated folders under `root`: a file missing, with
/// other contents, or left over (a generated-folder file nobody generates any more).
pub fn stale(root: &Path, files: &[GeneratedFile]) -> Vec<String> {
    let mut problems = Vec::new();
    for file in files {
        match std::fs::read_to_string(root.join(&file.path)) {
            Ok(text) if text == file.contents => {}
            Ok(_) => problems.push(format!("{}: differs from the generated text", file.path)),
            Err(err) => problems.push(format!("{}: {err}", file.path)),
        }
    }
    let wanted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for extra in existing(root) {
        if !wanted.contains(extra.as_str()) {
            problems.push(format!("{extra}: not generated any more"));
        }
    }
    problems
}

/// Writes `files` under `root` (only those whose contents changed) and removes the files of the
/// generated folders that are not among them. Returns the paths written or removed.
pub fn write(root: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<String>> {
    let mut changed = Vec::new();
    for file in files {
        let path = root.join(&file.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &file.contents)?;
        changed.push(file.path.clone());
    }
    let wanted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for extra in existing(root) {
        if !wanted.contains(extra.as_str()) {
            std::fs::remove_file(root.join(&extra))?;
            changed.push(extra);
        }
    }
    Ok(changed)
}

/// The files now in the generated folders, relative to `root`, sorted.
fn existing(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (dir, ext) in GENERATED_DIRS {
        let mut stack: Vec<PathBuf> = vec![root.join(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                    stack.push(entry.path());
                }
            } else if path.extension().is_some_and(|e| e == *ext) {
                if let Ok(relative) = path.strip_prefix(root) {
                    let parts: Vec<String> = relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    out.push(parts.join("/"));
                }
            }
        }
    }
    out.sort();
    out
}

const NOTICE: &str = "<!-- Generated by `cargo run --example generate_docs` from the built-in rule packs; do not edit. -->";

/// The `[rule.KIND]` sub-table of `rule` as its rule file writes it (re-read from that file).
pub fn rule_params(rule: &Rule) -> Option<String> {
    written_params(&read_pack_text(&rule.origin)?, &rule.id)
}

/// The first sentence of the first paragraph of `rule`'s description, on one line.
pub fn summary_sentence(rule: &Rule) -> String {
    let paragraph = rule
        .description
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut in_code = false;
    let mut chars = paragraph.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        match c {
            '`' => in_code = !in_code,
            '。' if !in_code => return paragraph[..end].to_owned(),
            '.' if !in_code && chars.peek().is_none_or(|(_, n)| *n == ' ') => {
                return paragraph[..end].to_owned()
            }
            _ => {}
        }
    }
    paragraph
}

/// A table cell: `|` escaped, line breaks joined.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// Inline code for any text (a longer backtick fence when the text holds backticks).
fn code(text: &str) -> String {
    let text = cell(text);
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// An example as people read it: a form feed (the end of a page, in examples that stand for a
/// PDF's text) is shown as `␌`, an invisible control character otherwise.
pub fn shown_example(text: &str) -> String {
    text.replace('\u{c}', "␌")
}

/// A fenced block of example text.
fn block(text: &str) -> String {
    let fence = if text.contains("```") { "~~~~" } else { "```" };
    let text = shown_example(text);
    format!("{fence}text\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

/// `docs/rules/<category>/<slug>.md` for one rule.
pub fn render_rule_doc(rule: &Rule) -> String {
    let origin = rule.origin.strip_prefix("builtin:").unwrap_or(&rule.origin);
    let mut out = format!(
        "{NOTICE}\n\n# {}\n\n{}\n\n",
        rule.id,
        summary_sentence(rule)
    );
    out.push_str("| | |\n|---|---|\n");
    out.push_str(&format!("| id | `{}` |\n", rule.id));
    if let Some(name) = &rule.name {
        out.push_str(&format!("| name | `{name}` |\n"));
    }
    out.push_str(&format!("| kind | `{}` |\n", rule.kind_name));
    out.push_str(&format!("| severity | {} |\n", rule.severity.as_str()));
    out.push_str(&format!("| scope | {} |\n", rule.scope.as_str()));
    out.push_str(&format!(
        "| message | {} |\n",
        code(&rule.message.to_string())
    ));
    if let Some(help) = &rule.help {
        out.push_str(&format!("| help | {} |\n", code(&help.to_string())));
    }
    if let Some(url) = &rule.url {
        out.push_str(&format!("| more | <{url}> |\n"));
    }
    out.push_str(&format!("| defined in | `{origin}` |\n"));
    out.push_str(&format!(
        "\n## Description\n\n{}\n",
        rule.description.trim()
    ));
    out.push_str("\n## Parameters\n\n");
    match rule_params(rule) {
        Some(params) => out.push_str(&format!("```toml\n{params}```\n")),
        None => out.push_str("None.\n"),
    }
    let ex = &rule.examples;
    let flagged: Vec<_> = ex.cases.iter().filter(|c| !c.expect.is_empty()).collect();
    let quiet: Vec<_> = ex.cases.iter().filter(|c| c.expect.is_empty()).collect();
    if !ex.invalid.is_empty() || !flagged.is_empty() {
        out.push_str("\n## Flagged\n");
        for text in &ex.invalid {
            out.push_str(&format!("\n{}", block(text)));
        }
        for case in flagged {
            out.push_str(&format!("\n{}", block(&case.text)));
            let expect: Vec<String> = case.expect.iter().map(|e| code(e)).collect();
            out.push_str(&format!("\nflags {}", expect.join(", ")));
            if let Some(fix) = &case.fix {
                out.push_str(&format!("; after fixes: {}", code(fix)));
            }
            out.push('\n');
        }
    }
    if !ex.valid.is_empty() || !quiet.is_empty() {
        out.push_str("\n## Not flagged\n");
        for text in ex.valid.iter().chain(quiet.iter().map(|c| &c.text)) {
            out.push_str(&format!("\n{}", block(text)));
        }
    }
    out
}

/// `docs/rules/README.md`: every rule by category.
pub fn render_index(rules: &[Rule]) -> String {
    let mut out = format!(
        "{NOTICE}\n\n# Built-in rules\n\n{} rules. Each page gives the rule's description, its \
         parameters as the built-in pack writes them, and its examples; `tally explain ID` prints \
         the same. Ids are `category/slug`; `--select`/`--ignore` take id prefixes such as `sum/`.\n",
        rules.len()
    );
    for category in CATEGORIES {
        let in_category: Vec<&Rule> = rules.iter().filter(|r| r.category() == *category).collect();
        if in_category.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {category}\n\n| rule | kind | severity | summary |\n|---|---|---|---|\n"
        ));
        for rule in in_category {
            out.push_str(&format!(
                "| [`{}`]({}.md) | `{}` | {} | {} |\n",
                rule.id,
                rule.id,
                rule.kind_name,
                rule.severity.as_str(),
                cell(&summary_sentence(rule))
            ));
        }
    }
    out
}

/// Pretty JSON with a final newline.
fn render_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn strings(description: &str) -> Value {
    json!({"type": "array", "items": {"type": "string"}, "description": description})
}

fn string(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn one_of(names: &[&str], description: &str) -> Value {
    json!({"type": "string", "enum": names, "description": description})
}

fn severity_names() -> Vec<&'static str> {
    Severity::NAMES.iter().map(|(n, _)| *n).collect()
}

/// The keys of a kind's sub-table, as its raw type's deserializer lists them when it meets an
/// unknown key (so they follow the kind's own `RawX`, whatever its file says).
pub fn kind_keys(entry: &KindEntry) -> Vec<String> {
    const PROBE: &str = "__tally_probe = 0\n";
    let Ok(table) = DeTable::parse(PROBE) else {
        return Vec::new();
    };
    let value = Spanned::new(table.span(), DeValue::Table(table.into_inner()));
    let mut list = Vec::new();
    let mut issues = Issues::new("probe", Arc::from(PROBE), &mut list);
    // Compiling is not wanted: only the deserializer's message about the probe key.
    let _pending = (entry.parse)(value, &mut issues);
    list.iter()
        .find(|i| i.message.starts_with("unknown field `__tally_probe`"))
        .map(|i| expected_keys(&i.message))
        .unwrap_or_default()
}

/// The names in serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`",
/// "expected `a` or `b`", "there are no fields").
fn expected_keys(message: &str) -> Vec<String> {
    let Some((_, expected)) = message.split_once(", expected") else {
        return Vec::new();
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `schemas/rule-file.json`: a rule file (`[[rule]]` tables, an optional `[pack]`).
pub fn rule_file_schema() -> Value {
    let kinds: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    let categories = CATEGORIES.join("|");
    let mut rule_props = Map::new();
    rule_props.insert(
        "id".into(),
        json!({"type": "string", "pattern": format!("^({categories})/[a-z0-9]+(-[a-z0-9]+)*$"),
               "description": "`category/slug`, kebab-case, unique across every loaded rule file"}),
    );
    rule_props.insert("name".into(), string("An optional readable name."));
    rule_props.insert(
        "kind".into(),
        one_of(
            &kinds,
            "The kind; its parameters go in the sub-table of that name.",
        ),
    );
    rule_props.insert(
        "severity".into(),
        one_of(&severity_names(), "How serious a finding is."),
    );
    rule_props.insert(
        "scope".into(),
        one_of(
            SCOPES,
            "The text unit the rule runs on (default: the kind's).",
        ),
    );
    rule_props.insert(
        "message".into(),
        string("The finding's message; `{name}` placeholders, `{{`/`}}` for braces."),
    );
    rule_props.insert(
        "help".into(),
        string("How to fix it; the same placeholders as `message`."),
    );
    rule_props.insert(
        "description".into(),
        json!({"type": "string", "minLength": 1,
               "description": "What the rule checks, why it matters and what to do."}),
    );
    rule_props.insert("url".into(), string("A page with more about the rule."));
    rule_props.insert("tests".into(), json!({"$ref": "#/$defs/tests"}));
    let mut defs = Map::new();
    for entry in KINDS {
        rule_props.insert(
            entry.name.into(),
            json!({"$ref": format!("#/$defs/kind-{}", entry.name)}),
        );
        let props: Map<String, Value> = kind_keys(entry)
            .into_iter()
            .map(|k| (k, json!({})))
            .collect();
        defs.insert(
            format!("kind-{}", entry.name),
            json!({"type": "object", "properties": props, "additionalProperties": false,
                   "description": format!("`[rule.{}]`: the parameters of a `{}` rule (value types are checked by the kind).", entry.name, entry.name)}),
        );
    }
    let needs_table: Vec<Value> = kinds
        .iter()
        .map(|k| {
            json!({"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
                   "then": {"required": [k]}})
        })
        .collect();
    defs.insert(
        "rule".into(),
        json!({"type": "object", "properties": rule_props,
               "required": ["id", "kind", "severity", "message", "description"],
               "additionalProperties": false, "allOf": needs_table}),
    );
    defs.insert(
        "tests".into(),
        json!({"type": "object", "description": "`[rule.tests]`: examples `tally test` runs.",
               "properties": {
                   "valid": strings("Texts the rule must not flag."),
                   "invalid": strings("Texts the rule must flag at least once."),
                   "case": {"type": "array", "items": {"$ref": "#/$defs/case"},
                            "description": "`[[rule.tests.case]]`: exact flagged texts."}},
               "additionalProperties": false}),
    );
    defs.insert(
        "case".into(),
        json!({"type": "object", "properties": {
                   "text": string("The text checked."),
                   "expect": strings("The matched texts the rule must report, in order."),
                   "fix": string("The text after the rule's fixes are applied.")},
               "required": ["text"], "additionalProperties": false}),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tally rule file",
        "description": format!("A tally rule file: `[[rule]]` tables. Generated by `{REGENERATE}`."),
        "type": "object",
        "properties": {
            "rule": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
            "pack": {"description": "Pack metadata; read by no check."}
        },
        "required": ["rule"],
        "additionalProperties": false,
        "$defs": defs
    })
}

/// `schemas/tally-toml.json`: the configuration file.
pub fn config_schema() -> Value {
    let mut overrides = severity_names();
    overrides.push("off");
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tally configuration (tally.toml, .tally.toml)",
        "description": format!("Generated by `{REGENERATE}`."),
        "type": "object",
        "properties": {
            "rules": strings("Extra rule files or folders, relative to this file."),
            "no-default-rules": {"type": "boolean", "description": "Do not load the built-in packs."},
            "select": strings("Rule-id prefixes to run (default: all)."),
            "ignore": strings("Rule-id prefixes to skip."),
            "fail-on": one_of(&severity_names(), "The lowest severity that makes `check` exit with 1."),
            "globs": strings("File globs added to (or, with `!`, excluded from) the defaults when walking folders."),
            "severity": {"type": "object", "additionalProperties": one_of(&overrides, "A rule's severity, or `off`."),
                         "description": "Per-rule severity, by rule id."},
            "per-path-ignores": {"type": "object", "additionalProperties": strings("Rule-id prefixes; `ALL` for every rule."),
                                 "description": "Path glob → rule-id prefixes switched off there."},
            "fields": {"type": "object", "description": "The labels the field rules check.",
                       "properties": {
                           "required": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                        "description": "Labels of `field/empty-required`."},
                           "recommended": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                           "description": "Labels of `field/empty-recommended`."}},
                       "additionalProperties": false}
        },
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::*;
    use crate::rules::raw::{RawCase, RawRule, RawTests};
    use crate::settings::{RawConfig, RawFields};
    use crate::source::Scope;

    /// The field names serde lists for `T` when it meets an unknown key.
    fn serde_keys<T: DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
        let err = toml::from_str::<T>("__tally_probe = 0\n").expect_err("unknown key");
        expected_keys(err.message()).into_iter().collect()
    }

    fn schema_keys(schema: &Value) -> BTreeSet<String> {
        schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn rule_schema_lists_every_common_key_and_every_kind() {
        let schema = rule_file_schema();
        let mut expected = serde_keys::<RawRule>();
        expected.extend(KINDS.iter().map(|k| k.name.to_owned()));
        assert_eq!(schema_keys(&schema["$defs"]["rule"]), expected);
        assert_eq!(
            schema_keys(&schema["$defs"]["tests"]),
            serde_keys::<RawTests>()
        );
        assert_eq!(
            schema_keys(&schema["$defs"]["case"]),
            serde_keys::<RawCase>()
        );
    }

    #[test]
    fn config_schema_lists_every_key() {
        let schema = config_schema();
        assert_eq!(schema_keys(&schema), serde_keys::<RawConfig>());
        assert_eq!(
            schema_keys(&schema["properties"]["fields"]),
            serde_keys::<RawFields>()
        );
    }

    #[test]
    fn every_kind_reports_its_keys() {
        for entry in KINDS {
            assert!(!kind_keys(entry).is_empty(), "{}", entry.name);
        }
        let pattern = kind_keys(crate::engine::kinds::lookup("pattern").expect("pattern"));
        assert!(pattern.iter().any(|k| k == "regex") && pattern.iter().any(|k| k == "unless"));
    }

    #[test]
    fn schema_scopes_are_the_parsed_scopes() {
        for name in SCOPES {
            assert_eq!(Scope::parse(name).map(Scope::as_str), Some(*name));
        }
    }

    #[test]
    fn expected_keys_reads_every_serde_wording() {
        assert_eq!(expected_keys("unknown field `x`, expected `a`"), ["a"]);
        assert_eq!(
            expected_keys("unknown field `x`, expected `a` or `b`"),
            ["a", "b"]
        );
        assert_eq!(
            expected_keys("unknown field `x`, expected one of `a`, `b`, `c`"),
            ["a", "b", "c"]
        );
        assert!(expected_keys("unknown field `x`, there are no fields").is_empty());
    }

    #[test]
    fn stale_names_changed_missing_and_left_over_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = vec![
            GeneratedFile {
                path: "docs/rules/sum/a.md".into(),
                contents: "a\n".into(),
            },
            GeneratedFile {
                path: "schemas/s.json".into(),
                contents: "{}\n".into(),
            },
        ];
        assert_eq!(stale(dir.path(), &files).len(), 2);
        write(dir.path(), &files).expect("write");
        assert!(stale(dir.path(), &files).is_empty());
        std::fs::write(dir.path().join("schemas/s.json"), "{ }\n").expect("edit");
        std::fs::write(dir.path().join("docs/rules/sum/old.md"), "x").expect("extra");
        assert_eq!(
            stale(dir.path(), &files),
            [
                "schemas/s.json: differs from the generated text",
                "docs/rules/sum/old.md: not generated any more"
            ]
        );
        write(dir.path(), &files).expect("write");
        assert!(stale(dir.path(), &files).is_empty());
        assert!(!dir.path().join("docs/rules/sum/old.md").exists());
    }

    #[test]
    fn every_builtin_rule_has_its_parameters_written() {
        let rules = engine::load_rules(false, &[]).expect("built-in rules");
        for rule in &rules.rules {
            let params = rule_params(rule).unwrap_or_default();
            assert!(
                params.starts_with(&format!("[rule.{}]\n", rule.kind_name)),
                "{}: {params:?}",
                rule.id
            );
        }
    }
}
