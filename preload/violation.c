/*
 * What happens when a hot thread calls a checked function: count it, capture the stack, decide
 * whether to print (mode, dedup), write the text and JSON reports, remember the site for the exit
 * summary, and abort in abort mode.
 *
 * Reports are formatted whole into one static buffer under a process-wide lock and written with
 * one write(2), so reports from concurrent threads never interleave. The lock is bounded: a thread
 * that cannot get it within about two seconds writes a short report without it rather than hang.
 * Nothing here allocates through the checked path: the calling thread's hp_in_sentinel guard is set
 * for the whole time, so libunwind's and libdw's own allocations pass through unchecked.
 */
#include "sentinel.h"

#include "hotpath.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

__thread int hp_in_sentinel __attribute__((tls_model("initial-exec")));

/* ---- the report lock ---------------------------------------------------------------------------- */
static int report_lock;

static int lock_report(void)
{
    for (int i = 0; i < 2200; i++) {
        if (!__atomic_exchange_n(&report_lock, 1, __ATOMIC_ACQUIRE)) return 1;
        if (i < 200) {
            hp_cpu_relax();
        } else {
            hp_sys_sleep_ms(1);
        }
    }
    return 0;
}

static void unlock_report(void) { __atomic_store_n(&report_lock, 0, __ATOMIC_RELEASE); }

/* ---- output files --------------------------------------------------------------------------------- */
struct out {
    const char *pattern; /* option value, "" = none */
    int fd;
    pid_t pid;     /* process that opened fd: a forked child with %p in the path reopens */
    dev_t dev;     /* what fd was when we opened it: a program that closes descriptors and opens */
    ino_t ino;     /* its own files may have given the number to one of them */
};
static struct out log_out = {NULL, -1, 0, 0, 0}, json_out = {NULL, -1, 0, 0, 0};

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

/* The fd for an output, opened at first use. Log files are never followed through a symlink,
 * never inherited by exec'd programs, and not writable by others. */
static int out_fd(struct out *o, int fallback)
{
    if (!o->pattern || !o->pattern[0]) return fallback;
    pid_t pid = getpid();
    if (o->fd >= 0 && o->fd != fallback) {
        if (!still_ours(o)) {
            o->fd = -1; /* not ours any more: never close it, never write to it */
        } else if (o->pid == pid || !strstr(o->pattern, "%p")) {
            return o->fd;
        } else {
            hp_sys_close(o->fd);
            o->fd = -1;
        }
    } else if (o->fd == fallback && o->pid == pid) {
        return o->fd; /* the path could not be opened: already said so, once */
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
        /* The path is shown cut to 300 bytes so that the reason always fits the message. */
        char mem[600];
        struct hp_buf b;
        hp_buf_init(&b, mem, sizeof mem);
        hp_buf_str(&b, "warning: cannot open '");
        hp_buf_name(&b, path, 300);
        hp_buf_str(&b, "' for writing (");
        hp_buf_str(&b, too_long ? "the path is too long once %p is expanded" : strerror(errno));
        hp_buf_str(&b, fallback == 2 ? "); reports go to stderr" : "); no JSON reports");
        mem[b.len < sizeof mem ? b.len : sizeof mem - 1] = 0;
        hp_diag(mem);
        o->fd = fallback;
    }
    return o->fd;
}

static int log_fd(void) { return out_fd(&log_out, 2); }

/* Messages of the sentinel's own (summary, warnings) go where the reports go. */
static void diag_sink(const char *line, unsigned long len)
{
    int locked = lock_report();
    hp_write_all(log_fd(), line, len);
    if (locked) unlock_report();
}

/* ---- sites and sections, for dedup and the exit summary ----------------------------------------- */
#define SITE_PCS 8
#define MAX_SITES 512
#define MAX_SECTIONS 128
#define NAME_KEEP 96

