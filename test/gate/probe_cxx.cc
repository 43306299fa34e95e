// The issue-12 case for the gate: at -O2 -g, a hot C++ function whose std::vector::push_back and
// std::unordered_map::operator[] allocate. Both calls are inlined: the allocation's frames go from
// operator new through new_allocator.h and stl_vector.h, and only the inline chain leads back to
// this file. The gate must show two sites, at the GATE_CXX_PUSH and GATE_CXX_MAP lines, and the
// sentinel's exit summary must pick the same lines (tests in test/gate/run.sh).
//   probe_cxx N      N rounds of both calls in section "cxx_section" (warn mode: repeats counted)
#include <hotpath.h>

#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <vector>

static std::vector<int> values;
static std::unordered_map<int, int> index_of;

__attribute__((noinline)) static void hot(int n)
{
    for (int i = 0; i < n; i++) {
        hotpath_enter("cxx_section");
        values.push_back(i); /* GATE_CXX_PUSH */
        index_of[i] = i;     /* GATE_CXX_MAP */
        hotpath_exit();
    }
}

int main(int argc, char **argv)
{
    hot(argc > 1 ? atoi(argv[1]) : 3);
    std::printf("survived %zu\n", values.size() + index_of.size());
    return 0;
}
