#!/usr/bin/env python3
"""Regenerate the hermetic test fixtures in `test-workspaces/`.

    python3 test-workspaces/regenerate.py            # everything
    python3 test-workspaces/regenerate.py --vendor   # only vendor/ + cargo-home/
    python3 test-workspaces/regenerate.py --scenarios  # only the scenario folders

Needs `cargo` on PATH and nothing else; it never touches the network (every cargo call
runs with `--offline` and a throw-away CARGO_HOME).

What it writes:

* `vendor/<name>-<version>/`: stand-in crates in cargo's "directory source" layout, as
  `cargo vendor --versioned-dirs` writes it. Each is built as a real crate in a scratch
  directory, packaged with `cargo package --no-verify --allow-dirty`, and the `.crate` is
  unpacked here with a `.cargo-checksum.json` (`package` = SHA-256 of the `.crate`).
* `cargo-home/registry/cache/index.crates.io-1949cf8c6b5b557f/<name>-<version>.crate`:
  a fake CARGO_HOME download cache with those `.crate` files (all crates.io ones except
  `tinyrand`, kept out on purpose so the "not in cache" path can be tested).
* `<scenario>/`: one workspace per scenario (Cargo.toml, Cargo.lock, deny-policy.toml,
  src/main.rs, .cargo/config.toml, SECURITY.md, README.md).

`cargo package` writes tarballs with fixed timestamps, so regenerating normally reproduces
the same `.crate` checksums; if a newer cargo packages differently, they change and every
Cargo.lock with them: regenerate both together (the default), then run
`cargo test --test fixtures_sanity`.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor"
CARGO_HOME = HERE / "cargo-home"
CACHE = CARGO_HOME / "registry" / "cache" / "index.crates.io-1949cf8c6b5b557f"

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
ALTREG_INDEX = "sparse+https://altreg.example.com/index/"
GIT_URL = "https://github.com/example/gitdep"
GIT_REV = "468606bdedaebcc6e5deab1320c0203979220283"

# Crates kept out of the fake download cache (besides the non-crates.io ones).
NOT_IN_CACHE = {"tinyrand"}

MIT_TEXT = """MIT License

Copyright (c) 2024 The licfile authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

GPL_NOTICE = """gplthing: a tiny checksum library.
Copyright (C) 2023 Example Free Software Collective

This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, version 3.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
GNU General Public License for more details.

You should have received a copy of the GNU General Public License
along with this program.  If not, see <https://www.gnu.org/licenses/>.
"""


def lib(body):
    return textwrap.dedent(body).lstrip()


