//! The bans check (`cargo cra check bans`): cargo-deny 0.20's `[bans]` semantics over
//! cargo-deny's crate graph ([`graph::DenyGraph`], dev-dependencies included unless
//! `[graph] exclude-dev`):
//!
//! * `deny` (with `wrappers`, `deny-multiple-versions`, `reason`, `use-instead`) and `allow`
//!   lists (with `allow-workspace`);
//! * several versions of a crate (`multiple-versions`, `skip`, `skip-tree` with `depth`,
//!   `multiple-versions-include-dev`), a crate whose only dependents are other versions of
//!   itself (the semver trick) not counted;
//! * features: `[[bans.features]]` `allow`/`deny`/`exact`, `external-default-features`,
//!   `workspace-default-features`;
//! * wildcard version requirements of path packages (`wildcards`, `allow-wildcard-paths`);
//! * `[bans.build]`: build scripts, and the files of crates that run at build time (native
//!   executables, shebang scripts, script extensions), with per-crate bypasses pinned by
//!   SHA-256 ([`build`]).
//!
//! Every finding cargo-deny reports as an error is an error here, so the gate fails the same
//! crates; notes cargo-deny prints for allowed or skipped crates are not repeated.

pub mod build;
pub mod cfg;
pub mod graph;

pub use cfg::Config;

use super::CheckCtx;
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::error::Result;
use crate::policy::Level;
use graph::DenyGraph;
use std::collections::BTreeSet;

/// What the bans check reads besides the policy: cargo-deny's graph.
#[derive(Debug)]
pub struct Input {
    /// The graph.
    pub graph: DenyGraph,
}

fn severity(level: Level) -> Option<Severity> {
    level.severity()
}

/// A label into the policy file, when there is one.
fn policy_label(
    d: Diagnostic,
    ctx: &CheckCtx<'_>,
    span: &std::ops::Range<usize>,
    msg: &str,
) -> Diagnostic {
    match &ctx.policy.path {
        Some(p) if span.end > span.start => d.with_secondary(p.clone(), span.clone(), msg),
        _ => d,
    }
}

fn primary_label(
    d: Diagnostic,
    ctx: &CheckCtx<'_>,
    span: &std::ops::Range<usize>,
    msg: &str,
) -> Diagnostic {
    match &ctx.policy.path {
        Some(p) if span.end > span.start => d.with_label(p.clone(), span.clone(), msg),
        _ => d,
    }
}

