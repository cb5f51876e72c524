//! Shapes: patterns over the tokens of a statement, compiled to regexes over its code string.
//!
//! A shape is a list of elements separated by spaces:
//! - `$name:type` a quantity slot (`count`, `money`, `measure`, `amount`, `number`, `pct`,
//!   `permille`, `rate`, `points`, `times`, `any`, or several: `amount|number`); `$name:type+` a
//!   list of them joined by `、` or `和/及/and`, `$name:type+,` by `，` too (never by `；`, which
//!   separates clauses with subjects of their own) (each item may
//!   stand in brackets: `城管(19项)、住建(6项)`);
//! - `$name:type=[ … ]` a region whose quantities of that type are the slot's items (`#type` inside is a
//!   quantity that binds no slot; `#type~` admits approximate ones);
//! - `$name:<a|b>` a cue slot (one word of the classes named); `$name:year` a written year;
//! - `<a|b>` a cue of one of the classes; `<period>` any period, `<year>` a written year;
//! - `,` `、` `;` `:` `(` `)` `“` `”` separators; `...` a wide gap (crosses `，` and `、`);
//!   `.` the end of the statement; `//` the boundary between two statements (rules with
//!   `span = "paragraph"`; the element after it starts the next statement, with no gap);
//!   `_` a word group (short labels and cue words: an item of a list of words); `**` the rest of
//!   the statement;
//! - `^` first: the shape starts the statement (only a gap before it);
//! - `[ … ]` a group, with `|` between alternatives; `?` after an element or group makes it
//!   optional, `*` and `+` after a group repeat it.
//!
//! Between two elements lies an implicit *gap*: at most `max-gap` labels, periods and cues,
//! never a quantity, a separator, a long label or a cue of a `barrier` class. Only exact
//! quantities fill quantity slots: approximate ones (`近3000万元`, `99%以上`) and ranges never bind.

use std::fmt::Write as _;
use std::ops::Range;

use crate::statement::code;
use crate::statement::{Lexicon, QClass, Sep};

/// What a slot binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotKind {
    /// Quantities of these classes; `list` for `+` slots.
    Quantity { classes: Vec<QClass>, list: bool },
    /// A cue word of these classes.
    Cue { classes: Vec<usize> },
    /// A written year.
    Year,
}

/// A named slot of a shape.
#[derive(Debug, Clone)]
pub struct Slot {
    pub name: String,
    pub kind: SlotKind,
}

/// A compiled shape.
#[derive(Debug)]
pub struct Shape {
    /// The shape's regex over the code string: searched unanchored to find where matches may
    /// start, then anchored at each start for the slots (one compiled regex serves both).
    pub regex: regex_automata::meta::Regex,
    pub slots: Vec<Slot>,
    /// The shape starts with `^`: it is tried at the statement's start only (after a gap).
    pub at_start: bool,
    /// The capture group of each slot, in slot order.
    pub groups: Vec<usize>,
    /// For each element every match must contain, the token features one of which it needs.
    required: Vec<Vec<usize>>,
    /// A group of the shape repeats (`]*`, `]+`).
    repeats: bool,
}

impl Shape {
    /// True when the shape repeats: a list slot (`$parts:amount+`), a region of items, or a
    /// repeated group (`[ … ]*`, `[ … ]+`). A match of such a shape may hold a shorter match
    /// of it (the list read from its second item).
    pub fn repeats(&self) -> bool {
        self.repeats
            || self
                .slots
                .iter()
                .any(|s| matches!(s.kind, SlotKind::Quantity { list: true, .. }))
    }

    /// False when the statement lacks a token every match needs (no regex is run then).
    pub fn possible(&self, features: &crate::statement::Features) -> bool {
        self.required
            .iter()
            .all(|any| any.iter().any(|&f| features.contains(f)))
    }
}

impl Shape {
    /// For each element every match must contain, the token features one of which it needs.
    pub fn required(&self) -> &[Vec<usize>] {
        &self.required
    }
}

/// Options shared by the shapes of one rule.
pub struct Options<'a> {
    pub lexicon: &'a Lexicon,
    pub max_gap: usize,
    /// Cue classes that gaps may not contain.
    pub barrier: &'a [usize],
}

/// Quantity classes of a slot type.
pub fn quantity_classes(name: &str) -> Option<Vec<QClass>> {
    use QClass::*;
    Some(match name {
        "count" => vec![Count],
        "money" => vec![Money],
        "measure" => vec![Measure],
        "duration" => vec![Duration],
        "amount" => vec![Count, Money, Measure],
        "number" => vec![Bare],
        "pct" => vec![Percent],
        "permille" => vec![Permille],
        "rate" => vec![Percent, Permille, Cheng],
        "points" => vec![Points],
        "times" => vec![Times],
        "any" => QClass::ALL.to_vec(),
        _ => return None,
    })
}

