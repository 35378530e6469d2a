//! End-to-end tests of `cargo cra check` (licenses, sources, CRA product metadata) and of the
//! CLI contract: exit codes, JSON report, diagnostics locations, bad input.
//! The advisory check has its own file (`tests/advisories.rs`); here it is left out by naming
//! the other checks, so that these tests are about one thing each.

mod common;

use common::{Output, Scenario, run, scenario};
use serde_json::Value;

const NON_ADVISORY: [&str; 4] = ["check", "licenses", "sources", "product"];

fn check(s: &Scenario, extra: &[&str]) -> Output {
    let mut args: Vec<&str> = NON_ADVISORY.to_vec();
    args.extend_from_slice(&["--locked", "--offline"]);
    args.extend_from_slice(extra);
    run(s.cmd(args))
}

fn check_json(s: &Scenario, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let out = check(s, &args);
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object: {e}\n{}", out.both()));
    (out.code, v)
}

fn codes(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn diag<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} diagnostic in {report:#}"))
}

#[test]
fn clean_workspace_passes_with_a_versioned_report() {
    let s = scenario("clean");
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["format-version"], 1);
    assert_eq!(r["outcome"], "pass");
    assert_eq!(r["exit-code"], 0);
    assert_eq!(r["summary"]["errors"], 0);
    let pkgs: Vec<&str> = r["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(pkgs.contains(&"pkg:cargo/smallfmt@1.0.0"), "{pkgs:?}");
    assert!(
        pkgs.contains(&"pkg:cargo/buildhelper@1.0.0"),
        "build-dependencies are built: {pkgs:?}"
    );
    assert!(
        !pkgs.iter().any(|p| p.contains("devonly")),
        "dev-dependencies are not built: {pkgs:?}"
    );
    assert!(r["policy"].as_str().unwrap().ends_with("deny-policy.toml"));
}

#[test]
fn human_output_goes_to_stderr_and_json_to_stdout() {
    let s = scenario("license-denied");
    let human = check(&s, &[]);
    human.assert_code(1);
    assert!(
        human.stdout.is_empty(),
        "human diagnostics belong on stderr: {}",
        human.stdout
    );
    assert!(
        human.stderr.contains("error[license-rejected]"),
        "{}",
        human.stderr
    );
    assert!(human.stderr.contains("FAILED"), "{}", human.stderr);
    let json = check(&s, &["--format", "json"]);
    json.assert_code(1);
    assert!(
        !json.stderr.contains("license-rejected"),
        "JSON mode must not print diagnostics on stderr: {}",
        json.stderr
    );
}

#[test]
fn denied_license_points_at_the_crate_manifest_and_policy() {
    let s = scenario("license-denied");
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&r), vec!["license-rejected"]);
    let d = diag(&r, "license-rejected");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["package"]["name"], "gplthing");
    assert_eq!(d["package"]["purl"], "pkg:cargo/gplthing@2.1.0");
    let locs = d["locations"].as_array().unwrap();
    let manifest = locs.iter().find(|l| l["primary"] == true).unwrap();
    assert!(
        manifest["path"]
            .as_str()
            .unwrap()
            .ends_with("gplthing-2.1.0/Cargo.toml"),
        "{manifest}"
    );
    assert!(manifest["line"].as_u64().unwrap() > 1);
    let policy = locs.iter().find(|l| l["primary"] == false).unwrap();
    assert!(
        policy["path"]
            .as_str()
            .unwrap()
            .ends_with("deny-policy.toml")
    );
    assert_eq!(
        d["inclusion-path"],
        serde_json::json!(["pkg:cargo/license-denied@1.0.0", "pkg:cargo/gplthing@2.1.0"])
    );
    assert_eq!(d["data"]["failed"], serde_json::json!(["GPL-3.0-only"]));
}

#[test]
fn allowing_the_license_makes_it_pass() {
    let s = scenario("license-denied");
    let policy = s
        .read("deny-policy.toml")
        .replace("\"ISC\"", "\"ISC\", \"GPL-3.0-only\"");
    s.write("deny-policy.toml", policy);
    check(&s, &[]).assert_code(0);
}

#[test]
fn clarification_applies_while_the_file_hash_matches() {
    let s = scenario("license-clarified");
    check(&s, &[]).assert_code(0);
    // Change the clarified file: the clarification must stop applying.
    let lic = s.vendor.join("licfile-0.3.0/LICENSE.txt");
    let mut text = std::fs::read_to_string(&lic).unwrap();
    text.push_str("\nAdditional terms: no commercial use.\n");
    std::fs::write(&lic, text).unwrap();
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1, "{r:#}");
    let c = codes(&r);
    assert!(
        c.contains(&"license-clarification-stale".to_string()),
        "{c:?}"
    );
    let stale = diag(&r, "license-clarification-stale");
    assert!(
        stale["locations"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("deny-policy.toml")
    );
}

