//! Operands of the regex-based kinds (`count`, and the regex checks of `date`): a regex whose
//! named captures delimit the figures, its exceptions, and the literals it requires.
use std::ops::Range;

use regex::{Captures, Regex};
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::rules::compile_regex;
use crate::rules::Issues;

/// A compiled operand pattern.
#[derive(Debug)]
pub struct Operands {
    /// The main pattern and its alternatives (`also`), all capturing the same names.
    regexes: Vec<Regex>,
    /// For each regex, literals one of which every match contains (`其中`, `决定|分别为`): a unit
    /// without any of them is not searched.
    literals: Vec<Option<Vec<usize>>>,
    /// The distinct literal sets of all regexes (many alternatives share `其中`), each checked
    /// at most once per unit.
    sets: Vec<Vec<memchr::memmem::Finder<'static>>>,
    /// The literals of each set, as text (for the document-wide literal scan).
    set_literals: Vec<Vec<String>>,
    unless: Vec<Regex>,
    report: String,
    /// Capture names of all patterns, in order of first appearance.
    names: Vec<String>,
    /// Pairs of captures that must hold the same text (a part named twice, since the regex
    /// engine has no backreferences).
    same: Vec<(String, String)>,
}

impl Operands {
    /// Compiles the regex and checks that it captures every name in `required`
    /// (and `report`, which defaults to `default_report`).
    pub fn compile(
        regex: &Spanned<String>,
        also: &[Spanned<String>],
        unless: &[Spanned<String>],
        report: Option<&Spanned<String>>,
        required: &[&str],
        default_report: &str,
        issues: &mut Issues<'_>,
    ) -> Option<Operands> {
        let report_name = report
            .map_or(default_report, |r| r.get_ref().as_str())
            .to_owned();
        let mut ok = true;
        let mut regexes = Vec::new();
        for source in std::iter::once(regex).chain(also) {
            let Some(compiled) = compile_regex(source, issues) else {
                ok = false;
                continue;
            };
            let names: Vec<&str> = compiled.capture_names().flatten().collect();
            for name in required
                .iter()
                .copied()
                .chain(std::iter::once(report_name.as_str()))
            {
                if !names.contains(&name) {
                    issues.push(
                        source.span(),
                        format!("the regex must capture `(?<{name}>...)`"),
                        Some("name the operands with named groups; `{n}`, `{pct}`, `{cn}`, `{scale}` and `{unit}` expand to number patterns"),
                    );
                    ok = false;
                }
            }
            regexes.push(compiled);
        }
        let unless: Vec<Option<Regex>> = unless.iter().map(|u| compile_regex(u, issues)).collect();
        let unless = unless.into_iter().collect::<Option<Vec<_>>>()?;
        let mut sets: Vec<Vec<String>> = Vec::new();
        let literals: Vec<Option<Vec<usize>>> = regexes
            .iter()
            .map(|re| {
                required_literals(re.as_str()).map(|required| {
                    required
                        .into_iter()
                        .map(|set| match sets.iter().position(|s| *s == set) {
                            Some(i) => i,
                            None => {
                                sets.push(set);
                                sets.len() - 1
                            }
                        })
                        .collect()
                })
            })
            .collect();
        let set_literals = sets.clone();
        let sets = sets
            .iter()
            .map(|set| {
                set.iter()
                    .map(|l| memchr::memmem::Finder::new(l.as_bytes()).into_owned())
                    .collect()
            })
            .collect();
        let mut names: Vec<String> = Vec::new();
        for re in &regexes {
            for name in re.capture_names().flatten() {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
        ok.then_some(Operands {
            set_literals,
            regexes,
            literals,
            sets,
            names,
            unless,
            report: report_name,
            same: Vec::new(),
        })
    }

    /// Requires each pair of captures to hold the same text; names the regexes do not capture
    /// are reported.
    pub fn with_same(
        mut self,
        same: &[Vec<Spanned<String>>],
        issues: &mut Issues<'_>,
    ) -> Option<Self> {
        let names = self.names.clone();
        for pair in same {
            let [a, b] = pair.as_slice() else {
                let span = pair.first().map_or(0..0, Spanned::span);
                issues.push(
                    span,
                    "`same` takes pairs of capture names: [[\"a\", \"b\"]]",
                    None,
                );
                return None;
            };
            for n in [a, b] {
                if !names.iter().any(|x| x == n.get_ref()) {
                    issues.push(
                        n.span(),
                        format!("`{}` is not a capture of the regex", n.get_ref()),
                        None,
                    );
                    return None;
                }
            }
            self.same.push((a.get_ref().clone(), b.get_ref().clone()));
        }
        Some(self)
    }

    /// Capture names of all patterns, for templates.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The patterns, for the document prefilter.
    pub fn regexes(&self) -> &[Regex] {
        &self.regexes
    }

    /// The literal sets (each: literals one of which a match contains), and for each regex the
    /// sets it requires (`None`: it requires none, and every unit must be searched).
    pub fn literal_sets(&self) -> (&[Vec<String>], &[Option<Vec<usize>>]) {
        (&self.set_literals, &self.literals)
    }

    /// Every match in `unit` that no `unless` pattern overlaps. Capture offsets are relative to
    /// the unit; add `unit.start` for document offsets.
    pub fn matches<'t>(&self, text: &'t str, unit: Range<usize>) -> Vec<Captures<'t>> {
        let body = &text[unit];
        let mut exceptions = super::Exceptions::new(&self.unless, body);
        let mut out = Vec::new();
        // Which literal sets the unit holds, each looked up at most once (bit i of `known`).
        let (mut known, mut holds) = (0u64, 0u64);
        let mut has = |i: usize| -> bool {
            if i >= 64 {
                return self.sets[i]
                    .iter()
                    .any(|l| l.find(body.as_bytes()).is_some());
            }
            if known & (1 << i) == 0 {
                known |= 1 << i;
                if self.sets[i]
                    .iter()
                    .any(|l| l.find(body.as_bytes()).is_some())
                {
                    holds |= 1 << i;
                }
            }
            holds & (1 << i) != 0
        };
        let mut searched: [Option<&Regex>; 16] = [None; 16];
        let mut overflow: Vec<&Regex> = Vec::new();
        let mut count = 0;
        for (re, required) in self.regexes.iter().zip(&self.literals) {
            if required
                .as_ref()
                .is_none_or(|ids| ids.iter().all(|&i| has(i)))
            {
                match searched.get_mut(count) {
                    Some(slot) => *slot = Some(re),
                    None => overflow.push(re),
                }
                count += 1;
            }
        }
        if count == 0 {
            return out;
        }
        let regexes = searched.iter().flatten().copied().chain(overflow);
        for caps in regexes.flat_map(|re| re.captures_iter(body)) {
            let Some(whole) = caps.get(0) else { continue };
            let differ = self.same.iter().any(|(a, b)| {
                matches!((caps.name(a), caps.name(b)), (Some(x), Some(y)) if x.as_str().trim() != y.as_str().trim())
            });
            if differ {
                continue;
            }
            if exceptions.overlap(whole.range()) {
                continue;
            }
            out.push(caps);
        }
        out
    }

