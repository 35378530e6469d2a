//! CRA product metadata check: every product (a workspace member with a binary target, or the
//! members `[product] members` names) must declare what the CRA asks a manufacturer to
//! publish (Annex II, Art. 13(8), Annex I Part II (5)-(6)), in `[package.metadata.cra]`, each
//! key inheriting from `[workspace.metadata.cra]`. Every missing or invalid field is its own
//! diagnostic, pointing at the manifest and showing the TOML to add.

use super::CheckCtx;
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::error::Result;
use crate::policy::Validator;
use crate::workspace::Workspace;
use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// `[product]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    min_support_years: Option<Spanned<i64>>,
    members: Option<Vec<Spanned<String>>>,
}

/// `[product]`, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Minimum support period in years.
    pub min_support_years: u32,
    /// Explicit product members (names), with their spans in the policy.
    pub members: Option<Vec<(String, Range<usize>)>>,
}

impl Config {
    /// Validates the raw section.
    pub fn validate(raw: RawConfig, v: &mut Validator<'_>) -> Config {
        let min_support_years = match raw.min_support_years {
            Some(n) if !(0..=100).contains(n.get_ref()) => {
                v.error(n.span(), "`min-support-years` must be between 0 and 100");
                5
            }
            Some(n) => *n.get_ref() as u32,
            None => 5,
        };
        let members = raw.members.map(|m| {
            m.into_iter()
                .map(|s| {
                    let sp = s.span();
                    (s.into_inner(), sp)
                })
                .collect()
        });
        Config {
            min_support_years,
            members,
        }
    }
}

/// The keys `[package.metadata.cra]` knows.
pub const KEYS: &[&str] = &[
    "manufacturer",
    "security-contact",
    "vulnerability-disclosure-policy",
    "support-end",
    "support-period-justification",
    "release-date",
    "product-class",
    "intended-purpose",
    "declaration-of-conformity",
    "sbom-url",
    "markets",
    "main-establishment",
];

/// The EU Member States by ISO 3166-1 alpha-2 code, with their English names: the values
/// `markets` and `main-establishment` take (CRA Art. 14(2)(a), 14(7)).
pub const MEMBER_STATES: &[(&str, &str)] = &[
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GR", "Greece"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SE", "Sweden"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
];

/// The English name of a Member State code (`None` when `code` is not one).
pub fn member_state_name(code: &str) -> Option<&'static str> {
    MEMBER_STATES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

/// Why `code` is not a Member State code, with what to write instead.
fn member_state_problem(code: &str) -> String {
    let upper = code.to_ascii_uppercase();
    if upper != code && member_state_name(&upper).is_some() {
        return format!("`{code}` must be written in capitals: `{upper}`");
    }
    match upper.as_str() {
        "EL" => {
            "`EL` is the EU's own abbreviation for Greece; the ISO 3166 code is `GR`".to_string()
        }
        "UK" | "GB" => format!("`{code}` is not an EU Member State"),
        _ => format!("`{code}` is not the ISO 3166-1 alpha-2 code of an EU Member State"),
    }
}

/// Checks a `markets` value: `["EU"]` (every Member State) or a list of Member State codes.
/// Returns the codes it stands for, or what is wrong.
pub fn parse_markets(v: &serde_json::Value) -> std::result::Result<Vec<String>, String> {
    let Some(items) = v.as_array() else {
        return Err(format!(
            "`markets` must be an array of strings, found {}",
            json_type(v)
        ));
    };
    if items.is_empty() {
        return Err("`markets` is empty: list the Member States where the product is made available, or `[\"EU\"]`".to_string());
    }
    let mut codes = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        let Some(code) = item.as_str() else {
            problems.push(format!(
                "`markets` must hold strings, found {}",
                json_type(item)
            ));
            continue;
        };
        if code == "EU" {
            if items.len() > 1 {
                problems.push(
                    "`EU` already stands for every Member State: write `[\"EU\"]` alone"
                        .to_string(),
                );
            }
            codes.extend(MEMBER_STATES.iter().map(|(c, _)| c.to_string()));
        } else if member_state_name(code).is_some() {
            if codes.iter().any(|c| c == code) {
                problems.push(format!("`{code}` is listed twice"));
            }
            codes.push(code.to_string());
        } else {
            problems.push(member_state_problem(code));
        }
    }
    if !problems.is_empty() {
        problems.dedup();
        return Err(problems.join("; "));
    }
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// Checks a `main-establishment` value: one Member State code.
pub fn parse_main_establishment(v: &serde_json::Value) -> std::result::Result<String, String> {
    match v.as_str() {
        Some("EU") => Err("`main-establishment` is one Member State (the one whose CSIRT coordinates, CRA Art. 14(7)), not `EU`".to_string()),
        Some(code) if member_state_name(code).is_some() => Ok(code.to_string()),
        Some(code) => Err(member_state_problem(code)),
        None => Err(format!("`main-establishment` must be a string, found {}", json_type(v))),
    }
}

