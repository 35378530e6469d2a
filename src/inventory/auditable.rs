//! Binaries built with `cargo auditable`: the zlib-compressed JSON dependency list in the
//! `.dep-v0` section (ELF, PE, Mach-O; a custom section in WebAssembly), read with the
//! `auditable-info` crate. The root package is the product; every other package is a
//! component (build-time ones too, as `cargo audit bin` checks them). The audit data names a
//! package's source only by kind (`crates.io`, `git`, `registry`, `local`), so purls are
//! built without a registry or repository URL; no target triple is recorded.

use super::{Collector, Component, Head, InputFormat, Inventory};
use crate::error::{Error, Result};
use crate::purl::{self, CargoSource};
use auditable_serde::{Source, VersionInfo};
use camino::Utf8Path;

/// The largest decompressed audit data we accept (auditable-info's default is 8 MiB).
const MAX_AUDIT_JSON: usize = 64 * 1024 * 1024;

/// Why a binary has no usable audit data.
#[derive(Debug)]
pub enum NoAudit {
    /// The binary has no `.dep-v0` section: it was not built with `cargo auditable`.
    Missing,
    /// The binary or its audit data could not be read; the reason.
    Unreadable(String),
}

/// The audit data of a binary (the whole file in `bytes`).
pub fn audit_data(bytes: &[u8]) -> std::result::Result<VersionInfo, NoAudit> {
    match auditable_info::audit_info_from_slice(bytes, MAX_AUDIT_JSON) {
        Ok(info) => Ok(info),
        Err(auditable_info::Error::NoAuditData) => Err(NoAudit::Missing),
        Err(e) => Err(NoAudit::Unreadable(describe(&e))),
    }
}

/// auditable-info's errors in our words (lowercase, no advice to raise limits we set).
fn describe(e: &auditable_info::Error) -> String {
    use auditable_info::Error as E;
    match e {
        E::NoAuditData => "no cargo auditable data".into(),
        E::InputLimitExceeded | E::OutputLimitExceeded => {
            format!(
                "its cargo auditable data is larger than {} MiB",
                MAX_AUDIT_JSON >> 20
            )
        }
        E::BinaryParsing(e) => format!("the binary could not be parsed: {e}"),
        E::Decompression(e) => format!("its cargo auditable data could not be decompressed: {e}"),
        E::Json(e) => format!("its cargo auditable data is not valid: {e}"),
        E::Utf8(e) => format!("its cargo auditable data is not UTF-8: {e}"),
        E::Io(e) => format!("failed to read: {e}"),
    }
}

/// Reads the audit data of a binary. A binary without it is an error: "not built with cargo
/// auditable".
pub fn read(path: &Utf8Path, bytes: &[u8]) -> Result<Inventory> {
    let info = match audit_data(bytes) {
        Ok(info) => info,
        Err(NoAudit::Missing) => {
            return Err(Error::malformed(
                path,
                "not built with cargo auditable: the binary has no `.dep-v0` dependency data (build it with `cargo auditable build`, or scan its SBOM)",
            ));
        }
        Err(NoAudit::Unreadable(why)) => return Err(Error::malformed(path, why)),
    };
    Ok(inventory(path, &info))
}

/// The inventory of decoded audit data.
pub fn inventory(path: &Utf8Path, info: &VersionInfo) -> Inventory {
    let mut out = Collector::with_capacity(info.packages.len());
    let mut product = None;
    let mut root = None;
    for p in &info.packages {
        let source = match &p.source {
            Source::CratesIo => CargoSource::CratesIo,
            Source::Local => CargoSource::Path,
            // The audit data does not say which repository or registry.
            Source::Git => CargoSource::Git(String::new()),
            Source::Registry => CargoSource::Registry(String::new()),
            Source::Other(kind) => CargoSource::Other(kind.clone()),
            _ => CargoSource::Other(String::new()),
        };
        let version = p.version.to_string();
        // The purl carries the source where we know its URL: the bare base otherwise.
        let purl_source = match &source {
            CargoSource::CratesIo | CargoSource::Path => source.clone(),
            _ => CargoSource::CratesIo,
        };
        let purl = purl::cargo(&p.name, &version, &purl_source);
        if p.root {
            root = Some((p.name.clone(), version));
            product = Some(Component {
                name: p.name.clone(),
                version: p.version.clone(),
                purl,
                bom_ref: None,
                source,
                source_assumed: false,
            });
            continue;
        }
        out.push(Component {
            name: p.name.clone(),
            version: p.version.clone(),
            purl,
            bom_ref: None,
            source,
            source_assumed: false,
        });
    }
    let (product_name, product_version) = root.unzip();
    out.finish(
        Head {
            path: path.to_owned(),
            format: InputFormat::Auditable,
            serial_number: None,
            bom_version: None,
            product_name,
            product_version,
        },
        product,
        &[],
    )
}
