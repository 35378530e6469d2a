//! Signed SBOMs end to end: `cargo cra keygen`, the signing API, `cargo cra verify`, and
//! interoperability with the real `ssh-keygen` (`-Y sign`, `-Y verify`, `-Y check-novalidate`,
//! keys made by `ssh-keygen -t ed25519`, encrypted ones included).
//!
//! Hermetic: every key is a throwaway generated in a temporary directory; no network. The
//! SBOM and the artifact are written by hand (a small valid CycloneDX document), since the
//! SBOM command is tested elsewhere.
//!
//! Behaviour that depends on environment variables (`CARGO_CRA_SIGNING_KEY`,
//! `CARGO_CRA_KEY_PASSPHRASE`, ...) runs in a child process: this test binary re-runs itself
//! with only the [`child_sign`] test selected and the variables set, because changing the
//! environment of a multi-threaded test process is unsound (and `unsafe` is forbidden here).
//!
//! `ssh-keygen` is required: if it is missing the tests fail, they do not skip (CI installs
//! openssh-client).

use camino::{Utf8Path, Utf8PathBuf};
use cargo_cra::fsutil::{sha256_hex, sha512_hex};
use cargo_cra::sign::{self, KeySource, Signer};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

const NS: &str = "cargo-cra-sbom";
const ID: &str = "release@example.com";
/// The checksum recorded for `smallfmt 1.0.0` in the hand-written SBOM and Cargo.lock.
const SMALLFMT_SUM: &str = "5f4c5b0bc3d6d7e3f0c8f7a3b1d7b6f1f6e0c1a2b3c4d5e6f708192a3b4c5d6e";

/// Output of a command.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn of(cmd: &mut Command) -> Out {
        let o = cmd
            .stdin(Stdio::null())
            .output()
            .expect("failed to run command");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    fn code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// `cargo-cra cra ...` with a scrubbed environment (no CARGO_CRA_* from the developer).
fn cra() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-cra"));
    c.arg("cra")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1");
    c
}

/// `ssh-keygen`, which must be installed: a missing one fails the test, it never skips.
fn ssh_keygen() -> Command {
    let found = [
        "/usr/bin/ssh-keygen",
        "/bin/ssh-keygen",
        "/usr/local/bin/ssh-keygen",
    ]
    .into_iter()
    .find(|p| Path::new(p).is_file())
    .map(Into::into)
    .or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join("ssh-keygen"))
            .find(|p| p.is_file())
    });
    let Some(path) = found else {
        panic!(
            "ssh-keygen not found: these interoperability tests need it (install openssh-client; .ci/run does)"
        );
    };
    let mut c = Command::new(path);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    c
}

fn utf8(p: &Path) -> Utf8PathBuf {
    Utf8PathBuf::from_path_buf(p.to_path_buf()).expect("utf-8 temp path")
}

/// A temporary directory with an artifact `demo-app` and its SBOM `demo-app.cdx.json`.
struct Fixture {
    _dir: tempfile::TempDir,
    root: Utf8PathBuf,
    artifact: Utf8PathBuf,
    sbom: Utf8PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = utf8(dir.path());
        let artifact = root.join("demo-app");
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
        fs::write(&artifact, &bytes).unwrap();
        let sbom = root.join("demo-app.cdx.json");
        fs::write(&sbom, sbom_json(&sha256_hex(&bytes))).unwrap();
        Fixture {
            _dir: dir,
            root,
            artifact,
            sbom,
        }
    }

    fn sig(&self) -> Utf8PathBuf {
        self.root.join("demo-app.cdx.json.sig")
    }

    fn envelope(&self) -> Utf8PathBuf {
        self.root.join("demo-app.intoto.jsonl")
    }

    /// Signs the SBOM with the library API, as `cargo cra sbom --sign` does.
    fn sign(&self, signer: &Signer) -> sign::SignedFiles {
        let art = fs::read(&self.artifact).unwrap();
        let sbom = fs::read(&self.sbom).unwrap();
        sign::sign_artifact_sbom(
            signer,
            NS,
            &self.sbom,
            &sbom,
            "demo-app",
            (&sha256_hex(&art), &sha512_hex(&art)),
        )
        .unwrap()
    }

    /// A key pair made by `cargo cra keygen`: (private, public).
    fn keygen(&self, name: &str) -> (Utf8PathBuf, Utf8PathBuf) {
        let key = self.root.join(name);
        cra()
            .args(["keygen", "--out", key.as_str(), "--identity", ID])
            .output()
            .unwrap();
        assert!(key.is_file(), "keygen wrote no key");
        (key.clone(), Utf8PathBuf::from(format!("{key}.pub")))
    }

    /// A key pair made by `ssh-keygen -t ed25519` (passphrase `pass`, empty: none).
    fn ssh_keygen(&self, name: &str, kind: &str, pass: &str) -> (Utf8PathBuf, Utf8PathBuf) {
        let key = self.root.join(name);
        Out::of(ssh_keygen().args(["-q", "-t", kind, "-N", pass, "-C", ID, "-f", key.as_str()]))
            .code(0);
        (key.clone(), Utf8PathBuf::from(format!("{key}.pub")))
    }

    fn verify(&self, target: &Utf8Path, pubkey: &Utf8Path, extra: &[&str]) -> Out {
        Out::of(
            cra()
                .args(["verify", target.as_str(), "--key", pubkey.as_str()])
                .args(extra),
        )
    }

    /// Writes an allowed_signers file for `pubkey` with this principals/options prefix.
    fn allowed_signers(&self, prefix: &str, pubkey: &Utf8Path) -> Utf8PathBuf {
        let p = self.root.join("allowed_signers");
        let key = fs::read_to_string(pubkey).unwrap();
        fs::write(&p, format!("# test\n{prefix} {key}")).unwrap();
        p
    }
}

/// A small CycloneDX 1.6 SBOM whose root component has the artifact's SHA-256.
fn sbom_json(artifact_sha256: &str) -> String {
    let v = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2026-12-01T00:00:00Z",
            "component": {
                "type": "application",
                "bom-ref": "pkg:cargo/demo-app@0.1.0",
                "name": "demo-app",
                "version": "0.1.0",
                "purl": "pkg:cargo/demo-app@0.1.0",
                "hashes": [{ "alg": "SHA-256", "content": artifact_sha256 }]
            }
        },
        "components": [
            {
                "type": "library",
                "bom-ref": "pkg:cargo/smallfmt@1.0.0",
                "name": "smallfmt",
                "version": "1.0.0",
                "purl": "pkg:cargo/smallfmt@1.0.0",
                "hashes": [{ "alg": "SHA-256", "content": SMALLFMT_SUM }],
                "components": [{
                    "type": "library", "name": "tinyutil", "version": "0.2.0",
                    "purl": "pkg:cargo/tinyutil@0.2.0"
                }]
            },
            { "type": "library", "name": "libz", "version": "1.3", "purl": "pkg:generic/libz@1.3" }
        ]
    });
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