/// Product classes (CRA Annex III and IV).
pub const PRODUCT_CLASSES: &[&str] = &[
    "default",
    "important-class-1",
    "important-class-2",
    "critical",
];

/// The manufacturer (CRA Annex II (1)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manufacturer {
    /// Name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Website.
    pub url: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// A product's CRA metadata after inheritance (values as written; the check validates them).
#[derive(Debug, Clone, Default)]
pub struct ProductMeta {
    /// Manufacturer.
    pub manufacturer: Option<Manufacturer>,
    /// Single point of contact for vulnerability reports.
    pub security_contact: Option<String>,
    /// CVD policy URL or path.
    pub vulnerability_disclosure_policy: Option<String>,
    /// End of the support period as written.
    pub support_end: Option<String>,
    /// End of the support period as a date (`YYYY-MM` means the month's last day).
    pub support_end_date: Option<time::Date>,
    /// Why a shorter support period is justified.
    pub support_period_justification: Option<String>,
    /// Release date as written.
    pub release_date: Option<String>,
    /// Product class.
    pub product_class: Option<String>,
    /// Intended purpose.
    pub intended_purpose: Option<String>,
    /// URL of the EU declaration of conformity.
    pub declaration_of_conformity: Option<String>,
    /// Where the SBOM is published.
    pub sbom_url: Option<String>,
    /// Member States where the product is made available (ISO 3166 codes; `["EU"]` expanded
    /// to all of them); `None` when missing or invalid.
    pub markets: Option<Vec<String>>,
    /// `markets` exactly as written (`EU` kept), when it is valid.
    pub markets_written: Option<Vec<String>>,
    /// Member State of the main establishment (decides the coordinating CSIRT); `None` when
    /// missing or invalid.
    pub main_establishment: Option<String>,
}

/// Where a key's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Package,
    Workspace,
}

fn cra_table(v: Option<&serde_json::Value>) -> Option<&serde_json::Map<String, serde_json::Value>> {
    v?.get("cra")?.as_object()
}

/// Looks a key up in the package's table, then the workspace's.
fn lookup<'a>(
    pkg: Option<&'a serde_json::Map<String, serde_json::Value>>,
    ws: Option<&'a serde_json::Map<String, serde_json::Value>>,
    key: &str,
) -> Option<(&'a serde_json::Value, Origin)> {
    pkg.and_then(|t| t.get(key))
        .map(|v| (v, Origin::Package))
        .or_else(|| ws.and_then(|t| t.get(key)).map(|v| (v, Origin::Workspace)))
}

/// A `manufacturer` table's fields (values as written).
fn manufacturer_of(v: &serde_json::Value) -> Option<Manufacturer> {
    let m = v.as_object()?;
    let f = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_string);
    Some(Manufacturer {
        name: f("name"),
        email: f("email"),
        url: f("url"),
        address: f("address"),
    })
}

/// The manufacturer a package declares in its own `[package.metadata.cra]` (no
/// inheritance): the creator of a first-party library that names its own.
pub fn package_manufacturer(pkg: &cargo_metadata::Package) -> Option<Manufacturer> {
    manufacturer_of(cra_table(Some(&pkg.metadata))?.get("manufacturer")?)
}

