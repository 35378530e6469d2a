//! VEX documents: each format written and read back, documents as other tools write them
//! (`tests/fixtures/vex/`), malformed documents, and matching by alias and product.
//!
//! Every document a test writes is also copied to `target/test-vex/`, where `.ci/run`
//! validates it with an independent implementation (OpenVEX: the JSON schema with Python's
//! `jsonschema`; CycloneDX: cyclonedx-python-lib, strict; CSAF: BSI's csaf-validator-lib).

mod common;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_cra::advisory::db::Cvss;
use cargo_cra::vex::{
    self, Format, Identifier, Justification, Product, Statement, Status, Subject, VexDocument,
    Vulnerability,
};
use serde_json::Value;

fn fixture(name: &str) -> Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vex")
        .join(name)
}

/// Writes `bytes` to `target/test-vex/<name>` for the validators in `.ci/run`, and to a
/// temporary file that is read back; returns the read document.
fn export_and_read(name: &str, bytes: &[u8]) -> VexDocument {
    let dir = Utf8Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("test-vex");
    std::fs::create_dir_all(&dir).expect("create target/test-vex");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("export VEX");
    vex::read(&path).unwrap_or_else(|e| panic!("reading back {name}: {e}"))
}

const SBOM_SERIAL: &str = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";

fn smallvec() -> Vulnerability {
    Vulnerability {
        id: "RUSTSEC-2021-0003".into(),
        aliases: vec!["CVE-2021-25900".into(), "GHSA-43w2-9j62-hq99".into()],
        description: Some("Buffer overflow in SmallVec::insert_many".into()),
        url: Some("https://rustsec.org/advisories/RUSTSEC-2021-0003.html".into()),
        cvss: Some(Cvss {
            vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
            score: 9.8,
            severity: "critical".into(),
        }),
    }
}

fn time_advisory() -> Vulnerability {
    Vulnerability {
        id: "RUSTSEC-2020-0071".into(),
        aliases: vec!["CVE-2020-26235".into(), "GHSA-wcg3-cvx6-7396".into()],
        description: Some("Potential segfault in the time crate".into()),
        url: None,
        cvss: Some(Cvss {
            vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H".into(),
            score: 5.9,
            severity: "medium".into(),
        }),
    }
}

/// A component of a release, identified by purl and by its BOM-Link into the release's SBOM.
fn in_release(release: u32, purl: &str) -> Product {
    let bom = vex::cyclonedx::bom_link(SBOM_SERIAL, release, None);
    Product {
        id: Identifier {
            purl: Some(format!("pkg:cargo/demo-app@1.{release}.0")),
            iri: Some(bom),
        },
        subcomponents: vec![Identifier {
            purl: Some(purl.into()),
            iri: Some(vex::cyclonedx::bom_link(SBOM_SERIAL, release, Some(purl))),
        }],
    }
}

/// One statement of each status, over two releases.
fn statements() -> VexDocument {
    let mut doc = VexDocument::new(Format::OpenVex, "", "ACME Corp");
    doc.timestamp = Some("2026-12-01T00:00:00Z".into());
    let mut na = Statement::new(
        smallvec(),
        vec![in_release(1, "pkg:cargo/smallvec@1.6.0")],
        Status::NotAffected,
    );
    na.justification = Some(Justification::VulnerableCodeNotInExecutePath);
    na.impact_statement = Some("demo-app never calls insert_many".into());
    let fixed = Statement::new(
        smallvec(),
        vec![in_release(2, "pkg:cargo/smallvec@1.6.1")],
        Status::Fixed,
    );
    let mut affected = Statement::new(
        time_advisory(),
        vec![in_release(1, "pkg:cargo/time@0.1.45")],
        Status::Affected,
    );
    affected.action_statement = Some("Update time to 0.2.23 or later".into());
    affected.responses = vec!["update".into()];
    let ui = Statement::new(
        time_advisory(),
        vec![in_release(2, "pkg:cargo/time@0.1.45")],
        Status::UnderInvestigation,
    );
    let mut absent = Statement::new(
        smallvec(),
        vec![Product::purl("pkg:cargo/demo-app@1.3.0")],
        Status::NotAffected,
    );
    absent.justification = Some(Justification::ComponentNotPresent);
    doc.statements = vec![na, fixed, affected, ui, absent];
    doc
}

fn releases_cdx() -> Vec<vex::cyclonedx::Release> {
    (1..=3)
        .map(|r| vex::cyclonedx::Release {
            name: "demo-app".into(),
            version: format!("1.{r}.0"),
            purl: format!("pkg:cargo/demo-app@1.{r}.0"),
            bom: (r < 3).then(|| vex::cyclonedx::bom_link(SBOM_SERIAL, r, None)),
            bom_ref: Some(format!("pkg:cargo/demo-app@1.{r}.0")),
        })
        .collect()
}

fn csaf_options() -> vex::csaf::WriteOptions {
    vex::csaf::WriteOptions {
        publisher: cargo_cra::csaf::Publisher {
            category: "vendor".into(),
            name: "ACME Corp".into(),
            namespace: "https://acme.example".into(),
            contact_details: Some("security@acme.example".into()),
            issuing_authority: None,
        },
        title: "VEX for demo-app".into(),
        releases: (1..=3)
            .map(|r| vex::csaf::Release {
                name: "demo-app".into(),
                version: format!("1.{r}.0"),
                purl: format!("pkg:cargo/demo-app@1.{r}.0"),
            })
            .collect(),
    }
}

/// The statement that applies to `component` in release `1.<release>.0` of demo-app.
fn lookup(docs: &[VexDocument], ids: &[&str], release: u32, component: &str) -> Option<Statement> {
    let product = format!("pkg:cargo/demo-app@1.{release}.0");
    let s = Subject {
        ids,
        product_purl: Some(&product),
        product_iri: None,
        component_purl: component,
        component_iri: None,
    };
    vex::find(docs, &s).map(|m| m.statement.clone())
}

