//! Findings for the places users already look: SARIF 2.1.0 for GitHub code scanning
//! ([`sarif`]) and GitHub Actions workflow commands for pull-request annotations
//! ([`github`]). Both take the same [`crate::diag::Diagnostic`]s as the human and JSON output
//! (from `check`, or from `scan` with labels into SBOM files), and both need what this module
//! computes: every finding located at a **repository-relative** file, line and column.
//!
//! A finding always gets a location (GitHub rejects SARIF results without one, cargo-deny's
//! issue 820): its own labels that lie inside the repository; else the package's entry in
//! `Cargo.lock`; else the package's manifest; else the first fallback file (the policy, the
//! workspace manifest, the SBOM a scan read), line 1.

pub mod github;
pub mod rules;
pub mod sarif;

use crate::diag::{Diagnostic, SourceMap};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::BTreeMap;

/// Where findings can be anchored, besides their own labels.
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    /// The repository root: URIs are relative to it (the nearest ancestor of the workspace
    /// with a `.git`, see [`repository_root`]).
    pub repo_root: Utf8PathBuf,
    /// `Cargo.lock`, for findings about a locked package.
    pub lockfile: Option<Utf8PathBuf>,
    /// The manifest of each package by purl (workspace members, path packages).
    pub manifests: BTreeMap<String, Utf8PathBuf>,
    /// Files to point at (line 1) when nothing else applies, in order of preference.
    pub fallback: Vec<Utf8PathBuf>,
}

/// A resolved location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Path relative to the repository root, `/`-separated.
    pub uri: String,
    /// 1-based start line.
    pub start_line: usize,
    /// 1-based start column (Unicode code points).
    pub start_column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (exclusive, Unicode code points).
    pub end_column: usize,
    /// The label's text.
    pub message: String,
    /// A primary label (the thing to fix).
    pub primary: bool,
}

/// The nearest ancestor of `dir` (itself included) that holds a `.git` entry (a directory, or
/// a file in a worktree or submodule); `dir` itself when there is none.
pub fn repository_root(dir: &Utf8Path) -> Utf8PathBuf {
    let abs = crate::output::normalize(dir);
    abs.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&abs)
        .to_path_buf()
}

/// 1-based line and column (in code points) of a byte offset (the one-off form of
/// [`crate::fsutil::LineStarts::line_col_chars`], kept to test it against).
#[cfg(test)]
fn line_col_chars(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// Files read for locating, shared by all findings of one output.
#[derive(Debug, Default)]
pub struct Locator {
    texts: BTreeMap<Utf8PathBuf, Option<std::sync::Arc<str>>>,
    lines: BTreeMap<Utf8PathBuf, crate::fsutil::LineStarts>,
}

impl Locator {
    fn text(&mut self, sources: &SourceMap, path: &Utf8Path) -> Option<std::sync::Arc<str>> {
        if let Some(t) = sources.get(path) {
            return Some(t.clone());
        }
        self.texts
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok().map(Into::into))
            .clone()
    }

    /// `path` relative to the repository root, when it lies inside it.
    fn relative(anchors: &Anchors, path: &Utf8Path) -> Option<String> {
        let abs = if path.is_absolute() {
            crate::output::normalize(path)
        } else {
            crate::output::normalize(&anchors.repo_root.join(path))
        };
        let rel = abs.strip_prefix(&anchors.repo_root).ok()?;
        let s = rel.components().map(|c| c.as_str()).collect::<Vec<_>>();
        (!s.is_empty()).then(|| s.join("/"))
    }

    fn at(
        &mut self,
        sources: &SourceMap,
        anchors: &Anchors,
        path: &Utf8Path,
        span: std::ops::Range<usize>,
        message: &str,
        primary: bool,
    ) -> Option<Location> {
        let uri = Self::relative(anchors, path)?;
        let text = self.text(sources, path)?;
        let lines = self
            .lines
            .entry(path.to_path_buf())
            .or_insert_with(|| crate::fsutil::LineStarts::new(&text));
        let (start_line, start_column) = lines.line_col_chars(&text, span.start);
        let (mut end_line, mut end_column) = lines.line_col_chars(&text, span.end.max(span.start));
        if (end_line, end_column) <= (start_line, start_column) {
            (end_line, end_column) = (start_line, start_column + 1);
        }
        Some(Location {
            uri,
            start_line,
            start_column,
            end_line,
            end_column,
            message: message.to_string(),
            primary,
        })
    }

    /// The locations of `d`: its labels inside the repository (primary ones first), else one
    /// anchor (see the module docs). Never empty unless no fallback file exists at all.
    pub fn locate(
        &mut self,
        d: &Diagnostic,
        sources: &SourceMap,
        anchors: &Anchors,
    ) -> Vec<Location> {
        let mut out: Vec<Location> = d
            .labels
            .iter()
            .filter_map(|l| {
                self.at(
                    sources,
                    anchors,
                    &l.path,
                    l.span.clone(),
                    &l.message,
                    l.primary,
                )
            })
            .collect();
        out.sort_by_key(|l| !l.primary);
        if out.first().is_some_and(|l| l.primary) {
            return out;
        }
        // The thing to fix lies outside the repository (a dependency's manifest): the
        // package's anchor is primary, the labels inside the repository are context.
        if let Some(anchor) = self.anchor(d, sources, anchors) {
            out.insert(0, anchor);
            return out;
        }
        if let Some(first) = out.first_mut() {
            first.primary = true;
            return out;
        }
        for f in &anchors.fallback {
            if let Some(l) = self.at(sources, anchors, f, 0..0, "", true) {
                return vec![l];
            }
        }
        Vec::new()
    }

    /// The package's entry in `Cargo.lock`, else its manifest.
    fn anchor(
        &mut self,
        d: &Diagnostic,
        sources: &SourceMap,
        anchors: &Anchors,
    ) -> Option<Location> {
        if let (Some(p), Some(lock)) = (&d.package, &anchors.lockfile)
            && let Some(text) = self.text(sources, lock)
            && let Some(span) = lockfile_entry(&text, &p.name, &p.version)
            && let Some(l) = self.at(sources, anchors, lock, span, "locked here", true)
        {
            return Some(l);
        }
        let m = anchors.manifests.get(&d.package.as_ref()?.purl)?;
        self.at(sources, anchors, m, 0..0, "package manifest", true)
    }
}

