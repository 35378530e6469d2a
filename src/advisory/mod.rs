//! RustSec advisories, shared by `check` (the build gate) and `scan` (the archive of shipped
//! releases): the database ([`db`], with the parsed-index and yanked caches in [`cache`]),
//! the `[advisories]` policy section ([`config`]), the matcher that decides which advisories
//! affect which package versions, and the suggested fix.
//!
//! Matching is exactly cargo-audit's: the `rustsec` crate decides whether a version is
//! affected; withdrawn advisories, advisories about other registries and unknown
//! informational kinds are left out; the affected os/arch are compared with the targets when
//! the caller knows them.

pub mod cache;
pub mod config;
pub mod db;

use crate::diag::{Code, Diagnostic, PackageRef, Severity};
use crate::error::Result;
use config::Config;
use db::{Database, Record};

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
    pub fn of(r: &Record) -> Option<Kind> {
        match r.informational.as_deref() {
            None => Some(Kind::Vulnerability),
            Some("unmaintained") => Some(Kind::Unmaintained),
            Some("unsound") => Some(Kind::Unsound),
            Some("notice") => Some(Kind::Notice),
            Some(_) => None,
        }
    }

    /// The kebab-case name (`vulnerability`, `unmaintained`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Unmaintained => "unmaintained",
            Kind::Unsound => "unsound",
            Kind::Notice => "notice",
        }
    }

    /// The diagnostic code of a finding of this kind.
    pub fn code(self) -> Code {
        match self {
            Kind::Vulnerability => Code::AdvisoryVulnerability,
            Kind::Unmaintained => Code::AdvisoryUnmaintained,
            Kind::Unsound => Code::AdvisoryUnsound,
            Kind::Notice => Code::AdvisoryNotice,
        }
    }

    /// Vulnerabilities are always errors; the rest follow the policy.
    /// The severity of a finding: vulnerabilities are errors, the rest follow the policy
    /// (`None`: `allow`, not reported).
    pub fn severity(self, cfg: &Config) -> Option<Severity> {
        match self {
            Kind::Vulnerability => Some(Severity::Error),
            Kind::Unmaintained => cfg.unmaintained.severity(),
            Kind::Unsound => cfg.unsound.severity(),
            Kind::Notice => cfg.notice.severity(),
        }
    }
}

/// One advisory affecting one queried package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Index of the package in the query.
    pub query: usize,
    /// Index of the advisory in [`Database::advisories`].
    pub advisory: usize,
    /// Its kind.
    pub kind: Kind,
}

/// Matches crates.io packages (`(name, version)`, in query order) against the database:
/// every advisory that affects the version, withdrawn ones, those about other registries and
/// unknown informational kinds left out. The platform is not looked at
/// ([`platform_applies`] does that for callers that know their targets).
pub fn matches<'q>(
    database: &Database,
    query: impl IntoIterator<Item = (&'q str, &'q semver::Version)>,
) -> Result<Vec<Match>> {
    let mut out = Vec::new();
    for (qi, (name, version)) in query.into_iter().enumerate() {
        for &ai in database.for_crate(name) {
            let r = &database.advisories[ai];
            if r.withdrawn.is_some() || r.source.is_some() {
                continue;
            }
            let Some(kind) = Kind::of(r) else { continue };
            if r.versions()?.is_vulnerable(version) {
                out.push(Match {
                    query: qi,
                    advisory: ai,
                    kind,
                });
            }
        }
    }
    Ok(out)
}

/// Whether an advisory's os/arch restriction applies to one of the targets, given as
/// `(target_os, target_arch)` (`None` for a target whose platform is unknown). `Some(true)`
/// when it has no restriction or a target matches, `Some(false)` when every target is known
/// and none matches, `None` when no known target matches but some are unknown (or there are
/// none): the caller reports it, noting why.
pub fn platform_applies(r: &Record, targets: &[Option<(String, String)>]) -> Option<bool> {
    if r.os.is_empty() && r.arch.is_empty() {
        return Some(true);
    }
    let mut unknown = targets.is_empty();
    for t in targets {
        match t {
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
}

/// The ids an advisory is known by: its RustSec id first, then its aliases (CVE, GHSA).
pub fn ids(r: &Record) -> Vec<&str> {
    std::iter::once(r.id.as_str())
        .chain(r.aliases.iter().map(String::as_str))
        .collect()
}

/// The finding for one advisory on one package, as `check` and `scan` both report it: the
/// message, severity (CVSS), patched versions and affected functions. Callers add their
/// labels and context, then [`finish_finding`].
pub fn finding(
    r: &Record,
    kind: Kind,
    severity: Severity,
    pkg: PackageRef,
    version: &semver::Version,
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
        pkg.name, pkg.version, r.id, r.title
    );
    let mut d = Diagnostic::new(kind.code(), severity, message).with_package(pkg);
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
    let functions = affected_functions(r, version);
    if !functions.is_empty() {
        d = d.with_note(format!(
            "affected functions: {} (whether they are called cannot be told from the dependency graph)",
            functions.join(", ")
        ));
    }
    d
}

/// The advisory's affected functions in `version`.
pub fn affected_functions<'r>(r: &'r Record, version: &semver::Version) -> Vec<&'r str> {
    r.functions
        .iter()
        .filter(|f| {
            f.versions
                .iter()
                .any(|v| semver::VersionReq::parse(v).is_ok_and(|req| req.matches(version)))
        })
        .map(|f| f.path.as_str())
        .collect()
}

/// Adds the fix (`help:` line, then `after_fix` lines), the advisory's address and the
/// structured data (`advisory-id`, `kind`, `title`, `aliases`, `date`, `cvss`, `patched`,
/// `fix`, `url`, `functions`) to a [`finding`].
pub fn finish_finding(
    mut d: Diagnostic,
    r: &Record,
    kind: Kind,
    fix: Fix,
    after_fix: Vec<String>,
    version: &semver::Version,
) -> Diagnostic {
    d = d.with_note(format!("help: {}", fix.text));
    for n in after_fix {
        d = d.with_note(n);
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
    let functions = affected_functions(r, version);
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
