/*
 * The sentinel seen from outside: probe programs run under LD_PRELOAD=libhotpath.so with chosen
 * HOTPATH_OPTIONS; each test asserts the exit (or the signal) and the text of the report.
 * PRELOAD, PROBE, PROBE_CXX, PROBE_OWN_MALLOC and PROBE_SRC come from test/test.mk.
 */
#define _GNU_SOURCE
#include "run_probe.h"

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct probe_run *run(const char *opts, const char *scenario) { return run_probe(PRELOAD, opts, PROBE, scenario); }

static void assert_aborted_with(const struct probe_run *r, const char *op_line, const char *section)
{
    ck_assert_msg(r->signaled && r->sig == SIGABRT, "expected SIGABRT, got exit=%d code=%d sig=%d\nstderr:\n%s",
                  r->exited, r->code, r->sig, r->err);
    ck_assert_msg(strstr(r->err, "ALLOCATION IN HOT PATH!\n"), "no headline in:\n%s", r->err);
    ck_assert_msg(strstr(r->err, op_line), "no '%s' in:\n%s", op_line, r->err);
    ck_assert_msg(strstr(r->err, section), "no '%s' in:\n%s", section, r->err);
    ck_assert_msg(!strstr(r->out, "survived"), "process went on after the report");
}

/* The program ran to its end and exited 0. */
static void assert_ran_through(const struct probe_run *r)
{
    ck_assert_msg(r->exited && r->code == 0, "expected exit 0, got exit=%d code=%d sig=%d\nstderr:\n%s", r->exited,
                  r->code, r->sig, r->err);
    ck_assert_msg(strstr(r->out, "survived"), "no 'survived' in stdout:\n%s", r->out);
}

/* ... and nothing was reported. */
static void assert_clean(const struct probe_run *r)
{
    assert_ran_through(r);
    ck_assert_msg(!strstr(r->err, "IN HOT PATH") && !strstr(r->err, "summary"), "unexpected report:\n%s", r->err);
}

/* ---- every intercepted function -------------------------------------------------------------- */
static const struct {
    const char *scenario, *op_line;
} ops[] = {
    {"malloc", "Operation: malloc (32 bytes)\n"},
    {"calloc", "Operation: calloc (32 bytes)\n"},
    {"realloc", "Operation: realloc (4096 bytes)\n"},
    {"realloc_null", "Operation: realloc (100 bytes)\n"},
    {"posix_memalign", "Operation: posix_memalign (128 bytes, alignment 64)\n"},
    {"aligned_alloc", "Operation: aligned_alloc (128 bytes, alignment 64)\n"},
    {"memalign", "Operation: memalign (128 bytes, alignment 64)\n"},
    {"valloc", "Operation: valloc (100 bytes)\n"},
    {"pvalloc", "Operation: pvalloc (100 bytes)\n"},
    {"reallocarray", "Operation: reallocarray (1024 bytes)\n"},
    {"calloc_overflow", "Operation: calloc (overflowing size)\n"},
    {"strdup", "Operation: malloc (16 bytes)\n"},
    {"fopen", "Operation: malloc ("},
};

START_TEST(test_each_allocator_entry_point_in_section_is_reported_then_aborts)
{
    struct probe_run *r = run(NULL, ops[_i].scenario);
    assert_aborted_with(r, ops[_i].op_line, "Section: probe_section\n");
}
END_TEST

START_TEST(test_library_calls_that_allocate_are_caught_with_their_frame)
{
    struct probe_run *r = run(NULL, "strdup");
    ck_assert_msg(strstr(r->err, "#0 ") && (strstr(r->err, " in strdup+") || strstr(r->err, " in __strdup+")), "frame #0 should be strdup:\n%s", r->err);
}
END_TEST

START_TEST(test_free_in_section_is_allowed_by_default)
{
    assert_clean(run(NULL, "free"));
}
END_TEST

START_TEST(test_check_free_makes_free_in_section_a_violation)
{
    struct probe_run *r = run("check_free=1", "free");
    assert_aborted_with(r, "Operation: free\n", "Section: probe_section\n");
}
END_TEST

START_TEST(test_free_null_is_never_a_violation)
{
    assert_clean(run("check_free=1", "free_null"));
}
END_TEST

START_TEST(test_malloc_usable_size_is_not_an_allocation)
{
    assert_clean(run(NULL, "usable_size"));
}
END_TEST

