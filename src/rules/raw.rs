//! Serde mirror of a rule file's common part. Every user-facing value keeps its span so that
//! compiling can point at it. A kind's own sub-table (`[rule.sum]`) is not described here: it is
//! taken out of the `[[rule]]` table by [`split_rule`] and deserialized by the kind itself, from
//! a raw type that lives next to the kind (plain structs; no tagged enums: they lose spans).
//! Part of the rule file format: imports nothing of the engine, the reporters or miette.

use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use toml::de::{DeValue, ValueDeserializer};
use toml::Spanned;

use super::Issues;

/// The common keys of one `[[rule]]` table (the kind's sub-table is handed to the kind).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub kind: Spanned<String>,
    pub severity: Spanned<String>,
    pub scope: Option<Spanned<String>>,
    pub message: Spanned<String>,
    pub help: Option<Spanned<String>>,
    pub description: Spanned<String>,
    pub url: Option<Spanned<String>>,
    pub tests: Option<Spanned<RawTests>>,
}

/// The keys of [`RawRule`] before `tests`, in declaration order (for unknown-key messages, where
/// the kind names follow them).
const COMMON_KEYS: &[&str] = &[
    "id",
    "name",
    "kind",
    "severity",
    "scope",
    "message",
    "help",
    "description",
    "url",
];

/// `[rule.tests]`: examples that `tally test` and `cargo test` run.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawTests {
    #[serde(default)]
    pub valid: Vec<String>,
    #[serde(default)]
    pub invalid: Vec<String>,
    #[serde(default)]
    pub case: Vec<RawCase>,
}

/// `[[rule.tests.case]]`: a text and the exact matched texts it must produce, in order.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawCase {
    pub text: String,
    #[serde(default)]
    pub expect: Vec<String>,
    pub fix: Option<String>,
}

/// One `[[rule]]` taken apart: its common keys, its own kind's sub-table, and the spans of
/// sub-tables named after other kinds (an error the compiler reports with the other checks).
#[derive(Debug)]
pub struct SplitRule<'a> {
    pub rule: RawRule,
    /// The sub-table named like the rule's `kind`, spans intact.
    pub params: Option<Spanned<DeValue<'a>>>,
    /// `(kind name, span)` of every sub-table named after another kind.
    pub foreign: Vec<(String, Range<usize>)>,
}

/// Takes one `[[rule]]` apart. `kinds` are the names of every registered kind: the sub-table
/// named like the rule's `kind` goes to [`SplitRule::params`], those named like other kinds to
/// [`SplitRule::foreign`]. Every unknown key is reported (not only the first); `None` when the
/// common keys have another shape error.
pub fn split_rule<'a>(
    mut value: Spanned<DeValue<'a>>,
    kinds: &[&str],
    issues: &mut Issues<'_>,
) -> Option<SplitRule<'a>> {
    let mut taken = Vec::new();
    if let DeValue::Table(table) = value.get_mut() {
        let named: Vec<_> = table
            .iter()
            .filter(|(k, _)| kinds.contains(&k.get_ref().as_ref()))
            .map(|(k, _)| k.get_ref().clone())
            .collect();
        for key in named {
            if let Some((k, v)) = table.remove_entry(key.as_ref()) {
                taken.push((k, v));
            }
        }
    }
    let known: Vec<&str> = COMMON_KEYS
        .iter()
        .copied()
        .chain(kinds.iter().copied())
        .chain(["tests"])
        .collect();
    let rule: RawRule = deserialize_reporting(value, Some(&known), issues)?;
    let kind = rule.kind.get_ref().clone();
    let mut params = None;
    let mut foreign = Vec::new();
    // In the order the file gives them.
    taken.sort_by_key(|(k, _)| k.span().start);
    for (key, table) in taken {
        if key.get_ref().as_ref() == kind {
            params = Some(table);
        } else {
            foreign.push((key.get_ref().to_string(), table.span()));
        }
    }
    Some(SplitRule {
        rule,
        params,
        foreign,
    })
}

/// Deserializes a kind's sub-table into its raw type, reporting every unknown key.
pub fn deserialize_params<T: DeserializeOwned>(
    value: Spanned<DeValue<'_>>,
    issues: &mut Issues<'_>,
) -> Option<T> {
    deserialize_reporting(value, None, issues)
}

