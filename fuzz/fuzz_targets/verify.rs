//! `cargo cra verify`'s readers, end to end on a signed release: the SBOM (CycloneDX, or SPDX
//! read through its CycloneDX view), its `.sig`, the DSSE attestation, the public key, the
//! allowed_signers file, and the Cargo.lock of `--lockfile`. The release (an artifact, its
//! SBOM from the tests, signed with a fixed key) is made once; the first byte of the input
//! picks the file the rest of the input replaces.
#![no_main]
use camino::{Utf8Path, Utf8PathBuf};
use cargo_cra::sign::verify::{self, Trust};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "../common/mod.rs"]
mod common;

const IDENTITY: &str = "release@example.com";

struct Setup {
    artifact: Utf8PathBuf,
    sbom: Utf8PathBuf,
    key: Utf8PathBuf,
    allowed: Utf8PathBuf,
    lockfile: Utf8PathBuf,
    /// The files an input can replace, with their original bytes.
    files: Vec<(Utf8PathBuf, Vec<u8>)>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let dir = common::scratch().join("release");
        std::fs::create_dir_all(&dir).expect("scratch release folder");
        let kp = ssh_key::private::Ed25519Keypair::from_seed(&[7; 32]);
        let private = ssh_key::PrivateKey::new(ssh_key::private::KeypairData::Ed25519(kp), "fuzz")
            .expect("a key");
        let key_file = dir.join("release-key");
        common::put(
            &key_file,
            private
                .to_openssh(ssh_key::LineEnding::LF)
                .expect("OpenSSH encoding")
                .as_bytes(),
        );
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600))
            .expect("chmod 600");
        let public = private.public_key().to_openssh().expect("public key");
        let key = dir.join("release-key.pub");
        common::put(&key, format!("{public}\n").as_bytes());
        let allowed = dir.join("allowed_signers");
        common::put(
            &allowed,
            format!("{IDENTITY} namespaces=\"cargo-cra-sbom\" {public}\n").as_bytes(),
        );

        let artifact = dir.join("platform-deps");
        let artifact_bytes = b"\x7fELF not really a binary, but the bytes the SBOM names";
        common::put(&artifact, artifact_bytes);
        let sha256 = cargo_cra::fsutil::sha256_hex(artifact_bytes);
        let sha512 = cargo_cra::fsutil::sha512_hex(artifact_bytes);
        let seed = common::repo().join("fuzz/seeds/inventory/4e1f63cfadd4-platform-deps.cdx.json");
        let mut sbom: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&seed).expect("the seed SBOM")).expect("JSON");
        sbom["metadata"]["component"]["hashes"] = serde_json::json!([
            {"alg": "SHA-256", "content": sha256},
            {"alg": "SHA-512", "content": sha512},
        ]);
        let sbom_bytes = serde_json::to_vec_pretty(&sbom).expect("JSON");
        let sbom_path = Utf8PathBuf::from(format!("{artifact}.cdx.json"));
        common::put(&sbom_path, &sbom_bytes);
        let signer = cargo_cra::sign::Signer::load(&cargo_cra::sign::KeySource::File(key_file))
            .expect("the fuzz key loads");
        let signed = cargo_cra::sign::sign_artifact_sbom(
            &signer,
            cargo_cra::DEFAULT_NAMESPACE,
            &sbom_path,
            &sbom_bytes,
            "platform-deps",
            (&sha256, &sha512),
        )
        .expect("signing");
        let lockfile = dir.join("Cargo.lock");
        std::fs::copy(
            common::repo().join("test-workspaces/platform-deps/Cargo.lock"),
            &lockfile,
        )
        .expect("copying Cargo.lock");
        let files = [
            sbom_path.clone(),
            signed.signature,
            signed.attestation,
            key.clone(),
            lockfile.clone(),
            allowed.clone(),
        ]
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("a release file");
            (p, b)
        })
        .collect();
        let s = Setup {
            artifact,
            sbom: sbom_path,
            key,
            allowed,
            lockfile,
            files,
        };
        // The untouched release verifies: otherwise the target would test nothing.
        let report = run(&s, 0).expect("the release verifies");
        assert!(
            report.verified,
            "the untouched release verifies: {report:?}"
        );
        if let Ok(out) = std::env::var("CARGO_CRA_FUZZ_WRITE_SEEDS") {
            for (i, (p, b)) in s.files.iter().enumerate() {
                let mut seed = vec![i as u8];
                seed.extend_from_slice(b);
                let name = p.file_name().expect("a file name");
                common::put(&Utf8Path::new(&out).join(name), &seed);
            }
        }
        s
    })
}

fn run(s: &Setup, pick: usize) -> cargo_cra::error::Result<verify::Report> {
    let trust = if pick == 5 {
        Trust::from_parts(None, Some(&s.allowed), Some(IDENTITY))?
    } else {
        Trust::from_parts(Some(&s.key), None, None)?
    };
    let path = if pick % 2 == 0 { &s.sbom } else { &s.artifact };
    verify::verify(
        path,
        &trust,
        cargo_cra::DEFAULT_NAMESPACE,
        Some(&s.lockfile),
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let s = setup();
    let pick = pick as usize % s.files.len();
    let (path, original) = &s.files[pick];
    common::put(path, bytes);
    let outcome = run(s, pick);
    common::put(path, original);
    if let Ok(report) = outcome
        && bytes != original.as_slice()
        && report.verified
        && pick == 0
    {
        // A changed SBOM never verifies (a changed signature or envelope may: the armor's
        // line breaks and the envelope's JSON layout are not signed).
        panic!("verify accepted a changed {path}: {report:?}");
    }
});
