#!/usr/bin/env bash
# End-to-end tests of section_names=1: the exit summary's per-name counts of a clean run, and
# hotpath-check --expect-section on them (issue 12, "A clean run says what it checked").
#   bash test/gate/names.sh BUILD_DIR      (make check-gate-names does this)
# Prints a line per failure, then exactly "N passed, N failed"; exits non-zero if any failed.
# shellcheck disable=SC2016
set -u
B=${1:?usage: names.sh BUILD_DIR}
RUN=$B/bin/hotpath-run
CHECK=$B/bin/hotpath-check
PROBE=$B/test/gate/probe_names
W=$(mktemp -d "${TMPDIR:-/tmp}/hotpath-names.XXXXXX")
trap 'rm -rf -- "$W"' EXIT
unset HOTPATH_OPTIONS HOTPATH_PRELOAD GITHUB_WORKSPACE CI_PROJECT_DIR
cd "$W" || exit 1

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
has() { grep -qxF -- "$1" "$2" || { echo "no line '$1' in $2:"; cat "$2"; return 1; }; }

# One clean run with names, text and JSON; one that skips "audio"; one without the option.
"$RUN" --section-names --log-dir "$W/on" --json-dir "$W/on" -- "$PROBE" >"$W/on.out" 2>&1
echo $? >"$W/on.rc"
"$RUN" --section-names --log-dir "$W/skip" -- "$PROBE" skip >/dev/null 2>&1
"$RUN" --log-dir "$W/off" -- "$PROBE" >/dev/null 2>&1
export W CHECK B

t 'a clean run with section_names=1 exits 0' '[ "$(cat "$W/on.rc")" = 0 ] || cat "$W/on.out"'
t 'the checked line counts every thread, exited and live, nested sections too' \
	'cat "$W"/on/*.log | grep -q "^hotpath: checked: 6008 sections entered, 0 violations "'
t 'per-name lines: exact counts, threads merged, the same name at two addresses merged' '
	f=$(ls "$W"/on/*.log) &&
	has "hotpath:   entered audio: 7" "$f" && has "hotpath:   entered inner: 3000" "$f" &&
	has "hotpath:   entered worker: 3001" "$f" && [ "$(grep -c "^hotpath:   entered " "$f")" = 3 ]'
t 'the JSON summary has the same counts' '
	/usr/bin/python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); \
assert d[\"sections_entered_by_name\"]=={\"audio\":7,\"inner\":3000,\"worker\":3001}, d; \
assert d[\"sections_entered\"]==6008, d" "$W"/on/*.jsonl'
t 'hotpath-check --expect-section passes a clean run that entered it (text and JSON)' '
	"$CHECK" --expect-section audio --expect-section worker "$W"/on/*.log &&
	"$CHECK" --expect-section inner "$W"/on/*.jsonl'
t 'hotpath-check --expect-section fails a clean run that did not enter it, naming it' '
	"$CHECK" --expect-section audio "$W/skip" 2>"$W/err"; rc=$?; cat "$W/err";
	[ $rc = 3 ] && grep -q "section .audio. was never seen entered" "$W/err" &&
	cat "$W"/skip/*.log | grep -q "^hotpath: checked: 6001 sections entered"'
t 'without the option: the same total, no names, and --expect-section says how to get them' '
	cat "$W"/off/*.log | grep -q "^hotpath: checked: 6008 sections entered" &&
	! grep -q "entered audio" "$W"/off/*.log &&
	{ "$CHECK" --expect-section audio "$W/off" 2>"$W/err"; [ $? = 3 ]; } && grep -q "section_names=1" "$W/err"'
t 'a forked child counts from zero, with its own names' '
	HOTPATH_OPTIONS=section_names=1 LD_PRELOAD=$B/libhotpath.so /usr/bin/python3 -c "
import os, ctypes
api = ctypes.CDLL(os.environ[\"B\"] + \"/libhotpath_api.so\")
api.hotpath_enter(b\"parent\"); api.hotpath_exit()
pid = os.fork()
if pid == 0:
    api.hotpath_enter(b\"child\"); api.hotpath_exit(); raise SystemExit(0)
os.waitpid(pid, 0)" >"$W/fork.out" 2>&1; cat "$W/fork.out";
	[ "$(grep -c "^hotpath:   entered child: 1$" "$W/fork.out")" = 1 ] &&
	[ "$(grep -c "^hotpath:   entered parent: 1$" "$W/fork.out")" = 1 ] &&
	[ "$(grep -c "^hotpath: checked: 1 section entered" "$W/fork.out")" = 2 ]'

t 'hotpath_seal() is counted under "(sealed)", as its violations name it' '
	HOTPATH_OPTIONS=section_names=1 LD_PRELOAD=$B/libhotpath.so /usr/bin/python3 -c "
import os, ctypes
api = ctypes.CDLL(os.environ[\"B\"] + \"/libhotpath_api.so\")
api.hotpath_seal(); api.hotpath_unseal()" >"$W/seal.out" 2>&1; cat "$W/seal.out";
	grep -q "^hotpath: checked: 1 section entered" "$W/seal.out" &&
	grep -qx "hotpath:   entered (sealed): 1" "$W/seal.out"'

t 'names beyond the table (512) are counted and said, in text and JSON' '
	HOTPATH_OPTIONS="section_names=1 json_path=$W/many.jsonl" LD_PRELOAD=$B/libhotpath.so /usr/bin/python3 -c "
import os, ctypes
api = ctypes.CDLL(os.environ[\"B\"] + \"/libhotpath_api.so\")
names = [ctypes.create_string_buffer(b\"n%d\" % i) for i in range(600)]
for n in names: api.hotpath_enter(n); api.hotpath_exit()" >"$W/many.out" 2>&1;
	grep "^hotpath: checked" "$W/many.out"; tail -1 "$W/many.out";
	grep -q "^hotpath: checked: 600 sections entered" "$W/many.out" &&
	[ "$(grep -c "^hotpath:   entered n[0-9]*: 1$" "$W/many.out")" = 512 ] &&
	grep -qx "hotpath:   (sections entered whose names did not fit the table: 88)" "$W/many.out" &&
	grep -q "\"sections_not_named\":88" "$W/many.jsonl" &&
	"$CHECK" "$W/many.out" "$W/many.jsonl" >/dev/null'

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