/// The statuses a document gives the four (release, component, advisory) cases.
fn decisions(docs: &[VexDocument]) -> Vec<Option<Status>> {
    let cases: [(&[&str], u32, &str); 6] = [
        (&["RUSTSEC-2021-0003"], 1, "pkg:cargo/smallvec@1.6.0"),
        (&["CVE-2021-25900"], 2, "pkg:cargo/smallvec@1.6.1"),
        (&["RUSTSEC-2020-0071"], 1, "pkg:cargo/time@0.1.45"),
        (&["GHSA-wcg3-cvx6-7396"], 2, "pkg:cargo/time@0.1.45"),
        (&["RUSTSEC-2021-0003"], 3, "pkg:cargo/smallvec@1.6.0"),
        // Not in any statement.
        (&["RUSTSEC-2021-0003"], 2, "pkg:cargo/smallvec@1.6.0"),
    ];
    cases
        .iter()
        .map(|(ids, r, c)| lookup(docs, ids, *r, c).map(|s| s.status))
        .collect()
}

const EXPECTED: [Option<Status>; 6] = [
    Some(Status::NotAffected),
    Some(Status::Fixed),
    Some(Status::Affected),
    Some(Status::UnderInvestigation),
    Some(Status::NotAffected),
    None,
];

#[test]
fn openvex_round_trip() {
    let doc = statements();
    let bytes = vex::openvex::to_json(&doc).unwrap();
    assert_eq!(bytes, vex::openvex::to_json(&doc).unwrap(), "deterministic");
    let back = export_and_read("round-trip.openvex.json", &bytes);
    assert_eq!(back.format, Format::OpenVex);
    assert!(back.id.starts_with("urn:uuid:"), "{}", back.id);
    assert_eq!(back.author, "ACME Corp");
    assert_eq!(decisions(std::slice::from_ref(&back)), EXPECTED);
    let na = back
        .statements
        .iter()
        .find(|s| s.justification == Some(Justification::VulnerableCodeNotInExecutePath))
        .unwrap();
    assert_eq!(
        na.impact_statement.as_deref(),
        Some("demo-app never calls insert_many")
    );
    assert_eq!(
        na.vulnerability.aliases,
        ["CVE-2021-25900", "GHSA-43w2-9j62-hq99"]
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["@context"], "https://openvex.dev/ns/v0.2.0");
    // Sorted by vulnerability id: RUSTSEC-2020-0071 before RUSTSEC-2021-0003.
    assert_eq!(
        v["statements"][0]["vulnerability"]["name"],
        "RUSTSEC-2020-0071"
    );
}

#[test]
fn cyclonedx_round_trip_uses_bom_links() {
    let doc = statements();
    let bytes = vex::cyclonedx::to_json(&doc, &releases_cdx(), Some("ACME Corp")).unwrap();
    assert_eq!(
        bytes,
        vex::cyclonedx::to_json(&doc, &releases_cdx(), Some("ACME Corp")).unwrap()
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["specVersion"], "1.6");
    let refs: Vec<&str> = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["affects"].as_array().unwrap())
        .filter_map(|a| a["ref"].as_str())
        .collect();
    assert!(
        refs.contains(&"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:cargo/smallvec@1.6.0"),
        "{refs:?}"
    );
    let na = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["analysis"]["justification"] == "code_not_reachable")
        .unwrap();
    assert_eq!(na["analysis"]["state"], "not_affected");
    assert_eq!(na["source"]["name"], "RustSec");
    assert_eq!(na["ratings"][0]["method"], "CVSSv31");
    assert_eq!(na["ratings"][0]["score"], 9.8);
    assert_eq!(na["analysis"]["firstIssued"], "2026-12-01T00:00:00Z");
    let affected = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["analysis"]["state"] == "exploitable")
        .unwrap();
    assert_eq!(affected["analysis"]["response"][0], "update");

    let back = export_and_read("round-trip.vex.cdx.json", &bytes);
    assert_eq!(back.format, Format::CycloneDx);
    assert_eq!(back.author, "ACME Corp");
    assert_eq!(decisions(std::slice::from_ref(&back)), EXPECTED);
    // The exact justification survives (CycloneDX has no component_not_present).
    assert!(
        back.statements
            .iter()
            .any(|s| s.justification == Some(Justification::ComponentNotPresent))
    );
    // BOM-Links match on their own, for a scan that knows the SBOM's serial number.
    let link = vex::cyclonedx::bom_link(SBOM_SERIAL, 1, Some("pkg:cargo/smallvec@1.6.0"));
    let bom = vex::cyclonedx::bom_link(SBOM_SERIAL, 1, None);
    let s = Subject {
        ids: &["RUSTSEC-2021-0003"],
        product_purl: None,
        product_iri: Some(&bom),
        component_purl: "pkg:cargo/unrelated@0.0.1",
        component_iri: Some(&link),
    };
    assert_eq!(
        vex::find(std::slice::from_ref(&back), &s).map(|m| m.statement.status),
        Some(Status::NotAffected)
    );
}

