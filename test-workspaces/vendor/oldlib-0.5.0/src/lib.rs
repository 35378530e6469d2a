//! An old helper library nobody maintains any more.

/// Doubles `x`.
pub fn double(x: u32) -> u32 {
    x.wrapping_mul(2)
}

/// Halves `x`.
pub fn halve(x: u32) -> u32 {
    x / 2
}