fn signer(key: &Utf8Path) -> Signer {
    Signer::load(&KeySource::File(key.to_path_buf())).unwrap()
}

/// Replaces the byte at `at` of `path` with `with`.
fn poke(path: &Utf8Path, at: usize, with: u8) {
    let mut b = fs::read(path).unwrap();
    assert_ne!(b[at], with, "the tamper must change the byte");
    b[at] = with;
    fs::write(path, b).unwrap();
}

/// A different base64 character than `c`.
fn other_b64(c: u8) -> u8 {
    if c == b'A' { b'B' } else { b'A' }
}

#[cfg(unix)]
fn mode(p: &Utf8Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn chmod(p: &Utf8Path, m: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
}

// --- the child process (see the module docs) -----------------------------------------------

/// When `CARGO_CRA_TEST_CHILD_SBOM` is set (the child process), loads the signing key the
/// way `cargo cra sbom --sign` does (`CARGO_CRA_TEST_CHILD_CLI_KEY` standing for `--sign`,
/// then the environment), signs that SBOM and exits with 0 or the error's exit code. Run as
/// an ordinary test (the parent), it checks that a child given a key in
/// `CARGO_CRA_SIGNING_KEY_FILE` signs with it, so it never passes without asserting.
#[test]
fn child_sign() {
    let Ok(sbom) = std::env::var("CARGO_CRA_TEST_CHILD_SBOM") else {
        let fx = Fixture::new();
        let (key, pubkey) = fx.keygen("k");
        let out = sign_in_child(&fx, None, &[("CARGO_CRA_SIGNING_KEY_FILE", key.as_str())]);
        out.code(0);
        assert!(
            out.stdout
                .contains(&format!("CHILD-KEYID {}", signer(&key).keyid())),
            "{}",
            out.stdout
        );
        fx.verify(&fx.artifact, &pubkey, &[]).code(0);
        return;
    };
    let sbom = Utf8PathBuf::from(sbom);
    let cli = std::env::var("CARGO_CRA_TEST_CHILD_CLI_KEY")
        .ok()
        .map(Utf8PathBuf::from);
    let result = (|| {
        let src = sign::resolve_key_source(cli.as_deref(), None)
            .ok_or_else(|| cargo_cra::error::Error::other("no signing key configured"))?;
        let signer = Signer::load(&src)?;
        let artifact = fs::read(sbom.as_str().strip_suffix(".cdx.json").unwrap()).unwrap();
        let bytes = fs::read(&sbom).unwrap();
        sign::sign_artifact_sbom(
            &signer,
            NS,
            &sbom,
            &bytes,
            "demo-app",
            (&sha256_hex(&artifact), &sha512_hex(&artifact)),
        )?;
        Ok::<_, cargo_cra::error::Error>(signer.keyid())
    })();
    match result {
        Ok(keyid) => {
            println!("CHILD-KEYID {keyid}");
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("CHILD-ERROR {e}");
            std::process::exit(i32::from(e.exit_code()));
        }
    }
}

/// Runs [`child_sign`] for `fx` with `cli_key` (as `--sign`) and extra variables.
fn sign_in_child(fx: &Fixture, cli_key: Option<&Utf8Path>, vars: &[(&str, &str)]) -> Out {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["child_sign", "--exact", "--nocapture", "--test-threads=1"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CARGO_CRA_TEST_CHILD_SBOM", fx.sbom.as_str());
    if let Some(k) = cli_key {
        c.env("CARGO_CRA_TEST_CHILD_CLI_KEY", k.as_str());
    }
    c.envs(vars.iter().copied());
    Out::of(&mut c)
}

// --- keygen, sign, verify --------------------------------------------------------------------

#[test]
fn keygen_sign_verify_round_trip() {
    let fx = Fixture::new();
    let key = fx.root.join("release-key");
    let out = Out::of(cra().args(["keygen", "--out", key.as_str(), "--identity", ID]));
    out.code(0);
    let public = fs::read_to_string(format!("{key}.pub")).unwrap();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "stdout: {}", out.stdout);
    assert_eq!(lines[0], public.trim());
    assert!(
        public.starts_with("ssh-ed25519 AAAA") && public.trim().ends_with(ID),
        "{public}"
    );
    let key_b64 = public.split_whitespace().nth(1).unwrap();
    assert_eq!(
        lines[1],
        format!("{ID} namespaces=\"{NS}\" ssh-ed25519 {key_b64}")
    );
    assert!(
        fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
    );
    assert!(
        !out.stdout.contains("PRIVATE") && !out.stderr.contains("PRIVATE"),
        "key material printed"
    );
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);

    let s = signer(&key);
    assert_eq!(s.public_key_openssh().trim(), public.trim());
    assert!(s.keyid().starts_with("SHA256:"));
    let files = fx.sign(&s);
    assert_eq!(files.signature, fx.sig());
    assert_eq!(files.attestation, fx.envelope());
    assert!(
        fs::read_to_string(fx.sig())
            .unwrap()
            .starts_with("-----BEGIN SSH SIGNATURE-----")
    );
    let env = fs::read_to_string(fx.envelope()).unwrap();
    assert_eq!(env.matches('\n').count(), 1, "one JSON line: {env}");
    assert!(env.ends_with('\n'));

    let pubkey = Utf8PathBuf::from(format!("{key}.pub"));
    let out = fx.verify(&fx.artifact, &pubkey, &[]);
    out.code(0);
    assert!(out.stderr.contains("Verified"), "{}", out.stderr);
    // Given the SBOM instead of the artifact.
    fx.verify(&fx.sbom, &pubkey, &[]).code(0);
    // Through the allowed_signers line keygen printed.
    let allowed = fx.root.join("allowed_signers");
    fs::write(&allowed, format!("{}\n", lines[1])).unwrap();
    let args = [
        "verify",
        fx.artifact.as_str(),
        "--allowed-signers",
        allowed.as_str(),
    ];
    Out::of(cra().args(args).args(["--identity", ID])).code(0);
    let out = Out::of(cra().args(args).args(["--identity", "mallory@example.com"]));
    out.code(1);
    assert!(
        out.stderr
            .contains("does not allow for `mallory@example.com`"),
        "{}",
        out.stderr
    );
}

