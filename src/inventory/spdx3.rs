//! SPDX 3.0 JSON-LD (the serialization the SPDX 3.0.1 spec defines: a top-level `@context`
//! and an `@graph` of elements). Every `software_Package` element is a component, identified
//! by `software_packageUrl` or a `packageUrl` external identifier. The product is the root
//! element of the `software_Sbom` (or of the `SpdxDocument`, following it to the SBOM's
//! root when the document's root is the SBOM).

use super::{Collector, Found, Head, InputFormat, Inventory, OneOrMany, Str, json_error};
use crate::error::{Error, Result};
use camino::Utf8Path;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(expecting = "an SPDX 3 JSON-LD document (a JSON object)")]
struct Doc<'a> {
    #[serde(rename = "@context")]
    context: Option<serde::de::IgnoredAny>,
    #[serde(rename = "@graph", borrow)]
    graph: Option<Vec<Element<'a>>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an SPDX element (an object)")]
struct Element<'a> {
    #[serde(rename = "type", alias = "@type", borrow)]
    ty: Option<Str<'a>>,
    #[serde(rename = "spdxId", alias = "@id", borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    name: Option<Str<'a>>,
    /// Our SBOMs keep the CycloneDX properties here, one `name: value` a line.
    #[serde(borrow)]
    comment: Option<Str<'a>>,
    #[serde(rename = "software_packageVersion", borrow)]
    version: Option<Str<'a>>,
    #[serde(rename = "software_packageUrl", borrow)]
    purl: Option<Str<'a>>,
    #[serde(rename = "software_downloadLocation", borrow)]
    download_location: Option<Str<'a>>,
    /// Only whether there are any (registry crates carry their Cargo.lock checksum).
    #[serde(rename = "verifiedUsing", default)]
    verified_using: OneOrMany<serde::de::IgnoredAny>,
    #[serde(rename = "software_primaryPurpose", borrow)]
    purpose: Option<Str<'a>>,
    #[serde(rename = "externalIdentifier", borrow, default)]
    external_identifiers: OneOrMany<ExternalIdentifier<'a>>,
    #[serde(rename = "rootElement", borrow, default)]
    root_element: OneOrMany<ElementRef<'a>>,
    /// On `CreationInfo` elements.
    #[serde(rename = "specVersion", borrow)]
    spec_version: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an external identifier (an object)")]
struct ExternalIdentifier<'a> {
    #[serde(rename = "externalIdentifierType", borrow)]
    ty: Option<Str<'a>>,
    #[serde(borrow)]
    identifier: Option<Str<'a>>,
}

/// An element reference: its id, or the element itself embedded.
#[derive(Deserialize)]
#[serde(untagged, expecting = "an element id or an embedded element")]
enum ElementRef<'a> {
    Id(#[serde(borrow)] Str<'a>),
    Embedded {
        #[serde(rename = "spdxId", alias = "@id", borrow)]
        id: Str<'a>,
    },
}

impl<'a> ElementRef<'a> {
    fn id(&self) -> &str {
        match self {
            ElementRef::Id(s) | ElementRef::Embedded { id: s } => s.as_str(),
        }
    }
}

impl Element<'_> {
    fn ty(&self) -> &str {
        let t = self.ty.as_ref().map_or("", Str::as_str);
        // Full IRIs are also valid JSON-LD.
        t.rsplit_once('/').map_or(t, |(_, short)| short)
    }

    fn is(&self, short: &str, long: &str) -> bool {
        let t = self.ty();
        t == short || t == long
    }

    fn is_package(&self) -> bool {
        self.is("software_Package", "Package")
    }

    fn id(&self) -> Option<&str> {
        self.id.as_ref().map(Str::as_str)
    }

    fn purl(&self) -> Option<&str> {
        self.purl.as_ref().map(Str::as_str).or_else(|| {
            self.external_identifiers
                .0
                .iter()
                .find(|x| x.ty.as_ref().is_some_and(|t| t.as_str() == "packageUrl"))
                .and_then(|x| x.identifier.as_ref().map(Str::as_str))
        })
    }

    fn found(&self) -> Found<'_> {
        let comment = self.comment.as_ref().map(Str::as_str);
        let location = self.download_location.as_ref().map(Str::as_str);
        Found {
            name: self.name.as_ref().map(Str::as_str),
            version: self.version.as_ref().map(Str::as_str),
            purl: self.purl(),
            kind: self.purpose.as_ref().map(Str::as_str),
            bom_ref: self.id(),
            path_source: super::comment_says_path(comment)
                || location.is_some_and(super::is_file_url),
            source_evidence: comment.is_some_and(|c| c.contains("cargo-cra:source:"))
                || location.is_some_and(super::spdx_location_known)
                || !self.verified_using.0.is_empty(),
        }
    }
}

/// Reads an SPDX 3 JSON-LD document.
pub fn read(path: &Utf8Path, text: &str) -> Result<Inventory> {
    let doc: Doc<'_> = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    let (Some(_), Some(graph)) = (doc.context, doc.graph) else {
        return Err(Error::malformed(
            path,
            "an SPDX 3 JSON-LD document has `@context` and `@graph`; this one lacks one of them",
        ));
    };
    let by_id = |id: &str| graph.iter().find(|e| e.id() == Some(id));
    let root_of = |e: &Element<'_>| e.root_element.0.first().map(ElementRef::id).and_then(by_id);
    let sbom = graph.iter().find(|e| e.is("software_Sbom", "Sbom"));
    let document = graph.iter().find(|e| e.is("SpdxDocument", "SpdxDocument"));
    let mut root = sbom
        .and_then(root_of)
        .or_else(|| document.and_then(root_of));
    if let Some(r) = root.filter(|r| r.is("software_Sbom", "Sbom")) {
        root = root_of(r);
    }
    let root = root.filter(|r| r.is_package());
    let version = graph
        .iter()
        .find_map(|e| e.spec_version.as_ref())
        .map_or("3.0", Str::as_str)
        .to_string();
    if !version.starts_with("3.") {
        return Err(Error::malformed(
            path,
            format!(
                "SPDX `specVersion` `{version}` in a JSON-LD document: only SPDX 3 is read this way"
            ),
        ));
    }

    let mut out = Collector::with_capacity(graph.len());
    for e in graph.iter().filter(|e| e.is_package()) {
        if root.is_none_or(|r| !std::ptr::eq(r, e)) {
            out.add(&e.found());
        }
    }
    let product = root.and_then(|r| super::classify(&r.found()).ok());
    Ok(out.finish(
        Head {
            path: path.to_owned(),
            format: InputFormat::Spdx3 { version },
            serial_number: document.and_then(Element::id).map(str::to_string),
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
