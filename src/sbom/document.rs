//! Assembles one BOM per artifact: the product as `metadata.component`, the linked packages
//! as `components`, the dependency graph, the completeness statement, and the document fields
//! (serial number, timestamp, tool, manufacturer, lifecycle).
//!
//! Determinism: every list is sorted, `bom-ref`s are purls (no paths), the timestamp comes from
//! `SOURCE_DATE_EPOCH` when set, and the serial number is derived from the content (a SHA-256
//! of the document without it, laid out as a version-5 UUID). So the same inputs give the
//! same bytes on any machine and in any checkout path.

use super::artifacts::{Artifact, Kind};
use super::components::{is_url, prop, push_manifest_links, sort_refs};
use super::model::{
    Bom, Component, Composition, Dependency, ExternalReference, Hash, Lifecycle, Metadata,
    OrganizationalEntity, Property, Spec, Tools,
};
use super::tree::LinkGraph;
use crate::checks::product::{ProductMeta, product_metadata};
use crate::error::{Error, Result};
use crate::workspace::Workspace;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Document-wide facts shared by every BOM of one run.
#[derive(Debug, Clone)]
pub struct DocContext {
    /// CycloneDX version.
    pub spec: Spec,
    /// `metadata.timestamp`.
    pub timestamp: String,
    /// Profile name (`dev`, `release`, ...).
    pub profile: String,
    /// The host triple (for artifacts built without `--target`).
    pub host: String,
    /// Document properties (advisory database revision, ...), sorted.
    pub properties: Vec<Property>,
    /// `rustc -vV` of the toolchain whose standard library is linked into every artifact.
    pub rustc_vv: String,
}

/// Purl prefix of the Rust standard library component (no purl type exists for the Rust
/// toolchain; `generic` is the purl spec's type for such cases).
pub const RUST_STD_PURL_PREFIX: &str = "pkg:generic/rust-std@";

/// The Rust standard library (`std`, `core`, `alloc`, ...) of the toolchain, as one
/// component. Every Rust artifact links it statically (BSI TR-03183-2: list every component
/// the linker used, statically linked ones included), yet it comes from the toolchain, not
/// from Cargo.lock, so `cargo tree` does not list it. Its deployable form is rustup's
/// `rust-std` archive for the target; no SHA-512 of that archive exists locally, so the
/// hash is omitted with a note as for uncached crates.
fn rust_std_component(rustc_vv: &str, triple: &str) -> Option<Component> {
    let field = |key: &str| {
        rustc_vv
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
    };
    let release = field("release:")?;
    let commit = field("commit-hash:").filter(|c| c != "unknown");
    let mut purl = format!("{RUST_STD_PURL_PREFIX}{release}");
    if let Some(c) = &commit {
        purl.push_str(&format!(
            "?vcs_url=git%2Bhttps://github.com/rust-lang/rust%40{c}"
        ));
    }
    // Stable releases are published under their version; nightly and beta under the channel.
    let channel = if release.contains("nightly") {
        "nightly"
    } else if release.contains("beta") {
        "beta"
    } else {
        release.as_str()
    };
    let archive = format!("rust-std-{channel}-{triple}.tar.xz");
    let mut refs = vec![
        ExternalReference::new(
            "distribution",
            format!("https://static.rust-lang.org/dist/{archive}"),
        ),
        ExternalReference::new("website", "https://www.rust-lang.org"),
    ];
    if let Some(c) = &commit {
        refs.push(ExternalReference::new(
            "source-distribution",
            format!("https://github.com/rust-lang/rust/tree/{c}/library"),
        ));
        refs.push(ExternalReference::new(
            "vcs",
            "https://github.com/rust-lang/rust",
        ));
    }
    sort_refs(&mut refs);
    let mut properties = vec![
        Property::new("bsi:component:filename", archive),
        Property::new("bsi:component:executable", "non-executable"),
        Property::new("bsi:component:archive", "archive"),
        Property::new("bsi:component:structured", "structured"),
        Property::new("bsi:component:effectiveLicense", "MIT OR Apache-2.0"),
        Property::new("bsi:component:effectiveLicence", "MIT OR Apache-2.0"),
        Property::new("cargo-cra:source", "toolchain"),
        Property::new(
            "cargo-cra:sha512-omitted",
            "toolchain component: the rust-std archive is not kept locally",
        ),
    ];
    properties.sort();
    Some(Component {
        kind: "library",
        bom_ref: Some(purl.clone()),
        manufacturer: Some(OrganizationalEntity {
            name: Some("The Rust Project Developers".into()),
            url: vec!["https://www.rust-lang.org".into()],
            ..OrganizationalEntity::default()
        }),
        name: "rust-std".into(),
        version: Some(release),
        description: Some("The Rust standard library (std, core, alloc), linked statically".into()),
        // What the standard library's manifests declare, and what applies.
        licenses: vec![
            crate::sbom::components::license_choice("MIT OR Apache-2.0", "declared"),
            crate::sbom::components::license_choice("MIT OR Apache-2.0", "concluded"),
        ],
        purl: Some(purl),
        external_references: refs,
        properties,
        ..Component::default()
    })
}

