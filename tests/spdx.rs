//! End-to-end tests of `cargo cra sbom --format spdx-json` (SPDX 2.3) and `--format
//! spdx3-json` (SPDX 3.0.1): the same facts as the CycloneDX SBOM (components, hashes,
//! licences, creators, purls, dependencies, CRA metadata), determinism, and signing.
//!
//! Every SPDX document a test writes is copied to `target/test-spdx/`, where `.ci/run`
//! validates it with independent implementations: `pyspdxtools -i` and `ntia-checker -s spdx2
//! -c ntia` for 2.3, `spdx3-validate` and `ntia-checker -s spdx3 -c bsi` (BSI TR-03183-2
//! v2.1.0) for 3.0.1.

mod common;

use common::{Scenario, cargo_build, run, sbom, scenario};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Reads a document, exports it to `target/test-spdx/` for the validators, parses it.
fn read_doc(s: &Scenario, rel: &str, test: &str) -> (String, Value) {
    let text = s.read(rel);
    let name = Path::new(rel).file_name().unwrap().to_string_lossy();
    common::export_for_validation("test-spdx", &format!("{test}--{}--{name}", s.name), &text);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (text, v)
}

/// name@version of the CycloneDX SBOM's components (the reference facts).
fn cdx_components(bom: &Value) -> BTreeSet<String> {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}@{}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap()
            )
        })
        .collect()
}

