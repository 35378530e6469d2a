//! Property tests (proptest) where an independent oracle exists:
//!
//! * license expressions: the license check's verdict equals a truth-table evaluation of the
//!   same expression tree, for every allow list over its licenses;
//! * version ranges: the advisory matcher equals a direct reading of the RustSec rule
//!   (affected = matched by no patched and no unaffected requirement), the suggested fix is
//!   the smallest compatible patched version found by brute force;
//! * package URLs: what the builder writes, the parser reads back;
//! * SBOM round trip: a BOM written by our CycloneDX, SPDX 2.3 and SPDX 3.0.1 writers and
//!   read by `scan`'s reader (and `verify`'s view of SPDX) gives the same crates, sources and
//!   hashes;
//! * signatures: SSHSIG and DSSE of arbitrary bytes verify, and no single-bit change of the
//!   message, the armored signature or the envelope's fields verifies.
//!
//! Case counts are kept small (the suite runs in debug); `PROPTEST_CASES` raises them.

use camino::{Utf8Path, Utf8PathBuf};
use cargo_cra::purl::{self, CargoSource};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::{BTreeMap, BTreeSet};

/// A runner with `cases` cases and a fixed seed, so that CI runs the same cases every time
/// (`PROPTEST_CASES` and `PROPTEST_RNG_SEED` override both, to explore further).
fn runner(cases: u32) -> TestRunner {
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x6361_7267_6f2d_6372);
    }
    TestRunner::new(config)
}

// ---- license expressions ----------------------------------------------------------------

const LICENSES: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "ISC",
    "BSD-3-Clause",
    "Zlib",
    "MPL-2.0",
];

#[derive(Debug, Clone)]
enum Expr {
    Id(usize),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The truth table's row for `allowed` (bit i: LICENSES[i] is allowed).
    fn eval(&self, allowed: u32) -> bool {
        match self {
            Expr::Id(i) => allowed & (1 << i) != 0,
            Expr::And(a, b) => a.eval(allowed) && b.eval(allowed),
            Expr::Or(a, b) => a.eval(allowed) || b.eval(allowed),
        }
    }

    fn ids(&self, out: &mut BTreeSet<&'static str>) {
        match self {
            Expr::Id(i) => {
                out.insert(LICENSES[*i]);
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.ids(out);
                b.ids(out);
            }
        }
    }

    /// SPDX text with only the parentheses precedence needs (AND binds tighter than OR),
    /// plus redundant ones where `extra` says so.
    fn render(&self, extra: &mut impl Iterator<Item = bool>) -> String {
        let wrap = |s: String, needed: bool, extra: &mut dyn Iterator<Item = bool>| {
            if needed || extra.next().unwrap_or(false) {
                format!("({s})")
            } else {
                s
            }
        };
        match self {
            Expr::Id(i) => LICENSES[*i].to_string(),
            Expr::And(a, b) => {
                let l = a.render(extra);
                let r = b.render(extra);
                let l = wrap(l, matches!(**a, Expr::Or(..)), extra);
                let r = wrap(r, matches!(**b, Expr::Or(..)), extra);
                format!("{l} AND {r}")
            }
            Expr::Or(a, b) => {
                let l = a.render(extra);
                let r = b.render(extra);
                let l = wrap(l, false, extra);
                let r = wrap(r, false, extra);
                format!("{l} OR {r}")
            }
        }
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = (0..LICENSES.len()).prop_map(Expr::Id);
    leaf.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
        ]
    })
}

/// A registry package as `cargo metadata` reports it.
fn package(name: &str, license: Option<&str>) -> cargo_metadata::Package {
    serde_json::from_value(serde_json::json!({
        "name": name, "version": "1.0.0",
        "id": format!("registry+https://github.com/rust-lang/crates.io-index#{name}@1.0.0"),
        "license": license, "license_file": null, "description": null,
        "source": "registry+https://github.com/rust-lang/crates.io-index",
        "dependencies": [], "targets": [], "features": {},
        "manifest_path": format!("/nonexistent/{name}/Cargo.toml"),
        "categories": [], "keywords": [], "readme": null, "repository": null, "homepage": null,
        "documentation": null, "edition": "2021", "links": null, "default_run": null,
        "rust_version": null, "authors": [], "publish": null, "metadata": null
    }))
    .expect("a cargo metadata package")
}

