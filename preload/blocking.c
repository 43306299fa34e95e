/*
 * Beyond malloc (check=lock,sleep,io,mmap,spawn): the interposed functions that can block, wait or
 * fault, and nothing else. Each passes its arguments, return value and errno through unchanged and
 * costs one TLS load and a test when the thread is not in a section. Inside a section, with its
 * category on, the call is reported (BLOCKING CALL IN HOT PATH!) before it is made, so that abort
 * mode stops the process before it blocks. Cancellation points stay cancellation points: the real
 * function is called as it was.
 */
#include "sentinel.h"

#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <threads.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

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

static HP_COLD void blocking_hot(const char *op, unsigned int category)
{
    if (!(hp_opt.checks & category) || hotpath_thread_state.allow != 0 || hp_in_sentinel) return;
    struct hp_event ev = {.kind = HP_KIND_BLOCKING, .category = category, .op = op};
    hp_violation(&ev);
}

static HP_COLD void sized_hot(const char *op, unsigned int category, size_t size)
{
    if (!(hp_opt.checks & category) || hotpath_thread_state.allow != 0 || hp_in_sentinel) return;
    struct hp_event ev = {.kind = HP_KIND_BLOCKING, .category = category, .op = op, .size = size, .has_size = 1};
    hp_violation(&ev);
}

