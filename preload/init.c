/*
 * Start-up and shut-down of the sentinel: options, the check that this library really is the
 * malloc the process calls, fork handling, and the exit summary.
 */
#include "sentinel.h"

#include "hotpath_private.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

HP_HIDDEN void hp_hooks_finish_init(void);
HP_HIDDEN void *hp_hooks_own_malloc(void);

static __thread int probing __attribute__((tls_model("initial-exec")));
static int probe_hit;

/* Called by the malloc slow path (hooks.c) while probing: it is proof that a call to the
 * process's malloc reaches this library. The slow path then returns NULL without allocating. */
HP_HIDDEN int hp_init_probe_hit(void);
int hp_init_probe_hit(void)
{
    if (!probing) return 0;
    probe_hit = 1;
    return 1;
}

HP_HIDDEN int hp_sanitizer_present(void);
HP_HIDDEN int hp_module_imports(const char *const *names); /* imports.c */
HP_HIDDEN int hp_sanitizer_attach(void);

/* A warning that only matters to a process that marks sections (a compiler or make run under the
 * preload has nothing to be told): kept here and said at exit, once, if a section was entered. */
static char deferred[1400];

static int is_valgrind_preload(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size, (void)data;
    return info->dlpi_name && strstr(info->dlpi_name, "/vgpreload_") != NULL;
}

/* Build the warning that says why calls to malloc do not reach the sentinel. */
static void explain_bypass(void *process_malloc)
{
    struct hp_buf b;
    hp_buf_init(&b, deferred, sizeof deferred - 1);
    Dl_info info, self;
    struct link_map *map = NULL, *self_map = NULL;
    int known = dladdr1(process_malloc, &info, (void **)&map, RTLD_DL_LINKMAP) && map && info.dli_fname;
    const char *where = known && info.dli_fname[0] ? info.dli_fname : program_invocation_name;
    int in_executable = known && map == _r_debug.r_map; /* the first link map is the program's */
    if (!dladdr1((void *)explain_bypass, &self, (void **)&self_map, RTLD_DL_LINKMAP)) self_map = NULL;
    if (dl_iterate_phdr(is_valgrind_preload, NULL)) {
        hp_buf_str(&b, "valgrind replaced malloc in every module, libhotpath.so's too, so allocations in "
                       "sections will NOT be checked (blocking calls still are). Run valgrind with "
                       "--soname-synonyms=somalloc=nouserintercepts: it then replaces only libc's malloc, "
                       "behind the sentinel's.");
    } else if (hp_sanitizer_present()) {
        hp_buf_str(&b, "a sanitizer owns malloc in this process (");
        hp_buf_name(&b, where, 400);
        hp_buf_str(&b, ") and refused the sentinel's allocation hooks (all of its hook slots are taken); "
                       "allocations in sections will NOT be checked (blocking calls still are).");
    } else if (in_executable) {
        hp_buf_str(&b, "the executable ");
        hp_buf_name(&b, where, 400);
        hp_buf_str(&b, " carries its own allocator (malloc is defined in it), so its allocations in "
                       "sections will NOT be checked (blocking calls still are). Build it with the system "
                       "allocator to check it, or have its allocator report through hotpath_allocation().");
    } else if (known && map != self_map) {
        hp_buf_str(&b, "malloc resolves to ");
        hp_buf_name(&b, where, 400);
        hp_buf_str(&b, ", which comes before libhotpath.so, so allocations in sections will NOT be "
                       "checked. Put libhotpath.so first in LD_PRELOAD (a sanitizer runtime may come "
                       "before it: see the README, \"With sanitizers\").");
    } else {
        hp_buf_str(&b, "libhotpath.so defines the process's malloc, but calls to it do not arrive (a tool "
                       "redirects them), so allocations in sections will NOT be checked.");
    }
    deferred[b.len] = 0;
}
/* Say the deferred warning, once, where the reports go: now (a process that carries marks), or at
 * exit in a process that entered a section. */
