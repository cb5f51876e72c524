//! The cue lexicon: words by class (`total`, `part`, `up` …) and period words, read from TOML
//! (`rules/lexicon.toml`, embedded). One Aho–Corasick automaton finds them all, longest first.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Deserialize;

/// The built-in lexicon, embedded at build time.
pub const BUILTIN_LEXICON: &str = include_str!("../../rules/lexicon.toml");

/// The class given to period words in [`Lexicon::class_of`].
pub const PERIOD_CLASS: &str = "period";
/// The class of words that shadow cues and mean nothing.
pub const NEUTRAL_CLASS: &str = "neutral";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawLexicon {
    #[serde(default)]
    cues: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    periods: RawPeriods,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawPeriods {
    #[serde(default)]
    words: Vec<String>,
}

/// A compiled lexicon.
#[derive(Debug)]
pub struct Lexicon {
    /// Every word, in the order of the automaton's patterns.
    words: Vec<String>,
    /// For each word, the index of its class in `classes`.
    word_class: Vec<usize>,
    /// Class names: the cue classes in name order, then `period`.
    classes: Vec<String>,
    /// The index of the `period` class.
    period: usize,
    automaton: AhoCorasick,
}

static CURRENT: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();

/// Adds users' lexicon files (`(name, text)`) to the built-in lexicon for this process. Call it
/// before anything reads the lexicon; a second call with other files is an error (the rules
/// compiled so far refer to the words of the first).
pub fn install(files: &[(String, String)]) -> Result<(), LexiconError> {
    if files.is_empty() {
        return Ok(());
    }
    let mut all: Vec<(&str, &str)> = vec![("builtin:rules/lexicon.toml", BUILTIN_LEXICON)];
    all.extend(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let merged = Lexicon::parse_all(&all)?;
    let words = merged.words.clone();
    match CURRENT.set(merged) {
        Ok(()) => Ok(()),
        Err(_) if CURRENT.get().is_some_and(|l| l.words == words) => Ok(()),
        Err(_) => Err(LexiconError(
            "the lexicon is already in use; give --lexicon once, before the rules are loaded"
                .to_owned(),
        )),
    }
}

/// Reads and installs lexicon files named on the command line; the error names the file.
pub fn install_paths(paths: &[std::path::PathBuf]) -> Result<(), LexiconError> {
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| {
            LexiconError(format!("{}: cannot read lexicon file: {e}", path.display()))
        })?;
        files.push((path.display().to_string(), text));
    }
    install(&files)
}

/// A problem in a lexicon file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconError(pub String);

impl std::fmt::Display for LexiconError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Lexicon {
    /// Parses a lexicon file. A word listed in two classes is an error.
    pub fn parse(text: &str) -> Result<Lexicon, LexiconError> {
        Lexicon::parse_all(&[("lexicon", text)])
    }

