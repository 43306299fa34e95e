/*
 * Your own blocking functions and allocators (hotpath_blocking, HOTPATH_BLOCKING_FUNCTION,
 * hotpath_allocation): reported in a section like the calls the sentinel interposes, in abort,
 * warn and count mode, through dedup, suppressions and the gate's mark directory; nothing outside
 * a section, in an allow region, without the sentinel, or when compiled with HOTPATH_DISABLE.
 */
#define _GNU_SOURCE
#include "run_probe.h"

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The report's first frame is `fn`: no frame of the API library comes before it. */
static void assert_frame0(const char *err, const char *fn)
{
    char want[96];
    snprintf(want, sizeof want, " in %s+", fn);
    const char *f0 = strstr(err, "    #0 0x"), *f1 = strstr(err, "    #1 0x"), *at = strstr(err, want);
    ck_assert_msg(f0 && at && f0 < at && (!f1 || at < f1), "frame #0 is not %s:\n%s", fn, err);
}

START_TEST(test_blocking_in_a_section_aborts_with_its_name)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_REACH, "blocking");
    ck_assert_msg(r->signaled && r->sig == SIGABRT, "code=%d sig=%d\n%s", r->code, r->sig, r->err);
    ck_assert_msg(
        strstr(r->err, "BLOCKING CALL IN HOT PATH!\nOperation: my_logger_lock\nSection: reach_section\n"),
        "%s", r->err);
    ck_assert_msg(!strstr(r->out, "survived"), "%s", r->out);
    assert_frame0(r->err, "main");
}
END_TEST

START_TEST(test_blocking_function_mark_names_the_function)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn", PROBE_REACH, "function");
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "code=%d\n%s", r->code, r->err);
    ck_assert_msg(
        strstr(r->err, "BLOCKING CALL IN HOT PATH!\nOperation: slow_log_flush\nSection: reach_section\n"),
        "%s", r->err);
    assert_frame0(r->err, "slow_log_flush");
}
END_TEST

START_TEST(test_allocation_is_checked_like_malloc)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_REACH, "allocation");
    ck_assert_msg(r->signaled && r->sig == SIGABRT, "code=%d sig=%d\n%s", r->code, r->sig, r->err);
    ck_assert_msg(
        strstr(r->err, "ALLOCATION IN HOT PATH!\nOperation: mi_malloc (48 bytes)\nSection: reach_section\n"),
        "%s", r->err);
    assert_frame0(r->err, "main");
    r = run_probe(PRELOAD, "mode=warn", PROBE_REACH, "allocation");
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "%s", r->err);
    ck_assert_msg(strstr(r->err, "Operation: mi_malloc (48 bytes)"), "%s", r->err);
}
END_TEST

START_TEST(test_allocation_reports_are_deduplicated_per_stack)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn", PROBE_REACH, "twice");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 2);
    ck_assert_msg(strstr(r->err, "Operation: je_malloc (100 bytes)") &&
                      strstr(r->err, "Operation: je_malloc (200 bytes)"),
                  "%s", r->err);
    r = run_probe(PRELOAD, "mode=warn:dedup=0", PROBE_REACH, "twice");
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 3);
}
END_TEST

/* Count mode with a mark directory, as hotpath-run uses it: the gate sees the violation. */
START_TEST(test_count_mode_marks_the_run_for_the_gate)
{
    char dir[] = "/tmp/hotpath-reach.XXXXXX", opts[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(opts, sizeof opts, "mode=count:mark_dir=%s", dir);
    struct probe_run *r = run_probe(PRELOAD, opts, PROBE_REACH, "exported");
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "%s", r->err);
    DIR *d = opendir(dir);
    int marked = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strncmp(e->d_name, "violation.", 10)) marked = 1;
        if (e->d_name[0] != '.') {
            char p[512];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    closedir(d);
    rmdir(dir);
    ck_assert_msg(marked, "no violation mark in %s:\n%s", dir, r->err);
    ck_assert_msg(strstr(r->err, "ffi_blocking") && strstr(r->err, "ffi_alloc"), "%s", r->err);
}
END_TEST

START_TEST(test_exported_functions_report_through_dlsym)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn", PROBE_REACH, "exported");
    ck_assert_msg(r->exited && r->code == 0, "%s%s", r->out, r->err);
    ck_assert_msg(strstr(r->err, "BLOCKING CALL IN HOT PATH!\nOperation: ffi_blocking\n"), "%s", r->err);
    ck_assert_msg(strstr(r->err, "ALLOCATION IN HOT PATH!\nOperation: ffi_alloc (64 bytes)\n"), "%s", r->err);
}
END_TEST

START_TEST(test_sealed_process_reports_outside_sections)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn", PROBE_REACH, "sealed");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_msg(strstr(r->err, "Operation: spin_wait\nSection: (sealed)\n"), "%s", r->err);
}
END_TEST

/* Outside a section, in an allow region, compiled with HOTPATH_DISABLE, or without the sentinel:
 * nothing, whatever check= says. */
static const char *const quiet[] = {"cold", "allow", "disabled"};
START_TEST(test_quiet_where_nothing_is_hot)
{
    struct probe_run *r = run_probe(PRELOAD, "check=all", PROBE_REACH, quiet[_i]);
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "%s: code=%d sig=%d\n%s",
                  quiet[_i], r->code, r->sig, r->err);
    ck_assert_msg(!strstr(r->err, "IN HOT PATH"), "%s:\n%s", quiet[_i], r->err);
}
END_TEST

