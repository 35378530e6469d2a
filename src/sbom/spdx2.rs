//! SPDX 2.3 JSON (`<artifact>.spdx.json`): the facts of [`super::spdx::Facts`] as an SPDX
//! 2.3 document. The product is the package the document `DESCRIBES`; every linked package
//! is a package with its supplier and originator (the creator), download location,
//! SHA-256/SHA-512, declared and concluded licences, purl and file name; `DEPENDS_ON` edges
//! mirror the CycloneDX `dependencies` and a package without dependencies `DEPENDS_ON
//! NONE` (SPDX 2's way of saying the list is complete). The product's support end is
//! `validUntilDate`, its release date `releaseDate`, its security contact and disclosure
//! policy `SECURITY` references. Field mapping: `docs/sbom.md`.

use super::spdx::{Facts, Licence, NAMESPACE_PLACEHOLDER, Package, license_refs_in};
use crate::error::Result;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// File name suffix of SPDX 2.3 JSON SBOMs.
pub const SUFFIX: &str = ".spdx.json";

fn spdx_id(p: &Package) -> String {
    format!("SPDXRef-{}", p.id)
}

fn noassertion(v: Option<String>) -> Value {
    Value::String(v.unwrap_or_else(|| "NOASSERTION".into()))
}

/// `YYYY-MM-DD` as SPDX 2's `YYYY-MM-DDThh:mm:ssZ`.
fn date_time(d: &str) -> String {
    format!("{d}T00:00:00Z")
}

fn package(p: &Package, facts: &Facts, is_product: bool) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("SPDXID".into(), spdx_id(p).into());
    o.insert("name".into(), p.name.clone().into());
    if let Some(v) = &p.version {
        o.insert("versionInfo".into(), v.clone().into());
    }
    if let Some(f) = p.file.as_ref().filter(|f| f.own) {
        o.insert("packageFileName".into(), f.name.clone().into());
    }
    let creator = p.creator.as_ref().map(|a| a.spdx2());
    o.insert("supplier".into(), noassertion(creator.clone()));
    o.insert("originator".into(), noassertion(creator));
    o.insert("downloadLocation".into(), noassertion(p.download.clone()));
    o.insert("filesAnalyzed".into(), false.into());
    let mut checksums = Vec::new();
    if let Some(h) = &p.sha256 {
        checksums.push(json!({"algorithm": "SHA256", "checksumValue": h}));
    }
    if let Some(h) = &p.sha512 {
        checksums.push(json!({"algorithm": "SHA512", "checksumValue": h}));
    }
    if !checksums.is_empty() {
        o.insert("checksums".into(), checksums.into());
    }
    if let Some(h) = &p.homepage {
        o.insert("homepage".into(), h.clone().into());
    }
    let source = match (&p.source_url, &p.vcs) {
        (Some(u), _) => Some(format!("source distribution: {u}")),
        (None, Some((u, c))) => Some(match c {
            Some(c) => format!("from {u}, {c}"),
            None => format!("from {u}"),
        }),
        _ => None,
    };
    if let Some(s) = source {
        o.insert("sourceInfo".into(), s.into());
    }
    o.insert(
        "licenseConcluded".into(),
        noassertion(p.concluded.as_ref().map(Licence::expression)),
    );
    o.insert(
        "licenseDeclared".into(),
        noassertion(p.declared.as_ref().map(Licence::expression)),
    );
    o.insert("copyrightText".into(), "NOASSERTION".into());
    if let Some(d) = &p.description {
        o.insert("description".into(), d.clone().into());
    }
    if let Some(c) = super::spdx::properties_comment(&p.properties) {
        o.insert("comment".into(), c.into());
    }
    let mut refs = Vec::new();
    if let Some(purl) = &p.purl {
        refs.push(json!({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}));
    }
    if is_product {
        for (url, what) in &facts.product.security {
            refs.push(if url.starts_with("https://") || url.starts_with("http://") {
                json!({"referenceCategory": "SECURITY", "referenceType": "url", "referenceLocator": url, "comment": what})
            } else {
                json!({"referenceCategory": "OTHER", "referenceType": "security-contact", "referenceLocator": url, "comment": what})
            });
        }
        if let Some(d) = &facts.product.declaration_of_conformity {
            refs.push(json!({"referenceCategory": "OTHER", "referenceType": "declaration-of-conformity", "referenceLocator": d, "comment": "EU declaration of conformity (CRA Annex II (6))"}));
        }
        if let Some(s) = &facts.product.sbom_url {
            refs.push(json!({"referenceCategory": "OTHER", "referenceType": "sbom", "referenceLocator": s, "comment": "where the SBOM is published (CRA Annex II (9))"}));
        }
        if let Some(d) = &facts.product.release_date {
            o.insert("releaseDate".into(), date_time(d).into());
        }
        if let Some(d) = &facts.product.support_end {
            o.insert("validUntilDate".into(), date_time(d).into());
        }
        o.insert("builtDate".into(), facts.created.clone().into());
    }
    if !refs.is_empty() {
        o.insert("externalRefs".into(), refs.into());
    }
    o.insert(
        "primaryPackagePurpose".into(),
        p.purpose.to_ascii_uppercase().into(),
    );
    Value::Object(o)
}

