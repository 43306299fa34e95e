/*
 * One potentially blocking call, named by argv[1], made inside a hot section (or, as cold:NAME,
 * outside any). Prints "rc=<return value> errno=<errno>" so that tests can compare a run
 * under the sentinel with one without it. Every call is arranged to return at once.
 */
#define _GNU_SOURCE
#include <hotpath.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static pthread_spinlock_t spin;
static sem_t sem;
static pthread_t finished;
static int fd, sv[2], ep;
static void *map;
static FILE *memfile; /* made before the section: fmemopen allocates, and allocations always count */
static char membuf[4];
static char buf[64], tmpfile_path[64];
static struct timespec past, future;
static void *nothing(void *a) { return a; }
static mtx_t c11_mutex;
static cnd_t c11_cond;
static thrd_t c11_finished;
static int c11_nothing(void *a) { return a != NULL; }

static void setup(void)
{
    pthread_barrier_init(&barrier, NULL, 1);
    pthread_spin_init(&spin, 0);
    sem_init(&sem, 0, 8);
    pthread_create(&finished, NULL, nothing, NULL);
    mtx_init(&c11_mutex, mtx_timed);
    cnd_init(&c11_cond);
    thrd_create(&c11_finished, c11_nothing, NULL);
    usleep(1000);
    fd = open("/dev/null", O_RDWR);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    ep = epoll_create1(0);
    map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memfile = fmemopen(membuf, sizeof membuf, "r");
    snprintf(tmpfile_path, sizeof tmpfile_path, "/tmp/hotpath-probe-%d", (int)getpid());
    clock_gettime(CLOCK_REALTIME, &past);
    future = past;
    past.tv_sec -= 10;
    future.tv_sec += 30;
}

