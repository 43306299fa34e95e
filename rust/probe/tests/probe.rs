//! CheckedAlloc and #[blocking] under the sentinel.

mod common;
use common::*;
use std::path::Path;

const BUMP: &str = env!("CARGO_BIN_EXE_checked_bump");
const SYSTEM: &str = env!("CARGO_BIN_EXE_checked_system");
const BLOCKING: &str = env!("CARGO_BIN_EXE_blocking");
const MUTEX: &str = env!("CARGO_BIN_EXE_mutex");
const HASHMAP: &str = env!("CARGO_BIN_EXE_hashmap");

/// A root that holds none of the sources: a directory made just now (the temporary directory itself
/// would hold a checkout cloned under /tmp, and the sites would then be shown relative to it).
fn elsewhere(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("hotpath-probe-root.{}.{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("a root directory");
    d
}

#[test]
fn checked_alloc_reports_an_allocator_that_never_calls_malloc() {
    let o = gated("warn", BUMP, &["section"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(86), "{t}");
    assert_eq!(t.matches("ALLOCATION IN HOT PATH!").count(), 1, "only the allocation in the section:\n{t}");
    assert!(t.contains("Operation: alloc (100 bytes)"), "{t}");
    assert!(t.contains("Section: checked_bump::in_section"), "{t}");
    assert!(t.contains(" in checked_bump::in_section+0x"), "demangled:\n{t}");
    let line = line_of(include_str!("../src/bin/checked_bump.rs"), "// ALLOC:vec");
    assert!(t.contains(&format!("src/bin/checked_bump.rs:{line}")), "the report leads to line {line}:\n{t}");
    assert!(t.contains("capacity 100") && t.contains("violations 1"), "{t}");
}

/// The site of CheckedAlloc's violation is the allocating line, in the exit summary and in
/// hotpath-check (without a root in the sources, and with the crate as root): not the hotpath
/// crate's own frames, nor the allocator shim that debug info puts on the #[global_allocator] line.
#[test]
fn checked_alloc_site_is_the_allocating_line_on_both_sides() {
    let line = line_of(include_str!("../src/bin/checked_bump.rs"), "// ALLOC:vec");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin/checked_bump.rs");
    let elsewhere = elsewhere("bump");
    let (log, checks) = logged_sites(BUMP, &["section"], &[&elsewhere, Path::new(env!("CARGO_MANIFEST_DIR"))]);
    let summary = format!("site 1: 1 x alloc (allocation) in checked_bump::in_section ({}:{line})", file.display());
    assert!(log.contains(&summary), "the summary names {summary}:\n{log}");
    assert!(checks[0].starts_with(&format!("{}:{line}: allocation 'alloc'", file.display())), "{}", checks[0]);
    assert!(checks[1].starts_with(&format!("src/bin/checked_bump.rs:{line}: allocation 'alloc'")), "{}", checks[1]);
}

/// std's HashMap is std's vendored hashbrown, whose debug info says /rust/deps/hashbrown-*/: a
/// toolchain path, so the site is the insert's line on both sides.
#[test]
fn a_hashmap_insert_site_is_the_users_line_not_hashbrowns() {
    let line = line_of(include_str!("../src/bin/hashmap.rs"), "// ALLOC:insert");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin/hashmap.rs");
    let (log, checks) = logged_sites(HASHMAP, &[], &[&elsewhere("hashmap")]);
    let summary = format!("in hashmap::in_section ({}:{line})", file.display());
    assert!(log.contains(&summary), "the summary names {summary}:\n{log}");
    assert!(checks[0].starts_with(&format!("{}:{line}: allocation ", file.display())), "{}", checks[0]);
}

#[test]
fn checked_alloc_aborts_in_abort_mode() {
    let o = gated("abort", BUMP, &["section"]);
    let t = text(&o);
    // hotpath-run reports the violation by its status even when the program died of SIGABRT.
    assert_eq!(o.status.code(), Some(86), "{t}");
    assert!(t.contains("Operation: alloc (100 bytes)") && t.contains("Mode: abort"), "{t}");
    assert!(!t.contains("capacity 100"), "the process stopped at the allocation:\n{t}");
}

#[test]
fn checked_alloc_over_system_reports_once() {
    let o = gated("warn", SYSTEM, &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(86), "{t}");
    assert_eq!(t.matches("ALLOCATION IN HOT PATH!").count(), 1, "reported once, not again as malloc:\n{t}");
    assert!(t.contains("Operation: alloc (40 bytes)"), "{t}");
    assert!(t.contains("violations 1"), "{t}");
}

#[test]
fn blocking_function_in_a_section_is_a_violation_naming_it() {
    let o = gated("warn", BLOCKING, &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(86), "{t}");
    assert_eq!(t.matches("BLOCKING CALL IN HOT PATH!").count(), 1, "the call outside the section is not one:\n{t}");
    assert!(t.contains("Operation: blocking::wait_for_disk"), "{t}");
    assert!(t.contains("Section: blocking::on_event"), "{t}");
    assert!(t.contains("1 2 violations 1"), "{t}");
    // The first frame is the blocking function, at its attribute's line; the next the call in the
    // section.
    let src = include_str!("../src/bin/blocking.rs");
    let frames: Vec<&str> = t.lines().filter(|l| l.trim_start().starts_with('#')).collect();
    assert!(frames[0].ends_with(&format!("src/bin/blocking.rs:{}", line_of(src, "// BLOCK:attr"))), "{t}");
    assert!(frames[1].ends_with(&format!("src/bin/blocking.rs:{}", line_of(src, "// BLOCK:call"))), "{t}");
}

#[test]
fn assert_no_alloc_uses_checked_allocs_count_without_the_sentinel() {
    let o = bare(BUMP, &["assert"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(101), "a panic, not an abort:\n{t}");
    let line = line_of(include_str!("../src/bin/checked_bump.rs"), "\"assert\" =>");
    assert!(t.contains(&format!("hotpath::assert_no_alloc at probe/src/bin/checked_bump.rs:{line}")), "{t}");
    assert!(t.contains("1 hot-path violation while the body ran"), "{t}");
    let o = bare(BUMP, &["clean"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("sum 45"));
}

#[test]
fn a_contended_std_mutex_is_seen_as_its_futex_syscall() {
    let o = gated_with("warn", &["check=misc"], MUTEX, &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(86), "{t}");
    assert!(t.contains("value 2"), "{t}");
    // The contended lock waits in syscall(SYS_futex): reported, with the lock's line in the
    // backtrace. The uncontended lock is an atomic: nothing to see.
    assert!(t.contains("BLOCKING CALL IN HOT PATH!\nOperation: syscall\nSection: contended"), "{t}");
    assert!(!t.contains("Section: uncontended"), "{t}");
    let line = line_of(include_str!("../src/bin/mutex.rs"), "// LOCK:contended");
    assert!(t.contains(&format!("src/bin/mutex.rs:{line}")), "{t}");
}
