//! `cargo cra scan`: the archive of shipped releases against today's advisories.
//!
//! Inputs are SBOM files (CycloneDX, SPDX), binaries built with `cargo auditable`, and
//! folders of them, walked recursively ([`crate::inventory`] reads them all into one
//! inventory type). Every `pkg:cargo` component from crates.io is matched against the RustSec
//! database with the matcher `check` uses ([`crate::advisory`]), with the same `[advisories]`
//! policy: levels, ignores with expiry, the triage entries (`status`, `products`), the database
//! lookup order and staleness, failing closed.
//!
//! Findings are [`Diagnostic`]s with the codes `check` uses (`advisory-vulnerability`, ...),
//! labelled at the component's line in the SBOM, plus the scan's own codes:
//! `scan-signature-invalid` (with `--key`/`--allowed-signers`: an SBOM whose signature is
//! missing or does not verify; its contents are not trusted and not scanned),
//! `scan-input-unreadable` (a binary with neither audit data nor an SBOM beside it),
//! `scan-components-unchecked` (components RustSec does not cover, listed) and
//! `advisory-settled` (a finding settled by a `not_affected`/`fixed` triage entry or a plain
//! ignore: kept as a note, so the report is the record of the archive).
//!
//! Inputs are read on every core; each worker holds one input at a time, and only a
//! line-preserving excerpt of the files with findings is kept, so memory is bounded by the
//! largest file, not the archive.

pub mod export;
pub mod report;

use crate::advisory::config::Ignore;
use crate::advisory::db::{self, Database, Record};
use crate::advisory::{self, Kind};
use crate::cli::{FindingsFormat as Format, ScanArgs};
use crate::diag::{Code, Diagnostic, PackageRef, Severity, SourceMap};
use crate::error::{Error, ExitCode, Result};
use crate::inventory::{self, Entry, Inventory, Listed};
use crate::output::Printer;
use crate::policy::Policy;
use crate::sign::verify::Trust;
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The product release an input describes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Product {
    /// Package name.
    pub name: String,
    /// Version, as the input records it (`None`: it records none).
    pub version: Option<String>,
    /// Its package URL, when the input gives one.
    pub purl: Option<String>,
}

/// What happened to one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputState {
    /// Scanned; no error finding.
    Clean,
    /// Scanned; at least one error finding (an affected release).
    Affected,
    /// Its signature did not verify: not scanned.
    Untrusted,
    /// It could not be read as an SBOM or audit data: not scanned.
    Unreadable,
}

/// One scanned input.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file.
    pub path: Utf8PathBuf,
    /// Its format (`cyclonedx-1.6`, `spdx-2.3`, `spdx-3.0`, `auditable`).
    pub format: String,
    /// SHA-256 of the file.
    pub sha256: Option<String>,
    /// The product release (`None`: the input names none).
    pub product: Option<Product>,
    /// Number of `pkg:cargo` components.
    pub components: usize,
    /// Components that were not matched (not `pkg:cargo`, not from crates.io): `purl or name`
    /// and why.
    pub unchecked: Vec<(String, String)>,
    /// Signature check, with `--key`/`--allowed-signers`: `(ok, detail)`.
    pub signature: Option<(bool, String)>,
    /// Findings (advisories, signature, unreadable), sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Outcome.
    pub state: InputState,
}

/// Everything a scan produced.
#[derive(Debug)]
pub struct ScanRun {
    /// The inputs, in walk order.
    pub inputs: Vec<Input>,
    /// Files skipped while walking folders, with the reason.
    pub skipped: Vec<(Utf8PathBuf, String)>,
    /// Line-preserving excerpts of the files diagnostics point into.
    pub sources: SourceMap,
    /// The database used.
    pub database: DatabaseFacts,
    /// The policy (`None`: defaults).
    pub policy: Option<Utf8PathBuf>,
}

/// The database facts the report carries.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct DatabaseFacts {
    /// Directory.
    pub db_path: Utf8PathBuf,
    /// HEAD commit.
    pub db_commit: Option<String>,
    /// Date (`YYYY-MM-DD`).
    pub db_date: Option<String>,
    /// Advisories loaded.
    pub advisory_count: usize,
}

