// A Rust release build with debug info (rustc -O -g, std only): Vec::push and HashMap::insert
// allocate inside a section marked through libhotpath_api's C functions; both are inlined into
// hot(), and the report must name this file's lines (test/test_symbolize.c looks for the markers).
use std::collections::HashMap;
use std::os::raw::c_char;

#[link(name = "hotpath_api")]
extern "C" {
    fn hotpath_enter(section: *const c_char);
    fn hotpath_exit();
}

#[inline(never)]
fn hot(values: &mut Vec<u64>, names: &mut HashMap<u64, u64>, i: u64) {
    unsafe { hotpath_enter(b"rust_tick\0".as_ptr() as *const c_char) };
    values.push(i); // HP_MARK_RS_PUSH
    names.insert(i, i * 2); // HP_MARK_RS_MAP
    unsafe { hotpath_exit() };
}

fn main() {
    let mut values = Vec::new();
    let mut names = HashMap::new();
    for i in 0..3 {
        hot(&mut values, &mut names, i);
    }
    std::process::exit(if values.len() == 3 && names.len() == 3 { 0 } else { 1 });
}
