//! Shared code of the products in this workspace.

/// A banner line for `product`.
pub fn banner(product: &str) -> String {
    smallfmt::pad_left(product, 12)
}
