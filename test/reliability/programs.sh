#!/bin/bash
# programs.sh PRELOAD [quick|full]: real programs nobody here wrote, run once without and once with
# the sentinel preloaded (no section marked, default options), in the same directory; their stdout,
# stderr, exit status and the files they produce are compared byte for byte after masking what
# legitimately varies between two runs (timings, pids, temporary names). The sentinel must change
# nothing a program can observe. Prints "ok"/"FAIL"/"SKIP" per program and "N passed, N failed".
#
# quick (make check): gcc and g++ building and running programs, CPython, git, sqlite3, Node.js (a
#   JIT), perl, make -j2 driving gcc, tar+gzip, sort+awk.
# full (make check-programs): adds CPython's own test modules, LuaJIT and a longer Node.js run.
set -u
PRELOAD=$(readlink -f "$1")
LEVEL=${2:-quick}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/hotpath-programs.XXXXXX)
trap 'rm -rf "$W"' EXIT
TIMEOUT=${PROGRAMS_TIMEOUT:-120}
passed=0 failed=0 skipped=0
export LC_ALL=C TZ=UTC
unset HOTPATH_OPTIONS

# mask: what differs between two honest runs of the same command
mask() {
    sed -E -e 's/[0-9]+\.[0-9]+ ?(s|ms|sec|seconds)\b/<time>/g' \
        -e 's/\b(pid|PID) [0-9]+/\1 <pid>/g' \
        -e 's#/tmp/[A-Za-z0-9._-]*\.[A-Za-z0-9]{6,}#<tmp>#g'
}

# run NAME DESCRIPTION COMMAND...: run COMMAND in a fresh $W/run twice, compare.
run() {
    local name=$1 desc=$2
    shift 2
    local out
    for mode in plain sentinel; do
        rm -rf "$W/run" && mkdir -p "$W/run" && cp -r "$HERE/programs/." "$W/run/"
        out="$W/$name.$mode"
        if [ $mode = plain ]; then
            (cd "$W/run" && timeout "$TIMEOUT" env -u LD_PRELOAD "$@" >"$out.stdout" 2>"$out.stderr" </dev/null)
        else
            (cd "$W/run" && timeout "$TIMEOUT" env LD_PRELOAD="$PRELOAD" "$@" >"$out.stdout" 2>"$out.stderr" </dev/null)
        fi
        echo $? >"$out.status"
        # the files the program left behind: names and contents
        # (git's index holds inode numbers and times of the work tree: not content)
        (cd "$W/run" && find . -type f ! -name '*.pyc' ! -path '*/.git/index' -print0 | sort -z |
            xargs -0 -r md5sum) >"$out.files"
        for f in stdout stderr files; do mask <"$out.$f" >"$out.$f.m"; done
    done
    local a="$W/$name.plain" b="$W/$name.sentinel" why=""
    [ "$(cat "$a.status")" = 124 ] && why="timed out without the sentinel"
    [ "$(cat "$b.status")" = 124 ] && why="timed out with the sentinel"
    cmp -s "$a.status" "$b.status" || why="${why:+$why; }exit $(cat "$a.status") without, $(cat "$b.status") with"
    for f in stdout stderr files; do
        cmp -s "$a.$f.m" "$b.$f.m" || why="${why:+$why; }$f differs"
    done
    if [ -z "$why" ] && [ "$(cat "$a.status")" != 0 ] && [ "${EXPECT_NONZERO:-0}" != 1 ]; then
        why="the program itself failed (exit $(cat "$a.status")): fix the test"
    fi
    if [ -z "$why" ]; then
        printf 'ok   %-16s %s (%s lines of output, %s files compared)\n' "$name" "$desc" \
            "$(cat "$a.stdout" "$a.stderr" | wc -l)" "$(wc -l <"$a.files")"
        passed=$((passed + 1))
    else
        printf 'FAIL %-16s %s: %s\n' "$name" "$desc" "$why"
        for f in stdout stderr files; do
            diff -u "$a.$f.m" "$b.$f.m" 2>/dev/null | head -20 | sed 's/^/     /'
        done
        tail -5 "$a.stderr" | sed 's/^/     plain stderr: /'
        failed=$((failed + 1))
    fi
}

skip() {
    printf 'SKIP %-16s %s\n' "$1" "$2"
    skipped=$((skipped + 1))
}

have() { command -v "$1" >/dev/null 2>&1; }

GIT_ENV=(GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
    GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" GIT_COMMITTER_DATE="2024-01-01T00:00:00Z" HOME=/nonexistent
    GIT_CONFIG_NOSYSTEM=1)

