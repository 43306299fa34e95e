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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    ck_assert_msg(strstr(r->err, "hotpath:   site 1: 1 x malloc in allocate ("), "%s: summary:\n%s", what,
                  r->err);
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
