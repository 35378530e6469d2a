//! Cargo's feature resolution, redone over the `cargo metadata` output we already load.
//!
//! `cargo metadata`'s `resolve` graph is the *dependency* resolver's answer: one feature set
//! per package, unified across every platform, every workspace member and dev-dependencies.
//! Even with `--filter-platform` it keeps edges that are never built (an optional dependency
//! enabled only by a dev-dependency, by a `cfg(windows)` dependency's features, by a build
//! script's dependency, or by another member). What is really compiled comes from cargo's
//! *feature* resolver (`src/cargo/core/resolver/features.rs`), which `cargo build` and
//! `cargo tree` run after the dependency resolver. This module reimplements it, so that
//! "what is built" equals `cargo tree -e normal,build --target T [-p P | --workspace]
//! [-F ...]` without a second cargo invocation (cargo-deny's `krates` re-resolves features
//! from the metadata for the same reason).
//!
//! The semantics follow the cargo reference ("Features", "Feature resolver version 2",
//! <https://doc.rust-lang.org/cargo/reference/features.html#feature-resolver-version-2>)
//! and cargo's implementation:
//!
//! * Roots are activated with the requested features: `default` unless
//!   `--no-default-features`, `--features` (whitespace- or comma-separated, `pkg/feat`
//!   allowed), `--all-features`. With resolver 2 or a virtual workspace a feature applies to
//!   every selected member that has it; with resolver 1 in a package root it applies to the
//!   current package only and `member/feat` to other members (cargo's
//!   `Workspace::members_with_features`).
//! * A feature enables the values in its `[features]` entry: another feature, `dep:name`
//!   (the optional dependency only), `name/feat` (the optional dependency, its implicit
//!   feature when it has one, and `feat` on it), `name?/feat` (`feat` only if `name` is
//!   enabled by something else: "weak dependency features", deferred until it is). Optional
//!   dependencies never named with `dep:` have an implicit feature of their own name, which
//!   `cargo metadata` already lists in `features`.
//! * A package's enabled dependencies are its non-optional ones plus the optional ones a
//!   feature enabled; each is activated with its declared `features`, plus `default` unless
//!   `default-features = false`.
//! * Resolver 2 keeps two feature sets per package: one for the target and one for the host
//!   ("build-dependencies and proc-macros do not share features with normal dependencies").
//!   Build-dependencies and proc-macros, and everything below them, are resolved in the host
//!   context, where platform-specific dependencies are evaluated for the host.
//! * Resolver 2 ignores platform-specific dependencies of inactive platforms ("features
//!   enabled on platform-specific dependencies for targets not currently being built are
//!   ignored"), and dev-dependencies unless a target that needs them is built ("features
//!   enabled on dev-dependencies will not be unified when those same dependencies are used as
//!   a normal dependency, unless those dev-dependencies are currently being built"): here,
//!   when `Follow::dev` asks for the roots' dev-dependencies, as `cargo tree -e dev` does.
//! * Resolver 1 (`resolver = "1"`, or an edition 2015/2018 root without `resolver`) unifies
//!   everything: one feature set per package, dev-dependencies of the roots always count,
//!   the current package is always resolved (even with `-p other`), and no platform
//!   filtering while resolving features (the graph walk still filters platforms, as cargo
//!   does). Gap: `cargo metadata --filter-platform` drops dependency edges that no
//!   declaration of the platform needs, so features requested *only* through such an edge
//!   are not seen (for example tokio's implicit `windows-sys` feature and `libc/extra_traits`
//!   on Linux). Package sets matched cargo in every resolver 1 case tried; feature sets can
//!   miss such names.
//!
//! Matching cargo's `Resolve::deps` (a resolved dependency plus the declarations behind it)
//! uses each `NodeDep`'s `dep_kinds` (kind and platform) and package name against the
//! package's declared dependencies, disambiguated by the extern crate name (`NodeDep::name`:
//! the rename or the library name, `-` as `_`) and then the version requirement.
//!
//! Platforms: every declaration's `cfg(..)`/triple is evaluated against `rustc --print cfg`
//! of the target and of the host (cargo metadata keeps all declarations of a dependency it
//! keeps). Like cargo, `RUSTFLAGS`/`CARGO_ENCODED_RUSTFLAGS` are passed (to the host only
//! without `--target`); rustflags from cargo's configuration files are not read (gap: a
//! `--cfg` set there is not seen). When cross-compiling, `workspace::load` adds a
//! host-filtered `cargo metadata` run, because packages only the host needs (a build
//! script's unix-only dependencies when building for Windows) are missing from the target's.
//! With `--metadata-path` there is no such run (gap: host-only packages may be missing when
//! cross-compiling). Artifact dependencies (`-Z bindeps`) are not modelled.

use super::{Follow, Graph, Workspace};
use crate::cli::WorkspaceArgs;
use cargo_metadata::{DependencyKind, Metadata, Package};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// The features asked for on the command line (`--features`, `--all-features`,
/// `--no-default-features`), applied to the selected root packages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureRequest {
    /// `--features` values as given: each may hold several features separated by
    /// whitespace or commas; `feat`, `dep/feat`, `dep?/feat` or `member/feat`.
    pub features: Vec<String>,
    /// `--all-features`.
    pub all_features: bool,
    /// `--no-default-features`.
    pub no_default_features: bool,
}

impl FeatureRequest {
    /// The request the command line made.
    pub fn from_args(args: &WorkspaceArgs) -> FeatureRequest {
        FeatureRequest {
            features: args.features.clone(),
            all_features: args.all_features,
            no_default_features: args.no_default_features,
        }
    }

    /// The individual feature names (cargo splits on whitespace and commas).
    fn tokens(&self) -> impl Iterator<Item = &str> {
        self.features
            .iter()
            .flat_map(|f| f.split(|c: char| c.is_whitespace() || c == ','))
            .filter(|s| !s.is_empty())
    }
}

