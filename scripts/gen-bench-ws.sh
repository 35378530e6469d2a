#!/usr/bin/env bash
# Generates the 1000-crate benchmark workspace of BENCHMARKS.md: one binary depending on
# bevy, tokio, axum, reqwest, aws-sdk-s3, aws-config, sqlx, tonic, wasmtime, polars,
# actix-web, diesel, gix, clap, serde and regex, its Cargo.lock resolved and every package
# downloaded into the cargo cache (needs the network once; benchmarks then run --offline).
#
# Usage: scripts/gen-bench-ws.sh DIR
# The lockfile is resolved against the index of the day it runs, so the package count moves a
# little from one generation to the next (1004 on 2026-11-28); the scripts print it.
set -euo pipefail
dir=$1
mkdir -p "$dir/src"
cat >"$dir/Cargo.toml" <<'TOML'
[package]
name = "bench-ws"
version = "0.1.0"
edition = "2021"
license = "MIT"
description = "Generated benchmark workspace for cargo-cra"
repository = "https://example.com/bench-ws"
publish = false

[dependencies]
bevy = "*"
tokio = { version = "1", features = ["full"] }
axum = "*"
reqwest = "*"
aws-sdk-s3 = "*"
aws-config = "*"
sqlx = "*"
tonic = "*"
wasmtime = "*"
polars = "*"
actix-web = "*"
diesel = "*"
gix = "*"
clap = { version = "4", features = ["derive"] }
serde = { version = "1", features = ["derive"] }
regex = "*"

[package.metadata.cra]
manufacturer = { name = "Example GmbH", email = "security@example.com", url = "https://example.com", address = "Street 1, 10115 Berlin, DE" }
security-contact = "mailto:security@example.com"
vulnerability-disclosure-policy = "https://example.com/security"
support-end = "2031-12"
release-date = "2026-12-01"
product-class = "default"
intended-purpose = "Benchmark workspace"
markets = ["EU"]
main-establishment = "DE"
TOML
# A deny.toml as a team keeps it (cargo-deny v2 keys, read by both tools): three release
# targets, the usual permissive licenses, duplicate versions and wildcards as warnings.
cat >"$dir/deny.toml" <<'TOML'
[graph]
targets = ["x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc"]

[advisories]
unmaintained = "workspace"
yanked = "warn"
ignore = []

[licenses]
allow = ["MIT", "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-2-Clause", "BSD-3-Clause",
         "ISC", "Unicode-3.0", "Zlib", "MPL-2.0", "CC0-1.0", "BSL-1.0", "Unlicense", "CDLA-Permissive-2.0", "0BSD"]
confidence-threshold = 0.8

[bans]
multiple-versions = "warn"
wildcards = "allow"
highlight = "all"
deny = [{ crate = "openssl", reason = "rustls everywhere" }]
skip-tree = [{ crate = "windows-sys", depth = 3 }]

[sources]
unknown-registry = "deny"
unknown-git = "deny"
allow-registry = ["https://github.com/rust-lang/crates.io-index"]
allow-git = []
TOML
echo 'fn main() {}' >"$dir/src/main.rs"
cd "$dir"
cargo generate-lockfile
cargo fetch
echo "packages in Cargo.lock: $(grep -c '^name = ' Cargo.lock)"
