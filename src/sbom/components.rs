//! One CycloneDX component per linked package, with every BSI TR-03183-2 v2.1 field that can
//! exist for it: name, version, purl (also the `bom-ref`), creator, file name, licenses,
//! hashes, distribution/source/VCS URLs and the executable/archive/structured properties.
//!
//! Hashes: Cargo.lock's checksum is the SHA-256 of the `.crate` file. BSI wants a SHA-512,
//! which needs the file itself: it is read from cargo's download cache
//! (`$CARGO_HOME/registry/cache/<registry dir>/<name>-<version>.crate`) and used only when its
//! SHA-256 equals the lockfile's, so a stale or tampered cache never lends its hash to the
//! SBOM. When it is not there, the SHA-512 is left out and a `cargo-cra:sha512-omitted`
//! property says why (`cargo fetch` fills the cache).

use super::cache::HashCache;
use super::model::{
    Component, ExternalReference, Hash, LicenseChoice, NamedLicense, OrganizationalContact,
    OrganizationalEntity, PostalAddress, Property, Spec,
};
use crate::checks::licenses;
use crate::workspace::{Pkg, SourceKind};
use camino::{Utf8Path, Utf8PathBuf};

/// Property names of BSI TR-03183-2 (section 8.1) and cargo-cra.
pub mod prop {
    /// The component's file name, without a path.
    pub const FILENAME: &str = "bsi:component:filename";
    /// `executable` / `non-executable`.
    pub const EXECUTABLE: &str = "bsi:component:executable";
    /// `archive` / `no archive`.
    pub const ARCHIVE: &str = "bsi:component:archive";
    /// `structured` / `unstructured`.
    pub const STRUCTURED: &str = "bsi:component:structured";
    /// The effective licence, spelled as in the TR's table.
    pub const EFFECTIVE_LICENSE: &str = "bsi:component:effectiveLicense";
    /// The effective licence, spelled as in BSI's property taxonomy.
    pub const EFFECTIVE_LICENCE: &str = "bsi:component:effectiveLicence";
    /// Why a registry crate has no SHA-512.
    pub const SHA512_OMITTED: &str = "cargo-cra:sha512-omitted";
    /// Where the package comes from: `crates.io`, `registry`, `git`, `path`.
    pub const SOURCE: &str = "cargo-cra:source";
    /// Where the concluded license comes from.
    pub const LICENSE_SOURCE: &str = "cargo-cra:license-concluded-from";
}

/// crates.io's download URL of a `.crate` file.
pub fn crates_io_download_url(name: &str, version: &str) -> String {
    format!("https://static.crates.io/crates/{name}/{name}-{version}.crate")
}

/// What the download cache holds for a registry crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CachedCrate {
    /// The `.crate` file matched the lockfile's SHA-256; this is its SHA-512.
    Verified {
        /// Lowercase hex SHA-512.
        sha512: String,
    },
    /// No `<name>-<version>.crate` in any registry cache folder.
    NotCached,
    /// A file was found but its SHA-256 differs from Cargo.lock (path relative to CARGO_HOME).
    Mismatch {
        /// `registry/cache/<dir>/<file>`.
        file: String,
    },
    /// Not a registry crate with a lockfile checksum: nothing to look up.
    NotApplicable,
}

/// Digests computed for a cached `.crate` file (to be remembered in the [`HashCache`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed {
    /// The file.
    pub path: Utf8PathBuf,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// Its SHA-512 (hex).
    pub sha512: String,
}

/// cargo's `.crate` download cache: the folders under `$CARGO_HOME/registry/cache/`.
#[derive(Debug, Clone, Default)]
pub struct CrateCache {
    home: Option<Utf8PathBuf>,
    dirs: Vec<String>,
}

impl CrateCache {
    /// The cache of `$CARGO_HOME` (else `~/.cargo`). Missing folders mean an empty cache.
    pub fn from_env() -> Self {
        match crate::fsutil::cargo_home() {
            Some(h) => Self::new(&h),
            None => CrateCache::default(),
        }
    }

    /// The cache under `cargo_home`.
    pub fn new(cargo_home: &Utf8Path) -> Self {
        let cache = cargo_home.join("registry").join("cache");
        // The folder name of a registry (`index.crates.io-<hash>`) depends on the cargo
        // version's hashing; instead of recomputing it, every folder is searched and the
        // lockfile checksum decides which file is the right one.
        let mut dirs: Vec<String> = std::fs::read_dir(&cache)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        CrateCache {
            home: Some(cargo_home.to_path_buf()),
            dirs,
        }
    }

