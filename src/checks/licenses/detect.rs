//! License text detection, for crates whose manifest has no usable `license` field: the
//! license is identified from the text of the crate's license files, the way cargo-deny does
//! it, so that both tools reach the same verdict on the same allow list.
//!
//! What cargo-deny (0.18 and later, `src/licenses/gather.rs`) does, and this module repeats:
//!
//! - Which files: every file at the package root whose name starts with `LICENSE` or
//!   `COPYING` (case-sensitive), plus the manifest's `license-file` when it is not one of
//!   them. Nothing below the root.
//! - How a file is read: line by line, trailing `\r`/`\n` stripped and `\n` re-added, and
//!   reading stops at the first line that is not UTF-8.
//! - How a text is identified: askalono's algorithm (normalization, then the Dice coefficient
//!   of word bigrams against every license in the SPDX list, best match wins), as inlined in
//!   the `spdx` crate's `detection` module, with the store built from the SPDX license list
//!   that the `spdx` crate ships (`Store::load_inline`), the scanner's own floor at 0.5, no
//!   optimization pass. A best match named `Pixar` is read as `Apache-2.0` unless the text
//!   starts with the Pixar title (askalono confuses Apache-2.0 without its appendix with it).
//! - What counts: a file whose best match scores at least `confidence-threshold` (default
//!   0.8) and names an SPDX license id. The crate's expression is the `AND` of those ids
//!   (deduplicated, in file-path order): files that are not identified are ignored as long
//!   as one file is. No identified file: no expression.
//!
//! Why the `spdx` crate's detection and not the `askalono` crate or a hand-written
//! classifier: it *is* the code and the license data cargo-deny runs (askalono itself is
//! unmaintained and was inlined into `spdx` for that reason), so identical inputs give
//! identical scores; a re-implementation would only add ways to disagree. Its one cost is
//! loading the store: ~300 ms (decompressing and indexing ~700 license texts), which the
//! embedded cache cannot avoid. So it is paid lazily, only when a file actually has to be
//! scanned, at most once per process, and each file's result is cached on disk in
//! `$CARGO_HOME/license-detect-cache/` keyed by the normalized text and the versions of this
//! tool and of the SPDX license list: a repeated run (the pre-commit path) never loads the
//! store, and a run where no crate needs detection never touches any of this.

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use spdx::detection::scan::Scanner;
use spdx::detection::{Store, TextData};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// cargo-deny's default `confidence-threshold`.
pub(super) const DEFAULT_CONFIDENCE_THRESHOLD: f32 = 0.8;

/// The scanner's own floor, as cargo-deny sets it: below it no license is named at all.
const SCAN_FLOOR: f32 = 0.5;

/// Version of the on-disk result cache layout; bump on any change to [`CachedScan`].
const CACHE_FORMAT: u32 = 1;

/// A license identified from a file with enough confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedFile {
    /// The file, relative to the package root (as found: `LICENSE-MIT`, `LICENSE.txt`, ...).
    pub path: Utf8PathBuf,
    /// The SPDX license id it was identified as.
    pub license: String,
    /// The match score, 0.0 to 1.0.
    pub score: f32,
}

/// What scanning one file gave.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Identified at or above the threshold.
    Detected { license: String, score: f32 },
    /// The best match is below the threshold (`closest` is `None` below the scanner's floor).
    LowConfidence { closest: Option<String>, score: f32 },
    /// Identified, but as something that is not an SPDX license id.
    NotSpdx { name: String, score: f32 },
    /// The file could not be read.
    Unreadable(String),
}

/// One scanned file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileScan {
    /// Relative to the package root.
    pub(crate) path: Utf8PathBuf,
    /// The result.
    pub(crate) outcome: Outcome,
}

/// The detection for one package: every candidate file, in path order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Detection {
    /// The scanned files (empty: the package has no license file at all).
    pub(crate) files: Vec<FileScan>,
}

