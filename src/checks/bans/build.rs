//! `[bans.build]` (crates that run code at build time: build scripts and proc-macros) and
//! `[bans.workspace-dependencies]`, as cargo-deny 0.20 checks them.
//!
//! For each crate that runs at build time (and, with `include-dependencies`, everything a
//! build-time crate depends on; workspace members only with `include-workspace`): a build
//! script must be on `allow-build-scripts` when that list is set; every file of the package
//! is looked at (git sources are not, as in cargo-deny): one matching a script extension or
//! builtin glob is an error, a native executable (ELF, PE, Mach-O; `ar` archives with
//! `include-archives`) is an error, a file starting with a shebang follows `interpreted`. A
//! `[[bans.build.bypass]]` entry allows files by path (optionally pinned by SHA-256) or glob,
//! and a `build-script` hash that matches (with none of `required-features` enabled) skips
//! the crate.

use super::cfg::{BuildConfig, Bypass, WorkspaceDeps};
use super::graph::DenyGraph;
use super::primary_label;
use crate::checks::CheckCtx;
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::policy::Level;
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::BTreeSet;

/// What a file's first bytes say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A native executable or object: `elf`, `pe`, `mach`, `te`, `archive`.
    Native(&'static str),
    /// A script with a shebang, by interpreter.
    Script(String),
}

/// Classifies a file by its header as cargo-deny does (goblin's `peek_bytes` plus the
/// shebang rule). `None`: not an executable (or shorter than 16 bytes).
pub fn classify(path: &Utf8Path, include_archives: bool) -> std::io::Result<Option<FileKind>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < 16 {
        let n = f.read(&mut header[read..])?;
        if n == 0 {
            break;
        }
        read += n;
    }
    if read < 16 {
        return Ok(None);
    }
    if &header[..4] == b"\x7fELF" {
        return Ok(Some(FileKind::Native("elf")));
    }
    if &header[..8] == b"!<arch>\n" {
        return Ok((include_archives).then_some(FileKind::Native("archive")));
    }
    match u16::from_le_bytes([header[0], header[1]]) {
        0x5a4d => return Ok(Some(FileKind::Native("pe"))),
        0x5a56 => return Ok(Some(FileKind::Native("te"))),
        // COFF objects (x86, x86-64, arm64) are not counted.
        0x014c | 0x8664 | 0xaa64 => return Ok(None),
        _ => {}
    }
    let magic = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    if matches!(
        magic,
        0xfeed_face | 0xfeed_facf | 0xcefa_edfe | 0xcffa_edfe | 0xcafe_babe
    ) {
        return Ok(Some(FileKind::Native("mach")));
    }
    if &header[..2] != b"#!" {
        return Ok(None);
    }
    let mut buf = header.to_vec();
    if !header.contains(&b'\n') {
        let mut more = [0u8; 240];
        let n = f.read(&mut more)?;
        buf.extend_from_slice(&more[..n]);
    }
    let Some(end) = buf.iter().position(|b| *b == b'\n') else {
        return Ok(None);
    };
    let Ok(line) = std::str::from_utf8(&buf[..end]) else {
        return Ok(None);
    };
    if path.extension() == Some("rs") && line.starts_with("#![") {
        return Ok(None);
    }
    let mut items = line.split(' ');
    let Some(first) = items.next() else {
        return Ok(None);
    };
    let interpreter = if first.ends_with("#!") {
        match items.next() {
            Some(i) => i,
            None => return Ok(None),
        }
    } else {
        first
    };
    let name = if interpreter.ends_with("/env") {
        items.next()
    } else if let Some((_, bin)) = interpreter.rsplit_once('/') {
        Some(bin)
    } else {
        Some(interpreter)
    };
    Ok(name.map(|n| FileKind::Script(n.trim_start_matches("#!").to_string())))
}

fn sha256_file(path: &Utf8Path) -> std::io::Result<String> {
    Ok(crate::fsutil::sha256_hex(&std::fs::read(path)?))
}

