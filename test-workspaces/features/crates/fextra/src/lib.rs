//! fextra: an optional, renamed dependency of the `features` scenario.

/// The crate's name.
pub fn name() -> &'static str {
    "fextra"
}
