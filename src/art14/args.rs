//! `cargo cra report ...` command-line arguments (clap derive; the doc comments are the help).

use camino::Utf8PathBuf;
use clap::{Args, Subcommand, ValueEnum};

/// `cargo cra report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ReportCommand,
}

/// Where the workspace is (cases live in `cra-reports/` at its root) and which policy applies.
#[derive(Debug, Clone, Default, Args)]
pub struct CaseWorkspace {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<Utf8PathBuf>,
    /// Policy file (default: deny-policy.toml at the workspace root).
    #[arg(long, value_name = "PATH", env = "CARGO_CRA_POLICY")]
    pub policy: Option<Utf8PathBuf>,
}

/// `report` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum ReportCommand {
    /// Open a case: an actively exploited vulnerability (ADVISORY) or a severe incident
    /// (--incident). Prints the case id alone on the first line of stdout.
    New(NewArgs),
    /// Open cases with the next report due and the time left; exit 1 when a report is
    /// overdue (for a scheduled CI job).
    Status(StatusArgs),
    /// Every case, open and closed.
    List(ListArgs),
    /// Draft a report (early-warning, notification, final) item by item, as Art. 14 lists
    /// them.
    Draft(DraftArgs),
    /// Record that a report was submitted to the Single Reporting Platform.
    Submitted(SubmittedArgs),
    /// Record the corrective measure: the fixed version and when it became available
    /// (starts the 14 days of the final report on a vulnerability).
    Fix(FixArgs),
    /// Add a mitigation users can take (with --available-at it also counts as the mitigating
    /// measure that starts the final report's 14 days).
    Mitigation(MitigationArgs),
    /// Set a free-text field, the title or the TLP of a case.
    Set(SetArgs),
    /// Close a case (all reports submitted, or with --reason why not).
    Close(CloseArgs),
    /// Write a CSAF 2.0 security advisory (csaf_security_advisory) for the product's users
    /// (Art. 14(8), Annex I Part II (4)).
    Csaf(CsafArgs),
}

/// `report new`.
#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// The advisory: a RustSec id or one of its aliases (CVE, GHSA), looked up in the
    /// advisory database; another id (your own, a CVE) with --title.
    #[arg(
        value_name = "ADVISORY",
        required_unless_present = "incident",
        conflicts_with = "incident"
    )]
    pub advisory: Option<String>,
    /// Open a severe incident case (Art. 14(3)) with this title instead.
    #[arg(long, value_name = "TITLE")]
    pub incident: Option<String>,
    /// When the manufacturer became aware, RFC 3339 (`2026-12-01T09:30:00Z`; default: now).
    #[arg(long, value_name = "TIME")]
    pub aware_at: Option<String>,
    /// SBOM archive to scan for affected releases: folders (walked recursively) or files,
    /// CycloneDX, SPDX 2/3 or `cargo auditable` binaries (repeatable).
    #[arg(long, value_name = "DIR")]
    pub sboms: Vec<Utf8PathBuf>,
    /// An affected release, PRODUCT@VERSION (repeatable), besides those found.
    #[arg(long, value_name = "PRODUCT@VERSION")]
    pub affected: Vec<String>,
    /// Title (default: the advisory's; required for an id that is not in the database).
    #[arg(long, value_name = "TEXT", conflicts_with = "incident")]
    pub title: Option<String>,
    /// Sensitivity: clear, green, amber (default), amber+strict, red.
    #[arg(long, value_name = "TLP", default_value = "amber")]
    pub tlp: String,
    /// Advisory database directory (default: policy `db-path`, else $CARGO_HOME/advisory-db).
    #[arg(long, value_name = "PATH")]
    pub advisory_db: Option<Utf8PathBuf>,
    /// Do not fetch the advisory database, nor scan the workspace with network access.
    #[arg(long)]
    pub offline: bool,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

/// Output format of `status` and `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum StatusFormat {
    /// A table on stdout, warnings on stderr.
    #[default]
    Human,
    /// One JSON object on stdout (deadlines as RFC 3339 UTC).
    Json,
}

/// `report status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
    pub format: StatusFormat,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

/// `report list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
    pub format: StatusFormat,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

/// A report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StepArg {
    /// Early warning (24 hours).
    EarlyWarning,
    /// Vulnerability or incident notification (72 hours).
    Notification,
    /// Final report.
    Final,
}

