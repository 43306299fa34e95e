/*
 * hotpath/pools.hpp - thin C++ classes over the C pools: typed, RAII for the memory taken at
 * construction, and nothing else. Every member function is an inline call of the C fast path,
 * so the cost and thread-safety are those documented in the C headers.
 *
 * Construction allocates (do it before the hot path) and throws std::bad_alloc or
 * std::invalid_argument on failure; nothing after construction allocates or throws, except that
 * pool<T>::make passes on an exception from T's own constructor (after releasing the slot).
 * The members that never allocate whatever T is are marked nonblocking for clang's effect
 * analysis (HP_POOLS_NONBLOCKING, see pools_common.h); make, destroy and the fixed vector's
 * push_back/pop_back run T's own code, so they are left to inference at the call.
 * ring/spsc/fixed_map copy elements with memcpy, so their types must be trivially copyable
 * (checked at compile time); fixed_map also hashes and compares keys as bytes, so from C++17 on
 * its key type must have no padding and no floating-point members (checked too). pool<T> can
 * construct and destroy any T in place.
 */
#ifndef HOTPATH_POOLS_HPP
#define HOTPATH_POOLS_HPP

#include "pools.h"

#include <cerrno>
#include <cstddef>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace hotpath
{

namespace detail
{
inline void check(int rc)
{
    if (rc == -ENOMEM) throw std::bad_alloc();
    if (rc != 0) throw std::invalid_argument("hotpath pools: invalid size, alignment or capacity");
}
} // namespace detail

/* Object pool of T: acquire/release raw slots, or make/destroy to construct in place. */
template <class T> class pool
{
  public:
    explicit pool(std::size_t count, unsigned flags = 0)
    {
        detail::check(hp_pool_create(&p_, sizeof(T), alignof(T), count, flags));
    }
    ~pool() { hp_pool_destroy(&p_); }
    pool(const pool &) = delete;
    pool &operator=(const pool &) = delete;

    T *acquire() noexcept HP_POOLS_NONBLOCKING { return static_cast<T *>(hp_pool_acquire(&p_)); }
    void release(T *o) noexcept HP_POOLS_NONBLOCKING { hp_pool_release(&p_, o); }
    /* Construct a T in a free slot; nullptr if the pool is exhausted. If T's constructor throws,
     * the slot goes back to the pool and the exception propagates. */
    template <class... A> T *make(A &&...args)
    {
        void *s = hp_pool_acquire(&p_);
        if (!s) return nullptr;
        /* Otherwise the slot stays acquired for good: nobody else has its address. The handler
         * costs nothing until something throws. */
        try {
            return new (s) T(std::forward<A>(args)...);
        } catch (...) {
            hp_pool_release(&p_, s);
            throw;
        }
    }
    /* Destroy a T from make() and release its slot. */
    void destroy(T *o) noexcept
    {
        o->~T();
        hp_pool_release(&p_, o);
    }
    /* Bulk: all n slots or none (returns n or 0). Burst: as many as are free, up to n. */
    std::size_t acquire_bulk(T **out, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp_pool_acquire_bulk(&p_, reinterpret_cast<void **>(out), n);
    }
    std::size_t acquire_burst(T **out, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp_pool_acquire_burst(&p_, reinterpret_cast<void **>(out), n);
    }
    void release_bulk(T *const *objs, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        hp_pool_release_bulk(&p_, reinterpret_cast<void *const *>(objs), n);
    }
    hp_pool_stats stats() const noexcept HP_POOLS_NONBLOCKING { return hp_pool_get_stats(&p_); }
    hp_pool *c_pool() noexcept HP_POOLS_NONBLOCKING { return &p_; }

  private:
    hp_pool p_;
};

/* Single-threaded FIFO ring of T. */
template <class T> class ring
{
    static_assert(std::is_trivially_copyable<T>::value, "hotpath::ring copies elements with memcpy");

  public:
    explicit ring(std::size_t capacity)
    {
        detail::check(hp_ring_create(&r_, sizeof(T), alignof(T), capacity));
    }
    ~ring() { hp_ring_destroy(&r_); }
    ring(const ring &) = delete;
    ring &operator=(const ring &) = delete;

    bool push(const T &v) noexcept HP_POOLS_NONBLOCKING { return hp__ring_push(&r_, &v, sizeof(T)); }
    bool pop(T &out) noexcept HP_POOLS_NONBLOCKING { return hp__ring_pop(&r_, &out, sizeof(T)); }
    T *front() noexcept HP_POOLS_NONBLOCKING { return static_cast<T *>(hp__ring_front(&r_, sizeof(T))); }
    std::size_t push_bulk(const T *s, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__ring_push_n(&r_, s, n, sizeof(T), 0);
    }
    std::size_t push_burst(const T *s, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__ring_push_n(&r_, s, n, sizeof(T), 1);
    }
    std::size_t pop_bulk(T *d, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__ring_pop_n(&r_, d, n, sizeof(T), 0);
    }
    std::size_t pop_burst(T *d, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__ring_pop_n(&r_, d, n, sizeof(T), 1);
    }
    /* Zero-copy, as hp_ring_reserve/hp_ring_commit and hp_ring_peek_span/hp_ring_consume: n in =
     * wanted, out = granted contiguous slots (nullptr and 0 when none); then commit(k) or
     * consume(k) with k <= granted. */
    T *reserve(std::size_t &n) noexcept HP_POOLS_NONBLOCKING
    {
        return static_cast<T *>(hp__ring_reserve(&r_, &n, sizeof(T)));
    }
    void commit(std::size_t k) noexcept HP_POOLS_NONBLOCKING { hp_ring_commit(&r_, k); }
    T *peek(std::size_t &n) noexcept HP_POOLS_NONBLOCKING
    {
        return static_cast<T *>(hp__ring_peek_span(&r_, &n, sizeof(T)));
    }
    void consume(std::size_t k) noexcept HP_POOLS_NONBLOCKING { hp_ring_consume(&r_, k); }
    void clear() noexcept HP_POOLS_NONBLOCKING { hp_ring_clear(&r_); }
    std::size_t size() const noexcept HP_POOLS_NONBLOCKING { return hp_ring_count(&r_); }
    std::size_t capacity() const noexcept HP_POOLS_NONBLOCKING { return hp_ring_capacity(&r_); }
    bool empty() const noexcept HP_POOLS_NONBLOCKING { return hp_ring_empty(&r_); }
    bool full() const noexcept HP_POOLS_NONBLOCKING { return hp_ring_full(&r_); }
    /* Most elements ever queued; 0 unless the pushing code is compiled with HP_POOLS_HIGH_WATER. */
    std::size_t high_water() const noexcept HP_POOLS_NONBLOCKING { return hp_ring_high_water(&r_); }

  private:
    hp_ring r_;
};

/* Lock-free single-producer/single-consumer ring of T (one pushing thread, one popping thread).
 * Allocate it with alignment (a member, a static, or new with C++17 aligned new). */
template <class T> class spsc
{
    static_assert(std::is_trivially_copyable<T>::value, "hotpath::spsc copies elements with memcpy");

  public:
    explicit spsc(std::size_t capacity)
    {
        detail::check(hp_spsc_create(&q_, sizeof(T), alignof(T), capacity));
    }
    ~spsc() { hp_spsc_destroy(&q_); }
    spsc(const spsc &) = delete;
    spsc &operator=(const spsc &) = delete;

    /* Producer side. */
    bool try_push(const T &v) noexcept HP_POOLS_NONBLOCKING { return hp__spsc_push(&q_, &v, sizeof(T)); }
    std::size_t push_bulk(const T *s, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__spsc_push_n(&q_, s, n, sizeof(T), 0);
    }
    std::size_t push_burst(const T *s, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__spsc_push_n(&q_, s, n, sizeof(T), 1);
    }
    T *reserve(std::size_t &n) noexcept HP_POOLS_NONBLOCKING
    {
        return static_cast<T *>(hp__spsc_reserve(&q_, &n, sizeof(T)));
    }
    void commit(std::size_t k) noexcept HP_POOLS_NONBLOCKING { hp_spsc_commit(&q_, k); }
    /* Consumer side. */
    bool try_pop(T &out) noexcept HP_POOLS_NONBLOCKING { return hp__spsc_pop(&q_, &out, sizeof(T)); }
    std::size_t pop_bulk(T *d, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__spsc_pop_n(&q_, d, n, sizeof(T), 0);
    }
    std::size_t pop_burst(T *d, std::size_t n) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__spsc_pop_n(&q_, d, n, sizeof(T), 1);
    }
    T *peek(std::size_t &n) noexcept HP_POOLS_NONBLOCKING
    {
        return static_cast<T *>(hp__spsc_peek_span(&q_, &n, sizeof(T)));
    }
    void consume(std::size_t k) noexcept HP_POOLS_NONBLOCKING { hp_spsc_consume(&q_, k); }
    /* The oldest element in place, or nullptr if empty; consume(1) hands its slot back. The
     * per-item call of a consumer that reads in place (cheaper than peek for one element). */
    T *front() noexcept HP_POOLS_NONBLOCKING { return static_cast<T *>(hp__spsc_front(&q_, sizeof(T))); }
    /* Either side. */
    std::size_t size() noexcept HP_POOLS_NONBLOCKING { return hp_spsc_count(&q_); }
    std::size_t capacity() const noexcept HP_POOLS_NONBLOCKING { return hp_spsc_capacity(&q_); }
    /* Producer. Upper bound on the most elements ever queued; 0 unless the pushing code is
     * compiled with HP_POOLS_HIGH_WATER. */
    std::size_t high_water() const noexcept HP_POOLS_NONBLOCKING { return hp_spsc_high_water(&q_); }

  private:
    hp_spsc q_;
};

