fn main() {
    println!("{}", buildhelper::rustc_env("CLEAN_BUILD_NOTE", "set by buildhelper"));
    println!("{}", buildhelper::rerun_if_changed("build.rs"));
}
