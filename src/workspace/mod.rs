//! The workspace model every check reads: `cargo metadata` (through `cargo_metadata`) and
//! `Cargo.lock` (through `cargo-lock`) joined into one package [`Graph`] with dependency kinds,
//! filtered to the selected target platforms.
//!
//! `cargo metadata` runs once per `--target` (cargo's own `--filter-platform`, so cfg
//! evaluation is cargo's, not ours); without `--target` it filters for the host, because the
//! gate is about what is really built. When cross-compiling, one more run filters for the
//! host (build scripts and proc-macros are built for it). The lockfile-only fast path
//! ([`Graph::from_lockfile`]) skips cargo entirely.
//!
//! The metadata's resolve graph unifies features across platforms, members and
//! dev-dependencies; [`features`] redoes cargo's feature resolution on top of it to get what
//! is really built ([`features::activate`]).

pub mod features;
pub mod lockfile;

use crate::cli::WorkspaceArgs;
use crate::diag::{PackageRef, SourceMap};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::purl::CargoSource;
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

/// Where a package comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// A local path (workspace member or path dependency).
    Path,
    /// crates.io (git or sparse index).
    CratesIo,
    /// Another registry, by index URL (without the `registry+`/`sparse+` prefix kept: the
    /// full source id is in [`Pkg::source`]).
    Registry(String),
    /// A git repository: URL without query or fragment, and the commit when known.
    Git {
        /// Repository URL.
        url: String,
        /// Resolved commit.
        rev: Option<String>,
    },
}

/// crates.io's index as cargo names it in source ids.
pub const CRATES_IO_INDEX: &str = "https://github.com/rust-lang/crates.io-index";
/// crates.io's sparse index.
pub const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

impl SourceKind {
    /// Classifies a cargo source id (`registry+URL`, `sparse+URL`, `git+URL?..#rev`).
    pub fn parse(source: Option<&str>) -> SourceKind {
        let Some(s) = source else {
            return SourceKind::Path;
        };
        if s == format!("registry+{CRATES_IO_INDEX}")
            || s == CRATES_IO_SPARSE
            || s == "sparse+https://index.crates.io"
        {
            return SourceKind::CratesIo;
        }
        if let Some(rest) = s.strip_prefix("git+") {
            let (url_part, rev) = match rest.split_once('#') {
                Some((u, r)) => (u, Some(r.to_string())),
                None => (rest, None),
            };
            let url = url_part.split('?').next().unwrap_or(url_part).to_string();
            return SourceKind::Git { url, rev };
        }
        if let Some(url) = s.strip_prefix("registry+") {
            return SourceKind::Registry(url.to_string());
        }
        if s.starts_with("sparse+") {
            return SourceKind::Registry(s.to_string());
        }
        if s.starts_with("path+") {
            return SourceKind::Path;
        }
        SourceKind::Registry(s.to_string())
    }
}

impl SourceKind {
    /// The purl's view of this source ([`crate::purl::cargo`] builds the purl from it).
    pub fn purl_source(&self) -> CargoSource {
        match self {
            SourceKind::Path => CargoSource::Path,
            SourceKind::CratesIo => CargoSource::CratesIo,
            SourceKind::Registry(url) => CargoSource::Registry(url.clone()),
            SourceKind::Git { url, rev } => CargoSource::Git(match rev {
                Some(r) => format!("git+{url}@{r}"),
                None => format!("git+{url}"),
            }),
        }
    }
}

/// Dependency kinds on one edge (an edge can be several at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Kinds {
    /// `[dependencies]`.
    pub normal: bool,
    /// `[build-dependencies]`.
    pub build: bool,
    /// `[dev-dependencies]`.
    pub dev: bool,
}

/// One package in the graph.
#[derive(Debug, Clone)]
pub struct Pkg {
    /// cargo's package id (metadata) or `name version (source)` (lockfile-only).
    pub id: String,
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: semver::Version,
    /// Raw cargo source id, `None` for path packages.
    pub source: Option<String>,
    /// Classified source.
    pub kind: SourceKind,
    /// SHA-256 of the `.crate` file from Cargo.lock, when registry-sourced.
    pub checksum: Option<String>,
    /// Package URL.
    pub purl: String,
    /// Index into `Metadata::packages` when loaded from cargo metadata.
    pub meta: Option<usize>,
    /// A workspace member.
    pub is_member: bool,
    /// A proc-macro crate (runs at build time, is not linked).
    pub is_proc_macro: bool,
}

