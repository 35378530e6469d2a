//! The advisory database: where it is, keeping the default copy up to date with the `git`
//! command line, loading it (parsed by the `rustsec` crate, or read back from the parsed
//! index in [`super::cache`]), and the staleness rule.
//!
//! Fail closed: every way of not having a usable database is an [`Error`] (exit 2), never an
//! empty database that would let the gate pass.

use super::cache;
use super::config::Config;
use crate::error::{Error, Result};
use crate::output::Printer;
use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::process::Command;

/// One advisory, reduced to what the check reports and matches on. This is also the cached
/// form: version requirements stay strings and are parsed only for advisories whose crate is
/// in the lockfile, which is what keeps warm loads cheap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Record {
    /// `RUSTSEC-YYYY-NNNN`.
    pub id: String,
    /// Crate name (or `std`, ... for the `rust` collection).
    pub package: String,
    /// From the `rust/` collection (toolchain advisories): never matched against crates,
    /// as cargo-audit does not either.
    #[serde(default)]
    pub rust: bool,
    /// Title (the Markdown heading).
    pub title: String,
    /// Date reported, `YYYY-MM-DD`.
    pub date: String,
    /// Other ids (CVE, GHSA).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where to read more: the advisory's `url`, else its rustsec.org page.
    pub url: Option<String>,
    /// CVSS vector and what it computes to.
    pub cvss: Option<Cvss>,
    /// `unmaintained`, `unsound`, `notice` or another informational kind; `None` for a
    /// vulnerability.
    pub informational: Option<String>,
    /// Date of withdrawal: a withdrawn advisory never fires.
    pub withdrawn: Option<String>,
    /// Registry the advisory is about when not crates.io (cargo source id).
    pub source: Option<String>,
    /// Affected operating systems (`target_os` names); empty: all.
    #[serde(default)]
    pub os: Vec<String>,
    /// Affected architectures (`target_arch` names); empty: all.
    #[serde(default)]
    pub arch: Vec<String>,
    /// Affected functions with the versions they are affected in.
    #[serde(default)]
    pub functions: Vec<Function>,
    /// Patched version requirements.
    #[serde(default)]
    pub patched: Vec<String>,
    /// Never-affected version requirements.
    #[serde(default)]
    pub unaffected: Vec<String>,
}

/// A CVSS score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// The vector string (`CVSS:3.1/AV:N/...`).
    pub vector: String,
    /// Base score, 0.0 to 10.0.
    pub score: f64,
    /// Qualitative severity: `none`, `low`, `medium`, `high`, `critical`.
    pub severity: String,
}

/// An affected function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    /// Path, `crate::module::function`.
    pub path: String,
    /// Versions in which it is affected.
    pub versions: Vec<String>,
}

