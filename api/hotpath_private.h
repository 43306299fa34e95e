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
/* Private: sections entered per name (the sentinel's option section_names=1). Off by default;
 * once on, every hotpath_enter makes one out-of-line call that counts its section under the
 * name's pointer in the table below (lock-free, never allocates; async-signal-safe). The
 * sentinel turns it on once, at start-up, and reads the table at exit (same string at two
 * addresses: two entries, merged by the reader). */
void hotpath__set_section_names(int on);
#define HOTPATH__SECTION_NAMES 512
struct hotpath__section_count {
    const char *key;          /* the name's pointer as given to hotpath_enter; NULL = empty */
    unsigned long long count; /* sections entered under it */
    int ready;                /* name[] is filled in */
    int cut;                  /* the name was longer than name[] keeps */
    char name[96];            /* a copy made at the first entry (the string may be unloaded later) */
};
extern struct hotpath__section_count hotpath__section_names_table[HOTPATH__SECTION_NAMES];
/* Sections entered whose name did not fit the table (counted, not named). */
extern unsigned long long hotpath__section_names_overflow;

#ifdef __cplusplus
}
#endif

#endif /* HOTPATH_PRIVATE_H */
