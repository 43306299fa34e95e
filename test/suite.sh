#!/bin/sh
# suite.sh NAME COMMAND...: run one test suite as `make check` does. Prints "== NAME: COMMAND",
# the suite's own output, then the one result line every suite shares: "PASS: NAME" or
# "FAIL: NAME (exit N)". Exits with the suite's status. Environment for the suite goes through
# `env` in COMMAND (LD_PRELOAD=... must reach the suite, not this shell).
name=$1
shift
echo "== $name: $*"
"$@"
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "PASS: $name"
else
    echo "FAIL: $name (exit $rc)"
fi
exit "$rc"
