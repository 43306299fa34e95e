//! The C API of libhotpath_api.so (api/hotpath.h), bound by hand: the exported out-of-line
//! functions. hotpath.h's static-inline marks work on an initial-exec thread-local variable of
//! the library, which stable Rust cannot name (`#[thread_local]` on an extern static is
//! nightly-only), so every mark here is one call into the library.

// With the `disable` feature the marks do not call in: only the queries do.
#![cfg_attr(feature = "disable", allow(dead_code))]

use std::os::raw::{c_char, c_int, c_uint, c_ulong};

extern "C" {
    pub fn hotpath_enter(section: *const c_char);
    pub fn hotpath_exit();
    pub fn hotpath_allow_begin();
    pub fn hotpath_allow_end();
    pub fn hotpath_depth() -> c_uint;
    pub fn hotpath_section() -> *const c_char;
    pub fn hotpath_is_hot() -> c_int;
    pub fn hotpath_seal();
    pub fn hotpath_unseal();
    pub fn hotpath_sealed() -> c_int;
    pub fn hotpath_sentinel_active() -> c_int;
    pub fn hotpath_violations() -> c_ulong;
}

extern "C" {
    /// In a section: a "BLOCKING CALL IN HOT PATH!" violation naming `name`; nothing outside.
    pub fn hotpath_blocking(name: *const c_char);
    /// An allocation by an allocator that never calls malloc, checked exactly like malloc.
    pub fn hotpath_allocation(op: *const c_char, size: usize);
}
