//! DSSE envelopes (<https://github.com/secure-systems-lab/dsse>) carrying in-toto Statement v1
//! attestations.
//!
//! ```json
//! {"payload":"<base64 statement>","payloadType":"application/vnd.in-toto+json",
//!  "signatures":[{"keyid":"SHA256:...","sig":"<base64 Ed25519 signature>"}]}
//! ```
//!
//! The signature covers the pre-authentication encoding ([`pae`]) of the payload type and
//! the payload bytes, never the JSON around them, so the envelope itself needs no
//! canonicalization. The `keyid` is the signer's OpenSSH SHA-256 fingerprint: verifiers such
//! as `securesystemslib` pick signatures by `keyid`, and a fingerprint is what a user can
//! compare with `ssh-keygen -l -f key.pub`.

use super::Signer;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Payload type of in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// `_type` of an in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// `predicateType` of a CycloneDX SBOM predicate.
pub const CYCLONEDX_PREDICATE_TYPE: &str = "https://cyclonedx.org/bom";

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The payload, base64.
    pub payload: String,
    /// What the payload is.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// Signatures over [`pae`] of the type and the decoded payload.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an [`Envelope`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// Which key made it (our keys: the OpenSSH `SHA256:` fingerprint). Only a hint:
    /// verification tries the trusted keys, it never trusts a key because of its keyid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyid: Option<String>,
    /// The signature, base64.
    pub sig: String,
}

/// DSSE's pre-authentication encoding:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in ASCII decimal bytes.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Decodes base64 in any of the forms DSSE allows verifiers to meet: standard or URL-safe
/// alphabet, with or without padding.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let cfg = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let s = s.trim();
    GeneralPurpose::new(&base64::alphabet::STANDARD, cfg)
        .decode(s)
        .or_else(|_| GeneralPurpose::new(&base64::alphabet::URL_SAFE, cfg).decode(s))
        .ok()
}

impl Envelope {
    /// Signs `payload` with `signer` into a new envelope (standard base64, padded: what
    /// cosign and securesystemslib write).
    pub fn sign(signer: &Signer, payload_type: &str, payload: &[u8]) -> Envelope {
        let b64 = base64::engine::general_purpose::STANDARD;
        let sig = signer.sign_raw(&pae(payload_type, payload));
        Envelope {
            payload: b64.encode(payload),
            payload_type: payload_type.to_owned(),
            signatures: vec![EnvelopeSignature {
                keyid: Some(signer.keyid()),
                sig: b64.encode(sig),
            }],
        }
    }

    /// The decoded payload, `None` when it is not base64.
    pub fn payload_bytes(&self) -> Option<Vec<u8>> {
        decode_base64(&self.payload)
    }

    /// Whether one of the signatures is a valid Ed25519 signature by `key` over the envelope.
    /// Uses strict verification (no malleable or small-order signatures).
    pub fn verify_with(&self, key: &ed25519_dalek::VerifyingKey) -> bool {
        let Some(payload) = self.payload_bytes() else {
            return false;
        };
        let msg = pae(&self.payload_type, &payload);
        self.signatures.iter().any(|s| {
            decode_base64(&s.sig)
                .and_then(|b| ed25519_dalek::Signature::from_slice(&b).ok())
                .is_some_and(|sig| key.verify_strict(&msg, &sig).is_ok())
        })
    }
}

/// `predicateType` of an SPDX 2.3 SBOM predicate (in-toto attestation predicate "SPDX").
pub const SPDX2_PREDICATE_TYPE: &str = "https://spdx.dev/Document/v2.3";
/// `predicateType` of an SPDX 3.0.1 SBOM predicate (the same scheme, SPDX 3).
pub const SPDX3_PREDICATE_TYPE: &str = "https://spdx.dev/Document/v3.0";

/// The in-toto Statement v1 for an artifact and its CycloneDX SBOM, serialized (compact JSON).
pub fn statement(
    artifact_name: &str,
    sha256: &str,
    sha512: &str,
    bom: serde_json::Value,
) -> Vec<u8> {
    statement_of_type(CYCLONEDX_PREDICATE_TYPE, artifact_name, sha256, sha512, bom)
}

/// The in-toto Statement v1 for an artifact and its SBOM of `predicate_type`, serialized
/// (compact JSON).
pub fn statement_of_type(
    predicate_type: &str,
    artifact_name: &str,
    sha256: &str,
    sha512: &str,
    bom: serde_json::Value,
) -> Vec<u8> {
    let st = serde_json::json!({
        "_type": STATEMENT_TYPE,
        "subject": [{ "name": artifact_name, "digest": { "sha256": sha256, "sha512": sha512 } }],
        "predicateType": predicate_type,
        "predicate": bom,
    });
    // Serializing a `Value` cannot fail.
    serde_json::to_vec(&st).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn base64_forms_are_all_accepted() {
        for s in ["+/8=", "+/8", "-_8=", "-_8"] {
            assert_eq!(decode_base64(s).as_deref(), Some(&[0xfb, 0xff][..]), "{s}");
        }
        assert_eq!(decode_base64("*"), None);
    }
}
