//! Our feature resolution (`workspace::features::activate`) against cargo's own answer:
//! for every scenario with a lockfile, and the `features` scenario under many flag
//! combinations (and with `resolver = "1"`), the package set must equal what
//!
//! * `cargo tree -e normal,build --target <host>` prints (the check's build scope), with the
//!   same features per package (`-f '{p}|{f}'`);
//! * `cargo tree -e normal,build,dev` prints (scope with `include-dev`);
//! * `cargo tree -e normal,no-proc-macro -p <member>` prints (what is linked into a member's
//!   artifacts, for the SBOM).
//!
//! cargo runs offline and locked with the harness's scrubbed environment. Our side loads the
//! workspace from a `cargo metadata` file written by the same cargo (`--metadata-path`), so
//! nothing but the feature resolution differs.
//!
//! `CRA_FEATURE_WS=/path/to/ws cargo test --release --test feature_graph -- --exact
//! external_workspace_matches_cargo_tree --nocapture` compares a workspace of your own (with the real environment; optional
//! `CRA_FEATURE_FLAGS="-F a --workspace"`, `CRA_FEATURE_TARGET=<triple>`) and prints timings.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use camino::Utf8PathBuf;
use cargo_cra::cli::WorkspaceArgs;
use cargo_cra::workspace::{self, Follow, Workspace, features};
use common::{Scenario, run, scenario, scenario_names};

/// The host triple of the `rustc` on PATH.
fn host() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("host line")
        .trim()
        .to_string()
}

/// `name version` of a `cargo tree --prefix none -f {p}` line (`name vX.Y.Z (source)
/// (proc-macro) (*)`).
fn pkg_of(line: &str) -> Option<String> {
    let mut it = line.split_whitespace();
    let name = it.next()?;
    let version = it.next()?.strip_prefix('v')?;
    Some(format!("{name} {version}"))
}

/// The package set and the `package|features` set of a `-f '{p}|{f}'` output.
fn parse_tree(out: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut pkgs = BTreeSet::new();
    let mut feats = BTreeSet::new();
    for line in out.lines() {
        let line = line.trim_end().trim_end_matches(" (*)");
        let Some((p, f)) = line.rsplit_once('|') else {
            continue;
        };
        let Some(p) = pkg_of(p) else { continue };
        let mut f: Vec<&str> = f.split(',').filter(|s| !s.is_empty()).collect();
        f.sort_unstable();
        feats.insert(format!("{p}|{}", f.join(",")));
        pkgs.insert(p);
    }
    (pkgs, feats)
}

