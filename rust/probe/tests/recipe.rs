//! The `cargo test` recipe of docs/rust.md: Cargo's target runner `hotpath-run --mode warn --`,
//! and assert_no_alloc making the one test whose body allocated fail, while the others pass and
//! the binary runs to its end (no abort). The fixtures are this binary's ignored tests, run again
//! by the real test below in a child under its own hotpath-run, as the runner would run them.

mod common;
use common::*;

#[test]
#[ignore = "fixture: run by recipe_fails_one_test_not_the_binary"]
fn fixture_allocates() {
    let v = hotpath::assert_no_alloc(|| {
        let mut v = Vec::new();
        v.push(1u32); // ALLOC:push
        v
    });
    assert_eq!(v, [1]);
}

#[test]
#[ignore = "fixture: run by recipe_fails_one_test_not_the_binary"]
fn fixture_clean() {
    let mut buf = [0u32; 8];
    let n = hotpath::assert_no_alloc(|| {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = i as u32 * 2;
        }
        buf.iter().sum::<u32>()
    });
    assert_eq!(n, 56);
}

#[test]
#[ignore = "fixture: run by recipe_fails_one_test_not_the_binary"]
fn fixture_allow_is_not_a_violation() {
    let v = hotpath::assert_no_alloc(|| hotpath::allow(|| vec![1u8; 32]));
    assert_eq!(v.len(), 32);
}

fn me() -> String {
    std::env::current_exe().unwrap().to_string_lossy().into_owned()
}

#[test]
fn recipe_fails_one_test_not_the_binary() {
    let o = gated("warn", &me(), &["--ignored", "--test-threads=1", "fixture_"]);
    let t = text(&o);
    // The test binary ran to its end (exit 101: a test failed), and hotpath-run's status says a
    // violation happened: 86, not 134 (SIGABRT).
    assert_eq!(o.status.code(), Some(86), "{t}");
    assert!(t.contains("test fixture_allocates ... FAILED"), "{t}");
    assert!(t.contains("test fixture_clean ... ok"), "{t}");
    assert!(t.contains("test fixture_allow_is_not_a_violation ... ok"), "{t}");
    assert!(t.contains("test result: FAILED. 2 passed; 1 failed"), "{t}");
    let src = include_str!("recipe.rs");
    let call = line_of(src, "let v = hotpath::assert_no_alloc(|| {");
    assert!(
        t.contains(&format!("hotpath::assert_no_alloc at probe/tests/recipe.rs:{call}:")),
        "the failure names the assert_no_alloc call:\n{t}"
    );
    assert!(t.contains("1 hot-path violation while the body ran"), "{t}");
    // The sentinel's report, in the failing test's output, leads to the push's line.
    assert!(t.contains("Section: hotpath::assert_no_alloc"), "{t}");
    assert!(t.contains(&format!("probe/tests/recipe.rs:{}", line_of(src, "// ALLOC:push"))), "{t}");
}

#[test]
fn without_sentinel_or_checked_alloc_assert_no_alloc_refuses_to_pass() {
    let o = bare(&me(), &["--ignored", "--exact", "fixture_clean"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(101), "{t}");
    assert!(t.contains("nothing checks this test"), "{t}");
}
