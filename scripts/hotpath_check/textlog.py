"""The sentinel's text output as it appears in logs: report blocks (a headline, then Operation,
Section, Thread, Backtrace and frames, Mode), the exit summary and the "hotpath: checked:" line
(with section_names=1, followed by its "hotpath:   entered NAME: N" lines), among any other output, possibly behind a per-line prefix (ctest's "7: ", a CI timestamp). JSON
lines met in a text log (json_path=/dev/stderr) are read too.

The reader is fed one line at a time and keeps only the report it is inside: memory does not grow
with the log."""

import re
from typing import Callable, List, Optional, Tuple, Union

from .jsonlog import parse_json_record
from .model import BadInput, Checked, EnteredSection, Frame, Location, Lost, Report, kind_of
from .sites import fill_modules

Record = Union[Report, Checked, EnteredSection, Lost]
Emit = Callable[[Record], None]

# The known kinds may follow a prefix (a timestamp, ctest's "7: "); a kind of a later version, only
# at the start of a line (after a prefix its first word could not be told from the prefix's end).
HEADLINE_MARK = "IN HOT PATH!"
_HEADLINE_KNOWN = re.compile(r"^(?P<prefix>.*?)(?P<kind>ALLOCATION|BLOCKING CALL) IN HOT PATH!\s*$")
_HEADLINE_OTHER = re.compile(r"^(?P<prefix>)(?P<kind>[A-Z]+(?: [A-Z]+)*) IN HOT PATH!\s*$")


def headline(line: str) -> Optional["re.Match[str]"]:
    if HEADLINE_MARK not in line:
        return None
    return _HEADLINE_KNOWN.match(line) or _HEADLINE_OTHER.match(line)


OPERATION = re.compile(r"^Operation: (?P<op>.+?)(?: \((?P<size>\d+) bytes?(?:, alignment \d+)?\)"
                       r"| \(overflowing size(?:, alignment \d+)?\))?$")
THREAD = re.compile(r'^Thread: (?P<tid>\d+)(?: "(?P<name>.*)")? \(pid (?P<pid>\d+)\)$')
# The sentinel writes "in NAME+0xOFF", "in ??" or, for a call inlined into the next frame,
# "in NAME (inlined)". Anchoring the name on its offset or marker keeps C++ names with spaces
# ("basic_string<char, std::char_traits<char> >::...", "operator()() const") whole instead of
# taking their tail for the module and file.
FRAME = re.compile(r"^    #(?P<n>\d+) (?:(?P<pc>0x[0-9a-fA-F]+) )?in "
                   r"(?:(?P<ifunc>.*?) \(inlined\)|(?P<func>\?\?|.*?\+0x[0-9a-fA-F]+))"
                   r"(?: \((?P<mod>.+?)\+0x(?P<moff>[0-9a-fA-F]+)\))?"
                   r"(?: (?P<file>\S.*):(?P<line>\d+))?$")
FUNC_OFF = re.compile(r"^(?P<name>.*)\+0x(?P<off>[0-9a-fA-F]+)$")
SUMMARY_MARK = "hotpath: summary: "
SUMMARY = re.compile(r"^hotpath: summary: (?P<n>\d+) violations? in \d+ sections? at \d+ call sites?"
                     r" \(mode=(?P<mode>\w+)(?:, pid (?P<pid>\d+))?\)$")
# The location is the last parenthesized group before the section: C++ names hold parentheses too
# ("std::function<void ()>::operator()() const"). A location with parentheses of its own (a path
# "/srv/app (copy)/x.c") falls back to the first " (" after the name.
KIND = r"(?: \((?P<kind>allocation|blocking call)\))?"  # absent in logs of sentinels before 0.2
SUMMARY_SITE = re.compile(r"^hotpath:   site \d+: (?P<n>\d+) x (?P<op>\S+(?: new(?:\[\])?)?)" + KIND +
                          r"(?: in (?P<func>.*) \((?P<loc>[^()]*)\))? \[(?P<section>.*)\]$")
SUMMARY_SITE_LOOSE = re.compile(r"^hotpath:   site \d+: (?P<n>\d+) x (?P<op>\S+(?: new(?:\[\])?)?)" + KIND +
                                r"(?: in (?P<func>.*?) \((?P<loc>.*)\))? \[(?P<section>.*)\]$")
