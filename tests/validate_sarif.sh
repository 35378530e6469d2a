#!/usr/bin/env bash
# Independent validation of the SARIF logs the tests wrote (run by .ci/run):
# `@microsoft/sarif-multitool validate` with the SARIF specification rules and with the
# GitHub Advanced Security ingestion rules (`--rule-kind Gh`). The multitool exits 0 even
# when it reports errors, so its output is read: any error or warning fails. A log with a
# result stripped of its locations must be rejected, so the check cannot pass vacuously.
# Usage: validate_sarif.sh MULTITOOL DIR
set -euo pipefail
tool="$1"; dir="$2"
shopt -s nullglob
files=("$dir"/*.sarif)
if [ ${#files[@]} -eq 0 ]; then echo "error: no SARIF logs in $dir"; exit 2; fi
failed=0
for f in "${files[@]}"; do
    for kind in Sarif Gh; do
        out="$("$tool" validate "$f" --rule-kind "$kind" 2>&1)" || true
        if ! echo "$out" | grep -q 'Analysis completed successfully' || echo "$out" | grep -Eq ': (error|warning) '; then
            echo "FAILED ($kind rules): $f"; echo "$out" | grep -E ': (error|warning) |ERR' | head -20; failed=$((failed + 1))
        fi
    done
done
neg="$(mktemp -d)/no-location.sarif"
python3 - "${files[0]}" "$neg" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"][0]["results"][0]["locations"] = []
json.dump(d, open(sys.argv[2], "w"))
PY
if ! "$tool" validate "$neg" --rule-kind Gh 2>&1 | grep -q 'error GH'; then
    echo "FAILED: a result without a location was not rejected"; failed=$((failed + 1))
fi
echo "$(( ${#files[@]} * 2 - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
