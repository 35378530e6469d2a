//! `cargo cra scan` end to end: a release archive of SBOMs (`tests/fixtures/scan/releases`)
//! against the fixture advisory database, with the `clean` scenario's policy, pinned to the
//! tests' "today" (2026-12-01).

mod common;

use cargo_cra::sign::{KeySource, Signer};
use common::{Output, Scenario, run, scenario};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture_db() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisory-db")
}

/// The `clean` scenario with the release archive copied to `releases/` inside it.
fn archive() -> Scenario {
    let s = scenario("clean");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/releases"),
        &s.path("releases"),
    )
    .expect("copy the release archive");
    s
}

fn scan(s: &Scenario, args: &[&str]) -> (Output, Value) {
    let mut cmd = s.cmd(["scan", "--offline", "--format", "json", "--advisory-db"]);
    cmd.arg(fixture_db()).args(args);
    let out = run(cmd);
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{}", out.both()));
    (out, json)
}

fn append(s: &Scenario, rel: &str, text: &str) {
    let mut t = s.read(rel);
    t.push('\n');
    t.push_str(text);
    s.write(rel, t);
}

/// `(product@version, advisory id, code)` of every advisory diagnostic.
fn findings(r: &Value) -> BTreeSet<(String, String, String)> {
    r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| {
            let product = format!(
                "{}@{}",
                i["product"]["name"].as_str().unwrap_or("?"),
                i["product"]["version"].as_str().unwrap_or("?")
            );
            i["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["data"]["advisory-id"].is_string())
                .map(move |d| {
                    (
                        product.clone(),
                        d["data"]["advisory-id"].as_str().unwrap().to_string(),
                        d["code"].as_str().unwrap().to_string(),
                    )
                })
        })
        .collect()
}

fn f(p: &str, id: &str, code: &str) -> (String, String, String) {
    (p.to_string(), id.to_string(), code.to_string())
}

