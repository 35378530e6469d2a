//! DSSE envelopes (`.intoto.jsonl` lines) and their in-toto statements.
#![no_main]
use cargo_cra::sign::dsse::Envelope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = serde_json::from_slice::<Envelope>(data) {
        let _ = env.check_form();
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        let _ = env.verify_with(&key);
        if let Some(p) = env.payload_bytes() {
            let _ = serde_json::from_slice::<serde_json::Value>(&p);
        }
    }
});
