/*
 * The text report: what people and CI logs read, and what hotpath-check parses (the headline, the
 * Operation/Section/Thread lines, one line per frame, inlined calls as "in FUNC (inlined)"). Only
 * formats a struct hp_report into a bounded buffer; no I/O, no allocation.
 */
#include "report.h"

#include <string.h>

const char *hp_headline(enum hp_kind k)
{
    return k == HP_KIND_ALLOC ? "ALLOCATION IN HOT PATH!\n" : "BLOCKING CALL IN HOT PATH!\n";
}

void hp_put_operation(struct hp_buf *b, const struct hp_event *ev)
{
    hp_buf_name(b, ev->op, 128); /* hotpath_allocation() and hotpath_blocking() take the user's names */
    if (!ev->has_size) return;
    hp_buf_str(b, " (");
    if (ev->size == SIZE_MAX) {
        hp_buf_str(b, "overflowing size");
    } else {
        hp_buf_u64(b, ev->size);
        hp_buf_str(b, ev->size == 1 ? " byte" : " bytes");
    }
    if (ev->align) {
        hp_buf_str(b, ", alignment ");
        hp_buf_u64(b, ev->align);
    }
    hp_buf_str(b, ")");
}

/* "operator<", "operator()", "operator<<=": the brackets belong to the name, not to a list. */
static size_t operator_len(const char *s)
{
    if (strncmp(s, "operator", 8)) return 0;
    size_t n = 8;
    if (s[n] == '(' && s[n + 1] == ')') return n + 2;
    while (s[n] && strchr("<>=!+-*/%&|^~[],", s[n]))
        n++;
    return n;
}

void hp_put_short_function(struct hp_buf *b, const char *name, size_t max)
{
    if (!name) {
        hp_buf_str(b, "??");
        return;
    }
    if (strnlen(name, max + 1) <= max) {
        hp_buf_name(b, name, max);
        return;
    }
    /* Elide what is inside <...> and (...), keeping the brackets: the names stay. */
    char mem[1024];
    size_t n = 0;
    int depth = 0;
    for (size_t i = 0; name[i] && n < sizeof mem - 8;) {
        size_t op = depth == 0 ? operator_len(name + i) : 0;
        if (op) {
            for (size_t k = 0; k < op && n < sizeof mem - 8; k++)
                mem[n++] = name[i + k];
            i += op;
            continue;
        }
        char c = name[i++];
        if (c == '<' || c == '(') {
            if (depth++ == 0) {
                mem[n++] = c;
                memcpy(mem + n, "...", 3);
                n += 3;
            }
        } else if (c == '>' || c == ')') {
            if (depth > 0 && --depth == 0) mem[n++] = c;
            if (depth < 0) depth = 0;
        } else if (depth == 0) {
            mem[n++] = c;
        }
    }
    mem[n] = 0;
    hp_buf_name(b, mem, max);
}

static void put_frame(struct hp_buf *b, int i, const struct hp_report_frame *rf)
{
    const struct hp_frame *f = &rf->f;
    hp_buf_str(b, "    #");
    hp_buf_u64(b, (uint64_t)i);
    hp_buf_str(b, " ");
    hp_buf_hex(b, f->pc, 16);
    hp_buf_str(b, " in ");
    if (rf->inlined) {
        /* An inlined call has no address of its own: its name, then the marker; the module is the
         * next (physical) frame's. */
        hp_buf_name(b, f->function ? f->function : "??", 256);
        hp_buf_str(b, " (inlined)");
    } else {
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
    }
    if (f->file) {
        hp_buf_str(b, " ");
        hp_buf_name(b, f->file, 512);
        hp_buf_str(b, ":");
        hp_buf_u64(b, (uint64_t)f->line);
    }
    hp_buf_str(b, "\n");
}

void hp_buf_finish(struct hp_buf *b, const char *cut_marker)
{
    if (!b->truncated) return;
    size_t m = strlen(cut_marker);
    if (b->len > b->cap - m) b->len = b->cap - m;
    memcpy(b->p + b->len, cut_marker, m);
    b->len += m;
}

static void put_sections(struct hp_buf *b, const struct hp_report *r)
{
    hp_buf_str(b, "Section: ");
    hp_buf_name(b, r->section, 256);
    hp_buf_str(b, "\n");
    if (r->depth <= 1) return;
    hp_buf_str(b, "Section stack: ");
    if (r->depth > (unsigned int)r->nsections) {
        hp_buf_str(b, "(");
        hp_buf_u64(b, r->depth - (unsigned int)r->nsections);
        hp_buf_str(b, " more) > ");
    }
    for (int i = 0; i < r->nsections; i++) {
        if (i) hp_buf_str(b, " > ");
        hp_buf_name(b, r->sections[i], 128);
    }
    hp_buf_str(b, "\n");
}

void hp_report_text(const struct hp_report *r, struct hp_buf *b)
{
    hp_buf_str(b, hp_headline(r->ev->kind));
    hp_buf_str(b, "Operation: ");
    hp_put_operation(b, r->ev);
    hp_buf_str(b, "\n");
    put_sections(b, r);
    hp_buf_str(b, "Thread: ");
    hp_buf_u64(b, (uint64_t)r->tid);
    if (r->thread_name[0]) {
        hp_buf_str(b, " \"");
        hp_buf_name(b, r->thread_name, 16);
        hp_buf_str(b, "\"");
    }
    hp_buf_str(b, " (pid ");
    hp_buf_u64(b, (uint64_t)r->pid);
    hp_buf_str(b, ")\n");
    if (hp_opt.backtrace) {
        hp_buf_str(b, "Backtrace:\n");
        if (r->npcs == 0) hp_buf_str(b, "    (no frames: the stack could not be unwound)\n");
        for (int i = 0; i < r->nframes; i++)
            put_frame(b, i, &r->frames[i]);
        if (r->frames_cut) hp_buf_str(b, "    (more inlined frames not shown)\n");
    }
    hp_buf_str(b, "Mode: ");
    if (hp_opt.mode == HP_MODE_ABORT)
        hp_buf_str(b, "abort (the process aborts now; mode=warn reports and continues)\n");
    else if (hp_opt.dedup && r->first_of_site)
        hp_buf_str(b,
                   "warn (repeats of this call stack are counted, not printed: see the summary at exit)\n");
    else
        hp_buf_str(b, "warn\n");
    hp_buf_finish(b, "\n(report cut: too long)\n");
}

void hp_report_text_short(const struct hp_event *ev, struct hp_buf *b)
{
    hp_buf_str(b, hp_headline(ev->kind));
    hp_buf_str(b, "Operation: ");
    hp_put_operation(b, ev);
    hp_buf_str(b, "\nSection: ");
    hp_buf_name(b, hotpath_section(), 128);
    hp_buf_str(b, "\n(backtrace skipped: the report lock was busy)\n");
    hp_buf_finish(b, "\n");
}
