//! #[hotpath::blocking]: called in a section, a violation naming the function; outside, nothing.

#[hotpath::blocking] // BLOCK:attr
fn wait_for_disk(x: u32) -> u32 {
    x + 1
}

#[hotpath::hot_path]
fn on_event() -> u32 {
    wait_for_disk(1) // BLOCK:call
}

fn main() {
    let a = wait_for_disk(0);
    let b = on_event();
    println!("{a} {b} violations {}", hotpath::violations());
}
