//! The configuration file, `tally.toml` or `.tally.toml`: found from the current folder upward,
//! or given with `--config`, ignored with `--isolated`. Command-line flags override it.
//!
//! ```toml
//! rules = ["team-rules/"]            # extra rule files or folders, relative to this file
//! select = ["ratio/", "sum/"]        # rule-id prefixes to run (default: all)
//! ignore = ["style/"]                # rule-id prefixes to skip
//! fail-on = "warning"                # error | warning | info
//! globs = ["*.html", "!drafts/**"]   # file globs added to the defaults when walking folders
//!
//! [severity]                         # per-rule severity: error | warning | info | off
//! "style/range-hyphen" = "off"
//!
//! [per-path-ignores]                 # path glob → rule-id prefixes ("ALL" for every rule)
//! "archive/2019/**" = ["sequence/"]
//!
//! [fields]                           # labels the field rules check
//! required = ["发布机构", "生成日期", "公开日期"]
//! recommended = ["文件编号"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::rules::raw::Param;
use crate::rules::{id_matches, parse_enum, Issues, RuleIssue, Severity};

/// File names searched for, in order, in each folder from the current one upward.
pub const CONFIG_NAMES: &[&str] = &["tally.toml", ".tally.toml"];

/// Serde mirror of the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub rules: Vec<Spanned<String>>,
    pub no_default_rules: Option<bool>,
    #[serde(default)]
    pub select: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    pub fail_on: Option<Spanned<String>>,
    #[serde(default)]
    pub globs: Vec<Spanned<String>>,
    #[serde(default)]
    pub severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub per_path_ignores: BTreeMap<String, Spanned<Vec<String>>>,
    pub fields: Option<RawFields>,
}

/// `[fields]`: the labels of the field rules.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawFields {
    pub required: Option<Vec<String>>,
    pub recommended: Option<Vec<String>>,
}

/// A severity override: a new severity, or the rule switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    Set(Severity),
    Off,
}

/// The resolved configuration (before command-line flags are applied).
#[derive(Debug, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    pub rules: Vec<PathBuf>,
    pub no_default_rules: bool,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub globs: Vec<String>,
    pub severity: Vec<(String, Override)>,
    pub per_path_ignores: Vec<(String, Vec<String>)>,
    pub(crate) per_path_set: Option<GlobSet>,
    pub required_fields: Option<Vec<String>>,
    pub recommended_fields: Option<Vec<String>>,
}

/// Finds the configuration file: `explicit` if given, else the nearest `tally.toml` or
/// `.tally.toml` from `start` upward.
pub fn discover(start: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let mut dir = Some(start);
    while let Some(d) = dir {
        for name in CONFIG_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        dir = d.parent();
    }
    None
}

fn issue(
    path: &str,
    source: &Arc<str>,
    span: std::ops::Range<usize>,
    message: String,
) -> RuleIssue {
    RuleIssue {
        path: path.to_owned(),
        source: Arc::clone(source),
        span,
        message,
        help: None,
    }
}

/// Reads and checks a configuration file; every problem is returned with its position.
pub fn load(path: &Path) -> Result<Config, Vec<RuleIssue>> {
    let display = path.display().to_string();
    if let Some(why) = crate::walk::not_regular(path) {
        return Err(vec![issue(
            &display,
            &Arc::from(""),
            0..0,
            format!("cannot read the configuration file: {why}"),
        )]);
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![issue(
            &display,
            &Arc::from(""),
            0..0,
            format!("cannot read the configuration file: {e}"),
        )]
    })?;
    parse(path, &text)
}

