//! Running a program under its own hotpath-run, outside this test binary's gate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A tool of the build tree (or install) the crate was built against, else PATH's.
pub fn hotpath_tool(name: &str) -> PathBuf {
    let lib = Path::new(hotpath::library_dir());
    for p in [lib.join("bin").join(name), lib.join("../bin").join(name)] {
        if p.exists() {
            return p;
        }
    }
    PathBuf::from(name)
}

/// `program args` under `hotpath-run --mode MODE`, with the outer runner's preload and options
/// removed (this test binary may itself run under the gate: the child's deliberate violations
/// must not count against it).
pub fn gated(mode: &str, program: &str, args: &[&str]) -> Output {
    Command::new(hotpath_tool("hotpath-run"))
        .env_remove("LD_PRELOAD")
        .env_remove("HOTPATH_OPTIONS")
        .args(["--mode", mode, "--"])
        .arg(program)
        .args(args)
        .output()
        .expect("hotpath-run runs (build hotpath, or put hotpath-run on PATH)")
}

/// `gated` with HOTPATH_OPTIONS pairs of its own (`-o K=V`).
pub fn gated_with(mode: &str, options: &[&str], program: &str, args: &[&str]) -> Output {
    let mut c = Command::new(hotpath_tool("hotpath-run"));
    c.env_remove("LD_PRELOAD").env_remove("HOTPATH_OPTIONS").args(["--mode", mode]);
    for o in options {
        c.args(["-o", o]);
    }
    c.arg("--").arg(program).args(args).output().expect("hotpath-run runs")
}

/// `program args` without the sentinel.
pub fn bare(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .env_remove("LD_PRELOAD")
        .env_remove("HOTPATH_OPTIONS")
        .args(args)
        .output()
        .expect("the program runs")
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The 1-based line of the `marker` comment in `src`.
pub fn line_of(src: &str, marker: &str) -> usize {
    src.lines().position(|l| l.contains(marker)).unwrap_or_else(|| panic!("no {marker}")) + 1
}

/// `program args` under `hotpath-run --mode warn --log-dir DIR`; returns the text reports and exit
/// summary the sentinel wrote there, and `hotpath-check --root ROOT DIR`'s output for each root
/// given (its site lines), so that a test can compare the two sides' sites.
pub fn logged_sites(program: &str, args: &[&str], roots: &[&Path]) -> (String, Vec<String>) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("hotpath-probe-sites.{}.{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = Command::new(hotpath_tool("hotpath-run"))
        .env_remove("LD_PRELOAD")
        .env_remove("HOTPATH_OPTIONS")
        .args(["-q", "--mode", "warn", "--log-dir"])
        .arg(&dir)
        .arg("--")
        .arg(program)
        .args(args)
        .output()
        .expect("hotpath-run runs");
    assert_eq!(o.status.code(), Some(86), "{}", text(&o));
    let mut log = String::new();
    for e in std::fs::read_dir(&dir).expect("the log directory") {
        log += &std::fs::read_to_string(e.expect("an entry").path()).expect("a log");
    }
    let checks = roots
        .iter()
        .map(|root| {
            let c = Command::new(hotpath_tool("hotpath-check"))
                .env_remove("LD_PRELOAD")
                .env_remove("HOTPATH_OPTIONS")
                .arg("--root")
                .arg(root)
                .arg(&dir)
                .output()
                .expect("hotpath-check runs");
            assert_eq!(c.status.code(), Some(1), "a violation: {}", text(&c));
            text(&c)
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    (log, checks)
}
