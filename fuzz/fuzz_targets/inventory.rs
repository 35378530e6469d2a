//! SBOM reading for `scan`: format detection, CycloneDX, SPDX 2.3, SPDX 3.0 and cargo auditable
//! binaries.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cargo_cra::inventory::read_bytes(camino::Utf8Path::new("input"), data);
    let _ = cargo_cra::inventory::auditable::audit_data(data);
});
