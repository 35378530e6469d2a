//! Clamps a number.

fn main() {
    println!("{}", nolicense::clamp(15, 0, 10));
}