#[test]
fn scans_an_archive_worst_release_first() {
    let s = archive();
    let (out, r) = scan(&s, &["releases"]);
    out.assert_code(1);
    assert_eq!(r["command"], "scan");
    assert_eq!(r["format-version"], 1);
    assert_eq!(r["outcome"], "fail");
    assert_eq!(
        findings(&r),
        [
            f("app@1.0.0", "RUSTSEC-2099-0001", "advisory-vulnerability"),
            f("app@1.0.0", "RUSTSEC-2099-0007", "advisory-vulnerability"),
            // No target recorded: the Windows-only advisory cannot be ruled out.
            f("tool@0.3.0", "RUSTSEC-2099-0005", "advisory-vulnerability"),
            f("tool@0.3.0", "RUSTSEC-2099-0003", "advisory-unsound"),
        ]
        .into_iter()
        .collect(),
        "{}",
        out.both()
    );
    // app 1.0.0 records x86_64-unknown-linux-gnu: winonly's Windows advisory is left out;
    // app 1.1.0 has the patched versions.
    let rel: Vec<(String, String, String)> = r["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["product"].as_str().unwrap().to_string(),
                x["version"].as_str().unwrap().to_string(),
                x["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rel.last().unwrap(),
        &("app".into(), "1.1.0".into(), "clean".into())
    );
    assert_eq!(r["summary"]["releases"], 3);
    assert_eq!(r["summary"]["affected-releases"], 2);
    // The README is skipped, not an error.
    let skipped: Vec<&str> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    assert!(
        skipped.iter().any(|p| p.ends_with("README.txt")),
        "{skipped:?}"
    );

    // The finding carries the advisory's data and points at the component's line.
    let app = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product"]["version"] == "1.0.0")
        .unwrap();
    let d = app["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["data"]["advisory-id"] == "RUSTSEC-2099-0001")
        .unwrap();
    assert_eq!(d["data"]["aliases"][0], "CVE-2099-10001");
    assert_eq!(d["data"]["cvss"]["score"], 9.8);
    assert_eq!(d["data"]["product"], "app");
    assert_eq!(d["data"]["product-version"], "1.0.0");
    assert_eq!(d["data"]["fix"], "cargo update -p vulnlib --precise 1.2.5");
    let loc = &d["locations"][0];
    let text = s.read("releases/app/1.0.0/app.cdx.json");
    let line = text
        .lines()
        .position(|l| l.contains("\"purl\": \"pkg:cargo/vulnlib@1.2.0\""))
        .unwrap()
        + 1;
    assert_eq!(loc["line"], line, "{loc}");
    assert!(
        loc["path"]
            .as_str()
            .unwrap()
            .ends_with("releases/app/1.0.0/app.cdx.json")
    );
    // The npm component is listed as not checked.
    let unchecked = app["unchecked"].to_string();
    assert!(unchecked.contains("pkg:npm/left-pad@1.3.0"), "{unchecked}");
    assert!(
        app["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "scan-components-unchecked")
    );
}

#[test]
fn human_output_has_a_block_per_release_and_the_matrix() {
    let s = archive();
    let mut cmd = s.cmd(["scan", "releases", "--offline", "--advisory-db"]);
    cmd.arg(fixture_db());
    let out = run(cmd);
    out.assert_code(1);
    let e = &out.stderr;
    let app100 = e.find("app 1.0.0 (").expect("a block for app 1.0.0");
    let app110 = e.find("app 1.1.0 (").expect("a block for app 1.1.0");
    assert!(app100 < app110, "worst first:\n{e}");
    assert!(e.contains("error[advisory-vulnerability]"), "{e}");
    assert!(e.contains("listed here"), "{e}");
    assert!(e.contains("X affected (error)"), "{e}");
    assert!(e.contains("RUSTSEC-2099-0001 (1 release)"), "{e}");
    assert!(e.contains("FAILED: 2 of 3 releases affected"), "{e}");
    assert!(out.stdout.is_empty());
}

#[test]
fn triage_in_the_policy_settles_findings_per_release() {
    let s = archive();
    append(
        &s,
        "deny-policy.toml",
        r#"ignore = [
    { id = "CVE-2099-10001", reason = "app never parses untrusted input", status = "not_affected", justification = "vulnerable_code_cannot_be_controlled_by_adversary" },
    { id = "RUSTSEC-2099-0007", reason = "bounds are checked before insert", status = "not_affected", justification = "inline_mitigations_already_exist", products = ["app@1.0.0"] },
    { id = "RUSTSEC-2099-0005", reason = "tool is built for Linux only", status = "not_affected", justification = "component_not_present", products = ["tool"] },
    { id = "RUSTSEC-2099-0003", reason = "upgrade to 0.4 scheduled", status = "affected" },
]
"#,
    );
    let (out, r) = scan(&s, &["releases"]);
    // The unsound finding stands (`affected`); unsound is a warning in this policy.
    let got = findings(&r);
    assert!(
        got.contains(&f("app@1.0.0", "RUSTSEC-2099-0001", "advisory-settled")),
        "{got:?}"
    );
    assert!(
        got.contains(&f("app@1.0.0", "RUSTSEC-2099-0007", "advisory-settled")),
        "{got:?}"
    );
    assert!(
        got.contains(&f("tool@0.3.0", "RUSTSEC-2099-0005", "advisory-settled")),
        "{got:?}"
    );
    let unsound = got
        .iter()
        .find(|(_, id, _)| id == "RUSTSEC-2099-0003")
        .unwrap();
    assert_eq!(unsound.2, "advisory-unsound");
    // Unsound is a warning by default: nothing else is left, so the archive passes.
    out.assert_code(0);
    assert_eq!(r["outcome"], "pass");
    let settled = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["diagnostics"].as_array().unwrap())
        .find(|d| d["data"]["advisory-id"] == "RUSTSEC-2099-0001")
        .unwrap();
    assert_eq!(settled["severity"], "note");
    assert_eq!(settled["data"]["status"], "not_affected");
    assert_eq!(
        settled["data"]["justification"],
        "vulnerable_code_cannot_be_controlled_by_adversary"
    );

    // Limited to another release, the entry does not settle this one.
    let s = archive();
    append(
        &s,
        "deny-policy.toml",
        r#"ignore = [
    { id = "RUSTSEC-2099-0001", reason = "fixed in 1.1", status = "not_affected", justification = "vulnerable_code_not_present", products = ["app@>=1.1"] },
]
"#,
    );
    let (out, r) = scan(&s, &["releases/app"]);
    out.assert_code(1);
    assert!(findings(&r).contains(&f(
        "app@1.0.0",
        "RUSTSEC-2099-0001",
        "advisory-vulnerability"
    )));
}

#[test]
fn expired_triage_fires_again() {
    let s = archive();
    append(
        &s,
        "deny-policy.toml",
        r#"ignore = [
    { id = "RUSTSEC-2099-0001", reason = "fix scheduled", until = "2026-11-30" },
    { id = "RUSTSEC-2099-0007", reason = "fix scheduled", until = "2026-11-30" },
]
"#,
    );
    let (out, r) = scan(&s, &["releases/app/1.0.0/app.cdx.json"]);
    out.assert_code(1);
    let d = &r["inputs"][0]["diagnostics"][0];
    assert_eq!(d["code"], "advisory-vulnerability");
    assert!(
        d["notes"].to_string().contains("expired on 2026-11-30"),
        "{d}"
    );
}