static long call(const char *n)
{
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    struct pollfd pfd = {fd, POLLIN, 0};
    struct timespec zero = {0, 0};
    struct timeval tv0 = {0, 0};
    struct epoll_event ev;
    pid_t pid;
    char *argv[] = {"true", NULL};
    if (!strcmp(n, "pthread_mutex_lock")) return pthread_mutex_lock(&mutex);
    if (!strcmp(n, "pthread_mutex_timedlock")) return pthread_mutex_timedlock(&mutex, &past);
    if (!strcmp(n, "pthread_rwlock_rdlock")) return pthread_rwlock_rdlock(&rwlock);
    if (!strcmp(n, "pthread_rwlock_wrlock")) return pthread_rwlock_wrlock(&rwlock);
    if (!strcmp(n, "pthread_rwlock_timedrdlock")) return pthread_rwlock_timedrdlock(&rwlock, &past);
    if (!strcmp(n, "pthread_rwlock_timedwrlock")) return pthread_rwlock_timedwrlock(&rwlock, &past);
    if (!strcmp(n, "pthread_cond_wait")) return pthread_mutex_trylock(&mutex), pthread_cond_wait(&cond, &mutex);
    if (!strcmp(n, "pthread_cond_timedwait"))
        return pthread_mutex_trylock(&mutex), pthread_cond_timedwait(&cond, &mutex, &past);
    if (!strcmp(n, "pthread_join")) return pthread_join(finished, NULL);
    if (!strcmp(n, "pthread_barrier_wait")) return pthread_barrier_wait(&barrier);
    if (!strcmp(n, "pthread_spin_lock")) return pthread_spin_lock(&spin);
    if (!strcmp(n, "sem_wait")) return sem_wait(&sem);
    if (!strcmp(n, "sem_timedwait")) return sem_timedwait(&sem, &past);
    if (!strcmp(n, "pthread_cond_clockwait"))
        return pthread_mutex_trylock(&mutex), pthread_cond_clockwait(&cond, &mutex, CLOCK_REALTIME, &past);
    if (!strcmp(n, "pthread_mutex_clocklock")) return pthread_mutex_clocklock(&mutex, CLOCK_REALTIME, &past);
    if (!strcmp(n, "pthread_rwlock_clockrdlock")) return pthread_rwlock_clockrdlock(&rwlock, CLOCK_REALTIME, &past);
    if (!strcmp(n, "pthread_rwlock_clockwrlock")) return pthread_rwlock_clockwrlock(&rwlock, CLOCK_REALTIME, &past);
    if (!strcmp(n, "sem_clockwait")) return sem_clockwait(&sem, CLOCK_REALTIME, &past);
    /* A deadline in the future: the thread may not have ended yet on a loaded machine, and a past
     * deadline would then make the result depend on the timing. */
    if (!strcmp(n, "pthread_timedjoin_np")) return pthread_timedjoin_np(finished, NULL, &future);
    if (!strcmp(n, "pthread_clockjoin_np")) return pthread_clockjoin_np(finished, NULL, CLOCK_REALTIME, &future);
    if (!strcmp(n, "mtx_lock")) return mtx_lock(&c11_mutex);
    if (!strcmp(n, "mtx_timedlock")) return mtx_timedlock(&c11_mutex, &past);
    if (!strcmp(n, "cnd_wait")) return mtx_trylock(&c11_mutex), cnd_wait(&c11_cond, &c11_mutex);
    if (!strcmp(n, "cnd_timedwait")) return mtx_trylock(&c11_mutex), cnd_timedwait(&c11_cond, &c11_mutex, &past);
    if (!strcmp(n, "thrd_join")) return thrd_join(c11_finished, NULL);
    if (!strcmp(n, "thrd_sleep")) return thrd_sleep(&zero, NULL);
    if (!strcmp(n, "thrd_yield")) return thrd_yield(), 0;
    if (!strcmp(n, "epoll_pwait2")) return epoll_pwait2(ep, &ev, 1, &zero, NULL);
    if (!strcmp(n, "sleep")) return sleep(0);
    if (!strcmp(n, "usleep")) return usleep(0);
    if (!strcmp(n, "nanosleep")) return nanosleep(&zero, NULL);
    if (!strcmp(n, "clock_nanosleep")) return clock_nanosleep(CLOCK_MONOTONIC, 0, &zero, NULL);
    if (!strcmp(n, "pause")) return pause();
    if (!strcmp(n, "sched_yield")) return sched_yield();
    if (!strcmp(n, "open")) return open("/nonexistent/x", O_RDONLY);
    if (!strcmp(n, "open64")) return open64("/nonexistent/x", O_RDONLY);
    if (!strcmp(n, "openat")) return openat(AT_FDCWD, "/nonexistent/x", O_RDONLY);
    if (!strcmp(n, "openat64")) return openat64(AT_FDCWD, "/nonexistent/x", O_RDONLY);
    if (!strcmp(n, "creat")) return creat("/nonexistent/x", 0600);
    if (!strcmp(n, "creat64")) return creat64("/nonexistent/x", 0600);
    if (!strcmp(n, "close")) return close(-1);
    if (!strcmp(n, "read")) return read(fd, buf, sizeof buf);
    if (!strcmp(n, "write")) return write(fd, "x", 1);
    if (!strcmp(n, "pread")) return pread(-1, buf, 1, 0);
    if (!strcmp(n, "pread64")) return pread64(-1, buf, 1, 0);
    if (!strcmp(n, "pwrite")) return pwrite(-1, buf, 1, 0);
    if (!strcmp(n, "pwrite64")) return pwrite64(-1, buf, 1, 0);
    if (!strcmp(n, "readv")) return readv(fd, &iov, 1);
    if (!strcmp(n, "writev")) return writev(fd, &iov, 1);
    if (!strcmp(n, "fsync")) return fsync(-1);
    if (!strcmp(n, "fdatasync")) return fdatasync(-1);
    if (!strcmp(n, "ioctl")) return ioctl(-1, FIONREAD, buf);
    if (!strcmp(n, "poll")) return poll(&pfd, 1, 0);
    if (!strcmp(n, "ppoll")) return ppoll(&pfd, 1, &zero, NULL);
    if (!strcmp(n, "select")) return select(0, NULL, NULL, NULL, &tv0);
    if (!strcmp(n, "pselect")) return pselect(0, NULL, NULL, NULL, &zero, NULL);
    if (!strcmp(n, "epoll_wait")) return epoll_wait(ep, &ev, 1, 0);
    if (!strcmp(n, "epoll_pwait")) return epoll_pwait(ep, &ev, 1, 0, NULL);
    if (!strcmp(n, "send")) return send(sv[0], "x", 1, MSG_DONTWAIT);
    if (!strcmp(n, "sendto")) return sendto(sv[0], "x", 1, MSG_DONTWAIT, NULL, 0);
    if (!strcmp(n, "sendmsg")) return sendmsg(sv[0], &msg, MSG_DONTWAIT);
    if (!strcmp(n, "sendmmsg")) return sendmmsg(-1, NULL, 0, 0);
    if (!strcmp(n, "recv")) return recv(sv[1], buf, 1, MSG_DONTWAIT);
    if (!strcmp(n, "recvfrom")) return recvfrom(sv[1], buf, 1, MSG_DONTWAIT, NULL, NULL);
    if (!strcmp(n, "recvmsg")) return recvmsg(sv[1], &msg, MSG_DONTWAIT);
    if (!strcmp(n, "recvmmsg")) return recvmmsg(-1, NULL, 0, 0, NULL);
    if (!strcmp(n, "connect")) return connect(-1, NULL, 0);
    if (!strcmp(n, "accept")) return accept(-1, NULL, NULL);
    if (!strcmp(n, "accept4")) return accept4(-1, NULL, NULL, 0);
    if (!strcmp(n, "fopen")) return fopen("/nonexistent/x", "r") != NULL;
    if (!strcmp(n, "fopen64")) return fopen64("/nonexistent/x", "r") != NULL;
    if (!strcmp(n, "fclose")) return fclose(memfile);
    if (!strcmp(n, "fflush")) return fflush(NULL);
    if (!strcmp(n, "mmap")) return mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED;
    if (!strcmp(n, "mmap64")) return mmap64(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED;
    if (!strcmp(n, "munmap")) return munmap((char *)map + 4096, 4096);
    if (!strcmp(n, "mremap")) return mremap(map, 4096, 4096, 0) == MAP_FAILED;
    if (!strcmp(n, "mprotect")) return mprotect(map, 4096, PROT_READ);
    if (!strcmp(n, "madvise")) return madvise(map, 4096, MADV_NORMAL);
    if (!strcmp(n, "brk")) return brk(NULL); /* the kernel answers with the current break: no change */
    if (!strcmp(n, "sbrk")) return sbrk(0) == (void *)-1;
    if (!strcmp(n, "fork")) {
        if ((pid = fork()) == 0) _exit(0);
        return waitpid(pid, NULL, 0) == pid;
    }
    if (!strcmp(n, "vfork")) {
        if ((pid = vfork()) == 0) _exit(0);
        return waitpid(pid, NULL, 0) == pid;
    }
    if (!strcmp(n, "posix_spawn")) return posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) || waitpid(pid, NULL, 0) != pid;
    if (!strcmp(n, "posix_spawnp")) return posix_spawnp(&pid, "true", NULL, NULL, argv, environ) || waitpid(pid, NULL, 0) != pid;
    if (!strcmp(n, "system")) return system("true");
    if (!strcmp(n, "pthread_create")) {
        pthread_t t;
        long r = pthread_create(&t, NULL, nothing, NULL);
        pthread_join(t, NULL);
        return r;
    }
    fprintf(stderr, "probe_blocking: unknown call %s\n", n);
    exit(2);
}

