//! CycloneDX VEX: a BOM whose `vulnerabilities` carry an `analysis`, reader and writer.
//!
//! The writer emits CycloneDX 1.6 (validated in CI with cyclonedx-python-lib, strict): one
//! vulnerability entry per (advisory, status, analysis), with `id`, `source` (RustSec and the
//! advisory page), `references` to the aliases, `ratings` from the CVSS vector, `analysis`
//! (`state`, `justification`, `response`, `detail`, `firstIssued`, `lastUpdated`) and
//! `affects[].ref` as BOM-Links (`urn:cdx:<serial>/<version>#<bom-ref>`) into the SBOM of each
//! product release. Each release is also listed in `components` with its purl and an external
//! reference of type `bom` to its SBOM, so that a reader knows which product a BOM-Link is
//! about without the SBOM. A statement whose products carry no BOM-Link (built from purls
//! only) refers to components inside the VEX BOM instead.
//!
//! The reader accepts BOM-Links and plain bom-refs into the same BOM, CycloneDX 1.4 to 1.7. A
//! vulnerability without `analysis` is a plain vulnerability report: read as `affected`.

use super::json::{arr, opt_str, opt_time, req_str};
use super::{
    Format, Identifier, Justification, Product, Statement, Status, VexDocument, Vulnerability,
};
use crate::error::{Error, Result};
use camino::Utf8Path;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The property that carries the exact OpenVEX justification next to CycloneDX's nearest
/// one (CycloneDX has no `component_not_present`).
pub const JUSTIFICATION_PROPERTY: &str = "cargo-cra:vex:justification";

/// CycloneDX's `analysis.state` for a status.
pub fn state(s: Status) -> &'static str {
    match s {
        Status::NotAffected => "not_affected",
        Status::Affected => "exploitable",
        Status::Fixed => "resolved",
        Status::UnderInvestigation => "in_triage",
    }
}

/// The status for a CycloneDX `analysis.state`.
pub fn status_of_state(s: &str) -> Option<Status> {
    Some(match s {
        "not_affected" | "false_positive" => Status::NotAffected,
        "exploitable" => Status::Affected,
        "resolved" | "resolved_with_pedigree" => Status::Fixed,
        "in_triage" => Status::UnderInvestigation,
        _ => return None,
    })
}

/// CycloneDX's `analysis.justification` nearest to an OpenVEX justification.
pub fn justification(j: Justification) -> &'static str {
    match j {
        Justification::ComponentNotPresent | Justification::VulnerableCodeNotPresent => {
            "code_not_present"
        }
        Justification::VulnerableCodeNotInExecutePath => "code_not_reachable",
        Justification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
        Justification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
    }
}

