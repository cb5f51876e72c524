//! Reading one entry of a ZIP archive held in memory, guarded against malformed and hostile
//! archives (truncation, lying headers, zip bombs).
//!
//! Only what Office files need is supported: stored and deflated entries of a single-disk,
//! non-ZIP64, unencrypted archive. Every offset and length read from the archive is checked
//! against the buffer, and inflation can never produce more than the entry's declared size
//! (itself capped by [`Limits`]).

use std::fmt;

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

/// Guards applied while reading an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest uncompressed size accepted for one entry, in bytes.
    pub max_entry_size: u64,
    /// Largest ratio of uncompressed to compressed size accepted for an entry whose
    /// uncompressed size is above [`RATIO_FLOOR`] bytes (small entries may compress very well).
    pub max_ratio: u64,
    /// Largest number of entries the central directory may list.
    pub max_entries: usize,
}

/// Entries no larger than this (1 MiB uncompressed) are exempt from the ratio guard.
pub const RATIO_FLOOR: u64 = 1 << 20;

impl Default for Limits {
    /// 256 MiB per entry, ratio 200 above 1 MiB, 10 000 entries.
    fn default() -> Self {
        Limits {
            max_entry_size: 256 << 20,
            max_ratio: 200,
            max_entries: 10_000,
        }
    }
}

/// Why an entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipError {
    /// No end-of-central-directory record: not a ZIP archive at all.
    NotZip,
    /// A structure (`what`) runs past the end of the buffer.
    Truncated { what: String },
    /// The archive has no entry of that name.
    MissingEntry { name: String },
    /// A ZIP feature this reader does not implement (ZIP64, encryption, another method).
    Unsupported { what: String },
    /// The entry declares an uncompressed size above the limit.
    TooLarge { name: String, size: u64, limit: u64 },
    /// The entry declares a compression ratio above the limit.
    Ratio {
        name: String,
        ratio: u64,
        limit: u64,
    },
    /// The central directory lists more entries than the limit.
    TooManyEntries { count: u64, limit: usize },
    /// The archive's directory structures are inconsistent.
    Malformed { reason: String },
    /// The entry's headers or data are inconsistent (including output beyond its declared size).
    Corrupt { name: String, reason: String },
    /// The entry's data does not match its CRC-32.
    Crc { name: String },
}

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipError::NotZip => {
                write!(f, "not a ZIP archive (no end-of-central-directory record)")
            }
            ZipError::Truncated { what } => {
                write!(
                    f,
                    "the ZIP archive is truncated: {what} runs past the end of the file"
                )
            }
            ZipError::MissingEntry { name } => write!(f, "the archive has no `{name}`"),
            ZipError::Unsupported { what } => write!(f, "unsupported ZIP archive: {what}"),
            ZipError::TooLarge { name, size, limit } => write!(
                f,
                "`{name}` would inflate to {size} bytes, more than {limit} bytes (limit); \
                 refusing a possible zip bomb"
            ),
            ZipError::Ratio { name, ratio, limit } => write!(
                f,
                "`{name}` would inflate to {ratio} times its compressed size, more than \
                 {limit} times (limit); refusing a possible zip bomb"
            ),
            ZipError::TooManyEntries { count, limit } => write!(
                f,
                "the ZIP archive lists {count} entries, more than {limit} (limit)"
            ),
            ZipError::Malformed { reason } => write!(f, "malformed ZIP archive: {reason}"),
            ZipError::Corrupt { name, reason } => write!(f, "`{name}` is corrupt: {reason}"),
            ZipError::Crc { name } => write!(
                f,
                "`{name}` is corrupt: its data does not match its CRC-32 checksum"
            ),
        }
    }
}

impl std::error::Error for ZipError {}

const EOCD_SIG: u32 = 0x0605_4b50;
const CDH_SIG: u32 = 0x0201_4b50;
const LFH_SIG: u32 = 0x0403_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const EOCD_LEN: usize = 22;
const CDH_LEN: usize = 46;
const LFH_LEN: usize = 30;
const MAX_COMMENT: usize = 0xFFFF;

/// `len` bytes of `buf` from `at`, or `None` when they are not all there.
fn slice(buf: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    buf.get(at..at.checked_add(len)?)
}

