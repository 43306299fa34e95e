/*
 * Return address -> its inline chain: the functions inlined at that address, innermost first, each
 * at its own source line, then the physical function at the line of the outermost inlined call,
 * as `addr2line -i` prints them; names demangled (C++, Rust legacy and v0).
 *
 * Through elfutils' libdw (Dwfl), the DWARF reader of eu-addr2line, loaded on first use
 * (libdw_shim.c). One Dwfl session describes this process's modules; it is made at the first
 * report and rebuilt when an address falls outside every known module (a library dlopened since)
 * or when a library was unloaded (cached chains made before are then checked again when hit: the
 * addresses may now be another library's).
 * Every chain is computed once per pc and kept in symcache.c. All calls happen under the report
 * lock, with the calling thread's hp_in_sentinel guard set, because libdw allocates.
 */
#include "symbolize_impl.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <link.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_MAX_LEN 1024
static Dwfl *dwfl;
/* Working memory of one chain: a demangled name and a joined path per frame. Static (the caller
 * holds the report lock), so that small stacks do not pay for them. */
static char name_mem[HP_INLINE_MAX + 1][NAME_MAX_LEN];
static char path_mem[HP_INLINE_MAX + 2][HP_PATH_MAX];
static char symbol_mem[NAME_MAX_LEN]; /* a symbol name without its @version */

/* Separate debug files are looked up locally (build-id under /usr/lib/debug and the like); never
 * through debuginfod, which would put network traffic inside a report. */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                          const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                          char **debuginfo_file_name)
{
    const char *urls = getenv("DEBUGINFOD_URLS");
    if (urls && *urls) return -1;
    return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
                                        debuglink_crc, debuginfo_file_name);
}

/* libdw keeps the files it opens; mark them close-on-exec so that a program the process execs later
 * does not inherit the sentinel's descriptors. */
static void cloexec(int fd)
{
    if (fd >= 0) fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

static int find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
                    Elf **elfp)
{
    int fd = dwfl_linux_proc_find_elf(mod, userdata, modname, base, file_name, elfp);
    cloexec(fd);
    return fd;
}

static int find_debuginfo_cloexec(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                                  const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                                  char **debuginfo_file_name)
{
    int fd = find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file, debuglink_crc,
                            debuginfo_file_name);
    cloexec(fd);
    return fd;
}

HP_HIDDEN extern const Dwfl_Callbacks hp_dwfl_callbacks;
const Dwfl_Callbacks hp_dwfl_callbacks = {
    .find_elf = find_elf,
    .find_debuginfo = find_debuginfo_cloexec,
};

static Dwfl *session(int rebuild)
{
    if (dwfl && !rebuild) return dwfl;
    hp_dwarf_forget(); /* its entries point into the session's data */
    if (dwfl) dwfl_end(dwfl);
    dwfl = dwfl_begin(&hp_dwfl_callbacks);
    if (!dwfl) return NULL;
    dwfl_report_begin(dwfl);
    if (dwfl_linux_proc_report(dwfl, getpid()) != 0 || dwfl_report_end(dwfl, NULL, NULL) != 0) {
        dwfl_end(dwfl);
        dwfl = NULL;
    }
    return dwfl;
}

void hp_symbolize_forget(void)
{
    dwfl = NULL; /* the parent's state, half-used perhaps: leaked; the cache stays valid */
    hp_dwarf_forget();
    hp_lazy_forget(&hp_libdw);
    hp_unwind_forget();
}

/* ---- modules unloaded since the last lookup ---------------------------------------------------- */
static unsigned long long subs_seen;

static int read_subs(struct dl_phdr_info *info, size_t size, void *data)
{
    if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
        *(unsigned long long *)data = info->dlpi_subs;
    return 1;
}

/* A dlclose since the last call: cached addresses may now belong to another library, and libdw's
 * view of the modules is out of date. */
static int session_stale;
static void check_unloads(void)
{
    unsigned long long subs = subs_seen;
    dl_iterate_phdr(read_subs, &subs);
    if (subs == subs_seen) return;
    subs_seen = subs;
    session_stale = 1;
}

/* ---- one chain, from libdw ----------------------------------------------------------------------- */
/* file, made absolute with the compilation directory when it is relative and that is absolute
 * (some distributions record "." or "./csu", which helps no one; Rust's call sites are relative). */
static const char *full_path(const char *file, Dwarf_Die *cu, char *mem)
{
    if (!file || file[0] == '/') return file;
    Dwarf_Attribute at;
    const char *dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at));
    if (!dir || dir[0] != '/' || strlen(dir) + strlen(file) + 2 > HP_PATH_MAX) return file;
    struct hp_buf b;
    hp_buf_init(&b, mem, HP_PATH_MAX - 1);
    hp_buf_str(&b, dir);
    if (b.len && mem[b.len - 1] != '/') hp_buf_str(&b, "/");
    hp_buf_str(&b, file);
    mem[b.len] = 0;
    return mem;
}

