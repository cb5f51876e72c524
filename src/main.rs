//! The `tally` binary: everything lives in the library so tests can drive it in-process.
use std::process::ExitCode;

fn main() -> ExitCode {
    tally::run(std::env::args_os())
}
