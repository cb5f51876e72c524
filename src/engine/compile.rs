//! Raw TOML → compiled rules. Every problem is collected with its span; nothing stops at the
//! first. The common keys of a `[[rule]]` are compiled here; its kind's sub-table is handed to
//! the kind registered under the rule's `kind` ([`super::kinds::KINDS`]), which compiles itself.
//! Names no kind and no rule id; never imports `report`, `check` or miette.

use std::path::PathBuf;
use std::sync::Arc;

use toml::de::DeTable;
use toml::Spanned;

use super::kinds::{self, Kind, Pending};
use super::rule::{Rule, RuleSet};
use crate::rules::raw::{apply_params, split_rule, Param, SplitRule};
use crate::rules::{
    parse_enum, parse_template, read_packs, Examples, Issues, Pack, RuleIssue, Severity, Template,
    CATEGORIES,
};
use crate::source::Scope;

/// Loads rules: the built-in packs (unless `no_default`) and every `.toml` file in `paths`
/// (read by [`read_packs`], the only IO), compiled together. All issues of all files are
/// returned together.
pub fn load_rules(no_default: bool, paths: &[PathBuf]) -> Result<RuleSet, Vec<RuleIssue>> {
    compile_packs(read_packs(no_default, paths), &[]).map(RuleSet::new)
}

/// Compiles rule files, with `params` set on the rules they name before their kinds compile.
/// Unreadable files are issues in their place; duplicate ids are issues too.
pub fn compile_packs(
    packs: impl IntoIterator<Item = Result<Pack, RuleIssue>>,
    params: &[Param],
) -> Result<Vec<Rule>, Vec<RuleIssue>> {
    let mut rules = Vec::new();
    let mut issues = Vec::new();
    // Each id and where it was first defined (`path:line`).
    let mut seen = std::collections::HashMap::new();
    for pack in packs {
        match pack {
            Ok(pack) => {
                let compiled = compile_pack_with(&pack.origin, &pack.text, params, &mut issues);
                check_duplicates(&pack, &compiled, &mut seen, &mut issues);
                rules.extend(compiled);
            }
            Err(issue) => issues.push(issue),
        }
    }
    if issues.is_empty() {
        Ok(rules)
    } else {
        Err(issues)
    }
}

/// Compiles one rule file. Rules with problems are left out; their issues go to `out`.
pub fn compile_pack(path: &str, text: &str, out: &mut Vec<RuleIssue>) -> Vec<Rule> {
    compile_pack_with(path, text, &[], out)
}

/// Compiles one rule file with `params` applied to the sub-tables of the rules they name.
pub fn compile_pack_with(
    path: &str,
    text: &str,
    params: &[Param],
    out: &mut Vec<RuleIssue>,
) -> Vec<Rule> {
    let source: Arc<str> = Arc::from(text);
    let mut issues = Issues::new(path, Arc::clone(&source), out);
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(err) => {
            issues.push(
                err.span().unwrap_or(0..0),
                format!("invalid TOML: {}", err.message().trim()),
                None,
            );
            return Vec::new();
        }
    };
    let names = kinds::kind_names();
    let mut rules = Vec::new();
    let mut saw_rule = false;
    for (key, value) in root.get_ref().iter() {
        match key.get_ref().as_ref() {
            "rule" => {
                saw_rule = true;
                let Some(array) = value.get_ref().as_array() else {
                    issues.push(
                        value.span(),
                        "`rule` must be an array of tables: write `[[rule]]`",
                        None,
                    );
                    continue;
                };
                for entry in array.iter() {
                    if let Some(raw) = deserialize_rule(entry.clone(), &names, params, &mut issues)
                    {
                        rules.extend(compile_rule(raw, path, &mut issues));
                    }
                }
                for rule in &mut rules {
                    rule.definition_hash = definition_hash(text, &rule.id, params);
                }
            }
            "pack" => {}
            other => issues.push(
                key.span(),
                format!("unknown top-level key `{other}`, expected `[[rule]]` or `[pack]`"),
                None,
            ),
        }
    }
    if !saw_rule {
        issues.push(0..0, "the file defines no `[[rule]]`", None);
    }
    rules
}

/// What a rule was compiled from: its whole rule file (an edit of another rule in the file changes
/// it too: never a false "unchanged") and the configured parameters applied to it.
fn definition_hash(text: &str, id: &str, params: &[Param]) -> u64 {
    let applied: Vec<&Param> = params.iter().filter(|p| p.rule == id).collect();
    let key = format!(
        "{:016x}\u{0}{applied:?}",
        crate::baseline::fnv1a(text.as_bytes())
    );
    crate::baseline::fnv1a(key.as_bytes())
}

/// One `[[rule]]` after deserializing: the common keys and the kind's parameters, deserialized
/// by the kind but not compiled yet.
struct Deserialized {
    rule: crate::rules::raw::RawRule,
    /// `None` when the rule names no known kind or has no sub-table for it.
    params: Option<Pending>,
    foreign: Vec<(String, std::ops::Range<usize>)>,
}

