/*
 * test_spsc.c - the lock-free SPSC ring: single-thread semantics (every slot usable, bulk/burst,
 * zero-copy spans, capacity 1, counter wrap), the classic-bug regressions (cached indices drifting
 * from the real ones; read-only fields sharing a cache line with a written index) and a two-thread
 * stress test proving every value arrives exactly once and in order. Every post-init operation
 * runs in a hot section; the stress test's threads each run theirs in one.
 */
#include "hp_test.h"
#include "hp_cpu.h"

#include <hotpath/spsc.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>

HP_SPSC_DEFINE(u64_q, uint64_t);

/* The caches never run ahead of the indices they copy, and never fall behind so far that a side
 * would see more room or data than exists. */
static void check_cache_invariants_cap(const hp_spsc *q, size_t cap)
{
    HT_ASSERT(q->head - q->tail <= cap);
    HT_ASSERT(q->tail - q->tail_cache <= cap);               /* producer's view of tail: not ahead of tail */
    HT_ASSERT(q->head - q->tail_cache <= cap);               /* ... and never lets head lap the consumer */
    HT_ASSERT(q->head_cache - q->tail <= q->head - q->tail); /* consumer's view: within [tail, head] */
}

static void check_cache_invariants(const hp_spsc *q)
{
    check_cache_invariants_cap(q, q->mask + 1);
    HT_EQ(q->p_mask, q->mask); /* the sides' copies never change */
    HT_EQ(q->c_mask, q->mask);
}
/* The same, for a ring whose shared fields a test has wiped: the sides' copies tell the size. */
static void check_cache_invariants_sides(const hp_spsc *q)
{
    HT_EQ(q->p_mask, q->c_mask);
    check_cache_invariants_cap(q, q->p_mask + 1);
}

START_TEST(test_spsc_push_pop_in_section_allocates_nothing)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 64), 0);
    {
        HOTPATH_SCOPE("spsc");
        uint64_t v = 0;
        HT_EQ(u64_q_push(&q, 42), 1);
        HT_EQ(u64_q_pop(&q, &v), 1);
        HT_EQ(v, 42);
        HT_EQ(u64_q_pop(&q, &v), 0);
    }
    u64_q_destroy(&q);
}
END_TEST

START_TEST(test_spsc_every_slot_is_usable_and_full_is_reported)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 8), 0);
    {
        HOTPATH_SCOPE("spsc");
        for (uint64_t i = 0; i < 8; i++)
            HT_EQ(u64_q_push(&q, i), 1);
        HT_EQ(u64_q_push(&q, 8), 0);
        HT_EQ(hp_spsc_count(&q.q), 8);
        uint64_t v;
        for (uint64_t i = 0; i < 8; i++) {
            HT_EQ(u64_q_pop(&q, &v), 1);
            HT_EQ(v, i);
        }
        HT_EQ(u64_q_pop(&q, &v), 0);
        /* After draining, the producer must see the room again (refreshes its cached tail). */
        for (uint64_t i = 0; i < 8; i++)
            HT_EQ(u64_q_push(&q, i), 1);
        check_cache_invariants(&q.q);
    }
    u64_q_destroy(&q);
}
END_TEST

START_TEST(test_spsc_capacity_one_alternates)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 1), 0);
    {
        HOTPATH_SCOPE("spsc");
        uint64_t v;
        for (uint64_t i = 0; i < 10; i++) {
            HT_EQ(u64_q_push(&q, i), 1);
            HT_EQ(u64_q_push(&q, i), 0);
            HT_EQ(*u64_q_front(&q), i);
            HT_EQ(u64_q_pop(&q, &v), 1);
            HT_EQ(v, i);
            HT_EQ(u64_q_pop(&q, &v), 0);
            HT_PTR_EQ(u64_q_front(&q), NULL);
        }
    }
    u64_q_destroy(&q);
}
END_TEST