/// The OpenVEX justification for a CycloneDX `analysis.justification`.
pub fn justification_of(s: &str) -> Option<Justification> {
    Some(match s {
        "code_not_present" => Justification::VulnerableCodeNotPresent,
        "code_not_reachable" => Justification::VulnerableCodeNotInExecutePath,
        "requires_configuration" | "requires_environment" => {
            Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        "requires_dependency" => Justification::ComponentNotPresent,
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => Justification::InlineMitigationsAlreadyExist,
        _ => return None,
    })
}

const RESPONSES: [&str; 5] = [
    "can_not_fix",
    "will_not_fix",
    "update",
    "rollback",
    "workaround_available",
];

/// A BOM-Link split into the BOM (`urn:cdx:<uuid>/<version>`) and the decoded bom-ref.
pub fn split_bom_link(s: &str) -> Option<(String, Option<String>)> {
    let rest = s.strip_prefix("urn:cdx:")?;
    let (bom, frag) = match rest.split_once('#') {
        Some((b, f)) => (b, Some(crate::purl::percent_decode(f))),
        None => (rest, None),
    };
    let (uuid, version) = bom.split_once('/')?;
    let uuid_ok = uuid.len() == 36 && uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let version_ok = version.parse::<u32>().is_ok_and(|v| v >= 1);
    (uuid_ok && version_ok).then(|| (format!("urn:cdx:{uuid}/{version}"), frag))
}

/// The BOM-Link of a component: `urn:cdx:<serial without urn:uuid:>/<version>#<bom-ref>`,
/// the bom-ref percent-encoded where a URI fragment does not allow a character.
pub fn bom_link(serial: &str, version: u32, bom_ref: Option<&str>) -> String {
    let uuid = serial.strip_prefix("urn:uuid:").unwrap_or(serial);
    match bom_ref {
        Some(r) => format!("urn:cdx:{uuid}/{version}#{}", encode_fragment(r)),
        None => format!("urn:cdx:{uuid}/{version}"),
    }
}

fn encode_fragment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // RFC 3986 fragment: pchar / "/" / "?"; pchar = unreserved / sub-delims / ":" / "@".
        if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Reads a CycloneDX BOM with vulnerabilities.
pub fn from_value(path: &Utf8Path, v: &Value) -> Result<VexDocument> {
    let serial = opt_str(path, v, "serialNumber", "")?.unwrap_or_default();
    let metadata = v.get("metadata").unwrap_or(&Value::Null);
    let author = ["manufacturer", "supplier", "manufacture"]
        .iter()
        .find_map(|k| metadata.get(k)?.get("name")?.as_str())
        .or_else(|| metadata.get("authors")?.get(0)?.get("name")?.as_str())
        .unwrap_or_default()
        .to_string();
    let timestamp = if metadata.is_object() {
        opt_time(path, metadata, "timestamp", "metadata.")?
    } else {
        None
    };
    let vulns = match v.get("vulnerabilities") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(Error::malformed(path, "`vulnerabilities` must be a list")),
        None => {
            return Err(Error::malformed(
                path,
                "CycloneDX BOM has no `vulnerabilities`: it is an SBOM, not a VEX document",
            ));
        }
    };

    // bom-ref → purl of every component in this BOM; BOM-Link (without fragment) → product
    // purl from external references of type `bom`.
    let mut refs: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut products_by_bom: BTreeMap<String, String> = BTreeMap::new();
    let meta_component = metadata.get("component");
    let mut stack: Vec<&Value> = arr(path, v, "components", "")?.iter().collect();
    stack.extend(meta_component);
    while let Some(c) = stack.pop() {
        let purl = c.get("purl").and_then(Value::as_str).map(str::to_string);
        if let Some(r) = c.get("bom-ref").and_then(Value::as_str) {
            refs.insert(r.to_string(), purl.clone());
        }
        for er in c
            .get("externalReferences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if er.get("type").and_then(Value::as_str) == Some("bom")
                && let Some((bom, _)) = er
                    .get("url")
                    .and_then(Value::as_str)
                    .and_then(split_bom_link)
                && let Some(p) = &purl
            {
                products_by_bom.insert(bom, p.clone());
            }
        }
        if let Some(children) = c.get("components").and_then(Value::as_array) {
            stack.extend(children.iter());
        }
    }
    let meta_ref = meta_component
        .and_then(|c| c.get("bom-ref"))
        .and_then(Value::as_str);
    let meta_purl = meta_component
        .and_then(|c| c.get("purl"))
        .and_then(Value::as_str);

    let mut statements = Vec::with_capacity(vulns.len());
    for (i, vu) in vulns.iter().enumerate() {
        let at = format!("vulnerabilities[{i}].");
        let id = req_str(path, vu, "id", &at)?.trim().to_string();
        let aliases = arr(path, vu, "references", &at)?
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_str))
            .map(|s| s.trim().to_string())
            .filter(|s| *s != id)
            .collect::<Vec<_>>();
        let url = vu
            .get("source")
            .and_then(|s| s.get("url"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let analysis = vu.get("analysis");
        let aat = format!("{at}analysis.");
        let (status, just, detail, responses, first, last) = match analysis {
            None | Some(Value::Null) => (Status::Affected, None, None, Vec::new(), None, None),
            Some(a) if a.is_object() => {
                let state_s = opt_str(path, a, "state", &aat)?;
                let status = match state_s {
                    None => Status::Affected,
                    Some(s) => status_of_state(s).ok_or_else(|| {
                        Error::malformed(
                            path,
                            format!(
                                "`{aat}state` is `{s}`, expected one of resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected"
                            ),
                        )
                    })?,
                };
                let just = match opt_str(path, a, "justification", &aat)? {
                    None => None,
                    Some(j) => Some(justification_of(j).ok_or_else(|| {
                        Error::malformed(
                            path,
                            format!(
                                "`{aat}justification` is `{j}`, expected one of code_not_present, code_not_reachable, requires_configuration, requires_dependency, requires_environment, protected_by_compiler, protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control"
                            ),
                        )
                    })?),
                };
                let responses = super::json::str_list(path, a, "response", &aat)?;
                if let Some(bad) = responses.iter().find(|r| !RESPONSES.contains(&r.as_str())) {
                    return Err(Error::malformed(
                        path,
                        format!(
                            "`{aat}response` contains `{bad}`, expected {}",
                            RESPONSES.join(", ")
                        ),
                    ));
                }
                let mut detail = opt_str(path, a, "detail", &aat)?.map(str::to_string);
                if state_s == Some("false_positive") && detail.is_none() {
                    detail = Some("false positive".to_string());
                }
                (
                    status,
                    just,
                    detail,
                    responses,
                    opt_time(path, a, "firstIssued", &aat)?,
                    opt_time(path, a, "lastUpdated", &aat)?,
                )
            }
            Some(_) => {
                return Err(Error::malformed(
                    path,
                    format!("`{at}analysis` must be an object"),
                ));
            }
        };
        // Our exact justification, when we wrote the document.
        let just = vu
            .get("properties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| p.get("name").and_then(Value::as_str) == Some(JUSTIFICATION_PROPERTY))
            .find_map(|p| Justification::from_name(p.get("value")?.as_str()?))
            .or(just);
        if status == Status::NotAffected && just.is_none() && detail.is_none() {
            return Err(Error::malformed(
                path,
                format!(
                    "`{aat}state` is not_affected without a `justification` or a `detail` (why is the product not affected?)"
                ),
            ));
        }

        let mut products: Vec<Product> = Vec::new();
        for (j, a) in arr(path, vu, "affects", &at)?.iter().enumerate() {
            let r = req_str(path, a, "ref", &format!("{at}affects[{j}]."))?.trim();
            if let Some((bom, frag)) = split_bom_link(r) {
                let product_purl = products_by_bom.get(&bom).cloned();
                let sub = frag.map(|f| Identifier {
                    purl: crate::purl::parse(&f).map(|_| f.clone()),
                    iri: Some(link_into(&bom, &f)),
                });
                products.push(Product {
                    id: Identifier {
                        purl: product_purl,
                        iri: Some(bom),
                    },
                    subcomponents: sub.into_iter().collect(),
                });
            } else if r.starts_with("urn:cdx:") {
                return Err(Error::malformed(
                    path,
                    format!(
                        "`{at}affects[{j}].ref` is not a valid BOM-Link: `{r}` (expected urn:cdx:<serial-uuid>/<version>#<bom-ref>)"
                    ),
                ));
            } else {
                let Some(purl) = refs.get(r) else {
                    return Err(Error::malformed(
                        path,
                        format!(
                            "`{at}affects[{j}].ref` `{r}` names no component of this BOM and is not a BOM-Link"
                        ),
                    ));
                };
                let component = Identifier {
                    purl: purl.clone(),
                    iri: purl
                        .is_none()
                        .then(|| link_into(&bom_link(serial, 1, None), r)),
                };
                let product = match (meta_ref, meta_purl) {
                    (Some(m), _) if m == r => Product {
                        id: component,
                        subcomponents: Vec::new(),
                    },
                    (_, Some(mp)) => Product {
                        id: Identifier::purl(mp),
                        subcomponents: vec![component],
                    },
                    _ => Product {
                        id: component,
                        subcomponents: Vec::new(),
                    },
                };
                products.push(product);
            }
        }
        let (impact, action, notes) = match status {
            Status::NotAffected => (detail, None, None),
            Status::Affected => (
                None,
                detail.or_else(|| {
                    vu.get("recommendation")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                }),
                None,
            ),
            _ => (None, None, detail),
        };
        statements.push(Statement {
            vulnerability: Vulnerability {
                id,
                aliases,
                description: vu
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                url,
                cvss: None,
            },
            products,
            status,
            justification: just,
            impact_statement: impact,
            action_statement: action,
            status_notes: notes,
            responses,
            timestamp: last.clone().or(first.clone()),
            first_issued: first,
        });
    }
    Ok(VexDocument {
        path: path.to_path_buf(),
        format: Format::CycloneDx,
        id: serial.to_string(),
        author,
        timestamp,
        statements,
    })
}

/// The BOM-Link of the component `bom_ref` in the BOM `bom` (`urn:cdx:<uuid>/<version>`).
pub fn link_into(bom: &str, bom_ref: &str) -> String {
    format!("{bom}#{}", encode_fragment(bom_ref))
}

/// A product release the VEX BOM refers to: its purl and, when its SBOM is known, the
/// BOM-Link of that SBOM (`urn:cdx:<uuid>/<version>`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Purl.
    pub purl: String,
    /// The SBOM as a BOM-Link.
    pub bom: Option<String>,
    /// The product's bom-ref in that SBOM (`metadata.component`).
    pub bom_ref: Option<String>,
}

