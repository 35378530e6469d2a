//! Cargo.lock: the parser and the dependency graph built from it (`check --lockfile-only`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(lock) = text.parse::<cargo_lock::Lockfile>()
    {
        let _ = cargo_cra::workspace::Graph::from_lockfile(&lock);
    }
});
