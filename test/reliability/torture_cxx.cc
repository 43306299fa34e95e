// C++ under the sentinel: exceptions thrown through HOTPATH_SCOPE and the hotpath::scope guard,
// through C frames (built with and without -fexceptions), from many threads at once. Scenario by
// argv[1]; prints what it measured and "survived". Counts are read after leaving sections.
#include <hotpath.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

extern "C" int c_frames_fx(void (*cb)(void));   // c_frames.c built with -fexceptions
extern "C" int c_frames_nofx(void (*cb)(void)); // the same built without

static void *volatile sink;

// HOTPATH_SCOPE (the C macro, a cleanup attribute) in C++ code: g++ runs it during unwinding.
__attribute__((noinline)) static void scope_macro_throws(int i)
{
    HOTPATH_SCOPE("macro_section");
    if (i >= 0) throw i; // __cxa_allocate_exception: one allocation in the section
}

__attribute__((noinline)) static void guard_levels(int throw_at, int level)
{
    hotpath::scope hot(level == 0 ? "level0" : level == 1 ? "level1" : "level2");
    if (level == throw_at) {
        hotpath::allow cold; // the throw's own allocation is a permitted cold path
        throw std::runtime_error("deep");
    }
    if (level < 2) guard_levels(throw_at, level + 1);
}

static void throwing_callback(void) { throw 42; }

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? std::atol(argv[2]) : 100;
    if (!std::strcmp(s, "macro_throw")) {
        long caught = 0, bad_depth = 0;
        for (long i = 0; i < n; i++) {
            try {
                scope_macro_throws((int)i);
            } catch (int) {
                caught++;
                bad_depth += hotpath_depth() != 0;
            }
        }
        std::printf("throws %ld caught %ld bad_depth %ld violations %lu\n", n, caught, bad_depth, hotpath_violations());
    } else if (!std::strcmp(s, "guard_levels")) {
        long bad = 0;
        for (long i = 0; i < n; i++) {
            int at = (int)(i % 3);
            try {
                hotpath::scope outer("outer");
                try {
                    guard_levels(at, 0);
                } catch (const std::exception &) {
                    bad += hotpath_depth() != 1; // back in "outer" only
                    bad += std::strcmp(hotpath_section(), "outer") != 0;
                    hotpath::allow cold;
                    throw; // rethrow through the outer guard
                }
            } catch (const std::exception &) {
                bad += hotpath_depth() != 0;
            }
        }
        std::printf("rounds %ld bad %ld violations %lu\n", n, bad, hotpath_violations());
    } else if (!std::strcmp(s, "c_frames")) {
        unsigned int fx = 99, nofx = 99;
        try {
            c_frames_fx(throwing_callback);
        } catch (int) {
            fx = hotpath_depth();
        }
        try {
            c_frames_nofx(throwing_callback);
        } catch (int) {
            nofx = hotpath_depth();
        }
        while (hotpath_depth()) hotpath_exit(); // the documented recovery
        std::printf("after C frames built with -fexceptions depth %u, without depth %u\n", fx, nofx);
    } else if (!std::strcmp(s, "threads")) {
        std::atomic<long> bad{0}, done{0};
        std::vector<std::thread> ts;
        for (int t = 0; t < 8; t++)
            ts.emplace_back([&, t] {
                for (long i = 0; i < n; i++) {
                    try {
                        guard_levels((int)((i + t) % 3), 0);
                    } catch (const std::exception &) {
                        if (hotpath_depth() != 0) bad++;
                    }
                    std::vector<int> v(100, t); // cold: outside sections
                    done++;
                }
            });
        for (auto &t : ts) t.join();
        std::printf("threads 8 rounds %ld bad %ld violations %lu\n", done.load(), bad.load(), hotpath_violations());
    } else if (!std::strcmp(s, "new")) { // operator new and new[] in a section: two violations
        {
            hotpath::scope hot("new_section");
            int *one = new int(1);
            int *many = new int[100];
            sink = one;
            sink = many;
            hotpath_allow_begin();
            delete one;
            delete[] many;
            hotpath_allow_end();
        }
        std::printf("active %d violations %lu\n", hotpath_sentinel_active(), hotpath_violations());
    } else {
        std::fprintf(stderr, "torture_cxx: unknown scenario '%s'\n", s);
        return 2;
    }
    std::printf("survived\n");
    return 0;
}