/// Writes the SPDX 2.3 JSON document of `facts` (deterministic bytes).
pub fn to_json(facts: &Facts) -> Result<Vec<u8>> {
    let mut creators = Vec::new();
    if let Some(c) = &facts.creator {
        creators.push(c.spdx2());
    }
    creators.push(format!("Tool: cargo-cra-{}", crate::VERSION));
    let packages: Vec<Value> = facts
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| package(p, facts, i == 0))
        .collect();

    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": spdx_id(facts.product()),
    })];
    for (from, to) in &facts.dependencies {
        let from = spdx_id(&facts.packages[*from]);
        if to.is_empty() {
            relationships.push(json!({"spdxElementId": from, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "NONE"}));
        }
        for t in to {
            relationships.push(json!({"spdxElementId": from, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": spdx_id(&facts.packages[*t])}));
        }
    }

    // Every `LicenseRef-` used must be defined: named licences with their text, references
    // written in a manifest's expression with a note.
    let mut extracted: BTreeMap<String, Value> = BTreeMap::new();
    for p in &facts.packages {
        for l in [&p.declared, &p.concluded].into_iter().flatten() {
            match l {
                Licence::Named(text) => {
                    extracted.insert(
                        l.expression(),
                        json!({"licenseId": l.expression(), "name": text, "extractedText": text,
                               "comment": "license text that is not an SPDX expression, as written in the package manifest"}),
                    );
                }
                Licence::Expression(e) => {
                    for r in license_refs_in(e) {
                        extracted.entry(r.clone()).or_insert_with(|| json!({
                            "licenseId": r, "name": r,
                            "extractedText": "The license is named by this LicenseRef in the package manifest; its text is in the package's license files.",
                        }));
                    }
                }
            }
        }
    }

    let mut doc = serde_json::Map::new();
    doc.insert("spdxVersion".into(), "SPDX-2.3".into());
    doc.insert("dataLicense".into(), "CC0-1.0".into());
    doc.insert("SPDXID".into(), "SPDXRef-DOCUMENT".into());
    doc.insert("name".into(), facts.name.clone().into());
    doc.insert("documentNamespace".into(), NAMESPACE_PLACEHOLDER.into());
    let mut creation = serde_json::Map::new();
    creation.insert("created".into(), facts.created.clone().into());
    creation.insert("creators".into(), creators.into());
    if let Some(c) = super::spdx::properties_comment(&facts.properties) {
        creation.insert("comment".into(), c.into());
    }
    doc.insert("creationInfo".into(), Value::Object(creation));
    doc.insert("packages".into(), packages.into());
    doc.insert("relationships".into(), relationships.into());
    if !extracted.is_empty() {
        doc.insert(
            "hasExtractedLicensingInfos".into(),
            extracted.into_values().collect::<Vec<_>>().into(),
        );
    }
    super::spdx::finish(facts.product(), &Value::Object(doc))
}
