//! Signing SBOMs so that people outside this project can check them offline, with tools
//! they already have.
//!
//! Every signed SBOM gets two files next to it, both made with the same OpenSSH Ed25519 key:
//!
//! * `<sbom>.sig`: a detached OpenSSH signature (`SSHSIG`, hash `sha512`) of the exact SBOM
//!   bytes, checked with `ssh-keygen -Y verify -f allowed_signers -I <id> -n <namespace> -s
//!   <sbom>.sig < <sbom>`. SSHSIG signs bytes, so no JSON canonicalization is involved.
//! * `<artifact>.intoto.jsonl`: a DSSE envelope (one JSON line) whose payload is an in-toto
//!   Statement v1 with the artifact as subject (name, sha256, sha512) and the SBOM as predicate
//!   (`predicateType` `https://cyclonedx.org/bom`). That is the shape cosign and GitHub
//!   attestations use; it verifies with Python's `securesystemslib` (which matches signatures
//!   by `keyid`, so the key's OpenSSH `SHA256:` fingerprint is always set as `keyid`).
//!
//! Keys are OpenSSH Ed25519 private keys as `ssh-keygen -t ed25519` (or `cargo cra keygen`)
//! writes them, encrypted or not. See [`resolve_key_source`] for where the key comes from and
//! [`Signer::load`] for the safety rules (file mode, passphrase, never printing key material).
//!
//! Submodules: [`keygen`] (`cargo cra keygen`), [`verify`] (`cargo cra verify`), [`dsse`]
//! (envelope and statement encoding), [`allowed_signers`] (ssh-keygen's allowed_signers file).

pub mod allowed_signers;
pub mod dsse;
pub mod keygen;
pub mod sshsig;
pub mod verify;

use crate::error::{Error, Result};
use crate::fsutil;
use camino::{Utf8Path, Utf8PathBuf};
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey};
use zeroize::Zeroizing;

/// Environment variable naming a private key file (used when neither `--sign` nor the policy
/// names one).
pub const ENV_KEY_FILE: &str = "CARGO_CRA_SIGNING_KEY_FILE";
/// Environment variable holding the private key text itself (a CI secret).
pub const ENV_KEY: &str = "CARGO_CRA_SIGNING_KEY";
/// Environment variable holding the passphrase of an encrypted private key.
pub const ENV_PASSPHRASE: &str = "CARGO_CRA_KEY_PASSPHRASE";

/// File name suffix of SBOMs; stripped to name the attestation.
pub const SBOM_SUFFIX: &str = ".cdx.json";
/// File name suffix of the DSSE attestation.
pub const ATTESTATION_SUFFIX: &str = ".intoto.jsonl";
/// File name suffix of the detached OpenSSH signature.
pub const SIGNATURE_SUFFIX: &str = ".sig";

/// Where the signing key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A private key file.
    File(Utf8PathBuf),
    /// An environment variable holding the private key text (for CI secrets).
    Env {
        /// The variable's name.
        var: &'static str,
    },
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(p) => write!(f, "'{p}'"),
            KeySource::Env { var } => write!(f, "the key in ${var}"),
        }
    }
}

/// Picks the signing key, first found wins: `--sign PATH` (`cli`), the policy's `[sbom]
/// signing-key` (`policy`, already resolved against the policy's directory),
/// `CARGO_CRA_SIGNING_KEY_FILE`, `CARGO_CRA_SIGNING_KEY`. `None`: do not sign.
///
/// Empty variables count as unset: CI systems (GitHub Actions among them) expand a secret
/// that is not configured, e.g. on a fork's pull request, to an empty string, and that must
/// mean "no key", not "a malformed key".
pub fn resolve_key_source(cli: Option<&Utf8Path>, policy: Option<&Utf8Path>) -> Option<KeySource> {
    if let Some(p) = cli.or(policy) {
        return Some(KeySource::File(p.to_path_buf()));
    }
    let non_empty = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty());
    if let Some(p) = non_empty(ENV_KEY_FILE) {
        return Some(KeySource::File(Utf8PathBuf::from(
            p.to_string_lossy().into_owned(),
        )));
    }
    if non_empty(ENV_KEY).is_some() {
        return Some(KeySource::Env { var: ENV_KEY });
    }
    None
}

