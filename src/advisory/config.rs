//! The `[advisories]` section of the policy, shared by `check` and `scan`: where the database
//! is, how stale it may be, the levels of the informational kinds, and the `ignore` entries,
//! which are also the team's triage decisions (`status`, `justification`, `products`) that
//! `cargo cra vex` publishes.

use crate::policy::{Level, Validator};
use crate::vex::{Justification, Status};
use camino::Utf8PathBuf;
use serde::Deserialize;
use toml::Spanned;

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
    status: Option<Spanned<String>>,
    justification: Option<Spanned<String>>,
    products: Option<Vec<Spanned<String>>>,
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
    /// The triage status (`None`: a plain ignore, as cargo-deny has it).
    pub status: Option<Status>,
    /// Why the product is not affected (only with `status = "not_affected"`).
    pub justification: Option<Justification>,
    /// The products (and releases) the entry applies to; empty: every product.
    pub products: Vec<ProductSpec>,
}

impl Ignore {
    /// Whether the entry silences a finding on `today`: not expired, and either a plain
    /// ignore or a triage status that settles it (`not_affected`, `fixed`). Entries with
    /// `affected` or `under_investigation` record the triage but keep the finding.
    pub fn silences(&self, today: time::Date) -> bool {
        self.is_active(today) && self.status.is_none_or(Status::settles)
    }

    /// Not past its `until` date on `today`.
    pub fn is_active(&self, today: time::Date) -> bool {
        self.until.is_none_or(|u| today <= u)
    }

    /// Whether the entry applies to the product `name` at `version` (`None`: unknown
    /// version, matched only by entries that name no version).
    pub fn applies_to(&self, name: &str, version: Option<&semver::Version>) -> bool {
        self.products.is_empty() || self.products.iter().any(|p| p.matches(name, version))
    }

    /// What the entry matches, as written (`RUSTSEC-...`, `name@version`, `name`).
    pub fn target_name(&self) -> String {
        match &self.target {
            IgnoreTarget::Id(id) => id.clone(),
            IgnoreTarget::Crate {
                name,
                version: Some(v),
            } => format!("{name}@{v}"),
            IgnoreTarget::Crate {
                name,
                version: None,
            } => name.clone(),
        }
    }
}

/// A product (and optionally its releases) an ignore entry applies to: `"app"`,
/// `"app@1.2.0"` (that release) or `"app@<1.3"` (a version requirement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSpec {
    /// The product (package) name.
    pub name: String,
    /// The releases, `None`: all.
    pub versions: Option<semver::VersionReq>,
}

impl ProductSpec {
    /// Parses `name`, `name@version` or `name@requirement`.
    pub fn parse(s: &str) -> Result<ProductSpec, String> {
        let (name, req) = match s.split_once('@') {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (s.trim(), None),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "`{s}` is not a product: write a package name, `name@1.2.0` or `name@<1.3`"
            ));
        }
        let versions = match req {
            None => None,
            Some(v) => Some(match semver::Version::parse(v) {
                Ok(exact) => semver::VersionReq {
                    comparators: vec![semver::Comparator {
                        op: semver::Op::Exact,
                        major: exact.major,
                        minor: Some(exact.minor),
                        patch: Some(exact.patch),
                        pre: exact.pre,
                    }],
                },
                Err(_) => semver::VersionReq::parse(v).map_err(|e| {
                    format!("`{s}`: `{v}` is neither a version nor a version requirement: {e}")
                })?,
            }),
        };
        Ok(ProductSpec {
            name: name.to_string(),
            versions,
        })
    }

    /// Whether it names the product `name` at `version`.
    pub fn matches(&self, name: &str, version: Option<&semver::Version>) -> bool {
        self.name == name
            && match (&self.versions, version) {
                (None, _) => true,
                (Some(req), Some(v)) => req.matches(v),
                (Some(_), None) => false,
            }
    }
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
            let status = match e.status {
                Some(s) => match Status::from_name(s.get_ref()) {
                    Some(st) => Some(st),
                    None => {
                        v.error(
                            s.span(),
                            format!(
                                "`status` must be one of {}, found `{}`",
                                Status::ALL
                                    .iter()
                                    .map(|s| format!("\"{s}\""))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                s.get_ref()
                            ),
                        );
                        continue;
                    }
                },
                None => None,
            };
            if status.is_some() && matches!(target, IgnoreTarget::Crate { .. }) {
                v.error(
                    span.clone(),
                    "`status` records the triage of an advisory: it needs `id = \"RUSTSEC-...\"`, not `crate`",
                );
                continue;
            }
            let justification = match e.justification {
                Some(j) => match Justification::from_name(j.get_ref()) {
                    Some(_) if status != Some(Status::NotAffected) => {
                        v.error(
                            j.span(),
                            "`justification` says why a product is not affected: it needs `status = \"not_affected\"`",
                        );
                        continue;
                    }
                    Some(jj) => Some(jj),
                    None => {
                        v.error(
                            j.span(),
                            format!(
                                "`justification` must be one of {}, found `{}`",
                                Justification::ALL
                                    .iter()
                                    .map(|s| format!("\"{s}\""))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                j.get_ref()
                            ),
                        );
                        continue;
                    }
                },
                None => None,
            };
            let mut products = Vec::new();
            for p in e.products.unwrap_or_default() {
                match ProductSpec::parse(p.get_ref()) {
                    Ok(spec) => products.push(spec),
                    Err(msg) => v.error(p.span(), msg),
                }
            }
            ignore.push(Ignore {
                target,
                reason,
                until,
                span,
                status,
                justification,
                products,
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
