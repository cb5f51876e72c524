//! PDF: text through poppler's `pdftotext -layout` (no PDF parser in tally). Pages end with a
//! form feed in its output; the form feeds are removed and the offset where each page starts is
//! kept, so findings can name their page.

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
    Ok(split_pages(&raw))
}

/// Removes the form feeds that end pages, keeping where each page starts.
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
    fn text_without_form_feeds_is_one_page() {
        assert_eq!(split_pages("a\nb\n"), ("a\nb\n".to_owned(), vec![0]));
    }
}
