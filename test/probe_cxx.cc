// C++ allocations inside a hot section, and the RAII guards. Scenario chosen by argv[1].
#include <hotpath.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

static void *volatile sink;

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "new";
    std::vector<int> v;
    if (!std::strcmp(s, "new")) {
        hotpath::scope hot("cxx_section");
        sink = new int(7);
    } else if (!std::strcmp(s, "vector")) {
        hotpath::scope hot("cxx_section");
        v.push_back(1);
        sink = v.data();
    } else if (!std::strcmp(s, "string")) {
        hotpath::scope hot("cxx_section");
        std::string str(100, 'x');
        sink = (void *)str.data();
    } else if (!std::strcmp(s, "array")) {
        hotpath::scope hot("cxx_section");
        sink = new int[10];
    } else if (!std::strcmp(s, "nothrow")) {
        hotpath::scope hot("cxx_section");
        sink = new (std::nothrow) long(5);
    } else if (!std::strcmp(s, "aligned")) {
        struct alignas(64) line {
            char bytes[64];
        };
        hotpath::scope hot("cxx_section");
        sink = new line;
    } else if (!std::strcmp(s, "bad_alloc_then_malloc")) {
        // bad_alloc thrown through the sentinel's operator new inside an allow region must not
        // leave it believing the next allocation is part of that new.
        hotpath::scope hot("cxx_section");
        {
            hotpath::allow cold;
            try {
                char *volatile big = new char[(std::size_t)1 << 46];
                delete[] big;
            } catch (const std::bad_alloc &) {
                std::printf("bad_alloc caught\n");
            }
        }
        sink = std::malloc(24);
    } else if (!std::strcmp(s, "exception")) {
        // The guard leaves the section while the exception unwinds; the throw's own allocation
        // (__cxa_allocate_exception) happens inside the allow region.
        try {
            hotpath::scope hot("throwing_section");
            hotpath::allow cold;
            throw std::runtime_error("cold error path");
        } catch (const std::exception &e) {
            std::printf("caught %s depth %u\n", e.what(), hotpath_depth());
        }
        sink = new int(1); // outside any section: fine
    }
    std::printf("survived\n");
    return 0;
}
