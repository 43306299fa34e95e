/*
 * hotpath/map.h - fixed hash map for per-key state in the hot path.
 *
 * Open addressing with linear probing over a power-of-two table sized at init for `capacity`
 * entries at no more than 75% load; it never grows and never rehashes. insert/find/erase are O(1)
 * expected and never allocate; insert into a map holding `capacity` entries fails cleanly (NULL /
 * -1, counted in `failed`). Erase shifts the following entries back instead of leaving
 * tombstones, so a long-lived map with churn does not slow down and never needs a rebuild.
 *
 * Keys are fixed-size byte strings, compared with memcmp and hashed by hp_map_hash_bytes, unless
 * the caller supplies hash/equality functions (for keys with padding, pointers to strings, ...).
 * Each slot keeps its key's full 64-bit hash, so probes compare hashes before keys and erase never
 * re-hashes.
 *
 * Thread-safety: a map belongs to one thread at a time. Pointers to values stay valid until that
 * entry or any other is erased (erase moves entries), or the map is cleared.
 * Typed access: HP_MAP_DEFINE(name, K, V, hash, eq) / HP_MAP_DEFINE_BYTES(name, K, V).
 */
#ifndef HOTPATH_MAP_H
#define HOTPATH_MAP_H

#include "pools_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hash of a key_size-byte key; any 64-bit value (the map sets the top bit itself). */
typedef uint64_t (*hp_map_hash_fn)(const void *key, size_t key_size) HP_POOLS_NONBLOCKING;
/* Nonzero if the two keys are equal. */
typedef int (*hp_map_eq_fn)(const void *a, const void *b, size_t key_size) HP_POOLS_NONBLOCKING;

/* A map. Fields are private (exposed so the fast paths inline). */
typedef struct hp_map {
    uint64_t *hashes;       /* per slot: 0 = empty, else the key's hash with the top bit set */
    unsigned char *entries; /* per slot: key, then value at val_off; `stride` bytes */
    size_t mask;            /* slots - 1 */
    size_t count;           /* entries stored */
    size_t capacity;        /* most entries allowed */
    size_t key_size, val_size, val_off, stride;
    hp_map_hash_fn hash;
    hp_map_eq_fn eq;
    size_t failed; /* inserts refused because the map was full */
    void *owned;   /* block hp_map_create allocated */
} hp_map;

#define HP__MAP_USED (UINT64_C(1) << 63)

/* The default hash: a 64-bit mix of the key's bytes (murmur3's finaliser over 8-byte words).
 * O(key_size), never allocates, thread-safe. */
HP_POOLS_INLINE uint64_t hp_map_mix64(uint64_t x) HP_POOLS_NONBLOCKING
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}
HP_POOLS_INLINE uint64_t hp_map_hash_bytes(const void *key, size_t key_size) HP_POOLS_NONBLOCKING
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ key_size, w;
    while (key_size >= 8) {
        memcpy(&w, p, 8);
        h = hp_map_mix64(h ^ w);
        p += 8;
        key_size -= 8;
    }
    if (key_size) {
        w = 0;
        memcpy(&w, p, key_size);
        h = hp_map_mix64(h ^ w);
    }
    return h;
}
/* The default equality: memcmp. */
HP_POOLS_INLINE int hp_map_eq_bytes(const void *a, const void *b, size_t key_size) HP_POOLS_NONBLOCKING
{
    return memcmp(a, b, key_size) == 0;
}

/* Bytes of caller memory for a map of up to `capacity` entries with the given key/value sizes and
 * entry alignment (power of two, 0 = alignof(max_align_t)); 0 if invalid, or if the size does not
 * fit in size_t (every step of the computation is checked). For align < 8 it counts up to
 * 8 - align bytes of padding in front of the 64-bit hash array that follows the entries, enough
 * for any mem aligned to align. O(1), thread-safe. */
HP_POOLS_API size_t hp_map_mem_size(size_t key_size, size_t val_size, size_t align, size_t capacity);

/* Make m an empty map in caller memory: >= hp_map_mem_size bytes, aligned to align (0 =
 * alignof(max_align_t)), outliving the map. mem needs no more alignment than align even when that
 * is below 8: the map places its 64-bit hash array on an 8-byte boundary itself. hash/eq: NULL
 * for the byte-wise defaults. Returns 0, or -EINVAL (invalid sizes, mem NULL, too small or not
 * aligned to align). O(table slots) (clears the hash array), never allocates. */
