"""GitHub Actions workflow commands: one ::error annotation per site, at the user's file and line
(relative to the root, so that it lands on the pull request's diff)."""

from typing import List, Optional, Sequence

from .model import BadInput
from .merge import Site
from .out_text import describe, display_path, short_frame, shown

FRAMES_SHOWN = 12


def gh_escape(s: str, prop: bool = False) -> str:
    s = shown(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def github_lines(sites: Sequence[Site], errors: Sequence[BadInput], root: Optional[str]) -> List[str]:
    out = []
    for s in sites:
        where, msg = describe(s, root)
        loc = s.rep.location
        props = []
        if loc.file:
            props.append("file=" + gh_escape(display_path(loc.file, root), True))
            props.append(f"line={loc.line}")
        title = "Allocation in hot path" if s.rep.kind == "allocation" else "Blocking call in hot path"
        props.append("title=" + gh_escape(title, True))
        frames = "\n".join(f"#{i} {short_frame(f, root)}" for i, f in enumerate(s.rep.frames[:FRAMES_SHOWN]))
        body = msg + (f" (at {where})" if not loc.file else "") + ("\n" + frames if frames else "")
        out.append(f"::error {','.join(props)}::{gh_escape(body)}")
    for e in errors:
        out.append(f"::error title=hotpath-check::{gh_escape(str(e))}")
    return out
