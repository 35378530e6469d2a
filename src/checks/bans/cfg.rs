//! `[bans]` with cargo-deny 0.20's keys, meanings, types and defaults, read from the spanned
//! value tree ([`crate::policy::value`]) so that every entry shape cargo-deny takes (a spec
//! string, a table with `crate`/`name`, the `{ crate, reason }` wrappers) is accepted and a
//! wrong type is reported in TOML words.

use crate::policy::spec::{PackageSpec, spec_entry, spec_with_reason};
use crate::policy::value::{Table, Value};
use crate::policy::{Level, Validator};
use std::ops::Range;
use toml::Spanned;

/// A `deny` entry.
#[derive(Debug, Clone)]
pub struct Ban {
    /// Which crate (versions).
    pub spec: PackageSpec,
    /// Direct dependents that may use it anyway.
    pub wrappers: Vec<Spanned<String>>,
    /// Why it is banned.
    pub reason: Option<String>,
    /// What to use instead.
    pub use_instead: Option<String>,
}

/// An `allow`/`skip` entry.
#[derive(Debug, Clone)]
pub struct SpecReason {
    /// Which crate (versions).
    pub spec: PackageSpec,
    /// Why.
    pub reason: Option<String>,
}

/// A `skip-tree` entry.
#[derive(Debug, Clone)]
pub struct TreeSkip {
    /// The root of the skipped tree.
    pub spec: PackageSpec,
    /// How deep (the root is depth 1; `None`: all the way).
    pub depth: Option<usize>,
    /// Why.
    pub reason: Option<String>,
}

/// A `features` entry.
#[derive(Debug, Clone)]
pub struct CrateFeatures {
    /// Which crate (versions).
    pub spec: PackageSpec,
    /// Features that may be enabled.
    pub allow: Vec<Spanned<String>>,
    /// Span of the `allow` array (or the entry).
    pub allow_span: Range<usize>,
    /// Features that must not be enabled.
    pub deny: Vec<Spanned<String>>,
    /// The enabled set must equal `allow`.
    pub exact: bool,
    /// Span of `exact` (or the entry).
    pub exact_span: Range<usize>,
    /// Why.
    pub reason: Option<String>,
}

/// A file allowed in a crate that runs at build time (`[[bans.build.bypass]] allow`).
#[derive(Debug, Clone)]
pub struct BypassPath {
    /// Crate-relative path.
    pub path: Spanned<String>,
    /// Expected SHA-256 (lowercase hex).
    pub checksum: Option<Spanned<String>>,
}

/// A `[[bans.build.bypass]]` entry.
#[derive(Debug, Clone)]
pub struct Bypass {
    /// Which crate (versions).
    pub spec: PackageSpec,
    /// SHA-256 of the build script: when it matches (and no `required-features` is
    /// enabled), the crate is not checked further.
    pub build_script: Option<Spanned<String>>,
    /// Features that, when enabled, mean the build script must be checked anyway.
    pub required_features: Vec<Spanned<String>>,
    /// Glob patterns of files that are allowed.
    pub allow_globs: Option<Vec<(globset::GlobMatcher, Spanned<String>)>>,
    /// Files that are allowed (sorted by path).
    pub allow: Vec<BypassPath>,
}

/// `[bans.build]`.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// Crates allowed to have a build script (`None`: all are).
    pub allow_build_scripts: Option<Vec<PackageSpec>>,
    /// Native executables in crates that run at build time.
    pub executables: Level,
    /// Scripts with a shebang in crates that run at build time.
    pub interpreted: Level,
    /// File patterns (user extensions first, then the builtin globs when enabled) that are
    /// denied, with what to show for each.
    pub script_globs: Vec<(globset::GlobMatcher, String, Option<Range<usize>>)>,
    /// Per-crate bypasses.
    pub bypass: Vec<Bypass>,
    /// Also check the dependencies of crates that run at build time.
    pub include_dependencies: bool,
    /// Also check workspace members.
    pub include_workspace: bool,
    /// Count archives (`.a`, `.lib`) as native executables.
    pub include_archives: bool,
    /// Span of the section (or the deprecated key), for labels.
    pub span: Range<usize>,
}

