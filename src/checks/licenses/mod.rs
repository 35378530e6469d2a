//! License check: every crate's SPDX expression (evaluated with the `spdx` crate, legacy `/`
//! read as `OR`) must be satisfiable with the allowed licenses plus the crate's exceptions.
//! Keys and semantics follow cargo-deny's `[licenses]` so verdicts agree on the same allow
//! list, including where the expression comes from: a `clarify` entry whose file hashes
//! match, else the manifest's `license`, else the licenses identified from the crate's
//! license files (`license-file`, `LICENSE*`, `COPYING*`; see [`detect`]).
//!
//! One deliberate difference: a `clarify` entry whose pinned file changed is reported as an
//! error even when the crate passes without it (cargo-deny silently falls back), because a
//! changed license file is exactly what the pin is there to bring back to a human.

mod detect;

pub use detect::DetectedFile;

use super::CheckCtx;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::error::Result;
use crate::fsutil;
use crate::policy::value::Value;
use crate::policy::{Level, Validator};
use crate::workspace::Follow;
use camino::Utf8PathBuf;
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// How manifests' `license` fields are parsed: crates.io's lax rules (legacy `/`, imprecise
/// names, deprecated ids), as cargo-deny does.
const CRATE_PARSE_MODE: spdx::ParseMode = spdx::ParseMode::LAX;

