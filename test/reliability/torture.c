/*
 * The torture program: the sentinel's reliability suite runs it under LD_PRELOAD=libhotpath.so
 * (alone, or with a production allocator chained after it) with one scenario per run, chosen by
 * argv[1]. Each scenario checks its own data (memory contents, exit statuses, exact violation
 * counts where they are defined), prints what it measured on stdout and "survived" at the end.
 * A scenario that finds something wrong prints "FAIL: ..." and exits 3.
 *
 * Nothing here asserts inside a hot section with a function that allocates: counts are recorded
 * in plain variables, sections are left, then printed.
 */
#define _GNU_SOURCE
#include <hotpath.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static const char *self;
/* Keeps allocations observable. Written by many threads at once, so never freed through: each
 * thread frees its own local copy (freeing `sink` itself raced into double frees). */
static void *volatile sink;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        printf("FAIL: " __VA_ARGS__);                                                              \
        printf("\n");                                                                              \
        fflush(stdout);                                                                            \
        exit(3);                                                                                   \
    } while (0)

static long arg(int argc, char **argv, int i, long dflt) { return argc > i ? atol(argv[i]) : dflt; }

/* xorshift: each thread its own stream, no libc state shared between threads */
static uint64_t rnd(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* ---- churn: threads allocate, reallocate and free random sizes while entering and leaving
 * sections; a known number of allocations are made in sections. ----------------------------------- */
#define SLOTS 64
struct churn_arg {
    int id;
    long iters;
    long hot_every; /* one hot allocation every hot_every iterations (0: none) */
    long hot_done;
    char name[32];
};

static size_t pick_size(uint64_t *s)
{
    uint64_t r = rnd(s);
    switch (r % 16) {
    case 0: return (size_t)(r >> 8) % (1u << 20) + 1;  /* up to 1 MiB: mmap'd blocks */
    case 1: case 2: return (size_t)(r >> 8) % 65536 + 1;
    case 3: return 0;
    default: return (size_t)(r >> 8) % 512 + 1;
    }
}

static void fill(unsigned char *p, size_t n, unsigned char tag)
{
    if (!p || !n) return;
    p[0] = tag;
    p[n - 1] = tag;
    p[n / 2] = tag;
}
static int intact(const unsigned char *p, size_t n, unsigned char tag)
{
    return !p || !n || (p[0] == tag && p[n - 1] == tag && p[n / 2] == tag);
}

static long misaligned;
static void *churn_thread(void *v)
{
    struct churn_arg *a = v;
    uint64_t s = 0x9E3779B97F4A7C15ull * (uint64_t)(a->id + 1);
    unsigned char *slot[SLOTS] = {0};
    size_t size[SLOTS] = {0};
    unsigned char tag = (unsigned char)(a->id * 7 + 1);
    snprintf(a->name, sizeof a->name, "churn_%d", a->id);
    for (long i = 0; i < a->iters; i++) {
        int k = (int)(rnd(&s) % SLOTS);
        if (!intact(slot[k], size[k], tag)) FAIL("thread %d: block %d corrupted", a->id, k);
        size_t n = pick_size(&s);
        void *p;
        switch (rnd(&s) % 8) {
        case 0: case 1: /* realloc keeps the contents up to the smaller size */
            p = realloc(slot[k], n ? n : 1);
            if (!p) FAIL("realloc(%zu) failed", n);
            if (slot[k] && size[k] && n > 0) {
                size_t m = size[k] < n ? size[k] : n;
                if (((unsigned char *)p)[0] != tag || (m > size[k] / 2 && ((unsigned char *)p)[size[k] / 2] != tag))
                    FAIL("thread %d: realloc lost contents", a->id);
            }
            slot[k] = p;
            size[k] = n ? n : 1;
            break;
        case 2:
            free(slot[k]);
            slot[k] = calloc(1, n);
            size[k] = n;
            if (n && slot[k] && (slot[k][0] || slot[k][n - 1])) FAIL("calloc memory not zero");
            break;
        case 3: {
            free(slot[k]);
            void *q = NULL;
            size_t al = (size_t)16 << (rnd(&s) % 8);
            if (posix_memalign(&q, al, n)) FAIL("posix_memalign failed");
            if ((uintptr_t)q % al) __atomic_add_fetch(&misaligned, 1, __ATOMIC_RELAXED); /* reported, checked by the caller */
            slot[k] = q;
            size[k] = n;
            break;
        }
        case 4:
            free(slot[k]);
            slot[k] = NULL;
            size[k] = 0;
            break;
        default:
            free(slot[k]);
            slot[k] = malloc(n);
            size[k] = n;
            if (n && !slot[k]) FAIL("malloc(%zu) failed", n);
            break;
        }
        fill(slot[k], size[k], tag);
        if (n && slot[k] && malloc_usable_size(slot[k]) < size[k]) FAIL("malloc_usable_size too small");

        /* a section without allocation (free is allowed), and every hot_every-th one with one */
        hotpath_enter(a->name);
        int k2 = (k + 1) % SLOTS;
        free(slot[k2]);
        slot[k2] = NULL;
        size[k2] = 0;
        void *hot = NULL;
        if (a->hot_every && i % a->hot_every == 0) {
            sink = hot = malloc(40);
            a->hot_done++;
        }
        hotpath_exit();
        free(hot);
    }
    for (int k = 0; k < SLOTS; k++) free(slot[k]);
    return NULL;
}

static int churn(long threads, long iters, long hot_every)
{
    pthread_t t[64];
    struct churn_arg a[64];
    if (threads > 64) threads = 64;
    for (int i = 0; i < threads; i++) {
        a[i] = (struct churn_arg){.id = i, .iters = iters, .hot_every = hot_every};
        if (pthread_create(&t[i], NULL, churn_thread, &a[i])) FAIL("pthread_create");
    }
    long hot = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        hot += a[i].hot_done;
    }
    printf("threads %ld iterations %ld hot %ld violations %lu misaligned %ld\n", threads, threads * iters, hot,
           hotpath_violations(), misaligned);
    return 0;
}

