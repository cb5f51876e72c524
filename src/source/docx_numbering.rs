//! Word's automatic numbering, rendered as Word shows it: the labels (`一、`, `（二）`, `1.2`) that a
//! list paragraph displays but whose text is not in `word/document.xml`.
//!
//! Definitions come from `word/numbering.xml` — `w:abstractNum` levels (`w:lvl`: `w:start`,
//! `w:numFmt`, `w:lvlText` such as `%1、`, `（%1）` or `%1.%2`, `w:suff`, `w:lvlRestart`,
//! `w:isLgl`), `w:num` instances pointing at them (`w:abstractNumId`, with `w:lvlOverride`:
//! `w:startOverride` or a whole `w:lvl`), and list styles (`w:numStyleLink`) — and from the
//! numbering of paragraph styles in `word/styles.xml` (`w:pPr/w:numPr`, through `w:basedOn`).
//!
//! Counters follow Word: instances of one abstract definition share their counters (a list
//! continues under another `w:num`), a `w:startOverride` restarts its level the first time its
//! instance is used, and a level restarts when a higher level advances (unless `w:lvlRestart`
//! says otherwise). The label is followed by its suffix: a space for Word's default tab (a tab
//! would make the line look like a table row to the rules) and for `space`, nothing for
//! `nothing`. Bullets and levels without a number format render no label: a bullet is not a
//! number, and its character is often a symbol-font code point that means nothing as text.

use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::NsReader;

/// Levels of a list (`w:ilvl` 0–8).
const LEVELS: usize = 9;

/// How deep style and list-style links are followed (they may form cycles).
const MAX_LINKS: usize = 16;

/// A number format (`w:numFmt`). Formats not listed here are rendered as decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Decimal,
    DecimalZero,
    LowerLetter,
    UpperLetter,
    LowerRoman,
    UpperRoman,
    /// 一, 二 … 十, 十一 … 九十九, then digit by digit (一〇〇).
    ChineseCounting,
    /// 一 … 九十九, 一百, 一百零一 … 九千九百九十九.
    ChineseCountingThousand,
    /// 一二三, digit by digit (一〇).
    IdeographDigital,
    /// 甲乙丙丁戊己庚辛壬癸 (the ten heavenly stems, repeating).
    IdeographTraditional,
    /// 子丑寅卯… (the twelve earthly branches, repeating).
    IdeographZodiac,
    /// ①–⑳, then decimal.
    DecimalEnclosedCircle,
    /// ⑴–⒇, then decimal.
    DecimalEnclosedParen,
    /// ⒈–⒛, then decimal.
    DecimalEnclosedFullstop,
    /// Full-width digits (１２).
    DecimalFullWidth,
    Bullet,
    /// No number (the level text's literal characters only).
    None,
}

fn parse_format(name: &str) -> Format {
    match name {
        "decimalZero" => Format::DecimalZero,
        "lowerLetter" => Format::LowerLetter,
        "upperLetter" => Format::UpperLetter,
        "lowerRoman" => Format::LowerRoman,
        "upperRoman" => Format::UpperRoman,
        "chineseCounting" => Format::ChineseCounting,
        "chineseCountingThousand" | "japaneseCounting" | "taiwaneseCountingThousand" => {
            Format::ChineseCountingThousand
        }
        "ideographDigital" | "taiwaneseDigital" | "japaneseDigitalTenThousand" => {
            Format::IdeographDigital
        }
        "ideographTraditional" => Format::IdeographTraditional,
        "ideographZodiac" => Format::IdeographZodiac,
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => Format::DecimalEnclosedCircle,
        "decimalEnclosedParen" => Format::DecimalEnclosedParen,
        "decimalEnclosedFullstop" => Format::DecimalEnclosedFullstop,
        "decimalFullWidth" | "decimalFullWidth2" => Format::DecimalFullWidth,
        "bullet" => Format::Bullet,
        "none" => Format::None,
        _ => Format::Decimal,
    }
}

const CHINESE_DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// 1–99 as Chinese counting numerals (十, 十一, 二十, 二十一).
fn chinese_tens(n: u32) -> String {
    let (tens, ones) = (n / 10, n % 10);
    let mut s = String::new();
    if tens > 1 {
        s.push(CHINESE_DIGITS[tens as usize]);
    }
    if tens > 0 {
        s.push('十');
    }
    if ones > 0 || tens == 0 {
        s.push(CHINESE_DIGITS[ones as usize]);
    }
    s
}

