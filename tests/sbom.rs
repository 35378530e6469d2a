//! End-to-end tests of `cargo cra sbom`: the artifacts found, the component set (compared
//! with `cargo tree`), every BSI TR-03183-2 field one by one, determinism across runs and
//! checkout paths, the policy gate, and signing.
//!
//! Every SBOM a test produces is also copied to `target/test-sboms/`, where `.ci/run`
//! validates it with an independent implementation (`tests/validate_sboms.py`,
//! cyclonedx-python-lib) against the official schema of its spec version.

mod common;

use common::{Scenario, cargo_build, run, sbom, scenario};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Reads an SBOM, copies it to `target/test-sboms/<test>--<file>` for the independent
/// validator, and parses it.
fn read_sbom(s: &Scenario, rel: &str, test: &str) -> (String, Value) {
    let text = s.read(rel);
    let name = Path::new(rel)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    common::export_for_validation("test-sboms", &format!("{test}--{}--{name}", s.name), &text);
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}\n{text}"));
    (text, v)
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The values of property `name` of a component.
fn props<'a>(c: &'a Value, name: &str) -> Vec<&'a str> {
    c["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

/// The one value of property `name`; panics unless there is exactly one.
fn prop<'a>(c: &'a Value, name: &str) -> &'a str {
    let v = props(c, name);
    assert_eq!(v.len(), 1, "{name} must occur exactly once in {c:#}");
    v[0]
}

fn hash<'a>(hashes: &'a Value, alg: &str) -> Option<&'a str> {
    hashes.as_array()?.iter().find(|h| h["alg"] == alg)?["content"].as_str()
}

fn component<'a>(bom: &'a Value, name: &str) -> &'a Value {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name} in {bom:#}"))
}

fn ext_ref<'a>(c: &'a Value, kind: &str) -> Vec<&'a Value> {
    c["externalReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == kind)
        .collect()
}

/// The Rust standard library component every SBOM carries (it is linked, but comes from the
/// toolchain, not from Cargo.lock).
fn is_rust_std(c: &Value) -> bool {
    c["purl"]
        .as_str()
        .is_some_and(|p| p.starts_with("pkg:generic/rust-std@"))
}

/// The components that are crates (everything but the Rust standard library).
fn crate_components(bom: &Value) -> Vec<&Value> {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !is_rust_std(c))
        .collect()
}

/// `(name, version)` of the crate components.
fn component_set(bom: &Value) -> BTreeSet<(String, String)> {
    crate_components(bom)
        .into_iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// What `cargo tree -e normal,no-proc-macro -p <package>` lists below the package, as
/// `(name, version)`: the reference the SBOM's component set must equal.
fn cargo_tree_set(s: &Scenario, package: &str, extra: &[&str]) -> BTreeSet<(String, String)> {
    let mut args = vec![
        "tree",
        "-e",
        "normal,no-proc-macro",
        "-p",
        package,
        "--prefix",
        "depth",
        "--format",
        "{p}",
        "--locked",
        "--offline",
    ];
    args.extend_from_slice(extra);
    let out = run(s.cargo(args));
    assert_eq!(out.code, 0, "{}", out.both());
    out.stdout
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('0'))
        .map(|l| {
            let l = l.trim_start_matches(|c: char| c.is_ascii_digit());
            let mut parts = l.split(' ');
            let name = parts.next().unwrap().to_string();
            let version = parts.next().unwrap().trim_start_matches('v').to_string();
            (name, version)
        })
        .collect()
}

/// Panics if any string in the document is an absolute path or contains the temporary root
/// or the home directory.
fn assert_no_paths(s: &Scenario, text: &str, v: &Value) {
    assert!(
        !text.contains(&s.root.display().to_string()),
        "the SBOM contains the checkout path"
    );
    if let Some(home) = std::env::var_os("HOME") {
        let home = home.to_string_lossy().into_owned();
        if home.len() > 1 {
            assert!(
                !text.contains(&home),
                "the SBOM contains the home directory"
            );
        }
    }
    fn walk(v: &Value, path: &str) {
        match v {
            Value::String(s) => {
                assert!(
                    !s.starts_with('/') && !s.contains('\\') && !s.contains("file:"),
                    "absolute path at {path}: {s}"
                );
            }
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, &format!("{path}/{i}"))),
            Value::Object(o) => o.iter().for_each(|(k, x)| walk(x, &format!("{path}/{k}"))),
            _ => {}
        }
    }
    walk(v, "");
}

