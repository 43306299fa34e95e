/*
 * hp_cpu.h - the one architecture-specific instruction the API library and the sentinel use: the
 * spin-wait hint. Not installed.
 */
#ifndef HP_CPU_H
#define HP_CPU_H

/* Tell the CPU this thread is spinning on a lock or flag another thread will change: x86 `pause`,
 * AArch64 `yield` (it lets the sibling hardware thread run and saves power while the line it waits
 * for is owned elsewhere). Elsewhere a compiler barrier, so the loop still re-reads memory. Never
 * enters the kernel, never allocates; a few cycles (x86 pause: up to ~140 on recent Intel cores). */
static inline void hp_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

#endif /* HP_CPU_H */
