//! The run step of `tally check`: workers load and check documents in parallel, one at a time
//! each; this thread takes their results in input order and applies the filtering (per-path
//! ignores, the suppression pass, the baseline) and the fixes, and streams them to the
//! reporter. Also the input helpers (`--files-from`, `--shard`). Reporters are
//! used through the `Reporter` trait only; no rule id or kind is named here.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::Instant;

use super::timings::Timer;
use super::Fixing;
use crate::baseline::{fingerprints, Baseline};
use crate::engine::{self, Finding, RuleSet};
use crate::report::{Format, Reporter, Summary};
use crate::settings::Config;
use crate::source::{self, Document, Loaded};
use crate::walk::{self, Input};

/// Progress is shown for runs of more files than this (on a terminal).
pub(super) const PROGRESS_AFTER: usize = 16;

/// What happened to one input.
enum Outcome {
    /// The document, its findings, and the bytes read (kept only when fixing).
    Checked(Box<Document>, Vec<Finding>, Option<Vec<u8>>),
    Skipped,
    Failed(String, String),
}

/// Loads and checks one input. `named` when the user named it (a path or `-`, not a file found
/// in a folder): a named file that is not text is an error, a found one is skipped.
fn process(input: &Input, named: bool, job: &Job<'_>) -> Outcome {
    let Job {
        stdin,
        rules,
        keep_bytes,
        encoding,
        timer,
    } = *job;
    let path = input.display();
    let started = Instant::now();
    let loaded = match input {
        Input::Stdin(_) => {
            let bytes = stdin.unwrap_or_default().to_vec();
            source::load_bytes_as(&path, &bytes, encoding).map(|l| (l, bytes))
        }
        Input::File(p) => source::load_file(p, &path, encoding),
    };
    match loaded {
        Ok((Loaded::Text(mut doc), bytes)) => {
            // The bytes as read are needed only to write fixes; without them a document holds
            // its text once while it is checked.
            let bytes = keep_bytes.then_some(bytes);
            let decode = started.elapsed();
            let mut timings = timer.map(|_| engine::Timings::default());
            // A bug in a check must cost one document, not the run.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                engine::check_timed(&doc, rules, timings.as_mut())
            })) {
                Ok(findings) => {
                    if let (Some(timer), Some(timings)) = (timer, &timings) {
                        timer.document(decode, timings, doc.text.len());
                    }
                    // The statement model served the rules; the report needs only the text.
                    doc.release_statements();
                    Outcome::Checked(Box::new(doc), findings, bytes)
                }
                Err(_) => Outcome::Failed(
                    path,
                    "internal error while checking this file (please report it with the file)"
                        .to_owned(),
                ),
            }
        }
        Ok((Loaded::Binary, _)) if named => Outcome::Failed(
            path,
            "not text: NUL bytes in the first 8 KB, and not UTF-16 either (a binary file, or \
             text in an encoding tally does not detect: name it with --encoding)"
                .to_owned(),
        ),
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
    /// `--timings`: where the time went, printed to stderr after the run.
    pub timer: Option<Timer>,
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
        "{} files, {} findings, {} unreadable",
        summary.files,
        summary.diagnostics(),
        summary.errors - summary.unwritten
    ));

    if summary.unwritten > 0 {
        let files = if summary.unwritten == 1 {
            "file"
        } else {
            "files"
        };
        text.push_str(&format!(
            ", fixes to {} {files} not written",
            summary.unwritten
        ));
    }
    // The wall time is here, not in the JSON, so that two runs' JSON are the same bytes.
    text.push_str(&format!(" in {} ms", summary.elapsed.as_millis()));
    text.push('\n');
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
            summary.unwritten += 1;
            reporter.error(&doc.path, &message)?;
            Ok(Some(findings))
        }
    }
}

/// Documents loaded or checked and not yet written, per worker. Each one holds a document's
/// text and indexes until the writer has rendered it, so this bounds memory whatever the number
/// of inputs (a slow document delays the others, it does not make them pile up). One document
/// in flight per worker made each worker wait for the writer after every document (4,100
/// context switches and 0.62 s instead of 0.37 s for 2,072 files with one cheap rule); four let
/// the worker run ahead while only one of them is being checked, and finished ones hold only
/// their text and findings.
const IN_FLIGHT_PER_WORKER: usize = 4;

