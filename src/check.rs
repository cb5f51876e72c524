//! `tally check`: configuration, inputs (walked, listed in a file, sharded), parallel checking in
//! chunks, per-document filtering (per-path ignores, inline suppressions, baseline), fixes, and
//! streaming to the chosen reporter.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::baseline::{fingerprints, Baseline, BASELINE_VERSION};
use crate::cli::{CheckArgs, ColorChoice, FailOn, RuleArgs};
use crate::commands::{load_config, report_issues};
use crate::engine::{self, Finding};
use crate::fix::FixMode;
use crate::report::concise::ConciseReporter;
use crate::report::github::GithubReporter;
use crate::report::human::HumanReporter;
use crate::report::jsonl::JsonLinesReporter;
use crate::report::sarif::SarifReporter;
use crate::report::{Format, JsonReporter, Reporter, Summary};
use crate::rules::{self, RuleSet, Severity};
use crate::settings::Config;
use crate::source::{self, Document, Loaded};
use crate::walk::{self, Input};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// Documents checked in parallel before their results are written, bounding memory.
const CHUNK: usize = 256;

/// The rule that reports suppression comments; its findings are kept only for unused comments.
const UNUSED_SUPPRESSION: &str = "style/unused-suppression";

/// What happened to one input.
enum Outcome {
    /// The document, its findings, and the bytes read (kept only when fixing).
    Checked(Box<Document>, Vec<Finding>, Option<Vec<u8>>),
    Skipped,
    Failed(String, String),
}

fn process(
    input: &Input,
    stdin: Option<&[u8]>,
    rules: &RuleSet,
    keep_bytes: bool,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Outcome {
    let path = input.display();
    let loaded = match input {
        Input::Stdin(_) => {
            let bytes = stdin.unwrap_or_default().to_vec();
            source::load_bytes_as(&path, &bytes, encoding).map(|l| (l, bytes))
        }
        Input::File(p) => source::load_file(p, &path, encoding),
    };
    match loaded {
        Ok((Loaded::Text(doc), bytes)) => {
            // A bug in a check must cost one document, not the run.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                engine::check(&doc, rules)
            })) {
                Ok(findings) => {
                    Outcome::Checked(Box::new(doc), findings, keep_bytes.then_some(bytes))
                }
                Err(_) => Outcome::Failed(
                    path,
                    "internal error while checking this file (please report it with the file)"
                        .to_owned(),
                ),
            }
        }
        Ok((Loaded::Binary, _)) => Outcome::Skipped,
        Err(err) => Outcome::Failed(path, err.to_string()),
    }
}

/// What a run does with fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fixing {
    Off,
    Write(FixMode),
    Diff(FixMode),
}

/// Everything a run needs besides the inputs.
struct Run<'a> {
    rules: &'a RuleSet,
    config: &'a Config,
    baseline: Option<Baseline>,
    write_baseline: Option<BTreeMap<String, Vec<String>>>,
    report_unused: bool,
    fixing: Fixing,
    /// `--encoding`, when given.
    encoding: Option<&'static encoding_rs::Encoding>,
    /// Per-rule and per-file counts for `--summary`.
    per_rule: BTreeMap<String, usize>,
    per_file: Vec<(String, usize)>,
    progress: bool,
}

/// Parses `--shard I/N` (1-based).
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("--shard {text}: expected I/N, e.g. 2/8"))?;
    let (i, n): (u64, u64) = match (i.trim().parse(), n.trim().parse()) {
        (Ok(i), Ok(n)) => (i, n),
        _ => return Err(format!("--shard {text}: I and N must be whole numbers")),
    };
    if n == 0 || i == 0 || i > n {
        return Err(format!("--shard {text}: I must be between 1 and N"));
    }
    Ok((i, n))
}

/// True when `path` belongs to shard `i` of `n`: a stable hash, the same on every machine.
pub fn in_shard(path: &str, i: u64, n: u64) -> bool {
    crate::baseline::fnv1a(path.as_bytes()) % n == i - 1
}

/// Paths listed one per line in a file or on standard input (blank lines and `#` comments skipped).
fn read_file_list(source: &std::path::Path) -> io::Result<Vec<PathBuf>> {
    let text = if source.as_os_str() == "-" {
        let mut buf = String::new();
        io::stdin().read_to_string(&mut buf)?;
        buf
    } else {
        std::fs::read_to_string(source)?
    };
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(PathBuf::from)
        .collect())
}

