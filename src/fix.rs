//! Automatic fixes: choosing the fixes a run may apply, applying them to text or to a file's
//! bytes, writing files atomically without changing their identity, and showing them as a
//! unified diff.

use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

use crate::engine::{Applicability, Finding};
use crate::source::{decode_strict, Decoding};

/// Which fixes a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Only certain fixes.
    Safe,
    /// Certain and plausible fixes.
    Unsafe,
}

/// The findings whose fixes were applied: their indices in the order the fixes were applied,
/// with a membership test in constant time (the remaining findings are found by testing every
/// finding; with `Vec::contains` that was quadratic in the number of fixes, issue 16).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixedSet {
    order: Vec<usize>,
    member: Vec<bool>,
}

impl FixedSet {
    fn new(findings: usize) -> FixedSet {
        FixedSet {
            order: Vec::new(),
            member: vec![false; findings],
        }
    }

    fn push(&mut self, finding: usize) {
        if let Some(m) = self.member.get_mut(finding) {
            *m = true;
        }
        self.order.push(finding);
    }

    /// Number of fixed findings.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when nothing was fixed.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// True when finding `finding` was fixed.
    pub fn contains(&self, finding: &usize) -> bool {
        self.member.get(*finding).copied().unwrap_or(false)
    }

    /// The indices, in the order the fixes were applied (by position).
    pub fn as_slice(&self) -> &[usize] {
        &self.order
    }
}

/// Applies every eligible fix of `findings` (sorted by position) that does not overlap an earlier
/// one. Returns the new text and the findings that were fixed.
pub fn apply(text: &str, findings: &[Finding], mode: FixMode) -> (String, FixedSet) {
    let mut out = String::with_capacity(text.len());
    let mut fixed = FixedSet::new(findings.len());
    let mut at = 0;
    for i in order(findings) {
        let Some(fix) = &findings[i].fix else {
            continue;
        };
        let eligible = fix.applicability == Applicability::Safe || mode == FixMode::Unsafe;
        if !eligible || fix.span.start < at || fix.span.end > text.len() {
            continue;
        }
        out.push_str(&text[at..fix.span.start]);
        out.push_str(&fix.replacement);
        at = fix.span.end;
        fixed.push(i);
    }
    out.push_str(&text[at..]);
    (out, fixed)
}

/// An eligible fix that [`apply_to_bytes`] left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Index of the finding.
    pub finding: usize,
    /// Why, for the report ("`€` (U+20AC) cannot be written in this encoding").
    pub reason: String,
}

/// Fixes applied to the bytes of a file.
#[derive(Debug)]
pub struct Spliced {
    /// The original bytes with the bytes of each fixed span replaced; nothing else differs.
    pub bytes: Vec<u8>,
    /// The fixed text (what `bytes` decode to).
    pub text: String,
    /// The findings fixed.
    pub fixed: FixedSet,
    /// Fixes the file's encoding cannot hold.
    pub skipped: Vec<Skipped>,
}