struct site {
    uint64_t hash;
    unsigned long count;
    int suppressed; /* decided once, when the site is first seen */
    const char *op;
    enum hp_kind kind;
    char section[NAME_KEEP];
    int npcs;
    uintptr_t pcs[SITE_PCS];
};
struct section_count {
    char name[NAME_KEEP];
    unsigned long count;
};
static struct site sites[MAX_SITES];
static int nsites;
static unsigned long sites_dropped; /* violations at sites beyond the table */
static struct section_count sections[MAX_SECTIONS];
static int nsections;
static unsigned long sections_dropped;
static unsigned long total_seen;
static unsigned long suppressed_seen;

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ULL; }

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (size_t i = 0; s && s[i] && i < NAME_KEEP - 1; i++) h = mix(h, (unsigned char)s[i]);
    return h;
}

static void copy_name(char *dst, const char *src)
{
    size_t n = src ? strnlen(src, NAME_KEEP - 1) : 0;
    if (src) memcpy(dst, src, n);
    dst[n] = 0;
    if (!src) memcpy(dst, "(null)", 7);
}

/* Record one violation; returns its site's count (1 = first time), 0 if the site table is full,
 * or -1 if a suppression rule covers it (counted apart, neither reported nor fatal). */
static long record(uint64_t hash, const struct hp_event *ev, const char *section, const uintptr_t *pcs, int n)
{
    struct site *st = NULL;
    for (int i = 0; i < nsites && !st; i++)
        if (sites[i].hash == hash) st = &sites[i];
    if (!st && nsites < MAX_SITES) {
        st = &sites[nsites++];
        st->hash = hash;
        st->count = 0;
        st->op = ev->op;
        st->kind = ev->kind;
        copy_name(st->section, section);
        st->npcs = n < SITE_PCS ? n : SITE_PCS;
        memcpy(st->pcs, pcs, (size_t)st->npcs * sizeof *pcs);
        st->suppressed = hp_opt.suppressions[0] && hp_suppressed(ev->op, section, pcs, n);
    }
    int suppressed = st ? st->suppressed : hp_opt.suppressions[0] && hp_suppressed(ev->op, section, pcs, n);
    if (suppressed) {
        suppressed_seen++;
        if (st) st->count++;
        return -1;
    }

    total_seen++;
    int s = 0;
    for (; s < nsections; s++)
        if (!strncmp(sections[s].name, section ? section : "(null)", NAME_KEEP - 1)) break;
    if (s == nsections && nsections < MAX_SECTIONS) copy_name(sections[nsections++].name, section);
    if (s < nsections)
        sections[s].count++;
    else
        sections_dropped++;
    if (!st) {
        sites_dropped++;
        return 0;
    }
    return (long)++st->count;
}

/* ---- formatting ------------------------------------------------------------------------------------ */
static char report_mem[32768];
static char json_mem[32768];

static const char *headline(enum hp_kind k)
{
    return k == HP_KIND_ALLOC ? "ALLOCATION IN HOT PATH!\n" : "BLOCKING CALL IN HOT PATH!\n";
}

static void put_operation(struct hp_buf *b, const struct hp_event *ev)
{
    hp_buf_str(b, ev->op);
    if (ev->has_size) {
        hp_buf_str(b, " (");
        if (ev->size == SIZE_MAX)
            hp_buf_str(b, "overflowing size");
        else {
            hp_buf_u64(b, ev->size);
            hp_buf_str(b, ev->size == 1 ? " byte" : " bytes");
        }
        if (ev->align) {
            hp_buf_str(b, ", alignment ");
            hp_buf_u64(b, ev->align);
        }
        hp_buf_str(b, ")");
    }
}

struct thread_info {
    pid_t pid, tid;
    char name[17];
    struct timespec when;
};

static void thread_info(struct thread_info *ti)
{
    ti->pid = getpid();
    ti->tid = gettid();
    memset(ti->name, 0, sizeof ti->name);
    if (prctl(PR_GET_NAME, ti->name) != 0) ti->name[0] = 0;
    clock_gettime(CLOCK_REALTIME, &ti->when);
}

