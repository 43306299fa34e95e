/*
 * The interposed allocator entry points and their bootstrap. Nothing else lives here.
 *
 * Every entry point is the same shape: one initial-exec TLS load of the calling thread's section
 * depth; if it is zero (the only case outside sections) a tail call through a pointer to the next
 * allocator (glibc, or jemalloc/tcmalloc/mimalloc preloaded after us). Only a hot thread takes the
 * out-of-line slow path. `free` does not even look at the depth unless check_free is on: it is a
 * single indirect jump once bootstrap is over.
 */
#include "sentinel.h"
#include "filter.h"

#include "hotpath.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* ---- bootstrap ------------------------------------------------------------------------------- */
/* dlsym may allocate (its error path calls malloc/calloc on this glibc) before we know the real
 * allocator. Those requests are served from this static arena; its pointers are recognised later
 * by their address in free, realloc and malloc_usable_size, and never handed to the real free. */
#define BOOT_ARENA_SIZE (64 * 1024)
static _Alignas(64) char boot_arena[BOOT_ARENA_SIZE];
static size_t boot_used; /* atomic bump index */
struct boot_header {
    size_t size;
    size_t pad[1];
};

static int in_boot_arena(const void *p)
{
    return (const char *)p >= boot_arena && (const char *)p < boot_arena + BOOT_ARENA_SIZE;
}

static void *boot_alloc(size_t size, size_t align)
{
    if (align < 16) align = 16;
    size_t need = sizeof(struct boot_header) + size + align;
    if (size > BOOT_ARENA_SIZE) return NULL;
    size_t start = __atomic_fetch_add(&boot_used, need, __ATOMIC_RELAXED);
    if (start + need > BOOT_ARENA_SIZE) return NULL;
    uintptr_t base = (uintptr_t)boot_arena + start + sizeof(struct boot_header);
    uintptr_t p = (base + align - 1) & ~(uintptr_t)(align - 1);
    ((struct boot_header *)p)[-1].size = size;
    return (void *)p; /* static storage: already zero */
}

static size_t boot_size(const void *p) { return ((const struct boot_header *)p)[-1].size; }

/* The next allocator's entry points. Each starts as a stub that resolves them all first. */
static void *boot_malloc(size_t);
static void *boot_calloc(size_t, size_t);
static void *boot_realloc(void *, size_t);
static void boot_free(void *);
static int boot_posix_memalign(void **, size_t, size_t);
static void *boot_aligned_alloc(size_t, size_t);
static void *boot_memalign(size_t, size_t);
static void *boot_valloc(size_t);
static void *boot_pvalloc(size_t);
static void *boot_reallocarray(void *, size_t, size_t);
static size_t boot_malloc_usable_size(void *);

static struct {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    void *(*reallocarray)(void *, size_t, size_t);
    size_t (*malloc_usable_size)(void *);
} next = {boot_malloc,   boot_calloc, boot_realloc, boot_free,         boot_posix_memalign, boot_aligned_alloc,
          boot_memalign, boot_valloc, boot_pvalloc, boot_reallocarray, boot_malloc_usable_size};


/* What `free` jumps to. Stays on the checking version while check_free is on, or while bootstrap
 * pointers may still come back to free. */
static void free_checked(void *p);
static void (*free_impl)(void *) = free_checked;

static int boot_state; /* 0 not started, 1 resolving, 2 done */
static __thread int boot_resolving __attribute__((tls_model("initial-exec")));

/* The start of the object that holds `addr`, or 0. _dl_find_object (glibc 2.35) is a lock-free
 * binary search; dladdr, the fallback, scans the object's whole symbol table (libc's: 3,000
 * symbols), which made the 12 calls of bootstrap two thirds of the start-up of /bin/true. */
static uintptr_t object_of(void *addr)
{
#if defined(__GLIBC_PREREQ) && __GLIBC_PREREQ(2, 35)
    struct dl_find_object fo;
    if (_dl_find_object(addr, &fo) == 0) return (uintptr_t)fo.dlfo_map_start;
#endif
    Dl_info info;
    return dladdr(addr, &info) ? (uintptr_t)info.dli_fbase : 0;
}

/* An optional entry point is used only if it comes from the same object as the next malloc: when
 * the next allocator (jemalloc, say) lacks one, dlsym finds glibc's, whose memory the next
 * allocator's free would then be handed. The fallbacks below go through the next allocator. */
static void *resolve_beside(const char *name, uintptr_t next_malloc_object)
{
    void *f = dlsym(RTLD_NEXT, name);
    uintptr_t object = f && next_malloc_object ? object_of(f) : 0;
    return object && object != next_malloc_object ? NULL : f;
}

