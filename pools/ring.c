/*
 * ring.c - the single-threaded ring's slow paths: sizing, init/create/destroy.
 * Everything that runs after init is inline in hotpath/ring.h.
 */
#include "hotpath/ring.h"

#include <errno.h>
#include <stdlib.h>

size_t hp_ring_mem_size(size_t elem_size, size_t capacity) { return hp__ring_bytes(elem_size, capacity); }

int hp_ring_init(hp_ring *r, void *mem, size_t mem_size, size_t elem_size, size_t capacity)
{
    size_t need = hp_ring_mem_size(elem_size, capacity);
    if (need == 0 || mem == NULL || mem_size < need) return -EINVAL;
    memset(r, 0, sizeof *r);
    r->mask = capacity - 1;
    r->elem_size = elem_size;
    r->buf = (unsigned char *)mem;
    return 0;
}

int hp_ring_create(hp_ring *r, size_t elem_size, size_t align, size_t capacity)
{
    size_t need = hp_ring_mem_size(elem_size, capacity);
    if (need == 0 || (align && !hp_is_pow2(align))) return -EINVAL;
    void *mem = NULL;
    if (posix_memalign(&mem, align > HP_CACHE_LINE ? align : HP_CACHE_LINE, need) != 0) return -ENOMEM;
    hp_ring_init(r, mem, need, elem_size, capacity);
    r->owned = mem;
    return 0;
}

void hp_ring_destroy(hp_ring *r)
{
    free(r->owned);
    memset(r, 0, sizeof *r);
}
