/*
 * Reports that reach the user's own lines in optimized C++ and Rust (issue 12): inline chains
 * expanded as `addr2line -i` does, names demangled (C++, Rust legacy and v0) whatever the process
 * links; and the report path's libraries loaded only when a report needs them (issue 11).
 * Programs and paths come from test/symbolize.mk: CXX_APP (test/symbolize/inline_app.cc at -O2 -g),
 * RUST_APP and RUST_APP_V0 (inline_app.rs, rustc -O -g, legacy and v0 manglings; "" without rustc).
 */
#define _GNU_SOURCE
#include "rl_run.h"
#include "run_probe.h"
#include "sentinel.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole line of `text` that contains `needle` (a static copy), or NULL. */
static const char *line_with(const char *text, const char *needle)
{
    static char line[4096];
    const char *p = strstr(text, needle);
    if (!p) return NULL;
    const char *b = p, *e = strchr(p, '\n');
    while (b > text && b[-1] != '\n')
        b--;
    size_t n = e ? (size_t)(e - b) : strlen(b);
    if (n >= sizeof line) n = sizeof line - 1;
    memcpy(line, b, n);
    line[n] = 0;
    return line;
}

/* The line after the one that contains `needle`, or NULL. */
static const char *line_after(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    const char *nl = p ? strchr(p, '\n') : NULL;
    return nl && nl[1] ? line_with(nl + 1, "\n") : NULL;
}

static void assert_exit0(const struct probe_run *r)
{
    ck_assert_msg(r->exited && r->code == 0, "expected exit 0, got exit=%d code=%d sig=%d\nstderr:\n%.2500s",
                  r->exited, r->code, r->sig, r->err);
}

static char where[64];
/* "file:line" and the end of the line: :16 must not match :160 */
static const char *at(const char *file, int line)
{
    snprintf(where, sizeof where, "%s:%d\n", file, line);
    return where;
}

/* A line (without its newline) ends with "file:line". */
static int line_at(const char *line, const char *file, int n)
{
    char want[64];
    snprintf(want, sizeof want, "%s:%d", file, n);
    size_t l = strlen(line), w = strlen(want);
    return l >= w && !strcmp(line + l - w, want);
}

/* ---- C++ at -O2 -g --------------------------------------------------------------------------- */
START_TEST(test_cxx_inlined_push_back_and_map_insert_reach_the_user_lines)
{
    int push = line_of(CXX_SRC, "HP_MARK_PUSH"), map = line_of(CXX_SRC, "HP_MARK_MAP");
    ck_assert(push > 0 && map > 0);
    struct probe_run *r = run_probe(PRELOAD, "mode=warn", CXX_APP, "run");
    assert_exit0(r);
    /* push_back is an inlined frame, and the frame after it is hot() at the push_back line */
    const char *inl =
        line_with(r->err, "std::vector<int, std::allocator<int> >::push_back(int const&) (inlined)");
    ck_assert_msg(inl, "no inlined push_back frame in:\n%.2500s", r->err);
    ck_assert_msg(strstr(inl, "stl_vector.h:"), "the inlined push_back is not at its own header line: %s",
                  inl);
    const char *next = line_after(r->err, "push_back(int const&) (inlined)");
    ck_assert_msg(next && strstr(next, "in hot(int)+0x") && line_at(next, "inline_app.cc", push),
                  "the frame after the inlined push_back is not hot() at inline_app.cc:%d: %s\n%.2500s", push,
                  next ? next : "(none)", r->err);
    /* operator[] likewise, at the map line */
    const char *op = line_with(r->err, "::operator[](int const&) (inlined)");
    ck_assert_msg(op && strstr(op, "std::unordered_map<int,"),
                  "no inlined unordered_map::operator[] in:\n%.2500s", r->err);
    next = line_after(r->err, "::operator[](int const&) (inlined)");
    ck_assert_msg(next && strstr(next, "in hot(int)+0x") && line_at(next, "inline_app.cc", map),
                  "the frame after the inlined operator[] is not hot() at inline_app.cc:%d: %s\n%.2500s", map,
                  next ? next : "(none)", r->err);
    ck_assert_msg(!strstr(r->err, " in _Z"), "a mangled name in:\n%.2500s", r->err);
}
END_TEST

