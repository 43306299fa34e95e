/* spawn_true N PRELOAD: start /bin/true N times, one after the other, with LD_PRELOAD=PRELOAD in
 * its environment ("" for none); prints microseconds per process (spawn to exit reaped). The
 * start-up cost of the sentinel, per process, for bench/hosts.sh. */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: spawn_true N PRELOAD\n");
        return 2;
    }
    int n = atoi(argv[1]);
    char pre[4096];
    snprintf(pre, sizeof pre, "LD_PRELOAD=%s", argv[2]);
    char *envp[] = {argv[2][0] ? pre : NULL, NULL};
    char *args[] = {"/bin/true", NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        pid_t pid;
        int st;
        if (posix_spawn(&pid, args[0], NULL, NULL, args, envp) != 0 || waitpid(pid, &st, 0) != pid || st != 0) {
            fprintf(stderr, "spawn_true: /bin/true failed\n");
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.2f\n", ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 1e3 / n);
    return 0;
}