START_TEST(test_spsc_bulk_all_or_nothing_burst_partial_across_wrap)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 8), 0);
    uint64_t in[8] = {0, 1, 2, 3, 4, 5, 6, 7}, out[8];
    {
        HOTPATH_SCOPE("spsc");
        HT_EQ(u64_q_push_bulk(&q, in, 6), 6);
        HT_EQ(u64_q_push_bulk(&q, in, 3), 0);
        HT_EQ(u64_q_push_burst(&q, in, 3), 2);
        HT_EQ(u64_q_pop_bulk(&q, out, 9), 0);
        HT_EQ(u64_q_pop_bulk(&q, out, 5), 5);
        HT_EQ(u64_q_push_bulk(&q, in, 5), 5); /* wraps */
        HT_EQ(u64_q_pop_burst(&q, out, 8), 8);
        uint64_t want[8] = {5, 0, 1, 0, 1, 2, 3, 4};
        for (int i = 0; i < 8; i++)
            HT_EQ(out[i], want[i]);
        HT_EQ(u64_q_pop_burst(&q, out, 8), 0);
        check_cache_invariants(&q.q);
    }
    u64_q_destroy(&q);
}
END_TEST

START_TEST(test_spsc_reserve_commit_and_peek_consume_are_zero_copy)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 8), 0);
    {
        HOTPATH_SCOPE("spsc");
        uint64_t tmp[5];
        HT_EQ(u64_q_push_bulk(&q, tmp, 5), 5);
        HT_EQ(u64_q_pop_bulk(&q, tmp, 5), 5); /* head = tail = 5 */
        size_t n = 8;
        uint64_t *w = u64_q_reserve(&q, &n);
        HT_EQ(n, 3);
        HT_PTR_EQ(w, q.q.buf + 5 * sizeof(uint64_t)); /* in place, in the ring */
        w[0] = 10, w[1] = 11, w[2] = 12;
        HT_EQ(hp_spsc_count(&q.q), 0); /* nothing visible before commit */
        u64_q_commit(&q, 3);
        n = 8;
        w = u64_q_reserve(&q, &n);
        HT_EQ(n, 5);
        w[0] = 13;
        u64_q_commit(&q, 1);
        n = 8;
        uint64_t *r = u64_q_peek(&q, &n);
        HT_EQ(n, 3);
        HT_EQ(r[0], 10);
        HT_EQ(r[2], 12);
        u64_q_consume(&q, 3);
        n = 8;
        r = u64_q_peek(&q, &n);
        HT_EQ(n, 1);
        HT_EQ(r[0], 13);
        u64_q_consume(&q, 1);
        n = 8;
        HT_PTR_EQ(u64_q_peek(&q, &n), NULL);
        HT_EQ(n, 0);
        check_cache_invariants(&q.q);
    }
    u64_q_destroy(&q);
}
END_TEST

START_TEST(test_spsc_counters_wrapping_past_size_max_keep_working)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 4), 0);
    q.q.head = q.q.tail = q.q.head_cache = q.q.tail_cache = SIZE_MAX - 5;
    {
        HOTPATH_SCOPE("spsc");
        uint64_t v, a[3] = {1, 2, 3}, b[3];
        for (uint64_t i = 0; i < 20; i++) {
            HT_EQ(u64_q_push(&q, i), 1);
            HT_EQ(u64_q_push_bulk(&q, a, 3), 3);
            HT_EQ(u64_q_push(&q, 0), 0);
            HT_EQ(u64_q_pop(&q, &v), 1);
            HT_EQ(v, i);
            HT_EQ(u64_q_pop_bulk(&q, b, 3), 3);
            HT_EQ(b[2], 3);
            check_cache_invariants(&q.q);
        }
    }
    u64_q_destroy(&q);
}
END_TEST

/* Regression for the classic bug of cached indices drifting from the real ones: a random mix of
 * every operation, checked against a model queue and the cache invariants after each step. */
