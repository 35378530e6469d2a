//! Article 14 report case files (`cargo cra report`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cargo_cra::art14::case::parse(camino::Utf8Path::new("case.toml"), text);
    }
});
