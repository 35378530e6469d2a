//! `app`: a product of the multi-member workspace.

fn main() {
    println!("{}", corelib::banner("app"));
}
