/*
 * test_map.c - the fixed hash map: put/find/erase, update, a full map refusing inserts cleanly,
 * erase by backward shift under churn checked against a model (also at full load with clusters
 * wrapping past the table's last slot), erase inside a wrapped cluster, colliding hashes,
 * caller-supplied hash/equality, iteration, capacity 1, the untyped API, sizes that overflow,
 * the hash array's alignment on memory off an 8-byte boundary. Every post-init operation runs in
 * a hot section.
 */
#include "hp_test.h"

#include <hotpath/map.h>

#include <errno.h>
#include <stdint.h>

HP_MAP_DEFINE_BYTES(u64_map, uint64_t, uint64_t);
HP_MAP_DEFINE_BYTES(u32_map, uint32_t, uint32_t); /* entries aligned to 4 only */

/* A terrible hash that sends every key to the same home slot: the probing and the backward-shift
 * erase must still be exact. */
struct skey {
    char name[16];
};
static uint64_t skey_hash(const struct skey *k) { return (uint64_t)(unsigned char)k->name[0] & 1; }
static int skey_eq(const struct skey *a, const struct skey *b) { return strcmp(a->name, b->name) == 0; }
HP_MAP_DEFINE(str_map, struct skey, int, skey_hash, skey_eq);

START_TEST(test_map_put_find_erase_in_section_allocate_nothing)
{
    u64_map m;
    ck_assert_int_eq(u64_map_create(&m, 100), 0);
    {
        HOTPATH_SCOPE("map");
        for (uint64_t k = 0; k < 100; k++)
            HT_EQ(u64_map_put(&m, k * 7919, k), 1);
        for (uint64_t k = 0; k < 100; k++) {
            uint64_t *v = u64_map_find(&m, k * 7919);
            HT_ASSERT(v != NULL);
            HT_EQ(*v, k);
        }
        HT_PTR_EQ(u64_map_find(&m, 1), NULL);
        HT_EQ(u64_map_put(&m, 7919, 555), 0); /* update */
        HT_EQ(*u64_map_find(&m, 7919), 555);
        HT_EQ(u64_map_count(&m), 100);
        for (uint64_t k = 0; k < 100; k += 2)
            HT_EQ(u64_map_erase(&m, k * 7919), 1);
        HT_EQ(u64_map_erase(&m, 0), 0);
        HT_EQ(u64_map_count(&m), 50);
        for (uint64_t k = 0; k < 100; k++)
            HT_EQ(u64_map_find(&m, k * 7919) != NULL, k % 2 == 1);
    }
    u64_map_destroy(&m);
}
END_TEST

START_TEST(test_map_full_map_refuses_insert_cleanly_but_updates_and_finds)
{
    u64_map m;
    ck_assert_int_eq(u64_map_create(&m, 5), 0);
    {
        HOTPATH_SCOPE("map");
        for (uint64_t k = 1; k <= 5; k++)
            HT_EQ(u64_map_put(&m, k, k), 1);
        HT_EQ(u64_map_put(&m, 6, 6), -1);
        int existed = -1;
        HT_PTR_EQ(u64_map_emplace(&m, 7, &existed), NULL);
        HT_EQ(hp_map_failed(&m.m), 2);
        HT_EQ(u64_map_count(&m), 5);
        HT_EQ(u64_map_put(&m, 3, 33), 0); /* updating a present key still works */
        HT_EQ(*u64_map_find(&m, 3), 33);
        HT_PTR_EQ(u64_map_find(&m, 6), NULL);
        HT_EQ(u64_map_erase(&m, 2), 1);
        HT_EQ(u64_map_put(&m, 6, 6), 1);
    }
    u64_map_destroy(&m);
}
END_TEST

START_TEST(test_map_capacity_one)
{
    u64_map m;
    ck_assert_int_eq(u64_map_create(&m, 1), 0);
    {
        HOTPATH_SCOPE("map");
        HT_EQ(u64_map_put(&m, 10, 1), 1);
        HT_EQ(u64_map_put(&m, 11, 1), -1);
        HT_EQ(u64_map_erase(&m, 10), 1);
        HT_EQ(u64_map_put(&m, 11, 2), 1);
        HT_EQ(*u64_map_find(&m, 11), 2);
    }
    u64_map_destroy(&m);
}
END_TEST

