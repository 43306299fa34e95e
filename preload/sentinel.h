/*
 * Internal interfaces of libhotpath.so, the sentinel. Nothing declared here is exported.
 *
 * Everything reachable from an interposed allocator entry point must obey the rules of code that
 * runs inside malloc: no allocation through the checked path (the report path's own allocations
 * pass unchecked under a per-thread guard), no stdio, no unbounded lock, no recursion, and only
 * initial-exec thread-local storage.
 */
#ifndef HP_SENTINEL_H
#define HP_SENTINEL_H

#include <stddef.h>
#include <stdint.h>

#define HP_HIDDEN __attribute__((visibility("hidden")))
#define HP_LIKELY(x) __builtin_expect(!!(x), 1)
#define HP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HP_COLD __attribute__((noinline, cold))

/* ---- options.c: HOTPATH_OPTIONS ------------------------------------------------------------- */
enum hp_mode { HP_MODE_ABORT, HP_MODE_WARN, HP_MODE_COUNT };

/* The categories of check=LIST. */
enum hp_check {
    HP_CHECK_ALLOC = 1 << 0, /* the malloc family */
    HP_CHECK_LOCK = 1 << 1,  /* calls that can wait for another thread */
    HP_CHECK_SLEEP = 1 << 2, /* sleeps and yields */
    HP_CHECK_IO = 1 << 3,    /* file and socket calls that enter the kernel */
    HP_CHECK_MMAP = 1 << 4,  /* address-space changes */
    HP_CHECK_SPAWN = 1 << 5, /* new processes, programs and threads */
    HP_CHECK_MISC = 1 << 6,  /* syscall() and other calls that rarely cost much (intercept.def) */
    HP_CHECK_ALL = (1 << 7) - 1,
    HP_CHECK_USER = 1 << 7,  /* hotpath_blocking(): always checked, not part of check= */
};
HP_HIDDEN const char *hp_check_name(unsigned int category);

#define HP_PATH_MAX 1024
#define HP_MAX_FRAMES 64

/* One member per option of options.def, with its comment there. */
#define HP_OPT_DECL_MODE(f, hi) enum hp_mode f;
#define HP_OPT_DECL_BOOL(f, hi) int f;
#define HP_OPT_DECL_INT(f, hi) int f;
#define HP_OPT_DECL_CHECK(f, hi) unsigned int f; /* enum hp_check bits */
#define HP_OPT_DECL_TEXT(f, hi) char f[(hi) + 1];
#define HP_OPT_DECL_PATH(f, hi) char f[(hi) + 1]; /* "" = not set */
struct hp_options {
#define HP_OPTION(key, field, type, lo, hi, def, syntax, shown, meaning) HP_OPT_DECL_##type(field, hi)
#include "options.def"
#undef HP_OPTION
};
HP_HIDDEN extern struct hp_options hp_opt;

/* Parse `text` (NULL = defaults) into hp_opt. Unknown keys: a warning on stderr. Invalid values or
 * an over-long string: an error on stderr and a non-zero return; the caller stops the process
 * rather than run with a weaker check than asked. `secure` ignores the path options (setuid). */
HP_HIDDEN int hp_options_parse(const char *text, int secure);
HP_HIDDEN const char *hp_mode_name(enum hp_mode m);

/* ---- buf.c: bounded text building, no allocation ---------------------------------------------- */
struct hp_buf {
    char *p;
    size_t len, cap;
    int truncated;
};
HP_HIDDEN void hp_buf_init(struct hp_buf *b, char *mem, size_t cap);
HP_HIDDEN void hp_buf_cut(struct hp_buf *b, const char *s, size_t n); /* what does not fit: cut */
/* Inline: a report is built from a few hundred pieces, most of them literals of known length. */
static inline void hp_buf_mem(struct hp_buf *b, const char *s, size_t n)
{
    if (HP_UNLIKELY(n > b->cap - b->len)) {
        hp_buf_cut(b, s, n);
        return;
    }
    __builtin_memcpy(b->p + b->len, s, n);
    b->len += n;
}
static inline void hp_buf_str(struct hp_buf *b, const char *s) { hp_buf_mem(b, s, __builtin_strlen(s)); }
HP_HIDDEN void hp_buf_u64(struct hp_buf *b, uint64_t v);
HP_HIDDEN void hp_buf_hex(struct hp_buf *b, uint64_t v, int width); /* 0x prefix, zero padded to width (<= 64) */
/* A name of any bytes, at most `max` of them: control and non-ASCII bytes as \xNN, quotes
 * escaped, "..." when cut. NULL becomes "(null)". */
