//! A cache of cargo's answers (`cargo metadata`, `cargo tree`) and of `.crate` hashes, so that
//! a repeated `cargo cra check` or `cargo cra sbom` on an unchanged workspace does not run
//! cargo's resolver again. One entry per command line holds every `cargo metadata` answer
//! the run asked for (the target-filtered one the checks use, the unfiltered one the bans
//! check's cargo-deny graph needs), each keyed by its exact option list.
//!
//! Why: on a workspace of a thousand crates, `cargo metadata` and `cargo tree` each spend about
//! a second loading the index and every manifest, which is most of the run; the answers only
//! change when an input of cargo's resolution changes. Each entry records those inputs and is
//! used only when all of them are unchanged (the way build systems use depfiles):
//!
//! * the command: tool version, manifest path, every workspace-selection, feature, target and
//!   lockfile flag;
//! * the toolchain: `rustc -vV` (version and commit), the `cargo` binary run (`CARGO`, with its
//!   size and modification time), the environment variables cargo reads (`CARGO_*`, `RUSTC*`,
//!   `RUSTFLAGS`, `RUSTUP_TOOLCHAIN`, `HOME`, `PATH`);
//! * the files: `Cargo.lock`, every path package's `Cargo.toml` (members and path
//!   dependencies), the `.cargo/config[.toml]` and `rust-toolchain[.toml]` files cargo would
//!   read (every ancestor of the current directory and of the workspace root, and
//!   `$CARGO_HOME`), by content;
//! * target discovery: the listings of every path package's directory and of its `src`,
//!   `src/bin`, `examples`, `tests`, `benches` folders (a new `src/bin/x.rs` is a new target),
//!   and of each member's parent folder (a new folder matching a `members` glob is a new member).
//!
//! Registry and git packages need no entry: Cargo.lock pins their checksum or commit.
//!
//! `.crate` hashes are cached by file path, size and modification time (the download cache
//! never rewrites a file in place), so the SHA-512 of a thousand archives is computed once.
//!
//! The cache lives in `$CARGO_HOME/cargo-cra/`. `CARGO_CRA_NO_CACHE=1` turns it off; deleting
//! the folder is always safe.

use crate::cli::WorkspaceArgs;
use crate::workspace::features::CfgAnswers;
use crate::workspace::{SourceKind, Workspace};
use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bumped whenever the entry layout or the fingerprint's inputs change.
const FORMAT: u32 = 3;

/// Environment variable that disables the cache.
pub const ENV_NO_CACHE: &str = "CARGO_CRA_NO_CACHE";

use crate::fsutil::cargo_home;

fn disabled() -> bool {
    std::env::var_os(ENV_NO_CACHE).is_some_and(|v| !v.is_empty() && v != "0")
}

/// One cache entry: the recorded inputs and cargo's answers.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Entry {
    format: u32,
    fingerprint: String,
    /// Files whose content is part of the fingerprint.
    files: Vec<Utf8PathBuf>,
    /// Folders whose listing is part of the fingerprint.
    dirs: Vec<Utf8PathBuf>,
    /// `cargo tree` output by its arguments.
    trees: BTreeMap<String, String>,
    /// Further `cargo metadata` answers by their option list (file name in the cache).
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    /// `rustc --print cfg` answers by their query
    /// ([`crate::workspace::features::PlatformCfg::query`]).
    #[serde(default)]
    cfgs: BTreeMap<String, String>,
}

/// The cargo-answer cache of one command line in one workspace.
#[derive(Debug)]
pub struct CargoCache {
    dir: Utf8PathBuf,
    key: String,
    /// The fingerprint's fixed part (command, toolchain, environment).
    fixed: String,
    /// Files always fingerprinted (lockfile, configs), known before cargo runs.
    base_files: Vec<Utf8PathBuf>,
    entry: Entry,
    /// The `rustc --print cfg` answers of this run (the entry's, when valid).
    cfg: CfgAnswers,
    hit: bool,
    /// An answer was added: the entry must be saved.
    dirty: bool,
}