    /// Parses several lexicon files into one: the words of a class named in several files are
    /// joined (a user's file adds to the built-in classes, or names new ones). Errors name the
    /// file.
    pub fn parse_all(files: &[(&str, &str)]) -> Result<Lexicon, LexiconError> {
        // Each word with the file it came from, by class.
        let mut cues: BTreeMap<String, Vec<(String, &str)>> = BTreeMap::new();
        let mut periods: Vec<(String, &str)> = Vec::new();
        for (name, text) in files {
            let one: RawLexicon = toml::from_str(text)
                .map_err(|e| LexiconError(format!("{name}: {}", e.message().trim())))?;
            for (class, words) in one.cues {
                cues.entry(class)
                    .or_default()
                    .extend(words.into_iter().map(|w| (w, *name)));
            }
            periods.extend(one.periods.words.into_iter().map(|w| (w, *name)));
        }
        let mut classes: Vec<String> = cues.keys().cloned().collect();
        classes.push(PERIOD_CLASS.to_owned());
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut words = Vec::new();
        let mut word_class = Vec::new();
        let lists = cues
            .iter()
            .map(|(class, words)| (class.as_str(), words))
            .chain(std::iter::once((PERIOD_CLASS, &periods)));
        for (class, list) in lists {
            let index = classes.iter().position(|c| c == class).unwrap_or(0);
            for (word, file) in list {
                if word.is_empty() {
                    return Err(LexiconError(format!(
                        "{file}: class `{class}` has an empty word"
                    )));
                }
                if let Some(first) = seen.insert(word.clone(), class.to_owned()) {
                    if first != class {
                        return Err(LexiconError(format!(
                            "{file}: `{word}` is in both `{first}` and `{class}`; a word has one class"
                        )));
                    }
                    continue;
                }
                words.push(word.clone());
                word_class.push(index);
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(&words)
            .map_err(|e| LexiconError(e.to_string()))?;
        let period = classes.len() - 1;
        Ok(Lexicon {
            words,
            word_class,
            classes,
            period,
            automaton,
        })
    }

    /// The built-in lexicon, parsed once.
    /// The lexicon of this process: the built-in one, with the words of `--lexicon` files once
    /// [`install`] has added them (before any rule is compiled).
    pub fn builtin() -> &'static Lexicon {
        // A unit test parses the embedded file, so this cannot fail in a released binary.
        CURRENT.get_or_init(|| {
            Lexicon::parse(BUILTIN_LEXICON).expect("invariant: the built-in lexicon parses")
        })
    }

    /// Every class name, cue classes first (in name order), then `period`.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The index of the `period` class.
    pub fn period_class(&self) -> usize {
        self.period
    }

    /// The index of a class, by name.
    pub fn class(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c == name)
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when the lexicon has no word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The class index of word `word`.
    pub fn class_of(&self, word: usize) -> usize {
        self.word_class[word]
    }

    /// The text of word `word`.
    pub fn word(&self, word: usize) -> &str {
        &self.words[word]
    }

    /// The words of a class.
    pub fn words_of(&self, class: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.words.len()).filter(move |&w| self.word_class[w] == class)
    }

    /// Non-overlapping matches in `text`, leftmost-longest: `(word, byte range)`.
    pub fn find_iter<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + 'a {
        self.automaton
            .find_iter(text)
            .map(|m| (m.pattern().as_usize(), m.range()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicon_parses_with_one_class_per_word() {
        let lexicon = Lexicon::parse(BUILTIN_LEXICON).expect("the built-in lexicon parses");
        assert!(lexicon.len() > 100);
        for class in [
            "total", "part", "share", "compare", "up", "down", "neutral", "period",
        ] {
            assert!(lexicon.class(class).is_some(), "class {class}");
        }
    }

    #[test]
    fn longer_words_shadow_the_cues_inside_them() {
        let lexicon = Lexicon::builtin();
        let found: Vec<&str> = lexicon
            .find_iter("占，比重比较增长率")
            .map(|(w, _)| lexicon.classes()[lexicon.class_of(w)].as_str())
            .collect();
        assert_eq!(found, ["share", "share", "neutral", "rate-other"]);
    }

    #[test]
    fn a_users_file_adds_words_to_a_class_and_new_classes() {
        let lexicon = Lexicon::parse_all(&[
            ("builtin", BUILTIN_LEXICON),
            (
                "mine.toml",
                "[cues]\npart = [\"内有\"]\nunit-words = [\"笔\"]\n",
            ),
        ])
        .expect("merged");
        let part = lexicon.class("part").expect("part");
        assert!(lexicon.words_of(part).any(|w| lexicon.word(w) == "内有"));
        assert!(lexicon.words_of(part).any(|w| lexicon.word(w) == "其中"));
        assert!(lexicon.class("unit-words").is_some());
        let err = Lexicon::parse_all(&[
            ("builtin", BUILTIN_LEXICON),
            ("bad.toml", "[cues]\nup = [\"下降\"]\n"),
        ])
        .unwrap_err();
        assert!(err.0.contains("`下降`"), "{err}");
        let err = Lexicon::parse_all(&[("broken.toml", "[cues\n")]).unwrap_err();
        assert!(err.0.starts_with("broken.toml:"), "{err}");
    }

    #[test]
    fn a_word_in_two_classes_is_an_error() {
        let err = Lexicon::parse("[cues]\nup = [\"增\"]\ndown = [\"增\"]\n").unwrap_err();
        assert!(err.0.contains("`增`"), "{err}");
    }
}