HP_HIDDEN void hp_buf_name(struct hp_buf *b, const char *s, size_t max);
/* The same as a JSON string (with quotes): valid UTF-8 kept, anything else \u-escaped. */
HP_HIDDEN void hp_buf_json(struct hp_buf *b, const char *s, size_t max);
/* An absolute path made lexically normal in place ("/usr/bin/../lib/x" -> "/usr/lib/x", "//" and
 * "/./" removed), as clang's recorded header paths need; a relative one is left alone. */
HP_HIDDEN void hp_normalize_path(char *p);
/* Write all of p[0..n) with write(2): never raises SIGPIPE (EPIPE instead), waits a bounded time
 * (about a second) for a full non-blocking descriptor. Returns the bytes not written (0: all),
 * with errno saying why; errno is kept when all was written. */
HP_HIDDEN size_t hp_write_all(int fd, const char *p, size_t n);
HP_HIDDEN void hp_diag(const char *line); /* "hotpath: ..." to stderr */

/* ---- the calling thread's state ------------------------------------------------------------------ */
#include "hotpath_private.h"
#include "hp_cpu.h"
/* Non-zero while the process is sealed (hotpath_seal); kept in step by the API's seal hook. */
HP_HIDDEN extern int hp_sealed;
static inline int hp_thread_in_section(void) { return hotpath_thread_state.depth != 0; }
static inline int hp_thread_hot_or_sealed(void) { return hotpath_thread_state.depth != 0 || hp_sealed; }

/* ---- raw system calls: the sentinel's own I/O never goes through interposed functions ---------- */
HP_HIDDEN int hp_sys_open(const char *path, int flags, int mode);
HP_HIDDEN void hp_sys_close(int fd);
HP_HIDDEN long hp_sys_read(int fd, void *buf, unsigned long n);
HP_HIDDEN void hp_sys_sleep_ms(int ms);
/* Anonymous private read-write memory, not reserved against overcommit, or NULL. errno kept. */
HP_HIDDEN void *hp_sys_map(size_t len);
HP_HIDDEN void hp_sys_unmap(void *p, size_t len);
HP_HIDDEN int hp_sys_protect_none(void *p, size_t len); /* a guard page: 0, or -1 */

/* ---- blocking.c ------------------------------------------------------------------------------------ */
/* The next definition of `name` after the sentinel; never NULL (exits with a message instead). */
HP_HIDDEN void *hp_resolve_next(const char *name);
HP_HIDDEN void hp_blocking_init(void);

/* ---- suppress.c: suppressions=PATH ------------------------------------------------------------------ */
/* Read the file; 0, or -1 after an error naming the file and line. */
HP_HIDDEN int hp_suppressions_load(const char *path);
struct hp_frame;
/* 1 if a violation with these properties is suppressed. Frames are symbolized on demand. */
HP_HIDDEN int hp_suppressed(const char *op, const char *section, const uintptr_t *pcs, int n);

/* ---- hotfuncs.c: hot_functions=... ------------------------------------------------------------------- */
/* Resolve the named functions and install the table the API's -finstrument-functions hooks use. */
HP_HIDDEN int hp_hot_functions_init(void);

/* ---- cxx_new.c ---------------------------------------------------------------------------------- */
/* The frame address of a reported operator new while it calls the next one, else 0: allocations
 * made deeper on the stack in that time are the same allocation and not reported again. */
HP_HIDDEN extern __thread uintptr_t hp_new_pending __attribute__((tls_model("initial-exec")));
/* 1 if the caller runs inside a reported operator new; a stale flag (the wrapper's frame is gone:
 * an exception went through it) is cleared. */
static inline __attribute__((always_inline)) int hp_new_pending_active(void)
{
    uintptr_t frame = hp_new_pending;
    if (HP_LIKELY(frame == 0)) return 0;
    if ((uintptr_t)__builtin_frame_address(0) < frame) return 1;
    hp_new_pending = 0;
    return 0;
}