#[test]
fn csaf_round_trip() {
    let doc = statements();
    let opts = csaf_options();
    let bytes = vex::csaf::to_json(&doc, &opts).unwrap();
    assert_eq!(bytes, vex::csaf::to_json(&doc, &opts).unwrap());
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["document"]["category"], "csaf_vex");
    assert_eq!(v["document"]["publisher"]["name"], "ACME Corp");
    assert!(
        v["document"]["tracking"]["id"]
            .as_str()
            .unwrap()
            .starts_with("cargo-cra-vex-")
    );
    let smallvec = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["ids"][0]["text"] == "GHSA-43w2-9j62-hq99" || x["cve"] == "CVE-2021-25900")
        .unwrap();
    assert_eq!(smallvec["cve"], "CVE-2021-25900");
    assert_eq!(
        smallvec["product_status"]["known_not_affected"],
        serde_json::json!(["demo-app@1.3.0", "smallvec@1.6.0 in demo-app@1.1.0"])
    );
    assert_eq!(
        smallvec["product_status"]["fixed"],
        serde_json::json!(["smallvec@1.6.1 in demo-app@1.2.0"])
    );
    let labels: Vec<&str> = smallvec["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "component_not_present",
            "vulnerable_code_not_in_execute_path"
        ]
    );
    let time = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["cve"] == "CVE-2020-26235")
        .unwrap();
    assert_eq!(time["remediations"][0]["category"], "vendor_fix");
    assert_eq!(time["scores"][0]["cvss_v3"]["baseScore"], 5.9);
    // Product tree: the manufacturer's releases, then crates.io's crates.
    assert_eq!(v["product_tree"]["branches"][0]["name"], "ACME Corp");
    assert_eq!(
        v["product_tree"]["branches"][0]["branches"][0]["branches"][0]["product"]["product_identification_helper"]
            ["purl"],
        "pkg:cargo/demo-app@1.1.0"
    );

    let back = export_and_read("round-trip.csaf.json", &bytes);
    assert_eq!(back.format, Format::Csaf);
    assert_eq!(back.author, "ACME Corp");
    assert_eq!(decisions(std::slice::from_ref(&back)), EXPECTED);
}

#[test]
fn vexctl_openvex_fixture() {
    let d = vex::read(&fixture("vexctl.openvex.json")).unwrap();
    assert_eq!(d.format, Format::OpenVex);
    assert_eq!(d.statements.len(), 2);
    // Product without version: every release; matched through the GHSA alias.
    for release in [1, 2, 9] {
        let m = lookup(
            std::slice::from_ref(&d),
            &["RUSTSEC-2021-0003", "CVE-2021-25900"],
            release,
            "pkg:cargo/smallvec@1.6.0",
        )
        .unwrap();
        assert_eq!(m.status, Status::NotAffected);
        assert_eq!(
            m.justification,
            Some(Justification::VulnerableCodeNotInExecutePath)
        );
    }
    assert!(
        lookup(
            std::slice::from_ref(&d),
            &["GHSA-43w2-9j62-hq99"],
            1,
            "pkg:cargo/smallvec@1.6.0"
        )
        .is_some()
    );
    // Another version of the subcomponent is not covered.
    assert!(
        lookup(
            std::slice::from_ref(&d),
            &["CVE-2021-25900"],
            1,
            "pkg:cargo/smallvec@1.6.1"
        )
        .is_none()
    );
    // A statement about the crate itself covers it in any product.
    let m = lookup(
        std::slice::from_ref(&d),
        &["RUSTSEC-2020-0071"],
        4,
        "pkg:cargo/time@0.1.45",
    )
    .unwrap();
    assert_eq!(m.status, Status::Affected);
    assert_eq!(
        m.action_statement.as_deref(),
        Some("Upgrade to time 0.2.23 or later")
    );
}

#[test]
fn dependency_track_cyclonedx_fixture() {
    let d = vex::read(&fixture("dependency-track.vex.cdx.json")).unwrap();
    assert_eq!(d.format, Format::CycloneDx);
    let st = &d.statements[0];
    assert_eq!(st.status, Status::NotAffected);
    assert_eq!(
        st.justification,
        Some(Justification::VulnerableCodeNotInExecutePath)
    );
    assert_eq!(st.responses, ["will_not_fix"]);
    assert_eq!(
        st.impact_statement.as_deref(),
        Some("insert_many is never called")
    );
    // The BOM-Link's bom-ref is a purl: it matches by purl in the release the link names.
    let bom = "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1";
    let s = Subject {
        ids: &["RUSTSEC-2021-0003", "CVE-2021-25900"],
        product_purl: Some("pkg:cargo/demo-app@1.2.0"),
        product_iri: Some(bom),
        component_purl: "pkg:cargo/smallvec@1.6.0",
        component_iri: Some(
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:cargo/smallvec@1.6.0",
        ),
    };
    assert_eq!(
        vex::find(std::slice::from_ref(&d), &s).map(|m| m.statement.status),
        Some(Status::NotAffected)
    );
    // Another SBOM (another serial) is another product.
    let other = Subject {
        product_iri: Some("urn:cdx:00000000-395b-41f5-a30f-a58921a69b79/1"),
        component_iri: None,
        ..s
    };
    assert!(vex::find(std::slice::from_ref(&d), &other).is_none());
    // A UUID bom-ref matches by the BOM-Link alone.
    let time = Subject {
        ids: &["GHSA-wcg3-cvx6-7396"],
        product_purl: Some("pkg:cargo/demo-app@1.2.0"),
        product_iri: Some(bom),
        component_purl: "pkg:cargo/time@0.1.45",
        component_iri: Some(
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#a1b2c3d4-0000-4000-8000-00000000000a",
        ),
    };
    assert_eq!(
        vex::find(std::slice::from_ref(&d), &time).map(|m| m.statement.status),
        Some(Status::UnderInvestigation)
    );
}

#[test]
fn cyclonedx_fixture_with_components_inside_the_vex_bom() {
    let d = vex::read(&fixture("embedded.vex.cdx.json")).unwrap();
    assert_eq!(d.author, "Supplier Ltd");
    let m = lookup(
        std::slice::from_ref(&d),
        &["CVE-2021-25900"],
        2,
        "pkg:cargo/smallvec@1.6.0",
    )
    .unwrap();
    assert_eq!(m.status, Status::Fixed);
    assert_eq!(m.status_notes.as_deref(), Some("patched in our fork"));
    // The VEX BOM is about demo-app 1.2.0 only.
    assert!(
        lookup(
            std::slice::from_ref(&d),
            &["CVE-2021-25900"],
            3,
            "pkg:cargo/smallvec@1.6.0"
        )
        .is_none()
    );
}

