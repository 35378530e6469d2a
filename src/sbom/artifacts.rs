//! The binary artifacts an SBOM is written for: the `bin`, `cdylib` and `staticlib` targets of
//! the product packages, per target triple.
//!
//! With `--build`, `cargo build --message-format=json-render-diagnostics` runs with the same
//! profile, targets, packages, features and lockfile flags, and the paths come from cargo's
//! own `compiler-artifact` messages. Without it, each artifact is looked up where cargo puts
//! it (`<target dir>/[<triple>/]<profile dir>/<file>`); a missing one is an error that names
//! the `cargo build` command producing it, because an SBOM of a file that is not there would
//! describe nothing and carry no artifact hash.

use super::tree::{cargo_program, feature_and_lock_flags};
use crate::cli::SbomArgs;
use crate::error::{Error, Result};
use crate::workspace::Workspace;
use camino::{Utf8Path, Utf8PathBuf};

/// The kind of binary artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An executable (`bin` target).
    Bin,
    /// A C-compatible dynamic library.
    Cdylib,
    /// A C-compatible static library.
    Staticlib,
}

impl Kind {
    /// cargo's crate type name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bin => "bin",
            Kind::Cdylib => "cdylib",
            Kind::Staticlib => "staticlib",
        }
    }

    fn from_target_kind(t: &str) -> Option<Kind> {
        match t {
            "bin" => Some(Kind::Bin),
            "cdylib" => Some(Kind::Cdylib),
            "staticlib" => Some(Kind::Staticlib),
            _ => None,
        }
    }
}

/// An artifact that should exist (before it is found).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    /// Index of the package in the graph.
    pub pkg: usize,
    /// Target triple (`None`: the host, no `--target`).
    pub triple: Option<String>,
    /// The cargo target's name.
    pub target_name: String,
    /// Artifact kind.
    pub kind: Kind,
}

/// A found artifact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Artifact {
    /// What it is.
    pub expected: Expected,
    /// Where it is.
    pub path: Utf8PathBuf,
}

impl Artifact {
    /// The file name (no path), as the SBOM records it.
    pub fn file_name(&self) -> &str {
        self.path.file_name().unwrap_or(self.path.as_str())
    }
}

/// The folder cargo uses for a profile: `dev` and `test` build into `debug`, `release` and
/// `bench` into `release`, a custom profile into its own name.
pub fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        other => other,
    }
}

/// The file name rustc gives an artifact on `triple` (the platform conventions of
/// `std::env::consts` for that target family).
pub fn file_name(kind: Kind, target_name: &str, triple: &str) -> String {
    let windows = triple.contains("windows");
    let apple = triple.contains("apple");
    let wasm = triple.starts_with("wasm");
    let msvc = triple.ends_with("msvc");
    let lib = target_name.replace('-', "_");
    match kind {
        Kind::Bin if windows => format!("{target_name}.exe"),
        Kind::Bin if wasm => format!("{target_name}.wasm"),
        Kind::Bin => target_name.to_string(),
        Kind::Cdylib if windows => format!("{lib}.dll"),
        Kind::Cdylib if apple => format!("lib{lib}.dylib"),
        Kind::Cdylib if wasm => format!("{lib}.wasm"),
        Kind::Cdylib => format!("lib{lib}.so"),
        Kind::Staticlib if msvc => format!("{lib}.lib"),
        Kind::Staticlib => format!("lib{lib}.a"),
    }
}