impl Detection {
    /// The files identified with enough confidence.
    pub(crate) fn detected(&self) -> Vec<DetectedFile> {
        self.files
            .iter()
            .filter_map(|f| match &f.outcome {
                Outcome::Detected { license, score } => Some(DetectedFile {
                    path: f.path.clone(),
                    license: license.clone(),
                    score: *score,
                }),
                _ => None,
            })
            .collect()
    }

    /// The `AND` of the identified licenses, each once, or `None` when no file was identified.
    pub(crate) fn expression(&self) -> Option<String> {
        let mut ids: Vec<String> = Vec::new();
        for d in self.detected() {
            if !ids.contains(&d.license) {
                ids.push(d.license);
            }
        }
        (!ids.is_empty()).then(|| ids.join(" AND "))
    }
}

/// Describes a scan for a diagnostic note: `LICENSE.txt: MIT (confidence 0.97)`.
pub(crate) fn describe(f: &FileScan, threshold: f32) -> String {
    match &f.outcome {
        Outcome::Detected { license, score } => {
            format!("{}: `{license}` with confidence {score:.2}", f.path)
        }
        Outcome::LowConfidence {
            closest: Some(name),
            score,
        } => {
            format!(
                "{}: closest match `{name}` with confidence {score:.2}, below `confidence-threshold` {threshold}",
                f.path
            )
        }
        Outcome::LowConfidence {
            closest: None,
            score,
        } => format!("{}: no license recognized (best score {score:.2})", f.path),
        Outcome::NotSpdx { name, score } => format!(
            "{}: `{name}` with confidence {score:.2}, which is not an SPDX license id",
            f.path
        ),
        Outcome::Unreadable(e) => format!("{}: cannot be read: {e}", f.path),
    }
}

/// The detection for the package at `root` (memoized per process: the license check and the
/// SBOM both ask), with results cached in `$CARGO_HOME/license-detect-cache/`.
pub(crate) fn detect(
    root: &Utf8Path,
    license_file: Option<&Utf8Path>,
    threshold: f32,
) -> Arc<Detection> {
    type Key = (Utf8PathBuf, Option<Utf8PathBuf>, u32);
    static MEMO: OnceLock<Mutex<HashMap<Key, Arc<Detection>>>> = OnceLock::new();
    let key = (
        root.to_path_buf(),
        license_file.map(Utf8Path::to_path_buf),
        threshold.to_bits(),
    );
    let memo = MEMO.get_or_init(Default::default);
    if let Some(d) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(d);
    }
    let cache = crate::fsutil::cargo_home().map(|h| h.join("license-detect-cache"));
    let d = Arc::new(detect_uncached(
        root,
        license_file,
        threshold,
        cache.as_deref(),
    ));
    memo.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::clone(&d));
    d
}

/// [`detect`] without the in-process memo; `cache` is the on-disk result cache directory
/// (`None`: always scan).
pub(crate) fn detect_uncached(
    root: &Utf8Path,
    license_file: Option<&Utf8Path>,
    threshold: f32,
    cache: Option<&Utf8Path>,
) -> Detection {
    let files = candidate_files(root, license_file)
        .into_iter()
        .map(|path| {
            let outcome = match read_license_text(&root.join(&path)) {
                Ok(text) => {
                    let (name, score) = scan_cached(&text, cache);
                    classify(name, score, &text, threshold)
                }
                Err(e) => Outcome::Unreadable(e.to_string()),
            };
            FileScan { path, outcome }
        })
        .collect();
    Detection { files }
}

