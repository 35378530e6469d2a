//! End-to-end tests of license text detection: crates without a usable `license` field get
//! the license identified from their license files, as cargo-deny does, and a valid
//! clarification still takes priority.

mod common;

use common::{Output, Scenario, run, scenario, sha256_hex};
use serde_json::Value;

fn check_licenses(s: &Scenario, extra: &[&str]) -> Output {
    let mut args = vec!["check", "licenses", "--offline", "--locked"];
    args.extend_from_slice(extra);
    run(s.cmd(args))
}

fn check_json(s: &Scenario) -> (i32, Value) {
    let out = check_licenses(s, &["--format", "json"]);
    let v = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object: {e}\n{}", out.both()));
    (out.code, v)
}

fn diags(report: &Value) -> &Vec<Value> {
    report["diagnostics"].as_array().unwrap()
}

fn codes(report: &Value) -> Vec<&str> {
    diags(report)
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

/// The SPDX list's text of `id` (the `spdx` crate's `text` feature, a dev-dependency).
fn spdx_text(id: &str) -> &'static str {
    spdx::text::LICENSE_TEXTS
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("no SPDX text for {id}"))
}

/// Replaces licfile's only license file in the scenario's copy of the vendor directory.
fn set_licfile_text(s: &Scenario, text: &str) {
    std::fs::write(s.vendor.join("licfile-0.3.0/LICENSE.txt"), text).unwrap();
}

#[test]
fn license_file_with_mit_text_passes_without_clarification() {
    let s = scenario("license-detected");
    check_licenses(&s, &[]).assert_code(0);
    // The scan result is cached in CARGO_HOME, so the next run does not load the store.
    let cache = s.cargo_home.join("license-detect-cache");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    check_licenses(&s, &[]).assert_code(0);
}

#[test]
fn detected_license_outside_the_allow_list_is_rejected_with_its_source() {
    let s = scenario("license-detected");
    set_licfile_text(&s, spdx_text("BSD-3-Clause"));
    let (code, r) = check_json(&s);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(codes(&r), ["license-rejected"], "{r:#}");
    let d = &diags(&r)[0];
    assert_eq!(d["package"]["name"], "licfile");
    assert_eq!(d["data"]["expression"], "BSD-3-Clause");
    assert_eq!(d["data"]["detected-from"][0]["path"], "LICENSE.txt");
    let note = d["notes"][0].as_str().unwrap();
    assert!(
        note.contains("detected from LICENSE.txt with confidence 1.00"),
        "{note}"
    );
    // Allowing it makes the crate pass.
    let policy = s
        .read("deny-policy.toml")
        .replace("\"ISC\"", "\"ISC\", \"BSD-3-Clause\"");
    s.write("deny-policy.toml", policy);
    check_licenses(&s, &[]).assert_code(0);
}

#[test]
fn unrecognizable_text_is_a_missing_license_with_the_scores() {
    let s = scenario("license-detected");
    set_licfile_text(
        &s,
        "You may use this crate on Tuesdays, if you send the author a postcard.\n",
    );
    let (code, r) = check_json(&s);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(codes(&r), ["license-missing"], "{r:#}");
    let notes = diags(&r)[0]["notes"].to_string();
    assert!(
        notes.contains("no license could be identified") && notes.contains("LICENSE.txt"),
        "{notes}"
    );
    assert!(notes.contains("[[licenses.clarify]]"), "{notes}");
}

#[test]
fn confidence_threshold_decides_and_is_validated() {
    let s = scenario("license-detected");
    // One extra line keeps the text MIT for the default threshold (cargo-deny agrees), but not
    // for a threshold of 1.0, which only exact texts meet.
    let text = s.vendor.join("licfile-0.3.0/LICENSE.txt");
    let mut mit = std::fs::read_to_string(&text).unwrap();
    mit.push_str("\nThis notice applies to the files in src/ only.\n");
    set_licfile_text(&s, &mit);
    check_licenses(&s, &[]).assert_code(0);
    let policy = s.read("deny-policy.toml");
    let strict = policy.replace("[licenses]\n", "[licenses]\nconfidence-threshold = 1.0\n");
    s.write("deny-policy.toml", &strict);
    let (code, r) = check_json(&s);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(codes(&r), ["license-missing"], "{r:#}");
    assert!(
        diags(&r)[0]["notes"][0]
            .as_str()
            .unwrap()
            .contains("closest match `MIT`"),
        "{r:#}"
    );
    let bad = policy.replace("[licenses]\n", "[licenses]\nconfidence-threshold = 1.5\n");
    s.write("deny-policy.toml", bad);
    let out = check_licenses(&s, &[]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("deny-policy.toml:4:") && out.stderr.contains("confidence-threshold"),
        "{}",
        out.stderr
    );
}

#[test]
fn valid_clarification_wins_over_detection() {
    let s = scenario("license-clarified");
    // The text now reads as BSD-3-Clause, which is not allowed; a clarification pinned to
    // this very file says MIT, and it wins.
    let bsd = spdx_text("BSD-3-Clause");
    set_licfile_text(&s, bsd);
    let policy = s.read("deny-policy.toml");
    let old_hash = "892fb2fef3eea9cf5804c9f0808efb75ce21ca4c9106cf8050ebb9dd205a1bc4";
    assert!(policy.contains(old_hash));
    s.write(
        "deny-policy.toml",
        policy.replace(old_hash, &sha256_hex(bsd.as_bytes())),
    );
    check_licenses(&s, &[]).assert_code(0);
}

#[test]
fn stale_clarification_is_an_error_even_when_detection_accepts_the_crate() {
    let s = scenario("license-clarified");
    let text = s.vendor.join("licfile-0.3.0/LICENSE.txt");
    let mut mit = std::fs::read_to_string(&text).unwrap();
    mit.push_str("\nThis notice applies to the files in src/ only.\n");
    set_licfile_text(&s, &mit);
    let (code, r) = check_json(&s);
    assert_eq!(code, 1, "{r:#}");
    // The crate itself passes (still MIT text, as cargo-deny finds); the pin does not.
    assert_eq!(codes(&r), ["license-clarification-stale"], "{r:#}");
}
