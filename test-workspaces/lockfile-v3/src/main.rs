//! Prints a padded random number.

fn main() {
    let n = tinyrand::below(7, 100);
    println!("{}", smallfmt::pad_left(&n.to_string(), 5));
}
