//! RustSec advisory gate. (Being written: see issue 3.)

use crate::diag::Diagnostics;
use crate::error::Result;
use crate::policy::{Level, Validator};
use camino::Utf8PathBuf;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::CheckCtx;

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
    /// Ignore entries.
    pub ignore: Vec<Ignore>,
}

/// The RustSec database's default URL.
pub const DEFAULT_DB_URL: &str = "https://github.com/rustsec/advisory-db";

impl Config {
    /// Validates the raw section.
    pub fn validate(raw: RawConfig, v: &mut Validator<'_>) -> Config {
        let positive = |v: &mut Validator<'_>, s: Option<Spanned<i64>>, default: u32, key: &str| match s {
            Some(n) if *n.get_ref() <= 0 || *n.get_ref() > i64::from(u32::MAX) => {
                v.error(n.span(), format!("`{key}` must be a positive number"));
                default
            }
            Some(n) => *n.get_ref() as u32,
            None => default,
        };
        let maximum_db_staleness_days = positive(v, raw.maximum_db_staleness, 90, "maximum-db-staleness");
        let fetch_interval_hours = positive(v, raw.fetch_interval_hours, 24, "fetch-interval-hours");
        let db_path = raw.db_path.map(|p| expand_home(p.get_ref(), v));
        let db_urls = match raw.db_urls {
            Some(urls) => urls
                .into_iter()
                .filter_map(|u| {
                    if u.get_ref().starts_with("https://") || u.get_ref().starts_with("file://") || u.get_ref().starts_with('/') {
                        Some(u.into_inner())
                    } else {
                        v.error(u.span(), "`db-urls` entries must be https:// (or file://) git URLs");
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
                    v.error(id.span(), "an ignore entry takes either `id` or `crate`, not both");
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
                    v.error(r.span(), "`reason` must not be empty: say why the advisory does not apply");
                    continue;
                }
                None => {
                    v.error(span.clone(), "an ignore entry needs a `reason`: say why the advisory does not apply");
                    continue;
                }
            };
            let until = match e.until {
                Some(u) => match crate::policy::parse_date(u.get_ref()) {
                    Some(d) => Some(d),
                    None => {
                        v.error(u.span(), format!("`until` must be a date YYYY-MM-DD, found `{}`", u.get_ref()));
                        continue;
                    }
                },
                None => None,
            };
            ignore.push(Ignore { target, reason, until, span });
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
            ignore,
        }
    }
}

fn expand_home(p: &str, v: &Validator<'_>) -> Utf8PathBuf {
    if let Some(rest) = p.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME").and_then(|h| h.into_string().ok()) {
            return Utf8PathBuf::from(home).join(rest);
        }
    }
    let path = Utf8PathBuf::from(p);
    if path.is_absolute() { path } else { v.dir().join(path) }
}

/// Command-line options of the advisory check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--advisory-db`.
    pub db_path: Option<Utf8PathBuf>,
    /// `--scope`.
    pub scope: crate::cli::Scope,
}

/// Facts for the report: which database, which scope.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Database directory.
    pub db_path: Utf8PathBuf,
    /// Database commit, when it is a git checkout.
    pub db_commit: Option<String>,
    /// Database date (commit date, else newest advisory date), `YYYY-MM-DD`.
    pub db_date: Option<String>,
    /// Number of advisories loaded.
    pub advisory_count: usize,
    /// `build` or `lockfile`.
    pub scope: String,
    /// In build scope: advisories that match Cargo.lock but no built package.
    pub out_of_scope: usize,
}

/// Runs the advisory check.
pub fn check(_ctx: &CheckCtx<'_>, _opts: &Options, _sink: &mut Diagnostics) -> Result<Report> {
    Err(crate::error::Error::other("the advisory check is not built yet"))
}
