//! Helpers for build scripts.

/// A `cargo:rustc-env=KEY=VALUE` line.
pub fn rustc_env(key: &str, value: &str) -> String {
    format!("cargo:rustc-env={key}={value}")
}

/// A `cargo:rerun-if-changed=PATH` line.
pub fn rerun_if_changed(path: &str) -> String {
    format!("cargo:rerun-if-changed={path}")
}