# name, version -> manifest fields and sources.
# `meta`: "full" (authors, description, homepage, repository), "no-authors",
# "repository-only".
CRATES = [
    dict(
        name="smallfmt", version="1.0.0", license="MIT", meta="full",
        description="Small string formatting helpers: padding and joining.",
        lib=lib('''
            //! Small string formatting helpers.

            /// Pads `s` on the left with spaces up to `width` characters.
            pub fn pad_left(s: &str, width: usize) -> String {
                let len = s.chars().count();
                if len >= width {
                    s.to_string()
                } else {
                    format!("{}{}", " ".repeat(width - len), s)
                }
            }

            /// Joins `parts` with `sep`.
            pub fn join(parts: &[&str], sep: &str) -> String {
                parts.join(sep)
            }

            #[cfg(test)]
            mod tests {
                #[test]
                fn pads() {
                    assert_eq!(super::pad_left("ab", 4), "  ab");
                }
            }
        '''),
    ),
    dict(
        name="tinyrand", version="0.8.0", license="MIT OR Apache-2.0", meta="full",
        description="A tiny xorshift pseudo-random number generator (not for cryptography).",
        lib=lib('''
            //! A tiny xorshift64 pseudo-random number generator. Not for cryptography.

            /// A xorshift64 generator.
            #[derive(Debug, Clone)]
            pub struct Rng(u64);

            impl Rng {
                /// A generator seeded with `seed` (zero is replaced by a fixed constant).
                pub fn seed(seed: u64) -> Self {
                    Rng(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
                }

                /// The next 64-bit value.
                pub fn next_u64(&mut self) -> u64 {
                    let mut x = self.0;
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    self.0 = x;
                    x
                }
            }

            /// A value in `0..bound` from a generator seeded with `seed`.
            pub fn below(seed: u64, bound: u64) -> u64 {
                Rng::seed(seed).next_u64() % bound.max(1)
            }
        '''),
    ),
    dict(
        name="gplthing", version="2.1.0", license="GPL-3.0-only", meta="full",
        description="Adler-32 checksums, GPL licensed.",
        files={"COPYING": GPL_NOTICE},
        lib=lib('''
            //! Adler-32 checksums.

            const MOD: u32 = 65_521;

            /// The Adler-32 checksum of `data`.
            pub fn adler32(data: &[u8]) -> u32 {
                let (mut a, mut b) = (1u32, 0u32);
                for &byte in data {
                    a = (a + u32::from(byte)) % MOD;
                    b = (b + a) % MOD;
                }
                (b << 16) | a
            }

            /// Whether `data` has the checksum `expected`.
            pub fn verify(data: &[u8], expected: u32) -> bool {
                adler32(data) == expected
            }
        '''),
    ),
    dict(
        name="licfile", version="0.3.0", license_file="LICENSE.txt", meta="full",
        description="A crate that declares its license only through a license file.",
        files={"LICENSE.txt": MIT_TEXT},
        lib=lib('''
            //! Byte counting helpers.

            /// Number of lines in `text`.
            pub fn count_lines(text: &str) -> usize {
                text.lines().count()
            }

            /// Number of words in `text`.
            pub fn count_words(text: &str) -> usize {
                text.split_whitespace().count()
            }
        '''),
    ),
    dict(
        name="nolicense", version="0.1.0", meta="no-authors",
        description="A crate whose manifest declares no license at all.",
        lib=lib('''
            //! Clamping helpers.

            /// Clamps `v` into `lo..=hi`.
            pub fn clamp(v: i64, lo: i64, hi: i64) -> i64 {
                v.max(lo).min(hi)
            }

            /// Whether `v` lies in `lo..=hi`.
            pub fn within(v: i64, lo: i64, hi: i64) -> bool {
                (lo..=hi).contains(&v)
            }
        '''),
    ),
    dict(
        name="legacyslash", version="1.2.0", license="MIT/Apache-2.0", meta="full",
        description="A crate with a license in the legacy slash syntax.",
        lib=lib('''
            //! Case conversion helpers.

            /// `snake_case` to `kebab-case`.
            pub fn kebab(s: &str) -> String {
                s.replace('_', "-")
            }

            /// `kebab-case` to `snake_case`.
            pub fn snake(s: &str) -> String {
                s.replace('-', "_")
            }
        '''),
    ),
    dict(
        name="ringlike", version="0.17.0", license="MIT AND ISC AND OpenSSL", meta="full",
        description="Stand-in for a crypto crate with a combined license.",
        lib=lib('''
            //! Constant-time helpers (a stand-in for a crypto crate).

            /// Compares two byte strings without an early exit.
            pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
                if a.len() != b.len() {
                    return false;
                }
                a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
            }

            /// XORs `key` into `data`, repeating the key.
            pub fn xor_in_place(data: &mut [u8], key: &[u8]) {
                if key.is_empty() {
                    return;
                }
                for (i, byte) in data.iter_mut().enumerate() {
                    *byte ^= key[i % key.len()];
                }
            }
        '''),
    ),
    *[
        dict(
            name="vulnlib", version=v, license="MIT", meta="full",
            description="Parses simple key=value headers.",
            deps={"smallfmt": "1"},
            lib=lib(f'''
                //! Parses simple `key=value` headers.{" Version 1.2.5 bounds the header length." if v == "1.2.5" else ""}

                /// Parses `key=value` into its two halves.
                pub fn parse_header(line: &str) -> Option<(&str, &str)> {{
                    {"if line.len() > 8192 { return None; }" if v == "1.2.5" else "// 1.2.0: no length limit"}
                    line.split_once('=')
                }}

                /// Formats a header with the key padded to `width`.
                pub fn format_header(key: &str, value: &str, width: usize) -> String {{
                    format!("{{}}={{}}", smallfmt::pad_left(key, width), value)
                }}
            '''),
        )
        for v in ("1.2.0", "1.2.5")
    ],
    dict(
        name="oldlib", version="0.5.0", license="MIT", meta="repository-only",
        lib=lib('''
            //! An old helper library nobody maintains any more.

            /// Doubles `x`.
            pub fn double(x: u32) -> u32 {
                x.wrapping_mul(2)
            }

            /// Halves `x`.
            pub fn halve(x: u32) -> u32 {
                x / 2
            }
        '''),
    ),
    dict(
        name="unsoundlib", version="0.3.0", license="MIT", meta="full",
        description="Buffer helpers (with a known soundness issue in the real world).",
        lib=lib('''
            //! Buffer helpers.

            /// The first `n` bytes of `buf` (or all of it).
            pub fn prefix(buf: &[u8], n: usize) -> &[u8] {
                &buf[..n.min(buf.len())]
            }

            /// Sum of all bytes.
            pub fn byte_sum(buf: &[u8]) -> u64 {
                buf.iter().map(|&b| u64::from(b)).sum()
            }
        '''),
    ),
    dict(
        name="withdrawnlib", version="1.0.0", license="MIT", meta="full",
        description="Temperature conversions.",
        lib=lib('''
            //! Temperature conversions.

            /// Celsius to Fahrenheit.
            pub fn c_to_f(c: f64) -> f64 {
                c * 9.0 / 5.0 + 32.0
            }

            /// Fahrenheit to Celsius.
            pub fn f_to_c(f: f64) -> f64 {
                (f - 32.0) * 5.0 / 9.0
            }
        '''),
    ),
    dict(
        name="winonly", version="0.2.0", license="MIT", meta="full",
        description="Windows path helpers.",
        lib=lib('''
            //! Windows path helpers.

            /// Replaces forward slashes with backslashes.
            pub fn to_backslashes(p: &str) -> String {
                p.replace('/', "\\\\")
            }

            /// Whether `p` starts with a drive letter such as `C:`.
            pub fn has_drive(p: &str) -> bool {
                let b = p.as_bytes();
                b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
            }
        '''),
    ),
    dict(
        name="devonly", version="1.0.0", license="MIT", meta="full",
        description="Test assertion helpers.",
        lib=lib('''
            //! Test assertion helpers.

            /// Whether `a` and `b` differ by at most `eps`.
            pub fn approx_eq(a: f64, b: f64, eps: f64) -> bool {
                (a - b).abs() <= eps
            }

            /// Whether `haystack` contains every one of `needles`.
            pub fn contains_all(haystack: &str, needles: &[&str]) -> bool {
                needles.iter().all(|n| haystack.contains(n))
            }
        '''),
    ),
    *[
        dict(
            name="multirange", version=v, license="Apache-2.0", meta="full",
            description="Integer range sets.",
            lib=lib(f'''
                //! Integer range sets (major version {v.split(".")[0]}).

                /// The major version of this crate.
                pub const MAJOR: u32 = {v.split(".")[0]};

                /// Whether `x` lies in any of `ranges` (inclusive bounds).
                pub fn in_any(x: i64, ranges: &[(i64, i64)]) -> bool {{
                    ranges.iter().any(|&(lo, hi)| lo <= x && x <= hi)
                }}

                /// Total number of integers covered (ranges assumed disjoint).
                pub fn covered(ranges: &[(i64, i64)]) -> u64 {{
                    ranges.iter().map(|&(lo, hi)| (hi - lo + 1).max(0) as u64).sum()
                }}
            '''),
        )
        for v in ("2.0.0", "3.1.0")
    ],
    dict(
        name="buildhelper", version="1.0.0", license="MIT", meta="full",
        description="Helpers for build scripts.",
        lib=lib('''
            //! Helpers for build scripts.

            /// A `cargo:rustc-env=KEY=VALUE` line.
            pub fn rustc_env(key: &str, value: &str) -> String {
                format!("cargo:rustc-env={key}={value}")
            }

            /// A `cargo:rerun-if-changed=PATH` line.
            pub fn rerun_if_changed(path: &str) -> String {
                format!("cargo:rerun-if-changed={path}")
            }
        '''),
    ),
    dict(
        name="derivehelper", version="1.0.0", license="MIT", meta="full",
        description="A derive macro that adds a `describe()` function.",
        proc_macro=True,
        lib=lib('''
            //! `#[derive(Describe)]`: adds `fn describe() -> &'static str` returning the type name.

            use proc_macro::{TokenStream, TokenTree};

            /// Derives an inherent `describe()` function returning the type's name.
            #[proc_macro_derive(Describe)]
            pub fn derive_describe(input: TokenStream) -> TokenStream {
                let mut tokens = input.into_iter();
                let mut name = None;
                while let Some(tt) = tokens.next() {
                    if let TokenTree::Ident(ident) = &tt {
                        let kw = ident.to_string();
                        if kw == "struct" || kw == "enum" {
                            if let Some(TokenTree::Ident(n)) = tokens.next() {
                                name = Some(n.to_string());
                            }
                            break;
                        }
                    }
                }
                let name = name.expect("Describe can only be derived for structs and enums");
                format!("impl {name} {{ pub fn describe() -> &'static str {{ \\"{name}\\" }} }}")
                    .parse()
                    .expect("generated code parses")
            }
        '''),
    ),
    dict(
        name="yankedlib", version="1.0.0", license="MIT", meta="full",
        description="Checksum helpers (this version was yanked).",
        lib=lib('''
            //! Checksum helpers.

            /// A simple additive checksum.
            pub fn sum8(data: &[u8]) -> u8 {
                data.iter().fold(0u8, |acc, &b| acc.wrapping_add(b))
            }

            /// XOR of all bytes.
            pub fn xor8(data: &[u8]) -> u8 {
                data.iter().fold(0u8, |acc, &b| acc ^ b)
            }
        '''),
    ),
    dict(
        name="gitdep", version="0.1.0", license="MIT", meta="full", source="git",
        description="A crate used straight from its git repository.",
        lib=lib('''
            //! A crate used from git.

            /// A greeting.
            pub fn greet(name: &str) -> String {
                format!("hello, {name}")
            }

            /// The length of the greeting for `name`.
            pub fn greet_len(name: &str) -> usize {
                greet(name).len()
            }
        '''),
    ),
    dict(
        name="altreg", version="0.4.0", license="MIT", meta="full", source="altreg",
        description="A crate published on a company registry.",
        lib=lib('''
            //! A crate from an alternative registry.

            /// The registry this crate lives on.
            pub fn registry() -> &'static str {
                "altreg.example.com"
            }

            /// Adds one.
            pub fn incr(x: u64) -> u64 {
                x + 1
            }
        '''),
    ),
]


