#!/usr/bin/env bash
# Shell tests of the sentinel in unusual hosts (issue 11): sanitizer-built programs, valgrind, an
# executable with its own allocator, a suppressions path that is a directory.
#   bash test/hosts/run.sh BUILD_DIR SRC_DIR      (make check-hosts does this)
# Prints a line per failure, then "N passed, N failed"; exits non-zero if any failed.
# shellcheck disable=SC2016
set -u
B=$(cd "${1:?usage: run.sh BUILD_DIR SRC_DIR}" && pwd)
S=$(cd "${2:?usage: run.sh BUILD_DIR SRC_DIR}" && pwd)
P=$B/libhotpath.so
H=$B/test/hosts
W=$(mktemp -d "${TMPDIR:-/tmp}/hotpath-hosts.XXXXXX")
trap 'rm -rf -- "$W"' EXIT
unset HOTPATH_OPTIONS ASAN_OPTIONS TSAN_OPTIONS LSAN_OPTIONS
GCC_ASAN=$(gcc -print-file-name=libasan.so)
HOT_LINE=$(grep -n 'SAN_HOT_MALLOC' "$S/test/hosts/san_probe.c" | cut -d: -f1)
NEW_LINE=$(grep -n 'SAN_HOT_NEW' "$S/test/hosts/san_probe_cxx.cc" | cut -d: -f1)

passed=0 failed=0
t() {
	local name=$1
	shift
	if (eval "$*") >"$W/last" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: %s\n' "$name"
		sed 's/^/    | /' "$W/last" | head -20
	fi
}
# run EXPECTED_STATUS PRELOAD OPTIONS PROGRAM ARGS...: output in $W/out, $W/err.
run() {
	local want=$1 pre=$2 opts=$3 got
	shift 3
	LD_PRELOAD=$pre HOTPATH_OPTIONS=$opts "$@" >"$W/out" 2>"$W/err"
	got=$?
	[ "$got" = "$want" ] || {
		echo "exit status $got, expected $want: LD_PRELOAD=$pre HOTPATH_OPTIONS=$opts $*"
		sed 's/^/stderr: /' "$W/err" | head -20
		return 1
	}
}
has() { grep -qF -- "$1" "$2" || { echo "no '$1' in $2:"; sed 's/^/    /' "$2" | head -30; return 1; }; }
hasnt() { ! grep -qF -- "$1" "$2" || { echo "unexpected '$1' in $2:"; sed 's/^/    /' "$2" | head -30; return 1; }; }
empty() { [ ! -s "$1" ] || { echo "$1 is not empty:"; sed 's/^/    /' "$1" | head -30; return 1; }; }

# ---- sanitizer-built programs -------------------------------------------------------------------
# Each is run as a user's test suite runs it: LD_PRELOAD=libhotpath.so, and for gcc's libasan.so
# (which must come first in the initial library list) LD_PRELOAD=libasan.so:libhotpath.so.
for san in address thread leak gcc_address address22 thread22 leak22; do
	case $san in
	gcc_address) prog=$H/san_address_gcc pre=$GCC_ASAN:$P ;;
	*22) prog=$H/san_${san%22}_clang22 pre=$P ;;
	*) prog=$H/san_${san}_clang pre=$P ;;
	esac
	[ -x "$prog" ] || { echo "SKIP: $san (no clang-22)"; continue; }
	export prog pre
	t "$san: starts and runs as without the preload" '
		run 0 "" "" $prog cold && cp $W/out $W/plain_out &&
		run 0 "$pre" "" $prog cold && cmp $W/out $W/plain_out && empty $W/err'
	t "$san: says the sentinel is active" 'run 0 "$pre" "" $prog active && has "active=1" $W/out'
	t "$san: an allocation in a section is reported (abort mode)" '
		run 134 "$pre" "" $prog hot && has "ALLOCATION IN HOT PATH!" $W/err &&
		has "Operation: allocation (24 bytes)" $W/err && has "Section: san_section" $W/err &&
		has "san_probe.c:$HOT_LINE" $W/err'
	t "$san: warn mode reports and runs on, summary names the site" '
		run 0 "$pre" "mode=warn" $prog hot && has "hot done" $W/out &&
		has "ALLOCATION IN HOT PATH!" $W/err && has "summary: 1 violation in 1 section" $W/err'
	# The sanitizer's runtime (gcc's libasan.so has source lines; clang's is linked into the
	# executable) is not the user's code: the summary and hotpath-check name the user's line.
	t "$san: the summary and hotpath-check name the user's line, not the sanitizer's" '
		LD_PRELOAD=$pre HOTPATH_OPTIONS=mode=warn:log_path=$W/site.$san.log $prog hot >$W/out 2>$W/err &&
		has "site 1: 1 x allocation (allocation) in main ($S/test/hosts/san_probe.c:$HOT_LINE)" $W/site.$san.log &&
		{ (cd $W && $B/bin/hotpath-check --root $W site.$san.log) >$W/check; [ $? = 1 ]; } &&
		has "$S/test/hosts/san_probe.c:$HOT_LINE: allocation " $W/check && has " in main in hot section" $W/check'
	t "$san: free in a section with check_free=1" '
		run 134 "$pre" "check_free=1" $prog hot_free && has "Operation: free" $W/err &&
		run 0 "$pre" "" $prog hot_free'
