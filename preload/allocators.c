/*
 * Allocators of the executable's own that never call malloc (mimalloc, jemalloc, tcmalloc linked
 * in; a Rust program's #[global_allocator]): an interposer cannot see their allocations, so a
 * process that entered a section is told, once, at exit, that they were not checked unless the
 * allocator (or a wrapper around it) calls hotpath_allocation().
 *
 * The executable's symbol tables (.symtab and .dynsym) are read from /proc/self/exe with raw
 * system calls, at exit and only in a process that entered a section: nothing at start-up.
 */
#include "sentinel.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A symbol each allocator defines, and what to call it. */
static const struct {
    const char *symbol, *what;
    int mangled; /* also as the last part of a Rust v0-mangled name (..._7___rustc10___rg_alloc) */
} known[] = {
    {"mi_malloc", "mimalloc", 0},
    {"je_malloc", "jemalloc", 0},
    {"_rjem_malloc", "jemalloc (tikv-jemallocator)", 0},
    {"tc_malloc", "tcmalloc", 0},
    /* The shim rustc emits for a #[global_allocator]; an optimized build may inline it away (the
     * allocator is then found only by its own symbols, mi_malloc say), a stripped one has none. */
    {"__rg_alloc", "a Rust #[global_allocator]", 1},
};

static int matches(const char *name, size_t len, size_t j)
{
    size_t n = strlen(known[j].symbol);
    if (len == n) return !memcmp(name, known[j].symbol, n);
    return known[j].mangled && len > n + 1 && !memcmp(name + len - n, known[j].symbol, n) &&
           name[len - n - 1] >= '0' && name[len - n - 1] <= '9' && !memcmp(name, "_R", 2);
}
#define NKNOWN (sizeof known / sizeof *known)

/* Marks in `seen` the known symbols the ELF image `p` (size n) defines. */
static void scan(const unsigned char *p, size_t n, int *seen)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p;
    if (n < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64) return;
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > n ||
        (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > n - eh->e_shoff)
        return;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(p + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB && sh[i].sh_type != SHT_DYNSYM) continue;
        if (sh[i].sh_link >= eh->e_shnum || sh[i].sh_offset > n || sh[i].sh_size > n - sh[i].sh_offset)
            continue;
        const Elf64_Shdr *str = &sh[sh[i].sh_link];
        if (str->sh_offset > n || str->sh_size > n - str->sh_offset || str->sh_size == 0) continue;
        const char *strtab = (const char *)p + str->sh_offset;
        const Elf64_Sym *sym = (const Elf64_Sym *)(p + sh[i].sh_offset);
        size_t count = sh[i].sh_size / sizeof *sym;
        for (size_t k = 0; k < count; k++) {
            if (sym[k].st_shndx == SHN_UNDEF || sym[k].st_name >= str->sh_size) continue;
            const char *name = strtab + sym[k].st_name;
            size_t room = str->sh_size - sym[k].st_name;
            size_t len = strnlen(name, room);
            if (len == room) continue; /* not terminated inside the table */
            for (size_t j = 0; j < NKNOWN; j++)
                if (!seen[j] && matches(name, len, j)) seen[j] = 1;
        }
    }
}

/* Before the exit summary (destructors of higher priority run first; init.c's is 101). */
__attribute__((destructor(102))) static void hp_allocators_at_exit(void)
{
    if (hp_sections_entered() == 0) return;
    int was = hp_in_sentinel;
    hp_in_sentinel = 1; /* our own file reading is not the program's */
    int seen[NKNOWN] = {0}, any = 0;
    int fd = hp_sys_open("/proc/self/exe", O_RDONLY | O_CLOEXEC, 0);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            scan(p, (size_t)st.st_size, seen);
            munmap(p, (size_t)st.st_size);
        }
    }
    if (fd >= 0) hp_sys_close(fd);
    char mem[900];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem - 1);
    hp_buf_str(&b, "hotpath: warning (pid ");
    hp_buf_u64(&b, (uint64_t)getpid());
    hp_buf_str(&b, ", ");
    hp_buf_name(&b, program_invocation_short_name, 64);
    hp_buf_str(&b, "): the executable carries an allocator of its own that never calls malloc (");
    for (size_t j = 0; j < NKNOWN; j++) {
        if (!seen[j]) continue;
        if (any++) hp_buf_str(&b, ", ");
        hp_buf_str(&b, known[j].what);
        hp_buf_str(&b, ": ");
        hp_buf_str(&b, known[j].symbol);
    }
    hp_buf_str(&b, "); its allocations in sections are not checked unless it, or a wrapper around it, calls "
                   "hotpath_allocation() (README, \"Your own blocking functions and allocators\")");
    b.p[b.len++] = '\n';
    /* Where the reports go (the log when there is one), as the other warnings said at exit. */
    void (*sink)(const char *, unsigned long) = __atomic_load_n(&hotpath__diagnostic_sink, __ATOMIC_ACQUIRE);
    if (any && sink)
        sink(mem, b.len);
    else if (any)
        hp_write_all(2, mem, b.len);
    hp_in_sentinel = was;
}