START_TEST(test_spsc_cached_indices_never_drift_from_real_indices)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 16), 0);
    {
        HOTPATH_SCOPE("spsc");
        uint64_t seed = 12345, next_in = 0, next_out = 0, buf[20];
        for (int step = 0; step < 20000; step++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            unsigned op = (unsigned)(seed >> 33) % 8, k = 1 + (unsigned)(seed >> 40) % 20;
            size_t live = next_in - next_out, n;
            switch (op) {
            case 0:
                HT_EQ(u64_q_push(&q, next_in), live < 16);
                next_in += live < 16;
                break;
            case 1: {
                uint64_t v;
                int got = u64_q_pop(&q, &v);
                HT_EQ(got, live > 0);
                if (got) HT_EQ(v, next_out++);
                break;
            }
            case 2:
                for (unsigned i = 0; i < k; i++)
                    buf[i] = next_in + i;
                n = u64_q_push_bulk(&q, buf, k);
                HT_EQ(n, k <= 16 - live ? k : 0);
                next_in += n;
                break;
            case 3:
                for (unsigned i = 0; i < k; i++)
                    buf[i] = next_in + i;
                n = u64_q_push_burst(&q, buf, k);
                HT_EQ(n, k < 16 - live ? k : 16 - live);
                next_in += n;
                break;
            case 4:
                n = u64_q_pop_bulk(&q, buf, k);
                HT_EQ(n, k <= live ? k : 0);
                for (size_t i = 0; i < n; i++)
                    HT_EQ(buf[i], next_out++);
                break;
            case 5:
                n = u64_q_pop_burst(&q, buf, k);
                HT_EQ(n, k < live ? k : live);
                for (size_t i = 0; i < n; i++)
                    HT_EQ(buf[i], next_out++);
                break;
            case 6: {
                n = k;
                uint64_t *w = u64_q_reserve(&q, &n);
                size_t contig = 16 - (q.q.head & 15), room = 16 - live;
                size_t expect = k < contig ? k : contig;
                HT_EQ(n, expect < room ? expect : room);
                for (size_t i = 0; i < n; i++)
                    w[i] = next_in + i;
                u64_q_commit(&q, n / 2 + (n & 1));
                next_in += n / 2 + (n & 1);
                break;
            }
            default: {
                n = k;
                uint64_t *r = u64_q_peek(&q, &n);
                size_t contig = 16 - (q.q.tail & 15);
                size_t expect = k < contig ? k : contig;
                HT_EQ(n, expect < live ? expect : live);
                for (size_t i = 0; i < n; i++)
                    HT_EQ(r[i], next_out + i);
                u64_q_consume(&q, n);
                next_out += n;
                break;
            }
            }
            check_cache_invariants(&q.q);
            HT_EQ(hp_spsc_count(&q.q), next_in - next_out);
        }
        HT_ASSERT(next_out > 10000);
    }
    u64_q_destroy(&q);
}
END_TEST

/* Regression for read-only fields sharing a cache line with a written index (and the two indices
 * sharing one): each group starts a fresh 128-byte block, and a created ring is 128-aligned. */
START_TEST(test_spsc_indices_and_read_only_fields_are_on_separate_cache_lines)
{
    size_t ro_end = offsetof(hp_spsc, owned) + sizeof(void *);
    size_t head = offsetof(hp_spsc, head), tail = offsetof(hp_spsc, tail);
    ck_assert_uint_ge(head, ro_end);
    ck_assert_uint_ne(head / HP_FALSE_SHARING_RANGE, (ro_end - 1) / HP_FALSE_SHARING_RANGE);
    ck_assert_uint_ne(tail / HP_FALSE_SHARING_RANGE, head / HP_FALSE_SHARING_RANGE);
    ck_assert_uint_eq(offsetof(hp_spsc, tail_cache) / HP_CACHE_LINE, head / HP_CACHE_LINE);
    ck_assert_uint_eq(offsetof(hp_spsc, head_cache) / HP_CACHE_LINE, tail / HP_CACHE_LINE);
    ck_assert_uint_ge(sizeof(hp_spsc) - tail, HP_FALSE_SHARING_RANGE);
    ck_assert_uint_eq(_Alignof(hp_spsc) % HP_FALSE_SHARING_RANGE, 0);
    hp_spsc q;
    ck_assert_int_eq(hp_spsc_create(&q, 8, 8, 64), 0);
    ck_assert_uint_eq((uintptr_t)&q % HP_FALSE_SHARING_RANGE, 0);
    ck_assert_uint_eq((uintptr_t)q.buf % HP_FALSE_SHARING_RANGE, 0);
    hp_spsc_destroy(&q);
}
END_TEST