/* ---- storm: waves of short-lived threads, each one hot allocation; some detached, some leave
 * with their section still open. ------------------------------------------------------------------ */
static long storm_done;
static void *storm_thread(void *v)
{
    long i = (long)v;
    void *cold = malloc(64 + (size_t)i % 256);
    hotpath_enter("storm");
    void *hot = malloc(24);
    sink = hot;
    if (i % 7 == 3) { /* leaves with the section open: its TLS goes away with it */
        __atomic_add_fetch(&storm_done, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    hotpath_exit();
    free(hot);
    free(cold);
    __atomic_add_fetch(&storm_done, 1, __ATOMIC_RELAXED);
    return NULL;
}

static int storm(long waves, long per_wave)
{
    long total = 0;
    pthread_attr_t det;
    pthread_attr_init(&det);
    pthread_attr_setdetachstate(&det, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&det, 64 * 1024);
    for (long w = 0; w < waves; w++) {
        pthread_t t[256];
        int joinable[256];
        for (long i = 0; i < per_wave && i < 256; i++, total++) {
            joinable[i] = i % 4 != 0;
            int rc = pthread_create(&t[i], joinable[i] ? NULL : &det, storm_thread, (void *)total);
            if (rc) FAIL("pthread_create: %s", strerror(rc));
        }
        for (long i = 0; i < per_wave && i < 256; i++)
            if (joinable[i]) pthread_join(t[i], NULL);
    }
    for (int i = 0; i < 5000 && __atomic_load_n(&storm_done, __ATOMIC_RELAXED) < total; i++) usleep(1000);
    printf("threads %ld finished %ld violations %lu\n", total, storm_done, hotpath_violations());
    return 0;
}

/* ---- busy threads that keep the allocator's locks taken, for the fork and spawn scenarios -------- */
static volatile int busy_stop;
static void *busy_thread(void *v)
{
    uint64_t s = (uintptr_t)v * 2654435761u + 1;
    void *keep[32] = {0};
    while (!busy_stop) {
        int k = (int)(rnd(&s) % 32);
        free(keep[k]);
        keep[k] = malloc(pick_size(&s) % 8192 + 1);
    }
    for (int k = 0; k < 32; k++) free(keep[k]);
    return NULL;
}
static pthread_t busy_t[8];
static int busy_n;
static void busy_start(int n)
{
    busy_n = n;
    for (int i = 0; i < n; i++) pthread_create(&busy_t[i], NULL, busy_thread, (void *)(uintptr_t)(i + 1));
}
static void busy_end(void)
{
    busy_stop = 1;
    for (int i = 0; i < busy_n; i++) pthread_join(busy_t[i], NULL);
}

/* A reporting thread: keeps writing full reports (warn mode, dedup=0) while others fork. */
static volatile int reporter_stop;
static long reporter_reports;
static void *reporter_thread(void *v)
{
    (void)v;
    while (!reporter_stop) {
        hotpath_enter("reporter");
        void *hot = malloc(72);
        sink = hot;
        hotpath_exit();
        free(hot);
        reporter_reports++;
    }
    return NULL;
}

/* ---- fork from a threaded process ------------------------------------------------------------------ */
static int child_work(int hot)
{
    /* the child allocates (glibc's and the sentinel's atfork state must be consistent), starts a
     * thread, and, if asked, makes exactly one hot allocation */
    void *p[100];
    for (int i = 0; i < 100; i++) p[i] = malloc((size_t)i * 37 + 1);
    for (int i = 0; i < 100; i++) free(p[i]);
    pthread_t t;
    busy_stop = 0;
    if (pthread_create(&t, NULL, churn_thread, &(struct churn_arg){.id = 99, .iters = 200})) return 10;
    pthread_join(t, NULL);
    if (hot) {
        hotpath_enter("fork_child");
        sink = malloc(16);
        hotpath_exit();
    }
    return 40 + (int)hotpath_violations();
}

static int forkbusy(long forks, int with_reporter)
{
    busy_start(2);
    pthread_t rep;
    if (with_reporter) pthread_create(&rep, NULL, reporter_thread, NULL);
    long ok = 0, execd = 0;
    for (long i = 0; i < forks; i++) {
        int mode = (int)(i % 4); /* 0: cold child, 1: hot child, 2: fork+exec, 3: child in section */
        if (mode == 3) hotpath_enter("parent_section");
        pid_t pid = fork();
        if (pid < 0) FAIL("fork: %s", strerror(errno));
        if (pid == 0) {
            if (mode == 3) { /* inherited the section: one hot allocation, then leave it */
                sink = malloc(8);
                hotpath_exit();
                _exit(40 + (int)hotpath_violations());
            }
            if (mode == 2) {
                execl(self, self, "exec_child", (char *)NULL);
                _exit(127);
            }
            _exit(child_work(mode == 1));
        }
        if (mode == 3) hotpath_exit();
        int st;
        if (waitpid(pid, &st, 0) != pid) FAIL("waitpid");
        int want = mode == 2 ? 42 : mode == 1 || mode == 3 ? 41 : 40;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != want)
            FAIL("fork %ld (kind %d): child %s %d, expected exit %d", i, mode, WIFEXITED(st) ? "exit" : "signal",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), want);
        ok++;
        execd += mode == 2;
    }
    reporter_stop = 1;
    if (with_reporter) pthread_join(rep, NULL);
    busy_end();
    printf("forks %ld ok %ld exec %ld parent violations %lu reporter %ld\n", forks, ok, execd, hotpath_violations(),
           reporter_reports);
    return 0;
}

