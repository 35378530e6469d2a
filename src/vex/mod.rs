//! VEX (Vulnerability Exploitability eXchange): one model for the statements "this
//! vulnerability has this status in this product (component)", with a reader and a writer
//! per format: [`openvex`] (OpenVEX 0.2.0), [`cyclonedx`] (CycloneDX 1.6 VEX, BOM-Links into
//! the product's SBOM) and [`csaf`] (CSAF 2.0, profile `csaf_vex`). [`read`] detects the
//! format by content; [`find`] answers which statement applies to a finding.
//!
//! Statuses and justifications are OpenVEX's vocabulary; the readers and writers map the
//! other two formats onto it (the table is in `docs/vex.md`).
//!
//! Matching ([`Statement::applies`]): a statement applies to a finding (advisory ids, the
//! product release, the affected component) when one of the vulnerability's ids or aliases
//! equals one of the advisory's (case-insensitive), and one of its products matches: a
//! product without subcomponents matches when it identifies the product release or the
//! component itself; a product with subcomponents matches when it identifies the release and
//! one subcomponent identifies the component (OpenVEX's product/subcomponent semantics).
//! Identification is by purl, compared semantically ([`purl_matches`]), or by an IRI such as
//! a CycloneDX BOM-Link, compared exactly. A statement with no product matches nothing: a
//! VEX statement is always about something.

pub mod csaf;
pub mod cyclonedx;
pub mod openvex;
mod vocab;

pub use vocab::{Justification, Status};

use crate::error::{Error, Result};
use camino::{Utf8Path, Utf8PathBuf};
use serde::Serialize;

/// The formats we read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// OpenVEX 0.2.0 JSON-LD.
    OpenVex,
    /// A CycloneDX BOM with `vulnerabilities` (1.4 to 1.7 read, 1.6 written).
    CycloneDx,
    /// CSAF 2.0 (`csaf_vex`; other categories are read too).
    Csaf,
}

impl Format {
    /// The name users type (`openvex`, `cyclonedx`, `csaf`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OpenVex => "openvex",
            Format::CycloneDx => "cyclonedx",
            Format::Csaf => "csaf",
        }
    }

    /// What to call the format in messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Format::OpenVex => "OpenVEX",
            Format::CycloneDx => "CycloneDX VEX",
            Format::Csaf => "CSAF VEX",
        }
    }
}

/// A VEX document, in any format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VexDocument {
    /// Where it was read from (empty for a document built in memory).
    pub path: Utf8PathBuf,
    /// Its format.
    pub format: Format,
    /// Its id (OpenVEX `@id`, CycloneDX `serialNumber`, CSAF `tracking.id`).
    pub id: String,
    /// Who wrote it (OpenVEX `author`, CycloneDX `metadata.manufacturer`/`supplier`, CSAF
    /// publisher name).
    pub author: String,
    /// When it was issued, RFC 3339 (CSAF `current_release_date`).
    pub timestamp: Option<String>,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

impl VexDocument {
    /// An empty document built in memory.
    pub fn new(format: Format, id: impl Into<String>, author: impl Into<String>) -> Self {
        VexDocument {
            path: Utf8PathBuf::new(),
            format,
            id: id.into(),
            author: author.into(),
            timestamp: None,
            statements: Vec::new(),
        }
    }

    /// How to name the document in a note: its path, else its id.
    pub fn name(&self) -> String {
        if self.path.as_str().is_empty() {
            self.id.clone()
        } else {
            crate::output::display_path(&self.path)
        }
    }
}

/// One statement: a vulnerability, the products it is about, and its status there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// The vulnerability.
    pub vulnerability: Vulnerability,
    /// The products (each possibly narrowed to subcomponents).
    pub products: Vec<Product>,
    /// The status.
    pub status: Status,
    /// Why it is not affected (for [`Status::NotAffected`]).
    pub justification: Option<Justification>,
    /// Why it is not affected, in words.
    pub impact_statement: Option<String>,
    /// What to do about it (for [`Status::Affected`]).
    pub action_statement: Option<String>,
    /// How the status was determined.
    pub status_notes: Option<String>,
    /// CycloneDX `analysis.response` values (`update`, `will_not_fix`, ...), as written.
    pub responses: Vec<String>,
    /// When it was known to be true, RFC 3339.
    pub timestamp: Option<String>,
    /// When it was first issued, RFC 3339 (CycloneDX `firstIssued`).
    pub first_issued: Option<String>,
}