/// Applies the fixes [`apply`] would apply to `original`, the bytes `text` was decoded from
/// with `decoding`: each replacement is encoded on its own in the file's encoding and put in
/// place of the bytes its span was decoded from, so that every other byte stays as it was.
/// Encoding the whole fixed text instead would change bytes no fix touches, because legacy
/// decodings are not reversible (GBK `80` and `A2E3` both decode to €; Big5-HKSCS `8862` to two
/// characters that Big5 cannot encode). A fix the encoding cannot hold is skipped and listed.
/// Fails, writing nothing, when the spliced bytes do not decode to the fixed text.
pub fn apply_to_bytes(
    original: &[u8],
    decoding: &Decoding,
    text: &str,
    findings: &[Finding],
    mode: FixMode,
) -> Result<Spliced, WriteError> {
    let mut skipped = Vec::new();
    // (finding, span, encoded replacement), in order and not overlapping.
    let mut chosen: Vec<(usize, Range<usize>, Vec<u8>)> = Vec::new();
    let mut at = 0;
    for i in order(findings) {
        let Some(fix) = &findings[i].fix else {
            continue;
        };
        let eligible = fix.applicability == Applicability::Safe || mode == FixMode::Unsafe;
        if !eligible || fix.span.start < at || text.get(fix.span.clone()).is_none() {
            continue;
        }
        match decoding.encode_piece(&fix.replacement) {
            Ok(bytes) => {
                at = fix.span.end;
                chosen.push((i, fix.span.clone(), bytes));
            }
            Err(err) => skipped.push(Skipped {
                finding: i,
                reason: err.to_string(),
            }),
        }
    }
    let offsets: Vec<usize> = chosen
        .iter()
        .flat_map(|(_, span, _)| [span.start, span.end])
        .collect();
    let bytes_at = decoding.byte_offsets(original, text, &offsets);
    let mut out = Spliced {
        bytes: Vec::with_capacity(original.len()),
        text: String::with_capacity(text.len()),
        fixed: FixedSet::new(findings.len()),
        skipped,
    };
    let (mut byte, mut char) = (0, 0);
    for (k, (i, span, replacement)) in chosen.into_iter().enumerate() {
        let (Some(start), Some(end)) = (bytes_at[2 * k], bytes_at[2 * k + 1]) else {
            out.skipped.push(Skipped {
                finding: i,
                reason: "the fix would split a byte sequence of the file".to_owned(),
            });
            continue;
        };
        out.bytes.extend_from_slice(&original[byte..start]);
        out.bytes.extend_from_slice(&replacement);
        out.text.push_str(&text[char..span.start]);
        out.text
            .push_str(findings[i].fix.as_ref().map_or("", |f| &f.replacement));
        (byte, char) = (end, span.end);
        out.fixed.push(i);
    }
    out.bytes.extend_from_slice(&original[byte..]);
    out.text.push_str(&text[char..]);
    out.skipped.sort_by_key(|s| s.finding);
    // The spliced bytes must decode to the fixed text; anything else is a bug, not a file to write.
    let body = &out.bytes[decoding.bom_len().min(out.bytes.len())..];
    if decode_strict(decoding.encoding, body).as_deref() != Ok(out.text.as_str()) {
        return Err(WriteError::Unverified);
    }
    Ok(out)
}

/// Findings in the order their fixes are applied: by span, findings without a fix first.
fn order(findings: &[Finding]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| findings[i].fix.as_ref().map(|f| (f.span.start, f.span.end)));
    order
}

/// Why a fixed file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The file changed on disk while tally was checking it.
    Changed,
    /// No write permission bit is set (mode 0444): the owner marked the file read-only. Checked
    /// on the mode bits, since root may write any file.
    ReadOnly(u32),
    /// The user may not write the file (the mode bits that apply to them forbid it).
    NotWritable,
    /// Writing the text again in the file's encoding would change bytes that no fix touches.
    Lossy {
        encoding: &'static str,
        offset: usize,
    },
    /// The new bytes did not decode to the fixed text, or the temporary copy did not read back
    /// as written.
    Unverified,
    /// Reading, writing or renaming failed.
    Io(io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Changed => write!(
                f,
                "the file changed on disk during the run; fixes not written"
            ),
            WriteError::ReadOnly(mode) => write!(
                f,
                "the file is read-only (mode {mode:04o}); fixes not written (make it writable, e.g. `chmod u+w`, to fix it)"
            ),
            WriteError::NotWritable => write!(
                f,
                "this user may not write the file; fixes not written"
            ),
            WriteError::Lossy { encoding, offset } => write!(
                f,
                "writing the fixes would change other bytes of this {encoding} file (first at byte offset {offset}, which decodes to a character {encoding} writes differently); fixes not written (see them with --diff)"
            ),
            WriteError::Unverified => write!(
                f,
                "the fixed bytes did not verify; fixes not written (please report this)"
            ),
            WriteError::Io(err) => write!(f, "cannot write fixes: {err}"),
        }
    }
}

