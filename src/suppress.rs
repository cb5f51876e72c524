//! Inline suppressions in Markdown and HTML documents:
//! `<!-- tally-ignore: RULE, RULE -->` silences the next non-blank line;
//! `<!-- tally-disable: RULE -->` … `<!-- tally-enable -->` silences a region.
//! Without rules, every rule is silenced. Rules are id prefixes (`repeat/`).
//!
//! The suppression pass ([`apply`]) drops the findings the comments silence and reports the
//! comments that silence nothing itself, as findings of [`UNUSED_RULE`]; the engine does not
//! run that rule with the others. Imports the engine's findings and rule set, never `report`.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{self, Finding, RuleSet};
use crate::rules::id_matches;
use crate::source::Document;

/// The rule under which comments that silence nothing are reported (`--report-unused-ignores`):
/// its pattern finds the comments in the checked text, and this pass keeps the unused ones.
pub const UNUSED_RULE: &str = "style/unused-suppression";

/// The suppression pass over one document's findings: drops those its comments silence, and with
/// `report_unused` (and [`UNUSED_RULE`] in `rules`) adds one finding per comment that silenced
/// nothing. `keep` is the configuration's verdict on a finding (per-path ignores), applied to the
/// added findings too. The result stays sorted by span, then rule.
pub fn apply(
    doc: &Document,
    mut findings: Vec<Finding>,
    rules: &RuleSet,
    report_unused: bool,
    keep: impl Fn(&Finding) -> bool,
) -> Vec<Finding> {
    if !supports(&doc.path) {
        return findings;
    }
    let suppressions = parse(doc);
    let mut used = vec![false; suppressions.len()];
    if !suppressions.is_empty() {
        findings.retain(|f| {
            let id = &rules[f.rule].id;
            let at = doc.source_span(f.span.clone());
            match suppressions.iter().position(|s| s.silences(id, &at)) {
                Some(i) => {
                    used[i] = true;
                    false
                }
                None => true,
            }
        });
    }
    let Some(unused) = rules.find(UNUSED_RULE).filter(|_| report_unused) else {
        return findings;
    };
    // The rule's pattern finds the comments in the checked text; a comment is reported when it
    // silenced nothing (every one it finds, when no comment was read from the source).
    let comments = engine::check_rule(doc, rules, unused);
    let before = findings.len();
    findings.extend(comments.into_iter().filter(|f| {
        keep(f)
            && (suppressions.is_empty()
                || suppressions
                    .iter()
                    .zip(&used)
                    .any(|(s, u)| s.comment == f.span && !u))
    }));
    if findings.len() > before {
        findings.sort_by(|a, b| {
            (a.span.start, a.span.end, a.rule).cmp(&(b.span.start, b.span.end, b.rule))
        });
    }
    findings
}

/// One suppression comment and what it covers.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// The comment itself.
    pub comment: Range<usize>,
    /// Rule prefixes; empty means every rule.
    pub rules: Vec<String>,
    /// Byte range of the text it silences.
    pub covers: Range<usize>,
}

/// True for the document types whose comments tally reads.
pub fn supports(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".html", ".htm", ".shtml", ".xhtml"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn comments() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"<!--\s*tally-(?<verb>ignore|disable|enable)(?:\s*:\s*(?<rules>[^>]*?))?\s*-->")
            .ok()
    })
    .as_ref()
}

