/*
 * Your own blocking functions and allocators: hotpath_blocking, HOTPATH_BLOCKING_FUNCTION and
 * hotpath_allocation, made by the scenario named in argv[1]:
 *   blocking     hotpath_blocking("my_logger_lock") inside a section
 *   function     a call of a function marked HOTPATH_BLOCKING_FUNCTION() inside a section
 *   allocation   hotpath_allocation("mi_malloc", 48) inside a section
 *   twice        hotpath_allocation from one site twice (dedup) and from another once
 *   cold         all three outside any section
 *   allow        all three in a section, inside an allow region
 *   sealed       hotpath_blocking while the process is sealed, no section
 *   exported     the exported functions, found with dlsym (as a foreign-function interface would)
 *   disabled     all three from code built with HOTPATH_DISABLE, in a section
 * Prints "survived" at the end.
 */
#define _GNU_SOURCE
#include <hotpath.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void reach_disabled_calls(void); /* probe_reach_disabled.c */

static __attribute__((noinline)) void slow_log_flush(void)
{
    HOTPATH_BLOCKING_FUNCTION();
    __asm__ volatile("" ::: "memory");
}

/* Variadic entry points pass every argument on as it came: open's mode, fcntl's third argument,
 * syscall's six, printf's (floating point ones too). Prints what the calls did. */
static void variadic_calls(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/hotpath-reach-va-%d", (int)getpid());
    umask(022);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0640);
    struct stat st;
    fstat(fd, &st);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    int fl = fcntl(fd, F_GETFL);
    long w = syscall(SYS_write, fd, "abcdef", 6);
    unlink(path);
    close(fd);
    printf("mode %o nonblock %d wrote %ld\n", (unsigned)(st.st_mode & 0777), (fl & O_NONBLOCK) != 0, w);
    printf("%d %s %.2f %c %lld\n", 42, "str", 1.5, 'z', 1234567890123LL);
    fprintf(stdout, "%5.1f|%-4s|%x\n", 2.25, "ab", 255u);
    fflush(stdout);
    dprintf(1, "%s %d\n", "dprintf", 7);
}

static __attribute__((noinline)) void site_a(void) { hotpath_allocation("je_malloc", 100); }
static __attribute__((noinline)) void site_b(void) { hotpath_allocation("je_malloc", 200); }

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "blocking";
    if (!strcmp(s, "variadic_cold")) {
        variadic_calls();
    } else if (!strcmp(s, "variadic")) {
        hotpath_enter("reach_section");
        variadic_calls();
        hotpath_exit();
    } else if (!strcmp(s, "cold")) {
        hotpath_blocking("my_logger_lock");
        slow_log_flush();
        hotpath_allocation("mi_malloc", 48);
    } else if (!strcmp(s, "sealed")) {
        hotpath_seal();
        hotpath_blocking("spin_wait");
        hotpath_unseal();
    } else {
        hotpath_enter("reach_section");
        if (!strcmp(s, "blocking")) {
            hotpath_blocking("my_logger_lock");
        } else if (!strcmp(s, "function")) {
            slow_log_flush();
        } else if (!strcmp(s, "allocation")) {
            hotpath_allocation("mi_malloc", 48);
        } else if (!strcmp(s, "twice")) {
            for (volatile int i = 0; i < 2; i++)
                site_a(); /* one stack, twice */
            site_b();
        } else if (!strcmp(s, "allow")) {
            hotpath_allow_begin();
            hotpath_blocking("my_logger_lock");
            slow_log_flush();
            hotpath_allocation("mi_malloc", 48);
            hotpath_allow_end();
        } else if (!strcmp(s, "exported")) {
            void (*blocking)(const char *) = (void (*)(const char *))dlsym(RTLD_DEFAULT, "hotpath_blocking");
            void (*allocation)(const char *, size_t) =
                (void (*)(const char *, size_t))dlsym(RTLD_DEFAULT, "hotpath_allocation");
            if (!blocking || !allocation) {
                printf("missing export\n");
                return 1;
            }
            blocking("ffi_blocking");
            allocation("ffi_alloc", 64);
        } else if (!strcmp(s, "disabled")) {
            reach_disabled_calls();
        }
        hotpath_exit();
    }
    printf("survived\n");
    return 0;
}
