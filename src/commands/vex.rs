//! `cargo cra vex`: the team's triage decisions as a VEX document (OpenVEX, CycloneDX VEX or
//! CSAF VEX), for customers and authorities.
//!
//! Inputs are the releases to describe: SBOM files, folders of them and binaries built with
//! `cargo auditable` (what `scan` reads), or, without any, the workspace's products at their
//! current versions. Every advisory (vulnerabilities only: informational advisories are not
//! vulnerabilities) that hits a component of a release gets a statement for that release:
//!
//! * a policy `[advisories] ignore` entry with a `status` that applies to the release and has
//!   not expired: that status and justification, its reason as impact or action statement;
//! * else a statement of a `--vex` input that applies: its status and reasons;
//! * else `under_investigation`: untriaged findings, plain ignores without `status` and
//!   expired entries alike. cargo-cra makes no claim to customers that the team did not write
//!   down.
//!
//! Releases of the same product that an advisory does not hit get a statement too when
//! another release of the product is hit: `fixed` when the crate is at a version that is not
//! affected and an earlier release was affected, `not_affected` (`vulnerable_code_not_present`)
//! when the crate is there at an unaffected version and only later releases are affected,
//! `not_affected` (`component_not_present`) when the crate is not in the release at all.

use crate::advisory::config::Ignore;
use crate::advisory::db::{self, Database, Record};
use crate::advisory::{self, Kind};
use crate::cli::{VexArgs, VexFormat};
use crate::error::{Error, Result};
use crate::output::Printer;
use crate::policy::Policy;
use crate::vex::{
    self, Identifier, Justification, Product, Statement, Status, Subject, VexDocument,
    Vulnerability,
};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::{BTreeMap, BTreeSet};

/// A product release to describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Where it comes from (the input file, or the workspace manifest).
    pub origin: Utf8PathBuf,
    /// Product name.
    pub name: String,
    /// Version.
    pub version: semver::Version,
    /// The product's purl.
    pub purl: String,
    /// The product's bom-ref in its SBOM.
    pub bom_ref: Option<String>,
    /// Its SBOM as a BOM-Link (`urn:cdx:<uuid>/<version>`), for CycloneDX inputs.
    pub bom: Option<String>,
    /// The crates in it.
    pub components: Vec<Component>,
    /// Target triples it was built for (empty: unknown).
    pub targets: Vec<String>,
}

/// A crate in a release.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Component {
    /// Name.
    pub name: String,
    /// Version.
    pub version: semver::Version,
    /// Purl.
    pub purl: String,
    /// bom-ref in the release's SBOM.
    pub bom_ref: Option<String>,
    /// From crates.io (RustSec covers crates.io only).
    pub crates_io: bool,
}

impl Release {
    fn product_identifier(&self) -> Identifier {
        Identifier {
            purl: Some(self.purl.clone()),
            iri: self.bom.clone(),
        }
    }

    fn component_identifier(&self, c: &Component) -> Identifier {
        Identifier {
            purl: Some(c.purl.clone()),
            iri: self.component_link(c),
        }
    }

    fn component_link(&self, c: &Component) -> Option<String> {
        Some(vex::cyclonedx::link_into(
            self.bom.as_deref()?,
            c.bom_ref.as_deref()?,
        ))
    }
}

/// What the statements are built from besides the releases.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// The database.
    pub database: &'a Database,
    /// The policy (`[advisories] ignore` entries are the triage).
    pub policy: &'a Policy,
    /// Input VEX documents (`--vex`).
    pub vex: &'a [VexDocument],
    /// Today (expiry of ignore entries).
    pub today: time::Date,
}