HP_POOLS_API int hp_map_init(hp_map *m, void *mem, size_t mem_size, size_t key_size, size_t val_size,
                             size_t align, size_t capacity, hp_map_hash_fn hash, hp_map_eq_fn eq);
/* As hp_map_init with one allocation. Returns 0, -EINVAL or -ENOMEM. Pair with hp_map_destroy. */
HP_POOLS_API int hp_map_create(hp_map *m, size_t key_size, size_t val_size, size_t align, size_t capacity,
                               hp_map_hash_fn hash, hp_map_eq_fn eq);
/* Free what hp_map_create allocated and clear m. Not for the hot path. */
HP_POOLS_API void hp_map_destroy(hp_map *m);
/* Remove every entry. O(table slots), never allocates. */
HP_POOLS_API void hp_map_clear(hp_map *m) HP_POOLS_NONBLOCKING;

/* Private core, parameterised by key size and functions so typed wrappers inline them. */
HP_POOLS_INLINE unsigned char *hp__map_entry(const hp_map *m, size_t i) HP_POOLS_NONBLOCKING
{
    return m->entries + i * m->stride;
}

/* Slot holding key, or the empty slot where it would go (*found says which). */
HP_POOLS_INLINE size_t hp__map_probe(const hp_map *m, const void *key, uint64_t hv, size_t ksz,
                                     hp_map_eq_fn eq, int *found) HP_POOLS_NONBLOCKING
{
    size_t i = (size_t)hv & m->mask;
    for (;;) {
        uint64_t s = m->hashes[i];
        if (s == 0) {
            *found = 0;
            return i;
        }
        if (s == hv && eq(hp__map_entry(m, i), key, ksz)) {
            *found = 1;
            return i;
        }
        i = (i + 1) & m->mask;
    }
}
HP_POOLS_INLINE void *hp__map_find(const hp_map *m, const void *key, size_t ksz, hp_map_hash_fn hash,
                                   hp_map_eq_fn eq) HP_POOLS_NONBLOCKING
{
    int found;
    size_t i = hp__map_probe(m, key, hash(key, ksz) | HP__MAP_USED, ksz, eq, &found);
    return found ? hp__map_entry(m, i) + m->val_off : NULL;
}
HP_POOLS_INLINE void *hp__map_emplace(hp_map *m, const void *key, int *existed, size_t ksz,
                                      hp_map_hash_fn hash, hp_map_eq_fn eq) HP_POOLS_NONBLOCKING
{
    int found;
    uint64_t hv = hash(key, ksz) | HP__MAP_USED;
    size_t i = hp__map_probe(m, key, hv, ksz, eq, &found);
    if (existed) *existed = found;
    if (found) return hp__map_entry(m, i) + m->val_off;
    if (HP_POOLS_UNLIKELY(m->count >= m->capacity)) {
        m->failed++;
        return NULL;
    }
    m->hashes[i] = hv;
    memcpy(hp__map_entry(m, i), key, ksz);
    m->count++;
    return hp__map_entry(m, i) + m->val_off;
}
HP_POOLS_INLINE int hp__map_erase(hp_map *m, const void *key, size_t ksz, hp_map_hash_fn hash,
                                  hp_map_eq_fn eq) HP_POOLS_NONBLOCKING
{
    int found;
    size_t i = hp__map_probe(m, key, hash(key, ksz) | HP__MAP_USED, ksz, eq, &found);
    if (!found) return 0;
    /* Backward-shift deletion: pull each following entry of the cluster into the hole unless
     * its home slot lies cyclically in (hole, j], where moving it would put it before its home. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & m->mask;
        uint64_t s = m->hashes[j];
        if (s == 0) break;
        size_t home = (size_t)s & m->mask;
        if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
            m->hashes[i] = s;
            memcpy(hp__map_entry(m, i), hp__map_entry(m, j), m->stride);
            i = j;
        }
    }
    m->hashes[i] = 0;
    m->count--;
    return 1;
}

/* Pointer to key's value, or NULL if absent. O(1) expected, never allocates. */
HP_POOLS_INLINE void *hp_map_find(const hp_map *m, const void *key) HP_POOLS_NONBLOCKING
{
    return hp__map_find(m, key, m->key_size, m->hash, m->eq);
}
/* Pointer to key's value slot, inserting the key if absent (value then uninitialised);
 * *existed (if not NULL) says whether it was there. NULL if absent and the map is full (counted).
 * O(1) expected, never allocates. */
HP_POOLS_INLINE void *hp_map_emplace(hp_map *m, const void *key, int *existed) HP_POOLS_NONBLOCKING
{
    return hp__map_emplace(m, key, existed, m->key_size, m->hash, m->eq);
}
/* Insert or update key -> *val. Returns 1 if inserted, 0 if updated, -1 if full (nothing
 * changes). O(1) expected, never allocates. */
HP_POOLS_INLINE int hp_map_put(hp_map *m, const void *key, const void *val) HP_POOLS_NONBLOCKING
{
    int existed;
    void *v = hp_map_emplace(m, key, &existed);
    if (v == NULL) return -1;
    memcpy(v, val, m->val_size);
    return !existed;
}
/* Remove key. Returns 1 if it was there, else 0. O(1) expected, never allocates. Invalidates
 * pointers to other values (entries move). */
HP_POOLS_INLINE int hp_map_erase(hp_map *m, const void *key) HP_POOLS_NONBLOCKING
{
    return hp__map_erase(m, key, m->key_size, m->hash, m->eq);
}

/* Queries. O(1). */
HP_POOLS_INLINE size_t hp_map_count(const hp_map *m) HP_POOLS_NONBLOCKING { return m->count; }
HP_POOLS_INLINE size_t hp_map_capacity(const hp_map *m) HP_POOLS_NONBLOCKING { return m->capacity; }
HP_POOLS_INLINE size_t hp_map_failed(const hp_map *m) HP_POOLS_NONBLOCKING { return m->failed; }

/* Iterate: size_t it = 0; while (hp_map_next(m, &it, &k, &v)) ... Returns 1 with *key and *val set
 * (either may be NULL), or 0 at the end. Do not insert or erase while iterating. O(slots) for a
 * full pass, never allocates. */
HP_POOLS_INLINE int hp_map_next(const hp_map *m, size_t *it, void **key, void **val) HP_POOLS_NONBLOCKING
{
    for (size_t i = *it; i <= m->mask; i++) {
        if (m->hashes[i]) {
            *it = i + 1;
            if (key) *key = hp__map_entry(m, i);
            if (val) *val = hp__map_entry(m, i) + m->val_off;
            return 1;
        }
    }
    *it = m->mask + 1;
    return 0;
}

/* HP_MAP_DEFINE(name, K, V, hash, eq): a map from K to V with typed functions; hash is
 * uint64_t hash(const K *), eq is int eq(const K *, const K *) (inlined into the probes).
 * HP_MAP_DEFINE_BYTES(name, K, V) uses the byte-wise defaults (K must have no padding).
 *   size_t name_mem_size(size_t cap)  int name_init(name *, void *mem, size_t mem_size, size_t cap)
 *   int name_create(name *, size_t cap)  void name_destroy(name *)  hp_map *name_base(name *)
 *   V *name_find(name *, K key)          V *name_emplace(name *, K key, int *existed)
 *   int name_put(name *, K key, V val)   (1 inserted, 0 updated, -1 full)
 *   int name_erase(name *, K key)        size_t name_count(const name *)   void name_clear(name *)
 *   int name_next(name *, size_t *it, K **key, V **val) */
#define HP_MAP_DEFINE(name, K, V, hashfn, eqfn)                                                              \
    typedef struct name {                                                                                    \
        hp_map m;                                                                                            \
    } name;                                                                                                  \
    static inline __attribute__((unused, always_inline)) uint64_t name##_hash_(const void *k, size_t n)      \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        (void)n;                                                                                             \
        return hashfn((const K *)k);                                                                         \
    }                                                                                                        \
    static inline __attribute__((unused, always_inline)) int name##_eq_(const void *a, const void *b,        \
                                                                        size_t n) HP_POOLS_NONBLOCKING       \
    {                                                                                                        \
        (void)n;                                                                                             \
        return eqfn((const K *)a, (const K *)b);                                                             \
    }                                                                                                        \
    HP__MAP_DEFINE_COMMON(name, K, V)

