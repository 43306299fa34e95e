/*
 * bench_pools.c - speed of the pools against baselines measured in the same run: glibc
 * malloc+free of the same size, a naive SPSC ring that re-reads the other side's index on every
 * operation, and a mutex+condvar queue. Single-thread figures are medians of RUNS runs.
 *
 * Cross-thread figures: this VM's two vCPUs are placed ~180 ns or ~800 ns ping-pong round trip
 * apart, and the placement can change between runs and within one. Every run is bracketed by two
 * ping-pong probes and counted in a placement only when both agree; ratios are taken within each
 * run and their median reported per placement.
 *
 * The cached indices are compared with the naive ring under two waiting policies (one pause per
 * poll, and a backoff of two round trips per poll) because the waiting side's polling, not the
 * ring, decides the rate when one side keeps the ring empty or full: see docs/pools.md.
 *
 * The rigtorp rows follow rigtorp/SPSCQueue's SPSCQueueBenchmark.cpp: int elements, consumer
 * pinned to one CPU and producer to the other, throughput as ops/ms over 10M items through a
 * large queue, round trip as two queues bouncing a value (200k round trips rather than 10M).
 *
 * Nothing here is a test: it prints, it does not fail.
 */
#include "hp_cpu.h"

#include <hotpath/pool.h>
#include <hotpath/ring.h>
#include <hotpath/scratch.h>
#include <hotpath/spsc.h>

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 21
#define OBJ_SIZE 64

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
/* Keep the compiler from eliding work (malloc/free pairs in particular). */
#define OPAQUE(p) __asm__ volatile("" : "+r"(p)::"memory")

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
/* The middle value; for an even count the mean of the two middle ones (taking the upper one would
 * favour whichever side of a ratio is on top). */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}
/* How a side waits on an empty/full ring. relax: one pause per poll (eager; rigtorp's loops do not
 * even pause). backoff: the side that waits re-reads the other side's index about once per two
 * coherence round trips (the ping-pong probe taken before the run, in pauses of the measured
 * cost: ~16 in the good placement, ~65 in the slow one here) instead of taking the line away after
 * nearly every write the other side makes. Set before each run's threads start. */
static inline void relax(void) { hp_cpu_relax(); }
static int backoff_pauses = 16;
static inline void backoff(void)
{
    for (int k = 0; k < backoff_pauses; k++)
        hp_cpu_relax();
}
static double pause_ns(void)
{
    double t0 = now_ns();
    for (int k = 0; k < 200000; k++)
        hp_cpu_relax();
    return (now_ns() - t0) / 200000;
}

/* ---- single-thread: pool vs malloc, bulk, scratch, ring ---------------------------------------- */
static double bench_pool_pair(hp_pool *p, long iters)
{
    void *o[16];
    double t0 = now_ns();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < 16; i++) {
            o[i] = hp_pool_acquire(p);
            OPAQUE(o[i]);
        }
        for (int i = 0; i < 16; i++)
            hp_pool_release(p, o[i]);
    }
    return (now_ns() - t0) / ((double)iters * 16);
}
static double bench_malloc_pair(long iters)
{
    void *o[16];
    double t0 = now_ns();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < 16; i++) {
            o[i] = malloc(OBJ_SIZE);
            OPAQUE(o[i]);
        }
        for (int i = 0; i < 16; i++)
            free(o[i]);
    }
    return (now_ns() - t0) / ((double)iters * 16);
}
static double bench_pool_bulk(hp_pool *p, long iters)
{
    void *o[32];
    double t0 = now_ns();
    for (long it = 0; it < iters; it++) {
        hp_pool_acquire_bulk(p, o, 32);
        OPAQUE(o[0]);
        hp_pool_release_bulk(p, o, 32);
    }
    return (now_ns() - t0) / ((double)iters * 32);
}
static double bench_scratch(hp_scratch *s, long iters)
{
    double t0 = now_ns();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < 64; i++) {
            void *q = hp_scratch_alloc(s, 48, 8);
            OPAQUE(q);
        }
        hp_scratch_reset(s);
    }
    return (now_ns() - t0) / ((double)iters * 64);
}
static double bench_scratch_reset(hp_scratch *s, long iters, size_t fill)
{
    double t0 = now_ns();
    for (long it = 0; it < iters; it++) {
        void *q = hp_scratch_alloc(s, fill, 8);
        OPAQUE(q);
        hp_scratch_reset(s);
    }
    return (now_ns() - t0) / (double)iters;
}
HP_RING_DEFINE(u64_ring, uint64_t);
static double bench_ring(u64_ring *r, long iters)
{
    uint64_t v = 0, sum = 0;
    double t0 = now_ns();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < 8; i++)
            u64_ring_push(r, v++);
        for (int i = 0; i < 8; i++) {
            uint64_t x = 0;
            u64_ring_pop(r, &x);
            sum += x;
        }
        OPAQUE(sum);
    }
    return (now_ns() - t0) / ((double)iters * 8);
}

