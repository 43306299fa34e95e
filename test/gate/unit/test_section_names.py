"""Unit tests of the per-name section counts (section_names=1) in hotpath-check's readers, merge
and --expect-section, on test/gate/data/names.log and names.jsonl."""

import io
import os
import unittest
from contextlib import redirect_stderr, redirect_stdout
from typing import List, Tuple

from hotpath_check import cli
from hotpath_check.merge import Merger
from hotpath_check.model import BadInput, Checked, EnteredSection
from hotpath_check.textlog import TextReader

DATA = os.path.join(os.path.dirname(__file__), "..", "data")


def feed(path: str, text: str, only_json: bool = False) -> Tuple[List[object], List[BadInput]]:
    recs: List[object] = []
    r = TextReader(path, recs.append, only_json=only_json)
    for line in text.splitlines(keepends=True):
        r.feed(line)
    return recs, r.end()


def run_cli(*argv: str) -> Tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


class TextLines(unittest.TestCase):
    def test_entered_lines_follow_the_checked_line(self) -> None:
        with open(os.path.join(DATA, "names.log"), encoding="utf-8") as f:
            recs, errs = feed("names.log", f.read())
        self.assertEqual(errs, [])
        self.assertIsInstance(recs[0], Checked)
        got = [(e.pid, e.name, e.count) for e in recs if isinstance(e, EnteredSection)]
        # unescaped (\x09 is a tab); a ": " inside a name stays in the name
        self.assertEqual(got, [(4242, "audio", 6), (4242, "tab\tname", 2), (4242, "a: b", 1)])

    def test_prefixed_lines(self) -> None:
        recs, errs = feed("x.log", "7: hotpath: checked: 1 section entered, 0 violations (pid 5, p, mode=abort)\n"
                                   "7: hotpath:   entered s: 1\n")
        self.assertEqual(errs, [])
        self.assertEqual([(e.pid, e.name) for e in recs if isinstance(e, EnteredSection)], [(5, "s")])

    def test_not_after_a_checked_line_is_not_read(self) -> None:
        recs, errs = feed("x.log", "hotpath:   entered s: 1\n")
        self.assertEqual((recs, errs), ([], []))

    def test_garbled_line_is_an_input_error(self) -> None:
        _, errs = feed("x.log", "hotpath: checked: 1 section entered, 0 violations (pid 5, p, mode=abort)\n"
                                "hotpath:   entered s: \n")
        self.assertEqual(len(errs), 1)
        self.assertIn("entered", str(errs[0]))


class Json(unittest.TestCase):
    def test_by_name_object(self) -> None:
        with open(os.path.join(DATA, "names.jsonl"), encoding="utf-8") as f:
            recs, errs = feed("names.jsonl", f.read(), only_json=True)
        self.assertEqual(errs, [])
        self.assertEqual(sorted((e.name, e.count) for e in recs if isinstance(e, EnteredSection)),
                         [("audio", 4), ('net "x"', 3)])

    def test_bad_counts(self) -> None:
        _, errs = feed("x.jsonl", '{"kind":"summary","pid":1,"violations":0,"sites":[],'
                                  '"sections_entered_by_name":{"a":-1}}\n', only_json=True)
        self.assertEqual(len(errs), 1)
        self.assertIn("sections_entered_by_name", str(errs[0]))


class Merge(unittest.TestCase):
    def test_text_and_json_of_one_process_are_not_added(self) -> None:
        m = Merger(None)
        for n in (5, 6):  # the same process's text and JSON summaries
            m.add(EnteredSection(("a", 1), 7, "s", n))
        m.add(EnteredSection(("b", 1), 8, "s", 2))  # another process
        self.assertEqual(m.entered_by_name(), {"s": 8})


class ExpectSection(unittest.TestCase):
    def test_clean_run_that_entered_it_passes(self) -> None:
        rc, _, err = run_cli(os.path.join(DATA, "names.log"), "--expect-section", "audio",
                             "--expect-section", "tab\tname")
        self.assertEqual(rc, 0, err)

    def test_json_names(self) -> None:
        rc, _, err = run_cli(os.path.join(DATA, "names.jsonl"), "--expect-section", 'net "x"')
        self.assertEqual(rc, 0, err)

    def test_section_not_entered_fails_naming_it(self) -> None:
        rc, _, err = run_cli(os.path.join(DATA, "names.log"), "--expect-section", "video")
        self.assertEqual(rc, 3)
        self.assertIn("section 'video' was never seen entered", err)
        self.assertNotIn("section_names=1", err)  # names were counted: no hint

    def test_run_without_names_says_how_to_get_them(self) -> None:
        rc, _, err = run_cli(os.path.join(DATA, "clean.log"), "--expect-section", "audio")
        self.assertEqual(rc, 3)
        self.assertIn("section_names=1", err)


if __name__ == "__main__":
    unittest.main()