/* Churn against a model: random put/erase/find over a small key space with the table kept near
 * its capacity; any slip in the backward-shift erase loses or resurrects a key. Runs through the
 * untyped calls so maps with different hashes share it; key_of(k) is the k-th key. Returns how
 * many steps ended with a cluster wrapping past the table's last slot (an entry in slot 0 whose
 * home is in the upper half). */
static size_t churn(hp_map *m, uint64_t key_space, int steps, uint64_t (*key_of)(uint64_t))
{
    static uint64_t model_val[256];
    static unsigned char model_has[256];
    memset(model_has, 0, sizeof model_has);
    size_t count = 0, wrapped = 0, cap = hp_map_capacity(m);
    uint64_t seed = 99;
    for (int step = 0; step < steps; step++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        uint64_t k = (seed >> 33) % key_space, op = (seed >> 50) % 3;
        uint64_t key = key_of(k), val = (uint64_t)step;
        if (op == 0) {
            int r = hp_map_put(m, &key, &val);
            if (model_has[k]) {
                HT_EQ(r, 0);
            } else if (count < cap) {
                HT_EQ(r, 1);
                model_has[k] = 1;
                count++;
            } else {
                HT_EQ(r, -1);
                continue;
            }
            model_val[k] = val;
        } else if (op == 1) {
            HT_EQ(hp_map_erase(m, &key), model_has[k]);
            count -= model_has[k];
            model_has[k] = 0;
        }
        for (uint64_t j = 0; j < key_space; j++) {
            uint64_t kj = key_of(j);
            uint64_t *v = hp_map_find(m, &kj);
            HT_EQ(v != NULL, model_has[j]);
            if (v) HT_EQ(*v, model_val[j]);
        }
        HT_EQ(hp_map_count(m), count);
        wrapped += m->hashes[0] != 0 && (m->hashes[0] & m->mask) > m->mask / 2;
    }
    return wrapped;
}

static uint64_t spread_key(uint64_t k) { return k * 0x9E3779B97F4A7C15u; /* any 64-bit key works */ }

START_TEST(test_map_erase_under_churn_matches_a_model)
{
    u64_map m;
    ck_assert_int_eq(u64_map_create(&m, 48), 0);
    {
        HOTPATH_SCOPE("map");
        churn(u64_map_base(&m), 64, 20000, spread_key);
    }
    u64_map_destroy(&m);
}
END_TEST

/* Keys carry their home slot in the upper 32 bits (the hash), so a test can place clusters at the
 * end of the table, where probes and the backward-shift erase must wrap to slot 0. */
static uint64_t wrap_hash(const uint64_t *k) { return *k >> 32; }
static int wrap_eq(const uint64_t *a, const uint64_t *b) { return *a == *b; }
HP_MAP_DEFINE(wrap_map, uint64_t, uint64_t, wrap_hash, wrap_eq);

static uint64_t wrap_key(uint64_t home, uint64_t id) { return home << 32 | id; }

START_TEST(test_map_erase_inside_a_cluster_wrapping_past_the_last_slot)
{
    wrap_map m;
    ck_assert_int_eq(wrap_map_create(&m, 12), 0);
    const uint64_t s = m.m.mask + 1, n = 12;
    ck_assert_uint_ge(s, 16);
    /* One cluster from slot s-3 through slot 8, most of it displaced past the end. */
    const uint64_t home[12] = {s - 3, s - 2, s - 2, s - 1, s - 1, s - 2, 0, 1, 0, s - 1, 2, s - 3};
    uint64_t keys[12];
    for (uint64_t i = 0; i < n; i++)
        keys[i] = wrap_key(home[i], i);
    {
        HOTPATH_SCOPE("map");
        /* For every key: erase it first, then all the others in turn starting after it, checking
         * every key after every erase. */
        for (uint64_t victim = 0; victim < n; victim++) {
            wrap_map_clear(&m);
            for (uint64_t i = 0; i < n; i++)
                HT_EQ(wrap_map_put(&m, keys[i], i * 10), 1);
            HT_ASSERT(m.m.hashes[0] != 0 && (m.m.hashes[0] & m.m.mask) >= s - 3); /* it wraps */
            unsigned char gone[12] = {0};
            for (uint64_t e = 0; e < n; e++) {
                uint64_t x = (victim + e) % n;
                HT_EQ(wrap_map_erase(&m, keys[x]), 1);
                gone[x] = 1;
                HT_EQ(wrap_map_count(&m), n - 1 - e);
                for (uint64_t i = 0; i < n; i++) {
                    uint64_t *v = wrap_map_find(&m, keys[i]);
                    HT_EQ(v != NULL, !gone[i]);
                    if (v) HT_EQ(*v, i * 10);
                }
                HT_EQ(wrap_map_erase(&m, keys[x]), 0);
            }
        }
    }
    wrap_map_destroy(&m);
}
END_TEST

