"""Which files to read and how: arguments, directories walked in sorted order, lines streamed.

A file is read line by line (a line longer than MAX_LINE is an input error, not a memory hog).
A file met while walking a directory that holds NUL bytes in its first 64 KiB and nothing of
hotpath's (no report headline, exit summary, checked line or JSON report) is skipped and named on
stderr; one that does hold a report is read whatever stray bytes it carries (CI logs do)."""

import os
from typing import BinaryIO, Callable, Iterator, List, Tuple

from .model import BadInput

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
SNIFF = 65536
MAX_LINE = 16 << 20
MARKERS = (b"IN HOT PATH!", b"hotpath: summary: ", b"hotpath: checked: ", b'{"kind":')
CHUNK = 1 << 20


def input_files(arg: str, errors: List[BadInput], skipped: Callable[[str, str], None]) -> Iterator[Tuple[str, bool]]:
    """(path, explicit) for each file to read under one argument; what cannot be read goes to
    errors, what is not a file to skipped(path, why)."""
    if os.path.isdir(arg):
        def walk_error(e: OSError) -> None:
            errors.append(BadInput(e.filename or arg, 0, f"cannot read directory: {e.strerror}"))
        for root, dirs, files in os.walk(arg, onerror=walk_error):
            dirs.sort()
            for name in sorted(files):
                p = os.path.join(root, name)
                if os.path.isfile(p):
                    yield p, False
                elif os.path.islink(p) and not os.path.exists(p):
                    errors.append(BadInput(p, 0, "cannot read: a dangling symbolic link"))
                else:
                    skipped(p, "not a regular file")
    else:
        try:
            os.stat(arg)
        except OSError as e:  # missing, dangling symlink, a directory on the way not searchable
            errors.append(BadInput(arg, 0, f"cannot read: {e.strerror or e}"))
            return
        yield arg, True


def has_marker(f: BinaryIO) -> bool:
    """Some text of hotpath's anywhere in the file (read in chunks; the file is rewound)."""
    keep = max(len(m) for m in MARKERS) - 1
    tail = b""
    while True:
        chunk = f.read(CHUNK)
        if not chunk:
            break
        buf = tail + chunk
        if any(m in buf for m in MARKERS):
            f.seek(0)
            return True
        tail = buf[-keep:]
    f.seek(0)
    return False


def open_input(path: str, explicit: bool) -> BinaryIO:
    """The open file, rewound. Raises BadInput when
    it cannot be read, or when it is binary without anything of hotpath's (explicit: the user
    named a file that is no log; walked: SkipFile)."""
    try:
        f: BinaryIO = open(path, "rb")
    except OSError as e:
        raise BadInput(path, 0, f"cannot read: {e.strerror or e}") from None
    try:
        head = f.read(SNIFF)
        f.seek(0)
        if b"\0" in head and not has_marker(f):
            f.close()
            if explicit:
                raise BadInput(path, 0, "binary data, not a log or JSON report file")
            raise SkipFile("binary data without any hotpath report")
    except OSError as e:
        f.close()
        raise BadInput(path, 0, f"cannot read: {e.strerror or e}") from None
    return f


class SkipFile(Exception):
    """A file met while walking a directory that is not read (the reason is the message)."""


def lines(path: str, f: BinaryIO) -> Iterator[str]:
    """The file's lines, decoded (UTF-8, bad bytes replaced), each with its newline if it had one."""
    n = 0
    try:
        while True:
            n += 1
            raw = f.readline(MAX_LINE)
            if not raw:
                return
            if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
                # skip the rest of the line, in bounded pieces
                while True:
                    more = f.readline(MAX_LINE)
                    if not more or more.endswith(b"\n"):
                        break
                raise BadInput(path, n, f"a line longer than {MAX_LINE >> 20} MiB: not a log or JSON report file")
            yield raw.decode("utf-8", "replace")
    except OSError as e:
        raise BadInput(path, 0, f"cannot read: {e.strerror or e}") from None