fn chinese_digits(n: u32) -> String {
    n.to_string()
        .bytes()
        .map(|b| CHINESE_DIGITS[usize::from(b - b'0')])
        .collect()
}

/// Chinese counting with 百 and 千 (一百零一, 一千零一十); from 10 000 digit by digit.
fn chinese_thousand(n: u32) -> String {
    if n < 100 {
        return chinese_tens(n);
    }
    if n >= 10_000 {
        return chinese_digits(n);
    }
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let units = ["千", "百", "十", ""];
    let mut s = String::new();
    let mut zero = false;
    for (d, unit) in digits.iter().zip(units) {
        if *d == 0 {
            zero = !s.is_empty();
            continue;
        }
        if zero {
            s.push('〇');
            zero = false;
        }
        s.push(CHINESE_DIGITS[*d as usize]);
        s.push_str(unit);
    }
    s.replace('〇', "零")
}

fn letters(n: u32, base: u8) -> String {
    // Word repeats the letter: 27 → aa, 28 → bb. A huge start value would make a huge label:
    // past 30 repeats the number is shown in decimal.
    if n == 0 || n > 26 * 30 {
        return n.to_string();
    }
    let letter = char::from(base + ((n - 1) % 26) as u8);
    std::iter::repeat_n(letter, ((n - 1) / 26 + 1) as usize).collect()
}

fn roman(mut n: u32, upper: bool) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    if n == 0 || n > 3999 {
        return n.to_string();
    }
    let mut s = String::new();
    for (value, text) in TABLE {
        while n >= value {
            s.push_str(text);
            n -= value;
        }
    }
    if upper {
        s.make_ascii_uppercase();
    }
    s
}

fn enclosed(n: u32, first: char, count: u32) -> String {
    match n.checked_sub(1).filter(|i| *i < count) {
        Some(i) => char::from_u32(first as u32 + i).map_or_else(|| n.to_string(), String::from),
        None => n.to_string(),
    }
}

fn cycle(n: u32, chars: &[char]) -> String {
    match n.checked_sub(1) {
        Some(i) => chars[i as usize % chars.len()].to_string(),
        None => n.to_string(),
    }
}

/// `n` written in `format`.
fn format_number(n: u32, format: Format) -> String {
    match format {
        Format::Decimal => n.to_string(),
        Format::DecimalZero => format!("{n:02}"),
        Format::LowerLetter => letters(n, b'a'),
        Format::UpperLetter => letters(n, b'A'),
        Format::LowerRoman => roman(n, false),
        Format::UpperRoman => roman(n, true),
        Format::ChineseCounting if n < 100 => chinese_tens(n),
        Format::ChineseCounting | Format::IdeographDigital => chinese_digits(n),
        Format::ChineseCountingThousand => chinese_thousand(n),
        Format::IdeographTraditional => {
            cycle(n, &"甲乙丙丁戊己庚辛壬癸".chars().collect::<Vec<_>>())
        }
        Format::IdeographZodiac => {
            cycle(n, &"子丑寅卯辰巳午未申酉戌亥".chars().collect::<Vec<_>>())
        }
        Format::DecimalEnclosedCircle => enclosed(n, '①', 20),
        Format::DecimalEnclosedParen => enclosed(n, '⑴', 20),
        Format::DecimalEnclosedFullstop => enclosed(n, '⒈', 20),
        Format::DecimalFullWidth => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        Format::Bullet | Format::None => String::new(),
    }
}

/// One level of a list definition.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Level {
    start: u32,
    format: Format,
    text: String,
    /// What follows the label: a tab (Word's default), a space or nothing.
    suffix: &'static str,
    /// `w:lvlRestart`: 0 never restarts; `n` restarts when a level above `n` (1-based) is used.
    restart: Option<u32>,
    /// `w:isLgl`: the numbers of the levels above are shown in decimal.
    legal: bool,
    /// The paragraph style this level is linked to (`w:pStyle`).
    style: Option<String>,
}

