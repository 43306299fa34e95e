/*
 * test_ring.c - the single-threaded ring: FIFO order, every slot usable (the seed wasted one),
 * wrap-around of the buffer and of the counters, bulk/burst, zero-copy spans, capacity 1,
 * over-aligned elements, high-water mark. Every post-init operation runs in a hot section.
 */
#define HP_POOLS_HIGH_WATER 1
#include "hp_test.h"

#include <hotpath/ring.h>
#include <hotpath/spsc.h>

#include <errno.h>
#include <stdint.h>

HP_RING_DEFINE(u64_ring, uint64_t);

struct big {
    _Alignas(64) uint32_t id;
    char pad[60];
};
HP_RING_DEFINE(big_ring, struct big);

START_TEST(test_ring_push_pop_in_section_allocates_nothing)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 1024), 0);
    {
        HOTPATH_SCOPE("ring");
        HT_EQ(u64_ring_push(&r, 42), 1);
        uint64_t v = 0;
        HT_EQ(u64_ring_pop(&r, &v), 1);
        HT_EQ(v, 42);
    }
    u64_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_every_slot_is_usable_no_slot_wasted)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 8), 0);
    {
        HOTPATH_SCOPE("ring");
        for (uint64_t i = 0; i < 8; i++)
            HT_EQ(u64_ring_push(&r, i), 1);
        HT_ASSERT(u64_ring_full(&r));
        HT_EQ(u64_ring_count(&r), 8);
        HT_EQ(u64_ring_push(&r, 99), 0); /* full: refused, nothing changes */
        HT_EQ(u64_ring_count(&r), 8);
        uint64_t v;
        for (uint64_t i = 0; i < 8; i++) {
            HT_EQ(u64_ring_pop(&r, &v), 1);
            HT_EQ(v, i);
        }
        HT_ASSERT(u64_ring_empty(&r));
        HT_EQ(u64_ring_pop(&r, &v), 0);
    }
    u64_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_keeps_fifo_order_across_many_wrap_arounds)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 16), 0);
    {
        HOTPATH_SCOPE("ring");
        uint64_t next_in = 0, next_out = 0, v;
        for (int round = 0; round < 1000; round++) {
            int burst = 1 + round % 16;
            for (int i = 0; i < burst && u64_ring_push(&r, next_in); i++)
                next_in++;
            for (int i = 0; i < burst / 2 + 1 && u64_ring_pop(&r, &v); i++)
                HT_EQ(v, next_out++);
        }
        while (u64_ring_pop(&r, &v))
            HT_EQ(v, next_out++);
        HT_EQ(next_in, next_out);
        HT_ASSERT(next_in > 1000);
    }
    u64_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_counters_wrapping_past_size_max_keep_working)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 4), 0);
    r.r.head = r.r.tail = SIZE_MAX - 2; /* private fields: start just before the counters wrap */
    {
        HOTPATH_SCOPE("ring");
        uint64_t v;
        for (uint64_t i = 0; i < 40; i++) {
            HT_EQ(u64_ring_push(&r, i), 1);
            HT_EQ(u64_ring_push(&r, i + 100), 1);
            HT_EQ(u64_ring_count(&r), 2);
            HT_EQ(u64_ring_pop(&r, &v), 1);
            HT_EQ(v, i);
            HT_EQ(u64_ring_pop(&r, &v), 1);
            HT_EQ(v, i + 100);
        }
        for (uint64_t i = 0; i < 4; i++)
            HT_EQ(u64_ring_push(&r, i), 1);
        HT_EQ(u64_ring_push(&r, 9), 0);
    }
    u64_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_capacity_one_holds_exactly_one)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 1), 0);
    {
        HOTPATH_SCOPE("ring");
        uint64_t v;
        for (uint64_t i = 0; i < 5; i++) {
            HT_EQ(u64_ring_push(&r, i), 1);
            HT_EQ(u64_ring_push(&r, i), 0);
            HT_EQ(*u64_ring_front(&r), i);
            HT_EQ(u64_ring_pop(&r, &v), 1);
            HT_EQ(v, i);
            HT_EQ(u64_ring_pop(&r, &v), 0);
        }
    }
    u64_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_init_rejects_non_power_of_two_capacity)
{
    uint64_t mem[16];
    hp_ring r;
    ck_assert_int_eq(hp_ring_init(&r, mem, sizeof mem, 8, 12), -EINVAL);
    ck_assert_int_eq(hp_ring_init(&r, mem, sizeof mem, 8, 0), -EINVAL);
    ck_assert_int_eq(hp_ring_init(&r, mem, sizeof mem, 8, 32), -EINVAL); /* memory too small */
    ck_assert_int_eq(hp_ring_init(&r, mem, sizeof mem, 0, 4), -EINVAL);
    ck_assert_int_eq(hp_ring_create(&r, 8, 3, 4), -EINVAL);
    ck_assert_int_eq(hp_ring_init(&r, mem, sizeof mem, 8, 16), 0);
}
END_TEST

