/*
 * hp_test.h - what the pools' Check tests share.
 *
 * Assertions: Check's ck_assert records a location on every *passing* assertion, and that
 * allocates (it packs a message for the parent process), which the sentinel would rightly report
 * inside a hot section. HT_* do nothing when they pass; on failure they open an allow region so
 * Check can format and send its message.
 *
 * HT_MAIN(suite): runs the suite (fork mode) and, when HP_REQUIRE_SENTINEL is set (make
 * check-pools sets it), fails unless libhotpath.so is actually loaded, so a broken LD_PRELOAD
 * cannot turn the "nothing allocated in a section" proofs into silent passes.
 */
#ifndef HP_TEST_H
#define HP_TEST_H

#include <check.h>
#include <fcntl.h>
#include <hotpath.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HT_FAIL(...)                                                                                         \
    do {                                                                                                     \
        hotpath_allow_begin();                                                                               \
        ck_abort_msg(__VA_ARGS__);                                                                           \
    } while (0)
#define HT_ASSERT(c)                                                                                         \
    do {                                                                                                     \
        if (!(c)) HT_FAIL("%s:%d: assertion '%s' failed", __FILE__, __LINE__, #c);                           \
    } while (0)
#define HT_EQ(a, b)                                                                                          \
    do {                                                                                                     \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);                       \
        if (a_ != b_) HT_FAIL("%s:%d: %s == %s failed: %llu != %llu", __FILE__, __LINE__, #a, #b, a_, b_);   \
    } while (0)
#define HT_PTR_EQ(a, b)                                                                                      \
    do {                                                                                                     \
        const void *a_ = (const void *)(a), *b_ = (const void *)(b);                                         \
        if (a_ != b_) HT_FAIL("%s:%d: %s == %s failed: %p != %p", __FILE__, __LINE__, #a, #b, a_, b_);       \
    } while (0)

/* Items for the stress tests: HP_STRESS_ITEMS overrides (sanitizer runs use fewer). */
static inline unsigned long ht_stress_items(unsigned long dflt)
{
    const char *e = getenv("HP_STRESS_ITEMS");
    return e && *e ? strtoul(e, NULL, 10) : dflt;
}

/* Send this (forked test) process's stderr to /dev/null: for expected-abort tests whose message is
 * checked separately with ht_run_capture. */
static inline void ht_quiet(void)
{
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
}

/* Run fn() in a child with stderr captured; returns the child's wait status and puts what it
 * wrote to stderr in out (NUL-terminated). For checking the exact abort messages. */
static inline int ht_run_capture(void (*fn)(void), char *out, size_t out_size)
{
    int pfd[2];
    if (pipe(pfd) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 2);
        close(pfd[0]);
        fn();
        _exit(0);
    }
    close(pfd[1]);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < out_size && (k = read(pfd[0], out + n, out_size - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = 0;
    close(pfd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

#define HT_MAIN(suite_fn)                                                                                    \
    int main(void)                                                                                           \
    {                                                                                                        \
        if (getenv("HP_REQUIRE_SENTINEL") && !hotpath_sentinel_active()) {                                   \
            fprintf(stderr, "%s: libhotpath.so is not loaded (LD_PRELOAD?)\n", __FILE__);                    \
            return 1;                                                                                        \
        }                                                                                                    \
        SRunner *sr = srunner_create(suite_fn());                                                            \
        srunner_run_all(sr, CK_NORMAL);                                                                      \
        int failed = srunner_ntests_failed(sr);                                                              \
        srunner_free(sr);                                                                                    \
        return failed ? 1 : 0;                                                                               \
    }

/* The canary: with the sentinel loaded, an allocation inside a section must abort the process
 * with the sentinel's report - proof that the other tests' sections are really checked. The
 * report is captured (not printed) so CI log greps for it stay clean. */
static void ht_malloc_in_section(void)
{
    HOTPATH_SCOPE("canary");
    void *volatile p = malloc(24);
    free(p);
}
START_TEST(test_allocation_in_section_aborts_under_sentinel)
{
    static char out[8192];
    int st = ht_run_capture(ht_malloc_in_section, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "child was not aborted (status %d)", st);
    ck_assert_msg(strstr(out, "IN HOT PATH") != NULL, "no sentinel report in: %s", out);
    ck_assert_msg(strstr(out, "canary") != NULL, "report does not name the section: %s", out);
}
END_TEST
static inline void ht_add_canary(Suite *s)
{
    if (!hotpath_sentinel_active()) return;
    TCase *tc = tcase_create("sentinel canary");
    tcase_add_test(tc, test_allocation_in_section_aborts_under_sentinel);
    suite_add_tcase(s, tc);
}

#endif /* HP_TEST_H */
