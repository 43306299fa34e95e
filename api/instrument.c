/*
 * libhotpath_instrument.a: the -finstrument-functions hooks, linked into the program itself
 * (`pkg-config --libs hotpath` names this archive before libhotpath_api). Hidden, so each program
 * or library that pulls them in calls its own copy directly: two calls through the PLT into the
 * API library cost more than the whole lookup. Only pulled in by code built with
 * -finstrument-functions; other programs link nothing from here.
 */
#include "instrument_hooks.h"

__attribute__((visibility("hidden"))) void __cyg_profile_func_enter(void *fn, void *call_site)
{
    hotpath__instrument_enter(fn, call_site);
}

__attribute__((visibility("hidden"))) void __cyg_profile_func_exit(void *fn, void *call_site)
{
    hotpath__instrument_exit(fn, call_site);
}