#[test]
fn attestation_is_a_dsse_in_toto_statement() {
    let fx = Fixture::new();
    let (key, _) = fx.keygen("k");
    let s = signer(&key);
    fx.sign(&s);
    let env: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fx.envelope()).unwrap()).unwrap();
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(env["signatures"][0]["keyid"], s.keyid());
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicateType"], "https://cyclonedx.org/bom");
    let art = fs::read(&fx.artifact).unwrap();
    assert_eq!(st["subject"][0]["name"], "demo-app");
    assert_eq!(st["subject"][0]["digest"]["sha256"], sha256_hex(&art));
    assert_eq!(st["subject"][0]["digest"]["sha512"], sha512_hex(&art));
    let sbom: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&fx.sbom).unwrap()).unwrap();
    assert_eq!(st["predicate"], sbom);
    // The signature covers the DSSE pre-authentication encoding.
    let sig = base64::engine::general_purpose::STANDARD
        .decode(env["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    let pae = sign::dsse::pae("application/vnd.in-toto+json", &payload);
    let ssh_key::public::KeyData::Ed25519(pk) = s.public_key().key_data() else {
        panic!("not ed25519")
    };
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&pk.0).unwrap();
    vk.verify_strict(&pae, &ed25519_dalek::Signature::from_slice(&sig).unwrap())
        .unwrap();
}

#[test]
fn json_output() {
    let fx = Fixture::new();
    let (key, pubkey) = fx.keygen("k");
    fx.sign(&signer(&key));
    let out = fx.verify(&fx.artifact, &pubkey, &["--format", "json"]);
    out.code(0);
    let v: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("one JSON object on stdout");
    assert_eq!(v["format-version"], 1);
    assert_eq!(v["verified"], true);
    let names: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "sbom-signature",
            "attestation-signature",
            "attestation-predicate",
            "attestation-subject",
            "sbom-artifact-hash"
        ]
    );
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true && c["detail"].is_string())
    );

    poke(&fx.artifact, 0, b'x');
    let out = fx.verify(&fx.artifact, &pubkey, &["--format", "json"]);
    out.code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["attestation-subject", "sbom-artifact-hash"]);
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let fx = Fixture::new();
    let (key, _) = fx.keygen("k");
    let before = fs::read(&key).unwrap();
    let out = Out::of(cra().args(["keygen", "--out", key.as_str()]));
    out.code(2);
    assert!(
        out.stderr.contains("already exists") && out.stderr.contains("--force"),
        "{}",
        out.stderr
    );
    assert_eq!(fs::read(&key).unwrap(), before);
    Out::of(cra().args(["keygen", "--out", key.as_str(), "--force"])).code(0);
    assert_ne!(fs::read(&key).unwrap(), before);
}

#[test]
fn keygen_encrypt_uses_the_passphrase_variable() {
    let fx = Fixture::new();
    let key = fx.root.join("enc");
    // Without a passphrase and without a terminal: a clear error, no file.
    let out = Out::of(cra().args(["keygen", "--out", key.as_str(), "--encrypt"]));
    out.code(2);
    assert!(
        out.stderr.contains("CARGO_CRA_KEY_PASSPHRASE"),
        "{}",
        out.stderr
    );
    assert!(!key.exists());

    Out::of(
        cra()
            .args(["keygen", "--out", key.as_str(), "--encrypt"])
            .env("CARGO_CRA_KEY_PASSPHRASE", "s3cret"),
    )
    .code(0);
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);
    // ssh-keygen reads our encrypted key with the passphrase, and only with it.
    let out = Out::of(ssh_keygen().args(["-y", "-P", "s3cret", "-f", key.as_str()]));
    out.code(0);
    let public = fs::read_to_string(format!("{key}.pub")).unwrap();
    assert_eq!(
        out.stdout.split_whitespace().nth(1),
        public.split_whitespace().nth(1)
    );
    assert_ne!(
        Out::of(ssh_keygen().args(["-y", "-P", "wrong", "-f", key.as_str()])).code,
        0
    );
    // And so do we.
    sign_in_child(&fx, Some(&key), &[("CARGO_CRA_KEY_PASSPHRASE", "s3cret")]).code(0);
    fx.verify(&fx.artifact, Utf8Path::new(&format!("{key}.pub")), &[])
        .code(0);
}

// --- interoperability with ssh-keygen ----------------------------------------------------------

#[test]
fn ssh_keygen_verifies_our_signature() {
    let fx = Fixture::new();
    let (key, pubkey) = fx.keygen("k");
    fx.sign(&signer(&key));
    let allowed = fx.allowed_signers(&format!("{ID} namespaces=\"{NS}\""), &pubkey);
    let o = ssh_keygen()
        .args([
            "-Y",
            "verify",
            "-f",
            allowed.as_str(),
            "-I",
            ID,
            "-n",
            NS,
            "-s",
            fx.sig().as_str(),
        ])
        .stdin(fs::File::open(&fx.sbom).unwrap())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "ssh-keygen -Y verify rejected our signature: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("Good \"cargo-cra-sbom\" signature for release@example.com")
    );

    let o = ssh_keygen()
        .args(["-Y", "check-novalidate", "-n", NS, "-s", fx.sig().as_str()])
        .stdin(fs::File::open(&fx.sbom).unwrap())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "ssh-keygen -Y check-novalidate failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    // And it rejects the signature for a changed SBOM, as we do.
    let mut changed = fs::read(&fx.sbom).unwrap();
    let at = String::from_utf8_lossy(&changed).find("demo-app").unwrap();
    changed[at] = b'D';
    let o = ssh_keygen()
        .args([
            "-Y",
            "verify",
            "-f",
            allowed.as_str(),
            "-I",
            ID,
            "-n",
            NS,
            "-s",
            fx.sig().as_str(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&changed)?;
            child.wait()
        })
        .unwrap();
    assert!(!o.success(), "ssh-keygen accepted a changed SBOM");
}

#[test]
fn we_verify_a_signature_made_by_ssh_keygen() {
    let fx = Fixture::new();
    let (key, pubkey) = fx.ssh_keygen("id_ed25519", "ed25519", "");
    // Our signer loads ssh-keygen's key (and makes the attestation with it) ...
    fx.sign(&signer(&key));
    // ... but the SBOM signature is ssh-keygen's own.
    fs::remove_file(fx.sig()).unwrap();
    Out::of(ssh_keygen().args(["-Y", "sign", "-f", key.as_str(), "-n", NS, fx.sbom.as_str()]))
        .code(0);
    assert!(fx.sig().is_file(), "ssh-keygen wrote no .sig");
    fx.verify(&fx.artifact, &pubkey, &[]).code(0);
    let allowed = fx.allowed_signers(
        &format!("\"*@example.com\" namespaces=\"{NS},file\""),
        &pubkey,
    );
    Out::of(cra().args([
        "verify",
        fx.sbom.as_str(),
        "--allowed-signers",
        allowed.as_str(),
        "--identity",
        ID,
    ]))
    .code(0);

    // The SBOM alone (downloaded without the artifact): only its signature is checked.
    let alone = tempfile::tempdir().unwrap();
    let alone_sbom = utf8(alone.path()).join("demo-app.cdx.json");
    fs::copy(&fx.sbom, &alone_sbom).unwrap();
    fs::copy(fx.sig(), format!("{alone_sbom}.sig")).unwrap();
    let out = fx.verify(&alone_sbom, &pubkey, &[]);
    out.code(0);
    assert!(
        out.stderr
            .contains("only the SBOM's signatures were checked"),
        "{}",
        out.stderr
    );

    // A signature in another namespace is refused.
    fs::remove_file(fx.sig()).unwrap();
    Out::of(ssh_keygen().args([
        "-Y",
        "sign",
        "-f",
        key.as_str(),
        "-n",
        "file",
        fx.sbom.as_str(),
    ]))
    .code(0);
    let out = fx.verify(&fx.artifact, &pubkey, &[]);
    out.code(1);
    assert!(
        out.stderr
            .contains("namespace `file`, expected `cargo-cra-sbom`"),
        "{}",
        out.stderr
    );
}

