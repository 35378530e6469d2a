//! The output of `cargo cra scan`: human (one block per product release, worst first, then
//! a matrix of releases x advisories, on stderr) and JSON (one versioned object).
//!
//! ```json
//! {
//!   "format-version": 1,
//!   "tool": { "name": "cargo-cra", "version": "0.1.0" },
//!   "command": "scan",
//!   "outcome": "fail",                 // "pass" | "fail"
//!   "exit-code": 1,
//!   "policy": null,
//!   "advisories": { "db-path": "...", "db-commit": null, "db-date": "2026-08-21", "advisory-count": 1225 },
//!   "summary": { "inputs": 3, "releases": 2, "affected-releases": 1, "skipped": 2,
//!                "errors": 1, "warnings": 0, "notes": 1 },
//!   "releases": [ { "product": "app", "version": "1.2.0", "state": "affected",
//!                   "advisories": ["RUSTSEC-2099-0001"], "inputs": ["releases/app-1.2.0.cdx.json"] } ],
//!   "inputs": [ { "path": "releases/app-1.2.0.cdx.json", "format": "cyclonedx-1.6",
//!                 "sha256": "...", "state": "affected",
//!                 "product": { "name": "app", "version": "1.2.0", "purl": "pkg:cargo/app@1.2.0" },
//!                 "components": 42, "unchecked": [ { "component": "pkg:npm/x@1", "reason": "..." } ],
//!                 "signature": { "ok": true, "detail": "..." },
//!                 "diagnostics": [ ...as in check's report... ] } ],
//!   "skipped": [ { "path": "releases/app-1.2.0.cdx.json.sig", "reason": "signature" } ]
//! }
//! ```
//!
//! Advisory diagnostics carry the same `data` as `check`'s (`advisory-id`, `aliases`,
//! `cvss`, `patched`, `fix`, ...) plus `product` and `product-version`.

use super::{Input, InputState, ScanRun};
use crate::diag::Severity;
use crate::error::{ExitCode, Result};
use crate::output::Printer;
use crate::report::{JsonDiagnostic, Tool};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the JSON format.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Json<'a> {
    format_version: u32,
    tool: Tool,
    command: &'static str,
    outcome: &'static str,
    exit_code: u8,
    policy: Option<&'a camino::Utf8Path>,
    advisories: &'a super::DatabaseFacts,
    summary: Summary,
    releases: Vec<JsonRelease>,
    inputs: Vec<JsonInput<'a>>,
    skipped: Vec<JsonSkipped<'a>>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Summary {
    inputs: usize,
    releases: usize,
    affected_releases: usize,
    skipped: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonRelease {
    product: Option<String>,
    version: Option<String>,
    state: InputState,
    advisories: Vec<String>,
    inputs: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonInput<'a> {
    path: &'a camino::Utf8Path,
    format: &'a str,
    sha256: Option<&'a str>,
    state: InputState,
    product: Option<&'a super::Product>,
    components: usize,
    unchecked: Vec<serde_json::Value>,
    signature: Option<serde_json::Value>,
    diagnostics: Diagnostics<'a>,
}

/// An input's diagnostics, converted to their JSON form one at a time while the report is
/// written: the report does not hold a second copy of every finding.
struct Diagnostics<'a>(&'a [crate::diag::Diagnostic], &'a crate::diag::SourceMap);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|d| JsonDiagnostic::from_diag(d, self.1)))
    }
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    path: &'a camino::Utf8Path,
    reason: &'a str,
}

/// A product release: the inputs that name the same product and version (an SBOM and the
/// binary it describes, or the SBOMs of several binaries of one release).
struct Release<'a> {
    product: Option<(&'a str, &'a str)>,
    inputs: Vec<&'a Input>,
}

impl Release<'_> {
    fn state(&self) -> InputState {
        let states: Vec<InputState> = self.inputs.iter().map(|i| i.state).collect();
        [
            InputState::Untrusted,
            InputState::Unreadable,
            InputState::Affected,
        ]
        .into_iter()
        .find(|s| states.contains(s))
        .unwrap_or(InputState::Clean)
    }

    fn count(&self, s: Severity) -> usize {
        self.inputs
            .iter()
            .flat_map(|i| &i.diagnostics)
            .filter(|d| d.severity == s)
            .count()
    }

    /// Advisory ids, with the worst severity each has in this release.
    fn advisories(&self) -> BTreeMap<String, Severity> {
        let mut m: BTreeMap<String, Severity> = BTreeMap::new();
        for d in self.inputs.iter().flat_map(|i| &i.diagnostics) {
            if let Some(id) = d.data.get("advisory-id").and_then(|v| v.as_str()) {
                let e = m.entry(id.to_string()).or_insert(d.severity);
                *e = (*e).max(d.severity);
            }
        }
        m
    }

    fn title(&self) -> String {
        match self.product {
            Some((n, v)) => format!("{n} {v}"),
            None => self.inputs[0].path.to_string(),
        }
    }
}

