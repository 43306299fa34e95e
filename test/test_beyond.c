/*
 * Beyond malloc: check=LIST categories, the seal, hot_functions, suppressions. Probes run under the
 * freshly built sentinel, as in test_sentinel.c.
 */
#define _GNU_SOURCE
#include "run_probe.h"

#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every entry of the interception list, as the table itself gives it: a function added there is
 * tested here (and probe_blocking must know how to call it). */
#include "intercept_list.h"

/* The calls that block for ever when allowed to run: tested in abort mode only. */
static int returns(const char *name)
{
    return strcmp(name, "pthread_cond_wait") && strcmp(name, "cnd_wait") && strcmp(name, "pause");
}
static struct call {
    const char *name, *category;
    int returns;
} calls[N_INTERCEPTED];
#define NCALLS N_INTERCEPTED

static void load_calls(void)
{
    for (int i = 0; i < NCALLS; i++)
        calls[i] = (struct call){intercepted[i].name, intercepted[i].category, returns(intercepted[i].name)};
}

static char baseline_out[1 << 16];

static void op_line(char *dst, size_t cap, const char *name) { snprintf(dst, cap, "Operation: %s", name); }

/* "Operation: NAME" followed by end of line or " (" (sized calls). */
static int has_op(const char *err, const char *name)
{
    char want[128];
    op_line(want, sizeof want, name);
    for (const char *p = err; (p = strstr(p, want)); p++) {
        char c = p[strlen(want)];
        if (c == '\n' || c == ' ') return 1;
    }
    return 0;
}

START_TEST(test_each_call_is_reported_in_a_section_when_its_category_is_on)
{
    char opts[64];
    snprintf(opts, sizeof opts, "check=%s", calls[_i].category);
    struct probe_run *r = run_probe(PRELOAD, opts, PROBE_BLOCKING, calls[_i].name);
    ck_assert_msg(r->signaled && r->sig == SIGABRT, "%s: expected SIGABRT, got code=%d sig=%d timeout=%d\n%s",
                  calls[_i].name, r->code, r->sig, r->timed_out, r->err);
    ck_assert_msg(strstr(r->err, "BLOCKING CALL IN HOT PATH!\nOperation: "), "%s", r->err);
    ck_assert_msg(has_op(r->err, calls[_i].name), "no operation %s in:\n%s", calls[_i].name, r->err);
    ck_assert_msg(strstr(r->err, "Section: blocking_section\n"), "%s", r->err);
    ck_assert_msg(!strstr(r->err, "ALLOCATION IN HOT PATH"), "%s", r->err);
}
END_TEST

START_TEST(test_results_and_errno_pass_through_unchanged)
{
    if (!calls[_i].returns) return;
    struct probe_run *r = run_probe(NULL, NULL, PROBE_BLOCKING, calls[_i].name);
    ck_assert_msg(r->exited && r->code == 0, "%s without the sentinel: %s", calls[_i].name, r->err);
    snprintf(baseline_out, sizeof baseline_out, "%s", r->out);
    r = run_probe(PRELOAD, "check=all:mode=warn", PROBE_BLOCKING, calls[_i].name);
    ck_assert_msg(r->exited && r->code == 0, "%s: code=%d sig=%d\n%s", calls[_i].name, r->code, r->sig, r->err);
    ck_assert_msg(!strcmp(r->out, baseline_out), "%s: with the sentinel\n%s\nwithout\n%s", calls[_i].name, r->out,
                  baseline_out);
    ck_assert_msg(has_op(r->err, calls[_i].name), "%s not reported:\n%s", calls[_i].name, r->err);
}
END_TEST

/* With every category but its own on (and so with the default, allocations only), a call is not
 * reported: each function sits in exactly one category. */
START_TEST(test_other_categories_do_not_report)
{
    if (!calls[_i].returns) return;
    static const char *const all[] = {"lock", "sleep", "io", "mmap", "spawn", "misc"};
    char other[128] = "mode=warn:check=alloc";
    for (size_t k = 0; k < sizeof all / sizeof *all; k++)
        if (strcmp(all[k], calls[_i].category)) strcat(strcat(other, ","), all[k]);
    struct probe_run *r = run_probe(PRELOAD, other, PROBE_BLOCKING, calls[_i].name);
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "%s: %s", calls[_i].name, r->err);
    ck_assert_msg(!has_op(r->err, calls[_i].name), "%s reported under %s:\n%s", calls[_i].name, other, r->err);
}
END_TEST

