/* Built with -O2 -D_FORTIFY_SOURCE=2: lengths and flags that are not compile-time constants make
 * the calls below go to glibc's checking entry points (__openat_2, __pread_chk, ...). */
#define _GNU_SOURCE
#include <hotpath.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argv;
    int flags = argc > 5 ? O_RDWR : O_RDONLY; /* not a constant */
    size_t n = (size_t)(argc + 7);            /* not a constant */
    char buf[64];
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct pollfd pfd[4] = {{sv[0], POLLIN, 0}};
    struct timespec zero = {0, 0};
    hotpath_enter("fortified");
    int fd = openat(AT_FDCWD, "/dev/null", flags);
    int fd2 = open("/dev/null", flags);
    ssize_t a = pread(fd, buf, n, 0);
    ssize_t b = recv(sv[0], buf, n, MSG_DONTWAIT);
    ssize_t c = recvfrom(sv[0], buf, n, MSG_DONTWAIT, NULL, NULL);
    int d = poll(pfd, (nfds_t)argc, 0);
    int e = ppoll(pfd, (nfds_t)argc, &zero, NULL);
    ssize_t f = read(fd, buf, n);
    hotpath_exit();
    printf("%d %d %zd %zd %zd %d %d %zd\nsurvived\n", fd >= 0, fd2 >= 0, a, b, c, d, e, f);
    return 0;
}