#define CHECK(name, cat)                                                                           \
    do {                                                                                           \
        if (HP_UNLIKELY(hp_thread_hot_or_sealed())) blocking_hot(#name, cat);                      \
    } while (0)

/* The next definition, looked up on first use (racing threads store the same value). */
#define NEXT(name)                                                                                 \
    ({                                                                                             \
        __typeof__(next_##name) f_ = __atomic_load_n(&next_##name, __ATOMIC_RELAXED);              \
        if (HP_UNLIKELY(!f_)) {                                                                    \
            f_ = (__typeof__(next_##name))hp_resolve_next(#name);                                  \
            __atomic_store_n(&next_##name, f_, __ATOMIC_RELAXED);                                  \
        }                                                                                          \
        f_;                                                                                        \
    })

/* WRAP(category, return type, name, (parameters), (arguments)) */
#define WRAP(cat, ret, name, params, args)                                                         \
    static ret(*next_##name) params;                                                               \
    EXPORT ret name params                                                                         \
    {                                                                                              \
        CHECK(name, cat);                                                                          \
        return NEXT(name) args;                                                                    \
    }

/* ---- lock ------------------------------------------------------------------------------------- */
WRAP(HP_CHECK_LOCK, int, pthread_mutex_lock, (pthread_mutex_t * m), (m))
WRAP(HP_CHECK_LOCK, int, pthread_mutex_timedlock, (pthread_mutex_t * m, const struct timespec *t), (m, t))
WRAP(HP_CHECK_LOCK, int, pthread_rwlock_rdlock, (pthread_rwlock_t * l), (l))
WRAP(HP_CHECK_LOCK, int, pthread_rwlock_wrlock, (pthread_rwlock_t * l), (l))
WRAP(HP_CHECK_LOCK, int, pthread_rwlock_timedrdlock, (pthread_rwlock_t * l, const struct timespec *t), (l, t))
WRAP(HP_CHECK_LOCK, int, pthread_rwlock_timedwrlock, (pthread_rwlock_t * l, const struct timespec *t), (l, t))
WRAP(HP_CHECK_LOCK, int, pthread_cond_wait, (pthread_cond_t * c, pthread_mutex_t *m), (c, m))
WRAP(HP_CHECK_LOCK, int, pthread_cond_timedwait, (pthread_cond_t * c, pthread_mutex_t *m, const struct timespec *t),
     (c, m, t))
WRAP(HP_CHECK_LOCK, int, pthread_join, (pthread_t t, void **r), (t, r))
WRAP(HP_CHECK_LOCK, int, pthread_barrier_wait, (pthread_barrier_t * b), (b))
WRAP(HP_CHECK_LOCK, int, pthread_spin_lock, (pthread_spinlock_t * s), (s))
WRAP(HP_CHECK_LOCK, int, sem_wait, (sem_t * s), (s))
WRAP(HP_CHECK_LOCK, int, sem_timedwait, (sem_t * s, const struct timespec *t), (s, t))
/* The clock variants: libstdc++ implements condition_variable::wait_for/until and
 * timed_mutex::try_lock_for with them. */
WRAP(HP_CHECK_LOCK, int, pthread_cond_clockwait,
     (pthread_cond_t * c, pthread_mutex_t *m, clockid_t k, const struct timespec *t), (c, m, k, t))
WRAP(HP_CHECK_LOCK, int, pthread_mutex_clocklock, (pthread_mutex_t * m, clockid_t k, const struct timespec *t),
     (m, k, t))
WRAP(HP_CHECK_LOCK, int, pthread_rwlock_clockrdlock, (pthread_rwlock_t * l, clockid_t k, const struct timespec *t),
     (l, k, t))
WRAP(HP_CHECK_LOCK, int, pthread_rwlock_clockwrlock, (pthread_rwlock_t * l, clockid_t k, const struct timespec *t),
     (l, k, t))
WRAP(HP_CHECK_LOCK, int, sem_clockwait, (sem_t * s, clockid_t k, const struct timespec *t), (s, k, t))
WRAP(HP_CHECK_LOCK, int, pthread_timedjoin_np, (pthread_t t, void **r, const struct timespec *ts), (t, r, ts))
WRAP(HP_CHECK_LOCK, int, pthread_clockjoin_np, (pthread_t t, void **r, clockid_t k, const struct timespec *ts),
     (t, r, k, ts))
/* C11 threads: glibc implements them with internal calls, so they are interposed themselves. */
WRAP(HP_CHECK_LOCK, int, mtx_lock, (mtx_t * m), (m))
WRAP(HP_CHECK_LOCK, int, mtx_timedlock, (mtx_t * m, const struct timespec *t), (m, t))
WRAP(HP_CHECK_LOCK, int, cnd_wait, (cnd_t * c, mtx_t *m), (c, m))
WRAP(HP_CHECK_LOCK, int, cnd_timedwait, (cnd_t * c, mtx_t *m, const struct timespec *t), (c, m, t))
WRAP(HP_CHECK_LOCK, int, thrd_join, (thrd_t t, int *r), (t, r))

/* ---- sleep ------------------------------------------------------------------------------------ */
WRAP(HP_CHECK_SLEEP, unsigned int, sleep, (unsigned int s), (s))
WRAP(HP_CHECK_SLEEP, int, usleep, (useconds_t u), (u))
WRAP(HP_CHECK_SLEEP, int, nanosleep, (const struct timespec *a, struct timespec *b), (a, b))
WRAP(HP_CHECK_SLEEP, int, clock_nanosleep, (clockid_t c, int f, const struct timespec *a, struct timespec *b),
     (c, f, a, b))
WRAP(HP_CHECK_SLEEP, int, pause, (void), ())
WRAP(HP_CHECK_SLEEP, int, sched_yield, (void), ())
WRAP(HP_CHECK_SLEEP, int, thrd_sleep, (const struct timespec *a, struct timespec *b), (a, b))
static void (*next_thrd_yield)(void);
EXPORT void thrd_yield(void)
{
    CHECK(thrd_yield, HP_CHECK_SLEEP);
    NEXT(thrd_yield)();
}

/* ---- io --------------------------------------------------------------------------------------- */
/* open and friends take a mode only with O_CREAT or O_TMPFILE; passing it always is harmless. */
#define WRAP_OPEN(name)                                                                            \
    static int (*next_##name)(const char *, int, ...);                                             \
    EXPORT int name(const char *path, int flags, ...)                                              \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, flags);                                                                       \
        mode_t mode = va_arg(ap, mode_t);                                                          \
        va_end(ap);                                                                                \
        CHECK(name, HP_CHECK_IO);                                                                  \
        return NEXT(name)(path, flags, mode);                                                      \
    }
WRAP_OPEN(open)
WRAP_OPEN(open64)
#define WRAP_OPENAT(name)                                                                          \
    static int (*next_##name)(int, const char *, int, ...);                                        \
    EXPORT int name(int dir, const char *path, int flags, ...)                                     \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, flags);                                                                       \
        mode_t mode = va_arg(ap, mode_t);                                                          \
        va_end(ap);                                                                                \
        CHECK(name, HP_CHECK_IO);                                                                  \
        return NEXT(name)(dir, path, flags, mode);                                                 \
    }
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)
/* The _FORTIFY_SOURCE entry points (open and openat without a mode, reads with a buffer size),
 * which fortified builds call instead of the plain ones when lengths or flags are not constants. */
WRAP(HP_CHECK_IO, int, __open_2, (const char *p, int f), (p, f))
WRAP(HP_CHECK_IO, int, __open64_2, (const char *p, int f), (p, f))
WRAP(HP_CHECK_IO, int, __openat_2, (int d, const char *p, int f), (d, p, f))
WRAP(HP_CHECK_IO, int, __openat64_2, (int d, const char *p, int f), (d, p, f))
WRAP(HP_CHECK_IO, ssize_t, __pread_chk, (int fd, void *b, size_t n, off_t o, size_t bn), (fd, b, n, o, bn))
WRAP(HP_CHECK_IO, ssize_t, __pread64_chk, (int fd, void *b, size_t n, off_t o, size_t bn), (fd, b, n, o, bn))
WRAP(HP_CHECK_IO, ssize_t, __recv_chk, (int s, void *b, size_t n, size_t bn, int f), (s, b, n, bn, f))
WRAP(HP_CHECK_IO, ssize_t, __recvfrom_chk,
     (int s, void *b, size_t n, size_t bn, int f, struct sockaddr *a, socklen_t *l), (s, b, n, bn, f, a, l))
WRAP(HP_CHECK_IO, int, __poll_chk, (struct pollfd * f, nfds_t n, int t, size_t fl), (f, n, t, fl))
WRAP(HP_CHECK_IO, int, __ppoll_chk,
     (struct pollfd * f, nfds_t n, const struct timespec *t, const sigset_t *s, size_t fl), (f, n, t, s, fl))
WRAP(HP_CHECK_IO, int, creat, (const char *p, mode_t m), (p, m))
WRAP(HP_CHECK_IO, int, creat64, (const char *p, mode_t m), (p, m))
WRAP(HP_CHECK_IO, int, close, (int fd), (fd))
WRAP(HP_CHECK_IO, ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))
WRAP(HP_CHECK_IO, ssize_t, __read_chk, (int fd, void *b, size_t n, size_t bn), (fd, b, n, bn))
WRAP(HP_CHECK_IO, ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))
WRAP(HP_CHECK_IO, ssize_t, pread, (int fd, void *b, size_t n, off_t o), (fd, b, n, o))
WRAP(HP_CHECK_IO, ssize_t, pread64, (int fd, void *b, size_t n, off_t o), (fd, b, n, o))
WRAP(HP_CHECK_IO, ssize_t, pwrite, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o))
WRAP(HP_CHECK_IO, ssize_t, pwrite64, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o))
WRAP(HP_CHECK_IO, ssize_t, readv, (int fd, const struct iovec *v, int c), (fd, v, c))
WRAP(HP_CHECK_IO, ssize_t, writev, (int fd, const struct iovec *v, int c), (fd, v, c))
WRAP(HP_CHECK_IO, int, fsync, (int fd), (fd))
WRAP(HP_CHECK_IO, int, fdatasync, (int fd), (fd))
static int (*next_ioctl)(int, unsigned long, ...);
EXPORT int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    CHECK(ioctl, HP_CHECK_IO);
    return NEXT(ioctl)(fd, request, arg);
}
WRAP(HP_CHECK_IO, int, poll, (struct pollfd * f, nfds_t n, int t), (f, n, t))
WRAP(HP_CHECK_IO, int, ppoll, (struct pollfd * f, nfds_t n, const struct timespec *t, const sigset_t *s),
     (f, n, t, s))