START_TEST(test_section_without_allocation_is_clean)
{
    assert_clean(run(NULL, "none"));
}
END_TEST

START_TEST(test_without_preload_marks_are_harmless)
{
    struct probe_run *r = run_probe(NULL, NULL, PROBE, "malloc");
    assert_clean(r);
    r = run_probe(NULL, NULL, PROBE, "queries");
    ck_assert_msg(strstr(r->out, "active 0 depth 0 hot 0\n"), "%s", r->out);
    ck_assert_msg(strstr(r->out, "depth 2 section q_inner hot 1\n"), "%s", r->out);
}
END_TEST

START_TEST(test_free_preserves_errno)
{
    struct probe_run *r = run(NULL, "errno");
    assert_clean(r);
    ck_assert_msg(strstr(r->out, "errno 4242\n"), "%s", r->out);
}
END_TEST

/* ---- the report's content -------------------------------------------------------------------- */
START_TEST(test_report_names_function_file_line_and_thread)
{
    struct probe_run *r = run(NULL, "malloc");
    char want[256];
    snprintf(want, sizeof want, "probe.c:%d\n", line_of(PROBE_SRC, "LINE:malloc"));
    ck_assert_msg(strstr(r->err, want), "no '%s' in:\n%s", want, r->err);
    ck_assert_msg(strstr(r->err, "    #0 0x") && strstr(r->err, " in op+0x"), "frame #0 is not op():\n%s", r->err);
    ck_assert_msg(strstr(r->err, " in main+0x"), "no main frame:\n%s", r->err);
    ck_assert_msg(!strstr(r->err, "libhotpath.so+"), "sentinel frames not cut:\n%s", r->err);
    ck_assert_msg(strstr(r->err, "Thread: ") && strstr(r->err, "(pid "), "no thread line:\n%s", r->err);
    ck_assert_msg(strstr(r->err, "Backtrace:\n"), "%s", r->err);
}
END_TEST

START_TEST(test_nesting_restores_outer_section_and_shows_the_stack)
{
    struct probe_run *r = run("mode=warn:dedup=0", "nested");
    assert_ran_through(r);
    ck_assert_int_eq(count_of(r->err, "IN HOT PATH!"), 2);
    const char *inner = strstr(r->err, "Section: inner_section\nSection stack: outer_section > inner_section\n");
    const char *outer = strstr(r->err, "Section: outer_section\n");
    ck_assert_msg(inner && outer && inner < outer, "%s", r->err);
}
END_TEST

START_TEST(test_allow_regions_nest_and_end)
{
    struct probe_run *r = run("mode=warn", "allow");
    assert_ran_through(r);
    ck_assert_int_eq(count_of(r->err, "IN HOT PATH!"), 1);
    ck_assert_int_eq(count_of(r->err, "Operation: malloc (17 bytes)"), 1);
}
END_TEST

START_TEST(test_only_hot_threads_are_checked_and_reports_do_not_interleave)
{
    struct probe_run *r = run("mode=warn", "threads");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!\nOperation: malloc (40 bytes)\nSection: thread_"), 2);
    ck_assert_int_eq(count_of(r->err, "Section: thread_a\n"), 1);
    ck_assert_int_eq(count_of(r->err, "Section: thread_b\n"), 1);
    ck_assert_int_eq(count_of(r->err, "(48 bytes)"), 0);
}
END_TEST

START_TEST(test_scope_macro_ends_with_the_block)
{
    struct probe_run *r = run("mode=warn", "scope");
    assert_ran_through(r);
    ck_assert_int_eq(count_of(r->err, "IN HOT PATH!"), 1);
    ck_assert_msg(strstr(r->err, "Section: scoped_section\n"), "%s", r->err);
}
END_TEST

START_TEST(test_function_macro_names_the_section_after_the_function)
{
    struct probe_run *r = run("mode=warn", "function");
    ck_assert_int_eq(count_of(r->err, "IN HOT PATH!"), 1);
    ck_assert_msg(strstr(r->err, "Section: whole_function\n"), "%s", r->err);
}
END_TEST

START_TEST(test_forked_child_inherits_the_section_and_reports_itself)
{
    struct probe_run *r = run(NULL, "fork");
    ck_assert_msg(r->exited && r->code == 0, "parent: %s", r->err);
    ck_assert_msg(strstr(r->out, "child signal 6\n"), "child should abort: %s", r->out);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 1);
    ck_assert_msg(strstr(r->err, "Section: fork_section\n"), "%s", r->err);
    char want[64];
    snprintf(want, sizeof want, "probe.c:%d\n", line_of(PROBE_SRC, "LINE:fork_child"));
    ck_assert_msg(strstr(r->err, want), "%s", r->err);
}
END_TEST

