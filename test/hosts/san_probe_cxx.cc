// C++ under a sanitizer: the runtime's operator new is the one the program calls; a `new` in a
// section must still be reported.
#include <cstdio>
#include <cstring>
#include <hotpath.h>
#include <vector>

int main(int argc, char **argv)
{
    bool hot = argc > 1 && !std::strcmp(argv[1], "hot");
    std::vector<int> v(4);
    if (hot) hotpath_enter("san_cxx_section");
    int *volatile x = new int[8]; // SAN_HOT_NEW
    if (hot) hotpath_exit();
    delete[] x;
    std::printf("cxx done %zu\n", v.size());
    return 0;
}
