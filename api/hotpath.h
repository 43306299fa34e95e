/*
 * hotpath.h - mark the latency-critical sections of a program.
 *
 * A thread is "hot" while it is inside at least one section (hotpath_enter ... hotpath_exit) and
 * outside every allow region (hotpath_allow_begin ... hotpath_allow_end). Run the program with
 * LD_PRELOAD=libhotpath.so and every heap allocation a hot thread makes is reported (and, by
 * default, the process aborts). Without the preload the marks only move a counter: they can stay
 * in production code. Defining HOTPATH_DISABLE before including this header compiles every mark
 * away, and hotpath_seal()/hotpath_unseal() with them (the queries stay, as calls into
 * libhotpath_api.so: a disabled build that calls one still links -lhotpath_api).
 *
 * Cost: hotpath_enter + hotpath_exit are a handful of instructions inlined into the caller on the
 * API library's initial-exec thread-local state: no call, no lock, no syscall, no allocation.
 * Thread-safety: all state is per thread; every function here acts on the calling thread only.
 * Link with `pkg-config --cflags --libs hotpath`. Works from C11 and C++.
 */
#ifndef HOTPATH_H
#define HOTPATH_H

#include <stddef.h> /* size_t, for hotpath_allocation */

#ifdef __cplusplus
extern "C" {
#endif

#define HOTPATH_VERSION_MAJOR 0
#define HOTPATH_VERSION_MINOR 1

/* Section names are kept for the innermost HOTPATH_STACK_SLOTS levels; deeper nesting is counted
 * exactly but names more than 16 levels below the top are overwritten (see hotpath_section). */
#define HOTPATH_STACK_SLOTS 16

/* Private: the per-thread state, exported by libhotpath_api.so and read by libhotpath.so on every
 * allocation. Kept small (144 bytes) because a plugin that dlopens the API library gets it from
 * glibc's static TLS surplus. Never touch the fields directly.
 * `depth` and `entered` share one 64-bit word (depth in its low half) so that enter counts the
 * section with the store it makes anyway: counting costs no instruction that touches memory. */
struct hotpath_thread {
    union {
        unsigned long long depth_entered; /* depth + (entered << 32) */
        struct {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            unsigned int entered; /* sections entered by this thread, modulo 2^32 */
            unsigned int depth;   /* sections entered and not yet left */
#else
            unsigned int depth;   /* sections entered and not yet left */
            unsigned int entered; /* sections entered by this thread, modulo 2^32 */
#endif
        };
    };
    const char *stack[HOTPATH_STACK_SLOTS];    /* ring: innermost name at (depth-1) % SLOTS */
    unsigned int allow;                        /* allow regions open */
};
/* The symbol is versioned with the layout: a program built against another layout fails to load
 * rather than have its marks misread. */
extern __thread struct hotpath_thread hotpath_thread_state __asm__("hotpath_thread_state_v2")
    __attribute__((tls_model("initial-exec")));

/* Out-of-line versions of the marks, for dlsym users and other languages' FFI. The header's
 * macros below make C and C++ callers use the inlined versions instead. */

/* Enter a hot section named `section` (a string that lives as long as the section; NULL reported as
 * "(null)"). Sections nest without limit. O(1), never allocates. */
void hotpath_enter(const char *section);
/* Leave the innermost section; the enclosing one's name becomes current again. Without a matching
 * enter: a one-line diagnostic on stderr (the first few times) and nothing else. O(1). */
void hotpath_exit(void);
/* Open / close a region where allocation is permitted inside a hot section (a cold branch: error
 * handling, a rare resize). Regions nest. allow_end without begin: diagnostic, ignored. O(1). */
void hotpath_allow_begin(void);
void hotpath_allow_end(void);

/* Queries on the calling thread. O(1), never allocate. */
/* Number of sections entered and not yet left (0 = not in a section). */
unsigned int hotpath_depth(void);
/* Name of the innermost section; "(sealed)" outside sections while the process is sealed; NULL
 * otherwise. */
const char *hotpath_section(void);
/* 1 if an allocation now would be a violation (in a section or sealed, outside allow regions). */
int hotpath_is_hot(void);

/* Seal the process: from now on every thread is hot, in a section named "(sealed)", except inside
 * allow regions. Call it once start-up is over and every thread exists ("allocate everything at
 * start-up, then never again"). hotpath_unseal() ends it, e.g. for shutdown. Thread-safe; costs
 * nothing on the allocation path while unsealed. Without the sentinel they only set a flag. */
void hotpath_seal(void);
void hotpath_unseal(void);
/* 1 while the process is sealed. */
int hotpath_sealed(void);
/* 1 if libhotpath.so is loaded and checking this process, else 0. Thread-safe. */
int hotpath_sentinel_active(void);
/* Violations the sentinel has seen in this process so far (all threads, all modes); 0 without it. */
unsigned long hotpath_violations(void);

/* Private: called by the inline marks on misuse; prints the one-line diagnostic. */
void hotpath__unbalanced(const char *what);
/* Private: called by the inline enter when the thread's count of sections entered was 0 (its first
 * section, or the count wrapped), so that the count is found by the sentinel's exit summary and
 * kept when the thread exits. Never allocates. */
void hotpath__thread_counted(void);

#if defined(__GNUC__)
#define HOTPATH__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define HOTPATH__UNLIKELY(x) (x)
#endif

/* Compiler barrier around every change of the state. Compilers know that malloc reads no user
 * memory, so without it they may move (or merge away) the stores across an allocation; the
 * barrier costs no instruction. */
#define HOTPATH__BARRIER() __atomic_signal_fence(__ATOMIC_SEQ_CST)

/* ---- The static check: clang's function effect analysis (clang 20 and later) ------------------
 * HOTPATH_NONBLOCKING / HOTPATH_NONALLOCATING mark a function for the compiler: clang proves, at
 * compile time, that it calls nothing that may allocate (nonallocating) or also lock or block
 * (nonblocking), the callees it cannot see into counting as unsafe. Write the mark after the
 * parameter list (in C++ after noexcept):
 *     static void op_window(struct core *c, const struct ev *e) HOTPATH_NONBLOCKING { ... }
 * They expand to clang's `nonblocking` / `nonallocating` where the compiler has them (a feature
 * test, not a version), to nothing elsewhere (gcc, older clang) and under HOTPATH_DISABLE or
 * HOTPATH_NO_EFFECTS (which also leave clang's diagnostics alone). The sentinel checks what runs; this checks every path of a marked function,
 * run or not, but sees only one translation unit and trusts function pointers' types.
 *
 * What the check needs comes with the marks, so adding them is enough:
 * - this header makes -Wfunction-effects (off by default) an error from here on; define
 *   HOTPATH_EFFECTS_WARN for warnings instead (it then overrides -Werror=function-effects);
 * - `pkg-config --cflags hotpath` turns off the libc builtins clang would otherwise trust although
 *   they allocate or block (strdup, strndup, strerror, strxfrm, vfork); HOTPATH_EFFECTS_CHECKED is
 *   1 when the marks are on and those builtins are off (static-assert it where that matters).
 * The exemptions, all here: the marks' own thread-local state (initial-exec TLS, which needs no
 * allocation), their misuse diagnostics, a thread's one-time registration on its first section,
 * and HOTPATH_ALLOW / HOTPATH_UNCHECKED below. */
#if !defined(HOTPATH_DISABLE) && !defined(HOTPATH_NO_EFFECTS) && defined(__has_attribute)
#if __has_attribute(nonblocking) && __has_attribute(nonallocating)
#define HOTPATH__EFFECTS 1
#endif
#endif
#ifdef HOTPATH__EFFECTS
#if defined(__cplusplus) && defined(__has_cpp_attribute)
#if __has_cpp_attribute(clang::nonblocking)
#define HOTPATH_NONBLOCKING [[clang::nonblocking]]
#define HOTPATH_NONALLOCATING [[clang::nonallocating]]
#endif
#endif
#ifndef HOTPATH_NONBLOCKING
#define HOTPATH_NONBLOCKING __attribute__((nonblocking))
#define HOTPATH_NONALLOCATING __attribute__((nonallocating))
#endif
/* HOTPATH_UNCHECKED(code): `code` (statements or an expression) is exempt from the static check:
 * for calls known to be safe that the analysis cannot see into (an unannotated library), never
 * for ones that allocate (use HOTPATH_ALLOW). The sentinel still checks it at run time. */
#define HOTPATH_UNCHECKED(...)                                                                               \
    _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wfunction-effects\"")              \
        __VA_ARGS__ _Pragma("clang diagnostic pop")
