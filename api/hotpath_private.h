/*
 * hotpath_private.h - what the API library and the sentinel share and users never touch: the
 * sentinel's hooks into libhotpath_api.so. Not installed; the symbols stay exported from
 * libhotpath_api.so (the sentinel links to them), but no public header names them, so a user's
 * program cannot come to depend on them.
 */
#ifndef HOTPATH_PRIVATE_H
#define HOTPATH_PRIVATE_H

#include "hotpath.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Private: shared between the API library and the sentinel. */
extern int hotpath__sentinel_loaded;
extern unsigned long hotpath__violation_count;
extern void (*hotpath__diagnostic_sink)(const char *line, unsigned long len);
extern void (*hotpath__seal_hook)(int sealed);
/* The sentinel's entry for hotpath_blocking/hotpath_allocation (NULL without it); kind is
 * HOTPATH__EVENT_BLOCKING or HOTPATH__EVENT_ALLOCATION. */
extern void (*hotpath__event_hook)(int kind, const char *name, size_t size);
/* Private: functions made hot sections at run time (HOTPATH_OPTIONS=hot_functions=...), looked up
 * by the -finstrument-functions hooks: an open-addressing table of code addresses. */
struct hotpath__hot_fn {
    const void *addr; /* NULL = empty slot */
    const char *name;
};
struct hotpath__hot_table {
    unsigned long mask; /* slots - 1, slots a power of two */
    struct hotpath__hot_fn *slots;
};
/* Install the table (the sentinel does, once, at start-up); the table must live for ever. */
void hotpath__set_hot_functions(const struct hotpath__hot_table *table);
extern struct hotpath__hot_table hotpath__hot_table;
/* Sections entered by every thread of the process since it started (or forked), those that
 * exited included, plus one per hotpath_seal(). O(live threads); takes a short lock; never
 * allocates. */
unsigned long long hotpath__sections_entered(void);

#ifdef __cplusplus
}
#endif

#endif /* HOTPATH_PRIVATE_H */