    /// Looks up and verifies a package's `.crate` file. Digests already known for an
    /// unchanged file come from `known`; newly computed ones are returned for it.
    pub fn lookup(&self, pkg: &Pkg, known: &HashCache) -> (CachedCrate, Option<Hashed>) {
        let Some(expected) = pkg.checksum.as_deref() else {
            return (CachedCrate::NotApplicable, None);
        };
        if matches!(pkg.kind, SourceKind::Path | SourceKind::Git { .. }) {
            return (CachedCrate::NotApplicable, None);
        }
        let Some(home) = &self.home else {
            return (CachedCrate::NotCached, None);
        };
        let file = format!("{}-{}.crate", pkg.name, pkg.version);
        let mut mismatch = None;
        let mut computed = None;
        for dir in &self.dirs {
            let path = home.join("registry").join("cache").join(dir).join(&file);
            let (sha256, sha512) = match known.get(&path) {
                Some(d) => d,
                None => {
                    let Ok(bytes) = std::fs::read(&path) else {
                        continue;
                    };
                    let d = (
                        crate::fsutil::sha256_hex(&bytes),
                        crate::fsutil::sha512_hex(&bytes),
                    );
                    computed = Some(Hashed {
                        path: path.clone(),
                        sha256: d.0.clone(),
                        sha512: d.1.clone(),
                    });
                    d
                }
            };
            if sha256.eq_ignore_ascii_case(expected) {
                return (CachedCrate::Verified { sha512 }, computed);
            }
            mismatch.get_or_insert_with(|| format!("registry/cache/{dir}/{file}"));
        }
        match mismatch {
            Some(file) => (CachedCrate::Mismatch { file }, computed),
            None => (CachedCrate::NotCached, computed),
        }
    }
}

/// An SPDX expression in its canonical strict form (`MIT/Apache-2.0` becomes
/// `MIT OR Apache-2.0`), or `None` when the text is not one.
pub fn canonical_spdx(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let canon = match spdx::Expression::canonicalize(text) {
        Ok(Some(c)) => c,
        Ok(None) => text.to_string(),
        Err(_) => return None,
    };
    spdx::Expression::parse(&canon).ok().map(|_| canon)
}

/// A `licenses` item for `text` with `acknowledgement`: an expression when it is valid SPDX,
/// else a named license carrying the text as written.
pub fn license_choice(text: &str, acknowledgement: &'static str) -> LicenseChoice {
    match canonical_spdx(text) {
        Some(expression) => LicenseChoice::Expression {
            expression,
            acknowledgement,
        },
        None => LicenseChoice::License {
            license: NamedLicense {
                name: text.trim().to_string(),
                acknowledgement,
            },
        },
    }
}

/// What the SBOM says about a package's license.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseInfo {
    /// The `licenses` list.
    pub choices: Vec<LicenseChoice>,
    /// The effective (concluded) expression, canonical SPDX when it is SPDX.
    pub effective: Option<String>,
    /// Where the concluded license comes from: `manifest`, `clarification`, or
    /// `license text: <files>` (paths relative to the package).
    pub source: Option<String>,
}

impl LicenseInfo {
    /// The BSI effective-licence properties and the `cargo-cra:license-concluded-from` note.
    pub fn properties(&self) -> Vec<Property> {
        let mut v = Vec::new();
        if let Some(e) = &self.effective {
            v.push(Property::new(prop::EFFECTIVE_LICENSE, e.clone()));
            v.push(Property::new(prop::EFFECTIVE_LICENCE, e.clone()));
        }
        if let Some(s) = &self.source {
            v.push(Property::new(prop::LICENSE_SOURCE, s.clone()));
        }
        v
    }
}

