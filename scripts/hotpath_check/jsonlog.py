"""The sentinel's JSON lines (json_path=, hotpath-run --json-dir): one report or exit summary per
line. Everything a line holds is type-checked here, so that a hand-edited or foreign line gives an
input error naming file:line, never a traceback."""

import json
from typing import Any, Dict, List, Union

from .model import BadInput, Checked, EnteredSection, Frame, Location, Lost, Report, kind_of
from .sites import fill_modules

Record = Union[Report, Checked, EnteredSection, Lost]

_STR_FIELDS = ("pc", "function", "module", "file")
_INT_FIELDS = ("offset", "module_offset", "line")


def check_fields(path: str, lineno: int, what: str, obj: Dict[str, Any]) -> None:
    """The location fields of a JSON frame or summary site have the sentinel's types."""
    for k in _STR_FIELDS:
        if obj.get(k) is not None and not isinstance(obj[k], str):
            raise BadInput(path, lineno, f"bad JSON {what}: '{k}' must be a string")
    for k in _INT_FIELDS:
        v = obj.get(k)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 1 << 64):
            raise BadInput(path, lineno, f"bad JSON {what}: '{k}' must be a non-negative integer")
    if obj.get("inlined") is not None and not isinstance(obj["inlined"], bool):
        raise BadInput(path, lineno, f"bad JSON {what}: 'inlined' must be true or false")


def _opt_str(obj: Dict[str, Any], k: str) -> Any:
    v = obj.get(k)
    return v if isinstance(v, str) else None


def _opt_int(obj: Dict[str, Any], k: str) -> Any:
    v = obj.get(k)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def parse_json_record(path: str, lineno: int, line: str) -> List[Record]:
    """The records of one JSON line. A line without its newline is the file's last: if it does
    not parse, the file was cut mid-object."""
    try:
        obj = json.loads(line)
    except RecursionError:
        raise BadInput(path, lineno, "JSON nested too deeply to be a hotpath report") from None
    except ValueError as e:
        if not line.endswith("\n"):
            raise BadInput(path, lineno, f"truncated JSON report (the file ends mid-object: {e})") from None
        raise BadInput(path, lineno, f"not a JSON report: {e}") from None
    if not isinstance(obj, dict):
        raise BadInput(path, lineno, "not a JSON report: expected an object")
    if obj.get("kind") == "summary":
        return json_summary(path, lineno, obj)
    kind, op = obj.get("kind"), obj.get("operation")
    if not isinstance(kind, str) or not isinstance(op, str):
        raise BadInput(path, lineno, "not a hotpath JSON report: 'kind' and 'operation' must be strings")
    section = obj.get("section")
    if section is not None and not isinstance(section, str):
        raise BadInput(path, lineno, "bad JSON report: 'section' must be a string")
    pid = obj.get("pid")
    if pid is not None and (not isinstance(pid, int) or isinstance(pid, bool)):
        raise BadInput(path, lineno, "bad JSON report: 'pid' must be an integer")
    frames = obj.get("frames", [])
    if not isinstance(frames, list) or not all(isinstance(f, dict) for f in frames):
        raise BadInput(path, lineno, "bad JSON report: 'frames' must be a list of objects")
    sec = section if section is not None else "(unknown)"
    r = Report((path, lineno), kind, op, sec, pid)
    r.source = "json"
    r.size = _opt_int(obj, "size")
    secs = obj.get("sections")
    r.sections = [s for s in secs if isinstance(s, str)] if isinstance(secs, list) and secs else [sec]
    r.tid, r.thread, r.mode = _opt_int(obj, "tid"), _opt_str(obj, "thread"), _opt_str(obj, "mode")
    for f in frames:
        check_fields(path, lineno, "frame", f)  # types checked: nothing below can raise on them
        r.frames.append(Frame(
            pc=f.get("pc"), function=f.get("function"), offset=f.get("offset"),
            module=f.get("module"), module_offset=f.get("module_offset"), file=f.get("file"),
            line=f.get("line"), inlined=bool(f.get("inlined"))))
    fill_modules(r.frames)
    r.raw = json_as_text(r)
    return [r]


