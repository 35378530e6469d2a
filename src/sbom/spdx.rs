//! What the SPDX writers ([`super::spdx2`], [`super::spdx3`]) share: the facts of one SBOM
//! read off the document model that [`super::document::build`] assembles once per artifact
//! (the same facts the CycloneDX SBOM holds), in the shape SPDX asks for: one package per
//! component with its creator, licences, hashes, download and source locations and purl,
//! the distribution file of each, the dependency edges, and the product's CRA metadata.
//!
//! The mapping of every field is documented in `docs/sbom.md` ("SPDX").

use super::components::prop;
use super::model::{Bom, Component, LicenseChoice, OrganizationalEntity};
use crate::error::{Error, Result};

/// Who made something, as SPDX names agents.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Agent {
    /// `true`: an organization; `false`: a person (a cargo author).
    pub organization: bool,
    /// Name (for an entity with only a URL, the URL).
    pub name: String,
    /// Email address.
    pub email: Option<String>,
    /// Website.
    pub url: Option<String>,
}

impl Agent {
    /// The creator of a CycloneDX entity: an organization with a name, else its first
    /// contact with an email (a person), else its first named contact, else its URL.
    pub fn of(org: &OrganizationalEntity) -> Option<Agent> {
        let url = org.url.first().cloned();
        if let Some(name) = &org.name {
            let email = org.contact.iter().find_map(|c| c.email.clone());
            return Some(Agent {
                organization: true,
                name: name.clone(),
                email,
                url,
            });
        }
        let with_email = org.contact.iter().find(|c| c.email.is_some());
        if let Some(c) = with_email.or_else(|| org.contact.iter().find(|c| c.name.is_some())) {
            let name = c
                .name
                .clone()
                .or_else(|| c.email.clone())
                .unwrap_or_default();
            return Some(Agent {
                organization: false,
                name,
                email: c.email.clone(),
                url: if c.email.is_some() { None } else { url },
            });
        }
        url.map(|u| Agent {
            organization: true,
            name: u.clone(),
            email: None,
            url: Some(u),
        })
    }

    /// SPDX 2 form: `Organization: Name (email)` / `Person: Name (email)`.
    pub fn spdx2(&self) -> String {
        let kind = if self.organization {
            "Organization"
        } else {
            "Person"
        };
        // Parentheses delimit the email in this syntax: keep them out of the name.
        let name: String = self
            .name
            .chars()
            .map(|c| if matches!(c, '(' | ')') { ' ' } else { c })
            .collect();
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        match &self.email {
            Some(e) => format!("{kind}: {name} ({e})"),
            None => format!("{kind}: {name}"),
        }
    }
}

/// A licence as written in an SBOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Licence {
    /// A valid SPDX expression (canonical form).
    Expression(String),
    /// Text that is not an SPDX expression, carried as a `LicenseRef-`.
    Named(String),
}

impl Licence {
    /// The expression to write: the expression itself, or the `LicenseRef-` standing for the
    /// named licence (see [`license_ref`]).
    pub fn expression(&self) -> String {
        match self {
            Licence::Expression(e) => e.clone(),
            Licence::Named(n) => license_ref(n),
        }
    }
}

/// `LicenseRef-cargo-cra-<hash>` for licence text that is not SPDX: stable per text.
pub fn license_ref(text: &str) -> String {
    format!(
        "LicenseRef-cargo-cra-{}",
        &crate::fsutil::sha256_hex(text.as_bytes())[..16]
    )
}

/// The `LicenseRef-...` identifiers an expression uses (each must be defined in SPDX 2).
pub fn license_refs_in(expression: &str) -> Vec<String> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| t.starts_with("LicenseRef-") || t.starts_with("DocumentRef-"))
        .map(|t| t.rsplit(':').next().unwrap_or(t).to_string())
        .filter(|t| t.starts_with("LicenseRef-"))
        .collect()
}

/// The distribution file of a package (BSI: filename, SHA-512 of the deployable form,
/// executable/archive/structured).
#[derive(Debug, Clone)]
pub struct DistFile {
    /// File name, no path.
    pub name: String,
    /// SHA-256 (hex).
    pub sha256: Option<String>,
    /// SHA-512 (hex).
    pub sha512: Option<String>,
    /// `bsi:component:executable` is `executable`.
    pub executable: bool,
    /// `bsi:component:archive` is `archive`.
    pub archive: bool,
    /// `bsi:component:structured` is `structured`.
    pub structured: bool,
    /// Where it is downloaded (`distribution` reference).
    pub url: Option<String>,
    /// `true`: the package's own file; `false`: the package has no deployable form of its
    /// own and reaches users inside the product's artifact, which is this file.
    pub own: bool,
}

