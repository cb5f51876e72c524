//! `tally check` as a pipeline of named steps, each a function with explicit inputs:
//!
//! 1. settings: [`Plan::new`] merges the configuration file and the command line;
//! 2. rules: [`build_rules`] compiles the rule files with the configured parameters, applies
//!    severity overrides and the selection, and builds the one [`RuleSet`] of the run;
//! 3. inputs: [`gather_inputs`] lists, walks and shards the paths, and reads standard input;
//! 4. run: `run::run_check` checks documents in parallel and, per document in input order,
//!    applies the configuration, the suppression pass and the baseline ([`run::filter`]), the
//!    fixes, and hands the rest to the reporter;
//! 5. finish: the baseline is written and the summary printed;
//! 6. exit status: [`exit_status`].
//!
//! This module wires steps together and owns the command's IO (stdin, stdout, stderr); it does
//! not check text (that is `engine`) nor render findings (that is `report`), and names no rule id
//! except through `suppress::UNUSED_RULE`.

mod run;
mod timings;

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use crate::baseline::{Baseline, BASELINE_VERSION};
use crate::cli::{CheckArgs, ColorChoice, FailOn};
use crate::engine::{compile_packs, is_selected, Rule, RuleSet};
use crate::fix::FixMode;
use crate::report::concise::ConciseReporter;
use crate::report::github::GithubReporter;
use crate::report::human::HumanReporter;
use crate::report::jsonl::JsonLinesReporter;
use crate::report::sarif::SarifReporter;
use crate::report::{Format, JsonReporter, Reporter, Summary};
use crate::rules::{Pack, RuleIssue, Severity};
use crate::settings::{Config, Override};
use crate::startup::{load_config, report_issues};
use crate::suppress::UNUSED_RULE;
use crate::walk::{self, Input};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub use run::in_shard;

/// What a run does with fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fixing {
    Off,
    Write(FixMode),
    Diff(FixMode),
}

/// The settings of one run: the configuration file merged with the command line (flags win).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// Rule files and folders: the configuration's, then the command line's.
    pub rule_paths: Vec<PathBuf>,
    pub no_default_rules: bool,
    /// Rule-id prefixes to run (all when empty): the command line's, else the configuration's.
    pub select: Vec<String>,
    /// Rule-id prefixes to skip: the configuration's and the command line's.
    pub ignore: Vec<String>,
    pub globs: Vec<String>,
    pub report_unused: bool,
    pub fixing: Fixing,
    /// Findings at or above this severity fail the run.
    pub fail_on: Severity,
}

impl Plan {
    /// Step 1: merges `config` and `args`.
    pub fn new(args: &CheckArgs, config: &Config) -> Plan {
        let select = if args.select.is_empty() {
            config.select.clone()
        } else {
            args.select.clone()
        };
        let mut ignore = config.ignore.clone();
        ignore.extend(args.ignore.iter().cloned());
        if !args.report_unused_ignores {
            ignore.push(UNUSED_RULE.to_owned());
        }
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
        let fail_on = match args.fail_on {
            Some(FailOn::Error) => Severity::Error,
            Some(FailOn::Warning) => Severity::Warning,
            Some(FailOn::Info) => Severity::Info,
            None => config.fail_on.unwrap_or(Severity::Warning),
        };
        let mut globs = config.globs.clone();
        globs.extend(args.globs.iter().cloned());
        Plan {
            rule_paths: config
                .rules
                .iter()
                .chain(&args.rules.rules)
                .cloned()
                .collect(),
            no_default_rules: args.rules.no_default_rules || config.no_default_rules,
            select,
            ignore,
            globs,
            report_unused: args.report_unused_ignores,
            fixing,
            fail_on,
        }
    }
}

/// Why the rules of a run could not be built.
#[derive(Debug)]
pub(crate) enum RulesError {
    /// Problems in rule files, with their spans.
    Issues(Vec<RuleIssue>),
    /// A configuration that names no rule.
    Config(String),
}

