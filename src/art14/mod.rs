//! CRA Art. 14 reporting (`cargo cra report`): a case per actively exploited vulnerability
//! or severe incident, kept as a file in the repository (`cra-reports/<case>/case.toml`),
//! its three deadlines, drafts of the three reports item by item, the record of what was
//! submitted to the Single Reporting Platform, and a CSAF 2.0 security advisory for users.
//!
//! Deadlines are UTC and "now" is [`crate::now`] (`SOURCE_DATE_EPOCH` pins it). A malformed
//! case file is an error naming file and line (exit 2); `status` exits 1 when a report is
//! overdue, so a scheduled CI job can page someone.

pub mod args;
pub mod case;
pub mod csaf;
pub mod deadline;
pub mod draft;
pub mod info;
pub mod new;
pub mod sboms;
pub mod status;
pub mod time;

use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;
use args::{ReportArgs, ReportCommand};
use case::{Case, FixedIn, Kind, Mitigation, Step, Submission, Tlp};

/// Runs `cargo cra report ...`.
pub fn run(args: &ReportArgs, printer: &Printer) -> Result<u8> {
    match &args.command {
        ReportCommand::New(a) => new::run(a, printer),
        ReportCommand::Status(a) => status::run_status(a, printer),
        ReportCommand::List(a) => status::run_list(a, printer),
        ReportCommand::Draft(a) => draft::run(a, printer),
        ReportCommand::Submitted(a) => submitted(a, printer),
        ReportCommand::Fix(a) => fix(a, printer),
        ReportCommand::Mitigation(a) => mitigation(a, printer),
        ReportCommand::Set(a) => set(a, printer),
        ReportCommand::Close(a) => close(a, printer),
        ReportCommand::Csaf(a) => csaf::run(a, printer),
    }
}

/// Loads a case by id for a command that changes it (closed cases are refused).
fn open_case(ws: &args::CaseWorkspace, id: &str) -> Result<Case> {
    let (root, _) = info::root_and_policy(ws)?;
    let c = case::find(&root, id)?;
    if c.closed.is_some() {
        return Err(Error::other(format!(
            "{}: case `{}` is closed",
            c.path, c.id
        )));
    }
    Ok(c)
}

/// `--at`/`--available-at`, or now; never in the future, never before awareness.
fn time_arg(flag: &str, value: Option<&str>, case: &Case) -> Result<::time::OffsetDateTime> {
    let now = crate::now()?;
    let at = match value {
        Some(v) => time::parse(v).map_err(|e| Error::other(format!("--{flag}: {e}")))?,
        None => now,
    };
    if at > now + ::time::Duration::minutes(5) {
        return Err(Error::other(format!(
            "--{flag}: {} is in the future (now is {})",
            time::rfc3339(at),
            time::rfc3339(now)
        )));
    }
    if at < case.aware_at {
        return Err(Error::other(format!(
            "--{flag}: {} is before the manufacturer became aware ({})",
            time::rfc3339(at),
            time::rfc3339(case.aware_at)
        )));
    }
    Ok(at)
}