/* ---- posix_spawn from a threaded process ---------------------------------------------------------- */
static int spawn(long n)
{
    busy_start(2);
    long ok = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid;
        char *av[] = {(char *)self, (char *)"exec_child", NULL};
        int in_section = i % 2;
        if (in_section) hotpath_enter("spawn_section");
        int rc = posix_spawn(&pid, self, NULL, NULL, av, environ);
        if (in_section) hotpath_exit();
        if (rc) FAIL("posix_spawn: %s", strerror(rc));
        int st;
        if (waitpid(pid, &st, 0) != pid) FAIL("waitpid");
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 42) FAIL("spawned child %d: status %#x", (int)i, st);
        ok++;
    }
    busy_end();
    printf("spawns %ld ok %ld violations %lu\n", n, ok, hotpath_violations());
    return 0;
}

/* ---- dlopen/dlclose of a library whose constructor allocates --------------------------------------- */
struct dl_arg {
    const char *lib;
    long n;
};
static void *dl_thread(void *v)
{
    struct dl_arg *a = v;
    for (long i = 0; i < a->n; i++) {
        void *h = dlopen(a->lib, RTLD_NOW | RTLD_LOCAL);
        if (!h) FAIL("dlopen: %s", dlerror());
        long (*blocks)(void) = (long (*)(void))dlsym(h, "ctor_blocks");
        if (!blocks || blocks() != 100) FAIL("library constructor did not run");
        if (dlclose(h)) FAIL("dlclose: %s", dlerror());
    }
    return NULL;
}
static int dlopen_storm(const char *lib, long threads, long n)
{
    pthread_t t[16];
    struct dl_arg a = {lib, n};
    for (int i = 0; i < threads && i < 16; i++) pthread_create(&t[i], NULL, dl_thread, &a);
    for (int i = 0; i < threads && i < 16; i++) pthread_join(t[i], NULL);
    printf("dlopen %ld violations %lu\n", threads * n, hotpath_violations());
    return 0;
}