/// The `[licenses]` config of a policy allowing the licenses of `allowed` (bit mask).
fn license_config(allowed: u32) -> cargo_cra::checks::licenses::Config {
    let list: Vec<String> = (0..LICENSES.len())
        .filter(|i| allowed & (1 << i) != 0)
        .map(|i| format!("\"{}\"", LICENSES[i]))
        .collect();
    let text = format!("[licenses]\nallow = [{}]\n", list.join(", "));
    cargo_cra::policy::Policy::parse(Utf8Path::new("deny-policy.toml"), &text)
        .expect("the generated policy loads")
        .licenses
}

#[test]
fn license_verdict_is_the_truth_table_of_the_expression() {
    use cargo_cra::checks::licenses::{Verdict, verdict};
    let configs: Vec<_> = (0..1u32 << LICENSES.len()).map(license_config).collect();
    let pkg = package("demo", None);
    let strategy = (expr(), proptest::collection::vec(any::<bool>(), 0..32));
    runner(48)
        .run(&strategy, |(e, parens)| {
            let text = e.render(&mut parens.into_iter());
            let mut ids = BTreeSet::new();
            e.ids(&mut ids);
            // Every row of the truth table: every allow list over the six licenses.
            for (allowed, cfg) in configs.iter().enumerate() {
                let expected = e.eval(allowed as u32);
                match verdict(cfg, &pkg, Some(&text)) {
                    Verdict::Accepted(_) => {
                        prop_assert!(expected, "`{text}` accepted with allow mask {allowed:06b}")
                    }
                    Verdict::Rejected(_, failed) => {
                        prop_assert!(!expected, "`{text}` rejected with allow mask {allowed:06b}");
                        // What it failed on are licenses of the expression that are not allowed.
                        prop_assert!(!failed.is_empty());
                        for f in &failed {
                            let i = LICENSES.iter().position(|l| l == f);
                            prop_assert!(
                                i.is_some_and(
                                    |i| allowed & (1 << i) == 0 && ids.contains(f.as_str())
                                ),
                                "`{text}` failed on `{f}` with allow mask {allowed:06b}"
                            );
                        }
                    }
                    other => prop_assert!(false, "`{text}`: {other:?}"),
                }
            }
            Ok(())
        })
        .unwrap();
}

// ---- version ranges ----------------------------------------------------------------------

/// Versions 0..=4 in each part: the grid every range is decided on.
fn grid() -> Vec<semver::Version> {
    let mut out = Vec::new();
    for major in 0..=4 {
        for minor in 0..=4 {
            for patch in 0..=4 {
                out.push(semver::Version::new(major, minor, patch));
            }
        }
    }
    out
}

/// A requirement of one or two comparators over versions in 0..=3 (RustSec writes patched
/// ranges like `>= 1.2.5`, `^0.3.1`, `>= 1.2, < 1.5`). `>`, `<=` and `=` get full versions:
/// rustsec (and so cargo-audit) reads a partial version there with zeros filled in (`> 0` is
/// `> 0.0.0`, where semver means `>= 1.0.0`); the database has one such range
/// (RUSTSEC-2020-0055, `unaffected = ["> 0"]`) and the check keeps rustsec's reading.
fn req() -> impl Strategy<Value = String> {
    let partial = (
        0..=3u64,
        proptest::option::of(0..=3u64),
        proptest::option::of(0..=3u64),
    )
        .prop_map(|(ma, mi, pa)| match (mi, pa) {
            (Some(mi), Some(pa)) => format!("{ma}.{mi}.{pa}"),
            (Some(mi), None) => format!("{ma}.{mi}"),
            _ => format!("{ma}"),
        });
    let full = (0..=3u64, 0..=3u64, 0..=3u64).prop_map(|(ma, mi, pa)| format!("{ma}.{mi}.{pa}"));
    let comparator = prop_oneof![
        (
            prop_oneof![Just(">="), Just("<"), Just("^"), Just("~")],
            partial
        ),
        (prop_oneof![Just(">"), Just("<="), Just("=")], full),
    ]
    .prop_map(|(o, v)| format!("{o}{v}"));
    proptest::collection::vec(comparator, 1..=2).prop_map(|c| c.join(", "))
}