impl Pkg {
    /// The package as diagnostics name it.
    pub fn to_ref(&self) -> PackageRef {
        PackageRef {
            name: self.name.clone(),
            version: self.version.to_string(),
            purl: self.purl.clone(),
        }
    }
}

/// An edge to a dependency.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// Index of the dependency in [`Graph::pkgs`].
    pub to: usize,
    /// Kinds of the edge.
    pub kinds: Kinds,
}

/// Packages and their dependency edges (already filtered to the selected platforms).
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// All packages, sorted by (name, version, source).
    pub pkgs: Vec<Pkg>,
    /// Outgoing edges per package.
    pub edges: Vec<Vec<Edge>>,
    /// Selected root packages (workspace members chosen by -p/--workspace/--exclude).
    pub roots: Vec<usize>,
}

/// Which dependency kinds to follow when computing a scope.
#[derive(Debug, Clone, Copy)]
pub struct Follow {
    /// Follow build-dependencies (and so proc-macros' trees).
    pub build: bool,
    /// Follow dev-dependencies of the roots (dev-dependencies of dependencies are never built).
    pub dev: bool,
    /// Follow into proc-macro crates.
    pub proc_macros: bool,
}

impl Graph {
    /// Index of a package by id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.pkgs.iter().position(|p| p.id == id)
    }

    /// Packages reachable from `roots` following `follow`, each with its parent on a shortest
    /// path (for inclusion paths). Roots map to `None`.
    pub fn reachable(&self, roots: &[usize], follow: Follow) -> BTreeMap<usize, Option<usize>> {
        // Dense tables while walking (a map lookup per edge is O(E log n)), the map built
        // once from indices in order.
        let n = self.pkgs.len();
        let mut seen = vec![false; n];
        let mut parent: Vec<Option<usize>> = vec![None; n];
        let mut is_root = vec![false; n];
        let mut queue = VecDeque::new();
        for &r in roots {
            is_root[r] = true;
            if !seen[r] {
                seen[r] = true;
                queue.push_back(r);
            }
        }
        while let Some(i) = queue.pop_front() {
            let is_root = is_root[i];
            for e in &self.edges[i] {
                let k = e.kinds;
                let ok = k.normal || (k.build && follow.build) || (k.dev && follow.dev && is_root);
                if !ok || seen[e.to] {
                    continue;
                }
                if !follow.proc_macros && self.pkgs[e.to].is_proc_macro {
                    continue;
                }
                seen[e.to] = true;
                parent[e.to] = Some(i);
                queue.push_back(e.to);
            }
        }
        (0..n)
            .filter(|&i| seen[i])
            .map(|i| (i, parent[i]))
            .collect()
    }

    /// The inclusion path to `i` (root first) given a parent map from [`Graph::reachable`].
    pub fn inclusion_path(
        &self,
        parents: &BTreeMap<usize, Option<usize>>,
        i: usize,
    ) -> Vec<PackageRef> {
        let mut path = vec![self.pkgs[i].to_ref()];
        let mut cur = i;
        let mut guard = 0;
        while let Some(Some(p)) = parents.get(&cur) {
            path.push(self.pkgs[*p].to_ref());
            cur = *p;
            guard += 1;
            if guard > self.pkgs.len() {
                break;
            }
        }
        path.reverse();
        path
    }

    /// Builds a graph from `Cargo.lock` alone: every edge counts as normal; roots are the
    /// path packages (workspace members).
    pub fn from_lockfile(lock: &cargo_lock::Lockfile) -> Graph {
        let mut pkgs: Vec<Pkg> = lock
            .packages
            .iter()
            .map(|p| {
                let source = p.source.as_ref().map(|s| s.to_string());
                let kind = SourceKind::parse(source.as_deref());
                let version = p.version.clone();
                Pkg {
                    id: format!(
                        "{} {} ({})",
                        p.name,
                        version,
                        source.as_deref().unwrap_or("path")
                    ),
                    purl: crate::purl::cargo(
                        p.name.as_str(),
                        &version.to_string(),
                        &kind.purl_source(),
                    ),
                    name: p.name.as_str().to_string(),
                    version,
                    checksum: p.checksum.as_ref().map(|c| c.to_string()),
                    is_member: source.is_none(),
                    source,
                    kind,
                    meta: None,
                    is_proc_macro: false,
                }
            })
            .collect();
        pkgs.sort_by(|a, b| {
            (&a.name, &a.version, &a.source).cmp(&(&b.name, &b.version, &b.source))
        });
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in pkgs.iter().enumerate() {
            by_name.entry(p.name.as_str()).or_default().push(i);
        }
        let mut edges = vec![Vec::new(); pkgs.len()];
        for lp in &lock.packages {
            let from_source = lp.source.as_ref().map(|s| s.to_string());
            let cands = by_name.get(lp.name.as_str()).map(Vec::as_slice);
            let Some(from) = cands
                .unwrap_or(&[])
                .iter()
                .copied()
                .find(|&c| pkgs[c].version == lp.version && pkgs[c].source == from_source)
            else {
                continue;
            };
            for dep in &lp.dependencies {
                let cands = by_name
                    .get(dep.name.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let to = cands.iter().copied().find(|&c| {
                    pkgs[c].version == dep.version
                        && dep
                            .source
                            .as_ref()
                            .is_none_or(|s| pkgs[c].source.as_deref() == Some(&s.to_string()))
                });
                if let Some(to) = to {
                    edges[from].push(Edge {
                        to,
                        kinds: Kinds {
                            normal: true,
                            build: false,
                            dev: false,
                        },
                    });
                }
            }
        }
        let roots = (0..pkgs.len()).filter(|&i| pkgs[i].is_member).collect();
        Graph { pkgs, edges, roots }
    }
}