/// The span of a package's entry in a `Cargo.lock` text: from its `name = "..."` line to its
/// `version = "..."` line.
pub fn lockfile_entry(text: &str, name: &str, version: &str) -> Option<std::ops::Range<usize>> {
    let name_line = format!("name = \"{name}\"");
    let version_line = format!("version = \"{version}\"");
    let mut offset = 0;
    let mut in_entry: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t == "[[package]]" {
            in_entry = None;
        } else if t == name_line {
            in_entry = Some(offset);
        } else if t == version_line
            && let Some(start) = in_entry
        {
            return Some(start..offset + line.trim_end().len());
        }
        offset += line.len();
    }
    None
}

/// The message of a finding with its notes (and the inclusion path) on the following lines.
pub fn full_message(d: &Diagnostic) -> String {
    let mut m = match &d.package {
        Some(p) if !d.message.contains(&p.name) => format!("{} ({p})", d.message),
        _ => d.message.clone(),
    };
    for n in &d.notes {
        m.push('\n');
        m.push_str(n);
    }
    if d.inclusion_path.len() > 1 {
        let chain: Vec<String> = d.inclusion_path.iter().map(|p| p.to_string()).collect();
        m.push_str(&format!("\ninclusion path: {}", chain.join(" -> ")));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_entries() {
        let lock = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\nsource = \"x\"\n";
        let span = lockfile_entry(lock, "b", "2.0.0").unwrap();
        assert_eq!(&lock[span.clone()], "name = \"b\"\nversion = \"2.0.0\"");
        assert_eq!(line_col_chars(lock, span.start), (8, 1));
        assert_eq!(lockfile_entry(lock, "b", "1.0.0"), None);
        assert_eq!(lockfile_entry(lock, "c", "1.0.0"), None);
    }

    #[test]
    fn columns_count_code_points() {
        assert_eq!(line_col_chars("ä = 1\nx", 4), (1, 4));
        assert_eq!(line_col_chars("ä = 1\nx", 7), (2, 1));
        let text = "ä = 1\n\nx = \"€\"\r\ny";
        let idx = crate::fsutil::LineStarts::new(text);
        for o in 0..=text.len() + 1 {
            assert_eq!(idx.line_col_chars(text, o), line_col_chars(text, o), "{o}");
        }
    }
}