impl Default for Level {
    fn default() -> Self {
        // An omitted `w:start` is zero (ECMA-376 17.9.25).
        Level {
            start: 0,
            format: Format::Decimal,
            text: String::new(),
            suffix: " ",
            restart: None,
            legal: false,
            style: None,
        }
    }
}

#[derive(Debug, Default)]
struct Abstract {
    levels: [Option<Level>; LEVELS],
    /// `w:numStyleLink`: the levels are those of the list style of this name.
    style_link: Option<String>,
}

#[derive(Debug, Default)]
struct Num {
    abstract_id: u32,
    /// Per level: a `w:startOverride`, and a `w:lvl` replacing the definition.
    starts: [Option<u32>; LEVELS],
    levels: [Option<Level>; LEVELS],
}

/// The numbering of a style (`w:pPr/w:numPr`) and the style it is based on.
#[derive(Debug, Default)]
struct Style {
    num_id: Option<u32>,
    level: Option<usize>,
    based_on: Option<String>,
}

/// The numbering definitions of one document.
#[derive(Debug, Default)]
pub struct Numbering {
    abstracts: HashMap<u32, Abstract>,
    nums: HashMap<u32, Num>,
    styles: HashMap<String, Style>,
    /// The default paragraph style (used by a paragraph that names none).
    default_style: Option<String>,
}

/// What a paragraph says about its numbering (`w:pPr`: `w:pStyle`, `w:numPr`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ParagraphNumbering {
    pub style: Option<String>,
    pub num_id: Option<u32>,
    pub level: Option<usize>,
}

/// The running counters of one story (the body, a header, the footnotes).
#[derive(Debug, Default)]
pub struct Counters {
    /// Per abstract definition: the last number of each level (`None`: not started).
    values: HashMap<u32, [Option<u32>; LEVELS]>,
    /// Per abstract definition: a start override waiting for its level's next use.
    pending: HashMap<u32, [Option<u32>; LEVELS]>,
    /// Instances already used (their start overrides are applied once).
    used: HashSet<u32>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(
            |a| match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                Ok(v) => v.into_owned(),
                Err(_) => a.value.into_owned(),
            },
        )
}

fn val(e: &BytesStart<'_>) -> Option<String> {
    attr(e, "val")
}

fn number_attr(e: &BytesStart<'_>, name: &str) -> Option<u32> {
    attr(e, name)?.trim().parse().ok()
}

fn level_attr(e: &BytesStart<'_>) -> Option<usize> {
    number_attr(e, "ilvl")
        .map(|l| l as usize)
        .filter(|l| *l < LEVELS)
}

fn on_off(e: &BytesStart<'_>) -> bool {
    !matches!(val(e).as_deref(), Some("false" | "0" | "off"))
}

/// Where a parse error happened: the byte offset and what went wrong.
pub type ParseError = (u64, String);

