/* A program as a sanitizer-built test suite has them: `cold` allocates outside any section (it must
 * run exactly as without the preload), `active` prints hotpath_sentinel_active(), `hot` allocates 24 bytes in
 * section "san_section" (the sentinel must report it, through the sanitizer's allocator hooks), `hot_free`
 * frees there. Built with clang -fsanitize=address/thread/leak and gcc -fsanitize=address by hosts.mk. */
#include <hotpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "cold";
    char *volatile p = malloc(32);
    strcpy(p, "cold");
    if (!strcmp(what, "hot")) {
        hotpath_enter("san_section");
        char *volatile q = malloc(24); /* SAN_HOT_MALLOC */
        hotpath_exit();
        free(q);
    } else if (!strcmp(what, "hot_free")) {
        char *volatile q = malloc(24);
        hotpath_enter("san_section");
        free(q);
        hotpath_exit();
    }
    if (!strcmp(what, "active"))
        printf("active=%d\n", hotpath_sentinel_active());
    else
        printf("%s done\n", what);
    free(p);
    return 0;
}
