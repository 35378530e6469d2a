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
    #[serde(default)]
    allow_org: RawOrgs,
    /// Registry or git URL prefixes whose crates are allowed (cargo-deny's `private`).
    #[serde(default)]
    private: Vec<Spanned<String>>,
    required_git_spec: Option<Spanned<String>>,
    unused_allowed_source: Option<Level>,
    unused_allowed_org: Option<Level>,
}

/// `[sources.allow-org]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrgs {
    #[serde(default)]
    github: Vec<Spanned<String>>,
    #[serde(default)]
    gitlab: Vec<Spanned<String>>,
    #[serde(default)]
    bitbucket: Vec<Spanned<String>>,
}

/// How precisely a git dependency pins its revision (cargo-deny's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GitSpec {
    /// The default branch.
    Any,
    /// `branch = "..."`.
    Branch,
    /// `tag = "..."`.
    Tag,
    /// `rev = "..."`.
    Rev,
}

impl GitSpec {
    fn name(self) -> &'static str {
        match self {
            GitSpec::Any => "any",
            GitSpec::Branch => "branch",
            GitSpec::Tag => "tag",
            GitSpec::Rev => "rev",
        }
    }

    /// The spec of a cargo git source id (`git+URL?rev=..#commit`).
    pub fn of_source(source: &str) -> GitSpec {
        let query = source
            .split('#')
            .next()
            .and_then(|s| s.split_once('?'))
            .map_or("", |(_, q)| q);
        let mut spec = GitSpec::Any;
        for kv in query.split('&') {
            let s = match kv.split('=').next() {
                Some("rev") => GitSpec::Rev,
                Some("tag") => GitSpec::Tag,
                Some("branch") => GitSpec::Branch,
                _ => continue,
            };
            spec = spec.max(s);
        }
        spec
    }
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
    /// Organizations whose git repositories are allowed: (host, org).
    pub allow_org: Vec<(&'static str, String)>,
    /// URL prefixes (registries or git) that are allowed.
    pub private: Vec<String>,
    /// The least precise git spec allowed.
    pub required_git_spec: Option<GitSpec>,
    /// Every `allow-registry`, `allow-git` and `private` entry in cargo-deny's order, with its
    /// span in the policy (`None`: the default crates.io entry), for `unused-allowed-source`.
    pub allowed_entries: Vec<AllowedEntry>,
    /// `allow-org` entries with their spans, for `unused-allowed-org`.
    pub allowed_org_spans: Vec<std::ops::Range<usize>>,
    /// Level of `source-allow-unused` (cargo-deny's `unused-allowed-source`).
    pub unused_allowed_source: Level,
    /// Level of `source-allow-org-unused` (cargo-deny's `unused-allowed-org`).
    pub unused_allowed_org: Level,
}

