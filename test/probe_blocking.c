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
#include <malloc.h>
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
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

/* Built twice: for hotpath (sections are hotpath_enter/exit), and with -DWITH_RTSAN for
 * RealtimeSanitizer's side of `make compare-rtsan` (sections are its realtime contexts). */
#ifdef WITH_RTSAN
void __rtsan_realtime_enter(void);
void __rtsan_realtime_exit(void);
#define SECTION_ENTER(name) __rtsan_realtime_enter()
#define SECTION_EXIT() __rtsan_realtime_exit()
#else
#define SECTION_ENTER(name) hotpath_enter(name)
#define SECTION_EXIT() hotpath_exit()
#endif

/* Not declared outside fortified builds: what gcc -D_FORTIFY_SOURCE calls instead of printf. */
int __printf_chk(int, const char *, ...);
int __fprintf_chk(FILE *, int, const char *, ...);
int __dprintf_chk(int, int, const char *, ...);
int __vprintf_chk(int, const char *, va_list);
int __vfprintf_chk(FILE *, int, const char *, va_list);
int __vdprintf_chk(int, int, const char *, va_list);

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
static void *membuf_heap; /* malloc'd before the section, freed in it */
static char buf[64], tmpfile_path[64];
static struct timespec past, future;
static FILE *stream; /* /dev/null, opened before the section */
static fpos_t stream_pos;
static fpos64_t stream_pos64;
static pthread_mutex_t mutex2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock2 = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t cond_to_init, cond_to_destroy = PTHREAD_COND_INITIALIZER;
static cpu_set_t cpus;
static unsigned char pages[4];
static volatile size_t alloc_size = 24;

/* Through a pointer: glibc's headers turn a direct vprintf call into vfprintf(stdout) when
 * optimizing, and the point is the exported vprintf. */
static int (*volatile vprintf_fn)(const char *, va_list) = vprintf;
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