#[test]
fn supplier_csaf_fixture() {
    let d = vex::read(&fixture("supplier.csaf.json")).unwrap();
    assert_eq!(d.format, Format::Csaf);
    assert_eq!(d.id, "SUP-VEX-2026-0007");
    assert_eq!(d.author, "Supplier Ltd");
    let st = &d.statements[0];
    assert_eq!(st.vulnerability.id, "RUSTSEC-2021-0003");
    assert_eq!(st.vulnerability.aliases, ["CVE-2021-25900"]);
    assert_eq!(
        st.justification,
        Some(Justification::VulnerableCodeNotInExecutePath)
    );
    assert_eq!(
        st.impact_statement.as_deref(),
        Some("insert_many is never called by demo-app")
    );
    assert!(
        lookup(
            std::slice::from_ref(&d),
            &["RUSTSEC-2021-0003"],
            2,
            "pkg:cargo/smallvec@1.6.0"
        )
        .is_some()
    );
    assert!(
        lookup(
            std::slice::from_ref(&d),
            &["RUSTSEC-2021-0003"],
            1,
            "pkg:cargo/smallvec@1.6.0"
        )
        .is_none()
    );
}

#[test]
fn malformed_documents_name_the_file_and_the_problem() {
    let cases = [
        (
            "bad-status.openvex.json",
            "`statements[0].status` is `not-affected`, expected one of not_affected",
        ),
        ("truncated.openvex.json", "not a VEX document: invalid JSON"),
        (
            "dangling-ref.vex.cdx.json",
            "`vulnerabilities[0].affects[0].ref` `smallvec` names no component of this BOM",
        ),
        ("sbom-not-vex.cdx.json", "it is an SBOM, not a VEX document"),
        (
            "undefined-product.csaf.json",
            "product id `CSAFPID-0009` is used in a product status but not defined",
        ),
        (
            "unknown-format.json",
            "not a VEX document: expected OpenVEX",
        ),
    ];
    for (name, want) in cases {
        let path = fixture(&format!("malformed/{name}"));
        let err = vex::read(&path).unwrap_err();
        let msg = err.to_string();
        let first = msg.lines().next().unwrap();
        assert!(first.starts_with(path.as_str()), "{name}: {first}");
        assert!(first.contains(want), "{name}: {first}");
        assert_eq!(err.exit_code(), 2);
        for internal in ["struct ", "Vulnerability", "VexDocument", "serde"] {
            assert!(!first.contains(internal), "{name}: {first}");
        }
    }
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let e = vex::read(Utf8Path::new("no/such/file.json")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("no/such/file.json: failed to read"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------
// `cargo cra vex`: the statements for releases (library), and the command end to end.

use cargo_cra::commands::vex::{self as vexcmd, Component, Release};
use cargo_cra::policy::Policy;

fn fixture_db() -> cargo_cra::advisory::db::Database {
    let path = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisory-db");
    cargo_cra::advisory::db::load(&path, None, &cargo_cra::output::Printer::plain()).unwrap()
}

fn crate_component(name: &str, version: &str) -> Component {
    Component {
        name: name.into(),
        version: version.parse().unwrap(),
        purl: format!("pkg:cargo/{name}@{version}"),
        bom_ref: Some(format!("pkg:cargo/{name}@{version}")),
        crates_io: true,
    }
}

fn release(version: &str, components: &[(&str, &str)]) -> Release {
    Release {
        origin: format!("app-{version}.cdx.json").into(),
        name: "app".into(),
        version: version.parse().unwrap(),
        purl: format!("pkg:cargo/app@{version}"),
        bom_ref: Some(format!("pkg:cargo/app@{version}")),
        bom: None,
        components: components
            .iter()
            .map(|(n, v)| crate_component(n, v))
            .collect(),
        targets: Vec::new(),
    }
}

/// The statements for `releases` with `policy`, no VEX inputs, on the tests' "today".
fn statements_for(releases: &[Release], policy: &Policy) -> Vec<Statement> {
    let db = fixture_db();
    let inputs = vexcmd::Inputs {
        database: &db,
        policy,
        vex: &[],
        today: today(),
    };
    vexcmd::statements(releases, &inputs).unwrap()
}

fn policy(toml: &str) -> Policy {
    Policy::parse(Utf8Path::new("deny-policy.toml"), toml).unwrap()
}

fn today() -> time::Date {
    time::macros::date!(2026 - 12 - 01)
}

/// `(product version, advisory, status, justification)` of each statement.
fn summary(st: &[Statement]) -> Vec<(String, String, Status, Option<Justification>)> {
    let mut v: Vec<_> = st
        .iter()
        .map(|s| {
            let p = s.products[0].id.purl.clone().unwrap();
            (
                p.rsplit_once('@').unwrap().1.to_string(),
                s.vulnerability.id.clone(),
                s.status,
                s.justification,
            )
        })
        .collect();
    v.sort();
    v
}

fn releases_of_app() -> Vec<Release> {
    vec![
        release("1.0.0", &[("vulnlib", "1.2.0"), ("smallfmt", "1.1.4")]),
        release("1.1.0", &[("vulnlib", "1.2.5"), ("smallfmt", "1.1.4")]),
        release("1.2.0", &[("smallfmt", "1.1.4")]),
    ]
}

#[test]
fn untriaged_findings_are_under_investigation_and_other_releases_fixed_or_not_present() {
    let st = statements_for(&releases_of_app(), &policy(""));
    assert_eq!(
        summary(&st),
        [
            (
                "1.0.0".into(),
                "RUSTSEC-2099-0001".into(),
                Status::UnderInvestigation,
                None
            ),
            (
                "1.1.0".into(),
                "RUSTSEC-2099-0001".into(),
                Status::Fixed,
                None
            ),
            (
                "1.2.0".into(),
                "RUSTSEC-2099-0001".into(),
                Status::NotAffected,
                Some(Justification::ComponentNotPresent)
            ),
        ]
    );
    let fixed = st.iter().find(|s| s.status == Status::Fixed).unwrap();
    assert_eq!(
        fixed.products[0].subcomponents[0].purl.as_deref(),
        Some("pkg:cargo/vulnlib@1.2.5")
    );
    assert_eq!(
        fixed.vulnerability.aliases,
        ["CVE-2099-10001", "GHSA-2c4f-8m9q-vx3w"]
    );
    assert!(fixed.vulnerability.cvss.is_some());
    // The document built from it passes every reader.
    let mut doc = VexDocument::new(Format::OpenVex, "", "Example GmbH");
    doc.timestamp = Some("2026-12-01T00:00:00Z".into());
    doc.statements = st;
    let back = export_and_read(
        "releases.openvex.json",
        &vex::openvex::to_json(&doc).unwrap(),
    );
    assert_eq!(back.statements.len(), 3);
    let publisher = csaf_options().publisher;
    let csaf = vexcmd::render(
        cargo_cra::cli::VexFormat::Csaf,
        &doc,
        &releases_of_app(),
        Some(&publisher),
    )
    .unwrap();
    let back = export_and_read("releases.csaf.json", &csaf);
    assert_eq!(back.statements.len(), 3);
    // CycloneDX needs the releases' SBOM serial numbers.
    let e = vexcmd::render(
        cargo_cra::cli::VexFormat::Cyclonedx,
        &doc,
        &releases_of_app(),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("BOM-Link"), "{e}");
}

#[test]
fn triage_entries_decide_the_status_and_expire() {
    let db = fixture_db();
    let entry = |extra: &str| {
        policy(&format!(
            "[advisories]\nignore = [{{ id = \"CVE-2099-10001\", reason = \"we never parse untrusted input\", {extra} }}]\n"
        ))
    };
    let status_of = |p: &Policy, vex: &[VexDocument]| {
        let inputs = vexcmd::Inputs {
            database: &db,
            policy: p,
            vex,
            today: today(),
        };
        let st = vexcmd::statements(&releases_of_app()[..1], &inputs).unwrap();
        assert_eq!(st.len(), 1);
        st.into_iter().next().unwrap()
    };
    let na = status_of(
        &entry(
            "status = \"not_affected\", justification = \"vulnerable_code_not_in_execute_path\"",
        ),
        &[],
    );
    assert_eq!(na.status, Status::NotAffected);
    assert_eq!(
        na.justification,
        Some(Justification::VulnerableCodeNotInExecutePath)
    );
    assert_eq!(
        na.impact_statement.as_deref(),
        Some("we never parse untrusted input")
    );
    // Expired: no claim any more.
    let expired = status_of(
        &entry(
            "status = \"not_affected\", justification = \"vulnerable_code_not_in_execute_path\", until = \"2026-11-30\"",
        ),
        &[],
    );
    assert_eq!(expired.status, Status::UnderInvestigation);
    // A plain ignore is not a claim to customers.
    let plain = status_of(&entry(""), &[]);
    assert_eq!(plain.status, Status::UnderInvestigation);
    // Affected: the reason is the action statement, the fix is a response.
    let affected = status_of(&entry("status = \"affected\""), &[]);
    assert_eq!(affected.status, Status::Affected);
    assert_eq!(
        affected.action_statement.as_deref(),
        Some("we never parse untrusted input")
    );
    assert_eq!(affected.responses, ["update"]);
    // For other products only.
    let other = status_of(
        &entry(
            "status = \"not_affected\", justification = \"vulnerable_code_not_present\", products = [\"tool\"]",
        ),
        &[],
    );
    assert_eq!(other.status, Status::UnderInvestigation);
    // An input VEX statement applies where the policy has no triage; the policy wins.
    let mut supplier = VexDocument::new(Format::OpenVex, "supplier", "Supplier");
    let mut s = Statement::new(
        Vulnerability::new("GHSA-2c4f-8m9q-vx3w", vec![]),
        vec![Product::purl("pkg:cargo/vulnlib@1.2.0")],
        Status::NotAffected,
    );
    s.justification = Some(Justification::InlineMitigationsAlreadyExist);
    supplier.statements.push(s);
    let from_vex = status_of(&policy(""), std::slice::from_ref(&supplier));
    assert_eq!(from_vex.status, Status::NotAffected);
    assert_eq!(
        from_vex.justification,
        Some(Justification::InlineMitigationsAlreadyExist)
    );
    let policy_wins = status_of(
        &entry("status = \"affected\""),
        std::slice::from_ref(&supplier),
    );
    assert_eq!(policy_wins.status, Status::Affected);
}

#[test]
fn informational_advisories_and_other_platforms_get_no_statement() {
    let db = fixture_db();
    let p = policy("");
    let inputs = vexcmd::Inputs {
        database: &db,
        policy: &p,
        vex: &[],
        today: today(),
    };
    let mut r = release("1.0.0", &[("oldlib", "0.1.0"), ("winonly", "0.2.0")]);
    r.targets = vec!["x86_64-unknown-linux-gnu".into()];
    assert!(
        vexcmd::statements(&[r.clone()], &inputs)
            .unwrap()
            .is_empty()
    );
    // Unknown targets: reported, fail closed.
    r.targets.clear();
    let st = vexcmd::statements(&[r], &inputs).unwrap();
    assert_eq!(summary(&st).len(), 1);
    assert_eq!(st[0].vulnerability.id, "RUSTSEC-2099-0005");
}

fn vex_cmd(s: &common::Scenario, args: &[&str]) -> common::Output {
    let db = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisory-db");
    let mut cmd = s.cmd(["vex", "--frozen", "--advisory-db", db.as_str()]);
    cmd.args(args);
    common::run(cmd)
}

fn add_policy(s: &common::Scenario, toml: &str) {
    let mut text = s.read("deny-policy.toml");
    text.push('\n');
    text.push_str(toml);
    s.write("deny-policy.toml", text);
}

#[test]
fn vex_command_writes_the_workspace_triage_in_each_format() {
    let s = common::scenario("report-vulnerable");
    add_policy(
        &s,
        "[advisories]\nignore = [{ id = \"RUSTSEC-2099-0001\", reason = \"report-vulnerable never calls vulnlib::parse\", status = \"not_affected\", justification = \"vulnerable_code_not_in_execute_path\" }]\n",
    );
    let out = vex_cmd(&s, &[]);
    out.assert_code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["author"], "Example GmbH");
    assert_eq!(v["statements"][0]["status"], "not_affected");
    assert_eq!(
        v["statements"][0]["products"][0]["@id"],
        "pkg:cargo/report-vulnerable@1.0.0"
    );
    // Deterministic.
    assert_eq!(vex_cmd(&s, &[]).stdout, out.stdout);

    let out = vex_cmd(&s, &["--format", "csaf", "-o", "app.csaf.json"]);
    out.assert_code(0);
    assert!(out.stderr.contains("Wrote"), "{}", out.both());
    let text = s.read("app.csaf.json");
    let doc = export_and_read("workspace.csaf.json", text.as_bytes());
    assert_eq!(doc.author, "Example GmbH");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["document"]["publisher"]["namespace"],
        "https://example.com"
    );
    assert_eq!(
        v["vulnerabilities"][0]["flags"][0]["label"],
        "vulnerable_code_not_in_execute_path"
    );

    let out = vex_cmd(&s, &["--format", "cyclonedx"]);
    out.assert_code(2);
    assert!(out.stderr.contains("BOM-Link"), "{}", out.both());
}

#[test]
fn vex_command_signs_like_sbom() {
    let s = common::scenario("report-vulnerable");
    let key = s.root.join("release-key");
    let key = Utf8Path::from_path(&key).unwrap();
    common::run(s.cmd(["keygen", "--out", key.as_str()])).assert_code(0);
    let out = vex_cmd(&s, &["-o", "app.openvex.json", "--sign", key.as_str()]);
    out.assert_code(0);
    let doc = s.path("app.openvex.json");
    let sig = s.path("app.openvex.json.sig");
    let env = s.path("app.openvex.json.intoto.jsonl");
    assert!(sig.is_file() && env.is_file(), "{}", out.both());
    // The detached signature verifies with OpenSSH itself (CI installs ssh-keygen).
    let check = std::process::Command::new("ssh-keygen")
        .args(["-Y", "check-novalidate", "-n", "cargo-cra-sbom", "-s"])
        .arg(&sig)
        .stdin(std::fs::File::open(&doc).unwrap())
        .output()
        .expect("ssh-keygen is needed (install openssh-client; .ci/run does)");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let text = std::fs::read_to_string(&env).unwrap();
    let envelope: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    // Export for .ci/run: securesystemslib verifies the envelope with the public key.
    let dir = Utf8Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-vex/signed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&doc, dir.join("app.openvex.json")).unwrap();
    std::fs::copy(&env, dir.join("app.openvex.json.intoto.jsonl")).unwrap();
    std::fs::copy(format!("{key}.pub"), dir.join("app.openvex.json.pub")).unwrap();
    std::fs::copy(
        format!("{key}.pub.pem"),
        dir.join("app.openvex.json.pub.pem"),
    )
    .unwrap();
    // Without -o there is nowhere to put the signature.
    let out = vex_cmd(&s, &["--sign", key.as_str()]);
    out.assert_code(2);
    assert!(out.stderr.contains("-o FILE"), "{}", out.both());
}