def toml_str(s):
    return json.dumps(s)


def crate_manifest(c):
    lines = ["[package]", f'name = "{c["name"]}"', f'version = "{c["version"]}"', 'edition = "2021"']
    meta = c["meta"]
    repo = f'https://git.example.org/{c["name"]}/{c["name"]}'
    if meta == "full":
        lines.append(f'authors = ["{c["name"].capitalize()} Maintainers <maintainers@{c["name"]}.example.org>"]')
    if meta in ("full", "no-authors"):
        lines.append(f'description = {toml_str(c["description"])}')
        lines.append(f'homepage = "https://{c["name"]}.example.org"')
        lines.append(f'documentation = "https://docs.example.org/{c["name"]}"')
    lines.append(f'repository = "{repo}"')
    if "license" in c:
        lines.append(f'license = {toml_str(c["license"])}')
    if "license_file" in c:
        lines.append(f'license-file = {toml_str(c["license_file"])}')
    if meta in ("full", "no-authors"):
        lines.append('keywords = ["example"]')
    if c.get("proc_macro"):
        lines += ["", "[lib]", "proc-macro = true"]
    if c.get("deps"):
        lines += ["", "[dependencies]"]
        lines += [f'{k} = "{v}"' for k, v in c["deps"].items()]
    return "\n".join(lines) + "\n"


def sha256_file(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def run(cmd, cwd, env=None, check=True):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"command failed in {cwd}: {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return r


def scratch_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARGO")}
    env["CARGO_HOME"] = str(home)
    env["CARGO_NET_OFFLINE"] = "true"
    env.pop("RUSTFLAGS", None)
    return env


def write_checksums(dest, package_sum):
    files = {}
    for p in sorted(dest.rglob("*")):
        if p.is_file() and p.name != ".cargo-checksum.json":
            files[p.relative_to(dest).as_posix()] = sha256_file(p)
    (dest / ".cargo-checksum.json").write_text(
        json.dumps({"files": files, "package": package_sum}, separators=(",", ":"), sort_keys=True)
    )


def build_vendor():
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    if CARGO_HOME.exists():
        shutil.rmtree(CARGO_HOME)
    VENDOR.mkdir(parents=True)
    CACHE.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="cra-vendor-") as tmp:
        tmp = Path(tmp)
        home = tmp / "cargo-home"
        home.mkdir()
        env = scratch_env(home)
        # Crates without dependencies first, so `vulnlib` can resolve `smallfmt` from vendor/.
        for c in sorted(CRATES, key=lambda c: bool(c.get("deps"))):
            src = tmp / "src" / f'{c["name"]}-{c["version"]}'
            (src / "src").mkdir(parents=True)
            (src / "Cargo.toml").write_text(crate_manifest(c))
            (src / "src" / "lib.rs").write_text(c["lib"])
            (src / "README.md").write_text(
                f'# {c["name"]}\n\n{c.get("description", "A small library.")}\n\n'
                "Stand-in crate for the cargo-cra test fixtures.\n"
            )
            for name, text in c.get("files", {}).items():
                (src / name).write_text(text)
            (src / ".cargo").mkdir()
            (src / ".cargo" / "config.toml").write_text(
                '[source.crates-io]\nreplace-with = "vendored-sources"\n\n'
                f'[source.vendored-sources]\ndirectory = "{VENDOR}"\n'
            )
            run(["cargo", "package", "--no-verify", "--allow-dirty", "--offline", "--quiet"], src, env)
            crate = src / "target" / "package" / f'{c["name"]}-{c["version"]}.crate'
            dest = VENDOR / f'{c["name"]}-{c["version"]}'
            with tarfile.open(crate, "r:gz") as tar:
                tar.extractall(VENDOR, filter="data")
            assert dest.is_dir(), dest
            source = c.get("source", "crates-io")
            package_sum = None if source == "git" else sha256_file(crate)
            write_checksums(dest, package_sum)
            if source == "crates-io" and c["name"] not in NOT_IN_CACHE:
                shutil.copy(crate, CACHE / crate.name)
    (CARGO_HOME / "README.md").write_text(CARGO_HOME_README)


