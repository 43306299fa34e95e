/*
 * suppressions=PATH, as sanitizers do it: known violations that are not to be reported.
 *
 *     # comment
 *     function:GLOB     any frame's function matches (e.g. function:legacy_logger_*)
 *     section:GLOB      the innermost section matches
 *     operation:NAME    the operation is exactly NAME (malloc, pthread_mutex_lock, ...)
 *
 * The file is read once at start-up (raw system calls, a bounded buffer). A line that does not
 * parse stops the process with a message naming the file and line: a suppression file that is
 * half understood would leave the check silently different from what was asked.
 */
#include "sentinel.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>

#define MAX_RULES 256
#define FILE_MAX (64 * 1024)

enum rule_kind { RULE_FUNCTION, RULE_SECTION, RULE_OPERATION };
struct rule {
    enum rule_kind kind;
    const char *pattern; /* into text[] */
};
static char text[FILE_MAX + 1];
static struct rule rules[MAX_RULES];
static int nrules;

static int parse_error(const char *path, int line, const char *why)
{
    char mem[HP_PATH_MAX + 256];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "error: suppressions file ");
    hp_buf_name(&b, path, HP_PATH_MAX);
    if (line > 0) {
        hp_buf_str(&b, ", line ");
        hp_buf_u64(&b, (uint64_t)line);
    }
    hp_buf_str(&b, ": ");
    hp_buf_str(&b, why);
    mem[b.len] = 0;
    hp_diag(mem);
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

int hp_suppressions_load(const char *path)
{
    int fd = hp_sys_open(path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return parse_error(path, 0, "cannot be opened");
    size_t len = 0;
    long n = 0;
    while (len < FILE_MAX && (n = hp_sys_read(fd, text + len, FILE_MAX - len)) > 0) len += (size_t)n;
    int read_errno = n < 0 ? errno : 0; /* a directory opens, and its read fails with EISDIR */
    char extra;
    int too_big = len == FILE_MAX && hp_sys_read(fd, &extra, 1) > 0;
    hp_sys_close(fd);
    if (read_errno == EISDIR) return parse_error(path, 0, "is a directory");
    if (read_errno) return parse_error(path, 0, "cannot be read");
    if (too_big) return parse_error(path, 0, "is larger than 64 KiB");
    text[len] = 0;
    if (strlen(text) != len) return parse_error(path, 0, "contains a NUL byte");

    int lineno = 0;
    for (char *line = text; line; ) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        lineno++;
        char *s = trim(line);
        line = nl ? nl + 1 : NULL;
        if (!*s || *s == '#') continue;
        char *colon = strchr(s, ':');
        if (!colon) return parse_error(path, lineno, "expected function:GLOB, section:GLOB or operation:NAME");
        *colon = 0;
        char *kind = trim(s), *pattern = trim(colon + 1);
        struct rule r;
        if (!strcmp(kind, "function"))
            r.kind = RULE_FUNCTION;
        else if (!strcmp(kind, "section"))
            r.kind = RULE_SECTION;
        else if (!strcmp(kind, "operation"))
            r.kind = RULE_OPERATION;
        else
            return parse_error(path, lineno, "unknown rule kind (expected function, section or operation)");
        if (!*pattern) return parse_error(path, lineno, "empty pattern");
        if (nrules == MAX_RULES) return parse_error(path, lineno, "more than 256 rules");
        r.pattern = pattern;
        rules[nrules++] = r;
    }
    return 0;
}

int hp_suppressed(const char *op, const char *section, const uintptr_t *pcs, int n)
{
    for (int i = 0; i < nrules; i++) {
        const struct rule *r = &rules[i];
        if (r->kind == RULE_OPERATION && !strcmp(r->pattern, op)) return 1;
        if (r->kind == RULE_SECTION && !fnmatch(r->pattern, section ? section : "(null)", 0)) return 1;
        if (r->kind == RULE_FUNCTION) {
            for (int f = 0; f < n; f++) {
                struct hp_frame fr;
                hp_symbolize(pcs[f], &fr);
                if (fr.function && !fnmatch(r->pattern, fr.function, 0)) return 1;
            }
        }
    }
    return 0;
}