START_TEST(test_ring_typed_init_rejects_memory_misaligned_for_the_type)
{
    static _Alignas(64) unsigned char mem[64 * 4 + 64];
    big_ring r;
    ck_assert_int_eq(big_ring_init(&r, mem + 8, sizeof mem - 8, 4), -EINVAL);
    ck_assert_int_eq(big_ring_init(&r, mem, sizeof mem, 4), 0);
    HOTPATH_SCOPE("ring");
    HT_EQ(hp_ring_capacity(&r.r), 4);
    HT_EQ(big_ring_capacity(&r), 4);
}
END_TEST

/* Zero elements with no buffer at all: nothing to copy, and no memcpy from/to NULL (UBSan's
 * nonnull check in make check-pools-sanitize). */
START_TEST(test_ring_bulk_and_burst_of_zero_accept_null)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 4), 0);
    HOTPATH_SCOPE("ring");
    HT_EQ(u64_ring_push_bulk(&r, NULL, 0), 0);
    HT_EQ(u64_ring_push_burst(&r, NULL, 0), 0);
    HT_EQ(u64_ring_pop_bulk(&r, NULL, 0), 0);
    HT_EQ(u64_ring_pop_burst(&r, NULL, 0), 0);
    HT_EQ(u64_ring_push(&r, 3), 1);
    HT_EQ(u64_ring_pop_burst(&r, NULL, 0), 0);
    HT_EQ(hp_ring_count(&r.r), 1);
    u64_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_bulk_is_all_or_nothing_and_burst_takes_what_fits)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 8), 0);
    uint64_t in[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, out[10] = {0};
    {
        HOTPATH_SCOPE("ring");
        HT_EQ(u64_ring_push_bulk(&r, in, 5), 5);
        HT_EQ(u64_ring_push_bulk(&r, in + 5, 4), 0); /* 3 free */
        HT_EQ(u64_ring_count(&r), 5);
        HT_EQ(u64_ring_push_burst(&r, in + 5, 5), 3);
        HT_EQ(u64_ring_pop_bulk(&r, out, 9), 0);
        HT_EQ(u64_ring_pop_bulk(&r, out, 6), 6);
        for (int i = 0; i < 6; i++)
            HT_EQ(out[i], i);
        /* Now the next bulk push wraps around the end of the buffer. */
        HT_EQ(u64_ring_push_bulk(&r, in, 6), 6);
        HT_EQ(u64_ring_pop_burst(&r, out, 10), 8);
        uint64_t want[8] = {6, 7, 0, 1, 2, 3, 4, 5};
        for (int i = 0; i < 8; i++)
            HT_EQ(out[i], want[i]);
        HT_EQ(u64_ring_pop_burst(&r, out, 10), 0);
    }
    u64_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_reserve_grants_contiguous_span_up_to_buffer_end)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 8), 0);
    {
        HOTPATH_SCOPE("ring");
        uint64_t tmp[6] = {0};
        HT_EQ(u64_ring_push_bulk(&r, tmp, 6), 6);
        HT_EQ(u64_ring_pop_bulk(&r, tmp, 6), 6); /* head = tail = 6 */
        size_t n = 5;
        uint64_t *span = u64_ring_reserve(&r, &n);
        HT_ASSERT(span != NULL);
        HT_EQ(n, 2); /* only slots 6 and 7 are contiguous */
        span[0] = 100;
        span[1] = 101;
        u64_ring_commit(&r, 2);
        n = 10;
        span = u64_ring_reserve(&r, &n);
        HT_EQ(n, 6); /* wrapped: slots 0..5 */
        for (size_t i = 0; i < 6; i++)
            span[i] = 102 + i;
        u64_ring_commit(&r, 4); /* publish only 4 of them */
        HT_EQ(u64_ring_count(&r), 6);
        n = 0;
        HT_PTR_EQ(u64_ring_reserve(&r, &n), NULL);
        n = 8;
        uint64_t *rd = u64_ring_peek_span(&r, &n);
        HT_EQ(n, 2);
        HT_EQ(rd[0], 100);
        HT_EQ(rd[1], 101);
        u64_ring_consume(&r, 1);
        n = 8;
        rd = u64_ring_peek_span(&r, &n);
        HT_EQ(n, 1);
        HT_EQ(rd[0], 101);
        u64_ring_consume(&r, 1);
        n = 8;
        rd = u64_ring_peek_span(&r, &n);
        HT_EQ(n, 4);
        for (size_t i = 0; i < 4; i++)
            HT_EQ(rd[i], 102 + i);
        u64_ring_consume(&r, 4);
        n = 8;
        HT_PTR_EQ(u64_ring_peek_span(&r, &n), NULL);
        HT_EQ(n, 0);
        /* Full ring: reserve grants nothing. */
        for (uint64_t i = 0; i < 8; i++)
            u64_ring_push(&r, i);
        n = 1;
        HT_PTR_EQ(u64_ring_reserve(&r, &n), NULL);
        HT_EQ(n, 0);
    }
    u64_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_over_aligned_elements_stay_aligned)
{
    big_ring r;
    ck_assert_int_eq(big_ring_create(&r, 4), 0);
    {
        HOTPATH_SCOPE("ring");
        struct big b = {.id = 7};
        for (int i = 0; i < 4; i++) {
            b.id = (uint32_t)i;
            HT_EQ(big_ring_push_ptr(&r, &b), 1);
        }
        size_t n = 4;
        struct big *span = big_ring_peek_span(&r, &n);
        HT_EQ(n, 4);
        for (int i = 0; i < 4; i++) {
            HT_EQ((uintptr_t)&span[i] % 64, 0);
            HT_EQ(span[i].id, i);
        }
        struct big out;
        HT_EQ(big_ring_pop(&r, &out), 1);
        HT_EQ(out.id, 0);
    }
    big_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_untyped_api_copies_elem_size_bytes)
{
    unsigned char mem[4 * 3];
    hp_ring r;
    ck_assert_int_eq(hp_ring_init(&r, mem, sizeof mem, 3, 4), 0);
    {
        HOTPATH_SCOPE("ring");
        unsigned char e[3] = {1, 2, 3}, out[3] = {0};
        for (int i = 0; i < 4; i++) {
            e[0] = (unsigned char)i;
            HT_EQ(hp_ring_push(&r, e), 1);
        }
        HT_EQ(hp_ring_push(&r, e), 0);
        unsigned char *f = hp_ring_front(&r);
        HT_EQ(f[0], 0);
        HT_EQ(hp_ring_pop(&r, out), 1);
        HT_EQ(out[0], 0);
        HT_EQ(out[2], 3);
        HT_EQ(hp_ring_pop_burst(&r, mem, 0), 0);
        hp_ring_clear(&r);
        HT_ASSERT(hp_ring_empty(&r));
        HT_EQ(hp_ring_free(&r), 4);
    }
}
END_TEST

