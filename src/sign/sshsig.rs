//! Reading detached OpenSSH signatures (`SSHSIG`, PROTOCOL.sshsig) exactly as strictly as
//! `ssh-keygen -Y verify` does, or more: every signature this module accepts is one OpenSSH
//! accepts, byte for byte, so a `.sig` file cannot pass `cargo cra verify` while OpenSSH
//! rejects it.
//!
//! The rules follow OpenSSH's `sshsig.c` (`sshsig_dearmor`, `sshsig_parse_preamble`,
//! `sshsig_peek_hashalg`, `sshsig_wrap_verify`), `sshbuf` string parsing and `b64_pton`:
//!
//! * Armor: the file starts with exactly `-----BEGIN SSH SIGNATURE-----\n`; the body ends at
//!   the first `\n-----END SSH SIGNATURE-----`. The body is base64 in which ASCII whitespace
//!   (C `isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`) is skipped anywhere, so any line
//!   length and CRLF line ends are accepted, as by OpenSSH. Padding is required, nothing but
//!   whitespace may follow it, and the unused bits of the last character must be zero.
//! * Blob: `"SSHSIG"`, `uint32 version`, `string publickey`, `string namespace`,
//!   `string reserved`, `string hash_algorithm`, `string signature`, nothing after it. Every
//!   length must fit in what remains. The public key is `string "ssh-ed25519"` and a 32-byte
//!   `string`, nothing after it; the signature is `string "ssh-ed25519"` and a 64-byte
//!   `string`, nothing after it. The hash algorithm is `sha256` or `sha512`.
//!
//! Where OpenSSH is lenient about bytes that carry no meaning, this reader is stricter (it
//! rejects what OpenSSH accepts, never the other way round), because such bytes are not
//! covered by the signature and would let one signature be encoded in many ways:
//!
//! * version 0 (OpenSSH only refuses versions above 1; the only version is 1);
//! * a non-empty `reserved` field (OpenSSH parses and ignores it: it is not signed);
//! * a string ending in a NUL byte (`"sha512\0"`: OpenSSH's C strings drop it);
//! * anything but whitespace after the footer (OpenSSH ignores what follows it);
//! * a NUL byte as the last character of the body (OpenSSH's `sshbuf_dup_string` drops it).

use sha2::Digest;

/// The armor's first line, newline included, as OpenSSH requires it at the start of the file.
pub const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----\n";
/// The armor's footer (found after a newline).
pub const END: &str = "-----END SSH SIGNATURE-----";
/// The blob's magic preamble.
const MAGIC: &[u8] = b"SSHSIG";
/// The only SSHSIG version.
const VERSION: u32 = 1;
/// OpenSSH's `SSHBUF_SIZE_MAX`: a string length above this is "too large".
const SSHBUF_SIZE_MAX: usize = 0x0800_0000;
/// The key and signature type this reader supports.
const ED25519: &[u8] = b"ssh-ed25519";

/// The message digest an SSHSIG signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    /// `sha256`.
    Sha256,
    /// `sha512` (what `ssh-keygen` and `cargo cra` sign with).
    Sha512,
}

impl HashAlg {
    /// The name in the signature.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sha512 => "sha512",
        }
    }

    fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => sha2::Sha256::digest(msg).to_vec(),
            HashAlg::Sha512 => sha2::Sha512::digest(msg).to_vec(),
        }
    }
}

impl std::fmt::Display for HashAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed Ed25519 SSHSIG signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The signer's Ed25519 public key, as embedded in the signature.
    pub public_key: [u8; 32],
    /// The namespace, as bytes (OpenSSH compares it byte for byte).
    pub namespace: Vec<u8>,
    /// The message digest.
    pub hash_alg: HashAlg,
    /// The raw Ed25519 signature.
    pub signature: [u8; 64],
}

impl Signature {
    /// Parses an armored signature file (`-----BEGIN SSH SIGNATURE-----`). The error says
    /// what is wrong in words (for a message naming the file).
    pub fn from_armored(file: &[u8]) -> Result<Signature, String> {
        Signature::from_blob(&dearmor(file)?)
    }

