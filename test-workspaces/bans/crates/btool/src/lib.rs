//! A member with a build script.

/// The tool's name.
pub fn name() -> String {
    "btool".to_string()
}
