//! Times the number grammar, the lexicon scan and the whole statement reading over one text file
//! (a profiling aid, not a test).
//!
//!     cargo run --release --example statement_cost -- report.txt
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("file");
    let text = std::fs::read_to_string(path).expect("read");
    let doc = tally::source::Document::new("x", text.clone());
    let units: Vec<_> = doc
        .blocks
        .units(tally::source::Scope::Statement, &doc.text)
        .to_vec();
    let lexicon = tally::statement::Lexicon::builtin();
    let t = Instant::now();
    let mut n = 0;
    for u in &units {
        n += tally::number::extract(&text[u.clone()]).len();
    }
    println!(
        "extract: {:?} ({n} quantities, {} units)",
        t.elapsed(),
        units.len()
    );
    let t = Instant::now();
    let mut m = 0;
    for u in &units {
        m += lexicon.find_iter(&text[u.clone()]).count();
    }
    println!("lexicon: {:?} ({m})", t.elapsed());
    let t = Instant::now();
    let mut k = 0;
    for u in &units {
        k += tally::statement::read(&text, u.clone(), lexicon)
            .tokens
            .len();
    }
    println!("read: {:?} ({k} tokens)", t.elapsed());
}
