//! The inventory readers on SBOMs in each generator's shape, SPDX 2 and 3, binaries with and
//! without `cargo auditable` data, malformed inputs and the folder walk.

mod common;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_cra::inventory::{self, Entry, InputFormat, Inventory};
use cargo_cra::purl::CargoSource;

fn fixture(rel: &str) -> Utf8PathBuf {
    Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sboms")
        .join(rel)
}

fn read(rel: &str) -> Inventory {
    let p = fixture(rel);
    inventory::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// `name@version` of every component, in inventory order.
fn ids(inv: &Inventory) -> Vec<String> {
    inv.components
        .iter()
        .map(|c| format!("{}@{}", c.name, c.version))
        .collect()
}

fn unchecked(inv: &Inventory) -> Vec<(String, String)> {
    inv.unchecked
        .iter()
        .map(|u| (u.id(), u.reason.clone()))
        .collect()
}

fn product(inv: &Inventory) -> Option<String> {
    inv.product
        .as_ref()
        .map(|p| format!("{}@{}", p.name, p.version))
}

#[test]
fn our_sbom() {
    let inv = read("ours/platform-deps.cdx.json");
    assert_eq!(inv.format.to_string(), "cyclonedx-1.6");
    assert_eq!(product(&inv).as_deref(), Some("platform-deps@1.0.0"));
    assert_eq!(inv.product_name.as_deref(), Some("platform-deps"));
    assert_eq!(
        ids(&inv),
        [
            "multirange@2.0.0",
            "multirange@3.1.0",
            "oldlib@0.5.0",
            "smallfmt@1.0.0",
            "unsoundlib@0.3.0",
            "vulnlib@1.2.0",
            "withdrawnlib@1.0.0",
            "yankedlib@1.0.0"
        ]
    );
    assert!(
        inv.components
            .iter()
            .all(|c| c.source == CargoSource::CratesIo)
    );
    assert_eq!(
        inv.components[5].bom_ref.as_deref(),
        Some("pkg:cargo/vulnlib@1.2.0")
    );
    assert_eq!(inv.targets, ["x86_64-unknown-linux-gnu"]);
    assert_eq!(inv.unchecked.len(), 1);
    assert!(inv.unchecked[0].id().starts_with("pkg:generic/rust-std@"));
    assert_eq!(inv.unchecked[0].reason, "not a crate (purl type `generic`)");
    assert!(
        inv.serial_number
            .as_deref()
            .unwrap()
            .starts_with("urn:uuid:")
    );
    assert_eq!(inv.bom_version, Some(1));
    let bytes = std::fs::read(fixture("ours/platform-deps.cdx.json")).unwrap();
    assert_eq!(inv.sha256, cargo_cra::fsutil::sha256_hex(&bytes));

    // A path dependency (workspace member) is marked by our `cargo-cra:source` property.
    let inv = read("ours/multi-member-app.cdx.json");
    let corelib = inv.components.iter().find(|c| c.name == "corelib").unwrap();
    assert_eq!(corelib.source, CargoSource::Path);
    let smallfmt = inv
        .components
        .iter()
        .find(|c| c.name == "smallfmt")
        .unwrap();
    assert_eq!(smallfmt.source, CargoSource::CratesIo);
}

#[test]
fn our_spdx_sboms() {
    for (file, format) in [
        ("ours/multi-member-app.spdx.json", "spdx-2.3"),
        ("ours/multi-member-app.spdx3.json", "spdx-3.0.1"),
    ] {
        let inv = read(file);
        assert_eq!(inv.format.to_string(), format);
        assert_eq!(product(&inv).as_deref(), Some("app@2.3.0"), "{file}");
        assert_eq!(ids(&inv), ["corelib@0.4.0", "smallfmt@1.0.0"], "{file}");
        assert_eq!(inv.unchecked.len(), 1, "{file}: {:?}", inv.unchecked);
        assert!(
            inv.unchecked[0].id().starts_with("pkg:generic/rust-std@"),
            "{file}"
        );
        // The path dependency, marked in the package comment.
        assert_eq!(inv.components[0].source, CargoSource::Path, "{file}");
        assert_eq!(inv.components[1].source, CargoSource::CratesIo, "{file}");
    }
}

#[test]
fn cargo_cyclonedx_shape() {
    let inv = read("cargo-cyclonedx/app.cdx.json");
    assert_eq!(inv.format.to_string(), "cyclonedx-1.5");
    // `pkg:cargo/app@2.3.0?download_url=file://.`; its bin target nested under it is the
    // product too, not a component.
    assert_eq!(product(&inv).as_deref(), Some("app@2.3.0"));
    assert_eq!(inv.product.as_ref().unwrap().source, CargoSource::Path);
    assert_eq!(
        ids(&inv),
        ["corelib@0.4.0", "smallfmt@1.0.0", "vulnlib@1.2.0"]
    );
    let c = |n: &str| inv.components.iter().find(|c| c.name == n).unwrap();
    assert_eq!(c("corelib").source, CargoSource::Path);
    assert_eq!(c("vulnlib").source, CargoSource::CratesIo);
    assert_eq!(
        c("vulnlib").bom_ref.as_deref(),
        Some("registry+https://github.com/rust-lang/crates.io-index#vulnlib@1.2.0")
    );
    assert_eq!(inv.targets, ["x86_64-unknown-linux-gnu"]);
    assert!(inv.unchecked.is_empty(), "{:?}", inv.unchecked);
}

#[test]
fn cdxgen_workspace_members_are_the_products_own() {
    let inv = read("cdxgen/multi-member.cdx.json");
    assert_eq!(
        inv.format,
        InputFormat::CycloneDx {
            spec_version: "1.7".into()
        }
    );
    // `pkg:cargo/cdxws@workspace`: not a crate version, but still named.
    assert_eq!(inv.product, None);
    assert_eq!(inv.product_name.as_deref(), Some("cdxws"));
    assert_eq!(inv.product_version.as_deref(), Some("workspace"));
    assert_eq!(
        ids(&inv),
        [
            "app@2.3.0",
            "cli-tool@1.1.0",
            "corelib@0.4.0",
            "smallfmt@1.0.0",
            "vulnlib@1.2.0"
        ]
    );
    let src = |n: &str| &inv.components.iter().find(|c| c.name == n).unwrap().source;
    // The members are listed like registry crates; nested in metadata.component they are ours.
    assert_eq!(src("app"), &CargoSource::Path);
    assert_eq!(src("corelib"), &CargoSource::Path);
    assert_eq!(src("vulnlib"), &CargoSource::CratesIo);
    assert!(inv.unchecked.is_empty(), "{:?}", inv.unchecked);
    assert!(inv.targets.is_empty());
}

#[test]
fn syft_and_trivy_shapes() {
    let inv = read("syft/app.syft.cdx.json");
    assert_eq!(inv.product, None);
    assert_eq!(inv.product_name.as_deref(), Some("/src/app"));
    assert_eq!(ids(&inv), ["smallfmt@1.0.0", "vulnlib@1.2.0"]);
    assert_eq!(
        inv.components[1].bom_ref.as_deref(),
        Some("pkg:cargo/vulnlib@1.2.0?package-id=9c1a7f0e2b3d4c5e")
    );
    assert_eq!(
        unchecked(&inv),
        [
            (
                "/Cargo.lock".to_string(),
                "no package URL (purl)".to_string()
            ),
            (
                "pkg:npm/left-pad@1.3.0".to_string(),
                "not a crate (purl type `npm`)".to_string()
            ),
        ]
    );

    let inv = read("trivy/app.trivy.cdx.json");
    assert_eq!(inv.product_name.as_deref(), Some("app"));
    assert_eq!(inv.product_version, None);
    assert_eq!(ids(&inv), ["multirange@2.0.0", "vulnlib@1.2.0"]);
    assert_eq!(
        unchecked(&inv),
        [(
            "Cargo.lock".to_string(),
            "no package URL (purl)".to_string()
        )]
    );
}

#[test]
fn encoded_versions_qualifiers_and_unusable_versions() {
    let inv = read("misc/encoded-1.4.cdx.json");
    assert_eq!(inv.format.to_string(), "cyclonedx-1.4");
    assert_eq!(inv.bom_version, Some(3));
    assert_eq!(product(&inv).as_deref(), Some("app@1.0.0+build.7"));
    assert_eq!(
        ids(&inv),
        [
            "altreg@0.4.0",
            "ash@0.38.0+1.3.281",
            "gitdep@0.1.0",
            "smallfmt@1.0.0"
        ]
    );
    let c = |n: &str| inv.components.iter().find(|c| c.name == n).unwrap();
    assert_eq!(
        c("altreg").source,
        CargoSource::Registry("sparse+https://altreg.example.com/index/".into())
    );
    assert_eq!(
        c("gitdep").source,
        CargoSource::Git(
            "git+https://github.com/example/gitdep@468606bdedaebcc6e5deab1320c0203979220283".into()
        )
    );
    // The crates.io index URL is crates.io; the second listing of smallfmt is one crate.
    assert_eq!(c("smallfmt").source, CargoSource::CratesIo);
    let u = unchecked(&inv);
    assert_eq!(u.len(), 4, "{u:?}");
    assert!(u.contains(&(
        "pkg:cargo/oldstyle@1.0".to_string(),
        "version `1.0` is not a semver version: unexpected end of input while parsing minor version number".to_string()
    )), "{u:?}");
    assert!(u.contains(&(
        "pkg:cargo/nover".to_string(),
        "the purl has no version".to_string()
    )));
    assert!(u.contains(&(
        "vendored-c-lib@2.1".to_string(),
        "no package URL (purl)".to_string()
    )));
    assert!(u.contains(&(
        "pkg:npm/%40types/node@20.1.0".to_string(),
        "not a crate (purl type `npm`)".to_string()
    )));
}

#[test]
fn spdx2_described_package_is_the_product() {
    let inv = read("spdx2/app.spdx.json");
    assert_eq!(inv.format.to_string(), "spdx-2.3");
    assert_eq!(product(&inv).as_deref(), Some("app@0.3.1"));
    assert_eq!(
        inv.product.as_ref().unwrap().bom_ref.as_deref(),
        Some("SPDXRef-Package-app")
    );
    assert_eq!(ids(&inv), ["smallfmt@1.0.0", "vulnlib@1.2.0"]);
    assert_eq!(
        unchecked(&inv),
        [(
            "zlib@1.3.1".to_string(),
            "no package URL (purl)".to_string()
        )]
    );
    assert_eq!(
        inv.serial_number.as_deref(),
        Some("https://example.com/spdx/app-0.3.1-4d1c9e0a")
    );

    // syft: no documentDescribes, the DESCRIBES relationship names a directory package.
    let inv = read("spdx2/syft-relationship.spdx.json");
    assert_eq!(inv.product, None);
    assert_eq!(inv.product_name.as_deref(), Some("/src/app"));
    assert_eq!(ids(&inv), ["unsoundlib@0.3.0"]);
    assert!(inv.unchecked.is_empty());
}

#[test]
fn spdx3_root_element_is_the_product() {
    let inv = read("spdx3/app.spdx3.json");
    assert_eq!(inv.format.to_string(), "spdx-3.0.1");
    assert_eq!(product(&inv).as_deref(), Some("app@0.3.1"));
    assert_eq!(ids(&inv), ["vulnlib@1.2.0", "winonly@0.2.0"]);
    assert_eq!(
        inv.components[1].bom_ref.as_deref(),
        Some("https://example.com/spdx/app-0.3.1/pkg/winonly")
    );
    assert_eq!(
        unchecked(&inv),
        [(
            "pkg:generic/openssl@3.0.13".to_string(),
            "not a crate (purl type `generic`)".to_string()
        )]
    );
    assert_eq!(
        inv.serial_number.as_deref(),
        Some("https://example.com/spdx/app-0.3.1/document")
    );
}

#[test]
fn malformed_inputs_name_the_file_and_the_problem() {
    let cases = [
        (
            "truncated.cdx.json",
            ":6:1: the JSON ends early (truncated file?)",
        ),
        (
            "components-not-a-list.cdx.json",
            ":4:16: invalid type: object, expected an array",
        ),
        (
            "unknown-spec.cdx.json",
            ": CycloneDX `specVersion` `2.0` is not supported (1.2 to 1.7 are read)",
        ),
        (
            "purl-not-a-string.cdx.json",
            ":5:51: invalid type: integer `7`, expected a string",
        ),
        ("empty.cdx.json", ": empty file, not an SBOM"),
        ("text.cdx.json", ": not JSON, not an SBOM"),
        (
            "refs-not-a-list.spdx.json",
            ":4:64: invalid type: string \"pkg:cargo/a@1.0.0\", expected an array",
        ),
        (
            "name-not-a-string.spdx3.json",
            ":3:52: invalid type: array, expected a string",
        ),
    ];
    for (file, want) in cases {
        let p = fixture(&format!("malformed/{file}"));
        let e = inventory::read(&p).expect_err(file).to_string();
        assert!(e.starts_with(&format!("{p}{want}")), "{file}: {e}");
        assert_eq!(
            cargo_cra::error::Error::malformed(&p, "x").exit_code(),
            cargo_cra::error::ExitCode::COULD_NOT_RUN
        );
    }
}

const AUDIT_JSON: &str = r#"{"packages":[
  {"name":"app","version":"0.3.1","source":"local","root":true,"dependencies":[1,2,3]},
  {"name":"vulnlib","version":"1.2.0","source":"crates.io"},
  {"name":"gitdep","version":"0.1.0","source":"git"},
  {"name":"derive-helper","version":"1.0.0-rc.1","source":"crates.io","kind":"build"}
]}"#;

