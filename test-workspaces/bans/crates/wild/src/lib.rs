//! Wildcard requirements.

/// Joins.
pub fn joined() -> String {
    smallfmt::join(&[&btool::name()], ",")
}