/* Regression for read-only fields shared by both sides: each side reads its own copies of buf,
 * mask and elem_size from its own line, so the shared block is never on a fast path. Wipe the
 * shared fields and every producer and consumer operation must still work. */
START_TEST(test_spsc_fast_paths_read_only_their_own_sides_copies)
{
    ck_assert_uint_eq(offsetof(hp_spsc, p_buf) / HP_CACHE_LINE, offsetof(hp_spsc, head) / HP_CACHE_LINE);
    ck_assert_uint_eq(offsetof(hp_spsc, p_mask) / HP_CACHE_LINE, offsetof(hp_spsc, head) / HP_CACHE_LINE);
    ck_assert_uint_eq(offsetof(hp_spsc, c_buf) / HP_CACHE_LINE, offsetof(hp_spsc, tail) / HP_CACHE_LINE);
    ck_assert_uint_eq(offsetof(hp_spsc, c_mask) / HP_CACHE_LINE, offsetof(hp_spsc, tail) / HP_CACHE_LINE);
    static hp_spsc q;
    ck_assert_int_eq(hp_spsc_create(&q, sizeof(uint64_t), 8, 16), 0);
    ck_assert_ptr_eq(q.p_buf, q.buf);
    ck_assert_ptr_eq(q.c_buf, q.buf);
    ck_assert_uint_eq(q.p_mask, 15);
    ck_assert_uint_eq(q.c_mask, 15);
    ck_assert_uint_eq(q.p_elem_size, 8);
    ck_assert_uint_eq(q.c_elem_size, 8);
    unsigned char *buf = q.buf;
    q.buf = NULL;
    q.mask = 0;
    q.elem_size = 0;
    {
        HOTPATH_SCOPE("spsc");
        uint64_t v = 7, a[5] = {1, 2, 3, 4, 5}, b[5] = {0};
        for (int r = 0; r < 10; r++) { /* wraps the 16 slots several times */
            /* The producer's operations must not read the consumer's copies: point them at the
             * wrong buffer with a wrong size and mask while the producer runs. */
            static uint64_t decoy[16];
            unsigned char *c_buf = q.c_buf;
            size_t c_mask = q.c_mask, c_elem_size = q.c_elem_size;
            q.c_buf = (unsigned char *)decoy;
            q.c_mask = 0;
            q.c_elem_size = 0;
            v = 7;
            HT_EQ(hp_spsc_push(&q, &v), 1);
            HT_EQ(hp_spsc_push_bulk(&q, a, 5), 5);
            size_t n = 4;
            uint64_t *w = hp_spsc_reserve(&q, &n);
            HT_ASSERT(w != NULL && n >= 1);
            HT_ASSERT((unsigned char *)w >= buf && (unsigned char *)w < buf + 16 * sizeof(uint64_t));
            w[0] = 99;
            hp_spsc_commit(&q, 1);
            q.c_buf = c_buf;
            q.c_mask = c_mask;
            q.c_elem_size = c_elem_size;
            for (size_t i = 0; i < 16; i++)
                HT_EQ(decoy[i], 0);
            /* The consumer's operations must not read the producer's copies either. */
            static uint64_t decoy_p[16] = {0xBAD, 0xBAD, 0xBAD, 0xBAD, 0xBAD, 0xBAD, 0xBAD, 0xBAD,
                                           0xBAD, 0xBAD, 0xBAD, 0xBAD, 0xBAD, 0xBAD, 0xBAD, 0xBAD};
            unsigned char *p_buf = q.p_buf;
            size_t p_elem_size = q.p_elem_size, p_mask = q.p_mask;
            q.p_buf = (unsigned char *)decoy_p;
            q.p_elem_size = 0;
            q.p_mask = 0;
            v = 0;
            uint64_t *f = hp_spsc_front(&q);
            HT_ASSERT(f != NULL && *f == 7 && (unsigned char *)f >= buf &&
                      (unsigned char *)f < buf + 16 * sizeof(uint64_t));
            HT_EQ(hp_spsc_pop(&q, &v), 1);
            HT_EQ(v, 7);
            HT_EQ(hp_spsc_pop_burst(&q, b, 5), 5);
            HT_EQ(b[4], 5);
            n = 8;
            uint64_t *rd = hp_spsc_peek(&q, &n);
            HT_ASSERT(rd != NULL && n == 1 && rd[0] == 99);
            hp_spsc_consume(&q, 1);
            HT_PTR_EQ(hp_spsc_front(&q), NULL);
            HT_EQ(hp_spsc_count(&q), 0);
            q.p_buf = p_buf;
            q.p_elem_size = p_elem_size;
            q.p_mask = p_mask;
            check_cache_invariants_sides(&q);
        }
    }
    q.buf = buf;
    q.mask = 15;
    hp_spsc_destroy(&q);
}
END_TEST