/// Which feature resolver the workspace uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResolverVersion {
    /// `resolver = "1"`: one feature set per package, unified across everything.
    V1,
    /// `resolver = "2"` (and "3", which changes only version selection): host/target,
    /// dev-dependency and platform decoupling.
    #[default]
    V2,
}

impl ResolverVersion {
    /// The resolver of a workspace from its root manifest, as cargo picks it: `resolver` in
    /// `[workspace]` or `[package]`, else "2" for a root package of edition 2021 or later
    /// (`edition.workspace = true` read from `[workspace.package]`), else "1" (also for a
    /// virtual workspace without `resolver`).
    pub fn from_root_manifest(doc: &toml::Table) -> ResolverVersion {
        let ws = doc.get("workspace").and_then(|w| w.as_table());
        let pkg = doc.get("package").and_then(|p| p.as_table());
        let explicit = ws
            .and_then(|w| w.get("resolver"))
            .or_else(|| pkg.and_then(|p| p.get("resolver")));
        if let Some(r) = explicit.and_then(|r| r.as_str()) {
            return if r == "1" {
                ResolverVersion::V1
            } else {
                ResolverVersion::V2
            };
        }
        let Some(pkg) = pkg else {
            return ResolverVersion::V1;
        };
        let edition = match pkg.get("edition") {
            Some(toml::Value::String(e)) => Some(e.as_str()),
            Some(toml::Value::Table(t))
                if t.get("workspace").and_then(|v| v.as_bool()) == Some(true) =>
            {
                ws.and_then(|w| w.get("package"))
                    .and_then(|p| p.get("edition"))
                    .and_then(|e| e.as_str())
            }
            _ => None,
        };
        match edition {
            Some(e) if e.parse::<u32>().is_ok_and(|y| y >= 2021) => ResolverVersion::V2,
            _ => ResolverVersion::V1,
        }
    }
}

/// A feature context: cargo's `FeaturesFor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// Built for the target platform (normal and dev-dependencies of target code).
    Target,
    /// Built for the host: build-dependencies, proc-macros and everything below them.
    Host,
}

/// A platform as `rustc --print cfg` describes it: what `[target.'cfg(..)'.dependencies]`
/// are evaluated against. `cargo metadata --filter-platform` drops a dependency only when
/// none of its declarations is active, but still lists every declaration's platform in
/// `dep_kinds`, so the platform of each declaration is evaluated here, as cargo's
/// `RustcTargetData::dep_platform_activated` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformCfg {
    /// The target triple (`Platform::Name` matches it).
    pub triple: String,
    /// `rustc --print cfg` for it.
    pub cfgs: Vec<cargo_metadata::cargo_platform::Cfg>,
}

impl PlatformCfg {
    /// Parses `rustc --print cfg` output.
    pub fn parse(triple: &str, print_cfg: &str) -> PlatformCfg {
        let cfgs = print_cfg
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        PlatformCfg {
            triple: triple.to_string(),
            cfgs,
        }
    }

    /// Asks `rustc` (`RUSTC`, else `rustc`, run in `dir` so a toolchain file applies) for the
    /// cfg of `target`, or of the host when `None` (then also for the host triple). Like
    /// cargo, passes `RUSTFLAGS` (`CARGO_ENCODED_RUSTFLAGS`) when `rustflags` is set, which
    /// cargo does for the host only without `--target`; `build.rustflags` from cargo's
    /// configuration files is not read (a `--cfg` there is not seen).
    ///
    /// The answer comes from `answers` when it holds one for exactly this query (directory,
    /// target, flags); a fresh answer is added to it. A failed query is never remembered.
    pub fn query(
        answers: &CfgAnswers,
        dir: &camino::Utf8Path,
        target: Option<&str>,
        rustflags: bool,
    ) -> Option<PlatformCfg> {
        let flags = if rustflags {
            env_rustflags()
        } else {
            Vec::new()
        };
        let key = format!(
            "{dir}\u{1f}{}\u{1f}{}",
            target.unwrap_or("host"),
            flags.join("\u{1f}")
        );
        let text = answers.get_or_insert_with(key, || Self::run_rustc(dir, target, &flags))?;
        match target {
            Some(t) => Some(PlatformCfg::parse(t, &text)),
            None => {
                let (triple, rest) = text.split_once('\n')?;
                Some(PlatformCfg::parse(triple.trim(), rest))
            }
        }
    }

    /// Runs `rustc --print cfg` for [`PlatformCfg::query`]: its output, for the host preceded
    /// by a line with the host triple.
    fn run_rustc(dir: &camino::Utf8Path, target: Option<&str>, flags: &[String]) -> Option<String> {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let mut cmd = std::process::Command::new(&rustc);
        cmd.current_dir(dir)
            .stderr(std::process::Stdio::null())
            .args(flags);
        match target {
            Some(t) => {
                cmd.args(["--print", "cfg", "--target", t]);
                let out = cmd.output().ok().filter(|o| o.status.success())?;
                String::from_utf8(out.stdout).ok()
            }
            None => {
                cmd.args(["--print", "host-tuple", "--print", "cfg"]);
                let out = cmd.output().ok().filter(|o| o.status.success());
                if let Some(out) = out {
                    let text = String::from_utf8(out.stdout).ok()?;
                    return text.contains('\n').then_some(text);
                }
                // rustc before 1.84 has no `--print host-tuple`.
                let vv = std::process::Command::new(&rustc)
                    .arg("-vV")
                    .current_dir(dir)
                    .output()
                    .ok()?;
                let vv = String::from_utf8_lossy(&vv.stdout);
                let triple = vv
                    .lines()
                    .find_map(|l| l.strip_prefix("host: "))?
                    .trim()
                    .to_string();
                let mut cmd = std::process::Command::new(&rustc);
                cmd.current_dir(dir)
                    .stderr(std::process::Stdio::null())
                    .args(flags);
                let out = cmd
                    .args(["--print", "cfg"])
                    .output()
                    .ok()
                    .filter(|o| o.status.success())?;
                Some(format!("{triple}\n{}", String::from_utf8(out.stdout).ok()?))
            }
        }
    }

