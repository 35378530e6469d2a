//! Small string formatting helpers.

/// Pads `s` on the left with spaces up to `width` characters.
pub fn pad_left(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if len >= width {
        s.to_string()
    } else {
        format!("{}{}", " ".repeat(width - len), s)
    }
}

/// Joins `parts` with `sep`.
pub fn join(parts: &[&str], sep: &str) -> String {
    parts.join(sep)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pads() {
        assert_eq!(super::pad_left("ab", 4), "  ab");
    }
}
