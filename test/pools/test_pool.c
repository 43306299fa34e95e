/*
 * test_pool.c - the object pool: every operation after init inside a hot section (under the
 * sentinel in abort mode via make check-pools), boundaries, statistics, bulk/burst, alignment.
 */
#include "hp_test.h"

#include <hotpath/pool.h>

#include <errno.h>
#include <stdint.h>

struct obj {
    uint64_t a, b, c;
};
HP_POOL_DEFINE(obj_pool, struct obj);

struct wide {
    _Alignas(128) unsigned char bytes[40];
};
HP_POOL_DEFINE(wide_pool, struct wide);

START_TEST(test_pool_acquire_release_in_section_allocates_nothing)
{
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, 64), 0);
    struct obj *o[64];
    {
        HOTPATH_SCOPE("pool");
        for (int r = 0; r < 100; r++) {
            for (int i = 0; i < 64; i++) {
                o[i] = obj_pool_acquire(&p);
                HT_ASSERT(o[i] != NULL);
                o[i]->a = (uint64_t)i;
            }
            for (int i = 0; i < 64; i++)
                obj_pool_release(&p, o[i]);
        }
        HT_EQ(hp_pool_in_use(&p.base), 0);
    }
    obj_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_exhausted_acquire_returns_null_and_counts)
{
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, 4), 0);
    {
        HOTPATH_SCOPE("pool");
        for (int i = 0; i < 4; i++)
            HT_ASSERT(obj_pool_acquire(&p) != NULL);
        HT_PTR_EQ(obj_pool_acquire(&p), NULL);
        HT_PTR_EQ(obj_pool_acquire(&p), NULL);
        HT_EQ(hp_pool_failed(&p.base), 2);
        HT_EQ(hp_pool_in_use(&p.base), 4);
        HT_EQ(hp_pool_available(&p.base), 0);
    }
    obj_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_capacity_one_cycles_its_single_slot)
{
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, 1), 0);
    {
        HOTPATH_SCOPE("pool");
        struct obj *a = obj_pool_acquire(&p);
        HT_ASSERT(a != NULL);
        HT_PTR_EQ(obj_pool_acquire(&p), NULL);
        obj_pool_release(&p, a);
        struct obj *b = obj_pool_acquire(&p);
        HT_PTR_EQ(b, a);
        HT_PTR_EQ(obj_pool_acquire(&p), NULL);
        obj_pool_release(&p, b);
    }
    obj_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_hands_out_distinct_non_overlapping_slots)
{
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, 100), 0);
    struct obj *o[100];
    {
        HOTPATH_SCOPE("pool");
        for (int i = 0; i < 100; i++) {
            o[i] = obj_pool_acquire(&p);
            HT_ASSERT(o[i] != NULL);
            HT_ASSERT(hp_pool_owns(&p.base, o[i]));
            o[i]->a = o[i]->b = o[i]->c = (uint64_t)i * 0x0101010101010101u;
        }
        for (int i = 0; i < 100; i++) {
            HT_EQ(o[i]->a, (uint64_t)i * 0x0101010101010101u);
            HT_EQ(o[i]->c, (uint64_t)i * 0x0101010101010101u);
        }
        /* A release makes the most recent slot the next one handed out (LIFO: warm in cache). */
        obj_pool_release(&p, o[37]);
        HT_PTR_EQ(obj_pool_acquire(&p), o[37]);
        for (int i = 0; i < 100; i++)
            obj_pool_release(&p, o[i]);
    }
    obj_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_slots_honour_over_aligned_types)
{
    wide_pool p;
    ck_assert_int_eq(wide_pool_create(&p, 9), 0);
    {
        HOTPATH_SCOPE("pool");
        for (int i = 0; i < 9; i++) {
            struct wide *w = wide_pool_acquire(&p);
            HT_ASSERT(w != NULL);
            HT_EQ((uintptr_t)w % 128, 0);
        }
    }
    wide_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_statistics_track_in_use_high_water_and_failures)
{
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, 8), 0);
    struct obj *o[8];
    {
        HOTPATH_SCOPE("pool");
        hp_pool_stats s = hp_pool_get_stats(&p.base);
        HT_EQ(s.capacity, 8);
        HT_EQ(s.in_use, 0);
        HT_EQ(s.high_water, 0);
        for (int i = 0; i < 5; i++)
            o[i] = obj_pool_acquire(&p);
        for (int i = 0; i < 3; i++)
            obj_pool_release(&p, o[i]);
        o[0] = obj_pool_acquire(&p);
        s = hp_pool_get_stats(&p.base);
        HT_EQ(s.in_use, 3);
        HT_EQ(s.available, 5);
        HT_EQ(s.high_water, 5);
        for (int i = 5; i < 8; i++)
            o[i] = obj_pool_acquire(&p);
        o[1] = obj_pool_acquire(&p);
        o[2] = obj_pool_acquire(&p);
        HT_PTR_EQ(obj_pool_acquire(&p), NULL);
        s = hp_pool_get_stats(&p.base);
        HT_EQ(s.in_use, 8);
        HT_EQ(s.high_water, 8);
        HT_EQ(s.failed, 1);
    }
    obj_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_bulk_acquire_is_all_or_nothing)
{
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, 10), 0);
    struct obj *a[10], *b[10];
    {
        HOTPATH_SCOPE("pool");
        HT_EQ(obj_pool_acquire_bulk(&p, a, 6), 6);
        HT_EQ(obj_pool_acquire_bulk(&p, b, 5), 0); /* only 4 left: takes none */
        HT_EQ(hp_pool_in_use(&p.base), 6);
        HT_EQ(hp_pool_failed(&p.base), 1);
        HT_EQ(obj_pool_acquire_bulk(&p, b, 4), 4);
        HT_EQ(hp_pool_available(&p.base), 0);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 4; j++)
                HT_ASSERT(a[i] != b[j]);
        obj_pool_release_bulk(&p, a, 6);
        obj_pool_release_bulk(&p, b, 4);
        HT_EQ(hp_pool_in_use(&p.base), 0);
        HT_EQ(obj_pool_acquire_bulk(&p, a, 10), 10);
        for (int i = 0; i < 10; i++)
            for (int j = i + 1; j < 10; j++)
                HT_ASSERT(a[i] != a[j]);
    }
    obj_pool_destroy(&p);
}
END_TEST

