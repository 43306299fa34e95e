/*
 * The sentinel's report output seen from outside: the "checked" line and process accounting, one
 * report per distinct stack at scale, reports from small stacks, and the output sink's behaviour
 * with hostile stderr and logs. Each test runs probe_reports (or a generated program) under the
 * freshly built preload and asserts the exit and the text. PRELOAD, PROBE_REPORTS come from
 * test/reports/reports.mk.
 */
#define _GNU_SOURCE
#include "rl_json.h"
#include "rl_run.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct rl_run *run(const char *opts, const char *scenario)
{
    return rl_runv(PRELOAD, opts, 60, PROBE_REPORTS, scenario, NULL);
}

static void assert_exit0(const struct rl_run *r)
{
    ck_assert_msg(r->exited && r->code == 0, "expected exit 0, got %s\nstderr:\n%s", rl_how(r), r->err);
    ck_assert_msg(strstr(r->out, "survived"), "no 'survived' in stdout:\n%s", r->out);
}

/* The "checked" line of process `pid` (0: any), or NULL. */
static const char *checked_line(const char *err, long pid)
{
    for (const char *p = err; (p = strstr(p, "hotpath: checked: ")); p++) {
        const char *q = strstr(p, "(pid ");
        if (q && (pid == 0 || atol(q + 5) == pid)) return p;
    }
    return NULL;
}

static char tmpdir[64];
static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/hp-reports-XXXXXX");
    ck_assert(mkdtemp(tmpdir));
}
static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert(system(cmd) == 0);
}
static int file_exists(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}
static int count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    if (d) closedir(d);
    return n;
}

/* ---- a clean run says what it checked ------------------------------------------------------- */
START_TEST(test_clean_run_prints_checked_line_with_sections_of_exited_threads)
{
    struct rl_run *r = run(NULL, "clean");
    assert_exit0(r);
    const char *c = checked_line(r->err, 0);
    ck_assert_msg(c, "no checked line in:\n%s", r->err);
    ck_assert_msg(!strncmp(c, "hotpath: checked: 16 sections entered, 0 violations (pid ", 57), "got:\n%s",
                  r->err);
    ck_assert_msg(strstr(c, ", probe_reports, mode=abort)\n"), "got:\n%s", r->err);
    ck_assert_msg(!strstr(r->err, "hotpath: summary:"), "a summary block for a clean run:\n%s", r->err);
}
END_TEST

START_TEST(test_process_without_sections_is_silent_unless_asked)
{
    struct rl_run *r = run(NULL, "nothing");
    assert_exit0(r);
    ck_assert_msg(r->err_len == 0, "a process that entered no section said:\n%s", r->err);
    r = run("summary=1:mode=warn", "nothing");
    assert_exit0(r);
    const char *c = checked_line(r->err, 0);
    ck_assert_msg(c && !strncmp(c, "hotpath: checked: 0 sections entered, 0 violations (pid ", 56),
                  "got:\n%s", r->err);
    ck_assert_msg(strstr(c, "mode=warn)"), "got:\n%s", r->err);
}
END_TEST

START_TEST(test_count_mode_checked_line_then_summary)
{
    struct rl_run *r = run("mode=count", "one_violation");
    assert_exit0(r);
    const char *c = checked_line(r->err, 0);
    ck_assert_msg(c && !strncmp(c, "hotpath: checked: 17 sections entered, 1 violation (pid ", 56),
                  "got:\n%s", r->err);
    const char *s = strstr(r->err, "hotpath: summary: 1 violation in 1 section at 1 call site (mode=count");
    ck_assert_msg(s && s > c, "no summary after the checked line:\n%s", r->err);
}
END_TEST

START_TEST(test_seal_counts_as_a_section)
{
    struct rl_run *r = run(NULL, "sealed");
    assert_exit0(r);
    const char *c = checked_line(r->err, 0);
    ck_assert_msg(c && !strncmp(c, "hotpath: checked: 1 section entered, 0 violations", 49), "got:\n%s",
                  r->err);
}
END_TEST

START_TEST(test_checked_mark_made_at_start_up)
{
    make_tmpdir();
    char opts[128];
    snprintf(opts, sizeof opts, "mark_dir=%s", tmpdir);
    struct rl_run *r = run(opts, "nothing");
    assert_exit0(r);
    ck_assert_int_eq(count_files(tmpdir, "checked."), 1);
    ck_assert_int_eq(count_files(tmpdir, "violation."), 0);
    remove_tmpdir();
}
END_TEST

