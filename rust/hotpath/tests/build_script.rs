//! The build script's search for libhotpath_api: HOTPATH_LIB_DIR, else the pkg-config command, else
//! a build error that says what to do. Runs the compiled build script itself with a chosen
//! environment (the newest build-script-build of this package in the target directory).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn build_script() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let build = exe.parent().unwrap().parent().unwrap().join("build");
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&build)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            // hotpath-<16 hex digits>, not hotpath-probe-... or hotpath-example-seed-...
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_prefix("hotpath-").is_some_and(|h| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .map(|e| e.path().join("build-script-build"))
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    found.sort();
    found.pop().expect("the build script was built").1
}

fn run(name: &str, env: &[(&str, &str)]) -> (Output, String) {
    let out_dir = std::env::temp_dir().join(format!("hotpath-build-script-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut c = Command::new(build_script());
    c.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).env("OUT_DIR", &out_dir);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    let t = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let _ = std::fs::remove_dir_all(&out_dir);
    (o, t)
}

#[test]
fn neither_env_nor_pkg_config_is_a_clear_error() {
    let (o, t) = run("none", &[("PKG_CONFIG", "/bin/false")]);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("error: hotpath: libhotpath_api not found: HOTPATH_LIB_DIR is not set and pkg-config does not know hotpath"), "{t}");
    assert!(t.contains("set HOTPATH_LIB_DIR"), "{t}");
    let (o, t) = run("nopc", &[("PKG_CONFIG", "/nonexistent/pkg-config")]);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("the pkg-config command could not be run"), "{t}");
}

#[test]
fn a_wrong_hotpath_lib_dir_is_named() {
    let (o, t) = run("wrong", &[("HOTPATH_LIB_DIR", "/nonexistent")]);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("HOTPATH_LIB_DIR=/nonexistent holds no libhotpath_api.so"), "{t}");
    let (o, t) = run("empty", &[("HOTPATH_LIB_DIR", "")]);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("HOTPATH_LIB_DIR is set but empty"), "{t}");
}

#[test]
fn a_library_without_the_current_api_is_refused() {
    // A directory whose libhotpath_api.so is some other library.
    let dir = std::env::temp_dir().join(format!("hotpath-fake-lib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("libhotpath_api.so"), b"\x7fELF not the hotpath API").unwrap();
    let (o, t) = run("fake", &[("HOTPATH_LIB_DIR", dir.to_str().unwrap())]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("does not export hotpath_is_hot"), "{t}");
}

#[test]
fn pkg_config_finds_it() {
    // A .pc file naming the directory this test's library came from, found through PKG_CONFIG_PATH.
    let lib = Path::new(hotpath::library_dir());
    let pc = std::env::temp_dir().join(format!("hotpath-pc-{}", std::process::id()));
    std::fs::create_dir_all(&pc).unwrap();
    std::fs::write(
        pc.join("hotpath.pc"),
        format!("libdir={}\nName: hotpath\nDescription: test\nVersion: 0.1.0\nLibs: -L${{libdir}} -lhotpath_api\n", lib.display()),
    )
    .unwrap();
    let (o, t) = run("pc", &[("PKG_CONFIG_PATH", pc.to_str().unwrap())]);
    let _ = std::fs::remove_dir_all(&pc);
    if !Command::new("pkg-config").arg("--version").output().map(|o| o.status.success()).unwrap_or(false) {
        assert!(t.contains("the pkg-config command could not be run"), "{t}");
        return;
    }
    assert!(o.status.success(), "{t}");
    assert!(t.contains("cargo:rustc-link-lib=dylib=hotpath_api"), "{t}");
    assert!(t.contains(&format!("cargo:lib_dir={}", lib.display())), "{t}");
}
