//! `cargo cra sbom`: a CRA-ready CycloneDX SBOM (BSI TR-03183-2 v2.1) next to every binary
//! artifact of the product packages.
//!
//! The run:
//! 1. the policy gate ([`crate::commands::check::run_checks`], every check): an SBOM is a
//!    statement about a product that is fit to ship, so a failing product gets none unless
//!    `--allow-violations` (exit 1 otherwise; exit 2 when the gate cannot run, e.g. without an
//!    advisory database: fail closed);
//! 2. the artifacts ([`artifacts`]): from `cargo build`'s messages with `--build`, else from
//!    the target directory;
//! 3. what is linked into each artifact ([`tree`]): `cargo tree -e normal,no-proc-macro`,
//!    once per target triple (cargo's answers are cached while their inputs are unchanged:
//!    see [`cache`]);
//! 4. one component per linked package ([`components`]), with the `.crate` hashes verified
//!    against Cargo.lock, shared by all SBOMs of the run;
//! 5. one document per artifact ([`document`], [`model`]), written atomically as
//!    `<artifact file name>.cdx.json` next to the artifact (or into `--output-dir`);
//! 6. when a signing key is configured (`--sign`, policy `[sbom] signing-key`, or the
//!    environment, see [`crate::sign::resolve_key_source`]), its signature and in-toto
//!    attestation next to it ([`crate::sign::sign_artifact_sbom`]).
//!
//! See `docs/sbom.md` for what each SBOM field holds and why.

pub mod artifacts;
/// The cargo-answer cache (shared with `check`, see [`crate::cargo_cache`]).
pub use crate::cargo_cache as cache;
pub mod components;
pub mod document;
pub mod model;
pub mod spdx;
pub mod spdx2;
pub mod spdx3;
pub mod tree;

use crate::cli::{CheckArgs, SbomArgs, SbomFormat, Scope, SpecVersion};
use crate::commands::check;
use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;
use crate::workspace::Workspace;
use cache::{CargoCache, HashCache};
use camino::{Utf8Path, Utf8PathBuf};
use components::{CachedCrate, CrateCache};
use model::{Component, Property, Spec};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tree::LinkGraph;

/// An SBOM that was written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The artifact it describes.
    pub artifact: artifacts::Artifact,
    /// Where the SBOM is.
    pub path: Utf8PathBuf,
    /// The exact bytes written.
    pub bytes: Vec<u8>,
    /// Number of components (linked packages besides the product).
    pub components: usize,
    /// Its format.
    pub format: SbomFormat,
    /// The signature and attestation, when a signing key is configured.
    pub signed: Option<crate::sign::SignedFiles>,
}

/// The check arguments the gate runs with: the same workspace selection, every check.
pub fn gate_args(args: &SbomArgs) -> CheckArgs {
    CheckArgs {
        which: Vec::new(),
        workspace: args.workspace.clone(),
        format: crate::cli::FindingsFormat::Human,
        advisory_db: args.advisory_db.clone(),
        scope: Scope::Build,
        lockfile_only: false,
        output: None,
        vex: Vec::new(),
    }
}

/// Toolchain facts, the cargo-answer cache and the `cargo tree` runs started before the gate.
#[derive(Debug)]
pub struct Setup {
    /// The host triple.
    pub host: String,
    /// `rustc -vV` (the toolchain whose standard library is linked).
    pub rustc_vv: String,
    /// The manifest cargo is run with.
    pub manifest: Utf8PathBuf,
    /// The cache of `cargo metadata`/`cargo tree` answers (`None`: off).
    pub cache: Option<CargoCache>,
    /// `cargo tree` runs started early (their answers were not cached).
    pub pending: Vec<tree::PendingTree>,
}

impl Setup {
    /// Tree arguments of each target triple for the package selection `specs`.
    fn tree_jobs(
        &self,
        triples: &[Option<String>],
        specs: &[String],
        args: &crate::cli::WorkspaceArgs,
    ) -> Vec<(Option<String>, Vec<String>)> {
        triples
            .iter()
            .map(|t| {
                (
                    t.clone(),
                    tree::tree_args(&self.manifest, specs, t.as_deref(), args),
                )
            })
            .collect()
    }
}

