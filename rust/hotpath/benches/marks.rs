//! What the marks cost, as ratios against a baseline measured in the same run (timings on a shared
//! machine are noisy; the ratios and differences are what to read). `cargo bench --offline -p
//! hotpath` or `make bench-rust`. Without the sentinel (it is not needed for the marks' cost).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::time::Instant;

const N: u64 = 10_000_000;

/// Iterations: N, or HOTPATH_BENCH_N (for instruction counts under callgrind: run one variant,
/// `marks VARIANT`, at two N and divide the difference).
fn n() -> u64 {
    std::env::var("HOTPATH_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(N)
}

/// Best of 5 runs of `f` n() times, in ns per iteration.
fn time(mut f: impl FnMut(u64)) -> f64 {
    let n = n();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for i in 0..n {
            f(i);
        }
        best = best.min(t.elapsed().as_nanos() as f64 / n as f64);
    }
    best
}

fn main() {
    // `marks VARIANT` runs one loop only (base, enter, checked_alloc, system_alloc).
    match std::env::args().nth(1).as_deref().filter(|a| !a.starts_with('-')) {
        Some("base") => return println!("{}", time(|i| drop(black_box(i)))),
        Some("enter") => {
            return println!(
                "{}",
                time(|i| {
                    let _s = hotpath::enter("bench\0");
                    black_box(i);
                })
            )
        }
        Some(v @ ("checked_alloc" | "system_alloc")) => {
            let layout = Layout::from_size_align(64, 8).unwrap();
            let checked = hotpath::CheckedAlloc::new(System);
            let a: &dyn GlobalAlloc = if v == "checked_alloc" { &checked } else { &System };
            return println!(
                "{}",
                time(|_| unsafe {
                    let p = a.alloc(layout);
                    a.dealloc(black_box(p), layout);
                })
            );
        }
        _ => {}
    }
    let base = time(|i| {
        black_box(i);
    });
    let enter = time(|i| {
        let _s = hotpath::enter("bench\0");
        black_box(i);
    });
    let enter_c = time(|i| {
        let _s = hotpath::enter(c"bench");
        black_box(i);
    });
    let enter_copy = time(|i| {
        let _s = hotpath::enter("bench-copied");
        black_box(i);
    });
    let allow = time(|i| {
        let _s = hotpath::enter("bench\0");
        hotpath::allow(|| black_box(i));
    });
    let is_hot = time(|i| {
        black_box(hotpath::is_hot());
        black_box(i);
    });
    println!("rust marks, ns per iteration (best of 5 x {}); loop alone {base:.2} ns", n());
    println!("  enter+drop (\"name\\0\", as #[hot_path])   {:6.2} ns  (+{:.2} ns over the loop)", enter, enter - base);
    println!("  enter+drop (c\"name\")                      {:6.2} ns  (+{:.2} ns)", enter_c, enter_c - base);
    println!("  enter+drop (\"name\", copied)               {:6.2} ns  (+{:.2} ns)", enter_copy, enter_copy - base);
    println!("  enter+allow+drop                          {:6.2} ns  (+{:.2} ns)", allow, allow - base);
    println!("  is_hot()                                  {:6.2} ns  (+{:.2} ns)", is_hot, is_hot - base);

    let layout = Layout::from_size_align(64, 8).unwrap();
    let checked = hotpath::CheckedAlloc::new(System);
    let sys = time(|_| unsafe {
        let p = System.alloc(layout);
        System.dealloc(black_box(p), layout);
    });
    let chk = time(|_| unsafe {
        let p = checked.alloc(layout);
        checked.dealloc(black_box(p), layout);
    });
    println!(
        "  System alloc+dealloc 64 B {sys:6.2} ns; CheckedAlloc<System> {chk:6.2} ns: ratio {:.3} (+{:.2} ns, outside sections)",
        chk / sys,
        chk - sys
    );
}
