/*
#define _GNU_SOURCE
 * The API in-process, under the sentinel in its default abort mode: the marks' semantics, the
 * queries, the out-of-line entry points, HOTPATH_DISABLE, and an allocation in a section ending
 * the (forked) test with SIGABRT.
 */
#include <hotpath.h>

#include <check.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned int disabled_marks_depth(void);
static void *volatile sink;

/* Every thread has its own sections, while another thread seals and unseals the process: run
 * under ThreadSanitizer by make check-sanitize. Nothing here allocates while sealed. */
static int seal_flips_done;
static void *enter_exit_loop(void *arg)
{
    long mismatches = 0;
    const char *name = arg;
    for (int i = 0; i < 200000; i++) {
        hotpath_enter(name);
        hotpath_enter("inner");
        mismatches += hotpath_depth() != 2;
        hotpath_exit();
        mismatches += hotpath_section() != name && !hotpath_sealed();
        hotpath_exit();
        mismatches += hotpath_depth() != 0;
    }
    return (void *)mismatches;
}

START_TEST(test_threads_have_their_own_state_while_the_process_is_sealed_and_unsealed)
{
    pthread_t t[3];
    static const char *names[3] = {"t0", "t1", "t2"};
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, enter_exit_loop, (void *)names[i]);
    for (int i = 0; i < 2000; i++) {
        hotpath_seal();
        hotpath_unseal();
    }
    __atomic_store_n(&seal_flips_done, 1, __ATOMIC_RELEASE);
    long mismatches = 0;
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(t[i], &r);
        mismatches += (long)r;
    }
    ck_assert_int_eq(mismatches, 0);
    ck_assert_int_eq(hotpath_sealed(), 0);
}
END_TEST

START_TEST(test_sentinel_is_active_under_the_preload)
{
    ck_assert_int_eq(hotpath_sentinel_active(), 1);
}
END_TEST

/* Check's assertions allocate (they record the location of the last check), so each test records
 * what it sees inside a section and asserts after leaving it. */
START_TEST(test_enter_exit_nest_and_restore_names)
{
    ck_assert_uint_eq(hotpath_depth(), 0);
    ck_assert_ptr_null(hotpath_section());
    hotpath_enter("a");
    hotpath_enter("b");
    const char *inner = hotpath_section();
    unsigned int depth2 = hotpath_depth();
    hotpath_exit();
    const char *outer = hotpath_section();
    hotpath_exit();
    ck_assert_str_eq(inner, "b");
    ck_assert_uint_eq(depth2, 2);
    ck_assert_str_eq(outer, "a");
    ck_assert_uint_eq(hotpath_depth(), 0);
    ck_assert_int_eq(hotpath_is_hot(), 0);
}
END_TEST

START_TEST(test_names_are_exact_for_the_innermost_sixteen_levels)
{
    static char store[40][8];
    const char *seen[40] = {0};
    for (int i = 0; i < 40; i++) {
        store[i][0] = (char)('A' + i);
        hotpath_enter(store[i]);
    }
    for (int i = 39; i >= 24; i--) {
        seen[i] = hotpath_section();
        hotpath_exit();
    }
    unsigned int left = hotpath_depth();
    while (hotpath_depth()) hotpath_exit();
    for (int i = 39; i >= 24; i--) ck_assert_ptr_eq(seen[i], store[i]);
    ck_assert_uint_eq(left, 24);
}
END_TEST

START_TEST(test_allow_region_makes_the_thread_not_hot)
{
    hotpath_enter("s");
    int hot_before = hotpath_is_hot();
    hotpath_allow_begin();
    int hot_allowed = hotpath_is_hot();
    sink = malloc(64); /* permitted: would abort otherwise */
    free(sink);
    hotpath_allow_end();
    int hot_after = hotpath_is_hot();
    hotpath_exit();
    ck_assert_int_eq(hot_before, 1);
    ck_assert_int_eq(hot_allowed, 0);
    ck_assert_int_eq(hot_after, 1);
}
END_TEST

START_TEST(test_out_of_line_entry_points_match_the_inline_ones)
{
    void (*enter)(const char *) = (void (*)(const char *))dlsym(RTLD_DEFAULT, "hotpath_enter");
    void (*leave)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "hotpath_exit");
    ck_assert_ptr_nonnull(enter);
    ck_assert_ptr_nonnull(leave);
    enter("via_dlsym");
    const char *name = hotpath_section();
    leave();
    ck_assert_str_eq(name, "via_dlsym");
    ck_assert_uint_eq(hotpath_depth(), 0);
}
END_TEST

START_TEST(test_hotpath_disable_compiles_marks_away)
{
    ck_assert_uint_eq(disabled_marks_depth(), 0);
    ck_assert_uint_eq(hotpath_depth(), 0);
}
END_TEST

START_TEST(test_allocation_in_section_aborts)
{
    /* The report this prints is the point of the test: say so, so a reader of the log does not
     * take it for a failure. */
    fputs("test_api: EXPECTED: the allocation report below is this test's deliberate violation\n", stderr);
    hotpath_enter("doomed");
    sink = malloc(100);
    hotpath_exit();
}
END_TEST

static void scope_then_allocate(void)
{
    unsigned int inside;
    {
        HOTPATH_SCOPE("short");
        inside = hotpath_depth();
    }
    ck_assert_uint_eq(inside, 1);
    ck_assert_uint_eq(hotpath_depth(), 0);
    sink = malloc(8);
    free(sink);
}

START_TEST(test_scope_leaves_at_block_end)
{
    scope_then_allocate();
}
END_TEST

int main(void)
{
    /* Sanitizer builds run without the sentinel (ASan and TSan cannot share a process with a
     * preloaded malloc): the two tests that need it are left out there. */
    int sentinel = !getenv("HOTPATH_TEST_NO_SENTINEL");
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("marks");
    tcase_set_timeout(tc, 60);
    if (sentinel) tcase_add_test(tc, test_sentinel_is_active_under_the_preload);
    tcase_add_test(tc, test_threads_have_their_own_state_while_the_process_is_sealed_and_unsealed);
    tcase_add_test(tc, test_enter_exit_nest_and_restore_names);
    tcase_add_test(tc, test_names_are_exact_for_the_innermost_sixteen_levels);
    tcase_add_test(tc, test_allow_region_makes_the_thread_not_hot);
    tcase_add_test(tc, test_out_of_line_entry_points_match_the_inline_ones);
    tcase_add_test(tc, test_hotpath_disable_compiles_marks_away);
    tcase_add_test(tc, test_scope_leaves_at_block_end);
    if (sentinel) tcase_add_test_raise_signal(tc, test_allocation_in_section_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
