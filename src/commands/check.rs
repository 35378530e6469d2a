//! `cargo cra check`: load the workspace (or only `Cargo.lock` on the fast path), load the
//! policy, run the checks, print diagnostics, and map them to the exit code.

use crate::checks::{self, CheckCtx, advisories};
use crate::cli::{CheckArgs, Format, WhichCheck};
use crate::diag::{Diagnostics, Severity};
use crate::error::{ExitCode, Result};
use crate::output::Printer;
use crate::policy::Policy;
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

/// Runs the checks and returns everything found (no printing of diagnostics).
pub fn run_checks(args: &CheckArgs, printer: &Printer) -> Result<CheckRun> {
    let t = std::time::Instant::now();
    let ws = load_workspace(args)?;
    printer.verbose(format_args!("workspace loaded: {:.1?}", t.elapsed()));
    let policy = Policy::load(args.workspace.policy.as_deref(), &ws.root)?;
    let today = crate::today()?;
    let mut which: Vec<WhichCheck> = if args.which.is_empty() {
        vec![
            WhichCheck::Licenses,
            WhichCheck::Sources,
            WhichCheck::Product,
            WhichCheck::Advisories,
        ]
    } else {
        args.which.clone()
    };
    if args.lockfile_only {
        which.retain(|w| matches!(w, WhichCheck::Sources | WhichCheck::Advisories));
    }
    which.sort();
    which.dedup();
    let ctx = CheckCtx {
        ws: &ws,
        policy: &policy,
        today,
        printer,
        offline: args.workspace.is_offline(),
    };
    let mut sink = Diagnostics::default();
    sink.sources.extend(&ws.sources);
    if let Some(p) = &policy.path {
        sink.load_source(p);
    }
    let adv = advisories::Options {
        db_path: args.advisory_db.clone(),
        scope: args.scope,
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
    if args.output.is_some() && args.format != Format::Json {
        return Err(crate::error::Error::other(
            "--output writes the JSON report: add --format json",
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
                // The verdict is printed even under -q.
                printer.loud().status("Checked", line);
            }
        }
    }
    Ok(code)
}

/// Kebab-case name of a check.
pub fn check_name(c: WhichCheck) -> &'static str {
    match c {
        WhichCheck::Licenses => "licenses",
        WhichCheck::Sources => "sources",
        WhichCheck::Advisories => "advisories",
        WhichCheck::Product => "product",
    }
}
