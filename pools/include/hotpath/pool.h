/*
 * hotpath/pool.h - object pool: a fixed number of fixed-size, aligned slots taken once at init.
 *
 * acquire/release are O(1) through an intrusive free list (a released slot's first word links to
 * the next free slot), with no allocation, lock or syscall. Slots never handed out yet are taken
 * from a bump pointer rather than threaded at init, so init is O(1) and the high-water mark is
 * free: it is the number of slots ever touched (the bump pointer only moves when every touched
 * slot is in use).
 *
 * Thread-safety: a pool belongs to one thread at a time (no internal locking); give each thread
 * its own pool, or hand objects across threads through an hp_spsc ring and release them on the
 * owning thread.
 *
 * Debug checks (init flag HP_POOL_DEBUG, or compile the init call with -DHP_POOLS_DEBUG): released
 * slots are filled with 0xDE after their link word (kept scrambled), and release aborts with a clear
 * message on a double release, a pointer from outside the pool or into the middle of a slot;
 * acquire aborts if a released slot was written to, its first word included. The flag costs one
 * predictable branch when off.
 *
 * Typed access: HP_POOL_DEFINE(name, T) makes `name` with name_acquire() returning T *, etc.
 */
#ifndef HOTPATH_POOL_H
#define HOTPATH_POOL_H

#include "pools_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Init flag: enable the debug checks for this pool. */
#define HP_POOL_DEBUG 1u

/* Free slots kept in the pool's own array in front of the intrusive list (see hp_pool). */
#define HP_POOL_CACHE 64

/* A pool. The fields are private (exposed so the fast paths inline); use the functions.
 *
 * The free slots form one LIFO stack. Its top (up to HP_POOL_CACHE slots, the most recently
 * released) lives in cache[top..HP_POOL_CACHE), cache[top] on top; the rest continues in the
 * intrusive list through the slots' first words. Acquire/release of a cached slot touch only this
 * struct (no dependent load through the slot itself), and bulk operations copy pointers to/from
 * the array. A release that finds the array full links all of it onto the list first (bounded:
 * HP_POOL_CACHE stores); an acquire that finds it empty pops the list. Debug pools use only the
 * list. */
typedef struct hp_pool {
    /* Hot: every acquire/release reads flags and reads/writes top, nothing else. The slots in use
     * are not counted on the fast path: in_use = capacity - free, where free is
     * (HP_POOL_CACHE - top) + listed + fresh_left. */
    unsigned flags;       /* HP_POOL_* */
    size_t top;           /* cache[top..HP_POOL_CACHE) are free slots, cache[top] the newest */
    void *free_head;      /* older released slots, linked through their first word */
    size_t listed;        /* slots on that list */
    unsigned char *fresh; /* next slot never handed out */
    size_t fresh_left;    /* slots never handed out */
    size_t failed;        /* acquires that found the pool exhausted */
    size_t slot_size;     /* stride: object size rounded up to the alignment */
    /* Cold. */
    unsigned char *end;   /* one past the last slot */
    unsigned char *base;  /* first slot */
    size_t capacity;      /* number of slots */
    unsigned char *state; /* debug: one byte per slot, 1 = in use */
    void *owned;          /* block hp_pool_create allocated, freed by hp_pool_destroy */
    void *cache[HP_POOL_CACHE];
} hp_pool;

/* Statistics snapshot, see hp_pool_stats. */
typedef struct hp_pool_stats {
    size_t capacity;   /* slots */
    size_t in_use;     /* handed out now */
    size_t available;  /* capacity - in_use */
    size_t high_water; /* most slots ever in use at once */
    size_t failed;     /* acquires that returned NULL (bulk: one per failed call) */
} hp_pool_stats;

/* Bytes of caller memory hp_pool_init needs for `count` objects of obj_size bytes aligned to
 * `align` (a power of two; 0 means alignof(max_align_t)); 0 if the arguments are invalid or the
 * size overflows. O(1), never allocates, thread-safe. */
HP_POOLS_API size_t hp_pool_mem_size(size_t obj_size, size_t align, size_t count);

/* Make `p` a pool of `count` slots in caller memory `mem` (mem_size >= hp_pool_mem_size(...),
 * aligned to `align`); `mem` must outlive the pool. flags: 0 or HP_POOL_DEBUG.
 * Returns 0, or -EINVAL (bad size/alignment/count, mem too small or misaligned). O(1) (O(count)
 * with HP_POOL_DEBUG, which fills the slots with poison). Never allocates. Not thread-safe on p. */
#define hp_pool_init(p, mem, mem_size, obj_size, align, count, flags)                                        \
    hp_pool_init_flags((p), (mem), (mem_size), (obj_size), (align), (count), (flags) | HP__DEBUG_DEFAULT)
HP_POOLS_API int hp_pool_init_flags(hp_pool *p, void *mem, size_t mem_size, size_t obj_size, size_t align,
                                    size_t count, unsigned flags);

