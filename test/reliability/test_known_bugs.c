/*
 * Reproducers of sentinel bugs found by the reliability suite and not fixed yet, run by
 * `make check-reliability-known-bugs`, outside `make check` (see BUGS.md). Each test states the
 * behaviour the sentinel should have and fails until the bug is fixed; then it moves into the
 * suite it belongs to. None open at the moment: bugs 1-6 were fixed in c34ca2d and their
 * reproducers now run in test_allocators, test_security, test_misuse and check-sanitize.
 */
#define _GNU_SOURCE
#include "rl_run.h"

#include <check.h>
#include <stdlib.h>

int main(void)
{
    Suite *s = suite_create("known_bugs");
    TCase *tc = tcase_create("open");
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