/// `[bans.workspace-dependencies]`.
#[derive(Debug, Clone)]
pub struct WorkspaceDeps {
    /// Members declaring the same dependency without `workspace = true`.
    pub duplicates: Level,
    /// Path dependencies count too.
    pub include_path_dependencies: bool,
    /// `[workspace.dependencies]` entries nobody uses.
    pub unused: Level,
    /// Span of the section.
    pub span: Range<usize>,
}

/// `[bans]`, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Whether the policy has a `[bans]` section at all.
    pub present: bool,
    /// Several versions of one crate.
    pub multiple_versions: Level,
    /// Span of `multiple-versions` (or the section).
    pub multiple_versions_span: Option<Range<usize>>,
    /// Count dev-only crates as duplicates too.
    pub multiple_versions_include_dev: bool,
    /// How duplicate graphs are highlighted (output only).
    pub highlight: &'static str,
    /// Banned crates.
    pub deny: Vec<Ban>,
    /// Crates denied only when several of their versions are in the graph.
    pub deny_multiple_versions: Vec<PackageSpec>,
    /// When not empty, only these crates are allowed.
    pub allow: Vec<SpecReason>,
    /// Workspace members are always allowed (with `allow`) and never banned.
    pub allow_workspace: bool,
    /// Feature rules per crate.
    pub features: Vec<CrateFeatures>,
    /// `default` feature on external crates.
    pub external_default_features: Option<Spanned<Level>>,
    /// `default` feature on workspace members.
    pub workspace_default_features: Option<Spanned<Level>>,
    /// Crate versions left out of the duplicate check.
    pub skip: Vec<SpecReason>,
    /// Trees left out of the duplicate check.
    pub skip_tree: Vec<TreeSkip>,
    /// Wildcard (`*`) version requirements.
    pub wildcards: Level,
    /// Span of `wildcards`.
    pub wildcards_span: Option<Range<usize>>,
    /// Path wildcards of private crates (and dev-dependencies) are allowed.
    pub allow_wildcard_paths: bool,
    /// `[bans.build]`.
    pub build: Option<BuildConfig>,
    /// `[bans.workspace-dependencies]`.
    pub workspace_dependencies: Option<WorkspaceDeps>,
    /// `[bans.std-replacements]` is set (cargo-cra does not evaluate it: reported).
    pub std_replacements: Option<Range<usize>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            present: false,
            multiple_versions: Level::Warn,
            multiple_versions_span: None,
            multiple_versions_include_dev: false,
            highlight: "all",
            deny: Vec::new(),
            deny_multiple_versions: Vec::new(),
            allow: Vec::new(),
            allow_workspace: false,
            features: Vec::new(),
            external_default_features: None,
            workspace_default_features: None,
            skip: Vec::new(),
            skip_tree: Vec::new(),
            wildcards: Level::Allow,
            wildcards_span: None,
            allow_wildcard_paths: false,
            build: None,
            workspace_dependencies: None,
            std_replacements: None,
        }
    }
}

const LEVELS: &[&str] = &["deny", "warn", "allow"];

fn level(t: &mut Table, key: &str, v: &mut Validator<'_>) -> Option<Spanned<Level>> {
    t.choice(key, LEVELS, v).map(|s| {
        let l = match *s.get_ref() {
            "deny" => Level::Deny,
            "warn" => Level::Warn,
            _ => Level::Allow,
        };
        Spanned::new(s.span(), l)
    })
}

fn list(t: &mut Table, key: &str, v: &mut Validator<'_>) -> Vec<Spanned<Value>> {
    t.array(key, v).unwrap_or_default()
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit())
}

