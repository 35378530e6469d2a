//! CRA product metadata: `[package.metadata.cra]` / `[workspace.metadata.cra]` values as
//! `cargo metadata` reports them (markets, main establishment, dates, manufacturer,
//! inheritance), and the workspace's `security.txt` (RFC 9116, OpenPGP armor included) through
//! its check, with the diagnostics rendered at their spans. The whole product check on a
//! workspace is fuzzed by `check_metadata`.
#![no_main]
use cargo_cra::checks::{product, security_txt};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "../common/mod.rs"]
mod common;

/// A package as `cargo metadata` reports it, `metadata` filled in per input.
const PACKAGE: &str = r#"{"name": "app", "version": "1.0.0", "id": "path+file:///ws#app@1.0.0",
  "license": "MIT", "license_file": null, "description": null, "source": null,
  "dependencies": [], "targets": [], "features": {}, "manifest_path": "/ws/Cargo.toml",
  "categories": [], "keywords": [], "readme": null, "repository": null, "homepage": null,
  "documentation": null, "edition": "2021", "links": null, "default_run": null,
  "rust_version": null, "authors": [], "publish": null, "metadata": null}"#;

fn package(metadata: &serde_json::Value) -> cargo_metadata::Package {
    let mut v: serde_json::Value = serde_json::from_str(PACKAGE).expect("the template");
    v["metadata"] = metadata.clone();
    serde_json::from_value(v).expect("a package")
}

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = product::parse_markets(&v);
        let _ = product::parse_main_establishment(&v);
        for field in ["markets", "main-establishment"] {
            let _ = product::parse_markets(&v[field]);
            let _ = product::parse_main_establishment(&v[field]);
        }
        // The value as the package's table, as the workspace's, and as both.
        let cra = serde_json::json!({ "cra": v });
        let _ = product::metadata_of(None, &package(&cra));
        let _ = product::metadata_of(Some(&cra), &package(&serde_json::Value::Null));
        let _ = product::metadata_of(Some(&cra), &package(&cra));
        let _ = product::package_manufacturer(&package(&cra));
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = product::parse_end_date(s);
        let _ = product::parse_start_date(s);
        security(s);
    }
});

/// The security.txt check on `text`, its diagnostics rendered.
fn security(text: &str) {
    static ROOT: OnceLock<camino::Utf8PathBuf> = OnceLock::new();
    let root = ROOT.get_or_init(|| {
        let r = common::scratch().join("security-txt");
        std::fs::create_dir_all(r.join(".well-known")).expect("scratch folder");
        r
    });
    let _ = security_txt::parse(text);
    common::put(&root.join(".well-known/security.txt"), text.as_bytes());
    let expect = security_txt::Expect {
        contacts: vec!["mailto:security@example.com".into()],
        trigger: "app".into(),
    };
    let now = time::OffsetDateTime::from_unix_timestamp(1_796_083_200).expect("a time");
    let mut sink = cargo_cra::diag::Diagnostics::default();
    security_txt::check(root, &expect, now, &mut sink);
    let sources = sink.sources.clone();
    common::render(&sources, sink.items());
}