/// Groups inputs into releases, worst first (untrusted and unreadable, then by errors and
/// warnings), then by product and version.
fn releases(run: &ScanRun) -> Vec<Release<'_>> {
    type Key<'a> = (Option<(&'a str, &'a str)>, Option<&'a camino::Utf8Path>);
    let mut by: BTreeMap<Key<'_>, Vec<&Input>> = BTreeMap::new();
    for i in &run.inputs {
        let key = match &i.product {
            Some(p) => (
                Some((
                    p.name.as_str(),
                    p.version.as_deref().unwrap_or("(version unknown)"),
                )),
                None,
            ),
            None => (None, Some(i.path.as_path())),
        };
        by.entry(key).or_default().push(i);
    }
    let mut out: Vec<Release<'_>> = by
        .into_iter()
        .map(|((product, _), inputs)| Release { product, inputs })
        .collect();
    let rank = |s: InputState| match s {
        InputState::Untrusted => 0,
        InputState::Unreadable => 1,
        InputState::Affected => 2,
        InputState::Clean => 3,
    };
    out.sort_by_key(|r| {
        (
            rank(r.state()),
            std::cmp::Reverse(r.count(Severity::Error)),
            std::cmp::Reverse(r.count(Severity::Warning)),
        )
    });
    out
}

fn summary(run: &ScanRun, rel: &[Release<'_>]) -> Summary {
    let all = || run.inputs.iter().flat_map(|i| &i.diagnostics);
    let count = |s| all().filter(|d| d.severity == s).count();
    Summary {
        inputs: run.inputs.len(),
        releases: rel.len(),
        affected_releases: rel
            .iter()
            .filter(|r| r.state() != InputState::Clean)
            .count(),
        skipped: run.skipped.len(),
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        notes: count(Severity::Note),
    }
}

/// The JSON report, with a trailing newline.
pub fn to_json(run: &ScanRun, code: u8) -> Result<String> {
    let rel = releases(run);
    let json = Json {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "cargo-cra",
            version: crate::VERSION,
        },
        command: "scan",
        outcome: if code == ExitCode::SUCCESS {
            "pass"
        } else {
            "fail"
        },
        exit_code: code,
        policy: run.policy.as_deref(),
        advisories: &run.database,
        summary: summary(run, &rel),
        releases: rel
            .iter()
            .map(|r| JsonRelease {
                product: r.product.map(|p| p.0.to_string()),
                version: r.product.map(|p| p.1.to_string()),
                state: r.state(),
                advisories: r.advisories().into_keys().collect(),
                inputs: r.inputs.iter().map(|i| i.path.to_string()).collect(),
            })
            .collect(),
        inputs: run
            .inputs
            .iter()
            .map(|i| JsonInput {
                path: &i.path,
                format: &i.format,
                sha256: i.sha256.as_deref(),
                state: i.state,
                product: i.product.as_ref(),
                components: i.components,
                unchecked: i
                    .unchecked
                    .iter()
                    .map(|(c, r)| serde_json::json!({ "component": c, "reason": r }))
                    .collect(),
                signature: i
                    .signature
                    .as_ref()
                    .map(|(ok, detail)| serde_json::json!({ "ok": ok, "detail": detail })),
                diagnostics: Diagnostics(&i.diagnostics, &run.sources),
            })
            .collect(),
        skipped: run
            .skipped
            .iter()
            .map(|(p, r)| JsonSkipped { path: p, reason: r })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&json).map_err(|e| {
        crate::error::Error::other(format!("failed to serialize the scan report: {e}"))
    })?;
    s.push('\n');
    Ok(s)
}

