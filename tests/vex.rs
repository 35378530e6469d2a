//! VEX documents: each format written and read back, documents as other tools write them
//! (`tests/fixtures/vex/`), malformed documents, and matching by alias and product.
//!
//! Every document a test writes is also copied to `target/test-vex/`, where `.ci/run`
//! validates it with an independent implementation (OpenVEX: the JSON schema with Python's
//! `jsonschema`; CycloneDX: cyclonedx-python-lib, strict; CSAF: BSI's csaf-validator-lib).

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
