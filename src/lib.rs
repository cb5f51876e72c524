//! tally — a fast, declarative consistency linter for report text.
//!
//! Pipeline: command line → rules (TOML, compiled once) → inputs (discovered, sorted) →
//! documents (decoded, indexed) → engine (rules in parallel across documents) → reporters
//! (streamed in input order).
//!
//! Exit codes (a public contract):
//! - 0: no finding at or above `--fail-on`;
//! - 1: some finding at or above `--fail-on` (or a failing rule example in `tally test`);
//! - 2: usage, config or rule error, or a document that could not be read (the others are still
//!   checked and reported).
#![cfg_attr(not(test), warn(clippy::unwrap_used))]
#![warn(clippy::dbg_macro)]

pub mod baseline;
mod check;
pub mod cli;
mod commands;
pub mod docs;
pub mod engine;
pub mod fix;
pub mod harness;
pub mod number;
pub mod report;
pub mod rules;
pub mod settings;
pub mod source;
mod startup;
pub mod statement;
pub mod suppress;
pub mod walk;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, config, rule or document error.
pub const EXIT_ERROR: u8 = 2;

/// Runs the command line and returns the exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            });
        }
    };
    let code = match cli.command {
        cli::Command::Check(args) => commands::check(&args),
        cli::Command::Rules(args) => commands::list_rules(&args),
        cli::Command::Explain { id, rules } => commands::explain(&id, &rules),
        cli::Command::Test {
            paths,
            no_default_rules,
            lexicon,
        } => commands::test(&paths, no_default_rules, &lexicon),
        cli::Command::Config { config } => commands::show_config(&config),
        cli::Command::Completions { shell } => commands::completions(shell),
        cli::Command::Man { subcommand } => commands::man(subcommand.as_deref()),
        cli::Command::Extract {
            paths,
            encoding,
            tables,
        } => commands::extract(&paths, encoding.as_deref(), tables),
    };
    ExitCode::from(code)
}
