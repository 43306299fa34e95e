/*
 * Each return address is symbolized once: its inline chain, strings included, is kept in an
 * open-addressing table keyed by pc, with the strings in an arena. libdw lookups cost tens of
 * thousands of instructions per frame; a report of an already seen stack then costs hash probes.
 *
 * Bounded: at most CACHE_PCS addresses and ARENA_CHUNKS * CHUNK bytes per generation. When either
 * fills up, a new generation starts empty; the previous one stays mapped until the next reset, so
 * the strings of a chain handed out remain valid for at least the rest of the report that asked
 * (one report needs far less than a generation). All memory comes from mmap through raw system
 * calls: never from the checked malloc, and no lock beyond the report lock the callers hold.
 * After fork the child keeps the table: its address space, modules included, is the parent's.
 * A library unloaded since an entry was made does not drop it (the exit summary still names a
 * site in a library that is gone); symbolize.c checks such entries again when they are hit.
 */
#include "symbolize_impl.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CACHE_PCS 16384u     /* table slots (power of two); filled to 3/4 at most */
#define CHUNK (256u * 1024u) /* arena chunk */
#define ARENA_CHUNKS 32u     /* 8 MiB of chains and strings per generation */

struct slot {
    uintptr_t pc;
    struct hp_chain *chain;
};
struct chunk {
    struct chunk *next;
    size_t used;
    char mem[];
};
struct generation {
    struct chunk *chunks;
    unsigned int nchunks;
};

static struct slot *table;
static unsigned int filled;
static struct generation cur, prev;

static void *map(size_t n)
{
    long p = syscall(SYS_mmap, NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p < 0 && p > -4096 ? NULL : (void *)p;
}

static void unmap_generation(struct generation *g)
{
    for (struct chunk *c = g->chunks, *next; c; c = next) {
        next = c->next;
        syscall(SYS_munmap, c, CHUNK);
    }
    g->chunks = NULL;
    g->nchunks = 0;
}

static void reset(void)
{
    unmap_generation(&prev);
    prev = cur;
    cur.chunks = NULL;
    cur.nchunks = 0;
    if (table) memset(table, 0, CACHE_PCS * sizeof *table);
    filled = 0;
}

static void *arena_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n > CHUNK - sizeof(struct chunk)) return NULL;
    struct chunk *c = cur.chunks;
    if (!c || c->used + n > CHUNK - sizeof(struct chunk)) {
        if (cur.nchunks == ARENA_CHUNKS) return NULL;
        c = map(CHUNK);
        if (!c) return NULL;
        c->next = cur.chunks;
        c->used = 0;
        cur.chunks = c;
        cur.nchunks++;
    }
    void *p = c->mem + c->used;
    c->used += n;
    return p;
}

static unsigned int home(uintptr_t pc)
{
    return (unsigned int)((pc * 0x9E3779B97F4A7C15ull) >> 50) & (CACHE_PCS - 1);
}

struct hp_chain *hp_symcache_get(uintptr_t pc)
{
    if (!table) return NULL;
    for (unsigned int i = home(pc);; i = (i + 1) & (CACHE_PCS - 1)) {
        uintptr_t k = __atomic_load_n(&table[i].pc, __ATOMIC_ACQUIRE);
        if (k == pc) return table[i].chain;
        if (k == 0) return NULL;
    }
}

#define STR_KEEP 2048 /* longest string kept (names and paths are cut there) */

static size_t keep_len(const char *s) { return s ? strnlen(s, STR_KEEP - 1) + 1 : 0; }

static const char *keep(char **at, const char *s)
{
    if (!s) return NULL;
    size_t n = strnlen(s, STR_KEEP - 1);
    char *d = *at;
    memcpy(d, s, n);
    d[n] = 0;
    *at += n + 1;
    return d;
}

static struct hp_chain *copy_chain(const struct hp_frame *f, int n, unsigned long long epoch)
{
    size_t need = sizeof(struct hp_chain) + (size_t)n * sizeof(struct hp_frame);
    for (int i = 0; i < n; i++)
        need += keep_len(f[i].function) + keep_len(f[i].module) + keep_len(f[i].file);
    struct hp_chain *c = arena_alloc(need);
    if (!c) return NULL;
    char *at = (char *)&c->f[n];
    c->n = n;
    c->epoch = epoch;
    for (int i = 0; i < n; i++) {
        c->f[i] = f[i];
        c->f[i].function = keep(&at, f[i].function);
        c->f[i].module = i && f[i].module == f[i - 1].module ? c->f[i - 1].module : keep(&at, f[i].module);
        c->f[i].file = keep(&at, f[i].file);
    }
    return c;
}

const struct hp_chain *hp_symcache_put(uintptr_t pc, const struct hp_frame *f, int n,
                                       unsigned long long epoch)
{
    if (pc == 0 || n <= 0) return NULL;
    if (!table && !(table = map(CACHE_PCS * sizeof *table))) return NULL;
    struct hp_chain *c = filled < CACHE_PCS / 4 * 3 ? copy_chain(f, n, epoch) : NULL;
    if (!c) { /* full: a new generation */
        reset();
        if (!(c = copy_chain(f, n, epoch))) return NULL;
    }
    unsigned int i = home(pc);
    while (table[i].pc != 0 && table[i].pc != pc)
        i = (i + 1) & (CACHE_PCS - 1);
    if (table[i].pc == pc) {
        __atomic_store_n(&table[i].chain, c, __ATOMIC_RELEASE); /* a newer chain for a known pc */
        return c;
    }
    table[i].chain = c;
    /* the key last: a child forked in the middle of this sees the slot empty, never half made */
    __atomic_store_n(&table[i].pc, pc, __ATOMIC_RELEASE);
    filled++;
    return c;
}