/// The `cargo metadata` output a workspace was loaded from: the first target's run (which
/// the struct dereferences to, with the packages of every run merged into `packages`) and
/// the feature model extracted from all runs.
#[derive(Debug)]
pub struct LoadedMetadata {
    /// The first target's `cargo metadata`, its `packages` extended with the packages only
    /// other targets' (or the host's) runs have.
    pub first: cargo_metadata::Metadata,
    /// What feature resolution needs from every run ([`features::activate`]).
    pub features: features::FeatureModel,
}

impl std::ops::Deref for LoadedMetadata {
    type Target = cargo_metadata::Metadata;

    fn deref(&self) -> &cargo_metadata::Metadata {
        &self.first
    }
}

/// A loaded workspace.
#[derive(Debug)]
pub struct Workspace {
    /// Workspace root directory.
    pub root: Utf8PathBuf,
    /// The root manifest.
    pub root_manifest: Utf8PathBuf,
    /// `Cargo.lock`.
    pub lockfile_path: Utf8PathBuf,
    /// Parsed lockfile.
    pub lockfile: cargo_lock::Lockfile,
    /// `cargo metadata` output (dereferences to the first target's; `None` on the
    /// lockfile-only path).
    pub metadata: Option<LoadedMetadata>,
    /// Target triples the graph was filtered for (`host-tuple` when none was given).
    pub targets: Vec<String>,
    /// The package graph.
    pub graph: Graph,
    /// Source files loaded so far (manifests, lockfile), for diagnostics.
    pub sources: SourceMap,
}

impl Workspace {
    /// The metadata package of a graph package.
    pub fn meta_pkg(&self, pkg: &Pkg) -> Option<&cargo_metadata::Package> {
        let md = self.metadata.as_ref()?;
        pkg.meta.map(|i| &md.packages[i])
    }

    /// Workspace-level `[workspace.metadata]` table.
    pub fn workspace_metadata(&self) -> Option<&serde_json::Value> {
        self.metadata
            .as_ref()
            .map(|m| &m.workspace_metadata)
            .filter(|v| !v.is_null())
    }

    /// `target_directory` from cargo metadata.
    pub fn target_directory(&self) -> Option<&Utf8Path> {
        self.metadata.as_ref().map(|m| m.target_directory.as_path())
    }

    /// The features the workspace was loaded with (`--features`, `--all-features`,
    /// `--no-default-features`; the default request on the lockfile-only path).
    pub fn feature_request(&self) -> features::FeatureRequest {
        self.metadata
            .as_ref()
            .map(|m| m.features.request.clone())
            .unwrap_or_default()
    }

