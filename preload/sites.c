/*
 * The site table: every distinct call stack that violated (operation, section, every pc), with its
 * count, for warn mode's dedup (one full report per stack) and the exit summary; and the counts
 * per section. A hash index over site records that live in chunks: both grow through mmap (raw
 * system calls), never through malloc, so the table holds any number of stacks at O(1) per
 * violation. Under the report lock.
 */
#include "report.h"

#include <string.h>

#define CHUNK_SITES 1024
#define MAX_CHUNKS 1024 /* a million distinct stacks; beyond, violations are counted as dropped */
#define MAX_SECTIONS 128

struct hp_counts hp_counts;
static struct hp_site *chunks[MAX_CHUNKS]; /* kept across fork (the child reuses them) */
static uint32_t *slots;                    /* site index + 1, 0 = empty; load <= 1/2 */
static size_t nslots;                      /* a power of two */
static struct hp_section_count sections[MAX_SECTIONS];

static struct hp_site *site(int i) { return &chunks[i / CHUNK_SITES][i % CHUNK_SITES]; }
const struct hp_site *hp_site_at(int i) { return site(i); }
const struct hp_section_count *hp_section_at(int i) { return &sections[i]; }

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ULL; }

uint64_t hp_site_hash(const struct hp_event *ev, const char *section, const uintptr_t *pcs, int n)
{
    uint64_t h = mix(0xcbf29ce484222325ULL, (uintptr_t)ev->op);
    for (size_t i = 0; section && section[i] && i < HP_NAME_KEEP - 1; i++)
        h = mix(h, (unsigned char)section[i]);
    for (int i = 0; i < n; i++)
        h = mix(h, pcs[i]);
    return h;
}

static size_t slot_of(uint64_t h, size_t n) { return (size_t)(h ^ (h >> 31)) & (n - 1); }

static void insert(uint32_t *s, size_t n, uint64_t h, int i)
{
    size_t j = slot_of(h, n);
    while (s[j])
        j = (j + 1) & (n - 1);
    s[j] = (uint32_t)i + 1;
}

static int grow_index(void)
{
    size_t n = nslots ? nslots * 2 : 4096;
    uint32_t *s = hp_sys_map(n * sizeof *s);
    if (!s) return -1;
    for (int i = 0; i < hp_counts.nsites; i++)
        insert(s, n, site(i)->hash, i);
    if (slots) hp_sys_unmap(slots, nslots * sizeof *slots);
    slots = s;
    nslots = n;
    return 0;
}

static struct hp_site *find(uint64_t h)
{
    if (!slots) return NULL;
    for (size_t j = slot_of(h, nslots); slots[j]; j = (j + 1) & (nslots - 1))
        if (site((int)slots[j] - 1)->hash == h) return site((int)slots[j] - 1);
    return NULL;
}

static struct hp_site *add(uint64_t h)
{
    int i = hp_counts.nsites;
    if (i >= CHUNK_SITES * MAX_CHUNKS) return NULL;
    if ((size_t)(i + 1) * 2 > nslots && grow_index() != 0) return NULL;
    if (!chunks[i / CHUNK_SITES]) {
        chunks[i / CHUNK_SITES] = hp_sys_map(CHUNK_SITES * sizeof(struct hp_site));
        if (!chunks[i / CHUNK_SITES]) return NULL;
    }
    insert(slots, nslots, h, i);
    hp_counts.nsites++;
    return site(i);
}

