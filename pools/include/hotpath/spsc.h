/*
 * hotpath/spsc.h - lock-free single-producer / single-consumer ring for handing events between
 * two threads.
 *
 * One thread pushes, one thread pops; no locks, no allocation, no syscalls after init, wait-free
 * on both sides (a full or empty ring is reported, never waited on). Capacity is a power of two,
 * indices are free-running counters masked into the buffer, every slot is usable.
 *
 * Memory ordering: the producer writes the slot, then publishes head with a release store; the
 * consumer reads head with an acquire load before reading the slot, and publishes tail with a
 * release store that the producer acquires before reusing the slot. These are the C11 memory
 * model's atomic operations spelled as the GCC/Clang __atomic builtins, so the same header
 * compiles as C11 and C++ (where _Atomic is not available) and ThreadSanitizer understands it.
 *
 * Layout (after rigtorp's SPSCQueue): the read-only fields, the producer's line (head + its cached
 * copy of tail) and the consumer's line (tail + its cached copy of head) are each
 * HP_FALSE_SHARING_RANGE (128) bytes apart, so a write to one index never invalidates the line
 * holding the other or the buffer pointer. Each side re-reads the other's index only when its
 * cached copy says full (producer) or empty (consumer), which keeps the index lines from
 * bouncing between cores on every operation.
 *
 * The struct is 128-byte aligned: declare it statically, on the stack, or in aligned memory
 * (aligned_alloc/posix_memalign), not in plain malloc memory.
 *
 * Thread-safety: functions marked "producer" may be called by one thread at a time, those marked
 * "consumer" by one (other) thread at a time; init/create/destroy by neither while the other runs.
 * Typed access: HP_SPSC_DEFINE(name, T). High-water (producer's upper bound on occupancy): compile
 * the pushing code with -DHP_POOLS_HIGH_WATER.
 */
#ifndef HOTPATH_SPSC_H
#define HOTPATH_SPSC_H

#include "pools_common.h"
#include "ring.h" /* the wrap-around copy helpers */