/// The BSI TR-03183-2 v2.1 fields every component (and the product) must carry.
fn assert_bsi_fields(bom: &Value) {
    assert_eq!(bom["bomFormat"], "CycloneDX");
    let serial = bom["serialNumber"].as_str().unwrap();
    assert!(
        serial.starts_with("urn:uuid:") && serial.len() == 45,
        "{serial}"
    );
    assert_eq!(bom["version"], 1);
    let md = &bom["metadata"];
    assert_eq!(
        md["timestamp"], "2026-12-01T00:00:00Z",
        "SOURCE_DATE_EPOCH is the timestamp"
    );
    assert_eq!(md["lifecycles"][0]["phase"], "build");
    let tool = &md["tools"]["components"][0];
    assert_eq!(tool["name"], "cargo-cra");
    assert_eq!(tool["version"], env!("CARGO_PKG_VERSION"));
    // SBOM creator: email, else URL.
    let creator = &md["manufacturer"];
    assert!(
        creator["contact"][0]["email"].is_string() || creator["url"][0].is_string(),
        "{creator:#}"
    );
    assert!(
        bom.get("vulnerabilities").is_none(),
        "BSI: no vulnerability data in the SBOM"
    );

    let product = &md["component"];
    assert!(
        product["manufacturer"]["contact"][0]["email"].is_string(),
        "{product:#}"
    );
    assert_eq!(prop(product, "bsi:component:executable"), "executable");
    assert_eq!(prop(product, "bsi:component:archive"), "no archive");
    assert_eq!(prop(product, "bsi:component:structured"), "unstructured");
    assert!(!prop(product, "bsi:component:filename").contains('/'));
    assert!(
        hash(&product["hashes"], "SHA-256").is_some()
            && hash(&product["hashes"], "SHA-512").is_some()
    );
    assert_eq!(
        ext_ref(product, "security-contact")[0]["url"],
        "mailto:security@example.com"
    );
    assert!(!prop(product, "cdx:lifecycle:milestone:endOfSupport").is_empty());
    assert_eq!(product["bom-ref"], product["purl"]);

    let mut refs = BTreeSet::from([product["bom-ref"].as_str().unwrap().to_string()]);
    // The Rust standard library: once, with its BSI fields, a dependency of the product.
    let std: Vec<&Value> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| is_rust_std(c))
        .collect();
    assert_eq!(std.len(), 1, "exactly one rust-std component");
    let std = std[0];
    assert_eq!(std["name"], "rust-std");
    assert_eq!(std["bom-ref"], std["purl"]);
    assert!(
        prop(std, "bsi:component:filename").starts_with("rust-std-"),
        "{std:#}"
    );
    assert_eq!(prop(std, "bsi:component:executable"), "non-executable");
    assert_eq!(prop(std, "bsi:component:archive"), "archive");
    assert_eq!(prop(std, "bsi:component:structured"), "structured");
    assert_eq!(std["licenses"][0]["expression"], "MIT OR Apache-2.0");
    assert!(std["manufacturer"]["url"][0].is_string());
    let std_ref = std["bom-ref"].as_str().unwrap().to_string();
    let product_deps = bom["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == product["bom-ref"])
        .unwrap();
    assert!(
        strs(&product_deps["dependsOn"]).contains(&std_ref.as_str()),
        "the product links rust-std"
    );
    refs.insert(std_ref);
    for c in crate_components(bom) {
        let name = c["name"].as_str().unwrap();
        let version = c["version"].as_str().unwrap();
        let purl = c["purl"].as_str().unwrap();
        assert!(
            purl.starts_with(&format!("pkg:cargo/{name}@{version}")),
            "{purl}"
        );
        assert_eq!(c["bom-ref"], c["purl"], "bom-ref is the purl");
        assert!(refs.insert(purl.to_string()), "bom-refs are unique: {purl}");
        assert_eq!(
            prop(c, "bsi:component:filename"),
            format!("{name}-{version}.crate")
        );
        assert_eq!(prop(c, "bsi:component:executable"), "non-executable");
        assert_eq!(prop(c, "bsi:component:archive"), "archive");
        assert_eq!(prop(c, "bsi:component:structured"), "structured");
        let m = &c["manufacturer"];
        assert!(
            m["contact"]
                .as_array()
                .is_some_and(|cs| cs.iter().any(|x| x["email"].is_string()))
                || m["url"][0].is_string(),
            "creator of {name}: {c:#}"
        );
        let lic = c["licenses"].as_array().unwrap();
        assert!(
            lic.iter().any(|l| l["acknowledgement"] == "concluded"),
            "{name}: {lic:?}"
        );
        assert_eq!(
            prop(c, "bsi:component:effectiveLicense"),
            prop(c, "bsi:component:effectiveLicence")
        );
        if prop(c, "cargo-cra:source") == "crates.io" {
            assert_eq!(
                hash(&c["hashes"], "SHA-256").map(str::len),
                Some(64),
                "{name}"
            );
            let dist = ext_ref(c, "distribution");
            assert_eq!(dist.len(), 1);
            assert_eq!(
                dist[0]["url"],
                format!("https://static.crates.io/crates/{name}/{name}-{version}.crate")
            );
            assert_eq!(ext_ref(c, "source-distribution").len(), 1);
            // SHA-512 of the deployable form, or a note saying why it is missing.
            assert!(
                hash(&dist[0]["hashes"], "SHA-512").is_some()
                    == props(c, "cargo-cra:sha512-omitted").is_empty(),
                "{c:#}"
            );
        }
    }

    // Every component and the product in the graph, sorted; leaves have an empty dependsOn.
    let deps = bom["dependencies"].as_array().unwrap();
    let dep_refs: Vec<&str> = deps.iter().map(|d| d["ref"].as_str().unwrap()).collect();
    let mut sorted = dep_refs.clone();
    sorted.sort();
    assert_eq!(dep_refs, sorted, "dependencies are sorted");
    assert_eq!(
        dep_refs
            .iter()
            .map(|r| r.to_string())
            .collect::<BTreeSet<_>>(),
        refs
    );
    for d in deps {
        assert!(d["dependsOn"].is_array(), "{d}");
        for r in strs(&d["dependsOn"]) {
            assert!(refs.contains(r), "dangling dependsOn {r}");
        }
    }
    let comp = &bom["compositions"][0];
    assert_eq!(comp["aggregate"], "complete");
    assert_eq!(
        strs(&comp["assemblies"])
            .into_iter()
            .map(str::to_string)
            .collect::<BTreeSet<_>>(),
        refs
    );
    assert_eq!(
        strs(&comp["dependencies"])
            .into_iter()
            .map(str::to_string)
            .collect::<BTreeSet<_>>(),
        refs
    );
}