impl ScanRun {
    /// 1 when any input has an error diagnostic, else 0.
    pub fn exit_code(&self) -> u8 {
        if self
            .inputs
            .iter()
            .flat_map(|i| &i.diagnostics)
            .any(|d| d.severity == Severity::Error)
        {
            ExitCode::VIOLATION
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// A scanned input and the excerpt of its file that its labels point into.
type Scanned = (Input, Option<(Utf8PathBuf, String)>);

/// What the scan needs besides the inputs.
pub struct Options<'a> {
    /// The validated policy (`[advisories]`).
    pub policy: &'a Policy,
    /// The loaded database.
    pub database: &'a Database,
    /// "Today" (ignore expiry).
    pub today: time::Date,
    /// Whom to trust, with `--key`/`--allowed-signers`.
    pub trust: Option<&'a Trust>,
    /// SSHSIG namespace.
    pub namespace: &'a str,
    /// Worker threads.
    pub jobs: usize,
    /// `--vex` documents: their `not_affected`/`fixed` statements settle findings.
    pub vex: &'a [crate::vex::VexDocument],
}

/// Runs `cargo cra scan`.
pub fn run(args: &ScanArgs, printer: &Printer) -> Result<u8> {
    if args.output.is_some() && args.format == Format::Human {
        return Err(Error::other(
            "--output writes a report: add --format json, sarif or github",
        ));
    }
    if args.identity.is_some() && args.allowed_signers.is_none() {
        return Err(Error::other("--identity goes with --allowed-signers FILE"));
    }
    let trust = match (&args.key, &args.allowed_signers) {
        (None, None) => None,
        (key, allowed) => Some(Trust::from_parts(
            key.as_deref(),
            allowed.as_deref(),
            args.identity.as_deref(),
        )?),
    };
    let policy = load_policy(args)?;
    let today = crate::today()?;
    let cfg = &policy.advisories;
    let (db_path, is_default) = db::locate(args.advisory_db.as_deref(), cfg)?;
    if is_default {
        db::sync_default(&db_path, cfg, args.offline, printer)?;
    }
    let database = db::load(&db_path, crate::advisory::cache::dir().as_deref(), printer)?;
    database.check_fresh(today, cfg.maximum_db_staleness_days)?;

    let entries = inventory::list(&args.paths)?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let vex_docs = crate::vex::read_all(&args.vex)?;
    let opts = Options {
        policy: &policy,
        database: &database,
        today,
        trust: trust.as_ref(),
        namespace: &args.namespace,
        jobs,
        vex: &vex_docs,
    };
    let started = std::time::Instant::now();
    let run = scan(&entries, &opts, printer)?;
    printer.verbose(format_args!(
        "scanned {} input{} with {jobs} thread{} in {:.1?}",
        run.inputs.len(),
        if run.inputs.len() == 1 { "" } else { "s" },
        if jobs == 1 { "" } else { "s" },
        started.elapsed()
    ));
    let code = run.exit_code();
    match args.format {
        Format::Json => {
            let json = report::to_json(&run, code)?;
            match &args.output {
                Some(path) => crate::fsutil::write_atomic(path, json.as_bytes())?,
                None => print!("{json}"),
            }
        }
        Format::Sarif | Format::Github => {
            let cwd = std::env::current_dir()
                .ok()
                .and_then(|d| Utf8PathBuf::from_path_buf(d).ok())
                .ok_or_else(|| Error::other("the current directory is not valid UTF-8"))?;
            let bytes = export::render(&run, args.format, &cwd)?;
            crate::commands::check::write_report(args.output.as_deref(), &bytes)?;
        }
        Format::Human => report::print_human(&run, code, printer),
    }
    Ok(code)
}

/// `--policy`, else the policy of the workspace the current directory (or
/// `--manifest-path`) is in, else the defaults: a release archive need not be in a workspace.
fn load_policy(args: &ScanArgs) -> Result<Policy> {
    if let Some(p) = &args.policy {
        let root = p.parent().unwrap_or(Utf8Path::new("."));
        return Policy::load(Some(p), root);
    }
    let ws = crate::cli::WorkspaceArgs {
        manifest_path: args.manifest_path.clone(),
        ..Default::default()
    };
    match crate::workspace::find_manifest(&ws) {
        Ok(manifest) => {
            let root = crate::workspace::find_workspace_root(&manifest)?;
            Policy::load(None, &root)
        }
        Err(e) if args.manifest_path.is_some() => Err(e),
        Err(_) => Policy::load(None, Utf8Path::new(".")),
    }
}

/// What a worker made of one listed file.
enum Outcome {
    /// Read and matched (or reported as unreadable or untrusted).
    Scanned(Box<Scanned>),
    /// Not an input, found out from its content.
    Skipped(Utf8PathBuf, String),
}

/// Scans the files [`inventory::list`] found on `opts.jobs` threads. The workers take the
/// next file from a shared counter; each reads its file once, classifies it from those bytes
/// ([`inventory::classify_bytes`]), parses and matches it, and keeps only the result (and an
/// excerpt when it has findings), so memory is bounded by the largest file.
pub fn scan(listed: &[Listed], opts: &Options<'_>, printer: &Printer) -> Result<ScanRun> {
    let work: Vec<&Listed> = listed
        .iter()
        .filter(|l| !matches!(l, Listed::Decided(Entry::Skipped { .. })))
        .collect();
    let progress = progress_bar(work.len(), printer);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Outcome>>>> =
        Mutex::new((0..work.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..opts.jobs.min(work.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&item) = work.get(i) else {
                        break;
                    };
                    let r = scan_listed(item, opts);
                    let failed = r.is_err();
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                    if let Some(p) = &progress {
                        p.inc(1);
                    }
                    if failed {
                        // The run stops at the first input it cannot read (exit 2); let
                        // the other workers finish their current input and stop.
                        next.store(usize::MAX / 2, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    let mut inputs = Vec::with_capacity(work.len());
    let mut skipped = Vec::new();
    let mut sources = SourceMap::default();
    let mut results = results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter();
    // Walk order: the files skipped by name among the rest.
    for l in listed {
        if let Listed::Decided(Entry::Skipped { path, reason }) = l {
            skipped.push((path.clone(), reason.clone()));
            continue;
        }
        let Some(r) = results.next().flatten() else {
            continue;
        };
        match r? {
            Outcome::Skipped(path, reason) => skipped.push((path, reason)),
            Outcome::Scanned(scanned) => {
                let (input, excerpt) = *scanned;
                if let Some((path, text)) = excerpt {
                    sources.insert(path, text);
                }
                inputs.push(input);
            }
        }
    }
    Ok(ScanRun {
        inputs,
        skipped,
        sources,
        database: DatabaseFacts {
            db_path: opts.database.path.clone(),
            db_commit: opts.database.commit.clone(),
            db_date: opts.database.date.map(|d| d.to_string()),
            advisory_count: opts.database.advisories.len(),
        },
        policy: opts.policy.path.clone(),
    })
}

/// Reads one listed file once, classifies it from its bytes and scans it.
fn scan_listed(item: &Listed, opts: &Options<'_>) -> Result<Outcome> {
    let (path, explicit) = match item {
        Listed::Decided(Entry::Skipped { path, reason }) => {
            return Ok(Outcome::Skipped(path.clone(), reason.clone()));
        }
        Listed::Decided(e) => return Ok(Outcome::Scanned(Box::new(scan_entry(e, None, opts)?))),
        Listed::File { path, explicit } => (path, *explicit),
    };
    let (entry, bytes) = match std::fs::read(path) {
        Ok(bytes) => (
            inventory::classify_bytes(path, explicit, &bytes),
            Some(bytes),
        ),
        Err(e) => (
            Entry::Unreadable {
                path: path.clone(),
                reason: format!("failed to read: {e}"),
            },
            None,
        ),
    };
    match entry {
        Entry::Skipped { path, reason } => Ok(Outcome::Skipped(path, reason)),
        e => Ok(Outcome::Scanned(Box::new(scan_entry(&e, bytes, opts)?))),
    }
}

/// A progress bar on stderr when it is a terminal, there are many inputs and not `-q`.
fn progress_bar(n: usize, printer: &Printer) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if n < 20 || printer.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(n as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix:>12.cyan.bold} [{bar:40}] {pos}/{len} {wide_msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix("Scanning");
    Some(bar)
}

/// Scans one input: signature, inventory, matching (`bytes`: the file, when already read).
/// `Err` when it cannot be read.
fn scan_entry(entry: &Entry, bytes: Option<Vec<u8>>, opts: &Options<'_>) -> Result<Scanned> {
    let path = entry.path().to_path_buf();
    if let Entry::Unreadable { reason, .. } = entry {
        let d = Diagnostic::error(
            Code::ScanInputUnreadable,
            format!("{path}: {reason}: this release cannot be scanned"),
        )
        .with_note("help: keep the release's SBOM next to the binary (`cargo cra sbom`), or build it with `cargo auditable build`")
        .with_data("path", path.as_str());
        return Ok((
            Input {
                path,
                format: "unknown".to_string(),
                sha256: None,
                product: None,
                components: 0,
                unchecked: Vec::new(),
                signature: None,
                diagnostics: vec![d],
                state: InputState::Unreadable,
            },
            None,
        ));
    }
    let bytes = match bytes {
        Some(b) => b,
        None => std::fs::read(&path).map_err(|e| Error::read(&path, e))?,
    };
    let signature = match (opts.trust, entry) {
        (Some(trust), Entry::Sbom { .. }) => Some(check_signature(&path, &bytes, trust, opts)?),
        (Some(_), _) => Some((
            false,
            "binaries carry no SBOM signature: scan the signed SBOM instead".to_string(),
        )),
        (None, _) => None,
    };
    if let Some((false, detail)) = &signature {
        let d = Diagnostic::error(
            Code::ScanSignatureInvalid,
            format!("{path}: the SBOM's signature does not verify: {detail}"),
        )
        .with_note("its contents are not trusted and were not scanned")
        .with_note("help: re-sign the SBOM with the release key, or find out who changed it")
        .with_data("path", path.as_str());
        return Ok((
            Input {
                path,
                format: entry_format(entry),
                sha256: Some(crate::fsutil::sha256_hex(&bytes)),
                product: None,
                components: 0,
                unchecked: Vec::new(),
                signature,
                diagnostics: vec![d],
                state: InputState::Untrusted,
            },
            None,
        ));
    }
    let inv = inventory::read_bytes(&path, &bytes)?;
    let (mut input, excerpt) = match_inventory(&inv, &bytes, opts)?;
    input.signature = signature;
    Ok((input, excerpt))
}

fn entry_format(entry: &Entry) -> String {
    match entry {
        Entry::Binary { .. } => "auditable".to_string(),
        _ => "sbom".to_string(),
    }
}

/// The SSHSIG next to an SBOM (`<sbom>.sig`), checked against the trusted keys.
fn check_signature(
    path: &Utf8Path,
    bytes: &[u8],
    trust: &Trust,
    opts: &Options<'_>,
) -> Result<(bool, String)> {
    let sig = crate::sign::signature_path(path);
    if !sig.exists() {
        return Ok((false, format!("no signature: {sig} is missing")));
    }
    // A signature file that does not even parse is a failed signature (exit 1), like one
    // that does not verify: either way the SBOM is not what was signed.
    Ok(
        match crate::sign::verify::check_sbom_signature(path, bytes, trust, opts.namespace) {
            Ok(c) => (c.ok, c.detail),
            Err(e) => (false, e.to_string()),
        },
    )
}

/// Matches one inventory against the database and the policy.
pub fn match_inventory(inv: &Inventory, bytes: &[u8], opts: &Options<'_>) -> Result<Scanned> {
    let cfg = &opts.policy.advisories;
    let product = match &inv.product {
        Some(p) => Some(Product {
            name: p.name.clone(),
            version: Some(p.version.to_string()),
            purl: Some(p.purl.clone()),
        }),
        None => inv.product_name.as_ref().map(|name| Product {
            name: name.clone(),
            version: inv.product_version.clone(),
            purl: None,
        }),
    };
    // Triage entries name products by package name and semver release.
    let (product_name, product_semver) = match (&inv.product, &product) {
        (Some(p), _) => (Some(p.name.as_str()), Some(&p.version)),
        (None, Some(p)) => (Some(p.name.as_str()), None),
        (None, None) => (None, None),
    };
    let mut unchecked: Vec<(String, String)> = inv
        .unchecked
        .iter()
        .map(|u| (u.id(), u.reason.clone()))
        .collect();
    let mut query = Vec::new();
    for (i, c) in inv.components.iter().enumerate() {
        if c.source.is_crates_io() {
            query.push(i);
        } else {
            unchecked.push((
                c.purl.clone(),
                "not from crates.io: RustSec covers crates.io only".to_string(),
            ));
        }
    }
    let found = advisory::matches(
        opts.database,
        query.iter().map(|&i| {
            let c = &inv.components[i];
            (c.name.as_str(), &c.version)
        }),
    )?;
    let targets: Vec<Option<(String, String)>> =
        inv.targets.iter().map(|t| db::target_cfg(t)).collect();
    let text = std::str::from_utf8(bytes).ok();
    let mut located: Vec<(Diagnostic, &str)> = Vec::new();
    let mut seen = BTreeSet::new();
    let names: BTreeMap<&str, usize> = inv.components.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(c.name.as_str()).or_default() += 1;
        m
    });
    for m in found {
        let c = &inv.components[query[m.query]];
        let r = &opts.database.advisories[m.advisory];
        if !seen.insert((m.advisory, c.name.as_str(), &c.version)) {
            continue;
        }
        let platform = advisory::platform_applies(r, &targets);
        if platform == Some(false) {
            continue;
        }
        let Some(severity) = m.kind.severity(cfg) else {
            continue;
        };
        let pkg = PackageRef {
            name: c.name.clone(),
            version: c.version.to_string(),
            purl: c.purl.clone(),
        };
        let matching: Vec<&Ignore> = cfg
            .ignore
            .iter()
            .filter(|ig| ig.matches_advisory(r))
            .filter(|ig| match product_name {
                Some(name) => ig.applies_to(name, product_semver),
                None => ig.products.is_empty(),
            })
            .collect();
        let settled = matching.iter().find(|ig| ig.silences(opts.today));
        let mut d = advisory::finding(r, m.kind, severity, pkg, &c.version);
        let by_vex = match settled {
            Some(_) => None,
            None => vex_settlement(opts.vex, r, inv, c),
        };
        if let Some(ig) = settled {
            d = settled_note(d, r, ig);
        } else if let Some(m) = by_vex {
            d = vex_note(d, r, m);
        } else {
            for ig in &matching {
                d = d.with_note(crate::checks::advisories::triage_note(ig, opts.today));
            }
        }
        if platform.is_none() {
            d = d.with_note(format!(
                "affects only os {:?} / arch {:?}; the input records no target it could be compared with, so it is reported",
                r.os, r.arch
            ));
        }
        if c.source_assumed {
            d = d.with_note(format!(
                "the SBOM identifies {} only by a purl without qualifiers (no checksum, no download location), so it is taken as the crates.io crate: if it is a path crate of the same name, this finding does not apply (SBOMs from `cargo cra sbom` or cargo-cyclonedx mark path crates)",
                c.name
            ));
        }
        let multi = names.get(c.name.as_str()).copied().unwrap_or(0) > 1;
        let fix = advisory::fix_for(&c.name, &c.version, &r.patched_reqs(), multi, m.kind);
        let fix = release_fix(fix, product.as_ref());
        d = advisory::finish_finding(d, r, m.kind, fix, Vec::new(), &c.version);
        if let Some(p) = &product {
            d = d.with_data("product", p.name.clone()).with_data(
                "product-version",
                p.version
                    .clone()
                    .map_or(serde_json::Value::Null, serde_json::Value::from),
            );
        }
        located.push((d, c.purl.as_str()));
    }
    // One pass over the text finds every labelled purl.
    let located: Vec<(Diagnostic, Option<std::ops::Range<usize>>)> = match text {
        Some(t) if !located.is_empty() => {
            let purls: Vec<&str> = located.iter().map(|(_, p)| *p).collect();
            let spans = purl_spans(t, &purls);
            located
                .into_iter()
                .zip(spans)
                .map(|((d, _), s)| (d, s))
                .collect()
        }
        _ => located.into_iter().map(|(d, _)| (d, None)).collect(),
    };
    // Labels at the component's line, in an excerpt that keeps the line numbering.
    let spans: Vec<std::ops::Range<usize>> =
        located.iter().filter_map(|(_, s)| s.clone()).collect();
    let (excerpt, mut mapped) = match text {
        Some(t) if !spans.is_empty() => {
            let (ex, mapped) = excerpt(t, &spans);
            (Some((inv.path.clone(), ex)), mapped.into_iter())
        }
        _ => (None, Vec::new().into_iter()),
    };
    let mut diagnostics: Vec<Diagnostic> = located
        .into_iter()
        .map(
            |(d, span)| match span.and_then(|_| mapped.next().flatten()) {
                Some(s) => d.with_label(inv.path.clone(), s, "listed here"),
                None => d,
            },
        )
        .collect();
    unchecked.sort();
    unchecked.dedup();
    if !unchecked.is_empty() {
        let n = unchecked.len();
        let shown: Vec<String> = unchecked
            .iter()
            .take(10)
            .map(|(id, _)| id.clone())
            .collect();
        let more = if n > 10 {
            format!(" and {} more", n - 10)
        } else {
            String::new()
        };
        diagnostics.push(
            Diagnostic::new(
                Code::ScanComponentsUnchecked,
                Severity::Note,
                format!(
                    "{}: {n} component{} not checked: RustSec covers crates from crates.io only",
                    inv.path,
                    if n == 1 { "" } else { "s" }
                ),
            )
            .with_note(format!("not checked: {}{more}", shown.join(", ")))
            .with_data(
                "unchecked",
                unchecked
                    .iter()
                    .map(|(id, why)| serde_json::json!({ "component": id, "reason": why }))
                    .collect::<Vec<_>>(),
            ),
        );
    }
    diagnostics.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.severity),
            a.code,
            &a.package,
            &a.message,
        )
            .cmp(&(
                std::cmp::Reverse(b.severity),
                b.code,
                &b.package,
                &b.message,
            ))
    });
    let state = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        InputState::Affected
    } else {
        InputState::Clean
    };
    Ok((
        Input {
            path: inv.path.clone(),
            format: inv.format.to_string(),
            sha256: Some(inv.sha256.clone()),
            product,
            components: inv.components.len(),
            unchecked,
            signature: None,
            diagnostics,
            state,
        },
        excerpt,
    ))
}