    /// Loads a file into the source map (for labels) and returns its contents.
    pub fn load_source(&mut self, path: &Utf8Path) -> Result<Arc<str>> {
        if let Some(c) = self.sources.get(path) {
            return Ok(c.clone());
        }
        let text: Arc<str> = fsutil::read_to_string(path)?.into();
        self.sources.insert(path.to_path_buf(), text.clone());
        Ok(text)
    }
}

/// Finds the manifest to start from: `--manifest-path`, else `Cargo.toml` in the current
/// directory or its nearest ancestor (as cargo does).
pub fn find_manifest(args: &WorkspaceArgs) -> Result<Utf8PathBuf> {
    if let Some(p) = &args.manifest_path {
        if p.file_name() != Some("Cargo.toml") {
            return Err(Error::other(format!(
                "the manifest-path must be a path to a Cargo.toml file: `{p}`"
            )));
        }
        if !p.exists() {
            return Err(Error::other(format!("manifest path `{p}` does not exist")));
        }
        return Ok(absolute(p));
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Error::other(format!("failed to read the current directory: {e}")))?;
    let cwd = Utf8PathBuf::from_path_buf(cwd)
        .map_err(|p| Error::other(format!("current directory is not UTF-8: {}", p.display())))?;
    for dir in cwd.ancestors() {
        let m = dir.join("Cargo.toml");
        if m.is_file() {
            return Ok(m);
        }
    }
    Err(Error::other(format!(
        "could not find `Cargo.toml` in `{cwd}` or any parent directory (use --manifest-path)"
    )))
}

fn absolute(p: &Utf8Path) -> Utf8PathBuf {
    if p.is_absolute() {
        return p.to_path_buf();
    }
    match std::env::current_dir()
        .ok()
        .and_then(|d| Utf8PathBuf::from_path_buf(d).ok())
    {
        Some(d) => d.join(p),
        None => p.to_path_buf(),
    }
}

/// Finds the workspace root the way cargo does, without running cargo: the manifest itself
/// when it has `[workspace]`, the path in `package.workspace`, else the nearest ancestor
/// manifest with a `[workspace]` table. Needed before cargo runs so that a missing
/// `Cargo.lock` is reported instead of silently created.
pub fn find_workspace_root(manifest: &Utf8Path) -> Result<Utf8PathBuf> {
    let text = fsutil::read_to_string(manifest)?;
    let doc: toml::Table =
        toml::from_str(&text).map_err(|e| fsutil::toml_error(manifest, &text, &e))?;
    let dir = manifest
        .parent()
        .unwrap_or(Utf8Path::new("."))
        .to_path_buf();
    if doc.contains_key("workspace") {
        return Ok(dir);
    }
    if let Some(ws) = doc
        .get("package")
        .and_then(|p| p.get("workspace"))
        .and_then(|w| w.as_str())
    {
        return Ok(dir.join(ws));
    }
    for anc in dir.ancestors().skip(1) {
        let m = anc.join("Cargo.toml");
        if !m.is_file() {
            continue;
        }
        let Ok(t) = std::fs::read_to_string(&m) else {
            continue;
        };
        let Ok(d) = toml::from_str::<toml::Table>(&t) else {
            continue;
        };
        if let Some(ws) = d.get("workspace") {
            // Only a workspace that does not exclude us.
            let excluded = ws
                .get("exclude")
                .and_then(|e| e.as_array())
                .is_some_and(|ex| {
                    ex.iter()
                        .filter_map(|v| v.as_str())
                        .any(|e| dir.starts_with(anc.join(e)))
                });
            if !excluded {
                return Ok(anc.to_path_buf());
            }
        }
    }
    Ok(dir)
}

/// Reads and parses a `Cargo.lock` (format versions 1 to 4).
pub fn read_lockfile(path: &Utf8Path) -> Result<(cargo_lock::Lockfile, Arc<str>)> {
    if !path.exists() {
        let dir = path.parent().map(|p| p.to_string()).unwrap_or_default();
        return Err(Error::other(format!(
            "{path}: no Cargo.lock: the gate checks the locked dependency graph\n  help: run `cargo generate-lockfile --manifest-path {dir}/Cargo.toml` and commit Cargo.lock"
        )));
    }
    let text = fsutil::read_to_string(path)?;
    let lock = parse_lockfile(path, &text)?;
    Ok((lock, text.into()))
}

