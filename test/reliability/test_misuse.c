/*
 * Bad input and API misuse: HOTPATH_OPTIONS with unknown keys, bad values, odd separators, huge
 * strings, control bytes, random bytes; hotpath_exit without enter, a million-deep nesting, NULL,
 * empty, 1 MiB, format-string and invalid-UTF-8 section names. Each gets a clear message and never
 * a crash, a hang or a silently weaker check.
 */
#define _GNU_SOURCE
#include "rl_reports.h"
#include "rl_run.h"

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T 60

static void assert_survived(const struct rl_run *r)
{
    ck_assert_msg(r->exited && r->code == 0, "expected exit 0, got %s\nstdout:\n%.2000s\nstderr:\n%.2000s", rl_how(r),
                  r->out, r->err);
    ck_assert_msg(strstr(r->out, "survived\n"), "no 'survived':\n%s", r->out);
}

/* How a run of `torture one_hot` (one allocation in a section) must end for given options. */
enum outcome {
    ABORTS,   /* runs, checks in abort mode: SIGABRT with the report */
    WARNS,    /* runs, checks in warn mode: report, exit 0, violations 1 */
    COUNTS,   /* runs, checks in count mode: no report, the summary */
    REFUSED,  /* does not run: exit 2 and an error naming the problem */
};
static const struct {
    const char *opts;
    enum outcome want;
    const char *message; /* must appear on stderr ("" = nothing required) */
} cases[] = {
    {"", ABORTS, ""},
    {":::", ABORTS, ""},
    {"mode=warn:::", WARNS, ""},
    {":mode=count:", COUNTS, ""},
    {"mode=warn:mode=abort", ABORTS, ""},  /* the last one wins */
    {"mode=count:mode=warn", WARNS, ""},
    {"mode=warn:colour=blue:verbosity=9", WARNS, "unknown option 'colour'"},
    {"mode=warn:Mode=count", WARNS, "unknown option 'Mode'"},
    {"mode=warn:\x1b[31m=1", WARNS, "unknown option '\\x1b[31m'"}, /* escaped, not sent to the tty */
    {"mode=warn:dedup=yes:backtrace=false:symbolize=no", WARNS, ""},
    {"mode=warn:max_frames=64", WARNS, ""},
    {"mode=warn:max_frames=0064", WARNS, ""},
    {"=warn", REFUSED, "expected key=value, got '=warn'"},
    {"mode", REFUSED, "expected key=value, got 'mode'"},
    {"mode=", REFUSED, "invalid value for 'mode': ''"},
    {"mode=warn=1", REFUSED, "invalid value for 'mode': 'warn=1'"},
    {"mode=WARN", REFUSED, "invalid value for 'mode': 'WARN'"},
    {"mode=warn ", WARNS, ""}, /* whitespace separates pairs, as in sanitizers' options */
    {" mode=warn", WARNS, ""},
    {"check_free=2", REFUSED, "invalid value for 'check_free': '2'"},
    {"dedup=on", REFUSED, "invalid value for 'dedup': 'on'"},
    {"max_frames=65", REFUSED, "invalid value for 'max_frames': '65'"},
    {"max_frames=-1", REFUSED, "invalid value for 'max_frames': '-1'"},
    {"max_frames=1e3", REFUSED, "invalid value for 'max_frames': '1e3'"},
    {"max_frames=9999999999999999999999", REFUSED, "invalid value for 'max_frames'"},
    {"json_path=", REFUSED, "invalid value for 'json_path'"},
    {"mark_dir=", REFUSED, "invalid value for 'mark_dir'"},
    {"mode=warn:bad", REFUSED, "expected key=value, got 'bad'"},
    {"mode=warn:mode=abort:mode=bogus", REFUSED, "invalid value for 'mode': 'bogus'"},
};
#define NCASES (int)(sizeof cases / sizeof *cases)