/// One package of an SPDX document: the product or a component.
#[derive(Debug, Clone)]
pub struct Package {
    /// Stable local identifier (letters, digits, `.`, `-`), unique in the document.
    pub id: String,
    /// The CycloneDX `bom-ref` (purl) it stands for.
    pub bom_ref: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// `application` or `library`.
    pub purpose: &'static str,
    /// Package URL.
    pub purl: Option<String>,
    /// Description from the manifest.
    pub description: Option<String>,
    /// The creator (supplier and originator).
    pub creator: Option<Agent>,
    /// The manifest's licence expression (declared).
    pub declared: Option<Licence>,
    /// The licence the gate judged (concluded).
    pub concluded: Option<Licence>,
    /// SHA-256 and SHA-512 of the package's own archive or artifact (hex).
    pub sha256: Option<String>,
    /// SHA-512 (hex).
    pub sha512: Option<String>,
    /// The download location: `distribution`, else the VCS (`git+URL@rev`), else none.
    pub download: Option<String>,
    /// Source distribution URL (`source-distribution`).
    pub source_url: Option<String>,
    /// VCS URL and the commit comment.
    pub vcs: Option<(String, Option<String>)>,
    /// Website.
    pub homepage: Option<String>,
    /// Documentation URL.
    pub documentation: Option<String>,
    /// Its distribution file.
    pub file: Option<DistFile>,
    /// Every property (BSI and cargo-cra), sorted, for the comment.
    pub properties: Vec<(String, String)>,
}

/// The product's CRA metadata that SPDX has places for.
#[derive(Debug, Clone, Default)]
pub struct ProductFacts {
    /// Security contact and CVD policy URLs, with what they are.
    pub security: Vec<(String, String)>,
    /// EU declaration of conformity URL.
    pub declaration_of_conformity: Option<String>,
    /// Where the SBOM is published.
    pub sbom_url: Option<String>,
    /// End of the support period (`YYYY-MM-DD`).
    pub support_end: Option<String>,
    /// Release date (`YYYY-MM-DD`).
    pub release_date: Option<String>,
}

/// Everything an SPDX writer needs, read off one BOM.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Document name: `<artifact file name>` of `<product> <version>`.
    pub name: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub created: String,
    /// The SBOM's creator (the manufacturer).
    pub creator: Option<Agent>,
    /// The product (first) and its components, sorted by `bom-ref`.
    pub packages: Vec<Package>,
    /// Dependency edges by index into `packages`: every package, with its direct
    /// dependencies (empty: none; the graph is complete).
    pub dependencies: Vec<(usize, Vec<usize>)>,
    /// The product's CRA metadata.
    pub product: ProductFacts,
    /// Document-level properties (advisory database revision, ...).
    pub properties: Vec<(String, String)>,
}

fn property<'a>(c: &'a Component, name: &str) -> Option<&'a str> {
    c.properties
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}

fn reference<'a>(c: &'a Component, kind: &str) -> Option<&'a super::model::ExternalReference> {
    c.external_references.iter().find(|r| r.kind == kind)
}

fn licence_of(c: &Component, acknowledgement: &str) -> Option<Licence> {
    c.licenses.iter().find_map(|l| match l {
        LicenseChoice::Expression {
            expression,
            acknowledgement: a,
        } if *a == acknowledgement => Some(Licence::Expression(expression.clone())),
        LicenseChoice::License { license } if license.acknowledgement == acknowledgement => {
            Some(Licence::Named(license.name.clone()))
        }
        _ => None,
    })
}

/// A local identifier from a purl: readable, restricted to SPDX's `idstring` characters,
/// with a short hash so that purls differing only in removed characters stay distinct.
pub fn local_id(kind: &str, c: &Component) -> String {
    let key = c.bom_ref.as_deref().unwrap_or(&c.name);
    let mut readable = format!("{}-{}", c.name, c.version.as_deref().unwrap_or(""));
    readable = readable
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' {
                ch
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "{kind}-{readable}-{}",
        &crate::fsutil::sha256_hex(key.as_bytes())[..8]
    )
}