/// Runs the bans check over `input`.
pub fn check(ctx: &CheckCtx<'_>, input: &Input, sink: &mut Diagnostics) -> Result<()> {
    let cfg = &ctx.policy.bans;
    let g = &input.graph;
    if let Some(span) = &cfg.std_replacements {
        sink.push(primary_label(
            Diagnostic::warning(
                Code::BansNotEvaluated,
                "`[bans.std-replacements]` is set, but cargo-cra does not evaluate it (it needs the std-replacement-data repository, which cargo-deny fetches with `cargo deny fetch`)",
            )
            .with_note("note: cargo-deny clones that data on each online run into $TMPDIR/cargo-deny/std-replacement-data; offline, or without it, cargo-deny reports nothing either"),
            ctx,
            span,
            "not evaluated",
        ));
    }
    let pkg_diag = |code: Code, sev: Severity, i: usize, msg: String| {
        Diagnostic::new(code, sev, msg)
            .with_package(g.nodes[i].to_ref())
            .with_inclusion_path(g.inclusion_path(i))
    };

    // Skip trees: every crate within `depth` of a matching root.
    let mut tree_skipped: BTreeSet<usize> = BTreeSet::new();
    for ts in &cfg.skip_tree {
        let roots: Vec<usize> = (0..g.nodes.len())
            .filter(|&i| ts.spec.matches(&g.nodes[i].name, &g.nodes[i].version))
            .collect();
        if roots.is_empty() {
            sink.push(primary_label(
                Diagnostic::warning(
                    Code::BansSkipTreeUnmatched,
                    format!(
                        "skip-tree root `{}` was not found in the dependency graph",
                        ts.spec
                    ),
                ),
                ctx,
                &ts.spec.span,
                "no crate matches",
            ));
        }
        let max = ts.depth.unwrap_or(usize::MAX);
        for r in roots {
            let mut pending = vec![(r, 1usize)];
            let mut visited = BTreeSet::new();
            while let Some((n, depth)) = pending.pop() {
                if !visited.insert(n) {
                    continue;
                }
                tree_skipped.insert(n);
                if depth < max {
                    for &(d, _) in &g.deps[n] {
                        pending.push((d, depth + 1));
                    }
                }
            }
        }
    }

    let mut wrapper_hits: Vec<Vec<bool>> = cfg
        .deny
        .iter()
        .map(|b| vec![false; b.wrappers.len()])
        .collect();
    let mut skip_hits = vec![false; cfg.skip.len()];
    let counted: Option<BTreeSet<usize>> =
        (!cfg.multiple_versions_include_dev).then(|| g.without_dev());

    // Per crate: deny, allow, features.
    for (i, n) in g.nodes.iter().enumerate() {
        let workspace_ok = n.is_member && cfg.allow_workspace;
        for (bi, ban) in cfg.deny.iter().enumerate() {
            if !ban.spec.matches(&n.name, &n.version) || workspace_ok {
                continue;
            }
            let allowed_by_wrapper = if ban.wrappers.is_empty() {
                false
            } else {
                let mut all = true;
                for &parent in &g.rdeps[i] {
                    let pname = &g.nodes[parent].name;
                    match ban.wrappers.iter().position(|w| w.get_ref() == pname) {
                        Some(w) => wrapper_hits[bi][w] = true,
                        None => {
                            all = false;
                            sink.push(policy_label(
                                pkg_diag(
                                    Code::BansWrapperUnmatched,
                                    Severity::Warning,
                                    i,
                                    format!(
                                        "direct parent {} of banned crate {} is not one of its `wrappers`",
                                        g.nodes[parent].to_ref(),
                                        n.to_ref()
                                    ),
                                ),
                                ctx,
                                &ban.spec.span,
                                "banned here",
                            ));
                        }
                    }
                }
                all
            };
            if !allowed_by_wrapper {
                let mut d = pkg_diag(
                    Code::BansBanned,
                    Severity::Error,
                    i,
                    format!("{} is banned", n.to_ref()),
                );
                if let Some(r) = &ban.reason {
                    d = d.with_note(format!("reason: {r}"));
                }
                if let Some(u) = &ban.use_instead {
                    d = d.with_note(format!("help: use `{u}` instead"));
                }
                sink.push(primary_label(d, ctx, &ban.spec.span, "banned here"));
            }
        }
        if !cfg.allow.is_empty()
            && !cfg
                .allow
                .iter()
                .any(|a| a.spec.matches(&n.name, &n.version))
            && !workspace_ok
        {
            sink.push(pkg_diag(
                Code::BansNotAllowed,
                Severity::Error,
                i,
                format!("{} is not on the `[bans] allow` list", n.to_ref()),
            ));
        }
        features(ctx, g, i, sink);
    }

    // Duplicates: crates grouped by name (nodes are sorted by name).
    let mut start = 0;
    while start < g.nodes.len() {
        let name = &g.nodes[start].name;
        let mut end = start;
        while end < g.nodes.len() && g.nodes[end].name == *name {
            end += 1;
        }
        let mut dupes: Vec<(usize, bool)> = Vec::new();
        for i in start..end {
            if counted.as_ref().is_some_and(|c| !c.contains(&i)) {
                continue;
            }
            let skip: Vec<usize> = cfg
                .skip
                .iter()
                .enumerate()
                .filter(|(_, s)| s.spec.matches(&g.nodes[i].name, &g.nodes[i].version))
                .map(|(k, _)| k)
                .collect();
            if !skip.is_empty() {
                for k in skip {
                    skip_hits[k] = true;
                }
                dupes.push((i, true));
            } else if tree_skipped.contains(&i) {
                // Skipped by a tree: not counted at all (cargo-deny).
            } else {
                dupes.push((i, false));
                wildcards(ctx, g, i, sink);
            }
        }
        if dupes.len() != 1 {
            // The semver trick: a crate whose only dependents are other versions of itself.
            dupes.retain(|&(i, _)| !g.rdeps[i].iter().all(|&p| g.nodes[p].name == *name));
        }
        let unskipped: Vec<usize> = dupes.iter().filter(|(_, s)| !s).map(|(i, _)| *i).collect();
        let has_dupes = dupes.len() > 1;
        if unskipped.len() > 1 {
            let denied = unskipped.iter().any(|&i| {
                cfg.deny_multiple_versions
                    .iter()
                    .any(|s| s.matches(&g.nodes[i].name, &g.nodes[i].version))
            });
            let level = if denied {
                Level::Deny
            } else {
                cfg.multiple_versions
            };
            if let Some(sev) = severity(level) {
                let versions: Vec<String> = unskipped
                    .iter()
                    .map(|&i| g.nodes[i].version.to_string())
                    .collect();
                let mut d = Diagnostic::new(
                    Code::BansDuplicate,
                    sev,
                    format!(
                        "found {} versions of crate `{name}`: {}",
                        unskipped.len(),
                        versions.join(", ")
                    ),
                )
                .with_package(g.nodes[unskipped[0]].to_ref())
                .with_data("versions", versions);
                for &i in &unskipped {
                    let path: Vec<String> =
                        g.inclusion_path(i).iter().map(|p| p.to_string()).collect();
                    d = d.with_note(format!("{} via {}", g.nodes[i].to_ref(), path.join(" -> ")));
                }
                d = d.with_inclusion_path(g.inclusion_path(unskipped[0]));
                if let Some(span) = &cfg.multiple_versions_span {
                    d = policy_label(d, ctx, span, "multiple-versions");
                }
                sink.push(d);
            }
        }
        if !has_dupes {
            for (k, s) in cfg.skip.iter().enumerate() {
                if skip_hits[k] && s.spec.name == *name {
                    sink.push(primary_label(
                        Diagnostic::warning(
                            Code::BansSkipUnnecessary,
                            format!("skip `{}` applies to a crate with only one version", s.spec),
                        ),
                        ctx,
                        &s.spec.span,
                        "unnecessary",
                    ));
                }
            }
        }
        start = end;
    }
    for (k, hit) in skip_hits.iter().enumerate() {
        if !hit {
            let s = &cfg.skip[k];
            sink.push(primary_label(
                Diagnostic::warning(
                    Code::BansSkipUnmatched,
                    format!("skipped crate `{}` was not encountered", s.spec),
                ),
                ctx,
                &s.spec.span,
                "no crate matches",
            ));
        }
    }
    for (bi, hits) in wrapper_hits.iter().enumerate() {
        for (w, hit) in hits.iter().enumerate() {
            if !hit {
                let wr = &cfg.deny[bi].wrappers[w];
                sink.push(primary_label(
                    Diagnostic::warning(
                        Code::BansWrapperUnused,
                        format!(
                            "wrapper `{}` of banned crate `{}` was not encountered",
                            wr.get_ref(),
                            cfg.deny[bi].spec
                        ),
                    ),
                    ctx,
                    &wr.span(),
                    "unmatched wrapper",
                ));
            }
        }
    }
    if let Some(b) = &cfg.build {
        build::check(ctx, g, b, sink);
    }
    if let Some(w) = &cfg.workspace_dependencies {
        build::workspace_dependencies(ctx, g, w, sink);
    }
    Ok(())
}

