//! Parses a header.

fn main() {
    println!("{:?}", vulnlib::parse_header("a=b"));
}
