// operator new when malloc fails, as without the preload: the new-handler runs, then bad_alloc is
// thrown; nothrow new returns nullptr; a handler that frees memory lets the retry succeed. (The
// sentinel's fast path calls the next malloc itself outside sections; a NULL must take the full
// path.) Prints one line per case.
#include <cstdio>
#include <cstdlib>
#include <new>

static int handler_calls;
static void *reserve;

static void giving_up() // gives up on the second call
{
    if (++handler_calls >= 2) std::set_new_handler(nullptr);
}

int main()
{
    const std::size_t huge = (std::size_t)1 << 62;
    std::set_new_handler(giving_up);
    try {
        void *volatile p = ::operator new(huge);
        std::printf("new: no exception %p\n", p);
    } catch (const std::bad_alloc &) {
        std::printf("new: bad_alloc after %d handler calls\n", handler_calls);
    }
    handler_calls = 0;
    std::set_new_handler(giving_up);
    void *volatile q = ::operator new[](huge, std::nothrow);
    std::printf("new[] nothrow: %s after %d handler calls\n", q ? "memory" : "nullptr", handler_calls);
    std::set_new_handler(nullptr);
    reserve = std::malloc(64);
    int *volatile r = new int[4];
    std::printf("new int[4]: %s\n", r ? "memory" : "nullptr");
    delete[] r;
    std::free(reserve);
    return 0;
}
