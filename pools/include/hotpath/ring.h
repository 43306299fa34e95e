/*
 * hotpath/ring.h - single-threaded ring buffer (FIFO) for event queues inside one core.
 *
 * Capacity is a power of two; head and tail are free-running counters (count = head - tail,
 * slot = counter & mask), so every slot is usable (no slot wasted to tell full from empty) and no
 * operation divides. Elements are copied in and out (memcpy of elem_size bytes; with the typed
 * wrappers the size is a constant and the copy is a move). Every operation after init is O(1) or
 * O(n) for n elements, never allocates, and reports full/empty through its return value.
 *
 * Thread-safety: none; one thread uses a ring at a time. For two threads use hotpath/spsc.h.
 *
 * Typed access: HP_RING_DEFINE(name, T) (see the end of this file).
 * High-water mark: compile with -DHP_POOLS_HIGH_WATER to track the most elements ever queued
 * (hp_ring_high_water); without it the push path does not touch the field.
 */
#ifndef HOTPATH_RING_H
#define HOTPATH_RING_H

#include "pools_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A ring. Fields are private (exposed so the fast paths inline). */
typedef struct hp_ring {
    size_t head;        /* elements pushed so far (wraps at SIZE_MAX, harmless) */
    size_t tail;        /* elements popped so far */
    size_t mask;        /* capacity - 1 */
    size_t elem_size;   /* bytes per element */
    unsigned char *buf; /* capacity * elem_size bytes */
    size_t high_water;  /* with HP_POOLS_HIGH_WATER: most elements ever queued */
    void *owned;        /* block hp_ring_create allocated */
} hp_ring;

/* Bytes of caller memory for `capacity` elements of elem_size; 0 if capacity is not a power of
 * two, elem_size is 0 or the product overflows. O(1), thread-safe. */
HP_POOLS_API size_t hp_ring_mem_size(size_t elem_size, size_t capacity);

/* Make r an empty ring in caller memory `mem` (at least hp_ring_mem_size bytes, aligned for the
 * element type, outliving the ring). Returns 0 or -EINVAL. O(1), never allocates. */
HP_POOLS_API int hp_ring_init(hp_ring *r, void *mem, size_t mem_size, size_t elem_size, size_t capacity);

/* As hp_ring_init with one allocation aligned to max(align, HP_CACHE_LINE) (align: a power of two
 * or 0). Returns 0, -EINVAL or -ENOMEM. Call before the hot path; pair with hp_ring_destroy. */
HP_POOLS_API int hp_ring_create(hp_ring *r, size_t elem_size, size_t align, size_t capacity);

/* Free what hp_ring_create allocated and clear r. Not for the hot path. */
HP_POOLS_API void hp_ring_destroy(hp_ring *r);

/* Queries. O(1), never allocate. */
HP_POOLS_INLINE size_t hp_ring_capacity(const hp_ring *r) HP_POOLS_NONBLOCKING { return r->mask + 1; }
HP_POOLS_INLINE size_t hp_ring_count(const hp_ring *r) HP_POOLS_NONBLOCKING { return r->head - r->tail; }
HP_POOLS_INLINE size_t hp_ring_free(const hp_ring *r) HP_POOLS_NONBLOCKING
{
    return r->mask + 1 - (r->head - r->tail);
}
HP_POOLS_INLINE int hp_ring_empty(const hp_ring *r) HP_POOLS_NONBLOCKING { return r->head == r->tail; }
HP_POOLS_INLINE int hp_ring_full(const hp_ring *r) HP_POOLS_NONBLOCKING
{
    return r->head - r->tail == r->mask + 1;
}
/* Most elements ever queued; 0 unless the pushing code was compiled with HP_POOLS_HIGH_WATER. */
HP_POOLS_INLINE size_t hp_ring_high_water(const hp_ring *r) HP_POOLS_NONBLOCKING { return r->high_water; }

/* Private: the core, parameterised by element size so typed wrappers get constant-size copies. */
#ifdef HP_POOLS_HIGH_WATER
#define HP__RING_NOTE_HIGH(r)                                                                                \
    do {                                                                                                     \
        size_t c_ = (r)->head - (r)->tail;                                                                   \
        if (c_ > (r)->high_water) (r)->high_water = c_;                                                      \
    } while (0)