/// Our package set and `package|features` set.
fn ours(
    ws: &Workspace,
    roots: &[usize],
    req: &features::FeatureRequest,
    follow: Follow,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let act = features::activate(ws, roots, req, follow);
    let name = |i: usize| format!("{} {}", ws.graph.pkgs[i].name, ws.graph.pkgs[i].version);
    let pkgs = act.parents.keys().map(|&i| name(i)).collect();
    let feats = act
        .features
        .iter()
        .map(|((i, _), f)| {
            format!(
                "{}|{}",
                name(*i),
                f.iter().map(String::as_str).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    (pkgs, feats)
}

/// Differences between two sets, for assertion messages (empty when equal).
fn diff(what: &str, ours: &BTreeSet<String>, cargo: &BTreeSet<String>) -> String {
    let extra: Vec<&String> = ours.difference(cargo).collect();
    let missing: Vec<&String> = cargo.difference(ours).collect();
    if extra.is_empty() && missing.is_empty() {
        return String::new();
    }
    format!("{what}:\n  only ours: {extra:?}\n  only cargo tree: {missing:?}\n")
}

/// Splits flags into the `WorkspaceArgs` they stand for.
/// Compares what we link into member `r` (normal edges, no proc-macros, features from
/// `flags`) with `cargo tree -e normal,no-proc-macro -p <member>` output `tree`: packages and
/// features. Returns the differences, empty when equal.
fn diff_link_set(
    ws: &workspace::Workspace,
    r: usize,
    flags: &[&str],
    tree: &str,
    label: &str,
) -> String {
    let (cp, cf) = parse_tree(tree);
    let mut margs = WorkspaceArgs::default();
    apply_flags(&mut margs, flags);
    let mreq = features::FeatureRequest::from_args(&margs);
    let link_only = Follow {
        build: false,
        dev: false,
        proc_macros: false,
    };
    let (op, of) = ours(ws, &[r], &mreq, link_only);
    diff(&format!("{label} packages"), &op, &cp) + &diff(&format!("{label} features"), &of, &cf)
}

fn apply_flags(args: &mut WorkspaceArgs, flags: &[&str]) {
    let mut it = flags.iter();
    while let Some(&f) = it.next() {
        match f {
            "-p" | "--package" => args.package.push(it.next().expect("-p value").to_string()),
            "--workspace" => args.workspace = true,
            "--exclude" => args
                .exclude
                .push(it.next().expect("--exclude value").to_string()),
            "-F" | "--features" => args.features.push(it.next().expect("-F value").to_string()),
            "--all-features" => args.all_features = true,
            "--no-default-features" => args.no_default_features = true,
            "--target" => args
                .target
                .push(it.next().expect("--target value").to_string()),
            other => panic!("unknown flag {other}"),
        }
    }
}

/// The feature flags among `flags` (what `cargo metadata` takes).
fn feature_flags<'a>(flags: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut it = flags.iter();
    while let Some(&f) = it.next() {
        match f {
            "-F" | "--features" => {
                out.push(f);
                out.push(it.next().expect("-F value"));
            }
            "--all-features" | "--no-default-features" => out.push(f),
            "-p" | "--package" | "--exclude" | "--target" => {
                it.next();
            }
            _ => {}
        }
    }
    out
}

/// `flags` with the package selection replaced by `-p name`.
fn member_flags<'a>(flags: &[&'a str], name: &'a str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut it = flags.iter();
    while let Some(&f) = it.next() {
        match f {
            "--workspace" => {}
            "-p" | "--package" | "--exclude" => {
                it.next();
            }
            _ => out.push(f),
        }
    }
    out.extend(["-p", name]);
    out
}

/// Runs a cargo command in the scenario; `None` when cargo refuses (reported by the caller).
fn cargo_out(s: &Scenario, args: &[&str]) -> Result<String, String> {
    let out = run(s.cargo(args));
    if out.code != 0 {
        return Err(format!("cargo {}: {}", args.join(" "), out.stderr));
    }
    Ok(out.stdout)
}

/// Loads the scenario as `cargo cra check <flags>` would, from a metadata file written by the
/// harness's cargo.
fn load(s: &Scenario, host: &str, flags: &[&str]) -> Result<Workspace, String> {
    let mut md_args = vec![
        "metadata",
        "--format-version",
        "1",
        "--offline",
        "--locked",
        "--filter-platform",
        host,
    ];
    md_args.extend(feature_flags(flags));
    let md = cargo_out(s, &md_args)?;
    let md_path = s.root.join(format!("metadata-{}.json", md_args.len()));
    std::fs::write(&md_path, md).unwrap();
    let mut args = WorkspaceArgs {
        manifest_path: Some(Utf8PathBuf::from_path_buf(s.path("Cargo.toml")).unwrap()),
        metadata_path: Some(Utf8PathBuf::from_path_buf(md_path).unwrap()),
        offline: true,
        locked: true,
        ..WorkspaceArgs::default()
    };
    apply_flags(&mut args, flags);
    Ok(workspace::load(&args).unwrap_or_else(|e| panic!("{}: load: {e}", s.name)))
}