static void bootstrap(void)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&boot_state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        /* Another thread is resolving: dlsym is quick, wait for it (bounded by dlsym itself). */
        while (__atomic_load_n(&boot_state, __ATOMIC_ACQUIRE) != 2) hp_cpu_relax();
        return;
    }
    boot_resolving = 1;
    __typeof__(next) n;
    /* Self-test hook (make check): a failing dlsym first, whose error path allocates through us. */
    const char *miss = getenv("HOTPATH_TEST_BOOTSTRAP_MISS");
    if (miss && *miss == '1') (void)dlsym(RTLD_NEXT, "hotpath__no_such_symbol");
    n.malloc = hp_resolve_next("malloc");
    n.calloc = hp_resolve_next("calloc");
    n.realloc = hp_resolve_next("realloc");
    n.free = hp_resolve_next("free");
    n.posix_memalign = hp_resolve_next("posix_memalign");
    uintptr_t malloc_object = object_of((void *)n.malloc);
    n.aligned_alloc = resolve_beside("aligned_alloc", malloc_object);
    n.memalign = resolve_beside("memalign", malloc_object);
    n.valloc = resolve_beside("valloc", malloc_object);
    n.pvalloc = resolve_beside("pvalloc", malloc_object);
    n.reallocarray = resolve_beside("reallocarray", malloc_object);
    n.malloc_usable_size = resolve_beside("malloc_usable_size", malloc_object);
    boot_resolving = 0;
    /* Publish each pointer atomically: other threads may be calling through them already. */
    __atomic_store_n(&next.calloc, n.calloc, __ATOMIC_RELEASE);
    __atomic_store_n(&next.realloc, n.realloc, __ATOMIC_RELEASE);
    __atomic_store_n(&next.free, n.free, __ATOMIC_RELEASE);
    __atomic_store_n(&next.posix_memalign, n.posix_memalign, __ATOMIC_RELEASE);
    __atomic_store_n(&next.aligned_alloc, n.aligned_alloc, __ATOMIC_RELEASE);
    __atomic_store_n(&next.memalign, n.memalign, __ATOMIC_RELEASE);
    __atomic_store_n(&next.valloc, n.valloc, __ATOMIC_RELEASE);
    __atomic_store_n(&next.pvalloc, n.pvalloc, __ATOMIC_RELEASE);
    __atomic_store_n(&next.reallocarray, n.reallocarray, __ATOMIC_RELEASE);
    __atomic_store_n(&next.malloc_usable_size, n.malloc_usable_size, __ATOMIC_RELEASE);
    __atomic_store_n(&next.malloc, n.malloc, __ATOMIC_RELEASE);
    __atomic_store_n(&boot_state, 2, __ATOMIC_RELEASE);
}

static void ensure_resolved(void)
{
    if (__atomic_load_n(&boot_state, __ATOMIC_ACQUIRE) != 2) bootstrap();
}

/* The stubs: while this thread is inside dlsym, serve from the arena; otherwise resolve and go on. */
static void *boot_malloc(size_t n)
{
    if (boot_resolving) return boot_alloc(n, 0);
    ensure_resolved();
    return next.malloc(n);
}
static void *boot_calloc(size_t a, size_t b)
{
    size_t n;
    if (boot_resolving) return __builtin_mul_overflow(a, b, &n) ? NULL : boot_alloc(n, 0);
    ensure_resolved();
    return next.calloc(a, b);
}
static void *boot_realloc(void *p, size_t n)
{
    if (boot_resolving) {
        void *q = boot_alloc(n, 0);
        if (q && p) memcpy(q, p, boot_size(p) < n ? boot_size(p) : n);
        return q;
    }
    ensure_resolved();
    return next.realloc(p, n);
}
static void boot_free(void *p)
{
    if (boot_resolving) return;
    ensure_resolved();
    next.free(p);
}
static int boot_posix_memalign(void **out, size_t align, size_t n)
{
    if (boot_resolving) return (*out = boot_alloc(n, align)) ? 0 : ENOMEM;
    ensure_resolved();
    return next.posix_memalign(out, align, n);
}
static void *boot_aligned_alloc(size_t align, size_t n)
{
    if (boot_resolving) return boot_alloc(n, align);
    ensure_resolved();
    return next.aligned_alloc(align, n);
}
static void *boot_memalign(size_t align, size_t n)
{
    if (boot_resolving) return boot_alloc(n, align);
    ensure_resolved();
    return next.memalign(align, n);
}
static void *boot_valloc(size_t n)
{
    if (boot_resolving) return boot_alloc(n, 4096);
    ensure_resolved();
    return next.valloc(n);
}
static void *boot_pvalloc(size_t n)
{
    if (boot_resolving) return boot_alloc((n + 4095) & ~(size_t)4095, 4096);
    ensure_resolved();
    return next.pvalloc(n);
}
static void *boot_reallocarray(void *p, size_t a, size_t b)
{
    size_t n;
    if (boot_resolving) return __builtin_mul_overflow(a, b, &n) ? NULL : boot_realloc(p, n);
    ensure_resolved();
    return next.reallocarray(p, a, b);
}
static size_t boot_malloc_usable_size(void *p)
{
    if (boot_resolving) return p ? boot_size(p) : 0;
    ensure_resolved();
    return next.malloc_usable_size(p);
}

