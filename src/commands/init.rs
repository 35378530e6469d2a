//! `cargo cra init`: writes the commented example policy and prints the metadata block to add
//! to the manifest.

use crate::cli::{InitArgs, WorkspaceArgs};
use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;
use crate::{fsutil, policy, workspace};

/// The `[package.metadata.cra]` block `init` prints.
pub const METADATA_BLOCK: &str = r#"[package.metadata.cra]   # or [workspace.metadata.cra], inherited by every member
manufacturer = { name = "Example GmbH", email = "security@example.com", url = "https://example.com", address = "Street 1, 10115 Berlin, DE" }
security-contact = "mailto:security@example.com"
vulnerability-disclosure-policy = "SECURITY.md"
support-end = "2031-12"
release-date = "2026-12-01"
product-class = "default"
intended-purpose = "What the product is for, in one sentence"
"#;

/// Runs `cargo cra init`.
pub fn run(args: &InitArgs, printer: &Printer) -> Result<u8> {
    let path = match &args.path {
        Some(p) => p.clone(),
        None => {
            let ws = WorkspaceArgs {
                manifest_path: args.manifest_path.clone(),
                ..Default::default()
            };
            let manifest = workspace::find_manifest(&ws)?;
            workspace::find_workspace_root(&manifest)?.join(policy::FILE_NAME)
        }
    };
    if path.exists() && !args.force {
        return Err(Error::other(format!(
            "{path}: already exists (use --force to overwrite)"
        )));
    }
    fsutil::write_atomic(&path, policy::EXAMPLE.as_bytes())?;
    printer.status("Created", &path);
    if !printer.quiet {
        println!("Add the CRA product metadata to each product's Cargo.toml:\n\n{METADATA_BLOCK}");
    }
    Ok(ExitCode::SUCCESS)
}
