//! Parsing of single values of a rule file: enum-valued keys, regexes (with the number
//! placeholders rule authors may write) and templates, each reporting a problem at its value.
//! Imports nothing of the engine: kinds call these to compile their own sub-tables.

use toml::Spanned;

use super::{Issues, Template};

/// Parses an enum-valued key: `value` must be one of the names in `choices`. Otherwise the issue
/// reads "unknown check `x`, expected `a`, `b` or `c`", where `what` names the key (`check`), or,
/// written `value for `key``, gives "unknown value `x` for `key`, expected …".
///
/// ```text
/// let check = parse_enum(value, "check", &[("exceed", Check::Exceed), ("short", Check::Short)], issues)?;
/// ```
pub fn parse_enum<T: Copy>(
    value: &Spanned<String>,
    what: &str,
    choices: &[(&str, T)],
    issues: &mut Issues<'_>,
) -> Option<T> {
    let text = value.get_ref().as_str();
    if let Some((_, v)) = choices.iter().find(|(name, _)| *name == text) {
        return Some(*v);
    }
    let names: Vec<String> = choices.iter().map(|(n, _)| format!("`{n}`")).collect();
    let expected = match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    };
    let (noun, rest) = what.split_once(' ').map_or((what, ""), |(n, r)| (n, r));
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!(" {rest}")
    };
    issues.push(
        value.span(),
        format!("unknown {noun} `{text}`{rest}, expected {expected}"),
        None,
    );
    None
}

/// Parses an optional enum-valued key; an absent key gives `default`.
pub fn parse_enum_or<T: Copy>(
    value: Option<&Spanned<String>>,
    what: &str,
    choices: &[(&str, T)],
    default: T,
    issues: &mut Issues<'_>,
) -> Option<T> {
    match value {
        None => Some(default),
        Some(value) => parse_enum(value, what, choices, issues),
    }
}

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

/// Number fragments rule authors may write inside regexes, so that operand patterns stay readable.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    // An Arabic number: half- or full-width digits, thousands groups of exactly three, decimals.
    (
        "{n}",
        r"[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．][0-9０-９]+)?",
    ),
    // A percentage.
    ("{pct}", r"[0-9０-９]+(?:[.．][0-9０-９]+)?\s?[%％]"),
    // A Chinese numeral.
    ("{cn}", r"[〇零一二两三四五六七八九十百千万亿]+"),
    // An optional scale word.
    ("{scale}", r"(?:万亿|亿|万|千)?"),
    // A unit of counts, money or measures (not rates).
    (
        "{qty}",
        r"(?:万元|亿元|千元|元|万人次|人次|万人|人|件|个|项|家|户|起|次|所|名|辆|套|台|吨|宗|条|本|场|批|处|座|公里|平方米|亩|公顷)",
    ),
    // A unit of counts, money, measures or rates.
    (
        "{unit}",
        r"(?:万元|亿元|千元|元|万人次|人次|万人|人|件|个|项|家|户|起|次|所|名|辆|套|台|吨|宗|条|本|场|批|处|座|公里|平方米|亩|公顷|[%％])",
    ),
];

/// Replaces `{n}`, `{pct}`, `{cn}` and `{scale}` with their regex fragments.
pub fn expand_placeholders(pattern: &str) -> String {
    if !pattern.contains('{') {
        return pattern.to_owned();
    }
    let mut out = pattern.to_owned();
    for (name, fragment) in PLACEHOLDERS {
        out = out.replace(name, fragment);
    }
    out
}

/// Compiles a user regex, reporting a syntax error at the regex value.
pub fn compile_regex(pattern: &Spanned<String>, issues: &mut Issues<'_>) -> Option<regex::Regex> {
    match regex::RegexBuilder::new(&expand_placeholders(pattern.get_ref()))
        .size_limit(1 << 23)
        .dfa_size_limit(1 << 26)
        .build()
    {
        Ok(re) => Some(re),
        Err(err) => {
            let detail = err.to_string();
            let last = detail.lines().last().unwrap_or("invalid regex").trim();
            let last = last.strip_prefix("error: ").unwrap_or(last);
            issues.push(
                pattern.span(),
                format!("invalid regular expression: {last}"),
                Some("tally uses Rust regex syntax (no look-around, no backreferences): https://docs.rs/regex/#syntax"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Check {
        Exceed,
        Short,
        Equal,
    }

    const CHOICES: &[(&str, Check)] = &[
        ("exceed", Check::Exceed),
        ("short", Check::Short),
        ("equal", Check::Equal),
    ];

    fn parse(text: &str, what: &str) -> (Option<Check>, Vec<super::super::RuleIssue>) {
        let mut list = Vec::new();
        let mut issues = Issues {
            path: "t.toml",
            source: Arc::from("check = \"x\""),
            list: &mut list,
        };
        let value = Spanned::new(8..11, text.to_owned());
        let got = parse_enum(&value, what, CHOICES, &mut issues);
        (got, list)
    }

    #[test]
    fn parse_enum_known_name_gives_its_value() {
        let (got, issues) = parse("short", "check");
        assert_eq!(got, Some(Check::Short));
        assert!(issues.is_empty());
    }

    #[test]
    fn parse_enum_unknown_name_lists_the_choices_at_the_value() {
        let (got, issues) = parse("more", "check");
        assert_eq!(got, None);
        assert_eq!(
            issues[0].message,
            "unknown check `more`, expected `exceed`, `short` or `equal`"
        );
        assert_eq!(issues[0].span, 8..11);
        let (_, issues) = parse("more", "value for `empty`");
        assert_eq!(
            issues[0].message,
            "unknown value `more` for `empty`, expected `exceed`, `short` or `equal`"
        );
    }
}
