//! Case conversion helpers.

/// `snake_case` to `kebab-case`.
pub fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

/// `kebab-case` to `snake_case`.
pub fn snake(s: &str) -> String {
    s.replace('-', "_")
}