/// A loaded (decrypted) Ed25519 signing key.
///
/// `Debug` shows the fingerprint only: the private key must never end up in a log.
pub struct Signer {
    key: PrivateKey,
    signing: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("keyid", &self.keyid())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads an OpenSSH Ed25519 private key, as `ssh-keygen -t ed25519` writes it.
    ///
    /// * A key file whose mode grants any permission to group or others is refused, as ssh
    ///   does: a signing key others can read is no longer a proof of origin.
    /// * An encrypted key is decrypted with `CARGO_CRA_KEY_PASSPHRASE`; without it, the
    ///   passphrase is asked for on the terminal, only when stdin is one (CI must not hang).
    /// * Errors name the file (or the variable) only, never the key text.
    /// * Keys of other types (RSA, ECDSA, security keys) are refused: the DSSE envelope needs
    ///   a raw Ed25519 signature, which is what `securesystemslib` and cosign check.
    pub fn load(src: &KeySource) -> Result<Signer> {
        let text = match src {
            KeySource::File(path) => read_private_key_file(path)?,
            KeySource::Env { var } => {
                let raw = Zeroizing::new(std::env::var(var).map_err(|_| {
                    Error::other(format!("${var} is not set or not valid UTF-8 (it should hold an OpenSSH private key)"))
                })?);
                normalize_env_key(&raw)
            }
        };
        let key = parse_private_key(src, &text)?;
        if key.algorithm() != Algorithm::Ed25519 {
            return Err(Error::other(format!(
                "{src} is an {} key: only Ed25519 keys can sign SBOMs (create one with `cargo cra keygen` or `ssh-keygen -t ed25519`)",
                key.algorithm()
            )));
        }
        let key = if key.is_encrypted() {
            decrypt(src, &key)?
        } else {
            key
        };
        let signing = match key.key_data() {
            ssh_key::private::KeypairData::Ed25519(kp) => ed25519_dalek::SigningKey::try_from(kp)
                .map_err(|_| {
                Error::other(format!(
                    "{src}: the private and public halves of the key do not match"
                ))
            })?,
            _ => return Err(Error::other(format!("{src}: not an Ed25519 key"))),
        };
        Ok(Signer { key, signing })
    }

    /// The public key in OpenSSH format (`ssh-ed25519 AAAA... comment`).
    pub fn public_key_openssh(&self) -> String {
        // Encoding an Ed25519 public key cannot fail (fixed size, no I/O).
        self.key.public_key().to_openssh().unwrap_or_default()
    }

    /// The key's OpenSSH SHA-256 fingerprint, `SHA256:<base64>`, as `ssh-keygen -l` prints it.
    /// Used as the DSSE `keyid`.
    pub fn keyid(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// A detached SSHSIG signature (hash sha512) of `msg`, PEM armored.
    pub fn sshsig(&self, namespace: &str, msg: &[u8]) -> Result<String> {
        let sig = self
            .key
            .sign(namespace, HashAlg::Sha512, msg)
            .map_err(|e| Error::other(format!("failed to sign: {e}")))?;
        sig.to_pem(LineEnding::LF)
            .map_err(|e| Error::other(format!("failed to encode the signature: {e}")))
    }

    /// A raw Ed25519 signature of `msg` (64 bytes), for DSSE.
    pub fn sign_raw(&self, msg: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.signing.sign(msg).to_bytes()
    }
}

/// The files [`sign_artifact_sbom`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedFiles {
    /// `<sbom>.sig`: the detached OpenSSH signature.
    pub signature: Utf8PathBuf,
    /// `<artifact>.intoto.jsonl`: the DSSE envelope with the in-toto statement.
    pub attestation: Utf8PathBuf,
}

/// `<sbom>.sig`.
pub fn signature_path(sbom_path: &Utf8Path) -> Utf8PathBuf {
    Utf8PathBuf::from(format!("{sbom_path}{SIGNATURE_SUFFIX}"))
}

