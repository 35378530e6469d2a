//! Counts.

fn main() {
    println!("{} {}", altreg::registry(), smallfmt::pad_left(&altreg::incr(1).to_string(), 3));
}