#[test]
fn exception_allows_a_license_for_one_crate_only() {
    let s = scenario("license-exception");
    check(&s, &[]).assert_code(0);
    let policy = s.read("deny-policy.toml");
    let without: String = policy
        .lines()
        .filter(|l| !l.contains("ringlike"))
        .collect::<Vec<_>>()
        .join("\n");
    s.write("deny-policy.toml", without);
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1);
    assert_eq!(diag(&r, "license-rejected")["package"]["name"], "ringlike");
}

#[test]
fn unused_exception_is_a_warning_not_a_failure() {
    let s = scenario("clean");
    let mut policy = s.read("deny-policy.toml");
    policy = policy.replace(
        "[licenses]",
        "[licenses]\nexceptions = [{ name = \"not-in-graph\", allow = [\"GPL-3.0-only\"] }]",
    );
    s.write("deny-policy.toml", policy);
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(diag(&r, "license-exception-unused")["severity"], "warning");
}

#[test]
fn crate_without_license_is_reported_as_such() {
    let s = scenario("no-license");
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1);
    assert_eq!(diag(&r, "license-missing")["package"]["name"], "nolicense");
}

#[test]
fn git_source_outside_the_allow_list_is_denied() {
    let s = scenario("git-source-denied");
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1);
    let d = diag(&r, "source-git-not-allowed");
    assert_eq!(d["package"]["name"], "gitdep");
    assert!(
        d["package"]["purl"]
            .as_str()
            .unwrap()
            .contains("vcs_url=git%2Bhttps://github.com/example/gitdep%40"),
        "{d}"
    );
    assert!(
        d["locations"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("Cargo.lock")
    );
    let policy = s.read("deny-policy.toml").replace(
        "allow-git = []",
        "allow-git = [\"https://github.com/example/gitdep\"]",
    );
    assert!(
        policy.contains("example/gitdep"),
        "the scenario policy has `allow-git = []`"
    );
    s.write("deny-policy.toml", policy);
    check(&s, &[]).assert_code(0);
}

#[test]
fn unknown_registry_is_denied() {
    let s = scenario("unknown-registry");
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1);
    let d = diag(&r, "source-registry-not-allowed");
    assert_eq!(d["package"]["name"], "altreg");
    assert!(
        d["package"]["purl"]
            .as_str()
            .unwrap()
            .contains("repository_url=")
    );
}

#[test]
fn missing_cra_metadata_gives_one_diagnostic_per_field_with_the_toml_to_add() {
    let s = scenario("missing-cra-metadata");
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1);
    let c = codes(&r);
    for expected in [
        "cra-metadata-missing",
        "cra-manufacturer-missing",
        "cra-security-contact-missing",
        "cra-disclosure-policy-missing",
        "cra-support-end-missing",
        "cra-product-class-missing",
        "cra-intended-purpose-missing",
    ] {
        assert!(
            c.contains(&expected.to_string()),
            "{expected} missing from {c:?}"
        );
        let d = diag(&r, expected);
        assert!(
            d["locations"][0]["path"]
                .as_str()
                .unwrap()
                .ends_with("Cargo.toml"),
            "{d}"
        );
        assert!(
            d["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().contains(" = ")),
            "no TOML to add in {d}"
        );
    }
    // The suggested support end parses and satisfies the policy: today (2026-12-01) + 5 years.
    assert!(
        diag(&r, "cra-support-end-missing")["notes"][0]
            .as_str()
            .unwrap()
            .contains("support-end = \"2031-12\"")
    );
    let sc = diag(&r, "cra-security-contact-missing");
    assert!(
        sc["notes"][0]
            .as_str()
            .unwrap()
            .contains("security-contact = \"mailto:")
    );
}

#[test]
fn support_period_too_short_points_at_support_end() {
    let s = scenario("support-too-short");
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1);
    let d = diag(&r, "cra-support-period-too-short");
    let loc = &d["locations"][0];
    let manifest = s.read("Cargo.toml");
    let line = manifest
        .lines()
        .position(|l| l.starts_with("support-end"))
        .unwrap()
        + 1;
    assert_eq!(loc["line"].as_u64().unwrap() as usize, line, "{d}");
    assert!(d["message"].as_str().unwrap().contains("2026-12-01"));
    assert!(
        d["notes"][0]
            .as_str()
            .unwrap()
            .contains("support-end = \"2031-12\""),
        "{d}"
    );
}

