/*
 * naive.c - the same query written the way code usually starts out: obviously correct, and
 * allocating on every event. It serves three purposes:
 *   - the independent reference the tests compare the zero-allocation core against
 *     (ring0_reference: one plain loop, no threads, no pools);
 *   - the baseline of the benchmark (the same reactor, these operators);
 *   - the audit story: its window operator is marked hot, as an audited codebase would mark it,
 *     and the sentinel catches its three habits: a per-event malloc for the key, a strdup for each
 *     new symbol, and a per-window array grown with realloc.
 * The allocations are the point: do not "fix" this file, ops.c is the fixed version.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L /* strdup */
#endif
#include "ring0.h"
#include "gen.h"

#include <hotpath.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAIVE_BUCKETS 1024

struct naive_node {
    char *key; /* strdup'd symbol */
    uint64_t count;
    int64_t sum, min, max;
    struct naive_node *next;
};

struct ring0_naive {
    struct naive_node *bucket[NAIVE_BUCKETS]; /* chained hash of the open window's symbols */
    struct naive_node **nodes;                /* the same nodes in arrival order, grown by realloc */
    size_t len, cap;
    uint64_t window;
    int open;
    uint64_t window_ns;
    ring0_naive_emit_fn emit;
    void *ctx;
    uint64_t passed, windows;
};

static unsigned naive_hash(const char *s)
{
    unsigned h = 5381;
    while (*s) h = h * 33 + (unsigned char)*s++;
    return h % NAIVE_BUCKETS;
}

static void naive_window_close(ring0_naive *c)
{
    if (c->len == 0) return;
    for (size_t i = 0; i < c->len; i++) {
        struct naive_node *n = c->nodes[i];
        ring0_result r;
        memset(&r, 0, sizeof r);
        r.window = c->window;
        memcpy(r.sym, n->key, strnlen(n->key, 8));
        r.count = n->count;
        r.sum = n->sum;
        r.min = n->min;
        r.max = n->max;
        c->emit(c->ctx, &r);
        free(n->key);
        free(n);
    }
    free(c->nodes);
    c->nodes = NULL;
    c->len = c->cap = 0;
    memset(c->bucket, 0, sizeof c->bucket);
    c->windows++;
}

/* The naive operator: aggregate one event into its symbol's window state. */
__attribute__((noinline)) static void naive_window_aggregate(ring0_naive *c, uint64_t ts, const char sym[8],
                                                             int64_t amount)
{
    HOTPATH_FUNCTION();
    uint64_t w = ts / c->window_ns;
    if (!c->open || w != c->window) {
        naive_window_close(c);
        c->window = w;
        c->open = 1;
    }
    /* Habit 1: a heap copy of the key, so it is a proper NUL-terminated string. */
    char *key = malloc(9);
    memcpy(key, sym, 8);
    key[8] = '\0';
    unsigned b = naive_hash(key);
    struct naive_node *n = c->bucket[b];
    while (n && strcmp(n->key, key) != 0) n = n->next;
    if (n == NULL) {
        n = malloc(sizeof *n);
        n->key = strdup(key); /* Habit 2: the map owns its keys */
        n->count = 0;
        n->sum = 0;
        n->min = INT64_MAX;
        n->max = INT64_MIN;
        n->next = c->bucket[b];
        c->bucket[b] = n;
        if (c->len == c->cap) { /* Habit 3: a growing array of this window's symbols */
            c->cap = c->cap ? c->cap * 2 : 4;
            c->nodes = realloc(c->nodes, c->cap * sizeof *c->nodes);
        }
        c->nodes[c->len++] = n;
    }
    free(key);
    n->count++;
    n->sum += amount;
    if (amount < n->min) n->min = amount;
    if (amount > n->max) n->max = amount;
}

void ring0_naive_process(ring0_naive *c, const ring0_event *evs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ring0_event *e = &evs[i];
        if (!ring0_keep(e)) continue;
        naive_window_aggregate(c, e->ts, e->sym, ring0_amount(e));
        c->passed++;
    }
}

void ring0_naive_flush(ring0_naive *c) { naive_window_close(c); }

ring0_naive *ring0_naive_create(const ring0_config *cfg, ring0_naive_emit_fn emit, void *ctx)
{
    ring0_naive *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->window_ns = cfg->window_ns;
    c->emit = emit;
    c->ctx = ctx;
    return c;
}

void ring0_naive_counts(const ring0_naive *c, uint64_t *passed, uint64_t *windows)
{
    *passed = c->passed;
    *windows = c->windows;
}

void ring0_naive_destroy(ring0_naive *c)
{
    if (c == NULL) return;
    naive_window_close(c);
    free(c);
}

/* ---- the reference: the whole query, one loop ------------------------------------------------ */

struct collect {
    ring0_result *v;
    size_t n, cap;
};
static void collect_emit(void *ctx, const ring0_result *r)
{
    struct collect *col = ctx;
    if (col->n == col->cap) {
        col->cap = col->cap ? col->cap * 2 : 1024;
        col->v = realloc(col->v, col->cap * sizeof *col->v);
        if (col->v == NULL) {
            perror("ring0: reference");
            exit(1);
        }
    }
    col->v[col->n++] = *r;
}

ring0_result *ring0_reference(const ring0_config *cfg, size_t *n)
{
    /* The reference allocates by design, and its window operator is marked hot (for the audit):
     * allow it, so the reference runs under the sentinel in any mode. */
    hotpath_allow_begin();
    struct collect col = {NULL, 0, 0};
    ring0_naive *c = ring0_naive_create(cfg, collect_emit, &col);
    ring0_gen g;
    ring0_gen_init(&g, cfg->seed, cfg->nsyms);
    for (uint64_t i = 0; i < cfg->events; i++) {
        ring0_event e;
        ring0_gen_next(&g, &e);
        ring0_naive_process(c, &e, 1);
    }
    ring0_naive_flush(c);
    ring0_naive_destroy(c);
    hotpath_allow_end();
    *n = col.n;
    return col.v;
}

int ring0_result_cmp(const void *a, const void *b)
{
    const ring0_result *x = a, *y = b;
    if (x->window != y->window) return x->window < y->window ? -1 : 1;
    return memcmp(x->sym, y->sym, 8);
}
