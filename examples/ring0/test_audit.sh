#!/bin/sh
# test_audit.sh RING0_BIN PRELOAD - the audit story as a user lives it, checked end to end:
#   1. the naive window operator, marked hot, under the sentinel in abort mode: the process dies
#      of SIGABRT and the report names the operator, the call and the source line;
#   2. the same run in mode=count: it finishes, and the exit summary lists the operator's three
#      allocation sites by count (the key malloc, the strdup, the growing array's realloc);
#   3. the zero-allocation pipeline in abort mode: exit 0, no report.
# Prints "N passed, N failed" last; exits non-zero on any failure.
bin=$1
preload=$2
[ -x "$bin" ] && [ -f "$preload" ] || { echo "usage: $0 RING0_BIN PRELOAD"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && sed 's/^/     | /' "$2" | head -40; }
has() { grep -q -- "$2" "$1"; }

# 1. abort mode
LD_PRELOAD=$preload "$bin" --naive --events 200000 >"$tmp/out1" 2>"$tmp/err1"
rc=$?
if [ $rc -eq 134 ]; then ok "naive operator under abort mode: killed by SIGABRT (exit 134)"
else ko "naive operator under abort mode: expected exit 134 (SIGABRT), got $rc" "$tmp/err1"; fi
for want in "ALLOCATION IN HOT PATH!" "Operation: malloc (9 bytes)" "Section: naive_window_aggregate" \
            "Section stack: ring0_reactor > naive_window_aggregate" 'Thread: [0-9]* "ring0-core"' \
            "#0 .* in naive_window_aggregate.*naive.c:[0-9]" "Mode: abort"; do
    if has "$tmp/err1" "$want"; then ok "abort report has: $want"; else ko "abort report lacks: $want" "$tmp/err1"; fi
done
if has "$tmp/out1" "checksum"; then ko "abort mode: the run went on after the report" "$tmp/out1"
else ok "abort mode: nothing ran after the report"; fi

# 2. count mode: the summary of sites by count
HOTPATH_OPTIONS=mode=count LD_PRELOAD=$preload "$bin" --naive --events 200000 >"$tmp/out2" 2>"$tmp/err2"
rc=$?
if [ $rc -eq 0 ]; then ok "naive operator under count mode: runs to the end (exit 0)"
else ko "naive operator under count mode: expected exit 0, got $rc" "$tmp/err2"; fi
key_line=$(grep -n 'char \*key = malloc' "$(dirname "$0")/naive.c" | cut -d: -f1)
dup_line=$(grep -n 'strdup(key)' "$(dirname "$0")/naive.c" | cut -d: -f1)
grow_line=$(grep -n 'realloc(c->nodes' "$(dirname "$0")/naive.c" | cut -d: -f1)
for want in "hotpath: summary: [0-9]* violations in 1 section at 4 call sites (mode=count" \
            "section naive_window_aggregate: [0-9]" \
            "site 1: 177975 x malloc (allocation) in naive_window_aggregate (.*naive.c:$key_line)" \
            "x malloc (allocation) in naive_window_aggregate (.*naive.c:$dup_line)" \
            "x realloc (allocation) in naive_window_aggregate (.*naive.c:$grow_line)"; do
    if has "$tmp/err2" "$want"; then ok "count summary has: $want"; else ko "count summary lacks: $want" "$tmp/err2"; fi
done

# 3. the fixed pipeline
LD_PRELOAD=$preload "$bin" --events 1000000 >"$tmp/out3" 2>"$tmp/err3"
rc=$?
if [ $rc -eq 0 ] && ! has "$tmp/err3" "IN HOT PATH" && has "$tmp/out3" "violations 0"; then
    ok "zero-allocation pipeline under abort mode: exit 0, no report, 0 violations"
else ko "zero-allocation pipeline under abort mode: exit $rc" "$tmp/err3"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