impl Statement {
    /// A statement with only its vulnerability, products and status.
    pub fn new(vulnerability: Vulnerability, products: Vec<Product>, status: Status) -> Self {
        Statement {
            vulnerability,
            products,
            status,
            justification: None,
            impact_statement: None,
            action_statement: None,
            status_notes: None,
            responses: Vec::new(),
            timestamp: None,
            first_issued: None,
        }
    }

    /// Whether this statement applies to `subject` (see the module documentation).
    pub fn applies(&self, subject: &Subject<'_>) -> bool {
        self.vulnerability.is_one_of(subject.ids)
            && self.products.iter().any(|p| p.applies(subject))
    }

    /// The justification, or the impact statement, or the status notes: what a note about
    /// this statement says.
    pub fn reason(&self) -> Option<String> {
        match (&self.justification, &self.impact_statement) {
            (Some(j), Some(i)) => Some(format!("{}: {i}", j.as_str())),
            (Some(j), None) => Some(j.as_str().to_string()),
            (None, Some(i)) => Some(i.clone()),
            (None, None) => self
                .action_statement
                .clone()
                .or_else(|| self.status_notes.clone()),
        }
    }
}

/// The vulnerability a statement is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Vulnerability {
    /// Its main id (`RUSTSEC-2021-0003`, `CVE-2021-25900`, `GHSA-...`).
    pub id: String,
    /// Other ids.
    pub aliases: Vec<String>,
    /// Title or description.
    pub description: Option<String>,
    /// Where to read about it.
    pub url: Option<String>,
    /// CVSS, when known.
    pub cvss: Option<crate::advisory::db::Cvss>,
}

impl Vulnerability {
    /// A vulnerability known by `id` and `aliases`.
    pub fn new(id: impl Into<String>, aliases: Vec<String>) -> Self {
        Vulnerability {
            id: id.into(),
            aliases,
            ..Vulnerability::default()
        }
    }

    /// Every id: the main one, then the aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Whether any of its ids is one of `ids` (case-insensitive).
    pub fn is_one_of(&self, ids: &[&str]) -> bool {
        self.ids()
            .any(|a| ids.iter().any(|b| a.trim().eq_ignore_ascii_case(b.trim())))
    }
}

/// What a statement is about: a product, or some of its subcomponents.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Product {
    /// The product.
    pub id: Identifier,
    /// Subcomponents (empty: the product as a whole).
    pub subcomponents: Vec<Identifier>,
}

impl Product {
    /// A product known by its purl.
    pub fn purl(purl: impl Into<String>) -> Self {
        Product {
            id: Identifier::purl(purl),
            subcomponents: Vec::new(),
        }
    }

    /// With a subcomponent known by its purl.
    pub fn with_subcomponent(mut self, purl: impl Into<String>) -> Self {
        self.subcomponents.push(Identifier::purl(purl));
        self
    }

    fn applies(&self, s: &Subject<'_>) -> bool {
        let is_product = self.id.identifies(s.product_purl, s.product_iri);
        if self.subcomponents.is_empty() {
            is_product || self.id.identifies(Some(s.component_purl), s.component_iri)
        } else {
            is_product
                && self
                    .subcomponents
                    .iter()
                    .any(|c| c.identifies(Some(s.component_purl), s.component_iri))
        }
    }
}

/// How a product or component is identified: a purl, an IRI (a CycloneDX BOM-Link, an
/// OpenVEX `@id` that is not a purl), or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Identifier {
    /// Package URL.
    pub purl: Option<String>,
    /// Another identifier, compared exactly.
    pub iri: Option<String>,
}

impl Identifier {
    /// By purl.
    pub fn purl(purl: impl Into<String>) -> Self {
        Identifier {
            purl: Some(purl.into()),
            iri: None,
        }
    }

    /// By IRI.
    pub fn iri(iri: impl Into<String>) -> Self {
        Identifier {
            purl: None,
            iri: Some(iri.into()),
        }
    }

