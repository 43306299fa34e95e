/*
 * The JSON report: one object per line, for gates that read machine output (hotpath-check's JSON
 * reader, jq). Only formats a struct hp_report into a bounded buffer; a line that does not fit is
 * replaced by a minimal one that still parses. No I/O, no allocation.
 */
#include "report.h"

const char *hp_kind_json(enum hp_kind k) { return k == HP_KIND_ALLOC ? "allocation" : "blocking"; }

static void put_frame(struct hp_buf *b, const struct hp_report_frame *rf)
{
    const struct hp_frame *f = &rf->f;
    hp_buf_str(b, "{\"pc\":\"");
    hp_buf_hex(b, f->pc, 0);
    hp_buf_str(b, "\"");
    if (f->function) {
        hp_buf_str(b, ",\"function\":");
        hp_buf_json(b, f->function, 512);
        if (!rf->inlined) {
            hp_buf_str(b, ",\"offset\":");
            hp_buf_u64(b, f->offset);
        }
    }
    if (rf->inlined) hp_buf_str(b, ",\"inlined\":true");
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

static void put_time(struct hp_buf *b, const struct timespec *t)
{
    hp_buf_u64(b, (uint64_t)t->tv_sec);
    char frac[8];
    long us = t->tv_nsec / 1000;
    for (int i = 6; i >= 1; i--, us /= 10)
        frac[i] = (char)('0' + us % 10);
    frac[0] = '.';
    hp_buf_mem(b, frac, 7);
}

void hp_report_json(const struct hp_report *r, struct hp_buf *b)
{
    const struct hp_event *ev = r->ev;
    size_t start = b->len;
    hp_buf_str(b, "{\"kind\":\"");
    hp_buf_str(b, hp_kind_json(ev->kind));
    hp_buf_str(b, "\",\"pid\":");
    hp_buf_u64(b, (uint64_t)r->pid);
    hp_buf_str(b, ",\"tid\":");
    hp_buf_u64(b, (uint64_t)r->tid);
    hp_buf_str(b, ",\"thread\":");
    hp_buf_json(b, r->thread_name, 16);
    hp_buf_str(b, ",\"time\":");
    put_time(b, &r->when);
    hp_buf_str(b, ",\"category\":\"");
    hp_buf_str(b, hp_check_name(ev->category));
    hp_buf_str(b, "\",\"operation\":");
    hp_buf_json(b, ev->op, 128);
    if (ev->has_size) {
        hp_buf_str(b, ",\"size\":");
        if (ev->size == SIZE_MAX)
            hp_buf_str(b, "null");
        else
            hp_buf_u64(b, ev->size);
        if (ev->align) {
            hp_buf_str(b, ",\"alignment\":");
            hp_buf_u64(b, ev->align);
        }
    }
    hp_buf_str(b, ",\"section\":");
    hp_buf_json(b, r->section ? r->section : "(null)", 256);
    hp_buf_str(b, ",\"depth\":");
    hp_buf_u64(b, r->depth);
    hp_buf_str(b, ",\"sections\":[");
    for (int i = 0; i < r->nsections; i++) {
        if (i) hp_buf_str(b, ",");
        hp_buf_json(b, r->sections[i] ? r->sections[i] : "(null)", 128);
    }
    hp_buf_str(b, "],\"mode\":\"");
    hp_buf_str(b, hp_mode_name(hp_opt.mode));
    hp_buf_str(b, "\",\"frames\":[");
    for (int i = 0; hp_opt.backtrace && i < r->nframes; i++) {
        if (i) hp_buf_str(b, ",");
        put_frame(b, &r->frames[i]);
    }
    hp_buf_str(b, "]}\n");
    if (!b->truncated) return;
    /* A cut JSON line would not parse: a minimal one instead. */
    b->len = start;
    b->truncated = 0;
    hp_buf_str(b, "{\"kind\":\"");
    hp_buf_str(b, hp_kind_json(ev->kind));
    hp_buf_str(b, "\",\"pid\":");
    hp_buf_u64(b, (uint64_t)r->pid);
    hp_buf_str(b, ",\"operation\":");
    hp_buf_json(b, ev->op, 128);
    hp_buf_str(b, ",\"truncated\":true,\"frames\":[]}\n");
}