/// The quantity classes of a type written with alternatives (`amount|number`).
fn slot_types(ty: &str) -> Result<Vec<QClass>, String> {
    let mut classes = Vec::new();
    for part in ty.split('|') {
        let Some(more) = quantity_classes(part) else {
            return Err(format!("unknown slot type `{ty}`; types: {SLOT_TYPES}"));
        };
        classes.extend(more);
    }
    Ok(classes)
}

/// The codes of quantities of `classes`: the exact ones, and with `approx` the others too.
fn quantity_codes(classes: &[QClass], approx: bool) -> Vec<char> {
    let mut codes = Vec::new();
    for &class in classes {
        codes.push(code::quantity(class, true));
        if approx {
            codes.push(code::quantity(class, false));
        }
    }
    codes
}

/// The slot types, for error messages.
pub const SLOT_TYPES: &str =
    "count, money, measure, duration, amount, number, pct, permille, rate, points, times, any, year, <cue|classes>";

fn escape(c: char) -> String {
    format!("\\x{{{:X}}}", c as u32)
}

fn class_of_codes(codes: impl IntoIterator<Item = u32>) -> String {
    let mut codes: Vec<u32> = codes.into_iter().collect();
    codes.sort_unstable();
    codes.dedup();
    let mut out = String::from("[");
    let mut i = 0;
    while i < codes.len() {
        let start = codes[i];
        let mut end = start;
        while i + 1 < codes.len() && codes[i + 1] == end + 1 {
            i += 1;
            end = codes[i];
        }
        let _ = write!(out, "\\x{{{start:X}}}");
        if end > start {
            let _ = write!(out, "-\\x{{{end:X}}}");
        }
        i += 1;
    }
    out.push(']');
    if out == "[]" {
        // Matches nothing: a class with no member.
        return r"[^\x{0}-\x{10FFFF}]".to_owned();
    }
    out
}

fn quantity_class(classes: &[QClass]) -> String {
    class_of_codes(quantity_codes(classes, false).into_iter().map(|c| c as u32))
}

fn sep_code(sep: Sep) -> String {
    escape(code::sep(sep))
}

/// The codes a gap may hold: labels, periods and cues outside the barrier classes.
fn gap_codes(options: &Options<'_>) -> Vec<u32> {
    let lexicon = options.lexicon;
    let mut codes = vec![code::LABEL, code::YEAR, code::PERIOD];
    for word in 0..lexicon.len() {
        if !options.barrier.contains(&lexicon.class_of(word)) {
            codes.push(code::cue(word) as u32);
        }
    }
    codes
}

/// The gap class: labels, periods and cues outside the barrier classes.
fn gap_class(options: &Options<'_>) -> String {
    class_of_codes(gap_codes(options))
}

/// Parses and compiles one shape. Errors are plain messages (the caller points at the shape).
pub fn compile(source: &str, options: &Options<'_>) -> Result<Shape, String> {
    let gap = format!("{}{{0,{}}}?", gap_class(options), options.max_gap);
    let mut words: Vec<&str> = source.split_whitespace().collect();
    let at_start = words.first() == Some(&"^");
    if at_start {
        words.remove(0);
    }
    let lead = if at_start { gap.clone() } else { String::new() };
    let repeats = words
        .iter()
        .any(|w| w.starts_with(']') && (w.contains('*') || w.contains('+')));
    let mut parser = Parser {
        options,
        gap,
        slots: Vec::new(),
        words,
        pos: 0,
        required: Vec::new(),
        alternatives_at_top: false,
    };
    let body = parser.alternatives()?;
    if parser.pos < parser.words.len() {
        return Err(format!("unexpected `{}`", parser.words[parser.pos]));
    }
    if parser.slots.is_empty() {
        return Err("the shape names no slot (`$name:type`)".to_owned());
    }
    let config = regex_automata::meta::Config::new()
        .nfa_size_limit(Some(1 << 24))
        .hybrid_cache_capacity(1 << 22);
    let regex = regex_automata::meta::Builder::new()
        .configure(config)
        .build(&format!("{lead}(?:{body})"))
        .map_err(|e| format!("the shape is too large or invalid: {e}"))?;
    let required = if parser.alternatives_at_top {
        Vec::new()
    } else {
        std::mem::take(&mut parser.required)
    };
    let groups = parser
        .slots
        .iter()
        .map(|slot| {
            let name = format!("s_{}", slot.name);
            regex
                .group_info()
                .to_index(regex_automata::PatternID::ZERO, &name)
                .unwrap_or(0)
        })
        .collect();
    Ok(Shape {
        required,
        groups,
        regex,
        slots: parser.slots,
        at_start,
        repeats,
    })
}