done
export prog=$H/san_cxx_address_clang
t "clang++ asan: operator new in a section is reported" '
	run 0 "$P" "" $prog cold && has "cxx done 4" $W/out && empty $W/err &&
	run 134 "$P" "" $prog hot && has "Operation: allocation (32 bytes)" $W/err &&
	has "san_probe_cxx.cc:$NEW_LINE" $W/err'
export prog=$H/san_address_clang_nodebug
t "clang asan without debug info: the site is main, not the runtime linked into the executable" '
	LD_PRELOAD=$P HOTPATH_OPTIONS=mode=warn:log_path=$W/nd.log $prog hot >$W/out 2>$W/err &&
	has "site 1: 1 x allocation (allocation) in main (" $W/nd.log && hasnt "site 1: 1 x allocation (allocation) in __" $W/nd.log &&
	{ (cd $W && $B/bin/hotpath-check --root $W nd.log) >$W/check; [ $? = 1 ]; } && has " in main in hot section" $W/check'
# gcc's libasan.so after the sentinel: ASan stops the process itself unless told not to check the
# order; told so, the sentinel's malloc runs in front of ASan's and names the entry point.
export prog=$H/san_address_gcc
t "gcc asan behind the sentinel with verify_asan_link_order=0" '
	ASAN_OPTIONS=verify_asan_link_order=0 run 134 "$P" "" $prog hot &&
	has "Operation: malloc (24 bytes)" $W/err && has "san_probe.c:$HOT_LINE" $W/err'

# ---- operator new's fast path keeps its failure semantics ---------------------------------------------
export prog=$H/new_fail
t "operator new when malloc fails: new-handler, bad_alloc and nothrow as without the preload" '
	run 0 "" "" $prog && cp $W/out $W/plain_out && run 0 "$P" "" $prog && cmp $W/out $W/plain_out &&
	has "new: bad_alloc after 2 handler calls" $W/out && empty $W/err'

# ---- start-up warnings only where they matter ------------------------------------------------------
export prog=$H/own_malloc_nomarks
t "own allocator, no marks (rustc, cc1): silent" 'run 0 "$P" "" $prog && has "active 0" $W/out && empty $W/err'
export prog=$B/test/probe_own_malloc
t "own allocator, marks: told at start-up, even if it dies in a section" '
	run 3 "$P" "" $prog section_exit && has "carries its own allocator" $W/err &&
	[ "$(grep -c "will NOT be checked" $W/err)" = 1 ]'
t "own allocator, a section: says what is the case, with pid and program" '
	run 0 "$P" "" $prog section && has "(pid " $W/err && has ", probe_own_malloc): " $W/err &&
	has "carries its own allocator" $W/err && hasnt "first in LD_PRELOAD" $W/err &&
	[ "$(grep -c "will NOT be checked" $W/err)" = 1 ]'
t "own allocator: the warning goes to the log when there is one" '
	run 0 "$P" "log_path=$W/own.log" $prog section && empty $W/err && has "carries its own allocator" $W/own.log'
