"""The command line: read every input (streaming), merge, print, write the requested files, and
say by the exit status what was found."""

import argparse
import json
import os
import sys
from typing import List, Optional, Sequence

from . import PROG, VERSION
from .inputs import JSON_SUFFIXES, SkipFile, input_files, lines, open_input
from .merge import Merger
from .model import EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_UNCHECKED, EXIT_VIOLATIONS, BadInput
from .out_github import github_lines
from .out_junit import junit_doc
from .out_sarif import sarif_doc
from .out_text import plural, shown, text_lines
from .textlog import TextReader

EPILOG = """Exit status: 0 no violation; 1 violations found; 2 unreadable input or a garbage or
truncated report (usage errors too): the gate cannot vouch for what it could not read; 3 no
violation, but the input does not show what --require-checked or --expect-section asked for."""


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=PROG, description="Gate on hotpath reports: print one line per violation site found in "
        "LOG_OR_DIR (text logs, JSON report files, directories recursively); exit 1 if any.",
        epilog=EPILOG)
    ap.add_argument("inputs", nargs="+", metavar="LOG_OR_DIR")
    ap.add_argument("--github", action="store_true", help="also print GitHub Actions ::error annotations")
    ap.add_argument("--sarif", metavar="FILE", help="write SARIF 2.1.0 to FILE")
    ap.add_argument("--junit", metavar="FILE", help="write JUnit XML to FILE")
    ap.add_argument("--root", metavar="DIR", help="source root: a violation's site is the first frame in a "
                    "file under it, and paths are shown relative to it (default: $GITHUB_WORKSPACE, "
                    "$CI_PROJECT_DIR, else the current directory)")
    ap.add_argument("--require-checked", action="store_true",
                    help="exit 3 unless at least one process reported in: its 'hotpath: checked:' line or "
                    "JSON exit summary (written at exit by every process that entered a section) or a "
                    "report; a run the sentinel never saw, or that never entered a section, does not pass")
    ap.add_argument("--expect-section", metavar="NAME", action="append", default=[],
                    help="exit 3 unless the input shows section NAME entered (repeatable): a process's "
                    "'hotpath:   entered NAME: N' line or JSON sections_entered_by_name (written with "
                    "section_names=1, which hotpath-run --expect-section sets), or a violation in it")
    ap.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors (and annotations)")
    ap.add_argument("--version", action="version", version=f"{PROG} {VERSION}")
    return ap


def write_out(path: str, text: str) -> bool:
    try:
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        print(f"{PROG}: cannot write {path}: {e.strerror or e}", file=sys.stderr)
        return False
    return True


def read_all(inputs: Sequence[str], merger: Merger, errors: List[BadInput]) -> int:
    """Streams every input file into merger; returns the number of files read."""
    nfiles = 0

    def skipped(path: str, why: str) -> None:
        print(f"{PROG}: skipped {shown(path)}: {why}", file=sys.stderr)

    for arg in inputs:
        for path, explicit in input_files(arg, errors, skipped):
            try:
                f = open_input(path, explicit)
            except SkipFile as e:
                skipped(path, str(e))
                continue
            except BadInput as e:
                errors.append(e)
                continue
            with f:
                nfiles += 1
                reader = TextReader(path, merger.add, only_json=path.endswith(JSON_SUFFIXES))
                try:
                    for line in lines(path, f):
                        reader.feed(line)
                except BadInput as e:
                    reader.errors.append(e)
                errors.extend(reader.end())
    return nfiles


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    root = os.path.abspath(args.root or os.environ.get("GITHUB_WORKSPACE") or os.environ.get("CI_PROJECT_DIR")
                           or os.getcwd())
    merger = Merger(root)
    errors: List[BadInput] = []
    nfiles = read_all(args.inputs, merger, errors)
    for e in errors:
        print(f"{PROG}: error: {e}", file=sys.stderr)

    sites = merger.result()
    out = text_lines(sites, merger, root, nfiles, PROG)
    if not args.quiet and (sites or not errors):
        print("\n".join(out))

    unmet: List[str] = []
    if args.require_checked and merger.processes_checked() == 0:
        unmet.append("no process reported in: nothing in the input shows that the sentinel checked the run "
                     "(was the program run under hotpath-run or with LD_PRELOAD=libhotpath.so?)")
    by_name = merger.entered_by_name()
    for name in args.expect_section:
        if name not in merger.sections_named and name.encode()[:95].decode(errors="ignore") not in by_name:
            hint = "" if by_name else (" (no process counted its sections by name: run with hotpath-run "
                                       "--expect-section NAME or HOTPATH_OPTIONS=section_names=1)")
            unmet.append(f"section '{shown(name)}' was never seen entered{hint}")
    for lost in merger.lost.values():
        who = f"process {lost.pid}" if lost.pid is not None else "a process"
        print(f"{PROG}: {who} could not write {plural(lost.writes, 'report or line', 'reports or lines')} "
              f"({lost.reason}; {shown(lost.origin[0])}:{lost.origin[1]}): the counts above are a lower bound",
              file=sys.stderr)
    for u in unmet:
        print(f"{PROG}: {u} (exit {EXIT_UNCHECKED})", file=sys.stderr)

    if args.github:
        for line in github_lines(sites, errors, root):
            print(line)
    ok = True
    if args.sarif:
        checked = {"processesChecked": merger.processes_checked(), "sectionsEntered": merger.sections_entered()}
        ok &= write_out(args.sarif, json.dumps(sarif_doc(sites, root, checked), indent=1) + "\n")
    if args.junit:
        import io
        buf = io.StringIO()
        junit_doc(sites, errors, root, out[-1]).write(buf, encoding="unicode", xml_declaration=True)
        ok &= write_out(args.junit, buf.getvalue())
    if errors:
        if not args.quiet:
            print(f"{PROG}: {plural(len(errors), 'input error')}: the gate cannot vouch for what it could not "
                  f"read (exit {EXIT_BAD_INPUT})", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not ok:
        return EXIT_BAD_INPUT
    if sites:
        return EXIT_VIOLATIONS
    if merger.lost:
        print(f"{PROG}: reports were lost, so the run cannot be shown clean (exit {EXIT_BAD_INPUT})",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_UNCHECKED if unmet else EXIT_CLEAN


def entry(argv: Optional[Sequence[str]] = None) -> None:
    try:
        sys.exit(main(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        sys.exit(130)
