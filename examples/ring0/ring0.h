/*
 * ring0.h - the Ring 0 reference core: a thread-per-core event pipeline whose per-event path
 * allocates nothing, and the same pipeline written naively, for comparison and for the audit.
 *
 *   producer thread --SPSC(events)--> core thread (the reactor) --SPSC(results)--> consumer thread
 *                                     filter -> project -> tumbling window -> sink
 *
 * The query (what both implementations compute):
 *   filter   drop cancelled events and events whose value is below RING0_MIN_VALUE;
 *   project  amount = value * (1 + account % 4), key = the 8-byte symbol;
 *   window   tumbling windows of window_ns of event time; per (window, symbol): count, sum, min and
 *            max of amount; a window closes when the first event of a later window arrives (events
 *            come in time order) and at end of stream; closing emits one result per symbol;
 *   sink     results go to the output ring, drained by the consumer thread.
 *
 * Files: gen.h (the deterministic stream), ops.c (zero-allocation operators), naive.c (the
 * allocating reference operators), reactor.c (threads, loop, timing), hist.c (latency histogram),
 * main.c (the command: bench, audit). Nothing in ops.c or reactor.c's loop may allocate.
 */
#ifndef RING0_H
#define RING0_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hotpath.h> /* HOTPATH_NONBLOCKING */

/* ---- the data --------------------------------------------------------------------------------- */

#define RING0_CANCELLED 1u /* event flag: filtered out */
#define RING0_MIN_VALUE (-900)

/* One input event: 40 bytes, copied by value through the input ring. */
typedef struct ring0_event {
    uint64_t ts;      /* event time in ns, non-decreasing */
    uint32_t account; /* numeric attribute used by the projection */
    uint32_t flags;   /* RING0_CANCELLED */
    int64_t value;
    char sym[8];  /* grouping key: symbol, NUL-padded (not NUL-terminated when 8 long) */
    char note[8]; /* payload carried along and ignored by the query */
} ring0_event;

/* One window result: 48 bytes. */
typedef struct ring0_result {
    uint64_t window; /* ts / window_ns */
    char sym[8];
    uint64_t count;
    int64_t sum, min, max;
} ring0_result;

/* Order-independent fingerprint of a result set: the sum of ring0_result_hash over its results. */
static inline uint64_t ring0_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}
static inline uint64_t ring0_result_hash(const ring0_result *r)
{
    uint64_t s;
    memcpy(&s, r->sym, 8);
    uint64_t h = ring0_mix(r->window ^ ring0_mix(s));
    h = ring0_mix(h ^ r->count);
    h = ring0_mix(h ^ (uint64_t)r->sum);
    h = ring0_mix(h ^ (uint64_t)r->min);
    return ring0_mix(h ^ (uint64_t)r->max);
}
/* Total order on results (window, then symbol bytes), for comparing sorted result sets. */
int ring0_result_cmp(const void *a, const void *b);

/* ---- a run ------------------------------------------------------------------------------------ */

typedef struct ring0_config {
    uint64_t seed;      /* stream seed */
    uint64_t events;    /* events to generate */
    uint64_t window_ns; /* window length in event time (default 1 ms: ~10 000 events) */
    unsigned nsyms;     /* distinct symbols in the stream (default 1000) */
    size_t in_cap;      /* input ring capacity, a power of two (default 65536) */
    size_t out_cap;     /* output ring capacity, a power of two (default 16384) */
    size_t map_cap;     /* window state capacity in symbols (default 2048); growing it is the
                           cold path */
    size_t batch;       /* most events the reactor takes per loop iteration (default 32) */
    size_t emit_per_batch; /* a closed window's results sent per batch (default 16; 0: all at
                              once, in the batch that closes the window) */
    int naive;          /* 1: run the allocating reference operators instead */
    int allow_naive;    /* with naive: run the core inside an allow region (the benchmark's
                           baseline); without it the sentinel catches the naive operators */
    int pin;            /* 1: core on the last CPU, producer and consumer on the first */
    ring0_result *collect; /* consumer copies results here (tests), up to collect_cap */
    size_t collect_cap;
} ring0_config;

/* Fill c with the defaults above for `events` events of stream `seed`. */
void ring0_config_default(ring0_config *c, uint64_t seed, uint64_t events);