/// `tally check`.
pub fn check(args: &CheckArgs) -> u8 {
    let started = Instant::now();
    let config = match load_config(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rule_args = RuleArgs {
        rules: config
            .rules
            .iter()
            .cloned()
            .chain(args.rules.rules.iter().cloned())
            .collect(),
        no_default_rules: args.rules.no_default_rules || config.no_default_rules,
    };
    let rules = match rules::load_rules(rule_args.no_default_rules, &rule_args.rules) {
        Ok(r) => r,
        Err(issues) => return report_issues(&issues),
    };
    let rules = match config.apply(rules.into_rules()) {
        Ok(r) => RuleSet::new(r),
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let select = if args.select.is_empty() {
        config.select.clone()
    } else {
        args.select.clone()
    };
    let mut ignore = config.ignore.clone();
    ignore.extend(args.ignore.iter().cloned());
    if !args.report_unused_ignores {
        ignore.push(UNUSED_SUPPRESSION.to_owned());
    }
    let rules = rules.select(&select, &ignore);

    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| "<stdin>".to_owned());
    let mut paths = args.paths.clone();
    if let Some(list) = &args.files_from {
        match read_file_list(list) {
            Ok(listed) => paths.extend(listed),
            Err(err) => {
                eprintln!("error: --files-from {}: {err}", list.display());
                return EXIT_ERROR;
            }
        }
        if args.paths.is_empty() && paths.is_empty() {
            eprintln!("error: --files-from {} lists no path", list.display());
            return EXIT_ERROR;
        }
    }
    let mut globs = config.globs.clone();
    globs.extend(args.globs.iter().cloned());
    let mut found = walk::discover(&paths, &globs, &stdin_name);
    if let Some(shard) = &args.shard {
        match parse_shard(shard) {
            Ok((i, n)) => found
                .inputs
                .retain(|input| in_shard(&input.display(), i, n)),
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_ERROR;
            }
        }
    }
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
    let baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some(b),
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_ERROR;
            }
        },
        None => None,
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
    let Ok(encoding) = crate::commands::parse_encoding(args.encoding.as_deref()) else {
        return EXIT_ERROR;
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
    let mut run = Run {
        rules: &rules,
        config: &config,
        baseline,
        write_baseline: args.write_baseline.as_ref().map(|_| BTreeMap::new()),
        report_unused: args.report_unused_ignores,
        fixing,
        encoding,
        per_rule: BTreeMap::new(),
        per_file: Vec::new(),
        // Progress only where a person watches it: a terminal, and people's output.
        progress: args.format == Format::Human
            && io::stderr().is_terminal()
            && found.inputs.len() > CHUNK,
    };
    let out = io::BufWriter::new(io::stdout().lock());
    let mut reporter: Box<dyn Reporter + '_> = match args.format {
        Format::Human => Box::new(
            HumanReporter::new(out, &rules, color).diff_only(matches!(fixing, Fixing::Diff(_))),
        ),
        Format::Json => match JsonReporter::new(out, &rules) {
            Ok(r) => Box::new(r),
            Err(_) => return EXIT_CLEAN,
        },
        Format::Jsonl => Box::new(JsonLinesReporter::new(out, &rules)),
        Format::Concise => Box::new(ConciseReporter::new(out, &rules)),
        Format::Github => Box::new(GithubReporter::new(out, &rules)),
        Format::Sarif => match SarifReporter::new(out, &rules) {
            Ok(r) => Box::new(r),
            Err(_) => return EXIT_CLEAN,
        },
    };
    let result = run_check(
        &found,
        stdin.as_deref(),
        &pool,
        reporter.as_mut(),
        started,
        &mut run,
    );
    drop(reporter);
    let summary = match result {
        Ok(summary) => summary,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => return EXIT_CLEAN,
        Err(err) => {
            eprintln!("error: cannot write output: {err}");
            return EXIT_ERROR;
        }
    };
    if let (Some(path), Some(files)) = (&args.write_baseline, run.write_baseline.take()) {
        let baseline = Baseline {
            version: BASELINE_VERSION,
            files,
        };
        let written = serde_json::to_string_pretty(&baseline)
            .map_err(io::Error::other)
            .and_then(|text| std::fs::write(path, text + "\n"));
        match written {
            Ok(()) => eprintln!(
                "Wrote a baseline of {} findings to {}.",
                summary.diagnostics(),
                path.display()
            ),
            Err(err) => {
                eprintln!("error: cannot write baseline {}: {err}", path.display());
                return EXIT_ERROR;
            }
        }
    }
    if args.summary {
        print_summary(&run, &summary, args.format);
    }
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
        Some(FailOn::Error) => Severity::Error,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Info) => Severity::Info,
        None => config.fail_on.unwrap_or(Severity::Warning),
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

/// `--summary`: counts per category and rule, and the files with most findings. On stdout for
/// people, on stderr for machine formats (their stdout is a contract).
fn print_summary(run: &Run<'_>, summary: &Summary, format: Format) {
    let mut text = String::from("\nFindings by category:\n");
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    for (rule, n) in &run.per_rule {
        *per_category
            .entry(rule.split('/').next().unwrap_or(""))
            .or_default() += n;
    }
    for (category, n) in &per_category {
        text.push_str(&format!("  {category:10} {n:>7}\n"));
    }
    text.push_str("Findings by rule:\n");
    for (rule, n) in &run.per_rule {
        text.push_str(&format!("  {rule:36} {n:>7}\n"));
    }
    let mut files = run.per_file.clone();
    files.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    text.push_str("Files with most findings:\n");
    for (path, n) in files.iter().take(10) {
        text.push_str(&format!("  {n:>7}  {path}\n"));
    }
    text.push_str(&format!(
        "{} files, {} findings, {} unreadable\n",
        summary.files,
        summary.diagnostics(),
        summary.errors
    ));
    if format == Format::Human {
        print!("{text}");
    } else {
        eprint!("{text}");
    }
}