CARGO_HOME_README = """# Fake CARGO_HOME

`registry/cache/index.crates.io-1949cf8c6b5b557f/` holds the `.crate` files of the
vendored crates.io stand-ins (`../vendor`), as cargo 1.85+ stores downloads from the
crates.io sparse index. The SBOM tests point CARGO_HOME at a copy of this folder to compute
SHA-512 hashes of crate files.

Left out on purpose:

* `tinyrand-0.8.0.crate`: tests the "crate file not in the cache" path.
* `gitdep` (git source, no `.crate`) and `altreg` (alternative registry).

Generated by `../regenerate.py`; do not edit by hand.
"""



# ---------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------

VENDOR_CONFIG = """\
# Source replacement into the shared vendor directory, as `cargo vendor` prints it:
# nothing is ever downloaded.
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "../vendor"
"""

GIT_CONFIG = f"""\
[source."git+{GIT_URL}?rev={GIT_REV}"]
git = "{GIT_URL}"
rev = "{GIT_REV}"
replace-with = "vendored-sources"
"""

ALTREG_CONFIG = f"""\
[registries.altreg]
index = "{ALTREG_INDEX}"

[source.altreg-src]
registry = "{ALTREG_INDEX}"
replace-with = "vendored-sources"
"""

MANUFACTURER = (
    'manufacturer = { name = "Example GmbH", email = "security@example.com", '
    'url = "https://example.com", address = "Examplestrasse 1, 10115 Berlin, DE" }'
)

COMPANY_KEYS = f"""\
{MANUFACTURER}
security-contact = "mailto:security@example.com"
vulnerability-disclosure-policy = "SECURITY.md"
"""


# Where the product is made available and the main establishment (CRA Art. 14(2)(a), 14(7)).
MARKET_KEYS = """\
markets = ["EU"]
main-establishment = "DE"
"""


def cra_block(purpose, support_end="2031-12", release_date="2026-12-01", extra=""):
    return (
        "[package.metadata.cra]\n"
        + COMPANY_KEYS
        + f'support-end = "{support_end}"\n'
        + f'release-date = "{release_date}"\n'
        + 'product-class = "default"\n'
        + f"intended-purpose = {toml_str(purpose)}\n"
        + MARKET_KEYS
        + extra
    )


SECURITY_MD = """\
# Security policy

Example GmbH handles vulnerabilities in this product under its coordinated vulnerability
disclosure policy.

## Reporting a vulnerability

Write to security@example.com (PGP key at https://example.com/pgp). We acknowledge reports
within 3 working days and publish an advisory once a fix is available.

## Supported versions

Each release receives security updates until the `support-end` date declared in its
manifest.
"""


def policy(name, licenses_extra="", sources_extra="", allow='["MIT", "Apache-2.0", "ISC"]', tail=""):
    return f"""\
# deny-policy.toml for the `{name}` test scenario.

[licenses]
allow = {allow}
include-dev = false
include-build = true
{licenses_extra}
[licenses.private]
ignore = true

[sources]
allow-registry = ["crates-io"]
allow-git = []
unknown-registry = "deny"
unknown-git = "deny"
{sources_extra}
[product]
min-support-years = 5
{tail}"""


def simple_main(doc, lines):
    body = "\n".join("    " + l for l in lines)
    return f"//! {doc}\n\nfn main() {{\n{body}\n}}\n"


def S(name, **kw):
    kw["name"] = name
    kw.setdefault("deps", ['smallfmt = "1"'])
    kw.setdefault("main", simple_main(f"`{name}` scenario.", ['println!("{}", smallfmt::pad_left("ok", 4));']))
    kw.setdefault("cra", cra_block(f"Command-line tool used as the `{name}` cargo-cra test product."))
    kw.setdefault("policy", policy(name))
    kw.setdefault("lockfile", 4)
    kw.setdefault("config", VENDOR_CONFIG)
    return kw


BASIC_MAIN = simple_main(
    "Prints a padded random number.",
    [
        "let n = tinyrand::below(7, 100);",
        'println!("{}", smallfmt::pad_left(&n.to_string(), 5));',
    ],
)

CLEAN_MAIN = """\
//! `clean` scenario: every kind of dependency, all of them allowed.

#[derive(derivehelper::Describe)]
struct Report;

fn main() {
    let roll = tinyrand::below(42, 6) + 1;
    let words = [Report::describe().to_string(), legacyslash::kebab("all_clear"), roll.to_string()];
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    println!("{}", smallfmt::pad_left(&smallfmt::join(&refs, " "), 40));
    println!("build note: {}", env!("CLEAN_BUILD_NOTE"));
}

#[cfg(test)]
mod tests {
    #[test]
    fn approx() {
        assert!(devonly::approx_eq(0.1 + 0.2, 0.3, 1e-9));
    }
}
"""

CLEAN_BUILD_RS = """\
fn main() {
    println!("{}", buildhelper::rustc_env("CLEAN_BUILD_NOTE", "set by buildhelper"));
    println!("{}", buildhelper::rerun_if_changed("build.rs"));
}
"""

PLATFORM_MAIN = """\
//! `platform-deps` scenario: a graph for the advisory tests.

fn main() {
    let header = vulnlib::parse_header("key=value");
    println!("{:?}", header);
    println!("{}", smallfmt::pad_left("x", 3));
    println!("{}", oldlib::double(21));
    println!("{}", unsoundlib::byte_sum(unsoundlib::prefix(b"abc", 2)));
    println!("{}", withdrawnlib::c_to_f(100.0));
    println!("{} {}", multirange::in_any(5, &[(1, 10)]), multirange3::MAJOR);
    println!("{}", yankedlib::sum8(b"abc"));
    #[cfg(windows)]
    println!("{}", winonly::to_backslashes("a/b"));
}

#[cfg(test)]
mod tests {
    #[test]
    fn contains() {
        assert!(devonly::contains_all("abc", &["a", "c"]));
    }
}
"""

CLARIFY_HASH = hashlib.sha256(MIT_TEXT.encode()).hexdigest()

