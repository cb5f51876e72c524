//! The engine: compiles raw rules into a [`RuleSet`] (`compile`, with each kind compiling its own
//! sub-table: `kinds`), and runs the set over one [`Document`], returning sorted findings.
//!
//! It imports the rule file format (`rules`) and documents (`source`); it never imports `report`
//! or miette, and does no IO of its own (`load_rules` has `rules::read_packs` read the files).

pub mod compile;
pub mod finding;
pub mod kinds;
pub mod literals;
mod rule;

pub use compile::{compile_pack, compile_pack_with, compile_packs, load_rules};
pub use finding::{Applicability, Finding, Fix, Hit, Operand};
pub use rule::{is_selected, Rule, RuleId, RuleSet};

use std::time::{Duration, Instant};

use self::literals::{LiteralScan, Occurrences};
use crate::source::Document;

/// Runs every candidate rule over the document. Findings are sorted by start, end, then rule id,
/// and duplicates (same rule, same span) are removed.
pub fn check(doc: &Document, rules: &RuleSet) -> Vec<Finding> {
    check_timed(doc, rules, None)
}

/// Where the time of [`check_timed`] went: the literal scan and prefilter, the statement model,
/// and each rule (indexed by [`RuleId::index`]). Added up over documents by `--timings`.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub prefilter: Duration,
    pub statements: Duration,
    pub rules: Vec<Duration>,
}

impl Timings {
    /// Adds `other` to these timings.
    pub fn add(&mut self, other: &Timings) {
        self.prefilter += other.prefilter;
        self.statements += other.statements;
        if self.rules.len() < other.rules.len() {
            self.rules.resize(other.rules.len(), Duration::ZERO);
        }
        for (mine, theirs) in self.rules.iter_mut().zip(&other.rules) {
            *mine += *theirs;
        }
    }
}

/// [`check`], adding the time of each stage and rule to `timings` when given.
pub fn check_timed(
    doc: &Document,
    rules: &RuleSet,
    mut timings: Option<&mut Timings>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut hits = Vec::new();
    let clock = timings.as_ref().map(|_| Instant::now());
    let literals = rules.literals().map(|scan| (scan, scan.scan(&doc.text)));
    let candidates = rules.candidates(&doc.text);
    if let Some(t) = timings.as_deref_mut() {
        t.prefilter += clock.map(|c| c.elapsed()).unwrap_or_default();
        t.rules.resize(rules.ids().count(), Duration::ZERO);
    }
    // The statement model is read once, with the gate of the whole set, before any rule asks
    // for it (so its time is its own).
    if candidates
        .iter()
        .any(|&id| rules[id].kind.reads_statements())
    {
        let start = Instant::now();
        crate::statement::read_document(doc, rules.statement_gate());
        if let Some(t) = timings.as_deref_mut() {
            t.statements += start.elapsed();
        }
    }
    for id in candidates {
        let rule = &rules[id];
        hits.clear();
        let start = timings.as_ref().map(|_| Instant::now());
        run_rule(doc, rules, id, literals.as_ref(), &mut hits);
        if let (Some(t), Some(start)) = (timings.as_deref_mut(), start) {
            t.rules[id.index()] += start.elapsed();
        }
        findings.extend(hits.drain(..).map(|hit| finding(id, rule, hit)));
    }
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, &rules[a.rule].id).cmp(&(
            b.span.start,
            b.span.end,
            &rules[b.rule].id,
        ))
    });
    findings.dedup_by(|a, b| a.rule == b.rule && a.span == b.span);
    findings
}

/// Runs rule `id`. The document's literal scan, when there is one, rules out scope units that
/// lack the literals the rule's operand patterns require.
fn run_rule(
    doc: &Document,
    rules: &RuleSet,
    id: RuleId,
    literals: Option<&(&LiteralScan, Occurrences)>,
    hits: &mut Vec<Hit>,
) {
    let rule = &rules[id];
    if rule.kind.per_document() {
        rule.kind.check_unit(doc, 0..doc.text.len(), hits);
        return;
    }
    let units = doc.blocks.units(rule.scope, &doc.text);
    if !rule.kind.searches_document() {
        for unit in units {
            if literals.is_none_or(|(scan, found)| scan.may_match(found, id, unit)) {
                rule.kind.check_unit(doc, unit.clone(), hits);
            }
        }
        return;
    }
    // One search over the document; a match is kept when it lies inside one unit. Units that a
    // match crosses (or that a crossing match consumed) are searched again on their own.
    let mut found = Vec::new();
    rule.kind.check_unit(doc, 0..doc.text.len(), &mut found);
    let mut redo: Vec<usize> = Vec::new();
    for hit in found {
        let covered = hit.covered();
        let first = units.partition_point(|u| u.end <= covered.start);
        match units.get(first) {
            Some(unit) if unit.start <= covered.start && covered.end <= unit.end => hits.push(hit),
            _ => {
                let last = units.partition_point(|u| u.start < covered.end);
                redo.extend(first..last.max(first + 1).min(units.len()));
            }
        }
    }
    redo.sort_unstable();
    redo.dedup();
    for index in redo {
        rule.kind.check_unit(doc, units[index].clone(), hits);
    }
}

fn finding(id: RuleId, rule: &Rule, hit: Hit) -> Finding {
    let lookup = |name: &str| hit.get(name);
    let message = rule.message.render(lookup);
    let help = rule.help.as_ref().map(|h| h.render(lookup));
    // A fix replaces what the kind matched (a pattern's whole match), which may be wider than
    // the part it reports.
    let fix = hit.fix.as_ref().map(|replacement| Fix {
        span: hit.covered(),
        replacement: replacement.clone(),
        applicability: if hit.safe_fix {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
    });
    Finding {
        rule: id,
        span: hit.span,
        message,
        help,
        fix,
        operands: hit.operands,
    }
}

/// Runs rule `id` alone over the document (rule examples, and passes that run a rule the main
/// check leaves out). Findings are sorted by span, duplicates removed.
pub fn check_rule(doc: &Document, rules: &RuleSet, id: RuleId) -> Vec<Finding> {
    let rule = &rules[id];
    let mut hits = Vec::new();
    // The examples run through the literal scan too, so a literal it misses fails them.
    let literals = rules.literals().map(|scan| (scan, scan.scan(&doc.text)));
    if rule.kind.reads_statements() {
        crate::statement::read_document(doc, rules.statement_gate());
    }
    run_rule(doc, rules, id, literals.as_ref(), &mut hits);
    let mut out: Vec<Finding> = hits.into_iter().map(|h| finding(id, rule, h)).collect();
    out.sort_by_key(|f| (f.span.start, f.span.end));
    out.dedup_by(|a, b| a.span == b.span);
    out
}

/// Checks a text with one rule alone (rule examples and `tally test`). A text with form feeds
/// stands for a PDF's text: its pages end with them, as in `pdftotext` output.
pub fn check_text_with(id: RuleId, rules: &RuleSet, text: &str) -> Vec<Finding> {
    let doc = if text.contains('\u{c}') {
        Document::paged("<example>", text)
    } else {
        Document::new("<example>", text.to_owned())
    };
    check_rule(&doc, rules, id)
}
