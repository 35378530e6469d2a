//! Test assertion helpers.

/// Whether `a` and `b` differ by at most `eps`.
pub fn approx_eq(a: f64, b: f64, eps: f64) -> bool {
    (a - b).abs() <= eps
}

/// Whether `haystack` contains every one of `needles`.
pub fn contains_all(haystack: &str, needles: &[&str]) -> bool {
    needles.iter().all(|n| haystack.contains(n))
}
