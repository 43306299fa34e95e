/*
 * test_ring0.c - the Ring 0 core computes what the allocating reference computes, for a fixed
 * seed, through its three threads, and allocates nothing in its hot sections while doing so.
 *
 * Run under LD_PRELOAD=libhotpath.so in abort mode (make check-ring0): an allocation in any hot
 * section kills the test's process, so every passing pipeline test is also a zero-allocation proof.
 * HP_REQUIRE_SENTINEL=1 makes the suite fail when the preload is not actually loaded. Assertions
 * run only after the pipeline has stopped (Check's ck_assert allocates), outside every section.
 */
#include "gen.h"
#include "ring0.h"

#include <check.h>
#include <hotpath.h>
#include <stdlib.h>

#define SEED 42
#define EVENTS 300000 /* 30 windows of ~10 000 events */

/* Run the pipeline with cfg (collecting every result) and compare with the reference. */
static void run_and_compare(ring0_config *cfg, ring0_stats *st)
{
    size_t cap = 200000;
    ring0_result *got = calloc(cap, sizeof *got);
    ck_assert_ptr_nonnull(got);
    cfg->collect = got;
    cfg->collect_cap = cap;
    unsigned long v0 = hotpath_violations();
    ck_assert_int_eq(ring0_run(cfg, st), 0);
    unsigned long v1 = hotpath_violations();

    size_t n_ref = 0;
    ring0_result *ref = ring0_reference(cfg, &n_ref);

    ck_assert_uint_eq(v1 - v0, 0);
    ck_assert_uint_eq(st->events_in, cfg->events);
    ck_assert_uint_gt(n_ref, 1000);
    ck_assert_uint_lt(n_ref, cap);
    ck_assert_uint_eq(st->results, n_ref);
    ck_assert_uint_eq(st->consumed, n_ref);
    ck_assert_uint_eq(st->collected, n_ref);
    uint64_t sum = 0;
    for (size_t i = 0; i < n_ref; i++) sum += ring0_result_hash(&ref[i]);
    ck_assert_uint_eq(st->checksum, sum);
    qsort(got, n_ref, sizeof *got, ring0_result_cmp);
    qsort(ref, n_ref, sizeof *ref, ring0_result_cmp);
    for (size_t i = 0; i < n_ref; i++) {
        if (memcmp(&got[i], &ref[i], sizeof *got) != 0)
            ck_abort_msg("result %zu differs: window %llu sym %.8s count %llu/%llu sum %lld/%lld", i,
                         (unsigned long long)ref[i].window, ref[i].sym, (unsigned long long)got[i].count,
                         (unsigned long long)ref[i].count, (long long)got[i].sum, (long long)ref[i].sum);
    }
    free(got);
    free(ref);
}

START_TEST(test_pipeline_matches_reference_for_fixed_seed)
{
    ring0_config c;
    ring0_config_default(&c, SEED, EVENTS);
    static ring0_stats st;
    run_and_compare(&c, &st);
    ck_assert_uint_eq(st.map_grows, 0);
    ck_assert_uint_ge(st.windows, 29);
}
END_TEST

START_TEST(test_other_seed_and_unaligned_window_match_reference)
{
    ring0_config c;
    ring0_config_default(&c, 7, EVENTS);
    c.window_ns = 777777; /* windows that do not line up with anything */
    c.nsyms = 300;
    c.batch = 13;
    static ring0_stats st;
    run_and_compare(&c, &st);
}
END_TEST

START_TEST(test_windows_closing_faster_than_their_results_drain_match_reference)
{
    ring0_config c;
    ring0_config_default(&c, SEED, 100000);
    c.window_ns = 3000; /* ~30 events per window: a close finds the previous one still draining */
    c.emit_per_batch = 1;
    static ring0_stats st;
    run_and_compare(&c, &st);
}
END_TEST

START_TEST(test_window_close_sent_at_once_matches_reference)
{
    ring0_config c;
    ring0_config_default(&c, SEED, EVENTS);
    c.emit_per_batch = 0;
    static ring0_stats st;
    run_and_compare(&c, &st);
}
END_TEST

START_TEST(test_window_state_overflow_grows_in_allow_region_and_stays_exact)
{
    ring0_config c;
    ring0_config_default(&c, SEED, EVENTS);
    c.map_cap = 16; /* far fewer than the ~940 symbols of a window: the cold path must run */
    static ring0_stats st;
    run_and_compare(&c, &st);
    ck_assert_uint_gt(st.map_grows, 0);
}
END_TEST

START_TEST(test_tiny_rings_backpressure_loses_nothing)
{
    ring0_config c;
    ring0_config_default(&c, SEED, EVENTS);
    c.in_cap = 64;
    c.out_cap = 16; /* backlog 64: a window's ~940 results must wait for the consumer */
    c.batch = 8;
    static ring0_stats st;
    run_and_compare(&c, &st);
    ck_assert_uint_gt(st.backlog_max, 0);
}
END_TEST

START_TEST(test_naive_pipeline_in_allow_region_matches_reference)
{
    ring0_config c;
    ring0_config_default(&c, SEED, EVENTS);
    c.naive = 1;
    c.allow_naive = 1;
    static ring0_stats st;
    run_and_compare(&c, &st);
}
END_TEST

START_TEST(test_stream_is_deterministic)
{
    ring0_gen a, b, d;
    ring0_gen_init(&a, SEED, 1000);
    ring0_gen_init(&b, SEED, 1000);
    ring0_gen_init(&d, SEED + 1, 1000);
    int differ = 0;
    uint64_t last = 0;
    for (int i = 0; i < 10000; i++) {
        ring0_event x, y, z;
        ring0_gen_next(&a, &x);
        ring0_gen_next(&b, &y);
        ring0_gen_next(&d, &z);
        ck_assert_mem_eq(&x, &y, sizeof x);
        differ |= memcmp(&x, &z, sizeof x) != 0;
        ck_assert_uint_ge(x.ts, last + 1);
        last = x.ts;
    }
    ck_assert(differ);
}
END_TEST

START_TEST(test_sentinel_is_loaded_when_required)
{
    if (getenv("HP_REQUIRE_SENTINEL")) ck_assert_int_eq(hotpath_sentinel_active(), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ring0");
    TCase *tc = tcase_create("pipeline");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sentinel_is_loaded_when_required);
    tcase_add_test(tc, test_stream_is_deterministic);
    tcase_add_test(tc, test_pipeline_matches_reference_for_fixed_seed);
    tcase_add_test(tc, test_other_seed_and_unaligned_window_match_reference);
    tcase_add_test(tc, test_windows_closing_faster_than_their_results_drain_match_reference);
    tcase_add_test(tc, test_window_close_sent_at_once_matches_reference);
    tcase_add_test(tc, test_window_state_overflow_grows_in_allow_region_and_stays_exact);
    tcase_add_test(tc, test_tiny_rings_backpressure_loses_nothing);
    tcase_add_test(tc, test_naive_pipeline_in_allow_region_matches_reference);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
