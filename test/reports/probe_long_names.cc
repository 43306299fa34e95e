// A C++ function whose demangled name runs to hundreds of characters (nested templates and a long
// parameter list), allocating in a section: the exit summary's site line must stay readable.
#include <hotpath.h>

#include <map>
#include <string>
#include <vector>

template <typename A, typename B, typename C>
__attribute__((noinline)) std::vector<std::map<A, std::vector<B>>> *grow(const std::map<A, std::vector<C>> &,
                                                                         int n)
{
    auto *v = new std::vector<std::map<A, std::vector<B>>>(); // HP_MARK_NEW
    v->reserve((size_t)n);                                    // HP_MARK_RESERVE
    return v;
}

int main()
{
    std::map<std::string, std::vector<std::map<std::string, std::wstring>>> in;
    hotpath_enter("long_names");
    auto *v = grow<std::string, std::map<std::wstring, std::vector<std::string>>,
                   std::map<std::string, std::wstring>>(in, 4);
    hotpath_exit();
    delete v;
    return 0;
}
