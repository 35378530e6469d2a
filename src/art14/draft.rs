//! `cargo cra report draft`: the three reports, item by item as CRA Art. 14(2)(a)-(c)
//! (actively exploited vulnerability) and 14(4)(a)-(c) (severe incident) list their content.
//! Each item is filled from the case and the product metadata (Member States from
//! `markets`, the coordinating CSIRT from `main-establishment`, manufacturer, product,
//! versions, the advisory's description and severity, the fix) or shown as a visible TODO
//! saying how to fill it. Markdown for people; JSON with stable field names (`items[].id`
//! never changes) for the platform or automation.

use super::args::{DraftArgs, DraftFormat};
use super::case::{Case, Kind, Step};
use super::info::ProductInfo;
use super::{case, deadline, info, time as t};
use crate::checks::product::member_state_name;
use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;
use serde::Serialize;

/// One item of a report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Item {
    /// Stable id (`member-states`, `exploit-nature`, ...).
    pub id: &'static str,
    /// Where the CRA asks for it (`14(2)(a)`), or the context it gives.
    pub article: &'static str,
    /// What it is, in the regulation's words.
    pub label: &'static str,
    /// Whether the report is incomplete without it.
    pub required: bool,
    /// The text, when known.
    pub text: Option<String>,
    /// Structured value for automation (codes, versions), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// How to fill it, when it is missing.
    pub todo: Option<String>,
}

impl Item {
    fn new(id: &'static str, article: &'static str, label: &'static str, required: bool) -> Self {
        Item {
            id,
            article,
            label,
            required,
            text: None,
            data: None,
            todo: None,
        }
    }

    fn fill(mut self, text: Option<String>, todo: impl Into<String>) -> Self {
        match text.filter(|s| !s.trim().is_empty()) {
            Some(s) => self.text = Some(s),
            None => self.todo = Some(todo.into()),
        }
        self
    }

    fn data(mut self, v: serde_json::Value) -> Self {
        self.data = Some(v);
        self
    }

    /// Missing and required.
    pub fn missing(&self) -> bool {
        self.required && self.text.is_none()
    }
}

/// A drafted report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Draft {
    /// 1.
    pub format_version: u32,
    /// Case id.
    pub case: String,
    /// `vulnerability` or `incident`.
    pub kind: &'static str,
    /// `early-warning`, `notification` or `final`.
    pub report: &'static str,
    /// `Early warning`, ...
    pub report_title: &'static str,
    /// The paragraph of Art. 14 it follows.
    pub article: &'static str,
    /// The case title.
    pub title: String,
    /// Deadline (RFC 3339 UTC), when known.
    pub due: Option<String>,
    /// When it was submitted, if it was.
    pub submitted_at: Option<String>,
    /// The platform's reference, if any.
    pub reference: Option<String>,
    /// `TLP:AMBER`, ...
    pub tlp: String,
    /// When the draft was made.
    pub generated_at: String,
    /// Whether every required item is filled.
    pub complete: bool,
    /// Ids of the required items still missing.
    pub missing: Vec<&'static str>,
    /// The items, in the regulation's order (context first).
    pub items: Vec<Item>,
}

fn set_hint(case: &Case, field: &str) -> String {
    format!(
        "`cargo cra report set {} {field} \"...\"` or `{field}` in [text] of {}",
        case.id,
        crate::output::display_path(&case.path)
    )
}