/* ---- cross-thread queues --------------------------------------------------------------------- */
HP_SPSC_DEFINE(u64_q, uint64_t);
HP_SPSC_DEFINE(int_q, int);

/* Baseline 1: the same ring without cached indices. Same layout as hp_spsc (cold fields, then the
 * producer's line with head and its copies of buf/mask, then the consumer's line with tail and its
 * copies, 128 bytes apart) and the same push/pop code, except that every push reads tail and every
 * pop reads head (acquire) instead of consulting a cached copy first, so the index lines bounce
 * between the cores on every operation. Nothing else differs. Defined for u64 (this bench's own
 * method) and int (rigtorp's method, with front/consume as its front/pop). */
#define NAIVE_DEFINE(name, T)                                                                                \
    struct name {                                                                                            \
        T *buf;                                                                                              \
        size_t mask;                                                                                         \
        HP_POOLS_ALIGNED(128) size_t head;                                                                   \
        T *p_buf;                                                                                            \
        size_t p_mask;                                                                                       \
        HP_POOLS_ALIGNED(128) size_t tail;                                                                   \
        T *c_buf;                                                                                            \
        size_t c_mask;                                                                                       \
    } HP_POOLS_ALIGNED(128);                                                                                 \
    static void name##_init(struct name *q, size_t cap)                                                      \
    {                                                                                                        \
        memset(q, 0, sizeof *q);                                                                             \
        q->buf = q->p_buf = q->c_buf = aligned_alloc(128, cap * sizeof(T));                                  \
        if (!q->buf) abort();                                                                                \
        memset(q->buf, 0, cap * sizeof(T));                                                                  \
        q->mask = q->p_mask = q->c_mask = cap - 1;                                                           \
    }                                                                                                        \
    static inline int name##_push(struct name *q, T v)                                                       \
    {                                                                                                        \
        size_t h = __atomic_load_n(&q->head, __ATOMIC_RELAXED);                                              \
        if (HP_POOLS_UNLIKELY(q->p_mask + 1 - (h - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE)) == 0))       \
            return 0;                                                                                        \
        q->p_buf[h & q->p_mask] = v;                                                                         \
        __atomic_store_n(&q->head, h + 1, __ATOMIC_RELEASE);                                                 \
        return 1;                                                                                            \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_front(struct name *q)                                    \
    {                                                                                                        \
        size_t t = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);                                              \
        if (HP_POOLS_UNLIKELY(__atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - t == 0)) return NULL;            \
        return &q->c_buf[t & q->c_mask];                                                                     \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_consume(struct name *q)                                \
    {                                                                                                        \
        __atomic_store_n(&q->tail, __atomic_load_n(&q->tail, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);       \
    }                                                                                                        \
    /* As hp_spsc_pop: one load of tail, one of head. */                                                     \
    static inline __attribute__((unused)) int name##_pop(struct name *q, T *v)                               \
    {                                                                                                        \
        size_t t = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);                                              \
        if (HP_POOLS_UNLIKELY(__atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - t == 0)) return 0;               \
        *v = q->c_buf[t & q->c_mask];                                                                        \
        __atomic_store_n(&q->tail, t + 1, __ATOMIC_RELEASE);                                                 \
        return 1;                                                                                            \
    }
NAIVE_DEFINE(naive_q, uint64_t)
NAIVE_DEFINE(naive_iq, int)

