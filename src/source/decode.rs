//! Bytes → text. A byte order mark decides (UTF-8, UTF-16LE/BE); otherwise valid UTF-8 is taken
//! as is; otherwise UTF-16 without a BOM is recognised by its NUL bytes; otherwise GB18030 (a
//! superset of GBK and GB2312, the encodings of older Chinese government files) or Big5 is tried,
//! in the order chardetng's guess suggests. Decoding
//! never replaces bytes: text that is valid in none of them is an error naming the byte offset.
//! `--encoding` forces one encoding.

use encoding_rs::{
    DecoderResult, EncoderResult, Encoding, BIG5, GB18030, UTF_16BE, UTF_16LE, UTF_8,
};

use super::SourceError;

/// How a document's bytes were decoded, so that fixes can be written back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoding {
    pub encoding: &'static Encoding,
    /// The file started with a byte order mark (kept when writing back).
    pub bom: bool,
}

impl Default for Decoding {
    fn default() -> Self {
        Decoding {
            encoding: UTF_8,
            bom: false,
        }
    }
}

impl Decoding {
    /// The encoding's name for reports, or `None` for UTF-8 (the default, not worth a field).
    pub fn reported_name(&self) -> Option<&'static str> {
        (self.encoding != UTF_8).then_some(self.encoding.name())
    }

    /// Encodes text the way the original was encoded.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.encoding == UTF_16LE || self.encoding == UTF_16BE {
            let le = self.encoding == UTF_16LE;
            let mut push = |unit: u16| {
                out.extend_from_slice(&if le {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                })
            };
            if self.bom {
                push(0xFEFF);
            }
            for unit in text.encode_utf16() {
                push(unit);
            }
            return out;
        }
        if self.bom && self.encoding == UTF_8 {
            out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
        }
        let (bytes, _, _) = self.encoding.encode(text);
        out.extend_from_slice(&bytes);
        out
    }
}

/// Why a piece of text cannot be spliced into a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// The encoding has no bytes for this character.
    Unmappable(char),
    /// The text offset falls inside a byte sequence that decodes to more than one character
    /// (Big5-HKSCS writes Ê̄ as one pair), or the bytes are not the text.
    NoByteBoundary(usize),
    /// A stateful encoding (ISO-2022-JP): bytes mean different things after an escape, so a
    /// piece encoded on its own cannot be put between others.
    Stateful(&'static str),
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EncodeError::Unmappable(c) => {
                write!(
                    f,
                    "`{c}` (U+{:04X}) cannot be written in this encoding",
                    *c as u32
                )
            }
            EncodeError::NoByteBoundary(at) => write!(
                f,
                "text offset {at} is inside one byte sequence of the file"
            ),
            EncodeError::Stateful(name) => {
                write!(f, "{name} is a stateful encoding; tally does not edit it")
            }
        }
    }
}

impl Decoding {
    /// Length of the byte order mark the file starts with.
    pub fn bom_len(&self) -> usize {
        match (self.bom, self.encoding == UTF_8) {
            (false, _) => 0,
            (true, true) => 3,
            (true, false) => 2,
        }
    }

    fn is_utf16(&self) -> bool {
        self.encoding == UTF_16LE || self.encoding == UTF_16BE
    }

    /// Encodes a piece of text (no byte order mark) to go between bytes of the file, or names
    /// the first character the encoding cannot write. Unlike [`Decoding::encode`], nothing is
    /// replaced by an HTML character reference.
    pub fn encode_piece(&self, text: &str) -> Result<Vec<u8>, EncodeError> {
        if self.encoding == UTF_8 {
            return Ok(text.as_bytes().to_vec());
        }
        if self.is_utf16() {
            let le = self.encoding == UTF_16LE;
            return Ok(text
                .encode_utf16()
                .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
                .collect());
        }
        if self.encoding == encoding_rs::ISO_2022_JP {
            return Err(EncodeError::Stateful(self.encoding.name()));
        }
        let mut encoder = self.encoding.new_encoder();
        let mut out = Vec::with_capacity(text.len() * 2 + 8);
        let mut rest = text;
        loop {
            let (result, read) =
                encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
            rest = &rest[read..];
            match result {
                EncoderResult::InputEmpty => return Ok(out),
                EncoderResult::Unmappable(c) => return Err(EncodeError::Unmappable(c)),
                EncoderResult::OutputFull => out.reserve(rest.len() * 4 + 16),
            }
        }
    }

