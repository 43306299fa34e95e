/*
 * The libdw (elfutils) functions the sentinel calls, as local stubs that load libdw.so.1 the first
 * time one of them is called (the pattern of Implib.so's generated stubs). The sentinel is not
 * linked with libdw, so a process that never reports never loads it, nor libelf, libz, liblzma and
 * libbz2 behind it. Each stub has the prototype of the elfutils header (the compiler checks it),
 * is hidden (the process's own libdw, if it has one, is untouched), and returns the function's
 * own failure value when libdw cannot be loaded, which every caller already handles.
 */
#include "symbolize_impl.h"

#include <elfutils/libdwfl.h>

#ifndef HP_LIBDW_SONAME
#define HP_LIBDW_SONAME "libdw.so.1"
#endif

struct hp_lazy_lib hp_libdw = {HP_LIBDW_SONAME, "function names or source lines (install libdw1)", 0, NULL};

/* One stub: resolve once (racing threads store the same value), then call through. */
#define SHIM(ret, name, params, args, fail)                                                                  \
    HP_HIDDEN ret name params;                                                                               \
    ret name params                                                                                          \
    {                                                                                                        \
        static __typeof__(&name) hp_fn_;                                                                     \
        __typeof__(&name) hp_f_ = __atomic_load_n(&hp_fn_, __ATOMIC_ACQUIRE);                                \
        if (!hp_f_) {                                                                                        \
            hp_f_ = (__typeof__(&name))hp_lazy_sym(&hp_libdw, #name);                                        \
            if (!hp_f_) return fail;                                                                         \
            __atomic_store_n(&hp_fn_, hp_f_, __ATOMIC_RELEASE);                                              \
        }                                                                                                    \
        return hp_f_ args;                                                                                   \
    }
#define VOID_SHIM(name, params, args)                                                                        \
    HP_HIDDEN void name params;                                                                              \
    void name params                                                                                         \
    {                                                                                                        \
        static __typeof__(&name) hp_fn_;                                                                     \
        __typeof__(&name) hp_f_ = __atomic_load_n(&hp_fn_, __ATOMIC_ACQUIRE);                                \
        if (!hp_f_) {                                                                                        \
            hp_f_ = (__typeof__(&name))hp_lazy_sym(&hp_libdw, #name);                                        \
            if (!hp_f_) return;                                                                              \
            __atomic_store_n(&hp_fn_, hp_f_, __ATOMIC_RELEASE);                                              \
        }                                                                                                    \
        hp_f_ args;                                                                                          \
    }

typedef int removed_fn(Dwfl_Module *, void *, const char *, Dwarf_Addr, void *);
typedef int module_fn(Dwfl_Module *, void **, const char *, Dwarf_Addr, void *);

/* ---- libdwfl -------------------------------------------------------------------------------------- */
SHIM(Dwfl *, dwfl_begin, (const Dwfl_Callbacks *cb), (cb), NULL)
VOID_SHIM(dwfl_end, (Dwfl * d), (d))
VOID_SHIM(dwfl_report_begin, (Dwfl * d), (d))
SHIM(int, dwfl_linux_proc_report, (Dwfl * d, pid_t pid), (d, pid), -1)
SHIM(int, dwfl_report_end, (Dwfl * d, removed_fn *removed, void *arg), (d, removed, arg), -1)
SHIM(ptrdiff_t, dwfl_getmodules, (Dwfl * d, module_fn *cb, void *arg, ptrdiff_t offset), (d, cb, arg, offset),
     -1)
SHIM(Dwfl_Module *, dwfl_addrmodule, (Dwfl * d, Dwarf_Addr a), (d, a), NULL)
SHIM(const char *, dwfl_module_info,
     (Dwfl_Module * m, void ***user, Dwarf_Addr *start, Dwarf_Addr *end, Dwarf_Addr *dwbias,
      Dwarf_Addr *symbias, const char **mainfile, const char **debugfile),
     (m, user, start, end, dwbias, symbias, mainfile, debugfile), NULL)
SHIM(const char *, dwfl_module_addrinfo,
     (Dwfl_Module * m, GElf_Addr a, GElf_Off *off, GElf_Sym *sym, GElf_Word *shndx, Elf **elf,
      Dwarf_Addr *bias),
     (m, a, off, sym, shndx, elf, bias), NULL)
SHIM(Dwfl_Line *, dwfl_module_getsrc, (Dwfl_Module * m, Dwarf_Addr a), (m, a), NULL)
SHIM(const char *, dwfl_lineinfo,
     (Dwfl_Line * l, Dwarf_Addr *a, int *line, int *col, Dwarf_Word *mtime, Dwarf_Word *len),
     (l, a, line, col, mtime, len), NULL)
SHIM(const char *, dwfl_line_comp_dir, (Dwfl_Line * l), (l), NULL)
SHIM(Dwarf_Die *, dwfl_module_nextcu, (Dwfl_Module * m, Dwarf_Die *last, Dwarf_Addr *bias), (m, last, bias),
     NULL)
SHIM(Dwarf_Die *, dwfl_module_addrdie, (Dwfl_Module * m, Dwarf_Addr a, Dwarf_Addr *bias), (m, a, bias), NULL)
SHIM(int, dwfl_linux_proc_find_elf,
     (Dwfl_Module * m, void **user, const char *name, Dwarf_Addr base, char **file, Elf **elf),
     (m, user, name, base, file, elf), -1)
SHIM(int, dwfl_standard_find_debuginfo,
     (Dwfl_Module * m, void **user, const char *name, Dwarf_Addr base, const char *file, const char *link,
      GElf_Word crc, char **out),
     (m, user, name, base, file, link, crc, out), -1)
SHIM(int, dwfl_module_getsymtab, (Dwfl_Module * m), (m), -1)
SHIM(const char *, dwfl_module_getsym_info,
     (Dwfl_Module * m, int i, GElf_Sym *sym, GElf_Addr *a, GElf_Word *shndx, Elf **elf, Dwarf_Addr *bias),
     (m, i, sym, a, shndx, elf, bias), NULL)

/* ---- libdw ----------------------------------------------------------------------------------------- */
SHIM(int, dwarf_haspc, (Dwarf_Die * d, Dwarf_Addr pc), (d, pc), -1)
SHIM(Dwarf_Line *, dwarf_getsrc_die, (Dwarf_Die * cu, Dwarf_Addr a), (cu, a), NULL)
SHIM(const char *, dwarf_linesrc, (Dwarf_Line * l, Dwarf_Word *mtime, Dwarf_Word *len), (l, mtime, len), NULL)
SHIM(int, dwarf_lineno, (Dwarf_Line * l, int *line), (l, line), -1)
SHIM(Dwarf_Attribute *, dwarf_attr, (Dwarf_Die * d, unsigned int name, Dwarf_Attribute *r), (d, name, r),
     NULL)
SHIM(Dwarf_Attribute *, dwarf_attr_integrate, (Dwarf_Die * d, unsigned int name, Dwarf_Attribute *r),
     (d, name, r), NULL)
SHIM(const char *, dwarf_formstring, (Dwarf_Attribute * a), (a), NULL)
SHIM(int, dwarf_formudata, (Dwarf_Attribute * a, Dwarf_Word *v), (a, v), -1)
SHIM(int, dwarf_child, (Dwarf_Die * d, Dwarf_Die *r), (d, r), -1)
SHIM(int, dwarf_siblingof, (Dwarf_Die * d, Dwarf_Die *r), (d, r), -1)
SHIM(int, dwarf_tag, (Dwarf_Die * d), (d), -1)
SHIM(ptrdiff_t, dwarf_ranges,
     (Dwarf_Die * d, ptrdiff_t off, Dwarf_Addr *base, Dwarf_Addr *lo, Dwarf_Addr *hi), (d, off, base, lo, hi),
     -1)
SHIM(int, dwarf_getsrcfiles, (Dwarf_Die * cu, Dwarf_Files **files, size_t *n), (cu, files, n), -1)
SHIM(const char *, dwarf_filesrc, (Dwarf_Files * f, size_t i, Dwarf_Word *mtime, Dwarf_Word *len),
     (f, i, mtime, len), NULL)
