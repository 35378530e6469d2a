//! On-disk caches the advisory check reads:
//!
//! - its own parsed index of the advisory database, one JSON file per database directory in
//!   `$CARGO_HOME/advisory-db-cache/`, so that warm runs skip parsing ~1200 Markdown/TOML
//!   advisories. An entry is valid only for the same database content: for a git checkout
//!   the HEAD commit; otherwise the size and modification time of every advisory file and
//!   the modification time of every package directory (which changes when a file is added,
//!   removed or renamed in it) must be what they were when the entry was written, and the
//!   set of package directories the same. Plus the versions of this tool and of `rustsec`
//!   (which decide what a parsed advisory is).
//! - cargo's own registry index cache (`$CARGO_HOME/registry/index/*/.cache/`), read offline
//!   for the yanked state of registry packages.

use super::db::Record;
use crate::error::{Error, Result};
use crate::workspace::SourceKind;
use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// Version of the cache file layout; bump on any change to [`Entry`] or [`Record`].
pub const FORMAT: u32 = 1;

/// One cache file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    /// [`FORMAT`].
    pub format: u32,
    /// cargo-cra version that wrote it.
    pub tool: String,
    /// `rustsec` version that parsed the advisories.
    pub rustsec: String,
    /// The database directory (for people looking at the cache).
    pub db: Utf8PathBuf,
    /// HEAD commit, when a git checkout: then it alone identifies the content.
    pub commit: Option<String>,
    /// File and directory stamps, when not a git checkout.
    pub stamps: Option<Stamps>,
    /// Database date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The advisories.
    pub advisories: Vec<Record>,
}

impl Entry {
    /// A new entry for the current tool and `rustsec` versions.
    pub fn new(
        db: &Utf8Path,
        commit: Option<String>,
        stamps: Option<Stamps>,
        date: Option<String>,
        advisories: Vec<Record>,
    ) -> Entry {
        Entry {
            format: FORMAT,
            tool: crate::VERSION.to_string(),
            rustsec: rustsec::VERSION.to_string(),
            db: db.to_path_buf(),
            commit,
            stamps,
            date,
            advisories,
        }
    }
}

/// Modification time: seconds and nanoseconds since the epoch.
type Mtime = (u64, u32);

/// What a database directory looked like: package directories (`crates/NAME`) with their
/// modification times, advisory files (`crates/NAME/ID.md`) with size and modification time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamps {
    /// Package directories, sorted.
    pub dirs: Vec<(String, Mtime)>,
    /// Files, sorted.
    pub files: Vec<(String, u64, Mtime)>,
}

fn mtime(m: &std::fs::Metadata) -> Mtime {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()))
}

/// The package directories of the database (`crates/NAME`, `rust/NAME`), sorted.
fn package_dirs(db: &Utf8Path) -> Result<Vec<String>> {
    let mut dirs = Vec::new();
    for collection in ["crates", "rust"] {
        let cdir = db.join(collection);
        let entries = match std::fs::read_dir(&cdir) {
            Ok(e) => e,
            Err(_) if collection == "rust" => continue,
            Err(e) => return Err(Error::read(cdir, e)),
        };
        for pkg in entries {
            let pkg = pkg.map_err(|e| Error::read(&cdir, e))?;
            if pkg.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(format!(
                    "{collection}/{}",
                    pkg.file_name().to_string_lossy()
                ));
            }
        }
    }
    dirs.sort_unstable();
    Ok(dirs)
}

/// Runs `f` over `items` on a few threads (file system metadata calls: the bulk of a warm
/// load is ~2000 of them).
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    if items.len() < 32 || threads < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("stat thread panicked"))
            .collect()
    })
}

