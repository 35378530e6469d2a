//! Command-line interface (clap derive), shaped like cargo's own: cargo runs `cargo-cra cra
//! <command>`, so the leading `cra` is accepted and dropped; flags reuse cargo's names.

use camino::Utf8PathBuf;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// EU Cyber Resilience Act compliance gate for Rust workspaces.
#[derive(Debug, Parser)]
#[command(name = "cargo-cra", bin_name = "cargo cra", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 pass, 1 policy violated (or verification failed), 2 could not run."
)]
pub struct Cli {
    /// Coloring: auto, always, never (default: CARGO_TERM_COLOR, else auto).
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,
    /// Print less: only errors and the summary.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more (repeat for even more): timings, skipped items.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when writing to a terminal.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the workspace against the policy: licenses, sources, advisories, CRA metadata.
    Check(CheckArgs),
    /// Write a commented deny-policy.toml and print the CRA metadata block to add.
    Init(InitArgs),
    /// Write a CRA-ready CycloneDX SBOM next to each binary artifact (optionally signed).
    Sbom(SbomArgs),
    /// Verify an SBOM's signature and attestation, and that it still matches the build.
    Verify(VerifyArgs),
    /// Generate an OpenSSH Ed25519 key pair for signing SBOMs.
    Keygen(KeygenArgs),
    /// CRA Art. 14 reporting: cases, deadlines, drafts of the three reports, CSAF advisory.
    Report(crate::art14::args::ReportArgs),
    /// Write the triage of the advisories that hit the releases as a VEX document (OpenVEX,
    /// CycloneDX VEX or CSAF VEX).
    Vex(VexArgs),
    /// Scan shipped releases (SBOMs, folders of them, cargo-auditable binaries) against
    /// today's advisories.
    Scan(ScanArgs),
    /// Upload SBOMs and CycloneDX VEX documents to Dependency-Track.
    Upload(crate::upload::UploadArgs),
}

/// Cargo's workspace-selection flags, shared by `check` and `sbom`.
#[derive(Debug, Clone, Default, Args)]
pub struct WorkspaceArgs {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<Utf8PathBuf>,
    /// Package(s) to check (default: the whole workspace, or the current package).
    #[arg(short, long = "package", value_name = "SPEC")]
    pub package: Vec<String>,
    /// Check all members of the workspace.
    #[arg(long)]
    pub workspace: bool,
    /// Exclude packages from the check (with --workspace).
    #[arg(long, value_name = "SPEC")]
    pub exclude: Vec<String>,
    /// Only consider dependencies built for this target triple (repeatable; default: host).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Vec<String>,
    /// Space- or comma-separated list of features to activate.
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Activate all available features.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
    /// Assert that Cargo.lock will remain unchanged.
    #[arg(long)]
    pub locked: bool,
    /// Run without accessing the network (no advisory database fetch either).
    #[arg(long)]
    pub offline: bool,
    /// Equivalent to --locked and --offline.
    #[arg(long)]
    pub frozen: bool,
    /// Policy file (default: deny-policy.toml at the workspace root, else cargo-deny's
    /// deny.toml, .deny.toml or .cargo/deny.toml there).
    #[arg(long, value_name = "PATH", env = "CARGO_CRA_POLICY")]
    pub policy: Option<Utf8PathBuf>,
    /// Read `cargo metadata --format-version 1` output from this file instead of running cargo.
    #[arg(long, value_name = "PATH")]
    pub metadata_path: Option<Utf8PathBuf>,
    /// Cached `cargo metadata` answers by target (`host-tuple` included), set by the
    /// cargo-answer cache ([`crate::cargo_cache`]); not a command-line flag.
    #[arg(skip)]
    pub cached_metadata: std::collections::BTreeMap<String, Utf8PathBuf>,
    /// `rustc --print cfg` answers of this run (filled from the cargo-answer cache); not a
    /// command-line flag.
    #[arg(skip)]
    pub cfg_answers: crate::workspace::features::CfgAnswers,
}

impl WorkspaceArgs {
    /// `--offline` or `--frozen`.
    pub fn is_offline(&self) -> bool {
        self.offline || self.frozen
    }

    /// `--locked` or `--frozen`.
    pub fn is_locked(&self) -> bool {
        self.locked || self.frozen
    }
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Rustc-like diagnostics on stderr.
    #[default]
    Human,
    /// One JSON report object on stdout (diagnostics are in it); see the README.
    Json,
}

/// Output format of `check` (and of commands that report findings the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum FindingsFormat {
    /// Rustc-like diagnostics on stderr.
    #[default]
    Human,
    /// One JSON report object on stdout (diagnostics are in it); see the README.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning (upload with github/codeql-action/upload-sarif).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...,line=...::...`): annotations.
    Github,
}

/// Which packages the advisory check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Scope {
    /// Packages really built for the selected packages, features and targets.
    #[default]
    Build,
    /// Every package in Cargo.lock (what cargo-audit checks).
    Lockfile,
}

