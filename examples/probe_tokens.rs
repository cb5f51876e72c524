fn main() {
    let lexicon = tally::statement::Lexicon::builtin();
    for s in std::env::args().skip(1) {
        let st = tally::statement::read(&s, 0..s.len(), lexicon);
        let parts: Vec<String> = st
            .tokens
            .iter()
            .map(|t| {
                let text = st.token_text(t);
                match &t.kind {
                    tally::statement::TokenKind::Quantity(i) => {
                        let q = &st.quantities[*i];
                        format!("Q[{text}{}]", if q.is_exact() { "" } else { "~" })
                    }
                    tally::statement::TokenKind::Period { .. } => format!("P[{text}]"),
                    tally::statement::TokenKind::Cue { class, .. } => {
                        format!("{}[{text}]", lexicon.classes()[*class])
                    }
                    tally::statement::TokenKind::Sep(_) => text.to_string(),
                    tally::statement::TokenKind::Label => format!("L[{text}]"),
                }
            })
            .collect();
        println!("{}", parts.join(" "));
    }
}