/// Parses the text of the `Cargo.lock` at `path` (errors name it).
pub fn parse_lockfile(path: &Utf8Path, text: &str) -> Result<cargo_lock::Lockfile> {
    check_checksums(path, text)?;
    lockfile::parse(text).map_err(|e: cargo_lock::Error| {
        Error::malformed(path, format!("not a valid Cargo.lock: {e}"))
    })
}

/// Refuses a `checksum` that is not ASCII before `cargo-lock` parses it: cargo-lock 11 slices
/// the 64-byte string two bytes at a time and panics inside a multi-byte character (found by
/// the `lockfile` fuzz target). A checksum is 64 hexadecimal digits, so nothing valid is lost.
fn check_checksums(path: &Utf8Path, text: &str) -> Result<()> {
    for (i, line) in text.lines().enumerate() {
        if line.contains("checksum") && !line.is_ascii() {
            return Err(Error::malformed(
                format!("{path}:{}", i + 1),
                "not a valid Cargo.lock: a checksum must be 64 hexadecimal digits",
            ));
        }
    }
    Ok(())
}

/// Loads the workspace for `check`/`sbom`: finds the manifest and lockfile, runs
/// `cargo metadata` for each target, and builds the graph.
pub fn load(args: &WorkspaceArgs) -> Result<Workspace> {
    let manifest = find_manifest(args)?;
    let root = find_workspace_root(&manifest)?;
    let lockfile_path = root.join("Cargo.lock");
    // Read before cargo runs: `cargo metadata` would silently create a missing lockfile, and
    // a malformed one must be reported as such (naming Cargo.lock), not as a cargo failure.
    let (mut lockfile, mut lock_text) = read_lockfile(&lockfile_path)?;
    let mtime = |p: &Utf8Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let before = mtime(&lockfile_path);
    let targets: Vec<String> = if args.target.is_empty() {
        vec!["host-tuple".to_string()]
    } else {
        args.target.clone()
    };

    // Build scripts and proc-macros are built for the host, with the host's
    // platform-specific dependencies: when cross-compiling, one more run filters for the
    // host. Platforms of dependency declarations are evaluated with `rustc --print cfg`
    // (cargo metadata keeps every declaration of a dependency it keeps). All of it runs
    // concurrently with the metadata runs.
    let explicit = !args.target.is_empty();
    let mut host: Option<cargo_metadata::Metadata> = None;
    let mut host_platform: Option<features::PlatformCfg> = None;
    let mut platforms: Vec<Option<features::PlatformCfg>> = Vec::new();
    let root_dir: &Utf8Path = &root;
    let run_host = args.metadata_path.is_none();
    let metas: Vec<cargo_metadata::Metadata> = std::thread::scope(|s| {
        let join_err = |_| Error::other("cargo metadata thread panicked");
        let (targets, manifest) = (&targets, &manifest);
        let host_job = s.spawn(move || {
            // Without --target, RUSTFLAGS apply to the host too (cargo's rule).
            let cfg = features::PlatformCfg::query(&args.cfg_answers, root_dir, None, !explicit);
            // A target that is the host needs no second `rustc` (unless RUSTFLAGS, which
            // apply to it but not to the host, could change its cfg).
            let target_cfgs: Vec<Option<features::PlatformCfg>> = targets
                .iter()
                .map(|t| match &cfg {
                    _ if t == "host-tuple" => None,
                    Some(c) if *t == c.triple && !features::rustflags_set() => Some(c.clone()),
                    _ => features::PlatformCfg::query(&args.cfg_answers, root_dir, Some(t), true),
                })
                .collect();
            let is_target = cfg
                .as_ref()
                .is_some_and(|c| targets.iter().any(|t| t == "host-tuple" || *t == c.triple));
            let meta = if run_host && explicit && !is_target {
                Some(run_metadata(args, manifest, "host-tuple"))
            } else {
                None
            };
            (cfg, target_cfgs, meta)
        });
        let metas: Vec<cargo_metadata::Metadata> =
            match &args.metadata_path {
                Some(p) => {
                    let text = fsutil::read_to_string(p)?;
                    vec![cargo_metadata::MetadataCommand::parse(&text).map_err(|e| {
                        Error::malformed(p, format!("not cargo metadata JSON: {e}"))
                    })?]
                }
                None => {
                    // One `cargo metadata` per target, concurrently: each is I/O and process bound.
                    let handles: Vec<_> = targets
                        .iter()
                        .map(|t| s.spawn(move || run_metadata(args, manifest, t)))
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().unwrap_or_else(|e| Err(join_err(e))))
                        .collect::<Result<Vec<_>>>()?
                }
            };
        let (cfg, target_cfgs, meta) = host_job.join().map_err(join_err)?;
        host_platform = cfg;
        host = meta.transpose()?;
        platforms = target_cfgs;
        Ok::<_, Error>(metas)
    })?;
    for (p, t) in platforms.iter_mut().zip(&targets) {
        if t == "host-tuple" {
            *p = host_platform.clone();
        }
    }
    // Without --locked, cargo may have updated the lockfile: read it again if so.
    if mtime(&lockfile_path) != before {
        (lockfile, lock_text) = read_lockfile(&lockfile_path)?;
    }
    let mut metas = metas;
    let mut first = metas.remove(0);
    // `Pkg::meta` indexes the first run's packages: add those only other runs have.
    let extra: Vec<cargo_metadata::Package> = {
        let known: std::collections::HashSet<&str> =
            first.packages.iter().map(|p| p.id.repr.as_str()).collect();
        let mut seen = std::collections::HashSet::new();
        metas
            .iter()
            .chain(host.as_ref())
            .flat_map(|m| &m.packages)
            .filter(|p| !known.contains(p.id.repr.as_str()) && seen.insert(p.id.repr.as_str()))
            .cloned()
            .collect()
    };
    first.packages.extend(extra);
    let target_runs: Vec<&cargo_metadata::Metadata> =
        std::iter::once(&first).chain(metas.iter()).collect();
    let (graph, mut model) = build_graph(
        &first,
        &target_runs,
        &platforms,
        host.as_ref(),
        host_platform.as_ref(),
        &lockfile,
        args,
    )?;
    let root_manifest = first.workspace_root.join("Cargo.toml");
    let root_doc: Option<toml::Table> = std::fs::read_to_string(&root_manifest)
        .ok()
        .and_then(|t| toml::from_str(&t).ok());
    if let Some(doc) = &root_doc {
        model.resolver = features::ResolverVersion::from_root_manifest(doc);
        model.is_virtual = !doc.contains_key("package");
    }
    model.current = first
        .resolve
        .as_ref()
        .and_then(|r| r.root.as_ref())
        .and_then(|id| graph.index_of(&id.repr));
    model.request = features::FeatureRequest::from_args(args);
    let mut sources = SourceMap::default();
    sources.insert(lockfile_path.clone(), lock_text);
    let root = first.workspace_root.clone();
    let metadata = Some(LoadedMetadata {
        first,
        features: model,
    });
    Ok(Workspace {
        root,
        root_manifest,
        lockfile_path,
        lockfile,
        metadata,
        targets,
        graph,
        sources,
    })
}