fn record(patched: &[String], unaffected: &[String]) -> cargo_cra::advisory::db::Record {
    serde_json::from_value(serde_json::json!({
        "id": "RUSTSEC-2099-0001", "package": "demo", "title": "demo", "date": "2099-01-01",
        "url": null, "cvss": null, "informational": null, "withdrawn": null, "source": null,
        "patched": patched, "unaffected": unaffected
    }))
    .expect("a record")
}

#[test]
fn advisory_matching_follows_the_patched_and_unaffected_ranges() {
    let grid = grid();
    let strategy = (
        proptest::collection::vec(req(), 0..=2),
        proptest::collection::vec(req(), 0..=1),
    );
    let decided = std::cell::Cell::new(0usize);
    runner(96)
        .run(&strategy, |(patched, unaffected)| {
            let rec = record(&patched, &unaffected);
            let Ok(_) = rec.versions() else {
                // rustsec refuses ranges it cannot turn into OSV ranges (overlaps): the
                // database loader refuses that advisory, so there is nothing to match.
                return Ok(());
            };
            let reqs: Vec<semver::VersionReq> = patched
                .iter()
                .chain(&unaffected)
                .map(|r| semver::VersionReq::parse(r).expect("generated requirements parse"))
                .collect();
            let db = cargo_cra::advisory::db::Database::new(
                Utf8PathBuf::from("db"),
                None,
                None,
                vec![rec],
                false,
            );
            let query: Vec<(&str, &semver::Version)> = grid.iter().map(|v| ("demo", v)).collect();
            let hits: BTreeSet<usize> = cargo_cra::advisory::matches(&db, query)
                .expect("matching")
                .into_iter()
                .map(|m| m.query)
                .collect();
            for (i, v) in grid.iter().enumerate() {
                let expected = !reqs.iter().any(|r| r.matches(v));
                prop_assert_eq!(
                    hits.contains(&i),
                    expected,
                    "{} with patched {:?} unaffected {:?}",
                    v,
                    patched,
                    unaffected
                );
            }
            decided.set(decided.get() + 1);
            Ok(())
        })
        .unwrap();
    // Most generated range sets are valid: the property was really decided.
    let decided = decided.get();
    assert!(decided >= 24, "only {decided} range sets were decided");
}

