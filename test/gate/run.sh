#!/usr/bin/env bash
# Shell tests of the CI gate: hotpath-run and hotpath-check as a user runs them, over a probe built
# with -g (its violations are at known lines) and over hand-made logs in test/gate/data/.
#   bash test/gate/run.sh BUILD_DIR SRC_DIR      (make check-gate does this)
# Prints a line per failure, then exactly "N passed, N failed"; exits non-zero if any failed.
# Each test is a string that t() evals later, so its $variables are single-quoted on purpose.
# shellcheck disable=SC2016
set -u
B=${1:?usage: run.sh BUILD_DIR SRC_DIR}
S=${2:?usage: run.sh BUILD_DIR SRC_DIR}
RUN=$B/bin/hotpath-run
CHECK=$B/bin/hotpath-check
PROBE=$B/test/gate/probe_gate
PROBE_SRC=$S/test/gate/probe_gate.c
DATA=$S/test/gate/data
PY=/usr/bin/python3
W=$(mktemp -d "${TMPDIR:-/tmp}/hotpath-gate.XXXXXX")
trap 'rm -rf -- "$W"' EXIT
export TMPDIR=$W/tmp # hotpath-run's private mark dirs land here, so the tests can see them go
mkdir -p "$TMPDIR"
cd "$W" || exit 1 # hotpath-check shows paths relative to the current directory: keep the probe's absolute
unset HOTPATH_OPTIONS HOTPATH_PRELOAD GITHUB_WORKSPACE CI_PROJECT_DIR

passed=0 failed=0
# t NAME COMMAND...: one test; COMMAND is run by eval, its output goes to $W/last.
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
# rc EXPECTED COMMAND...: the command's exit status must be EXPECTED (its output kept in $W/out, $W/err).
rc() {
	local want=$1 got
	shift
	"$@" >"$W/out" 2>"$W/err"
	got=$?
	[ "$got" = "$want" ] || {
		echo "exit status $got, expected $want: $*"
		sed 's/^/stderr: /' "$W/err" | head -10
		return 1
	}
}
line_of() { grep -n "$1" "${2:-$PROBE_SRC}" | head -1 | cut -d: -f1; }
PROBE_CXX=$B/test/gate/probe_cxx
CXX_SRC=$S/test/gate/probe_cxx.cc
PUSH_LINE=$(line_of 'GATE_CXX_PUSH \*/' "$CXX_SRC")
MAP_LINE=$(line_of 'GATE_CXX_MAP \*/' "$CXX_SRC")
export CXX_SRC PUSH_LINE MAP_LINE
MALLOC_LINE=$(line_of 'GATE_MALLOC \*/')
NESTED_LINE=$(line_of 'GATE_NESTED \*/')
REPEAT_LINE=$(line_of 'GATE_REPEAT \*/')
CHILD_LINE=$(line_of 'GATE_CHILD \*/')
export MALLOC_LINE NESTED_LINE REPEAT_LINE CHILD_LINE # used inside the tests' eval strings
for v in MALLOC_LINE NESTED_LINE REPEAT_LINE CHILD_LINE PUSH_LINE MAP_LINE; do
	[ -n "${!v}" ] || {
		echo "cannot find the marker line for $v in $PROBE_SRC"
		exit 1
	}
done

# ---- hotpath-run: exit statuses ----------------------------------------------------------------
t "run: a clean run exits 0" rc 0 "$RUN" "$PROBE" clean
t "run: a clean run passes the command's own status through (7)" rc 7 "$RUN" "$PROBE" clean 7
t "run: with a relative TMPDIR a violation in a process that changed directory still gives 86" \
	'cd "$W" && mkdir -p reltmp relsub && TMPDIR=reltmp rc 86 "$RUN" --mode warn sh -c "cd relsub && exec $PROBE malloc"'
t "run: a command killed by a signal without violation gives 128+N" rc 143 "$RUN" sh -c "'kill -TERM \$\$'"
t "run: a violation in abort mode exits 86" 'rc 86 "$RUN" "$PROBE" malloc && grep -q "ALLOCATION IN HOT PATH!" "$W/err"'
t "run: a violation in warn mode (command exits 0) exits 86" 'rc 86 "$RUN" --mode warn "$PROBE" malloc && grep -q survived "$W/out"'
t "run: a violation in count mode exits 86" 'rc 86 "$RUN" --mode=count "$PROBE" malloc && ! grep -q "IN HOT PATH!" "$W/err"'
t "run: forked children violating in warn mode, parent exits 0: 86" 'rc 86 "$RUN" --mode warn "$PROBE" fork 3'
t "run: forked children aborting, parent ignores it and exits 0: 86" 'rc 86 "$RUN" "$PROBE" fork 2 && grep -q "2 processes" "$W/err"'
t "run: --quiet drops the closing line" 'rc 86 "$RUN" -q --mode warn "$PROBE" malloc && ! grep -q "hotpath-run:" "$W/err"'
t "run: a command that is not found exits 127" 'rc 127 "$RUN" no-such-command-hotpath && grep -q "command not found" "$W/err"'
t "run: a path that does not exist exits 127" rc 127 "$RUN" "$W/nonexistent"
t "run: a file that is not executable exits 126" 'touch "$W/plain" && rc 126 "$RUN" "$W/plain"'
t "run: no command is a usage error (2)" rc 2 "$RUN"
t "run: an unknown option is a usage error (2)" rc 2 "$RUN" --frobnicate "$PROBE" clean
t "run: a value given to a flag that takes none is a usage error (2), not ignored" \
	'rc 2 "$RUN" --check-free=0 "$PROBE" clean && grep -q "takes no value" "$W/err"'