/* Each side of rigtorp's throughput loop on its own, one thread (10M items through a 2^24 int
 * queue): which of the two is faster decides whether, across threads, the consumer catches up and
 * polls; the answer moves with code layout (see make bench-pools-layouts). ops/ms. */
__attribute__((noinline)) static void solo_produce(int_q *q, long n)
{
    for (long i = 0; i < n; i++)
        while (!int_q_push(q, (int)i))
            ;
}
__attribute__((noinline)) static void solo_consume(int_q *q, long n)
{
    for (long i = 0; i < n; i++) {
        int *f;
        while (!(f = int_q_front(q)))
            ;
        if (*f != (int)i) abort();
        int_q_consume(q, 1);
    }
}
static void bench_spsc_solo(int_q *q, double *prod, double *cons)
{
    long n = 10000000;
    double t0 = now_ns();
    solo_produce(q, n);
    double t1 = now_ns();
    solo_consume(q, n);
    double t2 = now_ns();
    *prod = (double)n / (t1 - t0) * 1e6;
    *cons = (double)n / (t2 - t1) * 1e6;
}

/* Baseline 2: a bounded queue under one mutex with two condition variables. */
struct mutex_q {
    pthread_mutex_t m;
    pthread_cond_t not_empty, not_full;
    uint64_t *buf;
    size_t mask, head, tail;
};
static void mq_push(struct mutex_q *q, uint64_t v)
{
    pthread_mutex_lock(&q->m);
    while (q->head - q->tail > q->mask)
        pthread_cond_wait(&q->not_full, &q->m);
    q->buf[q->head++ & q->mask] = v;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->m);
}
static uint64_t mq_pop(struct mutex_q *q)
{
    pthread_mutex_lock(&q->m);
    while (q->head == q->tail)
        pthread_cond_wait(&q->not_empty, &q->m);
    uint64_t v = q->buf[q->tail++ & q->mask];
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->m);
    return v;
}

enum kind {
    K_SINGLE,
    K_NAIVE,
    K_BACKOFF,
    K_BACKOFF_NAIVE,
    K_BULK,
    K_BURST,
    K_MUTEX,
    K_RIGTORP_TPUT,
    K_RIGTORP_NAIVE,
    K_RIGTORP_RTT
};
struct xrun {
    enum kind kind;
    long items;
    u64_q *q;
    int_q *q1, *q2;
    struct naive_q *nq;
    struct naive_iq *niq;
    struct mutex_q *mq;
    uint64_t check;
};

static void *consumer(void *arg)
{
    struct xrun *x = arg;
    /* Locals, not x->...: x lives on the producer's stack, and the acquire loads in the loops make
     * the compiler re-read through x on every iteration, a line the producer may be writing. */
    u64_q *q = x->q;
    int_q *q1 = x->q1, *q2 = x->q2;
    struct naive_q *nq = x->nq;
    struct naive_iq *niq = x->niq;
    struct mutex_q *mq = x->mq;
    pin(1);
    uint64_t sum = 0, v = 0, buf[64];
    long n = x->items;
    enum kind kind = x->kind;
    switch (kind) {
    case K_SINGLE:
        for (long i = 0; i < n; i++) {
            while (!u64_q_pop(q, &v))
                relax();
            sum += v;
        }
        break;
    case K_NAIVE:
        for (long i = 0; i < n; i++) {
            while (!naive_q_pop(nq, &v))
                relax();
            sum += v;
        }
        break;
    case K_BACKOFF:
        for (long i = 0; i < n; i++) {
            while (!u64_q_pop(q, &v))
                backoff();
            sum += v;
        }
        break;
    case K_BACKOFF_NAIVE:
        for (long i = 0; i < n; i++) {
            while (!naive_q_pop(nq, &v))
                backoff();
            sum += v;
        }
        break;
    case K_BULK:
        for (long i = 0; i < n;) {
            size_t k = 64;
            uint64_t *span = u64_q_peek(q, &k);
            if (!span) {
                relax();
                continue;
            }
            for (size_t j = 0; j < k; j++)
                sum += span[j];
            u64_q_consume(q, k);
            i += (long)k;
        }
        break;
    case K_BURST:
        for (long i = 0; i < n;) {
            size_t k = u64_q_pop_burst(q, buf, 64);
            if (!k) relax();
            for (size_t j = 0; j < k; j++)
                sum += buf[j];
            i += (long)k;
        }
        break;
    case K_MUTEX:
        for (long i = 0; i < n; i++)
            sum += mq_pop(mq);
        break;
    case K_RIGTORP_TPUT: /* as rigtorp: while (!q.front()); check; q.pop(); */
        for (long i = 0; i < n; i++) {
            int *f;
            while (!(f = int_q_front(q1)))
                ;
            if (*f != (int)i) abort();
            int_q_consume(q1, 1);
        }
        break;
    case K_RIGTORP_NAIVE: /* the same loop on the naive ring */
        for (long i = 0; i < n; i++) {
            int *f;
            while (!(f = naive_iq_front(niq)))
                ;
            if (*f != (int)i) abort();
            naive_iq_consume(niq);
        }
        break;
    case K_RIGTORP_RTT: /* echo q1 -> q2 */
        for (long i = 0; i < n; i++) {
            int *f;
            while (!(f = int_q_front(q1)))
                ;
            int_q_push(q2, *f);
            int_q_consume(q1, 1);
        }
        break;
    }
    x->check = sum;
    return NULL;
}

