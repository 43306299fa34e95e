/*
 * reactor.c - the thread-per-core shell around the operators: start-up (every byte the run will
 * use), the producer, the reactor (core) thread, the consumer, and the latency measurement.
 *
 * The reactor's loop body (reactor_batch) is one hot section ("ring0_reactor"): take a batch from
 * the input ring without copying it, run the operators over it, hand the slots back, record the
 * time. Every per-event function is marked HOTPATH_NONBLOCKING (make check-effects). Results go
 * to the output ring; when it is full they are parked in a fixed backlog ring on the core and sent
 * later, so a slow consumer costs latency only once the backlog is full too (then the core spins).
 *
 * Placement (pin=1): the reactor alone on the last CPU of the affinity mask, producer and consumer
 * sharing the first. The producer yields when the input ring is full and the consumer sleeps 20 us
 * when the output ring is empty, so the two share their CPU without starving each other.
 *
 * Latency: per loop iteration, a counter (tick.h: the TSC on x86-64, CNTVCT_EL0 on AArch64) is
 * read before taking the batch and after handing it back, converted to ns with a rate calibrated
 * against CLOCK_MONOTONIC at start-up, and divided by the batch's size: one sample per event,
 * weighted, in a fixed histogram.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ring0.h"
#include "gen.h"
#include "tick.h"

#include <hotpath.h>
#include <hotpath/ring.h>
#include <hotpath/spsc.h>
#include <hp_cpu.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

HP_SPSC_DEFINE(ev_ring, ring0_event);
HP_SPSC_DEFINE(res_ring, ring0_result);
HP_RING_DEFINE(res_backlog, ring0_result);

/* ---- time ------------------------------------------------------------------------------------- */

/* ns per tick, and the cost of one start/end pair (the smallest of many). */
static void calibrate(double *ns_per_tick, double *pair_ns)
{
    uint64_t n0 = tick_mono_ns(), t0 = tick_start();
    while (tick_mono_ns() - n0 < 20000000u) {
    }
    uint64_t n1 = tick_mono_ns(), t1 = tick_end();
    *ns_per_tick = (double)(n1 - n0) / (double)(t1 - t0);
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 10000; i++) {
        uint64_t a = tick_start(), b = tick_end();
        if (b - a < best) best = b - a;
    }
    *pair_ns = (double)best * *ns_per_tick;
}

/* ---- the run ---------------------------------------------------------------------------------- */

/* The operators the reactor drives: the zero-allocation core, or the naive pipeline (the
 * benchmark's baseline and the audit). Nonblocking function types: the static check trusts every
 * call through them, since it cannot see where a pointer points. */
typedef void (*process_fn)(void *ops, const ring0_event *evs, size_t n) HOTPATH_NONBLOCKING;
typedef void (*flush_fn)(void *ops) HOTPATH_NONBLOCKING;

static void core_process(void *ops, const ring0_event *evs, size_t n) HOTPATH_NONBLOCKING
{
    ring0_core_process(ops, evs, n);
}
static void core_flush(void *ops) HOTPATH_NONBLOCKING
{
    ring0_core_flush(ops);
}
static void naive_process(void *ops, const ring0_event *evs, size_t n) { ring0_naive_process(ops, evs, n); }
static void naive_flush(void *ops) { ring0_naive_flush(ops); }

struct run {
    ev_ring in;   /* producer -> core */
    res_ring out; /* core -> consumer */
    res_backlog backlog;
    const ring0_config *cfg;
    ring0_stats *st;
    ring0_core *core;
    ring0_naive *naive;
    process_fn process; /* core_process or naive_process, on `ops` */
    flush_fn flush;
    void *ops;
    double ns_per_tick;
    int core_done; /* atomic: every result is in the output ring */
    int cpu_core, cpu_io;
};

/* Core thread: send parked results while the output ring has room. */
static void backlog_drain(struct run *r) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    for (;;) {
        size_t n = 64;
        ring0_result *p = res_backlog_peek_span(&r->backlog, &n);
        if (n == 0) return;
        size_t sent = res_ring_push_burst(&r->out, p, n);
        res_backlog_consume(&r->backlog, sent);
        if (sent < n) return;
    }
}

