//! # hotpath: zero-allocation hot paths for Rust, enforced
//!
//! Mark the latency-critical sections of a program; run it (or its tests) with the hotpath
//! sentinel preloaded (`hotpath-run`, or `LD_PRELOAD=libhotpath.so`), and every heap allocation or
//! blocking call made inside a section is reported with a demangled backtrace down to the `.rs`
//! line, by Rust code and by the C libraries it links alike. Without the sentinel the marks only
//! move a per-thread counter.
//!
//! ```
//! #[hotpath::hot_path]                 // the body is a section named "my_crate::on_event"
//! fn on_event(buf: &mut Vec<u8>, x: u8) {
//!     if buf.len() == buf.capacity() {
//!         hotpath::allow(|| buf.reserve(1024)); // a permitted cold branch
//!     }
//!     buf.push(x);
//! }
//!
//! fn main() {
//!     let mut buf = Vec::with_capacity(16);   // start-up: allocate here
//!     let _s = hotpath::enter("main loop");   // or a guard: left when dropped
//!     for x in 0..100 {
//!         on_event(&mut buf, x);
//!     }
//! }
//! ```
//!
//! The crate links libhotpath_api (found by `HOTPATH_LIB_DIR` or `pkg-config hotpath`). The
//! `disable` feature compiles every mark away. Guide: docs/rust.md in the hotpath repository.

mod alloc;
mod ffi;
mod section;
mod testing;

pub use alloc::CheckedAlloc;
pub use section::{allow, depth, enter, is_hot, seal, sealed, sentinel_active, unseal, violations, with_section};
pub use section::{Section, SectionName};
pub use testing::assert_no_alloc;

/// Mark a function as a hot section: its body runs in a section named `module_path::function`.
///
/// Not for `async fn` (a compile error): a section is per thread, and one held across `.await`
/// would belong to whichever thread polls the future next. Enter sections in the synchronous
/// code between awaits instead. With the `disable` feature the function is left as written.
pub use hotpath_macros::hot_path;

/// Mark a function as blocking (it waits on a lock, I/O, a condition): calling it inside a hot
/// section is a violation, "BLOCKING CALL IN HOT PATH!" with Operation `module_path::function`.
/// Outside sections it costs one call that returns at once. With `disable`: nothing.
pub use hotpath_macros::blocking;

/// The directory the build found libhotpath_api.so in (a build tree's `build/`, or an install's
/// lib directory, where libhotpath.so is too).
pub fn library_dir() -> &'static str {
    env!("HOTPATH_FOUND_LIB_DIR")
}

#[doc(hidden)]
pub mod __private {
    pub use crate::ffi::hotpath_blocking;

    /// `#[hot_path]`'s section: its names end in NUL, so nothing is copied.
    #[inline(always)]
    pub fn enter_static(name: &'static str) -> crate::Section {
        crate::enter(name)
    }
}

// `#[blocking]` expands to this macro in the user's function, so the FFI call is made there and
// the report's first frame is the user's function, not this crate.
#[cfg(not(feature = "disable"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __blocking {
    ($name:expr) => {
        // SAFETY: a NUL-terminated static name; the C function only reads it.
        unsafe { $crate::__private::hotpath_blocking(($name).as_ptr().cast()) }
    };
}
#[cfg(feature = "disable")]
#[doc(hidden)]
#[macro_export]
macro_rules! __blocking {
    ($name:expr) => {};
}