static int v_call(int which, ...)
{
    va_list ap;
    va_start(ap, which);
    int r = -1;
    switch (which) {
    case 0: r = vprintf_fn("%s", ap); break;
    case 1: r = vfprintf(stream, "%s", ap); break;
    case 2: r = vdprintf(fd, "%s", ap); break;
    case 3: r = __vprintf_chk(1, "%s", ap); break;
    case 4: r = __vfprintf_chk(stream, 1, "%s", ap); break;
    case 5: r = __vdprintf_chk(fd, 1, "%s", ap); break;
    }
    va_end(ap);
    return r;
}
static ssize_t cookie_read(void *c, char *b, size_t n) { return (void)c, (void)b, (ssize_t)n * 0; }
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
    membuf_heap = malloc(16);
    stream = fopen("/dev/null", "r+");
    fgetpos(stream, &stream_pos);
    fgetpos64(stream, &stream_pos64);
    sched_getaffinity(0, sizeof cpus, &cpus);
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
    /* ---- RealtimeSanitizer 22's interceptors that the list above lacked ---- */
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
    struct sockaddr_un {
        sa_family_t f;
        char p[108];
    } sun;
    socklen_t slen = sizeof sun;
    int p2[2], iv = 0;
    socklen_t ivl = sizeof iv;
    char host[64], *mem = NULL;
    size_t memlen = 0;
    struct itimerspec its = {{0, 0}, {0, 0}};
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_family = AF_INET}, *ai = NULL;
    cookie_io_functions_t cookie = {.read = cookie_read};
    /* The _FORTIFY_SOURCE entry points, called directly (probe_fortify reaches them as gcc does). */
    if (!strcmp(n, "__open_2")) return __open_2("/nonexistent/x", O_RDONLY);
    if (!strcmp(n, "__open64_2")) return __open64_2("/nonexistent/x", O_RDONLY);
    if (!strcmp(n, "__openat_2")) return __openat_2(AT_FDCWD, "/nonexistent/x", O_RDONLY);
    if (!strcmp(n, "__openat64_2")) return __openat64_2(AT_FDCWD, "/nonexistent/x", O_RDONLY);
    if (!strcmp(n, "__read_chk")) return __read_chk(fd, buf, 1, sizeof buf);
    if (!strcmp(n, "__pread_chk")) return __pread_chk(-1, buf, 1, 0, sizeof buf);
    if (!strcmp(n, "__pread64_chk")) return __pread64_chk(-1, buf, 1, 0, sizeof buf);
    if (!strcmp(n, "__recv_chk")) return __recv_chk(sv[1], buf, 1, sizeof buf, MSG_DONTWAIT);
    if (!strcmp(n, "__recvfrom_chk")) return __recvfrom_chk(sv[1], buf, 1, sizeof buf, MSG_DONTWAIT, NULL, NULL);
    if (!strcmp(n, "__poll_chk")) return __poll_chk(&pfd, 1, 0, sizeof pfd);
    if (!strcmp(n, "__ppoll_chk")) return __ppoll_chk(&pfd, 1, &zero, NULL, sizeof pfd);
    if (!strcmp(n, "pthread_mutex_unlock")) return pthread_mutex_trylock(&mutex2), pthread_mutex_unlock(&mutex2);
    if (!strcmp(n, "pthread_rwlock_unlock")) return pthread_rwlock_tryrdlock(&rwlock2), pthread_rwlock_unlock(&rwlock2);
    if (!strcmp(n, "pthread_cond_init")) return pthread_cond_init(&cond_to_init, NULL);
    if (!strcmp(n, "pthread_cond_signal")) return pthread_cond_signal(&cond);
    if (!strcmp(n, "pthread_cond_broadcast")) return pthread_cond_broadcast(&cond);
    if (!strcmp(n, "pthread_cond_destroy")) return pthread_cond_destroy(&cond_to_destroy);
    if (!strcmp(n, "sched_getaffinity")) return sched_getaffinity(0, sizeof cpus, &cpus);
    if (!strcmp(n, "sched_setaffinity")) return sched_setaffinity(0, sizeof cpus, &cpus);
    if (!strcmp(n, "posix_madvise")) return posix_madvise(map, 4096, POSIX_MADV_NORMAL);
    if (!strcmp(n, "msync")) return msync(map, 4096, MS_ASYNC);
    if (!strcmp(n, "mincore")) return mincore(map, 4096, pages);
    if (!strcmp(n, "shm_open")) return shm_open("/hotpath-probe-nonexistent", O_RDONLY, 0);
    if (!strcmp(n, "shm_unlink")) return shm_unlink("/hotpath-probe-nonexistent");
    if (!strcmp(n, "memfd_create")) return memfd_create("probe", 0) >= 0;
    if (!strcmp(n, "fcntl")) return fcntl(fd, F_GETFD);
    if (!strcmp(n, "fcntl64")) return fcntl64(fd, F_GETFD);
    if (!strcmp(n, "chdir")) return chdir(".");
    if (!strcmp(n, "fchdir")) return fchdir(-1);
    if (!strcmp(n, "readlink")) return readlink("/nonexistent/x", buf, sizeof buf);
    if (!strcmp(n, "readlinkat")) return readlinkat(AT_FDCWD, "/nonexistent/x", buf, sizeof buf);
    if (!strcmp(n, "unlink")) return unlink("/nonexistent/x");
    if (!strcmp(n, "unlinkat")) return unlinkat(AT_FDCWD, "/nonexistent/x", 0);
    if (!strcmp(n, "truncate")) return truncate("/nonexistent/x", 0);
    if (!strcmp(n, "truncate64")) return truncate64("/nonexistent/x", 0);
    if (!strcmp(n, "ftruncate")) return ftruncate(-1, 0);
    if (!strcmp(n, "ftruncate64")) return ftruncate64(-1, 0);
    if (!strcmp(n, "symlink")) return symlink("x", "/nonexistent/x");
    if (!strcmp(n, "symlinkat")) return symlinkat("x", AT_FDCWD, "/nonexistent/x");
    if (!strcmp(n, "lseek")) return lseek(fd, 0, SEEK_CUR);
    if (!strcmp(n, "lseek64")) return lseek64(fd, 0, SEEK_CUR);
    if (!strcmp(n, "dup")) return dup(fd) >= 0;
    if (!strcmp(n, "dup2")) return dup2(fd, fd);
    if (!strcmp(n, "chmod")) return chmod("/nonexistent/x", 0600);
    if (!strcmp(n, "fchmod")) return fchmod(-1, 0600);
    if (!strcmp(n, "mkdir")) return mkdir("/nonexistent/x", 0700);
    if (!strcmp(n, "rmdir")) return rmdir("/nonexistent/x");
    if (!strcmp(n, "umask")) return umask(022) != (mode_t)-1;
    if (!strcmp(n, "fread")) return fread(buf, 1, 1, stream);
    if (!strcmp(n, "fwrite")) return fwrite("x", 1, 1, stream);
    if (!strcmp(n, "fputs")) return fputs("x", stream) >= 0;
    if (!strcmp(n, "puts")) return puts("probe") >= 0;
    if (!strcmp(n, "freopen")) return freopen("/dev/null", "r+", stream) == stream;
    if (!strcmp(n, "freopen64")) return freopen64("/dev/null", "r+", stream) == stream;
    if (!strcmp(n, "setbuf")) return setbuf(stream, NULL), 0;
    if (!strcmp(n, "setvbuf")) return setvbuf(stream, NULL, _IONBF, 0);
    if (!strcmp(n, "setlinebuf")) return setlinebuf(stream), 0;
    if (!strcmp(n, "setbuffer")) return setbuffer(stream, NULL, 0), 0;
    if (!strcmp(n, "fseek")) return fseek(stream, 0, SEEK_SET);
    if (!strcmp(n, "fseeko")) return fseeko(stream, 0, SEEK_SET);
    if (!strcmp(n, "fseeko64")) return fseeko64(stream, 0, SEEK_SET);
    if (!strcmp(n, "ftell")) return ftell(stream);
    if (!strcmp(n, "ftello")) return ftello(stream);
    if (!strcmp(n, "ftello64")) return ftello64(stream);
    if (!strcmp(n, "fgetpos")) return fgetpos(stream, &stream_pos);
    if (!strcmp(n, "fgetpos64")) return fgetpos64(stream, &stream_pos64);
    if (!strcmp(n, "fsetpos")) return fsetpos(stream, &stream_pos);
    if (!strcmp(n, "fsetpos64")) return fsetpos64(stream, &stream_pos64);
    if (!strcmp(n, "rewind")) return rewind(stream), 0;
    if (!strcmp(n, "printf")) return printf("%s", "");
    if (!strcmp(n, "fprintf")) return fprintf(stream, "%s", "x");
    if (!strcmp(n, "dprintf")) return dprintf(fd, "%s", "x");
    if (!strcmp(n, "vprintf")) return v_call(0, "");
    if (!strcmp(n, "vfprintf")) return v_call(1, "x");
    if (!strcmp(n, "vdprintf")) return v_call(2, "x");
    if (!strcmp(n, "__printf_chk")) return __printf_chk(1, "%s", "");
    if (!strcmp(n, "__fprintf_chk")) return __fprintf_chk(stream, 1, "%s", "x");
    if (!strcmp(n, "__dprintf_chk")) return __dprintf_chk(fd, 1, "%s", "x");
    if (!strcmp(n, "__vprintf_chk")) return v_call(3, "");
    if (!strcmp(n, "__vfprintf_chk")) return v_call(4, "x");
    if (!strcmp(n, "__vdprintf_chk")) return v_call(5, "x");
    if (!strcmp(n, "preadv")) return preadv(fd, &iov, 1, 0);
    if (!strcmp(n, "preadv64")) return preadv64(fd, &iov, 1, 0);
    if (!strcmp(n, "pwritev")) return pwritev(fd, &iov, 1, 0);
    if (!strcmp(n, "pwritev64")) return pwritev64(fd, &iov, 1, 0);
    if (!strcmp(n, "socket")) return socket(AF_UNIX, SOCK_STREAM, 0) >= 0;
    if (!strcmp(n, "socketpair")) return socketpair(AF_UNIX, SOCK_STREAM, 0, p2);
    if (!strcmp(n, "bind")) return bind(-1, (struct sockaddr *)&sin, sizeof sin);
    if (!strcmp(n, "listen")) return listen(-1, 1);
    if (!strcmp(n, "shutdown")) return shutdown(-1, SHUT_RDWR);
    if (!strcmp(n, "getsockopt")) return getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &iv, &ivl) || iv != SOCK_STREAM;
    if (!strcmp(n, "setsockopt")) return setsockopt(-1, SOL_SOCKET, SO_KEEPALIVE, &iv, sizeof iv);
    if (!strcmp(n, "getsockname")) return getsockname(sv[0], (struct sockaddr *)&sun, &slen);
    if (!strcmp(n, "getpeername")) return getpeername(sv[0], (struct sockaddr *)&sun, &slen);
    if (!strcmp(n, "getaddrinfo")) return getaddrinfo("127.0.0.1", "7", &hints, &ai);
    if (!strcmp(n, "getnameinfo"))
        return getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    if (!strcmp(n, "epoll_create")) return epoll_create(1) >= 0;
    if (!strcmp(n, "epoll_create1")) return epoll_create1(0) >= 0;
    if (!strcmp(n, "epoll_ctl")) return epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL);
    if (!strcmp(n, "inotify_init")) return inotify_init() >= 0;
    if (!strcmp(n, "inotify_init1")) return inotify_init1(0) >= 0;
    if (!strcmp(n, "inotify_add_watch")) return inotify_add_watch(-1, "/", IN_ACCESS);
    if (!strcmp(n, "inotify_rm_watch")) return inotify_rm_watch(-1, 1);
    if (!strcmp(n, "timerfd_create")) return timerfd_create(CLOCK_MONOTONIC, 0) >= 0;
    if (!strcmp(n, "timerfd_settime")) return timerfd_settime(-1, 0, &its, NULL);
    if (!strcmp(n, "timerfd_gettime")) return timerfd_gettime(-1, &its);
    if (!strcmp(n, "eventfd")) return eventfd(0, 0) >= 0;
    if (!strcmp(n, "pipe")) return pipe(p2);
    if (!strcmp(n, "pipe2")) return pipe2(p2, 0);
    if (!strcmp(n, "mkfifo")) return mkfifo("/nonexistent/x", 0600);
    if (!strcmp(n, "execve")) return execve("/nonexistent/x", argv, environ);
    if (!strcmp(n, "execv")) return execv("/nonexistent/x", argv);
    if (!strcmp(n, "execvp")) return execvp("/nonexistent/x", argv);
    if (!strcmp(n, "execvpe")) return execvpe("/nonexistent/x", argv, environ);
    if (!strcmp(n, "fexecve")) return fexecve(-1, argv, environ);
    if (!strcmp(n, "execl")) return execl("/nonexistent/x", "x", (char *)NULL);
    if (!strcmp(n, "execlp")) return execlp("/nonexistent/x", "x", (char *)NULL);
    if (!strcmp(n, "execle")) return execle("/nonexistent/x", "x", (char *)NULL, environ);
    if (!strcmp(n, "syscall")) return syscall(SYS_getpid) == getpid();
    if (!strcmp(n, "process_vm_readv")) return process_vm_readv(getpid(), NULL, 0, NULL, 0, 0);
    if (!strcmp(n, "process_vm_writev")) return process_vm_writev(getpid(), NULL, 0, NULL, 0, 0);
    if (!strcmp(n, "fdopen")) return fdopen(-1, "r") != NULL;
    if (!strcmp(n, "fmemopen")) return fmemopen(membuf, sizeof membuf, "r") != NULL;
    if (!strcmp(n, "open_memstream")) return open_memstream(&mem, &memlen) != NULL;
    if (!strcmp(n, "fopencookie")) return fopencookie(NULL, "r", cookie) != NULL;
    /* The allocation functions, for the side-by-side table (hotpath checks them always). */
    if (!strcmp(n, "malloc")) return (mem = malloc(alloc_size)) != NULL;
    if (!strcmp(n, "calloc")) return (mem = calloc(1, alloc_size)) != NULL;
    if (!strcmp(n, "realloc")) return (mem = realloc(NULL, alloc_size)) != NULL;
    if (!strcmp(n, "free")) return free(membuf_heap), 0;
    if (!strcmp(n, "posix_memalign")) return posix_memalign((void **)&mem, 64, alloc_size);
    if (!strcmp(n, "aligned_alloc")) return (mem = aligned_alloc(64, 64)) != NULL;
    if (!strcmp(n, "memalign")) return (mem = memalign(64, alloc_size)) != NULL;
    if (!strcmp(n, "valloc")) return (mem = valloc(alloc_size)) != NULL;
    if (!strcmp(n, "pvalloc")) return (mem = pvalloc(alloc_size)) != NULL;
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

