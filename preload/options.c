/*
 * HOTPATH_OPTIONS, sanitizer style: key=value pairs separated by ':'.
 *
 * An unknown key is named in a warning (a typo must not pass unnoticed); an invalid value is an
 * error, and the caller then stops the process: running on with a weaker check than the user asked
 * for would be worse than not running. Parsing happens once, in the constructor, before any
 * section can be entered; it must not allocate (malloc may not be resolved yet).
 */
#include "sentinel.h"

#include <string.h>

struct hp_options hp_opt = {
    .mode = HP_MODE_ABORT,
    .check_free = 0,
    .backtrace = 1,
    .symbolize = 1,
    .dedup = 1,
    .max_frames = 32,
    .checks = HP_CHECK_ALLOC,
};

static const struct {
    const char *name;
    unsigned int bit;
} categories[] = {
    {"alloc", HP_CHECK_ALLOC}, {"lock", HP_CHECK_LOCK}, {"sleep", HP_CHECK_SLEEP},
    {"io", HP_CHECK_IO},       {"mmap", HP_CHECK_MMAP}, {"spawn", HP_CHECK_SPAWN},
    {"misc", HP_CHECK_MISC},
};

const char *hp_check_name(unsigned int category)
{
    for (size_t i = 0; i < sizeof categories / sizeof *categories; i++)
        if (categories[i].bit == category) return categories[i].name;
    return category == HP_CHECK_USER ? "user" : "?";
}

/* check=LIST: comma-separated categories, or all. */
static int parse_checks(const char *v, size_t n, unsigned int *out)
{
    unsigned int bits = 0;
    const char *end = v + n;
    if (n == 0) return -1;
    while (v <= end) {
        const char *comma = memchr(v, ',', (size_t)(end - v));
        size_t len = (size_t)((comma ? comma : end) - v);
        size_t i = 0;
        if (len == 3 && !memcmp(v, "all", 3)) {
            bits |= HP_CHECK_ALL;
        } else {
            for (; i < sizeof categories / sizeof *categories; i++)
                if (strlen(categories[i].name) == len && !memcmp(v, categories[i].name, len)) break;
            if (i == sizeof categories / sizeof *categories) return -1;
            bits |= categories[i].bit;
        }
        if (!comma) break;
        v = comma + 1;
    }
    /* The list adds to the allocation check, it never replaces it: check=lock meaning "locks, and
     * no longer malloc" would be a silently weaker check than the user's default. */
    *out = bits | HP_CHECK_ALLOC;
    return 0;
}

#define HP_OPTIONS_MAX 8192

const char *hp_mode_name(enum hp_mode m)
{
    switch (m) {
    case HP_MODE_ABORT: return "abort";
    case HP_MODE_WARN: return "warn";
    case HP_MODE_COUNT: return "count";
    }
    return "?";
}

static void complain(const char *kind, const char *what, const char *key, size_t klen, const char *val,
                     size_t vlen, const char *expected)
{
    char mem[1024];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "hotpath: ");
    hp_buf_str(&b, kind);
    hp_buf_str(&b, ": HOTPATH_OPTIONS: ");
    hp_buf_str(&b, what);
    hp_buf_str(&b, " '");
    char k[128];
    size_t kl = klen < sizeof k - 1 ? klen : sizeof k - 1;
    memcpy(k, key, kl);
    k[kl] = 0;
    hp_buf_name(&b, k, 100);
    hp_buf_str(&b, "'");
    if (val) {
        char v[128];
        size_t vl = vlen < sizeof v - 1 ? vlen : sizeof v - 1;
        memcpy(v, val, vl);
        v[vl] = 0;
        hp_buf_str(&b, ": '");
        hp_buf_name(&b, v, 100);
        hp_buf_str(&b, "'");
    }
    if (expected) {
        hp_buf_str(&b, " (");
        hp_buf_str(&b, expected);
        hp_buf_str(&b, ")");
    }
    b.p[b.len++] = '\n';
    hp_write_all(2, b.p, b.len);
}

static int is(const char *s, size_t n, const char *lit) { return strlen(lit) == n && !memcmp(s, lit, n); }

static int parse_bool(const char *v, size_t n, int *out)
{
    if (is(v, n, "1") || is(v, n, "true") || is(v, n, "yes")) return *out = 1, 0;
    if (is(v, n, "0") || is(v, n, "false") || is(v, n, "no")) return *out = 0, 0;
    return -1;
}

static int parse_int(const char *v, size_t n, int lo, int hi, int *out)
{
    long x = 0;
    if (n == 0 || n > 9) return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') return -1;
        x = x * 10 + (v[i] - '0');
    }
    if (x < lo || x > hi) return -1;
    *out = (int)x;
    return 0;
}

static int parse_text(const char *v, size_t n, char *out, size_t cap)
{
    if (n == 0 || n >= cap) return -1;
    memcpy(out, v, n);
    out[n] = 0;
    return 0;
}

