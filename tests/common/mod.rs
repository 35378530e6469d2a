//! Helpers for the end-to-end tests: hermetic copies of the `test-workspaces/` scenarios and
//! a `cargo-cra` command that runs in them with a scrubbed environment.
//!
//! ```ignore
//! mod common;
//! use common::{run, scenario};
//!
//! let s = scenario("license-denied");
//! let out = run(s.cmd(["check"]));
//! out.assert_code(1);
//! assert!(s.redact(&out.stdout).contains("gplthing"));
//! ```
#![allow(dead_code, unreachable_pub)]

use std::borrow::BorrowMut;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `SOURCE_DATE_EPOCH` for every command: 2026-12-01T00:00:00Z, the "today" of the tests.
pub const SOURCE_DATE_EPOCH: &str = "1796083200";

/// The folder of the fake CARGO_HOME's crates.io download cache, relative to CARGO_HOME.
pub const CRATES_IO_CACHE: &str = "registry/cache/index.crates.io-1949cf8c6b5b557f";

/// Folders in `test-workspaces/` that are not scenarios.
const NOT_SCENARIOS: &[&str] = &["vendor", "cargo-home"];

/// Environment variables passed through to commands; everything else is removed.
/// PATH finds cargo; HOME/RUSTUP_* let the rustup proxy find its toolchain; CARGO is the
/// cargo that runs the tests (so the tool can use the same one); the rest are what a
/// process needs for temporary files and on Windows.
const KEPT_VARS: &[&str] = &[
    "PATH",
    "HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "CARGO",
    "TMPDIR",
    "TMP",
    "TEMP",
    "USERPROFILE",
    "SYSTEMROOT",
    "SystemRoot",
    "APPDATA",
    "LOCALAPPDATA",
    "PATHEXT",
    "COMSPEC",
];

/// `test-workspaces/` in the source tree.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-workspaces")
}

/// The names of all scenarios (folders of `test-workspaces/` other than `vendor/` and
/// `cargo-home/`), sorted.
pub fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures_dir())
        .expect("read test-workspaces/")
        .map(|e| e.expect("read test-workspaces/ entry"))
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !NOT_SCENARIOS.contains(&n.as_str()) && !n.starts_with('.') && n != "__pycache__"
        })
        .collect();
    names.sort();
    names
}

/// A scenario copied into a fresh temporary directory:
///
/// ```text
/// <root>/<name>/       the scenario (`dir`, the working directory of commands)
/// <root>/vendor/       the vendored crates (`../vendor` from the scenario)
/// <root>/cargo-home/   a copy of the fake CARGO_HOME (`cargo_home`)
/// ```
///
/// Everything is deleted when the value is dropped.
pub struct Scenario {
    /// The scenario's name (its folder in `test-workspaces/`).
    pub name: String,
    /// The temporary root holding the copies (canonicalized).
    pub root: PathBuf,
    /// The copy of the scenario: the working directory of [`Scenario::cmd`].
    pub dir: PathBuf,
    /// The copy of `test-workspaces/vendor`.
    pub vendor: PathBuf,
    /// The copy of `test-workspaces/cargo-home`, passed as CARGO_HOME.
    pub cargo_home: PathBuf,
    _tmp: tempfile::TempDir,
}

/// Copies `test-workspaces/<name>`, `test-workspaces/vendor` and the fake cargo home into a
/// fresh temporary directory. Panics if there is no such scenario.
pub fn scenario(name: &str) -> Scenario {
    let src = fixtures_dir().join(name);
    assert!(
        src.is_dir(),
        "no scenario `{name}` in {}",
        fixtures_dir().display()
    );
    let tmp = tempfile::Builder::new()
        .prefix("cargo-cra-test-")
        .tempdir()
        .expect("create tempdir");
    let root = tmp.path().canonicalize().expect("canonicalize tempdir");
    let dir = root.join(name);
    let vendor = root.join("vendor");
    let cargo_home = root.join("cargo-home");
    copy_dir(&src, &dir).expect("copy scenario");
    copy_dir(&fixtures_dir().join("vendor"), &vendor).expect("copy vendor/");
    copy_dir(&fixtures_dir().join("cargo-home"), &cargo_home).expect("copy cargo-home/");
    Scenario {
        name: name.to_string(),
        root,
        dir,
        vendor,
        cargo_home,
        _tmp: tmp,
    }
}

