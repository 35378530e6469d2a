//! OpenSSH `allowed_signers` files, read as `ssh-keygen -Y verify` reads them, so that one
//! file serves both tools. See `ALLOWED SIGNERS` in ssh-keygen(1).
//!
//! ```text
//! # principals          options                          key
//! release@example.com   namespaces="cargo-cra-sbom"      ssh-ed25519 AAAA... comment
//! *@example.com,!old@example.com valid-before="20270101" ssh-ed25519 AAAA...
//! ```
//!
//! Supported: comma-separated principal patterns with `*`, `?` and `!` negation, optionally
//! quoted; the options `namespaces="pattern-list"`, `valid-after`, `valid-before` and
//! `cert-authority` (CA lines never match: our signatures are made by plain keys, as
//! ssh-keygen would also not accept a plain key through a CA line). An unknown option or a
//! malformed line is an error naming the line, as in ssh-keygen, rather than a line silently
//! skipped: a typo must not quietly change who is trusted.
//!
//! Timestamps without the `Z` suffix are local time in ssh-keygen; here they are read as UTC
//! (the local offset is not available without unsafe code). The difference is at most a day.

use crate::error::{Error, Result};
use camino::Utf8Path;
use ssh_key::PublicKey;
use time::OffsetDateTime;

/// One line of an allowed_signers file.
#[derive(Debug, Clone)]
pub struct AllowedSigner {
    /// 1-based line number.
    pub line: usize,
    /// The principals pattern list (`a@x,*@y,!b@y`).
    pub principals: String,
    /// The `namespaces=` pattern list, if any.
    pub namespaces: Option<String>,
    /// `cert-authority`.
    pub cert_authority: bool,
    /// `valid-after=`.
    pub valid_after: Option<OffsetDateTime>,
    /// `valid-before=`.
    pub valid_before: Option<OffsetDateTime>,
    /// The key.
    pub key: PublicKey,
}

impl AllowedSigner {
    /// Whether this line lets `identity` sign in `namespace` at `now`.
    pub fn allows(&self, identity: &str, namespace: &str, now: OffsetDateTime) -> bool {
        !self.cert_authority
            && match_pattern_list(identity, &self.principals)
            && self
                .namespaces
                .as_deref()
                .is_none_or(|ns| match_pattern_list(namespace, ns))
            && self.valid_after.is_none_or(|t| now >= t)
            && self.valid_before.is_none_or(|t| now <= t)
    }
}

/// Parses an allowed_signers file; `path` is for error messages.
pub fn parse(path: &Utf8Path, text: &str) -> Result<Vec<AllowedSigner>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |msg: &str| Error::malformed(path, format!("line {}: {msg}", i + 1));
        let (principals, rest) =
            take_field(line).ok_or_else(|| err("expected `principals [options] keytype key`"))?;
        let principals = principals.trim_matches('"').to_owned();
        if principals.is_empty() {
            return Err(err("empty principals"));
        }
        let (mut namespaces, mut cert_authority, mut valid_after, mut valid_before) =
            (None, false, None, None);
        let mut rest = rest.trim_start();
        if !looks_like_key_type(rest) {
            let (options, after) =
                take_field(rest).ok_or_else(|| err("expected a key after the options"))?;
            for opt in split_unquoted(options, ',') {
                let (name, value) = match opt.split_once('=') {
                    Some((n, v)) => (n, Some(v.trim_matches('"'))),
                    None => (opt, None),
                };
                match (name.to_ascii_lowercase().as_str(), value) {
                    ("cert-authority", None) => cert_authority = true,
                    ("namespaces", Some(v)) => namespaces = Some(v.to_owned()),
                    ("valid-after", Some(v)) => {
                        valid_after =
                            Some(parse_time(v).ok_or_else(|| err("invalid `valid-after` time"))?)
                    }
                    ("valid-before", Some(v)) => {
                        valid_before =
                            Some(parse_time(v).ok_or_else(|| err("invalid `valid-before` time"))?)
                    }
                    _ => return Err(err(&format!("unsupported option `{name}`"))),
                }
            }
            rest = after.trim_start();
        }
        let key =
            PublicKey::from_openssh(rest).map_err(|e| err(&format!("invalid public key: {e}")))?;
        let entry = AllowedSigner {
            line: i + 1,
            principals,
            namespaces,
            cert_authority,
            valid_after,
            valid_before,
            key,
        };
        out.push(entry);
    }
    Ok(out)
}

