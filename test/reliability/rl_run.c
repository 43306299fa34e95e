/* The reliability suite's runner: fork/exec with a timeout, stdout and stderr into unlinked
 * temporary files read back whole. */
#define _GNU_SOURCE
#include "rl_run.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct rl_run result;

static char *read_back(int fd, size_t *len)
{
    struct stat st;
    fstat(fd, &st);
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    ssize_t k;
    lseek(fd, 0, SEEK_SET);
    while (n < (size_t)st.st_size && (k = read(fd, buf + n, (size_t)st.st_size - n)) > 0) n += (size_t)k;
    buf[n] = 0;
    *len = n;
    close(fd);
    return buf;
}

static int tmpfd(void)
{
    char path[] = "/tmp/hotpath-rel.XXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    return fd;
}

/* Cross-built tests run under an emulator (make check-aarch64): HOTPATH_TEST_EXEC names the
 * program that runs a target binary (arch/qemu-run), and the preload goes to it as
 * HOTPATH_TEST_PRELOAD, since the host's loader would try a foreign LD_PRELOAD and complain. */
void rl_exec(const char *const *argv)
{
    const char *wrap = getenv("HOTPATH_TEST_EXEC");
    if (wrap && *wrap) {
        const char *p = getenv("LD_PRELOAD");
        if (p)
            setenv("HOTPATH_TEST_PRELOAD", p, 1);
        else
            unsetenv("HOTPATH_TEST_PRELOAD");
        unsetenv("LD_PRELOAD");
        const char *wargv[64];
        int n = 0;
        wargv[n++] = wrap;
        for (int i = 0; argv[i] && n < 63; i++) wargv[n++] = argv[i];
        wargv[n] = NULL;
        execv(wrap, (char *const *)wargv);
        return;
    }
    execv(argv[0], (char *const *)argv);
}

struct rl_run *rl_run(const char *preload, const char *opts, int timeout_s, const char *const *env,
                      const char *const *argv)
{
    struct rl_run *r = &result;
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
    int out = tmpfd(), err = tmpfd();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(out, 1);
        dup2(err, 2);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        if (preload)
            setenv("LD_PRELOAD", preload, 1);
        else
            unsetenv("LD_PRELOAD");
        if (opts)
            setenv("HOTPATH_OPTIONS", opts, 1);
        else
            unsetenv("HOTPATH_OPTIONS");
        for (int i = 0; env && env[i]; i++) putenv((char *)env[i]);
        rl_exec(argv);
        _exit(127);
    }
    int st = 0;
    long ticks = (long)timeout_s * 100;
    for (long i = 0;; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid) break;
        if (i >= ticks) {
            kill(-pid, SIGKILL); /* the whole group: forked grandchildren too */
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            r->timed_out = 1;
            break;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    r->exited = WIFEXITED(st);
    r->code = r->exited ? WEXITSTATUS(st) : -1;
    r->signaled = WIFSIGNALED(st);
    r->sig = r->signaled ? WTERMSIG(st) : 0;
    r->out = read_back(out, &r->out_len);
    r->err = read_back(err, &r->err_len);
    return r;
}

struct rl_run *rl_runv(const char *preload, const char *opts, int timeout_s, const char *prog, ...)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = prog;
    va_list ap;
    va_start(ap, prog);
    const char *a;
    while (n < 31 && (a = va_arg(ap, const char *))) argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return rl_run(preload, opts, timeout_s, NULL, argv);
}

int rl_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);
    for (const char *p = hay; p && (p = strstr(p, needle)); p += l) n++;
    return n;
}

long rl_field(const char *text, const char *key)
{
    char k[128];
    snprintf(k, sizeof k, "%s ", key);
    const char *p = text ? strstr(text, k) : NULL;
    return p ? atol(p + strlen(k)) : -1;
}

char *rl_slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    size_t len;
    return read_back(fd, &len);
}

const char *rl_how(const struct rl_run *r)
{
    static char how[128];
    if (r->timed_out)
        snprintf(how, sizeof how, "TIMED OUT (killed)");
    else if (r->signaled)
        snprintf(how, sizeof how, "killed by signal %d", r->sig);
    else
        snprintf(how, sizeof how, "exit %d", r->code);
    return how;
}