fn checksum(t: &mut Table, key: &str, v: &mut Validator<'_>) -> Option<Spanned<String>> {
    let s = t.string(key, v)?;
    if is_sha256(s.get_ref()) {
        Some(Spanned::new(s.span(), s.get_ref().to_ascii_lowercase()))
    } else {
        v.error(
            s.span(),
            format!(
                "`{key}` takes the file's SHA-256 as 64 hex digits (`sha256sum FILE`), found a string of length {}",
                s.get_ref().len()
            ),
        );
        None
    }
}

fn glob(pattern: &str, span: Range<usize>, v: &mut Validator<'_>) -> Option<globset::GlobMatcher> {
    match globset::Glob::new(pattern) {
        Ok(g) => Some(g.compile_matcher()),
        Err(e) => {
            v.error(span, format!("invalid glob pattern: {e}"));
            None
        }
    }
}

/// cargo-deny's builtin script globs (`enable-builtin-globs`).
pub const BUILTIN_GLOBS: &[&str] = &[
    "*.bat", "*.cmd", "*.go", "*.java", "*.js", "*._js", "*.es", "*.es6", "*.pl", "*.perl", "*.pm",
    "*.6pl", "*.6pm", "*.p6", "*.p6l", "*.p6m", "*.pl6", "*.pm6", "*.t", "*.ps1", "*.psd1",
    "*.psm1", "*.py", "*.rb", "*.sh", "*.bash", "*.zsh",
];

