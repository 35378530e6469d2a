//! Helpers shared by the fuzz targets (each target includes this file with `#[path]`).
#![allow(dead_code)]

use camino::{Utf8Path, Utf8PathBuf};
use cargo_cra::diag::{Diagnostic, SourceMap};
use std::sync::OnceLock;

/// Renders diagnostics as the tool does (rustc-style text, the JSON report's locations), so that a span pointing outside its file or inside a character is
/// found here and not in a user's terminal.
pub fn render(sources: &SourceMap, diags: &[Diagnostic]) {
    let mut buf = codespan_reporting::term::termcolor::Buffer::no_color();
    cargo_cra::output::render(&mut buf, sources, diags, false).expect("rendering to memory");
    for d in diags {
        let j = cargo_cra::report::JsonDiagnostic::from_diag(d, sources);
        serde_json::to_string(&j).expect("a diagnostic serializes");
    }
}

/// A scratch directory for this process (removed when the process exits normally; libFuzzer
/// exits through `exit`, so a crashed run may leave it in the system's temporary folder).
pub fn scratch() -> &'static Utf8Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let d = DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("cargo-cra-fuzz-")
            .tempdir()
            .expect("a temporary directory")
    });
    Utf8Path::from_path(d.path()).expect("a UTF-8 temporary path")
}

/// The repository root (fixtures are read from it).
pub fn repo() -> Utf8PathBuf {
    Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Writes `bytes` to `path` (plain write: scratch files only).
pub fn put(path: &Utf8Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {path}: {e}"));
}

/// Copies the fake CARGO_HOME of the tests into the scratch directory and points the
/// process at it, offline, with the tests' "today" (advisory database staleness).
pub fn hermetic_env() -> Utf8PathBuf {
    let home = scratch().join("cargo-home");
    if !home.exists() {
        copy_dir(&repo().join("test-workspaces/cargo-home"), &home);
        set_env(&home);
    }
    home
}

fn set_env(home: &Utf8Path) {
    // SAFETY: called once from the fuzzing thread before the checks start any thread.
    unsafe {
        std::env::set_var("CARGO_HOME", home);
        std::env::set_var("SOURCE_DATE_EPOCH", "1796083200");
        std::env::set_var("CARGO_NET_OFFLINE", "true");
        std::env::set_var("NO_COLOR", "1");
    }
}

/// Copies a directory tree.
pub fn copy_dir(from: &Utf8Path, to: &Utf8Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {to}: {e}"));
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("reading {from}: {e}")) {
        let e = e.expect("a directory entry");
        let name = e.file_name().into_string().expect("a UTF-8 name");
        let (src, dst) = (from.join(&name), to.join(&name));
        if e.file_type().expect("a file type").is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copying {src}: {e}"));
        }
    }
}

/// Runs `cargo cra check ARGS` in-process as the binary would (no printing) and renders what
/// it found: the text, JSON, SARIF and GitHub forms. `Err` (could not run) is a valid
/// outcome for malformed input; a panic is not.
pub fn check(args: &[&str]) {
    use cargo_cra::cli::{Cli, ColorChoice, Command};
    use clap::Parser;
    let mut argv = vec!["cargo-cra", "check"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(&argv).expect("valid arguments");
    let Command::Check(args) = cli.command else {
        unreachable!("a check command line")
    };
    let printer = cargo_cra::output::Printer::new(Some(ColorChoice::Never), true, 0);
    let Ok(run) = cargo_cra::commands::check::run_checks(&args, &printer) else {
        return;
    };
    render(&run.sources, &run.diagnostics);
    let anchors = cargo_cra::commands::check::check_anchors(&run);
    let _ = cargo_cra::export::sarif::to_json(&run.diagnostics, &run.sources, &anchors);
    let _ = cargo_cra::export::github::to_commands(&run.diagnostics, &run.sources, &anchors);
}
