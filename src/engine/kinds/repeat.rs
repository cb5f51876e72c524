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

    /// Checks one unit.
    pub fn check(&self, text: &str, unit: Range<usize>, out: &mut Vec<Hit>) {
        let body = &text[unit.clone()];
        if !self.chars.is_empty() {
            let mut prev: Option<(usize, char)> = None;
            let mut run = 0;
            for (i, c) in body.char_indices() {
                match prev {
                    Some((p, pc)) if pc == c => {
                        run += 1;
                        // Report a run once, at its first pair.
                        if run == 1 && self.chars.contains(&c) {
                            let span = unit.start + p..unit.start + i + c.len_utf8();
                            let key = &text[span.clone()];
                            if !self.allowed(text, &span, key, false) {
                                let mut hit = Hit::at(text, span).var("single", c.to_string());
                                hit.fix = Some(c.to_string());
                                out.push(hit);
                            }
                        }
                    }
                    _ => run = 0,
                }
                if run == 0 {
                    prev = Some((i, c));
                }
            }
        }
        if self.words {
            let tokens: Vec<(usize, &str)> = latin_words(body).collect();
            for pair in tokens.windows(2) {
                let ((i, a), (j, b)) = (pair[0], pair[1]);
                let gap = &body[i + a.len()..j];
                if a.eq_ignore_ascii_case(b)
                    && gap.chars().all(|c| c == ' ' || c == '\t')
                    && !gap.is_empty()
                {
                    let span = unit.start + i..unit.start + j + b.len();
                    let key = text[span.clone()].to_ascii_lowercase();
                    if !self.allowed(text, &span, &key, true) {
                        let mut hit = Hit::at(text, span).var("single", a);
                        hit.fix = Some(a.to_owned());
                        out.push(hit);
                    }
                }
            }
        }
        out.sort_by_key(|h| h.span.start);
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
