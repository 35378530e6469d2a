#!/usr/bin/env python3
"""Runs spdx3-validate (PyPI) on SPDX 3.0.1 JSON-LD files without network access.

spdx3-validate fetches the SPDX 3.0.1 JSON schema, the SHACL model and the JSON-LD context
from spdx.org. This wrapper installs a urllib opener that answers exactly those three URLs
from the copies in tests/schemas/spdx-3.0.1/ (see its README) and refuses every other URL, then
runs spdx3-validate's own command line (`spdx3-validate -s 3.0.1 --json FILE ...`) unchanged:
the validation logic is entirely spdx3-validate's.

usage: spdx3_validate_offline.py DATA_DIR FILE_OR_DIR...   (dirs: every *.spdx3.json in them)
"""
import io
import pathlib
import sys
import urllib.request
import urllib.response
from email.message import Message

URLS = {
    "https://spdx.org/schema/3.0.1/spdx-json-schema.json": "spdx-json-schema.json",
    "https://spdx.org/rdf/3.0.1/spdx-model.ttl": "spdx-model.ttl",
    "https://spdx.org/rdf/3.0.1/spdx-context.jsonld": "spdx-context.jsonld",
}
TYPES = {".json": "application/json", ".ttl": "text/turtle", ".jsonld": "application/ld+json"}


def opener(data_dir: pathlib.Path) -> urllib.request.OpenerDirector:
    class Local(urllib.request.BaseHandler):
        handler_order = 100  # before the default HTTP(S) handlers
        def _serve(self, req):
            url = req.get_full_url()
            name = URLS.get(url)
            if name is None:
                raise urllib.error.URLError(f"offline: refusing to fetch {url}")
            path = data_dir / name
            headers = Message()
            headers["Content-Type"] = TYPES[path.suffix]
            resp = urllib.response.addinfourl(io.BytesIO(path.read_bytes()), headers, url, 200)
            resp.msg = "OK"
            return resp

        https_open = _serve
        http_open = _serve

    return urllib.request.build_opener(Local)


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    data_dir = pathlib.Path(sys.argv[1])
    files = []
    for arg in sys.argv[2:]:
        p = pathlib.Path(arg)
        files.extend(sorted(p.rglob("*.spdx3.json")) if p.is_dir() else [p])
    if not files:
        print(f"no *.spdx3.json under {sys.argv[2:]}", file=sys.stderr)
        return 1
    urllib.request.install_opener(opener(data_dir))
    from spdx3_validate.main import main as spdx3validate_main

    failed = 0
    for f in files:
        sys.argv = ["spdx3-validate", "--quiet", "-s", "3.0.1", "--json", str(f)]
        try:
            rc = spdx3validate_main()
        except SystemExit as e:
            rc = e.code
        rc = 0 if rc in (None, 0) else 1
        print(f"{'ok' if rc == 0 else 'FAILED'}: spdx3-validate {f}")
        failed += rc
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
