/*
 * The report path's libraries (libunwind, libdw with libelf, libz, liblzma, libbz2) are loaded the
 * first time a report needs them, not at start-up: most processes a test suite runs under the
 * preload never report anything, and loading and relocating those libraries was most of the
 * sentinel's start-up cost after its own bootstrap.
 *
 * Loading happens inside a report, so it must never wait forever: the thread that is loading is
 * marked (a signal handler that reports on top of it gets no library rather than a self-deadlock),
 * and other threads wait for it a bounded time, like everything else on the report path. The
 * libraries are opened RTLD_LOCAL (their symbols stay out of the process's namespace: libunwind
 * defines `backtrace`), RTLD_NOW (no lazy binding later, inside a report), and are never closed.
 */
#include "symbolize_impl.h"

#include "hp_cpu.h"

#include <dlfcn.h>
#include <string.h>

enum { NOT_TRIED, LOADING, LOADED, FAILED };

static __thread int loading_here __attribute__((tls_model("initial-exec")));

static void say_failed(const struct hp_lazy_lib *l, const char *why)
{
    char mem[600];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "warning: cannot load ");
    hp_buf_str(&b, l->soname);
    hp_buf_str(&b, " (");
    hp_buf_name(&b, why ? why : "?", 300);
    hp_buf_str(&b, "): reports show no ");
    hp_buf_str(&b, l->what);
    mem[b.len] = 0;
    hp_diag(mem);
}

void *hp_lazy_open(struct hp_lazy_lib *l)
{
    for (int i = 0; i < 2200; i++) {
        int st = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
        if (st == LOADED) return l->handle;
        if (st == FAILED) return NULL;
        if (st == NOT_TRIED &&
            __atomic_compare_exchange_n(&l->state, &st, LOADING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            loading_here = 1;
            void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
            const char *why = h ? NULL : dlerror();
            loading_here = 0;
            l->handle = h;
            __atomic_store_n(&l->state, h ? LOADED : FAILED, __ATOMIC_RELEASE);
            if (!h) say_failed(l, why);
            return h;
        }
        if (loading_here) return NULL; /* we interrupted our own dlopen */
        if (i < 200)
            hp_cpu_relax();
        else
            hp_sys_sleep_ms(1);
    }
    return NULL;
}

void *hp_lazy_sym(struct hp_lazy_lib *l, const char *name)
{
    void *h = hp_lazy_open(l);
    return h ? dlsym(h, name) : NULL;
}

void hp_lazy_forget(struct hp_lazy_lib *l)
{
    int st = LOADING;
    __atomic_compare_exchange_n(&l->state, &st, NOT_TRIED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    loading_here = 0;
}