/* The compilation unit that covers addr. libdw finds it through .debug_aranges, which clang (and
 * some rustc builds) do not emit: then look through the units for the one that covers it. */
static Dwarf_Die *unit_of(Dwfl_Module *m, Dwarf_Addr addr, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dwfl_module_addrdie(m, addr, bias);
    if (cu) return cu;
    for (cu = NULL; (cu = dwfl_module_nextcu(m, cu, bias));)
        if (dwarf_haspc(cu, addr - *bias) > 0) return cu;
    return NULL;
}

/* Where an inlined entry was called from: DW_AT_call_file / DW_AT_call_line. */
static void call_site(Dwarf_Die *inl, Dwarf_Die *cu, struct hp_frame *f, char *mem)
{
    Dwarf_Attribute at;
    Dwarf_Word file = 0, line = 0;
    Dwarf_Files *files;
    size_t nfiles;
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &at), &file) != 0 ||
        dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &at), &line) != 0 || line == 0 ||
        dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || file >= nfiles)
        return;
    f->file = full_path(dwarf_filesrc(files, file, NULL, NULL), cu, mem);
    f->line = f->file ? (int)line : 0;
}

/* Where the loader (dl_iterate_phdr) says the object whose segments hold addr starts: its lowest
 * segment's page, or 0 when no object holds addr. */
struct holder {
    uintptr_t addr, start;
};
static int addr_in(uintptr_t a, uintptr_t lo, uintptr_t len) { return a >= lo && a - lo < len; }
static int find_holder(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct holder *h = data;
    uintptr_t lowest = UINTPTR_MAX;
    int holds = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (lo < lowest) lowest = lo;
        if (addr_in(h->addr, lo, ph->p_memsz)) holds = 1;
    }
    if (holds) h->start = lowest & ~(uintptr_t)4095;
    return holds;
}

/* Does libdw's module for addr agree with the loader? 0 yes; 1 the loader has another object there
 * (one loaded, since the session was made, into a hole of another's address span: seen with a
 * library dlopened inside a section landing in libdw's own); 2 the loader has nothing there (a
 * hole, or a library since unloaded: libdw's span of a module covers the holes between its
 * segments). */
static int module_disagrees(Dwfl_Module *m, uintptr_t addr)
{
    struct holder h = {addr, 0};
    if (!dl_iterate_phdr(find_holder, &h)) return 2;
    Dwarf_Addr start = 0;
    dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
    return (uintptr_t)start != h.start;
}

/* The chain of pc, innermost first, into out[0..HP_INLINE_MAX]; its length. Strings point into
 * this file's static memory and libdw's: the caller copies them (into the cache). */
static int build_chain(uintptr_t pc, struct hp_frame *out)
{
    struct hp_frame phys;
    memset(&phys, 0, sizeof phys);
    phys.pc = pc;
    Dwarf_Addr addr = pc - 1; /* the call instruction, not the one after it */
    Dwfl *d = session(session_stale);
    session_stale = 0;
    Dwfl_Module *m = d ? dwfl_addrmodule(d, addr) : NULL;
    int disagrees = m ? module_disagrees(m, addr) : 0;
    if (d && (!m || disagrees == 1)) {
        d = session(1);
        m = d ? dwfl_addrmodule(d, addr) : NULL;
        disagrees = m ? module_disagrees(m, addr) : 0;
    }
    if (disagrees == 2) m = NULL;
    if (!m) {
        out[0] = phys;
        return 1;
    }
    Dwarf_Addr start = 0;
    phys.module = dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
    phys.module_offset = pc - start;
    GElf_Off off = 0;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
    if (name) {
        size_t n = strcspn(name, "@");
        if (name[n] && n < sizeof symbol_mem) {
            memcpy(symbol_mem, name, n);
            symbol_mem[n] = 0;
            name = symbol_mem;
        }
        phys.function = hp_demangle(name, name_mem[HP_INLINE_MAX], NAME_MAX_LEN);
        phys.offset = off + 1;
    }

    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = unit_of(m, addr, &bias);
    if (!cu) {
        out[0] = phys;
        return 1;
    }
    Dwarf_Line *l = dwarf_getsrc_die(cu, addr - bias);
    int lineno = 0;
    const char *file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
    if (file && dwarf_lineno(l, &lineno) == 0 && lineno > 0) {
        phys.file = full_path(file, cu, path_mem[0]);
        phys.line = lineno;
    }

    /* Every scope that holds addr (the walk's depth bounds them), outermost first. */
    static Dwarf_Die scopes[HP_WALK_DEPTH];
    int ns = hp_dwarf_scopes(cu, addr - bias, scopes, HP_WALK_DEPTH);
    int first = ns > 0 && dwarf_tag(&scopes[0]) == DW_TAG_subprogram; /* scopes[first..] are inlined */
    if (!phys.function && first) {
        phys.function = hp_dwarf_function(&scopes[0], name_mem[HP_INLINE_MAX], NAME_MAX_LEN);
        phys.offset = 0;
    }
    /* Inlined frame j (0 innermost) is scopes[ns - 1 - j]; beyond HP_INLINE_MAX of them the
     * innermost are left out: the outer ones lead to the user's code. */
    int k = ns - first, skip = k > HP_INLINE_MAX ? k - HP_INLINE_MAX : 0;
    for (int j = skip; j < k; j++) {
        Dwarf_Die *die = &scopes[ns - 1 - j];
        struct hp_frame *f = &out[j - skip];
        *f = phys;
        f->inlined = 1;
        f->offset = 0;
        f->function = hp_dwarf_function(die, name_mem[j - skip], NAME_MAX_LEN);
        if (j > 0) { /* at the call of the next inner one */
            f->file = NULL;
            f->line = 0;
            call_site(&scopes[ns - j], cu, f, path_mem[j - skip + 1]);
        }
    }
    k -= skip;
    out[k] = phys;
    if (k > 0) {
        out[k].file = NULL;
        out[k].line = 0;
        call_site(&scopes[first], cu, &out[k], path_mem[k + 1]);
    }
    return k + 1;
}