#[test]
fn malformed_vex_input_stops_the_command_naming_the_file() {
    let s = common::scenario("report-vulnerable");
    let bad = fixture("malformed/bad-status.openvex.json");
    let out = vex_cmd(&s, &["--vex", bad.as_str()]);
    out.assert_code(2);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(first.contains("bad-status.openvex.json"), "{}", out.both());
    assert!(first.contains("`statements[0].status`"), "{}", out.both());
    assert!(!s.path("app.openvex.json").exists());
}

// ---------------------------------------------------------------------------------------
// `--vex` on `check`.

fn check_json(s: &common::Scenario, vex_files: &[&Utf8Path]) -> (common::Output, Value) {
    let db = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisory-db");
    let mut cmd = s.cmd([
        "check",
        "advisories",
        "--frozen",
        "--format",
        "json",
        "--advisory-db",
        db.as_str(),
    ]);
    for f in vex_files {
        cmd.args(["--vex", f.as_str()]);
    }
    let out = common::run(cmd);
    let v = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    (out, v)
}

fn codes(report: &Value) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or_default().to_string(),
                        d["severity"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .filter(|(c, _)| c.starts_with("advisory-vulnerability") || c.contains("vex"))
                .collect()
        })
        .unwrap_or_default()
}

/// A supplier's OpenVEX statement about vulnlib 1.2.0, by CVE alias.
fn supplier_vex(s: &common::Scenario, status: &str, product: &str) -> Utf8PathBuf {
    let extra = match status {
        "not_affected" => r#", "justification": "vulnerable_code_not_present""#,
        "affected" => r#", "action_statement": "update""#,
        _ => "",
    };
    let text = format!(
        r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://supplier.example/vex/1", "author": "Supplier", "timestamp": "2026-11-01T00:00:00Z", "version": 1,
 "statements": [{{"vulnerability": {{"name": "CVE-2099-10001"}}, "products": [{{"@id": "{product}"}}], "status": "{status}"{extra}}}]}}"#
    );
    let name = format!("supplier-{status}.openvex.json");
    s.write(&name, text);
    Utf8PathBuf::from_path_buf(s.path(&name)).unwrap()
}

