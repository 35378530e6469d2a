//! End-to-end tests of `cargo cra report` (CRA Art. 14): cases from awareness to the final
//! report, incidents, the deadlines (month ends, leap days), due-soon and overdue states,
//! drafts with missing items and `--strict`, malformed case files; and of the metadata the
//! reports need (`markets`, `main-establishment`) and the RFC 9116 security.txt check.
//!
//! "Now" is pinned per command with SOURCE_DATE_EPOCH; the advisory database is the fixture.

mod common;

use common::{Output, Scenario, run, scenario};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const CASE: &str = "2026-12-01-rustsec-2099-0001";

fn advisory_db() -> String {
    format!("{}/tests/fixtures/advisory-db", env!("CARGO_MANIFEST_DIR"))
}

/// `cargo cra report ARGS` with "now" = `now` (RFC 3339).
fn report(s: &Scenario, now: &str, args: &[&str]) -> Output {
    let epoch = OffsetDateTime::parse(now, &Rfc3339)
        .unwrap()
        .unix_timestamp()
        .to_string();
    let mut cmd = s.cmd(["report"].iter().chain(args));
    cmd.env("SOURCE_DATE_EPOCH", epoch);
    run(cmd)
}

fn status_json(s: &Scenario, now: &str) -> (i32, Value) {
    let out = report(s, now, &["status", "--format", "json"]);
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("status stdout is not JSON: {e}\n{}", out.both()));
    (out.code, v)
}

fn case_json<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id} in {status:#}"))
}

fn report_of<'a>(case: &'a Value, step: &str) -> &'a Value {
    case["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["report"] == step)
        .unwrap()
}

fn open_vulnerability(s: &Scenario) -> Output {
    let db = advisory_db();
    let out = report(
        s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "RUSTSEC-2099-0001",
            "--aware-at",
            "2026-12-01T09:30:00Z",
            "--advisory-db",
            &db,
            "--offline",
        ],
    );
    out.assert_code(0);
    out
}

fn draft_json(s: &Scenario, now: &str, step: &str) -> Value {
    let out = report(s, now, &["draft", CASE, step, "--format", "json"]);
    out.assert_code(0);
    serde_json::from_str(&out.stdout).unwrap()
}

fn item<'a>(draft: &'a Value, id: &str) -> &'a Value {
    draft["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id} in {draft:#}"))
}