/// Checks that `check` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum WhichCheck {
    /// License expressions against the allow list.
    Licenses,
    /// Registries and git sources.
    Sources,
    /// RustSec advisories and yanked crates.
    Advisories,
    /// CRA product metadata.
    Product,
    /// cargo-deny's `[bans]`: banned and allowed crates, duplicate versions, features,
    /// wildcards, build scripts and executables shipped in build-time crates.
    Bans,
}

/// `cargo cra check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Checks to run (default: all).
    #[arg(value_enum, value_name = "CHECK")]
    pub which: Vec<WhichCheck>,
    /// Workspace selection.
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Output format: human (stderr), json, sarif (code scanning), github (annotations).
    #[arg(long, value_enum, default_value_t = FindingsFormat::Human)]
    pub format: FindingsFormat,
    /// Advisory database directory (default: policy `db-path`, else $CARGO_HOME/advisory-db).
    #[arg(long, value_name = "PATH")]
    pub advisory_db: Option<Utf8PathBuf>,
    /// Advisory scope: packages that are built (default) or every package in Cargo.lock.
    #[arg(long, value_enum, default_value_t = Scope::Build)]
    pub scope: Scope,
    /// Fast path for pre-commit hooks: advisories and sources from Cargo.lock alone,
    /// without running `cargo metadata`.
    #[arg(long)]
    pub lockfile_only: bool,
    /// Write the report (json, sarif or github format) to this file, atomically, instead of
    /// stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<Utf8PathBuf>,
    /// A VEX document (OpenVEX, CycloneDX or CSAF): its `not_affected` and `fixed` statements
    /// settle matching advisory findings, which become notes (repeatable).
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<Utf8PathBuf>,
}

/// `cargo cra init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Where to write the policy (default: deny-policy.toml at the workspace root).
    #[arg(value_name = "PATH")]
    pub path: Option<Utf8PathBuf>,
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<Utf8PathBuf>,
    /// Overwrite an existing policy file (and security.txt).
    #[arg(long)]
    pub force: bool,
    /// Start from a team's cargo-deny configuration: keep every setting (keys cargo-deny
    /// removed are commented out next to their cargo-deny 0.20 form), make cargo-deny's
    /// defaults explicit, and add the CRA sections.
    #[arg(long, value_name = "DENY_TOML")]
    pub from: Option<Utf8PathBuf>,
    /// Also write an RFC 9116 `.well-known/security.txt` at the workspace root from the CRA
    /// metadata (contacts, disclosure policy; expires in 364 days). An existing policy file
    /// is then kept.
    #[arg(long)]
    pub security_txt: bool,
}

/// SBOM serialization format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX JSON (`<artifact>.cdx.json`).
    #[default]
    #[value(alias = "cyclonedx-json")]
    Json,
    /// SPDX 2.3 JSON (`<artifact>.spdx.json`).
    SpdxJson,
    /// SPDX 3.0.1 JSON-LD (`<artifact>.spdx3.json`).
    Spdx3Json,
}

/// CycloneDX specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SpecVersion {
    /// CycloneDX 1.6 (BSI TR-03183-2 v2.1 minimum).
    #[default]
    #[value(name = "1.6")]
    V1_6,
    /// CycloneDX 1.7 (carries declared and concluded licenses side by side).
    #[value(name = "1.7")]
    V1_7,
}

/// `cargo cra sbom`.
#[derive(Debug, Clone, Args)]
pub struct SbomArgs {
    /// Workspace selection.
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Artifacts of the release profile.
    #[arg(short, long, conflicts_with = "profile")]
    pub release: bool,
    /// Artifacts of this profile (default: dev, whose directory is `debug`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Run `cargo build` first and take the artifact paths from its messages.
    #[arg(long)]
    pub build: bool,
    /// Write SBOMs into this directory instead of next to each artifact.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<Utf8PathBuf>,
    /// SBOM format: json (CycloneDX), spdx-json (SPDX 2.3), spdx3-json (SPDX 3.0.1);
    /// repeat or separate with commas to write several from one run.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "json")]
    pub format: Vec<SbomFormat>,
    /// CycloneDX specification version.
    #[arg(long, value_enum, default_value_t = SpecVersion::V1_6)]
    pub spec_version: SpecVersion,
    /// Sign each SBOM with this OpenSSH Ed25519 private key (also: policy `[sbom]
    /// signing-key`, CARGO_CRA_SIGNING_KEY_FILE, CARGO_CRA_SIGNING_KEY).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<Utf8PathBuf>,
    /// Write SBOMs even when the policy check fails.
    #[arg(long)]
    pub allow_violations: bool,
    /// Advisory database directory used by the policy check.
    #[arg(long, value_name = "PATH")]
    pub advisory_db: Option<Utf8PathBuf>,
}

