//! Compiled rules and the rule set of a run: [`Rule`] (common fields plus its compiled
//! [`Kind`]), [`RuleId`] (a rule's place in its [`RuleSet`]) and the set's prefilters.
//! Immutable once built and shared across threads; never imports `report`, `check` or miette.

use regex::RegexSet;

use super::kinds::Kind;
use super::literals::LiteralScan;
use crate::rules::{id_matches, Examples, Severity, Template};
use crate::source::Scope;

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub name: Option<String>,
    /// The registered name of its kind (`sum`).
    pub kind_name: &'static str,
    pub kind: Box<dyn Kind>,
    pub severity: Severity,
    pub scope: Scope,
    pub message: Template,
    pub help: Option<Template>,
    pub description: String,
    pub url: Option<String>,
    pub examples: Examples,
    /// The rule file it came from (`builtin:rules/repeat.toml` for built-in packs).
    pub origin: String,
    /// A hash of the rule file it was compiled from and the configured parameters applied to it
    /// (part of [`RuleSet::hash`]).
    pub definition_hash: u64,
    /// Byte range of the id's value in that file (where a duplicate id is reported).
    pub id_span: std::ops::Range<usize>,
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

/// A rule's position in the [`RuleSet`] it was taken from (rules are ordered by id). Only
/// meaningful for that set: findings carry it, reporters look the rule up with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(u32);

impl RuleId {
    /// The position as an index (SARIF `ruleIndex`).
    pub fn index(self) -> usize {
        self.0 as usize
    }

    fn new(index: usize) -> RuleId {
        // A rule set holds a few hundred rules; more than u32::MAX cannot be loaded.
        RuleId(u32::try_from(index).unwrap_or(u32::MAX))
    }
}

/// All rules of a run, compiled once; shared read-only across threads.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// Regexes of the pattern rules a substring search may rule out for a whole document.
    prefilter: Option<RegexSet>,
    /// For each prefilter entry, the rule it stands for.
    prefilter_rules: Vec<RuleId>,
    /// Rules that always run.
    always: Vec<RuleId>,
    /// The literals the operand patterns require, scanned once per document.
    literals: Option<LiteralScan>,
    /// Rules [`engine::check`](super::check) leaves out: a later pass runs them on demand.
    separate: Vec<RuleId>,
    /// Which statements the rules that read the statement model need read.
    gate: crate::statement::Gate,
}

impl std::ops::Index<RuleId> for RuleSet {
    type Output = Rule;

    fn index(&self, id: RuleId) -> &Rule {
        &self.rules[id.index()]
    }
}

impl RuleSet {
    /// A hash of what decides this set's findings: every rule's id, severity and scope, the rule
    /// file and parameters it was compiled from, and the cue words of the lexicon (`--lexicon`).
    /// Two runs with the same hash and the same inputs report the same findings; 16 hex digits.
    pub fn hash(&self) -> String {
        let mut key = String::from("tally rule set 1\n");
        for rule in &self.rules {
            key.push_str(&format!(
                "{}\u{0}{}\u{0}{}\u{0}{:016x}\n",
                rule.id,
                rule.severity.as_str(),
                rule.scope.as_str(),
                rule.definition_hash
            ));
        }
        let lexicon = crate::statement::lexicon::Lexicon::builtin();
        let classes = lexicon.classes();
        for word in 0..lexicon.len() {
            let class = classes
                .get(lexicon.class_of(word))
                .map_or("", String::as_str);
            key.push_str(&format!("{}\u{0}{class}\n", lexicon.word(word)));
        }
        format!("{:016x}", crate::baseline::fnv1a(key.as_bytes()))
    }

    /// Builds the set, ordered by rule id.
    pub fn new(mut rules: Vec<Rule>) -> RuleSet {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        let mut patterns = Vec::new();
        let mut prefilter_rules = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let joins = rule.kind.joins_document_prefilter();
            match rule.kind.prefilter().filter(|_| joins) {
                Some(regexes) => {
                    for re in regexes {
                        patterns.push(re.as_str().to_owned());
                        prefilter_rules.push(RuleId::new(i));
                    }
                }
                None => always.push(RuleId::new(i)),
            }
        }
        let prefilter = if patterns.is_empty() {
            None
        } else {
            match RegexSet::new(&patterns) {
                Ok(set) => Some(set),
                Err(_) => {
                    // Too large for one set: run every rule instead of prefiltering.
                    always = (0..rules.len()).map(RuleId::new).collect();
                    prefilter_rules.clear();
                    None
                }
            }
        };
        let literals = LiteralScan::new(&rules);
        let mut gate = crate::statement::Gate::none();
        for rule in &rules {
            rule.kind.gate_statements(&mut gate);
        }
        RuleSet {
            gate,
            rules,
            prefilter,
            prefilter_rules,
            always,
            literals,
            separate: Vec::new(),
        }
    }

    /// Leaves rule `id` out of [`engine::check`](super::check): a later pass (the suppression
    /// pass, for unused suppressions) runs it with [`check_rule`](super::check_rule) when needed.
    pub fn run_separately(&mut self, id: RuleId) {
        self.separate.push(id);
    }

    /// The id of every rule, in order.
    pub fn ids(&self) -> impl Iterator<Item = RuleId> {
        (0..self.rules.len()).map(RuleId::new)
    }

    /// Which statements the set's rules need read into tokens.
    pub fn statement_gate(&self) -> &crate::statement::Gate {
        &self.gate
    }

    /// The literal scan of the rules' operand patterns, if any rule has required literals.
    pub fn literals(&self) -> Option<&LiteralScan> {
        self.literals.as_ref()
    }

    /// The rules that may fire on `text`, in id order.
    pub fn candidates(&self, text: &str) -> Vec<RuleId> {
        let mut out = self.always.clone();
        if let Some(set) = &self.prefilter {
            out.extend(
                set.matches(text)
                    .into_iter()
                    .map(|i| self.prefilter_rules[i]),
            );
        }
        out.retain(|id| !self.separate.contains(id));
        out.sort_unstable();
        out
    }

    /// Looks a rule up by exact id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The [`RuleId`] of the rule with exact id `id`.
    pub fn find(&self, id: &str) -> Option<RuleId> {
        self.rules.iter().position(|r| r.id == id).map(RuleId::new)
    }
}

/// True when rule `id` is selected by the prefixes `select` (all when empty) and by none of
/// `ignore` (`--select` / `--ignore`).
pub fn is_selected(id: &str, select: &[String], ignore: &[String]) -> bool {
    (select.is_empty() || select.iter().any(|p| id_matches(id, p)))
        && !ignore.iter().any(|p| id_matches(id, p))
}
