//! `policy-unknown-key` scenario.

fn main() {
    println!("{}", smallfmt::pad_left("ok", 4));
}