    /// Whether a dependency declared for `platform` is active here.
    pub fn matches(&self, platform: &cargo_metadata::cargo_platform::Platform) -> bool {
        platform.matches(&self.triple, &self.cfgs)
    }
}

/// `rustc --print cfg` answers of one run by their exact query ([`PlatformCfg::query`]),
/// shared by the workspace loader and the bans check (clones share one memo) and kept between
/// runs in the cargo-answer cache ([`crate::cargo_cache`]), whose fingerprint covers what the
/// answers depend on (`rustc -vV`, `RUSTC*`/`RUSTFLAGS`/`CARGO_*` variables, toolchain files,
/// target specification files).
#[derive(Debug, Clone, Default)]
pub struct CfgAnswers(std::sync::Arc<std::sync::Mutex<CfgMemo>>);

#[derive(Debug, Default)]
struct CfgMemo {
    answers: BTreeMap<String, String>,
    /// An answer was added since the memo was made.
    fresh: bool,
}

impl CfgAnswers {
    /// A memo holding answers from an earlier run.
    pub fn from_cached(answers: BTreeMap<String, String>) -> CfgAnswers {
        CfgAnswers(std::sync::Arc::new(std::sync::Mutex::new(CfgMemo {
            answers,
            fresh: false,
        })))
    }

    /// Every answer, when one was added by this run (else `None`: nothing to save).
    pub fn added(&self) -> Option<BTreeMap<String, String>> {
        let m = self.0.lock().ok()?;
        m.fresh.then(|| m.answers.clone())
    }

    /// The answer to `key`, else `run`'s (remembered when there is one). rustc runs without
    /// the lock held, so queries for several targets run at once.
    fn get_or_insert_with(
        &self,
        key: String,
        run: impl FnOnce() -> Option<String>,
    ) -> Option<String> {
        if let Some(a) = self
            .0
            .lock()
            .ok()
            .and_then(|m| m.answers.get(&key).cloned())
        {
            return Some(a);
        }
        let answer = run()?;
        if let Ok(mut m) = self.0.lock() {
            m.answers.insert(key, answer.clone());
            m.fresh = true;
        }
        Some(answer)
    }
}

/// Whether `RUSTFLAGS` or `CARGO_ENCODED_RUSTFLAGS` hold any flag.
pub fn rustflags_set() -> bool {
    !env_rustflags().is_empty()
}

/// `CARGO_ENCODED_RUSTFLAGS` (0x1f-separated), else `RUSTFLAGS` (whitespace-separated).
fn env_rustflags() -> Vec<String> {
    if let Ok(enc) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        return enc
            .split('\x1f')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    std::env::var("RUSTFLAGS")
        .map(|f| f.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// What [`activate`] found.
#[derive(Debug, Clone, Default)]
pub struct Activated {
    /// Every package reached, each with its parent on a shortest path (roots map to `None`),
    /// like [`Graph::reachable`]; the union over all target platforms and both contexts.
    pub parents: BTreeMap<usize, Option<usize>>,
    /// The dependency edges followed (package indices, union over targets and contexts).
    /// With `Follow { build: false, proc_macros: false, .. }` only the target context is
    /// walked, so the closure of a root over these edges is exactly what is linked into it.
    pub edges: BTreeMap<usize, BTreeSet<usize>>,
    /// The enabled features of each reached package, per context it was reached in.
    pub features: BTreeMap<(usize, Context), BTreeSet<String>>,
    /// Whether features were resolved (false on the lockfile-only path: every edge counts).
    pub resolved: bool,
}

impl Activated {
    /// `root` and every package reachable from it over [`Activated::edges`].
    pub fn closure(&self, root: usize) -> BTreeSet<usize> {
        closure(&self.edges, root)
    }
}

/// `root` and every package reachable from it over `edges` (an adjacency map).
pub fn closure(edges: &BTreeMap<usize, BTreeSet<usize>>, root: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([root]);
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        for &d in edges.get(&n).into_iter().flatten() {
            if seen.insert(d) {
                stack.push(d);
            }
        }
    }
    seen
}

/// Dependency kind of a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Normal,
    Build,
    Dev,
}

impl From<DependencyKind> for Kind {
    fn from(k: DependencyKind) -> Kind {
        match k {
            DependencyKind::Build => Kind::Build,
            DependencyKind::Development => Kind::Dev,
            _ => Kind::Normal,
        }
    }
}

/// One value of a `[features]` entry, resolved against its own package.
#[derive(Debug, Clone)]
enum Fv {
    /// Another feature of the package (by id).
    Feature(u32),
    /// `dep:name` (by dependency-name id).
    Dep(u32),
    /// `name/feat` or `name?/feat` (weak).
    DepFeature { dep: u32, feat: String, weak: bool },
}

/// A declared dependency (`[dependencies]`, `[build-dependencies]`, `[dev-dependencies]`,
/// possibly under `[target.'cfg(..)'.*]`).
#[derive(Debug, Clone)]
struct Decl {
    /// `name_in_toml` (the rename, else the package name), as a dependency-name id.
    name: u32,
    kind: Kind,
    optional: bool,
    default_features: bool,
    features: Vec<String>,
}

/// A declaration behind a resolved edge, with the platforms it is active on.
#[derive(Debug, Clone, Copy)]
struct DeclUse {
    decl: u32,
    /// Bit `i`: active on target slot `i` (a `cargo metadata --filter-platform` run).
    targets: u64,
    /// Active on the host.
    host: bool,
}

/// A resolved dependency edge and the declarations behind it (cargo's `Resolve::deps`).
#[derive(Debug, Clone)]
struct ResolvedDep {
    to: usize,
    uses: Vec<DeclUse>,
}

/// The feature-relevant part of one package's manifest.
#[derive(Debug, Clone, Default)]
struct PkgModel {
    feature_ids: HashMap<String, u32>,
    feature_names: Vec<String>,
    values: Vec<Vec<Fv>>,
    default: Option<u32>,
    dep_ids: HashMap<String, u32>,
    dep_names: Vec<String>,
    decls: Vec<Decl>,
    /// Optional dependencies by name (for `--features name` on a member).
    optional_names: BTreeSet<String>,
    deps: Vec<ResolvedDep>,
}

