//! Checks the hermetic fixtures in `test-workspaces/` themselves: every scenario resolves
//! offline with the tests' scrubbed environment and a committed lockfile that cargo does not
//! rewrite, and the vendored crates' checksums match their files and cached `.crate`s.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::{CRATES_IO_CACHE, fixtures_dir, run, scenario, scenario_names, sha256_hex};

/// Scenarios on which `cargo metadata --locked` must fail.
const BROKEN_FOR_CARGO: &[&str] = &["no-lockfile"];

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";
const ALTREG: &str = "sparse+https://altreg.example.com/index/";
const GITDEP: &str = "git+https://github.com/example/gitdep?rev=468606bdedaebcc6e5deab1320c0203979220283#468606bdedaebcc6e5deab1320c0203979220283";

/// Every vendored crate, as `name-version`.
const VENDORED: &[&str] = &[
    "altreg-0.4.0",
    "buildhelper-1.0.0",
    "derivehelper-1.0.0",
    "devonly-1.0.0",
    "gitdep-0.1.0",
    "gplthing-2.1.0",
    "legacyslash-1.2.0",
    "licfile-0.3.0",
    "multirange-2.0.0",
    "multirange-3.1.0",
    "nolicense-0.1.0",
    "oldlib-0.5.0",
    "ringlike-0.17.0",
    "smallfmt-1.0.0",
    "tinyrand-0.8.0",
    "unsoundlib-0.3.0",
    "vulnlib-1.2.0",
    "vulnlib-1.2.5",
    "winonly-0.2.0",
    "withdrawnlib-1.0.0",
    "yankedlib-1.0.0",
];

/// Vendored crates whose `.crate` is deliberately not in the fake cache.
const NOT_CACHED: &[&str] = &["altreg-0.4.0", "gitdep-0.1.0", "tinyrand-0.8.0"];

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
}

#[test]
fn scenario_list_is_complete() {
    let names = scenario_names();
    for expected in [
        "clean",
        "license-denied",
        "license-clarified",
        "license-exception",
        "no-license",
        "git-source-denied",
        "unknown-registry",
        "missing-cra-metadata",
        "support-too-short",
        "support-justified",
        "multi-member",
        "lockfile-v1",
        "lockfile-v3",
        "lockfile-v4",
        "no-lockfile",
        "malformed-policy",
        "policy-unknown-key",
        "policy-bad-spdx",
        "policy-wrong-type",
        "platform-deps",
        "patched",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "missing scenario {expected}: {names:?}"
        );
    }
}

#[test]
fn every_scenario_has_the_standard_files() {
    for name in scenario_names() {
        let dir = fixtures_dir().join(&name);
        for file in ["Cargo.toml", "README.md", ".cargo/config.toml"] {
            assert!(dir.join(file).is_file(), "{name}: missing {file}");
        }
        // A policy: ours, or (the bans scenario) cargo-deny's own file, found by discovery.
        assert!(
            dir.join("deny-policy.toml").is_file() || dir.join("deny.toml").is_file(),
            "{name}: missing deny-policy.toml (or deny.toml)"
        );
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.lines().any(|l| l.trim() == "[workspace]"),
            "{name}: Cargo.toml must be a workspace root of its own"
        );
        if manifest.contains("[package]") {
            assert!(
                dir.join("src/main.rs").is_file(),
                "{name}: missing src/main.rs"
            );
        }
        if manifest.contains("vulnerability-disclosure-policy = \"SECURITY.md\"") {
            assert!(
                dir.join("SECURITY.md").is_file(),
                "{name}: metadata names a missing SECURITY.md"
            );
        }
        let readme = fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(
            readme.contains("exits **"),
            "{name}: README.md must give the expected exit code"
        );
        assert_eq!(
            dir.join("Cargo.lock").exists(),
            !BROKEN_FOR_CARGO.contains(&name.as_str()),
            "{name}: Cargo.lock presence"
        );
    }
}

#[test]
fn every_scenario_resolves_offline_and_locked() {
    for name in scenario_names() {
        if BROKEN_FOR_CARGO.contains(&name.as_str()) {
            continue;
        }
        let s = scenario(&name);
        let lock_before = fs::read(s.path("Cargo.lock")).unwrap();
        let out = run(s.cargo(["metadata", "--format-version", "1", "--locked", "--offline"]));
        assert_eq!(out.code, 0, "{name}: cargo metadata failed\n{}", out.both());
        assert_eq!(
            fs::read(s.path("Cargo.lock")).unwrap(),
            lock_before,
            "{name}: cargo rewrote Cargo.lock"
        );
        let meta = json(&out.stdout);
        let members: BTreeSet<&str> = meta["workspace_members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        for pkg in meta["packages"].as_array().unwrap() {
            let id = pkg["id"].as_str().unwrap();
            let source = pkg["source"].as_str();
            if members.contains(id) {
                assert_eq!(source, None, "{name}: member {id} has a source");
                continue;
            }
            let source = source.unwrap_or_else(|| panic!("{name}: {id} has no source"));
            let pkg_name = pkg["name"].as_str().unwrap();
            let expected = match pkg_name {
                "gitdep" => GITDEP,
                "altreg" => ALTREG,
                _ => CRATES_IO,
            };
            assert_eq!(source, expected, "{name}: source of {id}");
            // The manifest is the vendored copy, reached through `../vendor` (cargo reports
            // it as `<scenario>/../vendor/...`, not normalized).
            let manifest = pkg["manifest_path"].as_str().unwrap();
            let version = pkg["version"].as_str().unwrap();
            let expected = s
                .vendor
                .join(format!("{pkg_name}-{version}"))
                .join("Cargo.toml");
            assert_eq!(
                Path::new(manifest).canonicalize().unwrap(),
                expected,
                "{name}: {id} not from the vendor directory: {manifest}"
            );
        }
    }
}

