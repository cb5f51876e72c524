//! Test inputs made by code: .docx files and ZIP archives (the writer the unit tests use).

#![allow(dead_code)]

#[path = "../../src/source/docx_writer.rs"]
mod writer;

pub use writer::{docx, zip};

/// A .docx whose document inflates to 16 MiB of zeros from about 16 KiB: refused by the ratio guard.
pub fn zip_bomb() -> Vec<u8> {
    let zeros = vec![0u8; 16 << 20];
    zip(&[("word/document.xml", &zeros, true)])
}
