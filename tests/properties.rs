//! Property tests: arbitrary bytes and text never make the loader or the engine panic, and every
//! finding lies inside the text on character boundaries.

use proptest::prelude::*;
use tally::engine::{load_rules, RuleSet};
use tally::source::{load_bytes, Loaded};

fn rules() -> &'static RuleSet {
    use std::sync::OnceLock;
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| load_rules(false, &[]).expect("built-in rules compile"))
}

/// Text made of the characters the rules care about, so that the engine is exercised.
fn report_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "对",
        "的",
        "了",
        "“",
        "”",
        "《",
        "》",
        "（",
        "）",
        "(",
        ")",
        "‘",
        "’",
        "%",
        "％",
        "1",
        "2",
        "0",
        ",",
        "，",
        "。",
        "\n",
        "\r\n",
        " ",
        "\u{a0}",
        "发布机构",
        "生成日期",
        ":",
        "：",
        "截止",
        "年",
        "-",
        "the",
        "万元",
        "件",
        "学习",
        "习近平",
        "a",
        "é",
        "😀",
        "\u{3000}",
    ]);
    prop::collection::vec(pieces, 0..80).prop_map(|v| v.concat())
}

fn assert_sound(text: &str) {
    let Ok(Loaded::Text(doc)) = load_bytes("prop.txt", text.as_bytes()) else {
        return;
    };
    for f in tally::engine::check(&doc, rules()) {
        assert!(f.span.start <= f.span.end && f.span.end <= doc.text.len());
        assert!(doc.text.is_char_boundary(f.span.start) && doc.text.is_char_boundary(f.span.end));
        let pos = doc.position(f.span.start);
        assert!(pos.line >= 1 && pos.column >= 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        match load_bytes("prop.bin", &bytes) {
            Ok(Loaded::Text(doc)) => {
                let _ = tally::engine::check(&doc, rules());
            }
            Ok(Loaded::Binary) => prop_assert!(bytes.contains(&0)),
            Err(err) => prop_assert!(!err.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        assert_sound(&text);
    }

    #[test]
    fn report_like_text_gives_sound_findings(text in report_text()) {
        assert_sound(&text);
    }
}