struct big {
    _Alignas(64) uint32_t id;
    char pad[60];
};
HP_SPSC_DEFINE(big_q, struct big);

START_TEST(test_spsc_typed_init_rejects_memory_misaligned_for_the_type)
{
    static _Alignas(64) unsigned char mem[64 * 8 + 64];
    big_q q;
    ck_assert_int_eq(big_q_init(&q, mem + 8, sizeof mem - 8, 8), -EINVAL);
    ck_assert_int_eq(big_q_init(&q, mem, sizeof mem, 8), 0);
    struct big b = {.id = 5};
    {
        HOTPATH_SCOPE("spsc");
        HT_EQ(big_q_push(&q, b), 1);
        size_t n = 4;
        struct big *w = big_q_reserve(&q, &n);
        HT_EQ((uintptr_t)w % 64, 0);
        HT_PTR_EQ(big_q_base(&q), &q.q);
        HT_EQ(hp_spsc_capacity(big_q_base(&q)), 8);
    }
}
END_TEST

/* count() reads the two indices one after the other; if both sides moved in between, the
 * difference can exceed the capacity. Simulate that reading and check the clamp. */
START_TEST(test_spsc_count_never_exceeds_capacity)
{
    static u64_q q;
    ck_assert_int_eq(u64_q_create(&q, 8), 0);
    HOTPATH_SCOPE("spsc");
    HT_EQ(hp_spsc_count(&q.q), 0);
    HT_EQ(u64_q_push(&q, 1), 1);
    HT_EQ(hp_spsc_count(&q.q), 1);
    q.q.head = q.q.tail + 11; /* what a torn read of (old tail, new head) can see */
    HT_EQ(hp_spsc_count(&q.q), 8);
    q.q.head = q.q.tail + 1;
    u64_q_destroy(&q);
}
END_TEST