/* dlopen inside a hot section: the loader's and the constructor's allocations are violations,
 * reported while the loader holds its locks (the report's unwinder takes them too). */
static int dlopen_hot(const char *lib)
{
    hotpath_enter("dlopen_section");
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    hotpath_exit();
    if (!h) FAIL("dlopen: %s", dlerror());
    unsigned long v = hotpath_violations();
    dlclose(h);
    hotpath_enter("dlopen_section");
    hotpath_allow_begin();
    h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    hotpath_allow_end();
    hotpath_exit();
    if (!h) FAIL("dlopen: %s", dlerror());
    dlclose(h);
    printf("hot dlopen violations %lu allowed dlopen violations %lu\n", v, hotpath_violations() - v);
    return 0;
}

/* ---- signals: a handler that allocates, arriving inside a hot section ------------------------------ */
static volatile sig_atomic_t got;
static void alloc_handler(int sig)
{
    (void)sig;
    void *p = malloc(24);
    sink = p;
    free(p);
    got = 1;
}
static volatile int sig_stop;
static int signals(long n)
{
    struct sigaction sa = {.sa_handler = alloc_handler};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    long delivered = 0;
    for (long i = 0; i < n; i++) {
        got = 0;
        hotpath_enter("signal_section");
        raise(SIGUSR1); /* synchronous: delivered before raise returns */
        long seen = got;
        hotpath_exit();
        delivered += seen;
        got = 0;
        raise(SIGUSR1); /* outside the section: not a violation */
    }
    printf("signals in section %ld delivered %ld violations %lu\n", n, delivered, hotpath_violations());
    return 0;
}

/* A thread hammers another with signals while that one goes in and out of sections. The handler
 * allocates; it runs only where the program lets it (malloc is not async-signal-safe, so a correct
 * program blocks the signal around its own allocations: with or without the sentinel, a handler
 * that allocates while the thread is inside malloc deadlocks on the allocator's lock). Every
 * handler run happens inside a section, so violations = hot allocations + handler runs, exactly. */
static volatile long handler_runs;
static void count_handler(int sig)
{
    (void)sig;
    void *p = malloc(24);
    sink = p;
    free(p);
    handler_runs++;
}
static void *killer(void *v)
{
    pthread_t target = *(pthread_t *)v;
    while (!sig_stop) {
        pthread_kill(target, SIGUSR2);
        usleep(100);
    }
    return NULL;
}
static int signal_storm(long n)
{
    struct sigaction sa = {.sa_handler = count_handler, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t usr2, old;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, &old);
    pthread_t me = pthread_self(), k;
    pthread_create(&k, NULL, killer, &me);
    volatile unsigned long work = 0;
    for (long i = 0; i < n; i++) {
        hotpath_enter("storm_section");
        pthread_sigmask(SIG_UNBLOCK, &usr2, NULL); /* signals land here, in the section */
        for (int j = 0; j < 20000; j++) work += (unsigned long)j;
        pthread_sigmask(SIG_BLOCK, &usr2, NULL);
        void *hot = malloc(56); /* and one hot allocation of the thread's own */
        sink = hot;
        hotpath_exit();
        free(hot);
    }
    (void)work; /* only there to keep the loop; clang 14 calls it set but not used */
    sig_stop = 1;
    pthread_join(k, NULL);
    long runs = handler_runs;
    unsigned long v = hotpath_violations();
    signal(SIGUSR2, SIG_IGN); /* a signal still pending must not run the handler outside the section */
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    printf("hot allocations %ld handler runs %ld violations %lu\n", n, runs, v);
    return 0;
}

/* ---- setjmp/longjmp out of a section (documented: the section stays entered) ----------------------- */
static jmp_buf jb;
__attribute__((noinline)) static void jump_out(void)
{
    HOTPATH_SCOPE("jumped_section");
    longjmp(jb, 1);
}
static int jumps(void)
{
    unsigned int before = hotpath_depth();
    if (!setjmp(jb)) jump_out();
    unsigned int after = hotpath_depth();
    const char *name = hotpath_section();
    sink = malloc(8); /* still in the section the jump skipped: one violation */
    free(sink);
    unsigned long v1 = hotpath_violations();
    /* the documented recovery: leave the sections the jump skipped */
    while (hotpath_depth() > before) hotpath_exit();
    unsigned int recovered = hotpath_depth();
    sink = malloc(8); /* not hot any more */
    free(sink);
    printf("longjmp depth before %u after %u section %s\n", before, after, name ? name : "(none)");
    printf("recovered depth %u violations %lu then %lu\n", recovered, v1, hotpath_violations());
    return 0;
}

