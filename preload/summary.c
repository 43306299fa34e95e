/*
 * The exit summary: the "checked" line (what this process checked, even when clean), then in warn
 * and count modes the violations per section and per call site, and what could not be written;
 * the same as one JSON line. Written from the destructor, under the report lock, on the report
 * stack (a thread with a small stack may be the one that exits).
 */
#include "report.h"

#include "hotpath_private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Sites listed by name; beyond, a line with the count of the rest. Text lines are about 200
 * bytes, so 10,000 sites are about 2 MB of summary, once, at exit. */
#define SITES_SHOWN 10000
#define JSON_SITES_SHOWN 100000
#define FUNCTION_SHOWN 120 /* C++ names beyond: template arguments and parameters elided */

static char line_mem[2048];
static char json_mem[32768];

static void summary_line(struct hp_buf *b)
{
    if (b->truncated) b->len = b->cap - 1;
    b->p[b->len++] = '\n';
    hp_sink_write(HP_SINK_LOG, b->p, b->len);
}

static void begin(struct hp_buf *b, const char *text)
{
    hp_buf_init(b, line_mem, sizeof line_mem - 1);
    hp_buf_str(b, text);
}

/* "hotpath: checked: E sections entered, N violations (pid P, PROGRAM, mode=M)". */
static void checked_line(uint64_t entered)
{
    struct hp_buf b;
    begin(&b, "hotpath: checked: ");
    hp_buf_u64(&b, entered);
    hp_buf_str(&b, entered == 1 ? " section entered, " : " sections entered, ");
    hp_buf_u64(&b, hp_counts.total);
    hp_buf_str(&b, hp_counts.total == 1 ? " violation (pid " : " violations (pid ");
    hp_buf_u64(&b, (uint64_t)getpid());
    hp_buf_str(&b, ", ");
    hp_buf_name(&b, program_invocation_short_name, 200);
    hp_buf_str(&b, ", mode=");
    hp_buf_str(&b, hp_mode_name(hp_opt.mode));
    hp_buf_str(&b, ")");
    summary_line(&b);
}

/* ---- section_names=1: the sections entered, per name -------------------------------------------- */
/* The API library's table is keyed by pointer: the same name at two addresses (two modules'
 * literals) is two entries, merged here by its text; listed in byte order of the names. */
static int name_order[HOTPATH__SECTION_NAMES];
static unsigned long long name_sum[HOTPATH__SECTION_NAMES];
static int nnames;

static int same_name(const struct hotpath__section_count *a, const struct hotpath__section_count *b)
{
    return strcmp(a->name, b->name) == 0;
}

static void gather_names(void)
{
    const struct hotpath__section_count *t = hotpath__section_names_table;
    nnames = 0;
    for (int i = 0; i < HOTPATH__SECTION_NAMES; i++) {
        unsigned long long c = __atomic_load_n(&t[i].count, __ATOMIC_RELAXED);
        if (c == 0 || !__atomic_load_n(&t[i].ready, __ATOMIC_ACQUIRE)) continue;
        int k = 0;
        while (k < nnames && !same_name(&t[name_order[k]], &t[i])) k++;
        if (k < nnames) {
            name_sum[k] += c;
            continue;
        }
        /* Insertion in byte order: at most 512 names, once, at exit. */
        int at = nnames++;
        while (at > 0 && strcmp(t[name_order[at - 1]].name, t[i].name) > 0) {
            name_order[at] = name_order[at - 1];
            name_sum[at] = name_sum[at - 1];
            at--;
        }
        name_order[at] = i;
        name_sum[at] = c;
    }
}

/* A name is its first 95 bytes (the table's copy), in text and JSON alike. */
static void put_name(struct hp_buf *b, const struct hotpath__section_count *e, int json)
{
    if (json)
        hp_buf_json(b, e->name, sizeof e->name);
    else
        hp_buf_name(b, e->name, sizeof e->name);
}

/* "hotpath:   entered NAME: N", one line per name, after the checked line. */
static void entered_lines(void)
{
    struct hp_buf b;
    for (int k = 0; k < nnames; k++) {
        begin(&b, "hotpath:   entered ");
        put_name(&b, &hotpath__section_names_table[name_order[k]], 0);
        hp_buf_str(&b, ": ");
        hp_buf_u64(&b, name_sum[k]);
        summary_line(&b);
    }
    unsigned long long over = __atomic_load_n(&hotpath__section_names_overflow, __ATOMIC_RELAXED);
    if (over) {
        begin(&b, "hotpath:   (sections entered whose names did not fit the table: ");
        hp_buf_u64(&b, over);
        hp_buf_str(&b, ")");
        summary_line(&b);
    }
}

static void flush_piece(struct hp_buf *j);

