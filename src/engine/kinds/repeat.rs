//! `repeat`: accidentally doubled characters (对对, 的的) and doubled words (`the the`),
//! with an allowlist of words in which the doubling is legitimate (学习习近平, 实实在在).

use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::engine::finding::Hit;
use crate::rules::Issues;
use crate::source::Document;
use super::Kind;

/// Placeholders a `repeat` rule provides.
pub const VARS: &[&str] = &["match", "single"];

/// `[rule.repeat]`: accidental doubling of a character or a word.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawRepeat {
    pub chars: Option<Spanned<String>>,
    #[serde(default)]
    pub words: bool,
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
}

/// A compiled `[rule.repeat]`.
#[derive(Debug)]
pub struct Repeat {
    /// Characters whose doubling is reported; empty with `words` set means characters are not checked.
    chars: Vec<char>,
    words: bool,
    /// Doubled text → (allowed word, byte offset of the doubling inside that word).
    allow: HashMap<String, Vec<(String, usize)>>,
}

impl Repeat {
    /// Compiles the sub-table.
    pub fn compile(raw: &RawRepeat, issues: &mut Issues<'_>) -> Option<Repeat> {
        let chars: Vec<char> = raw
            .chars
            .as_ref()
            .map(|c| c.get_ref().chars().filter(|c| !c.is_whitespace()).collect())
            .unwrap_or_default();
        if chars.is_empty() && !raw.words {
            let span = raw.chars.as_ref().map_or(0..0, |c| c.span());
            issues.push(
                span,
                "a repeat rule needs `chars` (characters whose doubling is an error) or `words = true`",
                None,
            );
            return None;
        }
        let mut allow: HashMap<String, Vec<(String, usize)>> = HashMap::new();
        for word in &raw.allow {
            let w = word.get_ref();
            let mut any = false;
            let indices: Vec<(usize, char)> = w.char_indices().collect();
            for pair in indices.windows(2) {
                let ((i, a), (_, b)) = (pair[0], pair[1]);
                if a == b {
                    any = true;
                    let doubled: String = [a, b].iter().collect();
                    allow.entry(doubled).or_default().push((w.clone(), i));
                }
            }
            if raw.words {
                let tokens: Vec<(usize, &str)> = latin_words(w).collect();
                for pair in tokens.windows(2) {
                    let ((i, a), (j, b)) = (pair[0], pair[1]);
                    if a.eq_ignore_ascii_case(b) {
                        any = true;
                        let key = w[i..j + b.len()].to_ascii_lowercase();
                        allow
                            .entry(key)
                            .or_default()
                            .push((w.to_ascii_lowercase(), i));
                    }
                }
            }
            if !any {
                issues.push(
                    word.span(),
                    format!("`{w}` contains no doubling, so allowing it has no effect"),
                    None,
                );
            }
        }
        Some(Repeat {
            chars,
            words: raw.words,
            allow,
        })
    }

    fn allowed(&self, text: &str, span: &Range<usize>, key: &str, lower: bool) -> bool {
        let Some(words) = self.allow.get(key) else {
            return false;
        };
        words.iter().any(|(word, offset)| {
            span.start >= *offset
                && text.is_char_boundary(span.start - offset)
                && text
                    .get(span.start - offset..span.start - offset + word.len())
                    .is_some_and(|w| {
                        if lower {
                            w.eq_ignore_ascii_case(word)
                        } else {
                            w == word
                        }
                    })
        })
    }

    /// Checks one unit. A run of three or more (对对对, `the the the`) is one finding at its first
    /// pair whose fix replaces the whole run, so that one `--fix` pass leaves one copy (issue 16);
    /// when the run ends in an allowed doubling (对对对方 → 对 + 对方), that doubling is kept.
    pub fn check(&self, text: &str, unit: Range<usize>, out: &mut Vec<Hit>) {
        let first_new = out.len();
        let body = &text[unit.clone()];
        if !self.chars.is_empty() {
            // (byte offset in `body`, character, length of the run so far).
            let mut run: Option<(usize, char, usize)> = None;
            for (i, c) in body.char_indices() {
                match &mut run {
                    Some((_, rc, n)) if *rc == c => *n += 1,
                    _ => {
                        if let Some((start, rc, n)) = run {
                            self.check_char_run(text, unit.start + start, rc, n, out);
                        }
                        run = Some((i, c, 1));
                    }
                }
            }
            if let Some((start, rc, n)) = run {
                self.check_char_run(text, unit.start + start, rc, n, out);
            }
        }
        if self.words {
            let tokens: Vec<(usize, &str)> = latin_words(body).collect();
            let doubled = |k: usize| {
                let ((i, a), (j, b)) = (tokens[k], tokens[k + 1]);
                let gap = &body[i + a.len()..j];
                a.eq_ignore_ascii_case(b)
                    && !gap.is_empty()
                    && gap.chars().all(|c| c == ' ' || c == '\t')
            };
            let span = |k: usize, l: usize| {
                unit.start + tokens[k].0..unit.start + tokens[l].0 + tokens[l].1.len()
            };
            let allowed = |k: usize| {
                let span = span(k, k + 1);
                let key = text[span.clone()].to_ascii_lowercase();
                self.allowed(text, &span, &key, true)
            };
            let mut k = 0;
            while k + 1 < tokens.len() {
                if !doubled(k) || allowed(k) {
                    k += 1;
                    continue;
                }
                // Tokens `k..=last` are one run of the same word.
                let mut last = k + 1;
                while last + 1 < tokens.len() && doubled(last) {
                    last += 1;
                }
                let a = tokens[k].1;
                let mut hit = Hit::at(text, span(k, k + 1)).var("single", a);
                hit.fix = Some(a.to_owned());
                if last > k + 1 {
                    hit.extent = Some(span(k, last));
                    if allowed(last - 1) {
                        // The gap and the word after the last pair's first word.
                        let (i, w) = tokens[last - 1];
                        let kept = &body[i + w.len()..tokens[last].0 + tokens[last].1.len()];
                        hit.fix = Some(format!("{a}{kept}"));
                    }
                }
                out.push(hit);
                k = last;
            }
        }
        // Only this unit's hits: sorting everything found so far made the kind quadratic in the
        // number of units (issue 16).
        out[first_new..].sort_by_key(|h| h.span.start);
    }