START_TEST(test_signal_handler_allocating_in_a_section_is_reported)
{
    struct probe_run *r = run(NULL, "signal");
    assert_aborted_with(r, "Operation: malloc (24 bytes)\n", "Section: signal_section\n");
    char want[64];
    snprintf(want, sizeof want, "probe.c:%d\n", line_of(PROBE_SRC, "LINE:handler"));
    ck_assert_msg(strstr(r->err, want), "%s", r->err);
}
END_TEST

START_TEST(test_queries_report_depth_section_and_sentinel)
{
    struct probe_run *r = run("mode=warn", "queries");
    assert_clean(r);
    ck_assert_msg(strstr(r->out, "active 1 depth 0 hot 0\n"), "%s", r->out);
    ck_assert_msg(strstr(r->out, "depth 2 section q_inner hot 1\n"), "%s", r->out);
    ck_assert_msg(strstr(r->out, "allowed hot 0\n"), "%s", r->out);
    ck_assert_msg(strstr(r->out, "depth 1 section q_outer\n"), "%s", r->out);
    ck_assert_msg(strstr(r->out, "violations 0\n"), "%s", r->out);
}
END_TEST

/* ---- misuse ------------------------------------------------------------------------------------ */
START_TEST(test_unbalanced_exit_gets_a_diagnostic_and_is_ignored)
{
    struct probe_run *r = run(NULL, "unbalanced");
    assert_clean(r);
    ck_assert_int_eq(count_of(r->err, "hotpath_exit() without a matching hotpath_enter()"), 1);
    ck_assert_int_eq(count_of(r->err, "hotpath_allow_end() without a matching hotpath_allow_begin()"), 1);
}
END_TEST

START_TEST(test_ten_thousand_deep_nesting_is_counted_exactly)
{
    struct probe_run *r = run("mode=warn", "deep");
    assert_ran_through(r);
    ck_assert_int_eq(count_of(r->err, "IN HOT PATH!"), 1);
    ck_assert_msg(strstr(r->err, "Section stack: (9984 more) > deep_section > "), "%s", r->err);
}
END_TEST

START_TEST(test_null_section_name_is_reported_as_null)
{
    struct probe_run *r = run("mode=warn", "nullname");
    assert_ran_through(r);
    ck_assert_msg(strstr(r->err, "Section: (null)\n"), "%s", r->err);
}
END_TEST

START_TEST(test_long_section_name_is_cut_and_escaped)
{
    struct probe_run *r = run("mode=warn", "longname");
    assert_ran_through(r);
    ck_assert_msg(strstr(r->err, "Section: nnnnn\\x0annn"), "newline not escaped:\n%.300s", r->err);
    ck_assert_msg(strstr(r->err, "nnn...\n"), "name not cut");
}
END_TEST

/* ---- modes and the summary ------------------------------------------------------------------- */
START_TEST(test_warn_mode_prints_each_call_stack_once_and_summarises)
{
    struct probe_run *r = run("mode=warn", "repeat");
    assert_ran_through(r);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 1);
    ck_assert_msg(strstr(r->err, "hotpath: summary: 5 violations in 1 section at 1 call site (mode=warn"), "%s", r->err);
    ck_assert_msg(strstr(r->err, "hotpath:   section repeat_section: 5\n"), "%s", r->err);
    char want[128];
    snprintf(want, sizeof want, "hotpath:   site 1: 5 x malloc (allocation) in main (%s:%d) [repeat_section]\n", PROBE_SRC,
             line_of(PROBE_SRC, "LINE:repeat"));
    ck_assert_msg(strstr(r->err, want), "no '%s' in:\n%s", want, r->err);
}
END_TEST

START_TEST(test_dedup_off_prints_every_violation)
{
    struct probe_run *r = run("mode=warn:dedup=0", "repeat");
    assert_ran_through(r);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 5);
}
END_TEST

