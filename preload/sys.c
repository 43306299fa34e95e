/*
 * The sentinel's own system calls, made directly: its log writes, file opens and waits must never
 * pass through the functions it interposes (check=io would report them, and another preload's
 * hooks could recurse into us).
 */
#include "sentinel.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int hp_sys_open(const char *path, int flags, int mode)
{
    return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

void hp_sys_close(int fd)
{
    int saved = errno;
    syscall(SYS_close, fd);
    errno = saved;
}

long hp_sys_read(int fd, void *buf, unsigned long n) { return syscall(SYS_read, fd, buf, n); }

void hp_sys_sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    int saved = errno;
    syscall(SYS_nanosleep, &t, NULL);
    errno = saved;
}

void *hp_sys_map(size_t len)
{
    int saved = errno;
    long p = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    errno = saved;
    return p == -1 ? NULL : (void *)p;
}

void hp_sys_unmap(void *p, size_t len)
{
    int saved = errno;
    syscall(SYS_munmap, p, len);
    errno = saved;
}

int hp_sys_protect_none(void *p, size_t len)
{
    int saved = errno;
    long rc = syscall(SYS_mprotect, p, len, PROT_NONE);
    errno = saved;
    return rc == 0 ? 0 : -1;
}