START_TEST(test_calls_outside_sections_are_untouched)
{
    if (!calls[_i].returns) return;
    char cold[64];
    snprintf(cold, sizeof cold, "cold:%s", calls[_i].name);
    struct probe_run *r = run_probe(PRELOAD, "check=all", PROBE_BLOCKING, cold);
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "%s: code=%d sig=%d\n%s", calls[_i].name,
                  r->code, r->sig, r->err);
    ck_assert_msg(!strstr(r->err, "IN HOT PATH"), "%s", r->err);
}
END_TEST


/* A fortified build (-O2 -D_FORTIFY_SOURCE=2) calls the checking entry points when lengths and
 * flags are not constants: each is caught under its own name. */
START_TEST(test_fortified_entry_points_are_caught)
{
    struct probe_run *r = run_probe(PRELOAD, "check=io:mode=count", PROBE_FORTIFY, "x");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    static const char *const fortified[] = {"__openat_2", "__pread_chk", "__recv_chk", "__recvfrom_chk",
                                            "__poll_chk", "__ppoll_chk", "__read_chk", "__open_2"};
    for (size_t i = 0; i < sizeof fortified / sizeof *fortified; i++) {
        char want[64];
        snprintf(want, sizeof want, " x %s (blocking call) in main (", fortified[i]);
        ck_assert_msg(strstr(r->err, want), "no '%s' in:\n%s", want, r->err);
    }
}
END_TEST

/* vfork is a tail jump written in assembly: the report's frame #0 must still be its caller. */
START_TEST(test_vfork_report_names_its_caller)
{
    struct probe_run *r = run_probe(PRELOAD, "check=spawn:mode=warn", PROBE_BLOCKING, "vfork");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_msg(strstr(r->err, "    #0 0x") && strstr(r->err, " in call+"), "%s", r->err);
    const char *f0 = strstr(r->err, "    #0 0x"), *f1 = strstr(r->err, "    #1 0x"), *call = strstr(r->err, " in call+");
    ck_assert_msg(f0 < call && call < f1, "frame #0 is not call():\n%s", r->err);
}
END_TEST

START_TEST(test_cancellation_points_stay_cancellation_points)
{
    struct probe_run *r = run_probe(PRELOAD, "check=io:mode=warn", PROBE_BLOCKING, "cancel");
    ck_assert_msg(r->exited && r->code == 0 && !r->timed_out, "%s", r->err);
    ck_assert_msg(strstr(r->out, "cancelled 1\n"), "%s", r->out);
    ck_assert_msg(has_op(r->err, "read") && strstr(r->err, "Section: cancel_section\n"), "%s", r->err);
}
END_TEST

START_TEST(test_a_pending_cancel_waits_until_the_report_is_written)
{
    struct probe_run *r = run_probe(PRELOAD, "check=io:mode=warn", PROBE_BLOCKING, "cancel_pending");
    ck_assert_msg(r->exited && r->code == 0 && !r->timed_out, "%s", r->err);
    ck_assert_msg(strstr(r->out, "cancelled 1\nwrote 1\n"), "%s", r->out);
    const char *first = strstr(r->err, "Section: cancel_section\n"), *next = strstr(r->err, "Section: after_cancel\n");
    ck_assert_msg(first && has_op(r->err, "read") && strstr(first, "Backtrace:"), "no whole report of read:\n%s", r->err);
    ck_assert_msg(next && strstr(next, "Backtrace:") && !strstr(r->err, "the report lock was busy"),
                  "the report lock was left held:\n%s", r->err);
}
END_TEST

START_TEST(test_unknown_category_is_an_error)
{
    struct probe_run *r = run_probe(PRELOAD, "check=alloc,locks", PROBE_BLOCKING, "sleep");
    ck_assert_msg(r->exited && r->code == 2, "code=%d", r->code);
    ck_assert_msg(strstr(r->err, "invalid value for 'check': 'alloc,locks'"), "%s", r->err);
}
END_TEST

/* check=LIST adds categories to the allocation check; it never turns allocations off. */
START_TEST(test_check_list_keeps_the_allocation_check)
{
    static const char *const lists[] = {"check=lock", "check=sleep,io", "check=spawn,mmap", "check=alloc"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        struct probe_run *r = run_probe(PRELOAD, lists[i], PROBE, "malloc");
        ck_assert_msg(r->signaled && r->sig == SIGABRT && strstr(r->err, "ALLOCATION IN HOT PATH!") &&
                          strstr(r->err, "Operation: malloc ("),
                      "%s: code=%d sig=%d\n%s", lists[i], r->code, r->sig, r->err);
    }
}
END_TEST

