/*
 * Private: the bodies of the -finstrument-functions hooks, shared by libhotpath_api.so and
 * libhotpath_instrument.a. Code built with -finstrument-functions calls the hooks on every function
 * entry and exit; unless the sentinel installed a table of hot functions they return at once, and a
 * function not in the table costs one hash and (almost always) one probe of an empty slot. Nothing
 * here allocates, locks or compares strings.
 */
#ifndef HOTPATH_INSTRUMENT_HOOKS_H
#define HOTPATH_INSTRUMENT_HOOKS_H

#include "hotpath_private.h"

#include <stddef.h>
#include <stdint.h>

#define HOTPATH__NO_INSTRUMENT __attribute__((no_instrument_function))

HOTPATH__NO_INSTRUMENT static inline const char *hotpath__hot_function_name(const struct hotpath__hot_fn *slots,
                                                                             const void *fn)
{
    unsigned long i = ((unsigned long)(uintptr_t)fn * 0x9E3779B97F4A7C15ul) >> 40;
    for (;; i++) {
        const struct hotpath__hot_fn *s = &slots[i & hotpath__hot_table.mask];
        if (s->addr == fn) return s->name;
        if (!s->addr) return NULL;
    }
}

HOTPATH__NO_INSTRUMENT static inline void hotpath__instrument_enter(void *fn, void *call_site)
{
    (void)call_site;
    const struct hotpath__hot_fn *slots = __atomic_load_n(&hotpath__hot_table.slots, __ATOMIC_ACQUIRE);
    if (!slots) return;
    const char *name = hotpath__hot_function_name(slots, fn);
    if (HOTPATH__UNLIKELY(name != NULL)) hotpath__enter_inline(name);
}

HOTPATH__NO_INSTRUMENT static inline void hotpath__instrument_exit(void *fn, void *call_site)
{
    (void)call_site;
    const struct hotpath__hot_fn *slots = __atomic_load_n(&hotpath__hot_table.slots, __ATOMIC_ACQUIRE);
    /* Outside every section no listed function can be running: nothing to look up. */
    if (!slots || hotpath_thread_state.depth == 0) return;
    if (HOTPATH__UNLIKELY(hotpath__hot_function_name(slots, fn) != NULL)) hotpath__exit_inline();
}

HOTPATH__NO_INSTRUMENT void __cyg_profile_func_enter(void *fn, void *call_site);
HOTPATH__NO_INSTRUMENT void __cyg_profile_func_exit(void *fn, void *call_site);

#endif
