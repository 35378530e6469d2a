//! CSAF 2.0 with the VEX profile (`csaf_vex`), reader and writer, on the document model of
//! [`crate::csaf`].
//!
//! The writer builds the product tree from the releases (vendor = manufacturer → product name
//! → version, purl as identification helper) and the components statements are about (vendor
//! = their source → crate → version), with a `default_component_of` relationship per
//! component and release; statuses refer to those relationships. Per vulnerability:
//! `product_status` (`fixed`, `known_affected`, `known_not_affected`,
//! `under_investigation`), a flag per justification for `known_not_affected`, impact threats
//! for not-affected statements without a justification, a remediation for every affected
//! product (`vendor_fix` when a fixed version exists, else `mitigation` with the action
//! statement, else `none_available`), the CVSS v3 score, notes and references. CI validates
//! the result with BSI's csaf-validator-lib (strict schema plus every mandatory test).
//!
//! The reader takes any CSAF 2.0 document with vulnerabilities (`csaf_vex`,
//! `csaf_security_advisory`) and turns each (vulnerability, product) into a statement; a
//! relationship product becomes the release with the component as subcomponent.

use super::{
    Format, Identifier, Justification, Product, Statement, Status, VexDocument, Vulnerability,
};
use crate::csaf::{
    Csaf, Document, Engine, Flag, Generator, Note, ProductStatus, ProductTree, ProductTreeBuilder,
    Publisher, Reference, Remediation, Revision, Score, Threat, Tlp, Tracking, VulnId,
};
use crate::error::{Error, Result};
use camino::Utf8Path;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A product release for the product tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Purl.
    pub purl: String,
}

/// What the writer needs besides the statements.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// The publisher (the manufacturer).
    pub publisher: Publisher,
    /// Title of the document.
    pub title: String,
    /// The product releases the document covers (each gets a branch even without statements).
    pub releases: Vec<Release>,
}

