//! `[package.metadata.cra]` values: markets, main establishment, dates.
#![no_main]
use libfuzzer_sys::fuzz_target;
use cargo_cra::checks::product;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = product::parse_markets(&v);
        let _ = product::parse_main_establishment(&v);
        for field in ["markets", "main-establishment"] {
            let _ = product::parse_markets(&v[field]);
            let _ = product::parse_main_establishment(&v[field]);
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = product::parse_end_date(s);
        let _ = product::parse_start_date(s);
    }
});