/* As hp_pool_init, but takes the memory with one aligned allocation (call before the hot path).
 * Returns 0, -EINVAL or -ENOMEM. Release it with hp_pool_destroy. Not thread-safe on p. */
#define hp_pool_create(p, obj_size, align, count, flags)                                                     \
    hp_pool_create_flags((p), (obj_size), (align), (count), (flags) | HP__DEBUG_DEFAULT)
HP_POOLS_API int hp_pool_create_flags(hp_pool *p, size_t obj_size, size_t align, size_t count,
                                      unsigned flags);

/* Free what hp_pool_create allocated (nothing for hp_pool_init) and clear p. Objects still in use
 * become invalid. Not for the hot path (calls free). Not thread-safe on p. */
HP_POOLS_API void hp_pool_destroy(hp_pool *p);

/* Out-of-line paths; private. */
HP_POOLS_API void *hp_pool__acquire_debug(hp_pool *p) HP_POOLS_NONBLOCKING;
HP_POOLS_API void hp_pool__release_debug(hp_pool *p, void *obj) HP_POOLS_NONBLOCKING;
HP_POOLS_API void hp_pool__spill(hp_pool *p) HP_POOLS_NONBLOCKING;
HP_POOLS_API size_t hp_pool__acquire_bulk_slow(hp_pool *p, void **out, size_t n) HP_POOLS_NONBLOCKING;
HP_POOLS_API void hp_pool__release_bulk_slow(hp_pool *p, void *const *objs, size_t n) HP_POOLS_NONBLOCKING;

/* Statistics. O(1), never allocate; read the pool without synchronisation (owner thread). */
HP_POOLS_INLINE size_t hp_pool_capacity(const hp_pool *p) HP_POOLS_NONBLOCKING { return p->capacity; }
HP_POOLS_INLINE size_t hp_pool_available(const hp_pool *p) HP_POOLS_NONBLOCKING
{
    return (HP_POOL_CACHE - p->top) + p->listed + p->fresh_left;
}
HP_POOLS_INLINE size_t hp_pool_in_use(const hp_pool *p) HP_POOLS_NONBLOCKING
{
    return p->capacity - hp_pool_available(p);
}
HP_POOLS_INLINE size_t hp_pool_failed(const hp_pool *p) HP_POOLS_NONBLOCKING { return p->failed; }
HP_POOLS_INLINE size_t hp_pool_high_water(const hp_pool *p) HP_POOLS_NONBLOCKING
{
    return p->capacity - p->fresh_left;
}
HP_POOLS_INLINE hp_pool_stats hp_pool_get_stats(const hp_pool *p) HP_POOLS_NONBLOCKING
{
    size_t avail = hp_pool_available(p);
    hp_pool_stats s = {p->capacity, p->capacity - avail, avail, p->capacity - p->fresh_left, p->failed};
    return s;
}

/* 1 if ptr is the start of one of p's slots (in use or not), else 0. O(1), never allocates. */
HP_POOLS_INLINE int hp_pool_owns(const hp_pool *p, const void *ptr) HP_POOLS_NONBLOCKING
{
    const unsigned char *c = (const unsigned char *)ptr;
    return c >= p->base && c < p->end && (size_t)(c - p->base) % p->slot_size == 0;
}

/* Take one slot, or NULL when all `capacity` are in use (counted in `failed`). The slot's contents
 * are unspecified (0xDE in debug mode). O(1), never allocates. Owner thread only. */
HP_POOLS_INLINE void *hp_pool_acquire(hp_pool *p) HP_POOLS_NONBLOCKING
{
    if (HP_POOLS_UNLIKELY(p->flags & HP_POOL_DEBUG)) return hp_pool__acquire_debug(p);
    size_t t = p->top;
    void *s;
    if (HP_POOLS_LIKELY(t < HP_POOL_CACHE)) {
        s = p->cache[t];
        p->top = t + 1;
    } else if ((s = p->free_head) != NULL) {
        p->free_head = *(void **)s;
        p->listed--;
    } else if (HP_POOLS_LIKELY(p->fresh_left != 0)) {
        s = p->fresh;
        p->fresh += p->slot_size;
        p->fresh_left--;
    } else {
        p->failed++;
        return NULL;
    }
    return s;
}

/* Give back a slot acquired from p (not NULL). O(1) (at most HP_POOL_CACHE stores when the
 * array of recent slots is full and moves to the list), never allocates. Owner thread only.
 * Releasing twice or releasing a foreign pointer is undefined, and caught in debug mode. */
HP_POOLS_INLINE void hp_pool_release(hp_pool *p, void *obj) HP_POOLS_NONBLOCKING
{
    if (HP_POOLS_UNLIKELY(p->flags & HP_POOL_DEBUG)) {
        hp_pool__release_debug(p, obj);
        return;
    }
    size_t t = p->top;
    if (HP_POOLS_UNLIKELY(t == 0)) {
        hp_pool__spill(p);
        t = HP_POOL_CACHE;
    }
    p->cache[t - 1] = obj;
    p->top = t - 1;
}