START_TEST(test_cxx_json_frames_mark_the_inlined_ones)
{
    int push = line_of(CXX_SRC, "HP_MARK_PUSH"), map = line_of(CXX_SRC, "HP_MARK_MAP");
    char path[128], opts[200];
    snprintf(path, sizeof path, "/tmp/hp_test_symbolize_%d.jsonl", (int)getpid());
    unlink(path);
    snprintf(opts, sizeof opts, "mode=warn:json_path=%s", path);
    struct probe_run *r = run_probe(PRELOAD, opts, CXX_APP, "run");
    assert_exit0(r);
    const char *json = slurp(path);
    unlink(path);
    ck_assert_msg(json, "no JSON file");
    char want[256];
    snprintf(want, sizeof want, "inline_app.cc\",\"line\":%d", push);
    ck_assert_msg(strstr(json, want), "no frame at the push_back line (%s) in:\n%.2500s", want, json);
    snprintf(want, sizeof want, "inline_app.cc\",\"line\":%d", map);
    ck_assert_msg(strstr(json, want), "no frame at the map line (%s) in:\n%.2500s", want, json);
    /* the frame object that names push_back says it is inlined */
    const char *inl = strstr(json, "push_back(int const&)\"");
    ck_assert_msg(inl, "no push_back frame in:\n%.2500s", json);
    const char *begin = inl, *end = strchr(inl, '}');
    while (begin > json && *begin != '{')
        begin--;
    const char *mark = strstr(begin, "\"inlined\":true");
    ck_assert_msg(mark && end && mark < end, "the push_back frame is not marked inlined in:\n%.2500s", json);
    /* and the physical frame hot() is not */
    const char *hot = strstr(json, "\"function\":\"hot(int)\"");
    ck_assert_msg(hot, "no hot(int) frame in:\n%.2500s", json);
    for (begin = hot; begin > json && *begin != '{'; begin--) {
    }
    end = strchr(hot, '}');
    mark = strstr(begin, "\"inlined\":true");
    ck_assert_msg(!mark || mark > end, "the physical frame hot(int) is marked inlined in:\n%.2500s", json);
}
END_TEST

/* ---- Rust release builds with debug info ---------------------------------------------------- */
static void check_rust(const char *app)
{
    if (!app[0]) {
        printf("SKIP: the Rust cases: %s\n", RUST_MISSING);
        return;
    }
    int push = line_of(RUST_SRC, "HP_MARK_RS_PUSH"), map = line_of(RUST_SRC, "HP_MARK_RS_MAP");
    ck_assert(push > 0 && map > 0);
    struct probe_run *r = run_probe(PRELOAD, "mode=warn", app, "run");
    assert_exit0(r);
    ck_assert_msg(strstr(r->err, at("inline_app.rs", push)), "no frame at inline_app.rs:%d in:\n%.2500s",
                  push, r->err);
    ck_assert_msg(strstr(r->err, at("inline_app.rs", map)), "no frame at inline_app.rs:%d in:\n%.2500s", map,
                  r->err);
    /* Vec::push is inlined into hot(), whose physical frame is at the push line */
    const char *next = line_after(r->err, "::push (inlined)");
    ck_assert_msg(
        next && strstr(next, "in hp_rust_app::hot+0x") && line_at(next, "inline_app.rs", push),
        "the frame after the inlined Vec::push is not hp_rust_app::hot at inline_app.rs:%d: %s\n%.2500s",
        push, next ? next : "(none)", r->err);
    ck_assert_msg(strstr(r->err, "in hp_rust_app::main+0x"), "main not demangled in:\n%.2500s", r->err);
    ck_assert_msg(!strstr(r->err, " in _ZN") && !strstr(r->err, " in _R"), "a mangled name in:\n%.2500s",
                  r->err);
}

