//! Diagnostics: what a check found, with a stable kebab-case [`Code`], a [`Severity`], the
//! package it is about, source labels into `deny-policy.toml`, `Cargo.toml` or `Cargo.lock`,
//! and the inclusion path (how the package got into the graph).
//!
//! Codes are a public contract (CI users grep for them, ignores name them): never rename one,
//! only add. They are listed in the README; a test checks the list and the enum agree.

use camino::{Utf8Path, Utf8PathBuf};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// How bad a finding is. Errors fail the gate (exit 1); warnings and notes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Note,
    /// Reported, does not fail the gate.
    Warning,
    /// Fails the gate.
    Error,
}

impl Severity {
    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $code:literal, $desc:literal;)*) => {
        /// Stable diagnostic codes. See the README for the list with explanations.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $desc]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// One-line description (used by the README table and `--help`).
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $desc,)* }
            }

            /// Looks a code up by its kebab-case name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($code => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // licenses
    LicenseRejected => "license-rejected", "A crate's license expression cannot be satisfied with the allowed licenses.";
    LicenseMissing => "license-missing", "A crate declares no license: no `license`, and no license file whose text is identified or clarified.";
    LicenseUnparseable => "license-unparseable", "A crate's `license` field is not a valid SPDX expression.";
    LicenseClarificationStale => "license-clarification-stale", "A `clarify` entry's license-file hash no longer matches the file: the clarification is not applied.";
    LicenseClarificationUnused => "license-clarification-unused", "A `clarify` entry matched no crate in the graph.";
    LicenseExceptionUnused => "license-exception-unused", "A license `exceptions` entry matched no crate in the graph.";
    // sources
    SourceRegistryNotAllowed => "source-registry-not-allowed", "A crate comes from a registry that is not in `allow-registry`.";
    SourceGitNotAllowed => "source-git-not-allowed", "A crate comes from a git repository that is not in `allow-git`.";
    SourceAllowUnused => "source-allow-unused", "An `allow-registry`, `allow-git` or `private` entry matched no crate in the graph (cargo-deny's `unused-allowed-source`).";
    SourceAllowOrgUnused => "source-allow-org-unused", "An `[sources.allow-org]` entry matched no git crate in the graph (cargo-deny's `unused-allowed-org`).";
    SourceGitSpecTooLoose => "source-git-spec-too-loose", "A git dependency is pinned less precisely (branch, default branch) than `required-git-spec` asks.";
    // CRA product metadata
    CraMetadataMissing => "cra-metadata-missing", "A product has no `[package.metadata.cra]` (nor `[workspace.metadata.cra]`) section.";
    CraManufacturerMissing => "cra-manufacturer-missing", "A product names no manufacturer (CRA Annex II (1)).";
    CraManufacturerInvalid => "cra-manufacturer-invalid", "The manufacturer lacks a name or both email and url, or a field is malformed.";
    CraSecurityContactMissing => "cra-security-contact-missing", "A product has no `security-contact` (CRA Annex II (2), Annex I Part II (6)).";
    CraSecurityContactInvalid => "cra-security-contact-invalid", "`security-contact` is not a `mailto:` or `https:` URL.";
    CraDisclosurePolicyMissing => "cra-disclosure-policy-missing", "A product has no `vulnerability-disclosure-policy` (CRA Annex I Part II (5)).";
    CraDisclosurePolicyInvalid => "cra-disclosure-policy-invalid", "`vulnerability-disclosure-policy` is neither an https URL nor an existing file.";
    CraSupportEndMissing => "cra-support-end-missing", "A product declares no `support-end` (CRA Annex II (7), Art. 13(8)).";
    CraSupportEndInvalid => "cra-support-end-invalid", "`support-end` is not `YYYY-MM` or `YYYY-MM-DD`.";
    CraSupportPeriodTooShort => "cra-support-period-too-short", "The support period is shorter than `min-support-years` and no `support-period-justification` is given.";
    CraReleaseDateInvalid => "cra-release-date-invalid", "`release-date` is not `YYYY-MM-DD` (or `YYYY-MM`).";
    CraProductClassMissing => "cra-product-class-missing", "A product declares no `product-class` (CRA Annex III/IV).";
    CraProductClassInvalid => "cra-product-class-invalid", "`product-class` is not one of default, important-class-1, important-class-2, critical.";
    CraIntendedPurposeMissing => "cra-intended-purpose-missing", "A product declares no `intended-purpose`.";
    CraUrlInvalid => "cra-url-invalid", "`declaration-of-conformity` or `sbom-url` is not an https URL.";
    CraUnknownKey => "cra-unknown-key", "`[package.metadata.cra]` has a key cargo-cra does not know (a typo?).";
    CraFieldWrongType => "cra-field-wrong-type", "A `[package.metadata.cra]` field has the wrong TOML type.";
    CraMarketsMissing => "cra-markets-missing", "A product does not say in which Member States it is made available (`markets`, CRA Art. 14(2)(a)).";
    CraMarketsInvalid => "cra-markets-invalid", "`markets` is not `[\"EU\"]` or a list of ISO 3166 codes of EU Member States.";
    CraMainEstablishmentMissing => "cra-main-establishment-missing", "A product does not name the Member State of the main establishment (`main-establishment`, CRA Art. 14(7)).";
    CraMainEstablishmentInvalid => "cra-main-establishment-invalid", "`main-establishment` is not the ISO 3166 code of an EU Member State.";
    CraSecurityTxtMissing => "cra-security-txt-missing", "The security contact or disclosure policy is a web address but the repository has no RFC 9116 `security.txt`.";
    CraSecurityTxtInvalid => "cra-security-txt-invalid", "`security.txt` lacks `Contact` or `Expires`, or a line or value is malformed (a warning for softer problems).";
    CraSecurityTxtExpired => "cra-security-txt-expired", "`security.txt` is past its `Expires` date.";
    ProductMemberUnknown => "product-member-unknown", "`[product] members` names a package that is not a workspace member.";
    // advisories
    AdvisoryVulnerability => "advisory-vulnerability", "A crate in scope is affected by a RustSec vulnerability.";
    AdvisoryUnmaintained => "advisory-unmaintained", "A crate in scope is unmaintained (RustSec informational advisory).";
    AdvisoryUnsound => "advisory-unsound", "A crate in scope is unsound (RustSec informational advisory).";
    AdvisoryNotice => "advisory-notice", "A crate in scope has a RustSec notice.";
    AdvisoryYanked => "advisory-yanked", "A crate version in scope has been yanked from its registry.";
    AdvisoryYankedUnknown => "advisory-yanked-unknown", "Whether a crate is yanked is unknown: the local registry index cache has no entry for it.";
    AdvisoryIgnoreExpired => "advisory-ignore-expired", "An `[advisories] ignore` entry is past its `until` date: the advisory fires again.";
    AdvisoryIgnoreUnused => "advisory-ignore-unused", "An `[advisories] ignore` entry matched no finding.";
    AdvisorySettledByVex => "advisory-settled-by-vex", "A finding is settled by a `not_affected` or `fixed` statement of a `--vex` document: reported as a note.";
    AdvisoriesOutOfScope => "advisories-out-of-scope", "Advisories that match `Cargo.lock` but not packages that are built (default scope).";
    // the policy file itself
    PolicyKeyDeprecated => "policy-key-deprecated", "A key cargo-deny removed or moved was read and translated; the warning shows the cargo-deny 0.20 form to write.";
    PolicyStricterForm => "policy-stricter-form", "A cargo-deny form was accepted where cargo-cra's rule is stricter (an ignore without a reason); the warning shows the stricter form.";
    // bans
    BansBanned => "bans-banned", "A crate matches a `[bans] deny` entry (and is not used only through its `wrappers`).";
    BansNotAllowed => "bans-not-allowed", "`[bans] allow` is set and a crate is not on it.";
    BansDuplicate => "bans-duplicate", "Several versions of one crate are in the graph (`multiple-versions`, `deny-multiple-versions`).";
    BansWildcard => "bans-wildcard", "A path package declares a dependency with a wildcard (`*`) version requirement (`wildcards`).";
    BansWrapperUnmatched => "bans-wrapper-unmatched", "A banned crate with `wrappers` is a direct dependency of a crate that is not one of them.";
    BansWrapperUnused => "bans-wrapper-unused", "A `wrappers` entry matched no dependent of the banned crate.";
    BansSkipUnmatched => "bans-skip-unmatched", "A `skip` entry matched no crate in the graph.";
    BansSkipUnnecessary => "bans-skip-unnecessary", "A `skip` entry names a crate that has only one version in the graph.";
    BansSkipTreeUnmatched => "bans-skip-tree-unmatched", "A `skip-tree` entry matched no crate in the graph.";
    BansFeatureBanned => "bans-feature-banned", "A crate has a feature enabled that `[[bans.features]] deny` lists.";
    BansFeatureNotAllowed => "bans-feature-not-allowed", "A crate has a feature enabled that its `[[bans.features]] allow` list does not cover.";
    BansFeaturesExactMismatch => "bans-features-exact-mismatch", "`exact = true` and a crate's enabled features differ from its `allow` list.";
    BansFeatureUnknown => "bans-feature-unknown", "A `[[bans.features]]` or `required-features` entry names a feature the crate does not have.";
    BansDefaultFeatures => "bans-default-features", "A crate has its `default` feature enabled (`external-default-features`, `workspace-default-features`).";
    BansBuildScriptNotAllowed => "bans-build-script-not-allowed", "A crate has a build script and `[bans.build] allow-build-scripts` does not list it.";
    BansExecutable => "bans-executable", "A crate that runs at build time ships a native executable (ELF, PE, Mach-O; archives with `include-archives`).";
    BansScript => "bans-script", "A crate that runs at build time ships a script with a shebang (`interpreted`).";
    BansScriptExtension => "bans-script-extension", "A crate that runs at build time ships a file matching `script-extensions` or the builtin globs.";
    BansChecksumMismatch => "bans-checksum-mismatch", "A file pinned by `checksum` (or a `build-script` hash) no longer has that SHA-256.";
    BansUnreadablePath => "bans-unreadable-path", "A file in a crate that runs at build time could not be read to check it.";
    BansBypassUnmatched => "bans-bypass-unmatched", "A `[[bans.build.bypass]]` entry matched no crate that runs at build time.";
    BansBypassPathUnmatched => "bans-bypass-path-unmatched", "A bypass `allow` path matched no file of the crate.";
    BansBypassGlobUnmatched => "bans-bypass-glob-unmatched", "A bypass `allow-globs` pattern matched no file of the crate.";
    BansWorkspaceDuplicate => "bans-workspace-duplicate", "Several workspace members declare the same dependency without `workspace = true` (`[bans.workspace-dependencies]`).";
    BansWorkspaceDependencyUnused => "bans-workspace-dependency-unused", "A `[workspace.dependencies]` entry is used by no member.";
    BansNotEvaluated => "bans-not-evaluated", "A `[bans]` setting cargo-cra does not evaluate (`std-replacements`, which needs data cargo-deny fetches from GitHub); a warning.";
    AdvisorySettled => "advisory-settled", "A finding settled by a `not_affected`/`fixed` triage entry, a VEX statement or an ignore (a note: the report keeps the record).";
    // scan
    ScanSignatureInvalid => "scan-signature-invalid", "With `--key`/`--allowed-signers`: an SBOM whose signature is missing or does not verify; its contents are not trusted.";
    ScanInputUnreadable => "scan-input-unreadable", "A release binary with neither `cargo auditable` data nor an SBOM next to it: it cannot be scanned.";
    ScanComponentsUnchecked => "scan-components-unchecked", "Components RustSec does not cover (not `pkg:cargo`, not from crates.io), listed as not checked.";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A package as diagnostics name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PackageRef {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Package URL (`pkg:cargo/name@version`, qualified for other sources).
    pub purl: String,
}

