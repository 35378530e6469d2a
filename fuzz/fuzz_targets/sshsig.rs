//! Detached OpenSSH signatures (`.sig`), as `cargo cra verify` reads and checks them.
#![no_main]
use cargo_cra::sign::sshsig::Signature;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sig) = Signature::from_armored(data) {
        let _ = sig.verify("cargo-cra-sbom", b"{}");
    }
    if let Ok(sig) = Signature::from_blob(data) {
        let _ = sig.verify("cargo-cra-sbom", data);
    }
});
