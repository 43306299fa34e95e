/*
 * Which loaded modules import a symbol: read from their dynamic symbol tables, which the loader
 * has mapped, in microseconds and without libdw. Used to tell a process that carries hotpath's
 * marks or instrumented code (it imports hotpath_thread_state, hotpath_enter,
 * __cyg_profile_func_enter, ...) from a tool that never could enter a section (make, cc1, rustc,
 * the shell): start-up warnings and hot_functions' symbol-table scan concern only the former.
 */
#include "sentinel.h"

#include <link.h>
#include <string.h>

static int imports_one(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *const *names = data;
    /* the sentinel itself imports the API's symbols */
    if (info->dlpi_name && strstr(info->dlpi_name, "libhotpath")) return 0;
    const ElfW(Dyn) *dyn = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (!dyn) return 0;
    uintptr_t symtab = 0, strtab = 0, gnu_hash = 0, sysv_hash = 0;
    unsigned long strsz = 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t v = (uintptr_t)dyn->d_un.d_ptr;
        if (v && v < info->dlpi_addr) v += info->dlpi_addr; /* not relocated in place (vDSO) */
        if (dyn->d_tag == DT_SYMTAB) symtab = v;
        if (dyn->d_tag == DT_STRTAB) strtab = v;
        if (dyn->d_tag == DT_GNU_HASH) gnu_hash = v;
        if (dyn->d_tag == DT_HASH) sysv_hash = v;
        if (dyn->d_tag == DT_STRSZ) strsz = (unsigned long)dyn->d_un.d_val;
    }
    if (!symtab || !strtab) return 0;
    /* A SysV hash table's nchain counts every symbol. Without one: undefined symbols are not in a
     * GNU hash table, they are below its symoffset; but a module that exports nothing has no
     * hashed symbol, and there aarch64's GNU ld writes symoffset 1 (x86-64's writes the symbol
     * count). So the count is also bounded by where .dynstr starts, right after .dynsym in GNU
     * ld's layout (other linkers put sections between; every name is checked against DT_STRSZ). */
    unsigned long count = 0;
    if (sysv_hash) {
        count = ((const uint32_t *)sysv_hash)[1];
    } else if (gnu_hash) {
        count = ((const uint32_t *)gnu_hash)[1];
        if (strtab > symtab && (strtab - symtab) / sizeof(ElfW(Sym)) > count)
            count = (strtab - symtab) / sizeof(ElfW(Sym));
    }
    const ElfW(Sym) *sym = (const ElfW(Sym) *)symtab;
    for (unsigned long i = 1; i < count && i < 100000; i++) {
        if (sym[i].st_shndx != SHN_UNDEF || (strsz && sym[i].st_name >= strsz)) continue;
        const char *name = (const char *)strtab + sym[i].st_name;
        for (const char *const *n = names; *n; n++)
            if (!strcmp(name, *n)) return 1;
    }
    return 0;
}

/* 1 if a loaded module other than the sentinel's imports one of `names` (NULL-terminated). */
HP_HIDDEN int hp_module_imports(const char *const *names);
int hp_module_imports(const char *const *names) { return dl_iterate_phdr(imports_one, (void *)names) != 0; }
