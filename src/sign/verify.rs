//! `cargo cra verify <artifact or sbom> (--key PUB | --allowed-signers FILE --identity ID)
//! [--namespace NS] [--lockfile [Cargo.lock]] [--format human|json]`.
//!
//! Given an artifact `app`, the SBOM is `app.cdx.json`; given `app.cdx.json`, the artifact is
//! `app`, which may be absent (an SBOM downloaded on its own): then the artifact's digests
//! cannot be checked, and the output says so. The other files are found next to the SBOM:
//! `app.cdx.json.sig` and `app.intoto.jsonl`.
//!
//! Checks (each one a `{name, ok, detail}` entry of the report):
//!
//! | name | what |
//! | --- | --- |
//! | `sbom-signature` | the SSHSIG signature of the exact SBOM bytes: namespace, trusted key (or allowed_signers principal), signature |
//! | `attestation-signature` | the DSSE envelope is signed by the same key (PAE, Ed25519) |
//! | `attestation-predicate` | the statement is an in-toto Statement v1 with predicate type CycloneDX, and its predicate equals the SBOM |
//! | `attestation-subject` | the statement's subject digests (sha256, sha512) equal the artifact on disk |
//! | `sbom-artifact-hash` | the SBOM's `metadata.component.hashes` SHA-256 (and SHA-512 if present) equal the artifact |
//! | `lockfile-removed`, `lockfile-changed`, `lockfile-checksum` | with `--lockfile`: SBOM components missing from, of another version in, or with another checksum than in Cargo.lock |
//! | `lockfile` | with `--lockfile`, when all components match |
//! | `lockfile-added` | a note (always ok): packages only in Cargo.lock; the SBOM lists only what is linked into the artifact, so these are not failures |
//! | `artifact` | a note (ok) when the artifact is absent |
//!
//! Exit codes: 0 every check passed, 1 a check failed, 2 could not run. "Could not run" is a
//! missing file or one that cannot be parsed at all (SBOM not JSON, signature not an SSH
//! signature, envelope not a DSSE envelope, key not an OpenSSH Ed25519 public key). Content
//! that parses but does not verify (a changed byte inside a signature or payload, another
//! key) is a verification failure, 1: that is what tampering looks like.
//!
//! JSON output (`--format json`), one object on stdout:
//!
//! ```json
//! {"format-version": 1, "verified": false,
//!  "checks": [{"name": "sbom-signature", "ok": true, "detail": "..."}, ...]}
//! ```

use super::allowed_signers::{self, AllowedSigner};
use super::dsse::{self, Envelope};
use super::sshsig;
use super::{SBOM_SUFFIX, attestation_path, signature_path};
use crate::cli::{Format, VerifyArgs};
use crate::error::{Error, ExitCode, Result};
use crate::fsutil;
use crate::output::Printer;
use camino::{Utf8Path, Utf8PathBuf};
use serde::Serialize;
use serde_json::Value;
use ssh_key::{HashAlg, PublicKey};
use std::collections::{BTreeMap, BTreeSet};

/// Version of the JSON output of `verify`.
pub const FORMAT_VERSION: u32 = 1;

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable name (see the module docs).
    pub name: &'static str,
    /// Passed (notes are always ok).
    pub ok: bool,
    /// What was checked, or the exact reason it failed.
    pub detail: String,
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Report {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Every check passed.
    pub verified: bool,
    /// The checks, in the order run.
    pub checks: Vec<Check>,
}

/// Whom to trust.
#[derive(Debug, Clone)]
pub enum Trust {
    /// One public key (`--key`).
    Key(PublicKey),
    /// An allowed_signers file and the identity to look up (`--allowed-signers`, `--identity`).
    AllowedSigners {
        /// The file, for messages.
        path: Utf8PathBuf,
        /// Its entries.
        entries: Vec<AllowedSigner>,
        /// The signer identity.
        identity: String,
    },
}

impl Trust {
    /// Reads `--key` or `--allowed-signers`.
    pub fn from_args(args: &VerifyArgs) -> Result<Trust> {
        Trust::from_parts(
            args.key.as_deref(),
            args.allowed_signers.as_deref(),
            args.identity.as_deref(),
        )
    }