struct Parser<'a, 'o> {
    options: &'a Options<'o>,
    gap: String,
    slots: Vec<Slot>,
    words: Vec<&'a str>,
    pos: usize,
    required: Vec<Vec<usize>>,
    /// The group being parsed (the whole shape at the top) has alternatives: nothing inside is
    /// required of all its matches.
    alternatives_at_top: bool,
}

impl Parser<'_, '_> {
    /// `seq | seq | …` up to `]` or the end.
    fn alternatives(&mut self) -> Result<String, String> {
        let mut alts = vec![self.sequence()?];
        while self.words.get(self.pos) == Some(&"|") {
            self.pos += 1;
            self.alternatives_at_top = true;
            alts.push(self.sequence()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or_default()
        } else {
            format!("(?:{})", alts.join("|"))
        })
    }

    fn sequence(&mut self) -> Result<String, String> {
        let mut parts: Vec<String> = Vec::new();
        // Elements after which no gap may follow: a statement starts right after `//`.
        let mut tight: Vec<bool> = Vec::new();
        while let Some(&word) = self.words.get(self.pos) {
            if word == "|" || word.starts_with(']') {
                break;
            }
            self.pos += 1;
            let region = word.strip_prefix('$').and_then(|w| w.strip_suffix("=["));
            let element = if word == "[" || region.is_some() {
                // What the group requires counts for the shape when the group must occur once
                // or more and has no alternatives of its own.
                let outer_required = std::mem::take(&mut self.required);
                let outer_alternatives = std::mem::replace(&mut self.alternatives_at_top, false);
                let inner = self.alternatives();
                let inner_required = std::mem::replace(&mut self.required, outer_required);
                let inner_alternatives =
                    std::mem::replace(&mut self.alternatives_at_top, outer_alternatives);
                let inner = inner?;
                let Some(close) = self.words.get(self.pos).copied() else {
                    return Err("a `[` group is not closed with `]`".to_owned());
                };
                self.pos += 1;
                let suffix = &close[1..];
                if !inner_alternatives && matches!(suffix, "" | "+") {
                    self.required.extend(inner_required);
                }
                if let Some(region) = region {
                    // A named region: its quantities of the slot's type are the items.
                    let (name, ty) = region.split_once(':').unwrap_or((region, "any"));
                    self.name_slot(name)?;
                    let classes = slot_types(ty)?;
                    self.slots.push(Slot {
                        name: name.to_owned(),
                        kind: SlotKind::Quantity {
                            classes,
                            list: true,
                        },
                    });
                    match suffix {
                        "" => format!("(?<s_{name}>{inner})"),
                        "?" => format!("(?<s_{name}>{inner})?"),
                        _ => return Err(format!("a region takes no `{close}`")),
                    }
                } else {
                    match suffix {
                        "" | "?" | "*" | "+" => format!("(?:{inner}){suffix}"),
                        _ => return Err(format!("unknown group suffix `{close}`")),
                    }
                }
            } else {
                self.atom(word)?
            };
            parts.push(element);
            tight.push(word == "//");
        }
        if parts.is_empty() {
            return Err("an empty sequence (nothing between `|`, `[` or `]`)".to_owned());
        }
        let mut out = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 && !tight[i - 1] {
                out.push_str(&self.gap);
            }
            out.push_str(part);
        }
        Ok(out)
    }

    fn atom(&mut self, word: &str) -> Result<String, String> {
        let (base, optional) = match word.strip_suffix('?') {
            Some(b) if !b.is_empty() => (b, true),
            _ => (word, false),
        };
        let regex = self.element(base)?;
        if !optional {
            if let Some(features) = self.features(base) {
                self.required.push(features);
            }
        }
        Ok(if optional {
            format!("(?:{regex})?")
        } else {
            regex
        })
    }

    fn element(&mut self, word: &str) -> Result<String, String> {
        if word == "..." {
            // One class, not an alternation: a bounded repetition copies it max-gap × 4 times.
            let mut codes = gap_codes(self.options);
            codes.extend([Sep::Comma, Sep::Enum].map(|sep| code::sep(sep) as u32));
            let wide = format!(
                "{}{{0,{}}}?",
                class_of_codes(codes),
                self.options.max_gap * 4
            );
            return Ok(wide);
        }
        if word == "//" {
            // The boundary between two statements of a paragraph (`span = "paragraph"`).
            return Ok(sep_code(Sep::Stop));
        }
        if word == "_" {
            // A word group: short labels and cue words, no figure or separator between them
            // (an item of a list of words).
            let lexicon = self.options.lexicon;
            let words = class_of_codes(
                std::iter::once(code::LABEL).chain((0..lexicon.len()).map(|w| code::cue(w) as u32)),
            );
            return Ok(format!("{words}+"));
        }
        if word == "**" {
            // The rest of the statement, whatever it holds.
            return Ok(".*".to_owned());
        }
        if word == "." || word == "。" {
            // The end of the statement, after a gap (the final `。` is a label).
            return Ok(format!("{}$", self.gap));
        }
        if let Some(sep) = separator(word) {
            return Ok(sep_code(sep));
        }
        if let Some(ty) = word.strip_prefix('#') {
            // An unnamed quantity; `~` admits approximate ones and ranges.
            let (ty, approx) = match ty.strip_suffix('~') {
                Some(t) => (t, true),
                None => (ty, false),
            };
            let codes = quantity_codes(&slot_types(ty)?, approx);
            return Ok(class_of_codes(codes.into_iter().map(|c| c as u32)));
        }
        if let Some(inner) = word.strip_prefix('<').and_then(|w| w.strip_suffix('>')) {
            return self.cues(inner).map(|(_, class)| class);
        }
        if let Some(slot) = word.strip_prefix('$') {
            let Some((name, ty)) = slot.split_once(':') else {
                return Err(format!("`{word}`: a slot is written `$name:type`"));
            };
            self.name_slot(name)?;
            let group = format!("s_{name}");
            let (kind, regex) =
                if let Some(inner) = ty.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
                    let (classes, class) = self.cues(inner)?;
                    (SlotKind::Cue { classes }, class)
                } else if ty == "year" {
                    (SlotKind::Year, escape(code::char_of(code::YEAR)))
                } else {
                    // `+`: items joined by `、` and `和/及/and`; `+,`: by `，` and `；` too.
                    let (base, list, commas) = if let Some(b) = ty.strip_suffix("+,") {
                        (b, true, true)
                    } else if let Some(b) = ty.strip_suffix('+') {
                        (b, true, false)
                    } else {
                        (ty, false, false)
                    };
                    let classes = slot_types(base)?;
                    let item = quantity_class(&classes);
                    let regex = if list {
                        let item = format!(
                            "(?:{item}|{}{item}{})",
                            sep_code(Sep::Open),
                            sep_code(Sep::Close)
                        );
                        // `、` `，` `；`, and the words of the `and` class (`和`, `及`, `, and`).
                        let and = self
                            .options
                            .lexicon
                            .class("and")
                            .map(|c| self.cues_class(&[c]))
                            .unwrap_or_else(|| "[^\\x{0}-\\x{10FFFF}]".to_owned());
                        let seps = if commas {
                            format!(
                                "(?:[{}{}]|{and}){{1,2}}",
                                escape(code::sep(Sep::Comma)),
                                escape(code::sep(Sep::Enum)),
                            )
                        } else {
                            format!("(?:{}|{and})", escape(code::sep(Sep::Enum)))
                        };
                        format!("{item}(?:{gap}{seps}{gap}{item})*", gap = self.gap)
                    } else {
                        item
                    };
                    (SlotKind::Quantity { classes, list }, regex)
                };
            self.slots.push(Slot {
                name: name.to_owned(),
                kind,
            });
            return Ok(format!("(?<{group}>{regex})"));
        }
        Err(format!(
            "unknown element `{word}`: expected `$slot:type`, `<cue>`, a separator, `...`, `[`, `]` or `|`"
        ))
    }

    /// The token features one of which an element needs (`None`: it needs no particular token).
    fn features(&self, word: &str) -> Option<Vec<usize>> {
        use crate::statement::Features;
        let lexicon = self.options.lexicon;
        let cues = |inner: &str| -> Vec<usize> {
            let mut out = Vec::new();
            for name in inner.split('|') {
                match name {
                    "period" => out.extend(
                        [code::YEAR, code::PERIOD]
                            .into_iter()
                            .filter_map(|c| Features::of_code(code::char_of(c))),
                    ),
                    "year" => out.extend(Features::of_code(code::char_of(code::YEAR))),
                    _ => out.extend(lexicon.class(name).map(Features::of_class)),
                }
            }
            out
        };
        let quantities = |ty: &str, approx: bool| -> Option<Vec<usize>> {
            let classes = slot_types(ty).ok()?;
            Some(
                quantity_codes(&classes, approx)
                    .into_iter()
                    .filter_map(Features::of_code)
                    .collect(),
            )
        };
        if word == "//" {
            return Features::of_code(code::sep(Sep::Stop)).map(|f| vec![f]);
        }
        if let Some(sep) = separator(word) {
            return Features::of_code(code::sep(sep)).map(|f| vec![f]);
        }
        if let Some(inner) = word.strip_prefix('<').and_then(|w| w.strip_suffix('>')) {
            return Some(cues(inner));
        }
        if let Some(ty) = word.strip_prefix('#') {
            return match ty.strip_suffix('~') {
                Some(t) => quantities(t, true),
                None => quantities(ty, false),
            };
        }
        let (_, ty) = word.strip_prefix('$')?.split_once(':')?;
        if let Some(inner) = ty.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
            return Some(cues(inner));
        }
        if ty == "year" {
            return Some(cues("year"));
        }
        let base = ty
            .strip_suffix("+,")
            .or_else(|| ty.strip_suffix('+'))
            .unwrap_or(ty);
        quantities(base, false)
    }

    /// Checks a new slot name: lower-case ASCII, not used before in the shape.
    fn name_slot(&self, name: &str) -> Result<(), String> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(format!("`{name}`: slot names are lower-case ASCII"));
        }
        if self.slots.iter().any(|s| s.name == name) {
            return Err(format!(
                "slot `{name}` appears twice; write the alternatives as separate shapes"
            ));
        }
        Ok(())
    }

    /// The regex class of the words of some cue classes.
    fn cues_class(&self, classes: &[usize]) -> String {
        class_of_codes(cue_codes(self.options.lexicon, classes))
    }

    /// `a|b|period|year` → the class indices and the regex class.
    fn cues(&self, inner: &str) -> Result<(Vec<usize>, String), String> {
        let lexicon = self.options.lexicon;
        let mut classes = Vec::new();
        let mut extra: Vec<u32> = Vec::new();
        for name in inner.split('|') {
            match name {
                "period" => extra.extend([code::YEAR, code::PERIOD]),
                "year" => extra.push(code::YEAR),
                _ => match lexicon.class(name) {
                    Some(c) if name != crate::statement::lexicon::PERIOD_CLASS => classes.push(c),
                    _ => {
                        return Err(format!(
                            "unknown cue class `{name}`; classes: {}, year",
                            lexicon.classes().join(", ")
                        ))
                    }
                },
            }
        }
        let codes: Vec<u32> = cue_codes(lexicon, &classes).chain(extra).collect();
        Ok((classes, class_of_codes(codes)))
    }
}

