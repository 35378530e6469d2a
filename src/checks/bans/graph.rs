//! cargo-deny's crate graph (what its `krates` builder makes of `cargo metadata`), which the
//! bans check reads so that its verdicts are cargo-deny's:
//!
//! * one `cargo metadata` run with the `[graph]` feature flags, `--filter-platform` only when
//!   exactly one target is configured; with several, each dependency declaration's platform
//!   is evaluated against each target's `rustc --print cfg` (plus the target's
//!   `features`), with none, every platform's dependencies are in;
//! * the roots: the current package when the manifest is one (unless `--workspace`), else
//!   every member; `exclude-unpublished` keeps only published members; `--exclude` drops
//!   members;
//! * dev-dependencies of the roots are followed unless `exclude-dev` (cargo metadata has
//!   none for other crates); `[graph] exclude` removes crates with what only they pull in;
//! * a crate's enabled features are those cargo's resolve reports for it.

use crate::cli::WorkspaceArgs;
use crate::policy::graph::GraphConfig;
use crate::workspace::SourceKind;
use crate::workspace::features::PlatformCfg;
use camino::{Utf8Path, Utf8PathBuf};
use cargo_metadata::{DependencyKind, Metadata};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// One crate of the graph.
#[derive(Debug, Clone)]
pub struct Node {
    /// Index into `Metadata::packages`.
    pub meta: usize,
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: semver::Version,
    /// Raw source id (`None`: a path package).
    pub source: Option<String>,
    /// Classified source.
    pub kind: SourceKind,
    /// Package URL.
    pub purl: String,
    /// A workspace member.
    pub is_member: bool,
    /// Features cargo's resolve enabled.
    pub features: BTreeSet<String>,
}

impl Node {
    /// The crate as diagnostics name it.
    pub fn to_ref(&self) -> crate::diag::PackageRef {
        crate::diag::PackageRef {
            name: self.name.clone(),
            version: self.version.to_string(),
            purl: self.purl.clone(),
        }
    }
}

/// The graph, nodes sorted by (name, version, source) as cargo-deny walks them.
#[derive(Debug)]
pub struct DenyGraph {
    /// The metadata it was built from.
    pub metadata: Metadata,
    /// Crates.
    pub nodes: Vec<Node>,
    /// Outgoing edges: (dependency, kinds the edge was kept for).
    pub deps: Vec<Vec<(usize, EdgeKinds)>>,
    /// Incoming edges (dependents).
    pub rdeps: Vec<Vec<usize>>,
    /// The roots.
    pub roots: Vec<usize>,
    /// Parent on a shortest path from a root (inclusion paths).
    pub parents: Vec<Option<usize>>,
}

/// Dependency kinds of a kept edge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdgeKinds {
    /// `[dependencies]`.
    pub normal: bool,
    /// `[build-dependencies]`.
    pub build: bool,
    /// `[dev-dependencies]`.
    pub dev: bool,
}

/// The target triples the graph is for: `--target` first, else `[graph] targets`.
pub fn targets(args: &WorkspaceArgs, graph: &GraphConfig) -> Vec<(String, Vec<String>)> {
    if !args.target.is_empty() {
        return args
            .target
            .iter()
            .map(|t| (t.clone(), Vec::new()))
            .collect();
    }
    graph
        .targets
        .iter()
        .map(|t| (t.triple.clone(), t.features.clone()))
        .collect()
}

/// The `cargo metadata` options cargo-deny would run with.
pub fn metadata_options(args: &WorkspaceArgs, graph: &GraphConfig) -> Vec<String> {
    let mut other = Vec::new();
    let targets = targets(args, graph);
    if targets.len() == 1 {
        other.push("--filter-platform".to_string());
        other.push(targets[0].0.clone());
    }
    if args.is_locked() {
        other.push("--locked".into());
    }
    if args.is_offline() {
        other.push("--offline".into());
    }
    if args.all_features || graph.all_features {
        other.push("--all-features".into());
    }
    if args.no_default_features || graph.no_default_features {
        other.push("--no-default-features".into());
    }
    let features: &[String] = if args.features.is_empty() {
        &graph.features
    } else {
        &args.features
    };
    if !features.is_empty() {
        other.push("--features".into());
        other.push(features.join(" "));
    }
    other
}