/* Per-event latency histogram: 0.25 ns buckets up to 2048 ns, 64 ns buckets up to 65536 ns, one
 * bucket above; weighted by events; exact max. Fixed size, never allocates. */
#define RING0_HIST_FINE 8192     /* 0.25 ns x 8192 = 2048 ns */
#define RING0_HIST_COARSE 992    /* 64 ns x 992 = 63488 ns more */
typedef struct ring0_hist {
    uint64_t bucket[RING0_HIST_FINE + RING0_HIST_COARSE + 1];
    uint64_t total; /* events recorded */
    double max_ns;
    double sum_ns;
} ring0_hist;
void ring0_hist_add(ring0_hist *h, double ns_per_event, uint64_t events) HOTPATH_NONBLOCKING;
/* The value below which fraction q (0..1) of the recorded events lie (bucket midpoint). */
double ring0_hist_quantile(const ring0_hist *h, double q);

typedef struct ring0_stats {
    uint64_t events_in;      /* events the core took */
    uint64_t events_passed;  /* events that passed the filter */
    uint64_t results;        /* results the core emitted */
    uint64_t windows;        /* windows closed */
    uint64_t consumed;       /* results the consumer received */
    uint64_t checksum;       /* sum of ring0_result_hash over the consumed results */
    uint64_t collected;      /* results copied to config.collect */
    uint64_t map_grows;      /* times the window state outgrew its capacity (cold path) */
    uint64_t backlog_max;    /* most results parked in the core's backlog (output ring full) */
    uint64_t out_spins;      /* polls of a full output ring with a full backlog */
    uint64_t producer_yields;/* times the producer found the input ring full */
    uint64_t idle_polls;     /* reactor iterations that found the input ring empty */
    double core_seconds;     /* core thread: first event taken to last result sent */
    double timer_ns;         /* cost of one timer read pair, included in the latency figures */
    const char *timer;       /* how latency was measured */
    ring0_hist hist;         /* per-event service time in the reactor */
} ring0_stats;

/* Run the pipeline once: start-up (all memory), three threads, shutdown. Returns 0, or -1 with a
 * message on stderr if start-up failed. stats is fully written. Not reentrant. */
int ring0_run(const ring0_config *cfg, ring0_stats *stats);

/* The independent reference: the whole query in one plain single-threaded loop over the same
 * stream, with the naive allocating operators. Returns a malloc'd array of *n results (free it). */
ring0_result *ring0_reference(const ring0_config *cfg, size_t *n);

/* ---- operators, as the reactor sees them (private to the example) ----------------------------- */

/* Called for every closed window's result. The core's sink must not allocate or block: the
 * pointer's type says so, and the static check trusts it at every call (it cannot see where a
 * pointer points; the sentinel checks that at run time). */
typedef void (*ring0_emit_fn)(void *ctx, const ring0_result *r) HOTPATH_NONBLOCKING;
/* The naive pipeline's sink may allocate (the reference collects its results with realloc). */
typedef void (*ring0_naive_emit_fn)(void *ctx, const ring0_result *r);

/* Zero-allocation core (ops.c). Memory is taken by ring0_core_create (start-up only). */
typedef struct ring0_core ring0_core;
ring0_core *ring0_core_create(const ring0_config *cfg, ring0_emit_fn emit, void *ctx);
void ring0_core_process(ring0_core *c, const ring0_event *evs, size_t n) HOTPATH_NONBLOCKING; /* hot */
void ring0_core_flush(ring0_core *c) HOTPATH_NONBLOCKING; /* close last window */
void ring0_core_counts(const ring0_core *c, uint64_t *passed, uint64_t *windows, uint64_t *grows);
void ring0_core_destroy(ring0_core *c);

/* Naive core (naive.c): same interface, allocates per event. */
typedef struct ring0_naive ring0_naive;
ring0_naive *ring0_naive_create(const ring0_config *cfg, ring0_naive_emit_fn emit, void *ctx);
void ring0_naive_process(ring0_naive *c, const ring0_event *evs, size_t n);
void ring0_naive_flush(ring0_naive *c);
void ring0_naive_counts(const ring0_naive *c, uint64_t *passed, uint64_t *windows);
void ring0_naive_destroy(ring0_naive *c);

#endif /* RING0_H */
