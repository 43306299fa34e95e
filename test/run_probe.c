/* Test helper: probes under the preload, through the reliability suite's runner (fork/exec with a
 * timeout, the whole process group killed on expiry, outputs read back whole). */
#define _GNU_SOURCE
#include "run_probe.h"

#include "rl_run.h"

#include <stdio.h>
#include <string.h>

static struct probe_run result;

struct probe_run *run_probe(const char *preload, const char *opts, const char *prog, const char *scenario)
{
    const struct rl_run *r = rl_runv(preload, opts, 30, prog, scenario, NULL);
    result = (struct probe_run){.exited = r->exited,
                                .code = r->code,
                                .signaled = r->signaled,
                                .sig = r->sig,
                                .timed_out = r->timed_out,
                                .out = r->out,
                                .err = r->err};
    return &result;
}

int count_of(const char *hay, const char *needle) { return rl_count(hay, needle); }

const char *slurp(const char *path) { return rl_slurp(path); }

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