/* ---- misuse ------------------------------------------------------------------------------------------ */
static int misuse_unbalanced(long n)
{
    for (long i = 0; i < n; i++) hotpath_exit();
    for (long i = 0; i < n; i++) hotpath_allow_end();
    printf("depth %u hot %d\n", hotpath_depth(), hotpath_is_hot());
    hotpath_enter("after_misuse"); /* the check still works afterwards */
    sink = malloc(16);
    hotpath_exit();
    printf("violations %lu\n", hotpath_violations());
    return 0;
}

static int misuse_deep(long n)
{
    static const char *names[] = {"level_a", "level_b", NULL, "level_c"};
    for (long i = 0; i < n; i++) hotpath_enter(names[i % 4]);
    unsigned int d = hotpath_depth();
    sink = malloc(16);
    for (long i = 0; i < n; i++) hotpath_exit();
    unsigned int after = hotpath_depth();
    sink = malloc(16);
    printf("depth %u after %u violations %lu\n", d, after, hotpath_violations());
    return 0;
}

static int misuse_names(void)
{
    static char huge[1 << 20];
    memset(huge, 'h', sizeof huge - 1);
    static char bytes[256];
    for (int i = 1; i < 256; i++) bytes[i - 1] = (char)i; /* every byte but NUL */
    static const char fmt[] = "%n%s%x%p%%n";
    const char *names[] = {NULL, huge, bytes, fmt, "", "\xff\xfe\xc3(\xed\xa0\x80\"\\"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        hotpath_enter(names[i]);
        hotpath_enter(names[(i + 1) % 6]);
        sink = malloc(100 + i);
        hotpath_exit();
        hotpath_exit();
    }
    printf("violations %lu\n", hotpath_violations());
    return 0;
}

/* Print the fds this process holds, with their targets (run after exec: O_CLOEXEC). */
static int list_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[300], t[4096];
        snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(p, t, sizeof t - 1);
        if (n < 0) continue;
        t[n] = 0;
        printf("fd %s -> %s\n", e->d_name, t);
    }
    if (d) closedir(d);
    return 0;
}

/* A report is written (the log and JSON files get opened), then the process execs list_fds. */
static int cloexec(void)
{
    hotpath_enter("cloexec_section");
    sink = malloc(16);
    hotpath_exit();
    fflush(stdout);
    execl(self, self, "list_fds", (char *)NULL);
    FAIL("exec: %s", strerror(errno));
}

static int one_hot(void)
{
    hotpath_enter("one_hot");
    sink = malloc(32);
    hotpath_exit();
    printf("active %d violations %lu\n", hotpath_sentinel_active(), hotpath_violations());
    return 0;
}

/* Memory from every entry point: who owns it (the allocator chained after the sentinel must),
 * alignment, contents kept by realloc, then freed by the same allocator. */
static const char *owner_of(void *p)
{
    int (*mi_owned)(const void *) = (int (*)(const void *))dlsym(RTLD_DEFAULT, "mi_is_in_heap_region");
    if (mi_owned) return mi_owned(p) ? "mimalloc" : "NOT-mimalloc";
    int (*tc_owned)(const void *) = (int (*)(const void *))dlsym(RTLD_DEFAULT, "MallocExtension_GetOwnership");
    if (tc_owned) return tc_owned(p) == 1 ? "tcmalloc" : "NOT-tcmalloc";
    int (*je_ctl)(const char *, void *, size_t *, void *, size_t) =
        (int (*)(const char *, void *, size_t *, void *, size_t))dlsym(RTLD_DEFAULT, "mallctl");
    if (je_ctl) {
        /* jemalloc: the pointer belongs to it if it can tell which arena holds it */
        unsigned arena = 0;
        size_t sz = sizeof arena;
        const void *q = p;
        return je_ctl("arenas.lookup", &arena, &sz, &q, sizeof q) == 0 ? "jemalloc" : "NOT-jemalloc";
    }
    return "glibc";
}

static int skipped(const char *skip, const char *op)
{
    char k[64];
    snprintf(k, sizeof k, ",%s,", op);
    return skip && strstr(skip, k);
}

