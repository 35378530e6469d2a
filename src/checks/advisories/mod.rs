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
//! [`db`] finds, fetches and loads the database; [`cache`] keeps the parsed index and reads
//! cargo's registry index cache for the yanked state.

pub mod cache;
pub mod db;

use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::error::Result;
use crate::policy::{Level, Validator};
use crate::workspace::{Follow, Graph, SourceKind};
use camino::Utf8PathBuf;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use toml::Spanned;

use super::CheckCtx;
use db::Record;

/// `[advisories]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    db_path: Option<Spanned<String>>,
    db_urls: Option<Vec<Spanned<String>>>,
    maximum_db_staleness: Option<Spanned<i64>>,
    fetch_interval_hours: Option<Spanned<i64>>,
    unmaintained: Option<Level>,
    unsound: Option<Level>,
    notice: Option<Level>,
    yanked: Option<Level>,
    include_dev: Option<bool>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

/// One `ignore` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawIgnore {
    id: Option<Spanned<String>>,
    #[serde(rename = "crate")]
    krate: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    until: Option<Spanned<String>>,
}

/// What an ignore entry matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreTarget {
    /// An advisory id (or one of its aliases).
    Id(String),
    /// A crate (`name` or `name@version`), for yanked crates.
    Crate {
        /// Crate name.
        name: String,
        /// Exact version, when given.
        version: Option<semver::Version>,
    },
}

/// One validated ignore entry.
#[derive(Debug, Clone)]
pub struct Ignore {
    /// What it matches.
    pub target: IgnoreTarget,
    /// Why (required).
    pub reason: String,
    /// Last day the ignore holds.
    pub until: Option<time::Date>,
    /// Byte span of the entry in the policy file.
    pub span: std::ops::Range<usize>,
}

/// `[advisories]`, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database directory.
    pub db_path: Option<Utf8PathBuf>,
    /// Git URLs to fetch from.
    pub db_urls: Vec<String>,
    /// Maximum database age in days.
    pub maximum_db_staleness_days: u32,
    /// Fetch interval in hours.
    pub fetch_interval_hours: u32,
    /// Level for unmaintained advisories.
    pub unmaintained: Level,
    /// Level for unsound advisories.
    pub unsound: Level,
    /// Level for notices.
    pub notice: Level,
    /// Level for yanked crates.
    pub yanked: Level,
    /// Also check the roots' dev-dependencies in the default (build) scope.
    pub include_dev: bool,
    /// Ignore entries.
    pub ignore: Vec<Ignore>,
}

/// The RustSec database's default URL.
pub const DEFAULT_DB_URL: &str = "https://github.com/rustsec/advisory-db";

