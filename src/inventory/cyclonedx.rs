//! CycloneDX JSON (spec 1.2 to 1.7) from any generator: ours (`cargo cra sbom`),
//! cargo-cyclonedx (nested `components`, `bom-ref`s with paths, the product's targets
//! nested in `metadata.component`), cdxgen (lockfile-wide sets, workspace members nested in
//! `metadata.component`, CycloneDX 1.7), syft and trivy.
//!
//! Components are identified by their `purl`; `name`/`version` are kept only to name the ones
//! that are not crates. Target triples come from our `cargo-cra:target` property and
//! cargo-cyclonedx's `cdx:rustc:sbom:target:triple` (on `metadata.component` or
//! `metadata`).

use super::{Collector, Found, Head, InputFormat, Inventory, Str, json_error};
use crate::error::{Error, Result};
use camino::Utf8Path;
use serde::Deserialize;
use std::fmt;

/// Properties naming the target triple an SBOM was built for.
const TARGET_PROPERTIES: &[&str] = &["cargo-cra:target", "cdx:rustc:sbom:target:triple"];

#[derive(Deserialize)]
#[serde(expecting = "a CycloneDX BOM (a JSON object)")]
struct Bom<'a> {
    #[serde(rename = "bomFormat", borrow)]
    bom_format: Option<Str<'a>>,
    #[serde(rename = "specVersion", borrow)]
    spec_version: Option<Str<'a>>,
    #[serde(rename = "serialNumber", borrow)]
    serial_number: Option<Str<'a>>,
    version: Option<u32>,
    #[serde(borrow)]
    metadata: Option<Metadata<'a>>,
    #[serde(borrow, default)]
    components: Option<Vec<Comp<'a>>>,
}

#[derive(Deserialize)]
#[serde(expecting = "the BOM's metadata (an object)")]
struct Metadata<'a> {
    #[serde(borrow)]
    component: Option<Comp<'a>>,
    #[serde(borrow, default)]
    properties: Props<'a>,
}

#[derive(Deserialize)]
#[serde(expecting = "a component (an object)")]
struct Comp<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    name: Option<Str<'a>>,
    #[serde(borrow)]
    version: Option<Str<'a>>,
    #[serde(borrow)]
    purl: Option<Str<'a>>,
    #[serde(rename = "bom-ref", borrow)]
    bom_ref: Option<Str<'a>>,
    #[serde(borrow, default)]
    properties: Props<'a>,
    /// Only whether there are any: registry and git crates carry their Cargo.lock checksum.
    hashes: Option<Vec<serde::de::IgnoredAny>>,
    #[serde(rename = "externalReferences", borrow, default)]
    external_references: Option<Vec<ExternalReference<'a>>>,
    #[serde(borrow, default)]
    components: Option<Vec<Comp<'a>>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an external reference (an object)")]
struct ExternalReference<'a> {
    #[serde(borrow)]
    url: Option<Str<'a>>,
}

