//! `cargo cra report status` and `list`: where each case stands against its deadlines.
//!
//! `status` lists the open cases with the next report due and the time left, warns when a
//! deadline is less than 6 hours away, and exits 1 when a report is past its deadline and not
//! submitted. The JSON form (`--format json`, one object on stdout, `format-version` 1) is:
//!
//! ```json
//! { "format-version": 1, "command": "report status", "now": "2026-12-02T08:00:00Z",
//!   "overdue": 0, "due-soon": 1,
//!   "cases": [{ "id": "2026-12-01-rustsec-2099-0001", "kind": "vulnerability",
//!     "title": "...", "path": "cra-reports/.../case.toml", "state": "open",
//!     "aware-at": "2026-12-01T09:30:00Z", "tlp": "amber",
//!     "next": { "report": "early-warning", "due": "2026-12-02T09:30:00Z",
//!               "seconds-left": 5400, "state": "due-soon" },
//!     "reports": [{ "report": "early-warning", "due": "...", "state": "due-soon",
//!                   "seconds-left": 5400, "submitted-at": null, "reference": null }, ...] }] }
//! ```

use super::args::{ListArgs, StatusArgs, StatusFormat};
use super::case::{self, Case};
use super::deadline::{self, ReportStatus, State};
use super::{info, time as t};
use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;
use camino::Utf8Path;
use serde::Serialize;

/// The JSON form of one report's standing.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct JsonReport {
    /// `early-warning`, `notification`, `final`.
    pub report: &'static str,
    /// Deadline (RFC 3339 UTC), `null` while not known.
    pub due: Option<String>,
    /// Why the deadline is not known yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_when: Option<&'static str>,
    /// `submitted`, `submitted-late`, `waiting`, `pending`, `due-soon`, `overdue`.
    pub state: &'static str,
    /// Seconds until the deadline (negative: overdue), when due and not submitted.
    pub seconds_left: Option<i64>,
    /// When it was submitted.
    pub submitted_at: Option<String>,
    /// The platform's reference.
    pub reference: Option<String>,
}

/// The JSON form of one case.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct JsonCase {
    /// Case id.
    pub id: String,
    /// `vulnerability` or `incident`.
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// The advisory id (vulnerability cases).
    pub advisory: Option<String>,
    /// The case file, relative to the workspace root.
    pub path: String,
    /// `open`, `complete` (every report submitted) or `closed`.
    pub state: &'static str,
    /// When the manufacturer became aware.
    pub aware_at: String,
    /// TLP label.
    pub tlp: &'static str,
    /// The next report to send.
    pub next: Option<JsonReport>,
    /// The three reports.
    pub reports: Vec<JsonReport>,
}

/// The `status`/`list` JSON document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct JsonStatus {
    /// 1.
    pub format_version: u32,
    /// `report status` or `report list`.
    pub command: &'static str,
    /// The "now" the states were computed for.
    pub now: String,
    /// Reports past their deadline and not submitted.
    pub overdue: usize,
    /// Reports due within 6 hours.
    pub due_soon: usize,
    /// The cases.
    pub cases: Vec<JsonCase>,
}

fn json_report(c: &Case, s: &ReportStatus) -> JsonReport {
    let sub = c.submission(s.step);
    JsonReport {
        report: s.step.as_str(),
        due: s.due.map(t::rfc3339),
        due_when: s
            .due
            .is_none()
            .then(|| deadline::pending_reason(c.kind, s.step)),
        state: s.state.as_str(),
        seconds_left: s.left.map(|l| l.whole_seconds()),
        submitted_at: sub.map(|x| t::rfc3339(x.at)),
        reference: sub.and_then(|x| x.reference.clone()),
    }
}

/// `open`, `complete` or `closed`.
pub fn case_state(c: &Case, st: &[ReportStatus; 3]) -> &'static str {
    if c.closed.is_some() {
        "closed"
    } else if deadline::complete(st) {
        "complete"
    } else {
        "open"
    }
}

fn json_case(root: &Utf8Path, c: &Case, st: &[ReportStatus; 3]) -> JsonCase {
    let active = c.closed.is_none();
    JsonCase {
        id: c.id.clone(),
        kind: c.kind.as_str(),
        title: c.title.clone(),
        advisory: c.advisory.as_ref().map(|a| a.id.clone()),
        path: c
            .path
            .strip_prefix(root)
            .map(|p| p.to_string())
            .unwrap_or_else(|_| c.path.to_string()),
        state: case_state(c, st),
        aware_at: t::rfc3339(c.aware_at),
        tlp: c.tlp.as_str(),
        next: deadline::next(st)
            .filter(|_| active)
            .map(|s| json_report(c, s)),
        reports: st.iter().map(|s| json_report(c, s)).collect(),
    }
}