impl Config {
    /// Validates the raw section.
    pub fn validate(raw: RawConfig, v: &mut Validator<'_>) -> Config {
        let positive =
            |v: &mut Validator<'_>, s: Option<Spanned<i64>>, default: u32, key: &str| match s {
                Some(n) if *n.get_ref() <= 0 || *n.get_ref() > i64::from(u32::MAX) => {
                    v.error(n.span(), format!("`{key}` must be a positive number"));
                    default
                }
                Some(n) => *n.get_ref() as u32,
                None => default,
            };
        let maximum_db_staleness_days =
            positive(v, raw.maximum_db_staleness, 90, "maximum-db-staleness");
        let fetch_interval_hours =
            positive(v, raw.fetch_interval_hours, 24, "fetch-interval-hours");
        let db_path = raw.db_path.map(|p| expand_home(p.get_ref(), v));
        let db_urls = match raw.db_urls {
            Some(urls) => urls
                .into_iter()
                .filter_map(|u| {
                    if u.get_ref().starts_with("https://")
                        || u.get_ref().starts_with("file://")
                        || u.get_ref().starts_with('/')
                    {
                        Some(u.into_inner())
                    } else {
                        v.error(
                            u.span(),
                            "`db-urls` entries must be https:// (or file://) git URLs",
                        );
                        None
                    }
                })
                .collect(),
            None => vec![DEFAULT_DB_URL.to_string()],
        };
        let mut ignore = Vec::new();
        for entry in raw.ignore {
            let span = entry.span();
            let e = entry.into_inner();
            let target = match (e.id, e.krate) {
                (Some(id), None) => {
                    if id.get_ref().trim().is_empty() {
                        v.error(id.span(), "`id` must not be empty");
                        continue;
                    }
                    IgnoreTarget::Id(id.into_inner())
                }
                (None, Some(c)) => {
                    let (name, version) = match c.get_ref().split_once('@') {
                        Some((n, ver)) => match semver::Version::parse(ver) {
                            Ok(ver) => (n.to_string(), Some(ver)),
                            Err(err) => {
                                v.error(c.span(), format!("invalid version in `crate`: {err}"));
                                continue;
                            }
                        },
                        None => (c.get_ref().clone(), None),
                    };
                    IgnoreTarget::Crate { name, version }
                }
                (Some(id), Some(_)) => {
                    v.error(
                        id.span(),
                        "an ignore entry takes either `id` or `crate`, not both",
                    );
                    continue;
                }
                (None, None) => {
                    v.error(span.clone(), "an ignore entry needs `id = \"RUSTSEC-...\"` or `crate = \"name@version\"`");
                    continue;
                }
            };
            let reason = match e.reason {
                Some(r) if !r.get_ref().trim().is_empty() => r.into_inner(),
                Some(r) => {
                    v.error(
                        r.span(),
                        "`reason` must not be empty: say why the advisory does not apply",
                    );
                    continue;
                }
                None => {
                    v.error(
                        span.clone(),
                        "an ignore entry needs a `reason`: say why the advisory does not apply",
                    );
                    continue;
                }
            };
            let until = match e.until {
                Some(u) => match crate::policy::parse_date(u.get_ref()) {
                    Some(d) => Some(d),
                    None => {
                        v.error(
                            u.span(),
                            format!("`until` must be a date YYYY-MM-DD, found `{}`", u.get_ref()),
                        );
                        continue;
                    }
                },
                None => None,
            };
            ignore.push(Ignore {
                target,
                reason,
                until,
                span,
            });
        }
        Config {
            db_path,
            db_urls,
            maximum_db_staleness_days,
            fetch_interval_hours,
            unmaintained: raw.unmaintained.unwrap_or(Level::Warn),
            unsound: raw.unsound.unwrap_or(Level::Warn),
            notice: raw.notice.unwrap_or(Level::Warn),
            yanked: raw.yanked.unwrap_or(Level::Warn),
            include_dev: raw.include_dev.unwrap_or(false),
            ignore,
        }
    }
}

fn expand_home(p: &str, v: &Validator<'_>) -> Utf8PathBuf {
    if let Some(rest) = p.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME").and_then(|h| h.into_string().ok())
    {
        return Utf8PathBuf::from(home).join(rest);
    }
    let path = Utf8PathBuf::from(p);
    if path.is_absolute() {
        path
    } else {
        v.dir().join(path)
    }
}

/// Command-line options of the advisory check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--advisory-db`.
    pub db_path: Option<Utf8PathBuf>,
    /// `--scope`.
    pub scope: crate::cli::Scope,
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

/// What kind of advisory a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A vulnerability (no `informational` key).
    Vulnerability,
    /// `informational = "unmaintained"`.
    Unmaintained,
    /// `informational = "unsound"`.
    Unsound,
    /// `informational = "notice"`.
    Notice,
}

impl Kind {
    /// `None` for informational kinds other than the three known ones: cargo-audit does not
    /// report them either (they have no warning kind).
    fn of(r: &Record) -> Option<Kind> {
        match r.informational.as_deref() {
            None => Some(Kind::Vulnerability),
            Some("unmaintained") => Some(Kind::Unmaintained),
            Some("unsound") => Some(Kind::Unsound),
            Some("notice") => Some(Kind::Notice),
            Some(_) => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Unmaintained => "unmaintained",
            Kind::Unsound => "unsound",
            Kind::Notice => "notice",
        }
    }

    fn code(self) -> Code {
        match self {
            Kind::Vulnerability => Code::AdvisoryVulnerability,
            Kind::Unmaintained => Code::AdvisoryUnmaintained,
            Kind::Unsound => Code::AdvisoryUnsound,
            Kind::Notice => Code::AdvisoryNotice,
        }
    }

