//! `cargo cra report new`: opens a case. A vulnerability case takes its advisory from the
//! advisory database (title, description, aliases, CVSS, patched versions); the affected
//! releases come from the SBOM archive (`--sboms`, see [`super::sboms`]), the workspace's own
//! products (their current build, from `Cargo.lock` and `cargo metadata`) and `--affected`.

use super::args::NewArgs;
use super::case::{self, Advisory, Case, Kind, Product, Release, Tlp};
use super::{deadline, info, time as t};
use crate::advisory::{cache, db};
use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;
use camino::Utf8Path;

/// Runs `report new`.
pub fn run(a: &NewArgs, printer: &Printer) -> Result<u8> {
    let (root, policy) = info::root_and_policy(&a.ws)?;
    let now = crate::now()?;
    let aware_at = match &a.aware_at {
        Some(v) => t::parse(v).map_err(|e| Error::other(format!("--aware-at: {e}")))?,
        None => now,
    };
    if aware_at > now + ::time::Duration::minutes(5) {
        return Err(Error::other(format!(
            "--aware-at: {} is in the future (now is {})",
            t::rfc3339(aware_at),
            t::rfc3339(now)
        )));
    }
    let tlp = Tlp::parse(&a.tlp).ok_or_else(|| {
        Error::other(format!(
            "--tlp: `{}` is not a TLP label: use one of {}",
            a.tlp,
            Tlp::NAMES.join(", ")
        ))
    })?;
    let products = info::products(&a.ws, &policy)?;
    if products.is_empty() {
        printer.warn(
            "the workspace has no products (members with a binary, or `[product] members`): the case names none",
        );
    }
    let (kind, title, advisory, record) = match (&a.incident, &a.advisory) {
        (Some(title), _) => {
            if title.trim().is_empty() {
                return Err(Error::other("--incident: the title is empty"));
            }
            (Kind::Incident, title.trim().to_string(), None, None)
        }
        (None, Some(id)) => {
            let (adv, record) = lookup_advisory(a, &policy, id, printer)?;
            let title = a
                .title
                .clone()
                .or_else(|| adv.title.clone())
                .unwrap_or_else(|| adv.id.clone());
            (Kind::Vulnerability, title, Some(adv), record)
        }
        (None, None) => return Err(Error::other("give an ADVISORY id or --incident TITLE")),
    };
    let id = case::make_id(
        aware_at,
        &match kind {
            Kind::Vulnerability => advisory.as_ref().map_or(String::new(), |a| a.id.clone()),
            Kind::Incident => format!("incident {title}"),
        },
    );
    let path = root.join(case::DIR).join(&id).join(case::FILE);
    if path.exists() {
        return Err(Error::other(format!(
            "{path}: case `{id}` already exists (`cargo cra report status` shows it)"
        )));
    }

    let mut releases: Vec<Release> = Vec::new();
    if let Some(rec) = &record
        && !a.sboms.is_empty()
    {
        let found = super::sboms::scan(&root, &a.sboms, rec, &policy, printer)?;
        printer.status(
            "Scanned",
            format!(
                "{} release SBOM{}: {} affected by {}",
                found.read,
                if found.read == 1 { "" } else { "s" },
                found.releases.len(),
                rec.id
            ),
        );
        releases.extend(found.releases);
    }
    if let Some(rec) = &record {
        let names: Vec<String> = products.iter().map(|p| p.name.clone()).collect();
        match workspace_releases(&a.ws, rec, &names, a.offline) {
            Ok(found) => releases.extend(found),
            Err(e) => printer.warn(format!(
                "could not check the workspace's current build for {}: {e}",
                rec.id
            )),
        }
    } else if !a.sboms.is_empty() {
        printer.warn(match kind {
            Kind::Incident => "--sboms finds releases affected by an advisory: an incident case does not use it (give --affected PRODUCT@VERSION)",
            Kind::Vulnerability => "--sboms: the advisory is not in the database, so its affected versions are unknown (give --affected PRODUCT@VERSION)",
        });
    }
    for spec in &a.affected {
        let (product, version) = spec
            .rsplit_once('@')
            .ok_or_else(|| Error::other(format!("--affected {spec}: write PRODUCT@VERSION")))?;
        if semver::Version::parse(version).is_err() {
            return Err(Error::other(format!(
                "--affected {spec}: `{version}` is not a version like 1.2.0"
            )));
        }
        releases.push(Release {
            product: product.to_string(),
            version: version.to_string(),
            purl: crate::purl::cargo(product, version, &crate::purl::CargoSource::Path),
            evidence: "manual".to_string(),
            sbom_sha256: None,
            components: Vec::new(),
        });
    }
    releases.sort_by(|a, b| {
        (
            &a.product,
            semver::Version::parse(&a.version).ok(),
            &a.evidence,
        )
            .cmp(&(
                &b.product,
                semver::Version::parse(&b.version).ok(),
                &b.evidence,
            ))
    });
    // One entry per release: an SBOM is the better evidence; the components are merged.
    let mut merged: Vec<Release> = Vec::new();
    for r in releases {
        match merged.last_mut() {
            Some(m) if m.product == r.product && m.version == r.version => {
                if m.sbom_sha256.is_none() && r.sbom_sha256.is_some() {
                    m.evidence = r.evidence.clone();
                    m.sbom_sha256 = r.sbom_sha256.clone();
                    m.purl = r.purl.clone();
                }
                m.components.extend(r.components);
                m.components.sort();
                m.components.dedup();
            }
            _ => merged.push(r),
        }
    }
    let releases = merged;
    if kind == Kind::Vulnerability && releases.is_empty() {
        printer.warn(format!(
            "no affected release found{}: add them with --affected PRODUCT@VERSION or in the case file",
            if a.sboms.is_empty() {
                " in the workspace (pass the SBOM archive with --sboms DIR)"
            } else {
                " in the SBOMs or the workspace"
            }
        ));
    }

    let c = Case {
        path: path.clone(),
        id: id.clone(),
        kind,
        title,
        aware_at,
        opened_at: now,
        tlp,
        closed: None,
        advisory,
        text: Default::default(),
        products: products
            .iter()
            .map(|p| Product {
                name: p.name.clone(),
                version: p.version.clone(),
                purl: p.purl.clone(),
            })
            .collect(),
        releases,
        fix: None,
        mitigations: Vec::new(),
        reports: [None, None, None],
        csaf_revisions: Vec::new(),
    };
    case::save(&c)?;
    // The id alone on the first line of stdout: `CASE=$(cargo cra report new ...)`.
    println!("{id}");
    printer.status("Opened", crate::output::display_path(&path));
    for st in deadline::status(&c, now) {
        let when = match st.due {
            Some(d) => format!(
                "{} ({} {})",
                t::rfc3339(d),
                if st.left.is_some_and(|l| l.is_negative()) {
                    "overdue by"
                } else {
                    "in"
                },
                st.left.map(t::human).unwrap_or_default()
            ),
            None => deadline::pending_reason(c.kind, st.step).to_string(),
        };
        printer.status("Due", format!("{}: {when}", st.step.as_str()));
    }
    Ok(ExitCode::SUCCESS)
}

