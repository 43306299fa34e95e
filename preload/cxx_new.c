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

#define EXPORT __attribute__((visibility("default")))

/* Set while the next operator new runs after a report: the malloc it makes (libstdc++'s does), and
 * the operator new that libstdc++'s operator new[] calls, are the same allocation, already
 * reported. Cleared by that malloc, or after the call. */
__thread int hp_new_pending __attribute__((tls_model("initial-exec")));

static HP_COLD void new_hot(const char *op, size_t size, size_t align)
{
    if (!(hp_opt.checks & HP_CHECK_ALLOC) || hotpath_thread_state.allow != 0 || hp_in_sentinel) return;
    struct hp_event ev = {.kind = HP_KIND_ALLOC,
                          .category = HP_CHECK_ALLOC,
                          .op = op,
                          .size = size,
                          .align = align,
                          .has_size = 1};
    hp_violation(&ev);
}

#define NEXT(sym, type)                                                                            \
    ({                                                                                             \
        type f_ = __atomic_load_n(&next_##sym, __ATOMIC_RELAXED);                                  \
        if (HP_UNLIKELY(!f_)) {                                                                    \
            f_ = (type)hp_resolve_next(#sym);                                                      \
            __atomic_store_n(&next_##sym, f_, __ATOMIC_RELAXED);                                   \
        }                                                                                          \
        f_;                                                                                        \
    })

/* NEW(symbol, operation name, alignment argument or 0, parameters, arguments) */
#define NEW(sym, opname, align, params, args)                                                      \
    typedef void *(*sym##_fn) params;                                                             \
    static sym##_fn next_##sym;                                                                    \
    EXPORT void *sym params                                                                        \
    {                                                                                              \
        sym##_fn next = NEXT(sym, sym##_fn);                                                       \
        if (HP_LIKELY(!hp_thread_hot_or_sealed()) || hp_new_pending) return next args;             \
        new_hot(opname, n, align);                                                                 \
        hp_new_pending = 1;                                                                        \
        void *p = next args;                                                                       \
        hp_new_pending = 0;                                                                        \
        return p;                                                                                  \
    }

/* std::nothrow_t is passed by reference, std::align_val_t is a size_t. */
NEW(_Znwm, "operator new", 0, (size_t n), (n))
NEW(_Znam, "operator new[]", 0, (size_t n), (n))
NEW(_ZnwmRKSt9nothrow_t, "operator new", 0, (size_t n, const void *nt), (n, nt))
NEW(_ZnamRKSt9nothrow_t, "operator new[]", 0, (size_t n, const void *nt), (n, nt))
NEW(_ZnwmSt11align_val_t, "operator new", a, (size_t n, size_t a), (n, a))
NEW(_ZnamSt11align_val_t, "operator new[]", a, (size_t n, size_t a), (n, a))
NEW(_ZnwmSt11align_val_tRKSt9nothrow_t, "operator new", a, (size_t n, size_t a, const void *nt), (n, a, nt))
NEW(_ZnamSt11align_val_tRKSt9nothrow_t, "operator new[]", a, (size_t n, size_t a, const void *nt), (n, a, nt))
