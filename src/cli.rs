//! Command-line interface (clap derive). Flags, exit codes and formats are public contracts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

/// tally — a fast, declarative consistency linter for reports.
///
/// Exit codes: 0 no finding at or above --fail-on; 1 some; 2 usage, config or rule error,
/// or a document that could not be read (the others are still checked).
#[derive(Debug, Parser)]
#[command(name = "tally", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check documents (files, folders, or `-` for stdin).
    Check(Box<CheckArgs>),
    /// List every rule: id, kind, severity and summary.
    Rules(RuleArgs),
    /// Print a rule's description, message, parameters and examples.
    Explain {
        /// The rule id, e.g. `repeat/doubled-char`.
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Print the resolved configuration and the file it came from.
    Config {
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Print the text tally checks in each file (what HTML, .docx, PDF and Markdown become).
    Extract {
        /// Files to extract (`-` for stdin, read as text).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Decode every file with this encoding instead of detecting it.
        #[arg(long, value_name = "NAME")]
        encoding: Option<String>,
        /// Print the tables found instead of the text, one row per line, cells between `|`.
        #[arg(long)]
        tables: bool,
    },
    /// Print a shell completion script, e.g. `tally completions bash > ~/.local/share/bash-completion/completions/tally`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff), e.g. `tally man > tally.1` or `tally man check > tally-check.1`.
    Man {
        /// A subcommand whose page to print instead of tally's.
        subcommand: Option<String>,
    },
    /// Run the embedded examples of every rule (built-in and given rule files).
    Test {
        /// Extra rule files or folders to test (in addition to the built-in packs).
        paths: Vec<PathBuf>,
        /// Do not load the built-in rule packs.
        #[arg(long)]
        no_default_rules: bool,
        /// Add the cue words of a lexicon file to the built-in lexicon (repeatable).
        #[arg(long = "lexicon", value_name = "PATH")]
        lexicon: Vec<PathBuf>,
    },
}

/// Where the configuration comes from.
#[derive(Debug, Args, Clone, Default)]
pub struct ConfigArgs {
    /// Use this configuration file instead of the nearest tally.toml / .tally.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
}

/// Where rules come from.
#[derive(Debug, Args, Clone, Default)]
pub struct RuleArgs {
    /// Add a rule file or a folder of rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rule packs.
    #[arg(long)]
    pub no_default_rules: bool,
    /// Add the cue words of a lexicon file to the built-in `rules/lexicon.toml` (repeatable):
    /// `[cues] part = ["内有"]` makes every relation rule that names `<part>` see the word.
    #[arg(long = "lexicon", value_name = "PATH")]
    pub lexicon: Vec<PathBuf>,
}

/// The minimum severity that makes `check` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

/// Arguments of `tally check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to check; `-` reads standard input. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Name used for standard input in reports.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Add (`*.html`) or exclude (`!draft/**`) file globs when walking folders; default `*.txt`, `*.md`.
    #[arg(long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,
    /// Also check hidden files and folders when walking folders (names starting with `.`).
    #[arg(long)]
    pub hidden: bool,
    /// Do not honour `.gitignore`, `.ignore` and `.git/info/exclude` when walking folders.
    #[arg(long)]
    pub no_ignore: bool,
    /// List the files that would be checked, one per line, and exit without checking them.
    #[arg(long)]
    pub show_files: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Only run rules whose id starts with PREFIX (repeatable), e.g. `ratio/`.
    #[arg(long, value_name = "PREFIX")]
    pub select: Vec<String>,
    /// Skip rules whose id starts with PREFIX (repeatable), e.g. `repeat/`.
    #[arg(long, value_name = "PREFIX")]
    pub ignore: Vec<String>,
    /// Exit with 1 when a finding of this severity or above is reported (default: warning).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the findings of this run in a baseline file (and report them as usual).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report `<!-- tally-ignore -->` comments that suppress nothing.
    #[arg(long)]
    pub report_unused_ignores: bool,
    /// Read the paths to check from FILE, one per line (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// Check only shard I of N (1-based): a stable 1/N of the inputs, by a hash of the path.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// After the findings, print counts per category and rule and the files with most findings.
    #[arg(long)]
    pub summary: bool,
    /// After the run, print to stderr the time spent per stage (decode, prefilter, statement
    /// model, rules, report), per rule kind and for the slowest rules.
    #[arg(long)]
    pub timings: bool,
    /// Write the report to FILE instead of standard output (created or replaced; no colour).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Exit with 0 even when findings are reported (errors reading inputs or rules still give 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Decode every file with this encoding (utf-8, gb18030, gbk, big5, utf-16le, utf-16be …)
    /// instead of detecting it.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Apply safe fixes in place (atomically); report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, also apply fixes that are plausible but not certain.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing (exit 1 when there is any).
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// Colour in human output: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// Colour policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
