//! Test inputs made by code: .docx files and ZIP archives (the writer the unit tests use).

#![allow(dead_code)]

#[path = "../../src/source/docx_writer.rs"]
mod writer;

#[allow(unused_imports)] // each test file uses some
pub use writer::{
    comments_xml, docx, docx_with_parts, footer_xml, header_xml, notes_xml, numbering_xml,
    styles_xml, zip,
};

/// A .docx whose document inflates to 16 MiB of zeros from about 16 KiB: refused by the ratio guard.
pub fn zip_bomb() -> Vec<u8> {
    let zeros = vec![0u8; 16 << 20];
    zip(&[("word/document.xml", &zeros, true)])
}