#ifdef HOTPATH_EFFECTS_WARN
#pragma clang diagnostic warning "-Wfunction-effects"
#else
#pragma clang diagnostic error "-Wfunction-effects"
#endif
#if defined(__has_builtin)
#if !__has_builtin(strdup) && !__has_builtin(strndup) && !__has_builtin(strerror) &&                         \
    !__has_builtin(strxfrm) && !__has_builtin(vfork)
#define HOTPATH_EFFECTS_CHECKED 1
#endif
#endif
#else
#define HOTPATH_NONBLOCKING
#define HOTPATH_NONALLOCATING
#define HOTPATH_UNCHECKED(...) __VA_ARGS__
#endif
#ifndef HOTPATH_EFFECTS_CHECKED
#define HOTPATH_EFFECTS_CHECKED 0
#endif
/* HOTPATH_ALLOW(statements): run them in an allow region, exempt from both checks: the cold branch
 * of a marked function that may allocate (a rare resize, an error report). No return, break or
 * goto out of them (the region would stay open). Statement form:
 *     if (full) HOTPATH_ALLOW(v = grow(c));                                                       */
#define HOTPATH_ALLOW(...)                                                                                   \
    do {                                                                                                     \
        hotpath_allow_begin();                                                                               \
        HOTPATH_UNCHECKED(__VA_ARGS__;)                                                                      \
        hotpath_allow_end();                                                                                 \
    } while (0)