/// The documents between the workers and the writer: how many are claimed and not yet
/// written, and whether the writer has stopped (an output error).
struct Window {
    state: Mutex<WindowState>,
    freed: Condvar,
    cap: usize,
}

struct WindowState {
    in_flight: usize,
    stopped: bool,
}

impl Window {
    fn new(cap: usize) -> Window {
        Window {
            state: Mutex::new(WindowState {
                in_flight: 0,
                stopped: false,
            }),
            freed: Condvar::new(),
            cap,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WindowState> {
        // A worker that panicked while holding the lock left only counters behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for room for one more document; false once the writer has stopped.
    fn acquire(&self) -> bool {
        let mut state = self.lock();
        while state.in_flight >= self.cap && !state.stopped {
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if state.stopped {
            return false;
        }
        state.in_flight += 1;
        true
    }

    fn release(&self) {
        self.lock().in_flight -= 1;
        self.freed.notify_one();
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.freed.notify_all();
    }
}

/// One worker: claims the next input, loads and checks it, and sends the outcome to the writer
/// with its index; one document at a time.
fn work(
    inputs: &[Input],
    named: &BTreeSet<PathBuf>,
    next: &AtomicUsize,
    window: &Window,
    job: &Job<'_>,
    results: mpsc::SyncSender<(usize, Outcome)>,
) {
    while window.acquire() {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(input) = inputs.get(i) else {
            window.release();
            return;
        };
        let explicit = match input {
            Input::Stdin(_) => true,
            Input::File(path) => named.contains(path),
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            process(input, explicit, job)
        }))
        .unwrap_or_else(|_| {
            Outcome::Failed(
                input.display(),
                "internal error while reading this file (please report it with the file)"
                    .to_owned(),
            )
        });
        if results.send((i, outcome)).is_err() {
            return;
        }
    }
}

/// What every worker shares.
#[derive(Clone, Copy)]
struct Job<'a> {
    stdin: Option<&'a [u8]>,
    rules: &'a RuleSet,
    keep_bytes: bool,
    encoding: Option<&'static encoding_rs::Encoding>,
    /// `--timings`: where each document's time went.
    timer: Option<&'a Timer>,
}

/// Checks every input on `pool` and writes the results in input order, each as soon as it and
/// every input before it are done (as ripgrep and ast-grep stream): workers send `(index,
/// outcome)` to this thread, which holds the few that arrive early until their turn. Output
/// bytes do not depend on the number of threads. A closed output pipe stops the writing, not
/// the run: the exit status still counts every finding.
pub(super) fn run_check(
    found: &walk::Discovered,
    stdin: Option<&[u8]>,
    pool: &rayon::ThreadPool,
    reporter: &mut dyn Reporter,
    sink: &mut dyn io::Write,
    started: Instant,
    run: &mut Run<'_>,
) -> io::Result<Summary> {
    let mut out = Output {
        reporter,
        sink,
        closed: false,
    };
    let mut summary = Summary::default();
    for (path, message) in &found.errors {
        summary.errors += 1;
        out.error(path, message)?;
    }
    // The workers share the timer; the writer borrows the rest of the run mutably.
    let timer = run.timer.take();
    let job = Job {
        stdin,
        rules: run.rules,
        keep_bytes: run.fixing != Fixing::Off,
        encoding: run.encoding,
        timer: timer.as_ref(),
    };
    let inputs = &found.inputs[..];
    let workers = pool.current_num_threads().clamp(1, inputs.len().max(1));
    let window = Window::new(workers * IN_FLIGHT_PER_WORKER);
    let next = AtomicUsize::new(0);
    let (sender, results) = mpsc::sync_channel(window.cap);
    let written = pool.in_place_scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (job, next, window) = (&job, &next, &window);
            scope.spawn(move |_| work(inputs, &found.named, next, window, job, sender));
        }
        drop(sender);
        let written = write_in_order(
            inputs,
            results,
            &window,
            &mut summary,
            &mut out,
            run,
            timer.as_ref(),
        );
        // Workers waiting for room see the stop; a worker mid-document finishes it and its
        // send fails once `results` is gone.
        window.stop();
        written
    });
    written?;
    summary.elapsed = started.elapsed();
    out.finish(&summary)?;
    if let Some(timer) = &timer {
        eprint!("{}", timer.render(run.rules, summary.elapsed));
    }
    Ok(summary)
}

