// A hot function as users write it, built as CI builds it (-O2 -g): std::vector::push_back and
// std::unordered_map::operator[] allocate, and both are inlined into hot(), so the report must
// expand the inline chain to reach this file's lines (test/test_symbolize.c looks for the markers).
#include <hotpath.h>

#include <unordered_map>
#include <vector>

static std::vector<int> values;
static std::unordered_map<int, int> names;

__attribute__((noinline)) static void hot(int i)
{
    hotpath_enter("inline_tick");
    values.push_back(i); // HP_MARK_PUSH
    names[i] = 2 * i;    // HP_MARK_MAP
    hotpath_exit();
}

int main()
{
    for (int i = 0; i < 3; i++) hot(i);
    return values.size() == 3 && names.size() == 3 ? 0 : 1;
}