if command -v valgrind >/dev/null 2>&1; then
	export prog=$H/plain
	t "valgrind, a tool without marks: silent" '
		LD_PRELOAD=$P valgrind -q /bin/echo cold >$W/out 2>$W/err && has "cold" $W/out && empty $W/err'
	t "valgrind replaced malloc: says so, and the flag that stops it" '
		LD_PRELOAD=$P HOTPATH_OPTIONS=mode=warn valgrind -q $prog hot >$W/out 2>$W/err &&
		has "valgrind replaced malloc" $W/err && has "--soname-synonyms=somalloc=nouserintercepts" $W/err &&
		hasnt "malloc resolves to" $W/err'
	t "valgrind with the flag: checked" '
		LD_PRELOAD=$P HOTPATH_OPTIONS=mode=warn valgrind -q --soname-synonyms=somalloc=nouserintercepts \
			$prog hot >$W/out 2>$W/err && has "Operation: malloc (24 bytes)" $W/err && hasnt "valgrind replaced" $W/err'
fi

# ---- hot_functions= on C++, and its warnings ---------------------------------------------------------
export prog=$H/hotfn_cxx
printf '# a glob over template instances\nfft::Engine<*>::process\n' >$W/h_glob
printf 'fft::scale(double*, int)\n_Z7twiddlei\nnothing_here\n' >$W/h_exact
t "hot_functions_file: a demangled glob selects every template instance, sections demangled" '
	run 0 "$P" "mode=count:hot_functions_file=$W/h_glob" $prog engine &&
	has "section fft::Engine<double>::process(std::complex<double>*, unsigned long): 1" $W/err &&
	has "section fft::Engine<float>::process(std::complex<float>*, unsigned long): 1" $W/err &&
	has "summary: 2 violations in 2 sections" $W/err'
t "hot_functions_file: a full signature selects one overload; a mangled name prints demangled" '
	run 0 "$P" "mode=count:hot_functions_file=$W/h_exact" $prog all &&
	has "section fft::scale(double*, int): 1" $W/err && hasnt "scale(float*" $W/err &&
	has "section twiddle(int): 1" $W/err && hasnt "_Z7twiddlei" $W/err'
t "hot_functions=: a plain name selects a C++ function by its name without parameters" '
	run 0 "$P" "mode=count:hot_functions=twiddle" $prog twiddle && has "section twiddle(int): 1" $W/err'
t "hot_functions: an instrumented process names what it lacks, with pid and program" '
	run 0 "$P" "mode=count:hot_functions_file=$W/h_exact" $prog all &&
	has ", hotfn_cxx): hot_functions: no function named '"'"'nothing_here'"'"'" $W/err &&
	[ "$(grep -c "will not be checked" $W/err)" = 1 ]'
t "hot_functions: the warning goes to the log when there is one" '
	run 0 "$P" "mode=count:log_path=$W/hf.log:hot_functions_file=$W/h_exact" $prog all && empty $W/err &&
	has "no function named '"'"'nothing_here'"'"'" $W/hf.log'
export prog=$H/plain
t "hot_functions: a process without instrumented code (sh, ps, python3 under ctest) stays silent" '
	run 0 "$P" "hot_functions=nothing_here,twiddle" $prog cold && empty $W/err'
t "hot_functions: such a process does not load libdw (a python3 start paid 180 ms for it)" '
	LD_DEBUG=files LD_PRELOAD=$P HOTPATH_OPTIONS=hot_functions=nothing_here $prog cold >$W/out 2>$W/err &&
	has "cold done" $W/out && hasnt "libdw" $W/err'
t "hot_functions: nor when one of its libraries holds a function of that name" '
	run 0 "$P" "hot_functions=strdup" $prog cold && empty $W/err'
t "hot_functions: a program built without the flag that holds the function is told" '
	run 0 "$P" "hot_functions=main" $prog cold && has "'"'"'main'"'"' is in $prog, which was not built with -finstrument-functions" $W/err'

# ---- bad option values --------------------------------------------------------------------------------
export prog=$H/plain
t "suppressions= naming a directory is an error naming it" '
	mkdir -p $W/supdir && run 2 "$P" "suppressions=$W/supdir" $prog cold &&
	has "suppressions file $W/supdir: is a directory" $W/err && hasnt "cold done" $W/out'
t "hot_functions_file= naming a directory is an error naming it" '
	run 2 "$P" "hot_functions_file=$W/supdir" $prog cold &&
	has "hot_functions_file $W/supdir: is a directory" $W/err && hasnt "cold done" $W/out'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
