//! Bytes → text. A byte order mark decides (UTF-8, UTF-16LE/BE); otherwise valid UTF-8 is taken
//! as is; otherwise UTF-16 without a BOM is recognised by its NUL bytes; otherwise GB18030 (a
//! superset of GBK and GB2312, the encodings of older Chinese government files) is tried. Decoding
//! never replaces bytes: text that is valid in none of them is an error naming the byte offset.
//! `--encoding` forces one encoding.

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

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

/// The UTF-16 byte order of text without a BOM, judged by where its NUL bytes fall: ASCII and
/// CJK punctuation put a NUL in every other byte of UTF-16 and almost nowhere in other text.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(8192) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd * 10 >= pairs * 3 && even * 20 < pairs {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 3 && odd * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
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
            return match decode_strict(GB18030, bytes) {
                Ok(text) => Ok(Decoded::Text(
                    text,
                    Decoding {
                        encoding: GB18030,
                        bom: false,
                    },
                )),
                Err(_) => Err(SourceError::InvalidUtf8 {
                    offset: bad,
                    line: line_of(bad),
                }),
            };
        }
    }
    // Valid UTF-8 with NUL bytes: UTF-16 of plain ASCII, or binary.
    Ok(try_utf16(bytes).unwrap_or(Decoded::Binary))
}

/// Text that looks and decodes like UTF-16 without a byte order mark.
fn try_utf16(bytes: &[u8]) -> Option<Decoded> {
    let encoding = sniff_utf16(bytes)?;
    let text = decode_strict(encoding, bytes).ok()?;
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
