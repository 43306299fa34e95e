/* A C program that loads a C++ plugin with RTLD_LOCAL, as Python's ctypes and C extensions do.
 * argv[1] "hot" makes the plugin allocate inside a section. PLUGIN is its path (from test.mk). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    void *h = dlopen(PLUGIN, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    int (*run)(int) = (int (*)(int))dlsym(h, "plugin_run");
    printf("plugin_run -> %d\n", run(argc > 1 && !strcmp(argv[1], "hot")));
    printf("survived\n");
    return 0;
}