/* Scratch arena. The calling thread's own arena (hp_scratch_thread_init) is reached through the C
 * calls on hp_scratch_thread(); scratch::scope(hp_scratch_thread()) marks and rewinds it. */
class scratch
{
  public:
    explicit scratch(std::size_t size = HP_SCRATCH_DEFAULT_SIZE, unsigned flags = 0)
    {
        detail::check(hp_scratch_create(&s_, size, flags));
    }
    ~scratch() { hp_scratch_destroy(&s_); }
    scratch(const scratch &) = delete;
    scratch &operator=(const scratch &) = delete;

    /* n uninitialised T, or nullptr when the arena is exhausted. */
    template <class T> T *alloc(std::size_t n = 1) noexcept HP_POOLS_NONBLOCKING
    {
        return static_cast<T *>(hp_scratch_alloc_array(&s_, n, sizeof(T), alignof(T)));
    }
    void *alloc_bytes(std::size_t size, std::size_t align) noexcept HP_POOLS_NONBLOCKING
    {
        return hp_scratch_alloc(&s_, size, align);
    }
    hp_scratch_mark_t mark() const noexcept HP_POOLS_NONBLOCKING { return hp_scratch_mark(&s_); }
    void rewind(hp_scratch_mark_t m) noexcept HP_POOLS_NONBLOCKING { hp_scratch_rewind(&s_, m); }
    void reset() noexcept HP_POOLS_NONBLOCKING { hp_scratch_reset(&s_); }
    std::size_t used() const noexcept HP_POOLS_NONBLOCKING { return hp_scratch_used(&s_); }
    hp_scratch *c_scratch() noexcept HP_POOLS_NONBLOCKING { return &s_; }