/// The few properties we read, out of a `properties` list (the others are skipped unparsed).
#[derive(Default)]
struct Props<'a> {
    /// Our `cargo-cra:source = path`.
    path_source: bool,
    /// Any `cargo-cra:source`.
    has_source: bool,
    targets: Vec<Str<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Props<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(expecting = "a property (an object with `name` and `value`)")]
        struct Prop<'a> {
            #[serde(borrow)]
            name: Option<Str<'a>>,
            #[serde(borrow)]
            value: Option<Str<'a>>,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Props<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of properties")
            }
            fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
                Ok(Props::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut props = Props::default();
                while let Some(p) = seq.next_element::<Prop<'de>>()? {
                    let (Some(name), Some(value)) = (p.name, p.value) else {
                        continue;
                    };
                    match name.as_str() {
                        "cargo-cra:source" => {
                            props.has_source = true;
                            props.path_source |= value.as_str() == "path";
                        }
                        n if TARGET_PROPERTIES.contains(&n) => props.targets.push(value),
                        _ => {}
                    }
                }
                Ok(props)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'a> Comp<'a> {
    fn found(&self) -> Found<'_> {
        let urls = || {
            self.external_references
                .iter()
                .flatten()
                .filter_map(|r| r.url.as_ref().map(Str::as_str))
        };
        Found {
            name: self.name.as_ref().map(Str::as_str),
            version: self.version.as_ref().map(Str::as_str),
            purl: self.purl.as_ref().map(Str::as_str),
            kind: self.kind.as_ref().map(Str::as_str),
            bom_ref: self.bom_ref.as_ref().map(Str::as_str),
            path_source: self.properties.path_source || urls().any(super::is_file_url),
            source_evidence: self.properties.has_source
                || self.hashes.as_ref().is_some_and(|h| !h.is_empty())
                || urls().next().is_some(),
        }
    }

    /// This component and every nested one, depth first.
    fn each<'s>(&'s self, f: &mut impl FnMut(&'s Comp<'a>)) {
        f(self);
        for c in self.components.iter().flatten() {
            c.each(f);
        }
    }
}

/// Reads a CycloneDX JSON document.
pub fn read(path: &Utf8Path, text: &str) -> Result<Inventory> {
    let bom: Bom<'_> = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    match bom.bom_format.as_ref().map(Str::as_str) {
        Some("CycloneDX") => {}
        Some(other) => {
            return Err(Error::malformed(
                path,
                format!("`bomFormat` is `{other}`, a CycloneDX BOM says `CycloneDX`"),
            ));
        }
        None => {
            return Err(Error::malformed(
                path,
                "no `bomFormat`: not a CycloneDX BOM",
            ));
        }
    }
    let spec_version = match bom.spec_version.as_ref().map(Str::as_str) {
        Some(v) if is_supported(v) => v.to_string(),
        Some(v) => {
            return Err(Error::malformed(
                path,
                format!("CycloneDX `specVersion` `{v}` is not supported (1.2 to 1.7 are read)"),
            ));
        }
        None => {
            return Err(Error::malformed(
                path,
                "CycloneDX BOM without `specVersion`",
            ));
        }
    };

    let n = bom.components.as_ref().map_or(0, Vec::len);
    let mut out = Collector::with_capacity(n);
    let (mut product, mut own) = (None, Vec::new());
    let (mut product_name, mut product_version) = (None, None);
    if let Some(meta) = &bom.metadata {
        meta.properties
            .targets
            .iter()
            .for_each(|t| out.target(t.as_str()));
        if let Some(root) = &meta.component {
            root.properties
                .targets
                .iter()
                .for_each(|t| out.target(t.as_str()));
            product_name = root.name.as_ref().map(|s| s.as_str().to_string());
            product_version = root.version.as_ref().map(|s| s.as_str().to_string());
            product = super::classify(&root.found()).ok();
            // The product's own parts (cargo-cyclonedx: one per target; cdxgen: the
            // workspace members).
            for c in root.components.iter().flatten() {
                c.each(&mut |c| {
                    if let Some(cargo) = c
                        .purl
                        .as_ref()
                        .and_then(|p| crate::purl::parse(p.as_str()))
                        .filter(|p| p.ty == "cargo")
                        && let Some(v) = cargo.version
                    {
                        own.push((cargo.name, v));
                    }
                    out.add(&c.found());
                });
            }
        }
    }
    for c in bom.components.iter().flatten() {
        c.each(&mut |c| out.add(&c.found()));
    }
    Ok(out.finish(
        Head {
            path: path.to_owned(),
            format: InputFormat::CycloneDx { spec_version },
            serial_number: bom.serial_number.map(|s| s.0.into_owned()),
            bom_version: bom.version,
            product_name,
            product_version,
        },
        product,
        &own,
    ))
}

/// CycloneDX JSON exists from 1.2; 1.7 is the newest spec.
fn is_supported(v: &str) -> bool {
    matches!(v, "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7")
}
