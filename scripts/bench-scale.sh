#!/usr/bin/env bash
# Scale benchmark (issue 12 item 6): is cargo-cra linear in its input? In one run, on
# generated inputs (scripts/gen-scale.py; deterministic):
#
#   - `cargo cra check --lockfile-only` on a 4,000- and a 40,000-package Cargo.lock (one in 50
#     packages named like a crate with advisories in ADVISORY_DB), and `cargo audit` on the
#     same files (the peer);
#   - `cargo cra verify --lockfile` of a signed 10,000- and 100,000-component SBOM (SSHSIG +
#     DSSE attestation, ours in shape), with `ssh-keygen -Y verify` of the same signature as
#     the floor (it only hashes the file);
#   - `cargo cra scan` of the same two SBOMs (measured only),
#
# with mean wall time, peak memory (max RSS of one run) and the ratio large/small. Prints a
# Markdown report on stdout (its figures are in BENCHMARKS.md, `## Scale`).
#
# Usage: scripts/bench-scale.sh [ADVISORY_DB]
#   ADVISORY_DB   a RustSec database directory (default: $ADVISORY_DB, else
#                 ../shared/advisory-db next to the repository)
# Environment: RUNS (default 10), SLOW_RUNS (default 2, no warm-up: for cargo audit and
#   scan, slow on the large inputs), LOCK_SIZES (default "4000 40000"), SBOM_SIZES (default "10000 100000"),
#   CARGO_CRA (an already built binary; default: build the release binary), CARGO_AUDIT
#   (default: PATH, then ~/.cargo/bin), WORK (default: a temporary directory, removed at the
#   end; set it to keep the inputs).
# Needs: python3 with `cryptography` (signs the DSSE envelope), ssh-keygen, jq, hyperfine (else
#   a plain timing loop), GNU time (/usr/bin/time) for the peak memory.

set -euo pipefail

