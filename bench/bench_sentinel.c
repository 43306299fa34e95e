/*
 * Micro-benchmarks of the sentinel's costs. One measurement per run, chosen by argv[1]; prints
 * nanoseconds per operation. bench/sentinel.sh runs them with and without the preload, many
 * times, alternating, and prints medians and ratios measured in the same run.
 *
 *   pair1  malloc(32)+free on one thread (outside any section: the pass-through path)
 *   pair2  the same on two threads at once (mean of both)
 *   enter  hotpath_enter+hotpath_exit, the header's inline marks
 *   calls  the same through the exported out-of-line functions (two calls into a shared library)
 *   rtsan  __rtsan_realtime_enter+exit (only in the binary linked with RealtimeSanitizer)
 *   mutex  an uncontended pthread_mutex_lock+unlock pair (run with check=all, outside sections)
 *   instr  a call to an empty function built with -finstrument-functions (hooks on entry and exit)
 *   plain  a call to the same empty function built without it
 */
#define _GNU_SOURCE
#include <hotpath.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef WITH_RTSAN
void __rtsan_realtime_enter(void);
void __rtsan_realtime_exit(void);
#endif

static long iters;
void bench_instrumented_leaf(void);
void bench_plain_leaf(void);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static double pairs(void)
{
    double t0 = now();
    for (long i = 0; i < iters; i++) {
        void *p = malloc(32);
        __asm__ volatile("" : : "r"(p) : "memory");
        free(p);
    }
    return (now() - t0) / iters;
}

static void *pairs_thread(void *out)
{
    *(double *)out = pairs();
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "pair1";
    iters = argc > 2 ? atol(argv[2]) : 10000000;
    double ns = 0;
    long n = iters;
    iters = 1000000; /* a fixed warm-up, so that instruction counts of two runs differ by the loop only */
    pairs();         /* warm the allocator's caches and the lazy bindings */
    iters = n;
    if (!strcmp(mode, "pair1")) {
        ns = pairs();
    } else if (!strcmp(mode, "pair2")) {
        pthread_t t[2];
        double r[2];
        for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, pairs_thread, &r[i]);
        for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
        ns = (r[0] + r[1]) / 2;
    } else if (!strcmp(mode, "enter")) {
        double t0 = now();
        for (long i = 0; i < iters; i++) {
            hotpath_enter("bench");
            hotpath_exit();
        }
        ns = (now() - t0) / iters;
    } else if (!strcmp(mode, "mutex")) {
        static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
        double t0 = now();
        for (long i = 0; i < iters; i++) {
            pthread_mutex_lock(&m);
            pthread_mutex_unlock(&m);
        }
        ns = (now() - t0) / iters;
    } else if (!strcmp(mode, "instr") || !strcmp(mode, "plain")) {
        void (*f)(void) = !strcmp(mode, "instr") ? bench_instrumented_leaf : bench_plain_leaf;
        double t0 = now();
        for (long i = 0; i < iters; i++) f();
        ns = (now() - t0) / iters;
    } else if (!strcmp(mode, "calls")) {
        void (*volatile enter)(const char *) = (void (*)(const char *))dlsym(RTLD_DEFAULT, "hotpath_enter");
        void (*volatile leave)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "hotpath_exit");
        double t0 = now();
        for (long i = 0; i < iters; i++) {
            enter("bench");
            leave();
        }
        ns = (now() - t0) / iters;
#ifdef WITH_RTSAN
    } else if (!strcmp(mode, "rtsan")) {
        double t0 = now();
        for (long i = 0; i < iters; i++) {
            __rtsan_realtime_enter();
            __rtsan_realtime_exit();
        }
        ns = (now() - t0) / iters;
#endif
    } else {
        fprintf(stderr, "bench_sentinel: unknown mode %s\n", mode);
        return 2;
    }
    printf("%.3f\n", ns);
    return 0;
}