#[test]
fn encrypted_ssh_keygen_key_needs_the_right_passphrase() {
    let fx = Fixture::new();
    let (key, pubkey) = fx.ssh_keygen("enc", "ed25519", "pass");
    let out = sign_in_child(&fx, Some(&key), &[("CARGO_CRA_KEY_PASSPHRASE", "wrong")]);
    out.code(2);
    assert!(
        out.stderr.contains("incorrect passphrase"),
        "{}",
        out.stderr
    );
    assert!(!fx.sig().exists(), "nothing is written on failure");
    let out = sign_in_child(&fx, Some(&key), &[]);
    out.code(2);
    assert!(
        out.stderr
            .contains("is encrypted: set CARGO_CRA_KEY_PASSPHRASE"),
        "{}",
        out.stderr
    );
    sign_in_child(&fx, Some(&key), &[("CARGO_CRA_KEY_PASSPHRASE", "pass")]).code(0);
    fx.verify(&fx.artifact, &pubkey, &[]).code(0);
}

#[test]
fn non_ed25519_keys_are_refused() {
    let fx = Fixture::new();
    let (key, pubkey) = fx.ssh_keygen("ecdsa", "ecdsa", "");
    let err = Signer::load(&KeySource::File(key.clone()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("only Ed25519 keys"), "{err}");
    let out = fx.verify(&fx.artifact, &pubkey, &[]);
    out.code(2);
    assert!(
        out.stderr.contains("only Ed25519 keys are supported"),
        "{}",
        out.stderr
    );
}

// --- key sources --------------------------------------------------------------------------------

#[test]
fn signing_key_from_environment_variables() {
    let fx = Fixture::new();
    let (key, pubkey) = fx.keygen("k");
    let text = fs::read_to_string(&key).unwrap();
    // The key text itself, as a CI secret (with CRLF line endings, as pasted on Windows).
    let out = sign_in_child(
        &fx,
        None,
        &[("CARGO_CRA_SIGNING_KEY", &text.replace('\n', "\r\n"))],
    );
    out.code(0);
    assert!(!out.stdout.contains("OPENSSH PRIVATE") && !out.stderr.contains("OPENSSH PRIVATE"));
    fx.verify(&fx.artifact, &pubkey, &[]).code(0);

    // A file named by CARGO_CRA_SIGNING_KEY_FILE wins over CARGO_CRA_SIGNING_KEY.
    let (key2, pubkey2) = fx.keygen("k2");
    sign_in_child(
        &fx,
        None,
        &[
            ("CARGO_CRA_SIGNING_KEY", &text),
            ("CARGO_CRA_SIGNING_KEY_FILE", key2.as_str()),
        ],
    )
    .code(0);
    fx.verify(&fx.artifact, &pubkey2, &[]).code(0);
    // --sign wins over both; an empty variable counts as unset.
    sign_in_child(
        &fx,
        Some(&key),
        &[("CARGO_CRA_SIGNING_KEY_FILE", key2.as_str())],
    )
    .code(0);
    fx.verify(&fx.artifact, &pubkey, &[]).code(0);
    sign_in_child(
        &fx,
        None,
        &[
            ("CARGO_CRA_SIGNING_KEY_FILE", ""),
            ("CARGO_CRA_SIGNING_KEY", &text),
        ],
    )
    .code(0);
    let out = sign_in_child(&fx, None, &[("CARGO_CRA_SIGNING_KEY", "")]);
    out.code(2);
    assert!(
        out.stderr.contains("no signing key configured"),
        "{}",
        out.stderr
    );

    // A malformed key in the variable: the error names the variable, not the text.
    let broken = text.replace(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA",
    );
    let out = sign_in_child(&fx, None, &[("CARGO_CRA_SIGNING_KEY", &broken)]);
    out.code(2);
    assert!(
        out.stderr
            .contains("$CARGO_CRA_SIGNING_KEY: malformed OpenSSH private key"),
        "{}",
        out.stderr
    );
    let body = text.lines().nth(1).unwrap();
    assert!(
        !out.stderr.contains(body),
        "key material printed: {}",
        out.stderr
    );
}

#[test]
fn resolve_key_source_order() {
    // Only the parts that do not need the environment (see signing_key_from_environment_variables).
    let cli = Utf8Path::new("cli.key");
    let policy = Utf8Path::new("policy.key");
    assert_eq!(
        sign::resolve_key_source(Some(cli), Some(policy)),
        Some(KeySource::File(cli.into()))
    );
    assert_eq!(
        sign::resolve_key_source(None, Some(policy)),
        Some(KeySource::File(policy.into()))
    );
}

#[cfg(unix)]
#[test]
fn key_readable_by_others_is_refused() {
    let fx = Fixture::new();
    let (key, _) = fx.keygen("k");
    chmod(&key, 0o644);
    let out = sign_in_child(&fx, Some(&key), &[]);
    out.code(2);
    assert!(
        out.stderr
            .contains(&format!("permissions 0644 for '{key}' are too open")),
        "{}",
        out.stderr
    );
    assert!(!fx.sig().exists());
    chmod(&key, 0o640);
    sign_in_child(&fx, Some(&key), &[]).code(2);
    chmod(&key, 0o400);
    sign_in_child(&fx, Some(&key), &[]).code(0);
}

// --- tampering and wrong keys -------------------------------------------------------------------

/// A signed fixture and its public key.
fn signed() -> (Fixture, Utf8PathBuf) {
    let fx = Fixture::new();
    let (key, pubkey) = fx.keygen("k");
    fx.sign(&signer(&key));
    fx.verify(&fx.artifact, &pubkey, &[]).code(0);
    (fx, pubkey)
}

#[track_caller]
fn assert_fails(fx: &Fixture, pubkey: &Utf8Path, check: &str) {
    let out = fx.verify(&fx.artifact, pubkey, &["--format", "json"]);
    out.code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        failed.contains(&check),
        "expected `{check}` to fail, failed: {failed:?}\n{}",
        out.stdout
    );
}

#[test]
fn tampered_sbom_fails() {
    let (fx, pubkey) = signed();
    let at = fs::read_to_string(&fx.sbom)
        .unwrap()
        .find("smallfmt")
        .unwrap();
    poke(&fx.sbom, at, b'S');
    assert_fails(&fx, &pubkey, "sbom-signature");
    assert_fails(&fx, &pubkey, "attestation-predicate");
    let out = fx.verify(&fx.artifact, &pubkey, &[]);
    assert!(
        out.stderr.contains("the SBOM or its .sig was changed"),
        "{}",
        out.stderr
    );
}

