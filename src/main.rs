//! `cargo-cra`: thin binary over the `cargo_cra` library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    cargo_cra::main_entry(std::env::args_os())
}