#[test]
fn clean_workspace_sbom_has_every_bsi_field() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    let out = sbom(&s, &[]);
    out.assert_code(0);
    assert!(
        out.stderr
            .contains("Wrote target/debug/clean.cdx.json (4 components"),
        "{}",
        out.stderr
    );
    let (text, bom) = read_sbom(&s, "target/debug/clean.cdx.json", "clean");
    assert_bsi_fields(&bom);
    assert_no_paths(&s, &text, &bom);
    assert_eq!(bom["specVersion"], "1.6");

    // Exactly what is linked: no build-dependency, proc-macro or dev-dependency.
    assert_eq!(component_set(&bom), cargo_tree_set(&s, "clean", &[]));
    let names: BTreeSet<&str> = crate_components(&bom)
        .into_iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["legacyslash", "smallfmt", "tinyrand"])
    );

    // The product.
    let product = &bom["metadata"]["component"];
    assert_eq!(product["type"], "application");
    assert_eq!(product["name"], "clean");
    assert_eq!(product["purl"], "pkg:cargo/clean@1.0.0");
    assert_eq!(prop(product, "bsi:component:filename"), "clean");
    assert_eq!(
        prop(product, "cdx:lifecycle:milestone:endOfSupport"),
        "2031-12-31"
    );
    let artifact = std::fs::read(s.path("target/debug/clean")).unwrap();
    assert_eq!(
        hash(&product["hashes"], "SHA-256"),
        Some(common::sha256_hex(&artifact).as_str())
    );
    assert_eq!(product["manufacturer"]["name"], "Example GmbH");
    assert_eq!(
        bom["metadata"]["manufacturer"]["contact"][0]["email"],
        "security@example.com"
    );
    assert_eq!(product["licenses"][0]["expression"], "MIT");
    // The advisory database that was checked is recorded, not its findings.
    assert!(
        props(&bom["metadata"], "cargo-cra:advisory-db:date").len() == 1,
        "{:#}",
        bom["metadata"]
    );

    // SHA-512 of a cached crate is the one of the .crate file, verified against Cargo.lock.
    let smallfmt = component(&bom, "smallfmt");
    let cached = std::fs::read(s.cached_crate("smallfmt", "1.0.0")).unwrap();
    use sha2::Digest;
    let sha512 = format!("{:x}", sha2::Sha512::digest(&cached));
    assert_eq!(hash(&smallfmt["hashes"], "SHA-512"), Some(sha512.as_str()));
    assert_eq!(
        hash(&ext_ref(smallfmt, "distribution")[0]["hashes"], "SHA-512"),
        Some(sha512.as_str())
    );
    assert_eq!(
        hash(&smallfmt["hashes"], "SHA-256"),
        Some(common::sha256_hex(&cached).as_str())
    );
    assert_eq!(
        smallfmt["manufacturer"]["contact"][0]["email"],
        "maintainers@smallfmt.example.org"
    );
    assert_eq!(
        ext_ref(smallfmt, "vcs")[0]["url"],
        "https://git.example.org/smallfmt/smallfmt"
    );

    // tinyrand is not in the download cache: no SHA-512, and a note.
    let tinyrand = component(&bom, "tinyrand");
    assert!(!s.cached_crate("tinyrand", "0.8.0").exists());
    assert_eq!(hash(&tinyrand["hashes"], "SHA-512"), None);
    assert!(hash(&tinyrand["hashes"], "SHA-256").is_some());
    assert!(prop(tinyrand, "cargo-cra:sha512-omitted").contains("not in the cargo download cache"));

    // The legacy `MIT/Apache-2.0` is concluded as a valid SPDX expression.
    let legacy = component(&bom, "legacyslash");
    assert_eq!(
        legacy["licenses"].as_array().unwrap().len(),
        1,
        "1.6: one expression"
    );
    assert_eq!(legacy["licenses"][0]["expression"], "MIT OR Apache-2.0");
    assert_eq!(legacy["licenses"][0]["acknowledgement"], "concluded");
    assert_eq!(
        prop(legacy, "bsi:component:effectiveLicense"),
        "MIT OR Apache-2.0"
    );

    // The graph: the product depends on its three direct dependencies, which are leaves,
    // and on the Rust standard library.
    let deps = bom["dependencies"].as_array().unwrap();
    let root = deps
        .iter()
        .find(|d| d["ref"] == "pkg:cargo/clean@1.0.0")
        .unwrap();
    let crate_deps: Vec<&str> = strs(&root["dependsOn"])
        .into_iter()
        .filter(|r| !r.starts_with("pkg:generic/rust-std@"))
        .collect();
    assert_eq!(
        crate_deps,
        [
            "pkg:cargo/legacyslash@1.2.0",
            "pkg:cargo/smallfmt@1.0.0",
            "pkg:cargo/tinyrand@0.8.0"
        ]
    );
    assert_eq!(strs(&root["dependsOn"]).len(), 4);

    // Written atomically: no temporary file is left next to it.
    let leftovers: Vec<String> = std::fs::read_dir(s.path("target/debug"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".cargo-cra-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn check_report_and_sbom_agree_on_the_packages() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    sbom(&s, &[]).assert_code(0);
    let (_, bom) = read_sbom(&s, "target/debug/clean.cdx.json", "agree");
    let db = common::fixture_db();
    let out = run(s.cmd([
        "check",
        "--locked",
        "--offline",
        "--format",
        "json",
        "--advisory-db",
        db.as_str(),
    ]));
    out.assert_code(0);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let built: BTreeSet<&str> = strs(&report["packages"]).into_iter().collect();
    let mut linked: BTreeSet<&str> = crate_components(&bom)
        .into_iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    linked.insert(bom["metadata"]["component"]["purl"].as_str().unwrap());
    assert!(
        linked.is_subset(&built),
        "every SBOM package is in the checked scope: {linked:?} vs {built:?}"
    );
    // What is checked but not linked is exactly what only runs at build time.
    let build_only: BTreeSet<&str> = built.difference(&linked).copied().collect();
    assert_eq!(
        build_only,
        BTreeSet::from([
            "pkg:cargo/buildhelper@1.0.0",
            "pkg:cargo/derivehelper@1.0.0"
        ])
    );
}

#[test]
fn multi_member_products_get_one_sbom_each() {
    let s = scenario("multi-member");
    cargo_build(&s, &["--workspace"]);
    let out = sbom(&s, &[]);
    out.assert_code(0);
    assert!(
        out.stderr.contains("target/debug/app.cdx.json"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("target/debug/cli-tool.cdx.json"),
        "{}",
        out.stderr
    );
    // corelib is a library, not a product: no SBOM of its own.
    assert!(!s.path("target/debug/libcorelib.rlib.cdx.json").exists());
    for (product, end) in [("app", "2031-12-31"), ("cli-tool", "2032-03-31")] {
        let (text, bom) = read_sbom(&s, &format!("target/debug/{product}.cdx.json"), "multi");
        assert_bsi_fields(&bom);
        assert_no_paths(&s, &text, &bom);
        assert_eq!(
            component_set(&bom),
            cargo_tree_set(&s, product, &[]),
            "{product}"
        );
        let p = &bom["metadata"]["component"];
        assert_eq!(p["name"], product);
        assert_eq!(prop(p, "cdx:lifecycle:milestone:endOfSupport"), end);
        // Inherited from [workspace.metadata.cra].
        assert_eq!(p["manufacturer"]["name"], "Example GmbH");
        // The workspace path dependency is a component without registry hashes.
        let corelib = component(&bom, "corelib");
        assert_eq!(corelib["purl"], "pkg:cargo/corelib@0.4.0");
        assert!(corelib.get("hashes").is_none(), "{corelib:#}");
        assert!(ext_ref(corelib, "distribution").is_empty());
        assert_eq!(prop(corelib, "cargo-cra:source"), "path");
        let deps = bom["dependencies"].as_array().unwrap();
        let core = deps
            .iter()
            .find(|d| d["ref"] == "pkg:cargo/corelib@0.4.0")
            .unwrap();
        assert_eq!(strs(&core["dependsOn"]), ["pkg:cargo/smallfmt@1.0.0"]);
    }
}

#[test]
fn build_flag_runs_cargo_build_with_the_profile() {
    let s = scenario("multi-member");
    let out = sbom(&s, &["--build", "--release", "-p", "cli-tool"]);
    out.assert_code(0);
    assert!(s.path("target/release/cli-tool").is_file());
    assert!(
        !s.path("target/release/app.cdx.json").exists(),
        "only the selected package"
    );
    let (_, bom) = read_sbom(&s, "target/release/cli-tool.cdx.json", "build-flag");
    assert_bsi_fields(&bom);
    let p = &bom["metadata"]["component"];
    assert_eq!(prop(p, "cargo-cra:profile"), "release");
    let artifact = std::fs::read(s.path("target/release/cli-tool")).unwrap();
    assert_eq!(
        hash(&p["hashes"], "SHA-256"),
        Some(common::sha256_hex(&artifact).as_str())
    );
}

#[test]
fn output_dir_and_spec_version_1_7() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    sbom(&s, &["--output-dir", "sboms", "--spec-version", "1.7"]).assert_code(0);
    assert!(
        !s.path("target/debug/clean.cdx.json").exists(),
        "--output-dir writes only there"
    );
    let (text, bom) = read_sbom(&s, "sboms/clean.cdx.json", "spec17");
    assert_eq!(bom["specVersion"], "1.7");
    assert_eq!(
        bom["$schema"],
        "http://cyclonedx.org/schema/bom-1.7.schema.json"
    );
    assert_bsi_fields(&bom);
    assert_no_paths(&s, &text, &bom);
    // 1.7 carries the declared and the concluded expression side by side.
    let legacy = component(&bom, "legacyslash");
    let lic: Vec<(&str, &str)> = legacy["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["acknowledgement"].as_str().unwrap(),
                l["expression"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lic,
        [
            ("declared", "MIT OR Apache-2.0"),
            ("concluded", "MIT OR Apache-2.0")
        ]
    );
}

#[test]
fn clarified_license_is_the_concluded_one() {
    let s = scenario("license-clarified");
    cargo_build(&s, &[]);
    sbom(&s, &["--spec-version", "1.7"]).assert_code(0);
    let (_, bom) = read_sbom(
        &s,
        &format!("target/debug/{}.cdx.json", "license-clarified"),
        "clarified",
    );
    assert_bsi_fields(&bom);
    let licfile = component(&bom, "licfile");
    // No `license` in the manifest: nothing declared; the clarification is concluded.
    let lic = licfile["licenses"].as_array().unwrap();
    assert_eq!(lic.len(), 1, "{lic:?}");
    assert_eq!(lic[0]["acknowledgement"], "concluded");
    assert_eq!(lic[0]["expression"], "MIT");
    assert_eq!(prop(licfile, "bsi:component:effectiveLicence"), "MIT");
    assert_eq!(
        prop(licfile, "cargo-cra:license-concluded-from"),
        "clarification"
    );
}

#[test]
fn license_identified_from_text_is_the_concluded_one() {
    let s = scenario("license-detected");
    cargo_build(&s, &[]);
    sbom(&s, &[]).assert_code(0);
    let (text, bom) = read_sbom(&s, "target/debug/license-detected.cdx.json", "detected");
    assert_bsi_fields(&bom);
    assert_no_paths(&s, &text, &bom);
    let licfile = component(&bom, "licfile");
    assert_eq!(licfile["licenses"][0]["expression"], "MIT");
    assert_eq!(licfile["licenses"][0]["acknowledgement"], "concluded");
    assert_eq!(
        prop(licfile, "cargo-cra:license-concluded-from"),
        "license text: LICENSE.txt"
    );
    assert_eq!(
        prop(component(&bom, "licfile"), "bsi:component:effectiveLicense"),
        "MIT"
    );
}

#[test]
fn reruns_and_other_checkout_paths_give_identical_bytes() {
    // Two copies at different paths, built with the checkout path remapped so that the
    // binaries themselves are identical (rustc embeds source paths otherwise).
    let build = |s: &Scenario| {
        let flags = format!("--remap-path-prefix={}=/build", s.root.display());
        let mut cmd = s.cargo(["build", "--locked", "--offline", "--quiet"]);
        cmd.env("RUSTFLAGS", &flags);
        let out = run(cmd);
        assert_eq!(out.code, 0, "{}", out.both());
    };
    let a = scenario("clean");
    let b = scenario("clean");
    assert_ne!(a.root, b.root);
    build(&a);
    build(&b);
    assert_eq!(
        std::fs::read(a.path("target/debug/clean")).unwrap(),
        std::fs::read(b.path("target/debug/clean")).unwrap(),
        "reproducible build"
    );
    sbom(&a, &[]).assert_code(0);
    sbom(&b, &[]).assert_code(0);
    let first = std::fs::read(a.path("target/debug/clean.cdx.json")).unwrap();
    assert_eq!(
        first,
        std::fs::read(b.path("target/debug/clean.cdx.json")).unwrap(),
        "same bytes from another checkout path"
    );
    sbom(&a, &[]).assert_code(0);
    assert_eq!(
        first,
        std::fs::read(a.path("target/debug/clean.cdx.json")).unwrap(),
        "same bytes on a rerun"
    );
    read_sbom(&a, "target/debug/clean.cdx.json", "reproducible");
}

#[test]
fn missing_artifact_names_the_build_command() {
    let s = scenario("clean");
    let out = sbom(&s, &["--release"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("cargo build --release"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("target/release/clean"),
        "{}",
        out.stderr
    );
    assert!(!s.path("target/release/clean.cdx.json").exists());
}

#[test]
fn policy_violation_refuses_unless_allowed() {
    let s = scenario("license-denied");
    cargo_build(&s, &[]);
    let out = sbom(&s, &[]);
    out.assert_code(1);
    assert!(
        out.stderr.contains("error[license-rejected]"),
        "the diagnostics are shown: {}",
        out.stderr
    );
    assert!(out.stderr.contains("no SBOM written"), "{}", out.stderr);
    let path = "target/debug/license-denied.cdx.json";
    assert!(!s.path(path).exists());

    let out = sbom(&s, &["--allow-violations"]);
    out.assert_code(0);
    let (_, bom) = read_sbom(&s, path, "allowed");
    assert_eq!(
        prop(&bom["metadata"], "cargo-cra:policy-violations-allowed"),
        "true"
    );
    let gpl = component(&bom, "gplthing");
    assert_eq!(gpl["licenses"][0]["expression"], "GPL-3.0-only");
}

#[test]
fn missing_lockfile_is_reported_not_created() {
    let s = scenario("no-lockfile");
    // Without --locked: nothing may create the lockfile on the way to the gate's error.
    let db = common::fixture_db();
    let out = run(s.cmd(["sbom", "--offline", "--advisory-db", db.as_str()]));
    out.assert_code(2);
    assert!(out.stderr.contains("Cargo.lock"), "{}", out.stderr);
    assert!(!s.path("Cargo.lock").exists(), "no lockfile may be created");
}

#[test]
fn missing_advisory_database_fails_closed() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    let out = run(s.cmd([
        "sbom",
        "--locked",
        "--offline",
        "--advisory-db",
        "no-such-db",
    ]));
    out.assert_code(2);
    assert!(!s.path("target/debug/clean.cdx.json").exists());
}

#[test]
fn platform_specific_dependencies_follow_the_target() {
    let s = scenario("platform-deps");
    cargo_build(&s, &[]);
    // The scenario has advisory hits on purpose; the SBOM is still written when allowed.
    sbom(&s, &["--allow-violations"]).assert_code(0);
    let (text, bom) = read_sbom(&s, "target/debug/platform-deps.cdx.json", "platform");
    assert_bsi_fields(&bom);
    assert_no_paths(&s, &text, &bom);
    let set = component_set(&bom);
    assert_eq!(set, cargo_tree_set(&s, "platform-deps", &[]));
    if !cfg!(windows) {
        assert!(
            !set.iter().any(|(n, _)| n == "winonly"),
            "cfg(windows) dependency on a non-Windows host"
        );
    }
    assert!(!set.iter().any(|(n, _)| n == "devonly"));
    // Two versions of one crate are two components.
    assert!(
        set.contains(&("multirange".into(), "2.0.0".into()))
            && set.contains(&("multirange".into(), "3.1.0".into()))
    );
    // The advisory findings are not in the SBOM (BSI: vulnerability data goes elsewhere).
    assert!(!text.contains("RUSTSEC-"));
}

#[test]
fn git_and_alternative_registry_sources_get_qualified_purls() {
    for (name, dep, qualifier) in [
        ("git-source-denied", "gitdep", "?vcs_url="),
        ("unknown-registry", "altreg", "?repository_url="),
    ] {
        let s = scenario(name);
        cargo_build(&s, &[]);
        sbom(&s, &["--allow-violations"]).assert_code(0);
        let (text, bom) = read_sbom(&s, &format!("target/debug/{name}.cdx.json"), "sources");
        assert_bsi_fields(&bom);
        assert_no_paths(&s, &text, &bom);
        let c = component(&bom, dep);
        assert!(c["purl"].as_str().unwrap().contains(qualifier), "{c:#}");
        assert!(
            ext_ref(c, "distribution").is_empty(),
            "no crates.io download URL for {dep}"
        );
    }
}

#[test]
fn signed_sbom_verifies() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    run(s.cmd(["keygen", "--out", "release-key"])).assert_code(0);
    let out = sbom(&s, &["--sign", "release-key"]);
    out.assert_code(0);
    assert!(out.stderr.contains("Signed"), "{}", out.stderr);
    assert!(s.path("target/debug/clean.cdx.json.sig").is_file());
    assert!(s.path("target/debug/clean.intoto.jsonl").is_file());
    read_sbom(&s, "target/debug/clean.cdx.json", "signed");
    let verify = run(s.cmd([
        "verify",
        "target/debug/clean",
        "--key",
        "release-key.pub",
        "--lockfile",
    ]));
    verify.assert_code(0);
}

#[test]
fn cached_cargo_answers_give_the_same_sbom() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    let mut uncached = s.cmd([
        "sbom",
        "--locked",
        "--offline",
        "--advisory-db",
        common::fixture_db().as_str(),
        "--output-dir",
        "uncached",
    ]);
    uncached.env("CARGO_CRA_NO_CACHE", "1");
    run(uncached).assert_code(0);
    assert!(
        !s.cargo_home.join("cargo-cra").exists(),
        "CARGO_CRA_NO_CACHE=1 writes no cache"
    );
    sbom(&s, &["-v"]).assert_code(0);
    assert!(s.cargo_home.join("cargo-cra/metadata-cache").is_dir());
    let warm = sbom(&s, &["-v"]);
    warm.assert_code(0);
    assert!(
        warm.stderr.contains("cargo metadata: cached"),
        "{}",
        warm.stderr
    );
    assert_eq!(
        s.read("target/debug/clean.cdx.json"),
        s.read("uncached/clean.cdx.json")
    );
}

#[test]
fn cache_is_invalidated_by_manifest_and_target_changes() {
    let s = scenario("clean");
    cargo_build(&s, &[]);
    sbom(&s, &[]).assert_code(0);
    sbom(&s, &[]).assert_code(0);

    // A changed manifest field (no lockfile change) shows up in the next SBOM.
    let manifest = s
        .read("Cargo.toml")
        .replace("cargo-cra test scenario: clean", "changed description");
    s.write("Cargo.toml", manifest);
    let out = sbom(&s, &["-v"]);
    out.assert_code(0);
    assert!(out.stderr.contains("cargo metadata: ran"), "{}", out.stderr);
    let (_, bom) = read_sbom(&s, "target/debug/clean.cdx.json", "invalidated");
    assert_eq!(
        bom["metadata"]["component"]["description"],
        "changed description"
    );

    // A new binary target (a new file, no manifest change) is a new artifact to describe.
    s.write(
        "src/bin/extra.rs",
        "fn main() { println!(\"{}\", smallfmt::pad_left(\"x\", 3)); }\n",
    );
    cargo_build(&s, &[]);
    let out = sbom(&s, &["-v"]);
    out.assert_code(0);
    assert!(out.stderr.contains("cargo metadata: ran"), "{}", out.stderr);
    let (_, extra) = read_sbom(&s, "target/debug/extra.cdx.json", "invalidated");
    assert_eq!(
        prop(&extra["metadata"]["component"], "bsi:component:filename"),
        "extra"
    );
    assert_bsi_fields(&extra);
}
