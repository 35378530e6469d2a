//! RustSec advisory gate (issue 3): every package in scope is matched against the RustSec
//! advisory database; vulnerabilities are errors, informational advisories (`unmaintained`,
//! `unsound`, `notice`) and yanked versions follow the policy, ignores need a reason and can
//! expire.
//!
//! Scope: by default the packages really built for the selected packages, features and
//! targets (cargo's own resolution, dev-dependencies only with `include-dev`); with
//! `--scope lockfile` (and always on the `--lockfile-only` path) every package of
//! `Cargo.lock`, which then reports exactly the advisory ids `cargo audit` reports on the same
//! lockfile and database: vulnerabilities and the `unmaintained`, `unsound` and `notice`
//! kinds, for crates.io packages, withdrawn advisories left out, no platform filter.
//!
//! The database, the `[advisories]` policy section, the matcher and the fix live in
//! [`crate::advisory`], shared with `cargo cra scan`; this module is the check: the scope,
//! the ignores and triage entries, the yanked check, and the diagnostics.

use crate::advisory::config::{Config, Ignore, IgnoreTarget};
use crate::advisory::db::{self, Record};
use crate::advisory::{self, Kind, cache};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::error::Result;
use crate::workspace::{Follow, Graph, SourceKind};
use camino::Utf8PathBuf;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::CheckCtx;

/// Command-line options of the advisory check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--advisory-db`.
    pub db_path: Option<Utf8PathBuf>,
    /// `--scope`.
    pub scope: crate::cli::Scope,
    /// `--vex` documents: their `not_affected`/`fixed` statements settle findings.
    pub vex: Vec<crate::vex::VexDocument>,
}

/// Facts for the report: which database, which scope.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Report {
    /// Database directory.
    pub db_path: Utf8PathBuf,
    /// Database commit, when it is a git checkout.
    pub db_commit: Option<String>,
    /// Database date (commit date, else newest advisory date), `YYYY-MM-DD`.
    pub db_date: Option<String>,
    /// Number of advisories loaded.
    pub advisory_count: usize,
    /// `build` or `lockfile`.
    pub scope: String,
    /// In build scope: advisories that match Cargo.lock but no built package.
    pub out_of_scope: usize,
    /// Whether the parsed advisory index came from the cache.
    pub db_cached: bool,
    /// Ids of the advisories reported (sorted): in lockfile scope, the set `cargo audit`
    /// reports on the same lockfile and database.
    pub advisory_ids: Vec<String>,
}

/// One advisory matching one lockfile package.
#[derive(Debug)]
struct Hit {
    /// Index into the database's advisories.
    adv: usize,
    /// Its kind.
    kind: Kind,
    /// Index into the lockfile graph.
    lock: usize,
    /// In scope (always in lockfile scope; built and on an affected platform in build scope).
    in_scope: bool,
    /// The affected platforms could not be checked against the targets (reported anyway).
    platform_unknown: bool,
    /// Ignore entries matching it (by id or alias).
    ignores: Vec<usize>,
}