#[test]
fn tampered_signature_fails() {
    let (fx, pubkey) = signed();
    // A character near the end of the armored body: inside the Ed25519 signature bytes.
    let text = fs::read_to_string(fx.sig()).unwrap();
    let body_end = text.find("\n-----END").unwrap();
    let at = body_end - 12;
    poke(&fx.sig(), at, other_b64(text.as_bytes()[at]));
    assert_fails(&fx, &pubkey, "sbom-signature");
}

#[test]
fn tampered_envelope_payload_fails() {
    let (fx, pubkey) = signed();
    let text = fs::read_to_string(fx.envelope()).unwrap();
    let at = text.find("\"payload\":\"").unwrap() + "\"payload\":\"".len() + 200;
    poke(&fx.envelope(), at, other_b64(text.as_bytes()[at]));
    assert_fails(&fx, &pubkey, "attestation-signature");
}

#[test]
fn tampered_artifact_fails() {
    let (fx, pubkey) = signed();
    poke(&fx.artifact, 100, 0xff);
    assert_fails(&fx, &pubkey, "attestation-subject");
    assert_fails(&fx, &pubkey, "sbom-artifact-hash");
}

#[test]
fn wrong_key_fails() {
    let (fx, _) = signed();
    let (_, other) = fx.keygen("other");
    assert_fails(&fx, &other, "sbom-signature");
    assert_fails(&fx, &other, "attestation-signature");
    let out = fx.verify(&fx.artifact, &other, &[]);
    assert!(
        out.stderr.contains("not by the given key"),
        "{}",
        out.stderr
    );
}

#[test]
fn envelope_signed_by_another_key_fails() {
    // The SBOM signature is good, the attestation replaced by one signed with another key.
    let (fx, pubkey) = signed();
    let (other, _) = fx.keygen("other");
    let good_sig = fs::read(fx.sig()).unwrap();
    fx.sign(&signer(&other));
    fs::write(fx.sig(), good_sig).unwrap();
    assert_fails(&fx, &pubkey, "attestation-signature");
}

// --- could not run ------------------------------------------------------------------------------

#[test]
fn malformed_inputs_exit_2_naming_the_file() {
    let (fx, pubkey) = signed();

    let bad = fx.root.join("bad.pub");
    fs::write(&bad, "ssh-ed25519 not-base64!\n").unwrap();
    let out = fx.verify(&fx.artifact, &bad, &[]);
    out.code(2);
    assert!(
        out.stderr
            .lines()
            .next()
            .unwrap()
            .contains(&format!("{bad}: not an OpenSSH public key")),
        "{}",
        out.stderr
    );

    // A private key passed as --key: named, never echoed.
    let out = fx.verify(&fx.artifact, &fx.root.join("k"), &[]);
    out.code(2);
    assert!(
        out.stderr.contains("this is a private key") && !out.stderr.contains("BEGIN"),
        "{}",
        out.stderr
    );

    let out = fx.verify(&fx.root.join("missing"), &pubkey, &[]);
    out.code(2);
    assert!(out.stderr.contains("missing"), "{}", out.stderr);

    let sig = fs::read(fx.sig()).unwrap();
    fs::write(fx.sig(), "not a signature\n").unwrap();
    let out = fx.verify(&fx.artifact, &pubkey, &[]);
    out.code(2);
    assert!(
        out.stderr.contains(&format!(
            "{}: malformed SSH signature: does not start with `-----BEGIN SSH SIGNATURE-----`",
            fx.sig()
        )),
        "{}",
        out.stderr
    );
    fs::write(fx.sig(), sig).unwrap();

    let env = fs::read(fx.envelope()).unwrap();
    fs::remove_file(fx.envelope()).unwrap();
    let out = fx.verify(&fx.artifact, &pubkey, &[]);
    out.code(2);
    assert!(
        out.stderr.contains(fx.envelope().as_str()),
        "{}",
        out.stderr
    );
    fs::write(fx.envelope(), "{}\n").unwrap();
    let out = fx.verify(&fx.artifact, &pubkey, &[]);
    out.code(2);
    assert!(out.stderr.contains("not a DSSE envelope"), "{}", out.stderr);
    fs::write(fx.envelope(), env).unwrap();

    fs::write(&fx.sbom, "{not json").unwrap();
    let out = fx.verify(&fx.artifact, &pubkey, &[]);
    out.code(2);
    assert!(
        out.stderr
            .contains(&format!("{}: not a JSON SBOM", fx.sbom)),
        "{}",
        out.stderr
    );

    let allowed = fx.root.join("allowed");
    fs::write(&allowed, "a@x frobnicate ssh-ed25519 AAAA\n").unwrap();
    let out = Out::of(cra().args([
        "verify",
        fx.artifact.as_str(),
        "--allowed-signers",
        allowed.as_str(),
        "--identity",
        "a@x",
    ]));
    out.code(2);
    assert!(
        out.stderr
            .contains(&format!("{allowed}: line 1: unsupported option")),
        "{}",
        out.stderr
    );
}

// --- --lockfile ----------------------------------------------------------------------------------

fn lock_package(name: &str, version: &str, checksum: Option<&str>) -> String {
    let mut s = format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n");
    if let Some(c) = checksum {
        s += &format!(
            "source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{c}\"\n"
        );
    }
    s + "\n"
}

fn write_lock(fx: &Fixture, packages: &[String]) -> Utf8PathBuf {
    let p = fx.root.join("Cargo.lock");
    fs::write(&p, format!("version = 4\n\n{}", packages.concat())).unwrap();
    p
}

#[test]
fn lockfile_matches() {
    let (fx, pubkey) = signed();
    let lock = write_lock(
        &fx,
        &[
            lock_package("demo-app", "0.1.0", None),
            lock_package("smallfmt", "1.0.0", Some(SMALLFMT_SUM)),
            lock_package("tinyutil", "0.2.0", Some(&"0".repeat(64))),
            lock_package("devonly", "3.0.0", Some(&"1".repeat(64))),
        ],
    );
    let out = fx.verify(
        &fx.artifact,
        &pubkey,
        &["--lockfile", lock.as_str(), "--format", "json"],
    );
    out.code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let get = |n: &str| {
        checks
            .iter()
            .find(|c| c["name"] == n)
            .unwrap_or_else(|| panic!("no {n}: {}", out.stdout))
    };
    assert!(
        get("lockfile")["detail"]
            .as_str()
            .unwrap()
            .contains("2 cargo components")
    );
    let note = get("lockfile-added");
    assert_eq!(note["ok"], true);
    assert!(
        note["detail"].as_str().unwrap().contains("devonly 3.0.0"),
        "{note}"
    );
    assert!(
        !note["detail"].as_str().unwrap().contains("smallfmt"),
        "{note}"
    );
}

