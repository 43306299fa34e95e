/*
 * The cheapest preload that interposes what the sentinel interposes: the malloc family and C++'s
 * operator new family, each a jump through a pointer to the next definition (no checks, no
 * bootstrap arena: dlsym's own allocations are served from a static buffer). The baseline of the
 * new/delete ratio in bench/hosts.sh: whatever the sentinel costs above this is its own doing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

static void *(*next_malloc)(size_t);
static void (*next_free)(void *);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static void *(*next_new)(size_t);
static void *(*next_new_array)(size_t);

static _Alignas(16) char early[8192];
static size_t early_used;
static int resolving;

static void resolve(void)
{
    resolving = 1;
    next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    next_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    resolving = 0;
}

static void *early_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (early_used + n > sizeof early) return NULL;
    void *p = early + early_used;
    early_used += n;
    return p;
}
static int is_early(const void *p) { return (const char *)p >= early && (const char *)p < early + sizeof early; }

__attribute__((constructor)) static void init(void)
{
    if (!next_malloc) resolve();
}

EXPORT void *malloc(size_t n)
{
    if (__builtin_expect(!next_malloc, 0)) {
        if (resolving) return early_alloc(n);
        resolve();
    }
    return next_malloc(n);
}
EXPORT void free(void *p)
{
    if (__builtin_expect(is_early(p), 0)) return;
    next_free(p);
}
EXPORT void *calloc(size_t a, size_t b)
{
    if (__builtin_expect(!next_calloc, 0)) {
        if (resolving) return early_alloc(a * b); /* static: already zero */
        resolve();
    }
    return next_calloc(a, b);
}
EXPORT void *realloc(void *p, size_t n)
{
    if (__builtin_expect(!next_realloc, 0)) resolve();
    if (__builtin_expect(is_early(p), 0)) {
        void *q = next_malloc(n);
        if (q) memcpy(q, p, n); /* bounded by the early buffer: bench use only */
        return q;
    }
    return next_realloc(p, n);
}
EXPORT void *_Znwm(size_t n)
{
    if (__builtin_expect(!next_new, 0)) next_new = (void *(*)(size_t))dlsym(RTLD_NEXT, "_Znwm");
    return next_new(n);
}
EXPORT void *_Znam(size_t n)
{
    if (__builtin_expect(!next_new_array, 0)) next_new_array = (void *(*)(size_t))dlsym(RTLD_NEXT, "_Znam");
    return next_new_array(n);
}
