/*
 * hotpath/scratch.h - scratch arena: a bump allocator over one fixed block, for the temporary
 * memory of one event (or one request) on one thread.
 *
 * hp_scratch_alloc is a few instructions (align the cursor, compare, bump); running out returns
 * NULL and counts it (or, with HP_SCRATCH_ABORT_ON_FULL, aborts with a message). It never
 * overflows the block and never falls back to malloc. hp_scratch_reset and hp_scratch_rewind are
 * O(1) (O(bytes released) in debug mode, which poisons them).
 *
 * Lifetime - the rule the seed's version broke: memory from an arena lives until the arena is
 * reset, or rewound to a mark taken before it was handed out, whichever comes first. Nothing
 * here can stop C code from keeping the pointer, so the arena makes a stale pointer loud instead
 * of silent:
 *   - HP_SCRATCH_SCOPE(s) rewinds at the end of the enclosing block, tying the memory to a
 *     lexical scope;
 *   - debug mode (HP_SCRATCH_DEBUG or -DHP_POOLS_DEBUG) fills released memory with 0xDD;
 *   - under AddressSanitizer released and never-handed-out memory is poisoned, so any use of a
 *     stale pointer is reported as use-after-poison, debug mode or not;
 *   - hp_scratch_epoch() changes at every reset/rewind, for cheap "is this still valid" asserts.
 *
 * Per-thread arena: hp_scratch_thread_init(size, flags) at thread start, hp_scratch_thread() to
 * reach it (one initial-exec TLS access), hp_scratch_thread_fini() at thread exit. An arena that
 * was never initialised hands out nothing (NULL, counted) rather than allocating lazily.
 *
 * Thread-safety: an arena belongs to one thread (the per-thread one, by construction).
 */
#ifndef HOTPATH_SCRATCH_H
#define HOTPATH_SCRATCH_H

#include "pools_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HP_SCRATCH_DEFAULT_SIZE (64u * 1024u) /* size 0 at init means this */
#define HP_SCRATCH_DEBUG 1u                   /* init flag: poison released memory with 0xDD */
#define HP_SCRATCH_ABORT_ON_FULL 2u           /* init flag: abort with a message when exhausted */

/* An arena. Fields are private (exposed so the fast paths inline). */
typedef struct hp_scratch {
    unsigned char *base; /* the block */
    size_t pos;          /* bytes handed out, including alignment padding */
    size_t size;         /* block size */
    size_t failed;       /* allocations refused */
    size_t high_water;   /* peak pos, folded in at rewind/reset so alloc does not pay for it */
    unsigned long epoch; /* bumped at every rewind/reset */
    unsigned flags;      /* HP_SCRATCH_* */
    void *owned;         /* block hp_scratch_create allocated */
} hp_scratch;

/* A position to rewind to, from hp_scratch_mark. */
typedef struct hp_scratch_mark {
    size_t pos;
} hp_scratch_mark_t;

/* Make s an empty arena over caller memory mem[0..size) (mem outlives the arena). flags:
 * HP_SCRATCH_DEBUG | HP_SCRATCH_ABORT_ON_FULL. Returns 0 or -EINVAL (NULL mem, size 0).
 * O(1) (O(size) in debug mode). Never allocates. */
#define hp_scratch_init(s, mem, size, flags)                                                                 \
    hp_scratch_init_flags((s), (mem), (size), (flags) | HP__DEBUG_DEFAULT)
HP_POOLS_API int hp_scratch_init_flags(hp_scratch *s, void *mem, size_t size, unsigned flags);

/* As hp_scratch_init with one allocation of `size` bytes (0: HP_SCRATCH_DEFAULT_SIZE), aligned to
 * HP_CACHE_LINE. Returns 0 or -ENOMEM. Call before the hot path; pair with hp_scratch_destroy. */
#define hp_scratch_create(s, size, flags) hp_scratch_create_flags((s), (size), (flags) | HP__DEBUG_DEFAULT)
HP_POOLS_API int hp_scratch_create_flags(hp_scratch *s, size_t size, unsigned flags);

/* Free what hp_scratch_create allocated and clear s. Not for the hot path. */
HP_POOLS_API void hp_scratch_destroy(hp_scratch *s);

/* The calling thread's arena: set up with hp_scratch_thread_init (0, -EINVAL if already set up,
 * -ENOMEM), torn down with hp_scratch_thread_fini. Init/fini allocate/free: call them outside hot
 * sections. hp_scratch_thread() is one TLS access; it never allocates. */
#define hp_scratch_thread_init(size, flags) hp_scratch_thread_init_flags((size), (flags) | HP__DEBUG_DEFAULT)
HP_POOLS_API int hp_scratch_thread_init_flags(size_t size, unsigned flags);
HP_POOLS_API void hp_scratch_thread_fini(void);
extern HP_POOLS_API __thread hp_scratch hp__scratch_tls __attribute__((tls_model("initial-exec")));
HP_POOLS_INLINE hp_scratch *hp_scratch_thread(void) HP_POOLS_NONBLOCKING
{
    return HP_POOLS_UNCHECKED(&hp__scratch_tls);
}

/* Private, cold: account a refused allocation (and abort if asked to). Returns NULL. */
HP_POOLS_API void *hp_scratch__exhausted(hp_scratch *s, size_t size, size_t align) HP_POOLS_NONBLOCKING;
/* Private: the rewind's debug/ASan poisoning and high-water bookkeeping. */
HP_POOLS_API void hp_scratch__release(hp_scratch *s, size_t to) HP_POOLS_NONBLOCKING;

/* `size` bytes aligned to `align` (a power of two; 0 means 1), or NULL when they do not fit or
 * `align` is not a power of two (the arena is unchanged and `failed` counts it; with
 * HP_SCRATCH_ABORT_ON_FULL either aborts with a message). Contents unspecified. O(1), never
 * allocates. The alignment test folds away for a constant `align`. */