fn sign(s: &Scenario, key: &Path, sbom: &str) {
    let signer = Signer::load(&KeySource::File(key.to_path_buf().try_into().unwrap())).unwrap();
    let bytes = std::fs::read(s.path(sbom)).unwrap();
    let sig = signer.sshsig("cargo-cra-sbom", &bytes).unwrap();
    s.write(format!("{sbom}.sig"), sig);
}

#[test]
fn with_a_key_an_sbom_without_a_valid_signature_is_a_finding_and_not_trusted() {
    let s = archive();
    let out = run(s.cmd(["keygen", "--out", "release-key"]));
    out.assert_code(0);
    let key = s.path("release-key");
    for sbom in [
        "releases/app/1.0.0/app.cdx.json",
        "releases/app/1.1.0/app.cdx.json",
    ] {
        sign(&s, &key, sbom);
    }
    // Everything signed and intact: the findings are the archive's (signatures are skipped
    // as inputs).
    let (out, r) = scan(&s, &["releases/app", "--key", "release-key.pub"]);
    out.assert_code(1);
    assert_eq!(r["inputs"].as_array().unwrap().len(), 2);
    assert!(
        r["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["signature"]["ok"] == true),
        "{}",
        out.both()
    );
    // 1.1.0 clean and signed: exit 0.
    let (out, _) = scan(&s, &["releases/app/1.1.0", "--key", "release-key.pub"]);
    out.assert_code(0);
    // One byte changed in the signed 1.1.0 SBOM: a finding, exit 1, contents not scanned.
    let t = s
        .read("releases/app/1.1.0/app.cdx.json")
        .replacen("1.2.5", "1.2.6", 1);
    s.write("releases/app/1.1.0/app.cdx.json", t);
    let (out, r) = scan(&s, &["releases/app/1.1.0", "--key", "release-key.pub"]);
    out.assert_code(1);
    let i = &r["inputs"][0];
    assert_eq!(i["state"], "untrusted");
    assert_eq!(i["diagnostics"][0]["code"], "scan-signature-invalid");
    assert_eq!(i["components"], 0);
    // Unsigned (the .sig removed), and a .sig that is not a signature: findings too.
    std::fs::remove_file(s.path("releases/app/1.1.0/app.cdx.json.sig")).unwrap();
    let (out, r) = scan(&s, &["releases/app/1.1.0", "--key", "release-key.pub"]);
    out.assert_code(1);
    assert!(
        r["inputs"][0]["signature"]["detail"]
            .as_str()
            .unwrap()
            .contains("missing")
    );
    s.write("releases/app/1.1.0/app.cdx.json.sig", "not a signature\n");
    let (out, r) = scan(&s, &["releases/app/1.1.0", "--key", "release-key.pub"]);
    out.assert_code(1);
    assert_eq!(r["inputs"][0]["state"], "untrusted");
}

#[test]
fn malformed_sbom_exits_2_naming_the_file() {
    let s = archive();
    s.write(
        "releases/app/1.1.0/app.cdx.json",
        "{\"bomFormat\": \"CycloneDX\", \"components\": [",
    );
    let mut cmd = s.cmd(["scan", "releases", "--offline", "--advisory-db"]);
    cmd.arg(fixture_db());
    let out = run(cmd);
    out.assert_code(2);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: ") && first.contains("releases/app/1.1.0/app.cdx.json"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn no_database_or_a_stale_one_exits_2() {
    let s = archive();
    let mut cmd = s.cmd(["scan", "releases", "--offline", "--advisory-db"]);
    cmd.arg(s.path("no-such-db"));
    run(cmd).assert_code(2);
    // The policy's staleness limit applies to the scan (the fixture's newest advisory is
    // from 2026-11-10, 21 days before the tests' today).
    let s = archive();
    append(&s, "deny-policy.toml", "");
    let p = s
        .read("deny-policy.toml")
        .replace("maximum-db-staleness = 36500", "maximum-db-staleness = 10");
    s.write("deny-policy.toml", p);
    let mut cmd = s.cmd(["scan", "releases", "--offline", "--advisory-db"]);
    cmd.arg(fixture_db());
    let out = run(cmd);
    out.assert_code(2);
    assert!(out.stderr.contains("stale"), "{}", out.stderr);
}

#[test]
fn output_file_is_written_atomically_and_needs_json() {
    let s = archive();
    let mut cmd = s.cmd([
        "scan",
        "releases",
        "--offline",
        "--format",
        "json",
        "-o",
        "scan.json",
        "--advisory-db",
    ]);
    cmd.arg(fixture_db());
    let out = run(cmd);
    out.assert_code(1);
    assert!(out.stdout.is_empty());
    let r: Value = serde_json::from_str(&s.read("scan.json")).unwrap();
    assert_eq!(r["summary"]["affected-releases"], 2);
    let mut cmd = s.cmd(["scan", "releases", "-o", "scan.json"]);
    cmd.arg("--advisory-db").arg(fixture_db());
    run(cmd).assert_code(2);
}

#[test]
fn every_generator_shape_and_auditable_binaries_are_scanned() {
    let s = archive();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sboms");
    for (dir, product, ids) in [
        ("cdxgen", None, &["RUSTSEC-2099-0001"][..]),
        ("syft", None, &["RUSTSEC-2099-0001"][..]),
        (
            "trivy",
            None,
            &["RUSTSEC-2099-0001", "RUSTSEC-2099-0007"][..],
        ),
        (
            "spdx3",
            Some("app@0.3.1"),
            &["RUSTSEC-2099-0001", "RUSTSEC-2099-0005"][..],
        ),
    ] {
        let (out, r) = scan(&s, &[fixtures.join(dir).to_str().unwrap()]);
        out.assert_code(1);
        let got: BTreeSet<String> = findings(&r).into_iter().map(|(_, id, _)| id).collect();
        let want: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want, "{dir}: {}", out.both());
        if let Some(p) = product {
            assert_eq!(findings(&r).into_iter().next().unwrap().0, p, "{dir}");
        }
    }

    // A binary built with `cargo auditable`: its root package is the product.
    let audit = r#"{"packages":[
      {"name":"app","version":"0.4.0","source":"local","root":true,"dependencies":[1,2]},
      {"name":"vulnlib","version":"1.2.0","source":"crates.io"},
      {"name":"multirange","version":"2.0.3","source":"crates.io"}
    ]}"#;
    s.write("dist/app", common::auditable_elf(Some(audit)));
    let (out, r) = scan(&s, &["dist/app"]);
    out.assert_code(1);
    assert_eq!(r["inputs"][0]["format"], "auditable");
    assert_eq!(
        findings(&r),
        [f(
            "app@0.4.0",
            "RUSTSEC-2099-0001",
            "advisory-vulnerability"
        )]
        .into_iter()
        .collect()
    );
    // A binary without audit data and without an SBOM beside it, found in a folder: the
    // release cannot be scanned, which fails the scan (exit 1), naming it.
    s.write("dist/plain", common::auditable_elf(None));
    let (out, r) = scan(&s, &["dist"]);
    out.assert_code(1);
    let plain = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("dist/plain"))
        .expect("the plain binary is reported");
    assert_eq!(plain["state"], "unreadable");
    assert_eq!(plain["diagnostics"][0]["code"], "scan-input-unreadable");
    // Named explicitly, it is an input error: exit 2.
    let mut cmd = s.cmd(["scan", "dist/plain", "--offline", "--advisory-db"]);
    cmd.arg(fixture_db());
    let out = run(cmd);
    out.assert_code(2);
    assert!(
        out.stderr.contains("not built with cargo auditable"),
        "{}",
        out.stderr
    );
}