fn rule_list(text: Option<regex::Match<'_>>) -> Vec<String> {
    text.map(|m| {
        m.as_str()
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// Every suppression of a document.
pub fn parse(doc: &Document) -> Vec<Suppression> {
    let Some(re) = comments() else {
        return Vec::new();
    };
    // An HTML page's comments are not in its text: they are read in the page source. Markdown's
    // are read in the checked text, where code (and a comment shown in code) is blanked; its
    // offsets are those of the file.
    let (text, index) = match doc.origin.as_ref() {
        Some(origin) if origin.map.is_some() => (origin.source.as_str(), &origin.index),
        _ => (doc.text.as_str(), &doc.index),
    };
    let mut out = Vec::new();
    let mut open: Vec<(Range<usize>, Vec<String>, usize)> = Vec::new();
    for caps in re.captures_iter(text) {
        let (Some(whole), Some(verb)) = (caps.get(0), caps.name("verb")) else {
            continue;
        };
        let rules = rule_list(caps.name("rules"));
        match verb.as_str() {
            "ignore" => {
                // The next line with something on it after the comment's line.
                let line = index.line_of(whole.end());
                let covers = (line + 1..index.line_count(text))
                    .map(|l| index.line_range(l, text))
                    .find(|l| !text[l.clone()].trim().is_empty())
                    .unwrap_or(whole.end()..whole.end());
                out.push(Suppression {
                    comment: whole.range(),
                    rules,
                    covers,
                });
            }
            "disable" => open.push((whole.range(), rules, whole.end())),
            _ => {
                // `tally-enable` closes the regions it names (all of them when it names none).
                let mut keep = Vec::new();
                for (comment, r, start) in open.drain(..) {
                    let closes = rules.is_empty() || r.iter().any(|x| rules.contains(x));
                    if closes {
                        out.push(Suppression {
                            comment,
                            rules: r,
                            covers: start..whole.start(),
                        });
                    } else {
                        keep.push((comment, r, start));
                    }
                }
                open = keep;
            }
        }
    }
    // A region never closed runs to the end of the document.
    for (comment, rules, start) in open {
        out.push(Suppression {
            comment,
            rules,
            covers: start..text.len(),
        });
    }
    out
}

impl Suppression {
    /// True when this suppression silences a finding of `rule` at `span` (a range of the file as
    /// written: [`Document::source_span`]).
    pub fn silences(&self, rule: &str, span: &Range<usize>) -> bool {
        span.start >= self.covers.start
            && span.start < self.covers.end.max(self.covers.start + 1)
            && (self.rules.is_empty() || self.rules.iter().any(|r| id_matches(rule, r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_covers_the_next_line_and_regions_run_to_enable() {
        let text = "a\n<!-- tally-ignore: repeat/ -->\n\nb 对对\n<!-- tally-disable -->\nc\nd\n<!-- tally-enable -->\ne\n";
        let doc = Document::new("x.md", text.to_owned());
        let s = parse(&doc);
        assert_eq!(s.len(), 2);
        assert_eq!(&text[s[0].covers.clone()], "b 对对");
        assert_eq!(s[0].rules, ["repeat/"]);
        assert!(s[0].silences("repeat/doubled-char", &(text.find("对对").unwrap_or(0)..0)));
        assert!(!s[0].silences(
            "punct/unbalanced-pair",
            &(text.find("对对").unwrap_or(0)..0)
        ));
        assert!(text[s[1].covers.clone()].contains("c\nd"));
        assert!(s[1].rules.is_empty());
    }

    const PACK: &str = r#"
[[rule]]
id = "repeat/doubled"
kind = "repeat"
severity = "warning"
message = "{match}"
description = "doubled characters"
[rule.repeat]
chars = "对"

[[rule]]
id = "style/unused-suppression"
kind = "pattern"
severity = "info"
message = "{match}"
description = "unused suppression comments"
[rule.pattern]
regex = '<!--\s*tally-(?:ignore|disable)(?:\s*:[^>]*?)?\s*-->'
"#;

    fn rules(unused_separately: bool) -> RuleSet {
        let mut issues = Vec::new();
        let mut rules = RuleSet::new(engine::compile_pack("t.toml", PACK, &mut issues));
        assert!(issues.is_empty(), "{issues:?}");
        if unused_separately {
            let id = rules.find(UNUSED_RULE).expect("the rule");
            rules.run_separately(id);
        }
        rules
    }

    #[test]
    fn apply_silences_covered_findings_and_reports_only_unused_comments() {
        let rules = rules(true);
        let text = "<!-- tally-ignore: repeat/ -->\n对对\n<!-- tally-ignore -->\n好\n";
        let doc = Document::new("x.md", text.to_owned());
        let found = engine::check(&doc, &rules);
        assert_eq!(found.len(), 1, "only the doubled character: {found:?}");
        let kept = apply(&doc, found.clone(), &rules, true, |_| true);
        let texts: Vec<&str> = kept.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(texts, ["<!-- tally-ignore -->"]);
        // Without `--report-unused-ignores` nothing is added.
        assert!(apply(&doc, found, &rules, false, |_| true).is_empty());
    }

    #[test]
    fn apply_keeps_the_configuration_verdict_on_unused_comments() {
        let rules = rules(true);
        let text = "<!-- tally-ignore -->\n好\n";
        let doc = Document::new("x.md", text.to_owned());
        let kept = apply(&doc, Vec::new(), &rules, true, |_| false);
        assert!(kept.is_empty());
    }

    #[test]
    fn apply_leaves_unsupported_documents_alone() {
        let rules = rules(true);
        let doc = Document::new("x.txt", "<!-- tally-ignore -->\n对对\n".to_owned());
        let found = engine::check(&doc, &rules);
        assert_eq!(apply(&doc, found.clone(), &rules, true, |_| true), found);
    }
}