/* The calling thread's section names, outermost first, the innermost `HOTPATH_STACK_SLOTS`. */
static int section_names(const char **names, unsigned int *depth)
{
    const struct hotpath_thread *t = &hotpath_thread_state;
    unsigned int d = t->depth;
    unsigned int first = d > HOTPATH_STACK_SLOTS ? d - HOTPATH_STACK_SLOTS : 0;
    int n = 0;
    for (unsigned int i = first; i < d; i++) names[n++] = t->stack[i % HOTPATH_STACK_SLOTS];
    *depth = d;
    return n;
}

static void put_frame_text(struct hp_buf *b, int i, const struct hp_frame *f)
{
    hp_buf_str(b, "    #");
    hp_buf_u64(b, (uint64_t)i);
    hp_buf_str(b, " ");
    hp_buf_hex(b, f->pc, 16);
    hp_buf_str(b, " in ");
    if (f->function) {
        hp_buf_name(b, f->function, 256);
        hp_buf_str(b, "+");
        hp_buf_hex(b, f->offset, 0);
    } else {
        hp_buf_str(b, "??");
    }
    if (f->module) {
        hp_buf_str(b, " (");
        hp_buf_name(b, f->module, 512);
        hp_buf_str(b, "+");
        hp_buf_hex(b, f->module_offset, 0);
        hp_buf_str(b, ")");
    }
    if (f->file) {
        hp_buf_str(b, " ");
        hp_buf_name(b, f->file, 512);
        hp_buf_str(b, ":");
        hp_buf_u64(b, (uint64_t)f->line);
    }
    hp_buf_str(b, "\n");
}

static void put_frame_json(struct hp_buf *b, const struct hp_frame *f)
{
    hp_buf_str(b, "{\"pc\":\"");
    hp_buf_hex(b, f->pc, 0);
    hp_buf_str(b, "\"");
    if (f->function) {
        hp_buf_str(b, ",\"function\":");
        hp_buf_json(b, f->function, 512);
        hp_buf_str(b, ",\"offset\":");
        hp_buf_u64(b, f->offset);
    }
    if (f->module) {
        hp_buf_str(b, ",\"module\":");
        hp_buf_json(b, f->module, 1024);
        hp_buf_str(b, ",\"module_offset\":");
        hp_buf_u64(b, f->module_offset);
    }
    if (f->file) {
        hp_buf_str(b, ",\"file\":");
        hp_buf_json(b, f->file, 1024);
        hp_buf_str(b, ",\"line\":");
        hp_buf_u64(b, (uint64_t)f->line);
    }
    hp_buf_str(b, "}");
}

/* End a buffer that may have been cut: the report stays well-formed, ending with a newline. */
static void finish(struct hp_buf *b, const char *cut_marker)
{
    if (b->truncated) {
        size_t m = strlen(cut_marker);
        if (b->len > b->cap - m) b->len = b->cap - m;
        memcpy(b->p + b->len, cut_marker, m);
        b->len += m;
    }
}