START_TEST(test_count_mode_counts_without_reports)
{
    struct probe_run *r = run("mode=count", "two_sites");
    assert_ran_through(r);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 0);
    ck_assert_msg(strstr(r->err, "hotpath: summary: 4 violations in 1 section at 2 call sites (mode=count"), "%s", r->err);
    ck_assert_msg(strstr(r->err, ": 3 x malloc (allocation) in main (") && strstr(r->err, ": 1 x calloc (allocation) in main ("), "%s", r->err);
    r = run("mode=count", "count_api");
    ck_assert_msg(strstr(r->out, "violations 7\n"), "%s", r->out);
}
END_TEST

START_TEST(test_abort_mode_prints_no_summary)
{
    struct probe_run *r = run(NULL, "malloc");
    ck_assert_msg(!strstr(r->err, "hotpath: summary"), "%s", r->err);
}
END_TEST

/* ---- options ----------------------------------------------------------------------------------- */
START_TEST(test_unknown_option_is_named_and_the_run_goes_on)
{
    struct probe_run *r = run("mode=warn:colour=blue", "repeat");
    assert_ran_through(r);
    ck_assert_msg(strstr(r->err, "hotpath: warning: HOTPATH_OPTIONS: unknown option 'colour'"), "%s", r->err);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 1);
}
END_TEST

static const struct {
    const char *opts, *named;
} bad_opts[] = {
    {"mode=wran", "invalid value for 'mode': 'wran'"},
    {"check_free=maybe", "invalid value for 'check_free': 'maybe'"},
    {"max_frames=0", "invalid value for 'max_frames': '0'"},
    {"max_frames=99999999999", "invalid value for 'max_frames'"},
    {"backtrace", "expected key=value, got 'backtrace'"},
    {"log_path=", "invalid value for 'log_path'"},
};

START_TEST(test_invalid_option_value_stops_the_process_with_a_message)
{
    struct probe_run *r = run(bad_opts[_i].opts, "malloc");
    ck_assert_msg(r->exited && r->code == 2, "expected exit 2, got code=%d sig=%d", r->code, r->sig);
    ck_assert_msg(strstr(r->err, bad_opts[_i].named), "no '%s' in:\n%s", bad_opts[_i].named, r->err);
    ck_assert_msg(strstr(r->err, "weaker check"), "%s", r->err);
    ck_assert_msg(!strstr(r->out, "survived"), "the program ran");
}
END_TEST

START_TEST(test_huge_options_string_is_refused_cleanly)
{
    static char big[20000];
    memset(big, 'x', sizeof big - 1);
    memcpy(big, "mode=warn:", 10);
    struct probe_run *r = run(big, "none");
    ck_assert_msg(r->exited && r->code == 2, "code=%d sig=%d", r->code, r->sig);
    ck_assert_msg(strstr(r->err, "longer than 8192 bytes"), "%s", r->err);
}
END_TEST

START_TEST(test_backtrace_symbolize_and_max_frames_options)
{
    struct probe_run *r = run("mode=warn:backtrace=0", "malloc");
    ck_assert_msg(strstr(r->err, "Section: probe_section\n") && !strstr(r->err, "Backtrace:"), "%s", r->err);
    r = run("mode=warn:max_frames=1", "malloc");
    ck_assert_msg(strstr(r->err, "    #0 ") && !strstr(r->err, "    #1 "), "%s", r->err);
    r = run("mode=warn:symbolize=0", "malloc");
    ck_assert_msg(strstr(r->err, "    #0 0x") && !strstr(r->err, "probe.c:"), "%s", r->err);
}
END_TEST

static char tmpdir[64];
static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/hotpath-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

START_TEST(test_log_path_expands_pid_and_keeps_stderr_clean)
{
    make_tmpdir();
    char opts[256];
    snprintf(opts, sizeof opts, "mode=warn:log_path=%s/hp.%%p.log", tmpdir);
    struct probe_run *r = run(opts, "fork");
    ck_assert_msg(!strstr(r->err, "IN HOT PATH"), "%s", r->err);
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int files = 0, reports = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "hp.", 3)) continue;
        files++;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
        struct stat st;
        stat(path, &st);
        ck_assert_msg(!(st.st_mode & S_IWOTH), "log file is world-writable");
        reports += count_of(slurp(path), "ALLOCATION IN HOT PATH!");
    }
    closedir(d);
    /* only the child violated, in its own hp.<childpid>.log; the parent's log holds its "checked" line */
    ck_assert_int_eq(files, 2);
    ck_assert_int_eq(reports, 1);
}
END_TEST