fn render(
    cases: &[Case],
    root: &Utf8Path,
    now: ::time::OffsetDateTime,
    command: &'static str,
    format: StatusFormat,
    printer: &Printer,
) -> Result<(usize, usize)> {
    let statuses: Vec<[ReportStatus; 3]> = cases.iter().map(|c| deadline::status(c, now)).collect();
    let count = |want: State| {
        cases
            .iter()
            .zip(&statuses)
            .filter(|(c, _)| c.closed.is_none())
            .flat_map(|(_, st)| st.iter())
            .filter(|s| s.state == want)
            .count()
    };
    let (overdue, due_soon) = (count(State::Overdue), count(State::DueSoon));
    match format {
        StatusFormat::Json => {
            let doc = JsonStatus {
                format_version: 1,
                command,
                now: t::rfc3339(now),
                overdue,
                due_soon,
                cases: cases
                    .iter()
                    .zip(&statuses)
                    .map(|(c, st)| json_case(root, c, st))
                    .collect(),
            };
            let json = serde_json::to_string_pretty(&doc)
                .map_err(|e| Error::other(format!("failed to serialize the status: {e}")))?;
            println!("{json}");
        }
        StatusFormat::Human => {
            if cases.is_empty() {
                printer.status(
                    "Status",
                    format!(
                        "no {}cases in {}",
                        if command == "report status" {
                            "open "
                        } else {
                            ""
                        },
                        crate::output::display_path(&root.join(case::DIR))
                    ),
                );
            } else {
                let mut rows = vec![[
                    "CASE".to_string(),
                    "KIND".to_string(),
                    "STATE".to_string(),
                    "NEXT REPORT".to_string(),
                    "DUE (UTC)".to_string(),
                    "LEFT".to_string(),
                ]];
                for (c, st) in cases.iter().zip(&statuses) {
                    let next = deadline::next(st).filter(|_| c.closed.is_none());
                    let (report, due, left) = match next {
                        Some(s) => (
                            s.step.as_str().to_string(),
                            s.due
                                .map(t::rfc3339)
                                .unwrap_or_else(|| "not yet known".into()),
                            match (s.state, s.left) {
                                (State::Overdue, Some(l)) => {
                                    format!("OVERDUE by {}", t::human(l))
                                }
                                (_, Some(l)) => t::human(l),
                                _ => "-".into(),
                            },
                        ),
                        None => ("-".into(), "-".into(), "-".into()),
                    };
                    let state = match (case_state(c, st), next.map(|n| n.state)) {
                        ("open", Some(State::Waiting)) => "waiting".to_string(),
                        ("open", Some(s)) => s.as_str().to_string(),
                        (other, _) => other.to_string(),
                    };
                    rows.push([
                        c.id.clone(),
                        c.kind.as_str().to_string(),
                        state,
                        report,
                        due,
                        left,
                    ]);
                }
                let widths: Vec<usize> = (0..6)
                    .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
                    .collect();
                for r in &rows {
                    let line: Vec<String> = r
                        .iter()
                        .zip(&widths)
                        .map(|(cell, w)| format!("{cell:<w$}"))
                        .collect();
                    println!("{}", line.join("  ").trim_end());
                }
            }
            for (c, st) in cases.iter().zip(&statuses) {
                if c.closed.is_some() {
                    continue;
                }
                for s in st {
                    let due = s.due.map(t::rfc3339).unwrap_or_default();
                    match (s.state, s.left) {
                        (State::Overdue, Some(l)) => printer.error(&Error::other(format!(
                            "case `{}`: the {} is overdue by {} (due {due}) and not recorded as submitted\n  help: submit it on the Single Reporting Platform, then `cargo cra report submitted {} {} --reference ...`",
                            c.id,
                            s.step.as_str(),
                            t::human(l),
                            c.id,
                            s.step.as_str()
                        ))),
                        (State::DueSoon, Some(l)) => printer.warn(format!(
                            "case `{}`: the {} is due in {} ({due})\n  help: `cargo cra report draft {} {}`",
                            c.id,
                            s.step.as_str(),
                            t::human(l),
                            c.id,
                            s.step.as_str()
                        )),
                        _ => {}
                    }
                }
            }
        }
    }
    Ok((overdue, due_soon))
}

/// Runs `report status`.
pub fn run_status(a: &StatusArgs, printer: &Printer) -> Result<u8> {
    let (root, _) = info::root_and_policy(&a.ws)?;
    let now = crate::now()?;
    let cases: Vec<Case> = case::load_all(&root)?
        .into_iter()
        .filter(|c| c.closed.is_none() && !deadline::complete(&deadline::status(c, now)))
        .collect();
    let (overdue, _) = render(&cases, &root, now, "report status", a.format, printer)?;
    Ok(if overdue > 0 {
        ExitCode::VIOLATION
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs `report list`.
pub fn run_list(a: &ListArgs, printer: &Printer) -> Result<u8> {
    let (root, _) = info::root_and_policy(&a.ws)?;
    let now = crate::now()?;
    let cases = case::load_all(&root)?;
    render(&cases, &root, now, "report list", a.format, printer)?;
    Ok(ExitCode::SUCCESS)
}
