/*
 * HOTPATH_OPTIONS' separators, help=1 and the limits its messages state (preload/options.def).
 * Sanitizers accept ':', ',' and whitespace between pairs; so does hotpath, a ',' separating pairs
 * only when a key and '=' follow it (check=lock,io keeps its list). Each case runs `torture
 * one_hot` (one allocation in a section) and checks how it ends and what stderr says.
 * On the ':'-only parser, the ',' and whitespace cases exit 2 ("invalid value for 'mode':
 * 'warn,check=all'") and help=1 is an unknown key.
 */
#define _GNU_SOURCE
#include "rl_run.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T 60

enum outcome { ABORTS, WARNS, COUNTS, REFUSED };

static const struct {
    const char *opts;
    enum outcome want;
    const char *message; /* must appear on stderr ("" = nothing required) */
} cases[] = {
    {"mode=warn,check=all", WARNS, ""},
    {"check=lock,io,mode=count", COUNTS, ""},           /* a list, then a pair after a ',' */
    {"mode=warn,hot_functions=a,b,dedup=0", WARNS, ""}, /* a name list in the middle */
    {"mode=warn check=lock", WARNS, ""},
    {"mode=count\tdedup=0\nbacktrace=1", COUNTS, ""},
    {"  mode=warn  ", WARNS, ""},
    {"mode=warn,", WARNS, ""},
    {"mode=warn,:, max_frames=8", WARNS, ""},
    {"mode=warn:check=all,mode=count", COUNTS, ""}, /* the last one wins, whatever separates them */
    {"mode=warn,bad", REFUSED, "invalid value for 'mode': 'warn,bad' (expected abort, warn or count)"},
    {"mode=warn bad", REFUSED,
     "expected key=value, got 'bad' (pairs are separated by ':', ',' or whitespace)"},
    {"check=lock,bogus", REFUSED, "(expected a comma-separated list of alloc, lock, sleep, io, mmap, spawn"},
    {"max_frames=65", REFUSED, "(expected a number from 1 to 64)"},
    {"dedup=2", REFUSED, "(expected 0 or 1 (or no/yes, false/true))"},
    {"mode=warn,log_path='/tmp", REFUSED, "no closing quote in the value of 'log_path'"},
    {"mode=warn,log_path=\"/tmp/x\"y", REFUSED, "expected a separator after the quoted value of 'log_path'"},
    {"mode=warn,colour=blue", WARNS, "unknown option 'colour' (known: mode, dedup, check_free, backtrace"},
    {"mode=warn,colour=blue", WARNS, "suppressions, help; help=1 lists them)"},
};
#define NCASES (int)(sizeof cases / sizeof *cases)

static void check_outcome(const struct rl_run *r, enum outcome want, const char *opts)
{
    switch (want) {
    case ABORTS:
        ck_assert_msg(r->signaled && r->sig == SIGABRT, "[%s] expected SIGABRT, got %s\n%.2000s", opts,
                      rl_how(r), r->err);
        break;
    case WARNS:
        ck_assert_msg(r->exited && r->code == 0, "[%s] expected exit 0, got %s\n%.2000s", opts, rl_how(r),
                      r->err);
        ck_assert_msg(
            strstr(r->err, "ALLOCATION IN HOT PATH!\nOperation: malloc (32 bytes)\nSection: one_hot\n"),
            "[%s] %.2000s", opts, r->err);
        break;
    case COUNTS:
        ck_assert_msg(r->exited && r->code == 0, "[%s] expected exit 0, got %s\n%.2000s", opts, rl_how(r),
                      r->err);
        ck_assert_msg(!strstr(r->err, "ALLOCATION IN HOT PATH!") &&
                          strstr(r->err, "hotpath: summary: 1 violation"),
                      "[%s] %.2000s", opts, r->err);
        break;
    case REFUSED:
        ck_assert_msg(r->exited && r->code == 2, "[%s] expected exit 2, got %s\n%.2000s", opts, rl_how(r),
                      r->err);
        ck_assert_msg(!strstr(r->out, "survived"), "[%s] ran:\n%s", opts, r->out);
        break;
    }
}

