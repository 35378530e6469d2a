#!/usr/bin/env bash
# Benchmark of `cargo cra scan` over a release archive, against merely parsing the same files
# with Python's json module, in the same run.
# Usage: scripts/bench-scan.sh CARGO_LOCK ADVISORY_DB [WORK_DIR]
#   CARGO_LOCK: a real ~1000-crate lockfile (the product whose releases are generated)
#   ADVISORY_DB: a RustSec checkout (e.g. /work/shared/advisory-db)
# Writes WORK_DIR/archive (400 release SBOMs of that product, ~300 MB, in five generator shapes,
# and 10,000 small SBOMs, with .sig files), then measures with hyperfine (wall time) and
# /usr/bin/time -v (peak memory). Needs python3, hyperfine, GNU time.
set -eu
lock=$(realpath "$1"); db=$(realpath "$2"); work=${3:-/tmp/cargo-cra-bench-scan}
here=$(cd "$(dirname "$0")/.." && pwd)
# CARGO_CRA_BIN: a cargo-cra binary to use instead of building the release one.
if [ -z "${CARGO_CRA_BIN:-}" ]; then
    cargo build --release --locked --manifest-path "$here/Cargo.toml" >/dev/null 2>&1
fi
cra=${CARGO_CRA_BIN:-$here/target/release/cargo-cra}
mkdir -p "$work"
if [ ! -d "$work/archive" ]; then
    python3 "$here/scripts/gen-sbom-archive.py" "$lock" "$work/archive.tmp" 400 10000
    mv "$work/archive.tmp" "$work/archive"
fi
# The database snapshot is older than today: pin "now" to its date so it is not stale.
export SOURCE_DATE_EPOCH=$(date -d 2026-08-22 +%s)
echo "archive: $(find "$work/archive" -name '*.json' | wc -l) SBOMs, $(du -sh --apparent-size "$work/archive" | cut -f1)"
for set in releases small; do
    dir="$work/archive/$set"
    echo "== $set: $(find "$dir" -name '*.json' | wc -l) SBOMs, $(du -sh --apparent-size "$dir" | cut -f1)"
    # scan exits 1 when a release is affected: that is its normal answer here.
    hyperfine --warmup 1 --runs "${RUNS:-5}" -i --export-markdown "$work/$set.md" \
        -n "cargo cra scan" "$cra cra scan $dir --advisory-db $db -q --format json -o $work/scan-$set.json" \
        -n "python3 json.load" "python3 $here/scripts/parse-json.py $dir"
    cat "$work/$set.md"
    for cmd in "$cra cra scan $dir --advisory-db $db -q --format json -o $work/scan-$set.json" \
               "python3 $here/scripts/parse-json.py $dir"; do
        /usr/bin/time -v $cmd 2>&1 >/dev/null | awk -v c="${cmd%% *}" \
            '/Maximum resident/ {printf "peak memory %s: %.0f MB\n", c, $6/1024}
             /Percent of CPU/ {print "cpu " c ": " $7}'
    done
done
echo "largest file: $(find "$work/archive" -name '*.json' -printf '%s\n' | sort -n | tail -1 | awk '{printf "%.1f MB", $1/1e6}')"
