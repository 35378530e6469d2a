//! Affected releases from the SBOM archive (`report new ADVISORY --sboms DIR`): every SBOM
//! (CycloneDX, SPDX 2/3) or `cargo auditable` binary under the given paths, scanned by
//! [`crate::scan`] with the advisory alone as the database, so a release counts as affected
//! exactly when `cargo cra scan` reports the advisory on it: the same version ranges,
//! withdrawn advisories skipped, os/arch against the targets the SBOM records, the policy's
//! levels and its ignore and triage entries (`not_affected`/`fixed` for that release settle
//! it). Each such input is one affected release: the SBOM's product at its version, with the
//! affected components and the file (path relative to the workspace root, SHA-256) as
//! evidence.

use super::case::Release;
use crate::advisory::db::{Database, Record};
use crate::diag::Code;
use crate::error::{Error, Result};
use crate::inventory;
use crate::output::Printer;
use crate::policy::Policy;
use crate::scan::{self, InputState};
use camino::{Utf8Path, Utf8PathBuf};

/// What the scan found.
#[derive(Debug, Default)]
pub struct Found {
    /// Affected releases, in walk order.
    pub releases: Vec<Release>,
    /// Inputs read.
    pub read: usize,
}

/// Scans `paths` for releases affected by `rec` under `policy`. A malformed SBOM stops the
/// run (exit 2): an archive that cannot be read must not yield a case that looks complete.
/// Inputs the scan cannot check (CycloneDX XML, binaries without audit data) are warned about.
pub fn scan(
    root: &Utf8Path,
    paths: &[Utf8PathBuf],
    rec: &Record,
    policy: &Policy,
    printer: &Printer,
) -> Result<Found> {
    let database = Database::new(
        Utf8PathBuf::from("(advisory)"),
        None,
        None,
        vec![rec.clone()],
        false,
    );
    let opts = scan::Options {
        policy,
        database: &database,
        today: crate::today()?,
        trust: None,
        namespace: "file",
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        vex: &[],
    };
    let listed = inventory::list(paths)?;
    let run = scan::scan(&listed, &opts, printer)?;
    for (path, reason) in &run.skipped {
        printer.verbose(format!("skipped {path}: {reason}"));
    }
    let mut found = Found::default();
    for input in run.inputs {
        if input.state == InputState::Unreadable {
            let why = input
                .diagnostics
                .first()
                .map_or_else(String::new, |d| d.message.clone());
            printer.warn(format!(
                "{why}; not checked for {} (add the release with --affected PRODUCT@VERSION if it is affected)",
                rec.id
            ));
            continue;
        }
        found.read += 1;
        // The advisory's unsettled findings: what `scan` reports as affecting the release.
        let mut components: Vec<String> = input
            .diagnostics
            .iter()
            .filter(|d| {
                matches!(
                    d.code,
                    Code::AdvisoryVulnerability
                        | Code::AdvisoryUnmaintained
                        | Code::AdvisoryUnsound
                        | Code::AdvisoryNotice
                )
            })
            .filter(|d| {
                d.data
                    .get("advisory-id")
                    .and_then(|v| v.as_str())
                    .is_some_and(|id| id == rec.id)
            })
            .filter_map(|d| d.package.as_ref().map(|p| p.purl.clone()))
            .collect();
        if components.is_empty() {
            continue;
        }
        components.sort();
        components.dedup();
        let path = input.path;
        let (product, version) = match &input.product {
            Some(p)
                if p.version
                    .as_deref()
                    .is_some_and(|v| semver::Version::parse(v).is_ok()) =>
            {
                (p.name.clone(), p.version.clone().unwrap_or_default())
            }
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
        let purl = input
            .product
            .as_ref()
            .and_then(|p| p.purl.clone())
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
            sbom_sha256: input.sha256.clone(),
            components,
        });
    }
    Ok(found)
}
