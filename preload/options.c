/*
 * HOTPATH_OPTIONS, sanitizer style: key=value pairs separated by ':', ',' or whitespace, every
 * option described once in options.def (the struct, the defaults, the parser, the "known:" list,
 * help=1 and the limits in the error messages all come from there).
 *
 * A ',' separates pairs only when a key and '=' follow it: `check=lock,io` and
 * `hot_functions=a,b` keep their lists, `mode=warn,check=all` is two pairs. A value in quotes
 * ('...' or "...") may hold any separator: `log_path="/tmp/my dir/h.%p.log"`.
 *
 * An unknown key is named in a warning (a typo must not pass unnoticed); an invalid value is an
 * error, and the caller then stops the process: running on with a weaker check than the user asked
 * for would be worse than not running. Parsing happens once, in the constructor, before any
 * section can be entered; it must not allocate (malloc may not be resolved yet): every message is
 * built in a stack buffer and written with write(2).
 */
#include "sentinel.h"

#include <stddef.h>
#include <string.h>

struct hp_options hp_opt = {
#define HP_OPTION(key, field, type, lo, hi, def, syntax, shown, meaning) .field = def,
#include "options.def"
#undef HP_OPTION
};

#define HP_OPTIONS_MAX 8192
#define SEPARATORS "':', ',' or whitespace"

/* check=LIST's categories. A new category: a row here (and its bit in sentinel.h's enum). */
static const struct {
    const char *name;
    unsigned int bit;
} categories[] = {
    {"alloc", HP_CHECK_ALLOC}, {"lock", HP_CHECK_LOCK},   {"sleep", HP_CHECK_SLEEP}, {"io", HP_CHECK_IO},
    {"mmap", HP_CHECK_MMAP},   {"spawn", HP_CHECK_SPAWN}, {"misc", HP_CHECK_MISC},
};
#define NCATEGORIES (sizeof categories / sizeof *categories)

const char *hp_check_name(unsigned int category)
{
    for (size_t i = 0; i < NCATEGORIES; i++)
        if (categories[i].bit == category) return categories[i].name;
    return category == HP_CHECK_USER ? "user" : "?";
}

const char *hp_mode_name(enum hp_mode m)
{
    switch (m) {
    case HP_MODE_ABORT:
        return "abort";
    case HP_MODE_WARN:
        return "warn";
    case HP_MODE_COUNT:
        return "count";
    }
    return "?";
}

/* ---- the table, from options.def ----------------------------------------------------------------- */
enum opt_type { T_MODE, T_BOOL, T_INT, T_CHECK, T_TEXT, T_PATH };
static const char *const type_names[] = {"enum", "bool", "int", "list", "text", "path"};

static const struct option {
    const char *key, *syntax, *shown, *meaning;
    enum opt_type type;
    long lo, hi;
    size_t offset; /* of the field in struct hp_options */
} options[] = {
#define HP_OPTION(key, field, type, lo, hi, def, syntax, shown, meaning)                                     \
    {#key, syntax, shown, meaning, T_##type, lo, hi, offsetof(struct hp_options, field)},
#include "options.def"
#undef HP_OPTION
};
#define NOPTIONS (sizeof options / sizeof *options)

/* ---- messages ------------------------------------------------------------------------------------ */
static void buf_list_categories(struct hp_buf *b)
{
    for (size_t i = 0; i < NCATEGORIES; i++) {
        hp_buf_str(b, categories[i].name);
        hp_buf_str(b, ", ");
    }
    hp_buf_str(b, "or all");
}

/* What a valid value of `o` is, with its limits: the end of an invalid value's error. */
static void buf_expected(struct hp_buf *b, const struct option *o)
{
    switch (o->type) {
    case T_MODE:
        hp_buf_str(b, "expected abort, warn or count");
        break;
    case T_BOOL:
        hp_buf_str(b, "expected 0 or 1 (or no/yes, false/true)");
        break;
    case T_INT:
        hp_buf_str(b, "expected a number from ");
        hp_buf_u64(b, (uint64_t)o->lo);
        hp_buf_str(b, " to ");
        hp_buf_u64(b, (uint64_t)o->hi);
        break;
    case T_CHECK:
        hp_buf_str(b, "expected a comma-separated list of ");
        buf_list_categories(b);
        break;
    case T_TEXT:
        hp_buf_str(b, "expected names separated by commas, 1 to ");
        hp_buf_u64(b, (uint64_t)o->hi);
        hp_buf_str(b, " bytes");
        break;
    case T_PATH:
        hp_buf_str(b, "expected a path of 1 to ");
        hp_buf_u64(b, (uint64_t)o->hi);
        hp_buf_str(b, " bytes");
        break;
    }
}

/* "hotpath: KIND: HOTPATH_OPTIONS: WHAT 'KEY'[: 'VAL'] (EXPECTED)", the key and value escaped
 * and cut at 100 bytes. `o` (or NULL) gives the expected value; `note` (or NULL) is used when
 * there is no `o`. */
static void complain(const char *kind, const char *what, const char *key, size_t klen, const char *val,
                     size_t vlen, const struct option *o, const char *note)
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
    if (o || note) {
        hp_buf_str(&b, " (");
        if (o)
            buf_expected(&b, o);
        else
            hp_buf_str(&b, note);
        hp_buf_str(&b, ")");
    }
    b.p[b.len++] = '\n';
    hp_write_all(2, b.p, b.len);
}

