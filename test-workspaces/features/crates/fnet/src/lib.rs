//! fnet: a library of the `features` scenario.

/// The crate's name.
pub fn name() -> &'static str {
    "fnet"
}
