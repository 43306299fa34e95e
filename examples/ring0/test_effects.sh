#!/bin/sh
# test_effects.sh CLANG GCC PC_FILE API_DIR PRELOAD - the static check (clang's function effect
# analysis, from the marks) on the Ring 0 core, and what it cannot see, end to end:
#   1. the core and the pools, built with CLANG, `pkg-config --cflags` of PC_FILE and
#      -Werror=function-effects: compile, link, and run clean under the sentinel (abort mode);
#   2. a strdup planted in each marked function of ops.c, reactor.c and hist.c fails that build
#      with an error naming the file, the line and strdup; strndup, asprintf and printf too;
#   3. the same plant built without the pkg-config flags is not caught (clang trusts its builtin
#      strdup): printed, not asserted, it is why the flags exist;
#   4. what the analysis cannot see: the naive operators reached through a pointer of nonblocking
#      type (reactor.c) passed step 1, and the sentinel stops them at run time;
#   5. the pkg-config flags leave gcc builds alone (-Wall -Wextra -Werror) and memcpy a builtin.
# Also: HOTPATH_ALLOW is what exempts the core's cold path (without it the build fails); the
# switches HOTPATH_EFFECTS_WARN, HOTPATH_NO_EFFECTS, HOTPATH_DISABLE and HOTPATH_EFFECTS_CHECKED; an
# older clang builds the marked core; C++ (hotpath::scope, pools.hpp) passes and a std::string fails.
# Prints "N passed, N failed" last; exits non-zero on any failure.
clang=$1
gcc=$2
pc=$3
api=$4
preload=$5
[ -n "$clang" ] && [ -f "$pc" ] && [ -d "$api" ] && [ -f "$preload" ] ||
    { echo "usage: $0 CLANG GCC PC_FILE API_DIR PRELOAD"; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && sed 's/^/     | /' "$2" | head -30; }

# The flags a user gets: pkg-config's, minus the install's include directory (we build in the tree).
flags=$(pkg-config --cflags "$pc" | tr ' ' '\n' | grep -v '^-I' | tr '\n' ' ')
case "$flags" in *-fno-builtin-strdup*) ok "pkg-config --cflags hotpath brings the effect flags: $flags" ;;
*) ko "pkg-config --cflags hotpath lacks -fno-builtin-strdup: '$flags'" ;; esac
inc="-I$api -I$root/pools/include -I$here"
# gnu11, clang's default dialect family: there strdup and strndup are builtins too (in strict c11
# they are not), so it is where the check needs the flags most.
cflags="-std=gnu11 -Wall -Wextra -Werror -Werror=function-effects -D_GNU_SOURCE -O2 -g $inc"