/// Recursively copies `from` to `to`, skipping `target/` build folders.
pub fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let ty = entry.file_type()?;
        let dest = to.join(&name);
        if ty.is_dir() {
            if name == "target" {
                continue;
            }
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

impl Scenario {
    /// `cargo-cra cra ARGS...`, the way cargo runs a subcommand, in [`Scenario::dir`] with a
    /// scrubbed environment (see [`Scenario::apply_env`]).
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-cra"));
        cmd.arg("cra").args(args);
        self.apply_env(&mut cmd);
        cmd
    }

    /// `cargo ARGS...` (the cargo running the tests, else `cargo` from PATH) in
    /// [`Scenario::dir`] with the same scrubbed environment as [`Scenario::cmd`].
    pub fn cargo<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(args);
        self.apply_env(&mut cmd);
        cmd
    }

    /// Working directory = the scenario; the environment cleared except [`KEPT_VARS`]
    /// (so no CARGO_TERM_COLOR, RUST_LOG, CARGO_CRA_*, CARGO_TARGET_DIR, registry tokens,
    /// ...), then CARGO_HOME = the copy of the fake cargo home,
    /// SOURCE_DATE_EPOCH = [`SOURCE_DATE_EPOCH`] and NO_COLOR=1.
    pub fn apply_env(&self, cmd: &mut Command) {
        cmd.current_dir(&self.dir);
        cmd.env_clear();
        for key in KEPT_VARS {
            if let Some(value) = std::env::var_os(key) {
                cmd.env(key, value);
            }
        }
        cmd.env("CARGO_HOME", &self.cargo_home);
        cmd.env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH);
        cmd.env("NO_COLOR", "1");
    }

    /// `rel` inside the scenario copy.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.join(rel)
    }

    /// Reads `rel` (relative to the scenario copy) as UTF-8.
    pub fn read(&self, rel: impl AsRef<Path>) -> String {
        let path = self.path(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Writes `contents` to `rel` (relative to the scenario copy), creating folders.
    pub fn write(&self, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folders");
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// The cached `.crate` file of `name-version` in the fake cargo home copy (which may
    /// not exist: `tinyrand` is left out on purpose).
    pub fn cached_crate(&self, name: &str, version: &str) -> PathBuf {
        self.cargo_home
            .join(CRATES_IO_CACHE)
            .join(format!("{name}-{version}.crate"))
    }

    /// `text` with the temporary root replaced by `[ROOT]`.
    pub fn redact(&self, text: &str) -> String {
        redact(text, &self.root)
    }
}

/// Replaces `root` (as given, and in its `/`-separated and `file://` URL forms) with
/// `[ROOT]` in `text`.
pub fn redact(text: &str, root: &Path) -> String {
    let mut forms = vec![root.display().to_string()];
    let slashed = forms[0].replace('\\', "/");
    if slashed != forms[0] {
        forms.push(slashed);
    }
    if let Ok(canon) = root.canonicalize() {
        let canon = canon.display().to_string();
        if !forms.contains(&canon) {
            forms.push(canon);
        }
    }
    // Longest first, so a form that contains another is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    let mut out = text.to_string();
    for form in forms.iter().filter(|f| !f.is_empty()) {
        out = out.replace(form.as_str(), "[ROOT]");
    }
    out
}

/// What a finished command produced.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit code (panics in [`run`] if the process was killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded as UTF-8.
    pub stdout: String,
    /// Standard error, lossily decoded as UTF-8.
    pub stderr: String,
}

impl Output {
    /// Panics, showing stdout and stderr, unless the exit code is `expected`.
    #[track_caller]
    pub fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "unexpected exit code {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Both streams, for error messages.
    pub fn both(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// Runs `cmd` to completion with stdin closed and returns its exit code and output.
pub fn run(mut cmd: impl BorrowMut<Command>) -> Output {
    let cmd = cmd.borrow_mut();
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd.get_program()));
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "{:?} was killed by a signal: {:?}",
            cmd.get_program(),
            out.status
        )
    });
    Output {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// A tiny ELF executable with a `.dep-v0` section holding `audit_json` zlib-compressed as
/// `cargo auditable` writes it (or, with `None`, a binary without audit data).
pub fn auditable_elf(audit_json: Option<&str>) -> Vec<u8> {
    use object::write::{Object, StandardSection};
    use object::{Architecture, BinaryFormat, Endianness, SectionKind};
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let text = obj.section_id(StandardSection::Text);
    obj.append_section_data(text, &[0xc3], 1);
    if let Some(json) = audit_json {
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 6);
        let s = obj.add_section(Vec::new(), b".dep-v0".to_vec(), SectionKind::ReadOnlyData);
        obj.append_section_data(s, &compressed, 1);
    }
    let mut bytes = obj.write().expect("write the ELF");
    // An executable (`ET_EXEC`), as the linker leaves it, not a relocatable object.
    bytes[16..18].copy_from_slice(&2u16.to_le_bytes());
    bytes
}

/// The hand-written advisory database fixture (`tests/fixtures/advisory-db`), as a string
/// for command arguments.
pub fn fixture_db() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/advisory-db")
        .display()
        .to_string()
}

/// `cargo build --locked --offline --quiet ARGS` in the scenario; panics on failure.
pub fn cargo_build(s: &Scenario, extra: &[&str]) {
    let mut args = vec!["build", "--locked", "--offline", "--quiet"];
    args.extend_from_slice(extra);
    let out = run(s.cargo(args));
    assert_eq!(out.code, 0, "cargo build failed:\n{}", out.both());
}

/// `cargo cra sbom --locked --offline --advisory-db <fixture> ARGS` in the scenario.
pub fn sbom(s: &Scenario, extra: &[&str]) -> Output {
    let db = fixture_db();
    let mut args = vec![
        "sbom",
        "--locked",
        "--offline",
        "--advisory-db",
        db.as_str(),
    ];
    args.extend_from_slice(extra);
    run(s.cmd(args))
}

/// Copies a document a test wrote to `target/<folder>/<name>`, where `.ci/run` validates it
/// with an independent implementation (`test-sboms`, `test-spdx`, `test-sarif`, ...).
pub fn export_for_validation(folder: &str, name: &str, text: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join(folder);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("export {name}: {e}"));
}
