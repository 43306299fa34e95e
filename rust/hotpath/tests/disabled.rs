//! The `disable` feature: every mark compiles away, the queries stay.
#![cfg(feature = "disable")]

#[hotpath::hot_path]
fn marked() -> u32 {
    hotpath::depth()
}

#[hotpath::blocking]
fn waits() -> u32 {
    7
}

#[test]
fn marks_do_nothing() {
    let _s = hotpath::enter("gone");
    assert_eq!(hotpath::depth(), 0);
    assert!(!hotpath::is_hot());
    assert_eq!(marked(), 0);
    assert_eq!(waits(), 7);
    hotpath::seal();
    assert!(!hotpath::sealed(), "seal() is compiled away with the allow regions");
    hotpath::unseal();
    assert_eq!(hotpath::allow(|| 3), 3);
    // Nothing checks: the body just runs (and allocates freely).
    let v = hotpath::assert_no_alloc(|| vec![1u8; 100]);
    assert_eq!(v.len(), 100);
    let _ = hotpath::violations();
    let _ = hotpath::sentinel_active();
}