/// Drops what the configuration, the document's own comments and the baseline accept.
fn filter(run: &Run<'_>, doc: &Document, findings: Vec<Finding>) -> Vec<Finding> {
    let rules = run.rules;
    let mut findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            !run.config
                .ignored_for_path(&doc.path, &rules.rules[f.rule].id)
        })
        .collect();
    if crate::suppress::supports(&doc.path) {
        let suppressions = crate::suppress::parse(doc);
        if !suppressions.is_empty() {
            let mut used = vec![false; suppressions.len()];
            findings.retain(|f| {
                let id = &rules.rules[f.rule].id;
                if id == UNUSED_SUPPRESSION {
                    return true;
                }
                let at = doc.source_span(f.span.clone());
                match suppressions.iter().position(|s| s.silences(id, &at)) {
                    Some(i) => {
                        used[i] = true;
                        false
                    }
                    None => true,
                }
            });
            if run.report_unused {
                findings.retain(|f| {
                    rules.rules[f.rule].id != UNUSED_SUPPRESSION
                        || suppressions
                            .iter()
                            .zip(&used)
                            .any(|(s, u)| s.comment == f.span && !u)
                });
            }
        }
    }
    if !crate::suppress::supports(&doc.path) || !run.report_unused {
        findings.retain(|f| rules.rules[f.rule].id != UNUSED_SUPPRESSION);
    }
    match &run.baseline {
        Some(baseline) => baseline.filter(doc, findings, rules),
        None => findings,
    }
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
    // Fixes are written to the file as written: spans move to the source, and a fix of text
    // that is not a verbatim copy of the source (an entity, a .docx, a PDF) is not applied.
    let in_source: Vec<Finding> = findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.fix = f.fix.filter(|x| doc.fixable(x.span.clone())).map(|mut x| {
                x.span = doc.source_span(x.span);
                x
            });
            f
        })
        .collect();
    let source_text = doc.source_text();
    let (fixed_text, fixed) = crate::fix::apply(source_text, &in_source, mode);
    if let Fixing::Diff(_) = fixing {
        if !fixed.is_empty() {
            summary.fixed += fixed.len();
            summary.fixed_files += 1;
            reporter.diff(&crate::fix::unified_diff(
                &doc.path,
                source_text,
                &fixed_text,
            ))?;
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
            // Written back in the file's own encoding, byte order mark and all.
            crate::fix::write_atomically(
                path,
                bytes.unwrap_or_default(),
                &doc.decoding.encode(&fixed_text),
            )
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
    pool: &rayon::ThreadPool,
    reporter: &mut dyn Reporter,
    started: Instant,
    run: &mut Run<'_>,
) -> io::Result<Summary> {
    let rules = run.rules;
    let mut summary = Summary::default();
    for (path, message) in &found.errors {
        summary.errors += 1;
        reporter.error(path, message)?;
    }
    let keep = run.fixing != Fixing::Off;
    let total = found.inputs.len();
    for (n, chunk) in found.inputs.chunks(CHUNK).enumerate() {
        let outcomes: Vec<Outcome> = pool.install(|| {
            chunk
                .par_iter()
                .map(|input| process(input, stdin, rules, keep, run.encoding))
                .collect()
        });
        for (input, outcome) in chunk.iter().zip(outcomes) {
            match outcome {
                Outcome::Checked(doc, findings, bytes) => {
                    summary.files += 1;
                    let findings = filter(run, &doc, findings);
                    let Some(findings) = apply_fixes(
                        input,
                        &doc,
                        findings,
                        bytes.as_deref(),
                        run.fixing,
                        &mut summary,
                        reporter,
                    )?
                    else {
                        continue;
                    };
                    summary.add(&findings, rules);
                    for f in &findings {
                        *run.per_rule
                            .entry(rules.rules[f.rule].id.clone())
                            .or_default() += 1;
                    }
                    if !findings.is_empty() {
                        run.per_file.push((doc.path.clone(), findings.len()));
                        if run.per_file.len() > 1000 {
                            // Keep memory bounded on archive scans: only the largest matter.
                            run.per_file.sort_by_key(|b| std::cmp::Reverse(b.1));
                            run.per_file.truncate(100);
                        }
                    }
                    if let Some(baseline) = &mut run.write_baseline {
                        if !findings.is_empty() {
                            baseline.insert(
                                crate::baseline::key(&doc.path).to_owned(),
                                fingerprints(&doc, &findings, rules),
                            );
                        }
                    }
                    reporter.document(&doc, &findings)?;
                }
                Outcome::Skipped => {}
                Outcome::Failed(path, message) => {
                    summary.errors += 1;
                    reporter.error(&path, &message)?;
                }
            }
        }
        if run.progress {
            eprint!("\rchecked {}/{total} files", ((n + 1) * CHUNK).min(total));
        }
    }
    if run.progress {
        eprintln!();
    }
    summary.elapsed = started.elapsed();
    reporter.finish(&summary)?;
    Ok(summary)
}