START_TEST(test_json_report_names_kind_and_category)
{
    char dir[] = "/tmp/hotpath-test.XXXXXX", opts[128], path[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(opts, sizeof opts, "check=lock:mode=warn:json_path=%s/r.json", dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    run_probe(PRELOAD, opts, PROBE_BLOCKING, "pthread_mutex_lock");
    const char *j = slurp(path);
    ck_assert_ptr_nonnull(j);
    ck_assert_msg(strstr(j, "{\"kind\":\"blocking\"") && strstr(j, "\"category\":\"lock\",\"operation\":\"pthread_mutex_lock\""),
                  "%s", j);
}
END_TEST

/* ---- the seal ----------------------------------------------------------------------------------- */
START_TEST(test_seal_makes_every_thread_hot_until_unsealed)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn:dedup=0", PROBE_SEAL, "threads");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_msg(strstr(r->out, "sealed 1 after 0\n"), "%s", r->out);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 1);
    ck_assert_msg(strstr(r->err, "Operation: malloc (21 bytes)\nSection: (sealed)\n"), "%s", r->err);
    ck_assert_msg(!strstr(r->err, "(22 bytes)") && !strstr(r->err, "(23 bytes)"), "%s", r->err);
}
END_TEST

START_TEST(test_seal_checks_calloc_and_realloc_and_aborts_by_default)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_SEAL, "calloc_realloc");
    ck_assert_msg(r->signaled && r->sig == SIGABRT, "code=%d\n%s", r->code, r->err);
    ck_assert_msg(strstr(r->err, "Operation: calloc (16 bytes)\nSection: (sealed)\n"), "%s", r->err);
    r = run_probe(PRELOAD, "mode=warn", PROBE_SEAL, "calloc_realloc");
    ck_assert_msg(strstr(r->err, "Operation: realloc (64 bytes)\nSection: (sealed)\n"), "%s", r->err);
}
END_TEST

START_TEST(test_seal_without_the_sentinel_only_sets_a_flag)
{
    struct probe_run *r = run_probe(NULL, NULL, PROBE_SEAL, "threads");
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "sealed 1 after 0\n"), "%s%s", r->out, r->err);
}
END_TEST

/* ---- hot_functions ------------------------------------------------------------------------------ */
/* Each test runs against both builds: hooks linked into the program, and hooks in the API library. */
static const char *instrumented[] = {PROBE_INSTRUMENTED, PROBE_INSTRUMENTED_SO};
START_TEST(test_hot_functions_mark_static_and_global_functions)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn:hot_functions=static_hot,global_hot", instrumented[_i], "all");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_msg(strstr(r->err, "Operation: malloc (11 bytes)\nSection: static_hot\n"), "%s", r->err);
    ck_assert_msg(strstr(r->err, "Operation: malloc (12 bytes)\nSection: global_hot\n"), "%s", r->err);
    ck_assert_msg(!strstr(r->err, "(14 bytes)"), "a function not named was checked:\n%s", r->err);
    ck_assert_msg(strstr(r->out, "depth after 0"), "%s", r->out);
}
END_TEST

START_TEST(test_hot_functions_nest_through_recursion)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn:hot_functions=recursive_hot", instrumented[_i], "recursive");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_msg(strstr(r->out, "depth after 0 deepest 5\n"), "%s", r->out);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 1);
    ck_assert_msg(strstr(r->err, "Section: recursive_hot\n"), "%s", r->err);
}
END_TEST

START_TEST(test_hot_functions_file_and_unknown_names)
{
    char path[] = "/tmp/hotpath-hotfns.XXXXXX";
    int fd = mkstemp(path);
    const char *text = "# hot functions\nglobal_hot\n\nno_such_function\n";
    ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    char opts[128];
    snprintf(opts, sizeof opts, "mode=warn:hot_functions_file=%s", path);
    struct probe_run *r = run_probe(PRELOAD, opts, instrumented[_i], "all");
    unlink(path);
    ck_assert_msg(strstr(r->err, "Section: global_hot\n") && !strstr(r->err, "Section: static_hot"), "%s", r->err);
    ck_assert_msg(strstr(r->err, "no function named 'no_such_function'"), "%s", r->err);
}
END_TEST