#[test]
fn check_vex_not_affected_or_fixed_turns_the_finding_into_a_note() {
    let s = common::scenario("report-vulnerable");
    let (out, v) = check_json(&s, &[]);
    out.assert_code(1);
    assert_eq!(
        codes(&v),
        [("advisory-vulnerability".to_string(), "error".to_string())]
    );
    for status in ["not_affected", "fixed"] {
        let f = supplier_vex(&s, status, "pkg:cargo/vulnlib@1.2.0");
        let (out, v) = check_json(&s, &[&f]);
        out.assert_code(0);
        assert_eq!(
            codes(&v),
            [("advisory-settled-by-vex".to_string(), "note".to_string())],
            "{status}"
        );
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "advisory-settled-by-vex")
            .unwrap();
        let msg = d["message"].as_str().unwrap();
        assert!(
            msg.contains(&format!("supplier-{status}.openvex.json")),
            "{msg}"
        );
        assert_eq!(d["data"]["status"], status);
        if status == "not_affected" {
            assert_eq!(d["data"]["justification"], "vulnerable_code_not_present");
            assert!(msg.contains("vulnerable_code_not_present"), "{msg}");
        }
    }
    // Statements about the product (the workspace member) count too.
    let f = supplier_vex(&s, "not_affected", "pkg:cargo/report-vulnerable");
    check_json(&s, &[&f]).0.assert_code(0);
}