/* A key space whose homes crowd the last and first 8 slots of a 64-slot table. */
static uint64_t crowded_key(uint64_t k) { return wrap_key((64 - 8 + (k * 5) % 16) % 64, k); }

START_TEST(test_map_churn_at_full_load_across_the_table_end_matches_a_model)
{
    wrap_map m;
    /* 47 entries is the most a 64-slot table takes (75% load); 48 would double the table. */
    ck_assert_int_eq(wrap_map_create(&m, 47), 0);
    ck_assert_uint_eq(m.m.mask + 1, 64);
    size_t wrapped;
    {
        HOTPATH_SCOPE("map");
        wrapped = churn(wrap_map_base(&m), 80, 20000, crowded_key);
    }
    ck_assert_uint_gt(wrapped, 2000); /* the churn really ran across the end of the table */
    wrap_map_destroy(&m);
}
END_TEST

START_TEST(test_map_colliding_custom_hash_and_equality_stay_exact)
{
    str_map m;
    ck_assert_int_eq(str_map_create(&m, 20), 0);
    static struct skey keys[20];
    for (int i = 0; i < 20; i++)
        snprintf(keys[i].name, sizeof keys[i].name, "key-%d", i);
    {
        HOTPATH_SCOPE("map");
        for (int i = 0; i < 20; i++)
            HT_EQ(str_map_put(&m, keys[i], i), 1);
        for (int i = 0; i < 20; i += 3)
            HT_EQ(str_map_erase(&m, keys[i]), 1);
        for (int i = 0; i < 20; i++) {
            int *v = str_map_find(&m, keys[i]);
            HT_EQ(v != NULL, i % 3 != 0);
            if (v) HT_EQ(*v, i);
        }
        struct skey other = {"key-99"};
        HT_PTR_EQ(str_map_find(&m, other), NULL);
        /* Iteration visits each live entry exactly once. */
        size_t it = 0, seen = 0;
        struct skey *k;
        int *v;
        int mask = 0;
        while (str_map_next(&m, &it, &k, &v)) {
            seen++;
            mask |= 1 << *v;
            HT_ASSERT(skey_eq(k, &keys[*v]));
        }
        HT_EQ(seen, str_map_count(&m));
        for (int i = 0; i < 20; i++)
            HT_EQ((mask >> i) & 1, i % 3 != 0);
        str_map_clear(&m);
        HT_EQ(str_map_count(&m), 0);
        HT_PTR_EQ(str_map_find(&m, keys[1]), NULL);
    }
    str_map_destroy(&m);
}
END_TEST

START_TEST(test_map_untyped_odd_sized_keys_on_caller_memory)
{
    static _Alignas(64) unsigned char mem[4096];
    hp_map m;
    size_t need = hp_map_mem_size(3, 2, 2, 10);
    ck_assert_uint_gt(need, 0);
    ck_assert_uint_le(need, sizeof mem);
    ck_assert_int_eq(hp_map_init(&m, mem, sizeof mem, 3, 2, 2, 10, NULL, NULL), 0);
    ck_assert_int_eq(hp_map_init(&m, mem, need - 1, 3, 2, 2, 10, NULL, NULL), -EINVAL);
    ck_assert_int_eq(hp_map_init(&m, mem, sizeof mem, 0, 2, 2, 10, NULL, NULL), -EINVAL);
    ck_assert_int_eq(hp_map_init(&m, mem, sizeof mem, 3, 2, 2, 0, NULL, NULL), -EINVAL);
    ck_assert_int_eq(hp_map_init(&m, mem, sizeof mem, 3, 2, 2, 10, NULL, NULL), 0);
    {
        HOTPATH_SCOPE("map");
        unsigned char k[3] = {1, 2, 3};
        unsigned short val = 777;
        HT_EQ(hp_map_put(&m, k, &val), 1);
        unsigned short *v = hp_map_find(&m, k);
        HT_ASSERT(v != NULL);
        HT_EQ(*v, 777);
        k[2] = 4;
        HT_PTR_EQ(hp_map_find(&m, k), NULL);
        int existed = -1;
        HT_ASSERT(hp_map_emplace(&m, k, &existed) != NULL);
        HT_EQ(existed, 0);
        HT_EQ(hp_map_count(&m), 2);
        HT_EQ(hp_map_erase(&m, k), 1);
        HT_EQ(hp_map_capacity(&m), 10);
    }
}
END_TEST

