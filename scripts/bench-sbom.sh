#!/usr/bin/env bash
# Benchmark: `cargo cra sbom` against `cargo cyclonedx` (0.5.x) on the same workspace, warm
# (dependencies in the cargo cache, each command run a few times before measuring).
#
# Usage: scripts/bench-sbom.sh WORKSPACE_DIR [ADVISORY_DB]
#
# * The workspace needs a Cargo.lock, its dependencies in the cargo cache (run
#   `cargo fetch` once) and a root package with a `bin` target.
# * ADVISORY_DB: the advisory database the policy gate checks against (default:
#   $CARGO_HOME/advisory-db). The gate runs in full; `--allow-violations` makes the SBOM be
#   written even if the workspace does not pass the policy, so both tools do the full work.
# * The artifact: `target/release/<bin>` of the workspace when it exists. Otherwise a
#   stand-in file of ARTIFACT_MB megabytes (default 50) in a private target directory: the
#   SBOM hashes the artifact but never runs it, and building a thousand crates is not what
#   is measured here.
# * Needs hyperfine and cargo-cyclonedx (CARGO_CYCLONEDX, else PATH, else /work/tools/bin).
#
# Three `cargo cra sbom` variants are measured: warm (the cached cargo answers and `.crate`
# hashes are reused, the normal case when rerunning on an unchanged workspace), and cold
# (CARGO_CRA_NO_CACHE=1: runs `cargo metadata` and `cargo tree` and hashes every `.crate`).
# The ratio the issue asks for (at most 0.5) is warm `cargo cra sbom` / `cargo cyclonedx`.
set -euo pipefail
ws=$(cd "${1:?usage: bench-sbom.sh WORKSPACE_DIR [ADVISORY_DB]}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
db=${2:-$cargo_home/advisory-db}
[ -d "$db" ] || { echo "no advisory database at $db (pass one as the second argument)" >&2; exit 2; }
db=$(cd "$db" && pwd)
cyclonedx=${CARGO_CYCLONEDX:-$(command -v cargo-cyclonedx || echo /work/tools/bin/cargo-cyclonedx)}
[ -x "$cyclonedx" ] || { echo "cargo-cyclonedx not found (cargo install cargo-cyclonedx)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine not found (apt-get install hyperfine)" >&2; exit 2; }

# CARGO_CRA_BIN: a cargo-cra binary to measure instead of building this checkout's.
if [ -n "${CARGO_CRA_BIN:-}" ]; then
    bin=$CARGO_CRA_BIN
else
    cargo build --release --locked --manifest-path "$here/Cargo.toml" >/dev/null 2>&1
    bin="$here/target/release/cargo-cra"
fi
cd "$ws"
cargo metadata --format-version 1 --offline >/dev/null # warm cargo's caches

product=$(cargo metadata --format-version 1 --no-deps --offline | python3 -c '
import json, sys
md = json.load(sys.stdin)
root = (md.get("resolve") or {}).get("root")
pkgs = [p for p in md["packages"] if p["id"] == root] or md["packages"]
bins = [t["name"] for p in pkgs for t in p["targets"] if "bin" in t["kind"]]
print(bins[0] if bins else "")')
[ -n "$product" ] || { echo "the workspace's root package has no bin target" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$ws/cyclonedx-bench.json"' EXIT
if [ -f "target/release/$product" ]; then
    artifact_note="the real artifact target/release/$product"
    target_env=()
else
    mb=${ARTIFACT_MB:-50}
    mkdir -p "$tmp/target/release"
    head -c $((mb * 1000 * 1000)) /dev/urandom >"$tmp/target/release/$product"
    artifact_note="a ${mb} MB stand-in for target/release/$product (no build)"
    target_env=(env "CARGO_TARGET_DIR=$tmp/target")
fi

echo "workspace:   $ws"
echo "packages:    $(grep -c '^name = ' Cargo.lock) in Cargo.lock"
echo "artifact:    $artifact_note"
echo "cargo-cra:   $("$bin" --version)"
echo "cyclonedx:   $("$cyclonedx" cyclonedx --version)"
echo "cargo:       $(cargo --version)"
echo "cpus:        $(nproc)"
echo

sbom="${target_env[*]} $bin cra sbom --release --locked --offline --allow-violations -q --advisory-db $db --output-dir $tmp/out"
hyperfine --warmup 3 --runs "${RUNS:-10}" -N --export-json "$tmp/results.json" \
    -n "cargo cyclonedx" "$cyclonedx cyclonedx -q -f json --override-filename cyclonedx-bench" \
    -n "cargo cra sbom (warm)" "$sbom" \
    -n "cargo cra sbom (cold, CARGO_CRA_NO_CACHE=1)" "env CARGO_CRA_NO_CACHE=1 $sbom" \
    -n "cargo metadata" "cargo metadata --format-version 1 --offline --filter-platform host-tuple"

python3 - "$tmp/results.json" "$tmp/out/$product.cdx.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base = r["cargo cyclonedx"]["mean"]
print()
for name, x in r.items():
    print(f"{name:45} {x['mean']:.3f} s ± {x['stddev']:.3f}   ratio to cargo cyclonedx: {x['mean'] / base:.2f}")
sbom = json.load(open(sys.argv[2]))
print(f"\nSBOM: {len(sbom['components'])} components")
warm = r["cargo cra sbom (warm)"]["mean"] / base
print(f"requirement (warm cargo cra sbom <= 0.5 x cargo cyclonedx): {'met' if warm <= 0.5 else 'NOT met'} ({warm:.2f})")
EOF
