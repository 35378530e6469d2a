//! What the reports need from the workspace: its root (cases live in `cra-reports/` there),
//! the policy, and the products with their CRA metadata (manufacturer, `markets`,
//! `main-establishment`), read with `cargo metadata --no-deps` (no lockfile, no network).

use super::args::CaseWorkspace;
use crate::checks::product::{self, ProductMeta};
use crate::cli::WorkspaceArgs;
use crate::error::{Error, Result};
use crate::policy::Policy;
use camino::Utf8PathBuf;

/// A product of the workspace.
#[derive(Debug, Clone)]
pub struct ProductInfo {
    /// Package name.
    pub name: String,
    /// Current version.
    pub version: String,
    /// purl (`pkg:cargo/name@version`).
    pub purl: String,
    /// `description` from the manifest.
    pub description: Option<String>,
    /// CRA metadata after inheritance.
    pub meta: ProductMeta,
}

/// Root and policy: all `status` needs.
pub fn root_and_policy(ws: &CaseWorkspace) -> Result<(Utf8PathBuf, Policy)> {
    let args = WorkspaceArgs {
        manifest_path: ws.manifest_path.clone(),
        ..Default::default()
    };
    let manifest = crate::workspace::find_manifest(&args)?;
    let root = crate::workspace::find_workspace_root(&manifest)?;
    let root = crate::output::normalize(&root);
    let policy = Policy::load(ws.policy.as_deref(), &root)?;
    Ok((root, policy))
}

/// The workspace's products (policy `[product] members`, else the members with a binary).
pub fn products(ws: &CaseWorkspace, policy: &Policy) -> Result<Vec<ProductInfo>> {
    let args = WorkspaceArgs {
        manifest_path: ws.manifest_path.clone(),
        ..Default::default()
    };
    let manifest = crate::workspace::find_manifest(&args)?;
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.manifest_path(&manifest).no_deps();
    let md = cmd.exec().map_err(|e| {
        let detail = match &e {
            cargo_metadata::Error::CargoMetadata { stderr } => stderr.trim().to_string(),
            other => other.to_string(),
        };
        Error::Command {
            message: format!("{manifest}: `cargo metadata --no-deps` failed:\n{detail}"),
        }
    })?;
    let ws_meta = Some(&md.workspace_metadata).filter(|v| !v.is_null());
    let members: Vec<&cargo_metadata::Package> = md.workspace_packages();
    let selected: Vec<&cargo_metadata::Package> = match &policy.product.members {
        Some(names) => members
            .into_iter()
            .filter(|p| {
                names
                    .iter()
                    .any(|(n, _)| n.as_str() == p.name.as_ref() as &str)
            })
            .collect(),
        None => members
            .into_iter()
            .filter(|p| product::is_default_product(p))
            .collect(),
    };
    let mut out: Vec<ProductInfo> = selected
        .into_iter()
        .map(|p| ProductInfo {
            name: p.name.to_string(),
            version: p.version.to_string(),
            purl: crate::purl::cargo(
                p.name.as_ref(),
                &p.version.to_string(),
                &crate::purl::CargoSource::Path,
            ),
            description: p.description.clone(),
            meta: product::metadata_of(ws_meta, p),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
