/*
 * test_cxx.cc - the pools headers from C++ (compiled by $(CXX)): the C API and typed macros
 * compile and work, and the thin classes in hotpath/pools.hpp do every post-construction
 * operation inside a hot section without allocating. Plain asserts with an exit status (no Check:
 * its C macros are not the point here); failures print and exit 1.
 */
/* The rings' pushes then track their peaks, so high_water() has exact values to check. */
#define HP_POOLS_HIGH_WATER 1

#include <hotpath.h>
#include <hotpath/pools.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

static int failures;
#define EXPECT(c)                                                                                            \
    do {                                                                                                     \
        if (!(c)) {                                                                                          \
            hotpath::allow a_;                                                                               \
            std::fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #c);                            \
            failures++;                                                                                      \
        }                                                                                                    \
    } while (0)

HP_RING_DEFINE(c_ring, int);
HP_POOL_DEFINE(c_pool, double);
HP_MAP_DEFINE_BYTES(c_map, std::uint32_t, std::uint64_t);
HP_VEC_DEFINE(c_vec, short, 4);

struct tracked {
    static int live;
    int v;
    explicit tracked(int x) : v(x) { live++; }
    ~tracked() { live--; }
};
int tracked::live = 0;

struct throws_on_request {
    explicit throws_on_request(bool t)
    {
        if (t) throw 42;
    }
};

static void c_api_from_cxx()
{
    c_ring r;
    c_pool p;
    c_map m;
    EXPECT(c_ring_create(&r, 4) == 0);
    EXPECT(c_pool_create(&p, 2) == 0);
    EXPECT(c_map_create(&m, 8) == 0);
    {
        hotpath::scope hot("c api from c++");
        EXPECT(c_ring_push(&r, 1) && c_ring_push(&r, 2));
        int v = 0;
        EXPECT(c_ring_pop(&r, &v) && v == 1);
        double *d = c_pool_acquire(&p);
        EXPECT(d != nullptr);
        c_pool_release(&p, d);
        EXPECT(c_map_put(&m, 7u, 70u) == 1);
        EXPECT(*c_map_find(&m, 7u) == 70u);
        c_vec vec = {};
        EXPECT(c_vec_push(&vec, 3) && c_vec_len(&vec) == 1);
    }
    c_ring_destroy(&r);
    c_pool_destroy(&p);
    c_map_destroy(&m);
}

static void classes()
{
    hotpath::pool<tracked> pool(3);
    hotpath::ring<std::uint64_t> ring(8);
    hotpath::scratch arena(4096);
    hotpath::fixed_map<std::uint64_t, int> map(16);
    {
        hotpath::scope hot("c++ classes");
        tracked *a = pool.make(1), *b = pool.make(2), *c = pool.make(3);
        EXPECT(a && b && c && tracked::live == 3);
        EXPECT(pool.make(4) == nullptr);
        pool.destroy(b);
        EXPECT(tracked::live == 2 && pool.stats().in_use == 2);
        pool.destroy(a);
        pool.destroy(c);

        for (std::uint64_t i = 0; i < 8; i++)
            EXPECT(ring.push(i));
        EXPECT(!ring.push(9) && ring.full());
        std::uint64_t v;
        EXPECT(ring.pop(v) && v == 0 && ring.size() == 7);

        {
            hotpath::scratch::scope guard(arena);
            double *xs = arena.alloc<double>(100);
            EXPECT(xs != nullptr && reinterpret_cast<std::uintptr_t>(xs) % alignof(double) == 0);
            EXPECT(arena.used() >= 800);
        }
        EXPECT(arena.used() == 0);
        EXPECT(arena.alloc<char>(5000) == nullptr);

        hotpath::fixed_vector<int, 3> fv;
        EXPECT(fv.push_back(1) && fv.push_back(2) && fv.push_back(3) && !fv.push_back(4));
        int sum = 0;
        for (int x : fv)
            sum += x;
        EXPECT(sum == 6 && fv.at(3) == nullptr);

        for (int i = 0; i < 16; i++)
            EXPECT(map.put(static_cast<std::uint64_t>(i) * 1000, i) == 1);
        EXPECT(map.put(99, 1) == -1);
        EXPECT(map.find(5000) && *map.find(5000) == 5);
        EXPECT(map.erase(5000) && !map.find(5000));
    }
}

