#!/usr/bin/env bash
# Parity of `cargo cra scan` with `cargo audit`: for each real workspace, the advisory ids the
# scan finds in an SBOM written by cargo-cyclonedx and in one written by cdxgen must equal the
# ids `cargo audit` finds in that workspace's Cargo.lock, restricted to the crates (name and
# version) the SBOM lists.
# Usage: scripts/parity-scan.sh ADVISORY_DB WORKSPACE[:SBOM_OF_CARGO_CYCLONEDX]...
#   SBOM_OF_CARGO_CYCLONEDX: which `<package>.cdx.json` cargo-cyclonedx writes for the product,
#   relative to the workspace (default: the root package's).
# Needs cargo-cyclonedx (cargo install --locked cargo-cyclonedx), cdxgen (npm i @cyclonedx/cdxgen;
# CDXGEN=path/to/cdxgen), cargo-audit (cargo install --locked cargo-audit). Offline for the
# database: cargo audit --no-fetch --db, cargo cra --advisory-db with "now" pinned to the
# database's date so that it is not stale.
set -eu
db=$(realpath "$1"); shift
here=$(cd "$(dirname "$0")/.." && pwd)
cdxgen=${CDXGEN:-cdxgen}
# CARGO_CRA_BIN: a cargo-cra binary to use instead of building the release one.
if [ -z "${CARGO_CRA_BIN:-}" ]; then
    cargo build --release --locked --manifest-path "$here/Cargo.toml" >/dev/null 2>&1
fi
cra=${CARGO_CRA_BIN:-$here/target/release/cargo-cra}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date -d 2026-08-22 +%s)}
out=$(mktemp -d)
status=0

# Advisory ids in a JSON document (scan report or cargo-audit report), one per line, sorted.
ids_of_scan() {
    python3 -c '
import json, re, sys
r = json.load(open(sys.argv[1]))
print("\n".join(sorted(set(re.findall(r"RUSTSEC-\d{4}-\d{4}", json.dumps(r))))))' "$1"
}

# cargo audit's ids for the crates an SBOM lists.
ids_of_audit() {
    python3 - "$1" "$2" <<'PY'
import json, sys, urllib.parse
audit, sbom = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
listed = set()
def walk(cs):
    for c in cs or []:
        p = c.get("purl") or ""
        if p.startswith("pkg:cargo/"):
            nv = p[len("pkg:cargo/"):].split("?")[0].split("#")[0]
            n, _, v = nv.rpartition("@")
            listed.add((urllib.parse.unquote(n), urllib.parse.unquote(v)))
        walk(c.get("components"))
walk(sbom.get("components"))
found = [(v["advisory"]["id"], v["package"]) for v in audit["vulnerabilities"]["list"]]
for ws in audit.get("warnings", {}).values():
    found += [(w["advisory"]["id"], w["package"]) for w in ws if w.get("advisory")]
print("\n".join(sorted({i for i, p in found if (p["name"], p["version"]) in listed})))
PY
}

for spec in "$@"; do
    ws=$(realpath "${spec%%:*}"); name=$(basename "$ws")
    rel=${spec#*:}; [ "$rel" = "$spec" ] && rel=""
    (cd "$ws" && cargo cyclonedx -f json --spec-version 1.5 -q >/dev/null 2>&1)
    if [ -z "$rel" ]; then
        rel=$(cd "$ws" && cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c '
import json, sys, os
m = json.load(sys.stdin); root = m["workspace_root"]
pk = [p for p in m["packages"] if os.path.dirname(p["manifest_path"]) == root]
print(pk[0]["name"] + ".cdx.json" if pk else "")')
    fi
    (cd "$ws" && "$cdxgen" -t rust --no-recurse -o "$out/$name.cdxgen.json" . >/dev/null 2>&1)
    cargo-audit audit --no-fetch --json --db "$db" --file "$ws/Cargo.lock" >"$out/$name.audit.json" 2>/dev/null || true
    locked=$(grep -c '^\[\[package\]\]' "$ws/Cargo.lock")
    for sbom in "$ws/$rel" "$out/$name.cdxgen.json"; do
        gen=$([ "$sbom" = "$ws/$rel" ] && echo cargo-cyclonedx || echo cdxgen)
        "$cra" cra scan "$sbom" --advisory-db "$db" --format json -o "$out/$name.$gen.scan.json" -q || true
        ours=$(ids_of_scan "$out/$name.$gen.scan.json")
        theirs=$(ids_of_audit "$out/$name.audit.json" "$sbom")
        crates=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
def n(cs): return sum(1 + n(c.get("components")) for c in cs or [] if True)
print(n(d.get("components")))' "$sbom")
        if [ "$ours" = "$theirs" ]; then
            echo "$name ($locked locked packages), $gen SBOM ($crates components): identical, $(echo "$ours" | grep -c RUSTSEC || true) advisory ids"
        else
            echo "$name ($locked locked packages), $gen SBOM ($crates components): DIFFERENT (< scan, > cargo audit)"
            diff <(echo "$ours") <(echo "$theirs") || true
            status=1
        fi
    done
done
exit $status