START_TEST(test_forked_child_counts_its_own_sections_and_makes_its_mark)
{
    make_tmpdir();
    char opts[128];
    snprintf(opts, sizeof opts, "mark_dir=%s:mode=warn", tmpdir);
    struct rl_run *r = run(opts, "fork");
    assert_exit0(r);
    long child = rl_field(r->out, "child");
    ck_assert(child > 0);
    const char *c = checked_line(r->err, child);
    ck_assert_msg(c && !strncmp(c, "hotpath: checked: 2 sections entered, 0 violations", 50),
                  "child's line:\n%s", r->err);
    int parent_lines = 0;
    for (const char *p = r->err; (p = strstr(p, "hotpath: checked: 16 sections entered, 0 violations")); p++)
        parent_lines++;
    ck_assert_msg(parent_lines == 1, "parent's line:\n%s", r->err);
    char name[64];
    snprintf(name, sizeof name, "checked.%ld", child);
    ck_assert_msg(file_exists(tmpdir, name), "no %s", name);
    ck_assert_int_eq(count_files(tmpdir, "checked."), 2);
    remove_tmpdir();
}
END_TEST

START_TEST(test_json_summary_has_sections_entered_and_program)
{
    make_tmpdir();
    char opts[256], path[128];
    snprintf(path, sizeof path, "%s/r.json", tmpdir);
    snprintf(opts, sizeof opts, "json_path=%s", path);
    struct rl_run *r = run(opts, "clean");
    assert_exit0(r);
    char *j = rl_slurp(path);
    ck_assert_msg(j, "no JSON file");
    ck_assert_msg(strstr(j, "{\"kind\":\"summary\",") && strstr(j, "\"violations\":0,") &&
                      strstr(j, "\"sections_entered\":16,") && strstr(j, "\"program\":\"probe_reports\""),
                  "JSON:\n%s", j);
    char *nl = strchr(j, '\n');
    ck_assert_msg(nl && rl_json_valid(j, (size_t)(nl - j)), "not one valid JSON line:\n%s", j);
    free(j);
    remove_tmpdir();
}
END_TEST

/* The line of `file` holding `marker`, or -1. */
static int line_in(const char *file, const char *marker)
{
    char *text = rl_slurp(file);
    int line = 1, found = -1;
    for (const char *p = text; p && *p && found < 0; p++) {
        if (!strncmp(p, marker, strlen(marker))) found = line;
        if (*p == '\n') line++;
    }
    free(text);
    return found;
}

/* ---- the summary's lines stay readable with C++ names of hundreds of characters -------------- */
START_TEST(test_cxx_summary_lines_stay_short_and_name_the_user_lines)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", 60, PROBE_LONG_NAMES, NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    int sites = 0;
    for (const char *l = strstr(r->err, "hotpath: "); l; l = strstr(l + 1, "\nhotpath: ")) {
        if (*l == '\n') l++;
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) : strlen(l);
        ck_assert_msg(len <= 300, "a summary line of %zu characters: %.*s", len, (int)len, l);
        sites += !strncmp(l, "hotpath:   site ", 16);
    }
    ck_assert_int_eq(sites, 2);
    char want[2][128];
    snprintf(want[0], sizeof want[0], "/test/reports/probe_long_names.cc:%d) [long_names]",
             line_in(PROBE_LONG_NAMES_SRC, "HP_MARK_NEW"));
    snprintf(want[1], sizeof want[1], "/test/reports/probe_long_names.cc:%d) [long_names]",
             line_in(PROBE_LONG_NAMES_SRC, "HP_MARK_RESERVE"));
    ck_assert_msg(strstr(r->err, want[0]) && strstr(r->err, want[1]), "no '%s' and '%s' in:\n%.3000s",
                  want[0], want[1], r->err);
}
END_TEST

