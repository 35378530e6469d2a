//! SPDX 3.0.1 JSON-LD (`<artifact>.spdx3.json`): the facts of [`super::spdx::Facts`] in the
//! SPDX 3 model with the fields BSI TR-03183-2 v2.1 maps to SPDX 3.0.1:
//!
//! * document creator: `CreationInfo.createdBy`, the manufacturer as an `Organization`
//!   with an `email` (or `urlScheme`) external identifier; cargo-cra in `createdUsing`;
//! * component creator: `originatedBy` (and `suppliedBy`) of every `software_Package`;
//! * file name, SHA-512 of the deployable form, executable/archive/structured: the
//!   package's distribution `software_File` (`hasDistributionArtifact`) with its name,
//!   `verifiedUsing` hashes and purposes (`executable`, `archive`, `container` for
//!   structured, `firmware` for unstructured); a `.crate` is also the source archive, so it
//!   `generates` the package and carries the `sourceArtifact` reference;
//! * licences: `hasDeclaredLicense` / `hasConcludedLicense` to
//!   `simplelicensing_LicenseExpression`s, the effective licence as an `other` relationship
//!   commented `hasEffectiveLicense`;
//! * dependencies: `dependsOn` with `completeness: complete` (a package without
//!   dependencies has none);
//! * the product's CRA metadata: `validUntilTime` (end of support), `releaseTime`,
//!   `securityOther` (security contact) and `securityPolicy` (disclosure policy) references.
//!
//! Field mapping and the reasons: `docs/sbom.md`.

use super::spdx::{Agent, DistFile, Facts, Licence, NAMESPACE_PLACEHOLDER, Package};
use crate::error::Result;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// File name suffix of SPDX 3.0.1 JSON-LD SBOMs.
pub const SUFFIX: &str = ".spdx3.json";

const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
const CREATION_INFO: &str = "_:creationinfo";

fn iri(local: &str) -> String {
    format!("{NAMESPACE_PLACEHOLDER}#{local}")
}

fn short_hash(s: &str) -> String {
    crate::fsutil::sha256_hex(s.as_bytes())[..12].to_string()
}

/// The elements of one document, keyed by `spdxId` (deterministic order).
#[derive(Default)]
struct Graph {
    elements: BTreeMap<String, Value>,
}

impl Graph {
    fn add(&mut self, id: String, mut v: Value) -> String {
        v["spdxId"] = Value::String(id.clone());
        v["creationInfo"] = CREATION_INFO.into();
        self.elements.entry(id.clone()).or_insert(v);
        id
    }

    fn agent(&mut self, a: &Agent) -> String {
        let key = format!("{}|{}|{:?}|{:?}", a.organization, a.name, a.email, a.url);
        let kind = if a.organization {
            "Organization"
        } else {
            "Person"
        };
        let mut ids = Vec::new();
        if let Some(e) = &a.email {
            ids.push(json!({"type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": e}));
        }
        if let Some(u) = &a.url {
            ids.push(json!({"type": "ExternalIdentifier", "externalIdentifierType": "urlScheme", "identifier": u}));
        }
        let mut v = json!({"type": kind, "name": a.name});
        if !ids.is_empty() {
            v["externalIdentifier"] = ids.into();
        }
        self.add(iri(&format!("{kind}-{}", short_hash(&key))), v)
    }

    fn licence(&mut self, l: &Licence) -> String {
        let expr = l.expression();
        let mut v = json!({
            "type": "simplelicensing_LicenseExpression",
            "simplelicensing_licenseExpression": expr,
        });
        if let Licence::Named(text) = l {
            let text_id = self.add(
                iri(&format!("LicenseText-{}", short_hash(text))),
                json!({"type": "simplelicensing_SimpleLicensingText", "simplelicensing_licenseText": text,
                       "comment": "license text that is not an SPDX expression, as written in the package manifest"}),
            );
            v["simplelicensing_customIdToUri"] =
                json!([{"type": "DictionaryEntry", "key": expr, "value": text_id}]);
        }
        self.add(iri(&format!("LicenseExpression-{}", short_hash(&expr))), v)
    }