#[test]
fn vulnerability_case_from_awareness_to_final_report() {
    let s = scenario("report-vulnerable");
    let out = open_vulnerability(&s);
    // The case id alone on the first line of stdout.
    assert_eq!(out.stdout.lines().next(), Some(CASE), "{}", out.both());
    let file = s.read(format!("cra-reports/{CASE}/case.toml"));
    assert!(file.contains("id = \"RUSTSEC-2099-0001\""), "{file}");
    assert!(file.contains("\"CVE-2099-10001\""), "{file}");
    assert!(file.contains("cvss-score = 9.8"), "{file}");
    // The workspace's current build links vulnlib 1.2.0: an affected release.
    assert!(
        file.contains("components = [\"pkg:cargo/vulnlib@1.2.0\"]"),
        "{file}"
    );
    assert!(file.contains("heap buffer") || file.contains("overflows the heap buffer"));

    let (code, st) = status_json(&s, "2026-12-01T10:00:00Z");
    assert_eq!(code, 0, "{st:#}");
    let c = case_json(&st, CASE);
    assert_eq!(c["kind"], "vulnerability");
    assert_eq!(c["advisory"], "RUSTSEC-2099-0001");
    assert_eq!(c["next"]["report"], "early-warning");
    assert_eq!(report_of(c, "early-warning")["due"], "2026-12-02T09:30:00Z");
    assert_eq!(report_of(c, "notification")["due"], "2026-12-04T09:30:00Z");
    assert_eq!(report_of(c, "final")["due"], Value::Null);
    assert_eq!(report_of(c, "final")["state"], "waiting");
    assert_eq!(
        report_of(c, "early-warning")["seconds-left"],
        23 * 3600 + 30 * 60
    );

    // Early warning: Member States from `markets`, coordinator from `main-establishment`.
    let ew = report(
        &s,
        "2026-12-01T11:00:00Z",
        &["draft", CASE, "early-warning", "--strict"],
    );
    ew.assert_code(0);
    assert!(
        ew.stdout
            .contains("Austria (AT), Germany (DE), France (FR)"),
        "{}",
        ew.stdout
    );
    assert!(ew.stdout.contains("Germany (DE)"));
    assert!(!ew.stdout.contains("TODO"), "{}", ew.stdout);
    let d = draft_json(&s, "2026-12-01T11:00:00Z", "early-warning");
    assert_eq!(d["article"], "14(2)(a)");
    assert_eq!(d["complete"], true);
    assert_eq!(
        item(&d, "member-states")["data"],
        serde_json::json!(["AT", "DE", "FR"])
    );
    assert_eq!(
        item(&d, "coordinating-csirt")["data"],
        serde_json::json!(["DE"])
    );

    report(
        &s,
        "2026-12-01T16:00:00Z",
        &[
            "submitted",
            CASE,
            "early-warning",
            "--at",
            "2026-12-01T15:00:00Z",
            "--reference",
            "SRP-2026-0001",
        ],
    )
    .assert_code(0);
    let (_, st) = status_json(&s, "2026-12-01T16:00:00Z");
    let c = case_json(&st, CASE);
    assert_eq!(report_of(c, "early-warning")["state"], "submitted");
    assert_eq!(report_of(c, "early-warning")["reference"], "SRP-2026-0001");
    assert_eq!(
        report_of(c, "early-warning")["submitted-at"],
        "2026-12-01T15:00:00Z"
    );
    assert_eq!(c["next"]["report"], "notification");

    // Notification: the exploit is not described yet, nor any measure.
    let n = report(
        &s,
        "2026-12-02T09:00:00Z",
        &["draft", CASE, "notification", "--strict"],
    );
    n.assert_code(1);
    assert!(n.stdout.contains("**TODO:**"), "{}", n.stdout);
    assert!(
        n.stderr
            .contains("`exploit-nature` (Art. 14(2)(b)) is missing"),
        "{}",
        n.stderr
    );
    let d = draft_json(&s, "2026-12-02T09:00:00Z", "notification");
    assert_eq!(d["complete"], false);
    assert_eq!(
        d["missing"],
        serde_json::json!(["exploit-nature", "measures-taken", "user-measures"])
    );
    // The advisory fills the nature of the vulnerability.
    assert!(
        item(&d, "vulnerability-nature")["text"]
            .as_str()
            .unwrap()
            .contains("overflows the heap buffer")
    );
    assert_eq!(item(&d, "sensitivity")["data"], "TLP:AMBER");

    report(
        &s,
        "2026-12-02T09:00:00Z",
        &[
            "set",
            CASE,
            "exploit-nature",
            "Crafted headers sent to the public upload endpoint",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2026-12-03T13:00:00Z",
        &[
            "fix",
            CASE,
            "--fixed-in",
            "1.0.1",
            "--available-at",
            "2026-12-03T12:00:00Z",
            "--url",
            "https://example.com/releases/1.0.1",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2026-12-03T13:00:00Z",
        &[
            "mitigation",
            CASE,
            "Reject uploads with a length prefix above 64 KiB at the proxy",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2026-12-03T13:30:00Z",
        &["draft", CASE, "notification", "--strict"],
    )
    .assert_code(0);
    // The final report is due 14 days after the fix is available, not after awareness.
    let (_, st) = status_json(&s, "2026-12-03T13:30:00Z");
    let c = case_json(&st, CASE);
    assert_eq!(report_of(c, "final")["due"], "2026-12-17T12:00:00Z");
    report(
        &s,
        "2026-12-03T14:00:00Z",
        &[
            "submitted",
            CASE,
            "notification",
            "--reference",
            "SRP-2026-0001-N",
        ],
    )
    .assert_code(0);

    // Final: impact and malicious actor are the manufacturer's to write.
    let d = draft_json(&s, "2026-12-10T09:00:00Z", "final");
    assert_eq!(d["article"], "14(2)(c)");
    assert_eq!(d["due"], "2026-12-17T12:00:00Z");
    assert_eq!(
        d["missing"],
        serde_json::json!(["impact", "malicious-actor"])
    );
    assert!(
        item(&d, "severity")["text"]
            .as_str()
            .unwrap()
            .contains("critical (CVSS base score 9.8")
    );
    let update = item(&d, "security-update")["text"].as_str().unwrap();
    assert!(update.contains("report-vulnerable 1.0.1"), "{update}");
    assert!(
        update.contains("https://example.com/releases/1.0.1"),
        "{update}"
    );
    for (k, v) in [
        ("impact", "Remote code execution in the upload service"),
        ("malicious-actor", "none known"),
    ] {
        report(&s, "2026-12-10T09:00:00Z", &["set", CASE, k, v]).assert_code(0);
    }
    let md = report(
        &s,
        "2026-12-10T09:00:00Z",
        &["draft", CASE, "final", "--strict", "-o", "final.md"],
    );
    md.assert_code(0);
    let text = s.read("final.md");
    assert!(
        text.starts_with("# Final report: Heap buffer overflow"),
        "{text}"
    );
    assert!(text.contains("*Art. 14(2)(c)(ii)*"), "{text}");
    assert!(!text.contains("TODO"), "{text}");
    report(
        &s,
        "2026-12-10T10:00:00Z",
        &[
            "submitted",
            CASE,
            "final",
            "--at",
            "2026-12-10T09:45:00Z",
            "--reference",
            "SRP-F",
        ],
    )
    .assert_code(0);

    // Every report submitted: no longer an open case; `list` still shows it.
    let (code, st) = status_json(&s, "2026-12-20T00:00:00Z");
    assert_eq!(code, 0);
    assert_eq!(st["cases"], serde_json::json!([]));
    let out = report(&s, "2026-12-20T00:00:00Z", &["list", "--format", "json"]);
    out.assert_code(0);
    let l: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(case_json(&l, CASE)["state"], "complete");
    report(&s, "2026-12-20T00:00:00Z", &["close", CASE]).assert_code(0);
    let out = report(&s, "2026-12-20T00:00:00Z", &["list", "--format", "json"]);
    let l: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(case_json(&l, CASE)["state"], "closed");
    // A closed case does not change any more.
    report(&s, "2026-12-20T00:00:00Z", &["set", CASE, "impact", "x"]).assert_code(2);
}

#[test]
fn no_cases_is_a_pass() {
    let s = scenario("report-vulnerable");
    let out = report(&s, "2026-12-01T10:00:00Z", &["status"]);
    out.assert_code(0);
    assert!(out.stderr.contains("no open cases"), "{}", out.stderr);
    let (code, st) = status_json(&s, "2026-12-01T10:00:00Z");
    assert_eq!(code, 0);
    assert_eq!(st["cases"], serde_json::json!([]));
    assert_eq!(st["now"], "2026-12-01T10:00:00Z");
}

#[test]
fn early_warning_due_soon_warns_and_overdue_fails() {
    let s = scenario("report-vulnerable");
    open_vulnerability(&s);
    // 4 h 30 min before the early warning: a warning, exit 0.
    let out = report(&s, "2026-12-02T05:00:00Z", &["status"]);
    out.assert_code(0);
    assert!(
        out.stderr
            .contains("the early-warning is due in 4 h 30 min (2026-12-02T09:30:00Z)"),
        "{}",
        out.both()
    );
    assert!(out.stdout.contains("due-soon"), "{}", out.stdout);
    let (_, st) = status_json(&s, "2026-12-02T05:00:00Z");
    assert_eq!(st["due-soon"], 1);
    assert_eq!(st["overdue"], 0);
    // 6 h 1 min before: not yet a warning.
    let out = report(&s, "2026-12-02T03:29:00Z", &["status"]);
    out.assert_code(0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    // Past the deadline, not submitted: exit 1 for the scheduled job.
    let out = report(&s, "2026-12-02T10:00:00Z", &["status"]);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("the early-warning is overdue by 30 min"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("OVERDUE by 30 min"), "{}", out.stdout);
    let (code, st) = status_json(&s, "2026-12-02T10:00:00Z");
    assert_eq!(code, 1);
    assert_eq!(st["overdue"], 1);
    let c = case_json(&st, CASE);
    assert_eq!(report_of(c, "early-warning")["state"], "overdue");
    assert_eq!(report_of(c, "early-warning")["seconds-left"], -1800);
    // Submitted late: recorded as such; the gate passes again.
    let out = report(
        &s,
        "2026-12-02T11:00:00Z",
        &["submitted", CASE, "early-warning", "--reference", "SRP-L"],
    );
    out.assert_code(0);
    assert!(
        out.stderr
            .contains("submitted 1 h 30 min after its deadline"),
        "{}",
        out.stderr
    );
    let (code, st) = status_json(&s, "2026-12-02T11:00:00Z");
    assert_eq!(code, 0);
    assert_eq!(
        report_of(case_json(&st, CASE), "early-warning")["state"],
        "submitted-late"
    );
    // Recording it twice needs --force.
    report(
        &s,
        "2026-12-02T11:00:00Z",
        &["submitted", CASE, "early-warning"],
    )
    .assert_code(2);
    // The notification deadline passes too.
    let (code, st) = status_json(&s, "2026-12-04T09:30:00Z");
    assert_eq!(code, 1);
    assert_eq!(case_json(&st, CASE)["next"]["report"], "notification");
    assert_eq!(case_json(&st, CASE)["next"]["state"], "overdue");
}

#[test]
fn severe_incident_final_report_is_one_month_after_the_notification_clamped() {
    let s = scenario("report-vulnerable");
    let out = report(
        &s,
        "2027-01-28T12:00:00Z",
        &[
            "new",
            "--incident",
            "Firmware signing key exposed",
            "--aware-at",
            "2027-01-28T10:00:00+01:00",
            "--tlp",
            "red",
        ],
    );
    out.assert_code(0);
    let id = "2027-01-28-incident-firmware-signing-key-exposed";
    assert_eq!(out.stdout.lines().next(), Some(id), "{}", out.both());
    let (_, st) = status_json(&s, "2027-01-28T12:00:00Z");
    let c = case_json(&st, id);
    assert_eq!(c["kind"], "incident");
    assert_eq!(c["tlp"], "red");
    // 10:00+01:00 is 09:00 UTC.
    assert_eq!(c["aware-at"], "2027-01-28T09:00:00Z");
    assert_eq!(report_of(c, "early-warning")["due"], "2027-01-29T09:00:00Z");
    assert_eq!(report_of(c, "notification")["due"], "2027-01-31T09:00:00Z");
    assert_eq!(report_of(c, "final")["due"], Value::Null);

    // Early warning of an incident (Art. 14(4)(a)): suspected malicious act?
    let out = report(
        &s,
        "2027-01-28T12:00:00Z",
        &["draft", id, "early-warning", "--strict"],
    );
    out.assert_code(1);
    assert!(
        out.stderr.contains("`suspected-malicious` (Art. 14(4)(a))"),
        "{}",
        out.stderr
    );
    report(
        &s,
        "2027-01-28T12:00:00Z",
        &["set", id, "suspected-malicious", "maybe"],
    )
    .assert_code(2);
    report(
        &s,
        "2027-01-28T12:00:00Z",
        &["set", id, "suspected-malicious", "yes"],
    )
    .assert_code(0);
    let out = report(
        &s,
        "2027-01-28T12:00:00Z",
        &["draft", id, "early-warning", "--strict", "--format", "json"],
    );
    out.assert_code(0);
    let d: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(d["article"], "14(4)(a)");
    assert_eq!(d["tlp"], "TLP:RED");

    // The notification, submitted on 31 January: the final report is due on 28 February.
    report(
        &s,
        "2027-01-31T09:00:00Z",
        &[
            "submitted",
            id,
            "early-warning",
            "--at",
            "2027-01-28T20:00:00Z",
            "--reference",
            "I-1",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2027-01-31T09:00:00Z",
        &[
            "submitted",
            id,
            "notification",
            "--at",
            "2027-01-31T08:15:00Z",
            "--reference",
            "I-2",
        ],
    )
    .assert_code(0);
    let (_, st) = status_json(&s, "2027-02-01T00:00:00Z");
    let c = case_json(&st, id);
    assert_eq!(report_of(c, "final")["due"], "2027-02-28T08:15:00Z");
    assert_eq!(c["next"]["report"], "final");
    let out = report(
        &s,
        "2027-02-01T00:00:00Z",
        &["draft", id, "final", "--format", "json"],
    );
    let d: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(d["article"], "14(4)(c)");
    assert_eq!(
        d["missing"],
        serde_json::json!([
            "description",
            "severity",
            "impact",
            "root-cause",
            "ongoing-mitigations"
        ])
    );
    let (code, _) = status_json(&s, "2027-02-28T08:15:01Z");
    assert_eq!(code, 1);
}

#[test]
fn deadlines_across_a_leap_day() {
    let s = scenario("report-vulnerable");
    let id = "2028-02-28-incident-leap";
    report(
        &s,
        "2028-02-28T13:00:00Z",
        &[
            "new",
            "--incident",
            "leap",
            "--aware-at",
            "2028-02-28T12:00:00Z",
        ],
    )
    .assert_code(0);
    let (_, st) = status_json(&s, "2028-02-28T13:00:00Z");
    let c = case_json(&st, id);
    assert_eq!(report_of(c, "early-warning")["due"], "2028-02-29T12:00:00Z");
    assert_eq!(report_of(c, "notification")["due"], "2028-03-02T12:00:00Z");

    // Notification on 31 January 2028 (a leap year): final report on 29 February.
    let id2 = "2028-01-30-incident-leap-month";
    report(
        &s,
        "2028-01-31T09:00:00Z",
        &[
            "new",
            "--incident",
            "leap month",
            "--aware-at",
            "2028-01-30T08:00:00Z",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2028-01-31T09:00:00Z",
        &[
            "submitted",
            id2,
            "notification",
            "--at",
            "2028-01-31T08:00:00Z",
            "--reference",
            "L",
        ],
    )
    .assert_code(0);
    let (_, st) = status_json(&s, "2028-01-31T09:00:00Z");
    assert_eq!(
        report_of(case_json(&st, id2), "final")["due"],
        "2028-02-29T08:00:00Z"
    );

    // A vulnerability fixed on 15 February 2028: final report on 29 February (14 days).
    let db = advisory_db();
    report(
        &s,
        "2028-02-10T00:00:00Z",
        &[
            "new",
            "RUSTSEC-2099-0001",
            "--aware-at",
            "2028-02-09T00:00:00Z",
            "--advisory-db",
            &db,
            "--offline",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2028-02-16T00:00:00Z",
        &[
            "fix",
            "2028-02-09-rustsec",
            "--fixed-in",
            "1.0.1",
            "--available-at",
            "2028-02-15T06:00:00Z",
        ],
    )
    .assert_code(0);
    let (_, st) = status_json(&s, "2028-02-16T00:00:00Z");
    assert_eq!(
        report_of(case_json(&st, "2028-02-09-rustsec-2099-0001"), "final")["due"],
        "2028-02-29T06:00:00Z"
    );
}

#[test]
fn a_mitigation_available_first_starts_the_final_reports_14_days() {
    let s = scenario("report-vulnerable");
    open_vulnerability(&s);
    report(
        &s,
        "2026-12-02T00:00:00Z",
        &[
            "mitigation",
            CASE,
            "Turn off uploads",
            "--available-at",
            "2026-12-01T18:00:00Z",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2026-12-05T00:00:00Z",
        &[
            "fix",
            CASE,
            "--fixed-in",
            "1.0.1",
            "--available-at",
            "2026-12-04T00:00:00Z",
        ],
    )
    .assert_code(0);
    let (_, st) = status_json(&s, "2026-12-05T00:00:00Z");
    assert_eq!(
        report_of(case_json(&st, CASE), "final")["due"],
        "2026-12-15T18:00:00Z"
    );
}

#[test]
fn bad_arguments_are_refused() {
    let s = scenario("report-vulnerable");
    let db = advisory_db();
    // Not in the database and no --title.
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "CVE-2026-99999",
            "--aware-at",
            "2026-12-01T09:00:00Z",
            "--advisory-db",
            &db,
            "--offline",
        ],
    );
    out.assert_code(2);
    assert!(out.stderr.contains("--title"), "{}", out.stderr);
    // With --title: a vulnerability in the product's own code.
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "CVE-2026-99999",
            "--title",
            "Path traversal in the export command",
            "--aware-at",
            "2026-12-01T09:00:00Z",
            "--advisory-db",
            &db,
            "--offline",
            "--affected",
            "report-vulnerable@1.0.0",
        ],
    );
    out.assert_code(0);
    assert_eq!(out.stdout.trim(), "2026-12-01-cve-2026-99999");
    // Aliases find the advisory too; the same case twice is refused.
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "CVE-2099-10001",
            "--aware-at",
            "2026-12-01T09:30:00Z",
            "--advisory-db",
            &db,
            "--offline",
        ],
    );
    out.assert_code(0);
    assert_eq!(out.stdout.trim(), CASE);
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "RUSTSEC-2099-0001",
            "--aware-at",
            "2026-12-01T09:30:00Z",
            "--advisory-db",
            &db,
            "--offline",
        ],
    );
    out.assert_code(2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    // Awareness in the future, a date without a time, a submission before awareness.
    for (aware, msg) in [
        ("2026-12-02T00:00:00Z", "is in the future"),
        ("2026-12-01", "a date without a time"),
    ] {
        let out = report(
            &s,
            "2026-12-01T10:00:00Z",
            &["new", "--incident", "x", "--aware-at", aware],
        );
        out.assert_code(2);
        assert!(out.stderr.contains(msg), "{}", out.stderr);
    }
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "submitted",
            CASE,
            "early-warning",
            "--at",
            "2026-12-01T08:00:00Z",
        ],
    );
    out.assert_code(2);
    assert!(
        out.stderr.contains("before the manufacturer became aware"),
        "{}",
        out.stderr
    );
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &["fix", CASE, "--fixed-in", "soon"],
    );
    out.assert_code(2);
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &["draft", "no-such-case", "final"],
    );
    out.assert_code(2);
    assert!(
        out.stderr.contains("no case `no-such-case`"),
        "{}",
        out.stderr
    );
}

