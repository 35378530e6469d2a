//! `cargo cra keygen --out PATH [--identity EMAIL] [--encrypt] [--force]`: a new OpenSSH
//! Ed25519 key pair for signing SBOMs.
//!
//! Writes the private key to `PATH` (mode 0600, OpenSSH format, encrypted with
//! `CARGO_CRA_KEY_PASSPHRASE` or a passphrase asked on the terminal when `--encrypt`) and
//! the public key to `PATH.pub` and, as PKIX PEM for cosign, `PATH.pub.pem`, all atomically.
//! Prints to stdout the public key and the `allowed_signers` line to publish, so that the
//! output can be redirected as is:
//!
//! ```text
//! ssh-ed25519 AAAA... release@example.com
//! release@example.com namespaces="cargo-cra-sbom" ssh-ed25519 AAAA...
//! ```
//!
//! The files are the same as `ssh-keygen -t ed25519 -C EMAIL` writes, so ssh-keygen, ssh-agent
//! and `git` can use the key too.

use crate::cli::KeygenArgs;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::output::Printer;
use camino::Utf8PathBuf;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey};

/// Runs `cargo cra keygen`.
pub fn run(args: &KeygenArgs, printer: &Printer) -> Result<u8> {
    let identity = args.identity.trim();
    // The identity becomes the principal of an allowed_signers line: whitespace or quotes
    // would split or break that line.
    if identity.is_empty() || identity.chars().any(|c| c.is_whitespace() || c == '"') {
        return Err(Error::other(format!(
            "--identity `{identity}` must be a non-empty word such as an email address"
        )));
    }
    let private_path = args.out.clone();
    let public_path = Utf8PathBuf::from(format!("{private_path}.pub"));
    let pem_path = Utf8PathBuf::from(format!("{private_path}.pub.pem"));
    if !args.force {
        for p in [&private_path, &public_path, &pem_path] {
            if p.symlink_metadata().is_ok() {
                return Err(Error::other(format!(
                    "'{p}' already exists: pass --force to overwrite it"
                )));
            }
        }
    }

    // Ask for the passphrase before the (instant) key generation, so a refused passphrase
    // leaves nothing behind.
    let passphrase = if args.encrypt {
        Some(super::new_passphrase()?)
    } else {
        None
    };

    let mut rng = ssh_key::rand_core::OsRng;
    let mut key = PrivateKey::random(&mut rng, Algorithm::Ed25519)
        .map_err(|e| Error::other(format!("failed to generate a key: {e}")))?;
    key.set_comment(identity);
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| Error::other(format!("failed to encode the public key: {e}")))?;
    let fingerprint = key.fingerprint(HashAlg::Sha256);
    if let Some(pass) = &passphrase {
        // aes256-ctr with bcrypt-pbkdf, what ssh-keygen uses by default.
        key = key
            .encrypt(&mut rng, pass.as_bytes())
            .map_err(|e| Error::other(format!("failed to encrypt the key: {e}")))?;
    }
    let pem = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| Error::other(format!("failed to encode the private key: {e}")))?;

    fsutil::write_atomic_with_mode(&private_path, pem.as_bytes(), Some(0o600))?;
    fsutil::write_atomic_with_mode(&public_path, format!("{public}\n").as_bytes(), Some(0o644))?;
    let raw = match key.public_key().key_data() {
        ssh_key::public::KeyData::Ed25519(k) => k.0,
        _ => return Err(Error::other("generated key is not Ed25519")),
    };
    fsutil::write_atomic_with_mode(&pem_path, spki_pem(&raw).as_bytes(), Some(0o644))?;

    // The allowed_signers line carries the key without its comment.
    let key_part = ssh_key::PublicKey::new(key.public_key().key_data().clone(), "")
        .to_openssh()
        .map_err(|e| Error::other(format!("failed to encode the public key: {e}")))?;
    println!("{public}");
    println!(
        "{identity} namespaces=\"{}\" {key_part}",
        crate::DEFAULT_NAMESPACE
    );

    let enc = if passphrase.is_some() {
        ", encrypted"
    } else {
        ""
    };
    printer.status(
        "Created",
        format!("private key {private_path} (mode 0600{enc})"),
    );
    printer.status(
        "Created",
        format!("public key {public_path} ({fingerprint})"),
    );
    printer.status(
        "Created",
        format!("public key {pem_path} (PEM, for `cosign verify-blob-attestation --key`)"),
    );
    printer.status(
        "Note",
        "publish the allowed_signers line above so others can run `ssh-keygen -Y verify`; keep the private key secret",
    );
    Ok(crate::error::ExitCode::SUCCESS)
}

/// DER prefix of an Ed25519 `SubjectPublicKeyInfo` (RFC 8410): SEQUENCE { SEQUENCE { OID
/// 1.3.101.112 }, BIT STRING (32 bytes) }. The key bytes follow.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The public key as a PKIX `PUBLIC KEY` PEM block: the form cosign (and OpenSSL) read, so
/// that the DSSE attestation can be checked with `cosign verify-blob-attestation --key`
/// as well as with `cargo cra verify`. Hand-written: 44 fixed bytes do not need an ASN.1
/// crate.
pub fn spki_pem(raw: &[u8; 32]) -> String {
    use base64::Engine as _;
    let mut der = ED25519_SPKI_PREFIX.to_vec();
    der.extend_from_slice(raw);
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spki_pem_is_the_rfc_8410_encoding() {
        // RFC 8410 section 10.1 example public key.
        let raw: [u8; 32] =
            hex::decode("19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1")
                .unwrap()
                .try_into()
                .unwrap();
        assert_eq!(
            spki_pem(&raw),
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n"
        );
    }
}