impl CargoCache {
    /// The cache for `args` with the manifest `manifest` (absolute) and the toolchain
    /// `rustc_vv`, or `None` when it is off (disabled, `--metadata-path`, several targets,
    /// no CARGO_HOME). Looks the entry up and validates it.
    pub fn open(
        args: &WorkspaceArgs,
        manifest: &Utf8Path,
        workspace_root: &Utf8Path,
        rustc_vv: &str,
    ) -> Option<CargoCache> {
        if disabled() || args.metadata_path.is_some() {
            return None;
        }
        let dir = cargo_home()?.join("cargo-cra").join("metadata-cache");
        let fixed = fixed_inputs(args, manifest, rustc_vv);
        let key = crate::fsutil::sha256_hex(fixed.as_bytes())[..32].to_string();
        let base_files = base_files(workspace_root);
        let mut cache = CargoCache {
            dir,
            key,
            fixed,
            base_files,
            entry: Entry::default(),
            cfg: CfgAnswers::default(),
            hit: false,
            dirty: false,
        };
        if let Ok(text) = std::fs::read_to_string(cache.entry_path())
            && let Ok(entry) = serde_json::from_str::<Entry>(&text)
            && entry.format == FORMAT
            && cache.fingerprint(&entry.files, &entry.dirs) == entry.fingerprint
        {
            cache.cfg = CfgAnswers::from_cached(entry.cfgs.clone());
            cache.entry = entry;
            cache.hit = true;
        }
        Some(cache)
    }

    fn entry_path(&self) -> Utf8PathBuf {
        self.dir.join(format!("{}.json", self.key))
    }

    /// The `rustc --print cfg` answers for this run: those of a valid entry, and the ones this
    /// run adds (saved by [`CargoCache::store`]). Clones share them.
    pub fn cfg_answers(&self) -> CfgAnswers {
        self.cfg.clone()
    }

    /// Whether the entry is valid for the current inputs.
    pub fn is_hit(&self) -> bool {
        self.hit
    }

    /// The `cargo metadata` answer for `manifest` and `options` (as
    /// [`crate::workspace::metadata_options`] builds them): the cached file, or (on a miss) a
    /// fresh answer written into the cache folder (call [`CargoCache::record`] with it
    /// afterwards). `None` if cargo failed (the caller runs it again and reports the error)
    /// or the lockfile is missing. Takes `&self` so several answers can be fetched at once.
    pub fn answer(&self, manifest: &Utf8Path, options: &[String]) -> Option<Answer> {
        let key = options.join("\u{1f}");
        if self.hit
            && let Some(name) = self.entry.metadata.get(&key)
            && is_metadata_name(&self.key, name)
            && self.dir.join(name).is_file()
        {
            return Some(Answer {
                path: self.dir.join(name),
                key,
                name: name.clone(),
                fresh: false,
            });
        }
        if !self.base_files.first().is_some_and(|lock| lock.is_file()) {
            return None;
        }
        let mut cmd = cargo_metadata::MetadataCommand::new();
        cmd.manifest_path(manifest);
        cmd.other_options(options.to_vec());
        let out = cmd
            .cargo_command()
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        std::fs::create_dir_all(&self.dir).ok()?;
        // A name of its own for each answer written, so that runs sharing the cache can
        // never pair one run's entry with another run's answer (written under the same name
        // for another Cargo.lock, say).
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!(
            "{}.{}.{}-{nonce}.metadata.json",
            self.key,
            &crate::fsutil::sha256_hex(key.as_bytes())[..16],
            std::process::id()
        );
        let path = self.dir.join(&name);
        crate::fsutil::write_atomic(&path, &out.stdout).ok()?;
        Some(Answer {
            path,
            key,
            name,
            fresh: true,
        })
    }

    /// Records an answer from [`CargoCache::answer`] in the entry (saved by
    /// [`CargoCache::store`]).
    pub fn record(&mut self, answer: &Answer) {
        if answer.fresh {
            self.entry
                .metadata
                .insert(answer.key.clone(), answer.name.clone());
            self.dirty = true;
        }
    }

    /// The cached `cargo tree` output for these arguments.
    pub fn tree(&self, tree_key: &str) -> Option<&str> {
        self.entry.trees.get(tree_key).map(String::as_str)
    }

    /// Records `cargo tree` output and saves the entry with the inputs of `ws` (call after
    /// cargo ran: without `--locked` it may have rewritten Cargo.lock).
    pub fn store(&mut self, ws: &Workspace, trees: impl IntoIterator<Item = (String, String)>) {
        let mut changed = !self.hit || self.dirty;
        if let Some(cfgs) = self.cfg.added() {
            self.entry.cfgs = cfgs;
            changed = true;
        }
        for (k, v) in trees {
            if self.entry.trees.get(&k) != Some(&v) {
                self.entry.trees.insert(k, v);
                changed = true;
            }
        }
        if !changed {
            return;
        }
        let (files, dirs) = workspace_inputs(ws);
        self.entry.format = FORMAT;
        self.entry.fingerprint = self.fingerprint(&files, &dirs);
        self.entry.files = files;
        self.entry.dirs = dirs;
        // A cache that cannot be written only costs time next run.
        if let Ok(json) = serde_json::to_vec(&self.entry)
            && std::fs::create_dir_all(&self.dir).is_ok()
        {
            let _ = crate::fsutil::write_atomic(&self.entry_path(), &json);
            self.remove_old_answers();
        }
    }