    /* RAII mark: everything allocated from the arena during the guard's life is released when it
     * ends, also when an exception unwinds it. */
    class scope
    {
      public:
        explicit scope(scratch &a) noexcept HP_POOLS_NONBLOCKING : s_(&a.s_), m_(hp_scratch_mark(&a.s_)) {}
        explicit scope(hp_scratch *s) noexcept HP_POOLS_NONBLOCKING : s_(s), m_(hp_scratch_mark(s)) {}
        ~scope() { hp_scratch_rewind(s_, m_); }
        scope(const scope &) = delete;
        scope &operator=(const scope &) = delete;

      private:
        hp_scratch *s_;
        hp_scratch_mark_t m_;
    };

  private:
    hp_scratch s_;
};

/* Fixed-capacity vector with inline storage (ArrayVec). T must be trivially copyable. */
template <class T, std::size_t N> class fixed_vector
{
    static_assert(std::is_trivially_copyable<T>::value, "hotpath::fixed_vector holds trivially copyable T");

  public:
    bool push_back(const T &v) noexcept
    {
        if (len_ >= N) return false;
        items_[len_++] = v;
        return true;
    }
    bool pop_back(T *out = nullptr) noexcept
    {
        if (len_ == 0) return false;
        --len_;
        if (out) *out = items_[len_];
        return true;
    }
    /* Pointer to element i, or nullptr when i >= size(). */
    T *at(std::size_t i) noexcept HP_POOLS_NONBLOCKING { return i < len_ ? &items_[i] : nullptr; }
    T &operator[](std::size_t i) noexcept HP_POOLS_NONBLOCKING { return items_[i]; }
    T *begin() noexcept HP_POOLS_NONBLOCKING { return items_; }
    T *end() noexcept HP_POOLS_NONBLOCKING { return items_ + len_; }
    std::size_t size() const noexcept HP_POOLS_NONBLOCKING { return len_; }
    static constexpr std::size_t capacity() noexcept HP_POOLS_NONBLOCKING { return N; }
    bool full() const noexcept HP_POOLS_NONBLOCKING { return len_ == N; }
    bool empty() const noexcept HP_POOLS_NONBLOCKING { return len_ == 0; }
    void clear() noexcept HP_POOLS_NONBLOCKING { len_ = 0; }

  private:
    std::size_t len_ = 0;
    T items_[N];
};