#define HP_MAP_DEFINE_BYTES(name, K, V)                                                                      \
    typedef struct name {                                                                                    \
        hp_map m;                                                                                            \
    } name;                                                                                                  \
    static inline __attribute__((unused, always_inline)) uint64_t name##_hash_(const void *k, size_t n)      \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp_map_hash_bytes(k, n);                                                                      \
    }                                                                                                        \
    static inline __attribute__((unused, always_inline)) int name##_eq_(const void *a, const void *b,        \
                                                                        size_t n) HP_POOLS_NONBLOCKING       \
    {                                                                                                        \
        return hp_map_eq_bytes(a, b, n);                                                                     \
    }                                                                                                        \
    HP__MAP_DEFINE_COMMON(name, K, V)

#define HP__MAP_ALIGN(K, V)                                                                                  \
    (HP_POOLS_ALIGNOF(K) > HP_POOLS_ALIGNOF(V) ? HP_POOLS_ALIGNOF(K) : HP_POOLS_ALIGNOF(V))
#define HP__MAP_DEFINE_COMMON(name, K, V)                                                                    \
    static inline __attribute__((unused)) size_t name##_mem_size(size_t cap)                                 \
    {                                                                                                        \
        return hp_map_mem_size(sizeof(K), sizeof(V), HP__MAP_ALIGN(K, V), cap);                              \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_init(name *t, void *mem, size_t mem_size, size_t cap)   \
    {                                                                                                        \
        return hp_map_init(&t->m, mem, mem_size, sizeof(K), sizeof(V), HP__MAP_ALIGN(K, V), cap,             \
                           name##_hash_, name##_eq_);                                                        \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_create(name *t, size_t cap)                             \
    {                                                                                                        \
        return hp_map_create(&t->m, sizeof(K), sizeof(V), HP__MAP_ALIGN(K, V), cap, name##_hash_,            \
                             name##_eq_);                                                                    \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_destroy(name *t) { hp_map_destroy(&t->m); }            \
    static inline __attribute__((unused)) hp_map *name##_base(name *t) HP_POOLS_NONBLOCKING                  \
    {                                                                                                        \
        return &t->m;                                                                                        \
    }                                                                                                        \
    static inline __attribute__((unused)) V *name##_find(name *t, K key) HP_POOLS_NONBLOCKING                \
    {                                                                                                        \
        return (V *)hp__map_find(&t->m, &key, sizeof(K), name##_hash_, name##_eq_);                          \
    }                                                                                                        \
    static inline __attribute__((unused)) V *name##_emplace(name *t, K key, int *existed)                    \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return (V *)hp__map_emplace(&t->m, &key, existed, sizeof(K), name##_hash_, name##_eq_);              \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_put(name *t, K key, V val) HP_POOLS_NONBLOCKING         \
    {                                                                                                        \
        int existed;                                                                                         \
        V *v = name##_emplace(t, key, &existed);                                                             \
        if (v == NULL) return -1;                                                                            \
        *v = val;                                                                                            \
        return !existed;                                                                                     \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_erase(name *t, K key) HP_POOLS_NONBLOCKING              \
    {                                                                                                        \
        return hp__map_erase(&t->m, &key, sizeof(K), name##_hash_, name##_eq_);                              \
    }                                                                                                        \
    static inline __attribute__((unused)) size_t name##_count(const name *t) HP_POOLS_NONBLOCKING            \
    {                                                                                                        \
        return t->m.count;                                                                                   \
    }                                                                                                        \
    static inline __attribute__((unused)) void name##_clear(name *t) HP_POOLS_NONBLOCKING                    \
    {                                                                                                        \
        hp_map_clear(&t->m);                                                                                 \
    }                                                                                                        \
    static inline __attribute__((unused)) int name##_next(name *t, size_t *it, K **k, V **v)                 \
        HP_POOLS_NONBLOCKING                                                                                 \
    {                                                                                                        \
        return hp_map_next(&t->m, it, (void **)k, (void **)v);                                               \
    }                                                                                                        \
    typedef int name##_hp_map_defined_

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HOTPATH_MAP_H */
