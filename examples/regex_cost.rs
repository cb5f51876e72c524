//! Times every regex of one rule over a folder (a profiling aid, not a test).
//!
//!     cargo run --release --example regex_cost -- RULE_ID DIR
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let id = args.next().unwrap_or_default();
    let dir = args.next().unwrap_or_else(|| "corpus".into());
    let mut text = String::new();
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if let Ok(t) = std::fs::read_to_string(e.path()) {
            text.push_str(&t);
        }
    }
    let Ok(rules) = tally::engine::load_rules(false, &[]) else {
        return;
    };
    let Some(rule) = rules.get(&id) else { return };
    let Some(regexes) = rule.kind.prefilter() else {
        return;
    };
    for re in regexes {
        let start = Instant::now();
        let n = re.find_iter(&text).count();
        let find = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let m = re.captures_iter(&text).count();
        let caps = start.elapsed().as_secs_f64();
        let lits = tally::engine::kinds::required_literals(re.as_str());
        println!("literals {lits:?}");
        println!(
            "find {:7.1} MB/s  captures {:7.1} MB/s  {n}/{m} matches  {}",
            text.len() as f64 / 1e6 / find,
            text.len() as f64 / 1e6 / caps,
            re.as_str().chars().take(40).collect::<String>()
        );
    }
}
