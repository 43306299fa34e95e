//! The seed example under the gate: each of the five hidden allocations reported at its own line
//! of src/lib.rs, named by the demangled function; the rewritten function passes. `make check` runs
//! it on the debug and on the release build (with debug info): in release, and for `Box::new` in
//! debug too, the line comes from the report's inlined frames.
//!
//! The example runs in a child under its own `hotpath-run` (with the outer runner's preload and
//! options removed, so its deliberate violations stay out of this test binary's own gate).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SRC: &str = include_str!("../src/lib.rs");
const MARKERS: [&str; 5] = ["to_vec", "format", "collect", "insert", "box"];

/// The 1-based line of `// ALLOC:<what>` in src/lib.rs.
fn line_of(what: &str) -> usize {
    let tag = format!("// ALLOC:{what}");
    SRC.lines().position(|l| l.trim_end().ends_with(&tag)).unwrap_or_else(|| panic!("no {tag}")) + 1
}

/// hotpath-run of the build tree (or install) the crate was built against, else PATH's.
fn hotpath_tool(name: &str) -> PathBuf {
    let lib = Path::new(hotpath::library_dir());
    for p in [lib.join("bin").join(name), lib.join("../bin").join(name)] {
        if p.exists() {
            return p;
        }
    }
    PathBuf::from(name)
}

fn gated(mode: &str, log_dir: &Path, arg: &str) -> Output {
    Command::new(hotpath_tool("hotpath-run"))
        .env_remove("LD_PRELOAD")
        .env_remove("HOTPATH_OPTIONS")
        .args(["--mode", mode, "--log-dir"])
        .arg(log_dir)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_seed"))
        .arg(arg)
        .output()
        .expect("hotpath-run runs (build hotpath, or put hotpath-run on PATH)")
}

fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hotpath-seed-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn logs(dir: &Path) -> String {
    let mut all = String::new();
    for e in std::fs::read_dir(dir).unwrap() {
        all += &std::fs::read_to_string(e.unwrap().path()).unwrap();
    }
    all
}

/// A frame line's `file:line`, if it has one.
fn frame_location(frame: &str) -> Option<(&str, usize)> {
    let loc = frame.rsplit(' ').next()?;
    let (file, line) = loc.rsplit_once(':')?;
    Some((file, line.parse().ok()?))
}

/// The gate's rule: the first frame in the user's code (a source file outside the toolchain, the
/// standard library's and its dependencies' sources, system headers and the hotpath crate).
fn user_frame(report: &str) -> Option<(String, usize)> {
    report.lines().filter(|l| l.trim_start().starts_with('#')).find_map(|l| {
        let (file, line) = frame_location(l)?;
        let toolchain = file.starts_with("/rustc/")
            || file.starts_with("/rust/deps/")
            || file.starts_with("/usr/")
            || file.starts_with("./")
            || file.starts_with("../")
            || file.contains("/rust/hotpath/src/");
        (!toolchain).then(|| (file.to_string(), line))
    })
}

#[test]
fn each_hidden_allocation_is_reported_at_its_line() {
    let dir = fresh_dir("bad");
    let out = gated("warn", &dir, "bad");
    let text = logs(&dir);
    assert_eq!(out.status.code(), Some(86), "the gate fails the run:\n{text}");
    let reports: Vec<&str> = text.split("ALLOCATION IN HOT PATH!").skip(1).collect();
    for r in &reports {
        assert!(r.contains("Section: hotpath_example_seed::process_event_bad"), "{r}");
        // Demangled: the function as Rust names it, not _ZN20hotpath_example_seed...
        assert!(r.contains(" in hotpath_example_seed::Naive::process_event_bad+0x"), "{r}");
        assert!(!r.contains(" in _ZN") && !r.contains(" in _R"), "{r}");
    }
    let lib_rs = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    let mut sites: Vec<usize> = Vec::new();
    for r in &reports {
        if let Some((_, line)) = user_frame(r).filter(|(f, _)| Path::new(f) == lib_rs) {
            sites.push(line);
        }
    }
    for what in MARKERS {
        let line = line_of(what);
        assert!(sites.contains(&line), "no report's site is the {what} at src/lib.rs:{line}; sites {sites:?}:\n{text}");
    }

    // The gate: hotpath-check, run from the crate's root, names each site by its src/lib.rs line.
    let check = Command::new(hotpath_tool("hotpath-check"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg(&dir)
        .output()
        .expect("hotpath-check runs");
    let gate = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{gate}{}", String::from_utf8_lossy(&check.stderr));
    // Five sites, no more: the exit summary's sites and the reports' agree (nothing counted twice).
    assert!(String::from_utf8_lossy(&check.stderr).contains(" at 5 sites;") || gate.contains(" at 5 sites;"),
        "{gate}{}", String::from_utf8_lossy(&check.stderr));
    for what in MARKERS {
        let line = line_of(what);
        assert!(gate.contains(&format!("\nsrc/lib.rs:{line}: allocation")) || gate.starts_with(&format!("src/lib.rs:{line}: allocation")),
            "hotpath-check names no site at src/lib.rs:{line} ({what}):\n{gate}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_rewritten_function_passes_the_gate() {
    let dir = fresh_dir("good");
    let out = gated("abort", &dir, "good");
    let text = logs(&dir);
    assert!(out.status.success(), "status {:?}:\n{text}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("sum "), "it ran");
    assert!(!text.contains("IN HOT PATH"), "{text}");
    let check = Command::new(hotpath_tool("hotpath-check")).arg(&dir).output().expect("hotpath-check runs");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}