fn submitted(a: &args::SubmittedArgs, printer: &Printer) -> Result<u8> {
    let mut c = open_case(&a.ws, &a.case)?;
    let step = a.step.step();
    if let Some(prev) = c.submission(step)
        && !a.force
    {
        return Err(Error::other(format!(
            "{}: the {} of `{}` was already recorded as submitted at {}{} (use --force to replace it)",
            c.path,
            step.as_str(),
            c.id,
            time::rfc3339(prev.at),
            prev.reference
                .as_deref()
                .map(|r| format!(", reference {r}"))
                .unwrap_or_default()
        )));
    }
    let at = time_arg("at", a.at.as_deref(), &c)?;
    for earlier in Step::ALL.iter().filter(|s| **s < step) {
        if c.submission(*earlier).is_none() {
            printer.warn(format!(
                "the {} of `{}` is not recorded as submitted yet",
                earlier.as_str(),
                c.id
            ));
        }
    }
    if step == Step::Final && c.kind == Kind::Vulnerability && c.fix.is_none() {
        printer.warn(format!(
            "no corrective measure is recorded for `{}`: the final report describes the security update (`cargo cra report fix`)",
            c.id
        ));
    }
    if a.reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
        printer.warn(
            "no --reference: record the platform's reference so the submission can be traced",
        );
    }
    let due = deadline::deadlines(&c)[step.index()];
    c.reports[step.index()] = Some(Submission {
        at,
        reference: a.reference.clone().filter(|r| !r.trim().is_empty()),
    });
    case::save(&c)?;
    match due {
        Some(d) if at > d => printer.warn(format!(
            "the {} was submitted {} after its deadline ({})",
            step.as_str(),
            time::human(at - d),
            time::rfc3339(d)
        )),
        _ => {}
    }
    printer.status(
        "Recorded",
        format!(
            "{} of `{}` submitted at {}",
            step.as_str(),
            c.id,
            time::rfc3339(at)
        ),
    );
    if c.kind == Kind::Incident
        && step == Step::Notification
        && let Some(d) = deadline::deadlines(&c)[Step::Final.index()]
    {
        printer.status("Due", format!("final report by {}", time::rfc3339(d)));
    }
    Ok(ExitCode::SUCCESS)
}

fn fix(a: &args::FixArgs, printer: &Printer) -> Result<u8> {
    let mut c = open_case(&a.ws, &a.case)?;
    let at = time_arg("available-at", a.available_at.as_deref(), &c)?;
    let mut names: Vec<String> = c.products.iter().map(|p| p.name.clone()).collect();
    for r in &c.releases {
        if !names.contains(&r.product) {
            names.push(r.product.clone());
        }
    }
    let mut versions: Vec<FixedIn> = Vec::new();
    for f in &a.fixed_in {
        let (product, version) = match f.rsplit_once('@') {
            Some((p, v)) => (p.to_string(), v.to_string()),
            None => match names.as_slice() {
                [one] => (one.clone(), f.clone()),
                [] => {
                    return Err(Error::other(format!(
                        "--fixed-in {f}: the case names no product; write PRODUCT@VERSION"
                    )));
                }
                many => {
                    // One version for every product.
                    for p in many {
                        versions.push(FixedIn {
                            product: p.clone(),
                            version: f.clone(),
                        });
                    }
                    continue;
                }
            },
        };
        if semver::Version::parse(&version).is_err() {
            return Err(Error::other(format!(
                "--fixed-in {f}: `{version}` is not a version like 1.2.1"
            )));
        }
        if !names.is_empty() && !names.contains(&product) {
            return Err(Error::other(format!(
                "--fixed-in {f}: the case has no product `{product}` (it has {})",
                names.join(", ")
            )));
        }
        versions.retain(|v| v.product != product);
        versions.push(FixedIn { product, version });
    }
    for v in &versions {
        if semver::Version::parse(&v.version).is_err() {
            return Err(Error::other(format!(
                "--fixed-in: `{}` is not a version like 1.2.1",
                v.version
            )));
        }
        let fixed = semver::Version::parse(&v.version).ok();
        if let Some(r) = c
            .releases
            .iter()
            .find(|r| r.product == v.product && semver::Version::parse(&r.version).ok() >= fixed)
        {
            printer.warn(format!(
                "{} {} is recorded as affected but is not older than the fixed version {}",
                r.product, r.version, v.version
            ));
        }
    }
    versions.sort_by(|a, b| a.product.cmp(&b.product));
    c.fix = Some(case::Fix {
        available_at: at,
        versions,
        description: a
            .description
            .clone()
            .or_else(|| c.fix.as_ref().and_then(|f| f.description.clone())),
        url: a
            .url
            .clone()
            .or_else(|| c.fix.as_ref().and_then(|f| f.url.clone())),
    });
    case::save(&c)?;
    printer.status(
        "Recorded",
        format!("fix for `{}` available at {}", c.id, time::rfc3339(at)),
    );
    if let Some(d) = deadline::deadlines(&c)[Step::Final.index()] {
        printer.status("Due", format!("final report by {}", time::rfc3339(d)));
    }
    Ok(ExitCode::SUCCESS)
}