static void check_outcome(const struct rl_run *r, enum outcome want, const char *opts)
{
    switch (want) {
    case ABORTS:
        ck_assert_msg(r->signaled && r->sig == SIGABRT, "[%s] expected SIGABRT, got %s\n%s", opts, rl_how(r), r->err);
        ck_assert_msg(strstr(r->err, "ALLOCATION IN HOT PATH!\nOperation: malloc (32 bytes)\nSection: one_hot\n"),
                      "[%s] %s", opts, r->err);
        break;
    case WARNS:
        ck_assert_msg(r->exited && r->code == 0, "[%s] expected exit 0, got %s\n%s", opts, rl_how(r), r->err);
        ck_assert_msg(strstr(r->out, "violations 1\n") && strstr(r->err, "ALLOCATION IN HOT PATH!"), "[%s] %s", opts,
                      r->err);
        break;
    case COUNTS:
        ck_assert_msg(r->exited && r->code == 0, "[%s] expected exit 0, got %s", opts, rl_how(r));
        ck_assert_msg(!strstr(r->err, "ALLOCATION IN HOT PATH!") && strstr(r->err, "hotpath: summary: 1 violation"),
                      "[%s] %s", opts, r->err);
        break;
    case REFUSED:
        ck_assert_msg(r->exited && r->code == 2, "[%s] expected exit 2, got %s\n%s", opts, rl_how(r), r->err);
        ck_assert_msg(strstr(r->err, "weaker check") && !strstr(r->out, "survived"), "[%s] %s", opts, r->err);
        break;
    }
}

START_TEST(test_options_each_get_a_clear_outcome)
{
    struct rl_run *r = rl_runv(PRELOAD, cases[_i].opts, T, TORTURE, "one_hot", NULL);
    check_outcome(r, cases[_i].want, cases[_i].opts);
    ck_assert_msg(strstr(r->err, cases[_i].message), "[%s] no '%s' in:\n%s", cases[_i].opts, cases[_i].message, r->err);
    ck_assert_msg(!strchr(r->err, '\x1b'), "a raw escape byte reached stderr");
}
END_TEST

START_TEST(test_options_at_the_length_limit_and_over_it)
{
    static char opts[9000];
    /* exactly 8192 bytes: accepted (an unknown key, warned about with its name cut) */
    memset(opts, 'k', 8192);
    memcpy(opts, "mode=warn:", 10);
    opts[8190] = '=';
    opts[8191] = '1';
    opts[8192] = 0;
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    check_outcome(r, WARNS, "8192 bytes");
    ck_assert_msg(strstr(r->err, "unknown option 'kkkk") && strstr(r->err, "k...'"), "%.500s", r->err);
    ck_assert_msg(r->err_len < 8192, "the warning repeats the whole key (%zu bytes)", r->err_len);
    /* 8193 bytes: refused */
    opts[8192] = '1';
    opts[8193] = 0;
    r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    check_outcome(r, REFUSED, "8193 bytes");
    ck_assert_msg(strstr(r->err, "longer than 8192 bytes"), "%s", r->err);
}
END_TEST

START_TEST(test_path_options_at_the_length_limit)
{
    static char opts[2100];
    /* a 1023-byte path is accepted (it cannot be opened: its name is too long, so stderr) */
    int n = snprintf(opts, sizeof opts, "mode=warn:log_path=/tmp/");
    memset(opts + n, 'p', 1023 - 5);
    opts[n + 1023 - 5] = 0;
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    check_outcome(r, WARNS, "1023-byte log_path");
    ck_assert_msg(strstr(r->err, "cannot open") && strstr(r->err, "reports go to stderr"), "%.600s", r->err);
    /* 1024 bytes: refused */
    memset(opts + n, 'p', 1024 - 5);
    opts[n + 1024 - 5] = 0;
    r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    check_outcome(r, REFUSED, "1024-byte log_path");
    ck_assert_msg(strstr(r->err, "invalid value for 'log_path'"), "%.600s", r->err);
    ck_assert_msg(r->err_len < 2000, "the error repeats the whole path (%zu bytes)", r->err_len);
}
END_TEST

/* BUGS.md bug 4 (fixed in c34ca2d): a log_path whose %p expansion exceeds the path buffer is cut silently: reports go to a
 * file with another name (here without its ".log"), and no warning says so. */