/// The expected artifacts of `products` for each of `triples`.
pub fn expected(ws: &Workspace, products: &[usize], triples: &[Option<String>]) -> Vec<Expected> {
    let mut out = Vec::new();
    for &p in products {
        let Some(meta) = ws.meta_pkg(&ws.graph.pkgs[p]) else {
            continue;
        };
        for t in &meta.targets {
            // Target kinds, not crate types: a build script or an example also has crate
            // type `bin`, but kind `custom-build` / `example`.
            for k in &t.kind {
                let Some(kind) = Kind::from_target_kind(&k.to_string()) else {
                    continue;
                };
                for triple in triples {
                    out.push(Expected {
                        pkg: p,
                        triple: triple.clone(),
                        target_name: t.name.clone(),
                        kind,
                    });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `rustc -vV`: the toolchain's version, commit and host triple.
pub fn rustc_version_verbose() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|e| Error::Command {
            message: format!("failed to run `rustc -vV`: {e}"),
        })?;
    if !out.status.success() {
        return Err(Error::Command {
            message: format!(
                "`rustc -vV` failed:\n{}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The host triple from `rustc -vV` output, for file names and the SBOM's target property.
pub fn host_triple(rustc_vv: &str) -> Result<String> {
    rustc_vv
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(|h| h.trim().to_string()))
        .ok_or_else(|| Error::Command {
            message: "`rustc -vV` printed no `host:` line".into(),
        })
}

/// The profile name selected by `--release`/`--profile`.
pub fn profile_name(args: &SbomArgs) -> &str {
    if args.release {
        "release"
    } else {
        args.profile.as_deref().unwrap_or("dev")
    }
}

/// The `cargo build` arguments (after `cargo`) that produce the artifacts; `packages` are the
/// package selection flags (`-p name@version`..., or `--workspace`).
pub fn build_args(
    args: &SbomArgs,
    manifest: Option<&Utf8Path>,
    packages: &[String],
) -> Vec<String> {
    let mut v = vec!["build".to_string()];
    if let Some(m) = manifest {
        v.push("--manifest-path".into());
        v.push(m.to_string());
    }
    if args.release {
        v.push("--release".into());
    } else if let Some(p) = &args.profile {
        v.push("--profile".into());
        v.push(p.clone());
    }
    for t in &args.workspace.target {
        v.push("--target".into());
        v.push(t.clone());
    }
    v.extend(packages.iter().cloned());
    v.extend(feature_and_lock_flags(&args.workspace));
    v
}

/// A command line for messages, quoting arguments that need it.
pub fn render_command(args: &[String]) -> String {
    let mut s = String::from("cargo");
    for a in args {
        s.push(' ');
        if a.is_empty()
            || a.chars()
                .any(|c| c.is_whitespace() || "'\"$`\\*?;&|<>()".contains(c))
        {
            s.push('\'');
            s.push_str(&a.replace('\'', r"'\''"));
            s.push('\'');
        } else {
            s.push_str(a);
        }
    }
    s
}

/// Finds each expected artifact in the target directory.
pub fn find(
    ws: &Workspace,
    expected: &[Expected],
    profile: &str,
    host: &str,
    build_hint: &str,
) -> Result<Vec<Artifact>> {
    let target_dir = ws
        .target_directory()
        .ok_or_else(|| Error::other("`cargo metadata` gave no target directory"))?;
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for e in expected {
        let mut dir = target_dir.to_path_buf();
        if let Some(t) = &e.triple {
            dir.push(t);
        }
        dir.push(profile_dir(profile));
        let path = dir.join(file_name(
            e.kind,
            &e.target_name,
            e.triple.as_deref().unwrap_or(host),
        ));
        if path.is_file() {
            found.push(Artifact {
                expected: e.clone(),
                path,
            });
        } else {
            missing.push(format!(
                "{path} ({} target `{}` of package `{}`)",
                e.kind.as_str(),
                e.target_name,
                ws.graph.pkgs[e.pkg].name
            ));
        }
    }
    if !missing.is_empty() {
        return Err(Error::other(format!(
            "no build artifact to describe: {}\n  help: build first with `{build_hint}`, or pass --build to let `cargo cra sbom` run it",
            missing.join(", ")
        )));
    }
    found.sort();
    Ok(found)
}

/// Runs `cargo build` and takes the artifacts from its JSON messages.
pub fn build(
    ws: &Workspace,
    expected: &[Expected],
    build_args: &[String],
) -> Result<Vec<Artifact>> {
    let mut cmd = std::process::Command::new(cargo_program());
    cmd.args(build_args)
        .arg("--message-format=json-render-diagnostics");
    // Compiler output (progress, rendered diagnostics) goes to the user's terminal.
    cmd.stderr(std::process::Stdio::inherit());
    let out = cmd.output().map_err(|e| Error::Command {
        message: format!("failed to run `cargo build`: {e}"),
    })?;
    if !out.status.success() {
        return Err(Error::Command {
            message: format!(
                "`{}` failed (see its output above)",
                render_command(build_args)
            ),
        });
    }
    let target_dir = ws.target_directory().map(Utf8Path::to_path_buf);
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let Some(pkg) = msg["package_id"]
            .as_str()
            .and_then(|id| ws.graph.index_of(id))
        else {
            continue;
        };
        let target_name = msg["target"]["name"].as_str().unwrap_or_default();
        let files: Vec<Utf8PathBuf> = msg["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .map(Utf8PathBuf::from)
            .collect();
        let executable = msg["executable"].as_str().map(Utf8PathBuf::from);
        for e in expected
            .iter()
            .filter(|e| e.pkg == pkg && e.target_name == target_name)
        {
            // The triple an artifact was built for is the folder under the target directory
            // (`<target>/<triple>/<profile>/file`); the host build has none.
            let matching = |p: &Utf8Path| -> bool {
                let triple = target_dir
                    .as_deref()
                    .and_then(|t| p.strip_prefix(t).ok())
                    .and_then(|rel| {
                        let comps: Vec<&str> = rel.components().map(|c| c.as_str()).collect();
                        (comps.len() >= 3).then(|| comps[0].to_string())
                    });
                triple == e.triple
            };
            let path = match e.kind {
                Kind::Bin => executable.clone().filter(|p| matching(p)),
                Kind::Cdylib | Kind::Staticlib => {
                    let want = |p: &Utf8Path| {
                        let n = p.file_name().unwrap_or_default();
                        match e.kind {
                            Kind::Cdylib => [".so", ".dylib", ".dll", ".wasm"]
                                .iter()
                                .any(|s| n.ends_with(s)),
                            _ => {
                                n.ends_with(".a")
                                    || (n.ends_with(".lib") && !n.ends_with(".dll.lib"))
                            }
                        }
                    };
                    files.iter().find(|p| want(p) && matching(p)).cloned()
                }
            };
            if let Some(path) = path {
                found.push(Artifact {
                    expected: e.clone(),
                    path,
                });
            }
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.expected == b.expected);
    let missing: Vec<String> = expected
        .iter()
        .filter(|e| !found.iter().any(|a| &a.expected == *e))
        .map(|e| {
            format!(
                "{} target `{}` of `{}`",
                e.kind.as_str(),
                e.target_name,
                ws.graph.pkgs[e.pkg].name
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(Error::Command {
            message: format!(
                "`{}` reported no artifact for {}",
                render_command(build_args),
                missing.join(", ")
            ),
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_per_platform() {
        assert_eq!(
            file_name(Kind::Bin, "cli-tool", "x86_64-unknown-linux-gnu"),
            "cli-tool"
        );
        assert_eq!(
            file_name(Kind::Bin, "cli-tool", "x86_64-pc-windows-msvc"),
            "cli-tool.exe"
        );
        assert_eq!(
            file_name(Kind::Cdylib, "my-lib", "x86_64-unknown-linux-musl"),
            "libmy_lib.so"
        );
        assert_eq!(
            file_name(Kind::Cdylib, "my-lib", "aarch64-apple-darwin"),
            "libmy_lib.dylib"
        );
        assert_eq!(
            file_name(Kind::Cdylib, "my-lib", "x86_64-pc-windows-gnu"),
            "my_lib.dll"
        );
        assert_eq!(
            file_name(Kind::Staticlib, "my-lib", "x86_64-pc-windows-msvc"),
            "my_lib.lib"
        );
        assert_eq!(
            file_name(Kind::Staticlib, "my-lib", "x86_64-pc-windows-gnu"),
            "libmy_lib.a"
        );
    }

    #[test]
    fn profile_dirs() {
        assert_eq!(profile_dir("dev"), "debug");
        assert_eq!(profile_dir("release"), "release");
        assert_eq!(profile_dir("dist"), "dist");
    }

    #[test]
    fn commands_are_quoted() {
        let args = vec![
            "build".to_string(),
            "-p".into(),
            "app@1.0.0".into(),
            "--features".into(),
            "a b".into(),
        ];
        assert_eq!(
            render_command(&args),
            "cargo build -p app@1.0.0 --features 'a b'"
        );
    }
}
