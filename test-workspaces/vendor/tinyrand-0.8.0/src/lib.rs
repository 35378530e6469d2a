//! A tiny xorshift64 pseudo-random number generator. Not for cryptography.

/// A xorshift64 generator.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed` (zero is replaced by a fixed constant).
    pub fn seed(seed: u64) -> Self {
        Rng(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// A value in `0..bound` from a generator seeded with `seed`.
pub fn below(seed: u64, bound: u64) -> u64 {
    Rng::seed(seed).next_u64() % bound.max(1)
}
