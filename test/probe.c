/*
 * The program the sentinel's tests run under LD_PRELOAD: one scenario per run, chosen by argv[1].
 * Each scenario prints "survived" if it gets to the end. Built with -g so that reports carry
 * file:line; the lines marked "LINE:name" are looked up by the tests.
 */
#define _GNU_SOURCE
#include <hotpath.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;
static void *volatile nothing;
static volatile size_t huge = SIZE_MAX / 2; /* volatile: keep the compiler from refusing the call */

/* noinline: the tests expect op() as frame #0 */
__attribute__((noinline)) static int op(const char *name)
{
    void *pre = malloc(64), *p = NULL;
    int known = 1;
    hotpath_enter("probe_section");
    if (!strcmp(name, "malloc"))
        p = malloc(32); /* LINE:malloc */
    else if (!strcmp(name, "calloc"))
        p = calloc(4, 8);
    else if (!strcmp(name, "calloc_overflow"))
        p = calloc(huge, 4);
    else if (!strcmp(name, "realloc"))
        p = realloc(pre, 4096), pre = NULL;
    else if (!strcmp(name, "realloc_null"))
        p = realloc(nothing, 100); /* a volatile NULL: compilers turn realloc(NULL, n) into malloc */
    else if (!strcmp(name, "posix_memalign")) {
        if (posix_memalign(&p, 64, 128)) p = NULL;
    } else if (!strcmp(name, "aligned_alloc"))
        p = aligned_alloc(64, 128);
    else if (!strcmp(name, "memalign"))
        p = memalign(64, 128);
    else if (!strcmp(name, "valloc"))
        p = valloc(100);
    else if (!strcmp(name, "pvalloc"))
        p = pvalloc(100);
    else if (!strcmp(name, "reallocarray"))
        p = reallocarray(pre, 16, 64), pre = NULL;
    else if (!strcmp(name, "strdup"))
        p = strdup("hot path string");
    else if (!strcmp(name, "fopen")) {
        FILE *f = fopen("/dev/null", "r");
        if (f) fclose(f);
    } else if (!strcmp(name, "free")) {
        free(pre);
        pre = NULL;
    } else if (!strcmp(name, "free_null"))
        free(NULL);
    else if (!strcmp(name, "usable_size"))
        sink = (void *)malloc_usable_size(pre);
    else if (!strcmp(name, "none"))
        p = NULL;
    else
        known = 0;
    sink = p;
    hotpath_exit();
    free(p);
    free(pre);
    return known;
}

static void *hot_worker(void *arg)
{
    hotpath_enter((const char *)arg);
    sink = malloc(40); /* LINE:thread */
    hotpath_exit();
    return NULL;
}

static void *cold_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        void *p = malloc(48);
        sink = p;
        free(p);
    }
    return NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    sink = malloc(24); /* LINE:handler */
}

__attribute__((noinline)) static void scoped(void)
{
    HOTPATH_SCOPE("scoped_section");
    sink = malloc(8);
}

