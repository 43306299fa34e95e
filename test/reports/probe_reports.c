/*
 * Probe for the report tests (test_reports.c): each scenario, named by argv[1], does one thing the
 * sentinel must report, count or survive, and prints "survived" to stdout when it gets to its end.
 * Built -O1 -g; the allocations go through a volatile pointer so that the compiler keeps them.
 */
#define _GNU_SOURCE
#include <hotpath.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

static void allocate(size_t n) { do_free(do_malloc(n)); }

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

/* ---- many distinct stacks: a path of LEVELS calls, each through one of two call sites chosen by
 * a bit of the stack's number, so that stack i and stack j differ in their return addresses. */
#define LEVELS 14 /* 16384 distinct stacks */
static volatile int after;
__attribute__((noinline)) static void mark(int v) { after += v; }
__attribute__((noinline)) static void path(unsigned int bits, int level)
{
    if (level == 0) {
        allocate(8);
        return;
    }
    if (bits & 1) {
        path(bits >> 1, level - 1);
        mark(1); /* different code after each call: the two calls keep their own return addresses */
    } else {
        path(bits >> 1, level - 1);
        mark(2);
    }
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
