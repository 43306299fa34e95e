/*
 * Reproducers of sentinel bugs found by the reliability suite and not fixed yet. Each test states
 * the behaviour the sentinel should have; they fail until the bug is fixed (see BUGS.md), and run
 * with `make check-reliability-known-bugs`, outside `make check`. Once one passes, move it into
 * the suite it belongs to.
 */
#define _GNU_SOURCE
#include "rl_run.h"

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T 60
#define LIBDIR "/usr/lib/x86_64-linux-gnu/"

static const char *allocs[] = {LIBDIR "libjemalloc.so.2", LIBDIR "libtcmalloc_minimal.so.4", LIBDIR "libtcmalloc.so.4",
                               LIBDIR "libmimalloc.so.2"};

/* Bug 1: with jemalloc, tcmalloc or mimalloc chained after the sentinel, C++ operator new resolves
 * to the allocator's own operator new, which never calls malloc: `new` in a section is not seen. */
START_TEST(bug1_cxx_new_in_a_section_is_detected_with_a_chained_allocator)
{
    if (access(allocs[_i], R_OK)) {
        printf("SKIP: %s not installed\n", allocs[_i]);
        return;
    }
    char pre[512];
    snprintf(pre, sizeof pre, "%s %s", PRELOAD, allocs[_i]);
    struct rl_run *r = rl_runv(pre, "mode=warn", T, TORTURE_CXX, "new", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    ck_assert_msg(strstr(r->out, "active 1 violations 2\n"),
                  "with %s: new and new[] in a section not detected:\n%s", allocs[_i], r->out);
}
END_TEST

/* Bug 2: an entry point the chained allocator lacks (jemalloc: pvalloc) is taken from glibc by
 * dlsym(RTLD_NEXT): glibc memory is then handed to jemalloc's free/malloc_usable_size (crash). The
 * sentinel has a fallback through the next allocator's posix_memalign, but it never engages. */
START_TEST(bug2_pvalloc_memory_comes_from_the_chained_allocator)
{
    if (access(allocs[0], R_OK)) {
        printf("SKIP: %s not installed\n", allocs[0]);
        return;
    }
    char pre[512];
    snprintf(pre, sizeof pre, "%s %s", PRELOAD, allocs[0]);
    struct rl_run *r = rl_runv(pre, "mode=warn", T, TORTURE, "owners", "", NULL);
    ck_assert_msg(r->exited && r->code == 0, "sentinel + jemalloc, pvalloc: %s\n%s", rl_how(r), r->out);
    ck_assert_msg(strstr(r->out, "pvalloc jemalloc\n"), "%s", r->out);
}
END_TEST

/* Bug 3: the symbolizer's files (the executable, libc, .debug files opened by libdw) are opened
 * without O_CLOEXEC: after a report, every program the process execs inherits them. */
START_TEST(bug3_symbolizer_files_are_not_inherited_across_exec)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "cloexec", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    ck_assert_msg(strstr(r->out, "fd 0 -> "), "list_fds did not run:\n%s", r->out);
    ck_assert_msg(!strstr(r->out, ".so") && !strstr(r->out, ".debug") && !strstr(r->out, "/torture\n"),
                  "descriptors leaked into the exec'd program:\n%s", r->out);
}
END_TEST

/* Bug 4: a log_path whose %p expansion exceeds the path buffer is cut silently: reports go to a
 * file with another name (here without its ".log"), and no warning says so. */
START_TEST(bug4_log_path_too_long_after_pid_expansion_is_not_cut_silently)
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

/* Bug 5: the warning for a log file that cannot be opened is cut at 1024 bytes by hp_diag, so with
 * a long path the reason and the words "reports go to stderr" are lost. */
START_TEST(bug5_unopenable_long_log_path_warning_keeps_its_reason)
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

int main(void)
{
    Suite *s = suite_create("known_bugs");
    TCase *tc = tcase_create("bugs");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_loop_test(tc, bug1_cxx_new_in_a_section_is_detected_with_a_chained_allocator, 0, 4);
    tcase_add_test(tc, bug2_pvalloc_memory_comes_from_the_chained_allocator);
    tcase_add_test(tc, bug3_symbolizer_files_are_not_inherited_across_exec);
    tcase_add_test(tc, bug4_log_path_too_long_after_pid_expansion_is_not_cut_silently);
    tcase_add_test(tc, bug5_unopenable_long_log_path_warning_keeps_its_reason);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