    /// Reads a public key file, or an allowed_signers file with the identity to look up.
    pub fn from_parts(
        key: Option<&Utf8Path>,
        allowed_signers: Option<&Utf8Path>,
        identity: Option<&str>,
    ) -> Result<Trust> {
        match (key, allowed_signers) {
            (Some(_), Some(_)) => Err(Error::other(
                "pass either --key or --allowed-signers, not both",
            )),
            (Some(key), None) => Ok(Trust::Key(load_public_key(key)?)),
            (None, Some(path)) => {
                let identity = identity
                    .map(str::to_string)
                    .ok_or_else(|| Error::other("--allowed-signers needs --identity"))?;
                let entries = allowed_signers::parse(path, &fsutil::read_to_string(path)?)?;
                Ok(Trust::AllowedSigners {
                    path: path.to_path_buf(),
                    entries,
                    identity,
                })
            }
            (None, None) => Err(Error::other(
                "pass --key PUBKEY or --allowed-signers FILE --identity ID",
            )),
        }
    }

    /// The keys trusted for `namespace` now.
    fn keys(&self, namespace: &str) -> Vec<&PublicKey> {
        match self {
            Trust::Key(k) => vec![k],
            Trust::AllowedSigners {
                entries, identity, ..
            } => {
                let now = time::OffsetDateTime::now_utc();
                entries
                    .iter()
                    .filter(|e| e.allows(identity, namespace, now))
                    .map(|e| &e.key)
                    .collect()
            }
        }
    }
}

/// Reads an OpenSSH Ed25519 public key file (`ssh-ed25519 AAAA... comment`).
pub fn load_public_key(path: &Utf8Path) -> Result<PublicKey> {
    let text = fsutil::read_to_string(path)?;
    if text.contains("PRIVATE KEY-----") {
        // Name the mistake, never echo the text.
        return Err(Error::malformed(
            path,
            "this is a private key: pass the public key (`KEY.pub`)",
        ));
    }
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| Error::malformed(path, "empty: expected an OpenSSH public key"))?;
    let key = PublicKey::from_openssh(line).map_err(|e| {
        Error::malformed(
            path,
            format!("not an OpenSSH public key (`ssh-ed25519 AAAA...`): {e}"),
        )
    })?;
    if key.algorithm() != ssh_key::Algorithm::Ed25519 {
        return Err(Error::malformed(
            path,
            format!(
                "an {} key: only Ed25519 keys are supported",
                key.algorithm()
            ),
        ));
    }
    Ok(key)
}

/// Runs `cargo cra verify`.
pub fn run(args: &VerifyArgs, printer: &Printer) -> Result<u8> {
    if args.key.is_some() && args.identity.is_some() && args.allowed_signers.is_none() {
        printer.warn("--identity is only used with --allowed-signers; ignored");
    }
    let trust = Trust::from_args(args)?;
    let report = verify(
        &args.path,
        &trust,
        &args.namespace,
        args.lockfile.as_deref(),
    )?;
    match args.format {
        Format::Json => {
            let json =
                serde_json::to_string_pretty(&report).map_err(|e| Error::other(e.to_string()))?;
            println!("{json}");
        }
        Format::Human => {
            for c in &report.checks {
                if c.ok {
                    printer.status("Ok", format!("{}: {}", c.name, c.detail));
                } else {
                    printer.error(&Error::other(format!("{}: {}", c.name, c.detail)));
                }
            }
        }
    }
    let failed: Vec<&Check> = report.checks.iter().filter(|c| !c.ok).collect();
    if failed.is_empty() {
        printer.loud().status("Verified", &args.path);
        Ok(ExitCode::SUCCESS)
    } else {
        if args.format == Format::Human {
            let names: Vec<&str> = failed.iter().map(|c| c.name).collect();
            printer.error(&Error::other(format!(
                "verification failed: {} ({})",
                args.path,
                names.join(", ")
            )));
        }
        Ok(ExitCode::VIOLATION)
    }
}

/// The files of one verification.
struct Files {
    sbom: Utf8PathBuf,
    /// `None`: given an SBOM whose artifact is not next to it.
    artifact: Option<Utf8PathBuf>,
}

