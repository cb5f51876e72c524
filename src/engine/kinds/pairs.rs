//! `pairs`: paired punctuation balanced within a scope, one stack per mark type, and
//! mixed-width pairs such as `（款)`.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::rules::{parse_enum_or, Issues};
use crate::source::{zones, Document, Scope, Zone};
use super::Kind;

/// Placeholders a `pairs` rule provides.
pub const VARS: &[&str] = &["match", "mark", "expected", "open", "close"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Report marks without a partner.
    Balance,
    /// Report pairs closed by a mark of another pair of the same group.
    Mixed,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    open: char,
    close: char,
    stack: usize,
}

/// `[rule.pairs]`: paired marks that must balance within the scope.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawPairs {
    pub marks: Vec<Spanned<String>>,
    #[serde(default)]
    pub flat: Vec<Spanned<String>>,
    #[serde(default)]
    pub groups: Vec<Vec<Spanned<String>>>,
    pub check: Option<Spanned<String>>,
    #[serde(default)]
    pub apostrophes: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub continue_unterminated: bool,
}

/// A compiled `[rule.pairs]`.
#[derive(Debug)]
pub struct Pairs {
    marks: Vec<Mark>,
    /// Per stack: true when marks of that stack do not nest (quotes).
    flat: Vec<bool>,
    check: Check,
    apostrophes: Vec<char>,
    /// Literal runs that are decoration, not punctuation (`》》点击进入`).
    ignore: Vec<String>,
    /// The first character of each `ignore` run: only there is a run looked for.
    ignore_first: Vec<char>,
    /// ASCII characters among the marks (`(`, `)`, `[`, `]`).
    ascii_marks: Vec<u8>,
    /// Every mark character with the index of its pair, sorted by character.
    lookup: Vec<(char, usize)>,
    /// A paragraph ending without closing punctuation continues into the next one
    /// (text broken by page breaks or page numbers when extracted from PDF).
    pub continue_unterminated: bool,
}

type Stacks = Vec<Vec<(usize, usize)>>;

/// True when a paragraph ends a sentence: its last mark, after any closing quotes or brackets,
/// is sentence-final punctuation (`。”` ends; `为“良”` at a page break does not).
fn ends_sentence(paragraph: &str) -> bool {
    let closing = |c: char| {
        matches!(
            c,
            '”' | '’' | '）' | ')' | '》' | '」' | '』' | '】' | '〕' | ']'
        )
    };
    let last = paragraph
        .trim_end()
        .trim_end_matches(closing)
        .chars()
        .next_back();
    last.is_none_or(|c| {
        matches!(
            c,
            '。' | '！' | '？' | '!' | '?' | '；' | ';' | '：' | ':' | '…' | '.'
        )
    })
}

fn two_chars(s: &toml::Spanned<String>, issues: &mut Issues<'_>) -> Option<(char, char)> {
    let mut chars = s.get_ref().chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(open), Some(close), None) if open != close => Some((open, close)),
        _ => {
            issues.push(
                s.span(),
                format!(
                    "`{}` is not a pair: write the opening and the closing mark, e.g. \"“”\"",
                    s.get_ref()
                ),
                None,
            );
            None
        }
    }
}