/* ---- scale: one full report per distinct stack, exact counts ---------------------------------- */
START_TEST(test_ten_thousand_stacks_one_report_each_and_exact_counts)
{
    make_tmpdir();
    char opts[512], log[128], json[128];
    snprintf(log, sizeof log, "%s/log", tmpdir);
    snprintf(json, sizeof json, "%s/json", tmpdir);
    snprintf(opts, sizeof opts, "mode=warn:symbolize=0:log_path=%s:json_path=%s", log, json);
    struct rl_run *r = rl_runv(PRELOAD, opts, 120, PROBE_REPORTS, "stacks", "10000", "3", NULL);
    assert_exit0(r);
    char *text = rl_slurp(log);
    ck_assert(text);
    ck_assert_int_eq(rl_count(text, "ALLOCATION IN HOT PATH!\n"), 10000);
    ck_assert_msg(strstr(text, "hotpath: checked: 1 section entered, 30000 violations (pid "), "%.300s",
                  strstr(text, "hotpath: checked") ? strstr(text, "hotpath: checked") : text);
    ck_assert_msg(
        strstr(text, "hotpath: summary: 30000 violations in 1 section at 10000 call sites (mode=warn"),
        "no exact summary");
    ck_assert_int_eq(rl_count(text, ": 3 x malloc"), 10000); /* every site listed, each with its 3 */
    ck_assert_msg(!strstr(text, "more call sites not listed"), "sites left out of the summary");
    free(text);
    char *j = rl_slurp(json);
    ck_assert(j);
    ck_assert_int_eq(rl_count(j, "{\"kind\":\"allocation\""), 10000);
    const char *sum = strstr(j, "{\"kind\":\"summary\"");
    ck_assert_msg(sum && strstr(sum, "\"violations\":30000,"), "no JSON summary");
    ck_assert_int_eq(rl_count(sum, "{\"count\":3,"), 10000);
    ck_assert_msg(!strstr(sum, "sites_truncated"), "JSON sites cut");
    ck_assert_msg(rl_json_valid(sum, strlen(sum)), "the JSON summary does not parse");
    free(j);
    remove_tmpdir();
}
END_TEST

/* ---- small stacks: a full, symbolized report, never a crash ------------------------------------ */
static const struct {
    const char *scenario, *kb;
} small_stacks[] = {
    {"thread_stack", "16"}, {"thread_stack", "32"}, {"thread_stack", "64"}, {"sigaltstack", "8"},
    {"sigaltstack", "128"}, {"coroutine", "8"},     {"coroutine", "32"},
};

static void assert_full_report(const struct rl_run *r, const char *what)
{
    ck_assert_msg(
        strstr(r->err, "ALLOCATION IN HOT PATH!\nOperation: malloc (24 bytes)\nSection: small_stack\n"),
        "%s: no report:\n%s", what, r->err);
    /* symbolized down to the program's lines, the frame that made the violation included */
    ck_assert_msg(strstr(r->err, " in allocate+0x") && strstr(r->err, " in hot_on_small_stack+0x"),
                  "%s: frames missing:\n%s", what, r->err);
    ck_assert_msg(strstr(r->err, "/test/reports/probe_reports.c:"), "%s: no file:line:\n%s", what, r->err);
}

START_TEST(test_violation_on_a_small_stack_gets_a_full_report)
{
    const char *sc = small_stacks[_i].scenario, *kb = small_stacks[_i].kb;
    /* glibc's smallest thread stack is PTHREAD_STACK_MIN: 16 KiB on x86-64, 128 KiB on aarch64,
     * where the smaller sizes are tested at that minimum (coroutines and sigaltstacks go lower). */
    char min_kb[24];
    if (!strcmp(sc, "thread_stack") && (long)atoi(kb) * 1024 < (long)PTHREAD_STACK_MIN) {
        snprintf(min_kb, sizeof min_kb, "%ld", (long)PTHREAD_STACK_MIN / 1024);
        kb = min_kb;
    }
    char what[64];
    snprintf(what, sizeof what, "%s %s KiB", sc, kb);
    struct rl_run *r = rl_runv(PRELOAD, NULL, 60, PROBE_REPORTS, sc, kb, NULL);
    ck_assert_msg(r->signaled && r->sig == SIGABRT, "%s, abort mode: expected SIGABRT, got %s\n%s", what,
                  rl_how(r), r->err);
    assert_full_report(r, what);
    ck_assert_msg(strstr(r->err, "Mode: abort"), "%s", r->err);
    r = rl_runv(PRELOAD, "mode=warn", 60, PROBE_REPORTS, sc, kb, NULL);
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "%s, warn mode: %s\n%s", what,
                  rl_how(r), r->err);
    assert_full_report(r, what);
    ck_assert_msg(strstr(r->err, "hotpath:   site 1: 1 x malloc (allocation) in allocate ("), "%s: summary:\n%s", what,
                  r->err);
}
END_TEST

