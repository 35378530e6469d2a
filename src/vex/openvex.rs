//! OpenVEX 0.2.0 (<https://github.com/openvex/spec>): reader and writer.
//!
//! The writer emits exactly the 0.2.0 JSON schema (validated in CI with Python's
//! `jsonschema`): products and subcomponents with `@id` and `identifiers.purl`, the
//! vulnerability with its advisory page as `@id`, its aliases and title. The reader also takes
//! the shapes of older documents (0.0.x: the vulnerability and products as plain strings,
//! statement-level `subcomponents`) as vexctl and other tools have written them.

use super::json::{arr, opt_str, opt_time, req_str, str_list};
use super::{
    Format, Identifier, Justification, Product, Statement, Status, VexDocument, Vulnerability,
};
use crate::error::{Error, Result};
use camino::Utf8Path;
use serde_json::{Map, Value, json};

/// The `@context` we write.
pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// Reads an OpenVEX document (already parsed as JSON).
pub fn from_value(path: &Utf8Path, v: &Value) -> Result<VexDocument> {
    let id = opt_str(path, v, "@id", "")?.unwrap_or_default().to_string();
    let author = opt_str(path, v, "author", "")?
        .unwrap_or_default()
        .to_string();
    let timestamp = opt_time(path, v, "timestamp", "")?;
    let last_updated = opt_time(path, v, "last_updated", "")?;
    let list = match v.get("statements") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(Error::malformed(path, "`statements` must be a list")),
        None => {
            return Err(Error::malformed(
                path,
                "OpenVEX document has no `statements`",
            ));
        }
    };
    let mut statements = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        statements.push(statement(path, s, i)?);
    }
    Ok(VexDocument {
        path: path.to_path_buf(),
        format: Format::OpenVex,
        id,
        author,
        timestamp: last_updated.or(timestamp),
        statements,
    })
}

fn statement(path: &Utf8Path, s: &Value, i: usize) -> Result<Statement> {
    let at = format!("statements[{i}].");
    if !s.is_object() {
        return Err(Error::malformed(
            path,
            format!("`statements[{i}]` must be an object"),
        ));
    }
    let vulnerability = match s.get("vulnerability") {
        Some(Value::String(name)) if !name.trim().is_empty() => {
            Vulnerability::new(name.trim(), Vec::new())
        }
        Some(v @ Value::Object(_)) => {
            let vat = format!("{at}vulnerability.");
            let name = req_str(path, v, "name", &vat)?;
            Vulnerability {
                id: name.trim().to_string(),
                aliases: str_list(path, v, "aliases", &vat)?,
                description: opt_str(path, v, "description", &vat)?.map(str::to_string),
                url: opt_str(path, v, "@id", &vat)?.map(str::to_string),
                cvss: None,
            }
        }
        Some(_) => {
            return Err(Error::malformed(
                path,
                format!("`{at}vulnerability` must name the vulnerability (an object with `name`)"),
            ));
        }
        None => {
            return Err(Error::malformed(
                path,
                format!("`{at}vulnerability` is missing"),
            ));
        }
    };
    let status_s = req_str(path, s, "status", &at)?;
    let status = Status::from_name(status_s).ok_or_else(|| {
        Error::malformed(
            path,
            format!(
                "`{at}status` is `{status_s}`, expected one of not_affected, affected, fixed, under_investigation"
            ),
        )
    })?;
    let justification = match opt_str(path, s, "justification", &at)? {
        None => None,
        Some(j) => Some(Justification::from_name(j).ok_or_else(|| {
            Error::malformed(
                path,
                format!(
                    "`{at}justification` is `{j}`, expected one of {}",
                    super::justification_names()
                ),
            )
        })?),
    };
    let impact_statement = opt_str(path, s, "impact_statement", &at)?.map(str::to_string);
    if status == Status::NotAffected && justification.is_none() && impact_statement.is_none() {
        return Err(Error::malformed(
            path,
            format!(
                "`{at}status` is not_affected without a `justification` or an `impact_statement` (OpenVEX requires one: why is the product not affected?)"
            ),
        ));
    }
    // 0.0.x: subcomponents at the statement level, for every product.
    let shared_subs = identifiers(
        path,
        arr(path, s, "subcomponents", &at)?,
        &format!("{at}subcomponents"),
    )?;
    let mut products = Vec::new();
    for (j, p) in arr(path, s, "products", &at)?.iter().enumerate() {
        let pat = format!("{at}products[{j}]");
        let id = identifier(path, p, &pat)?;
        let mut subcomponents = match p {
            Value::Object(_) => identifiers(
                path,
                arr(path, p, "subcomponents", &format!("{pat}."))?,
                &format!("{pat}.subcomponents"),
            )?,
            _ => Vec::new(),
        };
        subcomponents.extend(shared_subs.iter().cloned());
        products.push(Product { id, subcomponents });
    }
    Ok(Statement {
        vulnerability,
        products,
        status,
        justification,
        impact_statement,
        action_statement: opt_str(path, s, "action_statement", &at)?.map(str::to_string),
        status_notes: opt_str(path, s, "status_notes", &at)?.map(str::to_string),
        responses: Vec::new(),
        timestamp: match opt_time(path, s, "last_updated", &at)? {
            Some(t) => Some(t),
            None => opt_time(path, s, "timestamp", &at)?,
        },
        first_issued: opt_time(path, s, "timestamp", &at)?,
    })
}