START_TEST(test_log_path_too_long_after_pid_expansion_is_not_cut_silently)
{
    char dir[] = "/tmp/hotpath-bug4.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char opts[2048];
    int head = snprintf(opts, sizeof opts, "mode=warn:log_path=");
    int n = head + snprintf(opts + head, sizeof opts - (size_t)head, "%s/", dir);
    /* 990 bytes of directory, then 13 %p and ".log": 1020 bytes (allowed: up to 1023), but
     * 1059 or more once the pid is expanded, beyond the expansion buffer (1024 + 32) */
    while (n - head < 989) n += snprintf(opts + n, sizeof opts - (size_t)n, "./");
    for (int i = 0; i < 13; i++) n += snprintf(opts + n, sizeof opts - (size_t)n, "%%p");
    snprintf(opts + n, sizeof opts - (size_t)n, ".log");
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    DIR *d = opendir(dir);
    struct dirent *e;
    int wrong = 0, right = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".log"))
            right++;
        else
            wrong++;
    }
    closedir(d);
    int warned = strstr(r->err, "too long") || strstr(r->err, "cannot open");
    ck_assert_msg(wrong == 0 && (right == 1 || warned),
                  "log written to a file with a cut name (%d such files), %s warning", wrong, warned ? "with" : "no");
}
END_TEST

/* BUGS.md bug 5 (fixed in c34ca2d): the warning for a log file that cannot be opened is cut at 1024 bytes by hp_diag, so with
 * a long path the reason and the words "reports go to stderr" are lost. */
START_TEST(test_unopenable_long_log_path_warning_keeps_its_reason)
{
    static char opts[2100];
    int n = snprintf(opts, sizeof opts, "mode=warn:log_path=/tmp/");
    memset(opts + n, 'p', 1023 - 5);
    opts[n + 1023 - 5] = 0;
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s", rl_how(r));
    ck_assert_msg(strstr(r->err, "File name too long") && strstr(r->err, "reports go to stderr"),
                  "warning cut:\n%.1200s", r->err);
}
END_TEST

/* Random bytes as HOTPATH_OPTIONS: the process either runs (with a mode it was asked for) or
 * stops with exit 2; never another signal, never a hang. */
START_TEST(test_random_options_never_crash)
{
    unsigned long long s = 0x243F6A8885A308D3ull;
    static const char *keys[] = {"mode", "check_free", "backtrace", "symbolize", "dedup", "max_frames", "colour",
                                 "", "mo\001de", "%n%s", "mode=mode"};
    static const char *vals[] = {"warn", "count", "abort", "0", "1", "64", "65", "", "x", "\x01\xff", "%n", "=", "yes"};
    static const char *seps[] = {":", ":", ":", "::", "=", ""};
    int ran = 0, refused = 0;
    for (int i = 0; i < 40; i++) {
        char opts[400];
        size_t n = 0;
        int items = 1 + (int)(s % 5);
        for (int j = 0; j < items; j++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            n += (size_t)snprintf(opts + n, sizeof opts - n, "%s=%s%s", keys[s % 11], vals[(s >> 8) % 13],
                                  seps[(s >> 16) % 6]);
        }
        if (strstr(opts, "log_path")) continue; /* no files from random paths */
        struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
        int ok = (r->exited && r->code == 2 && strstr(r->err, "weaker check")) ||
                 (r->exited && r->code == 0 && strstr(r->out, "survived")) || (r->signaled && r->sig == SIGABRT &&
                                                                               strstr(r->err, "ALLOCATION IN HOT PATH"));
        ck_assert_msg(ok, "options '%s': %s\n%.1000s", opts, rl_how(r), r->err);
        ran += r->exited && r->code == 0;
        refused += r->exited && r->code == 2;
    }
    printf("random options: %d ran, %d refused\n", ran, refused);
}
END_TEST

