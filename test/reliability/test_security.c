/*
 * Security properties of the sentinel's output files and options: log, JSON and mark files are
 * never followed through a symlink, never inherited across exec, created 0644 whatever the umask;
 * in secure-execution mode (setuid: AT_SECURE) the path options are ignored; user strings never
 * reach a format string (see also test_misuse's hostile names).
 */
#define _GNU_SOURCE
#include "rl_run.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T 60

static char dir[64];
static const char *in_dir(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}
static void setup(void)
{
    strcpy(dir, "/tmp/hotpath-sec.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

START_TEST(test_log_and_json_paths_are_not_followed_through_a_symlink)
{
    setup();
    write_file(in_dir("victim"), "precious\n");
    ck_assert_int_eq(symlink(in_dir("victim"), in_dir("hp.log")), 0);
    ck_assert_int_eq(symlink(in_dir("victim"), in_dir("hp.json")), 0);
    char opts[600];
    snprintf(opts, sizeof opts, "mode=warn:log_path=%s:json_path=%s", in_dir("hp.log"), in_dir("hp.json"));
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    char *v = rl_slurp(in_dir("victim"));
    ck_assert_str_eq(v, "precious\n");
    free(v);
    ck_assert_msg(strstr(r->err, "cannot open") && strstr(r->err, "reports go to stderr"), "%s", r->err);
    ck_assert_msg(strstr(r->err, "no JSON reports"), "%s", r->err);
    ck_assert_msg(strstr(r->err, "ALLOCATION IN HOT PATH!"), "the report was lost:\n%s", r->err);
}
END_TEST

START_TEST(test_output_files_are_created_0644_even_with_umask_0)
{
    setup();
    char opts[600];
    snprintf(opts, sizeof opts, "mode=warn:log_path=%s:json_path=%s:mark_dir=%s", in_dir("hp.log"), in_dir("hp.json"),
             dir);
    mode_t old = umask(0);
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    umask(old);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    int files = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        struct stat st;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ck_assert_int_eq(lstat(path, &st), 0);
        ck_assert_msg((st.st_mode & 07777) == 0644, "%s has mode %o", e->d_name, st.st_mode & 07777);
        files++;
    }
    closedir(d);
    ck_assert_int_eq(files, 4); /* hp.log, hp.json, checked.<pid>, violation.<pid> */
}
END_TEST

START_TEST(test_log_and_json_files_are_not_inherited_across_exec)
{
    setup();
    char opts[600];
    snprintf(opts, sizeof opts, "mode=warn:log_path=%s:json_path=%s:symbolize=0", in_dir("hp.log"),
             in_dir("hp.json"));
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "cloexec", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    ck_assert_msg(strstr(r->out, "fd 0 -> "), "list_fds did not run:\n%s", r->out);
    ck_assert_msg(!strstr(r->out, "hp.log") && !strstr(r->out, "hp.json"), "output file inherited:\n%s", r->out);
    char *log = rl_slurp(in_dir("hp.log"));
    ck_assert_msg(log && strstr(log, "ALLOCATION IN HOT PATH!"), "no report in the log");
    free(log);
}
END_TEST

START_TEST(test_format_directives_in_paths_are_literal_except_pid)
{
    setup();
    char opts[600];
    snprintf(opts, sizeof opts, "mode=warn:log_path=%s", in_dir("hp.%s.%n.%x.%%.log"));
    struct rl_run *r = rl_runv(PRELOAD, opts, T, TORTURE, "one_hot", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    char *log = rl_slurp(in_dir("hp.%s.%n.%x.%%.log"));
    ck_assert_msg(log && strstr(log, "ALLOCATION IN HOT PATH!"), "no file named literally");
    free(log);
}
END_TEST

/* Secure execution: a setuid-root copy of the torture program (linked with the sentinel, since
 * the loader ignores LD_PRELOAD paths then), run by an unprivileged user. */
START_TEST(test_secure_execution_ignores_the_path_options)
{
    if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK)) {
        printf("SKIP: test_secure_execution_ignores_the_path_options needs root and setpriv (util-linux) to make "
               "a setuid program\n");
        return;
    }
    setup();
    chmod(dir, 0755);
    char copy[600];
    snprintf(copy, sizeof copy, "%s/torture_setuid", dir);
    char cmd[2600];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && chown root:root '%s' && chmod 4755 '%s'", TORTURE_LINKED, copy, copy,
             copy);
    ck_assert_int_eq(system(cmd), 0);
    char opts[900];
    snprintf(opts, sizeof opts, "mode=warn:log_path=%s:json_path=%s:mark_dir=%s", in_dir("hp.log"), in_dir("hp.json"),
             dir);
    struct rl_run *r = rl_runv(NULL, opts, T, "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               copy, "one_hot", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    ck_assert_msg(strstr(r->out, "active 1 violations 1\n"), "the sentinel did not check the setuid program:\n%s\n%s",
                  r->out, r->err);
    ck_assert_msg(strstr(r->err, "secure-execution (setuid) process: ignoring 'log_path'") &&
                      strstr(r->err, "ignoring 'json_path'") && strstr(r->err, "ignoring 'mark_dir'"),
                  "%s", r->err);
    ck_assert_msg(strstr(r->err, "ALLOCATION IN HOT PATH!"), "report not on stderr:\n%s", r->err);
    ck_assert_msg(access(in_dir("hp.log"), F_OK) && access(in_dir("hp.json"), F_OK), "a file was created");
    /* the same program, not setuid: the paths are used */
    r = rl_runv(NULL, opts, T, TORTURE_LINKED, "one_hot", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s", rl_how(r));
    ck_assert_msg(!access(in_dir("hp.log"), F_OK), "control run: no log file");
}
END_TEST

/* BUGS.md bug 3 (fixed in c34ca2d): the symbolizer's files (the executable, libc, .debug files opened by libdw) are opened
 * without O_CLOEXEC: after a report, every program the process execs inherits them. */
START_TEST(test_symbolizer_files_are_not_inherited_across_exec)
{
    struct rl_run *r = rl_runv(PRELOAD, "mode=warn", T, TORTURE, "cloexec", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s\n%s", rl_how(r), r->err);
    ck_assert_msg(strstr(r->out, "fd 0 -> "), "list_fds did not run:\n%s", r->out);
    ck_assert_msg(!strstr(r->out, ".so") && !strstr(r->out, ".debug") && !strstr(r->out, "/torture\n"),
                  "descriptors leaked into the exec'd program:\n%s", r->out);
}
END_TEST

static Suite *security_suite(void)
{
    Suite *s = suite_create("security");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 3 * T);
    tcase_add_test(tc, test_log_and_json_paths_are_not_followed_through_a_symlink);
    tcase_add_test(tc, test_output_files_are_created_0644_even_with_umask_0);
    tcase_add_test(tc, test_log_and_json_files_are_not_inherited_across_exec);
    tcase_add_test(tc, test_symbolizer_files_are_not_inherited_across_exec);
    tcase_add_test(tc, test_format_directives_in_paths_are_literal_except_pid);
    tcase_add_test(tc, test_secure_execution_ignores_the_path_options);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(security_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
