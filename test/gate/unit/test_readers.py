"""Unit tests of hotpath-check's readers, merge and output on test/gate/data (stdlib unittest).
Run by `make check-gate-unit`: python3 -m unittest discover -s test/gate/unit, with scripts/ on
PYTHONPATH."""

import io
import json
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from typing import List, Union

from hotpath_check import cli
from hotpath_check.merge import Merger
from hotpath_check.model import BadInput, Checked, Frame, Report
from hotpath_check.out_text import describe, short_name, text_lines
from hotpath_check.sites import site_frame
from hotpath_check.textlog import TextReader

DATA = os.path.join(os.path.dirname(__file__), "..", "data")


def read(name: str, text: Union[str, None] = None, only_json: bool = False):
    recs: List[object] = []
    path = os.path.join(DATA, name) if text is None else name
    r = TextReader(path, recs.append, only_json=only_json)
    if text is None:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    body = text
    for line in body.splitlines(keepends=True):
        r.feed(line)
    return recs, r.end()


def run_cli(*argv: str):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


class TextReaderTest(unittest.TestCase):
    def test_sample_text_log_gives_two_reports_and_a_summary(self) -> None:
        recs, errs = read("sample-text.log")
        self.assertEqual(errs, [])
        reps = [r for r in recs if isinstance(r, Report)]
        self.assertEqual([r.source for r in reps], ["text", "text", "summary", "summary"])
        first = reps[0]
        self.assertEqual((first.operation, first.size, first.section), ("malloc", 32, "parse_event"))
        self.assertEqual(first.sections, ["on_packet", "parse_event"])
        self.assertEqual((first.tid, first.pid, first.thread), (4242, 4240, "feed-rx"))
        self.assertEqual(len(first.frames), 5)
        self.assertEqual(first.frames[1].file, "/srv/app/src/parse.c")
        self.assertEqual([r.count for r in reps[2:]], [3, 1])

    def test_cxx_names_with_spaces_stay_whole(self) -> None:
        recs, errs = read("cxx-names.log")
        self.assertEqual(errs, [])
        names = [f.function for r in recs if isinstance(r, Report) for f in r.frames]
        self.assertTrue(any(n and n.endswith("operator()() const") for n in names), names)

    def test_broken_inputs_name_file_and_line(self) -> None:
        for name, line in (("truncated-report.log", 6), ("interrupted-report.log", 5), ("garbage-report.log", 4)):
            _, errs = read(name)
            self.assertTrue(errs, name)
            self.assertIn(f"{name}:{line}:", str(errs[0]))

    def test_inlined_frames_are_parsed_and_take_the_module_of_their_physical_frame(self) -> None:
        text = ("ALLOCATION IN HOT PATH!\nOperation: operator new (4 bytes)\nSection: s\nThread: 1 (pid 9)\n"
                "Backtrace:\n"
                "    #0 0x10 in operator new(unsigned long)+0x1c (/usr/lib/libstdc++.so.6+0x10)\n"
                "    #1 0x20 in std::vector<int>::push_back (inlined) /usr/include/c++/12/bits/stl_vector.h:1287\n"
                "    #2 0x20 in hot+0x20 (/srv/app/app+0x20) /srv/app/app.cc:20\n"
                "Mode: warn\n")
        recs, errs = read("inl.log", text)
        self.assertEqual(errs, [])
        r = recs[0]
        assert isinstance(r, Report)
        self.assertTrue(r.frames[1].inlined)
        self.assertEqual(r.frames[1].function, "std::vector<int>::push_back")
        self.assertEqual(r.frames[1].module, "/srv/app/app")
        self.assertEqual((r.frames[1].file, r.frames[1].line), ("/usr/include/c++/12/bits/stl_vector.h", 1287))

    def test_checked_line_is_a_process_reporting_in(self) -> None:
        recs, errs = read("c.log", "7: hotpath: checked: 12 sections entered, 0 violations (pid 77, ./prog, mode=warn)\n")
        self.assertEqual(errs, [])
        self.assertEqual(len(recs), 1)
        c = recs[0]
        assert isinstance(c, Checked)
        self.assertEqual((c.pid, c.sections_entered, c.violations, c.program), (77, 12, 0, "./prog"))

    def test_summary_site_names_with_parentheses_keep_their_location(self) -> None:
        text = ("hotpath: summary: 3 violations in 1 section at 1 call site (mode=warn, pid 5)\n"
                "hotpath:   site 1: 3 x operator new in std::function<void ()>::operator()() const "
                "(/srv/app/src/cb.cc:12) [tick]\n")
        recs, errs = read("s.log", text)
        self.assertEqual(errs, [])
        r = recs[0]
        assert isinstance(r, Report)
        self.assertEqual((r.location.file, r.location.line, r.location.function),
                         ("/srv/app/src/cb.cc", 12, "std::function<void ()>::operator()() const"))

    def test_a_cut_checked_line_is_an_input_error(self) -> None:
        _, errs = read("c.log", "hotpath: checked: 12 sections ent\n")
        self.assertEqual(len(errs), 1)
        self.assertIn("c.log:1:", str(errs[0]))