/* ---- API misuse ----------------------------------------------------------------------------------- */
START_TEST(test_unbalanced_exits_are_diagnosed_a_few_times_then_counted_and_checks_go_on)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "unbalanced", "100000", NULL);
    assert_survived(r);
    ck_assert_msg(strstr(r->out, "depth 0 hot 0\n") && strstr(r->out, "violations 1\n"), "%s", r->out);
    ck_assert_int_eq(rl_count(r->err, "without a matching"), 8);
    ck_assert_int_eq(rl_count(r->err, "further ones are not shown"), 1);
    ck_assert_msg(strstr(r->err, "\nSection: after_misuse\n"), "%s", r->err);
}
END_TEST

START_TEST(test_a_million_deep_nesting_is_exact_and_the_report_shows_the_innermost_sixteen)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "deep", "1000000", NULL);
    assert_survived(r);
    ck_assert_msg(strstr(r->out, "depth 1000000 after 0 violations 1\n"), "%s", r->out);
    ck_assert_msg(strstr(r->err, "Section: level_c\nSection stack: (999984 more) > level_a > level_b > (null) > level_c"),
                  "%.1500s", r->err);
}
END_TEST

START_TEST(test_null_empty_huge_and_hostile_names_are_reported_escaped_and_bounded)
{
    char opts[256];
    char jpath[] = "/tmp/hotpath-names.XXXXXX";
    int fd = mkstemp(jpath);
    close(fd);
    snprintf(opts, sizeof opts, "mode=warn:dedup=0:json_path=%s", jpath);
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "names", NULL);
    assert_survived(r);
    ck_assert_msg(strstr(r->out, "violations 6\n"), "%s", r->out);
    int torn;
    ck_assert_int_eq(rl_whole_reports(r->err, &torn, NULL, 0), 6);
    ck_assert_int_eq(torn, 0);
    ck_assert_msg(strstr(r->err, "\nSection: (null)\n"), "%.3000s", r->err);
    ck_assert_msg(strstr(r->err, "\nSection: %n%s%x%p%%n\n"), "format string not printed literally");
    ck_assert_msg(strstr(r->err, "\nSection: \\xff\\xfe\\xc3(\\xed\\xa0\\x80\"\\x5c\n"), "%.5000s", r->err);
    ck_assert_msg(strstr(r->err, "\\x01\\x02\\x03"), "control bytes not escaped");
    ck_assert_msg(r->err_len < 64 * 1024, "1 MiB name not cut: %zu bytes of output", r->err_len);
    for (size_t i = 0; i < r->err_len; i++) {
        unsigned char c = (unsigned char)r->err[i];
        ck_assert_msg(c == '\n' || (c >= 0x20 && c < 0x7f), "raw byte 0x%02x at %zu in the text report", c, i);
    }
    char *j = rl_slurp(jpath);
    unlink(jpath);
    ck_assert_ptr_nonnull(j);
    int bad, good = rl_json_lines(j, &bad);
    ck_assert_msg(good >= 6 && bad == 0 && rl_count(j, "{\"kind\":\"allocation\"") == 6,
                  "JSON lines: %d good, %d bad:\n%.2000s", good, bad, j);
    ck_assert_msg(strstr(j, "\"section\":null") || strstr(j, "\"section\":\"(null)\""), "%.2000s", j);
    free(j);
}
END_TEST

static Suite *misuse_suite(void)
{
    Suite *s = suite_create("misuse");
    TCase *tc = tcase_create("options");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_loop_test(tc, test_options_each_get_a_clear_outcome, 0, NCASES);
    tcase_add_test(tc, test_options_at_the_length_limit_and_over_it);
    tcase_add_test(tc, test_path_options_at_the_length_limit);
    tcase_add_test(tc, test_log_path_too_long_after_pid_expansion_is_not_cut_silently);
    tcase_add_test(tc, test_unopenable_long_log_path_warning_keeps_its_reason);
    tcase_add_test(tc, test_random_options_never_crash);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_test(tc, test_unbalanced_exits_are_diagnosed_a_few_times_then_counted_and_checks_go_on);
    tcase_add_test(tc, test_a_million_deep_nesting_is_exact_and_the_report_shows_the_innermost_sixteen);
    tcase_add_test(tc, test_null_empty_huge_and_hostile_names_are_reported_escaped_and_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(misuse_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
