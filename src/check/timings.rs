//! `tally check --timings`: where the time of a run went, per stage (decode, prefilter,
//! statement model, rules, report), per rule kind and per rule, printed to stderr after the run
//! (stdout stays the findings). Stage times are added up over worker threads, so with several
//! threads their sum exceeds the wall time.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::engine::{RuleSet, Timings};

/// Time added up over the documents of a run, shared by the workers.
#[derive(Default)]
pub(super) struct Timer {
    totals: Mutex<Totals>,
}

#[derive(Default)]
struct Totals {
    decode: Duration,
    engine: Timings,
    report: Duration,
    documents: usize,
    bytes: usize,
}

impl Timer {
    /// Adds one document's decoding and checking.
    pub(super) fn document(&self, decode: Duration, engine: &Timings, bytes: usize) {
        let mut totals = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        totals.decode += decode;
        totals.engine.add(engine);
        totals.documents += 1;
        totals.bytes += bytes;
    }

    /// Adds the time spent filtering, fixing and writing one document's findings.
    pub(super) fn report(&self, since: Instant) {
        let mut totals = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        totals.report += since.elapsed();
    }

    /// The table printed after the run.
    pub(super) fn render(&self, rules: &RuleSet, wall: Duration) -> String {
        let totals = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        let rule_time: Duration = totals.engine.rules.iter().sum();
        let all = totals.decode
            + totals.engine.prefilter
            + totals.engine.statements
            + rule_time
            + totals.report;
        let share = |d: Duration| {
            if all.is_zero() {
                0.0
            } else {
                100.0 * d.as_secs_f64() / all.as_secs_f64()
            }
        };
        let line = |out: &mut String, name: &str, d: Duration| {
            out.push_str(&format!(
                "  {name:40} {:>9.3} s {:>5.1}%\n",
                d.as_secs_f64(),
                share(d)
            ));
        };
        let mut out = format!(
            "\nTimings: {} documents, {:.1} MB, wall {:.3} s ({:.1} MB/s)\nBy stage (summed over threads):\n",
            totals.documents,
            totals.bytes as f64 / 1e6,
            wall.as_secs_f64(),
            totals.bytes as f64 / 1e6 / wall.as_secs_f64().max(1e-9),
        );
        line(&mut out, "decode", totals.decode);
        line(&mut out, "prefilter", totals.engine.prefilter);
        line(&mut out, "statement model", totals.engine.statements);
        line(&mut out, "rules", rule_time);
        line(&mut out, "report (filter, fix, write)", totals.report);
        let of = |id: crate::engine::RuleId| {
            totals
                .engine
                .rules
                .get(id.index())
                .copied()
                .unwrap_or_default()
        };
        let mut per_kind: BTreeMap<&str, Duration> = BTreeMap::new();
        for id in rules.ids() {
            *per_kind.entry(rules[id].kind_name).or_default() += of(id);
        }
        let mut kinds: Vec<_> = per_kind.into_iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out.push_str("By rule kind:\n");
        for (kind, d) in kinds {
            line(&mut out, kind, d);
        }
        let mut per_rule: Vec<(&str, Duration)> = rules
            .ids()
            .map(|id| (rules[id].id.as_str(), of(id)))
            .collect();
        per_rule.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out.push_str("Slowest rules:\n");
        for (id, d) in per_rule.into_iter().take(15) {
            line(&mut out, id, d);
        }
        out
    }
}
