//! SPDX 2 JSON (2.2, 2.3): packages with a `purl` external reference (category
//! `PACKAGE-MANAGER`). The product is the described package: `documentDescribes`, else the
//! target of the document's `DESCRIBES` relationship (or a `DESCRIBED_BY` pointing back).

use super::{Collector, Found, Head, InputFormat, Inventory, Str, json_error};
use crate::error::{Error, Result};
use camino::Utf8Path;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(expecting = "an SPDX document (a JSON object)")]
struct Doc<'a> {
    #[serde(rename = "spdxVersion", borrow)]
    spdx_version: Option<Str<'a>>,
    #[serde(rename = "SPDXID", borrow)]
    spdx_id: Option<Str<'a>>,
    #[serde(rename = "documentNamespace", borrow)]
    namespace: Option<Str<'a>>,
    #[serde(rename = "documentDescribes", borrow, default)]
    describes: Vec<Str<'a>>,
    #[serde(borrow, default)]
    packages: Vec<Package<'a>>,
    #[serde(borrow, default)]
    relationships: Vec<Relationship<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an SPDX package (an object)")]
struct Package<'a> {
    #[serde(rename = "SPDXID", borrow)]
    spdx_id: Option<Str<'a>>,
    #[serde(borrow)]
    name: Option<Str<'a>>,
    /// Our SBOMs keep the CycloneDX properties here, one `name: value` a line.
    #[serde(borrow)]
    comment: Option<Str<'a>>,
    #[serde(rename = "versionInfo", borrow)]
    version: Option<Str<'a>>,
    #[serde(rename = "downloadLocation", borrow)]
    download_location: Option<Str<'a>>,
    /// Only whether there are any (registry crates carry their Cargo.lock checksum).
    checksums: Option<Vec<serde::de::IgnoredAny>>,
    #[serde(rename = "primaryPackagePurpose", borrow)]
    purpose: Option<Str<'a>>,
    #[serde(rename = "externalRefs", borrow, default)]
    external_refs: Vec<ExternalRef<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an external reference (an object)")]
struct ExternalRef<'a> {
    #[serde(rename = "referenceType", borrow)]
    ty: Option<Str<'a>>,
    #[serde(rename = "referenceLocator", borrow)]
    locator: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a relationship (an object)")]
struct Relationship<'a> {
    #[serde(rename = "spdxElementId", borrow)]
    element: Option<Str<'a>>,
    #[serde(rename = "relationshipType", borrow)]
    ty: Option<Str<'a>>,
    #[serde(rename = "relatedSpdxElement", borrow)]
    related: Option<Str<'a>>,
}

impl Package<'_> {
    /// The purl: the `pkg:cargo` one when there are several.
    fn purl(&self) -> Option<&str> {
        let mut purls = self
            .external_refs
            .iter()
            .filter(|r| r.ty.as_ref().is_some_and(|t| t.as_str() == "purl"))
            .filter_map(|r| r.locator.as_ref().map(Str::as_str));
        let first = purls.next()?;
        if first.starts_with("pkg:cargo/") {
            return Some(first);
        }
        Some(purls.find(|p| p.starts_with("pkg:cargo/")).unwrap_or(first))
    }

    fn found(&self) -> Found<'_> {
        let comment = self.comment.as_ref().map(Str::as_str);
        let location = self.download_location.as_ref().map(Str::as_str);
        Found {
            name: self.name.as_ref().map(Str::as_str),
            version: self.version.as_ref().map(Str::as_str),
            purl: self.purl(),
            kind: self.purpose.as_ref().map(Str::as_str),
            bom_ref: self.spdx_id.as_ref().map(Str::as_str),
            path_source: super::comment_says_path(comment)
                || location.is_some_and(super::is_file_url),
            source_evidence: comment.is_some_and(|c| c.contains("cargo-cra:source:"))
                || location.is_some_and(super::spdx_location_known)
                || self.checksums.as_ref().is_some_and(|c| !c.is_empty()),
        }
    }
}

/// Reads an SPDX 2 JSON document.
pub fn read(path: &Utf8Path, text: &str) -> Result<Inventory> {
    let doc: Doc<'_> = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    let version = match doc.spdx_version.as_ref().map(Str::as_str) {
        Some(v) if v.starts_with("SPDX-2.") => v["SPDX-".len()..].to_string(),
        Some(v) => {
            return Err(Error::malformed(
                path,
                format!(
                    "`spdxVersion` is `{v}`; SPDX 2 JSON says `SPDX-2.x` (SPDX 3 is JSON-LD with `@graph`)"
                ),
            ));
        }
        None => {
            return Err(Error::malformed(
                path,
                "no `spdxVersion`: not an SPDX document",
            ));
        }
    };
    let doc_id = doc.spdx_id.as_ref().map_or("SPDXRef-DOCUMENT", Str::as_str);
    let described: Option<&str> = doc.describes.first().map(Str::as_str).or_else(|| {
        doc.relationships.iter().find_map(|r| {
            let (e, t, rel) = (r.element.as_ref()?, r.ty.as_ref()?, r.related.as_ref()?);
            match t.as_str() {
                "DESCRIBES" if e.as_str() == doc_id => Some(rel.as_str()),
                "DESCRIBED_BY" if rel.as_str() == doc_id => Some(e.as_str()),
                _ => None,
            }
        })
    });
    let root_index = described.and_then(|id| {
        doc.packages
            .iter()
            .position(|p| p.spdx_id.as_ref().is_some_and(|s| s.as_str() == id))
    });
    let root = root_index.map(|i| &doc.packages[i]);

    let mut out = Collector::with_capacity(doc.packages.len());
    for (i, p) in doc.packages.iter().enumerate() {
        if Some(i) != root_index {
            out.add(&p.found());
        }
    }
    let product = root.and_then(|r| super::classify(&r.found()).ok());
    Ok(out.finish(
        Head {
            path: path.to_owned(),
            format: InputFormat::Spdx2 { version },
            serial_number: doc.namespace.map(|s| s.0.into_owned()),
            bom_version: None,
            product_name: root
                .and_then(|r| r.name.as_ref())
                .map(|s| s.as_str().to_string()),
            product_version: root
                .and_then(|r| r.version.as_ref())
                .map(|s| s.as_str().to_string()),
        },
        product,
        &[],
    ))
}
