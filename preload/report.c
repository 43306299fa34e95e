/*
 * One report per violation: who (thread), where (sections), how (frames, each symbolized once with
 * its inline chain). The writers only format what is here. Strings are copied into the report's
 * own memory, so that the report never depends on how long the symbolizer keeps its own.
 * Under the report lock, on the report stack; nothing here allocates through the checked path.
 */
#include "report.h"

#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int hp_chain_of(uintptr_t pc, struct hp_report_frame *out)
{
    struct hp_frame chain[HP_CHAIN_MAX];
    int c = hp_symbolize_chain(pc, chain, HP_CHAIN_MAX);
    if (c < 1 || c > HP_CHAIN_MAX) {
        memset(&chain[0], 0, sizeof chain[0]);
        chain[0].pc = pc;
        c = 1;
    }
    for (int k = 0; k < c; k++) {
        out[k].f = chain[k];
        out[k].f.pc = pc;
        out[k].inlined = chain[k].inlined;
    }
    return c;
}

static const char *keep(struct hp_report *r, const char *s, const char *prev_copy)
{
    if (!s) return NULL;
    if (prev_copy && !strcmp(prev_copy, s)) return prev_copy; /* the same module as the frame before */
    size_t n = strnlen(s, 2048);
    if (r->strings_used + n + 1 > sizeof r->strings) return "(out of report memory)";
    char *d = r->strings + r->strings_used;
    memcpy(d, s, n);
    d[n] = 0;
    r->strings_used += n + 1;
    return d;
}

static void thread_of(struct hp_report *r)
{
    r->pid = getpid();
    r->tid = gettid();
    memset(r->thread_name, 0, sizeof r->thread_name);
    if (prctl(PR_GET_NAME, r->thread_name) != 0) r->thread_name[0] = 0;
    clock_gettime(CLOCK_REALTIME, &r->when);
}

/* The calling thread's section names, outermost first, the innermost HOTPATH_STACK_SLOTS. */
static void sections_of(struct hp_report *r)
{
    const struct hotpath_thread *t = &hotpath_thread_state;
    unsigned int d = t->depth;
    unsigned int first = d > HOTPATH_STACK_SLOTS ? d - HOTPATH_STACK_SLOTS : 0;
    r->nsections = 0;
    for (unsigned int i = first; i < d; i++)
        r->sections[r->nsections++] = t->stack[i % HOTPATH_STACK_SLOTS];
    r->depth = d;
    r->section = r->nsections ? r->sections[r->nsections - 1] : hotpath_section();
}

void hp_report_build(struct hp_report *r, const struct hp_event *ev, const uintptr_t *pcs, int npcs,
                     int first_of_site)
{
    r->ev = ev;
    r->first_of_site = first_of_site;
    r->strings_used = 0;
    thread_of(r);
    sections_of(r);
    r->npcs = npcs < hp_opt.max_frames ? npcs : hp_opt.max_frames;
    r->nframes = 0;
    r->frames_cut = 0;
    const char *mod_copy = NULL;
    for (int i = 0; i < r->npcs; i++) {
        struct hp_report_frame chain[HP_CHAIN_MAX];
        int c = hp_chain_of(pcs[i], chain);
        /* Room for the physical frame (the chain's last) first: inner inlined levels go when the
         * report's frame table is full. */
        int room = HP_REPORT_FRAMES - r->nframes;
        if (room <= 0) {
            r->frames_cut = 1;
            break;
        }
        int skip = c > room ? c - room : 0;
        if (skip) r->frames_cut = 1;
        for (int k = skip; k < c; k++) {
            struct hp_report_frame *out = &r->frames[r->nframes++];
            *out = chain[k];
            /* A symbolizer's strings may live only until its next call: copied now. */
            out->f.function = keep(r, chain[k].f.function, NULL);
            out->f.file = keep(r, chain[k].f.file, NULL);
            if (out->f.file) hp_normalize_path((char *)out->f.file); /* our own copy */
            out->f.module = keep(r, chain[k].f.module, mod_copy);
            if (out->f.module) mod_copy = out->f.module;
        }
    }
}
