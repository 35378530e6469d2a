//! `cargo cra sbom`. (Being written: see issue 4.)

use crate::cli::SbomArgs;
use crate::error::{Error, Result};
use crate::output::Printer;

/// Runs `cargo cra sbom`.
pub fn run(_args: &SbomArgs, _printer: &Printer) -> Result<u8> {
    Err(Error::other("`cargo cra sbom` is not built yet"))
}