/// The target triples to describe (`None`: the host, no `--target`).
fn triples_of(args: &SbomArgs) -> Vec<Option<String>> {
    if args.workspace.target.is_empty() {
        vec![None]
    } else {
        args.workspace
            .target
            .iter()
            .map(|t| Some(t.clone()))
            .collect()
    }
}

/// The link graph of each target triple (`None`: the host).
type LinkGraphs = BTreeMap<Option<String>, LinkGraph>;

/// Key of a `cargo tree` answer in the cache.
fn tree_key(args: &[String]) -> String {
    args.join("\u{1f}")
}

/// Runs `cargo cra sbom`.
pub fn run(args: &SbomArgs, printer: &Printer) -> Result<u8> {
    let started = std::time::Instant::now();
    let rustc_vv = artifacts::rustc_version_verbose()?;
    let manifest = crate::workspace::find_manifest(&args.workspace)?;
    let root = crate::workspace::find_workspace_root(&manifest)?;
    let mut setup = Setup {
        host: artifacts::host_triple(&rustc_vv)?,
        cache: CargoCache::open(&args.workspace, &manifest, &root, &rustc_vv),
        rustc_vv: rustc_vv.clone(),
        manifest,
        pending: Vec::new(),
    };
    // `cargo tree` takes as long as `cargo metadata` on a large workspace: when its answer is
    // not cached, it runs while the policy gate works. Not without a lockfile: cargo would
    // create one, and the gate reports its absence instead.
    // With one target, the link graph comes from our own feature resolution
    // (`workspace::features::activate`, tested equal to `cargo tree`): no `cargo tree` runs.
    let jobs = if root.join("Cargo.lock").is_file() && triples_of(args).len() > 1 {
        setup.tree_jobs(
            &triples_of(args),
            &tree::selection_flags(&args.workspace),
            &args.workspace,
        )
    } else {
        Vec::new()
    };
    for (_, a) in jobs {
        if setup
            .cache
            .as_ref()
            .and_then(|c| c.tree(&tree_key(&a)))
            .is_none()
        {
            setup.pending.push(tree::PendingTree::spawn(a)?);
        }
    }
    let check_args = gate_args(args);
    if let Some(c) = setup.cache.as_ref() {
        printer.verbose(format_args!(
            "cargo metadata: {} ({:.0?})",
            if c.is_hit() { "cached" } else { "ran" },
            started.elapsed()
        ));
    }

    let gate = check::run_checks_with(&check_args, printer, setup.cache.as_mut())?;
    printer.verbose(format_args!("policy gate: {:.0?}", started.elapsed()));
    if let Some(c) = setup.cache.as_mut() {
        c.store(&gate.ws, []);
    }
    printer.diagnostics(&gate.sources, &gate.diagnostics);
    let mut properties = Vec::new();
    if gate.failed() {
        if !args.allow_violations {
            printer.error(&Error::other(
                "the policy check failed: no SBOM written (fix the errors above, or pass --allow-violations)",
            ));
            return Ok(ExitCode::VIOLATION);
        }
        printer.warn("the policy check failed; writing SBOMs anyway (--allow-violations)");
        properties.push(Property::new("cargo-cra:policy-violations-allowed", "true"));
    }
    if let Some(a) = &gate.outcome.advisories {
        if let Some(c) = &a.db_commit {
            properties.push(Property::new("cargo-cra:advisory-db:commit", c.clone()));
        }
        if let Some(d) = &a.db_date {
            properties.push(Property::new("cargo-cra:advisory-db:date", d.clone()));
        }
    }
    properties.sort();
    let written = generate(
        &gate.ws,
        &gate.policy,
        args,
        properties,
        &mut setup,
        printer,
    )?;
    for w in &written {
        printer.status(
            "Wrote",
            format!(
                "{} ({} components, {})",
                display_path(&w.path),
                w.components,
                format_name(w.format, spec_of(args))
            ),
        );
        if let Some(s) = &w.signed {
            printer.status(
                "Signed",
                format!(
                    "{} and {}",
                    display_path(&s.signature),
                    display_path(&s.attestation)
                ),
            );
        }
    }
    printer.verbose(format_args!("total: {:.0?}", started.elapsed()));
    Ok(ExitCode::SUCCESS)
}