/* ---- violation.c: what happens when a hot thread calls a checked function ---------------------- */
enum hp_kind { HP_KIND_ALLOC, HP_KIND_BLOCKING };
struct hp_event {
    enum hp_kind kind;
    unsigned int category; /* enum hp_check */
    const char *op;    /* "malloc", "posix_memalign", ... */
    size_t size;       /* bytes asked for (allocations) */
    size_t align;      /* alignment asked for, 0 if none */
    int has_size;
};
/* Called on the slow path when the calling thread is hot. Returns normally unless the mode is
 * abort. Never allocates through the checked path. */
HP_HIDDEN void hp_violation(const struct hp_event *ev);
/* Per-thread guard: non-zero while this thread is inside the sentinel's own report path. */
HP_HIDDEN extern __thread int hp_in_sentinel __attribute__((tls_model("initial-exec")));
HP_HIDDEN void hp_violation_init(void);
HP_HIDDEN void hp_violation_atfork_prepare(void);
HP_HIDDEN void hp_violation_atfork_parent(void);
HP_HIDDEN void hp_violation_atfork_child(void);
HP_HIDDEN void hp_summary_at_exit(void);
/* Sections entered by this process so far, all threads (exited ones too), plus one per
 * hotpath_seal(); counted by the inline marks at no cost on their fast path. O(live threads),
 * takes a short lock; never allocates. */
HP_HIDDEN uint64_t hp_sections_entered(void);

/* ---- unwind.c / symbolize.c ---------------------------------------------------------------------- */
/* Return addresses of the calling thread's stack, the sentinel's own frames cut off the top. */
HP_HIDDEN int hp_unwind(uintptr_t *pcs, int max);
HP_HIDDEN void hp_unwind_init(void);
HP_HIDDEN int hp_in_sentinel_module(uintptr_t pc);

struct hp_frame {
    uintptr_t pc;
    const char *function; /* NULL when unknown; demangled */
    uintptr_t offset;     /* pc - function start; 0 in an inlined frame */
    const char *module;   /* path of the module, NULL when unknown */
    uintptr_t module_offset;
    const char *file;     /* NULL without debug info; absolute when the unit's directory is */
    int line;
    int inlined;          /* 1: an inlined call; the function it was inlined into is the next frame */
};
/* Symbolize return address pc into its inline chain, innermost first: out[0] the innermost
 * inlined function at its own source line, ..., out[n-1] the physical function at the line of
 * the call. Returns n, 1 <= n <= max (a frame with function NULL when nothing is known; a longer
 * chain keeps its outermost max frames). Names demangled (C++, Rust legacy and v0). Strings stay
 * valid until hp_symbolize_forget() or the symbol cache's second reset after the call (a reset
 * happens when the cache is full or a library was unloaded: never twice within one report).
 * Cached per pc: a pc seen before costs a hash probe. Caller holds the report lock; allocates
 * only through the real allocator (libdw, under hp_in_sentinel), and loads libdw on first use. */
HP_HIDDEN int hp_symbolize_chain(uintptr_t pc, struct hp_frame *out, int max);
/* The physical frame of pc (the last of its chain) with the file:line of the innermost code at
 * pc (the first of the chain's). Same contract as hp_symbolize_chain. */
HP_HIDDEN void hp_symbolize(uintptr_t pc, struct hp_frame *f);
HP_HIDDEN void hp_symbolize_forget(void); /* after fork: the child rebuilds its own libdw state */
/* 1 if the module is a system library (libc, libstdc++, ld.so, libgcc_s, libhotpath*). */
HP_HIDDEN int hp_is_system_module(const char *module);
/* demangle.c: `name` demangled (C++ Itanium, Rust legacy and v0) into dst (cut with "..." to
 * cap - 1 bytes), or `name` itself when it is not a mangled name. No allocation, no lock, any
 * thread; stack use grows with the name's length (about 72 bytes a byte; names over 2 KiB are
 * returned as they are). */
HP_HIDDEN const char *hp_demangle(const char *name, char *dst, size_t cap);

#endif