/* Fallbacks for a next allocator that lacks an optional entry point (not glibc). */
static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }
static void *via_memalign(size_t align, size_t n)
{
    void *p = NULL;
    return next.posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, n) ? NULL : p;
}

/* ---- the slow path ------------------------------------------------------------------------------ */
#define thread_in_section hp_thread_in_section
int hp_sealed;

HP_HIDDEN int hp_init_probe_hit(void);
static HP_COLD void hot_event(const char *op, size_t size, size_t align, int has_size);

static HP_COLD void hot_call(const char *op, size_t size, size_t align)
{
    hot_event(op, size, align, 1);
}

static HP_COLD void hot_event(const char *op, size_t size, size_t align, int has_size)
{
    if (hp_new_pending_active()) { /* the malloc of an operator new already reported */
        hp_new_pending = 0;
        return;
    }
    if (boot_resolving || hp_init_probe_hit()) return;
    /* The one filter (filter.h); it also drops a call reached through a sealed entry pointer just
     * as another thread unsealed: not hot any more. */
    if (!hp_filter_pass(HP_CHECK_ALLOC)) return;
    struct hp_event ev = {.kind = HP_KIND_ALLOC,
                          .category = HP_CHECK_ALLOC,
                          .op = op,
                          .size = size,
                          .align = align,
                          .has_size = has_size};
    hp_violation(&ev);
}

/* Each entry point's hot case is a separate cold function that checks and then allocates, so the
 * common case compiles to a TLS load, a test and a tail jump, with no register saved. */
static HP_COLD void *malloc_hot(size_t n)
{
    if (HP_UNLIKELY(hp_init_probe_hit())) return NULL; /* the start-up probe: allocate nothing */
    hot_call("malloc", n, 0);
    return next.malloc(n);
}
static HP_COLD void *calloc_hot(size_t a, size_t b)
{
    size_t n;
    hot_call("calloc", __builtin_mul_overflow(a, b, &n) ? SIZE_MAX : n, 0);
    return next.calloc(a, b);
}
static HP_COLD void *realloc_boot(void *p, size_t n)
{
    size_t old = boot_size(p);
    void *q = next.malloc(n ? n : 1);
    if (q) memcpy(q, p, old < n ? old : n);
    return q;
}
static HP_COLD void *realloc_hot(void *p, size_t n)
{
    hot_call("realloc", n, 0);
    return in_boot_arena(p) ? realloc_boot(p, n) : next.realloc(p, n);
}
static HP_COLD int posix_memalign_hot(void **out, size_t align, size_t n)
{
    hot_call("posix_memalign", n, align);
    return next.posix_memalign(out, align, n);
}

static void *realloc_common(void *p, size_t n)
{
    if (HP_UNLIKELY(in_boot_arena(p))) return realloc_boot(p, n);
    return next.realloc(p, n);
}

/* What the common case (thread not in a section) calls: the next allocator, or, while the process
 * is sealed, the checking versions. Swapping these pointers is how the seal costs nothing while
 * the process is not sealed. */
static struct {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
} entry = {boot_malloc, boot_calloc, realloc_common, boot_posix_memalign};

static void set_entries(int sealed)
{
    __atomic_store_n(&entry.malloc, sealed ? malloc_hot : next.malloc, __ATOMIC_RELEASE);
    __atomic_store_n(&entry.calloc, sealed ? calloc_hot : next.calloc, __ATOMIC_RELEASE);
    __atomic_store_n(&entry.realloc, sealed ? realloc_hot : realloc_common, __ATOMIC_RELEASE);
    __atomic_store_n(&entry.posix_memalign, sealed ? posix_memalign_hot : next.posix_memalign, __ATOMIC_RELEASE);
}

/* hotpath_seal / hotpath_unseal, through the API library. */
static void seal_hook(int sealed)
{
    __atomic_store_n(&hp_sealed, sealed, __ATOMIC_RELEASE);
    ensure_resolved();
    set_entries(sealed);
}

