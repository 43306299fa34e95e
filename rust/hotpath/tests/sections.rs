#![cfg(not(feature = "disable"))]
//! Sections, allow regions, nesting and the guard's exits, checked through the C library's own
//! per-thread state (depth, innermost name, hot flag). No violations: these run under the gate.

use std::ffi::CStr;

/// The innermost name, copied (in an allow region: the copy allocates).
fn name() -> Option<String> {
    hotpath::allow(|| hotpath::with_section(|s| s.map(str::to_owned)))
}

#[test]
fn guard_enters_and_leaves() {
    assert_eq!(hotpath::depth(), 0);
    assert!(!hotpath::is_hot());
    {
        let _s = hotpath::enter("outer");
        assert_eq!(hotpath::depth(), 1);
        assert!(hotpath::is_hot());
        hotpath::with_section(|s| assert_eq!(s, Some("outer")));
    }
    assert_eq!(hotpath::depth(), 0);
    assert!(!hotpath::is_hot());
    assert_eq!(name(), None);
}

#[test]
fn nesting_restores_the_enclosing_name() {
    let _a = hotpath::enter("a");
    {
        let _b = hotpath::enter(c"b");
        {
            let _c = hotpath::enter("c\0");
            hotpath::with_section(|s| assert_eq!(s, Some("c")));
            assert_eq!(hotpath::depth(), 3);
        }
        hotpath::with_section(|s| assert_eq!(s, Some("b")));
    }
    hotpath::with_section(|s| assert_eq!(s, Some("a")));
    assert_eq!(hotpath::depth(), 1);
}

#[test]
fn copied_names_survive_deep_nesting() {
    // Names that are not NUL-terminated are copied into the slot of their depth: 20 levels wrap the
    // 16 slots, and each level shows its own name while it is innermost; on the way back, the
    // levels more than 16 below the deepest lost theirs, as in C (HOTPATH_STACK_SLOTS).
    const NAMES: [&str; 20] = [
        "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11", "n12", "n13", "n14", "n15", "n16",
        "n17", "n18", "n19",
    ];
    fn nest(i: usize) {
        if i == NAMES.len() {
            return;
        }
        let _s = hotpath::enter(NAMES[i]);
        hotpath::with_section(|s| assert_eq!(s, Some(NAMES[i])));
        nest(i + 1);
        let expect = if i + 16 < NAMES.len() { NAMES[i + 16] } else { NAMES[i] };
        hotpath::with_section(|s| assert_eq!(s, Some(expect)));
    }
    nest(0);
    assert_eq!(hotpath::depth(), 0);
}

#[test]
fn long_names_are_cut_at_a_char_boundary() {
    static LONG: &str = "ééééééééééééééééééééééééééééééééééééééé"; // 78 bytes
    let _s = hotpath::enter(LONG);
    let shown = name().unwrap();
    assert!(shown.len() <= 63 && LONG.starts_with(&shown) && !shown.is_empty(), "{shown:?}");
}

fn early(fail: bool) -> Result<u32, &'static str> {
    let _s = hotpath::enter("early");
    if fail {
        return Err("no");
    }
    Ok(hotpath::depth())
}

fn question_mark(fail: bool) -> Result<u32, &'static str> {
    let _s = hotpath::enter("qm");
    early(fail)?;
    Ok(hotpath::depth())
}

#[test]
fn early_return_and_question_mark_leave() {
    assert_eq!(early(false), Ok(1));
    assert_eq!(early(true), Err("no"));
    assert_eq!(hotpath::depth(), 0);
    assert_eq!(question_mark(false), Ok(1));
    assert_eq!(question_mark(true), Err("no"));
    assert_eq!(hotpath::depth(), 0);
}

#[test]
fn panic_unwinding_leaves() {
    // The panic itself allocates (its payload), so it is raised in an allow region: this test is
    // about the guard, and runs under the gate.
    let r = std::panic::catch_unwind(|| {
        let _s = hotpath::enter("panics");
        assert_eq!(hotpath::depth(), 1);
        hotpath::allow(|| std::panic::resume_unwind(Box::new(7u8)));
    });
    assert!(r.is_err());
    assert_eq!(hotpath::depth(), 0);
    assert!(!hotpath::is_hot());
}

#[test]
fn allow_regions_nest_and_end_on_panic() {
    let _s = hotpath::enter("allowing");
    hotpath::allow(|| {
        assert!(!hotpath::is_hot());
        hotpath::allow(|| assert!(!hotpath::is_hot()));
        assert!(!hotpath::is_hot());
        let v: Vec<u8> = Vec::with_capacity(64); // permitted here
        drop(v);
    });
    assert!(hotpath::is_hot());
    let r = std::panic::catch_unwind(|| hotpath::allow(|| std::panic::resume_unwind(Box::new(0u8))));
    assert!(r.is_err());
    assert!(hotpath::is_hot(), "the allow region ended when the panic left it");
}

#[test]
fn hot_path_attribute_names_the_section() {
    mod inner {
        #[hotpath::hot_path]
        pub fn marked() -> Option<String> {
            let n = hotpath::allow(|| hotpath::with_section(|s| s.map(str::to_owned)));
            n
        }
        #[hotpath::hot_path]
        pub fn returns_early(x: u32) -> u32 {
            #![allow(clippy::needless_return)]
            if x > 1 {
                return hotpath::depth();
            }
            hotpath::depth() + 10
        }
        pub struct S;
        impl S {
            #[hotpath::hot_path]
            pub fn method(&self) -> bool {
                hotpath::is_hot()
            }
        }
    }
    assert_eq!(inner::marked().as_deref(), Some(concat!(module_path!(), "::inner::marked")));
    assert_eq!(inner::returns_early(2), 1);
    assert_eq!(inner::returns_early(0), 11);
    assert!(inner::S.method());
    assert_eq!(hotpath::depth(), 0);
}

#[test]
fn the_guard_is_neither_send_nor_sync() {
    // A compile-time property; the compile-fail test checks the errors. Here: it is a ZST-sized mark.
    assert!(std::mem::size_of::<hotpath::Section>() == 0);
    let _ = CStr::from_bytes_with_nul(b"x\0");
}

#[test]
fn queries_without_violations() {
    let before = hotpath::violations();
    {
        let _s = hotpath::enter("quiet");
        let mut a = [0u8; 32];
        a[3] = 1;
        std::hint::black_box(&mut a);
    }
    assert_eq!(hotpath::violations(), before);
    assert!(!hotpath::sealed());
}