impl PkgModel {
    fn dep_id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.dep_ids.get(name) {
            return i;
        }
        let i = self.dep_names.len() as u32;
        self.dep_ids.insert(name.to_string(), i);
        self.dep_names.push(name.to_string());
        i
    }
}

/// Everything the feature resolver needs, extracted once from the `cargo metadata` runs.
#[derive(Debug, Clone, Default)]
pub struct FeatureModel {
    /// The workspace's resolver.
    pub resolver: ResolverVersion,
    /// The root manifest has no `[package]`.
    pub is_virtual: bool,
    /// The package cargo calls "current" (the one `--manifest-path` or the working directory
    /// names), if any: resolver 1's `--features` go to it.
    pub current: Option<usize>,
    /// The request of the command line the workspace was loaded with.
    pub request: FeatureRequest,
    /// Number of target slots (per-target `cargo metadata` runs, at most 64).
    pub targets: usize,
    /// Whether the host's platform was known (else host questions were answered "active").
    pub host_exact: bool,
    /// Whether a separate host-filtered `cargo metadata` run was used (cross-compiling).
    pub host_run: bool,
    pkgs: Vec<PkgModel>,
}

/// Lowercase-insensitive extern crate name form: `-` as `_`.
fn extern_name(s: &str) -> String {
    s.replace('-', "_")
}

fn lib_name(p: &Package) -> Option<&str> {
    use cargo_metadata::TargetKind as K;
    p.targets
        .iter()
        .find(|t| {
            t.kind.iter().any(|k| {
                matches!(
                    k,
                    K::Lib | K::RLib | K::DyLib | K::ProcMacro | K::CDyLib | K::StaticLib
                )
            })
        })
        .map(|t| t.name.as_str())
}

impl FeatureModel {
    /// Builds the model. `packages` is the merged package list that [`super::Pkg::meta`]
    /// indexes; `targets[i]` is the metadata run of target slot `i` and `platforms[i]` its
    /// platform (`None`: unknown, every declaration counts as active); `host` the run filtered
    /// for the host when there is a separate one (cross-compiling) and `host_platform` the
    /// host's platform; `index` maps package ids to graph indices.
    pub(crate) fn build(
        packages: &[Package],
        targets: &[&Metadata],
        platforms: &[Option<PlatformCfg>],
        host: Option<&Metadata>,
        host_platform: Option<&PlatformCfg>,
        graph: &Graph,
        index: &HashMap<&str, usize>,
    ) -> FeatureModel {
        let mut pkgs: Vec<PkgModel> = graph
            .pkgs
            .iter()
            .map(|p| {
                p.meta
                    .map(|m| package_model(&packages[m]))
                    .unwrap_or_default()
            })
            .collect();
        // Per package: resolved dependency -> position in `deps`.
        let mut dep_pos: Vec<HashMap<usize, usize>> = vec![HashMap::new(); pkgs.len()];
        let slots = targets.len().min(64);
        let mut runs: Vec<(&Metadata, Option<usize>)> = targets
            .iter()
            .take(slots)
            .enumerate()
            .map(|(i, m)| (*m, Some(i)))
            .collect();
        runs.extend(host.map(|h| (h, None)));
        // Platform answers, memoized per (platform expression, slot or host).
        let mut memo: HashMap<(&cargo_metadata::cargo_platform::Platform, Option<usize>), bool> =
            HashMap::new();
        for (md, slot) in runs {
            let Some(resolve) = &md.resolve else { continue };
            for node in &resolve.nodes {
                let Some(&from) = index.get(node.id.repr.as_str()) else {
                    continue;
                };
                let Some(from_meta) = graph.pkgs[from].meta else {
                    continue;
                };
                let from_pkg = &packages[from_meta];
                for nd in &node.deps {
                    let Some(&to) = index.get(nd.pkg.repr.as_str()) else {
                        continue;
                    };
                    let to_pkg = &graph.pkgs[to];
                    let pm = &mut pkgs[from];
                    let pos = *dep_pos[from].entry(to).or_insert_with(|| {
                        pm.deps.push(ResolvedDep {
                            to,
                            uses: Vec::new(),
                        });
                        pm.deps.len() - 1
                    });
                    for dk in &nd.dep_kinds {
                        let kind = Kind::from(dk.kind);
                        let mut cands: Vec<usize> = from_pkg
                            .dependencies
                            .iter()
                            .enumerate()
                            .filter(|(_, d)| {
                                d.name == to_pkg.name
                                    && Kind::from(d.kind) == kind
                                    && d.target == dk.target
                            })
                            .map(|(i, _)| i)
                            .collect();
                        if cands.len() > 1 {
                            // Several declarations of one package under the same kind and
                            // platform: renames. `NodeDep::name` is the extern crate name.
                            let lib = to_pkg
                                .meta
                                .and_then(|m| lib_name(&packages[m]))
                                .map(extern_name);
                            let named: Vec<usize> = cands
                                .iter()
                                .copied()
                                .filter(|&i| {
                                    let d = &from_pkg.dependencies[i];
                                    match &d.rename {
                                        Some(r) => extern_name(r) == nd.name,
                                        None => lib.as_deref().is_none_or(|l| l == nd.name),
                                    }
                                })
                                .collect();
                            if !named.is_empty() {
                                cands = named;
                            }
                        }
                        if cands.len() > 1 {
                            let matching: Vec<usize> = cands
                                .iter()
                                .copied()
                                .filter(|&i| from_pkg.dependencies[i].req.matches(&to_pkg.version))
                                .collect();
                            if !matching.is_empty() {
                                cands = matching;
                            }
                        }
                        // Whether this declaration's platform is active on the run's
                        // target and on the host.
                        let mut active = |slot: Option<usize>| match &dk.target {
                            None => true,
                            Some(p) => *memo.entry((p, slot)).or_insert_with(|| {
                                let cfg = match slot {
                                    Some(s) => platforms.get(s).and_then(Option::as_ref),
                                    None => host_platform,
                                };
                                cfg.is_none_or(|c| c.matches(p))
                            }),
                        };
                        let on_target = slot.is_some_and(|s| active(Some(s)));
                        let on_host = active(None);
                        for decl in cands {
                            let decl = decl as u32;
                            let uses = &mut pkgs[from].deps[pos].uses;
                            let u = match uses.iter_mut().position(|u| u.decl == decl) {
                                Some(i) => &mut uses[i],
                                None => {
                                    uses.push(DeclUse {
                                        decl,
                                        targets: 0,
                                        host: false,
                                    });
                                    uses.last_mut().expect("just pushed")
                                }
                            };
                            if on_target && let Some(s) = slot {
                                u.targets |= 1 << s;
                            }
                            u.host |= on_host;
                        }
                    }
                }
            }
        }
        FeatureModel {
            targets: slots,
            host_exact: host_platform.is_some(),
            host_run: host.is_some(),
            pkgs,
            ..FeatureModel::default()
        }
    }
}