fn package(c: &Component, product_file: Option<&DistFile>) -> Package {
    let hash = |alg: &str| {
        c.hashes
            .iter()
            .find(|h| h.alg == alg)
            .map(|h| h.content.clone())
    };
    let dist = reference(c, "distribution");
    let dist_hash = |alg: &str| {
        dist.and_then(|r| r.hashes.iter().find(|h| h.alg == alg))
            .map(|h| h.content.clone())
    };
    let vcs = reference(c, "vcs").map(|r| (r.url.clone(), r.comment.clone()));
    let download = dist.map(|r| r.url.clone()).or_else(|| {
        vcs.as_ref().map(|(url, comment)| {
            let rev = comment
                .as_deref()
                .and_then(|c| c.strip_prefix("commit "))
                .map(|r| format!("@{r}"))
                .unwrap_or_default();
            if url.starts_with("git+") {
                format!("{url}{rev}")
            } else {
                format!("git+{url}{rev}")
            }
        })
    });
    let sha256 = hash("SHA-256").or_else(|| dist_hash("SHA-256"));
    let sha512 = hash("SHA-512").or_else(|| dist_hash("SHA-512"));
    let filename = property(c, prop::FILENAME).map(str::to_string);
    let source = property(c, prop::SOURCE);
    // A path package or the toolchain's standard library has no deployable form of its own
    // that the build could hash: it reaches users compiled into the product's artifact.
    let own_file = match source {
        Some("path") | Some("toolchain") => false,
        _ => filename.is_some(),
    };
    let file = if own_file {
        filename.map(|name| DistFile {
            name,
            sha256: sha256.clone(),
            sha512: sha512.clone(),
            executable: property(c, prop::EXECUTABLE) == Some("executable"),
            archive: property(c, prop::ARCHIVE) == Some("archive"),
            structured: property(c, prop::STRUCTURED) == Some("structured"),
            url: dist.map(|r| r.url.clone()),
            own: true,
        })
    } else {
        product_file.map(|f| DistFile {
            own: false,
            ..f.clone()
        })
    };
    Package {
        id: local_id("Package", c),
        bom_ref: c.bom_ref.clone().unwrap_or_else(|| c.name.clone()),
        name: c.name.clone(),
        version: c.version.clone(),
        purpose: if c.kind == "application" {
            "application"
        } else {
            "library"
        },
        purl: c.purl.clone(),
        description: c.description.clone(),
        creator: c.manufacturer.as_ref().and_then(Agent::of),
        declared: licence_of(c, "declared"),
        concluded: licence_of(c, "concluded"),
        sha256: if own_file || c.kind == "application" {
            sha256
        } else {
            None
        },
        sha512: if own_file || c.kind == "application" {
            sha512
        } else {
            None
        },
        download,
        source_url: reference(c, "source-distribution").map(|r| r.url.clone()),
        vcs,
        homepage: reference(c, "website").map(|r| r.url.clone()),
        documentation: reference(c, "documentation").map(|r| r.url.clone()),
        file,
        properties: c
            .properties
            .iter()
            .map(|p| (p.name.clone(), p.value.clone()))
            .collect(),
    }
}

