//! The CSAF 2.0 document model (OASIS Common Security Advisory Framework, the JSON schema
//! `https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json`) and the product-tree
//! builder, shared by the VEX profile writer/reader ([`crate::vex`]'s `csaf` module) and the
//! security advisory of `cargo cra report csaf`.
//!
//! The types serialize to exactly the strict schema: optional parts are left out when empty
//! (the schema requires every array it has to be non-empty), and nothing that the schema
//! does not define is written. Reading is lenient: members this model does not know are
//! ignored, so documents written by other tools (with acknowledgments, CVSS v2 scores,
//! product groups) still read.
//!
//! Product ids are stable and readable: `<name>@<version>` for a product release,
//! `<crate>@<version>` (with the source when it is not crates.io) for a component, and
//! `<component id> in <product id>` for the relationship that says the component is part of
//! the release. Statuses in a VEX document refer to the relationship ids, because a status
//! is about a component as it is shipped in one release.

pub mod tree;

pub use tree::{ProductTreeBuilder, component_id, product_id};

use serde::{Deserialize, Serialize};

/// The CSAF version this model writes.
pub const CSAF_VERSION: &str = "2.0";

/// A whole CSAF document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Csaf {
    /// Document-level metadata.
    pub document: Document,
    /// The products the document talks about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_tree: Option<ProductTree>,
    /// The vulnerabilities and their status per product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Vulnerability>,
}

/// `document`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// `csaf_vex`, `csaf_security_advisory`, `csaf_base`, ...
    pub category: String,
    /// Always `2.0`.
    pub csaf_version: String,
    /// Title of the document.
    pub title: String,
    /// Who issues the document.
    pub publisher: Publisher,
    /// Id, status, versions and revision history.
    pub tracking: Tracking,
    /// Language (`en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Document-level notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Document-level references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Distribution rules (TLP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
    /// Overall severity, free text (e.g. `High`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate_severity: Option<AggregateSeverity>,
}

/// `document.publisher`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Publisher {
    /// `vendor` for a manufacturer (also `coordinator`, `discoverer`, `other`, `translator`,
    /// `user`).
    pub category: String,
    /// Name of the publisher.
    pub name: String,
    /// The publisher's web address (a URI, required by the schema).
    pub namespace: String,
    /// How to reach the publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_details: Option<String>,
    /// Why the publisher may issue this document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_authority: Option<String>,
}

/// `document.tracking`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tracking {
    /// Unique id of the document within the publisher's namespace.
    pub id: String,
    /// `draft`, `interim` or `final`.
    pub status: String,
    /// Document version (integer versioning: `1`, `2`, ...).
    pub version: String,
    /// Every released version, oldest first.
    pub revision_history: Vec<Revision>,
    /// First release, RFC 3339.
    pub initial_release_date: String,
    /// This release, RFC 3339.
    pub current_release_date: String,
    /// The tool that wrote the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
    /// Other ids of the document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// One entry of `revision_history`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// When, RFC 3339.
    pub date: String,
    /// The version it produced.
    pub number: String,
    /// What changed.
    pub summary: String,
}

/// `tracking.generator`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    /// The engine.
    pub engine: Engine,
    /// When the document was generated, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// `tracking.generator.engine`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Engine {
    /// `cargo-cra`.
    pub name: String,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A note (document- or vulnerability-level).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// `description`, `details`, `faq`, `general`, `legal_disclaimer`, `other`, `summary`.
    pub category: String,
    /// The text.
    pub text: String,
    /// A title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who the note is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

impl Note {
    /// A note with a title.
    pub fn new(category: &str, title: &str, text: impl Into<String>) -> Note {
        Note {
            category: category.to_string(),
            text: text.into(),
            title: Some(title.to_string()),
            audience: None,
        }
    }
}

/// A reference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// `external` or `self`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// What it is.
    pub summary: String,
    /// Where.
    pub url: String,
}

/// `document.distribution`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Free-text rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Traffic Light Protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlp: Option<Tlp>,
}

/// `distribution.tlp`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tlp {
    /// `WHITE`, `GREEN`, `AMBER`, `RED` (TLP 1.0 labels, as CSAF 2.0 defines them).
    pub label: String,
    /// Where the TLP version is defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `document.aggregate_severity`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AggregateSeverity {
    /// The severity (`Critical`, `High`, ...).
    pub text: String,
    /// The scheme it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `product_tree`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductTree {
    /// The vendor / product name / version hierarchy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// Products outside the hierarchy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub full_product_names: Vec<FullProductName>,
    /// Components as part of products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Relationship>,
    /// Named groups of product ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_groups: Vec<ProductGroup>,
}