/// Runs the advisory check.
pub fn check(ctx: &CheckCtx<'_>, opts: &Options, sink: &mut Diagnostics) -> Result<Report> {
    let cfg = &ctx.policy.advisories;
    let (path, is_default) = db::locate(opts.db_path.as_deref(), cfg)?;
    if is_default {
        db::sync_default(&path, cfg, ctx.offline, ctx.printer)?;
    }
    let started = std::time::Instant::now();
    let cache_dir = cache::dir();
    let database = db::load(&path, cache_dir.as_deref(), ctx.printer)?;
    ctx.printer.verbose(format!(
        "loaded {} advisories from {} in {:.1} ms ({})",
        database.advisories.len(),
        database.path,
        started.elapsed().as_secs_f64() * 1000.0,
        if database.from_cache {
            "cached index"
        } else {
            "parsed"
        }
    ));
    database.check_fresh(ctx.today, cfg.maximum_db_staleness_days)?;

    let lockfile_only = ctx.ws.metadata.is_none();
    let lockfile_scope = lockfile_only || opts.scope == crate::cli::Scope::Lockfile;
    // The lockfile graph: on the lockfile-only path it is the workspace graph; otherwise the
    // workspace graph is cargo's platform-filtered resolve, which lacks e.g. `cfg(windows)`
    // dependencies that Cargo.lock (and cargo audit) has.
    let owned;
    let lg: &Graph = if lockfile_only {
        &ctx.ws.graph
    } else {
        owned = Graph::from_lockfile(&ctx.ws.lockfile);
        &owned
    };
    let all = Follow {
        build: true,
        dev: true,
        proc_macros: true,
    };
    let lock_parents = lg.reachable(&lg.roots, all);
    let mut lock_dependents: Vec<Vec<usize>> = vec![Vec::new(); lg.pkgs.len()];
    for (from, edges) in lg.edges.iter().enumerate() {
        for e in edges {
            lock_dependents[e.to].push(from);
        }
    }

    // Build scope: lockfile packages that cargo builds, keyed like the lockfile graph.
    let built_parents = (!lockfile_scope).then(|| ctx.built_scope(cfg.include_dev));
    let ws_index: HashMap<(&str, &semver::Version, Option<&str>), usize> = ctx
        .ws
        .graph
        .pkgs
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.name.as_str(), &p.version, p.source.as_deref()), i))
        .collect();
    let ws_of = |lock: usize| -> Option<usize> {
        let p = &lg.pkgs[lock];
        ws_index
            .get(&(p.name.as_str(), &p.version, p.source.as_deref()))
            .copied()
    };
    let built_of = |lock: usize| -> Option<usize> {
        ws_of(lock).filter(|i| built_parents.as_ref().is_some_and(|b| b.contains_key(i)))
    };

    let mut target_cfgs: Option<Vec<Option<(String, String)>>> = None;
    let mut platform_applies = |r: &Record| -> Option<bool> {
        let cfgs = target_cfgs.get_or_insert_with(|| {
            ctx.ws
                .targets
                .iter()
                .map(|t| target_os_arch(ctx, t))
                .collect()
        });
        advisory::platform_applies(r, cfgs)
    };

    // Match every crates.io package of the lockfile (what cargo audit queries), so that
    // ignores used only by packages outside the build scope do not count as unused.
    let crates_io: Vec<usize> = (0..lg.pkgs.len())
        .filter(|&i| lg.pkgs[i].kind == SourceKind::CratesIo)
        .collect();
    let found = advisory::matches(
        &database,
        crates_io
            .iter()
            .map(|&i| (lg.pkgs[i].name.as_str(), &lg.pkgs[i].version)),
    )?;
    let mut hits: Vec<Hit> = Vec::with_capacity(found.len());
    for m in found {
        let li = crates_io[m.query];
        let r = &database.advisories[m.advisory];
        let (in_scope, platform_unknown) = if lockfile_scope {
            (true, false)
        } else if built_of(li).is_none() {
            (false, false)
        } else {
            match platform_applies(r) {
                Some(ok) => (ok, false),
                None => (true, true),
            }
        };
        let ignores = cfg
            .ignore
            .iter()
            .enumerate()
            .filter(|(_, ig)| ig.matches_advisory(r))
            .map(|(i, _)| i)
            .collect();
        hits.push(Hit {
            adv: m.advisory,
            kind: m.kind,
            lock: li,
            in_scope,
            platform_unknown,
            ignores,
        });
    }

    let active: Vec<bool> = cfg
        .ignore
        .iter()
        .map(|ig| ig.is_active(ctx.today))
        .collect();
    // Entries naming products apply to a package only when every workspace member that
    // depends on it is one of their products (computed on first use).
    let mut member_scopes: Option<Vec<(usize, BTreeSet<usize>)>> = None;
    let covers =
        |ig: &Ignore, lock: usize, scopes: &mut Option<Vec<(usize, BTreeSet<usize>)>>| -> bool {
            if ig.products.is_empty() {
                return true;
            }
            member_scopes_of(lg, all, scopes)
                .iter()
                .filter(|(_, reach)| reach.contains(&lock))
                .all(|(m, _)| ig.applies_to(&lg.pkgs[*m].name, Some(&lg.pkgs[*m].version)))
        };
    let mut used = vec![false; cfg.ignore.len()];
    let policy_path = ctx.policy.path.clone();
    if let Some(p) = &policy_path {
        sink.load_source(p);
    }
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut left_out: Vec<String> = Vec::new();
    let lock_versions: HashMap<&str, usize> = lg.pkgs.iter().fold(HashMap::new(), |mut m, p| {
        *m.entry(p.name.as_str()).or_default() += 1;
        m
    });
    for h in &hits {
        let r = &database.advisories[h.adv];
        let kind = h.kind;
        let applying: Vec<usize> = h
            .ignores
            .iter()
            .copied()
            .filter(|&i| covers(&cfg.ignore[i], h.lock, &mut member_scopes))
            .collect();
        for &i in &h.ignores {
            used[i] = true;
        }
        if applying.iter().any(|&i| cfg.ignore[i].silences(ctx.today)) {
            continue;
        }
        let Some(severity) = kind.severity(cfg) else {
            continue;
        };
        // cargo-deny's scopes: which crates unmaintained and unsound advisories are for.
        let scope = match kind {
            Kind::Unmaintained => cfg.unmaintained_scope,
            Kind::Unsound => cfg.unsound_scope,
            _ => crate::advisory::config::Scope::All,
        };
        if scope != crate::advisory::config::Scope::All {
            let dependents = &lock_dependents[h.lock];
            let member = dependents.iter().any(|&d| lg.pkgs[d].is_member);
            let other = dependents.iter().any(|&d| !lg.pkgs[d].is_member);
            if !scope.covers(member, other) {
                continue;
            }
        }
        let p = &lg.pkgs[h.lock];
        if !h.in_scope {
            left_out.push(format!("{} ({} v{})", r.id, p.name, p.version));
            continue;
        }
        if let Some(note) = vex_settles(&opts.vex, r, h.lock, lg, &mut member_scopes, all) {
            sink.push(note);
            continue;
        }
        ids.insert(r.id.clone());
        let path = match built_of(h.lock) {
            Some(i) if !lockfile_scope => ctx
                .ws
                .graph
                .inclusion_path(built_parents.as_ref().unwrap_or(&lock_parents), i),
            _ => lg.inclusion_path(&lock_parents, h.lock),
        };
        let expired: Vec<&Ignore> = applying.iter().map(|&i| &cfg.ignore[i]).collect();
        let multi = lock_versions.get(p.name.as_str()).copied().unwrap_or(0) > 1;
        let d = finding(
            ctx,
            r,
            kind,
            severity,
            p,
            multi,
            &expired,
            h.platform_unknown,
            ws_of(h.lock),
        )
        .with_inclusion_path(path);
        sink.push(d);
    }

    let out_of_scope = left_out.len();
    if out_of_scope > 0 {
        left_out.sort();
        left_out.dedup();
        sink.push(
            Diagnostic::new(
                Code::AdvisoriesOutOfScope,
                Severity::Note,
                format!(
                    "{out_of_scope} advisor{} in Cargo.lock left out: the package is not built for the selected packages, features and targets",
                    if out_of_scope == 1 { "y" } else { "ies" }
                ),
            )
            .with_note(format!("left out: {}", left_out.join(", ")))
            .with_note("help: `--scope lockfile` reports every package in Cargo.lock (what cargo audit checks)")
            .with_data("left-out", left_out.clone()),
        );
    }

    yanked(
        ctx,
        cfg,
        lg,
        lockfile_scope,
        built_parents.as_ref(),
        &built_of,
        &mut used,
        sink,
    );

    // Crate ignores for packages outside the build scope were not looked up: not "unused".
    if !lockfile_scope {
        for (i, ig) in cfg.ignore.iter().enumerate() {
            if let IgnoreTarget::Crate { name, version } = &ig.target {
                let outside = lg.pkgs.iter().enumerate().any(|(li, p)| {
                    &p.name == name
                        && version.as_ref().is_none_or(|v| *v == p.version)
                        && built_of(li).is_none()
                });
                used[i] |= outside;
            }
        }
    }
    ignore_diagnostics(ctx, cfg, &active, &used, policy_path.as_ref(), sink);

    Ok(Report {
        db_path: database.path.clone(),
        db_commit: database.commit.clone(),
        db_date: database.date.map(|d| d.to_string()),
        advisory_count: database.advisories.len(),
        scope: if lockfile_scope { "lockfile" } else { "build" }.to_string(),
        out_of_scope,
        db_cached: database.from_cache,
        advisory_ids: ids.into_iter().collect(),
    })
}

