//! `cargo cra scan --format sarif|github`: the scan's findings located in the SBOM files it
//! read, for GitHub code scanning and pull-request annotations (see [`crate::export`]).
//!
//! * A finding about a component points at the component's purl in the SBOM (the label the
//!   human output shows); a finding about a whole input (an unreadable file, a signature that
//!   does not verify, a minified SBOM whose lines are too long to label) points at the input's
//!   first line, so every result has a location.
//! * URIs are relative to the repository around the current directory (the nearest ancestor
//!   with a `.git`). When an input lies outside it (an archive mounted elsewhere), they are
//!   relative to the deepest folder that holds every input instead: give that folder as
//!   `checkout_path` to `github/codeql-action/upload-sarif`.

use super::ScanRun;
use crate::cli::FindingsFormat;
use crate::diag::{Diagnostic, Label, SourceMap};
use crate::error::Result;
use crate::export::{Anchors, github, repository_root, sarif};
use crate::output::normalize;
use camino::{Utf8Path, Utf8PathBuf};

/// The SARIF log (`FindingsFormat::Sarif`) or the workflow commands (`Github`) of a scan run,
/// with URIs relative to the repository around `cwd` (see the module docs).
pub fn render(run: &ScanRun, format: FindingsFormat, cwd: &Utf8Path) -> Result<Vec<u8>> {
    let (diagnostics, sources, anchors) = located(run, cwd);
    Ok(match format {
        FindingsFormat::Sarif => sarif::to_json(&diagnostics, &sources, &anchors)?,
        _ => github::to_commands(&diagnostics, &sources, &anchors).into_bytes(),
    })
}

fn absolute(cwd: &Utf8Path, p: &Utf8Path) -> Utf8PathBuf {
    if p.is_absolute() {
        normalize(p)
    } else {
        normalize(&cwd.join(p))
    }
}

/// The deepest folder holding every path.
fn common_folder<'a>(mut paths: impl Iterator<Item = &'a Utf8Path>) -> Option<Utf8PathBuf> {
    let first = paths.next()?;
    let mut common = first.parent().unwrap_or(first).to_path_buf();
    for p in paths {
        while !p.starts_with(&common) {
            if !common.pop() {
                return Some(Utf8PathBuf::from("/"));
            }
        }
    }
    Some(common)
}

/// The diagnostics with absolute label paths (an input-wide finding gets a label on the
/// input's first line), the excerpts under the same paths, and the anchors.
fn located(run: &ScanRun, cwd: &Utf8Path) -> (Vec<Diagnostic>, SourceMap, Anchors) {
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let inputs: Vec<Utf8PathBuf> = run.inputs.iter().map(|i| absolute(cwd, &i.path)).collect();
    for (input, abs_input) in run.inputs.iter().zip(&inputs) {
        for d in &input.diagnostics {
            let mut d = d.clone();
            for l in &mut d.labels {
                if let Some(text) = run.sources.get(&l.path) {
                    let abs = absolute(cwd, &l.path);
                    sources.insert(abs.clone(), text.clone());
                    l.path = abs;
                } else {
                    l.path = absolute(cwd, &l.path);
                }
            }
            if d.labels.is_empty() {
                d.labels.push(Label {
                    path: abs_input.clone(),
                    span: 0..0,
                    message: String::new(),
                    primary: true,
                });
            }
            diagnostics.push(d);
        }
        // Line 1 needs no text: an input without an excerpt is not read again.
        sources.insert(abs_input.clone(), "");
    }
    let repo = repository_root(cwd);
    let repo_root = if inputs.iter().all(|p| p.starts_with(&repo)) {
        repo
    } else {
        common_folder(inputs.iter().map(|p| p.as_path())).unwrap_or(repo)
    };
    (
        diagnostics,
        sources,
        Anchors {
            repo_root,
            ..Anchors::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_folder_of_inputs() {
        let p = [
            Utf8Path::new("/srv/rel/app/1.0/a.json"),
            Utf8Path::new("/srv/rel/app/2.0/b.json"),
            Utf8Path::new("/srv/rel/lib.json"),
        ];
        assert_eq!(
            common_folder(p.into_iter()).unwrap(),
            Utf8PathBuf::from("/srv/rel")
        );
        assert_eq!(
            common_folder([Utf8Path::new("/a/x.json")].into_iter()).unwrap(),
            Utf8PathBuf::from("/a")
        );
    }
}