/// The `cargo metadata` options for `args` and one target: the platform filter, `--locked`,
/// `--offline` and the feature flags (the SBOM's metadata cache keys on the same list).
pub fn metadata_options(args: &WorkspaceArgs, target: &str) -> Vec<String> {
    let mut other = vec!["--filter-platform".to_string(), target.to_string()];
    if args.is_locked() {
        other.push("--locked".into());
    }
    if args.is_offline() {
        other.push("--offline".into());
    }
    if args.all_features {
        other.push("--all-features".into());
    }
    if args.no_default_features {
        other.push("--no-default-features".into());
    }
    for f in &args.features {
        other.push("--features".into());
        other.push(f.clone());
    }
    other
}

fn run_metadata(
    args: &WorkspaceArgs,
    manifest: &Utf8Path,
    target: &str,
) -> Result<cargo_metadata::Metadata> {
    // An answer the cargo-answer cache holds for exactly this command.
    if let Some(p) = args.cached_metadata.get(target)
        && let Ok(text) = fsutil::read_to_string(p)
        && let Ok(md) = cargo_metadata::MetadataCommand::parse(&text)
    {
        return Ok(md);
    }
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.manifest_path(manifest);
    cmd.other_options(metadata_options(args, target));
    cmd.exec().map_err(|e| {
        let detail = match &e {
            cargo_metadata::Error::CargoMetadata { stderr } => stderr.trim().to_string(),
            other => other.to_string(),
        };
        Error::Command {
            message: format!("{manifest}: `cargo metadata` failed:\n{detail}"),
        }
    })
}