/// The attestation next to the SBOM: the SBOM's file name without `.cdx.json`, plus
/// `.intoto.jsonl` (`app.cdx.json` → `app.intoto.jsonl`). An SBOM not named `*.cdx.json`
/// keeps its whole name (`x.json` → `x.json.intoto.jsonl`), so the two never collide.
///
/// SPDX SBOMs keep their format in the name so that the attestations of several formats
/// of one artifact do not collide: `app.spdx.json` → `app.spdx.intoto.jsonl`,
/// `app.spdx3.json` → `app.spdx3.intoto.jsonl`.
pub fn attestation_path(sbom_path: &Utf8Path) -> Utf8PathBuf {
    let s = sbom_path.as_str();
    let stem = s
        .strip_suffix(SBOM_SUFFIX)
        .filter(|s| !s.is_empty() && !s.ends_with('/'))
        .or_else(|| {
            [".spdx.json", ".spdx3.json"]
                .iter()
                .find_map(|suf| s.strip_suffix(suf).map(|_| &s[..s.len() - ".json".len()]))
        })
        .unwrap_or(s);
    Utf8PathBuf::from(format!("{stem}{ATTESTATION_SUFFIX}"))
}

/// The in-toto `predicateType` of an SBOM file by its name: SPDX 2.3 for `*.spdx.json`,
/// SPDX 3 for `*.spdx3.json`, CycloneDX otherwise.
pub fn predicate_type_of(sbom_path: &Utf8Path) -> &'static str {
    let s = sbom_path.as_str();
    if s.ends_with(".spdx.json") {
        dsse::SPDX2_PREDICATE_TYPE
    } else if s.ends_with(".spdx3.json") {
        dsse::SPDX3_PREDICATE_TYPE
    } else {
        dsse::CYCLONEDX_PREDICATE_TYPE
    }
}

/// Signs an SBOM written for an artifact: writes `<sbom_path>.sig` (SSHSIG of `sbom_bytes`,
/// hash sha512, in `namespace`) and the DSSE envelope (see [`attestation_path`]) whose
/// in-toto statement names `artifact_name` with the given `(sha256 hex, sha512 hex)` digests
/// and carries the SBOM as predicate (its type from the file name: [`predicate_type_of`]). Call it after the SBOM is written, with the exact bytes
/// written.
///
/// Both signatures are computed before anything is written, and each file is written
/// atomically, so a failure never leaves a half-written or mismatched pair behind.
pub fn sign_artifact_sbom(
    signer: &Signer,
    namespace: &str,
    sbom_path: &Utf8Path,
    sbom_bytes: &[u8],
    artifact_name: &str,
    artifact_bytes_digests: (&str /*sha256 hex*/, &str /*sha512 hex*/),
) -> Result<SignedFiles> {
    let (sha256, sha512) = artifact_bytes_digests;
    let is_hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex(sha256, 64) || !is_hex(sha512, 128) {
        return Err(Error::other(format!(
            "cannot sign {sbom_path}: the digests of `{artifact_name}` must be SHA-256 and SHA-512 in hex"
        )));
    }
    write_signed(
        signer,
        namespace,
        sbom_path,
        sbom_bytes,
        predicate_type_of(sbom_path),
        artifact_name,
        (&sha256.to_ascii_lowercase(), &sha512.to_ascii_lowercase()),
    )
}

/// Signs a document that is its own subject (a VEX document): writes `<path>.sig` (SSHSIG of
/// `bytes`, hash sha512, in `namespace`) and the DSSE envelope next to it (see
/// [`attestation_path`]) whose in-toto statement names the document's file with its SHA-256
/// and SHA-512 and carries the document as a predicate of `predicate_type`. Call it after
/// the document is written, with the exact bytes written.
pub fn sign_document(
    signer: &Signer,
    namespace: &str,
    path: &Utf8Path,
    bytes: &[u8],
    predicate_type: &str,
) -> Result<SignedFiles> {
    let name = path.file_name().unwrap_or(path.as_str());
    let digests = (fsutil::sha256_hex(bytes), fsutil::sha512_hex(bytes));
    write_signed(
        signer,
        namespace,
        path,
        bytes,
        predicate_type,
        name,
        (&digests.0, &digests.1),
    )
}