impl Pairs {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawPairs, issues: &mut Issues<'_>) -> Option<Pairs> {
        let mut marks: Vec<Mark> = Vec::new();
        let mut ok = true;
        for (i, m) in raw.marks.iter().enumerate() {
            match two_chars(m, issues) {
                Some((open, close)) => marks.push(Mark {
                    open,
                    close,
                    stack: i,
                }),
                None => ok = false,
            }
        }
        let find = |s: &toml::Spanned<String>, marks: &[Mark]| {
            let mut chars = s.get_ref().chars();
            let (open, close) = (chars.next(), chars.next());
            marks
                .iter()
                .position(|m| Some(m.open) == open && Some(m.close) == close)
        };
        for group in &raw.groups {
            let mut first_stack = None;
            for member in group {
                match find(member, &marks) {
                    Some(i) => {
                        let stack = *first_stack.get_or_insert(marks[i].stack);
                        marks[i].stack = stack;
                    }
                    None => {
                        issues.push(
                            member.span(),
                            format!("`{}` is not listed in `marks`", member.get_ref()),
                            None,
                        );
                        ok = false;
                    }
                }
            }
        }
        let mut flat = vec![false; raw.marks.len()];
        for f in &raw.flat {
            match find(f, &marks) {
                Some(i) => flat[marks[i].stack] = true,
                None => {
                    issues.push(
                        f.span(),
                        format!("`{}` is not listed in `marks`", f.get_ref()),
                        None,
                    );
                    ok = false;
                }
            }
        }
        // An unknown check does not stop the other keys from being checked.
        let check = parse_enum_or(
            raw.check.as_ref(),
            "check",
            &[("balance", Check::Balance), ("mixed", Check::Mixed)],
            Check::Balance,
            issues,
        )
        .unwrap_or_else(|| {
            ok = false;
            Check::Balance
        });
        let mut apostrophes = Vec::new();
        for a in &raw.apostrophes {
            let mut chars = a.get_ref().chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => apostrophes.push(c),
                _ => {
                    issues.push(a.span(), "an apostrophe is one character", None);
                    ok = false;
                }
            }
        }
        let ignore: Vec<String> = raw
            .ignore
            .iter()
            .map(|i| i.get_ref().clone())
            .filter(|i| !i.is_empty())
            .collect();
        let mut ignore_first: Vec<char> = ignore.iter().filter_map(|i| i.chars().next()).collect();
        ignore_first.sort_unstable();
        ignore_first.dedup();
        let ascii_marks = marks
            .iter()
            .flat_map(|m| [m.open, m.close])
            .filter(char::is_ascii)
            .map(|c| c as u8)
            .collect();
        let mut lookup: Vec<(char, usize)> = marks
            .iter()
            .enumerate()
            .flat_map(|(i, m)| [(m.open, i), (m.close, i)])
            .collect();
        lookup.sort_unstable();
        lookup.dedup_by_key(|e| e.0);
        ok.then_some(Pairs {
            lookup,
            ascii_marks,
            marks,
            flat,
            check,
            apostrophes,
            ignore,
            ignore_first,
            continue_unterminated: raw.continue_unterminated,
        })
    }

    fn hit(&self, text: &str, at: usize, c: char, mark: &Mark) -> Hit {
        let expected = if c == mark.open {
            mark.close
        } else {
            mark.open
        };
        Hit::at(text, at..at + c.len_utf8())
            .var("mark", c.to_string())
            .var("expected", expected.to_string())
            .var("open", mark.open.to_string())
            .var("close", mark.close.to_string())
    }

    fn may_be_mark(&self, c: char) -> bool {
        if c.is_ascii() {
            return self.ascii_marks.contains(&(c as u8));
        }
        (c as u32) < 0x4E00 || (c as u32) > 0x9FFF
    }

    fn is_apostrophe(&self, text: &str, at: usize, c: char) -> bool {
        if !self.apostrophes.contains(&c) {
            return false;
        }
        let before = text[..at].chars().next_back();
        let after = text[at + c.len_utf8()..].chars().next();
        // `isn’t`, `’99`: between ASCII letters, or before a digit.
        after.is_some_and(|a| a.is_ascii_digit())
            || matches!((before, after), (Some(b), Some(a)) if b.is_ascii_alphanumeric() && a.is_ascii_alphabetic())
    }

    /// Checks one unit.
    pub fn check(&self, text: &str, unit: Range<usize>, out: &mut Vec<Hit>) {
        let mut stacks: Stacks = vec![Vec::new(); self.flat.len()];
        let mut found = Vec::new();
        self.scan(text, unit, &mut stacks, &mut found);
        self.flush(text, &mut stacks, &mut found);
        found.sort_by_key(|h| h.span.start);
        out.extend(found);
    }

    /// Checks paragraph after paragraph, carrying open marks over paragraphs that end mid-sentence
    /// but never from one zone into another (a header into the footnote after it).
    pub fn check_paragraphs(
        &self,
        text: &str,
        paragraphs: &[Range<usize>],
        zones: &[Zone],
        out: &mut Vec<Hit>,
    ) {
        let mut stacks: Stacks = vec![Vec::new(); self.flat.len()];
        let mut found = Vec::new();
        let mut stream = None;
        for paragraph in paragraphs {
            let here = zones::stream_of(zones, paragraph.start);
            if here != stream {
                self.flush(text, &mut stacks, &mut found);
                stream = here;
            }
            self.scan(text, paragraph.clone(), &mut stacks, &mut found);
            if ends_sentence(&text[paragraph.clone()]) {
                self.flush(text, &mut stacks, &mut found);
            }
        }
        self.flush(text, &mut stacks, &mut found);
        found.sort_by_key(|h| h.span.start);
        out.extend(found);
    }

    fn flush(&self, text: &str, stacks: &mut Stacks, found: &mut Vec<Hit>) {
        for stack in stacks.iter_mut() {
            for (o, om) in stack.drain(..) {
                if self.check == Check::Balance {
                    let mark = &self.marks[om];
                    found.push(self.hit(text, o, mark.open, mark));
                }
            }
        }
    }

    fn scan(&self, text: &str, unit: Range<usize>, stacks: &mut Stacks, found: &mut Vec<Hit>) {
        let body = &text[unit.clone()];
        let mut skip_until = 0;
        for (i, c) in body.char_indices() {
            if i < skip_until {
                continue;
            }
            if self.ignore_first.contains(&c) {
                if let Some(run) = self
                    .ignore
                    .iter()
                    .find(|run| body[i..].starts_with(run.as_str()))
                {
                    skip_until = i + run.len();
                    continue;
                }
            }
            // Nearly every character of report text is an ideograph, a letter or a digit: skip
            // those before looking for a mark.
            if !self.may_be_mark(c) {
                continue;
            }
            let at = unit.start + i;
            let Ok(slot) = self.lookup.binary_search_by_key(&c, |e| e.0) else {
                continue;
            };
            let mi = self.lookup[slot].1;
            let mark = &self.marks[mi];
            'mark: {
                if c == mark.open {
                    let stack = &mut stacks[mark.stack];
                    if self.flat[mark.stack] {
                        if let Some((o, om)) = stack.pop() {
                            if self.check == Check::Balance {
                                found.push(self.hit(text, o, self.marks[om].open, &self.marks[om]));
                            }
                        }
                    }
                    stack.push((at, mi));
                    break 'mark;
                }
                if c == mark.close {
                    if self.is_apostrophe(text, at, c) {
                        break 'mark;
                    }
                    match stacks[mark.stack].pop() {
                        None => {
                            if self.check == Check::Balance {
                                found.push(self.hit(text, at, c, mark));
                            }
                        }
                        Some((_, om)) => {
                            if om != mi && self.check == Check::Mixed {
                                let opener = &self.marks[om];
                                found.push(
                                    Hit::at(text, at..at + c.len_utf8())
                                        .var("mark", c.to_string())
                                        .var("expected", opener.close.to_string())
                                        .var("open", opener.open.to_string())
                                        .var("close", c.to_string()),
                                );
                            }
                        }
                    }
                    break 'mark;
                }
            }
        }
    }
}