/// `cargo cra verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The artifact (its `.cdx.json`, `.sig`, `.intoto.jsonl` are found next to it) or the SBOM.
    #[arg(value_name = "ARTIFACT_OR_SBOM")]
    pub path: Utf8PathBuf,
    /// OpenSSH public key to verify against.
    #[arg(
        long,
        value_name = "PUBKEY",
        required_unless_present = "allowed_signers"
    )]
    pub key: Option<Utf8PathBuf>,
    /// OpenSSH allowed_signers file (with --identity).
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub allowed_signers: Option<Utf8PathBuf>,
    /// Signer identity to look up in the allowed_signers file.
    #[arg(long, value_name = "ID")]
    pub identity: Option<String>,
    /// SSHSIG namespace.
    #[arg(long, default_value = "cargo-cra-sbom")]
    pub namespace: String,
    /// Also check that the SBOM's components match this Cargo.lock.
    #[arg(long, value_name = "CARGO_LOCK", num_args = 0..=1, default_missing_value = "Cargo.lock")]
    pub lockfile: Option<Utf8PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `cargo cra keygen`.
#[derive(Debug, Clone, Args)]
pub struct KeygenArgs {
    /// Private key path; the public key goes to `<PATH>.pub`.
    #[arg(long, value_name = "PATH")]
    pub out: Utf8PathBuf,
    /// Signer identity (email) for the key comment and the allowed_signers line.
    #[arg(long, value_name = "EMAIL", default_value = "release@example.com")]
    pub identity: String,
    /// Encrypt the private key with the passphrase in CARGO_CRA_KEY_PASSPHRASE.
    #[arg(long)]
    pub encrypt: bool,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

/// VEX document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum VexFormat {
    /// OpenVEX 0.2.0.
    #[default]
    Openvex,
    /// CycloneDX 1.6 VEX (needs CycloneDX SBOMs as inputs: statements link into them).
    Cyclonedx,
    /// CSAF 2.0, profile csaf_vex.
    Csaf,
}

/// `cargo cra vex`.
#[derive(Debug, Clone, Args)]
pub struct VexArgs {
    /// SBOM files, folders of SBOMs and binaries built with `cargo auditable` (as `scan`
    /// takes them); default: the workspace's products at their current versions.
    #[arg(value_name = "PATH")]
    pub paths: Vec<Utf8PathBuf>,
    /// Document format.
    #[arg(long, value_enum, default_value_t = VexFormat::Openvex)]
    pub format: VexFormat,
    /// Write the document to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<Utf8PathBuf>,
    /// Sign the document with this OpenSSH Ed25519 private key, writing `<FILE>.sig` and a
    /// DSSE envelope (also: policy `[sbom] signing-key`, CARGO_CRA_SIGNING_KEY_FILE,
    /// CARGO_CRA_SIGNING_KEY).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<Utf8PathBuf>,
    /// A VEX document (OpenVEX, CycloneDX or CSAF) whose statements apply where the policy
    /// records no triage (repeatable).
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<Utf8PathBuf>,
    /// Advisory database directory (default: policy `db-path`, else $CARGO_HOME/advisory-db).
    #[arg(long, value_name = "PATH")]
    pub advisory_db: Option<Utf8PathBuf>,
    /// Workspace selection (policy, products, features, targets).
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

/// `cargo cra scan`.
#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// SBOM files (CycloneDX or SPDX JSON), binaries built with `cargo auditable`, and
    /// folders of them (walked recursively; signatures and other files are skipped).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<Utf8PathBuf>,
    /// Refuse SBOMs whose `.sig` does not verify with this OpenSSH public key.
    #[arg(long, value_name = "PUBKEY", conflicts_with = "allowed_signers")]
    pub key: Option<Utf8PathBuf>,
    /// Refuse SBOMs whose `.sig` is not by a signer this allowed_signers file allows (with
    /// --identity).
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub allowed_signers: Option<Utf8PathBuf>,
    /// Signer identity to look up in the allowed_signers file.
    #[arg(long, value_name = "ID")]
    pub identity: Option<String>,
    /// SSHSIG namespace of the signatures.
    #[arg(long, default_value = "cargo-cra-sbom")]
    pub namespace: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Human)]
    pub format: FindingsFormat,
    /// Write the report to this file (atomically) instead of stdout (with --format json,
    /// sarif or github).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<Utf8PathBuf>,
    /// Advisory database directory (default: policy `db-path`, else $CARGO_HOME/advisory-db).
    #[arg(long, value_name = "PATH")]
    pub advisory_db: Option<Utf8PathBuf>,
    /// Policy file for `[advisories]` (default: deny-policy.toml of the workspace the current
    /// directory is in, else the defaults).
    #[arg(long, value_name = "PATH", env = "CARGO_CRA_POLICY")]
    pub policy: Option<Utf8PathBuf>,
    /// Path to Cargo.toml: take the policy from this workspace.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<Utf8PathBuf>,
    /// Do not fetch the advisory database.
    #[arg(long)]
    pub offline: bool,
    /// Number of inputs read in parallel (default: the number of CPUs).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// A VEX document (OpenVEX, CycloneDX or CSAF): its `not_affected` and `fixed` statements
    /// settle matching findings, which become notes (repeatable).
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<Utf8PathBuf>,
}
