/* Test helper: run a probe program under the freshly built sentinel and capture what it says.
 * A thin layer over the reliability suite's runner (test/reliability/rl_run.h). */
#ifndef TEST_RUN_PROBE_H
#define TEST_RUN_PROBE_H

#include <stddef.h>

struct probe_run {
    int exited, code;  /* normal exit and its status */
    int signaled, sig; /* killed by a signal */
    int timed_out;
    const char *out;   /* stdout, whole, valid until the next run */
    const char *err;   /* stderr, whole, valid until the next run */
};

/* Run `prog scenario` with LD_PRELOAD=<preload> (NULL: no preload) and HOTPATH_OPTIONS=opts (NULL:
 * unset), 30 s at most. Returns r. */
struct probe_run *run_probe(const char *preload, const char *opts, const char *prog, const char *scenario);
/* Number of non-overlapping occurrences of needle in hay. */
int count_of(const char *hay, const char *needle);
/* Line number of the line of `file` that contains `marker`, or -1. */
int line_of(const char *file, const char *marker);
/* Whole contents of a file, or NULL. */
const char *slurp(const char *path);

#endif
