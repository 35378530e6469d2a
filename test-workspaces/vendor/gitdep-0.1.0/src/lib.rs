//! A crate used from git.

/// A greeting.
pub fn greet(name: &str) -> String {
    format!("hello, {name}")
}

/// The length of the greeting for `name`.
pub fn greet_len(name: &str) -> usize {
    greet(name).len()
}