LOST = re.compile(r"^hotpath:   lost: (?P<n>\d+) reports? or lines? \(\d+ bytes\) could not be written: (?P<why>.*)$")
CHECKED_MARK = "hotpath: checked: "
CHECKED = re.compile(r"^hotpath: checked: (?P<e>\d+) sections? entered, (?P<n>\d+) violations? "
                     r"\(pid (?P<pid>\d+), (?P<prog>.*), mode=(?P<mode>\w+)\)$")
ENTERED_MARK = "hotpath:   entered "
ENTERED = re.compile(r"^hotpath:   entered (?P<name>.*): (?P<n>\d+)$")
LOC_FILE = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")
LOC_MODULE = re.compile(r"^(?P<mod>.+)\+0x(?P<off>[0-9a-fA-F]+)$")
CUT = "(report cut: too long)"
LOCK_BUSY = "(backtrace skipped: the report lock was busy)"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ESCAPED = re.compile(r"\\x([0-9a-fA-F]{2})")
DIGIT = re.compile(r"[0-9]")
RAW_LINES_KEPT = 200  # of one report, for JUnit: a garbled endless "report" must not grow memory
SHORT_PREFIX = 40


def unescape(s: str) -> str:
    """Undo the sentinel's \\xNN escaping of names and paths (bytes, usually UTF-8)."""
    if "\\x" not in s:
        return s
    raw = ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), s)
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")


def prefix_shape(p: str) -> str:
    return DIGIT.sub("0", p)


def strip_prefix(line: str, prefix: str) -> Optional[str]:
    """line without prefix (the same text, or the same shape for per-line timestamps), or None."""
    if not prefix:
        return line
    if line.startswith(prefix) or prefix_shape(line[:len(prefix)]) == prefix_shape(prefix):
        return line[len(prefix):]
    return None


def parse_frame(m: "re.Match[str]") -> Frame:
    func: Optional[str] = m.group("ifunc")
    inlined = func is not None
    off = None
    if not inlined:
        func = m.group("func")
        if func == "??":
            func = None
        else:
            fm = FUNC_OFF.match(func)
            if fm:
                func, off = fm.group("name"), int(fm.group("off"), 16)
    return Frame(
        pc=m.group("pc"), function=unescape(func) if func else None, offset=off,
        module=unescape(m.group("mod")) if m.group("mod") else None,
        module_offset=int(m.group("moff"), 16) if m.group("moff") else None,
        file=unescape(m.group("file")) if m.group("file") else None,
        line=int(m.group("line")) if m.group("line") else None, inlined=inlined)


class TextBlock:
    """One text report, fed line by line after its headline."""

    def __init__(self, path: str, lineno: int, kind: str, prefix: str) -> None:
        self.path, self.start, self.prefix = path, lineno, prefix
        self.lines = [f"{kind} IN HOT PATH!"]
        kind = {"ALLOCATION": "allocation", "BLOCKING CALL": "blocking"}.get(kind, kind.lower())
        self.report = Report((path, lineno), kind, "", "")
        self.state = "operation"
        # a malformed line, forgiven only if the sentinel's cut marker follows
        self.pending_bad: Optional[Tuple[int, str]] = None

    def strip(self, line: str) -> Optional[str]:
        return strip_prefix(line, self.prefix)

    def bad(self, lineno: int, what: str) -> BadInput:
        return BadInput(self.path, lineno, f"{what} in the report that starts at line {self.start}")

    def truncated(self, lineno: int, why: str) -> BadInput:
        return BadInput(self.path, lineno, f"truncated report (started at line {self.start}): {why}")

    def finish(self) -> Report:
        fill_modules(self.report.frames)
        self.report.raw = "\n".join(self.lines)
        return self.report

    def feed(self, lineno: int, line: str) -> bool:
        """Returns True when the block is complete."""
        if len(self.lines) < RAW_LINES_KEPT:
            self.lines.append(line)
        r = self.report
        if self.pending_bad is not None:
            if line == "" and self.pending_bad[1] != "":
                self.pending_bad = (self.pending_bad[0], "")
                return False
            if line == CUT:
                return True
            raise self.bad(self.pending_bad[0], f"unexpected line {self.pending_bad[1]!r}")
        if line == CUT:
            return True
        st = self.state
        if st == "operation":
            m = OPERATION.match(line)
            if not m:
                raise self.bad(lineno, f"expected 'Operation: ...', found {line!r}")
            r.operation = m.group("op")
            r.size = int(m.group("size")) if m.group("size") else None
            self.state = "section"
            return False
        if st == "section":
            if not line.startswith("Section: "):
                raise self.bad(lineno, f"expected 'Section: ...', found {line!r}")
            r.section = unescape(line[len("Section: "):])
            r.sections = [r.section]
            self.state = "thread"
            return False
        if st == "thread":
            if line.startswith("Section stack: "):
                r.sections = [unescape(s) for s in line[len("Section stack: "):].split(" > ")]
                return False
            if line == LOCK_BUSY:
                return True
            m = THREAD.match(line)
            if not m:
                raise self.bad(lineno, f"expected 'Thread: ...', found {line!r}")
            r.tid, r.pid = int(m.group("tid")), int(m.group("pid"))
            r.thread = unescape(m.group("name")) if m.group("name") is not None else None
            self.state = "backtrace"
            return False
        # backtrace, frames
        if line.startswith("Mode: "):
            r.mode = line[len("Mode: "):].split(" ", 1)[0]
            return True
        if st == "backtrace":
            if line == "Backtrace:":
                self.state = "frames"
                return False
            raise self.bad(lineno, f"expected 'Backtrace:' or 'Mode: ...', found {line!r}")
        if line.startswith("    (no frames"):
            return False
        m = FRAME.match(line)
        if not m:
            self.pending_bad = (lineno, line)
            return False
        r.frames.append(parse_frame(m))
        return False


