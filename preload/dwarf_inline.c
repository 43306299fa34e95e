/*
 * Which functions an address is in, inlined ones included: the DW_TAG_subprogram that holds it and
 * the chain of DW_TAG_inlined_subroutine entries nested in it, as `addr2line -i` prints them.
 *
 * elfutils' dwarf_getscopes does this for C and C++, but it only descends into entries that can
 * hold code directly (subprograms, lexical blocks, ...), and Rust (like Ada, Fortran modules and
 * C++ functions defined inside a class) puts the concrete DW_TAG_subprogram inside
 * DW_TAG_namespace or DW_TAG_structure_type entries: there it finds nothing. So the walk is done
 * here, over every entry that may contain code, with an explicit stack (no recursion on the report
 * path) of bounded depth.
 */
#include "symbolize_impl.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WALK_DEPTH HP_WALK_DEPTH

/* Entries whose children may hold a function's code even though they have no address range. */
static int may_contain_code(int tag)
{
    switch (tag) {
    case DW_TAG_namespace:
    case DW_TAG_module:
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type:
    case DW_TAG_interface_type:
    case DW_TAG_enumeration_type:
        return 1;
    default:
        return 0;
    }
}

static int is_scope(int tag)
{
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
           tag == DW_TAG_try_block || tag == DW_TAG_catch_block || tag == DW_TAG_entry_point;
}

/* The walk from `cur` (a unit's first child, or a function known to hold addr) over it and its
 * siblings. */
static int scopes_from(Dwarf_Die cur, Dwarf_Addr addr, Dwarf_Die *out, int max)
{
    Dwarf_Die stack[WALK_DEPTH];
    int depth = 0, n = 0;
    int code_depth = -1; /* the level of the outermost function that holds addr, once found */
    for (;;) {
        int tag = dwarf_tag(&cur), descend = 0;
        if (is_scope(tag)) {
            if (dwarf_haspc(&cur, addr) > 0) {
                descend = 1;
                if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
                    if (n < max) out[n++] = cur; /* deeper than max: the outer ones are kept */
                    if (code_depth < 0) code_depth = depth;
                }
            }
        } else if (code_depth < 0) {
            descend = may_contain_code(tag);
        }
        Dwarf_Die child;
        if (descend && depth < WALK_DEPTH && dwarf_child(&cur, &child) == 0) {
            stack[depth++] = cur;
            cur = child;
            continue;
        }
        /* The innermost scope that holds addr has no children: done. */
        if (code_depth >= 0 && descend) return n;
        while (dwarf_siblingof(&cur, &cur) != 0) { /* next sibling, climbing out of finished parents */
            if (depth == 0) return n;
            cur = stack[--depth];
            if (depth == code_depth) return n;
        }
    }
}

/* ---- per-unit function index ------------------------------------------------------------------
 * Finding the function that holds an address means walking the unit's entries, and without
 * DW_AT_sibling (LLVM, hence clang and rustc, emit none) skipping a function means reading every
 * entry inside it: a Rust std unit costs millions of instructions per address. So the first
 * look-up in a unit records the address ranges of all its functions (one walk), sorted; later
 * look-ups search them and walk only the function found. Memory from raw mmap, bounded; the
 * indexes describe the current libdw session and are dropped with it. */
#define INDEXES 32
#define INDEX_BYTES (8u << 20) /* largest index (about 170,000 ranges); bigger units are walked */
struct range {
    Dwarf_Addr lo, hi;
    Dwarf_Die die;
};
struct index {
    void *key; /* the unit's entry (its address in the debug data) */
    size_t n, mapped;
    struct range *r;
};
static struct index indexes[INDEXES];
static unsigned int next_index;

static void *map_bytes(size_t n)
{
    long p = syscall(SYS_mmap, NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    return p < 0 && p > -4096 ? NULL : (void *)p;
}

static void drop(struct index *x)
{
    if (x->r) syscall(SYS_munmap, x->r, x->mapped);
    memset(x, 0, sizeof *x);
}

void hp_dwarf_forget(void)
{
    for (int i = 0; i < INDEXES; i++)
        drop(&indexes[i]);
}

static int by_lo(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Every function with code in the unit (namespaces and types searched, functions not entered). */
static int build(struct index *x, Dwarf_Die *cu)
{
    size_t cap = INDEX_BYTES / sizeof(struct range);
    x->mapped = INDEX_BYTES;
    x->r = map_bytes(x->mapped);
    if (!x->r) return -1;
    Dwarf_Die stack[WALK_DEPTH], cur;
    int depth = 0;
    if (dwarf_child(cu, &cur) != 0) return 0;
    for (;;) {
        int tag = dwarf_tag(&cur), descend = may_contain_code(tag);
        if (tag == DW_TAG_subprogram) {
            Dwarf_Addr base, lo, hi;
            for (ptrdiff_t off = 0; (off = dwarf_ranges(&cur, off, &base, &lo, &hi)) > 0;) {
                if (x->n == cap) return -1;
                x->r[x->n++] = (struct range){lo, hi, cur};
            }
        }
        Dwarf_Die child;
        if (descend && depth < WALK_DEPTH && dwarf_child(&cur, &child) == 0) {
            stack[depth++] = cur;
            cur = child;
            continue;
        }
        while (dwarf_siblingof(&cur, &cur) != 0) {
            if (depth == 0) {
                qsort(x->r, x->n, sizeof *x->r, by_lo); /* may allocate: the real allocator, guarded */
                size_t used = (x->n * sizeof *x->r + 4095) & ~(size_t)4095;
                if (used < x->mapped) syscall(SYS_munmap, (char *)x->r + used, x->mapped - used);
                x->mapped = used ? used : x->mapped;
                return 0;
            }
            cur = stack[--depth];
        }
    }
}

static struct index *index_of(Dwarf_Die *cu)
{
    for (int i = 0; i < INDEXES; i++)
        if (indexes[i].key == cu->addr) return indexes[i].r || !indexes[i].n ? &indexes[i] : NULL;
    struct index *x = &indexes[next_index++ % INDEXES];
    drop(x);
    x->key = cu->addr;
    if (build(x, cu) != 0) { /* too big or no memory: remembered as such, walked every time */
        drop(x);
        x->key = cu->addr;
        return NULL;
    }
    return x;
}

/* The function that holds addr according to the index, or 0 (not indexed, or not found). */
static int indexed_function(Dwarf_Die *cu, Dwarf_Addr addr, Dwarf_Die *out)
{
    struct index *x = index_of(cu);
    if (!x || !x->r) return 0;
    size_t lo = 0, hi = x->n; /* the last range starting at or below addr, and those before it */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->r[mid].lo <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i-- > 0 && lo - i <= 8;) /* nested or overlapping ranges: a few back */
        if (addr >= x->r[i].lo && addr < x->r[i].hi) {
            *out = x->r[i].die;
            return 1;
        }
    return 0;
}

int hp_dwarf_scopes(Dwarf_Die *cu, Dwarf_Addr addr, Dwarf_Die *out, int max)
{
    Dwarf_Die cur;
    if (indexed_function(cu, addr, &cur) && dwarf_haspc(&cur, addr) > 0)
        return scopes_from(cur, addr, out, max);
    if (dwarf_child(cu, &cur) != 0) return 0;
    return scopes_from(cur, addr, out, max);
}

const char *hp_dwarf_function(Dwarf_Die *die, char *mem, size_t cap)
{
    Dwarf_Attribute at;
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &at));
    if (!name) name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &at));
    if (name) return hp_demangle(name, mem, cap);
    return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &at));
}
