#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod advisory;
pub mod art14;
pub mod cargo_cache;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod csaf;
pub mod diag;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod inventory;
pub mod output;
pub mod policy;
pub mod purl;
pub mod report;
pub mod sbom;
pub mod scan;
pub mod sign;
pub mod upload;
pub mod vex;
pub mod workspace;

use clap::Parser;
use cli::{Cli, Command};
use error::ExitCode as Code;
use output::Printer;

/// Default SSHSIG namespace for SBOM signatures.
pub const DEFAULT_NAMESPACE: &str = "cargo-cra-sbom";

/// This tool's version, as recorded in SBOM `metadata.tools` and reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Entry point of the binary: parses the arguments (accepting cargo's leading `cra`), runs
/// the command and maps the outcome to an exit code (see [`error::ExitCode`]).
pub fn main_entry<I>(args: I) -> std::process::ExitCode
where
    I: IntoIterator<Item = std::ffi::OsString>,
{
    let mut args: Vec<std::ffi::OsString> = args.into_iter().collect();
    // `cargo cra check` runs `cargo-cra cra check`.
    if args.get(1).is_some_and(|a| a == "cra") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() {
                Code::COULD_NOT_RUN
            } else {
                Code::SUCCESS
            };
            return std::process::ExitCode::from(code);
        }
    };
    let printer = Printer::new(cli.color, cli.quiet, cli.verbose);
    match run(cli, &printer) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            printer.error(&e);
            std::process::ExitCode::from(e.exit_code())
        }
    }
}

/// Runs a parsed command line; returns the exit code ([`error::ExitCode`]) or the error
/// that stopped the run.
pub fn run(cli: Cli, printer: &Printer) -> error::Result<u8> {
    match cli.command {
        Command::Check(args) => commands::check::run(&args, printer),
        Command::Init(args) => commands::init::run(&args, printer),
        Command::Sbom(args) => sbom::run(&args, printer),
        Command::Verify(args) => sign::verify::run(&args, printer),
        Command::Keygen(args) => sign::keygen::run(&args, printer),
        Command::Report(args) => art14::run(&args, printer),
        Command::Vex(args) => commands::vex::run(&args, printer),
        Command::Scan(args) => scan::run(&args, printer),
        Command::Upload(args) => upload::run(&args, printer),
    }
}

/// "Today" in UTC: from `SOURCE_DATE_EPOCH` when set (reproducible builds, pinned tests),
/// else the system clock.
pub fn today() -> error::Result<time::Date> {
    Ok(now()?.date())
}

/// "Now" in UTC, from `SOURCE_DATE_EPOCH` when set.
pub fn now() -> error::Result<time::OffsetDateTime> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => {
            let secs: i64 = v.trim().parse().map_err(|_| {
                error::Error::other(format!(
                    "SOURCE_DATE_EPOCH is not a number of seconds: `{v}`"
                ))
            })?;
            time::OffsetDateTime::from_unix_timestamp(secs).map_err(|_| {
                error::Error::other(format!("SOURCE_DATE_EPOCH is out of range: `{v}`"))
            })
        }
        Err(_) => Ok(time::OffsetDateTime::now_utc()),
    }
}