fn mitigation(a: &args::MitigationArgs, printer: &Printer) -> Result<u8> {
    let mut c = open_case(&a.ws, &a.case)?;
    if a.text.trim().is_empty() {
        return Err(Error::other("the mitigation text is empty"));
    }
    let at = match &a.available_at {
        Some(v) => Some(time_arg("available-at", Some(v), &c)?),
        None => None,
    };
    let before = deadline::deadlines(&c)[Step::Final.index()];
    c.mitigations.push(Mitigation {
        text: a.text.trim().to_string(),
        available_at: at,
    });
    case::save(&c)?;
    printer.status("Added", format!("mitigation to `{}`", c.id));
    let after = deadline::deadlines(&c)[Step::Final.index()];
    if c.kind == Kind::Vulnerability
        && after != before
        && let Some(d) = after
    {
        printer.status("Due", format!("final report by {}", time::rfc3339(d)));
    }
    Ok(ExitCode::SUCCESS)
}

fn set(a: &args::SetArgs, printer: &Printer) -> Result<u8> {
    let mut c = open_case(&a.ws, &a.case)?;
    match a.field.as_str() {
        "title" => {
            if a.value.trim().is_empty() {
                return Err(Error::other("the title must not be empty"));
            }
            c.title = a.value.trim().to_string();
        }
        "tlp" => {
            c.tlp = Tlp::parse(&a.value).ok_or_else(|| {
                Error::other(format!(
                    "`{}` is not a TLP label: use one of {}",
                    a.value,
                    Tlp::NAMES.join(", ")
                ))
            })?;
        }
        f if case::TEXT_FIELDS.iter().any(|(k, _)| *k == f) => {
            if f == "suspected-malicious" && !["yes", "no", "unknown", ""].contains(&a.value.trim())
            {
                return Err(Error::other(format!(
                    "suspected-malicious must be `yes`, `no` or `unknown`, not `{}`",
                    a.value
                )));
            }
            if !case::relevant(c.kind, f) {
                printer.warn(format!(
                    "`{f}` is not used by the reports on a {} case",
                    c.kind.as_str()
                ));
            }
            if a.value.trim().is_empty() {
                c.text.remove(f);
            } else {
                c.text.insert(f.to_string(), a.value.trim().to_string());
            }
        }
        other => {
            let known: Vec<&str> = case::TEXT_FIELDS.iter().map(|(k, _)| *k).collect();
            return Err(Error::other(format!(
                "unknown field `{other}`: use `title`, `tlp` or one of {}",
                known.join(", ")
            )));
        }
    }
    case::save(&c)?;
    printer.status("Updated", format!("{} of `{}`", a.field, c.id));
    Ok(ExitCode::SUCCESS)
}

fn close(a: &args::CloseArgs, printer: &Printer) -> Result<u8> {
    let mut c = open_case(&a.ws, &a.case)?;
    let now = crate::now()?;
    let st = deadline::status(&c, now);
    let missing: Vec<&str> = st
        .iter()
        .filter(|s| {
            !matches!(
                s.state,
                deadline::State::Submitted | deadline::State::SubmittedLate
            )
        })
        .map(|s| s.step.as_str())
        .collect();
    let reason = a.reason.clone().unwrap_or_default();
    if !missing.is_empty() && reason.trim().is_empty() {
        return Err(Error::other(format!(
            "case `{}` still has reports not submitted ({}): give --reason to close it anyway",
            c.id,
            missing.join(", ")
        )));
    }
    let reason = if reason.trim().is_empty() {
        "all reports submitted".to_string()
    } else {
        reason.trim().to_string()
    };
    c.closed = Some((now, reason));
    case::save(&c)?;
    printer.status("Closed", format!("`{}`", c.id));
    Ok(ExitCode::SUCCESS)
}