impl std::fmt::Display for PackageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} v{}", self.name, self.version)
    }
}

/// A span in a source file the diagnostic points at.
#[derive(Debug, Clone)]
pub struct Label {
    /// The file (absolute, or relative to the workspace root).
    pub path: Utf8PathBuf,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// What this label says.
    pub message: String,
    /// Primary (the thing to fix) or secondary (context).
    pub primary: bool,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// The package it is about, when it is about one.
    pub package: Option<PackageRef>,
    /// Source labels.
    pub labels: Vec<Label>,
    /// Extra lines (`note: ...`, `help: ...` already prefixed by the caller where wanted).
    pub notes: Vec<String>,
    /// How the package got into the graph: product first, the package last.
    pub inclusion_path: Vec<PackageRef>,
    /// Check-specific structured data for the JSON report (advisory id, fix, ...).
    pub data: BTreeMap<String, serde_json::Value>,
}

impl Diagnostic {
    /// A new diagnostic with the given code, severity and message.
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            package: None,
            labels: Vec::new(),
            notes: Vec::new(),
            inclusion_path: Vec::new(),
            data: BTreeMap::new(),
        }
    }

    /// An error.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }

    /// Sets the package.
    pub fn with_package(mut self, package: PackageRef) -> Self {
        self.package = Some(package);
        self
    }

    /// Adds a primary label.
    pub fn with_label(
        self,
        path: impl Into<Utf8PathBuf>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        self.labeled(path.into(), span, message.into(), true)
    }

    /// Adds a secondary label.
    pub fn with_secondary(
        self,
        path: impl Into<Utf8PathBuf>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        self.labeled(path.into(), span, message.into(), false)
    }

    fn labeled(
        mut self,
        path: Utf8PathBuf,
        span: Range<usize>,
        message: String,
        primary: bool,
    ) -> Self {
        self.labels.push(Label {
            path,
            span,
            message,
            primary,
        });
        self
    }

    /// Adds a note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the inclusion path.
    pub fn with_inclusion_path(mut self, path: Vec<PackageRef>) -> Self {
        self.inclusion_path = path;
        self
    }

    /// Adds structured data for the JSON report.
    pub fn with_data(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.data.insert(key.to_string(), value.into());
        self
    }
}