fn build_graph(
    md: &cargo_metadata::Metadata,
    metas: &[&cargo_metadata::Metadata],
    platforms: &[Option<features::PlatformCfg>],
    host: Option<&cargo_metadata::Metadata>,
    host_platform: Option<&features::PlatformCfg>,
    lock: &cargo_lock::Lockfile,
    args: &WorkspaceArgs,
) -> Result<(Graph, features::FeatureModel)> {
    let members: BTreeSet<&cargo_metadata::PackageId> = md.workspace_members.iter().collect();
    let checksums: HashMap<(&str, String, Option<String>), String> = lock
        .packages
        .iter()
        .filter_map(|p| {
            let c = p.checksum.as_ref()?;
            Some((
                (
                    p.name.as_str(),
                    p.version.to_string(),
                    p.source.as_ref().map(|s| s.to_string()),
                ),
                c.to_string(),
            ))
        })
        .collect();
    // Nodes present in any target's resolve (or the host's: build scripts' dependencies).
    let mut in_resolve: BTreeSet<&str> = BTreeSet::new();
    for m in metas.iter().chain(host.as_ref()) {
        if let Some(r) = &m.resolve {
            in_resolve.extend(r.nodes.iter().map(|n| n.id.repr.as_str()));
        }
    }
    let mut pkgs: Vec<Pkg> = md
        .packages
        .iter()
        .enumerate()
        .filter(|(_, p)| in_resolve.contains(p.id.repr.as_str()))
        .map(|(i, p)| {
            let source = p.source.as_ref().map(|s| s.repr.clone());
            let kind = SourceKind::parse(source.as_deref());
            let version = p.version.to_string();
            Pkg {
                id: p.id.repr.clone(),
                name: p.name.to_string(),
                version: p.version.clone(),
                checksum: checksums
                    .get(&(p.name.as_str(), version.clone(), source.clone()))
                    .cloned(),
                purl: crate::purl::cargo(&p.name, &version, &kind.purl_source()),
                source,
                kind,
                meta: Some(i),
                is_member: members.contains(&p.id),
                is_proc_macro: p.targets.iter().any(|t| t.is_proc_macro()),
            }
        })
        .collect();
    pkgs.sort_by(|a, b| (&a.name, &a.version, &a.source).cmp(&(&b.name, &b.version, &b.source)));
    let index: HashMap<&str, usize> = pkgs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut edge_map: Vec<BTreeMap<usize, Kinds>> = vec![BTreeMap::new(); pkgs.len()];
    for m in metas {
        let Some(r) = &m.resolve else { continue };
        for n in &r.nodes {
            let Some(&from) = index.get(n.id.repr.as_str()) else {
                continue;
            };
            for d in &n.deps {
                let Some(&to) = index.get(d.pkg.repr.as_str()) else {
                    continue;
                };
                let k = edge_map[from].entry(to).or_default();
                for dk in &d.dep_kinds {
                    match dk.kind {
                        cargo_metadata::DependencyKind::Normal => k.normal = true,
                        cargo_metadata::DependencyKind::Build => k.build = true,
                        cargo_metadata::DependencyKind::Development => k.dev = true,
                        _ => k.normal = true,
                    }
                }
            }
        }
    }
    let edges = edge_map
        .into_iter()
        .map(|m| {
            m.into_iter()
                .map(|(to, kinds)| Edge { to, kinds })
                .collect()
        })
        .collect();
    let roots = select_roots(md, &pkgs, args)?;
    // Keyed by the metadata's ids (`pkgs` moves into the graph).
    let index: HashMap<&str, usize> = index
        .into_values()
        .filter_map(|i| Some((md.packages[pkgs[i].meta?].id.repr.as_str(), i)))
        .collect();
    let graph = Graph { pkgs, edges, roots };
    let model = features::FeatureModel::build(
        &md.packages,
        metas,
        platforms,
        host,
        host_platform,
        &graph,
        &index,
    );
    Ok((graph, model))
}