static void write_reports(const struct hp_event *ev, const uintptr_t *pcs, int n, int first_of_site)
{
    const char *names[HOTPATH_STACK_SLOTS];
    unsigned int depth;
    int nn = section_names(names, &depth);
    const char *innermost = nn ? names[nn - 1] : hotpath_section();
    struct thread_info ti;
    thread_info(&ti);

    struct hp_buf t, j;
    hp_buf_init(&t, report_mem, sizeof report_mem);
    int json = json_out.pattern && json_out.pattern[0];
    hp_buf_init(&j, json_mem, sizeof json_mem);

    hp_buf_str(&t, headline(ev->kind));
    hp_buf_str(&t, "Operation: ");
    put_operation(&t, ev);
    hp_buf_str(&t, "\nSection: ");
    hp_buf_name(&t, innermost, 256);
    hp_buf_str(&t, "\n");
    if (depth > 1) {
        hp_buf_str(&t, "Section stack: ");
        if (depth > (unsigned int)nn) {
            hp_buf_str(&t, "(");
            hp_buf_u64(&t, depth - (unsigned int)nn);
            hp_buf_str(&t, " more) > ");
        }
        for (int i = 0; i < nn; i++) {
            if (i) hp_buf_str(&t, " > ");
            hp_buf_name(&t, names[i], 128);
        }
        hp_buf_str(&t, "\n");
    }
    hp_buf_str(&t, "Thread: ");
    hp_buf_u64(&t, (uint64_t)ti.tid);
    if (ti.name[0]) {
        hp_buf_str(&t, " \"");
        hp_buf_name(&t, ti.name, 16);
        hp_buf_str(&t, "\"");
    }
    hp_buf_str(&t, " (pid ");
    hp_buf_u64(&t, (uint64_t)ti.pid);
    hp_buf_str(&t, ")\n");

    if (json) {
        hp_buf_str(&j, "{\"kind\":\"");
        hp_buf_str(&j, ev->kind == HP_KIND_ALLOC ? "allocation" : "blocking");
        hp_buf_str(&j, "\",\"pid\":");
        hp_buf_u64(&j, (uint64_t)ti.pid);
        hp_buf_str(&j, ",\"tid\":");
        hp_buf_u64(&j, (uint64_t)ti.tid);
        hp_buf_str(&j, ",\"thread\":");
        hp_buf_json(&j, ti.name, 16);
        hp_buf_str(&j, ",\"time\":");
        hp_buf_u64(&j, (uint64_t)ti.when.tv_sec);
        char frac[8];
        long us = ti.when.tv_nsec / 1000;
        for (int i = 6; i >= 1; i--, us /= 10) frac[i] = (char)('0' + us % 10);
        frac[0] = '.';
        hp_buf_mem(&j, frac, 7);
        hp_buf_str(&j, ",\"category\":\"");
        hp_buf_str(&j, hp_check_name(ev->category));
        hp_buf_str(&j, "\",\"operation\":\"");
        hp_buf_str(&j, ev->op);
        hp_buf_str(&j, "\"");
        if (ev->has_size) {
            hp_buf_str(&j, ",\"size\":");
            if (ev->size == SIZE_MAX)
                hp_buf_str(&j, "null");
            else
                hp_buf_u64(&j, ev->size);
            if (ev->align) {
                hp_buf_str(&j, ",\"alignment\":");
                hp_buf_u64(&j, ev->align);
            }
        }
        hp_buf_str(&j, ",\"section\":");
        hp_buf_json(&j, innermost ? innermost : "(null)", 256);
        hp_buf_str(&j, ",\"depth\":");
        hp_buf_u64(&j, depth);
        hp_buf_str(&j, ",\"sections\":[");
        for (int i = 0; i < nn; i++) {
            if (i) hp_buf_str(&j, ",");
            hp_buf_json(&j, names[i] ? names[i] : "(null)", 128);
        }
        hp_buf_str(&j, "],\"mode\":\"");
        hp_buf_str(&j, hp_mode_name(hp_opt.mode));
        hp_buf_str(&j, "\",\"frames\":[");
    }

    if (hp_opt.backtrace) {
        hp_buf_str(&t, "Backtrace:\n");
        if (n == 0) hp_buf_str(&t, "    (no frames: the stack could not be unwound)\n");
        for (int i = 0; i < n && i < hp_opt.max_frames; i++) {
            struct hp_frame f;
            hp_symbolize(pcs[i], &f);
            put_frame_text(&t, i, &f);
            if (json) {
                if (i) hp_buf_str(&j, ",");
                put_frame_json(&j, &f);
            }
        }
    }
    hp_buf_str(&t, "Mode: ");
    if (hp_opt.mode == HP_MODE_ABORT)
        hp_buf_str(&t, "abort (the process aborts now; mode=warn reports and continues)\n");
    else if (hp_opt.dedup && first_of_site)
        hp_buf_str(&t, "warn (repeats of this call stack are counted, not printed: see the summary at exit)\n");
    else
        hp_buf_str(&t, "warn\n");
    finish(&t, "\n(report cut: too long)\n");
    hp_write_all(log_fd(), t.p, t.len);

    if (json) {
        hp_buf_str(&j, "]}\n");
        if (j.truncated) {
            /* A cut JSON line would not parse: write a minimal one instead. */
            hp_buf_init(&j, json_mem, sizeof json_mem);
            hp_buf_str(&j, "{\"kind\":\"");
            hp_buf_str(&j, ev->kind == HP_KIND_ALLOC ? "allocation" : "blocking");
            hp_buf_str(&j, "\",\"pid\":");
            hp_buf_u64(&j, (uint64_t)ti.pid);
            hp_buf_str(&j, ",\"operation\":\"");
            hp_buf_str(&j, ev->op);
            hp_buf_str(&j, "\",\"truncated\":true,\"frames\":[]}\n");
        }
        int fd = out_fd(&json_out, -1);
        if (fd >= 0) hp_write_all(fd, j.p, j.len);
    }
}