die() { echo "bench-scale: $*" >&2; exit 2; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
DB_ARG=${1:-${ADVISORY_DB:-$REPO/../shared/advisory-db}}
DB=$(cd "$DB_ARG" && pwd) || die "no advisory database at $DB_ARG"
[ -d "$DB/crates" ] || die "$DB is not a RustSec advisory database"
RUNS=${RUNS:-10}
SLOW_RUNS=${SLOW_RUNS:-2}
read -r -a LOCK_SIZES <<< "${LOCK_SIZES:-4000 40000}"
read -r -a SBOM_SIZES <<< "${SBOM_SIZES:-10000 100000}"
command -v jq >/dev/null || die "jq is needed"
command -v ssh-keygen >/dev/null || die "ssh-keygen is needed"
python3 -c 'import cryptography' 2>/dev/null || die "python3 with the cryptography package is needed"

if [ -n "${CARGO_CRA:-}" ]; then
    CRA=$CARGO_CRA
else
    echo "building cargo-cra (release)..." >&2
    (cd "$REPO" && cargo build --release --quiet)
    CRA="$REPO/target/release/cargo-cra"
fi
AUDIT=${CARGO_AUDIT:-$(command -v cargo-audit || true)}
[ -z "$AUDIT" ] && [ -x "$HOME/.cargo/bin/cargo-audit" ] && AUDIT="$HOME/.cargo/bin/cargo-audit"

if [ -n "${WORK:-}" ]; then
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-scale.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
fi
# cargo-cra's caches (advisory index) in a private CARGO_HOME; the benchmark is about speed, so
# a snapshot older than 90 days must not stop it.
export CARGO_HOME="$WORK/cargo-home"
mkdir -p "$CARGO_HOME"
unset SOURCE_DATE_EPOCH
POLICY="$WORK/deny-policy.toml"
printf '[advisories]\nmaximum-db-staleness = 36500\n' > "$POLICY"

echo "generating inputs in $WORK..." >&2
for n in "${LOCK_SIZES[@]}"; do
    [ -s "$WORK/lock-$n/Cargo.lock" ] || python3 "$REPO/scripts/gen-scale.py" lockfile "$WORK/lock-$n" "$n" "$DB"
done
KEY="$WORK/key"
[ -s "$KEY" ] || "$CRA" cra keygen -q --out "$KEY" >/dev/null
for n in "${SBOM_SIZES[@]}"; do
    [ -s "$WORK/sbom-$n/app.cdx.json" ] || python3 "$REPO/scripts/gen-scale.py" sbom "$WORK/sbom-$n" "$n" "$DB" "$KEY"
done
printf 'release@example.com namespaces="cargo-cra-sbom" %s\n' "$(cut -d' ' -f1,2 "$KEY.pub")" > "$WORK/allowed_signers"

# Every command must do its job before it is timed (exit 1 = findings, which is expected).
# The same run gives the peak memory (max RSS).
declare -A MEAN SD RSS
runs_ok() { # NAME CMD...
    local rc=0
    /usr/bin/time -f '%M' -o "$WORK/rss" "${@:2}" >/dev/null 2>"$WORK/err" || rc=$?
    [ "$rc" -le 1 ] || { cat "$WORK/err" >&2; die "$1 exited $rc"; }
    RSS[$1]=$(tail -1 "$WORK/rss")
}

NAMES=(); CMDS=(); GROUP=()
add() { NAMES+=("$1"); GROUP+=("$2"); CMDS+=("$3"); }
for n in "${LOCK_SIZES[@]}"; do
    add "check-$n" main "cd '$WORK/lock-$n' && '$CRA' cra check --lockfile-only -q --policy '$POLICY' --advisory-db '$DB'"
    [ -n "$AUDIT" ] && add "audit-$n" slow "'$AUDIT' audit --no-fetch -q --db '$DB' --file '$WORK/lock-$n/Cargo.lock'"
done
for n in "${SBOM_SIZES[@]}"; do
    S="$WORK/sbom-$n"
    add "verify-$n" main "'$CRA' cra verify -q '$S/app' --key '$KEY.pub' --lockfile '$S/Cargo.lock'"
    add "sshkeygen-$n" main "ssh-keygen -q -Y verify -f '$WORK/allowed_signers' -I release@example.com -n cargo-cra-sbom -s '$S/app.cdx.json.sig' < '$S/app.cdx.json'"
    add "scan-$n" slow "'$CRA' cra scan -q '$S/app.cdx.json' --policy '$POLICY' --advisory-db '$DB'"
done
for i in "${!CMDS[@]}"; do runs_ok "${NAMES[$i]}" bash -c "${CMDS[$i]}"; done
"$CRA" cra verify -q "$WORK/sbom-${SBOM_SIZES[0]}/app" --key "$KEY.pub" --lockfile "$WORK/sbom-${SBOM_SIZES[0]}/Cargo.lock" >/dev/null \
    || die "verify of the generated SBOM failed"

timeit() { # RUNS WARMUPS NAME...
    local runs=$1 warm=$2; shift 2
    if command -v hyperfine >/dev/null; then
        local args=() n i
        for n in "$@"; do
            for i in "${!NAMES[@]}"; do [ "${NAMES[$i]}" = "$n" ] && args+=(-n "$n" "${CMDS[$i]}"); done
        done
        hyperfine -N -i -w "$warm" -r "$runs" --style none --export-json "$WORK/h.json" "${args[@]}" >&2 2>/dev/null \
            || hyperfine -i -w "$warm" -r "$runs" --style none --export-json "$WORK/h.json" "${args[@]}" >&2
        for n in "$@"; do
            MEAN[$n]=$(jq -r --arg n "$n" '.results[] | select(.command == $n) | .mean * 1000' "$WORK/h.json")
            SD[$n]=$(jq -r --arg n "$n" '.results[] | select(.command == $n) | .stddev * 1000' "$WORK/h.json")
        done
    else
        local n i
        for n in "$@"; do
            for i in "${!NAMES[@]}"; do
                [ "${NAMES[$i]}" = "$n" ] || continue
                local T=()
                for _ in $(seq "$runs"); do
                    s=$(date +%s%N); bash -c "${CMDS[$i]}" >/dev/null 2>&1 || true; e=$(date +%s%N)
                    T+=($(( (e - s) / 1000 )))
                done
                MEAN[$n]=$(printf '%s\n' "${T[@]}" | awk '{s+=$1} END {printf "%.2f", s/NR/1000}')
                SD[$n]=$(printf '%s\n' "${T[@]}" | awk '{s+=$1; q+=$1*$1} END {m=s/NR; v=q/NR-m*m; if (v<0) v=0; printf "%.2f", sqrt(v)/1000}')
            done
        done
    fi
}
MAIN=(); SLOW=()
for i in "${!NAMES[@]}"; do
    if [ "${GROUP[$i]}" = slow ]; then SLOW+=("${NAMES[$i]}"); else MAIN+=("${NAMES[$i]}"); fi
done
timeit "$RUNS" 1 "${MAIN[@]}"
timeit "$SLOW_RUNS" 0 "${SLOW[@]}"
if command -v hyperfine >/dev/null; then
    TIMER="hyperfine $(hyperfine --version | awk '{print $2}'), $RUNS runs after 1 warm-up ($SLOW_RUNS, no warm-up, for cargo audit and scan)"
else
    TIMER="bash loop, $RUNS runs ($SLOW_RUNS for cargo audit and scan; hyperfine not installed)"
fi

ms() { awk -v a="$1" 'BEGIN { if (a >= 10000) printf "%.0f", a; else printf "%.1f", a }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
L0=${LOCK_SIZES[0]}; L1=${LOCK_SIZES[-1]}; S0=${SBOM_SIZES[0]}; S1=${SBOM_SIZES[-1]}
lock_mb() { awk -v b="$(stat -c %s "$WORK/lock-$1/Cargo.lock")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
sbom_mb() { awk -v b="$(stat -c %s "$WORK/sbom-$1/app.cdx.json")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
findings() { (cd "$WORK/lock-$1" && "$CRA" cra check advisories --lockfile-only --format json --policy "$POLICY" --advisory-db "$DB" 2>/dev/null || true) | jq '[.diagnostics[] | select(.code | startswith("advisory-"))] | length'; }
edges() { grep -c '^ "' "$WORK/lock-$1/Cargo.lock"; }

row() { # LABEL NAME_SMALL NAME_LARGE
    echo "| $1 | $(ms "${MEAN[$2]}") ± $(ms "${SD[$2]}") | $(mb "${RSS[$2]}") | $(ms "${MEAN[$3]}") ± $(ms "${SD[$3]}") | $(mb "${RSS[$3]}") | **$(ratio "${MEAN[$3]}" "${MEAN[$2]}")** |"
}

cat <<EOF
## Scale benchmark

- Date: $(date -u +%Y-%m-%d), host: $(uname -sm), $(nproc) CPUs; timer: $TIMER
- Tools: $("$CRA" --version)${AUDIT:+, $("$AUDIT" --version 2>/dev/null | head -1)}, $(ssh -V 2>&1 | head -1)
- Lockfiles: $L0 packages ($(lock_mb "$L0") MB, $(edges "$L0") dependency edges, $(findings "$L0") advisory findings) and $L1 packages ($(lock_mb "$L1") MB, $(edges "$L1") edges, $(findings "$L1") findings)
- SBOMs: $S0 components ($(sbom_mb "$S0") MB) and $S1 components ($(sbom_mb "$S1") MB), signed (SSHSIG + DSSE envelope holding the SBOM again)

| command | $L0 / $S0: ms | MB | $L1 / $S1: ms | MB | ratio |
| --- | ---: | ---: | ---: | ---: | ---: |
EOF
row "\`cargo cra check --lockfile-only\`" "check-$L0" "check-$L1"
[ -n "$AUDIT" ] && row "\`cargo audit --no-fetch\` (peer)" "audit-$L0" "audit-$L1"
row "\`cargo cra verify ARTIFACT --key --lockfile\`" "verify-$S0" "verify-$S1"
row "\`ssh-keygen -Y verify\` of the same .sig (floor)" "sshkeygen-$S0" "sshkeygen-$S1"
row "\`cargo cra scan SBOM\`" "scan-$S0" "scan-$S1"
echo
[ -n "$AUDIT" ] && echo "- cargo audit / cargo cra check --lockfile-only: $(ratio "${MEAN[audit-$L0]}" "${MEAN[check-$L0]}") on $L0, $(ratio "${MEAN[audit-$L1]}" "${MEAN[check-$L1]}") on $L1"
echo "- input ratio: $(( L1 / L0 ))x packages, $(( S1 / S0 ))x components (the issue: at most 13x for 10x)"