/// One allowed source as written, for the unused-entry lints.
#[derive(Debug, Clone)]
pub struct AllowedEntry {
    /// The key it is listed under (`allow-registry`, `allow-git`, `private`).
    pub key: &'static str,
    /// The normalized URL (`crates-io` for crates.io).
    pub url: String,
    /// A URL prefix (`private`) rather than one source.
    pub prefix: bool,
    /// Where it is written (`None`: the default).
    pub span: Option<std::ops::Range<usize>>,
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
        let mut allowed_entries = Vec::new();
        let defaulted = raw.allow_registry.is_none();
        for r in raw
            .allow_registry
            .unwrap_or_else(|| vec![Spanned::new(0..0, "crates-io".to_string())])
        {
            let s = r.get_ref().trim();
            let span = (!defaulted).then(|| r.span());
            if s == "crates-io"
                || normalize_url(s) == normalize_url(CRATES_IO_INDEX)
                || normalize_url(s) == "https://index.crates.io"
            {
                allow_registry.push("crates-io".to_string());
                allowed_entries.push(AllowedEntry {
                    key: "allow-registry",
                    url: "crates-io".into(),
                    prefix: false,
                    span,
                });
            } else if s.contains("://") {
                allow_registry.push(normalize_url(s));
                allowed_entries.push(AllowedEntry {
                    key: "allow-registry",
                    url: normalize_url(s),
                    prefix: false,
                    span,
                });
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
                allowed_entries.push(AllowedEntry {
                    key: "allow-git",
                    url: normalize_url(g.get_ref()),
                    prefix: false,
                    span: Some(g.span()),
                });
            } else {
                v.error(g.span(), format!("`{}` is not a git URL", g.get_ref()));
            }
        }
        let mut allow_org = Vec::new();
        let mut allowed_org_spans = Vec::new();
        for (host, list) in [
            ("github.com", raw.allow_org.github),
            ("gitlab.com", raw.allow_org.gitlab),
            ("bitbucket.org", raw.allow_org.bitbucket),
        ] {
            for o in list {
                allowed_org_spans.push(o.span());
                allow_org.push((host, o.into_inner()));
            }
        }
        for p in &raw.private {
            allowed_entries.push(AllowedEntry {
                key: "private",
                url: normalize_url(p.get_ref()),
                prefix: true,
                span: Some(p.span()),
            });
        }
        let required_git_spec = match raw.required_git_spec {
            None => None,
            Some(s) => match s.get_ref().as_str() {
                "any" => Some(GitSpec::Any),
                "branch" => Some(GitSpec::Branch),
                "tag" => Some(GitSpec::Tag),
                "rev" => Some(GitSpec::Rev),
                other => {
                    v.error(
                        s.span(),
                        format!("`required-git-spec` takes one of \"any\", \"branch\", \"tag\", \"rev\", found \"{other}\""),
                    );
                    None
                }
            },
        };
        // cargo-deny's defaults for its own file: unknown sources are warnings.
        let default = if v.dialect == crate::policy::Dialect::CargoDeny {
            Level::Warn
        } else {
            Level::Deny
        };
        Config {
            allow_registry,
            allow_git,
            unknown_registry: raw.unknown_registry.unwrap_or(default),
            unknown_git: raw.unknown_git.unwrap_or(default),
            allow_org,
            private: raw
                .private
                .into_iter()
                .map(|p| normalize_url(p.get_ref()))
                .collect(),
            required_git_spec,
            allowed_entries,
            allowed_org_spans,
            unused_allowed_source: raw.unused_allowed_source.unwrap_or(Level::Warn),
            unused_allowed_org: raw.unused_allowed_org.unwrap_or(Level::Warn),
        }
    }

    /// Whether the unused-entry lints can fire: an entry to report and a level that reports
    /// (cargo-deny skips the whole check when both unknown sources are allowed).
    pub fn wants_unused_lints(&self) -> bool {
        let checked = self.unknown_registry != Level::Allow || self.unknown_git != Level::Allow;
        let source = self.unused_allowed_source.severity().is_some()
            && self
                .allowed_entries
                .iter()
                .any(|e| e.span.is_some() && e.url != "crates-io");
        let org = self.unused_allowed_org.severity().is_some() && !self.allow_org.is_empty();
        checked && (source || org)
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
                let ok = cfg.allow_registry.contains(&n) || private_ok(cfg, &n);
                (
                    Code::SourceRegistryNotAllowed,
                    cfg.unknown_registry,
                    format!("registry `{n}`"),
                    ok,
                )
            }
            SourceKind::Git { url, .. } => {
                let n = normalize_url(url);
                let spec = GitSpec::of_source(p.source.as_deref().unwrap_or(""));
                if let Some(min) = cfg.required_git_spec
                    && spec < min
                {
                    sink.push(
                        Diagnostic::error(
                            Code::SourceGitSpecTooLoose,
                            format!(
                                "{} v{} is a git dependency pinned by `{}`, the policy requires at least `{}`",
                                p.name,
                                p.version,
                                spec.name(),
                                min.name()
                            ),
                        )
                        .with_package(p.to_ref())
                        .with_note("help: pin the dependency with `rev = \"<commit>\"` (or `tag`) in Cargo.toml"),
                    );
                }
                let org = n
                    .split_once("://")
                    .and_then(|(_, rest)| rest.split_once('/'))
                    .and_then(|(host, path)| Some((host, path.split('/').next()?)));
                let by_org = org.is_some_and(|(host, o)| {
                    cfg.allow_org.iter().any(|(h, name)| {
                        h.eq_ignore_ascii_case(host) && name.to_lowercase() == o.to_lowercase()
                    })
                });
                let ok = cfg.allow_git.contains(&n) || by_org || private_ok(cfg, &n);
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
    unused_entries(ctx, sink);
    Ok(())
}

