//! Markdown: code is not prose. Fenced code blocks (```` ``` ```` or `~~~`) and inline code spans
//! are blanked out with spaces of the same byte length, so every offset of the checked text is
//! the same offset of the file and positions need no map. Front matter stays: its `key: value`
//! lines are what `field` rules read.

/// The text with code blanked out, or `None` when there is no code.
pub fn mask_code(text: &str) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let mut changed = false;
    let mut fence: Option<(u8, usize)> = None;
    let mut start = 0;
    // Inline spans are looked for per paragraph (they never cross a blank line).
    let mut paragraph: Option<usize> = None;
    while start < text.len() {
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        let opening = fence_of(line);
        match fence {
            Some((marker, len)) => {
                blank(&mut bytes[start..end]);
                changed = true;
                if let Some((m, l, rest)) = opening {
                    if m == marker && l >= len && rest.trim().is_empty() {
                        fence = None;
                    }
                }
            }
            None => {
                if let Some((marker, len, info)) = opening {
                    // A backtick fence's info string may not contain backticks.
                    if marker == b'~' || !info.contains('`') {
                        if let Some(p) = paragraph.take() {
                            mask_spans(text, p..start, &mut bytes);
                        }
                        blank(&mut bytes[start..end]);
                        changed = true;
                        fence = Some((marker, len));
                        start = end + 1;
                        continue;
                    }
                }
                if line.trim().is_empty() {
                    if let Some(p) = paragraph.take() {
                        changed |= mask_spans(text, p..start, &mut bytes);
                    }
                } else if paragraph.is_none() {
                    paragraph = Some(start);
                }
            }
        }
        start = end + 1;
    }
    if let Some(p) = paragraph {
        changed |= mask_spans(text, p..text.len(), &mut bytes);
    }
    if !changed {
        return None;
    }
    // Only whole characters were replaced by ASCII spaces, so the bytes are still UTF-8.
    String::from_utf8(bytes).ok()
}

/// The marker, length and info string of a fence line (up to three spaces of indentation).
fn fence_of(line: &str) -> Option<(u8, usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let marker = *trimmed.as_bytes().first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = trimmed.bytes().take_while(|&b| b == marker).count();
    (len >= 3).then(|| (marker, len, &trimmed[len..]))
}

/// Replaces every byte but line breaks with a space.
fn blank(bytes: &mut [u8]) {
    for b in bytes {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

/// Blanks the inline code spans of one paragraph: a run of N backticks up to the next run of
/// exactly N. A run without its closing partner is literal text.
fn mask_spans(text: &str, range: std::ops::Range<usize>, bytes: &mut [u8]) -> bool {
    let src = text.as_bytes();
    let mut changed = false;
    let mut i = range.start;
    while let Some(found) = memchr::memchr(b'`', &src[i..range.end]) {
        let open = i + found;
        // A backslash-escaped backtick opens nothing.
        if open > range.start && src[open - 1] == b'\\' {
            i = open + 1;
            continue;
        }
        let len = src[open..range.end]
            .iter()
            .take_while(|&&b| b == b'`')
            .count();
        let mut j = open + len;
        let mut close = None;
        while let Some(f) = memchr::memchr(b'`', &src[j..range.end]) {
            let at = j + f;
            let run = src[at..range.end]
                .iter()
                .take_while(|&&b| b == b'`')
                .count();
            if run == len {
                close = Some(at + run);
                break;
            }
            j = at + run;
        }
        match close {
            Some(end) => {
                blank(&mut bytes[open..end]);
                changed = true;
                i = end;
            }
            None => i = open + len,
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_blocks_are_blanked_keeping_offsets() {
        let text = "正文一。\n\n```toml\n增长6.1%%\n```\n\n正文二。\n";
        let masked = mask_code(text).unwrap();
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("%%"));
        assert!(!masked.contains("```"));
        assert_eq!(masked.find("正文二"), text.find("正文二"));
        assert_eq!(masked.lines().count(), text.lines().count());
    }

    #[test]
    fn tilde_fences_and_longer_closing_fences() {
        let masked = mask_code("~~~~\n对对\n~~~~~\n对对\n").unwrap();
        assert_eq!(masked.matches("对对").count(), 1);
    }

    #[test]
    fn an_unclosed_fence_runs_to_the_end() {
        let masked = mask_code("前\n```\n对对\n").unwrap();
        assert!(!masked.contains("对对"));
        assert!(masked.starts_with("前\n"));
    }

    #[test]
    fn inline_code_spans_are_blanked() {
        let text = "用 `tally check` 和 ``a ` b`` 检查，`未闭合\n";
        let masked = mask_code(text).unwrap();
        assert!(!masked.contains("tally"));
        assert!(!masked.contains("a ` b"));
        assert!(masked.contains("`未闭合"));
        assert_eq!(masked.len(), text.len());
    }

    #[test]
    fn inline_spans_do_not_cross_blank_lines() {
        assert_eq!(mask_code("a `b\n\nc` d\n"), None);
    }

    #[test]
    fn indented_text_is_not_code() {
        // Chinese reports indent paragraphs; four spaces do not make a code block here.
        assert_eq!(mask_code("    对对\n"), None);
    }
}
