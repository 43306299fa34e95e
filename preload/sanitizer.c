/*
 * Programs built with a sanitizer (clang -fsanitize=address/thread/leak/memory, gcc's libasan.so
 * first in LD_PRELOAD) bring their own malloc, which the program's calls reach before ours: the
 * runtime is linked into the executable, or preloaded ahead of us. The sanitizer allocator never
 * forwards to the next malloc, so the sentinel's malloc is never called. What every sanitizer
 * runtime does offer is a public hook API (sanitizer/allocator_interface.h): functions it calls
 * after each user allocation and before each user free. Through them, allocations in sections
 * are reported as usual, only without the name of the entry point (the hook does not say whether
 * it was malloc, calloc or operator new: the backtrace does).
 */
#include "sentinel.h"
#include "filter.h"

#include <dlfcn.h>

typedef void (*san_malloc_hook)(const volatile void *ptr, size_t size);
typedef void (*san_free_hook)(const volatile void *ptr);
typedef int (*san_install)(san_malloc_hook, san_free_hook);

#define INSTALL_NAME "__sanitizer_install_malloc_and_free_hooks"

static void report(const char *op, size_t size, int has_size)
{
    /* The operator new that the sentinel interposed (a C program with a C++ library) already
     * reported this allocation. */
    if (hp_new_pending_active()) {
        hp_new_pending = 0;
        return;
    }
    if (!hp_filter_pass(HP_CHECK_ALLOC)) return; /* the one filter (filter.h) */
    struct hp_event ev = {.kind = HP_KIND_ALLOC,
                          .category = HP_CHECK_ALLOC,
                          .op = op,
                          .size = size,
                          .align = 0,
                          .has_size = has_size};
    hp_violation(&ev);
}

/* Called by the sanitizer with its allocator unlocked, after the allocation is complete: the report
 * path may allocate (its own allocations pass under hp_in_sentinel). */
static void on_malloc(const volatile void *ptr, size_t size)
{
    (void)ptr;
    if (HP_UNLIKELY(hp_thread_hot_or_sealed())) report("allocation", size, 1);
}

static void on_free(const volatile void *ptr)
{
    if (HP_UNLIKELY(hp_opt.check_free && hp_thread_hot_or_sealed()) && ptr) report("free", 0, 0);
}

HP_HIDDEN int hp_sanitizer_present(void);
int hp_sanitizer_present(void) { return dlsym(RTLD_DEFAULT, INSTALL_NAME) != NULL; }

/* 1: the hooks are installed; 0: no sanitizer runtime in the process; -1: it refused (all of its
 * hook slots are taken). */
HP_HIDDEN int hp_sanitizer_attach(void);
int hp_sanitizer_attach(void)
{
    san_install install = (san_install)dlsym(RTLD_DEFAULT, INSTALL_NAME);
    if (!install) return 0;
    return install(on_malloc, on_free) ? 1 : -1;
}
