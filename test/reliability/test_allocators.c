/*
 * Production allocators chained after the sentinel (LD_PRELOAD="libhotpath.so <allocator>"):
 * the memory comes from them (each allocator's own ownership query), detection works, threads and
 * fork hold; and with the allocator ahead of the sentinel, the start-up warning says the sentinel
 * is bypassed. The packages are installed by `make check-reliability` (test/reliability/need.sh);
 * a missing one makes its tests print a SKIP line naming the command to install it.
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

#define T 60
#ifndef LIBDIR /* the target's multiarch library directory, from the compiler (reliability.mk) */
#define LIBDIR "/usr/lib/x86_64-linux-gnu/"
#endif

static const struct alloc {
    const char *name, *package, *so, *owner;
    const char *skip;     /* entry points not to call (none since bug 2 was fixed: see BUGS.md) */
    int misaligns_itself; /* posix_memalign sometimes misaligned by the allocator alone */
} allocs[] = {
    {"jemalloc", "libjemalloc2", LIBDIR "libjemalloc.so.2", "jemalloc", "", 0},
    {"tcmalloc_minimal", "libtcmalloc-minimal4", LIBDIR "libtcmalloc_minimal.so.4", "tcmalloc", "", 0},
    {"tcmalloc", "libgoogle-perftools4", LIBDIR "libtcmalloc.so.4", "tcmalloc", "", 0},
    /* mimalloc 2.0.9 (Debian 12) returns a few misaligned blocks from posix_memalign(&p, 256, 256)
     * with or without the sentinel: test_allocator_alone_misaligns shows it is the allocator's */
    {"mimalloc", "libmimalloc2.0", LIBDIR "libmimalloc.so.2", "mimalloc", "", 1},
};
#define NALLOCS (int)(sizeof allocs / sizeof *allocs)

/* "libhotpath.so <allocator>", or NULL (and a SKIP line) if the allocator is not installed */
static const char *chain(const struct alloc *a, int sentinel_first)
{
    static char buf[512];
    if (access(a->so, R_OK)) {
        printf("SKIP: %s: %s not installed (sudo apt-get install %s)\n", a->name, a->so, a->package);
        return NULL;
    }
    if (sentinel_first)
        snprintf(buf, sizeof buf, "%s %s", PRELOAD, a->so);
    else
        snprintf(buf, sizeof buf, "%s %s", a->so, PRELOAD);
    return buf;
}

static void assert_survived(const struct rl_run *r)
{
    ck_assert_msg(r->exited && r->code == 0, "expected exit 0, got %s\nstdout:\n%.2000s\nstderr:\n%.2000s", rl_how(r),
                  r->out, r->err);
    ck_assert_msg(strstr(r->out, "survived\n"), "no 'survived':\n%s", r->out);
}

START_TEST(test_memory_of_every_entry_point_comes_from_the_chained_allocator)
{
    const struct alloc *a = &allocs[_i];
    const char *pre = chain(a, 1);
    if (!pre) return;
    struct rl_run *r = rl_runv(pre, "mode=warn", T, TORTURE, "owners", a->skip, NULL);
    assert_survived(r);
    int checked = (int)rl_field(r->out, "owners checked");
    ck_assert_int_eq(checked, 9); /* all nine entry points, pvalloc with jemalloc too (bug 2) */
    char want[64];
    snprintf(want, sizeof want, " %s\n", a->owner);
    ck_assert_msg(rl_count(r->out, want) == checked, "not all from %s:\n%s", a->owner, r->out);
    ck_assert_msg(!strstr(r->err, "NOT be checked"), "%s", r->err);
}
END_TEST

START_TEST(test_detection_works_with_the_chained_allocator)
{
    const struct alloc *a = &allocs[_i];
    const char *pre = chain(a, 1);
    if (!pre) return;
    struct rl_run *r = rl_runv(pre, NULL, T, TORTURE, "one_hot", NULL);
    ck_assert_msg(r->signaled && r->sig == SIGABRT, "expected SIGABRT, got %s\n%s", rl_how(r), r->err);
    ck_assert_msg(strstr(r->err, "ALLOCATION IN HOT PATH!\nOperation: malloc (32 bytes)\nSection: one_hot\n"), "%s",
                  r->err);
    r = rl_runv(pre, "mode=warn", T, TORTURE, "one_hot", NULL);
    assert_survived(r);
    ck_assert_msg(strstr(r->out, "active 1 violations 1\n"), "%s", r->out);
}
END_TEST

START_TEST(test_threads_churning_with_the_chained_allocator_are_counted_exactly)
{
    const struct alloc *a = &allocs[_i];
    const char *pre = chain(a, 1);
    if (!pre) return;
    struct rl_run *r = rl_runv(pre, "mode=count", T, TORTURE, "churn", "4", "10000", "50", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "violations"), 800);
    ck_assert_int_eq(rl_field(r->out, "hot"), 800);
    if (!a->misaligns_itself) ck_assert_int_eq(rl_field(r->out, "misaligned"), 0);
}
END_TEST