/// How a status line names a format.
fn format_name(f: SbomFormat, spec: Spec) -> String {
    match f {
        SbomFormat::Json => format!("CycloneDX {}", spec.as_str()),
        SbomFormat::SpdxJson => "SPDX 2.3".to_string(),
        SbomFormat::Spdx3Json => "SPDX 3.0.1".to_string(),
    }
}

/// The formats to write, each once, CycloneDX first.
fn formats_of(args: &SbomArgs) -> Vec<SbomFormat> {
    let mut f = args.format.clone();
    if f.is_empty() {
        f.push(SbomFormat::Json);
    }
    f.sort();
    f.dedup();
    f
}

fn spec_of(args: &SbomArgs) -> Spec {
    match args.spec_version {
        SpecVersion::V1_6 => Spec::V1_6,
        SpecVersion::V1_7 => Spec::V1_7,
    }
}

/// A path relative to the current directory when it is below it (shorter status lines).
fn display_path(p: &Utf8Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| Utf8PathBuf::from_path_buf(d).ok());
    match cwd.as_deref().and_then(|c| p.strip_prefix(c).ok()) {
        Some(rel) => rel.to_string(),
        None => p.to_string(),
    }
}

/// Writes the SBOMs of the selected products (after the gate): finds or builds the
/// artifacts, resolves what is linked into each, and writes one document per artifact.
/// `properties` are document-level facts (advisory database revision, ...).
pub fn generate(
    ws: &Workspace,
    policy: &crate::policy::Policy,
    args: &SbomArgs,
    properties: Vec<Property>,
    setup: &mut Setup,
    printer: &Printer,
) -> Result<Vec<Written>> {
    let spec = spec_of(args);
    let all_products = crate::checks::product::products(ws, &policy.product, None, None);
    let products: Vec<usize> = all_products
        .iter()
        .copied()
        .filter(|p| ws.graph.roots.contains(p))
        .collect();
    if products.is_empty() {
        return Err(Error::other(
            "no product among the selected packages: products are workspace members with a `bin` target, or those listed in `[product] members` of the policy",
        ));
    }
    let triples = triples_of(args);
    let profile = artifacts::profile_name(args).to_string();
    let expected = artifacts::expected(ws, &products, &triples);
    if expected.is_empty() {
        return Err(Error::other(
            "the selected products have no `bin`, `cdylib` or `staticlib` target: no binary artifact to describe",
        ));
    }
    let t = std::time::Instant::now();
    let (trees, specs) = link_graphs(ws, &triples, setup, &args.workspace)?;
    printer.verbose(format_args!("cargo tree: {:.0?}", t.elapsed()));

    let build_args = artifacts::build_args(args, args.workspace.manifest_path.as_deref(), &specs);
    let t = std::time::Instant::now();
    let found = if args.build {
        artifacts::build(ws, &expected, &build_args)?
    } else {
        artifacts::find(
            ws,
            &expected,
            &profile,
            &setup.host,
            &artifacts::render_command(&build_args),
        )?
    };
    printer.verbose(format_args!("artifacts: {:.0?}", t.elapsed()));

    let mut needed: BTreeSet<usize> = BTreeSet::new();
    for a in &found {
        let lg = &trees[&a.expected.triple];
        if !lg.roots.contains(&a.expected.pkg) {
            return Err(Error::Command {
                message: format!(
                    "`cargo tree` did not list package `{}`",
                    ws.graph.pkgs[a.expected.pkg].name
                ),
            });
        }
        needed.extend(lg.closure(a.expected.pkg));
    }
    let t = std::time::Instant::now();
    // Declared and concluded licenses: every format's writer takes what it can hold.
    let comps = prepare_components(ws, policy, &needed, Spec::V1_7, printer)?;
    printer.verbose(format_args!(
        "components ({} packages, .crate hashes): {:.0?}",
        comps.len(),
        t.elapsed()
    ));

    let t = std::time::Instant::now();
    // The key is loaded before anything is written: a bad key or passphrase must not leave
    // unsigned SBOMs behind that look like the result of a signed release run.
    let signer = match crate::sign::resolve_key_source(
        args.sign.as_deref(),
        policy.sbom.signing_key.as_deref(),
    ) {
        Some(src) => Some(crate::sign::Signer::load(&src)?),
        None => None,
    };

    let ctx = document::DocContext {
        spec,
        timestamp: document::format_timestamp(crate::now()?)?,
        profile,
        host: setup.host.clone(),
        properties,
        rustc_vv: setup.rustc_vv.clone(),
    };
    let mut written = Vec::new();
    for a in &found {
        let digests = document::Digests::of_file(&a.path)?;
        let bom = document::build(
            ws,
            policy,
            a,
            &digests,
            &trees[&a.expected.triple],
            &comps,
            &ctx,
        )?;
        let components = bom.components.len();
        // Every document is serialized before the first is written: a failure leaves none.
        let mut docs = Vec::new();
        for format in formats_of(args) {
            let bytes = match format {
                SbomFormat::Json => document::to_json(bom.clone())?,
                SbomFormat::SpdxJson => spdx2::to_json(&spdx::Facts::of(&bom)?)?,
                SbomFormat::Spdx3Json => spdx3::to_json(&spdx::Facts::of(&bom)?)?,
            };
            docs.push((
                format,
                output_path(args, a, triples.len() > 1, format)?,
                bytes,
            ));
        }
        for (format, path, json) in docs {
            crate::fsutil::write_atomic(&path, &json)?;
            let signed = match &signer {
                Some(s) => Some(crate::sign::sign_artifact_sbom(
                    s,
                    &policy.sbom.namespace,
                    &path,
                    &json,
                    a.file_name(),
                    (&digests.sha256, &digests.sha512),
                )?),
                None => None,
            };
            written.push(Written {
                artifact: a.clone(),
                path,
                bytes: json,
                components,
                format,
                signed,
            });
        }
    }
    printer.verbose(format_args!("documents: {:.0?}", t.elapsed()));
    Ok(written)
}

