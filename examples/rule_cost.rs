//! Times each built-in rule alone over the documents of a folder (a profiling aid, not a test).
//!
//!     cargo run --release --example rule_cost -- ../shared/corpus-real
use std::time::Instant;

use tally::engine::load_rules;
use tally::source::Document;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "corpus".into());
    let mut docs = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                stack.push(e.path());
            }
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            docs.push(Document::new(p.display().to_string(), text));
        }
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let rules = match load_rules(false, &[]) {
        Ok(r) => r,
        Err(_) => return,
    };
    let mut costs = Vec::new();
    for id in rules.ids() {
        let rule = &rules[id];
        let start = Instant::now();
        let mut n = 0;
        for doc in &docs {
            n += tally::engine::check_rule(doc, &rules, id).len();
        }
        costs.push((start.elapsed().as_secs_f64(), rule.id.clone(), n));
    }
    costs.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("{} documents, {:.1} MB", docs.len(), bytes as f64 / 1e6);
    for (secs, id, n) in costs {
        println!(
            "{:8.1} MB/s  {secs:6.3} s  {n:5}  {id}",
            bytes as f64 / 1e6 / secs
        );
    }
}
