#!/usr/bin/env bash
# Benchmark (issue 10): `cargo cra check` (all checks, bans included) warm and cold against
# `cargo metadata` and `cargo deny check` on the same workspace and deny.toml, in one run.
#
# Usage: scripts/bench-check-deny.sh WORKSPACE_DIR ADVISORY_DB [DENY_TOML] [RUNS]
#
# The workspace needs a Cargo.lock and its dependencies in the cargo cache (run
# `cargo fetch` once). DENY_TOML defaults to the workspace's deny.toml; both tools read the
# same copy of it, whose [advisories] points cargo-deny at a git copy of ADVISORY_DB
# (prepared by scripts/parity-cargo-deny.py --prepare-only). Requires hyperfine.
#   warm: cargo-cra's cargo-answer cache is filled by the warm-up runs ($CARGO_HOME/cargo-cra);
#   cold: CARGO_CRA_NO_CACHE=1 (cargo metadata runs every time, as cargo-deny's does).
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
cd "$ws"
echo "packages in Cargo.lock: $(grep -c '^name = ' Cargo.lock)"
args=()
[ -n "$cfg" ] && args=("$(cd "$(dirname "$cfg")" && pwd)/$(basename "$cfg")")
deny_cfg=$(python3 "$here/scripts/parity-cargo-deny.py" "$ws" "${args[@]}" --advisory-db "$db" --prepare-only)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1787000000}
hyperfine --warmup 2 --runs "$runs" -N --ignore-failure --export-markdown /tmp/bench-check-deny.md \
    "cargo metadata --format-version 1 --offline" \
    "$bin cra check -q --offline --policy $deny_cfg --advisory-db $db" \
    "env CARGO_CRA_NO_CACHE=1 $bin cra check -q --offline --policy $deny_cfg --advisory-db $db" \
    "cargo deny --offline --config $deny_cfg check"
cat /tmp/bench-check-deny.md
