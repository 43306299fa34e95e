"""Counts per violation site over all processes, built as the readers stream records in.

One process's violations can be seen up to four times (its text report, its JSON line, its text
and its JSON exit summary; warn mode prints only the first report of a call stack): per process
and site the largest of the counts is taken, then processes are summed. Memory grows with the
number of distinct (process, site) pairs, not with the number of reports."""

from collections import Counter
from typing import Dict, List, Optional, Set, Tuple

from .model import Checked, EnteredSection, Frame, Location, Lost, Report, SiteKey
from .sites import is_system_module, site_frame

SOURCES = ("text", "json", "summary", "json_summary")


class Site:
    def __init__(self, key: SiteKey, rep: Report) -> None:
        self.key, self.rep = key, rep
        self.count = 0
        self.pids: Set[int] = set()

    @staticmethod
    def _score(x: Report) -> Tuple[bool, bool, bool]:
        return (bool(x.frames), x.source == "json", not x.source.endswith("summary"))

    def better(self, r: Report) -> None:
        """Keep the richest report as the site's representative: with frames, JSON before text."""
        if self._score(r) > self._score(self.rep):
            self.rep = r


class Process:
    """What is known of one process: whether it reported in, the sections it entered."""

    def __init__(self) -> None:
        self.checked = False  # a "hotpath: checked:" line or a JSON exit summary
        self.sections_entered: Optional[int] = None
        self.program: Optional[str] = None
        self.entered_by_name: Dict[str, int] = {}  # section_names=1: sections entered per name
        self.counts: Dict[str, "Counter[SiteKey]"] = {}
        # The keys the sentinel's exit summary may give a site whose reports the gate keys
        # otherwise (a different frame: the root rule, or a sentinel of an older rule), to the
        # gate's keys: the summary's counts then land on the gate's site instead of doubling it.
        self.aliases: Dict[SiteKey, Set[SiteKey]] = {}


def legacy_frame(frames: List[Frame]) -> Optional[Frame]:
    """The rule of sentinels before the system-path rule: the first frame with a source line in a
    module that is not a system module, else the first such module, else frame #0."""
    for f in frames:
        if f.file and not is_system_module(f.module):
            return f
    return site_frame(frames, None) if frames else None


def frame_key(r: Report, f: Optional[Frame]) -> SiteKey:
    loc = Location(f.file, f.line, f.module, f.module_offset) if f else Location()
    return (r.section, r.operation) + loc.key()


class Merger:
    def __init__(self, root: Optional[str]) -> None:
        self.root = root
        self.sites: Dict[SiteKey, Site] = {}
        self.procs: Dict[int, Process] = {}
        self.anon: "Counter[SiteKey]" = Counter()  # reports without a pid: each a process of its own
        self.sections_named: Set[str] = set()  # every section a report or summary names
        self.lost: Dict[Optional[int], Lost] = {}  # per process, the largest loss it reported

    def locate(self, r: Report) -> None:
        if r.frames:
            f = site_frame(r.frames, self.root)
            if f:
                r.location = Location(f.file, f.line, f.module, f.module_offset, f.function)

    def add(self, rec: object) -> None:
        if isinstance(rec, Checked):
            self.add_checked(rec)
        elif isinstance(rec, Report):
            self.add_report(rec)
        elif isinstance(rec, EnteredSection):
            self.add_entered(rec)
        elif isinstance(rec, Lost):
            old = self.lost.get(rec.pid)
            if old is None or rec.writes > old.writes:  # the text and the JSON summary say it twice
                self.lost[rec.pid] = rec

    def add_entered(self, e: EnteredSection) -> None:
        """A process's text and JSON summaries both name its sections: the larger count is kept."""
        p = self.procs.setdefault(e.pid, Process())
        p.checked = True
        p.entered_by_name[e.name] = max(p.entered_by_name.get(e.name, 0), e.count)
        if e.count > 0:
            self.sections_named.add(e.name)

    def entered_by_name(self) -> Dict[str, int]:
        """Sections entered per name, summed over the processes that counted them (section_names=1)."""
        out: "Counter[str]" = Counter()
        for p in self.procs.values():
            out.update(p.entered_by_name)
        return dict(out)

    def add_checked(self, c: Checked) -> None:
        p = self.procs.setdefault(c.pid, Process())
        p.checked = True
        if c.sections_entered is not None:
            p.sections_entered = max(p.sections_entered or 0, c.sections_entered)
        p.program = p.program or c.program

    def add_report(self, r: Report) -> None:
        if r.source in ("text", "json"):
            self.locate(r)
        self.sections_named.update(r.sections or [r.section])
        key = r.site_key()
        s = self.sites.get(key)
        if s is None:
            s = self.sites[key] = Site(key, r)
        else:
            s.better(r)
        if r.pid is None:
            self.anon[key] += r.count
            return
        s.pids.add(r.pid)
        p = self.procs.setdefault(r.pid, Process())
        p.counts.setdefault(r.source, Counter())[key] += r.count
        if r.frames:
            for f in (site_frame(r.frames, None), legacy_frame(r.frames)):
                k = frame_key(r, f)
                if k != key:
                    p.aliases.setdefault(k, set()).add(key)

    def result(self) -> List[Site]:
        for s in self.sites.values():
            s.count = self.anon.get(s.key, 0)
        for p in self.procs.values():
            counts = [self._translated(p, src, c) for src, c in p.counts.items()]
            keys: Set[SiteKey] = set()
            for c in counts:
                keys.update(c)
            for k in keys:
                self.sites[k].count += max(c[k] for c in counts)
        live = [s for s in self.sites.values() if s.count > 0]  # a summary's key moved onto the gate's
        return sorted(live, key=lambda s: (-s.count, s.rep.location.text(), repr(s.key)))

    @staticmethod
    def _translated(p: Process, src: str, c: "Counter[SiteKey]") -> "Counter[SiteKey]":
        """An exit summary's counts on the gate's keys: a key that only the summary uses and that
        the process's reports alias goes to their site; when several sites share it (two lines
        of the user's under one library frame), each gets what its reports counted and the first
        the remainder."""
        if not src.endswith("summary") or not p.aliases:
            return c
        own: "Counter[SiteKey]" = Counter()
        for s2, c2 in p.counts.items():
            if not s2.endswith("summary"):
                for k, v in c2.items():
                    own[k] = max(own[k], v)
        out: "Counter[SiteKey]" = Counter()
        for k, v in c.items():
            targets = p.aliases.get(k)
            if not targets or k in own:
                out[k] += v
                continue
            ordered = sorted(targets, key=lambda t: (-own[t], repr(t)))
            left = v
            for t in ordered:
                give = min(own[t], left)
                out[t] += give
                left -= give
            out[ordered[0]] += left
        return out

    def processes_checked(self) -> int:
        """Processes that reported in: a checked line or JSON summary, or a violation report (a
        process that aborted on its first violation writes no summary)."""
        return len(self.procs) + (1 if self.anon else 0)

    def sections_entered(self) -> int:
        return sum(p.sections_entered or 0 for p in self.procs.values())

    def sections_unknown(self) -> int:
        """Processes that reported in without saying how many sections they entered."""
        return sum(1 for p in self.procs.values() if p.sections_entered is None)