/// A finding settled by a policy entry becomes an `advisory-settled` note that keeps the
/// advisory's data.
fn settled_note(d: Diagnostic, r: &Record, ig: &Ignore) -> Diagnostic {
    let how = match (ig.status, ig.justification) {
        (Some(s), Some(j)) => format!("triaged as `{s}` ({j})"),
        (Some(s), None) => format!("triaged as `{s}`"),
        (None, _) => "ignored".to_string(),
    };
    let mut out = Diagnostic::new(
        Code::AdvisorySettled,
        Severity::Note,
        format!("{} ({how} in the policy: {})", d.message, ig.reason),
    );
    out.package = d.package;
    out.notes = d.notes;
    out.data = d.data;
    out.with_data("settled-by", "policy")
        .with_data("status", ig.status.map(|s| s.as_str()).unwrap_or("ignored"))
        .with_data(
            "justification",
            ig.justification
                .map_or(serde_json::Value::Null, |j| j.as_str().into()),
        )
        .with_data("reason", ig.reason.clone())
        .with_data("advisory-kind", Kind::of(r).map(|k| k.name()).unwrap_or(""))
}

/// The `--vex` statement that settles a finding on component `c` of the release `inv`
/// describes (`not_affected` or `fixed`), matched by the advisory's ids, the product's purl
/// and the SBOM's BOM-Links.
fn vex_settlement<'d>(
    docs: &'d [crate::vex::VexDocument],
    r: &Record,
    inv: &Inventory,
    c: &inventory::Component,
) -> Option<crate::vex::Match<'d>> {
    if docs.is_empty() {
        return None;
    }
    let ids = advisory::ids(r);
    let bom = match (&inv.format, &inv.serial_number) {
        (inventory::InputFormat::CycloneDx { .. }, Some(s)) if s.starts_with("urn:uuid:") => Some(
            crate::vex::cyclonedx::bom_link(s, inv.bom_version.unwrap_or(1), None),
        ),
        _ => None,
    };
    let link = bom
        .as_deref()
        .zip(c.bom_ref.as_deref())
        .map(|(b, r)| crate::vex::cyclonedx::link_into(b, r));
    let subject = crate::vex::Subject {
        ids: &ids,
        product_purl: inv.product.as_ref().map(|p| p.purl.as_str()),
        product_iri: bom.as_deref(),
        component_purl: &c.purl,
        component_iri: link.as_deref(),
    };
    crate::vex::find(docs, &subject).filter(|m| m.statement.status.settles())
}

