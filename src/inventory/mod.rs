//! What a shipped release contains, read from its SBOM or its binary: one [`Inventory`] type
//! whatever the input, for `cargo cra scan`.
//!
//! Readers: CycloneDX JSON 1.2 to 1.7 from any generator ([`cyclonedx`]), SPDX 2.x JSON
//! ([`spdx2`]), SPDX 3.0 JSON-LD ([`spdx3`]), and binaries built with `cargo auditable`
//! ([`auditable`]). The format is detected from the content, not from the file name
//! ([`read_bytes`]); [`walk`] expands folders into the inputs to read.
//!
//! Every reader deserializes into typed structs that borrow from the input and skip what is
//! not needed (no JSON tree per document), so a document costs about one pass of the JSON
//! parser and memory stays bounded by the largest file.
//!
//! Components identified by a `pkg:cargo` purl with a semver version become [`Component`]s;
//! everything else (npm packages, the `rust-std` toolchain component, components without a
//! purl, cargo purls without a usable version) is kept in [`Inventory::unchecked`] with the
//! reason, never dropped.

pub mod auditable;
pub mod cyclonedx;
pub mod spdx2;
pub mod spdx3;
mod walk;

pub use walk::{Entry, Listed, classify_bytes, list, walk};

use crate::error::{Error, Result};
use crate::purl::{self, CargoPurlError, CargoSource};
use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// The format an [`Inventory`] was read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputFormat {
    /// CycloneDX JSON, with its `specVersion` (`1.6`).
    CycloneDx {
        /// `specVersion`.
        spec_version: String,
    },
    /// SPDX 2 JSON, with its version (`2.3`, from `spdxVersion: SPDX-2.3`).
    Spdx2 {
        /// The version after `SPDX-`.
        version: String,
    },
    /// SPDX 3 JSON-LD, with the `specVersion` of its creation info (`3.0.1`).
    Spdx3 {
        /// `specVersion` (`3.0` when the document does not say).
        version: String,
    },
    /// The dependency list `cargo auditable` embeds in a binary.
    Auditable,
}

impl fmt::Display for InputFormat {
    /// `cyclonedx-1.6`, `spdx-2.3`, `spdx-3.0.1`, `auditable`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputFormat::CycloneDx { spec_version } => write!(f, "cyclonedx-{spec_version}"),
            InputFormat::Spdx2 { version } | InputFormat::Spdx3 { version } => {
                write!(f, "spdx-{version}")
            }
            InputFormat::Auditable => f.write_str("auditable"),
        }
    }
}

/// The crates (and other components) of one shipped release, read from one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// The input file as given or walked.
    pub path: Utf8PathBuf,
    /// The format it was read from.
    pub format: InputFormat,
    /// CycloneDX `serialNumber` (`urn:uuid:...`), SPDX 2 `documentNamespace`, SPDX 3 document
    /// `spdxId`.
    pub serial_number: Option<String>,
    /// CycloneDX `version`.
    pub bom_version: Option<u32>,
    /// The product as a crate: CycloneDX `metadata.component`, the SPDX described package, the
    /// auditable root package; `None` when the SBOM names none or names it without a
    /// `pkg:cargo` purl with a semver version (its name and version are still in
    /// [`Inventory::product_name`] / [`Inventory::product_version`]).
    pub product: Option<Component>,
    /// The product's name as the input writes it, also when the product is not a crate.
    pub product_name: Option<String>,
    /// The product's version as the input writes it (any string), also when not semver.
    pub product_version: Option<String>,
    /// Every `pkg:cargo` component with a semver version (nested ones too), the product and
    /// its own parts excluded, sorted by name, version and source, one per
    /// (name, version, source).
    pub components: Vec<Component>,
    /// Components that are not checked against RustSec (not `pkg:cargo`, no purl, or a cargo
    /// purl without a semver version), with the reason; sorted.
    pub unchecked: Vec<Unchecked>,
    /// Target triples the input records (our `cargo-cra:target`, cargo-cyclonedx's
    /// `cdx:rustc:sbom:target:triple`), sorted; empty when unknown.
    pub targets: Vec<String>,
    /// Lowercase hex SHA-256 of the input file.
    pub sha256: String,
}

