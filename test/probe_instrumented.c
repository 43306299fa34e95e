/*
 * Built with -finstrument-functions and linked with libhotpath_api as usual: functions named in
 * HOTPATH_OPTIONS=hot_functions=... become hot sections without a mark in the source.
 */
#include <hotpath.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile sink;

__attribute__((noinline)) static void static_hot(void) { sink = malloc(11); }

__attribute__((noinline)) void global_hot(void) { sink = malloc(12); }

__attribute__((noinline)) int recursive_hot(int n)
{
    if (n == 0) {
        sink = malloc(13);
        return (int)hotpath_depth();
    }
    return recursive_hot(n - 1);
}

__attribute__((noinline)) static void cold_function(void) { sink = malloc(14); }

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "all";
    int deepest = -1;
    if (!strcmp(s, "all")) {
        static_hot();
        global_hot();
        cold_function();
    } else if (!strcmp(s, "recursive")) {
        deepest = recursive_hot(4);
    }
    printf("depth after %u deepest %d\n", hotpath_depth(), deepest);
    printf("survived\n");
    return 0;
}