/* ,"sections_entered_by_name":{"NAME":N,...} (and "sections_not_named":N). */
static void json_names(struct hp_buf *j)
{
    hp_buf_str(j, ",\"sections_entered_by_name\":{");
    for (int k = 0; k < nnames; k++) {
        if (j->len > j->cap - 1024) flush_piece(j); /* a name takes at most about 600 bytes */
        if (k) hp_buf_str(j, ",");
        put_name(j, &hotpath__section_names_table[name_order[k]], 1);
        hp_buf_str(j, ":");
        hp_buf_u64(j, name_sum[k]);
    }
    hp_buf_str(j, "}");
    unsigned long long over = __atomic_load_n(&hotpath__section_names_overflow, __ATOMIC_RELAXED);
    if (over) {
        hp_buf_str(j, ",\"sections_not_named\":");
        hp_buf_u64(j, over);
    }
}

static void put_site_location(struct hp_buf *b, const struct hp_site *s)
{
    struct hp_report_frame rf;
    if (!hp_site_frame(s, &rf)) return;
    const struct hp_frame *f = &rf.f;
    hp_buf_str(b, " in ");
    hp_put_short_function(b, f->function, FUNCTION_SHOWN);
    hp_buf_str(b, " (");
    if (f->file) {
        hp_buf_name(b, f->file, 400);
        hp_buf_str(b, ":");
        hp_buf_u64(b, (uint64_t)f->line);
    } else if (f->module) {
        hp_buf_name(b, f->module, 400);
        hp_buf_str(b, "+");
        hp_buf_hex(b, f->module_offset, 0);
    } else {
        hp_buf_hex(b, f->pc, 0);
    }
    hp_buf_str(b, ")");
}

static void text_block(void)
{
    struct hp_buf b;
    const struct hp_counts *c = &hp_counts;
    begin(&b, "hotpath: summary: ");
    hp_buf_u64(&b, c->total);
    hp_buf_str(&b, c->total == 1 ? " violation in " : " violations in ");
    hp_buf_u64(&b, (uint64_t)c->nsections);
    hp_buf_str(&b, c->nsections == 1 ? " section at " : " sections at ");
    hp_buf_u64(&b, (uint64_t)c->live_sites);
    hp_buf_str(&b, c->live_sites == 1 ? " call site (mode=" : " call sites (mode=");
    hp_buf_str(&b, hp_mode_name(hp_opt.mode));
    hp_buf_str(&b, ", pid ");
    hp_buf_u64(&b, (uint64_t)getpid());
    hp_buf_str(&b, ")");
    summary_line(&b);
    for (int i = 0; i < c->nsections; i++) {
        begin(&b, "hotpath:   section ");
        hp_buf_name(&b, hp_section_at(i)->name, HP_NAME_KEEP);
        hp_buf_str(&b, ": ");
        hp_buf_u64(&b, hp_section_at(i)->count);
        summary_line(&b);
    }
    if (c->sections_dropped) {
        begin(&b, "hotpath:   (other sections): ");
        hp_buf_u64(&b, c->sections_dropped);
        summary_line(&b);
    }
    if (c->suppressed) {
        begin(&b, "hotpath:   suppressed: ");
        hp_buf_u64(&b, c->suppressed);
        hp_buf_str(&b, " (rules from ");
        hp_buf_name(&b, hp_opt.suppressions, 400);
        hp_buf_str(&b, ")");
        summary_line(&b);
    }
    int shown = 0;
    unsigned long unlisted = c->sites_dropped;
    for (int i = 0; i < c->nsites; i++) {
        const struct hp_site *s = hp_site_at(i);
        if (s->suppressed) continue;
        if (shown == SITES_SHOWN) {
            unlisted += s->count;
            continue;
        }
        shown++;
        begin(&b, "hotpath:   site ");
        hp_buf_u64(&b, (uint64_t)i + 1);
        hp_buf_str(&b, ": ");
        hp_buf_u64(&b, s->count);
        hp_buf_str(&b, " x ");
        hp_buf_name(&b, s->op, 128);
        /* The kind in words: an operation's name alone does not tell it (hotpath_allocation and
         * hotpath_blocking take any name), and count mode prints no report to learn it from. */
        hp_buf_str(&b, s->kind == HP_KIND_ALLOC ? " (allocation)" : " (blocking call)");
        put_site_location(&b, s);
        hp_buf_str(&b, " [");
        hp_buf_name(&b, s->section, HP_NAME_KEEP);
        hp_buf_str(&b, "]");
        summary_line(&b);
    }
    if (unlisted) {
        begin(&b, "hotpath:   (more call sites not listed; ");
        hp_buf_u64(&b, unlisted);
        hp_buf_str(&b, " violations at them)");
        summary_line(&b);
    }
}

