//! `cargo cra report csaf`: a CSAF 2.0 security advisory (`csaf_security_advisory`) that
//! tells the product's users about the vulnerability, in a structured, machine-readable form
//! (CRA Art. 14(8)) and, once the update is out, discloses the fixed vulnerability (Annex I
//! Part II (4)). Built on the shared model in [`crate::csaf`]:
//!
//! - publisher: the manufacturer (`vendor`);
//! - tracking: the case id, `interim` until a fix is recorded, then `final`; the version and
//!   revision history are kept in the case file, so writing an unchanged advisory again gives
//!   the same document, and a changed one a new revision;
//! - product tree: the affected releases and the fixed versions under the manufacturer, the
//!   affected crates under their registry, with purls, and which crate is part of which
//!   release;
//! - the vulnerability: CVE, RustSec and other ids, CVSS v3, notes (description, summary,
//!   impact), `known_affected` and `fixed`, remediations (`vendor_fix` with the fixed
//!   version, mitigations), the exploit status, references.

use super::args::CsafArgs;
use super::case::{self, Case, CsafRevision, Kind, Tlp};
use super::{info, time as t};
use crate::csaf::{self as model, Csaf, ProductTreeBuilder};
use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;

/// Runs `report csaf`.
pub fn run(a: &CsafArgs, printer: &Printer) -> Result<u8> {
    let (root, policy) = info::root_and_policy(&a.ws)?;
    let mut c = case::find(&root, &a.case)?;
    if c.kind != Kind::Vulnerability {
        return Err(Error::other(format!(
            "case `{}` is an incident: a CSAF security advisory is about a vulnerability",
            c.id
        )));
    }
    let tlp = Tlp::parse(&a.tlp).ok_or_else(|| {
        Error::other(format!(
            "--tlp: `{}` is not a TLP label: use one of {}",
            a.tlp,
            Tlp::NAMES.join(", ")
        ))
    })?;
    let products = info::products(&a.ws, &policy)?;
    let now = crate::now()?;
    let (doc, new_revision) = build(&c, &products, tlp, now)?;
    if let Some(rev) = new_revision {
        // The case first: a failed write of the advisory is redone with the same revision.
        c.csaf_revisions.push(rev);
        case::save(&c)?;
    }
    let out = if a.output.is_dir() {
        a.output.join(model::file_name(&doc.document.tracking.id))
    } else {
        a.output.clone()
    };
    crate::fsutil::write_atomic(&out, &model::to_json(&doc)?)?;
    printer.status(
        "Wrote",
        format!(
            "{} (CSAF 2.0 security advisory, version {}, {}, TLP:{})",
            crate::output::display_path(&out),
            doc.document.tracking.version,
            doc.document.tracking.status,
            tlp.as_str().to_ascii_uppercase()
        ),
    );
    if c.releases.is_empty() {
        printer.warn(format!(
            "case `{}` records no affected release: the advisory lists no known_affected product",
            c.id
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn capitalized(s: &str) -> String {
    let mut ch = s.chars();
    match ch.next() {
        Some(f) => f.to_uppercase().chain(ch).collect(),
        None => String::new(),
    }
}

/// Builds the advisory; returns the revision to record when the content changed since the
/// last one written (or none was).
pub fn build(
    c: &Case,
    products: &[info::ProductInfo],
    tlp: Tlp,
    now: ::time::OffsetDateTime,
) -> Result<(Csaf, Option<CsafRevision>)> {
    let adv = c.advisory.clone().unwrap_or_default();
    let in_case = |p: &&info::ProductInfo| {
        c.products.iter().any(|q| q.name == p.name)
            || c.releases.iter().any(|r| r.product == p.name)
    };
    let manufacturer = products
        .iter()
        .filter(in_case)
        .chain(products.iter())
        .find_map(|p| p.meta.manufacturer.clone())
        .ok_or_else(|| {
            Error::other(format!(
                "case `{}`: the products name no manufacturer, the advisory's publisher (add `manufacturer` to [package.metadata.cra])",
                c.id
            ))
        })?;
    let publisher = model::vendor_publisher(&manufacturer).ok_or_else(|| {
        Error::other(format!(
            "case `{}`: the manufacturer needs a name and a url or email to publish a CSAF advisory",
            c.id
        ))
    })?;
    let vendor = publisher.name.clone();

    // Product tree: affected releases, fixed versions, the affected crates in them.
    let mut tree = ProductTreeBuilder::new();
    let mut affected: Vec<String> = Vec::new();
    for r in &c.releases {
        let id = tree.add_product(&vendor, &r.product, &r.version, Some(&r.purl));
        for comp in &r.components {
            if let Ok(cp) = crate::purl::cargo_parts(comp) {
                let cid = tree.add_component(&cp.name, &cp.version.to_string(), Some(comp));
                tree.add_component_of(&cid, &id);
            }
        }
        if !affected.contains(&id) {
            affected.push(id);
        }
    }
    let mut fixed: Vec<(String, String, String)> = Vec::new();
    if let Some(f) = &c.fix {
        for v in &f.versions {
            let purl = crate::purl::cargo(&v.product, &v.version, &crate::purl::CargoSource::Path);
            let id = tree.add_product(&vendor, &v.product, &v.version, Some(&purl));
            fixed.push((v.product.clone(), v.version.clone(), id));
        }
    }
    affected.sort();
    let fixed_ids: Vec<String> = {
        let mut v: Vec<String> = fixed.iter().map(|(_, _, id)| id.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let tree = (!tree.is_empty()).then(|| tree.build());

    // The vulnerability.
    let cve = std::iter::once(&adv.id)
        .chain(adv.aliases.iter())
        .find(|i| i.starts_with("CVE-"))
        .cloned();
    let mut ids: Vec<model::VulnId> = std::iter::once(&adv.id)
        .chain(adv.aliases.iter())
        .filter(|i| Some(*i) != cve.as_ref())
        .map(|i| model::VulnId {
            system_name: if i.starts_with("RUSTSEC-") {
                "RustSec".into()
            } else if i.starts_with("GHSA-") {
                "GitHub Security Advisory".into()
            } else {
                vendor.clone()
            },
            text: i.clone(),
        })
        .collect();
    ids.sort();
    ids.dedup();
    let mut notes = Vec::new();
    if let Some(d) = c
        .text("description")
        .map(str::to_string)
        .or(adv.description.clone())
    {
        notes.push(model::Note::new("description", "Description", d));
    }
    if let Some(s) = c.text("summary") {
        notes.push(model::Note::new("summary", "Summary", s));
    } else {
        notes.push(model::Note::new(
            "summary",
            "Summary",
            format!(
                "{}{}",
                c.title,
                adv.crate_name
                    .as_ref()
                    .map(|k| format!(" (in the `{k}` crate the product uses)"))
                    .unwrap_or_default()
            ),
        ));
    }
    if let Some(i) = c.text("impact") {
        notes.push(model::Note::new("details", "Impact", i));
    }
    let mut threats = vec![model::Threat {
        category: "exploit_status".into(),
        details: "Actively exploited: the manufacturer has reliable evidence that the vulnerability is being exploited (reported under Regulation (EU) 2024/2847, Art. 14).".into(),
        date: Some(model::date_time(c.aware_at)?),
        product_ids: affected.clone(),
        group_ids: Vec::new(),
    }];
    if let Some(i) = c.text("impact") {
        threats.push(model::Threat {
            category: "impact".into(),
            details: i.to_string(),
            date: None,
            product_ids: affected.clone(),
            group_ids: Vec::new(),
        });
    }
    threats.retain(|t| !t.product_ids.is_empty());
    let mut remediations = Vec::new();
    if let Some(f) = &c.fix {
        for (product, version, _) in &fixed {
            let needing: Vec<String> = c
                .releases
                .iter()
                .filter(|r| &r.product == product)
                .map(|r| model::tree::product_id(&r.product, &r.version))
                .collect();
            if needing.is_empty() {
                continue;
            }
            let mut details = format!("Update {product} to version {version} or later.");
            if let Some(d) = &f.description {
                details.push(' ');
                details.push_str(d);
            }
            remediations.push(model::Remediation {
                category: "vendor_fix".into(),
                details,
                date: Some(model::date_time(f.available_at)?),
                product_ids: needing,
                group_ids: Vec::new(),
                url: f.url.clone(),
                restart_required: None,
            });
        }
    }
    for m in &c.mitigations {
        if affected.is_empty() {
            break;
        }
        remediations.push(model::Remediation {
            category: "mitigation".into(),
            details: m.text.clone(),
            date: m.available_at.map(model::date_time).transpose()?,
            product_ids: affected.clone(),
            group_ids: Vec::new(),
            url: None,
            restart_required: None,
        });
    }
    if remediations.is_empty() && !affected.is_empty() {
        remediations.push(model::Remediation {
            category: "none_available".into(),
            details: "No fix or mitigation is available yet; this advisory will be updated.".into(),
            date: None,
            product_ids: affected.clone(),
            group_ids: Vec::new(),
            url: None,
            restart_required: None,
        });
    }
    let scores = match (&adv.cvss, adv.cvss_score, &adv.severity) {
        (Some(v), Some(s), Some(sev)) if !affected.is_empty() => model::cvss_v3(v, s, sev)
            .map(|o| {
                vec![model::Score {
                    products: affected.clone(),
                    cvss_v3: Some(o),
                    cvss_v2: None,
                }]
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut references = Vec::new();
    if let Some(u) = &adv.url {
        references.push(model::Reference {
            category: Some("external".into()),
            summary: format!("Advisory {}", adv.id),
            url: u.clone(),
        });
    }
    if adv.id.starts_with("RUSTSEC-") {
        let u = format!("https://rustsec.org/advisories/{}.html", adv.id);
        if adv.url.as_deref() != Some(&u) {
            references.push(model::Reference {
                category: Some("external".into()),
                summary: format!("RustSec advisory {}", adv.id),
                url: u,
            });
        }
    }
    if let Some(cv) = &cve {
        references.push(model::Reference {
            category: Some("external".into()),
            summary: format!("{cv} in the CVE list"),
            url: format!("https://www.cve.org/CVERecord?id={cv}"),
        });
    }
    if let Some(u) = c.fix.as_ref().and_then(|f| f.url.clone()) {
        references.push(model::Reference {
            category: Some("external".into()),
            summary: "Security update".into(),
            url: u,
        });
    }
    let vulnerability = model::Vulnerability {
        cve,
        ids,
        title: adv.title.clone().or_else(|| Some(c.title.clone())),
        release_date: adv
            .published
            .as_deref()
            .and_then(crate::policy::parse_date)
            .map(|d| model::date_time(d.midnight().assume_utc()))
            .transpose()?,
        discovery_date: None,
        notes,
        product_status: Some(model::ProductStatus {
            fixed: fixed_ids.clone(),
            known_affected: affected.clone(),
            recommended: fixed_ids.clone(),
            ..Default::default()
        })
        .filter(|s| !s.is_empty()),
        flags: Vec::new(),
        threats,
        remediations,
        scores,
        references: Vec::new(),
    };

    // Document-level references: the manufacturer's site when the advisory has none.
    let mut doc_refs = references;
    if doc_refs.is_empty()
        && let Some(u) = manufacturer.url.clone()
    {
        doc_refs.push(model::Reference {
            category: Some("external".into()),
            summary: format!("{vendor} security information"),
            url: u,
        });
    }
    let (label, strict_text) = match tlp {
        Tlp::Clear => ("WHITE", None),
        Tlp::Green => ("GREEN", None),
        Tlp::Amber => ("AMBER", None),
        Tlp::AmberStrict => (
            "AMBER",
            Some("TLP:AMBER+STRICT: share only within the recipient's organisation.".to_string()),
        ),
        Tlp::Red => ("RED", None),
    };
    let mut doc = Csaf {
        document: model::Document {
            category: "csaf_security_advisory".into(),
            csaf_version: model::CSAF_VERSION.into(),
            title: format!("{}: {}", adv.id, c.title),
            publisher,
            tracking: model::Tracking::default(),
            lang: Some("en".into()),
            notes: vec![model::Note::new(
                "summary",
                "Summary",
                format!(
                    "{vendor} informs the users of {} about an actively exploited vulnerability, {}.{}",
                    {
                        let mut names: Vec<&str> =
                            c.releases.iter().map(|r| r.product.as_str()).collect();
                        names.extend(c.products.iter().map(|p| p.name.as_str()));
                        names.sort();
                        names.dedup();
                        if names.is_empty() {
                            "its products".to_string()
                        } else {
                            names.join(", ")
                        }
                    },
                    adv.id,
                    match &c.fix {
                        Some(f) => format!(
                            " A security update is available since {}.",
                            t::rfc3339(f.available_at)
                        ),
                        None => " No security update is available yet.".to_string(),
                    }
                ),
            )],
            references: doc_refs,
            distribution: Some(model::Distribution {
                text: strict_text,
                tlp: Some(model::Tlp {
                    label: label.into(),
                    url: Some("https://www.first.org/tlp/".into()),
                }),
            }),
            aggregate_severity: adv.severity.as_ref().map(|s| model::AggregateSeverity {
                text: capitalized(s),
                namespace: None,
            }),
        },
        product_tree: tree,
        vulnerabilities: vec![vulnerability],
    };

    // Tracking: a new revision only when the content changed.
    let content = model::to_json(&doc)?;
    let hash = crate::fsutil::sha256_hex(&content);
    let status = if c.fix.is_some() { "final" } else { "interim" };
    let last = c.csaf_revisions.last();
    let (revisions, new_rev) = match last {
        Some(l) if l.content_sha256 == hash => (c.csaf_revisions.clone(), None),
        _ => {
            let rev = CsafRevision {
                number: last.map_or(1, |l| l.number + 1),
                date: now.max(last.map_or(now, |l| l.date)),
                summary: match (last, &c.fix) {
                    (None, _) => "Initial version.".to_string(),
                    (Some(l), Some(f)) if f.available_at > l.date => {
                        format!(
                            "Security update available ({}).",
                            f.versions
                                .iter()
                                .map(|v| format!("{} {}", v.product, v.version))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                    _ => "Updated.".to_string(),
                },
                content_sha256: hash,
            };
            let mut all = c.csaf_revisions.clone();
            all.push(rev.clone());
            (all, Some(rev))
        }
    };
    let first = revisions.first().expect("at least one revision");
    let current = revisions.last().expect("at least one revision");
    doc.document.tracking = model::Tracking {
        id: c.id.clone(),
        status: status.into(),
        version: current.number.to_string(),
        revision_history: revisions
            .iter()
            .map(|r| {
                Ok(model::Revision {
                    date: model::date_time(r.date)?,
                    number: r.number.to_string(),
                    summary: r.summary.clone(),
                })
            })
            .collect::<Result<_>>()?,
        initial_release_date: model::date_time(first.date)?,
        current_release_date: model::date_time(current.date)?,
        generator: Some(model::Generator {
            engine: model::Engine {
                name: "cargo-cra".into(),
                version: Some(crate::VERSION.into()),
            },
            date: Some(model::date_time(current.date)?),
        }),
        aliases: Vec::new(),
    };
    Ok((doc, new_rev))
}