    /// Byte offsets in `original` (the file, byte order mark included) of the ascending text
    /// offsets `offsets` of `text` (what `original` decoded to); `None` for an offset no byte
    /// boundary corresponds to. Legacy encodings are decoded again byte by byte up to the last
    /// offset, since their decoding is not always reversible (GBK `80` and `A2E3` are both €).
    pub fn byte_offsets(
        &self,
        original: &[u8],
        text: &str,
        offsets: &[usize],
    ) -> Vec<Option<usize>> {
        let bom = self.bom_len();
        if self.encoding == UTF_8 {
            let exact = original.len() == bom + text.len();
            return offsets
                .iter()
                .map(|&t| (exact && text.is_char_boundary(t)).then_some(bom + t))
                .collect();
        }
        if self.is_utf16() {
            let mut units = 0;
            let mut chars = text.char_indices().peekable();
            return offsets
                .iter()
                .map(|&t| {
                    while let Some(&(i, c)) = chars.peek() {
                        if i >= t {
                            break;
                        }
                        units += c.len_utf16();
                        chars.next();
                    }
                    text.is_char_boundary(t).then_some(bom + 2 * units)
                })
                .collect();
        }
        let body = original.get(bom..).unwrap_or_default();
        let mut decoder = self.encoding.new_decoder_without_bom_handling();
        let mut buf = [0u8; 32];
        let (mut read, mut written) = (0, 0);
        let mut broken = false;
        offsets
            .iter()
            .map(|&t| {
                while !broken && written < t && read < body.len() {
                    let (result, _, n) = decoder.decode_to_utf8_without_replacement(
                        &body[read..read + 1],
                        &mut buf,
                        false,
                    );
                    read += 1;
                    written += n;
                    broken = !matches!(result, DecoderResult::InputEmpty);
                }
                (!broken && written == t).then_some(bom + read)
            })
            .collect()
    }

    /// When these bytes, decoded as tally decodes them without `--encoding`, do not encode back
    /// to themselves: the encoding's name and the first byte offset that changes. Rewriting
    /// such a file from its text would change bytes no fix touches (GBK `80` → `A2E3`).
    pub fn lossy_reencoding(bytes: &[u8]) -> Option<(&'static str, usize)> {
        let Ok(Decoded::Text(text, decoding)) = decode_bytes(bytes, None) else {
            return None;
        };
        let again = decoding.encode(&text);
        let first = again
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .or((again.len() != bytes.len()).then_some(again.len().min(bytes.len())))?;
        Some((decoding.encoding.name(), first))
    }
}

/// Decodes `bytes` with `encoding`, failing at the first malformed sequence (its byte offset).
pub fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3 + 16);
    let mut out = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::InputEmpty => Ok(out),
        DecoderResult::Malformed(bad, _) => Err(read.saturating_sub(usize::from(bad))),
        DecoderResult::OutputFull => Err(read),
    }
}

/// The UTF-16 byte order of text without a BOM. Text in UTF-16 has NUL bytes (ASCII such as
/// line breaks and digits, and CJK characters like 一 U+4E00), so this is tried for bytes with
/// NULs: each byte order is decoded strictly, and the one whose characters are nearly all
/// common text (ASCII, CJK, CJK punctuation, full-width forms, general punctuation) wins.
/// Binary data decodes to control characters and scattered code points in both orders.
fn sniff_utf16(bytes: &[u8]) -> Option<(&'static Encoding, String)> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let mut best: Option<(&'static Encoding, String, usize)> = None;
    for encoding in [UTF_16LE, UTF_16BE] {
        let Ok(text) = decode_strict(encoding, bytes) else {
            continue;
        };
        let Some(score) = text_score(&text) else {
            continue;
        };
        if best.as_ref().is_none_or(|b| score > b.2) {
            best = Some((encoding, text, score));
        }
    }
    best.filter(|b| b.2 >= 90).map(|(e, t, _)| (e, t))
}