/* The untyped calls take the element size from the ring (3 bytes: a wrong size shows). */
START_TEST(test_spsc_untyped_calls_use_the_rings_element_size)
{
    static _Alignas(128) unsigned char mem[4 * 3 + 3];
    static hp_spsc q;
    mem[12] = mem[13] = mem[14] = 0xEE;
    ck_assert_int_eq(hp_spsc_init(&q, mem, 12, 3, 4), 0);
    {
        HOTPATH_SCOPE("spsc");
        unsigned char in[5 * 3], out[5 * 3];
        for (int i = 0; i < 15; i++)
            in[i] = (unsigned char)(i + 1);
        HT_EQ(hp_spsc_push_bulk(&q, in, 3), 3);
        HT_EQ(hp_spsc_pop_bulk(&q, out, 4), 0); /* all or nothing: 3 queued */
        HT_EQ(hp_spsc_pop_bulk(&q, out, 2), 2);
        HT_EQ(memcmp(out, in, 6), 0);
        HT_EQ(hp_spsc_push_burst(&q, in + 3, 5), 3); /* 3 free, wraps */
        HT_EQ(hp_spsc_push_burst(&q, in, 1), 0);
        HT_EQ(hp_spsc_count(&q), 4);
        unsigned char *f = hp_spsc_front(&q);
        HT_ASSERT(f != NULL && f[0] == 7);
        HT_EQ(hp_spsc_pop_burst(&q, out, 5), 4);
        HT_EQ(out[0], 7);
        HT_EQ(memcmp(out + 3, in + 3, 9), 0);
        HT_PTR_EQ(hp_spsc_front(&q), NULL);
    }
    HT_EQ(mem[12] == 0xEE && mem[13] == 0xEE && mem[14] == 0xEE, 1);
}
END_TEST

START_TEST(test_spsc_init_rejects_invalid_arguments)
{
    static hp_spsc q;
    uint64_t mem[8];
    ck_assert_int_eq(hp_spsc_init(&q, mem, sizeof mem, 8, 6), -EINVAL);
    ck_assert_int_eq(hp_spsc_init(&q, mem, sizeof mem, 8, 16), -EINVAL);
    ck_assert_int_eq(hp_spsc_init(&q, mem, sizeof mem, 0, 8), -EINVAL);
    ck_assert_int_eq(hp_spsc_init(&q, NULL, 64, 8, 8), -EINVAL);
    ck_assert_int_eq(hp_spsc_init(&q, mem, sizeof mem, 8, 8), 0);
}
END_TEST

/* ---- two-thread stress: every value arrives once and in order --------------------------------- */
struct stress {
    u64_q q;
    uint64_t items;
    uint64_t consumer_errors;
    uint64_t consumer_got;
};

static inline void cpu_relax(void) { hp_cpu_relax(); }

static void *stress_producer(void *arg)
{
    struct stress *s = arg;
    HOTPATH_SCOPE("spsc producer");
    uint64_t next = 0, buf[32], seed = 7;
    while (next < s->items) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        unsigned mode = (unsigned)(seed >> 60) % 3;
        uint64_t left = s->items - next;
        if (mode == 0) {
            while (!u64_q_push(&s->q, next))
                cpu_relax();
            next++;
        } else if (mode == 1) {
            size_t k = 1 + (seed >> 20) % 32;
            if (k > left) k = left;
            for (size_t i = 0; i < k; i++)
                buf[i] = next + i;
            size_t done = 0;
            while (done < k) {
                size_t n = u64_q_push_burst(&s->q, buf + done, k - done);
                if (!n) cpu_relax();
                done += n;
            }
            next += k;
        } else {
            size_t n = 1 + (seed >> 20) % 32;
            if (n > left) n = left;
            uint64_t *w = u64_q_reserve(&s->q, &n);
            if (!w) {
                cpu_relax();
                continue;
            }
            for (size_t i = 0; i < n; i++)
                w[i] = next + i;
            u64_q_commit(&s->q, n);
            next += n;
        }
    }
    return NULL;
}

