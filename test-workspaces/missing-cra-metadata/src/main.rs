//! `missing-cra-metadata` scenario.

fn main() {
    println!("{}", smallfmt::pad_left("ok", 4));
}
