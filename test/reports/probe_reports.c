/*
 * Probe for the report tests (test_reports.c): each scenario, named by argv[1], does one thing the
 * sentinel must report, count or survive, and prints "survived" to stdout when it gets to its end.
 * Built -O1 -g; the allocations go through a volatile pointer so that the compiler keeps them.
 */
#define _GNU_SOURCE
#include <hotpath.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

__attribute__((noinline)) static void allocate(size_t n) { do_free(do_malloc(n)); }

static void *five_sections(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        hotpath_enter("worker");
        hotpath_exit();
    }
    return NULL;
}

/* 3 threads of 5 sections each (all exited before the end) and 1 in main: 16. */
static void sixteen_sections(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, five_sections, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    hotpath_enter("main");
    hotpath_exit();
}

/* ---- many distinct stacks: a path of LEVELS calls, each through one of two functions chosen by a
 * bit of the stack's number, so that stack i and stack j differ in their return addresses. Two
 * functions rather than two call sites in one: compilers merge identical calls (clang does). */
#define LEVELS 14 /* 16384 distinct stacks */
static volatile int after;
static void path(unsigned int bits, int level);
__attribute__((noinline)) static void via_a(unsigned int bits, int level)
{
    path(bits, level);
    after += 1; /* not a tail call: the frame stays on the stack */
}
__attribute__((noinline)) static void via_b(unsigned int bits, int level)
{
    path(bits, level);
    after += 2;
}
__attribute__((noinline)) static void path(unsigned int bits, int level)
{
    if (level == 0) {
        allocate(8);
        return;
    }
    if (bits & 1)
        via_a(bits >> 1, level - 1);
    else
        via_b(bits >> 1, level - 1);
    after += 3;
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Stacks 0..n-1, each `rounds` times; prints the time per violation of the first round (a full
 * report per stack in warn mode) and of the later ones (repeats: counted only). */
static void stacks(unsigned int n, int rounds)
{
    double first = 0, repeats = 0;
    hotpath_enter("stacks");
    for (int r = 0; r < rounds; r++) {
        double t0 = now_ns();
        for (unsigned int i = 0; i < n; i++)
            path(i, LEVELS);
        double t = now_ns() - t0;
        if (r == 0)
            first = t;
        else
            repeats += t;
    }
    hotpath_exit();
    printf("first_ns %.0f\nrepeat_ns %.0f\n", first / n,
           rounds > 1 ? repeats / ((double)n * (rounds - 1)) : 0.0);
}

/* ---- small stacks: a violation where little stack is left -------------------------------------- */
__attribute__((noinline)) static void hot_on_small_stack(void)
{
    hotpath_enter("small_stack");
    allocate(24);
    hotpath_exit();
}

static void *small_thread(void *arg)
{
    (void)arg;
    hot_on_small_stack();
    return NULL;
}

/* A thread of `kb` KiB of stack (glibc takes its static TLS and guard from it too). */
static int thread_with_stack(size_t kb)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    int rc = pthread_attr_setstacksize(&a, kb * 1024);
    pthread_t t;
    if (rc == 0) rc = pthread_create(&t, &a, small_thread, NULL);
    pthread_attr_destroy(&a);
    if (rc != 0) {
        fprintf(stderr, "probe_reports: no %zu KiB thread: %s\n", kb, strerror(rc));
        return 3;
    }
    pthread_join(t, NULL);
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    hot_on_small_stack();
}

/* A signal handler on a sigaltstack of `kb` KiB, raised inside a section. */
static int handler_on_altstack(size_t kb)
{
    stack_t ss = {.ss_sp = mmap(NULL, kb * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  .ss_size = kb * 1024,
                  .ss_flags = 0};
    if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL) != 0) return 3;
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    return 0;
}

/* A coroutine on a `kb` KiB makecontext stack with a guard page below it. */
static ucontext_t main_ctx, co_ctx;
static void coroutine(void) { hot_on_small_stack(); }
static int in_coroutine(size_t kb)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), len = kb * 1024;
    char *m = mmap(NULL, len + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m, page, PROT_NONE) != 0) return 3;
    getcontext(&co_ctx);
    co_ctx.uc_stack.ss_sp = m + page;
    co_ctx.uc_stack.ss_size = len;
    co_ctx.uc_link = &main_ctx;
    makecontext(&co_ctx, coroutine, 0);
    swapcontext(&main_ctx, &co_ctx);
    return 0;
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "";
    if (!strcmp(s, "clean")) {
        sixteen_sections();
    } else if (!strcmp(s, "nothing")) {
        /* no section at all: a tool the sentinel rides in without checking anything */
    } else if (!strcmp(s, "one_violation")) {
        sixteen_sections();
        hotpath_enter("main");
        allocate(8);
        hotpath_exit();
    } else if (!strcmp(s, "fork")) {
        /* The parent enters 16 sections, the child 2 of its own: each process counts its own. */
        sixteen_sections();
        pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < 2; i++) {
                hotpath_enter("child");
                hotpath_exit();
            }
            exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        printf("child %d\n", (int)pid);
    } else if (!strcmp(s, "stacks") && argc > 3) {
        stacks((unsigned int)atoi(argv[2]), atoi(argv[3]));
    } else if (!strcmp(s, "thread_stack") && argc > 2) {
        if (thread_with_stack((size_t)atoi(argv[2]))) return 3;
    } else if (!strcmp(s, "sigaltstack") && argc > 2) {
        if (handler_on_altstack((size_t)atoi(argv[2]))) return 3;
    } else if (!strcmp(s, "coroutine") && argc > 2) {
        if (in_coroutine((size_t)atoi(argv[2]))) return 3;
    } else if (!strcmp(s, "nonblock") && argc > 2) {
        /* An event loop's stderr: non-blocking. N reports from one stack (run with dedup=0). */
        fcntl(2, F_SETFL, fcntl(2, F_GETFL) | O_NONBLOCK);
        int n = atoi(argv[2]);
        hotpath_enter("nonblock");
        for (int i = 0; i < n; i++)
            allocate(40);
        hotpath_exit();
    } else if (!strcmp(s, "sealed")) {
        hotpath_seal();
        hotpath_unseal();
    } else {
        fprintf(stderr, "probe_reports: unknown scenario '%s'\n", s);
        return 2;
    }
    printf("survived\n");
    return 0;
}
