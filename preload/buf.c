/*
 * Bounded text building for reports: fixed buffers, no stdio, no allocation, so that a report can
 * be written from inside malloc. Output that does not fit is cut and marked, never overflowed.
 */
#include "sentinel.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void hp_buf_init(struct hp_buf *b, char *mem, size_t cap)
{
    b->p = mem;
    b->len = 0;
    b->cap = cap;
    b->truncated = 0;
}

void hp_buf_cut(struct hp_buf *b, const char *s, size_t n)
{
    size_t room = b->cap - b->len;
    if (n > room) {
        n = room;
        b->truncated = 1;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

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
    memset(tmp + 2, '0', (size_t)(width - digits));
    char *end = tmp + 2 + width;
    for (int d = 0; d < digits; d++, v >>= 4)
        end[-1 - d] = "0123456789abcdef"[v & 15];
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

/* Length of the run of bytes at s[0..n) that need no escaping, 16 bytes at a time with the
 * compiler's vector extensions (SSE2 on x86-64, NEON on AArch64, words elsewhere). Whole blocks
 * are read only inside s[0..n): the last one overlaps bytes already known to be plain. */
#ifdef __SSE2__
#include <emmintrin.h>
/* SSE2 (every x86-64): a byte is plain when c - 0x20, compared as signed after flipping the top
 * bit, is below 0x5f (printable ASCII), and it is neither the backslash nor `quote`. */
static unsigned int bad_bytes16(const char *p, unsigned char quote)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i x = _mm_xor_si128(_mm_sub_epi8(v, _mm_set1_epi8(0x20)), _mm_set1_epi8((char)0x80));
    __m128i out = _mm_cmpgt_epi8(x, _mm_set1_epi8((char)(0x5e ^ 0x80)));
    out = _mm_or_si128(out, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    out = _mm_or_si128(out, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)quote)));
    return (unsigned int)_mm_movemask_epi8(out); /* bit i: byte i needs escaping */
}
#else
typedef unsigned char hp_v16 __attribute__((vector_size(16)));
/* Elsewhere the compiler's vector extensions (NEON on AArch64, words otherwise); the mask only
 * says whether some byte needs escaping (bit 0 then stands for "some byte"). */
static unsigned int bad_bytes16(const char *p, unsigned char quote)
{
    hp_v16 v;
    memcpy(&v, p, 16);
    hp_v16 bad = (v < 0x20) | (v > 0x7e) | (v == '\\') | (v == quote);
    uint64_t half[2];
    memcpy(half, &bad, 16);
    return (half[0] | half[1]) ? 1u : 0u;
}
#endif

/* Length of the run of bytes at s[0..n) that need no escaping (printable ASCII except `quote` and
 * the backslash), 16 at a time. Blocks are read only inside s[0..n): the last one overlaps bytes
 * already known to be plain. */
static size_t plain_run(const char *s, size_t n, unsigned char quote)
{
    size_t i = 0;
    if (n >= 16) {
        for (;; i += 16) {
            if (i + 16 > n) i = n - 16;
            unsigned int bad = bad_bytes16(s + i, quote);
#ifdef __SSE2__
            if (bad) return i + (size_t)__builtin_ctz(bad);
#else
            if (bad) break; /* the first such byte is found below */
#endif
            if (i + 16 == n) return n;
        }
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

/* ---- writing: never a signal, never an unbounded wait ------------------------------------------ */
/* The kernel's signal set (64 signals on Linux's 64-bit ABIs), for the raw rt_sig* calls. */
typedef unsigned long kernel_sigset;
#define SIGPIPE_BIT (1ul << (SIGPIPE - 1))
#define WRITE_WAIT_MS 1000  /* a full non-blocking descriptor: how long one write may wait */
#define STALLED_WAIT_MS 50  /* ... once a write has had to give up, until one gets through */
static int stalled_fd = -1; /* the descriptor that last made a write give up, -1: none */

static long wait_writable(int fd, int ms)
{
    struct pollfd p = {fd, POLLOUT, 0};
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    return syscall(SYS_ppoll, &p, 1, &t, NULL, sizeof(kernel_sigset));
}

/* A write that raises no SIGPIPE: SIGPIPE is blocked for this thread during the write, and the
 * one the write itself raised (EPIPE) is taken back unless one was already pending, which then is
 * the program's own and stays. A descriptor that is full (O_NONBLOCK) is waited for, a bounded
 * time. */
size_t hp_write_all(int fd, const char *p, size_t n)
{
    int saved = errno, err = 0;
    kernel_sigset pipe_set = SIGPIPE_BIT, old = 0, pending = 0;
    int blocked = syscall(SYS_rt_sigprocmask, SIG_BLOCK, &pipe_set, &old, sizeof(kernel_sigset)) == 0;
    if (blocked) syscall(SYS_rt_sigpending, &pending, sizeof(kernel_sigset));
    int waited_ms = 0,
        budget = __atomic_load_n(&stalled_fd, __ATOMIC_RELAXED) == fd ? STALLED_WAIT_MS : WRITE_WAIT_MS;
    while (n > 0) {
        ssize_t w = syscall(SYS_write, fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        err = w == 0 ? EIO : errno;
        if (err == EINTR) continue;
        if (err == EAGAIN && waited_ms < budget) {
            int slice = budget - waited_ms < 100 ? budget - waited_ms : 100;
            wait_writable(fd, slice);
            waited_ms += slice;
            continue;
        }
        break;
    }
    if (blocked) {
        if (err == EPIPE && !(pending & SIGPIPE_BIT)) {
            struct timespec zero = {0, 0};
            syscall(SYS_rt_sigtimedwait, &pipe_set, NULL, &zero, sizeof(kernel_sigset));
        }
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof(kernel_sigset));
    }
    if (n > 0 && err == EAGAIN)
        __atomic_store_n(&stalled_fd, fd, __ATOMIC_RELAXED);
    else if (n == 0 && __atomic_load_n(&stalled_fd, __ATOMIC_RELAXED) == fd)
        __atomic_store_n(&stalled_fd, -1, __ATOMIC_RELAXED);
    errno = n > 0 ? err : saved;
    return n;
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

void hp_normalize_path(char *p)
{
    if (p[0] != '/') return;
    /* Lexically, as os.path.normpath does: "//" and "/./" go, "dir/.." goes with its dir. */
    size_t out = 0;
    for (size_t i = 0; p[i];) {
        while (p[i] == '/')
            i++;
        size_t start = i;
        while (p[i] && p[i] != '/')
            i++;
        size_t len = i - start;
        if (len == 0 || (len == 1 && p[start] == '.')) continue;
        if (len == 2 && p[start] == '.' && p[start + 1] == '.') {
            while (out > 0 && p[out - 1] != '/')
                out--;
            if (out > 0) out--; /* the slash before the dropped component */
            continue;
        }
        p[out++] = '/';
        memmove(p + out, p + start, len);
        out += len;
    }
    if (out == 0) p[out++] = '/';
    p[out] = 0;
}
