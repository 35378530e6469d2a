//! `cargo cra check --format sarif` (GitHub code scanning) and `--format github` (workflow
//! command annotations), end to end on scenarios with advisory, license, source and CRA
//! metadata findings.
//!
//! Every SARIF log a test writes is copied to `target/test-sarif/`, where `.ci/run` validates
//! it with `@microsoft/sarif-multitool validate` (npm).

mod common;

use common::{Output, Scenario, fixture_db, run, scenario};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn check(s: &Scenario, extra: &[&str]) -> Output {
    let db = fixture_db();
    let mut args = vec!["check", "--frozen", "--advisory-db", db.as_str()];
    args.extend_from_slice(extra);
    run(s.cmd(args))
}

/// Runs `check --format sarif -o <file>`, exports the log for the validator, parses it.
fn sarif(s: &Scenario, test: &str, extra: &[&str]) -> (Output, String, Value) {
    let out_file = s.root.join("report.sarif");
    let mut args = vec!["--format", "sarif", "-o", out_file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = check(s, &args);
    assert!(out.code == 0 || out.code == 1, "{}", out.both());
    assert!(
        out.stdout.is_empty(),
        "with -o nothing goes to stdout: {}",
        out.stdout
    );
    let text = std::fs::read_to_string(&out_file).unwrap();
    common::export_for_validation("test-sarif", &format!("{test}--{}.sarif", s.name), &text);
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"));
    (out, text, v)
}

/// The structural rules GitHub code scanning enforces, checked on every log.
fn assert_github_accepts(log: &Value, s: &Scenario) {
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<BTreeSet<_>>().len(),
        "one rule per code"
    );
    for r in rules {
        assert!(r["shortDescription"]["text"].is_string());
        assert!(
            r["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 1000
        );
        assert!(r["help"]["markdown"].as_str().unwrap().contains("**Fix:**"));
        assert!(!r["properties"]["tags"].as_array().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let rule = res["ruleId"].as_str().unwrap();
        assert_eq!(ids[res["ruleIndex"].as_u64().unwrap() as usize], rule);
        let locs = res["locations"].as_array().unwrap();
        assert!(!locs.is_empty() && locs.len() <= 10, "{res:#}");
        for l in locs
            .iter()
            .chain(res["relatedLocations"].as_array().into_iter().flatten())
        {
            let uri = l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains(".."),
                "repository-relative: {uri}"
            );
            assert!(s.dir.join(uri).is_file(), "{uri} exists in the repository");
            assert!(
                l["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
                    >= 1
            );
        }
        assert!(res["partialFingerprints"]["cargoCraFinding/v1"].is_string());
    }
}

#[test]
fn sarif_has_a_location_for_every_finding_and_stable_fingerprints() {
    let s = scenario("platform-deps");
    let (out, text, log) = sarif(&s, "advisories", &[]);
    out.assert_code(1);
    assert!(out.stderr.contains("FAILED"), "{}", out.stderr);
    assert_github_accepts(&log, &s);
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    // Advisory findings point at the package's entry in Cargo.lock.
    let vuln = results
        .iter()
        .find(|r| r["ruleId"] == "advisory-vulnerability")
        .unwrap();
    let loc = &vuln["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "Cargo.lock");
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    let lock = s.read("Cargo.lock");
    assert!(
        lock.lines().nth(line - 1).unwrap().starts_with("name = "),
        "{loc:#}"
    );
    assert_eq!(vuln["level"], "error");
    // security-severity from CVSS on the advisory rule.
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "advisory-vulnerability")
        .unwrap();
    let sev: f64 = rule["properties"]["security-severity"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.0..=10.0).contains(&sev), "{rule:#}");
    assert!(
        rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&"security".into())
    );
    // Identical runs, identical fingerprints (and bytes).
    let (_, again, _) = sarif(&s, "advisories-rerun", &[]);
    assert_eq!(text, again);
    let fps: BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["cargoCraFinding/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(fps.len(), results.len(), "fingerprints tell findings apart");
}

#[test]
fn sarif_points_at_manifest_and_policy_lines() {
    for name in [
        "license-denied",
        "missing-cra-metadata",
        "git-source-denied",
        "support-too-short",
    ] {
        let s = scenario(name);
        let (_, _, log) = sarif(&s, "findings", &[]);
        assert_github_accepts(&log, &s);
    }
    let s = scenario("license-denied");
    let (_, _, log) = sarif(&s, "license", &[]);
    let res = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "license-rejected")
        .unwrap()
        .clone();
    // The JSON report's primary label, in SARIF form.
    let json = check(&s, &["--format", "json"]);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "license-rejected")
        .unwrap();
    let primary = d["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["primary"] == true);
    let loc = &res["locations"][0]["physicalLocation"];
    let primary = primary.unwrap();
    if primary["path"]
        .as_str()
        .unwrap()
        .starts_with(s.dir.to_str().unwrap())
    {
        assert_eq!(loc["region"]["startLine"], primary["line"]);
    } else {
        // The crate's manifest is outside the repository (vendored): its Cargo.lock entry is
        // primary, the policy's allow list related.
        assert_eq!(loc["artifactLocation"]["uri"], "Cargo.lock");
        assert_eq!(
            res["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "deny-policy.toml"
        );
    }
}

#[test]
fn uris_are_relative_to_the_git_repository_root() {
    let s = scenario("platform-deps");
    // The workspace is a folder of a larger repository.
    std::fs::create_dir_all(s.root.join(".git")).unwrap();
    let (_, _, log) = sarif(&s, "subdir", &[]);
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("platform-deps/"), "{uri}");
}