/// The files of a package directory, sorted by path, relative to it.
fn walk(root: &Utf8Path) -> Vec<(Utf8PathBuf, Utf8PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(p) = Utf8PathBuf::from_path_buf(e.path()) else {
                continue;
            };
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() => {
                    if let Ok(rel) = p.strip_prefix(root) {
                        out.push((rel.to_path_buf(), p.clone()));
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// Runs the `[bans.build]` part.
pub fn check(ctx: &CheckCtx<'_>, g: &DenyGraph, cfg: &BuildConfig, sink: &mut Diagnostics) {
    let mut bypass_hit = vec![false; cfg.bypass.len()];
    // Crates that run at build time, and with `include-dependencies` what they depend on.
    let mut needs: BTreeSet<usize> = (0..g.nodes.len())
        .filter(|&i| g.runs_at_build_time(i))
        .collect();
    if cfg.include_dependencies {
        let mut stack: Vec<usize> = needs.iter().copied().collect();
        while let Some(i) = stack.pop() {
            for &(d, _) in &g.deps[i] {
                if needs.insert(d) {
                    stack.push(d);
                }
            }
        }
    }
    for i in 0..g.nodes.len() {
        if let Some(k) = check_crate(ctx, g, cfg, i, &needs, sink) {
            bypass_hit[k] = true;
        }
    }
    for (k, hit) in bypass_hit.iter().enumerate() {
        if !hit {
            let b = &cfg.bypass[k];
            sink.push(primary_label(
                Diagnostic::warning(
                    Code::BansBypassUnmatched,
                    format!(
                        "bypass `{}` matched no crate that runs at build time",
                        b.spec
                    ),
                ),
                ctx,
                &b.spec.span,
                "unmatched bypass",
            ));
        }
    }
}

fn check_crate(
    ctx: &CheckCtx<'_>,
    g: &DenyGraph,
    cfg: &BuildConfig,
    i: usize,
    needs: &BTreeSet<usize>,
    sink: &mut Diagnostics,
) -> Option<usize> {
    let n = &g.nodes[i];
    let build_script = g.build_script(i);
    let build_script_allowed = match &cfg.allow_build_scripts {
        Some(list) => build_script.is_none() || list.iter().any(|s| s.matches(&n.name, &n.version)),
        None => true,
    };
    if build_script_allowed && cfg.executables == Level::Allow {
        return None;
    }
    if (!cfg.include_workspace && n.is_member) || !needs.contains(&i) {
        return None;
    }
    let pkg_diag = |code: Code, sev: Severity, msg: String| {
        Diagnostic::new(code, sev, msg)
            .with_package(n.to_ref())
            .with_inclusion_path(g.inclusion_path(i))
    };
    let (index, bypass): (Option<usize>, Option<&Bypass>) = cfg
        .bypass
        .iter()
        .enumerate()
        .find(|(_, b)| b.spec.matches(&n.name, &n.version))
        .map(|(k, b)| (Some(k), Some(b)))
        .unwrap_or((None, None));
    let root = g.pkg(i).manifest_path.parent().map(Utf8Path::to_path_buf)?;
    if let (Some(b), Some(script)) = (bypass, build_script)
        && let Some(want) = &b.build_script
    {
        match sha256_file(script) {
            Ok(got) if got == *want.get_ref() => {
                let declared = &g.pkg(i).features;
                for rf in &b.required_features {
                    if !declared.contains_key(rf.get_ref()) {
                        sink.push(primary_label(
                            pkg_diag(
                                Code::BansFeatureUnknown,
                                Severity::Warning,
                                format!("{} has no feature `{}`", n.to_ref(), rf.get_ref()),
                            ),
                            ctx,
                            &rf.span(),
                            "unknown feature",
                        ));
                    }
                }
                if !b.required_features.iter().any(|f| n.features.contains(f.get_ref())) {
                    return index;
                }
            }
            Ok(got) => sink.push(primary_label(
                pkg_diag(
                    Code::BansChecksumMismatch,
                    Severity::Warning,
                    format!(
                        "the build script of {} does not have the pinned SHA-256: it is checked like any other",
                        n.to_ref()
                    ),
                )
                .with_note(format!("path: {}", display(script)))
                .with_note(format!("sha-256 now: {got}")),
                ctx,
                &want.span(),
                "pinned checksum",
            )),
            Err(e) => sink.push(primary_label(
                pkg_diag(
                    Code::BansChecksumMismatch,
                    Severity::Warning,
                    format!("the build script of {} could not be read: {e}", n.to_ref()),
                ),
                ctx,
                &want.span(),
                "pinned checksum",
            )),
        }
    }
    if !build_script_allowed {
        let mut d = pkg_diag(
            Code::BansBuildScriptNotAllowed,
            Severity::Error,
            format!(
                "{} has a build script, and `allow-build-scripts` does not list it",
                n.to_ref()
            ),
        );
        if let Some(s) = build_script
            && let Ok(h) = sha256_file(s)
        {
            d = d
                .with_note(format!("path: {}", display(s)))
                .with_note(format!(
                    "help: to allow this exact build script, add `{{ crate = \"{}@{}\", build-script = \"{h}\" }}` to `[[bans.build.bypass]]` and the crate to `allow-build-scripts`",
                    n.name, n.version
                ));
        }
        sink.push(primary_label(d, ctx, &cfg.span, "[bans.build]"));
        return index;
    }
    // cargo-deny does not look into git checkouts.
    if matches!(n.kind, crate::workspace::SourceKind::Git { .. }) {
        return index;
    }
    let mut allow_hit = vec![false; bypass.map_or(0, |b| b.allow.len())];
    let mut glob_hit = vec![
        false;
        bypass
            .and_then(|b| b.allow_globs.as_ref())
            .map_or(0, Vec::len)
    ];
    for (rel, abs) in walk(&root) {
        if let Some(b) = bypass {
            let ae = b
                .allow
                .binary_search_by(|a| Utf8Path::new(a.path.get_ref()).cmp(&rel))
                .ok();
            if let Some(k) = ae {
                allow_hit[k] = true;
                if b.allow[k].checksum.is_none() {
                    continue;
                }
            }
            if let Some(globs) = &b.allow_globs {
                let mut any = false;
                for (k, (m, _)) in globs.iter().enumerate() {
                    if m.is_match(rel.as_str()) {
                        glob_hit[k] = true;
                        any = true;
                    }
                }
                if any {
                    continue;
                }
            }
            if let Some(k) = ae
                && let Some(want) = &b.allow[k].checksum
            {
                match sha256_file(&abs) {
                    Ok(got) if got == *want.get_ref() => {}
                    Ok(got) => sink.push(primary_label(
                        pkg_diag(
                            Code::BansChecksumMismatch,
                            Severity::Error,
                            format!("{rel} in {} does not have the pinned SHA-256", n.to_ref()),
                        )
                        .with_note(format!("path: {}", display(&abs)))
                        .with_note(format!("sha-256 now: {got}")),
                        ctx,
                        &want.span(),
                        "pinned checksum",
                    )),
                    Err(e) => sink.push(primary_label(
                        pkg_diag(
                            Code::BansChecksumMismatch,
                            Severity::Error,
                            format!("{rel} in {} could not be read: {e}", n.to_ref()),
                        ),
                        ctx,
                        &want.span(),
                        "pinned checksum",
                    )),
                }
                continue;
            }
        }
        if let Some((_, pat, span)) = cfg
            .script_globs
            .iter()
            .find(|(m, _, _)| m.is_match(rel.as_str()))
        {
            let mut d = pkg_diag(
                Code::BansScriptExtension,
                Severity::Error,
                format!("{} ships `{rel}`, which matches `{pat}`", n.to_ref()),
            )
            .with_note(format!("path: {}", display(&abs)))
            .with_data("path", rel.to_string());
            d = d.with_note(bypass_hint(n, &rel, &abs));
            if let Some(span) = span {
                d = primary_label(d, ctx, span, "script extension");
            }
            sink.push(d);
            continue;
        }
        match classify(&abs, cfg.include_archives) {
            Ok(None) => {}
            Ok(Some(FileKind::Native(kind))) => sink.push(
                pkg_diag(
                    Code::BansExecutable,
                    Severity::Error,
                    format!("{} ships a native executable: `{rel}` ({kind})", n.to_ref()),
                )
                .with_note(format!("path: {}", display(&abs)))
                .with_note(bypass_hint(n, &rel, &abs))
                .with_data("path", rel.to_string())
                .with_data("executable-kind", kind),
            ),
            Ok(Some(FileKind::Script(interp))) => {
                if let Some(sev) = cfg.interpreted.severity() {
                    sink.push(
                        pkg_diag(
                            Code::BansScript,
                            sev,
                            format!(
                                "{} ships a script: `{rel}` (interpreter `{interp}`)",
                                n.to_ref()
                            ),
                        )
                        .with_note(format!("path: {}", display(&abs)))
                        .with_note(bypass_hint(n, &rel, &abs))
                        .with_data("path", rel.to_string())
                        .with_data("interpreter", interp),
                    );
                }
            }
            Err(e) => sink.push(pkg_diag(
                Code::BansUnreadablePath,
                Severity::Error,
                format!("`{rel}` in {} could not be read: {e}", n.to_ref()),
            )),
        }
    }
    if let Some(b) = bypass {
        for (k, hit) in allow_hit.iter().enumerate() {
            if !hit {
                let a = &b.allow[k];
                sink.push(primary_label(
                    Diagnostic::warning(
                        Code::BansBypassPathUnmatched,
                        format!(
                            "allowed path `{}` is not in {}",
                            a.path.get_ref(),
                            n.to_ref()
                        ),
                    ),
                    ctx,
                    &a.path.span(),
                    "unmatched path",
                ));
            }
        }
        if let Some(globs) = &b.allow_globs {
            for (k, hit) in glob_hit.iter().enumerate() {
                if !hit {
                    let (_, pat) = &globs[k];
                    sink.push(primary_label(
                        Diagnostic::warning(
                            Code::BansBypassGlobUnmatched,
                            format!(
                                "allowed glob `{}` matched no file of {}",
                                pat.get_ref(),
                                n.to_ref()
                            ),
                        ),
                        ctx,
                        &pat.span(),
                        "unmatched glob",
                    ));
                }
            }
        }
    }
    index
}

fn bypass_hint(n: &super::graph::Node, rel: &Utf8Path, abs: &Utf8Path) -> String {
    let sum = sha256_file(abs).unwrap_or_default();
    format!(
        "help: to allow this exact file: [[bans.build.bypass]] crate = \"{}@{}\", allow = [{{ path = \"{rel}\", checksum = \"{sum}\" }}]",
        n.name, n.version
    )
}

/// A path under `$CARGO_HOME` shown relative to it (as cargo-deny does), others as they are.
fn display(p: &Utf8Path) -> String {
    match crate::fsutil::cargo_home() {
        Some(h) => match p.strip_prefix(&h) {
            Ok(rel) => format!("$CARGO_HOME/{rel}"),
            Err(_) => p.to_string(),
        },
        None => p.to_string(),
    }
}

/// `[bans.workspace-dependencies]`: members declaring the same dependency without
/// `workspace = true`, and `[workspace.dependencies]` nobody uses.
pub fn workspace_dependencies(
    ctx: &CheckCtx<'_>,
    g: &DenyGraph,
    cfg: &WorkspaceDeps,
    sink: &mut Diagnostics,
) {
    let members: Vec<usize> = (0..g.nodes.len())
        .filter(|&i| g.nodes[i].is_member)
        .collect();
    let root_manifest = g.metadata.workspace_root.join("Cargo.toml");
    let root_doc: Option<toml::Table> = std::fs::read_to_string(&root_manifest)
        .ok()
        .and_then(|t| toml::from_str(&t).ok());
    let ws_deps: Vec<String> = root_doc
        .as_ref()
        .and_then(|d| d.get("workspace"))
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    // Per member manifest: dependency keys and whether they say `workspace = true`.
    let mut uses: std::collections::BTreeMap<(String, usize), Vec<(usize, bool)>> =
        std::collections::BTreeMap::new();
    let mut used_ws: BTreeSet<String> = BTreeSet::new();
    for &m in &members {
        let manifest = &g.pkg(m).manifest_path;
        let Some(doc) = std::fs::read_to_string(manifest)
            .ok()
            .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
        else {
            continue;
        };
        let mut tables: Vec<&toml::Table> = Vec::new();
        for k in ["dependencies", "dev-dependencies", "build-dependencies"] {
            if let Some(t) = doc.get(k).and_then(|t| t.as_table()) {
                tables.push(t);
            }
        }
        if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
            for t in targets.values().filter_map(|t| t.as_table()) {
                for k in ["dependencies", "dev-dependencies", "build-dependencies"] {
                    if let Some(t) = t.get(k).and_then(|t| t.as_table()) {
                        tables.push(t);
                    }
                }
            }
        }
        for t in tables {
            for (key, val) in t {
                let is_ws = val.get("workspace").and_then(|w| w.as_bool()) == Some(true);
                if is_ws {
                    used_ws.insert(key.clone());
                }
                let is_path = val.get("path").is_some();
                if is_path && !cfg.include_path_dependencies {
                    continue;
                }
                let pkg_name = val
                    .get("package")
                    .and_then(|p| p.as_str())
                    .unwrap_or(key)
                    .to_string();
                // The resolved dependency of this member.
                let Some(&(to, _)) = g.deps[m]
                    .iter()
                    .find(|(to, _)| g.nodes[*to].name == pkg_name)
                else {
                    continue;
                };
                uses.entry((pkg_name, to)).or_default().push((m, is_ws));
            }
        }
    }
    if let Some(sev) = cfg.duplicates.severity()
        && members.len() > 1
    {
        for ((name, to), parents) in &uses {
            if parents.len() < 2 {
                continue;
            }
            let offenders: Vec<&(usize, bool)> = parents.iter().filter(|(_, ws)| !ws).collect();
            if offenders.is_empty() {
                continue;
            }
            let mut d = Diagnostic::new(
                Code::BansWorkspaceDuplicate,
                sev,
                format!(
                    "`{name}` is declared by {} workspace members without `workspace = true`",
                    offenders.len()
                ),
            )
            .with_package(g.nodes[*to].to_ref());
            for (m, _) in offenders {
                d = d.with_note(format!("declared by {}", g.nodes[*m].to_ref()));
            }
            d = d.with_note(format!(
                "help: declare it once in `[workspace.dependencies]` and write `{name}.workspace = true` in the members"
            ));
            sink.push(primary_label(
                d,
                ctx,
                &cfg.span,
                "[bans.workspace-dependencies]",
            ));
        }
    }
    if let Some(sev) = cfg.unused.severity() {
        let unused: Vec<&String> = ws_deps.iter().filter(|d| !used_ws.contains(*d)).collect();
        if !unused.is_empty() {
            let d = Diagnostic::new(
                Code::BansWorkspaceDependencyUnused,
                sev,
                format!(
                    "{} `[workspace.dependencies]` entr{} used by no member: {}",
                    unused.len(),
                    if unused.len() == 1 { "y is" } else { "ies are" },
                    unused
                        .iter()
                        .map(|u| format!("`{u}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            sink.push(primary_label(
                d,
                ctx,
                &cfg.span,
                "[bans.workspace-dependencies]",
            ));
        }
    }
}
