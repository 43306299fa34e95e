#!/bin/bash
# The cost of a full report in steady state, symbolized (inline chains, demangled names, file:line)
# against the same report with symbolize=0, as a ratio of instruction counts (callgrind: stable
# where wall time on a shared machine is not). Steady state: the difference between a run with
# N2 reports and one with N1, so that start-up and the first report of each stack (libdw loading,
# the first look-up of each pc) cancel out. Target: <= 3x (issue 12).
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
instructions() { # instructions OPTIONS N
    env LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS="mode=warn:dedup=0:log_path=/dev/null:$1" \
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$2" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_report() { # per_report OPTIONS
    local a b
    a=$(instructions "$1" "$N1") b=$(instructions "$1" "$N2")
    [ -n "$a" ] && [ -n "$b" ] || return 1
    awk -v a="$a" -v b="$b" -v n=$((N2 - N1)) 'BEGIN {printf "%.0f", (b - a) / n}'
}
off=$(per_report symbolize=0) && on=$(per_report symbolize=1) || {
    echo "report cost: callgrind gave no instruction count" >&2
    exit 1
}
r=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.2f", a / b}')
printf '%-44s %10s %10s %8s  %s\n' "measure (instructions per report)" "symbolize=0" "symbolize=1" "ratio" "target"
printf '%-44s %10s %10s %7sx  <= 3x: %s\n' "full report, steady state ($((N2 - N1)) reports)" "$off" "$on" "$r" \
    "$(awk -v r="$r" 'BEGIN {print (r <= 3 ? "met" : "NOT met")}')"