/// One step of [`walk`]: an element opens (with the local names of its ancestors) or closes (the
/// path then ends with its own name).
enum Step<'a> {
    Start(&'a [String], &'a BytesStart<'a>),
    End(&'a [String]),
}

/// Reads the elements of `xml` in order, handing each opening (or empty) and closing element to
/// `visit`.
fn walk(xml: &str, mut visit: impl FnMut(Step<'_>)) -> Result<(), ParseError> {
    let mut reader = NsReader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| (reader.error_position(), e.to_string()))?;
        match event {
            Event::Start(e) => {
                if path.len() >= super::docx::MAX_DEPTH {
                    return Err((reader.buffer_position(), "elements nest too deeply".into()));
                }
                visit(Step::Start(&path, &e));
                path.push(e.local_name().as_ref().to_owned());
            }
            Event::Empty(e) => {
                visit(Step::Start(&path, &e));
                path.push(e.local_name().as_ref().to_owned());
                visit(Step::End(&path));
                path.pop();
            }
            Event::End(_) => {
                visit(Step::End(&path));
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if path.is_empty() {
        Ok(())
    } else {
        Err((
            reader.buffer_position(),
            "the XML ends before all its elements are closed".into(),
        ))
    }
}

/// Applies a level property element (a child of `w:lvl`) to `level`.
fn level_property(level: &mut Level, name: &str, e: &BytesStart<'_>) {
    match name {
        "start" => level.start = number_attr(e, "val").unwrap_or(0),
        // With `mc:AlternateContent` the fallback comes last and wins: it is the format this
        // reader knows (a `custom` format falls back to a standard one).
        "numFmt" => level.format = val(e).map_or(Format::Decimal, |v| parse_format(&v)),
        "lvlText" => level.text = val(e).unwrap_or_default(),
        "suff" => {
            level.suffix = match val(e).as_deref() {
                Some("nothing") => "",
                _ => " ",
            }
        }
        "lvlRestart" => level.restart = number_attr(e, "val"),
        "isLgl" => level.legal = on_off(e),
        "pStyle" => level.style = val(e),
        _ => {}
    }
}

impl Numbering {
    /// Reads `word/numbering.xml`.
    pub fn parse_numbering(&mut self, xml: &str) -> Result<(), ParseError> {
        // What is being read: an abstract definition or an instance, and the level in it.
        let mut current_abstract: Option<u32> = None;
        let mut current_num: Option<u32> = None;
        let mut override_level: Option<usize> = None;
        let mut level: Option<(usize, Level)> = None;
        let abstracts = &mut self.abstracts;
        let nums = &mut self.nums;
        let mut finished: Vec<(Option<u32>, Option<u32>, usize, Level)> = Vec::new();
        walk(xml, |step| match step {
            Step::Start(path, e) => {
                let name = e.local_name();
                let name: &str = name.as_ref();
                let parent = path.last().map_or("", String::as_str);
                match (parent, name) {
                    ("numbering", "abstractNum") => {
                        current_abstract = number_attr(e, "abstractNumId");
                        if let Some(id) = current_abstract {
                            abstracts.entry(id).or_default();
                        }
                    }
                    ("numbering", "num") => {
                        current_num = number_attr(e, "numId");
                        if let Some(id) = current_num {
                            nums.entry(id).or_default();
                        }
                    }
                    ("abstractNum", "numStyleLink") => {
                        if let Some(a) = current_abstract.and_then(|id| abstracts.get_mut(&id)) {
                            a.style_link = val(e);
                        }
                    }
                    ("num", "abstractNumId") => {
                        if let Some(n) = current_num.and_then(|id| nums.get_mut(&id)) {
                            n.abstract_id = number_attr(e, "val").unwrap_or(0);
                        }
                    }
                    ("num", "lvlOverride") => override_level = level_attr(e),
                    ("lvlOverride", "startOverride") => {
                        let n = current_num.and_then(|id| nums.get_mut(&id));
                        if let (Some(n), Some(l)) = (n, override_level) {
                            n.starts[l] = Some(number_attr(e, "val").unwrap_or(0));
                        }
                    }
                    ("abstractNum" | "lvlOverride", "lvl") => {
                        let l = level_attr(e).or(override_level);
                        level = l.map(|l| (l, Level::default()));
                    }
                    (_, name) if path.iter().any(|p| p == "lvl") => {
                        if let Some((_, level)) = level.as_mut() {
                            level_property(level, name, e);
                        }
                    }
                    _ => {}
                }
            }
            Step::End(path) => match path.last().map(String::as_str) {
                Some("lvl") => {
                    if let Some((l, lvl)) = level.take() {
                        let in_num = path.iter().any(|p| p == "lvlOverride");
                        finished.push((
                            if in_num { None } else { current_abstract },
                            if in_num { current_num } else { None },
                            l,
                            lvl,
                        ));
                    }
                }
                Some("abstractNum") => current_abstract = None,
                Some("num") => current_num = None,
                Some("lvlOverride") => override_level = None,
                _ => {}
            },
        })?;
        for (abstract_id, num_id, l, lvl) in finished {
            if let Some(a) = abstract_id.and_then(|id| self.abstracts.get_mut(&id)) {
                a.levels[l] = Some(lvl);
            } else if let Some(n) = num_id.and_then(|id| self.nums.get_mut(&id)) {
                n.levels[l] = Some(lvl);
            }
        }
        Ok(())
    }

    /// Reads the numbering of the styles in `word/styles.xml`.
    pub fn parse_styles(&mut self, xml: &str) -> Result<(), ParseError> {
        let mut current: Option<String> = None;
        let styles = &mut self.styles;
        let default_style = &mut self.default_style;
        walk(xml, |step| match step {
            Step::Start(path, e) => {
                let name = e.local_name();
                let name: &str = name.as_ref();
                let parent = path.last().map_or("", String::as_str);
                match (parent, name) {
                    ("styles", "style") => {
                        current = attr(e, "styleId");
                        let paragraph = attr(e, "type").is_none_or(|t| t == "paragraph");
                        if let Some(id) = &current {
                            if paragraph
                                && attr(e, "default").is_some_and(|d| d == "1" || d == "true")
                            {
                                *default_style = Some(id.clone());
                            }
                            styles.entry(id.clone()).or_default();
                        }
                    }
                    ("style", "basedOn") => {
                        if let Some(s) = current.as_ref().and_then(|id| styles.get_mut(id)) {
                            s.based_on = val(e);
                        }
                    }
                    ("numPr", "numId" | "ilvl")
                        if path.len() >= 2 && path[path.len() - 2] == "pPr" =>
                    {
                        if let Some(s) = current.as_ref().and_then(|id| styles.get_mut(id)) {
                            if name == "numId" {
                                s.num_id = number_attr(e, "val");
                            } else {
                                s.level = number_attr(e, "val")
                                    .map(|l| l as usize)
                                    .filter(|l| *l < LEVELS);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Step::End(path) => {
                if path.last().is_some_and(|p| p == "style") {
                    current = None;
                }
            }
        })
    }

    /// True when nothing is numbered (no definitions were read).
    pub fn is_empty(&self) -> bool {
        self.nums.is_empty()
    }

    /// The numbering a style gives, following `w:basedOn`: the instance, and the level when the
    /// style names one.
    fn style_numbering(&self, style: &str) -> (Option<u32>, Option<usize>) {
        let (mut num_id, mut level) = (None, None);
        let mut name = Some(style);
        for _ in 0..MAX_LINKS {
            let Some(s) = name.and_then(|n| self.styles.get(n)) else {
                break;
            };
            num_id = num_id.or(s.num_id);
            level = level.or(s.level);
            if num_id.is_some() {
                break;
            }
            name = s.based_on.as_deref();
        }
        (num_id, level)
    }

    /// The abstract definition an instance uses, following list-style links
    /// (`w:numStyleLink` → the style's `w:numId` → that instance's definition).
    fn abstract_of(&self, num_id: u32) -> Option<u32> {
        let mut id = self.nums.get(&num_id)?.abstract_id;
        for _ in 0..MAX_LINKS {
            let Some(link) = self.abstracts.get(&id)?.style_link.as_deref() else {
                return Some(id);
            };
            let (Some(linked), _) = self.style_numbering(link) else {
                return Some(id);
            };
            id = self.nums.get(&linked)?.abstract_id;
        }
        Some(id)
    }

    /// The definition of level `l` of instance `num_id`.
    fn level(&self, num_id: u32, abstract_id: u32, l: usize) -> Option<&Level> {
        let num = self.nums.get(&num_id)?;
        num.levels[l]
            .as_ref()
            .or_else(|| self.abstracts.get(&abstract_id)?.levels[l].as_ref())
    }

    /// The label a paragraph shows, with its suffix, advancing the counters; `None` when the
    /// paragraph is not numbered (or shows a bullet).
    pub fn label(&self, counters: &mut Counters, p: &ParagraphNumbering) -> Option<String> {
        let style = p.style.as_deref().or(self.default_style.as_deref());
        let (style_num, style_level) = style.map_or((None, None), |s| self.style_numbering(s));
        // `w:numId w:val="0"` in the paragraph removes the style's numbering.
        let num_id = p.num_id.or(style_num).filter(|id| *id != 0)?;
        let abstract_id = self.abstract_of(num_id)?;
        let l = p.level.or(style_level).or_else(|| {
            // A style linked to a level of the list gives that level.
            let style = style?;
            (0..LEVELS).find(|&l| {
                self.level(num_id, abstract_id, l)
                    .is_some_and(|lvl| lvl.style.as_deref() == Some(style))
            })
        });
        let l = l.unwrap_or(0);
        let level = self.level(num_id, abstract_id, l)?;

        let values = counters.values.entry(abstract_id).or_default();
        let pending = counters.pending.entry(abstract_id).or_default();
        if counters.used.insert(num_id) {
            if let Some(num) = self.nums.get(&num_id) {
                for (i, start) in num.starts.iter().enumerate() {
                    if let Some(start) = start {
                        pending[i] = Some(*start);
                        values[i] = None;
                    }
                }
            }
        }
        let value = match values[l] {
            Some(v) => v.saturating_add(1),
            None => pending[l].take().unwrap_or(level.start),
        };
        values[l] = Some(value);
        // Deeper levels restart, unless their `w:lvlRestart` names a level above this one.
        for (deeper, slot) in values.iter_mut().enumerate().skip(l + 1) {
            let restart = self
                .level(num_id, abstract_id, deeper)
                .and_then(|d| d.restart)
                .unwrap_or(deeper as u32);
            if (l as u32) < restart {
                *slot = None;
            }
        }
        if level.format == Format::Bullet {
            return None;
        }
        let mut label = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            let digit = chars.peek().and_then(|d| d.to_digit(10));
            match digit {
                Some(d @ 1..=9) if c == '%' => {
                    chars.next();
                    let other = d as usize - 1;
                    let Some(def) = self.level(num_id, abstract_id, other) else {
                        continue;
                    };
                    let n = values[other].unwrap_or(def.start);
                    let format = if level.legal && other < l {
                        Format::Decimal
                    } else {
                        def.format
                    };
                    label.push_str(&format_number(n, format));
                }
                _ => label.push(c),
            }
        }
        if label.trim().is_empty() {
            return None;
        }
        label.push_str(level.suffix);
        Some(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn lvl(ilvl: usize, start: u32, format: &str, text: &str) -> String {
        format!(
            r#"<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{format}"/><w:lvlText w:val="{text}"/></w:lvl>"#
        )
    }

    fn numbering(xml_inner: &str) -> Numbering {
        let mut n = Numbering::default();
        n.parse_numbering(&format!("<w:numbering {NS}>{xml_inner}</w:numbering>"))
            .unwrap();
        n
    }

    fn para(num_id: u32, level: usize) -> ParagraphNumbering {
        ParagraphNumbering {
            style: None,
            num_id: Some(num_id),
            level: Some(level),
        }
    }

    fn labels(n: &Numbering, paras: &[ParagraphNumbering]) -> Vec<Option<String>> {
        let mut counters = Counters::default();
        paras.iter().map(|p| n.label(&mut counters, p)).collect()
    }

    fn some(labels: &[&str]) -> Vec<Option<String>> {
        labels.iter().map(|l| Some((*l).to_owned())).collect()
    }

    /// A Chinese heading list: 一、 / （一） / 1. / (1).
    fn headings() -> Numbering {
        numbering(&format!(
            r#"<w:abstractNum w:abstractNumId="0">{}{}{}{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#,
            lvl(0, 1, "chineseCounting", "%1、"),
            lvl(1, 1, "chineseCounting", "（%2）"),
            lvl(2, 1, "decimal", "%3."),
            lvl(3, 1, "decimal", "(%4)")
        ))
    }

    #[test]
    fn nested_levels_count_and_reset() {
        let n = headings();
        let got = labels(
            &n,
            &[
                para(1, 0),
                para(1, 1),
                para(1, 1),
                para(1, 2),
                para(1, 0),
                para(1, 1),
                para(1, 3),
            ],
        );
        assert_eq!(
            got,
            some(&[
                "一、 ",
                "（一） ",
                "（二） ",
                "1. ",
                "二、 ",
                "（一） ",
                "(1) "
            ])
        );
    }

    #[test]
    fn multi_level_text_and_legal_numbering() {
        let n = numbering(&format!(
            r#"<w:abstractNum w:abstractNumId="3">{}<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/><w:suff w:val="nothing"/></w:lvl><w:lvl w:ilvl="2"><w:start w:val="1"/><w:isLgl/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2.%3"/><w:suff w:val="space"/></w:lvl></w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>"#,
            lvl(0, 1, "chineseCounting", "第%1章")
        ));
        let got = labels(
            &n,
            &[
                para(5, 0),
                para(5, 1),
                para(5, 1),
                para(5, 2),
                para(5, 0),
                para(5, 1),
            ],
        );
        assert_eq!(
            got,
            some(&["第一章 ", "一.1", "一.2", "1.2.1 ", "第二章 ", "二.1"])
        );
    }

    #[test]
    fn a_start_override_restarts_a_shared_list() {
        // Instances 1 and 2 share definition 0: 2 continues 1; instance 3 restarts at 1, and
        // instance 4 starts its second level at 5.
        let mut xml = format!(
            r#"<w:abstractNum w:abstractNumId="0">{}{}</w:abstractNum>"#,
            lvl(0, 1, "decimal", "%1."),
            lvl(1, 1, "lowerLetter", "%2)")
        );
        xml.push_str(r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#);
        xml.push_str(r#"<w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>"#);
        xml.push_str(r#"<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>"#);
        xml.push_str(r#"<w:num w:numId="4"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="1"><w:startOverride w:val="5"/></w:lvlOverride></w:num>"#);
        let n = numbering(&xml);
        let got = labels(
            &n,
            &[
                para(1, 0),
                para(1, 0),
                para(2, 0),
                para(3, 0),
                para(3, 0),
                para(4, 1),
                para(4, 1),
            ],
        );
        assert_eq!(
            got,
            some(&["1. ", "2. ", "3. ", "1. ", "2. ", "e) ", "f) "])
        );
    }

    #[test]
    fn an_overriding_level_replaces_the_definition() {
        let xml = format!(
            r#"<w:abstractNum w:abstractNumId="0">{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0">{}</w:lvlOverride></w:num>"#,
            lvl(0, 1, "decimal", "%1."),
            lvl(0, 3, "upperRoman", "%1:")
        );
        assert_eq!(
            labels(&numbering(&xml), &[para(1, 0), para(1, 0)]),
            some(&["III: ", "IV: "])
        );
    }

    #[test]
    fn level_restart_zero_keeps_counting() {
        let xml = format!(
            r#"<w:abstractNum w:abstractNumId="0">{}<w:lvl w:ilvl="1"><w:start w:val="1"/><w:lvlRestart w:val="0"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2)"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#,
            lvl(0, 1, "decimal", "%1.")
        );
        let got = labels(
            &numbering(&xml),
            &[para(1, 0), para(1, 1), para(1, 0), para(1, 1)],
        );
        assert_eq!(got, some(&["1. ", "1) ", "2. ", "2) "]));
    }

    #[test]
    fn bullets_none_and_unknown_instances_show_no_label() {
        let xml = format!(
            r#"<w:abstractNum w:abstractNumId="0">{}{}{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#,
            lvl(0, 1, "bullet", "\u{F0B7}"),
            lvl(1, 1, "none", ""),
            lvl(2, 1, "none", "附")
        );
        let n = numbering(&xml);
        let got = labels(
            &n,
            &[para(1, 0), para(1, 1), para(1, 2), para(9, 0), para(0, 0)],
        );
        assert_eq!(got, vec![None, None, Some("附 ".to_owned()), None, None]);
    }

    #[test]
    fn style_numbering_is_inherited_and_removed_by_num_id_zero() {
        let mut n = headings();
        let styles = format!(
            r#"<w:styles {NS}><w:style w:type="paragraph" w:default="1" w:styleId="Normal"/><w:style w:type="paragraph" w:styleId="H1"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style><w:style w:type="paragraph" w:styleId="H2"><w:basedOn w:val="H1"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style></w:styles>"#
        );
        n.parse_styles(&styles).unwrap();
        let styled = |s: &str| ParagraphNumbering {
            style: Some(s.to_owned()),
            ..Default::default()
        };
        let removed = ParagraphNumbering {
            style: Some("H1".into()),
            num_id: Some(0),
            level: None,
        };
        let got = labels(
            &n,
            &[
                styled("H1"),
                styled("H2"),
                removed,
                styled("Normal"),
                styled("H1"),
            ],
        );
        assert_eq!(
            got,
            vec![
                Some("一、 ".into()),
                Some("（一） ".into()),
                None,
                None,
                Some("二、 ".into())
            ]
        );
    }

    #[test]
    fn a_list_style_link_uses_the_linked_definition() {
        let mut n = numbering(&format!(
            r#"<w:abstractNum w:abstractNumId="0"><w:numStyleLink w:val="MyList"/></w:abstractNum><w:abstractNum w:abstractNumId="1"><w:styleLink w:val="MyList"/>{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>"#,
            lvl(0, 1, "decimalEnclosedCircle", "%1")
        ));
        n.parse_styles(&format!(
            r#"<w:styles {NS}><w:style w:type="numbering" w:styleId="MyList"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>"#
        ))
        .unwrap();
        assert_eq!(labels(&n, &[para(2, 0), para(1, 0)]), some(&["① ", "② "]));
    }

    #[test]
    fn number_formats() {
        let cases: &[(Format, &[(u32, &str)])] = &[
            (Format::Decimal, &[(1, "1"), (12, "12")]),
            (Format::DecimalZero, &[(3, "03"), (12, "12")]),
            (
                Format::LowerLetter,
                &[(1, "a"), (26, "z"), (27, "aa"), (28, "bb")],
            ),
            (Format::UpperLetter, &[(3, "C")]),
            (Format::LowerRoman, &[(4, "iv"), (1994, "mcmxciv")]),
            (Format::UpperRoman, &[(9, "IX")]),
            (
                Format::ChineseCounting,
                &[
                    (0, "〇"),
                    (1, "一"),
                    (10, "十"),
                    (11, "十一"),
                    (20, "二十"),
                    (99, "九十九"),
                    (105, "一〇五"),
                ],
            ),
            (
                Format::ChineseCountingThousand,
                &[
                    (10, "十"),
                    (21, "二十一"),
                    (100, "一百"),
                    (101, "一百零一"),
                    (110, "一百一十"),
                    (1005, "一千零五"),
                ],
            ),
            (Format::IdeographDigital, &[(10, "一〇")]),
            (
                Format::IdeographTraditional,
                &[(1, "甲"), (4, "丁"), (10, "癸"), (11, "甲")],
            ),
            (Format::IdeographZodiac, &[(1, "子"), (12, "亥")]),
            (
                Format::DecimalEnclosedCircle,
                &[(1, "①"), (20, "⑳"), (21, "21")],
            ),
            (Format::DecimalEnclosedParen, &[(2, "⑵")]),
            (Format::DecimalEnclosedFullstop, &[(3, "⒊")]),
            (Format::DecimalFullWidth, &[(12, "１２")]),
            (Format::None, &[(5, "")]),
        ];
        for (format, values) in cases {
            for (n, want) in *values {
                assert_eq!(format_number(*n, *format), *want, "{format:?} {n}");
            }
        }
        assert_eq!(
            parse_format("chineseCountingThousand"),
            Format::ChineseCountingThousand
        );
        assert_eq!(parse_format("somethingNew"), Format::Decimal);
    }

    #[test]
    fn mutated_numbering_never_panics() {
        let xml = format!(
            "<w:numbering {NS}><w:abstractNum w:abstractNumId=\"0\">{}{}</w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/><w:lvlOverride w:ilvl=\"1\"><w:startOverride w:val=\"4294967295\"/></w:lvlOverride></w:num></w:numbering>",
            lvl(0, 4294967295, "lowerLetter", "%1.%9%"),
            lvl(1, 1, "chineseCountingThousand", "%1.%2")
        );
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..2000 {
            let mut bad = xml.clone().into_bytes();
            if round > 0 {
                for _ in 0..1 + next() % 4 {
                    let i = (next() % bad.len() as u64) as usize;
                    bad[i] = b"<>/\"=w:0189% "[(next() % 13) as usize];
                }
            }
            let Ok(text) = std::str::from_utf8(&bad) else {
                continue;
            };
            let mut n = Numbering::default();
            if n.parse_numbering(text).is_err() {
                continue;
            }
            let got = labels(&n, &[para(1, 0), para(1, 1), para(1, 8), para(1, 1)]);
            if round == 0 {
                let long = got[0].as_deref().unwrap_or_default();
                assert!(long.starts_with("4294967295."), "{got:?}");
                assert!(
                    got[1]
                        .as_deref()
                        .unwrap_or_default()
                        .starts_with("4294967295."),
                    "{got:?}"
                );
            }
        }
    }

    #[test]
    fn malformed_numbering_is_an_error() {
        let mut n = Numbering::default();
        assert!(n.parse_numbering("<w:numbering><w:num>").is_err());
        assert!(n.parse_numbering("<w:numbering></w:num>").is_err());
    }
}