#[test]
fn lockfile_differences_fail() {
    let (fx, pubkey) = signed();
    let lock = write_lock(
        &fx,
        &[
            lock_package("demo-app", "0.1.0", None),
            lock_package("smallfmt", "1.0.0", Some(&"2".repeat(64))),
            lock_package("newdep", "1.0.0", Some(&"3".repeat(64))),
        ],
    );
    // tinyutil removed, smallfmt's checksum changed.
    let out = fx.verify(
        &fx.artifact,
        &pubkey,
        &["--lockfile", lock.as_str(), "--format", "json"],
    );
    out.code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let failed: Vec<String> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| {
            format!(
                "{}: {}",
                c["name"].as_str().unwrap(),
                c["detail"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed[0].starts_with("lockfile-checksum: smallfmt 1.0.0"),
        "{failed:?}"
    );
    assert!(
        failed[1].starts_with("lockfile-removed: tinyutil 0.2.0"),
        "{failed:?}"
    );

    let lock = write_lock(
        &fx,
        &[
            lock_package("smallfmt", "1.1.0", Some(SMALLFMT_SUM)),
            lock_package("tinyutil", "0.2.0", None),
        ],
    );
    // The default `--lockfile` is Cargo.lock in the current directory.
    let out = Out::of(cra().current_dir(lock.parent().unwrap()).args([
        "verify",
        fx.artifact.as_str(),
        "--key",
        pubkey.as_str(),
        "--lockfile",
    ]));
    out.code(1);
    assert!(
        out.stderr
            .contains("smallfmt is 1.0.0 in the SBOM, 1.1.0 in Cargo.lock"),
        "{}",
        out.stderr
    );

    fs::remove_file(&lock).unwrap();
    let out = fx.verify(&fx.artifact, &pubkey, &["--lockfile", lock.as_str()]);
    out.code(2);
    assert!(out.stderr.contains("Cargo.lock"), "{}", out.stderr);
}

// --- interoperability with securesystemslib ----------------------------------------------------

/// Why the securesystemslib tests are ignored by a plain `cargo test`.
const NEEDS_PYTHON: &str = "needs CARGO_CRA_INTEROP_PYTHON";

/// The python named by `CARGO_CRA_INTEROP_PYTHON` (a venv with `securesystemslib[crypto]`,
/// which `.ci/run` sets up). The tests that use it are `#[ignore]`d, so a plain `cargo test`
/// skips them visibly; run with `--include-ignored`, a missing variable fails them.
fn interop_python() -> std::ffi::OsString {
    std::env::var_os("CARGO_CRA_INTEROP_PYTHON")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "{NEEDS_PYTHON}: set it to a python with securesystemslib[crypto] installed (.ci/run does)"
            )
        })
}

/// tests/interop/verify_dsse.py.
fn verify_dsse_py() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/verify_dsse.py")
}

/// Runs tests/interop/verify_dsse.py (securesystemslib's DSSE verification) on our envelope and
/// on tampered copies.
#[test]
#[ignore = "needs CARGO_CRA_INTEROP_PYTHON (a python with securesystemslib; .ci/run sets it)"]
fn securesystemslib_verifies_our_envelope() {
    let python = interop_python();
    let script = verify_dsse_py();
    let (fx, pubkey) = signed();
    let run = |envelope: &Utf8Path, key: &Utf8Path| {
        Out::of(Command::new(&python).arg(&script).args([
            envelope.as_str(),
            key.as_str(),
            "--artifact",
            fx.artifact.as_str(),
        ]))
    };
    let out = run(&fx.envelope(), &pubkey);
    out.code(0);
    assert!(out.stdout.contains("OK:"), "{}", out.stdout);

    // One byte of the payload changed.
    let text = fs::read_to_string(fx.envelope()).unwrap();
    let tampered = fx.root.join("tampered.intoto.jsonl");
    fs::write(&tampered, &text).unwrap();
    let at = text.find("\"payload\":\"").unwrap() + "\"payload\":\"".len() + 200;
    poke(&tampered, at, other_b64(text.as_bytes()[at]));
    run(&tampered, &pubkey).code(1);
    // Another key.
    let (_, other) = fx.keygen("other");
    run(&fx.envelope(), &other).code(1);
}

/// Leaves a signed sample for `.ci/run`, which checks it with securesystemslib after the tests
/// (`tests/interop/verify_dsse.py target/test-attestations/X.intoto.jsonl X.pub`):
/// `target/test-attestations/demo-app.{intoto.jsonl,pub}` plus the artifact and SBOM, and a
/// copy with one payload byte changed under `tampered/`, which must be rejected.
#[test]
fn export_sample_attestation_for_ci() {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-attestations");
    let tampered_dir = out_dir.join("tampered");
    fs::create_dir_all(&tampered_dir).unwrap();
    let (fx, pubkey) = signed();
    for (from, name) in [
        (fx.envelope(), "demo-app.intoto.jsonl"),
        (pubkey.clone(), "demo-app.pub"),
        (
            Utf8PathBuf::from(format!("{pubkey}.pem")),
            "demo-app.pub.pem",
        ),
        (fx.artifact.clone(), "demo-app"),
        (fx.sbom.clone(), "demo-app.cdx.json"),
        (fx.sig(), "demo-app.cdx.json.sig"),
    ] {
        fs::copy(&from, out_dir.join(name)).unwrap();
    }
    let text = fs::read_to_string(fx.envelope()).unwrap();
    let tampered = utf8(&tampered_dir.join("demo-app.intoto.jsonl"));
    fs::write(&tampered, &text).unwrap();
    let at = text.find("\"payload\":\"").unwrap() + "\"payload\":\"".len() + 200;
    poke(&tampered, at, other_b64(text.as_bytes()[at]));
    fs::copy(&pubkey, tampered_dir.join("demo-app.pub")).unwrap();
}

// --- mutation: every accepted encoding is one the reference implementation accepts ----------

/// The standard base64 alphabet (what SSHSIG armor and DSSE use).
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Every base64 character at a position in `range` of `text` changed once: one bit of its
/// 6-bit value flipped, the bit cycling with the position, so that every bit position of the
/// decoded bytes is hit along the text (and so are the unused bits before the padding).
/// With `all_bits`, each of the six bits of every character, one at a time.
fn base64_flips(
    text: &[u8],
    range: std::ops::Range<usize>,
    all_bits: bool,
) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (n, at) in range.filter(|&at| B64.contains(&text[at])).enumerate() {
        let v = B64.iter().position(|&c| c == text[at]).unwrap();
        let bits = if all_bits { 0..6 } else { n % 6..n % 6 + 1 };
        for bit in bits {
            let mut m = text.to_vec();
            m[at] = B64[v ^ (1 << bit)];
            out.push((format!("base64 char {at} bit {bit}"), m));
        }
    }
    out
}

