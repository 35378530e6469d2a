//! Crash safety and concurrent runs.
//!
//! * Runs of `cargo cra sbom --sign` and `cargo cra check --output` are killed with SIGKILL
//!   at moments spread over a whole run; every output (SBOMs, signatures, envelopes, the
//!   report) must then hold its old content or its new one, never a part, and the next run
//!   leaves no temporary file behind. The writes are slowed down by the atomic writer's test
//!   hook (`CARGO_CRA_TEST_SLOW_WRITES`) so that kills land in the middle of writes too.
//! * Several runs sharing one cold `CARGO_HOME` (cargo answer, licence, advisory index and
//!   yanked caches) run at the same time and must give identical results, equal to those of
//!   a warm run afterwards.

mod common;

use common::{Scenario, run, scenario};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn advisory_db() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisory-db")
}

/// The atomic writer's temporary files anywhere under `dir` (build folders left out).
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(list) = fs::read_dir(dir) else {
        return out;
    };
    for e in list.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ty = e.file_type().unwrap();
        if ty.is_dir() && name != "target" && name != "vendor" {
            out.extend(temp_files(&e.path()));
        } else if name.starts_with(".cargo-cra-") && name.ends_with(".tmp") {
            out.push(e.path());
        }
    }
    out
}

/// Every file directly in `dir`, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A built scenario with a signing key.
fn built(name: &str) -> (Scenario, PathBuf) {
    let s = scenario(name);
    let out = run(s.cargo(["build", "--locked", "--offline", "--quiet"]));
    assert_eq!(out.code, 0, "cargo build failed:\n{}", out.both());
    let key = s.root.join("release-key");
    let out = run(s.cmd(["keygen", "--out", key.to_str().unwrap()]));
    assert_eq!(out.code, 0, "{}", out.both());
    (s, key)
}

fn sbom_cmd(s: &Scenario, key: &Path, out_dir: &Path) -> Command {
    let mut c = s.cmd(["sbom", "--locked", "--offline", "--advisory-db"]);
    c.arg(advisory_db())
        .arg("--output-dir")
        .arg(out_dir)
        .arg("--sign")
        .arg(key);
    c
}

fn check_cmd(s: &Scenario, report: &Path) -> Command {
    let mut c = s.cmd(["check", "--locked", "--offline", "--format", "json"]);
    c.arg("--advisory-db")
        .arg(advisory_db())
        .arg("--output")
        .arg(report);
    c
}

const OLD: &[u8] = b"old content\n";

/// Kills `cmd` at `moments` spread over a slowed-down run, each time after setting every file
/// of `expected` (the outputs of a complete run, in `out_dir`) to [`OLD`], and checks that each
/// holds OLD or its complete new content. The moments go from the start of a run to a little
/// after its end. Every other attempt starts from an empty cache.
/// Returns how many kills left a temporary file (hit a write in progress).
fn kill_at_varying_moments(
    s: &Scenario,
    make: &dyn Fn() -> Command,
    out_dir: &Path,
    expected: &BTreeMap<String, Vec<u8>>,
    normalize: fn(&[u8]) -> Vec<u8>,
    moments: u32,
) -> usize {
    let expected: BTreeMap<String, Vec<u8>> = expected
        .iter()
        .map(|(n, b)| (n.clone(), normalize(b)))
        .collect();
    let files = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        files(dir)
            .into_iter()
            .map(|(n, b)| {
                let b = if b == OLD || n.starts_with(".cargo-cra-") {
                    b
                } else {
                    normalize(&b)
                };
                (n, b)
            })
            .collect()
    };
    // Long pauses, so that the time spent inside writes dominates a run and kills land there.
    const PAUSE_MS: &str = "100";
    // How long a slowed-down run takes on a cold cache (the longest).
    let clear_cache = || {
        let _ = fs::remove_dir_all(s.cargo_home.join("cargo-cra"));
        let _ = fs::remove_dir_all(s.cargo_home.join("advisory-db-cache"));
    };
    clear_cache();
    let t0 = Instant::now();
    let out = run(make().env("CARGO_CRA_TEST_SLOW_WRITES", PAUSE_MS));
    assert!(out.code <= 1, "{}", out.both());
    let full = t0.elapsed();

    let mut mid_write = 0;
    for i in 1..=moments {
        for name in expected.keys() {
            fs::write(out_dir.join(name), OLD).unwrap();
        }
        if i % 2 == 0 {
            clear_cache();
        }
        let mut child = make()
            .env("CARGO_CRA_TEST_SLOW_WRITES", PAUSE_MS)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From the start to a little after the end of a run.
        let at = full * 21 * i / (20 * moments);
        std::thread::sleep(at);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let now = files(out_dir);
        for (name, new) in &expected {
            let got = now
                .get(name)
                .unwrap_or_else(|| panic!("kill {i}: {name} is gone"));
            assert!(
                got == OLD || got == new,
                "kill {i} at {at:?}: {name} is neither the old nor the new file ({} bytes)",
                got.len()
            );
        }
        for name in now.keys() {
            assert!(
                expected.contains_key(name) || name.starts_with(".cargo-cra-"),
                "kill {i}: unexpected file {name}"
            );
        }
        let temps = temp_files(&s.root).len();
        if temps > 0 {
            mid_write += 1;
        }
        eprintln!(
            "kill {i} at {at:?} of {full:?}: {} of {} outputs new, {temps} temporary files",
            expected
                .iter()
                .filter(|(n, new)| now.get(*n) == Some(new))
                .count(),
            expected.len()
        );
    }
    // The next complete run writes everything and removes what the killed ones left.
    let out = run(make());
    assert!(out.code <= 1, "{}", out.both());
    assert!(
        files(out_dir) == expected,
        "a complete run after the kills wrote other files"
    );
    let left = temp_files(&s.root);
    assert!(
        left.is_empty(),
        "temporary files left after a complete run: {left:?}"
    );
    mid_write
}