impl Kind for Pairs {
    fn check_unit(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>) {
        if self.continue_unterminated {
            self.check_paragraphs(&doc.text, &doc.blocks.paragraphs, &doc.zones, out);
        } else {
            self.check(&doc.text, unit, out);
        }
    }

    fn vars(&self) -> Vec<String> {
        VARS.iter().map(|s| (*s).to_owned()).collect()
    }

    fn default_scope(&self) -> Scope {
        Scope::Paragraph
    }

    fn per_document(&self) -> bool {
        self.continue_unterminated
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_open_mark_does_not_continue_into_another_zone() {
        use crate::source::zones::test_document;
        use crate::source::ZoneKind::{Body, Footnote, Header};
        let rules = crate::engine::load_rules(false, &[]).expect("built-in rules");
        let id = rules.find("punct/unbalanced-pair").expect("rule");
        // A header ends without punctuation: without zones its “ would be closed by the
        // footnote's ” (a paragraph continued, as at a PDF page break).
        let parts = [(Body, "正文。"), (Header, "关于“放管服"), (Footnote, "改革”的意见。")];
        let doc = test_document(&parts);
        let found: Vec<&str> = crate::engine::check_rule(&doc, &rules, id)
            .iter()
            .map(|f| &doc.text[f.span.clone()])
            .collect();
        assert_eq!(found, ["“", "”"]);
        let flat = crate::source::Document::new("t.txt", doc.text.clone());
        assert!(crate::engine::check_rule(&flat, &rules, id).is_empty());
    }
}
