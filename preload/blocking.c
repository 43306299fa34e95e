/*
 * Beyond malloc (check=lock,sleep,io,mmap,spawn,misc): the interposed functions that can block,
 * wait or fault, generated from the table in intercept.def, and nothing else.
 *
 * Each exported function is one indirect jump through its `impl` pointer:
 *   - category off: impl is the next definition itself (libc's), so the entry point costs what
 *     `free` costs after bootstrap: one jump;
 *   - category on: impl is the checking version, which costs one TLS load and a test when the
 *     thread is not in a section, then jumps to the next definition; inside a section the call is
 *     reported (BLOCKING CALL IN HOT PATH!) before it is made, so that abort mode stops the
 *     process before it blocks.
 * Arguments, return value and errno pass through unchanged; cancellation points stay cancellation
 * points (the real function is called as it was).
 *
 * Resolution. The categories that are on are resolved at start-up (a lookup inside a section
 * would be a reported allocation and a lock); the others on their first call, like a lazily bound
 * PLT entry, under the hp_in_sentinel guard: a process run with the default options makes no
 * lookup for them at all.
 */
#undef _FORTIFY_SOURCE /* this file defines the functions fortified headers would wrap */
/* and those glibc's headers define as extern inlines when optimizing (vprintf). */
#define __NO_INLINE__ 1
#include "sentinel.h"

#include "filter.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* Not declared by glibc's headers outside fortified builds. */
int __open_2(const char *, int);
int __open64_2(const char *, int);
int __openat_2(int, const char *, int);
int __openat64_2(int, const char *, int);
ssize_t __read_chk(int, void *, size_t, size_t);
ssize_t __pread_chk(int, void *, size_t, off_t, size_t);
ssize_t __pread64_chk(int, void *, size_t, off_t, size_t);
ssize_t __recv_chk(int, void *, size_t, size_t, int);
ssize_t __recvfrom_chk(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);
int __poll_chk(struct pollfd *, nfds_t, int, size_t);
int __ppoll_chk(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *, size_t);
int __printf_chk(int, const char *, ...);
int __fprintf_chk(FILE *, int, const char *, ...);
int __dprintf_chk(int, int, const char *, ...);
int __vprintf_chk(int, const char *, va_list);
int __vfprintf_chk(FILE *, int, const char *, va_list);
int __vdprintf_chk(int, int, const char *, va_list);

void *hp_resolve_next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        char mem[256];
        struct hp_buf b;
        hp_buf_init(&b, mem, sizeof mem - 1);
        hp_buf_str(&b, "error: cannot find the next definition of ");
        hp_buf_name(&b, name, 64);
        hp_buf_str(&b, " (dlsym(RTLD_NEXT) failed)");
        mem[b.len] = 0;
        hp_diag(mem);
        _exit(127);
    }
    return f;
}

/* ---- the table, expanded ------------------------------------------------------------------------ */
/* Indices. */
#define HP_FN(cat, ret, name, params, args) HP_I_##name,
#define HP_VOID(cat, name, params, args) HP_I_##name,
#define HP_SIZED(cat, ret, name, params, args, size) HP_I_##name,
#define HP_VA(cat, ret, name, params, last, via, vparams, vargs) HP_I_##name,
#define HP_CUSTOM(cat, ret, name, nparams, via) HP_I_##name,
#define HP_ASM(cat, name) HP_I_##name,
enum {
#include "intercept.def"
    HP_I_COUNT
};
#undef HP_FN
#undef HP_VOID
#undef HP_SIZED
#undef HP_VA
#undef HP_CUSTOM
#undef HP_ASM