    fn relationship(&mut self, from: &str, kind: &str, to: Vec<String>, extra: Value) -> String {
        let key = format!("{from}|{kind}|{}", to.join(","));
        let mut v =
            json!({"type": "Relationship", "from": from, "relationshipType": kind, "to": to});
        if let Value::Object(m) = extra {
            for (k, x) in m {
                v[k] = x;
            }
        }
        self.add(iri(&format!("Relationship-{}", short_hash(&key))), v)
    }

    fn file(&mut self, f: &DistFile) -> String {
        let mut purposes = Vec::new();
        if f.executable {
            purposes.push("executable");
        }
        if f.archive {
            purposes.push("archive");
        }
        purposes.push(if f.structured {
            "container"
        } else {
            "firmware"
        });
        // A `.crate` is the package's source archive.
        let primary = if f.own && f.archive && !f.executable {
            "source"
        } else {
            purposes.remove(0)
        };
        let mut hashes = Vec::new();
        if let Some(h) = &f.sha256 {
            hashes.push(json!({"type": "Hash", "algorithm": "sha256", "hashValue": h}));
        }
        if let Some(h) = &f.sha512 {
            hashes.push(json!({"type": "Hash", "algorithm": "sha512", "hashValue": h}));
        }
        let mut v = json!({
            "type": "software_File",
            "name": f.name,
            "software_fileKind": "file",
            "software_primaryPurpose": primary,
        });
        if !purposes.is_empty() {
            v["software_additionalPurpose"] = purposes.into();
        }
        if !hashes.is_empty() {
            v["verifiedUsing"] = hashes.into();
        }
        if let Some(u) = &f.url {
            let mut refs = vec![
                json!({"type": "ExternalRef", "externalRefType": "binaryArtifact", "locator": [u]}),
            ];
            if primary == "source" {
                refs.push(json!({"type": "ExternalRef", "externalRefType": "sourceArtifact", "locator": [u]}));
            }
            v["externalRef"] = refs.into();
        }
        let key = format!(
            "{}|{}",
            f.name,
            f.sha512.as_deref().or(f.sha256.as_deref()).unwrap_or("")
        );
        self.add(iri(&format!("File-{}", short_hash(&key))), v)
    }
}

fn ext_ref(kind: &str, url: &str, comment: Option<&str>) -> Value {
    let mut v = json!({"type": "ExternalRef", "externalRefType": kind, "locator": [url]});
    if let Some(c) = comment {
        v["comment"] = c.into();
    }
    v
}

/// `YYYY-MM-DD` as SPDX 3's `DateTime`.
fn date_time(d: &str) -> String {
    format!("{d}T00:00:00Z")
}