/* A report without the lock (another thread holds it for too long): headline lines only. */
static void write_short_report(const struct hp_event *ev)
{
    char mem[512];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem);
    hp_buf_str(&b, headline(ev->kind));
    hp_buf_str(&b, "Operation: ");
    put_operation(&b, ev);
    hp_buf_str(&b, "\nSection: ");
    hp_buf_name(&b, hotpath_section(), 128);
    hp_buf_str(&b, "\n(backtrace skipped: the report lock was busy)\n");
    finish(&b, "\n");
    hp_write_all(log_out.fd >= 0 ? log_out.fd : 2, b.p, b.len); /* no reopening without the lock */
}

/* ---- the violation --------------------------------------------------------------------------------- */
static int marked; /* this process has made its mark_dir violation file */

/* <mark_dir>/<what>.<pid>, empty: what hotpath-run counts. */
static void touch_mark(const char *what)
{
    char path[HP_PATH_MAX + 48];
    struct hp_buf b;
    hp_buf_init(&b, path, sizeof path - 1);
    hp_buf_str(&b, hp_opt.mark_dir);
    hp_buf_str(&b, "/");
    hp_buf_str(&b, what);
    hp_buf_str(&b, ".");
    hp_buf_u64(&b, (uint64_t)getpid());
    path[b.len] = 0;
    int fd = hp_sys_open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd >= 0) hp_sys_close(fd);
}

static void make_mark(void)
{
    if (!hp_opt.mark_dir[0] || __atomic_exchange_n(&marked, 1, __ATOMIC_ACQ_REL)) return;
    touch_mark("violation");
}

/* "This process ran with the sentinel checking": made at start-up and in every forked child, so
 * that a gate can tell a clean run from one that was never checked. */
static void make_checked_mark(void)
{
    if (hp_opt.mark_dir[0]) touch_mark("checked");
}

uint64_t hp_sections_entered(void) { return hotpath__sections_entered(); }