/// Reads a CSAF document (already parsed as JSON).
pub fn from_value(path: &Utf8Path, v: &Value) -> Result<VexDocument> {
    let doc: Csaf = serde_json::from_value(v.clone()).map_err(|e| {
        Error::malformed(
            path,
            format!("not a valid CSAF document: {}", user_words(&e.to_string())),
        )
    })?;
    if doc.document.csaf_version != "2.0" {
        return Err(Error::malformed(
            path,
            format!(
                "CSAF version `{}` is not supported (expected 2.0)",
                doc.document.csaf_version
            ),
        ));
    }
    if doc.vulnerabilities.is_empty() {
        return Err(Error::malformed(
            path,
            "CSAF document has no `vulnerabilities`: nothing to read as VEX",
        ));
    }
    let empty = ProductTree::default();
    let tree = doc.product_tree.as_ref().unwrap_or(&empty);
    let purl_of = |id: &str| -> Identifier {
        match tree
            .product(id)
            .and_then(|p| p.product_identification_helper.as_ref())
            .and_then(|h| h.purl.clone())
        {
            Some(p) => Identifier::purl(p),
            // No purl: an id local to this document, which matches no finding.
            None => Identifier::iri(format!("csaf:{}#{id}", doc.document.tracking.id)),
        }
    };
    let product_of = |id: &str| -> Result<Product> {
        if tree.product(id).is_none() {
            return Err(Error::malformed(
                path,
                format!(
                    "product id `{id}` is used in a product status but not defined in `product_tree`"
                ),
            ));
        }
        Ok(match tree.relationship(id) {
            Some(r) => Product {
                id: purl_of(&r.relates_to_product_reference),
                subcomponents: vec![purl_of(&r.product_reference)],
            },
            None => Product {
                id: purl_of(id),
                subcomponents: Vec::new(),
            },
        })
    };
    let expand = |ids: &[String], groups: &[String]| -> BTreeSet<String> {
        let mut out: BTreeSet<String> = ids.iter().cloned().collect();
        for g in groups {
            out.extend(tree.group(g).unwrap_or_default().iter().cloned());
        }
        out
    };
    let when = |d: &Option<String>| d.clone().filter(|d| super::parse_time(d).is_some());

    let mut statements = Vec::new();
    for (i, vu) in doc.vulnerabilities.iter().enumerate() {
        let mut ids: Vec<String> = vu.ids.iter().map(|x| x.text.trim().to_string()).collect();
        if let Some(c) = &vu.cve {
            ids.insert(0, c.trim().to_string());
        }
        // The RustSec id first when there is one: that is what our findings are named by.
        if let Some(pos) = ids.iter().position(|x| x.starts_with("RUSTSEC-")) {
            let r = ids.remove(pos);
            ids.insert(0, r);
        }
        let Some((id, aliases)) = ids.split_first() else {
            return Err(Error::malformed(
                path,
                format!(
                    "`vulnerabilities[{i}]` has neither `cve` nor `ids`: which vulnerability is it?"
                ),
            ));
        };
        let description = vu.title.clone().or_else(|| {
            vu.notes
                .iter()
                .find(|n| n.category == "description")
                .map(|n| n.text.clone())
        });
        let url = vu.references.first().map(|r| r.url.clone());
        let ps = vu.product_status.clone().unwrap_or_default();
        let lists: [(Status, Vec<&String>); 4] = [
            (
                Status::Fixed,
                ps.fixed.iter().chain(&ps.first_fixed).collect(),
            ),
            (
                Status::Affected,
                ps.known_affected
                    .iter()
                    .chain(&ps.first_affected)
                    .chain(&ps.last_affected)
                    .collect(),
            ),
            (Status::NotAffected, ps.known_not_affected.iter().collect()),
            (
                Status::UnderInvestigation,
                ps.under_investigation.iter().collect(),
            ),
        ];
        for (status, pids) in lists {
            for pid in pids {
                let product = product_of(pid)?;
                let flag = vu
                    .flags
                    .iter()
                    .find(|f| expand(&f.product_ids, &f.group_ids).contains(pid));
                let justification = match flag {
                    Some(f) => Some(Justification::from_name(&f.label).ok_or_else(|| {
                        Error::malformed(
                            path,
                            format!(
                                "flag label `{}` in `vulnerabilities[{i}]` is not one of {}",
                                f.label,
                                super::justification_names()
                            ),
                        )
                    })?),
                    None => None,
                };
                let impact = vu
                    .threats
                    .iter()
                    .find(|t| {
                        t.category == "impact" && expand(&t.product_ids, &t.group_ids).contains(pid)
                    })
                    .map(|t| t.details.clone());
                let remediation = vu
                    .remediations
                    .iter()
                    .find(|r| expand(&r.product_ids, &r.group_ids).contains(pid));
                if status == Status::NotAffected && justification.is_none() && impact.is_none() {
                    return Err(Error::malformed(
                        path,
                        format!(
                            "product `{pid}` is known_not_affected by `vulnerabilities[{i}]` without a flag or an impact statement (why is it not affected?)"
                        ),
                    ));
                }
                let mut st = Statement::new(
                    Vulnerability {
                        id: id.clone(),
                        aliases: aliases.to_vec(),
                        description: description.clone(),
                        url: url.clone(),
                        cvss: None,
                    },
                    vec![product],
                    status,
                );
                st.justification = justification;
                st.impact_statement = impact;
                st.action_statement = remediation.map(|r| r.details.clone());
                if remediation.is_some_and(|r| r.category == "vendor_fix") {
                    st.responses.push("update".into());
                }
                st.timestamp = flag
                    .and_then(|f| when(&f.date))
                    .or_else(|| remediation.and_then(|r| when(&r.date)));
                statements.push(st);
            }
        }
    }
    Ok(VexDocument {
        path: path.to_path_buf(),
        format: Format::Csaf,
        id: doc.document.tracking.id.clone(),
        author: doc.document.publisher.name.clone(),
        timestamp: Some(doc.document.tracking.current_release_date.clone()),
        statements,
    })
}

/// serde's words without Rust type names.
fn user_words(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut words = msg.split(' ').peekable();
    while let Some(w) = words.next() {
        if w == "struct" || w == "enum" {
            // "expected struct Publisher" -> "expected an object"
            words.next();
            out.push_str(if w == "struct" {
                "an object"
            } else {
                "one of the allowed values"
            });
        } else if w == "sequence" {
            out.push_str("list");
        } else if w == "map" {
            out.push_str("object");
        } else {
            out.push_str(w);
        }
        out.push(' ');
    }
    out.trim_end().to_string()
}

