//! CheckedAlloc: the Rust global allocator seen by the sentinel even when it never calls malloc.

use crate::ffi;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// A `#[global_allocator]` wrapper that reports every allocation made in a hot section to the
/// sentinel (`hotpath_allocation`), then lets `A` make it.
///
/// The sentinel sees malloc, so Rust's default allocator (`System`) needs no wrapper. Allocators
/// that never reach libc's malloc (the mimalloc and jemalloc crates, a bump allocator) are invisible
/// to it: wrap them, and their allocations in a section are reported, deduplicated, counted and
/// gated exactly like malloc's (operation `alloc`, `alloc_zeroed` or `realloc`).
///
/// ```ignore
/// #[global_allocator]
/// static GLOBAL: hotpath::CheckedAlloc<mimalloc::MiMalloc> = hotpath::CheckedAlloc::new(mimalloc::MiMalloc);
/// ```
///
/// Cost outside sections: one call to `hotpath_is_hot` (a thread-local read) per allocation.
/// In a section `A` runs inside an allow region, so an `A` that does call malloc (`System`) is
/// reported once, not twice. Deallocation is not checked (as malloc's `free` is not by default).
/// With the `disable` feature it is `A` unchanged.
pub struct CheckedAlloc<A: GlobalAlloc> {
    inner: A,
}

impl<A: GlobalAlloc> CheckedAlloc<A> {
    /// Wrap `inner`.
    pub const fn new(inner: A) -> Self {
        CheckedAlloc { inner }
    }
}

thread_local! {
    /// Hot allocations CheckedAlloc saw on this thread (read by assert_no_alloc).
    static HOT_ALLOCS: Cell<u64> = const { Cell::new(0) };
    /// assert_no_alloc's probe for whether a CheckedAlloc is the global allocator.
    static PROBING: Cell<bool> = const { Cell::new(false) };
}
static INSTALLED: AtomicBool = AtomicBool::new(false);

#[inline(always)]
fn hot() -> bool {
    #[cfg(not(feature = "disable"))]
    // SAFETY: a read of the calling thread's state; never allocates.
    unsafe {
        ffi::hotpath_is_hot() != 0
    }
    #[cfg(feature = "disable")]
    false
}

/// Report a hot allocation; false for assert_no_alloc's probe (which is not reported).
#[cold]
#[inline(never)]
fn report(op: &'static [u8], size: usize) -> bool {
    if PROBING.with(|p| p.get()) {
        INSTALLED.store(true, Ordering::Relaxed);
        return false;
    }
    HOT_ALLOCS.with(|c| c.set(c.get() + 1));
    // SAFETY: op is NUL-terminated; the sentinel reports (and in abort mode aborts) or, without
    // it, nothing happens.
    unsafe { ffi::hotpath_allocation(op.as_ptr().cast(), size) };
    true
}

/// The inner allocator's call in an allow region: already reported.
#[cold]
#[inline(never)]
unsafe fn allowed<R>(f: impl FnOnce() -> R) -> R {
    ffi::hotpath_allow_begin();
    let r = f();
    ffi::hotpath_allow_end();
    r
}

unsafe impl<A: GlobalAlloc> GlobalAlloc for CheckedAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if hot() {
            report(b"alloc\0", layout.size());
            return allowed(|| self.inner.alloc(layout));
        }
        self.inner.alloc(layout)
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if hot() {
            report(b"alloc_zeroed\0", layout.size());
            return allowed(|| self.inner.alloc_zeroed(layout));
        }
        self.inner.alloc_zeroed(layout)
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if hot() {
            report(b"realloc\0", new_size);
            return allowed(|| self.inner.realloc(ptr, layout, new_size));
        }
        self.inner.realloc(ptr, layout, new_size)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.inner.dealloc(ptr, layout)
    }
}

/// Hot allocations a CheckedAlloc reported on this thread so far.
pub(crate) fn thread_hot_allocations() -> u64 {
    HOT_ALLOCS.with(|c| c.get())
}

/// Whether a CheckedAlloc is the global allocator (probes once per call: one allocation in a
/// section, not reported, only when the sentinel is not there to see it).
pub(crate) fn checked_alloc_installed() -> bool {
    if INSTALLED.load(Ordering::Relaxed) {
        return true;
    }
    if cfg!(feature = "disable") {
        return false;
    }
    PROBING.with(|p| p.set(true));
    {
        let _s = crate::enter("hotpath::probe\0");
        drop(std::hint::black_box(Box::new(0u8)));
    }
    PROBING.with(|p| p.set(false));
    INSTALLED.load(Ordering::Relaxed)
}