#else
#define HP__RING_NOTE_HIGH(r) ((void)0)
#endif

/* Copy n elements between the ring's slots starting at counter `at` and a linear array, in at most
 * two pieces (the second when the span wraps past the end of the buffer). */
HP_POOLS_INLINE void hp__ring_copy_in(unsigned char *buf, size_t mask, size_t at, const void *src, size_t n,
                                      size_t esz) HP_POOLS_NONBLOCKING
{
    size_t i = at & mask, first = mask + 1 - i;
    if (first > n) first = n;
    memcpy(buf + i * esz, src, first * esz);
    if (n > first) memcpy(buf, (const unsigned char *)src + first * esz, (n - first) * esz);
}
HP_POOLS_INLINE void hp__ring_copy_out(const unsigned char *buf, size_t mask, size_t at, void *dst, size_t n,
                                       size_t esz) HP_POOLS_NONBLOCKING
{
    size_t i = at & mask, first = mask + 1 - i;
    if (first > n) first = n;
    memcpy(dst, buf + i * esz, first * esz);
    if (n > first) memcpy((unsigned char *)dst + first * esz, buf, (n - first) * esz);
}

HP_POOLS_INLINE int hp__ring_push(hp_ring *r, const void *elem, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t h = r->head;
    if (HP_POOLS_UNLIKELY(h - r->tail > r->mask)) return 0;
    memcpy(r->buf + (h & r->mask) * esz, elem, esz);
    r->head = h + 1;
    HP__RING_NOTE_HIGH(r);
    return 1;
}
HP_POOLS_INLINE int hp__ring_pop(hp_ring *r, void *out, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t t = r->tail;
    if (HP_POOLS_UNLIKELY(t == r->head)) return 0;
    memcpy(out, r->buf + (t & r->mask) * esz, esz);
    r->tail = t + 1;
    return 1;
}
HP_POOLS_INLINE size_t hp__ring_push_n(hp_ring *r, const void *src, size_t n, size_t esz,
                                       int burst) HP_POOLS_NONBLOCKING
{
    size_t room = r->mask + 1 - (r->head - r->tail);
    if (n > room) {
        if (!burst) return 0;
        n = room;
    }
    if (n == 0) return 0; /* src may then be NULL, which memcpy does not allow even for 0 bytes */
    hp__ring_copy_in(r->buf, r->mask, r->head, src, n, esz);
    r->head += n;
    HP__RING_NOTE_HIGH(r);
    return n;
}
HP_POOLS_INLINE size_t hp__ring_pop_n(hp_ring *r, void *dst, size_t n, size_t esz,
                                      int burst) HP_POOLS_NONBLOCKING
{
    size_t have = r->head - r->tail;
    if (n > have) {
        if (!burst) return 0;
        n = have;
    }
    if (n == 0) return 0;
    hp__ring_copy_out(r->buf, r->mask, r->tail, dst, n, esz);
    r->tail += n;
    return n;
}
HP_POOLS_INLINE void *hp__ring_front(const hp_ring *r, size_t esz) HP_POOLS_NONBLOCKING
{
    return r->head == r->tail ? NULL : r->buf + (r->tail & r->mask) * esz;
}
HP_POOLS_INLINE void *hp__ring_reserve(hp_ring *r, size_t *n, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t i = r->head & r->mask;
    size_t room = r->mask + 1 - (r->head - r->tail), contig = r->mask + 1 - i;
    if (room > contig) room = contig;
    if (*n > room) *n = room;
    return *n ? r->buf + i * esz : NULL;
}
HP_POOLS_INLINE void *hp__ring_peek_span(const hp_ring *r, size_t *n, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t i = r->tail & r->mask;
    size_t have = r->head - r->tail, contig = r->mask + 1 - i;
    if (have > contig) have = contig;
    if (*n > have) *n = have;
    return *n ? r->buf + i * esz : NULL;
}

/* Append a copy of *elem (elem_size bytes). Returns 1, or 0 if the ring is full (nothing
 * changes). O(1), never allocates. */
