/* The reliability suite's runner: a program under the freshly built sentinel (or not), with a
 * timeout, its output captured whole. */
#ifndef RL_RUN_H
#define RL_RUN_H

#include <stddef.h>

struct rl_run {
    int exited, code;  /* normal exit and its status */
    int signaled, sig; /* killed by a signal */
    int timed_out;     /* killed by the runner after the timeout */
    char *out, *err;   /* stdout, stderr (NUL-terminated, heap) */
    size_t out_len, err_len;
};

/* Run argv (NULL-terminated) with LD_PRELOAD=preload (NULL: unset) and HOTPATH_OPTIONS=opts (NULL:
 * unset), killed after timeout_s seconds. Extra "NAME=value" settings in env (NULL-terminated, may
 * be NULL). The result stays valid until the next call. */
struct rl_run *rl_run(const char *preload, const char *opts, int timeout_s, const char *const *env,
                      const char *const *argv);
/* execv(argv[0], argv) as rl_run does it: through HOTPATH_TEST_EXEC (the emulator's wrapper, with
 * LD_PRELOAD handed over as HOTPATH_TEST_PRELOAD) when that is set. Returns only on failure. */
void rl_exec(const char *const *argv);
/* Shorthand: rl_runv(preload, opts, timeout, prog, arg..., NULL) */
struct rl_run *rl_runv(const char *preload, const char *opts, int timeout_s, const char *prog, ...);
/* Non-overlapping occurrences of needle. */
int rl_count(const char *hay, const char *needle);
/* A number printed after `key ` in text, or -1. */
long rl_field(const char *text, const char *key);
/* A whole file (heap, NUL-terminated; NULL if it cannot be read). */
char *rl_slurp(const char *path);
/* Human summary of how a run ended, for failure messages. */
const char *rl_how(const struct rl_run *r);

#endif
