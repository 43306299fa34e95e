/*
 * hotpath/pools_common.h - what every pools header shares: portability macros (C11 and C++),
 * the cache-line constants, the debug switch and the out-of-line failure reporter.
 *
 * Nothing here allocates. Include a structure's own header instead of this one.
 */
#ifndef HOTPATH_POOLS_COMMON_H
#define HOTPATH_POOLS_COMMON_H

#include <errno.h> /* the typed init wrappers return -EINVAL */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HP_POOLS_VERSION_MAJOR 0
#define HP_POOLS_VERSION_MINOR 1

#define HP_POOLS_LIKELY(x) __builtin_expect(!!(x), 1)
#define HP_POOLS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HP_POOLS_INLINE static inline __attribute__((always_inline))
#define HP_POOLS_COLD __attribute__((cold, noinline))
#define HP_POOLS_ALIGNED(n) __attribute__((aligned(n)))
#define HP_POOLS_API __attribute__((visibility("default")))

#ifdef __cplusplus
#define HP_POOLS_ALIGNOF(T) alignof(T)
#define HP_POOLS_STATIC_ASSERT(c, msg) static_assert(c, msg)
#else
#define HP_POOLS_ALIGNOF(T) _Alignof(T)
#define HP_POOLS_STATIC_ASSERT(c, msg) _Static_assert(c, msg)
#endif

/* HP_POOLS_NONBLOCKING: clang's `nonblocking` on every operation meant for the hot path (all but
 * init, create, destroy and the size queries), so a function marked HOTPATH_NONBLOCKING (hotpath.h)
 * that calls them stays provable; the same feature test as hotpath.h, so the pools need no hotpath.h.
 * Nothing elsewhere (gcc, older clang, HOTPATH_DISABLE, HOTPATH_NO_EFFECTS). HP_POOLS_UNCHECKED
 * exempts what the analysis refuses but is safe: initial-exec TLS (the thread's scratch arena). */
#if !defined(HOTPATH_DISABLE) && !defined(HOTPATH_NO_EFFECTS) && defined(__has_attribute)
/* Not before clang 20: clang 19 has the attribute but warns (-Wfunction-effects) on every pools
 * definition written without it, and a user's plain build must stay warning-free. */
#if __has_attribute(nonblocking) && (!defined(__clang_major__) || __clang_major__ >= 20)
#define HP_POOLS_NONBLOCKING __attribute__((nonblocking))
#define HP_POOLS_UNCHECKED(...)                                                                              \
    _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wfunction-effects\"")              \
        __VA_ARGS__ _Pragma("clang diagnostic pop")
#endif
#endif
#ifndef HP_POOLS_NONBLOCKING
#define HP_POOLS_NONBLOCKING
#define HP_POOLS_UNCHECKED(...) __VA_ARGS__
#endif
/* In C++ a noreturn callee is trusted by the analysis only when also noexcept. */
#ifdef __cplusplus
#define HP_POOLS_NOEXCEPT noexcept
#else
#define HP_POOLS_NOEXCEPT
#endif

/* A cache line on x86-64 and most AArch64 parts. Fields written by different threads are kept
 * HP_FALSE_SHARING_RANGE apart: 128, because the adjacent-line prefetcher pulls lines in pairs. */
#define HP_CACHE_LINE 64
#define HP_FALSE_SHARING_RANGE 128

/* Debug checks (poisoning, double release, foreign pointers) are a per-structure flag chosen at
 * init. Compiling the init call with -DHP_POOLS_DEBUG turns them on for every structure that TU
 * initialises; the flag then travels with the structure, so translation units built either way
 * agree about it. */
#ifdef HP_POOLS_DEBUG
#define HP__DEBUG_DEFAULT 1u
#else
#define HP__DEBUG_DEFAULT 0u
#endif

/* Byte patterns written by the debug checks: a released pool slot, a reset scratch arena. */
#define HP_POISON_POOL 0xDEu
#define HP_POISON_SCRATCH 0xDDu

/* ASan integration: memory a structure has taken back (a rewound scratch arena) is poisoned so
 * any use of it is reported, whether or not the debug flag is set. */
#if defined(__SANITIZE_ADDRESS__)
#define HP__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HP__ASAN 1
#endif
#endif
#ifdef HP__ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define HP__ASAN_POISON(p, n) __asan_poison_memory_region((p), (n))
#define HP__ASAN_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define HP__ASAN_POISON(p, n) ((void)(p), (void)(n))
#define HP__ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Print "hotpath pools: <message>" on stderr in one write and abort(). Used by the debug checks
 * and by the opt-in abort-on-exhaustion modes. Never allocates (formats into a stack buffer).
 * Cold, does not return. Thread-safe. */
HP_POOLS_API HP_POOLS_COLD __attribute__((noreturn, format(printf, 1, 2))) void
hp_pools_fail(const char *fmt, ...) HP_POOLS_NOEXCEPT;

/* 1 if x is a power of two (0 is not). O(1). */
HP_POOLS_INLINE int hp_is_pow2(size_t x) HP_POOLS_NONBLOCKING { return x && !(x & (x - 1)); }

/* Bytes of a ring's slot array: capacity (a power of two) slots of elem_size (> 0); 0 when the
 * arguments are invalid or the product does not fit. O(1). */
HP_POOLS_INLINE size_t hp__ring_bytes(size_t elem_size, size_t capacity) HP_POOLS_NONBLOCKING
{
    if (elem_size == 0 || !hp_is_pow2(capacity) || capacity > SIZE_MAX / elem_size) return 0;
    return elem_size * capacity;
}

/* Smallest power of two >= x (1 for 0); 0 if it does not fit in size_t. O(1). */
HP_POOLS_INLINE size_t hp_next_pow2(size_t x) HP_POOLS_NONBLOCKING
{
    if (x <= 1) return 1;
    if (x > ((size_t)1 << (sizeof(size_t) * 8 - 1))) return 0;
    return (size_t)1 << (sizeof(size_t) * 8 - (size_t)__builtin_clzl(x - 1));
}

/* x rounded up to a multiple of the power of two a; 0 on overflow. O(1). */
HP_POOLS_INLINE size_t hp_align_up(size_t x, size_t a) HP_POOLS_NONBLOCKING
{
    size_t r = (x + (a - 1)) & ~(a - 1);
    return r < x ? 0 : r;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HOTPATH_POOLS_COMMON_H */
