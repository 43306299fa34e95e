// A C++ plugin for probe_plugin_host: dlopened with RTLD_LOCAL, so its libstdc++ is not in the
// process's start-up scope. Its `new` must still work (and be checked) under the sentinel.
#include <hotpath.h>

extern "C" int plugin_run(int hot)
{
    int *p;
    if (hot) {
        hotpath::scope s("plugin_section");
        p = new int(42);
    } else {
        p = new int(42);
    }
    int v = *p;
    delete p;
    return v;
}