/* ---- the sink: hostile stderr and logs ------------------------------------------------------- */
/* Run probe_reports with stderr on `err_fd` (the child's copy; the parent's is closed after the
 * fork), stdout in out_path; if `drain` >= 0, read it slowly (4 KiB every 5 ms) into `got` until
 * the child exits. Returns the wait status. */
static char got[1 << 20];
static size_t got_len;
static int spawn_with_stderr(const char *opts, int err_fd, int drain, const char *out_path, const char *a1,
                             const char *a2)
{
    got_len = 0;
    pid_t pid = fork();
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, 1);
        dup2(err_fd, 2);
        if (drain >= 0) close(drain);
        signal(SIGPIPE, SIG_DFL);
        setenv("LD_PRELOAD", PRELOAD, 1);
        setenv("HOTPATH_OPTIONS", opts, 1);
        const char *argv[] = {PROBE_REPORTS, a1, a2, NULL};
        rl_exec(argv);
        _exit(127);
    }
    close(err_fd);
    int st = 0;
    if (drain >= 0) {
        ssize_t n;
        struct timespec slow = {0, 5 * 1000 * 1000};
        while ((n = read(drain, got + got_len,
                         got_len + 4096 < sizeof got ? 4096 : sizeof got - got_len - 1)) > 0) {
            got_len += (size_t)n;
            nanosleep(&slow, NULL);
        }
        got[got_len] = 0;
        close(drain);
    }
    waitpid(pid, &st, 0);
    return st;
}

static void assert_status_0(int st, const char *what)
{
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: %s %d", what,
                  WIFSIGNALED(st) ? "killed by signal" : "exit",
                  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

START_TEST(test_stderr_without_reader_raises_no_sigpipe)
{
    make_tmpdir();
    char out[128], opts[256], mark[512];
    snprintf(out, sizeof out, "%s/out", tmpdir);
    snprintf(opts, sizeof opts, "mode=count:mark_dir=%s", tmpdir);
    /* a pipe whose reader has gone: the checked line and the summary are what gets written */
    int p[2];
    ck_assert(pipe(p) == 0);
    close(p[0]);
    assert_status_0(spawn_with_stderr(opts, p[1], -1, out, "one_violation", NULL), "count mode, pipe");
    /* warn mode: a report too */
    ck_assert(pipe(p) == 0);
    close(p[0]);
    snprintf(opts, sizeof opts, "mode=warn:mark_dir=%s", tmpdir);
    assert_status_0(spawn_with_stderr(opts, p[1], -1, out, "one_violation", NULL), "warn mode, pipe");
    /* a socket whose peer closed */
    int sv[2];
    ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    close(sv[1]);
    assert_status_0(spawn_with_stderr(opts, sv[0], -1, out, "one_violation", NULL), "warn mode, socket");
    char *o = rl_slurp(out);
    ck_assert_msg(o && strstr(o, "survived"), "the program did not run to its end");
    free(o);
    /* ... and the loss is said where it can be: the mark file */
    DIR *d = opendir(tmpdir);
    int lost_marks = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, "lost.", 5)) continue;
        lost_marks++;
        snprintf(mark, sizeof mark, "%s/%s", tmpdir, e->d_name);
        char *m = rl_slurp(mark);
        ck_assert_msg(m && strstr(m, " not written: stderr: nobody reads it any more"), "%s: %s", mark, m);
        free(m);
    }
    closedir(d);
    ck_assert_int_eq(lost_marks, 3);
    remove_tmpdir();
}
END_TEST

START_TEST(test_nonblocking_stderr_with_a_slow_reader_loses_nothing)
{
    make_tmpdir();
    char out[128];
    snprintf(out, sizeof out, "%s/out", tmpdir);
    int p[2];
    ck_assert(pipe(p) == 0);
    int st = spawn_with_stderr("mode=warn:dedup=0", p[1], p[0], out, "nonblock", "200");
    assert_status_0(st, "non-blocking stderr");
    ck_assert_int_eq(rl_count(got, "ALLOCATION IN HOT PATH!\n"), 200);
    ck_assert_int_eq(rl_count(got, "\nMode: warn\n"), 200); /* each one whole */
    ck_assert_msg(strstr(got, "hotpath: summary: 200 violations in 1 section at 1 call site"), "no summary");
    ck_assert_msg(!strstr(got, "lost:"), "something was lost:\n%s", strstr(got, "lost:"));
    remove_tmpdir();
}
END_TEST

