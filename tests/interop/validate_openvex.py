#!/usr/bin/env python3
"""Independent validation of the OpenVEX documents cargo-cra writes.

Validates each document against the OpenVEX 0.2.0 JSON schema (a copy of the official one,
tests/schemas/openvex_json_schema.json) with Python's `jsonschema` (Draft 2020-12, formats
checked: `pip install 'jsonschema[format]'`).

Usage: validate_openvex.py SCHEMA PATH...   (files, or directories searched for *.openvex.json)

Exit status: 0 when every document is valid, 1 when any is invalid, 2 when nothing was found
or the validator is not installed (so that CI never passes by validating nothing).
"""

import json
import sys
from pathlib import Path


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        from jsonschema import Draft202012Validator
    except ImportError as e:
        print(f"error: jsonschema is required: {e}", file=sys.stderr)
        return 2
    schema = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    # The formats the schema uses must really be checked, or a bad timestamp would pass.
    for fmt in ("date-time", "iri", "uri"):
        if fmt not in validator.format_checker.checkers:
            print(f"error: jsonschema cannot check the `{fmt}` format: install 'jsonschema[format]'", file=sys.stderr)
            return 2

    files = []
    for arg in argv[1:]:
        p = Path(arg)
        if p.is_dir():
            files.extend(sorted(p.rglob("*.openvex.json")))
        elif p.is_file():
            files.append(p)
        else:
            print(f"error: {p}: no such file or directory", file=sys.stderr)
            return 2
    if not files:
        print("error: no *.openvex.json files found", file=sys.stderr)
        return 2

    failed = 0
    for f in files:
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except ValueError as e:
            print(f"FAILED {f}: not JSON: {e}")
            failed += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            failed += 1
            print(f"FAILED {f}")
            for e in errors:
                where = "/".join(str(p) for p in e.absolute_path) or "/"
                print(f"  {where}: {e.message}")
        else:
            print(f"ok {f} ({len(doc.get('statements', []))} statements)")
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
