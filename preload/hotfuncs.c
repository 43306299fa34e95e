/*
 * hot_functions=NAME,... and hot_functions_file=PATH: make functions hot sections without touching
 * their source. The code is built with -finstrument-functions, whose entry and exit hooks live in
 * libhotpath_api.so; here, once at start-up, the names are looked up in the symbol tables of every
 * loaded module (static functions too, through libdw) and the addresses put in the open-addressing
 * table those hooks probe.
 *
 * A name is a symbol (`parse_order`, `_ZN3fft6Engine7processEv`) or, for C++, the name as people
 * read it, with or without parameters and with fnmatch(3) globs for template instances
 * (`fft::Engine<*>::process`, `fft::run<double>(double*, unsigned long)`). Symbols of
 * instrumented modules are demangled (demangle.c's hp_demangle for the full name, libiberty's
 * callback demangler for the name without parameters; neither allocates), and a C++ function's
 * section is named by its demangled name.
 */
#include "sentinel.h"

#include "hotpath_private.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <link.h>
#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_NAMES 1024
#define DEMANGLED_MAX 1024
static const char *names[MAX_NAMES];
static unsigned char is_pattern[MAX_NAMES]; /* not a plain symbol: a C++ name or a glob */
static int found[MAX_NAMES];
static const char *unhooked_module[MAX_NAMES]; /* found only there (valid while libdw's state is) */
static unsigned char unhooked_in_executable[MAX_NAMES];
static int nnames, npatterns;
static char file_text[64 * 1024 + 1];

/* Characters of a symbol as the linker spells it; anything else makes the name a pattern. */
static int plain_symbol(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '.' || *s == '$'))
            return 0;
    return 1;
}

