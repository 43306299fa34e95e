/*
 * The sentinel's own system calls, made directly: its log writes, file opens and waits must never
 * pass through the functions it interposes (check=io would report them, and another preload's
 * hooks could recurse into us).
 */
#include "sentinel.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int hp_sys_open(const char *path, int flags, int mode) { return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode); }

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