START_TEST(test_rust_legacy_mangling_reaches_the_user_lines) { check_rust(RUST_APP); }
END_TEST

START_TEST(test_rust_v0_mangling_reaches_the_user_lines) { check_rust(RUST_APP_V0); }
END_TEST

/* ---- the demangler itself, in a C program that links no C++ runtime -------------------------- */
START_TEST(test_demangler_knows_cxx_and_both_rust_manglings)
{
    static const char *const cases[][2] = {
        {"_ZNSt6vectorIiSaIiEE9push_backERKi",
         "std::vector<int, std::allocator<int> >::push_back(int const&)"},
        {"_ZN4core3fmt9Arguments6new_v117h5d1c2e3f4a5b6c7dE",
         "core::fmt::Arguments::new_v1"},     /* Rust legacy */
        {"_RNvC6_123foo3bar", "123foo::bar"}, /* Rust v0 */
        {"_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", "cc::spawn::{closure#0}::{closure#0}"},
        {"_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_ECs1iopQbuBiw2_3std",
         "alloc::alloc::box_free::<dyn alloc::boxed::FnBox<(), Output = ()>>"},
        {"main", "main"},
        {"_Znot_mangled", "_Znot_mangled"},
    };
    char mem[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = hp_demangle(cases[i][0], mem, sizeof mem);
        ck_assert_msg(!strcmp(got, cases[i][1]), "%s: got '%s', want '%s'", cases[i][0], got, cases[i][1]);
    }
    ck_assert_ptr_eq(hp_demangle("plain_c_name", mem, sizeof mem), "plain_c_name");
    /* cut to the buffer, marked */
    char small[16];
    const char *cut = hp_demangle("_ZNSt6vectorIiSaIiEE9push_backERKi", small, sizeof small);
    ck_assert_str_eq(cut, "std::vector<...");
}
END_TEST

/* ---- libraries loaded when a report needs them ------------------------------------------------ */
START_TEST(test_a_process_that_reports_nothing_loads_neither_libdw_nor_libunwind)
{
    /* a program with no marks prints its own mappings: under the preload, with nothing reported */
    struct probe_run *r = run_probe(PRELOAD, NULL, PRINT_MAPS, NULL);
    assert_exit0(r);
    ck_assert_msg(strstr(r->out, "libhotpath.so"), "the preload is not mapped in print_maps:\n%.2500s", r->out);
    ck_assert_msg(!strstr(r->out, "libdw") && !strstr(r->out, "libunwind") && !strstr(r->out, "libelf"),
                  "libraries of the report path loaded at start-up:\n%.2500s", r->out);
}
END_TEST

/* The first report of the process comes from a signal handler: the libraries load there, and the
 * report still has its frames and lines. */
START_TEST(test_the_first_report_from_a_signal_handler_loads_the_libraries_and_is_whole)
{
    const struct rl_run *r = rl_runv(PRELOAD, "mode=warn", 30, TORTURE, "signals", "3", NULL);
    ck_assert_msg(r->exited && r->code == 0, "%s: %.2500s", rl_how(r), r->err);
    ck_assert_msg(strstr(r->err, "in alloc_handler+0x") && strstr(r->err, "torture.c:"), "%.2500s", r->err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("symbolize");
    TCase *tc = tcase_create("symbolize");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_cxx_inlined_push_back_and_map_insert_reach_the_user_lines);
    tcase_add_test(tc, test_cxx_json_frames_mark_the_inlined_ones);
    tcase_add_test(tc, test_rust_legacy_mangling_reaches_the_user_lines);
    tcase_add_test(tc, test_rust_v0_mangling_reaches_the_user_lines);
    tcase_add_test(tc, test_demangler_knows_cxx_and_both_rust_manglings);
    tcase_add_test(tc, test_a_process_that_reports_nothing_loads_neither_libdw_nor_libunwind);
    tcase_add_test(tc, test_the_first_report_from_a_signal_handler_loads_the_libraries_and_is_whole);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
