/* An executable that carries allocators of its own that never call malloc (stand-ins with the
 * symbols mimalloc and a Rust #[global_allocator] define). argv[1]: "section" enters a section
 * (and allocates from its own allocator there, unchecked); "none" never does. */
#include <hotpath.h>

#include <stdio.h>
#include <string.h>

static char arena[256];
__attribute__((noinline, used)) void *mi_malloc(size_t n) { return n <= sizeof arena ? arena : NULL; }
__attribute__((noinline, used)) void *__rg_alloc(size_t n, size_t align) { return (void)align, mi_malloc(n); }

int main(int argc, char **argv)
{
    void *volatile p = NULL;
    if (argc > 1 && !strcmp(argv[1], "section")) {
        hotpath_enter("own_allocator");
        p = mi_malloc(16);
        hotpath_exit();
    }
    printf("survived %d\n", p != NULL);
    return 0;
}
