//! Expanding the paths given to `cargo cra scan` into inputs: folders are walked
//! recursively in a deterministic order (sorted by file name, depth first).
//!
//! Each file becomes one [`Entry`]:
//! - an SBOM ([`Entry::Sbom`]): JSON that is CycloneDX, SPDX 2 or SPDX 3 by content, or a file
//!   named like an SBOM (`*.cdx.json`, `*.spdx.json`, `*.spdx3.json`, `bom.json`, ...)
//!   whatever its content, so that a broken SBOM is an error when it is read, never skipped;
//! - a binary with `cargo auditable` data ([`Entry::Binary`]);
//! - skipped, with the reason ([`Entry::Skipped`]): signatures (`.sig`, `.asc`), attestations
//!   (`.intoto.jsonl`), keys and certificates (`.pub`, `.pem`), checksums, text, archives,
//!   JSON that is neither CycloneDX nor SPDX, object files, and binaries without audit data
//!   that have their SBOM next to them (`app` beside `app.cdx.json`);
//! - unreadable ([`Entry::Unreadable`]): an input the scan cannot check, so it must not pass
//!   quietly: a binary without `cargo auditable` data and without an SBOM beside it,
//!   CycloneDX XML, SPDX tag-value or RDF, a file that cannot be read.
//!
//! A binary without audit data named explicitly (not found by the walk) is an
//! [`Entry::Binary`]: reading it fails with "not built with cargo auditable".
//!
//! [`list`] only looks at names and folder listings; [`classify_bytes`] decides from the content a
//! caller has already read, so that `cargo cra scan` reads every file exactly once (on its
//! worker threads). [`walk`] is both in one, for callers that read few files.

use super::{Detected, JsonKind, auditable, detect_head};
use crate::error::{Error, Result};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::HashSet;

/// One input found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An SBOM to read with [`super::read`].
    Sbom {
        /// The file.
        path: Utf8PathBuf,
    },
    /// A binary with `cargo auditable` data (or named explicitly) to read with [`super::read`].
    Binary {
        /// The file.
        path: Utf8PathBuf,
    },
    /// Not an input (signature, key, text, ...): counted, not read.
    Skipped {
        /// The file.
        path: Utf8PathBuf,
        /// Why, for `-v`.
        reason: String,
    },
    /// An input the scan cannot check (fail closed: the caller reports it).
    Unreadable {
        /// The file.
        path: Utf8PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl Entry {
    /// The file.
    pub fn path(&self) -> &Utf8Path {
        match self {
            Entry::Sbom { path }
            | Entry::Binary { path }
            | Entry::Skipped { path, .. }
            | Entry::Unreadable { path, .. } => path,
        }
    }
}

/// A file found by [`list`]: decided by its name alone (a signature, a key, a folder that
/// cannot be listed, ...), or to be classified from its content with [`classify_bytes`] by whoever
/// reads it, so that every file is opened and read exactly once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed {
    /// Decided without reading the file.
    Decided(Entry),
    /// A file to read; `explicit` when it was named on the command line rather than found in
    /// a folder (then a binary without audit data is read, and fails, instead of skipped).
    File {
        /// The file.
        path: Utf8PathBuf,
        /// Named explicitly.
        explicit: bool,
    },
}

/// Expands files and folders (recursively) into the files to read, in the order given, each
/// folder sorted by file name, without opening any file: only the names and the folder
/// listings are looked at. A path that does not exist or cannot be listed is an error.
pub fn list(paths: &[Utf8PathBuf]) -> Result<Vec<Listed>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::read(p, e))?;
        if meta.is_dir() {
            walk_dir(p, &mut seen, &mut out)?;
        } else {
            out.push(listed_file(p, true));
        }
    }
    Ok(out)
}

/// Expands files and folders (recursively) into entries, in the order given, each folder
/// sorted by file name, reading each file to classify it ([`list`], then [`classify_bytes`]). A path
/// that does not exist or cannot be listed is an error.
pub fn walk(paths: &[Utf8PathBuf]) -> Result<Vec<Entry>> {
    Ok(list(paths)?
        .into_iter()
        .map(|l| match l {
            Listed::Decided(e) => e,
            Listed::File { path, explicit } => match std::fs::read(&path) {
                Ok(bytes) => classify_bytes(&path, explicit, &bytes),
                Err(e) => Entry::Unreadable {
                    path,
                    reason: format!("failed to read: {e}"),
                },
            },
        })
        .collect())
}