#[test]
#[cfg(unix)]
fn killed_sbom_runs_leave_the_old_files_or_the_new_ones() {
    let (s, key) = built("clean");
    let out_dir = s.root.join("sboms");
    fs::create_dir_all(&out_dir).unwrap();
    let make = || sbom_cmd(&s, &key, &out_dir);
    let out = run(make());
    assert_eq!(out.code, 0, "{}", out.both());
    let expected = files(&out_dir);
    assert!(
        expected.keys().any(|n| n.ends_with(".cdx.json.sig"))
            && expected.keys().any(|n| n.ends_with(".intoto.jsonl")),
        "{expected:?}"
    );
    let mid_write = kill_at_varying_moments(&s, &make, &out_dir, &expected, |b| b.to_vec(), 12);
    assert!(mid_write > 0, "no kill landed in the middle of a write");
}

#[test]
#[cfg(unix)]
fn killed_check_runs_leave_the_old_report_or_the_new_one() {
    let s = scenario("license-detected");
    let out_dir = s.root.join("reports");
    fs::create_dir_all(&out_dir).unwrap();
    let report = out_dir.join("report.json");
    let make = || check_cmd(&s, &report);
    let out = run(make());
    assert!(out.code <= 1, "{}", out.both());
    let expected = files(&out_dir);
    assert_eq!(expected.len(), 1);
    kill_at_varying_moments(&s, &make, &out_dir, &expected, without_cache_state, 8);
}

/// A JSON report without `advisories.db-cached` (whether the database came from the cache
/// differs between a cold and a warm run); anything that is not JSON, as it is (a partial
/// report then fails the comparison).
fn without_cache_state(bytes: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut v) => {
            if let Some(a) = v["advisories"].as_object_mut() {
                a.remove("db-cached");
            }
            serde_json::to_vec(&v).unwrap()
        }
        Err(_) => bytes.to_vec(),
    }
}

/// Starts all `cmds` at once and waits for them: (exit code, stdout) of each.
fn all_at_once(cmds: Vec<Command>) -> Vec<(i32, String)> {
    let children: Vec<_> = cmds
        .into_iter()
        .map(|mut c| {
            c.stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            assert!(
                o.status.code().is_some_and(|c| c <= 1),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
            (
                o.status.code().unwrap(),
                String::from_utf8_lossy(&o.stdout).into_owned(),
            )
        })
        .collect()
}

#[test]
fn parallel_runs_on_a_cold_cache_give_identical_results() {
    const N: usize = 4;
    let (s, key) = built("license-detected");
    let dirs: Vec<PathBuf> = (0..N).map(|i| s.root.join(format!("out{i}"))).collect();
    let mut cmds: Vec<Command> = dirs.iter().map(|d| sbom_cmd(&s, &key, d)).collect();
    for _ in 0..N {
        let mut c = s.cmd(["check", "--locked", "--offline", "--format", "json"]);
        c.arg("--advisory-db").arg(advisory_db());
        cmds.push(c);
    }
    assert!(!s.cargo_home.join("cargo-cra").exists(), "a cold cache");
    let cold = all_at_once(cmds);
    let sboms: Vec<BTreeMap<String, Vec<u8>>> = dirs.iter().map(|d| files(d)).collect();
    assert!(!sboms[0].is_empty());
    for (i, other) in sboms.iter().enumerate().skip(1) {
        assert!(other == &sboms[0], "SBOM run {i} differs from run 0");
    }
    let checks: Vec<(i32, Vec<u8>)> = cold[N..]
        .iter()
        .map(|(code, out)| (*code, without_cache_state(out.as_bytes())))
        .collect();
    assert!(serde_json::from_slice::<serde_json::Value>(&checks[0].1).is_ok());
    for (i, c) in checks.iter().enumerate().skip(1) {
        assert!(c == &checks[0], "check run {i} differs from run 0");
    }
    assert!(
        s.cargo_home.join("cargo-cra").is_dir(),
        "the runs filled the cache"
    );

    // Warm, one at a time: the same answers.
    let out = run(sbom_cmd(&s, &key, &dirs[0]));
    assert_eq!(out.code, 0, "{}", out.both());
    assert!(files(&dirs[0]) == sboms[0], "a warm SBOM run differs");
    let mut c = s.cmd(["check", "--locked", "--offline", "--format", "json"]);
    c.arg("--advisory-db").arg(advisory_db());
    let out = run(c);
    assert!(
        (out.code, without_cache_state(out.stdout.as_bytes())) == checks[0],
        "a warm check differs"
    );
    assert!(temp_files(&s.root).is_empty());
}
