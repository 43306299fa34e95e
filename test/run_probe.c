/* Test helper: fork/exec a probe under the preload, with a timeout, capturing stdout and stderr. */
#define _GNU_SOURCE
#include "run_probe.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct probe_run result;

static void read_back(int fd, char *buf, size_t cap)
{
    lseek(fd, 0, SEEK_SET);
    size_t len = 0;
    ssize_t n;
    while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0) len += (size_t)n;
    buf[len] = 0;
    close(fd);
}

struct probe_run *run_probe(const char *preload, const char *opts, const char *prog, const char *scenario)
{
    struct probe_run *r = &result;
    memset(r, 0, sizeof *r);
    char out_path[] = "/tmp/hotpath-test-out.XXXXXX", err_path[] = "/tmp/hotpath-test-err.XXXXXX";
    int out = mkstemp(out_path), err = mkstemp(err_path);
    unlink(out_path);
    unlink(err_path);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        if (preload)
            setenv("LD_PRELOAD", preload, 1);
        else
            unsetenv("LD_PRELOAD");
        if (opts)
            setenv("HOTPATH_OPTIONS", opts, 1);
        else
            unsetenv("HOTPATH_OPTIONS");
        execl(prog, prog, scenario, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    for (int i = 0; i < 3000; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid) break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (i == 2999) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            r->timed_out = 1;
        }
    }
    r->exited = WIFEXITED(st);
    r->code = r->exited ? WEXITSTATUS(st) : -1;
    r->signaled = WIFSIGNALED(st);
    r->sig = r->signaled ? WTERMSIG(st) : 0;
    read_back(out, r->out, sizeof r->out);
    read_back(err, r->err, sizeof r->err);
    return r;
}

int count_of(const char *hay, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)); p += l) n++;
    return n;
}

int line_of(const char *file, const char *marker)
{
    FILE *f = fopen(file, "r");
    if (!f) return -1;
    char line[1024];
    int n = 0, found = -1;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strstr(line, marker)) {
            found = n;
            break;
        }
    }
    fclose(f);
    return found;
}

const char *slurp(const char *path)
{
    static char buf[1 << 18];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    read_back(fd, buf, sizeof buf);
    return buf;
}
