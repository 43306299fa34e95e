/*
 * test_cxx.cc - the pools headers from C++ (compiled by $(CXX)): the C API and typed macros
 * compile and work, and every public member function of every class in hotpath/pools.hpp runs
 * inside a hot section without allocating, with its results checked (only a constructor's throw
 * in pool<T>::make runs outside one: throwing allocates). Plain asserts with an exit status (no
 * Check: its C macros are not the point here); failures print and exit 1.
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

/* Every public member of every class in pools.hpp runs at least once inside a hot section below
 * (constructors and destructors outside it): the allocation-free claim covers the whole face. */
static void pool_class()
{
    hotpath::pool<tracked> objs(3);
    hotpath::pool<std::uint64_t> raw(4);
    {
        hotpath::scope hot("c++ pool");
        tracked *a = objs.make(1), *b = objs.make(2), *c = objs.make(3);
        EXPECT(a && b && c && tracked::live == 3 && b->v == 2);
        EXPECT(objs.make(4) == nullptr);
        objs.destroy(b);
        EXPECT(tracked::live == 2 && objs.stats().in_use == 2);
        objs.destroy(a);
        objs.destroy(c);
        EXPECT(tracked::live == 0 && objs.stats().in_use == 0 && objs.stats().failed == 1);

        std::uint64_t *one = raw.acquire();
        EXPECT(one != nullptr);
        if (one) *one = 1;
        raw.release(one);
        std::uint64_t *out[4] = {}, *again[4] = {};
        EXPECT(raw.acquire_bulk(out, 5) == 0); /* all or nothing: none taken */
        EXPECT(raw.acquire_bulk(out, 3) == 3);
        EXPECT(raw.acquire_burst(out + 3, 4) == 1); /* as many as there are */
        EXPECT(raw.acquire_burst(again, 2) == 0 && raw.acquire() == nullptr);
        hp_pool_stats st = raw.stats();
        EXPECT(st.capacity == 4 && st.in_use == 4 && st.available == 0 && st.high_water == 4 &&
               st.failed == 3);
        for (int i = 0; i < 4; i++)
            EXPECT(out[i] != nullptr && hp_pool_owns(raw.c_pool(), out[i]));
        raw.release_bulk(out, 4);
        EXPECT(raw.stats().in_use == 0 && hp_pool_available(raw.c_pool()) == 4);
        EXPECT(raw.acquire_bulk(again, 4) == 4); /* a bulk release hands the same array back */
        EXPECT(std::memcmp(again, out, sizeof out) == 0);
        raw.release_bulk(again, 4);
    }
}

static void ring_class()
{
    hotpath::ring<std::uint64_t> ring(8);
    {
        hotpath::scope hot("c++ ring");
        EXPECT(ring.empty() && !ring.full() && ring.capacity() == 8 && ring.front() == nullptr);
        for (std::uint64_t i = 0; i < 8; i++)
            EXPECT(ring.push(i));
        EXPECT(!ring.push(9) && ring.full() && ring.size() == 8);
        std::uint64_t v = 99;
        EXPECT(ring.pop(v) && v == 0 && ring.size() == 7);
        EXPECT(ring.front() && *ring.front() == 1);
        std::uint64_t buf[8] = {};
        EXPECT(ring.pop_bulk(buf, 8) == 0);
        EXPECT(ring.pop_bulk(buf, 3) == 3 && buf[0] == 1 && buf[2] == 3);
        EXPECT(ring.pop_burst(buf, 8) == 4 && buf[0] == 4 && buf[3] == 7 && ring.empty());
        EXPECT(!ring.pop(v) && ring.pop_burst(buf, 1) == 0);
        const std::uint64_t src[8] = {10, 11, 12, 13, 14, 15, 16, 17};
        EXPECT(ring.push_bulk(src, 6) == 6);
        EXPECT(ring.push_bulk(src, 3) == 0 && ring.size() == 6);
        EXPECT(ring.push_burst(src + 6, 2) == 2 && ring.full() && ring.push_burst(src, 1) == 0);
        EXPECT(ring.pop_bulk(buf, 8) == 8 && buf[0] == 10 && buf[7] == 17);
        EXPECT(ring.high_water() == 8);
    }
}

static void spsc_class()
{
    hotpath::spsc<std::uint32_t> q(8);
    {
        hotpath::scope hot("c++ spsc, one thread");
        EXPECT(q.capacity() == 8 && q.size() == 0);
        std::uint32_t v = 0, buf[8] = {};
        EXPECT(!q.try_pop(v) && q.pop_burst(buf, 4) == 0);
        EXPECT(q.try_push(1) && q.try_pop(v) && v == 1);
        const std::uint32_t src[8] = {20, 21, 22, 23, 24, 25, 26, 27};
        EXPECT(q.push_bulk(src, 5) == 5 && q.push_bulk(src, 4) == 0);
        EXPECT(q.push_burst(src + 5, 8) == 3 && q.size() == 8 && !q.try_push(0));
        EXPECT(q.pop_bulk(buf, 9) == 0 && q.pop_bulk(buf, 2) == 2 && buf[0] == 20 && buf[1] == 21);
        EXPECT(q.pop_burst(buf, 8) == 6 && buf[0] == 22 && buf[5] == 27 && q.size() == 0);

        /* Zero-copy both ways. The indices stand at 9, slot 1: 7 slots to the buffer's end. */
        std::size_t n = 8;
        std::uint32_t *w = q.reserve(n);
        EXPECT(w != nullptr && n == 7);
        for (std::uint32_t i = 0; w && i < 4; i++)
            w[i] = 30 + i;
        q.commit(4);
        n = 8;
        std::uint32_t *r = q.peek(n);
        EXPECT(r != nullptr && n == 4 && r[0] == 30 && r[3] == 33);
        q.consume(2);
        EXPECT(q.front() && *q.front() == 32 && q.size() == 2);
        q.consume(2);
        n = 1;
        EXPECT(q.peek(n) == nullptr && n == 0);
        EXPECT(q.high_water() == 8);
    }
}