/// The statements for `releases` (see the module documentation), sorted.
pub fn statements(releases: &[Release], inputs: &Inputs<'_>) -> Result<Vec<Statement>> {
    // (release, advisory) -> hit components.
    let mut hits: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (ri, r) in releases.iter().enumerate() {
        let query: Vec<usize> = (0..r.components.len())
            .filter(|&i| r.components[i].crates_io)
            .collect();
        let found = advisory::matches(
            inputs.database,
            query
                .iter()
                .map(|&i| (r.components[i].name.as_str(), &r.components[i].version)),
        )?;
        let targets: Vec<Option<(String, String)>> =
            r.targets.iter().map(|t| db::target_cfg(t)).collect();
        for m in found {
            if m.kind != Kind::Vulnerability {
                continue;
            }
            let rec = &inputs.database.advisories[m.advisory];
            // Targets known and none affected: not a finding (unknown targets: reported).
            if !r.targets.is_empty() && advisory::platform_applies(rec, &targets) == Some(false) {
                continue;
            }
            let list = hits.entry((ri, m.advisory)).or_default();
            let ci = query[m.query];
            if !list.contains(&ci) {
                list.push(ci);
            }
        }
    }

    let mut out = Vec::new();
    for (&(ri, ai), comps) in &hits {
        let r = &releases[ri];
        let rec = &inputs.database.advisories[ai];
        // Each component decided on its own; components with the same decision share a
        // statement.
        let mut by_decision: BTreeMap<String, (Statement, Vec<Identifier>)> = BTreeMap::new();
        for &ci in comps {
            let c = &r.components[ci];
            let st = decide(r, c, rec, inputs);
            let key = serde_json::to_string(&(
                st.status,
                st.justification,
                &st.impact_statement,
                &st.action_statement,
                &st.status_notes,
                &st.responses,
            ))
            .unwrap_or_default();
            by_decision
                .entry(key)
                .or_insert_with(|| (st, Vec::new()))
                .1
                .push(r.component_identifier(c));
        }
        for (_, (mut st, subs)) in by_decision {
            st.products = vec![Product {
                id: r.product_identifier(),
                subcomponents: subs,
            }];
            out.push(st);
        }
    }

    // Other releases of a product that an advisory hits.
    let hit_releases: BTreeMap<usize, BTreeSet<usize>> =
        hits.keys().fold(BTreeMap::new(), |mut m, &(ri, ai)| {
            m.entry(ai).or_default().insert(ri);
            m
        });
    for (&ai, hit) in &hit_releases {
        let rec = &inputs.database.advisories[ai];
        let names: BTreeSet<&str> = hit.iter().map(|&ri| releases[ri].name.as_str()).collect();
        for (ri, r) in releases.iter().enumerate() {
            if hit.contains(&ri) || !names.contains(r.name.as_str()) {
                continue;
            }
            // The same release twice (two SBOMs of one version, e.g. per target) is not
            // "another release".
            if hit
                .iter()
                .any(|&h| releases[h].name == r.name && releases[h].version == r.version)
            {
                continue;
            }
            let present: Vec<&Component> = r
                .components
                .iter()
                .filter(|c| c.name == rec.package && c.crates_io)
                .collect();
            let earlier_affected = hit
                .iter()
                .any(|&h| releases[h].name == r.name && releases[h].version < r.version);
            let mut st = Statement::new(vulnerability(rec), Vec::new(), Status::NotAffected);
            if present.is_empty() {
                st.justification = Some(Justification::ComponentNotPresent);
                st.impact_statement = Some(format!(
                    "{} {} does not contain the crate `{}`.",
                    r.name, r.version, rec.package
                ));
                st.products = vec![Product {
                    id: r.product_identifier(),
                    subcomponents: Vec::new(),
                }];
            } else {
                let versions: Vec<String> = present.iter().map(|c| c.version.to_string()).collect();
                if earlier_affected {
                    st.status = Status::Fixed;
                    st.status_notes = Some(format!(
                        "{} {} contains {} {}, which is not affected.",
                        r.name,
                        r.version,
                        rec.package,
                        versions.join(", ")
                    ));
                } else {
                    st.justification = Some(Justification::VulnerableCodeNotPresent);
                    st.impact_statement = Some(format!(
                        "{} {} contains {} {}, a version the advisory does not affect.",
                        r.name,
                        r.version,
                        rec.package,
                        versions.join(", ")
                    ));
                }
                st.products = vec![Product {
                    id: r.product_identifier(),
                    subcomponents: present.iter().map(|c| r.component_identifier(c)).collect(),
                }];
            }
            out.push(st);
        }
    }
    vex::sort_statements(&mut out);
    out.dedup();
    Ok(out)
}