#[test]
fn malformed_case_files_name_file_and_line() {
    let s = scenario("report-vulnerable");
    open_vulnerability(&s);
    let rel = format!("cra-reports/{CASE}/case.toml");
    let good = s.read(&rel);
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let cases: Vec<(String, usize, &str)> = vec![
        (
            good.replace(
                "aware-at = \"2026-12-01T09:30:00Z\"",
                "aware-at = \"yesterday\"",
            ),
            line_of(&good, "aware-at"),
            "is not an RFC 3339 date and time",
        ),
        (
            good.replace("tlp = \"amber\"", "tlp = \"purple\""),
            line_of(&good, "tlp ="),
            "`tlp` must be one of",
        ),
        (
            good.replace("kind = \"vulnerability\"", "kind = \"vuln\""),
            line_of(&good, "kind ="),
            "`kind` must be `vulnerability` or `incident`",
        ),
        (
            good.replace("state = \"open\"", "state = \"open\"\nsevrity = 1"),
            line_of(&good, "state =") + 1,
            "unknown field `sevrity`",
        ),
        (
            good.replace("[reports.notification]", "[reports.notification"),
            line_of(&good, "[reports.notification]"),
            "not a valid case file",
        ),
        (
            good.replace("impact = \"\"", "impact = 3"),
            line_of(&good, "impact ="),
            "`text.impact` must be a string",
        ),
        (
            good.replace("exploit-nature = \"\"", "exploit-natur = \"x\""),
            line_of(&good, "exploit-nature ="),
            "unknown field `exploit-natur` in [text]",
        ),
        (
            good.replace(
                "[reports.notification]",
                "submitted-at = \"2026-12-01T08:00:00Z\"\n\n[reports.notification]",
            ),
            line_of(&good, "[reports.notification]"),
            "before the manufacturer became aware",
        ),
        (
            good.replace("cvss-score = 9.8", "cvss-score = 12.0"),
            line_of(&good, "cvss-score"),
            "between 0.0 and 10.0",
        ),
        (
            good.replace(
                "id = \"2026-12-01-rustsec-2099-0001\"",
                "id = \"2026-12-02-other\"",
            ),
            line_of(&good, "id ="),
            "but the case folder is",
        ),
    ];
    for (text, line, msg) in cases {
        s.write(&rel, &text);
        for args in [vec!["status"], vec!["draft", CASE, "final"]] {
            let out = report(&s, "2026-12-01T12:00:00Z", &args);
            out.assert_code(2);
            let first = out.stderr.lines().next().unwrap_or_default();
            let want = format!("{}:{line}:", s.path(&rel).display());
            assert!(
                first.starts_with(&format!("error: {want}")) && first.contains(msg),
                "expected `{want}` and `{msg}` on the first line:\n{}",
                out.stderr
            );
            assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        }
        // Nothing was rewritten.
        assert_eq!(s.read(&rel), text);
    }
}

