//! Affected releases from the SBOM archive (`report new ADVISORY --sboms DIR`): every SBOM
//! (CycloneDX, SPDX 2/3) or `cargo auditable` binary under the given paths, read with
//! [`crate::inventory`], whose components include a version of the advisory's crate that the
//! advisory affects. Each such input is one affected release: the SBOM's product at its
//! version, with the affected components and the file (path relative to the workspace root,
//! SHA-256) as evidence.

use super::case::Release;
use crate::advisory::db::Record;
use crate::error::{Error, Result};
use crate::inventory::{self, Entry};
use crate::output::Printer;
use camino::{Utf8Path, Utf8PathBuf};

/// What the scan found.
#[derive(Debug, Default)]
pub struct Found {
    /// Affected releases, in walk order.
    pub releases: Vec<Release>,
    /// Inputs read.
    pub read: usize,
}

/// Scans `paths` for releases affected by `rec`. A malformed SBOM stops the run (exit 2):
/// an archive that cannot be read must not yield a case that looks complete. Inputs the walk
/// cannot check (CycloneDX XML, binaries without audit data) are warned about.
pub fn scan(
    root: &Utf8Path,
    paths: &[Utf8PathBuf],
    rec: &Record,
    printer: &Printer,
) -> Result<Found> {
    let versions = rec.versions()?;
    let mut found = Found::default();
    for entry in inventory::walk(paths)? {
        let path = match entry {
            Entry::Sbom { path } | Entry::Binary { path } => path,
            Entry::Skipped { path, reason } => {
                printer.verbose(format!("skipped {path}: {reason}"));
                continue;
            }
            Entry::Unreadable { path, reason } => {
                printer.warn(format!(
                    "{path}: not checked for {}: {reason} (add the release with --affected PRODUCT@VERSION if it is affected)",
                    rec.id
                ));
                continue;
            }
        };
        let inv = inventory::read(&path)?;
        found.read += 1;
        let mut components: Vec<String> = inv
            .components
            .iter()
            .filter(|c| {
                c.name == rec.package
                    && c.source.is_crates_io() == rec.source.is_none()
                    && versions.is_vulnerable(&c.version)
            })
            .map(|c| c.purl.clone())
            .collect();
        if components.is_empty() {
            continue;
        }
        components.sort();
        components.dedup();
        let (product, version) = match (&inv.product, &inv.product_name, &inv.product_version) {
            (Some(p), _, _) => (p.name.clone(), p.version.to_string()),
            (None, Some(n), Some(v)) if semver::Version::parse(v).is_ok() => (n.clone(), v.clone()),
            _ => {
                return Err(Error::malformed(
                    &path,
                    format!(
                        "contains {} but names no product with a version (CycloneDX `metadata.component`, the SPDX described package): the affected release cannot be told",
                        components.join(", ")
                    ),
                ));
            }
        };
        let purl = inv
            .product
            .as_ref()
            .map(|p| p.purl.clone())
            .unwrap_or_else(|| {
                crate::purl::cargo(&product, &version, &crate::purl::CargoSource::Path)
            });
        let evidence = path
            .strip_prefix(root)
            .map(Utf8Path::to_path_buf)
            .unwrap_or_else(|_| path.clone());
        found.releases.push(Release {
            product,
            version,
            purl,
            evidence: evidence.to_string(),
            sbom_sha256: Some(inv.sha256.clone()),
            components,
        });
    }
    Ok(found)
}
