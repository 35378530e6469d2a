//! File helpers: cargo's home directory, atomic writes (temporary file in the same directory, then rename), so a
//! crash or an error never leaves half a file behind.

use crate::error::{Error, Result};
use camino::{Utf8Path, Utf8PathBuf};
use std::io::Write;

/// Writes `contents` to `path` atomically: a temporary file in the same directory
/// (`.cargo-cra-<pid>-<random>.tmp`) is written, flushed to disk, renamed over `path`, and the
/// directory is flushed too, so that the rename itself survives a crash. Readers see the old
/// file or the new one, never a part; a run killed meanwhile leaves at most its temporary
/// file, which the next write into that directory removes ([`remove_stale_temps`]).
pub fn write_atomic(path: &Utf8Path, contents: &[u8]) -> Result<()> {
    write_atomic_with_mode(path, contents, None)
}

/// Like [`write_atomic`], with Unix permission bits set on the file before it appears
/// (for private keys: 0o600).
pub fn write_atomic_with_mode(path: &Utf8Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_str().is_empty() => p,
        _ => Utf8Path::new("."),
    };
    remove_stale_temps(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| Error::write(path, e))?;
    // The temporary file starts out 0600; a published file (SBOM, signature) is world-readable
    // like any file cargo writes, unless the caller asks for a mode (private keys: 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = mode.unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::write(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    match slow_writes() {
        None => tmp.write_all(contents).map_err(|e| Error::write(path, e))?,
        Some(pause) => {
            let (a, b) = contents.split_at(contents.len() / 2);
            tmp.write_all(a).map_err(|e| Error::write(path, e))?;
            tmp.flush().map_err(|e| Error::write(path, e))?;
            std::thread::sleep(pause);
            tmp.write_all(b).map_err(|e| Error::write(path, e))?;
        }
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::write(path, e))?;
    if let Some(pause) = slow_writes() {
        std::thread::sleep(pause);
    }
    tmp.persist(path).map_err(|e| Error::write(path, e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Name prefix of the atomic writer's temporary files.
pub const TEMP_PREFIX: &str = ".cargo-cra-";
/// Name suffix of the atomic writer's temporary files.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Test hook: `CARGO_CRA_TEST_SLOW_WRITES=<ms>` pauses each atomic write halfway through the
/// temporary file and again before the rename, so that the crash-safety test can kill a run
/// in the middle of a write. Unset (always, outside that test), writes run at full speed.
fn slow_writes() -> Option<std::time::Duration> {
    static PAUSE: std::sync::OnceLock<Option<std::time::Duration>> = std::sync::OnceLock::new();
    *PAUSE.get_or_init(|| {
        std::env::var("CARGO_CRA_TEST_SLOW_WRITES")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(std::time::Duration::from_millis)
    })
}

/// Flushes a directory's entries (the rename) to disk. Best effort: not every platform or
/// file system can open or sync a directory, and the file's own data is already on disk.
fn sync_dir(dir: &Utf8Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Removes the temporary files that killed runs left in `dir` (once per directory and
/// process): `.cargo-cra-<pid>-*.tmp` whose process is gone (Linux, where `/proc` tells), or
/// that are older than an hour (an atomic write takes milliseconds). A live run's temporary
/// file is never touched. Readers never open these names, so one left behind is harmless
/// until then.
pub fn remove_stale_temps(dir: &Utf8Path) {
    static CLEANED: std::sync::Mutex<Vec<Utf8PathBuf>> = std::sync::Mutex::new(Vec::new());
    {
        let mut cleaned = CLEANED.lock().unwrap_or_else(|e| e.into_inner());
        if cleaned.iter().any(|d| d == dir) {
            return;
        }
        cleaned.push(dir.to_path_buf());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    let proc_fs = std::path::Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .filter(|n| n.ends_with(TEMP_SUFFIX))
        else {
            continue;
        };
        let pid = rest
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let gone = pid.is_some_and(|pid| {
            pid != me && proc_fs && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        });
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if (gone || old) && pid != Some(me) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Reads a UTF-8 file, mapping errors to [`Error::Io`] / [`Error::Malformed`] naming the file.
pub fn read_to_string(path: &Utf8Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    String::from_utf8(bytes).map_err(|_| Error::malformed(path, "file is not valid UTF-8"))
}

/// Renders a TOML deserialization error as `line:col: message` for `path`'s `contents`.
pub fn toml_error(path: &Utf8Path, contents: &str, err: &toml::de::Error) -> Error {
    let msg = toml_words(err.message().trim());
    match err.span() {
        Some(span) => {
            let (line, col) = line_col(contents, span.start);
            let src = contents.lines().nth(line - 1).unwrap_or("").trim_end();
            Error::malformed(
                format!("{path}:{line}:{col}"),
                format!("{msg}\n     |\n{line:>4} | {src}"),
            )
        }
        None => Error::malformed(path, msg),
    }
}

/// Rewrites serde's type vocabulary in a deserialization message into TOML's ("a sequence"
/// is "an array", "struct RawIgnore" is "a table"), so no message names an internal type.
pub fn toml_words(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    // `expected struct Name` / `expected enum Name`: the Rust type's name goes.
    while let Some(i) = rest.find("struct ").or_else(|| rest.find("enum ")) {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let is_struct = after.starts_with("struct ");
        let after = &after[if is_struct { 7 } else { 5 }..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        out.push_str(if is_struct { "a table" } else { "a string" });
        rest = &after[end..];
    }
    out.push_str(rest);
    let mut s = out;
    for (from, to) in [
        ("a sequence", "an array"),
        ("sequence", "array"),
        ("a map", "a table"),
        ("a boolean", "true or false"),
        ("boolean `", "`"),
        ("i64", "an integer"),
        ("u64", "an integer"),
        ("u32", "an integer"),
        ("i32", "an integer"),
        ("usize", "an integer"),
        ("f64", "a number"),
        ("f32", "a number"),
        ("invalid type: ", "wrong type: found "),
        ("unit value", "nothing"),
        ("newtype struct", "a value"),
        (
            "data did not match any variant of untagged a string",
            "value has the wrong shape",
        ),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// Where each line of a text starts: [`line_col`] for many offsets in one text without
/// scanning it from the start each time (a large lockfile with many findings).
#[derive(Debug, Clone, Default)]
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineStarts {
        let mut v = vec![0];
        v.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineStarts(v)
    }

    /// [`line_col`] of `offset` in `text` (the text this index was built from).
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        (line + 1, offset - self.0[line] + 1)
    }

    /// 1-based line and column in code points of a byte offset (rounded down to a character
    /// boundary).
    pub fn line_col_chars(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        (line + 1, text[self.0[line]..offset].chars().count() + 1)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset).saturating_sub(1)
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(contents: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(contents.len());
    let before = &contents[..offset];
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, col)
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// cargo-deny's license-file hash: XXH32 (seed 0) of the text with every line ending
/// normalized to `\n` and a final newline (what its `hash = 0x...` clarify entries pin).
pub fn license_file_hash(bytes: &[u8]) -> u32 {
    let text = String::from_utf8_lossy(bytes);
    let mut norm = String::with_capacity(text.len() + 1);
    for line in text.split_inclusive('\n') {
        norm.push_str(line.trim_end_matches(['\r', '\n']));
        norm.push('\n');
    }
    xxh32(norm.as_bytes(), 0)
}

/// XXH32 (the xxHash 32-bit algorithm).
pub fn xxh32(data: &[u8], seed: u32) -> u32 {
    const P1: u32 = 2_654_435_761;
    const P2: u32 = 2_246_822_519;
    const P3: u32 = 3_266_489_917;
    const P4: u32 = 668_265_263;
    const P5: u32 = 374_761_393;
    let read = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let round = |acc: u32, lane: u32| {
        acc.wrapping_add(lane.wrapping_mul(P2))
            .rotate_left(13)
            .wrapping_mul(P1)
    };
    let mut rest = data;
    let mut h = if data.len() >= 16 {
        let mut v = [
            seed.wrapping_add(P1).wrapping_add(P2),
            seed.wrapping_add(P2),
            seed,
            seed.wrapping_sub(P1),
        ];
        while rest.len() >= 16 {
            for (i, lane) in v.iter_mut().enumerate() {
                *lane = round(*lane, read(&rest[i * 4..]));
            }
            rest = &rest[16..];
        }
        v[0].rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18))
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(data.len() as u32);
    while rest.len() >= 4 {
        h = h
            .wrapping_add(read(rest).wrapping_mul(P3))
            .rotate_left(17)
            .wrapping_mul(P4);
        rest = &rest[4..];
    }
    for &b in rest {
        h = h
            .wrapping_add(u32::from(b).wrapping_mul(P5))
            .rotate_left(11)
            .wrapping_mul(P1);
    }
    h ^= h >> 15;
    h = h.wrapping_mul(P2);
    h ^= h >> 13;
    h = h.wrapping_mul(P3);
    h ^= h >> 16;
    h
}

/// Lowercase hex SHA-512 of `bytes`.
pub fn sha512_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha512::digest(bytes))
}

/// `$CARGO_HOME`, else `~/.cargo` (cargo's own rule).
pub fn cargo_home() -> Option<Utf8PathBuf> {
    if let Some(h) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        let p = Utf8PathBuf::from_path_buf(h.into()).ok()?;
        if p.is_absolute() {
            return Some(p);
        }
        let cwd = Utf8PathBuf::from_path_buf(std::env::current_dir().ok()?).ok()?;
        return Some(cwd.join(p));
    }
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(
        Utf8PathBuf::from_path_buf(std::path::PathBuf::from(home))
            .ok()?
            .join(".cargo"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let s = "a\nbc\nd";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 3), (2, 2));
        assert_eq!(line_col(s, 5), (3, 1));
        let text = "ab\nc\n\näx\r\ny";
        let idx = LineStarts::new(text);
        for o in (0..=text.len() + 2).filter(|&o| o > text.len() || text.is_char_boundary(o)) {
            assert_eq!(idx.line_col(text, o), line_col(text, o), "{o}");
        }
    }

    #[test]
    fn xxh32_matches_the_reference() {
        // Reference values of the xxHash specification's test vectors.
        assert_eq!(xxh32(b"", 0), 0x02cc5d05);
        assert_eq!(xxh32(b"a", 0), 0x550d7456);
        assert_eq!(xxh32(b"abc", 0), 0x32d153ff);
        assert_eq!(
            xxh32(b"Nobody inspects the spammish repetition", 0),
            0xe2293b2f
        );
    }

    #[test]
    fn type_errors_use_toml_words() {
        let m = toml_words("invalid type: string \"RUSTSEC-2024-0384\", expected struct RawIgnore");
        assert_eq!(
            m,
            "wrong type: found string \"RUSTSEC-2024-0384\", expected a table"
        );
        let m = toml_words("invalid type: integer `3`, expected a sequence");
        assert_eq!(m, "wrong type: found integer `3`, expected an array");
        assert!(!toml_words("expected enum Level").contains("Level"));
    }

    #[test]
    fn stale_temps_of_dead_runs_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let root = camino::Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        // A pid above the kernel's maximum (4194304) is never running.
        let dead = root.join(format!("{TEMP_PREFIX}4294967295-abc{TEMP_SUFFIX}"));
        let live = root.join(format!(
            "{TEMP_PREFIX}{}-abc{TEMP_SUFFIX}",
            std::process::id()
        ));
        let other = root.join(".other.tmp");
        for p in [&dead, &live, &other] {
            std::fs::write(p, b"partial").unwrap();
        }
        write_atomic(&root.join("out.json"), b"new").unwrap();
        assert_eq!(dead.exists(), !std::path::Path::new("/proc/self").exists());
        assert!(live.exists() && other.exists());
        assert_eq!(std::fs::read(root.join("out.json")).unwrap(), b"new");
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = camino::Utf8PathBuf::from_path_buf(dir.path().join("out.json")).unwrap();
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