#[test]
fn check_vex_affected_under_investigation_or_other_versions_keep_the_finding() {
    let s = common::scenario("report-vulnerable");
    for (status, product) in [
        ("affected", "pkg:cargo/vulnlib@1.2.0"),
        ("under_investigation", "pkg:cargo/vulnlib@1.2.0"),
        ("not_affected", "pkg:cargo/vulnlib@1.2.1"),
        ("not_affected", "pkg:cargo/other-product"),
    ] {
        let f = supplier_vex(&s, status, product);
        let (out, v) = check_json(&s, &[&f]);
        out.assert_code(1);
        assert_eq!(
            codes(&v),
            [("advisory-vulnerability".to_string(), "error".to_string())],
            "{status} {product}"
        );
    }
    // A later `affected` statement supersedes an earlier `not_affected` one.
    let na = supplier_vex(&s, "not_affected", "pkg:cargo/vulnlib@1.2.0");
    let later = s.read("supplier-not_affected.openvex.json").replace(
        r#""status": "not_affected", "justification": "vulnerable_code_not_present""#,
        r#""status": "affected", "action_statement": "update", "timestamp": "2026-11-20T00:00:00Z""#,
    );
    s.write("later.openvex.json", later);
    let later = Utf8PathBuf::from_path_buf(s.path("later.openvex.json")).unwrap();
    check_json(&s, &[&na, &later]).0.assert_code(1);
}

#[test]
fn check_vex_reads_every_format_and_rejects_malformed_ones() {
    // Our own CSAF and OpenVEX documents, written where the policy triages the advisory as
    // `not_affected`, settle the finding in a copy of the workspace without that entry.
    let triaged = common::scenario("report-vulnerable");
    add_policy(
        &triaged,
        "[advisories]\nignore = [{ id = \"RUSTSEC-2099-0001\", reason = \"never called\", status = \"not_affected\", justification = \"vulnerable_code_not_in_execute_path\" }]\n",
    );
    vex_cmd(&triaged, &["--format", "csaf", "-o", "own.csaf.json"]).assert_code(0);
    vex_cmd(&triaged, &["-o", "own.openvex.json"]).assert_code(0);
    let s = common::scenario("report-vulnerable");
    check_json(&s, &[]).0.assert_code(1);
    for f in ["own.csaf.json", "own.openvex.json"] {
        let p = Utf8PathBuf::from_path_buf(triaged.path(f)).unwrap();
        let (out, v) = check_json(&s, &[&p]);
        out.assert_code(0);
        assert_eq!(
            codes(&v),
            [("advisory-settled-by-vex".to_string(), "note".to_string())],
            "{f}"
        );
    }
    // CycloneDX with components inside the VEX BOM.
    let cdx = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [{"type": "library", "bom-ref": "v", "name": "vulnlib", "version": "1.2.0", "purl": "pkg:cargo/vulnlib@1.2.0"}],
  "vulnerabilities": [{"id": "GHSA-2c4f-8m9q-vx3w", "analysis": {"state": "not_affected", "justification": "code_not_reachable"}, "affects": [{"ref": "v"}]}]}"#;
    s.write("supplier.vex.cdx.json", cdx);
    let p = Utf8PathBuf::from_path_buf(s.path("supplier.vex.cdx.json")).unwrap();
    check_json(&s, &[&p]).0.assert_code(0);

    for bad in [
        "bad-status.openvex.json",
        "dangling-ref.vex.cdx.json",
        "undefined-product.csaf.json",
    ] {
        let path = fixture(&format!("malformed/{bad}"));
        let (out, _) = check_json(&s, &[&path]);
        out.assert_code(2);
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(first.contains(path.as_str()), "{bad}: {}", out.both());
    }
}

#[test]
fn vex_command_describes_the_releases_of_an_sbom_archive() {
    let s = common::scenario("report-vulnerable");
    let releases = fixture("releases");
    for (format, file) in [
        ("cyclonedx", "archive.vex.cdx.json"),
        ("openvex", "archive.openvex.json"),
        ("csaf", "archive.csaf.json"),
    ] {
        let out = vex_cmd(&s, &["--format", format, "-o", file, releases.as_str()]);
        out.assert_code(0);
        let text = s.read(file);
        let doc = export_and_read(file, text.as_bytes());
        let mut got: Vec<(String, Status)> = Vec::new();
        for st in &doc.statements {
            for p in &st.products {
                got.push((p.id.purl.clone().unwrap_or_default(), st.status));
            }
        }
        got.sort();
        assert_eq!(
            got,
            [
                (
                    "pkg:cargo/app@1.0.0".to_string(),
                    Status::UnderInvestigation
                ),
                ("pkg:cargo/app@1.1.0".to_string(), Status::Fixed),
                ("pkg:cargo/app@1.2.0".to_string(), Status::NotAffected),
            ],
            "{format}"
        );
        // The workspace's manufacturer is the author / publisher.
        assert_eq!(doc.author, "Example GmbH", "{format}");
    }
    let v: Value = serde_json::from_str(&s.read("archive.vex.cdx.json")).unwrap();
    let mut refs: Vec<&str> = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["affects"].as_array().unwrap())
        .filter_map(|a| a["ref"].as_str())
        .collect();
    refs.sort();
    assert_eq!(
        refs,
        [
            "urn:cdx:11111111-1111-4111-8111-111111111111/1#pkg:cargo/vulnlib@1.2.0",
            "urn:cdx:22222222-2222-4222-8222-222222222222/1#pkg:cargo/vulnlib@1.2.5",
            "urn:cdx:33333333-3333-4333-8333-333333333333/1#pkg:cargo/app@1.2.0",
        ]
    );
    // A BOM-Link statement applies to the release's SBOM, as `scan` sees it.
    let doc =
        vex::read(&Utf8PathBuf::from_path_buf(s.path("archive.vex.cdx.json")).unwrap()).unwrap();
    let bom = "urn:cdx:22222222-2222-4222-8222-222222222222/1";
    let link = vex::cyclonedx::link_into(bom, "pkg:cargo/vulnlib@1.2.5");
    let subject = Subject {
        ids: &["CVE-2099-10001"],
        product_purl: Some("pkg:cargo/app@1.1.0"),
        product_iri: Some(bom),
        component_purl: "pkg:cargo/vulnlib@1.2.5",
        component_iri: Some(&link),
    };
    assert_eq!(
        vex::find(std::slice::from_ref(&doc), &subject).map(|m| m.statement.status),
        Some(Status::Fixed)
    );
    // An input that is not an SBOM is an error naming it.
    s.write("notes.json", "{\"hello\": 1}");
    let out = vex_cmd(&s, &["notes.json"]);
    out.assert_code(2);
    assert!(out.stderr.contains("notes.json"), "{}", out.both());
}