    /// A hit for a match in the unit starting at `base`: the reported capture, with the whole
    /// match as its extent and every capture as a template variable.
    pub fn hit(&self, text: &str, base: usize, caps: &Captures<'_>) -> Option<Hit> {
        let span = self.report_span(caps)?;
        let whole = caps.get(0)?.range();
        let mut hit = Hit::at(text, base + span.start..base + span.end);
        hit.extent = Some(base + whole.start..base + whole.end);
        hit.vars.extend(self.names.iter().map(|n| {
            (
                n.clone(),
                caps.name(n).map_or("", |m| m.as_str()).to_owned(),
            )
        }));
        Some(hit)
    }

    /// The span to report for a match.
    pub fn report_span(&self, caps: &Captures<'_>) -> Option<Range<usize>> {
        caps.name(&self.report)
            .or_else(|| caps.get(0))
            .map(|m| m.range())
    }
}

/// Literal sets of which every match of `pattern` contains at least one member each: for
/// `[0-9]+件[，,]?其中…(?:决定|分别为)` that is `{其中}` and `{决定, 分别为}`. A unit missing a set is
/// not searched. At most three sets are kept, the most selective first (longest shortest member,
/// then fewest members); sets of single ASCII bytes or of many members filter too little to pay.
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<String>>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut sets: Vec<Vec<String>> = requirements(&hir)
        .into_iter()
        .filter_map(|set| {
            set.into_iter()
                .map(|b| String::from_utf8(b).ok())
                .collect::<Option<Vec<_>>>()
        })
        .filter(|set| {
            !set.is_empty()
                && set.len() <= 8
                // One ASCII letter, digit or space filters nothing; punctuation such as `:` does.
                && set.iter().all(|l| l.len() >= 2 || l.bytes().all(|b| b.is_ascii_punctuation()))
        })
        .collect();
    let score = |set: &Vec<String>| {
        (
            set.iter().map(String::len).min().unwrap_or(0),
            usize::MAX - set.len(),
        )
    };
    sets.sort_by_key(|set| std::cmp::Reverse(score(set)));
    sets.dedup();
    sets.truncate(6);
    (!sets.is_empty()).then_some(sets)
}

