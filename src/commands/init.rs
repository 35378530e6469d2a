//! `cargo cra init`: writes the commented example policy and prints the metadata block to add
//! to the manifest.

use crate::cli::{InitArgs, WorkspaceArgs};
use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;
use crate::{fsutil, policy, workspace};

/// The `[package.metadata.cra]` block `init` prints.
pub const METADATA_BLOCK: &str = r#"[package.metadata.cra]   # or [workspace.metadata.cra], inherited by every member
manufacturer = { name = "Example GmbH", email = "security@example.com", url = "https://example.com", address = "Street 1, 10115 Berlin, DE" }
security-contact = "mailto:security@example.com"
vulnerability-disclosure-policy = "SECURITY.md"
support-end = "2031-12"
release-date = "2026-12-01"
product-class = "default"
intended-purpose = "What the product is for, in one sentence"
markets = ["EU"]                  # or the ISO 3166 codes of the Member States where it is sold
main-establishment = "DE"         # Member State of the main establishment (its CSIRT coordinates)
"#;

/// Runs `cargo cra init`.
pub fn run(args: &InitArgs, printer: &Printer) -> Result<u8> {
    let path = match &args.path {
        Some(p) => p.clone(),
        None => {
            let ws = WorkspaceArgs {
                manifest_path: args.manifest_path.clone(),
                ..Default::default()
            };
            let manifest = workspace::find_manifest(&ws)?;
            workspace::find_workspace_root(&manifest)?.join(policy::FILE_NAME)
        }
    };
    if args.security_txt {
        write_security_txt(args, printer)?;
        if path.exists() && !args.force {
            printer.status("Kept", &path);
            return Ok(ExitCode::SUCCESS);
        }
    }
    if path.exists() && !args.force {
        return Err(Error::other(format!(
            "{path}: already exists (use --force to overwrite)"
        )));
    }
    let text = match &args.from {
        Some(from) => from_deny_toml(from, &path)?,
        None => policy::EXAMPLE.to_string(),
    };
    fsutil::write_atomic(&path, text.as_bytes())?;
    printer.status("Created", &path);
    if !printer.quiet {
        println!("Add the CRA product metadata to each product's Cargo.toml:\n\n{METADATA_BLOCK}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The heading of the CRA sections `init --from` appends.
const CRA_HEADING: &str =
    "\n# ---- cargo-cra: the CRA sections (cargo-deny does not read this file) ----\n";

/// The CRA sections `init --from` appends (table name, text), each only when the file has
/// no such table yet.
const CRA_SECTIONS: &[(&str, &str)] = &[
    (
        "product",
        r#"
[product]
# The products are the members with a binary target unless listed here.
# members = ["app"]
# The support period must reach at least this many years after `release-date`.
min-support-years = 5
"#,
    ),
    (
        "sbom",
        r#"
[sbom]
# Private key `cargo cra sbom` signs with (relative to this file), and the SSHSIG namespace.
# signing-key = "release-key"
namespace = "cargo-cra-sbom"
"#,
    ),
];

/// `init --from DENY_TOML`: the team's deny.toml as a deny-policy.toml. The text is kept
/// (comments and order too); keys cargo-deny removed are commented out with their
/// cargo-deny 0.20 form next to them, ignores without a reason get one to fill in, the
/// defaults where cargo-deny and cargo-cra differ are written out (so the verdicts stay
/// cargo-deny's), and the CRA sections are appended. The result must load as our policy.
pub fn from_deny_toml(from: &camino::Utf8Path, out: &camino::Utf8Path) -> Result<String> {
    let text = fsutil::read_to_string(from)?;
    translate_deny_toml(from, &text, out)
}

/// [`from_deny_toml`] on the text of the file at `from` (the translation the policy fuzz
/// target checks: a deny.toml that loads always translates into a policy that loads).
pub fn translate_deny_toml(
    from: &camino::Utf8Path,
    text: &str,
    out: &camino::Utf8Path,
) -> Result<String> {
    // Read as cargo-deny's file: refuses what cannot be translated (exit 2 with the form).
    let deny_name = from
        .file_name()
        .filter(|n| !n.starts_with("deny-policy"))
        .map(|_| from.to_path_buf())
        .unwrap_or_else(|| from.with_file_name("deny.toml"));
    let parsed = policy::Policy::parse(&deny_name, text).map_err(|e| match e {
        Error::Malformed { message, .. } => Error::malformed(from, message),
        other => other,
    })?;
    // Edits: (span, replacement), applied from the end.
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut appended: Vec<(String, String)> = Vec::new();
    for w in &parsed.warnings {
        match w.code {
            crate::diag::Code::PolicyStricterForm
                if w.replacement.starts_with("{ id = ")
                    || w.replacement.starts_with("{ crate = ") =>
            {
                let form = w.replacement.replace(
                    "why it does not apply",
                    "imported from deny.toml without a reason: say why it does not apply",
                );
                edits.push((w.span.clone(), form));
            }
            // Our own level: kept as written (deny-policy.toml reads it as a level).
            crate::diag::Code::PolicyKeyDeprecated
                if w.message
                    .contains("cargo-cra keeps reporting them as warnings") => {}
            crate::diag::Code::PolicyKeyDeprecated => {
                let (start, end) = line_range(text, &w.span);
                let original: String = text[start..end]
                    .lines()
                    .map(|l| format!("# {l}\n"))
                    .collect();
                let mut new = format!("# cargo-cra: {}\n{original}", w.message);
                let (table, body) = match w.replacement.strip_prefix('[') {
                    Some(rest) => match rest.split_once(']') {
                        Some((t, b)) => {
                            (Some(t.to_string()), b.trim_start_matches('\n').to_string())
                        }
                        None => (None, w.replacement.clone()),
                    },
                    None => (None, w.replacement.clone()),
                };
                match table {
                    Some(t) => appended.push((t, body)),
                    None => {
                        new.push_str(&w.replacement);
                        new.push('\n');
                    }
                }
                edits.push((start..end, new));
            }
            _ => {}
        }
    }
    // `deny` and `allow-osi-fsf-free` change the allow list itself: write the translated one.
    let allow_changed = parsed.warnings.iter().any(|w| {
        w.code == crate::diag::Code::PolicyKeyDeprecated
            && (w.message.starts_with("`deny` was removed")
                || w.message.starts_with("`allow-osi-fsf-free = "))
    });
    if allow_changed {
        let list = format!(
            "[{}]",
            parsed
                .licenses
                .allow
                .iter()
                .map(|l| format!("\"{l}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        match &parsed.licenses.allow_span {
            Some(span) => edits.push((span.clone(), list)),
            None => appended.push(("licenses".to_string(), format!("allow = {list}"))),
        }
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut result = text.to_string();
    let mut last_start = usize::MAX;
    for (r, new) in edits {
        if r.end > last_start {
            continue; // overlapping (two findings on one line): the first one wins
        }
        result.replace_range(r.clone(), &new);
        last_start = r.start;
    }
    // cargo-deny's defaults where ours differ, written out.
    let doc: toml::Table = toml::from_str(text).unwrap_or_default();
    let has = |table: &str, key: &str| {
        doc.get(table)
            .and_then(|t| t.as_table())
            .is_some_and(|t| t.contains_key(key))
    };
    for (table, key, value) in [
        ("sources", "unknown-registry", "\"warn\""),
        ("sources", "unknown-git", "\"warn\""),
        ("advisories", "unmaintained", "\"all\""),
        ("advisories", "unsound", "\"workspace\""),
    ] {
        if !has(table, key) {
            appended.push((
                table.to_string(),
                format!("# cargo-deny's default, written out (cargo-cra's own is stricter)\n{key} = {value}"),
            ));
        }
    }
    for (table, body) in appended {
        result = insert_into_table(&result, &table, &body);
    }
    result = format!(
        "# deny-policy.toml written by `cargo cra init --from {}`: the cargo-deny settings as\n# they were (keys cargo-deny removed are commented out next to their v2 form), plus the\n# CRA sections at the end.\n\n{result}",
        from.file_name().unwrap_or("deny.toml")
    );
    if !result.ends_with('\n') {
        result.push('\n');
    }
    // A file that already has a CRA table (a deny.toml shared with cargo-cra) keeps its own.
    let missing: Vec<&str> = CRA_SECTIONS
        .iter()
        .filter(|(table, _)| !doc.contains_key(*table))
        .map(|(_, text)| *text)
        .collect();
    if !missing.is_empty() {
        result.push_str(CRA_HEADING);
        result.extend(missing);
    }
    // The written file must load as our policy.
    policy::Policy::parse(out, &result).map_err(|e| {
        Error::other(format!(
            "{from}: the translated policy does not load ({e}); please report this"
        ))
    })?;
    Ok(result)
}

/// The whole lines a span touches (byte range including the final newline).
fn line_range(text: &str, span: &std::ops::Range<usize>) -> (usize, usize) {
    let start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text[span.end.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i + 1);
    (start, end)
}

/// Adds `body` (key lines) to `[table]`: after its header when the file has one, else as a
/// new table at the end.
fn insert_into_table(text: &str, table: &str, body: &str) -> String {
    let header = format!("[{table}]");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == header {
            let at = offset + line.len();
            let mut out = text[..at].to_string();
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(body);
            out.push('\n');
            out.push_str(&text[at..]);
            return out;
        }
        offset += line.len();
    }
    let mut out = text.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("\n{header}\n{body}\n"));
    out
}

/// `init --security-txt`: `.well-known/security.txt` from the products' CRA metadata.
fn write_security_txt(args: &InitArgs, printer: &Printer) -> Result<()> {
    let ws = crate::art14::args::CaseWorkspace {
        manifest_path: args.manifest_path.clone(),
        policy: None,
    };
    let (root, pol) = crate::art14::info::root_and_policy(&ws)?;
    let products = crate::art14::info::products(&ws, &pol)?;
    let mut contacts: Vec<String> = Vec::new();
    let mut push = |c: String| {
        if !contacts.contains(&c) {
            contacts.push(c);
        }
    };
    for p in &products {
        if let Some(c) = p.meta.security_contact.clone() {
            push(c);
        }
    }
    for p in &products {
        if let Some(e) = p.meta.manufacturer.as_ref().and_then(|m| m.email.clone()) {
            push(format!("mailto:{e}"));
        }
    }
    if contacts.is_empty() {
        return Err(Error::other(format!(
            "{}: no product declares a `security-contact` (or a manufacturer email) for security.txt's `Contact`\n  help: add the CRA metadata first:\n{METADATA_BLOCK}",
            root.join("Cargo.toml")
        )));
    }
    let policy_url = products
        .iter()
        .filter_map(|p| p.meta.vulnerability_disclosure_policy.clone())
        .find(|u| u.starts_with("https://"));
    let out = root.join(".well-known").join("security.txt");
    if out.exists() && !args.force {
        return Err(Error::other(format!(
            "{out}: already exists (use --force to overwrite)"
        )));
    }
    let text =
        crate::checks::security_txt::render(&contacts, policy_url.as_deref(), None, crate::now()?);
    let dir = root.join(".well-known");
    std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
    fsutil::write_atomic(&out, text.as_bytes())?;
    printer.status("Created", &out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use camino::Utf8Path;

    fn translate(text: &str) -> Result<String> {
        translate_deny_toml(
            Utf8Path::new("deny.toml"),
            text,
            Utf8Path::new("deny-policy.toml"),
        )
    }

    /// Found by the `policy` fuzz target: a deny.toml that already has a `[product]` table
    /// (one shared with cargo-cra) got a second one appended, and the translation failed
    /// with "please report this".
    #[test]
    fn a_deny_toml_with_cra_tables_keeps_them_and_gets_none_appended() {
        let text = "[licenses]\nallow = [\"MIT\"]\n\n[product]\nmin-support-years = 5\n";
        let out = translate(text).expect("translates");
        assert_eq!(out.matches("[product]").count(), 1, "{out}");
        assert_eq!(out.matches("[sbom]").count(), 1, "{out}");
        assert!(out.contains("# ---- cargo-cra: the CRA sections"), "{out}");
        let both = format!("{text}\n[sbom]\nnamespace = \"ours\"\n");
        let out = translate(&both).expect("translates");
        assert_eq!(out.matches("[sbom]").count(), 1, "{out}");
        assert!(!out.contains("# ---- cargo-cra: the CRA sections"), "{out}");
        policy::Policy::parse(Utf8Path::new("deny-policy.toml"), &out).expect("loads");
    }
}