/// Signs `bytes` (written at `path`): the SSHSIG to `<path>.sig` and the DSSE envelope of an
/// in-toto statement (subject `subject` with its digests, predicate the document) next to it.
/// Both signatures are computed before anything is written.
fn write_signed(
    signer: &Signer,
    namespace: &str,
    path: &Utf8Path,
    bytes: &[u8],
    predicate_type: &str,
    subject: &str,
    (sha256, sha512): (&str, &str),
) -> Result<SignedFiles> {
    let doc: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::malformed(path, format!("not valid JSON, cannot sign it: {e}")))?;
    let sig_pem = signer.sshsig(namespace, bytes)?;
    let statement = dsse::statement_of_type(predicate_type, subject, sha256, sha512, doc);
    let envelope = dsse::Envelope::sign(signer, dsse::IN_TOTO_PAYLOAD_TYPE, &statement);
    let mut line = serde_json::to_string(&envelope)
        .map_err(|e| Error::other(format!("failed to encode the envelope: {e}")))?;
    line.push('\n');
    let files = SignedFiles {
        signature: signature_path(path),
        attestation: attestation_path(path),
    };
    // 0644: these files are published with the artifact. (The atomic writer's temporary file
    // starts as 0600, which would make them unreadable to a web server or other users.)
    fsutil::write_atomic_with_mode(&files.signature, sig_pem.as_bytes(), Some(0o644))?;
    fsutil::write_atomic_with_mode(&files.attestation, line.as_bytes(), Some(0o644))?;
    Ok(files)
}

/// Reads a private key file after checking its permissions (Unix): like ssh, refuse a key
/// that group or others can access at all.
fn read_private_key_file(path: &Utf8Path) -> Result<Zeroizing<String>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    if !meta.is_file() {
        return Err(Error::malformed(
            path,
            "not a file (expected an OpenSSH private key)",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(Error::other(format!(
                "permissions {mode:04o} for '{path}' are too open: a private key must not be accessible by others (run `chmod 600 '{path}'`)"
            )));
        }
    }
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| Error::read(path, e))?);
    match std::str::from_utf8(&bytes) {
        Ok(s) => Ok(Zeroizing::new(s.to_owned())),
        Err(_) => Err(Error::malformed(
            path,
            "not an OpenSSH private key (not text)",
        )),
    }
}

/// Makes a key pasted into a CI secret parse: secrets often lose the final newline, get CRLF
/// line endings, or hold the key on one line with literal `\n` sequences.
fn normalize_env_key(raw: &str) -> Zeroizing<String> {
    let mut s = raw.trim().replace("\r\n", "\n");
    if !s.contains('\n') && s.contains("\\n") {
        s = s.replace("\\n", "\n");
    }
    s.push('\n');
    Zeroizing::new(s)
}

/// Parses an OpenSSH private key, telling apart the usual mistakes (a public key, a PEM or
/// PKCS#8 key) without ever echoing the text.
fn parse_private_key(src: &KeySource, text: &str) -> Result<PrivateKey> {
    let err = |msg: String| match src {
        KeySource::File(p) => Error::malformed(p.clone(), msg),
        KeySource::Env { var } => Error::other(format!("${var}: {msg}")),
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
        return PrivateKey::from_openssh(trimmed.as_bytes())
            .map_err(|e| err(format!("malformed OpenSSH private key: {e}")));
    }
    if trimmed.starts_with("-----BEGIN ") && trimmed.contains("PRIVATE KEY-----") {
        return Err(err(
            "a PEM/PKCS#8 private key, not an OpenSSH one: only OpenSSH Ed25519 keys are supported (`ssh-keygen -t ed25519`)"
                .into(),
        ));
    }
    if trimmed.starts_with("ssh-") || trimmed.starts_with("ecdsa-") || trimmed.starts_with("sk-") {
        return Err(err(
            "this is a public key: signing needs the private key".into()
        ));
    }
    Err(err(
        "not an OpenSSH private key (expected `-----BEGIN OPENSSH PRIVATE KEY-----`)".into(),
    ))
}

