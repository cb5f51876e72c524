//! The literals the operand patterns require (`其中`, `增长`, `决定|分别为` …), found for all rules in
//! one Aho-Corasick pass per document. A scope unit without a rule's literals is not searched by
//! that rule, so most statements of a report are never handed to the large operand regexes, and
//! no rule pays for a substring search of its own per unit.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{Rule, RuleId};

/// What one rule requires: literal sets (as ids of the scan's literals) and, per regex, the sets
/// it needs. A rule with a regex that needs none has no entry.
#[derive(Debug)]
struct Requirement {
    sets: Vec<Vec<usize>>,
    regexes: Vec<Vec<usize>>,
}

/// True for a literal rare enough in report text to be worth scanning for: two characters or
/// more (measured: leaving out short ASCII runs such as `19` costs more than it saves).
fn is_selective(literal: &str) -> bool {
    literal.chars().count() >= 2
}

/// The automaton over every required literal of a rule set, built once.
#[derive(Debug)]
pub struct LiteralScan {
    automaton: AhoCorasick,
    lengths: Vec<usize>,
    /// Per rule (by index in the set).
    requirements: Vec<Option<Requirement>>,
}

/// Where each literal occurs in one document (start offsets, sorted).
#[derive(Debug)]
pub struct Occurrences {
    starts: Vec<Vec<usize>>,
}

impl LiteralScan {
    /// Collects the literals of `rules`; `None` when no rule has any.
    pub fn new(rules: &[Rule]) -> Option<LiteralScan> {
        let mut literals: Vec<String> = Vec::new();
        let mut id_of = |literal: &str| match literals.iter().position(|l| l == literal) {
            Some(i) => i,
            None => {
                literals.push(literal.to_owned());
                literals.len() - 1
            }
        };
        let requirements: Vec<Option<Requirement>> = rules
            .iter()
            .map(|rule| {
                let (sets, per_regex) = rule.kind.operands()?.literal_sets();
                // A set holding a single character (`，`, `年`, `率`) is in nearly every unit:
                // scanning for it costs more than it saves, so it is taken to be present.
                let strong: Vec<Option<usize>> = sets
                    .iter()
                    .enumerate()
                    .map(|(i, set)| set.iter().all(|l| is_selective(l)).then_some(i))
                    .collect();
                let regexes: Vec<Vec<usize>> = per_regex
                    .iter()
                    .map(|ids| {
                        ids.as_ref().map(|ids| {
                            ids.iter()
                                .filter_map(|&i| strong[i])
                                .collect::<Vec<usize>>()
                        })
                    })
                    .collect::<Option<Vec<_>>>()?;
                // A regex left with no strong set may match anywhere: no filter for this rule.
                if regexes.iter().any(Vec::is_empty) {
                    return None;
                }
                let sets = sets
                    .iter()
                    .enumerate()
                    .map(|(i, set)| match strong[i] {
                        Some(_) => set.iter().map(|l| id_of(l)).collect(),
                        None => Vec::new(),
                    })
                    .collect();
                Some(Requirement { sets, regexes })
            })
            .collect();
        if literals.is_empty() {
            return None;
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .ok()?;
        Some(LiteralScan {
            automaton,
            lengths: literals.iter().map(String::len).collect(),
            requirements,
        })
    }

    /// Finds every literal in `text` (overlapping occurrences included).
    pub fn scan(&self, text: &str) -> Occurrences {
        let mut starts = vec![Vec::new(); self.lengths.len()];
        for m in self.automaton.find_overlapping_iter(text) {
            starts[m.pattern().as_usize()].push(m.start());
        }
        Occurrences { starts }
    }

    /// False when rule `rule` cannot match inside `unit` of the scanned document: each of its
    /// regexes lacks one of its required literal sets there. True for rules without literals.
    pub fn may_match(&self, found: &Occurrences, rule: RuleId, unit: &Range<usize>) -> bool {
        let Some(Some(req)) = self.requirements.get(rule.index()) else {
            return true;
        };
        let holds = |set: usize| {
            req.sets[set].iter().any(|&id| {
                let at = &found.starts[id];
                let first = at.partition_point(|&s| s < unit.start);
                at.get(first)
                    .is_some_and(|&s| s + self.lengths[id] <= unit.end)
            })
        };
        req.regexes
            .iter()
            .any(|sets| sets.iter().all(|&set| holds(set)))
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::{compile_pack, RuleSet};

    const PACK: &str = r#"
[[rule]]
id = "count/test"
kind = "count"
severity = "error"
message = "{stated}"
description = "test"
[rule.count]
regex = '(?<stated>(?<count>[1-9])件)，其中(?<items>[^。]*)'
report = "stated"
"#;

    #[test]
    fn units_without_the_required_literals_are_ruled_out() {
        let mut issues = Vec::new();
        let rules = RuleSet::new(compile_pack("test.toml", PACK, &mut issues));
        assert!(issues.is_empty(), "{issues:?}");
        let scan = rules.literals().expect("the rule requires `，其中`");
        let text = "收到申请120件，其中当面申请45件。全年办结118件。其\n中";
        let found = scan.scan(text);
        let first = 0..text.find('。').expect("stop");
        let second = first.end..text.rfind('。').expect("stop");
        assert!(scan.may_match(&found, rules.ids().next().expect("one rule"), &first));
        assert!(!scan.may_match(&found, rules.ids().next().expect("one rule"), &second));
        // An occurrence that runs past the unit's end is not in the unit.
        let cut = text.find("其中").expect("literal") + 3;
        assert!(!scan.may_match(&found, rules.ids().next().expect("one rule"), &(0..cut)));
    }
}