    /// Parses the binary SSHSIG blob.
    pub fn from_blob(blob: &[u8]) -> Result<Signature, String> {
        let mut r = Reader(blob);
        if !r.0.starts_with(MAGIC) {
            return Err("does not start with the SSHSIG preamble".into());
        }
        r.0 = &r.0[MAGIC.len()..];
        let version = r.u32("version")?;
        if version != VERSION {
            return Err(format!("version {version}, expected {VERSION}"));
        }
        let key_blob = r.string("public key")?;
        let namespace = r.cstring("namespace")?;
        let reserved = r.string("reserved field")?;
        let hash = r.cstring("hash algorithm")?;
        let sig_blob = r.string("signature")?;
        if !r.0.is_empty() {
            return Err(format!(
                "{} bytes of trailing data after the signature",
                r.0.len()
            ));
        }
        if !reserved.is_empty() {
            return Err("the reserved field is not empty".into());
        }
        let hash_alg = match hash {
            b"sha512" => HashAlg::Sha512,
            b"sha256" => HashAlg::Sha256,
            other => {
                return Err(format!(
                    "unsupported hash algorithm `{}` (OpenSSH allows sha256 and sha512)",
                    String::from_utf8_lossy(other)
                ));
            }
        };

        let mut k = Reader(key_blob);
        let key_type = k.cstring("public key type")?;
        if key_type != ED25519 {
            return Err(format!(
                "a `{}` key: only ssh-ed25519 signatures are supported",
                String::from_utf8_lossy(key_type)
            ));
        }
        let public_key: [u8; 32] = k
            .string("Ed25519 public key")?
            .try_into()
            .map_err(|_| "the Ed25519 public key is not 32 bytes".to_string())?;
        if !k.0.is_empty() {
            return Err("trailing data after the public key".into());
        }

        let mut s = Reader(sig_blob);
        let sig_type = s.cstring("signature type")?;
        if sig_type != ED25519 {
            return Err(format!(
                "a `{}` signature inside an ssh-ed25519 one",
                String::from_utf8_lossy(sig_type)
            ));
        }
        let signature: [u8; 64] = s
            .string("Ed25519 signature")?
            .try_into()
            .map_err(|_| "the Ed25519 signature is not 64 bytes".to_string())?;
        if !s.0.is_empty() {
            return Err("trailing data after the Ed25519 signature".into());
        }
        Ok(Signature {
            public_key,
            namespace: namespace.to_vec(),
            hash_alg,
            signature,
        })
    }

    /// The namespace for messages (lossy if it is not UTF-8).
    pub fn namespace_lossy(&self) -> String {
        String::from_utf8_lossy(&self.namespace).into_owned()
    }

    /// Whether this is a valid signature of `msg` in `namespace` by the embedded key (strict
    /// Ed25519 verification: no malleable or small-order signatures). The caller decides
    /// whether the embedded key is trusted.
    pub fn verify(&self, namespace: &str, msg: &[u8]) -> bool {
        if self.namespace != namespace.as_bytes() {
            return false;
        }
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&self.public_key) else {
            return false;
        };
        let sig = ed25519_dalek::Signature::from_bytes(&self.signature);
        key.verify_strict(&signed_data(namespace, self.hash_alg, msg), &sig)
            .is_ok()
    }
}

