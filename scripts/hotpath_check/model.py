"""The records the readers produce and the merge consumes: frames, locations, reports, and the
processes that reported in. No parsing and no output here."""

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_BAD_INPUT, EXIT_UNCHECKED = 0, 1, 2, 3

# The operations the sentinel reports as allocations (the rest are blocking calls): used where a
# line names only the operation (the exit summaries).
ALLOC_OPS = frozenset({
    "malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc", "memalign", "valloc",
    "pvalloc", "reallocarray", "strdup", "strndup", "operator new", "operator new[]",
    "malloc_usable_size", "allocation"})  # "allocation": a sanitizer's allocator hook

Origin = Tuple[str, int]  # (path, line)
SiteKey = Tuple[object, ...]


class BadInput(Exception):
    """A report that cannot be trusted: names the file and line."""

    def __init__(self, path: str, line: int, msg: str) -> None:
        super().__init__(f"{path}:{line}: {msg}" if line else f"{path}: {msg}")


@dataclass
class Frame:
    pc: Optional[str] = None
    function: Optional[str] = None
    offset: Optional[int] = None
    module: Optional[str] = None
    module_offset: Optional[int] = None
    file: Optional[str] = None
    line: Optional[int] = None
    inlined: bool = False  # an inlined call: the function it was inlined into is the next frame

    def text(self) -> str:
        if self.inlined:
            s = f"{self.function or '??'} (inlined)"
        else:
            s = f"{self.function}+{self.offset or 0:#x}" if self.function else "??"
            if self.module:
                s += f" ({self.module}+{self.module_offset or 0:#x})"
        if self.file:
            s += f" {self.file}:{self.line}"
        return s


@dataclass
class Location:
    """Where a violation is attributed: file:line, else module+offset, else nothing known."""

    file: Optional[str] = None
    line: Optional[int] = None
    module: Optional[str] = None
    module_offset: Optional[int] = None
    function: Optional[str] = None

    def key(self) -> SiteKey:
        if self.file:
            return ("file", self.file, self.line)
        if self.module:
            return ("module", self.module, self.module_offset)
        return ("unknown",)

    def text(self) -> str:
        if self.file:
            return f"{self.file}:{self.line}"
        if self.module:
            return f"{self.module}+{self.module_offset or 0:#x}"
        return "(no backtrace)"


@dataclass
class Report:
    """One violation report, from a text block, a JSON line, or an exit summary's site (count > 1).
    source: text, json, summary (the text exit summary) or json_summary."""

    origin: Origin
    kind: str
    operation: str
    section: str
    pid: Optional[int] = None
    size: Optional[int] = None
    sections: List[str] = field(default_factory=list)
    tid: Optional[int] = None
    thread: Optional[str] = None
    mode: Optional[str] = None
    frames: List[Frame] = field(default_factory=list)
    location: Location = field(default_factory=Location)
    count: int = 1
    source: str = "text"
    raw: str = ""  # the report as written (JSON as text), for JUnit

    def site_key(self) -> SiteKey:
        return (self.section, self.operation) + self.location.key()


@dataclass
class Checked:
    """A process that reported in: its "hotpath: checked:" line or its JSON exit summary."""

    origin: Origin
    pid: int
    sections_entered: Optional[int]  # None: an older sentinel's summary, which did not say
    violations: int
    program: Optional[str] = None
    mode: Optional[str] = None


@dataclass
class EnteredSection:
    """Sections a process entered under one name (section_names=1): its "hotpath:   entered NAME: N"
    line or its JSON summary's "sections_entered_by_name"."""

    origin: Origin
    pid: int
    name: str
    count: int


@dataclass
class Lost:
    """A process said that some of its reports or lines could not be written (its summary's
    "hotpath:   lost:" line or the JSON summary's lost_writes): the counts are a lower bound."""

    origin: Origin
    pid: Optional[int]
    writes: int
    reason: str


def kind_of(operation: str) -> str:
    return "allocation" if operation in ALLOC_OPS else "blocking"