impl Facts {
    /// Reads the facts off a BOM built by [`super::document::build`] (with declared and
    /// concluded licences).
    pub fn of(bom: &Bom) -> Result<Facts> {
        let p = &bom.metadata.component;
        let mut product = package(p, None);
        // The product's own file is the artifact.
        product.file = property(p, prop::FILENAME).map(|name| DistFile {
            name: name.to_string(),
            sha256: product.sha256.clone(),
            sha512: product.sha512.clone(),
            executable: property(p, prop::EXECUTABLE) == Some("executable"),
            archive: property(p, prop::ARCHIVE) == Some("archive"),
            structured: property(p, prop::STRUCTURED) == Some("structured"),
            url: None,
            own: true,
        });
        let mut packages = vec![product];
        for c in &bom.components {
            packages.push(package(c, packages[0].file.as_ref()));
        }
        let index: std::collections::HashMap<&str, usize> = packages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.bom_ref.as_str(), i))
            .collect();
        if index.len() != packages.len() {
            return Err(Error::other(
                "two components of the SBOM have the same reference; cannot write SPDX",
            ));
        }
        let mut dependencies = Vec::new();
        for d in &bom.dependencies {
            let from = *index.get(d.reference.as_str()).ok_or_else(|| {
                Error::other(format!("dependency of unknown component `{}`", d.reference))
            })?;
            let mut to = Vec::new();
            for r in &d.depends_on {
                to.push(
                    *index
                        .get(r.as_str())
                        .ok_or_else(|| Error::other(format!("unknown dependency `{r}`")))?,
                );
            }
            dependencies.push((from, to));
        }
        let mut facts = ProductFacts::default();
        for r in &p.external_references {
            let what = r.comment.clone().unwrap_or_default();
            match r.kind {
                "security-contact" | "rfc-9116" => facts.security.push((r.url.clone(), what)),
                "documentation" if what.contains("declaration of conformity") => {
                    facts.declaration_of_conformity = Some(r.url.clone())
                }
                "bom" => facts.sbom_url = Some(r.url.clone()),
                _ => {}
            }
        }
        facts.support_end = property(p, "cdx:lifecycle:milestone:endOfSupport").map(str::to_string);
        facts.release_date = property(p, "cargo-cra:release-date").map(str::to_string);
        let version = p.version.as_deref().unwrap_or("");
        let artifact = property(p, prop::FILENAME).unwrap_or(&p.name);
        Ok(Facts {
            name: format!("{artifact} ({} {version})", p.name),
            created: bom.metadata.timestamp.clone(),
            creator: bom.metadata.manufacturer.as_ref().and_then(Agent::of),
            packages,
            dependencies,
            product: facts,
            properties: bom
                .metadata
                .properties
                .iter()
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect(),
        })
    }

    /// The product (always the first package).
    pub fn product(&self) -> &Package {
        &self.packages[0]
    }
}