START_TEST(test_nonblocking_stderr_nobody_reads_loss_is_counted_and_said)
{
    make_tmpdir();
    char out[128], opts[512], json[128], mark[512];
    snprintf(out, sizeof out, "%s/out", tmpdir);
    snprintf(json, sizeof json, "%s/json", tmpdir);
    snprintf(opts, sizeof opts, "mode=warn:dedup=0:mark_dir=%s:json_path=%s", tmpdir, json);
    int p[2];
    ck_assert(pipe(p) == 0);
    /* the reader is open but never reads: 30 reports (~40 KB) do not fit a 4 KiB pipe */
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    pid_t keep = p[0];
    int st = spawn_with_stderr(opts, p[1], -1, out, "nonblock", "30");
    assert_status_0(st, "non-blocking stderr, no reading");
    char *j = rl_slurp(json);
    const char *sum = j ? strstr(j, "{\"kind\":\"summary\"") : NULL;
    ck_assert_msg(sum && strstr(sum, "\"violations\":30,") && strstr(sum, "\"lost_writes\":"), "JSON:\n%s",
                  sum);
    ck_assert_msg(strstr(sum, "\"lost_reason\":\"stderr: it stayed full"), "%s", sum);
    free(j);
    DIR *d = opendir(tmpdir);
    for (struct dirent *e; (e = readdir(d));)
        if (!strncmp(e->d_name, "lost.", 5)) snprintf(mark, sizeof mark, "%s/%s", tmpdir, e->d_name);
    closedir(d);
    char *m = rl_slurp(mark);
    ck_assert_msg(m && strstr(m, "reports or lines (") && strstr(m, "stderr: it stayed full"), "mark: %s", m);
    free(m);
    close(keep);
    remove_tmpdir();
}
END_TEST

START_TEST(test_log_that_cannot_be_written_falls_back_to_stderr)
{
    struct rl_run *r = run("mode=warn:log_path=/dev/full", "one_violation");
    assert_exit0(r);
    ck_assert_msg(
        strstr(r->err, "hotpath: warning: cannot write to '/dev/full' (No space left on device); reports go "
                       "to stderr\n"),
        "no word about the log:\n%s", r->err);
    ck_assert_msg(strstr(r->err, "ALLOCATION IN HOT PATH!\nOperation: malloc (8 bytes)\n"),
                  "report lost:\n%s", r->err);
    ck_assert_msg(strstr(r->err, "hotpath: summary: 1 violation"), "summary lost:\n%s", r->err);
    ck_assert_int_eq(rl_count(r->err, "cannot write to"), 1);
    r = run("mode=warn:json_path=/dev/full", "one_violation");
    assert_exit0(r);
    ck_assert_msg(strstr(r->err,
                         "hotpath: warning: cannot write to '/dev/full' (No space left on device); no JSON "
                         "reports\n"),
                  "no word about the JSON file:\n%s", r->err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reports");
    TCase *tc = tcase_create("checked");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_clean_run_prints_checked_line_with_sections_of_exited_threads);
    tcase_add_test(tc, test_process_without_sections_is_silent_unless_asked);
    tcase_add_test(tc, test_count_mode_checked_line_then_summary);
    tcase_add_test(tc, test_seal_counts_as_a_section);
    tcase_add_test(tc, test_checked_mark_made_at_start_up);
    tcase_add_test(tc, test_forked_child_counts_its_own_sections_and_makes_its_mark);
    tcase_add_test(tc, test_json_summary_has_sections_entered_and_program);
    suite_add_tcase(s, tc);
    tc = tcase_create("small_stacks");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_violation_on_a_small_stack_gets_a_full_report, 0,
                        (int)(sizeof small_stacks / sizeof *small_stacks));
    suite_add_tcase(s, tc);
    tc = tcase_create("sink");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_stderr_without_reader_raises_no_sigpipe);
    tcase_add_test(tc, test_nonblocking_stderr_with_a_slow_reader_loses_nothing);
    tcase_add_test(tc, test_nonblocking_stderr_nobody_reads_loss_is_counted_and_said);
    tcase_add_test(tc, test_log_that_cannot_be_written_falls_back_to_stderr);
    tcase_add_test(tc, test_cxx_summary_lines_stay_short_and_name_the_user_lines);
    suite_add_tcase(s, tc);
    tc = tcase_create("scale");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_ten_thousand_stacks_one_report_each_and_exact_counts);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
