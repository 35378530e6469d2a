//! Build script of the `features` scenario: uses the host copy of fcore.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let _ = fcore::name();
}
