/*
 * map.c - the fixed hash map's slow paths: sizing, init/create/destroy, clear.
 * Lookups, inserts and erases are inline in hotpath/map.h.
 */
#include "hotpath/map.h"

#include <errno.h>
#include <stdlib.h>

/* The hash array follows the entries; its start is rounded up from where the entries end (an
 * address, not an offset from mem, since mem need only be aligned to the entries' align). */
#define HASH_ALIGN _Alignof(uint64_t)

/* Where everything goes for `capacity` entries. */
typedef struct layout {
    size_t align;   /* of the entries, and so of mem (0 resolved to alignof(max_align_t)) */
    size_t slots;   /* a power of two keeping load <= 75% and one slot always empty (probes end) */
    size_t val_off; /* value offset inside an entry */
    size_t stride;  /* bytes per entry */
    size_t entries; /* bytes of the entry array */
    size_t total;   /* caller memory needed, the worst-case pad before the hash array included */
} layout;

/* 0, or -1 when an argument is invalid or any size does not fit in size_t. Every step is checked:
 * one wrapped sum would size the table tiny while put still copies val_size bytes per entry. */
static int map_layout(size_t key_size, size_t val_size, size_t align, size_t capacity, layout *l)
{
    if (align == 0) align = _Alignof(max_align_t);
    l->align = align;
    if (key_size == 0 || !hp_is_pow2(align) || capacity == 0 || capacity > (SIZE_MAX >> 4)) return -1;
    l->slots = hp_next_pow2(capacity + capacity / 3 + 1);
    l->val_off = hp_align_up(key_size, align);
    if (l->slots == 0 || l->val_off == 0) return -1;
    size_t entry;
    if (__builtin_add_overflow(l->val_off, val_size, &entry)) return -1;
    l->stride = hp_align_up(entry, align);
    if (l->stride == 0) return -1;
    /* mem is aligned to align, and slots * stride is a multiple of it, so the entries end at most
     * HASH_ALIGN - align bytes short of the next HASH_ALIGN boundary. */
    size_t pad = align < HASH_ALIGN ? HASH_ALIGN - align : 0, hashes;
    if (__builtin_mul_overflow(l->slots, l->stride, &l->entries) ||
        __builtin_mul_overflow(l->slots, sizeof(uint64_t), &hashes) ||
        __builtin_add_overflow(l->entries, pad, &l->total) ||
        __builtin_add_overflow(l->total, hashes, &l->total))
        return -1;
    return 0;
}

size_t hp_map_mem_size(size_t key_size, size_t val_size, size_t align, size_t capacity)
{
    layout l;
    return map_layout(key_size, val_size, align, capacity, &l) == 0 ? l.total : 0;
}

int hp_map_init(hp_map *m, void *mem, size_t mem_size, size_t key_size, size_t val_size, size_t align,
                size_t capacity, hp_map_hash_fn hash, hp_map_eq_fn eq)
{
    layout l;
    if (map_layout(key_size, val_size, align, capacity, &l) != 0) return -EINVAL;
    if (mem == NULL || mem_size < l.total || ((uintptr_t)mem & (l.align - 1)) != 0) return -EINVAL;
    memset(m, 0, sizeof *m);
    m->entries = (unsigned char *)mem;
    m->hashes = (uint64_t *)(void *)hp_align_up((uintptr_t)m->entries + l.entries, HASH_ALIGN);
    m->mask = l.slots - 1;
    m->capacity = capacity;
    m->key_size = key_size;
    m->val_size = val_size;
    m->val_off = l.val_off;
    m->stride = l.stride;
    m->hash = hash ? hash : hp_map_hash_bytes;
    m->eq = eq ? eq : hp_map_eq_bytes;
    memset(m->hashes, 0, l.slots * sizeof(uint64_t));
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
