fn main() {
    for s in std::env::args().skip(1) {
        println!("== {s}");
        for q in tally::number::extract(&s) {
            println!(
                "  {:?} {:?} value={} unit={:?} approx={:?} dec={} mult={}",
                q.span, q.text, q.value, q.unit, q.approx, q.decimals, q.multiplier
            );
        }
    }
}
