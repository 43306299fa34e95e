/*
 * What happens when a hot thread calls a checked function: take the report lock, then on the
 * report stack capture the stack, record the site (dedup, suppressions), build one report and hand
 * it to the text and JSON writers and the sink; abort in abort mode.
 * Also the report lock itself, fork handling and set-up. See report.h for the parts.
 *
 * Reports are formatted whole and written with one write(2) under a process-wide lock, so reports
 * from concurrent threads never interleave. The lock is bounded: a thread that cannot get it
 * within about two seconds writes a short report without it rather than hang. Nothing here
 * allocates through the checked path: the calling thread's hp_in_sentinel guard is set for the
 * whole time, so libunwind's and libdw's own allocations pass through unchecked.
 */
#include "report.h"

#include "hotpath_private.h"
#include "hp_cpu.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

__thread int hp_in_sentinel __attribute__((tls_model("initial-exec")));

/* ---- the report lock ---------------------------------------------------------------------------- */
static int report_lock;

int hp_report_lock(void)
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

void hp_report_unlock(void) { __atomic_store_n(&report_lock, 0, __ATOMIC_RELEASE); }

/* ---- the marks ---------------------------------------------------------------------------------- */
static int marked; /* this process has made its mark_dir violation file */

static void make_violation_mark(void)
{
    if (!hp_opt.mark_dir[0] || __atomic_exchange_n(&marked, 1, __ATOMIC_ACQ_REL)) return;
    hp_sink_mark("violation", NULL);
}

uint64_t hp_sections_entered(void) { return hotpath__sections_entered(); }

/* ---- the violation ------------------------------------------------------------------------------ */
/* The report being built: one at a time, under the lock (too big for a small caller's stack). */
static struct hp_report report;
static uintptr_t pcs[HP_MAX_FRAMES];
static char text_mem[32768];
static char json_mem[32768];

struct job {
    const struct hp_event *ev;
    const char *section;
    long count; /* out: hp_sites_record's answer */
};

/* Everything from the backtrace on runs here, on the report stack: libunwind (loaded at the first
 * report), libdw and the writers need more stack than a signal handler on an 8 KiB sigaltstack or
 * a small coroutine has. The unwinder walks back through the stack switch (it has call-frame
 * information) and cuts the sentinel's frames off, as before. */
static void report_on_report_stack(void *arg)
{
    struct job *j = arg;
    int npcs = hp_opt.backtrace ? hp_unwind(pcs, HP_MAX_FRAMES) : 0;
    uint64_t hash = hp_site_hash(j->ev, j->section, pcs, npcs);
    j->count = hp_sites_record(hash, j->ev, j->section, pcs, npcs);
    if (j->count < 0) return; /* suppressed */
    make_violation_mark();
    int print =
        hp_opt.mode == HP_MODE_ABORT || (hp_opt.mode == HP_MODE_WARN && (!hp_opt.dedup || j->count <= 1));
    if (!print) return;
    hp_report_build(&report, j->ev, pcs, npcs, j->count == 1);
    struct hp_buf b;
    hp_buf_init(&b, text_mem, sizeof text_mem);
    hp_report_text(&report, &b);
    hp_sink_write(HP_SINK_LOG, b.p, b.len);
    if (hp_sink_json_enabled()) {
        hp_buf_init(&b, json_mem, sizeof json_mem);
        hp_report_json(&report, &b);
        hp_sink_write(HP_SINK_JSON, b.p, b.len);
    }
}

void hp_violation(const struct hp_event *ev)
{
    int saved_errno = errno;
    hp_in_sentinel = 1;
    /* A cancel pending for this thread (or asynchronous cancellation) must not act inside the
     * report: libdw's open() and read() are cancellation points, and a thread cancelled there
     * would drop its report and leave the report lock held. It acts at the next cancellation point
     * after (the checked call itself, if it is one). No allocation, no system call. */
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);

    struct job j = {.ev = ev, .section = hotpath_section()};

    if (hp_report_lock()) {
        hp_on_report_stack(report_on_report_stack, &j);
        hp_report_unlock();
    } else {
        /* Without the lock the site table cannot be consulted; the rules that need no symbolizing
         * still apply (function rules would need libdw, which is used under the lock only). */
        j.count = hp_opt.suppressions[0] && hp_suppressed(ev->op, j.section, NULL, 0) ? -1 : 0;
        if (j.count == 0) {
            make_violation_mark();
            if (hp_opt.mode != HP_MODE_COUNT) {
                char mem[512];
                struct hp_buf b;
                hp_buf_init(&b, mem, sizeof mem);
                hp_report_text_short(ev, &b);
                hp_sink_write_unlocked(b.p, b.len);
            }
        }
    }
    if (j.count < 0) { /* suppressed */
        pthread_setcancelstate(cancel_state, NULL);
        hp_in_sentinel = 0;
        errno = saved_errno;
        return;
    }
    __atomic_add_fetch(&hotpath__violation_count, 1, __ATOMIC_RELAXED);

    if (hp_opt.mode == HP_MODE_ABORT) abort(); /* hp_in_sentinel stays set: a handler may allocate */
    pthread_setcancelstate(cancel_state, NULL);
    hp_in_sentinel = 0;
    errno = saved_errno;
}

/* ---- set-up and fork ---------------------------------------------------------------------------- */
void hp_violation_init(void)
{
    hp_sink_init();
    /* "This process ran with the sentinel checking": a gate tells a clean run from an unchecked one. */
    hp_sink_mark("checked", NULL);
}

/* Before fork: no report may be half written (and libunwind's and libdw's locks held) when the
 * process is copied, so the forking thread takes the report lock for the fork's duration. Bounded
 * like every wait for it. */
static int fork_locked;
void hp_violation_atfork_prepare(void)
{
    if (hp_in_sentinel) return; /* fork from inside our own report path: nothing to wait for */
    fork_locked = hp_report_lock();
}

void hp_violation_atfork_parent(void)
{
    if (fork_locked) hp_report_unlock();
    fork_locked = 0;
}

/* In a forked child: the only thread is the one that forked, so no one else holds the lock; the
 * child starts its own counts (the parent reports its own), its own marks and log file. */
void hp_violation_atfork_child(void)
{
    fork_locked = 0;
    report_lock = 0;
    marked = 0;
    hp_sites_reset();
    hp_sink_atfork_child();
    hp_symbolize_forget();
    hp_sink_mark("checked", NULL);
}
