#!/bin/bash
# The report engine at scale, as ratios measured in the same run (medians of ROUNDS runs):
#   a repeat violation (warn mode, counted, not printed) at 10,000 distinct stacks against one at
#   10 stacks: target <= 1.5x (the site table is O(1) per violation);
#   the mean cost of a violation over a run of 10,000 stacks x 3 (10,000 full reports, symbolize=0);
#   the issue's case, 1000 stacks x 3 with symbolization (was 211 us per violation, 1976 reports).
# Usage: bench/reports.sh BUILD_DIR [ROUNDS]
set -u
B=${1:-build}
ROUNDS=${2:-5}
PROBE=$B/reports/probe_reports
PRELOAD=$(cd "$B" && pwd)/libhotpath.so
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # run NAME STACKS ROUNDS OPTS
    local out
    out=$(LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS="mode=warn:log_path=$T/log:$4" "$PROBE" stacks "$2" "$3")
    echo "$out" | awk '/^first_ns/ {print $2}' >>"$T/$1_first"
    echo "$out" | awk '/^repeat_ns/ {print $2}' >>"$T/$1_repeat"
    echo $(( $(grep -c 'IN HOT PATH!' "$T/log") )) >>"$T/$1_reports"
    rm -f "$T/log"
}
for ((i = 0; i < ROUNDS; i++)); do
    run s10 10 30 symbolize=0
    run s10k 10000 3 symbolize=0
    run sym1k 1000 3 symbolize=1
done
m() { median <"$T/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
echo "hotpath report engine benchmark: medians of $ROUNDS runs, $(nproc) CPUs, $(date -u +%FT%TZ)"
r=$(ratio "$(m s10k_repeat)" "$(m s10_repeat)")
printf '%-52s %9.0fns %9.0fns %7sx  <= 1.5x: %s\n' "repeat violation, 10,000 stacks vs 10 stacks" "$(m s10_repeat)" \
    "$(m s10k_repeat)" "$r" "$(awk -v r="$r" 'BEGIN {print (r <= 1.5 ? "met" : "NOT met")}')"
mean=$(awk -v f="$(m s10k_first)" -v r="$(m s10k_repeat)" 'BEGIN {printf "%.0f", (f + 2 * r) / 3}')
printf '%-52s %9sns   (%s full reports for 10,000 stacks)\n' "per violation, 10,000 stacks x 3 (symbolize=0)" "$mean" "$(m s10k_reports)"
mean=$(awk -v f="$(m sym1k_first)" -v r="$(m sym1k_repeat)" 'BEGIN {printf "%.0f", (f + 2 * r) / 3}')
printf '%-52s %9sns   (%s full reports for 1000 stacks)\n' "per violation, 1000 stacks x 3 (symbolized)" "$mean" "$(m sym1k_reports)"