fn identifiers(path: &Utf8Path, list: &[Value], at: &str) -> Result<Vec<Identifier>> {
    list.iter()
        .enumerate()
        .map(|(i, c)| identifier(path, c, &format!("{at}[{i}]")))
        .collect()
}

/// A product or subcomponent: a string (0.0.x), or an object with `@id` and/or
/// `identifiers.purl`. An `@id` that is a purl counts as the purl.
fn identifier(path: &Utf8Path, v: &Value, at: &str) -> Result<Identifier> {
    let from_id = |id: &str| {
        if id.trim_start().to_ascii_lowercase().starts_with("pkg:") {
            Identifier::purl(id.trim())
        } else {
            Identifier::iri(id.trim())
        }
    };
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(from_id(s)),
        Value::Object(_) => {
            let at_dot = format!("{at}.");
            let id = opt_str(path, v, "@id", &at_dot)?;
            let purl = match v.get("identifiers") {
                None => None,
                Some(ids @ Value::Object(_)) => {
                    opt_str(path, ids, "purl", &format!("{at}.identifiers."))?.map(str::to_string)
                }
                Some(_) => {
                    return Err(Error::malformed(
                        path,
                        format!("`{at}.identifiers` must be an object (`purl`, `cpe22`, `cpe23`)"),
                    ));
                }
            };
            let mut out = id.map(from_id).unwrap_or_default();
            if let Some(p) = purl {
                if let Some(old) = out.purl.take()
                    && old != p
                {
                    out.iri = Some(old);
                }
                out.purl = Some(p);
            }
            if out.purl.is_none() && out.iri.is_none() {
                let has_cpe = v
                    .get("identifiers")
                    .is_some_and(|i| i.get("cpe22").is_some() || i.get("cpe23").is_some());
                if has_cpe {
                    // A CPE identifies no crate: kept as an identifier that matches nothing.
                    let cpe = v["identifiers"]
                        .get("cpe23")
                        .or(v["identifiers"].get("cpe22"))
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    return Ok(Identifier::iri(cpe));
                }
                return Err(Error::malformed(
                    path,
                    format!("`{at}` identifies nothing: give it an `@id` or `identifiers.purl`"),
                ));
            }
            Ok(out)
        }
        _ => Err(Error::malformed(
            path,
            format!("`{at}` must be a product object with `@id` or `identifiers.purl`"),
        )),
    }
}

/// Writes an OpenVEX 0.2.0 document: pretty JSON with a final newline, statements sorted,
/// the document `@id` the document's id or, when empty, a `urn:uuid:` derived from the
/// content (so equal inputs give equal bytes), the timestamp the document's or
/// [`crate::now`].
pub fn to_json(doc: &VexDocument) -> Result<Vec<u8>> {
    let mut statements = doc.statements.clone();
    super::sort_statements(&mut statements);
    statements.dedup();
    let timestamp = match &doc.timestamp {
        Some(t) => t.clone(),
        None => super::now_rfc3339()?,
    };
    let list: Vec<Value> = statements
        .iter()
        .map(|s| statement_json(s, &timestamp))
        .collect();
    let mut out = Map::new();
    out.insert("@context".into(), json!(CONTEXT));
    out.insert("@id".into(), json!(doc.id));
    out.insert(
        "author".into(),
        json!(if doc.author.trim().is_empty() {
            "Unknown Author"
        } else {
            doc.author.as_str()
        }),
    );
    out.insert("timestamp".into(), json!(timestamp));
    out.insert("version".into(), json!(1));
    out.insert(
        "tooling".into(),
        json!(format!("cargo-cra {}", crate::VERSION)),
    );
    out.insert("statements".into(), Value::Array(list));
    super::finish_json(out, doc.id.is_empty().then_some("@id"), "OpenVEX document")
}

