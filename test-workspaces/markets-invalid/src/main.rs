//! `markets-invalid` scenario.

fn main() {
    println!("{}", smallfmt::pad_left("ok", 4));
}