/* ---- the interposed entry points ------------------------------------------------------------- */
EXPORT void *malloc(size_t n)
{
    if (HP_UNLIKELY(thread_in_section())) return malloc_hot(n);
    return entry.malloc(n);
}

EXPORT void *calloc(size_t a, size_t b)
{
    if (HP_UNLIKELY(thread_in_section())) return calloc_hot(a, b);
    return entry.calloc(a, b);
}

EXPORT void *realloc(void *p, size_t n)
{
    if (HP_UNLIKELY(thread_in_section())) return realloc_hot(p, n);
    return entry.realloc(p, n);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (HP_UNLIKELY(thread_in_section())) return posix_memalign_hot(out, align, n);
    return entry.posix_memalign(out, align, n);
}

/* The rarer entry points share one shape: check, then allocate. */
#define CHECK(op, size, align)                                                                     \
    do {                                                                                           \
        if (HP_UNLIKELY(hp_thread_hot_or_sealed())) hot_call(op, size, align);                     \
    } while (0)

EXPORT void *reallocarray(void *p, size_t a, size_t b)
{
    size_t n;
    if (__builtin_mul_overflow(a, b, &n)) {
        CHECK("reallocarray", SIZE_MAX, 0);
        errno = ENOMEM;
        return NULL;
    }
    CHECK("reallocarray", n, 0);
    if (HP_UNLIKELY(in_boot_arena(p))) return realloc_boot(p, n);
    return next.reallocarray ? next.reallocarray(p, a, b) : next.realloc(p, n);
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    CHECK("aligned_alloc", n, align);
    return next.aligned_alloc ? next.aligned_alloc(align, n) : via_memalign(align, n);
}

EXPORT void *memalign(size_t align, size_t n)
{
    CHECK("memalign", n, align);
    return next.memalign ? next.memalign(align, n) : via_memalign(align, n);
}

EXPORT void *valloc(size_t n)
{
    CHECK("valloc", n, 0);
    return next.valloc ? next.valloc(n) : via_memalign(page_size(), n);
}

EXPORT void *pvalloc(size_t n)
{
    CHECK("pvalloc", n, 0);
    size_t ps = page_size();
    return next.pvalloc ? next.pvalloc(n) : via_memalign(ps, (n + ps - 1) & ~(ps - 1));
}

EXPORT size_t malloc_usable_size(void *p)
{
    if (HP_UNLIKELY(in_boot_arena(p))) return boot_size(p);
    return next.malloc_usable_size ? next.malloc_usable_size(p) : 0;
}

/* free: a straight jump through free_impl once bootstrap is over (see hp_hooks_finish_init). */
EXPORT void free(void *p) { free_impl(p); }

static void free_checked(void *p)
{
    if (HP_UNLIKELY(!p)) return; /* free(NULL) is never a violation */
    if (HP_UNLIKELY(in_boot_arena(p))) return;
    if (hp_opt.check_free && HP_UNLIKELY(hp_thread_hot_or_sealed())) hot_event("free", 0, 0, 0);
    next.free(p);
}

static void free_check_only(void *p)
{
    if (HP_UNLIKELY(hp_thread_hot_or_sealed()) && p) hot_event("free", 0, 0, 0);
    next.free(p);
}

/* Called from the constructor once options are known: pick the cheapest correct free. */
HP_HIDDEN void hp_hooks_finish_init(void);
void hp_hooks_finish_init(void)
{
    ensure_resolved();
    void (*impl)(void *);
    if (__atomic_load_n(&boot_used, __ATOMIC_RELAXED) != 0)
        impl = free_checked; /* bootstrap pointers may come back */
    else if (hp_opt.check_free)
        impl = free_check_only;
    else
        impl = next.free;
    __atomic_store_n(&free_impl, impl, __ATOMIC_RELEASE);
    set_entries(hp_sealed);
    __atomic_store_n(&hotpath__seal_hook, seal_hook, __ATOMIC_RELEASE);
    if (hotpath_sealed()) seal_hook(1); /* sealed before the sentinel started (a constructor) */
}

/* The next allocator's malloc, resolved (cxx_new.c's fast path calls it directly). */
HP_HIDDEN void *(*hp_hooks_next_malloc(void))(size_t);
void *(*hp_hooks_next_malloc(void))(size_t)
{
    ensure_resolved();
    return next.malloc;
}

/* For the start-up check that the sentinel is the malloc the process actually reaches. */
HP_HIDDEN void *hp_hooks_own_malloc(void);
void *hp_hooks_own_malloc(void) { return (void *)malloc; }
