/*
 * Capturing the calling thread's stack with libunwind, the sentinel's own frames cut off the top,
 * so that frame #0 is whoever called malloc (the user's code, or strdup / operator new).
 *
 * libunwind is loaded at the first backtrace (lazylib.c), not at start-up; the functions used are
 * looked up by their real (architecture-prefixed) names, which libunwind.h's macros expand to.
 */
#include "symbolize_impl.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <link.h>

#ifndef HP_LIBUNWIND_SONAME
#define HP_LIBUNWIND_SONAME "libunwind.so.8"
#endif
static struct hp_lazy_lib libunwind = {HP_LIBUNWIND_SONAME, "backtraces (install libunwind8)", 0, NULL};

#define HP_STR_(x) #x
#define HP_STR(x) HP_STR_(x) /* the name a libunwind macro stands for */

/* The entry points, resolved together once; `ready` is published last. */
static struct {
    int (*backtrace)(void **, int);
    int (*getcontext)(unw_context_t *);
    int (*init_local)(unw_cursor_t *, unw_context_t *);
    int (*step)(unw_cursor_t *);
    int (*get_reg)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
    int ready; /* 1 resolved, -1 unavailable */
} unw;

static int load_libunwind(void)
{
    int r = __atomic_load_n(&unw.ready, __ATOMIC_ACQUIRE);
    if (r) return r > 0;
    if (!hp_lazy_open(&libunwind)) return 0; /* failed for good (said once), or not now */
        /* Threads that get here together store the same values (atomically: no torn pointers). */
#define RESOLVE(field, name)                                                                                 \
    __atomic_store_n(&unw.field, (__typeof__(unw.field))hp_lazy_sym(&libunwind, name), __ATOMIC_RELAXED)
    RESOLVE(backtrace, "unw_backtrace");
    RESOLVE(getcontext, HP_STR(unw_tdep_getcontext));
    RESOLVE(init_local, HP_STR(unw_init_local));
    RESOLVE(step, HP_STR(unw_step));
    RESOLVE(get_reg, HP_STR(unw_get_reg));
#undef RESOLVE
    r = unw.backtrace || (unw.getcontext && unw.init_local && unw.step && unw.get_reg) ? 1 : -1;
    __atomic_store_n(&unw.ready, r, __ATOMIC_RELEASE);
    if (r < 0)
        hp_diag("warning: " HP_LIBUNWIND_SONAME
                " lacks the functions the sentinel uses: reports show no backtraces");
    return r > 0;
}

static uintptr_t self_lo, self_hi; /* our own module's mapped range */

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    uintptr_t probe = (uintptr_t)data, lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo) lo = a;
        if (a + ph->p_memsz > hi) hi = a + ph->p_memsz;
    }
    if (probe >= lo && probe < hi) {
        self_lo = lo;
        self_hi = hi;
        return 1;
    }
    return 0;
}

void hp_unwind_init(void) { dl_iterate_phdr(find_self, (void *)(uintptr_t)&hp_unwind_init); }

void hp_unwind_forget(void) { hp_lazy_forget(&libunwind); }

int hp_in_sentinel_module(uintptr_t pc) { return pc >= self_lo && pc < self_hi; }

/* The step-by-step unwinder, for when libunwind's fast tracer gives up. */
static int unwind_slow(void **raw, int max)
{
    unw_context_t ctx;
    unw_cursor_t cur;
    int n = 0;
    if (!unw.getcontext || !unw.init_local || !unw.step || !unw.get_reg) return 0;
    if (unw.getcontext(&ctx) != 0 || unw.init_local(&cur, &ctx) != 0) return 0;
    while (n < max && unw.step(&cur) > 0) {
        unw_word_t ip = 0;
        if (unw.get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0) break;
        raw[n++] = (void *)ip;
    }
    return n;
}

int hp_unwind(uintptr_t *pcs, int max)
{
    void *raw[HP_MAX_FRAMES + 16];
    if (!load_libunwind()) return 0;
    int n = unw.backtrace ? unw.backtrace(raw, HP_MAX_FRAMES + 16) : 0;
    if (n <= 1) n = unwind_slow(raw, HP_MAX_FRAMES + 16);
    int i = 0, out = 0;
    while (i < n && hp_in_sentinel_module((uintptr_t)raw[i]))
        i++;
    for (; i < n && out < max; i++)
        pcs[out++] = (uintptr_t)raw[i];
    return out;
}
