#!/usr/bin/env bash
# Benchmark of the advisory check (issue 3): on the same lockfile and the same advisory
# database, in one run,
#
#   - the warm load of the database (cached parsed index; median of the `-v` timing line),
#     and the cold load (no cache) once,
#   - `cargo cra check --lockfile-only` (the pre-commit hook) against
#     `cargo cra check sources --lockfile-only` (what the advisory check adds),
#   - `cargo cra check advisories --lockfile-only`,
#   - `cargo audit --no-fetch --db DB`,
#   - `cargo deny check advisories` (offline, from the same `cargo metadata` output),
#
# then the ratios, and whether `cargo cra` (lockfile scope) reports the same advisory ids as
# `cargo audit`. Prints a Markdown report on stdout (its figures are in BENCHMARKS.md).
#
# Usage: scripts/bench-advisories.sh WORKSPACE [ADVISORY_DB]
#   WORKSPACE     a directory with Cargo.toml and Cargo.lock (~1000 packages for the issue's
#                 numbers); a `md.json` there (cargo metadata output) is used, else generated
#   ADVISORY_DB   a RustSec database directory (default: $ADVISORY_DB, else
#                 ../shared/advisory-db next to the repository)
# Environment: RUNS (default 20), CARGO_AUDIT / CARGO_DENY (tool paths; default: PATH, then
#   /work/tools/bin), CARGO_HOME (its registry index cache is used for the yanked checks).
# Needs: hyperfine (else a plain timing loop), jq, git, a cargo toolchain.
#
# Nothing outside a temporary directory is written: cargo-cra's caches go to a private
# CARGO_HOME whose `registry` links to the real one, cargo-deny's database copy is a
# temporary git repository (cargo-deny only opens git checkouts).

set -euo pipefail