/// Parses a feature value string (`feat`, `dep:name`, `name/feat`, `name?/feat`).
enum Parsed<'s> {
    Feature(&'s str),
    Dep(&'s str),
    DepFeature {
        dep: &'s str,
        feat: &'s str,
        weak: bool,
    },
}

fn parse_value(s: &str) -> Parsed<'_> {
    if let Some(dep) = s.strip_prefix("dep:") {
        return Parsed::Dep(dep);
    }
    if let Some((dep, feat)) = s.split_once('/') {
        return match dep.strip_suffix('?') {
            Some(d) => Parsed::DepFeature {
                dep: d,
                feat,
                weak: true,
            },
            None => Parsed::DepFeature {
                dep,
                feat,
                weak: false,
            },
        };
    }
    Parsed::Feature(s)
}

fn package_model(p: &Package) -> PkgModel {
    let mut pm = PkgModel::default();
    for (i, name) in p.features.keys().enumerate() {
        pm.feature_ids.insert(name.clone(), i as u32);
        pm.feature_names.push(name.clone());
    }
    pm.default = pm.feature_ids.get("default").copied();
    for d in &p.dependencies {
        let name = d.rename.as_deref().unwrap_or(&d.name);
        let id = pm.dep_id(name);
        if d.optional {
            pm.optional_names.insert(name.to_string());
        }
        pm.decls.push(Decl {
            name: id,
            kind: Kind::from(d.kind),
            optional: d.optional,
            default_features: d.uses_default_features,
            features: d.features.clone(),
        });
    }
    let mut values = Vec::with_capacity(p.features.len());
    for vals in p.features.values() {
        let mut out = Vec::with_capacity(vals.len());
        for v in vals {
            match parse_value(v) {
                Parsed::Feature(f) => {
                    if let Some(&id) = pm.feature_ids.get(f) {
                        out.push(Fv::Feature(id));
                    }
                }
                Parsed::Dep(d) => out.push(Fv::Dep(pm.dep_id(d))),
                Parsed::DepFeature { dep, feat, weak } => out.push(Fv::DepFeature {
                    dep: pm.dep_id(dep),
                    feat: feat.to_string(),
                    weak,
                }),
            }
        }
        values.push(out);
    }
    pm.values = values;
    pm
}

/// A small growable bit set.
#[derive(Debug, Clone, Default)]
struct Bits(Vec<u64>);

impl Bits {
    /// Sets bit `i`; true if it was not set.
    fn insert(&mut self, i: u32) -> bool {
        let (w, b) = ((i / 64) as usize, i % 64);
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        let was = self.0[w] & (1 << b) != 0;
        self.0[w] |= 1 << b;
        !was
    }

    fn contains(&self, i: u32) -> bool {
        let (w, b) = ((i / 64) as usize, i % 64);
        self.0.get(w).is_some_and(|x| x & (1 << b) != 0)
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &x)| {
            (0..64)
                .filter(move |b| x & (1 << b) != 0)
                .map(move |b| w as u32 * 64 + b)
        })
    }
}

/// The feature state of one (package, context).
#[derive(Debug, Clone, Default)]
struct NodeState {
    present: bool,
    deps_done: bool,
    features: Bits,
    /// Enabled dependency names (cargo's `activated_dependencies`).
    active_deps: Bits,
}

/// One step of the resolution. Cargo resolves recursively; the same steps on a work list
/// reach the same fixpoint (every step only adds, and a deferred weak feature is released
/// whenever its dependency is enabled, before or after).
#[derive(Debug, Clone, Copy)]
enum Task<'a> {
    /// Activate a package reached through declaration `decl` of package `from` (or a root).
    Pkg {
        pkg: usize,
        ctx: Context,
        via: Option<(usize, u32)>,
    },
    /// Enable a feature by id.
    Feature { pkg: usize, ctx: Context, id: u32 },
    /// Enable a feature value given as a string (declared `features`, the command line).
    Value {
        pkg: usize,
        ctx: Context,
        value: &'a str,
    },
    /// `dep:name`.
    Dep { pkg: usize, ctx: Context, dep: u32 },
    /// `name/feat`, `name?/feat`.
    DepFeature {
        pkg: usize,
        ctx: Context,
        dep: u32,
        feat: &'a str,
        weak: bool,
    },
}

struct Resolver<'a> {
    model: &'a FeatureModel,
    graph: &'a Graph,
    is_root: Vec<bool>,
    /// Dev-dependencies take part in the resolution (of roots only: cargo resolves
    /// dev-dependencies of the selected members only).
    dev: bool,
    /// Target slots being built.
    target_mask: u64,
    nodes: Vec<NodeState>,
    deferred: HashMap<(usize, Context, u32), Vec<&'a str>>,
    work: Vec<Task<'a>>,
}

impl<'a> Resolver<'a> {
    /// The state key: resolver 1 has one feature set per package.
    fn key(&self, ctx: Context) -> Context {
        match self.model.resolver {
            ResolverVersion::V1 => Context::Target,
            ResolverVersion::V2 => ctx,
        }
    }