/// The vulnerability as the database knows it.
fn vulnerability(r: &Record) -> Vulnerability {
    Vulnerability {
        id: r.id.clone(),
        aliases: r.aliases.clone(),
        description: Some(r.title.clone()),
        url: r.url.clone(),
        cvss: r.cvss.clone(),
    }
}

/// The policy entry for this advisory and release that records a triage status, when one
/// applies and has not expired.
pub fn triage_entry<'p>(
    policy: &'p Policy,
    rec: &Record,
    product: &str,
    version: &semver::Version,
    today: time::Date,
) -> Option<&'p Ignore> {
    policy.advisories.ignore.iter().find(|ig| {
        ig.status.is_some()
            && ig.is_active(today)
            && ig.matches_advisory(rec)
            && ig.applies_to(product, Some(version))
    })
}

/// The statement for one component of one release hit by one advisory (products filled in
/// by the caller).
fn decide(r: &Release, c: &Component, rec: &Record, inputs: &Inputs<'_>) -> Statement {
    let mut st = Statement::new(vulnerability(rec), Vec::new(), Status::UnderInvestigation);
    let fix = if rec.patched.is_empty() {
        format!("No patched version of `{}` exists yet.", rec.package)
    } else {
        format!(
            "Update `{}` to a patched version ({}).",
            rec.package,
            rec.patched.join(" or ")
        )
    };
    if let Some(ig) = triage_entry(inputs.policy, rec, &r.name, &r.version, inputs.today) {
        let status = ig.status.unwrap_or(Status::UnderInvestigation);
        st.status = status;
        match status {
            Status::NotAffected => {
                st.justification = ig.justification;
                st.impact_statement = Some(ig.reason.clone());
            }
            Status::Affected => {
                st.action_statement = Some(ig.reason.clone());
            }
            Status::Fixed | Status::UnderInvestigation => {
                st.status_notes = Some(ig.reason.clone());
            }
        }
    } else {
        let ids = advisory::ids(rec);
        let link = r.component_link(c);
        let subject = Subject {
            ids: &ids,
            product_purl: Some(&r.purl),
            product_iri: r.bom.as_deref(),
            component_purl: &c.purl,
            component_iri: link.as_deref(),
        };
        match vex::find(inputs.vex, &subject) {
            Some(m) => {
                let s = m.statement;
                st.status = s.status;
                st.justification = s.justification;
                st.impact_statement = s.impact_statement.clone();
                st.action_statement = s.action_statement.clone();
                st.status_notes = s.status_notes.clone();
                st.responses = s.responses.clone();
            }
            None => {
                st.status_notes = Some(
                    "The manufacturer has not finished its analysis of this vulnerability for this release.".into(),
                );
            }
        }
    }
    if st.status == Status::Affected {
        if st.action_statement.is_none() {
            st.action_statement = Some(fix);
        }
        if !rec.patched.is_empty() && st.responses.is_empty() {
            st.responses.push("update".into());
        }
    }
    if st.status == Status::NotAffected
        && st.justification.is_none()
        && st.impact_statement.is_none()
    {
        // Unreachable through the policy (validation requires a reason), kept total.
        st.impact_statement = Some("Not affected.".into());
    }
    st
}

