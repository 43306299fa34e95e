/* A program with its own allocator linked into the executable: the sentinel cannot check it and
 * must say so, once, if the process enters a section. This one forwards to glibc's internal entry points. */
#include <hotpath.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

void *malloc(size_t n) { return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }

int main(int argc, char **argv)
{
    printf("active %d\n", hotpath_sentinel_active());
#ifndef NO_MARKS /* built without marks (test/hosts/hosts.mk): a tool that never enters a section */
    if (argc > 1 && !strcmp(argv[1], "section")) { /* a process that marks sections: it must be told */
        hotpath_enter("own_malloc_section");
        free(malloc(16));
        hotpath_exit();
    }
    if (argc > 1 && !strcmp(argv[1], "section_exit")) { /* and told before it dies inside one */
        hotpath_enter("own_malloc_section");
        _exit(3);
    }
#else
    (void)argc, (void)argv;
#endif
    return 0;
}
