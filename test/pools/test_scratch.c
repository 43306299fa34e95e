/*
 * test_scratch.c - the scratch arena: alignment, exhaustion (NULL, counted, never overflows),
 * mark/rewind/reset, the block-scoped rewind, high-water, epochs, the per-thread arena, the
 * abort-on-full mode and (under ASan) use after rewind being reported. Every post-init operation
 * runs in a hot section.
 */
#include "hp_test.h"

#include <hotpath/scratch.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>

START_TEST(test_scratch_alloc_in_section_allocates_nothing)
{
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_create(&s, 0, 0), 0);
    ck_assert_uint_eq(hp_scratch_size(&s), 64 * 1024); /* the default */
    {
        HOTPATH_SCOPE("scratch");
        for (int r = 0; r < 100; r++) {
            unsigned char *buf = hp_scratch_alloc(&s, 128, 8);
            HT_ASSERT(buf != NULL);
            buf[0] = 42;
            buf[127] = 43;
            hp_scratch_reset(&s);
        }
        HT_EQ(hp_scratch_used(&s), 0);
    }
    hp_scratch_destroy(&s);
}
END_TEST

START_TEST(test_scratch_honours_every_power_of_two_alignment_without_overlap)
{
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_create(&s, 1 << 16, 0), 0);
    {
        HOTPATH_SCOPE("scratch");
        unsigned char *prev_end = NULL;
        for (size_t align = 1; align <= 4096; align <<= 1) {
            unsigned char *p = hp_scratch_alloc(&s, 3, align);
            HT_ASSERT(p != NULL);
            HT_EQ((uintptr_t)p % align, 0);
            if (prev_end) HT_ASSERT(p >= prev_end);
            memset(p, 0xAB, 3);
            prev_end = p + 3;
        }
        HT_ASSERT(hp_scratch_alloc(&s, 0, 0) != NULL); /* align 0 means 1; size 0 is fine */
    }
    hp_scratch_destroy(&s);
}
END_TEST

START_TEST(test_scratch_exhausted_returns_null_counts_and_never_overflows)
{
    static _Alignas(64) unsigned char mem[256 + 64];
    memset(mem, 0x5A, sizeof mem);
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_init(&s, mem, 256, 0), 0);
    {
        HOTPATH_SCOPE("scratch");
        HT_ASSERT(hp_scratch_alloc(&s, 200, 1) != NULL);
        HT_PTR_EQ(hp_scratch_alloc(&s, 57, 1), NULL); /* 56 left */
        HT_EQ(hp_scratch_used(&s), 200);              /* a refusal changes nothing */
        HT_PTR_EQ(hp_scratch_alloc(&s, SIZE_MAX, 1), NULL);
        HT_PTR_EQ(hp_scratch_alloc(&s, SIZE_MAX - 100, 64), NULL);
        HT_PTR_EQ(hp_scratch_alloc_array(&s, SIZE_MAX / 2, 4, 4), NULL); /* n * size overflows */
        HT_EQ(hp_scratch_failed(&s), 4);
        unsigned char *last = hp_scratch_alloc(&s, 56, 1);
        HT_PTR_EQ(last, mem + 200);
        HT_EQ(hp_scratch_remaining(&s), 0);
        HT_PTR_EQ(hp_scratch_alloc(&s, 1, 1), NULL);
        HT_EQ(hp_scratch_failed(&s), 5);
    }
    for (size_t i = 256; i < sizeof mem; i++)
        ck_assert_uint_eq(mem[i], 0x5A); /* nothing past the block was touched */
    hp_scratch_destroy(&s);
}
END_TEST

START_TEST(test_scratch_rejects_alignment_that_is_not_a_power_of_two)
{
    static _Alignas(64) unsigned char mem[256];
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_init(&s, mem, 256, 0), 0);
    {
        HOTPATH_SCOPE("scratch");
        HT_ASSERT(hp_scratch_alloc(&s, 1, 1) != NULL);
        HT_PTR_EQ(hp_scratch_alloc(&s, 8, 24), NULL);
        HT_PTR_EQ(hp_scratch_alloc(&s, 8, 3), NULL);
        HT_PTR_EQ(hp_scratch_alloc_array(&s, 2, 4, 12), NULL);
        HT_EQ(hp_scratch_failed(&s), 3);
        HT_EQ(hp_scratch_used(&s), 1);                  /* refused: nothing moved */
        HT_PTR_EQ(hp_scratch_alloc(&s, 8, 0), mem + 1); /* 0 means 1 */
        uint64_t *v = HP_SCRATCH_NEW(&s, uint64_t, 3);  /* typed: aligned for the type */
        HT_PTR_EQ(v, mem + 16);
        HT_PTR_EQ(HP_SCRATCH_NEW(&s, uint64_t, SIZE_MAX / 4), NULL);
        HT_EQ(hp_scratch_failed(&s), 4);
    }
}
END_TEST

