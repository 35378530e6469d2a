//! Parses simple `key=value` headers. Version 1.2.5 bounds the header length.

/// Parses `key=value` into its two halves.
pub fn parse_header(line: &str) -> Option<(&str, &str)> {
    if line.len() > 8192 { return None; }
    line.split_once('=')
}

/// Formats a header with the key padded to `width`.
pub fn format_header(key: &str, value: &str, width: usize) -> String {
    format!("{}={}", smallfmt::pad_left(key, width), value)
}