#[test]
fn lowest_allowed_is_the_smallest_version_a_requirement_allows() {
    let grid = grid();
    runner(128)
        .run(&req(), |r| {
            let req = semver::VersionReq::parse(&r).expect("generated requirements parse");
            let brute = grid.iter().find(|v| req.matches(v));
            let has_lower = req
                .comparators
                .iter()
                .any(|c| !matches!(c.op, semver::Op::Less | semver::Op::LessEq));
            // Every bound is at most 3.x.x, so the grid (up to 4.4.4) holds the answer.
            match (cargo_cra::advisory::lowest_allowed(&req), brute) {
                (Some(low), Some(b)) => {
                    prop_assert_eq!(&low, b, "`{}`", r);
                    prop_assert!(has_lower);
                }
                (Some(low), None) => prop_assert!(false, "`{r}`: {low}, but no version matches"),
                (None, Some(b)) => {
                    prop_assert!(!has_lower, "`{r}` allows {b} and has a lower bound")
                }
                (None, None) => {}
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_fix_is_the_smallest_compatible_patched_version() {
    use cargo_cra::advisory::{Kind, caret_compatible, fix_for};
    let grid = grid();
    let strategy = (proptest::collection::vec(req(), 1..=2), 0..grid.len());
    runner(128)
        .run(&strategy, |(patched, at)| {
            let reqs: Vec<semver::VersionReq> = patched
                .iter()
                .map(|r| semver::VersionReq::parse(r).expect("generated requirements parse"))
                .collect();
            let current = &grid[at];
            // The fix is asked for affected versions only.
            if reqs.iter().any(|r| r.matches(current)) {
                return Ok(());
            }
            let fix = fix_for("demo", current, &reqs, false, Kind::Vulnerability);
            let brute = grid
                .iter()
                .filter(|v| *v > current && caret_compatible(current, v))
                .find(|v| reqs.iter().any(|r| r.matches(v)));
            // Only versions whose bounds the grid holds are compared (`>3.3.3` is 3.3.4).
            let in_grid = |v: &semver::Version| v.major <= 4 && v.minor <= 4 && v.patch <= 4;
            match (&fix.precise, brute) {
                (Some(p), Some(b)) => prop_assert_eq!(p, b, "{:?} from {}", patched, current),
                (Some(p), None) => prop_assert!(
                    !in_grid(p),
                    "{p}: no compatible patched version in {patched:?}"
                ),
                (None, Some(b)) => prop_assert!(
                    false,
                    "{b} is patched and compatible with {current}: {fix:?}"
                ),
                (None, None) => {}
            }
            if let Some(p) = &fix.precise {
                prop_assert!(reqs.iter().any(|r| r.matches(p)));
                let command = format!("cargo update -p demo --precise {p}");
                prop_assert_eq!(fix.command.as_deref(), Some(command.as_str()));
            }
            Ok(())
        })
        .unwrap();
}

// ---- package URLs ------------------------------------------------------------------------

fn crate_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,12}"
}

fn version() -> impl Strategy<Value = semver::Version> {
    (
        0..20u64,
        0..20u64,
        0..20u64,
        proptest::option::of("(alpha|beta|rc)(\\.[1-9][0-9]?)?"),
        proptest::option::of("[a-z0-9]{1,6}"),
    )
        .prop_map(|(ma, mi, pa, pre, build)| {
            let mut v = semver::Version::new(ma, mi, pa);
            if let Some(p) = pre {
                v.pre = semver::Prerelease::new(&p).expect("a pre-release");
            }
            if let Some(b) = build {
                v.build = semver::BuildMetadata::new(&b).expect("build metadata");
            }
            v
        })
}

fn source() -> impl Strategy<Value = CargoSource> {
    prop_oneof![
        Just(CargoSource::CratesIo),
        Just(CargoSource::Path),
        "[a-z]{1,8}"
            .prop_map(|h| CargoSource::Registry(format!("sparse+https://{h}.example/index/"))),
        ("[a-z]{1,8}", "[0-9a-f]{40}").prop_map(|(r, rev)| CargoSource::Git(format!(
            "git+https://git.example/{r}.git@{rev}"
        ))),
    ]
}

#[test]
fn cargo_purls_read_back_as_written() {
    runner(256)
        .run(&(crate_name(), version(), source()), |(name, v, src)| {
            let p = purl::cargo(&name, &v.to_string(), &src);
            let back = purl::cargo_parts(&p).expect("our purl reads back");
            prop_assert_eq!(&back.name, &name);
            prop_assert_eq!(&back.version, &v);
            // A path crate's purl carries no qualifier: the SBOM says `path` elsewhere.
            let expected = match src {
                CargoSource::Path => CargoSource::CratesIo,
                s => s,
            };
            prop_assert_eq!(back.source, expected);
            Ok(())
        })
        .unwrap();
}

// ---- SBOM round trip ---------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Crate {
    name: String,
    version: semver::Version,
    source: CargoSource,
    sha256: Option<String>,
    license: Option<&'static str>,
}

fn crates() -> impl Strategy<Value = Vec<Crate>> {
    let one = (
        crate_name(),
        version(),
        source(),
        "[0-9a-f]{64}",
        proptest::option::of(prop_oneof![
            Just("MIT"),
            Just("MIT OR Apache-2.0"),
            Just("Apache-2.0 WITH LLVM-exception")
        ]),
    )
        .prop_map(|(name, version, source, sha, license)| Crate {
            sha256: (!matches!(source, CargoSource::Path)).then_some(sha),
            name,
            version,
            source,
            license,
        });
    proptest::collection::vec(one, 0..8).prop_map(|mut v| {
        // One crate per (name, version): a BOM cannot hold two components with one purl.
        let mut seen = BTreeSet::new();
        v.retain(|c| seen.insert((c.name.clone(), c.version.to_string())));
        v
    })
}

fn source_name(s: &CargoSource) -> &'static str {
    match s {
        CargoSource::CratesIo => "crates.io",
        CargoSource::Registry(_) => "registry",
        CargoSource::Git(_) => "git",
        CargoSource::Path => "path",
        CargoSource::Other(_) => "other",
    }
}