/* The sink's end of the core: the emit callback the operators call for each result. */
static void sink_emit(void *ctx, const ring0_result *res) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    struct run *r = ctx;
    r->st->results++;
    if (HP_POOLS_LIKELY(res_backlog_empty(&r->backlog)) && res_ring_push_ptr(&r->out, res)) return;
    while (!res_backlog_push_ptr(&r->backlog, res)) { /* backlog full: wait for the consumer */
        backlog_drain(r);
        r->st->out_spins++;
        hp_cpu_relax();
    }
    size_t parked = res_backlog_count(&r->backlog);
    if (parked > r->st->backlog_max) r->st->backlog_max = parked;
}

/* One reactor iteration, the per-event path: take up to a batch from the input ring in place, run
 * the operators over it, hand the slots back, record the service time. Returns the events taken
 * (0: the input ring was empty). */
static size_t reactor_batch(struct run *r, uint64_t *first) HOTPATH_NONBLOCKING
{
    HOTPATH_SCOPE("ring0_reactor");
    size_t k = r->cfg->batch;
    uint64_t t0 = tick_start();
    const ring0_event *evs = ev_ring_peek(&r->in, &k);
    if (HP_POOLS_UNLIKELY(k == 0)) {
        if (!res_backlog_empty(&r->backlog)) backlog_drain(r);
        r->st->idle_polls++;
        hp_cpu_relax();
        return 0;
    }
    if (HP_POOLS_UNLIKELY(*first == 0)) *first = t0;
    r->process(r->ops, evs, k);
    ev_ring_consume(&r->in, k);
    uint64_t t1 = tick_end();
    ring0_hist_add(&r->st->hist, (double)(t1 - t0) * r->ns_per_tick / (double)k, k);
    return k;
}

/* End of stream: close the last window and send every parked result. */
static void reactor_flush(struct run *r) HOTPATH_NONBLOCKING
{
    HOTPATH_SCOPE("ring0_reactor");
    r->flush(r->ops);
    while (!res_backlog_empty(&r->backlog)) {
        backlog_drain(r);
        hp_cpu_relax();
    }
}

static void *core_main(void *arg)
{
    struct run *r = arg;
    const ring0_config *cfg = r->cfg;
    ring0_stats *st = r->st;
    const uint64_t n = cfg->events;
    uint64_t taken = 0, first = 0;

    /* The benchmark's baseline allocates by design: run it inside an allow region so abort mode
     * stays on for everything else. Without allow_naive the sentinel stops it (the audit). */
    if (cfg->naive && cfg->allow_naive) hotpath_allow_begin();
    while (taken < n) taken += reactor_batch(r, &first);
    reactor_flush(r);
    uint64_t last = tick_end();
    if (cfg->naive && cfg->allow_naive) hotpath_allow_end();
    st->events_in = taken;
    st->core_seconds = (double)(last - first) * r->ns_per_tick / 1e9;
    __atomic_store_n(&r->core_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void *producer_main(void *arg)
{
    struct run *r = arg;
    ring0_gen g;
    ring0_gen_init(&g, r->cfg->seed, r->cfg->nsyms);
    uint64_t made = 0, n = r->cfg->events, yields = 0;
    while (made < n) {
        size_t k = n - made < 256 ? (size_t)(n - made) : 256;
        ring0_event *slot = ev_ring_reserve(&r->in, &k);
        if (k == 0) {
            yields++;
            sched_yield();
            continue;
        }
        for (size_t i = 0; i < k; i++) ring0_gen_next(&g, &slot[i]);
        ev_ring_commit(&r->in, k);
        made += k;
    }
    r->st->producer_yields = yields; /* written once: the stats share lines with the core's */
    return NULL;
}

static void *consumer_main(void *arg)
{
    struct run *r = arg;
    ring0_stats *st = r->st;
    ring0_result buf[256];
    /* Local sums, stored once at the end: the stats share cache lines with the core's counters. */
    uint64_t sum = 0, consumed = 0, collected = 0;
    for (;;) {
        int done = __atomic_load_n(&r->core_done, __ATOMIC_ACQUIRE);
        size_t k = res_ring_pop_burst(&r->out, buf, 256);
        for (size_t i = 0; i < k; i++) {
            sum += ring0_result_hash(&buf[i]);
            if (collected < r->cfg->collect_cap) r->cfg->collect[collected++] = buf[i];
        }
        consumed += k;
        if (k) continue;
        if (done) break; /* done was read before a pop that found the ring empty */
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
    st->checksum = sum;
    st->consumed = consumed;
    st->collected = collected;
    return NULL;
}

/* ---- start-up and shutdown --------------------------------------------------------------------- */

void ring0_config_default(ring0_config *c, uint64_t seed, uint64_t events)
{
    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->events = events;
    c->window_ns = 1000000;
    c->nsyms = 1000;
    c->in_cap = 65536;
    c->out_cap = 16384;
    c->map_cap = 2048;
    c->batch = 32;
    c->emit_per_batch = 16;
    c->pin = 1;
}

static void place_threads(struct run *r, int pin)
{
    r->cpu_core = r->cpu_io = -1;
    cpu_set_t set;
    if (!pin || sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < 2) return;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &set)) {
            if (r->cpu_io < 0) r->cpu_io = i;
            r->cpu_core = i;
        }
}

static int start(pthread_t *t, void *(*fn)(void *), struct run *r, int cpu, const char *name)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_attr_setaffinity_np(&a, sizeof set, &set);
    }
    int rc = pthread_create(t, &a, fn, r);
    pthread_attr_destroy(&a);
    if (rc == 0) pthread_setname_np(*t, name);
    return rc;
}

