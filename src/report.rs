//! The JSON report of `cargo cra check --format json`: one object on stdout. This is a
//! versioned contract ([`FORMAT_VERSION`]); fields are only ever added within a version.
//!
//! ```json
//! {
//!   "format-version": 1,
//!   "tool": { "name": "cargo-cra", "version": "0.1.0" },
//!   "command": "check",
//!   "outcome": "fail",            // "pass" | "fail"
//!   "exit-code": 1,
//!   "workspace-root": "/path",
//!   "policy": "/path/deny-policy.toml",   // null: defaults
//!   "targets": ["host-tuple"],
//!   "checks": ["licenses", "sources", "product", "advisories"],
//!   "summary": { "errors": 1, "warnings": 0, "notes": 0 },
//!   "advisories": { "db-path": "...", "db-commit": null, "db-date": "2026-08-21", ... },
//!   "packages": ["pkg:cargo/smallfmt@1.0.0", ...],   // the packages in scope, sorted
//!   "diagnostics": [ { "code": "license-rejected", "severity": "error", "message": "...",
//!       "package": { "name", "version", "purl" }, "locations": [ { "path", "line",
//!       "column", "end-line", "end-column", "message", "primary" } ], "notes": [...],
//!       "inclusion-path": ["pkg:cargo/app@0.1.0", ...], "data": { ... } } ]
//! }
//! ```

use crate::diag::{Diagnostic, PackageRef, Severity, SourceMap};
use camino::Utf8PathBuf;
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the JSON report format.
pub const FORMAT_VERSION: u32 = 1;

/// The tool.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// `cargo-cra`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

/// Diagnostic counts.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
}

/// A source location.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Location {
    /// File.
    pub path: Utf8PathBuf,
    /// 1-based line (null when the file is not loaded).
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// End line.
    pub end_line: Option<usize>,
    /// End column.
    pub end_column: Option<usize>,
    /// Label text.
    pub message: String,
    /// Primary label.
    pub primary: bool,
}

/// A diagnostic in the report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct JsonDiagnostic {
    /// Stable code.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// The package.
    pub package: Option<PackageRef>,
    /// Locations.
    pub locations: Vec<Location>,
    /// Notes.
    pub notes: Vec<String>,
    /// Inclusion path as purls, product first.
    pub inclusion_path: Vec<String>,
    /// Check-specific data.
    pub data: BTreeMap<String, serde_json::Value>,
}

impl JsonDiagnostic {
    /// Converts a diagnostic, resolving spans to lines and columns.
    pub fn from_diag(d: &Diagnostic, sources: &SourceMap) -> Self {
        let locations = d
            .labels
            .iter()
            .map(|l| {
                let (start, end) = (
                    sources.line_col(&l.path, l.span.start),
                    sources.line_col(&l.path, l.span.end),
                );
                Location {
                    path: crate::output::normalize(&l.path),
                    line: start.map(|s| s.0),
                    column: start.map(|s| s.1),
                    end_line: end.map(|e| e.0),
                    end_column: end.map(|e| e.1),
                    message: l.message.clone(),
                    primary: l.primary,
                }
            })
            .collect();
        JsonDiagnostic {
            code: d.code.as_str(),
            severity: d.severity,
            message: d.message.clone(),
            package: d.package.clone(),
            locations,
            notes: d.notes.clone(),
            inclusion_path: d.inclusion_path.iter().map(|p| p.purl.clone()).collect(),
            data: d.data.clone(),
        }
    }
}

/// The whole report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Report {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The tool.
    pub tool: Tool,
    /// `check`.
    pub command: &'static str,
    /// `pass` or `fail`.
    pub outcome: &'static str,
    /// The process exit code.
    pub exit_code: u8,
    /// Workspace root.
    pub workspace_root: Utf8PathBuf,
    /// Policy file (null: defaults).
    pub policy: Option<Utf8PathBuf>,
    /// `true` on the lockfile-only fast path.
    pub lockfile_only: bool,
    /// Targets the graph was filtered for.
    pub targets: Vec<String>,
    /// Checks that ran.
    pub checks: Vec<&'static str>,
    /// Counts.
    pub summary: Summary,
    /// Advisory database and scope, when the advisory check ran.
    pub advisories: Option<crate::checks::advisories::Report>,
    /// purls of the packages in scope (what is built for the selected packages).
    pub packages: Vec<String>,
    /// Findings.
    pub diagnostics: Vec<JsonDiagnostic>,
}