START_TEST(test_separators_and_messages)
{
    struct rl_run *r = rl_runv(PRELOAD, cases[_i].opts, T, TORTURE, "one_hot", NULL);
    check_outcome(r, cases[_i].want, cases[_i].opts);
    ck_assert_msg(strstr(r->err, cases[_i].message), "[%s] no '%s' in:\n%.2000s", cases[_i].opts,
                  cases[_i].message, r->err);
}
END_TEST

/* help=1 lists every option (type, default, meaning) and the process goes on with the others. */
START_TEST(test_help_lists_every_option_and_the_process_goes_on)
{
    struct rl_run *r = rl_runv(PRELOAD, "help=1,mode=warn", T, TORTURE, "one_hot", NULL);
    check_outcome(r, WARNS, "help=1,mode=warn");
    static const char *const lines[] = {
        "hotpath: HOTPATH_OPTIONS: key=value pairs separated by ':', ',' or whitespace, at most 8192 bytes",
        "hotpath:   mode=abort|warn|count        (enum, default abort)  abort: report, then abort()",
        "hotpath:   max_frames=N                 (int, default 32)  frames printed, 1 to 64\n",
        "hotpath:   log_path=PATH                (path, default stderr)  reports go to PATH (%p = pid); at "
        "most 1023 "
        "bytes\n",
        "hotpath:   check=LIST                   (list, default alloc)",
        "hotpath:   hot_functions=NAME,...       (text, default none)",
        "hotpath:   help=0|1                     (bool, default 0)",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        ck_assert_msg(strstr(r->err, lines[i]), "no '%s' in:\n%.2000s", lines[i], r->err);
    /* without help=1, no list */
    r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "one_hot", NULL);
    ck_assert_msg(!strstr(r->err, "hotpath:   mode="), "%.2000s", r->err);
}
END_TEST

/* The size limits the README states: a hot_functions_file over 64 KiB is refused, not cut (its
 * last names would silently go unchecked; it was cut before). */
START_TEST(test_hot_functions_file_over_64_kib_is_refused)
{
    char path[] = "/tmp/hotpath-options-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    static char text[70 * 1024];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = i % 100 == 99 ? '\n' : 'f'; /* 716 names: under the 1024 limit */
    ck_assert_int_eq(write(fd, text, sizeof text), (long)sizeof text);
    close(fd);
    char opts[128];
    snprintf(opts, sizeof opts, "mode=warn,hot_functions_file=%s", path);
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    unlink(path);
    check_outcome(r, REFUSED, opts);
    ck_assert_msg(strstr(r->err, "is larger than 64 KiB"), "%.2000s", r->err);
}
END_TEST

/* A quoted value keeps its separators: a log path with a space, a ',' and a ':' in it. */
START_TEST(test_a_quoted_value_keeps_its_separators)
{
    char dir[] = "/tmp/hotpath-options-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char sub[128], log[160], opts[256];
    snprintf(sub, sizeof sub, "%s/a b,c:d", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(log, sizeof log, "%s/h.log", sub);
    snprintf(opts, sizeof opts, "mode=warn,log_path=\"%s\" dedup=0", log);
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    ck_assert_msg(r->exited && r->code == 0, "[%s] %s\n%.2000s", opts, rl_how(r), r->err);
    char *text = rl_slurp(log);
    ck_assert_msg(text && strstr(text, "ALLOCATION IN HOT PATH!"), "[%s] no report in %s\n%.2000s", opts, log,
                  r->err);
    free(text);
    unlink(log);
    rmdir(sub);
    rmdir(dir);
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("options");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_loop_test(tc, test_separators_and_messages, 0, NCASES);
    tcase_add_test(tc, test_help_lists_every_option_and_the_process_goes_on);
    tcase_add_test(tc, test_hot_functions_file_over_64_kib_is_refused);
    tcase_add_test(tc, test_a_quoted_value_keeps_its_separators);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(options_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
