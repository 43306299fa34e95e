/*
 * pool.c - the object pool's slow paths: sizing, init/create/destroy and the debug-mode checks.
 *
 * The debug paths run inside hot sections, so they must not allocate either: they check, poison
 * and report through hp_pools_fail (stack buffer, one write, abort).
 */
#include "hotpath/pool.h"

#include <errno.h>
#include <stdlib.h>

/* Slot stride and alignment for obj_size/align; 0 if invalid. Slots hold the free-list link
 * while released, so they are at least a pointer in size and alignment. */
static size_t slot_stride(size_t obj_size, size_t *align)
{
    if (*align == 0) *align = _Alignof(max_align_t);
    if (!hp_is_pow2(*align) || obj_size == 0) return 0;
    if (*align < _Alignof(void *)) *align = _Alignof(void *);
    return hp_align_up(obj_size < sizeof(void *) ? sizeof(void *) : obj_size, *align);
}

size_t hp_pool_mem_size(size_t obj_size, size_t align, size_t count)
{
    size_t stride = slot_stride(obj_size, &align);
    if (stride == 0 || count == 0 || count > (SIZE_MAX - count) / stride) return 0;
    return stride * count + count; /* slots, then one debug state byte per slot */
}

int hp_pool_init_flags(hp_pool *p, void *mem, size_t mem_size, size_t obj_size, size_t align, size_t count,
                       unsigned flags)
{
    size_t need = hp_pool_mem_size(obj_size, align, count);
    size_t stride = slot_stride(obj_size, &align);
    if (need == 0 || mem == NULL || mem_size < need || ((uintptr_t)mem & (align - 1)) != 0) return -EINVAL;
    memset(p, 0, sizeof *p);
    p->base = (unsigned char *)mem;
    p->fresh = p->base;
    p->top = HP_POOL_CACHE; /* the array of recent slots starts empty */
    p->slot_size = stride;
    p->capacity = count;
    p->fresh_left = count;
    p->end = p->base + stride * count;
    p->state = p->end;
    p->flags = flags & HP_POOL_DEBUG;
    if (p->flags & HP_POOL_DEBUG) {
        /* Poison everything up front so the acquire-side check can treat never-used and released
         * slots alike. */
        memset(p->base, HP_POISON_POOL, stride * count);
        memset(p->state, 0, count);
    }
    return 0;
}

int hp_pool_create_flags(hp_pool *p, size_t obj_size, size_t align, size_t count, unsigned flags)
{
    size_t need = hp_pool_mem_size(obj_size, align, count);
    if (need == 0) return -EINVAL;
    size_t a = align ? align : _Alignof(max_align_t);
    if (a < sizeof(void *)) a = sizeof(void *);
    void *mem = NULL;
    if (posix_memalign(&mem, a, need) != 0) return -ENOMEM;
    int rc = hp_pool_init_flags(p, mem, need, obj_size, align, count, flags);
    if (rc != 0) {
        free(mem);
        return rc;
    }
    p->owned = mem;
    return 0;
}

void hp_pool_destroy(hp_pool *p)
{
    free(p->owned);
    memset(p, 0, sizeof *p);
}

/* Index of obj's slot, or abort with the reason it is not one of p's slots. */
static size_t slot_index(hp_pool *p, void *obj, const char *op)
{
    unsigned char *c = (unsigned char *)obj;
    if (obj == NULL) hp_pools_fail("%s of NULL to pool %p", op, (void *)p);
    if (c < p->base || c >= p->end)
        hp_pools_fail("%s of foreign pointer %p: not in pool %p (slots %p..%p)", op, obj, (void *)p,
                      (void *)p->base, (void *)p->end);
    size_t off = (size_t)(c - p->base);
    if (off % p->slot_size != 0)
        hp_pools_fail("%s of pointer %p into the middle of slot %zu of pool %p (slot size %zu)", op, obj,
                      off / p->slot_size, (void *)p, p->slot_size);
    return off / p->slot_size;
}

/* 1 if every byte of the released slot past its link word still holds the poison. */
static int poison_intact(const hp_pool *p, const unsigned char *slot)
{
    for (size_t i = sizeof(void *); i < p->slot_size; i++)
        if (slot[i] != HP_POISON_POOL) return 0;
    return 1;
}

/* In debug mode a released slot's link word is stored scrambled with a per-pool key, so that a
 * write after release to the first word (the only word the poison check cannot see, and all of
 * a pointer-sized object) turns the link into something the next acquire can recognise as no
 * link, instead of a pointer it would follow. */
static uintptr_t link_key(const hp_pool *p) { return (uintptr_t)p->state ^ (uintptr_t)0xA5C3E1F00F1E3C5Bull; }