static void say_deferred(int now)
{
    if (!deferred[0] || (!now && hp_sections_entered() == 0)) return;
    char line[sizeof deferred + 200];
    struct hp_buf b;
    hp_buf_init(&b, line, sizeof line - 1);
    hp_buf_str(&b, "hotpath: warning (pid ");
    hp_buf_u64(&b, (uint64_t)getpid());
    hp_buf_str(&b, ", ");
    hp_buf_name(&b, program_invocation_short_name, 64);
    hp_buf_str(&b, "): ");
    hp_buf_str(&b, deferred);
    b.p[b.len++] = '\n';
    deferred[0] = 0;
    void (*sink)(const char *, unsigned long) = __atomic_load_n(&hotpath__diagnostic_sink, __ATOMIC_ACQUIRE);
    if (sink)
        sink(line, b.len);
    else
        hp_write_all(2, line, b.len);
}

/* Does a call to `malloc`, as the program itself would make it, reach us? Comparing addresses is
 * not enough (a non-PIE executable that takes malloc's address owns a canonical PLT entry for it;
 * valgrind redirects calls to our malloc), so call it while this thread looks hot and see whether
 * our slow path ran. The slow path then returns NULL and allocates nothing (a block taken here
 * would shift the heap's layout for the whole run); any other allocator serves one byte, which is
 * freed at once: harmless to every allocator (an impossible size, the former probe, is fatal to
 * the sanitizers'). hp_in_sentinel keeps a foreign allocator's own locks and mmaps unreported. */
static void check_not_bypassed(void)
{
    void *(*process_malloc)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "malloc");
    void (*process_free)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "free");
    if (!process_malloc || !process_free) return;
    int saved_errno = errno;
    probing = 1;
    hp_in_sentinel = 1;
    hotpath_thread_state.depth++;
    void *p = process_malloc(1);
    hotpath_thread_state.depth--;
    hp_in_sentinel = 0;
    probing = 0;
    if (p) process_free(p);
    errno = saved_errno;
    /* Our malloc runs, or a sanitizer that owns malloc calls our hooks after each allocation. */
    if (probe_hit || hp_sanitizer_attach() > 0) {
        __atomic_store_n(&hotpath__sentinel_loaded, 1, __ATOMIC_RELEASE);
        return;
    }
    explain_bypass((void *)process_malloc);
    /* A program that carries hotpath's marks or instrumented code is told at once (it may abort
     * at its first violation, or be killed, long before exit); any other process only if it enters
     * a section (through dlsym or an FFI), at exit: make, cc1 or rustc never hear of it. */
    static const char *const marks[] = {"hotpath_thread_state_v2", "hotpath_thread_state", "hotpath_enter",
                                        "hotpath_seal", "hotpath__hot_table", "__cyg_profile_func_enter", NULL};
    if (hp_module_imports(marks)) say_deferred(1);
}

static void atfork_child(void)
{
    __atomic_store_n(&hotpath__violation_count, 0, __ATOMIC_RELAXED);
    hp_violation_atfork_child();
}

__attribute__((constructor(101))) static void hp_start(void)
{
    int secure = getauxval(AT_SECURE) != 0;
    if (hp_options_parse(getenv("HOTPATH_OPTIONS"), secure) != 0) {
        hp_diag("error: stopping the process rather than run it with a weaker check than asked; "
                "fix HOTPATH_OPTIONS (see README, \"Options\")");
        _exit(2);
    }
    if (hp_opt.suppressions[0] && hp_suppressions_load(hp_opt.suppressions) != 0) {
        hp_diag("error: stopping the process rather than run it with other suppressions than asked");
        _exit(2);
    }
    if (hp_opt.section_names) hotpath__set_section_names(1);
    hp_unwind_init();
    hp_violation_init();
    hp_blocking_init();
    hp_hooks_finish_init();
    pthread_atfork(hp_violation_atfork_prepare, hp_violation_atfork_parent, atfork_child);
    check_not_bypassed();
    if (hp_hot_functions_init() != 0) {
        hp_diag("error: stopping the process rather than run it with a weaker check than asked");
        _exit(2);
    }
}

__attribute__((destructor(101))) static void hp_stop(void)
{
    say_deferred(0);
    hp_summary_at_exit();
}