fn write(dir: &Utf8Path, name: &str, bytes: &[u8]) -> Utf8PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn tempdir() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_path_buf()).unwrap();
    (t, p)
}

#[test]
fn auditable_binary() {
    let (_t, dir) = tempdir();
    let bin = write(&dir, "app", &common::auditable_elf(Some(AUDIT_JSON)));
    let inv = inventory::read(&bin).unwrap();
    assert_eq!(inv.format, InputFormat::Auditable);
    assert_eq!(inv.format.to_string(), "auditable");
    assert_eq!(product(&inv).as_deref(), Some("app@0.3.1"));
    assert_eq!(inv.product.as_ref().unwrap().source, CargoSource::Path);
    assert_eq!(
        ids(&inv),
        ["derive-helper@1.0.0-rc.1", "gitdep@0.1.0", "vulnlib@1.2.0"]
    );
    let c = |n: &str| inv.components.iter().find(|c| c.name == n).unwrap();
    assert_eq!(c("vulnlib").purl, "pkg:cargo/vulnlib@1.2.0");
    assert_eq!(c("vulnlib").source, CargoSource::CratesIo);
    assert!(matches!(c("gitdep").source, CargoSource::Git(_)));
    assert!(!c("gitdep").source.is_crates_io());
    assert!(inv.targets.is_empty());
    assert_eq!(
        inv.sha256,
        cargo_cra::fsutil::sha256_hex(&std::fs::read(&bin).unwrap())
    );

    // Corrupt audit data is an error, not an empty inventory.
    let mut broken = common::auditable_elf(Some(AUDIT_JSON));
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(AUDIT_JSON.as_bytes(), 6);
    let at = broken
        .windows(compressed.len())
        .position(|w| w == compressed)
        .unwrap();
    broken[at + 4] ^= 0xff;
    broken[at + 5] ^= 0xff;
    let p = write(&dir, "broken", &broken);
    let e = inventory::read(&p).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{p}: its cargo auditable data")),
        "{e}"
    );
}