    fn identifies(&self, purl: Option<&str>, iri: Option<&str>) -> bool {
        let by_purl = matches!((&self.purl, purl), (Some(p), Some(c)) if purl_matches(p, c));
        let by_iri = matches!((&self.iri, iri), (Some(a), Some(b)) if a == b);
        by_purl || by_iri
    }

    /// The purl, else the IRI (for messages and writers).
    pub fn display(&self) -> &str {
        self.purl
            .as_deref()
            .or(self.iri.as_deref())
            .unwrap_or_default()
    }
}

/// What a statement is matched against: a finding.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The advisory's id and aliases.
    pub ids: &'a [&'a str],
    /// The product release's purl, when known.
    pub product_purl: Option<&'a str>,
    /// The product's SBOM as a BOM-Link without fragment (`urn:cdx:<uuid>/<version>`).
    pub product_iri: Option<&'a str>,
    /// The affected component's purl.
    pub component_purl: &'a str,
    /// The component's BOM-Link (`urn:cdx:<uuid>/<version>#<bom-ref>`), when known.
    pub component_iri: Option<&'a str>,
}

/// A statement that applies, with the document it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Match<'a> {
    /// The document.
    pub document: &'a VexDocument,
    /// The statement.
    pub statement: &'a Statement,
}

/// The statement that applies to `subject`: of all statements that apply, in all documents,
/// the most recent one (statement timestamp, else the document's; OpenVEX's rule that a
/// later statement supersedes an earlier one), the last given on a tie.
pub fn find<'a>(docs: &'a [VexDocument], subject: &Subject<'_>) -> Option<Match<'a>> {
    let mut best: Option<(Option<time::OffsetDateTime>, Match<'a>)> = None;
    for document in docs {
        for statement in &document.statements {
            if !statement.applies(subject) {
                continue;
            }
            let when = statement
                .timestamp
                .as_deref()
                .or(document.timestamp.as_deref())
                .and_then(parse_time);
            let replace = match &best {
                None => true,
                Some((prev, _)) => when >= *prev,
            };
            if replace {
                best = Some((
                    when,
                    Match {
                        document,
                        statement,
                    },
                ));
            }
        }
    }
    best.map(|(_, m)| m)
}

/// Parses an RFC 3339 timestamp.
pub fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339).ok()
}

/// The five justification names, for error messages.
pub fn justification_names() -> String {
    Justification::ALL
        .iter()
        .map(|j| j.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `pattern` (a statement's purl) identifies `candidate` (a product's or component's
/// purl), after the purl spec: same type, namespace and name; the pattern's version, when it
/// has one, equal to the candidate's (a pattern without version matches every version); every
/// qualifier of the pattern present with the same value in the candidate. For `pkg:cargo`,
/// the source qualifiers (`repository_url`, `vcs_url`) are part of the crate's identity both
/// ways: a crates.io crate (no qualifier) is not the crate of the same name from another
/// registry. Purls that do not parse are compared as strings.
pub fn purl_matches(pattern: &str, candidate: &str) -> bool {
    let (Some(p), Some(c)) = (crate::purl::parse(pattern), crate::purl::parse(candidate)) else {
        return pattern.trim() == candidate.trim();
    };
    if p.ty != c.ty || p.namespace != c.namespace || p.subpath.is_some() && p.subpath != c.subpath {
        return false;
    }
    let cargo = p.ty == "cargo";
    let name_eq = if cargo {
        // crates.io names are case-insensitive (and so are purl names of this type).
        p.name.eq_ignore_ascii_case(&c.name)
    } else {
        p.name == c.name
    };
    if !name_eq {
        return false;
    }
    if let Some(pv) = &p.version {
        let same = match (&c.version, cargo) {
            (Some(cv), true) => match (semver::Version::parse(pv), semver::Version::parse(cv)) {
                (Ok(a), Ok(b)) => a == b,
                _ => pv == cv,
            },
            (Some(cv), false) => pv == cv,
            (None, _) => false,
        };
        if !same {
            return false;
        }
    }
    if cargo {
        let source = |u: &crate::purl::Purl| crate::purl::cargo_source(u);
        if source(&p) != source(&c) {
            return false;
        }
    }
    p.qualifiers
        .iter()
        .filter(|(k, _)| !(cargo && is_cargo_source_qualifier(k)))
        .all(|(k, v)| c.qualifier(k) == Some(v.as_str()))
}

fn is_cargo_source_qualifier(k: &str) -> bool {
    matches!(k, "repository_url" | "vcs_url" | "download_url")
}

/// Reads a VEX document, detecting the format by content: OpenVEX (an `@context` naming
/// openvex), CycloneDX (`bomFormat: CycloneDX`), CSAF (`document.csaf_version`). Anything
/// else, and any malformed document, is an error naming the file and what is wrong.
pub fn read(path: &Utf8Path) -> Result<VexDocument> {
    let text = crate::fsutil::read_to_string(path)?;
    parse(path, &text)
}

/// Parses a VEX document read from `path` (see [`read`]).
pub fn parse(path: &Utf8Path, text: &str) -> Result<VexDocument> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::malformed(
            format!("{path}:{}:{}", e.line(), e.column()),
            format!("not a VEX document: invalid JSON: {}", json_message(&e)),
        )
    })?;
    let Some(obj) = value.as_object() else {
        return Err(Error::malformed(
            path,
            "not a VEX document: expected a JSON object (OpenVEX, CycloneDX or CSAF)",
        ));
    };
    let is_openvex = obj
        .get("@context")
        .and_then(|c| c.as_str())
        .is_some_and(|c| c.contains("openvex"));
    let doc = if is_openvex {
        openvex::from_value(path, &value)?
    } else if obj.get("bomFormat").and_then(|f| f.as_str()) == Some("CycloneDX") {
        cyclonedx::from_value(path, &value)?
    } else if crate::csaf::is_csaf(&value) {
        csaf::from_value(path, &value)?
    } else {
        return Err(Error::malformed(
            path,
            "not a VEX document: expected OpenVEX (`@context` https://openvex.dev/ns/...), CycloneDX (`bomFormat`) or CSAF (`document.csaf_version`)",
        ));
    };
    Ok(VexDocument {
        path: path.to_path_buf(),
        ..doc
    })
}