# The control: the sentinel really is loaded into the programs (a bad option stops them).
if env LD_PRELOAD="$PRELOAD" HOTPATH_OPTIONS=mode=bogus sh -c true 2>/dev/null; then
    echo "FAIL control: the sentinel did not load (LD_PRELOAD=$PRELOAD)"
    failed=$((failed + 1))
fi

# ---- quick: in make check ----------------------------------------------------------------------
if have gcc; then
    run gcc "gcc -O2 builds a C program (cc1, as, collect2, ld under the sentinel) and runs it" \
        sh -c 'gcc -O2 -g -Wall -o sieve sieve.c && ./sieve 200000'
else skip gcc "gcc not installed (sudo apt-get install gcc)"; fi

if [ -x /usr/bin/python3 ]; then
    run python3 "CPython 3 (Debian) runs a script: json, re, sqlite3 module, hashlib, threads" \
        /usr/bin/python3 -B script.py
else skip python3 "python3 not installed (sudo apt-get install python3)"; fi

if have git; then
    run git "git init, commit 30 files over 3 commits, branch, merge, log, diff, gc, fsck" \
        env "${GIT_ENV[@]}" sh git.sh
else skip git "git not installed (sudo apt-get install git)"; fi

if have sqlite3; then
    run sqlite3 "sqlite3: 20000 rows, indexes, joins, window functions, integrity_check, dump" \
        sh -c 'sqlite3 db.sqlite < queries.sql && sqlite3 db.sqlite .dump | md5sum'
else skip sqlite3 "sqlite3 not installed (sudo apt-get install sqlite3)"; fi

if have node; then
    run node "Node.js (V8 JIT): hot loops compiled by TurboFan, JSON, regex, Map, typed arrays" \
        node jit.js 300000
else skip node "nodejs not installed (sudo apt-get install nodejs)"; fi

if have g++; then
    run g++ "g++ -O2 builds a C++17 program (templates, iostream, exceptions, threads) and runs it" \
        sh -c 'g++ -std=c++17 -O2 -pthread -o wc wc.cc && ./wc < wc.cc'
else skip g++ "g++ not installed (sudo apt-get install g++)"; fi

if have perl; then
    run perl "perl: regexes, hashes, sort, sprintf, pack over generated text" perl script.pl
else skip perl "perl not installed"; fi

if have make && have gcc; then
    run make "make -j2 builds a 12-file C project with gcc and runs it" sh -c 'sh mkproject.sh && make -s -j2 -C proj && ./proj/app'
else skip make "make or gcc missing"; fi

if have tar && have gzip; then
    run tar-gzip "tar+gzip: archive, compress, list, extract, compare" \
        sh -c 'mkdir -p d && for i in $(seq 1 200); do seq $i 3 $((i*50)) > d/f$i; done; tar --mtime=@0 --owner=0 --group=0 --sort=name -cf a.tar d && gzip -n -9 a.tar && tar -tzvf a.tar.gz | tail -3 && mkdir x && tar -xzf a.tar.gz -C x && diff -r d x/d && echo same'
else skip tar-gzip "tar or gzip missing"; fi

run sort-awk "sort and awk over 200000 lines" \
    sh -c 'seq 1 200000 | awk "{ print (\$1 * 7919) % 100003, \$1 }" | sort -n -k1,1 -k2,2 | awk "{ s += \$1 } END { print NR, s }"'

# ---- full only: make check-programs -------------------------------------------------------------
if [ "$LEVEL" = full ]; then
    PYT=$(command -v python3)
    if [ -n "$PYT" ] && "$PYT" -c 'import test.test_json' 2>/dev/null; then
        run cpython-tests "CPython's own test modules: json, re, bisect, heapq, collections, textwrap, difflib, statistics" \
            "$PYT" -B -m unittest -q test.test_json test.test_re test.test_bisect test.test_heapq \
            test.test_collections test.test_textwrap test.test_difflib test.test_statistics
    else skip cpython-tests "no CPython with its test package (Debian: sudo apt-get install libpython3.11-testsuite)"; fi

    if have luajit || sh "$HERE/need.sh" luajit >/dev/null 2>&1; then
        run luajit "LuaJIT: traces compiled to machine code, tables, strings" luajit jit.lua
    else skip luajit "luajit not installed (sudo apt-get install luajit)"; fi

    if have node; then
        run node-big "Node.js: a 3-million-iteration run, GC under pressure" node jit.js 3000000
    fi
fi

[ "$skipped" = 0 ] || echo "($skipped skipped: see the SKIP lines)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