/// A finding settled by a VEX statement, as a note naming the document and the reason.
fn vex_note(d: Diagnostic, r: &Record, m: crate::vex::Match<'_>) -> Diagnostic {
    let why = m
        .statement
        .reason()
        .map(|x| format!(" ({x})"))
        .unwrap_or_default();
    let mut out = Diagnostic::new(
        Code::AdvisorySettledByVex,
        Severity::Note,
        format!(
            "{}, settled as `{}` by {}{why}",
            d.message,
            m.statement.status,
            m.document.name()
        ),
    );
    out.package = d.package;
    out.notes = d.notes;
    out.data = d.data;
    out.with_data("settled-by", "vex")
        .with_data("status", m.statement.status.as_str())
        .with_data(
            "justification",
            m.statement
                .justification
                .map_or(serde_json::Value::Null, |j| j.as_str().into()),
        )
        .with_data("vex", m.document.name())
        .with_data("advisory-kind", Kind::of(r).map(|k| k.name()).unwrap_or(""))
}

/// The fix as a shipped release needs it: the same `cargo update` (or upgrade), made in the
/// product's source tree, then a new release.
fn release_fix(mut fix: advisory::Fix, product: Option<&Product>) -> advisory::Fix {
    if let Some(p) = product {
        fix.text = match &p.version {
            Some(v) => format!(
                "{} in {}'s source, then release a version after {v}",
                fix.text, p.name
            ),
            None => format!("{} in {}'s source, then release it again", fix.text, p.name),
        };
    }
    fix
}

