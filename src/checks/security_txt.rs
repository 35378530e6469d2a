//! RFC 9116 `security.txt`: when a product's security contact or disclosure policy is a web
//! address, the repository should publish a `security.txt` (served at
//! `https://<host>/.well-known/security.txt`) that says where to report vulnerabilities and
//! until when that information holds. The product check looks for one at
//! `.well-known/security.txt` or `security.txt` in the workspace root (or the repository
//! root above it) and checks the fields RFC 9116 requires: at least one `Contact`, exactly
//! one `Expires` in the future. `cargo cra init --security-txt` writes one.

use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use camino::{Utf8Path, Utf8PathBuf};
use std::ops::Range;
use time::format_description::well_known::Rfc3339;

/// Where `security.txt` is looked for, relative to the repository, in order (RFC 9116 §3:
/// `/.well-known/security.txt`, and `/security.txt` for legacy compatibility).
pub const LOCATIONS: &[&str] = &[".well-known/security.txt", "security.txt"];

/// One `Field: value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name as written.
    pub name: String,
    /// The value, trimmed.
    pub value: String,
    /// Byte range of the whole line in the file.
    pub span: Range<usize>,
}

/// A parsed `security.txt`.
#[derive(Debug, Clone, Default)]
pub struct SecurityTxt {
    /// Every field line, in order (names case-insensitive, RFC 9116 §2.4).
    pub fields: Vec<Field>,
    /// Lines that are neither a field, a comment nor blank: (span, line).
    pub invalid_lines: Vec<(Range<usize>, String)>,
}

impl SecurityTxt {
    /// The fields named `name` (case-insensitive).
    pub fn get<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
    }
}

/// Parses the text of a `security.txt` (an OpenPGP cleartext signature around it is
/// accepted: the armor lines are skipped and dash-escaping undone).
pub fn parse(text: &str) -> SecurityTxt {
    let mut out = SecurityTxt::default();
    let mut offset = 0;
    let mut in_pgp_header = false;
    let mut in_signature = false;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let span = start..start + line.len();
        if line == "-----BEGIN PGP SIGNED MESSAGE-----" {
            in_pgp_header = true;
            continue;
        }
        if in_pgp_header {
            // Armor headers (`Hash: SHA512`) until the first blank line.
            if line.trim().is_empty() {
                in_pgp_header = false;
            }
            continue;
        }
        if line == "-----BEGIN PGP SIGNATURE-----" {
            in_signature = true;
            continue;
        }
        if in_signature {
            if line == "-----END PGP SIGNATURE-----" {
                in_signature = false;
            }
            continue;
        }
        let line = line.strip_prefix("- ").unwrap_or(line);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some((name, value))
                if !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                out.fields.push(Field {
                    name: name.to_string(),
                    value: value.trim().to_string(),
                    span,
                });
            }
            _ => out.invalid_lines.push((span, line.to_string())),
        }
    }
    out
}

/// Finds the `security.txt` for a workspace: in the workspace root, else in the repository
/// root above it (the nearest ancestor with `.git`).
pub fn find(workspace_root: &Utf8Path) -> Option<Utf8PathBuf> {
    let mut dirs = vec![workspace_root.to_path_buf()];
    if let Some(repo) = workspace_root
        .ancestors()
        .find(|d| d.join(".git").exists())
        .filter(|d| *d != workspace_root)
    {
        dirs.push(repo.to_path_buf());
    }
    dirs.iter()
        .flat_map(|d| LOCATIONS.iter().map(move |l| d.join(l)))
        .find(|p| p.is_file())
}

/// What the check needs to know about the products.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// A product's `security-contact`, when any product has one (it should be a `Contact`).
    pub contacts: Vec<String>,
    /// The first product (for the diagnostics' package), with its web address that triggered
    /// the check.
    pub trigger: String,
}

