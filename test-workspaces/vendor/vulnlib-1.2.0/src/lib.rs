//! Parses simple `key=value` headers.

/// Parses `key=value` into its two halves.
pub fn parse_header(line: &str) -> Option<(&str, &str)> {
    // 1.2.0: no length limit
    line.split_once('=')
}

/// Formats a header with the key padded to `width`.
pub fn format_header(key: &str, value: &str, width: usize) -> String {
    format!("{}={}", smallfmt::pad_left(key, width), value)
}