fn component_json(id: &Identifier) -> Value {
    let mut c = Map::new();
    if let Some(iri) = id.iri.as_deref().or(id.purl.as_deref()) {
        c.insert("@id".into(), json!(iri));
    }
    if let Some(p) = &id.purl {
        c.insert("identifiers".into(), json!({ "purl": p }));
    }
    Value::Object(c)
}

fn statement_json(s: &Statement, doc_time: &str) -> Value {
    let mut vuln = Map::new();
    if let Some(url) = &s.vulnerability.url {
        vuln.insert("@id".into(), json!(url));
    }
    vuln.insert("name".into(), json!(s.vulnerability.id));
    if let Some(d) = &s.vulnerability.description {
        vuln.insert("description".into(), json!(d));
    }
    let mut aliases: Vec<&String> = s
        .vulnerability
        .aliases
        .iter()
        .filter(|a| **a != s.vulnerability.id)
        .collect();
    aliases.sort();
    aliases.dedup();
    if !aliases.is_empty() {
        vuln.insert("aliases".into(), json!(aliases));
    }
    let products: Vec<Value> = s
        .products
        .iter()
        .map(|p| {
            let mut v = component_json(&p.id);
            if !p.subcomponents.is_empty() {
                let mut subs: Vec<Value> = p.subcomponents.iter().map(component_json).collect();
                subs.dedup();
                v.as_object_mut()
                    .expect("component_json makes an object")
                    .insert("subcomponents".into(), Value::Array(subs));
            }
            v
        })
        .collect();
    let mut out = Map::new();
    out.insert("vulnerability".into(), Value::Object(vuln));
    out.insert(
        "timestamp".into(),
        json!(
            s.first_issued
                .as_deref()
                .or(s.timestamp.as_deref())
                .unwrap_or(doc_time)
        ),
    );
    if let Some(t) = &s.timestamp
        && s.first_issued.as_ref().is_some_and(|f| f != t)
    {
        out.insert("last_updated".into(), json!(t));
    }
    if !products.is_empty() {
        out.insert("products".into(), Value::Array(products));
    }
    out.insert("status".into(), json!(s.status.as_str()));
    if let Some(n) = &s.status_notes {
        out.insert("status_notes".into(), json!(n));
    }
    if let Some(j) = s.justification {
        out.insert("justification".into(), json!(j.as_str()));
    }
    if let Some(i) = &s.impact_statement {
        out.insert("impact_statement".into(), json!(i));
    }
    match (&s.action_statement, s.status) {
        (Some(a), _) => {
            out.insert("action_statement".into(), json!(a));
        }
        // The schema requires an action statement for `affected`.
        (None, Status::Affected) => {
            out.insert(
                "action_statement".into(),
                json!("No remediation is available yet; follow the advisory."),
            );
        }
        _ => {}
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_old_and_new_shapes() {
        let old = json!({
            "@context": "https://openvex.dev/ns",
            "@id": "https://example.com/vex-1",
            "author": "Supplier",
            "timestamp": "2023-01-01T00:00:00Z",
            "version": 1,
            "statements": [{
                "vulnerability": "CVE-2021-25900",
                "products": ["pkg:cargo/app@1.0.0"],
                "subcomponents": ["pkg:cargo/smallvec@1.6.0"],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path"
            }]
        });
        let d = from_value(Utf8Path::new("old.json"), &old).unwrap();
        let s = &d.statements[0];
        assert_eq!(s.vulnerability.id, "CVE-2021-25900");
        assert_eq!(
            s.products[0].id.purl.as_deref(),
            Some("pkg:cargo/app@1.0.0")
        );
        assert_eq!(
            s.products[0].subcomponents[0].purl.as_deref(),
            Some("pkg:cargo/smallvec@1.6.0")
        );
    }

    #[test]
    fn not_affected_needs_a_reason() {
        let v = json!({
            "@context": CONTEXT, "@id": "x", "author": "a", "timestamp": "2023-01-01T00:00:00Z",
            "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:cargo/a@1.0.0"}], "status": "not_affected"}]
        });
        let e = from_value(Utf8Path::new("v.json"), &v)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("v.json: `statements[0].status` is not_affected without"),
            "{e}"
        );
    }
}
