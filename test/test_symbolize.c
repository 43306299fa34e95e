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
    /* cat prints its own mappings: under the preload, with nothing reported */
    struct probe_run *r = run_probe(PRELOAD, NULL, "/bin/cat", "/proc/self/maps");
    ck_assert_msg(r->exited && r->code == 0, "cat: %s", r->err);
    ck_assert_msg(strstr(r->out, "libhotpath.so"), "the preload is not mapped in cat:\n%.2500s", r->out);
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
