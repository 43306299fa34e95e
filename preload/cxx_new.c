/*
 * C++'s operator new family, interposed like the malloc family.
 *
 * With glibc, libstdc++'s operator new calls malloc and would be caught there; but jemalloc,
 * tcmalloc and mimalloc export their own operator new, which never calls malloc, so a program
 * chaining them would have every `new` in a section pass unseen. Interposing the operators
 * themselves catches both, and names the operation as the user wrote it. The deletes need no
 * interposition (free in a section is allowed by default).
 */
#include "sentinel.h"
#include "filter.h"

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

/* While a reported operator new runs the next one, the malloc it makes (libstdc++'s does) and the
 * operator new that libstdc++'s operator new[] calls are the same allocation, already reported.
 * The flag holds the reporting wrapper's frame address: it only counts for calls deeper on the
 * stack, so a flag left behind by an exception (bad_alloc thrown through the wrapper) is seen as
 * stale and cannot hide a later violation. */
__thread uintptr_t hp_new_pending __attribute__((tls_model("initial-exec")));

static HP_COLD void new_hot(const char *op, size_t size, size_t align)
{
    if (!hp_filter_pass(HP_CHECK_ALLOC)) return; /* the one filter (filter.h) */
    struct hp_event ev = {.kind = HP_KIND_ALLOC,
                          .category = HP_CHECK_ALLOC,
                          .op = op,
                          .size = size,
                          .align = align,
                          .has_size = 1};
    hp_violation(&ev);
}

/* The next operator new, looked up at the first call (under hp_in_sentinel, so that a first `new`
 * inside a section is not charged with dlsym's allocations). Not at start-up: in a C program
 * every lookup fails, and each failure allocates dlerror's message, which shifts the heap enough
 * to slow every later malloc+free measurably. RTLD_NEXT sees only the start-up scope: a libstdc++
 * brought in by a library dlopened with RTLD_LOCAL (Python's C++ extensions, plugins) is not
 * there, so the caller's own scope is searched too. If nothing is found, a malloc-based stand-in keeps the
 * program alive rather than stopping it. */
static void *find_next_new(const char *name, const void *caller)
{
    int was = hp_in_sentinel;
    hp_in_sentinel = 1; /* dlsym and dlopen allocate: perhaps inside a section, and not the user's doing */
    void *f = dlsym(RTLD_NEXT, name);
    Dl_info info;
    if (!f && caller && dladdr(caller, &info) && info.dli_fname) {
        void *h = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
        if (h) {
            f = dlsym(h, name);
            dlclose(h);
        }
    }
    if (f && hp_in_sentinel_module((uintptr_t)f)) f = NULL; /* ourselves */
    hp_in_sentinel = was;
    return f;
}

static void *fallback_new(size_t n) /* plain and nothrow: malloc, NULL on failure */
{
    return malloc(n ? n : 1);
}
static void *fallback_new_aligned(size_t n, size_t a)
{
    void *p = NULL;
    return posix_memalign(&p, a < sizeof(void *) ? sizeof(void *) : a, n ? n : 1) ? NULL : p;
}

/* The next allocator's malloc, for the fast path below (hooks.c). */
HP_HIDDEN void *(*hp_hooks_next_malloc(void))(size_t);

/* Is f libstdc++'s operator new, which is a loop around malloc (and the new-handler when malloc
 * fails)? Found through the loader's object table, not dladdr (which scans libstdc++'s 5,000
 * symbols). */
static int is_libstdcxx(void *f)
{
    const char *name = NULL;
#if defined(__GLIBC_PREREQ) && __GLIBC_PREREQ(2, 35)
    struct dl_find_object fo;
    if (_dl_find_object(f, &fo) == 0 && fo.dlfo_link_map) name = fo.dlfo_link_map->l_name;
#endif
    Dl_info info;
    if (!name && dladdr(f, &info)) name = info.dli_fname;
    const char *base = name ? strrchr(name, '/') : NULL;
    base = base ? base + 1 : name;
    return base && !strncmp(base, "libstdc++.so", 12);
}