__attribute__((noinline)) static void whole_function(void)
{
    HOTPATH_FUNCTION();
    sink = malloc(8);
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "malloc";
    if (op(s)) {
        /* one operation in probe_section */
    } else if (!strcmp(s, "nested")) {
        hotpath_enter("outer_section");
        hotpath_enter("inner_section");
        sink = malloc(16);
        hotpath_exit();
        sink = malloc(16);
        hotpath_exit();
    } else if (!strcmp(s, "allow")) {
        hotpath_enter("allow_section");
        hotpath_allow_begin();
        sink = malloc(16);
        hotpath_allow_begin();
        hotpath_allow_end();
        sink = malloc(16); /* still allowed: regions nest */
        hotpath_allow_end();
        sink = malloc(17); /* reported */
        hotpath_exit();
    } else if (!strcmp(s, "threads")) {
        pthread_t t[3];
        pthread_create(&t[0], NULL, hot_worker, "thread_a");
        pthread_create(&t[1], NULL, hot_worker, "thread_b");
        pthread_create(&t[2], NULL, cold_worker, NULL);
        for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    } else if (!strcmp(s, "scope")) {
        scoped();
        sink = malloc(16);
    } else if (!strcmp(s, "function")) {
        whole_function();
        sink = malloc(16);
    } else if (!strcmp(s, "repeat")) {
        for (volatile int i = 0; i < 5; i++) {
            hotpath_enter("repeat_section");
            sink = malloc(24); /* LINE:repeat */
            hotpath_exit();
        }
    } else if (!strcmp(s, "two_sites")) {
        hotpath_enter("site_section");
        for (volatile int i = 0; i < 3; i++) sink = malloc(8); /* volatile: one call site, not unrolled */
        sink = calloc(1, 8);
        hotpath_exit();
    } else if (!strcmp(s, "unbalanced")) {
        hotpath_exit();
        hotpath_allow_end();
        sink = malloc(16);
    } else if (!strcmp(s, "deep")) {
        for (int i = 0; i < 10000; i++) hotpath_enter("deep_section");
        sink = malloc(16);
        for (int i = 0; i < 10000; i++) hotpath_exit();
        sink = malloc(16);
    } else if (!strcmp(s, "nullname")) {
        hotpath_enter(NULL);
        sink = malloc(16);
        hotpath_exit();
    } else if (!strcmp(s, "longname")) {
        static char name[20000];
        memset(name, 'n', sizeof name - 1);
        name[5] = '\n';
        hotpath_enter(name);
        sink = malloc(16);
        hotpath_exit();
    } else if (!strcmp(s, "fork")) {
        /* The child inherits the forking thread's section: its allocation is reported by the
         * child itself; the parent, which left the section, is clean. */
        hotpath_enter("fork_section");
        pid_t pid = fork();
        if (pid == 0) {
            sink = malloc(16); /* LINE:fork_child */
            hotpath_exit();
            _exit(0);
        }
        hotpath_exit();
        int st = 0;
        waitpid(pid, &st, 0);
        printf("child %s %d\n", WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    } else if (!strcmp(s, "signal")) {
        signal(SIGUSR1, on_signal);
        hotpath_enter("signal_section");
        raise(SIGUSR1);
        hotpath_exit();
    } else if (!strcmp(s, "errno")) {
        void *p = malloc(10);
        errno = 4242;
        free(p);
        free(NULL);
        printf("errno %d\n", errno);
    } else if (!strcmp(s, "queries")) {
        printf("active %d depth %u hot %d\n", hotpath_sentinel_active(), hotpath_depth(), hotpath_is_hot());
        hotpath_enter("q_outer");
        hotpath_enter("q_inner");
        printf("depth %u section %s hot %d\n", hotpath_depth(), hotpath_section(), hotpath_is_hot());
        hotpath_allow_begin();
        printf("allowed hot %d\n", hotpath_is_hot());
        hotpath_allow_end();
        hotpath_exit();
        printf("depth %u section %s\n", hotpath_depth(), hotpath_section());
        hotpath_exit();
        printf("violations %lu\n", hotpath_violations());
    } else if (!strcmp(s, "fd_reuse")) {
        /* A program that closes every descriptor it does not know and opens its own files: the
         * sentinel's log descriptor number goes to one of them; reports must not land there. */
        hotpath_enter("first");
        sink = malloc(16);
        hotpath_exit();
        for (int fd = 3; fd < 64; fd++) close(fd);
        char path[64];
        snprintf(path, sizeof path, "/tmp/hotpath-probe-data.%d", (int)getpid());
        int data = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (write(data, "DATA", 4) != 4) return 3;
        hotpath_enter("second");
        sink = malloc(32);
        hotpath_exit();
        off_t size = lseek(data, 0, SEEK_END);
        close(data);
        unlink(path);
        printf("data file %ld bytes\n", (long)size);
    } else if (!strcmp(s, "dlerror")) {
        /* Under HOTPATH_TEST_BOOTSTRAP_MISS=1 dlsym's error state was allocated from the bootstrap
         * arena; failing again frees it, through our free, which must recognise it. */
        for (int i = 0; i < 3; i++) {
            sink = dlsym(RTLD_DEFAULT, "hotpath_probe_no_such_symbol");
            printf("dlerror %s\n", dlerror() ? "set" : "clear");
        }
        void *p = malloc(100);
        p = realloc(p, 200);
        printf("usable %d\n", malloc_usable_size(p) >= 200);
        free(p);
    } else if (!strcmp(s, "count_api")) {
        hotpath_enter("c");
        for (int i = 0; i < 7; i++) {
            void *p = malloc(8);
            sink = p;
            free(p);
        }
        hotpath_exit();
        printf("violations %lu\n", hotpath_violations());
    } else {
        fprintf(stderr, "probe: unknown scenario %s\n", s);
        return 2;
    }
    printf("survived\n");
    return 0;
}