fn u16_at(buf: &[u8], at: usize) -> Option<u16> {
    let b = slice(buf, at, 2)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(buf: &[u8], at: usize) -> Option<u32> {
    let b = slice(buf, at, 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn truncated(what: impl Into<String>) -> ZipError {
    ZipError::Truncated { what: what.into() }
}

fn malformed(reason: impl Into<String>) -> ZipError {
    ZipError::Malformed {
        reason: reason.into(),
    }
}

/// The fields of the end-of-central-directory record that matter here.
struct Eocd {
    /// Where the record starts.
    pos: usize,
    entries: u16,
    cd_size: u32,
    cd_offset: u32,
}

/// Finds the end-of-central-directory record, scanning back from the end over a comment of at
/// most 65535 bytes. A record whose comment length reaches exactly the end of the buffer is
/// preferred (a comment may itself contain the signature); otherwise the last one whose comment
/// fits is taken (some writers leave junk after the archive).
fn find_eocd(archive: &[u8]) -> Result<Eocd, ZipError> {
    let Some(last) = archive.len().checked_sub(EOCD_LEN) else {
        return Err(ZipError::NotZip);
    };
    let first = last.saturating_sub(MAX_COMMENT);
    let mut fallback = None;
    for pos in (first..=last).rev() {
        if u32_at(archive, pos) != Some(EOCD_SIG) {
            continue;
        }
        let Some(comment) = u16_at(archive, pos + 20) else {
            continue;
        };
        let end = pos + EOCD_LEN + usize::from(comment);
        if end == archive.len() {
            fallback = Some(pos);
            break;
        }
        if end < archive.len() && fallback.is_none() {
            fallback = Some(pos);
        }
    }
    let pos = fallback.ok_or(ZipError::NotZip)?;
    let field16 = |at: usize| u16_at(archive, pos + at).ok_or_else(|| truncated("the end record"));
    let field32 = |at: usize| u32_at(archive, pos + at).ok_or_else(|| truncated("the end record"));
    let disk = field16(4)?;
    let cd_disk = field16(6)?;
    let disk_entries = field16(8)?;
    let entries = field16(10)?;
    let cd_size = field32(12)?;
    let cd_offset = field32(16)?;
    let zip64_locator = pos
        .checked_sub(20)
        .and_then(|at| u32_at(archive, at))
        .is_some_and(|sig| sig == ZIP64_LOCATOR_SIG);
    if entries == 0xFFFF || cd_size == u32::MAX || cd_offset == u32::MAX {
        return Err(ZipError::Unsupported {
            what: if zip64_locator {
                "ZIP64 archives (over 65535 entries or 4 GiB) are not supported".into()
            } else {
                "the end record has ZIP64 placeholder values (ZIP64 is not supported)".into()
            },
        });
    }
    if disk != 0 || cd_disk != 0 || disk_entries != entries {
        return Err(ZipError::Unsupported {
            what: "multi-disk (split or spanned) archives are not supported".into(),
        });
    }
    Ok(Eocd {
        pos,
        entries,
        cd_size,
        cd_offset,
    })
}

/// What the central directory says about one entry.
struct CentralEntry {
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u32,
    uncompressed: u32,
    local_offset: u32,
}

/// Reads the entry `name` from `archive`, checking sizes, ratio and CRC-32.
///
/// Sizes, CRC and method come from the central directory (a local header written with a data
/// descriptor has them zero); the local header is only used to find the data and is checked
/// against the central directory.
pub fn read_entry(archive: &[u8], name: &str, limits: &Limits) -> Result<Vec<u8>, ZipError> {
    let eocd = find_eocd(archive)?;
    let count = u64::from(eocd.entries);
    if count > limits.max_entries as u64 {
        return Err(ZipError::TooManyEntries {
            count,
            limit: limits.max_entries,
        });
    }
    let cd_size = eocd.cd_size as usize;
    let cd_start = locate_central_directory(archive, &eocd)?;
    let cd = slice(archive, cd_start, cd_size).ok_or_else(|| truncated("the central directory"))?;

    let entry = find_central_entry(cd, eocd.entries, name)?;
    let ctx = |reason: &str| ZipError::Corrupt {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };

    if entry.compressed == u32::MAX
        || entry.uncompressed == u32::MAX
        || entry.local_offset == u32::MAX
    {
        return Err(ZipError::Unsupported {
            what: format!("`{name}` uses ZIP64 sizes or offsets (ZIP64 is not supported)"),
        });
    }
    if entry.flags & 0x0001 != 0 || entry.flags & 0x0040 != 0 {
        return Err(ZipError::Unsupported {
            what: format!("`{name}` is encrypted"),
        });
    }
    if entry.method != 0 && entry.method != 8 {
        return Err(ZipError::Unsupported {
            what: format!(
                "`{name}` uses compression method {} ({}); only stored (0) and deflate (8) are \
                 supported",
                entry.method,
                method_name(entry.method)
            ),
        });
    }

    let size = u64::from(entry.uncompressed);
    let compressed = u64::from(entry.compressed);
    if size > limits.max_entry_size {
        return Err(ZipError::TooLarge {
            name: name.to_owned(),
            size,
            limit: limits.max_entry_size,
        });
    }
    if size > RATIO_FLOOR {
        // A zero compressed size for a large entry is an infinite ratio.
        let ratio = size.checked_div(compressed).unwrap_or(u64::MAX);
        if ratio > limits.max_ratio {
            return Err(ZipError::Ratio {
                name: name.to_owned(),
                ratio,
                limit: limits.max_ratio,
            });
        }
    }
    if entry.method == 0 && compressed != size {
        return Err(ctx(
            "a stored entry whose compressed and uncompressed sizes differ",
        ));
    }

    // Local header: check it, skip its name and extra field (its sizes may be zero).
    let offset = usize::try_from(entry.local_offset)
        .ok()
        .and_then(|o| o.checked_add(cd_start - eocd.cd_offset as usize))
        .ok_or_else(|| truncated(format!("the local header of `{name}`")))?;
    let header = slice(archive, offset, LFH_LEN)
        .ok_or_else(|| truncated(format!("the local header of `{name}`")))?;
    if u32_at(header, 0) != Some(LFH_SIG) {
        return Err(ctx(
            "its local header is missing (bad offset in the central directory)",
        ));
    }
    let local_flags = u16_at(header, 6).unwrap_or(0);
    let local_method = u16_at(header, 8).unwrap_or(0);
    let name_len = usize::from(u16_at(header, 26).unwrap_or(0));
    let extra_len = usize::from(u16_at(header, 28).unwrap_or(0));
    if local_flags & 0x0001 != 0 {
        return Err(ZipError::Unsupported {
            what: format!("`{name}` is encrypted"),
        });
    }
    let local_name = slice(archive, offset + LFH_LEN, name_len)
        .ok_or_else(|| truncated(format!("the local header of `{name}`")))?;
    if local_name != name.as_bytes() {
        return Err(ctx(
            "its local header names another entry (bad offset in the central directory)",
        ));
    }
    if local_method != entry.method {
        return Err(ctx(
            "its local header and the central directory disagree on the compression method",
        ));
    }
    let data_start = (offset + LFH_LEN)
        .checked_add(name_len)
        .and_then(|o| o.checked_add(extra_len))
        .ok_or_else(|| truncated(format!("the data of `{name}`")))?;
    let data = slice(archive, data_start, entry.compressed as usize)
        .ok_or_else(|| truncated(format!("the data of `{name}`")))?;

    let out = match entry.method {
        0 => data.to_vec(),
        _ => {
            let size = usize::try_from(size).map_err(|_| ZipError::TooLarge {
                name: name.to_owned(),
                size,
                limit: usize::MAX as u64,
            })?;
            inflate(data, size, name)?
        }
    };
    if crc32(&out) != entry.crc {
        return Err(ZipError::Crc {
            name: name.to_owned(),
        });
    }
    Ok(out)
}

/// The names of the entries of `archive`, in central-directory order (names that are not UTF-8
/// are left out: no part of an Office file has one).
pub fn entry_names(archive: &[u8], limits: &Limits) -> Result<Vec<String>, ZipError> {
    let eocd = find_eocd(archive)?;
    let count = u64::from(eocd.entries);
    if count > limits.max_entries as u64 {
        return Err(ZipError::TooManyEntries {
            count,
            limit: limits.max_entries,
        });
    }
    let cd_start = locate_central_directory(archive, &eocd)?;
    let cd = slice(archive, cd_start, eocd.cd_size as usize)
        .ok_or_else(|| truncated("the central directory"))?;
    let mut names = Vec::new();
    walk_central_directory(cd, eocd.entries, |_, name| {
        if let Ok(name) = std::str::from_utf8(name) {
            names.push(name.to_owned());
        }
        Ok(())
    })?;
    Ok(names)
}

/// Calls `visit` with each record of the central directory `cd` and the entry name in it.
fn walk_central_directory(
    cd: &[u8],
    entries: u16,
    mut visit: impl FnMut(&[u8], &[u8]) -> Result<(), ZipError>,
) -> Result<(), ZipError> {
    let mut at = 0usize;
    for index in 0..entries {
        let record = slice(cd, at, CDH_LEN)
            .ok_or_else(|| truncated(format!("central directory record {}", index + 1)))?;
        if u32_at(record, 0) != Some(CDH_SIG) {
            return Err(malformed(format!(
                "central directory record {} has a bad signature",
                index + 1
            )));
        }
        let field16 = |o: usize| usize::from(u16_at(record, o).unwrap_or(0));
        let (name_len, extra_len, comment_len) = (field16(28), field16(30), field16(32));
        let name = slice(cd, at + CDH_LEN, name_len)
            .ok_or_else(|| truncated(format!("central directory record {}", index + 1)))?;
        visit(record, name)?;
        at = at
            .checked_add(CDH_LEN + name_len + extra_len + comment_len)
            .ok_or_else(|| truncated("the central directory"))?;
    }
    Ok(())
}

/// Where the central directory really starts. That is `cd_offset` for a well-formed archive;
/// when bytes were prepended to the archive (a self-extractor stub, a download wrapper), the
/// directory ends right before the end record and every offset is shifted by the same amount.
fn locate_central_directory(archive: &[u8], eocd: &Eocd) -> Result<usize, ZipError> {
    let declared = eocd.cd_offset as usize;
    let cd_size = eocd.cd_size as usize;
    if eocd.entries == 0 || u32_at(archive, declared) == Some(CDH_SIG) {
        return Ok(declared);
    }
    let shifted = eocd
        .pos
        .checked_sub(cd_size)
        .filter(|&start| start > declared && u32_at(archive, start) == Some(CDH_SIG));
    match shifted {
        Some(start) => Ok(start),
        None if declared
            .checked_add(cd_size)
            .is_none_or(|end| end > archive.len()) =>
        {
            Err(truncated("the central directory"))
        }
        None => Err(malformed(
            "the end record does not point at a central directory",
        )),
    }
}

/// Walks the central directory for `name`; a name listed twice is refused, since readers
/// disagree on which copy wins.
fn find_central_entry(cd: &[u8], entries: u16, name: &str) -> Result<CentralEntry, ZipError> {
    let mut found = None;
    walk_central_directory(cd, entries, |record, entry_name| {
        if entry_name != name.as_bytes() {
            return Ok(());
        }
        if found.is_some() {
            return Err(ZipError::Corrupt {
                name: name.to_owned(),
                reason: "the archive lists two entries of this name".into(),
            });
        }
        let field16 = |o: usize| u16_at(record, o).unwrap_or(0);
        let field32 = |o: usize| u32_at(record, o).unwrap_or(0);
        if field16(34) != 0 {
            return Err(ZipError::Unsupported {
                what: "multi-disk (split or spanned) archives are not supported".into(),
            });
        }
        found = Some(CentralEntry {
            flags: field16(8),
            method: field16(10),
            crc: field32(16),
            compressed: field32(20),
            uncompressed: field32(24),
            local_offset: field32(42),
        });
        Ok(())
    })?;
    found.ok_or_else(|| ZipError::MissingEntry {
        name: name.to_owned(),
    })
}

/// Inflates raw deflate `data` that must produce exactly `size` bytes. The output buffer has
/// room for one byte more, so a stream that would produce more (a lying header, a bomb) is
/// caught after `size + 1` bytes without inflating the rest.
fn inflate(data: &[u8], size: usize, name: &str) -> Result<Vec<u8>, ZipError> {
    let corrupt = |reason: String| ZipError::Corrupt {
        name: name.to_owned(),
        reason,
    };
    let cap = size
        .checked_add(1)
        .ok_or_else(|| corrupt("its declared size is too large".into()))?;
    let mut out = vec![0u8; cap];
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut input = data;
    let mut written = 0usize;
    loop {
        let (status, consumed, produced) = decompress(&mut state, input, &mut out, written, flags);
        written = written.saturating_add(produced).min(cap);
        input = input.get(consumed..).unwrap_or(&[]);
        match status {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput if written >= cap => {
                return Err(corrupt(format!(
                    "it inflates to more than the {size} bytes its header declares; refusing a \
                     possible zip bomb"
                )))
            }
            // Output space is left: call again, as long as something moves.
            TINFLStatus::HasMoreOutput if consumed > 0 || produced > 0 => {}
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                return Err(corrupt("its compressed data ends too early".into()))
            }
            _ => return Err(corrupt("its compressed data is not valid deflate".into())),
        }
    }
    if written != size {
        return Err(corrupt(format!(
            "it inflates to {written} bytes but its header declares {size}"
        )));
    }
    out.truncate(size);
    Ok(out)
}

fn method_name(method: u16) -> &'static str {
    match method {
        1 => "shrink",
        6 => "implode",
        9 => "deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        95 => "XZ",
        98 => "PPMd",
        99 => "AES encryption",
        _ => "unknown",
    }
}

/// CRC-32 lookup tables (IEEE polynomial, reflected) for slicing by 8 bytes.
const CRC_TABLES: [[u32; 256]; 8] = {
    let mut tables = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        tables[0][i] = c;
        i += 1;
    }
    let mut t = 1;
    while t < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = tables[t - 1][i];
            tables[t][i] = (prev >> 8) ^ tables[0][(prev & 0xFF) as usize];
            i += 1;
        }
        t += 1;
    }
    tables
};

