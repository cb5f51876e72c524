//! The docx loader on arbitrary bytes: no panic, and the document's text maps into its source.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tally_fuzz::load("fuzz.docx", data);
});