def json_as_text(r: Report) -> str:
    """A JSON report laid out as the sentinel's text report (for JUnit, where people read it)."""
    head = {"allocation": "ALLOCATION", "blocking": "BLOCKING CALL"}.get(r.kind, str(r.kind).upper())
    size = f" ({r.size} bytes)" if r.size is not None else ""
    lines = [f"{head} IN HOT PATH!", f"Operation: {r.operation}{size}", f"Section: {r.section}"]
    if r.tid is not None:
        name = f' "{r.thread}"' if r.thread else ""
        lines.append(f"Thread: {r.tid}{name} (pid {r.pid})")
    if r.frames:
        lines.append("Backtrace:")
        for n, f in enumerate(r.frames):
            lines.append(f"    #{n} {f.pc or '?'} in {f.text()}")
    return "\n".join(lines)


def json_summary(path: str, lineno: int, obj: Dict[str, Any]) -> List[Record]:
    """A process's exit summary as one JSON line:
    {"kind":"summary","pid":P,"mode":"warn","violations":N,"sections_entered":E,"program":"...",
     "sections_entered_by_name":{"NAME":N,...} (section_names=1 only),
     "sites":[{"count":C,"operation":OP,"section":S,"function":F,"file":FILE,"line":L,
               "module":M,"module_offset":O}, ...]}
    The counts of warn mode's unprinted repeats and of count mode live only here; so does the
    number of sections a clean process entered."""
    pid, sites, total = obj.get("pid"), obj.get("sites", []), obj.get("violations")
    if not isinstance(pid, int) or not isinstance(sites, list) or not isinstance(total, int):
        raise BadInput(path, lineno, "bad JSON summary: needs integer 'pid' and 'violations' and a list 'sites'")
    if total < 0:
        raise BadInput(path, lineno, "bad JSON summary: 'violations' must not be negative")
    entered = obj.get("sections_entered")
    if entered is not None and (not isinstance(entered, int) or isinstance(entered, bool) or entered < 0):
        raise BadInput(path, lineno, "bad JSON summary: 'sections_entered' must be a non-negative integer")
    got: List[Record] = [Checked((path, lineno), pid, entered, total, _opt_str(obj, "program"),
                                 _opt_str(obj, "mode"))]
    by_name = obj.get("sections_entered_by_name")
    if by_name is not None:
        if not isinstance(by_name, dict) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                                    for n in by_name.values()):
            raise BadInput(path, lineno, "bad JSON summary: 'sections_entered_by_name' must map names to "
                                         "non-negative integers")
        got.extend(EnteredSection((path, lineno), pid, name, n) for name, n in by_name.items())
    lost = obj.get("lost_writes")
    if lost is not None:
        if not isinstance(lost, int) or isinstance(lost, bool) or lost < 0:
            raise BadInput(path, lineno, "bad JSON summary: 'lost_writes' must be a non-negative integer")
        if lost:
            got.append(Lost((path, lineno), pid, lost, _opt_str(obj, "lost_reason") or "(no reason given)"))
    listed = 0
    for site in sites:
        if not isinstance(site, dict) or not isinstance(site.get("count"), int) \
                or not isinstance(site.get("operation"), str) or site["count"] < 0:
            raise BadInput(path, lineno, "bad JSON summary: each site needs a non-negative integer 'count' and an "
                                         "'operation'")
        check_fields(path, lineno, "summary site", site)
        kind = site.get("kind") if site.get("kind") in ("allocation", "blocking") else kind_of(site["operation"])
        r = Report((path, lineno), str(kind), site["operation"],
                   str(site.get("section", "(unknown)")), pid)
        r.sections = [r.section]
        r.count, r.source, r.mode = site["count"], "json_summary", _opt_str(obj, "mode")
        func = site.get("function") if site.get("function") != "??" else None
        r.location = Location(site.get("file"), site.get("line"), site.get("module"), site.get("module_offset"),
                              func)
        r.raw = json.dumps(site)
        listed += r.count
        got.append(r)
    missing = total - listed
    if missing > 0:
        r = Report((path, lineno), "allocation", "(unlisted)", "(unlisted)", pid)
        r.sections = [r.section]
        r.count, r.source = missing, "json_summary"
        got.append(r)
    return got