/* Sizes whose arithmetic wraps must be refused at every step of the layout (entry offset, key +
 * value, stride * slots, entries + hash array): a wrapped sum sized the map tiny and init then
 * accepted a value size of 2^64-4 that every put would memcpy. */
START_TEST(test_map_sizes_that_overflow_are_refused)
{
    static _Alignas(64) unsigned char mem[4096];
    hp_map m;
    const size_t big_stride = (SIZE_MAX / 8) & ~(size_t)7; /* 8 slots of it end 64 bytes short */
    const struct {
        size_t key, val, align, cap;
    } bad[] = {
        {8, SIZE_MAX - 3, 16, 4},       /* val_off + val_size wraps */
        {8, SIZE_MAX - 8, 8, 4},        /* key + value is SIZE_MAX: rounding it up wraps */
        {SIZE_MAX, 8, 8, 4},            /* rounding the key up wraps */
        {SIZE_MAX - 20, 16, 16, 4},     /* the rounded key plus the value wraps */
        {1, 1, (SIZE_MAX >> 1) + 1, 4}, /* a huge alignment: the stride wraps */
        {8, SIZE_MAX / 4, 8, 4},        /* 8 slots * stride wraps */
        {8, big_stride - 8, 8, 4},      /* the entries fit, adding the hash array wraps */
        {8, 8, 8, SIZE_MAX},            /* the slot count would wrap */
        {1, 0, 1, SIZE_MAX >> 4},       /* 2^61 one-byte entries fit, their hashes do not */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(hp_map_mem_size(bad[i].key, bad[i].val, bad[i].align, bad[i].cap) == 0, "case %zu", i);
        ck_assert_msg(hp_map_init(&m, mem, sizeof mem, bad[i].key, bad[i].val, bad[i].align, bad[i].cap, NULL,
                                  NULL) == -EINVAL,
                      "case %zu", i);
        ck_assert_msg(hp_map_create(&m, bad[i].key, bad[i].val, bad[i].align, bad[i].cap, NULL, NULL) ==
                          -EINVAL,
                      "case %zu", i);
    }
    /* Just inside the limits the sizes are exact, not rounded through a wrap. */
    ck_assert_uint_eq(hp_map_mem_size(8, 8, 8, 4), 8 * 16 + 8 * 8);
    ck_assert_uint_eq(hp_map_mem_size(8, big_stride - 72, 8, 4), 8 * (big_stride - 64) + 8 * 8);
}
END_TEST

/* Memory aligned to the entries' alignment, but not to 8, must still get an 8-aligned hash array
 * inside the bytes hp_map_mem_size counted: the array was placed at an offset from mem, so a
 * uint32_t -> uint32_t map 4 bytes past an 8-byte boundary read every hash misaligned. */
static void check_guard(const unsigned char *buf, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        HT_EQ(buf[i], 0xAB);
}

