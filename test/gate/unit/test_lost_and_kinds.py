"""Unit tests: reports a process could not write are never passed over in silence, and an exit
summary's site keeps the kind the sentinel gave it (an operation's name alone does not tell it)."""

import io
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from typing import Tuple

from hotpath_check import cli

COUNT_MODE_LOG = (
    "hotpath: checked: 3 sections entered, 2 violations (pid 7, app, mode=count)\n"
    "hotpath: summary: 2 violations in 1 section at 2 call sites (mode=count, pid 7)\n"
    "hotpath:   section s: 2\n"
    "hotpath:   site 1: 1 x mi_malloc (allocation) in main (/src/a.c:2) [s]\n"
    "hotpath:   site 2: 1 x my_lock (blocking call) in main (/src/a.c:3) [s]\n")

LOST_LOG = (  # as the sentinel writes it for a process without violations: no summary block
    "hotpath: checked: 3 sections entered, 0 violations (pid 8, app, mode=warn)\n"
    "hotpath:   lost: 4 reports or lines (900 bytes) could not be written: stderr: it stayed full\n")


def run_on(text: str, name: str = "a.log") -> Tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = cli.main([p])
        return rc, out.getvalue(), err.getvalue()


class KindTest(unittest.TestCase):
    def test_summary_sites_keep_their_kind(self) -> None:
        rc, out, _ = run_on(COUNT_MODE_LOG)
        self.assertEqual(rc, 1)
        self.assertIn("allocation 'mi_malloc'", out)
        self.assertIn("blocking call 'my_lock'", out)

    def test_json_summary_sites_keep_their_kind(self) -> None:
        line = ('{"kind":"summary","pid":9,"mode":"count","violations":1,"suppressed":0,'
                '"sections_entered":1,"program":"x","sites":[{"count":1,"kind":"allocation",'
                '"operation":"mi_malloc","section":"s","function":"main","file":"/src/a.c","line":2}]}\n')
        rc, out, _ = run_on(line, "a.jsonl")
        self.assertEqual(rc, 1)
        self.assertIn("allocation 'mi_malloc'", out)


class LostTest(unittest.TestCase):
    def test_a_run_that_lost_reports_is_never_clean(self) -> None:
        rc, _, err = run_on(LOST_LOG)
        self.assertEqual(rc, 2)
        self.assertIn("process 8 could not write 4 reports or lines (stderr: it stayed full", err)
        self.assertIn("cannot be shown clean", err)

    def test_lost_reports_beside_violations_still_fail_and_are_said(self) -> None:
        rc, _, err = run_on(COUNT_MODE_LOG + LOST_LOG.replace("pid 8", "pid 7"))
        self.assertEqual(rc, 1)
        self.assertIn("the counts above are a lower bound", err)

    def test_json_lost_writes(self) -> None:
        line = ('{"kind":"summary","pid":9,"mode":"warn","violations":0,"suppressed":0,"sections_entered":1,'
                '"program":"x","lost_writes":2,"lost_bytes":10,"lost_reason":"the log: disk full","sites":[]}\n')
        rc, _, err = run_on(line, "a.jsonl")
        self.assertEqual(rc, 2)
        self.assertIn("2 reports or lines (the log: disk full", err)


if __name__ == "__main__":
    unittest.main()
