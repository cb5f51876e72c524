//! Raw TOML → compiled rules. Every problem is collected with its span; nothing stops at the first.

use std::sync::Arc;

use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::raw::RawRule;
use super::{Case, Examples, Issues, Rule, RuleIssue, Severity, Template};
use crate::engine::kinds::{
    count, date, field, growth, pairs, pattern, ratio, relation, repeat, sequence, sum, table,
    Kind, KIND_NAMES,
};
use crate::source::Scope;

/// The fixed rule categories: the part of every rule id before `/`.
pub const CATEGORIES: &[&str] = &[
    "date", "number", "ratio", "sum", "count", "growth", "field", "punct", "repeat", "sequence",
    "table", "style", "xref",
];

/// Parses a spanned template, reporting syntax errors inside the string.
pub fn parse_template(value: &Spanned<String>, issues: &mut Issues<'_>) -> Option<Template> {
    match Template::parse(value.get_ref()) {
        Ok(t) => Some(t),
        Err(err) => {
            issues.push(
                value.span(),
                err.message,
                Some("placeholders are written `{name}`"),
            );
            None
        }
    }
}

/// Compiles one rule file. Rules with problems are left out; their issues go to `out`.
pub fn compile_pack(path: &str, text: &str, out: &mut Vec<RuleIssue>) -> Vec<Rule> {
    let source: Arc<str> = Arc::from(text);
    let mut issues = Issues {
        path,
        source: Arc::clone(&source),
        list: out,
    };
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
                    if let Some(raw) = deserialize_rule(entry.clone(), &mut issues) {
                        rules.extend(compile_rule(raw, path, &mut issues));
                    }
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

/// Deserializes one `[[rule]]`, reporting every unknown key (not only the first) before
/// giving up on other shape errors.
fn deserialize_rule(mut value: Spanned<DeValue<'_>>, issues: &mut Issues<'_>) -> Option<RawRule> {
    // Each round removes one unknown key, so the number of rounds is bounded by the key count.
    for _ in 0..256 {
        match RawRule::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(raw) => return Some(raw),
            Err(err) => {
                let span = err.span().unwrap_or_else(|| value.span());
                let message = err.message().trim().to_owned();
                if message.starts_with("unknown field") && remove_key_at(value.get_mut(), &span) {
                    issues.push(
                        span,
                        message,
                        Some("check the spelling; `tally explain` shows a rule's keys"),
                    );
                    continue;
                }
                issues.push(span, message, None);
                return None;
            }
        }
    }
    None
}

fn remove_key_at(value: &mut DeValue<'_>, span: &std::ops::Range<usize>) -> bool {
    match value {
        DeValue::Table(table) => {
            let key = table
                .iter()
                .find(|(k, _)| k.span() == *span)
                .map(|(k, _)| k.get_ref().clone());
            if let Some(key) = key {
                return table.remove(key.as_ref()).is_some();
            }
            table
                .iter_mut()
                .any(|(_, v)| remove_key_at(v.get_mut(), span))
        }
        DeValue::Array(array) => array.iter_mut().any(|v| remove_key_at(v.get_mut(), span)),
        _ => false,
    }
}