static int add_names(char *list, int sep)
{
    for (char *p = list; p && *p;) {
        char *end = strchr(p, sep);
        if (end) *end = 0;
        while (*p == ' ' || *p == '\t') p++;
        size_t n = strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r')) p[--n] = 0;
        if (*p && *p != '#') {
            if (nnames == MAX_NAMES) {
                hp_diag("error: hot_functions: more than 1024 names");
                return -1;
            }
            is_pattern[nnames] = !plain_symbol(p);
            npatterns += is_pattern[nnames];
            names[nnames++] = p;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* ---- demangling -------------------------------------------------------------------------------- */
struct text {
    char *p;
    size_t len, cap;
};

static void append(const char *s, size_t n, void *arg)
{
    struct text *t = arg;
    if (n > t->cap - 1 - t->len) n = t->cap - 1 - t->len;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = 0;
}

/* The demangled form of a C++ symbol without its parameter list ("fft::Engine<double>::process"),
 * into out (cap bytes); 0 if it is not one. The full form comes from hp_demangle (demangle.c). */
static int demangle_bare(const char *sym, char *out, size_t cap)
{
    if (sym[0] != '_' || sym[1] != 'Z') return 0;
    struct text t = {out, 0, cap};
    out[0] = 0;
    return cplus_demangle_v3_callback(sym, DMGL_ANSI, append, &t) && t.len > 0 && t.len < cap - 1;
}

/* ---- the table the hooks probe ------------------------------------------------------------------ */
static struct hotpath__hot_table table;

static void insert(const void *addr, const char *name)
{
    unsigned long i = ((unsigned long)(uintptr_t)addr * 0x9E3779B97F4A7C15ul) >> 40;
    for (;; i++) {
        struct hotpath__hot_fn *s = &table.slots[i & table.mask];
        if (s->addr == addr) return;
        if (!s->addr) {
            s->addr = addr;
            s->name = name;
            return;
        }
    }
}

/* Functions found, collected before the table is sized (libdw allocates anyway: we run under
 * hp_in_sentinel, at start-up). */
struct match {
    const void *addr;
    const char *name; /* names[k], or a demangled copy that lives for ever */
};
struct scan {
    struct match *m;
    unsigned long n, cap;
    int any_hooked;   /* a module of the program's (not the sentinel's) carries instrumented code */
    int failed;     /* out of memory */
};

static void add_match(struct scan *sc, const void *addr, const char *name)
{
    if (sc->n == sc->cap) {
        unsigned long cap = sc->cap ? 2 * sc->cap : 64;
        struct match *m = realloc(sc->m, cap * sizeof *m);
        if (!m) {
            sc->failed = 1;
            return;
        }
        sc->m = m;
        sc->cap = cap;
    }
    sc->m[sc->n].addr = addr;
    sc->m[sc->n].name = name;
    sc->n++;
}

/* Does name k select this symbol? `full` and `bare` are its demangled forms ("" if not C++). */
static int selects(int k, const char *sym, const char *full, const char *bare)
{
    if (!is_pattern[k]) return !strcmp(sym, names[k]) || (bare[0] && !strcmp(bare, names[k]));
    return (full[0] && (!strcmp(full, names[k]) || !fnmatch(names[k], full, 0))) ||
           (bare[0] && (!strcmp(bare, names[k]) || !fnmatch(names[k], bare, 0))) || !fnmatch(names[k], sym, 0);
}

static int scan_module(Dwfl_Module *m, void **user, const char *modname, Dwarf_Addr start, void *arg)
{
    (void)user;
    struct scan *sc = arg;
    Dwarf_Addr end = start;
    dwfl_module_info(m, NULL, NULL, &end, NULL, NULL, NULL, NULL);
    uintptr_t phdr = (uintptr_t)getauxval(AT_PHDR); /* the program headers of the executable */
    int is_executable = phdr >= start && phdr < end;
    /* System libraries are never instrumented: their symbol tables are not read. */
    if (!is_executable && hp_is_system_module(modname)) return DWARF_CB_OK;
    int n = dwfl_module_getsymtab(m);
    /* Code built with -finstrument-functions calls __cyg_profile_func_enter: the module either
     * defines it (the hooks linked in from libhotpath_instrument.a) or imports it. A named function
     * in a module with neither never reaches the hooks, so it would silently go unchecked
     * (glibc and libhotpath_api.so define it too, but their own code never calls it.) */
    int hooked = 0, system = hp_is_system_module(modname);
    for (int i = 1; i < n && !hooked; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        const char *name = dwfl_module_getsym_info(m, i, &sym, &addr, NULL, NULL, NULL);
        hooked = name && !strcmp(name, "__cyg_profile_func_enter") && (sym.st_shndx == SHN_UNDEF || !system);
    }
    if (hooked) sc->any_hooked = 1;
    char full[DEMANGLED_MAX], bare[DEMANGLED_MAX];
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        const char *name = dwfl_module_getsym_info(m, i, &sym, &addr, NULL, NULL, NULL);
        if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || !addr) continue;
        /* Demangled forms only in instrumented modules: the only ones whose functions can be
         * checked, and far fewer symbols than libstdc++'s. */
        full[0] = bare[0] = 0;
        if (hooked && name[0] == '_' && (name[1] == 'Z' || name[1] == 'R') &&
            hp_demangle(name, full, sizeof full) == full && !demangle_bare(name, bare, sizeof bare))
            strcpy(bare, full); /* Rust: the demangled path has no parameters */
        int first = -1; /* one section per function, whichever names select it */
        for (int k = 0; k < nnames; k++) {
            if (!selects(k, name, full, bare)) continue;
            if (!hooked) {
                if (!unhooked_module[k]) unhooked_module[k] = modname ? modname : "?";
                unhooked_in_executable[k] |= is_executable;
                continue;
            }
            found[k] = 1;
            if (first < 0) first = k;
        }
        if (first >= 0) {
            const char *section = full[0] ? strdup(full) : names[first];
            if (section)
                add_match(sc, (const void *)(uintptr_t)addr, section);
            else
                sc->failed = 1;
        }
    }
    return DWARF_CB_OK;
}

/* ---- which modules carry instrumented code, without libdw ------------------------------------------ */
/* A module built with -finstrument-functions imports __cyg_profile_func_enter (the hooks in
 * libhotpath_api.so) or, with the hooks linked in from libhotpath_instrument.a, the table they
 * read (imports.c finds either in microseconds, where libdw's reading of every module's symbol
 * table costs a python3 start 250 ms: the shell, ps and python3 that a test runner starts with the
 * same options need only this). */
HP_HIDDEN int hp_module_imports(const char *const *names);
static const char *const hook_symbols[] = {"__cyg_profile_func_enter", "hotpath__hot_table", NULL};

/* In a process without instrumented code, only the program itself matters (a function of its own
 * named, the flag forgotten): its symbol table is read from the file directly (raw system calls,
 * a read-only mapping), libdw is not loaded at all. */
static void scan_executable_file(void)
{
    int fd = hp_sys_open("/proc/self/exe", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return;
    struct stat st;
    long size = syscall(SYS_fstat, fd, &st) == 0 ? (long)st.st_size : 0;
    void *map = size > (long)sizeof(ElfW(Ehdr))
                    ? (void *)syscall(SYS_mmap, NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0)
                    : MAP_FAILED;
    hp_sys_close(fd);
    if (map == MAP_FAILED) return;
    const unsigned char *base = map;
    const ElfW(Ehdr) *eh = map;
    size_t end = (size_t)size;
    int sane = !memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
               eh->e_shentsize == sizeof(ElfW(Shdr)) && eh->e_shoff < end &&
               eh->e_shnum <= (end - eh->e_shoff) / sizeof(ElfW(Shdr));
    const ElfW(Shdr) *sh = sane ? (const ElfW(Shdr) *)(base + eh->e_shoff) : NULL;
    for (int i = 0; sane && i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
        const ElfW(Shdr) *str = &sh[sh[i].sh_link];
        if (sh[i].sh_offset > end || sh[i].sh_size > end - sh[i].sh_offset || str->sh_offset > end ||
            str->sh_size > end - str->sh_offset || str->sh_size == 0)
            continue;
        const ElfW(Sym) *sym = (const ElfW(Sym) *)(base + sh[i].sh_offset);
        const char *names_base = (const char *)base + str->sh_offset;
        size_t nsym = sh[i].sh_size / sizeof *sym;
        for (size_t j = 1; j < nsym; j++) {
            if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC || sym[j].st_shndx == SHN_UNDEF ||
                sym[j].st_name >= str->sh_size || !memchr(names_base + sym[j].st_name, 0, str->sh_size - sym[j].st_name))
                continue;
            const char *name = names_base + sym[j].st_name;
            for (int k = 0; k < nnames; k++)
                if (!unhooked_module[k] && selects(k, name, "", "")) {
                    unhooked_module[k] = program_invocation_name;
                    unhooked_in_executable[k] = 1;
                }
        }
    }
    syscall(SYS_munmap, map, (size_t)size);
}

/* ---- warnings ------------------------------------------------------------------------------------- */
/* A warning of the sentinel's own, with this process's pid and program, where the reports go. */
static void warn(const char *body)
{
    char mem[1024];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "hotpath: warning (pid ");
    hp_buf_u64(&b, (uint64_t)getpid());
    hp_buf_str(&b, ", ");
    hp_buf_name(&b, program_invocation_short_name, 64);
    hp_buf_str(&b, "): hot_functions: ");
    hp_buf_str(&b, body);
    b.p[b.len++] = '\n';
    void (*sink)(const char *, unsigned long) = __atomic_load_n(&hotpath__diagnostic_sink, __ATOMIC_ACQUIRE);
    if (sink)
        sink(mem, b.len);
    else
        hp_write_all(2, mem, b.len);
}