START_TEST(test_log_descriptor_reused_by_the_program_is_never_written)
{
    make_tmpdir();
    char opts[256], path[256];
    snprintf(opts, sizeof opts, "mode=warn:log_path=%s/hp.log", tmpdir);
    snprintf(path, sizeof path, "%s/hp.log", tmpdir);
    struct probe_run *r = run(opts, "fd_reuse");
    assert_ran_through(r);
    ck_assert_msg(strstr(r->out, "data file 4 bytes\n"), "the program's file was written to:\n%s", r->out);
    const char *log = slurp(path);
    ck_assert_ptr_nonnull(log);
    ck_assert_int_eq(count_of(log, "ALLOCATION IN HOT PATH!"), 2);
    ck_assert_msg(strstr(log, "Section: second\n") && strstr(log, "hotpath: summary: 2 violations"), "%s", log);
}
END_TEST

START_TEST(test_unopenable_log_path_falls_back_to_stderr_with_a_word)
{
    struct probe_run *r = run("mode=warn:log_path=/nonexistent-dir/x/hp.log", "malloc");
    ck_assert_msg(strstr(r->err, "cannot open '/nonexistent-dir/x/hp.log'") && strstr(r->err, "reports go to stderr"),
                  "%s", r->err);
    ck_assert_msg(strstr(r->err, "ALLOCATION IN HOT PATH!"), "%s", r->err);
}
END_TEST

START_TEST(test_json_path_writes_one_object_per_report)
{
    make_tmpdir();
    char opts[256], path[256];
    snprintf(opts, sizeof opts, "mode=warn:dedup=0:json_path=%s/hp.json", tmpdir);
    snprintf(path, sizeof path, "%s/hp.json", tmpdir);
    struct probe_run *r = run(opts, "repeat");
    assert_ran_through(r);
    const char *j = slurp(path);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(count_of(j, "{\"kind\":\"allocation\""), 5);
    ck_assert_int_eq(count_of(j, "{\"kind\":\"summary\""), 1);
    ck_assert_int_eq(count_of(j, "\n"), 6); /* five reports and the summary at exit */
    ck_assert_msg(strstr(j, "\"operation\":\"malloc\",\"size\":24,\"section\":\"repeat_section\""), "%s", j);
    ck_assert_msg(strstr(j, "\"function\":\"main\"") && strstr(j, "\"file\":\"" PROBE_SRC "\""), "%s", j);
}
END_TEST

START_TEST(test_json_summary_line_counts_what_reports_do_not_show)
{
    make_tmpdir();
    char opts[256], path[256];
    snprintf(opts, sizeof opts, "mode=count:json_path=%s/hp.json", tmpdir);
    snprintf(path, sizeof path, "%s/hp.json", tmpdir);
    run(opts, "two_sites");
    const char *j = slurp(path);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(count_of(j, "\n"), 1); /* count mode: no reports, one summary line */
    ck_assert_msg(strstr(j, "{\"kind\":\"summary\",\"pid\":") && strstr(j, "\"mode\":\"count\",\"violations\":4,"),
                  "%s", j);
    char want[256];
    snprintf(want, sizeof want, "{\"count\":3,\"kind\":\"allocation\",\"operation\":\"malloc\",\"section\":\"site_section\","
             "\"function\":\"main\",\"file\":\"%s\",\"line\":",
             PROBE_SRC);
    ck_assert_msg(strstr(j, want), "no '%s' in %s", want, j);
}
END_TEST

START_TEST(test_mark_dir_records_each_violating_process)
{
    make_tmpdir();
    char opts[256];
    snprintf(opts, sizeof opts, "mode=count:mark_dir=%s", tmpdir);
    run(opts, "repeat");
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int marks = 0;
    while ((e = readdir(d))) marks += !strncmp(e->d_name, "violation.", 10);
    closedir(d);
    ck_assert_int_eq(marks, 1);
}
END_TEST

/* ---- C++ and bypass ---------------------------------------------------------------------------- */
static const struct {
    const char *scenario, *op_line;
} cxx_ops[] = {
    {"new", "Operation: operator new (4 bytes)\n"},
    {"vector", "Operation: operator new (4 bytes)\n"},
    {"string", "Operation: operator new (101 bytes)\n"},
    {"array", "Operation: operator new[] (40 bytes)\n"},
    {"nothrow", "Operation: operator new (8 bytes)\n"},
    {"aligned", "Operation: operator new (64 bytes, alignment 64)\n"},
};

