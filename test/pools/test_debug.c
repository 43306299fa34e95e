/*
 * test_debug.c - the debug build (compiled with -DHP_POOLS_DEBUG): pools and arenas initialised
 * here carry the debug flag without asking; released pool slots are poisoned; double release,
 * foreign and interior pointers and writes after release abort with a clear message; reset
 * scratch memory is poisoned. Abort tests run in Check's fork mode expecting SIGABRT; the
 * message tests capture the child's stderr and check the text.
 */
#include "hp_test.h"

#include <hotpath/pool.h>
#include <hotpath/scratch.h>

#include <stdint.h>

#ifndef HP_POOLS_DEBUG
#error "test_debug.c must be compiled with -DHP_POOLS_DEBUG"
#endif

struct obj {
    uint64_t a, b, c, d;
};
HP_POOL_DEFINE(obj_pool, struct obj);
HP_POOL_DEFINE(u64_pool, uint64_t); /* pointer-sized objects: the link word is all of it */

static obj_pool pool;

static void setup(void) { ck_assert_int_eq(obj_pool_create(&pool, 8), 0); }
static void teardown(void) { obj_pool_destroy(&pool); }

START_TEST(test_debug_define_turns_checks_on_without_a_flag)
{
    ck_assert_uint_eq(pool.base.flags & HP_POOL_DEBUG, HP_POOL_DEBUG);
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_create(&s, 128, 0), 0);
    ck_assert_uint_eq(s.flags & HP_SCRATCH_DEBUG, HP_SCRATCH_DEBUG);
    hp_scratch_destroy(&s);
}
END_TEST

START_TEST(test_debug_pool_still_works_normally)
{
    HOTPATH_SCOPE("debug pool");
    struct obj *o[8];
    for (int r = 0; r < 10; r++) {
        for (int i = 0; i < 8; i++) {
            o[i] = obj_pool_acquire(&pool);
            HT_ASSERT(o[i] != NULL);
            memset(o[i], i, sizeof *o[i]);
        }
        HT_PTR_EQ(obj_pool_acquire(&pool), NULL);
        obj_pool_release_bulk(&pool, o, 4);
        for (int i = 4; i < 8; i++)
            obj_pool_release(&pool, o[i]);
        HT_EQ(obj_pool_acquire_bulk(&pool, o, 8), 8);
        obj_pool_release_bulk(&pool, o, 8);
    }
    HT_EQ(hp_pool_in_use(&pool.base), 0);
}
END_TEST

START_TEST(test_debug_released_slot_is_poisoned)
{
    HOTPATH_SCOPE("debug pool");
    struct obj *o = obj_pool_acquire(&pool);
    memset(o, 0x11, sizeof *o);
    obj_pool_release(&pool, o);
    const unsigned char *b = (const unsigned char *)o;
    for (size_t i = sizeof(void *); i < sizeof *o; i++) /* the first word links the free list */
        HT_EQ(b[i], HP_POISON_POOL);
}
END_TEST

START_TEST(test_debug_double_release_aborts)
{
    ht_quiet();
    HOTPATH_SCOPE("debug pool");
    struct obj *o = obj_pool_acquire(&pool);
    obj_pool_release(&pool, o);
    obj_pool_release(&pool, o);
}
END_TEST

START_TEST(test_debug_foreign_pointer_release_aborts)
{
    ht_quiet();
    HOTPATH_SCOPE("debug pool");
    static struct obj outside;
    obj_pool_release(&pool, &outside);
}
END_TEST

START_TEST(test_debug_interior_pointer_release_aborts)
{
    ht_quiet();
    HOTPATH_SCOPE("debug pool");
    struct obj *o = obj_pool_acquire(&pool);
    obj_pool_release(&pool, (struct obj *)((char *)o + 8));
}
END_TEST

START_TEST(test_debug_write_after_release_aborts_on_next_acquire)
{
    ht_quiet();
    HOTPATH_SCOPE("debug pool");
    struct obj *o = obj_pool_acquire(&pool);
    obj_pool_release(&pool, o);
    o->c = 1; /* use after release */
    obj_pool_acquire(&pool);
}
END_TEST

/* Message checks: each scenario runs in a child with stderr captured. */
static void double_release(void)
{
    setup();
    HOTPATH_SCOPE("debug pool");
    struct obj *o = obj_pool_acquire(&pool);
    obj_pool_acquire(&pool);
    struct obj *t = obj_pool_acquire(&pool);
    obj_pool_release(&pool, t);
    obj_pool_release(&pool, o);
    obj_pool_release(&pool, t);
}
static void foreign_release(void)
{
    setup();
    HOTPATH_SCOPE("debug pool");
    static struct obj outside;
    obj_pool_release(&pool, &outside);
}
static void bulk_double_release(void)
{
    setup();
    HOTPATH_SCOPE("debug pool");
    struct obj *o[2] = {NULL, NULL};
    if (obj_pool_acquire_bulk(&pool, o, 2) != 2) return;
    o[1] = o[0];
    obj_pool_release_bulk(&pool, o, 2);
}
static void use_after_release(void)
{
    setup();
    HOTPATH_SCOPE("debug pool");
    struct obj *o = obj_pool_acquire(&pool);
    obj_pool_release(&pool, o);
    o->d = 7;
    obj_pool_acquire(&pool);
}
/* The first word holds the free-list link while released: a write there must give the message,
 * not a crash when the next acquire follows it. */
