/*
 * test_vec.c - the fixed vector (ArrayVec): push fails when full, pop/at bounds, extend all or
 * nothing, ordered and swap removal, insert, capacity 1, over-aligned elements. Every operation
 * runs in a hot section (a vector needs no init at all).
 */
#include "hp_test.h"

#include <hotpath/vec.h>

#include <stdint.h>

HP_VEC_DEFINE(ivec, int, 8);
HP_VEC_DEFINE(one_vec, int, 1);
struct al {
    _Alignas(64) int v;
};
HP_VEC_DEFINE(al_vec, struct al, 3);

START_TEST(test_vec_push_fails_cleanly_when_full)
{
    HOTPATH_SCOPE("vec");
    ivec v = {0};
    for (int i = 0; i < 8; i++)
        HT_EQ(ivec_push(&v, i), 1);
    HT_ASSERT(ivec_full(&v));
    HT_EQ(ivec_push(&v, 99), 0);
    HT_PTR_EQ(ivec_push_slot(&v), NULL);
    HT_EQ(ivec_len(&v), 8);
    for (int i = 0; i < 8; i++)
        HT_EQ(*ivec_at(&v, (size_t)i), i);
}
END_TEST

START_TEST(test_vec_pop_and_at_respect_length)
{
    HOTPATH_SCOPE("vec");
    ivec v = {0};
    int out = -1;
    HT_EQ(ivec_pop(&v, &out), 0);
    HT_PTR_EQ(ivec_at(&v, 0), NULL);
    ivec_push(&v, 5);
    ivec_push(&v, 6);
    HT_PTR_EQ(ivec_at(&v, 2), NULL);
    HT_EQ(ivec_pop(&v, &out), 1);
    HT_EQ(out, 6);
    HT_EQ(ivec_pop(&v, NULL), 1);
    HT_ASSERT(ivec_empty(&v));
    *ivec_push_slot(&v) = 7;
    HT_EQ(ivec_data(&v)[0], 7);
    ivec_clear(&v);
    HT_EQ(ivec_len(&v), 0);
    HT_EQ(ivec_capacity(&v), 8);
}
END_TEST

START_TEST(test_vec_extend_is_all_or_nothing)
{
    HOTPATH_SCOPE("vec");
    ivec v = {0};
    int src[6] = {1, 2, 3, 4, 5, 6};
    HT_EQ(ivec_extend(&v, src, 5), 5);
    HT_EQ(ivec_extend(&v, src, 4), 0);
    HT_EQ(ivec_len(&v), 5);
    HT_EQ(ivec_extend(&v, src, 3), 3);
    HT_EQ(v.items[7], 3);
}
END_TEST

START_TEST(test_vec_remove_keeps_order_and_swap_remove_moves_last)
{
    HOTPATH_SCOPE("vec");
    ivec v = {0};
    for (int i = 0; i < 6; i++)
        ivec_push(&v, i * 10);
    int out;
    HT_EQ(ivec_remove(&v, 1, &out), 1);
    HT_EQ(out, 10);
    int want1[5] = {0, 20, 30, 40, 50};
    for (int i = 0; i < 5; i++)
        HT_EQ(v.items[i], want1[i]);
    HT_EQ(ivec_swap_remove(&v, 0, &out), 1);
    HT_EQ(out, 0);
    int want2[4] = {50, 20, 30, 40};
    for (int i = 0; i < 4; i++)
        HT_EQ(v.items[i], want2[i]);
    HT_EQ(ivec_swap_remove(&v, 3, NULL), 1); /* removing the last one */
    HT_EQ(ivec_len(&v), 3);
    HT_EQ(ivec_remove(&v, 3, NULL), 0);
    HT_EQ(ivec_swap_remove(&v, 9, NULL), 0);
    HT_EQ(ivec_insert(&v, 0, 1), 1);
    HT_EQ(ivec_insert(&v, 4, 2), 1); /* at len: append */
    HT_EQ(ivec_insert(&v, 9, 3), 0);
    int want3[5] = {1, 50, 20, 30, 2};
    for (int i = 0; i < 5; i++)
        HT_EQ(v.items[i], want3[i]);
    while (ivec_push(&v, 0))
        ;
    HT_EQ(ivec_insert(&v, 0, 1), 0);
}
END_TEST

START_TEST(test_vec_capacity_one_and_over_aligned_elements)
{
    HOTPATH_SCOPE("vec");
    one_vec o = {0};
    HT_EQ(one_vec_push(&o, 1), 1);
    HT_EQ(one_vec_push(&o, 2), 0);
    al_vec a = {0};
    struct al x = {3};
    HT_EQ(al_vec_push(&a, x), 1);
    HT_EQ(al_vec_push(&a, x), 1);
    HT_EQ((uintptr_t)al_vec_at(&a, 1) % 64, 0);
    HT_EQ(al_vec_at(&a, 1)->v, 3);
}
END_TEST

static Suite *vec_suite(void)
{
    Suite *s = suite_create("vec");
    TCase *tc = tcase_create("operations");
    tcase_add_test(tc, test_vec_push_fails_cleanly_when_full);
    tcase_add_test(tc, test_vec_pop_and_at_respect_length);
    tcase_add_test(tc, test_vec_extend_is_all_or_nothing);
    tcase_add_test(tc, test_vec_remove_keeps_order_and_swap_remove_moves_last);
    tcase_add_test(tc, test_vec_capacity_one_and_over_aligned_elements);
    suite_add_tcase(s, tc);
    ht_add_canary(s);
    return s;
}

HT_MAIN(vec_suite)
