/*
 * ops.c - the zero-allocation operators of the Ring 0 core: filter, projection, keyed tumbling
 * window, sink. Every per-event function is a hot section of its own (HOTPATH_FUNCTION), nested in
 * the reactor's loop section, so a report names the operator that allocated.
 *
 * Memory: the window state (two fixed-capacity hash maps keyed by the 8-byte symbol: the open
 * window's and the closing window's, whose results are sent a few per batch) and the batch's
 * scratch arena are taken in ring0_core_create, at start-up. Nothing on the per-event path may
 * allocate; the one cold path that does (the window state outgrowing its start-up capacity) is an
 * explicit allow region.
 *
 * Every per-event function is also marked HOTPATH_NONBLOCKING: built with clang 20 or later
 * (make check-effects), the compiler proves that none of them can reach an allocation, a lock or a
 * blocking call on any path, run or not; the allowed cold path is exempt from both checks.
 */
#include "ring0.h"
#include "gen.h"

#include <hotpath.h>
#include <hotpath/map.h>
#include <hotpath/scratch.h>

#include <stdio.h>
#include <stdlib.h>

/* Per-symbol state of the open window. */
struct win_val {
    uint64_t count;
    int64_t sum, min, max;
};
static inline uint64_t sym_hash(const uint64_t *k) { return hp_map_mix64(*k); }
static inline int sym_eq(const uint64_t *a, const uint64_t *b) { return *a == *b; }
HP_MAP_DEFINE(winmap, uint64_t, struct win_val, sym_hash, sym_eq);

/* An event after projection: what the window needs, nothing else. */
typedef struct proj {
    uint64_t ts;
    uint64_t key; /* the symbol's 8 bytes as one word: hashing and comparing are one instruction */
    int64_t amount;
} proj;

struct ring0_core {
    winmap maps[2];      /* the open window's state and the closing window's, swapped at a close */
    winmap *open;        /* state of the window events are going into */
    winmap *closing;     /* state of the last closed window, its results still being sent */
    size_t close_it;     /* how far the closing window's results have been sent */
    int closing_pending; /* 1 while `closing` holds results not yet sent */
    uint64_t closing_window;
    size_t emit_per_batch; /* results of a closed window sent per batch (0: all at once) */
    hp_scratch scratch;  /* per-batch projected records */
    uint64_t window_ns;
    uint64_t window;     /* open window's index */
    uint64_t window_end; /* first timestamp of the next window: no division per event */
    ring0_emit_fn emit;
    void *ctx;
    size_t batch;
    uint64_t passed, windows, grows;
};

/* ---- operators ------------------------------------------------------------------------------- */

static inline int op_filter(const ring0_event *e) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    return ring0_keep(e);
}

static inline void op_project(const ring0_event *e, proj *p) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    p->ts = e->ts;
    memcpy(&p->key, e->sym, 8);
    p->amount = ring0_amount(e);
}

static inline void op_sink(ring0_core *c, uint64_t window, uint64_t key,
                           const struct win_val *v) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    ring0_result r;
    r.window = window;
    memcpy(r.sym, &key, 8);
    r.count = v->count;
    r.sum = v->sum;
    r.min = v->min;
    r.max = v->max;
    c->emit(c->ctx, &r);
}

/* Send up to `max` results of the closed window; forget it once all are sent. Spreading the
 * results over the following batches keeps a window close (~1000 results) from landing on one
 * batch's events: the tail latency pays ~emit_per_batch results per batch instead. */
static void window_drain(ring0_core *c, size_t max) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    uint64_t *k;
    struct win_val *v;
    size_t sent = 0;
    while (sent < max) {
        if (!winmap_next(c->closing, &c->close_it, &k, &v)) {
            winmap_clear(c->closing);
            c->closing_pending = 0;
            return;
        }
        op_sink(c, c->closing_window, *k, v);
        sent++;
    }
}

/* Close the open window: its state becomes the closing one, sent by window_drain; the other map
 * (empty) takes the new window's events. O(1), plus finishing a previous close if one is still
 * being sent (only when windows hold fewer events than their results take batches to send). */
static void window_close(ring0_core *c) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    if (c->closing_pending) window_drain(c, SIZE_MAX);
    if (winmap_count(c->open) == 0) return;
    winmap *t = c->closing;
    c->closing = c->open;
    c->open = t;
    c->closing_window = c->window;
    c->close_it = 0;
    c->closing_pending = 1;
    c->windows++;
}