#[test]
fn support_period_justification_accepts_a_shorter_period() {
    check(&scenario("support-justified"), &[]).assert_code(0);
}

#[test]
fn support_period_counts_from_today_without_release_date() {
    let s = scenario("clean");
    let m = s.read("Cargo.toml");
    let m: String = m
        .lines()
        .filter(|l| !l.starts_with("release-date"))
        .map(|l| format!("{l}\n"))
        .collect();
    // Today is pinned to 2026-12-01; five years is 2031-12-01, so 2031-11 is too short.
    let short = m.replace("support-end = \"2031-12\"", "support-end = \"2031-11\"");
    s.write("Cargo.toml", &short);
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1, "{r:#}");
    assert!(
        diag(&r, "cra-support-period-too-short")["message"]
            .as_str()
            .unwrap()
            .contains("today")
    );
    s.write("Cargo.toml", &m);
    check(&s, &[]).assert_code(0);
}

#[test]
fn invalid_metadata_values_are_reported_each() {
    let s = scenario("clean");
    let m = s.read("Cargo.toml");
    let bad = m
        .replace("security-contact = \"mailto:", "security-contact = \"ftp:")
        .replace(
            "product-class = \"default\"",
            "product-class = \"important\"",
        )
        .replace(
            "vulnerability-disclosure-policy = \"SECURITY.md\"",
            "vulnerability-disclosure-policy = \"NOPE.md\"",
        )
        .replace(
            "support-end = \"2031-12\"",
            "support-end = \"December 2031\"",
        )
        .replace(
            "[package.metadata.cra]",
            "[package.metadata.cra]\nsuport-end = \"x\"\nsbom-url = \"http://insecure\"",
        );
    s.write("Cargo.toml", bad);
    let (code, r) = check_json(&s, &[]);
    assert_eq!(code, 1);
    let c = codes(&r);
    for expected in [
        "cra-security-contact-invalid",
        "cra-product-class-invalid",
        "cra-disclosure-policy-invalid",
        "cra-support-end-invalid",
        "cra-unknown-key",
        "cra-url-invalid",
    ] {
        assert!(
            c.contains(&expected.to_string()),
            "{expected} missing from {c:?}"
        );
    }
    assert!(
        diag(&r, "cra-unknown-key")["notes"][0]
            .as_str()
            .unwrap()
            .contains("support-end"),
        "did-you-mean hint"
    );
}

#[test]
fn workspace_metadata_is_inherited_and_labels_point_at_the_root_manifest() {
    let s = scenario("multi-member");
    let (code, r) = check_json(&s, &["--workspace"]);
    assert_eq!(code, 0, "{r:#}");
    let root = s.read("Cargo.toml");
    s.write(
        "Cargo.toml",
        root.replace("security-contact = \"mailto:", "security-contact = \"tel:"),
    );
    let (code, r) = check_json(&s, &["--workspace"]);
    assert_eq!(code, 1);
    let ds: Vec<&Value> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "cra-security-contact-invalid")
        .collect();
    let mut names: Vec<&str> = ds
        .iter()
        .map(|d| d["package"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["app", "cli-tool"],
        "both products inherit; corelib is not a product"
    );
    for d in ds {
        let p = d["locations"][0]["path"].as_str().unwrap();
        assert!(
            p.ends_with("multi-member/Cargo.toml"),
            "inherited value must point at the root manifest: {p}"
        );
        assert_eq!(d["locations"][0]["message"], "inherited from here");
    }
    // -p narrows the check to one product.
    let (_, r) = check_json(&s, &["-p", "app"]);
    let names: Vec<&str> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["package"]["name"].as_str())
        .collect();
    assert!(names.iter().all(|n| *n == "app"), "{names:?}");
}

#[test]
fn product_members_in_the_policy_must_exist() {
    let s = scenario("multi-member");
    let policy = s.read("deny-policy.toml");
    s.write(
        "deny-policy.toml",
        policy.replace("[product]", "[product]\nmembers = [\"app\", \"ghost\"]"),
    );
    let (code, r) = check_json(&s, &["--workspace"]);
    assert_eq!(code, 1);
    assert!(
        diag(&r, "product-member-unknown")["message"]
            .as_str()
            .unwrap()
            .contains("ghost")
    );
}