/// One crate of an [`Inventory`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Component {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: semver::Version,
    /// The purl as the input writes it (for binaries: built with [`purl::cargo`]).
    pub purl: String,
    /// CycloneDX `bom-ref`, SPDX 2 `SPDXID`, SPDX 3 `spdxId`.
    pub bom_ref: Option<String>,
    /// Where the crate comes from (purl qualifiers; path crates as the SBOM marks them).
    pub source: CargoSource,
    /// crates.io only by default: the purl has no qualifier and the SBOM records nothing else
    /// about where the crate comes from (no checksum, no download location, no property), so
    /// a path crate named like a crates.io crate would look the same. The scan matches it
    /// (fail closed) and says so in the finding.
    pub source_assumed: bool,
}

/// A component that is not checked against RustSec, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unchecked {
    /// Name, if the input gives one.
    pub name: Option<String>,
    /// Version as written, if any.
    pub version: Option<String>,
    /// The purl as written, if any.
    pub purl: Option<String>,
    /// The component type (`library`, `file`, ...), if the input gives one.
    pub kind: Option<String>,
    /// Why it is not checked, in the user's words.
    pub reason: String,
}

impl Unchecked {
    /// How to name it: the purl, else `name@version`, else the name, else `(unnamed)`.
    pub fn id(&self) -> String {
        if let Some(p) = &self.purl {
            return p.clone();
        }
        match (&self.name, &self.version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            (Some(n), None) => n.clone(),
            (None, _) => "(unnamed)".to_string(),
        }
    }
}

/// Reads one input file (SBOM or binary), detecting its format from the content.
pub fn read(path: &Utf8Path) -> Result<Inventory> {
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    read_bytes(path, &bytes)
}

/// Reads an input already in memory (`bytes` is the whole file at `path`), detecting its
/// format from the content: CycloneDX, SPDX 2 or SPDX 3 JSON, or a binary with `cargo
/// auditable` data. Errors name the file and what is wrong.
pub fn read_bytes(path: &Utf8Path, bytes: &[u8]) -> Result<Inventory> {
    let sha256 = crate::fsutil::sha256_hex(bytes);
    let mut inv = match detect(bytes) {
        Detected::Binary(_) => auditable::read(path, bytes)?,
        Detected::Json(JsonKind::CycloneDx) => cyclonedx::read(path, json_text(path, bytes)?)?,
        Detected::Json(JsonKind::Spdx2) => spdx2::read(path, json_text(path, bytes)?)?,
        Detected::Json(JsonKind::Spdx3) => spdx3::read(path, json_text(path, bytes)?)?,
        Detected::Json(JsonKind::Unknown) => {
            // Parse it fully first, so that a broken SBOM gets its syntax error, not a guess.
            let text = json_text(path, bytes)?;
            serde_json::from_str::<serde::de::IgnoredAny>(text)
                .map_err(|e| json_error(path, text, &e))?;
            return Err(Error::malformed(
                path,
                "JSON, but neither a CycloneDX BOM (no `bomFormat`) nor an SPDX document (no `spdxVersion` or SPDX 3 `@context`)",
            ));
        }
        Detected::Other(what) => {
            return Err(Error::malformed(
                path,
                format!(
                    "{what}, not an SBOM (CycloneDX or SPDX JSON) or a binary built with cargo auditable"
                ),
            ));
        }
    };
    inv.sha256 = sha256;
    Ok(inv)
}

/// What a file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    /// An executable or library (ELF, PE, Mach-O, WebAssembly): `cargo auditable` data may be in it.
    Binary(&'static str),
    /// A JSON object, with what it looks like.
    Json(JsonKind),
    /// Anything else, described (`empty file`, `CycloneDX XML`, `SPDX tag-value`, ...).
    Other(&'static str),
}

/// Which SBOM format a JSON object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonKind {
    CycloneDx,
    Spdx2,
    Spdx3,
    Unknown,
}

/// How much of a file the format sniffing looks at before it parses the whole file.
pub(crate) const SNIFF_LEN: usize = 64 * 1024;

/// Classifies `bytes` (a whole file, or at least its first [`SNIFF_LEN`] bytes; `complete`
/// says which).
pub(crate) fn detect(bytes: &[u8]) -> Detected {
    detect_head(bytes, true)
}