/* Cold: more symbols in one window than the capacity chosen at start-up. Allowed to allocate:
 * the results stay exact and the cost is paid once per doubling (counted in map_grows), which
 * beats dropping data; size map_cap so that this never happens in production. Called through
 * HOTPATH_ALLOW: an allow region for the sentinel, an exemption for the static check. */
HP_POOLS_COLD static struct win_val *window_grow(ring0_core *c, uint64_t key, int *existed)
{
    winmap bigger;
    size_t cap = hp_map_capacity(winmap_base(c->open)) * 2;
    if (winmap_create(&bigger, cap) != 0) {
        fprintf(stderr, "ring0: cannot grow the window state to %zu symbols\n", cap);
        abort();
    }
    size_t it = 0;
    uint64_t *k;
    struct win_val *v;
    while (winmap_next(c->open, &it, &k, &v)) winmap_put(&bigger, *k, *v);
    winmap_destroy(c->open);
    *c->open = bigger;
    c->grows++;
    return winmap_emplace(c->open, key, existed);
}

static inline void op_window(ring0_core *c, const proj *p) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    if (HP_POOLS_UNLIKELY(p->ts >= c->window_end)) {
        window_close(c);
        c->window = p->ts / c->window_ns;
        c->window_end = (c->window + 1) * c->window_ns;
    }
    int existed;
    struct win_val *v = winmap_emplace(c->open, p->key, &existed);
    if (HP_POOLS_UNLIKELY(v == NULL)) HOTPATH_ALLOW(v = window_grow(c, p->key, &existed));
    if (!existed) {
        v->count = 1;
        v->sum = v->min = v->max = p->amount;
    } else {
        v->count++;
        v->sum += p->amount;
        if (p->amount < v->min) v->min = p->amount;
        if (p->amount > v->max) v->max = p->amount;
    }
}

/* ---- the core -------------------------------------------------------------------------------- */

void ring0_core_process(ring0_core *c, const ring0_event *evs, size_t n) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    while (n) {
        size_t k = n < c->batch ? n : c->batch;
        HP_SCRATCH_SCOPE(&c->scratch); /* the projected batch lives until the end of this block */
        proj *p = HP_SCRATCH_NEW(&c->scratch, proj, k);
        size_t m = 0;
        for (size_t i = 0; i < k; i++)
            if (op_filter(&evs[i])) op_project(&evs[i], &p[m++]);
        for (size_t i = 0; i < m; i++) op_window(c, &p[i]);
        c->passed += m;
        evs += k;
        n -= k;
    }
    if (HP_POOLS_UNLIKELY(c->closing_pending)) window_drain(c, c->emit_per_batch ? c->emit_per_batch : SIZE_MAX);
}

void ring0_core_flush(ring0_core *c) HOTPATH_NONBLOCKING
{
    HOTPATH_FUNCTION();
    window_close(c);
    if (c->closing_pending) window_drain(c, SIZE_MAX);
}

ring0_core *ring0_core_create(const ring0_config *cfg, ring0_emit_fn emit, void *ctx)
{
    ring0_core *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->window_ns = cfg->window_ns;
    c->window = 0;
    c->window_end = 0; /* the first event opens its window */
    c->emit = emit;
    c->ctx = ctx;
    c->batch = cfg->batch ? cfg->batch : 32;
    c->emit_per_batch = cfg->emit_per_batch;
    c->open = &c->maps[0];
    c->closing = &c->maps[1];
    /* Room for one batch of projections, aligned, with slack for the alignment padding. */
    size_t cap = cfg->map_cap ? cfg->map_cap : 2048;
    if (winmap_create(&c->maps[0], cap) != 0 || winmap_create(&c->maps[1], cap) != 0 ||
        hp_scratch_create(&c->scratch, c->batch * sizeof(proj) + 64, 0) != 0) {
        ring0_core_destroy(c);
        return NULL;
    }
    return c;
}

void ring0_core_counts(const ring0_core *c, uint64_t *passed, uint64_t *windows, uint64_t *grows)
{
    *passed = c->passed;
    *windows = c->windows;
    *grows = c->grows;
}

void ring0_core_destroy(ring0_core *c)
{
    if (c == NULL) return;
    winmap_destroy(&c->maps[0]);
    winmap_destroy(&c->maps[1]);
    hp_scratch_destroy(&c->scratch);
    free(c);
}