void hp_violation(const struct hp_event *ev)
{
    int saved_errno = errno;
    hp_in_sentinel = 1;

    uintptr_t pcs[HP_MAX_FRAMES];
    int n = hp_opt.backtrace ? hp_unwind(pcs, HP_MAX_FRAMES) : 0;
    const char *section = hotpath_section();
    uint64_t h = 0xcbf29ce484222325ULL;
    h = hash_str(mix(h, (uintptr_t)ev->op), section);
    for (int i = 0; i < n; i++) h = mix(h, pcs[i]);

    int locked = lock_report();
    long count = locked ? record(h, ev, section, pcs, n) : 0;
    /* Without the lock the site table cannot be consulted; the rules that need no symbolizing
     * still apply (function rules would need libdw, which is used under the lock only). */
    if (!locked && hp_opt.suppressions[0] && hp_suppressed(ev->op, section, NULL, 0)) count = -1;
    if (count < 0) { /* suppressed */
        if (locked) unlock_report();
        hp_in_sentinel = 0;
        errno = saved_errno;
        return;
    }
    __atomic_add_fetch(&hotpath__violation_count, 1, __ATOMIC_RELAXED);
    make_mark();
    if (locked) {
        int print = hp_opt.mode == HP_MODE_ABORT ||
                    (hp_opt.mode == HP_MODE_WARN && (!hp_opt.dedup || count <= 1));
        if (print) write_reports(ev, pcs, n, count == 1);
        unlock_report();
    } else if (hp_opt.mode != HP_MODE_COUNT) {
        write_short_report(ev);
    }

    if (hp_opt.mode == HP_MODE_ABORT) abort(); /* hp_in_sentinel stays set: a handler may allocate */
    hp_in_sentinel = 0;
    errno = saved_errno;
}

/* ---- the exit summary ------------------------------------------------------------------------------ */
/* The frame that names a site: the first with a source line outside system libraries, else the
 * first outside system libraries, else the innermost (the same rule as hotpath-check's). */
static int site_frame(const struct site *s, struct hp_frame *f)
{
    for (int i = 0; i < s->npcs; i++) {
        hp_symbolize(s->pcs[i], f);
        if (f->file && !hp_is_system_module(f->module)) return 1;
    }
    for (int i = 0; i < s->npcs; i++) {
        hp_symbolize(s->pcs[i], f);
        if (!hp_is_system_module(f->module)) return 1;
    }
    if (!s->npcs) return 0;
    hp_symbolize(s->pcs[0], f);
    return 1;
}

static void put_site_location(struct hp_buf *b, const struct site *s)
{
    struct hp_frame f;
    if (!site_frame(s, &f)) return;
    hp_buf_str(b, " in ");
    hp_buf_name(b, f.function ? f.function : "??", 200);
    hp_buf_str(b, " (");
    if (f.file) {
        hp_buf_name(b, f.file, 400);
        hp_buf_str(b, ":");
        hp_buf_u64(b, (uint64_t)f.line);
    } else if (f.module) {
        hp_buf_name(b, f.module, 400);
        hp_buf_str(b, "+");
        hp_buf_hex(b, f.module_offset, 0);
    } else {
        hp_buf_hex(b, f.pc, 0);
    }
    hp_buf_str(b, ")");
}

/* The summary as one JSON line, for gates that read only the JSON files: the repeats that warn
 * mode does not print and everything count mode counts. */
