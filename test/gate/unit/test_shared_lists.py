"""The sentinel (C, preload/) and hotpath-check (Python) name the same system modules, the same
toolchain/system source paths and the same functions of the checking machinery, so that the exit
summary and the gate pick the same site for a violation (when they differ, counts double). The C lists are found in preload/*.c as the string
array that holds "libstdc++" (modules), the one that holds "/usr/include" (paths) and the one that
holds "__rust_alloc" (functions)."""

import glob
import os
import re
import unittest
from typing import List, Optional

from hotpath_check.sites import SYSTEM_FUNCTION_PREFIXES, SYSTEM_MODULE_PREFIXES, SYSTEM_PATH_PREFIXES

PRELOAD = os.path.join(os.path.dirname(__file__), "..", "..", "..", "preload")
ARRAY = re.compile(r"\[\s*\]\s*=\s*\{(?P<body>[^}]*)\}", re.S)
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def c_list(member: str) -> Optional[List[str]]:
    for path in sorted(glob.glob(os.path.join(PRELOAD, "*.c")) + glob.glob(os.path.join(PRELOAD, "*.h"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        for m in ARRAY.finditer(text):
            items = [s.encode().decode("unicode_escape") for s in STRING.findall(m.group("body"))]
            if member in items:
                return items
    return None


def norm(xs: List[str]) -> List[str]:
    return sorted(x.rstrip("/") for x in xs)


class SharedListsTest(unittest.TestCase):
    def test_system_modules_are_the_same_on_both_sides(self) -> None:
        c = c_list("libstdc++")
        self.assertIsNotNone(c, "no C array holding \"libstdc++\" found in preload/")
        assert c is not None
        self.assertEqual(sorted(c), sorted(SYSTEM_MODULE_PREFIXES))

    def test_system_paths_are_the_same_on_both_sides(self) -> None:
        c = c_list("/usr/include/") or c_list("/usr/include")
        if c is None:
            self.skipTest("the sentinel has no list of system source paths yet")
        assert c is not None
        self.assertEqual(norm(c), norm(list(SYSTEM_PATH_PREFIXES)))

    def test_system_functions_are_the_same_on_both_sides(self) -> None:
        c = c_list("__rust_alloc")
        self.assertIsNotNone(c, "no C array holding \"__rust_alloc\" found in preload/")
        assert c is not None
        self.assertEqual(sorted(c), sorted(SYSTEM_FUNCTION_PREFIXES))


if __name__ == "__main__":
    unittest.main()