static int parse_path(const char *v, size_t n, char *out)
{
    if (n == 0 || n >= HP_PATH_MAX) return -1;
    memcpy(out, v, n);
    out[n] = 0;
    return 0;
}

/* One key=value pair. Returns 0, or -1 after printing an error. */
static int apply(const char *k, size_t kn, const char *v, size_t vn, int secure)
{
    int bad = 0;
    const char *expected = NULL;
    if (is(k, kn, "mode")) {
        expected = "expected abort, warn or count";
        if (is(v, vn, "abort"))
            hp_opt.mode = HP_MODE_ABORT;
        else if (is(v, vn, "warn"))
            hp_opt.mode = HP_MODE_WARN;
        else if (is(v, vn, "count"))
            hp_opt.mode = HP_MODE_COUNT;
        else
            bad = 1;
    } else if (is(k, kn, "check_free")) {
        expected = "expected 0 or 1";
        bad = parse_bool(v, vn, &hp_opt.check_free);
    } else if (is(k, kn, "backtrace")) {
        expected = "expected 0 or 1";
        bad = parse_bool(v, vn, &hp_opt.backtrace);
    } else if (is(k, kn, "symbolize")) {
        expected = "expected 0 or 1";
        bad = parse_bool(v, vn, &hp_opt.symbolize);
    } else if (is(k, kn, "dedup")) {
        expected = "expected 0 or 1";
        bad = parse_bool(v, vn, &hp_opt.dedup);
    } else if (is(k, kn, "summary")) {
        expected = "expected 0 or 1";
        bad = parse_bool(v, vn, &hp_opt.summary);
    } else if (is(k, kn, "max_frames")) {
        expected = "expected a number from 1 to 64";
        bad = parse_int(v, vn, 1, HP_MAX_FRAMES, &hp_opt.max_frames);
    } else if (is(k, kn, "check")) {
        expected = "expected a comma-separated list of alloc, lock, sleep, io, mmap, spawn, or all";
        bad = parse_checks(v, vn, &hp_opt.checks);
    } else if (is(k, kn, "hot_functions")) {
        expected = "expected function names separated by commas";
        bad = parse_text(v, vn, hp_opt.hot_functions, sizeof hp_opt.hot_functions);
    } else if (is(k, kn, "hot_functions_file") || is(k, kn, "suppressions")) {
        /* Files the user names to widen or narrow the check: read even in setuid programs would be
         * a way to read files; ignored there like the output paths. */
        char *dst = is(k, kn, "suppressions") ? hp_opt.suppressions : hp_opt.hot_functions_file;
        expected = "expected a path of 1 to 1023 bytes";
        bad = parse_path(v, vn, dst);
        if (!bad && secure) {
            dst[0] = 0;
            complain("warning", "secure-execution (setuid) process: ignoring", k, kn, NULL, 0, NULL);
        }
    } else if (is(k, kn, "log_path") || is(k, kn, "json_path") || is(k, kn, "mark_dir")) {
        char *dst = is(k, kn, "log_path") ? hp_opt.log_path : is(k, kn, "json_path") ? hp_opt.json_path : hp_opt.mark_dir;
        expected = "expected a path of 1 to 1023 bytes";
        bad = parse_path(v, vn, dst);
        if (!bad && secure) {
            dst[0] = 0;
            complain("warning", "secure-execution (setuid) process: ignoring", k, kn, NULL, 0, NULL);
        }
    } else {
        complain("warning", "unknown option", k, kn, NULL, 0,
                 "known: mode, check, log_path, json_path, check_free, backtrace, symbolize, dedup, max_frames, "
                 "mark_dir, hot_functions, hot_functions_file, suppressions, summary");
        return 0;
    }
    if (bad) {
        complain("error", "invalid value for", k, kn, v, vn, expected);
        return -1;
    }
    return 0;
}

int hp_options_parse(const char *text, int secure)
{
    if (!text) return 0;
    size_t len = strnlen(text, HP_OPTIONS_MAX + 1);
    if (len > HP_OPTIONS_MAX) {
        hp_diag("error: HOTPATH_OPTIONS is longer than 8192 bytes");
        return -1;
    }
    int rc = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *sep = memchr(p, ':', (size_t)(end - p));
        const char *item_end = sep ? sep : end;
        if (item_end > p) {
            const char *eq = memchr(p, '=', (size_t)(item_end - p));
            if (!eq || eq == p) {
                complain("error", "expected key=value, got", p, (size_t)(item_end - p), NULL, 0, NULL);
                rc = -1;
            } else if (apply(p, (size_t)(eq - p), eq + 1, (size_t)(item_end - eq - 1), secure)) {
                rc = -1;
            }
        }
        p = item_end + 1;
    }
    return rc;
}
