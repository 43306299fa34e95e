#!/usr/bin/python3
"""The README's options table and help=1 agree: the same options in the same order, each with the
same value syntax and default. help=1's list comes from preload/options.def, so an option added
there without its README row (or a default changed on one side only) fails here.

    python3 test/options_readme.py PRELOAD README.md      (make check-options does this)
"""
import os
import re
import subprocess
import sys


def from_help(preload):
    env = dict(os.environ, HOTPATH_OPTIONS="help=1", LD_PRELOAD=preload)
    r = subprocess.run(["/bin/true"], env=env, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        sys.exit(f"options_readme: /bin/true under the sentinel with help=1 exited {r.returncode}:\n{r.stderr}")
    rows = []
    for line in r.stderr.splitlines():
        m = re.match(r"^hotpath:   (\w+)=(\S+) +\((\w+), default (\S+)\)  \S", line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(4)))
    if not rows:
        sys.exit(f"options_readme: no option lines in help=1's output:\n{r.stderr}")
    return rows


def from_readme(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## Options.*?$(.*?)^## ", text, re.S | re.M)
    if not m:
        sys.exit(f"options_readme: no '## Options' section in {path}")
    rows = []
    for line in m.group(1).splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        opt = cells[0].replace("\\|", "|").strip("`")
        key, _, syntax = opt.partition("=")
        rows.append((key, syntax, cells[1].strip("`")))
    return rows


def main():
    preload, readme = sys.argv[1], sys.argv[2]
    want, have = from_help(preload), from_readme(readme)
    if want == have:
        print(f"options_readme: the README's table and help=1 list the same {len(want)} options")
        return 0
    print("options_readme: the README's options table and help=1 differ (key, syntax, default):")
    for w in want:
        if w not in have:
            print(f"  help=1 has {w}, the README does not")
    for h in have:
        if h not in want:
            print(f"  the README has {h}, help=1 does not")
    if sorted(want) == sorted(have):
        print("  (the same rows in a different order)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