WRAP(HP_CHECK_IO, int, select, (int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t), (n, r, w, e, t))
WRAP(HP_CHECK_IO, int, pselect,
     (int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t, const sigset_t *s), (n, r, w, e, t, s))
WRAP(HP_CHECK_IO, int, epoll_wait, (int e, struct epoll_event *v, int m, int t), (e, v, m, t))
WRAP(HP_CHECK_IO, int, epoll_pwait, (int e, struct epoll_event *v, int m, int t, const sigset_t *s),
     (e, v, m, t, s))
WRAP(HP_CHECK_IO, int, epoll_pwait2, (int e, struct epoll_event *v, int m, const struct timespec *t, const sigset_t *s),
     (e, v, m, t, s))
WRAP(HP_CHECK_IO, ssize_t, send, (int s, const void *b, size_t n, int f), (s, b, n, f))
WRAP(HP_CHECK_IO, ssize_t, sendto,
     (int s, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l), (s, b, n, f, a, l))
WRAP(HP_CHECK_IO, ssize_t, sendmsg, (int s, const struct msghdr *m, int f), (s, m, f))
WRAP(HP_CHECK_IO, int, sendmmsg, (int s, struct mmsghdr *m, unsigned int n, int f), (s, m, n, f))
WRAP(HP_CHECK_IO, ssize_t, recv, (int s, void *b, size_t n, int f), (s, b, n, f))
WRAP(HP_CHECK_IO, ssize_t, recvfrom, (int s, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l),
     (s, b, n, f, a, l))
