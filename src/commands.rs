//! The subcommands: `check`, `rules`, `explain`, `test`.

use std::io::{self, IsTerminal, Read, Write};
use std::time::Instant;

use rayon::prelude::*;

use crate::cli::{CheckArgs, ColorChoice, FailOn, RuleArgs};
use crate::engine::{self, Finding};
use crate::fix::FixMode;
use crate::report::human::{render_rule_issues, HumanReporter};
use crate::report::{Format, JsonReporter, Reporter, Summary};
use crate::rules::{self, RuleSet, Severity};
use crate::source::{self, Document, Loaded};
use crate::walk::{self, Input};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// Documents checked in parallel before their results are written, bounding memory.
const CHUNK: usize = 256;

fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && io::stderr().is_terminal()
}

/// Loads rules or prints every rule-file issue to stderr.
fn load(args: &RuleArgs) -> Result<RuleSet, u8> {
    rules::load_rules(args.no_default_rules, &args.rules).map_err(|issues| {
        eprint!("{}", render_rule_issues(&issues, stderr_color()));
        EXIT_ERROR
    })
}

/// What happened to one input.
enum Outcome {
    /// The document, its findings, and the bytes read (kept only when fixing).
    Checked(Document, Vec<Finding>, Option<Vec<u8>>),
    Skipped,
    Failed(String, String),
}

fn process(input: &Input, stdin: Option<&[u8]>, rules: &RuleSet, keep_bytes: bool) -> Outcome {
    let path = input.display();
    let bytes = match input {
        Input::Stdin(_) => Ok(stdin.unwrap_or_default().to_vec()),
        Input::File(p) => std::fs::read(p),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(err) => return Outcome::Failed(path, format!("cannot read: {err}")),
    };
    let loaded = source::load_bytes(&path, &bytes);
    match loaded {
        Ok(Loaded::Text(doc)) => {
            // A bug in a check must cost one document, not the run.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                engine::check(&doc, rules)
            })) {
                Ok(findings) => Outcome::Checked(doc, findings, keep_bytes.then_some(bytes)),
                Err(_) => Outcome::Failed(
                    path,
                    "internal error while checking this file (please report it with the file)"
                        .to_owned(),
                ),
            }
        }
        Ok(Loaded::Binary) => Outcome::Skipped,
        Err(err) => Outcome::Failed(path, err.to_string()),
    }
}

/// `tally check`.
pub fn check(args: &CheckArgs) -> u8 {
    let started = Instant::now();
    let rules = match load(&args.rules) {
        Ok(r) => r.select(&args.select, &args.ignore),
        Err(code) => return code,
    };
    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| "<stdin>".to_owned());
    let found = walk::discover(&args.paths, &args.globs, &stdin_name);
    let stdin = if found.inputs.iter().any(|i| matches!(i, Input::Stdin(_))) {
        let mut buf = Vec::new();
        if let Err(err) = io::stdin().read_to_end(&mut buf) {
            eprintln!("error: cannot read standard input: {err}");
            return EXIT_ERROR;
        }
        Some(buf)
    } else {
        None
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
    {
        Ok(pool) => pool,
        Err(err) => {
            eprintln!("error: cannot start worker threads: {err}");
            return EXIT_ERROR;
        }
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && io::stdout().is_terminal(),
    };
    let mode = if args.unsafe_fixes {
        FixMode::Unsafe
    } else {
        FixMode::Safe
    };
    let fixing = if args.diff {
        Fixing::Diff(mode)
    } else if args.fix {
        Fixing::Write(mode)
    } else {
        Fixing::Off
    };
    let stdout = io::stdout().lock();
    let out = io::BufWriter::new(stdout);
    let result = match args.format {
        Format::Human => {
            let mut reporter =
                HumanReporter::new(out, &rules, color).diff_only(matches!(fixing, Fixing::Diff(_)));
            run_check(
                &found,
                stdin.as_deref(),
                &rules,
                &pool,
                &mut reporter,
                started,
                fixing,
            )
        }
        Format::Json => match JsonReporter::new(out, &rules) {
            Ok(mut reporter) => run_check(
                &found,
                stdin.as_deref(),
                &rules,
                &pool,
                &mut reporter,
                started,
                fixing,
            ),
            Err(err) => Err(err),
        },
    };
    let summary = match result {
        Ok(summary) => summary,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => return EXIT_CLEAN,
        Err(err) => {
            eprintln!("error: cannot write output: {err}");
            return EXIT_ERROR;
        }
    };
    if summary.fixed > 0 && fixing != Fixing::Off {
        let verb = if let Fixing::Diff(_) = fixing {
            "Would fix"
        } else {
            "Fixed"
        };
        eprintln!(
            "{verb} {} finding{} in {} file{}.",
            summary.fixed,
            if summary.fixed == 1 { "" } else { "s" },
            summary.fixed_files,
            if summary.fixed_files == 1 { "" } else { "s" }
        );
    }
    if summary.errors > 0 {
        return EXIT_ERROR;
    }
    if let Fixing::Diff(_) = fixing {
        return if summary.fixed > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        };
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    let failing: usize = [Severity::Info, Severity::Warning, Severity::Error]
        .into_iter()
        .filter(|s| *s >= threshold)
        .map(|s| summary.count(s))
        .sum();
    if failing > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// What a run does with fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fixing {
    Off,
    Write(FixMode),
    Diff(FixMode),
}