/// The CRC-32 (IEEE 802.3, as used by ZIP) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut crc = !0u32;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let lo = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        crc = t[7][(lo & 0xFF) as usize]
            ^ t[6][((lo >> 8) & 0xFF) as usize]
            ^ t[5][((lo >> 16) & 0xFF) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][c[4] as usize]
            ^ t[2][c[5] as usize]
            ^ t[1][c[6] as usize]
            ^ t[0][c[7] as usize];
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ t[0][((crc ^ u32::from(b)) & 0xFF) as usize];
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::super::docx_writer;
    use super::*;

    /// A small deterministic generator (xorshift64*), for noise and fuzzing.
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Rng(seed.max(1))
        }
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| (self.next() >> 32) as u8).collect()
        }
    }

    fn read(archive: &[u8], name: &str) -> Result<Vec<u8>, ZipError> {
        read_entry(archive, name, &Limits::default())
    }

    /// Offset of the central directory record of `name`.
    fn central_record(archive: &[u8], name: &str) -> usize {
        let eocd = find_eocd(archive).expect("an end record");
        let mut at = eocd.cd_offset as usize;
        loop {
            let n = usize::from(u16_at(archive, at + 28).expect("record"));
            let e = usize::from(u16_at(archive, at + 30).expect("record"));
            let c = usize::from(u16_at(archive, at + 32).expect("record"));
            if &archive[at + CDH_LEN..at + CDH_LEN + n] == name.as_bytes() {
                return at;
            }
            at += CDH_LEN + n + e + c;
        }
    }

    fn local_header(archive: &[u8], name: &str) -> usize {
        u32_at(archive, central_record(archive, name) + 42).expect("offset") as usize
    }

    fn put_u16(archive: &mut [u8], at: usize, v: u16) {
        archive[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }

    fn put_u32(archive: &mut [u8], at: usize, v: u32) {
        archive[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// Sets a field in both the central record (at `central`) and local header (at `local`).
    fn patch_u32(archive: &mut [u8], name: &str, central: usize, local: usize, v: u32) {
        let c = central_record(archive, name);
        let l = local_header(archive, name);
        put_u32(archive, c + central, v);
        put_u32(archive, l + local, v);
    }

    fn patch_u16(archive: &mut [u8], name: &str, central: usize, local: usize, v: u16) {
        let c = central_record(archive, name);
        let l = local_header(archive, name);
        put_u16(archive, c + central, v);
        put_u16(archive, l + local, v);
    }

    fn sample() -> Vec<u8> {
        docx_writer::zip(&[
            ("a.txt", b"first entry", false),
            (
                "dir/b.xml",
                "<x>second, deflated 第二</x>".repeat(50).as_bytes(),
                true,
            ),
            ("c.bin", &[7u8; 3000], true),
            ("d.txt", b"", false),
            ("e.txt", b"", true),
        ])
    }

    #[test]
    fn crc32_matches_the_check_value_and_the_bitwise_version() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        let mut rng = Rng::new(7);
        for len in [1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099] {
            let data = rng.bytes(len);
            assert_eq!(crc32(&data), docx_writer::crc32(&data), "length {len}");
        }
    }

    #[test]
    fn reads_stored_and_deflated_entries_past_others() {
        let z = sample();
        assert_eq!(read(&z, "a.txt").unwrap(), b"first entry");
        assert_eq!(
            read(&z, "dir/b.xml").unwrap(),
            "<x>second, deflated 第二</x>".repeat(50).as_bytes()
        );
        assert_eq!(read(&z, "c.bin").unwrap(), vec![7u8; 3000]);
        assert_eq!(read(&z, "d.txt").unwrap(), b"");
        assert_eq!(read(&z, "e.txt").unwrap(), b"");
    }

    #[test]
    fn names_match_exactly() {
        let z = sample();
        for name in ["A.TXT", "a.tx", "a.txt ", "/a.txt", "dir/", "b.xml", ""] {
            assert_eq!(
                read(&z, name),
                Err(ZipError::MissingEntry { name: name.into() })
            );
        }
        assert_eq!(
            read(&z, "x").unwrap_err().to_string(),
            "the archive has no `x`"
        );
    }

    #[test]
    fn end_record_with_a_comment() {
        let mut z = sample();
        // A comment that itself holds an end-record signature must not be taken for one.
        let mut comment = b"made by a test ".to_vec();
        comment.extend_from_slice(&EOCD_SIG.to_le_bytes());
        comment.extend_from_slice(&[0u8; 30]);
        let n = z.len();
        put_u16(&mut z, n - 2, comment.len() as u16);
        z.extend_from_slice(&comment);
        assert_eq!(read(&z, "a.txt").unwrap(), b"first entry");

        // The longest comment there can be.
        let mut z = sample();
        let n = z.len();
        put_u16(&mut z, n - 2, 0xFFFF);
        z.extend(std::iter::repeat_n(b'#', 0xFFFF));
        assert_eq!(read(&z, "c.bin").unwrap(), vec![7u8; 3000]);
    }

    #[test]
    fn junk_after_the_archive_and_a_prepended_stub_are_tolerated() {
        let mut z = sample();
        z.extend_from_slice(b"trailing junk");
        assert_eq!(read(&z, "a.txt").unwrap(), b"first entry");

        let mut stub = b"#!/bin/sh\necho self-extractor\nexit 0\n".to_vec();
        stub.extend_from_slice(&sample());
        assert_eq!(
            read(&stub, "dir/b.xml").unwrap().len(),
            50 * "<x>second, deflated 第二</x>".len()
        );
    }

    #[test]
    fn sizes_come_from_the_central_directory() {
        // As written with a data descriptor: zero CRC and sizes in the local header.
        let mut z = sample();
        let l = local_header(&z, "dir/b.xml");
        for field in [14, 18, 22] {
            put_u32(&mut z, l + field, 0);
        }
        patch_u16(&mut z, "dir/b.xml", 8, 6, 0x0808);
        assert_eq!(
            read(&z, "dir/b.xml").unwrap().len(),
            50 * "<x>second, deflated 第二</x>".len()
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let z = sample();
        for n in 0..z.len() {
            for name in ["a.txt", "c.bin"] {
                assert!(read(&z[..n], name).is_err(), "prefix of {n} bytes");
            }
        }
        assert_eq!(read(&z[..z.len() - 1], "a.txt"), Err(ZipError::NotZip));
    }

    #[test]
    fn a_central_directory_cut_short_is_truncated() {
        let mut z = sample();
        // The end record claims a larger directory than there is.
        let eocd = find_eocd(&z).unwrap().pos;
        let size = u32_at(&z, eocd + 12).unwrap();
        put_u32(&mut z, eocd + 12, size + 1000);
        assert!(matches!(read(&z, "a.txt"), Err(ZipError::Truncated { .. })));
        // Or an entry's data running past the end.
        let mut z = sample();
        let c = central_record(&z, "c.bin");
        put_u32(&mut z, c + 20, 1 << 20);
        put_u32(&mut z, c + 24, 1 << 20);
        let err = read(&z, "c.bin").unwrap_err();
        assert!(matches!(err, ZipError::Truncated { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "the ZIP archive is truncated: the data of `c.bin` runs past the end of the file"
        );
    }

    #[test]
    fn a_flipped_byte_in_compressed_data_is_an_error() {
        let z = sample();
        let l = local_header(&z, "dir/b.xml");
        let data = l + LFH_LEN + "dir/b.xml".len();
        let c = central_record(&z, "dir/b.xml");
        let compressed = u32_at(&z, c + 20).unwrap() as usize;
        for i in 0..compressed {
            for bit in [0x01, 0x10, 0x80] {
                let mut bad = z.clone();
                bad[data + i] ^= bit;
                match read(&bad, "dir/b.xml") {
                    Err(ZipError::Crc { .. } | ZipError::Corrupt { .. }) => {}
                    other => panic!("byte {i} bit {bit:#x}: {other:?}"),
                }
            }
        }
        let mut bad = z.clone();
        bad[data + compressed / 2] ^= 0x04;
        let err = read(&bad, "dir/b.xml").unwrap_err();
        assert!(
            err.to_string().starts_with("`dir/b.xml` is corrupt"),
            "{err}"
        );
    }

    #[test]
    fn a_flipped_byte_anywhere_never_panics() {
        let z = sample();
        for i in 0..z.len() {
            for bit in [0x01, 0x80] {
                let mut bad = z.clone();
                bad[i] ^= bit;
                for name in ["a.txt", "dir/b.xml", "c.bin"] {
                    let _ = read(&bad, name);
                }
            }
        }
    }

    #[test]
    fn random_bytes_are_not_a_zip() {
        let mut rng = Rng::new(42);
        for len in [0, 1, 21, 22, 100, 5000, 70_000] {
            let junk = rng.bytes(len);
            assert_eq!(read(&junk, "word/document.xml"), Err(ZipError::NotZip));
        }
        assert_eq!(
            ZipError::NotZip.to_string(),
            "not a ZIP archive (no end-of-central-directory record)"
        );
    }

    #[test]
    fn random_mutations_never_panic() {
        let z = sample();
        let mut rng = Rng::new(3);
        for _ in 0..3000 {
            let mut bad = z.clone();
            for _ in 0..1 + rng.next() % 8 {
                let i = (rng.next() % bad.len() as u64) as usize;
                bad[i] = rng.next() as u8;
            }
            let cut = rng
                .next()
                .is_multiple_of(4)
                .then(|| (rng.next() % bad.len() as u64) as usize);
            let bad = &bad[..cut.unwrap_or(bad.len())];
            for name in ["a.txt", "dir/b.xml", "c.bin", "e.txt"] {
                let _ = read(bad, name);
            }
        }
    }

    #[test]
    fn a_zip_bomb_is_refused_by_the_ratio_guard() {
        let zeros = vec![0u8; 50 << 20];
        let z = docx_writer::zip(&[("word/document.xml", &zeros, true)]);
        assert!(z.len() < 200_000, "{} bytes", z.len());
        let err = read(&z, "word/document.xml").unwrap_err();
        match &err {
            ZipError::Ratio { ratio, limit, .. } => {
                assert!(*ratio > 200, "{ratio}");
                assert_eq!(*limit, 200);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string().contains("refusing a possible zip bomb"),
            "{err}"
        );
        // The same entry is fine when the caller allows the ratio.
        let lenient = Limits {
            max_ratio: 10_000,
            ..Limits::default()
        };
        assert_eq!(
            read_entry(&z, "word/document.xml", &lenient).unwrap().len(),
            50 << 20
        );
    }

    #[test]
    fn a_declared_size_above_the_limit_is_refused() {
        let z = docx_writer::zip(&[("word/document.xml", &[b'x'; 5000], true)]);
        let small = Limits {
            max_entry_size: 4096,
            ..Limits::default()
        };
        let err = read_entry(&z, "word/document.xml", &small).unwrap_err();
        assert_eq!(
            err,
            ZipError::TooLarge {
                name: "word/document.xml".into(),
                size: 5000,
                limit: 4096
            }
        );
        assert_eq!(
            err.to_string(),
            "`word/document.xml` would inflate to 5000 bytes, more than 4096 bytes (limit); \
             refusing a possible zip bomb"
        );
    }

    #[test]
    fn a_lying_header_is_stopped_at_the_declared_size() {
        // 10 MB of text declared as 1000 bytes (with a ratio the guard accepts).
        let big = "lorem ipsum dolor ".repeat(600_000);
        let mut z = docx_writer::zip(&[("big.txt", big.as_bytes(), true)]);
        patch_u32(&mut z, "big.txt", 24, 22, 1000);
        let err = read(&z, "big.txt").unwrap_err();
        assert!(matches!(err, ZipError::Corrupt { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("inflates to more than the 1000 bytes its header declares"),
            "{err}"
        );
        // A header declaring more than there is.
        let mut z = docx_writer::zip(&[("small.txt", b"abc abc abc abc", true)]);
        patch_u32(&mut z, "small.txt", 24, 22, 100);
        let err = read(&z, "small.txt").unwrap_err();
        assert!(
            err.to_string()
                .contains("inflates to 15 bytes but its header declares 100"),
            "{err}"
        );
    }

    #[test]
    fn a_deflate_stream_cut_short_is_corrupt() {
        let text = "some text that compresses somewhat, 一些文字 ".repeat(200);
        let mut z = docx_writer::zip(&[("t.txt", text.as_bytes(), true)]);
        let c = central_record(&z, "t.txt");
        let compressed = u32_at(&z, c + 20).unwrap();
        put_u32(&mut z, c + 20, compressed / 2);
        let err = read(&z, "t.txt").unwrap_err();
        assert!(err.to_string().contains("ends too early"), "{err}");
    }

    #[test]
    fn too_many_entries_are_refused() {
        let z = sample();
        let few = Limits {
            max_entries: 3,
            ..Limits::default()
        };
        assert_eq!(
            read_entry(&z, "a.txt", &few),
            Err(ZipError::TooManyEntries { count: 5, limit: 3 })
        );
    }

    #[test]
    fn unsupported_features_are_named() {
        let mut z = sample();
        patch_u16(&mut z, "c.bin", 10, 8, 14);
        let err = read(&z, "c.bin").unwrap_err();
        assert!(matches!(err, ZipError::Unsupported { .. }));
        assert!(
            err.to_string().contains("compression method 14 (LZMA)"),
            "{err}"
        );

        let mut z = sample();
        patch_u16(&mut z, "c.bin", 8, 6, 0x0801);
        assert!(read(&z, "c.bin")
            .unwrap_err()
            .to_string()
            .contains("is encrypted"));

        let mut z = sample();
        let c = central_record(&z, "c.bin");
        put_u32(&mut z, c + 24, u32::MAX);
        assert!(read(&z, "c.bin").unwrap_err().to_string().contains("ZIP64"));

        let mut z = sample();
        let eocd = find_eocd(&z).unwrap().pos;
        put_u16(&mut z, eocd + 10, 0xFFFF);
        assert!(read(&z, "c.bin").unwrap_err().to_string().contains("ZIP64"));

        let mut z = sample();
        let eocd = find_eocd(&z).unwrap().pos;
        put_u16(&mut z, eocd + 4, 1);
        assert!(read(&z, "c.bin")
            .unwrap_err()
            .to_string()
            .contains("multi-disk"));
    }

    #[test]
    fn inconsistent_headers_are_corrupt() {
        let dup = docx_writer::zip(&[("a", b"1", false), ("a", b"2", false)]);
        assert!(read(&dup, "a")
            .unwrap_err()
            .to_string()
            .contains("two entries"));

        // A stored entry whose sizes disagree.
        let mut z = sample();
        let c = central_record(&z, "a.txt");
        put_u32(&mut z, c + 24, 5);
        assert!(matches!(read(&z, "a.txt"), Err(ZipError::Corrupt { .. })));

        // A central record pointing at the wrong local header.
        let mut z = sample();
        let other = local_header(&z, "c.bin") as u32;
        let c = central_record(&z, "a.txt");
        put_u32(&mut z, c + 42, other);
        assert!(read(&z, "a.txt")
            .unwrap_err()
            .to_string()
            .contains("names another entry"));

        // Altered stored data fails the CRC.
        let mut z = sample();
        let l = local_header(&z, "a.txt");
        z[l + LFH_LEN + 5] ^= 0x20;
        assert_eq!(
            read(&z, "a.txt"),
            Err(ZipError::Crc {
                name: "a.txt".into()
            })
        );
    }
}
