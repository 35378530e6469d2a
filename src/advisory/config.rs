//! The `[advisories]` section of the policy, shared by `check` and `scan`: where the database
//! is, how stale it may be, the levels of the informational kinds, and the `ignore` entries,
//! which are also the team's triage decisions (`status`, `justification`, `products`) that
//! `cargo cra vex` publishes.

use crate::policy::value::{Table, Value};
use crate::policy::{Dialect, Level, Validator};
use crate::vex::{Justification, Status};
use camino::Utf8PathBuf;
use serde::Deserialize;
use toml::Spanned;

/// `[advisories]` as written. Keys whose value takes several shapes (cargo-deny's and ours)
/// are read as spanned values ([`crate::policy::value`]).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    db_path: Option<Spanned<String>>,
    db_urls: Option<Vec<Spanned<String>>>,
    /// Days (ours), or an ISO 8601 duration such as "P90D" (cargo-deny's).
    maximum_db_staleness: Option<Spanned<Value>>,
    fetch_interval_hours: Option<Spanned<i64>>,
    /// A level (ours, and cargo-deny v1), or a scope (cargo-deny v2).
    unmaintained: Option<Spanned<Value>>,
    unsound: Option<Spanned<Value>>,
    notice: Option<Spanned<Value>>,
    yanked: Option<Level>,
    include_dev: Option<bool>,
    #[serde(default)]
    ignore: Vec<Spanned<Value>>,
    // cargo-deny's keys.
    version: Option<Spanned<i64>>,
    git_fetch_with_cli: Option<bool>,
    disable_yank_checking: Option<bool>,
    unused_ignored_advisory: Option<Level>,
    // Keys cargo-deny removed.
    vulnerability: Option<Spanned<Value>>,
    severity_threshold: Option<Spanned<Value>>,
}

/// Which crates unmaintained and unsound advisories are reported for (cargo-deny 0.20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every crate.
    All,
    /// Crates a workspace member depends on directly.
    Workspace,
    /// Crates a non-member depends on.
    Transitive,
    /// None.
    None,
}

impl Scope {
    /// Parses `all`, `workspace`, `transitive`, `none`.
    pub fn from_name(s: &str) -> Option<Scope> {
        Some(match s {
            "all" => Scope::All,
            "workspace" => Scope::Workspace,
            "transitive" => Scope::Transitive,
            "none" => Scope::None,
            _ => return None,
        })
    }

    /// Whether a crate with these dependents is in scope: `member_dependent`: some dependent
    /// is a workspace member; `other_dependent`: some dependent is not.
    pub fn covers(self, member_dependent: bool, other_dependent: bool) -> bool {
        match self {
            Scope::All => true,
            Scope::Workspace => member_dependent,
            Scope::Transitive => other_dependent,
            Scope::None => false,
        }
    }
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

