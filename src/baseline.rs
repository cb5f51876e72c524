//! Baselines: fingerprints of findings that survive unrelated edits, so that a repository can adopt
//! tally and be told only about new findings.
//!
//! A fingerprint is the rule id, the matched text with whitespace normalised, and the occurrence
//! index of that (rule, text) pair in the document — never a line number, which moves whenever a
//! line is added above. The fingerprints of the machine outputs add the file's path.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::Finding;
use crate::engine::RuleSet;
use crate::source::Document;

/// The baseline file format version.
pub const BASELINE_VERSION: u32 = 1;

/// 64-bit FNV-1a: small, stable across platforms and releases.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Fingerprints of a document's findings, in the same order, without the path: a baseline keys
/// them by path already, and SARIF's `partialFingerprints` are combined with the location by
/// their consumers.
pub fn fingerprints(doc: &Document, findings: &[Finding], rules: &RuleSet) -> Vec<String> {
    prints(None, doc, findings, rules)
}

/// Fingerprints that also name the file (its [`key`]), as JSON, JSON Lines and SARIF
/// `fingerprints` report them: the same finding has the same fingerprint in every run and format,
/// and two findings of one run never share one.
pub fn output_fingerprints(doc: &Document, findings: &[Finding], rules: &RuleSet) -> Vec<String> {
    prints(Some(key(&doc.path)), doc, findings, rules)
}

fn prints(
    path: Option<&str>,
    doc: &Document,
    findings: &[Finding],
    rules: &RuleSet,
) -> Vec<String> {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let rule = rules[f.rule].id.clone();
            let text: String = doc.text[f.span.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let n = seen.entry((rule.clone(), text.clone())).or_insert(0);
            let index = *n;
            *n += 1;
            let key = match path {
                None => format!("{rule}\u{0}{text}\u{0}{index}"),
                Some(path) => format!("{path}\u{0}{rule}\u{0}{text}\u{0}{index}"),
            };
            format!("{:016x}", fnv1a(key.as_bytes()))
        })
        .collect()
}

/// The key of a document in a baseline: its path without a leading `./`, so that `tally check .`
/// and `tally check docs/` agree.
pub fn key(path: &str) -> &str {
    path.strip_prefix("./").unwrap_or(path)
}

/// A baseline file: for each path, the fingerprints of its accepted findings.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub files: BTreeMap<String, Vec<String>>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: invalid baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if baseline.version != BASELINE_VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (expected {BASELINE_VERSION}); write it again with --write-baseline",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Removes the findings the baseline accepts (each fingerprint accepts one finding).
    pub fn filter(&self, doc: &Document, findings: Vec<Finding>, rules: &RuleSet) -> Vec<Finding> {
        let Some(accepted) = self.files.get(key(&doc.path)) else {
            return findings;
        };
        let prints = fingerprints(doc, &findings, rules);
        findings
            .into_iter()
            .zip(prints)
            .filter(|(_, print)| !accepted.contains(print))
            .map(|(f, _)| f)
            .collect()
    }
}
