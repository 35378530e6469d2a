//! The case file, `cra-reports/<case>/case.toml` at the workspace root: one actively
//! exploited vulnerability (CRA Art. 14(1)) or severe incident (Art. 14(3)), with what the
//! manufacturer knows, when it became aware, the affected products and releases, the
//! corrective measure, mitigations, the sensitivity (TLP), the free-text fields the reports
//! need and each report's submission.
//!
//! The file is read into `Raw*` types (unknown keys rejected, spans kept) and validated into
//! [`Case`]; every problem is an error naming the file, line and column (exit 2). It is
//! written back in a fixed layout with comments (so reviews show small diffs); comments a
//! person adds are not kept: text belongs in the fields.

use super::time as t;
use crate::error::{Error, Result};
use crate::fsutil;
use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;
use std::ops::Range;
use time::OffsetDateTime;
use toml::Spanned;

/// The folder of case files at the workspace root.
pub const DIR: &str = "cra-reports";

/// The case file's name inside its folder.
pub const FILE: &str = "case.toml";

/// The version of the case file layout this tool writes and reads.
pub const FORMAT_VERSION: i64 = 1;

/// What a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An actively exploited vulnerability (Art. 14(1), (2)).
    Vulnerability,
    /// A severe incident having an impact on the security of the product (Art. 14(3), (4)).
    Incident,
}

impl Kind {
    /// `vulnerability` or `incident`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Incident => "incident",
        }
    }
}

/// Sensitivity of the information (Art. 14(2)(b), 14(4)(b)), as a Traffic Light Protocol
/// 2.0 label (the labels CSAF 2.0 knows: CLEAR is written WHITE there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tlp {
    /// TLP:CLEAR, may be shared publicly.
    Clear,
    /// TLP:GREEN, the community.
    Green,
    /// TLP:AMBER, need to know within the recipients' organisations and their clients.
    Amber,
    /// TLP:AMBER+STRICT, the recipients' organisations only.
    AmberStrict,
    /// TLP:RED, the recipients only.
    Red,
}

impl Tlp {
    /// Every label, as written in the case file.
    pub const NAMES: &'static [&'static str] = &["clear", "green", "amber", "amber+strict", "red"];

    /// Parses a label (`clear`, `green`, `amber`, `amber+strict`, `red`; `white` and
    /// `TLP:` prefixes accepted).
    pub fn parse(s: &str) -> Option<Tlp> {
        let s = s.trim().to_ascii_lowercase();
        let s = s.strip_prefix("tlp:").unwrap_or(&s);
        Some(match s {
            "clear" | "white" => Tlp::Clear,
            "green" => Tlp::Green,
            "amber" => Tlp::Amber,
            "amber+strict" => Tlp::AmberStrict,
            "red" => Tlp::Red,
            _ => return None,
        })
    }

    /// The name written in the case file.
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// `TLP:AMBER+STRICT` and so on.
    pub fn label(self) -> String {
        format!("TLP:{}", self.as_str().to_ascii_uppercase())
    }
}

/// The three reports (Art. 14(2)(a)-(c), 14(4)(a)-(c)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Early warning, within 24 hours of becoming aware.
    EarlyWarning,
    /// Vulnerability or incident notification, within 72 hours of becoming aware.
    Notification,
    /// Final report.
    Final,
}

impl Step {
    /// In order.
    pub const ALL: [Step; 3] = [Step::EarlyWarning, Step::Notification, Step::Final];

    /// `early-warning`, `notification`, `final`.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::EarlyWarning => "early-warning",
            Step::Notification => "notification",
            Step::Final => "final",
        }
    }

    /// Parses a step name.
    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// How people call it.
    pub fn title(self, kind: Kind) -> &'static str {
        match (self, kind) {
            (Step::EarlyWarning, _) => "Early warning",
            (Step::Notification, Kind::Vulnerability) => "Vulnerability notification",
            (Step::Notification, Kind::Incident) => "Incident notification",
            (Step::Final, _) => "Final report",
        }
    }

    /// Index into [`Case::reports`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The advisory a vulnerability case is about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Advisory {
    /// `RUSTSEC-YYYY-NNNN`, or the id the manufacturer uses (CVE, own).
    pub id: String,
    /// Other ids (CVE, GHSA).
    pub aliases: Vec<String>,
    /// The affected crate, when the advisory is about a dependency.
    pub crate_name: Option<String>,
    /// One-line title.
    pub title: Option<String>,
    /// Description of the vulnerability.
    pub description: Option<String>,
    /// Where to read more.
    pub url: Option<String>,
    /// CVSS vector.
    pub cvss: Option<String>,
    /// CVSS base score.
    pub cvss_score: Option<f64>,
    /// Qualitative severity (`low` ... `critical`).
    pub severity: Option<String>,
    /// Patched version requirements of the crate.
    pub patched: Vec<String>,
    /// Date the advisory was published.
    pub published: Option<String>,
    /// CWE ids (`CWE-787`).
    pub cwe: Vec<String>,
}