/* skip: ",op,op," entry points not to call (a known bug's reproducer calls them separately) */
static int owners(const char *skip)
{
    struct {
        const char *op;
        void *p;
        size_t align;
    } r[10];
    int n = 0;
    void *q = NULL;
    r[n++] = (typeof(r[0])){"malloc", malloc(100), 0};
    r[n++] = (typeof(r[0])){"calloc", calloc(10, 10), 0};
    void *re = malloc(50);
    memset(re, 7, 50);
    re = realloc(re, 5000);
    if (((char *)re)[49] != 7) FAIL("realloc lost contents");
    r[n++] = (typeof(r[0])){"realloc", re, 0};
    if (posix_memalign(&q, 256, 100)) q = NULL;
    r[n++] = (typeof(r[0])){"posix_memalign", q, 256};
    r[n++] = (typeof(r[0])){"aligned_alloc", aligned_alloc(128, 256), 128};
    r[n++] = (typeof(r[0])){"memalign", memalign(64, 100), 64};
    r[n++] = (typeof(r[0])){"valloc", valloc(100), 4096};
    if (!skipped(skip, "pvalloc")) r[n++] = (typeof(r[0])){"pvalloc", pvalloc(100), 4096};
    if (!skipped(skip, "reallocarray")) {
        void *ra = malloc(16);
        memset(ra, 9, 16);
        ra = reallocarray(ra, 100, 100);
        if (ra && ((char *)ra)[15] != 9) FAIL("reallocarray lost contents");
        r[n++] = (typeof(r[0])){"reallocarray", ra, 0};
    }
    for (int i = 0; i < n; i++) {
        if (!r[i].p) FAIL("%s returned NULL", r[i].op);
        if (r[i].align && (uintptr_t)r[i].p % r[i].align) FAIL("%s misaligned", r[i].op);
        printf("%s %s\n", r[i].op, owner_of(r[i].p));
        fflush(stdout); /* a crash below still shows which entry point was reached */
        if (malloc_usable_size(r[i].p) < 100) FAIL("%s: malloc_usable_size too small", r[i].op);
    }
    for (int i = 0; i < n; i++) free(r[i].p);
    printf("owners checked %d\n", n);
    return 0;
}

int main(int argc, char **argv)
{
    self = argv[0];
    const char *s = argc > 1 ? argv[1] : "";
    int rc;
    if (!strcmp(s, "churn"))
        rc = churn(arg(argc, argv, 2, 8), arg(argc, argv, 3, 20000), arg(argc, argv, 4, 0));
    else if (!strcmp(s, "storm"))
        rc = storm(arg(argc, argv, 2, 20), arg(argc, argv, 3, 50));
    else if (!strcmp(s, "forkbusy"))
        rc = forkbusy(arg(argc, argv, 2, 40), 0);
    else if (!strcmp(s, "fork_reporting"))
        rc = forkbusy(arg(argc, argv, 2, 20), 1);
    else if (!strcmp(s, "exec_child")) {
        void *p = malloc(1000);
        free(p);
        return 42;
    } else if (!strcmp(s, "spawn"))
        rc = spawn(arg(argc, argv, 2, 40));
    else if (!strcmp(s, "dlopen"))
        rc = dlopen_storm(argv[2], arg(argc, argv, 3, 4), arg(argc, argv, 4, 50));
    else if (!strcmp(s, "dlopen_hot"))
        rc = dlopen_hot(argv[2]);
    else if (!strcmp(s, "signals"))
        rc = signals(arg(argc, argv, 2, 100));
    else if (!strcmp(s, "signal_storm"))
        rc = signal_storm(arg(argc, argv, 2, 300));
    else if (!strcmp(s, "longjmp"))
        rc = jumps();
    else if (!strcmp(s, "unbalanced"))
        rc = misuse_unbalanced(arg(argc, argv, 2, 1000));
    else if (!strcmp(s, "deep"))
        rc = misuse_deep(arg(argc, argv, 2, 10000));
    else if (!strcmp(s, "names"))
        rc = misuse_names();
    else if (!strcmp(s, "list_fds"))
        return list_fds();
    else if (!strcmp(s, "cloexec"))
        rc = cloexec();
    else if (!strcmp(s, "one_hot"))
        rc = one_hot();
    else if (!strcmp(s, "owners"))
        rc = owners(argc > 2 ? argv[2] : NULL);
    else {
        fprintf(stderr, "torture: unknown scenario '%s'\n", s);
        return 2;
    }
    printf("survived\n");
    return rc;
}
