/*
 * hotpath/vec.h - fixed vector (the seed's ArrayVec): a typed array with its capacity in the
 * type and its storage inline, so it lives wherever its owner lives (stack, struct, static) and
 * needs no initialisation memory at all.
 *
 * HP_VEC_DEFINE(name, T, N) defines `name` holding up to N elements of T and these functions
 * (all O(1) unless stated, none allocates; a vector belongs to one thread at a time):
 *   void name_clear(name *)                       empty it (also the initialiser: name v = {0})
 *   size_t name_len(const name *), name_capacity(const name *)   (N)
 *   int name_empty(const name *), name_full(const name *)
 *   int name_push(name *, T v)                    1, or 0 if full (nothing changes)
 *   T *name_push_slot(name *)                     new last element, uninitialised, or NULL if full
 *   int name_pop(name *, T *out)                  1 and the last element into out (may be NULL),
 *                                                 or 0 if empty
 *   T *name_at(name *, size_t i)                  pointer to element i, or NULL if i >= len
 *   T *name_data(name *)                          the elements, contiguous
 *   size_t name_extend(name *, const T *src, size_t n)  all n appended, or none: returns n or 0
 *   int name_swap_remove(name *, size_t i, T *out)      remove element i (out may be NULL), the
 *                                                 last element takes its place; 0 if i >= len
 *   int name_remove(name *, size_t i, T *out)     remove element i keeping order: O(len - i)
 *   int name_insert(name *, size_t i, T v)        insert at i <= len keeping order: O(len - i);
 *                                                 0 if full or i > len
 * Over-aligned T works (the array member inherits T's alignment).
 */
#ifndef HOTPATH_VEC_H
#define HOTPATH_VEC_H

#include "pools_common.h"

#define HP_VEC_DEFINE(name, T, N)                                                                            \
    typedef struct name {                                                                                    \
        size_t len;                                                                                          \
        T items[N];                                                                                          \
    } name;                                                                                                  \
    static inline __attribute__((unused)) void name##_clear(name *v) HP_POOLS_NONBLOCKING { v->len = 0; }    \
    static inline __attribute__((unused)) size_t name##_len(const name *v) HP_POOLS_NONBLOCKING              \
    {                                                                                                        \
        return v->len;                                                                                       \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_capacity(const name *v) HP_POOLS_NONBLOCKING         \
    {                                                                                                        \
        (void)v;                                                                                             \
        return (N);                                                                                          \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_empty(const name *v) HP_POOLS_NONBLOCKING               \
    {                                                                                                        \
        return v->len == 0;                                                                                  \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_full(const name *v) HP_POOLS_NONBLOCKING                \
    {                                                                                                        \
        return v->len == (N);                                                                                \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_data(name *v) HP_POOLS_NONBLOCKING { return v->items; }  \
    static inline __attribute__((unused)) int name##_push(name *v, T x) HP_POOLS_NONBLOCKING                 \
    {                                                                                                        \
        if (HP_POOLS_UNLIKELY(v->len >= (N))) return 0;                                                      \
        v->items[v->len++] = x;                                                                              \
        return 1;                                                                                            \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_push_slot(name *v) HP_POOLS_NONBLOCKING                  \
    {                                                                                                        \
        return HP_POOLS_UNLIKELY(v->len >= (N)) ? (T *)0 : &v->items[v->len++];                              \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_pop(name *v, T *out) HP_POOLS_NONBLOCKING               \
    {                                                                                                        \
        if (HP_POOLS_UNLIKELY(v->len == 0)) return 0;                                                        \
        v->len--;                                                                                            \
        if (out) *out = v->items[v->len];                                                                    \
        return 1;                                                                                            \
    }                                                                                                        \
    static inline __attribute__((unused)) T *name##_at(name *v, size_t i) HP_POOLS_NONBLOCKING               \
    {                                                                                                        \
        return i < v->len ? &v->items[i] : (T *)0;                                                           \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_extend(name *v, const T *src, size_t n)              \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        if (HP_POOLS_UNLIKELY(n > (N)-v->len)) return 0;                                                     \
        memcpy(&v->items[v->len], src, n * sizeof(T));                                                       \
        v->len += n;                                                                                         \
        return n;                                                                                            \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_swap_remove(name *v, size_t i, T *out)                  \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        /* len <= N always holds; saying so lets the compiler prove the last index in bounds. */             \
        if (HP_POOLS_UNLIKELY(i >= v->len || v->len > (N))) return 0;                                        \
        if (out) *out = v->items[i];                                                                         \
        v->len--;                                                                                            \
        v->items[i] = v->items[v->len];                                                                      \
        return 1;                                                                                            \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_remove(name *v, size_t i, T *out) HP_POOLS_NONBLOCKING  \
    {                                                                                                        \
        if (HP_POOLS_UNLIKELY(i >= v->len)) return 0;                                                        \
        if (out) *out = v->items[i];                                                                         \
        memmove(&v->items[i], &v->items[i + 1], (v->len - i - 1) * sizeof(T));                               \
        v->len--;                                                                                            \
        return 1;                                                                                            \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_insert(name *v, size_t i, T x) HP_POOLS_NONBLOCKING     \
    {                                                                                                        \
        if (HP_POOLS_UNLIKELY(v->len >= (N) || i > v->len)) return 0;                                        \
        memmove(&v->items[i + 1], &v->items[i], (v->len - i) * sizeof(T));                                   \
        v->items[i] = x;                                                                                     \
        v->len++;                                                                                            \
        return 1;                                                                                            \
    }                                                                                                        \
    typedef int name##_hp_vec_defined_

#endif /* HOTPATH_VEC_H */