    /// Reports a run of `n` copies of `c` starting at byte `start` of `text`, once, at its first
    /// pair, unless that pair is part of an allowed word.
    fn check_char_run(&self, text: &str, start: usize, c: char, n: usize, out: &mut Vec<Hit>) {
        if n < 2 || !self.chars.contains(&c) {
            return;
        }
        let width = c.len_utf8();
        let pair = |at: usize| at..at + 2 * width;
        let allowed = |at: usize| {
            let span = pair(at);
            self.allowed(text, &span, &text[span.clone()], false)
        };
        if allowed(start) {
            return;
        }
        let mut hit = Hit::at(text, pair(start)).var("single", c.to_string());
        hit.fix = Some(c.to_string());
        if n > 2 {
            hit.extent = Some(start..start + n * width);
            if allowed(start + (n - 2) * width) {
                hit.fix = Some([c, c].iter().collect());
            }
        }
        out.push(hit);
    }
}

/// ASCII letter runs with their byte offsets; a run touching a digit or `_` is not a word.
fn latin_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if bytes[i].is_ascii_alphabetic() {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'\'') {
                    i += 1;
                }
                let glued = |b: u8| b.is_ascii_digit() || b == b'_';
                let before_ok = start == 0 || !glued(bytes[start - 1]);
                let after_ok = i == bytes.len() || !glued(bytes[i]);
                if before_ok && after_ok {
                    return Some((start, &text[start..i]));
                }
            } else {
                i += 1;
            }
        }
        None
    })
}

impl Kind for Repeat {
    fn check_unit(&self, doc: &Document, unit: Range<usize>, out: &mut Vec<Hit>) {
        self.check(&doc.text, unit, out);
    }

    fn vars(&self) -> Vec<String> {
        VARS.iter().map(|s| (*s).to_owned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::{apply, FixMode};
    use crate::engine::{load_rules, RuleSet};
    use crate::source::{load_bytes, Loaded};

    fn rules() -> &'static RuleSet {
        use std::sync::OnceLock;
        static RULES: OnceLock<RuleSet> = OnceLock::new();
        RULES.get_or_init(|| load_rules(false, &[]).expect("rules"))
    }

    /// The text after one pass of every repeat fix, and the number of findings.
    fn fix(text: &str) -> (String, usize) {
        let Ok(Loaded::Text(doc)) = load_bytes("t.txt", text.as_bytes()) else {
            panic!("not text");
        };
        let findings: Vec<_> = crate::engine::check(&doc, rules())
            .into_iter()
            .filter(|f| rules()[f.rule].id.starts_with("repeat/"))
            .collect();
        let (fixed, _) = apply(&doc.text, &findings, FixMode::Unsafe);
        (fixed, findings.len())
    }

    #[test]
    fn issue_16_a_run_of_three_collapses_in_one_pass() {
        assert_eq!(fix("5年来对对对全区"), ("5年来对全区".to_owned(), 1));
        assert_eq!(fix("对对对对对"), ("对".to_owned(), 1));
        assert_eq!(fix("The the the report"), ("The report".to_owned(), 1));
        assert_eq!(fix("of of\tOF OF of them"), ("of them".to_owned(), 1));
    }

    #[test]
    fn a_run_ending_in_an_allowed_word_keeps_that_word() {
        // 对 + 对方: one 对 too many.
        assert_eq!(fix("要对对对方负责"), ("要对对方负责".to_owned(), 1));
        assert_eq!(fix("要对对方负责").1, 0);
    }

    #[test]
    fn a_pair_is_reported_and_fixed_as_before() {
        assert_eq!(fix("5年来对对全区"), ("5年来对全区".to_owned(), 1));
        assert_eq!(
            fix("We resolved the the complaints."),
            ("We resolved the complaints.".to_owned(), 1)
        );
        assert_eq!(fix("He had had enough.").1, 0);
        assert_eq!(fix("深入学习习近平法治思想").1, 0);
    }
}
