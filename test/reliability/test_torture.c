/*
 * The torture suite: threads, thread storms, fork and fork+exec from threaded processes, while
 * another thread reports, posix_spawn, dlopen/dlclose, signal handlers that allocate in sections,
 * C++ exceptions through sections, setjmp/longjmp. Each scenario runs the torture programs under the
 * freshly built sentinel with a timeout; the tests check the exit, exact violation counts where
 * they are defined, and that every report is whole (none torn, none lost).
 * PRELOAD, TORTURE, TORTURE_CXX, LIBCTOR come from test/reliability.mk.
 */
#define _GNU_SOURCE
#include "rl_reports.h"
#include "rl_run.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T 60 /* seconds: every run is killed after this */

static void assert_survived(const struct rl_run *r)
{
    ck_assert_msg(r->exited && r->code == 0, "expected exit 0, got %s\nstdout:\n%.2000s\nstderr:\n%.2000s", rl_how(r),
                  r->out, r->err);
    ck_assert_msg(strstr(r->out, "survived\n"), "no 'survived':\n%s", r->out);
}

static char tmpdir[64];
static const char *tmp(const char *name)
{
    static char paths[8][256];
    static int next;
    char *path = paths[next++ % 8];
    if (!tmpdir[0]) {
        strcpy(tmpdir, "/tmp/hotpath-torture.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    }
    snprintf(path, sizeof paths[0], "%s/%s", tmpdir, name);
    return path;
}

static void assert_reports_whole(const char *text, int expected)
{
    int torn;
    char why[800];
    int whole = rl_whole_reports(text, &torn, why, sizeof why);
    ck_assert_msg(torn == 0, "%d torn reports; %s", torn, why);
    ck_assert_msg(whole == expected, "expected %d whole reports, found %d", expected, whole);
}

/* ---- threads --------------------------------------------------------------------------------- */
START_TEST(test_eight_threads_churning_with_sections_are_counted_exactly)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=count", T, TORTURE, "churn", "8", "20000", "100", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "hot"), 1600);
    ck_assert_int_eq(rl_field(r->out, "violations"), 1600);
    ck_assert_int_eq(rl_field(r->out, "misaligned"), 0);
    ck_assert_msg(strstr(r->err, "hotpath: summary: 1600 violations in 8 sections at 8 call sites (mode=count"), "%s",
                  r->err);
    ck_assert_int_eq(rl_count(r->err, ": 200\n"), 8); /* each thread's section: 200 */
}
END_TEST

START_TEST(test_concurrent_reports_are_whole_and_none_is_lost)
{
    char opts[300];
    snprintf(opts, sizeof opts, "mode=warn:dedup=0:log_path=%s:json_path=%s", tmp("churn.log"), tmp("churn.json"));
    unlink(tmp("churn.log"));
    unlink(tmp("churn.json"));
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "churn", "8", "2000", "20", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "violations"), 800);
    char *log = rl_slurp(tmp("churn.log"));
    ck_assert_ptr_nonnull(log);
    assert_reports_whole(log, 800);
    for (int t = 0; t < 8; t++) {
        char sec[64];
        snprintf(sec, sizeof sec, "\nSection: churn_%d\n", t);
        ck_assert_int_eq(rl_count(log, sec), 100);
    }
    ck_assert_msg(strstr(log, "hotpath: summary: 800 violations in 8 sections"), "no summary in the log");
    free(log);
    char *json = rl_slurp(tmp("churn.json"));
    ck_assert_ptr_nonnull(json);
    int bad, good = rl_json_lines(json, &bad);
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(rl_count(json, "{\"kind\":\"allocation\""), 800);
    ck_assert_int_ge(good, 800); /* (and the exit summary's line, where the sentinel writes one) */
    free(json);
}
END_TEST

START_TEST(test_abort_in_one_thread_while_others_churn_ends_with_sigabrt_and_a_whole_report)
{
    struct rl_run *r = rl_runv(PRELOAD, NULL, T, TORTURE, "churn", "8", "20000", "5000", NULL);
    ck_assert_msg(r->signaled && r->sig == SIGABRT, "expected SIGABRT, got %s\n%.2000s", rl_how(r), r->err);
    int torn;
    int whole = rl_whole_reports(r->err, &torn, NULL, 0);
    ck_assert_msg(whole >= 1 && torn == 0, "whole %d torn %d:\n%.3000s", whole, torn, r->err);
    ck_assert_msg(strstr(r->err, "Mode: abort"), "%s", r->err);
}
END_TEST

