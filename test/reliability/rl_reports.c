#define _GNU_SOURCE
#include "rl_reports.h"

#include "rl_json.h"

#include <stdio.h>
#include <string.h>

static const char HEAD[] = "ALLOCATION IN HOT PATH!\n";

static int count_in(const char *s, size_t n, const char *needle)
{
    int c = 0;
    size_t l = strlen(needle);
    for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), needle, l)); p += l) c++;
    return c;
}

int rl_whole_reports(const char *text, int *torn, char *why, size_t whylen)
{
    int whole = 0;
    *torn = 0;
    if (why && whylen) why[0] = 0;
    const char *p = strstr(text, HEAD);
    while (p) {
        const char *body = p + sizeof HEAD - 1;
        const char *next = strstr(body, HEAD);
        size_t n = next ? (size_t)(next - body) : strlen(body);
        /* the last report may be followed by the exit summary */
        if (!next) {
            const char *sum = strstr(body, "hotpath: summary");
            if (sum) n = (size_t)(sum - body);
        }
        const char *op = memmem(body, n, "Operation: ", 11), *sec = memmem(body, n, "\nSection: ", 10),
                   *thr = memmem(body, n, "\nThread: ", 9), *mode = memmem(body, n, "\nMode: ", 7);
        int ok = op == body && sec && thr && mode && sec < thr && thr < mode && count_in(body, n, "Operation: ") == 1 &&
                 count_in(body, n, "\nSection: ") == 1 && count_in(body, n, "\nThread: ") == 1 &&
                 count_in(body, n, "\nMode: ") == 1 && n > 0 && body[n - 1] == '\n';
        if (ok) {
            whole++;
        } else {
            if (!*torn && why) snprintf(why, whylen, "torn report at offset %zu:\n%.600s", (size_t)(p - text), p);
            (*torn)++;
        }
        p = next;
    }
    return whole;
}

int rl_json_lines(const char *text, int *bad)
{
    int good = 0;
    *bad = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n) {
            if (p[0] == '{' && rl_json_valid(p, n))
                good++;
            else
                (*bad)++;
        }
        p = nl ? nl + 1 : NULL;
    }
    return good;
}
