//! Buffer helpers.

/// The first `n` bytes of `buf` (or all of it).
pub fn prefix(buf: &[u8], n: usize) -> &[u8] {
    &buf[..n.min(buf.len())]
}

/// Sum of all bytes.
pub fn byte_sum(buf: &[u8]) -> u64 {
    buf.iter().map(|&b| u64::from(b)).sum()
}
