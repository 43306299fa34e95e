/* Prints its own memory map (what `cat /proc/self/maps` prints), built for the target: a program
 * with no hotpath marks, run under the preload by test_symbolize on every architecture. */
#include <stdio.h>

int main(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return 1;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    return fclose(f) != 0;
}