/// A conjunction of literal sets (each a disjunction) that every match satisfies.
fn requirements(hir: &regex_syntax::hir::Hir) -> Vec<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Literal(lit) => vec![vec![lit.0.to_vec()]],
        // A small class is a set of one-character literals (`[：:]`).
        HirKind::Class(regex_syntax::hir::Class::Unicode(class)) => {
            let chars: Vec<char> = class
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .take(9)
                .collect();
            if chars.len() <= 6 {
                vec![chars.iter().map(|c| c.to_string().into_bytes()).collect()]
            } else {
                Vec::new()
            }
        }
        HirKind::Capture(cap) => requirements(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => requirements(&rep.sub),
        HirKind::Alternation(alts) => {
            // Each alternative contributes its best set; one alternative without any makes the
            // whole alternation unconstrained.
            let mut union = Vec::new();
            for alt in alts {
                let best = requirements(alt).into_iter().max_by_key(|set| {
                    (
                        set.iter().map(Vec::len).min().unwrap_or(0),
                        usize::MAX - set.len(),
                    )
                });
                match best {
                    Some(set) => union.extend(set),
                    None => return Vec::new(),
                }
            }
            vec![union]
        }
        HirKind::Concat(items) => {
            let mut all = Vec::new();
            let mut run: Vec<u8> = Vec::new();
            for item in items {
                if let HirKind::Literal(lit) = item.kind() {
                    run.extend_from_slice(&lit.0);
                    continue;
                }
                if !run.is_empty() {
                    all.push(vec![std::mem::take(&mut run)]);
                }
                all.extend(requirements(item));
            }
            if !run.is_empty() {
                all.push(vec![run]);
            }
            all
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_literals_finds_mandatory_words() {
        let own = |sets: &[&[&str]]| -> Option<Vec<Vec<String>>> {
            Some(
                sets.iter()
                    .map(|s| s.iter().map(|l| (*l).to_owned()).collect())
                    .collect(),
            )
        };
        assert_eq!(
            required_literals("[0-9]+件[，,]?其中[^。]*"),
            own(&[&["其中"], &["件"]])
        );
        assert_eq!(
            required_literals("[0-9]+(?:决定|分别为)[0-9]+"),
            own(&[&["决定", "分别为"]])
        );
        assert_eq!(required_literals("[0-9]+(?:其中)?[0-9]+"), None);
        assert_eq!(required_literals("a|[0-9]"), None);
    }
}
