/*
 * Start-up and shut-down of the sentinel: options, the check that this library really is the
 * malloc the process calls, fork handling, and the exit summary.
 */
#include "sentinel.h"

#include "hotpath.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

HP_HIDDEN void hp_hooks_finish_init(void);
HP_HIDDEN void *hp_hooks_own_malloc(void);

static __thread int probing __attribute__((tls_model("initial-exec")));
static int probe_hit;

/* Called by the malloc slow path (hooks.c) while probing: it is proof that a call to the
 * process's malloc reaches this library. */
HP_HIDDEN int hp_init_probe_hit(void);
int hp_init_probe_hit(void)
{
    if (!probing) return 0;
    probe_hit = 1;
    return 1;
}

/* Does a call to `malloc`, as the program itself would make it, reach us? Comparing addresses is
 * not enough (a non-PIE executable that takes malloc's address owns a canonical PLT entry for it),
 * so call it while this thread looks hot and see whether our slow path ran. */
static void check_not_bypassed(void)
{
    void *(*process_malloc)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "malloc");
    void (*process_free)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "free");
    if (!process_malloc || !process_free) return;
    /* An impossible size: every allocator answers NULL at once, so the probe leaves no trace in
     * the heap (even a 1-byte block taken here shifts the heap's layout for the whole run). */
    int saved_errno = errno;
    probing = 1;
    hotpath_thread_state.depth++;
    void *p = process_malloc(SIZE_MAX);
    hotpath_thread_state.depth--;
    probing = 0;
    if (p) process_free(p);
    errno = saved_errno;
    if (probe_hit) {
        __atomic_store_n(&hotpath__sentinel_loaded, 1, __ATOMIC_RELEASE);
        return;
    }
    Dl_info info;
    const char *where = dladdr((void *)process_malloc, &info) && info.dli_fname ? info.dli_fname : "?";
    char mem[1400];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "warning: libhotpath.so is loaded but is not the malloc this process calls "
                   "(malloc resolves to ");
    hp_buf_name(&b, where, 1000);
    hp_buf_str(&b, "); allocations will NOT be checked. Put libhotpath.so first in LD_PRELOAD; an "
                   "allocator linked into the executable cannot be checked.");
    mem[b.len] = 0;
    hp_diag(mem);
}

static void atfork_child(void)
{
    __atomic_store_n(&hotpath__violation_count, 0, __ATOMIC_RELAXED);
    hp_violation_atfork_child();
}

__attribute__((constructor(101))) static void hp_start(void)
{
    int secure = getauxval(AT_SECURE) != 0;
    if (hp_options_parse(getenv("HOTPATH_OPTIONS"), secure) != 0) {
        hp_diag("error: stopping the process rather than run it with a weaker check than asked; "
                "fix HOTPATH_OPTIONS (see README, \"Options\")");
        _exit(2);
    }
    if (hp_opt.suppressions[0] && hp_suppressions_load(hp_opt.suppressions) != 0) {
        hp_diag("error: stopping the process rather than run it with other suppressions than asked");
        _exit(2);
    }
    hp_unwind_init();
    hp_violation_init();
    hp_blocking_init();
    hp_hooks_finish_init();
    pthread_atfork(hp_violation_atfork_prepare, hp_violation_atfork_parent, atfork_child);
    check_not_bypassed();
    if (hp_hot_functions_init() != 0) {
        hp_diag("error: stopping the process rather than run it with a weaker check than asked");
        _exit(2);
    }
}

__attribute__((destructor(101))) static void hp_stop(void) { hp_summary_at_exit(); }
