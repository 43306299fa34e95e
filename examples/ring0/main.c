/*
 * main.c - the ring0 command: run the Ring 0 reference core once, or benchmark it against the
 * naive pipeline in the same process.
 *
 *   ring0 [--events N] [--seed S]          the zero-allocation pipeline, once
 *   ring0 --naive [--allow-naive]          the naive pipeline (without --allow-naive, under the
 *                                          sentinel: the audit, it aborts or is counted)
 *   ring0 --bench [--dat FILE]             both, same stream; throughput, percentiles, ratio;
 *                                          exit 1 on any violation or differing results
 * Other knobs: --batch N --emit-per-batch N --map-cap N --window-ns N --syms N --in-cap N --out-cap N --no-pin.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ring0.h"

#include <hotpath.h>

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "usage: ring0 [--events N] [--seed S] [--naive [--allow-naive]] [--bench [--dat FILE]]\n"
                    "             [--batch N] [--emit-per-batch N] [--map-cap N] [--window-ns N] [--syms N] [--in-cap N]\n"
                    "             [--out-cap N] [--no-pin]\n");
    exit(2);
}

static uint64_t num(const char *s)
{
    char *end;
    double v = strtod(s, &end); /* accepts 1e7 */
    if (*end || v < 0) usage();
    return (uint64_t)v;
}

static void print_run(const char *label, const ring0_stats *s)
{
    const ring0_hist *h = &s->hist;
    printf("%-20s %7.2f M/s %8.1f %8.1f %8.1f %9.1f %9.1f\n", label, (double)s->events_in / s->core_seconds / 1e6,
           ring0_hist_quantile(h, 0.50), ring0_hist_quantile(h, 0.99), ring0_hist_quantile(h, 0.999),
           ring0_hist_quantile(h, 0.9999), h->max_ns);
}

static void print_header(void)
{
    printf("%-20s %11s %8s %8s %8s %9s %9s   (ns per event)\n", "pipeline", "throughput", "p50", "p99", "p99.9",
           "p99.99", "max");
}

static void print_detail(const char *label, const ring0_stats *s)
{
    printf("  %s: %llu events in %.3f s of core time, %llu passed the filter, %llu windows, %llu results "
           "(consumer got %llu), mean %.1f ns/event\n",
           label, (unsigned long long)s->events_in, s->core_seconds, (unsigned long long)s->events_passed,
           (unsigned long long)s->windows, (unsigned long long)s->results, (unsigned long long)s->consumed,
           s->hist.total ? s->hist.sum_ns / (double)s->hist.total : 0.0);
    printf("  %s: state grew %llu times, backlog peak %llu, full-output spins %llu, idle polls %llu, "
           "producer yields %llu\n",
           label, (unsigned long long)s->map_grows, (unsigned long long)s->backlog_max,
           (unsigned long long)s->out_spins, (unsigned long long)s->idle_polls,
           (unsigned long long)s->producer_yields);
}

static int write_dat(const char *path, const ring0_stats *fast, const ring0_stats *naive)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    fprintf(f, "# ring0 per-event latency by percentile, ns (%s)\n", fast->timer);
    fprintf(f, "# percentile  1/(1-q)  zero_allocation_ns  naive_ns\n");
    for (int i = 0; i <= 120; i++) { /* q = 1 - 10^(-x), x = 0 .. 6 */
        double x = i * 0.05, q = 1.0 - pow(10.0, -x);
        fprintf(f, "%.6f %.3f %.3f %.3f\n", q * 100.0, pow(10.0, x), ring0_hist_quantile(&fast->hist, q),
                ring0_hist_quantile(&naive->hist, q));
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    ring0_config c;
    ring0_config_default(&c, 42, 10000000);
    int bench = 0;
    const char *dat = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && (v || (usage(), 0)) && ++i)
        if (ARG("--events")) c.events = num(v);
        else if (ARG("--seed")) c.seed = num(v);
        else if (ARG("--batch")) c.batch = num(v);
        else if (ARG("--map-cap")) c.map_cap = num(v);
        else if (ARG("--emit-per-batch")) c.emit_per_batch = num(v);
        else if (ARG("--window-ns")) c.window_ns = num(v);
        else if (ARG("--syms")) c.nsyms = (unsigned)num(v);
        else if (ARG("--in-cap")) c.in_cap = num(v);
        else if (ARG("--out-cap")) c.out_cap = num(v);
        else if (ARG("--dat")) dat = v;
        else if (strcmp(a, "--naive") == 0) c.naive = 1;
        else if (strcmp(a, "--allow-naive") == 0) c.allow_naive = 1;
        else if (strcmp(a, "--no-pin") == 0) c.pin = 0;
        else if (strcmp(a, "--bench") == 0) bench = 1;
        else usage();