/// Compares one flag combination; returns the differences (empty when all equal) and how
/// many comparisons were made.
fn compare(s: &Scenario, host: &str, flags: &[&str]) -> (String, usize) {
    let ws = match load(s, host, flags) {
        Ok(ws) => ws,
        Err(e) => {
            // cargo itself refuses the flags (resolver 1 has no `member/feat` for the
            // current package).
            eprintln!("{} [{}]: skipped: {e}", s.name, flags.join(" "));
            return (String::new(), 0);
        }
    };
    let req = ws.feature_request();
    let roots = ws.graph.roots.clone();
    let label = format!("{} [{}]", s.name, flags.join(" "));
    let mut problems = String::new();
    let mut count = 0;
    let tree = |edges: &str, extra: &[&str]| {
        let mut a = vec![
            "tree",
            "--offline",
            "--locked",
            "--target",
            host,
            "--prefix",
            "none",
            "-f",
            "{p}|{f}",
            "-e",
            edges,
        ];
        a.extend(flags.iter().copied());
        a.extend(extra.iter().copied());
        cargo_out(s, &a)
    };
    for (edges, follow) in [
        (
            "normal,build",
            Follow {
                build: true,
                dev: false,
                proc_macros: true,
            },
        ),
        (
            "normal,build,dev",
            Follow {
                build: true,
                dev: true,
                proc_macros: true,
            },
        ),
    ] {
        let out = tree(edges, &[]).unwrap_or_else(|e| panic!("{label}: {e}"));
        let (cp, cf) = parse_tree(&out);
        let (op, of) = ours(&ws, &roots, &req, follow);
        problems += &diff(&format!("{label} -e {edges}: packages"), &op, &cp);
        problems += &diff(&format!("{label} -e {edges}: features"), &of, &cf);
        count += 2;
    }
    // Per selected member: what is linked into its artifacts.
    for &r in &roots {
        let name = ws.graph.pkgs[r].name.clone();
        let member_flags = member_flags(flags, &name);
        let mut a = vec![
            "tree",
            "--offline",
            "--locked",
            "--target",
            host,
            "--prefix",
            "none",
            "-f",
            "{p}|{f}",
            "-e",
            "normal,no-proc-macro",
        ];
        a.extend(member_flags.iter().copied());
        let Ok(out) = cargo_out(s, &a) else {
            // cargo refuses `-F feat -p member` when the member has no such feature.
            continue;
        };
        problems += &diff_link_set(
            &ws,
            r,
            &member_flags,
            &out,
            &format!("{label} -e normal,no-proc-macro -p {name}:"),
        );
        count += 2;
    }
    (problems, count)
}

fn check_cases(s: &Scenario, cases: &[&[&str]]) {
    let host = host();
    let mut problems = String::new();
    let mut count = 0;
    for flags in cases {
        let (p, c) = compare(s, &host, flags);
        problems += &p;
        count += c;
    }
    assert!(
        problems.is_empty(),
        "{} differences from cargo tree ({count} comparisons):\n{problems}",
        s.name
    );
    eprintln!("{}: {count} comparisons equal to cargo tree", s.name);
}

/// Every scenario with a lockfile, default flags and `--workspace`.
#[test]
fn every_scenario_matches_cargo_tree() {
    for name in scenario_names() {
        if !common::fixtures_dir()
            .join(&name)
            .join("Cargo.lock")
            .is_file()
            || name == "features"
        {
            continue;
        }
        let s = scenario(&name);
        check_cases(&s, &[&[], &["--workspace"]]);
    }
}

/// The flag combinations for the `features` scenario.
const FEATURE_CASES: &[&[&str]] = &[
    &[],
    &["--workspace"],
    &["--no-default-features"],
    &["--all-features"],
    &["--workspace", "--all-features"],
    &["--workspace", "--no-default-features"],
    &["-F", "extra"],
    &["-F", "weak-core"],
    &["-F", "weak-fancy"],
    &["-F", "renamed,weak-fancy"],
    &["-F", "renamed weak-fancy", "--no-default-features"],
    &["-F", "fnet/core"],
    &["-F", "fcore/plat"],
    &["-F", "feature-app/extra"],
    &["-p", "fnet"],
    &["-p", "fother"],
    &["-p", "fmacro"],
    &["-p", "fcore", "-F", "plat,rand"],
    &["-p", "fnet", "-p", "fother"],
    &["--workspace", "--exclude", "fother"],
    &["--workspace", "-F", "plat"],
    &["--workspace", "-F", "fcore/heavy"],
];

/// Optional dependencies, `dep:`, weak features, `default-features = false`, a feature that
/// enables a dependency only on one platform, build-dependency and proc-macro features kept
/// on the host, dev-dependency features kept out of the normal build, renamed dependencies,
/// `pkg/feat` on the command line, several members.
#[test]
fn features_scenario_matches_cargo_tree() {
    let s = scenario("features");
    check_cases(&s, FEATURE_CASES);
}

/// The same workspace with `resolver = "1"`: everything unified.
#[test]
fn features_scenario_resolver_1_matches_cargo_tree() {
    let s = scenario("features");
    let manifest = s
        .read("Cargo.toml")
        .replace("[workspace]\n", "[workspace]\nresolver = \"1\"\n");
    s.write("Cargo.toml", manifest);
    check_cases(&s, FEATURE_CASES);
}

