/*
 * The report engine's parts, private to libhotpath.so. A violation becomes one struct hp_report
 * (event, thread, sections, frames symbolized once with their inline chains), which the text
 * writer and the JSON writer format and the sink writes; the site table counts it for dedup and
 * the exit summary.
 *
 *   violation.c     the funnel: capture, lock, decide, build, write, abort; fork; set-up
 *   report.c        builds a struct hp_report
 *   report_text.c   the text report, the short report, the operation label, short names
 *   report_json.c   the JSON report line
 *   sites.c         the site table (dedup, counts), section counts, the summary's site rule
 *   sink.c          the output files and stderr, marks, what could not be written
 *   summary.c       the exit summary (text and JSON)
 *   report_stack.c  the sentinel's own stack, where reports are built
 *
 * Everything here runs under the report lock (hp_report_lock) with hp_in_sentinel set, except
 * where a comment says otherwise; nothing allocates through the checked path.
 */
#ifndef HP_REPORT_H
#define HP_REPORT_H

#include "sentinel.h"

#include <sys/types.h>
#include <time.h>

/* ---- violation.c: the report lock ------------------------------------------------------------ */
/* Bounded: 1 once taken, 0 after about two seconds of waiting (the caller goes on without it). */
HP_HIDDEN int hp_report_lock(void);
HP_HIDDEN void hp_report_unlock(void);

/* ---- report.c ---------------------------------------------------------------------------------- */
#define HP_REPORT_FRAMES (HP_MAX_FRAMES * 4) /* physical frames with their inline chains */
#define HP_CHAIN_MAX 16                      /* inlined levels kept per physical frame */

struct hp_report_frame {
    struct hp_frame f; /* strings copied into the report's own memory */
    int inlined;       /* 1: a call inlined into the next frame (same pc) */
};

struct hp_report {
    const struct hp_event *ev;
    pid_t pid, tid;
    char thread_name[17];
    struct timespec when;
    const char *section;                       /* innermost, or "(sealed)", or NULL */
    const char *sections[HOTPATH_STACK_SLOTS]; /* outermost first, the innermost SLOTS */
    int nsections;
    unsigned int depth;
    int npcs; /* physical frames captured */
    int nframes, frames_cut;
    struct hp_report_frame frames[HP_REPORT_FRAMES];
    int first_of_site; /* warn mode with dedup: repeats of this stack are counted, not printed */
    size_t strings_used;
    char strings[48 * 1024];
};

/* Fill r for a violation (thread, sections, and when symbolize=1 the frames of pcs with their
 * inline chains, at most max_frames physical ones). */
HP_HIDDEN void hp_report_build(struct hp_report *r, const struct hp_event *ev, const uintptr_t *pcs, int npcs,
                               int first_of_site);
/* The inline chain of return address pc, innermost first, the physical frame last, into
 * out[0..HP_CHAIN_MAX); strings point into the symbolizer's state (valid until its next call).
 * Returns the count, >= 1. */
HP_HIDDEN int hp_chain_of(uintptr_t pc, struct hp_report_frame *out);

/* ---- report_text.c ------------------------------------------------------------------------------ */
HP_HIDDEN const char *hp_headline(enum hp_kind k); /* "ALLOCATION IN HOT PATH!\n", ... */
/* "malloc (32 bytes)", "posix_memalign (128 bytes, alignment 64)": the one operation label. */
HP_HIDDEN void hp_put_operation(struct hp_buf *b, const struct hp_event *ev);
/* A function name for one-line output: C++ template arguments and parameter lists elided
 * ("std::vector<...>::push_back(...)") when the name is longer than max; cut with "..." when that
 * is not enough. */
HP_HIDDEN void hp_put_short_function(struct hp_buf *b, const char *name, size_t max);
HP_HIDDEN void hp_report_text(const struct hp_report *r, struct hp_buf *b);
/* Without the lock (another thread holds it too long): the headline lines only. Any thread. */
HP_HIDDEN void hp_report_text_short(const struct hp_event *ev, struct hp_buf *b);
/* End a buffer that may have been cut: it stays well-formed, ending with marker. */
HP_HIDDEN void hp_buf_finish(struct hp_buf *b, const char *cut_marker);

/* ---- report_json.c ------------------------------------------------------------------------------ */
/* One JSON line (with its newline); a minimal valid line with "truncated":true when it does not
 * fit. */