/// Per cent of the first characters of `text` that are common in reports; `None` when there is
/// a control character other than white space or a noncharacter.
fn text_score(text: &str) -> Option<usize> {
    let mut common = 0usize;
    let mut total = 0usize;
    for c in text.chars().take(4096) {
        total += 1;
        match c {
            '\t' | '\n' | '\r' | '\u{c}' => common += 1,
            '\u{fffe}' | '\u{ffff}' => return None,
            c if c.is_control() => return None,
            ' '..='~'
            | '\u{a0}'..='\u{ff}'
            | '\u{2000}'..='\u{206f}'
            | '\u{3000}'..='\u{303f}'
            | '\u{4e00}'..='\u{9fff}'
            | '\u{ff00}'..='\u{ffef}' => common += 1,
            _ => {}
        }
    }
    (total > 0).then(|| common * 100 / total)
}

/// What decoding found.
pub enum Decoded {
    Text(String, Decoding),
    /// NUL bytes in text that is not UTF-16: a binary file, skipped.
    Binary,
}

/// Decodes bytes as described in the module documentation.
pub fn decode_bytes(
    bytes: &[u8],
    forced: Option<&'static Encoding>,
) -> Result<Decoded, SourceError> {
    let line_of = |offset: usize| {
        bytes[..offset.min(bytes.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    };
    let (bom_encoding, bom_len) = match Encoding::for_bom(bytes) {
        Some((e, n)) => (Some(e), n),
        None => (None, 0),
    };
    let encoding = match (forced, bom_encoding) {
        (Some(f), _) => Some(f),
        (None, Some(b)) => Some(b),
        (None, None) => None,
    };
    if let Some(encoding) = encoding {
        let body = if bom_encoding == Some(encoding) {
            &bytes[bom_len..]
        } else {
            bytes
        };
        return match decode_strict(encoding, body) {
            Ok(text) => Ok(Decoded::Text(
                text,
                Decoding {
                    encoding,
                    bom: bom_encoding == Some(encoding),
                },
            )),
            Err(at) => Err(SourceError::Undecodable {
                encoding: encoding.name(),
                offset: at + (bytes.len() - body.len()),
                line: line_of(at + (bytes.len() - body.len())),
            }),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.as_bytes()[..text.len().min(super::BINARY_PROBE)].contains(&0) => {
            return Ok(Decoded::Text(text.to_owned(), Decoding::default()));
        }
        Ok(_) => {}
        Err(err) => {
            let bad = err.valid_up_to();
            if let Some(decoded) = try_utf16(bytes) {
                return Ok(decoded);
            }
            if bytes[..bytes.len().min(super::BINARY_PROBE)].contains(&0) {
                return Ok(Decoded::Binary);
            }
            // Big5 byte pairs are nearly all valid GB18030 too, so the choice between the two
            // is a statistical guess (chardetng); the other is tried if the guess does not decode.
            let order = if guess_big5(bytes) {
                [BIG5, GB18030]
            } else {
                [GB18030, BIG5]
            };
            for encoding in order {
                if let Ok(text) = decode_strict(encoding, bytes) {
                    return Ok(Decoded::Text(
                        text,
                        Decoding {
                            encoding,
                            bom: false,
                        },
                    ));
                }
            }
            return Err(SourceError::InvalidUtf8 {
                offset: bad,
                line: line_of(bad),
            });
        }
    }
    // Valid UTF-8 with NUL bytes: UTF-16 of plain ASCII, or binary.
    Ok(try_utf16(bytes).unwrap_or(Decoded::Binary))
}

/// True when chardetng judges legacy Chinese bytes to be Big5 (traditional) rather than GBK.
fn guess_big5(bytes: &[u8]) -> bool {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(
        &bytes[..bytes.len().min(64 * 1024)],
        bytes.len() <= 64 * 1024,
    );
    detector.guess(None, chardetng::Utf8Detection::Deny) == BIG5
}

/// Text that looks and decodes like UTF-16 without a byte order mark.
fn try_utf16(bytes: &[u8]) -> Option<Decoded> {
    let (encoding, text) = sniff_utf16(bytes)?;
    Some(Decoded::Text(
        text,
        Decoding {
            encoding,
            bom: false,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> (String, Option<&'static str>) {
        match decode_bytes(bytes, None) {
            Ok(Decoded::Text(t, d)) => (t, d.reported_name()),
            Ok(Decoded::Binary) => ("<binary>".to_owned(), None),
            Err(e) => (format!("<error: {e}>"), None),
        }
    }

    #[test]
    fn utf16_of_mostly_chinese_text_is_found_without_a_bom() {
        let original =
            "关于二〇二〇年法治政府建设工作情况的报告\n全区办理行政复议案件一百八十二件。\n";
        for little in [true, false] {
            let bytes: Vec<u8> = original
                .encode_utf16()
                .flat_map(|u| {
                    if little {
                        u.to_le_bytes()
                    } else {
                        u.to_be_bytes()
                    }
                })
                .collect();
            assert_eq!(text(&bytes).0, original);
        }
        // NUL bytes on both sides, or control characters once decoded: binary.
        assert_eq!(text(b"\x00\x01\x02\x00ab").0, "<binary>");
        assert_eq!(text(b"\x01\x00\x02\x00\x03\x00").0, "<binary>");
    }

    #[test]
    fn big5_is_told_from_gbk() {
        let traditional = "政府資訊公開年度報告：本年度受理申請三百零一件，較上年增長百分之五，辦結率達到百分之九十八。";
        let (big5, _, _) = BIG5.encode(traditional);
        assert_eq!(text(&big5), (traditional.to_owned(), Some("Big5")));
        let simplified = "政府信息公开年度报告：本年度受理申请三百零一件，较上年增长百分之五，办结率达到百分之九十八。";
        let (gbk, _, _) = GB18030.encode(simplified);
        assert_eq!(text(&gbk), (simplified.to_owned(), Some("gb18030")));
    }

    #[test]
    fn gb18030_and_utf16_decode_and_round_trip() {
        let original = "开发区于20179月底挂牌，增长5%。\r\n第二行";
        let (gb, _, _) = GB18030.encode(original);
        assert_eq!(text(&gb), (original.to_owned(), Some("gb18030")));
        let mut le = vec![0xFF, 0xFE];
        le.extend(original.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(text(&le), (original.to_owned(), Some("UTF-16LE")));
        let be: Vec<u8> = original.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(text(&be), (original.to_owned(), Some("UTF-16BE")));
        for d in [
            Decoding {
                encoding: GB18030,
                bom: false,
            },
            Decoding {
                encoding: UTF_16LE,
                bom: true,
            },
            Decoding {
                encoding: UTF_16BE,
                bom: false,
            },
            Decoding {
                encoding: UTF_8,
                bom: true,
            },
        ] {
            let bytes = d.encode(original);
            match decode_bytes(&bytes, None) {
                Ok(Decoded::Text(t, got)) => {
                    assert_eq!(t, original);
                    assert_eq!(got, d);
                }
                _ => panic!("{d:?} does not round-trip"),
            }
        }
    }

    #[test]
    fn binary_and_undecodable_bytes_are_told_apart() {
        assert_eq!(text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").0, "<binary>");
        let (t, _) = text(b"caf\xe9 au lait\n");
        assert!(t.contains("invalid UTF-8 at byte offset 3"), "{t}");
        assert!(matches!(
            decode_bytes(b"\xff\xfe\x00\xd8", None),
            Err(SourceError::Undecodable {
                encoding: "UTF-16LE",
                ..
            })
        ));
    }

    #[test]
    fn a_forced_encoding_is_used() {
        let (gb, _, _) = GB18030.encode("增长");
        assert!(matches!(
            decode_bytes(&gb, Some(UTF_8)),
            Err(SourceError::Undecodable {
                encoding: "UTF-8",
                offset: 0,
                ..
            })
        ));
        assert!(matches!(decode_bytes(&gb, Some(GB18030)), Ok(Decoded::Text(t, _)) if t == "增长"));
    }
}
