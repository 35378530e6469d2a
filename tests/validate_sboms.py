#!/usr/bin/env python3
"""Independent validation of the SBOMs cargo-cra writes.

Validates each CycloneDX JSON SBOM strictly against the official schema of its own
`specVersion` with cyclonedx-python-lib's validator (a separate implementation from ours,
installed from PyPI: `pip install 'cyclonedx-python-lib[json-validation]'`).

Usage: validate_sboms.py PATH...   (files, or directories searched for *.cdx.json)

Exit status: 0 when every SBOM is valid, 1 when any is invalid, 2 when nothing was found
or the validator is not installed (so that CI never passes by validating nothing).
"""

import json
import sys
from pathlib import Path


def collect(args):
    files = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            files.extend(sorted(p.rglob("*.cdx.json")))
        elif p.is_file():
            files.append(p)
        else:
            print(f"error: {p}: no such file or directory", file=sys.stderr)
            sys.exit(2)
    return files


def main(argv):
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError as e:
        print(f"error: cyclonedx-python-lib with the json-validation extra is required: {e}", file=sys.stderr)
        return 2

    versions = {
        "1.6": SchemaVersion.V1_6,
    }
    if hasattr(SchemaVersion, "V1_7"):
        versions["1.7"] = SchemaVersion.V1_7

    files = collect(argv)
    if not files:
        print("error: no *.cdx.json files found", file=sys.stderr)
        return 2

    validators = {}
    failed = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        try:
            spec = json.loads(text).get("specVersion")
        except json.JSONDecodeError as e:
            print(f"FAIL {f}: not JSON: {e}")
            failed += 1
            continue
        version = versions.get(spec)
        if version is None:
            print(f"FAIL {f}: specVersion {spec!r} is not supported by this cyclonedx-python-lib "
                  f"(supported: {', '.join(sorted(versions))})")
            failed += 1
            continue
        validator = validators.setdefault(spec, JsonStrictValidator(version))
        errors = validator.validate_str(text, all_errors=True) if _takes_all_errors(validator) else validator.validate_str(text)
        errors = _as_list(errors)
        if errors:
            failed += 1
            print(f"FAIL {f} (CycloneDX {spec}):")
            for err in errors:
                print(f"  - {_describe(err)}")
        else:
            print(f"ok   {f} (CycloneDX {spec})")
    print(f"{len(files) - failed} of {len(files)} SBOMs valid")
    return 1 if failed else 0


def _takes_all_errors(validator):
    import inspect
    try:
        return "all_errors" in inspect.signature(validator.validate_str).parameters
    except (TypeError, ValueError):
        return False


def _as_list(result):
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        return list(result)
    try:
        return list(result)
    except TypeError:
        return [result]


def _describe(err):
    data = getattr(err, "data", None)
    if data is not None and hasattr(data, "message"):
        path = "/".join(str(p) for p in getattr(data, "absolute_path", []) or [])
        return f"{path or '(root)'}: {data.message}"
    return str(err)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