fn walk_dir(
    dir: &Utf8Path,
    seen: &mut HashSet<std::path::PathBuf>,
    out: &mut Vec<Listed>,
) -> Result<()> {
    // Symbolic links can make cycles: each real folder is walked once.
    if let Ok(real) = std::fs::canonicalize(dir)
        && !seen.insert(real)
    {
        return Ok(());
    }
    let mut names: Vec<(Utf8PathBuf, Option<std::fs::FileType>)> = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))? {
        let e = e.map_err(|e| Error::read(dir, e))?;
        // The listing already says what most entries are: no stat per file.
        let ty = e.file_type().ok().filter(|t| !t.is_symlink());
        match Utf8PathBuf::from_path_buf(e.path()) {
            Ok(p) => names.push((p, ty)),
            Err(p) => out.push(Listed::Decided(Entry::Unreadable {
                path: dir.join(
                    p.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                ),
                reason: "the file name is not valid UTF-8".into(),
            })),
        }
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (p, ty) in names {
        // Symbolic links (and the rare file system without types in its listings) are
        // followed with a stat.
        let ty = match ty {
            Some(t) => Ok(t),
            None => std::fs::metadata(&p).map(|m| m.file_type()),
        };
        match ty {
            Ok(t) if t.is_dir() => {
                if p.file_name() == Some(".git") {
                    out.push(Listed::Decided(Entry::Skipped {
                        path: p,
                        reason: "git metadata".into(),
                    }));
                } else {
                    walk_dir(&p, seen, out)?;
                }
            }
            Ok(t) if t.is_file() => out.push(listed_file(&p, false)),
            Ok(_) => out.push(Listed::Decided(Entry::Skipped {
                path: p,
                reason: "not a regular file".into(),
            })),
            Err(e) => out.push(Listed::Decided(Entry::Unreadable {
                reason: if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
                    format!("broken symbolic link: {e}")
                } else {
                    format!("failed to read: {e}")
                },
                path: p,
            })),
        }
    }
    Ok(())
}

/// A file decided by its name (a sidecar), else one to read.
fn listed_file(path: &Utf8Path, explicit: bool) -> Listed {
    let name = path.file_name().unwrap_or(path.as_str());
    match sidecar(name) {
        Some(what) => Listed::Decided(Entry::Skipped {
            path: path.to_owned(),
            reason: what.to_string(),
        }),
        None => Listed::File {
            path: path.to_owned(),
            explicit,
        },
    }
}

/// File names that mark a file that accompanies a release but is not an input.
fn sidecar(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    let ends = |sfx: &[&str]| sfx.iter().any(|s| n.ends_with(s));
    if ends(&[".sig", ".asc", ".minisig", ".sshsig"]) {
        Some("signature")
    } else if ends(&[
        ".intoto.jsonl",
        ".intoto.json",
        ".att",
        ".sigstore",
        ".sigstore.json",
        ".bundle",
        ".dsse",
        ".dsse.json",
    ]) {
        Some("attestation or signature bundle")
    } else if ends(&[".pub", ".pem", ".crt", ".cert", ".der", ".key"]) || n == "allowed_signers" {
        Some("key or certificate")
    } else if ends(&[".sha256", ".sha512", ".sha256sum", ".sha512sum", ".md5"])
        || n.contains("sha256sums")
        || n.contains("sha512sums")
    {
        Some("checksum file")
    } else if ends(&[
        ".debug", ".dwp", ".pdb", ".d", ".rlib", ".rmeta", ".o", ".obj", ".a", ".lib",
    ]) {
        Some("debug info, object file or static archive")
    } else {
        None
    }
}

/// Whether the file name says it is an SBOM (then it is read, and fails if it is not one).
fn sbom_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        ".cdx.json",
        ".cyclonedx.json",
        ".spdx.json",
        ".spdx3.json",
        ".spdx.jsonld",
        ".bom.json",
        ".sbom.json",
    ]
    .iter()
    .any(|s| n.ends_with(s))
        || n == "bom.json"
        || n == "sbom.json"
}

