//! `cargo cra keygen`. (Being written: see issue 5.)

use crate::cli::KeygenArgs;
use crate::error::{Error, Result};
use crate::output::Printer;

/// Runs `cargo cra keygen`.
pub fn run(_args: &KeygenArgs, _printer: &Printer) -> Result<u8> {
    Err(Error::other("`cargo cra keygen` is not built yet"))
}