/// `[[bans.features]]` and the default-features levels for node `i`.
fn features(ctx: &CheckCtx<'_>, g: &DenyGraph, i: usize, sink: &mut Diagnostics) {
    let cfg = &ctx.policy.bans;
    let n = &g.nodes[i];
    let enabled = &n.features;
    let default_level = if enabled.contains("default") {
        if n.is_member {
            cfg.workspace_default_features.as_ref()
        } else {
            cfg.external_default_features.as_ref()
        }
    } else {
        None
    };
    let pkg_diag = |code: Code, sev: Severity, msg: String| {
        Diagnostic::new(code, sev, msg)
            .with_package(n.to_ref())
            .with_inclusion_path(g.inclusion_path(i))
    };
    let default_diag = |level: &toml::Spanned<Level>| -> Option<Diagnostic> {
        let sev = level.get_ref().severity()?;
        Some(primary_label(
            pkg_diag(
                Code::BansDefaultFeatures,
                sev,
                format!("the `default` feature is enabled for {}", n.to_ref()),
            ),
            ctx,
            &level.span(),
            "lint level",
        ))
    };
    if let Some(l) = default_level
        && *l.get_ref() == Level::Warn
        && let Some(d) = default_diag(l)
    {
        sink.push(d);
    }
    let declared = &g.pkg(i).features;
    let matches: Vec<&cfg::CrateFeatures> = cfg
        .features
        .iter()
        .filter(|f| f.spec.matches(&n.name, &n.version))
        .collect();
    if matches.is_empty() {
        if let Some(l) = default_level
            && *l.get_ref() == Level::Deny
            && let Some(d) = default_diag(l)
        {
            sink.push(d);
        }
        return;
    }
    for fb in matches {
        let before = sink.items().len();
        let not_allowed: Vec<&String> = enabled
            .iter()
            .filter(|ef| !fb.allow.iter().any(|a| a.get_ref() == *ef))
            .filter(|ef| {
                !(ef.as_str() == "default"
                    && default_level.is_some_and(|l| *l.get_ref() != Level::Deny))
            })
            .collect();
        let ok = if fb.exact {
            let missing: Vec<&toml::Spanned<String>> = fb
                .allow
                .iter()
                .filter(|a| !enabled.contains(a.get_ref()))
                .collect();
            if missing.is_empty() && not_allowed.is_empty() {
                true
            } else {
                let mut d = pkg_diag(
                    Code::BansFeaturesExactMismatch,
                    Severity::Error,
                    format!(
                        "the features enabled for {} are not exactly the allowed ones",
                        n.to_ref()
                    ),
                );
                if !not_allowed.is_empty() {
                    d = d.with_note(format!(
                        "enabled but not allowed: {}",
                        not_allowed
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                if !missing.is_empty() {
                    d = d.with_note(format!(
                        "allowed but not enabled: {}",
                        missing
                            .iter()
                            .map(|s| s.get_ref().as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                sink.push(primary_label(d, ctx, &fb.exact_span, "exact = true"));
                false
            }
        } else {
            if !fb.allow.is_empty() {
                for f in &not_allowed {
                    // Without `exact`, an allowed feature that enables this one covers it.
                    let covered = fb
                        .allow
                        .iter()
                        .any(|a| has_feature(declared, a.get_ref(), f, 0));
                    if !covered {
                        sink.push(primary_label(
                            pkg_diag(
                                Code::BansFeatureNotAllowed,
                                Severity::Error,
                                format!("feature `{f}` of {} is not allowed", n.to_ref()),
                            ),
                            ctx,
                            &fb.allow_span,
                            "allowed features",
                        ));
                    }
                }
            }
            if let Some(l) = default_level
                && *l.get_ref() == Level::Deny
                && !fb.allow.iter().any(|a| a.get_ref() == "default")
                && !fb.deny.iter().any(|a| a.get_ref() == "default")
                && let Some(d) = default_diag(l)
            {
                sink.push(d);
            }
            for f in fb.deny.iter().filter(|f| enabled.contains(f.get_ref())) {
                sink.push(primary_label(
                    pkg_diag(
                        Code::BansFeatureBanned,
                        Severity::Error,
                        format!("feature `{}` of {} is banned", f.get_ref(), n.to_ref()),
                    ),
                    ctx,
                    &f.span(),
                    "banned here",
                ));
            }
            // cargo-deny's quirk: the unknown-feature warnings below are always shown here.
            sink.items().len() >= before
        };
        if ok {
            for f in fb.allow.iter().chain(&fb.deny) {
                if !declared.contains_key(f.get_ref()) {
                    sink.push(primary_label(
                        pkg_diag(
                            Code::BansFeatureUnknown,
                            Severity::Warning,
                            format!("{} has no feature `{}`", n.to_ref(), f.get_ref()),
                        ),
                        ctx,
                        &f.span(),
                        "unknown feature",
                    ));
                }
            }
        }
    }
}

/// Whether feature `parent` of a crate enables `feature` (directly or through other
/// features of the same crate).
fn has_feature(
    map: &std::collections::BTreeMap<String, Vec<String>>,
    parent: &str,
    feature: &str,
    depth: usize,
) -> bool {
    if depth > 64 {
        return false;
    }
    map.get(parent).is_some_and(|subs| {
        subs.iter().any(|f| {
            // `dep:x`, `x/y` and `x?/y` are not features of this crate.
            if f.starts_with("dep:") || f.contains('/') {
                return false;
            }
            f == feature || has_feature(map, f, feature, depth + 1)
        })
    })
}

/// Wildcard version requirements of path package `i`.
fn wildcards(ctx: &CheckCtx<'_>, g: &DenyGraph, i: usize, sink: &mut Diagnostics) {
    let cfg = &ctx.policy.bans;
    let Some(sev) = severity(cfg.wildcards) else {
        return;
    };
    let n = &g.nodes[i];
    if n.source.is_some() {
        return;
    }
    let pkg = g.pkg(i);
    let private = pkg.publish.as_ref().is_some_and(|r| r.is_empty());
    let mut bad: Vec<String> = Vec::new();
    for dep in &pkg.dependencies {
        if dep.req != semver::VersionReq::STAR {
            continue;
        }
        // The dependency as resolved in the graph.
        let Some(&(to, _)) = g.deps[i].iter().find(|(to, _)| {
            g.nodes[*to].name == dep.name && dep.req.matches(&g.nodes[*to].version)
        }) else {
            continue;
        };
        let target = &g.nodes[to];
        let is_registry = matches!(
            target.kind,
            crate::workspace::SourceKind::CratesIo | crate::workspace::SourceKind::Registry(_)
        );
        if (cfg.allow_wildcard_paths
            && !is_registry
            && (private || dep.kind == cargo_metadata::DependencyKind::Development))
            || to == i
        {
            continue;
        }
        bad.push(dep.name.clone());
    }
    if bad.is_empty() {
        return;
    }
    bad.sort();
    bad.dedup();
    let mut d = Diagnostic::new(
        Code::BansWildcard,
        sev,
        format!(
            "{} declares {} with a wildcard version requirement (`*`)",
            n.to_ref(),
            bad.iter()
                .map(|b| format!("`{b}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_package(n.to_ref())
    .with_data("dependencies", bad.clone());
    if cfg.allow_wildcard_paths {
        d = d.with_note("note: `allow-wildcard-paths` only allows path dependencies of unpublished crates (`publish = false`) and dev-dependencies");
    } else {
        d = d.with_note("help: give a version requirement (a path dependency without `version` is `*`), or set `allow-wildcard-paths = true` for unpublished crates");
    }
    // Point at the declarations in the manifest.
    let manifest = &pkg.manifest_path;
    if sink.load_source(manifest)
        && let Some(text) = sink.sources.get(manifest).cloned()
    {
        for b in &bad {
            if let Some(span) = dependency_span(&text, b) {
                d = d.with_label(manifest.clone(), span, "wildcard dependency");
            }
        }
    }
    if let Some(span) = &cfg.wildcards_span {
        d = policy_label(d, ctx, span, "wildcards");
    }
    sink.push(d);
}

/// The span of the first `name = ...` / `[dependencies.name]` line in a manifest.
fn dependency_span(text: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let lead = line.len() - t.len();
        let hit = t.strip_prefix(name).is_some_and(|r| {
            let r = r.trim_start();
            r.starts_with('=') || r.starts_with(".workspace")
        }) || t.starts_with(&format!("[dependencies.{name}]"))
            || t.starts_with(&format!("[dev-dependencies.{name}]"))
            || t.starts_with(&format!("[build-dependencies.{name}]"));
        if hit {
            let end = offset + line.trim_end().len();
            return Some(offset + lead..end);
        }
        offset += line.len();
    }
    None
}
