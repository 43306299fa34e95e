"""Which frame names a violation: the first frame in the user's code.

1. the first frame whose source file is under the root (--root, $GITHUB_WORKSPACE,
   $CI_PROJECT_DIR, the current directory), outside the sentinel's own modules;
2. else the first whose source file is not a toolchain or system path and whose module is not a
   system module (the C and C++ runtimes, the loader, the sentinel);
3. else the first frame in a module that is not a system module;
4. else frame #0.
Inlined frames count like the others (the sentinel prints them with their own file and line).
The sentinel's exit summary applies rules 2-4 (it does not know the root); test/gate/run.sh runs a
probe to prove both sides pick the same frame, and test/gate/test_sites.py compares the two lists.
"""

import functools
import os
from typing import Optional, Sequence

from .model import Frame

# Module basenames that are not the user's code.
SYSTEM_MODULE_PREFIXES = ("libc.so", "libc-", "ld-linux", "ld-", "libstdc++", "libgcc_s",
                          "libhotpath", "libm.so", "libpthread", "libdl.so", "libunwind",
                          "libdw", "libelf", "[vdso]")
# Source paths of toolchains and system headers: the frames of inlined library code
# (std::vector in /usr/include/c++, Rust's alloc in /rustc/<hash>/library) carry them.
# The same list as the sentinel's (INTERFACES.md I3; test/gate/unit/test_shared_lists.py).
SYSTEM_PATH_PREFIXES = ("/usr/include/", "/usr/lib/", "/rustc/")
# The sentinel's own modules: never a site, even when the root is the hotpath source tree.
OWN_MODULE_PREFIX = "libhotpath"


@functools.lru_cache(maxsize=4096)  # a run has few modules, and every frame asks
def is_system_module(module: Optional[str]) -> bool:
    if not module:
        return True
    return os.path.basename(module).startswith(SYSTEM_MODULE_PREFIXES)


def is_system_path(path: str) -> bool:
    return path.startswith(SYSTEM_PATH_PREFIXES)


def under(path: str, root: str) -> bool:
    """path (absolute) is root or below it; root ends without a slash (os.path.abspath)."""
    return path == root or path.startswith(root.rstrip("/") + "/")


def fill_modules(frames: Sequence[Frame]) -> None:
    """An inlined frame lives in the module of the physical frame it was inlined into (the next
    frame that is not inlined): text reports do not repeat the module on inlined frames."""
    module = None
    for f in reversed(frames):
        if f.inlined:
            if f.module is None:
                f.module = module
        else:
            module = f.module


def site_frame(frames: Sequence[Frame], root: Optional[str]) -> Optional[Frame]:
    if root:
        for f in frames:
            if f.file and os.path.isabs(f.file) and under(f.file, root) \
                    and not os.path.basename(f.module or "").startswith(OWN_MODULE_PREFIX):
                return f
    for f in frames:
        if f.file and not is_system_path(f.file) and not is_system_module(f.module):
            return f
    for f in frames:
        if not is_system_module(f.module):
            return f
    return frames[0] if frames else None