/* Naming a function of code built without -finstrument-functions checks nothing: it must say so. */
START_TEST(test_hot_functions_in_uninstrumented_code_warn)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn:hot_functions=static_hot", PROBE_UNINSTRUMENTED, "all");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_msg(strstr(r->err, "probe_uninstrumented): hot_functions: 'static_hot' is in ") &&
                      strstr(r->err, "probe_uninstrumented, which was not built with -finstrument-functions"),
                  "%s", r->err);
    r = run_probe(PRELOAD, "mode=warn:hot_functions=static_hot", instrumented[_i], "all");
    ck_assert_msg(!strstr(r->err, "-finstrument-functions"), "instrumented build warned:\n%s", r->err);
}
END_TEST

/* A program that exports nothing has no hashed dynamic symbol, and aarch64's GNU ld writes 1 for
 * the GNU hash table's symoffset there (x86-64's writes the symbol count): its imports (the hooks,
 * hotpath__hot_table) must be seen all the same. The probe is copied with that symoffset, a value
 * as valid for the loader as the original, so the case is tested on every architecture and with
 * either compiler. */
static void copy_with_symoffset_1(const char *from, char *to)
{
    int in = open(from, O_RDONLY);
    ck_assert_int_ge(in, 0);
    struct stat st;
    ck_assert_int_eq(fstat(in, &st), 0);
    char *elf = malloc((size_t)st.st_size);
    ck_assert_ptr_nonnull(elf);
    ck_assert_int_eq(read(in, elf, (size_t)st.st_size), (int)st.st_size);
    close(in);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
    int patched = 0;
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == SHT_GNU_HASH) {
            uint32_t *hash = (uint32_t *)(elf + sh[i].sh_offset);
            hash[1] = 1; /* already so in an aarch64 build */
            patched = 1;
        }
    ck_assert_msg(patched, "%s has no GNU hash table", from);
    /* With --hash-style=both (Debian's clang) the SysV table would give the count: the copy has
     * none (its DT_HASH entry is taken out of .dynamic; the loader uses the GNU table). */
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == SHT_DYNAMIC) {
            Elf64_Dyn *dyn = (Elf64_Dyn *)(elf + sh[i].sh_offset);
            size_t n = sh[i].sh_size / sizeof *dyn;
            for (size_t k = 0; k < n && dyn[k].d_tag != DT_NULL; k++)
                if (dyn[k].d_tag == DT_HASH) {
                    memmove(&dyn[k], &dyn[k + 1], (n - k - 1) * sizeof *dyn);
                    memset(&dyn[n - 1], 0, sizeof *dyn);
                    break;
                }
        }
    int out = mkstemp(to);
    ck_assert_int_ge(out, 0);
    ck_assert_int_eq(write(out, elf, (size_t)st.st_size), (int)st.st_size);
    ck_assert_int_eq(fchmod(out, 0755), 0);
    close(out);
    free(elf);
}

START_TEST(test_hot_functions_in_a_program_that_exports_nothing)
{
    char path[] = "/tmp/hotpath-noexport.XXXXXX";
    copy_with_symoffset_1(instrumented[_i], path);
    struct probe_run *r = run_probe(PRELOAD, "mode=warn:hot_functions=recursive_hot", path, "recursive");
    unlink(path);
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_msg(!strstr(r->err, "-finstrument-functions"), "instrumented build judged uninstrumented:\n%s", r->err);
    ck_assert_msg(strstr(r->err, "Section: recursive_hot\n") && strstr(r->out, "deepest 5\n"), "%s%s", r->out, r->err);
}
END_TEST

START_TEST(test_instrumented_build_runs_without_the_sentinel)
{
    struct probe_run *r = run_probe(NULL, "hot_functions=static_hot", instrumented[_i], "all");
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived") && !strstr(r->err, "HOT PATH"), "%s", r->err);
}
END_TEST

/* ---- suppressions -------------------------------------------------------------------------------- */
static char supp_path[64];
static void write_supp(const char *text)
{
    strcpy(supp_path, "/tmp/hotpath-supp.XXXXXX");
    int fd = mkstemp(supp_path);
    ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
}

static const char *supp_rules[] = {
    "# by the function in the stack\nfunction:op\n",
    "section:probe_*\n",
    "   operation:malloc   \n",
};

START_TEST(test_each_suppression_rule_suppresses)
{
    write_supp(supp_rules[_i]);
    char opts[128];
    snprintf(opts, sizeof opts, "suppressions=%s", supp_path);
    struct probe_run *r = run_probe(PRELOAD, opts, PROBE, "malloc");
    unlink(supp_path);
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "survived"), "rule %d: code=%d sig=%d\n%s", _i, r->code,
                  r->sig, r->err);
    ck_assert_msg(!strstr(r->err, "IN HOT PATH"), "%s", r->err);
    ck_assert_msg(strstr(r->err, "hotpath:   suppressed: 1 (rules from "), "%s", r->err);
}
END_TEST

