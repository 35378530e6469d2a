#!/usr/bin/env bash
# Parity check: `cargo cra check advisories --scope lockfile` must report exactly the advisory
# ids `cargo audit` (0.22) reports on the same lockfile and database.
# Usage: scripts/parity-cargo-audit.sh WORKSPACE_DIR ADVISORY_DB [CARGO_AUDIT]
# Needs a deny-policy.toml in the workspace whose maximum-db-staleness admits the database.
set -eu
ws=$(cd "$1" && pwd); db=$(cd "$2" && pwd); audit=${3:-cargo-audit}
here=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --manifest-path "$here/Cargo.toml" >/dev/null 2>&1
ours=$(cd "$ws" && "$here/target/release/cargo-cra" cra check advisories --lockfile-only --scope lockfile \
    --advisory-db "$db" --format json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("\n".join(sorted({d["data"]["advisory-id"] for d in r["diagnostics"] if "advisory-id" in d["data"]})))')
theirs=$("$audit" audit --no-fetch --json --db "$db" --file "$ws/Cargo.lock" 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
ids = {v["advisory"]["id"] for v in r["vulnerabilities"]["list"]}
for l in r["warnings"].values():
    ids |= {w["advisory"]["id"] for w in l if w.get("advisory")}
print("\n".join(sorted(ids)))')
if [ "$ours" = "$theirs" ]; then
    echo "parity: identical advisory ids ($(echo "$ours" | grep -c .) ids)"
else
    echo "parity: DIFFERENT"; diff <(echo "$ours") <(echo "$theirs") || true; exit 1
fi