static void warn_unknown(const char *k, size_t kn)
{
    char known[512];
    struct hp_buf b;
    hp_buf_init(&b, known, sizeof known - 1);
    hp_buf_str(&b, "known: ");
    for (size_t i = 0; i < NOPTIONS; i++) {
        if (i) hp_buf_str(&b, ", ");
        hp_buf_str(&b, options[i].key);
    }
    hp_buf_str(&b, "; help=1 lists them");
    known[b.len] = 0;
    complain("warning", "unknown option", k, kn, NULL, 0, NULL, known);
}

/* help=1: every option, its type, default and meaning, one line each, on stderr. */
static void print_help(void)
{
    char mem[1024];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "hotpath: HOTPATH_OPTIONS: key=value pairs separated by " SEPARATORS ", at most ");
    hp_buf_u64(&b, HP_OPTIONS_MAX);
    hp_buf_str(&b, " bytes in all; the options (key=value  (type, default)  meaning):\n");
    hp_write_all(2, b.p, b.len);
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct option *o = &options[i];
        hp_buf_init(&b, mem, sizeof mem - 1);
        hp_buf_str(&b, "hotpath:   ");
        size_t start = b.len;
        hp_buf_str(&b, o->key);
        hp_buf_str(&b, "=");
        hp_buf_str(&b, o->syntax);
        while (b.len < start + 28)
            hp_buf_str(&b, " ");
        hp_buf_str(&b, " (");
        hp_buf_str(&b, type_names[o->type]);
        hp_buf_str(&b, ", default ");
        hp_buf_str(&b, o->shown);
        hp_buf_str(&b, ")  ");
        hp_buf_str(&b, o->meaning);
        switch (o->type) {
        case T_INT:
            hp_buf_str(&b, ", ");
            hp_buf_u64(&b, (uint64_t)o->lo);
            hp_buf_str(&b, " to ");
            hp_buf_u64(&b, (uint64_t)o->hi);
            break;
        case T_CHECK:
            hp_buf_str(&b, ": ");
            buf_list_categories(&b);
            break;
        case T_TEXT:
        case T_PATH:
            hp_buf_str(&b, "; at most ");
            hp_buf_u64(&b, (uint64_t)o->hi);
            hp_buf_str(&b, " bytes");
            break;
        default:
            break;
        }
        b.p[b.len++] = '\n';
        hp_write_all(2, b.p, b.len);
    }
}

/* ---- values -------------------------------------------------------------------------------------- */
static int is(const char *s, size_t n, const char *lit) { return strlen(lit) == n && !memcmp(s, lit, n); }

static int parse_mode(const char *v, size_t n, enum hp_mode *out)
{
    static const enum hp_mode modes[] = {HP_MODE_ABORT, HP_MODE_WARN, HP_MODE_COUNT};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        if (is(v, n, hp_mode_name(modes[i]))) return *out = modes[i], 0;
    return -1;
}

static int parse_bool(const char *v, size_t n, int *out)
{
    if (is(v, n, "1") || is(v, n, "true") || is(v, n, "yes")) return *out = 1, 0;
    if (is(v, n, "0") || is(v, n, "false") || is(v, n, "no")) return *out = 0, 0;
    return -1;
}

static int parse_int(const char *v, size_t n, long lo, long hi, int *out)
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
            for (; i < NCATEGORIES; i++)
                if (strlen(categories[i].name) == len && !memcmp(v, categories[i].name, len)) break;
            if (i == NCATEGORIES) return -1;
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

