//! Prints the tokens the statement model reads from each argument (an aid for writing relation
//! shapes, not a test): `Q[…]` quantities (`~` approximate), `P[…]` periods, `class[…]` cues,
//! separators as written, `L[…]` labels.
//!
//!     cargo run --example statement_tokens -- "受理68214件，办结66530件，办结率98.5%。"
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
                    tally::statement::TokenKind::Marker(n) => format!("M{n}[{text}]"),
                    tally::statement::TokenKind::Label => format!("L[{text}]"),
                }
            })
            .collect();
        println!("{}", parts.join(" "));
    }
}
