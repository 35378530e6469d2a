//! The subset of the CycloneDX 1.6/1.7 JSON model that `cargo cra sbom` writes.
//!
//! Our own small serde model rather than the `cyclonedx-bom` crate: that crate stops at
//! CycloneDX 1.5, and BSI TR-03183-2 v2.1 requires 1.6 or newer (`metadata.manufacturer`,
//! `components[].manufacturer`, license `acknowledgement` are 1.6 additions). Only
//! serialization is needed, and every field below is written in a fixed order, so the bytes
//! depend on the values alone (the determinism the signatures rely on).
//!
//! Field names follow the schema (`bom-ref`, `dependsOn`, ...); empty lists and `None` are
//! left out, because the schema forbids some empty objects and consumers treat absent and
//! empty alike.

use serde::Serialize;

/// CycloneDX specification version of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// CycloneDX 1.6.
    V1_6,
    /// CycloneDX 1.7.
    V1_7,
}

impl Spec {
    /// `specVersion` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Spec::V1_6 => "1.6",
            Spec::V1_7 => "1.7",
        }
    }

    /// The `$schema` URL of the official JSON schema.
    pub fn schema_url(self) -> &'static str {
        match self {
            Spec::V1_6 => "http://cyclonedx.org/schema/bom-1.6.schema.json",
            Spec::V1_7 => "http://cyclonedx.org/schema/bom-1.7.schema.json",
        }
    }
}

/// A BOM document.
#[derive(Debug, Clone, Serialize)]
pub struct Bom {
    /// JSON schema URL (helps editors and validators).
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `CycloneDX`.
    #[serde(rename = "bomFormat")]
    pub bom_format: &'static str,
    /// `1.6` or `1.7`.
    #[serde(rename = "specVersion")]
    pub spec_version: &'static str,
    /// `urn:uuid:...`, derived from the content.
    #[serde(rename = "serialNumber")]
    pub serial_number: String,
    /// Document version (always 1: every generation is a new serial number).
    pub version: u32,
    /// Document metadata, including the product (`metadata.component`).
    pub metadata: Metadata,
    /// The linked packages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// The dependency graph: every component and the product, sorted by `ref`.
    pub dependencies: Vec<Dependency>,
    /// Completeness statements.
    pub compositions: Vec<Composition>,
}

/// `metadata`.
#[derive(Debug, Clone, Serialize)]
pub struct Metadata {
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    /// Lifecycle phases the data was captured in.
    pub lifecycles: Vec<Lifecycle>,
    /// The tool that produced the document.
    pub tools: Tools,
    /// The organization that created the BOM (the product's manufacturer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<OrganizationalEntity>,
    /// The product the BOM describes.
    pub component: Component,
    /// Document-level facts (advisory database revision, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

/// A pre-defined lifecycle phase.
#[derive(Debug, Clone, Serialize)]
pub struct Lifecycle {
    /// `build` for us.
    pub phase: &'static str,
}

/// `metadata.tools` in the 1.5+ object form (the array form is deprecated).
#[derive(Debug, Clone, Serialize)]
pub struct Tools {
    /// Tools as components.
    pub components: Vec<Component>,
}

/// A component (the product, a linked crate, or a tool).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Component {
    /// `application`, `library`, ...
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Reference used by `dependencies` and `compositions`: the purl (never a path).
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// Who made the component (BSI "creator": email, else URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<OrganizationalEntity>,
    /// Name.
    pub name: String,
    /// Version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Description from the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hashes of the component itself (the `.crate` file, the artifact).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// Licenses (1.6: one expression; 1.7: declared and concluded).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    /// Package URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Distribution, source, VCS, security contact, ...
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
    /// BSI and cargo-cra properties, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

/// `organizationalEntity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrganizationalEntity {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Postal address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
    /// Website(s).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub url: Vec<String>,
    /// Contacts (with email).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<OrganizationalContact>,
}

impl OrganizationalEntity {
    /// Whether nothing is set (then the field is left out).
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.address.is_none()
            && self.url.is_empty()
            && self.contact.is_empty()
    }
}

/// `postalAddress`. The product metadata has the address as one line, which goes into
/// `streetAddress` unchanged (splitting free text into fields would guess).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PostalAddress {
    /// The address as written in `[package.metadata.cra] manufacturer.address`.
    #[serde(rename = "streetAddress")]
    pub street_address: String,
}

/// `organizationalContact`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OrganizationalContact {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A hash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Hash {
    /// `SHA-256`, `SHA-512`.
    pub alg: &'static str,
    /// Lowercase hex.
    pub content: String,
}

impl Hash {
    /// A SHA-256 hash.
    pub fn sha256(hex: impl Into<String>) -> Hash {
        Hash {
            alg: "SHA-256",
            content: hex.into(),
        }
    }

    /// A SHA-512 hash.
    pub fn sha512(hex: impl Into<String>) -> Hash {
        Hash {
            alg: "SHA-512",
            content: hex.into(),
        }
    }
}

/// An item of `licenses`: an SPDX expression, or a named license for text that is not one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    /// `{expression, acknowledgement}`.
    Expression {
        /// A valid SPDX expression.
        expression: String,
        /// `declared` or `concluded`.
        acknowledgement: &'static str,
    },
    /// `{license: {name, acknowledgement}}`.
    License {
        /// The license.
        license: NamedLicense,
    },
}

/// A license that is not a valid SPDX expression, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedLicense {
    /// The text as written.
    pub name: String,
    /// `declared` or `concluded`.
    pub acknowledgement: &'static str,
}

/// `externalReference`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExternalReference {
    /// `distribution`, `source-distribution`, `vcs`, `website`, `security-contact`, ...
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The URL.
    pub url: String,
    /// What the reference is, when the type alone does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Hashes of what the URL points to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
}

impl ExternalReference {
    /// A reference without comment or hashes.
    pub fn new(kind: &'static str, url: impl Into<String>) -> Self {
        ExternalReference {
            kind,
            url: url.into(),
            comment: None,
            hashes: Vec::new(),
        }
    }
}

/// A name-value property.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Property {
    /// Name (`bsi:component:filename`, `cargo-cra:...`).
    pub name: String,
    /// Value.
    pub value: String,
}

impl Property {
    /// A property.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Property {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// One node of the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Dependency {
    /// The component's `bom-ref`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Its direct dependencies' `bom-ref`s, sorted (empty for leaves, as BSI asks).
    #[serde(rename = "dependsOn")]
    pub depends_on: Vec<String>,
}

/// A completeness statement.
#[derive(Debug, Clone, Serialize)]
pub struct Composition {
    /// `complete`, ...
    pub aggregate: &'static str,
    /// Components whose constituent parts are described completely.
    pub assemblies: Vec<String>,
    /// Components whose dependencies are described completely.
    pub dependencies: Vec<String>,
}
