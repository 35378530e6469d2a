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
markets = ["EU"]                  # or the ISO 3166 codes of the Member States where it is sold
main-establishment = "DE"         # Member State of the main establishment (its CSIRT coordinates)
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
    if args.security_txt {
        write_security_txt(args, printer)?;
        if path.exists() && !args.force {
            printer.status("Kept", &path);
            return Ok(ExitCode::SUCCESS);
        }
    }
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

/// `init --security-txt`: `.well-known/security.txt` from the products' CRA metadata.
fn write_security_txt(args: &InitArgs, printer: &Printer) -> Result<()> {
    let ws = crate::art14::args::CaseWorkspace {
        manifest_path: args.manifest_path.clone(),
        policy: None,
    };
    let (root, pol) = crate::art14::info::root_and_policy(&ws)?;
    let products = crate::art14::info::products(&ws, &pol)?;
    let mut contacts: Vec<String> = Vec::new();
    let mut push = |c: String| {
        if !contacts.contains(&c) {
            contacts.push(c);
        }
    };
    for p in &products {
        if let Some(c) = p.meta.security_contact.clone() {
            push(c);
        }
    }
    for p in &products {
        if let Some(e) = p.meta.manufacturer.as_ref().and_then(|m| m.email.clone()) {
            push(format!("mailto:{e}"));
        }
    }
    if contacts.is_empty() {
        return Err(Error::other(format!(
            "{}: no product declares a `security-contact` (or a manufacturer email) for security.txt's `Contact`\n  help: add the CRA metadata first:\n{METADATA_BLOCK}",
            root.join("Cargo.toml")
        )));
    }
    let policy_url = products
        .iter()
        .filter_map(|p| p.meta.vulnerability_disclosure_policy.clone())
        .find(|u| u.starts_with("https://"));
    let out = root.join(".well-known").join("security.txt");
    if out.exists() && !args.force {
        return Err(Error::other(format!(
            "{out}: already exists (use --force to overwrite)"
        )));
    }
    let text =
        crate::checks::security_txt::render(&contacts, policy_url.as_deref(), None, crate::now()?);
    let dir = root.join(".well-known");
    std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
    fsutil::write_atomic(&out, text.as_bytes())?;
    printer.status("Created", &out);
    Ok(())
}
