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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct EnvelopeSignature {
    /// Which key made it: the OpenSSH `SHA256:` fingerprint of the key. A signature counts
    /// only when its keyid is the fingerprint of the trusted key that verifies it, as in
    /// securesystemslib (which picks signatures by keyid); a key is never trusted because of
    /// its keyid.
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

/// Decodes base64 as strictly as every DSSE verifier we know reads it the same way: the
/// standard alphabet, padding required, no whitespace or other characters, unused bits zero.
///
/// securesystemslib (`base64.standard_b64decode`) discards characters outside the standard
/// alphabet (URL-safe `-` and `_` among them) and needs the padding, so anything looser than
/// this could verify here and fail there; the canonical form decodes identically everywhere.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// The OpenSSH `SHA256:` fingerprint of an Ed25519 key: the `keyid` of its signatures.
pub fn keyid(key: &ed25519_dalek::VerifyingKey) -> String {
    ssh_key::PublicKey::new(
        ssh_key::public::KeyData::Ed25519(ssh_key::public::Ed25519PublicKey(key.to_bytes())),
        "",
    )
    .fingerprint(ssh_key::HashAlg::Sha256)
    .to_string()
}

/// Why an envelope is not well-formed (see [`Envelope::check_form`]).
pub type FormError = String;

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

    /// Checks what every DSSE verifier must read the same way, so that an envelope this
    /// crate accepts is one securesystemslib accepts too: the payload and every signature are
    /// canonical base64 (signatures of 64 bytes), `payloadType` is ASCII (securesystemslib's
    /// pre-authentication encoding counts characters where the DSSE spec counts bytes), at
    /// least one signature, no two with the same keyid (securesystemslib refuses those).
    pub fn check_form(&self) -> Result<(), FormError> {
        if self.payload_bytes().is_none() {
            return Err("the payload is not canonical base64".into());
        }
        if !self.payload_type.is_ascii() {
            return Err("the payloadType is not ASCII".into());
        }
        if self.signatures.is_empty() {
            return Err("no signatures".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.signatures.iter().enumerate() {
            if decode_base64(&s.sig).is_none_or(|b| b.len() != 64) {
                return Err(format!(
                    "signature {}: not the canonical base64 of a 64-byte Ed25519 signature",
                    i + 1
                ));
            }
            if !seen.insert(s.keyid.as_deref()) {
                return Err(format!(
                    "signature {}: a second signature with the same keyid",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    /// Whether one of the signatures is a valid Ed25519 signature by `key` over the envelope
    /// and has the key's fingerprint as keyid. Uses strict verification (no malleable or
    /// small-order signatures). A malformed envelope ([`Envelope::check_form`]) never
    /// verifies.
    pub fn verify_with(&self, key: &ed25519_dalek::VerifyingKey) -> bool {
        if self.check_form().is_err() {
            return false;
        }
        let Some(payload) = self.payload_bytes() else {
            return false;
        };
        let msg = pae(&self.payload_type, &payload);
        let id = keyid(key);
        self.signatures.iter().any(|s| {
            s.keyid.as_deref() == Some(id.as_str())
                && decode_base64(&s.sig)
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
    fn base64_is_canonical_standard_padded() {
        assert_eq!(decode_base64("+/8=").as_deref(), Some(&[0xfb, 0xff][..]));
        for s in [
            "+/8", "-_8=", "-_8", "+/9=", " +/8=", "+/8=\n", "+/\n8=", "*",
        ] {
            assert_eq!(decode_base64(s), None, "{s}");
        }
    }
}