/* The next definition and what the exported function jumps to. */
#define HP_FN(cat, ret, name, params, args)                                                                  \
    static ret(*next_##name) params;                                                                         \
    static ret stub_##name params;                                                                           \
    static ret(*impl_##name) params = stub_##name;
#define HP_VOID(cat, name, params, args) HP_FN(cat, void, name, params, args)
#define HP_SIZED(cat, ret, name, params, args, size) HP_FN(cat, ret, name, params, args)
#define HP_VA(cat, ret, name, params, last, via, vparams, vargs) HP_FN(cat, ret, name, vparams, vargs)
#define HP_CUSTOM(cat, ret, name, nparams, via)                                                              \
    static ret(*next_##name) nparams;                                                                        \
    static ret(*impl_##name) nparams;
#define HP_ASM(cat, name)
#include "intercept.def"
#undef HP_FN
#undef HP_VOID
#undef HP_SIZED
#undef HP_VA
#undef HP_CUSTOM
#undef HP_ASM

HP_HIDDEN void *hp_next_vfork;
void *hp_next_vfork;

/* Each entry's name (the report's Operation), category, the name of its next definition, and its
 * pointers, for the resolver. */
static void checked_placeholder(void) {}
struct entry {
    const char *name, *via;
    unsigned int category;
    void **next, **impl;
    void *checked;
};
/* (the checking versions are declared first, defined below) */
#define HP_FN(cat, ret, name, params, args) static ret checked_##name params;
#define HP_VOID(cat, name, params, args) static void checked_##name params;
#define HP_SIZED(cat, ret, name, params, args, size) static ret checked_##name params;
#define HP_VA(cat, ret, name, params, last, via, vparams, vargs) static ret checked_##name vparams;
#define HP_CUSTOM(cat, ret, name, nparams, via) static ret checked_##name nparams;
#define HP_ASM(cat, name)
#include "intercept.def"
#undef HP_FN
#undef HP_VOID
#undef HP_SIZED
#undef HP_VA
#undef HP_CUSTOM
#undef HP_ASM

#define HP_FN(cat, ret, name, params, args)                                                                  \
    {#name, #name, HP_CHECK_##cat, (void **)&next_##name, (void **)&impl_##name, (void *)checked_##name},
#define HP_VOID(cat, name, params, args) HP_FN(cat, void, name, params, args)
#define HP_SIZED(cat, ret, name, params, args, size) HP_FN(cat, ret, name, params, args)
#define HP_VA(cat, ret, name, params, last, via, vparams, vargs)                                             \
    {#name, #via, HP_CHECK_##cat, (void **)&next_##name, (void **)&impl_##name, (void *)checked_##name},
#define HP_CUSTOM(cat, ret, name, nparams, via)                                                              \
    {#name, #via, HP_CHECK_##cat, (void **)&next_##name, (void **)&impl_##name, (void *)checked_##name},
#define HP_ASM(cat, name) {#name, #name, HP_CHECK_##cat, &hp_next_##name, NULL, (void *)checked_placeholder},
static const struct entry entries[HP_I_COUNT] = {
#include "intercept.def"
};
#undef HP_FN
#undef HP_VOID
#undef HP_SIZED
#undef HP_VA
#undef HP_CUSTOM
#undef HP_ASM

/* ---- the slow path: a hot thread called an entry of a category that is on ---------------------- */
static HP_COLD void entry_hot(int i, size_t size, int has_size)
{
    const struct entry *e = &entries[i];
    if (!hp_filter_pass(e->category)) return;
    struct hp_event ev = {
        .kind = HP_KIND_BLOCKING, .category = e->category, .op = e->name, .size = size, .has_size = has_size};
    hp_violation(&ev);
}

#define CHECK(name)                                                                                          \
    do {                                                                                                     \
        if (HP_UNLIKELY(hp_thread_hot_or_sealed())) entry_hot(HP_I_##name, 0, 0);                            \
    } while (0)
#define CHECK_SIZED(name, size)                                                                              \
    do {                                                                                                     \
        if (HP_UNLIKELY(hp_thread_hot_or_sealed())) entry_hot(HP_I_##name, (size), 1);                       \
    } while (0)

/* The first call of an entry whose category was off at start-up (or of any entry before the
 * constructor ran): look the next definition up, then jump there from now on. */
static HP_COLD void *resolve_lazily(int i)
{
    const struct entry *e = &entries[i];
    void *f = __atomic_load_n(e->next, __ATOMIC_ACQUIRE);
    if (!f) {
        int was = hp_in_sentinel;
        hp_in_sentinel = 1; /* dlsym's own work is not the program's */
        f = hp_resolve_next(e->via);
        hp_in_sentinel = was;
        __atomic_store_n(e->next, f, __ATOMIC_RELEASE);
    }
    /* Replace the stub (NULL for the hand-written entries) only: hp_blocking_init may have
     * installed the checking version meanwhile. */
    void *impl = __atomic_load_n(e->impl, __ATOMIC_ACQUIRE);
    if (impl != e->checked)
        __atomic_compare_exchange_n(e->impl, &impl, f, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    return __atomic_load_n(e->impl, __ATOMIC_ACQUIRE);
}

/* The current impl of a hand-written entry (NULL until resolved). */
#define IMPL(name)                                                                                           \
    ({                                                                                                       \
        __typeof__(impl_##name) f_ = __atomic_load_n(&impl_##name, __ATOMIC_RELAXED);                        \
        if (HP_UNLIKELY(!f_)) f_ = (__typeof__(impl_##name))resolve_lazily(HP_I_##name);                     \
        f_;                                                                                                  \
    })
#define NEXT(name) __atomic_load_n(&next_##name, __ATOMIC_RELAXED)

/* The generated functions: the export (one jump), the checking version, its cold half (report,
 * then call: the checking version then saves no register), the first-call stub. */
#define GEN(ret, name, params, args, report)                                                                 \
    static HP_COLD ret hot_##name params                                                                     \
    {                                                                                                        \
        report;                                                                                              \
        return NEXT(name) args;                                                                              \
    }                                                                                                        \
    static ret checked_##name params                                                                         \
    {                                                                                                        \
        if (HP_UNLIKELY(hp_thread_hot_or_sealed())) return hot_##name args;                                  \
        return NEXT(name) args;                                                                              \
    }                                                                                                        \
    static HP_COLD ret stub_##name params                                                                    \
    {                                                                                                        \
        return ((__typeof__(impl_##name))resolve_lazily(HP_I_##name))args;                                   \
    }
#define GEN_VOID(name, params, args)                                                                         \
    static HP_COLD void hot_##name params                                                                    \
    {                                                                                                        \
        entry_hot(HP_I_##name, 0, 0);                                                                        \
        NEXT(name) args;                                                                                     \
    }                                                                                                        \
    static void checked_##name params                                                                        \
    {                                                                                                        \
        if (HP_UNLIKELY(hp_thread_hot_or_sealed()))                                                          \
            hot_##name args;                                                                                 \
        else                                                                                                 \
            NEXT(name) args;                                                                                 \
    }                                                                                                        \
    static HP_COLD void stub_##name params { ((__typeof__(impl_##name))resolve_lazily(HP_I_##name)) args; }
#define HP_FN(cat, ret, name, params, args)                                                                  \
    GEN(ret, name, params, args, entry_hot(HP_I_##name, 0, 0))                                               \
    EXPORT ret name params { return __atomic_load_n(&impl_##name, __ATOMIC_RELAXED) args; }
#define HP_VOID(cat, name, params, args)                                                                     \
    GEN_VOID(name, params, args)                                                                             \
    EXPORT void name params { __atomic_load_n(&impl_##name, __ATOMIC_RELAXED) args; }
#define HP_SIZED(cat, ret, name, params, args, size)                                                         \
    GEN(ret, name, params, args, entry_hot(HP_I_##name, (size), 1))                                          \
    EXPORT ret name params { return __atomic_load_n(&impl_##name, __ATOMIC_RELAXED) args; }
#define HP_VA(cat, ret, name, params, last, via, vparams, vargs)                                             \
    GEN(ret, name, vparams, vargs, entry_hot(HP_I_##name, 0, 0))                                             \
    EXPORT ret name params                                                                                   \
    {                                                                                                        \
        va_list ap;                                                                                          \
        va_start(ap, last);                                                                                  \
        ret r_ = __atomic_load_n(&impl_##name, __ATOMIC_RELAXED) vargs;                                      \
        va_end(ap);                                                                                          \
        return r_;                                                                                           \
    }
#define HP_CUSTOM(cat, ret, name, nparams, via)
#define HP_ASM(cat, name)
#include "intercept.def"
#undef HP_FN
#undef HP_VOID
#undef HP_SIZED
#undef HP_VA
#undef HP_CUSTOM
#undef HP_ASM

/* ---- the hand-written entries (HP_CUSTOM) -------------------------------------------------------- */
/* open and friends take a mode only with O_CREAT or O_TMPFILE; passing it always is harmless (as
 * glibc's own wrappers read it). */
#define OPEN_LIKE(name, fixed_params, fixed_args, last)                                                      \
    static int checked_##name fixed_params                                                                   \
    {                                                                                                        \
        va_list ap;                                                                                          \
        va_start(ap, last);                                                                                  \
        mode_t mode = va_arg(ap, mode_t);                                                                    \
        va_end(ap);                                                                                          \
        CHECK(name);                                                                                         \
        return NEXT(name)(fixed_args, mode);                                                                 \
    }                                                                                                        \
    EXPORT int name fixed_params                                                                             \
    {                                                                                                        \
        va_list ap;                                                                                          \
        va_start(ap, last);                                                                                  \
        mode_t mode = va_arg(ap, mode_t);                                                                    \
        va_end(ap);                                                                                          \
        return IMPL(name)(fixed_args, mode);                                                                 \
    }
#define COMMA ,
OPEN_LIKE(open, (const char *path, int flags, ...), path COMMA flags, flags)
OPEN_LIKE(open64, (const char *path, int flags, ...), path COMMA flags, flags)
OPEN_LIKE(openat, (int dir, const char *path, int flags, ...), dir COMMA path COMMA flags, flags)
OPEN_LIKE(openat64, (int dir, const char *path, int flags, ...), dir COMMA path COMMA flags, flags)

/* fcntl, ioctl: the optional argument is an int or a pointer; glibc reads it as one pointer-sized
 * word, and so does this. */
#define WORD_LIKE(name, type)                                                                                \
    static int checked_##name(int fd, type request, ...)                                                     \
    {                                                                                                        \
        va_list ap;                                                                                          \
        va_start(ap, request);                                                                               \
        void *arg = va_arg(ap, void *);                                                                      \
        va_end(ap);                                                                                          \
        CHECK(name);                                                                                         \
        return NEXT(name)(fd, request, arg);                                                                 \
    }                                                                                                        \
    EXPORT int name(int fd, type request, ...)                                                               \
    {                                                                                                        \
        va_list ap;                                                                                          \
        va_start(ap, request);                                                                               \
        void *arg = va_arg(ap, void *);                                                                      \
        va_end(ap);                                                                                          \
        return IMPL(name)(fd, request, arg);                                                                 \
    }
WORD_LIKE(fcntl, int)
WORD_LIKE(fcntl64, int)
WORD_LIKE(ioctl, unsigned long)

/* mremap: the new address only with MREMAP_FIXED; reported with the new size. */
static void *checked_mremap(void *old, size_t old_size, size_t new_size, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    void *new_address = va_arg(ap, void *);
    va_end(ap);
    CHECK_SIZED(mremap, new_size);
    return NEXT(mremap)(old, old_size, new_size, flags, new_address);
}
EXPORT void *mremap(void *old, size_t old_size, size_t new_size, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    void *new_address = va_arg(ap, void *);
    va_end(ap);
    return IMPL(mremap)(old, old_size, new_size, flags, new_address);
}

/* syscall: six words, as glibc's own syscall() reads them. The sentinel's own raw system calls
 * (hp_write_all, hp_sys_*) come through here too: a call from inside libhotpath.so never reports. */
static HP_COLD void syscall_hot(uintptr_t caller)
{
    if (!hp_in_sentinel_module(caller)) entry_hot(HP_I_syscall, 0, 0);
}
/* Stands for "the category is on" in impl_syscall; the export checks, so that it sees its caller. */
static long checked_syscall(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
    long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
    va_end(ap);
    return NEXT(syscall)(n, a, b, c, d, e, f);
}
EXPORT long syscall(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
    long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
    va_end(ap);
    long (*impl)(long, ...) = IMPL(syscall);
    if (impl == checked_syscall && HP_UNLIKELY(hp_thread_hot_or_sealed()))
        syscall_hot((uintptr_t)__builtin_return_address(0));
    return NEXT(syscall)(n, a, b, c, d, e, f);
}

/* execl, execlp, execle: the list becomes a vector on the stack (as glibc builds it), then the
 * vector form's next definition. */
static int checked_execl(const char *path, char *const argv[])
{
    CHECK(execl);
    return NEXT(execl)(path, argv);
}
static int checked_execlp(const char *file, char *const argv[])
{
    CHECK(execlp);
    return NEXT(execlp)(file, argv);
}
static int checked_execle(const char *path, char *const argv[], char *const envp[])
{
    CHECK(execle);
    return NEXT(execle)(path, argv, envp);
}
/* Count the arguments after `arg` up to the NULL. */
#define COUNT_ARGS(arg, n)                                                                                   \
    do {                                                                                                     \
        va_list ap;                                                                                          \
        va_start(ap, arg);                                                                                   \
        for (n = 1; va_arg(ap, char *); n++) {                                                               \
        }                                                                                                    \
        va_end(ap);                                                                                          \
    } while (0)
#define FILL_ARGS(arg, argv, n)                                                                              \
    do {                                                                                                     \
        va_list ap;                                                                                          \
        va_start(ap, arg);                                                                                   \
        argv[0] = (char *)arg;                                                                               \
        for (size_t i_ = 1; i_ <= n; i_++)                                                                   \
            argv[i_] = va_arg(ap, char *);                                                                   \
        va_end(ap);                                                                                          \
    } while (0)
EXPORT int execl(const char *path, const char *arg, ...)
{
    size_t n;
    COUNT_ARGS(arg, n);
    char *argv[n + 1];
    FILL_ARGS(arg, argv, n);
    return IMPL(execl)(path, argv);
}
EXPORT int execlp(const char *file, const char *arg, ...)
{
    size_t n;
    COUNT_ARGS(arg, n);
    char *argv[n + 1];
    FILL_ARGS(arg, argv, n);
    return IMPL(execlp)(file, argv);
}
EXPORT int execle(const char *path, const char *arg, ...)
{
    size_t n;
    COUNT_ARGS(arg, n);
    char *argv[n + 1];
    FILL_ARGS(arg, argv, n); /* argv[n] is the NULL; the environment follows it */
    va_list ap;
    va_start(ap, arg);
    for (size_t i = 0; i < n; i++)
        (void)va_arg(ap, char *);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return IMPL(execle)(path, argv, envp);
}

/* ---- vfork ---------------------------------------------------------------------------------------- */
/* vfork's child runs on the parent's stack until it execs: a wrapper with a frame of its own would
 * be torn down under it. So vfork is a tail jump, written in assembly per architecture (vfork.c):
 * it calls this check, then jumps to hp_next_vfork. */
HP_HIDDEN void hp_vfork_hot(void);
void hp_vfork_hot(void)
{
    if (!hp_next_vfork) {
        int was = hp_in_sentinel;
        hp_in_sentinel = 1;
        hp_next_vfork = hp_resolve_next("vfork");
        hp_in_sentinel = was;
    }
    if ((hp_opt.checks & HP_CHECK_SPAWN) && hp_thread_hot_or_sealed()) entry_hot(HP_I_vfork, 0, 0);
}

/* ---- hotpath_blocking / hotpath_allocation, through the API library's hook ---------------------- */
static void event_hook(int kind, const char *name, size_t size)
{
    if (kind == HOTPATH__EVENT_ALLOCATION) {
        if (!hp_filter_pass(HP_CHECK_ALLOC)) return;
        struct hp_event ev = {.kind = HP_KIND_ALLOC,
                              .category = HP_CHECK_ALLOC,
                              .op = name ? name : "(null)",
                              .size = size,
                              .has_size = 1};
        hp_violation(&ev);
    } else if (kind == HOTPATH__EVENT_BLOCKING) {
        if (!hp_filter_pass(HP_CHECK_USER)) return;
        struct hp_event ev = {
            .kind = HP_KIND_BLOCKING, .category = HP_CHECK_USER, .op = name ? name : "(null)"};
        hp_violation(&ev);
    }
}

/* Start-up: resolve every entry of a category that is on and switch it to its checking version,
 * so that no lookup happens for the first time inside a section. */
void hp_blocking_init(void)
{
    for (int i = 0; i < HP_I_COUNT; i++) {
        const struct entry *e = &entries[i];
        if (!(hp_opt.checks & e->category) || e->impl == NULL) continue;
        if (!__atomic_load_n(e->next, __ATOMIC_ACQUIRE))
            __atomic_store_n(e->next, hp_resolve_next(e->via), __ATOMIC_RELEASE);
        __atomic_store_n(e->impl, e->checked, __ATOMIC_RELEASE);
    }
    if (hp_opt.checks & HP_CHECK_SPAWN) hp_vfork_hot();
    __atomic_store_n(&hotpath__event_hook, event_hook, __ATOMIC_RELEASE);
}