t "run: a bad --mode is a usage error (2)" 'rc 2 "$RUN" --mode loud "$PROBE" clean && grep -q "abort, warn or count" "$W/err"'
t "run: --mode without a value is a usage error (2)" rc 2 "$RUN" --mode
t "run: a --log-dir with a colon is refused (2)" rc 2 "$RUN" --log-dir "$W/a:b" "$PROBE" clean
t "run: a missing sentinel library is an error (2)" 'HOTPATH_PRELOAD=$W/none.so rc 2 "$RUN" "$PROBE" clean && grep -q "none.so" "$W/err"'
t "run: --help exits 0 and documents exit status 86" 'rc 0 "$RUN" --help && grep -q "^  86" "$W/out"'
t "run: -- ends the options" 'rc 0 "$RUN" -- "$PROBE" clean'

# ---- hotpath-run: a run it did not see never passes ---------------------------------------------
t "run: env -i drops the preload: the probe's 3 violations are unseen, so 87, naming env -i" \
	'rc 87 "$RUN" --mode warn env -i "$PROBE" repeat 3 && grep -q "survived" "$W/out" &&
	 grep -q "no process of the run had the sentinel checking.*env -i .* clears the environment" "$W/err"'
t "run: env -u LD_PRELOAD is seen through too (87)" 'rc 87 "$RUN" env -u LD_PRELOAD "$PROBE" clean'
t "run: env that keeps the environment is checked as usual (0)" 'rc 0 "$RUN" env FOO=1 "$PROBE" clean'
if command -v gcc >/dev/null 2>&1 && printf 'int main(void){return 3;}\n' >"$W/st.c" && gcc -static "$W/st.c" -o "$W/static" 2>/dev/null; then
	t "run: a static program cannot be checked: 87, naming it as statically linked, its status in the message" \
		'rc 87 "$RUN" "$W/static" && grep -q "static.* is statically linked" "$W/err" && grep -q "command exit status 3" "$W/err"'
fi
# A 32-bit program without libc (this machine may have no 32-bit libc): _start makes the exit call.
cat >"$W/t32.c" <<-'EOF'
	void _start(void) { __asm__ volatile("movl $1, %eax\n movl $0, %ebx\n int $0x80"); }
	EOF
if command -v clang >/dev/null 2>&1 && clang -m32 -nostdlib -static -O1 "$W/t32.c" -o "$W/prog32" 2>/dev/null && "$W/prog32"; then
	t "run: a 32-bit program cannot be checked by the 64-bit sentinel: 87, naming it" \
		'rc 87 "$RUN" "$W/prog32" && grep -q "prog32 is a 32-bit program" "$W/err"'
fi
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	cp /bin/true "$W/suid-true" && chown nobody "$W/suid-true" && chmod 4755 "$W/suid-true"
	t "run: a setuid program (the loader ignores LD_PRELOAD): 87, naming it" \
		'rc 87 "$RUN" "$W/suid-true" && grep -q "suid-true is setuid" "$W/err"'
fi
t "run: a clean run that was checked still exits 0; --help documents 87" 'rc 0 "$RUN" "$PROBE" clean && rc 0 "$RUN" --help && grep -q "^  87" "$W/out"'

# ---- hotpath-run: environment ------------------------------------------------------------------
printf '%s\n' 'printf "%s\n%s\n" "$LD_PRELOAD" "$HOTPATH_OPTIONS"' >"$W/show-env.sh"
t "run: the preload goes first, existing LD_PRELOAD entries after it" \
	'LD_PRELOAD=libm.so.6 rc 0 "$RUN" sh "$W/show-env.sh" && head -1 "$W/out" | grep -Eq "^/.*/libhotpath\.so:libm\.so\.6$"'
t "run: another copy of the sentinel in LD_PRELOAD is not loaded twice" \
	'LD_PRELOAD="$B/libhotpath.so" rc 0 "$RUN" sh "$W/show-env.sh" && [ "$(head -1 "$W/out" | grep -o libhotpath.so | wc -l)" = 1 ]'
t "run: existing HOTPATH_OPTIONS come first, flags after, mark_dir last" \
	'HOTPATH_OPTIONS=dedup=0 rc 0 "$RUN" --mode warn --check-free --no-backtrace sh "$W/show-env.sh" &&
	 sed -n 2p "$W/out" | grep -Eq "^dedup=0:mode=warn:check_free=1:backtrace=0:mark_dir=\"/"'
t "run: the build tree's sentinel is found next to bin/ without HOTPATH_PRELOAD" \
	'rc 0 "$RUN" sh "$W/show-env.sh" && head -1 "$W/out" | grep -qx "$(cd "$B" && pwd -P)/libhotpath.so"'
