//! Compares two strings.

fn main() {
    println!("{}", ringlike::ct_eq(b"a", b"a"));
}