// ---- check: markets, main-establishment, security.txt ---------------------------------

fn check_product(s: &Scenario, now: Option<&str>) -> (i32, Value) {
    let mut cmd = s.cmd([
        "check",
        "product",
        "--locked",
        "--offline",
        "--format",
        "json",
    ]);
    if let Some(now) = now {
        let epoch = OffsetDateTime::parse(now, &Rfc3339)
            .unwrap()
            .unix_timestamp();
        cmd.env("SOURCE_DATE_EPOCH", epoch.to_string());
    }
    let out = run(cmd);
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("check stdout is not JSON: {e}\n{}", out.both()));
    (out.code, v)
}

fn diags<'a>(r: &'a Value, code: &str) -> Vec<&'a Value> {
    r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

#[test]
fn markets_and_main_establishment_are_checked() {
    let s = scenario("markets-invalid");
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 1, "{r:#}");
    let m = diags(&r, "cra-markets-invalid");
    assert_eq!(m.len(), 1, "{r:#}");
    assert_eq!(m[0]["severity"], "error");
    let msg = m[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("`XX` is not the ISO 3166-1 alpha-2 code"),
        "{msg}"
    );
    assert!(
        msg.contains("`fr` must be written in capitals: `FR`"),
        "{msg}"
    );
    assert_eq!(m[0]["locations"][0]["line"], 17, "{r:#}");
    let e = diags(&r, "cra-main-establishment-invalid");
    assert_eq!(e.len(), 1, "{r:#}");
    assert!(e[0]["message"].as_str().unwrap().contains("not `EU`"));

    // Missing: warnings, the gate passes.
    let s = scenario("clean");
    let manifest = s.read("Cargo.toml");
    let stripped: String = manifest
        .lines()
        .filter(|l| !l.starts_with("markets") && !l.starts_with("main-establishment"))
        .map(|l| format!("{l}\n"))
        .collect();
    s.write("Cargo.toml", stripped);
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(diags(&r, "cra-markets-missing")[0]["severity"], "warning");
    assert_eq!(
        diags(&r, "cra-main-establishment-missing")[0]["severity"],
        "warning"
    );

    // The complete scenarios have neither.
    let s = scenario("clean");
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 0, "{r:#}");
    assert!(diags(&r, "cra-markets-missing").is_empty(), "{r:#}");
}

