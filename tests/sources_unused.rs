//! `[sources] unused-allowed-source` and `unused-allowed-org` (cargo-deny's lints): an allowed
//! source or organization no crate of the graph comes from is reported at its policy line
//! (`source-allow-unused`, `source-allow-org-unused`), at the configured level.
//! The scenario `git-source-denied` has one git crate (github.com/example/gitdep) and
//! crates.io crates.

mod common;

use common::{Scenario, run, scenario};
use serde_json::Value;

/// The scenario with `[sources]` replaced by `sources` (TOML body of the section and any
/// sub-tables after it).
fn with_sources(sources: &str) -> Scenario {
    let s = scenario("git-source-denied");
    let policy = s.read("deny-policy.toml");
    let start = policy
        .find("[sources]")
        .expect("the scenario has [sources]");
    let end = policy[start..]
        .find("\n[product]")
        .map(|i| start + i)
        .expect("[product] follows [sources]");
    let policy = format!("{}{sources}\n{}", &policy[..start], &policy[end..]);
    s.write("deny-policy.toml", policy);
    s
}

fn check_sources(s: &Scenario, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "check",
        "sources",
        "--locked",
        "--offline",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = run(s.cmd(args));
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object: {e}\n{}", out.both()));
    (out.code, v)
}

fn with_code<'a>(r: &'a Value, code: &str) -> Vec<&'a Value> {
    r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

/// The policy line a diagnostic's label points at.
fn policy_line(s: &Scenario, d: &Value) -> String {
    let loc = &d["locations"][0];
    assert!(
        loc["path"].as_str().unwrap().ends_with("deny-policy.toml"),
        "{d}"
    );
    let line = loc["line"].as_u64().expect("a line") as usize;
    s.read("deny-policy.toml")
        .lines()
        .nth(line - 1)
        .unwrap()
        .to_string()
}

const ALL_UNUSED: &str = r#"[sources]
allow-registry = ["crates-io", "https://r.example/index"]
allow-git = [
    "https://github.com/example/gitdep",
    "https://github.com/example/unused-repo",
]
unknown-registry = "deny"
unknown-git = "deny"

[sources.allow-org]
github = ["example"]
gitlab = ["nobody-org"]
"#;

#[test]
fn unused_sources_and_orgs_are_warnings_at_their_policy_lines() {
    let s = with_sources(ALL_UNUSED);
    let (code, r) = check_sources(&s, &[]);
    assert_eq!(code, 0, "warnings only: {r:#}");
    let unused = with_code(&r, "source-allow-unused");
    let lines: Vec<String> = unused.iter().map(|d| policy_line(&s, d)).collect();
    assert_eq!(unused.len(), 2, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("https://r.example/index")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("example/unused-repo")),
        "{lines:?}"
    );
    for d in &unused {
        assert_eq!(d["severity"], "warning");
    }
    // crates.io is never reported; the used git entry neither.
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("\"https://github.com/example/gitdep\""))
    );
    // cargo-deny's semantics: gitdep is allowed by `allow-git` first, so the `example`
    // organization allowed nothing.
    let orgs = with_code(&r, "source-allow-org-unused");
    let lines: Vec<String> = orgs.iter().map(|d| policy_line(&s, d)).collect();
    assert_eq!(orgs.len(), 2, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("github = ")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("gitlab = ")),
        "{lines:?}"
    );
    assert!(
        orgs.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .contains("gitlab.com organization `nobody-org`")),
        "{orgs:?}"
    );
}

#[test]
fn an_organization_that_allows_a_crate_is_used() {
    let s = with_sources(
        r#"[sources]
allow-git = []
unknown-git = "deny"

[sources.allow-org]
github = ["Example"]
"#,
    );
    let (code, r) = check_sources(&s, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert!(with_code(&r, "source-git-not-allowed").is_empty(), "{r:#}");
    assert!(with_code(&r, "source-allow-org-unused").is_empty(), "{r:#}");
    assert!(with_code(&r, "source-allow-unused").is_empty(), "{r:#}");
}

#[test]
fn levels_deny_and_allow_are_honoured() {
    let s = with_sources(&ALL_UNUSED.replace(
        "unknown-git = \"deny\"",
        "unknown-git = \"deny\"\nunused-allowed-source = \"deny\"\nunused-allowed-org = \"allow\"",
    ));
    let (code, r) = check_sources(&s, &[]);
    assert_eq!(code, 1, "{r:#}");
    let unused = with_code(&r, "source-allow-unused");
    assert_eq!(unused.len(), 2, "{r:#}");
    assert!(unused.iter().all(|d| d["severity"] == "error"));
    assert!(with_code(&r, "source-allow-org-unused").is_empty(), "{r:#}");
}

#[test]
fn a_private_prefix_nothing_comes_from_is_unused() {
    let s = with_sources(
        r#"[sources]
allow-git = ["https://github.com/example/gitdep"]
private = ["https://git.internal.example"]
"#,
    );
    let (_, r) = check_sources(&s, &[]);
    let unused = with_code(&r, "source-allow-unused");
    assert_eq!(unused.len(), 1, "{r:#}");
    assert!(policy_line(&s, unused[0]).starts_with("private = "));
    assert!(
        unused[0]["message"]
            .as_str()
            .unwrap()
            .contains("`https://git.internal.example` (`private`)"),
        "{}",
        unused[0]
    );
}

#[test]
fn nothing_is_reported_when_every_source_is_allowed() {
    // cargo-deny skips the sources check when both unknown levels are "allow".
    let s = with_sources(
        &ALL_UNUSED
            .replace(
                "unknown-registry = \"deny\"",
                "unknown-registry = \"allow\"",
            )
            .replace("unknown-git = \"deny\"", "unknown-git = \"allow\""),
    );
    let (code, r) = check_sources(&s, &[]);
    assert_eq!(code, 0);
    assert!(with_code(&r, "source-allow-unused").is_empty(), "{r:#}");
    assert!(with_code(&r, "source-allow-org-unused").is_empty(), "{r:#}");
}

#[test]
fn the_lockfile_only_path_reports_them_without_cargo() {
    let s = with_sources(ALL_UNUSED);
    let mut cmd = s.cmd(["check", "sources", "--lockfile-only", "--format", "json"]);
    cmd.env("CARGO", "/nonexistent/cargo");
    let out = run(cmd);
    out.assert_code(0);
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(with_code(&r, "source-allow-unused").len(), 2, "{r:#}");
    assert_eq!(with_code(&r, "source-allow-org-unused").len(), 2, "{r:#}");
}