int ring0_run(const ring0_config *cfg, ring0_stats *st)
{
    static struct run r; /* static: the rings are 128-byte aligned, and the run is not reentrant */
    memset(&r, 0, sizeof r);
    memset(st, 0, sizeof *st);
    r.cfg = cfg;
    r.st = st;
    st->timer = tick_name;
    calibrate(&r.ns_per_tick, &st->timer_ns);

    /* Start-up: every byte the run will use, taken now. */
    int bad = ev_ring_create(&r.in, cfg->in_cap) || res_ring_create(&r.out, cfg->out_cap) ||
              res_backlog_create(&r.backlog, cfg->out_cap * 4);
    if (!bad && cfg->naive) bad = (r.naive = ring0_naive_create(cfg, sink_emit, &r)) == NULL;
    if (!bad && !cfg->naive) bad = (r.core = ring0_core_create(cfg, sink_emit, &r)) == NULL;
    if (cfg->naive) {
        /* The cast hides the naive operators from the static check on purpose: a call through a
         * pointer is trusted for the pointer's type, so only the sentinel can catch what they do
         * (the audit: examples/ring0/test_audit.sh, examples/ring0/test_effects.sh). */
        r.process = (process_fn)naive_process;
        r.flush = (flush_fn)naive_flush;
        r.ops = r.naive;
    } else {
        r.process = core_process;
        r.flush = core_flush;
        r.ops = r.core;
    }
    if (bad) {
        fprintf(stderr, "ring0: start-up failed (capacities must be powers of two)\n");
        goto out;
    }

    place_threads(&r, cfg->pin);
    pthread_t tp, tc, tk;
    if (start(&tk, consumer_main, &r, r.cpu_io, "ring0-consumer") ||
        start(&tc, core_main, &r, r.cpu_core, "ring0-core") ||
        start(&tp, producer_main, &r, r.cpu_io, "ring0-producer")) {
        fprintf(stderr, "ring0: cannot start threads\n");
        abort(); /* some threads may be running on the rings: no clean way back */
    }
    pthread_join(tp, NULL);
    pthread_join(tc, NULL);
    pthread_join(tk, NULL);

    if (cfg->naive) {
        ring0_naive_counts(r.naive, &st->events_passed, &st->windows);
    } else {
        ring0_core_counts(r.core, &st->events_passed, &st->windows, &st->map_grows);
    }
out:
    ring0_core_destroy(r.core);
    ring0_naive_destroy(r.naive);
    ev_ring_destroy(&r.in);
    res_ring_destroy(&r.out);
    res_backlog_destroy(&r.backlog);
    return bad ? -1 : 0;
}
