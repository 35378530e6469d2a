//! Integer range sets (major version 2).

/// The major version of this crate.
pub const MAJOR: u32 = 2;

/// Whether `x` lies in any of `ranges` (inclusive bounds).
pub fn in_any(x: i64, ranges: &[(i64, i64)]) -> bool {
    ranges.iter().any(|&(lo, hi)| lo <= x && x <= hi)
}

/// Total number of integers covered (ranges assumed disjoint).
pub fn covered(ranges: &[(i64, i64)]) -> u64 {
    ranges.iter().map(|&(lo, hi)| (hi - lo + 1).max(0) as u64).sum()
}