/// SHA-256 and SHA-512 (lowercase hex) of an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    /// SHA-256.
    pub sha256: String,
    /// SHA-512.
    pub sha512: String,
}

impl Digests {
    /// Hashes a file, streaming it (release artifacts can be hundreds of megabytes); SHA-256
    /// runs on a second thread while this one computes SHA-512, so the file is read once
    /// and the wall time is that of the slower digest.
    pub fn of_file(path: &camino::Utf8Path) -> Result<Digests> {
        use sha2::Digest;
        use std::io::Read;
        use std::sync::Arc;
        let mut f = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Arc<Vec<u8>>>(4);
        std::thread::scope(|s| {
            let sha256 = s.spawn(move || {
                let mut h = sha2::Sha256::new();
                for chunk in rx {
                    h.update(&chunk[..]);
                }
                hex::encode(h.finalize())
            });
            let mut h = sha2::Sha512::new();
            let read = loop {
                let mut buf = vec![0u8; 1 << 20];
                let n = match f.read(&mut buf) {
                    Ok(0) => break Ok(()),
                    Ok(n) => n,
                    Err(e) => break Err(Error::read(path, e)),
                };
                buf.truncate(n);
                let chunk = Arc::new(buf);
                h.update(&chunk[..]);
                if tx.send(chunk).is_err() {
                    break Err(Error::other("the SHA-256 thread stopped"));
                }
            };
            drop(tx);
            let sha256 = sha256
                .join()
                .map_err(|_| Error::other("the SHA-256 thread panicked"))?;
            read?;
            Ok(Digests {
                sha256,
                sha512: hex::encode(h.finalize()),
            })
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` in UTC.
pub fn format_timestamp(t: time::OffsetDateTime) -> Result<String> {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .map_err(|e| Error::other(format!("failed to format the timestamp: {e}")))
}

/// The product's manufacturer as an organizational entity.
fn manufacturer(meta: &ProductMeta) -> Option<OrganizationalEntity> {
    super::components::manufacturer_entity(meta.manufacturer.as_ref()?)
}

/// `rfc-9116` for a security.txt URL (BSI's optional "security.txt URL" field), else
/// `security-contact`.
fn contact_kind(url: &str) -> &'static str {
    if url.starts_with("https://") && url.ends_with("/security.txt") {
        "rfc-9116"
    } else {
        "security-contact"
    }
}

/// The product component (`metadata.component`) for one artifact.
fn product_component(
    ws: &Workspace,
    policy: &crate::policy::Policy,
    artifact: &Artifact,
    digests: &Digests,
    ctx: &DocContext,
) -> Result<Component> {
    let pkg = &ws.graph.pkgs[artifact.expected.pkg];
    let meta = ws
        .meta_pkg(pkg)
        .ok_or_else(|| Error::other(format!("no metadata for package `{}`", pkg.name)))?;
    let pm = product_metadata(ws, meta);
    // Declared and concluded: the facts every format takes from (CycloneDX 1.6 keeps one).
    let license = super::components::licenses(&policy.licenses, meta, Spec::V1_7);

    let mut refs = Vec::new();
    if let Some(sc) = pm.security_contact.as_deref().filter(|u| is_url(u)) {
        let mut r = ExternalReference::new(contact_kind(sc), sc);
        r.comment =
            Some("single point of contact for vulnerability reports (CRA Annex II (2))".into());
        refs.push(r);
    }
    let mut properties = Vec::new();
    if let Some(p) = pm.vulnerability_disclosure_policy.as_deref() {
        if is_url(p) {
            // "security-contact" covers "links to a disclosure procedure" (CycloneDX 1.6).
            let mut r = ExternalReference::new(contact_kind(p), p);
            r.comment = Some(
                "coordinated vulnerability disclosure policy (CRA Annex I Part II (5))".into(),
            );
            refs.push(r);
        } else {
            // A file in the package: recorded as written (relative), never as a local path.
            let rel = camino::Utf8Path::new(p);
            let shown = if rel.is_absolute() {
                rel.file_name().unwrap_or(p)
            } else {
                p
            };
            properties.push(Property::new(
                "cargo-cra:vulnerability-disclosure-policy",
                shown,
            ));
        }
    }
    if let Some(d) = pm
        .declaration_of_conformity
        .as_deref()
        .filter(|u| is_url(u))
    {
        let mut r = ExternalReference::new("documentation", d);
        r.comment = Some("EU declaration of conformity (CRA Annex II (6))".into());
        refs.push(r);
    }
    if let Some(s) = pm.sbom_url.as_deref().filter(|u| is_url(u)) {
        let mut r = ExternalReference::new("bom", s);
        r.comment = Some("where the SBOM is published (CRA Annex II (9))".into());
        refs.push(r);
    }
    push_manifest_links(&mut refs, meta);
    sort_refs(&mut refs);

    // A linked program or shared library is machine code in no archive format; a static
    // library is an `ar` archive of object files (BSI TR-03183-2 section 8.1.6).
    let (archive, kind) = match artifact.expected.kind {
        Kind::Bin => ("no archive", "application"),
        Kind::Cdylib => ("no archive", "library"),
        Kind::Staticlib => ("archive", "library"),
    };
    properties.extend([
        Property::new(prop::FILENAME, artifact.file_name()),
        Property::new(prop::EXECUTABLE, "executable"),
        Property::new(prop::ARCHIVE, archive),
        Property::new(prop::STRUCTURED, "unstructured"),
        Property::new("cargo-cra:artifact-kind", artifact.expected.kind.as_str()),
        Property::new(
            "cargo-cra:target",
            artifact
                .expected
                .triple
                .clone()
                .unwrap_or_else(|| ctx.host.clone()),
        ),
        Property::new("cargo-cra:profile", ctx.profile.clone()),
    ]);
    properties.extend(license.properties());
    if let Some(d) = pm.support_end_date {
        properties.push(Property::new(
            "cdx:lifecycle:milestone:endOfSupport",
            d.to_string(),
        ));
    }
    if let Some(d) = pm
        .release_date
        .as_deref()
        .and_then(crate::checks::product::parse_start_date)
    {
        properties.push(Property::new("cargo-cra:release-date", d.to_string()));
    }
    if let Some(c) = &pm.product_class {
        properties.push(Property::new("cargo-cra:product-class", c.clone()));
    }
    if let Some(p) = &pm.intended_purpose {
        properties.push(Property::new("cargo-cra:intended-purpose", p.clone()));
    }
    properties.sort();

    Ok(Component {
        kind,
        bom_ref: Some(pkg.purl.clone()),
        manufacturer: manufacturer(&pm),
        name: pkg.name.clone(),
        version: Some(pkg.version.to_string()),
        description: meta
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        hashes: vec![
            Hash::sha256(digests.sha256.clone()),
            Hash::sha512(digests.sha512.clone()),
        ],
        licenses: license.choices,
        purl: Some(pkg.purl.clone()),
        external_references: refs,
        properties,
    })
}

/// cargo-cra itself, for `metadata.tools`.
fn tool() -> Component {
    Component {
        kind: "application",
        name: "cargo-cra".into(),
        version: Some(crate::VERSION.into()),
        purl: Some(format!("pkg:cargo/cargo-cra@{}", crate::VERSION)),
        external_references: vec![ExternalReference::new("vcs", env!("CARGO_PKG_REPOSITORY"))],
        ..Component::default()
    }
}

/// Builds the BOM of one artifact. `link` is the link graph of the artifact's target,
/// `components` the prepared component of every package that may appear.
pub fn build(
    ws: &Workspace,
    policy: &crate::policy::Policy,
    artifact: &Artifact,
    digests: &Digests,
    link: &LinkGraph,
    components: &HashMap<usize, Component>,
    ctx: &DocContext,
) -> Result<Bom> {
    let root = artifact.expected.pkg;
    let product = product_component(ws, policy, artifact, digests, ctx)?;
    let nodes = link.closure(root);
    let mut comps: Vec<Component> = Vec::with_capacity(nodes.len());
    for &n in nodes.iter().filter(|&&n| n != root) {
        let c = components.get(&n).ok_or_else(|| {
            Error::other(format!(
                "no component prepared for `{}`",
                ws.graph.pkgs[n].name
            ))
        })?;
        let mut c = c.clone();
        // A first-party package that declares no creator of its own was made by the
        // product's manufacturer (BSI TR-03183-2 asks a creator of every component).
        if c.manufacturer.is_none() && ws.graph.pkgs[n].kind == crate::workspace::SourceKind::Path {
            c.manufacturer = product.manufacturer.clone();
        }
        comps.push(c);
    }
    comps.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));

    let refs: BTreeMap<usize, String> = nodes
        .iter()
        .map(|&n| (n, ws.graph.pkgs[n].purl.clone()))
        .collect();
    let unique: BTreeSet<&String> = refs.values().collect();
    if unique.len() != refs.len() {
        // Two packages with one purl (same name and version from sources the purl cannot
        // tell apart): the graph could not be expressed without ambiguity.
        return Err(Error::other(format!(
            "two packages linked into `{}` have the same package URL; cannot write an unambiguous SBOM",
            artifact.file_name()
        )));
    }
    let triple = artifact.expected.triple.as_deref().unwrap_or(&ctx.host);
    let std = rust_std_component(&ctx.rustc_vv, triple);
    let std_ref = std.as_ref().and_then(|c| c.bom_ref.clone());
    let mut dependencies: Vec<Dependency> = nodes
        .iter()
        .map(|&n| {
            let mut depends_on: Vec<String> =
                link.deps(n).filter_map(|d| refs.get(&d).cloned()).collect();
            // The artifact links the standard library (as every crate in it does; the edge
            // is recorded once, at the product, which is where the linker adds it).
            if n == root {
                depends_on.extend(std_ref.clone());
            }
            depends_on.sort();
            depends_on.dedup();
            Dependency {
                reference: refs[&n].clone(),
                depends_on,
            }
        })
        .collect();
    let mut all: Vec<String> = unique.into_iter().cloned().collect();
    if let (Some(c), Some(r)) = (std, std_ref) {
        dependencies.push(Dependency {
            reference: r.clone(),
            depends_on: Vec::new(),
        });
        all.push(r);
        all.sort();
        comps.push(c);
        comps.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    }
    dependencies.sort();

    let manufacturer = product.manufacturer.clone();
    Ok(Bom {
        schema: ctx.spec.schema_url(),
        bom_format: "CycloneDX",
        spec_version: ctx.spec.as_str(),
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: ctx.timestamp.clone(),
            lifecycles: vec![Lifecycle { phase: "build" }],
            tools: Tools {
                components: vec![tool()],
            },
            manufacturer,
            component: product,
            properties: ctx.properties.clone(),
        },
        components: comps,
        dependencies,
        compositions: vec![Composition {
            aggregate: "complete",
            assemblies: all.clone(),
            dependencies: all,
        }],
    })
}

/// CycloneDX 1.6 holds one license expression per component: the declared one is left out
/// (the concluded one is what BSI requires; 1.7 and SPDX carry both).
fn fit_licenses_to_spec(bom: &mut Bom) {
    if bom.spec_version != Spec::V1_6.as_str() {
        return;
    }
    let keep = |l: &super::model::LicenseChoice| match l {
        super::model::LicenseChoice::Expression {
            acknowledgement, ..
        } => *acknowledgement != "declared",
        super::model::LicenseChoice::License { license } => license.acknowledgement != "declared",
    };
    bom.metadata.component.licenses.retain(keep);
    for c in &mut bom.components {
        c.licenses.retain(keep);
    }
}

/// Serializes a BOM (pretty JSON, trailing newline) with its serial number derived from the
/// rest of the content.
pub fn to_json(mut bom: Bom) -> Result<Vec<u8>> {
    fit_licenses_to_spec(&mut bom);
    let ser = |b: &Bom| {
        serde_json::to_vec_pretty(b)
            .map_err(|e| Error::other(format!("failed to serialize the SBOM: {e}")))
    };
    bom.serial_number = String::new();
    let digest = crate::fsutil::sha256_hex(&ser(&bom)?);
    bom.serial_number = format!("urn:uuid:{}", uuid_from_hex(&digest));
    let mut out = ser(&bom)?;
    out.push(b'\n');
    Ok(out)
}

/// The first 128 bits of a hex digest as a UUID with version 5 and the RFC 4122 variant
/// (the layout of a name-based UUID; the name is the document).
pub fn uuid_from_hex(hex_digest: &str) -> String {
    let mut b = [0u8; 16];
    for (i, byte) in b.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex_digest[2 * i..2 * i + 2], 16).unwrap_or(0);
    }
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_layout() {
        let u = uuid_from_hex(&crate::fsutil::sha256_hex(b"x"));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "5");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn security_txt_is_rfc_9116() {
        assert_eq!(
            contact_kind("https://example.com/.well-known/security.txt"),
            "rfc-9116"
        );
        assert_eq!(
            contact_kind("mailto:security@example.com"),
            "security-contact"
        );
        assert_eq!(
            contact_kind("https://example.com/security"),
            "security-contact"
        );
    }

    #[test]
    fn timestamp_format() {
        let t = time::OffsetDateTime::from_unix_timestamp(1796083200).unwrap();
        assert_eq!(format_timestamp(t).unwrap(), "2026-12-01T00:00:00Z");
    }
}
