//! Public keys (`--key`) and allowed_signers files (`--allowed-signers`).
#![no_main]
use cargo_cra::sign::allowed_signers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ssh_key::PublicKey::from_openssh(text);
        if let Ok(entries) = allowed_signers::parse(camino::Utf8Path::new("allowed_signers"), text)
        {
            for e in &entries {
                let _ = e.allows(
                    "release@example.com",
                    "cargo-cra-sbom",
                    time::OffsetDateTime::UNIX_EPOCH,
                );
            }
        }
        let mid = (0..=text.len() / 2)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let (a, b) = text.split_at(mid);
        let _ = allowed_signers::match_pattern_list(a, b);
    }
});
