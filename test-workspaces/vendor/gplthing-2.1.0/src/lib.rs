//! Adler-32 checksums.

const MOD: u32 = 65_521;

/// The Adler-32 checksum of `data`.
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % MOD;
        b = (b + a) % MOD;
    }
    (b << 16) | a
}

/// Whether `data` has the checksum `expected`.
pub fn verify(data: &[u8], expected: u32) -> bool {
    adler32(data) == expected
}
