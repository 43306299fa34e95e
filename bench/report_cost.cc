// make bench: what a full report costs (bench/report_cost.sh). Built -O2 -g; every call of the hot
// function is a violation with a full report (mode=warn, dedup=0). Two shapes of stack:
//   cxx  an inlined std::unordered_map::operator[] inserting a new key (one operator new per call,
//        reached through six inlined library frames with long template names), the case;
//   c    plain C-style code: strdup three calls below main, short names, no inlining.
#include <hotpath.h>

#include <cstdlib>
#include <cstring>
#include <unordered_map>

static std::unordered_map<int, int> table;
static char *volatile sink;

__attribute__((noinline)) static void hot_cxx(int i)
{
    hotpath_enter("bench_report");
    table[i] = i;
    hotpath_exit();
}

__attribute__((noinline)) static void copy_name(int i)
{
    char *p = strdup(i & 1 ? "odd" : "even");
    sink = p;
    free(p);
}
__attribute__((noinline)) static void hot_c(int i)
{
    hotpath_enter("bench_report");
    copy_name(i);
    hotpath_exit();
}

__attribute__((noinline)) static void level2(int i, bool c)
{
    if (c)
        hot_c(i);
    else
        hot_cxx(i);
    __asm__ volatile("" ::: "memory"); // not a tail call: level2 stays on the stack
}
__attribute__((noinline)) static void level1(int i, bool c)
{
    level2(i, c);
    __asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? std::atoi(argv[1]) : 100;
    bool c = argc > 2 && !std::strcmp(argv[2], "c");
    table.reserve(static_cast<size_t>(count) * 2 + 16); // no rehash inside the measured calls
    for (int i = 0; i < count; i++) level1(i, c);
    return c || table.size() == static_cast<size_t>(count) ? 0 : 1;
}
