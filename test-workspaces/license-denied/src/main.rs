//! Prints a checksum.

fn main() {
    println!("{}", smallfmt::pad_left(&gplthing::adler32(b"abc").to_string(), 12));
}