/// Decrypts an encrypted key with `CARGO_CRA_KEY_PASSPHRASE` or, on a terminal, a prompt.
fn decrypt(src: &KeySource, key: &PrivateKey) -> Result<PrivateKey> {
    let passphrase = match std::env::var(ENV_PASSPHRASE) {
        Ok(p) => Zeroizing::new(p),
        Err(_) => {
            use std::io::IsTerminal;
            if !std::io::stdin().is_terminal() {
                return Err(Error::other(format!(
                    "{src} is encrypted: set {ENV_PASSPHRASE} to its passphrase (there is no terminal to ask for it)"
                )));
            }
            Zeroizing::new(
                rpassword::prompt_password(format!("Enter passphrase for {src}: ")).map_err(
                    |e| Error::other(format!("failed to read the passphrase for {src}: {e}")),
                )?,
            )
        }
    };
    key.decrypt(passphrase.as_bytes()).map_err(|e| match e {
        ssh_key::Error::Crypto | ssh_key::Error::Decrypted => Error::other(format!(
            "incorrect passphrase for {src} (from {ENV_PASSPHRASE} or the prompt)"
        )),
        other => Error::other(format!("failed to decrypt {src}: {other}")),
    })
}

/// Reads a passphrase for a new key: `CARGO_CRA_KEY_PASSPHRASE`, else asked twice on the
/// terminal. Empty passphrases are refused: `--encrypt` with nothing to encrypt with is a
/// mistake.
pub(crate) fn new_passphrase() -> Result<Zeroizing<String>> {
    let pass = match std::env::var(ENV_PASSPHRASE) {
        Ok(p) => Zeroizing::new(p),
        Err(_) => {
            use std::io::IsTerminal;
            if !std::io::stdin().is_terminal() {
                return Err(Error::other(format!(
                    "--encrypt needs a passphrase: set {ENV_PASSPHRASE} (there is no terminal to ask for it)"
                )));
            }
            let read = |prompt: &str| {
                rpassword::prompt_password(prompt)
                    .map(Zeroizing::new)
                    .map_err(|e| Error::other(format!("failed to read the passphrase: {e}")))
            };
            let first = read("Enter passphrase for the new key: ")?;
            let second = read("Enter the same passphrase again: ")?;
            if *first != *second {
                return Err(Error::other("the passphrases do not match"));
            }
            first
        }
    };
    if pass.is_empty() {
        return Err(Error::other(format!(
            "--encrypt needs a non-empty passphrase ({ENV_PASSPHRASE} is empty)"
        )));
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attestation_path_strips_cdx_json() {
        assert_eq!(
            attestation_path(Utf8Path::new("t/app.cdx.json")),
            "t/app.intoto.jsonl"
        );
        assert_eq!(
            attestation_path(Utf8Path::new("t/app.exe.cdx.json")),
            "t/app.exe.intoto.jsonl"
        );
        assert_eq!(
            attestation_path(Utf8Path::new("t/x.json")),
            "t/x.json.intoto.jsonl"
        );
        assert_eq!(
            attestation_path(Utf8Path::new("t/.cdx.json")),
            "t/.cdx.json.intoto.jsonl"
        );
        assert_eq!(
            signature_path(Utf8Path::new("t/app.cdx.json")),
            "t/app.cdx.json.sig"
        );
    }

    #[test]
    fn env_key_is_normalized() {
        assert_eq!(&*normalize_env_key("  a\r\nb  "), "a\nb\n");
        assert_eq!(&*normalize_env_key("a\\nb"), "a\nb\n");
    }

    #[test]
    fn public_keys_and_pem_keys_are_told_apart() {
        let src = KeySource::File("k".into());
        let e = parse_private_key(&src, "ssh-ed25519 AAAA x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("public key"), "{e}");
        let e = parse_private_key(&src, "-----BEGIN PRIVATE KEY-----\nMC4\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("PKCS#8"), "{e}");
        let e = parse_private_key(&src, "hello").unwrap_err().to_string();
        assert!(e.starts_with("k: not an OpenSSH private key"), "{e}");
    }
}