/// Runs `cargo metadata` with `options` for `manifest` (no cache).
pub fn run_metadata(manifest: &Utf8Path, options: &[String]) -> crate::error::Result<Metadata> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.manifest_path(manifest);
    cmd.other_options(options.to_vec());
    cmd.exec().map_err(|e| {
        let detail = match &e {
            cargo_metadata::Error::CargoMetadata { stderr } => stderr.trim().to_string(),
            other => other.to_string(),
        };
        crate::error::Error::Command {
            message: format!("{manifest}: `cargo metadata` failed:\n{detail}"),
        }
    })
}

/// Reads a `cargo metadata` answer from a file.
pub fn read_metadata(path: &Utf8PathBuf) -> crate::error::Result<Metadata> {
    let text = crate::fsutil::read_to_string(path)?;
    cargo_metadata::MetadataCommand::parse(&text)
        .map_err(|e| crate::error::Error::malformed(path, format!("not cargo metadata JSON: {e}")))
}

/// Whether a cargo package id spec (`name`, `name@1.2.3`, `name:1.2.3`, a URL with
/// `#name@version`) selects the package.
fn pkgid_matches(spec: &str, name: &str, version: &semver::Version) -> bool {
    let spec = spec.rsplit_once('#').map_or(spec, |(_, frag)| frag);
    let (n, v) = match spec.split_once(['@', ':']) {
        Some((n, v)) => (n, Some(v)),
        None => (spec, None),
    };
    // A URL fragment may be only a version (`...#1.2.3`).
    if n.chars().next().is_some_and(|c| c.is_ascii_digit()) && v.is_none() {
        return version.to_string() == n || version.to_string().starts_with(&format!("{n}."));
    }
    n == name
        && v.is_none_or(|v| {
            let vs = version.to_string();
            vs == v || vs.starts_with(&format!("{v}."))
        })
}