/// cargo-deny's candidates: root files named `LICENSE*` or `COPYING*`, plus `license-file`
/// unless it is one of them; sorted. An unreadable root gives none (cargo-deny then reports
/// the crate as unlicensed too).
fn candidate_files(root: &Utf8Path, license_file: Option<&Utf8Path>) -> Vec<Utf8PathBuf> {
    let Ok(entries) = root.read_dir_utf8() else {
        return Vec::new();
    };
    let mut paths: Vec<Utf8PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            (e.file_name().starts_with("LICENSE") || e.file_name().starts_with("COPYING"))
                && e.path().is_file()
        })
        .map(|e| Utf8PathBuf::from(e.file_name()))
        .collect();
    if let Some(lf) = license_file
        && !paths.iter().any(|p| p.ends_with(lf))
    {
        paths.push(lf.to_path_buf());
    }
    paths.sort();
    paths
}

/// Reads a license file as cargo-deny does: line by line, line endings normalized to `\n`
/// (always one at the end), stopping at the first line that is not UTF-8.
fn read_license_text(path: &Utf8Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let mut text = String::with_capacity(bytes.len() + 1);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let Ok(line) = std::str::from_utf8(line) else {
            break;
        };
        text.push_str(line.trim_end_matches(['\r', '\n']));
        text.push('\n');
    }
    Ok(text)
}

/// Turns a raw scan into an outcome under `threshold` (cargo-deny's rules, see the module docs).
fn classify(name: Option<String>, score: f32, text: &str, threshold: f32) -> Outcome {
    let Some(mut name) = name else {
        return Outcome::LowConfidence {
            closest: None,
            score,
        };
    };
    if name == "Pixar" && !text.trim_start().starts_with("Modified Apache 2.0 License") {
        name = "Apache-2.0".to_string();
    }
    if score < threshold {
        return Outcome::LowConfidence {
            closest: Some(name),
            score,
        };
    }
    match spdx::license_id(&name) {
        Some(id) => Outcome::Detected {
            license: id.name.to_string(),
            score,
        },
        None => Outcome::NotSpdx { name, score },
    }
}

/// One cached scan result, a file in the cache directory.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct CachedScan {
    format: u32,
    /// The full key (the file name holds only a prefix).
    key: String,
    /// The best match above the scanner's floor.
    license: Option<String>,
    score: f32,
}

/// The scan of `text` (best match name above the floor, and score), from the disk cache when
/// present, else scanned and stored. Cache failures only cost a scan.
fn scan_cached(text: &str, cache: Option<&Utf8Path>) -> (Option<String>, f32) {
    let key = {
        let mut h = sha2::Sha256::new();
        // The result depends on the text, the scanner (this tool's version pins the `spdx`
        // crate) and the license data (the SPDX list version).
        h.update(
            format!(
                "{CACHE_FORMAT}\0{}\0{}\0",
                crate::VERSION,
                spdx::identifiers::VERSION
            )
            .as_bytes(),
        );
        h.update(text.as_bytes());
        hex::encode(h.finalize())
    };
    let file = cache.map(|dir| dir.join(format!("{}.json", &key[..32])));
    if let Some(file) = &file
        && let Ok(bytes) = std::fs::read(file)
        && let Ok(c) = serde_json::from_slice::<CachedScan>(&bytes)
        && c.format == CACHE_FORMAT
        && c.key == key
    {
        return (c.license, c.score);
    }
    let (license, score) = scan(text);
    if let (Some(dir), Some(file)) = (cache, &file) {
        let entry = CachedScan {
            format: CACHE_FORMAT,
            key,
            license: license.clone(),
            score,
        };
        if let Ok(json) = serde_json::to_vec(&entry) {
            let _ = std::fs::create_dir_all(dir);
            let _ = crate::fsutil::write_atomic(file, &json);
        }
    }
    (license, score)
}

/// The SPDX license store, loaded on first use (the expensive part, see the module docs) and
/// kept for the process; `None` if the embedded cache does not load, which would be a build
/// defect: then nothing is identified and such crates are reported as unlicensed.
fn store() -> Option<&'static Store> {
    static STORE: OnceLock<Option<Store>> = OnceLock::new();
    STORE.get_or_init(|| Store::load_inline().ok()).as_ref()
}