/* A cancel already pending when a thread reaches a checked call: the report is written whole
 * (libdw's open() and read() inside it are cancellation points of their own), the cancel then acts
 * in the real read(), and the report lock is free for the next report. */
static int go;
static void *pending_reader(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE)) /* no cancellation point until the section */
        ;
    hotpath_enter("cancel_section");
    char c;
    ssize_t r = read(pipefd[0], &c, 1);
    hotpath_exit();
    return (void *)r;
}

static int cancel_pending_scenario(void)
{
    pthread_t t;
    void *res = NULL;
    if (pipe(pipefd)) return 1;
    pthread_create(&t, NULL, pending_reader, NULL);
    pthread_cancel(t);
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    pthread_join(t, &res);
    printf("cancelled %d\n", res == PTHREAD_CANCELED);
    hotpath_enter("after_cancel");
    ssize_t w = write(pipefd[1], "x", 1);
    hotpath_exit();
    printf("wrote %zd\nsurvived\n", w);
    return 0;
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
    if (argc > 1 && !strcmp(argv[1], "cancel_pending")) return cancel_pending_scenario();
    setup();
    const char *name = argc > 1 ? argv[1] : "read";
    int cold = !strncmp(name, "cold:", 5); /* cold:NAME makes the call outside any section */
    if (cold) name += 5;
    if (!cold) SECTION_ENTER("blocking_section");
    errno = 0;
    long rc = call(name);
    int e = errno;
    if (!cold) SECTION_EXIT();
    printf("rc=%ld errno=%d\n", rc, e);
    printf("survived\n");
    return 0;
}