impl DenyGraph {
    /// Builds the graph from `metadata` the way cargo-deny does.
    pub fn build(
        metadata: Metadata,
        args: &WorkspaceArgs,
        graph: &GraphConfig,
        platforms: &[PlatformCfg],
    ) -> DenyGraph {
        let members: BTreeSet<&str> = metadata
            .workspace_members
            .iter()
            .map(|id| id.repr.as_str())
            .collect();
        let pkg_index: HashMap<&str, usize> = metadata
            .packages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.repr.as_str(), i))
            .collect();
        let Some(resolve) = &metadata.resolve else {
            return DenyGraph::empty(metadata);
        };
        let excluded = |i: usize| {
            let p = &metadata.packages[i];
            graph
                .exclude
                .iter()
                .any(|s| pkgid_matches(s, &p.name, &p.version))
        };
        // Roots.
        let mut roots: Vec<usize> = Vec::new();
        if graph.exclude_unpublished {
            roots.extend(
                metadata
                    .packages
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| members.contains(p.id.repr.as_str()))
                    .filter(|(_, p)| p.publish.as_ref().is_none_or(|r| !r.is_empty()))
                    .map(|(i, _)| i),
            );
        } else if !args.package.is_empty() {
            roots.extend(
                metadata
                    .packages
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| members.contains(p.id.repr.as_str()))
                    .filter(|(_, p)| {
                        args.package
                            .iter()
                            .any(|s| pkgid_matches(s, &p.name, &p.version))
                    })
                    .map(|(i, _)| i),
            );
        } else if let Some(root) = resolve.root.as_ref().filter(|_| !args.workspace) {
            roots.extend(pkg_index.get(root.repr.as_str()).copied());
        }
        if roots.is_empty() && !graph.exclude_unpublished && args.package.is_empty() {
            roots.extend(
                metadata
                    .packages
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| members.contains(p.id.repr.as_str()))
                    .map(|(i, _)| i),
            );
        }
        roots.retain(|&i| {
            let p = &metadata.packages[i];
            !args
                .exclude
                .iter()
                .any(|e| pkgid_matches(e, &p.name, &p.version))
                && !excluded(i)
        });
        let walk = Walk {
            md: &metadata,
            pkg_index: &pkg_index,
            is_member: &|i| members.contains(metadata.packages[i].id.repr.as_str()),
            excluded: &excluded,
            exclude_dev: graph.exclude_dev,
            platforms,
        };
        let (visited, edges, actual) = walk.run(resolve, &roots);
        let is_member = |i: usize| members.contains(metadata.packages[i].id.repr.as_str());
        let nodes_by_pkg: HashMap<usize, &cargo_metadata::Node> = resolve
            .nodes
            .iter()
            .filter_map(|n| Some((*pkg_index.get(n.id.repr.as_str())?, n)))
            .collect();
        // Parents on shortest paths from the roots, for inclusion paths.
        let mut seen: BTreeMap<usize, Option<usize>> = BTreeMap::new();
        let mut queue = VecDeque::new();
        for &r in &roots {
            if visited.contains(&r) && seen.insert(r, None).is_none() {
                queue.push_back(r);
            }
        }
        while let Some(i) = queue.pop_front() {
            for &(to, _) in edges.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
                if visited.contains(&to)
                    && let std::collections::btree_map::Entry::Vacant(e) = seen.entry(to)
                {
                    e.insert(Some(i));
                    queue.push_back(to);
                }
            }
        }
        for &v in &visited {
            seen.entry(v).or_insert(None);
        }
        let root_set: BTreeSet<usize> = roots.iter().copied().collect();
        // Nodes sorted by (name, version, source).
        let mut order: Vec<usize> = seen.keys().copied().collect();
        order.sort_by(|&a, &b| {
            let (pa, pb) = (&metadata.packages[a], &metadata.packages[b]);
            (
                pa.name.as_str(),
                &pa.version,
                pa.source.as_ref().map(|s| &s.repr),
            )
                .cmp(&(
                    pb.name.as_str(),
                    &pb.version,
                    pb.source.as_ref().map(|s| &s.repr),
                ))
        });
        let local: HashMap<usize, usize> = order.iter().enumerate().map(|(l, &m)| (m, l)).collect();
        let nodes: Vec<Node> = order
            .iter()
            .map(|&m| {
                let p = &metadata.packages[m];
                let source = p.source.as_ref().map(|s| s.repr.clone());
                let kind = SourceKind::parse(source.as_deref());
                Node {
                    meta: m,
                    name: p.name.to_string(),
                    version: p.version.clone(),
                    purl: crate::purl::cargo(&p.name, &p.version.to_string(), &kind.purl_source()),
                    source,
                    kind,
                    is_member: is_member(m),
                    // Roots have what cargo resolved; the others what the walk reached.
                    features: if root_set.contains(&m) {
                        nodes_by_pkg
                            .get(&m)
                            .map(|n| n.features.iter().map(|f| f.to_string()).collect())
                            .unwrap_or_default()
                    } else {
                        actual.get(&m).cloned().unwrap_or_default()
                    },
                }
            })
            .collect();
        let mut deps = vec![Vec::new(); nodes.len()];
        let mut rdeps = vec![Vec::new(); nodes.len()];
        for (m, out) in edges {
            let Some(&from) = local.get(&m) else { continue };
            for (to, k) in out {
                let Some(&to) = local.get(&to) else { continue };
                deps[from].push((to, k));
                rdeps[to].push(from);
            }
        }
        for r in &mut rdeps {
            r.sort_unstable();
            r.dedup();
        }
        let parents = order.iter().map(|m| seen[m].map(|p| local[&p])).collect();
        let roots = roots.iter().filter_map(|r| local.get(r).copied()).collect();
        DenyGraph {
            metadata,
            nodes,
            deps,
            rdeps,
            roots,
            parents,
        }
    }

    fn empty(metadata: Metadata) -> DenyGraph {
        DenyGraph {
            metadata,
            nodes: Vec::new(),
            deps: Vec::new(),
            rdeps: Vec::new(),
            roots: Vec::new(),
            parents: Vec::new(),
        }
    }

    /// The metadata package of a node.
    pub fn pkg(&self, i: usize) -> &cargo_metadata::Package {
        &self.metadata.packages[self.nodes[i].meta]
    }

    /// The crates reachable from the workspace members without dev-dependency edges
    /// (cargo-deny's `krates_filtered(Dev)`).
    pub fn without_dev(&self) -> BTreeSet<usize> {
        let mut seen: BTreeSet<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].is_member)
            .collect();
        let mut stack: Vec<usize> = seen.iter().copied().collect();
        while let Some(i) = stack.pop() {
            for &(to, k) in &self.deps[i] {
                if (k.normal || k.build) && seen.insert(to) {
                    stack.push(to);
                }
            }
        }
        seen
    }

    /// The inclusion path to `i`, root first.
    pub fn inclusion_path(&self, i: usize) -> Vec<crate::diag::PackageRef> {
        let mut path = vec![self.nodes[i].to_ref()];
        let mut cur = i;
        let mut guard = 0;
        while let Some(p) = self.parents[cur] {
            path.push(self.nodes[p].to_ref());
            cur = p;
            guard += 1;
            if guard > self.nodes.len() {
                break;
            }
        }
        path.reverse();
        path
    }

    /// Whether the crate runs at build time: a build script or a proc-macro.
    pub fn runs_at_build_time(&self, i: usize) -> bool {
        self.pkg(i)
            .targets
            .iter()
            .any(|t| t.is_custom_build() || t.is_proc_macro())
    }

    /// The build script's source file, if the crate has one.
    pub fn build_script(&self, i: usize) -> Option<&Utf8Path> {
        self.pkg(i)
            .targets
            .iter()
            .find(|t| t.is_custom_build())
            .map(|t| t.src_path.as_path())
    }
}