t "run: the private mark directory is removed afterwards" \
	'rc 86 "$RUN" --mode warn "$PROBE" malloc && [ -z "$(ls -A "$TMPDIR")" ]'
t "run: --log-dir puts text reports in DIR/hotpath.<pid>.log, none on stderr" \
	'rc 86 "$RUN" --mode warn --log-dir "$W/logdir" "$PROBE" malloc && ! grep -q "IN HOT PATH" "$W/err" &&
	 grep -q "ALLOCATION IN HOT PATH!" "$W"/logdir/hotpath.*.log'
t "run: a relative --json-dir is made absolute (the command may chdir)" \
	'(cd "$W" && rc 86 "$RUN" --mode warn --json-dir rel/json "$PROBE" malloc) && ls "$W"/rel/json/hotpath.*.jsonl'

# ---- the sentinel's JSON lines, as hotpath-run collects them -----------------------------------
rm -rf "$W/fork"
"$RUN" --mode warn --log-dir "$W/fork/log" --json-dir "$W/fork/json" "$PROBE" fork 3 >/dev/null 2>&1
t "json: three forked children write three JSON files" '[ "$(ls "$W"/fork/json/*.jsonl | wc -l)" = 3 ]'
t "json: every line parses with python's json module and names the probe's line" \
	'$PY - "$PROBE_SRC" "$CHILD_LINE" "$W"/fork/json/*.jsonl <<-"EOF"
	import json, sys
	src, line, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
	n = 0
	for name in files:
	    for text in open(name):
	        r = json.loads(text)
	        n += 1
	        assert r["kind"] == "allocation" and r["operation"] == "malloc" and r["size"] == 24, r
	        assert r["section"] == "child_section" and r["sections"] == ["child_section"], r
	        assert isinstance(r["pid"], int) and isinstance(r["tid"], int) and isinstance(r["time"], float), r
	        assert any(f.get("file") == src and f.get("line") == line for f in r["frames"]), r["frames"]
	        assert all(isinstance(f["pc"], str) and f["pc"].startswith("0x") for f in r["frames"])
	assert n == 3, n
	EOF'