    fn slot(&self, pkg: usize, ctx: Context) -> usize {
        pkg * 2 + usize::from(self.key(ctx) == Context::Host)
    }

    /// Whether declaration use `u` of `pkg` counts while resolving features in `ctx`
    /// (cargo's `FeatureResolver::deps` filter), and the context of the dependency.
    fn dep_ctx(&self, pkg: usize, ctx: Context, u: &DeclUse, to: usize) -> Option<Context> {
        let decl = &self.model.pkgs[pkg].decls[u.decl as usize];
        if decl.kind == Kind::Dev && !(self.dev && self.is_root[pkg]) {
            return None;
        }
        match self.model.resolver {
            ResolverVersion::V1 => Some(Context::Target),
            ResolverVersion::V2 => {
                let active = if ctx == Context::Host || decl.kind == Kind::Build {
                    u.host
                } else {
                    u.targets & self.target_mask != 0
                };
                if !active {
                    return None;
                }
                let host = ctx == Context::Host
                    || decl.kind == Kind::Build
                    || self.graph.pkgs[to].is_proc_macro;
                Some(if host { Context::Host } else { Context::Target })
            }
        }
    }

    fn run(&mut self) {
        while let Some(t) = self.work.pop() {
            self.step(t);
        }
    }

    fn step(&mut self, t: Task<'a>) {
        let model = self.model;
        match t {
            Task::Pkg { pkg, ctx, via } => {
                let s = self.slot(pkg, ctx);
                self.nodes[s].present = true;
                let pm = &model.pkgs[pkg];
                if let Some((from, decl)) = via {
                    let d = &model.pkgs[from].decls[decl as usize];
                    for f in &d.features {
                        self.work.push(Task::Value { pkg, ctx, value: f });
                    }
                    if d.default_features
                        && let Some(id) = pm.default
                    {
                        self.work.push(Task::Feature { pkg, ctx, id });
                    }
                }
                // `processed_deps` is keyed by the unmerged context in cargo.
                let done_slot = pkg * 2 + usize::from(ctx == Context::Host);
                let first = !self.nodes[done_slot].deps_done;
                self.nodes[done_slot].deps_done = true;
                if !first {
                    return;
                }
                for rd in &pm.deps {
                    for u in &rd.uses {
                        let d = &pm.decls[u.decl as usize];
                        if d.optional {
                            continue;
                        }
                        if let Some(dc) = self.dep_ctx(pkg, ctx, u, rd.to) {
                            self.work.push(Task::Pkg {
                                pkg: rd.to,
                                ctx: dc,
                                via: Some((pkg, u.decl)),
                            });
                        }
                    }
                }
            }
            Task::Feature { pkg, ctx, id } => {
                let s = self.slot(pkg, ctx);
                if !self.nodes[s].features.insert(id) {
                    return;
                }
                for v in &model.pkgs[pkg].values[id as usize] {
                    self.work.push(match v {
                        Fv::Feature(id) => Task::Feature { pkg, ctx, id: *id },
                        Fv::Dep(dep) => Task::Dep {
                            pkg,
                            ctx,
                            dep: *dep,
                        },
                        Fv::DepFeature { dep, feat, weak } => Task::DepFeature {
                            pkg,
                            ctx,
                            dep: *dep,
                            feat,
                            weak: *weak,
                        },
                    });
                }
            }
            Task::Value { pkg, ctx, value } => {
                let pm = &model.pkgs[pkg];
                match parse_value(value) {
                    Parsed::Feature(f) => {
                        if let Some(&id) = pm.feature_ids.get(f) {
                            self.work.push(Task::Feature { pkg, ctx, id });
                        }
                    }
                    Parsed::Dep(d) => {
                        if let Some(&dep) = pm.dep_ids.get(d) {
                            self.work.push(Task::Dep { pkg, ctx, dep });
                        }
                    }
                    Parsed::DepFeature { dep, feat, weak } => {
                        if let Some(&dep) = pm.dep_ids.get(dep) {
                            self.work.push(Task::DepFeature {
                                pkg,
                                ctx,
                                dep,
                                feat,
                                weak,
                            });
                        }
                    }
                }
            }
            Task::Dep { pkg, ctx, dep } => {
                let s = self.slot(pkg, ctx);
                self.nodes[s].active_deps.insert(dep);
                let key = (pkg, self.key(ctx), dep);
                let released = self.deferred.remove(&key).unwrap_or_default();
                let pm = &model.pkgs[pkg];
                for rd in &pm.deps {
                    for u in &rd.uses {
                        if pm.decls[u.decl as usize].name != dep {
                            continue;
                        }
                        let Some(dc) = self.dep_ctx(pkg, ctx, u, rd.to) else {
                            continue;
                        };
                        for f in &released {
                            self.work.push(Task::Value {
                                pkg: rd.to,
                                ctx: dc,
                                value: f,
                            });
                        }
                        self.work.push(Task::Pkg {
                            pkg: rd.to,
                            ctx: dc,
                            via: Some((pkg, u.decl)),
                        });
                    }
                }
            }
            Task::DepFeature {
                pkg,
                ctx,
                dep,
                feat,
                weak,
            } => {
                let pm = &model.pkgs[pkg];
                let s = self.slot(pkg, ctx);
                for rd in &pm.deps {
                    for u in &rd.uses {
                        let d = &pm.decls[u.decl as usize];
                        if d.name != dep {
                            continue;
                        }
                        let Some(dc) = self.dep_ctx(pkg, ctx, u, rd.to) else {
                            continue;
                        };
                        if d.optional {
                            if weak && !self.nodes[s].active_deps.contains(dep) {
                                // Weak: wait until something else enables the dependency.
                                let key = (pkg, self.key(ctx), dep);
                                let list = self.deferred.entry(key).or_default();
                                if !list.contains(&feat) {
                                    list.push(feat);
                                }
                                continue;
                            }
                            self.work.push(Task::Dep { pkg, ctx, dep });
                            if !weak {
                                // `name/feat` also enables the implicit feature `name`, when
                                // there is one (not hidden by `dep:name`).
                                if let Some(&id) = pm.feature_ids.get(&pm.dep_names[dep as usize]) {
                                    self.work.push(Task::Feature { pkg, ctx, id });
                                }
                            }
                        }
                        self.work.push(Task::Value {
                            pkg: rd.to,
                            ctx: dc,
                            value: feat,
                        });
                    }
                }
            }
        }
    }
}