    /// Whether the entry names the advisory `r`: by its RustSec id or one of its aliases
    /// (CVE, GHSA). Entries naming a crate match no advisory (they are bans entries in
    /// cargo-deny's sense and are checked elsewhere).
    pub fn matches_advisory(&self, r: &super::db::Record) -> bool {
        matches!(&self.target, IgnoreTarget::Id(id) if *id == r.id || r.aliases.contains(id))
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
    /// Which crates unmaintained advisories are reported for.
    pub unmaintained_scope: Scope,
    /// Level for unsound advisories.
    pub unsound: Level,
    /// Which crates unsound advisories are reported for.
    pub unsound_scope: Scope,
    /// Do not check whether crates are yanked (cargo-deny's `disable-yank-checking`).
    pub disable_yank_checking: bool,
    /// Fetch the database with the git command line (always the case here; kept for
    /// cargo-deny's files).
    pub git_fetch_with_cli: bool,
    /// Level of `advisory-ignore-unused`.
    pub unused_ignored_advisory: Level,
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
        let maximum_db_staleness_days = staleness_days(raw.maximum_db_staleness, v);
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
            let Some(e) = ignore_entry(entry, v) else {
                continue;
            };
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
                None if v.dialect == Dialect::CargoDeny => {
                    // cargo-deny takes an ignore without a reason; ours needs one.
                    let what = match &target {
                        IgnoreTarget::Id(id) => {
                            format!("id = {}", crate::policy::value::toml_string(id))
                        }
                        IgnoreTarget::Crate { .. } => {
                            format!("crate = {}", crate::policy::value::toml_string(&e.written))
                        }
                    };
                    v.stricter(
                        span.clone(),
                        format!("the ignore of {} gives no reason", e.written),
                        format!("{{ {what}, reason = \"why it does not apply\" }}"),
                    );
                    NO_REASON.to_string()
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
        // cargo-deny v2: unmaintained advisories are errors for every crate, unsound ones for
        // crates the workspace uses directly; ours: warnings for every crate.
        let deny_dialect = v.dialect == Dialect::CargoDeny;
        let (unmaintained, unmaintained_scope) = level_or_scope(
            raw.unmaintained,
            "unmaintained",
            if deny_dialect {
                (Level::Deny, Scope::All)
            } else {
                (Level::Warn, Scope::All)
            },
            v,
        );
        let (unsound, unsound_scope) = level_or_scope(
            raw.unsound,
            "unsound",
            if deny_dialect {
                (Level::Deny, Scope::Workspace)
            } else {
                (Level::Warn, Scope::All)
            },
            v,
        );
        let notice = removed_level(raw.notice, "notice", v).unwrap_or(Level::Warn);
        if let Some(vu) = raw.vulnerability {
            let span = vu.span();
            match vu.get_ref() {
                Value::String(s) if s == "deny" => v.deprecated(
                    span,
                    "`vulnerability` was removed from cargo-deny: vulnerabilities are always errors",
                    "# remove the line: vulnerabilities are always errors",
                ),
                other => v.removed(
                    span,
                    &format!(
                        "`vulnerability = {}` was removed from cargo-deny and cannot be translated: vulnerabilities are always errors",
                        other.to_toml()
                    ),
                    "# remove the line; accept a specific advisory with a reason:\nignore = [{ id = \"RUSTSEC-YYYY-NNNN\", reason = \"why it does not apply\" }]",
                ),
            }
        }
        if let Some(st) = raw.severity_threshold {
            v.removed(
                st.span(),
                &format!(
                    "`severity-threshold = {}` was removed from cargo-deny and cannot be translated: every vulnerability is an error",
                    st.get_ref().to_toml()
                ),
                "# remove the line; accept specific advisories with a reason:\nignore = [{ id = \"RUSTSEC-YYYY-NNNN\", reason = \"why it does not apply\" }]",
            );
        }
        if let Some(ver) = raw.version
            && *ver.get_ref() != 2
        {
            v.error(
                ver.span(),
                "`version` must be 2 (cargo-deny's configuration version)",
            );
        }
        Config {
            db_path,
            db_urls,
            maximum_db_staleness_days,
            fetch_interval_hours,
            unmaintained,
            unmaintained_scope,
            unsound,
            unsound_scope,
            notice,
            disable_yank_checking: raw.disable_yank_checking.unwrap_or(false),
            git_fetch_with_cli: raw.git_fetch_with_cli.unwrap_or(true),
            unused_ignored_advisory: raw.unused_ignored_advisory.unwrap_or(Level::Warn),
            yanked: raw.yanked.unwrap_or(Level::Warn),
            include_dev: raw.include_dev.unwrap_or(false),
            ignore,
        }
    }
}

/// The reason recorded for a cargo-deny ignore that gives none (a warning asks for one).
pub const NO_REASON: &str = "no reason given in the policy";

/// One ignore entry, whatever its shape.
struct Entry {
    written: String,
    id: Option<Spanned<String>>,
    krate: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    until: Option<Spanned<String>>,
    status: Option<Spanned<String>>,
    justification: Option<Spanned<String>>,
    products: Option<Vec<Spanned<String>>>,
}

/// Reads an ignore entry: `"RUSTSEC-..."` (an advisory id: cargo-deny tells ids from crate
/// specs by their upper-case prefix), `"crate@1.2.3"` (a yanked crate), or a table with `id`
/// or `crate` and our triage keys.
fn ignore_entry(entry: Spanned<Value>, v: &mut Validator<'_>) -> Option<Entry> {
    let span = entry.span();
    let mut e = Entry {
        written: String::new(),
        id: None,
        krate: None,
        reason: None,
        until: None,
        status: None,
        justification: None,
        products: None,
    };
    match entry.get_ref() {
        Value::String(s) => {
            e.written = s.clone();
            let is_id = s
                .split_once('-')
                .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase()));
            if is_id {
                e.id = Some(Spanned::new(span, s.clone()));
            } else {
                e.krate = Some(Spanned::new(span, s.clone()));
            }
        }
        Value::Table(_) => {
            let mut t = Table::new(entry, "an `ignore` entry", v)?;
            e.id = t.string("id", v);
            e.krate = t.string("crate", v);
            e.reason = t.string("reason", v);
            e.until = t.string("until", v);
            e.status = t.string("status", v);
            e.justification = t.string("justification", v);
            e.products = t.strings("products", v);
            e.written =
                e.id.as_ref()
                    .or(e.krate.as_ref())
                    .map(|s| s.get_ref().clone())
                    .unwrap_or_default();
            t.finish(
                &[
                    "id",
                    "crate",
                    "reason",
                    "until",
                    "status",
                    "justification",
                    "products",
                ],
                v,
            );
        }
        other => {
            v.error(
                span,
                format!(
                    "an `ignore` entry takes an advisory id such as \"RUSTSEC-2024-0001\", a crate such as \"name@1.2.3\", or a table {{ id = \"...\", reason = \"...\" }}, found {}",
                    other.type_words()
                ),
            );
            return None;
        }
    }
    Some(e)
}

