/*
 * scratch.c - the scratch arena's slow paths: init/create/destroy, the per-thread arena, the
 * exhausted path and the poisoning rewind.
 *
 * hp_scratch__exhausted and hp_scratch__release run inside hot sections: they must not allocate.
 */
#include "hotpath/scratch.h"

#include <errno.h>
#include <stdlib.h>

__thread hp_scratch hp__scratch_tls __attribute__((tls_model("initial-exec")));

int hp_scratch_init_flags(hp_scratch *s, void *mem, size_t size, unsigned flags)
{
    if (mem == NULL || size == 0 || size > SIZE_MAX / 2) return -EINVAL;
    memset(s, 0, sizeof *s);
    s->base = (unsigned char *)mem;
    s->size = size;
    s->flags = flags & (HP_SCRATCH_DEBUG | HP_SCRATCH_ABORT_ON_FULL);
    if (s->flags & HP_SCRATCH_DEBUG) memset(mem, HP_POISON_SCRATCH, size);
    /* Nothing is handed out yet: under ASan any access before hp_scratch_alloc is reported. */
    HP__ASAN_POISON(mem, size);
    return 0;
}

int hp_scratch_create_flags(hp_scratch *s, size_t size, unsigned flags)
{
    if (size == 0) size = HP_SCRATCH_DEFAULT_SIZE;
    if (size > SIZE_MAX / 2) return -ENOMEM;
    void *mem = NULL;
    if (posix_memalign(&mem, HP_CACHE_LINE, size) != 0) return -ENOMEM;
    hp_scratch_init_flags(s, mem, size, flags);
    s->owned = mem;
    return 0;
}

void hp_scratch_destroy(hp_scratch *s)
{
    /* Hand the block back unpoisoned: it is the caller's memory again (or free()'s). */
    if (s->base) HP__ASAN_UNPOISON(s->base, s->size);
    free(s->owned);
    memset(s, 0, sizeof *s);
}

int hp_scratch_thread_init_flags(size_t size, unsigned flags)
{
    if (hp__scratch_tls.base != NULL) return -EINVAL;
    return hp_scratch_create_flags(&hp__scratch_tls, size, flags);
}

void hp_scratch_thread_fini(void) { hp_scratch_destroy(&hp__scratch_tls); }

void *hp_scratch__exhausted(hp_scratch *s, size_t size, size_t align)
{
    s->failed++;
    if (s->flags & HP_SCRATCH_ABORT_ON_FULL) {
        if (align & (align - 1)) /* the same test as hp_scratch_alloc's */
            hp_pools_fail("scratch arena %p: alignment %zu is not a power of two (%zu bytes requested)",
                          (void *)s, align, size);
        hp_pools_fail("scratch arena %p exhausted: %zu bytes (align %zu) requested, %zu of %zu used",
                      (void *)s, size, align, s->pos, s->size);
    }
    return NULL;
}

void hp_scratch__release(hp_scratch *s, size_t to)
{
    if (s->pos > s->high_water) s->high_water = s->pos;
    if (s->pos > to) {
        if (s->flags & HP_SCRATCH_DEBUG) {
            /* Alignment gaps in the range are still ASan-poisoned; open it up to write the pattern. */
            HP__ASAN_UNPOISON(s->base + to, s->pos - to);
            memset(s->base + to, HP_POISON_SCRATCH, s->pos - to);
        }
        HP__ASAN_POISON(s->base + to, s->pos - to);
    }
    s->pos = to;
    s->epoch++;
}
