//! Cargo.lock: the product's lockfile reader (the guard against cargo-lock's panics
//! included) and the dependency graph built from it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(lock) =
            cargo_cra::workspace::parse_lockfile(camino::Utf8Path::new("Cargo.lock"), text)
    {
        let _ = cargo_cra::workspace::Graph::from_lockfile(&lock);
    }
});
