#!/usr/bin/python3
"""Run a composite GitHub Action's steps (action.yml) here, as the runner would, so the project's
own CI and tests exercise the action without GitHub:

    python3 ci/run-action.py ACTION.yml [INPUT=VALUE ...]

From the current directory (the "workspace"). Inputs take their defaults unless given; a required
input without a value is an error. Each step's `${{ inputs.X }}` is replaced, its `if:` evaluated
(the forms action.yml uses: inputs.X == 'v', inputs.X != 'v', &&, always(), success()), its env
set, and its `run:` given to `bash -e` with GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_ENV and
GITHUB_PATH as GitHub sets them (lines written to the last two reach the later steps). A step
with `uses:` cannot run here and is an error. Exits with the first failing step's status (later
steps with always() still run), else 0.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def value(expr, inputs):
    m = re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", expr)
    if not m:
        sys.exit(f"run-action: unsupported expression '{expr}'")
    return inputs[m.group(1)]


def substitute(text, inputs):
    return EXPR.sub(lambda m: value(m.group(1), inputs), str(text))


def condition(cond, inputs, failed):
    """An if: of the forms action.yml uses; a step without one runs only while nothing failed."""
    if cond is None:
        return not failed
    cond = EXPR.sub(lambda m: m.group(1), str(cond)).strip()
    always = False
    result = True
    for term in re.split(r"\s*&&\s*", cond):
        if term in ("always()", "!cancelled()"):
            always = True
        elif term == "success()":
            result = result and not failed
        elif term == "failure()":
            result = result and failed
        else:
            m = re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)\s*(==|!=)\s*'([^']*)'", term)
            if not m:
                sys.exit(f"run-action: unsupported condition '{term}'")
            equal = inputs[m.group(1)] == m.group(3)
            result = result and (equal if m.group(2) == "==" else not equal)
    if not always and failed and "success()" not in cond and "failure()" not in cond:
        return False
    return result


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    if action.get("runs", {}).get("using") != "composite":
        sys.exit(f"run-action: {path} is not a composite action")
    inputs = {k: str(v.get("default", "")) for k, v in (action.get("inputs") or {}).items()}
    required = {k for k, v in (action.get("inputs") or {}).items() if v.get("required")}
    for arg in sys.argv[2:]:
        k, eq, v = arg.partition("=")
        if not eq or k not in inputs:
            sys.exit(f"run-action: '{arg}' is not INPUT=VALUE for an input of {path} ({', '.join(inputs)})")
        inputs[k] = v
        required.discard(k)
    if required:
        sys.exit(f"run-action: required inputs missing: {', '.join(sorted(required))}")

    env = dict(os.environ)
    temp = tempfile.mkdtemp(prefix="run-action.")
    env["GITHUB_ACTION_PATH"] = os.path.dirname(os.path.abspath(path))
    env["RUNNER_TEMP"] = temp
    env.setdefault("GITHUB_WORKSPACE", os.getcwd())
    status = 0
    for n, step in enumerate(action["runs"]["steps"], 1):
        name = step.get("name", f"step {n}")
        if "uses" in step:
            sys.exit(f"run-action: step '{name}' uses {step['uses']}, which cannot run here")
        if not condition(step.get("if"), inputs, status != 0):
            print(f"run-action: -- {name} (skipped)", flush=True)
            continue
        print(f"run-action: == {name}", flush=True)
        step_env = dict(env)
        for k, v in (step.get("env") or {}).items():
            step_env[k] = substitute(v, inputs)
        genv, gpath = os.path.join(temp, "env"), os.path.join(temp, "path")
        open(genv, "w").close()
        open(gpath, "w").close()
        step_env["GITHUB_ENV"], step_env["GITHUB_PATH"] = genv, gpath
        rc = subprocess.run(["bash", "-e", "-c", substitute(step["run"], inputs)], env=step_env, check=False).returncode
        with open(genv, encoding="utf-8") as f:
            for line in f.read().splitlines():
                k, eq, v = line.partition("=")
                if eq:
                    env[k] = v
        with open(gpath, encoding="utf-8") as f:
            for line in f.read().splitlines():
                if line:
                    env["PATH"] = line + os.pathsep + env["PATH"]
        if rc != 0:
            print(f"run-action: step '{name}' failed (exit {rc})", flush=True)
            if status == 0:
                status = rc
    return status


if __name__ == "__main__":
    sys.exit(main())