static void bad_align_abort_mode(void)
{
    static hp_scratch s;
    static _Alignas(64) unsigned char mem[64];
    hp_scratch_init(&s, mem, 64, HP_SCRATCH_ABORT_ON_FULL);
    HOTPATH_SCOPE("scratch");
    hp_scratch_alloc(&s, 8, 24);
}

START_TEST(test_scratch_bad_alignment_in_abort_mode_says_so)
{
    char out[1024];
    int st = ht_run_capture(bad_align_abort_mode, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %d", st);
    ck_assert_msg(strstr(out, "alignment 24 is not a power of two (8 bytes requested)") != NULL,
                  "message: %s", out);
}
END_TEST

START_TEST(test_scratch_alignment_padding_counts_against_capacity)
{
    static _Alignas(64) unsigned char mem[128];
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_init(&s, mem, 100, 0), 0);
    {
        HOTPATH_SCOPE("scratch");
        HT_ASSERT(hp_scratch_alloc(&s, 1, 1) != NULL);
        HT_PTR_EQ(hp_scratch_alloc(&s, 40, 64), NULL); /* would start at 64 and end past 100 */
        HT_PTR_EQ(hp_scratch_alloc(&s, 36, 64), mem + 64);
    }
}
END_TEST

START_TEST(test_scratch_rewind_releases_only_what_came_after_the_mark)
{
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_create(&s, 4096, 0), 0);
    {
        HOTPATH_SCOPE("scratch");
        char *a = hp_scratch_alloc(&s, 100, 1);
        hp_scratch_mark_t m = hp_scratch_mark(&s);
        unsigned long e0 = hp_scratch_epoch(&s);
        char *b = hp_scratch_alloc(&s, 1000, 16);
        HT_ASSERT(a && b);
        HT_EQ(hp_scratch_used(&s) >= 1100, 1);
        hp_scratch_rewind(&s, m);
        HT_EQ(hp_scratch_used(&s), 100);
        HT_ASSERT(hp_scratch_epoch(&s) != e0);
        HT_PTR_EQ(hp_scratch_alloc(&s, 1000, 16), b); /* the same memory comes back */
        hp_scratch_mark_t ahead = {4000};
        hp_scratch_rewind(&s, ahead); /* a mark beyond the position is ignored */
        HT_ASSERT(hp_scratch_used(&s) > 1000);
        hp_scratch_reset(&s);
        HT_EQ(hp_scratch_used(&s), 0);
        HT_EQ(hp_scratch_high_water(&s) >= 1100, 1);
    }
    hp_scratch_destroy(&s);
}
END_TEST

static size_t used_inside_scope(hp_scratch *s)
{
    HP_SCRATCH_SCOPE(s);
    HT_ASSERT(hp_scratch_alloc(s, 500, 8) != NULL);
    return hp_scratch_used(s);
}

START_TEST(test_scratch_scope_rewinds_when_the_block_ends)
{
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_create(&s, 4096, 0), 0);
    {
        HOTPATH_SCOPE("scratch");
        HT_ASSERT(hp_scratch_alloc(&s, 10, 1) != NULL);
        HT_EQ(used_inside_scope(&s) >= 510, 1);
        HT_EQ(hp_scratch_used(&s), 10);
        for (int i = 0; i < 3; i++) {
            HP_SCRATCH_SCOPE(&s);
            HT_ASSERT(hp_scratch_alloc(&s, 1000, 1) != NULL);
            if (i == 1) continue; /* leaving the block early rewinds too */
        }
        HT_EQ(hp_scratch_used(&s), 10);
    }
    hp_scratch_destroy(&s);
}
END_TEST

START_TEST(test_scratch_uninitialised_arena_hands_out_nothing)
{
    hp_scratch s;
    memset(&s, 0, sizeof s);
    {
        HOTPATH_SCOPE("scratch");
        HT_PTR_EQ(hp_scratch_alloc(&s, 16, 8), NULL);
        HT_EQ(hp_scratch_failed(&s), 1);
    }
    ck_assert_int_eq(hp_scratch_init(&s, NULL, 16, 0), -EINVAL);
    char mem[8];
    ck_assert_int_eq(hp_scratch_init(&s, mem, 0, 0), -EINVAL);
}
END_TEST