/// `-p`, `--workspace`, `--exclude`, and cargo's default (the current package, else the
/// default members).
fn select_roots(
    md: &cargo_metadata::Metadata,
    pkgs: &[Pkg],
    args: &WorkspaceArgs,
) -> Result<Vec<usize>> {
    let member_idx: Vec<usize> = (0..pkgs.len()).filter(|&i| pkgs[i].is_member).collect();
    let mut roots: Vec<usize> = if !args.package.is_empty() {
        let mut out = Vec::new();
        for spec in &args.package {
            let (name, ver) = match spec.split_once('@') {
                Some((n, v)) => (n, Some(v)),
                None => (spec.as_str(), None),
            };
            let found: Vec<usize> = member_idx
                .iter()
                .copied()
                .filter(|&i| {
                    pkgs[i].name == name && ver.is_none_or(|v| pkgs[i].version.to_string() == v)
                })
                .collect();
            if found.is_empty() {
                return Err(Error::other(format!(
                    "package ID specification `{spec}` did not match any workspace member"
                )));
            }
            out.extend(found);
        }
        out
    } else if args.workspace || md.root_package().is_none() {
        member_idx.clone()
    } else {
        let root_id = &md
            .root_package()
            .map(|p| p.id.repr.clone())
            .unwrap_or_default();
        member_idx
            .iter()
            .copied()
            .filter(|&i| &pkgs[i].id == root_id)
            .collect()
    };
    if !args.exclude.is_empty() {
        roots.retain(|&i| !args.exclude.iter().any(|e| e == &pkgs[i].name));
    }
    roots.sort_unstable();
    roots.dedup();
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_ascii_checksum_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = Utf8PathBuf::from_path_buf(dir.path().join("Cargo.lock")).unwrap();
        let bad = format!(
            "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\u{2dd}{}\"\n",
            "8".repeat(15),
            "0".repeat(47)
        );
        std::fs::write(&p, bad).unwrap();
        let e = read_lockfile(&p).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{p}:7: not a valid Cargo.lock: a checksum")),
            "{e}"
        );
    }

    #[test]
    fn source_kinds() {
        assert_eq!(SourceKind::parse(None), SourceKind::Path);
        assert_eq!(
            SourceKind::parse(Some(
                "registry+https://github.com/rust-lang/crates.io-index"
            )),
            SourceKind::CratesIo
        );
        assert_eq!(
            SourceKind::parse(Some("sparse+https://index.crates.io/")),
            SourceKind::CratesIo
        );
        assert_eq!(
            SourceKind::parse(Some("git+https://github.com/a/b?rev=abc#abcdef")),
            SourceKind::Git {
                url: "https://github.com/a/b".into(),
                rev: Some("abcdef".into())
            }
        );
        assert_eq!(
            SourceKind::parse(Some("sparse+https://r.example/index/")),
            SourceKind::Registry("sparse+https://r.example/index/".into())
        );
    }

    #[test]
    fn purls() {
        let purl = |n, v, k: &SourceKind| crate::purl::cargo(n, v, &k.purl_source());
        assert_eq!(
            purl("serde", "1.0.0", &SourceKind::CratesIo),
            "pkg:cargo/serde@1.0.0"
        );
        assert_eq!(purl("m", "1.0.0", &SourceKind::Path), "pkg:cargo/m@1.0.0");
        assert_eq!(
            purl(
                "x",
                "0.1.0",
                &SourceKind::Git {
                    url: "https://github.com/a/b".into(),
                    rev: Some("abc".into())
                }
            ),
            "pkg:cargo/x@0.1.0?vcs_url=git%2Bhttps://github.com/a/b%40abc"
        );
        assert_eq!(
            purl(
                "x",
                "0.1.0",
                &SourceKind::Registry("https://r.example/index".into())
            ),
            "pkg:cargo/x@0.1.0?repository_url=https://r.example/index"
        );
    }
}