/// Each byte of `text` XORed once with each of `masks`.
fn byte_flips(text: &[u8], masks: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for at in 0..text.len() {
        for &mask in masks {
            let mut m = text.to_vec();
            m[at] ^= mask;
            out.push((format!("byte {at} ^ {mask:#04x}"), m));
        }
    }
    out
}

/// Armors an SSHSIG blob as OpenSSH does (base64 lines of 70 characters).
fn armor(blob: &[u8]) -> Vec<u8> {
    armor_with(blob, 70, "\n")
}

fn armor_with(blob: &[u8], width: usize, nl: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(blob);
    let mut s = format!("-----BEGIN SSH SIGNATURE-----{nl}");
    for chunk in b64.as_bytes().chunks(width) {
        s += std::str::from_utf8(chunk).unwrap();
        s += nl;
    }
    s += &format!("-----END SSH SIGNATURE-----{nl}");
    s.into_bytes()
}

/// The `.sig` file variants of the mutation test: every byte (XOR 1) and every base64
/// character of the armored file changed once, every byte of the binary blob replaced (0xff,
/// +1: lengths one too long, as in the malleability report) and the blob truncated at every
/// length and extended, plus armor variants (line lengths, CRLF, whitespace, padding, text
/// around the armor).
fn sshsig_mutations(sig: &[u8]) -> Vec<(String, Vec<u8>)> {
    let text = std::str::from_utf8(sig).unwrap();
    let body_start = text.find('\n').unwrap() + 1;
    let body_end = text.find("\n-----END").unwrap();
    let blob = cargo_cra::sign::sshsig::dearmor(sig).unwrap();
    assert_eq!(armor(&blob), sig, "the test's armor must be OpenSSH's");

    let mut out = byte_flips(sig, &[0x01]);
    out.extend(base64_flips(sig, body_start..body_end, false));
    for at in 0..blob.len() {
        for (what, f) in [
            ("0xff", (|_| 0xff) as fn(u8) -> u8),
            ("+1", |b: u8| b.wrapping_add(1)),
        ] {
            let mut m = blob.clone();
            m[at] = f(m[at]);
            if m != blob {
                out.push((format!("blob byte {at} = {what}"), armor(&m)));
            }
        }
    }
    for len in 0..blob.len() {
        out.push((format!("blob truncated to {len}"), armor(&blob[..len])));
    }
    for extra in [&[0u8][..], b"\0\0\0\0", b"x"] {
        out.push((
            format!("blob + {extra:?}"),
            armor(&[&blob[..], extra].concat()),
        ));
    }
    let s = |v: &str| v.as_bytes().to_vec();
    let armored: Vec<(&str, Vec<u8>)> = vec![
        ("lines of 64", armor_with(&blob, 64, "\n")),
        ("one line", armor_with(&blob, 10_000, "\n")),
        ("lines of 1", armor_with(&blob, 1, "\n")),
        ("CRLF", armor_with(&blob, 70, "\r\n")),
        ("no final newline", s(text.trim_end())),
        ("two final newlines", s(&format!("{text}\n"))),
        ("text after the footer", s(&format!("{text}trailing\n"))),
        ("leading newline", s(&format!("\n{text}"))),
        ("leading space", s(&format!(" {text}"))),
        ("UTF-8 BOM", [&b"\xef\xbb\xbf"[..], sig].concat()),
        ("blank line in body", s(&text.replacen('\n', "\n\n", 2))),
        ("space in body", s(&text.replacen('\n', "\n ", 2))),
        ("tab in body", s(&text.replacen('\n', "\n\t", 2))),
        ("vertical tab in body", s(&text.replacen('\n', "\n\x0b", 2))),
        (
            "NUL at end of body",
            s(&text.replace("\n-----END", "\0\n-----END")),
        ),
        ("padding removed", s(&text.replace('=', ""))),
        (
            "extra padding",
            s(&text.replace("=\n-----END", "==\n-----END")),
        ),
        (
            "lowercase header",
            s(&text.replace("BEGIN SSH", "begin ssh")),
        ),
        ("second signature appended", [sig, sig].concat()),
        ("empty", Vec::new()),
    ];
    out.extend(armored.into_iter().map(|(w, m)| (w.to_string(), m)));
    out.retain(|(_, m)| m != sig);
    out
}

