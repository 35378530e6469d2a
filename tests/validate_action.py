#!/usr/bin/env python3
"""Checks action.yml (run by .ci/run): it parses as a composite action, its inputs are used,
and every `cargo cra <command> --flag` it runs exists in that command's `--help`.

Usage: validate_action.py ACTION_YML CARGO_CRA_BINARY
"""
import re
import subprocess
import sys

import yaml


def main(path, binary):
    action = yaml.safe_load(open(path))
    errors = []
    runs = action.get("runs", {})
    if runs.get("using") != "composite":
        errors.append("runs.using is not composite")
    steps = runs.get("steps", [])
    text = open(path).read()
    for name in action.get("inputs", {}):
        if f"inputs.{name}" not in text:
            errors.append(f"input `{name}` is never used")
    uses = [s["uses"] for s in steps if "uses" in s]
    for u in ("actions/cache@", "github/codeql-action/upload-sarif@"):
        if not any(x.startswith(u) for x in uses):
            errors.append(f"no step uses {u}")
    checked = 0
    for s in steps:
        if "run" in s and "shell" not in s:
            errors.append(f"step `{s.get('name')}` has no shell (composite actions need one)")
        for m in re.finditer(r"cargo cra (\w+)([^\n]*)", s.get("run", "")):
            command, rest = m.group(1), m.group(2)
            help_text = subprocess.run([binary, command, "--help"], capture_output=True, text=True).stdout
            if not help_text:
                errors.append(f"`cargo cra {command}` does not exist")
                continue
            for flag in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-o)\b", rest):
                checked += 1
                if flag not in help_text:
                    errors.append(f"`cargo cra {command}` has no flag {flag}")
            for fmt in re.findall(r"--format (\w+)", rest):
                if fmt not in help_text:
                    errors.append(f"`cargo cra {command} --format {fmt}` is not a format")
    if checked == 0:
        errors.append("no cargo cra flags found to check")
    for e in errors:
        print(f"FAILED: {e}")
    print(f"action.yml: {len(steps)} steps, {checked} flags checked, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
