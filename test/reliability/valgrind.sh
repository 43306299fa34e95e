#!/bin/bash
# valgrind.sh PRELOAD TORTURE: torture scenarios under the sentinel, inside valgrind's memcheck
# (malloc interception left to the sentinel's chain: --soname-synonyms=somalloc=nouserintercepts).
# Each run must be memcheck-clean (valgrind.supp holds the known, explained exception), reach
# its end, and the sentinel must have been active. Prints "N passed, N failed".
set -u
PRELOAD=$(readlink -f "$1")
TORTURE=$(readlink -f "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0
if ! command -v valgrind >/dev/null; then
    sh "$HERE/need.sh" valgrind || { echo "SKIP: valgrind missing (sudo apt-get install valgrind)"; echo "0 passed, 0 failed"; exit 0; }
fi
V=(valgrind -q --soname-synonyms=somalloc=nouserintercepts --suppressions="$HERE/valgrind.supp" --error-exitcode=99
   --track-fds=no)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
check() {
    local opts=$1
    shift
    HOTPATH_OPTIONS=$opts LD_PRELOAD=$PRELOAD timeout 600 "${V[@]}" "$TORTURE" "$@" >"$out" 2>&1
    local rc=$?
    if [ $rc = 0 ] && grep -q '^survived$' "$out" && ! grep -q '^==[0-9]*== [A-Z]' "$out"; then
        echo "ok   memcheck clean: torture $* ($opts)"
        passed=$((passed + 1))
    else
        echo "FAIL memcheck: torture $* ($opts): exit $rc"
        grep -A12 '^==[0-9]*== [A-Z]' "$out" | head -30 | sed 's/^/     /'
        failed=$((failed + 1))
    fi
}
HOTPATH_OPTIONS=mode=warn LD_PRELOAD=$PRELOAD "${V[@]}" "$TORTURE" one_hot 2>/dev/null | grep -q '^active 1 violations 1$' ||
    { echo "FAIL control: the sentinel is not active under valgrind"; failed=$((failed + 1)); }
check mode=warn one_hot
check mode=warn:dedup=0 churn 2 2000 10
check mode=warn:dedup=0 signals 20
check mode=count forkbusy 8
check mode=warn:dedup=0:json_path=/dev/null names
check mode=warn longjmp
check mode=count storm 4 20
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