/// Runs `ssh-keygen -Y verify` on the SBOM with `sig` and `cargo cra verify`'s own logic (the
/// library function the command runs) on the same files: every signature we accept must be
/// one ssh-keygen accepts. Where we are stricter (we reject, it accepts), the reason must be
/// one of the documented ones (src/sign/sshsig.rs).
#[test]
fn every_sshsig_mutation_gets_ssh_keygen_s_verdict() {
    use cargo_cra::sign::verify::{Trust, load_public_key, verify};
    let (fx, pubkey) = signed();
    let allowed = fx.allowed_signers(&format!("{ID} namespaces=\"{NS}\""), &pubkey);
    let original = fs::read(fx.sig()).unwrap();
    let mutations = sshsig_mutations(&original);
    let trust = Trust::Key(load_public_key(&pubkey).unwrap());

    let ours = |fx: &Fixture| -> Result<(), String> {
        match verify(&fx.artifact, &trust, NS, None) {
            Ok(r) => {
                let c = r
                    .checks
                    .iter()
                    .find(|c| c.name == "sbom-signature")
                    .unwrap();
                if c.ok { Ok(()) } else { Err(c.detail.clone()) }
            }
            Err(e) => Err(e.to_string()),
        }
    };
    let theirs = |fx: &Fixture| {
        ssh_keygen()
            .args(["-Y", "verify", "-f", allowed.as_str(), "-I", ID, "-n", NS])
            .args(["-s", fx.sig().as_str()])
            .stdin(fs::File::open(&fx.sbom).unwrap())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
    };
    assert!(ours(&fx).is_ok() && theirs(&fx), "the unmodified signature");

    // Two workers, each with its own copy of the files.
    let results: Vec<(String, Result<(), String>, bool)> = std::thread::scope(|scope| {
        let chunks: Vec<&[(String, Vec<u8>)]> =
            mutations.chunks(mutations.len().div_ceil(2)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let (ours, theirs) = (&ours, &theirs);
                let fx = &fx;
                scope.spawn(move || {
                    let dir = tempfile::tempdir().unwrap();
                    let copy = Fixture {
                        root: utf8(dir.path()),
                        artifact: utf8(dir.path()).join("demo-app"),
                        sbom: utf8(dir.path()).join("demo-app.cdx.json"),
                        _dir: dir,
                    };
                    fs::copy(&fx.artifact, &copy.artifact).unwrap();
                    fs::copy(&fx.sbom, &copy.sbom).unwrap();
                    fs::copy(fx.envelope(), copy.envelope()).unwrap();
                    chunk
                        .iter()
                        .map(|(what, bytes)| {
                            fs::write(copy.sig(), bytes).unwrap();
                            (what.clone(), ours(&copy), theirs(&copy))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    // Reasons for which we reject what OpenSSH accepts (see src/sign/sshsig.rs).
    let stricter = [
        "version 0, expected 1",
        "the reserved field is not empty",
        "contains a NUL byte",
        "text after the `-----END SSH SIGNATURE-----` line",
        "a NUL byte in the base64 text",
    ];
    let mut accepted_by_both = 0;
    let mut agree = 0;
    let mut we_are_stricter = Vec::new();
    let mut we_are_looser = Vec::new();
    for (what, ours, theirs) in &results {
        match (ours, theirs) {
            (Ok(()), true) => {
                agree += 1;
                accepted_by_both += 1;
            }
            (Err(_), false) => agree += 1,
            (Ok(()), false) => we_are_looser.push(what.clone()),
            (Err(why), true) => we_are_stricter.push(format!("{what}: {why}")),
        }
    }
    eprintln!(
        "SSHSIG mutations: {} variants, {agree} same verdict as ssh-keygen ({accepted_by_both} accepted by both), {} rejected only by us, {} accepted only by us",
        results.len(),
        we_are_stricter.len(),
        we_are_looser.len()
    );
    for s in &we_are_stricter {
        eprintln!("  stricter: {s}");
    }
    assert!(
        we_are_looser.is_empty(),
        "cargo cra verify accepts signatures ssh-keygen rejects: {we_are_looser:#?}"
    );
    let unexplained: Vec<&String> = we_are_stricter
        .iter()
        .filter(|s| !stricter.iter().any(|r| s.contains(r)))
        .collect();
    assert!(
        unexplained.is_empty(),
        "rejected for an undocumented reason although ssh-keygen accepts: {unexplained:#?}"
    );
    // The mutations that keep the decoded blob (whitespace, line lengths) are accepted by both.
    assert!(accepted_by_both >= 8, "{accepted_by_both}");
}

/// The DSSE counterpart of [`every_sshsig_mutation_gets_ssh_keygen_s_verdict`]: every byte of
/// the envelope and every base64 character of its payload and signature changed once, and
/// securesystemslib asked for its verdict on each (tests/interop/verify_dsse.py `--batch`).
/// Every envelope we accept must be one it accepts. It is more lenient than we are (it skips
/// characters outside the base64 alphabet, ignores unknown fields and unused bits), so where
/// it accepts and we do not, the reason must be one of those.
#[test]
#[ignore = "needs CARGO_CRA_INTEROP_PYTHON (a python with securesystemslib; .ci/run sets it)"]
fn every_envelope_mutation_gets_securesystemslib_s_verdict() {
    use base64::Engine as _;
    use cargo_cra::sign::verify::{Trust, load_public_key, verify};
    let python = interop_python();
    let (fx, pubkey) = signed();
    let original = fs::read(fx.envelope()).unwrap();
    let text = std::str::from_utf8(&original).unwrap();
    let field = |name: &str| {
        let start = text.find(&format!("\"{name}\":\"")).unwrap() + name.len() + 4;
        start..start + text[start..].find('"').unwrap()
    };
    let mut mutations = byte_flips(&original, &[0x01]);
    // Every byte of the payload is changed by the byte flips above; the base64 flips of its
    // last characters reach the unused bits before the padding.
    let payload = field("payload");
    mutations.extend(base64_flips(&original, payload.end - 8..payload.end, true));
    mutations.extend(base64_flips(&original, field("sig"), true));
    let s = |v: String| v.into_bytes();
    let line = text.trim_end();
    for (what, m) in [
        ("no final newline", s(line.to_string())),
        ("CRLF", s(format!("{line}\r\n"))),
        ("blank lines", s(format!("\n{line}\n\n"))),
        ("twice", s(format!("{line}\n{line}\n"))),
        ("unknown field", s(line.replacen('{', "{\"x\":1,", 1))),
        ("keyid removed", s(line.replacen("\"keyid\"", "\"k\"", 1))),
        (
            "payload with a newline",
            s(line.replacen("\"payload\":\"", "\"payload\":\"\\n", 1)),
        ),
        ("sig unpadded", s(line.replacen("==\"", "\"", 1))),
    ] {
        mutations.push((what.to_string(), m));
    }
    mutations.retain(|(_, m)| *m != original);

    let trust = Trust::Key(load_public_key(&pubkey).unwrap());
    let ours: Vec<Result<(), String>> = mutations
        .iter()
        .map(|(_, m)| {
            fs::write(fx.envelope(), m).unwrap();
            match verify(&fx.artifact, &trust, NS, None) {
                Ok(r) => {
                    let c = r
                        .checks
                        .iter()
                        .find(|c| c.name == "attestation-signature")
                        .unwrap();
                    if c.ok { Ok(()) } else { Err(c.detail.clone()) }
                }
                Err(e) => Err(e.to_string()),
            }
        })
        .collect();
    let candidates = fx.root.join("candidates");
    let b64 = base64::engine::general_purpose::STANDARD;
    let list: String = mutations
        .iter()
        .map(|(_, m)| b64.encode(m) + "\n")
        .collect();
    fs::write(&candidates, list).unwrap();
    let out = Out::of(Command::new(&python).arg(verify_dsse_py()).args([
        "--batch",
        candidates.as_str(),
        pubkey.as_str(),
    ]));
    out.code(0);
    let theirs: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(theirs.len(), mutations.len(), "{}", out.stderr);

    let (mut agree, mut both) = (0, 0);
    let (mut looser, mut stricter) = (Vec::new(), Vec::new());
    for (((what, _), ours), theirs) in mutations.iter().zip(&ours).zip(&theirs) {
        match (ours, *theirs == "1") {
            (Ok(()), true) => {
                agree += 1;
                both += 1;
            }
            (Err(_), false) => agree += 1,
            (Ok(()), false) => looser.push(format!("{what}: {theirs}")),
            (Err(why), true) => stricter.push(format!("{what}: {why}")),
        }
    }
    eprintln!(
        "DSSE mutations: {} variants, {agree} same verdict as securesystemslib ({both} accepted by both), {} rejected only by us, {} accepted only by us",
        mutations.len(),
        stricter.len(),
        looser.len()
    );
    for s in &stricter {
        eprintln!("  stricter: {s}");
    }
    assert!(
        looser.is_empty(),
        "we accept envelopes securesystemslib rejects: {looser:#?}"
    );
    let reasons = [
        "not canonical base64",
        "not the canonical base64",
        "unknown field",
        "trailing characters",
        "control character",
        "no valid signature by the SBOM's signing key",
    ];
    let unexplained: Vec<&String> = stricter
        .iter()
        .filter(|s| !reasons.iter().any(|r| s.contains(r)))
        .collect();
    assert!(unexplained.is_empty(), "{unexplained:#?}");
}