/* Fixed hash map K -> V with the byte-wise hash and equality (K without padding). */
template <class K, class V> class fixed_map
{
    static_assert(std::is_trivially_copyable<K>::value && std::is_trivially_copyable<V>::value,
                  "hotpath::fixed_map copies keys and values with memcpy");
#ifdef __cpp_lib_has_unique_object_representations
    /* Keys equal as values but differing in padding bytes (or floats such as 0.0 and -0.0) would
     * hash apart and compare unequal, and lookups would silently miss. */
    static_assert(
        std::has_unique_object_representations<K>::value,
        "hotpath::fixed_map hashes and compares keys byte by byte, so K must have no padding "
        "bytes (and no floating-point members): use a padding-free key (spell the padding out as "
        "members, or pack the fields into an integer), or the C map with your own hash and equality "
        "(HP_MAP_DEFINE in hotpath/map.h)");
#endif

  public:
    explicit fixed_map(std::size_t capacity)
    {
        detail::check(hp_map_create(&m_, sizeof(K), sizeof(V),
                                    alignof(K) > alignof(V) ? alignof(K) : alignof(V), capacity, nullptr,
                                    nullptr));
    }
    ~fixed_map() { hp_map_destroy(&m_); }
    fixed_map(const fixed_map &) = delete;
    fixed_map &operator=(const fixed_map &) = delete;

    V *find(const K &k) const noexcept HP_POOLS_NONBLOCKING
    {
        return static_cast<V *>(hp__map_find(&m_, &k, sizeof(K), hp_map_hash_bytes, hp_map_eq_bytes));
    }
    /* 1 inserted, 0 updated, -1 full. */
    int put(const K &k, const V &v) noexcept HP_POOLS_NONBLOCKING
    {
        int existed;
        V *slot = static_cast<V *>(
            hp__map_emplace(&m_, &k, &existed, sizeof(K), hp_map_hash_bytes, hp_map_eq_bytes));
        if (!slot) return -1;
        *slot = v;
        return !existed;
    }
    bool erase(const K &k) noexcept HP_POOLS_NONBLOCKING
    {
        return hp__map_erase(&m_, &k, sizeof(K), hp_map_hash_bytes, hp_map_eq_bytes);
    }
    std::size_t size() const noexcept HP_POOLS_NONBLOCKING { return hp_map_count(&m_); }
    std::size_t capacity() const noexcept HP_POOLS_NONBLOCKING { return hp_map_capacity(&m_); }
    void clear() noexcept HP_POOLS_NONBLOCKING { hp_map_clear(&m_); }

  private:
    hp_map m_;
};

} // namespace hotpath

#endif /* HOTPATH_POOLS_HPP */
