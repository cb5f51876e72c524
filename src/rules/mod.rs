//! The rule file format: the raw serde mirror of a `[[rule]]` (with spans), templates, enum and
//! regex values, severities, examples, the issues (errors with spans) a rule file can have, and
//! the reading of rule files (the built-in packs and `.toml` files in folders).
//!
//! This module is a leaf: it must not import `engine`, `report` or miette. Compiling a raw rule
//! into a runnable one is the engine's job (`engine::compile`); a kind's own sub-table is
//! described by a raw type next to that kind (`engine/kinds/*.rs`). IO happens only in
//! [`read_packs`], [`read_pack_text`] and `builtin`.

mod builtin;
mod error;
mod load;
pub mod raw;
mod template;
mod values;
mod written;

pub use builtin::BUILTIN_PACKS;
pub use error::{Issues, RuleIssue};
pub use load::{read_pack_text, read_packs, Pack};
pub use template::Template;
pub use values::{
    compile_regex, expand_placeholders, parse_enum, parse_enum_or, parse_template, PLACEHOLDERS,
};
pub use written::written_params;

/// The fixed rule categories: the part of every rule id before `/`.
pub const CATEGORIES: &[&str] = &[
    "date", "number", "ratio", "sum", "count", "growth", "field", "punct", "repeat", "sequence",
    "table", "style", "xref", "source",
];

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The TOML / CLI spellings, in the order messages list them.
    pub const NAMES: &'static [(&'static str, Severity)] = &[
        ("error", Severity::Error),
        ("warning", Severity::Warning),
        ("info", Severity::Info),
    ];

    /// Parses the TOML / CLI spelling.
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
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

impl Examples {
    /// The examples of a `[rule.tests]` table.
    pub fn from_raw(tests: Option<raw::RawTests>) -> Examples {
        tests
            .map(|t| Examples {
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
            })
            .unwrap_or_default()
    }
}

/// True when `id` is selected by `prefix` (a plain prefix of the id: `repeat/`, `repeat/doubled-char`).
pub fn id_matches(id: &str, prefix: &str) -> bool {
    prefix == "ALL" || id.starts_with(prefix)
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
