/*
 * probe_names: a clean program whose sections the exit summary counts per name (section_names=1).
 *   probe_names [skip]
 * Three threads each enter "worker" with "inner" nested 1000 times; two exit before main returns,
 * the third is still blocked when it does. main enters "worker" once more through a name at
 * another address (a copy), and "audio" 7 times unless told "skip". Expected: worker 3001,
 * inner 3000, audio 7 (0 with skip), 6008 sections entered (6001).
 */
#include "hotpath.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

static int ready[2], hold[2];

static void work(void)
{
    for (int i = 0; i < 1000; i++) {
        hotpath_enter("worker");
        hotpath_enter("inner");
        hotpath_exit();
        hotpath_exit();
    }
}

static void *exits(void *arg)
{
    work();
    return arg;
}

static void *stays(void *arg)
{
    work();
    char c = 1;
    if (write(ready[1], &c, 1) != 1) return NULL;
    if (read(hold[0], &c, 1) < 0) return NULL; /* never written: blocked until the process exits */
    return arg;
}

int main(int argc, char **argv)
{
    if (pipe(ready) != 0 || pipe(hold) != 0) return 1;
    pthread_t t[3];
    pthread_create(&t[0], NULL, exits, NULL);
    pthread_create(&t[1], NULL, exits, NULL);
    pthread_create(&t[2], NULL, stays, NULL);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    char c;
    if (read(ready[0], &c, 1) != 1) return 1;
    static char copy[16];
    strcpy(copy, "worker"); /* the same name at another address: merged at exit */
    hotpath_enter(copy);
    hotpath_exit();
    if (!(argc > 1 && strcmp(argv[1], "skip") == 0))
        for (int i = 0; i < 7; i++) {
            hotpath_enter("audio");
            hotpath_exit();
        }
    return 0;
}
