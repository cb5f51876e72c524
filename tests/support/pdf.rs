//! Minimal PDF files written by hand for the tests: pages of ASCII text in Helvetica (a standard
//! Type 1 font every reader has, so no font is embedded), blank pages (no content stream) and
//! image-only pages (a scanned page: one grey image XObject, no text). CJK text would need an
//! embedded font and a ToUnicode map; ASCII is enough to test locations.

/// One page of a test PDF.
pub enum Page<'a> {
    /// Lines of ASCII text, top to bottom (no `(`, `)` or `\`: they are not escaped).
    Text(&'a [&'a str]),
    /// A page with no content stream.
    Blank,
    /// A page that draws one image and no text, as a scanner writes it.
    Image,
}

/// The bytes of a PDF with `pages`, with a correct cross-reference table.
pub fn pdf(pages: &[Page<'_>]) -> Vec<u8> {
    // Objects 1 (catalog), 2 (page tree), 3 (font), 4 (image); pages and contents follow.
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        Vec::new(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        stream(
            "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8",
            &[0x40, 0x80, 0xC0, 0xFF],
        ),
    ];
    let mut kids = Vec::new();
    for page in pages {
        let number = objects.len() + 1;
        kids.push(format!("{number} 0 R"));
        let content = match page {
            Page::Blank => None,
            Page::Image => Some("q 500 0 0 700 50 50 cm /Im1 Do Q".to_owned()),
            Page::Text(lines) => {
                let mut ops = String::from("BT /F1 12 Tf 14 TL 72 720 Td\n");
                for line in *lines {
                    assert!(line.is_ascii() && !line.contains(['(', ')', '\\']));
                    ops.push_str(&format!("({line}) Tj T*\n"));
                }
                ops.push_str("ET");
                Some(ops)
            }
        };
        let mut dict = String::from("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]");
        if let Some(ops) = content {
            dict.push_str(&format!(
                " /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> /Contents {} 0 R",
                number + 1
            ));
            objects.push(format!("{dict} >>").into_bytes());
            objects.push(stream("", ops.as_bytes()));
        } else {
            objects.push(format!("{dict} >>").into_bytes());
        }
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    )
    .into_bytes();
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// True when poppler's `pdftotext` runs. Without it a test that needs it is skipped with a note,
/// except in CI (`CI` set), where it fails: .ci/run installs poppler-utils.
pub fn have_pdftotext() -> bool {
    let ok = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "CI is set but pdftotext is not on PATH: .ci/run installs poppler-utils; PDF tests must not be skipped in CI"
    );
    if !ok {
        eprintln!("pdftotext not found (poppler-utils): PDF test skipped");
    }
    ok
}
