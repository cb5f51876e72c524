//! Rule kinds: each kind owns its raw sub-table (`RawX`, the serde mirror of `[rule.x]`), compiles
//! itself from it, and checks documents with what it compiled.
//!
//! A kind is one file `kinds/x.rs` holding `RawX` (deserialized from the `[rule.x]` sub-table, with
//! spans), a compiled type with an inherent `fn compile(raw: &RawX, issues: &mut Issues<'_>) ->
//! Option<Self>`, and an `impl Kind` for it; and one line in the `kinds!` list below, which
//! declares the module and registers it under its name. Nothing else names a kind: the rule
//! compiler looks kinds up in [`KINDS`].
//!
//! Kinds import the rule file format (`crate::rules`: raw helpers, `Issues`, templates) and the
//! engine's finding types; they never import `report` or miette, and do no IO.

mod operands;

pub use operands::{required_literals, Operands};

use std::ops::Range;

use toml::de::DeValue;
use toml::Spanned;

use super::finding::Hit;
use crate::rules::Issues;
use crate::source::{Document, Scope};

/// What a compiled kind does. The engine calls these instead of matching on kinds.
pub trait Kind: std::fmt::Debug + Send + Sync {
    /// Checks one scope unit (a kind that runs once per document gets the whole text).
    fn check_unit(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>);

    /// The placeholder names the kind provides to templates.
    fn vars(&self) -> Vec<String>;

    /// The scope of a rule of this kind that names none.
    fn default_scope(&self) -> Scope {
        Scope::Line
    }

    /// The operand patterns of the arithmetic kinds (and the regex checks of `date`): their
    /// required literals feed the document-wide literal scan.
    fn operands(&self) -> Option<&Operands> {
        None
    }

    /// Regexes a kind searches with, or `None` for kinds that scan characters.
    fn regexes(&self) -> Option<Vec<&regex::Regex>> {
        Some(self.operands()?.regexes().iter().collect())
    }

    /// True when the kind's [`prefilter`](Kind::prefilter) regexes join the rule set's
    /// document-wide `RegexSet` (plain pattern rules only: a set of the large operand patterns
    /// of the arithmetic kinds compiles to an automaton slower than running them).
    fn joins_document_prefilter(&self) -> bool {
        false
    }

    /// True when one regex search over the whole document, keeping the matches that lie inside
    /// one scope unit, finds what a search of each unit would (see `Pattern`).
    fn searches_document(&self) -> bool {
        false
    }

    /// True when the kind reads the document's statement model (`crate::statement`).
    fn reads_statements(&self) -> bool {
        false
    }

    /// Adds to `gate` the statements this rule needs read into tokens (kinds that read the
    /// statement model only; a kind that reads statements without adding reads none of those
    /// the other rules turn away).
    fn gate_statements(&self, _gate: &mut crate::statement::Gate) {}

    /// True when the kind ignores scopes and runs once per document.
    fn per_document(&self) -> bool {
        false
    }

    /// Regexes of which at least one must match somewhere in a document for the rule to fire
    /// there; `None` when the rule must always run.
    fn prefilter(&self) -> Option<Vec<&regex::Regex>> {
        self.regexes()
            .filter(|regexes| !regexes.iter().any(|re| unit_sensitive(re)))
    }
}

/// A kind's raw table, deserialized and waiting to be compiled (after the rule's common checks,
/// so that issues keep the order of the file: shape errors first).
pub type Pending = Box<dyn FnOnce(&mut Issues<'_>) -> Option<Box<dyn Kind>>>;

/// One registered kind: its TOML name and how its sub-table becomes a [`Kind`].
pub struct KindEntry {
    /// The `kind = "…"` value and the name of its sub-table (`[rule.sum]`).
    pub name: &'static str,
    /// Deserializes the sub-table into the kind's raw type (every unknown key reported, spans
    /// kept); `None` after a shape error, which the issues hold.
    pub parse: fn(Spanned<DeValue<'_>>, &mut Issues<'_>) -> Option<Pending>,
}

impl std::fmt::Debug for KindEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KindEntry")
            .field("name", &self.name)
            .finish()
    }
}

/// Declares each kind's module and registers it: `name => Type` where `kinds/name.rs` defines
/// `Type` with `fn compile(raw: &RawX, issues: &mut Issues<'_>) -> Option<Type>` and `impl Kind`.
macro_rules! kinds {
    ($($name:ident => $kind:ident),* $(,)?) => {
        $(pub mod $name;)*

        /// Every kind, in the order `tally rules` documents them.
        pub const KINDS: &[KindEntry] = &[$(KindEntry {
            name: stringify!($name),
            parse: |value, issues| {
                let raw = crate::rules::raw::deserialize_params(value, issues)?;
                let pending: Pending = Box::new(move |issues: &mut Issues<'_>| {
                    let kind = $name::$kind::compile(&raw, issues)?;
                    Some(Box::new(kind) as Box<dyn Kind>)
                });
                Some(pending)
            },
        }),*];
    };
}

// The registry: one line per kind.
kinds! {
    pattern => Pattern,
    pairs => Pairs,
    repeat => Repeat,
    field => Field,
    count => Count,
    date => Date,
    sequence => Sequence,
    table => TableKind,
    relation => Relation,
    pages => Pages,
}

/// The registered kind called `name`.
pub fn lookup(name: &str) -> Option<&'static KindEntry> {
    KINDS.iter().find(|k| k.name == name)
}

/// Every kind name a rule file may use, in registry order.
pub fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

/// The matches of a rule's `unless` patterns in one unit, searched on first use.
pub(crate) struct Exceptions<'a> {
    patterns: &'a [regex::Regex],
    body: &'a str,
    ranges: Option<Vec<Range<usize>>>,
}

impl<'a> Exceptions<'a> {
    /// Exceptions of `patterns` in `body` (a unit's text; ranges are relative to it).
    pub(crate) fn new(patterns: &'a [regex::Regex], body: &'a str) -> Self {
        Exceptions {
            patterns,
            body,
            ranges: None,
        }
    }

    /// True when an exception overlaps `range`.
    pub(crate) fn overlap(&mut self, range: Range<usize>) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let (patterns, body) = (self.patterns, self.body);
        let ranges = self.ranges.get_or_insert_with(|| {
            patterns
                .iter()
                .flat_map(|re| re.find_iter(body).map(|m| m.range()))
                .collect()
        });
        ranges
            .iter()
            .any(|r| r.start < range.end && range.start < r.end)
    }
}

/// Anchors and word boundaries depend on where a search starts and ends, so a regex using them
/// must be run on each scope unit and cannot be judged by a document-wide search.
pub(crate) fn unit_sensitive(re: &regex::Regex) -> bool {
    match regex_syntax::Parser::new().parse(re.as_str()) {
        Ok(hir) => !hir.properties().look_set().is_empty(),
        Err(_) => true,
    }
}