/// A product of the workspace the case concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Package name.
    pub name: String,
    /// Version in the workspace when the case was opened.
    pub version: String,
    /// purl.
    pub purl: String,
}

/// A release known to be affected, with the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Product name.
    pub product: String,
    /// Version.
    pub version: String,
    /// purl of the product at that version.
    pub purl: String,
    /// Where it was found: an SBOM (path relative to the workspace root), `Cargo.lock`, or
    /// `manual`.
    pub evidence: String,
    /// SHA-256 of the SBOM, when the evidence is one.
    pub sbom_sha256: Option<String>,
    /// purls of the affected components in it.
    pub components: Vec<String>,
}

/// A fixed version of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedIn {
    /// Product name.
    pub product: String,
    /// The first fixed version.
    pub version: String,
}

/// The corrective measure (the security update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// When it became available to users (starts the final report's 14 days).
    pub available_at: OffsetDateTime,
    /// Fixed versions per product.
    pub versions: Vec<FixedIn>,
    /// Details about the update (Art. 14(2)(c)).
    pub description: Option<String>,
    /// Where users get it (release notes, download).
    pub url: Option<String>,
}

/// A mitigating measure users can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mitigation {
    /// What to do.
    pub text: String,
    /// When it became available; a mitigating measure starts the final report's 14 days
    /// too (Art. 14(2)(c): "a corrective or mitigating measure").
    pub available_at: Option<OffsetDateTime>,
}

/// A report's submission to the Single Reporting Platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// When it was submitted.
    pub at: OffsetDateTime,
    /// The platform's reference.
    pub reference: Option<String>,
}

/// One published revision of the CSAF advisory (`report csaf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsafRevision {
    /// Revision number (`1`, `2`, ...).
    pub number: u32,
    /// When it was written.
    pub date: OffsetDateTime,
    /// What changed.
    pub summary: String,
    /// SHA-256 of the document's content (tracking left out), to notice changes.
    pub content_sha256: String,
}

/// The free-text fields the reports need; each may be set with `cargo cra report set` or
/// by editing the file.
pub const TEXT_FIELDS: &[(&str, &str)] = &[
    (
        "summary",
        "short description of the vulnerability or incident in your words",
    ),
    (
        "exploit-nature",
        "general nature of the exploit (Art. 14(2)(b))",
    ),
    (
        "vulnerability-nature",
        "general nature of the vulnerability (Art. 14(2)(b); default: the advisory's description)",
    ),
    (
        "incident-nature",
        "general information about the nature of the incident (Art. 14(4)(b))",
    ),
    (
        "initial-assessment",
        "initial assessment of the incident (Art. 14(4)(b))",
    ),
    (
        "description",
        "detailed description, including severity and impact (Art. 14(2)(c), 14(4)(c))",
    ),
    (
        "severity",
        "severity in words (default: the advisory's CVSS severity)",
    ),
    ("impact", "impact on the product and its users"),
    (
        "malicious-actor",
        "information on any malicious actor exploiting the vulnerability, or `none known` (Art. 14(2)(c))",
    ),
    (
        "suspected-malicious",
        "incident suspected to be caused by unlawful or malicious acts: `yes`, `no` or `unknown` (Art. 14(4)(a))",
    ),
    (
        "root-cause",
        "type of threat or root cause that likely triggered the incident (Art. 14(4)(c))",
    ),
    (
        "measures-taken",
        "corrective or mitigating measures the manufacturer has taken (Art. 14(2)(b), 14(4)(b))",
    ),
    (
        "ongoing-mitigations",
        "applied and ongoing mitigation measures (Art. 14(4)(c))",
    ),
];