START_TEST(test_thread_storm_of_a_thousand_threads)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=count", T, TORTURE, "storm", "20", "50", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "finished"), 1000);
    ck_assert_int_eq(rl_field(r->out, "violations"), 1000);
    ck_assert_msg(strstr(r->err, "hotpath:   section storm: 1000\n"), "%s", r->err);
}
END_TEST

/* ---- processes --------------------------------------------------------------------------------- */
START_TEST(test_fork_and_fork_exec_from_a_threaded_process_while_the_allocator_is_busy)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=count", T, TORTURE, "forkbusy", "60", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "ok"), 60);
    ck_assert_int_eq(rl_field(r->out, "exec"), 15);
    /* each child's count is its own (checked by its exit status: 41 = one violation) */
    ck_assert_int_eq(rl_field(r->out, "violations"), 0);
}
END_TEST

START_TEST(test_fork_while_another_thread_is_writing_reports)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn:dedup=0", T, TORTURE, "fork_reporting", "24", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "ok"), 24);
    long rep = rl_field(r->out, "reporter");
    ck_assert_int_eq(rl_count(r->err, "\nSection: fork_child\n"), 6);
    ck_assert_int_eq(rl_count(r->err, "\nSection: parent_section\n"), 6);
    ck_assert_int_eq(rl_count(r->err, "\nSection: reporter\n"), rep);
    assert_reports_whole(r->err, (int)rep + 12);
}
END_TEST

START_TEST(test_posix_spawn_from_a_threaded_process_and_from_a_section)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "spawn", "40", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "ok"), 40);
}
END_TEST

/* ---- dlopen ------------------------------------------------------------------------------------- */
START_TEST(test_dlopen_dlclose_storm_of_a_library_that_allocates_in_its_constructor)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=count", T, TORTURE, "dlopen", LIBCTOR, "4", "100", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "dlopen"), 400);
    ck_assert_int_eq(rl_field(r->out, "violations"), 0);
}
END_TEST

START_TEST(test_dlopen_in_a_section_reports_the_constructor_and_the_loader)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "dlopen_hot", LIBCTOR, NULL);
    assert_survived(r);
    ck_assert_msg(rl_field(r->out, "dlopen violations") >= 101, "%s", r->out);
    ck_assert_int_eq(rl_field(r->out, "allowed dlopen violations"), 0);
    ck_assert_msg(strstr(r->err, ": 100 x malloc (allocation) in ctor (") && strstr(r->err, "libctor.c:"), "%s", r->err);
    int torn;
    rl_whole_reports(r->err, &torn, NULL, 0);
    ck_assert_int_eq(torn, 0);
}
END_TEST

/* ---- signals ------------------------------------------------------------------------------------ */
START_TEST(test_signal_handler_allocating_in_a_section_is_counted_each_time)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=count", T, TORTURE, "signals", "200", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "delivered"), 200);
    ck_assert_int_eq(rl_field(r->out, "violations"), 200); /* the 200 outside sections are not */
    r = rl_runv(PRELOAD, "mode=warn:dedup=0", T, TORTURE, "signals", "50", NULL);
    assert_survived(r);
    assert_reports_whole(r->err, 50);
    ck_assert_int_eq(rl_count(r->err, "\nSection: signal_section\n"), 50);
    ck_assert_int_eq(rl_count(r->err, " in alloc_handler+"), 50);
}
END_TEST

START_TEST(test_signal_storm_into_sections_loses_no_report)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn:dedup=0", T, TORTURE, "signal_storm", "300", NULL);
    assert_survived(r);
    long runs = rl_field(r->out, "handler runs"), v = rl_field(r->out, "violations");
    ck_assert_msg(runs > 0, "no signal was delivered:\n%s", r->out);
    ck_assert_int_eq(v, 300 + runs);
    assert_reports_whole(r->err, (int)v);
}
END_TEST

/* ---- C++ exceptions, longjmp ------------------------------------------------------------------ */
START_TEST(test_exception_through_hotpath_scope_leaves_the_section)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=count", T, TORTURE_CXX, "macro_throw", "200", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "caught"), 200);
    ck_assert_int_eq(rl_field(r->out, "bad_depth"), 0);
    /* the exception object is allocated in the section: one violation per throw, no more */
    ck_assert_int_eq(rl_field(r->out, "violations"), 200);
}
END_TEST

START_TEST(test_exception_through_nested_guards_restores_each_level)
{
    struct rl_run *r = rl_runv(PRELOAD, NULL, T, TORTURE_CXX, "guard_levels", "300", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "bad"), 0);
    ck_assert_int_eq(rl_field(r->out, "violations"), 0);
}
END_TEST

START_TEST(test_exception_through_c_frames_needs_fexceptions_as_documented)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=count", T, TORTURE_CXX, "c_frames", NULL);
    assert_survived(r);
    ck_assert_msg(strstr(r->out, "after C frames built with -fexceptions depth 0, without depth 1\n"), "%s", r->out);
}
END_TEST

