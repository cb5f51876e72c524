//! `relation`: figures of one statement that must agree — a part, its whole and their rate; a
//! total and its parts; two values and the change between them — declared as *shapes* over the
//! statement's tokens (see [`crate::statement`]) and a *check* computed on exact intervals.
//!
//! ```toml
//! [rule.relation]
//! check = "ratio"
//! shapes = ["$whole:count , $part:count , <rate> $rate:pct"]
//! ```
//!
//! Every binding of a statement is considered (each shape, at each token where it can start).
//! When two bindings of the same reported figure disagree — one finds the figures consistent,
//! another does not — the rule abstains: a false alarm costs more than a missed error.

pub mod arith;
pub mod shape;

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use self::arith::{RoundingPolicy, Sign, SumMode};
use self::shape::{Shape, SlotKind};
use crate::engine::finding::{Hit, Operand};
use crate::engine::kinds::Kind;
use crate::number::{parse_quantity, Quantity};
use crate::rules::{parse_enum, parse_enum_or, Issues};
use crate::source::{Document, Scope};
use crate::statement::{Lexicon, Statement, TokenKind};

/// `[rule.relation]`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawRelation {
    /// What the bound figures must satisfy.
    pub check: Spanned<String>,
    /// Shapes over the statement's tokens; a statement is checked for each.
    pub shapes: Vec<Spanned<String>>,
    /// The slot whose figure the finding points at (the check's default otherwise).
    pub report: Option<Spanned<String>>,
    /// `sum`: `exceed`, `short` or `equal`.
    pub mode: Option<Spanned<String>>,
    /// `sum`: a fixed total (`"100%"`) instead of a `$total` slot.
    pub total: Option<Spanned<String>>,
    /// `sum`: the fewest parts a list must have.
    pub min_parts: Option<Spanned<usize>>,
    /// Tokens an implicit gap may hold (default 5).
    pub max_gap: Option<Spanned<usize>>,
    /// Cue classes that gaps may not contain.
    #[serde(default)]
    pub barrier: Vec<Spanned<String>>,
    /// Cue classes that make the rule abstain on the whole statement (`hedge`: 可比价 …).
    #[serde(default)]
    pub abstain: Vec<Spanned<String>>,
    /// `statement` (the default) or `paragraph`: a statement read with up to four statements
    /// before it in its paragraph, `//` in shapes between each two.
    pub span: Option<Spanned<String>>,
    /// `half-up` or `half-up-or-truncated` (how stated rates may have been rounded).
    pub rounding: Option<Spanned<String>>,
    /// Pairs of slots whose labels must name the same subject (`[["part", "rate"]]`: the words
    /// before `66530件` and before `率98.5%` share at least two characters).
    #[serde(default)]
    pub labels: Vec<Vec<Spanned<String>>>,
    /// The characters two labels must share to name the same subject (default 2).
    pub label_overlap: Option<Spanned<usize>>,
    /// Slots that may not follow a cue of these classes in their clause (`not-after.total =
    /// ["up"]`: `比上年增加4000亿元，其中…` is an increment, not a total).
    #[serde(default)]
    pub not_after: std::collections::BTreeMap<String, Vec<Spanned<String>>>,
    /// Slots whose figure may not be an item of a list (`not-listed = ["whole"]`: in `A 286件、
    /// B 412件，其中…`, `其中` may refer to either item or to both).
    #[serde(default)]
    pub not_listed: Vec<Spanned<String>>,
    /// Cue classes of increase (default `up`, `rise-to`).
    pub increase: Option<Vec<Spanned<String>>>,
    /// Cue classes of decrease (default `down`, `fall-to`).
    pub decrease: Option<Vec<Spanned<String>>>,
    /// The words `{direction}` shows for an increase and a decrease (default `增长`, `下降`).
    pub directions: Option<Vec<Spanned<String>>>,
}

/// What a relation rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// part / whole = rate.
    Ratio,
    /// A rate over a whole of n items is k/n for an integer k (GRIM).
    Grim,
    /// A mean of integer data over n items is s/n for an integer s.
    Mean,
    /// Parts against their total.
    Sum,
    /// From a value to another, with the stated change and its direction.
    Change,
    /// The direction word alone against the two values.
    Direction,
    /// A value, the change to it and the rate of that change (`X，比上年减少D，下降P%`).
    Delta,
    /// A change between two rates given in % that equals their difference in points.
    PointsAsPercent,
    /// An average annual rate between two dated values.
    Average,
    /// A comparison word (`大于`, `小于`, `等于`) between two stated figures `$left` and `$right`.
    Compare,
    /// `B是A的N倍`: B / A = N (unlike `增长N倍`, B / A − 1 = N).
    Multiple,
    /// A stated count `$n` against the items of a region: `$markers` (the run of enumeration
    /// markers 一是, 二是 … from one), `$quoted` (quoted items), or `$items` (words separated by
    /// `、`, a list that may be abridged: only more items than stated is an error).
    Count,
    /// Subjects paired one to one with values (`A、B、C分别增长x、y`): the words of `$subjects`
    /// separated by `、` against the figures of `$values`. Only fewer values than subjects, and
    /// more than one, is an error: one value applies to every subject, and `和` may join words
    /// inside one subject, so the subjects counted are a lower bound.
    Arity,
}