HP_POOLS_INLINE void *hp_scratch_alloc(hp_scratch *s, size_t size, size_t align) HP_POOLS_NONBLOCKING
{
    if (HP_POOLS_UNLIKELY(align & (align - 1))) return hp_scratch__exhausted(s, size, align);
    uintptr_t cur = (uintptr_t)s->base + s->pos;
    uintptr_t p = (cur + (align ? align - 1 : 0)) & ~(uintptr_t)(align ? align - 1 : 0);
    size_t off = (size_t)(p - (uintptr_t)s->base);
    /* Two comparisons instead of off + size > s->size so a huge size cannot wrap around. */
    if (HP_POOLS_UNLIKELY(off > s->size || size > s->size - off))
        return hp_scratch__exhausted(s, size, align);
    s->pos = off + size;
    HP__ASAN_UNPOISON(s->base + off, size);
    return s->base + off;
}

/* n elements of elem_size bytes aligned to align; NULL (counted) if n * elem_size overflows or
 * does not fit. O(1), never allocates. */
HP_POOLS_INLINE void *hp_scratch_alloc_array(hp_scratch *s, size_t n, size_t elem_size,
                                             size_t align) HP_POOLS_NONBLOCKING
{
    size_t bytes;
    if (HP_POOLS_UNLIKELY(__builtin_mul_overflow(n, elem_size, &bytes)))
        return hp_scratch__exhausted(s, SIZE_MAX, align);
    return hp_scratch_alloc(s, bytes, align);
}

/* Typed: HP_SCRATCH_NEW(s, T, n) is a T * to n uninitialised T, or NULL. */
#define HP_SCRATCH_NEW(s, T, n) ((T *)hp_scratch_alloc_array((s), (n), sizeof(T), HP_POOLS_ALIGNOF(T)))

/* Current position, to rewind to later. O(1). */
HP_POOLS_INLINE hp_scratch_mark_t hp_scratch_mark(const hp_scratch *s) HP_POOLS_NONBLOCKING
{
    hp_scratch_mark_t m = {s->pos};
    return m;
}
/* Release everything handed out since mark m (which must come from this arena and not lie beyond
 * the current position; a later mark than the position is ignored). Pointers handed out after m
 * become invalid. O(1); O(bytes released) in debug mode or under ASan. Never allocates. */
HP_POOLS_INLINE void hp_scratch_rewind(hp_scratch *s, hp_scratch_mark_t m) HP_POOLS_NONBLOCKING
{
    if (HP_POOLS_UNLIKELY(m.pos > s->pos)) return;
#ifdef HP__ASAN
    hp_scratch__release(s, m.pos);
#else
    if (HP_POOLS_UNLIKELY(s->flags & HP_SCRATCH_DEBUG))
        hp_scratch__release(s, m.pos);
    else {
        if (s->pos > s->high_water) s->high_water = s->pos;
        s->pos = m.pos;
        s->epoch++;
    }
#endif
}
/* Release everything: every pointer from this arena becomes invalid. O(1) (O(bytes used) in
 * debug mode or under ASan). Never allocates. */
HP_POOLS_INLINE void hp_scratch_reset(hp_scratch *s) HP_POOLS_NONBLOCKING
{
    hp_scratch_mark_t zero = {0};
    hp_scratch_rewind(s, zero);
}

/* Queries. O(1). */
HP_POOLS_INLINE size_t hp_scratch_used(const hp_scratch *s) HP_POOLS_NONBLOCKING { return s->pos; }
HP_POOLS_INLINE size_t hp_scratch_size(const hp_scratch *s) HP_POOLS_NONBLOCKING { return s->size; }
HP_POOLS_INLINE size_t hp_scratch_remaining(const hp_scratch *s) HP_POOLS_NONBLOCKING
{
    return s->size - s->pos;
}
HP_POOLS_INLINE size_t hp_scratch_failed(const hp_scratch *s) HP_POOLS_NONBLOCKING { return s->failed; }
HP_POOLS_INLINE size_t hp_scratch_high_water(const hp_scratch *s) HP_POOLS_NONBLOCKING
{
    return s->pos > s->high_water ? s->pos : s->high_water;
}
HP_POOLS_INLINE unsigned long hp_scratch_epoch(const hp_scratch *s) HP_POOLS_NONBLOCKING { return s->epoch; }

/* HP_SCRATCH_SCOPE(s): everything allocated from arena s in the rest of the enclosing block is
 * released when the block ends, however it ends (not on longjmp). C (GCC/Clang cleanup). */
typedef struct hp__scratch_scope {
    hp_scratch *s;
    hp_scratch_mark_t m;
} hp__scratch_scope;
HP_POOLS_INLINE hp__scratch_scope hp__scratch_scope_enter(hp_scratch *s) HP_POOLS_NONBLOCKING
{
    hp__scratch_scope g = {s, hp_scratch_mark(s)};
    return g;
}
HP_POOLS_INLINE void hp__scratch_scope_leave(hp__scratch_scope *g) HP_POOLS_NONBLOCKING
{
    hp_scratch_rewind(g->s, g->m);
}
#define HP__SCRATCH_CAT2(a, b) a##b
#define HP__SCRATCH_CAT(a, b) HP__SCRATCH_CAT2(a, b)
#define HP_SCRATCH_SCOPE(s)                                                                                  \
    __attribute__((cleanup(hp__scratch_scope_leave), unused)) hp__scratch_scope HP__SCRATCH_CAT(             \
        hp__scratch_scope_, __LINE__) = hp__scratch_scope_enter(s)

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HOTPATH_SCRATCH_H */