impl From<io::Error> for WriteError {
    fn from(err: io::Error) -> Self {
        WriteError::Io(err)
    }
}

/// Writes `bytes`, the whole fixed text encoded again, over `path` with [`write_fixed`] —
/// unless encoding the text again does not reproduce `original`, as for GBK with `80` or Big5
/// with `A2A4`: then every byte outside the fixes would not be guaranteed, so nothing is
/// written ([`WriteError::Lossy`]; [`apply_to_bytes`] splices fixes into such files safely).
/// The check decodes `original` as tally does without `--encoding`.
pub fn write_atomically(path: &Path, original: &[u8], bytes: &[u8]) -> Result<(), WriteError> {
    if let Some((encoding, offset)) = Decoding::lossy_reencoding(original) {
        return Err(WriteError::Lossy { encoding, offset });
    }
    write_fixed(path, original, bytes)
}

/// Writes `bytes` over `path`, keeping the file's identity. `original` is what was read; if the
/// file no longer holds it, nothing is written.
///
/// - The new content goes to a temporary file beside the file, with its permissions and (when
///   the user may set them) its owner and group, is synced and read back, and then replaces
///   the file by a rename, so a crash leaves either the old or the new file.
/// - A symbolic link is written through: the link stays and its target gets the fixes.
/// - A file with several hard links, or whose owner or group cannot be given to the copy, is
///   instead overwritten in place once the copy has been verified (the copy is removed after).
/// - A read-only file (no write bit in its mode) is refused, even for root.
/// - SIGINT, SIGTERM and SIGHUP arriving while the temporary file exists are held until it has
///   been renamed or removed (a second one is not held), so an interrupted run leaves no
///   `.NAME.tally-PID.tmp` behind.
pub fn write_fixed(path: &Path, original: &[u8], bytes: &[u8]) -> Result<(), WriteError> {
    let current = fs::read(path)?;
    if current != original {
        return Err(WriteError::Changed);
    }
    let target = fs::canonicalize(path)?;
    let meta = fs::metadata(&target)?;
    check_writable(&target, &meta)?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tally-{}.tmp", std::process::id()));
    let held = signals::Held::new();
    let result = replace(&target, &meta, &temp, original, bytes);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    drop(held);
    result
}

fn check_writable(target: &Path, meta: &fs::Metadata) -> Result<(), WriteError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o222 == 0 {
            return Err(WriteError::ReadOnly(mode & 0o7777));
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly(0o444));
    }
    // For other users than root, the mode bits that apply; opening does not change the file.
    // (Without this, a rename would replace a file the user may not write but whose folder
    // they may, and take it over.)
    match fs::OpenOptions::new().write(true).open(target) {
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => Err(WriteError::NotWritable),
        Err(err) => Err(err.into()),
        Ok(_) => Ok(()),
    }
}

/// Puts `bytes` in place of `target` by way of `temp` (see [`write_fixed`]).
fn replace(
    target: &Path,
    meta: &fs::Metadata,
    temp: &Path,
    original: &[u8],
    bytes: &[u8],
) -> Result<(), WriteError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)?;
    file.write_all(bytes)?;
    let in_place = !same_owner(&file, meta) || several_links(meta);
    // After the owner: changing it clears the set-user-ID and set-group-ID bits.
    file.set_permissions(meta.permissions())?;
    file.sync_all()?;
    drop(file);
    if fs::read(temp)? != bytes {
        return Err(WriteError::Unverified);
    }
    if !in_place {
        fs::rename(temp, target)?;
        return Ok(());
    }
    let mut file = fs::OpenOptions::new().write(true).open(target)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.set_len(bytes.len() as u64))
        .and_then(|()| file.sync_all());
    if let Err(err) = written {
        // Put the old content back; the error is what is reported either way.
        let _ = (|| {
            let mut file = fs::OpenOptions::new().write(true).open(target)?;
            file.write_all(original)?;
            file.set_len(original.len() as u64)
        })();
        return Err(err.into());
    }
    fs::remove_file(temp)?;
    Ok(())
}