pub(crate) fn detect_head(bytes: &[u8], complete: bool) -> Detected {
    if let Some(kind) = binary_kind(bytes) {
        return Detected::Binary(kind);
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Detected::Other(if bytes.is_empty() {
            "empty file"
        } else {
            "blank file"
        });
    };
    let head = &text[start..text.len().min(start + SNIFF_LEN)];
    match head[0] {
        b'{' => {
            let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
            if has(b"\"bomFormat\"") {
                Detected::Json(JsonKind::CycloneDx)
            } else if has(b"\"spdxVersion\"") {
                Detected::Json(JsonKind::Spdx2)
            } else if has(b"\"@context\"") && (has(b"spdx.org/rdf/3") || has(b"\"@graph\"")) {
                Detected::Json(JsonKind::Spdx3)
            } else if complete || head.len() < SNIFF_LEN {
                Detected::Json(markers(text).unwrap_or(JsonKind::Unknown))
            } else {
                Detected::Json(JsonKind::Unknown)
            }
        }
        b'<' => {
            let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
            if has(b"cyclonedx.org/schema/bom") {
                Detected::Other("a CycloneDX XML BOM (only CycloneDX JSON is read)")
            } else if has(b"spdx.org/rdf") {
                Detected::Other("an SPDX RDF/XML document (only SPDX JSON is read)")
            } else {
                Detected::Other("an XML or HTML file")
            }
        }
        _ if head.starts_with(b"SPDXVersion:")
            || memchr::memmem::find(head, b"\nSPDXVersion:").is_some() =>
        {
            Detected::Other("an SPDX tag-value document (only SPDX JSON is read)")
        }
        _ => Detected::Other("not JSON"),
    }
}

/// The top-level keys that tell the formats apart, for JSON whose first bytes did not.
fn markers(text: &[u8]) -> Option<JsonKind> {
    #[derive(Deserialize)]
    struct Markers {
        #[serde(rename = "bomFormat")]
        bom_format: Option<serde::de::IgnoredAny>,
        #[serde(rename = "spdxVersion")]
        spdx_version: Option<serde::de::IgnoredAny>,
        #[serde(rename = "@graph")]
        graph: Option<serde::de::IgnoredAny>,
    }
    let m: Markers = serde_json::from_slice(text).ok()?;
    Some(if m.bom_format.is_some() {
        JsonKind::CycloneDx
    } else if m.spdx_version.is_some() {
        JsonKind::Spdx2
    } else if m.graph.is_some() {
        JsonKind::Spdx3
    } else {
        JsonKind::Unknown
    })
}

/// The binary format of an executable or library, from its magic number.
fn binary_kind(b: &[u8]) -> Option<&'static str> {
    let magic = b.get(..4)?;
    match magic {
        [0x7f, b'E', b'L', b'F'] => Some("ELF"),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => Some("Mach-O"),
        // Fat Mach-O (a Java class file has the same magic; its next bytes are a version, a
        // fat header's are an architecture count, small).
        [0xca, 0xfe, 0xba, 0xbe]
            if b.get(4..8)
                .is_some_and(|n| n[..3] == [0, 0, 0] && (1..20).contains(&n[3])) =>
        {
            Some("Mach-O")
        }
        [0, b'a', b's', b'm'] => Some("WebAssembly"),
        [b'M', b'Z', ..] => Some("PE"),
        _ => None,
    }
}

/// The file as UTF-8 text, without a byte-order mark.
fn json_text<'a>(path: &Utf8Path, bytes: &'a [u8]) -> Result<&'a str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, col) = crate::fsutil::line_col(
            // Up to the bad byte the text is valid.
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
            e.valid_up_to(),
        );
        Error::malformed(
            format!("{path}:{line}:{col}"),
            "the file is not valid UTF-8",
        )
    })
}

/// A serde_json error as `path:line:col: what is wrong`, in the user's words.
pub(crate) fn json_error(path: &Utf8Path, _text: &str, e: &serde_json::Error) -> Error {
    let msg = e.to_string();
    // serde_json appends " at line L column C"; we put the position in front instead.
    let msg = match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    let msg = match e.classify() {
        serde_json::error::Category::Eof => "the JSON ends early (truncated file?)".to_string(),
        // serde's words for JSON's: a map is an object, a sequence an array.
        _ => msg
            .replace("type: map", "type: object")
            .replace("type: sequence", "type: array")
            .replace("expected a sequence", "expected an array"),
    };
    if e.line() == 0 {
        Error::malformed(path, msg)
    } else {
        Error::malformed(format!("{path}:{}:{}", e.line(), e.column().max(1)), msg)
    }
}

/// A JSON string that borrows from the input when it has no escapes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Str<'a>(pub(crate) Cow<'a, str>);

