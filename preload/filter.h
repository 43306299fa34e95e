/*
 * The one test in front of hp_violation for every checked call (interposed functions, and the
 * API's hotpath_blocking/hotpath_allocation): is this call, made by a thread that looked hot on
 * the fast path, a violation to report?
 */
#ifndef HP_FILTER_H
#define HP_FILTER_H

#include "sentinel.h"

/* 1 when `category` is checked (user-declared blocking calls always are), the thread is still hot
 * (a seal may have ended since the fast path looked), outside allow regions, and not inside the
 * sentinel's own report path (whose allocations and I/O are not the program's). */
static inline int hp_filter_pass(unsigned int category)
{
    return ((hp_opt.checks | HP_CHECK_USER) & category) && hotpath_thread_state.allow == 0 &&
           !hp_in_sentinel && hp_thread_hot_or_sealed();
}

#endif