/* The untyped bulk and burst calls, on an hp_pool of 24-byte objects. */
START_TEST(test_pool_untyped_bulk_and_burst)
{
    hp_pool p;
    ck_assert_int_eq(hp_pool_create(&p, 24, 8, 6, 0), 0);
    {
        HOTPATH_SCOPE("pool");
        void *a[8];
        HT_EQ(hp_pool_capacity(&p), 6);
        HT_EQ(hp_pool_acquire_bulk(&p, a, 4), 4);
        HT_EQ(hp_pool_acquire_bulk(&p, a + 4, 3), 0); /* all or nothing: 2 left */
        HT_EQ(hp_pool_failed(&p), 1);
        HT_EQ(hp_pool_acquire_burst(&p, a + 4, 3), 2);
        for (int i = 0; i < 6; i++) {
            HT_ASSERT(hp_pool_owns(&p, a[i]));
            for (int j = 0; j < i; j++)
                HT_ASSERT(a[i] != a[j]);
        }
        HT_EQ(hp_pool_in_use(&p), 6);
        hp_pool_release_bulk(&p, a, 6);
        HT_EQ(hp_pool_in_use(&p), 0);
        void *b[6];
        HT_EQ(hp_pool_acquire_burst(&p, b, 8), 6);
        HT_PTR_EQ(b[0], a[0]); /* a bulk acquire after a bulk release gets the same array back */
        HT_PTR_EQ(b[5], a[5]);
        hp_pool_release_bulk(&p, b, 6);
    }
    hp_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_burst_acquire_takes_what_is_available)
{
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, 10), 0);
    struct obj *a[16];
    {
        HOTPATH_SCOPE("pool");
        HT_EQ(obj_pool_acquire_burst(&p, a, 7), 7);
        HT_EQ(obj_pool_acquire_burst(&p, a + 7, 7), 3);
        HT_EQ(hp_pool_failed(&p.base), 0);
        HT_EQ(obj_pool_acquire_burst(&p, a, 0), 0); /* asking for nothing is not a failure */
        HT_EQ(hp_pool_failed(&p.base), 0);
        HT_EQ(obj_pool_acquire_burst(&p, a, 1), 0);
        HT_EQ(hp_pool_failed(&p.base), 1);
        obj_pool_release_bulk(&p, a, 10);
        HT_EQ(hp_pool_available(&p.base), 10);
    }
    obj_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_bulk_release_returns_slots_in_order)
{
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, 8), 0);
    struct obj *a[8], *b[8];
    {
        HOTPATH_SCOPE("pool");
        HT_EQ(obj_pool_acquire_bulk(&p, a, 8), 8);
        obj_pool_release_bulk(&p, a, 8);
        /* The released batch comes back first-to-last, so bulk cycles keep the same slots. */
        HT_EQ(obj_pool_acquire_bulk(&p, b, 8), 8);
        for (int i = 0; i < 8; i++)
            HT_PTR_EQ(b[i], a[i]);
        obj_pool_release_bulk(&p, b, 3);
        HT_EQ(obj_pool_acquire_bulk(&p, a, 3), 3);
        HT_PTR_EQ(a[0], b[0]);
        HT_PTR_EQ(a[2], b[2]);
    }
    obj_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_init_on_caller_memory_uses_only_that_memory)
{
    static _Alignas(64) unsigned char mem[4096];
    hp_pool p;
    size_t need = hp_pool_mem_size(24, 8, 32);
    ck_assert_uint_gt(need, 0);
    ck_assert_uint_le(need, sizeof mem);
    ck_assert_int_eq(hp_pool_init(&p, mem, sizeof mem, 24, 8, 32, 0), 0);
    {
        HOTPATH_SCOPE("pool");
        for (int i = 0; i < 32; i++) {
            unsigned char *s = hp_pool_acquire(&p);
            HT_ASSERT(s >= mem && s + 24 <= mem + need);
        }
        HT_PTR_EQ(hp_pool_acquire(&p), NULL);
    }
    hp_pool_destroy(&p); /* frees nothing: the memory is the caller's */
}
END_TEST