/// The byte span of each purl (without its quotes) where the SBOM gives it as a purl:
/// CycloneDX `purl`, SPDX 2.3 `referenceLocator`, SPDX 3 `software_packageUrl`; else its
/// first quoted occurrence (a `bom-ref`). One pass over the text, whatever the number of
/// purls: every quoted string that starts with `pkg:` is looked up.
fn purl_spans(text: &str, purls: &[&str]) -> Vec<Option<std::ops::Range<usize>>> {
    const KEYS: &[&str] = &[
        "\"purl\"",
        "\"referenceLocator\"",
        "\"software_packageUrl\"",
    ];
    // purl -> (span as the value of a purl key, first quoted span)
    type Spans = (
        Option<std::ops::Range<usize>>,
        Option<std::ops::Range<usize>>,
    );
    let mut want: std::collections::HashMap<&str, Spans> =
        purls.iter().map(|p| (*p, (None, None))).collect();
    let mut left = want.len();
    let bytes = text.as_bytes();
    for i in memchr::memmem::find_iter(bytes, b"\"pkg:") {
        if left == 0 {
            break;
        }
        let start = i + 1;
        let Some(len) = memchr::memchr(b'"', &bytes[start..]) else {
            break;
        };
        let Some(found) = want.get_mut(&text[start..start + len]) else {
            continue;
        };
        if found.0.is_some() {
            continue;
        }
        let span = start..start + len;
        let before = text[..i].trim_end();
        let is_value_of_key = before
            .strip_suffix(':')
            .map(str::trim_end)
            .is_some_and(|b| KEYS.iter().any(|k| b.ends_with(k)));
        if is_value_of_key {
            found.0 = Some(span);
            left -= 1;
        } else {
            found.1.get_or_insert(span);
        }
    }
    purls
        .iter()
        .map(|p| {
            want.get(p)
                .and_then(|(k, first)| k.clone().or_else(|| first.clone()))
        })
        .collect()
}

