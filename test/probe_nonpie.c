/* A non-PIE executable that takes malloc's address owns a canonical PLT entry for it, so
 * dlsym(RTLD_DEFAULT, "malloc") names the executable: the sentinel must not take that for a bypass. */
#include <hotpath.h>
#include <stdio.h>
#include <stdlib.h>

void *(*volatile malloc_address)(size_t) = malloc;

int main(void)
{
    void *p = malloc_address(10);
    free(p);
    printf("active %d\n", hotpath_sentinel_active());
    return 0;
}
