//! The run step of `tally check`: parallel checking in chunks, then per document in input order
//! the filtering (per-path ignores, the suppression pass, the baseline), the fixes, and
//! streaming to the reporter. Also the input helpers (`--files-from`, `--shard`). Reporters are
//! used through the `Reporter` trait only; no rule id or kind is named here.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use super::Fixing;
use crate::baseline::{fingerprints, Baseline};
use crate::engine::{self, Finding, RuleSet};
use crate::report::{Format, Reporter, Summary};
use crate::settings::Config;
use crate::source::{self, Document, Loaded};
use crate::walk::{self, Input};

/// Documents checked in parallel before their results are written, bounding memory.
pub(super) const CHUNK: usize = 256;

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
        Ok((Loaded::Text(mut doc), bytes)) => {
            // A bug in a check must cost one document, not the run.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                engine::check(&doc, rules)
            })) {
                Ok(findings) => {
                    // The statement model served the rules; the report needs only the text.
                    doc.release_statements();
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

/// Everything a run needs besides the inputs.
pub(super) struct Run<'a> {
    pub rules: &'a RuleSet,
    pub config: &'a Config,
    pub baseline: Option<Baseline>,
    pub write_baseline: Option<BTreeMap<String, Vec<String>>>,
    pub report_unused: bool,
    pub fixing: Fixing,
    /// `--encoding`, when given.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Per-rule and per-file counts for `--summary`.
    pub per_rule: BTreeMap<String, usize>,
    pub per_file: Vec<(String, usize)>,
    pub progress: bool,
}

/// Parses `--shard I/N` (1-based).
pub(super) fn parse_shard(text: &str) -> Result<(u64, u64), String> {
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
pub(super) fn read_file_list(source: &std::path::Path) -> io::Result<Vec<PathBuf>> {
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

/// `--summary`: counts per category and rule, and the files with most findings. On stdout for
/// people, on stderr for machine formats (their stdout is a contract).
pub(super) fn print_summary(run: &Run<'_>, summary: &Summary, format: Format) {
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

/// Drops what the configuration (per-path ignores), the document's own comments (the
/// suppression pass, which also reports unused comments) and the baseline accept.
pub(super) fn filter(run: &Run<'_>, doc: &Document, findings: Vec<Finding>) -> Vec<Finding> {
    let rules = run.rules;
    let kept = |f: &Finding| !run.config.ignored_for_path(&doc.path, &rules[f.rule].id);
    let findings: Vec<Finding> = findings.into_iter().filter(|f| kept(f)).collect();
    let findings = crate::suppress::apply(doc, findings, rules, run.report_unused, kept);
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
        Input::Stdin(_) => reporter
            .fixed_stdin(&fixed_text)
            .map(|()| fixed)
            .map_err(|e| e.to_string()),
        Input::File(path) => {
            // Each replacement is encoded on its own and spliced into the bytes as read, so no
            // other byte changes; a fix the encoding cannot hold is left out and said so.
            let original = bytes.unwrap_or_default();
            match crate::fix::apply_to_bytes(original, &doc.decoding, source_text, &in_source, mode)
            {
                Ok(spliced) => {
                    for skipped in &spliced.skipped {
                        reporter
                            .error(&doc.path, &format!("fix not applied: {}", skipped.reason))?;
                    }
                    if spliced.fixed.is_empty() {
                        Ok(spliced.fixed)
                    } else {
                        crate::fix::write_fixed(path, original, &spliced.bytes)
                            .map(|()| spliced.fixed)
                            .map_err(|e| e.to_string())
                    }
                }
                Err(e) => Err(e.to_string()),
            }
        }
    };
    match written {
        Ok(fixed) => {
            if !fixed.is_empty() {
                summary.fixed += fixed.len();
                summary.fixed_files += 1;
            }
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

pub(super) fn run_check(
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
                        *run.per_rule.entry(rules[f.rule].id.clone()).or_default() += 1;
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
