/*
 * hot_functions=NAME,... and hot_functions_file=PATH: make functions hot sections without touching
 * their source. The code is built with -finstrument-functions, whose entry and exit hooks live in
 * libhotpath_api.so; here, once at start-up, the names are looked up in the symbol tables of every
 * loaded module (static functions too, through libdw) and the addresses put in the open-addressing
 * table those hooks probe.
 */
#include "sentinel.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_NAMES 1024
static const char *names[MAX_NAMES];
static int found[MAX_NAMES];
static char warned_uninstrumented[MAX_NAMES];
static int nnames;
static char file_text[64 * 1024 + 1];

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
            names[nnames++] = p;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

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

struct scan {
    unsigned long count; /* addresses found */
    int fill;            /* 0 = count only, 1 = insert */
};

/* A named function that will not be checked: found in a module built without the hooks (said
 * while libdw still holds the module's name), or, with module NULL, found nowhere. */
static void warn_unchecked(const char *fn, const char *module)
{
    char mem[512];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    if (module) {
        hp_buf_str(&b, "warning: hot_functions: '");
        hp_buf_name(&b, fn, 200);
        hp_buf_str(&b, "' is in ");
        hp_buf_name(&b, module, 200);
        hp_buf_str(&b, ", which was not built with -finstrument-functions; it will not be checked");
    } else {
        hp_buf_str(&b, "warning: hot_functions: no function named '");
        hp_buf_name(&b, fn, 200);
        hp_buf_str(&b, "' in the symbol table of any loaded module; it will not be checked");
    }
    mem[b.len] = 0;
    hp_diag(mem);
}

static int scan_module(Dwfl_Module *m, void **user, const char *modname, Dwarf_Addr start, void *arg)
{
    (void)user, (void)start;
    struct scan *sc = arg;
    int n = dwfl_module_getsymtab(m);
    /* Code built with -finstrument-functions calls __cyg_profile_func_enter: the module either
     * defines it (the hooks linked in from libhotpath_instrument.a) or imports it. A named function
     * in a module with neither never reaches the hooks, so it would silently go unchecked. */
    int hooked = 0;
    for (int i = 1; i < n && !hooked; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        const char *name = dwfl_module_getsym_info(m, i, &sym, &addr, NULL, NULL, NULL);
        hooked = name && !strcmp(name, "__cyg_profile_func_enter");
    }
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        const char *name = dwfl_module_getsym_info(m, i, &sym, &addr, NULL, NULL, NULL);
        if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || !addr) continue;
        for (int k = 0; k < nnames; k++) {
            if (strcmp(name, names[k])) continue;
            found[k] = 1;
            if (!hooked && !sc->fill && !warned_uninstrumented[k]) {
                warned_uninstrumented[k] = 1;
                warn_unchecked(names[k], modname ? modname : "?");
            }
            sc->count++;
            if (sc->fill) insert((const void *)(uintptr_t)addr, names[k]);
        }
    }
    return DWARF_CB_OK;
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
        hp_sys_close(fd);
        if (read_errno) return file_error(read_errno == EISDIR ? "is a directory" : "cannot be read");
        file_text[len] = 0;
        if (add_names(file_text, '\n')) return -1;
    }
    if (!nnames) return 0;

    hp_in_sentinel = 1; /* libdw allocates; we are at start-up, but a section may be open */
    Dwfl *d = dwfl_begin(&hp_dwfl_callbacks);
    int ok = d && dwfl_linux_proc_report(d, getpid()) == 0 && dwfl_report_end(d, NULL, NULL) == 0;
    struct scan sc = {0, 0};
    if (ok) dwfl_getmodules(d, scan_module, &sc, 0);
    if (ok && sc.count) {
        unsigned long slots = 16;
        while (slots < 2 * sc.count) slots *= 2;
        table.mask = slots - 1;
        table.slots = calloc(slots, sizeof *table.slots);
        if (table.slots) {
            sc.fill = 1;
            dwfl_getmodules(d, scan_module, &sc, 0);
            hotpath__set_hot_functions(&table);
        }
    }
    if (d) dwfl_end(d);
    hp_in_sentinel = 0;
    for (int k = 0; k < nnames; k++)
        if (!found[k]) warn_unchecked(names[k], NULL);
    return 0;
}