/// A BOM as `cargo cra sbom` builds it, for the product `app 1.0.0` and `crates`.
fn bom(crates: &[Crate], spec: cargo_cra::sbom::model::Spec) -> cargo_cra::sbom::model::Bom {
    use cargo_cra::sbom::components::prop;
    use cargo_cra::sbom::model::*;
    let license = |l: Option<&str>| -> Vec<LicenseChoice> {
        l.into_iter()
            .flat_map(|e| {
                ["declared", "concluded"].map(|ack| LicenseChoice::Expression {
                    expression: e.to_string(),
                    acknowledgement: ack,
                })
            })
            .collect()
    };
    let product_purl = "pkg:cargo/app@1.0.0".to_string();
    let product = Component {
        kind: "application",
        bom_ref: Some(product_purl.clone()),
        name: "app".into(),
        version: Some("1.0.0".into()),
        hashes: vec![Hash::sha256("ab".repeat(32)), Hash::sha512("cd".repeat(64))],
        licenses: license(Some("MIT")),
        purl: Some(product_purl.clone()),
        properties: vec![
            Property::new(prop::FILENAME, "app"),
            Property::new(prop::EXECUTABLE, "executable"),
            Property::new(prop::SOURCE, "path"),
        ],
        ..Component::default()
    };
    let mut components = Vec::new();
    let mut refs = Vec::new();
    for c in crates {
        let p = purl::cargo(&c.name, &c.version.to_string(), &c.source);
        let mut properties = vec![Property::new(prop::SOURCE, source_name(&c.source))];
        if c.sha256.is_some() {
            properties.push(Property::new(
                prop::FILENAME,
                format!("{}-{}.crate", c.name, c.version),
            ));
        }
        properties.sort();
        components.push(Component {
            kind: "library",
            bom_ref: Some(p.clone()),
            name: c.name.clone(),
            version: Some(c.version.to_string()),
            hashes: c.sha256.iter().map(|h| Hash::sha256(h.clone())).collect(),
            licenses: license(c.license),
            purl: Some(p.clone()),
            properties,
            ..Component::default()
        });
        refs.push(p);
    }
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    refs.sort();
    let mut dependencies = vec![Dependency {
        reference: product_purl.clone(),
        depends_on: refs.clone(),
    }];
    dependencies.extend(refs.iter().map(|r| Dependency {
        reference: r.clone(),
        depends_on: Vec::new(),
    }));
    dependencies.sort();
    let mut all = refs;
    all.push(product_purl);
    all.sort();
    Bom {
        schema: spec.schema_url(),
        bom_format: "CycloneDX",
        spec_version: spec.as_str(),
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: "2026-12-01T00:00:00Z".into(),
            lifecycles: vec![Lifecycle { phase: "build" }],
            tools: Tools {
                components: Vec::new(),
            },
            manufacturer: Some(OrganizationalEntity {
                name: Some("Example GmbH".into()),
                ..Default::default()
            }),
            component: product,
            properties: Vec::new(),
        },
        components,
        dependencies,
        compositions: vec![Composition {
            aggregate: "complete",
            assemblies: all.clone(),
            dependencies: all,
        }],
    }
}

