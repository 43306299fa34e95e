/* C frames that a C++ exception passes through. Built twice: with -fexceptions (the cleanup of
 * HOTPATH_SCOPE runs during unwinding) and without (it does not: the documented limit). */
#include <hotpath.h>

#ifndef C_FRAMES_NAME
#error define C_FRAMES_NAME
#endif

int C_FRAMES_NAME(void (*cb)(void));
int C_FRAMES_NAME(void (*cb)(void))
{
    HOTPATH_SCOPE("c_section");
    cb();
    return 0;
}