/// A validated case.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Where it was read from / is written to.
    pub path: Utf8PathBuf,
    /// Case id (the folder's name).
    pub id: String,
    /// Vulnerability or incident.
    pub kind: Kind,
    /// One-line title.
    pub title: String,
    /// When the manufacturer became aware (UTC).
    pub aware_at: OffsetDateTime,
    /// When the case was opened.
    pub opened_at: OffsetDateTime,
    /// Sensitivity.
    pub tlp: Tlp,
    /// When and why it was closed.
    pub closed: Option<(OffsetDateTime, String)>,
    /// The advisory (vulnerability cases).
    pub advisory: Option<Advisory>,
    /// Free-text fields by name (see [`TEXT_FIELDS`]).
    pub text: std::collections::BTreeMap<String, String>,
    /// The workspace's products.
    pub products: Vec<Product>,
    /// Affected releases.
    pub releases: Vec<Release>,
    /// The corrective measure.
    pub fix: Option<Fix>,
    /// Mitigations users can take.
    pub mitigations: Vec<Mitigation>,
    /// Submissions, indexed by [`Step::index`].
    pub reports: [Option<Submission>; 3],
    /// CSAF advisory revisions written so far.
    pub csaf_revisions: Vec<CsafRevision>,
}

impl Case {
    /// A text field, when set and not blank.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.text
            .get(key)
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    /// The submission of `step`.
    pub fn submission(&self, step: Step) -> Option<&Submission> {
        self.reports[step.index()].as_ref()
    }

    /// The case folder (`cra-reports/<id>`).
    pub fn dir(&self) -> &Utf8Path {
        self.path.parent().unwrap_or(Utf8Path::new("."))
    }
}