/// The workspace members with the lockfile packages each reaches (computed on first use).
fn member_scopes_of<'s>(
    lg: &Graph,
    all: Follow,
    scopes: &'s mut Option<Vec<(usize, BTreeSet<usize>)>>,
) -> &'s [(usize, BTreeSet<usize>)] {
    scopes.get_or_insert_with(|| {
        lg.roots
            .iter()
            .map(|&m| (m, lg.reachable(&[m], all).into_keys().collect()))
            .collect()
    })
}

/// The note that replaces a finding when `--vex` statements settle it: for every workspace
/// member that depends on the package, a statement applies (product = the member, component
/// = the package) and its status is `not_affected` or `fixed`. `None`: the finding stays.
fn vex_settles(
    docs: &[crate::vex::VexDocument],
    r: &Record,
    lock: usize,
    lg: &Graph,
    scopes: &mut Option<Vec<(usize, BTreeSet<usize>)>>,
    all: Follow,
) -> Option<Diagnostic> {
    if docs.is_empty() {
        return None;
    }
    let ids = advisory::ids(r);
    let p = &lg.pkgs[lock];
    let members: Vec<usize> = member_scopes_of(lg, all, scopes)
        .iter()
        .filter(|(_, reach)| reach.contains(&lock))
        .map(|(m, _)| *m)
        .collect();
    // A package no member reaches (unusual) is judged by statements about the crate alone.
    let products: Vec<Option<&str>> = if members.is_empty() {
        vec![None]
    } else {
        members
            .iter()
            .map(|&m| Some(lg.pkgs[m].purl.as_str()))
            .collect()
    };
    let mut found = Vec::new();
    for product in products {
        let subject = crate::vex::Subject {
            ids: &ids,
            product_purl: product,
            product_iri: None,
            component_purl: &p.purl,
            component_iri: None,
        };
        let m = crate::vex::find(docs, &subject)?;
        if !m.statement.status.settles() {
            return None;
        }
        found.push(m);
    }
    let first = found.first()?;
    let why = first
        .statement
        .reason()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    let mut d = Diagnostic::new(
        Code::AdvisorySettledByVex,
        Severity::Note,
        format!(
            "{} v{} is affected by {}, settled as `{}` by {}{why}",
            p.name,
            p.version,
            r.id,
            first.statement.status,
            first.document.name()
        ),
    )
    .with_package(p.to_ref())
    .with_data("advisory-id", r.id.clone())
    .with_data("aliases", r.aliases.clone())
    .with_data("status", first.statement.status.as_str())
    .with_data("vex", first.document.name());
    if let Some(j) = first.statement.justification {
        d = d.with_data("justification", j.as_str());
    }
    let mut docs_named: Vec<String> = found.iter().map(|m| m.document.name()).collect();
    docs_named.sort();
    docs_named.dedup();
    if docs_named.len() > 1 {
        d = d.with_note(format!("statements from: {}", docs_named.join(", ")));
    }
    Some(d)
}

