//! What a check produces: byte spans into the document text; positions are computed at render time.

use std::ops::Range;

/// How certain an automatic fix is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// Certain: may be applied without review.
    Safe,
    /// Plausible: applied only on request.
    Unsafe,
}

/// A replacement for a byte range of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub span: Range<usize>,
    pub replacement: String,
    pub applicability: Applicability,
}

/// A figure a finding was computed from, with the role it played (`part`, `whole`, `total` …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operand {
    /// The slot name of the rule's shape.
    pub role: String,
    /// The figure as read (spaces inside it removed).
    pub text: String,
    /// Its exact value after scale words (`1850.32万元` → 18503200), when it is a number.
    pub value: Option<String>,
    /// Byte range in the document text.
    pub span: Range<usize>,
}

/// One finding of one rule in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule, in the `RuleSet` that produced the finding.
    pub rule: super::RuleId,
    /// Byte range of the offending text.
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// The figures an arithmetic finding was computed from (empty for other kinds).
    pub operands: Vec<Operand>,
}

/// A raw match of a kind, before the rule's templates are applied.
#[derive(Debug, Clone, Default)]
pub struct Hit {
    pub span: Range<usize>,
    /// Named values for the message, help and fix templates.
    pub vars: Vec<(String, String)>,
    /// A replacement for `span`, when the kind can propose one.
    pub fix: Option<String>,
    /// True when the replacement is certain (applied by `--fix` without `--unsafe-fixes`).
    pub safe_fix: bool,
    /// The whole text the kind matched (a regex match), when larger than `span`.
    pub extent: Option<Range<usize>>,
    /// The figures the hit was computed from.
    pub operands: Vec<Operand>,
}

impl Hit {
    /// A hit with a single `match` variable holding the matched text.
    pub fn at(text: &str, span: Range<usize>) -> Hit {
        let matched = text[span.clone()].to_owned();
        Hit {
            span,
            vars: vec![("match".to_owned(), matched)],
            fix: None,
            safe_fix: false,
            extent: None,
            operands: Vec::new(),
        }
    }

    /// Adds a named value.
    pub fn var(mut self, name: &str, value: impl Into<String>) -> Hit {
        self.vars.push((name.to_owned(), value.into()));
        self
    }

    /// The range the hit covers in the document: its extent, else its span.
    pub fn covered(&self) -> Range<usize> {
        self.extent.clone().unwrap_or_else(|| self.span.clone())
    }

    /// Looks a variable up by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}