static void scratch_class()
{
    hotpath::scratch arena(4096);
    {
        hotpath::scope hot("c++ scratch");
        {
            hotpath::scratch::scope guard(arena);
            double *xs = arena.alloc<double>(100);
            EXPECT(xs != nullptr && reinterpret_cast<std::uintptr_t>(xs) % alignof(double) == 0);
            EXPECT(arena.used() >= 800);
        }
        EXPECT(arena.used() == 0);
        int *one = arena.alloc<int>(); /* n defaults to 1 */
        EXPECT(one != nullptr && arena.used() >= sizeof(int));
        void *b = arena.alloc_bytes(10, 64);
        EXPECT(b != nullptr && reinterpret_cast<std::uintptr_t>(b) % 64 == 0);
        hp_scratch_mark_t m = arena.mark();
        std::size_t at_mark = arena.used();
        EXPECT(arena.alloc_bytes(100, 8) != nullptr && arena.used() >= at_mark + 100);
        arena.rewind(m);
        EXPECT(arena.used() == at_mark);
        {
            hotpath::scratch::scope guard(arena.c_scratch()); /* the form for hp_scratch_thread() */
            EXPECT(arena.alloc<char>(1000) != nullptr);
        }
        EXPECT(arena.used() == at_mark);
        EXPECT(arena.alloc<char>(5000) == nullptr && hp_scratch_failed(arena.c_scratch()) == 1);
        arena.reset();
        EXPECT(arena.used() == 0 && hp_scratch_remaining(arena.c_scratch()) == 4096);
    }
}

static void fixed_vector_class()
{
    hotpath::fixed_vector<int, 3> fv;
    {
        hotpath::scope hot("c++ fixed_vector");
        static_assert(hotpath::fixed_vector<int, 3>::capacity() == 3, "capacity is N");
        EXPECT(fv.empty() && fv.size() == 0 && fv.begin() == fv.end() && !fv.pop_back());
        EXPECT(fv.push_back(1) && fv.push_back(2) && fv.push_back(3) && !fv.push_back(4));
        EXPECT(fv.full() && !fv.empty() && fv.size() == 3 && fv.capacity() == 3);
        int sum = 0;
        for (int x : fv)
            sum += x;
        EXPECT(sum == 6 && fv.end() - fv.begin() == 3);
        EXPECT(fv.at(3) == nullptr && fv.at(1) && *fv.at(1) == 2);
        fv[1] = 20;
        EXPECT(fv[1] == 20);
        int out = 0;
        EXPECT(fv.pop_back(&out) && out == 3 && fv.size() == 2 && !fv.full());
        EXPECT(fv.pop_back() && fv.size() == 1 && fv[0] == 1);
        fv.clear();
        EXPECT(fv.empty() && fv.at(0) == nullptr);
    }
}

static void fixed_map_class()
{
    hotpath::fixed_map<std::uint64_t, int> map(16);
    const hotpath::fixed_map<std::uint64_t, int> &cmap = map;
    {
        hotpath::scope hot("c++ fixed_map");
        EXPECT(map.capacity() == 16 && map.size() == 0 && cmap.find(0) == nullptr);
        for (int i = 0; i < 16; i++)
            EXPECT(map.put(static_cast<std::uint64_t>(i) * 1000, i) == 1);
        EXPECT(map.put(99, 1) == -1 && map.size() == 16);
        EXPECT(map.put(5000, 55) == 0); /* an update still works when full */
        EXPECT(cmap.find(5000) && *cmap.find(5000) == 55);
        EXPECT(map.erase(5000) && !map.find(5000) && !map.erase(5000) && map.size() == 15);
        for (int i = 0; i < 16; i++)
            EXPECT((map.find(static_cast<std::uint64_t>(i) * 1000) != nullptr) == (i != 5));
        EXPECT(map.put(99, 1) == 1 && *map.find(99) == 1);
        map.clear();
        EXPECT(map.size() == 0 && map.find(99) == nullptr);
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
    pool_class();
    ring_class();
    spsc_class();
    in_place_access();
    scratch_class();
    fixed_vector_class();
    fixed_map_class();
    make_releases_the_slot_when_the_constructor_throws();
    spsc_threads();
    std::printf("test_cxx: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