#[test]
fn no_lockfile_scenario_cannot_resolve_locked() {
    let s = scenario("no-lockfile");
    assert!(!s.path("Cargo.lock").exists());
    let out = run(s.cargo(["metadata", "--format-version", "1", "--locked", "--offline"]));
    assert_ne!(
        out.code, 0,
        "cargo metadata --locked succeeded without a lockfile"
    );
}

#[test]
fn lockfile_versions() {
    let v1 = fs::read_to_string(fixtures_dir().join("lockfile-v1/Cargo.lock")).unwrap();
    // Only the packages' `version = "x.y.z"` lines: no bare `version = N` format line.
    assert!(
        !v1.lines()
            .any(|l| l.starts_with("version =") && !l.contains('"')),
        "v1 has no format version line"
    );
    assert!(
        v1.contains("\n[metadata]\n"),
        "v1 keeps checksums in [metadata]"
    );
    assert!(
        v1.contains("\"smallfmt 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\"")
    );
    let v3 = fs::read_to_string(fixtures_dir().join("lockfile-v3/Cargo.lock")).unwrap();
    assert!(v3.lines().any(|l| l == "version = 3"));
    let v4 = fs::read_to_string(fixtures_dir().join("lockfile-v4/Cargo.lock")).unwrap();
    assert!(v4.lines().any(|l| l == "version = 4"));
}

#[test]
fn vendored_checksums_match_files_and_cached_crates() {
    let vendor = fixtures_dir().join("vendor");
    let cache = fixtures_dir().join("cargo-home").join(CRATES_IO_CACHE);
    let mut found: Vec<String> = fs::read_dir(&vendor)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, VENDORED, "vendored crate set");

    for dir_name in VENDORED {
        let dir = vendor.join(dir_name);
        let sums = json(&fs::read_to_string(dir.join(".cargo-checksum.json")).unwrap());
        let files = sums["files"].as_object().unwrap();
        assert!(
            files.contains_key("Cargo.toml") && files.contains_key("src/lib.rs"),
            "{dir_name}"
        );
        for (rel, hash) in files {
            let bytes = fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{dir_name}/{rel}: {e}"));
            assert_eq!(
                sha256_hex(&bytes),
                hash.as_str().unwrap(),
                "{dir_name}/{rel} checksum"
            );
        }
        let cached = cache.join(format!("{dir_name}.crate"));
        if *dir_name == "gitdep-0.1.0" {
            assert!(
                sums["package"].is_null(),
                "git sources have no package checksum"
            );
        } else {
            assert!(sums["package"].is_string(), "{dir_name}: package checksum");
        }
        assert_eq!(
            cached.exists(),
            !NOT_CACHED.contains(dir_name),
            "{dir_name}: in the fake cache?"
        );
        if cached.exists() {
            let bytes = fs::read(&cached).unwrap();
            assert_eq!(
                sha256_hex(&bytes),
                sums["package"].as_str().unwrap(),
                "{dir_name}: .cargo-checksum.json package != SHA-256 of the cached .crate"
            );
        }
    }
}

#[test]
fn clarification_hash_matches_vendored_license_file() {
    let license = fs::read(fixtures_dir().join("vendor/licfile-0.3.0/LICENSE.txt")).unwrap();
    let policy =
        fs::read_to_string(fixtures_dir().join("license-clarified/deny-policy.toml")).unwrap();
    let hash = sha256_hex(&license);
    assert!(
        policy.contains(&format!("hash = \"{hash}\"")),
        "clarify hash must be {hash}"
    );
}

#[test]
fn harness_scrubs_the_environment_and_redacts() {
    let s = scenario("clean");
    assert!(s.dir.join("../vendor").is_dir());
    let out = run(s.cargo(["--version"]));
    out.assert_code(0);
    assert_eq!(
        common::redact(&format!("at {}/clean/x", s.root.display()), &s.root),
        "at [ROOT]/clean/x"
    );
    let cmd = s.cmd(["check"]);
    let envs: Vec<_> = cmd
        .get_envs()
        .map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned())))
        .collect();
    let get = |k: &str| {
        envs.iter()
            .find(|(key, _)| key == k)
            .and_then(|(_, v)| v.clone())
    };
    assert_eq!(get("SOURCE_DATE_EPOCH").unwrap(), "1796083200");
    assert_eq!(get("CARGO_HOME").unwrap(), s.cargo_home.as_os_str());
    assert!(get("RUST_LOG").is_none() && get("CARGO_TERM_COLOR").is_none());
    assert_eq!(cmd.get_args().next().unwrap(), "cra");
}