/* Run one cross-thread measurement; returns items/s (or ns per round trip for K_RIGTORP_RTT). */
static double cross(enum kind kind, long items)
{
    static u64_q q;
    static int_q q1, q2;
    static struct naive_q nq;
    static struct naive_iq niq;
    static struct mutex_q mq;
    struct xrun x = {
        .kind = kind, .items = items, .q = &q, .q1 = &q1, .q2 = &q2, .nq = &nq, .niq = &niq, .mq = &mq};
    size_t cap = 1024;
    if (kind == K_SINGLE || kind == K_BACKOFF || kind == K_BULK || kind == K_BURST) u64_q_create(&q, cap);
    if (kind == K_NAIVE || kind == K_BACKOFF_NAIVE) naive_q_init(&nq, cap);
    if (kind == K_RIGTORP_NAIVE) naive_iq_init(&niq, (size_t)1 << 24); /* zeroed, as below */
    if (kind == K_MUTEX) {
        memset(&mq, 0, sizeof mq);
        pthread_mutex_init(&mq.m, NULL);
        pthread_cond_init(&mq.not_empty, NULL);
        pthread_cond_init(&mq.not_full, NULL);
        mq.buf = malloc(cap * sizeof(uint64_t));
        mq.mask = cap - 1;
    }
    if (kind == K_RIGTORP_TPUT) {
        /* rigtorp's queue size is 10M; the next power of two here. Touch it first so page
         * faults are not measured (rigtorp's constructor value-initialises its slots too). */
        int_q_create(&q1, (size_t)1 << 24);
        memset(q1.q.buf, 0, (size_t)4 << 24);
    }
    if (kind == K_RIGTORP_RTT) {
        /* One value is in flight at a time, so the queue size does not matter here. */
        int_q_create(&q1, cap);
        int_q_create(&q2, cap);
    }
    pthread_t c;
    pthread_create(&c, NULL, consumer, &x);
    pin(0);
    uint64_t buf[32];
    double t0 = now_ns();
    switch (kind) {
    case K_SINGLE:
        for (long i = 0; i < items; i++)
            while (!u64_q_push(&q, (uint64_t)i))
                relax();
        break;
    case K_NAIVE:
        for (long i = 0; i < items; i++)
            while (!naive_q_push(&nq, (uint64_t)i))
                relax();
        break;
    case K_BACKOFF:
        for (long i = 0; i < items; i++)
            while (!u64_q_push(&q, (uint64_t)i))
                backoff();
        break;
    case K_BACKOFF_NAIVE:
        for (long i = 0; i < items; i++)
            while (!naive_q_push(&nq, (uint64_t)i))
                backoff();
        break;
    case K_BULK:
        for (long i = 0; i < items;) {
            size_t k = items - i < 64 ? (size_t)(items - i) : 64;
            uint64_t *span = u64_q_reserve(&q, &k);
            if (!span) {
                relax();
                continue;
            }
            for (size_t j = 0; j < k; j++)
                span[j] = (uint64_t)(i + (long)j);
            u64_q_commit(&q, k);
            i += (long)k;
        }
        break;
    case K_BURST:
        for (long i = 0; i < items;) {
            size_t want = items - i < 32 ? (size_t)(items - i) : 32;
            for (size_t j = 0; j < want; j++)
                buf[j] = (uint64_t)(i + (long)j);
            size_t k = u64_q_push_burst(&q, buf, want);
            if (!k) relax();
            i += (long)k;
        }
        break;
    case K_MUTEX:
        for (long i = 0; i < items; i++)
            mq_push(&mq, (uint64_t)i);
        break;
    case K_RIGTORP_TPUT:
        for (long i = 0; i < items; i++)
            while (!int_q_push(&q1, (int)i))
                ;
        break;
    case K_RIGTORP_NAIVE:
        for (long i = 0; i < items; i++)
            while (!naive_iq_push(&niq, (int)i))
                ;
        break;
    case K_RIGTORP_RTT:
        for (long i = 0; i < items; i++) {
            int_q_push(&q1, (int)i);
            int *f;
            while (!(f = int_q_front(&q2)))
                ;
            int_q_consume(&q2, 1);
        }
        break;
    }
    pthread_join(c, NULL);
    double dt = now_ns() - t0;
    if ((kind == K_SINGLE || kind == K_NAIVE || kind == K_BACKOFF || kind == K_BACKOFF_NAIVE ||
         kind == K_BULK || kind == K_BURST || kind == K_MUTEX) &&
        x.check != (uint64_t)items * (uint64_t)(items - 1) / 2) {
        fprintf(stderr, "bench: queue lost or corrupted values\n");
        exit(1);
    }
    if (kind == K_SINGLE || kind == K_BACKOFF || kind == K_BULK || kind == K_BURST) u64_q_destroy(&q);
    if (kind == K_NAIVE || kind == K_BACKOFF_NAIVE) free(nq.buf);
    if (kind == K_RIGTORP_NAIVE) free(niq.buf);
    if (kind == K_MUTEX) free(mq.buf);
    if (kind == K_RIGTORP_TPUT) int_q_destroy(&q1);
    if (kind == K_RIGTORP_RTT) {
        int_q_destroy(&q1);
        int_q_destroy(&q2);
    }
    if (kind == K_RIGTORP_RTT) return dt / (double)items;
    return (double)items / dt * 1e9;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : RUNS;
    if (runs < 1 || runs > 101) runs = RUNS;
    /* Optional second argument: "single" or "cross" runs only that half (for quick iterations). */
    const char *only = argc > 2 ? argv[2] : "";
    int do_single = strcmp(only, "cross") != 0, do_cross = strcmp(only, "single") != 0;
    printf("hotpath pools benchmark: medians of %d runs, ratios within this run\n", runs);
    pin(0);

    /* ---- single thread ---- */
    double pool_ns[101], malloc_ns[101], bulk_ns[101], scr_ns[101], reset_small[101], reset_big[101],
        ring_ns[101], solo_p[101], solo_c[101];
    hp_pool p;
    hp_pool_create(&p, OBJ_SIZE, 0, 1024, 0);
    hp_scratch s;
    hp_scratch_create(&s, 0, 0);
    u64_ring r;
    u64_ring_create(&r, 64);
    static int_q solo_q;
    if (do_single) {
        int_q_create(&solo_q, (size_t)1 << 24);
        memset(solo_q.q.buf, 0, (size_t)4 << 24);
    }
    for (int i = 0; i < runs && do_single; i++) {
        malloc_ns[i] = bench_malloc_pair(400000);
        pool_ns[i] = bench_pool_pair(&p, 400000);
        bulk_ns[i] = bench_pool_bulk(&p, 200000);
        scr_ns[i] = bench_scratch(&s, 100000);
        reset_small[i] = bench_scratch_reset(&s, 1000000, 64);
        reset_big[i] = bench_scratch_reset(&s, 1000000, 60000);
        ring_ns[i] = bench_ring(&r, 1000000);
        bench_spsc_solo(&solo_q, &solo_p[i], &solo_c[i]);
    }
    if (do_single) int_q_destroy(&solo_q);
    if (!do_single) goto cross_thread;
    double mp = median(malloc_ns, runs), pp = median(pool_ns, runs);
    printf("\nsingle thread (%d B objects)\n", OBJ_SIZE);
    printf("  pool acquire+release, 16 in flight  %6.2f ns/pair   glibc malloc+free %6.2f ns/pair   ratio "
           "%.2fx  "
           "(target <= 0.20x)\n",
           pp, mp, pp / mp);
    printf("  pool bulk acquire+release of 32     %6.2f ns/object (target <= 1 ns)\n", median(bulk_ns, runs));
    printf("  scratch alloc (48 B, align 8)       %6.2f ns/alloc  (target <= 1.5 ns)\n",
           median(scr_ns, runs));
    printf("  scratch reset after 64 B / 60 KB    %6.2f / %.2f ns  (O(1): independent of bytes used)\n",
           median(reset_small, runs), median(reset_big, runs));
    printf("  ring push+pop (u64)                 %6.2f ns/pair   (target <= 2.5 ns)\n",
           median(ring_ns, runs));
    printf("  spsc alone, rigtorp's loops: producer %.0f ops/ms, consumer (front+consume) %.0f ops/ms\n",
           median(solo_p, runs) / 1e3, median(solo_c, runs) / 1e3);

cross_thread:
    if (!do_cross) goto done;
    /* ---- cross thread ----
     * The vCPU placement can change between runs and even within one, so every run is bracketed by
     * two ping-pong probes and counted in a cluster only when both probes fall in it; ratios are
     * taken within each run and their median reported per cluster. */
    enum {
        C_SINGLE,
        C_NAIVE,
        C_BACKOFF,
        C_BACKOFF_NAIVE,
        C_BULK,
        C_BURST,
        C_MUTEX,
        C_RT_TPUT,
        C_RT_NAIVE,
        C_RT_RTT,
        C_N
    };
    static double m[C_N][101];
    double probe[102], pauses[101], pause = pause_ns();
    int cluster[101];
    probe[0] = cross(K_RIGTORP_RTT, 50000);
    for (int i = 0; i < runs; i++) {
        /* Each cached/naive pair runs in alternating order (ABBA over runs), so a drift within a
         * run does not always land on the same side of the ratio. */
        int flip = i % 2;
        double want = 2 * probe[i] / pause;
        backoff_pauses = want < 1 ? 1 : want > 1024 ? 1024 : (int)(want + 0.5);
        pauses[i] = backoff_pauses;
        for (int o = 0; o < 2; o++) {
            if (o == flip) {
                m[C_SINGLE][i] = cross(K_SINGLE, 10000000);
                m[C_BACKOFF][i] = cross(K_BACKOFF, 10000000);
            } else {
                m[C_NAIVE][i] = cross(K_NAIVE, 10000000);
                m[C_BACKOFF_NAIVE][i] = cross(K_BACKOFF_NAIVE, 10000000);
            }
        }
        m[C_BULK][i] = cross(K_BULK, 20000000);
        m[C_BURST][i] = cross(K_BURST, 20000000);
        m[C_MUTEX][i] = cross(K_MUTEX, 1000000);
        for (int o = 0; o < 2; o++) {
            if (o == flip)
                m[C_RT_TPUT][i] = cross(K_RIGTORP_TPUT, 10000000);
            else
                m[C_RT_NAIVE][i] = cross(K_RIGTORP_NAIVE, 10000000);
        }
        m[C_RT_RTT][i] = cross(K_RIGTORP_RTT, 200000);
        probe[i + 1] = cross(K_RIGTORP_RTT, 50000);
        int a = probe[i] < 400, b = probe[i + 1] < 400;
        cluster[i] = a == b ? a : -1; /* 1 good, 0 bad, -1 changed during the run */
    }
    printf("\ncross thread (producer on CPU 0, consumer on CPU 1); ping-pong probes between runs, ns:");
    for (int i = 0; i <= runs; i++)
        printf(" %.0f", probe[i]);
    printf("\n");
    for (int c = 1; c >= -1; c--) {
        int idx[101], k = 0;
        for (int i = 0; i < runs; i++)
            if (cluster[i] == c) idx[k++] = i;
        if (k == 0) continue;
        if (c == -1) {
            printf("\n%d run(s) changed placement between their probes: not counted\n", k);
            continue;
        }
        double bp[101], v[C_N][101], r_naive[101], r_backoff[101], r_bulk[101], r_burst[101], r_mutex[101],
            r_rt[101], pr[101];
        for (int n = 0; n < k; n++) {
            int i = idx[n];
            for (int x = 0; x < C_N; x++)
                v[x][n] = m[x][i];
            r_naive[n] = m[C_SINGLE][i] / m[C_NAIVE][i];
            r_backoff[n] = m[C_BACKOFF][i] / m[C_BACKOFF_NAIVE][i];
            bp[n] = pauses[i];
            r_bulk[n] = m[C_BULK][i] / m[C_SINGLE][i];
            r_burst[n] = m[C_BURST][i] / m[C_SINGLE][i];
            r_mutex[n] = m[C_BULK][i] / m[C_MUTEX][i];
            r_rt[n] = m[C_RT_TPUT][i] / m[C_RT_NAIVE][i];
            pr[n] = probe[i] > probe[i + 1] ? probe[i] : probe[i + 1];
        }
        printf("\n%s placement: %d run(s), median probe round trip %.0f ns%s\n", c ? "good" : "bad", k,
               median(pr, k), k < 10 ? " (fewer than 10 runs: run more for a firm figure)" : "");
        printf("  one item per op, u64, 1024 slots; a side that finds the ring empty/full polls again after\n"
               "  one pause (eager):\n");
        printf("    spsc                              %7.1f M items/s (target >= %s)\n",
               median(v[C_SINGLE], k) / 1e6, c ? "100 M" : "30 M");
        printf("    naive uncached ring               %7.1f M items/s -> cached indices %.2fx naive\n",
               median(v[C_NAIVE], k) / 1e6, median(r_naive, k));
        double mbp = median(bp, k);
        printf("  the same, polling again after %.0f pauses (backoff of two probe round trips, %.2f us):\n",
               mbp, mbp * pause / 1000);
        printf("    spsc                              %7.1f M items/s\n", median(v[C_BACKOFF], k) / 1e6);
        printf(
            "    naive uncached ring               %7.1f M items/s -> cached indices %.2fx naive (target >= "
            "1.3x)\n",
            median(v[C_BACKOFF_NAIVE], k) / 1e6, median(r_backoff, k));
        printf(
            "  spsc bulk zero-copy (reserve/commit 64, peek/consume 64)\n"
            "                                      %7.1f M items/s -> %.2fx single-item (target >= 3.5x)\n",
            median(v[C_BULK], k) / 1e6, median(r_bulk, k));
        printf("  spsc bulk copying (push burst 32, pop burst 64)\n"
               "                                      %7.1f M items/s -> %.2fx single-item\n",
               median(v[C_BURST], k) / 1e6, median(r_burst, k));
        printf("  mutex+condvar queue                 %7.1f M items/s -> spsc bulk %.1fx mutex (target >= "
               "10x)\n",
               median(v[C_MUTEX], k) / 1e6, median(r_mutex, k));
        printf("  rigtorp/SPSCQueue method (int elements, queue 2^24, see its README):\n");
        printf("    throughput %.0f ops/ms   round trip %.0f ns%s\n", median(v[C_RT_TPUT], k) / 1e3,
               median(v[C_RT_RTT], k), c ? "  (target <= 200 ns)" : "");
        printf("    naive uncached ring, same method %.0f ops/ms -> cached indices %.2fx naive\n"
               "    (this ratio flips with code layout: see docs/pools.md, make bench-pools-layouts)\n",
               median(v[C_RT_NAIVE], k) / 1e3, median(r_rt, k));
    }
done:
    hp_pool_destroy(&p);
    hp_scratch_destroy(&s);
    u64_ring_destroy(&r);
    return 0;
}
