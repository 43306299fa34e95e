/*
 * map.c - the fixed hash map's slow paths: sizing, init/create/destroy, clear.
 * Lookups, inserts and erases are inline in hotpath/map.h.
 */
#include "hotpath/map.h"

#include <errno.h>
#include <stdlib.h>

/* Table geometry for `capacity` entries: slots (a power of two keeping load <= 75% and at least
 * one slot empty, so every probe ends), entry stride and value offset. 0 on invalid input. */
static size_t geometry(size_t key_size, size_t val_size, size_t *align, size_t capacity, size_t *stride,
                       size_t *val_off)
{
    if (*align == 0) *align = _Alignof(max_align_t);
    if (key_size == 0 || !hp_is_pow2(*align) || capacity == 0 || capacity > (SIZE_MAX >> 4)) return 0;
    size_t slots = hp_next_pow2(capacity + capacity / 3 + 1);
    *val_off = hp_align_up(key_size, *align);
    *stride = hp_align_up(*val_off + val_size, *align);
    if (slots == 0 || *val_off == 0 || *stride == 0 || slots > SIZE_MAX / (*stride + 8 + *align)) return 0;
    return slots;
}

size_t hp_map_mem_size(size_t key_size, size_t val_size, size_t align, size_t capacity)
{
    size_t stride, val_off;
    size_t slots = geometry(key_size, val_size, &align, capacity, &stride, &val_off);
    if (slots == 0) return 0;
    return hp_align_up(slots * stride, 8) + slots * sizeof(uint64_t);
}

int hp_map_init(hp_map *m, void *mem, size_t mem_size, size_t key_size, size_t val_size, size_t align,
                size_t capacity, hp_map_hash_fn hash, hp_map_eq_fn eq)
{
    size_t stride, val_off;
    size_t need = hp_map_mem_size(key_size, val_size, align, capacity);
    size_t slots = geometry(key_size, val_size, &align, capacity, &stride, &val_off);
    if (need == 0 || mem == NULL || mem_size < need || ((uintptr_t)mem & (align - 1)) != 0) return -EINVAL;
    memset(m, 0, sizeof *m);
    m->entries = (unsigned char *)mem;
    m->hashes = (uint64_t *)(void *)(m->entries + hp_align_up(slots * stride, 8));
    m->mask = slots - 1;
    m->capacity = capacity;
    m->key_size = key_size;
    m->val_size = val_size;
    m->val_off = val_off;
    m->stride = stride;
    m->hash = hash ? hash : hp_map_hash_bytes;
    m->eq = eq ? eq : hp_map_eq_bytes;
    memset(m->hashes, 0, slots * sizeof(uint64_t));
    return 0;
}

int hp_map_create(hp_map *m, size_t key_size, size_t val_size, size_t align, size_t capacity,
                  hp_map_hash_fn hash, hp_map_eq_fn eq)
{
    size_t need = hp_map_mem_size(key_size, val_size, align, capacity);
    if (need == 0) return -EINVAL;
    size_t a = align ? align : _Alignof(max_align_t);
    if (a < HP_CACHE_LINE) a = HP_CACHE_LINE;
    void *mem = NULL;
    if (posix_memalign(&mem, a, need) != 0) return -ENOMEM;
    int rc = hp_map_init(m, mem, need, key_size, val_size, align, capacity, hash, eq);
    if (rc != 0) {
        free(mem);
        return rc;
    }
    m->owned = mem;
    return 0;
}

void hp_map_destroy(hp_map *m)
{
    free(m->owned);
    memset(m, 0, sizeof *m);
}

void hp_map_clear(hp_map *m)
{
    memset(m->hashes, 0, (m->mask + 1) * sizeof(uint64_t));
    m->count = 0;
}
