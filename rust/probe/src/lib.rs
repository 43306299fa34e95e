//! A bump allocator over a static arena: it never calls malloc, like the mimalloc and jemalloc
//! crates, so the sentinel cannot see it without hotpath::CheckedAlloc.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

const ARENA: usize = 64 << 20;

#[repr(C, align(4096))]
struct Arena(UnsafeCell<[u8; ARENA]>);
// SAFETY: disjoint ranges are handed out by the atomic cursor.
unsafe impl Sync for Arena {}

static MEM: Arena = Arena(UnsafeCell::new([0; ARENA]));
static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Bump;

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let align = layout.align();
        let mut cur = NEXT.load(Ordering::Relaxed);
        loop {
            let start = (cur + align - 1) & !(align - 1);
            let end = start + layout.size();
            if end > ARENA {
                return std::ptr::null_mut();
            }
            match NEXT.compare_exchange_weak(cur, end, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return (MEM.0.get() as *mut u8).add(start),
                Err(c) => cur = c,
            }
        }
    }
    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}