// ---------------------------------------------------------------------------------------
// Reading

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCase {
    format_version: S<i64>,
    id: S<String>,
    kind: S<String>,
    title: S<String>,
    aware_at: S<String>,
    opened_at: Option<S<String>>,
    tlp: Option<S<String>>,
    state: Option<S<String>>,
    closed_at: Option<S<String>>,
    close_reason: Option<String>,
    advisory: Option<RawAdvisory>,
    #[serde(default)]
    text: std::collections::BTreeMap<S<String>, S<toml::Value>>,
    #[serde(default)]
    products: Vec<RawProduct>,
    #[serde(default)]
    releases: Vec<RawRelease>,
    fix: Option<RawFix>,
    #[serde(default)]
    mitigations: Vec<RawMitigation>,
    #[serde(default)]
    reports: RawReports,
    #[serde(default)]
    csaf_revisions: Vec<RawCsafRevision>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAdvisory {
    id: S<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(rename = "crate")]
    crate_name: Option<String>,
    title: Option<String>,
    description: Option<String>,
    url: Option<String>,
    cvss: Option<String>,
    cvss_score: Option<S<f64>>,
    severity: Option<String>,
    #[serde(default)]
    patched: Vec<String>,
    published: Option<String>,
    #[serde(default)]
    cwe: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawProduct {
    name: String,
    version: S<String>,
    purl: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRelease {
    product: String,
    version: S<String>,
    purl: String,
    evidence: String,
    sbom_sha256: Option<String>,
    #[serde(default)]
    components: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFixedIn {
    product: String,
    version: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFix {
    available_at: S<String>,
    #[serde(default)]
    versions: Vec<RawFixedIn>,
    description: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMitigation {
    text: S<String>,
    available_at: Option<S<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawReports {
    early_warning: Option<RawReport>,
    notification: Option<RawReport>,
    #[serde(rename = "final")]
    final_report: Option<RawReport>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawReport {
    /// Written for reviewers; always recomputed.
    #[serde(rename = "due")]
    _due: Option<String>,
    submitted_at: Option<S<String>>,
    reference: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCsafRevision {
    number: S<i64>,
    date: S<String>,
    summary: String,
    content_sha256: String,
}

/// Collects validation errors with spans, reported together.
struct Check<'a> {
    path: &'a Utf8Path,
    text: &'a str,
    errors: Vec<(Range<usize>, String)>,
}

impl Check<'_> {
    fn err(&mut self, span: Range<usize>, msg: impl Into<String>) {
        self.errors.push((span, msg.into()));
    }

    fn time(&mut self, v: &S<String>, what: &str) -> Option<OffsetDateTime> {
        match t::parse(v.get_ref()) {
            Ok(x) => Some(x),
            Err(e) => {
                self.err(v.span(), format!("`{what}`: {e}"));
                None
            }
        }
    }

    fn version(&mut self, v: &S<String>, what: &str) {
        if semver::Version::parse(v.get_ref()).is_err() {
            self.err(
                v.span(),
                format!(
                    "`{what}` must be a version like `1.2.1`, found `{}`",
                    v.get_ref()
                ),
            );
        }
    }

    fn finish(self) -> Result<()> {
        let Some((span, first)) = self.errors.iter().min_by_key(|(s, _)| s.start) else {
            return Ok(());
        };
        let (line, col) = fsutil::line_col(self.text, span.start);
        let src = self.text.lines().nth(line - 1).unwrap_or("").trim_end();
        let mut msg = format!("{first}\n     |\n{line:>4} | {src}");
        let mut rest: Vec<&(Range<usize>, String)> = self.errors.iter().collect();
        rest.sort_by_key(|(s, _)| s.start);
        for (s, m) in rest.iter().skip(1) {
            let (l, c) = fsutil::line_col(self.text, s.start);
            msg.push_str(&format!("\n{}:{l}:{c}: {m}", self.path));
        }
        Err(Error::malformed(format!("{}:{line}:{col}", self.path), msg))
    }
}

/// Reads and validates a case file.
pub fn load(path: &Utf8Path) -> Result<Case> {
    let text = fsutil::read_to_string(path)?;
    parse(path, &text)
}

/// Parses and validates case file text read from `path`.
pub fn parse(path: &Utf8Path, text: &str) -> Result<Case> {
    let raw: RawCase = toml::from_str(text).map_err(|e| {
        let err = fsutil::toml_error(path, text, &e);
        match err {
            Error::Malformed { path, message } => {
                Error::malformed(path, format!("not a valid case file: {message}"))
            }
            other => other,
        }
    })?;
    let mut c = Check {
        path,
        text,
        errors: Vec::new(),
    };
    if *raw.format_version.get_ref() != FORMAT_VERSION {
        c.err(
            raw.format_version.span(),
            format!(
                "`format-version` {} is not supported (this cargo-cra reads version {FORMAT_VERSION})",
                raw.format_version.get_ref()
            ),
        );
    }
    let id = raw.id.get_ref().clone();
    let folder = path
        .parent()
        .and_then(Utf8Path::file_name)
        .unwrap_or_default();
    if !valid_id(&id) {
        c.err(
            raw.id.span(),
            format!("`id` `{id}` must be lowercase letters, digits and `-`"),
        );
    } else if !folder.is_empty() && folder != id {
        c.err(
            raw.id.span(),
            format!("`id` is `{id}` but the case folder is `{folder}`: they must be the same"),
        );
    }
    let kind = match raw.kind.get_ref().as_str() {
        "vulnerability" => Kind::Vulnerability,
        "incident" => Kind::Incident,
        other => {
            c.err(
                raw.kind.span(),
                format!("`kind` must be `vulnerability` or `incident`, found `{other}`"),
            );
            Kind::Vulnerability
        }
    };
    if raw.title.get_ref().trim().is_empty() {
        c.err(raw.title.span(), "`title` must not be empty");
    }
    let aware_at = c.time(&raw.aware_at, "aware-at");
    let opened_at = raw.opened_at.as_ref().and_then(|v| c.time(v, "opened-at"));
    let tlp = match &raw.tlp {
        None => Tlp::Amber,
        Some(v) => Tlp::parse(v.get_ref()).unwrap_or_else(|| {
            c.err(
                v.span(),
                format!(
                    "`tlp` must be one of {}, found `{}`",
                    Tlp::NAMES.join(", "),
                    v.get_ref()
                ),
            );
            Tlp::Amber
        }),
    };
    let closed = match raw.state.as_ref().map(|s| (s.get_ref().as_str(), s.span())) {
        None | Some(("open", _)) => None,
        Some(("closed", span)) => match &raw.closed_at {
            Some(v) => c
                .time(v, "closed-at")
                .map(|at| (at, raw.close_reason.clone().unwrap_or_default())),
            None => {
                c.err(span, "a closed case needs `closed-at`");
                None
            }
        },
        Some((other, span)) => {
            c.err(
                span,
                format!("`state` must be `open` or `closed`, found `{other}`"),
            );
            None
        }
    };
    let advisory = raw.advisory.map(|a| {
        if a.id.get_ref().trim().is_empty() {
            c.err(a.id.span(), "`advisory.id` must not be empty");
        }
        if let Some(s) = &a.cvss_score
            && !(0.0..=10.0).contains(s.get_ref())
        {
            c.err(s.span(), "`cvss-score` must be between 0.0 and 10.0");
        }
        Advisory {
            id: a.id.into_inner(),
            aliases: a.aliases,
            crate_name: a.crate_name,
            title: a.title,
            description: a.description,
            url: a.url,
            cvss: a.cvss,
            cvss_score: a.cvss_score.map(Spanned::into_inner),
            severity: a.severity,
            patched: a.patched,
            published: a.published,
            cwe: a.cwe,
        }
    });
    if kind == Kind::Vulnerability && advisory.is_none() {
        c.err(
            raw.kind.span(),
            "a vulnerability case needs an `[advisory]` table with at least its `id`",
        );
    }
    let mut text_fields = std::collections::BTreeMap::new();
    for (k, v) in &raw.text {
        let key = k.get_ref();
        if !TEXT_FIELDS.iter().any(|(f, _)| f == key) {
            c.err(
                k.span(),
                format!(
                    "unknown field `{key}` in [text]; known: {}",
                    TEXT_FIELDS
                        .iter()
                        .map(|(f, _)| *f)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            continue;
        }
        match v.get_ref().as_str() {
            Some(s) if s.trim().is_empty() => {}
            Some(s)
                if key == "suspected-malicious"
                    && !["yes", "no", "unknown"].contains(&s.trim()) =>
            {
                c.err(
                    v.span(),
                    format!("`suspected-malicious` must be `yes`, `no` or `unknown`, found `{s}`"),
                );
            }
            Some(s) => {
                text_fields.insert(key.clone(), s.to_string());
            }
            None => c.err(v.span(), format!("`text.{key}` must be a string")),
        }
    }
    let products = raw
        .products
        .into_iter()
        .map(|p| {
            c.version(&p.version, "products.version");
            Product {
                name: p.name,
                version: p.version.into_inner(),
                purl: p.purl,
            }
        })
        .collect();
    let releases = raw
        .releases
        .into_iter()
        .map(|r| {
            c.version(&r.version, "releases.version");
            Release {
                product: r.product,
                version: r.version.into_inner(),
                purl: r.purl,
                evidence: r.evidence,
                sbom_sha256: r.sbom_sha256,
                components: r.components,
            }
        })
        .collect();
    let fix = raw.fix.and_then(|f| {
        for v in &f.versions {
            c.version(&v.version, "fix.versions.version");
        }
        let at = c.time(&f.available_at, "fix.available-at")?;
        Some(Fix {
            available_at: at,
            versions: f
                .versions
                .into_iter()
                .map(|v| FixedIn {
                    product: v.product,
                    version: v.version.into_inner(),
                })
                .collect(),
            description: f.description,
            url: f.url,
        })
    });
    let mitigations = raw
        .mitigations
        .into_iter()
        .map(|m| {
            if m.text.get_ref().trim().is_empty() {
                c.err(m.text.span(), "a mitigation's `text` must not be empty");
            }
            Mitigation {
                available_at: m
                    .available_at
                    .as_ref()
                    .and_then(|v| c.time(v, "mitigations.available-at")),
                text: m.text.into_inner(),
            }
        })
        .collect();
    let mut sub =
        |r: Option<RawReport>, what: &str| -> (Option<Submission>, Option<Range<usize>>) {
            let Some(at) = r.as_ref().and_then(|r| r.submitted_at.as_ref()) else {
                return (None, None);
            };
            let span = at.span();
            let Some(time) = c.time(at, &format!("reports.{what}.submitted-at")) else {
                return (None, Some(span));
            };
            let reference = r.and_then(|r| r.reference).filter(|s| !s.trim().is_empty());
            (
                Some(Submission {
                    at: time,
                    reference,
                }),
                Some(span),
            )
        };
    let (ew, ew_span) = sub(raw.reports.early_warning, "early-warning");
    let (nt, nt_span) = sub(raw.reports.notification, "notification");
    let (fi, fi_span) = sub(raw.reports.final_report, "final");
    let reports = [ew, nt, fi];
    let report_spans = [ew_span, nt_span, fi_span];
    let csaf_revisions = raw
        .csaf_revisions
        .into_iter()
        .filter_map(|r| {
            let n = *r.number.get_ref();
            if !(1..=i64::from(u32::MAX)).contains(&n) {
                c.err(r.number.span(), "`number` must be 1 or more");
            }
            Some(CsafRevision {
                number: u32::try_from(n).unwrap_or(1),
                date: c.time(&r.date, "csaf-revisions.date")?,
                summary: r.summary,
                content_sha256: r.content_sha256,
            })
        })
        .collect();
    if let Some(aware) = aware_at {
        for (i, s) in reports.iter().enumerate() {
            if let Some(s) = s
                && s.at < aware
            {
                c.err(
                    report_spans[i].clone().unwrap_or(0..0),
                    format!(
                        "the {} was submitted at {}, before the manufacturer became aware ({})",
                        Step::ALL[i].as_str(),
                        t::rfc3339(s.at),
                        t::rfc3339(aware)
                    ),
                );
            }
        }
    }
    c.finish()?;
    let aware_at = aware_at.expect("validated");
    Ok(Case {
        path: path.to_path_buf(),
        id,
        kind,
        title: raw.title.into_inner(),
        aware_at,
        opened_at: opened_at.unwrap_or(aware_at),
        tlp,
        closed,
        advisory,
        text: text_fields,
        products,
        releases,
        fix,
        mitigations,
        reports,
        csaf_revisions,
    })
}

/// Whether `id` is a valid case id: lowercase ASCII letters, digits and `-`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// A readable, deterministic case id: the awareness date and a slug of `name`
/// (`2026-12-01-rustsec-2026-0007`, `2026-12-01-incident-firmware-signing-key-exposed`).
pub fn make_id(aware_at: OffsetDateTime, name: &str) -> String {
    let mut slug = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 48 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let d = aware_at.date();
    if slug.is_empty() {
        format!("{d}-case")
    } else {
        format!("{d}-{slug}")
    }
}

/// Every case under `<root>/cra-reports/`, sorted by id. A malformed case file stops the
/// run (exit 2): a deadline must not be missed because its file could not be read.
pub fn load_all(root: &Utf8Path) -> Result<Vec<Case>> {
    let dir = root.join(DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut paths = Vec::new();
    for e in entries {
        let e = e.map_err(|e| Error::read(&dir, e))?;
        let p = dir.join(e.file_name().to_string_lossy().as_ref());
        if p.join(FILE).is_file() {
            paths.push(p.join(FILE));
        }
    }
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

/// Finds a case by id (or a unique prefix of one).
pub fn find(root: &Utf8Path, id: &str) -> Result<Case> {
    let exact = root.join(DIR).join(id).join(FILE);
    if exact.is_file() {
        return load(&exact);
    }
    let dir = root.join(DIR);
    let mut matches: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(id) && dir.join(n).join(FILE).is_file())
                .collect()
        })
        .unwrap_or_default();
    matches.sort();
    match matches.as_slice() {
        [one] => load(&dir.join(one).join(FILE)),
        [] => Err(Error::other(format!(
            "no case `{id}` in {dir} (`cargo cra report list` shows the cases)"
        ))),
        many => Err(Error::other(format!(
            "`{id}` matches several cases: {}",
            many.join(", ")
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// Writing

/// A TOML basic string (multi-line when `s` has line breaks).
pub fn toml_string(s: &str) -> String {
    let multi = s.contains('\n');
    let mut out = String::new();
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' if multi => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    if multi {
        format!("\"\"\"\n{out}\"\"\"")
    } else {
        format!("\"{out}\"")
    }
}

fn toml_array(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", v.join(", "))
}

/// Renders the case file (the deadlines from `deadlines`, for reviewers).
pub fn render(case: &Case, deadlines: &[Option<OffsetDateTime>; 3]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# CRA Art. 14 case file, kept by `cargo cra report` ({}).\n\
         # Review it like code. Free text goes into [text] (or `cargo cra report set`); comments\n\
         # added here are not kept when the tool rewrites the file.",
        if case.kind == Kind::Vulnerability {
            "actively exploited vulnerability, Art. 14(1)-(2)"
        } else {
            "severe incident, Art. 14(3)-(4)"
        }
    );
    let _ = writeln!(w, "format-version = {FORMAT_VERSION}");
    let _ = writeln!(w, "id = {}", toml_string(&case.id));
    let _ = writeln!(
        w,
        "kind = {}          # \"vulnerability\" or \"incident\"",
        toml_string(case.kind.as_str())
    );
    let _ = writeln!(w, "title = {}", toml_string(&case.title));
    let _ = writeln!(
        w,
        "aware-at = \"{}\"   # when the manufacturer became aware (UTC): starts the 24 h and 72 h",
        t::rfc3339(case.aware_at)
    );
    let _ = writeln!(w, "opened-at = \"{}\"", t::rfc3339(case.opened_at));
    let _ = writeln!(
        w,
        "tlp = {}   # sensitivity of the information: clear, green, amber, amber+strict, red",
        toml_string(case.tlp.as_str())
    );
    match &case.closed {
        None => {
            let _ = writeln!(w, "state = \"open\"");
        }
        Some((at, reason)) => {
            let _ = writeln!(w, "state = \"closed\"");
            let _ = writeln!(w, "closed-at = \"{}\"", t::rfc3339(*at));
            let _ = writeln!(w, "close-reason = {}", toml_string(reason));
        }
    }
    if let Some(a) = &case.advisory {
        let _ = writeln!(w, "\n[advisory]");
        let _ = writeln!(w, "id = {}", toml_string(&a.id));
        let _ = writeln!(w, "aliases = {}", toml_array(&a.aliases));
        let opt = |w: &mut String, k: &str, v: &Option<String>| {
            if let Some(v) = v {
                let _ = writeln!(w, "{k} = {}", toml_string(v));
            }
        };
        opt(w, "crate", &a.crate_name);
        opt(w, "title", &a.title);
        opt(w, "url", &a.url);
        opt(w, "published", &a.published);
        opt(w, "cvss", &a.cvss);
        if let Some(sc) = a.cvss_score {
            let _ = writeln!(w, "cvss-score = {sc:.1}");
        }
        opt(w, "severity", &a.severity);
        if !a.cwe.is_empty() {
            let _ = writeln!(w, "cwe = {}", toml_array(&a.cwe));
        }
        if !a.patched.is_empty() {
            let _ = writeln!(w, "patched = {}", toml_array(&a.patched));
        }
        opt(w, "description", &a.description);
    }
    let _ = writeln!(
        w,
        "\n# Free text for the reports. Empty fields show up as TODO in `cargo cra report draft`."
    );
    let _ = writeln!(w, "[text]");
    for (k, help) in TEXT_FIELDS {
        if !relevant(case.kind, k) {
            if let Some(v) = case.text.get(*k) {
                let _ = writeln!(w, "{k} = {}", toml_string(v));
            }
            continue;
        }
        let _ = writeln!(w, "# {help}");
        let _ = writeln!(
            w,
            "{k} = {}",
            toml_string(case.text.get(*k).map_or("", String::as_str))
        );
    }
    for p in &case.products {
        let _ = writeln!(w, "\n[[products]]");
        let _ = writeln!(w, "name = {}", toml_string(&p.name));
        let _ = writeln!(w, "version = {}", toml_string(&p.version));
        let _ = writeln!(w, "purl = {}", toml_string(&p.purl));
    }
    for r in &case.releases {
        let _ = writeln!(w, "\n[[releases]]   # affected");
        let _ = writeln!(w, "product = {}", toml_string(&r.product));
        let _ = writeln!(w, "version = {}", toml_string(&r.version));
        let _ = writeln!(w, "purl = {}", toml_string(&r.purl));
        let _ = writeln!(w, "evidence = {}", toml_string(&r.evidence));
        if let Some(h) = &r.sbom_sha256 {
            let _ = writeln!(w, "sbom-sha256 = {}", toml_string(h));
        }
        let _ = writeln!(w, "components = {}", toml_array(&r.components));
    }
    if let Some(f) = &case.fix {
        let _ = writeln!(w, "\n[fix]   # the corrective measure (security update)");
        let _ = writeln!(w, "available-at = \"{}\"", t::rfc3339(f.available_at));
        let v: Vec<String> = f
            .versions
            .iter()
            .map(|v| {
                format!(
                    "{{ product = {}, version = {} }}",
                    toml_string(&v.product),
                    toml_string(&v.version)
                )
            })
            .collect();
        let _ = writeln!(w, "versions = [{}]", v.join(", "));
        if let Some(d) = &f.description {
            let _ = writeln!(w, "description = {}", toml_string(d));
        }
        if let Some(u) = &f.url {
            let _ = writeln!(w, "url = {}", toml_string(u));
        }
    }
    for m in &case.mitigations {
        let _ = writeln!(w, "\n[[mitigations]]   # what users can do");
        let _ = writeln!(w, "text = {}", toml_string(&m.text));
        if let Some(at) = m.available_at {
            let _ = writeln!(w, "available-at = \"{}\"", t::rfc3339(at));
        }
    }
    for step in Step::ALL {
        let _ = writeln!(w, "\n[reports.{}]", step.as_str());
        match deadlines[step.index()] {
            Some(d) => {
                let _ = writeln!(w, "due = \"{}\"   # computed; not read back", t::rfc3339(d));
            }
            None => {
                let _ = writeln!(
                    w,
                    "# due: {}",
                    super::deadline::pending_reason(case.kind, step)
                );
            }
        }
        if let Some(sub) = case.submission(step) {
            let _ = writeln!(w, "submitted-at = \"{}\"", t::rfc3339(sub.at));
            if let Some(r) = &sub.reference {
                let _ = writeln!(w, "reference = {}", toml_string(r));
            }
        }
    }
    for r in &case.csaf_revisions {
        let _ = writeln!(w, "\n[[csaf-revisions]]");
        let _ = writeln!(w, "number = {}", r.number);
        let _ = writeln!(w, "date = \"{}\"", t::rfc3339(r.date));
        let _ = writeln!(w, "summary = {}", toml_string(&r.summary));
        let _ = writeln!(w, "content-sha256 = {}", toml_string(&r.content_sha256));
    }
    s
}

/// Whether a text field belongs to this kind of case (others are kept when set).
pub fn relevant(kind: Kind, key: &str) -> bool {
    match key {
        "exploit-nature" | "vulnerability-nature" | "malicious-actor" => {
            kind == Kind::Vulnerability
        }
        "incident-nature"
        | "initial-assessment"
        | "suspected-malicious"
        | "root-cause"
        | "ongoing-mitigations" => kind == Kind::Incident,
        _ => true,
    }
}

/// Writes the case file atomically (creating its folder), after checking that what is
/// written reads back as the same case.
pub fn save(case: &Case) -> Result<()> {
    let text = render(case, &super::deadline::deadlines(case));
    // Fail closed: never write a file the next run could not read.
    let back = parse(&case.path, &text)?;
    debug_assert_eq!(&back, case);
    if let Some(dir) = case.path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    }
    fsutil::write_atomic(&case.path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn ids_are_readable_and_deterministic() {
        let at = datetime!(2026-12-01 09:30 UTC);
        assert_eq!(
            make_id(at, "RUSTSEC-2026-0007"),
            "2026-12-01-rustsec-2026-0007"
        );
        assert_eq!(
            make_id(at, "incident: Firmware signing key exposed!"),
            "2026-12-01-incident-firmware-signing-key-exposed"
        );
        assert!(valid_id(&make_id(at, "Ünïcode only ÄÖ")));
    }

    #[test]
    fn strings_round_trip() {
        for s in [
            "plain",
            "with \"quotes\" and \\",
            "two\nlines\n",
            "tab\tand \u{1}",
        ] {
            let doc = format!("v = {}\n", toml_string(s));
            let t: toml::Table = toml::from_str(&doc).unwrap();
            assert_eq!(t["v"].as_str().unwrap(), s, "{doc}");
        }
    }
}
