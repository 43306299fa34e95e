#!/bin/bash
# The cost of a full report in steady state, symbolized (inline chains, demangled names, file:line)
# against the same report with symbolize=0, as a ratio of instruction counts (callgrind: stable
# where wall time on a shared machine is not). Steady state: the difference between a run with
# N2 reports and one with N1, so that start-up and the first report of each stack (libdw loading,
# the first look-up of each pc) cancel out. Two stacks (bench/report_cost.cc): C++ with inlined
# library frames, and plain C. Target: <= 3x (issue 12).
# Usage: bench/report_cost.sh BUILD_DIR [N1 N2]
set -u
B=${1:-build}
N1=${2:-50}
N2=${3:-250}
BIN=$B/bench/report_cost
PRELOAD=$(cd "$B" && pwd)/libhotpath.so
if ! command -v valgrind >/dev/null 2>&1; then
    echo "report cost: SKIP (valgrind not installed: apt-get install valgrind)"
    exit 0
fi
instructions() { # instructions OPTIONS N SHAPE
    env LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS="mode=warn:dedup=0:log_path=/dev/null:$1" \
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$2" "$3" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_report() { # per_report OPTIONS SHAPE
    local a b
    a=$(instructions "$1" "$N1" "$2") b=$(instructions "$1" "$N2" "$2")
    [ -n "$a" ] && [ -n "$b" ] || return 1
    awk -v a="$a" -v b="$b" -v n=$((N2 - N1)) 'BEGIN {printf "%.0f", (b - a) / n}'
}
printf '%-58s %11s %11s %8s  %s\n' "measure (instructions per report)" "symbolize=0" "symbolize=1" "ratio" "target"
for shape in cxx c; do
    off=$(per_report symbolize=0 $shape) && on=$(per_report symbolize=1 $shape) || {
        echo "report cost: callgrind gave no instruction count" >&2
        exit 1
    }
    r=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.2f", a / b}')
    what="inlined C++ library frames"
    [ $shape = c ] && what="plain C frames"
    printf '%-58s %11s %11s %7sx  <= 3x: %s\n' "full report, steady state, $what" "$off" "$on" "$r" \
        "$(awk -v r="$r" 'BEGIN {print (r <= 3 ? "met" : "NOT met")}')"
done