/// The source files diagnostics point into, loaded once and shared.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: BTreeMap<Utf8PathBuf, Arc<str>>,
    /// Line starts of each file, built on first use.
    lines: BTreeMap<Utf8PathBuf, Arc<std::sync::OnceLock<crate::fsutil::LineStarts>>>,
}

impl SourceMap {
    /// Adds every file of `other` not yet known.
    pub fn extend(&mut self, other: &SourceMap) {
        for (k, v) in &other.files {
            if !self.files.contains_key(k) {
                self.files.insert(k.clone(), v.clone());
                let lines = other.lines.get(k).cloned().unwrap_or_default();
                self.lines.insert(k.clone(), lines);
            }
        }
    }

    /// Registers a file's contents (idempotent).
    pub fn insert(&mut self, path: impl Into<Utf8PathBuf>, contents: impl Into<Arc<str>>) {
        let path = path.into();
        if !self.files.contains_key(&path) {
            self.files.insert(path.clone(), contents.into());
            self.lines.insert(path, Default::default());
        }
    }

    /// 1-based line and column (bytes) of `offset` in a registered file.
    pub fn line_col(&self, path: &Utf8Path, offset: usize) -> Option<(usize, usize)> {
        let text = self.files.get(path)?;
        let lines = self.lines.get(path)?;
        Some(
            lines
                .get_or_init(|| crate::fsutil::LineStarts::new(text))
                .line_col(text, offset),
        )
    }

