/*
 * Where reports go: the log (stderr, or log_path), the JSON file (json_path), the mark files
 * (mark_dir). The host's descriptors are hostile ground: stderr may be a pipe nobody reads, a
 * socket whose peer closed, non-blocking; a log may open and then refuse every write (a full
 * disk). The sentinel's writes never raise a signal (hp_write_all), wait a bounded time, fall back
 * from a log that cannot be written to stderr with a word saying why, and count what they truly
 * could not write, for the summary, the JSON summary and <mark_dir>/lost.<pid>.
 * Under the report lock, except hp_sink_write_unlocked. Never allocates.
 */
#include "report.h"

#include "hotpath_private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct out {
    const char *pattern; /* option value, "" = none */
    const char *what;    /* "reports go to stderr" / "no JSON reports" */
    int fallback;        /* 2 for the log, -1 (nothing) for JSON */
    int fd;
    pid_t pid; /* process that opened fd: a forked child with %p in the path reopens */
    dev_t dev; /* what fd was when we opened it: a program that closes descriptors and opens */
    ino_t ino; /* its own files may have given the number to one of them */
};
static struct out log_out = {NULL, "reports go to stderr", 2, -1, 0, 0, 0};
static struct out json_out = {NULL, "no JSON reports", -1, -1, 0, 0, 0};

static unsigned long lost_writes, lost_bytes;
static char lost_reason[256];

unsigned long hp_sink_lost_writes(void) { return __atomic_load_n(&lost_writes, __ATOMIC_RELAXED); }
unsigned long hp_sink_lost_bytes(void) { return __atomic_load_n(&lost_bytes, __ATOMIC_RELAXED); }
const char *hp_sink_lost_reason(void)
{
    if (!hp_sink_lost_writes()) return NULL;
    /* The first loss may have been a short report written without the lock, which names no reason. */
    return lost_reason[0] ? lost_reason : "the log would not take them while the report lock was busy";
}

/* Is our descriptor still the file we opened? */
static int still_ours(const struct out *o)
{
    struct stat st;
    return fstat(o->fd, &st) == 0 && st.st_dev == o->dev && st.st_ino == o->ino;
}

/* Returns 0, or -1 when the expanded path does not fit (it is then not used at all: a cut path
 * would put reports where nobody looks). */
static int expand_pid(const char *pattern, char *dst, size_t cap)
{
    struct hp_buf b;
    hp_buf_init(&b, dst, cap - 1);
    for (const char *p = pattern; *p; p++) {
        if (p[0] == '%' && p[1] == 'p') {
            hp_buf_u64(&b, (uint64_t)getpid());
            p++;
        } else {
            hp_buf_mem(&b, p, 1);
        }
    }
    dst[b.len] = 0;
    return b.truncated ? -1 : 0;
}

/* "warning: cannot VERB 'PATH' (REASON); WHAT": the path cut to 300 bytes so that the reason
 * always fits. */
static void warn_path(const char *verb, const char *path, const char *reason, const char *what)
{
    char mem[700];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "warning: cannot ");
    hp_buf_str(&b, verb);
    hp_buf_str(&b, " '");
    hp_buf_name(&b, path, 300);
    hp_buf_str(&b, "' (");
    hp_buf_str(&b, reason);
    hp_buf_str(&b, "); ");
    hp_buf_str(&b, what);
    mem[b.len] = 0;
    hp_diag(mem);
}

/* The fd for an output, opened at first use. Log files are never followed through a symlink,
 * never inherited by exec'd programs, and not writable by others. */
static int out_fd(struct out *o)
{
    if (!o->pattern || !o->pattern[0]) return o->fallback;
    pid_t pid = getpid();
    if (o->fd >= 0 && o->fd != o->fallback) {
        if (!still_ours(o)) {
            o->fd = -1; /* not ours any more: never close it, never write to it */
        } else if (o->pid == pid || !strstr(o->pattern, "%p")) {
            return o->fd;
        } else {
            hp_sys_close(o->fd);
            o->fd = -1;
        }
    } else if (o->fd == o->fallback && o->pid == pid) {
        return o->fd; /* the path could not be opened or written: already said so, once */
    }
    char path[HP_PATH_MAX + 32];
    int too_long = expand_pid(o->pattern, path, sizeof path);
    o->fd = too_long ? -1 : hp_sys_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
    o->pid = pid;
    struct stat st;
    if (o->fd >= 0 && fstat(o->fd, &st) == 0) {
        o->dev = st.st_dev;
        o->ino = st.st_ino;
    }
    if (o->fd < 0) {
        warn_path("open", path, too_long ? "the path is too long once %p is expanded" : strerror(errno),
                  o->what);
        o->fd = o->fallback;
    }
    return o->fd;
}

