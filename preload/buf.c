/*
 * Bounded text building for reports: fixed buffers, no stdio, no allocation, so that a report can
 * be written from inside malloc. Output that does not fit is cut and marked, never overflowed.
 */
#include "sentinel.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void hp_buf_init(struct hp_buf *b, char *mem, size_t cap)
{
    b->p = mem;
    b->len = 0;
    b->cap = cap;
    b->truncated = 0;
}

void hp_buf_mem(struct hp_buf *b, const char *s, size_t n)
{
    size_t room = b->cap - b->len;
    if (n > room) {
        n = room;
        b->truncated = 1;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void hp_buf_str(struct hp_buf *b, const char *s) { hp_buf_mem(b, s, strlen(s)); }

void hp_buf_u64(struct hp_buf *b, uint64_t v)
{
    char tmp[24];
    int i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    hp_buf_mem(b, tmp + i, sizeof tmp - (size_t)i);
}

void hp_buf_hex(struct hp_buf *b, uint64_t v, int width)
{
    char tmp[2 + 64]; /* "0x", then at most 64 digits: 16 for any value, the rest padding */
    int digits = v ? (67 - __builtin_clzll(v)) / 4 : 1;
    if (width > 64) width = 64;
    if (width < digits) width = digits;
    tmp[0] = '0';
    tmp[1] = 'x';
    memset(tmp + 2, '0', (size_t)width);
    for (int i = width + 1; v; v >>= 4)
        tmp[i--] = "0123456789abcdef"[v & 15];
    hp_buf_mem(b, tmp, (size_t)width + 2);
}

static void esc_byte(struct hp_buf *b, const char *prefix, unsigned char c, int digits)
{
    char t[8];
    size_t n = strlen(prefix);
    memcpy(t, prefix, n);
    for (int d = digits - 1; d >= 0; d--)
        t[n++] = "0123456789abcdef"[(c >> (4 * d)) & 15];
    hp_buf_mem(b, t, n);
}

/* Word-at-a-time tests (the classic bit tricks, exact for "is there such a byte"): names and
 * paths are long and a report prints dozens, so the plain bytes are found 8 at a time. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
static uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}
static uint64_t has_byte(uint64_t w, unsigned char c)
{
    w ^= ONES * c;
    return (w - ONES) & ~w & HIGHS;
}
/* The high bit of each byte of w that is not printable ASCII (below 0x20, 0x7f, or 0x80 and up):
 * with the high bits cleared no byte carries into the next, so x + 0x60 reaches 0x80 exactly for
 * bytes >= 0x20, and x + 1 exactly for 0x7f. */
static uint64_t nonprint(uint64_t w)
{
    uint64_t x = w & ~HIGHS;
    return ~((x + ONES * 0x60) & ~(x + ONES) & ~w) & HIGHS;
}

/* Length of the run of bytes at s[0..n) that need no escaping (printable ASCII except `quote`
 * and the backslash). */
static size_t plain_run(const char *s, size_t n, unsigned char quote)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t w = load8(s + i);
        if (nonprint(w) | has_byte(w, '\\') | has_byte(w, quote)) break;
        i += 8;
    }
    while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f && s[i] != '\\' &&
           s[i] != quote)
        i++;
    return i;
}

void hp_buf_name(struct hp_buf *b, const char *s, size_t max)
{
    if (!s) {
        hp_buf_str(b, "(null)");
        return;
    }
    size_t n = strnlen(s, max), i = 0;
    while (i < n) {
        size_t run = plain_run(s + i, n - i, '\\');
        if (run) {
            hp_buf_mem(b, s + i, run);
            i += run;
        } else {
            esc_byte(b, "\\x", (unsigned char)s[i], 2);
            i++;
        }
    }
    if (s[i]) hp_buf_str(b, "...");
}

/* Length of the valid UTF-8 sequence at s (at most `left` bytes), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    size_t n;
    unsigned int min;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, min = 0x80;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, min = 0x800;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (n > left) return 0;
    unsigned int cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

void hp_buf_json(struct hp_buf *b, const char *s, size_t max)
{
    if (!s) {
        hp_buf_str(b, "null");
        return;
    }
    hp_buf_mem(b, "\"", 1);
    size_t i = 0, n = strnlen(s, max);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            hp_buf_mem(b, "\\", 1);
            hp_buf_mem(b, (const char *)&c, 1);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            esc_byte(b, "\\u", c, 4);
            i++;
        } else if (c < 0x80) {
            size_t run = plain_run(s + i, n - i, '"');
            hp_buf_mem(b, s + i, run);
            i += run;
        } else {
            size_t u = utf8_len((const unsigned char *)s + i, n - i);
            if (u) {
                hp_buf_mem(b, s + i, u);
                i += u;
            } else {
                esc_byte(b, "\\u", c, 4); /* an invalid byte, kept visible as U+0080..U+00FF */
                i++;
            }
        }
    }
    if (s[i]) hp_buf_str(b, "...");
    hp_buf_mem(b, "\"", 1);
}

void hp_write_all(int fd, const char *p, size_t n)
{
    int saved = errno;
    while (n > 0) {
        ssize_t w = syscall(SYS_write, fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    errno = saved;
}

void hp_diag(const char *line)
{
    char mem[1024];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "hotpath: ");
    hp_buf_str(&b, line);
    b.p[b.len++] = '\n';
    hp_write_all(2, b.p, b.len);
}