/// Writes a CycloneDX 1.6 VEX BOM. `releases` are listed as components (with a `bom`
/// external reference to their SBOM); `manufacturer` goes to `metadata.manufacturer`. The
/// serial number is derived from the content, the timestamp is the document's or
/// [`crate::now`].
pub fn to_json(
    doc: &VexDocument,
    releases: &[Release],
    manufacturer: Option<&str>,
) -> Result<Vec<u8>> {
    let mut statements = doc.statements.clone();
    super::sort_statements(&mut statements);
    statements.dedup();
    let timestamp = match &doc.timestamp {
        Some(t) => t.clone(),
        None => super::now_rfc3339()?,
    };
    // Components: releases, then whatever statements name by purl only.
    let mut components: BTreeMap<String, Value> = BTreeMap::new();
    let mut releases = releases.to_vec();
    releases.sort();
    releases.dedup();
    for r in &releases {
        let mut c = json!({
            "type": "application",
            "bom-ref": r.purl,
            "name": r.name,
            "version": r.version,
            "purl": r.purl,
        });
        if let Some(b) = &r.bom {
            c["externalReferences"] =
                json!([{ "type": "bom", "url": b, "comment": "SBOM of this release" }]);
        }
        components.insert(r.purl.clone(), c);
    }
    let mut embed = |id: &Identifier| -> Option<String> {
        let p = id.purl.as_ref()?;
        if !components.contains_key(p) {
            let parts = crate::purl::parse(p);
            let name = parts.as_ref().map_or(p.clone(), |x| x.name.clone());
            let mut c = json!({ "type": "library", "bom-ref": p, "name": name, "purl": p });
            if let Some(v) = parts.and_then(|x| x.version) {
                c["version"] = json!(v);
            }
            components.insert(p.clone(), c);
        }
        Some(p.clone())
    };

    let mut vulns = Vec::new();
    for (n, s) in statements.iter().enumerate() {
        let mut affects: Vec<String> = Vec::new();
        for p in &s.products {
            let product_bom = p.id.iri.as_deref().filter(|i| split_bom_link(i).is_some());
            if p.subcomponents.is_empty() {
                // The product itself: its `metadata.component` in its SBOM.
                let product_ref = product_bom.and_then(|b| {
                    releases
                        .iter()
                        .find(|r| r.bom.as_deref() == Some(b))
                        .and_then(|r| r.bom_ref.as_deref())
                        .map(|r| link_into(b, r))
                });
                match product_ref {
                    Some(link) => affects.push(link),
                    None => affects.extend(embed(&p.id)),
                }
            }
            for c in &p.subcomponents {
                match c.iri.as_deref().filter(|i| split_bom_link(i).is_some()) {
                    Some(link) => affects.push(link.to_string()),
                    None => affects.extend(embed(c)),
                }
            }
        }
        affects.sort();
        affects.dedup();
        let v = &s.vulnerability;
        let mut out = Map::new();
        out.insert("bom-ref".into(), json!(format!("vex-{}-{}", v.id, n + 1)));
        out.insert("id".into(), json!(v.id));
        let is_rustsec = v.id.starts_with("RUSTSEC-");
        let source_url = v.url.clone().or_else(|| {
            is_rustsec.then(|| format!("https://rustsec.org/advisories/{}.html", v.id))
        });
        let mut source = Map::new();
        source.insert(
            "name".into(),
            json!(if is_rustsec {
                "RustSec"
            } else {
                source_name(&v.id)
            }),
        );
        if let Some(u) = &source_url {
            source.insert("url".into(), json!(u));
        }
        out.insert("source".into(), Value::Object(source));
        let mut aliases: Vec<&String> = v.aliases.iter().filter(|a| **a != v.id).collect();
        aliases.sort();
        aliases.dedup();
        if !aliases.is_empty() {
            let refs: Vec<Value> = aliases
                .iter()
                .map(|a| {
                    let mut src = json!({ "name": source_name(a) });
                    if let Some(u) = alias_url(a) {
                        src["url"] = json!(u);
                    }
                    json!({ "id": a, "source": src })
                })
                .collect();
            out.insert("references".into(), Value::Array(refs));
        }
        if let Some(c) = &v.cvss
            && let Some(method) = cvss_method(&c.vector)
        {
            out.insert(
                "ratings".into(),
                json!([{
                    "source": { "name": "RustSec" },
                    "score": c.score,
                    "severity": c.severity.to_ascii_lowercase(),
                    "method": method,
                    "vector": c.vector,
                }]),
            );
        }
        if let Some(d) = &v.description {
            out.insert("description".into(), json!(d));
        }
        let mut analysis = Map::new();
        analysis.insert("state".into(), json!(state(s.status)));
        if let Some(j) = s.justification {
            analysis.insert("justification".into(), json!(justification(j)));
        }
        let mut responses: Vec<&String> = s
            .responses
            .iter()
            .filter(|r| RESPONSES.contains(&r.as_str()))
            .collect();
        responses.sort();
        responses.dedup();
        if !responses.is_empty() {
            analysis.insert("response".into(), json!(responses));
        }
        let detail = match s.status {
            Status::NotAffected => s.impact_statement.clone(),
            Status::Affected => s.action_statement.clone(),
            _ => None,
        }
        .or_else(|| s.status_notes.clone());
        if let Some(d) = detail {
            analysis.insert("detail".into(), json!(d));
        }
        let first = s
            .first_issued
            .clone()
            .or(s.timestamp.clone())
            .unwrap_or(timestamp.clone());
        let last = s.timestamp.clone().unwrap_or(first.clone());
        analysis.insert("firstIssued".into(), json!(first));
        analysis.insert("lastUpdated".into(), json!(last));
        out.insert("analysis".into(), Value::Object(analysis));
        out.insert(
            "affects".into(),
            Value::Array(affects.into_iter().map(|r| json!({ "ref": r })).collect()),
        );
        if let Some(j) = s.justification {
            out.insert(
                "properties".into(),
                json!([{ "name": JUSTIFICATION_PROPERTY, "value": j.as_str() }]),
            );
        }
        vulns.push(Value::Object(out));
    }

    let mut metadata = Map::new();
    metadata.insert("timestamp".into(), json!(timestamp));
    metadata.insert(
        "tools".into(),
        json!({ "components": [{ "type": "application", "name": "cargo-cra", "version": crate::VERSION }] }),
    );
    if let Some(m) = manufacturer.filter(|m| !m.trim().is_empty()) {
        metadata.insert("manufacturer".into(), json!({ "name": m }));
    }
    let mut bom = Map::new();
    bom.insert("bomFormat".into(), json!("CycloneDX"));
    bom.insert("specVersion".into(), json!("1.6"));
    bom.insert("serialNumber".into(), json!(doc.id));
    bom.insert("version".into(), json!(1));
    bom.insert("metadata".into(), Value::Object(metadata));
    if !components.is_empty() {
        bom.insert(
            "components".into(),
            Value::Array(components.into_values().collect()),
        );
    }
    bom.insert("vulnerabilities".into(), Value::Array(vulns));
    let id_key = (!doc.id.starts_with("urn:uuid:")).then_some("serialNumber");
    super::finish_json(bom, id_key, "CycloneDX VEX")
}