fn locate(path: &Utf8Path) -> Result<Files> {
    if let Some(artifact) = [
        SBOM_SUFFIX,
        crate::sbom::spdx2::SUFFIX,
        crate::sbom::spdx3::SUFFIX,
    ]
    .iter()
    .find_map(|suffix| path.as_str().strip_suffix(suffix))
    .filter(|s| !s.is_empty())
    {
        let artifact = Utf8PathBuf::from(artifact);
        let artifact = artifact.is_file().then_some(artifact);
        Ok(Files {
            sbom: path.to_path_buf(),
            artifact,
        })
    } else {
        if !path.is_file() {
            return Err(Error::other(format!(
                "{path}: not found (pass the artifact or its `{SBOM_SUFFIX}` SBOM)"
            )));
        }
        Ok(Files {
            sbom: Utf8PathBuf::from(format!("{path}{SBOM_SUFFIX}")),
            artifact: Some(path.to_path_buf()),
        })
    }
}

fn read(path: &Utf8Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::read(path, e))
}

/// SHA-256 and SHA-512 (hex) of a file, streamed: release artifacts can be large.
fn digest_file(path: &Utf8Path) -> Result<(String, String)> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let (mut a, mut b) = (sha2::Sha256::new(), sha2::Sha512::new());
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::read(path, e))?;
        if n == 0 {
            break;
        }
        a.update(&buf[..n]);
        b.update(&buf[..n]);
    }
    Ok((hex::encode(a.finalize()), hex::encode(b.finalize())))
}

fn fp(key: &ssh_key::public::KeyData) -> String {
    PublicKey::new(key.clone(), "")
        .fingerprint(HashAlg::Sha256)
        .to_string()
}

/// Verifies the SBOM at (or for the artifact at) `path`. `Err` only when it could not run.
pub fn verify(
    path: &Utf8Path,
    trust: &Trust,
    namespace: &str,
    lockfile: Option<&Utf8Path>,
) -> Result<Report> {
    let files = locate(path)?;
    let sbom_bytes = read(&files.sbom)?;
    let sbom: Value = serde_json::from_slice(&sbom_bytes)
        .map_err(|e| Error::malformed(&files.sbom, format!("not a JSON SBOM: {e}")))?;
    if !sbom.is_object() {
        return Err(Error::malformed(
            &files.sbom,
            "not a CycloneDX SBOM (expected a JSON object)",
        ));
    }
    let sig = read_signature(&files.sbom)?;
    let att_path = attestation_path(&files.sbom);
    let envelopes = match &files.artifact {
        // Without the artifact, a missing attestation is expected (an SBOM published alone).
        None if !att_path.exists() => None,
        _ => Some(read_envelopes(&att_path)?),
    };
    let artifact = match &files.artifact {
        Some(p) => {
            let (sha256, sha512) = digest_file(p)?;
            Some((p.clone(), sha256, sha512))
        }
        None => None,
    };

    let mut checks = Vec::new();
    let trusted = trust.keys(namespace);
    let sig_check = check_sshsig(&sig, &sbom_bytes, namespace, trust, &trusted);
    let sig_ok = sig_check.ok;
    checks.push(sig_check);
    drop(sbom_bytes);

    // The attestation must come from the key that signed the SBOM; if that signature did not
    // verify, any trusted key will do, so that the report still says what else is wrong.
    let dsse_keys: Vec<ed25519_dalek::VerifyingKey> = if sig_ok {
        vec![ed25519_public_key(&sig.public_key)]
    } else {
        trusted.into_iter().cloned().collect()
    }
    .iter()
    .filter_map(|k| match k.key_data() {
        ssh_key::public::KeyData::Ed25519(pk) => ed25519_dalek::VerifyingKey::try_from(pk).ok(),
        _ => None,
    })
    .collect();

    match &envelopes {
        Some(envs) => check_attestation(
            &att_path,
            &files.sbom,
            envs,
            &dsse_keys,
            &sbom,
            artifact.as_ref(),
            &mut checks,
        ),
        None => checks.push(Check {
            name: "attestation-signature",
            ok: true,
            detail: format!("skipped: no attestation {att_path} (and no artifact)"),
        }),
    }

    // SPDX documents are checked through the same fields, read into CycloneDX's shape.
    let view = crate::sbom::spdx::cyclonedx_view(&sbom);
    let sbom = view.as_ref().unwrap_or(&sbom);
    match &artifact {
        Some((p, sha256, sha512)) => checks.push(check_sbom_hash(sbom, p, sha256, sha512)),
        None => checks.push(Check {
            name: "artifact",
            ok: true,
            detail: format!(
                "`{}` not found: only the SBOM's signatures were checked, not the artifact's digests",
                files.sbom.as_str().strip_suffix(SBOM_SUFFIX).unwrap_or(files.sbom.as_str())
            ),
        }),
    }

    if let Some(lock) = lockfile {
        check_lockfile(sbom, lock, &mut checks)?;
    }

    Ok(Report {
        format_version: FORMAT_VERSION,
        verified: checks.iter().all(|c| c.ok),
        checks,
    })
}