HP_HIDDEN void hp_report_json(const struct hp_report *r, struct hp_buf *b);
HP_HIDDEN const char *hp_kind_json(enum hp_kind k); /* "allocation", "blocking" */

/* ---- sites.c ------------------------------------------------------------------------------------- */
#define HP_SITE_PCS 32 /* the summary's site rule walks these: a Rust HashMap insert is 10 deep */
#define HP_NAME_KEEP 96

struct hp_site {
    uint64_t hash;
    unsigned long count;
    const char *op;
    enum hp_kind kind;
    int suppressed; /* decided once, when the site is first seen */
    int npcs;
    uintptr_t pcs[HP_SITE_PCS];
    char section[HP_NAME_KEEP];
};
struct hp_section_count {
    char name[HP_NAME_KEEP];
    unsigned long count;
};
struct hp_counts {
    unsigned long total;            /* violations, suppressed ones not included */
    unsigned long suppressed;       /* violations a suppression rule covered */
    unsigned long sites_dropped;    /* violations at stacks the table could not hold */
    unsigned long sections_dropped; /* violations in sections beyond the section table */
    int nsites, live_sites;         /* sites, and those not suppressed */
    int nsections;
};
HP_HIDDEN extern struct hp_counts hp_counts;

/* The hash of a violation's stack: operation, section name, every pc. Any thread, no lock. */
HP_HIDDEN uint64_t hp_site_hash(const struct hp_event *ev, const char *section, const uintptr_t *pcs, int n);
/* Record one violation: its site's count (1 = first time), 0 when the table could not hold it (no
 * memory), -1 when a suppression rule covers it (counted apart, neither reported nor fatal). The
 * table grows through mmap; lookups are O(1). */
HP_HIDDEN long hp_sites_record(uint64_t hash, const struct hp_event *ev, const char *section,
                               const uintptr_t *pcs, int n);
HP_HIDDEN const struct hp_site *hp_site_at(int i); /* 0 <= i < hp_counts.nsites, first seen first */
HP_HIDDEN const struct hp_section_count *hp_section_at(int i);
/* The frame that names a site in the summary (the gate's rule without the root): the first frame,
 * inlined ones included, whose source file is not a toolchain or system path and whose module is
 * not a system module; else the first outside system modules; else the innermost. 0 if none. */
HP_HIDDEN int hp_site_frame(const struct hp_site *s, struct hp_report_frame *out);
HP_HIDDEN int hp_is_system_path(const char *file);
HP_HIDDEN void hp_sites_reset(void); /* in a forked child */

/* ---- sink.c ------------------------------------------------------------------------------------- */
enum hp_sink { HP_SINK_LOG, HP_SINK_JSON };
HP_HIDDEN void hp_sink_init(void);
HP_HIDDEN int hp_sink_json_enabled(void);
/* Write a whole report or line to the log (stderr by default) or the JSON file. Never raises
 * SIGPIPE; waits a bounded time for a full non-blocking descriptor; a log that cannot be written
 * falls back to stderr with a word saying why. What still cannot be written is counted. Under
 * the report lock. */
HP_HIDDEN void hp_sink_write(enum hp_sink s, const char *p, size_t n);
/* The same without the lock: no reopening, no fallback, only counting. */
HP_HIDDEN void hp_sink_write_unlocked(const char *p, size_t n);
/* Reports (writes) and bytes that could not be written, and why (NULL: none lost). */
HP_HIDDEN unsigned long hp_sink_lost_writes(void);
HP_HIDDEN unsigned long hp_sink_lost_bytes(void);
HP_HIDDEN const char *hp_sink_lost_reason(void);
/* <mark_dir>/<what>.<pid>, with `text` as its contents (NULL: empty). */
HP_HIDDEN void hp_sink_mark(const char *what, const char *text);
HP_HIDDEN void hp_sink_atfork_child(void);

/* ---- report_stack.c ----------------------------------------------------------------------------- */
/* Run fn(arg) on the sentinel's own stack (mapped once per process, with a guard page), so that
 * symbolizing (libdw needs tens of KiB) works whatever stack the violation happened on: a 16 KiB
 * thread, a small sigaltstack, a coroutine. Under the report lock; on the caller's stack when the
 * stack cannot be mapped or on architectures without the switch. */
HP_HIDDEN void hp_on_report_stack(void (*fn)(void *), void *arg);

#endif
