//! `cargo cra check` on an arbitrary `cargo metadata` answer (`--metadata-path`), end to end:
//! the CRA metadata of `[package.metadata.cra]` and `[workspace.metadata.cra]` through the
//! product check, license fields and clarifications through the license check, the bans and
//! sources checks, the advisory check, and every report form. The input is a
//! `cargo metadata --format-version 1` document in which `@ROOT@` stands for the folder of
//! the test workspaces; its first byte picks the workspace (its Cargo.lock, manifests and
//! policy). `rustc --print cfg` is answered from a file, so no compiler runs per input.
#![no_main]
use camino::Utf8PathBuf;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "../common/mod.rs"]
mod common;

/// The test workspaces the seeds were taken from (`fuzz/seeds/check_metadata`).
const WORKSPACES: &[&str] = &[
    "platform-deps",
    "multi-member",
    "bans",
    "license-clarified",
    "missing-cra-metadata",
    "markets-invalid",
    "support-justified",
];

struct Setup {
    root: Utf8PathBuf,
    metadata: Utf8PathBuf,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        common::hermetic_env();
        let root = common::scratch().join("test-workspaces");
        common::copy_dir(&common::repo().join("test-workspaces"), &root);
        let out = std::process::Command::new("rustc")
            .args(["--print", "host-tuple", "--print", "cfg"])
            .output()
            .expect("rustc --print cfg");
        let cfg = common::scratch().join("rustc-cfg.txt");
        common::put(&cfg, &out.stdout);
        let rustc = common::scratch().join("rustc");
        common::put(&rustc, format!("#!/bin/sh\nexec cat '{cfg}'\n").as_bytes());
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&rustc, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        // SAFETY: once, before the checks start any thread.
        unsafe { std::env::set_var("RUSTC", &rustc) };
        Setup {
            metadata: common::scratch().join("metadata.json"),
            root,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let Ok(json) = std::str::from_utf8(json) else {
        return;
    };
    let s = setup();
    common::put(
        &s.metadata,
        json.replace("@ROOT@", s.root.as_str()).as_bytes(),
    );
    let manifest = s
        .root
        .join(WORKSPACES[pick as usize % WORKSPACES.len()])
        .join("Cargo.toml");
    let db = common::repo().join("tests/fixtures/advisory-db");
    common::check(&[
        "--offline",
        "--manifest-path",
        manifest.as_str(),
        "--metadata-path",
        s.metadata.as_str(),
        "--advisory-db",
        db.as_str(),
    ]);
});