/// Scans `text` against the store with cargo-deny's scanner settings.
fn scan(text: &str) -> (Option<String>, f32) {
    let Some(store) = store() else {
        return (None, 0.0);
    };
    let scanner = Scanner::new(store)
        .confidence_threshold(SCAN_FLOOR)
        .optimize(false)
        .max_passes(1);
    let result = scanner.scan(&TextData::new(text));
    (result.license.map(|l| l.name.to_string()), result.score)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIT: &str = "MIT License\n\nCopyright (c) 2024 Someone\n\n\
Permission is hereby granted, free of charge, to any person obtaining a copy\n\
of this software and associated documentation files (the \"Software\"), to deal\n\
in the Software without restriction, including without limitation the rights\n\
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n\
copies of the Software, and to permit persons to whom the Software is\n\
furnished to do so, subject to the following conditions:\n\n\
The above copyright notice and this permission notice shall be included in all\n\
copies or substantial portions of the Software.\n\n\
THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n\
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\n\
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\n\
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\n\
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\n\
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\n\
SOFTWARE.\n";

    /// The Apache-2.0 text from the SPDX list (the `spdx` crate's `text` feature, enabled for
    /// tests only), as crates ship it in `LICENSE-APACHE`.
    fn apache_text() -> String {
        spdx::text::LICENSE_TEXTS
            .iter()
            .find(|(id, _)| *id == "Apache-2.0")
            .map(|(_, t)| t.to_string())
            .unwrap_or_default()
    }

    fn root_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Utf8PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        for (name, text) in files {
            std::fs::write(root.join(name), text).unwrap();
        }
        (dir, root)
    }

    #[test]
    fn mit_text_is_detected() {
        let (_d, root) = root_with(&[("LICENSE.txt", MIT.as_bytes())]);
        let d = detect_uncached(
            &root,
            Some(Utf8Path::new("LICENSE.txt")),
            DEFAULT_CONFIDENCE_THRESHOLD,
            None,
        );
        assert_eq!(d.expression().as_deref(), Some("MIT"), "{d:?}");
        let found = d.detected();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "LICENSE.txt");
        assert!(found[0].score > 0.95, "{found:?}");
    }

    #[test]
    fn apache_text_is_detected_without_license_file() {
        // No `license-file`: the LICENSE* files at the root are scanned, as cargo-deny does.
        let apache = apache_text();
        assert!(
            apache.contains("Apache License"),
            "spdx text feature missing"
        );
        let (_d, root) = root_with(&[
            ("LICENSE-APACHE", apache.as_bytes()),
            ("LICENSE-MIT", MIT.as_bytes()),
        ]);
        let d = detect_uncached(&root, None, DEFAULT_CONFIDENCE_THRESHOLD, None);
        assert_eq!(
            d.expression().as_deref(),
            Some("Apache-2.0 AND MIT"),
            "{d:?}"
        );
    }

    #[test]
    fn garbage_is_below_the_threshold() {
        let text =
            "This crate may be used by anyone who sends the author a postcard.\nNo other terms.\n";
        let (_d, root) = root_with(&[("COPYING", text.as_bytes())]);
        let d = detect_uncached(&root, None, DEFAULT_CONFIDENCE_THRESHOLD, None);
        assert_eq!(d.expression(), None, "{d:?}");
        assert!(
            matches!(d.files[0].outcome, Outcome::LowConfidence { .. }),
            "{d:?}"
        );
    }

    #[test]
    fn threshold_decides_and_duplicates_are_merged() {
        // Twice the same license: one id. A threshold of 1.0 rejects the edited copy.
        let edited = format!("{MIT}\nAdditional terms: no commercial use.\n");
        let (_d, root) = root_with(&[
            ("LICENSE", MIT.as_bytes()),
            ("LICENSE-2", edited.as_bytes()),
        ]);
        let d = detect_uncached(&root, None, DEFAULT_CONFIDENCE_THRESHOLD, None);
        assert_eq!(d.expression().as_deref(), Some("MIT"), "{d:?}");
        let strict = detect_uncached(&root, None, 1.0, None);
        assert_eq!(strict.detected().len(), 1, "{strict:?}");
    }

    #[test]
    fn only_root_license_and_copying_files_and_the_license_file() {
        let (_d, root) = root_with(&[
            ("license", MIT.as_bytes()),
            ("README.md", MIT.as_bytes()),
            ("NOTICE", MIT.as_bytes()),
        ]);
        assert!(candidate_files(&root, None).is_empty());
        std::fs::create_dir(root.join("LICENSES")).unwrap();
        assert!(
            candidate_files(&root, None).is_empty(),
            "directories are not files"
        );
        std::fs::write(root.join("COPYING.md"), MIT).unwrap();
        std::fs::write(root.join("LICENSE"), MIT).unwrap();
        let got = candidate_files(&root, Some(Utf8Path::new("legal/terms.txt")));
        assert_eq!(got, ["COPYING.md", "LICENSE", "legal/terms.txt"]);
        assert_eq!(
            candidate_files(&root, Some(Utf8Path::new("LICENSE"))),
            ["COPYING.md", "LICENSE"]
        );
    }

    #[test]
    fn missing_license_file_is_unreadable_not_fatal() {
        let (_d, root) = root_with(&[("LICENSE-MIT", MIT.as_bytes())]);
        let d = detect_uncached(
            &root,
            Some(Utf8Path::new("LICENSE.txt")),
            DEFAULT_CONFIDENCE_THRESHOLD,
            None,
        );
        assert!(
            matches!(d.files[1].outcome, Outcome::Unreadable(_)),
            "{d:?}"
        );
        assert_eq!(d.expression().as_deref(), Some("MIT"));
    }

    #[test]
    fn reading_normalizes_line_ends_and_stops_at_invalid_utf8() {
        let (_d, root) = root_with(&[("LICENSE", b"a\r\nb\n\r\nc\xff\nd")]);
        assert_eq!(
            read_license_text(&root.join("LICENSE")).unwrap(),
            "a\nb\n\n"
        );
        let (_d, root) = root_with(&[("LICENSE", b"x\r\r\ny")]);
        assert_eq!(read_license_text(&root.join("LICENSE")).unwrap(), "x\ny\n");
    }

    #[test]
    fn disk_cache_answers_without_scanning() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Utf8Path::from_path(dir.path()).unwrap();
        let first = scan_cached(MIT, Some(cache));
        assert_eq!(first.0.as_deref(), Some("MIT"));
        let files: Vec<_> = std::fs::read_dir(cache).unwrap().collect();
        assert_eq!(files.len(), 1);
        // A planted entry proves the second answer comes from the cache.
        let path = files[0].as_ref().unwrap().path();
        let mut entry: CachedScan = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        entry.license = Some("ISC".into());
        std::fs::write(&path, serde_json::to_vec(&entry).unwrap()).unwrap();
        assert_eq!(scan_cached(MIT, Some(cache)).0.as_deref(), Some("ISC"));
        // A corrupt entry is ignored and rewritten.
        std::fs::write(&path, b"{").unwrap();
        assert_eq!(scan_cached(MIT, Some(cache)).0.as_deref(), Some("MIT"));
    }

    #[test]
    fn pixar_misreading_of_apache_is_corrected() {
        assert_eq!(
            classify(
                Some("Pixar".into()),
                0.9,
                "Apache License\nVersion 2.0",
                0.8
            ),
            Outcome::Detected {
                license: "Apache-2.0".into(),
                score: 0.9
            }
        );
        assert_eq!(
            classify(
                Some("Pixar".into()),
                0.9,
                "Modified Apache 2.0 License\n",
                0.8
            ),
            Outcome::Detected {
                license: "Pixar".into(),
                score: 0.9
            }
        );
    }
}