SCENARIOS = [
    S(
        "clean",
        deps=['smallfmt = "1"', 'tinyrand = "0.8"', 'legacyslash = "1.2"', 'derivehelper = "1"'],
        build_deps=['buildhelper = "1"'],
        dev_deps=['devonly = "1"'],
        main=CLEAN_MAIN,
        build_rs=CLEAN_BUILD_RS,
        policy=policy(
            "clean",
            tail=(
                "\n# The README's first command runs `cargo cra check` here against the bundled\n"
                "# advisory database fixture (tests/fixtures/advisory-db), which is frozen on purpose:\n"
                "# accept its age so that the demo keeps working. Real policies keep the default (90).\n"
                "[advisories]\nmaximum-db-staleness = 36500\n"
            ),
        ),
        expect=0,
        readme="""\
Everything passes. Dependencies of every kind: normal (`smallfmt` MIT, `tinyrand`
"MIT OR Apache-2.0", `legacyslash` with the legacy slash syntax "MIT/Apache-2.0", which
must be read as "MIT OR Apache-2.0"), a proc-macro (`derivehelper`, used in main.rs), a
build-dependency (`buildhelper`, used in build.rs) and a dev-dependency (`devonly`).
CRA metadata is complete, the support period is exactly 5 years.""",
    ),
    S(
        "license-denied",
        deps=['smallfmt = "1"', 'gplthing = "2.1"'],
        main=simple_main("Prints a checksum.", ['println!("{}", smallfmt::pad_left(&gplthing::adler32(b"abc").to_string(), 12));']),
        expect=1,
        readme="""\
`gplthing 2.1.0` is licensed `GPL-3.0-only`, which the policy does not allow: one license
violation naming `gplthing@2.1.0` and `GPL-3.0-only`.""",
    ),
    S(
        "license-clarified",
        deps=['licfile = "0.3"'],
        main=simple_main("Counts words.", ['println!("{}", licfile::count_words("a b c"));']),
        policy=policy(
            "license-clarified",
            licenses_extra=(
                "clarify = [\n"
                '    { name = "licfile", version = "0.3", expression = "MIT", license-files = [\n'
                f'        {{ path = "LICENSE.txt", hash = "{CLARIFY_HASH}" }},\n'
                "    ] },\n"
                "]\n"
            ),
        ),
        expect=0,
        readme=f"""\
`licfile 0.3.0` has no `license`, only `license-file = "LICENSE.txt"` (MIT text). The policy
clarifies it as `MIT`, pinned to the SHA-256 of that file
(`{CLARIFY_HASH}`): passes. Changing a byte of
`vendor/licfile-0.3.0/LICENSE.txt` (in a test's copy) must invalidate the clarification.""",
    ),
    S(
        "license-detected",
        deps=['licfile = "0.3"'],
        main=simple_main("Counts words.", ['println!("{}", licfile::count_words("a b c"));']),
        expect=0,
        readme="""\
`licfile 0.3.0` has no `license`, only `license-file = "LICENSE.txt"` (MIT text), and the
policy has no `clarify` entry for it (`license-clarified` without the clarification): the
license is identified from the file's text, as cargo-deny does (askalono's classifier, score
at least `confidence-threshold`, default 0.8), and MIT is allowed: passes. Replacing the text
with something that is no known license makes it `license-missing`.""",
    ),
    S(
        "license-exception",
        deps=['ringlike = "0.17"'],
        main=simple_main("Compares two strings.", ['println!("{}", ringlike::ct_eq(b"a", b"a"));']),
        policy=policy(
            "license-exception",
            licenses_extra='exceptions = [\n    { name = "ringlike", allow = ["OpenSSL"] },\n]\n',
        ),
        expect=0,
        readme="""\
`ringlike 0.17.0` is "MIT AND ISC AND OpenSSL". OpenSSL is not in `allow`, but an exception
allows it for `ringlike` alone: passes.""",
    ),
    S(
        "no-license",
        deps=['nolicense = "0.1"'],
        main=simple_main("Clamps a number.", ['println!("{}", nolicense::clamp(15, 0, 10));']),
        expect=1,
        readme="""\
`nolicense 0.1.0` declares neither `license` nor `license-file` (it also has no `authors`):
one license violation saying the crate has no license.""",
    ),
    S(
        "git-source-denied",
        deps=[f'gitdep = {{ git = "{GIT_URL}", rev = "{GIT_REV}" }}', 'smallfmt = "1"'],
        main=simple_main("Greets.", ['println!("{}", smallfmt::pad_left(&gitdep::greet("cra"), 20));']),
        config=VENDOR_CONFIG + "\n" + GIT_CONFIG,
        expect=1,
        readme=f"""\
`gitdep 0.1.0` comes from git (`{GIT_URL}`, rev `{GIT_REV}`); the
policy has `allow-git = []` and `unknown-git = "deny"`: one source violation for `gitdep`.
Its source id in `cargo metadata` is
`git+{GIT_URL}?rev={GIT_REV}#{GIT_REV}`.
(The git source is replaced by `../vendor`, so nothing is cloned.)""",
    ),
    S(
        "unknown-registry",
        deps=['altreg = { version = "0.4", registry = "altreg" }', 'smallfmt = "1"'],
        main=simple_main("Counts.", ['println!("{} {}", altreg::registry(), smallfmt::pad_left(&altreg::incr(1).to_string(), 3));']),
        config=VENDOR_CONFIG + "\n" + ALTREG_CONFIG,
        expect=1,
        readme=f"""\
`altreg 0.4.0` comes from the alternative registry `altreg` (`{ALTREG_INDEX}`,
declared in `.cargo/config.toml` and replaced by `../vendor`). The policy only allows
`crates-io` and has `unknown-registry = "deny"`: one source violation for `altreg`. Its source
id in `cargo metadata` is `{ALTREG_INDEX}`.""",
    ),
    S(
        "missing-cra-metadata",
        cra=None,
        expect=1,
        readme="""\
The product (a binary) has no `[package.metadata.cra]` table at all: metadata violations
for each required key (manufacturer, security-contact, vulnerability-disclosure-policy,
support-end, release-date, product-class, intended-purpose). Dependencies are clean.""",
    ),
    S(
        "support-too-short",
        cra=cra_block("Migration helper used as a cargo-cra test product.", support_end="2028-06"),
        expect=1,
        readme="""\
`release-date = "2026-12-01"`, `support-end = "2028-06"`: about 1.5 years, below
`min-support-years = 5`, and no `support-period-justification`: one metadata violation about
the support period.""",
    ),
    S(
        "support-justified",
        cra=cra_block(
            "Migration helper used as a cargo-cra test product.",
            support_end="2028-06",
            extra=(
                "support-period-justification = \"The product migrates customer data to version 3 "
                "of our platform and is withdrawn when the migration window closes in 2028; "
                "its expected time in use is 18 months (CRA Art. 13(8)).\"\n"
            ),
        ),
        expect=0,
        readme="""\
Same short support period as `support-too-short` (2026-12-01 to 2028-06), but with a
`support-period-justification`: passes (a note/warning about the short period is fine, but
no violation).""",
    ),
    S(
        "lockfile-v1",
        deps=['smallfmt = "1"', 'tinyrand = "0.8"'],
        main=BASIC_MAIN,
        lockfile=1,
        expect=0,
        readme="""\
Same dependencies as a small clean product (`smallfmt`, `tinyrand`), with a Cargo.lock in
format version 1: no `version =` line, dependencies written as "name version (source)",
checksums in a `[metadata]` table. `cargo metadata --locked` accepts it without rewriting
it. Passes.""",
    ),
    S(
        "lockfile-v3",
        deps=['smallfmt = "1"', 'tinyrand = "0.8"'],
        main=BASIC_MAIN,
        lockfile=3,
        expect=0,
        readme="""\
`smallfmt` + `tinyrand` with a Cargo.lock in format version 3 (`version = 3`). Cargo keeps
it as it is under `--locked`. Passes.""",
    ),
    S(
        "lockfile-v4",
        deps=['smallfmt = "1"', 'tinyrand = "0.8"'],
        main=BASIC_MAIN,
        lockfile=4,
        expect=0,
        readme="""\
`smallfmt` + `tinyrand` with a Cargo.lock in format version 4 (`version = 4`, cargo's
current default). Passes.""",
    ),
    S(
        "no-lockfile",
        lockfile=None,
        expect=2,
        extra_files={".gitignore": "# This scenario must never have a Cargo.lock.\n/Cargo.lock\n"},
        readme="""\
There is NO Cargo.lock here, on purpose: do not commit one (`.gitignore` keeps it out). A
compliance check needs the exact versions, so `cargo cra check` cannot run (it must not
create a lockfile itself): exit 2, with a message saying the lockfile is missing (for example
suggesting `cargo generate-lockfile`).""",
    ),
    S(
        "malformed-policy",
        policy="""\
# deny-policy.toml for the `malformed-policy` test scenario: line 5 is not valid TOML.

[licenses]
allow = ["MIT", "Apache-2.0", "ISC"]
include-dev false

[sources]
allow-registry = ["crates-io"]
""",
        expect=2,
        readme="""\
`deny-policy.toml` has a TOML syntax error on line 5 (`include-dev false`, the `=` is
missing): exit 2, with a diagnostic pointing at `deny-policy.toml` line 5.""",
    ),
    S(
        "policy-unknown-key",
        policy="""\
# deny-policy.toml for the `policy-unknown-key` test scenario: `alow` is a typo.

[licenses]
alow = ["MIT", "Apache-2.0", "ISC"]

[sources]
allow-registry = ["crates-io"]
""",
        expect=2,
        readme="""\
`deny-policy.toml` line 4 has the unknown key `alow` in `[licenses]` (a typo of `allow`).
Unknown keys are errors: exit 2, with a diagnostic naming `alow` at line 4 (ideally
suggesting `allow`).""",
    ),
    S(
        "policy-bad-spdx",
        policy="""\
# deny-policy.toml for the `policy-bad-spdx` test scenario: `Apachee-2.0` is no SPDX id.

[licenses]
allow = ["MIT", "Apachee-2.0"]

[sources]
allow-registry = ["crates-io"]
""",
        expect=2,
        readme="""\
`deny-policy.toml` line 4 allows `"Apachee-2.0"`, which is not an SPDX license identifier:
exit 2, with a diagnostic naming `Apachee-2.0` at line 4 (ideally suggesting `Apache-2.0`).""",
    ),
    S(
        "policy-wrong-type",
        policy="""\
# deny-policy.toml for the `policy-wrong-type` test scenario: include-dev must be a boolean.

[licenses]
allow = ["MIT", "Apache-2.0", "ISC"]
include-dev = "yes"

[sources]
allow-registry = ["crates-io"]
""",
        expect=2,
        readme="""\
`deny-policy.toml` line 5 has `include-dev = "yes"`: a string where a boolean is expected.
Exit 2, with a diagnostic at line 5 saying a boolean was expected.""",
    ),
    S(
        "platform-deps",
        deps=[
            'smallfmt = "1"',
            'vulnlib = "=1.2.0"',
            'oldlib = "0.5"',
            'unsoundlib = "0.3"',
            'withdrawnlib = "1"',
            'multirange = "2"',
            'multirange3 = { package = "multirange", version = "3.1" }',
            'yankedlib = "1"',
        ],
        target_deps={"cfg(windows)": ['winonly = "0.2"']},
        dev_deps=['devonly = "1"'],
        main=PLATFORM_MAIN,
        expect=1,
        readme="""\
The dependency graph for the advisory tests (the advisory database fixture is written
separately): `vulnlib 1.2.0` (vulnerable; 1.2.5 is patched), `oldlib 0.5.0` (unmaintained),
`unsoundlib 0.3.0` (unsound), `withdrawnlib 1.0.0` (withdrawn advisory),
`multirange 2.0.0` and, renamed as `multirange3`, `multirange 3.1.0` (two versions of one
crate), `yankedlib 1.0.0` (yanked), `smallfmt` (via `vulnlib` too), `winonly 0.2.0` only
under `[target.'cfg(windows)'.dependencies]` and `devonly` only as a dev-dependency.
All licenses are allowed. With that advisory database, `cargo cra check` reports the
`vulnlib` vulnerability (and `unsound = "deny"` by default): exit 1.""",
    ),
    S(
        "report-vulnerable",
        deps=['vulnlib = "=1.2.0"'],
        main=simple_main("Parses a header.", ['println!("{:?}", vulnlib::parse_header("a=b"));']),
        cra=cra_block(
            "Command-line tool used as the `report-vulnerable` cargo-cra test product.",
        ).replace('markets = ["EU"]', 'markets = ["DE", "AT", "FR"]'),
        expect=1,
        readme="""\
The product links `vulnlib 1.2.0`, which the advisory database fixture's RUSTSEC-2099-0001
affects (fixed in 1.2.5): the scenario of the `cargo cra report` tests (tests/report.rs),
from `report new RUSTSEC-2099-0001` to the final report and the CSAF advisory. Its
`markets` are DE, AT and FR, its `main-establishment` DE. `cargo cra check` fails on the
advisory.""",
    ),
    S(
        "markets-invalid",
        cra=cra_block(
            "Command-line tool used as the `markets-invalid` cargo-cra test product.",
        ).replace('markets = ["EU"]', 'markets = ["DE", "XX", "fr"]').replace(
            'main-establishment = "DE"', 'main-establishment = "EU"'
        ),
        expect=1,
        readme="""\
`markets = ["DE", "XX", "fr"]`: `XX` is not a Member State and `fr` must be written `FR`
(`cra-markets-invalid`); `main-establishment = "EU"` is not one Member State
(`cra-main-establishment-invalid`).""",
    ),
    S(
        "security-txt",
        cra=cra_block(
            "Command-line tool used as the `security-txt` cargo-cra test product.",
        ).replace('security-contact = "mailto:security@example.com"', 'security-contact = "https://example.com/security"'),
        extra_files={
            ".well-known/security.txt": """\
# The RFC 9116 security.txt of the security-txt scenario.
Contact: https://example.com/security
Contact: mailto:security@example.com
Expires: 2027-06-01T00:00:00Z
Policy: https://example.com/security-policy
Preferred-Languages: en, de
""",
        },
        expect=0,
        readme="""\
The security contact is a web address (`https://example.com/security`), so `cargo cra check`
looks for an RFC 9116 security.txt: `.well-known/security.txt` lists it as a `Contact` and
expires on 2027-06-01, after the tests' "today" (2026-12-01). The tests change the file
(expired, no `Contact`, no `Expires`, removed) to see each diagnostic.""",
    ),
    S(
        "patched",
        deps=['vulnlib = "1.2.5"'],
        main=simple_main("Parses a header.", ['println!("{:?}", vulnlib::parse_header("a=b"));']),
        expect=0,
        readme="""\
Depends on `vulnlib 1.2.5`, the patched version (and through it on `smallfmt`). With the
advisory database fixture, the `vulnlib` advisory does not apply: exit 0.""",
    ),
]