/// Sanity of the scenario itself: the unified metadata graph has edges cargo never builds,
/// and our scope drops them.
#[test]
fn features_scenario_drops_what_metadata_unifies() {
    let s = scenario("features");
    let ws = load(&s, &host(), &[]).unwrap();
    let g = &ws.graph;
    let idx = |n: &str| {
        g.pkgs
            .iter()
            .position(|p| p.name == n)
            .unwrap_or_else(|| panic!("{n} in graph"))
    };
    let naive = g.reachable(
        &g.roots,
        Follow {
            build: false,
            dev: false,
            proc_macros: false,
        },
    );
    let act = features::activate(
        &ws,
        &g.roots,
        &ws.feature_request(),
        Follow {
            build: false,
            dev: false,
            proc_macros: false,
        },
    );
    // Enabled only by the build-dependency (heavy), a dev-dependency (testing), a proc-macro
    // (rand), or on Windows (win): in metadata's unified graph, not linked.
    for n in ["gplthing", "legacyslash", "tinyrand", "winonly"] {
        assert!(
            naive.contains_key(&idx(n)),
            "{n} should be in cargo metadata's unified graph"
        );
        assert!(!act.parents.contains_key(&idx(n)), "{n} must not be linked");
    }
    assert!(
        act.parents.contains_key(&idx("smallfmt")) && act.parents.contains_key(&idx("ringlike"))
    );
    let fcore = idx("fcore");
    let feats = |c| act.features.get(&(fcore, c)).cloned().unwrap_or_default();
    assert_eq!(
        feats(features::Context::Target),
        BTreeSet::from(["fmt".to_string()])
    );
    // The build scope includes the host copies.
    let built = features::activate(
        &ws,
        &g.roots,
        &ws.feature_request(),
        Follow {
            build: true,
            dev: false,
            proc_macros: true,
        },
    );
    let host_feats = built
        .features
        .get(&(fcore, features::Context::Host))
        .cloned()
        .unwrap_or_default();
    assert!(
        host_feats.contains("heavy") && host_feats.contains("rand"),
        "{host_feats:?}"
    );
    assert!(
        built.parents.contains_key(&idx("gplthing"))
            && !built.parents.contains_key(&idx("legacyslash"))
    );
}