impl Record {
    /// Reduces a parsed advisory.
    pub fn from_advisory(a: &rustsec::Advisory) -> Record {
        let m = &a.metadata;
        let url = m.url.as_ref().map(|u| u.to_string()).or_else(|| m.id.url());
        let (os, arch, functions) = match &a.affected {
            Some(af) => (
                af.os.iter().map(|o| o.to_string()).collect(),
                af.arch.iter().map(|a| a.to_string()).collect(),
                af.functions
                    .iter()
                    .map(|(p, reqs)| Function {
                        path: p.to_string(),
                        versions: reqs.iter().map(|r| r.to_string()).collect(),
                    })
                    .collect(),
            ),
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        Record {
            id: m.id.to_string(),
            package: m.package.to_string(),
            rust: m.collection == Some(rustsec::Collection::Rust),
            title: m.title.clone(),
            date: m.date.to_string(),
            aliases: m.aliases.iter().map(|a| a.to_string()).collect(),
            url,
            cvss: m.cvss.as_ref().map(|c| Cvss {
                vector: c.to_string(),
                score: c.score(),
                severity: c.severity().to_string(),
            }),
            informational: m.informational.as_ref().map(|i| i.to_string()),
            withdrawn: m.withdrawn.as_ref().map(|d| d.to_string()),
            source: m
                .source
                .as_ref()
                .filter(|s| !s.is_default_registry())
                .map(|s| s.to_string()),
            os,
            arch,
            functions,
            patched: a.versions.patched().iter().map(|r| r.to_string()).collect(),
            unaffected: a
                .versions
                .unaffected()
                .iter()
                .map(|r| r.to_string())
                .collect(),
        }
    }

    /// The patched and unaffected ranges, parsed (the `rustsec` crate decides what is
    /// vulnerable, so the answer is cargo-audit's).
    pub fn versions(&self) -> Result<rustsec::advisory::Versions> {
        let parse = |v: &[String]| -> Result<Vec<semver::VersionReq>> {
            v.iter()
                .map(|r| {
                    semver::VersionReq::parse(r).map_err(|e| {
                        Error::other(format!(
                            "advisory {}: invalid version requirement `{r}`: {e}",
                            self.id
                        ))
                    })
                })
                .collect()
        };
        rustsec::advisory::Versions::new(parse(&self.patched)?, parse(&self.unaffected)?)
            .map_err(|e| Error::other(format!("advisory {}: invalid version ranges: {e}", self.id)))
    }

    /// Patched requirements, parsed (invalid ones, which `rustsec` already rejected, skipped).
    pub fn patched_reqs(&self) -> Vec<semver::VersionReq> {
        self.patched
            .iter()
            .filter_map(|r| semver::VersionReq::parse(r).ok())
            .collect()
    }
}

/// A loaded advisory database.
#[derive(Debug)]
pub struct Database {
    /// Its directory.
    pub path: Utf8PathBuf,
    /// HEAD commit, when it is a git checkout.
    pub commit: Option<String>,
    /// Commit date (git), else the newest advisory date.
    pub date: Option<time::Date>,
    /// Every advisory (withdrawn and `rust/` ones included: they count as loaded).
    pub advisories: Vec<Record>,
    /// Whether the parsed index came from the cache.
    pub from_cache: bool,
    by_name: HashMap<String, Vec<usize>>,
}

impl Database {
    /// Builds the by-crate index.
    pub fn new(
        path: Utf8PathBuf,
        commit: Option<String>,
        date: Option<time::Date>,
        advisories: Vec<Record>,
        from_cache: bool,
    ) -> Database {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in advisories.iter().enumerate() {
            if !a.rust {
                by_name.entry(a.package.clone()).or_default().push(i);
            }
        }
        Database {
            path,
            commit,
            date,
            advisories,
            from_cache,
            by_name,
        }
    }