/// `unused-allowed-source` and `unused-allowed-org`, with cargo-deny's semantics: each crate
/// with a registry or git source counts for the first entry that matches it (`allow-registry`,
/// then `allow-git`, then `private` prefixes), and a git crate no entry matches counts for its
/// `allow-org` entry; an entry nothing counted for is reported at its line. The crates are
/// those of cargo-deny's graph (the bans check's: dev-dependencies included, `[graph]`
/// targets, else every platform), or every locked package on the lockfile-only path.
/// crates.io entries are never reported (the default source).
fn unused_entries(ctx: &CheckCtx<'_>, sink: &mut Diagnostics) {
    let cfg = &ctx.policy.sources;
    let Some(policy_path) = &ctx.policy.path else {
        return;
    };
    if !cfg.wants_unused_lints() {
        return;
    }
    let kinds: Vec<&SourceKind> = match ctx.bans {
        Some(b) => b.graph.nodes.iter().map(|n| &n.kind).collect(),
        None => ctx.ws.graph.pkgs.iter().map(|p| &p.kind).collect(),
    };
    let mut source_hits = vec![false; cfg.allowed_entries.len()];
    let mut org_hits = vec![false; cfg.allow_org.len()];
    for kind in kinds {
        let (url, git) = match kind {
            SourceKind::Path => continue,
            SourceKind::CratesIo => ("crates-io".to_string(), false),
            SourceKind::Registry(u) => (normalize_url(u), false),
            SourceKind::Git { url, .. } => (normalize_url(url), true),
        };
        let hit = cfg.allowed_entries.iter().position(|e| {
            if e.prefix {
                url.starts_with(&e.url)
            } else {
                e.url == url
            }
        });
        if let Some(j) = hit {
            source_hits[j] = true;
            continue;
        }
        if !git {
            continue;
        }
        let org = url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('/'))
            .and_then(|(host, path)| Some((host, path.split('/').next()?)));
        if let Some((host, o)) = org
            && let Some(j) = cfg.allow_org.iter().position(|(h, name)| {
                h.eq_ignore_ascii_case(host) && name.to_lowercase() == o.to_lowercase()
            })
        {
            org_hits[j] = true;
        }
    }
    if let Some(severity) = cfg.unused_allowed_source.severity() {
        for (e, _) in cfg
            .allowed_entries
            .iter()
            .zip(&source_hits)
            .filter(|(e, hit)| !**hit && e.url != "crates-io")
        {
            let Some(span) = &e.span else { continue };
            let what = if e.prefix { "prefix" } else { "source" };
            sink.push(
                Diagnostic::new(
                    Code::SourceAllowUnused,
                    severity,
                    format!(
                        "allowed {what} `{}` (`{}`) matched no crate in the graph",
                        e.url, e.key
                    ),
                )
                .with_label(policy_path.clone(), span.clone(), "no crate comes from here")
                .with_note(format!(
                    "help: remove the entry from `[sources] {}`, or set `unused-allowed-source = \"allow\"`",
                    e.key
                )),
            );
        }
    }
    if let Some(severity) = cfg.unused_allowed_org.severity() {
        for (((host, org), span), _) in cfg
            .allow_org
            .iter()
            .zip(&cfg.allowed_org_spans)
            .zip(&org_hits)
            .filter(|(_, hit)| !**hit)
        {
            let key = host.split('.').next().unwrap_or(host);
            sink.push(
                Diagnostic::new(
                    Code::SourceAllowOrgUnused,
                    severity,
                    format!("allowed {host} organization `{org}` matched no crate in the graph"),
                )
                .with_label(policy_path.clone(), span.clone(), "no git crate comes from this organization")
                .with_note(format!(
                    "help: remove it from `[sources.allow-org] {key}`, or set `unused-allowed-org = \"allow\"`"
                )),
            );
        }
    }
}

