#!/usr/bin/env python3
"""Verdict parity with cargo-deny, check by check.

Usage: scripts/parity-cargo-deny.py WORKSPACE [CONFIG] [--checks bans,licenses,sources,advisories]
       [--advisory-db PATH] [--cargo-cra BIN]

Runs `cargo deny --format json check CHECK` and `cargo cra check CHECK --format json` on the
same workspace and configuration (CONFIG, default: the workspace's deny.toml) and compares
the crates each tool FAILS (diagnostics of severity error), per check. Prints one line per
check: `check: both N, only cargo-deny [...], only cargo-cra [...]`, and exits 1 if any
check differs. Both run offline (dependencies must be in the cargo cache).

With --advisory-db PATH (a RustSec database folder), the advisories check runs too: cargo-deny
gets a git copy of it where it looks for its database and a copy of the configuration with
`db-path` pointing there and no staleness limit; cargo-cra gets `--advisory-db PATH`, the same
configuration and SOURCE_DATE_EPOCH of the snapshot's date so it is not stale either.
"""
import re
import shutil
import tempfile
import json
import os
import subprocess
import sys

CHECKS = ["bans", "licenses", "sources", "advisories"]


def deny_failures(ws, config, check, db):
    cmd = ["cargo", "deny", "--offline", "--format", "json", "--color", "never"]
    if config:
        cmd += ["--config", config]
    cmd += ["check", check]
    p = subprocess.run(cmd, cwd=ws, capture_output=True, text=True)
    crates = set()
    codes = {}
    for line in p.stderr.splitlines() + p.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        if d.get("type") != "diagnostic":
            continue
        f = d["fields"]
        if f.get("severity") != "error":
            continue
        names = []
        for g in f.get("graphs") or []:
            k = g.get("Krate")
            if k:
                names.append(f"{k['name']}@{k['version']}")
        if not names:
            names = [f"<{f.get('code')}: {f.get('message')}>"]
        for n in names:
            crates.add(n)
            codes.setdefault(n, set()).add(f.get("code"))
    return crates, codes, p.returncode


def cra_failures(ws, config, check, db, binary):
    cmd = [binary, "cra", "check", check, "--format", "json", "--offline"]
    if config:
        cmd += ["--policy", config]
    if db and check == "advisories":
        cmd += ["--advisory-db", db]
    p = subprocess.run(cmd, cwd=ws, capture_output=True, text=True)
    crates = set()
    codes = {}
    if p.returncode == 2:
        return None, {"<could not run>": {p.stderr.strip().splitlines()[0] if p.stderr.strip() else "?"}}, 2
    report = json.loads(p.stdout)
    for d in report["diagnostics"]:
        if d["severity"] != "error":
            continue
        pkg = d.get("package")
        if d["code"] == "bans-duplicate" and pkg:
            names = [f"{pkg['name']}@{v}" for v in d["data"]["versions"]]
        elif pkg:
            names = [f"{pkg['name']}@{pkg['version']}"]
        else:
            names = [f"<{d['code']}: {d['message']}>"]
        for n in names:
            crates.add(n)
            codes.setdefault(n, set()).add(d["code"])
    return crates, codes, p.returncode


def prepare_advisories(ws, config, db):
    """A configuration copy whose [advisories] points cargo-deny at a git copy of `db`."""
    tmp = tempfile.mkdtemp(prefix="parity-deny-")
    text = open(config or os.path.join(ws, "deny.toml")).read() if (config or os.path.exists(os.path.join(ws, "deny.toml"))) else ""
    lines = []
    for line in text.splitlines():
        if re.match(r"\s*(db-path|db-urls|maximum-db-staleness)\s*=", line):
            line = "# (parity) " + line
        lines.append(line)
    text = "\n".join(lines) + "\n"
    extra = f'db-path = "{tmp}/dbs"\nmaximum-db-staleness = "P36500D"\n'
    if re.search(r"^\[advisories\]\s*$", text, re.M):
        text = re.sub(r"^\[advisories\]\s*$", "[advisories]\n" + extra, text, count=1, flags=re.M)
    else:
        text += "\n[advisories]\n" + extra
    cfg = os.path.join(tmp, "deny.toml")
    open(cfg, "w").write(text)
    p = subprocess.run(["cargo", "deny", "-L", "debug", "--offline", "--config", cfg, "check", "advisories"],
                       cwd=ws, capture_output=True, text=True)
    m = re.search(r"Opening advisory database at '([^']*)'", p.stderr)
    if m:
        dest = m.group(1)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copytree(db, dest)
        g = ["git", "-C", dest]
        subprocess.run(g + ["init", "-q"], check=True)
        subprocess.run(g + ["add", "-A"], check=True)
        subprocess.run(g + ["-c", "user.name=parity", "-c", "user.email=parity@example.com", "commit", "-q", "-m", "snapshot"], check=True)
        open(os.path.join(dest, ".git", "FETCH_HEAD"), "w").close()
    return cfg


def main():
    args = sys.argv[1:]
    checks = CHECKS
    db = None
    binary = os.environ.get("CARGO_CRA", "cargo-cra")
    pos = []
    prepare_only = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--checks":
            checks = args[i + 1].split(",")
            i += 2
        elif a == "--advisory-db":
            db = args[i + 1]
            i += 2
        elif a == "--prepare-only":
            prepare_only = True
            i += 1
        elif a == "--cargo-cra":
            binary = args[i + 1]
            i += 2
        else:
            pos.append(a)
            i += 1
    ws = os.path.abspath(pos[0])
    config = os.path.abspath(pos[1]) if len(pos) > 1 else None
    if db:
        config = prepare_advisories(ws, config, db)
        if prepare_only:
            print(config)
            return
        # The snapshot's own date, so neither tool finds the database stale.
        os.environ.setdefault("SOURCE_DATE_EPOCH", "1787000000")
    elif "advisories" in checks:
        checks = [c for c in checks if c != "advisories"]
    differ = False
    for check in checks:
        d, dcodes, drc = deny_failures(ws, config, check, db)
        c, ccodes, crc = cra_failures(ws, config, check, db, binary)
        if c is None:
            print(f"{check}: cargo-cra could not run: {ccodes}")
            differ = True
            continue
        both = d & c
        only_d = sorted(d - c)
        only_c = sorted(c - d)
        status = "EQUAL" if not only_d and not only_c else "DIFF"
        if status == "DIFF":
            differ = True
        print(
            f"{check}: {status} failed by both {len(both)}, only cargo-deny {len(only_d)}, "
            f"only cargo-cra {len(only_c)} (exit codes: cargo-deny {drc}, cargo-cra {crc})"
        )
        for n in only_d:
            print(f"    only cargo-deny: {n} {sorted(dcodes.get(n, []))}")
        for n in only_c:
            print(f"    only cargo-cra:  {n} {sorted(ccodes.get(n, []))}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
