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

int hp_dwarf_scopes(Dwarf_Die *cu, Dwarf_Addr addr, Dwarf_Die *out, int max)
{
    Dwarf_Die stack[WALK_DEPTH];
    int depth = 0, n = 0;
    int code_depth = -1; /* the level of the outermost function that holds addr, once found */
    Dwarf_Die cur;
    if (dwarf_child(cu, &cur) != 0) return 0;
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

const char *hp_dwarf_function(Dwarf_Die *die, char *mem, size_t cap)
{
    Dwarf_Attribute at;
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &at));
    if (!name) name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &at));
    if (name) return hp_demangle(name, mem, cap);
    return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &at));
}