impl StepArg {
    /// The case model's step.
    pub fn step(self) -> super::case::Step {
        match self {
            StepArg::EarlyWarning => super::case::Step::EarlyWarning,
            StepArg::Notification => super::case::Step::Notification,
            StepArg::Final => super::case::Step::Final,
        }
    }
}

/// Draft format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DraftFormat {
    /// Markdown, for people.
    #[default]
    Md,
    /// JSON with stable field names, for the platform or automation.
    Json,
}

/// `report draft`.
#[derive(Debug, Clone, Args)]
pub struct DraftArgs {
    /// Case id (or a unique prefix).
    #[arg(value_name = "CASE")]
    pub case: String,
    /// Which report.
    #[arg(value_enum, value_name = "REPORT")]
    pub step: StepArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DraftFormat::Md)]
    pub format: DraftFormat,
    /// Exit 1 when a required item is missing (the draft is still written).
    #[arg(long)]
    pub strict: bool,
    /// Write the draft to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<Utf8PathBuf>,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

/// `report submitted`.
#[derive(Debug, Clone, Args)]
pub struct SubmittedArgs {
    /// Case id (or a unique prefix).
    #[arg(value_name = "CASE")]
    pub case: String,
    /// Which report.
    #[arg(value_enum, value_name = "REPORT")]
    pub step: StepArg,
    /// When it was submitted, RFC 3339 (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The Single Reporting Platform's reference.
    #[arg(long, value_name = "REF")]
    pub reference: Option<String>,
    /// Replace an earlier submission record of this report.
    #[arg(long)]
    pub force: bool,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

/// `report fix`.
#[derive(Debug, Clone, Args)]
pub struct FixArgs {
    /// Case id (or a unique prefix).
    #[arg(value_name = "CASE")]
    pub case: String,
    /// The first fixed version: VERSION for every product of the case, or PRODUCT@VERSION
    /// (repeatable).
    #[arg(long, value_name = "VERSION", required = true)]
    pub fixed_in: Vec<String>,
    /// When the fix became available to users, RFC 3339 (default: now).
    #[arg(long, value_name = "TIME")]
    pub available_at: Option<String>,
    /// Details about the security update (for the final report and the advisory).
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Where users get the update.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

/// `report mitigation`.
#[derive(Debug, Clone, Args)]
pub struct MitigationArgs {
    /// Case id (or a unique prefix).
    #[arg(value_name = "CASE")]
    pub case: String,
    /// What users can do.
    #[arg(value_name = "TEXT")]
    pub text: String,
    /// When this mitigating measure became available, RFC 3339 (it then starts the final
    /// report's 14 days if it is the first measure).
    #[arg(long, value_name = "TIME")]
    pub available_at: Option<String>,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

/// `report set`.
#[derive(Debug, Clone, Args)]
pub struct SetArgs {
    /// Case id (or a unique prefix).
    #[arg(value_name = "CASE")]
    pub case: String,
    /// `title`, `tlp`, or a free-text field (exploit-nature, impact, malicious-actor, ...:
    /// `cargo cra report set --help` lists them).
    #[arg(value_name = "FIELD", long_help = set_field_help())]
    pub field: String,
    /// The value (empty to clear a text field).
    #[arg(value_name = "VALUE")]
    pub value: String,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

fn set_field_help() -> String {
    let mut s = String::from("Field to set: `title`, `tlp`, or one of the free-text fields:\n");
    for (k, h) in super::case::TEXT_FIELDS {
        s.push_str(&format!("  {k}: {h}\n"));
    }
    s
}

/// `report close`.
#[derive(Debug, Clone, Args)]
pub struct CloseArgs {
    /// Case id (or a unique prefix).
    #[arg(value_name = "CASE")]
    pub case: String,
    /// Why the case is closed; required while a report is not submitted.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}

/// `report csaf`.
#[derive(Debug, Clone, Args)]
pub struct CsafArgs {
    /// Case id (or a unique prefix).
    #[arg(value_name = "CASE")]
    pub case: String,
    /// Where to write the advisory (atomically); an existing directory gets the file name
    /// CSAF asks for (the tracking id, lowercase, `.json`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Utf8PathBuf,
    /// Distribution of the advisory: clear (default: it is for the product's users), green,
    /// amber, amber+strict, red.
    #[arg(long, value_name = "TLP", default_value = "clear")]
    pub tlp: String,
    /// Workspace and policy.
    #[command(flatten)]
    pub ws: CaseWorkspace,
}