fn package(g: &mut Graph, p: &Package, facts: &Facts, is_product: bool) -> String {
    let id = iri(&p.id);
    let mut v = json!({
        "type": "software_Package",
        "name": p.name,
        "software_primaryPurpose": p.purpose,
    });
    if let Some(x) = &p.version {
        v["software_packageVersion"] = x.clone().into();
    }
    if let Some(x) = &p.purl {
        v["software_packageUrl"] = x.clone().into();
        v["externalIdentifier"] = json!([{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": x}]);
    }
    if let Some(x) = &p.download {
        v["software_downloadLocation"] = x.clone().into();
    }
    if let Some(x) = &p.homepage {
        v["software_homePage"] = x.clone().into();
    }
    if let Some(x) = &p.description {
        v["description"] = x.clone().into();
    }
    if let Some(c) = super::spdx::properties_comment(&p.properties) {
        v["comment"] = c.into();
    }
    if let Some(a) = &p.creator {
        let a = g.agent(a);
        v["suppliedBy"] = a.clone().into();
        v["originatedBy"] = json!([a]);
    }
    let mut refs = Vec::new();
    if let Some((u, c)) = &p.vcs {
        refs.push(ext_ref("vcs", u, c.as_deref()));
    }
    if let Some(u) = &p.source_url {
        refs.push(ext_ref("sourceArtifact", u, None));
    }
    if let Some(u) = &p.documentation {
        refs.push(ext_ref("documentation", u, None));
    }
    if is_product {
        for (url, what) in &facts.product.security {
            let kind = if what.contains("disclosure policy") {
                "securityPolicy"
            } else {
                "securityOther"
            };
            refs.push(ext_ref(kind, url, Some(what)));
        }
        if let Some(d) = &facts.product.declaration_of_conformity {
            refs.push(ext_ref(
                "productMetadata",
                d,
                Some("EU declaration of conformity (CRA Annex II (6))"),
            ));
        }
        if let Some(s) = &facts.product.sbom_url {
            refs.push(ext_ref(
                "other",
                s,
                Some("where the SBOM is published (CRA Annex II (9))"),
            ));
        }
        if let Some(d) = &facts.product.release_date {
            v["releaseTime"] = date_time(d).into();
        }
        if let Some(d) = &facts.product.support_end {
            v["validUntilTime"] = date_time(d).into();
        }
        v["builtTime"] = facts.created.clone().into();
    }
    if !refs.is_empty() {
        v["externalRef"] = refs.into();
    }
    g.add(id.clone(), v);

    if let Some(f) = &p.file {
        let file = g.file(f);
        g.relationship(
            &id,
            "hasDistributionArtifact",
            vec![file.clone()],
            json!({}),
        );
        if f.own && f.archive && !f.executable {
            g.relationship(&file, "generates", vec![id.clone()], json!({}));
        }
    }
    if let Some(l) = &p.declared {
        let l = g.licence(l);
        g.relationship(&id, "hasDeclaredLicense", vec![l], json!({}));
    }
    if let Some(l) = &p.concluded {
        let l = g.licence(l);
        g.relationship(&id, "hasConcludedLicense", vec![l.clone()], json!({}));
        g.relationship(
            &id,
            "other",
            vec![l],
            json!({"comment": "hasEffectiveLicense"}),
        );
    }
    id
}

/// Writes the SPDX 3.0.1 JSON-LD document of `facts` (deterministic bytes).
pub fn to_json(facts: &Facts) -> Result<Vec<u8>> {
    let mut g = Graph::default();
    let tool = g.add(
        iri("Tool-cargo-cra"),
        json!({"type": "Tool", "name": format!("cargo-cra {}", crate::VERSION)}),
    );
    let creator = match &facts.creator {
        Some(a) => g.agent(a),
        // No manufacturer (a run with --allow-violations): SPDX's own stand-in.
        None => "https://spdx.org/rdf/3.0.1/terms/Core/SpdxOrganization".to_string(),
    };
    let ids: Vec<String> = facts
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| package(&mut g, p, facts, i == 0))
        .collect();
    // A package without dependencies gets no `dependsOn` (`to` needs an element; SPDX's
    // `NoneElement` individual is read as a dangling reference by the BSI checker).
    for (from, to) in facts.dependencies.iter().filter(|(_, to)| !to.is_empty()) {
        let to: Vec<String> = to.iter().map(|&t| ids[t].clone()).collect();
        let from = ids[*from].clone();
        g.relationship(&from, "dependsOn", to, json!({"completeness": "complete"}));
    }
    let data_license = g.licence(&Licence::Expression("CC0-1.0".into()));
    let elements: Vec<String> = g.elements.keys().cloned().collect();
    let mut sbom = json!({
        "type": "software_Sbom",
        "name": facts.name,
        "software_sbomType": ["build"],
        "rootElement": [ids[0].clone()],
        "element": elements.clone(),
        "profileConformance": ["core", "software", "simpleLicensing"],
    });
    if let Some(c) = super::spdx::properties_comment(&facts.properties) {
        sbom["comment"] = c.into();
    }
    let sbom_id = g.add(iri("Sbom"), sbom);
    let mut all = elements;
    all.push(sbom_id.clone());
    all.sort();
    let doc_id = g.add(
        iri("SpdxDocument"),
        json!({
            "type": "SpdxDocument",
            "name": facts.name,
            "rootElement": [sbom_id],
            "element": all,
            "dataLicense": data_license,
            "profileConformance": ["core", "software", "simpleLicensing"],
        }),
    );
    let mut graph = vec![json!({
        "type": "CreationInfo",
        "@id": CREATION_INFO,
        "specVersion": "3.0.1",
        "created": facts.created,
        "createdBy": [creator],
        "createdUsing": [tool],
    })];
    // The document first, then every element by id.
    let doc = g.elements.remove(&doc_id).expect("just added");
    graph.push(doc);
    graph.extend(g.elements.into_values());
    let doc = json!({"@context": CONTEXT, "@graph": graph});
    super::spdx::finish(&facts.packages[0], &doc)
}
