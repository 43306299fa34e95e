/*
 * Capturing the calling thread's stack with libunwind, the sentinel's own frames cut off the top,
 * so that frame #0 is whoever called malloc (the user's code, or strdup / operator new).
 */
#include "sentinel.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <link.h>

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

int hp_in_sentinel_module(uintptr_t pc) { return pc >= self_lo && pc < self_hi; }

/* The step-by-step unwinder, for when libunwind's fast tracer gives up. */
static int unwind_slow(void **raw, int max)
{
    unw_context_t ctx;
    unw_cursor_t cur;
    int n = 0;
    if (unw_getcontext(&ctx) != 0 || unw_init_local(&cur, &ctx) != 0) return 0;
    while (n < max && unw_step(&cur) > 0) {
        unw_word_t ip = 0;
        if (unw_get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0) break;
        raw[n++] = (void *)ip;
    }
    return n;
}

int hp_unwind(uintptr_t *pcs, int max)
{
    void *raw[HP_MAX_FRAMES + 16];
    int n = unw_backtrace(raw, HP_MAX_FRAMES + 16);
    if (n <= 1) n = unwind_slow(raw, HP_MAX_FRAMES + 16);
    int i = 0, out = 0;
    while (i < n && hp_in_sentinel_module((uintptr_t)raw[i])) i++;
    for (; i < n && out < max; i++) pcs[out++] = (uintptr_t)raw[i];
    return out;
}