/// Applies the run's fixes to one document. Returns the findings left to report, or `None` when
/// the document is shown as a diff instead.
fn apply_fixes(
    input: &Input,
    doc: &Document,
    findings: Vec<Finding>,
    bytes: Option<&[u8]>,
    fixing: Fixing,
    summary: &mut Summary,
    reporter: &mut dyn Reporter,
) -> io::Result<Option<Vec<Finding>>> {
    let mode = match fixing {
        Fixing::Off => return Ok(Some(findings)),
        Fixing::Write(mode) | Fixing::Diff(mode) => mode,
    };
    let (fixed_text, fixed) = crate::fix::apply(&doc.text, &findings, mode);
    if let Fixing::Diff(_) = fixing {
        if !fixed.is_empty() {
            summary.fixed += fixed.len();
            summary.fixed_files += 1;
            reporter.diff(&crate::fix::unified_diff(&doc.path, &doc.text, &fixed_text))?;
        }
        return Ok(None);
    }
    // Standard input is echoed fixed (or unchanged) to stdout, as formatters do.
    if fixed.is_empty() && !matches!(input, Input::Stdin(_)) {
        return Ok(Some(findings));
    }
    let written = match input {
        Input::Stdin(_) => reporter.fixed_stdin(&fixed_text).map_err(|e| e.to_string()),
        Input::File(path) => {
            crate::fix::write_atomically(path, bytes.unwrap_or_default(), &fixed_text)
                .map_err(|e| e.to_string())
        }
    };
    match written {
        Ok(()) => {
            summary.fixed += fixed.len();
            summary.fixed_files += 1;
            Ok(Some(
                findings
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| !fixed.contains(i))
                    .map(|(_, f)| f)
                    .collect(),
            ))
        }
        Err(message) => {
            summary.errors += 1;
            reporter.error(&doc.path, &message)?;
            Ok(Some(findings))
        }
    }
}

