/*
 * libhotpath_api.so: owns the per-thread section state that libhotpath.so reads on every
 * allocation, and the out-of-line versions of the marks.
 *
 * Nothing here may allocate: these functions run inside hot sections, and the sentinel calls
 * into this library from inside malloc.
 */
#define HOTPATH_BUILDING_API
#include "hotpath_private.h"
#include "hp_cpu.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Initial-exec: the sentinel reads this from inside malloc, where a general-dynamic TLS access
 * could itself call malloc (glibc's manual requires initial-exec TLS for a malloc). */
__thread struct hotpath_thread hotpath_thread_state __attribute__((tls_model("initial-exec")));

int hotpath__sentinel_loaded;
unsigned long hotpath__violation_count;
void (*hotpath__diagnostic_sink)(const char *line, unsigned long len);
void (*hotpath__seal_hook)(int sealed);
/* The hot functions' table, read by every copy of the -finstrument-functions hooks. */
struct hotpath__hot_table hotpath__hot_table;

void hotpath__set_hot_functions(const struct hotpath__hot_table *table)
{
    hotpath__hot_table.mask = table->mask;
    __atomic_store_n(&hotpath__hot_table.slots, table->slots, __ATOMIC_RELEASE);
}
/* Read by the inline fast path of hotpath_blocking/hotpath_allocation too, hence exported. */
int hotpath__sealed;
void (*hotpath__event_hook)(int kind, const char *name, size_t size);

/* The header's macros stand in for these names in C and C++ callers; the exported functions
 * below are for dlsym users and foreign-function interfaces. */
#undef hotpath_enter
#undef hotpath_exit
#undef hotpath_allow_begin
#undef hotpath_allow_end
#undef hotpath_blocking
#undef hotpath_allocation

void hotpath_enter(const char *section) { hotpath__enter_inline(section); }
void hotpath_exit(void) { hotpath__exit_inline(); }
void hotpath_allow_begin(void) { hotpath__allow_begin_inline(); }
void hotpath_allow_end(void) { hotpath__allow_end_inline(); }

unsigned int hotpath_depth(void) { return hotpath_thread_state.depth; }

const char *hotpath_section(void)
{
    const struct hotpath_thread *t = &hotpath_thread_state;
    if (t->depth) return t->stack[(t->depth - 1) % HOTPATH_STACK_SLOTS];
    return hotpath_sealed() ? "(sealed)" : NULL;
}

int hotpath_is_hot(void)
{
    return (hotpath_thread_state.depth != 0 || hotpath_sealed()) && hotpath_thread_state.allow == 0;
}

int hotpath_sealed(void) { return __atomic_load_n(&hotpath__sealed, __ATOMIC_ACQUIRE); }

/* The sentinel switches its allocation entry points to checking versions (and back), so that an
 * unsealed process pays nothing for the seal's existence. */
static int seal_lock; /* seal and unseal from two threads at once: the flag and the sentinel agree */

static void set_sealed(int on)
{
    while (__atomic_exchange_n(&seal_lock, 1, __ATOMIC_ACQUIRE)) hp_cpu_relax();
    __atomic_store_n(&hotpath__sealed, on, __ATOMIC_RELEASE);
    void (*hook)(int) = __atomic_load_n(&hotpath__seal_hook, __ATOMIC_ACQUIRE);
    if (hook) hook(on);
    __atomic_store_n(&seal_lock, 0, __ATOMIC_RELEASE);
}

/* ---- sections entered, for the exit summary ----------------------------------------------------- */
/* Each thread counts its own sections in hotpath_thread_state.entered (the inline enter's own
 * store, modulo 2^32). When that count was 0 the inline enter calls hotpath__thread_counted: on a
 * thread's first section it joins a list of live threads, so that the total can be read while it
 * runs, and gets a thread-specific value whose destructor adds its count to `exited_total` when it
 * exits; later calls mean the count wrapped, and are added up in `wraps`. The list lock is held for
 * a few instructions and never while anything else is locked; a signal handler that enters its
 * thread's first section while that thread holds the lock is kept off by `busy` (its sections
 * are then not counted). */
struct live_thread {
    struct live_thread *next, *prev;
    const struct hotpath_thread *state; /* the thread's hotpath_thread_state */
    unsigned long long wraps;           /* times the 32-bit count wrapped */
    unsigned long long named;           /* section_names mode: sections moved out of `entered` */
    int linked, busy;
    int naming; /* section_names mode: this thread's `entered` is emptied at every enter */
};
static __thread struct live_thread live_self __attribute__((tls_model("initial-exec")));
static struct live_thread live_head = {.next = &live_head, .prev = &live_head, .linked = 1};
static unsigned long long exited_total; /* counts of threads that exited; under live_lock */
static unsigned long long seals;        /* hotpath_seal() calls: the process entered "(sealed)" */
static int live_lock;
static pthread_key_t exit_key;
static int exit_key_made; /* 1 = made, -1 = pthread_key_create failed */

static void live_acquire(void)
{
    while (__atomic_exchange_n(&live_lock, 1, __ATOMIC_ACQUIRE)) hp_cpu_relax();
}
static void live_release(void) { __atomic_store_n(&live_lock, 0, __ATOMIC_RELEASE); }

static unsigned long long count_of(const struct live_thread *l)
{
    unsigned long long w = __atomic_load_n(&l->state->depth_entered, __ATOMIC_RELAXED);
    return (__atomic_load_n(&l->wraps, __ATOMIC_RELAXED) << 32) + __atomic_load_n(&l->named, __ATOMIC_RELAXED) +
           (w >> 32);
}

static void thread_exited(void *unused)
{
    (void)unused;
    struct live_thread *me = &live_self;
    if (me->busy || !me->linked) return;
    me->busy = 1;
    live_acquire();
    me->prev->next = me->next;
    me->next->prev = me->prev;
    me->linked = 0;
    exited_total += count_of(me);
    /* A section entered by a later destructor of this thread starts a new count (and a new
     * registration: POSIX runs the destructors again while values are set). */
    __atomic_store_n(&hotpath_thread_state.entered, 0, __ATOMIC_RELAXED);
    me->wraps = 0;
    __atomic_store_n(&me->named, 0, __ATOMIC_RELAXED);
    me->naming = 0;
    live_release();
    me->busy = 0;
}

/* Made before main (and lazily, for sections entered by earlier constructors): the key is then
 * among the first, whose values live in the thread descriptor, so pthread_setspecific never
 * allocates (it runs inside a section). */
static void make_exit_key(void)
{
    if (!exit_key_made) exit_key_made = pthread_key_create(&exit_key, thread_exited) == 0 ? 1 : -1;
}

/* ---- section_names=1: sections entered, per name ------------------------------------------------ */
/* Opt-in (the sentinel's option section_names=1 calls hotpath__set_section_names). The inline enter
 * calls hotpath__thread_counted when the thread's 32-bit `entered` was 0; in this mode that call
 * empties `entered` into the thread's `named` count, so the next enter calls again: every enter
 * pays an out-of-line call and is counted under its name, while the fast path of a process
 * without the option keeps its one branch, never taken. The table is keyed by the name's pointer
 * (the ring's entry, as the inline enter stored it), filled without a lock (a signal handler may
 * enter a section in the middle of an insert), never allocates; the name is copied at its first
 * entry, so that the exit summary never reads a string a dlclose() took away. Names that do not
 * fit are counted in `names_overflow`. */
static int names_on;
struct hotpath__section_count hotpath__section_names_table[HOTPATH__SECTION_NAMES];
unsigned long long hotpath__section_names_overflow;

static void count_name(const char *name)
{
    uintptr_t h = ((uintptr_t)name >> 3) * (uintptr_t)0x9E3779B97F4A7C15ull;
    unsigned int i = (unsigned int)(h >> 20);
    for (unsigned int n = 0; n < HOTPATH__SECTION_NAMES; n++, i++) {
        struct hotpath__section_count *e = &hotpath__section_names_table[i % HOTPATH__SECTION_NAMES];
        const char *k = __atomic_load_n(&e->key, __ATOMIC_ACQUIRE);
        if (k == NULL) {
            const char *expected = NULL;
            if (__atomic_compare_exchange_n(&e->key, &expected, name, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                size_t len = 0;
                if (name)
                    while (len < sizeof e->name - 1 && name[len]) len++;
                memcpy(e->name, name ? name : "(null)", name ? len : 6);
                e->name[name ? len : 6] = '\0';
                e->cut = name && name[len] != '\0';
                __atomic_store_n(&e->ready, 1, __ATOMIC_RELEASE);
                __atomic_add_fetch(&e->count, 1, __ATOMIC_RELAXED);
                return;
            }
            k = expected;
        }
        if (k == name) {
            __atomic_add_fetch(&e->count, 1, __ATOMIC_RELAXED);
            return;
        }
    }
    __atomic_add_fetch(&hotpath__section_names_overflow, 1, __ATOMIC_RELAXED);
}

/* The section just entered is the ring's innermost name (a signal handler's sections in between
 * have left again). Its count moves from `entered` to `named` (one exchange: a signal handler's
 * enter in between is either moved too or finds `entered` 0 and is counted by its own call). */
static void name_entered(struct live_thread *me)
{
    struct hotpath_thread *t = &hotpath_thread_state;
    unsigned int moved = __atomic_exchange_n(&t->entered, 0, __ATOMIC_RELAXED);
    __atomic_add_fetch(&me->named, moved, __ATOMIC_RELAXED);
    me->naming = 1;
    unsigned int depth = __atomic_load_n(&t->depth, __ATOMIC_RELAXED);
    if (depth) count_name(t->stack[(depth - 1) % HOTPATH_STACK_SLOTS]);
}

void hotpath__set_section_names(int on)
{
    __atomic_store_n(&names_on, on != 0, __ATOMIC_RELAXED);
    /* The calling thread (the sentinel's constructor runs on the main thread) may have entered
     * sections already: empty its count now, so that its next enter is named. */
    struct live_thread *me = &live_self;
    if (on && me->linked && !me->naming && !me->busy) {
        unsigned int moved = __atomic_exchange_n(&hotpath_thread_state.entered, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&me->named, moved, __ATOMIC_RELAXED);
        me->naming = 1;
    }
}

void hotpath__thread_counted(void)
{
    struct live_thread *me = &live_self;
    if (me->linked) {
        if (me->naming) {
            name_entered(me);
            return;
        }
        __atomic_store_n(&me->wraps, me->wraps + 1, __ATOMIC_RELAXED);
        if (__atomic_load_n(&names_on, __ATOMIC_RELAXED)) name_entered(me);
        return;
    }
    if (me->busy) return;
    me->busy = 1;
    me->state = &hotpath_thread_state;
    live_acquire();
    make_exit_key();
    /* Without the exit key (every key taken) a thread could not unlink itself when it exits, and
     * its freed state would stay on the list: only the main thread, which lives to the end, joins
     * it then (the others' sections go uncounted). */
    int can_link = exit_key_made == 1 || getpid() == gettid();
    if (can_link) {
        me->next = live_head.next;
        me->prev = &live_head;
        live_head.next->prev = me;
        live_head.next = me;
        me->linked = 1;
    }
    live_release();
    if (can_link && exit_key_made == 1) pthread_setspecific(exit_key, me);
    me->busy = 0;
    if (__atomic_load_n(&names_on, __ATOMIC_RELAXED)) name_entered(me);
}

unsigned long long hotpath__sections_entered(void)
{
    live_acquire();
    unsigned long long n = exited_total + __atomic_load_n(&seals, __ATOMIC_RELAXED);
    for (const struct live_thread *l = live_head.next; l != &live_head; l = l->next) n += count_of(l);
    live_release();
    return n;
}

/* Fork: the child is a new process with one thread, counted from zero; the list lock is held
 * across fork so that the child never inherits it taken. */
static void live_prepare(void) { live_acquire(); }
static void live_parent(void) { live_release(); }
static void live_child(void)
{
    live_head.next = live_head.prev = &live_head;
    live_self.linked = 0;
    live_self.busy = 0;
    live_self.wraps = 0;
    live_self.named = 0;
    live_self.naming = 0;
    for (unsigned int i = 0; i < HOTPATH__SECTION_NAMES; i++) hotpath__section_names_table[i].count = 0;
    hotpath__section_names_overflow = 0;
    exited_total = 0;
    seals = 0;
    __atomic_store_n(&hotpath_thread_state.entered, 0, __ATOMIC_RELAXED);
    live_release();
}

__attribute__((constructor)) static void live_init(void)
{
    live_acquire();
    make_exit_key();
    live_release();
    pthread_atfork(live_prepare, live_parent, live_child);
}

void hotpath_seal(void)
{
    __atomic_add_fetch(&seals, 1, __ATOMIC_RELAXED);
    if (__atomic_load_n(&names_on, __ATOMIC_RELAXED)) count_name("(sealed)"); /* the section's name */
    set_sealed(1);
}
void hotpath_unseal(void) { set_sealed(0); }

/* ---- your own blocking functions and allocators --------------------------------------------- */
/* A tail call into the sentinel: the report's stack then starts at the caller's frame, with no
 * frame of this library on it. Without the sentinel the hook is NULL and nothing happens. */
void hotpath__event(int kind, const char *name, size_t size)
{
    void (*hook)(int, const char *, size_t) = __atomic_load_n(&hotpath__event_hook, __ATOMIC_ACQUIRE);
    if (hook) hook(kind, name, size);
}

void hotpath_blocking(const char *name) { hotpath__event_fast(HOTPATH__EVENT_BLOCKING, name, 0); }
void hotpath_allocation(const char *op, size_t size)
{
    hotpath__event_fast(HOTPATH__EVENT_ALLOCATION, op, size);
}

/* ---- -finstrument-functions hooks ------------------------------------------------------------- */
/* For instrumented code that links only this library (a plugin, say). Programs that link with
 * `pkg-config --libs hotpath` get their own copy from libhotpath_instrument.a, called directly
 * rather than through the PLT. */
#include "instrument_hooks.h"

void __cyg_profile_func_enter(void *fn, void *call_site) { hotpath__instrument_enter(fn, call_site); }
void __cyg_profile_func_exit(void *fn, void *call_site) { hotpath__instrument_exit(fn, call_site); }

int hotpath_sentinel_active(void) { return __atomic_load_n(&hotpath__sentinel_loaded, __ATOMIC_ACQUIRE); }

unsigned long hotpath_violations(void) { return __atomic_load_n(&hotpath__violation_count, __ATOMIC_RELAXED); }

/* Misuse is reported a few times per process, then counted silently, so a loop with an
 * unbalanced exit cannot flood the log. */
#define UNBALANCED_SHOWN 8
static unsigned int unbalanced_seen;

void hotpath__unbalanced(const char *what)
{
    unsigned int n = __atomic_add_fetch(&unbalanced_seen, 1, __ATOMIC_RELAXED);
    if (n > UNBALANCED_SHOWN) return;
    char line[256];
    static const char head[] = "hotpath: warning: ";
    static const char tail_more[] = "; ignored (further ones are not shown)\n";
    static const char tail[] = "; ignored\n";
    const char *t = n == UNBALANCED_SHOWN ? tail_more : tail;
    size_t len = 0, wl = strnlen(what, 160), tl = strlen(t);
    memcpy(line, head, sizeof head - 1);
    len = sizeof head - 1;
    memcpy(line + len, what, wl);
    len += wl;
    memcpy(line + len, t, tl);
    len += tl;
    void (*sink)(const char *, unsigned long) = __atomic_load_n(&hotpath__diagnostic_sink, __ATOMIC_ACQUIRE);
    if (sink) {
        sink(line, len);
    } else {
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w;
    }
}