    /// Vulnerabilities are always errors; the rest follow the policy.
    fn severity(self, cfg: &Config) -> Option<Severity> {
        match self {
            Kind::Vulnerability => Some(Severity::Error),
            Kind::Unmaintained => cfg.unmaintained.severity(),
            Kind::Unsound => cfg.unsound.severity(),
            Kind::Notice => cfg.notice.severity(),
        }
    }
}

/// One advisory matching one lockfile package.
#[derive(Debug)]
struct Hit {
    /// Index into the database's advisories.
    adv: usize,
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
        if r.os.is_empty() && r.arch.is_empty() {
            return Some(true);
        }
        let cfgs = target_cfgs
            .get_or_insert_with(|| ctx.ws.targets.iter().map(|t| db::target_cfg(t)).collect());
        let mut unknown = cfgs.is_empty();
        for c in cfgs.iter() {
            match c {
                Some((os, arch)) => {
                    if (r.os.is_empty() || r.os.contains(os))
                        && (r.arch.is_empty() || r.arch.contains(arch))
                    {
                        return Some(true);
                    }
                }
                None => unknown = true,
            }
        }
        if unknown { None } else { Some(false) }
    };

    // Match every crates.io package of the lockfile (what cargo audit queries), so that
    // ignores used only by packages outside the build scope do not count as unused.
    let mut hits: Vec<Hit> = Vec::new();
    for (li, p) in lg.pkgs.iter().enumerate() {
        if p.kind != SourceKind::CratesIo {
            continue;
        }
        for &ai in database.for_crate(&p.name) {
            let r = &database.advisories[ai];
            if r.withdrawn.is_some() || r.source.is_some() || Kind::of(r).is_none() {
                continue;
            }
            if !r.versions()?.is_vulnerable(&p.version) {
                continue;
            }
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
                .filter(|(_, ig)| matches!(&ig.target, IgnoreTarget::Id(id) if *id == r.id || r.aliases.contains(id)))
                .map(|(i, _)| i)
                .collect();
            hits.push(Hit {
                adv: ai,
                lock: li,
                in_scope,
                platform_unknown,
                ignores,
            });
        }
    }

    let active: Vec<bool> = cfg
        .ignore
        .iter()
        .map(|ig| ig.until.is_none_or(|u| ctx.today <= u))
        .collect();
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
        let kind = Kind::of(r).unwrap_or(Kind::Notice);
        for &i in &h.ignores {
            used[i] = true;
        }
        if h.ignores.iter().any(|&i| active[i]) {
            continue;
        }
        let Some(severity) = kind.severity(cfg) else {
            continue;
        };
        let p = &lg.pkgs[h.lock];
        if !h.in_scope {
            left_out.push(format!("{} ({} v{})", r.id, p.name, p.version));
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
        let expired: Vec<&Ignore> = h.ignores.iter().map(|&i| &cfg.ignore[i]).collect();
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
    let aliases = if r.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", r.aliases.join(", "))
    };
    let what = match kind {
        Kind::Vulnerability => "is affected by",
        Kind::Unmaintained => "is unmaintained:",
        Kind::Unsound => "is unsound:",
        Kind::Notice => "has a notice:",
    };
    let message = format!(
        "{} v{} {what} {}{aliases}: {}",
        p.name, p.version, r.id, r.title
    );
    let mut d = Diagnostic::new(kind.code(), severity, message).with_package(p.to_ref());
    if let Some((span, file)) = super::sources::lock_span(ctx, &p.name, &p.version.to_string()) {
        d = d.with_label(file, span, "locked here");
    }
    if let Some(c) = &r.cvss {
        d = d.with_note(format!(
            "severity: {} (CVSS {:.1}, {})",
            c.severity, c.score, c.vector
        ));
    }
    d = d.with_note(if r.patched.is_empty() {
        "patched: no patched version".to_string()
    } else {
        format!("patched: {}", r.patched.join(" or "))
    });
    let functions: Vec<&str> = r
        .functions
        .iter()
        .filter(|f| {
            f.versions
                .iter()
                .any(|v| semver::VersionReq::parse(v).is_ok_and(|req| req.matches(&p.version)))
        })
        .map(|f| f.path.as_str())
        .collect();
    if !functions.is_empty() {
        d = d.with_note(format!(
            "affected functions: {} (whether they are called cannot be told from the dependency graph)",
            functions.join(", ")
        ));
    }
    if platform_unknown {
        d = d.with_note(format!(
            "affects only os {:?} / arch {:?}; the targets' platform could not be determined (`rustc --print cfg` failed), so it is reported",
            r.os, r.arch
        ));
    }
    for ig in ignores {
        if let Some(u) = ig.until {
            d = d.with_note(format!(
                "the ignore for this advisory expired on {u} (reason was: {})",
                ig.reason
            ));
        }
    }
    let fix = fix_for(
        &p.name,
        &p.version,
        &r.patched_reqs(),
        multiple_versions,
        kind,
    );
    d = d.with_note(format!("help: {}", fix.text));
    if let (Some(v), Some(i)) = (&fix.precise, ws_pkg) {
        for n in requirement_notes(ctx, i, v) {
            d = d.with_note(n);
        }
    }
    if let Some(u) = &r.url {
        d = d.with_note(format!("details: {u}"));
    }
    let cvss = r.cvss.as_ref().map(
        |c| serde_json::json!({ "vector": c.vector, "score": c.score, "severity": c.severity }),
    );
    d = d
        .with_data("advisory-id", r.id.clone())
        .with_data("kind", kind.name())
        .with_data("title", r.title.clone())
        .with_data("aliases", r.aliases.clone())
        .with_data("date", r.date.clone())
        .with_data("cvss", cvss.unwrap_or(serde_json::Value::Null))
        .with_data("patched", r.patched.clone())
        .with_data("fix", fix.command.unwrap_or(fix.text))
        .with_data(
            "url",
            r.url
                .clone()
                .map_or(serde_json::Value::Null, serde_json::Value::from),
        );
    if !functions.is_empty() {
        d = d.with_data(
            "functions",
            functions.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        );
    }
    d
}