/// The feature values a selected root is activated with (cargo's `members_with_features`
/// and `fvs_from_requested`).
struct RootRequest<'r> {
    values: Vec<&'r str>,
    default: bool,
    all: bool,
}

fn root_requests<'r>(
    model: &FeatureModel,
    graph: &Graph,
    roots: &[usize],
    req: &'r FeatureRequest,
) -> Vec<(usize, RootRequest<'r>)> {
    let new_behavior = model.is_virtual || model.resolver == ResolverVersion::V2;
    if new_behavior {
        // Each selected member gets the requested features it has (`feat` it defines or an
        // optional dependency's name, `dep/feat` for its dependency `dep`, `member/feat`).
        return roots
            .iter()
            .map(|&r| {
                let pm = &model.pkgs[r];
                let has = |f: &str| pm.feature_ids.contains_key(f) || pm.optional_names.contains(f);
                let mut values = Vec::new();
                for tok in req.tokens() {
                    match parse_value(tok) {
                        Parsed::Feature(f) => {
                            if has(f) {
                                values.push(tok);
                            }
                        }
                        Parsed::Dep(_) => {}
                        Parsed::DepFeature { dep, feat, .. } => {
                            let declared = pm
                                .dep_ids
                                .get(dep)
                                .is_some_and(|id| pm.decls.iter().any(|d| d.name == *id));
                            if declared {
                                values.push(tok);
                            } else if dep == graph.pkgs[r].name && has(feat) {
                                values.push(feat);
                            }
                        }
                    }
                }
                (
                    r,
                    RootRequest {
                        values,
                        default: !req.no_default_features,
                        all: req.all_features,
                    },
                )
            })
            .collect();
    }
    // Resolver 1 in a package root: `--features` go to the current package; `member/feat`
    // of another selected member to that member, which always gets its defaults.
    let mut cwd: Vec<&str> = Vec::new();
    let mut specific: HashMap<&str, Vec<&str>> = HashMap::new();
    for tok in req.tokens() {
        if let Parsed::DepFeature { dep, feat, .. } = parse_value(tok) {
            let other_member = roots.iter().any(|&r| {
                Some(r) != model.current && graph.pkgs[r].name == dep && graph.pkgs[r].is_member
            });
            if other_member {
                specific.entry(dep).or_default().push(feat);
                continue;
            }
        }
        cwd.push(tok);
    }
    roots
        .iter()
        .map(|&r| {
            if Some(r) == model.current {
                (
                    r,
                    RootRequest {
                        values: cwd.clone(),
                        default: !req.no_default_features,
                        all: req.all_features,
                    },
                )
            } else {
                let values = specific
                    .get(graph.pkgs[r].name.as_str())
                    .cloned()
                    .unwrap_or_default();
                (
                    r,
                    RootRequest {
                        values,
                        default: true,
                        all: req.all_features,
                    },
                )
            }
        })
        .collect()
}

/// Resolves features for `roots` with `req` (cargo's feature resolver), then walks the
/// activated graph as `cargo tree` does: from each root, over normal edges, build edges if
/// `follow.build`, the roots' dev edges if `follow.dev` (which also lets the roots'
/// dev-dependencies' features count, as `cargo tree -e dev` and `cargo test` do), and into
/// proc-macros if `follow.proc_macros`; for every target slot of the workspace.
///
/// Without cargo metadata (the lockfile-only path) this is [`Graph::reachable`].
pub fn activate(
    ws: &Workspace,
    roots: &[usize],
    req: &FeatureRequest,
    follow: Follow,
) -> Activated {
    let graph = &ws.graph;
    let Some(md) = &ws.metadata else {
        let parents = graph.reachable(roots, follow);
        let mut edges: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for &i in parents.keys() {
            for e in &graph.edges[i] {
                if parents.contains_key(&e.to) {
                    edges.entry(i).or_default().insert(e.to);
                }
            }
        }
        return Activated {
            parents,
            edges,
            features: BTreeMap::new(),
            resolved: false,
        };
    };
    activate_model(&md.features, graph, roots, req, follow)
}

/// [`activate`] on an explicit model.
pub(crate) fn activate_model(
    model: &FeatureModel,
    graph: &Graph,
    roots: &[usize],
    req: &FeatureRequest,
    follow: Follow,
) -> Activated {
    let n = graph.pkgs.len();
    // Resolver 1 in a package root always resolves the current package too, whatever `-p`
    // says (cargo's `members_with_features_old`): its features reach the selected packages,
    // though only the selected ones are walked.
    let mut resolve_roots = roots.to_vec();
    if model.resolver == ResolverVersion::V1
        && !model.is_virtual
        && let Some(c) = model.current
        && !resolve_roots.contains(&c)
    {
        resolve_roots.push(c);
    }
    let mut is_root = vec![false; n];
    for &r in &resolve_roots {
        is_root[r] = true;
    }
    let target_mask = if model.targets >= 64 {
        u64::MAX
    } else {
        (1u64 << model.targets) - 1
    };
    let dev = follow.dev || model.resolver == ResolverVersion::V1;
    let mut res = Resolver {
        model,
        graph,
        is_root,
        dev,
        target_mask,
        nodes: vec![NodeState::default(); n * 2],
        deferred: HashMap::new(),
        work: Vec::new(),
    };
    let requests = root_requests(model, graph, &resolve_roots, req);
    for (r, rr) in &requests {
        let pm = &model.pkgs[*r];
        // A proc-macro member is activated for the host too (cargo's `do_resolve`).
        let ctxs: &[Context] =
            if graph.pkgs[*r].is_proc_macro && model.resolver == ResolverVersion::V2 {
                &[Context::Target, Context::Host]
            } else {
                &[Context::Target]
            };
        for &ctx in ctxs {
            for v in &rr.values {
                res.work.push(Task::Value {
                    pkg: *r,
                    ctx,
                    value: v,
                });
            }
            if rr.default
                && let Some(id) = pm.default
            {
                res.work.push(Task::Feature { pkg: *r, ctx, id });
            }
            if rr.all {
                for id in 0..pm.feature_names.len() as u32 {
                    res.work.push(Task::Feature { pkg: *r, ctx, id });
                }
            }
            res.work.push(Task::Pkg {
                pkg: *r,
                ctx,
                via: None,
            });
            res.run();
        }
    }
    walk(&res, roots, follow)
}