/// `maximum-db-staleness`: a number of days (ours) or an ISO 8601 duration (cargo-deny's
/// "P90D", "PT36H", "P2W"); a partial day counts as a whole one.
fn staleness_days(raw: Option<Spanned<Value>>, v: &mut Validator<'_>) -> u32 {
    let Some(raw) = raw else { return 90 };
    let span = raw.span();
    match raw.into_inner() {
        Value::Integer(n) if n > 0 && n <= i64::from(u32::MAX) => n as u32,
        Value::Integer(_) => {
            v.error(
                span,
                "`maximum-db-staleness` must be a positive number of days",
            );
            90
        }
        Value::String(s) => match iso_duration_secs(&s) {
            Some(secs) if secs > 0 => secs.div_ceil(86_400).min(u64::from(u32::MAX)) as u32,
            _ => {
                v.error(
                    span,
                    format!("`maximum-db-staleness` takes a number of days or an ISO 8601 duration such as \"P90D\", found \"{s}\""),
                );
                90
            }
        },
        other => {
            v.error(
                span,
                format!(
                    "`maximum-db-staleness` takes a number of days or an ISO 8601 duration such as \"P90D\", found {}",
                    other.type_words()
                ),
            );
            90
        }
    }
}

/// Seconds in an ISO 8601 duration (`PnYnMnWnDTnHnMnS`; a year is 365.25 days and a month
/// 30.44, as cargo-deny counts them).
pub fn iso_duration_secs(s: &str) -> Option<u64> {
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, t),
        Some(_) => return None,
        None => (rest, ""),
    };
    let mut total = 0f64;
    let mut parse = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut num = String::new();
        let mut last = 0usize;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
                continue;
            }
            let pos = units.iter().position(|(u, _)| u.eq_ignore_ascii_case(&c))?;
            if pos < last || num.is_empty() {
                return None;
            }
            last = pos + 1;
            total += num.parse::<f64>().ok()? * units[pos].1;
            num.clear();
        }
        num.is_empty().then_some(())
    };
    const DAY: f64 = 86_400.0;
    parse(
        date,
        &[
            ('Y', 365.25 * DAY),
            ('M', 30.44 * DAY),
            ('W', 7.0 * DAY),
            ('D', DAY),
        ],
    )?;
    parse(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    Some(total as u64)
}

/// `unmaintained`/`unsound`: one of our levels (also cargo-deny v1's) or a cargo-deny v2
/// scope. A v1 level in a cargo-deny file is translated with a warning showing the v2 form.
fn level_or_scope(
    raw: Option<Spanned<Value>>,
    key: &str,
    default: (Level, Scope),
    v: &mut Validator<'_>,
) -> (Level, Scope) {
    let Some(raw) = raw else { return default };
    let span = raw.span();
    let Value::String(s) = raw.get_ref() else {
        v.error(
            span,
            format!(
                "`{key}` takes one of \"all\", \"workspace\", \"transitive\", \"none\" (or a level \"deny\", \"warn\", \"allow\"), found {}",
                raw.get_ref().type_words()
            ),
        );
        return default;
    };
    if let Some(scope) = Scope::from_name(s) {
        return (Level::Deny, scope);
    }
    let level = match s.as_str() {
        "deny" => Level::Deny,
        "warn" => Level::Warn,
        "allow" => Level::Allow,
        _ => {
            v.error(
                span,
                format!("`{key}` takes one of \"all\", \"workspace\", \"transitive\", \"none\" (or a level \"deny\", \"warn\", \"allow\"), found \"{s}\""),
            );
            return default;
        }
    };
    if v.dialect == Dialect::CargoDeny {
        let (form, note) = match level {
            Level::Deny => (format!("{key} = \"all\""), ""),
            Level::Allow => (format!("{key} = \"none\""), ""),
            Level::Warn => (
                format!("{key} = \"none\"   # or \"all\" to fail on them"),
                " (cargo-deny 0.20 has no warning level here: cargo-cra keeps reporting them as warnings)",
            ),
        };
        v.deprecated(
            span,
            format!("`{key} = \"{s}\"` is cargo-deny's removed v1 form{note}"),
            form,
        );
    }
    (level, Scope::All)
}

/// `notice`: removed from cargo-deny (notices are reported like other advisories); still
/// one of our levels.
fn removed_level(raw: Option<Spanned<Value>>, key: &str, v: &mut Validator<'_>) -> Option<Level> {
    let raw = raw?;
    let span = raw.span();
    let level = match raw.get_ref() {
        Value::String(s) if s == "deny" => Level::Deny,
        Value::String(s) if s == "warn" => Level::Warn,
        Value::String(s) if s == "allow" => Level::Allow,
        other => {
            v.error(
                span,
                format!(
                    "`{key}` takes \"deny\", \"warn\" or \"allow\", found {}",
                    other.to_toml()
                ),
            );
            return None;
        }
    };
    if v.dialect == Dialect::CargoDeny {
        v.deprecated(
            span,
            format!("`{key}` was removed from cargo-deny (v2 reports every advisory kind it knows); cargo-cra still reads it"),
            "# remove the line for cargo-deny 0.20",
        );
    }
    Some(level)
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