/// Deserializes one `[[rule]]`: its common keys, then its kind's sub-table by the kind's own raw
/// type. `None` after a shape error (every unknown key is reported before that).
fn deserialize_rule(
    value: Spanned<toml::de::DeValue<'_>>,
    names: &[&str],
    configured: &[Param],
    issues: &mut Issues<'_>,
) -> Option<Deserialized> {
    let SplitRule {
        rule,
        params,
        foreign,
    } = split_rule(value, names, issues)?;
    let params = match (kinds::lookup(rule.kind.get_ref()), params) {
        (Some(entry), Some(mut table)) => {
            apply_params(rule.id.get_ref(), entry.name, &mut table, configured);
            Some((entry.parse)(table, issues)?)
        }
        _ => None,
    };
    Some(Deserialized {
        rule,
        params,
        foreign,
    })
}

fn compile_rule(raw: Deserialized, path: &str, issues: &mut Issues<'_>) -> Option<Rule> {
    let Deserialized {
        rule: raw,
        params,
        foreign,
    } = raw;
    let before = issues.len();
    let id = raw.id.get_ref().clone();
    let id_span = raw.id.span();
    check_id(&raw.id, issues);
    let severity = parse_enum(&raw.severity, "severity", Severity::NAMES, issues);
    let scope = match &raw.scope {
        None => None,
        Some(s) => {
            let scope = Scope::parse(s.get_ref());
            if scope.is_none() {
                issues.push(
                    s.span(),
                    format!("unknown scope `{}`, expected `line`, `sentence`, `paragraph` or `document`", s.get_ref()),
                    None,
                );
            }
            scope
        }
    };
    if raw.description.get_ref().trim().is_empty() {
        issues.push(
            raw.description.span(),
            "the description is empty: say what the rule checks, why, and what to do",
            None,
        );
    }
    let kind = compile_kind(&raw.kind, params, &foreign, issues);
    let message = parse_template(&raw.message, issues);
    let help = raw.help.as_ref().map(|h| parse_template(h, issues));
    if let (Some((_, kind)), Some(message)) = (&kind, &message) {
        let vars = kind.vars();
        let mut check = |template: &Template, span: std::ops::Range<usize>, what: &str| {
            for var in template.vars() {
                if !vars.iter().any(|v| v == var) {
                    issues.push(
                        span.clone(),
                        format!("{what} uses `{{{var}}}`, which this rule does not define"),
                        Some(&format!(
                            "available: {}",
                            vars.iter()
                                .map(|v| format!("{{{v}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
            }
        };
        check(message, raw.message.span(), "message");
        if let (Some(Some(help)), Some(raw_help)) = (&help, &raw.help) {
            check(help, raw_help.span(), "help");
        }
    }
    let examples = Examples::from_raw(raw.tests.map(Spanned::into_inner));
    if issues.len() > before {
        return None;
    }
    let (kind_name, kind) = kind?;
    let scope = scope.unwrap_or_else(|| kind.default_scope());
    Some(Rule {
        id,
        name: raw.name.map(Spanned::into_inner),
        kind_name,
        kind,
        severity: severity?,
        scope,
        message: message?,
        help: help.flatten(),
        description: raw.description.into_inner(),
        url: raw.url.map(Spanned::into_inner),
        examples,
        origin: path.to_owned(),
        definition_hash: 0,
        id_span,
    })
}

fn check_id(id: &Spanned<String>, issues: &mut Issues<'_>) {
    let text = id.get_ref();
    let Some((category, slug)) = text.split_once('/') else {
        issues.push(
            id.span(),
            format!("rule id `{text}` must be `category/slug`"),
            Some(&categories_help()),
        );
        return;
    };
    if !CATEGORIES.contains(&category) {
        issues.push(
            id.span(),
            format!("unknown category `{category}` in rule id `{text}`"),
            Some(&categories_help()),
        );
    }
    let kebab = !slug.is_empty()
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !kebab {
        issues.push(
            id.span(),
            format!("the slug `{slug}` must be kebab-case (`a-z`, `0-9`, `-`)"),
            None,
        );
    }
}

fn categories_help() -> String {
    format!("categories: {}", CATEGORIES.join(", "))
}

/// Compiles the rule's kind from its (already deserialized) sub-table.
fn compile_kind(
    kind: &Spanned<String>,
    params: Option<Pending>,
    foreign: &[(String, std::ops::Range<usize>)],
    issues: &mut Issues<'_>,
) -> Option<(&'static str, Box<dyn Kind>)> {
    let name = kind.get_ref().as_str();
    let Some(entry) = kinds::lookup(name) else {
        issues.push(
            kind.span(),
            format!(
                "unknown kind `{name}`, expected one of: {}",
                kinds::kind_names().join(", ")
            ),
            None,
        );
        return None;
    };
    for (table, span) in foreign {
        issues.push(
            span.clone(),
            format!("`[rule.{table}]` does not belong to a rule of kind `{name}`"),
            Some(&format!("parameters of this rule go in `[rule.{name}]`")),
        );
    }
    let Some(pending) = params else {
        issues.push(
            kind.span(),
            format!("a `{name}` rule needs a `[rule.{name}]` table"),
            None,
        );
        return None;
    };
    Some((entry.name, pending(issues)?))
}

/// A second definition of an id is an issue at its `id =` value, naming the first one.
fn check_duplicates(
    pack: &Pack,
    compiled: &[Rule],
    seen: &mut std::collections::HashMap<String, String>,
    issues: &mut Vec<RuleIssue>,
) {
    let mut source: Option<Arc<str>> = None;
    for rule in compiled {
        let line = pack.text[..rule.id_span.start.min(pack.text.len())]
            .matches('\n')
            .count()
            + 1;
        let here = format!("{}:{line}", pack.origin);
        let Some(first) = seen.get(&rule.id) else {
            seen.insert(rule.id.clone(), here);
            continue;
        };
        let source = source.get_or_insert_with(|| Arc::from(&*pack.text));
        issues.push(RuleIssue {
            path: pack.origin.clone(),
            source: Arc::clone(source),
            span: rule.id_span.clone(),
            message: format!(
                "rule id `{}` is already defined at {first}; ids must be unique",
                rule.id
            ),
            help: Some(
                "rename one of the rules, or drop the copy (a rule file given twice defines \
                 every id twice)"
                    .to_owned(),
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> (Vec<Rule>, Vec<RuleIssue>) {
        let mut issues = Vec::new();
        let rules = compile_pack("t.toml", text, &mut issues);
        (rules, issues)
    }

    const HEAD: &str = "[[rule]]\nid = \"style/x\"\nkind = \"pattern\"\nseverity = \"info\"\nmessage = \"{match}\"\ndescription = \"d\"\n";

    #[test]
    fn registry_kind_names_are_unique() {
        let mut names = kinds::kind_names();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        assert!(kinds::lookup("pattern").is_some());
        assert!(kinds::lookup("nothing").is_none());
    }

    #[test]
    fn rule_takes_its_parameters_from_the_table_named_like_its_kind() {
        let (rules, issues) = compile(&format!("{HEAD}[rule.pattern]\nregex = \"a\"\n"));
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(rules[0].kind_name, "pattern");
        assert_eq!(rules[0].scope, Scope::Line);
    }

    #[test]
    fn table_of_another_kind_does_not_belong_and_points_at_it() {
        let text = format!("{HEAD}[rule.pattern]\nregex = \"a\"\n[rule.count]\nregex = \"b\"\n");
        let (rules, issues) = compile(&text);
        assert!(rules.is_empty());
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(
            issues[0].message,
            "`[rule.count]` does not belong to a rule of kind `pattern`"
        );
        assert_eq!(&text[issues[0].span.clone()], "[rule.count]");
    }

    #[test]
    fn unknown_rule_key_lists_the_common_keys_and_every_kind() {
        let text = format!("{HEAD}colour = 1\n[rule.pattern]\nregex = \"a\"\n");
        let (_, issues) = compile(&text);
        assert_eq!(&text[issues[0].span.clone()], "colour");
        let expected = format!(
            "unknown field `colour`, expected one of `id`, `name`, `kind`, `severity`, `scope`, \
             `message`, `help`, `description`, `url`, {}, `tests`",
            kinds::kind_names()
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert_eq!(issues[0].message, expected);
    }

    #[test]
    fn unknown_key_in_the_kind_table_points_at_the_key() {
        let text = format!("{HEAD}[rule.pattern]\nregex = \"a\"\nregx = \"b\"\n");
        let (_, issues) = compile(&text);
        assert_eq!(&text[issues[0].span.clone()], "regx");
        assert!(issues[0].message.starts_with("unknown field `regx`"));
    }

    #[test]
    fn missing_kind_table_is_reported_at_the_kind() {
        let (_, issues) = compile(HEAD);
        assert_eq!(
            issues[0].message,
            "a `pattern` rule needs a `[rule.pattern]` table"
        );
        assert_eq!(&HEAD[issues[0].span.clone()], "\"pattern\"");
    }

    #[test]
    fn configured_param_replaces_a_list_and_keeps_the_written_values() {
        let text = "[[rule]]\nid = \"field/x\"\nkind = \"field\"\nseverity = \"info\"\nmessage = \"{label}\"\ndescription = \"d\"\n[rule.field]\nlabels = [\"甲\"]\n";
        let params = [Param {
            rule: "field/x".into(),
            kind: "field".into(),
            key: "labels".into(),
            values: vec!["乙".into()],
            keep_in: Some("known".into()),
        }];
        let mut issues = Vec::new();
        let rules = RuleSet::new(compile_pack_with("t.toml", text, &params, &mut issues));
        assert!(issues.is_empty(), "{issues:?}");
        // `乙` is checked; `甲`, still known, ends its value: `乙` is empty.
        let doc = crate::source::Document::new("x.txt", "乙: 甲: 值\n".to_owned());
        let found = crate::engine::check(&doc, &rules);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "乙");
    }
}
