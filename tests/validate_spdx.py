#!/usr/bin/env python3
"""Independent validation of the SPDX SBOMs cargo-cra writes (run by .ci/run).

* SPDX 2.3 JSON (`*.spdx.json`): spdx-tools' validator (`pyspdxtools -i`, the SPDX project's
  reference implementation) and `ntia-checker -s spdx2 -c ntia` (NTIA minimum elements),
  both conformant.
* SPDX 3.0.1 JSON-LD (`*.spdx3.json`): read and written back with `spdx_python_model` (the
  SPDX project's bindings generated from the 3.0.1 SHACL model: unknown types, properties
  and enumeration values fail when reading, missing required properties when writing), and
  `ntia-checker -s spdx3 -c bsi` (BSI TR-03183-2 v2.1.0), conformant, with no dangling
  references. A document whose file name starts with `uncached--` is one where a crate is
  deliberately missing from cargo's download cache: it must be reported non-conformant for
  exactly that (the SHA-512 of that crate), which shows the check is not vacuous.

Usage: validate_spdx.py DIR   (searched for *.spdx.json and *.spdx3.json)

Exit status: 0 when every document passes, 1 when any fails, 2 when nothing was found or a
tool is missing (so that CI never passes by validating nothing).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def tool(name):
    path = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(path).exists():
        print(f"error: `{name}` is not installed", file=sys.stderr)
        sys.exit(2)
    return path


def check_spdx2(path, pyspdxtools, ntia):
    errors = []
    r = run([pyspdxtools, "-i", str(path)])
    if r.returncode != 0 or "ERROR" in r.stdout + r.stderr:
        errors.append(f"pyspdxtools: {r.stdout}{r.stderr}")
    r = run([ntia, "-s", "spdx2", "-c", "ntia", "-r", "json", str(path)])
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        return errors + [f"ntia-checker gave no JSON report: {r.stdout}{r.stderr}"]
    if not report.get("isConformant"):
        errors.append(f"ntia-checker (NTIA): not conformant: {json.dumps(report, indent=1)}")
    return errors


def check_spdx3(path, ntia):
    errors = []
    from spdx_python_model.bindings import v3_0_1 as spdx3
    import io

    objects = spdx3.SHACLObjectSet()
    try:
        with open(path) as f:
            spdx3.JSONLDDeserializer().read(f, objects)
        missing = objects.link()
        if missing:
            errors.append(f"references to elements not in the document: {sorted(missing)}")
        spdx3.JSONLDSerializer().write(objects, io.BytesIO())
    except Exception as e:  # the bindings raise plain exceptions naming the problem
        errors.append(f"spdx_python_model: {type(e).__name__}: {e}")
    r = run([ntia, "-s", "spdx3", "-c", "bsi", "-r", "json", str(path)])
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        return errors + [f"ntia-checker gave no JSON report: {r.stdout}{r.stderr}"]
    graph = report.get("graphValidation", {})
    if graph.get("unknownPointers", {}).get("hasUnknownPointers"):
        errors.append(f"ntia-checker: dangling references: {graph['unknownPointers']}")
    if graph.get("floatingComponents", {}).get("floatingComponentCount"):
        errors.append(f"ntia-checker: components not reachable from the root: {graph['floatingComponents']}")
    expect_fail = path.name.startswith("uncached--")
    if expect_fail:
        text = run([ntia, "-s", "spdx3", "-c", "bsi", "-v", str(path)]).stdout
        if report.get("isConformant"):
            errors.append("BSI: a crate without SHA-512 was accepted")
        elif "sha512_hash (1): tinyrand" not in text:
            errors.append(f"BSI: expected only tinyrand's SHA-512 to be missing:\n{text}")
    elif not report.get("isConformant"):
        text = run([ntia, "-s", "spdx3", "-c", "bsi", "-v", str(path)]).stdout
        errors.append(f"ntia-checker (BSI TR-03183-2): not conformant:\n{text}")
    return errors


def main(argv):
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = Path(argv[0])
    v2 = sorted(root.rglob("*.spdx.json"))
    v3 = sorted(root.rglob("*.spdx3.json"))
    if not v2 or not v3:
        print(f"error: no SPDX 2.3 and 3.0.1 documents in {root}", file=sys.stderr)
        return 2
    pyspdxtools, ntia = tool("pyspdxtools"), tool("ntia-checker")
    failed = 0
    for path in v2:
        errs = check_spdx2(path, pyspdxtools, ntia)
        print(f"{'FAILED' if errs else 'ok'}: SPDX 2.3 {path}")
        for e in errs:
            print(f"  {e}")
        failed += bool(errs)
    for path in v3:
        errs = check_spdx3(path, ntia)
        label = "SPDX 3.0.1 (expected BSI failure: uncached crate)" if path.name.startswith("uncached--") else "SPDX 3.0.1 + BSI TR-03183-2"
        print(f"{'FAILED' if errs else 'ok'}: {label} {path}")
        for e in errs:
            print(f"  {e}")
        failed += bool(errs)
    print(f"{len(v2) + len(v3) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
