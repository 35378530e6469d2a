#!/usr/bin/env python3
"""Checks action.yml (run by .ci/run), then runs it.

Static checks: it parses as a composite action, its inputs are used, and every
`cargo cra <command> --flag` it runs exists in that command's `--help`.

Then the action is executed step by step the way the GitHub runner executes a composite
action (no GitHub is reachable from CI): `${{ }}` expressions (inputs, step outputs, runner and
github contexts) are evaluated, `if:` conditions decide which steps run (a failed step skips
the following ones unless they say `always()`), `run:` steps go through
`bash --noprofile --norc -eo pipefail` with `GITHUB_OUTPUT`, `RUNNER_TEMP` and the step's
`env:`, and `uses:` steps are stood in for: `actions/cache` reports a cache hit for the
cargo-cra binary (the binary under test is on PATH, so the install step is skipped as on a warm
runner), `github/codeql-action/upload-sarif` checks that its `sarif_file` is a SARIF 2.1.0 log
with results located in the repository. An expression outside the small subset the action uses
is an error, never guessed. Two jobs run on copies of the test workspaces: `clean` (passes; the
check's SARIF is uploaded, the SBOM step builds and writes SBOMs) and `license-denied` (the
job fails at "Fail on policy violations" after uploading the SARIF; later steps are skipped).

Usage: validate_action.py ACTION_YML CARGO_CRA_BINARY
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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
    if errors:
        return 1
    return run_jobs(action, binary)


# --- running the composite action --------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
FIXTURE_DB = REPO / "tests" / "fixtures" / "advisory-db"
OFFLINE = f"--locked --offline --advisory-db {FIXTURE_DB}"


class Unsupported(Exception):
    pass


def operand(text, ctx):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    parts = text.split(".")
    if parts[0] == "inputs" and len(parts) == 2:
        return ctx["inputs"][parts[1]]
    if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
        return ctx["steps"].get(parts[1], {}).get(parts[3], "")
    if parts[0] == "runner" and len(parts) == 2:
        return ctx["runner"][parts[1]]
    if parts[0] == "github" and len(parts) == 2:
        return ctx["github"][parts[1]]
    raise Unsupported(f"expression `{text}`")


def condition(expr, ctx, failed):
    """A step's `if:` (GitHub adds `success() &&` unless a status function is used)."""
    if expr is None:
        return not failed
    expr = expr.strip()
    if expr.startswith("${{") and expr.endswith("}}"):
        expr = expr[3:-2]
    if "||" in expr or "(" in expr.replace("always()", "").replace("success()", ""):
        raise Unsupported(f"condition `{expr}`")
    status_fn = "always()" in expr or "success()" in expr
    result = True if status_fn else not failed
    for term in expr.split("&&"):
        term = term.strip()
        if term == "always()":
            continue
        if term == "success()":
            result = result and not failed
            continue
        m = re.fullmatch(r"(.+?)\s*(==|!=)\s*(.+)", term)
        if not m:
            raise Unsupported(f"condition term `{term}`")
        a, op, b = operand(m.group(1), ctx), m.group(2), operand(m.group(3), ctx)
        result = result and ((a == b) if op == "==" else (a != b))
    return result


def expand(text, ctx):
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: operand(m.group(1), ctx), str(text))


def read_outputs(path):
    out = {}
    for line in Path(path).read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def check_sarif(path, repo_root):
    log = json.loads(Path(path).read_text())
    if log.get("version") != "2.1.0" or not log.get("runs"):
        return f"{path} is not a SARIF 2.1.0 log"
    for r in log["runs"][0].get("results", []):
        locs = r.get("locations") or []
        if not locs:
            return f"a result without a location: {r.get('ruleId')}"
        uri = locs[0]["physicalLocation"]["artifactLocation"]["uri"]
        if not (repo_root / uri).is_file():
            return f"a result located outside the repository: {uri}"
    return None