class JsonReaderTest(unittest.TestCase):
    def test_summary_with_sections_entered(self) -> None:
        line = json.dumps({"kind": "summary", "pid": 5, "mode": "warn", "violations": 0, "sections_entered": 3,
                           "program": "prog", "sites": []}) + "\n"
        recs, errs = read("s.jsonl", line, only_json=True)
        self.assertEqual(errs, [])
        self.assertEqual(len(recs), 1)
        assert isinstance(recs[0], Checked)
        self.assertEqual(recs[0].sections_entered, 3)

    def test_deep_nesting_is_an_input_error_not_a_recursion_error(self) -> None:
        _, errs = read("deep.jsonl", "[" * 100000 + "]" * 100000 + "\n", only_json=True)
        self.assertEqual(len(errs), 1)
        self.assertIn("deep.jsonl:1: JSON nested too deeply", str(errs[0]))

    def test_data_files(self) -> None:
        for name, want in (("truncated.jsonl", "truncated"), ("garbage.jsonl", "not a JSON report"),
                           ("notreport.jsonl", "not a hotpath JSON report"), ("negative.jsonl", "non-negative")):
            _, errs = read(name, only_json=True)
            self.assertTrue(errs and want in str(errs[0]), (name, errs))
            self.assertIsInstance(errs[0], BadInput)


class SiteRuleTest(unittest.TestCase):
    LIB = Frame(function="operator new", module="/usr/lib/x86_64-linux-gnu/libstdc++.so.6")

    def frames(self, user_line: int) -> List[Frame]:
        return [self.LIB,
                Frame(function="std::vector<int>::push_back", module="/srv/app/app", inlined=True,
                      file="/usr/include/c++/12/bits/stl_vector.h", line=1287),
                Frame(function="hot", module="/srv/app/app", file="/srv/app/app.cc", line=user_line),
                Frame(function="main", module="/srv/app/app", file="/srv/app/main.cc", line=5)]

    def test_system_header_frames_are_skipped(self) -> None:
        f = site_frame(self.frames(20), None)
        assert f is not None
        self.assertEqual((f.file, f.line), ("/srv/app/app.cc", 20))

    def test_rust_toolchain_paths_are_skipped(self) -> None:
        fr = [Frame(function="alloc::raw_vec::grow", module="/srv/r/target/release/r", inlined=True,
                    file="/rustc/90b35a623/library/alloc/src/raw_vec.rs", line=9),
              Frame(function="r::hot", module="/srv/r/target/release/r", file="/srv/r/src/main.rs", line=7)]
        f = site_frame(fr, None)
        assert f is not None
        self.assertEqual(f.file, "/srv/r/src/main.rs")

    def test_a_frame_under_the_root_wins(self) -> None:
        fr = [Frame(function="lib_helper", module="/opt/vendor/libv.so", file="/opt/vendor/v.c", line=3),
              Frame(function="hot", module="/srv/app/app", file="/srv/app/app.cc", line=20)]
        self.assertEqual(site_frame(fr, "/srv/app").file, "/srv/app/app.cc")  # type: ignore[union-attr]
        self.assertEqual(site_frame(fr, "/elsewhere").file, "/opt/vendor/v.c")  # type: ignore[union-attr]

    def test_two_user_lines_sharing_a_library_frame_are_two_sites(self) -> None:
        m = Merger(None)
        for line in (20, 21):
            r = Report(("x", 1), "allocation", "operator new", "s", pid=1)
            r.frames = self.frames(line)
            r.sections = ["s"]
            m.add(r)
        sites = m.result()
        self.assertEqual(sorted(s.rep.location.line for s in sites), [20, 21])  # type: ignore[type-var]

    def test_no_frames_in_user_code_falls_back_to_today_rule(self) -> None:
        fr = [self.LIB, Frame(function="x", module="/srv/app/libp.so")]
        self.assertEqual(site_frame(fr, None).module, "/srv/app/libp.so")  # type: ignore[union-attr]
        self.assertIs(site_frame([self.LIB], None), self.LIB)