/// The facts the readers give back: (name, version, source) of each crate, and purl ->
/// SHA-256 from `verify`'s view.
type Facts = (
    BTreeSet<(String, String, CargoSource)>,
    BTreeMap<String, Option<String>>,
);

fn expected_facts(crates: &[Crate]) -> Facts {
    let set = crates
        .iter()
        .map(|c| (c.name.clone(), c.version.to_string(), c.source.clone()))
        .collect();
    let hashes = crates
        .iter()
        .map(|c| {
            (
                purl::cargo(&c.name, &c.version.to_string(), &c.source),
                c.sha256.clone(),
            )
        })
        .collect();
    (set, hashes)
}

fn read_facts(name: &str, bytes: &[u8]) -> Result<Facts, TestCaseError> {
    let inv = cargo_cra::inventory::read_bytes(Utf8Path::new(name), bytes)
        .map_err(|e| TestCaseError::fail(format!("{name} does not read back: {e}")))?;
    prop_assert_eq!(inv.product_name.as_deref(), Some("app"), "{}", name);
    prop_assert_eq!(inv.product_version.as_deref(), Some("1.0.0"), "{}", name);
    prop_assert!(
        inv.unchecked
            .iter()
            .all(|u| u.purl.is_none() || !u.purl.as_deref().unwrap().starts_with("pkg:cargo")),
        "{}: cargo components left unchecked: {:?}",
        name,
        inv.unchecked
    );
    let set = inv
        .components
        .iter()
        .map(|c| (c.name.clone(), c.version.to_string(), c.source.clone()))
        .collect();
    // `verify` reads SPDX through its CycloneDX view.
    let doc: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
    let view = cargo_cra::sbom::spdx::cyclonedx_view(&doc).unwrap_or(doc);
    let product = view["metadata"]["component"]["hashes"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["alg"] == "SHA-256"))
        .and_then(|h| h["content"].as_str())
        .map(str::to_string);
    prop_assert_eq!(
        product,
        Some("ab".repeat(32)),
        "{}: the product's SHA-256",
        name
    );
    let hashes = view["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let p = c["purl"].as_str()?.to_string();
            let sha = c["hashes"]
                .as_array()
                .and_then(|h| h.iter().find(|h| h["alg"] == "SHA-256"))
                .and_then(|h| h["content"].as_str())
                .map(str::to_string);
            Some((p, sha))
        })
        .collect();
    Ok((set, hashes))
}

#[test]
fn sboms_written_by_our_writers_read_back_with_the_same_facts() {
    use cargo_cra::sbom::model::Spec;
    let strategy = (crates(), prop_oneof![Just(Spec::V1_6), Just(Spec::V1_7)]);
    runner(48)
        .run(&strategy, |(crates, spec)| {
            let expected = expected_facts(&crates);
            let b = bom(&crates, spec);
            let cdx = cargo_cra::sbom::document::to_json(b.clone()).expect("CycloneDX");
            prop_assert_eq!(read_facts("app.cdx.json", &cdx)?, expected.clone());
            let facts = cargo_cra::sbom::spdx::Facts::of(&b).expect("SPDX facts");
            let spdx2 = cargo_cra::sbom::spdx2::to_json(&facts).expect("SPDX 2.3");
            prop_assert_eq!(read_facts("app.spdx.json", &spdx2)?, expected.clone());
            let spdx3 = cargo_cra::sbom::spdx3::to_json(&facts).expect("SPDX 3.0.1");
            prop_assert_eq!(read_facts("app.spdx3.json", &spdx3)?, expected);
            Ok(())
        })
        .unwrap();
}