/// The properties of a package as comment lines (`name: value`), sorted.
pub fn properties_comment(props: &[(String, String)]) -> Option<String> {
    if props.is_empty() {
        return None;
    }
    Some(
        props
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// A document namespace / IRI base derived from the content, so that the same inputs give
/// the same document: `https://spdx.org/spdxdocs/cargo-cra/<product>-<version>-<uuid>`.
/// `body` is the serialized document written with [`NAMESPACE_PLACEHOLDER`].
pub fn namespace(product: &Package, body: &[u8]) -> String {
    let uuid = super::document::uuid_from_hex(&crate::fsutil::sha256_hex(body));
    let mut name = format!(
        "{}-{}",
        product.name,
        product.version.as_deref().unwrap_or("")
    );
    name.retain(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
    format!("https://spdx.org/spdxdocs/cargo-cra/{name}-{uuid}")
}

/// Stands for the namespace while the content it is derived from is serialized.
pub const NAMESPACE_PLACEHOLDER: &str = "https://namespace.invalid/cargo-cra";

/// Serializes `doc` (pretty, trailing newline) with the namespace placeholder replaced by
/// the content-derived namespace.
pub fn finish(product: &Package, doc: &serde_json::Value) -> Result<Vec<u8>> {
    let text = serde_json::to_string_pretty(doc)
        .map_err(|e| Error::other(format!("failed to serialize the SPDX document: {e}")))?;
    let ns = namespace(product, text.as_bytes());
    let mut out = text.replace(NAMESPACE_PLACEHOLDER, &ns).into_bytes();
    out.push(b'\n');
    Ok(out)
}

/// The fields `cargo cra verify` checks (the product's hashes, every component's purl and
/// SHA-256), read from an SPDX 2.3 or 3.0.1 document into CycloneDX's shape:
/// `{"metadata": {"component": {"hashes": [...]}}, "components": [{"purl", "hashes"}]}`.
/// `None`: not an SPDX document (CycloneDX is read as it is).
pub fn cyclonedx_view(doc: &serde_json::Value) -> Option<serde_json::Value> {
    use serde_json::{Value, json};
    let hashes = |pairs: Vec<(&str, &str)>| -> Value {
        pairs
            .into_iter()
            .map(|(alg, h)| json!({"alg": alg, "content": h}))
            .collect::<Vec<_>>()
            .into()
    };
    if doc["spdxVersion"].is_string() {
        let described = doc["relationships"].as_array()?.iter().find(|r| {
            r["spdxElementId"] == "SPDXRef-DOCUMENT" && r["relationshipType"] == "DESCRIBES"
        })?["relatedSpdxElement"]
            .as_str()?;
        let mut product = json!({});
        let mut components = Vec::new();
        for p in doc["packages"].as_array()? {
            let sums: Vec<(&str, &str)> = p["checksums"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| {
                    let alg = match c["algorithm"].as_str()? {
                        "SHA256" => "SHA-256",
                        "SHA512" => "SHA-512",
                        _ => return None,
                    };
                    Some((alg, c["checksumValue"].as_str()?))
                })
                .collect();
            let purl = p["externalRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["referenceType"] == "purl")
                .and_then(|r| r["referenceLocator"].as_str());
            let c = json!({"purl": purl, "hashes": hashes(sums)});
            if p["SPDXID"] == described {
                product = c;
            } else {
                components.push(c);
            }
        }
        return Some(json!({"metadata": {"component": product}, "components": components}));
    }
    let graph = doc["@graph"].as_array()?;
    let by_id: std::collections::HashMap<&str, &Value> = graph
        .iter()
        .filter_map(|e| Some((e["spdxId"].as_str()?, e)))
        .collect();
    let sbom = graph.iter().find(|e| e["type"] == "software_Sbom")?;
    let root = sbom["rootElement"][0].as_str()?;
    // A package's own file (a path package shares the product's: no hash of its own).
    let mut files: std::collections::HashMap<&str, Vec<&Value>> = Default::default();
    let mut owners: std::collections::HashMap<&str, usize> = Default::default();
    for r in graph
        .iter()
        .filter(|e| e["relationshipType"] == "hasDistributionArtifact")
    {
        for t in r["to"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if let (Some(from), Some(f)) = (r["from"].as_str(), by_id.get(t)) {
                files.entry(from).or_default().push(f);
                *owners.entry(t).or_default() += 1;
            }
        }
    }
    let mut product = json!({});
    let mut components = Vec::new();
    for p in graph.iter().filter(|e| e["type"] == "software_Package") {
        let id = p["spdxId"].as_str().unwrap_or_default();
        let sums: Vec<(&str, &str)> = files
            .get(id)
            .into_iter()
            .flatten()
            .filter(|f| {
                id == root || owners.get(f["spdxId"].as_str().unwrap_or_default()) == Some(&1)
            })
            .flat_map(|f| f["verifiedUsing"].as_array().into_iter().flatten())
            .filter_map(|h| {
                let alg = match h["algorithm"].as_str()? {
                    "sha256" => "SHA-256",
                    "sha512" => "SHA-512",
                    _ => return None,
                };
                Some((alg, h["hashValue"].as_str()?))
            })
            .collect();
        let c = json!({"purl": p["software_packageUrl"], "hashes": hashes(sums)});
        if id == root {
            product = c;
        } else {
            components.push(c);
        }
    }
    Some(json!({"metadata": {"component": product}, "components": components}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sbom::model::OrganizationalContact;

    #[test]
    fn agents() {
        let org = OrganizationalEntity {
            name: Some("Example (EU) GmbH".into()),
            contact: vec![OrganizationalContact {
                name: None,
                email: Some("security@example.com".into()),
            }],
            ..Default::default()
        };
        assert_eq!(
            Agent::of(&org).unwrap().spdx2(),
            "Organization: Example EU GmbH (security@example.com)"
        );
        let authors = OrganizationalEntity {
            contact: vec![
                OrganizationalContact {
                    name: Some("No Mail".into()),
                    email: None,
                },
                OrganizationalContact {
                    name: Some("Jane".into()),
                    email: Some("jane@example.com".into()),
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            Agent::of(&authors).unwrap().spdx2(),
            "Person: Jane (jane@example.com)"
        );
        let url = OrganizationalEntity {
            url: vec!["https://github.com/a/b".into()],
            ..Default::default()
        };
        let a = Agent::of(&url).unwrap();
        assert_eq!(a.url.as_deref(), Some("https://github.com/a/b"));
        assert!(Agent::of(&OrganizationalEntity::default()).is_none());
    }

    #[test]
    fn license_refs() {
        assert_eq!(
            license_refs_in("MIT OR (LicenseRef-a AND Apache-2.0)"),
            ["LicenseRef-a"]
        );
        assert!(license_ref("Custom terms").starts_with("LicenseRef-cargo-cra-"));
        assert_eq!(license_ref("x"), license_ref("x"));
    }
}