class SummaryAgreementTest(unittest.TestCase):
    def test_a_summary_that_names_a_system_header_lands_on_the_gates_site(self) -> None:
        # An -O2 C++ run by a sentinel whose summary still picks new_allocator.h:137: its 7
        # violations must not be added to the 3 reports' site at the user's line.
        recs, errs = read("cxx-o2-summary.log")
        self.assertEqual(errs, [])
        m = Merger(None)
        for r in recs:
            m.add(r)
        sites = m.result()
        self.assertEqual([(s.rep.location.file, s.rep.location.line, s.count) for s in sites],
                         [("/srv/app/src/probe_cxx.cc", 29, 7)])

    def test_two_sites_under_one_summary_key_keep_their_own_counts(self) -> None:
        m = Merger(None)
        lib = Frame(function="operator new", module="/usr/lib/libstdc++.so.6")
        for line in (20, 21):
            r = Report(("x", 1), "allocation", "operator new", "s", pid=1)
            r.sections = ["s"]
            r.frames = [lib, Frame(function="hot", module="/srv/app/app", file="/usr/include/c++/12/x.h", line=5),
                        Frame(function="main", module="/srv/app/app", file="/srv/app/app.cc", line=line)]
            m.add(r)
        s = Report(("x", 9), "allocation", "operator new", "s", pid=1)
        s.sections, s.source, s.count = ["s"], "summary", 5
        s.location.file, s.location.line = "/usr/include/c++/12/x.h", 5
        m.add(s)
        got = sorted((x.rep.location.line, x.count) for x in m.result())  # type: ignore[type-var]
        self.assertEqual(sum(c for _, c in got), 5)
        self.assertEqual(len(got), 2)


class OutputTest(unittest.TestCase):
    def test_long_cxx_names_are_shortened(self) -> None:
        name = "std::_Hashtable<" + "std::basic_string<char, std::char_traits<char>, std::allocator<char> >, " * 10 + \
            "int>::_M_insert_unique_node(unsigned long)"
        s = short_name(name)
        self.assertLessEqual(len(s), 100)
        self.assertIn("_M_insert_unique_node", s)

    def test_site_lines_stay_short_with_long_names(self) -> None:
        recs, _ = read("cxx-names.log")
        m = Merger(None)
        for r in recs:
            m.add(r)
        for line in text_lines(m.result(), m, None, 1, "hotpath-check"):
            self.assertLessEqual(len(line), 300, line)

    def test_operation_label_is_the_sentinels_operation_name(self) -> None:
        recs, _ = read("sample-text.log")
        m = Merger(None)
        for r in recs:
            m.add(r)
        whats = [describe(s, None)[1] for s in m.result()]
        self.assertTrue(whats[0].startswith("allocation 'malloc' via strdup"), whats)
        self.assertTrue(whats[1].startswith("allocation 'operator new' (64 bytes)"), whats)


class CliTest(unittest.TestCase):
    def test_clean_run_line_counts_processes_and_sections(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "a.log")
            with open(p, "w") as f:
                f.write("hotpath: checked: 4 sections entered, 0 violations (pid 1, a, mode=warn)\n"
                        "hotpath: checked: 6 sections entered, 0 violations (pid 2, b, mode=warn)\n")
            rc, out, _ = run_cli(p)
            self.assertEqual(rc, 0)
            self.assertIn("hotpath-check: 2 processes checked, 10 sections entered, 0 violations (1 report file read)",
                          out)

    def test_require_checked_fails_a_run_nobody_reported_in(self) -> None:
        rc, out, err = run_cli("--require-checked", os.path.join(DATA, "clean.log"))
        self.assertEqual(rc, 3)
        self.assertIn("0 processes checked", out)
        self.assertIn("no process reported in", err)
        self.assertEqual(run_cli(os.path.join(DATA, "clean.log"))[0], 0)

    def test_expect_section(self) -> None:
        p = os.path.join(DATA, "sample-text.log")
        self.assertEqual(run_cli("--expect-section", "nope", p)[0], 1)  # violations still win
        rc, _, err = run_cli("--expect-section", "nope", os.path.join(DATA, "clean.log"))
        self.assertEqual(rc, 3)
        self.assertIn("'nope'", err)

    def test_a_walked_binary_file_without_reports_is_named(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "x.bin"), "wb") as f:
                f.write(b"\x7fELF\0\0\0" * 100)
            with open(os.path.join(d, "y.log"), "wb") as f:
                with open(os.path.join(DATA, "sample-blocking.log"), "rb") as g:
                    f.write(b"noise \0\n" + g.read())
            rc, out, err = run_cli(d)
            self.assertEqual(rc, 1)
            self.assertIn("skipped", err)
            self.assertIn("x.bin", err)
            self.assertNotIn("y.log", err)
            self.assertIn("mixer.c:88", out)


if __name__ == "__main__":
    unittest.main()