/// A copy of `text` that keeps only the lines the spans are on (the others are emptied, their
/// line breaks kept), with the spans mapped into it: line numbers stay right while a 1 MB
/// SBOM shrinks to a few kB. A span on a line longer than 4 kB (minified JSON) maps to
/// `None`: the label would print the whole document.
pub fn excerpt(
    text: &str,
    spans: &[std::ops::Range<usize>],
) -> (String, Vec<Option<std::ops::Range<usize>>>) {
    const LONG_LINE: usize = 4096;
    // The line around `off`, `None` when it is longer than LONG_LINE: the search looks at
    // most that far either way, so minified JSON costs no scan of the whole file per label.
    let bytes = text.as_bytes();
    let line_of = |off: usize| -> Option<std::ops::Range<usize>> {
        let from = off.saturating_sub(LONG_LINE + 1);
        let start = match memchr::memrchr(b'\n', &bytes[from..off]) {
            Some(i) => from + i + 1,
            None if from == 0 => 0,
            None => return None,
        };
        let to = (start + LONG_LINE + 1).min(bytes.len());
        let end = match memchr::memchr(b'\n', &bytes[off.min(to)..to]) {
            Some(i) => off.min(to) + i,
            None if to == bytes.len() => bytes.len(),
            None => return None,
        };
        (end - start <= LONG_LINE).then_some(start..end)
    };
    let mut keep: Vec<std::ops::Range<usize>> =
        spans.iter().filter_map(|s| line_of(s.start)).collect();
    keep.sort_by_key(|l| l.start);
    keep.dedup();
    let mut out = String::new();
    let mut offsets: Vec<(usize, usize)> = Vec::new(); // (original line start, new start)
    let mut pos = 0;
    for l in &keep {
        out.extend(std::iter::repeat_n('\n', newlines(&text[pos..l.start])));
        offsets.push((l.start, out.len()));
        out.push_str(&text[l.clone()]);
        pos = l.end;
    }
    out.extend(std::iter::repeat_n('\n', newlines(&text[pos..])));
    let mapped = spans
        .iter()
        .map(|s| {
            let l = line_of(s.start)?;
            offsets
                .binary_search_by_key(&l.start, |(orig, _)| *orig)
                .ok()
                .map(|k| offsets[k])
                .map(|(orig, new)| new + (s.start - orig)..new + (s.end.min(l.end) - orig))
        })
        .collect();
    (out, mapped)
}

