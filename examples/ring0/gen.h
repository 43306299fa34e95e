/*
 * gen.h - the deterministic synthetic event stream: the same (seed, index) always gives the same
 * event, so the pipeline, the reference and every run of the benchmark see identical input.
 *
 * Event time advances by 1..199 ns (100 ns on average: ~10 000 events per 1 ms window); symbols
 * are skewed towards low numbers (the smaller of two uniform draws), 1 in 16 events is cancelled,
 * values are uniform in [-1000, 1000]. Never allocates; a few nanoseconds per event.
 */
#ifndef RING0_GEN_H
#define RING0_GEN_H

#include "ring0.h"

typedef struct ring0_gen {
    uint64_t state; /* splitmix64 */
    uint64_t ts;
    unsigned nsyms;
} ring0_gen;

static inline void ring0_gen_init(ring0_gen *g, uint64_t seed, unsigned nsyms)
{
    g->state = seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
    g->ts = 0;
    g->nsyms = nsyms ? nsyms : 1;
}

static inline uint64_t ring0_gen_rand(ring0_gen *g)
{
    g->state += UINT64_C(0x9e3779b97f4a7c15);
    return ring0_mix(g->state);
}

/* The symbol of number i: "S" and up to six decimal digits, NUL-padded to 8 bytes. */
static inline void ring0_sym(unsigned i, char out[8])
{
    char d[8];
    int n = 0;
    do {
        d[n++] = (char)('0' + i % 10);
        i /= 10;
    } while (i && n < 6);
    memset(out, 0, 8);
    out[0] = 'S';
    for (int k = 0; k < n; k++) out[1 + k] = d[n - 1 - k];
}

static inline void ring0_gen_next(ring0_gen *g, ring0_event *e)
{
    uint64_t a = ring0_gen_rand(g), b = ring0_gen_rand(g);
    g->ts += 1 + a % 199;
    e->ts = g->ts;
    e->account = (uint32_t)(a >> 32);
    e->flags = (b & 15) == 0 ? RING0_CANCELLED : 0;
    e->value = (int64_t)((b >> 8) % 2001) - 1000;
    unsigned s1 = (unsigned)((b >> 24) % g->nsyms), s2 = (unsigned)((b >> 44) % g->nsyms);
    ring0_sym(s1 < s2 ? s1 : s2, e->sym);
    memcpy(e->note, "payload", 8);
}

/* The query's first two steps, shared by both implementations so they cannot disagree on the
 * definition (the implementations of the window differ entirely). */
static inline int ring0_keep(const ring0_event *e)
{
    return !(e->flags & RING0_CANCELLED) && e->value >= RING0_MIN_VALUE;
}
static inline int64_t ring0_amount(const ring0_event *e)
{
    return e->value * (int64_t)(1 + e->account % 4);
}

#endif /* RING0_GEN_H */