/// Human output on stderr: a block per release (worst first), the matrix, the verdict.
pub fn print_human(run: &ScanRun, code: u8, printer: &Printer) {
    let rel = releases(run);
    for r in &rel {
        let errors = r.count(Severity::Error);
        let warnings = r.count(Severity::Warning);
        let state = match r.state() {
            InputState::Untrusted => "SIGNATURE FAILED".to_string(),
            InputState::Unreadable => "UNREADABLE".to_string(),
            InputState::Affected => format!(
                "AFFECTED: {errors} error{}, {warnings} warning{}",
                plural(errors),
                plural(warnings)
            ),
            InputState::Clean if warnings > 0 => {
                format!("ok, {warnings} warning{}", plural(warnings))
            }
            InputState::Clean => "ok".to_string(),
        };
        let paths: Vec<String> = r
            .inputs
            .iter()
            .map(|i| crate::output::display_path(&i.path))
            .collect();
        let line = format!("{} ({}): {state}", r.title(), paths.join(", "));
        if r.state() == InputState::Clean {
            printer.status("Release", line);
        } else {
            printer.loud().status("Release", line);
        }
        let diags: Vec<crate::diag::Diagnostic> = r
            .inputs
            .iter()
            .flat_map(|i| i.diagnostics.iter().cloned())
            .filter(|d| {
                printer.verbose > 0
                    || d.severity != Severity::Note
                    || r.state() != InputState::Clean
            })
            .collect();
        printer.diagnostics(&run.sources, &diags);
    }
    if !printer.quiet {
        print_matrix(&rel, printer);
    }
    if printer.verbose > 0 {
        for (p, reason) in &run.skipped {
            printer.verbose(format_args!("skipped {p}: {reason}"));
        }
    }
    let s = summary(run, &rel);
    let db = &run.database;
    printer.status(
        "Advisories",
        format!(
            "{} advisories from {} ({})",
            db.advisory_count,
            crate::output::display_path(&db.db_path),
            db.db_date.as_deref().unwrap_or("date unknown")
        ),
    );
    let verdict = format!(
        "{}: {} of {} release{} affected ({} input{}, {} skipped), {} error{}, {} warning{}",
        if code == ExitCode::SUCCESS {
            "passed"
        } else {
            "FAILED"
        },
        s.affected_releases,
        s.releases,
        plural(s.releases),
        s.inputs,
        plural(s.inputs),
        s.skipped,
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
    );
    if code == ExitCode::SUCCESS {
        printer.status("Scanned", verdict);
    } else {
        printer.loud().status("Scanned", verdict);
    }
}

/// Releases x advisories: `X` an error, `w` a warning, `-` settled (a note), `.` not
/// affected. At most 12 advisory columns (the most widespread first) and 40 rows.
fn print_matrix(rel: &[Release<'_>], printer: &Printer) {
    let per: Vec<BTreeMap<String, Severity>> = rel.iter().map(|r| r.advisories()).collect();
    let mut hits: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &per {
        for id in m.keys() {
            *hits.entry(id.as_str()).or_default() += 1;
        }
    }
    if hits.is_empty() {
        return;
    }
    let mut cols: Vec<(&str, usize)> = hits.into_iter().collect();
    cols.sort_by_key(|(id, n)| (std::cmp::Reverse(*n), *id));
    let more_cols = cols.len().saturating_sub(12);
    cols.truncate(12);
    let width = rel
        .iter()
        .map(|r| r.title().len())
        .max()
        .unwrap_or(0)
        .clamp(7, 40);
    let mut out = String::new();
    // Column headers: the advisory ids, numbered, with a legend below.
    out.push_str(&format!("{:width$}", "release"));
    for (i, _) in cols.iter().enumerate() {
        out.push_str(&format!(" {:>2}", i + 1));
    }
    out.push('\n');
    for (r, m) in rel.iter().zip(&per).take(40) {
        let mut title = r.title();
        if title.len() > width {
            title.truncate(width);
        }
        out.push_str(&format!("{title:width$}"));
        for (id, _) in &cols {
            let c = match m.get(*id) {
                Some(Severity::Error) => "X",
                Some(Severity::Warning) => "w",
                Some(Severity::Note) => "-",
                None => ".",
            };
            out.push_str(&format!(" {c:>2}"));
        }
        out.push('\n');
    }
    if rel.len() > 40 {
        out.push_str(&format!("... and {} more releases\n", rel.len() - 40));
    }
    for (i, (id, n)) in cols.iter().enumerate() {
        out.push_str(&format!("{:>2} {id} ({n} release{})\n", i + 1, plural(*n)));
    }
    if more_cols > 0 {
        out.push_str(&format!(
            "... and {more_cols} more advisories (see --format json)\n"
        ));
    }
    out.push_str("X affected (error), w warning, - settled by triage, . not affected\n");
    printer.block(&out);
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