/// Checks the workspace's `security.txt`; `now` decides what is expired.
pub fn check(
    workspace_root: &Utf8Path,
    expect: &Expect,
    now: time::OffsetDateTime,
    sink: &mut Diagnostics,
) {
    let Some(path) = find(workspace_root) else {
        sink.push(
            Diagnostic::warning(
                Code::CraSecurityTxtMissing,
                format!(
                    "no security.txt in the repository, although {} is a web address (RFC 9116)",
                    expect.trigger
                ),
            )
            .with_note(format!(
                "help: publish one at https://<your host>/.well-known/security.txt and keep it in the repository as {}/.well-known/security.txt; `cargo cra init --security-txt` writes it",
                crate::output::display_path(workspace_root)
            )),
        );
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        sink.push(Diagnostic::error(
            Code::CraSecurityTxtInvalid,
            format!("{path}: cannot be read as UTF-8 text (RFC 9116 §2.3)"),
        ));
        return;
    };
    sink.load_source(&path);
    let doc = parse(&text);
    let file_start = 0..text.lines().next().map_or(0, str::len);
    let push = |sink: &mut Diagnostics,
                code: Code,
                severity: Severity,
                message: String,
                span: Range<usize>,
                label: &str,
                help: &str| {
        let mut d = Diagnostic::new(code, severity, message).with_label(path.clone(), span, label);
        if !help.is_empty() {
            d = d.with_note(format!("help: {help}"));
        }
        sink.push(d);
    };
    for (span, line) in &doc.invalid_lines {
        push(
            sink,
            Code::CraSecurityTxtInvalid,
            Severity::Error,
            format!("security.txt: `{line}` is not a `Field: value` line or a comment"),
            span.clone(),
            "not a field",
            "RFC 9116 §2.4: each line is a comment (`# ...`) or `Field-Name: value`",
        );
    }
    let contacts: Vec<&Field> = doc.get("Contact").collect();
    if contacts.is_empty() {
        push(
            sink,
            Code::CraSecurityTxtInvalid,
            Severity::Error,
            "security.txt has no `Contact` field (RFC 9116 §2.5.3 requires at least one)"
                .to_string(),
            file_start.clone(),
            "in this file",
            &format!(
                "add `Contact: {}`",
                expect
                    .contacts
                    .first()
                    .map_or("mailto:security@example.com", String::as_str)
            ),
        );
    }
    for c in &contacts {
        let v = &c.value;
        let ok = v.starts_with("mailto:") && v.len() > 7
            || v.starts_with("tel:") && v.len() > 4
            || v.strip_prefix("https://").is_some_and(|r| !r.is_empty());
        if !ok {
            push(
                sink,
                Code::CraSecurityTxtInvalid,
                Severity::Error,
                format!(
                    "security.txt: `Contact` must be a `mailto:`, `tel:` or `https://` URI, found `{v}`"
                ),
                c.span.clone(),
                "not a contact URI",
                "RFC 9116 §2.5.3: web URIs must use https",
            );
        }
    }
    if !contacts.is_empty() {
        for want in &expect.contacts {
            if !contacts.iter().any(|c| &c.value == want) {
                push(
                    sink,
                    Code::CraSecurityTxtInvalid,
                    Severity::Warning,
                    format!("security.txt does not list the product's security contact `{want}`"),
                    contacts[0].span.clone(),
                    "contacts listed here",
                    &format!("add `Contact: {want}` (the first Contact is the preferred one)"),
                );
            }
        }
    }
    let expires: Vec<&Field> = doc.get("Expires").collect();
    match expires.as_slice() {
        [] => push(
            sink,
            Code::CraSecurityTxtInvalid,
            Severity::Error,
            "security.txt has no `Expires` field (RFC 9116 §2.5.5 requires exactly one)"
                .to_string(),
            file_start,
            "in this file",
            &format!(
                "add `Expires: {}` (less than a year ahead)",
                suggested_expiry(now)
            ),
        ),
        [one] => match time::OffsetDateTime::parse(&one.value, &Rfc3339) {
            Err(_) => push(
                sink,
                Code::CraSecurityTxtInvalid,
                Severity::Error,
                format!(
                    "security.txt: `Expires` must be an RFC 3339 date and time, found `{}`",
                    one.value
                ),
                one.span.clone(),
                "not a date and time",
                &format!("write e.g. `Expires: {}`", suggested_expiry(now)),
            ),
            Ok(t) if t <= now => push(
                sink,
                Code::CraSecurityTxtExpired,
                Severity::Error,
                format!(
                    "security.txt expired on {}: its contact information must not be relied on (RFC 9116 §2.5.5)",
                    crate::art14::time::rfc3339(t)
                ),
                one.span.clone(),
                "in the past",
                &format!(
                    "check the fields, then set `Expires: {}`",
                    suggested_expiry(now)
                ),
            ),
            Ok(t) if t - now > time::Duration::days(366) => push(
                sink,
                Code::CraSecurityTxtInvalid,
                Severity::Warning,
                format!(
                    "security.txt expires more than a year ahead ({}); RFC 9116 §2.5.5 recommends less than a year",
                    crate::art14::time::rfc3339(t)
                ),
                one.span.clone(),
                "too far ahead",
                "",
            ),
            Ok(_) => {}
        },
        [_, second, ..] => push(
            sink,
            Code::CraSecurityTxtInvalid,
            Severity::Error,
            "security.txt has more than one `Expires` field (RFC 9116 §2.5.5 allows one)"
                .to_string(),
            second.span.clone(),
            "second `Expires`",
            "",
        ),
    }
}

/// `now` plus 364 days, at midnight UTC, in RFC 3339: an `Expires` value RFC 9116 likes.
pub fn suggested_expiry(now: time::OffsetDateTime) -> String {
    let d = (now + time::Duration::days(364)).date();
    format!("{d}T00:00:00Z")
}

/// The text of a new `security.txt` (what `cargo cra init --security-txt` writes).
pub fn render(
    contacts: &[String],
    policy: Option<&str>,
    canonical: Option<&str>,
    now: time::OffsetDateTime,
) -> String {
    let mut s = String::from(
        "# security.txt (RFC 9116), written by `cargo cra init --security-txt`.\n\
         # Serve it at https://<your host>/.well-known/security.txt and renew `Expires` before it passes\n\
         # (`cargo cra check` fails once it has).\n",
    );
    for c in contacts {
        s.push_str(&format!("Contact: {c}\n"));
    }
    s.push_str(&format!("Expires: {}\n", suggested_expiry(now)));
    if let Some(p) = policy {
        s.push_str(&format!("Policy: {p}\n"));
    }
    if let Some(c) = canonical {
        s.push_str(&format!("Canonical: {c}\n"));
    }
    s.push_str("Preferred-Languages: en\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_comments_and_signed_files() {
        let t = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n# hi\nContact: mailto:a@b.c\n- Expires: 2027-01-01T00:00:00Z\nbogus line\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n";
        let d = parse(t);
        assert_eq!(d.get("contact").count(), 1);
        assert_eq!(
            d.get("EXPIRES").next().unwrap().value,
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(d.invalid_lines.len(), 1);
        assert_eq!(&t[d.invalid_lines[0].0.clone()], "bogus line");
    }

    #[test]
    fn rendered_file_parses_back() {
        let now = time::macros::datetime!(2026-12-01 0:00 UTC);
        let t = render(
            &["mailto:s@e.com".into()],
            Some("https://e.com/p"),
            None,
            now,
        );
        let d = parse(&t);
        assert!(d.invalid_lines.is_empty());
        assert_eq!(
            d.get("Expires").next().unwrap().value,
            "2027-11-30T00:00:00Z"
        );
    }
}
