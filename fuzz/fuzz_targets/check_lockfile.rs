//! `cargo cra check --lockfile-only` on an arbitrary Cargo.lock, end to end: the lockfile
//! reader, the graph, the sources check (spans into the lockfile), the advisory check against
//! the test advisory database with yanked lookups in the tests' fake CARGO_HOME, and every
//! report form. The first byte picks one of the test workspaces' policies.
#![no_main]
use camino::Utf8PathBuf;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "../common/mod.rs"]
mod common;

/// Policies of the test workspaces (none: the defaults).
const POLICIES: &[Option<&str>] = &[
    None,
    Some("test-workspaces/bans/deny.toml"),
    Some("test-workspaces/platform-deps/deny-policy.toml"),
    Some("test-workspaces/unknown-registry/deny-policy.toml"),
    Some("test-workspaces/git-source-denied/deny-policy.toml"),
    Some("test-workspaces/patched/deny-policy.toml"),
];

struct Setup {
    ws: Utf8PathBuf,
    db: Utf8PathBuf,
    policies: Vec<Option<Utf8PathBuf>>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        common::hermetic_env();
        let ws = common::scratch().join("ws");
        std::fs::create_dir_all(&ws).expect("scratch workspace");
        common::put(
            &ws.join("Cargo.toml"),
            b"[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        let policies = POLICIES
            .iter()
            .map(|p| {
                p.map(|p| {
                    let from = common::repo().join(p);
                    assert!(from.is_file(), "{from} is missing");
                    let to = common::scratch().join(p.replace('/', "-"));
                    std::fs::copy(&from, &to).expect("copying a policy");
                    to
                })
            })
            .collect();
        Setup {
            ws,
            db: common::repo().join("tests/fixtures/advisory-db"),
            policies,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, lock)) = data.split_first() else {
        return;
    };
    let s = setup();
    common::put(&s.ws.join("Cargo.lock"), lock);
    let manifest = s.ws.join("Cargo.toml");
    let mut args = vec![
        "--lockfile-only",
        "--offline",
        "--manifest-path",
        manifest.as_str(),
        "--advisory-db",
        s.db.as_str(),
        "--scope",
        "lockfile",
    ];
    let policy = &s.policies[pick as usize % s.policies.len()];
    if let Some(p) = policy {
        args.extend(["--policy", p.as_str()]);
    }
    common::check(&args);
});
