"""Which frame names a violation: the first frame in the user's code.

1. the first frame whose source file is under the root (--root, $GITHUB_WORKSPACE,
   $CI_PROJECT_DIR, the current directory), outside the sentinel's own modules;
2. else the first whose source file is not a toolchain or system path and whose module is not a
   system module (the C and C++ runtimes, the sanitizer runtimes, the loader, the sentinel);
3. else the first frame in a module that is not a system module;
4. else frame #0.
Rules 1-3 also skip a frame whose function is the checking machinery's, wherever it was linked:
the sanitizers' runtimes linked into a clang -fsanitize executable, the hotpath Rust crate and
its CheckedAlloc, the Rust allocator shims (which debug info places on the user's
#[global_allocator] line), the C API's hotpath_allocation/hotpath_blocking.
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
                          "libdw", "libelf", "[vdso]",
                          # The sanitizers' runtimes: gcc's, and clang's shared ones.
                          "libasan", "libtsan", "liblsan", "libubsan", "libhwasan", "libclang_rt.")
# Source paths of toolchains and system headers: the frames of inlined library code
# (std::vector in /usr/include/c++, Rust's alloc in /rustc/<hash>/library) carry them.
# The same list as the sentinel's (INTERFACES.md I3; test/gate/unit/test_shared_lists.py).
# Rust's std is remapped to /rustc/<hash>/library, the crates std vendors (hashbrown, gimli, ...)
# to /rust/deps/<crate>-<version>/ (Rust 1.79 and later) or /cargo/registry/src/... (earlier).
SYSTEM_PATH_PREFIXES = ("/usr/include/", "/usr/lib/", "/rustc/", "/rust/deps/", "/cargo/registry/")
# Demangled function names (prefixes) of the checking machinery, never a site: the sanitizers'
# runtimes linked statically into a clang -fsanitize executable (their frames are in the user's
# module); the hotpath crate (CheckedAlloc's alloc and report); Rust's allocator shims, plain or
# v0-mangled (__rustc::__rust_alloc), which debug info places on the #[global_allocator] line;
# the C API's entry points when inlined or linked into the user's module.
# The same list as the sentinel's (test/gate/unit/test_shared_lists.py).
SYSTEM_FUNCTION_PREFIXES = ("__sanitizer::", "__asan::", "__tsan::", "__lsan::", "__ubsan::",
                            "__hwasan::", "__interceptor_", "___interceptor_", "__asan_", "__tsan_",
                            "__lsan_", "__ubsan_", "__hwasan_", "hotpath::", "<hotpath::",
                            "__rust_alloc", "__rust_realloc", "__rust_dealloc", "__rg_", "__rustc::",
                            "hotpath_allocation", "hotpath_blocking")
# The sentinel's own modules: never a site, even when the root is the hotpath source tree.
OWN_MODULE_PREFIX = "libhotpath"


@functools.lru_cache(maxsize=4096)  # a run has few modules, and every frame asks
def is_system_module(module: Optional[str]) -> bool:
    if not module:
        return True
    return os.path.basename(module).startswith(SYSTEM_MODULE_PREFIXES)


def is_system_function(function: Optional[str]) -> bool:
    return function is not None and function.startswith(SYSTEM_FUNCTION_PREFIXES)


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
                    and not os.path.basename(f.module or "").startswith(OWN_MODULE_PREFIX) \
                    and not is_system_function(f.function):
                return f
    for f in frames:
        if f.file and not is_system_path(f.file) and not is_system_module(f.module) \
                and not is_system_function(f.function):
            return f
    for f in frames:
        if not is_system_module(f.module) and not is_system_function(f.function):
            return f
    return frames[0] if frames else None