/// Whether a normalized source URL starts with one of the `private` prefixes.
fn private_ok(cfg: &Config, url: &str) -> bool {
    cfg.private
        .iter()
        .any(|p| url == p || url.starts_with(&format!("{p}/")))
}

/// Span of a package's `[[package]]` entry in Cargo.lock (its `name = ` line).
pub fn lock_span(
    ctx: &CheckCtx<'_>,
    name: &str,
    version: &str,
) -> Option<(std::ops::Range<usize>, camino::Utf8PathBuf)> {
    let path = &ctx.ws.lockfile_path;
    let text = ctx.ws.sources.get(path)?;
    let span = ctx
        .lock_spans
        .get_or_init(|| LockSpans::index(text))
        .get(name, version)?;
    Some((span, path.clone()))
}

/// Where each package's `name = "..."` line is in Cargo.lock, found in one pass over the
/// text (a search per finding is quadratic on a large lockfile with many findings).
#[derive(Debug, Default)]
pub struct LockSpans {
    /// `(name, version)` -> byte range of the `name = "..."` line of its first entry.
    spans: std::collections::HashMap<(String, String), std::ops::Range<usize>>,
}

impl LockSpans {
    /// Indexes every `name = "N"` line directly followed by a `version = "V"` line.
    pub fn index(text: &str) -> LockSpans {
        let mut spans = std::collections::HashMap::new();
        let mut prev: Option<(&str, std::ops::Range<usize>)> = None;
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let line = raw.strip_suffix('\n').unwrap_or(raw);
            let line = line.strip_suffix('\r').unwrap_or(line);
            let quoted = |key: &str| {
                line.strip_prefix(key)?
                    .strip_prefix(" = \"")?
                    .strip_suffix('"')
            };
            if let (Some((name, span)), Some(version)) = (prev.take(), quoted("version")) {
                spans
                    .entry((name.to_string(), version.to_string()))
                    .or_insert(span);
            }
            if let Some(name) = quoted("name") {
                prev = Some((name, offset..offset + line.len()));
            }
            offset += raw.len();
        }
        LockSpans { spans }
    }

    /// The span of `name version`'s entry.
    pub fn get(&self, name: &str, version: &str) -> Option<std::ops::Range<usize>> {
        self.spans
            .get(&(name.to_string(), version.to_string()))
            .cloned()
    }
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

    #[test]
    fn lock_spans_point_at_each_entry_of_a_large_lockfile() {
        // 5,000 entries, two versions of some names, CRLF in one part: every span is the
        // entry's `name = ` line, the first entry when one repeats.
        let mut text = String::from("version = 4\n\n");
        let mut want = Vec::new();
        for i in 0..5000 {
            let nl = if i % 7 == 0 { "\r\n" } else { "\n" };
            let (name, version) = (format!("crate-{}", i / 2), format!("{}.0.0", i % 2));
            text.push_str(&format!("[[package]]{nl}"));
            want.push((name.clone(), version.clone(), text.len()));
            text.push_str(&format!(
                "name = \"{name}\"{nl}version = \"{version}\"{nl}dependencies = [{nl} \"name = \\\"x\\\"\",{nl}]{nl}{nl}"
            ));
        }
        let spans = LockSpans::index(&text);
        for (name, version, start) in &want {
            let span = spans.get(name, version).unwrap();
            assert_eq!(span.start, *start);
            assert_eq!(&text[span], format!("name = \"{name}\""));
        }
        assert_eq!(spans.get("crate-1", "9.0.0"), None);
        assert_eq!(spans.get("x", "1.0.0"), None);
    }
}