/// The suggested fix for a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What to do, one line.
    pub text: String,
    /// The `cargo update` command, when a semver-compatible patched version exists.
    pub command: Option<String>,
    /// The version that command selects.
    pub precise: Option<semver::Version>,
}

/// The smallest version a patched requirement allows (`>= 1.2.5, < 2` → 1.2.5), `None`
/// when it has no lower bound.
pub fn lowest_allowed(req: &semver::VersionReq) -> Option<semver::Version> {
    use semver::{Op, Version};
    let mut low: Option<Version> = None;
    for c in &req.comparators {
        let v = match c.op {
            Op::Exact | Op::GreaterEq | Op::Tilde | Op::Caret | Op::Wildcard => {
                let mut v = Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
                v.pre = c.pre.clone();
                v
            }
            Op::Greater => match (c.minor, c.patch) {
                (Some(mi), Some(pa)) => Version::new(c.major, mi, pa + 1),
                (Some(mi), None) => Version::new(c.major, mi + 1, 0),
                (None, _) => Version::new(c.major + 1, 0, 0),
            },
            _ => continue,
        };
        if low.as_ref().is_none_or(|l| v > *l) {
            low = Some(v);
        }
    }
    low.filter(|v| req.matches(v))
}

/// Whether `b` is in the caret range of `a` (what `cargo update` can move to without
/// touching a `Cargo.toml` requirement written as `a`).
pub fn caret_compatible(a: &semver::Version, b: &semver::Version) -> bool {
    if a.major != 0 {
        a.major == b.major
    } else if a.minor != 0 {
        b.major == 0 && a.minor == b.minor
    } else {
        b.major == 0 && b.minor == 0 && a.patch == b.patch
    }
}