#define NEXT(sym, type, fallback)                                                                  \
    ({                                                                                             \
        type f_ = __atomic_load_n(&next_##sym, __ATOMIC_RELAXED);                                  \
        if (HP_UNLIKELY(!f_)) {                                                                    \
            f_ = (type)find_next_new(#sym, new_caller);                           \
            if (f_) {                                                                              \
                if (is_libstdcxx((void *)f_))                                                      \
                    __atomic_store_n(&fast_##sym, hp_hooks_next_malloc(), __ATOMIC_RELAXED);       \
                __atomic_store_n(&next_##sym, f_, __ATOMIC_RELAXED);                               \
            } else                                                                                 \
                f_ = (type)(fallback);                                                             \
        }                                                                                          \
        f_;                                                                                        \
    })

/* Outside sections, when the next operator new is libstdc++'s, calling the next malloc directly is
 * the same thing without two calls (libstdc++'s new, then the sentinel's malloc): the cost of a
 * new+delete pair then stays that of a bare forwarding preload. A NULL from malloc goes the whole
 * way, for the new-handler and bad_alloc. */
#define FAST_NEW(sym, n)                                                                           \
    do {                                                                                           \
        void *(*m_)(size_t) = __atomic_load_n(&fast_##sym, __ATOMIC_RELAXED);                      \
        if (HP_LIKELY(m_ != NULL) && HP_LIKELY(!hp_thread_hot_or_sealed())) {                      \
            void *p_ = m_((n) ? (n) : 1);                                                          \
            if (HP_LIKELY(p_ != NULL)) return p_;                                                  \
        }                                                                                          \
    } while (0)

/* NEW(symbol, operation name, alignment argument or 0, fallback, parameters, arguments, fallback
 * arguments) */
/* The caller of the exported operator new, for find_next_new (the full path runs in a function of
 * its own, so that the fast path needs no frame). */
static __thread const void *new_caller __attribute__((tls_model("initial-exec")));

/* NEW(symbol, operation name, alignment argument or 0, fallback, parameters, arguments, fallback
 * arguments, 1 if the fast path applies) */
#define NEW(sym, opname, align, fallback, params, args, fargs, fast)                                \
    typedef void *(*sym##_fn) params;                                                             \
    static sym##_fn next_##sym;                                                                    \
    static void *(*fast_##sym)(size_t);                                                            \
    static __attribute__((noinline)) void *full_##sym params                                       \
    {                                                                                              \
        sym##_fn next = NEXT(sym, sym##_fn, NULL);                                                 \
        if (HP_UNLIKELY(!next)) return fallback fargs;                                             \
        if (HP_LIKELY(!hp_thread_hot_or_sealed()) || hp_new_pending_active()) return next args;   \
        new_hot(opname, n, align);                                                                 \
        hp_new_pending = (uintptr_t)__builtin_frame_address(0);                                    \
        void *p = next args;                                                                       \
        hp_new_pending = 0;                                                                        \
        return p;                                                                                  \
    }                                                                                              \
    EXPORT void *sym params                                                                        \
    {                                                                                              \
        if (fast) FAST_NEW(sym, n);                                                                \
        new_caller = __builtin_return_address(0);                                                  \
        return full_##sym args;                                                                    \
    }

/* std::nothrow_t is passed by reference, std::align_val_t is a size_t. The aligned forms keep the
 * full path (libstdc++'s rounds the size for aligned_alloc). */
NEW(_Znwm, "operator new", 0, fallback_new, (size_t n), (n), (n), 1)
NEW(_Znam, "operator new[]", 0, fallback_new, (size_t n), (n), (n), 1)
NEW(_ZnwmRKSt9nothrow_t, "operator new", 0, fallback_new, (size_t n, const void *nt), (n, nt), (n), 1)
NEW(_ZnamRKSt9nothrow_t, "operator new[]", 0, fallback_new, (size_t n, const void *nt), (n, nt), (n), 1)
NEW(_ZnwmSt11align_val_t, "operator new", a, fallback_new_aligned, (size_t n, size_t a), (n, a), (n, a), 0)
NEW(_ZnamSt11align_val_t, "operator new[]", a, fallback_new_aligned, (size_t n, size_t a), (n, a), (n, a), 0)
NEW(_ZnwmSt11align_val_tRKSt9nothrow_t, "operator new", a, fallback_new_aligned,
    (size_t n, size_t a, const void *nt), (n, a, nt), (n, a), 0)
NEW(_ZnamSt11align_val_tRKSt9nothrow_t, "operator new[]", a, fallback_new_aligned,
    (size_t n, size_t a, const void *nt), (n, a, nt), (n, a), 0)
