// make bench: what a full report costs (bench/report_cost.sh). A C++ program built -O2 -g whose
// hot function allocates through inlined library code (unordered_map::operator[] inserting a new
// key: one operator new per call, reached through a chain of inlined frames), called COUNT times
// from a few levels of calls; every call is a violation with a full report (mode=warn, dedup=0).
#include <hotpath.h>

#include <cstdlib>
#include <unordered_map>

static std::unordered_map<int, int> table;

__attribute__((noinline)) static void hot(int i)
{
    hotpath_enter("bench_report");
    table[i] = i;
    hotpath_exit();
}

__attribute__((noinline)) static void level2(int i) { hot(i); }
__attribute__((noinline)) static void level1(int i) { level2(i); }

int main(int argc, char **argv)
{
    int count = argc > 1 ? std::atoi(argv[1]) : 100;
    table.reserve(static_cast<size_t>(count) * 2 + 16); // no rehash inside the measured calls
    for (int i = 0; i < count; i++) level1(i);
    return table.size() == static_cast<size_t>(count) ? 0 : 1;
}