#[test]
fn security_txt_is_required_valid_and_current_for_web_contacts() {
    let s = scenario("security-txt");
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["diagnostics"], serde_json::json!([]), "{r:#}");

    // Past its Expires.
    let (code, r) = check_product(&s, Some("2027-06-01T00:00:01Z"));
    assert_eq!(code, 1);
    let d = diags(&r, "cra-security-txt-expired");
    assert_eq!(d.len(), 1, "{r:#}");
    assert!(
        d[0]["locations"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with(".well-known/security.txt")
    );
    assert_eq!(d[0]["locations"][0]["line"], 4);

    // No Contact, no Expires.
    let txt = s.read(".well-known/security.txt");
    let no_contact: String = txt
        .lines()
        .filter(|l| !l.starts_with("Contact"))
        .map(|l| format!("{l}\n"))
        .collect();
    s.write(".well-known/security.txt", &no_contact);
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 1);
    assert!(
        diags(&r, "cra-security-txt-invalid")[0]["message"]
            .as_str()
            .unwrap()
            .contains("no `Contact`")
    );
    let no_expires: String = txt
        .lines()
        .filter(|l| !l.starts_with("Expires"))
        .map(|l| format!("{l}\n"))
        .collect();
    s.write(".well-known/security.txt", &no_expires);
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 1);
    assert!(
        diags(&r, "cra-security-txt-invalid")[0]["message"]
            .as_str()
            .unwrap()
            .contains("no `Expires`")
    );
    s.write(
        ".well-known/security.txt",
        txt.replace("2027-06-01T00:00:00Z", "June 2027"),
    );
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 1);
    assert!(
        diags(&r, "cra-security-txt-invalid")[0]["message"]
            .as_str()
            .unwrap()
            .contains("RFC 3339")
    );

    // None at all: a warning.
    std::fs::remove_file(s.path(".well-known/security.txt")).unwrap();
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(
        diags(&r, "cra-security-txt-missing")[0]["severity"],
        "warning"
    );

    // `init --security-txt` writes one the check accepts (the policy exists and is kept).
    let out = run(s.cmd(["init", "--security-txt"]));
    out.assert_code(0);
    let written = s.read(".well-known/security.txt");
    assert!(
        written.contains("Contact: https://example.com/security\n"),
        "{written}"
    );
    assert!(
        written.contains("Expires: 2027-11-30T00:00:00Z\n"),
        "{written}"
    );
    let (code, r) = check_product(&s, None);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["diagnostics"], serde_json::json!([]), "{r:#}");
    // A mailto-only product does not need one.
    let s = scenario("clean");
    let (_, r) = check_product(&s, None);
    assert!(diags(&r, "cra-security-txt-missing").is_empty());
}

