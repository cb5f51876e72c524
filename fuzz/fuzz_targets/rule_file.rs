//! Rule files: any text compiles to rules or to issues whose spans lie inside the file (and
//! render), never to a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut issues = Vec::new();
    let rules = tally::engine::compile_pack("fuzz.toml", text, &mut issues);
    for issue in &issues {
        tally_fuzz::assert_span(&issue.source, &issue.span, &issue.message);
    }
    let _ = tally::report::human::render_rule_issues(&issues, false);
    if issues.is_empty() && !rules.is_empty() {
        // A rule that compiles runs: check its own examples' text with it.
        let set = tally::engine::RuleSet::new(rules);
        let doc = tally::source::Document::new("fuzz.txt", text.to_owned());
        for f in tally::engine::check(&doc, &set) {
            tally_fuzz::assert_span(&doc.text, &f.span, &set[f.rule].id);
        }
    }
});