/* The in-place calls: ring reserve/commit/peek/consume/clear, spsc front, both high_water. */
static void in_place_access()
{
    hotpath::ring<std::uint32_t> ring(8);
    hotpath::spsc<std::uint32_t> q(8);
    {
        hotpath::scope hot("c++ in-place access");
        std::size_t n = 5;
        std::uint32_t *w = ring.reserve(n);
        EXPECT(w != nullptr && n == 5);
        for (std::uint32_t i = 0; w && i < 5; i++)
            w[i] = 100 + i;
        ring.commit(5);
        EXPECT(ring.size() == 5 && ring.high_water() == 5);
        n = 8;
        const std::uint32_t *r = ring.peek(n);
        EXPECT(r != nullptr && n == 5 && r[0] == 100 && r[4] == 104);
        ring.consume(3);
        EXPECT(ring.size() == 2 && ring.front() && *ring.front() == 103);
        n = 8;
        w = ring.reserve(n); /* the buffer's end limits the span to slots 5..7 */
        EXPECT(w != nullptr && n == 3);
        for (std::uint32_t i = 0; w && i < 3; i++)
            w[i] = 200 + i;
        ring.commit(3);
        n = 8;
        w = ring.reserve(n); /* from slot 0, limited by the free space */
        EXPECT(w != nullptr && n == 3);
        if (w) w[0] = 300;
        ring.commit(1);
        EXPECT(ring.size() == 6 && ring.high_water() == 6);
        n = 8;
        r = ring.peek(n); /* slots 3..7, up to the buffer's end */
        EXPECT(r != nullptr && n == 5 && r[0] == 103 && r[1] == 104 && r[2] == 200 && r[4] == 202);
        ring.consume(5);
        n = 8;
        r = ring.peek(n);
        EXPECT(r != nullptr && n == 1 && r[0] == 300);
        ring.clear();
        n = 4;
        EXPECT(ring.empty() && ring.peek(n) == nullptr && n == 0);
        for (std::uint32_t i = 0; i < 8; i++)
            EXPECT(ring.push(i));
        n = 1;
        EXPECT(ring.reserve(n) == nullptr && n == 0);

        EXPECT(q.front() == nullptr);
        for (std::uint32_t i = 0; i < 8; i++)
            EXPECT(q.try_push(i));
        EXPECT(q.high_water() == 8);
        for (std::uint32_t i = 0; i < 8; i++) {
            std::uint32_t *f = q.front();
            EXPECT(f != nullptr && *f == i);
            q.consume(1);
        }
        EXPECT(q.front() == nullptr && q.size() == 0);
    }
}

/* A constructor throwing inside make() must not cost the pool its slot. Throwing allocates the
 * exception, so this runs outside a hot section. */
static void make_releases_the_slot_when_the_constructor_throws()
{
    hotpath::pool<throws_on_request> pool(1);
    int caught = 0;
    try {
        pool.make(true);
    } catch (int e) {
        caught = e;
    }
    EXPECT(caught == 42);
    EXPECT(pool.stats().in_use == 0 && pool.stats().available == 1);
    throws_on_request *o = pool.make(false);
    EXPECT(o != nullptr && pool.stats().in_use == 1);
    if (o) pool.destroy(o);
}

static void spsc_threads()
{
    static hotpath::spsc<std::uint32_t> q(64);
    const std::uint32_t n = 200000;
    std::uint32_t errors = 0;
    std::thread consumer([&] {
        hotpath::scope hot("c++ consumer");
        std::uint32_t expect = 0, v;
        while (expect < n) {
            /* Alternate copying out and reading in place. */
            const std::uint32_t *f = expect % 2 ? q.front() : nullptr;
            if (f) {
                errors += *f != expect++;
                q.consume(1);
            } else if (expect % 2 == 0 && q.try_pop(v)) {
                errors += v != expect++;
            } else {
                std::this_thread::yield(); /* valgrind runs one thread at a time: let the other go */
            }
        }
    });
    {
        hotpath::scope hot("c++ producer");
        for (std::uint32_t i = 0; i < n;) {
            if (q.try_push(i))
                i++;
            else
                std::this_thread::yield();
        }
    }
    consumer.join();
    EXPECT(errors == 0);
    EXPECT(q.high_water() >= 1 && q.high_water() <= 64);
}

int main()
{
    if (std::getenv("HP_REQUIRE_SENTINEL") && !hotpath_sentinel_active()) {
        std::fprintf(stderr, "test_cxx: libhotpath.so is not loaded\n");
        return 1;
    }
    c_api_from_cxx();
    classes();
    in_place_access();
    make_releases_the_slot_when_the_constructor_throws();
    spsc_threads();
    std::printf("test_cxx: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