HP_POOLS_INLINE int hp_ring_push(hp_ring *r, const void *elem) HP_POOLS_NONBLOCKING
{
    return hp__ring_push(r, elem, r->elem_size);
}
/* Move the oldest element into *out. Returns 1, or 0 if empty. O(1), never allocates. */
HP_POOLS_INLINE int hp_ring_pop(hp_ring *r, void *out) HP_POOLS_NONBLOCKING
{
    return hp__ring_pop(r, out, r->elem_size);
}
/* Pointer to the oldest element (valid until it is popped), or NULL if empty. O(1). */
HP_POOLS_INLINE void *hp_ring_front(const hp_ring *r) HP_POOLS_NONBLOCKING
{
    return hp__ring_front(r, r->elem_size);
}
/* Bulk push: all n elements from src[] or none; returns n or 0. O(n), never allocates. */
HP_POOLS_INLINE size_t hp_ring_push_bulk(hp_ring *r, const void *src, size_t n) HP_POOLS_NONBLOCKING
{
    return hp__ring_push_n(r, src, n, r->elem_size, 0);
}
/* Burst push: as many of src[0..n) as fit; returns how many. O(n), never allocates. */
HP_POOLS_INLINE size_t hp_ring_push_burst(hp_ring *r, const void *src, size_t n) HP_POOLS_NONBLOCKING
{
    return hp__ring_push_n(r, src, n, r->elem_size, 1);
}
/* Bulk pop: exactly n oldest elements into dst[] or none; returns n or 0. O(n). */
HP_POOLS_INLINE size_t hp_ring_pop_bulk(hp_ring *r, void *dst, size_t n) HP_POOLS_NONBLOCKING
{
    return hp__ring_pop_n(r, dst, n, r->elem_size, 0);
}
/* Burst pop: up to n oldest elements into dst[]; returns how many. O(n). */
HP_POOLS_INLINE size_t hp_ring_pop_burst(hp_ring *r, void *dst, size_t n) HP_POOLS_NONBLOCKING
{
    return hp__ring_pop_n(r, dst, n, r->elem_size, 1);
}
/* Zero-copy push: *n in = slots wanted; out = slots granted (contiguous, possibly fewer: free
 * space and the buffer's end both limit it). Returns the first granted slot, or NULL with *n = 0.
 * Fill them, then hp_ring_commit(r, k) with k <= granted publishes the first k. O(1). */
HP_POOLS_INLINE void *hp_ring_reserve(hp_ring *r, size_t *n) HP_POOLS_NONBLOCKING
{
    return hp__ring_reserve(r, n, r->elem_size);
}
HP_POOLS_INLINE void hp_ring_commit(hp_ring *r, size_t k) HP_POOLS_NONBLOCKING
{
    r->head += k;
    HP__RING_NOTE_HIGH(r);
}
/* Zero-copy pop: *n in = wanted, out = contiguous elements readable in place from the returned
 * pointer (NULL with *n = 0 if empty). hp_ring_consume(r, k), k <= granted, drops the first k.
 * The span stays valid until consumed. O(1). */
HP_POOLS_INLINE void *hp_ring_peek_span(const hp_ring *r, size_t *n) HP_POOLS_NONBLOCKING
{
    return hp__ring_peek_span(r, n, r->elem_size);
}
HP_POOLS_INLINE void hp_ring_consume(hp_ring *r, size_t k) HP_POOLS_NONBLOCKING { r->tail += k; }
/* Drop everything. O(1). */
HP_POOLS_INLINE void hp_ring_clear(hp_ring *r) HP_POOLS_NONBLOCKING { r->tail = r->head; }

/* HP_RING_DEFINE(name, T): a ring of T with typed functions (same contracts as hp_ring_*):
 *   size_t name_mem_size(size_t cap)   int name_init(name *, void *mem, size_t mem_size, size_t cap)
 *   int name_create(name *, size_t cap)   void name_destroy(name *)   hp_ring *name_base(name *)
 *   int name_push(name *, T v)   int name_push_ptr(name *, const T *)   int name_pop(name *, T *out)
 *   T *name_front(name *)   size_t name_push_bulk / name_push_burst(name *, const T *src, size_t n)
 *   size_t name_pop_bulk / name_pop_burst(name *, T *dst, size_t n)
 *   T *name_reserve(name *, size_t *n)  void name_commit(name *, size_t k)
 *   T *name_peek_span(name *, size_t *n) void name_consume(name *, size_t k)
 *   size_t name_count / name_capacity(name *)   int name_empty / name_full(name *) */