    /// Removes this key's answer files that the entry no longer names, once they are old
    /// enough that no run can still be about to read them (a run reads its answer right
    /// after looking the entry up).
    fn remove_old_answers(&self) {
        let Ok(list) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in list.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            if !is_metadata_name(&self.key, name) || self.entry.metadata.values().any(|n| n == name)
            {
                continue;
            }
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(600));
            if old {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    /// SHA-256 over the fixed inputs, the base files and `files` (by content) and `dirs` (by
    /// listing).
    fn fingerprint(&self, files: &[Utf8PathBuf], dirs: &[Utf8PathBuf]) -> String {
        let mut s = String::with_capacity(4096);
        s.push_str(&self.fixed);
        for f in self.base_files.iter().chain(files) {
            let h = std::fs::read(f)
                .map(|b| crate::fsutil::sha256_hex(&b))
                .unwrap_or_else(|_| "absent".into());
            s.push_str(&format!("file {f} {h}\n"));
        }
        for d in dirs {
            let listing = match std::fs::read_dir(d) {
                Ok(rd) => {
                    let mut names: Vec<String> = rd
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    names.sort();
                    names.join("/")
                }
                Err(_) => "absent".into(),
            };
            s.push_str(&format!("dir {d} {listing}\n"));
        }
        crate::fsutil::sha256_hex(s.as_bytes())
    }
}

/// Whether `name` is an answer file name of `key` (`<key>.<hash>.<pid>-<nanos>.metadata.json`),
/// and no path: entries come from files others may write.
fn is_metadata_name(key: &str, name: &str) -> bool {
    name.strip_prefix(key)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix(".metadata.json"))
        .is_some_and(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b'-' || b == b'.')
                && !n.contains("..")
        })
}

/// A `cargo metadata` answer: the file holding it and whether cargo just produced it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The JSON file.
    pub path: Utf8PathBuf,
    key: String,
    name: String,
    /// Produced by this run (not taken from the cache).
    pub fresh: bool,
}

/// Command, toolchain and environment, as one string.
fn fixed_inputs(args: &WorkspaceArgs, manifest: &Utf8Path, rustc_vv: &str) -> String {
    let mut s = format!(
        "cargo-cra-cache {FORMAT} {}\nmanifest {manifest}\n",
        crate::VERSION
    );
    s.push_str(&format!(
        "args {:?} {} {:?} {:?} {:?} {} {} {} {} {}\n",
        args.package,
        args.workspace,
        args.exclude,
        args.target,
        args.features,
        args.all_features,
        args.no_default_features,
        args.locked,
        args.offline,
        args.frozen
    ));
    s.push_str(&format!("rustc {rustc_vv}\n"));
    let cwd = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    s.push_str(&format!("cwd {cwd}\n"));
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| {
            (k.starts_with("CARGO")
                && !k.starts_with("CARGO_CRA_")
                && !k.starts_with("CARGO_TERM_"))
                || k.starts_with("RUSTC")
                || k.starts_with("RUSTUP_")
                || matches!(k.as_str(), "RUSTFLAGS" | "HOME" | "PATH")
        })
        .collect();
    vars.sort();
    for (k, v) in vars {
        s.push_str(&format!("env {k}={v}\n"));
    }
    if let Some(cargo) = std::env::var_os("CARGO")
        && let Ok(m) = std::fs::metadata(&cargo)
    {
        s.push_str(&format!(
            "cargo-binary {} {:?}\n",
            m.len(),
            m.modified().ok()
        ));
    }
    s
}

