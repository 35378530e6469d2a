#!/usr/bin/env bash
# Runs the fuzz targets in fuzz/ (cargo-fuzz, libFuzzer), each for a set time, one after the
# other on one core; fails on the first crash.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      default: 60 seconds, every target
#
# Needs cargo-fuzz (`cargo install --locked cargo-fuzz`). cargo fuzz needs nightly compiler
# flags (-Z sanitizer, -C passes=sancov-module); this machine has a stable toolchain only, and
# RUSTC_BOOTSTRAP=1, which this script sets, is what unlocks them there.
#
# Build: every target at once (one `cargo fuzz build`), optimized, with debug assertions and
# overflow checks on (`-O -a`: an overflow is found as a crash, not as a wrong answer). The
# crate is safe Rust (#![forbid(unsafe_code)]), so the sanitizer is off by default (faster
# builds and runs); SANITIZER=address turns AddressSanitizer on. What is found: panics,
# overflows, stack overflows, timeouts (-timeout, 10 s per input) and out-of-memory
# (-rss_limit_mb, 2 GB), and the targets' own assertions (see fuzz/README.md).
#
# Each target's corpus starts from fuzz/seeds/<target> (files from the test fixtures, in git);
# what libFuzzer adds goes to fuzz/corpus/<target> (not in git), so repeated runs build on it.
# A crash is saved to fuzz/artifacts/<target>/ and reproduces with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O -a <target> fuzz/artifacts/<target>/<file>
# FUZZ_JOBS=N runs N fuzzing processes per target (default 1: CI and shared machines keep
# their other cores).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
secs="${1:-60}"
shift || true
sanitizer="${SANITIZER:-none}"
jobs="${FUZZ_JOBS:-1}"
build=(-s "$sanitizer" -O -a)
if [ "$#" -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi

start=$SECONDS
cargo fuzz build "${build[@]}"
echo "--- fuzz targets built in $((SECONDS - start)) s"
summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "seeds/$t"
    log="$(mktemp)"
    echo "--- fuzz $t for ${secs}s"
    flags=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1)
    if [ "$jobs" -gt 1 ]; then flags+=(-jobs="$jobs" -workers="$jobs"); fi
    if ! cargo fuzz run "${build[@]}" "$t" "corpus/$t" "seeds/$t" -- "${flags[@]}" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz target $t crashed: see fuzz/artifacts/$t/"
        rm -f "$log"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    summary+=("$t: ${runs:-?} executions in ${secs}s, coverage ${cov:-?} edges, corpus $(find "corpus/$t" -type f | wc -l) files")
    rm -f "$log"
done
echo "--- fuzzing done, no crash"
printf '%s\n' "${summary[@]}"