/// Reads a product's CRA metadata (with `[workspace.metadata.cra]` inheritance).
pub fn product_metadata(ws: &Workspace, pkg: &cargo_metadata::Package) -> ProductMeta {
    metadata_of(ws.workspace_metadata(), pkg)
}

/// Reads a package's CRA metadata given the `[workspace.metadata]` table (as `cargo
/// metadata` reports it), for callers that ran `cargo metadata --no-deps` themselves.
pub fn metadata_of(
    workspace_metadata: Option<&serde_json::Value>,
    pkg: &cargo_metadata::Package,
) -> ProductMeta {
    let p = cra_table(Some(&pkg.metadata));
    let w = cra_table(workspace_metadata);
    let s = |k: &str| {
        lookup(p, w, k)
            .and_then(|(v, _)| v.as_str())
            .map(str::to_string)
    };
    let manufacturer = lookup(p, w, "manufacturer").and_then(|(v, _)| manufacturer_of(v));
    let support_end = s("support-end");
    ProductMeta {
        manufacturer,
        security_contact: s("security-contact"),
        vulnerability_disclosure_policy: s("vulnerability-disclosure-policy"),
        support_end_date: support_end.as_deref().and_then(parse_end_date),
        support_end,
        support_period_justification: s("support-period-justification"),
        release_date: s("release-date"),
        product_class: s("product-class"),
        intended_purpose: s("intended-purpose"),
        declaration_of_conformity: s("declaration-of-conformity"),
        sbom_url: s("sbom-url"),
        markets: lookup(p, w, "markets").and_then(|(v, _)| parse_markets(v).ok()),
        markets_written: lookup(p, w, "markets")
            .filter(|(v, _)| parse_markets(v).is_ok())
            .and_then(|(v, _)| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            }),
        main_establishment: lookup(p, w, "main-establishment")
            .and_then(|(v, _)| parse_main_establishment(v).ok()),
    }
}

/// Whether a package is a product by default (when `[product] members` is not set): a
/// workspace member with a binary target.
pub fn is_default_product(pkg: &cargo_metadata::Package) -> bool {
    pkg.targets.iter().any(|t| t.is_bin())
}

/// `YYYY-MM-DD`, or `YYYY-MM` meaning the last day of that month.
pub fn parse_end_date(s: &str) -> Option<time::Date> {
    if let Some(d) = crate::policy::parse_date(s) {
        return Some(d);
    }
    let (y, m) = parse_year_month(s)?;
    time::Date::from_calendar_date(y, m, m.length(y)).ok()
}

/// `YYYY-MM-DD`, or `YYYY-MM` meaning the first day of that month.
pub fn parse_start_date(s: &str) -> Option<time::Date> {
    if let Some(d) = crate::policy::parse_date(s) {
        return Some(d);
    }
    let (y, m) = parse_year_month(s)?;
    time::Date::from_calendar_date(y, m, 1).ok()
}

fn parse_year_month(s: &str) -> Option<(i32, time::Month)> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    Some((y, time::Month::try_from(m).ok()?))
}

/// `date` plus `years` (29 February maps to 28 February).
fn add_years(date: time::Date, years: u32) -> time::Date {
    let y = date.year() + years as i32;
    time::Date::from_calendar_date(y, date.month(), date.day())
        .or_else(|_| time::Date::from_calendar_date(y, date.month(), date.day() - 1))
        .unwrap_or(date)
}

/// Indices (into the graph) of the workspace members that are products, and diagnostics for
/// `[product] members` entries that name no member.
pub fn products(
    ws: &Workspace,
    cfg: &Config,
    policy_path: Option<&Utf8Path>,
    sink: Option<&mut Diagnostics>,
) -> Vec<usize> {
    let g = &ws.graph;
    let members: Vec<usize> = (0..g.pkgs.len()).filter(|&i| g.pkgs[i].is_member).collect();
    match &cfg.members {
        Some(names) => {
            let mut out = Vec::new();
            let mut unknown = Vec::new();
            for (name, span) in names {
                let found: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| &g.pkgs[i].name == name)
                    .collect();
                if found.is_empty() {
                    unknown.push((name, span));
                }
                out.extend(found);
            }
            if let (Some(sink), Some(pp)) = (sink, policy_path) {
                for (name, span) in unknown {
                    sink.push(
                        Diagnostic::error(Code::ProductMemberUnknown, format!("`[product] members` names `{name}`, which is not a workspace member"))
                            .with_label(pp.to_path_buf(), span.clone(), "no such member"),
                    );
                }
            }
            out.sort_unstable();
            out.dedup();
            out
        }
        None => members
            .into_iter()
            .filter(|&i| ws.meta_pkg(&g.pkgs[i]).is_some_and(is_default_product))
            .collect(),
    }
}