def summary_report(path: str, lineno: int, pid: Optional[int], mode: str, m: "re.Match[str]") -> Report:
    op = m.group("op")
    kind = {"allocation": "allocation", "blocking call": "blocking"}.get(m.group("kind") or "", kind_of(op))
    r = Report((path, lineno), kind, op, unescape(m.group("section")), pid)
    r.sections = [r.section]
    r.count, r.source, r.mode = int(m.group("n")), "summary", mode
    loc = m.group("loc")
    func = unescape(m.group("func")) if m.group("func") and m.group("func") != "??" else None
    if loc:
        lf, lm = LOC_FILE.match(loc), LOC_MODULE.match(loc)
        if lf:
            r.location = Location(unescape(lf.group("file")), int(lf.group("line")), function=func)
        elif lm:
            r.location = Location(module=unescape(lm.group("mod")), module_offset=int(lm.group("off"), 16),
                                  function=func)
        else:
            r.location = Location(function=func)
    r.raw = m.group(0)
    return r


class _Summary:
    def __init__(self, pid: Optional[int], mode: str, total: int, where: Tuple[str, int], prefix: str) -> None:
        self.pid, self.mode, self.total, self.where, self.prefix = pid, mode, total, where, prefix
        self.listed = 0


class TextReader:
    """Reads one file: feed() every line (with its newline, if it had one), then end().
    Records go to emit as they complete; input errors are collected in errors. A bad report is
    an error, but the rest of the file is still read: the violations in it are shown too, and the
    next report after a broken one is found (the failing line may be it)."""

    def __init__(self, path: str, emit: Emit, only_json: bool = False) -> None:
        self.path, self.emit, self.only_json = path, emit, only_json
        self.errors: List[BadInput] = []
        self.block: Optional[TextBlock] = None
        self.tentative: Optional[TextBlock] = None  # a prefixed headline: a report if the next line says so
        self.summary: Optional[_Summary] = None
        self.entered: Optional[Tuple[int, str]] = None  # after a checked line: its pid and prefix
        self.last_pid: Optional[int] = None  # of the last checked line: a lost line follows it
        self.lineno = 0
        self.seen = False  # anything of hotpath's met (for the binary-file decision)

    def feed(self, full: str) -> None:
        self.lineno += 1
        try:
            self._step(self.lineno, full)
        except BadInput as e:
            self.errors.append(e)
            if self.block is not None:
                self.block = None
                try:
                    self._step(self.lineno, full)
                except BadInput as e2:
                    self.errors.append(e2)

    def end(self) -> List[BadInput]:
        self._end_summary()
        if self.block is not None:
            self.errors.append(self.block.truncated(self.lineno, "the file ends inside it"))
            self.block = None
        return self.errors

    def _end_summary(self) -> None:
        s = self.summary
        if s is not None:
            missing = s.total - s.listed
            if missing > 0:  # sites beyond the summary's table, or lines lost
                r = Report(s.where, "allocation", "(unlisted)", "(unlisted)", s.pid)
                r.sections = [r.section]
                r.count, r.source, r.mode = missing, "summary", s.mode
                self.emit(r)
        self.summary = None

    def _json(self, lineno: int, full: str) -> None:
        self.seen = True
        for rec in parse_json_record(self.path, lineno, full):
            self.emit(rec)

    def _step(self, i: int, full: str) -> None:
        line = full.rstrip("\r\n")
        if "\x1b" in line:
            line = ANSI.sub("", line)
        if self.only_json:
            if line.strip():
                self._json(i, full)
            return
        if self.tentative is not None:
            t, self.tentative = self.tentative, None
            body = t.strip(line)
            if body is not None and body.startswith("Operation: "):
                self.block = t
        if self.block is not None:
            block = self.block
            body = block.strip(line)
            if body is None:
                raise block.truncated(i, f"line {i} does not continue it: {line!r}")
            hm = headline(body)
            if hm and hm.group("prefix") == "":
                raise block.truncated(i, "a new report starts before it ended")
            if block.feed(i, body):
                self.emit(block.finish())
                self.block = None
            return
        if self.entered is not None:
            pid, prefix = self.entered
            body = strip_prefix(line, prefix)
            if body is not None and body.startswith(ENTERED_MARK):
                m = ENTERED.match(body)
                if not m:
                    raise BadInput(self.path, i, f"a cut or garbled 'hotpath:   entered' line: {line!r}")
                self.emit(EnteredSection((self.path, i), pid, unescape(m.group("name")), int(m.group("n"))))
                return
            self.entered = None
        s = self.summary
        if s is not None:
            body = strip_prefix(line, s.prefix)
            if body is not None and body.startswith("hotpath:   "):
                lm = LOST.match(body)
                if lm:
                    self.emit(Lost((self.path, i), s.pid, int(lm.group("n")), unescape(lm.group("why"))))
                    return
                m = SUMMARY_SITE.match(body) or SUMMARY_SITE_LOOSE.match(body)
                if m:
                    r = summary_report(self.path, i, s.pid, s.mode, m)
                    s.listed += r.count
                    self.emit(r)
                return
            self._end_summary()
        m = headline(line)
        if m:
            self.seen = True
            block = TextBlock(self.path, i, m.group("kind"), m.group("prefix"))
            if m.group("prefix"):  # a mention inside other text, unless the report's lines follow with it
                self.tentative = block
            else:
                self.block = block
            return
        if line.startswith('{"kind":'):
            self._json(i, full)
        elif "hotpath: " in line:
            self._hotpath_line(i, line)

    def _hotpath_line(self, i: int, line: str) -> None:
        at = line.find("hotpath:   lost: ")
        if at >= 0:  # after the checked line when the process had no violation to summarize
            lm = LOST.match(line[at:])
            if lm:
                self.seen = True
                self.emit(Lost((self.path, i), self.last_pid, int(lm.group("n")), unescape(lm.group("why"))))
                return
        # The exit summary may follow a prefix too (ctest's "7: ", a timestamp): in count mode it is
        # the only trace of the violations, so missing it would pass the gate.
        at = line.find(SUMMARY_MARK)
        if at >= 0:
            m = SUMMARY.match(line[at:])
            if m:
                self.seen = True
                pid = int(m.group("pid")) if m.group("pid") else None
                self.summary = _Summary(pid, m.group("mode"), int(m.group("n")), (self.path, i), line[:at])
            elif at <= SHORT_PREFIX and '"' not in line[:at]:
                # At the start of a line (or after a short prefix) it is the sentinel's own line: a
                # cut or garbled one hides the process's counts, and count mode has nothing else.
                raise BadInput(self.path, i, f"a cut or garbled exit summary: {line!r}")
            return
        at = line.find(CHECKED_MARK)
        if at >= 0:
            m = CHECKED.match(line[at:])
            if m:
                self.seen = True
                self.emit(Checked((self.path, i), int(m.group("pid")), int(m.group("e")), int(m.group("n")),
                                  unescape(m.group("prog")), m.group("mode")))
                self.entered = (int(m.group("pid")), line[:at])
                self.last_pid = int(m.group("pid"))
            elif at <= SHORT_PREFIX and '"' not in line[:at]:
                raise BadInput(self.path, i, f"a cut or garbled 'hotpath: checked:' line: {line!r}")
