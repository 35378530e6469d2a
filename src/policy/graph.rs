//! `[graph]` and `[output]`: cargo-deny 0.20's description of which crate graph the checks
//! see (targets, excluded crates, feature flags, dev-dependencies, unpublished members) and
//! how much of the feature graph diagnostics show. The keys cargo-deny moved here from the top
//! level (`targets`, `exclude`, `features`, `all-features`, `no-default-features`,
//! `exclude-dev`, `feature-depth`) are still read there, with a warning showing where they go.

use crate::policy::Validator;
use crate::policy::value::{Table, Value, strings_of};
use toml::Spanned;

/// A `[graph] targets` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Target triple (`x86_64-unknown-linux-gnu`).
    pub triple: String,
    /// `target_feature`s assumed enabled when evaluating `cfg(target_feature = ..)`.
    pub features: Vec<String>,
}

/// `[graph]`, validated (cargo-deny's defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphConfig {
    /// Platforms the graph is filtered to (empty: every platform).
    pub targets: Vec<Target>,
    /// Package specs removed from the graph (with what only they pull in).
    pub exclude: Vec<String>,
    /// Features enabled on the workspace members.
    pub features: Vec<String>,
    /// `--all-features`.
    pub all_features: bool,
    /// `--no-default-features`.
    pub no_default_features: bool,
    /// Leave workspace members' dev-dependencies out of the graph.
    pub exclude_dev: bool,
    /// Leave members that are not published (`publish = false`) out of the roots.
    pub exclude_unpublished: bool,
}

/// `[output]`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputConfig {
    /// How deep feature edges are shown in inclusion graphs (cargo-deny's default: 1).
    pub feature_depth: Option<u32>,
}

/// Keys `[graph]` takes.
pub const GRAPH_KEYS: &[&str] = &[
    "targets",
    "exclude",
    "features",
    "all-features",
    "no-default-features",
    "exclude-dev",
    "exclude-unpublished",
];

impl GraphConfig {
    /// Reads one `[graph]` key into `self` (shared by `[graph]` and the deprecated top-level
    /// keys).
    pub fn read_key(&mut self, key: &str, val: Spanned<Value>, v: &mut Validator<'_>) {
        let mut t = Table::single(key, val);
        match key {
            "targets" => {
                for item in t.array(key, v).unwrap_or_default() {
                    if let Some(target) = target(item, v) {
                        self.targets.push(target);
                    }
                }
            }
            "exclude" => {
                self.exclude = t
                    .strings(key, v)
                    .unwrap_or_default()
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect()
            }
            "features" => {
                self.features = t
                    .strings(key, v)
                    .unwrap_or_default()
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect()
            }
            "all-features" => self.all_features = flag(&mut t, key, v),
            "no-default-features" => self.no_default_features = flag(&mut t, key, v),
            "exclude-dev" => self.exclude_dev = flag(&mut t, key, v),
            "exclude-unpublished" => self.exclude_unpublished = flag(&mut t, key, v),
            _ => t.finish(GRAPH_KEYS, v),
        }
    }

    /// Validates `[graph]`.
    pub fn validate(raw: Option<Spanned<Value>>, v: &mut Validator<'_>) -> GraphConfig {
        let mut g = GraphConfig::default();
        let Some(raw) = raw else { return g };
        let Some(mut t) = Table::new(raw, "[graph]", v) else {
            return g;
        };
        for key in GRAPH_KEYS {
            if let Some(val) = t.take(key) {
                g.read_key(key, val, v);
            }
        }
        t.finish(GRAPH_KEYS, v);
        g
    }
}

fn flag(t: &mut Table, key: &str, v: &mut Validator<'_>) -> bool {
    t.boolean(key, v).map(Spanned::into_inner).unwrap_or(false)
}

fn target(item: Spanned<Value>, v: &mut Validator<'_>) -> Option<Target> {
    let span = item.span();
    match item.get_ref() {
        Value::String(s) => Some(Target {
            triple: s.clone(),
            features: Vec::new(),
        }),
        Value::Table(_) => {
            let mut t = Table::new(item, "a `targets` entry", v)?;
            let triple = t.string("triple", v);
            let features = t
                .take("features")
                .map(|f| strings_of(f, "features", v))
                .unwrap_or_default();
            t.finish(&["triple", "features"], v);
            match triple {
                Some(tr) => Some(Target {
                    triple: tr.into_inner(),
                    features: features.into_iter().map(Spanned::into_inner).collect(),
                }),
                None => {
                    v.error(span, "a `targets` entry needs `triple = \"...\"`");
                    None
                }
            }
        }
        other => {
            v.error(
                span,
                format!(
                    "a `targets` entry takes a target triple string or a table {{ triple = \"...\", features = [...] }}, found {}",
                    other.type_words()
                ),
            );
            None
        }
    }
}

impl OutputConfig {
    /// Validates `[output]`.
    pub fn validate(raw: Option<Spanned<Value>>, v: &mut Validator<'_>) -> OutputConfig {
        let mut o = OutputConfig::default();
        let Some(raw) = raw else { return o };
        let Some(mut t) = Table::new(raw, "[output]", v) else {
            return o;
        };
        o.feature_depth = t.unsigned("feature-depth", v).map(|d| *d.get_ref() as u32);
        t.finish(&["feature-depth"], v);
        o
    }
}