/// The releases of the workspace's products (current versions, build scope of each).
pub fn workspace_releases(
    ws: &crate::workspace::Workspace,
    policy: &Policy,
) -> Result<Vec<Release>> {
    let products = crate::checks::product::products(ws, &policy.product, None, None);
    let products: Vec<usize> = products
        .into_iter()
        .filter(|p| ws.graph.roots.contains(p))
        .collect();
    if products.is_empty() {
        return Err(Error::other(
            "no product among the selected packages: products are workspace members with a `bin` target, or those listed in `[product] members` of the policy",
        ));
    }
    let request = ws.feature_request();
    let follow = crate::workspace::Follow {
        build: true,
        dev: false,
        proc_macros: true,
    };
    let mut out = Vec::new();
    for p in products {
        let pkg = &ws.graph.pkgs[p];
        let scope = crate::workspace::features::activate(ws, &[p], &request, follow).parents;
        let mut components: Vec<Component> = scope
            .keys()
            .filter(|&&i| i != p)
            .map(|&i| {
                let c = &ws.graph.pkgs[i];
                Component {
                    name: c.name.clone(),
                    version: c.version.clone(),
                    purl: c.purl.clone(),
                    bom_ref: Some(c.purl.clone()),
                    crates_io: c.kind == crate::workspace::SourceKind::CratesIo,
                }
            })
            .collect();
        components.sort();
        components.dedup();
        out.push(Release {
            origin: ws.root_manifest.clone(),
            name: pkg.name.clone(),
            version: pkg.version.clone(),
            purl: pkg.purl.clone(),
            bom_ref: Some(pkg.purl.clone()),
            bom: None,
            components,
            targets: ws.targets.clone(),
        });
    }
    Ok(out)
}

/// Writes the document in `format`.
pub fn render(
    format: VexFormat,
    doc: &VexDocument,
    releases: &[Release],
    publisher: Option<&crate::csaf::Publisher>,
) -> Result<Vec<u8>> {
    match format {
        VexFormat::Openvex => vex::openvex::to_json(doc),
        VexFormat::Cyclonedx => {
            if let Some(r) = releases.iter().find(|r| r.bom.is_none()) {
                return Err(Error::other(format!(
                    "CycloneDX VEX refers to components by BOM-Link into the release's CycloneDX SBOM, and {} has no serial number to link to: give the releases' CycloneDX SBOMs as inputs (`cargo cra vex --format cyclonedx app.cdx.json`)",
                    crate::output::display_path(&r.origin)
                )));
            }
            let rels: Vec<vex::cyclonedx::Release> = releases
                .iter()
                .map(|r| vex::cyclonedx::Release {
                    name: r.name.clone(),
                    version: r.version.to_string(),
                    purl: r.purl.clone(),
                    bom: r.bom.clone(),
                    bom_ref: r.bom_ref.clone(),
                })
                .collect();
            vex::cyclonedx::to_json(doc, &rels, publisher.map(|p| p.name.as_str()))
        }
        VexFormat::Csaf => {
            let Some(publisher) = publisher else {
                return Err(Error::other(
                    "CSAF names its publisher: set the manufacturer in `[workspace.metadata.cra]` or `[package.metadata.cra]` (`manufacturer = { name = \"...\", url = \"https://...\" }`)",
                ));
            };
            let names: BTreeSet<&str> = releases.iter().map(|r| r.name.as_str()).collect();
            let opts = vex::csaf::WriteOptions {
                publisher: publisher.clone(),
                title: format!(
                    "Vulnerability status of {}",
                    names.into_iter().collect::<Vec<_>>().join(", ")
                ),
                releases: releases
                    .iter()
                    .map(|r| vex::csaf::Release {
                        name: r.name.clone(),
                        version: r.version.to_string(),
                        purl: r.purl.clone(),
                    })
                    .collect(),
            };
            vex::csaf::to_json(doc, &opts)
        }
    }
}

/// The predicate type of the in-toto statement for a VEX format.
pub fn predicate_type(format: VexFormat) -> &'static str {
    match format {
        VexFormat::Openvex => "https://openvex.dev/ns/v0.2.0",
        VexFormat::Cyclonedx => crate::sign::dsse::CYCLONEDX_PREDICATE_TYPE,
        VexFormat::Csaf => "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
    }
}

