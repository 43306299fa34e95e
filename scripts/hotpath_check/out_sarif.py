"""SARIF 2.1.0 (GitHub code scanning, GitLab, IDEs): one result per site, its call stack, paths
relative to SRCROOT (the root)."""

import os
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import quote

from . import PROG, VERSION
from .merge import Site
from .model import Location
from .out_text import describe, display_path

INFO_URI = "https://github.com/hotpath/hotpath"

RULES: List[Dict[str, Any]] = [
    {"id": "hotpath/allocation", "name": "AllocationInHotPath",
     "shortDescription": {"text": "Heap allocation inside a hot-path section"},
     "fullDescription": {"text": "A thread called the allocator (malloc family, operator new, or a "
                                 "library function that allocates) between hotpath_enter() and "
                                 "hotpath_exit(). Allocate before the section, or use a pool."},
     "defaultConfiguration": {"level": "error"}, "helpUri": INFO_URI},
    {"id": "hotpath/blocking", "name": "BlockingCallInHotPath",
     "shortDescription": {"text": "Blocking call inside a hot-path section"},
     "fullDescription": {"text": "A thread made a call that may block (lock, sleep, I/O, mmap, "
                                 "process spawn) inside a hot-path section."},
     "defaultConfiguration": {"level": "error"}, "helpUri": INFO_URI},
]


def rule_index(kind: str) -> int:
    return 0 if kind == "allocation" else 1


def file_uri(path: str) -> str:
    return "file://" + quote(os.path.abspath(path))


def sarif_location(loc: Location, root: Optional[str]) -> Optional[Dict[str, Any]]:
    if loc.file:
        rel = display_path(loc.file, root)
        art = {"uri": quote(rel), "uriBaseId": "SRCROOT"} if not os.path.isabs(rel) else {"uri": file_uri(rel)}
        return {"physicalLocation": {"artifactLocation": art, "region": {"startLine": max(1, loc.line or 1)}}}
    if loc.module:
        return {"physicalLocation": {"artifactLocation": {"uri": file_uri(loc.module)},
                                     "address": {"relativeAddress": loc.module_offset or 0}}}
    return None


def sarif_doc(sites: Sequence[Site], root: Optional[str], checked: Optional[Dict[str, int]] = None) -> Dict[str, Any]:
    """checked: what the run checked (processes, sections entered), kept in the run's properties."""
    results = []
    for s in sites:
        where, msg = describe(s, root)
        idx = rule_index(s.rep.kind)
        res: Dict[str, Any] = {
            "ruleId": RULES[idx]["id"], "ruleIndex": idx, "level": "error",
            "message": {"text": msg if s.rep.location.file else f"{msg} (at {where})"},
            "partialFingerprints": {"hotpathSite/v1": "|".join(str(k) for k in s.key)}}
        loc = sarif_location(s.rep.location, root)
        if loc:
            res["locations"] = [loc]
        frames = []
        for f in s.rep.frames:
            sf: Dict[str, Any] = {}
            l2 = sarif_location(Location(f.file, f.line, f.module, f.module_offset), root)
            if l2:
                sf["location"] = l2
            if f.function:
                sf.setdefault("location", {})["logicalLocations"] = [{"name": f.function, "kind": "function"}]
            if f.module:
                sf["module"] = f.module
            if f.inlined:
                sf["properties"] = {"inlined": True}
            frames.append(sf)
        if frames:
            res["stacks"] = [{"message": {"text": "call stack of the first report"}, "frames": frames}]
        res["properties"] = {"count": s.count, "section": s.rep.section, "sections": s.rep.sections,
                             "operation": s.rep.operation, "processes": len(s.pids)}
        results.append(res)
    run: Dict[str, Any] = {
        "tool": {"driver": {"name": PROG, "version": VERSION, "informationUri": INFO_URI, "rules": RULES}},
        "results": results, "columnKind": "utf16CodeUnits"}
    if checked is not None:
        run["properties"] = dict(checked)
    if root:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": file_uri(root).rstrip("/") + "/"}}
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
