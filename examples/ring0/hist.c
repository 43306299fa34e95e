/*
 * hist.c - the per-event latency histogram: fixed buckets, weighted by events, recorded inside
 * the reactor's hot section, so it must never allocate (it is a flat array in ring0_stats): marked
 * HOTPATH_NONBLOCKING, proven by make check-effects.
 */
#include "ring0.h"

void ring0_hist_add(ring0_hist *h, double ns, uint64_t events) HOTPATH_NONBLOCKING
{
    size_t i;
    if (ns < 0) ns = 0;
    if (ns < 2048.0)
        i = (size_t)(ns * 4.0);
    else if (ns < 2048.0 + 64.0 * RING0_HIST_COARSE)
        i = RING0_HIST_FINE + (size_t)((ns - 2048.0) / 64.0);
    else
        i = RING0_HIST_FINE + RING0_HIST_COARSE;
    h->bucket[i] += events;
    h->total += events;
    h->sum_ns += ns * (double)events;
    if (ns > h->max_ns) h->max_ns = ns;
}

/* Midpoint of bucket i (the top bucket: the exact max). */
static double bucket_mid(const ring0_hist *h, size_t i)
{
    if (i < RING0_HIST_FINE) return (double)i * 0.25 + 0.125;
    if (i < RING0_HIST_FINE + RING0_HIST_COARSE) return 2048.0 + (double)(i - RING0_HIST_FINE) * 64.0 + 32.0;
    return h->max_ns;
}

double ring0_hist_quantile(const ring0_hist *h, double q)
{
    if (h->total == 0) return 0;
    if (q >= 1.0) return h->max_ns;
    /* The smallest bucket whose cumulative count reaches ceil(q * total). */
    uint64_t want = (uint64_t)(q * (double)h->total);
    if ((double)want < q * (double)h->total) want++;
    if (want == 0) want = 1;
    uint64_t cum = 0;
    for (size_t i = 0; i < RING0_HIST_FINE + RING0_HIST_COARSE + 1; i++) {
        cum += h->bucket[i];
        if (cum >= want) {
            double v = bucket_mid(h, i);
            return v > h->max_ns ? h->max_ns : v;
        }
    }
    return h->max_ns;
}