/// Gives the temporary copy the owner and group of the file; false when that is not permitted.
#[cfg(unix)]
fn same_owner(file: &fs::File, meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(mine) = file.metadata() else {
        return false;
    };
    if (mine.uid(), mine.gid()) == (meta.uid(), meta.gid()) {
        return true;
    }
    std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).is_ok()
}

#[cfg(not(unix))]
fn same_owner(_: &fs::File, _: &fs::Metadata) -> bool {
    true
}

#[cfg(unix)]
fn several_links(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
}

#[cfg(not(unix))]
fn several_links(_: &fs::Metadata) -> bool {
    false
}

/// Holding termination signals while a temporary file exists.
#[cfg(unix)]
mod signals {
    use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering::SeqCst};
    use std::sync::Once;

    /// How many [`Held`] guards are alive.
    static HOLDING: AtomicUsize = AtomicUsize::new(0);
    /// The first signal that arrived while holding, or 0.
    static PENDING: AtomicI32 = AtomicI32::new(0);
    static INSTALL: Once = Once::new();

    /// While alive, SIGINT, SIGTERM and SIGHUP wait; dropping the last guard delivers a
    /// waiting one with its default action (the process ends as it would have).
    pub struct Held(());

    impl Held {
        pub fn new() -> Held {
            INSTALL.call_once(|| {
                for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                    install(signal);
                }
            });
            HOLDING.fetch_add(1, SeqCst);
            Held(())
        }
    }

    impl Drop for Held {
        fn drop(&mut self) {
            if HOLDING.fetch_sub(1, SeqCst) == 1 {
                let signal = PENDING.swap(0, SeqCst);
                if signal != 0 {
                    end(signal);
                }
            }
        }
    }

    /// Installs the handler for `signal` unless its disposition is not the default (ignored,
    /// as under `nohup`, or handled by an embedding program), which is then left alone.
    fn install(signal: libc::c_int) {
        // SAFETY: `sigaction` with a zeroed struct queries the current disposition; the new
        // one has an empty mask and a handler that only touches atomics and calls the
        // async-signal-safe `signal` and `raise`.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction != libc::SIG_DFL
            {
                return;
            }
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            new.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut new.sa_mask);
            libc::sigaction(signal, &new, std::ptr::null_mut());
        }
    }

    extern "C" fn on_signal(signal: libc::c_int) {
        if HOLDING.load(SeqCst) > 0 && PENDING.compare_exchange(0, signal, SeqCst, SeqCst).is_ok() {
            // The guard may have been dropped meanwhile, without seeing this signal.
            if HOLDING.load(SeqCst) > 0 {
                return;
            }
        }
        end(signal);
    }

    /// Ends the process by `signal` with its default action.
    fn end(signal: libc::c_int) {
        // SAFETY: both calls are async-signal-safe and take no pointers.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}

#[cfg(not(unix))]
mod signals {
    pub struct Held(());

    impl Held {
        pub fn new() -> Held {
            Held(())
        }
    }
}

/// A unified diff of two texts, with three lines of context, labelled with `path`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    if a == b {
        return String::new();
    }
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    if a.len() == b.len() {
        // Fixes that keep the line count: one hunk per group of changed lines.
        let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for &i in &changed {
            match groups.last_mut() {
                Some((_, last)) if i - *last <= 2 * CONTEXT => *last = i,
                _ => groups.push((i, i)),
            }
        }
        for (first, last) in groups {
            let start = first.saturating_sub(CONTEXT);
            let end = (last + CONTEXT + 1).min(a.len());
            out.push_str(&format!(
                "@@ -{},{} +{},{} @@\n",
                start + 1,
                end - start,
                start + 1,
                end - start
            ));
            for i in start..end {
                if a[i] == b[i] {
                    push_line(' ', a[i], &mut out);
                } else {
                    push_line('-', a[i], &mut out);
                    push_line('+', b[i], &mut out);
                }
            }
        }
        return out;
    }
    // Otherwise one hunk around the changed region, found from both ends.
    let mut prefix = 0;
    while prefix < a.len() && prefix < b.len() && a[prefix] == b[prefix] {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < a.len() - prefix
        && suffix < b.len() - prefix
        && a[a.len() - 1 - suffix] == b[b.len() - 1 - suffix]
    {
        suffix += 1;
    }
    let start = prefix.saturating_sub(CONTEXT);
    let (end_a, end_b) = (
        (a.len() - suffix + CONTEXT).min(a.len()),
        (b.len() - suffix + CONTEXT).min(b.len()),
    );
    let after = (end_a - (a.len() - suffix)).min(end_b - (b.len() - suffix));
    out.push_str(&format!(
        "@@ -{},{} +{},{} @@\n",
        start + 1,
        a.len() - suffix + after - start,
        start + 1,
        b.len() - suffix + after - start
    ));
    for l in &a[start..prefix] {
        push_line(' ', l, &mut out);
    }
    for l in &a[prefix..a.len() - suffix] {
        push_line('-', l, &mut out);
    }
    for l in &b[prefix..b.len() - suffix] {
        push_line('+', l, &mut out);
    }
    for l in &a[a.len() - suffix..a.len() - suffix + after] {
        push_line(' ', l, &mut out);
    }
    out
}