/// The diagnostic for one advisory finding.
#[allow(clippy::too_many_arguments)]
fn finding(
    ctx: &CheckCtx<'_>,
    r: &Record,
    kind: Kind,
    severity: Severity,
    p: &crate::workspace::Pkg,
    multiple_versions: bool,
    ignores: &[&Ignore],
    platform_unknown: bool,
    ws_pkg: Option<usize>,
) -> Diagnostic {
    let mut d = advisory::finding(r, kind, severity, p.to_ref(), &p.version);
    if let Some((span, file)) = super::sources::lock_span(ctx, &p.name, &p.version.to_string()) {
        d = d.with_label(file, span, "locked here");
    }
    if platform_unknown {
        d = d.with_note(format!(
            "affects only os {:?} / arch {:?}; the targets' platform could not be determined (`rustc --print cfg` failed), so it is reported",
            r.os, r.arch
        ));
    }
    for ig in ignores {
        d = d.with_note(triage_note(ig, ctx.today));
    }
    let fix = advisory::fix_for(
        &p.name,
        &p.version,
        &r.patched_reqs(),
        multiple_versions,
        kind,
    );
    let after = match (&fix.precise, ws_pkg) {
        (Some(v), Some(i)) => requirement_notes(ctx, i, v),
        _ => Vec::new(),
    };
    advisory::finish_finding(d, r, kind, fix, after, &p.version)
}

