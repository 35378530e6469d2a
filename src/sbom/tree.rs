//! What is linked into each artifact: `cargo tree -e normal,no-proc-macro`.
//!
//! Running `cargo tree` is the chosen way to get the package set, rather than walking
//! `cargo metadata`'s resolve ourselves: `cargo metadata` reports one feature set for the
//! whole workspace and every platform, so optional dependencies enabled only by a dev- or
//! build-dependency, or by another member, would show up as linked. `cargo tree` runs cargo's
//! own feature resolver (resolver 2: per platform, build-dependencies and dev-dependencies
//! kept apart) for exactly the packages, features and target of the build. `-e normal` drops
//! build- and dev-dependencies, `no-proc-macro` drops proc-macros and their dependencies:
//! they run at compile time and are not linked.
//!
//! It runs once per target triple for all selected packages together, with the package
//! selection flags as given, which is what `cargo build` with the same flags compiles
//! (features unified across the selected packages). It is started before the policy gate
//! and runs while the gate works. The output, one line per
//! edge with a depth prefix (`--prefix depth --format {p}`), gives nodes *and* edges; a
//! subtree printed once is marked `(*)` on later occurrences, and those lines still carry
//! their edge, so the edges of the whole output are collected and each root's closure is
//! computed over them.

use crate::cli::WorkspaceArgs;
use crate::error::{Error, Result};
use crate::workspace::{Graph, SourceKind};
use camino::Utf8Path;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The linked-package graph of one target, in [`Graph`] indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkGraph {
    /// Packages printed at depth 0.
    pub roots: BTreeSet<usize>,
    /// Normal, non-proc-macro edges.
    pub edges: BTreeMap<usize, BTreeSet<usize>>,
}

impl LinkGraph {
    /// `root` and every package linked into it.
    pub fn closure(&self, root: usize) -> BTreeSet<usize> {
        crate::workspace::features::closure(&self.edges, root)
    }

    /// Direct dependencies of `n`.
    pub fn deps(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges.get(&n).into_iter().flatten().copied()
    }
}

/// The `cargo` to run: the one that runs us (`CARGO`), else `cargo` from PATH.
pub fn cargo_program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Feature and lockfile flags forwarded to every cargo command.
pub fn feature_and_lock_flags(args: &WorkspaceArgs) -> Vec<String> {
    let mut out = Vec::new();
    for f in &args.features {
        out.push("--features".to_string());
        out.push(f.clone());
    }
    if args.all_features {
        out.push("--all-features".into());
    }
    if args.no_default_features {
        out.push("--no-default-features".into());
    }
    if args.frozen {
        out.push("--frozen".into());
    } else {
        if args.locked {
            out.push("--locked".into());
        }
        if args.offline {
            out.push("--offline".into());
        }
    }
    out
}

