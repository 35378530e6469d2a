//! A crate from an alternative registry.

/// The registry this crate lives on.
pub fn registry() -> &'static str {
    "altreg.example.com"
}

/// Adds one.
pub fn incr(x: u64) -> u64 {
    x + 1
}