/// An Ed25519 public key as an OpenSSH one.
fn ed25519_public_key(raw: &[u8; 32]) -> PublicKey {
    PublicKey::new(
        ssh_key::public::KeyData::Ed25519(ssh_key::public::Ed25519PublicKey(*raw)),
        "",
    )
}

/// Reads the SSHSIG next to an SBOM (`<sbom>.sig`).
fn read_signature(sbom: &Utf8Path) -> Result<sshsig::Signature> {
    let sig_path = signature_path(sbom);
    sshsig::Signature::from_armored(&read(&sig_path)?)
        .map_err(|e| Error::malformed(&sig_path, format!("malformed SSH signature: {e}")))
}

/// Checks the SSHSIG next to the SBOM at `sbom` (whose bytes are `bytes`) against the trusted
/// keys: the `sbom-signature` check of `verify`, for `scan`.
pub fn check_sbom_signature(
    sbom: &Utf8Path,
    bytes: &[u8],
    trust: &Trust,
    namespace: &str,
) -> Result<Check> {
    let sig = read_signature(sbom)?;
    Ok(check_sshsig(
        &sig,
        bytes,
        namespace,
        trust,
        &trust.keys(namespace),
    ))
}

fn check_sshsig(
    sig: &sshsig::Signature,
    sbom: &[u8],
    namespace: &str,
    trust: &Trust,
    trusted: &[&PublicKey],
) -> Check {
    let name = "sbom-signature";
    let fail = |detail: String| Check {
        name,
        ok: false,
        detail,
    };
    if sig.namespace != namespace.as_bytes() {
        return fail(format!(
            "the signature is for namespace `{}`, expected `{namespace}`",
            sig.namespace_lossy()
        ));
    }
    let signer = ed25519_public_key(&sig.public_key);
    let signer = signer.key_data();
    if !trusted.iter().any(|k| k.key_data() == signer) {
        return fail(match trust {
            Trust::Key(k) => format!(
                "signed by {}, not by the given key {}",
                fp(signer),
                fp(k.key_data())
            ),
            Trust::AllowedSigners { path, identity, .. } => format!(
                "signed by {}, which {path} does not allow for `{identity}` in namespace `{namespace}`",
                fp(signer)
            ),
        });
    }
    if sig.verify(namespace, sbom) {
        Check {
            name,
            ok: true,
            detail: format!(
                "SSHSIG by {} (namespace `{namespace}`, {})",
                fp(signer),
                sig.hash_alg
            ),
        }
    } else {
        fail(format!(
            "bad signature by {}: the SBOM or its .sig was changed",
            fp(signer)
        ))
    }
}

/// Reads the attestation: one DSSE envelope per non-empty line.
fn read_envelopes(path: &Utf8Path) -> Result<Vec<Envelope>> {
    let text = fsutil::read_to_string(path)?;
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let env: Envelope = serde_json::from_str(line).map_err(|e| {
            Error::malformed(path, format!("line {}: not a DSSE envelope: {e}", i + 1))
        })?;
        if let Err(e) = env.check_form() {
            return Err(Error::malformed(
                path,
                format!("line {}: not a valid DSSE envelope: {e}", i + 1),
            ));
        }
        out.push(env);
    }
    if out.is_empty() {
        return Err(Error::malformed(path, "empty: expected a DSSE envelope"));
    }
    Ok(out)
}

