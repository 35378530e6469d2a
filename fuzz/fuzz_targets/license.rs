//! A crate's license: its `license` field (an SPDX expression from an untrusted manifest)
//! decided against a policy's allow list, and its license file text classified when the
//! field is missing (the detection cargo-deny does), and the SPDX writer's LicenseRef names.
#![no_main]
use cargo_cra::checks::licenses;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "../common/mod.rs"]
mod common;

const POLICY: &str = r#"
[licenses]
allow = ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-2.0-or-later WITH Classpath-exception-2.0"]
confidence-threshold = 0.8
[[licenses.exceptions]]
crate = "app"
allow = ["ISC"]
"#;

struct Setup {
    cfg: licenses::Config,
    dir: camino::Utf8PathBuf,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let policy = cargo_cra::policy::Policy::parse(camino::Utf8Path::new("deny.toml"), POLICY)
            .expect("the fuzz policy loads");
        let dir = common::scratch().join("crate");
        std::fs::create_dir_all(&dir).expect("scratch crate");
        Setup {
            cfg: policy.licenses,
            dir,
        }
    })
}

fn package(dir: &camino::Utf8Path, license: Option<&str>) -> cargo_metadata::Package {
    serde_json::from_value(serde_json::json!({
        "name": "app", "version": "1.0.0", "id": "registry+https://github.com/rust-lang/crates.io-index#app@1.0.0",
        "license": license, "license_file": "LICENSE", "description": null,
        "source": "registry+https://github.com/rust-lang/crates.io-index",
        "dependencies": [], "targets": [], "features": {}, "manifest_path": dir.join("Cargo.toml"),
        "categories": [], "keywords": [], "readme": null, "repository": null, "homepage": null,
        "documentation": null, "edition": "2021", "links": null, "default_run": null,
        "rust_version": null, "authors": [], "publish": null, "metadata": null
    }))
    .expect("a package")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let s = setup();
    let pkg = package(&s.dir, Some(text));
    let _ = licenses::verdict(&s.cfg, &pkg, Some(text));
    let _ = cargo_cra::sbom::spdx::license_refs_in(text);
    let _ = cargo_cra::sbom::spdx::license_ref(text);
    // No usable `license`: the license file is classified.
    common::put(&s.dir.join("LICENSE"), data);
    let (expr, _, _) = licenses::effective_expression(&s.cfg, &package(&s.dir, None));
    let _ = licenses::verdict(&s.cfg, &pkg, expr.as_deref());
});
