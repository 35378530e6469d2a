//! Package URLs (purl spec, <https://github.com/package-url/purl-spec>): the one place that
//! builds and parses them.
//!
//! The builder [`cargo`] writes the purl of a crate as our SBOMs, reports and diagnostics
//! carry it: `pkg:cargo/name@version`, the version percent-encoded (`1.0.0+build` is
//! `1.0.0%2Bbuild`), with `repository_url` for registries other than crates.io and `vcs_url`
//! for git sources (the purl spec's `cargo` type). [`parse`] reads any purl, from any SBOM
//! generator, into its parts (decoded); [`cargo_parts`] turns a `pkg:cargo` purl into a crate
//! name, a semver version and a [`CargoSource`].

/// Where a crate of a `pkg:cargo` purl comes from, after the purl spec's qualifiers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CargoSource {
    /// crates.io: no `repository_url` (the purl spec's default for the cargo type) or one that
    /// names crates.io or its index.
    CratesIo,
    /// Another registry: the decoded `repository_url` qualifier.
    Registry(String),
    /// A git repository: the decoded `vcs_url` qualifier (`git+https://host/repo@rev`).
    Git(String),
    /// A local path (workspace member or path dependency): a `file:` `download_url`, or what
    /// the SBOM says outside the purl (our `cargo-cra:source` property).
    Path,
    /// Something else the purl names: the decoded `download_url` qualifier.
    Other(String),
}

impl CargoSource {
    /// Whether RustSec advisories (which are about crates.io crates) apply to this crate.
    pub fn is_crates_io(&self) -> bool {
        matches!(self, CargoSource::CratesIo)
    }
}

/// A parsed package URL. Every part is percent-decoded; the type and qualifier keys are
/// lowercased, qualifiers are sorted by key, empty qualifier values are dropped (purl spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The package type (`cargo`, `npm`, `generic`, ...), lowercase.
    pub ty: String,
    /// The namespace (segments joined with `/`), if any.
    pub namespace: Option<String>,
    /// The package name.
    pub name: String,
    /// The version, if any.
    pub version: Option<String>,
    /// `key=value` qualifiers, sorted by key.
    pub qualifiers: Vec<(String, String)>,
    /// The subpath, if any.
    pub subpath: Option<String>,
}

impl Purl {
    /// The value of qualifier `key` (lowercase).
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a package URL after the purl spec's parsing rules. `None` when `s` is not a purl
/// (no `pkg:` scheme, no type or no name).
pub fn parse(s: &str) -> Option<Purl> {
    let (scheme, rest) = s.trim().split_once(':')?;
    if !scheme.eq_ignore_ascii_case("pkg") {
        return None;
    }
    // The spec tolerates (and strips) slashes after the scheme: `pkg://cargo/x@1`.
    let rest = rest.trim_start_matches('/');
    let (rest, subpath) = match rest.rsplit_once('#') {
        Some((r, sub)) => {
            let segs: Vec<String> = sub
                .split('/')
                .filter(|s| !s.is_empty() && *s != "." && *s != "..")
                .map(percent_decode)
                .collect();
            (r, (!segs.is_empty()).then(|| segs.join("/")))
        }
        None => (rest, None),
    };
    let (rest, qualifiers) = match rest.rsplit_once('?') {
        Some((r, q)) => {
            let mut qs: Vec<(String, String)> = q
                .split('&')
                .filter_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    (!k.is_empty() && !v.is_empty())
                        .then(|| (k.to_ascii_lowercase(), percent_decode(v)))
                })
                .collect();
            qs.sort();
            qs.dedup_by(|a, b| a.0 == b.0);
            (r, qs)
        }
        None => (rest, Vec::new()),
    };
    let rest = rest.trim_matches('/');
    let (ty, rest) = rest.split_once('/')?;
    if ty.is_empty()
        || !ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
    {
        return None;
    }
    let (rest, version) = match rest.rsplit_once('@') {
        Some((r, v)) if !v.is_empty() => (r, Some(percent_decode(v))),
        Some((r, _)) => (r, None),
        None => (rest, None),
    };
    let rest = rest.trim_end_matches('/');
    let (namespace, name) = match rest.rsplit_once('/') {
        Some((ns, n)) => {
            let segs: Vec<String> = ns
                .split('/')
                .filter(|s| !s.is_empty())
                .map(percent_decode)
                .collect();
            ((!segs.is_empty()).then(|| segs.join("/")), n)
        }
        None => (None, rest),
    };
    if name.is_empty() {
        return None;
    }
    Some(Purl {
        ty: ty.to_ascii_lowercase(),
        namespace,
        name: percent_decode(name),
        version,
        qualifiers,
        subpath,
    })
}

/// A `pkg:cargo` purl as a crate: name, semver version and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoPurl {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: semver::Version,
    /// Where the crate comes from, after the purl's qualifiers.
    pub source: CargoSource,
}