// ---- signatures --------------------------------------------------------------------------

fn signer(dir: &Utf8Path, seed: [u8; 32]) -> cargo_cra::sign::Signer {
    use std::os::unix::fs::PermissionsExt;
    let kp = ssh_key::private::Ed25519Keypair::from_seed(&seed);
    let key = ssh_key::PrivateKey::new(ssh_key::private::KeypairData::Ed25519(kp), "prop")
        .expect("a key");
    let path = dir.join(format!("key-{}", hex::encode(&seed[..4])));
    std::fs::write(
        &path,
        key.to_openssh(ssh_key::LineEnding::LF)
            .expect("encoding")
            .as_bytes(),
    )
    .expect("writing the key");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
    cargo_cra::sign::Signer::load(&cargo_cra::sign::KeySource::File(path)).expect("the key loads")
}

fn flip(bytes: &[u8], bit: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let bit = bit % (b.len() * 8);
    b[bit / 8] ^= 1 << (bit % 8);
    b
}

#[test]
fn sshsig_of_arbitrary_bytes_verifies_and_no_single_bit_change_does() {
    use cargo_cra::sign::sshsig::{Signature, dearmor};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir = Utf8Path::from_path(dir.path()).expect("UTF-8");
    let keys = [signer(dir, [1; 32]), signer(dir, [2; 32])];
    let ns = cargo_cra::DEFAULT_NAMESPACE;
    let strategy = (
        proptest::collection::vec(any::<u8>(), 1..2048),
        any::<usize>(),
        any::<usize>(),
        any::<bool>(),
    );
    runner(24)
        .run(&strategy, |(msg, bit_msg, bit_sig, second)| {
            let key = &keys[usize::from(second)];
            let armored = key.sshsig(ns, &msg).expect("signing");
            let sig = Signature::from_armored(armored.as_bytes()).expect("our signature parses");
            prop_assert!(sig.verify(ns, &msg));
            prop_assert_eq!(
                &sig.public_key[..],
                key.public_key().key_data().ed25519().unwrap().as_ref()
            );
            prop_assert!(!sig.verify("another-namespace", &msg));
            prop_assert!(
                !sig.verify(ns, &flip(&msg, bit_msg)),
                "a changed message verifies"
            );
            // A changed signature file verifies only when it still holds the same signature:
            // OpenSSH skips whitespace inside the base64 (a line break turned into a vertical
            // tab), and so do we, to accept exactly what `ssh-keygen -Y verify` accepts.
            let changed = flip(armored.as_bytes(), bit_sig);
            if let Ok(s) = Signature::from_armored(&changed)
                && s.verify(ns, &msg)
            {
                prop_assert_eq!(
                    dearmor(&changed),
                    dearmor(armored.as_bytes()),
                    "a signature with bit {} changed verifies",
                    bit_sig % (armored.len() * 8)
                );
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn dsse_envelopes_of_arbitrary_bytes_verify_and_no_single_bit_change_does() {
    use base64::Engine as _;
    use cargo_cra::sign::dsse::Envelope;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir = Utf8Path::from_path(dir.path()).expect("UTF-8");
    let key = signer(dir, [3; 32]);
    let other = signer(dir, [4; 32]);
    let verifying = |s: &cargo_cra::sign::Signer| {
        let raw = s.public_key().key_data().ed25519().expect("Ed25519").0;
        ed25519_dalek::VerifyingKey::from_bytes(&raw).expect("a key")
    };
    let (vk, other_vk) = (verifying(&key), verifying(&other));
    let b64 = base64::engine::general_purpose::STANDARD;
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..2048),
        "[a-z./+-]{1,40}",
        any::<usize>(),
        0..3usize,
    );
    runner(24)
        .run(&strategy, |(payload, payload_type, bit, field)| {
            let env = Envelope::sign(&key, &payload_type, &payload);
            prop_assert!(env.check_form().is_ok());
            prop_assert!(env.verify_with(&vk));
            prop_assert!(!env.verify_with(&other_vk), "verifies with another key");
            // The envelope read back from its JSON verifies too.
            let json = serde_json::to_string(&env).expect("JSON");
            let back: Envelope = serde_json::from_str(&json).expect("reads back");
            prop_assert!(back.verify_with(&vk));
            // One bit changed in the payload, the payload type or the signature: refused.
            let mut changed = env.clone();
            match field {
                0 if !payload.is_empty() => changed.payload = b64.encode(flip(&payload, bit)),
                0 | 1 => {
                    let t = flip(payload_type.as_bytes(), bit);
                    match String::from_utf8(t) {
                        Ok(t) => changed.payload_type = t,
                        Err(_) => return Ok(()),
                    }
                }
                _ => {
                    let sig = b64.decode(&env.signatures[0].sig).expect("base64");
                    changed.signatures[0].sig = b64.encode(flip(&sig, bit));
                }
            }
            prop_assert!(
                !changed.verify_with(&vk),
                "a changed envelope verifies (field {})",
                field
            );
            // And in the base64 text itself (a non-canonical encoding of the same bytes too).
            let mut text = env.clone();
            let sig_text = flip(env.signatures[0].sig.as_bytes(), bit);
            if let Ok(s) = String::from_utf8(sig_text) {
                text.signatures[0].sig = s;
                prop_assert!(
                    !text.verify_with(&vk),
                    "a changed base64 signature verifies"
                );
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_signed_release_verifies_and_no_single_bit_change_of_its_sbom_does() {
    use cargo_cra::sign::verify::{Trust, verify};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir = Utf8Path::from_path(dir.path()).expect("UTF-8");
    let key = signer(dir, [5; 32]);
    let pubkey = dir.join("key.pub");
    std::fs::write(&pubkey, format!("{}\n", key.public_key_openssh())).expect("writing");
    let trust = Trust::from_parts(Some(&pubkey), None, None).expect("the key loads");
    let artifact = dir.join("app");
    let artifact_bytes = b"the artifact";
    std::fs::write(&artifact, artifact_bytes).expect("writing");
    let (sha256, sha512) = (
        cargo_cra::fsutil::sha256_hex(artifact_bytes),
        cargo_cra::fsutil::sha512_hex(artifact_bytes),
    );
    let sbom = dir.join("app.cdx.json");
    runner(12)
        .run(&(crates(), any::<usize>()), |(crates, bit)| {
            let mut b = bom(&crates, cargo_cra::sbom::model::Spec::V1_6);
            b.metadata.component.hashes = vec![
                cargo_cra::sbom::model::Hash::sha256(sha256.clone()),
                cargo_cra::sbom::model::Hash::sha512(sha512.clone()),
            ];
            let bytes = cargo_cra::sbom::document::to_json(b).expect("CycloneDX");
            std::fs::write(&sbom, &bytes).expect("writing");
            cargo_cra::sign::sign_artifact_sbom(
                &key,
                cargo_cra::DEFAULT_NAMESPACE,
                &sbom,
                &bytes,
                "app",
                (&sha256, &sha512),
            )
            .expect("signing");
            let report = verify(&sbom, &trust, cargo_cra::DEFAULT_NAMESPACE, None).expect("runs");
            prop_assert!(report.verified, "{:?}", report);
            std::fs::write(&sbom, flip(&bytes, bit)).expect("writing");
            // Not JSON any more is "could not run"; JSON that changed must fail a check.
            if let Ok(report) = verify(&sbom, &trust, cargo_cra::DEFAULT_NAMESPACE, None) {
                prop_assert!(!report.verified, "a changed SBOM verifies: {:?}", report);
                let sig = report.checks.iter().find(|c| c.name == "sbom-signature");
                prop_assert!(sig.is_some_and(|c| !c.ok), "{:?}", report);
            }
            Ok(())
        })
        .unwrap();
}