/// Reads several VEX documents (`--vex`, repeatable).
pub fn read_all(paths: &[Utf8PathBuf]) -> Result<Vec<VexDocument>> {
    paths.iter().map(|p| read(p)).collect()
}

/// serde_json's message without its trailing "at line L column C" (the location is in the
/// path prefix).
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Reading helpers shared by the three readers: every error names the JSON location, in the
/// user's words.
pub(crate) mod json {
    use crate::error::{Error, Result};
    use camino::Utf8Path;
    use serde_json::Value;

    /// A string member, or `None` when absent; an error when present with another type.
    pub(crate) fn opt_str<'a>(
        path: &Utf8Path,
        v: &'a Value,
        key: &str,
        at: &str,
    ) -> Result<Option<&'a str>> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Error::malformed(
                path,
                format!("`{at}{key}` must be a string"),
            )),
        }
    }

    /// A required non-empty string member.
    pub(crate) fn req_str<'a>(
        path: &Utf8Path,
        v: &'a Value,
        key: &str,
        at: &str,
    ) -> Result<&'a str> {
        match opt_str(path, v, key, at)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(Error::malformed(path, format!("`{at}{key}` is empty"))),
            None => Err(Error::malformed(path, format!("`{at}{key}` is missing"))),
        }
    }

    /// An array member (empty when absent); an error when present with another type.
    pub(crate) fn arr<'a>(
        path: &Utf8Path,
        v: &'a Value,
        key: &str,
        at: &str,
    ) -> Result<&'a [Value]> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(Error::malformed(
                path,
                format!("`{at}{key}` must be a list"),
            )),
        }
    }

    /// An array of strings (empty when absent).
    pub(crate) fn str_list(path: &Utf8Path, v: &Value, key: &str, at: &str) -> Result<Vec<String>> {
        arr(path, v, key, at)?
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.as_str().map(str::to_string).ok_or_else(|| {
                    Error::malformed(path, format!("`{at}{key}[{i}]` must be a string"))
                })
            })
            .collect()
    }

    /// A timestamp member that must be RFC 3339 when present.
    pub(crate) fn opt_time(
        path: &Utf8Path,
        v: &Value,
        key: &str,
        at: &str,
    ) -> Result<Option<String>> {
        match opt_str(path, v, key, at)? {
            None => Ok(None),
            Some(s) if super::parse_time(s).is_some() => Ok(Some(s.to_string())),
            Some(s) => Err(Error::malformed(
                path,
                format!(
                    "`{at}{key}` is not an RFC 3339 timestamp: `{s}` (expected e.g. 2026-12-01T09:30:00Z)"
                ),
            )),
        }
    }
}