/// The `cargo tree` arguments (after `cargo`) for the selected packages (`packages`:
/// `-p name@version`... or `--workspace`, the same flags `cargo build` gets) on `target`
/// (`None`: host).
pub fn tree_args(
    manifest: &Utf8Path,
    packages: &[String],
    target: Option<&str>,
    args: &WorkspaceArgs,
) -> Vec<String> {
    let mut v: Vec<String> = [
        "tree",
        "-e",
        "normal,no-proc-macro",
        "--prefix",
        "depth",
        "--format",
        "{p}",
        "--color",
        "never",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("--manifest-path".into());
    v.push(manifest.to_string());
    v.extend(packages.iter().cloned());
    if let Some(t) = target {
        v.push("--target".into());
        v.push(t.to_string());
    }
    v.extend(feature_and_lock_flags(args));
    v
}

/// The package selection flags as the user gave them (`-p`, `--workspace`, `--exclude`),
/// which is what `cargo build` with the same flags compiles.
pub fn selection_flags(args: &WorkspaceArgs) -> Vec<String> {
    let mut v = Vec::new();
    for p in &args.package {
        v.push("-p".to_string());
        v.push(p.clone());
    }
    if args.workspace {
        v.push("--workspace".into());
    }
    for e in &args.exclude {
        v.push("--exclude".into());
        v.push(e.clone());
    }
    v
}

/// A running `cargo tree`. Its output goes to an unnamed temporary file, so cargo never
/// blocks on a full pipe while this process does other work (the policy gate) meanwhile;
/// dropping it unfinished kills the process.
#[derive(Debug)]
pub struct PendingTree {
    /// The arguments it runs with.
    pub args: Vec<String>,
    child: Option<std::process::Child>,
    stdout: std::fs::File,
    stderr: std::fs::File,
}

impl PendingTree {
    /// Starts `cargo ARGS` (from [`tree_args`]).
    pub fn spawn(args: Vec<String>) -> Result<PendingTree> {
        let io = |e: std::io::Error| Error::Command {
            message: format!("failed to run `cargo tree`: {e}"),
        };
        let stdout = tempfile::tempfile().map_err(io)?;
        let stderr = tempfile::tempfile().map_err(io)?;
        let child = std::process::Command::new(cargo_program())
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(stdout.try_clone().map_err(io)?)
            .stderr(stderr.try_clone().map_err(io)?)
            .spawn()
            .map_err(io)?;
        Ok(PendingTree {
            args,
            child: Some(child),
            stdout,
            stderr,
        })
    }

    /// Waits for it and returns its output.
    pub fn finish(mut self) -> Result<String> {
        use std::io::{Read, Seek};
        let io = |e: std::io::Error| Error::Command {
            message: format!("failed to run `cargo tree`: {e}"),
        };
        let status = self
            .child
            .take()
            .map(|mut c| c.wait())
            .transpose()
            .map_err(io)?;
        let read = |f: &mut std::fs::File| -> Result<Vec<u8>> {
            let mut buf = Vec::new();
            f.rewind().map_err(io)?;
            f.read_to_end(&mut buf).map_err(io)?;
            Ok(buf)
        };
        if !status.is_some_and(|s| s.success()) {
            let err = read(&mut self.stderr)?;
            return Err(Error::Command {
                message: format!(
                    "`cargo tree` failed:\n{}",
                    String::from_utf8_lossy(&err).trim()
                ),
            });
        }
        String::from_utf8(read(&mut self.stdout)?).map_err(|_| Error::Command {
            message: "`cargo tree` printed invalid UTF-8".into(),
        })
    }
}

impl Drop for PendingTree {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Parses `cargo tree --prefix depth --format {p}` output against the package graph.
pub fn parse(text: &str, graph: &Graph) -> Result<LinkGraph> {
    let mut by_name_version: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (i, p) in graph.pkgs.iter().enumerate() {
        by_name_version
            .entry((p.name.as_str(), p.version.to_string()))
            .or_default()
            .push(i);
    }
    let mut lg = LinkGraph::default();
    // Ancestors of the current line, by depth.
    let mut stack: Vec<usize> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let depth: usize = line[..digits].parse().map_err(|_| Error::Command {
            message: format!("unexpected `cargo tree` line: `{line}`"),
        })?;
        let node = resolve_line(&line[digits..], &by_name_version, graph)?;
        stack.truncate(depth);
        if depth == 0 {
            lg.roots.insert(node);
        } else {
            let parent = *stack.last().ok_or_else(|| Error::Command {
                message: format!("`cargo tree` line without a parent: `{line}`"),
            })?;
            lg.edges.entry(parent).or_default().insert(node);
        }
        if stack.len() != depth {
            return Err(Error::Command {
                message: format!("`cargo tree` depth jumps at `{line}`"),
            });
        }
        stack.push(node);
    }
    Ok(lg)
}

/// Maps `name vX.Y.Z[ (source)][ (*)]` to a graph index.
fn resolve_line(
    rest: &str,
    index: &HashMap<(&str, String), Vec<usize>>,
    graph: &Graph,
) -> Result<usize> {
    let bad = || Error::Command {
        message: format!("unexpected `cargo tree` line: `{rest}`"),
    };
    let rest = rest.strip_suffix(" (*)").unwrap_or(rest);
    let (name, rest) = rest.split_once(' ').ok_or_else(bad)?;
    let rest = rest.strip_prefix('v').ok_or_else(bad)?;
    let (version, source) = match rest.split_once(' ') {
        Some((v, s)) => (v, s.trim()),
        None => (rest, ""),
    };
    let cands = index
        .get(&(name, version.to_string()))
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let chosen = match cands {
        [only] => Some(*only),
        [] => None,
        many => many
            .iter()
            .copied()
            .find(|&i| source_matches(&graph.pkgs[i].kind, source)),
    };
    chosen.ok_or_else(|| Error::Command {
        message: format!("`cargo tree` lists `{name} v{version}` {source}, which is not in the `cargo metadata` graph"),
    })
}

/// Whether `cargo tree`'s source annotation (`(path)`, ``(registry `name`)``, `(url#rev)`,
/// nothing for crates.io) fits a source kind. Only needed when a name and version occur
/// twice.
fn source_matches(kind: &SourceKind, source: &str) -> bool {
    let inner = source
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(source);
    match kind {
        SourceKind::CratesIo => source.is_empty(),
        SourceKind::Registry(_) => inner.starts_with("registry "),
        SourceKind::Git { url, .. } => inner.starts_with(url.as_str()),
        SourceKind::Path => {
            !source.is_empty() && !inner.starts_with("registry ") && !inner.contains("://")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Pkg;

    fn pkg(name: &str, version: &str, kind: SourceKind) -> Pkg {
        Pkg {
            id: format!("{name}@{version}"),
            name: name.into(),
            version: version.parse().unwrap(),
            source: None,
            purl: crate::purl::cargo(name, version, &kind.purl_source()),
            kind,
            checksum: None,
            meta: None,
            is_member: false,
            is_proc_macro: false,
        }
    }

    #[test]
    fn parses_nodes_edges_and_dedup_markers() {
        let graph = Graph {
            pkgs: vec![
                pkg("app", "2.3.0", SourceKind::Path),
                pkg("cli-tool", "1.1.0", SourceKind::Path),
                pkg("corelib", "0.4.0", SourceKind::Path),
                pkg("smallfmt", "1.0.0", SourceKind::CratesIo),
                pkg(
                    "smallfmt",
                    "1.0.0",
                    SourceKind::Registry("sparse+https://r.example/".into()),
                ),
            ],
            edges: vec![],
            roots: vec![],
        };
        let text = "0app v2.3.0 (/w/app)\n1corelib v0.4.0 (/w/corelib)\n2smallfmt v1.0.0\n2smallfmt v1.0.0 (registry `alt`)\n\n0cli-tool v1.1.0 (/w/cli-tool)\n1corelib v0.4.0 (/w/corelib) (*)\n\n0corelib v0.4.0 (/w/corelib) (*)\n";
        let lg = parse(text, &graph).unwrap();
        assert_eq!(lg.roots, BTreeSet::from([0, 1, 2]));
        assert_eq!(lg.edges[&0], BTreeSet::from([2]));
        assert_eq!(lg.edges[&1], BTreeSet::from([2]));
        assert_eq!(lg.edges[&2], BTreeSet::from([3, 4]));
        // The second tree's corelib is deduplicated, its subtree still counts.
        assert_eq!(lg.closure(1), BTreeSet::from([1, 2, 3, 4]));
    }

    #[test]
    fn unknown_package_is_an_error() {
        let graph = Graph {
            pkgs: vec![pkg("a", "1.0.0", SourceKind::Path)],
            edges: vec![],
            roots: vec![],
        };
        assert!(parse("0a v1.0.0 (/a)\n1b v1.0.0\n", &graph).is_err());
    }
}