/// Why a `pkg:cargo` purl does not name one crate version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CargoPurlError {
    /// Not a `pkg:cargo` purl at all (another type, or not a purl).
    NotCargo,
    /// A `pkg:cargo` purl that does not name a crate version; the reason in the user's words.
    Unusable(String),
}

/// Reads a `pkg:cargo` purl as a crate. The source follows the purl spec's cargo type and what
/// [`cargo`] writes: `vcs_url` is a git source, a `repository_url` other than crates.io's is a
/// registry, a `file:` `download_url` a local path, any other `download_url` is
/// [`CargoSource::Other`]; no qualifier means crates.io (the spec's default repository).
pub fn cargo_parts(purl: &str) -> Result<CargoPurl, CargoPurlError> {
    let p = parse(purl).ok_or(CargoPurlError::NotCargo)?;
    if p.ty != "cargo" {
        return Err(CargoPurlError::NotCargo);
    }
    if let Some(ns) = &p.namespace {
        return Err(CargoPurlError::Unusable(format!(
            "a cargo purl has no namespace, this one has `{ns}`"
        )));
    }
    let Some(v) = &p.version else {
        return Err(CargoPurlError::Unusable("the purl has no version".into()));
    };
    let version = semver::Version::parse(v).map_err(|e| {
        CargoPurlError::Unusable(format!("version `{v}` is not a semver version: {e}"))
    })?;
    Ok(CargoPurl {
        source: cargo_source(&p),
        name: p.name,
        version,
    })
}

/// The [`CargoSource`] of a parsed `pkg:cargo` purl (see [`cargo_parts`]).
pub fn cargo_source(p: &Purl) -> CargoSource {
    if let Some(vcs) = p.qualifier("vcs_url") {
        return CargoSource::Git(vcs.to_string());
    }
    if let Some(repo) = p.qualifier("repository_url") {
        return if is_crates_io_url(repo) {
            CargoSource::CratesIo
        } else {
            CargoSource::Registry(repo.to_string())
        };
    }
    if let Some(dl) = p.qualifier("download_url") {
        if dl.starts_with("file:") {
            return CargoSource::Path;
        }
        if is_crates_io_url(dl) {
            return CargoSource::CratesIo;
        }
        return CargoSource::Other(dl.to_string());
    }
    CargoSource::CratesIo
}

/// Whether `url` names crates.io, its download host or one of its indexes.
fn is_crates_io_url(url: &str) -> bool {
    let u = url
        .trim_start_matches("registry+")
        .trim_start_matches("sparse+");
    let host = u
        .split_once("://")
        .map_or(u, |(_, r)| r)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    matches!(
        host,
        "crates.io" | "index.crates.io" | "static.crates.io" | "static.rust-lang.org"
    ) || u.trim_end_matches('/').trim_end_matches(".git")
        == "https://github.com/rust-lang/crates.io-index"
}

/// The purl of a crate as our SBOMs and reports write it: `pkg:cargo/name@version` with the
/// version percent-encoded, `repository_url` for [`CargoSource::Registry`], `vcs_url` for
/// [`CargoSource::Git`] and `download_url` for [`CargoSource::Other`]; crates.io and path
/// crates carry no qualifier.
pub fn cargo(name: &str, version: &str, source: &CargoSource) -> String {
    let base = format!("pkg:cargo/{name}@{}", percent_encode(version));
    match source {
        CargoSource::Path | CargoSource::CratesIo => base,
        CargoSource::Registry(url) => format!("{base}?repository_url={}", percent_encode(url)),
        CargoSource::Git(vcs) => format!("{base}?vcs_url={}", percent_encode(vcs)),
        CargoSource::Other(url) => format!("{base}?download_url={}", percent_encode(url)),
    }
}

/// Percent-encodes a purl version or qualifier value (RFC 3986 unreserved characters and `/:`
/// stay readable, as the purl spec allows for URLs).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(b as char)
            }
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