MULTI_MEMBER = dict(name="multi-member", expect=0, readme="""\
A virtual workspace with three members:

* `app` (binary: a product) and `cli-tool` (binary: a product), both with a path
  dependency on `corelib`;
* `corelib` (library only: not a product; `publish = false`, so with
  `[licenses.private] ignore = true` it is not license-checked itself), depending on
  `smallfmt`.

`[workspace.metadata.cra]` holds manufacturer, security-contact,
vulnerability-disclosure-policy (`SECURITY.md` at the workspace root) and product-class; each
product's `[package.metadata.cra]` holds its own support-end, release-date and
intended-purpose (inheritance by key). `app`: 2026-12-01 to 2031-12; `cli-tool`: 2026-10-01
to 2032-03. Passes.""")


def cargo_toml(sc):
    out = [
        "[package]",
        f'name = "{sc["name"]}"',
        'version = "1.0.0"',
        'edition = "2021"',
        'license = "MIT"',
        f'description = "cargo-cra test scenario: {sc["name"]}"',
        'repository = "https://git.example.com/products/' + sc["name"] + '"',
        "",
    ]
    if sc.get("cra"):
        out += [sc["cra"].rstrip("\n"), ""]
    out += ["[dependencies]", *sc["deps"], ""]
    for cfg, deps in sc.get("target_deps", {}).items():
        out += [f"[target.'{cfg}'.dependencies]", *deps, ""]
    if sc.get("build_deps"):
        out += ["[build-dependencies]", *sc["build_deps"], ""]
    if sc.get("dev_deps"):
        out += ["[dev-dependencies]", *sc["dev_deps"], ""]
    out += ["# A workspace root of its own: cargo never looks further up.", "[workspace]", ""]
    return "\n".join(out)