/* Bulk (all-or-nothing): store n slots in out[0..n) and return n, or return 0 and take nothing if
 * fewer than n are available (counted once in `failed`). The newest free slot goes to out[0].
 * O(n), never allocates. Owner thread. */
HP_POOLS_INLINE size_t hp_pool_acquire_bulk(hp_pool *p, void **out, size_t n) HP_POOLS_NONBLOCKING
{
    size_t t = p->top;
    /* All from the array: one copy (never in debug). The first test folds away for constant n. */
    if (HP_POOLS_LIKELY(n <= HP_POOL_CACHE && n <= HP_POOL_CACHE - t)) {
        void *const *src = p->cache + t;
        for (size_t i = 0; i < n; i++)
            out[i] = src[i];
        p->top = t + n;
        return n;
    }
    return hp_pool__acquire_bulk_slow(p, out, n);
}

/* Burst (as many as available, up to n): store them in out[] and return how many. Counts a
 * failure only when it returns 0 for n > 0. O(n), never allocates. Owner thread. */
HP_POOLS_INLINE size_t hp_pool_acquire_burst(hp_pool *p, void **out, size_t n) HP_POOLS_NONBLOCKING
{
    size_t avail = hp_pool_available(p);
    if (n > avail) {
        if (avail == 0) {
            p->failed++;
            return 0;
        }
        n = avail;
    }
    if (n == 0) return 0;
    return hp_pool_acquire_bulk(p, out, n);
}

/* Give back n slots (each acquired from p). The next acquires return objs[0], objs[1], ... in
 * that order, so a bulk acquire after a bulk release gets the same array back. O(n), never
 * allocates. Owner thread only. */
HP_POOLS_INLINE void hp_pool_release_bulk(hp_pool *p, void *const *objs, size_t n) HP_POOLS_NONBLOCKING
{
    size_t t = p->top;
    /* All fit in the array: one copy. */
    if (HP_POOLS_LIKELY(n <= HP_POOL_CACHE && n <= t && !(p->flags & HP_POOL_DEBUG))) {
        t -= n;
        void **dst = p->cache + t;
        for (size_t i = 0; i < n; i++)
            dst[i] = objs[i];
        p->top = t;
        return;
    }
    hp_pool__release_bulk_slow(p, objs, n);
}

/* HP_POOL_DEFINE(name, T): a pool of T with typed functions, no casts at call sites:
 *   int name_create(name *, size_t count)        size_t name_mem_size(size_t count)
 *   int name_init(name *, void *mem, size_t mem_size, size_t count)   void name_destroy(name *)
 *   T *name_acquire(name *)                       void name_release(name *, T *)
 *   size_t name_acquire_bulk / name_acquire_burst(name *, T **out, size_t n)
 *   void name_release_bulk(name *, T *const *objs, size_t n)
 *   hp_pool *name_base(name *)  (for the statistics functions)
 * Same contracts as the hp_pool_* functions; T's alignment (even over-aligned) is honoured. */
#define HP_POOL_DEFINE(name, T)                                                                              \
    typedef struct name {                                                                                    \
        hp_pool base;                                                                                        \
    } name;                                                                                                  \
    static inline __attribute__((unused)) size_t name##_mem_size(size_t count)                               \
    {                                                                                                        \
        return hp_pool_mem_size(sizeof(T), HP_POOLS_ALIGNOF(T), count);                                      \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_init(name *p, void *mem, size_t mem_size, size_t count) \
    {                                                                                                        \
        return hp_pool_init(&p->base, mem, mem_size, sizeof(T), HP_POOLS_ALIGNOF(T), count, 0);              \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_create(name *p, size_t count)                           \
    {                                                                                                        \
        return hp_pool_create(&p->base, sizeof(T), HP_POOLS_ALIGNOF(T), count, 0);                           \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_destroy(name *p) { hp_pool_destroy(&p->base); }        \
    static inline __attribute__((unused)) hp_pool *name##_base(name *p) HP_POOLS_NONBLOCKING                 \
    {                                                                                                        \
        return &p->base;                                                                                     \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_acquire(name *p) HP_POOLS_NONBLOCKING                    \
    {                                                                                                        \
        return (T *)hp_pool_acquire(&p->base);                                                               \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_release(name *p, T *o) HP_POOLS_NONBLOCKING            \
    {                                                                                                        \
        hp_pool_release(&p->base, (void *)o);                                                                \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_acquire_bulk(name *p, T **out, size_t n)             \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp_pool_acquire_bulk(&p->base, (void **)out, n);                                              \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_acquire_burst(name *p, T **out, size_t n)            \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp_pool_acquire_burst(&p->base, (void **)out, n);                                             \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_release_bulk(name *p, T *const *o, size_t n)           \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        hp_pool_release_bulk(&p->base, (void *const *)o, n);                                                 \
    }                                                                                                        \
    typedef int name##_hp_pool_defined_

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HOTPATH_POOL_H */