static void write_json_summary(uint64_t entered)
{
    int fd = out_fd(&json_out, -1);
    if (fd < 0) return;
    struct hp_buf j;
    hp_buf_init(&j, json_mem, sizeof json_mem);
    hp_buf_str(&j, "{\"kind\":\"summary\",\"pid\":");
    hp_buf_u64(&j, (uint64_t)getpid());
    hp_buf_str(&j, ",\"mode\":\"");
    hp_buf_str(&j, hp_mode_name(hp_opt.mode));
    hp_buf_str(&j, "\",\"violations\":");
    hp_buf_u64(&j, total_seen);
    hp_buf_str(&j, ",\"suppressed\":");
    hp_buf_u64(&j, suppressed_seen);
    hp_buf_str(&j, ",\"sections_entered\":");
    hp_buf_u64(&j, entered);
    hp_buf_str(&j, ",\"program\":");
    hp_buf_json(&j, program_invocation_short_name, 200);
    hp_buf_str(&j, ",\"sites\":[");
    int first = 1;
    for (int i = 0; i < nsites; i++) {
        if (sites[i].suppressed) continue;
        if (j.len > j.cap - 4096) { /* room for the closing of the line, whatever happens */
            hp_buf_str(&j, "],\"sites_truncated\":true}\n");
            hp_write_all(fd, j.p, j.len);
            return;
        }
        struct hp_frame f;
        int named = site_frame(&sites[i], &f);
        hp_buf_str(&j, first ? "{\"count\":" : ",{\"count\":");
        first = 0;
        hp_buf_u64(&j, sites[i].count);
        hp_buf_str(&j, ",\"kind\":\"");
        hp_buf_str(&j, sites[i].kind == HP_KIND_ALLOC ? "allocation" : "blocking");
        hp_buf_str(&j, "\",\"operation\":\"");
        hp_buf_str(&j, sites[i].op);
        hp_buf_str(&j, "\",\"section\":");
        hp_buf_json(&j, sites[i].section, NAME_KEEP);
        if (named) {
            hp_buf_str(&j, ",\"function\":");
            hp_buf_json(&j, f.function ? f.function : "??", 512);
            if (f.file) {
                hp_buf_str(&j, ",\"file\":");
                hp_buf_json(&j, f.file, 1024);
                hp_buf_str(&j, ",\"line\":");
                hp_buf_u64(&j, (uint64_t)f.line);
            } else if (f.module) {
                hp_buf_str(&j, ",\"module\":");
                hp_buf_json(&j, f.module, 1024);
                hp_buf_str(&j, ",\"module_offset\":");
                hp_buf_u64(&j, f.module_offset);
            }
        }
        hp_buf_str(&j, "}");
    }
    hp_buf_str(&j, "]}\n");
    hp_write_all(fd, j.p, j.len);
}

static void summary_line(struct hp_buf *b)
{
    if (b->truncated) b->len = b->cap - 1;
    b->p[b->len++] = '\n';
    hp_write_all(log_fd(), b->p, b->len);
}

#define SUMMARY_SITES_SHOWN 50

/* "hotpath: checked: E sections entered, N violations (pid P, PROGRAM, mode=M)": says that this
 * process was checked, and how much, even when it is clean. */
static void checked_line(uint64_t entered)
{
    char mem[512];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "hotpath: checked: ");
    hp_buf_u64(&b, entered);
    hp_buf_str(&b, entered == 1 ? " section entered, " : " sections entered, ");
    hp_buf_u64(&b, total_seen);
    hp_buf_str(&b, total_seen == 1 ? " violation (pid " : " violations (pid ");
    hp_buf_u64(&b, (uint64_t)getpid());
    hp_buf_str(&b, ", ");
    hp_buf_name(&b, program_invocation_short_name, 200);
    hp_buf_str(&b, ", mode=");
    hp_buf_str(&b, hp_mode_name(hp_opt.mode));
    hp_buf_str(&b, ")");
    summary_line(&b);
}

