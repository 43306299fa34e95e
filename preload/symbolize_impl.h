/*
 * The pieces behind hp_unwind and hp_symbolize_chain (unwind.c, symbolize.c), private to them:
 * libraries loaded on first use, the DWARF inline walk and the per-pc cache. Everything here runs
 * on the report path, under the rules of sentinel.h.
 */
#ifndef HP_SYMBOLIZE_IMPL_H
#define HP_SYMBOLIZE_IMPL_H

#include "sentinel.h"

#include <elfutils/libdw.h>

/* ---- lazylib.c: a shared library dlopened the first time the report path needs it ------------- */
struct hp_lazy_lib {
    const char *soname; /* "libdw.so.1" */
    const char *what;   /* what is lost without it, for the one warning: "source lines" */
    int state;          /* 0 not tried, 1 loading, 2 loaded, 3 failed */
    void *handle;
};
/* The library's handle, or NULL when it cannot be loaded (said once on stderr) or when loading it
 * now could deadlock: this thread is already loading it (a signal handler on top), or another
 * thread has been loading it for more than about two seconds. Thread-safe; the dlopen itself
 * takes the dynamic loader's lock, allocating under the caller's hp_in_sentinel guard. */
HP_HIDDEN void *hp_lazy_open(struct hp_lazy_lib *l);
/* dlsym in the lazily loaded library; NULL when it or the symbol is missing. */
HP_HIDDEN void *hp_lazy_sym(struct hp_lazy_lib *l, const char *name);
/* In a forked child: a load another thread had under way never finishes here; try again. */
HP_HIDDEN void hp_lazy_forget(struct hp_lazy_lib *l);
HP_HIDDEN extern struct hp_lazy_lib hp_libdw; /* libdw_shim.c */
HP_HIDDEN void hp_unwind_forget(void);        /* unwind.c: hp_lazy_forget of libunwind */

/* ---- dwarf_inline.c: the scopes that contain an address -------------------------------------- */
#define HP_INLINE_MAX 24 /* inlined frames kept per pc (the outermost ones: the user's calls) */
#define HP_WALK_DEPTH 64 /* nesting depth of the DIE walk */
/* In compilation unit `cu`, the DW_TAG_subprogram and DW_TAG_inlined_subroutine entries whose
 * ranges contain `addr` (a module address, bias removed), outermost first, at most `max`; the
 * count. Walks the DIE tree by hand, namespaces and types included, because dwarf_getscopes does
 * not descend into DW_TAG_namespace, where Rust puts its functions. Iterative, bounded depth. */
HP_HIDDEN int hp_dwarf_scopes(Dwarf_Die *cu, Dwarf_Addr addr, Dwarf_Die *out, int max);
/* Drop the per-unit function indexes hp_dwarf_scopes keeps (the libdw session they describe ends). */
HP_HIDDEN void hp_dwarf_forget(void);
/* The function an entry names: its linkage name, demangled (through DW_AT_abstract_origin and
 * DW_AT_specification), else DW_AT_name; NULL if none. `mem` holds the demangled form. */
HP_HIDDEN const char *hp_dwarf_function(Dwarf_Die *die, char *mem, size_t cap);

/* ---- symcache.c: each pc symbolized once ----------------------------------------------------- */
struct hp_chain {
    unsigned long long epoch; /* libraries unloaded (dlpi_subs) when it was made */
    int n;
    struct hp_frame f[]; /* innermost first; strings in the cache's arena */
};
/* The cached chain of pc, or NULL. Caller holds the report lock. */
HP_HIDDEN struct hp_chain *hp_symcache_get(uintptr_t pc);
/* Copy a chain (its strings too) into the cache, replacing pc's entry if it has one; the cached
 * copy, or NULL when even a fresh generation cannot hold it (out of memory). When the cache is
 * full it starts a new generation; the previous one stays mapped, so strings handed out stay
 * valid across one reset. */
HP_HIDDEN const struct hp_chain *hp_symcache_put(uintptr_t pc, const struct hp_frame *f, int n,
                                                 unsigned long long epoch);

#endif