/// Step 2: compiles `packs` with the configuration's parameters, applies its severities and the
/// plan's selection, and builds the rule set once.
pub(crate) fn build_rules(
    plan: &Plan,
    config: &Config,
    packs: Vec<Result<Pack, RuleIssue>>,
) -> Result<RuleSet, RulesError> {
    let rules = compile_packs(packs, &config.params()).map_err(RulesError::Issues)?;
    let rules = apply_severities(rules, config).map_err(RulesError::Config)?;
    check_selection(&rules, &plan.select, config).map_err(RulesError::Config)?;
    let rules = rules
        .into_iter()
        .filter(|r| is_selected(&r.id, &plan.select, &plan.ignore))
        .collect();
    let mut set = RuleSet::new(rules);
    // Unused suppressions are reported by the suppression pass, not by the engine.
    if let Some(id) = set.find(UNUSED_RULE) {
        set.run_separately(id);
    }
    Ok(set)
}

/// Every `--select` prefix (or the configuration's `select`) must match a rule: a typo would
/// otherwise run nothing and pass.
fn check_selection(rules: &[Rule], select: &[String], config: &Config) -> Result<(), String> {
    let unmatched: Vec<&str> = select
        .iter()
        .filter(|p| !rules.iter().any(|r| crate::rules::id_matches(&r.id, p)))
        .map(String::as_str)
        .collect();
    if unmatched.is_empty() {
        return Ok(());
    }
    let origin = match &config.path {
        Some(path) if config.select == select => format!("{}: select", path.display()),
        _ => "--select".to_owned(),
    };
    let list = unmatched
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let example = rules
        .first()
        .map_or("repeat/doubled-char", |r| r.id.as_str());
    Err(format!(
        "{origin} {list} matches no rule (ids look like `{example}`; `tally rules` lists them)"
    ))
}

/// The configuration's `[severity]`: a new severity, or the rule left out. An override naming
/// no rule is an error (a typo would otherwise silently change nothing).
fn apply_severities(mut rules: Vec<Rule>, config: &Config) -> Result<Vec<Rule>, String> {
    for (id, o) in &config.severity {
        if !rules.iter().any(|r| &r.id == id) {
            let origin = config
                .path
                .as_ref()
                .map_or_else(String::new, |p| format!("{}: ", p.display()));
            return Err(format!(
                "{origin}[severity] names `{id}`, which is not a rule (`tally rules` lists them)"
            ));
        }
        match o {
            Override::Off => rules.retain(|r| &r.id != id),
            Override::Set(s) => rules
                .iter_mut()
                .filter(|r| &r.id == id)
                .for_each(|r| r.severity = *s),
        }
    }
    Ok(rules)
}

/// The inputs of a run.
pub(crate) struct Inputs {
    pub found: walk::Discovered,
    /// Standard input, read once, when it is one of the inputs.
    pub stdin: Option<Vec<u8>>,
}

/// Step 3: the paths given, listed (`--files-from`), walked and sharded; standard input read.
fn gather_inputs(args: &CheckArgs, plan: &Plan) -> Result<Inputs, String> {
    let found = find_inputs(args, plan)?;
    let stdin = if found.inputs.iter().any(|i| matches!(i, Input::Stdin(_))) {
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .map_err(|err| format!("cannot read standard input: {err}"))?;
        Some(buf)
    } else {
        None
    };
    Ok(Inputs { found, stdin })
}

/// `--show-files`: the inputs a run would check, one per line in check order, without checking
/// them (or reading standard input). Paths that cannot be walked go to stderr and exit 2.
fn show_files(args: &CheckArgs, plan: &Plan) -> u8 {
    let found = match find_inputs(args, plan) {
        Ok(found) => found,
        Err(message) => return fail(&message),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    for input in &found.inputs {
        if writeln!(out, "{}", input.display()).is_err() {
            return EXIT_CLEAN;
        }
    }
    if out.flush().is_err() {
        return EXIT_CLEAN;
    }
    for (path, message) in &found.errors {
        eprintln!("error: {path}: {message}");
    }
    if found.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}

/// The inputs of step 3, before standard input is read.
fn find_inputs(args: &CheckArgs, plan: &Plan) -> Result<walk::Discovered, String> {
    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| "<stdin>".to_owned());
    let mut paths = args.paths.clone();
    if let Some(list) = &args.files_from {
        let listed = run::read_file_list(list)
            .map_err(|err| format!("--files-from {}: {err}", list.display()))?;
        paths.extend(listed);
        if args.paths.is_empty() && paths.is_empty() {
            return Err(format!("--files-from {} lists no path", list.display()));
        }
    }
    let walking = walk::WalkOptions {
        hidden: args.hidden,
        no_ignore: args.no_ignore,
    };
    let mut found = walk::discover_with(&paths, &plan.globs, &stdin_name, walking);
    if let Some(shard) = &args.shard {
        let (i, n) = run::parse_shard(shard)?;
        found
            .inputs
            .retain(|input| in_shard(&input.display(), i, n));
    }
    Ok(found)
}

