#!/usr/bin/env bash
# Runs the fuzz targets in fuzz/ (cargo-fuzz, libFuzzer), each for a set time; fails on a crash.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      default: 60 seconds, every target
#
# Needs cargo-fuzz (`cargo install --locked cargo-fuzz`). cargo fuzz needs nightly compiler
# flags; on a stable toolchain they are unlocked with RUSTC_BOOTSTRAP=1, which this script sets.
# The crate is safe Rust (#![forbid(unsafe_code)]), so the sanitizer is off by default
# (faster builds and runs; panics, overflows, stack overflows, timeouts and out-of-memory are
# what is found). SANITIZER=address turns AddressSanitizer on.
#
# Each target's corpus starts from fuzz/seeds/<target> (files from the test fixtures, in git);
# what libFuzzer adds goes to fuzz/corpus/<target> (not in git), so repeated runs build on it.
# A crash is saved to fuzz/artifacts/<target>/ and reproduces with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -s none <target> fuzz/artifacts/<target>/<file>
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
secs="${1:-60}"
shift || true
sanitizer="${SANITIZER:-none}"
if [ "$#" -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi

cargo fuzz build -s "$sanitizer" --release
summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "seeds/$t"
    log="$(mktemp)"
    echo "--- fuzz $t for ${secs}s"
    if ! cargo fuzz run -s "$sanitizer" --release "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz target $t crashed: see fuzz/artifacts/$t/"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    summary+=("$t: ${runs:-?} executions in ${secs}s, corpus $(ls "corpus/$t" | wc -l) files")
    rm -f "$log"
done
echo "--- fuzzing done, no crash"
printf '%s\n' "${summary[@]}"