/* Private: the calling thread's state, exempt: initial-exec TLS is an offset from the thread
 * pointer, no allocation and no lock (the analysis refuses every thread-local variable). */
#define HOTPATH__STATE() (HOTPATH_UNCHECKED(&hotpath_thread_state))

/* The word is read and written whole (a store of half of it followed by a load of all of it would
 * stall the next mark on store forwarding); the relaxed atomic store only lets the exit summary
 * read the count from another thread, it compiles to a plain store. */
static inline void hotpath__enter_inline(const char *section) HOTPATH_NONBLOCKING
{
    struct hotpath_thread *t = HOTPATH__STATE();
    unsigned long long w = t->depth_entered;
    t->stack[(unsigned int)w % HOTPATH_STACK_SLOTS] = section;
    /* The name is stored before the depth makes it visible to a signal handler's report. */
    HOTPATH__BARRIER();
    __atomic_store_n(&t->depth_entered, w + ((1ull << 32) | 1), __ATOMIC_RELAXED);
    HOTPATH__BARRIER();
    /* Exempt from the static check: once per thread (its first section), the exit summary's
     * registration, under a lock held for a few instructions. */
    if (HOTPATH__UNLIKELY((w >> 32) == 0)) HOTPATH_UNCHECKED(hotpath__thread_counted();)
}

static inline void hotpath__exit_inline(void) HOTPATH_NONBLOCKING
{
    struct hotpath_thread *t = HOTPATH__STATE();
    HOTPATH__BARRIER();
    unsigned long long w = t->depth_entered;
    if (HOTPATH__UNLIKELY((unsigned int)w == 0)) {
        HOTPATH_UNCHECKED(hotpath__unbalanced("hotpath_exit() without a matching hotpath_enter()");)
        return;
    }
    __atomic_store_n(&t->depth_entered, w - 1, __ATOMIC_RELAXED);
    HOTPATH__BARRIER();
}

static inline void hotpath__allow_begin_inline(void) HOTPATH_NONBLOCKING
{
    HOTPATH__BARRIER();
    HOTPATH__STATE()->allow++;
    HOTPATH__BARRIER();
}

static inline void hotpath__allow_end_inline(void) HOTPATH_NONBLOCKING
{
    struct hotpath_thread *t = HOTPATH__STATE();
    HOTPATH__BARRIER();
    if (HOTPATH__UNLIKELY(t->allow == 0)) {
        HOTPATH_UNCHECKED(
            hotpath__unbalanced("hotpath_allow_end() without a matching hotpath_allow_begin()");)
        return;
    }
    t->allow--;
    HOTPATH__BARRIER();
}

/* Private: the guard behind HOTPATH_SCOPE / HOTPATH_FUNCTION. */
typedef struct hotpath__scope {
    unsigned char unused;
} hotpath__scope;
static inline hotpath__scope hotpath__scope_enter(const char *section) HOTPATH_NONBLOCKING
{
    hotpath__enter_inline(section);
    hotpath__scope s = {0};
    return s;
}
static inline void hotpath__scope_leave(hotpath__scope *s) HOTPATH_NONBLOCKING
{
    (void)s;
    hotpath__exit_inline();
}

#define HOTPATH__CAT2(a, b) a##b
#define HOTPATH__CAT(a, b) HOTPATH__CAT2(a, b)

#ifndef HOTPATH_DISABLE

#define hotpath_enter(section) hotpath__enter_inline(section)
#define hotpath_exit() hotpath__exit_inline()
#define hotpath_allow_begin() hotpath__allow_begin_inline()
#define hotpath_allow_end() hotpath__allow_end_inline()

/* HOTPATH_SCOPE(name): enter section `name` now; leave it when the enclosing block ends, however
 * it ends (return, break, goto out of the block). Not on longjmp or a C++ exception thrown through
 * C frames (use hotpath::scope in C++). */
#define HOTPATH_SCOPE(name)                                                                        \
    __attribute__((cleanup(hotpath__scope_leave), unused)) hotpath__scope HOTPATH__CAT(           \
        hotpath__scope_, __LINE__) = hotpath__scope_enter(name)
