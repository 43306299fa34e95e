/*
 * The gate tests' probe: a program whose hot-path violations are known by line, so the tests can
 * check that hotpath-check's annotations point at this file and that line. Built with -g.
 *
 *   probe_gate clean [STATUS]  a hot section that does not allocate; exits STATUS (default 0)
 *   probe_gate malloc          one malloc in section gate_section (the GATE_MALLOC line)
 *   probe_gate nested          a malloc in inner_section inside outer_section (GATE_NESTED)
 *   probe_gate repeat N        N mallocs from one call stack (GATE_REPEAT)
 *   probe_gate fork N          N children each malloc once (GATE_CHILD); the parent waits, ignores
 *                              how they ended and exits 0, so only the marks tell
 *
 * The lines the tests look for carry a marker comment (GATE_...): keep one statement per line.
 */
#define _GNU_SOURCE
#include <hotpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

__attribute__((noinline)) static void hot_malloc(size_t n)
{
    hotpath_enter("gate_section");
    sink = malloc(n); /* GATE_MALLOC */
    hotpath_exit();
    free(sink);
}

__attribute__((noinline)) static void hot_nested(void)
{
    hotpath_enter("outer_section");
    hotpath_enter("inner_section");
    sink = malloc(48); /* GATE_NESTED */
    hotpath_exit();
    hotpath_exit();
    free(sink);
}

__attribute__((noinline)) static void hot_repeat(int n)
{
    for (int i = 0; i < n; i++) {
        hotpath_enter("repeat_section");
        sink = malloc(16); /* GATE_REPEAT */
        hotpath_exit();
        free(sink);
    }
}

__attribute__((noinline)) static void hot_child(void)
{
    hotpath_enter("child_section");
    sink = malloc(24); /* GATE_CHILD */
    hotpath_exit();
    free(sink);
}

__attribute__((noinline)) static int hot_clean(void)
{
    static char buf[64];
    hotpath_enter("clean_section");
    snprintf(buf, sizeof buf, "%d", 42);
    hotpath_exit();
    return buf[0] == '4';
}

static int forks(int n)
{
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) return perror("fork"), 1;
        if (pid == 0) {
            hot_child();
            _exit(0);
        }
    }
    while (wait(NULL) > 0) {
    }
    return 0; /* how the children ended is deliberately not reported */
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "clean";
    int n = argc > 2 ? atoi(argv[2]) : 1;
    if (!strcmp(what, "clean")) return hot_clean() ? (argc > 2 ? n : 0) : 99;
    if (!strcmp(what, "malloc")) hot_malloc(32);
    else if (!strcmp(what, "nested")) hot_nested();
    else if (!strcmp(what, "repeat")) hot_repeat(n);
    else if (!strcmp(what, "fork")) return forks(n);
    else return fprintf(stderr, "probe_gate: unknown case '%s'\n", what), 2;
    printf("survived\n");
    return 0;
}