    /// Indices of the crate advisories about `name`.
    pub fn for_crate(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Errors when the database is older than `max_days` on `today`, or its age is unknown.
    pub fn check_fresh(&self, today: time::Date, max_days: u32) -> Result<()> {
        let what = if self.commit.is_some() {
            "last commit"
        } else {
            "newest advisory"
        };
        let Some(date) = self.date else {
            return Err(Error::other(format!(
                "{}: cannot tell how old the advisory database is (no commit date and no advisories): refusing to use it",
                self.path
            )));
        };
        let age = (today - date).whole_days();
        if age > i64::from(max_days) {
            let update = if self.commit.is_some() {
                format!(
                    "update it (run without --offline for the default copy, else `git -C {} pull`)",
                    self.path
                )
            } else {
                "replace it with a current copy of the database".to_string()
            };
            return Err(Error::other(format!(
                "{}: the advisory database is stale: its {what} is from {date} ({age} days before {today}), \
                 more than `maximum-db-staleness` = {max_days} days\n  \
                 help: {update}, or raise `[advisories] maximum-db-staleness` in deny-policy.toml",
                self.path
            )));
        }
        Ok(())
    }
}

/// Where the database is: `--advisory-db`, the policy's `db-path`, else the default copy in
/// `$CARGO_HOME/advisory-db` (shared with cargo-audit). The flag is `true` for the default
/// copy, the only one this tool fetches and updates: paths the user names are theirs.
pub fn locate(flag: Option<&Utf8Path>, cfg: &Config) -> Result<(Utf8PathBuf, bool)> {
    if let Some(p) = flag {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            let cwd = std::env::current_dir()
                .map_err(|e| Error::other(format!("failed to read the current directory: {e}")))?;
            Utf8PathBuf::from_path_buf(cwd)
                .map_err(|p| {
                    Error::other(format!("current directory is not UTF-8: {}", p.display()))
                })?
                .join(p)
        };
        return Ok((p, false));
    }
    if let Some(p) = &cfg.db_path {
        return Ok((p.clone(), false));
    }
    let home = crate::fsutil::cargo_home().ok_or_else(|| {
        Error::other("cannot find the advisory database: neither CARGO_HOME nor HOME is set (pass --advisory-db PATH)")
    })?;
    Ok((home.join("advisory-db"), true))
}

/// Brings the default copy up to date: clones it when missing, fetches when the last fetch is
/// older than `fetch-interval-hours`. Offline, nothing happens (loading then fails closed
/// when there is no copy). A copy that is not a git checkout is left alone.
pub fn sync_default(path: &Utf8Path, cfg: &Config, offline: bool, printer: &Printer) -> Result<()> {
    if offline {
        return Ok(());
    }
    // Parallel CI jobs on one machine share `$CARGO_HOME/advisory-db`: one fetches while the
    // others wait for it (and then find the copy fresh), instead of colliding on git's locks.
    let _lock = FetchLock::acquire(path, printer)?;
    sync_locked(path, cfg, printer)
}

/// A lock next to the database (`<db>.cargo-cra-lock`, a directory: creating one is atomic
/// on every file system), released on drop. A lock older than ten minutes is taken to be
/// left over from a killed run and broken.
struct FetchLock {
    dir: Utf8PathBuf,
}

impl FetchLock {
    const STALE: std::time::Duration = std::time::Duration::from_secs(600);
    const WAIT: std::time::Duration = std::time::Duration::from_secs(300);

    fn acquire(db: &Utf8Path, printer: &Printer) -> Result<FetchLock> {
        let dir = Utf8PathBuf::from(format!("{db}.cargo-cra-lock"));
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        }
        let start = std::time::Instant::now();
        let mut told = false;
        loop {
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(FetchLock { dir }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&dir)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a > Self::STALE) {
                        let _ = std::fs::remove_dir(&dir);
                        continue;
                    }
                    if start.elapsed() > Self::WAIT {
                        return Err(Error::Command {
                            message: format!(
                                "{dir}: another run has been fetching the advisory database for over {} seconds\n  help: remove the lock directory if no other run is active",
                                Self::WAIT.as_secs()
                            ),
                        });
                    }
                    if !told {
                        printer.status(
                            "Waiting",
                            format!(
                                "for another run to finish fetching the advisory database ({dir})"
                            ),
                        );
                        told = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(Error::write(&dir, e)),
            }
        }
    }
}

impl Drop for FetchLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.dir);
    }
}

