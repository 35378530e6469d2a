//! Operational errors ("could not run") and the documented process exit codes.
//!
//! A policy violation is never an [`Error`]: it is a [`crate::diag::Diagnostic`]. An `Error`
//! means the tool could not decide, so the gate fails closed with [`ExitCode::COULD_NOT_RUN`].

use camino::Utf8PathBuf;

/// Documented process exit codes. They are a public contract for CI scripts.
pub struct ExitCode;

impl ExitCode {
    /// The check passed (warnings allowed), the SBOM was written, the signature verified.
    pub const SUCCESS: u8 = 0;
    /// The policy was violated (or, for `verify`, verification failed).
    pub const VIOLATION: u8 = 1;
    /// The tool could not run: bad arguments, unreadable or malformed input, cargo failed,
    /// no usable advisory database. Never a pass.
    pub const COULD_NOT_RUN: u8 = 2;
}

/// Why the tool could not run. Messages are lowercase fragments; the first line names the
/// file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file.
        path: Utf8PathBuf,
        /// What was being done ("failed to read", "failed to write").
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// An input file is malformed (policy, manifest, lockfile, advisory, SBOM, key).
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: Utf8PathBuf,
        /// What is wrong, optionally with `line:col` at the front.
        message: String,
    },
    /// An external command (cargo, git, rustc) failed.
    #[error("{message}")]
    Command {
        /// What failed and how to fix it.
        message: String,
    },
    /// Anything else that stops the run, with context.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// A read failure on `path`.
    pub fn read(path: impl Into<Utf8PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action: "failed to read",
            source,
        }
    }

    /// A write failure on `path`.
    pub fn write(path: impl Into<Utf8PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action: "failed to write",
            source,
        }
    }

    /// A malformed input file.
    pub fn malformed(path: impl Into<Utf8PathBuf>, message: impl Into<String>) -> Self {
        Error::Malformed {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Anything else.
    pub fn other(message: impl Into<String>) -> Self {
        Error::Other(message.into())
    }

    /// The exit code for this error (always [`ExitCode::COULD_NOT_RUN`]).
    pub fn exit_code(&self) -> u8 {
        ExitCode::COULD_NOT_RUN
    }
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