static const char *why(int err)
{
    switch (err) {
    case EAGAIN:
        return "it stayed full for a second: non-blocking, and nobody read it";
    case EPIPE:
        return "nobody reads it any more";
    default:
        return strerror(err);
    }
}

/* Count what could not be written, and say so at once in <mark_dir>/lost.<pid>: a process that
 * aborts or is killed never reaches its summary. */
static void lost(int fd, size_t bytes, int err)
{
    unsigned long n = __atomic_add_fetch(&lost_writes, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&lost_bytes, bytes, __ATOMIC_RELAXED);
    char mem[400];
    struct hp_buf b;
    if (n == 1) {
        hp_buf_init(&b, lost_reason, sizeof lost_reason - 1);
        hp_buf_str(&b, fd == 2 ? "stderr: " : "the log: ");
        hp_buf_str(&b, why(err));
        lost_reason[b.len] = 0;
    }
    if (!hp_opt.mark_dir[0]) return;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_u64(&b, n);
    hp_buf_str(&b, " reports or lines (");
    hp_buf_u64(&b, hp_sink_lost_bytes());
    hp_buf_str(&b, " bytes) not written: ");
    hp_buf_str(&b, lost_reason);
    hp_buf_str(&b, "\n");
    mem[b.len] = 0;
    hp_sink_mark("lost", mem);
}

void hp_sink_write(enum hp_sink s, const char *p, size_t n)
{
    struct out *o = s == HP_SINK_LOG ? &log_out : &json_out;
    int fd = out_fd(o);
    if (fd < 0) return; /* no JSON output */
    size_t left = hp_write_all(fd, p, n);
    if (!left) return;
    int err = errno;
    if (fd != o->fallback && err != EAGAIN && err != EPIPE) {
        /* It opened but will not be written (ENOSPC, EIO, EFBIG...): fall back, say why, once. */
        char path[HP_PATH_MAX + 32];
        if (expand_pid(o->pattern, path, sizeof path) != 0) path[0] = 0;
        warn_path("write to", path, strerror(err), o->what);
        hp_sys_close(o->fd);
        o->fd = o->fallback;
        if (o->fallback < 0) return; /* JSON: said, and that is all we can do */
        fd = o->fallback;
        left = hp_write_all(fd, p, n); /* the whole report again: its start went nowhere */
        if (!left) return;
        err = errno;
    }
    lost(fd, left, err);
}

void hp_sink_write_unlocked(const char *p, size_t n)
{
    int fd = log_out.fd >= 0 ? log_out.fd : 2; /* no reopening without the lock */
    size_t left = hp_write_all(fd, p, n);
    if (left) {
        __atomic_add_fetch(&lost_writes, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&lost_bytes, left, __ATOMIC_RELAXED);
    }
}

int hp_sink_json_enabled(void) { return json_out.pattern && json_out.pattern[0]; }

void hp_sink_mark(const char *what, const char *text)
{
    if (!hp_opt.mark_dir[0]) return;
    char path[HP_PATH_MAX + 48];
    struct hp_buf b;
    hp_buf_init(&b, path, sizeof path - 1);
    hp_buf_str(&b, hp_opt.mark_dir);
    hp_buf_str(&b, "/");
    hp_buf_str(&b, what);
    hp_buf_str(&b, ".");
    hp_buf_u64(&b, (uint64_t)getpid());
    path[b.len] = 0;
    int fd = hp_sys_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return;
    if (text) hp_write_all(fd, text, strlen(text));
    hp_sys_close(fd);
}

/* Messages of the sentinel's own (summary, warnings from the API library) go where reports go. */
static void diag_sink(const char *line, unsigned long len)
{
    int saved = hp_in_sentinel;
    hp_in_sentinel = 1;
    int locked = hp_report_lock();
    if (locked) {
        hp_sink_write(HP_SINK_LOG, line, len);
        hp_report_unlock();
    } else {
        hp_sink_write_unlocked(line, len);
    }
    hp_in_sentinel = saved;
}

void hp_sink_init(void)
{
    log_out.pattern = hp_opt.log_path;
    json_out.pattern = hp_opt.json_path;
    __atomic_store_n(&hotpath__diagnostic_sink, diag_sink, __ATOMIC_RELEASE);
}

void hp_sink_atfork_child(void)
{
    lost_writes = lost_bytes = 0;
    lost_reason[0] = 0;
}