/// Runs `cargo cra vex`.
pub fn run(args: &VexArgs, printer: &Printer) -> Result<u8> {
    let vex_docs = vex::read_all(&args.vex)?;
    let (releases, policy, manufacturer) = if args.paths.is_empty() {
        let ws = crate::workspace::load(&args.workspace)?;
        let policy = Policy::load(args.workspace.policy.as_deref(), &ws.root)?;
        let releases = workspace_releases(&ws, &policy)?;
        let manufacturer = releases.iter().find_map(|r| {
            let pkg = ws.graph.pkgs.iter().find(|p| p.purl == r.purl)?;
            let meta = ws.meta_pkg(pkg)?;
            crate::checks::product::product_metadata(&ws, meta).manufacturer
        });
        (releases, policy, manufacturer)
    } else {
        let (policy, manufacturer) = policy_near(&args.workspace)?;
        (sbom_releases(&args.paths, printer)?, policy, manufacturer)
    };
    let cfg = &policy.advisories;
    let (db_path, is_default) = db::locate(args.advisory_db.as_deref(), cfg)?;
    if is_default {
        db::sync_default(&db_path, cfg, args.workspace.is_offline(), printer)?;
    }
    let database = db::load(&db_path, crate::advisory::cache::dir().as_deref(), printer)?;
    let today = crate::today()?;
    database.check_fresh(today, cfg.maximum_db_staleness_days)?;

    let inputs = Inputs {
        database: &database,
        policy: &policy,
        vex: &vex_docs,
        today,
    };
    let mut doc = VexDocument::new(
        crate::vex::Format::OpenVex,
        "",
        manufacturer
            .as_ref()
            .and_then(|m| m.name.clone())
            .unwrap_or_default(),
    );
    doc.timestamp = Some(vex::now_rfc3339()?);
    doc.statements = statements(&releases, &inputs)?;
    let publisher = manufacturer
        .as_ref()
        .and_then(crate::csaf::vendor_publisher);
    let bytes = render(args.format, &doc, &releases, publisher.as_ref())?;

    // The key is loaded before anything is written: a bad key must not leave an unsigned
    // document behind that looks like the result of a signed run.
    let signer = match crate::sign::resolve_key_source(
        args.sign.as_deref(),
        policy.sbom.signing_key.as_deref(),
    ) {
        Some(src) => Some(crate::sign::Signer::load(&src)?),
        None => None,
    };
    let counts = summary(&doc.statements);
    match &args.output {
        Some(out) => {
            crate::fsutil::write_atomic(out, &bytes)?;
            printer.status(
                "Wrote",
                format!(
                    "{} ({} statement{}: {counts}) for {} release{}",
                    crate::output::display_path(out),
                    doc.statements.len(),
                    if doc.statements.len() == 1 { "" } else { "s" },
                    releases.len(),
                    if releases.len() == 1 { "" } else { "s" },
                ),
            );
            if let Some(signer) = &signer {
                let files = crate::sign::sign_document(
                    signer,
                    crate::DEFAULT_NAMESPACE,
                    out,
                    &bytes,
                    predicate_type(args.format),
                )?;
                printer.status(
                    "Signed",
                    format!(
                        "{} and {}",
                        crate::output::display_path(&files.signature),
                        crate::output::display_path(&files.attestation)
                    ),
                );
            }
        }
        None => {
            if signer.is_some() {
                return Err(Error::other(
                    "a signing key is set, but the signature is written next to the document: add `-o FILE`",
                ));
            }
            use std::io::Write;
            std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| Error::other(format!("failed to write to stdout: {e}")))?;
        }
    }
    Ok(crate::error::ExitCode::SUCCESS)
}