fn sync_locked(path: &Utf8Path, cfg: &Config, printer: &Printer) -> Result<()> {
    let git_dir = path.join(".git");
    if path.exists() && !git_dir.exists() {
        printer.verbose(format!("{path} is not a git checkout: not updating it"));
        return Ok(());
    }
    if path.exists() {
        let interval = std::time::Duration::from_secs(u64::from(cfg.fetch_interval_hours) * 3600);
        // Real clock on purpose: it is compared with file times, which SOURCE_DATE_EPOCH
        // does not pin.
        let fresh = last_fetch(path)
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < interval);
        if fresh {
            return Ok(());
        }
    }
    if cfg.db_urls.is_empty() {
        return Err(Error::other(
            "`[advisories] db-urls` is empty: nowhere to fetch the advisory database from",
        ));
    }
    let mut failures = Vec::new();
    for url in &cfg.db_urls {
        printer.status("Fetching", format!("advisory database from `{url}`"));
        let res = if path.exists() {
            fetch(path, url)
        } else {
            clone(path, url)
        };
        match res {
            Ok(()) => {
                // Marks the fetch time (FETCH_HEAD is not written by a clone).
                let _ = crate::fsutil::write_atomic(&git_dir.join(MARKER), b"");
                return Ok(());
            }
            Err(e) => failures.push(format!("{url}: {e}")),
        }
    }
    let help = if path.exists() {
        format!("help: run with --offline to use the existing copy in {path} as it is")
    } else {
        "help: check the network (or `db-urls`), or pass --advisory-db PATH to a copy of the database".to_string()
    };
    Err(Error::Command {
        message: format!(
            "failed to fetch the advisory database into {path}:\n  {}\n  {help}",
            failures.join("\n  ")
        ),
    })
}

/// File in `.git/` whose time records our last successful fetch.
const MARKER: &str = "cargo-cra-fetched";

fn last_fetch(path: &Utf8Path) -> Option<std::time::SystemTime> {
    let git = path.join(".git");
    [MARKER, "FETCH_HEAD"]
        .iter()
        .filter_map(|f| {
            std::fs::metadata(git.join(f))
                .and_then(|m| m.modified())
                .ok()
        })
        .max()
}

fn git() -> Command {
    let mut c = Command::new("git");
    // Never wait for a password prompt in CI.
    c.env("GIT_TERMINAL_PROMPT", "0");
    c.stdin(std::process::Stdio::null());
    c
}