// ---- report csaf ----------------------------------------------------------------------

/// `target/test-csaf/` in the source tree: `.ci/run` validates every `*.csaf.json` there with
/// BSI's csaf-validator-lib (validateStrict, preset basic).
fn csaf_out(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-csaf");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn write_csaf(s: &Scenario, now: &str, name: &str) -> Value {
    let out_path = csaf_out(name);
    let p = out_path.to_str().unwrap();
    report(s, now, &["csaf", CASE, "-o", p]).assert_code(0);
    serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap()
}

#[test]
fn csaf_security_advisory_from_open_to_fixed() {
    let s = scenario("report-vulnerable");
    open_vulnerability(&s);
    report(
        &s,
        "2026-12-01T12:00:00Z",
        &[
            "mitigation",
            CASE,
            "Reject uploads with a length prefix above 64 KiB at the proxy",
        ],
    )
    .assert_code(0);
    let v = write_csaf(&s, "2026-12-01T12:00:00Z", "report-interim.csaf.json");
    let d = &v["document"];
    assert_eq!(d["category"], "csaf_security_advisory");
    assert_eq!(d["csaf_version"], "2.0");
    assert_eq!(d["publisher"]["category"], "vendor");
    assert_eq!(d["publisher"]["name"], "Example GmbH");
    assert_eq!(d["publisher"]["namespace"], "https://example.com");
    assert_eq!(d["tracking"]["id"], CASE);
    assert_eq!(d["tracking"]["status"], "interim");
    assert_eq!(d["tracking"]["version"], "1");
    assert_eq!(
        d["tracking"]["initial_release_date"],
        "2026-12-01T12:00:00Z"
    );
    assert_eq!(d["distribution"]["tlp"]["label"], "WHITE");
    assert_eq!(d["aggregate_severity"]["text"], "Critical");
    let vuln = &v["vulnerabilities"][0];
    assert_eq!(vuln["cve"], "CVE-2099-10001");
    let ids: Vec<&str> = vuln["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["GHSA-2c4f-8m9q-vx3w", "RUSTSEC-2099-0001"]);
    assert_eq!(
        vuln["product_status"]["known_affected"],
        serde_json::json!(["report-vulnerable@1.0.0"])
    );
    assert_eq!(vuln["scores"][0]["cvss_v3"]["baseScore"], 9.8);
    assert_eq!(vuln["remediations"][0]["category"], "mitigation");
    assert_eq!(vuln["threats"][0]["category"], "exploit_status");
    // The product tree: the release under the manufacturer, the crate under crates.io, and
    // the crate as part of the release.
    let tree = &v["product_tree"];
    let vendors: Vec<&str> = tree["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(vendors, ["Example GmbH", "crates.io"]);
    assert_eq!(
        tree["branches"][0]["branches"][0]["branches"][0]["product"]["product_identification_helper"]
            ["purl"],
        "pkg:cargo/report-vulnerable@1.0.0"
    );
    assert_eq!(
        tree["relationships"][0]["full_product_name"]["product_id"],
        "vulnlib@1.2.0 in report-vulnerable@1.0.0"
    );
    // Unchanged: the same document, no new revision.
    let again = write_csaf(&s, "2026-12-01T13:00:00Z", "report-interim-again.csaf.json");
    assert_eq!(again, v);
    std::fs::remove_file(csaf_out("report-interim-again.csaf.json")).unwrap();

    // Fixed: a second revision, status final, vendor_fix with the fixed version.
    report(
        &s,
        "2026-12-03T13:00:00Z",
        &[
            "fix",
            CASE,
            "--fixed-in",
            "1.0.1",
            "--available-at",
            "2026-12-03T12:00:00Z",
            "--url",
            "https://example.com/releases/1.0.1",
            "--description",
            "The length prefix is checked against the input length.",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2026-12-03T13:00:00Z",
        &[
            "set",
            CASE,
            "impact",
            "Remote code execution in the upload service",
        ],
    )
    .assert_code(0);
    let v = write_csaf(&s, "2026-12-03T14:00:00Z", "report-final.csaf.json");
    let t = &v["document"]["tracking"];
    assert_eq!(t["status"], "final");
    assert_eq!(t["version"], "2");
    assert_eq!(t["revision_history"].as_array().unwrap().len(), 2);
    assert_eq!(
        t["revision_history"][1]["summary"],
        "Security update available (report-vulnerable 1.0.1)."
    );
    assert_eq!(t["current_release_date"], "2026-12-03T14:00:00Z");
    let vuln = &v["vulnerabilities"][0];
    assert_eq!(
        vuln["product_status"]["fixed"],
        serde_json::json!(["report-vulnerable@1.0.1"])
    );
    let fix = vuln["remediations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "vendor_fix")
        .unwrap();
    assert_eq!(
        fix["product_ids"],
        serde_json::json!(["report-vulnerable@1.0.0"])
    );
    assert!(
        fix["details"]
            .as_str()
            .unwrap()
            .starts_with("Update report-vulnerable to version 1.0.1 or later.")
    );
    assert_eq!(fix["url"], "https://example.com/releases/1.0.1");
    assert!(
        vuln["threats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["category"] == "impact")
    );
    // The case file keeps the revisions.
    let file = s.read(format!("cra-reports/{CASE}/case.toml"));
    assert_eq!(file.matches("[[csaf-revisions]]").count(), 2, "{file}");

    // An amber+strict advisory, into a directory (file name from the tracking id).
    let dir = s.path("advisories");
    std::fs::create_dir_all(&dir).unwrap();
    report(
        &s,
        "2026-12-03T14:00:00Z",
        &[
            "csaf",
            CASE,
            "-o",
            dir.to_str().unwrap(),
            "--tlp",
            "amber+strict",
        ],
    )
    .assert_code(0);
    let text = std::fs::read_to_string(dir.join(format!("{CASE}.json"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["document"]["distribution"]["tlp"]["label"], "AMBER");
    std::fs::write(csaf_out("report-amber-strict.csaf.json"), text).unwrap();

    // An incident has no CSAF security advisory.
    report(
        &s,
        "2026-12-03T14:00:00Z",
        &[
            "new",
            "--incident",
            "Build server compromised",
            "--aware-at",
            "2026-12-03T10:00:00Z",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2026-12-03T14:00:00Z",
        &["csaf", "2026-12-03-incident", "-o", "x.json"],
    )
    .assert_code(2);
}

#[test]
fn csaf_advisory_for_a_vulnerability_in_own_code_without_cvss() {
    let s = scenario("report-vulnerable");
    let db = advisory_db();
    report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "CVE-2026-99999",
            "--title",
            "Path traversal in the export command",
            "--aware-at",
            "2026-12-01T09:00:00Z",
            "--advisory-db",
            &db,
            "--offline",
            "--affected",
            "report-vulnerable@1.0.0",
            "--affected",
            "report-vulnerable@0.9.0",
        ],
    )
    .assert_code(0);
    let out_path = csaf_out("report-own-code.csaf.json");
    report(
        &s,
        "2026-12-01T10:00:00Z",
        &["csaf", "2026-12-01-cve", "-o", out_path.to_str().unwrap()],
    )
    .assert_code(0);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    let vuln = &v["vulnerabilities"][0];
    assert_eq!(vuln["cve"], "CVE-2026-99999");
    assert!(vuln.get("ids").is_none(), "{vuln:#}");
    assert_eq!(
        vuln["product_status"]["known_affected"],
        serde_json::json!(["report-vulnerable@0.9.0", "report-vulnerable@1.0.0"])
    );
    assert_eq!(vuln["remediations"][0]["category"], "none_available");
}

#[test]
fn affected_releases_come_from_the_sbom_archive() {
    let s = scenario("report-vulnerable");
    common::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report-releases"),
        &s.path("releases"),
    )
    .unwrap();
    let db = advisory_db();
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "RUSTSEC-2099-0001",
            "--aware-at",
            "2026-12-01T09:30:00Z",
            "--advisory-db",
            &db,
            "--offline",
            "--sboms",
            "releases",
        ],
    );
    out.assert_code(0);
    assert!(
        out.stderr
            .contains("3 release SBOMs: 2 affected by RUSTSEC-2099-0001"),
        "{}",
        out.stderr
    );
    let file = s.read(format!("cra-reports/{CASE}/case.toml"));
    // 0.8.0 (crates.io vulnlib 1.1.0; the other registry's vulnlib is not this advisory's),
    // 0.9.0 from their SBOMs, 1.0.0 from the current build; 1.0.1 has the patched 1.2.5.
    let versions: Vec<&str> = file
        .split("[[releases]]")
        .skip(1)
        .map(|r| r.lines().find(|l| l.starts_with("version = ")).unwrap())
        .collect();
    assert_eq!(
        versions,
        [
            "version = \"0.8.0\"",
            "version = \"0.9.0\"",
            "version = \"1.0.0\""
        ],
        "{file}"
    );
    assert!(
        file.contains("evidence = \"releases/old/report-vulnerable-0.8.0.cdx.json\""),
        "{file}"
    );
    assert!(
        file.contains("components = [\"pkg:cargo/vulnlib@1.1.0\"]"),
        "{file}"
    );
    assert!(file.contains("sbom-sha256 = \""), "{file}");
    let d = draft_json(&s, "2026-12-01T11:00:00Z", "notification");
    let rel = item(&d, "product")["data"]["affected-releases"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(rel, 3);

    // A malformed SBOM in the archive: exit 2 naming it, no case written.
    s.write(
        "releases2/broken.cdx.json",
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": 7}",
    );
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "GHSA-2c4f-8m9q-vx3w",
            "--aware-at",
            "2026-11-30T09:40:00Z",
            "--advisory-db",
            &db,
            "--offline",
            "--sboms",
            "releases2",
        ],
    );
    out.assert_code(2);
    assert!(
        out.stderr
            .lines()
            .next()
            .unwrap()
            .contains("broken.cdx.json"),
        "{}",
        out.stderr
    );
    assert!(!s.path("cra-reports/2026-11-30-rustsec-2099-0001").exists());
}

#[test]
fn sbom_archive_releases_follow_scans_verdicts() {
    // `report new --sboms` decides with scan's matcher: a triage entry that settles the
    // advisory for 0.8.0 (not_affected) takes that release out of the case, where a plain
    // "does the SBOM list an affected version" predicate would have listed it.
    let s = scenario("report-vulnerable");
    common::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report-releases"),
        &s.path("releases"),
    )
    .unwrap();
    let policy = s.read("deny-policy.toml");
    s.write(
        "deny-policy.toml",
        format!(
            "{policy}\n[advisories]\nignore = [\n  {{ id = \"RUSTSEC-2099-0001\", reason = \"0.8.0 never calls the affected function\", status = \"not_affected\", justification = \"vulnerable_code_not_in_execute_path\", products = [\"report-vulnerable@0.8.0\"] }},\n]\n"
        ),
    );
    let db = advisory_db();
    let out = report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "RUSTSEC-2099-0001",
            "--aware-at",
            "2026-12-01T09:30:00Z",
            "--advisory-db",
            &db,
            "--offline",
            "--sboms",
            "releases",
        ],
    );
    out.assert_code(0);
    assert!(
        out.stderr
            .contains("3 release SBOMs: 1 affected by RUSTSEC-2099-0001"),
        "{}",
        out.stderr
    );
    let file = s.read(format!("cra-reports/{CASE}/case.toml"));
    let versions: Vec<&str> = file
        .split("[[releases]]")
        .skip(1)
        .map(|r| r.lines().find(|l| l.starts_with("version = ")).unwrap())
        .collect();
    assert_eq!(
        versions,
        ["version = \"0.9.0\"", "version = \"1.0.0\""],
        "{file}"
    );
    assert!(!file.contains("report-vulnerable-0.8.0.cdx.json"), "{file}");
}