START_TEST(test_non_matching_suppressions_leave_the_check_alone)
{
    write_supp("function:some_other_function\nsection:other\noperation:calloc\n");
    char opts[128];
    snprintf(opts, sizeof opts, "suppressions=%s", supp_path);
    struct probe_run *r = run_probe(PRELOAD, opts, PROBE, "malloc");
    unlink(supp_path);
    ck_assert_msg(r->signaled && r->sig == SIGABRT && strstr(r->err, "ALLOCATION IN HOT PATH!"), "%s", r->err);
}
END_TEST

static const struct {
    const char *text, *message;
} bad_supp[] = {
    {"function:ok\nfunktion:x\n", ", line 2: unknown rule kind"},
    {"\n\nno colon here\n", ", line 3: expected function:GLOB"},
    {"section:   \n", ", line 1: empty pattern"},
};

START_TEST(test_suppression_parse_errors_name_file_and_line_and_stop)
{
    write_supp(bad_supp[_i].text);
    char opts[128];
    snprintf(opts, sizeof opts, "suppressions=%s", supp_path);
    struct probe_run *r = run_probe(PRELOAD, opts, PROBE, "none");
    ck_assert_msg(r->exited && r->code == 2 && !strstr(r->out, "survived"), "code=%d", r->code);
    ck_assert_msg(strstr(r->err, supp_path) && strstr(r->err, bad_supp[_i].message), "%s", r->err);
    unlink(supp_path);
}
END_TEST

START_TEST(test_missing_suppressions_file_is_an_error)
{
    struct probe_run *r = run_probe(PRELOAD, "suppressions=/nonexistent/supp.txt", PROBE, "none");
    ck_assert_msg(r->exited && r->code == 2, "code=%d", r->code);
    ck_assert_msg(strstr(r->err, "suppressions file /nonexistent/supp.txt: cannot be opened"), "%s", r->err);
}
END_TEST

int main(void)
{
    load_calls();
    Suite *s = suite_create("beyond");
    TCase *tc = tcase_create("categories");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_each_call_is_reported_in_a_section_when_its_category_is_on, 0, NCALLS);
    tcase_add_loop_test(tc, test_results_and_errno_pass_through_unchanged, 0, NCALLS);
    tcase_add_loop_test(tc, test_other_categories_do_not_report, 0, NCALLS);
    tcase_add_loop_test(tc, test_calls_outside_sections_are_untouched, 0, NCALLS);
    tcase_add_test(tc, test_cancellation_points_stay_cancellation_points);
    tcase_add_test(tc, test_a_pending_cancel_waits_until_the_report_is_written);
    tcase_add_test(tc, test_fortified_entry_points_are_caught);
    tcase_add_test(tc, test_vfork_report_names_its_caller);
    tcase_add_test(tc, test_unknown_category_is_an_error);
    tcase_add_test(tc, test_check_list_keeps_the_allocation_check);
    tcase_add_test(tc, test_json_report_names_kind_and_category);
    suite_add_tcase(s, tc);

    tc = tcase_create("seal");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_seal_makes_every_thread_hot_until_unsealed);
    tcase_add_test(tc, test_seal_checks_calloc_and_realloc_and_aborts_by_default);
    tcase_add_test(tc, test_seal_without_the_sentinel_only_sets_a_flag);
    suite_add_tcase(s, tc);

    tc = tcase_create("hot_functions");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_hot_functions_mark_static_and_global_functions, 0, 2);
    tcase_add_loop_test(tc, test_hot_functions_nest_through_recursion, 0, 2);
    tcase_add_loop_test(tc, test_hot_functions_in_uninstrumented_code_warn, 0, 2);
    tcase_add_loop_test(tc, test_hot_functions_file_and_unknown_names, 0, 2);
    tcase_add_loop_test(tc, test_hot_functions_in_a_program_that_exports_nothing, 0, 2);
    tcase_add_loop_test(tc, test_instrumented_build_runs_without_the_sentinel, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("suppressions");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_each_suppression_rule_suppresses, 0, sizeof supp_rules / sizeof *supp_rules);
    tcase_add_test(tc, test_non_matching_suppressions_leave_the_check_alone);
    tcase_add_loop_test(tc, test_suppression_parse_errors_name_file_and_line_and_stop, 0,
                        sizeof bad_supp / sizeof *bad_supp);
    tcase_add_test(tc, test_missing_suppressions_file_is_an_error);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