/// Spans of keys in a manifest, for labels.
struct ManifestSpans {
    path: Utf8PathBuf,
    text: String,
}

impl ManifestSpans {
    fn load(path: &Utf8Path) -> Option<Self> {
        Some(ManifestSpans {
            path: path.to_path_buf(),
            text: std::fs::read_to_string(path).ok()?,
        })
    }

    /// Span of the value at `keys` (e.g. `["package", "metadata", "cra", "support-end"]`).
    fn value(&self, keys: &[&str]) -> Option<Range<usize>> {
        let doc = toml::de::DeTable::parse(&self.text).ok()?;
        let mut cur: &toml::de::DeTable<'_> = doc.get_ref();
        let mut span = None;
        for (i, k) in keys.iter().enumerate() {
            let v = cur.get(*k)?;
            span = Some(v.span());
            if i + 1 < keys.len() {
                match v.get_ref() {
                    toml::de::DeValue::Table(t) => cur = t,
                    _ => return None,
                }
            }
        }
        span
    }

    /// Span of a key's name (for section headers), found textually as a fallback.
    fn header(&self, header: &str) -> Option<Range<usize>> {
        let start = self.text.find(header)?;
        Some(start..start + header.len())
    }
}

struct ProductCheck<'a, 'b> {
    sink: &'a mut Diagnostics,
    pkg: &'b crate::workspace::Pkg,
    member: Option<ManifestSpans>,
    root: Option<ManifestSpans>,
    pkg_table: Option<&'b serde_json::Map<String, serde_json::Value>>,
    ws_table: Option<&'b serde_json::Map<String, serde_json::Value>>,
}

impl ProductCheck<'_, '_> {
    /// The label for `key`: its value where it is written, else the section to add it to.
    fn label(&mut self, key: &str) -> Option<(Utf8PathBuf, Range<usize>, &'static str)> {
        match lookup(self.pkg_table, self.ws_table, key).map(|(_, o)| o) {
            Some(Origin::Package) => {
                let m = self.member.as_ref()?;
                m.value(&["package", "metadata", "cra", key])
                    .map(|s| (m.path.clone(), s, "set here"))
            }
            Some(Origin::Workspace) => {
                let m = self.root.as_ref()?;
                m.value(&["workspace", "metadata", "cra", key])
                    .map(|s| (m.path.clone(), s, "inherited from here"))
            }
            None => {
                let m = self.member.as_ref()?;
                let span = m
                    .header("[package.metadata.cra]")
                    .or_else(|| m.header("[package]"))
                    .or_else(|| m.value(&["package"]))?;
                Some((m.path.clone(), span, "add it to this package's metadata"))
            }
        }
    }

    fn emit(
        &mut self,
        code: Code,
        severity: Severity,
        key: &str,
        message: String,
        toml_line: &str,
    ) {
        let mut d = Diagnostic::new(code, severity, message).with_package(self.pkg.to_ref());
        if let Some((path, span, msg)) = self.label(key) {
            self.sink.load_source(&path);
            d = d.with_label(path, span, msg);
        }
        d = d.with_note(format!(
            "help: in [package.metadata.cra] (or [workspace.metadata.cra]):\n{toml_line}"
        ));
        self.sink.push(d);
    }
}

fn is_https(s: &str) -> bool {
    s.strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
}

