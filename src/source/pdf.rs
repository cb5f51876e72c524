//! PDF: text through poppler's `pdftotext -layout` (no PDF parser in tally). Pages end with a
//! form feed in its output; the form feeds are removed and the offset where each page starts is
//! kept, so findings can name their page and their line on it. A PDF whose text is empty or only
//! white space has no text layer (a scanned PDF): that is an error, never a document with
//! nothing to report.

use std::path::Path;
use std::process::Command;

use super::SourceError;

/// The program run to extract text.
const PDFTOTEXT: &str = "pdftotext";

/// Extracts the text of a PDF and the text offset where each page starts.
pub fn extract(path: &Path) -> Result<(String, Vec<usize>), SourceError> {
    let output = Command::new(PDFTOTEXT)
        .arg("-layout")
        .arg("-enc")
        .arg("UTF-8")
        .arg(path)
        .arg("-")
        .output()
        .map_err(|err| {
            if err.kind() == std::io::ErrorKind::NotFound {
                SourceError::Format(
                    "cannot read PDF: `pdftotext` was not found on PATH; install poppler-utils \
                     (Debian/Ubuntu: `apt install poppler-utils`), or exclude PDFs with \
                     `--glob '!*.pdf'`"
                        .to_owned(),
                )
            } else {
                SourceError::Format(format!("cannot read PDF: running pdftotext failed: {err}"))
            }
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(SourceError::Format(format!(
            "cannot read PDF: pdftotext failed ({}): {}",
            output.status,
            reason.trim()
        )));
    }
    let raw = String::from_utf8(output.stdout).map_err(|err| {
        SourceError::Format(format!(
            "cannot read PDF: pdftotext wrote invalid UTF-8 at byte {}",
            err.utf8_error().valid_up_to()
        ))
    })?;
    parse_output(&raw)
}

/// The text and page starts of `pdftotext` output; an error when it holds no text.
pub fn parse_output(raw: &str) -> Result<(String, Vec<usize>), SourceError> {
    let (text, pages) = split_pages(raw);
    if text.trim().is_empty() {
        // Every page ends with a form feed, so their number is known unless nothing came out.
        let pages = raw.contains('\u{c}').then_some(pages.len());
        return Err(SourceError::NoTextLayer { pages });
    }
    Ok((text, pages))
}

/// Removes the form feeds that end pages, keeping where each page starts. Every page starts at
/// a line start: a page whose text does not end with a line break gets one, so that its last
/// line and the next page's first line stay two lines (and a page's lines are the text's lines).
pub fn split_pages(raw: &str) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(raw.len());
    let mut pages = vec![0];
    // The output ends with a form feed: the part after it is no page.
    let body = raw.strip_suffix('\u{c}').unwrap_or(raw);
    let mut parts = body.split('\u{c}').peekable();
    while let Some(part) = parts.next() {
        text.push_str(part);
        // A blank page still counts, so later pages keep their numbers.
        if parts.peek().is_some() {
            if !part.is_empty() && !part.ends_with('\n') {
                text.push('\n');
            }
            pages.push(text.len());
        }
    }
    (text, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_feeds_end_pages() {
        let (text, pages) = split_pages("一页\n\u{c}二页\n\u{c}三页\n\u{c}");
        assert_eq!(text, "一页\n二页\n三页\n");
        assert_eq!(pages, vec![0, 7, 14]);
    }

    #[test]
    fn blank_pages_keep_later_page_numbers() {
        let (text, pages) = split_pages("一页\n\u{c}\u{c}三页\n\u{c}");
        assert_eq!(text, "一页\n三页\n");
        assert_eq!(pages, vec![0, 7, 7]);
    }

    #[test]
    fn a_page_without_a_final_line_break_ends_its_line() {
        let (text, pages) = split_pages("one\u{c}two\u{c}");
        assert_eq!(text, "one\ntwo");
        assert_eq!(pages, vec![0, 4]);
    }

    #[test]
    fn output_of_white_space_only_is_no_text_layer() {
        assert_eq!(
            parse_output("\u{c}\u{c}"),
            Err(SourceError::NoTextLayer { pages: Some(2) })
        );
        assert_eq!(
            parse_output("  \n\u{c}\n\t\n\u{c}\u{3000}\u{c}"),
            Err(SourceError::NoTextLayer { pages: Some(3) })
        );
        assert_eq!(
            parse_output(""),
            Err(SourceError::NoTextLayer { pages: None })
        );
        // One character is text: the thin-text rule judges it, not the loader.
        assert!(parse_output("\u{c}\u{c}-\n\u{c}").is_ok());
    }

    #[test]
    fn text_without_form_feeds_is_one_page() {
        assert_eq!(split_pages("a\nb\n"), ("a\nb\n".to_owned(), vec![0]));
    }
}