/// The licenses of a package.
///
/// The concluded license is the effective one the license check judged: a still-valid
/// `clarify` entry, else the manifest's `license`, else the license identified from the
/// license files' text. CycloneDX 1.6 holds exactly one expression per component, so 1.6
/// carries the concluded one; 1.7 carries the manifest's declared expression too. Both
/// versions repeat the effective licence in the BSI properties.
pub fn licenses(cfg: &licenses::Config, meta: &cargo_metadata::Package, spec: Spec) -> LicenseInfo {
    let (effective, source, _) = licenses::effective_expression(cfg, meta);
    let effective = effective.filter(|e| !e.trim().is_empty());
    let mut choices = Vec::new();
    if spec == Spec::V1_7
        && let Some(declared) = meta.license.as_deref().filter(|d| !d.trim().is_empty())
    {
        choices.push(license_choice(declared, "declared"));
    }
    if let Some(e) = &effective {
        choices.push(license_choice(e, "concluded"));
    }
    let source = match (&effective, source) {
        (None, _) | (_, licenses::Source::None) => None,
        (_, licenses::Source::Manifest) => Some("manifest".to_string()),
        (_, licenses::Source::Clarified(_)) => Some("clarification".to_string()),
        (_, licenses::Source::Detected(files)) => {
            let names: Vec<String> = files.iter().map(|f| f.path.to_string()).collect();
            Some(format!("license text: {}", names.join(", ")))
        }
    };
    let effective = effective.map(|e| canonical_spdx(&e).unwrap_or_else(|| e.trim().to_string()));
    LicenseInfo {
        choices,
        effective,
        source,
    }
}

/// Adds the manifest's `repository` (as `vcs`) and `homepage` (as `website`) when they are
/// URLs: the links every component and the product carry.
pub fn push_manifest_links(refs: &mut Vec<ExternalReference>, meta: &cargo_metadata::Package) {
    if let Some(r) = meta.repository.as_deref().filter(|u| is_url(u)) {
        refs.push(ExternalReference::new("vcs", r));
    }
    if let Some(h) = meta.homepage.as_deref().filter(|u| is_url(u)) {
        refs.push(ExternalReference::new("website", h));
    }
}

/// Sorts external references and drops repeats of the same type and URL (deterministic
/// output; a git source and `repository` often name the same repository).
pub fn sort_refs(refs: &mut Vec<ExternalReference>) {
    refs.sort();
    refs.dedup_by(|a, b| a.kind == b.kind && a.url == b.url);
}

/// Whether `s` looks like an absolute URL (scheme, no whitespace): the schema's
/// `iri-reference` format, and nothing that would be read as a local path.
pub fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '\\' | '{' | '}' | '|' | '^' | '`')
        })
}

/// Whether `s` is a plausible email address (what the schema's `idn-email` format accepts).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '<' | '>' | '(' | ')' | ',' | ';' | ':' | '"' | '[' | ']' | '\\'
                )
        })
        && !local.contains('@')
}

/// Parses a cargo `authors` entry, `Name <email>` or `Name`.
pub fn parse_author(a: &str) -> OrganizationalContact {
    let a = a.trim();
    if let (Some(open), true) = (a.rfind('<'), a.ends_with('>')) {
        let email = a[open + 1..a.len() - 1].trim();
        let name = a[..open].trim();
        return OrganizationalContact {
            name: (!name.is_empty()).then(|| name.to_string()),
            email: is_email(email).then(|| email.to_string()),
        };
    }
    if is_email(a) {
        return OrganizationalContact {
            name: None,
            email: Some(a.to_string()),
        };
    }
    OrganizationalContact {
        name: (!a.is_empty()).then(|| a.to_string()),
        email: None,
    }
}

/// The creator of a crate (BSI: email, else URL): the `authors` with their emails; when no
/// author has one, the repository (else homepage) URL, keeping the authors' names.
pub fn crate_manufacturer(meta: &cargo_metadata::Package) -> Option<OrganizationalEntity> {
    let contacts: Vec<OrganizationalContact> = meta
        .authors
        .iter()
        .map(|a| parse_author(a))
        .filter(|c| c.name.is_some() || c.email.is_some())
        .collect();
    let mut org = OrganizationalEntity::default();
    if !contacts.iter().any(|c| c.email.is_some()) {
        let url = meta
            .repository
            .as_deref()
            .filter(|u| is_url(u))
            .or(meta.homepage.as_deref().filter(|u| is_url(u)));
        org.url = url.map(|u| vec![u.to_string()]).unwrap_or_default();
    }
    org.contact = contacts;
    (!org.is_empty()).then_some(org)
}