/// What an SSHSIG signature signs: `"SSHSIG" string(namespace) string(reserved = "")
/// string(hash algorithm) string(H(msg))`.
pub fn signed_data(namespace: &str, hash_alg: HashAlg, msg: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    for field in [
        namespace.as_bytes(),
        b"",
        hash_alg.name().as_bytes(),
        &hash_alg.digest(msg),
    ] {
        // Every field here is far below 4 GiB.
        out.extend_from_slice(&(field.len() as u32).to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}

/// A cursor over SSH wire-format data (`sshbuf`).
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self, what: &str) -> Result<u32, String> {
        let Some((head, rest)) = self.0.split_first_chunk::<4>() else {
            return Err(format!("truncated before the {what}"));
        };
        self.0 = rest;
        Ok(u32::from_be_bytes(*head))
    }

    /// `string`: a u32 length and that many bytes, which must be there.
    fn string(&mut self, what: &str) -> Result<&'a [u8], String> {
        let len = self.u32(what)? as usize;
        if len > SSHBUF_SIZE_MAX - 4 {
            return Err(format!("the {what} length {len} is too large"));
        }
        if len > self.0.len() {
            return Err(format!(
                "the {what} is {len} bytes long but only {} bytes remain",
                self.0.len()
            ));
        }
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(s)
    }

    /// A `string` used as text: no NUL byte anywhere (OpenSSH allows one at the end and
    /// drops it; that is a second encoding of the same value, so it is refused here).
    fn cstring(&mut self, what: &str) -> Result<&'a [u8], String> {
        let s = self.string(what)?;
        if s.contains(&0) {
            return Err(format!("the {what} contains a NUL byte"));
        }
        Ok(s)
    }
}

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The binary blob inside the armor (see the module docs for the rules).
pub fn dearmor(file: &[u8]) -> Result<Vec<u8>, String> {
    let Some(rest) = file.strip_prefix(BEGIN.as_bytes()) else {
        return Err(format!(
            "does not start with `{}` (followed by a newline)",
            BEGIN.trim_end()
        ));
    };
    let footer = format!("\n{END}");
    let Some(end) = find(rest, footer.as_bytes()) else {
        return Err(format!("no `{END}` line"));
    };
    let after = &rest[end + footer.len()..];
    if !after.iter().all(|&b| is_c_space(b)) {
        return Err(format!("text after the `{END}` line"));
    }
    let body = &rest[..end];
    if body.contains(&0) {
        return Err("a NUL byte in the base64 text".into());
    }
    b64_pton(body).ok_or_else(|| "the signature is not valid base64".to_string())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// OpenSSH's `b64_pton` (whitespace skipped anywhere, padding required, nothing but
/// whitespace after it, unused bits zero); `None` where it returns -1. A NUL byte, which
/// ends a C string and so could hide what follows, is refused.
fn b64_pton(src: &[u8]) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let (mut acc, mut n) = (0u32, 0usize);
    let mut it = src.iter().copied();
    let mut padded = false;
    for c in it.by_ref() {
        if is_c_space(c) {
            continue;
        }
        if c == b'=' {
            padded = true;
            break;
        }
        acc = (acc << 6) | value(c)?;
        n += 1;
        if n == 4 {
            out.extend_from_slice(&acc.to_be_bytes()[1..]);
            (acc, n) = (0, 0);
        }
    }
    if !padded {
        return (n == 0).then_some(out);
    }
    // `n` characters of the last quantum, then `=`.
    let mut rest = it.filter(|&c| !is_c_space(c));
    match n {
        2 => {
            // One byte of data, 4 unused bits; a second `=` must follow.
            if rest.next() != Some(b'=') || acc & 0x0f != 0 {
                return None;
            }
            out.push((acc >> 4) as u8);
        }
        3 => {
            // Two bytes of data, 2 unused bits.
            if acc & 0x03 != 0 {
                return None;
            }
            out.extend_from_slice(&((acc >> 2) as u16).to_be_bytes());
        }
        _ => return None,
    }
    rest.next().is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64_follows_openssh() {
        assert_eq!(b64_pton(b"QUJD").as_deref(), Some(&b"ABC"[..]));
        assert_eq!(b64_pton(b"QU\nJ D\r\n").as_deref(), Some(&b"ABC"[..]));
        assert_eq!(b64_pton(b"QQ==").as_deref(), Some(&b"A"[..]));
        assert_eq!(b64_pton(b"QQ= =\n").as_deref(), Some(&b"A"[..]));
        assert_eq!(b64_pton(b"QUI=").as_deref(), Some(&b"AB"[..]));
        assert_eq!(b64_pton(b"").as_deref(), Some(&b""[..]));
        // Missing padding, non-zero unused bits, text after padding, bad characters.
        for bad in [
            &b"QQ"[..],
            b"QUI",
            b"QR==",
            b"QUJ=",
            b"QQ=",
            b"QUI==",
            b"QUI=A",
            b"Q===",
            b"=",
            b"QU-D",
            b"QU\0D",
        ] {
            assert_eq!(b64_pton(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    fn blob(fields: &[&[u8]], version: u32) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&version.to_be_bytes());
        for f in fields {
            b.extend_from_slice(&(f.len() as u32).to_be_bytes());
            b.extend_from_slice(f);
        }
        b
    }

    fn string(s: &[u8]) -> Vec<u8> {
        let mut b = (s.len() as u32).to_be_bytes().to_vec();
        b.extend_from_slice(s);
        b
    }

    fn key() -> Vec<u8> {
        [string(ED25519), string(&[7; 32])].concat()
    }

    fn sig() -> Vec<u8> {
        [string(ED25519), string(&[9; 64])].concat()
    }

    #[test]
    fn blob_fields_are_exact() {
        let good = blob(&[&key(), b"ns", b"", b"sha512", &sig()], 1);
        let s = Signature::from_blob(&good).unwrap();
        assert_eq!(s.public_key, [7; 32]);
        assert_eq!(s.namespace, b"ns");
        assert_eq!(s.hash_alg, HashAlg::Sha512);

        let err = |b: &[u8]| Signature::from_blob(b).unwrap_err();
        assert!(err(&blob(&[&key(), b"ns", b"", b"sha512", &sig()], 0)).contains("version 0"));
        assert!(err(&blob(&[&key(), b"ns", b"", b"sha512", &sig()], 2)).contains("version 2"));
        assert!(err(&[&good[..], b"\0"].concat()).contains("trailing data"));
        let e = err(&good[..good.len() - 1]);
        assert!(
            e.contains("signature is 83 bytes long but only 82 bytes remain"),
            "{e}"
        );
        assert!(err(&blob(&[&key(), b"ns", b"x", b"sha512", &sig()], 1)).contains("reserved"));
        assert!(err(&blob(&[&key(), b"ns", b"", b"sha512\0", &sig()], 1)).contains("NUL"));
        assert!(err(&blob(&[&key(), b"ns", b"", b"md5", &sig()], 1)).contains("md5"));
        let long_key = [key(), vec![0]].concat();
        assert!(
            err(&blob(&[&long_key, b"ns", b"", b"sha512", &sig()], 1))
                .contains("after the public key")
        );
        let short_key = [string(ED25519), string(&[7; 31])].concat();
        assert!(
            err(&blob(&[&short_key, b"ns", b"", b"sha512", &sig()], 1)).contains("not 32 bytes")
        );
        let rsa = [string(b"ssh-rsa"), string(&[7; 32])].concat();
        assert!(err(&blob(&[&rsa, b"ns", b"", b"sha512", &sig()], 1)).contains("ssh-rsa"));
        let long_sig = [sig(), vec![0]].concat();
        assert!(
            err(&blob(&[&key(), b"ns", b"", b"sha512", &long_sig], 1))
                .contains("after the Ed25519 signature")
        );
        let mut huge = good.clone();
        huge[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(err(&huge).contains("too large"));
    }

    #[test]
    fn armor_follows_openssh() {
        let body = "U1NIU0lH";
        let ok = |s: &str| dearmor(s.as_bytes());
        assert_eq!(ok(&format!("{BEGIN}{body}\n{END}\n")).unwrap(), b"SSHSIG");
        assert_eq!(ok(&format!("{BEGIN}{body}\n{END}")).unwrap(), b"SSHSIG");
        assert_eq!(
            ok(&format!("{BEGIN}U1NI\r\nU0lH\r\n{END}\r\n")).unwrap(),
            b"SSHSIG"
        );
        assert!(ok(&format!(" {BEGIN}{body}\n{END}\n")).is_err());
        assert!(ok(&format!("-----BEGIN SSH SIGNATURE----- \n{body}\n{END}\n")).is_err());
        assert!(ok(&format!("{BEGIN}{body}{END}\n")).is_err());
        assert!(ok(&format!("{BEGIN}{body}\n{END}\nx")).is_err());
        assert!(ok(&format!("{BEGIN}{body}\n-----END SSH SIGNATURE----\n")).is_err());
    }
}
