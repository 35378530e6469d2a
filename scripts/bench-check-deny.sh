#!/usr/bin/env bash
# Benchmark (issue 10): `cargo cra check` (all checks, bans included) warm and cold against
# `cargo metadata` and `cargo deny check` on the same workspace and deny.toml, in one run.
#
# Usage: scripts/bench-check-deny.sh WORKSPACE_DIR ADVISORY_DB [DENY_TOML] [RUNS]
#
# The workspace needs a Cargo.lock and its dependencies in the cargo cache (run
# `cargo fetch` once; scripts/gen-bench-ws.sh makes the 1000-crate benchmark workspace).
# DENY_TOML defaults to the workspace's deny.toml; both tools read the same copy of it, whose
# [advisories] points cargo-deny at a git copy of ADVISORY_DB (prepared by
# scripts/parity-cargo-deny.py --prepare-only). Requires hyperfine.
#
# Every command runs with a CARGO_HOME of its own whose registry/ and git/ are the real cargo
# home's (so cargo's index cache, downloaded crates and unpacked sources are all present) and
# which holds cargo-cra's caches:
#   warm: cargo-cra's caches filled by the warm-up runs;
#   cold: before each run, every cache of cargo-cra removed ($CARGO_HOME/cargo-cra: cargo
#         answers and `rustc --print cfg`, .crate hashes; advisory-db-cache: the parsed
#         advisory index; license-detect-cache: identified license files). cargo's own state
#         is untouched: what a first `cargo cra check` after `cargo fetch` costs.
set -euo pipefail
ws=$(cd "$1" && pwd)
db=$(cd "$2" && pwd)
cfg=${3:-}
runs=${4:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
# CARGO_CRA: an already built cargo-cra to measure (default: build this checkout in release).
if [ -n "${CARGO_CRA:-}" ]; then
    bin=$CARGO_CRA
else
    cargo build --release --offline --locked --manifest-path "$here/Cargo.toml" >/dev/null 2>&1
    bin="$here/target/release/cargo-cra"
fi
real_home=${CARGO_HOME:-$HOME/.cargo}
bench_home=$(mktemp -d "${TMPDIR:-/tmp}/bench-check-deny.XXXXXX")
trap 'rm -rf "$bench_home"' EXIT
for d in registry git; do
    [ -e "$real_home/$d" ] && ln -s "$real_home/$d" "$bench_home/$d"
done
for f in config.toml config; do
    [ -e "$real_home/$f" ] && cp "$real_home/$f" "$bench_home/$f"
done
export CARGO_HOME=$bench_home
cd "$ws"
echo "packages in Cargo.lock: $(grep -c '^name = ' Cargo.lock)"
args=()
[ -n "$cfg" ] && args=("$(cd "$(dirname "$cfg")" && pwd)/$(basename "$cfg")")
deny_cfg=$(python3 "$here/scripts/parity-cargo-deny.py" "$ws" "${args[@]}" --advisory-db "$db" --prepare-only)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1787000000}
check="$bin cra check -q --offline --policy $deny_cfg --advisory-db $db"
clear="rm -rf $bench_home/cargo-cra $bench_home/advisory-db-cache $bench_home/license-detect-cache"
hyperfine --warmup 2 --runs "$runs" -N --ignore-failure --export-markdown /tmp/bench-check-deny.md \
    --prepare true --prepare true --prepare "$clear" --prepare true \
    -n "cargo metadata" "cargo metadata --format-version 1 --offline" \
    -n "cargo cra check, warm" "$check" \
    -n "cargo cra check, cold" "$check" \
    -n "cargo deny check" "cargo deny --offline --config $deny_cfg check"
cat /tmp/bench-check-deny.md
