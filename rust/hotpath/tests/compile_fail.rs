//! Misuse that must not compile, each with the error that says why: rustc run on a snippet
//! against the hotpath library this test was built with (no trybuild: the workspace is offline).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The newest `prefix*suffix` in the deps directory this test binary lives in.
fn newest(deps: &Path, prefix: &str, suffix: &str) -> PathBuf {
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(deps)
        .expect("the deps directory")
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with(prefix) && n.ends_with(suffix)
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| panic!("no {prefix}*{suffix} in {}", deps.display())).1
}

/// Compile `src` as a library using `hotpath`; returns rustc's stderr, asserting it failed.
fn compile_fails(name: &str, src: &str) -> String {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let rlib = newest(deps, "libhotpath-", ".rlib");
    let dir = std::env::temp_dir().join(format!("hotpath-compile-fail-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.rs"));
    std::fs::write(&file, src).unwrap();
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        // The test may run under the sentinel (the cargo test recipe): the compiler must not.
        .env_remove("LD_PRELOAD")
        .env_remove("HOTPATH_OPTIONS")
        .args(["--edition", "2021", "--crate-type", "lib", "--emit", "metadata", "--crate-name", name])
        .arg("--out-dir")
        .arg(&dir)
        .arg("--extern")
        .arg(format!("hotpath={}", rlib.display()))
        .arg("-L")
        .arg(format!("dependency={}", deps.display()))
        .arg(&file)
        .output()
        .expect("rustc runs");
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{name} compiled, but must not:\n{src}");
    err
}

fn assert_has(err: &str, what: &str) {
    assert!(err.contains(what), "rustc's error lacks {what:?}:\n{err}");
}

#[test]
fn hot_path_on_async_fn_says_why() {
    let err = compile_fails("async_fn", "#[hotpath::hot_path]\npub async fn handler() -> u32 { 1 }\n");
    assert_has(&err, "#[hotpath::hot_path] cannot mark an `async fn`");
    assert_has(&err, "whichever thread polls");
    // Pointed at the `async` keyword, line 2, and only this one error.
    assert_has(&err, "async_fn.rs:2:5");
    assert_eq!(err.lines().filter(|l| l.starts_with("error")).count(), 2, "{err}");
}

#[test]
fn hot_path_takes_no_arguments_and_needs_a_function() {
    let err = compile_fails("args", "#[hotpath::hot_path(fast)]\npub fn f() {}\n");
    assert_has(&err, "#[hotpath::hot_path] takes no arguments");
    let err = compile_fails("not_fn", "#[hotpath::hot_path]\npub struct S;\n");
    assert_has(&err, "#[hotpath::hot_path] applies to a function");
    let err = compile_fails("no_body", "pub trait T {\n    #[hotpath::blocking]\n    fn f();\n}\n");
    assert_has(&err, "#[hotpath::blocking] needs a function with a body");
}

#[test]
fn the_guard_is_not_send() {
    let err = compile_fails(
        "not_send",
        "fn keep<T: Send>(_: T) {}\npub fn f() { keep(hotpath::enter(\"x\")); }\n",
    );
    assert_has(&err, "cannot be sent between threads safely");
    assert_has(&err, "within the type `Section`");
}

#[test]
fn the_guard_is_not_sync() {
    let err = compile_fails(
        "not_sync",
        "fn share<T: Sync>(_: &T) {}\npub fn f() { let s = hotpath::enter(\"x\"); share(&s); }\n",
    );
    assert_has(&err, "cannot be shared between threads safely");
}

#[test]
fn a_dropped_guard_is_a_warning_made_error() {
    let err = compile_fails("must_use", "#![deny(unused_must_use)]\npub fn f() { hotpath::enter(\"x\"); }\n");
    assert_has(&err, "the section ends when this guard is dropped");
}
