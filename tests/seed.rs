//! The seed report from the mission (`../shared/reference/seed-jiangdu-2020-fazhi.txt`): its labelled
//! defects of the foundation's rule kinds are found at their exact positions and its traps stay
//! silent. The file is not part of the project (a user's clone has no `../shared`), so the test is
//! ignored by default and `.ci/run` runs it with `cargo test -- --ignored`; CI has `../shared`.

use std::path::Path;

use tally::engine::load_rules;
use tally::source::{load_bytes, Loaded};

#[test]
#[ignore = "needs ../shared (run from .ci/run with --include-ignored)"]
fn seed_labelled_defects_and_traps() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/seed-jiangdu-2020-fazhi.txt");
    let bytes =
        std::fs::read(&path).unwrap_or_else(|err| panic!("seed report {}: {err}", path.display()));
    let Ok(Loaded::Text(doc)) = load_bytes("seed.txt", &bytes) else {
        panic!("the seed is UTF-8 text");
    };
    let rules = load_rules(false, &[]).expect("built-in rules compile");
    let findings = tally::engine::check(&doc, &rules);
    let got: Vec<(String, usize, usize, String)> = findings
        .iter()
        .map(|f| {
            let pos = doc.position(f.span.start);
            (
                rules[f.rule].id.clone(),
                pos.line,
                pos.column,
                doc.text[f.span.clone()].to_owned(),
            )
        })
        .collect();
    let expected = [
        ("field/empty-recommended", 2, 23, "文件编号:"),
        ("field/empty-required", 3, 34, "发布机构:"),
        ("field/empty-required", 4, 1, "生成日期:"),
        ("field/empty-recommended", 5, 1, "时效:"),
        ("style/range-hyphen", 13, 87, "2015-2020年"),
        ("date/lost-separators", 23, 193, "20179月"),
        ("style/jiezhi", 23, 214, "截止目前"),
        ("date/lost-separators", 23, 409, "2020429日"),
        ("punct/missing-break-after-value", 31, 274, "100%"),
        ("punct/missing-break-after-value", 35, 340, "100%"),
        ("number/numeral-form", 35, 382, "5年来"),
        ("repeat/doubled-char", 35, 385, "对对"),
        ("number/glued-values", 35, 956, "79.07%79.03%"),
        ("punct/unterminated-paragraph", 35, 967, "%"),
        ("ratio/impossible-rate", 39, 57, "12.93%"),
        ("punct/unbalanced-pair", 43, 223, "”"),
        ("punct/unbalanced-pair", 43, 238, "”"),
        ("punct/unbalanced-pair", 43, 248, "”"),
        ("punct/unbalanced-pair", 43, 255, "“"),
        ("style/range-hyphen", 51, 43, "2015-2020年"),
        ("number/glued-values", 53, 60, "10%9%"),
        ("style/range-hyphen", 61, 69, "2020-2025年"),
        ("style/range-hyphen", 61, 91, "2020-2025年"),
        ("date/lost-separators", 65, 1, "202117"),
    ];
    let expected: Vec<(String, usize, usize, String)> = expected
        .iter()
        .map(|(r, l, c, t)| ((*r).to_owned(), *l, *c, (*t).to_owned()))
        .collect();
    assert_eq!(got, expected, "seed findings differ from the labels");
    for trap in [
        "学习习近平",
        "紧紧围绕",
        "处处受限",
        "推行行政",
        "2021-01-18",
        "12345",
        "“3550”",
    ] {
        assert!(doc.text.contains(trap), "{trap} is in the seed");
    }
}