/* The untyped bulk, burst and zero-copy calls take the element size from the ring (3 bytes here,
 * so a copy of the wrong size shows), across the buffer's end. */
START_TEST(test_ring_untyped_bulk_burst_and_spans_use_the_rings_element_size)
{
    unsigned char mem[4 * 3 + 3];
    mem[12] = mem[13] = mem[14] = 0xEE; /* guard past the buffer */
    hp_ring r;
    ck_assert_int_eq(hp_ring_init(&r, mem, 12, 3, 4), 0);
    {
        HOTPATH_SCOPE("ring");
        unsigned char in[5 * 3], out[5 * 3];
        for (int i = 0; i < 15; i++)
            in[i] = (unsigned char)(i + 1);
        HT_EQ(hp_ring_push_bulk(&r, in, 3), 3);
        HT_EQ(hp_ring_push_bulk(&r, in, 2), 0); /* all or nothing: 1 free */
        HT_EQ(hp_ring_pop_bulk(&r, out, 2), 2);
        HT_EQ(memcmp(out, in, 6), 0);
        HT_EQ(hp_ring_push_burst(&r, in + 3, 5), 3); /* 3 free, wraps */
        HT_ASSERT(hp_ring_full(&r));
        HT_EQ(hp_ring_pop_bulk(&r, out, 5), 0);
        HT_EQ(hp_ring_pop_burst(&r, out, 5), 4);
        HT_EQ(out[0], 7); /* in[2] */
        HT_EQ(memcmp(out + 3, in + 3, 9), 0);
        HT_ASSERT(hp_ring_empty(&r));
        size_t n = 4;
        unsigned char *w = hp_ring_reserve(&r, &n); /* counters at 6: two slots to the end */
        HT_ASSERT(w == mem + 6 && n == 2);
        memcpy(w, in, 6);
        hp_ring_commit(&r, 2);
        HT_EQ(hp_ring_count(&r), 2);
        n = 4;
        unsigned char *rd = hp_ring_peek_span(&r, &n);
        HT_ASSERT(rd == w && n == 2 && rd[3] == 4);
        hp_ring_consume(&r, 2);
        HT_ASSERT(hp_ring_empty(&r));
    }
    HT_EQ(mem[12] == 0xEE && mem[13] == 0xEE && mem[14] == 0xEE, 1);
}
END_TEST

