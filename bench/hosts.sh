#!/bin/bash
# What the sentinel costs the processes it rides in (issue 11), as ratios measured in the same run:
#   start-up of /bin/true: callgrind instructions preloaded / plain       target <= 2x
#                          wall time per process, preloaded / plain        target <= 1.1x
#   C++ new+delete of a small object: sentinel / a bare forwarding preload  target <= 1.05x
#                          (wall-time medians, and callgrind instructions)
#   -finstrument-functions on a small std::complex FFT: plain, all instrumented, and with
#   -finstrument-functions-exclude-file-list=/usr/include (the README's recipe)
# Wall-time figures are medians of ROUNDS runs, the two sides alternating.
# Usage: bench/hosts.sh BUILD_DIR [ROUNDS]
set -u
B=$(cd "${1:-build}" && pwd)
ROUNDS=${2:-11}
BB=$B/bench
P=$B/libhotpath.so
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
spread() { sort -g | awk '{a[NR]=$1} END {printf "%s..%s", a[1], a[NR]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN {print (r <= t ? "met" : "NOT met")}'; }
ir() { # ir OUT PRELOAD CMD...: callgrind's instruction count
	local pre=$2
	shift 2
	LD_PRELOAD=$pre valgrind --tool=callgrind --soname-synonyms=somalloc=nouserintercepts \
		--callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected/ {print $4}'
}
echo "hotpath hosts benchmark: medians of $ROUNDS runs, $(nproc) CPUs, $(date -u +%FT%TZ)"
printf '%-52s %12s %12s %8s  %s\n' "measure" "baseline" "hotpath" "ratio" "target"

# ---- start-up ---------------------------------------------------------------------------------------
if command -v valgrind >/dev/null 2>&1; then
	a=$(ir x "" /bin/true) b=$(ir x "$P" /bin/true)
	r=$(ratio "$b" "$a")
	printf '%-52s %12s %12s %8s  %s\n' "/bin/true start-up, instructions (callgrind)" "$a" "$b" "${r}x" \
		"<= 2x: $(verdict "$r" 2)"
else
	echo "(no valgrind: the instruction count is skipped)"
fi
for ((i = 0; i < ROUNDS; i++)); do
	"$BB/spawn_true" 200 "" >>"$T/true_plain"
	"$BB/spawn_true" 200 "$P" >>"$T/true_hp"
done
a=$(median <"$T/true_plain") b=$(median <"$T/true_hp")
r=$(ratio "$b" "$a")
printf '%-52s %10sus %10sus %8s  %s\n' "/bin/true start-up, wall time per process" "$a" "$b" "${r}x" "<= 1.1x: $(verdict "$r" 1.1)"
echo "    (per-round ratio spread: $(paste "$T/true_hp" "$T/true_plain" | awk '{printf "%.3f\n", $1 / $2}' | spread))"

# ---- C++ new + delete ---------------------------------------------------------------------------------
for ((i = 0; i < ROUNDS; i++)); do
	LD_PRELOAD=$BB/bare_preload.so "$BB/new_delete" 5000000 >>"$T/nd_bare"
	LD_PRELOAD=$P "$BB/new_delete" 5000000 >>"$T/nd_hp"
done
a=$(median <"$T/nd_bare") b=$(median <"$T/nd_hp")
r=$(ratio "$b" "$a")
printf '%-52s %10sns %10sns %8s  %s\n' "C++ new+delete, vs a bare forwarding preload" "$a" "$b" "${r}x" "<= 1.05x: $(verdict "$r" 1.05)"
echo "    (per-round ratio spread: $(paste "$T/nd_hp" "$T/nd_bare" | awk '{printf "%.3f\n", $1 / $2}' | spread))"
if command -v valgrind >/dev/null 2>&1; then
	# instructions per pair: the difference between 200,000 and 100,000 pairs, start-up cancelled out
	per() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) / 100000}'; }
	a=$(per "$(ir x "$BB/bare_preload.so" "$BB/new_delete" 100000)" "$(ir x "$BB/bare_preload.so" "$BB/new_delete" 200000)")
	b=$(per "$(ir x "$P" "$BB/new_delete" 100000)" "$(ir x "$P" "$BB/new_delete" 200000)")
	r=$(ratio "$b" "$a")
	printf '%-52s %12s %12s %8s  %s\n' "C++ new+delete, instructions per pair (callgrind)" "$a" "$b" "${r}x" \
		"<= 1.05x: $(verdict "$r" 1.05)"
fi

# ---- -finstrument-functions on C++ ----------------------------------------------------------------
for ((i = 0; i < ROUNDS; i++)); do
	for v in plain instr excl; do
		LD_PRELOAD=$P HOTPATH_OPTIONS=hot_functions=fft_transform "$BB/fft_$v" x 300 >>"$T/fft_$v" 2>/dev/null
	done
done
a=$(median <"$T/fft_plain")
for v in instr excl; do
	b=$(median <"$T/fft_$v")
	case $v in
	instr) what="1024-point FFT, -finstrument-functions" ;;
	excl) what="... -finstrument-functions-exclude-file-list=/usr/include" ;;
	esac
	printf '%-52s %10sns %10sns %8s\n' "$what" "$a" "$b" "$(ratio "$b" "$a")x"
done
