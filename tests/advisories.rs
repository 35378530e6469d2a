//! The RustSec advisory gate (issue 3), end to end through the binary on the `platform-deps`
//! and `patched` scenarios with the hand-written database in `tests/fixtures/advisory-db/`,
//! plus library-level tests of the database loader and its cache.
//!
//! Hermetic: the database is the fixture (or a copy of it), CARGO_HOME is the scenario's
//! temporary copy, cargo runs `--frozen`, and the one git test clones from a local
//! `file://` repository.

mod common;

use common::{Output, Scenario, run, scenario};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The fixture database in the source tree.
fn fixture_db() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisory-db")
}

/// A copy of the fixture database under the scenario's temporary root (for tests that
/// modify it).
fn copy_db(s: &Scenario) -> PathBuf {
    let dest = s.root.join("advisory-db");
    common::copy_dir(&fixture_db(), &dest).expect("copy the fixture database");
    dest
}

/// Appends TOML to the scenario's policy.
fn add_policy(s: &Scenario, toml: &str) {
    let mut text = s.read("deny-policy.toml");
    text.push('\n');
    text.push_str(toml);
    s.write("deny-policy.toml", text);
}

/// `cargo cra check advisories --frozen --format json --advisory-db DB ARGS...`.
fn check(s: &Scenario, db: &Path, args: &[&str]) -> (Output, Value) {
    let mut cmd = s.cmd([
        "check",
        "advisories",
        "--frozen",
        "--format",
        "json",
        "--advisory-db",
    ]);
    cmd.arg(db).args(args);
    let out = run(cmd);
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{}", out.both()));
    (out, json)
}

fn diagnostics<'a>(report: &'a Value, code: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(move |d| d["code"] == code)
}

/// `(advisory id, name@version)` of every advisory finding.
fn findings(report: &Value) -> BTreeSet<(String, String)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["data"]["advisory-id"].is_string())
        .map(|d| {
            let p = &d["package"];
            (
                d["data"]["advisory-id"].as_str().unwrap().to_string(),
                format!(
                    "{}@{}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                ),
            )
        })
        .collect()
}