EXIT_MEANING = {0: "0 (pass)", 1: "1 (policy violation)", 2: "2 (could not run)"}


def readme(sc):
    return (
        f"# Scenario `{sc['name']}`\n\n{sc['readme']}\n\n"
        f"Expected: `cargo cra check` exits **{EXIT_MEANING[sc['expect']]}**.\n\n"
        "Dependencies come from `../vendor` through source replacement in `.cargo/config.toml`;\n"
        "the fixtures work offline. Generated by `../regenerate.py`.\n"
    )


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def write_scenario(sc):
    d = HERE / sc["name"]
    if d.exists():
        shutil.rmtree(d)
    write(d / "Cargo.toml", cargo_toml(sc))
    write(d / "src" / "main.rs", sc["main"])
    if sc.get("build_rs"):
        write(d / "build.rs", sc["build_rs"])
    write(d / "deny-policy.toml", sc["policy"])
    write(d / ".cargo" / "config.toml", sc["config"])
    if sc.get("cra"):
        write(d / "SECURITY.md", SECURITY_MD)
    for rel, text in sc.get("extra_files", {}).items():
        write(d / rel, text)
    write(d / "README.md", readme(sc))
    return d


def write_multi_member():
    sc = MULTI_MEMBER
    d = HERE / sc["name"]
    if d.exists():
        shutil.rmtree(d)
    write(d / "Cargo.toml", f"""\
[workspace]
resolver = "2"
members = ["app", "cli-tool", "corelib"]

[workspace.package]
edition = "2021"
license = "MIT"
repository = "https://git.example.com/products/multi-member"

# Shared CRA metadata, inherited key by key by every product in the workspace.
[workspace.metadata.cra]
{COMPANY_KEYS}product-class = "default"
{MARKET_KEYS}""")
    write(d / "corelib" / "Cargo.toml", """\
[package]
name = "corelib"
version = "0.4.0"
edition.workspace = true
license.workspace = true
repository.workspace = true
description = "Shared code of the multi-member products (not a product itself)."
publish = false

[dependencies]
smallfmt = "1"
""")
    write(d / "corelib" / "src" / "lib.rs", """\
//! Shared code of the products in this workspace.

/// A banner line for `product`.
pub fn banner(product: &str) -> String {
    smallfmt::pad_left(product, 12)
}
""")
    for member, version, end, release, purpose in (
        ("app", "2.3.0", "2031-12", "2026-12-01", "Desktop application that manages example widgets."),
        ("cli-tool", "1.1.0", "2032-03", "2026-10-01", "Command-line tool that exports example widget data."),
    ):
        write(d / member / "Cargo.toml", f"""\
[package]
name = "{member}"
version = "{version}"
edition.workspace = true
license.workspace = true
repository.workspace = true
description = "A product of the multi-member workspace."

# Product-specific CRA metadata; the rest is inherited from [workspace.metadata.cra].
[package.metadata.cra]
support-end = "{end}"
release-date = "{release}"
intended-purpose = {toml_str(purpose)}

[dependencies]
corelib = {{ path = "../corelib" }}
""")
        write(d / member / "src" / "main.rs", f"""\
//! `{member}`: a product of the multi-member workspace.

fn main() {{
    println!("{{}}", corelib::banner("{member}"));
}}
""")
    write(d / "deny-policy.toml", policy("multi-member"))
    write(d / ".cargo" / "config.toml", VENDOR_CONFIG)
    write(d / "SECURITY.md", SECURITY_MD)
    write(d / "README.md", readme(sc))
    return d