/// Deserializes `value`, reporting every unknown key (each round removes one and retries) before
/// giving up on other shape errors. With `top_keys`, an unknown key of the top table is reported
/// with that list of expected keys (the list the whole `[[rule]]` accepts).
fn deserialize_reporting<T: DeserializeOwned>(
    mut value: Spanned<DeValue<'_>>,
    top_keys: Option<&[&str]>,
    issues: &mut Issues<'_>,
) -> Option<T> {
    // Each round removes one unknown key, so the number of rounds is bounded by the key count.
    for _ in 0..256 {
        match T::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(raw) => return Some(raw),
            Err(err) => {
                let span = err.span().unwrap_or_else(|| value.span());
                let mut message = err.message().trim().to_owned();
                if message.starts_with("unknown field") {
                    if let Some(removed) = remove_key_at(value.get_mut(), &span) {
                        if let (Some(keys), Removed::Top(name)) = (top_keys, &removed) {
                            message = format!("unknown field `{name}`, expected {}", one_of(keys));
                        }
                        issues.push(
                            span,
                            message,
                            Some("check the spelling; `tally explain` shows a rule's keys"),
                        );
                        continue;
                    }
                }
                issues.push(span, message, None);
                return None;
            }
        }
    }
    None
}

/// Serde's wording for a list of expected keys.
fn one_of(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.as_slice() {
        [] => "there are no fields".to_owned(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// Where a removed key was.
enum Removed {
    /// In the top table, with its name.
    Top(String),
    /// In a nested table.
    Nested,
}

fn remove_key_at(value: &mut DeValue<'_>, span: &Range<usize>) -> Option<Removed> {
    match value {
        DeValue::Table(table) => {
            let key = table
                .iter()
                .find(|(k, _)| k.span() == *span)
                .map(|(k, _)| k.get_ref().clone());
            if let Some(key) = key {
                return table
                    .remove(key.as_ref())
                    .map(|_| Removed::Top(key.to_string()));
            }
            table
                .iter_mut()
                .any(|(_, v)| remove_key_at(v.get_mut(), span).is_some())
                .then_some(Removed::Nested)
        }
        DeValue::Array(array) => array
            .iter_mut()
            .any(|v| remove_key_at(v.get_mut(), span).is_some())
            .then_some(Removed::Nested),
        _ => None,
    }
}

/// A kind parameter set from outside the rule files (by the configuration), applied to a rule's
/// sub-table before its kind compiles it, so that the kind compiles the configured value like a
/// written one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The exact id of the rule it applies to.
    pub rule: String,
    /// The kind that rule must have (a rule of another kind with that id is left as written).
    pub kind: String,
    /// The key of the rule's kind sub-table (`labels`).
    pub key: String,
    /// The new value, a list of strings.
    pub values: Vec<String>,
    /// Another key of the sub-table that keeps the replaced values (appended to it): the `field`
    /// kind's written `labels` stay `known` labels, so they still end the value before them.
    pub keep_in: Option<String>,
}

/// Applies the `params` naming rule `id` of kind `kind` to its kind sub-table. New values carry
/// the span of the sub-table (they were not written in the rule file).
pub fn apply_params(id: &str, kind: &str, table: &mut Spanned<DeValue<'_>>, params: &[Param]) {
    let span = table.span();
    let DeValue::Table(entries) = table.get_mut() else {
        return;
    };
    for param in params.iter().filter(|p| p.rule == id && p.kind == kind) {
        let list = |values: &[String]| {
            let items = values
                .iter()
                .map(|v| Spanned::new(span.clone(), DeValue::String(v.clone().into())));
            Spanned::new(span.clone(), DeValue::Array(items.collect()))
        };
        let key = Spanned::new(span.clone(), param.key.clone().into());
        let replaced = entries.insert(key, list(&param.values));
        let (Some(keep_in), Some(replaced)) = (&param.keep_in, replaced) else {
            continue;
        };
        let DeValue::Array(replaced) = replaced.into_inner() else {
            continue;
        };
        match entries.get_mut(keep_in.as_str()) {
            Some(existing) => {
                if let DeValue::Array(existing) = existing.get_mut() {
                    for value in replaced {
                        existing.push(value);
                    }
                }
            }
            None => {
                let key = Spanned::new(span.clone(), keep_in.clone().into());
                entries.insert(key, Spanned::new(span.clone(), DeValue::Array(replaced)));
            }
        }
    }
}