fn ids(report: &Value) -> BTreeSet<String> {
    findings(report).into_iter().map(|(id, _)| id).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn pair(id: &str, pkg: &str) -> (String, String) {
    (id.to_string(), pkg.to_string())
}

/// The advisory ids `cargo audit` 0.22.2 reports on `platform-deps/Cargo.lock` with the
/// fixture database (checked with `cargo audit --no-fetch --db tests/fixtures/advisory-db
/// --file test-workspaces/platform-deps/Cargo.lock --json`): vulnerabilities plus the
/// unmaintained, unsound and notice warnings; not the withdrawn 0004, not 0009 (unaffected
/// range), not the `rust/` 0010.
const CARGO_AUDIT_IDS: &[&str] = &[
    "RUSTSEC-2099-0001",
    "RUSTSEC-2099-0002",
    "RUSTSEC-2099-0003",
    "RUSTSEC-2099-0005",
    "RUSTSEC-2099-0006",
    "RUSTSEC-2099-0007",
    "RUSTSEC-2099-0008",
];

#[test]
fn vulnerable_version_is_an_error_with_details_and_fix() {
    let s = scenario("platform-deps");
    let (out, r) = check(&s, &fixture_db(), &[]);
    out.assert_code(1);
    let vulns: BTreeSet<_> = diagnostics(&r, "advisory-vulnerability")
        .map(|d| d["data"]["advisory-id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        vulns,
        set(&["RUSTSEC-2099-0001", "RUSTSEC-2099-0007"]),
        "{}",
        out.both()
    );

    let d = diagnostics(&r, "advisory-vulnerability")
        .find(|d| d["package"]["name"] == "vulnlib")
        .expect("vulnlib finding");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["package"]["version"], "1.2.0");
    let data = &d["data"];
    assert_eq!(data["advisory-id"], "RUSTSEC-2099-0001");
    assert_eq!(data["kind"], "vulnerability");
    assert_eq!(
        data["aliases"],
        serde_json::json!(["CVE-2099-10001", "GHSA-2c4f-8m9q-vx3w"])
    );
    assert_eq!(data["cvss"]["score"], 9.8);
    assert_eq!(data["cvss"]["severity"], "critical");
    assert_eq!(
        data["cvss"]["vector"],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(data["patched"], serde_json::json!([">=1.2.5"]));
    assert_eq!(data["fix"], "cargo update -p vulnlib --precise 1.2.5");
    assert_eq!(
        data["url"],
        "https://git.example.com/vulnlib/vulnlib/security/advisories/GHSA-2c4f-8m9q-vx3w"
    );
    assert_eq!(data["functions"], serde_json::json!(["vulnlib::parse"]));
    assert_eq!(
        d["inclusion-path"],
        serde_json::json!(["pkg:cargo/platform-deps@1.0.0", "pkg:cargo/vulnlib@1.2.0"])
    );
    let loc = &d["locations"][0];
    assert!(
        loc["path"].as_str().unwrap().ends_with("Cargo.lock"),
        "{loc}"
    );
    let lock = s.read("Cargo.lock");
    let line = lock
        .lines()
        .position(|l| l == "name = \"vulnlib\"")
        .unwrap()
        + 1;
    assert_eq!(loc["line"], line);
    let notes = d["notes"].to_string();
    // `platform-deps` pins `vulnlib = "=1.2.0"`: the update alone cannot work.
    assert!(
        notes.contains("requires `vulnlib = \\\"=1.2.0\\\"`"),
        "{notes}"
    );
    assert!(
        notes.contains("affected functions: vulnlib::parse"),
        "{notes}"
    );

    // Two versions of one crate, two patched ranges: each gets its own compatible fix.
    let fixes: BTreeSet<String> = diagnostics(&r, "advisory-vulnerability")
        .filter(|d| d["package"]["name"] == "multirange")
        .map(|d| d["data"]["fix"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        fixes,
        set(&[
            "cargo update -p multirange@2.0.0 --precise 2.0.3",
            "cargo update -p multirange@3.1.0 --precise 3.1.1"
        ])
    );

    // The report names the database and the scope.
    let a = &r["advisories"];
    assert_eq!(a["db-path"], fixture_db().to_str().unwrap());
    assert_eq!(a["db-date"], "2026-11-10");
    assert_eq!(a["db-commit"], Value::Null);
    assert_eq!(a["advisory-count"], 10);
    assert_eq!(a["scope"], "build");
}

#[test]
fn informational_advisories_follow_the_policy() {
    let s = scenario("platform-deps");
    let (_, r) = check(&s, &fixture_db(), &[]);
    // Defaults: warn.
    for (code, id) in [
        ("advisory-unmaintained", "RUSTSEC-2099-0002"),
        ("advisory-unsound", "RUSTSEC-2099-0003"),
        ("advisory-notice", "RUSTSEC-2099-0008"),
    ] {
        let d: Vec<_> = diagnostics(&r, code).collect();
        assert_eq!(d.len(), 1, "{code}");
        assert_eq!(d[0]["severity"], "warning");
        assert_eq!(d[0]["data"]["advisory-id"], id);
    }
    add_policy(
        &s,
        "[advisories]\nunmaintained = \"deny\"\nunsound = \"allow\"\nnotice = \"allow\"\n",
    );
    let (_, r) = check(&s, &fixture_db(), &[]);
    assert_eq!(
        diagnostics(&r, "advisory-unmaintained").next().unwrap()["severity"],
        "error"
    );
    assert_eq!(diagnostics(&r, "advisory-unsound").count(), 0);
    assert_eq!(diagnostics(&r, "advisory-notice").count(), 0);
}

#[test]
fn patched_version_is_not_reported() {
    let s = scenario("patched");
    let (out, r) = check(&s, &fixture_db(), &[]);
    out.assert_code(0);
    assert!(findings(&r).is_empty(), "{}", out.both());
    let (out, r) = check(&s, &fixture_db(), &["--scope", "lockfile"]);
    out.assert_code(0);
    assert!(findings(&r).is_empty(), "{}", out.both());
}

#[test]
fn withdrawn_unaffected_range_and_rust_collection_never_fire() {
    let s = scenario("platform-deps");
    let (_, r) = check(&s, &fixture_db(), &["--scope", "lockfile"]);
    let got = ids(&r);
    // withdrawnlib 1.0.0 would match the withdrawn advisory's (empty) patched list;
    // smallfmt 1.0.0 is in the unaffected range `< 1.1.0`.
    for id in [
        "RUSTSEC-2099-0004",
        "RUSTSEC-2099-0009",
        "RUSTSEC-2099-0010",
    ] {
        assert!(!got.contains(id), "{id} reported: {got:?}");
    }
}

#[test]
fn lockfile_scope_reports_the_cargo_audit_ids() {
    let s = scenario("platform-deps");
    let (out, r) = check(&s, &fixture_db(), &["--scope", "lockfile"]);
    out.assert_code(1);
    assert_eq!(ids(&r), set(CARGO_AUDIT_IDS));
    assert_eq!(r["advisories"]["scope"], "lockfile");
    assert_eq!(r["advisories"]["out-of-scope"], 0);
    let ids_field: BTreeSet<String> = r["advisories"]["advisory-ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids_field, set(CARGO_AUDIT_IDS));
}

#[test]
#[cfg_attr(windows, ignore = "on a Windows host `winonly` is built")]
fn default_scope_leaves_out_dev_only_and_other_platform_crates() {
    let s = scenario("platform-deps");
    let (_, build) = check(&s, &fixture_db(), &[]);
    let (_, lock) = check(&s, &fixture_db(), &["--scope", "lockfile"]);
    let dev = pair("RUSTSEC-2099-0006", "devonly@1.0.0");
    let win = pair("RUSTSEC-2099-0005", "winonly@0.2.0");
    let b = findings(&build);
    let l = findings(&lock);
    assert!(!b.contains(&dev) && !b.contains(&win), "{b:?}");
    assert!(l.contains(&dev) && l.contains(&win), "{l:?}");
    assert_eq!(build["advisories"]["out-of-scope"], 2);
    let note = diagnostics(&build, "advisories-out-of-scope")
        .next()
        .expect("out-of-scope note");
    assert_eq!(note["severity"], "note");
    let left_out = note["data"]["left-out"].to_string();
    assert!(
        left_out.contains("RUSTSEC-2099-0005 (winonly v0.2.0)")
            && left_out.contains("RUSTSEC-2099-0006 (devonly v1.0.0)"),
        "{left_out}"
    );

    // The human report says it too.
    let mut cmd = s.cmd(["check", "advisories", "--frozen", "--advisory-db"]);
    cmd.arg(fixture_db());
    let out = run(cmd);
    assert!(
        out.stderr
            .contains("scope: build, 2 lockfile advisories not built"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("10 advisories from") && out.stderr.contains("(2026-11-10)"),
        "{}",
        out.stderr
    );
}

#[test]
fn include_dev_brings_dev_dependencies_into_scope() {
    let s = scenario("platform-deps");
    add_policy(&s, "[advisories]\ninclude-dev = true\n");
    let (_, r) = check(&s, &fixture_db(), &[]);
    assert!(findings(&r).contains(&pair("RUSTSEC-2099-0006", "devonly@1.0.0")));
}

#[test]
fn ignore_with_reason_silences_by_id_and_alias() {
    let s = scenario("platform-deps");
    add_policy(
        &s,
        r#"[advisories]
ignore = [
    { id = "RUSTSEC-2099-0001", reason = "we never call vulnlib::parse", until = "2027-06-30" },
    { id = "CVE-2099-10007", reason = "inputs never reach u64::MAX" },
]
"#,
    );
    let (out, r) = check(&s, &fixture_db(), &[]);
    let got = ids(&r);
    assert!(
        !got.contains("RUSTSEC-2099-0001") && !got.contains("RUSTSEC-2099-0007"),
        "{got:?}"
    );
    assert_eq!(diagnostics(&r, "advisory-vulnerability").count(), 0);
    assert_eq!(diagnostics(&r, "advisory-ignore-unused").count(), 0);
    assert_eq!(diagnostics(&r, "advisory-ignore-expired").count(), 0);
    // Only warnings left (unmaintained, unsound, notice).
    out.assert_code(0);
}

#[test]
fn triage_entries_settle_only_with_not_affected_or_fixed_and_for_their_products() {
    let s = scenario("platform-deps");
    add_policy(
        &s,
        r#"[advisories]
ignore = [
    { id = "RUSTSEC-2099-0001", reason = "we never call vulnlib::parse", status = "not_affected", justification = "vulnerable_code_not_in_execute_path" },
    { id = "CVE-2099-10007", reason = "upgrade planned for 1.1", status = "affected" },
]
"#,
    );
    let (out, r) = check(&s, &fixture_db(), &[]);
    let got = ids(&r);
    assert!(!got.contains("RUSTSEC-2099-0001"), "{got:?}");
    // `affected` records the triage but the finding stands, saying so.
    out.assert_code(1);
    let d = diagnostics(&r, "advisory-vulnerability")
        .find(|d| d["data"]["advisory-id"] == "RUSTSEC-2099-0007")
        .expect("affected keeps the finding");
    assert!(
        d["notes"]
            .to_string()
            .contains("triaged as `affected` in the policy: upgrade planned for 1.1"),
        "{d}"
    );
    assert_eq!(diagnostics(&r, "advisory-ignore-unused").count(), 0);

    // An entry for another product does not settle this one's finding; one naming this
    // release does.
    let s = scenario("platform-deps");
    add_policy(
        &s,
        r#"[advisories]
ignore = [
    { id = "RUSTSEC-2099-0001", reason = "not reachable in the other app", status = "not_affected", products = ["other-app"] },
    { id = "RUSTSEC-2099-0007", reason = "fixed by our own bounds check", status = "fixed", products = ["platform-deps@1.0.0"] },
]
"#,
    );
    let (_, r) = check(&s, &fixture_db(), &[]);
    let got = ids(&r);
    assert!(got.contains("RUSTSEC-2099-0001"), "{got:?}");
    assert!(!got.contains("RUSTSEC-2099-0007"), "{got:?}");
    let s = scenario("platform-deps");
    add_policy(
        &s,
        r#"[advisories]
ignore = [
    { id = "RUSTSEC-2099-0001", reason = "only 2.x is affected", status = "not_affected", products = ["platform-deps@>=2"] },
]
"#,
    );
    let (_, r) = check(&s, &fixture_db(), &[]);
    assert!(ids(&r).contains("RUSTSEC-2099-0001"));
}

#[test]
fn invalid_triage_entries_are_policy_errors_naming_the_line() {
    for (entry, expect) in [
        (
            r#"{ id = "RUSTSEC-2099-0001", reason = "r", status = "exploitable" }"#,
            "`status` must be one of \"not_affected\", \"affected\", \"fixed\", \"under_investigation\", found `exploitable`",
        ),
        (
            r#"{ id = "RUSTSEC-2099-0001", reason = "r", status = "affected", justification = "component_not_present" }"#,
            "`justification` says why a product is not affected: it needs `status = \"not_affected\"`",
        ),
        (
            r#"{ id = "RUSTSEC-2099-0001", reason = "r", status = "not_affected", justification = "unreachable" }"#,
            "`justification` must be one of",
        ),
        (
            r#"{ id = "RUSTSEC-2099-0001", reason = "r", products = ["app@not-a-version"] }"#,
            "`app@not-a-version`: `not-a-version` is neither a version nor a version requirement",
        ),
        (
            r#"{ crate = "yankedlib@1.0.0", reason = "r", status = "not_affected" }"#,
            "`status` records the triage of an advisory: it needs `id",
        ),
    ] {
        let s = scenario("platform-deps");
        add_policy(&s, &format!("[advisories]\nignore = [\n    {entry},\n]\n"));
        let mut cmd = s.cmd(["check", "advisories", "--frozen", "--advisory-db"]);
        cmd.arg(fixture_db());
        let out = run(cmd);
        out.assert_code(2);
        let policy = s.read("deny-policy.toml");
        let line = policy.lines().count() - 1;
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(
            first.contains(&format!("deny-policy.toml:{line}:")) && first.contains(expect),
            "{entry}: {}",
            out.stderr
        );
    }
}

#[test]
fn ignore_without_reason_is_a_policy_error() {
    let s = scenario("platform-deps");
    add_policy(
        &s,
        "[advisories]\nignore = [{ id = \"RUSTSEC-2099-0001\" }]\n",
    );
    let mut cmd = s.cmd(["check", "advisories", "--frozen", "--advisory-db"]);
    cmd.arg(fixture_db());
    let out = run(cmd);
    out.assert_code(2);
    assert!(out.stderr.contains("reason"), "{}", out.stderr);
}

#[test]
fn expired_ignore_fires_again_and_says_so() {
    let s = scenario("platform-deps");
    add_policy(
        &s,
        "[advisories]\nignore = [\n    { id = \"RUSTSEC-2099-0001\", reason = \"fix scheduled\", until = \"2026-11-30\" },\n]\n",
    );
    let (out, r) = check(&s, &fixture_db(), &[]);
    out.assert_code(1);
    let d = diagnostics(&r, "advisory-vulnerability")
        .find(|d| d["data"]["advisory-id"] == "RUSTSEC-2099-0001")
        .expect("fires again");
    assert!(
        d["notes"].to_string().contains("expired on 2026-11-30"),
        "{d}"
    );
    let e: Vec<_> = diagnostics(&r, "advisory-ignore-expired").collect();
    assert_eq!(e.len(), 1, "{}", out.both());
    assert_eq!(e[0]["severity"], "warning");
    assert!(
        e[0]["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2026-11-30"),
        "{}",
        e[0]
    );
    let loc = &e[0]["locations"][0];
    assert!(
        loc["path"].as_str().unwrap().ends_with("deny-policy.toml"),
        "{loc}"
    );
    let policy = s.read("deny-policy.toml");
    let line = policy
        .lines()
        .position(|l| l.contains("fix scheduled"))
        .unwrap()
        + 1;
    assert_eq!(loc["line"], line);
}

#[test]
fn unused_ignore_is_a_warning_but_not_for_crates_outside_the_build_scope() {
    let s = scenario("platform-deps");
    add_policy(
        &s,
        r#"[advisories]
ignore = [
    { id = "RUSTSEC-2099-0999", reason = "left over from an old dependency" },
    { id = "RUSTSEC-2099-0005", reason = "windows builds are not shipped" },
]
"#,
    );
    let (out, r) = check(&s, &fixture_db(), &[]);
    let unused: Vec<_> = diagnostics(&r, "advisory-ignore-unused").collect();
    assert_eq!(unused.len(), 1, "{}", out.both());
    assert_eq!(unused[0]["severity"], "warning");
    assert_eq!(unused[0]["data"]["ignore"], "RUSTSEC-2099-0999");
    let policy = s.read("deny-policy.toml");
    let line = policy
        .lines()
        .position(|l| l.contains("RUSTSEC-2099-0999"))
        .unwrap()
        + 1;
    assert_eq!(unused[0]["locations"][0]["line"], line);
}

#[test]
fn lockfile_only_does_not_run_cargo() {
    let s = scenario("platform-deps");
    let mut cmd = s.cmd([
        "check",
        "--lockfile-only",
        "--offline",
        "--format",
        "json",
        "--advisory-db",
    ]);
    cmd.arg(fixture_db()).env("CARGO", "/nonexistent/cargo");
    let out = run(cmd);
    out.assert_code(1);
    let r: Value = serde_json::from_str(&out.stdout).expect("JSON report");
    assert_eq!(r["lockfile-only"], true);
    assert_eq!(r["advisories"]["scope"], "lockfile");
    assert_eq!(ids(&r), set(CARGO_AUDIT_IDS));
    // Control: the full path does run cargo, and fails with that CARGO.
    let mut cmd = s.cmd(["check", "--offline", "--advisory-db"]);
    cmd.arg(fixture_db()).env("CARGO", "/nonexistent/cargo");
    run(cmd).assert_code(2);
}

#[test]
fn missing_database_offline_exits_2() {
    let s = scenario("platform-deps");
    let out = run(s.cmd(["check", "advisories", "--frozen"]));
    out.assert_code(2);
    let expected = s.cargo_home.join("advisory-db");
    assert!(
        out.stderr.contains("no advisory database at")
            && out.stderr.contains(expected.to_str().unwrap()),
        "{}",
        out.stderr
    );
    // An explicit path that does not exist fails the same way.
    let mut cmd = s.cmd(["check", "advisories", "--frozen", "--advisory-db"]);
    cmd.arg(s.root.join("nowhere"));
    run(cmd).assert_code(2);
}

#[test]
fn stale_database_exits_2_naming_its_date() {
    let s = scenario("platform-deps");
    add_policy(&s, "[advisories]\nmaximum-db-staleness = 7\n");
    let mut cmd = s.cmd(["check", "advisories", "--frozen", "--advisory-db"]);
    cmd.arg(fixture_db());
    let out = run(cmd);
    out.assert_code(2);
    assert!(
        out.stderr.contains("stale")
            && out.stderr.contains("2026-11-10")
            && out.stderr.contains("21 days"),
        "{}",
        out.stderr
    );
}

#[test]
fn corrupt_advisory_exits_2_naming_the_file() {
    let s = scenario("platform-deps");
    let db = copy_db(&s);
    let file = db.join("crates/vulnlib/RUSTSEC-2099-0001.md");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("patched = [\">= 1.2.5\"]", "patched = [\">= 1.2.5\"");
    std::fs::write(&file, text).unwrap();
    let (out, _) = {
        let mut cmd = s.cmd(["check", "advisories", "--frozen", "--advisory-db"]);
        cmd.arg(&db);
        let out = run(cmd);
        (out, ())
    };
    out.assert_code(2);
    assert!(
        out.stderr.contains("RUSTSEC-2099-0001.md"),
        "{}",
        out.stderr
    );
}

#[test]
fn parsed_index_cache_is_used_and_invalidated_when_an_advisory_changes() {
    let s = scenario("platform-deps");
    let db = copy_db(&s);
    let (_, r) = check(&s, &db, &[]);
    assert_eq!(r["advisories"]["db-cached"], false);
    let (_, r) = check(&s, &db, &[]);
    assert_eq!(r["advisories"]["db-cached"], true);

    // Prove the warm run reads the cache: a title changed only in the cache shows up.
    let cache_dir = s.cargo_home.join("advisory-db-cache");
    let cache_file = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("\"advisories\"")))
        .expect("cache file");
    let cached = std::fs::read_to_string(&cache_file).unwrap();
    std::fs::write(
        &cache_file,
        cached.replace(
            "Heap buffer overflow in `vulnlib::parse`",
            "TITLE FROM THE CACHE",
        ),
    )
    .unwrap();
    let (_, r) = check(&s, &db, &[]);
    let title = |r: &Value| {
        diagnostics(r, "advisory-vulnerability")
            .find(|d| d["data"]["advisory-id"] == "RUSTSEC-2099-0001")
            .unwrap()["data"]["title"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(title(&r), "TITLE FROM THE CACHE");

    // Editing an advisory invalidates the entry: the file's title is back.
    let file = db.join("crates/vulnlib/RUSTSEC-2099-0001.md");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "# Heap buffer overflow in `vulnlib::parse`",
        "# Heap buffer overflow in `vulnlib::parse` (updated)",
    );
    std::fs::write(&file, text).unwrap();
    let (_, r) = check(&s, &db, &[]);
    assert_eq!(r["advisories"]["db-cached"], false);
    assert_eq!(
        title(&r),
        "Heap buffer overflow in `vulnlib::parse` (updated)"
    );

    // Removing an advisory invalidates it as well.
    std::fs::remove_file(&file).unwrap();
    let (_, r) = check(&s, &db, &[]);
    assert_eq!(r["advisories"]["advisory-count"], 9);
    assert!(!ids(&r).contains("RUSTSEC-2099-0001"));
}

/// Writes a cargo sparse-index `.cache` entry into the fake CARGO_HOME.
fn write_index_cache(s: &Scenario, name: &str, versions: &[(&str, bool)]) {
    let dir = s
        .cargo_home
        .join("registry/index/index.crates.io-1949cf8c6b5b557f/.cache");
    let rel = cargo_cra::advisory::cache::index_path(name).expect("a crate name an index holds");
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut bytes = vec![3u8];
    bytes.extend_from_slice(&2u32.to_le_bytes());
    bytes.extend_from_slice(b"etag: \"fixture\"\0");
    for (v, yanked) in versions {
        bytes.extend_from_slice(v.as_bytes());
        bytes.push(0);
        let json = serde_json::json!({ "name": name, "vers": v, "deps": [], "cksum": "00", "features": {}, "yanked": yanked });
        bytes.extend_from_slice(json.to_string().as_bytes());
        bytes.push(0);
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn yanked_state_comes_from_the_local_index_cache() {
    let s = scenario("platform-deps");
    write_index_cache(&s, "yankedlib", &[("0.9.0", false), ("1.0.0", true)]);
    write_index_cache(&s, "vulnlib", &[("1.2.0", false), ("1.2.5", false)]);
    let (_, r) = check(&s, &fixture_db(), &[]);
    let y: Vec<_> = diagnostics(&r, "advisory-yanked").collect();
    assert_eq!(y.len(), 1, "{r}");
    assert_eq!(y[0]["package"]["name"], "yankedlib");
    assert_eq!(y[0]["severity"], "warning");
    // Unknown is said, never guessed: every other registry package is listed.
    let unknown = diagnostics(&r, "advisory-yanked-unknown")
        .next()
        .expect("unknown note");
    assert_eq!(unknown["severity"], "note");
    let listed = unknown["data"]["packages"].to_string();
    assert!(
        listed.contains("oldlib") && !listed.contains("yankedlib") && !listed.contains("vulnlib"),
        "{listed}"
    );

    // The second run answers from the memo; a changed cache file is read again.
    let (_, r) = check(&s, &fixture_db(), &[]);
    assert_eq!(diagnostics(&r, "advisory-yanked").count(), 1);
    write_index_cache(
        &s,
        "yankedlib",
        &[("0.9.0", false), ("1.0.0", false), ("1.0.1", false)],
    );
    let (_, r) = check(&s, &fixture_db(), &[]);
    assert_eq!(diagnostics(&r, "advisory-yanked").count(), 0);

    // yanked = "deny" makes it an error; a crate ignore silences it.
    write_index_cache(&s, "yankedlib", &[("1.0.0", true)]);
    add_policy(&s, "[advisories]\nyanked = \"deny\"\n");
    let (_, r) = check(&s, &fixture_db(), &[]);
    assert_eq!(
        diagnostics(&r, "advisory-yanked").next().unwrap()["severity"],
        "error"
    );
    let policy = s.read("deny-policy.toml");
    s.write("deny-policy.toml", format!("{policy}ignore = [{{ crate = \"yankedlib@1.0.0\", reason = \"1.0.1 not released yet\" }}]\n"));
    let (_, r) = check(&s, &fixture_db(), &[]);
    assert_eq!(diagnostics(&r, "advisory-yanked").count(), 0);
    assert_eq!(diagnostics(&r, "advisory-ignore-unused").count(), 0, "{r}");
}

/// Runs git with a fixed identity and dates.
fn git(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Fixture",
            "-c",
            "user.email=fixture@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2026-11-25T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-25T12:00:00Z")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Makes the fixture database a git repository that the scenario's policy fetches the default
/// copy from (`db-urls = ["file://..."]`); returns its HEAD commit.
fn git_upstream(s: &Scenario) -> String {
    let upstream = copy_db(s);
    assert!(
        git(&upstream, &["init", "-q"]),
        "git is required by this test (the default database is fetched with git)"
    );
    assert!(git(&upstream, &["add", "-A"]) && git(&upstream, &["commit", "-q", "-m", "fixture"]));
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&upstream)
        .output()
        .unwrap();
    add_policy(
        s,
        &format!(
            "[advisories]\ndb-urls = [\"file://{}\"]\n",
            upstream.display()
        ),
    );
    String::from_utf8(head.stdout).unwrap().trim().to_string()
}

#[test]
fn concurrent_first_runs_fetch_the_default_database_once() {
    let s = scenario("platform-deps");
    git_upstream(&s);
    let children: Vec<_> = (0..3)
        .map(|_| {
            s.cmd(["check", "advisories", "--locked"])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for o in &outs {
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let fetches = outs
        .iter()
        .filter(|o| String::from_utf8_lossy(&o.stderr).contains("Fetching"))
        .count();
    assert_eq!(
        fetches, 1,
        "one run fetches, the others wait for it and find the copy fresh"
    );
    assert!(
        !s.cargo_home.join("advisory-db.cargo-cra-lock").exists(),
        "the lock is released"
    );
}

#[test]
fn a_stale_fetch_lock_is_broken() {
    let s = scenario("platform-deps");
    git_upstream(&s);
    // A lock left by a killed run an hour ago.
    let lock = s.cargo_home.join("advisory-db.cargo-cra-lock");
    std::fs::create_dir_all(&lock).unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::open(&lock)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let out = run(s.cmd(["check", "advisories", "--locked"]));
    out.assert_code(1);
    assert!(out.stderr.contains("Fetching"), "{}", out.both());
    assert!(!lock.exists());
}

#[test]
fn default_database_is_cloned_with_git_and_dated_by_its_commit() {
    let s = scenario("platform-deps");
    let head = git_upstream(&s);

    // No --advisory-db and not offline: the default copy is cloned into CARGO_HOME.
    let out = run(s.cmd(["check", "advisories", "--locked", "--format", "json"]));
    out.assert_code(1);
    assert!(out.stderr.contains("Fetching"), "{}", out.both());
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    let a = &r["advisories"];
    assert_eq!(
        a["db-path"],
        s.cargo_home.join("advisory-db").to_str().unwrap()
    );
    assert_eq!(a["db-commit"], head.as_str());
    assert_eq!(a["db-date"], "2026-11-25");
    assert!(
        s.cargo_home
            .join("advisory-db/crates/vulnlib/RUSTSEC-2099-0001.md")
            .is_file()
    );

    // Within the fetch interval, nothing is fetched again.
    let out = run(s.cmd(["check", "advisories", "--locked", "--format", "json"]));
    out.assert_code(1);
    assert!(!out.stderr.contains("Fetching"), "{}", out.both());

    // An unreachable URL is a clear error, exit 2.
    let s2 = scenario("platform-deps");
    add_policy(
        &s2,
        &format!(
            "[advisories]\ndb-urls = [\"file://{}\"]\n",
            s2.root.join("no-such-repo").display()
        ),
    );
    let out = run(s2.cmd(["check", "advisories", "--locked"]));
    out.assert_code(2);
    assert!(
        out.stderr.contains("failed to fetch the advisory database"),
        "{}",
        out.stderr
    );
}

#[test]
fn library_load_uses_and_invalidates_the_cache() {
    use cargo_cra::advisory::db;
    use cargo_cra::output::Printer;
    let tmp = tempfile::tempdir().unwrap();
    let root = camino::Utf8Path::from_path(tmp.path()).unwrap();
    let dbdir = root.join("db");
    common::copy_dir(&fixture_db(), dbdir.as_std_path()).unwrap();
    let cache = root.join("cache");
    let p = Printer::plain();
    let first = db::load(&dbdir, Some(&cache), &p).unwrap();
    assert!(!first.from_cache);
    assert_eq!(first.advisories.len(), 10);
    let second = db::load(&dbdir, Some(&cache), &p).unwrap();
    assert!(second.from_cache);
    assert_eq!(first.advisories, second.advisories);
    assert_eq!(second.date, first.date);
    // A new advisory invalidates the entry.
    let extra = std::fs::read_to_string(dbdir.join("crates/devonly/RUSTSEC-2099-0006.md"))
        .unwrap()
        .replace("RUSTSEC-2099-0006", "RUSTSEC-2099-0011");
    std::fs::write(dbdir.join("crates/devonly/RUSTSEC-2099-0011.md"), extra).unwrap();
    let third = db::load(&dbdir, Some(&cache), &p).unwrap();
    assert!(!third.from_cache);
    assert_eq!(third.advisories.len(), 11);
    assert_eq!(third.for_crate("devonly").len(), 2);
}