/// One feature reference inside a `[features]` entry.
enum FeatureRef<'a> {
    /// `feature`.
    Simple(&'a str),
    /// `dep:name`.
    Krate(&'a str),
    /// `name/feature`.
    Strong(&'a str, &'a str),
    /// `name?/feature`.
    Weak(&'a str, &'a str),
}

fn parse_feature(f: &str) -> FeatureRef<'_> {
    if let Some(k) = f.strip_prefix("dep:") {
        return FeatureRef::Krate(k);
    }
    match f.split_once('/') {
        Some((k, feat)) => match k.strip_suffix('?') {
            Some(k) => FeatureRef::Weak(k, feat),
            None => FeatureRef::Strong(k, feat),
        },
        None => FeatureRef::Simple(f),
    }
}

/// Crate names as cargo writes them in resolve nodes (`-` as `_`).
fn names_equal(krate: &str, human: &str) -> bool {
    krate.len() == human.len()
        && krate
            .chars()
            .zip(human.chars())
            .all(|(a, b)| a == b || (a == '_' && b == '-') || (a == '-' && b == '_'))
}

/// `cfg(any())` (serde's trick to keep `serde_derive` out of the graph): never true.
fn never_true(p: &cargo_metadata::cargo_platform::Platform) -> bool {
    let s: String = p
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    s == "cfg(any())"
}

/// krates' graph walk: from the roots and their features, along dependency edges that are
/// not filtered (kind, platform) and along feature edges, so optional dependencies are in
/// only when an enabled feature of their dependent turns them on.
struct Walk<'a> {
    md: &'a Metadata,
    pkg_index: &'a HashMap<&'a str, usize>,
    is_member: &'a dyn Fn(usize) -> bool,
    excluded: &'a dyn Fn(usize) -> bool,
    exclude_dev: bool,
    platforms: &'a [PlatformCfg],
}

type Edges = BTreeMap<usize, Vec<(usize, EdgeKinds)>>;

/// A visited crate's dependencies: each with the (kind, platform) edges kept.
type DepEdges = BTreeMap<usize, Vec<(DependencyKind, Option<String>)>>;