static void copy_name(char *dst, const char *src)
{
    if (!src) src = "(null)";
    size_t n = strnlen(src, HP_NAME_KEEP - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

static void count_section(const char *section)
{
    const char *name = section ? section : "(null)";
    int s = 0;
    for (; s < hp_counts.nsections; s++)
        if (!strncmp(sections[s].name, name, HP_NAME_KEEP - 1)) break;
    if (s == hp_counts.nsections && s < MAX_SECTIONS) {
        copy_name(sections[s].name, name);
        sections[s].count = 0;
        hp_counts.nsections++;
    }
    if (s < hp_counts.nsections)
        sections[s].count++;
    else
        hp_counts.sections_dropped++;
}

long hp_sites_record(uint64_t hash, const struct hp_event *ev, const char *section, const uintptr_t *pcs,
                     int n)
{
    struct hp_site *st = find(hash);
    if (!st && (st = add(hash))) {
        st->hash = hash;
        st->count = 0;
        st->op = ev->op;
        st->kind = ev->kind;
        copy_name(st->section, section);
        st->npcs = n < HP_SITE_PCS ? n : HP_SITE_PCS;
        memcpy(st->pcs, pcs, (size_t)st->npcs * sizeof *pcs);
        st->suppressed = hp_opt.suppressions[0] && hp_suppressed(ev->op, section, pcs, n);
        hp_counts.live_sites += !st->suppressed;
    }
    int suppressed = st ? st->suppressed : hp_opt.suppressions[0] && hp_suppressed(ev->op, section, pcs, n);
    if (suppressed) {
        hp_counts.suppressed++;
        if (st) st->count++;
        return -1;
    }
    hp_counts.total++;
    count_section(section);
    if (!st) {
        hp_counts.sites_dropped++;
        return 0;
    }
    return (long)++st->count;
}

/* Toolchain and system source paths: the files of inlined library code (std::vector in
 * /usr/include/c++, Rust's alloc in /rustc/<hash>/library, the crates Rust's std vendors in
 * /rust/deps/<crate>-<version>/, before Rust 1.79 /cargo/registry/src/...). The same list as
 * hotpath-check's SYSTEM_PATH_PREFIXES (test/gate/unit compares them). */
static const char *const system_paths[] = {"/usr/include/", "/usr/lib/", "/rustc/", "/rust/deps/",
                                           "/cargo/registry/"};

static int has_prefix(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strncmp(s, list[i], strlen(list[i]))) return 1;
    return 0;
}

int hp_is_system_path(const char *file)
{
    return has_prefix(file, system_paths, sizeof system_paths / sizeof *system_paths);
}

/* Demangled names (prefixes) of the checking machinery's functions, never a site wherever they
 * were linked: the sanitizers' runtimes linked into a clang -fsanitize executable (the user's
 * module); the hotpath Rust crate (CheckedAlloc); Rust's allocator shims, plain or v0-mangled,
 * which debug info places on the user's #[global_allocator] line; the C API's entry points. The
 * same list as hotpath-check's SYSTEM_FUNCTION_PREFIXES (test/gate/unit compares them). */
static const char *const system_functions[] = {"__sanitizer::",   "__asan::",        "__tsan::",
                                               "__lsan::",        "__ubsan::",       "__hwasan::",
                                               "__interceptor_",  "___interceptor_", "__asan_",
                                               "__tsan_",         "__lsan_",         "__ubsan_",
                                               "__hwasan_",       "hotpath::",       "<hotpath::",
                                               "__rust_alloc",    "__rust_realloc",  "__rust_dealloc",
                                               "__rg_",           "__rustc::",       "hotpath_allocation",
                                               "hotpath_blocking"};

static int is_system_function(const char *function)
{
    return function &&
           has_prefix(function, system_functions, sizeof system_functions / sizeof *system_functions);
}

/* A frame kept past the symbolizer's next call. */
struct kept {
    struct hp_report_frame rf;
    char function[512], module[1024], file[1024];
    int set;
};

static const char *keep_str(char *dst, size_t cap, const char *s)
{
    if (!s) return NULL;
    size_t n = strnlen(s, cap - 1);
    memcpy(dst, s, n);
    dst[n] = 0;
    return dst;
}

static void keep(struct kept *k, const struct hp_report_frame *rf)
{
    k->rf = *rf;
    k->rf.f.function = keep_str(k->function, sizeof k->function, rf->f.function);
    k->rf.f.module = keep_str(k->module, sizeof k->module, rf->f.module);
    k->rf.f.file = keep_str(k->file, sizeof k->file, rf->f.file);
    if (k->rf.f.file) hp_normalize_path(k->file);
    k->set = 1;
}

int hp_site_frame(const struct hp_site *s, struct hp_report_frame *out)
{
    static struct kept outside, first, found; /* under the report lock */
    outside.set = first.set = found.set = 0;
    for (int i = 0; i < s->npcs && !found.set; i++) {
        struct hp_report_frame chain[HP_CHAIN_MAX];
        int c = hp_chain_of(s->pcs[i], chain);
        /* An inlined frame lives in the module of the physical frame it was inlined into. */
        const char *module = chain[c - 1].f.module;
        for (int k = 0; k < c && !found.set; k++) {
            const struct hp_frame *f = &chain[k].f;
            if (!f->module) chain[k].f.module = module;
            if (!first.set) keep(&first, &chain[k]);
            if (hp_is_system_module(module) || is_system_function(f->function)) continue;
            if (!outside.set) keep(&outside, &chain[k]);
            if (!f->file) continue;
            /* Judged on the normal form: clang records "/usr/bin/../lib/gcc/.../include/c++/..." */
            char path[1024];
            size_t n = strnlen(f->file, sizeof path - 1);
            memcpy(path, f->file, n);
            path[n] = 0;
            hp_normalize_path(path);
            if (!hp_is_system_path(path)) keep(&found, &chain[k]);
        }
    }
    const struct kept *k = found.set ? &found : outside.set ? &outside : first.set ? &first : NULL;
    if (!k) return 0;
    *out = k->rf;
    return 1;
}

void hp_sites_reset(void)
{
    if (slots) hp_sys_unmap(slots, nslots * sizeof *slots);
    slots = NULL;
    nslots = 0;
    memset(&hp_counts, 0, sizeof hp_counts);
}
