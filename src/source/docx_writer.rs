//! Test support: writes small but valid ZIP archives and .docx files.
//!
//! Self-contained (std and `miniz_oxide` only) so it can be copied into an integration-test
//! helper or included with `#[path]`.

#![allow(dead_code)]

/// CRC-32 (IEEE) lookup table, one byte at a time: simpler than, and independent of, the
/// reader's slicing-by-8 version.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE 802.3, as used by ZIP) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc = (crc >> 8) ^ CRC_TABLE[((crc ^ u32::from(b)) & 0xFF) as usize];
    }
    !crc
}

/// A ZIP archive of `entries` (name, content, deflate?), in order, with local headers, a
/// central directory and an end record. Sizes must stay below 4 GiB (no ZIP64).
pub fn zip(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for &(name, content, deflate) in entries {
        let (method, data) = if deflate {
            (8u16, miniz_oxide::deflate::compress_to_vec(content, 6))
        } else {
            (0u16, content.to_vec())
        };
        let crc = crc32(content);
        let offset = out.len() as u32;
        // Shared by the local header (from "version needed") and the central record.
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        common.extend_from_slice(&0x0800u16.to_le_bytes()); // flags: UTF-8 names
        common.extend_from_slice(&method.to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // time 00:00:00
        common.extend_from_slice(&0x0021u16.to_le_bytes()); // date 1980-01-01
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(content.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra field length

        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by: 2.0, MS-DOS
        central.extend_from_slice(&common);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        central.extend_from_slice(&0u16.to_le_bytes()); // disk number
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // this disk
    out.extend_from_slice(&0u16.to_le_bytes()); // disk with the central directory
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}

/// The namespace declaration of WordprocessingML, for parts written by hand.
pub const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

/// The content type and relationship type of a part, by its file name (`header2.xml`).
fn part_types(name: &str) -> Option<(String, &'static str)> {
    const KINDS: [&str; 7] = [
        "header",
        "footer",
        "footnotes",
        "endnotes",
        "comments",
        "numbering",
        "styles",
    ];
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file
        .trim_end_matches(".xml")
        .trim_end_matches(|c: char| c.is_ascii_digit());
    let kind = KINDS.into_iter().find(|k| *k == stem)?;
    let content =
        format!("application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml");
    Some((content, kind))
}

fn content_types(parts: &[(&str, &str)]) -> String {
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
        r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
        r#"<Default Extension="xml" ContentType="application/xml"/>"#,
        r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
    ));
    for (name, _) in parts {
        if let Some((content, _)) = part_types(name) {
            xml.push_str(&format!(
                r#"<Override PartName="/{name}" ContentType="{content}"/>"#
            ));
        }
    }
    xml.push_str("</Types>");
    xml
}

const RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#,
    r#"</Relationships>"#
);

/// The word/document.xml for `body_xml` (the inner XML of `<w:body>`). Declares the prefixes
/// that body content commonly uses: w, r, m, mc, v, wp, wps, a, w14.
pub fn document_xml(body_xml: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<w:document"#,
            r#" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#,
            r#" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#,
            r#" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math""#,
            r#" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#,
            r#" xmlns:v="urn:schemas-microsoft-com:vml""#,
            r#" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing""#,
            r#" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape""#,
            r#" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main""#,
            r#" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml""#,
            r#"><w:body>{}</w:body></w:document>"#
        ),
        body_xml
    )
}

/// A minimal valid .docx whose body is `body_xml` (deflated, like Word writes it).
pub fn docx(body_xml: &str) -> Vec<u8> {
    docx_from_document(&document_xml(body_xml))
}

/// A minimal valid .docx with `document` as word/document.xml, taken as is.
pub fn docx_from_document(document: &str) -> Vec<u8> {
    let types = content_types(&[]);
    zip(&[
        ("[Content_Types].xml", types.as_bytes(), true),
        ("_rels/.rels", RELS.as_bytes(), true),
        ("word/document.xml", document.as_bytes(), true),
    ])
}

/// A .docx whose body is `body_xml`, with more `parts` (name under `word/`, content), each
/// related to the main document by `word/_rels/document.xml.rels` with its file stem as the
/// relationship id (`header1.xml` is `r:id="header1"`), in the order given.
pub fn docx_with_parts(body_xml: &str, parts: &[(&str, &str)]) -> Vec<u8> {
    package(&document_xml(body_xml), parts, true)
}

/// Like [`docx_with_parts`], with no `word/_rels/document.xml.rels` when `relationships` is
/// false (parts are then found by name).
pub fn package(document: &str, parts: &[(&str, &str)], relationships: bool) -> Vec<u8> {
    let types = content_types(parts);
    let mut rels = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
    ));
    for (name, _) in parts {
        if let Some((_, rel)) = part_types(name) {
            let file = name.trim_start_matches("word/");
            let id = file.trim_end_matches(".xml");
            rels.push_str(&format!(
                r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{rel}" Target="{file}"/>"#
            ));
        }
    }
    rels.push_str("</Relationships>");
    let mut entries: Vec<(&str, &[u8], bool)> = vec![
        ("[Content_Types].xml", types.as_bytes(), true),
        ("_rels/.rels", RELS.as_bytes(), true),
        ("word/document.xml", document.as_bytes(), true),
    ];
    if relationships {
        entries.push(("word/_rels/document.xml.rels", rels.as_bytes(), true));
    }
    for (name, content) in parts {
        entries.push((name, content.as_bytes(), true));
    }
    zip(&entries)
}

/// A header part (`w:hdr`) holding `inner` (paragraphs).
pub fn header_xml(inner: &str) -> String {
    format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr {W}>{inner}</w:hdr>"#)
}

/// A footer part (`w:ftr`) holding `inner`.
pub fn footer_xml(inner: &str) -> String {
    format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr {W}>{inner}</w:ftr>"#)
}

/// A footnotes (`root` = "footnotes") or endnotes ("endnotes") part: Word's two separator notes,
/// then `notes` (id, paragraphs), each paragraph starting with the note's reference mark as
/// Word writes it.
pub fn notes_xml(root: &str, notes: &[(i32, &str)]) -> String {
    let note = root.trim_end_matches('s');
    let mark = if note == "footnote" {
        "footnoteRef"
    } else {
        "endnoteRef"
    };
    let mut xml = format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{root} {W}>"#,
            r#"<w:{note} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{note}>"#,
            r#"<w:{note} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{note}>"#
        ),
        root = root,
        note = note,
        W = W
    );
    for (id, inner) in notes {
        let inner = inner.replacen(
            "<w:p>",
            &format!(
                r#"<w:p><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:{mark}/></w:r>"#
            ),
            1,
        );
        xml.push_str(&format!(r#"<w:{note} w:id="{id}">{inner}</w:{note}>"#));
    }
    xml.push_str(&format!("</w:{root}>"));
    xml
}

/// A comments part: `comments` (id, author, paragraphs).
pub fn comments_xml(comments: &[(i32, &str, &str)]) -> String {
    let mut xml =
        format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments {W}>"#);
    for (id, author, inner) in comments {
        xml.push_str(&format!(
            r#"<w:comment w:id="{id}" w:author="{author}" w:date="2024-01-01T00:00:00Z" w:initials="X">{inner}</w:comment>"#
        ));
    }
    xml.push_str("</w:comments>");
    xml
}

/// A numbering part holding `inner` (`w:abstractNum` and `w:num` elements).
pub fn numbering_xml(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering {W}>{inner}</w:numbering>"#
    )
}

/// A styles part holding `inner` (`w:style` elements).
pub fn styles_xml(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {W}>{inner}</w:styles>"#
    )
}
