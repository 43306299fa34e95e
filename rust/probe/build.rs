// Let the example run without LD_LIBRARY_PATH against a hotpath build tree: the hotpath crate's
// build script tells its direct dependents where it found libhotpath_api (DEP_HOTPATH_API_LIB_DIR),
// and a run path to it goes into this package's binaries. (Not needed with an installed hotpath.)
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_HOTPATH_API_LIB_DIR");
    if let Ok(dir) = std::env::var("DEP_HOTPATH_API_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