/// The first whitespace-separated field (double quotes group) and the rest, or `None` when
/// nothing follows it.
fn take_field(s: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Some((&s[..i], &s[i..])),
            _ => {}
        }
    }
    None
}

fn split_unquoted(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&s[start..i]);
            start = i + 1;
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Key type names start like this; options never do.
fn looks_like_key_type(s: &str) -> bool {
    ["ssh-", "ecdsa-", "sk-"].iter().any(|p| s.starts_with(p))
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optional `Z`.
fn parse_time(s: &str) -> Option<OffsetDateTime> {
    let s = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if !s.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&s.len()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).map_or(Some(0), |v| v.parse::<u32>().ok());
    let month = time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(n(0..4)?).ok()?,
        month,
        u8::try_from(n(6..8)?).ok()?,
    )
    .ok()?;
    let t = time::Time::from_hms(
        u8::try_from(n(8..10)?).ok()?,
        u8::try_from(n(10..12)?).ok()?,
        u8::try_from(n(12..14)?).ok()?,
    )
    .ok()?;
    Some(date.with_time(t).assume_utc())
}

/// OpenSSH's `match_pattern_list`: a comma-separated list of patterns, `!` negates; a
/// negated match denies outright, otherwise any positive match allows.
pub fn match_pattern_list(s: &str, list: &str) -> bool {
    let mut allowed = false;
    for pat in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match pat.strip_prefix('!') {
            Some(neg) if match_pattern(s, neg) => return false,
            Some(_) => {}
            None if match_pattern(s, pat) => allowed = true,
            None => {}
        }
    }
    allowed
}

/// Glob match with `*` (any run) and `?` (one character), case-sensitive as in ssh-keygen.
pub fn match_pattern(s: &str, pat: &str) -> bool {
    let (s, p): (Vec<char>, Vec<char>) = (s.chars().collect(), pat.chars().collect());
    let (mut si, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            si += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbVcSeMhH8Ju2j0Ylm4sdAe6sO2A5bXm2dx8Y3eX7Ng";

    #[test]
    fn patterns() {
        assert!(match_pattern("a@example.com", "*@example.com"));
        assert!(match_pattern("ab", "a?"));
        assert!(!match_pattern("a@example.org", "*@example.com"));
        assert!(match_pattern("x", "*"));
        assert!(match_pattern_list("a@x", "b@x,a@*"));
        assert!(!match_pattern_list("a@x", "*@x,!a@x"));
        assert!(!match_pattern_list("a@x", "b@x"));
    }

    #[test]
    fn parses_common_forms() {
        let text = format!(
            "# comment\n\nrelease@example.com {KEY} c\n\
             \"*@example.com\" namespaces=\"cargo-cra-sbom,file\",valid-before=\"20270101Z\" {KEY}\n\
             ca@example.com cert-authority {KEY}\n"
        );
        let v = parse(Utf8Path::new("as"), &text).unwrap();
        assert_eq!(v.len(), 3);
        let now = time::macros::datetime!(2026-12-01 0:00 UTC);
        assert!(v[0].allows("release@example.com", "anything", now));
        assert!(v[1].allows("x@example.com", "cargo-cra-sbom", now));
        assert!(!v[1].allows("x@example.com", "git", now));
        assert!(!v[1].allows(
            "x@example.com",
            "file",
            time::macros::datetime!(2027-01-02 0:00 UTC)
        ));
        assert!(!v[2].allows("ca@example.com", "file", now));
    }

    #[test]
    fn unknown_options_and_bad_keys_are_errors() {
        let e = parse(Utf8Path::new("as"), &format!("a@x frobnicate {KEY}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1: unsupported option `frobnicate`"), "{e}");
        let e = parse(Utf8Path::new("as"), "a@x ssh-ed25519 AAAA")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1: invalid public key"), "{e}");
    }

    #[test]
    fn times() {
        assert_eq!(
            parse_time("20260102"),
            Some(time::macros::datetime!(2026-01-02 0:00 UTC))
        );
        assert_eq!(
            parse_time("202601021230Z"),
            Some(time::macros::datetime!(2026-01-02 12:30 UTC))
        );
        assert_eq!(parse_time("2026"), None);
    }
}