/* The operators themselves are interposed, so a chained allocator's own operator new (which never
 * calls malloc) is caught too; the malloc inside libstdc++'s is not reported a second time. */
START_TEST(test_cxx_allocations_are_caught_as_operator_new)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_CXX, cxx_ops[_i].scenario);
    assert_aborted_with(r, cxx_ops[_i].op_line, "Section: cxx_section\n");
    r = run_probe(PRELOAD, "mode=warn:dedup=0", PROBE_CXX, cxx_ops[_i].scenario);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 1);
    /* The first physical frame is the program, or the library function that allocated for it
     * (std::string's) and then the program; frames inlined into them come before, marked. */
    int physical = 0, in_program = 0;
    for (const char *l = strstr(r->err, "    #0 0x"); l && physical < 2; l = strstr(l + 1, "\n    #")) {
        if (*l == '\n') l++;
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) : strlen(l);
        if (memmem(l, len, " (inlined)", 10)) continue;
        physical++;
        if (memmem(l, len, "/probe_cxx+0x", 13)) in_program = 1;
    }
    ck_assert_msg(in_program, "the program is not in the first two physical frames:\n%s", r->err);
}
END_TEST

START_TEST(test_cxx_guard_leaves_the_section_when_an_exception_unwinds)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_CXX, "exception");
    assert_clean(r);
    ck_assert_msg(strstr(r->out, "caught cold error path depth 0\n"), "%s", r->out);
}
END_TEST

START_TEST(test_exception_through_operator_new_does_not_hide_the_next_violation)
{
    struct probe_run *r = run_probe(PRELOAD, "mode=warn", PROBE_CXX, "bad_alloc_then_malloc");
    assert_ran_through(r);
    ck_assert_msg(strstr(r->out, "bad_alloc caught\n"), "%s", r->out);
    ck_assert_int_eq(count_of(r->err, "ALLOCATION IN HOT PATH!"), 1);
    ck_assert_msg(strstr(r->err, "Operation: malloc (24 bytes)\n"), "%s", r->err);
}
END_TEST

/* An RTLD_LOCAL plugin's libstdc++ is outside the start-up scope that RTLD_NEXT searches. */
START_TEST(test_cxx_plugin_loaded_rtld_local_works_and_is_checked)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_PLUGIN_HOST, "cold");
    ck_assert_msg(r->exited && r->code == 0 && strstr(r->out, "plugin_run -> 42\n"), "code=%d\n%s%s", r->code, r->out,
                  r->err);
    ck_assert_msg(!strstr(r->err, "hotpath: error") && !strstr(r->err, "IN HOT PATH"), "%s", r->err);
    r = run_probe(PRELOAD, NULL, PROBE_PLUGIN_HOST, "hot");
    assert_aborted_with(r, "Operation: operator new (4 bytes)\n", "Section: plugin_section\n");
}
END_TEST

START_TEST(test_allocator_in_the_executable_is_reported_in_a_process_with_sections)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_OWN_MALLOC, "section");
    ck_assert_msg(strstr(r->err, "carries its own allocator") && strstr(r->err, "will NOT be checked"), "%s", r->err);
    ck_assert_msg(strstr(r->out, "active 0"), "%s", r->out);
}
END_TEST

START_TEST(test_non_pie_executable_taking_mallocs_address_is_not_a_bypass)
{
    struct probe_run *r = run_probe(PRELOAD, NULL, PROBE_NONPIE, "");
    ck_assert_msg(r->exited && r->code == 0, "%s", r->err);
    ck_assert_msg(!strstr(r->err, "NOT be checked"), "false alarm:\n%s", r->err);
    ck_assert_msg(strstr(r->out, "active 1\n"), "%s", r->out);
}
END_TEST

START_TEST(test_bootstrap_allocations_from_dlsym_are_recognised_later)
{
    setenv("HOTPATH_TEST_BOOTSTRAP_MISS", "1", 1);
    struct probe_run *r = run("mode=warn", "dlerror");
    unsetenv("HOTPATH_TEST_BOOTSTRAP_MISS");
    assert_clean(r);
    ck_assert_int_eq(count_of(r->out, "dlerror set\n"), 3);
    ck_assert_msg(strstr(r->out, "usable 1\n"), "%s", r->out);
    setenv("HOTPATH_TEST_BOOTSTRAP_MISS", "1", 1);
    r = run(NULL, "malloc");
    unsetenv("HOTPATH_TEST_BOOTSTRAP_MISS");
    assert_aborted_with(r, "Operation: malloc (32 bytes)\n", "Section: probe_section\n");
}
END_TEST