/// The fix: `cargo update -p NAME --precise V` with the smallest patched version in the
/// current version's caret range, else the upgrade needed.
pub fn fix_for(
    name: &str,
    current: &semver::Version,
    patched: &[semver::VersionReq],
    multiple_versions: bool,
    kind: Kind,
) -> Fix {
    let mut candidates: Vec<semver::Version> = patched
        .iter()
        .filter_map(lowest_allowed)
        .filter(|v| v > current)
        .collect();
    candidates.sort();
    if let Some(v) = candidates.iter().find(|v| caret_compatible(current, v)) {
        // `-p name` is ambiguous when Cargo.lock has several versions of the crate.
        let spec = if multiple_versions {
            format!("{name}@{current}")
        } else {
            name.to_string()
        };
        let command = format!("cargo update -p {spec} --precise {v}");
        return Fix {
            text: format!("run `{command}`"),
            command: Some(command),
            precise: Some(v.clone()),
        };
    }
    if let Some(v) = candidates.first() {
        return Fix {
            text: format!(
                "upgrade {name} to >= {v}: not semver-compatible with {current}, so the version requirement that selects {current} must change"
            ),
            command: None,
            precise: None,
        };
    }
    let text = match kind {
        Kind::Vulnerability | Kind::Unsound => format!(
            "no patched version of {name} is available: remove the dependency or replace it"
        ),
        Kind::Unmaintained => format!("{name} will not be fixed: move to a maintained alternative"),
        Kind::Notice => "read the advisory".to_string(),
    };
    Fix {
        text,
        command: None,
        precise: None,
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
    let Some(severity) = cfg.yanked.severity() else {
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
        db::cargo_home().as_deref(),
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
                let active = ignored
                    .iter()
                    .any(|&i| cfg.ignore[i].until.is_none_or(|u| ctx.today <= u));
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
        let target = match &ig.target {
            IgnoreTarget::Id(id) => id.clone(),
            IgnoreTarget::Crate {
                name,
                version: Some(v),
            } => format!("{name}@{v}"),
            IgnoreTarget::Crate {
                name,
                version: None,
            } => name.clone(),
        };
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
            Diagnostic::warning(
                Code::AdvisoryIgnoreUnused,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap()
    }

    fn reqs(r: &[&str]) -> Vec<semver::VersionReq> {
        r.iter()
            .map(|s| semver::VersionReq::parse(s).unwrap())
            .collect()
    }

    #[test]
    fn lowest_allowed_versions() {
        assert_eq!(
            lowest_allowed(&reqs(&[">= 2.0.3, < 3.0.0"])[0]),
            Some(v("2.0.3"))
        );
        assert_eq!(lowest_allowed(&reqs(&["> 1.2"])[0]), Some(v("1.3.0")));
        assert_eq!(lowest_allowed(&reqs(&["^0.4"])[0]), Some(v("0.4.0")));
        assert_eq!(lowest_allowed(&reqs(&["< 1.0"])[0]), None);
    }

    #[test]
    fn fixes_prefer_a_compatible_update() {
        let patched = reqs(&[">= 2.0.3, < 3.0.0", ">= 3.1.1"]);
        let f = fix_for(
            "multirange",
            &v("2.0.0"),
            &patched,
            true,
            Kind::Vulnerability,
        );
        assert_eq!(
            f.command.as_deref(),
            Some("cargo update -p multirange@2.0.0 --precise 2.0.3")
        );
        let f = fix_for(
            "multirange",
            &v("3.1.0"),
            &patched,
            false,
            Kind::Vulnerability,
        );
        assert_eq!(
            f.command.as_deref(),
            Some("cargo update -p multirange --precise 3.1.1")
        );
        let f = fix_for("x", &v("0.3.0"), &reqs(&[">= 0.4.0"]), false, Kind::Unsound);
        assert_eq!(f.command, None);
        assert!(f.text.contains("upgrade x to >= 0.4.0"), "{}", f.text);
        let f = fix_for("x", &v("1.0.0"), &[], false, Kind::Vulnerability);
        assert!(f.text.contains("no patched version"), "{}", f.text);
    }

    #[test]
    fn caret_ranges() {
        assert!(caret_compatible(&v("1.2.0"), &v("1.9.0")));
        assert!(!caret_compatible(&v("1.2.0"), &v("2.0.0")));
        assert!(caret_compatible(&v("0.3.1"), &v("0.3.9")));
        assert!(!caret_compatible(&v("0.3.1"), &v("0.4.0")));
        assert!(!caret_compatible(&v("0.0.3"), &v("0.0.4")));
    }
}