/// Builds the CSAF VEX document for `doc`'s statements.
pub fn build(doc: &VexDocument, opts: &WriteOptions) -> Result<Csaf> {
    let now = match &doc.timestamp {
        Some(t) => t.clone(),
        None => super::now_rfc3339()?,
    };
    let vendor = opts.publisher.name.clone();
    let mut tree = ProductTreeBuilder::new();
    let mut release_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut releases = opts.releases.clone();
    releases.sort();
    for r in &releases {
        let id = tree.add_product(&vendor, &r.name, &r.version, Some(&r.purl));
        release_ids.insert(r.purl.clone(), id);
    }
    // Resolve a statement product to the ids its status applies to.
    let mut resolve = |p: &Product| -> Vec<String> {
        let product_node = |id: &Identifier, tree: &mut ProductTreeBuilder| -> Option<String> {
            let purl = id.purl.as_deref()?;
            if let Some(pid) = release_ids
                .iter()
                .find(|(rp, _)| super::purl_matches(rp, purl) && super::purl_matches(purl, rp))
                .map(|(_, i)| i.clone())
            {
                return Some(pid);
            }
            let parts = crate::purl::parse(purl)?;
            let version = parts
                .version
                .clone()
                .unwrap_or_else(|| "unspecified".into());
            Some(tree.add_component(&parts.name, &version, Some(purl)))
        };
        let Some(pid) = product_node(&p.id, &mut tree) else {
            return Vec::new();
        };
        if p.subcomponents.is_empty() {
            return vec![pid];
        }
        p.subcomponents
            .iter()
            .filter_map(|c| {
                let cid = product_node(c, &mut tree)?;
                Some(tree.add_component_of(&cid, &pid))
            })
            .collect()
    };

    // vulnerability id → (the vulnerability, product id → statement), the latest statement
    // per product winning.
    let mut statements: Vec<&Statement> = doc.statements.iter().collect();
    statements.sort_by_key(|s| s.timestamp.as_deref().and_then(super::parse_time));
    let mut by_vuln: BTreeMap<String, (Vulnerability, BTreeMap<String, &Statement>)> =
        BTreeMap::new();
    for s in statements {
        let entry = by_vuln
            .entry(s.vulnerability.id.clone())
            .or_insert_with(|| (s.vulnerability.clone(), BTreeMap::new()));
        for a in &s.vulnerability.aliases {
            if !entry.0.aliases.contains(a) {
                entry.0.aliases.push(a.clone());
            }
        }
        if entry.0.cvss.is_none() {
            entry.0.cvss = s.vulnerability.cvss.clone();
        }
        for p in &s.products {
            for id in resolve(p) {
                entry.1.insert(id, s);
            }
        }
    }

    let mut used_cves = BTreeSet::new();
    let mut vulnerabilities = Vec::new();
    for (vid, (v, products)) in by_vuln {
        if products.is_empty() {
            continue;
        }
        let mut all_ids: Vec<String> = std::iter::once(vid.clone())
            .chain(v.aliases.iter().cloned())
            .collect();
        all_ids.sort();
        all_ids.dedup();
        let cve = all_ids
            .iter()
            .find(|i| i.starts_with("CVE-") && !used_cves.contains(*i))
            .cloned();
        if let Some(c) = &cve {
            used_cves.insert(c.clone());
        }
        let ids: Vec<VulnId> = all_ids
            .iter()
            .filter(|i| Some(*i) != cve.as_ref())
            .map(|i| VulnId {
                system_name: system_name(i).to_string(),
                text: i.clone(),
            })
            .collect();
        let mut status = ProductStatus::default();
        let mut flags: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        let mut threats: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut remediations: BTreeMap<(&'static str, String), Vec<String>> = BTreeMap::new();
        for (pid, s) in &products {
            match s.status {
                Status::Fixed => status.fixed.push(pid.clone()),
                Status::Affected => {
                    status.known_affected.push(pid.clone());
                    let (cat, details) = match (
                        &s.action_statement,
                        s.responses.iter().any(|r| r == "update"),
                    ) {
                        (Some(a), true) => ("vendor_fix", a.clone()),
                        (Some(a), false) => ("mitigation", a.clone()),
                        (None, true) => ("vendor_fix", "Update to a fixed version.".to_string()),
                        (None, false) => (
                            "none_available",
                            "No remediation is available yet.".to_string(),
                        ),
                    };
                    remediations
                        .entry((cat, details))
                        .or_default()
                        .push(pid.clone());
                }
                Status::NotAffected => {
                    status.known_not_affected.push(pid.clone());
                    if let Some(j) = s.justification {
                        flags.entry(j.as_str()).or_default().push(pid.clone());
                    }
                    if let Some(i) = &s.impact_statement {
                        threats.entry(i.clone()).or_default().push(pid.clone());
                    } else if s.justification.is_none() {
                        threats
                            .entry("Not affected.".to_string())
                            .or_default()
                            .push(pid.clone());
                    }
                }
                Status::UnderInvestigation => status.under_investigation.push(pid.clone()),
            }
        }
        let scored: Vec<String> =
            if status.known_affected.is_empty() && status.under_investigation.is_empty() {
                products.keys().cloned().collect()
            } else {
                status
                    .known_affected
                    .iter()
                    .chain(&status.under_investigation)
                    .cloned()
                    .collect()
            };
        let scores = v
            .cvss
            .as_ref()
            .and_then(|c| crate::csaf::cvss_v3(&c.vector, c.score, &c.severity))
            .map(|c| Score {
                products: scored,
                cvss_v3: Some(c),
                cvss_v2: None,
            })
            .into_iter()
            .collect();
        let url = v.url.clone().or_else(|| super::cyclonedx::alias_url(&vid));
        let text = v
            .description
            .clone()
            .unwrap_or_else(|| format!("Vulnerability {vid}."));
        vulnerabilities.push(crate::csaf::Vulnerability {
            cve,
            ids,
            title: v.description.clone(),
            release_date: None,
            discovery_date: None,
            notes: vec![Note::new("description", "Vulnerability description", text)],
            product_status: Some(status),
            flags: flags
                .into_iter()
                .map(|(label, product_ids)| Flag {
                    label: label.to_string(),
                    date: None,
                    product_ids,
                    group_ids: Vec::new(),
                })
                .collect(),
            threats: threats
                .into_iter()
                .map(|(details, product_ids)| Threat {
                    category: "impact".into(),
                    details,
                    date: None,
                    product_ids,
                    group_ids: Vec::new(),
                })
                .collect(),
            remediations: remediations
                .into_iter()
                .map(|((category, details), product_ids)| Remediation {
                    category: category.to_string(),
                    details,
                    date: None,
                    product_ids,
                    group_ids: Vec::new(),
                    url: None,
                    restart_required: None,
                })
                .collect(),
            scores,
            references: url
                .map(|u| Reference {
                    category: Some("external".into()),
                    summary: format!("Advisory {vid}"),
                    url: u,
                })
                .into_iter()
                .collect(),
        });
    }

    let mut csaf = Csaf {
        document: Document {
            category: "csaf_vex".into(),
            csaf_version: crate::csaf::CSAF_VERSION.into(),
            title: opts.title.clone(),
            publisher: opts.publisher.clone(),
            tracking: Tracking {
                id: doc.id.clone(),
                status: "final".into(),
                version: "1".into(),
                revision_history: vec![Revision {
                    date: now.clone(),
                    number: "1".into(),
                    summary: "Initial version.".into(),
                }],
                initial_release_date: now.clone(),
                current_release_date: now.clone(),
                generator: Some(Generator {
                    engine: Engine {
                        name: "cargo-cra".into(),
                        version: Some(crate::VERSION.into()),
                    },
                    date: Some(now.clone()),
                }),
                aliases: Vec::new(),
            },
            lang: Some("en".into()),
            notes: vec![Note::new(
                "summary",
                "About this document",
                "The exploitability status of known vulnerabilities (RustSec advisories) in the listed product releases and their components, written by cargo-cra from the manufacturer's triage. Statuses the manufacturer did not decide are under investigation.",
            )],
            references: Vec::new(),
            distribution: Some(crate::csaf::Distribution {
                text: None,
                tlp: Some(Tlp {
                    label: "WHITE".into(),
                    url: Some("https://www.first.org/tlp/".into()),
                }),
            }),
            aggregate_severity: None,
        },
        product_tree: Some(tree.build()),
        vulnerabilities,
    };
    if csaf.document.tracking.id.is_empty() {
        let digest = crate::fsutil::sha256_hex(&crate::csaf::to_json(&csaf)?);
        csaf.document.tracking.id = format!("cargo-cra-vex-{}", &digest[..16]);
    }
    Ok(csaf)
}

/// Writes the CSAF VEX document as JSON ([`build`], then [`crate::csaf::to_json`]).
pub fn to_json(doc: &VexDocument, opts: &WriteOptions) -> Result<Vec<u8>> {
    crate::csaf::to_json(&build(doc, opts)?)
}

/// CSAF's `system_name` for an id.
fn system_name(id: &str) -> &'static str {
    if id.starts_with("RUSTSEC-") {
        "RustSec"
    } else if id.starts_with("GHSA-") {
        "GitHub Security Advisories"
    } else if id.starts_with("CVE-") {
        "CVE"
    } else {
        "OSV"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_words_become_user_words() {
        assert_eq!(
            user_words("invalid type: string \"x\", expected struct Publisher"),
            "invalid type: string \"x\", expected an object"
        );
    }
}