#[test]
fn csaf_product_tree_lists_the_affected_releases_from_the_sboms() {
    let s = scenario("report-vulnerable");
    common::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report-releases"),
        &s.path("releases"),
    )
    .unwrap();
    let db = advisory_db();
    report(
        &s,
        "2026-12-01T10:00:00Z",
        &[
            "new",
            "RUSTSEC-2099-0001",
            "--aware-at",
            "2026-12-01T09:30:00Z",
            "--advisory-db",
            &db,
            "--offline",
            "--sboms",
            "releases",
        ],
    )
    .assert_code(0);
    report(
        &s,
        "2026-12-04T00:00:00Z",
        &[
            "fix",
            CASE,
            "--fixed-in",
            "1.0.1",
            "--available-at",
            "2026-12-03T12:00:00Z",
        ],
    )
    .assert_code(0);
    let v = write_csaf(&s, "2026-12-04T00:00:00Z", "report-sboms.csaf.json");
    let vuln = &v["vulnerabilities"][0];
    assert_eq!(
        vuln["product_status"]["known_affected"],
        serde_json::json!([
            "report-vulnerable@0.8.0",
            "report-vulnerable@0.9.0",
            "report-vulnerable@1.0.0"
        ])
    );
    assert_eq!(
        vuln["product_status"]["fixed"],
        serde_json::json!(["report-vulnerable@1.0.1"])
    );
    let versions: Vec<&str> = v["product_tree"]["branches"][0]["branches"][0]["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["0.8.0", "0.9.0", "1.0.0", "1.0.1"]);
    let rels: Vec<&str> = v["product_tree"]["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["full_product_name"]["product_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rels,
        [
            "vulnlib@1.1.0 in report-vulnerable@0.8.0",
            "vulnlib@1.2.0 in report-vulnerable@0.9.0",
            "vulnlib@1.2.0 in report-vulnerable@1.0.0"
        ]
    );
}