static void *stress_consumer(void *arg)
{
    struct stress *s = arg;
    HOTPATH_SCOPE("spsc consumer");
    uint64_t expect = 0, errors = 0, buf[32], seed = 11;
    while (expect < s->items) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        unsigned mode = (unsigned)(seed >> 60) % 4;
        if (mode == 3) { /* rigtorp-style front + consume(1) */
            uint64_t *f = u64_q_front(&s->q);
            if (!f) {
                cpu_relax();
                continue;
            }
            errors += *f != expect++;
            u64_q_consume(&s->q, 1);
        } else if (mode == 0) {
            uint64_t v;
            if (!u64_q_pop(&s->q, &v)) {
                cpu_relax();
                continue;
            }
            errors += v != expect++;
        } else if (mode == 1) {
            size_t n = u64_q_pop_burst(&s->q, buf, 1 + (seed >> 20) % 32);
            if (!n) cpu_relax();
            for (size_t i = 0; i < n; i++)
                errors += buf[i] != expect++;
        } else {
            size_t n = 1 + (seed >> 20) % 32;
            uint64_t *r = u64_q_peek(&s->q, &n);
            if (!r) {
                cpu_relax();
                continue;
            }
            for (size_t i = 0; i < n; i++)
                errors += r[i] != expect++;
            u64_q_consume(&s->q, n);
        }
    }
    s->consumer_errors = errors;
    s->consumer_got = expect;
    return NULL;
}

static void run_stress(size_t capacity, uint64_t items)
{
    static struct stress s;
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(u64_q_create(&s.q, capacity), 0);
    s.items = items;
    pthread_t p, c;
    ck_assert_int_eq(pthread_create(&c, NULL, stress_consumer, &s), 0);
    ck_assert_int_eq(pthread_create(&p, NULL, stress_producer, &s), 0);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    ck_assert_uint_eq(s.consumer_got, items);
    ck_assert_uint_eq(s.consumer_errors, 0);
    ck_assert_uint_eq(hp_spsc_count(&s.q.q), 0);
    u64_q_destroy(&s.q);
}

START_TEST(test_spsc_two_threads_deliver_every_value_once_in_order)
{
    run_stress(1024, ht_stress_items(3000000));
}
END_TEST

START_TEST(test_spsc_two_threads_tiny_ring_deliver_every_value_once_in_order)
{
    /* Capacity 4: the ring is full or empty almost all the time, so every cache refresh path and
     * every wrap runs constantly. */
    run_stress(4, ht_stress_items(3000000) / 4);
}
END_TEST

static Suite *spsc_suite(void)
{
    Suite *s = suite_create("spsc");
    TCase *tc = tcase_create("single thread");
    tcase_add_test(tc, test_spsc_push_pop_in_section_allocates_nothing);
    tcase_add_test(tc, test_spsc_every_slot_is_usable_and_full_is_reported);
    tcase_add_test(tc, test_spsc_typed_init_rejects_memory_misaligned_for_the_type);
    tcase_add_test(tc, test_spsc_count_never_exceeds_capacity);
    tcase_add_test(tc, test_spsc_capacity_one_alternates);
    tcase_add_test(tc, test_spsc_bulk_all_or_nothing_burst_partial_across_wrap);
    tcase_add_test(tc, test_spsc_reserve_commit_and_peek_consume_are_zero_copy);
    tcase_add_test(tc, test_spsc_counters_wrapping_past_size_max_keep_working);
    tcase_add_test(tc, test_spsc_cached_indices_never_drift_from_real_indices);
    tcase_add_test(tc, test_spsc_indices_and_read_only_fields_are_on_separate_cache_lines);
    tcase_add_test(tc, test_spsc_fast_paths_read_only_their_own_sides_copies);
    tcase_add_test(tc, test_spsc_untyped_calls_use_the_rings_element_size);
    tcase_add_test(tc, test_spsc_init_rejects_invalid_arguments);
    suite_add_tcase(s, tc);
    TCase *st = tcase_create("two threads");
    tcase_set_timeout(st, 60);
    tcase_add_test(st, test_spsc_two_threads_deliver_every_value_once_in_order);
    tcase_add_test(st, test_spsc_two_threads_tiny_ring_deliver_every_value_once_in_order);
    suite_add_tcase(s, st);
    ht_add_canary(s);
    return s;
}

HT_MAIN(spsc_suite)