static int parse_text(const char *v, size_t n, long hi, char *out)
{
    if (n == 0 || n > (size_t)hi) return -1;
    memcpy(out, v, n);
    out[n] = 0;
    return 0;
}

/* One key=value pair. Returns 0, or -1 after printing an error. */
static int apply(const char *k, size_t kn, const char *v, size_t vn, int secure)
{
    const struct option *o = NULL;
    for (size_t i = 0; i < NOPTIONS && !o; i++)
        if (is(k, kn, options[i].key)) o = &options[i];
    if (!o) {
        warn_unknown(k, kn);
        return 0;
    }
    char *field = (char *)&hp_opt + o->offset;
    int bad = -1;
    switch (o->type) {
    case T_MODE:
        bad = parse_mode(v, vn, (enum hp_mode *)(void *)field);
        break;
    case T_BOOL:
        bad = parse_bool(v, vn, (int *)(void *)field);
        break;
    case T_INT:
        bad = parse_int(v, vn, o->lo, o->hi, (int *)(void *)field);
        break;
    case T_CHECK:
        bad = parse_checks(v, vn, (unsigned int *)(void *)field);
        break;
    case T_TEXT:
        bad = parse_text(v, vn, o->hi, field);
        break;
    case T_PATH:
        bad = parse_text(v, vn, o->hi, field);
        /* Files the user names for output, or to widen or narrow the check: honoured in a setuid
         * program they would be a way to write or read files as its owner. */
        if (!bad && secure) {
            field[0] = 0;
            complain("warning", "secure-execution (setuid) process: ignoring", k, kn, NULL, 0, NULL, NULL);
        }
        break;
    }
    if (bad) {
        complain("error", "invalid value for", k, kn, v, vn, o, NULL);
        return -1;
    }
    return 0;
}

/* ---- the text ------------------------------------------------------------------------------------ */
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
static int is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* A ',' at p ends the pair when a key and '=' follow it, or nothing (the end, another separator):
 * otherwise it belongs to the value's list. */
static int comma_ends_pair(const char *p, const char *end)
{
    const char *q = p + 1;
    if (q == end || *q == ':' || *q == ',' || is_space(*q)) return 1;
    while (q < end && is_key_char(*q))
        q++;
    return q > p + 1 && q < end && *q == '=';
}

static const char *pair_end(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p == ':' || is_space(*p) || (*p == ',' && comma_ends_pair(p, end))) break;
    return p;
}

int hp_options_parse(const char *text, int secure)
{
    if (!text) return 0;
    size_t len = strnlen(text, HP_OPTIONS_MAX + 1);
    if (len > HP_OPTIONS_MAX) {
        char mem[128];
        struct hp_buf b;
        hp_buf_init(&b, mem, sizeof mem - 1);
        hp_buf_str(&b, "error: HOTPATH_OPTIONS is longer than ");
        hp_buf_u64(&b, HP_OPTIONS_MAX);
        hp_buf_str(&b, " bytes");
        mem[b.len] = 0;
        hp_diag(mem);
        return -1;
    }
    int rc = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *item_end = pair_end(p, end);
        if (item_end > p) {
            const char *eq = memchr(p, '=', (size_t)(item_end - p));
            const char *v = eq ? eq + 1 : NULL;
            size_t vn = eq ? (size_t)(item_end - v) : 0;
            if (eq && eq > p && v < end && (*v == '"' || *v == '\'')) {
                /* A quoted value, as sanitizers take it: any bytes up to the same quote. */
                const char *close = memchr(v + 1, *v, (size_t)(end - v - 1));
                if (!close) {
                    complain("error", "no closing quote in the value of", p, (size_t)(eq - p), NULL, 0, NULL,
                             NULL);
                    return -1;
                }
                item_end = close + 1;
                if (item_end < end && *item_end != ':' && *item_end != ',' && !is_space(*item_end)) {
                    complain("error", "expected a separator after the quoted value of", p, (size_t)(eq - p),
                             NULL, 0, NULL, "pairs are separated by " SEPARATORS);
                    return -1;
                }
                v++;
                vn = (size_t)(close - v);
            }
            if (!eq || eq == p) {
                complain("error", "expected key=value, got", p, (size_t)(item_end - p), NULL, 0, NULL,
                         "pairs are separated by " SEPARATORS);
                rc = -1;
            } else if (apply(p, (size_t)(eq - p), v, vn, secure)) {
                rc = -1;
            }
        }
        p = item_end + 1;
    }
    if (hp_opt.help) print_help();
    return rc;
}