#define HP_RING_DEFINE(name, T)                                                                              \
    typedef struct name {                                                                                    \
        hp_ring r;                                                                                           \
    } name;                                                                                                  \
    static inline __attribute__((unused)) size_t name##_mem_size(size_t cap)                                 \
    {                                                                                                        \
        return hp_ring_mem_size(sizeof(T), cap);                                                             \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_init(name *q, void *mem, size_t mem_size, size_t cap)   \
    {                                                                                                        \
        if ((uintptr_t)mem % HP_POOLS_ALIGNOF(T) != 0) return -EINVAL;                                       \
        return hp_ring_init(&q->r, mem, mem_size, sizeof(T), cap);                                           \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_create(name *q, size_t cap)                             \
    {                                                                                                        \
        return hp_ring_create(&q->r, sizeof(T), HP_POOLS_ALIGNOF(T), cap);                                   \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_destroy(name *q) { hp_ring_destroy(&q->r); }           \
    static inline __attribute__((unused)) hp_ring *name##_base(name *q) HP_POOLS_NONBLOCKING                 \
    {                                                                                                        \
        return &q->r;                                                                                        \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_push(name *q, T v) HP_POOLS_NONBLOCKING                 \
    {                                                                                                        \
        return hp__ring_push(&q->r, &v, sizeof(T));                                                          \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_push_ptr(name *q, const T *v) HP_POOLS_NONBLOCKING      \
    {                                                                                                        \
        return hp__ring_push(&q->r, v, sizeof(T));                                                           \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_pop(name *q, T *out) HP_POOLS_NONBLOCKING               \
    {                                                                                                        \
        return hp__ring_pop(&q->r, out, sizeof(T));                                                          \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_front(name *q) HP_POOLS_NONBLOCKING                      \
    {                                                                                                        \
        return (T *)hp__ring_front(&q->r, sizeof(T));                                                        \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_push_bulk(name *q, const T *s, size_t n)             \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp__ring_push_n(&q->r, s, n, sizeof(T), 0);                                                   \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_push_burst(name *q, const T *s, size_t n)            \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp__ring_push_n(&q->r, s, n, sizeof(T), 1);                                                   \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_pop_bulk(name *q, T *d, size_t n)                    \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp__ring_pop_n(&q->r, d, n, sizeof(T), 0);                                                    \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_pop_burst(name *q, T *d, size_t n)                   \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp__ring_pop_n(&q->r, d, n, sizeof(T), 1);                                                    \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_reserve(name *q, size_t *n) HP_POOLS_NONBLOCKING         \
    {                                                                                                        \
        return (T *)hp__ring_reserve(&q->r, n, sizeof(T));                                                   \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_commit(name *q, size_t k) HP_POOLS_NONBLOCKING         \
    {                                                                                                        \
        hp_ring_commit(&q->r, k);                                                                            \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_peek_span(name *q, size_t *n) HP_POOLS_NONBLOCKING       \
    {                                                                                                        \
        return (T *)hp__ring_peek_span(&q->r, n, sizeof(T));                                                 \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_consume(name *q, size_t k) HP_POOLS_NONBLOCKING        \
    {                                                                                                        \
        hp_ring_consume(&q->r, k);                                                                           \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_count(const name *q) HP_POOLS_NONBLOCKING            \
    {                                                                                                        \
        return hp_ring_count(&q->r);                                                                         \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_capacity(const name *q) HP_POOLS_NONBLOCKING         \
    {                                                                                                        \
        return hp_ring_capacity(&q->r);                                                                      \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_empty(const name *q) HP_POOLS_NONBLOCKING               \
    {                                                                                                        \
        return hp_ring_empty(&q->r);                                                                         \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_full(const name *q) HP_POOLS_NONBLOCKING                \
    {                                                                                                        \
        return hp_ring_full(&q->r);                                                                          \
    }                                                                                                        \
    typedef int name##_hp_ring_defined_

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HOTPATH_RING_H */