/// Cross-compiling: build-dependencies and proc-macros are resolved for the host (with an
/// extra host-filtered `cargo metadata` run: the build script's fcore enables `plat`, whose
/// unix-only `oldlib` the Windows-filtered metadata drops), the rest for the target. Runs
/// [`external_workspace_matches_cargo_tree`] in a child test process inside the scenario
/// (cargo reads the scenario's source replacement from the working directory), so the whole
/// `workspace::load` runs, with the harness's environment.
#[test]
fn features_scenario_cross_target_matches_cargo_tree() {
    let s = scenario("features");
    let target = if host().contains("windows") {
        "x86_64-unknown-linux-gnu"
    } else {
        "x86_64-pc-windows-gnu"
    };
    for flags in [
        "",
        "-F weak-core",
        "--workspace --all-features",
        "-p fmacro",
    ] {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        s.apply_env(&mut cmd);
        cmd.args([
            "--exact",
            "external_workspace_matches_cargo_tree",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("CRA_FEATURE_WS", &s.dir)
        .env("CRA_FEATURE_TARGET", target)
        .env("CRA_FEATURE_FLAGS", flags);
        let out = run(cmd);
        assert_eq!(out.code, 0, "--target {target} {flags}:\n{}", out.both());
        assert!(out.stderr.contains("equal to cargo tree"), "{}", out.both());
        if flags.is_empty() {
            // The host's oldlib (build script) is only in the host-filtered metadata.
            assert!(out.stderr.contains("host run: yes"), "{}", out.both());
        }
    }
}

/// A workspace of your own against cargo tree, with timings (see the module docs).
///
/// Without `CRA_FEATURE_WS` (a plain `cargo test`), it runs itself in a child process on the
/// `features` scenario for the host target, from the scenario's directory (cargo reads the
/// scenario's source replacement from the working directory), so the whole
/// `workspace::load` path is compared with cargo tree.
#[test]
fn external_workspace_matches_cargo_tree() {
    let Ok(dir) = std::env::var("CRA_FEATURE_WS") else {
        let s = scenario("features");
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        s.apply_env(&mut cmd);
        cmd.args([
            "--exact",
            "external_workspace_matches_cargo_tree",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("CRA_FEATURE_WS", &s.dir)
        .env("CRA_FEATURE_TARGET", host());
        let out = run(cmd);
        assert_eq!(out.code, 0, "{}", out.both());
        assert!(out.stderr.contains("equal to cargo tree"), "{}", out.both());
        return;
    };
    let flags_text = std::env::var("CRA_FEATURE_FLAGS").unwrap_or_default();
    let flags: Vec<&str> = flags_text.split_whitespace().collect();
    let target = std::env::var("CRA_FEATURE_TARGET").unwrap_or_else(|_| host());
    let manifest = Path::new(&dir).join("Cargo.toml");
    let mut args = WorkspaceArgs {
        manifest_path: Some(Utf8PathBuf::from_path_buf(manifest).unwrap()),
        offline: true,
        locked: true,
        target: vec![target.clone()],
        ..WorkspaceArgs::default()
    };
    apply_flags(&mut args, &flags);
    let t0 = std::time::Instant::now();
    let ws = workspace::load(&args).expect("load");
    let t_load = t0.elapsed();
    let req = ws.feature_request();
    let follow = Follow {
        build: true,
        dev: false,
        proc_macros: true,
    };
    let t1 = std::time::Instant::now();
    let act = features::activate(&ws, &ws.graph.roots, &req, follow);
    let t_act = t1.elapsed();
    let naive = ws.graph.reachable(&ws.graph.roots, follow);
    let model = &ws.metadata.as_ref().expect("metadata").features;
    eprintln!(
        "{dir}: load {t_load:.1?} (graph {} packages, resolver {:?}, host run: {}), activate {t_act:.2?}: {} built (unified metadata graph: {})",
        ws.graph.pkgs.len(),
        model.resolver,
        if model.host_run { "yes" } else { "no" },
        act.parents.len(),
        naive.len()
    );
    let mut problems = String::new();
    let tree = |edges: &str| {
        let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        c.current_dir(&dir)
            .args([
                "tree",
                "--offline",
                "--locked",
                "--target",
                &target,
                "--prefix",
                "none",
                "-f",
                "{p}|{f}",
                "-e",
                edges,
            ])
            .args(&flags);
        let out = c.output().expect("cargo tree");
        assert!(
            out.status.success(),
            "cargo tree: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let t2 = std::time::Instant::now();
    let out = tree("normal,build");
    eprintln!("cargo tree -e normal,build: {:.1?}", t2.elapsed());
    let (cp, cf) = parse_tree(&out);
    let (op, of) = ours(&ws, &ws.graph.roots, &req, follow);
    problems += &diff("-e normal,build packages", &op, &cp);
    problems += &diff("-e normal,build features", &of, &cf);
    eprintln!(
        "-e normal,build: {} packages, {} package/feature nodes",
        cp.len(),
        cf.len()
    );
    let out = tree("normal,build,dev");
    let (cp, cf) = parse_tree(&out);
    let (op, of) = ours(
        &ws,
        &ws.graph.roots,
        &req,
        Follow {
            dev: true,
            ..follow
        },
    );
    problems += &diff("-e normal,build,dev packages", &op, &cp);
    problems += &diff("-e normal,build,dev features", &of, &cf);
    eprintln!("-e normal,build,dev: {} packages", cp.len());
    for &r in &ws.graph.roots {
        let name = ws.graph.pkgs[r].name.clone();
        let mflags = member_flags(&flags, &name);
        let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        c.current_dir(&dir)
            .args([
                "tree",
                "--offline",
                "--locked",
                "--target",
                &target,
                "--prefix",
                "none",
                "-f",
                "{p}|{f}",
                "-e",
                "normal,no-proc-macro",
            ])
            .args(&mflags);
        let out = c.output().expect("cargo tree");
        if !out.status.success() {
            eprintln!(
                "-p {name}: cargo tree refused: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        }
        problems += &diff_link_set(
            &ws,
            r,
            &mflags,
            &String::from_utf8(out.stdout).unwrap(),
            &format!("-e normal,no-proc-macro -p {name}"),
        );
        eprintln!("-e normal,no-proc-macro -p {name}: {} packages", cp.len());
    }
    assert!(
        problems.is_empty(),
        "differences from cargo tree:\n{problems}"
    );
    eprintln!("equal to cargo tree");
}
