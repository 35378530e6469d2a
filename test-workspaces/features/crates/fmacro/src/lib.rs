//! fmacro: `answer!()` expands to 42.

use proc_macro::TokenStream;

/// Expands to the literal `42`.
#[proc_macro]
pub fn answer(_input: TokenStream) -> TokenStream {
    "42".parse().expect("a literal parses")
}