void hp_summary_at_exit(void)
{
    hp_in_sentinel = 1;
    if (!lock_report()) {
        hp_in_sentinel = 0;
        return;
    }
    uint64_t entered = hp_sections_entered();
    if (entered || total_seen || suppressed_seen || hp_opt.summary) checked_line(entered);
    if (total_seen || suppressed_seen) {
        char mem[2048];
        struct hp_buf b;
        hp_buf_init(&b, mem, sizeof mem - 1);
        hp_buf_str(&b, "hotpath: summary: ");
        hp_buf_u64(&b, total_seen);
        hp_buf_str(&b, total_seen == 1 ? " violation in " : " violations in ");
        hp_buf_u64(&b, (uint64_t)nsections);
        hp_buf_str(&b, nsections == 1 ? " section at " : " sections at ");
        int live_sites = 0;
        for (int i = 0; i < nsites; i++) live_sites += !sites[i].suppressed;
        hp_buf_u64(&b, (uint64_t)live_sites);
        hp_buf_str(&b, live_sites == 1 ? " call site (mode=" : " call sites (mode=");
        hp_buf_str(&b, hp_mode_name(hp_opt.mode));
        hp_buf_str(&b, ", pid ");
        hp_buf_u64(&b, (uint64_t)getpid());
        hp_buf_str(&b, ")");
        summary_line(&b);
        for (int i = 0; i < nsections; i++) {
            hp_buf_init(&b, mem, sizeof mem - 1);
            hp_buf_str(&b, "hotpath:   section ");
            hp_buf_name(&b, sections[i].name, NAME_KEEP);
            hp_buf_str(&b, ": ");
            hp_buf_u64(&b, sections[i].count);
            summary_line(&b);
        }
        if (sections_dropped) {
            hp_buf_init(&b, mem, sizeof mem - 1);
            hp_buf_str(&b, "hotpath:   (other sections): ");
            hp_buf_u64(&b, sections_dropped);
            summary_line(&b);
        }
        if (suppressed_seen) {
            hp_buf_init(&b, mem, sizeof mem - 1);
            hp_buf_str(&b, "hotpath:   suppressed: ");
            hp_buf_u64(&b, suppressed_seen);
            hp_buf_str(&b, " (rules from ");
            hp_buf_name(&b, hp_opt.suppressions, 400);
            hp_buf_str(&b, ")");
            summary_line(&b);
        }
        for (int i = 0, shown = 0; i < nsites && shown < SUMMARY_SITES_SHOWN; i++) {
            if (sites[i].suppressed) continue;
            shown++;
            hp_buf_init(&b, mem, sizeof mem - 1);
            hp_buf_str(&b, "hotpath:   site ");
            hp_buf_u64(&b, (uint64_t)i + 1);
            hp_buf_str(&b, ": ");
            hp_buf_u64(&b, sites[i].count);
            hp_buf_str(&b, " x ");
            hp_buf_str(&b, sites[i].op);
            put_site_location(&b, &sites[i]);
            hp_buf_str(&b, " [");
            hp_buf_name(&b, sites[i].section, NAME_KEEP);
            hp_buf_str(&b, "]");
            summary_line(&b);
        }
        if (nsites > SUMMARY_SITES_SHOWN || sites_dropped) {
            hp_buf_init(&b, mem, sizeof mem - 1);
            hp_buf_str(&b, "hotpath:   (more call sites not listed; ");
            hp_buf_u64(&b, sites_dropped);
            hp_buf_str(&b, " violations beyond the site table)");
            summary_line(&b);
        }
    }
    if ((entered || total_seen || suppressed_seen || hp_opt.summary) && json_out.pattern && json_out.pattern[0])
        write_json_summary(entered);
    unlock_report();
    hp_in_sentinel = 0;
}

/* ---- set-up -------------------------------------------------------------------------------------- */
void hp_violation_init(void)
{
    log_out.pattern = hp_opt.log_path;
    json_out.pattern = hp_opt.json_path;
    __atomic_store_n(&hotpath__diagnostic_sink, diag_sink, __ATOMIC_RELEASE);
    make_checked_mark();
}

/* In a forked child: the only thread is the one that forked, so no one else holds the lock; the
 * child starts its own counts (the parent reports its own), its own mark file and log file. */
/* Before fork: no report may be half written (and libunwind's and libdw's locks held) when the
 * process is copied, so the forking thread takes the report lock for the fork's duration. Bounded
 * like every wait for it. */
static int fork_locked;
void hp_violation_atfork_prepare(void)
{
    if (hp_in_sentinel) return; /* fork from inside our own report path: nothing to wait for */
    fork_locked = lock_report();
}

void hp_violation_atfork_parent(void)
{
    if (fork_locked) unlock_report();
    fork_locked = 0;
}

void hp_violation_atfork_child(void)
{
    fork_locked = 0;
    report_lock = 0;
    marked = 0;
    suppressed_seen = 0;
    nsites = nsections = 0;
    total_seen = sites_dropped = sections_dropped = 0;
    hp_symbolize_forget();
    make_checked_mark();
}