/* HOTPATH_FUNCTION(): mark the rest of the enclosing function as a section named after it. */
#define HOTPATH_FUNCTION() HOTPATH_SCOPE(__func__)

#else /* HOTPATH_DISABLE: every mark compiles to nothing */

#define hotpath_enter(section) ((void)0)
#define hotpath_exit() ((void)0)
#define hotpath_allow_begin() ((void)0)
#define hotpath_allow_end() ((void)0)
#define HOTPATH_SCOPE(name) typedef int HOTPATH__CAT(hotpath__scope_off_, __LINE__) __attribute__((unused))
#define HOTPATH_FUNCTION() HOTPATH_SCOPE(0)
/* The seal goes too: with the allow regions compiled away, a sealed process would report every
 * allocation its allow regions were written to permit. */
#define hotpath_seal() ((void)0)
#define hotpath_unseal() ((void)0)

#endif /* HOTPATH_DISABLE */

/* ---- Your own blocking functions and allocators ------------------------------------------------
 * RealtimeSanitizer's [[clang::blocking]] and its allocator hooks, for any compiler. */

/* Report a call to a blocking function of your own (a logger that takes a lock, a spin-wait, a
 * slow path) named `name` (a string that lives as long as the process; NULL shown as "(null)"):
 * inside a section (thread in a section or process sealed, outside allow regions) it is a
 * violation "BLOCKING CALL IN HOT PATH!" with Operation: `name`, handled as every violation
 * (mode, dedup, suppressions, the gate); outside one nothing happens. Not gated by check=: you
 * marked it. Cost outside a section: a thread-local load and a test, inlined (the exported
 * function: one call more). Without the sentinel it does nothing. Thread-safe; never allocates. */
void hotpath_blocking(const char *name);
/* Report an allocation of `size` bytes by `op` ("mi_malloc", "alloc", ...) made by an allocator
 * that never calls malloc (mimalloc, jemalloc or a pool linked into the program, a Rust
 * #[global_allocator]): call it from the allocator or a wrapper around it. Checked exactly like
 * malloc: inside a section a violation "ALLOCATION IN HOT PATH!" with Operation: `op` (`size`
 * bytes), through the same modes, dedup, suppressions and gate; nothing outside one. Same cost
 * and thread-safety as hotpath_blocking. */
void hotpath_allocation(const char *op, size_t size);

/* Private: the seal flag the inline fast path reads. */
extern int hotpath__sealed;
#define HOTPATH__EVENT_BLOCKING 1
#define HOTPATH__EVENT_ALLOCATION 2
/* Private: the slow path, when the calling thread may be hot; the hook decides. */
void hotpath__event(int kind, const char *name, size_t size);
/* A macro rather than an inline function, so that a report's line is the caller's. */
#define hotpath__event_fast(kind, name, size)                                                      \
    ((void)(HOTPATH__UNLIKELY(hotpath_thread_state.depth != 0 ||                                   \
                              __atomic_load_n(&hotpath__sealed, __ATOMIC_RELAXED))                 \
                ? hotpath__event((kind), (name), (size))                                           \
                : (void)0))

#ifndef HOTPATH_DISABLE
#define hotpath_blocking(name) hotpath__event_fast(HOTPATH__EVENT_BLOCKING, (name), 0)
#define hotpath_allocation(op, size) hotpath__event_fast(HOTPATH__EVENT_ALLOCATION, (op), (size))
/* HOTPATH_BLOCKING_FUNCTION(): the first statement of a function that may block; each call of the
 * function inside a section is reported as a blocking call named after the function. */
#define HOTPATH_BLOCKING_FUNCTION() hotpath_blocking(__func__)
#else
#define hotpath_blocking(name) ((void)0)
#define hotpath_allocation(op, size) ((void)0)
#define HOTPATH_BLOCKING_FUNCTION() ((void)0)
#endif

#ifdef __cplusplus
} /* extern "C" */

namespace hotpath {
/* RAII guard: a hot section for the guard's lifetime, left also when an exception unwinds it. */
class scope {
  public:
    explicit scope(const char *section) noexcept HOTPATH_NONBLOCKING
    {
        (void)section;
        hotpath_enter(section);
    }
    ~scope() noexcept HOTPATH_NONBLOCKING { hotpath_exit(); }
    scope(const scope &) = delete;
    scope &operator=(const scope &) = delete;
};
/* RAII guard: an allow region for the guard's lifetime. */
class allow {
  public:
    allow() noexcept HOTPATH_NONBLOCKING { hotpath_allow_begin(); }
    ~allow() noexcept HOTPATH_NONBLOCKING { hotpath_allow_end(); }
    allow(const allow &) = delete;
    allow &operator=(const allow &) = delete;
};
} /* namespace hotpath */
#endif

#endif /* HOTPATH_H */
