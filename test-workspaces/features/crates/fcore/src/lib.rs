//! fcore: the core library of the `features` scenario.

/// The crate's name.
pub fn name() -> &'static str {
    "fcore"
}
