#!/usr/bin/env python3
"""Writes a synthetic release archive of SBOMs for scripts/bench-scan.sh.

Usage: gen-sbom-archive.py CARGO_LOCK OUT_DIR [BIG] [SMALL]

From a real Cargo.lock (the crates and versions of one ~1000-crate product) it writes BIG
(default 400) SBOMs of that product, one per "release", with the versions drifting from
release to release (older releases hold older patch versions), rotating through the shapes
of the generators we read: ours (CycloneDX 1.6), cargo-cyclonedx 0.5 (1.5, path bom-refs),
cdxgen (1.7, evidence), SPDX 2.3 and SPDX 3.0.1; and SMALL (default 10000) small SBOMs of
3 to 15 crates each, with a signature file beside every tenth one. Deterministic (seeded).
"""
import hashlib, json, os, random, sys, uuid

lock_path, out = sys.argv[1], sys.argv[2]
big = int(sys.argv[3]) if len(sys.argv) > 3 else 400
small = int(sys.argv[4]) if len(sys.argv) > 4 else 10000

def parse_lock(path):
    pkgs, cur = [], None
    for line in open(path):
        line = line.strip()
        if line == "[[package]]":
            cur = {}
            pkgs.append(cur)
        elif cur is not None and " = " in line and not line.startswith("dependencies"):
            k, v = line.split(" = ", 1)
            if v.startswith('"'):
                cur[k] = v.strip('"')
    return [p for p in pkgs if "name" in p and "version" in p]

pkgs = parse_lock(lock_path)
registry = [p for p in pkgs if p.get("source", "").startswith("registry+")]
members = [p for p in pkgs if "source" not in p]
product = members[0] if members else {"name": "product", "version": "1.0.0"}
rng = random.Random(20261201)

def drift(version, age):
    """An older version for an older release: lower the patch number by up to `age`."""
    core, sep, rest = version.partition("-")
    parts = core.split("+")[0].split(".")
    if len(parts) == 3 and parts[2].isdigit():
        parts[2] = str(max(0, int(parts[2]) - rng.randint(0, age)))
    return ".".join(parts) + (sep + rest if sep else "")

def enc(v):
    return v.replace("+", "%2B")

def sha(i):
    return hashlib.sha256(i.encode()).hexdigest()

def ours(name, ver, comps, rel):
    def comp(p):
        purl = f"pkg:cargo/{p['name']}@{enc(p['version'])}"
        crate = f"https://static.crates.io/crates/{p['name']}/{p['name']}-{p['version']}.crate"
        h = [{"alg": "SHA-256", "content": p.get("checksum", sha(p["name"]))}]
        return {"type": "library", "bom-ref": purl, "name": p["name"], "version": p["version"],
                "description": "A crate of the product.", "hashes": h,
                "licenses": [{"expression": "MIT OR Apache-2.0", "acknowledgement": "concluded"}],
                "purl": purl,
                "externalReferences": [{"type": "distribution", "url": crate, "hashes": h}],
                "properties": [{"name": "bsi:component:filename", "value": f"{p['name']}-{p['version']}.crate"},
                               {"name": "bsi:component:executable", "value": "non-executable"},
                               {"name": "cargo-cra:source", "value": "crates.io"}]}
    return {"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat": "CycloneDX",
            "specVersion": "1.6", "serialNumber": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}",
            "version": 1,
            "metadata": {"timestamp": "2026-01-01T00:00:00Z",
                         "component": {"type": "application", "bom-ref": f"pkg:cargo/{name}@{ver}", "name": name,
                                       "version": ver, "purl": f"pkg:cargo/{name}@{ver}",
                                       "properties": [{"name": "cargo-cra:target", "value": "x86_64-unknown-linux-gnu"}]}},
            "components": [comp(p) for p in comps],
            "dependencies": [{"ref": f"pkg:cargo/{p['name']}@{enc(p['version'])}", "dependsOn": []} for p in comps]}

