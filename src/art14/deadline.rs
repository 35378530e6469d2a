//! The Art. 14 deadlines and where a case stands against them.
//!
//! - early warning: aware + 24 hours (Art. 14(2)(a), 14(4)(a));
//! - notification: aware + 72 hours (Art. 14(2)(b), 14(4)(b));
//! - final report, vulnerability: 14 days after a corrective or mitigating measure is
//!   available (Art. 14(2)(c)), not after awareness: the earliest `available-at` of the fix
//!   and of the mitigations that have one;
//! - final report, incident: one calendar month after the notification was submitted
//!   (Art. 14(4)(c)), the day clamped at a shorter month's end.

use super::case::{Case, Kind, Step};
use super::time as t;
use time::{Duration, OffsetDateTime};

/// A deadline closer than this is reported as due soon (a warning).
pub const WARN_WITHIN: Duration = Duration::hours(6);

/// The deadline of each report, indexed by [`Step::index`]; `None` while it is not known
/// yet (a final report before any measure is available, or before the incident
/// notification was submitted).
pub fn deadlines(case: &Case) -> [Option<OffsetDateTime>; 3] {
    let early = case.aware_at + Duration::hours(24);
    let notification = case.aware_at + Duration::hours(72);
    let final_due = match case.kind {
        Kind::Vulnerability => measure_available_at(case).map(|at| at + Duration::days(14)),
        Kind::Incident => case
            .submission(Step::Notification)
            .map(|s| t::add_month(s.at)),
    };
    [Some(early), Some(notification), final_due]
}

/// When the first corrective or mitigating measure became available.
pub fn measure_available_at(case: &Case) -> Option<OffsetDateTime> {
    case.fix
        .as_ref()
        .map(|f| f.available_at)
        .into_iter()
        .chain(case.mitigations.iter().filter_map(|m| m.available_at))
        .min()
}

/// Why a deadline is not known yet.
pub fn pending_reason(kind: Kind, step: Step) -> &'static str {
    match (kind, step) {
        (Kind::Vulnerability, Step::Final) => {
            "14 days after a corrective or mitigating measure is available (`cargo cra report fix`)"
        }
        (Kind::Incident, Step::Final) => {
            "one month after the notification is submitted (`cargo cra report submitted`)"
        }
        _ => "unknown",
    }
}

/// Where one report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Submitted by its deadline.
    Submitted,
    /// Submitted after its deadline.
    SubmittedLate,
    /// The deadline is not known yet.
    Waiting,
    /// Due, more than [`WARN_WITHIN`] left.
    Pending,
    /// Due within [`WARN_WITHIN`].
    DueSoon,
    /// Past its deadline and not submitted.
    Overdue,
}

impl State {
    /// Kebab-case name (JSON, tables).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Submitted => "submitted",
            State::SubmittedLate => "submitted-late",
            State::Waiting => "waiting",
            State::Pending => "pending",
            State::DueSoon => "due-soon",
            State::Overdue => "overdue",
        }
    }
}

/// One report's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportStatus {
    /// Which report.
    pub step: Step,
    /// Its deadline, when known.
    pub due: Option<OffsetDateTime>,
    /// Its state at `now`.
    pub state: State,
    /// Time left (negative: overdue), when due and not submitted.
    pub left: Option<Duration>,
}

/// Where every report of `case` stands at `now`.
pub fn status(case: &Case, now: OffsetDateTime) -> [ReportStatus; 3] {
    let due = deadlines(case);
    Step::ALL.map(|step| {
        let d = due[step.index()];
        let (state, left) = match (case.submission(step), d) {
            (Some(s), Some(d)) if s.at > d => (State::SubmittedLate, None),
            (Some(_), _) => (State::Submitted, None),
            (None, None) => (State::Waiting, None),
            (None, Some(d)) => {
                let left = d - now;
                let state = if left <= Duration::ZERO {
                    State::Overdue
                } else if left <= WARN_WITHIN {
                    State::DueSoon
                } else {
                    State::Pending
                };
                (state, Some(left))
            }
        };
        ReportStatus {
            step,
            due: d,
            state,
            left,
        }
    })
}

/// The next report to send: the earliest unsubmitted one with a known deadline, else the
/// first unsubmitted one (waiting for its deadline).
pub fn next(statuses: &[ReportStatus; 3]) -> Option<&ReportStatus> {
    statuses
        .iter()
        .filter(|s| matches!(s.state, State::Pending | State::DueSoon | State::Overdue))
        .min_by_key(|s| s.due)
        .or_else(|| statuses.iter().find(|s| s.state == State::Waiting))
}

/// Whether every report was submitted.
pub fn complete(statuses: &[ReportStatus; 3]) -> bool {
    statuses
        .iter()
        .all(|s| matches!(s.state, State::Submitted | State::SubmittedLate))
}
