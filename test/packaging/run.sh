#!/usr/bin/env bash
# The installed package as a user meets it: `make install` to a temporary prefix, then
#   - CMake: find_package(hotpath 0.1 CONFIG) builds the README's 30-second example (taken from
#     the README itself) against hotpath::hotpath and the docs' pools example against
#     hotpath::pools; plain, the example runs clean; under the sentinel it aborts with the report;
#     ctest runs both through hotpath_add_test (the pools one passes, the example's violation
#     fails its test, as it must);
#   - the version file refuses a request for a newer version;
#   - pkg-config stays: the same example built with `pkg-config --cflags --libs hotpath`;
#   - hotpath-run --version and hotpath-check --version print hotpath.pc's version;
#   - man 3 hotpath_seal (and every other name) finds hotpath.3.
#   bash test/packaging/run.sh BUILD_DIR SRC_DIR     (make check-packaging does this)
# Prints "ok"/"FAIL" per test and "N passed, N failed"; exits non-zero if any failed.
set -u
B=${1:?usage: run.sh BUILD_DIR SRC_DIR}
S=${2:?usage: run.sh BUILD_DIR SRC_DIR}
W=$(mktemp -d "${TMPDIR:-/tmp}/hotpath-packaging.XXXXXX")
trap 'rm -rf -- "$W"' EXIT
P=$W/prefix
passed=0 failed=0
t() { # NAME COMMAND...: one test, its output in $W/last
	local name=$1
	shift
	if (eval "$*") >"$W/last" 2>&1; then
		passed=$((passed + 1))
		printf 'ok   %s\n' "$name"
	else
		failed=$((failed + 1))
		printf 'FAIL %s\n' "$name"
		sed 's/^/    | /' "$W/last" | tail -25
	fi
}

if ! command -v cmake >/dev/null 2>&1; then
	echo "SKIP: packaging: cmake is not installed (sudo apt-get install cmake)"
	echo "0 passed, 0 failed"
	exit 0
fi

# `make` (and so `make install`) builds the product only: no test program, nothing that needs
# Check or the check-time packages (a fragment that adds a test to ALL_TARGETS fails this).
t "make and make install build the product only: no test dependencies, no Check" \
	'make -s -n -C "$S" B="$W/fresh" all install PREFIX="$W/nowhere" >"$W/plan" 2>&1 && ! grep -E "deps.sh check|-lcheck|/test/|/reliability/" "$W/plan"'
t "make install PREFIX=<temp> installs the CMake package and the man page links" \
	'make -s -C "$S" B="$B" install PREFIX="$P" >/dev/null &&
	 [ -f "$P/lib/cmake/hotpath/hotpathConfig.cmake" ] && [ -f "$P/lib/cmake/hotpath/hotpathConfigVersion.cmake" ] &&
	 grep -qx ".so man3/hotpath.3" "$P/share/man/man3/hotpath_enter.3"'

# The README's 30-second example, as the README shows it.
mkdir -p "$W/proj"
python3 - "$S/README.md" "$W/proj/demo.c" <<-'PY'
	import re, sys
	text = open(sys.argv[1], encoding="utf-8").read()
	m = re.search(r"^## 30 seconds\s*```c\n(.*?)```", text, re.S | re.M)
	if not m:
	    sys.exit("no C block after '## 30 seconds' in the README")
	open(sys.argv[2], "w").write(m.group(1))
PY
# The pools example of docs/pools.md, with a main that runs it.
python3 - "$S/docs/pools.md" "$W/proj/pools.c" <<-'PY'
	import re, sys
	text = open(sys.argv[1], encoding="utf-8").read()
	m = re.search(r"```c\n(#include <hotpath.h>.*?)```", text, re.S)
	if not m:
	    sys.exit("no pools example in docs/pools.md")
	main = "\nint main(void)\n{\n    if (setup()) return 1;\n    for (int i = 0; i < 1000; i++) {\n        struct order *o;\n        if (on_event(i, 1.5, 10)) return 2;\n        if (!order_q_pop(&out, &o)) return 3;\n        order_pool_release(&pool, o);\n    }\n    return 0;\n}\n"
	open(sys.argv[2], "w").write(m.group(1) + main)
