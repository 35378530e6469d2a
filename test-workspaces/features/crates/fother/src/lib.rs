//! fother: a second library member of the `features` scenario.

/// The crate's name.
pub fn name() -> &'static str {
    "fother"
}