/// A CRA `manufacturer` as an organizational entity (malformed email and url left out).
pub fn manufacturer_entity(
    m: &crate::checks::product::Manufacturer,
) -> Option<OrganizationalEntity> {
    let org = OrganizationalEntity {
        name: m.name.clone().filter(|n| !n.trim().is_empty()),
        address: m
            .address
            .clone()
            .filter(|a| !a.trim().is_empty())
            .map(|a| PostalAddress { street_address: a }),
        url: m.url.clone().filter(|u| is_url(u)).into_iter().collect(),
        contact: m
            .email
            .clone()
            .filter(|e| is_email(e))
            .map(|e| OrganizationalContact {
                name: None,
                email: Some(e),
            })
            .into_iter()
            .collect(),
    };
    (!org.is_empty()).then_some(org)
}

/// Whether an entity names an email or a URL: what BSI TR-03183-2 asks of a creator.
pub fn is_creator(org: &OrganizationalEntity) -> bool {
    !org.url.is_empty() || org.contact.iter().any(|c| c.email.is_some())
}

/// The creator of a first-party (path) package as the package itself declares it: its own
/// `[package.metadata.cra] manufacturer`, else its `authors` when one has an email. `None`:
/// the product's manufacturer is its creator (set per SBOM by [`super::document::build`]).
/// A repository URL is not used here: for first-party code the manufacturer is the creator.
pub fn first_party_manufacturer(meta: &cargo_metadata::Package) -> Option<OrganizationalEntity> {
    if let Some(org) = crate::checks::product::package_manufacturer(meta)
        .as_ref()
        .and_then(manufacturer_entity)
        .filter(is_creator)
    {
        return Some(org);
    }
    crate_manufacturer(meta).filter(|o| o.contact.iter().any(|c| c.email.is_some()))
}

/// The component of one linked package (`pkg` with its metadata `meta`).
pub fn crate_component(
    pkg: &Pkg,
    meta: &cargo_metadata::Package,
    license_cfg: &licenses::Config,
    cached: &CachedCrate,
    spec: Spec,
) -> Component {
    let name = pkg.name.clone();
    let version = pkg.version.to_string();
    let license = licenses(license_cfg, meta, spec);

    let mut hashes = Vec::new();
    if let Some(c) = pkg
        .checksum
        .as_deref()
        .filter(|_| !matches!(pkg.kind, SourceKind::Path))
    {
        hashes.push(Hash::sha256(c.to_ascii_lowercase()));
    }
    if let CachedCrate::Verified { sha512 } = cached {
        hashes.push(Hash::sha512(sha512.clone()));
    }

    let mut refs = Vec::new();
    match &pkg.kind {
        SourceKind::CratesIo => {
            // A `.crate` is the package's source archive: the deployable form and the source
            // distribution are the same download.
            let url = crates_io_download_url(&name, &version);
            let mut dist = ExternalReference::new("distribution", url.clone());
            dist.hashes = hashes.clone();
            let mut src = ExternalReference::new("source-distribution", url);
            src.hashes = hashes.clone();
            refs.push(dist);
            refs.push(src);
        }
        SourceKind::Git { url, rev } if is_url(url) => {
            let comment = rev.as_ref().map(|r| format!("commit {r}"));
            let mut vcs = ExternalReference::new("vcs", url.clone());
            vcs.comment = comment.clone();
            let mut src = ExternalReference::new("source-distribution", url.clone());
            src.comment = comment;
            refs.push(vcs);
            refs.push(src);
        }
        // Other registries: the download URL template is in the registry's index config,
        // which is not read here (no network); the purl's `repository_url` names the
        // registry. Path packages have no distribution of their own.
        _ => {}
    }
    push_manifest_links(&mut refs, meta);
    if let Some(d) = meta.documentation.as_deref().filter(|u| is_url(u)) {
        refs.push(ExternalReference::new("documentation", d));
    }
    sort_refs(&mut refs);

    let mut properties = vec![
        Property::new(prop::FILENAME, format!("{name}-{version}.crate")),
        Property::new(prop::EXECUTABLE, "non-executable"),
        Property::new(prop::ARCHIVE, "archive"),
        Property::new(prop::STRUCTURED, "structured"),
        Property::new(prop::SOURCE, source_name(&pkg.kind)),
    ];
    properties.extend(license.properties());
    match cached {
        CachedCrate::NotCached => properties.push(Property::new(
            prop::SHA512_OMITTED,
            format!("{name}-{version}.crate is not in the cargo download cache (run `cargo fetch` to add it)"),
        )),
        CachedCrate::Mismatch { file } => properties.push(Property::new(
            prop::SHA512_OMITTED,
            format!("$CARGO_HOME/{file} does not match the Cargo.lock checksum"),
        )),
        CachedCrate::Verified { .. } | CachedCrate::NotApplicable => {}
    }
    properties.sort();

    Component {
        kind: "library",
        bom_ref: Some(pkg.purl.clone()),
        manufacturer: if matches!(pkg.kind, SourceKind::Path) {
            first_party_manufacturer(meta)
        } else {
            crate_manufacturer(meta)
        },
        name,
        version: Some(version),
        description: meta
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        hashes,
        licenses: license.choices,
        purl: Some(pkg.purl.clone()),
        external_references: refs,
        properties,
    }
}