def run_job(action, binary, workspace, inputs, work):
    """Runs the action's steps in a copy of `workspace`; returns (job ok, steps run, outputs, problems)."""
    root = work / workspace
    shutil.copytree(REPO / "test-workspaces" / workspace, root / workspace)
    shutil.copytree(REPO / "test-workspaces" / "vendor", root / "vendor")
    shutil.copytree(REPO / "test-workspaces" / "cargo-home", root / "cargo-home")
    (root / workspace / ".git").mkdir()  # the checkout
    bindir = root / "bin"
    bindir.mkdir()
    os.symlink(Path(binary).resolve(), bindir / "cargo-cra")
    temp = root / "runner-temp"
    temp.mkdir()
    defaults = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    unknown = set(inputs) - set(defaults)
    if unknown:
        raise Unsupported(f"inputs {sorted(unknown)} are not declared")
    ctx = {
        "inputs": {**defaults, **inputs},
        "steps": {},
        "runner": {"os": "Linux", "temp": str(temp)},
        "github": {"run_id": "1", "workspace": str(root / workspace)},
    }
    env = {
        "PATH": f"{bindir}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(root)),
        "CARGO_HOME": str(root / "cargo-home"),
        "SOURCE_DATE_EPOCH": "1796083200",
        "NO_COLOR": "1",
        "RUNNER_TEMP": str(temp),
        "GITHUB_WORKSPACE": str(root / workspace),
        "GITHUB_ACTIONS": "true",
    }
    for k in ("RUSTUP_HOME", "RUSTUP_TOOLCHAIN"):
        if k in os.environ:
            env[k] = os.environ[k]
    failed = False
    ran, problems = [], []
    for i, step in enumerate(action["runs"]["steps"]):
        name = expand(step.get("name", f"step {i}"), ctx)
        if not condition(step.get("if"), ctx, failed):
            continue
        ran.append(name)
        outputs = {}
        if "uses" in step:
            with_ = {k: expand(v, ctx) for k, v in step.get("with", {}).items()}
            if step["uses"].startswith("actions/cache@"):
                outputs["cache-hit"] = "true" if "cargo-cra" in with_.get("path", "") and "bin" in with_.get("path", "") else "false"
            elif step["uses"].startswith("github/codeql-action/upload-sarif@"):
                problem = check_sarif(with_["sarif_file"], root / workspace)
                if problem:
                    problems.append(f"{name}: {problem}")
                    failed = True
            else:
                raise Unsupported(f"no stand-in for `uses: {step['uses']}`")
        else:
            out_file = temp / f"output-{i}"
            out_file.write_text("")
            step_env = dict(env)
            step_env.update({k: expand(v, ctx) for k, v in step.get("env", {}).items()})
            step_env["GITHUB_OUTPUT"] = str(out_file)
            script = temp / f"step-{i}.sh"
            script.write_text(expand(step["run"], ctx))
            if step.get("shell") != "bash":
                raise Unsupported(f"shell `{step.get('shell')}`")
            p = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=root / workspace, env=step_env, capture_output=True, text=True,
            )
            if p.returncode != 0:
                failed = True
                ran[-1] += f" (failed, exit {p.returncode})"
                print(f"    {name}: exit {p.returncode}\n" + "\n".join("      " + l for l in (p.stdout + p.stderr).splitlines()[-15:]))
            outputs = read_outputs(out_file)
        if "id" in step:
            ctx["steps"][step["id"]] = outputs
    action_outputs = {k: expand(v["value"], ctx) for k, v in action.get("outputs", {}).items()}
    return not failed, ran, action_outputs, problems, root / workspace


def run_jobs(action, binary):
    errors = []
    with tempfile.TemporaryDirectory(prefix="cargo-cra-action-") as t:
        work = Path(t)
        try:
            ok, ran, out, problems, ws = run_job(
                action, binary, "clean",
                {"check-args": OFFLINE, "sbom": f"{OFFLINE} --build --format json,spdx3-json"}, work)
            print(f"job clean: {'passed' if ok else 'FAILED'}; steps run: {ran}; outputs: {out}")
            errors += problems
            if not ok:
                errors.append("job clean failed")
            if out.get("exit-code") != "0":
                errors.append(f"job clean: check exit code {out.get('exit-code')!r}, expected 0")
            if not Path(out.get("sarif-file", "/nonexistent")).is_file():
                errors.append("job clean: no SARIF file")
            if not any(n.startswith("Upload SARIF") for n in ran):
                errors.append("job clean: the SARIF was not uploaded")
            if any(n.startswith("Install") for n in ran):
                errors.append("job clean: installed although the binary cache hit")
            sboms = sorted(p.name for p in ws.rglob("*.cdx.json")) + sorted(p.name for p in ws.rglob("*.spdx3.json"))
            if not any(n.endswith(".cdx.json") for n in sboms) or not any(n.endswith(".spdx3.json") for n in sboms):
                errors.append(f"job clean: the sbom step wrote {sboms}, expected CycloneDX and SPDX 3")
            if any(n.startswith("cargo cra verify") for n in ran):
                errors.append("job clean: verify ran with an empty `verify` input")

            ok, ran, out, problems, _ = run_job(action, binary, "license-denied", {"check-args": OFFLINE, "sbom": "--build"}, work)
            print(f"job license-denied: {'passed' if ok else 'failed (expected)'}; steps run: {ran}; outputs: {out}")
            errors += problems
            if ok:
                errors.append("job license-denied passed although the check finds a denied license")
            if out.get("exit-code") != "1":
                errors.append(f"job license-denied: check exit code {out.get('exit-code')!r}, expected 1")
            if not any(n.startswith("Upload SARIF") for n in ran):
                errors.append("job license-denied: the SARIF was not uploaded before failing")
            if not any(n.startswith("Fail on policy violations") and "failed" in n for n in ran):
                errors.append("job license-denied: did not fail at `Fail on policy violations`")
            if any(n.startswith("cargo cra sbom") for n in ran):
                errors.append("job license-denied: the sbom step ran after the failure")
        except Unsupported as e:
            errors.append(f"the local runner does not support {e}: extend tests/validate_action.py")
    for e in errors:
        print(f"FAILED: {e}")
    print(f"action.yml run locally: 2 jobs, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