#[test]
fn all_lockfile_versions_are_read_and_left_unchanged() {
    for name in ["lockfile-v1", "lockfile-v3", "lockfile-v4"] {
        let s = scenario(name);
        let before = s.read("Cargo.lock");
        let (code, r) = check_json(&s, &[]);
        assert_eq!(code, 0, "{name}: {r:#}");
        assert!(
            r["packages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == "pkg:cargo/smallfmt@1.0.0"),
            "{name}: {r:#}"
        );
        assert_eq!(
            before,
            s.read("Cargo.lock"),
            "{name}: Cargo.lock was modified"
        );
    }
}

#[test]
fn lockfile_only_path_runs_without_cargo() {
    let s = scenario("git-source-denied");
    let mut cmd = s.cmd(["check", "sources", "--lockfile-only", "--format", "json"]);
    cmd.env("CARGO", "/nonexistent/cargo");
    let out = run(cmd);
    out.assert_code(1);
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(r["lockfile-only"], true);
    assert_eq!(
        diag(&r, "source-git-not-allowed")["package"]["name"],
        "gitdep"
    );
}

#[test]
fn missing_lockfile_is_exit_2_with_the_command_that_makes_one() {
    let s = scenario("no-lockfile");
    let out = check(&s, &[]);
    out.assert_code(2);
    let first = out.stderr.lines().next().unwrap();
    assert!(
        first.starts_with("error: ") && first.contains("Cargo.lock"),
        "{first}"
    );
    assert!(
        out.stderr.contains("cargo generate-lockfile"),
        "{}",
        out.stderr
    );
    assert!(
        !s.path("Cargo.lock").exists(),
        "the gate must not create a lockfile"
    );
}

#[test]
fn malformed_policies_are_exit_2_naming_file_line_and_column() {
    for (name, needle) in [
        ("malformed-policy", "deny-policy.toml:5:"),
        ("policy-unknown-key", "deny-policy.toml:4:"),
        ("policy-bad-spdx", "deny-policy.toml:4:"),
        ("policy-wrong-type", "deny-policy.toml:5:"),
    ] {
        let s = scenario(name);
        let out = check(&s, &[]);
        out.assert_code(2);
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: ") && first.contains(needle),
            "{name}: {first}"
        );
        assert!(!out.stderr.contains("panicked"), "{name}: {}", out.stderr);
    }
    let s = scenario("policy-bad-spdx");
    assert!(check(&s, &[]).stderr.contains("Apachee-2.0"));
    let s = scenario("policy-unknown-key");
    assert!(check(&s, &[]).stderr.contains("alow"));
}

