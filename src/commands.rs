//! The subcommands: `check`, `rules`, `explain`, `test`, `config`, `extract`, `completions`, `man`.

use std::io::{self, Write};

use crate::cli::{ConfigArgs, RuleArgs};
use crate::engine::{self, RuleSet};
use crate::report::human::render_rule_issues;
use crate::startup::{load_config, parse_encoding, stderr_color};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub use crate::check::check;

/// `tally config`.
pub fn show_config(args: &ConfigArgs) -> u8 {
    match load_config(args) {
        Ok(config) => {
            let _ = io::stdout().lock().write_all(config.describe().as_bytes());
            EXIT_CLEAN
        }
        Err(code) => code,
    }
}

/// `tally completions SHELL`: the completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut command, "tally", &mut out);
    EXIT_CLEAN
}

/// `tally man [SUBCOMMAND]`: the man page (roff) of tally or of one subcommand on stdout.
pub fn man(subcommand: Option<&str>) -> u8 {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    command.build();
    let page = match subcommand {
        None => clap_mangen::Man::new(command),
        Some(name) => match command.find_subcommand(name) {
            // `tally-check(1)`, as git and cargo name their subcommands' pages.
            Some(sub) => {
                let sub = sub
                    .clone()
                    .bin_name(format!("tally {name}"))
                    .version(env!("CARGO_PKG_VERSION"));
                clap_mangen::Man::new(sub).title(format!("tally-{name}"))
            }
            None => {
                eprintln!("error: no subcommand `{name}` (`tally --help` lists them)");
                return EXIT_ERROR;
            }
        },
    };
    let mut roff = Vec::new();
    if let Err(err) = page.render(&mut roff) {
        eprintln!("error: cannot render the man page: {err}");
        return EXIT_ERROR;
    }
    let _ = io::stdout().lock().write_all(&roff);
    EXIT_CLEAN
}

/// Loads rules or prints every rule-file issue to stderr.
fn load(args: &RuleArgs) -> Result<RuleSet, u8> {
    if let Err(err) = crate::statement::lexicon::install_paths(&args.lexicon) {
        eprintln!("error: {err}");
        return Err(EXIT_ERROR);
    }
    engine::load_rules(args.no_default_rules, &args.rules).map_err(|issues| {
        eprint!("{}", render_rule_issues(&issues, stderr_color()));
        EXIT_ERROR
    })
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
            rule.kind_name,
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
        rule.kind_name,
        rule.severity.as_str(),
        rule.scope.as_str(),
        rule.origin,
        rule.description.trim_end()
    );
    text.push_str(&format!("\nmessage: {}\n", rule.message));
    if let Some(url) = &rule.url {
        text.push_str(&format!("more: {url}\n"));
    }
    if let Some(params) = crate::docs::rule_params(rule) {
        text.push_str("\nparameters:\n");
        for line in params.lines() {
            text.push_str(&format!("  {line}\n"));
        }
    }
    let ex = &rule.examples;
    if !ex.invalid.is_empty() || !ex.cases.is_empty() {
        text.push_str("\nflagged:\n");
        for e in &ex.invalid {
            text.push_str(&format!("  ✗ {}\n", crate::docs::shown_example(e)));
        }
        for c in ex.cases.iter().filter(|c| !c.expect.is_empty()) {
            let shown = crate::docs::shown_example(&c.text);
            text.push_str(&format!("  ✗ {shown}   → {}\n", c.expect.join(", ")));
        }
    }
    if !ex.valid.is_empty() {
        text.push_str("\nnot flagged:\n");
        for e in &ex.valid {
            text.push_str(&format!("  ✓ {}\n", crate::docs::shown_example(e)));
        }
    }
    let _ = io::stdout().lock().write_all(text.as_bytes());
    EXIT_CLEAN
}

/// `tally test`.
pub fn test(
    paths: &[std::path::PathBuf],
    no_default_rules: bool,
    lexicon: &[std::path::PathBuf],
) -> u8 {
    let args = RuleArgs {
        rules: paths.to_vec(),
        no_default_rules,
        lexicon: lexicon.to_vec(),
    };
    let rules = match load(&args) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut passed = 0;
    let mut failed = 0;
    let mut out = io::stdout().lock();
    for id in rules.ids() {
        let (count, failures) = crate::harness::test_rule(&rules, id);
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

/// `tally extract`: the text (or the tables) each file gives the rules.
pub fn extract(paths: &[std::path::PathBuf], encoding: Option<&str>, tables: bool) -> u8 {
    use std::io::{Read, Write};

    use crate::source::{self, tables::Grid, Loaded};

    let Ok(forced) = parse_encoding(encoding) else {
        return EXIT_ERROR;
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut status = crate::EXIT_CLEAN;
    for path in paths {
        let shown = path.display().to_string();
        let loaded = if shown == "-" {
            let mut bytes = Vec::new();
            match std::io::stdin().read_to_end(&mut bytes) {
                Ok(_) => source::load_bytes_as("-", &bytes, forced).map(|l| (l, bytes)),
                Err(err) => Err(source::SourceError::Io(err.to_string())),
            }
        } else {
            source::load_file(path, &shown, forced)
        };
        let doc = match loaded {
            Ok((Loaded::Text(doc), _)) => doc,
            Ok((Loaded::Binary, _)) => {
                eprintln!("{shown}: skipped: binary file");
                continue;
            }
            Err(err) => {
                eprintln!("{shown}: error: {err}");
                status = EXIT_ERROR;
                continue;
            }
        };
        if paths.len() > 1 {
            let _ = writeln!(out, "==> {shown} <==");
        }
        let written = if tables {
            let mut text = String::new();
            for (i, table) in doc.all_tables().iter().enumerate() {
                let grid = Grid::new(table);
                text.push_str(&format!(
                    "# table {} ({} rows × {} columns)\n",
                    i + 1,
                    grid.rows.len(),
                    grid.columns
                ));
                for row in &grid.rows {
                    let cells: Vec<&str> = row
                        .iter()
                        .map(|s| s.as_ref().map_or("", |s| doc.text[s.span.clone()].trim()))
                        .collect();
                    text.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
            }
            out.write_all(text.as_bytes())
        } else {
            out.write_all(doc.text.as_bytes())
        };
        if written.is_err() {
            return EXIT_ERROR;
        }
    }
    let _ = out.flush();
    status
}
