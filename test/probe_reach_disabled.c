/* Built with HOTPATH_DISABLE: the calls must compile to nothing (the probe calls this in a section). */
#define HOTPATH_DISABLE
#include <hotpath.h>

void reach_disabled_calls(void);
void reach_disabled_calls(void)
{
    HOTPATH_BLOCKING_FUNCTION();
    hotpath_blocking("compiled_away");
    hotpath_allocation("compiled_away", 8);
}