/// Classifies a file from its whole content (`bytes`): an SBOM by content or by name, a
/// binary with audit data, or skipped or unreadable with the reason. `explicit`: named on the
/// command line (see [`Listed::File`]).
pub fn classify_bytes(path: &Utf8Path, explicit: bool, bytes: &[u8]) -> Entry {
    let name = path.file_name().unwrap_or(path.as_str());
    let skipped = |reason: &str| Entry::Skipped {
        path: path.to_owned(),
        reason: reason.to_string(),
    };
    let unreadable = |reason: String| Entry::Unreadable {
        path: path.to_owned(),
        reason,
    };
    if let Some(what) = sidecar(name) {
        return skipped(what);
    }
    match detect_head(bytes, true) {
        Detected::Json(JsonKind::CycloneDx | JsonKind::Spdx2 | JsonKind::Spdx3) => Entry::Sbom {
            path: path.to_owned(),
        },
        _ if sbom_name(name) => Entry::Sbom {
            path: path.to_owned(),
        },
        Detected::Json(JsonKind::Unknown) => skipped("JSON, but neither CycloneDX nor SPDX"),
        Detected::Binary(kind) => binary(path, kind, explicit, bytes),
        Detected::Other(what) if what.contains("CycloneDX") || what.contains("SPDX") => {
            unreadable(format!("{what}: convert it to JSON to scan it"))
        }
        Detected::Other(what) => skipped(what),
    }
}

fn binary(path: &Utf8Path, kind: &'static str, explicit: bool, bytes: &[u8]) -> Entry {
    // ELF relocatable objects (`e_type` 1) are not shipped programs.
    if kind == "ELF" && bytes.len() > 17 {
        let e_type = if bytes[5] == 2 {
            u16::from_be_bytes([bytes[16], bytes[17]])
        } else {
            u16::from_le_bytes([bytes[16], bytes[17]])
        };
        if e_type == 1 {
            return Entry::Skipped {
                path: path.to_owned(),
                reason: "ELF object file".into(),
            };
        }
    }
    let why = match auditable::audit_data(bytes) {
        Ok(_) => {
            return Entry::Binary {
                path: path.to_owned(),
            };
        }
        Err(_) if explicit => {
            // Reading it reports what is wrong.
            return Entry::Binary {
                path: path.to_owned(),
            };
        }
        Err(auditable::NoAudit::Unreadable(why)) => why,
        Err(auditable::NoAudit::Missing) => {
            if let Some(sbom) = sbom_beside(path) {
                return Entry::Skipped {
                    path: path.to_owned(),
                    reason: format!(
                        "{kind} binary without cargo auditable data; its SBOM {sbom} is scanned"
                    ),
                };
            }
            format!(
                "{kind} binary not built with cargo auditable, and no SBOM next to it (`{}.cdx.json`)",
                path.file_name().unwrap_or("")
            )
        }
    };
    Entry::Unreadable {
        path: path.to_owned(),
        reason: why,
    }
}

/// An SBOM next to a binary, named after it (`app.cdx.json` as `cargo cra sbom` writes it,
/// or `app.spdx.json`, ...; also after the name without extension, `app.exe` -> `app.cdx.json`).
fn sbom_beside(path: &Utf8Path) -> Option<Utf8PathBuf> {
    let name = path.file_name()?;
    let stem = path.file_stem().unwrap_or(name);
    const SUFFIXES: &[&str] = &[
        ".cdx.json",
        ".spdx.json",
        ".spdx3.json",
        ".bom.json",
        ".sbom.json",
    ];
    [name, stem]
        .iter()
        .flat_map(|n| {
            SUFFIXES
                .iter()
                .map(move |s| path.with_file_name(format!("{n}{s}")))
        })
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(sidecar("app.cdx.json.sig"), Some("signature"));
        assert_eq!(
            sidecar("app.cdx.json.intoto.jsonl"),
            Some("attestation or signature bundle")
        );
        assert_eq!(sidecar("release-key.pub"), Some("key or certificate"));
        assert_eq!(sidecar("SHA256SUMS"), Some("checksum file"));
        assert_eq!(sidecar("app.cdx.json"), None);
        assert!(sbom_name("app.cdx.json") && sbom_name("BOM.json") && sbom_name("x.spdx3.json"));
        assert!(!sbom_name("package.json"));
    }
}
