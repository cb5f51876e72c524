//! `pages`: the text layer of a paged document (a PDF). A page with almost no text is a scanned
//! page, a page of images, or a blank one; when many pages are like that, most of the document was
//! never read and a clean result would mislead. One finding per document, at its start (the
//! finding is about the whole file; a blank page has no offset of its own to point at). Documents
//! without pages (everything but PDFs) are never reported.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::Kind;
use crate::engine::finding::Hit;
use crate::rules::Issues;
use crate::source::{Document, Scope};

/// Placeholders a `pages` rule provides.
pub const VARS: &[&str] = &["match", "thin", "pages", "min", "list"];

/// Non-space characters below which a page is thin, when the rule does not say.
const DEFAULT_MIN_CHARS: usize = 20;

/// The percentage of thin pages from which a document is reported, when the rule does not say.
const DEFAULT_THIN_PERCENT: usize = 50;

/// Page runs named in `{list}` before it ends with `…`.
const LISTED_RUNS: usize = 8;

/// `[rule.pages]`: how thin a page and how many thin pages make a document worth a warning.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawPages {
    /// A page with fewer non-space characters than this is thin.
    pub min_chars: Option<Spanned<usize>>,
    /// A document is reported when at least this percentage of its pages is thin (1–100).
    pub thin_percent: Option<Spanned<usize>>,
}

/// A compiled `[rule.pages]`.
#[derive(Debug)]
pub struct Pages {
    min_chars: usize,
    thin_percent: usize,
}

impl Pages {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawPages, issues: &mut Issues<'_>) -> Option<Pages> {
        let min_chars = raw
            .min_chars
            .as_ref()
            .map_or(DEFAULT_MIN_CHARS, |m| *m.get_ref());
        if min_chars == 0 {
            let span = raw.min_chars.as_ref().map_or(0..0, |m| m.span());
            issues.push(
                span,
                "`min-chars = 0` makes no page thin",
                Some("give the number of non-space characters below which a page counts as thin, e.g. 20"),
            );
            return None;
        }
        let thin_percent = raw
            .thin_percent
            .as_ref()
            .map_or(DEFAULT_THIN_PERCENT, |p| *p.get_ref());
        if !(1..=100).contains(&thin_percent) {
            let span = raw.thin_percent.as_ref().map_or(0..0, |p| p.span());
            issues.push(
                span,
                format!("`thin-percent = {thin_percent}` is not a percentage from 1 to 100"),
                None,
            );
            return None;
        }
        Some(Pages {
            min_chars,
            thin_percent,
        })
    }

    /// The 1-based numbers of the thin pages of `doc`.
    pub fn thin_pages(&self, doc: &Document) -> Vec<usize> {
        let text = &doc.text;
        (0..doc.pages.len())
            .filter(|&i| {
                let end = doc.pages.get(i + 1).copied().unwrap_or(text.len());
                let page = &text[doc.pages[i].min(end)..end];
                page.chars()
                    .filter(|c| !c.is_whitespace())
                    .take(self.min_chars)
                    .count()
                    < self.min_chars
            })
            .map(|i| i + 1)
            .collect()
    }

    /// Checks one document.
    pub fn check(&self, doc: &Document, out: &mut Vec<Hit>) {
        let total = doc.pages.len();
        if total == 0 {
            return;
        }
        let thin = self.thin_pages(doc);
        if thin.is_empty() || thin.len() * 100 < self.thin_percent * total {
            return;
        }
        out.push(
            Hit::at(&doc.text, 0..0)
                .var("thin", thin.len().to_string())
                .var("pages", total.to_string())
                .var("min", self.min_chars.to_string())
                .var("list", page_list(&thin)),
        );
    }
}

/// `1, 3–5, 9`: runs of consecutive pages, the first [`LISTED_RUNS`] of them.
fn page_list(pages: &[usize]) -> String {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for &page in pages {
        match runs.last_mut() {
            Some(run) if run.end == page => run.end = page + 1,
            _ => runs.push(page..page + 1),
        }
    }
    let mut parts: Vec<String> = runs
        .iter()
        .take(LISTED_RUNS)
        .map(|run| match run.len() {
            1 => run.start.to_string(),
            _ => format!("{}–{}", run.start, run.end - 1),
        })
        .collect();
    if runs.len() > LISTED_RUNS {
        parts.push("…".to_owned());
    }
    parts.join(", ")
}

impl Kind for Pages {
    /// Looks at the document's pages and ignores the unit.
    fn check_unit(&self, doc: &Document, _unit: Range<usize>, out: &mut Vec<Hit>) {
        self.check(doc, out);
    }

    fn vars(&self) -> Vec<String> {
        VARS.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Characters are counted, no regex is searched: the rule always runs (it returns at once
    /// for a document without pages).
    fn regexes(&self) -> Option<Vec<&regex::Regex>> {
        None
    }

    fn default_scope(&self) -> Scope {
        Scope::Document
    }

    fn per_document(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(min_chars: usize, thin_percent: usize) -> Pages {
        Pages {
            min_chars,
            thin_percent,
        }
    }

    fn hits(kind: &Pages, raw: &str) -> Vec<Hit> {
        let mut out = Vec::new();
        kind.check(&Document::paged("x.pdf", raw), &mut out);
        out
    }

    fn var<'a>(hit: &'a Hit, name: &str) -> &'a str {
        hit.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .expect("var")
    }

    const FULL: &str = "本页正文有足够的文字，超过二十个非空白字符，不算稀薄的页面。\n";

    #[test]
    fn half_the_pages_thin_is_reported_at_the_document_start() {
        let raw = format!("{FULL}\u{c}- 2 -\n\u{c}\u{c}{FULL}\u{c}");
        let found = hits(&pages(20, 50), &raw);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, 0..0);
        assert_eq!(var(&found[0], "thin"), "2");
        assert_eq!(var(&found[0], "pages"), "4");
        assert_eq!(var(&found[0], "list"), "2–3");
    }

    #[test]
    fn fewer_thin_pages_than_the_share_are_not_reported() {
        let raw = format!("{FULL}\u{c}\u{c}{FULL}\u{c}{FULL}\u{c}");
        assert!(hits(&pages(20, 50), &raw).is_empty());
        // A stricter share reports it.
        assert_eq!(hits(&pages(20, 25), &raw).len(), 1);
    }

    #[test]
    fn spaces_do_not_count_and_the_threshold_is_exclusive() {
        let nineteen = format!("{}\n", "字 ".repeat(19));
        let twenty = format!("{}\n", "字\u{3000}".repeat(20));
        assert_eq!(hits(&pages(20, 100), &format!("{nineteen}\u{c}")).len(), 1);
        assert!(hits(&pages(20, 100), &format!("{twenty}\u{c}")).is_empty());
    }

    #[test]
    fn documents_without_pages_are_never_reported() {
        let mut out = Vec::new();
        pages(20, 1).check(&Document::new("x.txt", String::new()), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn page_lists_join_runs_and_stop_after_a_few() {
        assert_eq!(page_list(&[1, 3, 4, 5, 9]), "1, 3–5, 9");
        let every_other: Vec<usize> = (1..=20).step_by(2).collect();
        assert_eq!(page_list(&every_other), "1, 3, 5, 7, 9, 11, 13, 15, …");
    }
}