fn summary(statements: &[Statement]) -> String {
    let mut n: BTreeMap<&str, usize> = BTreeMap::new();
    for s in statements {
        *n.entry(s.status.as_str()).or_default() += 1;
    }
    if n.is_empty() {
        return "no advisory hits these releases".into();
    }
    n.iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The policy and manufacturer of the workspace the SBOMs belong to: `--manifest-path`'s, or
/// the one the current directory is in, else the defaults and none.
fn policy_near(
    args: &crate::cli::WorkspaceArgs,
) -> Result<(Policy, Option<crate::checks::product::Manufacturer>)> {
    let Ok(manifest) = crate::workspace::find_manifest(args) else {
        let policy = Policy::load(args.policy.as_deref(), Utf8Path::new("."))?;
        return Ok((policy, None));
    };
    let root = crate::workspace::find_workspace_root(&manifest)?;
    let policy = Policy::load(args.policy.as_deref(), &root)?;
    Ok((policy, manifest_manufacturer(&root.join("Cargo.toml"))?))
}

/// `manufacturer` of `[workspace.metadata.cra]`, else `[package.metadata.cra]`, read from the
/// root manifest without running cargo.
fn manifest_manufacturer(path: &Utf8Path) -> Result<Option<crate::checks::product::Manufacturer>> {
    let text = crate::fsutil::read_to_string(path)?;
    let v: toml::Value =
        toml::from_str(&text).map_err(|e| crate::fsutil::toml_error(path, &text, &e))?;
    let m = ["workspace", "package"].iter().find_map(|t| {
        v.get(t)?
            .get("metadata")?
            .get("cra")?
            .get("manufacturer")?
            .as_table()
            .cloned()
    });
    Ok(m.map(|m| {
        let f = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_string);
        crate::checks::product::Manufacturer {
            name: f("name"),
            email: f("email"),
            url: f("url"),
            address: f("address"),
        }
    }))
}

/// The releases the SBOM inputs describe (what `scan` reads). An input without a product
/// (name, version and purl) cannot carry statements: an error naming it.
pub fn sbom_releases(paths: &[Utf8PathBuf], printer: &Printer) -> Result<Vec<Release>> {
    use crate::inventory::{self, Entry};
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for e in inventory::walk(paths)? {
        let path = match e {
            Entry::Sbom { path } | Entry::Binary { path } => path,
            Entry::Skipped { path, reason } => {
                printer.verbose(format_args!("skipped {path}: {reason}"));
                skipped.push(format!("{path} ({reason})"));
                continue;
            }
            Entry::Unreadable { path, reason } => {
                return Err(Error::malformed(path, reason));
            }
        };
        let inv = inventory::read(&path)?;
        let Some(p) = &inv.product else {
            return Err(Error::malformed(
                &path,
                "the SBOM names no product with a `pkg:cargo` purl and a semver version (CycloneDX `metadata.component`, the SPDX described package): a VEX statement needs the product it is about",
            ));
        };
        let bom = match (&inv.format, &inv.serial_number, inv.bom_version) {
            (inventory::InputFormat::CycloneDx { .. }, Some(s), v)
                if s.starts_with("urn:uuid:") =>
            {
                Some(vex::cyclonedx::bom_link(s, v.unwrap_or(1), None))
            }
            _ => None,
        };
        out.push(Release {
            origin: path.clone(),
            name: p.name.clone(),
            version: p.version.clone(),
            purl: p.purl.clone(),
            bom_ref: p.bom_ref.clone(),
            bom,
            components: inv
                .components
                .iter()
                .map(|c| Component {
                    name: c.name.clone(),
                    version: c.version.clone(),
                    purl: c.purl.clone(),
                    bom_ref: c.bom_ref.clone(),
                    crates_io: c.source.is_crates_io(),
                })
                .collect(),
            targets: inv.targets.clone(),
        });
    }
    if out.is_empty() {
        let what = if skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped: {}", skipped.join(", "))
        };
        return Err(Error::other(format!(
            "no SBOM or cargo-auditable binary among the inputs: nothing to write VEX statements about{what}"
        )));
    }
    Ok(out)
}