/// Lockfile and the configuration files cargo reads, known before cargo runs.
fn base_files(workspace_root: &Utf8Path) -> Vec<Utf8PathBuf> {
    let mut dirs: Vec<Utf8PathBuf> = Vec::new();
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| Utf8PathBuf::from_path_buf(d).ok());
    for start in cwd.iter().map(|c| c.as_path()).chain([workspace_root]) {
        for a in start.ancestors() {
            if !dirs.iter().any(|d| d == a) {
                dirs.push(a.to_path_buf());
            }
        }
    }
    let mut files = vec![workspace_root.join("Cargo.lock")];
    for d in &dirs {
        for f in [
            ".cargo/config.toml",
            ".cargo/config",
            "rust-toolchain.toml",
            "rust-toolchain",
        ] {
            files.push(d.join(f));
        }
    }
    if let Some(home) = cargo_home() {
        files.push(home.join("config.toml"));
        files.push(home.join("config"));
    }
    // rustup's default toolchain and directory overrides (`rustup override set`) decide which
    // rustc answers `--print cfg` in the workspace directory.
    if let Some(rustup) = std::env::var_os("RUSTUP_HOME")
        .filter(|h| !h.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .map(|h| std::path::PathBuf::from(h).join(".rustup"))
        })
        .and_then(|p| Utf8PathBuf::from_path_buf(p).ok())
    {
        files.push(rustup.join("settings.toml"));
    }
    files
}

/// The path packages' manifests and the folders whose listings decide targets and members.
fn workspace_inputs(ws: &Workspace) -> (Vec<Utf8PathBuf>, Vec<Utf8PathBuf>) {
    let mut files = vec![ws.root_manifest.clone()];
    let mut dirs = vec![ws.root.clone()];
    // A custom target given as a target specification file: cargo's and rustc's answers
    // depend on its content.
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| Utf8PathBuf::from_path_buf(d).ok());
    for t in ws.targets.iter().filter(|t| t.ends_with(".json")) {
        let p = Utf8Path::new(t);
        files.push(match &cwd {
            Some(c) if p.is_relative() => c.join(p),
            _ => p.to_path_buf(),
        });
    }
    for p in ws.graph.pkgs.iter().filter(|p| p.kind == SourceKind::Path) {
        let Some(meta) = ws.meta_pkg(p) else { continue };
        files.push(meta.manifest_path.clone());
        let Some(dir) = meta.manifest_path.parent() else {
            continue;
        };
        dirs.push(dir.to_path_buf());
        // A new folder matching a `members` glob is a new member: the parent's listing
        // counts, except above the root (the root package's parent is no member folder).
        if let Some(parent) = dir.parent()
            && (parent.starts_with(&ws.root) || (p.is_member && dir != ws.root))
        {
            dirs.push(parent.to_path_buf());
        }
        for sub in ["src", "src/bin", "examples", "tests", "benches"] {
            let d = dir.join(sub);
            if sub != "src"
                && let Ok(rd) = std::fs::read_dir(&d)
            {
                // `src/bin/x/main.rs`, `examples/x/main.rs`: a target per folder.
                for e in rd
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                {
                    if let Some(name) = e.file_name().to_str() {
                        dirs.push(d.join(name));
                    }
                }
            }
            dirs.push(d);
        }
    }
    files.sort();
    files.dedup();
    dirs.sort();
    dirs.dedup();
    (files, dirs)
}

/// Cached `.crate` digests: `(path, size, mtime)` to `(sha256, sha512)`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HashCache {
    entries: BTreeMap<String, (u64, u128, String, String)>,
    #[serde(skip)]
    changed: bool,
}

impl HashCache {
    fn path() -> Option<Utf8PathBuf> {
        Some(cargo_home()?.join("cargo-cra").join("crate-hashes.json"))
    }

    /// Loads the cache (empty when off or unreadable).
    pub fn load() -> HashCache {
        if disabled() {
            return HashCache::default();
        }
        Self::path()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn stamp(path: &Utf8Path) -> Option<(u64, u128)> {
        let m = std::fs::metadata(path).ok()?;
        let mtime = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some((m.len(), mtime))
    }

    /// The cached `(sha256, sha512)` of `path` if it has not changed since it was hashed.
    pub fn get(&self, path: &Utf8Path) -> Option<(String, String)> {
        let (len, mtime) = Self::stamp(path)?;
        let (l, m, a, b) = self.entries.get(path.as_str())?;
        (*l == len && *m == mtime).then(|| (a.clone(), b.clone()))
    }

    /// Records the digests of `path`.
    pub fn put(&mut self, path: &Utf8Path, sha256: &str, sha512: &str) {
        if let Some((len, mtime)) = Self::stamp(path) {
            self.entries.insert(
                path.to_string(),
                (len, mtime, sha256.to_string(), sha512.to_string()),
            );
            self.changed = true;
        }
    }

    /// Writes the cache back if anything was added.
    pub fn save(&self) {
        if !self.changed || disabled() {
            return;
        }
        if let (Some(p), Ok(json)) = (Self::path(), serde_json::to_vec(self))
            && p.parent()
                .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
        {
            let _ = crate::fsutil::write_atomic(&p, &json);
        }
    }
}
