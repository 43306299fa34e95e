/*
 * fail.c - the one place the pools report a fatal misuse (debug checks, abort-on-exhaustion).
 *
 * Must never allocate: it runs inside hot sections under the sentinel, which would turn a clear
 * message into an allocation report. The message is formatted into a stack buffer and written
 * with a single write(2) so lines from several threads do not interleave. The write is a raw
 * syscall so a sentinel checking I/O in hot sections (check=io) does not preempt the message.
 */
#include "hotpath/pools_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

void hp_pools_fail(const char *fmt, ...)
{
    char line[512];
    static const char prefix[] = "hotpath pools: ";
    size_t n = sizeof prefix - 1;
    memcpy(line, prefix, n);
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (k > 0) n += (size_t)k < sizeof line - n - 1 ? (size_t)k : sizeof line - n - 2;
    line[n++] = '\n';
    long w = syscall(SYS_write, STDERR_FILENO, line, n);
    (void)w;
    abort();
}