/// The `cargo tree` walk over the resolved features: one pass per target slot, nodes are
/// (package, context), edges filtered by platform (the host's for host nodes and
/// build-dependencies), kind, proc-macro-ness and, for optional dependencies, by whether
/// the feature resolution enabled them.
fn walk(res: &Resolver<'_>, roots: &[usize], follow: Follow) -> Activated {
    let model = res.model;
    let graph = res.graph;
    let mut out = Activated {
        resolved: true,
        ..Activated::default()
    };
    // State: (package, host?, target slot); the slot is irrelevant for host nodes.
    let mut seen: BTreeSet<(usize, bool, usize)> = BTreeSet::new();
    let mut queue: VecDeque<(usize, bool, usize)> = VecDeque::new();
    for slot in 0..model.targets.max(1) {
        for &r in roots {
            let host = graph.pkgs[r].is_proc_macro;
            let st = (r, host, if host { 0 } else { slot });
            if seen.insert(st) {
                queue.push_back(st);
            }
            out.parents.insert(r, None);
        }
    }
    while let Some((p, host, slot)) = queue.pop_front() {
        let ctx = if host { Context::Host } else { Context::Target };
        let state = &res.nodes[res.slot(p, ctx)];
        let pm = &model.pkgs[p];
        out.features.entry((p, ctx)).or_insert_with(|| {
            state
                .features
                .iter()
                .map(|id| pm.feature_names[id as usize].clone())
                .collect()
        });
        for rd in &pm.deps {
            let to = rd.to;
            if !follow.proc_macros && graph.pkgs[to].is_proc_macro {
                continue;
            }
            for u in &rd.uses {
                let d = &pm.decls[u.decl as usize];
                let kind_ok = match d.kind {
                    Kind::Normal => true,
                    Kind::Build => follow.build,
                    Kind::Dev => follow.dev && res.is_root[p],
                };
                if !kind_ok {
                    continue;
                }
                let platform_ok = if host || d.kind == Kind::Build {
                    u.host
                } else {
                    u.targets & (1 << slot) != 0
                };
                if !platform_ok {
                    continue;
                }
                if d.optional && !state.active_deps.contains(d.name) {
                    continue;
                }
                // A package that is both a normal and a build-dependency is two nodes.
                let h = host || d.kind == Kind::Build || graph.pkgs[to].is_proc_macro;
                let st = (to, h, if h { 0 } else { slot });
                out.edges.entry(p).or_default().insert(to);
                out.parents.entry(to).or_insert(Some(p));
                if seen.insert(st) {
                    queue.push_back(st);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_tokens_split_like_cargo() {
        let r = FeatureRequest {
            features: vec!["a,b c".into(), " d ".into(), "x/y".into()],
            ..Default::default()
        };
        assert_eq!(r.tokens().collect::<Vec<_>>(), ["a", "b", "c", "d", "x/y"]);
    }

    #[test]
    fn feature_values_parse() {
        assert!(matches!(parse_value("std"), Parsed::Feature("std")));
        assert!(matches!(parse_value("dep:serde"), Parsed::Dep("serde")));
        assert!(matches!(
            parse_value("serde/std"),
            Parsed::DepFeature {
                dep: "serde",
                feat: "std",
                weak: false
            }
        ));
        assert!(matches!(
            parse_value("serde?/std"),
            Parsed::DepFeature {
                dep: "serde",
                feat: "std",
                weak: true
            }
        ));
    }

    #[test]
    fn resolver_version_from_manifest() {
        let v = |s: &str| {
            ResolverVersion::from_root_manifest(&toml::from_str::<toml::Table>(s).unwrap())
        };
        assert_eq!(
            v("[package]\nname='a'\nedition='2021'\n"),
            ResolverVersion::V2
        );
        assert_eq!(
            v("[package]\nname='a'\nedition='2024'\n"),
            ResolverVersion::V2
        );
        assert_eq!(
            v("[package]\nname='a'\nedition='2018'\n"),
            ResolverVersion::V1
        );
        assert_eq!(v("[package]\nname='a'\n"), ResolverVersion::V1);
        assert_eq!(
            v("[package]\nname='a'\nedition='2021'\n[workspace]\nresolver='1'\n"),
            ResolverVersion::V1
        );
        assert_eq!(
            v("[package]\nname='a'\nedition='2018'\nresolver='2'\n"),
            ResolverVersion::V2
        );
        assert_eq!(v("[workspace]\nmembers=['a']\n"), ResolverVersion::V1);
        assert_eq!(
            v("[workspace]\nmembers=['a']\nresolver='3'\n"),
            ResolverVersion::V2
        );
        assert_eq!(
            v(
                "[workspace]\n[workspace.package]\nedition='2021'\n[package]\nname='a'\nedition.workspace=true\n"
            ),
            ResolverVersion::V2
        );
    }

    #[test]
    fn bits() {
        let mut b = Bits::default();
        assert!(b.insert(3));
        assert!(!b.insert(3));
        assert!(b.insert(130));
        assert!(b.contains(130) && b.contains(3) && !b.contains(4));
        assert_eq!(b.iter().collect::<Vec<_>>(), [3, 130]);
    }
}