void *hp_pool__acquire_debug(hp_pool *p)
{
    unsigned char *s = (unsigned char *)p->free_head;
    if (s != NULL) {
        size_t si = (size_t)(s - p->base) / p->slot_size;
        uintptr_t raw;
        memcpy(&raw, s, sizeof raw);
        unsigned char *next = (unsigned char *)(raw ^ link_key(p));
        if (next != NULL &&
            (next < p->base || next >= p->end || (size_t)(next - p->base) % p->slot_size != 0 ||
             p->state[(size_t)(next - p->base) / p->slot_size] != 0))
            hp_pools_fail("slot %zu (%p) of pool %p was written after it was released (use after release: "
                          "its free-list link was overwritten)",
                          si, (void *)s, (void *)p);
        p->free_head = next;
        p->listed--;
    } else if (p->fresh_left != 0) {
        s = p->fresh;
        p->fresh += p->slot_size;
        p->fresh_left--;
    } else {
        p->failed++;
        return NULL;
    }
    size_t i = (size_t)(s - p->base) / p->slot_size;
    if (p->state[i] != 0)
        hp_pools_fail("pool %p free list corrupt: slot %zu (%p) is on it but in use", (void *)p, i,
                      (void *)s);
    if (!poison_intact(p, s))
        hp_pools_fail("slot %zu (%p) of pool %p was written after it was released (use after release)", i,
                      (void *)s, (void *)p);
    p->state[i] = 1;
    return s;
}

void hp_pool__release_debug(hp_pool *p, void *obj)
{
    size_t i = slot_index(p, obj, "release");
    if (p->state[i] == 0) hp_pools_fail("double release of slot %zu (%p) to pool %p", i, obj, (void *)p);
    p->state[i] = 0;
    memset(obj, HP_POISON_POOL, p->slot_size);
    uintptr_t raw = (uintptr_t)p->free_head ^ link_key(p);
    memcpy(obj, &raw, sizeof raw);
    p->free_head = obj;
    p->listed++;
}

/* The array of recent slots is full: link all of it, top first, in front of the list (order kept:
 * cache[0] stays the newest free slot). At most HP_POOL_CACHE independent stores. */
void hp_pool__spill(hp_pool *p)
{
    size_t t = p->top;
    if (t == HP_POOL_CACHE) return;
    for (size_t i = t; i + 1 < HP_POOL_CACHE; i++)
        *(void **)p->cache[i] = p->cache[i + 1];
    *(void **)p->cache[HP_POOL_CACHE - 1] = p->free_head;
    p->free_head = p->cache[t];
    p->listed += HP_POOL_CACHE - t;
    p->top = HP_POOL_CACHE;
}

/* Bulk acquire that the array alone cannot serve: the array, then the list, then fresh slots. */
size_t hp_pool__acquire_bulk_slow(hp_pool *p, void **out, size_t n)
{
    if (n > hp_pool_available(p)) {
        p->failed++;
        return 0;
    }
    if (p->flags & HP_POOL_DEBUG) {
        for (size_t i = 0; i < n; i++)
            out[i] = hp_pool__acquire_debug(p);
        return n;
    }
    size_t i = 0;
    for (size_t t = p->top; i < n && t < HP_POOL_CACHE; i++, t++)
        out[i] = p->cache[t];
    p->top += i;
    void *head = p->free_head;
    size_t from_list = i;
    for (; i < n && head != NULL; i++) {
        out[i] = head;
        head = *(void **)head;
    }
    p->free_head = head;
    p->listed -= i - from_list;
    p->fresh_left -= n - i;
    /* The list ran dry: the rest come from never-used slots, which the check above proved are
     * there. */
    for (; i < n; i++) {
        out[i] = p->fresh;
        p->fresh += p->slot_size;
    }
    return n;
}

/* Bulk release that does not fit in the array's free part: spill the array to the list, chain
 * whatever exceeds the array in front of the list, and put the first HP_POOL_CACHE in the array,
 * so the next acquires still return objs[0], objs[1], ... */
void hp_pool__release_bulk_slow(hp_pool *p, void *const *objs, size_t n)
{
    if (p->flags & HP_POOL_DEBUG) {
        for (size_t i = 0; i < n; i++)
            hp_pool__release_debug(p, objs[i]);
        return;
    }
    if (n == 0) return;
    hp_pool__spill(p);
    size_t m = n < HP_POOL_CACHE ? n : HP_POOL_CACHE;
    if (n > m) {
        for (size_t i = m; i + 1 < n; i++)
            *(void **)objs[i] = objs[i + 1];
        *(void **)objs[n - 1] = p->free_head;
        p->free_head = objs[m];
        p->listed += n - m;
    }
    p->top = HP_POOL_CACHE - m;
    memcpy(p->cache + p->top, objs, m * sizeof *objs);
}