# ---- hotpath-check: exit statuses --------------------------------------------------------------
t "check: a clean log exits 0" rc 0 "$CHECK" "$DATA/clean.log"
t "check: an empty log exits 0" ': >"$W/empty.log" && rc 0 "$CHECK" "$W/empty.log"'
t "check: an empty directory exits 0 (clean runs write no log files)" 'mkdir -p "$W/emptydir" && rc 0 "$CHECK" "$W/emptydir"'
t "check: a log with a report exits 1" rc 1 "$CHECK" "$DATA/sample-blocking.log"
t "check: a JSON report file exits 1" rc 1 "$CHECK" "$DATA/sample.jsonl"
t "check: a missing file exits 2, naming it" 'rc 2 "$CHECK" "$W/missing.log" && grep -q "missing.log: cannot read: No such file" "$W/err"'
t "check: a dangling symlink exits 2" 'ln -sf "$W/nowhere" "$W/dangling.log" && rc 2 "$CHECK" "$W/dangling.log"'
t "check: a binary file named on the command line exits 2" 'head -c 64 "$PROBE" >"$W/bin.log" && rc 2 "$CHECK" "$W/bin.log"'
# Permissions do not stop root: then the check runs as nobody (setpriv), or the test is skipped.
as_user=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null 2>&1 && as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
if [ "$(id -u)" != 0 ] || [ ${#as_user[@]} -gt 0 ]; then
	mkdir -p "$W/pub/locked" && cp "$DATA/sample.jsonl" "$W/pub/" && chmod 755 "$W" "$W/pub" && chmod 000 "$W/pub/locked"
	# nobody runs a copy: the checkout may sit where nobody cannot enter (a clone in /root, mktemp -d)
	cp "$CHECK" "$W/hotpath-check" && chmod 755 "$W/hotpath-check"
	t "check: a directory that cannot be read exits 2, naming it; the rest is still read" \
		'rc 2 "${as_user[@]}" "$W/hotpath-check" "$W/pub" && grep -q "pub/locked: cannot read directory: Permission denied" "$W/err" && grep -q "book.c:120" "$W/out"'
	t "check: a file that cannot be read exits 2" \
		'cp "$DATA/sample.jsonl" "$W/pub/secret.jsonl" && chmod 000 "$W/pub/secret.jsonl" && rc 2 "${as_user[@]}" "$W/hotpath-check" "$W/pub/secret.jsonl" && grep -q "Permission denied" "$W/err"'
else
	echo "skipped: unreadable-input tests (root without setpriv)"
fi
t "check: no argument is a usage error (2)" rc 2 "$CHECK"
t "check: an unknown option is a usage error (2)" rc 2 "$CHECK" --frobnicate "$DATA/clean.log"
t "check: one bad input among good ones still exits 2, the violations still shown" \
	'rc 2 "$CHECK" "$DATA/sample.jsonl" "$W/missing.log" && grep -q "book.c:120" "$W/out"'

# ---- hotpath-check: garbage and truncated reports ------------------------------------------------
bad() { # FILE LINE WORD: exit 2 with a message naming FILE:LINE and saying WORD
	rc 2 "$CHECK" "$DATA/$1" && grep -q "$1:$2: .*$3" "$W/err"
}
t "check: a text report cut short (file ends inside it): 2, file:line, 'truncated'" bad truncated-report.log 6 truncated
t "check: a text report interrupted by other output: 2, file:line" bad interrupted-report.log 5 "expected"
t "check: a garbled text report: 2, file:line" bad garbage-report.log 4 "Thread"
t "check: a JSON file whose last object is cut: 2, file:line, 'truncated'" bad truncated.jsonl 3 truncated
t "check: a JSON file with a non-JSON line: 2, file:line" bad garbage.jsonl 2 "not a JSON report"
t "check: JSON that is not a hotpath report: 2, file:line" bad notreport.jsonl 1 "not a hotpath JSON report"
t "check: a JSON frame field of the wrong type: 2, file:line, no traceback" \
	'bad badtypes.jsonl 2 "'"'"'module'"'"' must be a string" && ! grep -q Traceback "$W/err"'
t "check: a JSON summary with a negative count: 2, file:line" bad negative.jsonl 1 "non-negative integer"
printf 'hotpath: summary: 5 violations in 1 sec\n' >"$W/cut-summary.log"
t "check: a cut exit summary line is an input error (2), not a pass" \
	'rc 2 "$CHECK" "$W/cut-summary.log" && grep -q "cut or garbled exit summary" "$W/err"'
t "check: the sentinel's own '(report cut: too long)' is a complete report (1, not 2)" \
	'rc 1 "$CHECK" "$DATA/cut-report.log" && grep -q "deep.c:5" "$W/out"'
t "check: a mention of the headline inside a sentence is not a report" rc 0 "$CHECK" "$DATA/clean.log"
awk '{ printf "2026-11-25T10:00:%02d.%07dZ %s\n", NR, NR * 7919, $0 }' "$DATA/sample-blocking.log" >"$W/stamped.log"
t "check: GitHub-style raw logs (a timestamp of fixed width before every line) are read" \
	'rc 1 "$CHECK" "$W/stamped.log" && grep -q "mixer.c:88" "$W/out"'
t "check: C++ frame names with spaces and parentheses stay whole: the site is the user's line" \
	'rc 1 "$CHECK" "$DATA/cxx-names.log" && grep -q "^/srv/app/src/t7.cc:16: .*operator()() const" "$W/out"'
t "check: ctest-style prefixed logs are read" 'rc 1 "$CHECK" "$DATA/prefixed.log" && grep -q "mixer.c:88" "$W/out"'

# ---- hotpath-check: stray bytes, deep JSON (issue 11 items 7 and 8) ------------------------------
mkdir -p "$W/nul"
{ printf 'test output \000 with a NUL byte\n'; cat "$DATA/sample-blocking.log"; } >"$W/nul/job.log"
head -c 4096 "$PROBE" >"$W/nul/core.bin"
t "check: a log with a NUL byte that holds a report is read while walking a directory (1, its site)" \
	'rc 1 "$CHECK" "$W/nul" && grep -q "mixer.c:88" "$W/out"'
t "check: a binary file without a report met in a directory is skipped and named on stderr" \
	'rc 1 "$CHECK" "$W/nul" && grep -q "skipped .*core.bin: binary data" "$W/err" && ! grep -q "job.log" "$W/err"'
t "check: a log with a NUL byte named on the command line that holds a report is read (1)" \
	'rc 1 "$CHECK" "$W/nul/job.log" && grep -q "mixer.c:88" "$W/out"'
$PY -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000 + "\n")' >"$W/deep.jsonl"
t "check: deeply nested JSON exits 2 naming file:line, no traceback" \
	'rc 2 "$CHECK" "$W/deep.jsonl" && grep -q "deep.jsonl:1: .*nested too deeply" "$W/err" && ! grep -q Traceback "$W/err"'
printf '{"kind":"allocation","operation":"malloc","section":"s","frames":%s1%s}\n' \
	"$($PY -c 'print("[" * 50000)')" "$($PY -c 'print("]" * 50000)')" >"$W/deep2.log"
t "check: deeply nested JSON inside a text log exits 2 naming file:line; --sarif and --junit still written" \
	'rc 2 "$CHECK" --sarif "$W/deep.sarif" --junit "$W/deep.xml" "$W/deep2.log" && grep -q "deep2.log:1: " "$W/err" &&
	 [ -s "$W/deep.sarif" ] && [ -s "$W/deep.xml" ]'

# ---- hotpath-check: sites, counts, merging -----------------------------------------------------
t "check: hand-made text log: summary counts and the first user frame, past libc's strdup" \
	'rc 1 "$CHECK" "$DATA/sample-text.log" &&
	 grep -q "^/srv/app/src/parse.c:16: allocation .malloc. via strdup in parse_event in hot section .on_packet > parse_event.: 3 times$" "$W/out" &&
	 grep -q "^/srv/app/libplugin.so+0x100: .*render.: 1 time$" "$W/out"'
t "check: a JSON exit summary's counts win over the one printed report; unknown functions stay unnamed" \
	'rc 1 "$CHECK" "$DATA/summary.jsonl" && grep -q "^/srv/loop/src/loop.c:31: .* 7 times$" "$W/out" &&
	 grep -q "^/srv/loop/libfast.so+0x200: allocation .calloc. in hot section .tick.: 2 times$" "$W/out"'
t "check: a 27 MB log with 150 reports among other output is read in seconds" \
	'$PY -c "
import sys
blk = open(sys.argv[1]).read()
with open(sys.argv[2], \"w\") as f:
    for i in range(300000):
        f.write(\"[%08d] test output line %d, ALLOCATION words but not a report\\n\" % (i, i))
        if i % 2000 == 0: f.write(blk)
" "$DATA/sample-blocking.log" "$W/big.log" && SECONDS=0 && rc 1 "$CHECK" "$W/big.log" && [ $SECONDS -lt 10 ] &&
	 grep -q ": 150 times$" "$W/out"'
t "check: a blocking-call report is a violation too" 'rc 1 "$CHECK" "$DATA/sample-blocking.log" && grep -q "blocking call .pthread_mutex_lock." "$W/out"'

"$RUN" --mode warn "$PROBE" malloc >/dev/null 2>"$W/malloc.log"
t "check: the -g probe's report points at its file and line" \
	'rc 1 "$CHECK" "$W/malloc.log" && grep -q "^$PROBE_SRC:$MALLOC_LINE: allocation .malloc. (32 bytes) in hot_malloc in hot section .gate_section.: 1 time$" "$W/out"'
"$RUN" --mode warn "$PROBE" nested >/dev/null 2>"$W/nested.log"
t "check: a nested section's report shows the section stack" \
	'rc 1 "$CHECK" "$W/nested.log" && grep -q "^$PROBE_SRC:$NESTED_LINE: .*outer_section > inner_section" "$W/out"'
t "check: forked children merged from their JSON files: one site, 3 times in 3 processes" \
	'rc 1 "$CHECK" "$W/fork/json" && [ "$(grep -c "^$PROBE_SRC:$CHILD_LINE: .*: 3 times in 3 processes$" "$W/out")" = 1 ]'
t "check: text logs and JSON of the same processes are not counted twice" \
	'rc 1 "$CHECK" "$W/fork/json" "$W/fork/log" && grep -q "^$PROBE_SRC:$CHILD_LINE: .*: 3 times in 3 processes$" "$W/out"'
"$RUN" --mode warn --json-dir "$W/rep/json" "$PROBE" repeat 5 >/dev/null 2>"$W/repeat.log"
t "check: warn mode prints one report for 5 repeats; the exit summary's count of 5 wins" \
	'rc 1 "$CHECK" "$W/repeat.log" "$W/rep/json" && grep -q "^$PROBE_SRC:$REPEAT_LINE: .*: 5 times$" "$W/out"'
"$RUN" --mode count "$PROBE" repeat 4 >/dev/null 2>"$W/count.log"
t "check: count mode (no report, only the exit summary) still fails the gate, at the right line" \
	'rc 1 "$CHECK" "$W/count.log" && grep -q "^$PROBE_SRC:$REPEAT_LINE: .*: 4 times$" "$W/out"'
sed 's/^/7: /' "$W/count.log" >"$W/count-ctest.log"
t "check: a count-mode exit summary behind ctest's '7: ' prefix still fails the gate, with its count" \
	'rc 1 "$CHECK" "$W/count-ctest.log" && grep -q "^$PROBE_SRC:$REPEAT_LINE: .*: 4 times$" "$W/out"'
sed 's/^/[2026-11-26 01:02:03] /' "$W/repeat.log" >"$W/repeat-stamped.log"
t "check: a warn-mode log with timestamped lines counts the summary's 5, not the one report" \
	'rc 1 "$CHECK" "$W/repeat-stamped.log" && grep -q "^$PROBE_SRC:$REPEAT_LINE: .*: 5 times$" "$W/out"'
"$RUN" --mode count --json-dir "$W/cnt/json" "$PROBE" repeat 4 >/dev/null 2>/dev/null
t "check: count mode seen only through --json-dir (the sentinel's JSON exit summary) counts at the right line" \
	'rc 1 "$CHECK" "$W/cnt/json" && grep -q "^$PROBE_SRC:$REPEAT_LINE: .*: 4 times$" "$W/out"'
t "check: the text and the JSON exit summary of one process are not counted twice" \
	'rc 1 "$CHECK" "$W/repeat.log" "$W/rep/json" && ! grep -q ": 10 times$" "$W/out"'
# The issue-12 C++ case at -O2 -g: push_back and the map insert inlined into hot(); the frames of
# the allocation are in new_allocator.h and stl_vector.h, the user's lines only in inline chains.
"$RUN" --mode warn "$PROBE_CXX" 3 >/dev/null 2>"$W/cxx.log"
t "check: -O2 C++: push_back and the map insert are two sites, at the user's two lines, 7 violations in all" \
	'rc 1 "$CHECK" "$W/cxx.log" && grep -q "^$CXX_SRC:$PUSH_LINE: allocation .operator new.* in hot section .cxx_section.: 3 times$" "$W/out" &&
	 grep -q "^$CXX_SRC:$MAP_LINE: allocation .operator new.* in hot section .cxx_section.: [0-9]* times$" "$W/out" &&
	 [ "$(grep -c "^/" "$W/out")" = 2 ] && grep -q "^hotpath-check: 7 hot-path violations at 2 sites" "$W/out"'
t "the sentinel's exit summary and the gate pick the same sites (the summary's lines = the gate's from the reports alone)" \
	'grep "^hotpath:   site " "$W/cxx.log" | sed -n "s/.* (\(.*:[0-9]*\)) \[.*/\1/p" | sort -u >"$W/cxx.summary-sites" &&
	 grep -v "^hotpath:" "$W/cxx.log" >"$W/cxx.reports.log" && "$CHECK" "$W/cxx.reports.log" >"$W/cxx.gate" 2>&1;
	 grep "^/" "$W/cxx.gate" | cut -d: -f1,2 | sort -u >"$W/cxx.gate-sites" &&
	 [ -s "$W/cxx.summary-sites" ] && diff "$W/cxx.summary-sites" "$W/cxx.gate-sites"'
rm -rf "$W/cxxj" && "$RUN" --mode warn --json-dir "$W/cxxj" "$PROBE_CXX" 3 >/dev/null 2>&1
t "the JSON exit summary and the JSON reports agree too (the summary's sites = the gate's from the reports)" \
	'$PY - "$CHECK" "$W"/cxxj/*.jsonl <<-"EOF"
	import json, subprocess, sys
	check, path = sys.argv[1:3]
	recs = [json.loads(l) for l in open(path)]
	summ = {(s["file"], s["line"]) for r in recs if r["kind"] == "summary" for s in r["sites"]}
	with open(path + ".reports.jsonl", "w") as f:
	    f.writelines(json.dumps(r) + "\n" for r in recs if r["kind"] != "summary")
	out = subprocess.run([check, path + ".reports.jsonl"], capture_output=True, text=True).stdout
	gate = {(l.split(":")[0], int(l.split(":")[1])) for l in out.splitlines() if l.startswith("/")}
	assert summ and summ == gate, (summ, gate)
	EOF'

"$RUN" --mode warn --no-backtrace "$PROBE" malloc >/dev/null 2>"$W/nobt.log"
t "check: a report without backtrace (--no-backtrace) still fails the gate, with no line to name" \
	'rc 1 "$CHECK" "$W/nobt.log" && grep -q "^(no backtrace): allocation .malloc. (32 bytes) in hot section .gate_section.: 1 time$" "$W/out"'
"$RUN" "$PROBE" clean >/dev/null 2>"$W/clean-run.log"
t "check: a clean run's stderr passes the gate" rc 0 "$CHECK" "$W/clean-run.log"
t "check: a clean run says what it checked: 1 process, 1 section entered, 0 violations" \
	'rc 0 "$CHECK" "$W/clean-run.log" && grep -q "^hotpath-check: 1 process checked, 1 section entered, 0 violations (1 report file read)$" "$W/out"'
"$RUN" --mode warn env -i "$PROBE" repeat 3 >/dev/null 2>"$W/unchecked-run.log"
t "check --require-checked: the log of a run no process of which was checked exits 3" \
	'rc 3 "$CHECK" --require-checked "$W/unchecked-run.log" && grep -q "0 processes checked" "$W/out" && grep -q "no process reported in" "$W/err"'
t "check --require-checked: a checked clean run passes (0)" rc 0 "$CHECK" --require-checked "$W/clean-run.log"
rm -rf "$W/fj" && "$RUN" --mode warn --json-dir "$W/fj" "$PROBE" clean >/dev/null 2>&1
t "check: the JSON exit summary of a clean run counts it as checked, its sections entered too" \
	'rc 0 "$CHECK" --require-checked "$W/fj" && grep -q "1 process checked, 1 section entered, 0 violations" "$W/out"'
t "check --expect-section: a section seen in the reports passes, one never seen exits 3 (a clean run names none)" \
	'rc 1 "$CHECK" --expect-section gate_section "$W/malloc.log" && ! grep -q "never seen" "$W/err" && rc 3 "$CHECK" --expect-section gate_section "$W/clean-run.log" &&
	 grep -q "section .gate_section. was never seen entered" "$W/err"'
t "check: --quiet prints nothing, the status still says it" 'rc 1 "$CHECK" --quiet "$W/malloc.log" && [ ! -s "$W/out" ]'

# ---- hotpath-check: --github, --sarif, --junit -------------------------------------------------
rel=${PROBE_SRC#"$S"/}
export rel
t "check --github: an ::error annotation at the probe's file (relative to --root) and line" \
	'rc 1 "$CHECK" --github --root "$S" "$W/malloc.log" &&
	 grep -q "^::error file=$rel,line=$MALLOC_LINE,title=Allocation in hot path::allocation .malloc. (32 bytes)" "$W/out"'
t "check --github: \$GITHUB_WORKSPACE is the default root" \
	'GITHUB_WORKSPACE=$S rc 1 "$CHECK" --github "$W/malloc.log" && grep -q "^::error file=$rel,line=$MALLOC_LINE," "$W/out"'
t "check --github: a bad input becomes an annotation too" \
	'rc 2 "$CHECK" --github "$DATA/garbage.jsonl" && grep -q "^::error title=hotpath-check::.*garbage.jsonl:2" "$W/out"'
t "check --github: no annotation for a clean log" 'rc 0 "$CHECK" --github "$DATA/clean.log" && ! grep -q "::error" "$W/out"'

validate() { # SARIF_FILE: valid against the vendored SARIF 2.1.0 schema
	$PY - "$DATA/sarif-schema-2.1.0.json" "$1" <<-'EOF'
	import json, sys, jsonschema
	schema, doc = (json.load(open(p)) for p in sys.argv[1:3])
	cls = jsonschema.validators.validator_for(schema)
	cls.check_schema(schema)
	errors = list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc))
	for e in errors[:5]:
	    print("invalid:", e.message, "at", "/".join(map(str, e.absolute_path)))
	sys.exit(1 if errors else 0)
	EOF
}
"$CHECK" --root "$S" --sarif "$W/probe.sarif" "$W/malloc.log" "$W/fork/json" "$W/nested.log" >/dev/null 2>&1
"$CHECK" --sarif "$W/samples.sarif" "$DATA/sample-text.log" "$DATA/sample.jsonl" "$DATA/sample-blocking.log" >/dev/null 2>&1
"$CHECK" --sarif "$W/clean.sarif" "$DATA/clean.log" >/dev/null 2>&1
t "check --sarif: the probe's output validates against the SARIF 2.1.0 schema" validate "$W/probe.sarif"
t "check --sarif: the hand-made samples' output validates (no-file sites, blocking rule)" validate "$W/samples.sarif"
t "check --sarif: a clean run's output validates (no results)" validate "$W/clean.sarif"
t "check --sarif: the validation can fail (a wrong version is rejected)" \
	'sed "s/\"version\": \"2.1.0\"/\"version\": \"2.0.9\"/" "$W/probe.sarif" >"$W/wrong.sarif" && ! validate "$W/wrong.sarif"'
t "check --sarif: results point at the probe's lines, relative to SRCROOT" \
	'$PY - "$W/probe.sarif" "$rel" "$MALLOC_LINE" "$CHILD_LINE" "$NESTED_LINE" <<-"EOF"
	import json, sys
	doc = json.load(open(sys.argv[1]))
	rel, want = sys.argv[2], sorted(int(x) for x in sys.argv[3:])
	res = doc["runs"][0]["results"]
	got = sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in res)
	assert got == want, (got, want)
	for r in res:
	    art = r["locations"][0]["physicalLocation"]["artifactLocation"]
	    assert art == {"uri": rel, "uriBaseId": "SRCROOT"}, art
	    assert r["ruleId"] == "hotpath/allocation" and r["level"] == "error"
	assert doc["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"].endswith("/")
	EOF'

"$CHECK" --junit "$W/out.xml" "$W/malloc.log" "$DATA/sample-blocking.log" >/dev/null 2>&1
"$CHECK" --junit "$W/clean.xml" "$DATA/clean.log" >/dev/null 2>&1
"$CHECK" --junit "$W/bad.xml" "$DATA/garbage.jsonl" >/dev/null 2>&1
t "check --junit: one failing testcase per site, the report in the failure" \
	'$PY - "$W/out.xml" "$MALLOC_LINE" <<-"EOF"
	import sys, xml.etree.ElementTree as ET
	root = ET.parse(sys.argv[1]).getroot()
	suite = root.find("testsuite")
	assert root.tag == "testsuites" and suite.get("tests") == "2" and suite.get("failures") == "2", ET.tostring(root)
	fails = [tc.find("failure") for tc in suite.findall("testcase")]
	assert all(f is not None for f in fails)
	assert any("probe_gate.c:" + sys.argv[2] in tc.get("name") for tc in suite.findall("testcase"))
	assert any("ALLOCATION IN HOT PATH!" in f.text for f in fails)
	EOF'
"$CHECK" --junit "$W/json.xml" "$W/fork/json" >/dev/null 2>&1
t "check --junit: reports read from JSON lines appear as text reports, not JSON" \
	'$PY - "$W/json.xml" <<-"EOF"
	import sys, xml.etree.ElementTree as ET
	fails = [f.text for f in ET.parse(sys.argv[1]).getroot().iter("failure")]
	assert fails and all(t.startswith("ALLOCATION IN HOT PATH!\nOperation: ") for t in fails), fails
	assert all("Backtrace:\n    #0 0x" in t and "{" not in t for t in fails), fails
	EOF'
"$CHECK" --junit "$W/ctl.xml" --github "$DATA/control-chars.log" >"$W/ctl.out" 2>&1
t "check: control characters in a section name stay escaped: valid JUnit XML, no raw ESC on stdout" \
	'$PY -c "import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])" "$W/ctl.xml" &&
	 ! grep -q "$(printf "\033")" "$W/ctl.out" && grep -q "ctl\\\\x01\\\\x1b\[31mred" "$W/ctl.out"'
t "check --junit: a clean run gives one passing testcase" \
	'$PY -c "import sys, xml.etree.ElementTree as ET; s = ET.parse(sys.argv[1]).getroot().find(\"testsuite\"); assert s.get(\"failures\") == \"0\" and len(s.findall(\"testcase\")) == 1" "$W/clean.xml"'
t "check --junit: a bad input is an <error> testcase" \
	'$PY -c "import sys, xml.etree.ElementTree as ET; s = ET.parse(sys.argv[1]).getroot().find(\"testsuite\"); assert s.get(\"errors\") == \"1\" and s.find(\"testcase/error\") is not None" "$W/bad.xml"'
t "check --sarif: an unwritable output file exits 2" rc 2 "$CHECK" --sarif "$W/plain/x.sarif" "$DATA/clean.log"

# ---- the ci/ snippets, run as the CI services would run them, on a small project ---------------
# The project's "tests" build nothing; its "make test" runs the probe (a forking case and a plain
# one: two sites, three processes). GitLab runs a job's script lines as one bash script with
# errexit and pipefail; GitHub runs each step's run: with bash -e.
snippet() { # gitlab FILE | github FILE STEP-NAME: the commands to run
	$PY - "$@" <<-'EOF'
	import sys, yaml
	kind, path = sys.argv[1:3]
	doc = yaml.safe_load(open(path))
	if kind == "gitlab":
	    print("\n".join(doc["hotpath"]["script"]))
	else:
	    steps = doc["jobs"]["hot-paths"]["steps"]
	    step = next(s for s in steps if s.get("name") == sys.argv[3])
	    print("\n".join(f"{k}={v}" for k, v in step.get("with", {}).items()))
	EOF
}
project() { # DIR WHAT: a project whose "make test" runs the probe
	mkdir -p "$1"
	if [ "$2" = clean ]; then
		printf 'tests:\n\t@true\ntest:\n\t%s clean\n' "$PROBE" >"$1/Makefile"
	else
		printf 'tests:\n\t@true\ntest:\n\t%s fork 2\n\t%s malloc\n' "$PROBE" "$PROBE" >"$1/Makefile"
	fi
}
if $PY -c "import yaml" 2>/dev/null; then
	export PATH="$B/bin:$PATH"
	project "$W/glv" violating
	project "$W/glc" clean
	snippet gitlab "$S/ci/gitlab-ci.yml" >"$W/gitlab.sh"
	t "ci/gitlab-ci.yml: a violating project fails the job; the JUnit report has both sites" \
		'(cd "$W/glv" && ! bash -eo pipefail "$W/gitlab.sh") &&
		 $PY -c "import sys, xml.etree.ElementTree as ET; s = ET.parse(sys.argv[1]).getroot().find(\"testsuite\"); assert s.get(\"failures\") == \"2\", s.attrib" "$W/glv/hotpath-junit.xml"'
	t "ci/gitlab-ci.yml: a clean project passes" '(cd "$W/glc" && bash -eo pipefail "$W/gitlab.sh")'
	# ci/github-actions.yml runs the composite action (action.yml), which ci/run-action.py runs here
	# with the tools already on PATH (install=false) and the snippet's inputs.
	snippet github "$S/ci/github-actions.yml" hotpath >"$W/gh-with.txt"
	gh_action() { # run the action with the snippet's command, in the current directory
		$PY "$S/ci/run-action.py" "$S/action.yml" install=false command="$(sed -n 's/^command=//p' "$W/gh-with.txt")"
	}
	project "$W/ghv" violating
	project "$W/ghc" clean
	t "ci/github-actions.yml (action.yml): a violating project fails, the gate annotates both lines" \
		'cd "$W/ghv" && { GITHUB_WORKSPACE=$S gh_action >"$W/gh.out"; [ $? = 1 ]; } &&
		 grep -q "^::error file=$rel,line=$CHILD_LINE," "$W/gh.out" && grep -q "^::error file=$rel,line=$MALLOC_LINE," "$W/gh.out" &&
		 validate hotpath.sarif'
	t "ci/github-actions.yml (action.yml): a clean project passes" \
		'cd "$W/ghc" && GITHUB_WORKSPACE=$S gh_action'
fi

# ---- man pages -----------------------------------------------------------------------------------
t "man pages exist for both tools and the API" '[ -f "$S/man/hotpath-run.1" ] && [ -f "$S/man/hotpath-check.1" ] && [ -f "$S/man/hotpath.3" ]'
if command -v groff >/dev/null 2>&1; then
	t "man pages format without groff warnings" \
		'for m in "$S"/man/*.[13]; do groff -man -Tutf8 -ww -z "$m" 2>&1 | grep . && exit 1; done; true'
fi
t "every hotpath-run option is in its man page" \
	'for o in $("$RUN" --help | grep -Eo -- "--[a-z-]+" | sort -u); do sed "s/\\\\-/-/g" "$S/man/hotpath-run.1" | grep -qF -- "$o" || { echo "missing $o"; exit 1; }; done'
t "every hotpath-check option is in its man page" \
	'for o in $("$CHECK" --help | grep -Eo -- "--[a-z-]+" | sort -u); do sed "s/\\\\-/-/g" "$S/man/hotpath-check.1" | grep -qF -- "$o" || { echo "missing $o"; exit 1; }; done'

# ---- the scripts themselves ---------------------------------------------------------------------
if command -v shellcheck >/dev/null 2>&1; then
	t "hotpath-run passes shellcheck" shellcheck "$S/scripts/hotpath-run"
	t "this test script passes shellcheck" shellcheck "$S/test/gate/run.sh"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