#ifdef __cplusplus
extern "C" {
#endif

/* An SPSC ring. Fields are private (exposed so the fast paths inline). */
typedef struct hp_spsc {
    /* Read-only after init, read by both sides. */
    unsigned char *buf;
    size_t mask;
    size_t elem_size;
    void *owned;
    /* Producer's line: written only by the producer. It also holds the producer's own copies of
     * the read-only fields, so a push reads nothing outside this line and the slots (and the
     * consumer's line only when tail_cache says full). */
    HP_POOLS_ALIGNED(HP_FALSE_SHARING_RANGE) size_t head; /* elements published (atomic) */
    size_t tail_cache;                                    /* producer's last view of tail */
    size_t high_water;                                    /* with HP_POOLS_HIGH_WATER */
    unsigned char *p_buf;                                 /* copies of buf, mask, elem_size */
    size_t p_mask;
    size_t p_elem_size;
    /* Consumer's line: written only by the consumer; same idea. */
    HP_POOLS_ALIGNED(HP_FALSE_SHARING_RANGE) size_t tail; /* elements consumed (atomic) */
    size_t head_cache;                                    /* consumer's last view of head */
    unsigned char *c_buf;                                 /* copies of buf, mask, elem_size */
    size_t c_mask;
    size_t c_elem_size;
} HP_POOLS_ALIGNED(HP_FALSE_SHARING_RANGE) hp_spsc;

HP_POOLS_STATIC_ASSERT(offsetof(hp_spsc, head) >= HP_FALSE_SHARING_RANGE,
                       "the producer's index must not share a line with the read-only fields");
HP_POOLS_STATIC_ASSERT(offsetof(hp_spsc, tail) - offsetof(hp_spsc, head) >= HP_FALSE_SHARING_RANGE,
                       "the consumer's index must not share a line with the producer's");
HP_POOLS_STATIC_ASSERT(sizeof(hp_spsc) - offsetof(hp_spsc, tail) >= HP_FALSE_SHARING_RANGE,
                       "the consumer's index must not share a line with whatever follows the ring");
HP_POOLS_STATIC_ASSERT(offsetof(hp_spsc, p_elem_size) / HP_CACHE_LINE ==
                           offsetof(hp_spsc, head) / HP_CACHE_LINE,
                       "the producer's copies must sit on the producer's line");
HP_POOLS_STATIC_ASSERT(offsetof(hp_spsc, c_elem_size) / HP_CACHE_LINE ==
                           offsetof(hp_spsc, tail) / HP_CACHE_LINE,
                       "the consumer's copies must sit on the consumer's line");

/* Bytes of caller memory for `capacity` elements (0 if invalid: capacity not a power of two,
 * elem_size 0, overflow). O(1), thread-safe. */
HP_POOLS_API size_t hp_spsc_mem_size(size_t elem_size, size_t capacity);

/* Make q an empty ring in caller memory (>= hp_spsc_mem_size bytes, aligned for the elements;
 * best aligned to 128 and not sharing its first/last 128 bytes with other written data). Returns 0
 * or -EINVAL. O(1), never allocates. Call before either thread uses q. */
HP_POOLS_API int hp_spsc_init(hp_spsc *q, void *mem, size_t mem_size, size_t elem_size, size_t capacity);

/* As hp_spsc_init with one allocation, 128-byte aligned and padded so no other data shares its
 * cache lines. Returns 0, -EINVAL or -ENOMEM. Pair with hp_spsc_destroy. */
HP_POOLS_API int hp_spsc_create(hp_spsc *q, size_t elem_size, size_t align, size_t capacity);

/* Free what hp_spsc_create allocated and clear q. Neither thread may be using q. */
HP_POOLS_API void hp_spsc_destroy(hp_spsc *q);

#define HP__LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define HP__LOAD_RLX(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define HP__STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#ifdef HP_POOLS_HIGH_WATER
#define HP__SPSC_NOTE_HIGH(q, h)                                                                             \
    do {                                                                                                     \
        if ((h) - (q)->tail_cache > (q)->high_water) (q)->high_water = (h) - (q)->tail_cache;                \
    } while (0)
#else
#define HP__SPSC_NOTE_HIGH(q, h) ((void)0)
#endif

/* Producer: free slots, re-reading the consumer's index only if the cached view has fewer than
 * `want`. */
HP_POOLS_INLINE size_t hp__spsc_room(hp_spsc *q, size_t h, size_t want) HP_POOLS_NONBLOCKING
{
    size_t room = q->p_mask + 1 - (h - q->tail_cache);
    if (room < want) {
        q->tail_cache = HP__LOAD_ACQ(&q->tail);
        room = q->p_mask + 1 - (h - q->tail_cache);
    }
    return room;
}
/* Consumer: readable elements, re-reading the producer's index only if the cache has fewer. */
HP_POOLS_INLINE size_t hp__spsc_avail(hp_spsc *q, size_t t, size_t want) HP_POOLS_NONBLOCKING
{
    size_t have = q->head_cache - t;
    if (have < want) {
        q->head_cache = HP__LOAD_ACQ(&q->head);
        have = q->head_cache - t;
    }
    return have;
}

HP_POOLS_INLINE int hp__spsc_push(hp_spsc *q, const void *elem, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t h = HP__LOAD_RLX(&q->head);
    if (HP_POOLS_UNLIKELY(hp__spsc_room(q, h, 1) == 0)) return 0;
    memcpy(q->p_buf + (h & q->p_mask) * esz, elem, esz);
    HP__STORE_REL(&q->head, h + 1);
    HP__SPSC_NOTE_HIGH(q, h + 1);
    return 1;
}
HP_POOLS_INLINE int hp__spsc_pop(hp_spsc *q, void *out, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t t = HP__LOAD_RLX(&q->tail);
    if (HP_POOLS_UNLIKELY(hp__spsc_avail(q, t, 1) == 0)) return 0;
    memcpy(out, q->c_buf + (t & q->c_mask) * esz, esz);
    HP__STORE_REL(&q->tail, t + 1);
    return 1;
}
HP_POOLS_INLINE size_t hp__spsc_push_n(hp_spsc *q, const void *src, size_t n, size_t esz,
                                       int burst) HP_POOLS_NONBLOCKING
{
    size_t h = HP__LOAD_RLX(&q->head);
    size_t room = hp__spsc_room(q, h, n);
    if (n > room) {
        if (!burst) return 0;
        n = room;
    }
    if (n == 0) return 0;
    hp__ring_copy_in(q->p_buf, q->p_mask, h, src, n, esz);
    HP__STORE_REL(&q->head, h + n);
    HP__SPSC_NOTE_HIGH(q, h + n);
    return n;
}
HP_POOLS_INLINE size_t hp__spsc_pop_n(hp_spsc *q, void *dst, size_t n, size_t esz,
                                      int burst) HP_POOLS_NONBLOCKING
{
    size_t t = HP__LOAD_RLX(&q->tail);
    size_t have = hp__spsc_avail(q, t, n);
    if (n > have) {
        if (!burst) return 0;
        n = have;
    }
    if (n == 0) return 0;
    hp__ring_copy_out(q->c_buf, q->c_mask, t, dst, n, esz);
    HP__STORE_REL(&q->tail, t + n);
    return n;
}
HP_POOLS_INLINE void *hp__spsc_reserve(hp_spsc *q, size_t *n, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t h = HP__LOAD_RLX(&q->head);
    size_t i = h & q->p_mask, contig = q->p_mask + 1 - i;
    size_t want = *n < contig ? *n : contig;
    size_t room = hp__spsc_room(q, h, want);
    if (room > contig) room = contig;
    if (*n > room) *n = room;
    return *n ? q->p_buf + i * esz : NULL;
}
/* One element needs none of peek_span's span arithmetic; front() is the consumer's hot call in
 * rigtorp-style loops (while (!front()); use; consume(1)). */
HP_POOLS_INLINE void *hp__spsc_front(hp_spsc *q, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t t = HP__LOAD_RLX(&q->tail);
    if (HP_POOLS_UNLIKELY(hp__spsc_avail(q, t, 1) == 0)) return NULL;
    return q->c_buf + (t & q->c_mask) * esz;
}
HP_POOLS_INLINE void *hp__spsc_peek_span(hp_spsc *q, size_t *n, size_t esz) HP_POOLS_NONBLOCKING
{
    size_t t = HP__LOAD_RLX(&q->tail);
    size_t i = t & q->c_mask, contig = q->c_mask + 1 - i;
    size_t want = *n < contig ? *n : contig;
    size_t have = hp__spsc_avail(q, t, want);
    if (have > contig) have = contig;
    if (*n > have) *n = have;
    return *n ? q->c_buf + i * esz : NULL;
}

/* Producer. Append a copy of *elem. Returns 1, or 0 if full. O(1), never allocates or blocks. */
HP_POOLS_INLINE int hp_spsc_push(hp_spsc *q, const void *elem) HP_POOLS_NONBLOCKING
{
    return hp__spsc_push(q, elem, q->p_elem_size);
}
/* Consumer. Move the oldest element into *out. Returns 1, or 0 if empty. O(1), never blocks. */
HP_POOLS_INLINE int hp_spsc_pop(hp_spsc *q, void *out) HP_POOLS_NONBLOCKING
{
    return hp__spsc_pop(q, out, q->c_elem_size);
}
/* Producer. Bulk: all n of src[] published at once, or none (returns n or 0). O(n). */
HP_POOLS_INLINE size_t hp_spsc_push_bulk(hp_spsc *q, const void *src, size_t n) HP_POOLS_NONBLOCKING
{
    return hp__spsc_push_n(q, src, n, q->p_elem_size, 0);
}
/* Producer. Burst: as many of src[0..n) as fit, published at once; returns how many. O(n). */
HP_POOLS_INLINE size_t hp_spsc_push_burst(hp_spsc *q, const void *src, size_t n) HP_POOLS_NONBLOCKING
{
    return hp__spsc_push_n(q, src, n, q->p_elem_size, 1);
}
/* Consumer. Bulk: exactly n oldest into dst[], or none (returns n or 0). O(n). */
HP_POOLS_INLINE size_t hp_spsc_pop_bulk(hp_spsc *q, void *dst, size_t n) HP_POOLS_NONBLOCKING
{
    return hp__spsc_pop_n(q, dst, n, q->c_elem_size, 0);
}
/* Consumer. Burst: up to n oldest into dst[]; returns how many. O(n). */
HP_POOLS_INLINE size_t hp_spsc_pop_burst(hp_spsc *q, void *dst, size_t n) HP_POOLS_NONBLOCKING
{
    return hp__spsc_pop_n(q, dst, n, q->c_elem_size, 1);
}
/* Producer. Zero-copy: *n in = wanted, out = granted contiguous free slots (fewer at the buffer's
 * end or when nearly full); returns the first, or NULL with *n = 0. Write them, then
 * hp_spsc_commit(q, k) (k <= granted) publishes the first k to the consumer. O(1). */
HP_POOLS_INLINE void *hp_spsc_reserve(hp_spsc *q, size_t *n) HP_POOLS_NONBLOCKING
{
    return hp__spsc_reserve(q, n, q->p_elem_size);
}
HP_POOLS_INLINE void hp_spsc_commit(hp_spsc *q, size_t k) HP_POOLS_NONBLOCKING
{
    size_t h = HP__LOAD_RLX(&q->head) + k;
    HP__STORE_REL(&q->head, h);
    HP__SPSC_NOTE_HIGH(q, h);
}
/* Consumer. Zero-copy: *n in = wanted, out = granted contiguous readable elements, read in place
 * from the returned pointer (NULL with *n = 0 if empty); hp_spsc_consume(q, k) (k <= granted)
 * hands the first k slots back to the producer. The span is valid until consumed. O(1). */
HP_POOLS_INLINE void *hp_spsc_peek(hp_spsc *q, size_t *n) HP_POOLS_NONBLOCKING
{
    return hp__spsc_peek_span(q, n, q->c_elem_size);
}
HP_POOLS_INLINE void hp_spsc_consume(hp_spsc *q, size_t k) HP_POOLS_NONBLOCKING
{
    HP__STORE_REL(&q->tail, HP__LOAD_RLX(&q->tail) + k);
}
/* Consumer. Pointer to the oldest element, or NULL if empty. O(1). */
HP_POOLS_INLINE void *hp_spsc_front(hp_spsc *q) HP_POOLS_NONBLOCKING
{
    return hp__spsc_front(q, q->c_elem_size);
}
/* Either side. Elements queued, between 0 and the capacity: exact when the other side is idle.
 * Otherwise the two indices are read one after the other, so the result is at least the count
 * at both ends of the call and at most the capacity, but may be a value the ring never held
 * when both sides moved during the call. O(1). */
HP_POOLS_INLINE size_t hp_spsc_count(hp_spsc *q) HP_POOLS_NONBLOCKING
{
    size_t t = HP__LOAD_ACQ(&q->tail);
    size_t n = HP__LOAD_ACQ(&q->head) - t;
    return n <= q->mask ? n : q->mask + 1;
}
HP_POOLS_INLINE size_t hp_spsc_capacity(const hp_spsc *q) HP_POOLS_NONBLOCKING { return q->mask + 1; }
/* Producer's upper bound on the most elements ever queued; 0 unless the pushing code was compiled
 * with HP_POOLS_HIGH_WATER. Producer thread. */
HP_POOLS_INLINE size_t hp_spsc_high_water(const hp_spsc *q) HP_POOLS_NONBLOCKING { return q->high_water; }

/* HP_SPSC_DEFINE(name, T): an SPSC ring of T with typed functions (contracts as hp_spsc_*):
 *   size_t name_mem_size(size_t cap)   int name_init(name *, void *mem, size_t mem_size, size_t cap)
 *   int name_create(name *, size_t cap)   void name_destroy(name *)   hp_spsc *name_base(name *)
 *   producer: int name_push(name *, T v)  int name_push_ptr(name *, const T *)
 *             size_t name_push_bulk / name_push_burst(name *, const T *src, size_t n)
 *             T *name_reserve(name *, size_t *n)   void name_commit(name *, size_t k)
 *   consumer: int name_pop(name *, T *out)  T *name_front(name *)
 *             size_t name_pop_bulk / name_pop_burst(name *, T *dst, size_t n)
 *             T *name_peek(name *, size_t *n)   void name_consume(name *, size_t k) */
#define HP_SPSC_DEFINE(name, T)                                                                              \
    typedef struct name {                                                                                    \
        hp_spsc q;                                                                                           \
    } name;                                                                                                  \
    static inline __attribute__((unused)) size_t name##_mem_size(size_t cap)                                 \
    {                                                                                                        \
        return hp_spsc_mem_size(sizeof(T), cap);                                                             \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_init(name *s, void *mem, size_t mem_size, size_t cap)   \
    {                                                                                                        \
        if ((uintptr_t)mem % HP_POOLS_ALIGNOF(T) != 0) return -EINVAL;                                       \
        return hp_spsc_init(&s->q, mem, mem_size, sizeof(T), cap);                                           \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_create(name *s, size_t cap)                             \
    {                                                                                                        \
        return hp_spsc_create(&s->q, sizeof(T), HP_POOLS_ALIGNOF(T), cap);                                   \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_destroy(name *s) { hp_spsc_destroy(&s->q); }           \
    static inline __attribute__((unused)) hp_spsc *name##_base(name *s) HP_POOLS_NONBLOCKING                 \
    {                                                                                                        \
        return &s->q;                                                                                        \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_push(name *s, T v) HP_POOLS_NONBLOCKING                 \
    {                                                                                                        \
        return hp__spsc_push(&s->q, &v, sizeof(T));                                                          \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_push_ptr(name *s, const T *v) HP_POOLS_NONBLOCKING      \
    {                                                                                                        \
        return hp__spsc_push(&s->q, v, sizeof(T));                                                           \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_pop(name *s, T *out) HP_POOLS_NONBLOCKING               \
    {                                                                                                        \
        return hp__spsc_pop(&s->q, out, sizeof(T));                                                          \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_front(name *s) HP_POOLS_NONBLOCKING                      \
    {                                                                                                        \
        return (T *)hp__spsc_front(&s->q, sizeof(T));                                                        \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_push_bulk(name *s, const T *src, size_t n)           \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp__spsc_push_n(&s->q, src, n, sizeof(T), 0);                                                 \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_push_burst(name *s, const T *src, size_t n)          \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp__spsc_push_n(&s->q, src, n, sizeof(T), 1);                                                 \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_pop_bulk(name *s, T *dst, size_t n)                  \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp__spsc_pop_n(&s->q, dst, n, sizeof(T), 0);                                                  \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_pop_burst(name *s, T *dst, size_t n)                 \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp__spsc_pop_n(&s->q, dst, n, sizeof(T), 1);                                                  \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_reserve(name *s, size_t *n) HP_POOLS_NONBLOCKING         \
    {                                                                                                        \
        return (T *)hp__spsc_reserve(&s->q, n, sizeof(T));                                                   \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_commit(name *s, size_t k) HP_POOLS_NONBLOCKING         \
    {                                                                                                        \
        hp_spsc_commit(&s->q, k);                                                                            \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_peek(name *s, size_t *n) HP_POOLS_NONBLOCKING            \
    {                                                                                                        \
        return (T *)hp__spsc_peek_span(&s->q, n, sizeof(T));                                                 \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_consume(name *s, size_t k) HP_POOLS_NONBLOCKING        \
    {                                                                                                        \
        hp_spsc_consume(&s->q, k);                                                                           \
    }                                                                                                        \
    typedef int name##_hp_spsc_defined_

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HOTPATH_SPSC_H */
