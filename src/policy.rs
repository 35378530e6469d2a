//! The policy file (`deny-policy.toml`): parsed into `Raw*` types (serde, unknown keys
//! rejected, spans kept), then validated into [`Policy`], which cannot hold an invalid value.
//! Each check module owns its own section's raw and validated types; this module only
//! composes them and reports errors with file, line and column.

pub mod graph;
pub mod spec;
pub mod value;

use crate::advisory::config as advisories;
use crate::checks::{bans, licenses, product, sources};
use crate::diag::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::fsutil;
use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;
use std::ops::Range;

/// The template `cargo cra init` writes (and the documentation of every key).
pub const EXAMPLE: &str = include_str!("../deny-policy.example.toml");

/// File name of the policy at the workspace root.
pub const FILE_NAME: &str = "deny-policy.toml";

/// Where the policy is looked for at the workspace root, in order: ours, then cargo-deny's
/// own places, so a team's existing `deny.toml` is read as it is.
pub const CANDIDATES: &[&str] = &[FILE_NAME, "deny.toml", ".deny.toml", ".cargo/deny.toml"];

/// Whose defaults apply where the two tools differ: a `deny.toml` (any file not named
/// `deny-policy*.toml`) gets cargo-deny's, so it gives cargo-deny's verdicts; our own file
/// keeps cargo-cra's stricter ones (unknown registries and git sources are errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `deny-policy.toml`: cargo-cra's defaults.
    CargoCra,
    /// `deny.toml` and the like: cargo-deny's defaults.
    CargoDeny,
}

impl Dialect {
    /// The dialect of a policy file, by its name.
    pub fn of(path: &Utf8Path) -> Dialect {
        match path.file_name() {
            Some(n) if n.starts_with("deny-policy") => Dialect::CargoCra,
            None => Dialect::CargoCra,
            Some(_) => Dialect::CargoDeny,
        }
    }
}

/// A finding about the policy file itself (a key cargo-deny removed or moved, read and
/// translated; a cargo-deny form accepted where ours is stricter), reported with the checks.
#[derive(Debug, Clone)]
pub struct PolicyWarning {
    /// `policy-key-deprecated` or `policy-stricter-form`.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Range<usize>,
    /// The form to write instead (TOML).
    pub replacement: String,
}

/// The raw file, as serde sees it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    #[serde(default)]
    licenses: licenses::RawConfig,
    #[serde(default)]
    sources: sources::RawConfig,
    #[serde(default)]
    advisories: advisories::RawConfig,
    #[serde(default)]
    product: product::RawConfig,
    #[serde(default)]
    sbom: RawSbomConfig,
    // cargo-deny's sections read as spanned values (entries take several shapes).
    graph: Option<toml::Spanned<value::Value>>,
    output: Option<toml::Spanned<value::Value>>,
    bans: Option<toml::Spanned<value::Value>>,
    // Keys cargo-deny moved from the top level into `[graph]` / `[output]`.
    targets: Option<toml::Spanned<value::Value>>,
    exclude: Option<toml::Spanned<value::Value>>,
    features: Option<toml::Spanned<value::Value>>,
    all_features: Option<toml::Spanned<value::Value>>,
    no_default_features: Option<toml::Spanned<value::Value>>,
    exclude_dev: Option<toml::Spanned<value::Value>>,
    feature_depth: Option<toml::Spanned<value::Value>>,
}

/// `[sbom]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSbomConfig {
    signing_key: Option<toml::Spanned<String>>,
    namespace: Option<toml::Spanned<String>>,
}

/// `[sbom]`, validated.
#[derive(Debug, Clone, Default)]
pub struct SbomConfig {
    /// Private key to sign SBOMs with (relative paths are relative to the policy file).
    pub signing_key: Option<Utf8PathBuf>,
    /// SSHSIG namespace.
    pub namespace: String,
}

/// The validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where it was read from (`None`: no file, defaults).
    pub path: Option<Utf8PathBuf>,
    /// `[licenses]`.
    pub licenses: licenses::Config,
    /// `[sources]`.
    pub sources: sources::Config,
    /// `[advisories]`.
    pub advisories: advisories::Config,
    /// `[product]`.
    pub product: product::Config,
    /// `[sbom]`.
    pub sbom: SbomConfig,
    /// `[graph]` (cargo-deny's graph description).
    pub graph: graph::GraphConfig,
    /// `[output]`.
    pub output: graph::OutputConfig,
    /// `[bans]`.
    pub bans: bans::Config,
    /// Whose defaults applied.
    pub dialect: Dialect,
    /// Findings about the file itself (translated keys, accepted cargo-deny forms).
    pub warnings: Vec<PolicyWarning>,
}

