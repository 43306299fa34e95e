/*
 * Return address -> function, module, file:line, through elfutils' libdw (Dwfl), the same
 * DWARF reader that eu-addr2line uses. One Dwfl session describes this process's modules; it is
 * made at the first report and rebuilt when an address falls outside every known module (a
 * library dlopened since). All calls happen under the report lock, with the calling thread's
 * hp_in_sentinel guard set, because libdw allocates.
 */
#include "sentinel.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Dwfl *dwfl;
static char name_mem[512];  /* function name without its symbol version */
static char path_mem[1024];
static char demangled_mem[1024]; /* a C++ name, demangled */ /* source path made absolute with the unit's compilation directory */

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
#define callbacks hp_dwfl_callbacks

static Dwfl *session(int rebuild)
{
    if (dwfl && !rebuild) return dwfl;
    if (dwfl) dwfl_end(dwfl);
    dwfl = dwfl_begin(&callbacks);
    if (!dwfl) return NULL;
    dwfl_report_begin(dwfl);
    if (dwfl_linux_proc_report(dwfl, getpid()) != 0 || dwfl_report_end(dwfl, NULL, NULL) != 0) {
        dwfl_end(dwfl);
        dwfl = NULL;
    }
    return dwfl;
}

void hp_symbolize_forget(void) { dwfl = NULL; /* the parent's state, half-used perhaps: leaked */ }

/* Record file:line, made absolute with the compilation directory when that is absolute (some
 * distributions record "." or "./csu", which helps no one). */
static void set_source(struct hp_frame *f, const char *file, int lineno, const char *dir)
{
    if (dir && dir[0] == '/' && strlen(dir) + strlen(file) + 2 <= sizeof path_mem) {
        struct hp_buf b;
        hp_buf_init(&b, path_mem, sizeof path_mem - 1);
        hp_buf_str(&b, dir);
        hp_buf_str(&b, "/");
        hp_buf_str(&b, file);
        path_mem[b.len] = 0;
        file = path_mem;
    }
    f->file = file;
    f->line = lineno;
}

/* libdw finds a line through .debug_aranges, which clang does not emit (unless -gdwarf-aranges):
 * then look through the compilation units for the one that covers the address. */
static void source_without_aranges(Dwfl_Module *m, Dwarf_Addr addr, struct hp_frame *f)
{
    Dwarf_Addr bias = 0;
    for (Dwarf_Die *cu = NULL; (cu = dwfl_module_nextcu(m, cu, &bias));) {
        if (dwarf_haspc(cu, addr - bias) <= 0) continue;
        Dwarf_Line *l = dwarf_getsrc_die(cu, addr - bias);
        int lineno = 0;
        const char *file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
        if (file && dwarf_lineno(l, &lineno) == 0 && lineno > 0) {
            Dwarf_Attribute at;
            const char *dir = file[0] == '/' ? NULL : dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at));
            set_source(f, file, lineno, dir);
        }
        return;
    }
}

/* C++ names as people read them, through the C++ runtime's own demangler when the process has one
 * (it allocates: we run under hp_in_sentinel). */
static const char *demangle(const char *name)
{
    static char *(*cxa_demangle)(const char *, char *, size_t *, int *);
    static int looked;
    if (name[0] != '_' || name[1] != 'Z') return name;
    if (!looked) {
        looked = 1;
        cxa_demangle = (char *(*)(const char *, char *, size_t *, int *))dlsym(RTLD_DEFAULT, "__cxa_demangle");
    }
    int status = -1;
    char *plain = cxa_demangle ? cxa_demangle(name, NULL, NULL, &status) : NULL;
    if (!plain || status != 0) return name;
    size_t n = strlen(plain);
    if (n >= sizeof demangled_mem) n = sizeof demangled_mem - 1;
    memcpy(demangled_mem, plain, n);
    demangled_mem[n] = 0;
    free(plain);
    return demangled_mem;
}

void hp_symbolize(uintptr_t pc, struct hp_frame *f)
{
    memset(f, 0, sizeof *f);
    f->pc = pc;
    if (!hp_opt.symbolize) return;
    Dwarf_Addr addr = pc - 1; /* the call instruction, not the one after it */
    Dwfl *d = session(0);
    Dwfl_Module *m = d ? dwfl_addrmodule(d, addr) : NULL;
    if (!m && d) {
        d = session(1);
        m = d ? dwfl_addrmodule(d, addr) : NULL;
    }
    if (!m) return;
    Dwarf_Addr start = 0;
    f->module = dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
    f->module_offset = pc - start;
    GElf_Off off = 0;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
    if (name) {
        size_t n = strcspn(name, "@");
        if (name[n] && n < sizeof name_mem) {
            memcpy(name_mem, name, n);
            name_mem[n] = 0;
            name = name_mem;
        }
        name = demangle(name);
        f->function = name;
        f->offset = off + 1;
    }
    Dwfl_Line *line = dwfl_module_getsrc(m, addr);
    if (line) {
        int lineno = 0;
        const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
        if (file && lineno > 0) set_source(f, file, lineno, file[0] == '/' ? NULL : dwfl_line_comp_dir(line));
    } else {
        source_without_aranges(m, addr, f);
    }
}
int hp_is_system_module(const char *module)
{
    if (!module) return 1;
    const char *base = strrchr(module, '/');
    base = base ? base + 1 : module;
    static const char *const sys[] = {"libc.so",   "libc-",    "ld-linux", "ld-",       "libstdc++",
                                      "libgcc_s",  "libhotpath", "libm.so", "libpthread", "libdl.so",
                                      "libunwind", "libdw",    "libelf",   "[vdso]"};
    for (size_t i = 0; i < sizeof sys / sizeof *sys; i++)
        if (!strncmp(base, sys[i], strlen(sys[i]))) return 1;
    return 0;
}