die() { echo "bench-advisories: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 WORKSPACE [ADVISORY_DB]"
REPO=$(cd "$(dirname "$0")/.." && pwd)
WS=$(cd "$1" && pwd) || die "no workspace at $1"
DB_ARG=${2:-${ADVISORY_DB:-$REPO/../shared/advisory-db}}
DB=$(cd "$DB_ARG" && pwd) || die "no advisory database at $DB_ARG"
RUNS=${RUNS:-20}
[ -f "$WS/Cargo.lock" ] || die "$WS has no Cargo.lock"
[ -d "$DB/crates" ] || die "$DB is not a RustSec advisory database"
command -v jq >/dev/null || die "jq is needed"

find_tool() { # NAME ENVVAR
    local v=${!2:-}
    if [ -n "$v" ]; then echo "$v"; return; fi
    if command -v "$1" >/dev/null; then command -v "$1"; return; fi
    if [ -x "/work/tools/bin/$1" ]; then echo "/work/tools/bin/$1"; return; fi
    echo ""
}
AUDIT=$(find_tool cargo-audit CARGO_AUDIT)
DENY=$(find_tool cargo-deny CARGO_DENY)

echo "building cargo-cra (release)..." >&2
(cd "$REPO" && cargo build --release --quiet)
CRA="$REPO/target/release/cargo-cra"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-advisories.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

REAL_CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export CARGO_HOME="$WORK/cargo-home"
mkdir -p "$CARGO_HOME"
[ -d "$REAL_CARGO_HOME/registry" ] && ln -s "$REAL_CARGO_HOME/registry" "$CARGO_HOME/registry"
# The benchmark is about speed: a snapshot older than 90 days must not stop it.
unset SOURCE_DATE_EPOCH
POLICY="$WORK/deny-policy.toml"
printf '[advisories]\nmaximum-db-staleness = 36500\n' > "$POLICY"

PKGS=$(grep -c '^\[\[package\]\]' "$WS/Cargo.lock")
ADVS=$(find "$DB/crates" "$DB/rust" -name '*.md' 2>/dev/null | wc -l)
if [ -d "$DB/.git" ]; then KEYED="a git checkout: cache keyed by its HEAD commit"; else KEYED="not a git checkout: cache keyed by file stamps"; fi

MD="$WS/md.json"
if [ ! -s "$MD" ]; then
    MD="$WORK/md.json"
    (cd "$WS" && cargo metadata --format-version 1 --offline > "$MD" 2>/dev/null) \
        || (cd "$WS" && cargo metadata --format-version 1 > "$MD") || die "cargo metadata failed in $WS"
fi

cra() { (cd "$WS" && "$CRA" cra "$@" --policy "$POLICY" --advisory-db "$DB"); }

# --- database load, from the tool's own timing line -------------------------------------
# (`|| true`: the check exits 1 when the lockfile has vulnerabilities.)
load_ms() { { cra check advisories --lockfile-only -v 2>&1 >/dev/null || true; } | sed -n 's/.*advisories from .* in \([0-9.]*\) ms.*/\1/p' | head -1; }
rm -rf "$CARGO_HOME/advisory-db-cache"
COLD=$(load_ms)
WARM=()
for _ in $(seq "$RUNS"); do WARM+=("$(load_ms)"); done
WARM_MED=$(printf '%s\n' "${WARM[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
WARM_MIN=$(printf '%s\n' "${WARM[@]}" | sort -n | head -1)
WARM_MAX=$(printf '%s\n' "${WARM[@]}" | sort -n | tail -1)

# --- cargo-deny setup: a git copy of the database where cargo-deny expects it ------------
DENY_CFG="$WORK/deny.toml"
printf '[advisories]\ndb-path = "%s"\nmaximum-db-staleness = "P36500D"\n' "$WORK/deny-db" > "$DENY_CFG"
deny() { "$DENY" --offline --manifest-path "$WS/Cargo.toml" --metadata-path "$MD" --config "$DENY_CFG" check advisories; }
if [ -n "$DENY" ]; then
    DENY_DB=$("$DENY" -L debug --offline --manifest-path "$WS/Cargo.toml" --metadata-path "$MD" --config "$DENY_CFG" check advisories 2>&1 \
        | sed -n "s/.*Opening advisory database at '\([^']*\)'.*/\1/p" | head -1 || true)
    if [ -n "$DENY_DB" ]; then
        mkdir -p "$(dirname "$DENY_DB")"
        cp -r "$DB" "$DENY_DB"
        (cd "$DENY_DB" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -q -m snapshot && : > .git/FETCH_HEAD)
    else
        echo "warning: could not find where cargo-deny opens its database; skipping cargo-deny" >&2
        DENY=""
    fi
fi

# --- timings -------------------------------------------------------------------------------
NAMES=("cra-sources" "cra-hook" "cra-advisories" "cra-advisories-build")
CMDS=(
    "cd '$WS' && '$CRA' cra check sources --lockfile-only -q --policy '$POLICY'"
    "cd '$WS' && '$CRA' cra check --lockfile-only -q --policy '$POLICY' --advisory-db '$DB'"
    "cd '$WS' && '$CRA' cra check advisories --lockfile-only -q --policy '$POLICY' --advisory-db '$DB'"
    "cd '$WS' && '$CRA' cra check advisories -q --metadata-path '$MD' --policy '$POLICY' --advisory-db '$DB'"
)
if [ -n "$AUDIT" ]; then
    NAMES+=("cargo-audit")
    CMDS+=("'$AUDIT' audit --no-fetch -q --db '$DB' --file '$WS/Cargo.lock'")
fi
if [ -n "$DENY" ]; then
    NAMES+=("cargo-deny")
    CMDS+=("'$DENY' --offline --manifest-path '$WS/Cargo.toml' --metadata-path '$MD' --config '$DENY_CFG' check advisories 2>/dev/null")
fi

declare -A MEAN SD
if command -v hyperfine >/dev/null; then
    ARGS=()
    for i in "${!CMDS[@]}"; do ARGS+=(-n "${NAMES[$i]}" "${CMDS[$i]}"); done
    hyperfine -i -w 3 -r "$RUNS" --style none --export-json "$WORK/h.json" "${ARGS[@]}" >&2
    for n in "${NAMES[@]}"; do
        MEAN[$n]=$(jq -r --arg n "$n" '.results[] | select(.command == $n) | .mean * 1000' "$WORK/h.json")
        SD[$n]=$(jq -r --arg n "$n" '.results[] | select(.command == $n) | .stddev * 1000' "$WORK/h.json")
    done
    TIMER="hyperfine $(hyperfine --version | awk '{print $2}'), $RUNS runs after 3 warm-ups"
else
    for i in "${!CMDS[@]}"; do
        bash -c "${CMDS[$i]}" >/dev/null 2>&1 || true
        T=()
        for _ in $(seq "$RUNS"); do
            s=$(date +%s%N); bash -c "${CMDS[$i]}" >/dev/null 2>&1 || true; e=$(date +%s%N)
            T+=($(( (e - s) / 1000 )))
        done
        MEAN[${NAMES[$i]}]=$(printf '%s\n' "${T[@]}" | awk '{s+=$1} END {printf "%.2f", s/NR/1000}')
        SD[${NAMES[$i]}]=$(printf '%s\n' "${T[@]}" | awk '{s+=$1; q+=$1*$1} END {m=s/NR; printf "%.2f", sqrt(q/NR-m*m)/1000}')
    done
    TIMER="bash loop, $RUNS runs after 1 warm-up (hyperfine not installed)"
fi

# --- parity with cargo audit --------------------------------------------------------------
PARITY="cargo-audit not available"
if [ -n "$AUDIT" ]; then
    cra check advisories --lockfile-only --format json 2>/dev/null | jq -r '.advisories["advisory-ids"][]' | sort -u > "$WORK/cra.ids" || true
    "$AUDIT" audit --no-fetch --json --db "$DB" --file "$WS/Cargo.lock" 2>/dev/null \
        | jq -r '(.vulnerabilities.list[].advisory.id), (.warnings[]?[]? | .advisory.id? // empty)' | sort -u > "$WORK/audit.ids" || true
    if diff -q "$WORK/cra.ids" "$WORK/audit.ids" >/dev/null; then
        PARITY="identical: $(wc -l < "$WORK/cra.ids") advisory ids"
    else
        PARITY="DIFFERENT: $(diff "$WORK/cra.ids" "$WORK/audit.ids" | grep '^[<>]' | tr '\n' ' ')"
    fi
fi

ms() { printf '%.1f' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
ADDED=$(awk -v a="${MEAN[cra-hook]}" -v b="${MEAN[cra-sources]}" 'BEGIN { printf "%.1f", a - b }')

cat <<EOF
## Advisory check benchmark

- Date: $(date -u +%Y-%m-%d), host: $(uname -sm), $(nproc) CPUs; timer: $TIMER
- Lockfile: \`$WS/Cargo.lock\`, $PKGS packages
- Database: \`$DB\`, $ADVS advisories ($KEYED)
- Tools: $("$CRA" --version)${AUDIT:+, $("$AUDIT" --version 2>/dev/null | head -1)}${DENY:+, $("$DENY" --version 2>/dev/null | head -1)}

| what | time (ms) |
| --- | ---: |
| database load, cold (parse with \`rustsec\`, write the cache) | $(ms "$COLD") |
| database load, warm (cached index), median of $RUNS (min–max) | $(ms "$WARM_MED") ($(ms "$WARM_MIN")–$(ms "$WARM_MAX")) |
| \`cargo cra check sources --lockfile-only\` (baseline) | $(ms "${MEAN[cra-sources]}") ± $(ms "${SD[cra-sources]}") |
| \`cargo cra check --lockfile-only\` (pre-commit hook: sources + advisories) | $(ms "${MEAN[cra-hook]}") ± $(ms "${SD[cra-hook]}") |
| advisory check added to the hook (difference of the two) | $ADDED |
| \`cargo cra check advisories --lockfile-only\` | $(ms "${MEAN[cra-advisories]}") ± $(ms "${SD[cra-advisories]}") |
| \`cargo cra check advisories --metadata-path md.json\` (build scope) | $(ms "${MEAN[cra-advisories-build]}") ± $(ms "${SD[cra-advisories-build]}") |
EOF
if [ -n "$AUDIT" ]; then
    echo "| \`cargo audit --no-fetch\` | $(ms "${MEAN[cargo-audit]}") ± $(ms "${SD[cargo-audit]}") |"
fi
if [ -n "$DENY" ]; then
    echo "| \`cargo deny check advisories\` (offline, same metadata) | $(ms "${MEAN[cargo-deny]}") ± $(ms "${SD[cargo-deny]}") |"
fi
echo
if [ -n "$AUDIT" ]; then
    echo "- cargo audit / cargo cra (advisories, lockfile-only): $(ratio "${MEAN[cargo-audit]}" "${MEAN[cra-advisories]}")"
fi
if [ -n "$DENY" ]; then
    echo "- cargo deny / cargo cra (advisories, lockfile-only): $(ratio "${MEAN[cargo-deny]}" "${MEAN[cra-advisories]}")"
    echo "- cargo deny / cargo cra (advisories, build scope from the same metadata): $(ratio "${MEAN[cargo-deny]}" "${MEAN[cra-advisories-build]}")"
fi
echo "- advisory ids, \`cargo cra\` lockfile scope vs \`cargo audit\`: $PARITY"