START_TEST(test_pool_init_rejects_invalid_arguments)
{
    static _Alignas(64) unsigned char mem[1024];
    hp_pool p;
    ck_assert_int_eq(hp_pool_init(&p, mem, sizeof mem, 0, 8, 4, 0), -EINVAL);   /* size 0 */
    ck_assert_int_eq(hp_pool_init(&p, mem, sizeof mem, 16, 8, 0, 0), -EINVAL);  /* count 0 */
    ck_assert_int_eq(hp_pool_init(&p, mem, sizeof mem, 16, 24, 4, 0), -EINVAL); /* align not 2^k */
    ck_assert_int_eq(hp_pool_init(&p, mem, 16, 16, 8, 4, 0), -EINVAL);          /* too small */
    ck_assert_int_eq(hp_pool_init(&p, mem + 8, 512, 16, 64, 4, 0), -EINVAL);    /* misaligned */
    ck_assert_int_eq(hp_pool_init(&p, NULL, 512, 16, 8, 4, 0), -EINVAL);
    ck_assert_uint_eq(hp_pool_mem_size(SIZE_MAX / 2, 8, 4), 0); /* overflow */
    ck_assert_int_eq(hp_pool_create(&p, 16, 8, SIZE_MAX / 4, 0), -EINVAL);
}
END_TEST

