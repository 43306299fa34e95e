/*
 * spsc.c - the SPSC ring's slow paths: sizing, init/create/destroy.
 * Everything the two threads run after init is inline in hotpath/spsc.h.
 */
#include "hotpath/spsc.h"

#include <errno.h>
#include <stdlib.h>

size_t hp_spsc_mem_size(size_t elem_size, size_t capacity) { return hp__ring_bytes(elem_size, capacity); }

int hp_spsc_init(hp_spsc *q, void *mem, size_t mem_size, size_t elem_size, size_t capacity)
{
    size_t need = hp_spsc_mem_size(elem_size, capacity);
    if (need == 0 || mem == NULL || mem_size < need) return -EINVAL;
    memset(q, 0, sizeof *q);
    q->buf = (unsigned char *)mem;
    q->mask = capacity - 1;
    q->elem_size = elem_size;
    q->p_buf = q->c_buf = q->buf; /* each side's own copies, on its own line */
    q->p_mask = q->c_mask = q->mask;
    q->p_elem_size = q->c_elem_size = elem_size;
    /* No fence here: whatever hands q to the other thread (pthread_create, a mutex, an atomic
     * flag) orders these plain stores before that thread's first access. */
    return 0;
}

int hp_spsc_create(hp_spsc *q, size_t elem_size, size_t align, size_t capacity)
{
    size_t need = hp_spsc_mem_size(elem_size, capacity);
    if (need == 0 || (align && !hp_is_pow2(align))) return -EINVAL;
    /* Round the block up to whole false-sharing ranges so the allocator puts nothing another
     * thread writes next to the first or last slots. */
    size_t a = align > HP_FALSE_SHARING_RANGE ? align : HP_FALSE_SHARING_RANGE;
    size_t total = hp_align_up(need, HP_FALSE_SHARING_RANGE);
    void *mem = NULL;
    if (total == 0 || posix_memalign(&mem, a, total) != 0) return -ENOMEM;
    hp_spsc_init(q, mem, total, elem_size, capacity);
    q->owned = mem;
    return 0;
}

void hp_spsc_destroy(hp_spsc *q)
{
    free(q->owned);
    memset(q, 0, sizeof *q);
}
