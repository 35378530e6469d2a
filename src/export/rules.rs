//! What code scanning shows about each diagnostic code: a longer description, the fix in
//! markdown, and tags. Codes without an entry of their own (codes are only ever added) get
//! their family's text, so every code has a rule.

use crate::diag::Code;

/// A rule's texts.
#[derive(Debug, Clone)]
pub struct RuleText {
    /// Full description (at most 1000 characters, GitHub's limit).
    pub full: String,
    /// How to fix it, markdown.
    pub help: String,
    /// Tags (GitHub shows them as filters).
    pub tags: Vec<&'static str>,
}

const README: &str = "https://github.com/cargo-cra/cargo-cra#diagnostic-codes";

fn family(code: &str) -> (&'static str, &'static str, Vec<&'static str>) {
    if code.starts_with("license-") {
        (
            "License check: every crate that is built must carry a license the policy allows (`[licenses] allow` in deny-policy.toml), as an SPDX expression in its manifest, a clarified license file, or a license file whose text is identified.",
            "Allow the license in `[licenses] allow`, add a per-crate `exceptions` entry, `clarify` the crate's license file (pinned by its SHA-256), or replace the dependency.",
            vec!["license", "compliance", "supply-chain"],
        )
    } else if code.starts_with("source-") {
        (
            "Source check: every crate must come from a registry or git repository the policy allows (`[sources] allow-registry`, `allow-git`). Unknown sources are a supply-chain risk.",
            "Add the source to `[sources] allow-registry` or `allow-git` if it is trusted, or depend on the crate from crates.io instead.",
            vec!["security", "supply-chain"],
        )
    } else if code.starts_with("advisor") {
        (
            "RustSec advisory check: crates that are built must not be affected by known vulnerabilities (CRA Annex I Part I (2)(a)), and informational advisories (unmaintained, unsound, notices) and yanked versions are reported at the level the policy sets.",
            "Upgrade the crate to a patched version (`cargo update -p <crate> --precise <version>`), remove the dependency, or, when the finding does not apply to the product, record that in `[advisories] ignore` with a `reason` (and an `until` date) or in a VEX statement.",
            vec!["security", "vulnerability", "supply-chain"],
        )
    } else if code.starts_with("cra-") || code.starts_with("product-") {
        (
            "CRA product metadata check: a product must publish what the Cyber Resilience Act (Regulation (EU) 2024/2847) asks of the manufacturer: manufacturer, single point of contact, vulnerability disclosure policy, end of the support period, product class, intended purpose (Annex II), in `[package.metadata.cra]` or `[workspace.metadata.cra]`.",
            "Add or correct the key in the product's `[package.metadata.cra]` (or `[workspace.metadata.cra]`); `cargo cra init` prints a complete block to start from.",
            vec!["cra", "compliance"],
        )
    } else {
        (
            "A finding of cargo-cra's policy gate.",
            "Follow the help line of the finding.",
            vec!["compliance"],
        )
    }
}

/// A specific fix for codes where the family's text is too general.
fn specific_help(code: &str) -> Option<&'static str> {
    Some(match code {
        "license-missing" => {
            "The crate declares no license. Ask upstream to add `license = \"...\"`, or `clarify` its license file in `[licenses]` with the file's SHA-256 (`sha256sum LICENSE`)."
        }
        "license-unparseable" => {
            "The `license` field is not a valid SPDX expression: fix it in the manifest (for your own crates) or `clarify` the crate's license in the policy."
        }
        "license-clarification-stale" => {
            "The license file changed since it was clarified: read the new text and update the `clarify` entry's hash (`sha256sum <file>`)."
        }
        "license-clarification-unused" | "license-exception-unused" => {
            "The entry matches no crate that is built: remove it from the policy."
        }
        "advisory-ignore-expired" => {
            "The ignore entry is past its `until` date: fix the finding, or review the reason and set a new `until`."
        }
        "advisory-ignore-unused" => "The ignore entry matches no finding: remove it.",
        "advisory-yanked" => {
            "The locked version was yanked from its registry: `cargo update -p <crate>` to a version that is not yanked."
        }
        "advisory-yanked-unknown" => {
            "Refresh the registry index cache (`cargo update --dry-run` or a build online) so that yanked versions are known."
        }
        "advisories-out-of-scope" => {
            "Informational: these advisories match `Cargo.lock` but no package that is built. `cargo update` removes them from the lockfile; `--scope lockfile` reports them as findings."
        }
        "cra-support-period-too-short" => {
            "Extend `support-end` to at least `release-date` plus `[product] min-support-years` (default 5), or give `support-period-justification` (CRA Art. 13(8))."
        }
        "cra-unknown-key" => {
            "The key is not a CRA metadata key: fix the typo (the diagnostic suggests one) or remove it."
        }
        "product-member-unknown" => {
            "`[product] members` names a package that is not a workspace member: fix the name or remove it."
        }
        _ => return None,
    })
}

/// The texts of `code`'s rule.
pub fn rule_text(code: Code) -> RuleText {
    let name = code.as_str();
    let (family_text, family_help, tags) = family(name);
    let mut full = format!("{} {family_text}", code.description());
    if full.chars().count() > 1000 {
        full = full.chars().take(997).collect::<String>() + "...";
    }
    let fix = specific_help(name).unwrap_or(family_help);
    let help = format!(
        "**{name}**: {}\n\n**Fix:** {fix}\n\nThe finding's own `help:` line names the exact change. Codes and policy keys: [README]({README}).",
        code.description()
    );
    RuleText { full, help, tags }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_texts_within_limits() {
        for &c in Code::ALL {
            let t = rule_text(c);
            assert!(t.full.chars().count() <= 1000, "{c}");
            assert!(t.help.contains("**Fix:**"), "{c}");
            assert!(!t.tags.is_empty(), "{c}");
        }
    }
}
