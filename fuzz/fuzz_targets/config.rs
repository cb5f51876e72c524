//! The configuration file (tally.toml): any text is a configuration or issues with spans inside
//! it, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match tally::settings::parse(std::path::Path::new("tally.toml"), text) {
        Ok(config) => {
            let _ = config.ignored_for_path("a/b.txt", "repeat/doubled-char");
        }
        Err(issues) => {
            for issue in &issues {
                tally_fuzz::assert_span(&issue.source, &issue.span, &issue.message);
            }
            let _ = tally::report::human::render_rule_issues(&issues, false);
        }
    }
});