fn newlines(s: &str) -> usize {
    memchr::memchr_iter(b'\n', s.as_bytes()).count()
}

/// The first span [`purl_spans`] finds for one purl.
#[cfg(test)]
fn purl_span(text: &str, purl: &str) -> Option<std::ops::Range<usize>> {
    purl_spans(text, &[purl]).pop().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_spans_prefer_the_purl_key_and_fall_back_to_a_bom_ref() {
        let text = "{\"bom-ref\": \"pkg:cargo/x@1.0.0\", \"purl\": \"pkg:cargo/x@1.0.0\",\n \"ref\": \"pkg:cargo/y@2.0.0\", \"z\": \"pkg:cargo/zz\"}";
        let spans = purl_spans(
            text,
            &[
                "pkg:cargo/x@1.0.0",
                "pkg:cargo/y@2.0.0",
                "pkg:cargo/w@1.0.0",
            ],
        );
        let x = spans[0].clone().unwrap();
        assert_eq!(&text[x.clone()], "pkg:cargo/x@1.0.0");
        assert!(text[..x.start].ends_with("\"purl\": \""));
        assert_eq!(&text[spans[1].clone().unwrap()], "pkg:cargo/y@2.0.0");
        assert_eq!(spans[2], None);
    }

    #[test]
    fn excerpt_keeps_line_numbers_and_maps_spans() {
        let text = "{\n  \"a\": 1,\n  \"purl\": \"pkg:cargo/x@1.0.0\",\n  \"b\": 2\n}\n";
        let span = purl_span(text, "pkg:cargo/x@1.0.0").unwrap();
        let (ex, mapped) = excerpt(text, std::slice::from_ref(&span));
        let m = mapped[0].clone().unwrap();
        assert_eq!(&ex[m.clone()], "pkg:cargo/x@1.0.0");
        assert_eq!(
            crate::fsutil::line_col(&ex, m.start),
            crate::fsutil::line_col(text, span.start)
        );
        assert_eq!(ex.lines().count(), text.lines().count());
        assert!(!ex.contains("\"a\""));
    }

    #[test]
    fn excerpt_drops_labels_on_minified_lines() {
        let text = format!(
            "{{\"components\":[{}{{\"purl\":\"pkg:cargo/x@1.0.0\"}}]}}",
            "{\"purl\":\"pkg:npm/y@1\"},".repeat(300)
        );
        let span = purl_span(&text, "pkg:cargo/x@1.0.0").unwrap();
        let (ex, mapped) = excerpt(&text, &[span]);
        assert_eq!(mapped, vec![None]);
        assert!(ex.is_empty());
    }
}