static Suite *sentinel_suite(void)
{
    Suite *s = suite_create("sentinel");
    TCase *tc = tcase_create("intercept");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_each_allocator_entry_point_in_section_is_reported_then_aborts, 0,
                        sizeof ops / sizeof *ops);
    tcase_add_test(tc, test_library_calls_that_allocate_are_caught_with_their_frame);
    tcase_add_test(tc, test_free_in_section_is_allowed_by_default);
    tcase_add_test(tc, test_check_free_makes_free_in_section_a_violation);
    tcase_add_test(tc, test_free_null_is_never_a_violation);
    tcase_add_test(tc, test_malloc_usable_size_is_not_an_allocation);
    tcase_add_test(tc, test_section_without_allocation_is_clean);
    tcase_add_test(tc, test_without_preload_marks_are_harmless);
    tcase_add_test(tc, test_free_preserves_errno);
    suite_add_tcase(s, tc);

    tc = tcase_create("report");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_report_names_function_file_line_and_thread);
    tcase_add_test(tc, test_nesting_restores_outer_section_and_shows_the_stack);
    tcase_add_test(tc, test_allow_regions_nest_and_end);
    tcase_add_test(tc, test_only_hot_threads_are_checked_and_reports_do_not_interleave);
    tcase_add_test(tc, test_scope_macro_ends_with_the_block);
    tcase_add_test(tc, test_function_macro_names_the_section_after_the_function);
    tcase_add_test(tc, test_forked_child_inherits_the_section_and_reports_itself);
    tcase_add_test(tc, test_signal_handler_allocating_in_a_section_is_reported);
    tcase_add_test(tc, test_queries_report_depth_section_and_sentinel);
    suite_add_tcase(s, tc);

    tc = tcase_create("misuse");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_unbalanced_exit_gets_a_diagnostic_and_is_ignored);
    tcase_add_test(tc, test_ten_thousand_deep_nesting_is_counted_exactly);
    tcase_add_test(tc, test_null_section_name_is_reported_as_null);
    tcase_add_test(tc, test_long_section_name_is_cut_and_escaped);
    suite_add_tcase(s, tc);

    tc = tcase_create("modes");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_warn_mode_prints_each_call_stack_once_and_summarises);
    tcase_add_test(tc, test_dedup_off_prints_every_violation);
    tcase_add_test(tc, test_count_mode_counts_without_reports);
    tcase_add_test(tc, test_abort_mode_prints_no_summary);
    suite_add_tcase(s, tc);

    tc = tcase_create("options");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_unknown_option_is_named_and_the_run_goes_on);
    tcase_add_loop_test(tc, test_invalid_option_value_stops_the_process_with_a_message, 0,
                        sizeof bad_opts / sizeof *bad_opts);
    tcase_add_test(tc, test_huge_options_string_is_refused_cleanly);
    tcase_add_test(tc, test_backtrace_symbolize_and_max_frames_options);
    tcase_add_test(tc, test_log_path_expands_pid_and_keeps_stderr_clean);
    tcase_add_test(tc, test_unopenable_log_path_falls_back_to_stderr_with_a_word);
    tcase_add_test(tc, test_log_descriptor_reused_by_the_program_is_never_written);
    tcase_add_test(tc, test_json_path_writes_one_object_per_report);
    tcase_add_test(tc, test_mark_dir_records_each_violating_process);
    tcase_add_test(tc, test_json_summary_line_counts_what_reports_do_not_show);
    suite_add_tcase(s, tc);

    tc = tcase_create("cxx_and_bypass");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_cxx_allocations_are_caught_as_operator_new, 0, sizeof cxx_ops / sizeof *cxx_ops);
    tcase_add_test(tc, test_cxx_guard_leaves_the_section_when_an_exception_unwinds);
    tcase_add_test(tc, test_allocator_in_the_executable_is_reported_in_a_process_with_sections);
    tcase_add_test(tc, test_exception_through_operator_new_does_not_hide_the_next_violation);
    tcase_add_test(tc, test_cxx_plugin_loaded_rtld_local_works_and_is_checked);
    tcase_add_test(tc, test_non_pie_executable_taking_mallocs_address_is_not_a_bypass);
    tcase_add_test(tc, test_bootstrap_allocations_from_dlsym_are_recognised_later);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sentinel_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