static const struct hp_chain *chain_of(uintptr_t pc, struct hp_frame *scratch, int *n)
{
    check_unloads();
    struct hp_chain *c = hp_symcache_get(pc);
    if (c && c->epoch == subs_seen) return c;
    *n = build_chain(pc, scratch);
    /* Made before a library was unloaded: still right if nothing is mapped there now (the library
     * went away: the entry says what was there, which is what the exit summary needs). */
    if (c && !scratch[*n - 1].module) {
        c->epoch = subs_seen;
        return c;
    }
    return hp_symcache_put(pc, scratch, *n, subs_seen);
}

int hp_symbolize_chain(uintptr_t pc, struct hp_frame *out, int max)
{
    if (max <= 0) return 0;
    if (!hp_opt.symbolize) {
        memset(out, 0, sizeof *out);
        out->pc = pc;
        return 1;
    }
    static struct hp_frame scratch[HP_INLINE_MAX + 1];
    int n = 0;
    const struct hp_chain *c = chain_of(pc, scratch, &n);
    const struct hp_frame *f = c ? c->f : scratch; /* not cached (no memory): valid until the next call */
    if (c) n = c->n;
    int skip = n > max ? n - max : 0; /* too many: the outermost ones, nearest the user's code */
    memcpy(out, f + skip, (size_t)(n - skip) * sizeof *out);
    return n - skip;
}

void hp_symbolize(uintptr_t pc, struct hp_frame *f)
{
    memset(f, 0, sizeof *f);
    f->pc = pc;
    if (!hp_opt.symbolize) return;
    static struct hp_frame scratch[HP_INLINE_MAX + 1];
    int n = 0;
    const struct hp_chain *c = chain_of(pc, scratch, &n);
    const struct hp_frame *ch = c ? c->f : scratch;
    if (c) n = c->n;
    /* The physical frame, at the line of the innermost code (as before inline chains existed). */
    *f = ch[n - 1];
    f->file = ch[0].file;
    f->line = ch[0].line;
}

int hp_is_system_module(const char *module)
{
    if (!module) return 1;
    const char *base = strrchr(module, '/');
    base = base ? base + 1 : module;
    /* The same list as hotpath-check's SYSTEM_MODULE_PREFIXES (test/gate/unit compares them); the
     * sanitizers' runtimes (gcc's, clang's shared ones) so that a site is the user's line. */
    static const char *const sys[] = {"libc.so",   "libc-",      "ld-linux", "ld-",        "libstdc++",
                                      "libgcc_s",  "libhotpath", "libm.so",  "libpthread", "libdl.so",
                                      "libunwind", "libdw",      "libelf",   "[vdso]",     "libasan",
                                      "libtsan",   "liblsan",    "libubsan", "libhwasan",  "libclang_rt."};
    for (size_t i = 0; i < sizeof sys / sizeof *sys; i++)
        if (!strncmp(base, sys[i], strlen(sys[i]))) return 1;
    return 0;
}