/* A named function that will not be checked: found in a module built without the hooks, or, with
 * module NULL, found nowhere. */
static void warn_unchecked(const char *fn, const char *module)
{
    char mem[512];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    if (module) {
        hp_buf_str(&b, "'");
        hp_buf_name(&b, fn, 200);
        hp_buf_str(&b, "' is in ");
        hp_buf_name(&b, module, 200);
        hp_buf_str(&b, ", which was not built with -finstrument-functions; it will not be checked");
    } else {
        hp_buf_str(&b, "no function named '");
        hp_buf_name(&b, fn, 200);
        hp_buf_str(&b, "' in the symbol table of any instrumented module; it will not be checked");
    }
    mem[b.len] = 0;
    warn(mem);
}

static int file_error(const char *why)
{
    char mem[HP_PATH_MAX + 128];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "error: hot_functions_file ");
    hp_buf_name(&b, hp_opt.hot_functions_file, HP_PATH_MAX);
    hp_buf_str(&b, ": ");
    hp_buf_str(&b, why);
    mem[b.len] = 0;
    hp_diag(mem);
    return -1;
}

HP_HIDDEN extern const Dwfl_Callbacks hp_dwfl_callbacks; /* symbolize.c: local files, close-on-exec */

int hp_hot_functions_init(void)
{
    if (hp_opt.hot_functions[0] && add_names(hp_opt.hot_functions, ',')) return -1;
    if (hp_opt.hot_functions_file[0]) {
        int fd = hp_sys_open(hp_opt.hot_functions_file, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) return file_error("cannot be opened");
        long n = 0, len = 0;
        while (len < (long)sizeof file_text - 1 &&
               (n = hp_sys_read(fd, file_text + len, sizeof file_text - 1 - (unsigned long)len)) > 0)
            len += n;
        int read_errno = n < 0 ? errno : 0; /* a directory opens, and its read fails with EISDIR */
        char extra;
        int too_big = !read_errno && len == (long)sizeof file_text - 1 && hp_sys_read(fd, &extra, 1) > 0;
        hp_sys_close(fd);
        if (read_errno) return file_error(read_errno == EISDIR ? "is a directory" : "cannot be read");
        if (too_big) return file_error("is larger than 64 KiB"); /* not cut: its last names would go unchecked */
        file_text[len] = 0;
        if (add_names(file_text, '\n')) return -1;
    }
    if (!nnames) return 0;

    if (!hp_module_imports(hook_symbols)) { /* nothing here can be checked: no libdw */
        scan_executable_file();
        for (int k = 0; k < nnames; k++)
            if (unhooked_module[k]) warn_unchecked(names[k], unhooked_module[k]);
        return 0;
    }
    hp_in_sentinel = 1; /* libdw allocates; we are at start-up, but a section may be open */
    Dwfl *d = dwfl_begin(&hp_dwfl_callbacks);
    int ok = d && dwfl_linux_proc_report(d, getpid()) == 0 && dwfl_report_end(d, NULL, NULL) == 0;
    struct scan sc = {0};
    if (ok) dwfl_getmodules(d, scan_module, &sc, 0);
    if (ok && sc.n && !sc.failed) {
        unsigned long slots = 16;
        while (slots < 2 * sc.n) slots *= 2;
        table.mask = slots - 1;
        table.slots = calloc(slots, sizeof *table.slots);
        if (table.slots) {
            for (unsigned long i = 0; i < sc.n; i++) insert(sc.m[i].addr, sc.m[i].name);
            hotpath__set_hot_functions(&table);
        }
    }
    int failed = sc.failed || (ok && sc.n && !table.slots);
    free(sc.m);
    /* Said only where it matters: to a process that carries instrumented code, and to a program
     * that holds the named function itself but was built without the hooks (the flag forgotten).
     * The shell, ps or python3 that a test runner also starts hear nothing, even when one of their
     * libraries happens to hold a function of that name. */
    for (int k = 0; k < nnames; k++)
        if (!found[k] && unhooked_module[k] && (sc.any_hooked || unhooked_in_executable[k]))
            warn_unchecked(names[k], unhooked_module[k]);
    if (d) dwfl_end(d);
    hp_in_sentinel = 0;
    if (!ok || failed) {
        warn(!ok ? "the loaded modules' symbol tables cannot be read; no function will be checked"
                 : "out of memory while reading the symbol tables; no function will be checked");
        return 0;
    }
    for (int k = 0; k < nnames; k++)
        if (!found[k] && !unhooked_module[k] && sc.any_hooked) warn_unchecked(names[k], NULL);
    return 0;
}