#[test]
fn github_format_writes_escaped_workflow_commands() {
    let s = scenario("platform-deps");
    let out = check(&s, &["--format", "github"]);
    out.assert_code(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            l.starts_with("::error file=")
                || l.starts_with("::warning file=")
                || l.starts_with("::notice file="),
            "{l}"
        );
        let (props, message) = l[2..].split_once("::").unwrap();
        assert!(
            props.contains(",line=") && props.contains(",col=") && props.contains(",title="),
            "{props}"
        );
        assert!(!message.contains('\n') && !message.contains('\r'));
    }
    let vuln = lines
        .iter()
        .find(|l| l.contains("title=advisory-vulnerability"))
        .unwrap();
    assert!(vuln.starts_with("::error file=Cargo.lock,line="), "{vuln}");
    // Notes follow on escaped new lines.
    assert!(vuln.contains("%0Apatched: "), "{vuln}");
    // Written to a file on request, atomically, nothing on stdout.
    let f = s.root.join("annotations.txt");
    let out = check(&s, &["--format", "github", "-o", f.to_str().unwrap()]);
    out.assert_code(1);
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&f).unwrap().lines().count(),
        lines.len()
    );
}

#[test]
fn output_needs_a_machine_format() {
    let s = scenario("clean");
    let out = check(&s, &["-o", "x.json"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("--format json, sarif or github"),
        "{}",
        out.stderr
    );
}

/// The `clean` scenario with the scan test's release archive in `releases/`, plus one input
/// the scan cannot read (CycloneDX XML): a finding about a whole file.
fn scan_archive() -> Scenario {
    let s = scenario("clean");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/releases"),
        &s.path("releases"),
    )
    .unwrap();
    s.write(
        "releases/legacy/app-0.9.0.cdx.xml",
        "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\" version=\"1\"/>\n",
    );
    s
}

fn scan(s: &Scenario, args: &[&str]) -> Output {
    let db = fixture_db();
    let mut all = vec!["scan", "--offline", "--advisory-db", db.as_str()];
    all.extend_from_slice(args);
    run(s.cmd(all))
}

#[test]
fn scan_sarif_points_into_the_sboms_and_is_stable() {
    let s = scan_archive();
    let out = scan(&s, &["releases", "--format", "sarif", "-o", "scan.sarif"]);
    out.assert_code(1);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let text = s.read("scan.sarif");
    common::export_for_validation("test-sarif", "scan--releases.sarif", &text);
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_github_accepts(&log, &s);
    let results = log["runs"][0]["results"].as_array().unwrap();
    // An advisory finding points at the component's purl in the SBOM that lists it.
    let vuln = results
        .iter()
        .find(|r| r["ruleId"] == "advisory-vulnerability")
        .expect("an advisory finding");
    let loc = &vuln["locations"][0]["physicalLocation"];
    let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("releases/"), "{uri}");
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    let sbom = s.read(uri);
    assert!(
        sbom.lines().nth(line - 1).unwrap().contains("pkg:cargo/"),
        "line {line} of {uri}: {loc:#}"
    );
    // The unreadable input: its own file, line 1.
    let unreadable = results
        .iter()
        .find(|r| r["ruleId"] == "scan-input-unreadable")
        .expect("the XML SBOM is a finding");
    let loc = &unreadable["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "releases/legacy/app-0.9.0.cdx.xml"
    );
    assert_eq!(loc["region"]["startLine"], 1);
    // Identical runs give identical logs (fingerprints included).
    let again = scan(&s, &["releases", "--format", "sarif"]);
    again.assert_code(1);
    assert_eq!(again.stdout, text);
}

#[test]
fn scan_of_an_archive_outside_the_repository_is_relative_to_the_archive() {
    let s = scan_archive();
    // The workspace is a git repository; the archive is a folder beside it.
    std::fs::create_dir_all(s.path(".git")).unwrap();
    let archive = s.root.join("archive");
    common::copy_dir(&s.path("releases"), &archive).unwrap();
    let out = scan(&s, &[archive.to_str().unwrap(), "--format", "sarif"]);
    out.assert_code(1);
    let log: Value = serde_json::from_str(&out.stdout).unwrap();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.starts_with('/') && !uri.contains(".."), "{uri}");
        assert!(archive.join(uri).is_file(), "{uri} is in the archive");
    }
}

#[test]
fn scan_github_format_annotates_the_sbom_lines() {
    let s = scan_archive();
    let out = scan(&s, &["releases", "--format", "github"]);
    out.assert_code(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let vuln = lines
        .iter()
        .find(|l| l.contains("title=advisory-vulnerability"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(vuln.starts_with("::error file=releases/"), "{vuln}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=releases/legacy/app-0.9.0.cdx.xml,line=1,")),
        "{}",
        out.stdout
    );
    for l in &lines {
        assert!(l.starts_with("::"), "{l}");
        assert!(!l.contains('\r'));
    }
    // Human output refuses -o; the machine formats take it.
    let out = scan(&s, &["releases", "-o", "x.txt"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("json, sarif or github"),
        "{}",
        out.stderr
    );
}