impl ProductTree {
    /// Every product defined in the tree (branches, full product names, relationships), in
    /// document order.
    pub fn products(&self) -> Vec<&FullProductName> {
        fn walk<'a>(b: &'a [Branch], out: &mut Vec<&'a FullProductName>) {
            for br in b {
                if let Some(p) = &br.product {
                    out.push(p);
                }
                walk(&br.branches, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.branches, &mut out);
        out.extend(self.full_product_names.iter());
        out.extend(self.relationships.iter().map(|r| &r.full_product_name));
        out
    }

    /// The product with this id.
    pub fn product(&self, id: &str) -> Option<&FullProductName> {
        self.products().into_iter().find(|p| p.product_id == id)
    }

    /// The relationship that defines this id.
    pub fn relationship(&self, id: &str) -> Option<&Relationship> {
        self.relationships
            .iter()
            .find(|r| r.full_product_name.product_id == id)
    }

    /// The product ids of a group.
    pub fn group(&self, id: &str) -> Option<&[String]> {
        self.product_groups
            .iter()
            .find(|g| g.group_id == id)
            .map(|g| g.product_ids.as_slice())
    }
}

/// A branch of the product tree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    /// `vendor`, `product_name`, `product_version`, `product_family`, ...
    pub category: String,
    /// The vendor's, product's or version's name.
    pub name: String,
    /// Sub-branches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// The product at a leaf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<FullProductName>,
}

/// `full_product_name`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FullProductName {
    /// Its id, referenced by statuses, flags, remediations.
    pub product_id: String,
    /// Human-readable name.
    pub name: String,
    /// How to identify it (purl).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_identification_helper: Option<IdentificationHelper>,
}

/// `product_identification_helper`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentificationHelper {
    /// Package URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// CPE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// Links to SBOMs that describe the product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sbom_urls: Vec<String>,
}

/// A relationship between two products (`default_component_of`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Relationship {
    /// `default_component_of`, `optional_component_of`, `installed_on`, ...
    pub category: String,
    /// The combined product this relationship defines.
    pub full_product_name: FullProductName,
    /// The component.
    pub product_reference: String,
    /// The product it is part of.
    pub relates_to_product_reference: String,
}

/// A product group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductGroup {
    /// Its id.
    pub group_id: String,
    /// Members.
    pub product_ids: Vec<String>,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// One vulnerability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The CVE id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cve: Option<String>,
    /// Other ids (RustSec, GHSA).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<VulnId>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When it was first published, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<String>,
    /// When it was discovered, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_date: Option<String>,
    /// Notes (description, impact).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Status per product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_status: Option<ProductStatus>,
    /// Machine-readable justifications for `known_not_affected`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Impact statements and other threats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Threat>,
    /// Fixes, mitigations, workarounds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediations: Vec<Remediation>,
    /// CVSS scores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<Score>,
    /// References.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
}

/// `ids[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VulnId {
    /// `RustSec`, `GHSA`, ...
    pub system_name: String,
    /// The id.
    pub text: String,
}

/// `product_status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductStatus {
    /// Fixed in these products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// First version with the fix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_fixed: Vec<String>,
    /// Affected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_affected: Vec<String>,
    /// Not affected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_not_affected: Vec<String>,
    /// First affected version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_affected: Vec<String>,
    /// Last affected version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_affected: Vec<String>,
    /// Recommended versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recommended: Vec<String>,
    /// Under investigation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub under_investigation: Vec<String>,
}

impl ProductStatus {
    /// No product in any status.
    pub fn is_empty(&self) -> bool {
        self.fixed.is_empty()
            && self.first_fixed.is_empty()
            && self.known_affected.is_empty()
            && self.known_not_affected.is_empty()
            && self.first_affected.is_empty()
            && self.last_affected.is_empty()
            && self.recommended.is_empty()
            && self.under_investigation.is_empty()
    }
}

/// `flags[]`: a machine-readable reason why products are not affected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// `component_not_present`, `vulnerable_code_not_present`, ... (see
    /// [`crate::vex::Justification`]).
    pub label: String,
    /// When the flag was set, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
    /// Product groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
}

/// `threats[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Threat {
    /// `impact`, `exploit_status`, `target_set`.
    pub category: String,
    /// The statement.
    pub details: String,
    /// When, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
    /// Product groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
}

/// `remediations[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Remediation {
    /// `vendor_fix`, `mitigation`, `workaround`, `none_available`, `no_fix_planned`.
    pub category: String,
    /// What to do.
    pub details: String,
    /// When, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
    /// Product groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// Where the fix is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Whether a restart is needed (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_required: Option<serde_json::Value>,
}

