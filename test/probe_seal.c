/* hotpath_seal(): every thread hot after start-up, allow regions excepted, until hotpath_unseal(). */
#define _GNU_SOURCE
#include <hotpath.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile sink;
static pthread_barrier_t sealed, done;

static void *worker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&sealed);
    sink = malloc(21); /* LINE:worker: a thread that never entered a section */
    pthread_barrier_wait(&done);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "threads";
    if (!strcmp(s, "threads")) {
        pthread_t t;
        pthread_barrier_init(&sealed, NULL, 2);
        pthread_barrier_init(&done, NULL, 2);
        pthread_create(&t, NULL, worker, NULL);
        hotpath_seal();
        int was_sealed = hotpath_sealed();
        pthread_barrier_wait(&sealed);
        hotpath_allow_begin();
        sink = malloc(22); /* allowed */
        hotpath_allow_end();
        pthread_barrier_wait(&done);
        hotpath_unseal();
        pthread_join(t, NULL);
        sink = malloc(23); /* unsealed: fine */
        printf("sealed %d after %d\n", was_sealed, hotpath_sealed());
    } else if (!strcmp(s, "calloc_realloc")) {
        void *p = malloc(8);
        hotpath_seal();
        sink = calloc(2, 8);
        sink = p = realloc(p, 64); /* through the volatile sink: compilers may elide an unused allocation */
        hotpath_unseal();
        free(p);
    }
    printf("survived\n");
    return 0;
}
