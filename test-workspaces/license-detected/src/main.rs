//! Counts words.

fn main() {
    println!("{}", licfile::count_words("a b c"));
}