# 1. the honest build
built=1
for f in "$here"/ops.c "$here"/reactor.c "$here"/hist.c "$here"/naive.c "$here"/main.c "$root"/pools/*.c; do
    o="$tmp/$(basename "$f" .c).o"
    if ! $clang $cflags $flags -c "$f" -o "$o" 2>"$tmp/err"; then
        built=0
        ko "clang -Werror=function-effects: $(basename "$f") does not build" "$tmp/err"
    fi
done
if [ $built = 1 ]; then
    ok "the core and the pools build with $clang -Werror=function-effects and the pkg-config flags"
    if $clang -o "$tmp/ring0" "$tmp"/*.o -L"$(dirname "$preload")" -lhotpath_api \
        -Wl,-rpath,"$(dirname "$preload")" -lpthread -lm 2>"$tmp/err"; then
        LD_PRELOAD=$preload "$tmp/ring0" --events 300000 >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ $rc -eq 0 ] && grep -q "violations 0" "$tmp/out"; then
            ok "the clang-built core runs clean under the sentinel in abort mode"
        else ko "the clang-built core under the sentinel: exit $rc" "$tmp/err"; fi
    else ko "the clang-built core does not link" "$tmp/err"; fi
fi
marked=$(grep -c ') HOTPATH_NONBLOCKING$' "$here"/ops.c "$here"/reactor.c "$here"/hist.c | awk -F: '{s += $2} END {print s}')
echo "info marked functions in the core (ops.c, reactor.c, hist.c): $marked"

# 2. plants: `what` inserted as the first statement of function `fn` in `file`; the build must fail
# naming file:line and the callee.
plant() { # file fn code callee
    file=$1 fn=$2 code=$3 callee=$4
    src="$tmp/src/$(basename "$file")"
    mkdir -p "$tmp/src"
    # the line of the function's opening brace: the line after its marked signature
    sig=$(awk -v fn="$fn" '
        $0 ~ "^[a-z].*[ *]" fn "\\(" { start = NR }
        start && /HOTPATH_NONBLOCKING$/ { print NR; exit }' "$file")
    [ -n "$sig" ] || { ko "plant: no marked function $fn in $(basename "$file")"; return; }
    line=$((sig + 2)) # the opening brace is on sig+1; the plant becomes line sig+2
    awk -v at="$((sig + 1))" -v code="$code" '{ print } NR == at { print "    " code }' "$file" >"$src"
    if $clang $cflags $flags -I"$here" -c "$src" -o "$tmp/plant.o" 2>"$tmp/err"; then
        ko "a $callee planted in $fn ($(basename "$file"):$line) builds: the check missed it"
    elif grep -q "$(basename "$file"):$line:[0-9]*: error: .*'$callee'.*-Wfunction-effects" "$tmp/err"; then
        ok "a $callee planted in $fn fails the build at $(basename "$file"):$line"
    else ko "a $callee planted in $fn: the build failed, but not naming $(basename "$file"):$line and $callee" "$tmp/err"; fi
}
for fn in op_filter op_project op_sink window_drain window_close op_window ring0_core_process ring0_core_flush; do
    plant "$here/ops.c" $fn '{ char *planted = strdup("x"); (void)planted; }' strdup
done
for fn in backlog_drain sink_emit reactor_batch reactor_flush core_process core_flush; do
    plant "$here/reactor.c" $fn '{ char *planted = strdup("x"); (void)planted; }' strdup
done
plant "$here/hist.c" ring0_hist_add '{ char *planted = strdup("x"); (void)planted; }' strdup
plant "$here/ops.c" op_window '{ char *planted = strndup("x", 1); (void)planted; }' strndup
plant "$here/ops.c" op_window '{ char *planted; if (asprintf(&planted, "%d", 1) < 0) return; }' asprintf
plant "$here/ops.c" op_window 'printf("planted\\n");' printf
plant "$here/ops.c" op_window '{ const char *planted = strerror(1234); (void)planted; }' strerror

# The allow region's static counterpart: op_window's cold branch calls window_grow through
# HOTPATH_ALLOW; the same call without it fails the build naming window_grow.
sed 's/HOTPATH_ALLOW(v = window_grow(c, p->key, &existed));/v = window_grow(c, p->key, \&existed);/' \
    "$here/ops.c" >"$tmp/src/ops.c"
gline=$(grep -n 'v = window_grow(c, p->key, &existed);' "$tmp/src/ops.c" | cut -d: -f1)
if [ -z "$gline" ] || cmp -s "$here/ops.c" "$tmp/src/ops.c"; then
    ko "ops.c no longer calls window_grow through HOTPATH_ALLOW"
elif $clang $cflags $flags -I"$here" -c "$tmp/src/ops.c" -o "$tmp/plant.o" 2>"$tmp/err"; then
    ko "window_grow called without HOTPATH_ALLOW builds: the check missed the allocating cold path"
elif grep -q "ops.c:$gline:[0-9]*: error: .*'window_grow'.*-Wfunction-effects" "$tmp/err"; then
    ok "HOTPATH_ALLOW is what exempts the cold path: without it the build fails at ops.c:$gline (window_grow)"
else ko "window_grow without HOTPATH_ALLOW: the build failed, but not naming ops.c:$gline" "$tmp/err"; fi

# The switches: HOTPATH_EFFECTS_CHECKED says whether the flags are in; HOTPATH_EFFECTS_WARN makes
# the plant a warning; HOTPATH_NO_EFFECTS and HOTPATH_DISABLE drop the marks (the plant builds).
cat >"$tmp/src/sw.c" <<'SW'
#include <hotpath.h>
#include <string.h>
char *p;
void f(const char *s) HOTPATH_NONBLOCKING { p = strdup(s); }
#ifdef WANT_CHECKED
_Static_assert(HOTPATH_EFFECTS_CHECKED == WANT_CHECKED, "HOTPATH_EFFECTS_CHECKED");
#endif
SW
sw() { $clang -std=gnu11 -Wall -Wextra -I"$api" "$@" -c "$tmp/src/sw.c" -o "$tmp/sw.o" 2>"$tmp/err"; }
if sw $flags -DHOTPATH_EFFECTS_WARN && grep -q "warning: .*'strdup'.*-Wfunction-effects" "$tmp/err"; then
    ok "HOTPATH_EFFECTS_WARN: the plant is a warning, the build goes on"
else ko "HOTPATH_EFFECTS_WARN: expected a warning naming strdup and a build" "$tmp/err"; fi
if sw $flags -DHOTPATH_NO_EFFECTS -Werror && sw $flags -DHOTPATH_DISABLE -Werror; then
    ok "HOTPATH_NO_EFFECTS and HOTPATH_DISABLE: the marks expand to nothing"
else ko "HOTPATH_NO_EFFECTS / HOTPATH_DISABLE: the plant should build" "$tmp/err"; fi
if sw $flags -DPLANT_ONLY_ASSERT -DWANT_CHECKED=1 -DHOTPATH_EFFECTS_WARN &&
    sw -DWANT_CHECKED=0 -DHOTPATH_EFFECTS_WARN; then
    ok "HOTPATH_EFFECTS_CHECKED is 1 with the pkg-config flags, 0 without"
else ko "HOTPATH_EFFECTS_CHECKED: wrong value" "$tmp/err"; fi
# HOTPATH_NONALLOCATING is the weaker promise: a static local (its guard may lock) is allowed
# there and refused in a HOTPATH_NONBLOCKING function; malloc is refused in both.
cat >"$tmp/src/na.c" <<'NA'
#include <hotpath.h>
#include <stdlib.h>
int counter(void) HOTPATH_NONALLOCATING { static int n; return n++; }
#ifdef NB
int counter_nb(void) HOTPATH_NONBLOCKING { static int n; return n++; }
#endif
#ifdef MALLOC
void *grab(void) HOTPATH_NONALLOCATING { return malloc(8); }
#endif
NA
na() { $clang -std=gnu11 -Wall -Wextra -Werror -I"$api" $flags "$@" -c "$tmp/src/na.c" -o "$tmp/na.o" 2>"$tmp/err"; }
if na && ! na -DNB && grep -q "na.c:5:.*static local" "$tmp/err" && ! na -DMALLOC && grep -q "na.c:8:.*'malloc'" "$tmp/err"; then
    ok "HOTPATH_NONALLOCATING: a static local passes (refused under NONBLOCKING, na.c:5), malloc fails (na.c:8)"
else ko "HOTPATH_NONALLOCATING: expected static locals allowed, malloc refused" "$tmp/err"; fi
# An older clang (no effect attributes): the core builds -Werror with the marks gone.
for old in clang-14 clang-15 clang-16 clang-17 clang-18 clang-19; do
    command -v $old >/dev/null 2>&1 || continue
    if $old -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 $inc $flags -c "$here/ops.c" -o "$tmp/old.o" 2>"$tmp/err" &&
        $old -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 $inc $flags -c "$here/reactor.c" -o "$tmp/old.o" 2>>"$tmp/err"; then
        ok "$old (no effect attributes): the marked core builds with -Wall -Wextra -Werror"
    else ko "$old: the marked core does not build" "$tmp/err"; fi
    break
done

# C++: hotpath::scope and the pools.hpp members carry the mark; a std::string in a marked function
# fails the build, at its line.
cat >"$tmp/src/cxx.cc" <<'CXX'
#include <hotpath.h>
#include <hotpath/pools.hpp>
#include <string>
static hotpath::ring<int> *rq;
static hotpath::fixed_map<long, int> *m;
int hot(int x) noexcept HOTPATH_NONBLOCKING
{
    hotpath::scope s("cxx");
    int y = 0;
    if (rq->push(x) && rq->pop(y) && m->put(7, y) >= 0) y = *m->find(7);
#ifdef PLANT
    std::string planted("a string longer than the small-string buffer");
#endif
    if (y < 0) HOTPATH_ALLOW(delete new int(y));
    return y;
}
CXX
cxx="-x c++ -std=c++17 -Wall -Wextra -Werror -Werror=function-effects -O2 $inc"
if $clang $cxx $flags -c "$tmp/src/cxx.cc" -o "$tmp/cxx.o" 2>"$tmp/err"; then
    ok "C++: a marked function using hotpath::scope, ring<int>, fixed_map and HOTPATH_ALLOW(new) builds with -Werror=function-effects"
else ko "C++: the marked function using hotpath::scope and pools.hpp does not build" "$tmp/err"; fi
if $clang $cxx $flags -DPLANT -c "$tmp/src/cxx.cc" -o "$tmp/cxx.o" 2>"$tmp/err"; then
    ko "C++: a std::string in a marked function builds: the check missed it"
elif grep -q "cxx.cc:12:[0-9]*: error: .*-Wfunction-effects" "$tmp/err"; then
    ok "C++: a std::string in a marked function fails the build at cxx.cc:12"
else ko "C++: the std::string plant failed, but not at cxx.cc:12" "$tmp/err"; fi

# 3. without the flags (information: why they exist)
awk '{ print } /^static inline void op_window\(.*HOTPATH_NONBLOCKING$/ { getline; print; print "    { char *planted = strdup(\"x\"); (void)planted; }" }' \
    "$here/ops.c" >"$tmp/src/ops.c"
if $clang $cflags -I"$here" -c "$tmp/src/ops.c" -o "$tmp/plant.o" 2>/dev/null; then
    echo "info without the pkg-config flags the planted strdup builds: clang trusts its builtin strdup"
else
    echo "info without the pkg-config flags the planted strdup is caught too (this clang knows strdup)"
fi

# 4. the sentinel sees what the analysis cannot: the naive operators behind the nonblocking-typed
# pointer built without complaint in step 1; at run time they are stopped and named.
if [ $built = 1 ] && [ -x "$tmp/ring0" ]; then
    LD_PRELOAD=$preload "$tmp/ring0" --naive --events 100000 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 134 ] && grep -q "ALLOCATION IN HOT PATH!" "$tmp/err" &&
        grep -q "Section stack: ring0_reactor > naive_window_aggregate" "$tmp/err"; then
        ok "a call through a function pointer the analysis trusted: the sentinel aborts it (naive_window_aggregate)"
    else ko "the naive operators behind the pointer: expected SIGABRT and a report, got exit $rc" "$tmp/err"; fi
fi

# 5. gcc with the same flags: unchanged, and memcpy stays a builtin (inlined, no call) for both.
if [ -n "$gcc" ] && command -v "$gcc" >/dev/null 2>&1; then
    gccok=1
    for f in "$here"/ops.c "$here"/reactor.c "$here"/hist.c "$here"/naive.c "$here"/main.c; do
        $gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 $inc $flags -c "$f" -o "$tmp/gcc.o" 2>"$tmp/err" ||
            { gccok=0; ko "gcc -Wall -Wextra -Werror with the pkg-config flags: $(basename "$f")" "$tmp/err"; }
    done
    [ $gccok = 1 ] && ok "gcc -Wall -Wextra -Werror builds the core with the pkg-config flags"
    for cc in "$gcc" "$clang"; do
        $cc -std=c11 -D_GNU_SOURCE -O2 $inc $flags -c "$here/ops.c" -o "$tmp/mc.o" 2>"$tmp/err"
        if nm -u "$tmp/mc.o" | grep -qw 'memcpy\|memset'; then
            ko "$cc with the flags: ops.o calls memcpy/memset (their builtins were turned off)" "$tmp/err"
        else ok "$cc with the flags: memcpy and memset stay builtins in ops.o (no call)"; fi
    done
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