static void lost_line(void)
{
    struct hp_buf b;
    begin(&b, "hotpath:   lost: ");
    hp_buf_u64(&b, hp_sink_lost_writes());
    hp_buf_str(&b, " reports or lines (");
    hp_buf_u64(&b, hp_sink_lost_bytes());
    hp_buf_str(&b, " bytes) could not be written: ");
    hp_buf_str(&b, hp_sink_lost_reason());
    summary_line(&b);
}

/* The JSON line, written in pieces when the sites do not fit one buffer (one line still: the
 * pieces go out back to back under the report lock). */
static void flush_piece(struct hp_buf *j)
{
    hp_sink_write(HP_SINK_JSON, j->p, j->len);
    hp_buf_init(j, json_mem, sizeof json_mem);
}

static void json_summary(uint64_t entered)
{
    struct hp_buf j;
    const struct hp_counts *c = &hp_counts;
    hp_buf_init(&j, json_mem, sizeof json_mem);
    hp_buf_str(&j, "{\"kind\":\"summary\",\"pid\":");
    hp_buf_u64(&j, (uint64_t)getpid());
    hp_buf_str(&j, ",\"mode\":\"");
    hp_buf_str(&j, hp_mode_name(hp_opt.mode));
    hp_buf_str(&j, "\",\"violations\":");
    hp_buf_u64(&j, c->total);
    hp_buf_str(&j, ",\"suppressed\":");
    hp_buf_u64(&j, c->suppressed);
    hp_buf_str(&j, ",\"sections_entered\":");
    hp_buf_u64(&j, entered);
    hp_buf_str(&j, ",\"program\":");
    hp_buf_json(&j, program_invocation_short_name, 200);
    if (hp_opt.section_names) json_names(&j);
    if (hp_sink_lost_writes()) {
        hp_buf_str(&j, ",\"lost_writes\":");
        hp_buf_u64(&j, hp_sink_lost_writes());
        hp_buf_str(&j, ",\"lost_bytes\":");
        hp_buf_u64(&j, hp_sink_lost_bytes());
        hp_buf_str(&j, ",\"lost_reason\":");
        hp_buf_json(&j, hp_sink_lost_reason(), 256);
    }
    hp_buf_str(&j, ",\"sites\":[");
    int first = 1, shown = 0, cut = 0;
    for (int i = 0; i < c->nsites; i++) {
        const struct hp_site *s = hp_site_at(i);
        if (s->suppressed) continue;
        if (shown++ == JSON_SITES_SHOWN) {
            cut = 1;
            break;
        }
        if (j.len > j.cap - 4096) flush_piece(&j); /* a site takes at most about 3 KB */
        struct hp_report_frame rf;
        int named = hp_site_frame(s, &rf);
        hp_buf_str(&j, first ? "{\"count\":" : ",{\"count\":");
        first = 0;
        hp_buf_u64(&j, s->count);
        hp_buf_str(&j, ",\"kind\":\"");
        hp_buf_str(&j, hp_kind_json(s->kind));
        hp_buf_str(&j, "\",\"operation\":");
        hp_buf_json(&j, s->op, 128);
        hp_buf_str(&j, ",\"section\":");
        hp_buf_json(&j, s->section, HP_NAME_KEEP);
        if (named) {
            const struct hp_frame *f = &rf.f;
            hp_buf_str(&j, ",\"function\":");
            hp_buf_json(&j, f->function ? f->function : "??", 512);
            if (rf.inlined) hp_buf_str(&j, ",\"inlined\":true");
            if (f->file) {
                hp_buf_str(&j, ",\"file\":");
                hp_buf_json(&j, f->file, 1024);
                hp_buf_str(&j, ",\"line\":");
                hp_buf_u64(&j, (uint64_t)f->line);
            } else if (f->module) {
                hp_buf_str(&j, ",\"module\":");
                hp_buf_json(&j, f->module, 1024);
                hp_buf_str(&j, ",\"module_offset\":");
                hp_buf_u64(&j, f->module_offset);
            }
        }
        hp_buf_str(&j, "}");
    }
    hp_buf_str(&j, cut ? "],\"sites_truncated\":true}\n" : "]}\n");
    flush_piece(&j);
}

static void summary_on_report_stack(void *arg)
{
    (void)arg;
    uint64_t entered = hp_sections_entered();
    const struct hp_counts *c = &hp_counts;
    int any = c->total || c->suppressed;
    if (!(entered || any || hp_opt.summary || hp_sink_lost_writes())) return;
    checked_line(entered);
    if (hp_opt.section_names) {
        gather_names();
        entered_lines();
    }
    if (any) text_block();
    if (hp_sink_lost_writes()) lost_line();
    if (hp_sink_json_enabled()) json_summary(entered);
}

void hp_summary_at_exit(void)
{
    int saved_errno = errno;
    hp_in_sentinel = 1;
    if (hp_report_lock()) {
        hp_on_report_stack(summary_on_report_stack, NULL);
        hp_report_unlock();
    }
    hp_in_sentinel = 0;
    errno = saved_errno;
}