/// Finds the advisory by id or alias; an id not in the database is accepted with `--title`.
fn lookup_advisory(
    a: &NewArgs,
    policy: &crate::policy::Policy,
    id: &str,
    printer: &Printer,
) -> Result<(Advisory, Option<db::Record>)> {
    let (path, is_default) = db::locate(a.advisory_db.as_deref(), &policy.advisories)?;
    if is_default && !path.is_dir() {
        db::sync_default(&path, &policy.advisories, a.offline, printer)?;
    }
    let found = if path.is_dir() {
        let database = db::load(&path, cache::dir().as_deref(), printer)?;
        database
            .advisories
            .iter()
            .find(|r| {
                r.id.eq_ignore_ascii_case(id)
                    || r.aliases.iter().any(|x| x.eq_ignore_ascii_case(id))
            })
            .cloned()
            .map(|r| (r, database.path.clone()))
    } else {
        None
    };
    let Some((rec, db_path)) = found else {
        if a.title.is_some() {
            printer.warn(format!(
                "{id} is not in the advisory database at {path}: the case records the id and --title only"
            ));
            return Ok((
                Advisory {
                    id: id.to_string(),
                    ..Default::default()
                },
                None,
            ));
        }
        return Err(Error::other(format!(
            "{id} is not in the advisory database at {path}\n  help: for a vulnerability in your own code (or one not in RustSec) give --title \"...\"; or pass --advisory-db PATH"
        )));
    };
    if rec.withdrawn.is_some() {
        printer.warn(format!(
            "{} was withdrawn from the advisory database",
            rec.id
        ));
    }
    let description = description_of(&db_path, &rec);
    let adv = Advisory {
        id: rec.id.clone(),
        aliases: rec.aliases.clone(),
        crate_name: Some(rec.package.clone()),
        title: Some(rec.title.clone()),
        description,
        url: rec.url.clone(),
        cvss: rec.cvss.as_ref().map(|c| c.vector.clone()),
        cvss_score: rec.cvss.as_ref().map(|c| c.score),
        severity: rec.cvss.as_ref().map(|c| c.severity.clone()),
        patched: rec.patched.clone(),
        published: Some(rec.date.clone()),
        cwe: Vec::new(),
    };
    Ok((adv, Some(rec)))
}

/// The advisory's Markdown description (the index keeps only the title).
fn description_of(db: &Utf8Path, rec: &db::Record) -> Option<String> {
    let dir = if rec.rust { "rust" } else { "crates" };
    let file = db
        .join(dir)
        .join(&rec.package)
        .join(format!("{}.md", rec.id));
    let adv = rustsec::Advisory::load_file(file.as_std_path()).ok()?;
    Some(adv.description().trim().to_string()).filter(|d| !d.is_empty())
}

/// The workspace's products at their current versions, when their current build contains an
/// affected version of the advisory's crate (feature-resolved, as `check` sees it).
fn workspace_releases(
    ws: &super::args::CaseWorkspace,
    rec: &db::Record,
    products: &[String],
    offline: bool,
) -> Result<Vec<Release>> {
    let versions = rec.versions()?;
    let args = crate::cli::WorkspaceArgs {
        manifest_path: ws.manifest_path.clone(),
        policy: ws.policy.clone(),
        locked: true,
        offline,
        ..Default::default()
    };
    let w = crate::workspace::load(&args)?;
    let g = &w.graph;
    let follow = crate::workspace::Follow {
        build: true,
        dev: false,
        proc_macros: true,
    };
    let mut out = Vec::new();
    for &root in &g.roots {
        let p = &g.pkgs[root];
        if !products.contains(&p.name) {
            continue;
        }
        let scope =
            crate::workspace::features::activate(&w, &[root], &w.feature_request(), follow).parents;
        let mut components: Vec<String> = scope
            .keys()
            .map(|&i| &g.pkgs[i])
            .filter(|q| q.name == rec.package && versions.is_vulnerable(&q.version))
            .map(|q| q.purl.clone())
            .collect();
        components.sort();
        components.dedup();
        if !components.is_empty() {
            out.push(Release {
                product: p.name.clone(),
                version: p.version.to_string(),
                purl: p.purl.clone(),
                evidence: "Cargo.lock".to_string(),
                sbom_sha256: None,
                components,
            });
        }
    }
    Ok(out)
}