/// `[licenses]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    #[serde(default)]
    allow: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    exceptions: Vec<Spanned<RawException>>,
    #[serde(default)]
    clarify: Vec<Spanned<RawClarify>>,
    include_dev: Option<bool>,
    include_build: Option<bool>,
    #[serde(default)]
    private: RawPrivate,
    /// Minimum score for a license identified from text (cargo-deny's key and default).
    confidence_threshold: Option<Spanned<f64>>,
    // cargo-deny's keys.
    version: Option<Spanned<i64>>,
    unused_allowed_license: Option<Level>,
    unused_license_exception: Option<Level>,
    // Keys cargo-deny removed (read and translated, or refused with the v2 form).
    unlicensed: Option<Spanned<Value>>,
    allow_osi_fsf_free: Option<Spanned<Value>>,
    copyleft: Option<Spanned<Value>>,
    default: Option<Spanned<Value>>,
    deny: Option<Spanned<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawException {
    name: Option<Spanned<String>>,
    #[serde(rename = "crate")]
    krate: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    allow: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClarify {
    name: Option<Spanned<String>>,
    #[serde(rename = "crate")]
    krate: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    expression: Spanned<String>,
    #[serde(default)]
    license_files: Vec<RawLicenseFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLicenseFile {
    path: Spanned<String>,
    /// The file's SHA-256 (ours), or cargo-deny's 32-bit hash (`0xbd0eed23`).
    hash: Spanned<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPrivate {
    #[serde(default)]
    ignore: bool,
    #[serde(default)]
    registries: Vec<String>,
    #[serde(default)]
    ignore_sources: Vec<String>,
}

/// A crate selector: name and optional semver requirement.
#[derive(Debug, Clone)]
pub struct CrateSpec {
    /// Crate name.
    pub name: String,
    /// Version requirement (`None`: any).
    pub version: Option<semver::VersionReq>,
}

impl CrateSpec {
    fn matches(&self, name: &str, version: &semver::Version) -> bool {
        self.name == name && self.version.as_ref().is_none_or(|r| r.matches(version))
    }
}

/// A per-crate exception.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Which crate.
    pub spec: CrateSpec,
    /// Extra licenses allowed for it.
    pub allow: Vec<spdx::Licensee>,
    /// Span in the policy.
    pub span: Range<usize>,
}

/// A clarification.
#[derive(Debug, Clone)]
pub struct Clarify {
    /// Which crate.
    pub spec: CrateSpec,
    /// The expression to use instead of the manifest's.
    pub expression: spdx::Expression,
    /// Files whose SHA-256 must match for the clarification to apply.
    pub files: Vec<(Utf8PathBuf, String)>,
    /// Span in the policy.
    pub span: Range<usize>,
}

/// `[licenses]`, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Allowed licensees.
    pub allow: Vec<spdx::Licensee>,
    /// Span of the `allow` list in the policy (for labels).
    pub allow_span: Option<Range<usize>>,
    /// Per-crate exceptions.
    pub exceptions: Vec<Exception>,
    /// Clarifications.
    pub clarify: Vec<Clarify>,
    /// Check dev-dependencies too.
    pub include_dev: bool,
    /// Check build-dependencies and proc-macros too.
    pub include_build: bool,
    /// Skip unpublished workspace members.
    pub private_ignore: bool,
    /// Registries that count as private.
    pub private_registries: Vec<String>,
    /// Minimum score (0.0 to 1.0) for a license identified from a license file's text.
    pub confidence_threshold: f32,
    /// Level of `license-allowed-unused` (an `allow` entry no crate needs).
    pub unused_allowed_license: Level,
    /// Level of `license-exception-unused`.
    pub unused_license_exception: Level,
    /// Registry or git source URLs whose crates are not checked (`private.ignore-sources`).
    pub private_ignore_sources: Vec<String>,
}

fn parse_licensee(s: &Spanned<String>, v: &mut Validator<'_>) -> Option<spdx::Licensee> {
    match spdx::Licensee::parse(s.get_ref()) {
        Ok(l) => Some(l),
        Err(e) => {
            v.error(
                s.span(),
                format!(
                    "`{}` is not a valid SPDX license id: {}",
                    s.get_ref(),
                    e.reason
                ),
            );
            None
        }
    }
}

fn parse_spec(
    name: Option<Spanned<String>>,
    krate: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    span: Range<usize>,
    v: &mut Validator<'_>,
) -> Option<CrateSpec> {
    let (name, inline_ver) = match (name, krate) {
        (Some(n), None) => (n.into_inner(), None),
        (None, Some(c)) => match c.get_ref().split_once('@') {
            Some((n, ver)) => (
                n.to_string(),
                Some(Spanned::new(c.span(), format!("={ver}"))),
            ),
            None => (c.into_inner(), None),
        },
        _ => {
            v.error(span, "give the crate as `name` (with optional `version`) or as `crate = \"name@version\"`");
            return None;
        }
    };
    let version = match version.or(inline_ver) {
        Some(r) if r.get_ref() == "*" => None,
        Some(r) => match semver::VersionReq::parse(r.get_ref()) {
            Ok(req) => Some(req),
            Err(e) => {
                v.error(r.span(), format!("invalid version requirement: {e}"));
                return None;
            }
        },
        None => None,
    };
    Some(CrateSpec { name, version })
}

impl Config {
    /// Validates the raw section.
    pub fn validate(raw: RawConfig, v: &mut Validator<'_>) -> Config {
        let mut raw = raw;
        let raw_removed = Removed {
            unlicensed: raw.unlicensed.take(),
            allow_osi_fsf_free: raw.allow_osi_fsf_free.take(),
            copyleft: raw.copyleft.take(),
            default: raw.default.take(),
            deny: raw.deny.take(),
        };
        let raw_version = raw.version.take();
        let raw_unused_allowed = raw.unused_allowed_license.take();
        let raw_unused_exception = raw.unused_license_exception.take();
        let confidence_threshold = match raw.confidence_threshold {
            Some(t) if (0.0..=1.0).contains(t.get_ref()) => *t.get_ref() as f32,
            Some(t) => {
                v.error(
                    t.span(),
                    format!(
                        "`confidence-threshold` must be between 0.0 and 1.0, not {}",
                        t.get_ref()
                    ),
                );
                detect::DEFAULT_CONFIDENCE_THRESHOLD
            }
            None => detect::DEFAULT_CONFIDENCE_THRESHOLD,
        };
        let (allow, allow_span) = match raw.allow {
            Some(list) => {
                let span = list.span();
                (
                    list.into_inner()
                        .iter()
                        .filter_map(|s| parse_licensee(s, v))
                        .collect(),
                    Some(span),
                )
            }
            None => (Vec::new(), None),
        };
        let mut exceptions = Vec::new();
        for e in raw.exceptions {
            let span = e.span();
            let e = e.into_inner();
            let allow: Vec<_> = e
                .allow
                .iter()
                .filter_map(|s| parse_licensee(s, v))
                .collect();
            if let Some(spec) = parse_spec(e.name, e.krate, e.version, span.clone(), v) {
                exceptions.push(Exception { spec, allow, span });
            }
        }
        let mut clarify = Vec::new();
        for c in raw.clarify {
            let span = c.span();
            let c = c.into_inner();
            let expression = match spdx::Expression::parse(c.expression.get_ref()) {
                Ok(e) => e,
                Err(e) => {
                    v.error(
                        c.expression.span(),
                        format!("invalid SPDX expression: {}", e.reason),
                    );
                    continue;
                }
            };
            let mut files = Vec::new();
            for f in c.license_files {
                let h = match f.hash.get_ref() {
                    Value::String(s)
                        if s.len() == 64 && s.chars().all(|ch| ch.is_ascii_hexdigit()) =>
                    {
                        s.to_ascii_lowercase()
                    }
                    // cargo-deny's hash: XXH32 of the text with line ends normalized.
                    Value::Integer(i) if (0..=i64::from(u32::MAX)).contains(i) => {
                        let pinned = format!("0x{:08x}", *i as u32);
                        v.stricter(
                            f.hash.span(),
                            "a cargo-deny license-file hash (32 bits) pins the file; cargo-cra takes the SHA-256 too",
                            format!("hash = \"<sha256sum {}>\"", f.path.get_ref()),
                        );
                        pinned
                    }
                    _ => {
                        v.error(
                            f.hash.span(),
                            "`hash` takes the file's SHA-256 as 64 hex digits (`sha256sum LICENSE`), or cargo-deny's hash as an integer (`0xbd0eed23`)",
                        );
                        continue;
                    }
                };
                files.push((Utf8PathBuf::from(f.path.into_inner()), h));
            }
            if let Some(spec) = parse_spec(c.name, c.krate, c.version, span.clone(), v) {
                clarify.push(Clarify {
                    spec,
                    expression,
                    files,
                    span,
                });
            }
        }
        let mut allow = allow;
        removed_keys(&raw_removed, &mut allow, v);
        if let Some(ver) = raw_version
            && *ver.get_ref() != 2
        {
            v.error(
                ver.span(),
                "`version` must be 2 (cargo-deny's configuration version)",
            );
        }
        Config {
            unused_allowed_license: raw_unused_allowed.unwrap_or(Level::Warn),
            unused_license_exception: raw_unused_exception.unwrap_or(Level::Warn),
            private_ignore_sources: raw.private.ignore_sources.clone(),
            allow,
            allow_span,
            exceptions,
            clarify,
            include_dev: raw.include_dev.unwrap_or(false),
            include_build: raw.include_build.unwrap_or(true),
            private_ignore: raw.private.ignore,
            private_registries: raw.private.registries,
            confidence_threshold,
        }
    }

    /// Whether a license id is on the allow list (exactly).
    pub fn allow_contains(&self, id: &str) -> bool {
        self.allow.iter().any(|l| l.to_string() == id)
    }
}

/// The keys cargo-deny removed from `[licenses]`.
struct Removed {
    unlicensed: Option<Spanned<Value>>,
    allow_osi_fsf_free: Option<Spanned<Value>>,
    copyleft: Option<Spanned<Value>>,
    default: Option<Spanned<Value>>,
    deny: Option<Spanned<Value>>,
}

fn level_word(v: &Spanned<Value>) -> Option<&str> {
    match v.get_ref() {
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

fn osi(l: &spdx::License) -> bool {
    l.flags & spdx::flags::IS_OSI_APPROVED != 0
}

fn fsf(l: &spdx::License) -> bool {
    l.flags & spdx::flags::IS_FSF_LIBRE != 0
}

/// Reads cargo-deny v1's license keys: each is translated to the v2 meaning with a warning
/// that prints the v2 form, or, where no translation keeps the verdicts, refused with it.
fn removed_keys(r: &Removed, allow: &mut Vec<spdx::Licensee>, v: &mut Validator<'_>) {
    if let Some(u) = &r.unlicensed {
        if level_word(u) == Some("deny") {
            v.deprecated(
                u.span(),
                "`unlicensed` was removed from cargo-deny: a crate without a license is always an error",
                "# remove the line",
            );
        } else {
            v.removed(
                u.span(),
                "`unlicensed` other than \"deny\" was removed from cargo-deny and cannot be translated: a crate without a license is always an error",
                "# remove the line, and for each crate without license information:\n[[licenses.clarify]]\ncrate = \"name\"\nexpression = \"MIT\"\nlicense-files = [{ path = \"LICENSE\", hash = 0x00000000 }]",
            );
        }
    }
    if let Some(d) = &r.default {
        if level_word(d) == Some("deny") {
            v.deprecated(
                d.span(),
                "`default` was removed from cargo-deny: a license not in `allow` is always denied",
                "# remove the line",
            );
        } else {
            v.removed(
                d.span(),
                "`default` other than \"deny\" was removed from cargo-deny and cannot be translated: a license not in `allow` is denied",
                "# remove the line and list every license you accept:\nallow = [\"MIT\", \"Apache-2.0\"]",
            );
        }
    }
    let copyleft_denied = match &r.copyleft {
        None => false,
        Some(c) if level_word(c) == Some("deny") => {
            v.deprecated(
                c.span(),
                "`copyleft` was removed from cargo-deny: a copyleft license not in `allow` is denied",
                "# remove the line",
            );
            true
        }
        Some(c) => {
            v.removed(
                c.span(),
                "`copyleft` other than \"deny\" was removed from cargo-deny and cannot be translated: copyleft licenses must be listed in `allow`",
                "# remove the line and list the copyleft licenses you accept:\nallow = [\"MPL-2.0\"]",
            );
            false
        }
    };
    if let Some(d) = &r.deny {
        let mut denied = Vec::new();
        if let Value::Array(items) = d.get_ref() {
            for i in items {
                if let Value::String(s) = i.get_ref() {
                    denied.push(s.clone());
                }
            }
        }
        // Denied won over allowed: a denied license leaves the allow list.
        allow.retain(|l| !denied.iter().any(|d| d == &l.to_string()));
        v.deprecated(
            d.span(),
            "`deny` was removed from cargo-deny: a license not in `allow` is denied",
            format!(
                "# remove `deny = {}`; keep those licenses out of `allow`",
                d.get_ref().to_toml()
            ),
        );
    }
    if let Some(a) = &r.allow_osi_fsf_free {
        let word = level_word(a).unwrap_or("");
        let pick: Option<fn(&spdx::License) -> bool> = match word {
            "neither" => None,
            "both" => Some(|l| osi(l) && fsf(l)),
            "either" => Some(|l| osi(l) || fsf(l)),
            "osi" | "osi-only" => Some(osi),
            "fsf" | "fsf-only" => Some(fsf),
            _ => {
                v.error(
                    a.span(),
                    "`allow-osi-fsf-free` takes \"both\", \"either\", \"osi\", \"fsf\" or \"neither\"",
                );
                return;
            }
        };
        match pick {
            None => v.deprecated(
                a.span(),
                "`allow-osi-fsf-free` was removed from cargo-deny",
                "# remove the line",
            ),
            Some(pick) => {
                let mut ids: Vec<&str> = spdx::identifiers::LICENSES
                    .iter()
                    .filter(|l| pick(l) && l.flags & spdx::flags::IS_DEPRECATED == 0)
                    .filter(|l| !(copyleft_denied && l.flags & spdx::flags::IS_COPYLEFT != 0))
                    .map(|l| l.name)
                    .collect();
                ids.sort_unstable();
                for id in &ids {
                    if let Ok(l) = spdx::Licensee::parse(id)
                        && !allow.contains(&l)
                    {
                        allow.push(l);
                    }
                }
                v.deprecated(
                    a.span(),
                    format!(
                        "`allow-osi-fsf-free = \"{word}\"` was removed from cargo-deny: read as the {} licenses it allowed",
                        ids.len()
                    ),
                    format!(
                        "allow = [{}]",
                        ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }
}

/// What the check decided for one crate (also used by the SBOM for the concluded license).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted under this effective expression.
    Accepted(String),
    /// Rejected: the expression and the unsatisfied requirements.
    Rejected(String, Vec<String>),
    /// No license information.
    Missing,
    /// The manifest's `license` does not parse.
    Unparseable(String, String),
}

/// Where a package's effective license expression came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Nowhere: no clarification, no `license`, nothing identified from text.
    None,
    /// The manifest's `license` field (also when it does not parse and no license file
    /// could stand in for it).
    Manifest,
    /// The `[[licenses.clarify]]` entry with this index, its file hashes matching.
    Clarified(usize),
    /// Concluded from the text of these license files (the manifest has no usable `license`).
    Detected(Vec<DetectedFile>),
}

/// A `clarify` entry that matches the package but no longer applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Index of the entry in [`Config::clarify`].
    pub index: usize,
    /// Why: which pinned file changed or is unreadable.
    pub reason: String,
}

/// The effective license expression of a package, in cargo-deny's order: a matching
/// clarification whose pinned files are unchanged; else the manifest's `license` if it parses;
/// else the `AND` of the licenses identified from its license files with at least
/// `confidence-threshold`; else the manifest's `license` as written (for the diagnostic), if
/// any. Returns the expression, where it came from, and the matching clarification that was
/// skipped because a pinned file changed.
pub fn effective_expression(
    cfg: &Config,
    pkg: &cargo_metadata::Package,
) -> (Option<String>, Source, Option<Stale>) {
    let dir = pkg
        .manifest_path
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let mut stale = None;
    if let Some((i, c)) = cfg
        .clarify
        .iter()
        .enumerate()
        .find(|(_, c)| c.spec.matches(&pkg.name, &pkg.version))
    {
        let mismatch = c.files.iter().find_map(|(file, hash)| {
            let (what, digest): (&str, fn(&[u8]) -> String) = if hash.starts_with("0x") {
                ("cargo-deny hash", |b| {
                    format!("0x{:08x}", fsutil::license_file_hash(b))
                })
            } else {
                ("SHA-256", fsutil::sha256_hex)
            };
            match std::fs::read(dir.join(file)).map(|b| digest(&b)) {
                Ok(h) if &h == hash => None,
                Ok(h) => Some(format!(
                    "{file} has {what} {h}, the clarification pins {hash}"
                )),
                Err(e) => Some(format!("{file} cannot be read: {e}")),
            }
        });
        match mismatch {
            None => {
                return (
                    Some(c.expression.as_ref().to_string()),
                    Source::Clarified(i),
                    None,
                );
            }
            Some(reason) => stale = Some(Stale { index: i, reason }),
        }
    }
    // cargo-deny falls back to the license files when `license` is absent, empty or not an
    // SPDX expression even in the lax mode.
    if let Some(license) = pkg.license.as_deref().filter(|l| !l.is_empty())
        && spdx::Expression::parse_mode(license, CRATE_PARSE_MODE).is_ok()
    {
        return (Some(license.to_string()), Source::Manifest, stale);
    }
    let detection = detect::detect(&dir, pkg.license_file.as_deref(), cfg.confidence_threshold);
    if let Some(expression) = detection.expression() {
        return (
            Some(expression),
            Source::Detected(detection.detected()),
            stale,
        );
    }
    match &pkg.license {
        Some(license) => (Some(license.clone()), Source::Manifest, stale),
        None => (None, Source::None, stale),
    }
}

/// Decides one package.
pub fn verdict(cfg: &Config, pkg: &cargo_metadata::Package, expr: Option<&str>) -> Verdict {
    let Some(text) = expr.map(str::trim).filter(|t| !t.is_empty()) else {
        return Verdict::Missing;
    };
    let parsed = match spdx::Expression::parse_mode(text, CRATE_PARSE_MODE) {
        Ok(e) => e,
        Err(e) => return Verdict::Unparseable(text.to_string(), e.reason.to_string()),
    };
    let extra: Vec<&spdx::Licensee> = cfg
        .exceptions
        .iter()
        .filter(|e| e.spec.matches(&pkg.name, &pkg.version))
        .flat_map(|e| e.allow.iter())
        .collect();
    let result = parsed.evaluate_with_failures(|req| {
        cfg.allow
            .iter()
            .chain(extra.iter().copied())
            .any(|l| l.satisfies(req))
    });
    match result {
        Ok(()) => Verdict::Accepted(text.to_string()),
        Err(failed) => Verdict::Rejected(
            text.to_string(),
            failed.iter().map(|r| r.req.to_string()).collect(),
        ),
    }
}

/// Of the licenses a rejected expression failed on, those that would each be enough alone if
/// allowed (`MIT OR Apache-2.0` needs only one of the two): the smallest change to suggest.
fn sufficient_alone(
    cfg: &Config,
    pkg: &cargo_metadata::Package,
    text: &str,
    failed: &[String],
) -> Vec<String> {
    failed
        .iter()
        .filter(|f| {
            let Ok(extra) = spdx::Licensee::parse(f) else {
                return false;
            };
            let mut with = cfg.clone();
            with.allow.push(extra);
            matches!(verdict(&with, pkg, Some(text)), Verdict::Accepted(_))
        })
        .cloned()
        .collect()
}

/// Runs the license check.
pub fn check(ctx: &CheckCtx<'_>, sink: &mut Diagnostics) -> Result<()> {
    let cfg = &ctx.policy.licenses;
    let ws = ctx.ws;
    let g = &ws.graph;
    let follow = Follow {
        build: cfg.include_build,
        dev: cfg.include_dev,
        proc_macros: cfg.include_build,
    };
    let scope = ctx.scope(follow);
    let mut used_exceptions = vec![false; cfg.exceptions.len()];
    let mut used_clarify = vec![false; cfg.clarify.len()];
    let policy_path = ctx.policy.path.clone();
    for &i in scope.keys() {
        let p = &g.pkgs[i];
        let Some(meta) = ws.meta_pkg(p) else { continue };
        if p.is_member && cfg.private_ignore && is_private(meta, cfg) {
            continue;
        }
        for (j, e) in cfg.exceptions.iter().enumerate() {
            if e.spec.matches(&meta.name, &meta.version) {
                used_exceptions[j] = true;
            }
        }
        let (expr, source, stale) = effective_expression(cfg, meta);
        if let Source::Clarified(c) = source {
            used_clarify[c] = true;
        }
        // A changed pinned file is an error of its own, whatever the crate's verdict (see the
        // module docs).
        if let Some(st) = &stale {
            used_clarify[st.index] = true;
            if let Some(pp) = &policy_path {
                sink.push(
                    Diagnostic::error(Code::LicenseClarificationStale, format!("the clarification for {} no longer matches its license file", p.name))
                        .with_package(p.to_ref())
                        .with_label(pp.clone(), cfg.clarify[st.index].span.clone(), "this clarification")
                        .with_note(st.reason.clone())
                        .with_note("help: read the changed file, then update the hash (and the expression if the terms changed)"),
                );
            }
        }
        let v = verdict(cfg, meta, expr.as_deref());
        if matches!(v, Verdict::Accepted(_)) {
            continue;
        }
        let pkg_dir = meta
            .manifest_path
            .parent()
            .map(|d| d.to_path_buf())
            .unwrap_or_default();
        // Why no license could be identified from text (memoized: no second scan).
        let undetected = || -> Option<String> {
            let scans = detect::detect(
                &pkg_dir,
                meta.license_file.as_deref(),
                cfg.confidence_threshold,
            );
            let lines: Vec<String> = scans
                .files
                .iter()
                .map(|f| format!("  {}", detect::describe(f, cfg.confidence_threshold)))
                .collect();
            (!lines.is_empty()).then(|| {
                format!(
                    "no license could be identified from its license files:\n{}",
                    lines.join("\n")
                )
            })
        };
        let label = manifest_license_span(meta);
        if let Some((file, _)) = &label {
            sink.load_source(file);
        }
        let base = |code, msg: String| {
            let mut d = Diagnostic::error(code, msg)
                .with_package(p.to_ref())
                .with_inclusion_path(g.inclusion_path(&scope, i));
            if let Some((file, span)) = &label {
                let what = match (&meta.license, &meta.license_file) {
                    (Some(_), _) => "license declared here",
                    (None, Some(_)) => "only a license file is named here",
                    (None, None) => "no `license` in this package",
                };
                d = d.with_label(file.clone(), span.clone(), what);
            }
            d
        };
        let mut d = match v {
            Verdict::Accepted(_) => continue,
            Verdict::Missing => {
                let mut d = base(Code::LicenseMissing, format!("{} v{} declares no license", p.name, p.version));
                if let Some(why) = undetected() {
                    d = d.with_note(why);
                }
                let first_file = || detect::detect(&pkg_dir, None, cfg.confidence_threshold).files.first().map(|f| f.path.clone());
                match meta.license_file.clone().or_else(first_file) {
                    Some(f) => {
                        let hash = std::fs::read(pkg_dir.join(&f)).ok().map(|b| fsutil::sha256_hex(&b)).unwrap_or_else(|| "<sha256 of the file>".into());
                        d = d.with_note(format!(
                            "help: after reading the file, clarify it in the policy:\n[[licenses.clarify]]\nname = \"{}\"\nversion = \"{}\"\nexpression = \"<SPDX expression>\"\nlicense-files = [{{ path = \"{f}\", hash = \"{hash}\" }}]",
                            p.name, p.version
                        ));
                    }
                    None if p.is_member => d = d.with_note("help: add `license = \"<SPDX expression>\"` to this package's [package] table (or `publish = false` with `[licenses.private] ignore = true` in the policy for an unpublished member)"),
                    None => d = d.with_note("help: ask upstream to add `license = \"...\"`, or add a `[[licenses.clarify]]` entry after checking the crate's terms"),
                }
                d
            }
            Verdict::Unparseable(text, reason) => {
                let d = base(
                    Code::LicenseUnparseable,
                    format!("{} v{} has a license that is not a valid SPDX expression: `{text}` ({reason})", p.name, p.version),
                );
                match undetected() {
                    Some(why) => d.with_note(why),
                    None => d,
                }
            }
            Verdict::Rejected(text, failed) => {
                let mut d = base(
                    Code::LicenseRejected,
                    format!("{} v{} is licensed `{text}`, which the policy does not allow", p.name, p.version),
                );
                if let Source::Detected(files) = &source {
                    for f in files {
                        d = d.with_note(format!(
                            "`{}` detected from {} with confidence {:.2} (the manifest has no usable `license`; `confidence-threshold` = {})",
                            f.license, f.path, f.score, cfg.confidence_threshold
                        ));
                    }
                    let detected: Vec<serde_json::Value> = files
                        .iter()
                        .map(|f| serde_json::json!({ "path": f.path, "license": f.license, "score": f.score }))
                        .collect();
                    d = d.with_data("detected-from", detected);
                }
                d
            }
            .with_note(format!("not allowed: {}", failed.join(", ")))
            .with_note({
                let alone = sufficient_alone(cfg, meta, &text, &failed);
                let quoted = |v: &[String]| v.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
                if alone.len() > 1 {
                    format!(
                        "help: allowing any one of {} is enough: add it to `[licenses] allow`, or an exception for this crate: {{ name = \"{}\", allow = [{}] }}",
                        quoted(&alone),
                        p.name,
                        quoted(&alone[..1])
                    )
                } else {
                    let need = if alone.is_empty() { failed.clone() } else { alone };
                    format!(
                        "help: add the license to `[licenses] allow`, or an exception for this crate: {{ name = \"{}\", allow = [{}] }}",
                        p.name,
                        quoted(&need)
                    )
                }
            })
            .with_data("expression", text)
            .with_data("failed", failed),
        };
        if let Some(stale) = &stale {
            d = d.with_note(format!(
                "a clarification exists but no longer applies: {}",
                stale.reason
            ));
        }
        if let (Some(pp), Some(span)) = (&policy_path, &cfg.allow_span) {
            d = d.with_secondary(pp.clone(), span.clone(), "allowed licenses");
        }
        sink.push(d);
    }
    if let Some(pp) = &policy_path {
        for (j, used) in used_exceptions.iter().enumerate() {
            if !used {
                let e = &cfg.exceptions[j];
                sink.push(
                    Diagnostic::warning(
                        Code::LicenseExceptionUnused,
                        format!("license exception for `{}` matched no crate", e.spec.name),
                    )
                    .with_label(pp.clone(), e.span.clone(), "unused exception"),
                );
            }
        }
        for (j, used) in used_clarify.iter().enumerate() {
            if !used {
                let c = &cfg.clarify[j];
                sink.push(
                    Diagnostic::warning(
                        Code::LicenseClarificationUnused,
                        format!(
                            "license clarification for `{}` matched no crate",
                            c.spec.name
                        ),
                    )
                    .with_label(
                        pp.clone(),
                        c.span.clone(),
                        "unused clarification",
                    ),
                );
            }
        }
    }
    Ok(())
}

fn is_private(meta: &cargo_metadata::Package, cfg: &Config) -> bool {
    match &meta.publish {
        Some(regs) if regs.is_empty() => true,
        Some(regs) => regs.iter().all(|r| cfg.private_registries.contains(r)),
        None => false,
    }
}

/// Span of the `license`/`license-file` line in a package's manifest (read on demand: only
/// for packages that fail).
fn manifest_license_span(meta: &cargo_metadata::Package) -> Option<(Utf8PathBuf, Range<usize>)> {
    let text = std::fs::read_to_string(&meta.manifest_path).ok()?;
    let start = text
        .find("\nlicense")
        .map(|s| s + 1)
        .or_else(|| text.find("[package]"))?;
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    Some((meta.manifest_path.clone(), start..end))
}
