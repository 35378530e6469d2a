//! The cargo-answer cache of `cargo cra check` (src/cargo_cache.rs): a warm run asks neither
//! cargo nor rustc again, gives the same report, and any input the answers depend on
//! (RUSTFLAGS here, the lockfile, the manifest) makes it ask again. Observed through stand-ins
//! for `cargo` and `rustc` that log each call and run the real tool.
#![cfg(unix)]

mod common;

use common::{Scenario, run, scenario};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A script at `dir/name` that appends its arguments to `log` and runs `real` with them.
fn logging_stand_in(dir: &Path, name: &str, real: &str, log: &Path) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The real tool: `$CARGO` for cargo (the one running the tests), `rustc` next to it.
fn real_tools() -> (String, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let rustc = Path::new(&cargo)
        .parent()
        .map(|d| d.join("rustc"))
        .filter(|p| p.is_file())
        .map_or_else(|| "rustc".to_string(), |p| p.display().to_string());
    (cargo, rustc)
}

struct Logged {
    s: Scenario,
    cargo: PathBuf,
    rustc: PathBuf,
    log: PathBuf,
}

fn logged(name: &str) -> Logged {
    let s = scenario(name);
    let (real_cargo, real_rustc) = real_tools();
    let log = s.root.join("calls.log");
    let cargo = logging_stand_in(&s.root, "cargo-logged", &real_cargo, &log);
    let rustc = logging_stand_in(&s.root, "rustc-logged", &real_rustc, &log);
    // Three platforms: the loader asks rustc for each, and so does the bans check.
    let policy = s.read("deny-policy.toml");
    s.write(
        "deny-policy.toml",
        format!(
            "[graph]\ntargets = [\"x86_64-unknown-linux-gnu\", \"x86_64-pc-windows-msvc\", \"aarch64-apple-darwin\"]\n\n{policy}"
        ),
    );
    Logged {
        s,
        cargo,
        rustc,
        log,
    }
}

impl Logged {
    /// Runs the full check (JSON report) and returns the report without its timing-free
    /// parts that differ between runs, and the calls made.
    fn check(&self, env: &[(&str, &str)]) -> (String, Vec<String>) {
        let _ = std::fs::remove_file(&self.log);
        let mut cmd = self.s.cmd([
            "check",
            "--locked",
            "--offline",
            "--format",
            "json",
            "--advisory-db",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/advisory-db")
                .to_str()
                .unwrap(),
        ]);
        cmd.env("CARGO", &self.cargo).env("RUSTC", &self.rustc);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = run(cmd);
        assert!(out.code == 0 || out.code == 1, "{}", out.both());
        let mut calls: Vec<String> = std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        calls.extend(out.stderr.lines().map(|l| format!("stderr: {l}")));
        let mut report: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("not one JSON report: {e}\n{}", out.both()));
        // Whether the advisory index came from its own cache is no verdict.
        report["advisories"]["db-cached"] = serde_json::Value::Null;
        (report.to_string(), calls)
    }
}

fn count(calls: &[String], what: &str) -> usize {
    calls.iter().filter(|c| c.contains(what)).count()
}

#[test]
fn a_warm_check_runs_neither_cargo_metadata_nor_rustc_print_cfg() {
    let l = logged("platform-deps");
    let (cold, calls) = l.check(&[]);
    assert!(count(&calls, "metadata") >= 3, "{calls:#?}");
    // Each platform is asked once per run: the bans check shares the loader's answers.
    for t in [
        "x86_64-unknown-linux-gnu",
        "x86_64-pc-windows-msvc",
        "aarch64-apple-darwin",
    ] {
        assert_eq!(
            count(&calls, &format!("--print cfg --target {t}")),
            1,
            "{t}: {calls:#?}"
        );
    }
    let (warm, calls) = l.check(&[]);
    assert_eq!(count(&calls, "metadata"), 0, "{calls:#?}");
    assert_eq!(count(&calls, "--print"), 0, "{calls:#?}");
    assert!(warm == cold, "the cached answers give the same report");

    // RUSTFLAGS change what rustc answers (`--cfg`): the cache is not used.
    let (flagged, calls) = l.check(&[("RUSTFLAGS", "--cfg cra_cache_test")]);
    assert!(count(&calls, "metadata") >= 3, "{calls:#?}");
    assert!(count(&calls, "--print cfg") >= 3, "{calls:#?}");
    assert!(flagged == cold, "same verdicts with the flag");
    // ... and the answers for the flags are kept apart from those without.
    let (_, calls) = l.check(&[("RUSTFLAGS", "--cfg cra_cache_test")]);
    assert_eq!(count(&calls, "--print"), 0, "{calls:#?}");
    let (_, calls) = l.check(&[]);
    assert_eq!(count(&calls, "--print"), 0, "{calls:#?}");
}

#[test]
fn a_changed_lockfile_or_manifest_asks_cargo_and_rustc_again() {
    let l = logged("platform-deps");
    l.check(&[]);
    let (_, calls) = l.check(&[]);
    assert_eq!(count(&calls, "metadata"), 0, "{calls:#?}");

    let manifest = l.s.read("Cargo.toml");
    l.s.write(
        "Cargo.toml",
        manifest.replace(
            "cargo-cra test scenario: platform-deps",
            "changed description",
        ),
    );
    let (_, calls) = l.check(&[]);
    assert!(count(&calls, "metadata") >= 3, "{calls:#?}");

    let lock = l.s.read("Cargo.lock");
    l.s.write("Cargo.lock", format!("{lock}\n"));
    let (_, calls) = l.check(&[]);
    assert!(count(&calls, "metadata") >= 3, "{calls:#?}");
    assert!(count(&calls, "--print cfg") >= 3, "{calls:#?}");
}

#[test]
fn no_cache_asks_every_time() {
    let l = logged("platform-deps");
    l.check(&[("CARGO_CRA_NO_CACHE", "1")]);
    let (_, calls) = l.check(&[("CARGO_CRA_NO_CACHE", "1")]);
    assert!(count(&calls, "metadata") >= 3, "{calls:#?}");
    assert!(count(&calls, "--print cfg") >= 3, "{calls:#?}");
    assert!(!l.s.cargo_home.join("cargo-cra/metadata-cache").exists());
}