const CHECKS: &[(&str, Check)] = &[
    ("ratio", Check::Ratio),
    ("grim", Check::Grim),
    ("mean", Check::Mean),
    ("sum", Check::Sum),
    ("change", Check::Change),
    ("direction", Check::Direction),
    ("delta", Check::Delta),
    ("points-as-percent", Check::PointsAsPercent),
    ("average", Check::Average),
    ("compare", Check::Compare),
    ("count", Check::Count),
    ("multiple", Check::Multiple),
    ("arity", Check::Arity),
];

impl Check {
    /// The slots every shape of the check must bind, and the default reported slot.
    fn slots(self) -> (&'static [&'static str], &'static str) {
        match self {
            Check::Ratio => (&["part", "whole", "rate"], "rate"),
            Check::Grim => (&["whole", "rate"], "rate"),
            Check::Mean => (&["count", "mean"], "mean"),
            Check::Sum => (&["parts"], "total"),
            Check::Change => (&["from", "to", "change", "verb"], "change"),
            Check::Direction => (&["from", "to", "verb"], "verb"),
            Check::Delta => (&["value", "delta", "change", "verb"], "change"),
            Check::PointsAsPercent => (&["from", "to", "change"], "change"),
            Check::Average => (&["from", "to", "change", "start", "end"], "change"),
            Check::Compare => (&["verb"], "verb"),
            Check::Count => (&["n"], "n"),
            Check::Arity => (&["subjects", "values"], "values"),
            Check::Multiple => (&["from", "to", "change"], "change"),
        }
    }
}

/// Placeholders a relation rule provides besides its slots.
pub const VARS: &[&str] = &[
    "match",
    "actual",
    "nearest",
    "sum",
    "parts",
    "count",
    "stated",
    "direction",
    "verb",
    "listed",
];

/// A compiled `[rule.relation]`.
#[derive(Debug)]
pub struct Relation {
    check: Check,
    shapes: Vec<Shape>,
    report: String,
    mode: SumMode,
    total: Option<Box<Quantity>>,
    min_parts: usize,
    policy: RoundingPolicy,
    abstain: Vec<usize>,
    increase: Vec<usize>,
    decrease: Vec<usize>,
    labels: Vec<(String, String)>,
    label_overlap: usize,
    paragraphs: bool,
    /// The cue classes the shapes expect right after `//`; `None` when some shape expects
    /// something else there.
    opening: Option<Vec<usize>>,
    /// The first characters of the words of the `opening` classes, sorted: a statement that
    /// starts with another character is not joined (no lexicon search needed).
    opening_chars: Vec<char>,
    directions: [String; 2],
    not_after: Vec<(String, Vec<usize>)>,
    not_listed: Vec<String>,
    slot_names: Vec<String>,
}