WRAP(HP_CHECK_IO, ssize_t, recvmsg, (int s, struct msghdr *m, int f), (s, m, f))
WRAP(HP_CHECK_IO, int, recvmmsg, (int s, struct mmsghdr *m, unsigned int n, int f, struct timespec *t),
     (s, m, n, f, t))
WRAP(HP_CHECK_IO, int, connect, (int s, const struct sockaddr *a, socklen_t l), (s, a, l))
WRAP(HP_CHECK_IO, int, accept, (int s, struct sockaddr *a, socklen_t *l), (s, a, l))
WRAP(HP_CHECK_IO, int, accept4, (int s, struct sockaddr *a, socklen_t *l, int f), (s, a, l, f))
WRAP(HP_CHECK_IO, FILE *, fopen, (const char *p, const char *m), (p, m))
WRAP(HP_CHECK_IO, FILE *, fopen64, (const char *p, const char *m), (p, m))
WRAP(HP_CHECK_IO, int, fclose, (FILE * f), (f))
WRAP(HP_CHECK_IO, int, fflush, (FILE * f), (f))

/* ---- mmap ------------------------------------------------------------------------------------- */
#define WRAP_SIZED(cat, ret, name, params, args, size)                                             \
    static ret(*next_##name) params;                                                               \
    EXPORT ret name params                                                                         \
    {                                                                                              \
        if (HP_UNLIKELY(hp_thread_hot_or_sealed())) sized_hot(#name, cat, size);                   \
        return NEXT(name) args;                                                                    \
    }
WRAP_SIZED(HP_CHECK_MMAP, void *, mmap, (void *a, size_t n, int p, int f, int fd, off_t o), (a, n, p, f, fd, o), n)
WRAP_SIZED(HP_CHECK_MMAP, void *, mmap64, (void *a, size_t n, int p, int f, int fd, off_t o), (a, n, p, f, fd, o),
           n)
WRAP_SIZED(HP_CHECK_MMAP, int, munmap, (void *a, size_t n), (a, n), n)
static void *(*next_mremap)(void *, size_t, size_t, int, ...);
EXPORT void *mremap(void *old, size_t old_size, size_t new_size, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    void *new_address = va_arg(ap, void *);
    va_end(ap);
    if (HP_UNLIKELY(hp_thread_hot_or_sealed())) sized_hot("mremap", HP_CHECK_MMAP, new_size);
    return NEXT(mremap)(old, old_size, new_size, flags, new_address);
}
WRAP_SIZED(HP_CHECK_MMAP, int, mprotect, (void *a, size_t n, int p), (a, n, p), n)
WRAP_SIZED(HP_CHECK_MMAP, int, madvise, (void *a, size_t n, int advice), (a, n, advice), n)
WRAP(HP_CHECK_MMAP, int, brk, (void *a), (a))
WRAP_SIZED(HP_CHECK_MMAP, void *, sbrk, (intptr_t n), (n), (size_t)(n < 0 ? -n : n))

/* ---- spawn ------------------------------------------------------------------------------------ */
WRAP(HP_CHECK_SPAWN, pid_t, fork, (void), ())
WRAP(HP_CHECK_SPAWN, int, posix_spawn,
     (pid_t * p, const char *path, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at,
      char *const argv[], char *const envp[]),
     (p, path, fa, at, argv, envp))
WRAP(HP_CHECK_SPAWN, int, posix_spawnp,
     (pid_t * p, const char *file, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at,
      char *const argv[], char *const envp[]),
     (p, file, fa, at, argv, envp))
WRAP(HP_CHECK_SPAWN, int, system, (const char *c), (c))
WRAP(HP_CHECK_SPAWN, int, pthread_create, (pthread_t * t, const pthread_attr_t *a, void *(*f)(void *), void *arg),
     (t, a, f, arg))

/* vfork's child runs on the parent's stack until it execs: a wrapper with a frame of its own would
 * be torn down under it. So vfork is a tail jump, written in assembly: check, then jump. */
HP_HIDDEN void *hp_next_vfork;
HP_HIDDEN void hp_vfork_hot(void);
void *hp_next_vfork;
void hp_vfork_hot(void)
{
    if (!hp_next_vfork) hp_next_vfork = hp_resolve_next("vfork");
    if (hp_thread_hot_or_sealed()) blocking_hot("vfork", HP_CHECK_SPAWN);
}
#if defined(__x86_64__)
/* CFI so that unwinding from a report passes through this frame to vfork's caller; endbr64 so
 * that the library keeps its indirect-branch-tracking marking. */
__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork, @function\n"
        "vfork:\n"
        "    .cfi_startproc\n"
        "    endbr64\n"
        "    sub $8, %rsp\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    call hp_vfork_hot\n" /* hidden: a direct call, no PLT */
        "    add $8, %rsp\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    jmp *hp_next_vfork(%rip)\n"
        "    .cfi_endproc\n"
        ".size vfork, .-vfork\n");
#endif

/* Resolve every next pointer at start-up, so that none is looked up for the first time inside a
 * hot section (dlsym may allocate). */
void hp_blocking_init(void)
{
#define R(name) (void)NEXT(name)
    R(pthread_mutex_lock), R(pthread_mutex_timedlock), R(pthread_rwlock_rdlock), R(pthread_rwlock_wrlock);
    R(pthread_rwlock_timedrdlock), R(pthread_rwlock_timedwrlock), R(pthread_cond_wait), R(pthread_cond_timedwait);
    R(pthread_join), R(pthread_barrier_wait), R(pthread_spin_lock), R(sem_wait), R(sem_timedwait);
    R(pthread_cond_clockwait), R(pthread_mutex_clocklock), R(pthread_rwlock_clockrdlock);
    R(pthread_rwlock_clockwrlock), R(sem_clockwait), R(pthread_timedjoin_np), R(pthread_clockjoin_np);
    R(mtx_lock), R(mtx_timedlock), R(cnd_wait), R(cnd_timedwait), R(thrd_join);
    R(sleep), R(usleep), R(nanosleep), R(clock_nanosleep), R(pause), R(sched_yield), R(thrd_sleep), R(thrd_yield);
    R(open), R(open64), R(openat), R(openat64), R(__open_2), R(__open64_2), R(__openat_2), R(__openat64_2);
    R(creat), R(creat64), R(close), R(read), R(__read_chk), R(write), R(pread), R(pread64), R(__pread_chk);
    R(__pread64_chk), R(pwrite), R(pwrite64), R(readv), R(writev), R(fsync), R(fdatasync), R(ioctl), R(poll);
    R(__poll_chk), R(ppoll), R(__ppoll_chk), R(select), R(pselect), R(epoll_wait), R(epoll_pwait), R(epoll_pwait2);
    R(__recv_chk), R(__recvfrom_chk);
    R(send), R(sendto), R(sendmsg), R(sendmmsg), R(recv), R(recvfrom), R(recvmsg), R(recvmmsg), R(connect);
    R(accept), R(accept4), R(fopen), R(fopen64), R(fclose), R(fflush);
    R(mmap), R(mmap64), R(munmap), R(mremap), R(mprotect), R(madvise), R(brk), R(sbrk);
    R(fork), R(posix_spawn), R(posix_spawnp), R(system), R(pthread_create);
#undef R
    hp_vfork_hot();
}