START_TEST(test_pool_small_objects_get_pointer_sized_slots)
{
    hp_pool p;
    ck_assert_int_eq(hp_pool_create(&p, 1, 1, 5, 0), 0);
    {
        HOTPATH_SCOPE("pool");
        unsigned char *a = hp_pool_acquire(&p), *b = hp_pool_acquire(&p);
        HT_ASSERT(a && b);
        HT_EQ((size_t)(b > a ? b - a : a - b) >= sizeof(void *), 1);
        HT_EQ((uintptr_t)a % _Alignof(void *), 0);
        hp_pool_release(&p, a);
        hp_pool_release(&p, b);
    }
    hp_pool_destroy(&p);
}
END_TEST

/* The fast paths keep the newest HP_POOL_CACHE free slots in an array in front of the intrusive
 * list, spill the array to the list when a release finds it full, and derive in_use from the free
 * counts. Whatever mix of single, bulk and burst operations runs, and however far it swings past
 * the array's size, the pool must behave exactly as one LIFO stack of free slots followed by the
 * never-used slots in address order, with exact statistics. A model checks every step. */
enum { MODEL_CAP = 300 };
static unsigned long model_rng = 0x9E3779B97F4A7C15ul;
static unsigned long model_next(void)
{
    model_rng ^= model_rng << 13;
    model_rng ^= model_rng >> 7;
    model_rng ^= model_rng << 17;
    return model_rng;
}
START_TEST(test_pool_matches_a_lifo_model_across_the_cache_boundary)
{
    static struct obj *held[MODEL_CAP], *stack[MODEL_CAP], *batch[MODEL_CAP];
    static unsigned char mark[MODEL_CAP];
    size_t nheld = 0, nstack = 0, fresh = 0, failed = 0, high = 0;
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, MODEL_CAP), 0);
    struct obj *base = (struct obj *)p.base.base;
    size_t stride = p.base.slot_size / sizeof(struct obj);
    {
        HOTPATH_SCOPE("pool model");
        for (int step = 0; step < 40000; step++) {
            unsigned long r = model_next();
            size_t n = (size_t)(r >> 8) % (r & 0x100 ? 150 : 8);
            /* Expected next slots, top of the free stack first, then fresh ones in order. */
            size_t avail = nstack + (MODEL_CAP - fresh);
            switch (r % 6) {
            case 0: { /* single acquire */
                struct obj *o = obj_pool_acquire(&p);
                if (avail == 0) {
                    HT_PTR_EQ(o, NULL);
                    failed++;
                    break;
                }
                struct obj *want = nstack ? stack[--nstack] : base + stride * fresh++;
                HT_PTR_EQ(o, want);
                held[nheld++] = o;
                break;
            }
            case 1: /* single release of a random held slot */
                if (nheld == 0) break;
                {
                    size_t k = (size_t)(r >> 20) % nheld;
                    struct obj *o = held[k];
                    held[k] = held[--nheld];
                    obj_pool_release(&p, o);
                    stack[nstack++] = o;
                }
                break;
            case 2:   /* bulk acquire, all or nothing */
            case 3: { /* burst acquire */
                int burst = r % 6 == 3;
                size_t got =
                    burst ? obj_pool_acquire_burst(&p, batch, n) : obj_pool_acquire_bulk(&p, batch, n);
                size_t want_n = n <= avail ? n : burst ? avail : 0;
                HT_EQ(got, want_n);
                if (n > 0 && got == 0) failed++;
                for (size_t i = 0; i < got; i++) {
                    struct obj *want = nstack ? stack[--nstack] : base + stride * fresh++;
                    HT_PTR_EQ(batch[i], want);
                    held[nheld++] = batch[i];
                }
                break;
            }
            default: { /* bulk release of n random held slots: batch[0] becomes the top */
                if (n > nheld) n = nheld;
                for (size_t i = 0; i < n; i++) {
                    size_t k = (size_t)model_next() % nheld;
                    batch[i] = held[k];
                    held[k] = held[--nheld];
                }
                obj_pool_release_bulk(&p, batch, n);
                for (size_t i = n; i-- > 0;)
                    stack[nstack++] = batch[i];
                break;
            }
            }
            if (nheld > high) high = nheld;
            hp_pool_stats st = hp_pool_get_stats(&p.base);
            HT_EQ(st.in_use, nheld);
            HT_EQ(st.available, MODEL_CAP - nheld);
            HT_EQ(st.high_water, fresh);
            HT_EQ(st.failed, failed);
            HT_ASSERT(fresh >= high);
        }
        /* Every held slot distinct and owned. */
        memset(mark, 0, sizeof mark);
        for (size_t i = 0; i < nheld; i++) {
            HT_ASSERT(hp_pool_owns(&p.base, held[i]));
            size_t idx = (size_t)(held[i] - base) / stride;
            HT_EQ(mark[idx], 0);
            mark[idx] = 1;
        }
        obj_pool_release_bulk(&p, held, nheld);
        HT_EQ(hp_pool_in_use(&p.base), 0);
    }
    obj_pool_destroy(&p);
}
END_TEST

