//! License check: every crate's SPDX expression (evaluated with the `spdx` crate, legacy `/`
//! read as `OR`) must be satisfiable with the allowed licenses plus the crate's exceptions.
//! Keys and semantics follow cargo-deny's `[licenses]` so verdicts agree on the same allow
//! list. One deliberate difference: a crate with only `license-file` is not guessed from its
//! text (cargo-deny runs a text classifier); it needs a `clarify` entry pinned by the file's
//! SHA-256, so a changed file invalidates the clarification instead of passing silently.

use super::CheckCtx;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::error::Result;
use crate::fsutil;
use crate::policy::Validator;
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
    /// cargo-deny's confidence threshold for text detection; accepted for compatibility and
    /// unused (no text detection here, see the module docs).
    confidence_threshold: Option<f64>,
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
    hash: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPrivate {
    #[serde(default)]
    ignore: bool,
    #[serde(default)]
    registries: Vec<String>,
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
        let _ = raw.confidence_threshold;
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
                let h = f.hash.get_ref().to_ascii_lowercase();
                if h.len() != 64 || !h.chars().all(|ch| ch.is_ascii_hexdigit()) {
                    v.error(
                        f.hash.span(),
                        "`hash` must be the file's SHA-256 as 64 hex digits (`sha256sum LICENSE`)",
                    );
                    continue;
                }
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
        Config {
            allow,
            allow_span,
            exceptions,
            clarify,
            include_dev: raw.include_dev.unwrap_or(false),
            include_build: raw.include_build.unwrap_or(true),
            private_ignore: raw.private.ignore,
            private_registries: raw.private.registries,
        }
    }

    /// Whether a license id is on the allow list (exactly).
    pub fn allow_contains(&self, id: &str) -> bool {
        self.allow.iter().any(|l| l.to_string() == id)
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

/// The effective license expression of a package: a matching, still-valid clarification, else
/// the manifest's `license`. Returns the expression text and whether it came from a
/// clarification, or `None` when there is none.
pub fn effective_expression(
    cfg: &Config,
    pkg: &cargo_metadata::Package,
) -> (Option<String>, Option<usize>, Option<String>) {
    for (i, c) in cfg.clarify.iter().enumerate() {
        if !c.spec.matches(&pkg.name, &pkg.version) {
            continue;
        }
        let dir = pkg
            .manifest_path
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        for (file, hash) in &c.files {
            let actual = std::fs::read(dir.join(file)).map(|b| fsutil::sha256_hex(&b));
            match actual {
                Ok(h) if &h == hash => {}
                Ok(h) => {
                    return (
                        pkg.license.clone(),
                        Some(i),
                        Some(format!(
                            "{file} has SHA-256 {h}, the clarification pins {hash}"
                        )),
                    );
                }
                Err(e) => {
                    return (
                        pkg.license.clone(),
                        Some(i),
                        Some(format!("{file} cannot be read: {e}")),
                    );
                }
            }
        }
        return (Some(c.expression.as_ref().to_string()), Some(i), None);
    }
    (pkg.license.clone(), None, None)
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
    let scope = g.reachable(&g.roots, follow);
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
        let (expr, clar, stale) = effective_expression(cfg, meta);
        if let Some(c) = clar {
            used_clarify[c] = true;
        }
        let v = verdict(cfg, meta, expr.as_deref());
        if matches!(v, Verdict::Accepted(_)) {
            continue;
        }
        let label = manifest_license_span(meta);
        if let Some((file, _)) = &label {
            sink.load_source(file);
        }
        let base = |code, msg: String| {
            let mut d = Diagnostic::error(code, msg)
                .with_package(p.to_ref())
                .with_inclusion_path(g.inclusion_path(&scope, i));
            if let Some((file, span)) = &label {
                d = d.with_label(file.clone(), span.clone(), "license declared here");
            }
            d
        };
        let mut d = match v {
            Verdict::Accepted(_) => continue,
            Verdict::Missing => {
                let mut d = base(Code::LicenseMissing, format!("{} v{} declares no license", p.name, p.version));
                match &meta.license_file {
                    Some(f) => {
                        d = d.with_note(format!("the crate only has `license-file = \"{f}\"`; cargo-cra does not guess licenses from text"));
                        let full = meta.manifest_path.parent().map(|d| d.join(f));
                        let hash = full.and_then(|p| std::fs::read(p).ok()).map(|b| fsutil::sha256_hex(&b)).unwrap_or_else(|| "<sha256 of the file>".into());
                        d = d.with_note(format!(
                            "help: after reading the file, clarify it in the policy:\n[[licenses.clarify]]\nname = \"{}\"\nversion = \"{}\"\nexpression = \"<SPDX expression>\"\nlicense-files = [{{ path = \"{f}\", hash = \"{hash}\" }}]",
                            p.name, p.version
                        ));
                    }
                    None => d = d.with_note("help: ask upstream to add `license = \"...\"`, or add a `[[licenses.clarify]]` entry after checking the crate's terms"),
                }
                d
            }
            Verdict::Unparseable(text, reason) => base(
                Code::LicenseUnparseable,
                format!("{} v{} has a license that is not a valid SPDX expression: `{text}` ({reason})", p.name, p.version),
            ),
            Verdict::Rejected(text, failed) => base(
                Code::LicenseRejected,
                format!("{} v{} is licensed `{text}`, which the policy does not allow", p.name, p.version),
            )
            .with_note(format!("not allowed: {}", failed.join(", ")))
            .with_note(format!(
                "help: add the license to `[licenses] allow`, or an exception for this crate: {{ name = \"{}\", allow = [{}] }}",
                p.name,
                failed.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ")
            ))
            .with_data("expression", text)
            .with_data("failed", failed),
        };
        if let Some(stale) = &stale {
            d = d.with_note(format!(
                "a clarification exists but no longer applies: {stale}"
            ));
        }
        if let (Some(pp), Some(span)) = (&policy_path, &cfg.allow_span) {
            d = d.with_secondary(pp.clone(), span.clone(), "allowed licenses");
        }
        sink.push(d);
        if let (Some(stale), Some(c), Some(pp)) = (stale, clar, &policy_path) {
            sink.push(
                Diagnostic::error(Code::LicenseClarificationStale, format!("the clarification for {} no longer matches its license file", p.name))
                    .with_package(p.to_ref())
                    .with_label(pp.clone(), cfg.clarify[c].span.clone(), "this clarification")
                    .with_note(stale)
                    .with_note("help: read the changed file, then update the hash (and the expression if the terms changed)"),
            );
        }
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