def cargo_cyclonedx(name, ver, comps, rel):
    def comp(p):
        ref = f"registry+https://github.com/rust-lang/crates.io-index#{p['name']}@{p['version']}"
        return {"type": "library", "bom-ref": ref, "author": "The Authors", "name": p["name"], "version": p["version"],
                "description": "A crate of the product.", "scope": "required",
                "hashes": [{"alg": "SHA-256", "content": p.get("checksum", sha(p["name"]))}],
                "licenses": [{"expression": "MIT OR Apache-2.0"}], "purl": f"pkg:cargo/{p['name']}@{enc(p['version'])}",
                "externalReferences": [{"type": "website", "url": f"https://github.com/example/{p['name']}"},
                                       {"type": "vcs", "url": f"https://github.com/example/{p['name']}"}]}
    root = f"path+file:///home/dev/{name}#{ver}"
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "serialNumber": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}",
            "metadata": {"timestamp": "2026-01-01T00:00:00Z",
                         "tools": [{"vendor": "CycloneDX", "name": "cargo-cyclonedx", "version": "0.5.9"}],
                         "component": {"type": "application", "bom-ref": root, "name": name, "version": ver,
                                       "purl": f"pkg:cargo/{name}@{ver}?download_url=file://.",
                                       "components": [{"type": "application", "bom-ref": root + " bin-target-0",
                                                       "name": name, "version": ver,
                                                       "purl": f"pkg:cargo/{name}@{ver}?download_url=file://.#src/main.rs"}]},
                         "properties": [{"name": "cdx:rustc:sbom:target:triple", "value": "x86_64-unknown-linux-gnu"}]},
            "components": [comp(p) for p in comps],
            "dependencies": [{"ref": root, "dependsOn": [f"registry+https://github.com/rust-lang/crates.io-index#{p['name']}@{p['version']}" for p in comps]}]}

def cdxgen(name, ver, comps, rel):
    def comp(p):
        purl = f"pkg:cargo/{p['name']}@{enc(p['version'])}"
        return {"group": "", "name": p["name"], "version": p["version"], "purl": purl, "type": "library", "bom-ref": purl,
                "hashes": [{"alg": "SHA-256", "content": p.get("checksum", sha(p["name"]))}],
                "properties": [{"name": "SrcFile", "value": "Cargo.lock"}],
                "evidence": {"identity": [{"field": "purl", "confidence": 0.6,
                                           "methods": [{"technique": "manifest-analysis", "confidence": 0.6, "value": "Cargo.lock"}],
                                           "concludedValue": "Cargo.lock"}]}}
    return {"bomFormat": "CycloneDX", "specVersion": "1.7", "serialNumber": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}",
            "version": 1,
            "metadata": {"timestamp": "2026-01-01T00:00:00Z",
                         "tools": {"components": [{"group": "@cyclonedx", "name": "cdxgen", "version": "12.8.4",
                                                   "purl": "pkg:npm/%40cyclonedx/cdxgen@12.8.4", "type": "application"}]},
                         "component": {"name": name, "version": ver, "purl": f"pkg:cargo/{name}@{ver}",
                                       "bom-ref": f"pkg:cargo/{name}@{ver}", "type": "application"}},
            "components": [comp(p) for p in comps],
            "dependencies": [{"ref": f"pkg:cargo/{p['name']}@{enc(p['version'])}", "dependsOn": []} for p in comps]}

