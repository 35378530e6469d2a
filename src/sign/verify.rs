//! `cargo cra verify`. (Being written: see issue 5.)

use crate::cli::VerifyArgs;
use crate::error::{Error, Result};
use crate::output::Printer;

/// Runs `cargo cra verify`.
pub fn run(_args: &VerifyArgs, _printer: &Printer) -> Result<u8> {
    Err(Error::other("`cargo cra verify` is not built yet"))
}