/* A thread blocked in read() inside a section must still be cancellable. */
static int pipefd[2];
static void *blocked_reader(void *arg)
{
    (void)arg;
    hotpath_enter("cancel_section");
    char c;
    ssize_t r = read(pipefd[0], &c, 1);
    hotpath_exit();
    return (void *)r;
}

static int cancel_scenario(void)
{
    pthread_t t;
    void *res = NULL;
    if (pipe(pipefd)) return 1;
    pthread_create(&t, NULL, blocked_reader, NULL);
    struct timespec ms50 = {0, 50 * 1000 * 1000};
    nanosleep(&ms50, NULL);
    pthread_cancel(t);
    pthread_join(t, &res);
    printf("cancelled %d\n", res == PTHREAD_CANCELED);
    printf("survived\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "cancel")) return cancel_scenario();
    setup();
    const char *name = argc > 1 ? argv[1] : "read";
    int cold = !strncmp(name, "cold:", 5); /* cold:NAME makes the call outside any section */
    if (cold) name += 5;
    if (!cold) hotpath_enter("blocking_section");
    errno = 0;
    long rc = call(name);
    int e = errno;
    if (!cold) hotpath_exit();
    printf("rc=%ld errno=%d\n", rc, e);
    printf("survived\n");
    return 0;
}