fn cdx_deps(bom: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for d in bom["dependencies"].as_array().unwrap() {
        for t in d["dependsOn"].as_array().unwrap() {
            out.insert((
                d["ref"].as_str().unwrap().to_string(),
                t.as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

fn assert_spdx2_matches(doc: &Value, bom: &Value) {
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    let ns = doc["documentNamespace"].as_str().unwrap();
    assert!(
        ns.starts_with("https://spdx.org/spdxdocs/cargo-cra/"),
        "{ns}"
    );
    assert_eq!(doc["creationInfo"]["created"], "2026-12-01T00:00:00Z");
    let creators: Vec<&str> = doc["creationInfo"]["creators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        creators.contains(&"Organization: Example GmbH (security@example.com)"),
        "{creators:?}"
    );
    assert!(creators.iter().any(|c| c.starts_with("Tool: cargo-cra-")));
    let pkgs = doc["packages"].as_array().unwrap();
    let by_purl: BTreeMap<&str, &Value> = pkgs
        .iter()
        .map(|p| {
            let purl = p["externalRefs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["referenceType"] == "purl")
                .unwrap()["referenceLocator"]
                .as_str()
                .unwrap();
            (purl, p)
        })
        .collect();
    // The product and exactly the CycloneDX components.
    let product = &bom["metadata"]["component"];
    let names: BTreeSet<String> = pkgs
        .iter()
        .filter(|p| p["name"] != product["name"])
        .map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap(),
                p["versionInfo"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(names, cdx_components(bom));
    let rels = doc["relationships"].as_array().unwrap();
    let p = by_purl[product["purl"].as_str().unwrap()];
    assert!(rels.iter().any(|r| r["spdxElementId"] == "SPDXRef-DOCUMENT"
        && r["relationshipType"] == "DESCRIBES"
        && r["relatedSpdxElement"] == p["SPDXID"]));
    // CRA metadata of the product.
    assert_eq!(
        p["supplier"],
        "Organization: Example GmbH (security@example.com)"
    );
    assert!(
        p["validUntilDate"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00Z")
    );
    assert_eq!(p["primaryPackagePurpose"], "APPLICATION");
    let algs: Vec<&str> = p["checksums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(algs, ["SHA256", "SHA512"]);
    assert!(
        p["externalRefs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["referenceLocator"] == "mailto:security@example.com")
    );
    // Every component: supplier, licences, purl; the dependency edges of CycloneDX.
    for c in bom["components"].as_array().unwrap() {
        let s = by_purl[c["purl"].as_str().unwrap()];
        assert_ne!(s["supplier"], "NOASSERTION", "{s:#}");
        assert_ne!(s["licenseConcluded"], "NOASSERTION", "{s:#}");
        if c["purl"].as_str().unwrap().starts_with("pkg:cargo/") {
            assert_ne!(s["licenseDeclared"], "NOASSERTION", "{s:#}");
        }
        let cdx_sha512 = c["hashes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|h| h["alg"] == "SHA-512");
        let spdx_sha512 = s["checksums"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|h| h["algorithm"] == "SHA512");
        assert_eq!(
            cdx_sha512.map(|h| &h["content"]),
            spdx_sha512.map(|h| &h["checksumValue"]),
            "{s:#}"
        );
    }
    let id_to_purl: BTreeMap<&str, &str> = by_purl
        .iter()
        .map(|(k, v)| (v["SPDXID"].as_str().unwrap(), *k))
        .collect();
    let edges: BTreeSet<(String, String)> = rels
        .iter()
        .filter(|r| r["relationshipType"] == "DEPENDS_ON" && r["relatedSpdxElement"] != "NONE")
        .map(|r| {
            (
                id_to_purl[r["spdxElementId"].as_str().unwrap()].to_string(),
                id_to_purl[r["relatedSpdxElement"].as_str().unwrap()].to_string(),
            )
        })
        .collect();
    assert_eq!(edges, cdx_deps(bom));
}

fn graph_of(doc: &Value) -> BTreeMap<String, &Value> {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["spdxId"].as_str().map(|id| (id.to_string(), e)))
        .collect()
}

fn rel_targets<'a>(g: &BTreeMap<String, &'a Value>, from: &str, kind: &str) -> Vec<&'a Value> {
    g.values()
        .filter(|e| e["from"] == from && e["relationshipType"] == kind)
        .flat_map(|e| e["to"].as_array().unwrap().iter())
        .filter_map(|t| g.get(t.as_str().unwrap()).copied())
        .collect()
}

fn assert_spdx3_matches(doc: &Value, bom: &Value) {
    assert_eq!(
        doc["@context"],
        "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    );
    let g = graph_of(doc);
    let ci = &doc["@graph"][0];
    assert_eq!(ci["type"], "CreationInfo");
    assert_eq!(ci["specVersion"], "3.0.1");
    assert_eq!(ci["created"], "2026-12-01T00:00:00Z");
    let creator = g[ci["createdBy"][0].as_str().unwrap()];
    assert_eq!(creator["type"], "Organization");
    assert_eq!(
        creator["externalIdentifier"][0]["identifier"],
        "security@example.com"
    );
    let pkgs: BTreeMap<&str, &Value> = g
        .values()
        .filter(|e| e["type"] == "software_Package")
        .map(|e| (e["software_packageUrl"].as_str().unwrap(), *e))
        .collect();
    let product = &bom["metadata"]["component"];
    let mut want: BTreeSet<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    want.insert(product["purl"].as_str().unwrap());
    assert_eq!(pkgs.keys().copied().collect::<BTreeSet<_>>(), want);
    for (purl, p) in &pkgs {
        let id = p["spdxId"].as_str().unwrap();
        // BSI: creator with email or URL, a distribution file with a name and a SHA-512,
        // a concluded licence.
        let origin = g[p["originatedBy"][0]
            .as_str()
            .unwrap_or_else(|| panic!("{p:#}"))];
        assert!(
            origin["externalIdentifier"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "{origin:#}"
        );
        let files = rel_targets(&g, id, "hasDistributionArtifact");
        assert_eq!(files.len(), 1, "{purl}");
        assert!(files[0]["name"].as_str().is_some_and(|n| !n.is_empty()));
        let concluded = rel_targets(&g, id, "hasConcludedLicense");
        assert_eq!(concluded.len(), 1, "{purl}");
        assert!(concluded[0]["simplelicensing_licenseExpression"].is_string());
        let cdx = if *purl == product["purl"].as_str().unwrap() {
            product
        } else {
            bom["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["purl"] == *purl)
                .unwrap()
        };
        let cdx_sha512 = cdx["hashes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|h| h["alg"] == "SHA-512");
        if let Some(h) = cdx_sha512 {
            assert!(
                files[0]["verifiedUsing"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v["algorithm"] == "sha512" && v["hashValue"] == h["content"]),
                "{purl}: {:#}",
                files[0]
            );
        }
    }
    let p = pkgs[product["purl"].as_str().unwrap()];
    assert!(
        p["validUntilTime"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00Z")
    );
    assert_eq!(p["software_primaryPurpose"], "application");
    let id_to_purl: BTreeMap<&str, &str> = pkgs
        .iter()
        .map(|(k, v)| (v["spdxId"].as_str().unwrap(), *k))
        .collect();
    let mut edges = BTreeSet::new();
    for e in g.values().filter(|e| e["relationshipType"] == "dependsOn") {
        assert_eq!(e["completeness"], "complete");
        for t in e["to"].as_array().unwrap() {
            let to = id_to_purl[t.as_str().unwrap()];
            edges.insert((
                id_to_purl[e["from"].as_str().unwrap()].to_string(),
                to.to_string(),
            ));
        }
    }
    assert_eq!(edges, cdx_deps(bom));
}

#[test]
fn spdx_documents_carry_the_cyclonedx_facts() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    let out = sbom(
        &s,
        &["--format", "json,spdx-json", "--format", "spdx3-json"],
    );
    out.assert_code(0);
    assert!(
        out.stderr
            .contains("target/debug/clean.spdx.json (4 components, SPDX 2.3)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("target/debug/clean.spdx3.json (4 components, SPDX 3.0.1)"),
        "{}",
        out.stderr
    );
    // tinyrand is not in the download cache (no SHA-512): .ci/run expects the BSI check to
    // report exactly that for these documents (`uncached--` in the exported name).
    let (_, bom) = read_doc(&s, "target/debug/clean.cdx.json", "uncached");
    let (text2, doc2) = read_doc(&s, "target/debug/clean.spdx.json", "uncached");
    let (text3, doc3) = read_doc(&s, "target/debug/clean.spdx3.json", "uncached");
    assert_spdx2_matches(&doc2, &bom);
    assert_spdx3_matches(&doc3, &bom);
    let root = s.dir.display().to_string();
    for t in [&text2, &text3] {
        assert!(!t.contains(&root), "no local paths");
    }
    // Deterministic: the same bytes on a rerun.
    let out = sbom(&s, &["--format", "spdx-json,spdx3-json"]);
    out.assert_code(0);
    assert_eq!(s.read("target/debug/clean.spdx.json"), text2);
    assert_eq!(s.read("target/debug/clean.spdx3.json"), text3);
}

#[test]
fn first_party_members_get_the_manufacturer_as_creator() {
    let s = scenario("multi-member");
    // corelib declares no authors and no repository of its own: its creator is the product's
    // manufacturer in every format.
    let manifest = s.path("corelib/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("repository.workspace = true\n", "")).unwrap();
    cargo_build(&s, &["--workspace"]);
    let out = sbom(&s, &["--format", "json,spdx-json,spdx3-json", "-p", "app"]);
    out.assert_code(0);
    let (_, bom) = read_doc(&s, "target/debug/app.cdx.json", "first-party");
    let corelib = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "corelib")
        .unwrap();
    assert_eq!(
        corelib["manufacturer"]["name"], "Example GmbH",
        "{corelib:#}"
    );
    assert_eq!(
        corelib["manufacturer"]["contact"][0]["email"],
        "security@example.com"
    );
    let (_, doc2) = read_doc(&s, "target/debug/app.spdx.json", "first-party");
    assert_spdx2_matches(&doc2, &bom);
    let core = doc2["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "corelib")
        .unwrap();
    assert_eq!(
        core["supplier"],
        "Organization: Example GmbH (security@example.com)"
    );
    let (_, doc3) = read_doc(&s, "target/debug/app.spdx3.json", "first-party");
    assert_spdx3_matches(&doc3, &bom);
    // The first-party library has no deployable form of its own: it reaches users inside
    // the product's executable, whose file and hashes stand for it.
    let g = graph_of(&doc3);
    let core = g
        .values()
        .find(|e| e["type"] == "software_Package" && e["name"] == "corelib")
        .unwrap();
    let app = g
        .values()
        .find(|e| e["type"] == "software_Package" && e["name"] == "app")
        .unwrap();
    assert_eq!(
        rel_targets(
            &g,
            core["spdxId"].as_str().unwrap(),
            "hasDistributionArtifact"
        )[0]["spdxId"],
        rel_targets(
            &g,
            app["spdxId"].as_str().unwrap(),
            "hasDistributionArtifact"
        )[0]["spdxId"]
    );
}

#[test]
fn a_member_declaring_its_own_manufacturer_keeps_it() {
    let s = scenario("multi-member");
    let manifest = s.path("corelib/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}\n[package.metadata.cra]\nmanufacturer = {{ name = \"Core Team AG\", email = \"core@example.org\" }}\n"),
    )
    .unwrap();
    cargo_build(&s, &["--workspace"]);
    let out = sbom(&s, &["--format", "json,spdx-json", "-p", "app"]);
    out.assert_code(0);
    let (_, bom) = read_doc(&s, "target/debug/app.cdx.json", "own-manufacturer");
    let corelib = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "corelib")
        .unwrap();
    assert_eq!(corelib["manufacturer"]["name"], "Core Team AG");
    let (_, doc2) = read_doc(&s, "target/debug/app.spdx.json", "own-manufacturer");
    let core = doc2["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "corelib")
        .unwrap();
    assert_eq!(
        core["supplier"],
        "Organization: Core Team AG (core@example.org)"
    );
}

#[test]
fn spdx_sboms_are_signed_like_cyclonedx() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    let key = s.dir.join("release-key");
    let out = run(s.cmd(["keygen", "--out", key.to_str().unwrap()]));
    out.assert_code(0);
    let out = sbom(
        &s,
        &[
            "--format",
            "spdx-json,spdx3-json",
            "--sign",
            key.to_str().unwrap(),
        ],
    );
    out.assert_code(0);
    for (sbom, att, predicate) in [
        (
            "clean.spdx.json",
            "clean.spdx.intoto.jsonl",
            "https://spdx.dev/Document/v2.3",
        ),
        (
            "clean.spdx3.json",
            "clean.spdx3.intoto.jsonl",
            "https://spdx.dev/Document/v3.0",
        ),
    ] {
        assert!(
            s.path(format!("target/debug/{sbom}.sig")).is_file(),
            "{sbom}.sig"
        );
        let line = s.read(format!("target/debug/{att}"));
        let env: Value = serde_json::from_str(line.trim()).unwrap();
        use base64::Engine;
        let payload = base64::engine::general_purpose::STANDARD
            .decode(env["payload"].as_str().unwrap())
            .unwrap();
        let st: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(st["predicateType"], predicate);
        let doc: Value = serde_json::from_str(&s.read(format!("target/debug/{sbom}"))).unwrap();
        assert_eq!(st["predicate"], doc);
        let out = run(s.cmd([
            "verify",
            &format!("target/debug/{sbom}"),
            "--key",
            &format!("{}.pub", key.display()),
        ]));
        out.assert_code(0);
    }
    // A changed document no longer verifies.
    let p = s.path("target/debug/clean.spdx.json");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, t.replace("SPDX-2.3", "SPDX-2.3 ")).unwrap();
    let out = run(s.cmd([
        "verify",
        "target/debug/clean.spdx.json",
        "--key",
        &format!("{}.pub", key.display()),
    ]));
    out.assert_code(1);
}