/// The link graph of every target triple, and the package selection flags it was resolved
/// for. The user's own selection flags are used when cargo selects the same packages with
/// them as the gate did (then `cargo build` with those flags builds exactly this); otherwise
/// (e.g. `default-members`) every selected package is named explicitly.
fn link_graphs(
    ws: &Workspace,
    triples: &[Option<String>],
    setup: &mut Setup,
    args: &crate::cli::WorkspaceArgs,
) -> Result<(LinkGraphs, Vec<String>)> {
    let roots: BTreeSet<usize> = ws.graph.roots.iter().copied().collect();
    if let ([triple], Some(_)) = (triples, ws.metadata.as_ref()) {
        return Ok(activated_link_graph(ws, triple.clone(), &roots));
    }
    let user = tree::selection_flags(args);
    let graphs = resolve_trees(ws, setup.tree_jobs(triples, &user, args), setup)?;
    if graphs.values().all(|g| g.roots == roots) {
        return Ok((graphs, user));
    }
    let explicit = explicit_specs(ws, &roots);
    let graphs = resolve_trees(ws, setup.tree_jobs(triples, &explicit, args), setup)?;
    if let Some(g) = graphs.values().find(|g| g.roots != roots) {
        let names = |s: &BTreeSet<usize>| {
            s.iter()
                .map(|&i| ws.graph.pkgs[i].name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::Command {
            message: format!(
                "`cargo tree` selected the packages [{}], the policy check [{}]",
                names(&g.roots),
                names(&roots)
            ),
        });
    }
    Ok((graphs, explicit))
}

/// The link graph of one target from cargo's feature resolution over the loaded metadata:
/// normal, non-proc-macro edges from the selected roots, features unified across them as
/// `cargo build -p a -p b` (and `cargo tree -e normal,no-proc-macro -p a -p b`) do. The
/// workspace was loaded for exactly this target, so no other platform's edges are in it.
/// The package selection for `cargo build` is spelled out (`-p name@version` per root, or
/// `--workspace`), so that cargo builds exactly the packages described.
fn activated_link_graph(
    ws: &Workspace,
    triple: Option<String>,
    roots: &BTreeSet<usize>,
) -> (LinkGraphs, Vec<String>) {
    let follow = crate::workspace::Follow {
        build: false,
        dev: false,
        proc_macros: false,
    };
    let root_list: Vec<usize> = roots.iter().copied().collect();
    let act = crate::workspace::features::activate(ws, &root_list, &ws.feature_request(), follow);
    let graph = LinkGraph {
        roots: roots.clone(),
        edges: act.edges,
    };
    (BTreeMap::from([(triple, graph)]), explicit_specs(ws, roots))
}

/// The package selection spelled out for cargo: `--workspace` when every member is
/// selected, else `-p name@version` per root.
fn explicit_specs(ws: &Workspace, roots: &BTreeSet<usize>) -> Vec<String> {
    let members = ws.graph.pkgs.iter().filter(|p| p.is_member).count();
    if roots.len() == members && members > 1 {
        vec!["--workspace".to_string()]
    } else {
        roots
            .iter()
            .flat_map(|&r| {
                [
                    "-p".to_string(),
                    format!("{}@{}", ws.graph.pkgs[r].name, ws.graph.pkgs[r].version),
                ]
            })
            .collect()
    }
}

/// Runs (or takes from the cache, or from the runs started early) `cargo tree` for each job
/// and parses the output.
fn resolve_trees(
    ws: &Workspace,
    jobs: Vec<(Option<String>, Vec<String>)>,
    setup: &mut Setup,
) -> Result<LinkGraphs> {
    enum Source {
        Cached(String),
        Running(tree::PendingTree),
    }
    let mut sources = Vec::with_capacity(jobs.len());
    for (t, a) in jobs {
        let source = if let Some(text) = setup.cache.as_ref().and_then(|c| c.tree(&tree_key(&a))) {
            Source::Cached(text.to_string())
        } else if let Some(i) = setup.pending.iter().position(|p| p.args == a) {
            Source::Running(setup.pending.swap_remove(i))
        } else {
            Source::Running(tree::PendingTree::spawn(a)?)
        };
        sources.push((t, source));
    }
    let mut fresh = Vec::new();
    let mut out = BTreeMap::new();
    for (t, source) in sources {
        let text = match source {
            Source::Cached(text) => text,
            Source::Running(p) => {
                let key = tree_key(&p.args);
                let text = p.finish()?;
                fresh.push((key, text.clone()));
                text
            }
        };
        out.insert(t, tree::parse(&text, &ws.graph)?);
    }
    if let Some(c) = setup.cache.as_mut()
        && !fresh.is_empty()
    {
        c.store(ws, fresh);
    }
    Ok(out)
}

/// Where the SBOM of `a` goes: next to it, or into `--output-dir` (in a folder per triple
/// when several targets are built, since their artifacts share file names).
fn output_path(
    args: &SbomArgs,
    a: &artifacts::Artifact,
    per_triple: bool,
    format: SbomFormat,
) -> Result<Utf8PathBuf> {
    let suffix = match format {
        SbomFormat::Json => crate::sign::SBOM_SUFFIX,
        SbomFormat::SpdxJson => spdx2::SUFFIX,
        SbomFormat::Spdx3Json => spdx3::SUFFIX,
    };
    let name = format!("{}{suffix}", a.file_name());
    match &args.output_dir {
        Some(dir) => {
            let mut dir = dir.clone();
            if per_triple && let Some(t) = &a.expected.triple {
                dir.push(t);
            }
            std::fs::create_dir_all(&dir).map_err(|e| Error::write(dir.clone(), e))?;
            Ok(dir.join(name))
        }
        None => Ok(a.path.with_file_name(name)),
    }
}

/// The component of every package in `needed`, with the `.crate` files hashed in parallel
/// (reading and hashing a thousand archives is the slow part of a large workspace; digests
/// of unchanged files come from the [`HashCache`]).
fn prepare_components(
    ws: &Workspace,
    policy: &crate::policy::Policy,
    needed: &BTreeSet<usize>,
    spec: Spec,
    printer: &Printer,
) -> Result<HashMap<usize, Component>> {
    let cache = CrateCache::from_env();
    let mut known = HashCache::load();
    let list: Vec<usize> = needed.iter().copied().collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(4)
        .min(16);
    let chunk = list.len().div_ceil(threads).max(1);
    let results: Vec<(usize, CachedCrate, Option<components::Hashed>)> = std::thread::scope(|s| {
        let (cache, known) = (&cache, &known);
        let handles: Vec<_> = list
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&i| {
                            let (c, computed) = cache.lookup(&ws.graph.pkgs[i], known);
                            (i, c, computed)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if results.len() != list.len() {
        return Err(Error::other(
            "hashing the cached .crate files failed (thread panicked)",
        ));
    }
    let mut out = HashMap::with_capacity(list.len());
    for (i, c, computed) in results {
        if let Some(h) = computed {
            known.put(&h.path, &h.sha256, &h.sha512);
        }
        let pkg = &ws.graph.pkgs[i];
        let meta = ws
            .meta_pkg(pkg)
            .ok_or_else(|| Error::other(format!("no `cargo metadata` entry for `{}`", pkg.name)))?;
        if let CachedCrate::Mismatch { file } = &c {
            printer.warn(format!("$CARGO_HOME/{file} does not match the Cargo.lock checksum of {} {}: its SHA-512 is left out", pkg.name, pkg.version));
        }
        out.insert(
            i,
            components::crate_component(pkg, meta, &policy.licenses, &c, spec),
        );
    }
    known.save();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn sbom_args(extra: &[&str]) -> SbomArgs {
        let mut argv = vec!["cargo-cra", "sbom"];
        argv.extend_from_slice(extra);
        match crate::cli::Cli::parse_from(argv).command {
            crate::cli::Command::Sbom(a) => a,
            _ => unreachable!(),
        }
    }

    fn artifact(triple: Option<&str>) -> artifacts::Artifact {
        artifacts::Artifact {
            expected: artifacts::Expected {
                pkg: 0,
                triple: triple.map(str::to_string),
                target_name: "app".into(),
                kind: artifacts::Kind::Bin,
            },
            path: Utf8PathBuf::from("/w/target/x86_64-unknown-linux-musl/release/app"),
        }
    }

    #[test]
    fn output_paths() {
        let a = artifact(Some("x86_64-unknown-linux-musl"));
        assert_eq!(
            output_path(&sbom_args(&[]), &a, false, SbomFormat::Json).unwrap(),
            "/w/target/x86_64-unknown-linux-musl/release/app.cdx.json"
        );
        let dir = tempfile::tempdir().unwrap();
        let out = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        let args = sbom_args(&["--output-dir", out.as_str()]);
        assert_eq!(
            output_path(&args, &a, false, SbomFormat::Json).unwrap(),
            out.join("app.cdx.json")
        );
        // Several targets: their artifacts share names, so one folder per triple.
        assert_eq!(
            output_path(&args, &a, true, SbomFormat::Json).unwrap(),
            out.join("x86_64-unknown-linux-musl/app.cdx.json")
        );
    }

    #[test]
    fn tree_keys_separate_arguments() {
        assert_ne!(
            tree_key(&["a b".into()]),
            tree_key(&["a".into(), "b".into()])
        );
    }
}