#[test]
fn path_crates_are_not_matched_and_bare_purls_are_reported_with_a_note() {
    let s = archive();
    // Two releases list `vulnlib 1.2.0` (affected by RUSTSEC-2099-0001): one marks it as a
    // local crate (a `file:` external reference), the other identifies it by a bare purl only.
    let sbom = |product: &str, extra: &str| {
        format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5",
  "metadata": {{"component": {{"type": "application", "name": "{product}", "version": "1.0.0", "purl": "pkg:cargo/{product}@1.0.0"}}}},
  "components": [{{"type": "library", "name": "vulnlib", "version": "1.2.0", "purl": "pkg:cargo/vulnlib@1.2.0"{extra}}}]}}"#
        )
    };
    s.write(
        "purl-only/local.cdx.json",
        sbom(
            "local",
            r#", "externalReferences": [{"type": "vcs", "url": "file:///src/local/vulnlib"}]"#,
        ),
    );
    s.write("purl-only/bare.cdx.json", sbom("bare", ""));
    let (out, r) = scan(&s, &["purl-only"]);
    out.assert_code(1);
    assert_eq!(
        findings(&r),
        [f(
            "bare@1.0.0",
            "RUSTSEC-2099-0001",
            "advisory-vulnerability"
        )]
        .into_iter()
        .collect(),
        "{}",
        out.both()
    );
    let bare = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product"]["name"] == "bare")
        .unwrap();
    let notes = bare["diagnostics"][0]["notes"].to_string();
    assert!(
        notes.contains("only by a purl without qualifiers") && notes.contains("path crate"),
        "{notes}"
    );
}
