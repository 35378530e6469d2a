//! Greets.

fn main() {
    println!("{}", smallfmt::pad_left(&gitdep::greet("cra"), 20));
}
