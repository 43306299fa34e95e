/* A library whose constructor allocates (and destructor frees): the torture suite dlopens and
 * dlcloses it from many threads at once, and inside hot sections. */
#include <stdlib.h>
#include <string.h>

static void *blocks[100];
static char *name;
static long made;

__attribute__((constructor)) static void ctor(void)
{
    for (int i = 0; i < 100; i++) blocks[i] = malloc((size_t)i * 13 + 1);
    name = strdup("libctor");
    made = 100;
}

__attribute__((destructor)) static void dtor(void)
{
    for (int i = 0; i < 100; i++) free(blocks[i]);
    free(name);
}

long ctor_blocks(void) { return made; }