PY
cat >"$W/proj/CMakeLists.txt" <<-'EOF2'
	cmake_minimum_required(VERSION 3.16)
	project(hotpath_user C)
	find_package(hotpath 0.1 CONFIG REQUIRED)
	message(STATUS "hotpath ${hotpath_VERSION}: preload ${HOTPATH_PRELOAD}, run ${HOTPATH_RUN}")
	add_executable(demo demo.c)
	target_compile_options(demo PRIVATE -g)
	target_link_libraries(demo PRIVATE hotpath::hotpath)
	add_executable(pools pools.c)
	target_link_libraries(pools PRIVATE hotpath::hotpath hotpath::pools)
	enable_testing()
	hotpath_add_test(NAME pools_under_the_sentinel COMMAND pools MODE abort)
	hotpath_add_test(NAME demo_under_the_sentinel COMMAND demo)
	set_tests_properties(demo_under_the_sentinel PROPERTIES WILL_FAIL TRUE) # it allocates in a section
EOF2
export LD_LIBRARY_PATH=$P/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
t "cmake: find_package(hotpath 0.1 CONFIG) configures and builds the README example and the pools example" \
	'cmake -S "$W/proj" -B "$W/proj/build" -DCMAKE_PREFIX_PATH="$P" >"$W/cmake.log" 2>&1 || { cat "$W/cmake.log"; exit 1; }
	 grep -q "hotpath 0.1.0: preload $P/lib/libhotpath.so" "$W/cmake.log" &&
	 cmake --build "$W/proj/build"'
t "the example runs clean without the sentinel" '"$W/proj/build/demo"'
t "under the installed sentinel it aborts with the report" \
	'rc=0; LD_PRELOAD="$P/lib/libhotpath.so" "$W/proj/build/demo" 2>"$W/err" || rc=$?; [ "$rc" = 134 ] &&
	 grep -q "^ALLOCATION IN HOT PATH!" "$W/err" && grep -q "^Section: process_event" "$W/err" && grep -q "demo.c:" "$W/err"'
t "ctest: hotpath_add_test passes the pools example and fails the violating one" \
	'(cd "$W/proj/build" && ctest --output-on-failure)'
t "the version file refuses find_package(hotpath 9.0)" \
	'mkdir -p "$W/p9" && printf "cmake_minimum_required(VERSION 3.16)\nproject(p9 C)\nfind_package(hotpath 9.0 CONFIG REQUIRED)\n" >"$W/p9/CMakeLists.txt" &&
	 ! cmake -S "$W/p9" -B "$W/p9/build" -DCMAKE_PREFIX_PATH="$P" >"$W/p9.log" 2>&1 && grep -q "0.1.0" "$W/p9.log"'
t "pkg-config stays: the example builds with pkg-config --cflags --libs hotpath" \
	'PKG_CONFIG_PATH="$P/lib/pkgconfig" cc -g "$W/proj/demo.c" $(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --cflags --libs hotpath) -o "$W/demo-pc" && "$W/demo-pc"'
t "hotpath-run --version and hotpath-check --version print hotpath.pc's version" \
	'v=$(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --modversion hotpath) && [ -n "$v" ] &&
	 [ "$("$P/bin/hotpath-run" --version)" = "hotpath-run $v" ] && [ "$("$P/bin/hotpath-check" --version)" = "hotpath-check $v" ]'
if command -v man >/dev/null 2>&1; then
	t "man 3 hotpath_seal (and every name in hotpath.3) finds the page" \
		'for n in hotpath_seal hotpath_enter HOTPATH_SCOPE hotpath_allocation; do
		     MANPAGER=cat MANWIDTH=100 man -M "$P/share/man" 3 "$n" 2>/dev/null | grep -q "mark zero-allocation hot paths" || { echo "man 3 $n"; exit 1; }; done'
fi
t "make uninstall removes the CMake package and the links" \
	'make -s -C "$S" B="$B" uninstall PREFIX="$P" >/dev/null && [ ! -e "$P/lib/cmake/hotpath" ] && [ ! -e "$P/share/man/man3/hotpath_enter.3" ]'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