/// `scores[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Products the score applies to.
    pub products: Vec<String>,
    /// CVSS v3 object (`version`, `vectorString`, `baseScore`, `baseSeverity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v3: Option<serde_json::Value>,
    /// CVSS v2 object (read, never written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v2: Option<serde_json::Value>,
}

/// The CSAF `cvss_v3` object for a CVSS 3.x vector with its base score and severity, or
/// `None` when the vector is not CVSS 3.0/3.1 (CSAF 2.0 has no CVSS 4 field).
pub fn cvss_v3(vector: &str, score: f64, severity: &str) -> Option<serde_json::Value> {
    let version = vector
        .strip_prefix("CVSS:")?
        .split('/')
        .next()
        .filter(|v| *v == "3.0" || *v == "3.1")?;
    Some(serde_json::json!({
        "version": version,
        "vectorString": vector,
        "baseScore": score,
        "baseSeverity": severity.to_ascii_uppercase(),
    }))
}

/// RFC 3339 in UTC with second precision, as every date in our CSAF documents.
pub fn date_time(t: time::OffsetDateTime) -> crate::error::Result<String> {
    crate::sbom::document::format_timestamp(t)
}

/// Serializes a document as pretty JSON with a final newline (deterministic: the model's
/// field order and the caller's sorted vectors).
pub fn to_json(doc: &Csaf) -> crate::error::Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(doc).map_err(|e| {
        crate::error::Error::other(format!("failed to encode the CSAF document: {e}"))
    })?;
    out.push(b'\n');
    Ok(out)
}

/// A document's id as CSAF wants it for the file name (section 5.1): lowercase, every
/// character outside `[+\-a-z0-9]` replaced by `_`, plus `.json`.
pub fn file_name(tracking_id: &str) -> String {
    let mut s: String = tracking_id
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '+' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.push_str(".json");
    s
}

/// A publisher for a manufacturer: category `vendor`, the manufacturer's name, and as
/// namespace its web address (or, without one, a `mailto:` URI of its email, which is a valid
/// URI too). `None` when the metadata has neither a name nor a way to reach it.
pub fn vendor_publisher(m: &crate::checks::product::Manufacturer) -> Option<Publisher> {
    let name = m.name.clone().filter(|n| !n.trim().is_empty())?;
    let namespace = m
        .url
        .clone()
        .filter(|u| crate::sbom::components::is_url(u))
        .or_else(|| m.email.as_ref().map(|e| format!("mailto:{e}")))?;
    let contact = match (&m.email, &m.address) {
        (Some(e), Some(a)) => Some(format!("{e}, {a}")),
        (Some(e), None) => Some(e.clone()),
        (None, Some(a)) => Some(a.clone()),
        (None, None) => None,
    };
    Some(Publisher {
        category: "vendor".into(),
        name,
        namespace,
        contact_details: contact,
        issuing_authority: None,
    })
}

/// A document is useless without these; the readers use it to reject what is not CSAF.
pub fn is_csaf(v: &serde_json::Value) -> bool {
    v.pointer("/document/csaf_version").is_some()
}

/// `true` for a flag label CSAF 2.0 defines.
pub fn is_flag_label(s: &str) -> bool {
    FLAG_LABELS.contains(&s)
}

/// The flag labels of CSAF 2.0 (section 3.2.3.5), which are OpenVEX's justifications.
pub const FLAG_LABELS: [&str; 5] = [
    "component_not_present",
    "inline_mitigations_already_exist",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_not_present",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_object_from_vector() {
        let v = cvss_v3(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            9.8,
            "critical",
        )
        .unwrap();
        assert_eq!(v["version"], "3.1");
        assert_eq!(v["baseSeverity"], "CRITICAL");
        assert_eq!(v["baseScore"], 9.8);
        assert!(cvss_v3("CVSS:4.0/AV:N", 1.0, "low").is_none());
        assert!(cvss_v3("AV:N/AC:L", 1.0, "low").is_none());
    }

    #[test]
    fn file_names_follow_the_csaf_rule() {
        assert_eq!(file_name("ACME-VEX-App_1.2"), "acme-vex-app_1_2.json");
    }

    #[test]
    fn empty_parts_are_left_out() {
        let doc = Csaf::default();
        let v: serde_json::Value = serde_json::from_slice(&to_json(&doc).unwrap()).unwrap();
        assert!(v.get("product_tree").is_none());
        assert!(v.get("vulnerabilities").is_none());
        assert!(v["document"].get("notes").is_none());
    }
}