#undef ARG
    }
    if (c.batch == 0 || c.window_ns == 0 || c.nsyms == 0) usage();

    static ring0_stats fast, naive; /* ~74 KB each: the histograms */
    if (!bench) {
        if (ring0_run(&c, &fast) != 0) return 1;
        print_header();
        print_run(c.naive ? "naive (allocating)" : "zero-allocation", &fast);
        print_detail(c.naive ? "naive" : "zero-allocation", &fast);
        printf("checksum %016llx, violations %lu\n", (unsigned long long)fast.checksum, hotpath_violations());
        return 0;
    }

    const char *opts = getenv("HOTPATH_OPTIONS");
    cpu_set_t set;
    int ncpu = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
    printf("ring0 bench: %llu events per pipeline, seed %llu, %u symbols, %.3f ms windows, batches of up to %zu\n",
           (unsigned long long)c.events, (unsigned long long)c.seed, c.nsyms, (double)c.window_ns / 1e6, c.batch);
    printf("sentinel: %s, HOTPATH_OPTIONS=%s\n", hotpath_sentinel_active() ? "active" : "NOT LOADED",
           opts ? opts : "(unset: mode=abort)");
    if (c.pin && ncpu >= 2)
        printf("placement: %d CPUs; the reactor pinned alone to the last, producer and consumer pinned to the "
               "first\n", ncpu);
    else
        printf("placement: %d CPU(s), threads not pinned: the scheduler places them\n", ncpu);

    c.naive = 0;
    if (ring0_run(&c, &fast) != 0) return 1;
    unsigned long v_fast = hotpath_violations();
    c.naive = 1;
    c.allow_naive = 1;
    if (ring0_run(&c, &naive) != 0) return 1;

    printf("latency: %s; one sample per batch, divided by its size (timer pair ~%.1f ns, included)\n",
           fast.timer, fast.timer_ns);
    print_header();
    print_run("zero-allocation", &fast);
    print_run("naive (allocating)", &naive);
    double tf = (double)fast.events_in / fast.core_seconds, tn = (double)naive.events_in / naive.core_seconds;
    printf("%-20s %7.2fx     %7.2fx %7.2fx %7.2fx   (naive / zero-allocation; throughput: zero / naive)\n",
           "ratio", tf / tn, ring0_hist_quantile(&naive.hist, 0.5) / ring0_hist_quantile(&fast.hist, 0.5),
           ring0_hist_quantile(&naive.hist, 0.99) / ring0_hist_quantile(&fast.hist, 0.99),
           ring0_hist_quantile(&naive.hist, 0.999) / ring0_hist_quantile(&fast.hist, 0.999));
    print_detail("zero-allocation", &fast);
    print_detail("naive", &naive);

    int ok = 1;
    if (fast.checksum != naive.checksum || fast.consumed != naive.consumed || fast.consumed != fast.results) {
        printf("FAIL: results differ: zero-allocation %llu results %016llx, naive %llu results %016llx\n",
               (unsigned long long)fast.consumed, (unsigned long long)fast.checksum,
               (unsigned long long)naive.consumed, (unsigned long long)naive.checksum);
        ok = 0;
    } else {
        printf("results: identical, %llu results, checksum %016llx\n", (unsigned long long)fast.consumed,
               (unsigned long long)fast.checksum);
    }
    printf("violations in the zero-allocation run: %lu%s\n", v_fast,
           hotpath_sentinel_active() ? "" : " (sentinel not loaded: nothing was checked)");
    if (v_fast != 0) ok = 0;
    if (getenv("RING0_REQUIRE_SENTINEL") && !hotpath_sentinel_active()) {
        printf("FAIL: RING0_REQUIRE_SENTINEL is set and libhotpath.so is not loaded\n");
        ok = 0;
    }
    if (dat && write_dat(dat, &fast, &naive) != 0) ok = 0;
    return ok ? 0 : 1;
}