START_TEST(test_pool_bulk_round_trip_beyond_the_cache_keeps_order)
{
    enum { N = 3 * HP_POOL_CACHE + 5 };
    static struct obj *a[N], *b[N];
    obj_pool p;
    ck_assert_int_eq(obj_pool_create(&p, N), 0);
    {
        HOTPATH_SCOPE("pool");
        HT_EQ(obj_pool_acquire_bulk(&p, a, N), N);
        HT_EQ(hp_pool_available(&p.base), 0);
        obj_pool_release_bulk(&p, a, N); /* more than the array holds: the rest goes to the list */
        HT_EQ(hp_pool_available(&p.base), N);
        HT_EQ(obj_pool_acquire_bulk(&p, b, N), N);
        for (size_t i = 0; i < N; i++)
            HT_PTR_EQ(b[i], a[i]);
        /* Single releases past a full array spill it; single acquires come back in LIFO order. */
        for (size_t i = 0; i < N; i++)
            obj_pool_release(&p, b[i]);
        for (size_t i = N; i-- > 0;)
            HT_PTR_EQ(obj_pool_acquire(&p), b[i]);
        HT_PTR_EQ(obj_pool_acquire(&p), NULL);
        HT_EQ(hp_pool_failed(&p.base), 1);
        HT_EQ(hp_pool_high_water(&p.base), N);
    }
    obj_pool_destroy(&p);
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("operations");
    tcase_add_test(tc, test_pool_acquire_release_in_section_allocates_nothing);
    tcase_add_test(tc, test_pool_exhausted_acquire_returns_null_and_counts);
    tcase_add_test(tc, test_pool_capacity_one_cycles_its_single_slot);
    tcase_add_test(tc, test_pool_hands_out_distinct_non_overlapping_slots);
    tcase_add_test(tc, test_pool_slots_honour_over_aligned_types);
    tcase_add_test(tc, test_pool_statistics_track_in_use_high_water_and_failures);
    tcase_add_test(tc, test_pool_bulk_acquire_is_all_or_nothing);
    tcase_add_test(tc, test_pool_burst_acquire_takes_what_is_available);
    tcase_add_test(tc, test_pool_untyped_bulk_and_burst);
    tcase_add_test(tc, test_pool_bulk_release_returns_slots_in_order);
    tcase_add_test(tc, test_pool_init_on_caller_memory_uses_only_that_memory);
    tcase_add_test(tc, test_pool_init_rejects_invalid_arguments);
    tcase_add_test(tc, test_pool_small_objects_get_pointer_sized_slots);
    tcase_add_test(tc, test_pool_matches_a_lifo_model_across_the_cache_boundary);
    tcase_add_test(tc, test_pool_bulk_round_trip_beyond_the_cache_keeps_order);
    suite_add_tcase(s, tc);
    ht_add_canary(s);
    return s;
}

HT_MAIN(pool_suite)