static const char *const all_scenarios[] = {"blocking", "function", "allocation", "exported", "sealed"};
START_TEST(test_without_the_sentinel_nothing_happens)
{
    struct probe_run *r = run_probe(NULL, NULL, PROBE_REACH, all_scenarios[_i]);
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "%s: %s", all_scenarios[_i],
                  r->err);
    ck_assert_msg(!strstr(r->err, "HOT PATH"), "%s", r->err);
}
END_TEST

START_TEST(test_json_names_the_user_category)
{
    char dir[] = "/tmp/hotpath-reach.XXXXXX", opts[160], path[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.json", dir);
    snprintf(opts, sizeof opts, "mode=warn:json_path=%s", path);
    run_probe(PRELOAD, opts, PROBE_REACH, "blocking");
    const char *j = slurp(path);
    ck_assert_ptr_nonnull(j);
    ck_assert_msg(strstr(j, "{\"kind\":\"blocking\"") &&
                      strstr(j, "\"category\":\"user\",\"operation\":\"my_logger_lock\""),
                  "%s", j);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_suppressions_match_the_name)
{
    char path[] = "/tmp/hotpath-reach-supp.XXXXXX";
    int fd = mkstemp(path);
    const char *text = "operation:my_logger_lock\n";
    ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    char opts[128];
    snprintf(opts, sizeof opts, "suppressions=%s", path);
    struct probe_run *r = run_probe(PRELOAD, opts, PROBE_REACH, "blocking");
    unlink(path);
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "code=%d sig=%d\n%s", r->code,
                  r->sig, r->err);
    ck_assert_msg(!strstr(r->err, "IN HOT PATH") && strstr(r->err, "suppressed: 1"), "%s", r->err);
}
END_TEST

/* Variadic functions forwarded with every argument, outside a section (category off: straight to
 * libc) and inside one (category on, reported, then called): the same output as without the
 * sentinel. */
static const char *const variadic[] = {"variadic_cold", "variadic"};
START_TEST(test_variadic_arguments_pass_through)
{
    struct probe_run *r = run_probe(NULL, NULL, PROBE_REACH, variadic[_i]);
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    static char want[4096];
    snprintf(want, sizeof want, "%s", r->out);
    ck_assert_msg(
        strstr(want, "mode 640 nonblock 1 wrote 6\n42 str 1.50 z 1234567890123\n  2.2|ab  |ff\ndprintf 7\n"),
        "%s", want);
    static const char *const opts[] = {"mode=warn", "check=all:mode=warn:dedup=0"};
    for (int k = 0; k < 2; k++) {
        r = run_probe(PRELOAD, opts[k], PROBE_REACH, variadic[_i]);
        ck_assert_msg(r->exited && r->code == 0, "%s %s: %s", variadic[_i], opts[k], r->err);
        ck_assert_msg(!strcmp(r->out, want), "%s %s:\n%s\nwithout the sentinel:\n%s", variadic[_i], opts[k],
                      r->out, want);
        int hot = _i == 1 && k == 1;
        static const char *const ops[] = {"Operation: open\n",    "Operation: fcntl\n",
                                          "Operation: syscall\n", "Operation: printf\n",
                                          "Operation: fprintf\n", "Operation: dprintf\n"};
        for (size_t j = 0; j < sizeof ops / sizeof *ops; j++)
            ck_assert_msg(!strstr(r->err, ops[j]) == !hot, "%s %s: %s%s", variadic[_i], opts[k], ops[j],
                          r->err);
    }
}
END_TEST

/* An executable with an allocator of its own is named at exit, in a process that entered a
 * section; one that never entered a section stays silent, and so does a program without one. */
START_TEST(test_own_allocator_is_named_in_processes_with_sections)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_OWN_ALLOCATOR, "section");
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived 1"), "code=%d\n%s", r->code, r->err);
    ck_assert_msg(strstr(r->err, "the executable carries an allocator of its own that never calls malloc "
                                 "(mimalloc: mi_malloc, a Rust #[global_allocator]: __rg_alloc)") &&
                      strstr(r->err, "probe_own_alloc") && strstr(r->err, "hotpath_allocation()"),
                  "%s", r->err);
    ck_assert_int_eq(count_of(r->err, "allocator of its own"), 1);
    r = run_probe(PRELOAD, NULL, PROBE_OWN_ALLOCATOR, "none");
    ck_assert_msg(r->exited && r->code == 0 && !strstr(r->err, "allocator of its own"), "%s", r->err);
    r = run_probe(PRELOAD, "mode=warn", PROBE_REACH, "function");
    ck_assert_msg(!strstr(r->err, "allocator of its own"), "%s", r->err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reach");
    TCase *tc = tcase_create("own_blocking_and_allocators");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_blocking_in_a_section_aborts_with_its_name);
    tcase_add_test(tc, test_blocking_function_mark_names_the_function);
    tcase_add_test(tc, test_allocation_is_checked_like_malloc);
    tcase_add_test(tc, test_allocation_reports_are_deduplicated_per_stack);
    tcase_add_test(tc, test_count_mode_marks_the_run_for_the_gate);
    tcase_add_test(tc, test_exported_functions_report_through_dlsym);
    tcase_add_test(tc, test_sealed_process_reports_outside_sections);
    tcase_add_loop_test(tc, test_quiet_where_nothing_is_hot, 0, sizeof quiet / sizeof *quiet);
    tcase_add_loop_test(tc, test_without_the_sentinel_nothing_happens, 0,
                        sizeof all_scenarios / sizeof *all_scenarios);
    tcase_add_test(tc, test_json_names_the_user_category);
    tcase_add_test(tc, test_suppressions_match_the_name);
    tcase_add_test(tc, test_own_allocator_is_named_in_processes_with_sections);
    tcase_add_loop_test(tc, test_variadic_arguments_pass_through, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