#[test]
fn malformed_lockfile_and_manifest_are_exit_2_naming_the_file() {
    let s = scenario("clean");
    s.write("Cargo.lock", "this is [not a lockfile");
    let out = check(&s, &[]);
    out.assert_code(2);
    assert!(
        out.stderr.lines().next().unwrap().contains("Cargo.lock"),
        "{}",
        out.stderr
    );

    let s = scenario("clean");
    s.write("Cargo.toml", "[package\nname = ");
    let out = check(&s, &[]);
    out.assert_code(2);
    assert!(
        out.stderr.lines().next().unwrap().contains("Cargo.toml"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn missing_policy_file_given_explicitly_is_exit_2() {
    let s = scenario("clean");
    let out = check(&s, &["--policy", "nope.toml"]);
    out.assert_code(2);
    assert!(out.stderr.contains("nope.toml"), "{}", out.stderr);
}

#[test]
fn target_flag_filters_platform_specific_dependencies() {
    let s = scenario("platform-deps");
    let (_, host) = check_json(&s, &["licenses"]);
    let has = |r: &Value, n: &str| {
        r["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().contains(n))
    };
    assert!(!has(&host, "winonly"), "{host:#}");
    let (_, win) = check_json(&s, &["--target", "x86_64-pc-windows-msvc"]);
    assert!(has(&win, "winonly"), "{win:#}");
    assert_eq!(
        win["targets"],
        serde_json::json!(["x86_64-pc-windows-msvc"])
    );
}

#[test]
fn cargo_invocation_forms_and_cli_errors() {
    let s = scenario("clean");
    // `cargo-cra check` without the `cra` that cargo inserts.
    let mut direct = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-cra"));
    direct
        .args(NON_ADVISORY)
        .args(["--locked", "--offline"])
        .current_dir(&s.dir);
    s.apply_env(&mut direct);
    run(direct).assert_code(0);
    // --manifest-path from elsewhere.
    // (cargo reads `.cargo/config.toml` from the working directory up, so stay inside.)
    let mut other = s.cmd(NON_ADVISORY);
    other
        .current_dir(s.path("src"))
        .arg("--manifest-path")
        .arg("../Cargo.toml");
    run(other).assert_code(0);
    // Unknown flag: exit 2.
    run(s.cmd(["check", "--no-such-flag"])).assert_code(2);
    // Help: exit 0, every flag documented.
    let help = run(s.cmd(["check", "--help"]));
    help.assert_code(0);
    for flag in [
        "--manifest-path",
        "--locked",
        "--offline",
        "--frozen",
        "--package",
        "--workspace",
        "--exclude",
        "--target",
        "--features",
        "--all-features",
        "--no-default-features",
        "--color",
        "--format",
        "--policy",
        "--lockfile-only",
        "--scope",
        "--advisory-db",
    ] {
        assert!(help.stdout.contains(flag), "{flag} missing from help");
    }
}

#[test]
fn color_follows_flag_and_cargo_term_color() {
    let s = scenario("license-denied");
    let mut cmd = s.cmd(NON_ADVISORY);
    cmd.env("CARGO_TERM_COLOR", "always");
    let colored = run(cmd);
    assert!(
        colored.stderr.contains("\u{1b}["),
        "CARGO_TERM_COLOR=always must color"
    );
    let mut cmd = s.cmd(NON_ADVISORY);
    cmd.env("CARGO_TERM_COLOR", "always")
        .arg("--color")
        .arg("never");
    let plain = run(cmd);
    assert!(
        !plain.stderr.contains("\u{1b}["),
        "--color never wins over the environment"
    );
}

#[test]
fn quiet_prints_only_errors_and_the_verdict() {
    let s = scenario("clean");
    let mut policy = s.read("deny-policy.toml");
    policy = policy.replace(
        "[licenses]",
        "[licenses]\nexceptions = [{ name = \"not-in-graph\", allow = [\"GPL-3.0-only\"] }]",
    );
    s.write("deny-policy.toml", policy);
    let out = check(&s, &["-q"]);
    out.assert_code(0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

#[test]
fn init_writes_a_policy_that_parses_and_refuses_to_overwrite() {
    let s = scenario("clean");
    std::fs::remove_file(s.path("deny-policy.toml")).unwrap();
    let out = run(s.cmd(["init"]));
    out.assert_code(0);
    assert!(
        out.stdout.contains("[package.metadata.cra]"),
        "{}",
        out.stdout
    );
    assert!(s.path("deny-policy.toml").exists());
    run(s.cmd(["init"])).assert_code(2);
    run(s.cmd(["init", "--force"])).assert_code(0);
    // The written policy is the documented example and the workspace passes under it.
    assert_eq!(
        s.read("deny-policy.toml"),
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/deny-policy.example.toml"
        ))
        .unwrap()
    );
    check(&s, &[]).assert_code(0);
}

#[test]
fn readme_documents_every_diagnostic_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for code in cargo_cra::diag::Code::ALL {
        assert!(
            readme.contains(&format!("`{}`", code.as_str())),
            "README lacks `{}`",
            code.as_str()
        );
    }
}

#[test]
fn json_report_can_be_written_to_a_file() {
    let s = scenario("license-denied");
    let out = check(&s, &["--format", "json", "--output", "report.json"]);
    out.assert_code(1);
    assert!(
        out.stdout.is_empty(),
        "the report goes to the file: {}",
        out.stdout
    );
    let r: Value = serde_json::from_str(&s.read("report.json")).unwrap();
    assert_eq!(r["outcome"], "fail");
    assert_eq!(diag(&r, "license-rejected")["package"]["name"], "gplthing");
    // Human format has no JSON report to write.
    check(&s, &["--output", "report2.json"]).assert_code(2);
    assert!(!s.path("report2.json").exists());
}

#[test]
fn rejected_or_expression_suggests_one_license_not_all() {
    let s = scenario("clean");
    let policy = s.read("deny-policy.toml").replace(
        "allow = [\"MIT\", \"Apache-2.0\", \"ISC\"]",
        "allow = [\"ISC\"]",
    );
    s.write("deny-policy.toml", policy);
    let (code, r) = check_json(&s, &["licenses"]);
    assert_eq!(code, 1);
    let d = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["package"]["name"] == "tinyrand")
        .unwrap();
    let notes: Vec<&str> = d["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.iter().any(
            |n| n.contains("any one of \"MIT\", \"Apache-2.0\" is enough")
                && n.contains("allow = [\"MIT\"]")
        ),
        "{notes:?}"
    );
    // A single-license crate gets the plain suggestion.
    let d = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["package"]["name"] == "smallfmt")
        .unwrap();
    assert!(
        d["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("allow = [\"MIT\"]"))
    );
}