fn run_check(
    found: &walk::Discovered,
    stdin: Option<&[u8]>,
    rules: &RuleSet,
    pool: &rayon::ThreadPool,
    reporter: &mut dyn Reporter,
    started: Instant,
    fixing: Fixing,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    for (path, message) in &found.errors {
        summary.errors += 1;
        reporter.error(path, message)?;
    }
    let keep = fixing != Fixing::Off;
    for chunk in found.inputs.chunks(CHUNK) {
        let outcomes: Vec<Outcome> = pool.install(|| {
            chunk
                .par_iter()
                .map(|input| process(input, stdin, rules, keep))
                .collect()
        });
        for (input, outcome) in chunk.iter().zip(outcomes) {
            match outcome {
                Outcome::Checked(doc, findings, bytes) => {
                    summary.files += 1;
                    let Some(findings) = apply_fixes(
                        input,
                        &doc,
                        findings,
                        bytes.as_deref(),
                        fixing,
                        &mut summary,
                        reporter,
                    )?
                    else {
                        continue;
                    };
                    summary.add(&findings, rules);
                    reporter.document(&doc, &findings)?;
                }
                Outcome::Skipped => {}
                Outcome::Failed(path, message) => {
                    summary.errors += 1;
                    reporter.error(&path, &message)?;
                }
            }
        }
    }
    summary.elapsed = started.elapsed();
    reporter.finish(&summary)?;
    Ok(summary)
}

/// `tally rules`.
pub fn list_rules(args: &RuleArgs) -> u8 {
    let rules = match load(args) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let width = rules.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = io::stdout().lock();
    for rule in &rules.rules {
        let line = format!(
            "{:width$}  {:8}  {:7}  {}\n",
            rule.id,
            rule.kind.name(),
            rule.severity.as_str(),
            rule.summary()
        );
        if out.write_all(line.as_bytes()).is_err() {
            return EXIT_CLEAN;
        }
    }
    EXIT_CLEAN
}

/// `tally explain ID`.
pub fn explain(id: &str, args: &RuleArgs) -> u8 {
    let rules = match load(args) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(rule) = rules.get(id) else {
        let close: Vec<&str> = rules
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|r| r.starts_with(id.split('/').next().unwrap_or(id)))
            .collect();
        eprintln!("error: no rule `{id}`");
        if !close.is_empty() {
            eprintln!("  rules in that category: {}", close.join(", "));
        }
        eprintln!("  `tally rules` lists every rule");
        return EXIT_ERROR;
    };
    let mut text = format!(
        "{}\n\nkind: {}    severity: {}    scope: {}\norigin: {}\n\n{}\n",
        rule.id,
        rule.kind.name(),
        rule.severity.as_str(),
        rule.scope.as_str(),
        rule.origin,
        rule.description.trim_end()
    );
    text.push_str(&format!("\nmessage: {}\n", rule.message));
    if let Some(url) = &rule.url {
        text.push_str(&format!("more: {url}\n"));
    }
    let ex = &rule.examples;
    if !ex.invalid.is_empty() || !ex.cases.is_empty() {
        text.push_str("\nflagged:\n");
        for e in &ex.invalid {
            text.push_str(&format!("  ✗ {e}\n"));
        }
        for c in ex.cases.iter().filter(|c| !c.expect.is_empty()) {
            text.push_str(&format!("  ✗ {}   → {}\n", c.text, c.expect.join(", ")));
        }
    }
    if !ex.valid.is_empty() {
        text.push_str("\nnot flagged:\n");
        for e in &ex.valid {
            text.push_str(&format!("  ✓ {e}\n"));
        }
    }
    let _ = io::stdout().lock().write_all(text.as_bytes());
    EXIT_CLEAN
}

/// `tally test`.
pub fn test(paths: &[std::path::PathBuf], no_default_rules: bool) -> u8 {
    let args = RuleArgs {
        rules: paths.to_vec(),
        no_default_rules,
    };
    let rules = match load(&args) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut passed = 0;
    let mut failed = 0;
    let mut out = io::stdout().lock();
    for index in 0..rules.rules.len() {
        let (count, failures) = crate::harness::test_rule(&rules, index);
        failed += failures.len();
        passed += count.saturating_sub(failures.len());
        for failure in failures {
            let _ = writeln!(out, "{failure}");
        }
    }
    let _ = writeln!(
        out,
        "{} rules: {passed} passed, {failed} failed",
        rules.rules.len()
    );
    if failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
