//! The whole pipeline: bytes loaded as text, Markdown, HTML or .docx (by the first byte), every
//! built-in rule, the suppression pass, fixes and every output format. Every finding's span
//! must lie inside the text and on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let name = match kind % 4 {
        0 => "fuzz.txt",
        1 => "fuzz.md",
        2 => "fuzz.html",
        _ => "fuzz.docx",
    };
    if let Some(doc) = tally_fuzz::load(name, rest) {
        tally_fuzz::check_and_render(&doc);
    }
});
