#!/bin/sh
# make compare-rtsan: one probe per function, run in a section under RealtimeSanitizer and under
# hotpath, and the table of what each reports (the README's comparison comes from it).
#
# Functions: every interceptor of the installed RealtimeSanitizer runtime (read from its symbols),
# every entry of hotpath's interception list (preload/intercept.def) and hotpath's allocation
# functions. Each is called once inside a section by test/probe_blocking.c, built twice: for
# hotpath (sections are hotpath_enter/exit; run with HOTPATH_OPTIONS=check=all:check_free=1) and
# with clang -fsanitize=realtime (sections are __rtsan_realtime_enter/exit). A tool "reports" a
# function when its first report names that very function. Installs nothing.
#
# Usage: scripts/compare-rtsan.sh BUILD_DIR [--markdown]
set -u
B=${1:-build}
FORMAT=${2:-text}
LLVM=${LLVM_VERSION:-22}
CLANG=clang-$LLVM
RUNTIME=$(ls /usr/lib/llvm-"$LLVM"/lib/clang/*/lib/linux/libclang_rt.rtsan-x86_64.a 2>/dev/null | head -1)
if ! command -v "$CLANG" >/dev/null 2>&1 || [ -z "$RUNTIME" ]; then
    echo "compare-rtsan: needs $CLANG and RealtimeSanitizer's runtime (libclang_rt.rtsan-x86_64.a), not found." >&2
    echo "  On Debian/Ubuntu: apt-get install clang-$LLVM libclang-rt-$LLVM-dev (LLVM_VERSION=NN for another one)" >&2
    exit 2
fi
PROBE=$B/test/probe_blocking
NAMES=$B/test/intercept_names
for f in "$PROBE" "$NAMES" "$B/libhotpath.so"; do
    [ -x "$f" ] || [ -f "$f" ] || { echo "compare-rtsan: $f missing (run make first)" >&2; exit 2; }
done
PRELOAD=$(cd "$B" && pwd)/libhotpath.so
W=$B/compare-rtsan
mkdir -p "$W"
RPROBE=$W/probe_blocking_rtsan
"$CLANG" -std=c11 -g -O1 -fno-builtin -fsanitize=realtime -DWITH_RTSAN -Iapi test/probe_blocking.c -o "$RPROBE" \
    -L"$B" -lhotpath_api -Wl,-rpath,"$(cd "$B" && pwd)" -lpthread || { echo "compare-rtsan: building the RTSan probe failed" >&2; exit 2; }

LIBC=$(ldd "$PROBE" | awk '/libc\.so/ {print $3}')
GLIBC=$(ldd --version 2>/dev/null | head -1 | awk '{print $NF}')
RTSAN_VERSION=$("$CLANG" --version | head -1)
HOTPATH_VERSION=$(git describe --always --dirty 2>/dev/null || echo unknown)

nm "$RUNTIME" 2>/dev/null | awk '$3 ~ /^___interceptor_/ {sub(/^___interceptor_/, "", $3); print $3}' | sort -u >"$W/rtsan.txt"
"$NAMES" >"$W/hotpath.txt"
for f in malloc calloc realloc free posix_memalign aligned_alloc memalign valloc pvalloc; do echo "$f alloc"; done >>"$W/hotpath.txt"
{ cat "$W/rtsan.txt"; awk '{print $1}' "$W/hotpath.txt"; } | sort -u >"$W/all.txt"
nm -D --defined-only "$LIBC" | awk '{sub(/@.*/, "", $3); print $3}' | sort -u >"$W/libc.txt"

# What the first report names ("" if none), and whether the probe knew the call.
rtsan_first() { (timeout 10 "$RPROBE" "$1") 2>&1 | sed -n 's/.*real-time unsafe function `\([^`]*\)`.*/\1/p' | head -1; }
hotpath_first() {
    (env LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS=check=all:check_free=1:mode=abort:backtrace=0 timeout 10 "$PROBE" "$1") 2>&1 |
        sed -n 's/^Operation: \([^ ]*\).*/\1/p' | head -1
}
known() { grep -qF "!strcmp(n, \"$1\"))" test/probe_blocking.c; }

: >"$W/table.txt"
n_rt=0 n_rt_glibc=0 n_rt_rt=0 n_rt_hp=0 n_extra=0 n_extra_as=0
while read -r f; do
    in_rt=0; grep -qx "$f" "$W/rtsan.txt" && in_rt=1
    cat_=$(awk -v f="$f" '$1 == f {print $2}' "$W/hotpath.txt")
    if ! grep -qx "$f" "$W/libc.txt"; then
        echo "$f|not in glibc $GLIBC|-|-" >>"$W/table.txt"; [ $in_rt = 1 ] && n_rt=$((n_rt + 1)); continue
    fi
    if ! known "$f"; then
        echo "$f|no probe|-|-" >>"$W/table.txt"; continue
    fi
    r=$(rtsan_first "$f" 2>/dev/null); h=$(hotpath_first "$f" 2>/dev/null)
    rc=no; [ "$r" = "$f" ] && rc=yes; [ -n "$r" ] && [ "$r" != "$f" ] && rc="as $r"
    hc=no; [ "$h" = "$f" ] && hc=yes; [ -n "$h" ] && [ "$h" != "$f" ] && hc="as $h"
    echo "$f|$rc|$hc|${cat_:--}" >>"$W/table.txt"
    if [ $in_rt = 1 ]; then
        n_rt=$((n_rt + 1)); n_rt_glibc=$((n_rt_glibc + 1))
        [ "$rc" = yes ] && n_rt_rt=$((n_rt_rt + 1))
        [ "$hc" = yes ] && n_rt_hp=$((n_rt_hp + 1))
    elif [ "$hc" = yes ] && [ "$rc" = no ]; then
        n_extra=$((n_extra + 1))
    elif [ "$hc" = yes ] && [ "$rc" != yes ]; then
        n_extra_as=$((n_extra_as + 1))
    fi
done <"$W/all.txt"

DATE=$(date -u +%F)
SUMMARY="RealtimeSanitizer ($RTSAN_VERSION) intercepts $n_rt functions; glibc $GLIBC has $n_rt_glibc of them: \
RTSan reports $n_rt_rt, hotpath ($HOTPATH_VERSION, check=all:check_free=1) reports $n_rt_hp naming the function itself; \
hotpath also names $n_extra that RTSan does not report, and $n_extra_as that RTSan reports only as an allocation \
made inside them. $DATE, $(uname -m)."
if [ "$FORMAT" = "--markdown" ]; then
    echo "| function | RTSan $LLVM | hotpath | category |"
    echo "|---|---|---|---|"
    awk -F'|' '{printf "| `%s` | %s | %s | %s |\n", $1, $2, $3, $4}' "$W/table.txt"
else
    printf '%-28s %-16s %-16s %s\n' function "RTSan $LLVM" hotpath category
    awk -F'|' '{printf "%-28s %-16s %-16s %s\n", $1, $2, $3, $4}' "$W/table.txt"
fi
echo
echo "$SUMMARY"
