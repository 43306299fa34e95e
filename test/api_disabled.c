/* Compiled with HOTPATH_DISABLE: every mark must vanish, leaving the depth untouched. */
#define HOTPATH_DISABLE
#include <hotpath.h>
#include <stdlib.h>

unsigned int disabled_marks_depth(void);
unsigned int disabled_marks_depth(void)
{
    HOTPATH_SCOPE("never");
    hotpath_seal(); /* compiled away too: a real seal would make the malloc below a violation */
    hotpath_enter("never");
    hotpath_allow_begin();
    void *p = malloc(8); /* not hot: the marks are compiled away */
    free(p);
    hotpath_allow_end();
    unsigned int d = hotpath_depth();
    hotpath_exit();
    hotpath_unseal();
    return d + (unsigned int)hotpath_sealed();
}