fn compile_rule(raw: RawRule, path: &str, issues: &mut Issues<'_>) -> Option<Rule> {
    let before = issues.len();
    let id = raw.id.get_ref().clone();
    check_id(&raw.id, issues);
    let severity = Severity::parse(raw.severity.get_ref());
    if severity.is_none() {
        issues.push(
            raw.severity.span(),
            format!(
                "unknown severity `{}`, expected `error`, `warning` or `info`",
                raw.severity.get_ref()
            ),
            None,
        );
    }
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
    let kind = compile_kind(&raw, issues);
    let message = parse_template(&raw.message, issues);
    let help = raw.help.as_ref().map(|h| parse_template(h, issues));
    if let (Some(kind), Some(message)) = (&kind, &message) {
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
    let examples = raw
        .tests
        .map(|t| {
            let t = t.into_inner();
            Examples {
                valid: t.valid,
                invalid: t.invalid,
                cases: t
                    .case
                    .into_iter()
                    .map(|c| Case {
                        text: c.text,
                        expect: c.expect,
                        fix: c.fix,
                    })
                    .collect(),
            }
        })
        .unwrap_or_default();
    if issues.len() > before {
        return None;
    }
    let kind = kind?;
    let default_scope = match kind {
        Kind::Pairs(_) => Scope::Paragraph,
        Kind::Ratio(_) | Kind::Sum(_) | Kind::Growth(_) | Kind::Count(_) | Kind::Relation(_) => {
            Scope::Statement
        }
        Kind::Field(_) | Kind::Sequence(_) | Kind::Table(_) => Scope::Document,
        _ => Scope::Line,
    };
    Some(Rule {
        id,
        name: raw.name.map(Spanned::into_inner),
        kind,
        severity: severity?,
        scope: scope.unwrap_or(default_scope),
        message: message?,
        help: help.flatten(),
        description: raw.description.into_inner(),
        url: raw.url.map(Spanned::into_inner),
        examples,
        origin: path.to_owned(),
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

fn compile_kind(raw: &RawRule, issues: &mut Issues<'_>) -> Option<Kind> {
    let name = raw.kind.get_ref().as_str();
    if !KIND_NAMES.contains(&name) {
        issues.push(
            raw.kind.span(),
            format!(
                "unknown kind `{name}`, expected one of: {}",
                KIND_NAMES.join(", ")
            ),
            None,
        );
        return None;
    }
    let tables: [(&str, Option<std::ops::Range<usize>>); 12] = [
        ("relation", raw.relation.as_ref().map(Spanned::span)),
        ("table", raw.table.as_ref().map(Spanned::span)),
        ("date", raw.date.as_ref().map(Spanned::span)),
        ("sequence", raw.sequence.as_ref().map(Spanned::span)),
        ("pattern", raw.pattern.as_ref().map(Spanned::span)),
        ("pairs", raw.pairs.as_ref().map(Spanned::span)),
        ("repeat", raw.repeat.as_ref().map(Spanned::span)),
        ("field", raw.field.as_ref().map(Spanned::span)),
        ("ratio", raw.ratio.as_ref().map(Spanned::span)),
        ("sum", raw.sum.as_ref().map(Spanned::span)),
        ("growth", raw.growth.as_ref().map(Spanned::span)),
        ("count", raw.count.as_ref().map(Spanned::span)),
    ];
    for (table, span) in &tables {
        if let Some(span) = span {
            if *table != name {
                issues.push(
                    span.clone(),
                    format!("`[rule.{table}]` does not belong to a rule of kind `{name}`"),
                    Some(&format!("parameters of this rule go in `[rule.{name}]`")),
                );
            }
        }
    }
    let missing = || format!("a `{name}` rule needs a `[rule.{name}]` table");
    let kind = match name {
        "pattern" => raw
            .pattern
            .as_ref()
            .map(|p| pattern::Pattern::compile(p.get_ref(), issues).map(Kind::Pattern)),
        "pairs" => raw
            .pairs
            .as_ref()
            .map(|p| pairs::Pairs::compile(p.get_ref(), issues).map(Kind::Pairs)),
        "repeat" => raw
            .repeat
            .as_ref()
            .map(|p| repeat::Repeat::compile(p.get_ref(), issues).map(Kind::Repeat)),
        "field" => raw
            .field
            .as_ref()
            .map(|p| field::Field::compile(p.get_ref(), issues).map(Kind::Field)),
        "ratio" => raw
            .ratio
            .as_ref()
            .map(|p| ratio::Ratio::compile(p.get_ref(), issues).map(Kind::Ratio)),
        "sum" => raw
            .sum
            .as_ref()
            .map(|p| sum::Sum::compile(p.get_ref(), issues).map(Kind::Sum)),
        "growth" => raw
            .growth
            .as_ref()
            .map(|p| growth::Growth::compile(p.get_ref(), issues).map(Kind::Growth)),
        "count" => raw
            .count
            .as_ref()
            .map(|p| count::Count::compile(p.get_ref(), issues).map(Kind::Count)),
        "date" => raw
            .date
            .as_ref()
            .map(|p| date::Date::compile(p.get_ref(), issues).map(Kind::Date)),
        "sequence" => raw
            .sequence
            .as_ref()
            .map(|p| sequence::Sequence::compile(p.get_ref(), issues).map(Kind::Sequence)),
        "table" => raw
            .table
            .as_ref()
            .map(|p| table::TableKind::compile(p.get_ref(), issues).map(Kind::Table)),
        "relation" => raw
            .relation
            .as_ref()
            .map(|p| relation::Relation::compile(p.get_ref(), issues).map(Kind::Relation)),
        _ => None,
    };
    match kind {
        Some(kind) => kind,
        None => {
            issues.push(raw.kind.span(), missing(), None);
            None
        }
    }
}