fn check_attestation(
    path: &Utf8Path,
    path_sbom: &Utf8Path,
    envs: &[Envelope],
    keys: &[ed25519_dalek::VerifyingKey],
    sbom: &Value,
    artifact: Option<&(Utf8PathBuf, String, String)>,
    checks: &mut Vec<Check>,
) {
    let Some(env) = envs.iter().find(|e| keys.iter().any(|k| e.verify_with(k))) else {
        checks.push(Check {
            name: "attestation-signature",
            ok: false,
            detail: if keys.is_empty() {
                format!("{path}: no trusted Ed25519 key to check it with")
            } else {
                format!("{path}: no valid signature by the SBOM's signing key: the envelope was changed or signed by another key")
            },
        });
        for name in ["attestation-predicate", "attestation-subject"] {
            checks.push(Check {
                name,
                ok: false,
                detail: "not checked: the attestation's signature did not verify".into(),
            });
        }
        return;
    };
    checks.push(Check {
        name: "attestation-signature",
        ok: true,
        detail: format!("{path}: DSSE signature valid"),
    });

    // Signed, so the payload is what the signer wrote; it can still be wrong.
    let statement = env.payload_bytes().and_then(|b| parse_statement(&b, sbom));
    let (statement, predicate_equal) = match statement {
        Some(s) if env.payload_type == dsse::IN_TOTO_PAYLOAD_TYPE => s,
        _ => {
            for name in ["attestation-predicate", "attestation-subject"] {
                checks.push(Check {
                    name,
                    ok: false,
                    detail: format!(
                        "the payload is not an in-toto statement (type `{}`)",
                        env.payload_type
                    ),
                });
            }
            return;
        }
    };
    let predicate = if statement["_type"] != dsse::STATEMENT_TYPE {
        Check {
            name: "attestation-predicate",
            ok: false,
            detail: format!(
                "`_type` is {}, expected `{}`",
                statement["_type"],
                dsse::STATEMENT_TYPE
            ),
        }
    } else if statement["predicateType"] != crate::sign::predicate_type_of(path_sbom) {
        Check {
            name: "attestation-predicate",
            ok: false,
            detail: format!(
                "`predicateType` is {}, expected `{}`",
                statement["predicateType"],
                crate::sign::predicate_type_of(path_sbom)
            ),
        }
    } else if !predicate_equal {
        Check {
            name: "attestation-predicate",
            ok: false,
            detail: "the attested SBOM differs from the SBOM file".into(),
        }
    } else {
        Check {
            name: "attestation-predicate",
            ok: true,
            detail: "the attested SBOM equals the SBOM file".into(),
        }
    };
    checks.push(predicate);

    let Some((art_path, sha256, sha512)) = artifact else {
        checks.push(Check {
            name: "attestation-subject",
            ok: true,
            detail: "skipped: no artifact".into(),
        });
        return;
    };
    let subjects = statement["subject"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let matches = |s: &Value| {
        let d = &s["digest"];
        let (a, b) = (d["sha256"].as_str(), d["sha512"].as_str());
        (a.is_some() || b.is_some())
            && a.is_none_or(|a| a.eq_ignore_ascii_case(sha256))
            && b.is_none_or(|b| b.eq_ignore_ascii_case(sha512))
    };
    checks.push(match subjects.iter().find(|s| matches(s)) {
        Some(s) => Check {
            name: "attestation-subject",
            ok: true,
            detail: format!(
                "subject `{}` matches {art_path} (sha256 {sha256})",
                s["name"].as_str().unwrap_or("")
            ),
        },
        None => Check {
            name: "attestation-subject",
            ok: false,
            detail: format!(
                "no subject digest matches {art_path} (sha256 {sha256}); attested: {}",
                subjects
                    .iter()
                    .map(|s| s["digest"]["sha256"].as_str().unwrap_or("?"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    });
}

/// The in-toto statement in `payload` without its `predicate`, and whether the predicate
/// equals `sbom` as a JSON value. The predicate is compared while it is parsed ([`JsonEq`]):
/// a second tree of a large SBOM would double verify's memory. `None`: not JSON.
fn parse_statement(payload: &[u8], sbom: &Value) -> Option<(Value, bool)> {
    let starts_object = payload
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    if !starts_object {
        // Not an object (so no statement): parsed as it is, for the message.
        let v: Value = serde_json::from_slice(payload).ok()?;
        return Some((v, false));
    }
    let mut de = serde_json::Deserializer::from_slice(payload);
    let parsed = serde::de::DeserializeSeed::deserialize(StatementSeed(sbom), &mut de).ok()?;
    de.end().ok()?;
    Some(parsed)
}

/// Deserializes a JSON object into its members except `predicate`, which is compared with
/// the SBOM instead of kept. A repeated `predicate` never equals (fail closed).
struct StatementSeed<'a>(&'a Value);

impl<'de> serde::de::DeserializeSeed<'de> for StatementSeed<'_> {
    type Value = (Value, bool);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(Value, bool), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for StatementSeed<'_> {
    type Value = (Value, bool);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an in-toto statement (a JSON object)")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<(Value, bool), A::Error> {
        let mut out = serde_json::Map::new();
        let mut predicate: Option<bool> = None;
        while let Some(k) = m.next_key::<String>()? {
            if k == "predicate" {
                let eq = m.next_value_seed(JsonEq(Some(self.0)))?;
                predicate = Some(predicate.is_none() && eq);
            } else {
                let v: Value = m.next_value()?;
                out.insert(k, v);
            }
        }
        Ok((Value::Object(out), predicate.unwrap_or(false)))
    }
}

/// Whether the JSON value being deserialized equals the expected one (`None`: nothing is
/// expected any more, the rest is only consumed), with [`Value`]'s equality: numbers by
/// representation, objects regardless of member order. A repeated member never equals.
struct JsonEq<'a>(Option<&'a Value>);

impl<'de> serde::de::DeserializeSeed<'de> for JsonEq<'_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for JsonEq<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<bool, E> {
        Ok(self.0.and_then(Value::as_bool) == Some(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<bool, E> {
        Ok(self.0 == Some(&Value::from(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<bool, E> {
        Ok(self.0 == Some(&Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<bool, E> {
        Ok(self.0.is_some_and(|e| e.is_f64() && e.as_f64() == Some(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(self.0.and_then(Value::as_str) == Some(v))
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(self.0.is_some_and(Value::is_null))
    }

    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(self.0.is_some_and(Value::is_null))
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let expected = self.0.and_then(Value::as_array);
        let mut eq = expected.is_some();
        let mut n = 0;
        loop {
            let e = expected.and_then(|a| a.get(n));
            match seq.next_element_seed(JsonEq(e))? {
                Some(same) => eq &= same && e.is_some(),
                None => break,
            }
            n += 1;
        }
        Ok(eq && expected.is_some_and(|a| a.len() == n))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
        let expected = self.0.and_then(Value::as_object);
        let mut eq = expected.is_some();
        let mut seen = std::collections::HashSet::new();
        while let Some(k) = m.next_key::<String>()? {
            let e = expected.and_then(|o| o.get(&k));
            let same = m.next_value_seed(JsonEq(e))?;
            eq &= same && e.is_some() && seen.insert(k);
        }
        Ok(eq && expected.is_some_and(|o| o.len() == seen.len()))
    }
}

fn check_sbom_hash(sbom: &Value, artifact: &Utf8Path, sha256: &str, sha512: &str) -> Check {
    let name = "sbom-artifact-hash";
    let hashes = sbom["metadata"]["component"]["hashes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let find = |alg: &str| {
        hashes
            .iter()
            .find(|h| h["alg"] == alg)
            .and_then(|h| h["content"].as_str())
    };
    let Some(sbom256) = find("SHA-256") else {
        return Check {
            name,
            ok: false,
            detail: "the SBOM's metadata.component has no SHA-256 hash".into(),
        };
    };
    if !sbom256.eq_ignore_ascii_case(sha256) {
        return Check {
            name,
            ok: false,
            detail: format!("{artifact} has SHA-256 {sha256}, the SBOM says {sbom256}"),
        };
    }
    if let Some(sbom512) = find("SHA-512")
        && !sbom512.eq_ignore_ascii_case(sha512)
    {
        return Check {
            name,
            ok: false,
            detail: format!("{artifact} has SHA-512 {sha512}, the SBOM says {sbom512}"),
        };
    }
    Check {
        name,
        ok: true,
        detail: format!("{artifact} matches the SBOM's metadata.component hash"),
    }
}

/// `(name, version)` of a `pkg:cargo/name@version[?qualifiers][#subpath]` purl (the version
/// as written, decoded: the lockfile comparison needs no semver).
fn cargo_purl(purl: &str) -> Option<(String, String)> {
    let p = crate::purl::parse(purl).filter(|p| p.ty == "cargo" && p.namespace.is_none())?;
    Some((p.name, p.version?))
}

/// Every component (nested ones too) with a cargo purl: `(name, version) -> SHA-256`.
fn sbom_cargo_components(sbom: &Value) -> BTreeMap<(String, String), Option<String>> {
    fn walk(v: &Value, out: &mut BTreeMap<(String, String), Option<String>>) {
        for c in v.as_array().map(Vec::as_slice).unwrap_or_default() {
            if let Some(id) = c["purl"].as_str().and_then(cargo_purl) {
                let sha = c["hashes"]
                    .as_array()
                    .and_then(|hs| hs.iter().find(|h| h["alg"] == "SHA-256"))
                    .and_then(|h| h["content"].as_str())
                    .map(str::to_ascii_lowercase);
                out.entry(id).or_insert(sha);
            }
            walk(&c["components"], out);
        }
    }
    let mut out = BTreeMap::new();
    walk(&sbom["components"], &mut out);
    out
}

fn check_lockfile(sbom: &Value, path: &Utf8Path, checks: &mut Vec<Check>) -> Result<()> {
    if !path.is_file() {
        return Err(Error::other(format!(
            "{path}: not found (`--lockfile` needs a Cargo.lock)"
        )));
    }
    let (lock, _) = crate::workspace::read_lockfile(path)?;
    // name -> version -> checksum
    let mut locked: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
    for p in &lock.packages {
        locked
            .entry(p.name.as_str().to_owned())
            .or_default()
            .insert(
                p.version.to_string(),
                p.checksum
                    .as_ref()
                    .and_then(|c| c.as_sha256())
                    .map(hex::encode),
            );
    }
    let components = sbom_cargo_components(sbom);
    let mut failures = 0;
    let mut changed_names = BTreeSet::new();
    for ((name, version), sha) in &components {
        let Some(versions) = locked.get(name) else {
            failures += 1;
            checks.push(Check {
                name: "lockfile-removed",
                ok: false,
                detail: format!("{name} {version} is in the SBOM but not in {path}"),
            });
            continue;
        };
        match versions.get(version) {
            None => {
                failures += 1;
                changed_names.insert(name.clone());
                let now: Vec<&str> = versions.keys().map(String::as_str).collect();
                checks.push(Check {
                    name: "lockfile-changed",
                    ok: false,
                    detail: format!(
                        "{name} is {version} in the SBOM, {} in {path}",
                        now.join(", ")
                    ),
                });
            }
            Some(locked_sha) => {
                if let (Some(a), Some(b)) = (sha, locked_sha)
                    && a != b
                {
                    failures += 1;
                    checks.push(Check {
                        name: "lockfile-checksum",
                        ok: false,
                        detail: format!(
                            "{name} {version}: the SBOM's SHA-256 is {a}, {path} has checksum {b}"
                        ),
                    });
                }
            }
        }
    }
    if failures == 0 {
        checks.push(Check {
            name: "lockfile",
            ok: true,
            detail: format!(
                "{} cargo components of the SBOM match {path}",
                components.len()
            ),
        });
    }
    // The artifact's own package is in Cargo.lock but is the SBOM's root, not a component.
    let root = sbom["metadata"]["component"]["purl"]
        .as_str()
        .and_then(cargo_purl);
    let only_locked: Vec<String> = locked
        .iter()
        .filter(|(name, _)| !changed_names.contains(*name))
        .flat_map(|(name, vs)| vs.keys().map(move |v| (name, v)))
        .map(|(n, v)| (n.clone(), v.clone()))
        .filter(|id| !components.contains_key(id) && root.as_ref() != Some(id))
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    if !only_locked.is_empty() {
        checks.push(Check {
            name: "lockfile-added",
            ok: true,
            detail: format!(
                "note: {} package(s) in {path} are not in the SBOM (not linked into the artifact, or added since): {}",
                only_locked.len(),
                only_locked.join(", ")
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        assert_eq!(
            cargo_purl("pkg:cargo/serde@1.0.0"),
            Some(("serde".into(), "1.0.0".into()))
        );
        assert_eq!(
            cargo_purl("pkg:cargo/x@1.0.0%2Bbuild?repository_url=https://r#sub"),
            Some(("x".into(), "1.0.0+build".into()))
        );
        assert_eq!(cargo_purl("pkg:npm/x@1"), None);
        assert_eq!(cargo_purl("pkg:cargo/x"), None);
    }

    #[test]
    fn predicates_are_compared_as_json_values_while_parsed() {
        let sbom = serde_json::json!({"a": [1, -2, 2.5, "x", null, true, {"b": {}}], "c": "d"});
        let stmt = |pred: &str| format!(r#"{{"_type": "t", "predicate": {pred}, "subject": []}}"#);
        let eq = |pred: &str| {
            let (rest, eq) = parse_statement(stmt(pred).as_bytes(), &sbom).unwrap();
            assert_eq!(rest, serde_json::json!({"_type": "t", "subject": []}));
            // The same verdict as comparing two trees.
            let full: Value = serde_json::from_str(&stmt(pred)).unwrap();
            if !pred.contains("\"c\": \"d\", \"c\"") {
                assert_eq!(eq, full["predicate"] == sbom, "{pred}");
            }
            eq
        };
        assert!(eq(
            r#"{"c": "d", "a": [1, -2, 2.5, "x", null, true, {"b": {}}]}"#
        ));
        for differs in [
            r#"{"c": "d", "a": [1, -2, 2.5, "x", null, true, {"b": {}}], "e": 1}"#,
            r#"{"c": "d", "a": [1, -2, 2.5, "x", null, true, {"b": {}}, 0]}"#,
            r#"{"c": "d", "a": [1, -2, 2.5, "x", null, true]}"#,
            r#"{"c": "d", "a": [1.0, -2, 2.5, "x", null, true, {"b": {}}]}"#,
            r#"{"c": "d", "a": [1, -2, 2.5, "y", null, true, {"b": {}}]}"#,
            r#"{"c": "d", "a": [1, -2, 2.5, "x", false, true, {"b": {}}]}"#,
            r#"{"c": "d", "a": [1, -2, 2.5, "x", null, true, {"b": []}]}"#,
            r#"{"c": "d", "a": {"0": 1}}"#,
            r#"{"c": "d"}"#,
            r#"[1]"#,
            r#""x""#,
            r#"{"c": "d", "c": "d", "a": [1, -2, 2.5, "x", null, true, {"b": {}}]}"#,
        ] {
            assert!(!eq(differs), "{differs}");
        }
        // No predicate, two predicates, not an object, not JSON.
        assert!(!parse_statement(br#"{"_type": "t"}"#, &sbom).unwrap().1);
        let two = r#"{"predicate": {"c": "d", "a": [1, -2, 2.5, "x", null, true, {"b": {}}]}, "predicate": {"c": "d", "a": [1, -2, 2.5, "x", null, true, {"b": {}}]}}"#;
        assert!(!parse_statement(two.as_bytes(), &sbom).unwrap().1);
        assert_eq!(
            parse_statement(b"[1, 2]", &sbom),
            Some((serde_json::json!([1, 2]), false))
        );
        assert_eq!(parse_statement(b"{\"predicate\": ", &sbom), None);
        assert_eq!(parse_statement(b"{} x", &sbom), None);
    }

    #[test]
    fn nested_components_are_found() {
        let sbom = serde_json::json!({"components": [
            {"purl": "pkg:cargo/a@1.0.0", "hashes": [{"alg": "SHA-256", "content": "AB"}],
             "components": [{"purl": "pkg:cargo/b@2.0.0"}]},
            {"purl": "pkg:generic/c@1"}
        ]});
        let c = sbom_cargo_components(&sbom);
        assert_eq!(c.len(), 2);
        assert_eq!(
            c[&("a".to_string(), "1.0.0".to_string())].as_deref(),
            Some("ab")
        );
    }
}