impl Walk<'_> {
    fn run(
        &self,
        resolve: &cargo_metadata::Resolve,
        roots: &[usize],
    ) -> (BTreeSet<usize>, Edges, HashMap<usize, BTreeSet<String>>) {
        let md = self.md;
        let nodes: HashMap<usize, &cargo_metadata::Node> = resolve
            .nodes
            .iter()
            .filter_map(|n| Some((*self.pkg_index.get(n.id.repr.as_str())?, n)))
            .collect();
        let mut actual: HashMap<usize, BTreeSet<String>> = HashMap::new();
        let mut filled: BTreeSet<usize> = BTreeSet::new();
        let mut pending_weak: HashMap<usize, BTreeMap<usize, BTreeSet<String>>> = HashMap::new();
        // Per visited crate: dependency -> (edges (kind, platform), features).
        let mut pn: BTreeMap<usize, DepEdges> = BTreeMap::new();
        let mut stack: Vec<(usize, Option<String>)> = Vec::new();
        for &r in roots {
            stack.push((r, None));
            if let Some(n) = nodes.get(&r) {
                for f in &n.features {
                    stack.push((r, Some(f.to_string())));
                }
            }
        }
        while let Some((pid, feature)) = stack.pop() {
            let done = match &feature {
                Some(f) => actual.get(&pid).is_some_and(|a| a.contains(f)),
                None => filled.contains(&pid),
            };
            if done || (self.excluded)(pid) {
                continue;
            }
            let Some(rnode) = nodes.get(&pid) else {
                continue;
            };
            let krate = &md.packages[pid];
            let in_ws = (self.is_member)(pid);
            let dep_of = |name: &str| -> Option<&cargo_metadata::NodeDep> {
                rnode.deps.iter().find(|d| {
                    names_equal(&d.name, name)
                        || self
                            .pkg_index
                            .get(d.pkg.repr.as_str())
                            .is_some_and(|&i| md.packages[i].name.as_str() == name)
                })
            };
            pn.entry(pid).or_default();
            // dependency -> Some(features) for feature-driven (strong) visits.
            let mut deps: BTreeMap<usize, (&cargo_metadata::NodeDep, Option<BTreeSet<String>>)> =
                BTreeMap::new();
            match &feature {
                Some(f) => {
                    actual.entry(pid).or_default().insert(f.clone());
                    if !filled.contains(&pid) {
                        stack.push((pid, None));
                    }
                    let Some(subs) = krate.features.get(f) else {
                        continue;
                    };
                    for sub in subs {
                        let (name, feat, weak) = match parse_feature(sub) {
                            FeatureRef::Simple(s) => {
                                if rnode.features.iter().any(|rf| rf.as_str() == s) {
                                    stack.push((pid, Some(s.to_string())));
                                }
                                continue;
                            }
                            FeatureRef::Krate(k) => (k, None, false),
                            FeatureRef::Strong(k, f) => (k, Some(f), false),
                            FeatureRef::Weak(k, f) => (k, Some(f), true),
                        };
                        let Some(nd) = dep_of(name) else { continue };
                        let Some(&dpkg) = self.pkg_index.get(nd.pkg.repr.as_str()) else {
                            continue;
                        };
                        if weak && !pn[&pid].contains_key(&dpkg) {
                            if let Some(f) = feat {
                                pending_weak
                                    .entry(pid)
                                    .or_default()
                                    .entry(dpkg)
                                    .or_default()
                                    .insert(f.to_string());
                            }
                            continue;
                        }
                        let moved = pending_weak
                            .get_mut(&pid)
                            .and_then(|m| m.remove(&dpkg))
                            .unwrap_or_default();
                        let e = deps
                            .entry(dpkg)
                            .or_insert_with(|| (nd, Some(BTreeSet::new())));
                        let set = e.1.get_or_insert_with(BTreeSet::new);
                        set.extend(moved);
                        if let Some(f) = feat {
                            set.insert(f.to_string());
                        }
                    }
                }
                None => {
                    filled.insert(pid);
                    for nd in &rnode.deps {
                        if let Some(&dpkg) = self.pkg_index.get(nd.pkg.repr.as_str()) {
                            deps.entry(dpkg).or_insert((nd, None));
                        }
                    }
                }
            }
            for (dpkg, (nd, mut features)) in deps {
                let strong = features.is_some();
                let target = &md.packages[dpkg];
                let target_has_default = nodes
                    .get(&dpkg)
                    .is_some_and(|n| n.features.iter().any(|f| f.as_str() == "default"));
                let mut edges: Vec<(DependencyKind, Option<String>, &cargo_metadata::Dependency)> =
                    Vec::new();
                for dk in &nd.dep_kinds {
                    let ignored =
                        dk.kind == DependencyKind::Development && (!in_ws || self.exclude_dev);
                    if ignored {
                        continue;
                    }
                    let Some(dep) = krate.dependencies.iter().find(|d| {
                        d.kind == dk.kind
                            && {
                                let dname = d.rename.as_deref().unwrap_or(&d.name);
                                target.name.as_str() == dname
                                    || names_equal(dname, &nd.name)
                                    || d.name == target.name.as_str()
                            }
                            && ((!target.version.pre.is_empty() && d.req.comparators.is_empty())
                                || d.req.matches(&target.version))
                            && d.target == dk.target
                    }) else {
                        continue;
                    };
                    if dep.optional && !strong {
                        continue;
                    }
                    if let Some(platform) = &dk.target {
                        if !self.platforms.is_empty() {
                            if !self.platforms.iter().any(|p| p.matches(platform)) {
                                continue;
                            }
                        } else if never_true(platform) {
                            continue;
                        }
                    }
                    edges.push((dk.kind, dk.target.as_ref().map(|t| t.to_string()), dep));
                }
                // cargo before 1.41 has no `dep_kinds`: a normal edge.
                if nd.dep_kinds.is_empty()
                    && let Some(dep) = krate
                        .dependencies
                        .iter()
                        .find(|d| d.name == target.name.as_str())
                    && (!dep.optional || strong)
                {
                    edges.push((DependencyKind::Normal, None, dep));
                }
                if edges.is_empty() {
                    continue;
                }
                let mut visit = true;
                for (kind, cfg, dep) in edges {
                    if let Some(fs) = features.take() {
                        if std::mem::take(&mut visit) {
                            stack.push((dpkg, None));
                            if let Some(w) =
                                pending_weak.get_mut(&pid).and_then(|m| m.remove(&dpkg))
                            {
                                for f in w {
                                    stack.push((dpkg, Some(f)));
                                }
                            }
                        }
                        for f in fs {
                            stack.push((dpkg, Some(f)));
                        }
                    }
                    let list = pn
                        .get_mut(&pid)
                        .expect("inserted above")
                        .entry(dpkg)
                        .or_default();
                    if list.iter().any(|(k, c)| *k == kind && *c == cfg) {
                        continue;
                    }
                    if std::mem::take(&mut visit) {
                        stack.push((dpkg, None));
                        if let Some(w) = pending_weak.get_mut(&pid).and_then(|m| m.remove(&dpkg)) {
                            for f in w {
                                stack.push((dpkg, Some(f)));
                            }
                        }
                    }
                    for f in dep.features.iter().map(String::as_str).chain(
                        (dep.uses_default_features && target_has_default).then_some("default"),
                    ) {
                        if nodes
                            .get(&dpkg)
                            .is_some_and(|n| n.features.iter().any(|rf| rf.as_str() == f))
                        {
                            stack.push((dpkg, Some(f.to_string())));
                        }
                    }
                    list.push((kind, cfg));
                }
            }
        }
        let visited: BTreeSet<usize> = pn.keys().copied().collect();
        let edges: Edges = pn
            .into_iter()
            .map(|(from, deps)| {
                let out = deps
                    .into_iter()
                    .filter(|(to, list)| visited.contains(to) && !list.is_empty())
                    .map(|(to, list)| {
                        let mut k = EdgeKinds::default();
                        for (kind, _) in list {
                            match kind {
                                DependencyKind::Development => k.dev = true,
                                DependencyKind::Build => k.build = true,
                                _ => k.normal = true,
                            }
                        }
                        (to, k)
                    })
                    .collect();
                (from, out)
            })
            .collect();
        (visited, edges, actual)
    }
}