impl Config {
    /// Validates `[bans]` (absent: cargo-deny's defaults, and the check reports nothing
    /// but what those defaults find).
    pub fn validate(raw: Option<Spanned<Value>>, v: &mut Validator<'_>) -> Config {
        let mut cfg = Config::default();
        let Some(raw) = raw else { return cfg };
        let Some(mut t) = Table::new(raw, "[bans]", v) else {
            return cfg;
        };
        cfg.present = true;
        if let Some(l) = level(&mut t, "multiple-versions", v) {
            cfg.multiple_versions_span = Some(l.span());
            cfg.multiple_versions = l.into_inner();
        }
        if let Some(b) = t.boolean("multiple-versions-include-dev", v) {
            cfg.multiple_versions_include_dev = b.into_inner();
        }
        if let Some(h) = t.choice("highlight", &["simplest-path", "lowest-version", "all"], v) {
            cfg.highlight = h.into_inner();
        }
        for e in list(&mut t, "deny", v) {
            let Some(e) = spec_entry(e, "a `deny` entry", v) else {
                continue;
            };
            let mut ban = Ban {
                spec: e.spec,
                wrappers: Vec::new(),
                reason: None,
                use_instead: None,
            };
            if let Some(mut rest) = e.rest {
                let wrappers = rest.strings("wrappers", v);
                let dmv = rest.boolean("deny-multiple-versions", v);
                ban.reason = rest.string("reason", v).map(Spanned::into_inner);
                ban.use_instead = rest.string("use-instead", v).map(Spanned::into_inner);
                rest.finish(
                    &[
                        "crate",
                        "name",
                        "version",
                        "wrappers",
                        "deny-multiple-versions",
                        "reason",
                        "use-instead",
                    ],
                    v,
                );
                let dmv = dmv.map(Spanned::into_inner).unwrap_or(false);
                let wrappers = wrappers.unwrap_or_default();
                if dmv && !wrappers.is_empty() {
                    v.error(
                        e.span.clone(),
                        "a crate ban has both `wrappers` and `deny-multiple-versions = true`: use one",
                    );
                    continue;
                }
                if dmv {
                    cfg.deny_multiple_versions.push(ban.spec);
                    continue;
                }
                ban.wrappers = wrappers;
            }
            cfg.deny.push(ban);
        }
        for e in list(&mut t, "allow", v) {
            if let Some((spec, reason)) = spec_with_reason(e, "an `allow` entry", v) {
                cfg.allow.push(SpecReason { spec, reason });
            }
        }
        if let Some(b) = t.boolean("allow-workspace", v) {
            cfg.allow_workspace = b.into_inner();
        }
        for e in list(&mut t, "features", v) {
            if let Some(f) = features_entry(e, v) {
                cfg.features.push(f);
            }
        }
        cfg.external_default_features = level(&mut t, "external-default-features", v);
        cfg.workspace_default_features = level(&mut t, "workspace-default-features", v);
        for e in list(&mut t, "skip", v) {
            if let Some((spec, reason)) = spec_with_reason(e, "a `skip` entry", v) {
                cfg.skip.push(SpecReason { spec, reason });
            }
        }
        for e in list(&mut t, "skip-tree", v) {
            let Some(e) = spec_entry(e, "a `skip-tree` entry", v) else {
                continue;
            };
            let mut ts = TreeSkip {
                spec: e.spec,
                depth: None,
                reason: None,
            };
            if let Some(mut rest) = e.rest {
                ts.depth = rest.unsigned("depth", v).map(|d| *d.get_ref() as usize);
                ts.reason = rest.string("reason", v).map(Spanned::into_inner);
                rest.finish(&["crate", "name", "version", "depth", "reason"], v);
            }
            cfg.skip_tree.push(ts);
        }
        if let Some(l) = level(&mut t, "wildcards", v) {
            cfg.wildcards_span = Some(l.span());
            cfg.wildcards = l.into_inner();
        }
        if let Some(b) = t.boolean("allow-wildcard-paths", v) {
            cfg.allow_wildcard_paths = b.into_inner();
        }
        let deprecated_abs = t.take("allow-build-scripts");
        if let Some(b) = t.take("build") {
            cfg.build = build_config(b, v);
        }
        if let Some(abs) = deprecated_abs {
            let span = abs.span();
            let rendered = abs.get_ref().to_toml();
            let specs = spec_list(abs, "an `allow-build-scripts` entry", v);
            if cfg.build.is_none() {
                cfg.build = Some(BuildConfig {
                    allow_build_scripts: Some(specs),
                    executables: Level::Allow,
                    interpreted: Level::Warn,
                    script_globs: Vec::new(),
                    bypass: Vec::new(),
                    include_dependencies: false,
                    include_workspace: false,
                    include_archives: false,
                    span: span.clone(),
                });
            }
            v.deprecated(
                span,
                "`[bans] allow-build-scripts` moved to `[bans.build]`",
                format!("[bans.build]\nallow-build-scripts = {rendered}"),
            );
        }
        if let Some(w) = t.take("workspace-dependencies") {
            let span = w.span();
            if let Some(mut wt) = Table::new(w, "[bans.workspace-dependencies]", v) {
                cfg.workspace_dependencies = Some(WorkspaceDeps {
                    duplicates: level(&mut wt, "duplicates", v)
                        .map(Spanned::into_inner)
                        .unwrap_or(Level::Deny),
                    include_path_dependencies: wt
                        .boolean("include-path-dependencies", v)
                        .map(Spanned::into_inner)
                        .unwrap_or(true),
                    unused: level(&mut wt, "unused", v)
                        .map(Spanned::into_inner)
                        .unwrap_or(Level::Deny),
                    span,
                });
                wt.finish(&["duplicates", "include-path-dependencies", "unused"], v);
            }
        }
        if let Some(s) = t.take("std-replacements") {
            let span = s.span();
            if let Some(mut st) = Table::new(s, "[bans.std-replacements]", v) {
                let off = level(&mut st, "level", v).is_some_and(|l| *l.get_ref() == Level::Allow)
                    | st.choice("scope", &["all", "workspace", "transitive", "none"], v)
                        .is_some_and(|s| *s.get_ref() == "none");
                // Read (and type-check) the remaining keys; the check itself is not evaluated.
                let _ = st.string("rust-version", v);
                let _ = st.array("ignore", v);
                let _ = st.choice(
                    "ignore-rust-version",
                    &["all", "workspace", "transitive", "none"],
                    v,
                );
                st.finish(
                    &[
                        "scope",
                        "level",
                        "rust-version",
                        "ignore",
                        "ignore-rust-version",
                    ],
                    v,
                );
                if !off {
                    cfg.std_replacements = Some(span);
                }
            }
        }
        t.finish(
            &[
                "multiple-versions",
                "multiple-versions-include-dev",
                "highlight",
                "deny",
                "allow",
                "allow-workspace",
                "features",
                "external-default-features",
                "workspace-default-features",
                "skip",
                "skip-tree",
                "wildcards",
                "allow-wildcard-paths",
                "build",
                "workspace-dependencies",
                "std-replacements",
            ],
            v,
        );
        // cargo-deny refuses a crate listed in two of deny/allow/skip.
        let dupe = |v: &mut Validator<'_>, a: &PackageSpec, an: &str, b: &PackageSpec, bn: &str| {
            v.error(
                b.span.clone(),
                format!("`{}` is in both `{an}` and `{bn}`: keep one", b.name),
            );
            let _ = a;
        };
        for d in &cfg.deny {
            if let Some(a) = cfg.allow.iter().find(|a| a.spec.same(&d.spec)) {
                dupe(v, &d.spec, "deny", &a.spec, "allow");
            }
            if let Some(s) = cfg.skip.iter().find(|s| s.spec.same(&d.spec)) {
                dupe(v, &d.spec, "deny", &s.spec, "skip");
            }
        }
        for a in &cfg.allow {
            if let Some(s) = cfg.skip.iter().find(|s| s.spec.same(&a.spec)) {
                dupe(v, &a.spec, "allow", &s.spec, "skip");
            }
        }
        cfg
    }
}

