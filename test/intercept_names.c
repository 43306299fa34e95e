/* Prints the interception list, "NAME CATEGORY" a line (for `make compare-rtsan`). */
#include "intercept_list.h"

#include <stdio.h>

int main(void)
{
    for (int i = 0; i < N_INTERCEPTED; i++)
        printf("%s %s\n", intercepted[i].name, intercepted[i].category);
    return 0;
}