/// Runs the product metadata check for the selected products.
pub fn check(ctx: &CheckCtx<'_>, sink: &mut Diagnostics) -> Result<()> {
    let ws = ctx.ws;
    let cfg = &ctx.policy.product;
    let products = products(ws, cfg, ctx.policy.path.as_deref(), Some(sink));
    let ws_table = cra_table(ws.workspace_metadata());
    let mut security_txt: Option<super::security_txt::Expect> = None;
    for i in products.into_iter().filter(|i| ws.graph.roots.contains(i)) {
        let pkg = &ws.graph.pkgs[i];
        let Some(meta) = ws.meta_pkg(pkg) else {
            continue;
        };
        // RFC 9116: a web address for reports or the policy calls for a security.txt.
        let pm = product_metadata(ws, meta);
        let web = [
            ("security-contact", &pm.security_contact),
            (
                "vulnerability-disclosure-policy",
                &pm.vulnerability_disclosure_policy,
            ),
        ]
        .into_iter()
        .find_map(|(k, v)| v.as_deref().filter(|v| is_https(v)).map(|v| (k, v)));
        if let Some((key, url)) = web {
            let e = security_txt.get_or_insert_with(|| super::security_txt::Expect {
                contacts: Vec::new(),
                trigger: format!("the `{key}` of `{}` ({url})", meta.name),
            });
            if let Some(c) = &pm.security_contact
                && !e.contacts.contains(c)
            {
                e.contacts.push(c.clone());
            }
        }
        let pkg_table = cra_table(Some(&meta.metadata));
        let mut c = ProductCheck {
            sink: &mut *sink,
            pkg,
            member: ManifestSpans::load(&meta.manifest_path),
            root: ManifestSpans::load(&ws.root_manifest),
            pkg_table,
            ws_table,
        };
        check_product(ctx, &mut c, meta);
    }
    if let Some(expect) = security_txt {
        super::security_txt::check(&ws.root, &expect, crate::now()?, sink);
    }
    Ok(())
}