/// Checks the text of the configuration file `path` (relative rule paths are resolved from its
/// folder); every problem is returned with its position. No IO.
pub fn parse(path: &Path, text: &str) -> Result<Config, Vec<RuleIssue>> {
    let display = path.display().to_string();
    let source: Arc<str> = Arc::from(text);
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        vec![issue(
            &display,
            &source,
            e.span().unwrap_or(0..0),
            format!("invalid configuration: {}", e.message().trim()),
        )]
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut issues = Vec::new();
    let (fail_on, severity) = {
        let mut found = Issues::new(&display, Arc::clone(&source), &mut issues);
        let fail_on = raw
            .fail_on
            .as_ref()
            .and_then(|f| parse_enum(f, "severity", Severity::NAMES, &mut found));
        let overrides: Vec<(&str, Override)> = Severity::NAMES
            .iter()
            .map(|&(name, s)| (name, Override::Set(s)))
            .chain([("off", Override::Off)])
            .collect();
        let mut severity = Vec::new();
        for (id, value) in &raw.severity {
            let what = format!("severity for `{id}`");
            if let Some(o) = parse_enum(value, &what, &overrides, &mut found) {
                severity.push((id.clone(), o));
            }
        }
        (fail_on, severity)
    };
    let mut builder = GlobSetBuilder::new();
    let mut per_path_ignores = Vec::new();
    for (glob, rules) in &raw.per_path_ignores {
        match Glob::new(glob) {
            Ok(g) => {
                builder.add(g);
                per_path_ignores.push((glob.clone(), rules.get_ref().clone()));
            }
            Err(e) => issues.push(issue(
                &display,
                &source,
                rules.span(),
                format!("invalid glob `{glob}`: {e}"),
            )),
        }
    }
    for glob in &raw.globs {
        let pattern = glob.get_ref().trim_start_matches('!');
        if let Err(e) = Glob::new(pattern) {
            issues.push(issue(
                &display,
                &source,
                glob.span(),
                format!("invalid glob: {e}"),
            ));
        }
    }
    if let Some(fields) = &raw.fields {
        for (key, labels) in [
            ("required", &fields.required),
            ("recommended", &fields.recommended),
        ] {
            if labels.as_ref().is_some_and(Vec::is_empty) {
                issues.push(issue(
                    &display,
                    &source,
                    0..0,
                    format!("`[fields] {key}` lists no label; switch the rule off in `[severity]` instead"),
                ));
            }
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    Ok(Config {
        path: Some(path.to_path_buf()),
        rules: raw.rules.iter().map(|r| base.join(r.get_ref())).collect(),
        no_default_rules: raw.no_default_rules.unwrap_or(false),
        select: raw.select.iter().map(|s| s.get_ref().clone()).collect(),
        ignore: raw.ignore.iter().map(|s| s.get_ref().clone()).collect(),
        fail_on,
        globs: raw.globs.iter().map(|g| g.get_ref().clone()).collect(),
        severity,
        per_path_ignores,
        per_path_set: builder.build().ok(),
        required_fields: raw.fields.as_ref().and_then(|f| f.required.clone()),
        recommended_fields: raw.fields.as_ref().and_then(|f| f.recommended.clone()),
    })
}

impl Config {
    /// True when the per-path ignores switch `rule` off for `path`.
    pub fn ignored_for_path(&self, path: &str, rule: &str) -> bool {
        let Some(set) = &self.per_path_set else {
            return false;
        };
        let path = path.strip_prefix("./").unwrap_or(path);
        set.matches(path).into_iter().any(|i| {
            self.per_path_ignores[i]
                .1
                .iter()
                .any(|p| id_matches(rule, p))
        })
    }

    /// The settings as TOML-like text with their origin, for `tally config`.
    pub fn describe(&self) -> String {
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut out = match &self.path {
            Some(p) => format!("# from {}\n", p.display()),
            None => "# no configuration file found: built-in defaults\n".to_owned(),
        };
        out.push_str(&format!(
            "rules = {}\nno-default-rules = {}\nselect = {}\nignore = {}\nfail-on = {:?}\nglobs = {}\n",
            list(&self.rules.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()),
            self.no_default_rules,
            list(&self.select),
            list(&self.ignore),
            self.fail_on.unwrap_or(Severity::Warning).as_str(),
            list(&self.globs)
        ));
        out.push_str("\n[severity]\n");
        for (id, o) in &self.severity {
            let value = match o {
                Override::Off => "off",
                Override::Set(s) => s.as_str(),
            };
            out.push_str(&format!("{id:?} = {value:?}\n"));
        }
        out.push_str("\n[per-path-ignores]\n");
        for (glob, rules) in &self.per_path_ignores {
            out.push_str(&format!("{glob:?} = {}\n", list(rules)));
        }
        if self.required_fields.is_some() || self.recommended_fields.is_some() {
            out.push_str("\n[fields]\n");
            if let Some(r) = &self.required_fields {
                out.push_str(&format!("required = {}\n", list(r)));
            }
            if let Some(r) = &self.recommended_fields {
                out.push_str(&format!("recommended = {}\n", list(r)));
            }
        }
        out
    }
}

/// The `[fields]` keys and the (`field`) rule whose `labels` each sets. The rule's written labels stay
/// `known` labels, so they still end the value before them. This table is the one place where
/// the configuration names rules; the rules themselves are compiled with the configured labels.
pub const FIELD_PARAMS: &[(&str, &str)] = &[
    ("required", "field/empty-required"),
    ("recommended", "field/empty-recommended"),
];

impl Config {
    /// The rule parameters the configuration sets, applied before the rules are compiled.
    pub fn params(&self) -> Vec<Param> {
        let lists = [&self.required_fields, &self.recommended_fields];
        FIELD_PARAMS
            .iter()
            .zip(lists)
            .filter_map(|((_, rule), labels)| {
                Some(Param {
                    rule: (*rule).to_owned(),
                    kind: "field".to_owned(),
                    key: "labels".to_owned(),
                    values: labels.clone()?,
                    keep_in: Some("known".to_owned()),
                })
            })
            .collect()
    }
}
