#!/usr/bin/env python3
"""make bench-gate: hotpath-check's memory and time against the size of its input.

Generates logs as a CI run leaves them (test output with text reports and exit summaries, JSON
report files; many processes, many call sites) at about 10 MB and 100 MB, runs hotpath-check on
each, and prints its peak RSS and time per MB; the baseline, in the same run, is a python3 loop
that only reads the same files line by line (the floor any line-based reader pays).
Goals (issue 12): peak RSS <= 150 MB for 100 MB of logs, flat in the size; time linear.
    bench/gate.py HOTPATH_CHECK WORKDIR
"""

import os
import random
import shutil
import subprocess
import sys
import time

TEXT = """ALLOCATION IN HOT PATH!
Operation: malloc ({size} bytes)
Section: {section}
Thread: {tid} "worker" (pid {pid})
Backtrace:
    #0 0x00007f0a1c0a1234 in strdup+0x14 (/usr/lib/x86_64-linux-gnu/libc.so.6+0x9d234) ./string/strdup.c:42
    #1 0x000055d1c2a0b1e9 in std::vector<int, std::allocator<int> >::push_back (inlined) /usr/include/c++/12/bits/stl_vector.h:1287
    #2 0x000055d1c2a0b1e9 in handler_{site}+0x29 (/srv/app/engine+0x11e9) /srv/app/src/h{site}.c:{line}
    #3 0x000055d1c2a0b2f0 in on_packet+0x40 (/srv/app/engine+0x12f0) /srv/app/src/feed.c:37
    #4 0x00007f0a1c094ac3 in start_thread+0x2f3 (/usr/lib/x86_64-linux-gnu/libc.so.6+0x94ac3)
Mode: warn (repeats of this call stack are counted, not printed: see the summary at exit)
"""
JSON = ('{{"kind":"allocation","pid":{pid},"tid":{tid},"thread":"w","time":1.5,"category":"alloc",'
        '"operation":"malloc","size":{size},"section":"{section}","depth":1,"sections":["{section}"],'
        '"mode":"warn","frames":[{{"pc":"0x1","function":"strdup","offset":20,"module":"/usr/lib/libc.so.6",'
        '"module_offset":1,"file":"./string/strdup.c","line":42}},{{"pc":"0x2","function":"handler_{site}",'
        '"offset":41,"module":"/srv/app/engine","module_offset":4585,"file":"/srv/app/src/h{site}.c",'
        '"line":{line}}}]}}\n')
NOISE = "[ RUN      ] suite.case_{n}: some ordinary test output, with words and numbers {n} {n}\n"


def generate(d: str, mb: int, seed: int = 1) -> int:
    """About mb MB of logs in d: one text log and one JSON file per process. Returns the size."""
    rnd = random.Random(seed)
    os.makedirs(d)
    total, pid, target = 0, 1000, mb << 20
    while total < target:
        pid += 1
        sites = rnd.sample(range(2000), 40)
        with open(os.path.join(d, f"hotpath.{pid}.log"), "w") as t, \
                open(os.path.join(d, f"hotpath.{pid}.jsonl"), "w") as j:
            counts = {}
            for n in range(1500):
                t.write(NOISE.format(n=n))
                if n % 3 == 0:
                    s = sites[n % len(sites)]
                    kw = dict(pid=pid, tid=pid + 1, size=16 + s % 64, section=f"sec{s % 50}", site=s, line=10 + s % 300)
                    t.write(TEXT.format(**kw))
                    j.write(JSON.format(**kw))
                    counts[s] = counts.get(s, 0) + 1
            t.write(f"hotpath: checked: 900 sections entered, {sum(counts.values())} violations "
                    f"(pid {pid}, engine, mode=warn)\n")
            total += t.tell() + j.tell()
    return total


def measure(argv: list) -> tuple:
    """(peak RSS in MB, seconds, exit status) of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    return ru.ru_maxrss / 1024, time.perf_counter() - t0, os.waitstatus_to_exitcode(status)


FLOOR = "import sys,os\nfor r,_,fs in os.walk(sys.argv[1]):\n for f in fs:\n  for l in open(os.path.join(r,f),'rb'): l.decode('utf-8','replace')\n"


OLD = "5507e73"  # the last commit of the single-file hotpath-check


def main() -> int:
    check, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    rows = []
    for mb in (10, 100):
        d = os.path.join(work, f"logs{mb}")
        size = generate(d, mb) / (1 << 20)
        rss, secs, rc = measure([sys.executable, check, d])
        if rc != 1:
            print(f"bench-gate: hotpath-check exited {rc} on {d}, expected 1 (violations)")
            return 1
        frss, fsecs, _ = measure([sys.executable, "-c", FLOOR, d])
        rows.append((size, rss, secs, frss, fsecs))
        print(f"bench-gate: {size:6.1f} MB of logs: hotpath-check peak RSS {rss:6.1f} MB, {secs / size * 1000:6.1f} ms/MB; "
              f"baseline (python3 reading the lines) {frss:5.1f} MB, {fsecs / size * 1000:5.1f} ms/MB; "
              f"time {secs / fsecs:4.1f}x the baseline")
        shutil.rmtree(d)
    old = os.path.join(work, "hotpath-check-0.1")
    src = subprocess.run(["git", "show", f"{OLD}:scripts/hotpath-check"], capture_output=True,
                         cwd=os.path.dirname(os.path.abspath(__file__)))
    if src.returncode == 0:  # the single-file script before the package (whole logs in memory)
        with open(old, "wb") as f:
            f.write(src.stdout)
        d = os.path.join(work, "logs10")
        size = generate(d, 10) / (1 << 20)
        rss, secs, _ = measure([sys.executable, old, d])
        print(f"bench-gate: {size:6.1f} MB of logs: the old hotpath-check ({OLD}) peak RSS {rss:6.1f} MB, "
              f"{secs / size * 1000:6.1f} ms/MB")
    (s1, r1, t1, _, _), (s2, r2, t2, _, _) = rows
    print(f"bench-gate: from {s1:.0f} to {s2:.0f} MB: peak RSS x{r2 / r1:.2f} (flat: ~1), time per MB x{(t2 / s2) / (t1 / s1):.2f} "
          f"(linear: ~1); goal peak <= 150 MB at 100 MB: {'met' if r2 <= 150 else 'NOT MET'}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
