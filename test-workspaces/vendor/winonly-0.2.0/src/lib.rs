//! Windows path helpers.

/// Replaces forward slashes with backslashes.
pub fn to_backslashes(p: &str) -> String {
    p.replace('/', "\\")
}

/// Whether `p` starts with a drive letter such as `C:`.
pub fn has_drive(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}
