//! Clamping helpers.

/// Clamps `v` into `lo..=hi`.
pub fn clamp(v: i64, lo: i64, hi: i64) -> i64 {
    v.max(lo).min(hi)
}

/// Whether `v` lies in `lo..=hi`.
pub fn within(v: i64, lo: i64, hi: i64) -> bool {
    (lo..=hi).contains(&v)
}
