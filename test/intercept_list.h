/*
 * The interception list (preload/intercept.def) as data for the tests and `make compare-rtsan`:
 * each entry's name and check= category, in the table's order.
 */
#ifndef TEST_INTERCEPT_LIST_H
#define TEST_INTERCEPT_LIST_H

struct intercepted {
    const char *name, *category;
};

#define HP_CAT_LOCK "lock"
#define HP_CAT_SLEEP "sleep"
#define HP_CAT_IO "io"
#define HP_CAT_MMAP "mmap"
#define HP_CAT_SPAWN "spawn"
#define HP_CAT_MISC "misc"
#define HP_FN(cat, ret, name, params, args) {#name, HP_CAT_##cat},
#define HP_VOID(cat, name, params, args) {#name, HP_CAT_##cat},
#define HP_SIZED(cat, ret, name, params, args, size) {#name, HP_CAT_##cat},
#define HP_VA(cat, ret, name, params, last, via, vparams, vargs) {#name, HP_CAT_##cat},
#define HP_CUSTOM(cat, ret, name, nparams, via) {#name, HP_CAT_##cat},
#define HP_ASM(cat, name) {#name, HP_CAT_##cat},
static const struct intercepted intercepted[] = {
#include "../preload/intercept.def"
};
#undef HP_FN
#undef HP_VOID
#undef HP_SIZED
#undef HP_VA
#undef HP_CUSTOM
#undef HP_ASM
#define N_INTERCEPTED (int)(sizeof intercepted / sizeof *intercepted)

#endif
