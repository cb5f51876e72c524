//! Rules as data: rule files (TOML) are parsed into raw serde mirrors, then compiled into
//! immutable [`Rule`]s collected in a [`RuleSet`]. IO happens only in [`load_rule_paths`] and `builtin`.

mod builtin;
mod compile;
mod error;
pub mod raw;
mod template;

pub use builtin::BUILTIN_PACKS;
pub use compile::{compile_pack, parse_template, CATEGORIES};
pub use error::{Issues, RuleIssue};
pub use template::Template;

use std::path::Path;

use regex::RegexSet;

use crate::engine::kinds::Kind;
use crate::engine::literals::LiteralScan;

use crate::source::Scope;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// Parses the TOML / CLI spelling.
    pub fn parse(name: &str) -> Option<Severity> {
        match name {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    /// The TOML / JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Examples embedded in a rule.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    pub valid: Vec<String>,
    pub invalid: Vec<String>,
    pub cases: Vec<Case>,
}

/// A text and the exact matched texts (in order) that the rule must report in it.
#[derive(Debug, Clone)]
pub struct Case {
    pub text: String,
    pub expect: Vec<String>,
    pub fix: Option<String>,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub name: Option<String>,
    pub kind: Kind,
    pub severity: Severity,
    pub scope: Scope,
    pub message: Template,
    pub help: Option<Template>,
    pub description: String,
    pub url: Option<String>,
    pub examples: Examples,
    /// The rule file it came from (`builtin:rules/repeat.toml` for built-in packs).
    pub origin: String,
}

impl Rule {
    /// The category, the part of the id before `/`.
    pub fn category(&self) -> &str {
        self.id.split('/').next().unwrap_or("")
    }

    /// The first line of the description.
    pub fn summary(&self) -> &str {
        self.description.lines().next().unwrap_or("").trim()
    }
}

/// All rules of a run, compiled once; shared read-only across threads.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// Regexes of the pattern rules a substring search may rule out for a whole document.
    prefilter: Option<RegexSet>,
    /// For each prefilter entry, the rule it stands for.
    prefilter_rules: Vec<usize>,
    /// Rules that always run.
    always: Vec<usize>,
    /// The literals the operand patterns require, scanned once per document.
    literals: Option<LiteralScan>,
}

impl RuleSet {
    /// Builds the set, ordered by rule id.
    pub fn new(mut rules: Vec<Rule>) -> RuleSet {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        let mut patterns = Vec::new();
        let mut prefilter_rules = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            // Only plain pattern rules join the document prefilter: a set of the large operand
            // patterns of the arithmetic kinds compiles to an automaton slower than running them.
            let simple = matches!(rule.kind, Kind::Pattern(_));
            match rule.kind.prefilter().filter(|_| simple) {
                Some(regexes) => {
                    for re in regexes {
                        patterns.push(re.as_str().to_owned());
                        prefilter_rules.push(i);
                    }
                }
                None => always.push(i),
            }
        }
        let prefilter = if patterns.is_empty() {
            None
        } else {
            match RegexSet::new(&patterns) {
                Ok(set) => Some(set),
                Err(_) => {
                    // Too large for one set: run every rule instead of prefiltering.
                    always = (0..rules.len()).collect();
                    prefilter_rules.clear();
                    None
                }
            }
        };
        let literals = LiteralScan::new(&rules);
        RuleSet {
            rules,
            prefilter,
            prefilter_rules,
            always,
            literals,
        }
    }

    /// The literal scan of the rules' operand patterns, if any rule has required literals.
    pub fn literals(&self) -> Option<&LiteralScan> {
        self.literals.as_ref()
    }

    /// Keeps the rules whose id starts with one of `select` (all when empty) and with none of `ignore`.
    pub fn select(self, select: &[String], ignore: &[String]) -> RuleSet {
        let keep = |id: &str| {
            (select.is_empty() || select.iter().any(|p| id_matches(id, p)))
                && !ignore.iter().any(|p| id_matches(id, p))
        };
        let rules = self.rules.into_iter().filter(|r| keep(&r.id)).collect();
        RuleSet::new(rules)
    }

    /// Indices of the rules that may fire on `text`, in id order.
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let mut out = self.always.clone();
        if let Some(set) = &self.prefilter {
            out.extend(
                set.matches(text)
                    .into_iter()
                    .map(|i| self.prefilter_rules[i]),
            );
        }
        out.sort_unstable();
        out
    }

    /// The rules, to be changed and built into a new set.
    pub fn into_rules(self) -> Vec<Rule> {
        self.rules
    }

    /// Looks a rule up by exact id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// True when `id` is selected by `prefix` (a plain prefix of the id: `repeat/`, `repeat/doubled-char`).
pub fn id_matches(id: &str, prefix: &str) -> bool {
    prefix == "ALL" || id.starts_with(prefix)
}

/// Loads rules: the built-in packs (unless `no_default`) and every `.toml` file in `paths`
/// (folders are searched recursively, in sorted order). All issues of all files are returned together.
pub fn load_rules(
    no_default: bool,
    paths: &[std::path::PathBuf],
) -> Result<RuleSet, Vec<RuleIssue>> {
    let mut issues = Vec::new();
    let mut rules = Vec::new();
    if !no_default {
        for (name, text) in BUILTIN_PACKS {
            rules.extend(compile_pack(&format!("builtin:{name}"), text, &mut issues));
        }
    }
    for path in paths {
        load_rule_path(path, &mut rules, &mut issues);
    }
    check_duplicates(&rules, &mut issues);
    if issues.is_empty() {
        Ok(RuleSet::new(rules))
    } else {
        Err(issues)
    }
}

fn load_rule_path(path: &Path, rules: &mut Vec<Rule>, issues: &mut Vec<RuleIssue>) {
    let display = path.display().to_string();
    if path.is_dir() {
        let mut files = Vec::new();
        collect_toml(path, &mut files);
        files.sort();
        if files.is_empty() {
            issues.push(io_issue(&display, "folder holds no .toml rule file"));
        }
        for file in files {
            load_rule_path(&file, rules, issues);
        }
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => rules.extend(compile_pack(&display, &text, issues)),
            Err(err) => issues.push(io_issue(
                &display,
                &format!(
                    "rule file is not UTF-8 (byte offset {})",
                    err.utf8_error().valid_up_to()
                ),
            )),
        },
        Err(err) => issues.push(io_issue(&display, &format!("cannot read rule file: {err}"))),
    }
}

fn collect_toml(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_toml(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

fn io_issue(path: &str, message: &str) -> RuleIssue {
    RuleIssue {
        path: path.to_owned(),
        source: "".into(),
        span: 0..0,
        message: message.to_owned(),
        help: None,
    }
}

fn check_duplicates(rules: &[Rule], issues: &mut Vec<RuleIssue>) {
    let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for rule in rules {
        if let Some(first) = seen.insert(&rule.id, &rule.origin) {
            issues.push(io_issue(
                &rule.origin,
                &format!(
                    "rule id `{}` is already defined in {first}; ids must be unique",
                    rule.id
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_prefix_selection_matches_plain_prefixes() {
        assert!(id_matches("repeat/doubled-char", "repeat/"));
        assert!(id_matches("repeat/doubled-char", "repeat"));
        assert!(id_matches("repeat/doubled-char", "repeat/doubled-char"));
        assert!(id_matches("repeat/doubled-char", "ALL"));
        assert!(!id_matches("repeat/doubled-char", "punct/"));
    }
}
