/*
 * tick.h - the Ring 0 core's latency clock, the one architecture-specific piece of the example:
 * a counter read before a batch is taken and after it is handed back, converted to ns with a
 * rate calibrated against CLOCK_MONOTONIC at start-up (reactor.c). No allocation, no lock, no
 * system call on the counters' paths.
 *
 * x86-64: the TSC, rdtsc + lfence at the start (the batch's work does not begin before the read),
 * rdtscp at the end (it waits for the work to finish). AArch64: the generic timer's virtual count
 * (CNTVCT_EL0, readable at EL0 on Linux), each read after an isb so that it is not taken early.
 * Elsewhere clock_gettime(CLOCK_MONOTONIC), a vDSO read, exempt from the static check (which
 * cannot see into libc).
 */
#ifndef RING0_TICK_H
#define RING0_TICK_H

#include <hotpath.h>

#include <stdint.h>
#include <time.h>

static inline uint64_t tick_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
#include <x86intrin.h>
static inline uint64_t tick_start(void)
{
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}
static inline uint64_t tick_end(void)
{
    unsigned aux;
    return __rdtscp(&aux);
}
static const char tick_name[] = "TSC (rdtsc+lfence / rdtscp) per batch, ns from a CLOCK_MONOTONIC calibration";
#elif defined(__aarch64__)
static inline uint64_t tick_read(void)
{
    uint64_t t;
    __asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(t)::"memory");
    return t;
}
static inline uint64_t tick_start(void) { return tick_read(); }
static inline uint64_t tick_end(void) { return tick_read(); }
static const char tick_name[] = "CNTVCT_EL0 (isb+mrs) per batch, ns from a CLOCK_MONOTONIC calibration";
#else
static inline uint64_t tick_start(void) { return HOTPATH_UNCHECKED(tick_mono_ns()); }
static inline uint64_t tick_end(void) { return HOTPATH_UNCHECKED(tick_mono_ns()); }
static const char tick_name[] = "clock_gettime(CLOCK_MONOTONIC) per batch";
#endif

#endif /* RING0_TICK_H */