START_TEST(test_map_hash_array_aligned_wherever_mem_starts)
{
    static _Alignas(64) unsigned char buf[1024];
    u32_map m;
    size_t need = u32_map_mem_size(10);
    ck_assert_uint_gt(need, 0);
    ck_assert_uint_le(need + 16, sizeof buf);
    for (size_t off = 0; off < 16; off += 4) {
        memset(buf, 0xAB, sizeof buf);
        ck_assert_int_eq(u32_map_init(&m, buf + off, need - 1, 10), -EINVAL);
        ck_assert_int_eq(u32_map_init(&m, buf + off, need, 10), 0);
        ck_assert_uint_eq((uintptr_t)m.m.hashes % 8, 0);
        ck_assert_ptr_eq(m.m.entries, buf + off);
        ck_assert((unsigned char *)(m.m.hashes + m.m.mask + 1) <= buf + off + need);
        {
            HOTPATH_SCOPE("map");
            for (uint32_t k = 0; k < 10; k++)
                HT_EQ(u32_map_put(&m, k * 40503u, k), 1);
            HT_EQ(u32_map_put(&m, 7, 7), -1);
            for (uint32_t k = 0; k < 10; k += 2)
                HT_EQ(u32_map_erase(&m, k * 40503u), 1);
            for (uint32_t k = 0; k < 10; k++) {
                uint32_t *v = u32_map_find(&m, k * 40503u);
                HT_EQ(v != NULL, k % 2);
                if (v) HT_EQ(*v, k);
            }
            u32_map_clear(&m);
            HT_EQ(u32_map_count(&m), 0);
            check_guard(buf, 0, off);
            check_guard(buf, off + need, sizeof buf);
        }
    }
    /* Alignment below the entries' own is still refused. */
    ck_assert_int_eq(u32_map_init(&m, buf + 2, need, 10), -EINVAL);

    /* Byte-aligned entries (3-byte keys, 2-byte values) at every offset within a word. */
    hp_map b;
    size_t bneed = hp_map_mem_size(3, 2, 1, 10);
    ck_assert_uint_gt(bneed, 0);
    ck_assert_uint_le(bneed + 8, sizeof buf);
    for (size_t off = 0; off < 8; off++) {
        memset(buf, 0xAB, sizeof buf);
        ck_assert_int_eq(hp_map_init(&b, buf + off, bneed, 3, 2, 1, 10, NULL, NULL), 0);
        ck_assert_uint_eq((uintptr_t)b.hashes % 8, 0);
        {
            HOTPATH_SCOPE("map");
            for (unsigned char i = 0; i < 10; i++) {
                unsigned char k[3] = {i, 1, 2}, v[2] = {i, 9};
                HT_EQ(hp_map_put(&b, k, v), 1);
            }
            for (unsigned char i = 0; i < 10; i++) {
                unsigned char k[3] = {i, 1, 2};
                unsigned char *v = hp_map_find(&b, k);
                HT_ASSERT(v != NULL);
                HT_EQ(v[0], i);
                HT_EQ(v[1], 9);
            }
            check_guard(buf, 0, off);
            check_guard(buf, off + bneed, sizeof buf);
        }
    }

    /* Entries aligned to 16 want mem aligned to 16, as before. */
    ck_assert_uint_gt(hp_map_mem_size(8, 8, 16, 10), 0);
    ck_assert_int_eq(hp_map_init(&b, buf + 8, sizeof buf - 8, 8, 8, 16, 10, NULL, NULL), -EINVAL);
    ck_assert_int_eq(hp_map_init(&b, buf + 16, sizeof buf - 16, 8, 8, 16, 10, NULL, NULL), 0);
}
END_TEST

static Suite *map_suite(void)
{
    Suite *s = suite_create("map");
    TCase *tc = tcase_create("operations");
    tcase_add_test(tc, test_map_put_find_erase_in_section_allocate_nothing);
    tcase_add_test(tc, test_map_full_map_refuses_insert_cleanly_but_updates_and_finds);
    tcase_add_test(tc, test_map_capacity_one);
    tcase_add_test(tc, test_map_erase_under_churn_matches_a_model);
    tcase_add_test(tc, test_map_erase_inside_a_cluster_wrapping_past_the_last_slot);
    tcase_add_test(tc, test_map_churn_at_full_load_across_the_table_end_matches_a_model);
    tcase_add_test(tc, test_map_colliding_custom_hash_and_equality_stay_exact);
    tcase_add_test(tc, test_map_untyped_odd_sized_keys_on_caller_memory);
    tcase_add_test(tc, test_map_sizes_that_overflow_are_refused);
    tcase_add_test(tc, test_map_hash_array_aligned_wherever_mem_starts);
    suite_add_tcase(s, tc);
    ht_add_canary(s);
    return s;
}

HT_MAIN(map_suite)