START_TEST(test_exceptions_from_eight_threads_at_once)
{
    struct rl_run *r = rl_runv(PRELOAD, NULL, T, TORTURE_CXX, "threads", "1000", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "rounds"), 8000);
    ck_assert_int_eq(rl_field(r->out, "bad"), 0);
}
END_TEST

START_TEST(test_longjmp_out_of_a_scope_keeps_the_section_as_documented)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "longjmp", NULL);
    assert_survived(r);
    ck_assert_msg(strstr(r->out, "longjmp depth before 0 after 1 section jumped_section\n"), "%s", r->out);
    ck_assert_msg(strstr(r->out, "recovered depth 0 violations 1 then 1\n"), "%s", r->out);
    ck_assert_msg(strstr(r->err, "\nSection: jumped_section\n"), "%s", r->err);
}
END_TEST

/* ---- every category on: the interposed blocking calls under the same storms -------------------- */
START_TEST(test_check_all_under_threads_forks_and_signals)
{
    /* churn makes no blocking call in its sections: exactly the allocations are counted */
    struct rl_run *r = rl_runv(PRELOAD, "mode=count:check=all", T, TORTURE, "churn", "8", "20000", "100", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "violations"), 1600);
    /* forkbusy forks 10 times from inside a section: each fork is a spawn-category violation */
    r = rl_runv(PRELOAD, "mode=count:check=all", T, TORTURE, "forkbusy", NULL);
    assert_survived(r);
    ck_assert_msg(strstr(r->err, ": 10 x fork (blocking call) in forkbusy ("), "%s", r->err);
    r = rl_runv(PRELOAD, "mode=warn:check=all", T, TORTURE, "signal_storm", "300", NULL);
    assert_survived(r);
    r = rl_runv(PRELOAD, "mode=count:check=all", T, TORTURE, "spawn", NULL);
    assert_survived(r);
}
END_TEST

/* ---- nothing changes without a section ------------------------------------------------------ */
START_TEST(test_same_scenarios_without_the_sentinel_agree)
{
    struct rl_run *r = rl_runv(NULL, NULL, T, TORTURE, "churn", "4", "5000", "0", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "violations"), 0);
    r = rl_runv(PRELOAD, NULL, T, TORTURE, "churn", "4", "5000", "0", NULL);
    assert_survived(r);
    /* nothing but the exit's "checked" line (sections were entered) */
    ck_assert_msg(rl_count(r->err, "\n") == 1 && !strncmp(r->err, "hotpath: checked: ", 18), "%s", r->err);
}
END_TEST

static Suite *torture_suite(void)
{
    Suite *s = suite_create("torture");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_test(tc, test_eight_threads_churning_with_sections_are_counted_exactly);
    tcase_add_test(tc, test_concurrent_reports_are_whole_and_none_is_lost);
    tcase_add_test(tc, test_abort_in_one_thread_while_others_churn_ends_with_sigabrt_and_a_whole_report);
    tcase_add_test(tc, test_thread_storm_of_a_thousand_threads);
    tcase_add_test(tc, test_same_scenarios_without_the_sentinel_agree);
    tcase_add_test(tc, test_check_all_under_threads_forks_and_signals);
    suite_add_tcase(s, tc);

    tc = tcase_create("processes");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_test(tc, test_fork_and_fork_exec_from_a_threaded_process_while_the_allocator_is_busy);
    tcase_add_test(tc, test_fork_while_another_thread_is_writing_reports);
    tcase_add_test(tc, test_posix_spawn_from_a_threaded_process_and_from_a_section);
    tcase_add_test(tc, test_dlopen_dlclose_storm_of_a_library_that_allocates_in_its_constructor);
    tcase_add_test(tc, test_dlopen_in_a_section_reports_the_constructor_and_the_loader);
    suite_add_tcase(s, tc);

    tc = tcase_create("signals_exceptions_jumps");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_test(tc, test_signal_handler_allocating_in_a_section_is_counted_each_time);
    tcase_add_test(tc, test_signal_storm_into_sections_loses_no_report);
    tcase_add_test(tc, test_exception_through_hotpath_scope_leaves_the_section);
    tcase_add_test(tc, test_exception_through_nested_guards_restores_each_level);
    tcase_add_test(tc, test_exception_through_c_frames_needs_fexceptions_as_documented);
    tcase_add_test(tc, test_exceptions_from_eight_threads_at_once);
    tcase_add_test(tc, test_longjmp_out_of_a_scope_keeps_the_section_as_documented);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(torture_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
