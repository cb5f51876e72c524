//! Rewrites the generated, checked-in files: `docs/rules/**/*.md` and `schemas/*.json`
//! (`tests/generated.rs` fails when they are stale).
//!
//! ```sh
//! cargo run --example generate_docs
//! ```

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let files = match tally::docs::generate() {
        Ok(files) => files,
        Err(issues) => {
            for issue in issues {
                eprintln!("error: {issue}");
            }
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match tally::docs::write(root, &files) {
        Ok(changed) => {
            for path in &changed {
                println!("updated {path}");
            }
            println!("{} generated files, {} updated", files.len(), changed.len());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: cannot write the generated files: {err}");
            ExitCode::from(2)
        }
    }
}
