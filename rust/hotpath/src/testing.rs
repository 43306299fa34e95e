//! assert_no_alloc: one failing test instead of an aborted test binary.

use crate::{alloc, enter, sentinel_active, violations};
use std::panic::Location;

/// Run `f` in a hot section and panic (failing the calling test) if it made a hot-path violation:
/// an allocation, or a blocking call the sentinel checks, in `f` or anything it calls, in Rust or
/// in a C library.
///
/// Made for `cargo test` run through the documented recipe (docs/rust.md): the sentinel preloaded
/// by `hotpath-run --mode warn` as Cargo's target runner. It prints its report and counts the
/// violation; this function sees the count rise and fails this test only. (In the sentinel's
/// default abort mode the process aborts at the violation instead.) Without the sentinel, a
/// [`CheckedAlloc`](crate::CheckedAlloc) global allocator still sees the Rust allocations made on
/// this thread; with neither, nothing can be checked and this function panics saying so rather
/// than pass unchecked.
///
/// The sentinel's count is per process: a violation on another thread while `f` runs fails this
/// call too (the report names the thread). With the `disable` feature `f` just runs.
#[track_caller]
pub fn assert_no_alloc<R>(f: impl FnOnce() -> R) -> R {
    if cfg!(feature = "disable") {
        return f();
    }
    let at = Location::caller();
    let sentinel = sentinel_active();
    if !sentinel && !alloc::checked_alloc_installed() {
        panic!(
            "hotpath::assert_no_alloc at {at}: nothing checks this test: run it under the sentinel \
             (the cargo test recipe in docs/rust.md: CARGO_TARGET_<TRIPLE>_RUNNER='hotpath-run --mode warn --') \
             or make hotpath::CheckedAlloc the global allocator"
        );
    }
    let process_before = violations();
    let thread_before = alloc::thread_hot_allocations();
    let r = {
        let _s = enter("hotpath::assert_no_alloc\0");
        f()
    };
    let process = violations() - process_before;
    let thread = alloc::thread_hot_allocations() - thread_before;
    if process > 0 || thread > 0 {
        let n = process.max(thread);
        panic!(
            "hotpath::assert_no_alloc at {at}: {n} hot-path violation{} while the body ran (the \
             sentinel's report{} above {} the call stack{})",
            if n == 1 { "" } else { "s" },
            if n == 1 { "" } else { "s" },
            if n == 1 { "shows" } else { "show" },
            if thread == 0 && process > 0 { "; the count is per process: check the report's thread" } else { "" }
        );
    }
    r
}
