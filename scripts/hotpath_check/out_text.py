"""The plain-text output: one line per site, then one closing line; and the pieces of wording the
other formats share (where, what, shortened names, escaped control characters)."""

import os
import re
from typing import List, Optional, Tuple

from .merge import Merger, Site
from .model import Frame
from .sites import is_system_function, is_system_module

# Control characters (a section name may hold any byte) are shown as \xNN: raw, they would make
# the JUnit file invalid XML and could send escape sequences into a CI log or an annotation.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NAME_MAX = 100  # a function name in a site line (C++ template names run to thousands)
PATH_MAX = 120


def shown(s: Optional[str]) -> str:
    return CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s) if s else (s or "")


def short_name(name: str, limit: int = NAME_MAX) -> str:
    """A C++ or Rust name cut to about limit characters: template arguments first become <...>
    from the outermost inwards, then the middle is elided."""
    if len(name) <= limit:
        return name
    out, depth = [], 0
    for ch in name:
        if ch == "<":
            if depth == 0:
                out.append("<...>")
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    s = "".join(out) if depth == 0 else name
    if len(s) > limit:
        half = (limit - 3) // 2
        s = s[:half] + "..." + s[-half:]
    return s


def short_path(p: str, limit: int = PATH_MAX) -> str:
    if len(p) <= limit:
        return p
    return "..." + p[-(limit - 3):]


def display_path(path: Optional[str], root: Optional[str]) -> str:
    if not path:
        return path or ""
    if os.path.isabs(path) and root:
        rel = os.path.relpath(path, root)
        if not rel.startswith(".."):
            return rel
    return path


def label(kind: str) -> str:
    return "allocation" if kind == "allocation" else "blocking call" if kind == "blocking" else kind


def describe(site: Site, root: Optional[str]) -> Tuple[str, str]:
    """(where, what) of a site's line: 'FILE:LINE' and the sentence after it."""
    r, loc = site.rep, site.rep.location
    where = short_path(display_path(loc.file, root)) + f":{loc.line}" if loc.file else short_path(loc.text())
    size = f" ({r.size} bytes)" if r.size is not None and site.count == 1 else ""
    func = f" in {short_name(loc.function)}" if loc.function else ""
    top = r.frames[0] if r.frames else None
    if top and top.function and is_system_module(top.module) and top.function != loc.function \
            and not is_system_function(top.function):  # a sanitizer's hook says nothing to the user
        func = f" via {short_name(top.function, 60)}" + func  # a library call that allocated for the user's line
    times = "1 time" if site.count == 1 else f"{site.count} times"
    procs = f" in {len(site.pids)} processes" if len(site.pids) > 1 else ""
    stack = " > ".join(short_name(s, 60) for s in r.sections) if len(r.sections) > 1 else short_name(r.section, 100)
    return shown(where), shown(f"{label(r.kind)} '{r.operation}'{size}{func} in hot section '{stack}': {times}{procs}")


def short_frame(f: Frame, root: Optional[str]) -> str:
    where = f"{display_path(f.file, root)}:{f.line}" if f.file else \
        f"{f.module}+{f.module_offset or 0:#x}" if f.module else f.pc or "?"
    inl = " (inlined)" if f.inlined else ""
    return f"{short_name(f.function or '??')}{inl} {short_path(where)}"


def plural(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def accounting(m: Merger, total: int) -> str:
    """'N processes checked, M sections entered, V violations' (the clean-run line's words)."""
    procs = m.processes_checked()
    unknown = m.sections_unknown()
    entered = plural(m.sections_entered(), "section") + " entered"
    if unknown and unknown == procs:
        entered = "sections entered not reported"
    elif unknown:
        entered += f" ({plural(unknown, 'process', 'processes')} without a count)"
    return f"{plural(procs, 'process', 'processes')} checked, {entered}, {plural(total, 'violation')}"


def text_lines(sites: List[Site], m: Merger, root: Optional[str], nfiles: int, prog: str) -> List[str]:
    out = []
    for s in sites:
        where, msg = describe(s, root)
        out.append(f"{where}: {msg}")
    total = sum(s.count for s in sites)
    files = plural(nfiles, "report file") + " read"
    if sites:
        out.append(f"{prog}: {plural(total, 'hot-path violation')} at {plural(len(sites), 'site')}; "
                   f"{accounting(m, total)} ({files}): FAILED")
    else:
        out.append(f"{prog}: {accounting(m, 0)} ({files})")
    return out