impl<'a> Str<'a> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A `[...]` list that may also be written as one value (JSON-LD compaction), or `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged, expecting = "a value or a list of values")]
        enum Raw<T> {
            Many(Vec<T>),
            One(T),
        }
        Ok(match Option::<Raw<T>>::deserialize(d)? {
            None => OneOrMany(Vec::new()),
            Some(Raw::Many(v)) => OneOrMany(v),
            Some(Raw::One(t)) => OneOrMany(vec![t]),
        })
    }
}

/// What a reader found about one component, before it is sorted into the inventory.
pub(crate) struct Found<'a> {
    pub(crate) name: Option<&'a str>,
    pub(crate) version: Option<&'a str>,
    pub(crate) purl: Option<&'a str>,
    pub(crate) kind: Option<&'a str>,
    pub(crate) bom_ref: Option<&'a str>,
    /// A source the SBOM gives outside the purl (our `cargo-cra:source = path`, a `file:`
    /// download location or external reference).
    pub(crate) path_source: bool,
    /// Whether the SBOM records anything about where the crate comes from besides the purl:
    /// a checksum (registry and git crates have one in Cargo.lock, path crates none), a
    /// download location or external reference, a `cargo-cra:source` property.
    pub(crate) source_evidence: bool,
}

/// Whether a download location or reference URL is a local path (`file:`).
pub(crate) fn is_file_url(url: &str) -> bool {
    url.get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("file:"))
}

/// Whether an SPDX download location says anything (not `NONE`/`NOASSERTION`).
pub(crate) fn spdx_location_known(loc: &str) -> bool {
    !matches!(loc.trim(), "" | "NONE" | "NOASSERTION")
}

/// Whether an SPDX comment carries our `cargo-cra:source: path` line (our SPDX SBOMs keep the
/// CycloneDX properties in the comment).
pub(crate) fn comment_says_path(comment: Option<&str>) -> bool {
    comment.is_some_and(|c| c.lines().any(|l| l.trim() == "cargo-cra:source: path"))
}

/// A crate or the reason it is not one.
pub(crate) fn classify(f: &Found<'_>) -> std::result::Result<Component, Unchecked> {
    let unchecked = |reason: String| Unchecked {
        name: f.name.map(str::to_string),
        version: f.version.map(str::to_string),
        purl: f.purl.map(str::to_string),
        kind: f.kind.map(str::to_string),
        reason,
    };
    let Some(p) = f.purl else {
        return Err(unchecked("no package URL (purl)".into()));
    };
    match purl::cargo_parts(p) {
        Ok(c) => Ok(Component {
            source_assumed: !f.path_source
                && !f.source_evidence
                && c.source.is_crates_io()
                && !p.contains('?'),
            name: c.name,
            version: c.version,
            purl: p.to_string(),
            bom_ref: f.bom_ref.map(str::to_string),
            source: if f.path_source {
                CargoSource::Path
            } else {
                c.source
            },
        }),
        Err(CargoPurlError::NotCargo) => Err(unchecked(match purl::parse(p) {
            Some(parsed) => format!("not a crate (purl type `{}`)", parsed.ty),
            None => "the purl is not a valid package URL".into(),
        })),
        Err(CargoPurlError::Unusable(reason)) => Err(unchecked(reason)),
    }
}

/// Collects components into an inventory's sorted, deduplicated lists.
#[derive(Default)]
pub(crate) struct Collector {
    components: Vec<Component>,
    unchecked: Vec<Unchecked>,
    targets: Vec<String>,
}

impl Collector {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Collector {
            components: Vec::with_capacity(n),
            ..Collector::default()
        }
    }

    pub(crate) fn add(&mut self, f: &Found<'_>) {
        match classify(f) {
            Ok(c) => self.components.push(c),
            Err(u) => self.unchecked.push(u),
        }
    }

    pub(crate) fn push(&mut self, c: Component) {
        self.components.push(c);
    }

    pub(crate) fn target(&mut self, t: &str) {
        let t = t.trim();
        if !t.is_empty() {
            self.targets.push(t.to_string());
        }
    }

    /// The inventory, with the product and the product's own parts (same name and version:
    /// cargo-cyclonedx's per-target components, cdxgen's workspace members) left out of the
    /// components. `own` are the (name, version) of the product's parts.
    pub(crate) fn finish(
        mut self,
        head: Head,
        product: Option<Component>,
        own: &[(String, String)],
    ) -> Inventory {
        let is_own = |c: &Component| {
            own.iter().any(|(n, v)| {
                *n == c.name && semver::Version::parse(v).is_ok_and(|v| v == c.version)
            })
        };
        let is_product = |c: &Component| {
            product
                .as_ref()
                .is_some_and(|p| p.name == c.name && p.version == c.version)
        };
        self.components.retain(|c| !is_product(c));
        for c in &mut self.components {
            // A workspace member the SBOM lists like a registry crate is still the product's
            // own code, not the crates.io crate of that name.
            if is_own(c) {
                c.source = CargoSource::Path;
            }
        }
        self.components.sort_by(|a, b| {
            (&a.name, &a.version, &a.source, &a.purl)
                .cmp(&(&b.name, &b.version, &b.source, &b.purl))
        });
        self.components
            .dedup_by(|a, b| a.name == b.name && a.version == b.version && a.source == b.source);
        self.unchecked.sort();
        self.unchecked.dedup();
        self.targets.sort();
        self.targets.dedup();
        Inventory {
            path: head.path,
            format: head.format,
            serial_number: head.serial_number,
            bom_version: head.bom_version,
            product,
            product_name: head.product_name,
            product_version: head.product_version,
            components: self.components,
            unchecked: self.unchecked,
            targets: self.targets,
            sha256: String::new(),
        }
    }
}

/// The document-level facts a reader passes to [`Collector::finish`].
pub(crate) struct Head {
    pub(crate) path: Utf8PathBuf,
    pub(crate) format: InputFormat,
    pub(crate) serial_number: Option<String>,
    pub(crate) bom_version: Option<u32>,
    pub(crate) product_name: Option<String>,
    pub(crate) product_version: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"\x7fELF\x02\x01"), Detected::Binary("ELF"));
        assert_eq!(detect(b"MZ\x90\x00"), Detected::Binary("PE"));
        assert_eq!(detect(b"\xcf\xfa\xed\xfe\x07"), Detected::Binary("Mach-O"));
        assert_eq!(detect(b"\0asm\x01\0\0\0"), Detected::Binary("WebAssembly"));
        assert_eq!(
            detect(b"\xca\xfe\xba\xbe\0\0\0\x34"),
            Detected::Other("not JSON")
        );
        assert_eq!(
            detect(b" {\"bomFormat\": \"CycloneDX\"}"),
            Detected::Json(JsonKind::CycloneDx)
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF{\"spdxVersion\": \"SPDX-2.3\"}"),
            Detected::Json(JsonKind::Spdx2)
        );
        assert_eq!(
            detect(b"{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\", \"@graph\": []}"),
            Detected::Json(JsonKind::Spdx3)
        );
        assert_eq!(
            detect(b"{\"name\": \"x\"}"),
            Detected::Json(JsonKind::Unknown)
        );
        assert_eq!(detect(b""), Detected::Other("empty file"));
        assert!(matches!(
            detect(b"<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">"),
            Detected::Other(m) if m.contains("CycloneDX XML")
        ));
        assert!(matches!(
            detect(b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0"),
            Detected::Other(m) if m.contains("tag-value")
        ));
        // A marker beyond the sniffed head is still found by parsing the top-level keys.
        let mut late = String::from("{\"a\": \"");
        late.push_str(&"x".repeat(SNIFF_LEN));
        late.push_str("\", \"bomFormat\": \"CycloneDX\"}");
        assert_eq!(detect(late.as_bytes()), Detected::Json(JsonKind::CycloneDx));
    }

    #[test]
    fn classify_sorts_crates_from_the_rest() {
        let f = |purl: Option<&'static str>| Found {
            name: Some("n"),
            version: Some("1"),
            purl,
            kind: Some("library"),
            bom_ref: None,
            path_source: false,
            source_evidence: false,
        };
        assert!(classify(&f(Some("pkg:cargo/serde@1.0.0"))).is_ok());
        let u = classify(&f(Some("pkg:npm/left-pad@1.3.0"))).unwrap_err();
        assert_eq!(u.reason, "not a crate (purl type `npm`)");
        assert_eq!(u.id(), "pkg:npm/left-pad@1.3.0");
        let u = classify(&f(None)).unwrap_err();
        assert_eq!(
            (u.reason.as_str(), u.id().as_str()),
            ("no package URL (purl)", "n@1")
        );
        let u = classify(&f(Some("pkg:cargo/x@latest"))).unwrap_err();
        assert!(
            u.reason.contains("`latest` is not a semver version"),
            "{}",
            u.reason
        );
        let u = classify(&f(Some("cargo:x"))).unwrap_err();
        assert_eq!(u.reason, "the purl is not a valid package URL");
    }

    #[test]
    fn json_errors_name_the_position_not_types() {
        let text = "{\n  \"a\": [1,\n";
        let e = serde_json::from_str::<serde::de::IgnoredAny>(text).unwrap_err();
        let msg = json_error(Utf8Path::new("x.json"), text, &e).to_string();
        assert!(msg.starts_with("x.json:"), "{msg}");
        assert!(msg.contains("ends early"), "{msg}");
    }
}