/// The timestamp of "now" for a writer (`SOURCE_DATE_EPOCH` honoured), RFC 3339 UTC.
pub fn now_rfc3339() -> Result<String> {
    crate::sbom::document::format_timestamp(crate::now()?)
}

/// Sorts statements for a writer: by vulnerability id, then status, then products.
pub fn sort_statements(statements: &mut [Statement]) {
    statements.sort_by(|a, b| {
        (&a.vulnerability.id, a.status, product_key(a)).cmp(&(
            &b.vulnerability.id,
            b.status,
            product_key(b),
        ))
    });
}

fn product_key(s: &Statement) -> Vec<(String, Vec<String>)> {
    s.products
        .iter()
        .map(|p| {
            (
                p.id.display().to_string(),
                p.subcomponents
                    .iter()
                    .map(|c| c.display().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// The last step of the JSON writers: when `id_key` is given (the document has no id yet),
/// stores under it a `urn:uuid:` derived from the document's content, so that the same
/// statements always get the same id; then pretty-prints with a final newline. `what` names
/// the format in an error.
pub(crate) fn finish_json(
    mut doc: serde_json::Map<String, serde_json::Value>,
    id_key: Option<&str>,
    what: &str,
) -> Result<Vec<u8>> {
    let encode = |e: serde_json::Error| Error::other(format!("failed to encode the {what}: {e}"));
    if let Some(key) = id_key {
        let compact = serde_json::to_vec(&doc).map_err(encode)?;
        let digest = crate::fsutil::sha256_hex(&compact);
        doc.insert(
            key.to_string(),
            serde_json::Value::String(format!(
                "urn:uuid:{}",
                crate::sbom::document::uuid_from_hex(&digest)
            )),
        );
    }
    let mut bytes = serde_json::to_vec_pretty(&serde_json::Value::Object(doc)).map_err(encode)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(ids: &'a [&'a str], product: &'a str, component: &'a str) -> Subject<'a> {
        Subject {
            ids,
            product_purl: Some(product),
            product_iri: None,
            component_purl: component,
            component_iri: None,
        }
    }

    #[test]
    fn purls_match_semantically() {
        assert!(purl_matches(
            "pkg:cargo/smallvec@1.6.0",
            "pkg:cargo/smallvec@1.6.0"
        ));
        assert!(purl_matches(
            "pkg:cargo/smallvec",
            "pkg:cargo/smallvec@1.6.0"
        ));
        assert!(!purl_matches(
            "pkg:cargo/smallvec@1.6.1",
            "pkg:cargo/smallvec@1.6.0"
        ));
        assert!(purl_matches(
            "pkg:cargo/x@1.0.0%2Bbuild",
            "pkg:cargo/x@1.0.0+build"
        ));
        assert!(purl_matches(
            "PKG:CARGO/smallvec@1.6.0",
            "pkg:cargo/smallvec@1.6.0"
        ));
        // The source is part of a crate's identity, both ways.
        assert!(!purl_matches(
            "pkg:cargo/foo@1.0.0",
            "pkg:cargo/foo@1.0.0?repository_url=https%3A%2F%2Fmy.registry%2Findex"
        ));
        assert!(!purl_matches(
            "pkg:cargo/foo@1.0.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.com%2Ffoo",
            "pkg:cargo/foo@1.0.0"
        ));
        // Other qualifiers of the pattern must be present in the candidate.
        assert!(purl_matches(
            "pkg:apk/wolfi/git@2.39.0-r1",
            "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"
        ));
        assert!(!purl_matches(
            "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7",
            "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"
        ));
        assert!(!purl_matches(
            "pkg:npm/smallvec@1.6.0",
            "pkg:cargo/smallvec@1.6.0"
        ));
    }

    #[test]
    fn aliases_and_products_decide_what_a_statement_covers() {
        let mut v = Vulnerability::new("RUSTSEC-2021-0003", vec!["CVE-2021-25900".into()]);
        v.aliases.push("GHSA-43w2-9j62-hq99".into());
        let st = Statement::new(
            v,
            vec![Product::purl("pkg:cargo/app").with_subcomponent("pkg:cargo/smallvec@1.6.0")],
            Status::NotAffected,
        );
        let app = "pkg:cargo/app@1.2.0";
        let sv = "pkg:cargo/smallvec@1.6.0";
        assert!(st.applies(&subject(&["RUSTSEC-2021-0003"], app, sv)));
        assert!(st.applies(&subject(&["RUSTSEC-X", "cve-2021-25900"], app, sv)));
        assert!(st.applies(&subject(&["GHSA-43w2-9j62-hq99"], app, sv)));
        assert!(!st.applies(&subject(&["RUSTSEC-2020-0001"], app, sv)));
        assert!(!st.applies(&subject(
            &["RUSTSEC-2021-0003"],
            "pkg:cargo/other@1.0.0",
            sv
        )));
        assert!(!st.applies(&subject(
            &["RUSTSEC-2021-0003"],
            app,
            "pkg:cargo/smallvec@1.6.1"
        )));

        // A product without subcomponents: the product as a whole, or the crate itself.
        let whole = Statement::new(
            Vulnerability::new("RUSTSEC-2021-0003", vec![]),
            vec![Product::purl("pkg:cargo/smallvec@1.6.0")],
            Status::NotAffected,
        );
        assert!(whole.applies(&subject(&["RUSTSEC-2021-0003"], app, sv)));
        assert!(whole.applies(&subject(
            &["RUSTSEC-2021-0003"],
            "pkg:cargo/other@2.0.0",
            sv
        )));
        let product_level = Statement::new(
            Vulnerability::new("RUSTSEC-2021-0003", vec![]),
            vec![Product::purl("pkg:cargo/app@1.2.0")],
            Status::NotAffected,
        );
        assert!(product_level.applies(&subject(&["RUSTSEC-2021-0003"], app, sv)));
        assert!(!product_level.applies(&subject(
            &["RUSTSEC-2021-0003"],
            "pkg:cargo/app@1.3.0",
            sv
        )));
        // No product: matches nothing.
        let nothing = Statement::new(
            Vulnerability::new("RUSTSEC-2021-0003", vec![]),
            vec![],
            Status::NotAffected,
        );
        assert!(!nothing.applies(&subject(&["RUSTSEC-2021-0003"], app, sv)));
    }

    #[test]
    fn bom_links_match_exactly() {
        let link = "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:cargo/smallvec@1.6.0";
        let st = Statement::new(
            Vulnerability::new("RUSTSEC-2021-0003", vec![]),
            vec![Product {
                id: Identifier::iri("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1"),
                subcomponents: vec![Identifier::iri(link)],
            }],
            Status::Fixed,
        );
        let mut s = subject(
            &["RUSTSEC-2021-0003"],
            "pkg:cargo/app@1.2.0",
            "pkg:cargo/smallvec@1.6.0",
        );
        assert!(!st.applies(&s));
        s.product_iri = Some("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1");
        s.component_iri = Some(link);
        assert!(st.applies(&s));
    }

    #[test]
    fn the_latest_statement_wins() {
        let mk = |status, ts: &str| {
            let mut s = Statement::new(
                Vulnerability::new("RUSTSEC-2021-0003", vec![]),
                vec![Product::purl("pkg:cargo/smallvec")],
                status,
            );
            s.timestamp = Some(ts.to_string());
            s
        };
        let mut a = VexDocument::new(Format::OpenVex, "a", "x");
        a.statements
            .push(mk(Status::UnderInvestigation, "2026-01-01T00:00:00Z"));
        a.statements
            .push(mk(Status::NotAffected, "2026-03-01T00:00:00Z"));
        let mut b = VexDocument::new(Format::OpenVex, "b", "x");
        b.statements
            .push(mk(Status::Affected, "2026-02-01T00:00:00Z"));
        let docs = [a, b];
        let s = subject(
            &["RUSTSEC-2021-0003"],
            "pkg:cargo/app@1.0.0",
            "pkg:cargo/smallvec@1.6.0",
        );
        let m = find(&docs, &s).unwrap();
        assert_eq!(m.statement.status, Status::NotAffected);
        assert_eq!(m.document.id, "a");
    }
}
