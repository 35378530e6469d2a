//! SARIF 2.1.0 for GitHub code scanning (`--format sarif`).
//!
//! * One rule per diagnostic code (every code, so rule indexes are stable), with
//!   `shortDescription`, `fullDescription` (at most 1000 characters), `help` (text and
//!   markdown, the fix), `defaultConfiguration.level`, and `properties.tags`. Advisory rules
//!   carry `properties.security-severity`: the highest CVSS base score among this run's
//!   findings of that code (GitHub reads the severity per rule); a vulnerability without a
//!   CVSS score counts as 7.0 (high), since unknown must not read as harmless.
//! * One result per finding: `ruleId`, `ruleIndex`, `level`, `message` (with the notes), at
//!   most 10 `locations` (primary labels first) and at most 10 `relatedLocations`, each with a
//!   repository-relative `artifactLocation.uri` and a `region` (see [`super::Locator`]);
//!   `partialFingerprints` from the code, package, advisory id, file and message (no line
//!   numbers, so a finding keeps its identity when lines move), and the CVSS score in the
//!   result's properties.
//!
//! Columns are Unicode code points (`columnKind`).

use super::{Anchors, Location, Locator, full_message, rules::rule_text};
use crate::diag::{Code, Diagnostic, Severity, SourceMap};
use crate::error::{Error, Result};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The SARIF schema URL.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// At most this many locations (and related locations) per result (GitHub's limit).
pub const MAX_LOCATIONS: usize = 10;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn physical(l: &Location, id: Option<usize>) -> Value {
    let mut v = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": l.uri },
            "region": {
                "startLine": l.start_line,
                "startColumn": l.start_column,
                "endLine": l.end_line,
                "endColumn": l.end_column,
            }
        }
    });
    if !l.message.is_empty() {
        v["message"] = json!({ "text": l.message });
    }
    if let Some(id) = id {
        v["id"] = id.into();
    }
    v
}

/// `license-rejected` → `LicenseRejected` (SARIF wants a readable `name` that differs from
/// the opaque `id`).
fn camel(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn cvss_score(d: &Diagnostic) -> Option<f64> {
    d.data.get("cvss")?.get("score")?.as_f64()
}

fn fingerprint(d: &Diagnostic, primary: Option<&Location>) -> String {
    let key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        d.code.as_str(),
        d.package.as_ref().map(|p| p.purl.as_str()).unwrap_or(""),
        d.data
            .get("advisory-id")
            .and_then(Value::as_str)
            .unwrap_or(""),
        primary.map(|l| l.uri.as_str()).unwrap_or(""),
        d.message
    );
    crate::fsutil::sha256_hex(key.as_bytes())[..32].to_string()
}

/// The SARIF log of `diagnostics` (pretty JSON, trailing newline). `Err` when a finding
/// cannot be given any location in the repository (no anchor file exists at all).
pub fn to_json(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    anchors: &Anchors,
) -> Result<Vec<u8>> {
    let mut locator = Locator::default();
    let mut severity: BTreeMap<Code, f64> = BTreeMap::new();
    let mut results = Vec::new();
    for d in diagnostics {
        let locs = locator.locate(d, sources, anchors);
        if locs.is_empty() {
            return Err(Error::other(format!(
                "cannot place the `{}` finding at a file inside the repository {} (SARIF results need a location)",
                d.code, anchors.repo_root
            )));
        }
        let (primary, secondary): (Vec<&Location>, Vec<&Location>) =
            locs.iter().partition(|l| l.primary);
        let score = cvss_score(d);
        if d.code.as_str().starts_with("advisor") {
            let s = score.or((d.code == Code::AdvisoryVulnerability).then_some(7.0));
            if let Some(s) = s {
                let e = severity.entry(d.code).or_insert(s);
                *e = e.max(s);
            }
        }
        let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
        let mut r = json!({
            "ruleId": d.code.as_str(),
            "ruleIndex": index,
            "level": level(d.severity),
            "message": { "text": full_message(d) },
            "locations": primary.iter().take(MAX_LOCATIONS).map(|l| physical(l, None)).collect::<Vec<_>>(),
            "partialFingerprints": { "cargoCraFinding/v1": fingerprint(d, primary.first().copied()) },
        });
        if !secondary.is_empty() {
            r["relatedLocations"] = secondary
                .iter()
                .take(MAX_LOCATIONS)
                .enumerate()
                .map(|(i, l)| physical(l, Some(i + 1)))
                .collect::<Vec<_>>()
                .into();
        }
        let mut props = serde_json::Map::new();
        if let Some(p) = &d.package {
            props.insert("package".into(), json!(p.purl));
        }
        if let Some(id) = d.data.get("advisory-id") {
            props.insert("advisory-id".into(), id.clone());
        }
        if let Some(s) = score {
            props.insert("security-severity".into(), format!("{s:.1}").into());
        }
        if !props.is_empty() {
            r["properties"] = Value::Object(props);
        }
        results.push(r);
    }
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|&c| {
            let t = rule_text(c);
            let default_level = match c {
                Code::AdvisoriesOutOfScope => "note",
                Code::LicenseClarificationUnused
                | Code::LicenseExceptionUnused
                | Code::AdvisoryIgnoreUnused
                | Code::CraUnknownKey
                | Code::AdvisoryUnmaintained
                | Code::AdvisoryYankedUnknown => "warning",
                _ => "error",
            };
            let mut props = json!({ "tags": t.tags });
            if let Some(s) = severity.get(&c) {
                props["security-severity"] = format!("{s:.1}").into();
            }
            json!({
                "id": c.as_str(),
                "name": camel(c.as_str()),
                "shortDescription": { "text": c.description() },
                "fullDescription": { "text": t.full },
                "help": { "text": t.help.replace("**", ""), "markdown": t.help },
                "helpUri": "https://github.com/cargo-cra/cargo-cra#diagnostic-codes",
                "defaultConfiguration": { "level": default_level },
                "properties": props,
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cargo-cra",
                "version": crate::VERSION,
                "semanticVersion": crate::VERSION,
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_vec_pretty(&log)
        .map_err(|e| Error::other(format!("failed to serialize the SARIF log: {e}")))?;
    out.push(b'\n');
    Ok(out)
}
