//! Sections and allow regions: RAII guards over the C API's per-thread state.

use crate::ffi;
use std::cell::UnsafeCell;
use std::ffi::CStr;
use std::marker::PhantomData;
use std::os::raw::c_char;

/// A section name: a `&'static str` or a `&'static CStr` (`c"name"`).
///
/// The C API keeps a pointer to a NUL-terminated name for as long as the section lasts. A `CStr`,
/// or a `str` that ends in `\0` (`#[hot_path]` makes its names so), is passed as is. Any other
/// `str` is copied (at most 63 bytes) into a per-thread slot owned by the section's depth, the same
/// ring of 16 the C library keeps its name pointers in: no allocation, a short copy per enter.
pub trait SectionName: sealed::Sealed {
    #[doc(hidden)]
    fn c_name(self) -> *const c_char;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for &'static str {}
    impl Sealed for &'static std::ffi::CStr {}
}

impl SectionName for &'static CStr {
    #[inline(always)]
    fn c_name(self) -> *const c_char {
        self.as_ptr()
    }
}

impl SectionName for &'static str {
    #[inline(always)]
    fn c_name(self) -> *const c_char {
        if self.as_bytes().last() == Some(&0) {
            self.as_ptr().cast()
        } else {
            copy_name(self)
        }
    }
}

const NAME_SLOTS: usize = 16; // HOTPATH_STACK_SLOTS
const NAME_BYTES: usize = 64;

thread_local! {
    // const-initialised and without Drop: a plain #[thread_local] static, no lazy registration,
    // no allocation (this runs inside sections).
    static NAMES: UnsafeCell<[[u8; NAME_BYTES]; NAME_SLOTS]> =
        const { UnsafeCell::new([[0; NAME_BYTES]; NAME_SLOTS]) };
}

#[cold]
fn copy_name(name: &str) -> *const c_char {
    // SAFETY: a read of the calling thread's state.
    let depth = unsafe { ffi::hotpath_depth() };
    NAMES.with(|names| {
        // SAFETY: per-thread storage, and no reference to it outlives this closure; the slot is
        // the one the C library overwrites at this depth too, so the pointer it keeps stays valid
        // for as long as the C library shows that name.
        let slot = unsafe { &mut (*names.get())[depth as usize % NAME_SLOTS] };
        let mut n = name.len().min(NAME_BYTES - 1);
        while !name.is_char_boundary(n) {
            n -= 1;
        }
        slot[..n].copy_from_slice(&name.as_bytes()[..n]);
        slot[n] = 0;
        slot.as_ptr().cast()
    })
}

/// A hot section, left when the guard is dropped: at the end of its scope, on an early `return`,
/// on `?`, and when a panic unwinds through it. Created by [`enter`].
///
/// Neither `Send` nor `Sync`: the section belongs to the thread that entered it.
#[must_use = "the section ends when this guard is dropped: bind it with `let _s = ...`, not `let _ = ...`"]
pub struct Section {
    _not_send: PhantomData<*const ()>,
}

/// Enter a hot section named `name` on the calling thread; it lasts until the returned guard is
/// dropped. Sections nest without limit, as in C (the innermost name is the one reports show;
/// leaving one restores the enclosing section's name).
///
/// Cost: one call into libhotpath_api.so each way (about 1-2 ns, see docs/rust.md). With the
/// `disable` feature: nothing.
#[inline]
pub fn enter(name: impl SectionName) -> Section {
    #[cfg(not(feature = "disable"))]
    {
        let p = name.c_name();
        // SAFETY: hotpath_enter only touches the calling thread's state; the name pointer stays
        // valid while the section is open (see SectionName).
        unsafe { ffi::hotpath_enter(p) }
    }
    #[cfg(feature = "disable")]
    let _ = name;
    Section { _not_send: PhantomData }
}

impl Drop for Section {
    #[inline]
    fn drop(&mut self) {
        #[cfg(not(feature = "disable"))]
        // SAFETY: balanced with the hotpath_enter in `enter`.
        unsafe {
            ffi::hotpath_exit()
        }
    }
}