fn states_text(codes: &[String]) -> String {
    if codes.len() == crate::checks::product::MEMBER_STATES.len() {
        return "All EU Member States".to_string();
    }
    codes
        .iter()
        .map(|c| format!("{} ({c})", member_state_name(c).unwrap_or(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The workspace products the case names (by name), in the case's order.
fn case_products<'a>(case: &Case, products: &'a [ProductInfo]) -> Vec<&'a ProductInfo> {
    let mut names: Vec<&str> = case.products.iter().map(|p| p.name.as_str()).collect();
    for r in &case.releases {
        if !names.contains(&r.product.as_str()) {
            names.push(&r.product);
        }
    }
    names
        .iter()
        .filter_map(|n| products.iter().find(|p| p.name == *n))
        .collect()
}

/// Builds the items of `step` for `case`.
pub fn items(case: &Case, step: Step, products: &[ProductInfo]) -> Vec<Item> {
    let ps = case_products(case, products);
    let mut out = Vec::new();
    // Context every report carries: who reports, about what, to whom.
    let manufacturer = ps.iter().find_map(|p| p.meta.manufacturer.clone());
    out.push(
        Item::new("manufacturer", "Annex II (1)", "Manufacturer (name, address, contact)", true).fill(
            manufacturer.as_ref().and_then(|m| {
                let name = m.name.clone()?;
                let mut parts = vec![name];
                parts.extend(m.address.clone());
                parts.extend(m.email.clone());
                parts.extend(m.url.clone());
                Some(parts.join(", "))
            }),
            "add `manufacturer = { name = ..., address = ..., email = ... }` to [package.metadata.cra]",
        ),
    );
    let mut est: Vec<String> = ps
        .iter()
        .filter_map(|p| p.meta.main_establishment.clone())
        .collect();
    est.sort();
    est.dedup();
    out.push(
        Item::new(
            "coordinating-csirt",
            "14(7)",
            "CSIRT designated as coordinator (Member State of the main establishment)",
            true,
        )
        .fill(
            (!est.is_empty()).then(|| {
                est.iter()
                    .map(|c| {
                        format!(
                            "the CSIRT designated as coordinator by {} ({c})",
                            member_state_name(c).unwrap_or(c)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
            "add `main-establishment = \"DE\"` (the Member State of your main establishment) to [package.metadata.cra]",
        )
        .data(serde_json::json!(est)),
    );
    let mut ids = vec![format!("case {}", case.id)];
    if let Some(a) = &case.advisory {
        ids.push(a.id.clone());
        ids.extend(a.aliases.iter().cloned());
    }
    out.push(
        Item::new("identification", "14(1)", "What is reported", true)
            .fill(
                Some(format!(
                    "{}: {} ({})",
                    match case.kind {
                        Kind::Vulnerability => "Actively exploited vulnerability",
                        Kind::Incident =>
                            "Severe incident having an impact on the security of the product",
                    },
                    case.title,
                    ids.join(", ")
                )),
                "",
            )
            .data(serde_json::json!({ "case": case.id, "ids": ids })),
    );
    out.push(
        Item::new(
            "aware-at",
            "14(2)(a), 14(4)(a)",
            "When the manufacturer became aware",
            true,
        )
        .fill(Some(t::rfc3339(case.aware_at)), ""),
    );

    let user_measures = {
        let mut v: Vec<String> = Vec::new();
        if let Some(f) = &case.fix {
            let versions: Vec<String> = f
                .versions
                .iter()
                .map(|v| format!("{} {}", v.product, v.version))
                .collect();
            if !versions.is_empty() {
                v.push(format!(
                    "Update to {}{}.",
                    versions.join(", "),
                    f.url
                        .as_deref()
                        .map(|u| format!(" ({u})"))
                        .unwrap_or_default()
                ));
            }
        }
        v.extend(case.mitigations.iter().map(|m| m.text.clone()));
        (!v.is_empty()).then(|| v.join("\n"))
    };
    let measures_taken = case.text("measures-taken").map(str::to_string).or_else(|| {
        case.fix.as_ref().map(|f| {
            format!(
                "Security update{} made available on {}.",
                if f.versions.is_empty() {
                    String::new()
                } else {
                    format!(
                        " {}",
                        f.versions
                            .iter()
                            .map(|v| format!("{} {}", v.product, v.version))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                t::rfc3339(f.available_at)
            )
        })
    });
    let member_states = {
        let mut codes: Vec<String> = ps
            .iter()
            .flat_map(|p| p.meta.markets.clone().unwrap_or_default())
            .collect();
        codes.sort();
        codes.dedup();
        Item::new(
            "member-states",
            if case.kind == Kind::Vulnerability {
                "14(2)(a)"
            } else {
                "14(4)(a)"
            },
            "Member States on the territory of which the product has been made available",
            true,
        )
        .fill(
            (!codes.is_empty()).then(|| states_text(&codes)),
            "add `markets = [\"EU\"]` (or the ISO 3166 codes) to [package.metadata.cra]",
        )
        .data(serde_json::json!(codes))
    };
    let product_info = {
        let mut lines = Vec::new();
        for p in &ps {
            let mut l = format!("{} (current version {})", p.name, p.version);
            if let Some(pur) = &p.meta.intended_purpose {
                l.push_str(&format!(": {pur}"));
            }
            lines.push(l);
        }
        for p in case
            .products
            .iter()
            .filter(|p| !ps.iter().any(|q| q.name == p.name))
        {
            lines.push(format!("{} (version {})", p.name, p.version));
        }
        if !case.releases.is_empty() {
            let rel: Vec<String> = case
                .releases
                .iter()
                .map(|r| format!("{} {}", r.product, r.version))
                .collect();
            lines.push(format!("Affected releases: {}", rel.join(", ")));
        }
        let data = serde_json::json!({
            "products": case.products.iter().map(|p| serde_json::json!({"name": p.name, "version": p.version, "purl": p.purl})).collect::<Vec<_>>(),
            "affected-releases": case.releases.iter().map(|r| serde_json::json!({"product": r.product, "version": r.version, "purl": r.purl, "evidence": r.evidence})).collect::<Vec<_>>(),
        });
        let missing_releases = case.kind == Kind::Vulnerability && case.releases.is_empty();
        Item::new(
            "product",
            if case.kind == Kind::Vulnerability { "14(2)(b)" } else { "14(4)(b)" },
            "General information about the product concerned (and the affected versions)",
            true,
        )
        .fill(
            (!lines.is_empty() && !missing_releases).then(|| lines.join("\n")),
            "record the affected releases: `cargo cra report new ... --sboms DIR` or `--affected PRODUCT@VERSION`, or [[releases]] in the case file",
        )
        .data(data)
    };
    let sensitivity = Item::new(
        "sensitivity",
        if case.kind == Kind::Vulnerability {
            "14(2)(b)"
        } else {
            "14(4)(b)"
        },
        "How sensitive the manufacturer considers the information",
        true,
    )
    .fill(
        Some(format!("{} (Traffic Light Protocol 2.0)", case.tlp.label())),
        "",
    )
    .data(serde_json::json!(case.tlp.label()));
    let severity_text = case.text("severity").map(str::to_string).or_else(|| {
        let a = case.advisory.as_ref()?;
        match (&a.severity, a.cvss_score, &a.cvss) {
            (Some(s), Some(sc), Some(v)) => Some(format!("{s} (CVSS base score {sc:.1}, {v})")),
            (Some(s), _, _) => Some(s.clone()),
            _ => None,
        }
    });
    let description_text = case.text("description").map(str::to_string).or_else(|| {
        case.advisory
            .as_ref()
            .and_then(|a| a.description.clone())
            .filter(|_| case.kind == Kind::Vulnerability)
    });

    match (case.kind, step) {
        (Kind::Vulnerability, Step::EarlyWarning) => {
            out.push(member_states);
        }
        (Kind::Incident, Step::EarlyWarning) => {
            out.push(
                Item::new(
                    "suspected-malicious",
                    "14(4)(a)",
                    "Whether the incident is suspected of being caused by unlawful or malicious acts",
                    true,
                )
                .fill(
                    case.text("suspected-malicious").map(|v| match v {
                        "yes" => "Yes: suspected to be caused by unlawful or malicious acts.".to_string(),
                        "no" => "No: not suspected to be caused by unlawful or malicious acts.".to_string(),
                        other => format!("Not known yet ({other})."),
                    }),
                    set_hint(case, "suspected-malicious"),
                ),
            );
            out.push(member_states);
        }
        (Kind::Vulnerability, Step::Notification) => {
            out.push(product_info);
            out.push(
                Item::new(
                    "exploit-nature",
                    "14(2)(b)",
                    "General nature of the exploit",
                    true,
                )
                .fill(
                    case.text("exploit-nature").map(str::to_string),
                    set_hint(case, "exploit-nature"),
                ),
            );
            out.push(
                Item::new(
                    "vulnerability-nature",
                    "14(2)(b)",
                    "General nature of the vulnerability concerned",
                    true,
                )
                .fill(
                    case.text("vulnerability-nature")
                        .map(str::to_string)
                        .or_else(|| {
                            let a = case.advisory.as_ref()?;
                            match (&a.title, &a.description) {
                                (Some(tt), Some(d)) => Some(format!("{tt}\n\n{d}")),
                                (Some(tt), None) => Some(tt.clone()),
                                (None, d) => d.clone(),
                            }
                        }),
                    set_hint(case, "vulnerability-nature"),
                ),
            );
            out.push(
                Item::new(
                    "measures-taken",
                    "14(2)(b)",
                    "Corrective or mitigating measures taken",
                    true,
                )
                .fill(measures_taken, set_hint(case, "measures-taken")),
            );
            out.push(
                Item::new("user-measures", "14(2)(b)", "Corrective or mitigating measures that users can take", true).fill(
                    user_measures,
                    format!("`cargo cra report mitigation {} \"...\"` or `cargo cra report fix {} --fixed-in VERSION`", case.id, case.id),
                ),
            );
            out.push(sensitivity);
        }
        (Kind::Incident, Step::Notification) => {
            out.push(product_info);
            out.push(
                Item::new(
                    "incident-nature",
                    "14(4)(b)",
                    "General information about the nature of the incident",
                    true,
                )
                .fill(
                    case.text("incident-nature").map(str::to_string),
                    set_hint(case, "incident-nature"),
                ),
            );
            out.push(
                Item::new(
                    "initial-assessment",
                    "14(4)(b)",
                    "Initial assessment of the incident",
                    true,
                )
                .fill(
                    case.text("initial-assessment").map(str::to_string),
                    set_hint(case, "initial-assessment"),
                ),
            );
            out.push(
                Item::new(
                    "measures-taken",
                    "14(4)(b)",
                    "Corrective or mitigating measures taken",
                    true,
                )
                .fill(measures_taken, set_hint(case, "measures-taken")),
            );
            out.push(
                Item::new(
                    "user-measures",
                    "14(4)(b)",
                    "Corrective or mitigating measures that users can take",
                    true,
                )
                .fill(
                    user_measures,
                    format!("`cargo cra report mitigation {} \"...\"`", case.id),
                ),
            );
            out.push(sensitivity);
        }
        (kind, Step::Final) => {
            let (art_i, art_ii, art_iii) = if kind == Kind::Vulnerability {
                ("14(2)(c)(i)", "14(2)(c)(ii)", "14(2)(c)(iii)")
            } else {
                ("14(4)(c)(i)", "14(4)(c)(ii)", "14(4)(c)(iii)")
            };
            out.push(product_info);
            out.push(
                Item::new(
                    "description",
                    art_i,
                    if kind == Kind::Vulnerability {
                        "Description of the vulnerability"
                    } else {
                        "Detailed description of the incident"
                    },
                    true,
                )
                .fill(description_text, set_hint(case, "description")),
            );
            out.push(
                Item::new("severity", art_i, "Severity", true)
                    .fill(severity_text, set_hint(case, "severity"))
                    .data(serde_json::json!(case.advisory.as_ref().map(
                        |a| serde_json::json!({
                            "cvss": a.cvss, "score": a.cvss_score, "severity": a.severity
                        })
                    ))),
            );
            out.push(Item::new("impact", art_i, "Impact", true).fill(
                case.text("impact").map(str::to_string),
                set_hint(case, "impact"),
            ));
            if kind == Kind::Vulnerability {
                out.push(
                    Item::new(
                        "malicious-actor",
                        art_ii,
                        "Information concerning any malicious actor that has exploited or is exploiting the vulnerability (where available)",
                        true,
                    )
                    .fill(case.text("malicious-actor").map(str::to_string), format!("{} (write `none known` if nothing is known)", set_hint(case, "malicious-actor"))),
                );
                let update = case
                    .fix
                    .as_ref()
                    .map(|f| {
                        let mut s = measures_taken.clone().unwrap_or_default();
                        if let Some(d) = &f.description {
                            s.push_str(&format!("\n{d}"));
                        }
                        if let Some(u) = &f.url {
                            s.push_str(&format!("\nAvailable from {u}."));
                        }
                        if !case.mitigations.is_empty() {
                            s.push_str("\nMitigations: ");
                            s.push_str(
                                &case
                                    .mitigations
                                    .iter()
                                    .map(|m| m.text.as_str())
                                    .collect::<Vec<_>>()
                                    .join(" "),
                            );
                        }
                        s.trim().to_string()
                    })
                    .or_else(|| {
                        (!case.mitigations.is_empty()).then(|| {
                            format!(
                                "Mitigating measures: {}",
                                case.mitigations
                                    .iter()
                                    .map(|m| m.text.as_str())
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            )
                        })
                    });
                out.push(
                    Item::new(
                        "security-update",
                        art_iii,
                        "Details about the security update or other corrective measures that have been made available",
                        true,
                    )
                    .fill(update, format!("`cargo cra report fix {} --fixed-in VERSION --available-at TIME`", case.id))
                    .data(serde_json::json!(case.fix.as_ref().map(|f| serde_json::json!({
                        "available-at": t::rfc3339(f.available_at),
                        "fixed-in": f.versions.iter().map(|v| serde_json::json!({"product": v.product, "version": v.version})).collect::<Vec<_>>(),
                        "url": f.url,
                    })))),
                );
            } else {
                out.push(
                    Item::new("root-cause", art_ii, "The type of threat or root cause that is likely to have triggered the incident", true)
                        .fill(case.text("root-cause").map(str::to_string), set_hint(case, "root-cause")),
                );
                out.push(
                    Item::new(
                        "ongoing-mitigations",
                        art_iii,
                        "Applied and ongoing mitigation measures",
                        true,
                    )
                    .fill(
                        case.text("ongoing-mitigations")
                            .map(str::to_string)
                            .or_else(|| {
                                let mut v: Vec<String> =
                                    measures_taken.clone().into_iter().collect();
                                v.extend(case.mitigations.iter().map(|m| m.text.clone()));
                                (!v.is_empty()).then(|| v.join("\n"))
                            }),
                        set_hint(case, "ongoing-mitigations"),
                    ),
                );
            }
        }
    }
    // Null `data` is noise in JSON.
    for i in &mut out {
        if i.data.as_ref().is_some_and(serde_json::Value::is_null) {
            i.data = None;
        }
    }
    out
}

fn article(kind: Kind, step: Step) -> &'static str {
    match (kind, step) {
        (Kind::Vulnerability, Step::EarlyWarning) => "14(2)(a)",
        (Kind::Vulnerability, Step::Notification) => "14(2)(b)",
        (Kind::Vulnerability, Step::Final) => "14(2)(c)",
        (Kind::Incident, Step::EarlyWarning) => "14(4)(a)",
        (Kind::Incident, Step::Notification) => "14(4)(b)",
        (Kind::Incident, Step::Final) => "14(4)(c)",
    }
}

/// Builds the draft.
pub fn build(
    case: &Case,
    step: Step,
    products: &[ProductInfo],
    now: ::time::OffsetDateTime,
) -> Draft {
    let items = items(case, step, products);
    let missing: Vec<&'static str> = items.iter().filter(|i| i.missing()).map(|i| i.id).collect();
    let sub = case.submission(step);
    Draft {
        format_version: 1,
        case: case.id.clone(),
        kind: case.kind.as_str(),
        report: step.as_str(),
        report_title: step.title(case.kind),
        article: article(case.kind, step),
        title: case.title.clone(),
        due: deadline::deadlines(case)[step.index()].map(t::rfc3339),
        submitted_at: sub.map(|s| t::rfc3339(s.at)),
        reference: sub.and_then(|s| s.reference.clone()),
        tlp: case.tlp.label(),
        generated_at: t::rfc3339(now),
        complete: missing.is_empty(),
        missing,
        items,
    }
}

/// Renders the draft as Markdown.
pub fn markdown(d: &Draft, kind: Kind) -> String {
    let mut s = format!("# {}: {}\n\n", d.report_title, d.title);
    s.push_str(&format!(
        "**{}** · CRA Art. {} ({}) · case `{}`\n\n",
        d.tlp,
        d.article,
        if kind == Kind::Vulnerability {
            "actively exploited vulnerability"
        } else {
            "severe incident"
        },
        d.case
    ));
    s.push_str(&match (&d.submitted_at, &d.due) {
        (Some(at), _) => format!(
            "Submitted {at}{}.\n\n",
            d.reference
                .as_deref()
                .map(|r| format!(", reference {r}"))
                .unwrap_or_default()
        ),
        (None, Some(due)) => format!("Due {due} (UTC). Draft of {}.\n\n", d.generated_at),
        (None, None) => format!(
            "Due: {}. Draft of {}.\n\n",
            deadline::pending_reason(kind, Step::parse(d.report).unwrap_or(Step::Final)),
            d.generated_at
        ),
    });
    if !d.missing.is_empty() {
        s.push_str(&format!(
            "> **{} required item{} missing:** {}\n\n",
            d.missing.len(),
            if d.missing.len() == 1 { "" } else { "s" },
            d.missing.join(", ")
        ));
    }
    for i in &d.items {
        let art = if i.article.starts_with(|c: char| c.is_ascii_digit()) {
            format!("Art. {}", i.article)
        } else {
            i.article.to_string()
        };
        s.push_str(&format!("## {}\n\n*{art}* · `{}`\n\n", i.label, i.id));
        match (&i.text, &i.todo) {
            (Some(text), _) => {
                s.push_str(text.trim_end());
                s.push_str("\n\n");
            }
            (None, Some(todo)) => s.push_str(&format!("**TODO:** {todo}\n\n")),
            (None, None) => s.push_str("**TODO**\n\n"),
        }
    }
    s
}

/// Runs `report draft`.
pub fn run(a: &DraftArgs, printer: &Printer) -> Result<u8> {
    let (root, policy) = info::root_and_policy(&a.ws)?;
    let c = case::find(&root, &a.case)?;
    let products = info::products(&a.ws, &policy)?;
    let now = crate::now()?;
    let step = a.step.step();
    let d = build(&c, step, &products, now);
    let text = match a.format {
        DraftFormat::Md => markdown(&d, c.kind),
        DraftFormat::Json => {
            let mut j = serde_json::to_string_pretty(&d)
                .map_err(|e| Error::other(format!("failed to serialize the draft: {e}")))?;
            j.push('\n');
            j
        }
    };
    match &a.output {
        Some(p) => {
            crate::fsutil::write_atomic(p, text.as_bytes())?;
            printer.status("Wrote", crate::output::display_path(p));
        }
        None => print!("{text}"),
    }
    for i in d.items.iter().filter(|i| i.missing()) {
        printer.warn(format!(
            "{} of `{}`: `{}` (Art. {}) is missing: {}",
            step.as_str(),
            c.id,
            i.id,
            i.article,
            i.todo.as_deref().unwrap_or("fill it in")
        ));
    }
    Ok(if a.strict && !d.complete {
        ExitCode::VIOLATION
    } else {
        ExitCode::SUCCESS
    })
}