/// The `cargo-cra:source` value.
pub fn source_name(kind: &SourceKind) -> &'static str {
    match kind {
        SourceKind::Path => "path",
        SourceKind::CratesIo => "crates.io",
        SourceKind::Registry(_) => "registry",
        SourceKind::Git { .. } => "git",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_canonical_forms() {
        assert_eq!(
            canonical_spdx("MIT/Apache-2.0").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            canonical_spdx("MIT OR Apache-2.0").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            canonical_spdx("MIT AND ISC AND OpenSSL").as_deref(),
            Some("MIT AND ISC AND OpenSSL")
        );
        assert_eq!(canonical_spdx(""), None);
        assert_eq!(canonical_spdx("not a license ((("), None);
        assert!(matches!(
            license_choice("Custom terms", "concluded"),
            LicenseChoice::License { .. }
        ));
    }

    #[test]
    fn authors() {
        assert_eq!(
            parse_author("Jane Doe <jane@example.com>"),
            OrganizationalContact {
                name: Some("Jane Doe".into()),
                email: Some("jane@example.com".into())
            }
        );
        assert_eq!(
            parse_author("Jane Doe"),
            OrganizationalContact {
                name: Some("Jane Doe".into()),
                email: None
            }
        );
        assert_eq!(
            parse_author("Jane <not an email>"),
            OrganizationalContact {
                name: Some("Jane".into()),
                email: None
            }
        );
        assert_eq!(
            parse_author("jane@example.com").email.as_deref(),
            Some("jane@example.com")
        );
    }

    #[test]
    fn urls() {
        assert!(is_url("https://github.com/a/b"));
        assert!(is_url("mailto:security@example.com"));
        assert!(!is_url("SECURITY.md"));
        assert!(!is_url("/home/me/x"));
        assert!(!is_url("C:\\x"));
        assert!(!is_url("https://a b"));
    }

    #[test]
    fn cache_verifies_the_lockfile_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let home = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        let cache = home.join("registry/cache/index.example-0123");
        std::fs::create_dir_all(&cache).unwrap();
        std::fs::write(cache.join("a-1.0.0.crate"), b"crate bytes").unwrap();
        let pkg = |name: &str, checksum: String| Pkg {
            id: name.into(),
            name: name.into(),
            version: semver::Version::new(1, 0, 0),
            source: Some("registry+https://github.com/rust-lang/crates.io-index".into()),
            kind: SourceKind::CratesIo,
            checksum: Some(checksum),
            purl: format!("pkg:cargo/{name}@1.0.0"),
            meta: None,
            is_member: false,
            is_proc_macro: false,
        };
        let c = CrateCache::new(&home);
        let mut known = HashCache::default();
        let good = pkg("a", crate::fsutil::sha256_hex(b"crate bytes"));
        let verified = CachedCrate::Verified {
            sha512: crate::fsutil::sha512_hex(b"crate bytes"),
        };
        let (found, computed) = c.lookup(&good, &known);
        assert_eq!(found, verified);
        let h = computed.expect("hashed once");
        known.put(&h.path, &h.sha256, &h.sha512);
        // The second time the recorded digests are used, and nothing new is computed.
        assert_eq!(c.lookup(&good, &known), (verified, None));
        let bad = pkg("a", "00".repeat(32));
        assert_eq!(
            c.lookup(&bad, &known).0,
            CachedCrate::Mismatch {
                file: "registry/cache/index.example-0123/a-1.0.0.crate".into()
            }
        );
        assert_eq!(
            c.lookup(&pkg("b", "00".repeat(32)), &known).0,
            CachedCrate::NotCached
        );
    }
}