/// Takes the stamps of the database at `db` (before parsing it: a change during the parse
/// then shows up as a mismatch on the next run).
pub fn stamps(db: &Utf8Path) -> Result<Stamps> {
    let dirs = package_dirs(db)?;
    let per_dir = par_map(&dirs, |rel| -> (Option<Mtime>, Vec<(String, u64, Mtime)>) {
        let path = db.join(rel);
        let dir_time = std::fs::metadata(&path).ok().map(|m| mtime(&m));
        let files = std::fs::read_dir(&path)
            .map(|rd| {
                rd.flatten()
                    .filter_map(|f| {
                        let m = f.metadata().ok()?;
                        Some((
                            format!("{rel}/{}", f.file_name().to_string_lossy()),
                            m.len(),
                            mtime(&m),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        (dir_time, files)
    });
    let mut out = Stamps {
        dirs: Vec::with_capacity(dirs.len()),
        files: Vec::new(),
    };
    for (rel, (t, files)) in dirs.into_iter().zip(per_dir) {
        // An unreadable directory gets no stamp: the entry can then never validate.
        out.dirs.push((rel, t.unwrap_or((0, 0))));
        out.files.extend(files);
    }
    out.files.sort_unstable();
    Ok(out)
}

/// Whether the database at `db` still looks as `s` recorded: the same package directories,
/// each with its modification time (entries added, removed or renamed change it), and every
/// recorded file with its size and modification time (edits change them). Costs one stat
/// per directory and file, no directory reads below `crates/`.
pub fn still_valid(db: &Utf8Path, s: &Stamps) -> bool {
    let Ok(dirs) = package_dirs(db) else {
        return false;
    };
    if dirs.len() != s.dirs.len() || dirs.iter().zip(&s.dirs).any(|(a, (b, _))| a != b) {
        return false;
    }
    // One pass over directories and files: (path, size or None for a directory, time).
    let items: Vec<(&str, Option<u64>, Mtime)> = s
        .dirs
        .iter()
        .map(|(r, t)| (r.as_str(), None, *t))
        .chain(s.files.iter().map(|(r, l, t)| (r.as_str(), Some(*l), *t)))
        .collect();
    let ok = par_map(&items, |(rel, len, t)| {
        // (0, 0) marks a directory that could not be read when the stamps were taken.
        std::fs::metadata(db.join(rel))
            .is_ok_and(|m| mtime(&m) == *t && len.map_or(*t != (0, 0), |l| m.len() == l))
    });
    !ok.contains(&false)
}

/// The cache directory: `$CARGO_HOME/advisory-db-cache`.
pub fn dir() -> Option<Utf8PathBuf> {
    crate::fsutil::cargo_home().map(|h| h.join("advisory-db-cache"))
}

/// The cache file for the database at `db` (named by a hash of its path, so several
/// databases can be cached side by side).
pub fn file_for(dir: &Utf8Path, db: &Utf8Path) -> Utf8PathBuf {
    let canonical = db.canonicalize_utf8().unwrap_or_else(|_| db.to_path_buf());
    let h = sha2::Sha256::digest(canonical.as_str().as_bytes());
    dir.join(format!("{}.json", &hex::encode(h)[..16]))
}

/// Reads the cache file for the database at `db` (HEAD `commit` when a git checkout);
/// `None` when missing, unreadable, of another format or version, or for other content
/// (any doubt means re-parsing, never a stale answer).
pub fn read(file: &Utf8Path, db: &Utf8Path, commit: Option<&str>) -> Option<Entry> {
    let bytes = std::fs::read(file).ok()?;
    let e: Entry = serde_json::from_slice(&bytes).ok()?;
    if e.format != FORMAT
        || e.tool != crate::VERSION
        || e.rustsec != rustsec::VERSION
        || e.commit.as_deref() != commit
    {
        return None;
    }
    let valid = match (commit, &e.stamps) {
        (Some(_), _) => true,
        (None, Some(s)) => still_valid(db, s),
        (None, None) => false,
    };
    valid.then_some(e)
}

/// Writes the cache file atomically.
pub fn write(file: &Utf8Path, entry: &Entry) -> Result<()> {
    if let Some(d) = file.parent() {
        std::fs::create_dir_all(d).map_err(|e| Error::write(d, e))?;
    }
    let json = serde_json::to_vec(entry)
        .map_err(|e| Error::other(format!("failed to serialize the advisory index: {e}")))?;
    crate::fsutil::write_atomic(file, &json)
}

/// Whether a registry package version is yanked, per cargo's local index cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Yanked {
    /// The index marks it yanked.
    Yes,
    /// The index lists it, not yanked.
    No,
    /// The cache has no entry for it (never guessed).
    Unknown,
}

/// cargo's registry index caches under `$CARGO_HOME/registry/index/`, with a memo of
/// earlier answers.
///
/// The memo exists because the cache files of big crates run to megabytes and a 1000-package
/// lockfile means reading ~50 MB to find the lockfile's versions: it maps each cache file
/// (by path, size and modification time, so any cargo update of the file invalidates it) to
/// the answers read from it, and warm runs only stat the files.
#[derive(Debug, Default)]
pub struct RegistryIndex {
    /// Index directories (`index.crates.io-<hash>`, `github.com-<hash>`, `<host>-<hash>`).
    dirs: Vec<(String, Utf8PathBuf)>,
    memo_path: Option<Utf8PathBuf>,
    memo: YankMemo,
    memo_changed: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct YankMemo {
    format: u32,
    files: std::collections::HashMap<String, MemoFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct MemoFile {
    len: u64,
    mtime: (u64, u32),
    /// Version → yanked, `None` when the file does not list the version.
    versions: std::collections::BTreeMap<String, Option<bool>>,
}

/// Size and modification time (seconds, nanoseconds) of a file.
type Stamp = (u64, (u64, u32));

/// A package still to look up: its index in the query, its version, and the candidate
/// cache files with their stamps.
type Todo = (usize, String, Vec<(std::path::PathBuf, Stamp)>);

fn file_stamp(path: &std::path::Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    let t = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((m.len(), (t.as_secs(), t.subsec_nanos())))
}

impl RegistryIndex {
    /// Lists the index directories (none when there is no cargo home) and loads the memo
    /// from `memo_path` (`None`: no memo).
    pub fn open(cargo_home: Option<&Utf8Path>, memo_path: Option<Utf8PathBuf>) -> RegistryIndex {
        let mut dirs = Vec::new();
        if let Some(rd) =
            cargo_home.and_then(|home| std::fs::read_dir(home.join("registry/index")).ok())
        {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Ok(p) = Utf8PathBuf::from_path_buf(e.path())
                    && p.join(".cache").is_dir()
                {
                    dirs.push((name, p));
                }
            }
        }
        // Sparse (index.crates.io) before git (github.com): cargo's default since 1.70.
        dirs.sort_by(|a, b| {
            (!a.0.starts_with("index."), &a.0).cmp(&(!b.0.starts_with("index."), &b.0))
        });
        let memo = memo_path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<YankMemo>(&b).ok())
            .filter(|m| m.format == FORMAT)
            .unwrap_or(YankMemo {
                format: FORMAT,
                files: Default::default(),
            });
        RegistryIndex {
            dirs,
            memo_path,
            memo,
            memo_changed: false,
        }
    }

    /// Cache files that may hold `name` from the registry `source`, in lookup order.
    fn candidates(&self, name: &str, source: &SourceKind) -> Vec<std::path::PathBuf> {
        let hosts: Vec<String> = match source {
            SourceKind::CratesIo => vec!["index.crates.io".into(), "github.com".into()],
            SourceKind::Registry(url) => {
                let u = url
                    .trim_start_matches("sparse+")
                    .trim_start_matches("registry+");
                let host = u
                    .split_once("://")
                    .map_or(u, |(_, r)| r)
                    .split(['/', ':'])
                    .next()
                    .unwrap_or("");
                vec![host.to_string()]
            }
            _ => return Vec::new(),
        };
        let Some(rel) = index_path(name) else {
            return Vec::new();
        };
        self.dirs
            .iter()
            .filter(|(dir_name, _)| {
                dir_name
                    .rsplit_once('-')
                    .is_some_and(|(host, _)| hosts.iter().any(|h| h == host))
            })
            .map(|(_, dir)| dir.join(".cache").join(&rel).into_std_path_buf())
            .collect()
    }

    /// The yanked state of one package.
    pub fn yanked(&mut self, name: &str, version: &semver::Version, source: &SourceKind) -> Yanked {
        self.yanked_many(&[(name, version, source)])[0]
    }

    /// The yanked state of many packages: memo answers first, then the remaining files read
    /// on a few threads (each read is independent file I/O).
    pub fn yanked_many(&mut self, pkgs: &[(&str, &semver::Version, &SourceKind)]) -> Vec<Yanked> {
        let mut out = vec![Yanked::Unknown; pkgs.len()];
        // (package, candidate files with their stamps) still to read.
        let mut todo: Vec<Todo> = Vec::new();
        for (i, (name, version, source)) in pkgs.iter().enumerate() {
            let version = version.to_string();
            let mut files = Vec::new();
            let mut answered = false;
            for path in self.candidates(name, source) {
                let Some(stamp) = file_stamp(&path) else {
                    continue;
                };
                let memo = self.memo.files.get(path.to_string_lossy().as_ref());
                match memo
                    .filter(|m| (m.len, m.mtime) == stamp)
                    .and_then(|m| m.versions.get(&version))
                {
                    Some(Some(y)) if files.is_empty() => {
                        out[i] = if *y { Yanked::Yes } else { Yanked::No };
                        answered = true;
                        break;
                    }
                    // Known not to list the version: try the next index.
                    Some(None) if files.is_empty() => continue,
                    _ => files.push((path, stamp)),
                }
            }
            if !answered && !files.is_empty() {
                todo.push((i, version, files));
            }
        }
        let read_one = |(_, version, files): &Todo| {
            files
                .iter()
                .map(|(p, _)| lookup_file(p, version))
                .collect::<Vec<_>>()
        };
        let results: Vec<Vec<Option<Yanked>>> = par_map(&todo, read_one);
        for ((i, version, files), found) in todo.into_iter().zip(results) {
            for ((path, stamp), y) in files.into_iter().zip(found) {
                let key = path.to_string_lossy().into_owned();
                let entry = self.memo.files.entry(key).or_insert_with(|| MemoFile {
                    len: stamp.0,
                    mtime: stamp.1,
                    versions: Default::default(),
                });
                if (entry.len, entry.mtime) != stamp {
                    *entry = MemoFile {
                        len: stamp.0,
                        mtime: stamp.1,
                        versions: Default::default(),
                    };
                }
                let answer = match y {
                    Some(Yanked::Yes) => Some(true),
                    Some(Yanked::No) => Some(false),
                    _ => None,
                };
                entry.versions.insert(version.clone(), answer);
                self.memo_changed = true;
                if let Some(a) = answer {
                    out[i] = if a { Yanked::Yes } else { Yanked::No };
                    break;
                }
            }
        }
        out
    }

    /// Writes the memo back when it changed (errors ignored: it only saves time).
    pub fn save(&self) {
        if let (true, Some(p)) = (self.memo_changed, &self.memo_path) {
            if let Some(d) = p.parent() {
                let _ = std::fs::create_dir_all(d);
            }
            if let Ok(json) = serde_json::to_vec(&self.memo) {
                let _ = crate::fsutil::write_atomic(p, &json);
            }
        }
    }
}

/// cargo's index path of a crate: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd...` (lowercase).
/// `None` for a name no registry index can hold (empty, or other than ASCII letters, digits,
/// `-` and `_`): a Cargo.lock is untrusted input, and such a name must neither panic the
/// slicing below (found by the `registry_cache` fuzz target: `€`, and the empty name) nor
/// reach outside the index (`../x`).
pub fn index_path(name: &str) -> Option<String> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let n = name.to_ascii_lowercase();
    Some(match n.len() {
        1 => format!("1/{n}"),
        2 => format!("2/{n}"),
        3 => format!("3/{}/{n}", &n[..1]),
        _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
    })
}

/// Finds `version` in a `.cache` entry: a version byte (3), the index format version (u32
/// LE), the revision and a NUL, then `version NUL json NUL` records. `None` when the file is
/// not in that format or does not list the version.
pub fn parse_cache_entry(bytes: &[u8], version: &str) -> Option<Yanked> {
    if bytes.first() != Some(&3) || bytes.len() < 5 {
        return None;
    }
    find_record(&bytes[5..], version)
}

/// Reads only as much of a cache file as needed, from the end: entries list versions
/// oldest first and lockfiles mostly pin recent ones, while the files of big crates run to
/// megabytes (reading them whole made the yanked lookup most of the check's time).
fn lookup_file(path: &std::path::Path, version: &str) -> Option<Yanked> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let mut head = [0u8; 5];
    f.read_exact(&mut head).ok()?;
    if head[0] != 3 {
        return None;
    }
    let mut window: u64 = 16 * 1024;
    let mut buf = Vec::new();
    loop {
        let start = len.saturating_sub(window).max(5);
        f.seek(SeekFrom::Start(start)).ok()?;
        buf.clear();
        f.read_to_end(&mut buf).ok()?;
        // A record found in a suffix of the file is complete: its JSON runs to a NUL that
        // is inside the suffix too.
        if let Some(y) = find_record(&buf, version) {
            return Some(y);
        }
        if start == 5 {
            return None;
        }
        window = window.saturating_mul(4);
    }
}

/// Finds the last `NUL version NUL json NUL` record for `version` in `buf` (JSON never
/// contains a raw NUL and never starts like a version, so the pattern is unambiguous).
fn find_record(buf: &[u8], version: &str) -> Option<Yanked> {
    #[derive(Deserialize)]
    struct V {
        #[serde(default)]
        yanked: bool,
    }
    let v = version.as_bytes();
    let mut end = buf.len();
    while let Some(nul) = buf[..end].iter().rposition(|&b| b == 0) {
        end = nul;
        let rest = &buf[nul + 1..];
        if rest.len() > v.len() && rest.starts_with(v) && rest[v.len()] == 0 {
            let json = &rest[v.len() + 1..];
            let json = &json[..json.iter().position(|&b| b == 0).unwrap_or(json.len())];
            let parsed: V = serde_json::from_slice(json).ok()?;
            return Some(if parsed.yanked {
                Yanked::Yes
            } else {
                Yanked::No
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths() {
        assert_eq!(index_path("a").as_deref(), Some("1/a"));
        assert_eq!(index_path("ab").as_deref(), Some("2/ab"));
        assert_eq!(index_path("abc").as_deref(), Some("3/a/abc"));
        assert_eq!(index_path("Serde").as_deref(), Some("se/rd/serde"));
        // Names from an untrusted Cargo.lock that no index holds (fuzzing found the panics).
        for name in ["", "€", "a€", "ab€", "../../etc/passwd", "a/b", "a b"] {
            assert_eq!(index_path(name), None, "{name:?}");
        }
    }

    #[test]
    fn parses_cache_entries() {
        let mut b = vec![3u8, 2, 0, 0, 0];
        b.extend_from_slice(b"etag: \"x\"\0");
        b.extend_from_slice(b"1.0.0\0{\"name\":\"y\",\"vers\":\"1.0.0\",\"yanked\":true}\0");
        b.extend_from_slice(b"1.0.1\0{\"name\":\"y\",\"vers\":\"1.0.1\",\"yanked\":false}\0");
        assert_eq!(parse_cache_entry(&b, "1.0.0"), Some(Yanked::Yes));
        assert_eq!(parse_cache_entry(&b, "1.0.1"), Some(Yanked::No));
        assert_eq!(parse_cache_entry(&b, "2.0.0"), None);
        assert_eq!(parse_cache_entry(&[1, 2, 3], "1.0.0"), None);
    }
}