static void use_after_release_first_word(void)
{
    setup();
    HOTPATH_SCOPE("debug pool");
    struct obj *o = obj_pool_acquire(&pool);
    obj_pool_release(&pool, o);
    o->a = 12345;
    obj_pool_acquire(&pool);
}
static void use_after_release_pointer_sized(void)
{
    u64_pool p;
    if (u64_pool_create(&p, 4) != 0) return;
    HOTPATH_SCOPE("debug pool");
    uint64_t *x = u64_pool_acquire(&p);
    u64_pool_acquire(&p);
    u64_pool_release(&p, x);
    *x = 0x4141414141414141ull;
    u64_pool_acquire(&p);
}
/* A first word overwritten with a pointer to a slot that is in use must not be taken as a link. */
static void use_after_release_link_to_live_slot(void)
{
    setup();
    HOTPATH_SCOPE("debug pool");
    struct obj *live = obj_pool_acquire(&pool);
    struct obj *o = obj_pool_acquire(&pool);
    obj_pool_release(&pool, o);
    *(struct obj **)o = live;
    obj_pool_acquire(&pool);
}

/* A 0 written to the first word would read as the end of the free list and silently cut it
 * (slots behind it lost) if the link were stored plainly. */
static void use_after_release_link_zeroed(void)
{
    setup();
    HOTPATH_SCOPE("debug pool");
    struct obj *a = obj_pool_acquire(&pool);
    struct obj *b = obj_pool_acquire(&pool);
    obj_pool_release(&pool, a);
    obj_pool_release(&pool, b); /* the list: b, then a */
    memset(b, 0, sizeof(void *));
    obj_pool_acquire(&pool);
}

static void expect_abort_with(void (*fn)(void), const char *text)
{
    char out[2048];
    int st = ht_run_capture(fn, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "child not aborted (status %d): %s", st, out);
    ck_assert_msg(strncmp(out, "hotpath pools: ", 15) == 0, "message lacks the prefix: %s", out);
    ck_assert_msg(strstr(out, text) != NULL, "expected '%s' in: %s", text, out);
    ck_assert_msg(strstr(out, "IN HOT PATH") == NULL, "the check itself allocated: %s", out);
}

START_TEST(test_debug_double_release_message_names_the_slot)
{
    teardown();
    expect_abort_with(double_release, "double release of slot 2 (");
}
END_TEST

START_TEST(test_debug_foreign_pointer_message_says_not_in_pool)
{
    teardown();
    expect_abort_with(foreign_release, "release of foreign pointer");
    expect_abort_with(bulk_double_release, "double release of slot 0");
    expect_abort_with(use_after_release, "was written after it was released (use after release)");
}
END_TEST

START_TEST(test_debug_write_to_the_link_word_gives_the_message_not_a_crash)
{
    teardown();
    expect_abort_with(use_after_release_first_word, "was written after it was released (use after release");
    expect_abort_with(use_after_release_pointer_sized,
                      "was written after it was released (use after release");
    expect_abort_with(use_after_release_link_zeroed, "was written after it was released (use after release");
    expect_abort_with(use_after_release_link_to_live_slot,
                      "was written after it was released (use after release");
}
END_TEST

/* 1 if all n bytes at p hold `pattern`. Under ASan released scratch memory is also poisoned for
 * ASan, so reading it would (rightly) be reported: look through ASan's eyes there instead. */
#ifdef HP__ASAN
int __asan_address_is_poisoned(void const volatile *addr);
#endif
static int released_holds(const unsigned char *p, size_t n, unsigned char pattern)
{
#ifdef HP__ASAN
    (void)pattern;
    for (size_t i = 0; i < n; i++)
        if (!__asan_address_is_poisoned(p + i)) return 0;
    return 1;
#else
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern) return 0;
    return 1;
#endif
}

START_TEST(test_debug_scratch_reset_poisons_released_memory)
{
    hp_scratch s;
    ck_assert_int_eq(hp_scratch_create(&s, 256, 0), 0);
    {
        HOTPATH_SCOPE("debug scratch");
        unsigned char *a = hp_scratch_alloc(&s, 16, 1);
        hp_scratch_mark_t m = hp_scratch_mark(&s);
        unsigned char *b = hp_scratch_alloc(&s, 32, 16);
        memset(a, 1, 16);
        memset(b, 2, 32);
        hp_scratch_rewind(&s, m);
        HT_EQ(a[0], 1); /* before the mark: untouched */
        HT_EQ(released_holds(b, 32, HP_POISON_SCRATCH), 1);
        hp_scratch_reset(&s);
        HT_EQ(released_holds(a, 16, HP_POISON_SCRATCH), 1);
    }
    hp_scratch_destroy(&s);
}
END_TEST

static Suite *debug_suite(void)
{
    Suite *s = suite_create("debug build");
    TCase *tc = tcase_create("pool checks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_debug_define_turns_checks_on_without_a_flag);
    tcase_add_test(tc, test_debug_pool_still_works_normally);
    tcase_add_test(tc, test_debug_released_slot_is_poisoned);
    tcase_add_test_raise_signal(tc, test_debug_double_release_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, test_debug_foreign_pointer_release_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, test_debug_interior_pointer_release_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, test_debug_write_after_release_aborts_on_next_acquire, SIGABRT);
    tcase_add_test(tc, test_debug_double_release_message_names_the_slot);
    tcase_add_test(tc, test_debug_foreign_pointer_message_says_not_in_pool);
    tcase_add_test(tc, test_debug_write_to_the_link_word_gives_the_message_not_a_crash);
    suite_add_tcase(s, tc);
    TCase *ts = tcase_create("scratch checks");
    tcase_add_test(ts, test_debug_scratch_reset_poisons_released_memory);
    suite_add_tcase(s, ts);
    ht_add_canary(s);
    return s;
}

HT_MAIN(debug_suite)
