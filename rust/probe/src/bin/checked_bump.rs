//! `checked_bump MODE`: the global allocator is CheckedAlloc<Bump>, which never reaches malloc.
//!   section   a Vec of 100 bytes in a section (line marked ALLOC:vec), reported through
//!             hotpath_allocation; one outside any section, not reported
//!   assert    assert_no_alloc around that allocation, without the sentinel: fails on
//!             CheckedAlloc's own per-thread count
//!   clean     assert_no_alloc around code that allocates nothing

#[global_allocator]
static GLOBAL: hotpath::CheckedAlloc<hotpath_probe::Bump> = hotpath::CheckedAlloc::new(hotpath_probe::Bump);

#[hotpath::hot_path]
fn in_section(n: usize) -> usize {
    let v: Vec<u8> = Vec::with_capacity(n); // ALLOC:vec
    std::hint::black_box(&v).capacity()
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let outside: Vec<u8> = Vec::with_capacity(1000);
    std::hint::black_box(&outside);
    match mode.as_str() {
        "section" => println!("capacity {}", in_section(100)),
        "assert" => println!("capacity {}", hotpath::assert_no_alloc(|| std::hint::black_box(Vec::<u8>::with_capacity(10)).capacity())),
        "clean" => println!("sum {}", hotpath::assert_no_alloc(|| (1..10u32).sum::<u32>())),
        _ => std::process::exit(2),
    }
    println!("violations {}", hotpath::violations());
}