    /// A registered file's contents.
    pub fn get(&self, path: &Utf8Path) -> Option<&Arc<str>> {
        self.files.get(path)
    }
}

/// Collects diagnostics.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Files the diagnostics point into (checks register what they label).
    pub sources: SourceMap,
}

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Registers a file for labels, reading it from disk when not yet known; `false` when
    /// it cannot be read (the label then degrades to a note).
    pub fn load_source(&mut self, path: &Utf8Path) -> bool {
        if self.sources.get(path).is_some() {
            return true;
        }
        match std::fs::read_to_string(path) {
            Ok(text) => {
                self.sources.insert(path.to_path_buf(), text);
                true
            }
            Err(_) => false,
        }
    }

    /// All collected, in the order pushed.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Consumes the collector, sorted by severity (errors last, so they end up nearest to
    /// the summary), then code, then package.
    pub fn into_sorted(mut self) -> (Vec<Diagnostic>, SourceMap) {
        self.items.sort_by(|a, b| {
            (a.severity, a.code, &a.package, &a.message)
                .cmp(&(b.severity, b.code, &b.package, &b.message))
        });
        (self.items, self.sources)
    }

    /// Number of diagnostics with `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for &c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'),
                "{s} is not kebab-case"
            );
            assert_eq!(Code::from_name(s), Some(c));
            assert!(!c.description().is_empty());
        }
    }
}