fn run_git(mut cmd: Command, what: &str) -> Result<String> {
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Command {
                message: format!("{what}: `git` was not found: install git, or pass --advisory-db PATH to a checked-out advisory database"),
            }
        } else {
            Error::Command { message: format!("{what}: failed to run git: {e}") }
        }
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(Error::Command {
            message: format!("{what}: git failed: {}", stderr.trim()),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn clone(path: &Utf8Path, url: &str) -> Result<()> {
    let parent = path.parent().unwrap_or(Utf8Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    // Clone next to the target, then rename: a concurrent run or an interrupted clone never
    // leaves a half-written database where the next run would load it.
    let tmp = tempfile::Builder::new()
        .prefix(".advisory-db-clone-")
        .tempdir_in(parent)
        .map_err(|e| Error::write(parent, e))?;
    let dest = tmp.path().join("db");
    let mut cmd = git();
    cmd.args(["clone", "--quiet", "--depth", "1", url])
        .arg(&dest);
    run_git(cmd, "git clone")?;
    match std::fs::rename(&dest, path) {
        Ok(()) => Ok(()),
        // Another run won the race: its copy is as good as ours.
        Err(_) if path.join(".git").exists() => Ok(()),
        Err(e) => Err(Error::write(path, e)),
    }
}

fn fetch(path: &Utf8Path, url: &str) -> Result<()> {
    let mut cmd = git();
    cmd.arg("-C")
        .arg(path)
        .args(["fetch", "--quiet", "--depth", "1", url, "HEAD"]);
    run_git(cmd, "git fetch")?;
    let mut cmd = git();
    cmd.arg("-C")
        .arg(path)
        .args(["reset", "--quiet", "--hard", "FETCH_HEAD"]);
    run_git(cmd, "git reset")?;
    Ok(())
}

/// The HEAD commit of a git checkout, read from `.git` directly (a process spawn costs more
/// than the whole warm load), falling back to `git rev-parse`.
pub fn git_head(path: &Utf8Path) -> Option<String> {
    let mut git_dir = path.join(".git");
    if git_dir.is_file() {
        // A worktree or submodule: `.git` is a `gitdir: PATH` file.
        let text = std::fs::read_to_string(&git_dir).ok()?;
        let d = Utf8PathBuf::from(text.strip_prefix("gitdir:")?.trim());
        git_dir = if d.is_absolute() { d } else { path.join(d) };
    } else if !git_dir.is_dir() {
        return None;
    }
    let from_files = || -> Option<String> {
        let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
        let head = head.trim();
        let Some(r) = head.strip_prefix("ref:") else {
            return is_hex(head).then(|| head.to_string());
        };
        let r = r.trim();
        if let Ok(h) = std::fs::read_to_string(git_dir.join(r)) {
            let h = h.trim();
            return is_hex(h).then(|| h.to_string());
        }
        let packed = std::fs::read_to_string(git_dir.join("packed-refs")).ok()?;
        packed.lines().find_map(|l| {
            let (h, name) = l.split_once(' ')?;
            (name == r && is_hex(h)).then(|| h.to_string())
        })
    };
    from_files().or_else(|| {
        let mut cmd = git();
        cmd.arg("-C").arg(path).args(["rev-parse", "HEAD"]);
        run_git(cmd, "git rev-parse")
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| is_hex(s))
    })
}

fn is_hex(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Committer date (UTC) of HEAD.
fn git_commit_date(path: &Utf8Path) -> Option<time::Date> {
    let mut cmd = git();
    cmd.arg("-C")
        .arg(path)
        .args(["log", "-1", "--format=%ct", "HEAD"]);
    let secs: i64 = run_git(cmd, "git log").ok()?.trim().parse().ok()?;
    Some(time::OffsetDateTime::from_unix_timestamp(secs).ok()?.date())
}

/// Loads the database at `path`, from the cached index in `cache_dir` when it is current,
/// else by parsing every advisory with `rustsec` (and then refreshing the cache).
pub fn load(path: &Utf8Path, cache_dir: Option<&Utf8Path>, printer: &Printer) -> Result<Database> {
    if !path.is_dir() {
        return Err(Error::other(format!(
            "no advisory database at {path}: the advisory check cannot run without one\n  \
             help: pass --advisory-db PATH to a copy of the RustSec database, or run without --offline/--frozen \
             to fetch the default copy into $CARGO_HOME/advisory-db"
        )));
    }
    if !path.join("crates").is_dir() {
        return Err(Error::malformed(
            path,
            "not a RustSec advisory database: it has no `crates/` directory",
        ));
    }
    let commit = git_head(path);
    let cache_file = cache_dir.map(|d| cache::file_for(d, path));
    if let Some(c) = cache_file
        .as_deref()
        .and_then(|f| cache::read(f, path, commit.as_deref()))
    {
        let date = c.date.as_deref().and_then(crate::policy::parse_date);
        return Ok(Database::new(
            path.to_path_buf(),
            c.commit,
            date,
            c.advisories,
            true,
        ));
    }
    // Stamps before parsing: a change during the parse then invalidates the entry.
    let stamps = match (&commit, &cache_file) {
        (None, Some(_)) => Some(cache::stamps(path)?),
        _ => None,
    };
    check_advisory_starts(path)?;
    let db = rustsec::Database::open(path.as_std_path()).map_err(|e| open_error(path, &e))?;
    let advisories: Vec<Record> = db.iter().map(Record::from_advisory).collect();
    let date = match &commit {
        Some(_) => git_commit_date(path),
        None => None,
    }
    .or_else(|| {
        advisories
            .iter()
            .filter_map(|a| crate::policy::parse_date(&a.date))
            .max()
    });
    if let Some(f) = &cache_file {
        let entry = cache::Entry::new(
            path,
            commit.clone(),
            stamps,
            date.map(|d| d.to_string()),
            advisories.clone(),
        );
        if let Err(e) = cache::write(f, &entry) {
            // The cache only saves time: a read-only CARGO_HOME must not stop the check.
            printer.verbose(format!("could not write the advisory index cache: {e}"));
        }
    }
    Ok(Database::new(
        path.to_path_buf(),
        commit,
        date,
        advisories,
        false,
    ))
}

/// Refuses an advisory file that does not start with its TOML front matter before `rustsec`
/// reads it: rustsec 0.34 quotes the first 20 bytes of such a file in its error and panics
/// when byte 20 falls inside a character (found by the `advisory` fuzz target). It would
/// refuse the file anyway; this says so naming the file. The files are those `rustsec` loads:
/// every file not starting with `.` in a folder of `crates/` or `rust/`. Only the first 7
/// bytes of each are read.
fn check_advisory_starts(db: &Utf8Path) -> Result<()> {
    use std::io::Read;
    for collection in ["crates", "rust"] {
        let Ok(dirs) = std::fs::read_dir(db.join(collection)) else {
            continue;
        };
        for dir in dirs.flatten() {
            if !dir.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Ok(files) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            for file in files.flatten() {
                if file.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let path = file.path();
                let mut head = [0u8; 7];
                let read = std::fs::File::open(&path).and_then(|f| {
                    let mut n = 0;
                    let mut f = f.take(7);
                    loop {
                        match f.read(&mut head[n..])? {
                            0 => break,
                            k => n += k,
                        }
                    }
                    Ok(n)
                });
                // Unreadable files are left to rustsec, which names them.
                if let Ok(n) = read
                    && &head[..n] != b"```toml"
                {
                    let path = Utf8PathBuf::from_path_buf(path)
                        .unwrap_or_else(|p| Utf8PathBuf::from(p.to_string_lossy().into_owned()));
                    return Err(Error::malformed(
                        path,
                        format!(
                            "invalid advisory (the advisory database at {db} cannot be used): it must start with its TOML front matter (```toml)"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Maps a `rustsec` load error to one naming the advisory file when it is about one
/// (`rustsec` says "error parsing PATH" / "couldn't open PATH" and chains the cause).
fn open_error(db: &Utf8Path, e: &rustsec::Error) -> Error {
    use std::error::Error as _;
    let top = e.to_string();
    let mut causes: Vec<String> = Vec::new();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        // rustsec wraps the TOML error in an error of its own with the same text.
        let text = text
            .strip_prefix("parse error: ")
            .unwrap_or(&text)
            .to_string();
        if !causes
            .iter()
            .any(|c| c.contains(&text) || text.contains(c.as_str()))
        {
            causes.push(text);
        }
        src = s.source();
    }
    let file = ["error parsing ", "couldn't open ", "expected "]
        .iter()
        .find_map(|p| {
            top.split_once(p).map(|(_, rest)| {
                rest.split(" to be ")
                    .next()
                    .unwrap_or(rest)
                    .trim()
                    .to_string()
            })
        })
        .map(Utf8PathBuf::from)
        .filter(|f| f.starts_with(db) && f.is_file());
    let detail = if causes.is_empty() {
        top.clone()
    } else {
        causes.join(": ")
    };
    match file {
        Some(f) => Error::malformed(
            f,
            format!("invalid advisory (the advisory database at {db} cannot be used): {detail}"),
        ),
        None => Error::malformed(
            db,
            format!(
                "failed to load the advisory database: {top}{}",
                if causes.is_empty() {
                    String::new()
                } else {
                    format!(": {}", causes.join(": "))
                }
            ),
        ),
    }
}

/// `target_os` and `target_arch` of a target (`host-tuple`: the host): from the table of
/// known targets that rustsec itself uses (the `platforms` crate), else from
/// `rustc --print cfg` (custom targets). Answers are remembered for the process: a scan asks
/// once per distinct triple, not once per input.
pub fn target_cfg(target: &str) -> Option<(String, String)> {
    use std::sync::{Mutex, OnceLock};
    type Answers = HashMap<String, Option<(String, String)>>;
    static CACHE: OnceLock<Mutex<Answers>> = OnceLock::new();
    if target != "host-tuple"
        && let Some(p) = platforms::Platform::find(target)
    {
        return Some((
            p.target_os.as_str().to_string(),
            p.target_arch.as_str().to_string(),
        ));
    }
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(target) {
        return hit.clone();
    }
    let answer = rustc_target_cfg(target);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(target.to_string(), answer.clone());
    answer
}

fn rustc_target_cfg(target: &str) -> Option<(String, String)> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut cmd = Command::new(rustc);
    cmd.args(["--print", "cfg"]);
    if target != "host-tuple" {
        cmd.args(["--target", target]);
    }
    let out = cmd.stdin(std::process::Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |key: &str| {
        text.lines().find_map(|l| {
            l.strip_prefix(key)
                .and_then(|v| v.strip_prefix("=\""))
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string)
        })
    };
    Some((get("target_os")?, get("target_arch")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `advisory` fuzz target: rustsec panicked on an advisory file that does
    /// not start with ```toml when its byte 20 is inside a character.
    #[test]
    fn an_advisory_without_front_matter_is_refused_naming_it_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let db = Utf8Path::from_path(dir.path()).unwrap();
        std::fs::create_dir_all(db.join("crates/demo")).unwrap();
        let file = db.join("crates/demo/RUSTSEC-2099-0001.md");
        std::fs::write(
            &file,
            "`= \"RUSTSEC-2099R\u{46c}\u{172}/\n```\n\n# Heading\n",
        )
        .unwrap();
        let e = load(db, None, &Printer::plain()).unwrap_err().to_string();
        assert!(e.starts_with(file.as_str()), "{e}");
        assert!(e.contains("must start with its TOML front matter"), "{e}");
        // A good advisory next to a dotfile (skipped, as rustsec does) loads.
        std::fs::remove_dir_all(db.join("crates/demo")).unwrap();
        std::fs::create_dir_all(db.join("crates/vulnlib")).unwrap();
        std::fs::write(
            db.join("crates/vulnlib/RUSTSEC-2099-0001.md"),
            include_str!("../../tests/fixtures/advisory-db/crates/vulnlib/RUSTSEC-2099-0001.md"),
        )
        .unwrap();
        std::fs::write(db.join("crates/vulnlib/.DS_Store"), b"\0\0junk").unwrap();
        let loaded = load(db, None, &Printer::plain()).expect("loads");
        assert_eq!(loaded.advisories.len(), 1);
    }

    #[test]
    fn known_targets_need_no_rustc() {
        assert_eq!(
            target_cfg("x86_64-unknown-linux-gnu"),
            Some(("linux".to_string(), "x86_64".to_string()))
        );
        assert_eq!(
            target_cfg("aarch64-apple-darwin"),
            Some(("macos".to_string(), "aarch64".to_string()))
        );
        assert_eq!(
            target_cfg("x86_64-pc-windows-msvc"),
            Some(("windows".to_string(), "x86_64".to_string()))
        );
    }

    #[test]
    fn staleness_names_the_date() {
        let db = Database::new(
            "/db".into(),
            None,
            Some(time::macros::date!(2026 - 11 - 10)),
            Vec::new(),
            false,
        );
        assert!(
            db.check_fresh(time::macros::date!(2026 - 12 - 01), 90)
                .is_ok()
        );
        let err = db
            .check_fresh(time::macros::date!(2026 - 12 - 01), 7)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("2026-11-10") && err.contains("21 days"),
            "{err}"
        );
    }

    #[test]
    fn reads_head_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        std::fs::create_dir_all(root.join(".git/refs/heads")).unwrap();
        std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        let h = "0123456789abcdef0123456789abcdef01234567";
        std::fs::write(
            root.join(".git/packed-refs"),
            format!("# pack-refs\n{h} refs/heads/main\n"),
        )
        .unwrap();
        assert_eq!(git_head(root).as_deref(), Some(h));
        std::fs::write(root.join(".git/HEAD"), format!("{h}\n")).unwrap();
        assert_eq!(git_head(root).as_deref(), Some(h));
    }
}
