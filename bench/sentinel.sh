#!/bin/bash
# The sentinel's speed targets, as ratios against baselines measured in the same run:
#   malloc+free outside sections, with the preload / without:        target <= 1.10x (1 and 2 threads)
#   hotpath_enter+exit pair (inline):                                 target <= 2 ns and < 1/6 of RTSan's
#   pthread_mutex_lock+unlock, default options (categories off):      target <= 1.03x (one jump each)
#   pthread_mutex_lock+unlock with check=all, outside sections:        target <= 1.15x
#     (both also as instruction counts under callgrind when valgrind is installed)
#   -finstrument-functions hooks of a function not in hot_functions:  target <= 2 ns
# Each figure is the median of ROUNDS runs; with/without runs alternate so that machine noise hits
# both sides alike. Usage: bench/sentinel.sh BUILD_DIR [ROUNDS]
set -u
B=${1:-build}
ROUNDS=${2:-11}
BIN=$B/bench/bench_sentinel
PRELOAD=$(cd "$B" && pwd)/libhotpath.so
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # run VAR MODE [env...]
    local var=$1 mode=$2; shift 2
    env "$@" "$BIN" "$mode" >>"$T/$var"
}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
for ((i = 0; i < ROUNDS; i++)); do
    for m in pair1 pair2; do
        run "${m}_base" $m
        run "${m}_hp" $m LD_PRELOAD="$PRELOAD"
    done
    run mutex_base mutex
    run mutex_def mutex LD_PRELOAD="$PRELOAD"
    run mutex_hp mutex LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS=check=all
    run plain plain LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS=hot_functions=bench_plain_leaf
    run instr instr LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS=hot_functions=bench_plain_leaf
    run enter enter LD_PRELOAD="$PRELOAD"
    run enter_names enter LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS=section_names=1
    run calls calls LD_PRELOAD="$PRELOAD"
    [ -x "$B/bench/bench_rtsan" ] && "$B/bench/bench_rtsan" rtsan >>"$T/rtsan"
    [ -x "$B/bench/bench_rtsan" ] && "$B/bench/bench_rtsan" mutex >>"$T/mutex_rtsan"
done
m() { median <"$T/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN {print (r <= t ? "met" : "NOT met")}'; }
echo "hotpath sentinel benchmark: medians of $ROUNDS runs, $(nproc) CPUs, $(date -u +%FT%TZ)"
[ -n "${RTSAN_RUNTIME:-}" ] && echo "RealtimeSanitizer runtime: $RTSAN_RUNTIME"
printf '%-44s %10s %10s %8s  %s\n' "measure" "baseline" "hotpath" "ratio" "target"
for mt in pair1:1 pair2:2; do
    mode=${mt%:*} th=${mt#*:}
    b=$(m ${mode}_base) h=$(m ${mode}_hp) r=$(ratio "$(m ${mode}_hp)" "$(m ${mode}_base)")
    printf '%-44s %8.2fns %8.2fns %7sx  <= 1.10x: %s\n' "malloc(32)+free outside sections, $th thread(s)" "$b" "$h" "$r" "$(verdict "$r" 1.10)"
done
b=$(m mutex_base) h=$(m mutex_def) r=$(ratio "$h" "$b")
printf '%-44s %8.2fns %8.2fns %7sx  <= 1.03x: %s\n' "mutex lock+unlock, default options" "$b" "$h" "$r" "$(verdict "$r" 1.03)"
b=$(m mutex_base) h=$(m mutex_hp) r=$(ratio "$h" "$b")
printf '%-44s %8.2fns %8.2fns %7sx  <= 1.15x: %s\n' "mutex lock+unlock, check=all, no section" "$b" "$h" "$r" "$(verdict "$r" 1.15)"
# The same pairs as instruction counts: two callgrind runs of different lengths, so that start-up
# and warm-up cancel out and what is left is the loop.
if command -v valgrind >/dev/null 2>&1; then
    ir() { env "$@" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" mutex "$N" 2>&1 |
        awk '/refs:/ {gsub(",", "", $4); print $4}'; }
    per_pair() {
        local a b
        a=$(N=100000 ir "$@") b=$(N=200000 ir "$@")
        awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f", (b - a) / 100000}'
    }
    ib=$(per_pair HOTPATH_UNUSED=1) id=$(per_pair LD_PRELOAD="$PRELOAD") ia=$(per_pair LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS=check=all)
    r=$(ratio "$id" "$ib")
    printf '%-44s %8s   %8s   %7sx  <= 1.03x: %s\n' "  instructions per pair, default options" "$ib" "$id" "$r" "$(verdict "$r" 1.03)"
    r=$(ratio "$ia" "$ib")
    printf '%-44s %8s   %8s   %7sx  <= 1.15x: %s\n' "  instructions per pair, check=all" "$ib" "$ia" "$r" "$(verdict "$r" 1.15)"
fi
if [ -s "$T/mutex_rtsan" ]; then
    r=$(m mutex_rtsan)
    printf '%-44s %8.2fns %8.2fns %7sx\n' "  vs RealtimeSanitizer's interceptors (no rt ctx)" "$r" "$h" "$(ratio "$h" "$r")"
fi
p=$(m plain) i=$(m instr) hook=$(awk -v a="$(m instr)" -v b="$(m plain)" 'BEGIN {printf "%.2f", a - b}')
printf '%-44s %8.2fns %8.2fns %+7.2fns  <= 2 ns: %s\n' "instrumented call, function not listed" "$p" "$i" "$hook" "$(verdict "$hook" 2)"
e=$(m enter) c=$(m calls)
printf '%-44s %10s %8.2fns %8s  <= 2 ns: %s\n' "hotpath_enter+exit (inline marks)" "-" "$e" "" "$(verdict "$e" 2)"
printf '%-44s %8.2fns %8.2fns %7sx\n' "  vs the exported functions (2 calls)" "$c" "$e" "$(ratio "$e" "$c")"
n=$(m enter_names) # opt-in: an out-of-line call per enter that counts the section under its name
printf '%-44s %8.2fns %8.2fns %7sx  (no target)\n' "  with section_names=1 (names counted)" "$e" "$n" "$(ratio "$n" "$e")"
if [ -s "$T/rtsan" ]; then
    r=$(m rtsan)
    printf '%-44s %8.2fns %8.2fns %7sx  < 0.167x: %s\n' "  vs RealtimeSanitizer enter+exit" "$r" "$e" "$(ratio "$e" "$r")" "$(verdict "$(ratio "$e" "$r")" 0.1667)"
else
    echo "  (RealtimeSanitizer comparison skipped: libclang-rt-22-dev not installed)"
fi