/// Collects validation errors with their spans, so that all of them are reported at once.
#[derive(Debug)]
pub struct Validator<'a> {
    path: &'a Utf8Path,
    text: &'a str,
    errors: Vec<(Range<usize>, String)>,
    warnings: Vec<PolicyWarning>,
    /// Whose defaults apply.
    pub dialect: Dialect,
}

impl<'a> Validator<'a> {
    /// Records an error at `span`.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors.push((span, message.into()));
    }

    /// Records a key cargo-deny removed or moved that was read and translated: a warning
    /// with the v2 form to write instead.
    pub fn deprecated(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        replacement: impl Into<String>,
    ) {
        self.warnings.push(PolicyWarning {
            code: Code::PolicyKeyDeprecated,
            message: message.into(),
            span,
            replacement: replacement.into(),
        });
    }

    /// Records a key cargo-deny removed that has no safe translation: an error (exit 2)
    /// that prints what to write instead.
    pub fn removed(&mut self, span: Range<usize>, message: &str, replacement: &str) {
        self.error(
            span,
            format!(
                "{message}\n  help: cargo-deny 0.20 writes it as:\n{}",
                indent(replacement)
            ),
        );
    }

    /// Records a cargo-deny form accepted where cargo-cra's rule is stricter: a warning that
    /// shows the stricter form.
    pub fn stricter(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        form: impl Into<String>,
    ) {
        self.warnings.push(PolicyWarning {
            code: Code::PolicyStricterForm,
            message: message.into(),
            span,
            replacement: form.into(),
        });
    }

    /// The policy file's directory (relative paths in the policy are relative to it).
    pub fn dir(&self) -> &Utf8Path {
        self.path.parent().unwrap_or(Utf8Path::new("."))
    }

    fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let mut errors = self.errors;
        errors.sort_by_key(|(s, _)| s.start);
        let render = |(span, m): &(Range<usize>, String)| {
            let (line, col) = fsutil::line_col(self.text, span.start);
            let src = self.text.lines().nth(line - 1).unwrap_or("").trim_end();
            (
                format!("{}:{line}:{col}", self.path),
                format!("{m}\n     |\n{line:>4} | {src}"),
            )
        };
        let (first_at, mut message) = render(&errors[0]);
        for e in &errors[1..] {
            let (at, m) = render(e);
            message.push_str(&format!("\n{at}: {m}"));
        }
        if errors.len() > 1 {
            message.push_str(&format!("\n({} errors in the policy)", errors.len()));
        }
        Err(Error::malformed(first_at, message))
    }
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The known key closest to `key` (a typo hint), when close enough.
pub fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != *cb);
                cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    known
        .iter()
        .map(|k| (distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

/// The policy file to read: `explicit` (must exist), else the first of [`CANDIDATES`] at
/// `root` that exists.
pub fn discover(explicit: Option<&Utf8Path>, root: &Utf8Path) -> Result<Option<Utf8PathBuf>> {
    match explicit {
        Some(p) => {
            if !p.exists() {
                return Err(Error::other(format!("{p}: policy file not found")));
            }
            Ok(Some(p.to_path_buf()))
        }
        None => Ok(CANDIDATES
            .iter()
            .map(|c| root.join(c))
            .find(|p| p.is_file())),
    }
}

impl Policy {
    /// Loads the policy from `explicit` (must exist), else from the first of
    /// [`CANDIDATES`] at `root` (none: defaults apply and the report says so).
    pub fn load(explicit: Option<&Utf8Path>, root: &Utf8Path) -> Result<Policy> {
        let path = discover(explicit, root)?;
        match path {
            Some(p) => {
                let text = fsutil::read_to_string(&p)?;
                Self::parse(&p, &text)
            }
            None => Self::parse(&root.join(FILE_NAME), "").map(|mut p| {
                p.path = None;
                p
            }),
        }
    }

    /// Parses and validates policy text read from `path`.
    pub fn parse(path: &Utf8Path, text: &str) -> Result<Policy> {
        let raw: RawPolicy =
            toml::from_str(text).map_err(|e| fsutil::toml_error(path, text, &e))?;
        let mut v = Validator {
            path,
            text,
            errors: Vec::new(),
            warnings: Vec::new(),
            dialect: Dialect::of(path),
        };
        let mut graph = graph::GraphConfig::validate(raw.graph, &mut v);
        let mut output = graph::OutputConfig::validate(raw.output, &mut v);
        for (key, val) in [
            ("targets", raw.targets),
            ("exclude", raw.exclude),
            ("features", raw.features),
            ("all-features", raw.all_features),
            ("no-default-features", raw.no_default_features),
            ("exclude-dev", raw.exclude_dev),
        ] {
            let Some(val) = val else { continue };
            let (span, rendered) = (val.span(), val.get_ref().to_toml());
            graph.read_key(key, val, &mut v);
            v.deprecated(
                span,
                format!("the top-level `{key}` moved to `[graph]`"),
                format!("[graph]\n{key} = {rendered}"),
            );
        }
        if let Some(fd) = raw.feature_depth {
            let (span, rendered) = (fd.span(), fd.get_ref().to_toml());
            let mut t = value::Table::single("feature-depth", fd);
            output.feature_depth = t
                .unsigned("feature-depth", &mut v)
                .map(|d| *d.get_ref() as u32);
            v.deprecated(
                span,
                "the top-level `feature-depth` moved to `[output]`",
                format!("[output]\nfeature-depth = {rendered}"),
            );
        }
        let bans = bans::Config::validate(raw.bans, &mut v);
        let licenses = licenses::Config::validate(raw.licenses, &mut v);
        let sources = sources::Config::validate(raw.sources, &mut v);
        let advisories = advisories::Config::validate(raw.advisories, &mut v);
        let product = product::Config::validate(raw.product, &mut v);
        let sbom = SbomConfig {
            signing_key: raw.sbom.signing_key.map(|k| v.dir().join(k.into_inner())),
            namespace: match raw.sbom.namespace {
                Some(ns) if ns.get_ref().is_empty() => {
                    v.error(ns.span(), "`namespace` must not be empty");
                    String::new()
                }
                Some(ns) => ns.into_inner(),
                None => crate::DEFAULT_NAMESPACE.to_string(),
            },
        };
        let warnings = std::mem::take(&mut v.warnings);
        let dialect = v.dialect;
        v.finish()?;
        Ok(Policy {
            path: Some(path.to_path_buf()),
            licenses,
            sources,
            advisories,
            product,
            sbom,
            graph,
            output,
            bans,
            dialect,
            warnings,
        })
    }
}

impl PolicyWarning {
    /// The warning as a diagnostic labelled in the policy file at `path`.
    pub fn to_diagnostic(&self, path: &Utf8Path) -> Diagnostic {
        let mut d = Diagnostic::warning(self.code, self.message.clone()).with_label(
            path,
            self.span.clone(),
            "here",
        );
        if !self.replacement.is_empty() {
            d = d.with_note(format!("help: write it as:\n{}", indent(&self.replacement)));
        }
        d.with_data("replacement", self.replacement.clone())
    }
}

/// Severity levels policies use for informational findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// An error: fails the gate.
    Deny,
    /// A warning.
    Warn,
    /// Not reported.
    Allow,
}

impl Level {
    /// The diagnostic severity, `None` for `allow`.
    pub fn severity(self) -> Option<crate::diag::Severity> {
        match self {
            Level::Deny => Some(crate::diag::Severity::Error),
            Level::Warn => Some(crate::diag::Severity::Warning),
            Level::Allow => None,
        }
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(
        s,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_policy_parses() {
        let p = Policy::parse(Utf8Path::new("deny-policy.example.toml"), EXAMPLE)
            .expect("example must parse");
        assert!(p.licenses.allow_contains("MIT"));
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = Policy::parse(Utf8Path::new("p.toml"), "[licenses]\nalow = []\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p.toml:2:1: "), "{err}");
        assert!(err.contains("alow"), "{err}");
    }

    #[test]
    fn wrong_type_is_an_error() {
        let err = Policy::parse(
            Utf8Path::new("p.toml"),
            "[licenses]\ninclude-dev = \"yes\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("p.toml:2:15: "), "{err}");
    }
}
