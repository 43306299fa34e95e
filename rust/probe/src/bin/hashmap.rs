//! A HashMap insert in a section, with the system allocator: the allocation happens in std's
//! vendored hashbrown (/rust/deps/hashbrown-<version>/ in the debug info), whose frames are the
//! toolchain's, not the user's: the site is the insert's line (marked ALLOC:insert).

use std::collections::HashMap;

#[hotpath::hot_path]
fn in_section(m: &mut HashMap<u64, u64>) -> usize {
    m.insert(1, 2); // ALLOC:insert
    m.len()
}

fn main() {
    let mut m = HashMap::new();
    println!("len {}", in_section(&mut m));
}