#[test]
fn binary_without_audit_data_given_explicitly_is_an_error() {
    let (_t, dir) = tempdir();
    let bin = write(&dir, "plain", &common::auditable_elf(None));
    let e = inventory::read(&bin).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{bin}: not built with cargo auditable")),
        "{e}"
    );
    // Named explicitly, the walk hands it on, so that reading it reports this error.
    assert_eq!(
        inventory::walk(std::slice::from_ref(&bin)).unwrap(),
        [Entry::Binary { path: bin }]
    );
}

fn copy_dir(from: &Utf8Path, to: &Utf8Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&from.join(&name), &to.join(&name));
        } else {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

#[test]
fn folder_walk() {
    let (_t, dir) = tempdir();
    let root = dir.join("releases");
    copy_dir(&fixture("walk"), &root);
    write(
        &root.join("1.0.0"),
        "app",
        &common::auditable_elf(Some(AUDIT_JSON)),
    );
    // No audit data, but its SBOM is next to it: skipped, the SBOM is scanned.
    write(
        &root.join("1.1.0"),
        "app.spdx3",
        &common::auditable_elf(None),
    );
    // No audit data and nothing else describes it: the caller must report it.
    write(&root.join("0.9.0"), "tool", &common::auditable_elf(None));

    let entries = inventory::walk(std::slice::from_ref(&root)).unwrap();
    let got: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap().to_string();
            let what = match e {
                Entry::Sbom { .. } => "sbom".to_string(),
                Entry::Binary { .. } => "binary".to_string(),
                Entry::Skipped { reason, .. } => format!("skipped: {reason}"),
                Entry::Unreadable { reason, .. } => format!("unreadable: {reason}"),
            };
            (rel, what)
        })
        .collect();
    let want = [
        (
            "0.9.0/bom.xml",
            "unreadable: a CycloneDX XML BOM (only CycloneDX JSON is read): convert it to JSON to scan it",
        ),
        (
            "0.9.0/tool",
            "unreadable: ELF binary not built with cargo auditable, and no SBOM next to it (`tool.cdx.json`)",
        ),
        ("1.0.0/NOTES.md", "skipped: not JSON"),
        ("1.0.0/app", "binary"),
        ("1.0.0/app.cdx.json", "sbom"),
        (
            "1.0.0/app.cdx.json.intoto.jsonl",
            "skipped: attestation or signature bundle",
        ),
        ("1.0.0/app.cdx.json.sig", "skipped: signature"),
        (
            "1.0.0/package.json",
            "skipped: JSON, but neither CycloneDX nor SPDX",
        ),
        ("1.0.0/release-key.pub", "skipped: key or certificate"),
        (
            "1.1.0/app.spdx3",
            "skipped: ELF binary without cargo auditable data; its SBOM",
        ),
        ("1.1.0/app.spdx3.json", "sbom"),
        ("1.1.0/nested/app.spdx.json", "sbom"),
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for ((p, what), (wp, wwhat)) in got.iter().zip(want) {
        assert_eq!(p, wp);
        assert!(what.starts_with(wwhat), "{p}: {what}");
    }
    // Every entry the walk calls an input reads.
    for e in &entries {
        if let Entry::Sbom { path } | Entry::Binary { path } = e {
            inventory::read(path).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // A file named like an SBOM is read even when its content is not one (then it fails).
    let bad = write(&root, "broken.cdx.json", b"{\"a\": 1}");
    assert_eq!(
        inventory::walk(std::slice::from_ref(&root))
            .unwrap()
            .iter()
            .find(|e| e.path() == bad),
        Some(&Entry::Sbom { path: bad.clone() })
    );
    let e = inventory::read(&bad).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{bad}: JSON, but neither a CycloneDX BOM")),
        "{e}"
    );

    let missing = dir.join("nope");
    let e = inventory::walk(std::slice::from_ref(&missing))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with(&format!("{missing}: failed to read")), "{e}");
}

