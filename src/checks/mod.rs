//! The checks. Each module owns its policy section (raw and validated types), its logic and
//! the diagnostic codes it emits; this module only holds the shared context and dispatch.

pub mod advisories;
pub mod bans;
pub mod licenses;
pub mod product;
pub mod security_txt;
pub mod sources;

use crate::cli::WhichCheck;
use crate::diag::Diagnostics;
use crate::error::Result;
use crate::output::Printer;
use crate::policy::Policy;
use crate::workspace::{Follow, Workspace};
use std::collections::BTreeMap;

/// What every check reads.
#[derive(Debug)]
pub struct CheckCtx<'a> {
    /// The workspace (metadata may be absent on the lockfile-only path).
    pub ws: &'a Workspace,
    /// The validated policy.
    pub policy: &'a Policy,
    /// "Today", pinned by `SOURCE_DATE_EPOCH` when set (dates in tests never go stale).
    pub today: time::Date,
    /// Human output (status lines, verbose notes).
    pub printer: &'a Printer,
    /// `--offline`/`--frozen`: no network.
    pub offline: bool,
    /// cargo-deny's graph for the bans check (`None`: not built, lockfile-only path).
    pub bans: Option<&'a bans::Input>,
    /// Where the lockfile's entries are, indexed on first use ([`sources::lock_span`]).
    pub lock_spans: std::sync::OnceLock<sources::LockSpans>,
    /// The run's `rustc --print cfg` answers (shared with the workspace loader).
    pub cfg_answers: &'a crate::workspace::features::CfgAnswers,
}

impl CheckCtx<'_> {
    /// Packages that are built for the selected roots: normal and build dependencies (and
    /// proc-macros), plus the roots' dev-dependencies when `include_dev`, with cargo's
    /// feature resolution applied: what `cargo tree -e normal,build[,dev]` prints, not the
    /// unified `cargo metadata` graph. Each maps to its parent on a shortest inclusion path.
    pub fn built_scope(&self, include_dev: bool) -> BTreeMap<usize, Option<usize>> {
        self.scope(Follow {
            build: true,
            dev: include_dev,
            proc_macros: true,
        })
    }

    /// The packages reached from the selected roots along the dependency kinds of `follow`,
    /// with cargo's feature resolution applied (see [`CheckCtx::built_scope`]).
    pub fn scope(&self, follow: Follow) -> BTreeMap<usize, Option<usize>> {
        let request = self.ws.feature_request();
        crate::workspace::features::activate(self.ws, &self.ws.graph.roots, &request, follow)
            .parents
    }
}

/// Results a check hands back besides diagnostics (for the report).
#[derive(Debug, Default)]
pub struct Outcome {
    /// Advisory database and scope facts, when the advisory check ran.
    pub advisories: Option<advisories::Report>,
}

/// Runs the selected checks (all when `which` is empty) in a fixed order.
pub fn run(
    ctx: &CheckCtx<'_>,
    which: &[WhichCheck],
    adv: &advisories::Options,
    sink: &mut Diagnostics,
) -> Result<Outcome> {
    let on = |c: WhichCheck| which.is_empty() || which.contains(&c);
    let mut outcome = Outcome::default();
    let has_metadata = ctx.ws.metadata.is_some();
    // `-v` prints what each check cost (the pre-commit path is performance-sensitive).
    let timed = |name: &str, t: std::time::Instant| {
        ctx.printer
            .verbose(format_args!("check {name}: {:.1?}", t.elapsed()))
    };
    if on(WhichCheck::Licenses) && has_metadata {
        let t = std::time::Instant::now();
        licenses::check(ctx, sink)?;
        timed("licenses", t);
    }
    if on(WhichCheck::Sources) {
        let t = std::time::Instant::now();
        sources::check(ctx, sink)?;
        timed("sources", t);
    }
    if on(WhichCheck::Bans)
        && let Some(input) = ctx.bans
    {
        let t = std::time::Instant::now();
        bans::check(ctx, input, sink)?;
        timed("bans", t);
    }
    if on(WhichCheck::Product) && has_metadata {
        let t = std::time::Instant::now();
        product::check(ctx, sink)?;
        timed("product", t);
    }
    if on(WhichCheck::Advisories) {
        let t = std::time::Instant::now();
        outcome.advisories = Some(advisories::check(ctx, adv, sink)?);
        timed("advisories", t);
    }
    Ok(outcome)
}