START_TEST(test_ring_high_water_records_peak_occupancy)
{
    u64_ring r;
    ck_assert_int_eq(u64_ring_create(&r, 16), 0);
    {
        HOTPATH_SCOPE("ring");
        uint64_t v;
        for (int i = 0; i < 5; i++)
            u64_ring_push(&r, 1);
        for (int i = 0; i < 5; i++)
            u64_ring_pop(&r, &v);
        u64_ring_push(&r, 1);
        HT_EQ(hp_ring_high_water(&r.r), 5);
        uint64_t a[9] = {0};
        u64_ring_push_bulk(&r, a, 9);
        HT_EQ(hp_ring_high_water(&r.r), 10);
    }
    u64_ring_destroy(&r);
}
END_TEST

/* The SPSC ring's high-water mark exists only when the pushing code is compiled with
 * HP_POOLS_HIGH_WATER, as this file is: the producer's upper bound on occupancy (it counts
 * against its cached view of tail), never below the true peak and never above the capacity. */
HP_SPSC_DEFINE(u64_q, uint64_t);
START_TEST(test_spsc_high_water_bounds_the_peak_occupancy)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 8), 0);
    {
        HOTPATH_SCOPE("spsc");
        uint64_t v;
        HT_EQ(hp_spsc_high_water(&q.q), 0);
        for (int i = 0; i < 5; i++)
            HT_EQ(u64_q_push(&q, 1), 1);
        HT_EQ(hp_spsc_high_water(&q.q), 5);
        for (int i = 0; i < 2; i++)
            HT_EQ(u64_q_pop(&q, &v), 1);
        HT_EQ(hp_spsc_high_water(&q.q), 5);
        size_t peak = 5;
        for (int r = 0; r < 100; r++) { /* fill, drain some, refill: the bound holds throughout */
            while (u64_q_push(&q, 2))
                ;
            if (hp_spsc_count(&q.q) > peak) peak = hp_spsc_count(&q.q);
            HT_ASSERT(hp_spsc_high_water(&q.q) >= peak);
            HT_ASSERT(hp_spsc_high_water(&q.q) <= hp_spsc_capacity(&q.q));
            for (int i = 0; i < 1 + r % 7; i++)
                u64_q_pop(&q, &v);
        }
        HT_EQ(hp_spsc_high_water(&q.q), 8);
    }
    u64_q_destroy(&q);
}
END_TEST

static Suite *ring_suite(void)
{
    Suite *s = suite_create("ring");
    TCase *tc = tcase_create("operations");
    tcase_add_test(tc, test_ring_push_pop_in_section_allocates_nothing);
    tcase_add_test(tc, test_ring_every_slot_is_usable_no_slot_wasted);
    tcase_add_test(tc, test_ring_keeps_fifo_order_across_many_wrap_arounds);
    tcase_add_test(tc, test_ring_counters_wrapping_past_size_max_keep_working);
    tcase_add_test(tc, test_ring_capacity_one_holds_exactly_one);
    tcase_add_test(tc, test_ring_init_rejects_non_power_of_two_capacity);
    tcase_add_test(tc, test_ring_bulk_is_all_or_nothing_and_burst_takes_what_fits);
    tcase_add_test(tc, test_ring_reserve_grants_contiguous_span_up_to_buffer_end);
    tcase_add_test(tc, test_ring_over_aligned_elements_stay_aligned);
    tcase_add_test(tc, test_ring_untyped_api_copies_elem_size_bytes);
    tcase_add_test(tc, test_ring_untyped_bulk_burst_and_spans_use_the_rings_element_size);
    tcase_add_test(tc, test_ring_typed_init_rejects_memory_misaligned_for_the_type);
    tcase_add_test(tc, test_ring_bulk_and_burst_of_zero_accept_null);
    tcase_add_test(tc, test_spsc_high_water_bounds_the_peak_occupancy);
    tcase_add_test(tc, test_ring_high_water_records_peak_occupancy);
    suite_add_tcase(s, tc);
    ht_add_canary(s);
    return s;
}

HT_MAIN(ring_suite)