static void *thread_arena_user(void *arg)
{
    size_t *out = arg;
    hp_scratch *s = hp_scratch_thread();
    {
        HOTPATH_SCOPE("scratch thread");
        out[0] = hp_scratch_alloc(s, 8, 8) == NULL; /* not set up yet: NULL, no lazy malloc */
    }
    if (hp_scratch_thread_init(1000, 0) != 0) return NULL;
    out[1] = hp_scratch_thread_init(1000, 0) == -EINVAL;
    {
        HOTPATH_SCOPE("scratch thread");
        void *p = hp_scratch_alloc(hp_scratch_thread(), 600, 8);
        out[2] = p != NULL && hp_scratch_thread() == s;
        out[3] = hp_scratch_alloc(hp_scratch_thread(), 600, 8) == NULL;
        out[4] = (size_t)hp_scratch_thread();
    }
    hp_scratch_thread_fini();
    return NULL;
}

START_TEST(test_scratch_per_thread_arenas_are_separate)
{
    size_t a[5] = {0}, b[5] = {0};
    pthread_t t1, t2;
    ck_assert_int_eq(pthread_create(&t1, NULL, thread_arena_user, a), 0);
    pthread_join(t1, NULL);
    ck_assert_int_eq(pthread_create(&t2, NULL, thread_arena_user, b), 0);
    ck_assert_int_eq(hp_scratch_thread_init(0, 0), 0);
    ck_assert_ptr_nonnull(hp_scratch_alloc(hp_scratch_thread(), 60000, 1)); /* 64 KiB default */
    pthread_join(t2, NULL);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(a[i], 1);
        ck_assert_uint_eq(b[i], 1);
    }
    ck_assert_uint_ne((size_t)hp_scratch_thread(), a[4]);
    ck_assert_uint_eq(hp_scratch_used(hp_scratch_thread()), 60000);
    hp_scratch_thread_fini();
}
END_TEST

START_TEST(test_scratch_abort_on_full_mode_aborts_with_message)
{
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_create(&s, 64, HP_SCRATCH_ABORT_ON_FULL), 0);
    ht_quiet();
    HOTPATH_SCOPE("scratch");
    hp_scratch_alloc(&s, 64, 1);
    hp_scratch_alloc(&s, 1, 1); /* aborts */
}
END_TEST

static void exhaust_abort_mode(void)
{
    static hp_scratch s;
    static _Alignas(64) unsigned char mem[64];
    hp_scratch_init(&s, mem, 64, HP_SCRATCH_ABORT_ON_FULL);
    HOTPATH_SCOPE("scratch");
    hp_scratch_alloc(&s, 65, 1);
}

START_TEST(test_scratch_abort_on_full_message_names_request_and_usage)
{
    char out[1024];
    int st = ht_run_capture(exhaust_abort_mode, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %d", st);
    ck_assert_msg(strstr(out, "hotpath pools: scratch arena") != NULL, "message: %s", out);
    ck_assert_msg(strstr(out, "exhausted: 65 bytes (align 1) requested, 0 of 64 used") != NULL, "message: %s",
                  out);
}
END_TEST

#ifdef HP__ASAN
START_TEST(test_scratch_use_after_rewind_is_reported_by_asan)
{
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_create(&s, 4096, 0), 0);
    hp_scratch_mark_t m = hp_scratch_mark(&s);
    volatile char *p = hp_scratch_alloc(&s, 64, 8);
    p[0] = 1;
    ht_quiet(); /* the expected report */
    hp_scratch_rewind(&s, m);
    p[0] = 2; /* ASan: use-after-poison, exit code 1 */
}
END_TEST
#endif

static Suite *scratch_suite(void)
{
    Suite *s = suite_create("scratch");
    TCase *tc = tcase_create("operations");
    tcase_add_test(tc, test_scratch_alloc_in_section_allocates_nothing);
    tcase_add_test(tc, test_scratch_honours_every_power_of_two_alignment_without_overlap);
    tcase_add_test(tc, test_scratch_exhausted_returns_null_counts_and_never_overflows);
    tcase_add_test(tc, test_scratch_rejects_alignment_that_is_not_a_power_of_two);
    tcase_add_test(tc, test_scratch_bad_alignment_in_abort_mode_says_so);
    tcase_add_test(tc, test_scratch_alignment_padding_counts_against_capacity);
    tcase_add_test(tc, test_scratch_rewind_releases_only_what_came_after_the_mark);
    tcase_add_test(tc, test_scratch_scope_rewinds_when_the_block_ends);
    tcase_add_test(tc, test_scratch_uninitialised_arena_hands_out_nothing);
    tcase_add_test(tc, test_scratch_per_thread_arenas_are_separate);
    tcase_add_test_raise_signal(tc, test_scratch_abort_on_full_mode_aborts_with_message, SIGABRT);
    tcase_add_test(tc, test_scratch_abort_on_full_message_names_request_and_usage);
#ifdef HP__ASAN
    tcase_add_exit_test(tc, test_scratch_use_after_rewind_is_reported_by_asan, 1);
#endif
    suite_add_tcase(s, tc);
    ht_add_canary(s);
    return s;
}

HT_MAIN(scratch_suite)