/// The writer: outcomes in input order, each released as soon as it is written.
fn write_in_order(
    inputs: &[Input],
    results: mpsc::Receiver<(usize, Outcome)>,
    window: &Window,
    summary: &mut Summary,
    out: &mut Output<'_>,
    run: &mut Run<'_>,
    timer: Option<&Timer>,
) -> io::Result<()> {
    let mut early: BTreeMap<usize, Outcome> = BTreeMap::new();
    let mut turn = 0;
    // On a terminal only; the bar is cleared while a document's findings are written, so the
    // two never share a line.
    let bar = run.progress.then(|| {
        let bar = indicatif::ProgressBar::new(inputs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "checked {pos}/{len} files  {per_sec}  ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    for (i, outcome) in results {
        early.insert(i, outcome);
        while let Some(outcome) = early.remove(&turn) {
            let reporting = Instant::now();
            let written = match &bar {
                Some(bar) => {
                    bar.suspend(|| write_outcome(&inputs[turn], outcome, summary, out, run))
                }
                None => write_outcome(&inputs[turn], outcome, summary, out, run),
            };
            if let Some(timer) = timer {
                timer.report(reporting);
            }
            window.release();
            written?;
            turn += 1;
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    debug_assert!(early.is_empty(), "invariant: every input is sent once");
    Ok(())
}

/// Filters, fixes and reports one outcome.
fn write_outcome(
    input: &Input,
    outcome: Outcome,
    summary: &mut Summary,
    out: &mut Output<'_>,
    run: &mut Run<'_>,
) -> io::Result<()> {
    let rules = run.rules;
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
                summary,
                out,
            )?
            else {
                return out.flush();
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
            out.document(&doc, &findings)?;
        }
        Outcome::Skipped => {}
        Outcome::Failed(path, message) => {
            summary.errors += 1;
            out.error(&path, &message)?;
        }
    }
    out.flush()
}

/// The reporter as the run sees it: once the reader of the output has gone (a broken pipe,
/// `| head -1`), nothing more is written, and the run goes on so that its exit status still
/// counts every finding.
struct Output<'r> {
    reporter: &'r mut dyn Reporter,
    /// The writer under the reporter, flushed after each document.
    sink: &'r mut dyn io::Write,
    closed: bool,
}

impl Output<'_> {
    fn guard(&mut self, write: impl FnOnce(&mut dyn Reporter) -> io::Result<()>) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match write(self.reporter) {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }

    /// Pushes what the reporter has written so far to the output, so that a reader sees each
    /// document's results when it is done, not when a buffer fills.
    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.sink.flush() {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl Reporter for Output<'_> {
    fn document(&mut self, doc: &Document, findings: &[Finding]) -> io::Result<()> {
        self.guard(|r| r.document(doc, findings))
    }

    fn error(&mut self, path: &str, message: &str) -> io::Result<()> {
        self.guard(|r| r.error(path, message))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.guard(|r| r.finish(summary))
    }

    fn diff(&mut self, diff: &str) -> io::Result<()> {
        self.guard(|r| r.diff(diff))
    }

    fn fixed_stdin(&mut self, text: &str) -> io::Result<()> {
        self.guard(|r| r.fixed_stdin(text))
    }
}

/// Standard output, shared by the reporter (which writes to it) and the run (which flushes it
/// after each document). Used from the writer thread only.
#[derive(Clone)]
pub(super) struct SharedOut(Rc<RefCell<io::BufWriter<Box<dyn io::Write>>>>);

impl SharedOut {
    pub(super) fn stdout() -> SharedOut {
        SharedOut::over(Box::new(io::stdout().lock()))
    }

    /// The report written to a file (`--output-file`), created or truncated.
    pub(super) fn file(path: &std::path::Path) -> io::Result<SharedOut> {
        Ok(SharedOut::over(Box::new(std::fs::File::create(path)?)))
    }

    fn over(out: Box<dyn io::Write>) -> SharedOut {
        SharedOut(Rc::new(RefCell::new(io::BufWriter::new(out))))
    }
}

impl io::Write for SharedOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.borrow_mut().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}
