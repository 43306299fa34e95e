//! CheckedAlloc<System>: an allocation in a section reaches malloc too, and is reported once.

#[global_allocator]
static GLOBAL: hotpath::CheckedAlloc<std::alloc::System> = hotpath::CheckedAlloc::new(std::alloc::System);

#[hotpath::hot_path]
fn in_section() -> usize {
    let b = Box::new([7u8; 40]); // ALLOC:box
    std::hint::black_box(b).len()
}

fn main() {
    println!("len {}", in_section());
    println!("violations {}", hotpath::violations());
}
