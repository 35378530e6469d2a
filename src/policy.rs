//! The policy file (`deny-policy.toml`): parsed into `Raw*` types (serde, unknown keys
//! rejected, spans kept), then validated into [`Policy`], which cannot hold an invalid value.
//! Each check module owns its own section's raw and validated types; this module only
//! composes them and reports errors with file, line and column.

use crate::advisory::config as advisories;
use crate::checks::{licenses, product, sources};
use crate::error::{Error, Result};
use crate::fsutil;
use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;
use std::ops::Range;

/// The template `cargo cra init` writes (and the documentation of every key).
pub const EXAMPLE: &str = include_str!("../deny-policy.example.toml");

/// File name of the policy at the workspace root.
pub const FILE_NAME: &str = "deny-policy.toml";

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
}

/// Collects validation errors with their spans, so that all of them are reported at once.
#[derive(Debug)]
pub struct Validator<'a> {
    path: &'a Utf8Path,
    text: &'a str,
    errors: Vec<(Range<usize>, String)>,
}

impl<'a> Validator<'a> {
    /// Records an error at `span`.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors.push((span, message.into()));
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

impl Policy {
    /// Loads the policy from `explicit` (must exist) or `<root>/deny-policy.toml` (optional:
    /// without it, defaults apply and the report says so).
    pub fn load(explicit: Option<&Utf8Path>, root: &Utf8Path) -> Result<Policy> {
        let path = match explicit {
            Some(p) => {
                if !p.exists() {
                    return Err(Error::other(format!("{p}: policy file not found")));
                }
                Some(p.to_path_buf())
            }
            None => Some(root.join(FILE_NAME)).filter(|p| p.exists()),
        };
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
        };
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
        v.finish()?;
        Ok(Policy {
            path: Some(path.to_path_buf()),
            licenses,
            sources,
            advisories,
            product,
            sbom,
        })
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