#[test]
fn reads_from_several_threads() {
    fn send<T: Send + Sync>() {}
    send::<Inventory>();
    send::<Entry>();
    let files: Vec<Utf8PathBuf> = [
        "ours/platform-deps.cdx.json",
        "cdxgen/multi-member.cdx.json",
        "syft/app.syft.cdx.json",
        "spdx2/app.spdx.json",
        "spdx3/app.spdx3.json",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    let serial: Vec<Inventory> = files.iter().map(|f| inventory::read(f).unwrap()).collect();
    let parallel: Vec<Inventory> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .iter()
            .map(|f| s.spawn(move || inventory::read(f).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(serial, parallel);
}

#[test]
fn path_crates_told_apart_wherever_the_sbom_says_so() {
    let (_t, dir) = tempdir();
    // CycloneDX: a bare purl with nothing else (assumed crates.io), one with a checksum
    // (registry evidence), one with a `file:` external reference (a path crate).
    let cdx = write(
        &dir,
        "app.cdx.json",
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
  {"type": "library", "name": "bare", "version": "1.0.0", "purl": "pkg:cargo/bare@1.0.0"},
  {"type": "library", "name": "hashed", "version": "1.0.0", "purl": "pkg:cargo/hashed@1.0.0",
   "hashes": [{"alg": "SHA-256", "content": "00"}]},
  {"type": "library", "name": "local", "version": "0.1.0", "purl": "pkg:cargo/local@0.1.0",
   "externalReferences": [{"type": "vcs", "url": "file:///src/app/local"}]},
  {"type": "library", "name": "qualified", "version": "0.2.0",
   "purl": "pkg:cargo/qualified@0.2.0?download_url=file://../qualified"}
]}"#,
    );
    let inv = inventory::read(&cdx).unwrap();
    let by_name = |inv: &Inventory, n: &str| {
        inv.components
            .iter()
            .find(|c| c.name == n)
            .cloned()
            .unwrap_or_else(|| panic!("{n} missing: {:?}", inv.components))
    };
    let bare = by_name(&inv, "bare");
    assert_eq!(
        (bare.source.clone(), bare.source_assumed),
        (CargoSource::CratesIo, true)
    );
    let hashed = by_name(&inv, "hashed");
    assert_eq!(
        (hashed.source.clone(), hashed.source_assumed),
        (CargoSource::CratesIo, false)
    );
    assert_eq!(by_name(&inv, "local").source, CargoSource::Path);
    assert_eq!(by_name(&inv, "qualified").source, CargoSource::Path);

    // SPDX 2: a `file:` download location is a path crate; a registry one is evidence.
    let spdx = write(
        &dir,
        "app.spdx.json",
        br#"{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": [
  {"SPDXID": "SPDXRef-a", "name": "local", "versionInfo": "0.1.0", "downloadLocation": "file:///src/local",
   "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:cargo/local@0.1.0"}]},
  {"SPDXID": "SPDXRef-b", "name": "serde", "versionInfo": "1.0.0", "downloadLocation": "https://crates.io/api/v1/crates/serde/1.0.0/download",
   "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:cargo/serde@1.0.0"}]},
  {"SPDXID": "SPDXRef-c", "name": "bare", "versionInfo": "1.0.0", "downloadLocation": "NOASSERTION",
   "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:cargo/bare@1.0.0"}]}
]}"#,
    );
    let inv = inventory::read(&spdx).unwrap();
    assert_eq!(by_name(&inv, "local").source, CargoSource::Path);
    assert!(!by_name(&inv, "serde").source_assumed);
    assert!(by_name(&inv, "bare").source_assumed);
}