def to_lockfile_v1(v4_text):
    """Rewrites a version-4 lockfile of registry-only packages as a version-1 lockfile."""
    import tomllib

    lock = tomllib.loads(v4_text)
    pkgs = lock["package"]
    by_name = {}
    for p in pkgs:
        by_name.setdefault(p["name"], []).append(p)

    def ref(dep):
        parts = dep.split(" ")
        cands = by_name[parts[0]]
        p = cands[0] if len(parts) == 1 else next(c for c in cands if c["version"] == parts[1])
        s = f'{p["name"]} {p["version"]}'
        if "source" in p:
            s += f' ({p["source"]})'
        return s

    out = []
    for p in pkgs:
        out += ["[[package]]", f'name = "{p["name"]}"', f'version = "{p["version"]}"']
        if "source" in p:
            out.append(f'source = "{p["source"]}"')
        if p.get("dependencies"):
            out.append("dependencies = [")
            out += [f' "{ref(d)}",' for d in p["dependencies"]]
            out.append("]")
        out.append("")
    out.append("[metadata]")
    for p in pkgs:
        if "checksum" in p:
            out.append(f'"checksum {p["name"]} {p["version"]} ({p["source"]})" = "{p["checksum"]}"')
    return "\n".join(out) + "\n"


def verify(d, env, tmp):
    """metadata / tree / build, offline and locked; the lockfile must not change."""
    lock = d / "Cargo.lock"
    before = lock.read_bytes()
    target = tmp / "target"
    for cmd in (
        ["cargo", "metadata", "--format-version", "1", "--locked", "--offline"],
        ["cargo", "tree", "--locked", "--offline", "-e", "all"],
        ["cargo", "build", "--locked", "--offline", "--quiet", "--target-dir", str(target)],
    ):
        run(cmd, d, env)
    if lock.read_bytes() != before:
        sys.exit(f"{d.name}: cargo rewrote Cargo.lock")


def generate_lockfile(d, env):
    """`cargo generate-lockfile`, working around vendored git sources.

    Cargo cannot resolve a git source replaced by a directory without a lockfile ("requires a
    lock file to be present first"), so the git dependency is resolved as a path dependency on
    its vendored copy first, and the entry then gets its git source id, which is what
    `cargo vendor` users have in their lockfiles.
    """
    manifest = d / "Cargo.toml"
    original = manifest.read_text()
    git_dep = f'gitdep = {{ git = "{GIT_URL}", rev = "{GIT_REV}" }}'
    if git_dep in original:
        manifest.write_text(original.replace(git_dep, 'gitdep = { path = "../vendor/gitdep-0.1.0" }'))
    try:
        run(["cargo", "generate-lockfile", "--offline", "--quiet"], d, env)
    finally:
        manifest.write_text(original)
    if git_dep in original:
        lock = d / "Cargo.lock"
        entry = '[[package]]\nname = "gitdep"\nversion = "0.1.0"\n'
        text = lock.read_text()
        assert entry in text, text
        lock.write_text(text.replace(entry, entry + f'source = "git+{GIT_URL}?rev={GIT_REV}#{GIT_REV}"\n'))


def build_scenarios():
    with tempfile.TemporaryDirectory(prefix="cra-scenarios-") as tmp:
        tmp = Path(tmp)
        home = tmp / "cargo-home"
        home.mkdir()
        env = scratch_env(home)
        dirs = []
        for sc in SCENARIOS:
            d = write_scenario(sc)
            if sc["lockfile"] is not None:
                generate_lockfile(d, env)
                lock = d / "Cargo.lock"
                text = lock.read_text()
                assert "\nversion = 4\n" in text, text
                if sc["lockfile"] == 3:
                    lock.write_text(text.replace("\nversion = 4\n", "\nversion = 3\n"))
                elif sc["lockfile"] == 1:
                    # Never run cargo here without --locked afterwards: cargo 1.95 silently
                    # upgrades a v1 lockfile to v4 unless --locked/--frozen is given.
                    lock.write_text(to_lockfile_v1(text))
                dirs.append(d)
        d = write_multi_member()
        generate_lockfile(d, env)
        dirs.append(d)
        for d in dirs:
            verify(d, env, tmp)
            shutil.rmtree(d / "target", ignore_errors=True)
        # no-lockfile must fail under --locked.
        r = run(["cargo", "metadata", "--format-version", "1", "--locked", "--offline"],
                HERE / "no-lockfile", env, check=False)
        assert r.returncode != 0, "no-lockfile: cargo metadata --locked succeeded"
        lock = HERE / "no-lockfile" / "Cargo.lock"
        if lock.exists():
            lock.unlink()


if __name__ == "__main__":
    args = set(sys.argv[1:])
    do_vendor = not args or "--vendor" in args
    do_scenarios = not args or "--scenarios" in args
    if do_vendor:
        build_vendor()
    if do_scenarios:
        build_scenarios()