/// `CVSSv3` / `CVSSv31` / `CVSSv4` for a vector, `None` for an unknown one.
fn cvss_method(vector: &str) -> Option<&'static str> {
    let v = vector.strip_prefix("CVSS:")?.split('/').next()?;
    Some(match v {
        "3.0" => "CVSSv3",
        "3.1" => "CVSSv31",
        "4.0" => "CVSSv4",
        _ => return None,
    })
}

/// The database an id comes from, by its prefix.
pub fn source_name(id: &str) -> &'static str {
    if id.starts_with("CVE-") {
        "NVD"
    } else if id.starts_with("GHSA-") {
        "GitHub"
    } else if id.starts_with("RUSTSEC-") {
        "RustSec"
    } else {
        "OSV"
    }
}

/// The page of an alias, when its database has one.
pub fn alias_url(id: &str) -> Option<String> {
    if id.starts_with("CVE-") {
        Some(format!("https://nvd.nist.gov/vuln/detail/{id}"))
    } else if id.starts_with("GHSA-") {
        Some(format!("https://github.com/advisories/{id}"))
    } else if id.starts_with("RUSTSEC-") {
        Some(format!("https://rustsec.org/advisories/{id}.html"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_links_split_and_join() {
        let l = bom_link(
            "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
            1,
            Some("pkg:cargo/x@1.0.0%2Bb"),
        );
        assert_eq!(
            l,
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:cargo/x@1.0.0%252Bb"
        );
        let (bom, frag) = split_bom_link(&l).unwrap();
        assert_eq!(bom, "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1");
        assert_eq!(frag.as_deref(), Some("pkg:cargo/x@1.0.0%2Bb"));
        assert!(split_bom_link("urn:cdx:nope/1#x").is_none());
        assert!(split_bom_link("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/0#x").is_none());
    }

    #[test]
    fn every_justification_maps_back() {
        for j in Justification::ALL {
            let back = justification_of(justification(*j)).unwrap();
            if *j != Justification::ComponentNotPresent {
                assert_eq!(back, *j);
            }
        }
        for s in Status::ALL {
            assert_eq!(status_of_state(state(*s)), Some(*s));
        }
    }
}