/// Lines of context around each change.
const CONTEXT: usize = 3;

fn push_line(mark: char, line: &str, out: &mut String) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_set_keeps_order_and_answers_membership() {
        let mut set = FixedSet::new(5);
        assert!(set.is_empty() && !set.contains(&0));
        set.push(3);
        set.push(1);
        assert_eq!((set.len(), set.as_slice()), (2, [3, 1].as_slice()));
        assert!(set.contains(&1) && set.contains(&3) && !set.contains(&2) && !set.contains(&9));
    }

    #[test]
    fn diff_shows_changed_line_with_context() {
        let old = "a\nb\nc\n2020429日\nd\n";
        let new = "a\nb\nc\n2020年4月29日\nd\n";
        let diff = unified_diff("x.txt", old, new);
        assert_eq!(diff, "--- a/x.txt\n+++ b/x.txt\n@@ -1,5 +1,5 @@\n a\n b\n c\n-2020429日\n+2020年4月29日\n d\n");
        assert_eq!(unified_diff("x.txt", old, old), "");
    }

    #[test]
    fn diff_splits_distant_changes_into_hunks() {
        let old: String = (0..20).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l2\n", "L2\n").replace("l15\n", "L15\n");
        let diff = unified_diff("x", &old, &new);
        assert_eq!(diff.matches("@@ ").count(), 2, "{diff}");
        assert!(
            diff.contains("@@ -1,6 +1,6 @@\n l0\n l1\n-l2\n+L2\n"),
            "{diff}"
        );
        assert!(diff.contains("@@ -13,7 +13,7 @@\n"), "{diff}");
    }

    #[test]
    fn diff_handles_changed_line_counts() {
        let diff = unified_diff("x", "a\nb\nc\n", "a\nb1\nb2\nc\n");
        assert_eq!(
            diff,
            "--- a/x\n+++ b/x\n@@ -1,3 +1,4 @@\n a\n-b\n+b1\n+b2\n c\n"
        );
    }

    #[test]
    fn diff_marks_missing_final_newline() {
        let diff = unified_diff("x", "202117", "2021年1月7日");
        assert!(
            diff.contains("-202117\n\\ No newline at end of file\n+2021年1月7日\n"),
            "{diff}"
        );
    }
}