#[test]
fn check_vex_and_expired_policy_entries() {
    let s = common::scenario("report-vulnerable");
    // An expired triage entry no longer settles the finding ...
    add_policy(
        &s,
        "[advisories]\nignore = [{ id = \"RUSTSEC-2099-0001\", reason = \"never called\", status = \"not_affected\", justification = \"vulnerable_code_not_in_execute_path\", until = \"2026-11-30\" }]\n",
    );
    let (out, v) = check_json(&s, &[]);
    out.assert_code(1);
    let has = |v: &Value, code: &str| {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == code)
    };
    assert!(has(&v, "advisory-ignore-expired"), "{}", out.both());
    // ... a current VEX statement still does; the expiry is still reported.
    let f = supplier_vex(&s, "not_affected", "pkg:cargo/vulnlib@1.2.0");
    let (out, v) = check_json(&s, &[&f]);
    out.assert_code(0);
    assert!(has(&v, "advisory-settled-by-vex"), "{}", out.both());
    assert!(has(&v, "advisory-ignore-expired"), "{}", out.both());
    assert!(!has(&v, "advisory-vulnerability"), "{}", out.both());
    // And `cargo cra vex` publishes the expired entry as under investigation, or the VEX
    // input's statement when one is given.
    let out = vex_cmd(&s, &[]);
    out.assert_code(0);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["statements"][0]["status"], "under_investigation");
    let out = vex_cmd(&s, &["--vex", f.as_str()]);
    out.assert_code(0);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["statements"][0]["status"], "not_affected");
    assert_eq!(
        doc["statements"][0]["justification"],
        "vulnerable_code_not_present"
    );
}

// ---------------------------------------------------------------------------------------
// `--vex` on `scan`.

fn scan_json(s: &common::Scenario, args: &[&str]) -> (common::Output, Value) {
    let db = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisory-db");
    let mut cmd = s.cmd([
        "scan",
        "--offline",
        "--format",
        "json",
        "--advisory-db",
        db.as_str(),
    ]);
    cmd.args(args);
    let out = common::run(cmd);
    let v = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    (out, v)
}

fn all_codes(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for input in v["inputs"].as_array().into_iter().flatten() {
        for d in input["diagnostics"].as_array().into_iter().flatten() {
            out.push(d["code"].as_str().unwrap_or_default().to_string());
        }
    }
    out.sort();
    out
}

#[test]
fn scan_vex_settles_findings_of_the_release_it_names() {
    // Our own CycloneDX VEX (BOM-Links into the release SBOMs), written where the policy says
    // release 1.0.0 is not affected.
    let triaged = common::scenario("report-vulnerable");
    add_policy(
        &triaged,
        "[advisories]\nignore = [{ id = \"RUSTSEC-2099-0001\", reason = \"app never parses\", status = \"not_affected\", justification = \"vulnerable_code_not_in_execute_path\", products = [\"app@1.0.0\"] }]\n",
    );
    let releases = fixture("releases");
    vex_cmd(
        &triaged,
        &[
            "--format",
            "cyclonedx",
            "-o",
            "app.vex.cdx.json",
            releases.as_str(),
        ],
    )
    .assert_code(0);
    let own = Utf8PathBuf::from_path_buf(triaged.path("app.vex.cdx.json")).unwrap();

    let s = common::scenario("report-vulnerable");
    let (out, v) = scan_json(&s, &[releases.as_str()]);
    out.assert_code(1);
    assert!(
        all_codes(&v).contains(&"advisory-vulnerability".to_string()),
        "{}",
        out.both()
    );
    let (out, v) = scan_json(&s, &[releases.as_str(), "--vex", own.as_str()]);
    out.assert_code(0);
    let codes = all_codes(&v);
    assert!(
        codes.contains(&"advisory-settled-by-vex".to_string()),
        "{}",
        out.both()
    );
    assert!(
        !codes.contains(&"advisory-vulnerability".to_string()),
        "{}",
        out.both()
    );
    // A supplier's `affected` keeps it; a malformed document stops the scan.
    let f = supplier_vex(&s, "affected", "pkg:cargo/vulnlib@1.2.0");
    scan_json(&s, &[releases.as_str(), "--vex", f.as_str()])
        .0
        .assert_code(1);
    let bad = fixture("malformed/bad-status.openvex.json");
    let (out, _) = scan_json(&s, &[releases.as_str(), "--vex", bad.as_str()]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("bad-status.openvex.json"),
        "{}",
        out.both()
    );
}
