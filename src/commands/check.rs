//! `cargo cra check`: load the workspace (or only `Cargo.lock` on the fast path), load the
//! policy, run the checks, print diagnostics, and map them to the exit code.

use crate::cargo_cache::CargoCache;
use crate::checks::{self, CheckCtx, advisories, bans};
use crate::cli::{CheckArgs, FindingsFormat as Format, WhichCheck, WorkspaceArgs};
use crate::diag::{Diagnostics, Severity};
use crate::error::{ExitCode, Result};
use crate::output::Printer;
use crate::policy::Policy;
use crate::policy::graph::GraphConfig;
use crate::report::{self, JsonDiagnostic, Report, Summary};
use crate::workspace::{self, Graph, Workspace};

/// Everything a check run produced.
#[derive(Debug)]
pub struct CheckRun {
    /// The workspace that was checked.
    pub ws: Workspace,
    /// The policy.
    pub policy: Policy,
    /// Sorted diagnostics.
    pub diagnostics: Vec<crate::diag::Diagnostic>,
    /// Files the diagnostics point into.
    pub sources: crate::diag::SourceMap,
    /// Check outcome data.
    pub outcome: checks::Outcome,
    /// Checks that ran.
    pub checks: Vec<WhichCheck>,
}

impl CheckRun {
    /// Whether any error was found.
    pub fn failed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The exit code: 1 when an error was found, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.failed() {
            ExitCode::VIOLATION
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Loads the workspace as `args` say (full or lockfile-only).
pub fn load_workspace(args: &CheckArgs) -> Result<Workspace> {
    if !args.lockfile_only {
        return workspace::load(&args.workspace);
    }
    let manifest = workspace::find_manifest(&args.workspace)?;
    let root = workspace::find_workspace_root(&manifest)?;
    let lockfile_path = root.join("Cargo.lock");
    let (lockfile, text) = workspace::read_lockfile(&lockfile_path)?;
    let graph = Graph::from_lockfile(&lockfile);
    let mut sources = crate::diag::SourceMap::default();
    sources.insert(lockfile_path.clone(), text);
    Ok(Workspace {
        root_manifest: root.join("Cargo.toml"),
        root,
        lockfile_path,
        lockfile,
        metadata: None,
        targets: Vec::new(),
        graph,
        sources,
    })
}

/// The workspace selection `args` gives, with the policy's `[graph]` filling in what the
/// command line leaves open (cargo-deny's rule: command-line targets first, else the
/// configured ones; feature flags combine).
pub fn effective_args(args: &WorkspaceArgs, graph: &GraphConfig) -> WorkspaceArgs {
    let mut a = args.clone();
    if a.target.is_empty() {
        a.target = graph.targets.iter().map(|t| t.triple.clone()).collect();
        a.target.dedup();
    }
    if a.features.is_empty() {
        a.features = graph.features.clone();
    }
    a.all_features |= graph.all_features;
    a.no_default_features |= graph.no_default_features;
    for e in &graph.exclude {
        let name = e.rsplit_once('#').map_or(e.as_str(), |(_, f)| f);
        let name = name.split(['@', ':']).next().unwrap_or(name);
        if !a.exclude.iter().any(|x| x == name) {
            a.exclude.push(name.to_string());
        }
    }
    a
}

/// Runs the checks and returns everything found (no printing of diagnostics), with the
/// cargo-answer cache ([`crate::cargo_cache`]) of this command line.
pub fn run_checks(args: &CheckArgs, printer: &Printer) -> Result<CheckRun> {
    let mut cache = if args.lockfile_only || args.workspace.metadata_path.is_some() {
        None
    } else {
        let manifest = workspace::find_manifest(&args.workspace)?;
        let root = workspace::find_workspace_root(&manifest)?;
        crate::sbom::artifacts::rustc_version_verbose()
            .ok()
            .and_then(|vv| CargoCache::open(&args.workspace, &manifest, &root, &vv))
    };
    let run = run_checks_with(args, printer, cache.as_mut())?;
    if let Some(c) = cache.as_mut() {
        c.store(&run.ws, []);
    }
    Ok(run)
}

/// [`run_checks`] with a cache owned by the caller (`cargo cra sbom` keeps its own, which
/// also holds `cargo tree` answers; it stores the entry itself).
pub fn run_checks_with(
    args: &CheckArgs,
    printer: &Printer,
    cache: Option<&mut CargoCache>,
) -> Result<CheckRun> {
    let t = std::time::Instant::now();
    let manifest = workspace::find_manifest(&args.workspace)?;
    let root = workspace::find_workspace_root(&manifest)?;
    let policy = Policy::load(args.workspace.policy.as_deref(), &root)?;
    let today = crate::today()?;
    let mut which: Vec<WhichCheck> = if args.which.is_empty() {
        vec![
            WhichCheck::Licenses,
            WhichCheck::Sources,
            WhichCheck::Product,
            WhichCheck::Advisories,
            WhichCheck::Bans,
        ]
    } else {
        args.which.clone()
    };
    if args.lockfile_only {
        which.retain(|w| matches!(w, WhichCheck::Sources | WhichCheck::Advisories));
    }
    which.sort();
    which.dedup();
    let mut ws_args = effective_args(&args.workspace, &policy.graph);
    if let Some(c) = cache.as_deref() {
        // The loader, the bans and the advisory check share the cached `rustc --print cfg`
        // answers.
        ws_args.cfg_answers = c.cfg_answers();
    }
    let cfg_answers = ws_args.cfg_answers.clone();
    // cargo-deny's graph: for the bans check, and for the sources check's unused-entry lints
    // (an entry is used by a crate of that graph).
    let want_bans = which.contains(&WhichCheck::Bans)
        || (which.contains(&WhichCheck::Sources) && policy.sources.wants_unused_lints());
    let (ws, bans_input) = if args.lockfile_only {
        (
            load_workspace(&CheckArgs {
                workspace: ws_args,
                ..args.clone()
            })?,
            None,
        )
    } else {
        let primary_opts = (ws_args.target.len() <= 1).then(|| {
            let target = ws_args
                .target
                .first()
                .cloned()
                .unwrap_or_else(|| "host-tuple".into());
            workspace::metadata_options(&ws_args, &target)
        });
        let bans_opts = bans::graph::metadata_options(&args.workspace, &policy.graph);
        let user_metadata = ws_args.metadata_path.clone();
        // Not without a lockfile: cargo would create one (the loader reports its absence).
        let has_lock = root.join("Cargo.lock").is_file();
        let cache_ref = cache.as_deref();
        let (ws, bans_meta, answers) = std::thread::scope(|s| {
            // cargo-deny's graph needs its own `cargo metadata` (unfiltered, or filtered for
            // its one target): it runs while the workspace loads.
            let bans_job = (want_bans && user_metadata.is_none() && has_lock).then(|| {
                let (m, o) = (&manifest, &bans_opts);
                s.spawn(move || match cache_ref.and_then(|c| c.answer(m, o)) {
                    Some(a) => bans::graph::read_metadata(&a.path).map(|md| (md, Some(a))),
                    None => bans::graph::run_metadata(m, o).map(|md| (md, None)),
                })
            });
            let mut answers = Vec::new();
            if let (Some(c), Some(o)) = (cache_ref, &primary_opts)
                && let Some(a) = c.answer(&manifest, o)
            {
                ws_args.metadata_path = Some(a.path.clone());
                answers.push(a);
            } else if let Some(c) = cache_ref
                && user_metadata.is_none()
                && has_lock
            {
                // Several targets: one answer per target (the host's own run, needed only
                // when no target is the host, stays uncached).
                let targets = ws_args.target.clone();
                let found: Vec<(String, Option<crate::cargo_cache::Answer>)> =
                    std::thread::scope(|s2| {
                        let jobs: Vec<_> = targets
                            .iter()
                            .map(|t| {
                                let (m, w) = (&manifest, &ws_args);
                                s2.spawn(move || {
                                    (t.clone(), c.answer(m, &workspace::metadata_options(w, t)))
                                })
                            })
                            .collect();
                        jobs.into_iter().filter_map(|j| j.join().ok()).collect()
                    });
                for (t, a) in found {
                    if let Some(a) = a {
                        ws_args.cached_metadata.insert(t, a.path.clone());
                        answers.push(a);
                    }
                }
            }
            let ws = workspace::load(&ws_args);
            let bans_meta =
                match bans_job {
                    Some(h) => Some(h.join().map_err(|_| {
                        crate::error::Error::other("cargo metadata thread panicked")
                    })?),
                    None => None,
                };
            Ok::<_, crate::error::Error>((ws?, bans_meta, answers))
        })?;
        let mut answers = answers;
        let bans_meta = match bans_meta {
            Some(r) => {
                let (md, a) = r?;
                answers.extend(a);
                Some(md)
            }
            None if want_bans => {
                // `--metadata-path` (cargo-deny reads the same file) or the same run.
                let path = user_metadata.as_ref().or(ws_args.metadata_path.as_ref());
                match path {
                    Some(p) => Some(bans::graph::read_metadata(p)?),
                    None => Some(bans::graph::run_metadata(&manifest, &bans_opts)?),
                }
            }
            None => None,
        };
        if let Some(c) = cache {
            for a in &answers {
                c.record(a);
            }
        }
        let input = bans_meta.map(|md| {
            let targets = bans::graph::targets(&args.workspace, &policy.graph);
            let platforms = if !targets.is_empty() {
                platform_cfgs(&ws_args.cfg_answers, &ws.root, &targets)
            } else {
                Vec::new()
            };
            bans::Input {
                graph: bans::graph::DenyGraph::build(
                    md,
                    &args.workspace,
                    &policy.graph,
                    &platforms,
                ),
            }
        });
        (ws, input)
    };
    printer.verbose(format_args!("workspace loaded: {:.1?}", t.elapsed()));
    let ctx = CheckCtx {
        ws: &ws,
        policy: &policy,
        today,
        printer,
        offline: args.workspace.is_offline(),
        bans: bans_input.as_ref(),
        lock_spans: Default::default(),
        cfg_answers: &cfg_answers,
    };
    let mut sink = Diagnostics::default();
    sink.sources.extend(&ws.sources);
    if let Some(p) = &policy.path {
        sink.load_source(p);
        for w in &policy.warnings {
            sink.push(w.to_diagnostic(p));
        }
    }
    let adv = advisories::Options {
        db_path: args.advisory_db.clone(),
        scope: args.scope,
        vex: crate::vex::read_all(&args.vex)?,
    };
    let outcome = checks::run(&ctx, &which, &adv, &mut sink)?;
    let (diagnostics, sources) = sink.into_sorted();
    Ok(CheckRun {
        ws,
        policy,
        diagnostics,
        sources,
        outcome,
        checks: which,
    })
}

/// `rustc --print cfg` of each target (with its `features` as `target_feature`s), queried
/// concurrently; a target rustc does not know is left out.
fn platform_cfgs(
    answers: &crate::workspace::features::CfgAnswers,
    dir: &camino::Utf8Path,
    targets: &[(String, Vec<String>)],
) -> Vec<crate::workspace::features::PlatformCfg> {
    std::thread::scope(|s| {
        let jobs: Vec<_> = targets
            .iter()
            .map(|(t, feats)| {
                s.spawn(move || {
                    let mut p = crate::workspace::features::PlatformCfg::query(
                        answers,
                        dir,
                        Some(t),
                        false,
                    )?;
                    for f in feats {
                        if let Ok(c) = format!("target_feature=\"{f}\"").parse() {
                            p.cfgs.push(c);
                        }
                    }
                    Some(p)
                })
            })
            .collect();
        jobs.into_iter()
            .filter_map(|j| j.join().ok().flatten())
            .collect()
    })
}

/// purls of the packages in the build scope, sorted (the SBOM agrees with this set).
pub fn scope_purls(run: &CheckRun) -> Vec<String> {
    let g = &run.ws.graph;
    let follow = crate::workspace::Follow {
        build: true,
        dev: false,
        proc_macros: true,
    };
    // The same feature-resolved scope the checks use (what `cargo tree -e normal,build` lists).
    let scope =
        crate::workspace::features::activate(&run.ws, &g.roots, &run.ws.feature_request(), follow)
            .parents;
    let mut v: Vec<String> = scope.keys().map(|&i| g.pkgs[i].purl.clone()).collect();
    v.sort();
    v.dedup();
    v
}

/// Runs `cargo cra check`.
pub fn run(args: &CheckArgs, printer: &Printer) -> Result<u8> {
    if args.output.is_some() && args.format == Format::Human {
        return Err(crate::error::Error::other(
            "--output writes a report: add --format json, sarif or github",
        ));
    }
    let run = run_checks(args, printer)?;
    let code = run.exit_code();
    let count = |s| run.diagnostics.iter().filter(|d| d.severity == s).count();
    let summary = Summary {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        notes: count(Severity::Note),
    };
    match args.format {
        Format::Json => {
            let report = Report {
                format_version: report::FORMAT_VERSION,
                tool: report::Tool {
                    name: "cargo-cra",
                    version: crate::VERSION,
                },
                command: "check",
                outcome: if code == ExitCode::SUCCESS {
                    "pass"
                } else {
                    "fail"
                },
                exit_code: code,
                workspace_root: run.ws.root.clone(),
                policy: run.policy.path.clone(),
                lockfile_only: args.lockfile_only,
                targets: run.ws.targets.clone(),
                checks: run.checks.iter().map(|c| check_name(*c)).collect(),
                summary,
                advisories: run.outcome.advisories.clone(),
                packages: scope_purls(&run),
                diagnostics: run
                    .diagnostics
                    .iter()
                    .map(|d| JsonDiagnostic::from_diag(d, &run.sources))
                    .collect(),
            };
            let json = serde_json::to_string_pretty(&report).map_err(|e| {
                crate::error::Error::other(format!("failed to serialize the report: {e}"))
            })?;
            match &args.output {
                Some(path) => crate::fsutil::write_atomic(path, format!("{json}\n").as_bytes())?,
                None => println!("{json}"),
            }
        }
        Format::Sarif | Format::Github => {
            let anchors = check_anchors(&run);
            let bytes = if args.format == Format::Sarif {
                crate::export::sarif::to_json(&run.diagnostics, &run.sources, &anchors)?
            } else {
                crate::export::github::to_commands(&run.diagnostics, &run.sources, &anchors)
                    .into_bytes()
            };
            write_report(args.output.as_deref(), &bytes)?;
            verdict(printer, code, &summary, &run);
        }
        Format::Human => {
            printer.diagnostics(&run.sources, &run.diagnostics);
            if run.policy.path.is_none() {
                printer.warn(format!(
                    "no {} at {}: using the default policy (run `cargo cra init`)",
                    crate::policy::FILE_NAME,
                    run.ws.root
                ));
            }
            if let Some(a) = &run.outcome.advisories {
                printer.status(
                    "Advisories",
                    format!(
                        "{} advisories from {} ({}{}), scope: {}{}",
                        a.advisory_count,
                        crate::output::display_path(&a.db_path),
                        a.db_date.as_deref().unwrap_or("date unknown"),
                        a.db_commit
                            .as_deref()
                            .map(|c| format!(", commit {}", &c[..c.len().min(12)]))
                            .unwrap_or_default(),
                        a.scope,
                        match a.out_of_scope {
                            0 => String::new(),
                            1 => ", 1 lockfile advisory not built".to_string(),
                            n => format!(", {n} lockfile advisories not built"),
                        }
                    ),
                );
            }
            verdict(printer, code, &summary, &run);
        }
    }
    Ok(code)
}

/// The `Checked` line on stderr: passed/FAILED with the counts (even under `-q` on failure).
fn verdict(printer: &Printer, code: u8, summary: &Summary, run: &CheckRun) {
    let names: Vec<&str> = run.checks.iter().map(|c| check_name(*c)).collect();
    let verdict = if code == ExitCode::SUCCESS {
        "passed"
    } else {
        "FAILED"
    };
    let line = format!(
        "{verdict}: {} error{}, {} warning{} ({})",
        summary.errors,
        if summary.errors == 1 { "" } else { "s" },
        summary.warnings,
        if summary.warnings == 1 { "" } else { "s" },
        names.join(", ")
    );
    if code == ExitCode::SUCCESS {
        printer.status("Checked", line);
    } else {
        printer.loud().status("Checked", line);
    }
}

/// Writes a machine-readable report to `--output` (atomically) or stdout.
pub fn write_report(output: Option<&camino::Utf8Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => crate::fsutil::write_atomic(path, bytes),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| crate::error::Error::other(format!("failed to write to stdout: {e}")))
        }
    }
}

/// Anchors for a `check` run: the repository around the workspace, its `Cargo.lock`, the
/// manifest of every package with one inside the repository, and the policy then the root
/// manifest as fallbacks.
pub fn check_anchors(run: &CheckRun) -> crate::export::Anchors {
    let ws = &run.ws;
    let mut manifests = std::collections::BTreeMap::new();
    for p in &ws.graph.pkgs {
        if let Some(m) = ws.meta_pkg(p) {
            manifests.insert(p.purl.clone(), m.manifest_path.clone());
        }
    }
    let mut fallback = Vec::new();
    fallback.extend(run.policy.path.clone());
    fallback.push(ws.root_manifest.clone());
    fallback.push(ws.lockfile_path.clone());
    crate::export::Anchors {
        repo_root: crate::export::repository_root(&ws.root),
        lockfile: Some(ws.lockfile_path.clone()),
        manifests,
        fallback,
    }
}

/// Kebab-case name of a check.
pub fn check_name(c: WhichCheck) -> &'static str {
    match c {
        WhichCheck::Licenses => "licenses",
        WhichCheck::Sources => "sources",
        WhichCheck::Advisories => "advisories",
        WhichCheck::Product => "product",
        WhichCheck::Bans => "bans",
    }
}
