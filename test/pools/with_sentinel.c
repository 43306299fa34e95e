/*
 * The pools' public headers together with the sentinel's private header, and with a user's macros
 * of the sentinel's names, under -Wall -Wextra -Werror. pools.mk compiles this file three times:
 *   ORDER=1  sentinel.h, then <hotpath/pools.h>
 *   ORDER=2  <hotpath/pools.h>, then sentinel.h
 *   ORDER=3  a user's own HP_LIKELY / HP_UNLIKELY / HP_COLD, then <hotpath/pools.h>
 * The pools' macros carry their own prefix (HP_POOLS_LIKELY, ...). When they were plain HP_LIKELY,
 * HP_UNLIKELY and HP_COLD, the two definitions of HP_COLD differed ("HP_COLD redefined") and
 * orders 1 to 3 all failed to compile.
 */
/* clang-format off: the order of the includes is the point */
#if ORDER == 1
#include "sentinel.h"
#include <hotpath/pools.h>
#elif ORDER == 2
#include <hotpath/pools.h>
#include "sentinel.h"
#else
#define HP_LIKELY(x) (x)
#define HP_UNLIKELY(x) (x)
#define HP_COLD
#include <hotpath/pools.h>
#endif
/* clang-format on */

HP_POOL_DEFINE(t_pool, long);
HP_SPSC_DEFINE(t_spsc, long);

HP_COLD static int cold_path(void) { return 1; }

int main(void) { return HP_POOLS_LIKELY(1) && HP_LIKELY(1) && !HP_UNLIKELY(0) ? 0 : cold_path(); }