/// Why an ignore entry that matches a finding did not silence it.
pub fn triage_note(ig: &Ignore, today: time::Date) -> String {
    match (ig.is_active(today), ig.status) {
        (false, _) => format!(
            "the ignore for this advisory expired on {} (reason was: {})",
            ig.until.map(|u| u.to_string()).unwrap_or_default(),
            ig.reason
        ),
        (true, Some(s)) => format!(
            "triaged as `{s}` in the policy: {} (only `not_affected` and `fixed` settle a finding)",
            ig.reason
        ),
        (true, None) => format!("ignored in the policy: {}", ig.reason),
    }
}

/// Notes for dependents whose version requirement excludes the fix version (then `cargo
/// update --precise` fails until the requirement is relaxed). Needs cargo metadata.
fn requirement_notes(ctx: &CheckCtx<'_>, pkg: usize, fix: &semver::Version) -> Vec<String> {
    let g = &ctx.ws.graph;
    let p = &g.pkgs[pkg];
    let mut notes = Vec::new();
    for (i, edges) in g.edges.iter().enumerate() {
        if !edges.iter().any(|e| e.to == pkg) {
            continue;
        }
        let Some(meta) = ctx.ws.meta_pkg(&g.pkgs[i]) else {
            continue;
        };
        for dep in meta
            .dependencies
            .iter()
            .filter(|d| d.name == p.name && d.req.matches(&p.version) && !d.req.matches(fix))
        {
            notes.push(format!(
                "help: {} requires `{} = \"{}\"`, which does not allow {fix}: relax that requirement first",
                g.pkgs[i].name, p.name, dep.req
            ));
        }
    }
    notes.sort();
    notes.dedup();
    notes
}

/// The yanked check: registry packages in scope, looked up in cargo's local index cache.
#[allow(clippy::too_many_arguments)]
fn yanked(
    ctx: &CheckCtx<'_>,
    cfg: &Config,
    lg: &Graph,
    lockfile_scope: bool,
    built_parents: Option<&BTreeMap<usize, Option<usize>>>,
    built_of: &dyn Fn(usize) -> Option<usize>,
    used: &mut [bool],
    sink: &mut Diagnostics,
) {
    let Some(severity) = cfg.yanked.severity().filter(|_| !cfg.disable_yank_checking) else {
        return;
    };
    let in_scope: Vec<usize> = (0..lg.pkgs.len())
        .filter(|&i| {
            matches!(
                lg.pkgs[i].kind,
                SourceKind::CratesIo | SourceKind::Registry(_)
            )
        })
        .filter(|&i| lockfile_scope || built_of(i).is_some())
        .collect();
    let mut index = cache::RegistryIndex::open(
        crate::fsutil::cargo_home().as_deref(),
        cache::dir().map(|d| d.join("yanked.json")),
    );
    let query: Vec<_> = in_scope
        .iter()
        .map(|&i| {
            (
                lg.pkgs[i].name.as_str(),
                &lg.pkgs[i].version,
                &lg.pkgs[i].kind,
            )
        })
        .collect();
    let states = index.yanked_many(&query);
    index.save();
    let lock_parents = lg.reachable(
        &lg.roots,
        Follow {
            build: true,
            dev: true,
            proc_macros: true,
        },
    );
    let mut unknown: Vec<&crate::workspace::Pkg> = Vec::new();
    for (&li, state) in in_scope.iter().zip(states) {
        let p = &lg.pkgs[li];
        let ignored: Vec<usize> = cfg
            .ignore
            .iter()
            .enumerate()
            .filter(|(_, ig)| matches!(&ig.target, IgnoreTarget::Crate { name, version } if *name == p.name && version.as_ref().is_none_or(|v| *v == p.version)))
            .map(|(i, _)| i)
            .collect();
        match state {
            cache::Yanked::No => continue,
            cache::Yanked::Unknown if ignored.is_empty() => unknown.push(p),
            cache::Yanked::Unknown => {}
            cache::Yanked::Yes => {
                for &i in &ignored {
                    used[i] = true;
                }
                // Crate ignores carry no `until` check here: they are validated like id
                // ignores, and an expired one no longer silences.
                let active = ignored.iter().any(|&i| cfg.ignore[i].is_active(ctx.today));
                if active {
                    continue;
                }
                let path = match (built_of(li), built_parents) {
                    (Some(i), Some(bp)) => ctx.ws.graph.inclusion_path(bp, i),
                    _ => lg.inclusion_path(&lock_parents, li),
                };
                let mut d = Diagnostic::new(Code::AdvisoryYanked, severity, format!("{} v{} is yanked from its registry", p.name, p.version))
                    .with_package(p.to_ref())
                    .with_inclusion_path(path)
                    .with_note(format!("help: `cargo update -p {}` moves to a version that is not yanked, if one is compatible", p.name))
                    .with_note(format!("help: to accept it, add `{{ crate = \"{}@{}\", reason = \"...\" }}` to `[advisories] ignore`", p.name, p.version))
                    .with_data("kind", "yanked");
                if let Some((span, file)) =
                    super::sources::lock_span(ctx, &p.name, &p.version.to_string())
                {
                    d = d.with_label(file, span, "locked here");
                }
                sink.push(d);
            }
        }
    }
    if !unknown.is_empty() {
        let n = unknown.len();
        let names: Vec<String> = unknown
            .iter()
            .take(10)
            .map(|p| format!("{} v{}", p.name, p.version))
            .collect();
        let more = if n > 10 {
            format!(" and {} more", n - 10)
        } else {
            String::new()
        };
        let mut d = Diagnostic::new(
            Code::AdvisoryYankedUnknown,
            Severity::Note,
            format!("yanked state unknown for {n} package{}: the local registry index cache has no entry", if n == 1 { "" } else { "s" }),
        )
        .with_note(format!("unknown: {}{more}", names.join(", ")))
        .with_note("help: any cargo command that updates the registry index (`cargo update`, `cargo fetch`) fills the cache")
        .with_data("packages", unknown.iter().map(|p| p.purl.clone()).collect::<Vec<_>>());
        if n == 1 {
            d = d.with_package(unknown[0].to_ref());
        }
        sink.push(d);
    }
}