def spdx2(name, ver, comps, rel):
    def pkg(i, p):
        return {"SPDXID": f"SPDXRef-Package-{i}", "name": p["name"], "versionInfo": p["version"],
                "downloadLocation": f"https://static.crates.io/crates/{p['name']}/{p['name']}-{p['version']}.crate",
                "checksums": [{"algorithm": "SHA256", "checksumValue": p.get("checksum", sha(p["name"]))}],
                "licenseConcluded": "MIT OR Apache-2.0", "licenseDeclared": "MIT OR Apache-2.0", "copyrightText": "NOASSERTION",
                "filesAnalyzed": False, "supplier": "NOASSERTION",
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                  "referenceLocator": f"pkg:cargo/{p['name']}@{enc(p['version'])}"}]}
    root = {"SPDXID": "SPDXRef-Package-root", "name": name, "versionInfo": ver, "downloadLocation": "NONE",
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": f"pkg:cargo/{name}@{ver}"}]}
    return {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": f"{name}-{ver}",
            "documentNamespace": f"https://example.com/spdx/{name}-{ver}-{rel}",
            "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: bench"]},
            "documentDescribes": ["SPDXRef-Package-root"],
            "packages": [root] + [pkg(i, p) for i, p in enumerate(comps)],
            "relationships": [{"spdxElementId": "SPDXRef-Package-root", "relationshipType": "DEPENDS_ON",
                               "relatedSpdxElement": f"SPDXRef-Package-{i}"} for i in range(len(comps))]}

def spdx3(name, ver, comps, rel):
    base = f"https://example.com/spdx/{name}-{ver}-{rel}"
    graph = [{"type": "CreationInfo", "@id": "_:ci", "specVersion": "3.0.1", "created": "2026-01-01T00:00:00Z", "createdBy": []},
             {"type": "SpdxDocument", "spdxId": base + "#doc", "creationInfo": "_:ci", "rootElement": [base + "#sbom"]},
             {"type": "software_Sbom", "spdxId": base + "#sbom", "creationInfo": "_:ci", "rootElement": [base + "#root"]},
             {"type": "software_Package", "spdxId": base + "#root", "creationInfo": "_:ci", "name": name,
              "software_packageVersion": ver, "software_packageUrl": f"pkg:cargo/{name}@{ver}"}]
    for i, p in enumerate(comps):
        purl = f"pkg:cargo/{p['name']}@{enc(p['version'])}"
        graph.append({"type": "software_Package", "spdxId": f"{base}#p{i}", "creationInfo": "_:ci", "name": p["name"],
                      "software_packageVersion": p["version"], "software_packageUrl": purl,
                      "software_downloadLocation": f"https://static.crates.io/crates/{p['name']}/{p['name']}-{p['version']}.crate",
                      "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": purl}],
                      "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": p.get("checksum", sha(p["name"]))}]})
        graph.append({"type": "Relationship", "spdxId": f"{base}#r{i}", "creationInfo": "_:ci", "from": base + "#root",
                      "relationshipType": "dependsOn", "to": [f"{base}#p{i}"]})
    return {"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": graph}

shapes = [(ours, "cdx.json"), (cargo_cyclonedx, "cdx.json"), (cdxgen, "bom.json"), (spdx2, "spdx.json"), (spdx3, "spdx3.json")]
total = 0
for r in range(big):
    age = (big - r) // 40          # the older the release, the more its versions drift back
    comps = [dict(p, version=drift(p["version"], age)) for p in registry]
    ver = f"{r // 100}.{(r // 10) % 10}.{r % 10}"
    fn, ext = shapes[r % len(shapes)]
    d = os.path.join(out, "releases", ver)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f"{product['name']}.{ext}" if ext != "bom.json" else "bom.json")
    with open(path, "w") as f:
        json.dump(fn(product["name"], ver, comps, r), f, indent=1 if r % 4 == 0 else None)
    total += os.path.getsize(path)
    with open(path + ".sig", "w") as f:
        f.write("-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n")
print(f"{big} release SBOMs of {len(registry)} crates: {total / 1e6:.0f} MB")
total = 0
for s in range(small):
    comps = rng.sample(registry, rng.randint(3, min(15, len(registry))))
    fn, ext = shapes[s % len(shapes)]
    d = os.path.join(out, "small", f"{s // 1000:02}")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f"svc-{s:05}.{ext}")
    with open(path, "w") as f:
        json.dump(fn(f"svc-{s:05}", "1.0.0", comps, s), f)
    total += os.path.getsize(path)
    if s % 10 == 0:
        with open(path + ".sig", "w") as f:
            f.write("sig\n")
print(f"{small} small SBOMs: {total / 1e6:.0f} MB")
