/*
 * Symbol names as people read them: C++ (Itanium ABI) and Rust (legacy and v0 manglings), through
 * GNU libiberty's demangler, the one binutils and gdb use, linked statically into the sentinel (its
 * symbols are hidden: the host process never sees them). Whatever the process links, the same
 * demangler answers; nothing depends on libstdc++ being loaded.
 *
 * The callback entry points are used: they write the name piece by piece into our bounded buffer
 * and never call malloc (the C++ demangler's working memory is on the stack, sized by the mangled
 * name's length; names longer than HP_DEMANGLE_IN_MAX are left mangled).
 */
#include "sentinel.h"

#include <libiberty/demangle.h>
#include <string.h>

#define HP_DEMANGLE_IN_MAX 2048 /* longer names stay mangled: the demangler needs ~72 bytes of stack a byte */

static void put(const char *s, size_t n, void *opaque) { hp_buf_mem(opaque, s, n); }

const char *hp_demangle(const char *name, char *dst, size_t cap)
{
    if (!name || cap < 8) return name;
    int mangled = (name[0] == '_' && (name[1] == 'Z' || name[1] == 'R')) ||
                  (name[0] == '_' && name[1] == '_' && name[2] == 'Z');
    if (!mangled || strnlen(name, HP_DEMANGLE_IN_MAX) == HP_DEMANGLE_IN_MAX) return name;
    struct hp_buf b;
    hp_buf_init(&b, dst, cap - 1);
    /* Rust's legacy mangling is valid Itanium mangling too (`_ZN...17h<hash>E`): ask the Rust
     * demangler first, as c++filt and gdb do, so that Rust names lose their hash and `$LT$`s. */
    int ok = rust_demangle_callback(name, DMGL_PARAMS | DMGL_ANSI, put, &b);
    if (!ok) {
        hp_buf_init(&b, dst, cap - 1);
        ok = cplus_demangle_v3_callback(name, DMGL_PARAMS | DMGL_ANSI, put, &b);
    }
    if (!ok || b.len == 0) return name;
    if (b.truncated) memcpy(dst + b.len - 3, "...", 3); /* b.len == cap - 1 >= 7 */
    dst[b.len] = 0;
    return dst;
}
