//! Source check: every package must come from an allowed registry or git repository
//! (cargo-deny's `[sources]` keys). Path packages are always allowed.

use super::CheckCtx;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::error::Result;
use crate::policy::{Level, Validator};
use crate::workspace::{CRATES_IO_INDEX, SourceKind};
use serde::Deserialize;
use toml::Spanned;

/// `[sources]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    allow_registry: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    allow_git: Vec<Spanned<String>>,
    unknown_registry: Option<Level>,
    unknown_git: Option<Level>,
}

/// `[sources]`, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Allowed registries, normalized (crates.io as `crates-io`, others as bare URLs).
    pub allow_registry: Vec<String>,
    /// Allowed git repositories, normalized URLs.
    pub allow_git: Vec<String>,
    /// What to do with other registries.
    pub unknown_registry: Level,
    /// What to do with other git repositories.
    pub unknown_git: Level,
}

/// Normalizes a registry or git URL for comparison: no `registry+`/`sparse+`/`git+`
/// prefix, no trailing `/` or `.git`, lowercase scheme and host.
pub fn normalize_url(url: &str) -> String {
    let mut u = url.trim();
    for p in ["registry+", "sparse+", "git+"] {
        u = u.strip_prefix(p).unwrap_or(u);
    }
    let u = u.split(['?', '#']).next().unwrap_or(u);
    let u = u.trim_end_matches('/');
    let u = u.strip_suffix(".git").unwrap_or(u);
    match u.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
            let mut s = format!(
                "{}://{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase()
            );
            if !path.is_empty() {
                s.push('/');
                s.push_str(path);
            }
            s
        }
        None => u.to_string(),
    }
}

impl Config {
    /// Validates the raw section.
    pub fn validate(raw: RawConfig, v: &mut Validator<'_>) -> Config {
        let mut allow_registry = Vec::new();
        for r in raw
            .allow_registry
            .unwrap_or_else(|| vec![Spanned::new(0..0, "crates-io".to_string())])
        {
            let s = r.get_ref().trim();
            if s == "crates-io"
                || normalize_url(s) == normalize_url(CRATES_IO_INDEX)
                || normalize_url(s) == "https://index.crates.io"
            {
                allow_registry.push("crates-io".to_string());
            } else if s.contains("://") {
                allow_registry.push(normalize_url(s));
            } else {
                v.error(
                    r.span(),
                    format!(
                        "`{s}` is not a registry: use \"crates-io\" or the registry's index URL"
                    ),
                );
            }
        }
        let mut allow_git = Vec::new();
        for g in raw.allow_git {
            if g.get_ref().contains("://") {
                allow_git.push(normalize_url(g.get_ref()));
            } else {
                v.error(g.span(), format!("`{}` is not a git URL", g.get_ref()));
            }
        }
        Config {
            allow_registry,
            allow_git,
            unknown_registry: raw.unknown_registry.unwrap_or(Level::Deny),
            unknown_git: raw.unknown_git.unwrap_or(Level::Deny),
        }
    }
}

/// Runs the source check over every package of the graph (sources matter whether or not a
/// package is built: cargo downloads them all).
pub fn check(ctx: &CheckCtx<'_>, sink: &mut Diagnostics) -> Result<()> {
    let cfg = &ctx.policy.sources;
    let g = &ctx.ws.graph;
    let parents = g.reachable(
        &g.roots,
        crate::workspace::Follow {
            build: true,
            dev: true,
            proc_macros: true,
        },
    );
    for (i, p) in g.pkgs.iter().enumerate() {
        let (code, level, what, allowed) = match &p.kind {
            SourceKind::Path => continue,
            SourceKind::CratesIo => (
                Code::SourceRegistryNotAllowed,
                cfg.unknown_registry,
                "registry `crates-io`".to_string(),
                cfg.allow_registry.iter().any(|r| r == "crates-io"),
            ),
            SourceKind::Registry(url) => {
                let n = normalize_url(url);
                let ok = cfg.allow_registry.contains(&n);
                (
                    Code::SourceRegistryNotAllowed,
                    cfg.unknown_registry,
                    format!("registry `{n}`"),
                    ok,
                )
            }
            SourceKind::Git { url, .. } => {
                let n = normalize_url(url);
                let ok = cfg.allow_git.contains(&n);
                (
                    Code::SourceGitNotAllowed,
                    cfg.unknown_git,
                    format!("git repository `{n}`"),
                    ok,
                )
            }
        };
        if allowed {
            continue;
        }
        let Some(severity) = level.severity() else {
            continue;
        };
        let key = if code == Code::SourceGitNotAllowed {
            "allow-git"
        } else {
            "allow-registry"
        };
        let mut d = Diagnostic::new(
            code,
            severity,
            format!(
                "{} v{} comes from {what}, which is not allowed",
                p.name, p.version
            ),
        )
        .with_package(p.to_ref())
        .with_note(format!(
            "help: if this source is trusted, add it to `[sources] {key}` in the policy"
        ));
        if parents.contains_key(&i) {
            d = d.with_inclusion_path(g.inclusion_path(&parents, i));
        }
        if let Some((span, file)) = lock_span(ctx, &p.name, &p.version.to_string()) {
            d = d.with_label(file, span, "locked here");
        }
        sink.push(d);
    }
    Ok(())
}

/// Span of a package's `[[package]]` entry in Cargo.lock (its `name = ` line).
pub fn lock_span(
    ctx: &CheckCtx<'_>,
    name: &str,
    version: &str,
) -> Option<(std::ops::Range<usize>, camino::Utf8PathBuf)> {
    let path = &ctx.ws.lockfile_path;
    let text = ctx.ws.sources.get(path)?;
    let needle = format!("name = \"{name}\"\nversion = \"{version}\"");
    let start = text.find(&needle)?;
    Some((
        start..start + needle.find('\n').unwrap_or(needle.len()),
        path.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_urls() {
        assert_eq!(
            normalize_url("git+https://GitHub.com/a/b.git?rev=1#abc"),
            "https://github.com/a/b"
        );
        assert_eq!(
            normalize_url("sparse+https://r.example/index/"),
            "https://r.example/index"
        );
    }
}
