//! The bans check against the `bans` test workspace, one sub-check per test. Each expected
//! verdict is the one cargo-deny 0.20.2 gives on the same workspace and configuration
//! (`scripts/parity-cargo-deny.py test-workspaces/bans CONFIG --checks bans` reports EQUAL
//! for every configuration below): the crates that fail, and the codes.

mod common;

use common::{Scenario, run, scenario};
use serde_json::Value;

/// Runs `cargo cra check bans` with `config` as the workspace's deny.toml; returns the exit
/// code and (severity, code, crate) of every diagnostic except the duplicate warning
/// cargo-deny's default `multiple-versions = "warn"` gives for multirange.
fn bans(s: &Scenario, config: &str) -> (i32, Vec<(String, String, String)>) {
    s.write("deny.toml", config);
    let out = run(s.cmd(["check", "bans", "--locked", "--offline", "--format", "json"]));
    let report: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.both()));
    assert!(report["policy"].as_str().unwrap().ends_with("deny.toml"));
    let mut found: Vec<(String, String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !(d["code"] == "bans-duplicate" && d["severity"] == "warning"))
        .map(|d| {
            let krate = match d["package"].as_object() {
                Some(p) => format!(
                    "{}@{}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                ),
                None => "-".to_string(),
            };
            (
                d["severity"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                krate,
            )
        })
        .collect();
    found.sort();
    found.dedup();
    (out.code, found)
}

fn expect(config: &str, want: &[(&str, &str, &str)]) {
    let s = scenario("bans");
    let (code, found) = bans(&s, config);
    let mut want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    want.sort();
    assert_eq!(found, want, "config:\n{config}");
    let fails = want.iter().any(|(sev, _, _)| sev == "error");
    assert_eq!(code, if fails { 1 } else { 0 }, "config:\n{config}");
}

/// `allow` (with `allow-workspace`): crates not on the list fail; `multirange:>=3` allows only 3.1.0.
#[test]
fn bans_allow() {
    expect(
        r#"[bans]
allow = ["smallfmt", "multirange:>=3", "vulnlib"]
allow-workspace = true
"#,
        &[
            ("error", "bans-not-allowed", "derivehelper@1.0.0"),
            ("error", "bans-not-allowed", "devonly@1.0.0"),
            ("error", "bans-not-allowed", "multirange@2.0.0"),
        ],
    );
}

/// `allow-build-scripts` without `btool` (a member, with `include-workspace`).
#[test]
fn bans_build() {
    expect(
        r#"[bans.build]
allow-build-scripts = ["nothing"]
include-workspace = true
"#,
        &[("error", "bans-build-script-not-allowed", "btool@0.1.0")],
    );
}

/// a bypass allows the scripts by glob; the pinned `bin/tool` checksum does not match; an allowed path that is not there.
#[test]
fn bypass() {
    expect(
        r#"[bans.build]
executables = "deny"
interpreted = "deny"
script-extensions = ["cs"]
enable-builtin-globs = true
include-workspace = true
[[bans.build.bypass]]
crate = "btool"
allow-globs = ["scripts/*"]
allow = [{ path = "bin/tool", checksum = "0000000000000000000000000000000000000000000000000000000000000000" }, { path = "missing" }]
"#,
        &[
            ("warning", "bans-bypass-path-unmatched", "-"),
            ("error", "bans-checksum-mismatch", "btool@0.1.0"),
        ],
    );
}

/// `deny` with `reason`/`use-instead`, `wrappers` (smallfmt is also used by the app, not only by its wrapper vulnlib), and `deny-multiple-versions`.
#[test]
fn bans_deny() {
    expect(
        r#"[bans]
deny = [{ crate = "vulnlib", reason = "vulnerable", use-instead = "smallfmt" }, { crate = "smallfmt", wrappers = ["vulnlib"] }, { crate = "multirange", deny-multiple-versions = true }]
"#,
        &[
            ("warning", "bans-wrapper-unmatched", "smallfmt@1.0.0"),
            ("error", "bans-banned", "smallfmt@1.0.0"),
            ("error", "bans-banned", "vulnlib@1.2.0"),
            ("error", "bans-duplicate", "multirange@2.0.0"),
        ],
    );
}

/// `multiple-versions = "deny"`: multirange 2.0.0 and 3.1.0.
#[test]
fn dup() {
    expect(
        r#"[bans]
multiple-versions = "deny"
"#,
        &[("error", "bans-duplicate", "multirange@2.0.0")],
    );
}

/// `exact = true` with a feature that is not enabled (`unsafe-mode`) and one missing (`extra`).
#[test]
fn exact() {
    expect(
        r#"[bans]
[[bans.features]]
crate = "btool"
allow = ["default", "std", "unsafe-mode"]
exact = true
"#,
        &[("error", "bans-features-exact-mismatch", "btool@0.1.0")],
    );
}

/// `[graph] exclude-dev`: the banned dev-dependency is not in the graph.
#[test]
fn excludedev() {
    expect(
        r#"[graph]
exclude-dev = true
[bans]
deny = ["devonly"]
"#,
        &[],
    );
}

/// an ELF file, and `.sh`/`.py` (builtin globs) and `.cs` (`script-extensions`) files in a crate with a build script.
#[test]
fn exes() {
    expect(
        r#"[bans.build]
executables = "deny"
interpreted = "deny"
script-extensions = ["cs"]
enable-builtin-globs = true
include-workspace = true
"#,
        &[
            ("error", "bans-executable", "btool@0.1.0"),
            ("error", "bans-script-extension", "btool@0.1.0"),
        ],
    );
}

/// `external-default-features = "deny"`: no external crate has a `default` feature enabled here.
#[test]
fn extdefault() {
    expect(
        r#"[bans]
external-default-features = "deny"
"#,
        &[],
    );
}

/// `allow = ["std"]` while `default` and `extra` are enabled; `workspace-default-features = "deny"`; a denied feature the crate does not have.
#[test]
fn features() {
    expect(
        r#"[bans]
workspace-default-features = "deny"
[[bans.features]]
crate = "btool"
allow = ["std"]
[[bans.features]]
crate = "smallfmt"
deny = ["nonexistent"]
"#,
        &[
            ("warning", "bans-feature-unknown", "smallfmt@1.0.0"),
            ("error", "bans-feature-not-allowed", "btool@0.1.0"),
            ("error", "bans-default-features", "btool@0.1.0"),
        ],
    );
}

/// dev-dependencies are in cargo-deny's graph: a banned dev-dependency fails.
#[test]
fn includedev() {
    expect(
        r#"[bans]
deny = ["devonly"]
"#,
        &[("error", "bans-banned", "devonly@1.0.0")],
    );
}

/// `skip` of one multirange version leaves one: no duplicate; a skip that matches nothing.
#[test]
fn skip() {
    expect(
        r#"[bans]
multiple-versions = "deny"
skip = [{ crate = "multirange@2.0.0", reason = "old" }, "nothere"]
"#,
        &[("warning", "bans-skip-unmatched", "-")],
    );
}

/// `skip-tree` of vulnlib with depth 1 skips only vulnlib itself.
#[test]
fn skiptree() {
    expect(
        r#"[bans]
multiple-versions = "deny"
skip-tree = [{ crate = "vulnlib", depth = 1 }]
"#,
        &[("error", "bans-duplicate", "multirange@2.0.0")],
    );
}

/// `wildcards = "deny"`: `smallfmt = "*"` and path dependencies without a version.
#[test]
fn wild() {
    expect(
        r#"[bans]
wildcards = "deny"
"#,
        &[
            ("error", "bans-wildcard", "bans-app@1.0.0"),
            ("error", "bans-wildcard", "wild@0.1.0"),
        ],
    );
}

/// `allow-wildcard-paths` allows path wildcards only in unpublished crates: the app's are still denied, and the registry wildcard too.
#[test]
fn wildpaths() {
    expect(
        r#"[bans]
wildcards = "deny"
allow-wildcard-paths = true
"#,
        &[
            ("error", "bans-wildcard", "bans-app@1.0.0"),
            ("error", "bans-wildcard", "wild@0.1.0"),
        ],
    );
}
