//! End-to-end regression tests for what fuzzing found (fuzz/README.md keeps the log): each
//! input that crashed a fuzz target, run through the binary as a user would, must give a
//! finding or an error naming the file (exit 0, 1 or 2), never a panic (exit 101).

mod common;

use common::{fixture_db, run, scenario};

/// `registry_cache` target: a crates.io package whose name no registry index can hold (`€`,
/// empty, `../x`) made the yanked lookup slice inside a character (or past the end) and
/// panic; `check --lockfile-only` reads such a Cargo.lock before cargo could refuse it.
#[test]
fn lockfile_names_no_index_holds_do_not_panic_the_yanked_lookup() {
    for name in ["€", "", "a€", "ab€x", "../../x"] {
        let s = scenario("clean");
        // cargo-lock refuses an empty dependency string, so the empty name stands alone.
        let deps = if name.is_empty() {
            String::new()
        } else {
            format!("dependencies = [\"{name}\"]\n")
        };
        let lock = format!(
            "version = 4\n\n[[package]]\nname = \"clean\"\nversion = \"1.0.0\"\n{deps}\n\
             [[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\n\
             source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
             checksum = \"{}\"\n",
            "0".repeat(64)
        );
        std::fs::write(s.path("Cargo.lock"), lock).unwrap();
        let mut cmd = s.cmd(["check", "--lockfile-only", "--offline", "--format", "json"]);
        cmd.arg("--advisory-db").arg(fixture_db());
        let out = run(cmd);
        assert!(
            !out.stderr.contains("panicked"),
            "name {name:?}: {}",
            out.stderr
        );
        // Read and checked: the report lists the package (no advisory names it).
        assert!(
            out.code == 0 || out.code == 1,
            "name {name:?}: exit {}\n{}",
            out.code,
            out.stderr
        );
        let r: serde_json::Value = serde_json::from_str(&out.stdout).expect("a JSON report");
        assert_eq!(r["lockfile-only"], true);
    }
}