fn check_product(ctx: &CheckCtx<'_>, c: &mut ProductCheck<'_, '_>, meta: &cargo_metadata::Package) {
    let name = &meta.name;
    if c.pkg_table.is_none() && c.ws_table.is_none() {
        c.emit(
            Code::CraMetadataMissing,
            Severity::Error,
            "",
            format!("product `{name}` has no CRA metadata"),
            crate::commands::init::METADATA_BLOCK.trim_end(),
        );
    }
    // Unknown keys and wrong types.
    for (table, origin) in [
        (c.pkg_table, Origin::Package),
        (c.ws_table, Origin::Workspace),
    ] {
        let Some(t) = table else { continue };
        for k in t.keys() {
            if !KEYS.contains(&k.as_str()) {
                let suggestion = KEYS
                    .iter()
                    .min_by_key(|known| edit_distance(k, known))
                    .filter(|known| edit_distance(k, known) <= 3);
                let where_ = if origin == Origin::Package {
                    "[package.metadata.cra]"
                } else {
                    "[workspace.metadata.cra]"
                };
                let mut d = Diagnostic::warning(
                    Code::CraUnknownKey,
                    format!("unknown key `{k}` in {where_}"),
                )
                .with_package(c.pkg.to_ref());
                let m = if origin == Origin::Package {
                    c.member.as_ref()
                } else {
                    c.root.as_ref()
                };
                let sec = if origin == Origin::Package {
                    "package"
                } else {
                    "workspace"
                };
                if let Some(m) = m
                    && let Some(span) = m.value(&[sec, "metadata", "cra", k])
                {
                    c.sink.load_source(&m.path);
                    d = d.with_label(m.path.clone(), span, "unknown key");
                }
                if let Some(s) = suggestion {
                    d = d.with_note(format!("help: did you mean `{s}`?"));
                }
                c.sink.push(d);
            }
        }
    }
    for key in KEYS
        .iter()
        .filter(|k| !["manufacturer", "markets"].contains(*k))
    {
        if let Some((v, _)) = lookup(c.pkg_table, c.ws_table, key)
            && !v.is_string()
        {
            c.emit(
                Code::CraFieldWrongType,
                Severity::Error,
                key,
                format!("`{key}` must be a string, found {}", json_type(v)),
                &format!("{key} = \"...\""),
            );
        }
    }
    let pm = product_metadata(ctx.ws, meta);

    // Manufacturer (Annex II (1)).
    match lookup(c.pkg_table, c.ws_table, "manufacturer") {
        None => c.emit(
            Code::CraManufacturerMissing,
            Severity::Error,
            "manufacturer",
            format!("product `{name}` names no manufacturer (CRA Annex II (1))"),
            r#"manufacturer = { name = "Example GmbH", email = "security@example.com", url = "https://example.com", address = "Street 1, 10115 Berlin, DE" }"#,
        ),
        Some((v, _)) if !v.is_object() => c.emit(
            Code::CraFieldWrongType,
            Severity::Error,
            "manufacturer",
            format!("`manufacturer` must be a table, found {}", json_type(v)),
            r#"manufacturer = { name = "Example GmbH", email = "security@example.com" }"#,
        ),
        Some(_) => {
            let m = pm.manufacturer.clone().unwrap_or_default();
            let mut problems = Vec::new();
            if m.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                problems.push("a `name`".to_string());
            }
            if m.email.is_none() && m.url.is_none() {
                problems.push("an `email` or a `url`".to_string());
            }
            if let Some(e) = &m.email
                && !is_email(e) {
                    problems.push(format!("a valid `email` (`{e}` is not an email address)"));
                }
            if let Some(u) = &m.url
                && !is_https(u) && !u.starts_with("http://") {
                    problems.push(format!("a valid `url` (`{u}` is not an http(s) URL)"));
                }
            if !problems.is_empty() {
                c.emit(
                    Code::CraManufacturerInvalid,
                    Severity::Error,
                    "manufacturer",
                    format!("the manufacturer of `{name}` needs {}", problems.join(" and ")),
                    r#"manufacturer = { name = "Example GmbH", email = "security@example.com", url = "https://example.com" }"#,
                );
            } else if m.address.is_none() {
                c.emit(
                    Code::CraManufacturerInvalid,
                    Severity::Warning,
                    "manufacturer",
                    format!("the manufacturer of `{name}` has no postal `address` (CRA Annex II (1) asks for it)"),
                    r#"manufacturer = { ..., address = "Street 1, 10115 Berlin, DE" }"#,
                );
            }
        }
    }

    // Security contact (Annex II (2)).
    match &pm.security_contact {
        None if lookup(c.pkg_table, c.ws_table, "security-contact").is_none() => c.emit(
            Code::CraSecurityContactMissing,
            Severity::Error,
            "security-contact",
            format!("product `{name}` has no `security-contact` for vulnerability reports (CRA Annex II (2))"),
            r#"security-contact = "mailto:security@example.com""#,
        ),
        Some(s) if !(s.strip_prefix("mailto:").is_some_and(is_email) || is_https(s)) => c.emit(
            Code::CraSecurityContactInvalid,
            Severity::Error,
            "security-contact",
            format!("`security-contact` of `{name}` must be a `mailto:` or `https:` URL, found `{s}`"),
            r#"security-contact = "mailto:security@example.com""#,
        ),
        _ => {}
    }

    // Coordinated vulnerability disclosure policy (Annex I Part II (5)).
    match &pm.vulnerability_disclosure_policy {
        None if lookup(c.pkg_table, c.ws_table, "vulnerability-disclosure-policy").is_none() => c.emit(
            Code::CraDisclosurePolicyMissing,
            Severity::Error,
            "vulnerability-disclosure-policy",
            format!("product `{name}` has no `vulnerability-disclosure-policy` (CRA Annex I Part II (5))"),
            r#"vulnerability-disclosure-policy = "SECURITY.md""#,
        ),
        Some(s) if !is_https(s) => {
            let origin = lookup(c.pkg_table, c.ws_table, "vulnerability-disclosure-policy").map(|(_, o)| o);
            let base = if origin == Some(Origin::Workspace) {
                ctx.ws.root.clone()
            } else {
                meta.manifest_path.parent().map(Utf8Path::to_path_buf).unwrap_or_default()
            };
            let exists = if s.contains("://") { false } else { base.join(s).is_file() };
            if !exists {
                c.emit(
                    Code::CraDisclosurePolicyInvalid,
                    Severity::Error,
                    "vulnerability-disclosure-policy",
                    format!("`vulnerability-disclosure-policy` of `{name}` is neither an https URL nor an existing file: `{s}` (looked in {base})"),
                    r#"vulnerability-disclosure-policy = "SECURITY.md"   # or "https://example.com/security""#,
                );
            }
        }
        _ => {}
    }

    // Support period (Annex II (7), Art. 13(8)).
    let release = match &pm.release_date {
        Some(r) => match parse_start_date(r) {
            Some(d) => Some(d),
            None => {
                c.emit(
                    Code::CraReleaseDateInvalid,
                    Severity::Error,
                    "release-date",
                    format!(
                        "`release-date` of `{name}` must be YYYY-MM-DD or YYYY-MM, found `{r}`"
                    ),
                    r#"release-date = "2026-12-01""#,
                );
                None
            }
        },
        None => None,
    };
    match (&pm.support_end, pm.support_end_date) {
        (None, _) if lookup(c.pkg_table, c.ws_table, "support-end").is_none() => c.emit(
            Code::CraSupportEndMissing,
            Severity::Error,
            "support-end",
            format!("product `{name}` declares no end of its support period (CRA Annex II (7))"),
            &{
                // The earliest end that satisfies the policy, as YYYY-MM (month and year: CRA
                // Annex II (7)).
                let end = add_years(
                    release.unwrap_or(ctx.today),
                    ctx.policy.product.min_support_years,
                );
                format!(
                    "support-end = \"{:04}-{:02}\"",
                    end.year(),
                    end.month() as u8
                )
            },
        ),
        (Some(s), None) => c.emit(
            Code::CraSupportEndInvalid,
            Severity::Error,
            "support-end",
            format!("`support-end` of `{name}` must be YYYY-MM or YYYY-MM-DD, found `{s}`"),
            r#"support-end = "2031-12""#,
        ),
        (Some(_), Some(end)) => {
            let years = ctx.policy.product.min_support_years;
            let from = release.unwrap_or(ctx.today);
            let needed = add_years(from, years);
            let justified = pm
                .support_period_justification
                .as_deref()
                .is_some_and(|j| !j.trim().is_empty());
            // The end month counts in full: "2031-12" covers a release on 2026-12-15.
            let end_month_last = time::Date::from_calendar_date(
                end.year(),
                end.month(),
                end.month().length(end.year()),
            )
            .unwrap_or(end);
            if end_month_last < needed && !justified {
                let base = if release.is_some() {
                    "release-date"
                } else {
                    "today"
                };
                c.emit(
                    Code::CraSupportPeriodTooShort,
                    Severity::Error,
                    "support-end",
                    format!(
                        "the support period of `{name}` ends {end}, less than {years} years after {base} ({from}); the CRA expects at least {years} years unless the product is expected to be used for less"
                    ),
                    &format!(
                        "support-end = \"{:04}-{:02}\"\n# or, when the expected use is shorter (CRA Art. 13(8)):\nsupport-period-justification = \"...\"",
                        needed.year(),
                        needed.month() as u8
                    ),
                );
            }
        }
        _ => {}
    }

    // Product class (Annex III/IV).
    match &pm.product_class {
        None if lookup(c.pkg_table, c.ws_table, "product-class").is_none() => c.emit(
            Code::CraProductClassMissing,
            Severity::Error,
            "product-class",
            format!("product `{name}` declares no `product-class` (CRA Annex III/IV decide the conformity route)"),
            r#"product-class = "default"   # or important-class-1, important-class-2, critical"#,
        ),
        Some(s) if !PRODUCT_CLASSES.contains(&s.as_str()) => c.emit(
            Code::CraProductClassInvalid,
            Severity::Error,
            "product-class",
            format!("`product-class` of `{name}` must be one of {}, found `{s}`", PRODUCT_CLASSES.join(", ")),
            r#"product-class = "default""#,
        ),
        _ => {}
    }

    // Intended purpose.
    match &pm.intended_purpose {
        Some(s) if !s.trim().is_empty() => {}
        Some(_) => c.emit(
            Code::CraIntendedPurposeMissing,
            Severity::Error,
            "intended-purpose",
            format!("`intended-purpose` of `{name}` is empty"),
            r#"intended-purpose = "What the product is for, in one sentence""#,
        ),
        None if lookup(c.pkg_table, c.ws_table, "intended-purpose").is_none() => c.emit(
            Code::CraIntendedPurposeMissing,
            Severity::Error,
            "intended-purpose",
            format!("product `{name}` declares no `intended-purpose`"),
            r#"intended-purpose = "What the product is for, in one sentence""#,
        ),
        None => {}
    }

    // Where the product is made available (Art. 14(2)(a): the early warning names the
    // Member States) and the main establishment (Art. 14(7): its CSIRT coordinates).
    match lookup(c.pkg_table, c.ws_table, "markets") {
        None => c.emit(
            Code::CraMarketsMissing,
            Severity::Warning,
            "markets",
            format!("product `{name}` does not say in which Member States it is made available (`markets`; an Art. 14 early warning names them)"),
            r#"markets = ["EU"]   # or the ISO 3166 codes, e.g. ["DE", "AT", "FR"]"#,
        ),
        Some((v, _)) => {
            if let Err(problem) = parse_markets(v) {
                c.emit(
                    Code::CraMarketsInvalid,
                    Severity::Error,
                    "markets",
                    format!("`markets` of `{name}` is invalid: {problem}"),
                    r#"markets = ["EU"]   # or the ISO 3166 codes, e.g. ["DE", "AT", "FR"]"#,
                );
            }
        }
    }
    match lookup(c.pkg_table, c.ws_table, "main-establishment") {
        None => c.emit(
            Code::CraMainEstablishmentMissing,
            Severity::Warning,
            "main-establishment",
            format!("product `{name}` does not name the Member State of the manufacturer's main establishment (`main-establishment`; its CSIRT coordinates Art. 14 reports)"),
            r#"main-establishment = "DE""#,
        ),
        Some((v, _)) => {
            if let Err(problem) = parse_main_establishment(v) {
                c.emit(
                    Code::CraMainEstablishmentInvalid,
                    Severity::Error,
                    "main-establishment",
                    format!("`main-establishment` of `{name}` is invalid: {problem}"),
                    r#"main-establishment = "DE""#,
                );
            }
        }
    }

    // Optional URLs.
    for (key, val) in [
        ("declaration-of-conformity", &pm.declaration_of_conformity),
        ("sbom-url", &pm.sbom_url),
    ] {
        if let Some(u) = val
            && !is_https(u)
        {
            c.emit(
                Code::CraUrlInvalid,
                Severity::Error,
                key,
                format!("`{key}` of `{name}` must be an https URL, found `{u}`"),
                &format!("{key} = \"https://example.com/...\""),
            );
        }
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "nothing",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "a table",
    }
}

/// Levenshtein distance, for "did you mean" on unknown keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_dates() {
        assert_eq!(
            parse_end_date("2031-02"),
            time::Date::from_calendar_date(2031, time::Month::February, 28).ok()
        );
        assert_eq!(
            parse_end_date("2031-12-15"),
            time::Date::from_calendar_date(2031, time::Month::December, 15).ok()
        );
        assert_eq!(parse_end_date("2031"), None);
        assert_eq!(parse_end_date("2031-13"), None);
    }

    #[test]
    fn leap_day_plus_years() {
        let d = time::Date::from_calendar_date(2028, time::Month::February, 29).unwrap();
        assert_eq!(
            add_years(d, 5),
            time::Date::from_calendar_date(2033, time::Month::February, 28).unwrap()
        );
    }

    #[test]
    fn contacts() {
        assert!(is_https("https://example.com/security"));
        assert!(!is_https("http://example.com"));
        assert!(is_email("a@b.c"));
        assert!(!is_email("ab.c"));
        assert_eq!(edit_distance("suport-end", "support-end"), 1);
    }
}