/// Step 6: the exit status of a finished run.
pub(crate) fn exit_status(summary: &Summary, fixing: Fixing, fail_on: Severity) -> u8 {
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
    let failing: usize = [Severity::Info, Severity::Warning, Severity::Error]
        .into_iter()
        .filter(|s| *s >= fail_on)
        .map(|s| summary.count(s))
        .sum();
    if failing > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Workers beyond this many per core only add threads to start and memory to hold.
const MAX_THREADS_PER_CORE: usize = 4;

/// The number of worker threads for `-j N` (0: one per core), capped at
/// [`MAX_THREADS_PER_CORE`] per core with a note on stderr.
fn worker_threads(asked: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if asked == 0 {
        return cores;
    }
    let cap = cores * MAX_THREADS_PER_CORE;
    if asked > cap {
        eprintln!(
            "note: -j {asked} is more than {MAX_THREADS_PER_CORE} threads per core ({cores} core{}); using {cap}",
            if cores == 1 { "" } else { "s" }
        );
        return cap;
    }
    asked
}

/// `tally check`: the steps in order; each failure ends the run with its exit code.
pub fn check(args: &CheckArgs) -> u8 {
    let started = Instant::now();
    let config = match load_config(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let plan = Plan::new(args, &config);
    if args.show_files {
        return show_files(args, &plan);
    }
    if let Err(err) = crate::statement::lexicon::install_paths(&args.rules.lexicon) {
        return fail(&err.to_string());
    }
    let packs = crate::rules::read_packs(plan.no_default_rules, &plan.rule_paths);
    let rules = match build_rules(&plan, &config, packs) {
        Ok(r) => r,
        Err(RulesError::Issues(issues)) => return report_issues(&issues),
        Err(RulesError::Config(message)) => return fail(&message),
    };
    let inputs = match gather_inputs(args, &plan) {
        Ok(inputs) => inputs,
        Err(message) => return fail(&message),
    };
    let baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some(b),
            Err(message) => return fail(&message),
        },
        None => None,
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(worker_threads(args.threads))
        .build()
    {
        Ok(pool) => pool,
        Err(err) => return fail(&format!("cannot start worker threads: {err}")),
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output_file.is_none()
                && std::env::var_os("NO_COLOR").is_none()
                && io::stdout().is_terminal()
        }
    };
    let Ok(encoding) = crate::startup::parse_encoding(args.encoding.as_deref()) else {
        return EXIT_ERROR;
    };
    let mut run = run::Run {
        rules: &rules,
        config: &config,
        baseline,
        write_baseline: args.write_baseline.as_ref().map(|_| BTreeMap::new()),
        report_unused: plan.report_unused,
        fixing: plan.fixing,
        encoding,
        per_rule: BTreeMap::new(),
        per_file: Vec::new(),
        // Progress where a person watches it: stderr is a terminal (for every format: an auditor
        // writing JSON Lines to a file sees it too), and there is more than a moment's work.
        progress: io::stderr().is_terminal() && inputs.found.inputs.len() > run::PROGRESS_AFTER,
        timer: args.timings.then(timings::Timer::default),
    };
    let mut sink = match &args.output_file {
        Some(path) => match run::SharedOut::file(path) {
            Ok(sink) => sink,
            Err(err) => return fail(&format!("cannot write {}: {err}", path.display())),
        },
        None => run::SharedOut::stdout(),
    };
    let out = sink.clone();
    let mut reporter: Box<dyn Reporter + '_> = match args.format {
        Format::Human => Box::new(
            HumanReporter::new(out, &rules, color)
                .diff_only(matches!(plan.fixing, Fixing::Diff(_))),
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
    let result = run::run_check(
        &inputs.found,
        inputs.stdin.as_deref(),
        &pool,
        reporter.as_mut(),
        &mut sink,
        started,
        &mut run,
    );
    drop(reporter);
    let summary = match result {
        Ok(summary) => summary,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => return EXIT_CLEAN,
        Err(err) => return fail(&format!("cannot write output: {err}")),
    };
    if let Err(code) = finish(args, &plan, &mut run, &summary) {
        return code;
    }
    match exit_status(&summary, plan.fixing, plan.fail_on) {
        EXIT_FINDINGS if args.exit_zero => EXIT_CLEAN,
        code => code,
    }
}

/// Step 5: writes the baseline, prints the summary and what the fixes did.
fn finish(
    args: &CheckArgs,
    plan: &Plan,
    run: &mut run::Run<'_>,
    summary: &Summary,
) -> Result<(), u8> {
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
                return Err(fail(&format!(
                    "cannot write baseline {}: {err}",
                    path.display()
                )))
            }
        }
    }
    if args.summary {
        run::print_summary(run, summary, args.format);
    }
    if summary.fixed > 0 && plan.fixing != Fixing::Off {
        let verb = if let Fixing::Diff(_) = plan.fixing {
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
    Ok(())
}

/// Prints a tool error and gives the exit code for it.
fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_ERROR
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use clap::Parser;

    use crate::cli::{Cli, Command};
    use crate::source::Document;

    fn args(line: &[&str]) -> CheckArgs {
        let argv = ["tally", "check"].iter().chain(line).copied();
        match Cli::try_parse_from(argv)
            .expect("valid command line")
            .command
        {
            Command::Check(args) => *args,
            _ => panic!("not a check command"),
        }
    }

    fn pack(text: &'static str) -> Vec<Result<Pack, RuleIssue>> {
        vec![Ok(Pack {
            origin: "test.toml".to_owned(),
            text: Cow::Borrowed(text),
        })]
    }

    const PACK: &str = r#"
[[rule]]
id = "repeat/doubled"
kind = "repeat"
severity = "warning"
message = "{match}"
description = "doubled characters"
[rule.repeat]
chars = "对"

[[rule]]
id = "style/unused-suppression"
kind = "pattern"
severity = "info"
message = "“{match}” suppresses nothing"
description = "unused suppression comments"
[rule.pattern]
regex = '<!--\s*tally-(?:ignore|disable)(?:\s*:[^>]*?)?\s*-->'

[[rule]]
id = "field/empty-required"
kind = "field"
severity = "error"
message = "{label}"
description = "empty fields"
[rule.field]
labels = ["发布机构"]
known = ["来源"]
"#;

    #[test]
    fn plan_command_line_select_replaces_the_configured_one_and_ignores_add_up() {
        let config = Config {
            select: vec!["sum/".into()],
            ignore: vec!["style/".into()],
            ..Config::default()
        };
        let plan = Plan::new(
            &args(&["--select", "repeat/", "--ignore", "punct/"]),
            &config,
        );
        assert_eq!(plan.select, ["repeat/"]);
        assert_eq!(plan.ignore, ["style/", "punct/", UNUSED_RULE]);
        let plan = Plan::new(&args(&[]), &config);
        assert_eq!(plan.select, ["sum/"]);
    }

    #[test]
    fn plan_unused_suppression_rule_is_ignored_unless_asked_for() {
        let plan = Plan::new(&args(&["--report-unused-ignores"]), &Config::default());
        assert!(plan.report_unused);
        assert!(!plan.ignore.iter().any(|p| p == UNUSED_RULE));
    }

    #[test]
    fn plan_fail_on_flag_beats_the_configuration_which_beats_warning() {
        let config = Config {
            fail_on: Some(Severity::Error),
            ..Config::default()
        };
        assert_eq!(
            Plan::new(&args(&[]), &Config::default()).fail_on,
            Severity::Warning
        );
        assert_eq!(Plan::new(&args(&[]), &config).fail_on, Severity::Error);
        let plan = Plan::new(&args(&["--fail-on", "info"]), &config);
        assert_eq!(plan.fail_on, Severity::Info);
    }

    #[test]
    fn plan_fix_modes_follow_diff_fix_and_unsafe_fixes() {
        let plan = Plan::new(&args(&["--diff", "--unsafe-fixes"]), &Config::default());
        assert_eq!(plan.fixing, Fixing::Diff(FixMode::Unsafe));
        let plan = Plan::new(&args(&["--fix"]), &Config::default());
        assert_eq!(plan.fixing, Fixing::Write(FixMode::Safe));
        assert_eq!(
            Plan::new(&args(&[]), &Config::default()).fixing,
            Fixing::Off
        );
    }

    #[test]
    fn build_rules_applies_severities_and_selection_in_one_set() {
        let config = Config {
            severity: vec![
                ("repeat/doubled".into(), Override::Set(Severity::Error)),
                ("field/empty-required".into(), Override::Off),
            ],
            ..Config::default()
        };
        let plan = Plan::new(&args(&["--report-unused-ignores"]), &config);
        let rules = build_rules(&plan, &config, pack(PACK)).expect("rules");
        let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["repeat/doubled", "style/unused-suppression"]);
        assert_eq!(rules.rules[0].severity, Severity::Error);
        let plan = Plan::new(&args(&["--select", "field/"]), &Config::default());
        let rules = build_rules(&plan, &Config::default(), pack(PACK)).expect("rules");
        assert_eq!(rules.rules.len(), 1);
    }

    #[test]
    fn build_rules_severity_for_an_unknown_rule_is_an_error() {
        let config = Config {
            severity: vec![("repeat/nothing".into(), Override::Off)],
            ..Config::default()
        };
        let plan = Plan::new(&args(&[]), &config);
        match build_rules(&plan, &config, pack(PACK)) {
            Err(RulesError::Config(message)) => assert!(message.contains("`repeat/nothing`")),
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn build_rules_broken_rule_file_gives_its_issues() {
        let plan = Plan::new(&args(&[]), &Config::default());
        let broken = "[[rule]]\nid = \"repeat/x\"\n";
        match build_rules(&plan, &Config::default(), pack(broken)) {
            Err(RulesError::Issues(issues)) => assert!(!issues.is_empty()),
            other => panic!("expected rule issues, got {other:?}"),
        }
    }

    #[test]
    fn build_rules_configured_field_labels_are_compiled_in_and_written_ones_stay_known() {
        let config = Config {
            required_fields: Some(vec!["来源".into()]),
            ..Config::default()
        };
        let plan = Plan::new(&args(&[]), &config);
        let rules = build_rules(&plan, &config, pack(PACK)).expect("rules");
        // `来源` is checked now; the written label `发布机构` still ends its (empty) value.
        let doc = Document::new("x.txt", "来源: 发布机构: 区政府\n".to_owned());
        let found = crate::engine::check(&doc, &rules);
        let labels: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(labels, ["来源"]);
    }

    #[test]
    fn suppression_pass_reports_unused_comments_itself() {
        let config = Config::default();
        let plan = Plan::new(&args(&["--report-unused-ignores"]), &config);
        let rules = build_rules(&plan, &config, pack(PACK)).expect("rules");
        let text = "<!-- tally-ignore: repeat/ -->\n对对\n\n<!-- tally-ignore: repeat/ -->\n好\n";
        let doc = Document::new("x.md", text.to_owned());
        let found = crate::engine::check(&doc, &rules);
        // The engine leaves the unused-suppression rule to the suppression pass.
        assert!(found.iter().all(|f| rules[f.rule].id == "repeat/doubled"));
        let kept = crate::suppress::apply(&doc, found, &rules, true, |_| true);
        let spans: Vec<(&str, &str)> = kept
            .iter()
            .map(|f| (rules[f.rule].id.as_str(), &text[f.span.clone()]))
            .collect();
        assert_eq!(
            spans,
            [("style/unused-suppression", "<!-- tally-ignore: repeat/ -->")]
        );
        assert_eq!(kept[0].span.start, text.rfind("<!--").expect("comment"));
    }

    #[test]
    fn exit_status_follows_errors_diffs_and_the_threshold() {
        let mut summary = Summary::default();
        let off = Fixing::Off;
        assert_eq!(exit_status(&summary, off, Severity::Warning), EXIT_CLEAN);
        summary.by_severity[Severity::Info as usize] = 1;
        assert_eq!(exit_status(&summary, off, Severity::Warning), EXIT_CLEAN);
        assert_eq!(exit_status(&summary, off, Severity::Info), EXIT_FINDINGS);
        let diff = Fixing::Diff(FixMode::Safe);
        assert_eq!(exit_status(&summary, diff, Severity::Info), EXIT_CLEAN);
        summary.fixed = 1;
        assert_eq!(exit_status(&summary, diff, Severity::Info), EXIT_FINDINGS);
        summary.errors = 1;
        assert_eq!(exit_status(&summary, diff, Severity::Info), EXIT_ERROR);
    }
}