/// The codes of the words of some cue classes.
fn cue_codes<'a>(lexicon: &'a Lexicon, classes: &'a [usize]) -> impl Iterator<Item = u32> + 'a {
    classes
        .iter()
        .flat_map(move |&c| lexicon.words_of(c))
        .map(|w| code::cue(w) as u32)
}

fn separator(word: &str) -> Option<Sep> {
    Some(match word {
        "," | "，" => Sep::Comma,
        "、" => Sep::Enum,
        ";" | "；" => Sep::Semi,
        ":" | "：" => Sep::Colon,
        "(" | "（" => Sep::Open,
        ")" | "）" => Sep::Close,
        "“" => Sep::QuoteOpen,
        "”" => Sep::QuoteClose,
        _ => return None,
    })
}

/// The token range (`start..end` token indices) of a capture at byte range `bytes` of a code
/// string that starts at token `base`.
pub fn tokens_of(bytes: Range<usize>, base: usize) -> Range<usize> {
    base + bytes.start / 3..base + bytes.end / 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options<'static> {
        Options {
            lexicon: Lexicon::builtin(),
            max_gap: 3,
            barrier: &[],
        }
    }

    #[test]
    fn shapes_compile_and_name_their_slots() {
        let shape = compile(
            "$whole:count , <part>? $part:count , <rate> $rate:pct",
            &options(),
        )
        .unwrap();
        let names: Vec<&str> = shape.slots.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["whole", "part", "rate"]);
    }

    #[test]
    fn shape_errors_say_what_is_wrong() {
        for (shape, needle) in [
            ("$x:widget", "unknown slot type"),
            ("<nonsense> $x:count", "unknown cue class"),
            ("$x:count $x:count", "appears twice"),
            ("[ $x:count", "not closed"),
            ("<part>", "names no slot"),
            ("$x:count foo", "unknown element"),
        ] {
            let err = compile(shape, &options()).unwrap_err();
            assert!(err.contains(needle), "{shape}: {err}");
        }
    }
}
