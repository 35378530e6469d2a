//! The policy file (deny-policy.toml / deny.toml): TOML parsing and validation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for name in ["deny-policy.toml", "deny.toml"] {
            let _ = cargo_cra::policy::Policy::parse(camino::Utf8Path::new(name), text);
        }
    }
});