/// An allow region for the guard's lifetime (used by [`allow`]; left on unwinding too).
struct AllowGuard {
    _not_send: PhantomData<*const ()>,
}

impl AllowGuard {
    #[inline]
    fn new() -> Self {
        #[cfg(not(feature = "disable"))]
        // SAFETY: per-thread counter, balanced in Drop.
        unsafe {
            ffi::hotpath_allow_begin()
        }
        AllowGuard { _not_send: PhantomData }
    }
}

impl Drop for AllowGuard {
    #[inline]
    fn drop(&mut self) {
        #[cfg(not(feature = "disable"))]
        // SAFETY: balanced with new().
        unsafe {
            ffi::hotpath_allow_end()
        }
    }
}

/// Run `f` as a permitted cold branch of the enclosing section (error handling, a rare resize):
/// what it allocates is not a violation. Regions nest; the region also ends when `f` panics.
#[inline]
pub fn allow<R>(f: impl FnOnce() -> R) -> R {
    let _a = AllowGuard::new();
    f()
}

/// Sections entered on this thread and not yet left (0: not in a section).
#[inline]
pub fn depth() -> u32 {
    // SAFETY: a read of the calling thread's state.
    unsafe { ffi::hotpath_depth() }
}

/// True when an allocation now would be a violation: in a section or sealed, outside allow regions.
#[inline]
pub fn is_hot() -> bool {
    // SAFETY: a read of the calling thread's state.
    unsafe { ffi::hotpath_is_hot() != 0 }
}

/// Call `f` with the name of this thread's innermost section (`"(sealed)"` outside sections in a
/// sealed process, `None` otherwise). `f` sees a copy on the stack (at most 255 bytes, cut at a
/// character boundary; `"(not UTF-8)"` for a C name that is not), so it may enter and leave
/// sections freely. Never allocates.
pub fn with_section<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
    // SAFETY: NULL or a NUL-terminated string, valid until this thread enters or leaves a section:
    // it is copied before anything else runs.
    let p = unsafe { ffi::hotpath_section() };
    if p.is_null() {
        return f(None);
    }
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    let mut buf = [0u8; 255];
    let n = bytes.len().min(buf.len());
    buf[..n].copy_from_slice(&bytes[..n]);
    let name = match std::str::from_utf8(&buf[..n]) {
        Ok(s) => s,
        // Cut inside a character: keep the valid prefix.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => "(not UTF-8)",
    };
    f(Some(name))
}

/// Seal the process: from now on every thread is hot (section `"(sealed)"`) except in allow
/// regions ("allocate everything at start-up, then never again"). Thread-safe. With the
/// `disable` feature: nothing (its allow regions are gone too).
#[inline]
pub fn seal() {
    #[cfg(not(feature = "disable"))]
    // SAFETY: thread-safe in the C library.
    unsafe {
        ffi::hotpath_seal()
    }
}

/// End the seal (e.g. for shutdown). Thread-safe. With the `disable` feature: nothing.
#[inline]
pub fn unseal() {
    #[cfg(not(feature = "disable"))]
    // SAFETY: thread-safe in the C library.
    unsafe {
        ffi::hotpath_unseal()
    }
}

/// True while the process is sealed.
#[inline]
pub fn sealed() -> bool {
    // SAFETY: an atomic load in the C library.
    unsafe { ffi::hotpath_sealed() != 0 }
}

/// True when libhotpath.so is loaded and checking this process.
#[inline]
pub fn sentinel_active() -> bool {
    // SAFETY: an atomic load in the C library.
    unsafe { ffi::hotpath_sentinel_active() != 0 }
}

/// Violations the sentinel has seen in this process so far (all threads, every mode); 0 without it.
#[inline]
pub fn violations() -> u64 {
    // SAFETY: an atomic load in the C library.
    unsafe { ffi::hotpath_violations() as u64 }
}
