#!/usr/bin/env bash
# Benchmark: `cargo cra check` against `cargo metadata` alone on the same workspace, warm.
# Usage: scripts/bench-check.sh WORKSPACE_DIR [ADVISORY_DB]
# The workspace needs a Cargo.lock, its dependencies in the cargo cache (run `cargo metadata`
# once), and a deny-policy.toml. Requires hyperfine (apt-get install hyperfine).
set -euo pipefail
ws=$(cd "$1" && pwd)
db=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --manifest-path "$here/Cargo.toml" >/dev/null 2>&1
bin="$here/target/release/cargo-cra"
cd "$ws"
echo "packages in Cargo.lock: $(grep -c '^name = ' Cargo.lock)"
db_args=()
[ -n "$db" ] && db_args=(--advisory-db "$db")
hyperfine --warmup 3 --runs 15 -N --ignore-failure \
    "cargo metadata --format-version 1 --filter-platform host-tuple" \
    "$bin cra check licenses sources product" \
    "$bin cra check ${db_args[*]}" \
    "$bin cra check --lockfile-only ${db_args[*]}"
