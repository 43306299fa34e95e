//! Finds libhotpath_api (the C library that owns the per-thread section state the sentinel reads)
//! and links the crate with it.
//!
//! Order: `HOTPATH_LIB_DIR` (a directory holding libhotpath_api.so: a build tree's `build/` or an
//! install's lib directory), else the `pkg-config` command (`pkg-config --variable=libdir hotpath`,
//! honouring PKG_CONFIG_PATH). Neither: the build stops with a message saying what to do.
//!
//! The library is also made visible in OUT_DIR (symbolic links), because Cargo puts link search
//! paths inside its target directory on the dynamic loader's path for `cargo run` and `cargo test`:
//! a program built against a build tree then starts without LD_LIBRARY_PATH.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{exit, Command};

const LIB: &str = "libhotpath_api.so";
const SONAME: &str = "libhotpath_api.so.0";

fn fail(msg: &str) -> ! {
    eprintln!("\nerror: hotpath: {msg}\n");
    exit(1);
}

fn from_env() -> Option<PathBuf> {
    let dir = env::var_os("HOTPATH_LIB_DIR")?;
    let dir = PathBuf::from(dir);
    if dir.as_os_str().is_empty() {
        fail("HOTPATH_LIB_DIR is set but empty; set it to the directory holding libhotpath_api.so");
    }
    if !dir.join(LIB).exists() {
        fail(&format!(
            "HOTPATH_LIB_DIR={} holds no {LIB}; build hotpath there (`make` in the hotpath \
             repository makes build/{LIB}) or point HOTPATH_LIB_DIR at the install's lib directory",
            dir.display()
        ));
    }
    Some(dir)
}

fn from_pkg_config() -> Result<PathBuf, String> {
    let out = Command::new(env::var_os("PKG_CONFIG").unwrap_or_else(|| "pkg-config".into()))
        .args(["--variable=libdir", "hotpath"])
        .output()
        .map_err(|e| format!("the pkg-config command could not be run ({e})"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let err = err.trim();
        return Err(if err.is_empty() {
            "pkg-config does not know hotpath".to_string()
        } else {
            format!("pkg-config does not know hotpath ({err})")
        });
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !dir.join(LIB).exists() {
        return Err(format!("pkg-config names libdir {} but it holds no {LIB}", dir.display()));
    }
    Ok(dir)
}

/// The library's dynamic symbol table holds the names it exports: enough to tell an older
/// library (without the functions added later) from a current one, without nm.
fn exports(lib: &Path, name: &str) -> bool {
    let bytes = fs::read(lib).unwrap_or_default();
    let mut pat = Vec::with_capacity(name.len() + 2);
    pat.push(0u8);
    pat.extend_from_slice(name.as_bytes());
    pat.push(0u8);
    bytes.windows(pat.len()).any(|w| w == pat.as_slice())
}

fn link_into_out_dir(dir: &Path) -> PathBuf {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("lib");
    let _ = fs::create_dir_all(&out);
    let real = fs::canonicalize(dir.join(LIB)).unwrap_or_else(|_| dir.join(LIB));
    for name in [LIB, SONAME] {
        let link = out.join(name);
        let _ = fs::remove_file(&link);
        if std::os::unix::fs::symlink(&real, &link).is_err() {
            return dir.to_path_buf();
        }
    }
    out
}

fn main() {
    println!("cargo:rerun-if-env-changed=HOTPATH_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");

    let dir = match from_env() {
        Some(d) => d,
        None => from_pkg_config().unwrap_or_else(|why| {
            fail(&format!(
                "libhotpath_api not found: HOTPATH_LIB_DIR is not set and {why}.\n\
                 Install hotpath (`make install` in its repository, then PKG_CONFIG_PATH=PREFIX/lib/pkgconfig \
                 if PREFIX is not a system prefix) or set HOTPATH_LIB_DIR to a built tree's build/ directory."
            ))
        }),
    };
    let lib = dir.join(LIB);
    println!("cargo:rerun-if-changed={}", lib.display());
    if !exports(&lib, "hotpath_is_hot") {
        fail(&format!("{} does not export hotpath_is_hot: not a hotpath API library", lib.display()));
    }
    // hotpath_blocking and hotpath_allocation came later than the rest of the API: an older
    // library would leave #[blocking] and CheckedAlloc unchecked, so it is refused.
    for f in ["hotpath_blocking", "hotpath_allocation"] {
        if !exports(&lib, f) {
            fail(&format!(
                "{} does not export {f}: it is older than this crate; rebuild (and reinstall) hotpath",
                lib.display()
            ));
        }
    }

    let search = link_into_out_dir(&dir);
    println!("cargo:rustc-link-search=native={}", search.display());
    println!("cargo:rustc-link-lib=dylib=hotpath_api");
    // For dependents' build scripts (DEP_HOTPATH_API_LIB_DIR) and for hotpath::library_dir().
    println!("cargo:lib_dir={}", dir.display());
    let abs = fs::canonicalize(&dir).unwrap_or(dir);
    println!("cargo:rustc-env=HOTPATH_FOUND_LIB_DIR={}", abs.display());
}