/* The allocators' own behaviour, without the sentinel, for the exceptions above. */
START_TEST(test_allocator_alone_misaligns)
{
    const struct alloc *a = &allocs[_i];
    if (!a->misaligns_itself || access(a->so, R_OK)) return;
    struct rl_run *r = rl_runv(a->so, NULL, T, TORTURE, "churn", "4", "10000", "0", NULL);
    assert_survived(r);
    ck_assert_msg(rl_field(r->out, "misaligned") > 0, "%s alone no longer misaligns: drop the exception\n%s", a->name,
                  r->out);
    printf("NOTE: %s alone: %ld misaligned posix_memalign blocks in 40000 operations\n", a->name,
           rl_field(r->out, "misaligned"));
}
END_TEST

START_TEST(test_fork_and_reports_with_the_chained_allocator)
{
    const struct alloc *a = &allocs[_i];
    const char *pre = chain(a, 1);
    if (!pre) return;
    struct rl_run *r = rl_runv(pre, "mode=count", T, TORTURE, "forkbusy", "20", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_field(r->out, "ok"), 20);
    r = rl_runv(pre, "mode=warn:dedup=0", T, TORTURE, "signals", "20", NULL);
    assert_survived(r);
    int torn;
    ck_assert_int_eq(rl_whole_reports(r->err, &torn, NULL, 0), 20);
    ck_assert_int_eq(torn, 0);
    ck_assert_msg(strstr(r->err, "torture.c:"), "no file:line with %s:\n%.2000s", a->name, r->err);
}
END_TEST

START_TEST(test_allocator_ahead_of_the_sentinel_gets_the_bypass_warning)
{
    const struct alloc *a = &allocs[_i];
    const char *pre = chain(a, 0);
    if (!pre) return;
    struct rl_run *r = rl_runv(pre, NULL, T, TORTURE, "one_hot", NULL);
    assert_survived(r); /* nothing is checked, and it says so */
    ck_assert_msg(strstr(r->out, "active 0 violations 0\n"), "%s", r->out);
    char want[256];
    snprintf(want, sizeof want, "malloc resolves to %s, which comes before libhotpath.so", a->so);
    ck_assert_msg(strstr(r->err, want) && strstr(r->err, "will NOT be checked"), "no bypass warning:\n%s", r->err);
    ck_assert_int_eq(rl_count(r->err, "NOT be checked"), 1);
}
END_TEST

START_TEST(test_glibc_alone_needs_no_warning)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "owners", "", NULL);
    assert_survived(r);
    ck_assert_int_eq(rl_count(r->out, " glibc\n"), 9);
    ck_assert_msg(r->err_len == 0, "%s", r->err);
}
END_TEST

/* BUGS.md bug 1 (fixed in c34ca2d): the allocators export their own operator new; the sentinel
 * must interpose it too, or C++ allocations in sections pass unseen. */
START_TEST(test_cxx_new_in_a_section_is_detected_with_the_chained_allocator)
{
    const struct alloc *a = &allocs[_i];
    const char *pre = chain(a, 1);
    if (!pre) return;
    struct rl_run *r = rl_runv(pre, "mode=warn", T, TORTURE_CXX, "new", NULL);
    assert_survived(r);
    ck_assert_msg(strstr(r->out, "active 1 violations 2\n"), "with %s: new and new[] in a section not detected:\n%s",
                  a->name, r->out);
}
END_TEST

static Suite *allocators_suite(void)
{
    Suite *s = suite_create("allocators");
    TCase *tc = tcase_create("chained");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_test(tc, test_glibc_alone_needs_no_warning);
    tcase_add_loop_test(tc, test_memory_of_every_entry_point_comes_from_the_chained_allocator, 0, NALLOCS);
    tcase_add_loop_test(tc, test_detection_works_with_the_chained_allocator, 0, NALLOCS);
    tcase_add_loop_test(tc, test_cxx_new_in_a_section_is_detected_with_the_chained_allocator, 0, NALLOCS);
    tcase_add_loop_test(tc, test_threads_churning_with_the_chained_allocator_are_counted_exactly, 0, NALLOCS);
    tcase_add_loop_test(tc, test_allocator_alone_misaligns, 0, NALLOCS);
    tcase_add_loop_test(tc, test_fork_and_reports_with_the_chained_allocator, 0, NALLOCS);
    tcase_add_loop_test(tc, test_allocator_ahead_of_the_sentinel_gets_the_bypass_warning, 0, NALLOCS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(allocators_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