fn cue_classes(
    list: &[Spanned<String>],
    lexicon: &Lexicon,
    issues: &mut Issues<'_>,
) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut ok = true;
    for name in list {
        match lexicon.class(name.get_ref()) {
            Some(c) => out.push(c),
            None => {
                issues.push(
                    name.span(),
                    format!("unknown cue class `{}`", name.get_ref()),
                    Some(&format!("classes: {}", lexicon.classes().join(", "))),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

impl Relation {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawRelation, issues: &mut Issues<'_>) -> Option<Relation> {
        let lexicon = Lexicon::builtin();
        let before = issues.len();
        let check = parse_enum(&raw.check, "check", CHECKS, issues);
        let mode = parse_enum_or(
            raw.mode.as_ref(),
            "mode",
            &[
                ("exceed", SumMode::Exceed),
                ("short", SumMode::Short),
                ("equal", SumMode::Equal),
            ],
            SumMode::Equal,
            issues,
        );
        let policy = match &raw.rounding {
            Some(r) => parse_enum(
                r,
                "rounding",
                &[
                    ("half-up", RoundingPolicy::HalfUp),
                    ("half-up-or-truncated", RoundingPolicy::HalfUpOrTruncated),
                ],
                issues,
            ),
            None => Some(match check {
                Some(Check::Ratio | Check::Grim) => RoundingPolicy::HalfUpOrTruncated,
                _ => RoundingPolicy::HalfUp,
            }),
        };
        let total = match &raw.total {
            Some(t) => match parse_quantity(t.get_ref()).filter(Quantity::is_exact) {
                Some(q) => Some(Box::new(q)),
                None => {
                    issues.push(
                        t.span(),
                        format!("`{}` is not an exact figure", t.get_ref()),
                        Some("write e.g. \"100%\""),
                    );
                    None
                }
            },
            None => None,
        };
        let barrier = cue_classes(&raw.barrier, lexicon, issues);
        let abstain = cue_classes(&raw.abstain, lexicon, issues);
        let default = |names: &[&str]| -> Vec<usize> {
            names.iter().filter_map(|n| lexicon.class(n)).collect()
        };
        let increase = match &raw.increase {
            Some(list) => cue_classes(list, lexicon, issues),
            None => Some(default(&["up", "rise-to"])),
        };
        let decrease = match &raw.decrease {
            Some(list) => cue_classes(list, lexicon, issues),
            None => Some(default(&["down", "fall-to"])),
        };
        let max_gap = raw.max_gap.as_ref().map_or(5, |g| *g.get_ref());
        if raw.shapes.is_empty() {
            issues.push(
                raw.check.span(),
                "a relation rule needs at least one shape",
                None,
            );
        }
        let mut shapes = Vec::new();
        let barrier_list = barrier.clone().unwrap_or_default();
        let options = shape::Options {
            lexicon,
            max_gap,
            barrier: &barrier_list,
        };
        let check_kind = check?;
        let (required, default_report) = check_kind.slots();
        let report = raw
            .report
            .as_ref()
            .map_or(default_report, |r| r.get_ref().as_str())
            .to_owned();
        let mut slot_names: Vec<String> = Vec::new();
        for source in &raw.shapes {
            match shape::compile(source.get_ref(), &options) {
                Ok(shape) => {
                    let names: Vec<&str> = shape.slots.iter().map(|s| s.name.as_str()).collect();
                    let mut needed: Vec<&str> = required.to_vec();
                    if check_kind == Check::Sum && total.is_none() {
                        needed.push("total");
                    }
                    needed.push(&report);
                    for name in needed {
                        if !names.contains(&name) {
                            issues.push(
                                source.span(),
                                format!("the shape must bind `${name}`"),
                                Some("a slot is written `$name:type`, e.g. `$whole:count`"),
                            );
                        }
                    }
                    for slot in &shape.slots {
                        if !slot_names.contains(&slot.name) {
                            slot_names.push(slot.name.clone());
                        }
                    }
                    shapes.push(shape);
                }
                Err(message) => issues.push(
                    source.span(),
                    format!("invalid shape: {message}"),
                    Some("see the README: relation shapes"),
                ),
            }
        }
        let mut labels = Vec::new();
        for pair in &raw.labels {
            match pair.as_slice() {
                [a, b] if [a, b].iter().all(|n| slot_names.contains(n.get_ref())) => {
                    labels.push((a.get_ref().clone(), b.get_ref().clone()));
                }
                _ => issues.push(
                    pair.first().map_or(raw.check.span(), Spanned::span),
                    "`labels` takes pairs of slot names the shapes bind: [[\"part\", \"rate\"]]",
                    None,
                ),
            }
        }
        let mut not_after = Vec::new();
        for (slot, classes) in &raw.not_after {
            if !slot_names.contains(slot) {
                issues.push(
                    raw.check.span(),
                    format!("`not-after.{slot}` names a slot the shapes do not bind"),
                    None,
                );
            }
            if let Some(classes) = cue_classes(classes, lexicon, issues) {
                not_after.push((slot.clone(), classes));
            }
        }
        let mut not_listed = Vec::new();
        for slot in &raw.not_listed {
            if !slot_names.contains(slot.get_ref()) {
                issues.push(
                    slot.span(),
                    format!("`not-listed` names `{}`, a slot the shapes do not bind", slot.get_ref()),
                    None,
                );
            }
            not_listed.push(slot.get_ref().clone());
        }
        if issues.len() > before {
            return None;
        }
        let directions = match raw.directions.as_deref() {
            None => ["增长".to_owned(), "下降".to_owned()],
            Some([up, down]) => [up.get_ref().clone(), down.get_ref().clone()],
            Some(other) => {
                issues.push(
                    other.first().map_or(raw.check.span(), Spanned::span),
                    "`directions` takes two words: [\"increase\", \"decrease\"]",
                    None,
                );
                return None;
            }
        };
        let paragraphs = parse_enum_or(
            raw.span.as_ref(),
            "span",
            &[("statement", false), ("paragraph", true)],
            false,
            issues,
        );
        // The cue classes right after `//` in every shape, if each shape names some.
        let mut opening: Option<Vec<usize>> = Some(Vec::new());
        for source in &raw.shapes {
            let words: Vec<&str> = source.get_ref().split_whitespace().collect();
            for (i, w) in words.iter().enumerate() {
                if *w != "//" {
                    continue;
                }
                let next = words.get(i + 1).and_then(|n| n.strip_prefix('<')?.strip_suffix('>'));
                match (next, opening.as_mut()) {
                    (Some(inner), Some(list)) => {
                        list.extend(inner.split('|').filter_map(|n| lexicon.class(n)));
                    }
                    _ => opening = None,
                }
            }
        }
        let mut opening_chars: Vec<char> = match &opening {
            Some(classes) => (0..lexicon.len())
                .filter(|&w| classes.contains(&lexicon.class_of(w)))
                .filter_map(|w| lexicon.word(w).chars().next())
                .collect(),
            None => Vec::new(),
        };
        opening_chars.sort_unstable();
        opening_chars.dedup();
        Some(Relation {
            label_overlap: raw.label_overlap.as_ref().map_or(2, |o| *o.get_ref()).max(1),
            opening,
            opening_chars,
            paragraphs: paragraphs?,
            directions,
            labels,
            not_after,
            not_listed,
            check: check_kind,
            shapes,
            report,
            mode: mode?,
            total,
            min_parts: raw.min_parts.as_ref().map_or(1, |m| *m.get_ref()),
            policy: policy?,
            abstain: abstain?,
            increase: increase?,
            decrease: decrease?,
            slot_names,
        })
    }

}

impl Kind for Relation {
    /// Placeholders: the slots plus computed values.
    fn vars(&self) -> Vec<String> {
        let mut v: Vec<String> = VARS.iter().map(|s| (*s).to_owned()).collect();
        v.extend(self.slot_names.iter().cloned());
        v
    }

    fn default_scope(&self) -> Scope {
        Scope::Statement
    }

    /// Relation rules read the statement model, not regexes over the text.
    fn regexes(&self) -> Option<Vec<&regex::Regex>> {
        None
    }

    /// The rule walks the document's statements itself (read once for all relation rules),
    /// rather than being called once per unit.
    fn per_document(&self) -> bool {
        true
    }

    fn reads_statements(&self) -> bool {
        true
    }

    /// A statement is read when it holds the cue words some shape cannot match without.
    /// Paragraph rules add nothing: [`crate::statement::pairs`] reads the statements it joins.
    fn gate_statements(&self, gate: &mut crate::statement::Gate) {
        if self.paragraphs {
            return;
        }
        for shape in &self.shapes {
            gate.add(shape.required());
        }
    }

    /// Checks the statements inside one unit.
    fn check_unit(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>) {
        if self.paragraphs {
            let lexicon = Lexicon::builtin();
            // A second statement is joined only when it starts with a word a shape expects
            // right after `//` (when every shape names one).
            let opens = |text: &str| -> bool {
                let Some(classes) = &self.opening else {
                    return true;
                };
                let head = text.trim_start();
                if head
                    .chars()
                    .next()
                    .is_none_or(|c| self.opening_chars.binary_search(&c).is_err())
                {
                    return false;
                }
                let end = head.char_indices().nth(8).map_or(head.len(), |(i, _)| i);
                lexicon
                    .find_iter(&head[..end])
                    .next()
                    .is_some_and(|(w, r)| r.start == 0 && classes.contains(&lexicon.class_of(w)))
            };
            for paragraph in &doc.blocks.paragraphs {
                if paragraph.end <= unit.start || paragraph.start >= unit.end {
                    continue;
                }
                for joined in crate::statement::pairs(doc, paragraph.clone(), &opens) {
                    self.check_statement(doc, &joined, out);
                }
            }
            return;
        }
        let statements = crate::statement::of_document(doc);
        let first = statements.partition_point(|s| s.range.end <= unit.start);
        for statement in &statements[first..] {
            if statement.range.start >= unit.end {
                break;
            }
            if statement.tokens.len() >= 2 {
                self.check_statement(doc, statement, out);
            }
        }
    }

}

impl Relation {
    fn check_statement(&self, doc: &Document, s: &Statement, out: &mut Vec<Hit>) {
        let abstains = self
            .abstain
            .iter()
            .any(|&class| s.features.contains(crate::statement::Features::of_class(class)));
        if abstains {
            return;
        }
        // Verdicts by token range (the reported figure of a finding, the whole match of a
        // consistent binding): a finding needs every binding that reads its figure to disagree.
        let mut verdicts: Vec<(Range<usize>, Option<Hit>)> = Vec::new();
        // The whole match of each binding, by shape.
        let mut matches: Vec<(usize, Range<usize>)> = Vec::new();
        for (shape_index, shape) in self.shapes.iter().enumerate() {
            if !shape.possible(&s.features) {
                continue;
            }
            // Each start is the leftmost match at or after the previous start's next token, so
            // only tokens where a match can begin are tried.
            let mut from = 0;
            let mut caps = shape.regex.create_captures();
            while from < s.code.len() {
                use regex_automata::{Anchored, Input};
                let anchored = if shape.at_start {
                    Anchored::Yes
                } else {
                    Anchored::No
                };
                let Some(found) = shape
                    .regex
                    .search(&Input::new(&s.code).range(from..).anchored(anchored))
                else {
                    break;
                };
                let start = found.start() / 3;
                from = found.start() + 3;
                if shape.at_start {
                    from = s.code.len();
                }
                shape.regex.search_captures(
                    &Input::new(&s.code)
                        .range(3 * start..)
                        .anchored(Anchored::Yes),
                    &mut caps,
                );
                if !caps.is_match() {
                    continue;
                }
                let binding = Binding::new(s, shape, &caps);
                if binding.tokens.end <= s.tail {
                    continue;
                }
                let Some(report) = binding.report_range(&self.report) else {
                    continue;
                };
                if !self
                    .labels
                    .iter()
                    .all(|(a, b)| binding.same_subject(a, b, self.label_overlap))
                {
                    continue;
                }
                if self.not_listed.iter().any(|slot| binding.listed(slot)) {
                    continue;
                }
                if self
                    .not_after
                    .iter()
                    .any(|(slot, classes)| binding.after_cue(slot, classes))
                {
                    continue;
                }
                // A binding inside a larger one of the same shape that repeats (a list read
                // from its second item) is not a reading of its own; in other shapes it is (the
                // whole found at another figure of the earlier statements).
                let inner = shape.repeats()
                    && matches.iter().any(|(i, m)| {
                        *i == shape_index
                            && m.start <= binding.tokens.start
                            && binding.tokens.end <= m.end
                    });
                if inner {
                    continue;
                }
                matches.push((shape_index, binding.tokens.clone()));
                let verdict = self.evaluate(&binding);
                match verdict {
                    Verdict::Abstain => {}
                    // A consistent binding disputes every finding on the figures it spans.
                    Verdict::Consistent => verdicts.push((binding.tokens.clone(), None)),
                    Verdict::Inconsistent(vars) => {
                        let hit = self.hit(doc, s, &binding, report.clone(), vars);
                        verdicts.push((report, Some(hit)));
                    }
                }
            }
        }
        let mut reported: Vec<Range<usize>> = Vec::new();
        for (report, hit) in &verdicts {
            let Some(hit) = hit else { continue };
            let disputed = verdicts
                .iter()
                .any(|(r, h)| h.is_none() && r.start < report.end && report.start < r.end);
            let again = reported
                .iter()
                .any(|r| r.start < report.end && report.start < r.end);
            if disputed || again {
                continue;
            }
            reported.push(report.clone());
            out.push(hit.clone());
        }
    }

    fn sign(&self, binding: &Binding<'_>) -> Option<Sign> {
        let class = binding.cue_class("verb")?;
        if self.increase.contains(&class) {
            Some(1)
        } else if self.decrease.contains(&class) {
            Some(-1)
        } else {
            None
        }
    }

    fn evaluate(&self, b: &Binding<'_>) -> Verdict {
        let outcome = match self.check {
            Check::Ratio => (|| {
                let (part, whole, rate) = (b.one("part")?, b.one("whole")?, b.one("rate")?);
                if !arith::comparable(part, whole) {
                    return None;
                }
                Some(
                    arith::ratio(part, whole, rate, self.policy)
                        .map(|actual| vec![("actual", actual), ("nearest", String::new())]),
                )
            })(),
            Check::Grim => (|| {
                let (whole, rate) = (b.one("whole")?, b.one("rate")?);
                if whole.multiplier != 0 {
                    return None;
                }
                Some(
                    arith::grim(whole, rate, self.policy)
                        .map(|nearest| vec![("nearest", nearest), ("actual", String::new())]),
                )
            })(),
            Check::Mean => (|| {
                let (count, mean) = (b.one("count")?, b.one("mean")?);
                Some(arith::grim_mean(count, mean).map(|nearest| vec![("nearest", nearest)]))
            })(),
            Check::Sum => self.evaluate_sum(b),
            Check::Change => (|| {
                let (from, to, change) = (b.one("from")?, b.one("to")?, b.one("change")?);
                let sign = self.sign(b)?;
                Some(arith::change(from, to, change, sign).map(|(actual, dir)| {
                    vec![("actual", actual), ("direction", self.direction_word(dir))]
                }))
            })(),
            Check::Direction => (|| {
                let (from, to) = (b.one("from")?, b.one("to")?);
                let sign = self.sign(b)?;
                Some(
                    arith::wrong_direction(from, to, sign)
                        .then(|| vec![("direction", self.direction_word(-sign))]),
                )
            })(),
            Check::Delta => (|| {
                let (value, delta, change) = (b.one("value")?, b.one("delta")?, b.one("change")?);
                let sign = self.sign(b)?;
                // `减少D，增长P%`: the two direction words disagree.
                if let Some(second) = b.cue_class("verb2") {
                    let second = if self.increase.contains(&second) { 1 } else { -1 };
                    if second != sign {
                        let shown = format!("{}（方向与增减额相反）", change.text);
                        return Some(Some(vec![("actual", shown)]));
                    }
                }
                Some(
                    arith::delta(value, delta, change, sign).map(|actual| vec![("actual", actual)]),
                )
            })(),
            Check::PointsAsPercent => (|| {
                let (from, to, change) = (b.one("from")?, b.one("to")?, b.one("change")?);
                Some(arith::points_as_percent(from, to, change).map(|a| vec![("actual", a)]))
            })(),
            Check::Average => (|| {
                let (from, to, change) = (b.one("from")?, b.one("to")?, b.one("change")?);
                let (start, end) = (b.year("start")?, b.year("end")?);
                let years = u32::try_from(end - start).ok()?;
                Some(arith::average_change(from, to, change, years).map(|a| vec![("actual", a)]))
            })(),
            Check::Count => self.evaluate_count(b),
            Check::Arity => self.evaluate_arity(b),
            Check::Multiple => (|| {
                let (from, to, change) = (b.one("from")?, b.one("to")?, b.one("change")?);
                Some(arith::multiple(from, to, change).map(|a| vec![("actual", a)]))
            })(),
            Check::Compare => (|| {
                // Two figures, or a rate of one over the other against 100% (`完成预算的103.6%，
                // 决算数大于预算数`).
                let (l, r) = match (b.one("left"), b.one("right"), b.one("rate")) {
                    (Some(left), Some(right), _) if arith::comparable(left, right) => {
                        (arith::interval(left), arith::interval(right))
                    }
                    (_, _, Some(rate)) if rate.unit == crate::number::Unit::Percent => (
                        arith::interval(rate),
                        crate::number::Interval::point(crate::number::Dec::from_int(100)),
                    ),
                    _ => return None,
                };
                let lexicon = Lexicon::builtin();
                let class = b.cue_class("verb")?;
                let name = lexicon.classes().get(class)?.as_str();
                let wrong = match name {
                    "greater" => l.hi <= r.lo,
                    "less" => l.lo >= r.hi,
                    "equal" => !l.overlaps(&r),
                    _ => return None,
                };
                let actual = if l.hi < r.lo {
                    "小于"
                } else if l.lo > r.hi {
                    "大于"
                } else {
                    "等于"
                };
                Some(wrong.then(|| vec![("actual", actual.to_owned())]))
            })(),
        };
        match outcome {
            None => Verdict::Abstain,
            Some(None) => Verdict::Consistent,
            Some(Some(vars)) => {
                Verdict::Inconsistent(vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }
        }
    }

    fn evaluate_sum(&self, b: &Binding<'_>) -> Option<Option<Vec<(&'static str, String)>>> {
        let parts = b.list("parts");
        if parts.len() < self.min_parts.max(1) {
            return None;
        }
        let total: &Quantity = match &self.total {
            Some(t) => t,
            None => b.one("total")?,
        };
        if parts
            .iter()
            .any(|p| !arith::comparable(p, total) && p.unit != total.unit)
        {
            return None;
        }
        let sum = arith::sum(&parts, &arith::interval(total), self.mode);
        Some(sum.map(|value| {
            let written: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
            vec![
                ("sum", arith::display_like(value, total)),
                ("parts", written.join(" + ")),
                ("count", parts.len().to_string()),
                ("stated", total.text.clone()),
            ]
        }))
    }

    fn evaluate_count(&self, b: &Binding<'_>) -> Option<Option<Vec<(&'static str, String)>>> {
        let n = b.one("n")?;
        if !matches!(n.unit, crate::number::Unit::Count(_)) || !n.value.is_integer() {
            return None;
        }
        let stated = usize::try_from(n.value.to_i128()?).ok()?;
        if !(2..=99).contains(&stated) {
            return None;
        }
        let s = b.statement;
        let (listed, abridged) = if let Some(r) = b.range("markers") {
            // The first run numbered one, two, three …; a restart belongs to another list.
            let mut run = 0u32;
            for token in &s.tokens[r] {
                if let TokenKind::Marker(m) = token.kind {
                    if m == run + 1 {
                        run += 1;
                    } else {
                        break;
                    }
                }
            }
            (run as usize, false)
        } else if let Some(r) = b.range("quoted") {
            let quotes = s.tokens[r]
                .iter()
                .filter(|t| t.kind == TokenKind::Sep(crate::statement::Sep::QuoteOpen))
                .count();
            (quotes, false)
        } else if let Some(r) = b.range("items") {
            use crate::statement::Sep;
            let mut depth = 0usize;
            let mut items = 1usize;
            for token in &s.tokens[r] {
                match token.kind {
                    TokenKind::Sep(Sep::Open) => depth += 1,
                    TokenKind::Sep(Sep::Close) => depth = depth.saturating_sub(1),
                    TokenKind::Sep(Sep::Enum | Sep::Comma | Sep::Semi) if depth == 0 => items += 1,
                    _ => {}
                }
            }
            (items, true)
        } else {
            return None;
        };
        if listed < 2 {
            return None;
        }
        let wrong = if abridged {
            listed > stated
        } else {
            listed != stated
        };
        Some(wrong.then(|| vec![("listed", listed.to_string()), ("stated", n.text.clone())]))
    }

    fn evaluate_arity(&self, b: &Binding<'_>) -> Option<Option<Vec<(&'static str, String)>>> {
        use crate::statement::Sep;
        let subjects = b.range("subjects")?;
        let mut depth = 0usize;
        let mut stated = 1usize;
        for token in &b.statement.tokens[subjects] {
            match token.kind {
                TokenKind::Sep(Sep::Open) => depth += 1,
                TokenKind::Sep(Sep::Close) => depth = depth.saturating_sub(1),
                TokenKind::Sep(Sep::Enum) if depth == 0 => stated += 1,
                _ => {}
            }
        }
        // Every figure counts, approximate ones too (`19万吨以上` is a value of its subject).
        let values = b.range("values")?;
        let listed = b.statement.tokens[values]
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Quantity(_)))
            .count();
        if listed < 2 || stated < 2 {
            return None;
        }
        Some((listed < stated).then(|| {
            vec![
                ("listed", listed.to_string()),
                ("stated", stated.to_string()),
            ]
        }))
    }

    fn direction_word(&self, sign: Sign) -> String {
        let [up, down] = &self.directions;
        if sign > 0 { up } else { down }.clone()
    }

    fn hit(
        &self,
        doc: &Document,
        s: &Statement,
        binding: &Binding<'_>,
        report: Range<usize>,
        vars: Vec<(String, String)>,
    ) -> Hit {
        let span = s.source(s.tokens[report.start].span.start..s.tokens[report.end - 1].span.end);
        let extent = s.source(binding.extent.clone());
        let mut hit = Hit::at(&doc.text, span);
        hit.extent = Some(extent.start.min(hit.span.start)..extent.end.max(hit.span.end));
        // Computed values first: a template's `{parts}` of a sum is the sum's terms, not the
        // text of the region they were read from.
        for (name, value) in vars {
            hit = hit.var(&name, value);
        }
        for (name, tokens) in &binding.slots {
            hit = hit.var(name, binding.text(tokens.clone()));
        }
        hit.operands = binding.operands();
        hit
    }
}

/// True when `a` and `b` share a run of at least `n` characters.
fn common_run(a: &str, b: &str, n: usize) -> bool {
    let a: Vec<char> = a.chars().filter(|c| !c.is_ascii_punctuation()).collect();
    let b: String = b.chars().filter(|c| !c.is_ascii_punctuation()).collect();
    if a.len() < n {
        return false;
    }
    a.windows(n)
        .any(|w| b.contains(&w.iter().collect::<String>()))
}

enum Verdict {
    Abstain,
    Consistent,
    Inconsistent(Vec<(String, String)>),
}

/// The tokens one match of a shape bound, by slot.
struct Binding<'s> {
    statement: &'s Statement,
    shape: &'s Shape,
    /// Slot name → token range.
    slots: Vec<(String, Range<usize>)>,
    /// The whole match, in the squeezed text.
    extent: Range<usize>,
    /// The whole match, as token indices.
    tokens: Range<usize>,
}

impl<'s> Binding<'s> {
    fn new(
        statement: &'s Statement,
        shape: &'s Shape,
        caps: &regex_automata::util::captures::Captures,
    ) -> Binding<'s> {
        // Capture spans are byte offsets into the whole code string.
        let mut slots = Vec::new();
        for (slot, &group) in shape.slots.iter().zip(&shape.groups) {
            if let Some(m) = caps.get_group(group) {
                let tokens = shape::tokens_of(m.range(), 0);
                if !tokens.is_empty() {
                    slots.push((slot.name.clone(), tokens));
                }
            }
        }
        let whole = caps
            .get_group(0)
            .map_or(0..0, |m| shape::tokens_of(m.range(), 0));
        let extent = if whole.is_empty() {
            0..0
        } else {
            statement.tokens[whole.start].span.start..statement.tokens[whole.end - 1].span.end
        };
        Binding {
            statement,
            shape,
            slots,
            extent,
            tokens: whole,
        }
    }

    /// The tokens a finding points at: the slot, or the first item of a list slot.
    fn report_range(&self, name: &str) -> Option<Range<usize>> {
        let range = self.range(name)?;
        let list = self
            .shape
            .slots
            .iter()
            .any(|s| s.name == name && matches!(s.kind, SlotKind::Quantity { list: true, .. }));
        if !list {
            return Some(range);
        }
        let first = self
            .quantities(name, range.clone())
            .first()
            .map(|q| q.span.start)?;
        let index =
            (range.start..range.end).find(|&i| self.statement.tokens[i].span.start == first)?;
        Some(index..index + 1)
    }

    fn range(&self, name: &str) -> Option<Range<usize>> {
        self.slots
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
    }

    /// The exact quantities of a slot's range that are of the slot's type.
    fn quantities(&self, name: &str, range: Range<usize>) -> Vec<&'s Quantity> {
        let classes = self
            .shape
            .slots
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| match &s.kind {
                SlotKind::Quantity { classes, .. } => Some(classes),
                _ => None,
            });
        self.statement.tokens[range]
            .iter()
            .filter_map(|t| self.statement.quantity(t))
            .filter(|q| q.is_exact())
            .filter(|q| classes.is_none_or(|c| c.contains(&crate::statement::QClass::of(&q.unit))))
            .collect()
    }

    fn one(&self, name: &str) -> Option<&'s Quantity> {
        let q = self.quantities(name, self.range(name)?);
        (q.len() == 1).then(|| q[0])
    }

    fn list(&self, name: &str) -> Vec<&'s Quantity> {
        self.range(name)
            .map(|r| self.quantities(name, r))
            .unwrap_or_default()
    }

    fn cue_class(&self, name: &str) -> Option<usize> {
        let r = self.range(name)?;
        match self.statement.tokens.get(r.start)?.kind {
            TokenKind::Cue { class, .. } => Some(class),
            _ => None,
        }
    }

    fn year(&self, name: &str) -> Option<i64> {
        let r = self.range(name)?;
        match self.statement.tokens.get(r.start)?.kind {
            TokenKind::Period { year: Some(y) } => Some(i64::from(y)),
            _ => None,
        }
    }

    fn text(&self, range: Range<usize>) -> String {
        let tokens = &self.statement.tokens[range];
        match (tokens.first(), tokens.last()) {
            (Some(a), Some(b)) => self.statement.text[a.span.start..b.span.end]
                .trim()
                .to_owned(),
            _ => String::new(),
        }
    }

    /// The label words right before a slot, back to the previous separator or quantity.
    fn label_words(&self, name: &str) -> Vec<&'s str> {
        let Some(r) = self.range(name) else {
            return Vec::new();
        };
        // Cue words are words of the label too (`已完成评估…完成率`), except those that name a
        // figure's role rather than its subject (`预算数`, `执行数`).
        let lexicon = crate::statement::Lexicon::builtin();
        let roles = [lexicon.class("budget"), lexicon.class("actual")];
        let mut out = Vec::new();
        for token in self.statement.tokens[..r.start].iter().rev() {
            match token.kind {
                TokenKind::Cue { class, .. } if roles.contains(&Some(class)) => {}
                TokenKind::Label | TokenKind::Cue { .. } => {
                    out.push(self.statement.token_text(token))
                }
                TokenKind::Period { .. } => {}
                TokenKind::Quantity(_) | TokenKind::Sep(_) | TokenKind::Marker(_) => break,
            }
        }
        out
    }

    /// True when a cue of `classes` stands before the slot in its clause.
    fn after_cue(&self, name: &str, classes: &[usize]) -> bool {
        let Some(r) = self.range(name) else {
            return false;
        };
        for token in self.statement.tokens[..r.start].iter().rev() {
            match token.kind {
                TokenKind::Cue { class, .. } if classes.contains(&class) => return true,
                TokenKind::Quantity(_) | TokenKind::Sep(_) => return false,
                _ => {}
            }
        }
        false
    }

    /// True when the slot's figure is an item of a list: `、` or `和` (with labels only
    /// between) joins it to a comparable figure before it (`项目27个、资金4474.34万元` is no list
    /// of two totals).
    fn listed(&self, name: &str) -> bool {
        let (Some(r), Some(own)) = (self.range(name), self.one(name)) else {
            return false;
        };
        let and = crate::statement::Lexicon::builtin().class("and");
        let mut joined = false;
        for token in self.statement.tokens[..r.start].iter().rev() {
            match token.kind {
                TokenKind::Label | TokenKind::Period { .. } => {}
                TokenKind::Sep(crate::statement::Sep::Enum) if !joined => joined = true,
                TokenKind::Cue { class, .. } if !joined && Some(class) == and => joined = true,
                TokenKind::Quantity(q) => {
                    return joined && arith::comparable(&self.statement.quantities[q], own)
                }
                _ => return false,
            }
        }
        false
    }

    /// True when two slots name the same subject: their labels share a run of at least two
    /// characters, or `b` follows `a` with no figure between and a share cue (`占`) binds them
    /// (`其中企业2.74万户，占市场主体总数的29.6%`).
    fn same_subject(&self, a: &str, b: &str, overlap: usize) -> bool {
        let (la, lb) = (self.label_words(a), self.label_words(b));
        if la.iter().any(|x| lb.iter().any(|y| common_run(x, y, overlap))) {
            return true;
        }
        let (Some(ra), Some(rb)) = (self.range(a), self.range(b)) else {
            return false;
        };
        if ra.end > rb.start {
            return false;
        }
        let between = &self.statement.tokens[ra.end..rb.start];
        let share = crate::statement::Lexicon::builtin().class("share");
        !between
            .iter()
            .any(|t| matches!(t.kind, TokenKind::Quantity(_) | TokenKind::Sep(crate::statement::Sep::Semi)))
            && between
                .iter()
                .any(|t| matches!(t.kind, TokenKind::Cue { class, .. } if Some(class) == share))
    }

    /// The bound figures, for findings that name their operands.
    fn operands(&self) -> Vec<Operand> {
        let mut out = Vec::new();
        for (name, range) in &self.slots {
            for token in &self.statement.tokens[range.clone()] {
                let Some(q) = self.statement.quantity(token) else {
                    continue;
                };
                out.push(Operand {
                    role: name.clone(),
                    text: self.statement.token_text(token).to_owned(),
                    value: Some(q.value.to_string()),
                    span: self.statement.source(token.span.clone()),
                });
            }
        }
        out.sort_by_key(|o| o.span.start);
        out
    }
}