fn spec_list(value: Spanned<Value>, what: &str, v: &mut Validator<'_>) -> Vec<PackageSpec> {
    let span = value.span();
    match value.into_inner() {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|i| spec_with_reason(i, what, v).map(|(s, _)| s))
            .collect(),
        other => {
            v.error(
                span,
                format!(
                    "this key takes an array of crate specs, found {}",
                    other.type_words()
                ),
            );
            Vec::new()
        }
    }
}

fn features_entry(e: Spanned<Value>, v: &mut Validator<'_>) -> Option<CrateFeatures> {
    let entry_span = e.span();
    let e = spec_entry(e, "a `features` entry", v)?;
    let mut f = CrateFeatures {
        spec: e.spec,
        allow: Vec::new(),
        allow_span: entry_span.clone(),
        deny: Vec::new(),
        exact: false,
        exact_span: entry_span.clone(),
        reason: None,
    };
    if let Some(mut rest) = e.rest {
        if let Some(a) = rest.take("allow") {
            f.allow_span = a.span();
            f.allow = crate::policy::value::strings_of(a, "allow", v);
        }
        f.deny = rest.strings("deny", v).unwrap_or_default();
        if let Some(x) = rest.boolean("exact", v) {
            f.exact_span = x.span();
            f.exact = x.into_inner();
        }
        f.reason = rest.string("reason", v).map(Spanned::into_inner);
        rest.finish(
            &[
                "crate", "name", "version", "allow", "deny", "exact", "reason",
            ],
            v,
        );
    }
    for a in &f.allow {
        if let Some(d) = f.deny.iter().find(|d| d.get_ref() == a.get_ref()) {
            v.error(
                d.span(),
                format!(
                    "feature `{}` of `{}` is both allowed and denied",
                    a.get_ref(),
                    f.spec.name
                ),
            );
        }
    }
    Some(f)
}

