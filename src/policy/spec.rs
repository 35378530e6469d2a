//! cargo-deny's package specs, as `[bans]` (and `[advisories] ignore`) write them:
//! `"name"`, `"name@1.2.3"` (that exact version), `"name:<2"` (a requirement), or a table
//! `{ crate = "name@1.2.3", ... }` / `{ name = "name", version = "<2", ... }` whose other keys
//! are the entry's extension (`reason`, `wrappers`, `depth`, ...).

use crate::policy::Validator;
use crate::policy::value::{Table, Value};
use std::ops::Range;
use toml::Spanned;

/// A crate name with an optional version requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSpec {
    /// Crate name.
    pub name: String,
    /// Version requirement (`None`: any version).
    pub version: Option<semver::VersionReq>,
    /// Span of the spec in the policy.
    pub span: Range<usize>,
}

impl PackageSpec {
    /// Whether the spec selects this crate version (cargo-deny's `match_krate`).
    pub fn matches(&self, name: &str, version: &semver::Version) -> bool {
        self.name == name && self.version.as_ref().is_none_or(|r| r.matches(version))
    }

    /// Same name and requirement (cargo-deny's duplicate-entry test).
    pub fn same(&self, other: &PackageSpec) -> bool {
        self.name == other.name && self.version == other.version
    }

    /// Parses the string form (`name`, `name@version`, `name:requirement`).
    pub fn parse_str(s: &str, span: Range<usize>, v: &mut Validator<'_>) -> Option<PackageSpec> {
        let split = s
            .find('@')
            .map(|i| (i, true))
            .or_else(|| s.find(':').map(|i| (i, false)));
        let Some((i, exact)) = split else {
            if s.is_empty() {
                v.error(span, "a crate spec must not be empty");
                return None;
            }
            return Some(PackageSpec {
                name: s.to_string(),
                version: None,
                span,
            });
        };
        let mut req = match semver::VersionReq::parse(&s[i + 1..]) {
            Ok(r) => r,
            Err(e) => {
                v.error(
                    span,
                    format!("`{}` is not a valid version requirement: {e}", &s[i + 1..]),
                );
                return None;
            }
        };
        // `name@1.2.3` means that version (cargo's pkgid spec), whatever the comparator.
        if exact && let Some(c) = req.comparators.get_mut(0) {
            c.op = semver::Op::Exact;
        }
        Some(PackageSpec {
            name: s[..i].to_string(),
            version: Some(req),
            span,
        })
    }
}

impl std::fmt::Display for PackageSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if let Some(r) = &self.version {
            write!(f, " {r}")?;
        }
        Ok(())
    }
}

/// A spec entry: the spec and, for the table form, the rest of the table (the extension).
#[derive(Debug)]
pub struct SpecEntry {
    /// The spec.
    pub spec: PackageSpec,
    /// Keys besides `crate`/`name`/`version` (`None` for the string form).
    pub rest: Option<Table>,
    /// Span of the whole entry.
    pub span: Range<usize>,
}

/// Reads a spec entry (string or table) described as `what` in messages.
pub fn spec_entry(value: Spanned<Value>, what: &str, v: &mut Validator<'_>) -> Option<SpecEntry> {
    let span = value.span();
    match value.get_ref() {
        Value::String(s) => {
            let s = s.clone();
            let spec = PackageSpec::parse_str(&s, span.clone(), v)?;
            Some(SpecEntry {
                spec,
                rest: None,
                span,
            })
        }
        Value::Table(_) => {
            let mut t = Table::new(value, what, v)?;
            let spec = if let Some(c) = t.take("crate") {
                let cspan = c.span();
                match c.into_inner() {
                    Value::String(s) => PackageSpec::parse_str(&s, cspan, v)?,
                    other => {
                        v.error(
                            cspan,
                            format!(
                                "`crate` takes a string such as \"name@1.2.3\", found {}",
                                other.type_words()
                            ),
                        );
                        return None;
                    }
                }
            } else if let Some(name) = t.string("name", v) {
                let version = match t.string("version", v) {
                    Some(r) => match semver::VersionReq::parse(r.get_ref()) {
                        Ok(req) => Some(req),
                        Err(e) => {
                            v.error(
                                r.span(),
                                format!(
                                    "`{}` is not a valid version requirement: {e}",
                                    r.get_ref()
                                ),
                            );
                            return None;
                        }
                    },
                    None => None,
                };
                PackageSpec {
                    name: name.get_ref().clone(),
                    version,
                    span: name.span(),
                }
            } else {
                v.error(
                    span,
                    format!("{what} needs `crate = \"name\"` (or `\"name@version\"`)"),
                );
                return None;
            };
            Some(SpecEntry {
                spec,
                rest: Some(t),
                span,
            })
        }
        other => {
            v.error(
                span.clone(),
                format!(
                    "{what} takes a crate spec: a string such as \"name@1.2.3\" or a table {{ crate = \"name\", ... }}, found {}",
                    other.type_words()
                ),
            );
            None
        }
    }
}

/// Reads `{ crate = "...", reason = "..." }` (or the plain string): the spec and the reason.
pub fn spec_with_reason(
    value: Spanned<Value>,
    what: &str,
    v: &mut Validator<'_>,
) -> Option<(PackageSpec, Option<String>)> {
    let e = spec_entry(value, what, v)?;
    let reason = match e.rest {
        Some(mut t) => {
            let r = t.string("reason", v).map(Spanned::into_inner);
            t.finish(&["crate", "name", "version", "reason"], v);
            r
        }
        None => None,
    };
    Some((e.spec, reason))
}