/// Expired and unused ignore entries, labelled in the policy.
fn ignore_diagnostics(
    ctx: &CheckCtx<'_>,
    cfg: &Config,
    active: &[bool],
    used: &[bool],
    policy: Option<&Utf8PathBuf>,
    sink: &mut Diagnostics,
) {
    for (i, ig) in cfg.ignore.iter().enumerate() {
        let target = ig.target_name();
        let d = if !active[i] {
            let until = ig.until.map(|u| u.to_string()).unwrap_or_default();
            let tail = if used[i] {
                "the advisory is reported again"
            } else {
                "it also matches nothing any more: remove it"
            };
            Diagnostic::warning(
                Code::AdvisoryIgnoreExpired,
                format!("the ignore of {target} expired on {until}: {tail}"),
            )
            .with_note(format!("reason given: {}", ig.reason))
            .with_note(format!(
                "help: fix the finding, or extend `until` (today is {})",
                ctx.today
            ))
            .with_data("until", until)
        } else if !used[i] {
            let Some(sev) = cfg.unused_ignored_advisory.severity() else {
                continue;
            };
            Diagnostic::new(
                Code::AdvisoryIgnoreUnused,
                sev,
                format!("the ignore of {target} matched nothing in Cargo.lock"),
            )
            .with_note(
                "help: remove the entry: an unused ignore would silently hide a future finding",
            )
        } else {
            continue;
        };
        let d = d.with_data("ignore", target);
        let d = match policy {
            Some(p) => d.with_label(
                p.clone(),
                ig.span.clone(),
                if active[i] {
                    "this ignore"
                } else {
                    "expired ignore"
                },
            ),
            None => d,
        };
        sink.push(d);
    }
}

/// `target_os` and `target_arch` of a target (`host-tuple`: the host) for advisories limited to
/// some platforms: the run's `rustc --print cfg` answers ([`CheckCtx::cfg_answers`]), the same
/// the loader and the bans check use, so no rustc runs again.
fn target_os_arch(ctx: &CheckCtx<'_>, target: &str) -> Option<(String, String)> {
    use cargo_metadata::cargo_platform::Cfg;
    let t = (target != "host-tuple").then_some(target);
    let p =
        crate::workspace::features::PlatformCfg::query(ctx.cfg_answers, &ctx.ws.root, t, false)?;
    let get = |key: &str| {
        p.cfgs.iter().find_map(|c| match c {
            Cfg::KeyPair(k, v) if k.as_str() == key => Some(v.clone()),
            _ => None,
        })
    };
    Some((get("target_os")?, get("target_arch")?))
}