fn build_config(b: Spanned<Value>, v: &mut Validator<'_>) -> Option<BuildConfig> {
    let span = b.span();
    let mut t = Table::new(b, "[bans.build]", v)?;
    let allow_build_scripts = t
        .take("allow-build-scripts")
        .map(|a| spec_list(a, "an `allow-build-scripts` entry", v));
    let executables = level(&mut t, "executables", v)
        .map(Spanned::into_inner)
        .unwrap_or(Level::Deny);
    let interpreted = level(&mut t, "interpreted", v)
        .map(Spanned::into_inner)
        .unwrap_or(Level::Allow);
    let mut script_globs = Vec::new();
    for ext in t.strings("script-extensions", v).unwrap_or_default() {
        let s = ext.get_ref();
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            v.error(
                ext.span(),
                format!(
                    "`{s}` is not a file extension: give letters and digits only, without the dot"
                ),
            );
            continue;
        }
        let pat = format!("*.{s}");
        if let Some(m) = glob(&pat, ext.span(), v) {
            script_globs.push((m, pat, Some(ext.span())));
        }
    }
    let mut bypass = Vec::new();
    for e in t.array("bypass", v).unwrap_or_default() {
        let Some(e) = spec_entry(e, "a `bypass` entry", v) else {
            continue;
        };
        let mut bp = Bypass {
            spec: e.spec,
            build_script: None,
            required_features: Vec::new(),
            allow_globs: None,
            allow: Vec::new(),
        };
        if let Some(mut rest) = e.rest {
            bp.build_script = checksum(&mut rest, "build-script", v);
            bp.required_features = rest.strings("required-features", v).unwrap_or_default();
            if let Some(globs) = rest.strings("allow-globs", v) {
                bp.allow_globs = Some(
                    globs
                        .into_iter()
                        .filter_map(|g| glob(g.get_ref(), g.span(), v).map(|m| (m, g)))
                        .collect(),
                );
            }
            for a in rest.array("allow", v).unwrap_or_default() {
                let Some(mut at) = Table::new(a, "an `allow` path entry", v) else {
                    continue;
                };
                let Some(path) = at.string("path", v) else {
                    v.error(at.span.clone(), "an `allow` path entry needs `path`");
                    continue;
                };
                let checksum = checksum(&mut at, "checksum", v);
                at.finish(&["path", "checksum"], v);
                if path.get_ref().starts_with('/') {
                    v.error(
                        path.span(),
                        "absolute paths are not allowed: give the path inside the crate",
                    );
                    continue;
                }
                bp.allow.push(BypassPath { path, checksum });
            }
            bp.allow
                .sort_by(|a, b| a.path.get_ref().cmp(b.path.get_ref()));
            rest.finish(
                &[
                    "crate",
                    "name",
                    "version",
                    "build-script",
                    "required-features",
                    "allow-globs",
                    "allow",
                ],
                v,
            );
        }
        bypass.push(bp);
    }
    let builtin = t
        .boolean("enable-builtin-globs", v)
        .map(Spanned::into_inner)
        .unwrap_or(false);
    if builtin {
        for g in BUILTIN_GLOBS {
            if let Ok(m) = globset::Glob::new(g) {
                script_globs.push((m.compile_matcher(), (*g).to_string(), None));
            }
        }
    }
    let flag = |t: &mut Table, k: &str, v: &mut Validator<'_>| {
        t.boolean(k, v).map(Spanned::into_inner).unwrap_or(false)
    };
    let include_dependencies = flag(&mut t, "include-dependencies", v);
    let include_workspace = flag(&mut t, "include-workspace", v);
    let include_archives = flag(&mut t, "include-archives", v);
    t.finish(
        &[
            "allow-build-scripts",
            "executables",
            "interpreted",
            "script-extensions",
            "bypass",
            "enable-builtin-globs",
            "include-dependencies",
            "include-workspace",
            "include-archives",
        ],
        v,
    );
    Some(BuildConfig {
        allow_build_scripts,
        executables,
        interpreted,
        script_globs,
        bypass,
        include_dependencies,
        include_workspace,
        include_archives,
        span,
    })
}
