//! What every subcommand does before its own work: find and load the configuration, read the
//! `--encoding` option, and print configuration or rule-file errors. A leaf of the command
//! layer: `commands` and `check` both use it, and it uses neither.

use std::io::{self, IsTerminal};

use crate::cli::ConfigArgs;
use crate::report::human::{render_issues, render_rule_issues};
use crate::rules::RuleIssue;
use crate::EXIT_ERROR;

/// True when diagnostics on stderr may use colour.
pub fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && io::stderr().is_terminal()
}

/// Prints rule-file or configuration issues to stderr and gives the exit code for them.
pub fn report_issues(issues: &[RuleIssue]) -> u8 {
    eprint!("{}", render_rule_issues(issues, stderr_color()));
    EXIT_ERROR
}

/// Prints configuration issues to stderr and gives the exit code for them.
pub fn report_config_issues(issues: &[RuleIssue]) -> u8 {
    eprint!(
        "{}",
        render_issues(issues, stderr_color(), "the configuration")
    );
    EXIT_ERROR
}

/// Finds and loads the configuration: `--config`, else the nearest file, unless `--isolated`.
pub fn load_config(args: &ConfigArgs) -> Result<crate::settings::Config, u8> {
    if args.isolated {
        return Ok(crate::settings::Config::default());
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    match crate::settings::discover(&cwd, args.config.as_deref()) {
        Some(path) => crate::settings::load(&path).map_err(|issues| report_config_issues(&issues)),
        None => Ok(crate::settings::Config::default()),
    }
}

/// The encoding `--encoding` names; an unknown name is reported on stderr.
pub fn parse_encoding(label: Option<&str>) -> Result<Option<&'static encoding_rs::Encoding>, ()> {
    let Some(label) = label else {
        return Ok(None);
    };
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(e) => Ok(Some(e)),
        None => {
            eprintln!("error: --encoding {label}: unknown encoding (try utf-8, gb18030, gbk, big5, utf-16le, utf-16be)");
            Err(())
        }
    }
}