/// Decodes `%XX` escapes (invalid escapes are kept as written; invalid UTF-8 is replaced).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_part() {
        let p = parse("pkg:cargo/x@1.0.0%2Bbuild?vcs_url=git%2Bhttps://h/r%40abc&B=2#/src//a/")
            .unwrap();
        assert_eq!(p.ty, "cargo");
        assert_eq!(p.namespace, None);
        assert_eq!(p.name, "x");
        assert_eq!(p.version.as_deref(), Some("1.0.0+build"));
        assert_eq!(
            p.qualifiers,
            vec![
                ("b".to_string(), "2".to_string()),
                ("vcs_url".to_string(), "git+https://h/r@abc".to_string())
            ]
        );
        assert_eq!(p.subpath.as_deref(), Some("src/a"));

        let p = parse("pkg:npm/%40angular/core@16.0.0").unwrap();
        assert_eq!(p.ty, "npm");
        assert_eq!(p.namespace.as_deref(), Some("@angular"));
        assert_eq!(p.name, "core");

        let p = parse("PKG://Cargo/serde@1.0.0").unwrap();
        assert_eq!((p.ty.as_str(), p.name.as_str()), ("cargo", "serde"));
        let p = parse("pkg:golang/github.com/a/b@v1.2.3").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("github.com/a"));
        assert_eq!(p.version.as_deref(), Some("v1.2.3"));
        // No version, empty qualifier values dropped.
        let p = parse("pkg:cargo/serde?repository_url=").unwrap();
        assert_eq!(p.version, None);
        assert!(p.qualifiers.is_empty());
    }

    #[test]
    fn rejects_non_purls() {
        for s in [
            "",
            "serde@1.0.0",
            "pkg:",
            "pkg:cargo",
            "pkg:cargo/",
            "pkg:/x@1",
            "http://x/y",
            "pkg:c%20/x@1",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    #[test]
    fn cargo_purls_as_crates() {
        let c = cargo_parts("pkg:cargo/serde@1.0.0").unwrap();
        assert_eq!(
            (c.name.as_str(), c.version.to_string().as_str()),
            ("serde", "1.0.0")
        );
        assert_eq!(c.source, CargoSource::CratesIo);
        let c = cargo_parts("pkg:cargo/ash@0.38.0%2B1.3.281").unwrap();
        assert_eq!(c.version, semver::Version::parse("0.38.0+1.3.281").unwrap());
        assert_eq!(
            cargo_parts("pkg:cargo/x@0.1.0?vcs_url=git%2Bhttps://github.com/a/b%40abc")
                .unwrap()
                .source,
            CargoSource::Git("git+https://github.com/a/b@abc".into())
        );
        assert_eq!(
            cargo_parts("pkg:cargo/x@0.1.0?repository_url=sparse%2Bhttps://r.example/index/")
                .unwrap()
                .source,
            CargoSource::Registry("sparse+https://r.example/index/".into())
        );
        for crates_io in [
            "pkg:cargo/x@0.1.0?repository_url=https://crates.io",
            "pkg:cargo/x@0.1.0?repository_url=https://github.com/rust-lang/crates.io-index",
            "pkg:cargo/x@0.1.0?repository_url=sparse%2Bhttps://index.crates.io/",
            "pkg:cargo/x@0.1.0?download_url=https://static.crates.io/crates/x/x-0.1.0.crate",
        ] {
            assert_eq!(
                cargo_parts(crates_io).unwrap().source,
                CargoSource::CratesIo,
                "{crates_io}"
            );
        }
        assert_eq!(
            cargo_parts("pkg:cargo/x@0.1.0?download_url=file:///src/x")
                .unwrap()
                .source,
            CargoSource::Path
        );
        assert_eq!(
            cargo_parts("pkg:cargo/x@0.1.0?download_url=https://example.com/x.crate")
                .unwrap()
                .source,
            CargoSource::Other("https://example.com/x.crate".into())
        );
        assert_eq!(cargo_parts("pkg:npm/x@1"), Err(CargoPurlError::NotCargo));
        assert_eq!(cargo_parts("cargo/x@1"), Err(CargoPurlError::NotCargo));
        assert!(
            matches!(cargo_parts("pkg:cargo/x"), Err(CargoPurlError::Unusable(m)) if m.contains("no version"))
        );
        assert!(
            matches!(cargo_parts("pkg:cargo/x@1.0"), Err(CargoPurlError::Unusable(m)) if m.contains("`1.0` is not a semver"))
        );
        assert!(
            matches!(cargo_parts("pkg:cargo/ns/x@1.0.0"), Err(CargoPurlError::Unusable(m)) if m.contains("namespace"))
        );
    }

    #[test]
    fn builder_round_trips() {
        assert_eq!(
            cargo("serde", "1.0.0", &CargoSource::CratesIo),
            "pkg:cargo/serde@1.0.0"
        );
        assert_eq!(cargo("m", "0.1.0", &CargoSource::Path), "pkg:cargo/m@0.1.0");
        assert_eq!(
            cargo("ash", "0.38.0+1.3.281", &CargoSource::CratesIo),
            "pkg:cargo/ash@0.38.0%2B1.3.281"
        );
        let sources = [
            CargoSource::CratesIo,
            CargoSource::Registry("sparse+https://r.example/index/".into()),
            CargoSource::Git("git+https://github.com/a/b@abc".into()),
            CargoSource::Other("https://example.com/x y.crate".into()),
        ];
        for s in sources {
            let built = cargo("x", "1.0.0-rc.1+b", &s);
            let back = cargo_parts(&built).unwrap();
            assert_eq!(back.source, s, "{built}");
            assert_eq!(back.version.to_string(), "1.0.0-rc.1+b");
        }
    }
}
